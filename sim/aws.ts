/**
 * Local stand-in for AWS on 127.0.0.1, in the real wire formats of /work/shared/aws/: STS (AssumeRole,
 * GetCallerIdentity), SES v2 (account, identities, configuration sets, event destinations, contact
 * lists, suppression list, SendEmail with its events), EventBridge (rules, targets, API destinations,
 * connections; the default bus delivers to API destinations) and CloudFormation (stacks of IAM roles,
 * SES configuration sets and EventBridge resources). Modules under sim/aws/; docs/aws.md "The local
 * stand-in" describes the whole.
 *
 * Run: `PORT=4566 tsx sim/aws.ts` (`npm start` does, see scripts/lib/sims.ts). Configuration: the
 * defaults in sim/aws/config.ts, overridden by AWS_SIM_CONFIG (inline JSON, or the path of a JSON
 * file). `/__sim/…` (not AWS) lets tests set up and inspect state; see sim/aws/control.ts.
 */
import { pathToFileURL } from "node:url";
import { loadConfig } from "./aws/config";
import { AwsSim } from "./aws/server";

export { AwsSim, type AwsSimOptions } from "./aws/server";
export {
  DEFAULT_CONFIG,
  SIM_ACCESS_KEY_ID,
  SIM_DEMO_ACCOUNT,
  SIM_SECRET_ACCESS_KEY,
  SIM_SENDOPS_ACCOUNT,
  SIM_TEST_ACCESS_KEY_ID,
  SIM_TEST_SECRET_ACCESS_KEY,
  type AwsSimConfig,
  type SimAccount,
  type SimCredential,
  type SimRole,
} from "./aws/config";

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = new AwsSim(loadConfig(), { dnsResolverUrl: process.env.DNS_RESOLVER_URL });
  const url = await sim.listen(Number(process.env.PORT ?? 4566));
  console.log(`AWS stand-in (STS, SES v2, EventBridge, CloudFormation) listening on ${url}`);
}
