import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { Env } from "../worker/env";
import type { OrgContext } from "../worker/context";
import { call, insertOrgWithMember, json, newUser, type TestUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

export const api = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;

let n = 0;
/** A domain no other test uses (the DNS stand-in is shared by every test file). */
export const uniqueDomain = (label: string) => `${label}-${Date.now().toString(36)}${++n}.test`;

/** A workspace whose Owner connected a fresh AWS account (production mode) in `region`. */
export async function connectedOrg(region = "eu-west-1"): Promise<{ user: TestUser; orgId: string; account: string; region: string; org: Pick<OrgContext, "orgId" | "actor"> }> {
  const user = await newUser("identities");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId);
  await sim(`/accounts/${aws.account}/${region}/account`, { method: "PUT", json: { mode: "production" } });
  const res = await json(await call(api(orgId, "/aws-connection"), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region } }));
  expect(res.status).toBe("connected");
  return { user, orgId, account: aws.account, region, org: { orgId, actor: { userId: user.id, name: "Test User", email: user.email } } };
}

/** The SES identity as the stand-in holds it (GetEmailIdentity's shape), or undefined. */
export async function sesIdentity(account: string, region: string, identity: string) {
  const state = await sim<{ identities: { identity: string; status: string; ConfigurationSetName?: string; DkimAttributes: { Tokens: string[]; Status: string } }[] }>(
    `/accounts/${account}/${region}`,
  );
  return state.identities.find((i) => i.identity === identity);
}

/** Publishes (or, with no values, removes) a record set in the DNS stand-in, as a customer would at their DNS provider. */
export async function putDns(name: string, type: "TXT" | "CNAME" | "A", values: string[]) {
  const res = await fetch(`${new URL(env.DNS_RESOLVER_URL).origin}/__sim/dns/records`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, type, values }),
  });
  if (!res.ok) throw new Error(`dns sim: ${res.status} ${await res.text()}`);
}

/** Publishes every record the Identities page recommends for a domain. */
export async function publishRecords(records: { type: "CNAME" | "TXT"; name: string; value: string }[]) {
  for (const r of records) await putDns(r.name, r.type, [r.value]);
}

/** The real bindings with JOBS_QUEUE replaced by a recorder: what a service queued, without running it. */
export function recordingEnv(): { env: Env; jobs: unknown[] } {
  const jobs: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: unknown }>) => void jobs.push(...[...messages].map((m) => m.body)),
  } as unknown as Queue;
  return { env: { ...(env as Env), JOBS_QUEUE: queue }, jobs };
}
