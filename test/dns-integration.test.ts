/**
 * worker/integrations/dns.ts inside workerd against the DNS stand-in the globalSetup started
 * (test/aws-sim-setup.ts): found / none / nxdomain, CNAME chains, long TXT records joined, and a resolver
 * that cannot answer → 503 DNS_UNAVAILABLE with Retry-After. Other test files share that stand-in, so every
 * name here is this file's own.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { lookup } from "../worker/integrations/dns";
import { AppError } from "../worker/lib/errors";

const dnsBase = new URL(env.DNS_RESOLVER_URL).origin;
const zone = "dns-integration.test";

async function publish(name: string, type: string, values: string[]) {
  const res = await fetch(`${dnsBase}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  expect(res.status).toBe(200);
}

describe("lookup() through the DNS-over-HTTPS stand-in", () => {
  it("found: TXT values unquoted, one per record; a long SPF record split into character-strings comes back whole", async () => {
    const spf = `v=spf1 ${Array.from({ length: 20 }, (_, i) => `include:_spf${i}.${zone}`).join(" ")} include:amazonses.com ~all`;
    expect(spf.length).toBeGreaterThan(255);
    await publish(zone, "TXT", [spf, 'google-site-verification=a"b']);
    expect(await lookup(env, zone, "TXT")).toEqual({ outcome: "found", values: [spf, 'google-site-verification=a"b'], aliases: [] });
  });

  it("none when the name exists without the type; nxdomain when it does not exist", async () => {
    await publish(`_dmarc.${zone}`, "TXT", ["v=DMARC1; p=quarantine; rua=mailto:dmarc@dns-integration.test"]);
    expect(await lookup(env, `_dmarc.${zone}`, "MX")).toEqual({ outcome: "none", values: [], aliases: [] });
    expect(await lookup(env, `missing.${zone}`, "TXT")).toEqual({ outcome: "nxdomain", values: [], aliases: [] });
  });

  it("CNAMEs: the record itself for a CNAME question; followed, and reported as aliases, for other types", async () => {
    await publish(`tok1._domainkey.${zone}`, "CNAME", ["tok1.dkim.amazonses.com"]);
    expect(await lookup(env, `TOK1._domainkey.${zone}.`, "CNAME")).toEqual({ outcome: "found", values: ["tok1.dkim.amazonses.com"], aliases: ["tok1.dkim.amazonses.com"] });
    await publish(`track.${zone}`, "CNAME", [`edge.${zone}`]);
    await publish(`edge.${zone}`, "A", ["203.0.113.9"]);
    expect(await lookup(env, `track.${zone}`, "A")).toEqual({ outcome: "found", values: ["203.0.113.9"], aliases: [`edge.${zone}`] });
    await publish(`mail.${zone}`, "MX", ["10 inbound-smtp.us-east-1.amazonaws.com"]);
    expect((await lookup(env, `mail.${zone}`, "MX")).values).toEqual(["10 inbound-smtp.us-east-1.amazonaws.com"]);
  });

  it("a resolver that cannot be reached or answers an error is 503 DNS_UNAVAILABLE with Retry-After", async () => {
    const down = { DNS_RESOLVER_URL: "http://127.0.0.1:9/dns-query" };
    const refused = await lookup(down, zone, "TXT").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "DNS_UNAVAILABLE", status: 503, headers: { "Retry-After": "30" } });
    expect((refused as AppError).message).toContain(`TXT ${zone}`);
    // The stand-in answers 404 on a path that is not its DoH endpoint: not a DNS answer either.
    const notDoh = await lookup({ DNS_RESOLVER_URL: `${dnsBase}/not-dns` }, zone, "TXT").catch((e: unknown) => e);
    expect(notDoh).toMatchObject({ code: "DNS_UNAVAILABLE", status: 503, headers: { "Retry-After": "30" } });
  });

  it("a SERVFAIL answer is DNS_UNAVAILABLE too, not an empty result", async () => {
    const servfail: typeof fetch = async () => new Response(JSON.stringify({ Status: 2 }), { headers: { "content-type": "application/dns-json" } });
    await expect(lookup(env, zone, "TXT", servfail)).rejects.toMatchObject({ code: "DNS_UNAVAILABLE", status: 503, message: expect.stringContaining("error code 2") });
  });
});
