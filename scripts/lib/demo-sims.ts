/**
 * The demo's world in the local stand-ins (`npm start`, the e2e instance): its DNS zone in the DNS
 * stand-in, and its channels' configuration sets in the AWS stand-in's demo account (111122223333, whose
 * identities and SendOps stack come from sim/aws/config.ts). The sets are made as the channels service
 * makes them — its own SES calls (worker/services/channels/ses-settings.ts), through the role the demo's
 * connection assumes — so the channel pages' live reads find what the demo's D1 says. Idempotent: a set
 * that exists gets every setting pushed again.
 */
import { AwsError } from "../../worker/aws/common";
import { SesClient } from "../../worker/aws/ses";
import { assumeRole } from "../../worker/aws/sts";
import { createConfigurationSet, SETTING_PUSHES, type ChannelTarget } from "../../worker/services/channels/ses-settings";
import { DEMO_AWS } from "../../worker/services/demo";
import { SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY } from "../../sim/aws/credentials";
import { DEMO_CHANNELS, DEMO_DNS_ZONE } from "./demo-world";

export interface DemoSims {
  /** The AWS stand-in's base URL (the Worker's AWS_ENDPOINT_URL). */
  awsUrl: string;
  /** The DNS stand-in's base URL (its control routes and /dns-query). */
  dnsUrl: string;
}

async function publishZone(dnsUrl: string): Promise<void> {
  for (const record of DEMO_DNS_ZONE) {
    const res = await fetch(`${dnsUrl}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(record) });
    if (!res.ok) throw new Error(`the DNS stand-in refused ${record.type} ${record.name}: ${res.status} ${await res.text()}`);
  }
}

/** The demo's SES, as its connection reaches it: SendOps' own key assumes the demo account's SendOps role. */
async function demoTarget(awsUrl: string): Promise<ChannelTarget> {
  const env = { AWS_ENDPOINT_URL: awsUrl };
  const creds = await assumeRole(env, { accessKeyId: SIM_ACCESS_KEY_ID, secretAccessKey: SIM_SECRET_ACCESS_KEY }, {
    region: DEMO_AWS.region,
    roleArn: DEMO_AWS.roleArn,
    externalId: DEMO_AWS.externalId,
    sessionName: "sendops-demo-seed",
  });
  return { ses: new SesClient(env, creds, DEMO_AWS.region), region: DEMO_AWS.region, account: DEMO_AWS.accountId };
}

async function publishChannels(awsUrl: string): Promise<void> {
  const t = await demoTarget(awsUrl);
  for (const c of DEMO_CHANNELS) {
    try {
      await createConfigurationSet(t, c.configurationSet, c.settings);
    } catch (err) {
      if (!(err instanceof AwsError && err.code === "AlreadyExistsException")) throw err;
    }
    for (const p of SETTING_PUSHES) await p.push(t, c.configurationSet, c.settings);
  }
}

export async function publishDemoWorld(sims: DemoSims): Promise<void> {
  await publishZone(sims.dnsUrl);
  await publishChannels(sims.awsUrl);
}

/** The stand-ins' URLs from the Worker vars `startSims` set (scripts/lib/sims.ts). */
export function demoSimsOf(vars: Record<string, string>): DemoSims {
  if (!vars.AWS_ENDPOINT_URL || !vars.DNS_RESOLVER_URL) throw new Error("the AWS and DNS stand-ins must run for the demo's world");
  return { awsUrl: vars.AWS_ENDPOINT_URL, dnsUrl: new URL(vars.DNS_RESOLVER_URL).origin };
}
