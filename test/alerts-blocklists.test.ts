import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOUR } from "../worker/lib/time";
import { ALERT_COOLDOWN_MS } from "../worker/lib/alert-thresholds";
import { checkBlocklists } from "../worker/services/alerts/blocklists";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { newIngestOrg } from "./ingest-helpers";

const dnsBase = new URL(env.DNS_RESOLVER_URL).origin;
const T = Date.UTC(2026, 3, 2, 3, 17, 0);

/** Publishes (or, with no values, removes) a record in the DNS stand-in, as a blocklist operator's zone would hold it. */
async function publish(name: string, values: string[]) {
  const res = await fetch(`${dnsBase}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type: "A", values }) });
  expect(res.status).toBe(200);
}

describe("blocklist detection (DNSBL) through the DNS client", () => {
  it("raises once per listing, ignores refusals, and raises again after a delisting and a relisting", async () => {
    const domain = `bl${Date.now().toString(36)}.example.com`;
    const orgId = await newIngestOrg({ identities: [domain, `notify@${domain}`] });
    const raised: RaiseRequest[] = [];
    const raise = async (r: RaiseRequest) => void raised.push(r);

    // NXDOMAIN on both lists: clean.
    await checkBlocklists(env, orgId, raise, T);
    expect(raised).toEqual([]);

    // Spamhaus's answer to a query it refuses (public resolver) is not a listing.
    await publish(`${domain}.dbl.spamhaus.org`, ["127.255.255.254"]);
    await checkBlocklists(env, orgId, raise, T + HOUR);
    expect(raised).toEqual([]);

    await publish(`${domain}.dbl.spamhaus.org`, ["127.0.1.2"]);
    await checkBlocklists(env, orgId, raise, T + 2 * HOUR);
    await checkBlocklists(env, orgId, raise, T + 3 * HOUR);
    expect(raised).toEqual([
      {
        orgId,
        type: "deliverability.blocklist_detection",
        params: { target: domain, blocklist: "Spamhaus DBL" },
        payload: { domain, blocklist: "dbl.spamhaus.org", codes: ["127.0.1.2"] },
        link: "identities",
        dedupeKey: `${orgId}:deliverability.blocklist_detection:dbl.spamhaus.org:domain:${domain}:${T + 2 * HOUR}`,
      },
    ]);

    await publish(`${domain}.dbl.spamhaus.org`, []);
    await checkBlocklists(env, orgId, raise, T + 4 * HOUR);
    await publish(`${domain}.multi.surbl.org`, ["127.0.0.8"]);
    await publish(`${domain}.dbl.spamhaus.org`, ["127.0.1.4"]);
    await checkBlocklists(env, orgId, raise, T + 4 * HOUR + ALERT_COOLDOWN_MS);
    expect(raised.map((r) => r.params.blocklist).sort()).toEqual(["SURBL", "Spamhaus DBL", "Spamhaus DBL"]);
    await publish(`${domain}.multi.surbl.org`, []);
    await publish(`${domain}.dbl.spamhaus.org`, []);
  });
});
