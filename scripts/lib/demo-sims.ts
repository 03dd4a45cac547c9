/**
 * The demo's world in the local stand-ins (`npm start`, the e2e instance), which start empty: its DNS zone
 * in the DNS stand-in; in the AWS stand-in's demo account (111122223333, whose SendOps stack comes from
 * sim/aws/config.ts) its identities with their fixed DKIM tokens and configuration sets, the set its
 * administrator made in the console, and its channels' configuration sets. Those are made as the
 * channels service makes them — its own SES calls (worker/services/channels/ses-settings.ts), through the
 * role the demo's connection assumes — so the channel pages' live reads find what the demo's D1 says.
 * Idempotent: what exists is replaced, or gets every setting pushed again.
 */
import { AwsError } from "../../worker/aws/common";
import { SesClient } from "../../worker/aws/ses";
import { assumeRole } from "../../worker/aws/sts";
import { createConfigurationSet, SETTING_PUSHES, type ChannelTarget } from "../../worker/services/channels/ses-settings";
import { DEMO_AWS } from "../../worker/services/demo";
import { SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY, SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "../../sim/aws/credentials";
import { channelOfIdentity, DEMO_CHANNELS, DEMO_DISCOVERED_CHANNEL, DEMO_DNS_ZONE, DEMO_IDENTITIES, DEMO_TRACKING_DOMAIN, UNMANAGED_FROM } from "./demo-world";

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

const existing = (err: unknown) => {
  if (!(err instanceof AwsError && err.code === "AlreadyExistsException")) throw err;
};

async function publishChannels(awsUrl: string): Promise<void> {
  const t = await demoTarget(awsUrl);
  for (const c of DEMO_CHANNELS) {
    await createConfigurationSet(t, c.configurationSet, c.settings).catch(existing);
    for (const p of SETTING_PUSHES) await p.push(t, c.configurationSet, c.settings);
  }
  // The account's own administrator (the stand-in's test key for this account) made this one in the console.
  const admin = new SesClient({ AWS_ENDPOINT_URL: awsUrl }, { accessKeyId: SIM_TEST_ACCESS_KEY_ID, secretAccessKey: SIM_TEST_SECRET_ACCESS_KEY }, DEMO_AWS.region);
  await admin.createConfigurationSet({ name: DEMO_DISCOVERED_CHANNEL.configurationSet }).catch(existing);
}

/** SES mints new DKIM tokens for a new identity; the stand-in's control route takes the demo's fixed ones (those in its D1). */
async function publishIdentities(awsUrl: string): Promise<void> {
  const identities = [
    ...DEMO_IDENTITIES.map((i) => ({ identity: i.identity, status: i.status, configurationSetName: channelOfIdentity(i).configurationSet, ...(i.kind === "domain" ? { dkimTokens: i.dkimTokens } : {}) })),
    { identity: DEMO_TRACKING_DOMAIN.subdomain, dkimTokens: DEMO_TRACKING_DOMAIN.dkimTokens },
    { identity: UNMANAGED_FROM.domain },
  ];
  for (const body of identities) {
    const res = await fetch(`${awsUrl}/__sim/accounts/${DEMO_AWS.accountId}/${DEMO_AWS.region}/identities`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`the AWS stand-in refused the identity ${body.identity}: ${res.status} ${await res.text()}`);
  }
}

export async function publishDemoWorld(sims: DemoSims): Promise<void> {
  await publishZone(sims.dnsUrl);
  await publishChannels(sims.awsUrl);
  await publishIdentities(sims.awsUrl);
}

/** The stand-ins' URLs from the Worker vars `startSims` set (scripts/lib/sims.ts). */
export function demoSimsOf(vars: Record<string, string>): DemoSims {
  if (!vars.AWS_ENDPOINT_URL || !vars.DNS_RESOLVER_URL) throw new Error("the AWS and DNS stand-ins must run for the demo's world");
  return { awsUrl: vars.AWS_ENDPOINT_URL, dnsUrl: new URL(vars.DNS_RESOLVER_URL).origin };
}
