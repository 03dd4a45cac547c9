import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../worker/db/audit";
import { METRICS, type Metric } from "../worker/lib/metrics";
import { DAY, HOUR } from "../worker/lib/time";
import { ALERT_COOLDOWN_MS } from "../worker/lib/alert-thresholds";
import { evaluateOrg, queueAlertEvaluations } from "../worker/services/alerts/evaluate";
import { raiseIn, type RaiseRequest } from "../worker/services/alerts/raise";
import { saveChannelThresholds } from "../worker/services/alerts/thresholds";
import { listOrgNotifications } from "../worker/db/notifications";
import { channelIdOf, newIngestOrg } from "./ingest-helpers";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";
import type { Env } from "../worker/env";

/** A fixed, hour-aligned clock far from the real one (the real jobs queue never evaluates these orgs). */
const T = Date.UTC(2026, 0, 15, 12, 0, 0);

function capture() {
  const raised: RaiseRequest[] = [];
  return { raised, raise: async (r: RaiseRequest) => void raised.push(r), of: (type: string) => raised.filter((r) => r.type === type) };
}

const noPause = async () => {
  throw new Error("no channel opted in to auto-pause");
};

/** Adds counts to a channel's hour bucket and to its day (the rollups hold both, as ingest writes them). */
async function addCounts(orgId: string, channelId: string, at: number, counts: Partial<Record<Metric, number>>) {
  const cols = Object.keys(counts).map((m) => METRICS[m as Metric].column);
  const vals = Object.values(counts);
  for (const [size, start] of [
    ["hour", Math.floor(at / HOUR) * HOUR],
    ["day", Math.floor(at / DAY) * DAY],
  ] as const) {
    await env.DB.prepare(
      `INSERT INTO rollup_totals (org_id, bucket_size, bucket_start, channel_id, ${cols.join(", ")}) VALUES (?, ?, ?, ?, ${cols.map(() => "?").join(", ")})
       ON CONFLICT DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
    )
      .bind(orgId, size, start, channelId, ...vals)
      .run();
  }
}

const stateOf = (orgId: string, alertKey: string, scope: string) =>
  env.DB.prepare("SELECT state, since, last_value, last_raised_at FROM alert_states WHERE org_id = ? AND alert_key = ? AND scope = ?").bind(orgId, alertKey, scope).first();

async function org(channels = ["acme-transactional"]) {
  const orgId = await newIngestOrg({ channels });
  return { orgId, channel: channelIdOf(orgId, channels[0]!) };
}

describe("bounce and complaint rate thresholds", () => {
  it("raises nothing just below 5 % and one alert per scope at exactly 5 %", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 49 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    expect(c.of("deliverability.bounce_rate_threshold")).toEqual([]);

    await addCounts(o.orgId, o.channel, T - HOUR, { softBounces: 1 });
    await evaluateOrg(env, o.orgId, c.raise, T + 60_000, noPause);
    const raised = c.of("deliverability.bounce_rate_threshold");
    expect(raised.map((r) => r.payload?.scope).sort()).toEqual([`channel:${o.channel}`, "workspace"]);
    expect(raised.find((r) => r.payload?.scope === "workspace")).toMatchObject({
      orgId: o.orgId,
      params: { rate: "5%", scope: "the workspace", window: "24 hours", bounces: 50, sends: 1000, threshold: "5%" },
      dedupeKey: `${o.orgId}:deliverability.bounce_rate_threshold:workspace:${T + 60_000}`,
    });
    expect(c.of("channel_events.channel_health_degraded")).toHaveLength(1);
  });

  it("judges no rate under the minimum volume: 50 bounces in 99 sends page nobody", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 99, hardBounces: 50, deliveries: 99, complaints: 10 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    expect(c.raised).toEqual([]);
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1 });
    await evaluateOrg(env, o.orgId, c.raise, T + 60_000, noPause);
    expect(c.of("deliverability.bounce_rate_threshold")).toHaveLength(2);
    // Complaints are over deliveries: 99 deliveries are still under the guard.
    expect(c.of("deliverability.complaint_rate_threshold")).toEqual([]);
  });

  it("judges complaints over deliveries at the 0.1 % default", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - 2 * HOUR, { sends: 5000, deliveries: 3000, complaints: 2 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    expect(c.of("deliverability.complaint_rate_threshold")).toEqual([]);
    await addCounts(o.orgId, o.channel, T - 2 * HOUR, { complaints: 1 });
    await evaluateOrg(env, o.orgId, c.raise, T + 1000, noPause);
    expect(c.of("deliverability.complaint_rate_threshold").map((r) => r.params.rate)).toEqual(["0.1%", "0.1%"]);
  });

  it("applies a channel's overrides to that channel only", async () => {
    const o = await org(["acme-marketing", "acme-transactional"]);
    const other = channelIdOf(o.orgId, "acme-transactional");
    const owner = { orgId: o.orgId, name: "o", slug: "o", isDemo: false, plan: "business" as const, role: "owner" as const, actor: { userId: null, name: "T", email: "t@example.test" } };
    await saveChannelThresholds(db(), owner, o.channel, { bounce: { warning: 2, critical: 4 } }, T);
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 30 });
    await addCounts(o.orgId, other, T - HOUR, { sends: 1000, hardBounces: 30 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    expect(c.of("deliverability.bounce_rate_threshold").map((r) => [r.payload?.scope, r.params.threshold])).toEqual([[`channel:${o.channel}`, "2%"]]);
  });
});

describe("once per breach", () => {
  it("raises one alert across many evaluations, re-arms below 80 % of the threshold, and respects the cooldown", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 60 });
    const c = capture();
    for (let i = 0; i < 10; i++) await evaluateOrg(env, o.orgId, c.raise, T + i * 60_000, noPause);
    const workspace = () => c.of("deliverability.bounce_rate_threshold").filter((r) => r.payload?.scope === "workspace");
    expect(workspace()).toHaveLength(1);

    // 4.5 %: under the threshold but above 80 % of it, so the alert stays firing.
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 333 });
    await evaluateOrg(env, o.orgId, c.raise, T + 20 * 60_000, noPause);
    expect(await stateOf(o.orgId, "deliverability.bounce_rate_threshold", "workspace")).toMatchObject({ state: "firing", since: T, last_raised_at: T });
    await addCounts(o.orgId, o.channel, T - HOUR, { hardBounces: 30 });
    await evaluateOrg(env, o.orgId, c.raise, T + 21 * 60_000, noPause);
    expect(workspace()).toHaveLength(1);

    // 3.6 %: re-armed. A new breach inside the cooldown is recorded, not raised.
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1167 });
    await evaluateOrg(env, o.orgId, c.raise, T + 30 * 60_000, noPause);
    expect(await stateOf(o.orgId, "deliverability.bounce_rate_threshold", "workspace")).toMatchObject({ state: "ok", since: T + 30 * 60_000, last_value: 3.6 });
    await addCounts(o.orgId, o.channel, T - HOUR, { hardBounces: 60 });
    await evaluateOrg(env, o.orgId, c.raise, T + 40 * 60_000, noPause);
    expect(workspace()).toHaveLength(1);

    // Recovered again, and breached after the cooldown: a second alert, with its own dedupe key.
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 3000 });
    await evaluateOrg(env, o.orgId, c.raise, T + ALERT_COOLDOWN_MS, noPause);
    await addCounts(o.orgId, o.channel, T - HOUR, { hardBounces: 300 });
    const later = T + ALERT_COOLDOWN_MS + 60_000;
    await evaluateOrg(env, o.orgId, c.raise, later, noPause);
    expect(workspace().map((r) => r.dedupeKey)).toEqual([
      `${o.orgId}:deliverability.bounce_rate_threshold:workspace:${T}`,
      `${o.orgId}:deliverability.bounce_rate_threshold:workspace:${later}`,
    ]);
  });

  it("releases the breach when the raise fails, so the next evaluation raises it", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 80 });
    await expect(
      evaluateOrg(env, o.orgId, async () => {
        throw new Error("notification store unavailable");
      }, T, noPause),
    ).rejects.toThrow("unavailable");
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T + 60_000, noPause);
    expect(c.of("deliverability.bounce_rate_threshold")).toHaveLength(2);
  });

  it("the raise stores each raised request once per dedupe key in notifications", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 80 });
    // raiseIn: productionRaise on the database, without the delivery job.
    const raise = raiseIn(db(), () => T);
    await evaluateOrg(env, o.orgId, raise, T, noPause);
    const rows = await listOrgNotifications(db(), o.orgId);
    expect(rows.map((r) => r.type).sort()).toEqual(["channel_events.channel_health_degraded", "deliverability.bounce_rate_threshold", "deliverability.bounce_rate_threshold"]);
    await raise({ orgId: o.orgId, type: "deliverability.bounce_rate_threshold", params: {}, dedupeKey: rows[0]!.dedupeKey });
    expect(await listOrgNotifications(db(), o.orgId)).toHaveLength(3);
  });
});

describe("trends and suppression growth", () => {
  it("raises a trend when the rate at least doubles over the guard, and not from noise", async () => {
    const o = await org();
    await addCounts(o.orgId, o.channel, T - 30 * HOUR, { sends: 1000, hardBounces: 13 });
    await addCounts(o.orgId, o.channel, T - HOUR, { sends: 1000, hardBounces: 25 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    // 1.3 % → 2.5 %: not yet twice.
    expect(c.of("deliverability.bounce_rate_trend")).toEqual([]);
    await addCounts(o.orgId, o.channel, T - HOUR, { hardBounces: 1 });
    await evaluateOrg(env, o.orgId, c.raise, T + 1000, noPause);
    expect(c.of("deliverability.bounce_rate_trend").map((r) => [r.payload?.scope, r.params.previous, r.params.rate])).toEqual([
      ["workspace", "1.3%", "2.6%"],
      [`channel:${o.channel}`, "1.3%", "2.6%"],
    ]);
    expect(c.of("deliverability.bounce_rate_threshold")).toEqual([]);
  });

  it("raises a suppression spike when a day's additions reach 3× the usual and at least 25", async () => {
    const o = await org();
    const add = (n: number, at: number, tag: string) =>
      env.DB.batch(
        Array.from({ length: n }, (_, i) =>
          env.DB.prepare("INSERT INTO suppressed_destinations (org_id, email, reason, last_update_time, sync_generation) VALUES (?, ?, 'BOUNCE', ?, 1)").bind(o.orgId, `${tag}${i}@example.net`, at),
        ),
      );
    await add(70, T - 3 * DAY, "old"); // usual: 10 a day → threshold 30
    await add(29, T - HOUR, "new");
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T, noPause);
    expect(c.of("deliverability.suppression_list_growth_spike")).toEqual([]);
    await add(1, T - HOUR, "more");
    await evaluateOrg(env, o.orgId, c.raise, T + 1000, noPause);
    expect(c.of("deliverability.suppression_list_growth_spike").map((r) => r.params)).toEqual([{ added: 30, window: "24 hours", usual: "10 a day" }]);
  });
});

describe("triggering", () => {
  it("queues at most one delayed evaluation per workspace per minute", async () => {
    const o = await org();
    const sent: unknown[] = [];
    const jobsEnv = { ...env, JOBS_QUEUE: { send: async (body: unknown, opts: unknown) => void sent.push([body, opts]) } } as unknown as Env;
    expect(await queueAlertEvaluations(jobsEnv, [o.orgId, o.orgId], T)).toBe(1);
    expect(await queueAlertEvaluations(jobsEnv, [o.orgId], T + 59_999)).toBe(0);
    expect(await queueAlertEvaluations(jobsEnv, [o.orgId], T + 60_000)).toBe(1);
    expect(sent).toEqual([
      [{ kind: "alerts.evaluate", orgId: o.orgId }, { contentType: "json", delaySeconds: 60 }],
      [{ kind: "alerts.evaluate", orgId: o.orgId }, { contentType: "json", delaySeconds: 60 }],
    ]);
  });
});

describe("auto-pause", () => {
  const REGION = "eu-west-1";
  async function connectedChannel(autoPause: boolean) {
    const user = await newUser("autopause");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
    const aws = await newAwsAccount(externalId);
    await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } });
    const created = await json(await call(`/api/orgs/${orgId}/channels`, { method: "POST", cookie: user.cookie, body: { name: `Promo ${autoPause}`, purpose: "marketing" } }));
    const ch = created.channel;
    if (autoPause) {
      const res = await call(`/api/orgs/${orgId}/channels/${ch.id}/settings`, { method: "PATCH", cookie: user.cookie, body: { autoPause: true } });
      expect((await json(res)).channel.settings.autoPause).toBe(true);
    }
    const sendingEnabled = async () =>
      ((await sim(`/accounts/${aws.account}/${REGION}`)).configurationSets as any[]).find((s) => s.ConfigurationSetName === ch.configurationSetName).SendingOptions;
    return { orgId, ch, sendingEnabled };
  }

  it("disables sending in SES, audits it as SendOps and raises channel_paused once, at the critical level", async () => {
    const o = await connectedChannel(true);
    await addCounts(o.orgId, o.ch.id, T - HOUR, { sends: 1000, hardBounces: 99 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T);
    expect(c.of("channel_events.channel_paused")).toEqual([]);
    expect(await o.sendingEnabled()).toEqual({ SendingEnabled: true });

    await addCounts(o.orgId, o.ch.id, T - HOUR, { hardBounces: 1 });
    await evaluateOrg(env, o.orgId, c.raise, T + 60_000);
    await evaluateOrg(env, o.orgId, c.raise, T + 120_000);
    expect(await o.sendingEnabled()).toEqual({ SendingEnabled: false });
    const paused = c.of("channel_events.channel_paused");
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({
      params: { channel: o.ch.name, metric: "bounce rate", rate: "10%", sends: 1000, threshold: "10%" },
      payload: { paused: true, configurationSet: o.ch.configurationSetName },
      link: `channels/${o.ch.id}`,
    });
    const audit = (await listAuditEntries(db(), { orgId: o.orgId, since: 0, resourceType: "channel", limit: 20 })).find((e) => e.operation === "auto_paused");
    expect(audit).toMatchObject({ actorUserId: null, actorName: "SendOps", beforeJson: JSON.stringify({ sendingEnabled: true }), afterJson: JSON.stringify({ sendingEnabled: false }) });
    expect(audit!.summary).toContain("past the 10% critical level");
  });

  it("leaves a channel that did not opt in sending", async () => {
    const o = await connectedChannel(false);
    await addCounts(o.orgId, o.ch.id, T - HOUR, { sends: 1000, hardBounces: 500 });
    const c = capture();
    await evaluateOrg(env, o.orgId, c.raise, T);
    expect(c.of("channel_events.channel_paused")).toEqual([]);
    expect(c.of("channel_events.channel_health_degraded")).toHaveLength(1);
    expect(await o.sendingEnabled()).toEqual({ SendingEnabled: true });
  });
});
