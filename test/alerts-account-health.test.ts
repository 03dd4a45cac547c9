import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOUR } from "../worker/lib/time";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { runAccountSync } from "../worker/services/setup/account-sync";
import { call, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

const REGION = "eu-west-1";
const T = Date.UTC(2026, 2, 1, 9, 0, 0);

/** A workspace connected to a fresh production account of the AWS stand-in, and a sync that captures raises. */
async function connected() {
  const user = await newUser("acct-health");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId);
  const res = await json(await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }));
  expect(res.status).toBe("connected");
  const raised: RaiseRequest[] = [];
  const sync = (at: number) => runAccountSync(env, { kind: "aws.sync", orgId, actor: null }, at, async (r) => void raised.push(r));
  const setAccount = (body: Record<string, unknown>) => sim(`/accounts/${aws.account}/${REGION}/account`, { method: "PUT", json: body });
  return { orgId, aws, raised, sync, setAccount, of: (type: string) => raised.filter((r) => r.type === type) };
}

describe("SES account health from the account sync", () => {
  it("raises quota approaching at 85 % and quota reached at 100 %, each once", async () => {
    const o = await connected();
    await o.setAccount({ externalSentLast24Hours: 42_499 });
    await o.sync(T);
    expect(o.raised).toEqual([]);
    await o.setAccount({ externalSentLast24Hours: 42_500 });
    await o.sync(T + HOUR);
    await o.sync(T + 2 * HOUR);
    expect(o.of("ses_account_health.sending_quota_approaching")).toMatchObject([
      { orgId: o.orgId, params: { percent: "85%", sent: 42_500, quota: 50_000, region: REGION }, link: "aws-connection", dedupeKey: `${o.orgId}:ses_account_health.sending_quota_approaching:region:${REGION}:${T + HOUR}` },
    ]);
    expect(o.of("ses_account_health.sending_quota_reached")).toEqual([]);
    await o.setAccount({ externalSentLast24Hours: 50_000 });
    await o.sync(T + 3 * HOUR);
    await o.sync(T + 4 * HOUR);
    expect(o.of("ses_account_health.sending_quota_reached")).toHaveLength(1);
    expect(o.of("ses_account_health.sending_quota_approaching")).toHaveLength(1);
  });

  it("raises review/probation from EnforcementStatus once while it lasts", async () => {
    const o = await connected();
    await o.sync(T);
    await o.setAccount({ enforcementStatus: "PROBATION" });
    await o.sync(T + HOUR);
    await o.sync(T + 2 * HOUR);
    expect(o.of("ses_account_health.account_review_probation").map((r) => r.params)).toEqual([{ status: "review (probation)", region: REGION }]);
  });

  it("raises a sandbox status change when ProductionAccessEnabled flips, once per flip", async () => {
    const o = await connected();
    await o.sync(T);
    expect(o.of("ses_account_health.sandbox_status_change")).toEqual([]);
    await o.setAccount({ mode: "sandbox" });
    await o.sync(T + HOUR);
    await o.sync(T + 2 * HOUR);
    await o.setAccount({ mode: "production" });
    await o.sync(T + 3 * HOUR);
    expect(o.of("ses_account_health.sandbox_status_change").map((r) => r.params)).toEqual([
      { region: REGION, status: "in the sandbox", previous: "in production" },
      { region: REGION, status: "in production", previous: "in the sandbox" },
    ]);
  });

  it("raises a config sync failure once per run of failed syncs", async () => {
    const o = await connected();
    const fail = () => sim(`/accounts/${o.aws.account}/faults`, { method: "POST", json: { operation: "GetAccount", code: "AccessDeniedException", status: 403, message: "not allowed" } });
    await fail();
    await o.sync(T);
    await fail();
    await o.sync(T + HOUR);
    expect(o.of("ses_account_health.ses_config_sync_failure")).toHaveLength(1);
    expect(String(o.of("ses_account_health.ses_config_sync_failure")[0]!.params.error)).not.toBe("");
    await o.sync(T + 2 * HOUR);
    await fail();
    await o.sync(T + 9 * HOUR);
    expect(o.of("ses_account_health.ses_config_sync_failure")).toHaveLength(2);
  });
});
