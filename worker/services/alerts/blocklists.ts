/**
 * Blocklist detection (docs/alerts.md): once a day each sending domain is looked up on domain blocklists
 * through the DNS client (worker/integrations/dns.ts), as mail servers do: an A query for
 * `<domain>.<list zone>`. NXDOMAIN (or no A record) means not listed; a listing answers with a code in
 * the list's listing range. Answers outside it are the list refusing the query (e.g. Spamhaus's
 * 127.255.255.x to public resolvers) and judge nothing. Each listing raises once until the domain is
 * delisted (the alert state per list and domain).
 */
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { listSendingDomains, orgsWithSendingDomains } from "../../db/alerts";
import { lookup } from "../../integrations/dns";
import { AppError } from "../../lib/errors";
import type { RaiseFn } from "./raise";
import { applyObservations, type Observation } from "./state";

export const DOMAIN_BLOCKLISTS = [
  // Spamhaus Domain Blocklist: 127.0.1.2–127.0.1.255 are listings (spam, phish, malware, botnet C&C, abused redirectors…).
  { zone: "dbl.spamhaus.org", name: "Spamhaus DBL", listed: (a: string) => /^127\.0\.1\.\d{1,3}$/.test(a) && a !== "127.0.1.1" },
  // SURBL multi: 127.0.0.x with x a bitmask of its lists (x ≥ 2); 127.0.0.1 means the query was refused.
  { zone: "multi.surbl.org", name: "SURBL", listed: (a: string) => /^127\.0\.0\.\d{1,3}$/.test(a) && Number(a.split(".")[3]) >= 2 },
] as const;

export interface BlocklistsJob {
  kind: "alerts.blocklists";
  orgId: string;
}

/** A domain's status on one list: listed (with the answers), clean, or unknown (the resolver or list did not answer usably). */
async function check(env: Pick<Env, "DNS_RESOLVER_URL">, domain: string, list: (typeof DOMAIN_BLOCKLISTS)[number]): Promise<{ listed: boolean; codes: string[] } | null> {
  try {
    const answer = await lookup(env, `${domain}.${list.zone}`, "A");
    if (answer.outcome !== "found") return { listed: false, codes: [] };
    const codes = answer.values.filter(list.listed);
    return codes.length ? { listed: true, codes } : null;
  } catch (err) {
    if (err instanceof AppError && err.code === "DNS_UNAVAILABLE") return null;
    throw err;
  }
}

export async function checkBlocklists(env: Env, orgId: string, raise: RaiseFn, at: number): Promise<number> {
  const db = getDb(env.DB);
  const observations: Observation[] = [];
  for (const domain of await listSendingDomains(db, orgId)) {
    for (const list of DOMAIN_BLOCKLISTS) {
      const status = await check(env, domain, list);
      if (!status) continue;
      observations.push({
        alertKey: `deliverability.blocklist_detection:${list.zone}`,
        scope: `domain:${domain}`,
        value: status.listed ? 1 : 0,
        threshold: 1,
        eligible: true,
        raise: {
          type: "deliverability.blocklist_detection",
          params: { target: domain, blocklist: list.name },
          payload: { domain, blocklist: list.zone, codes: status.codes },
          link: "identities",
        },
      });
    }
  }
  return applyObservations(db, orgId, observations, raise, at);
}

/** Daily cron: one blocklist job per workspace with sending domains. */
export async function queueBlocklistChecks(env: Env): Promise<number> {
  const orgs = await orgsWithSendingDomains(getDb(env.DB));
  for (const orgId of orgs) {
    const job: BlocklistsJob = { kind: "alerts.blocklists", orgId };
    await env.JOBS_QUEUE.send(job, { contentType: "json" });
  }
  return orgs.length;
}
