/**
 * Local stand-in for a DNS-over-HTTPS resolver on 127.0.0.1 (the JSON API of cloudflare-dns.com and
 * dns.google): the Worker's DNS checks (worker/integrations/dns.ts) and the SES stand-in's DKIM
 * verification read it; `/__sim/dns/records` edits its records, as a customer would at their DNS provider.
 *
 * Run: `PORT=8053 tsx sim/dns.ts` (`npm start` does, see scripts/lib/sims.ts).
 */
import { pathToFileURL } from "node:url";
import { DnsSim } from "./dns/server";

export { DnsSim, resolve } from "./dns/server";
export { DnsRecords, type RecordSet, type RecordType } from "./dns/records";

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = new DnsSim();
  const url = await sim.listen(Number(process.env.PORT ?? 8053));
  console.log(`DNS stand-in (DNS-over-HTTPS JSON) listening on ${url}/dns-query`);
}
