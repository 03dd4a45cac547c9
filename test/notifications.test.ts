import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Env } from "../worker/env";
import { listAuditEntries } from "../worker/db/audit";
import { listDeliveries } from "../worker/db/notifications";
import { BUILT_IN_PRESETS, DEFAULT_PREFERENCES } from "../worker/lib/notification-preferences";
import { NOTIFICATION_TYPES } from "../worker/lib/notification-types";
import { runNotificationDelivery } from "../worker/services/notifications/deliver";
import { raiseDepsOf, raiseNotification, type NotificationDeliverJob } from "../worker/services/notifications/raise";
import { checkSlackWebhookUrl } from "../worker/services/notifications/slack";
import { DEMO_ORG_ID } from "../worker/services/demo";
import { call, db, insertMembership, json, newUser, newWorkspace, type TestUser } from "./helpers";
import { recordingEnv } from "./identities-helpers";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws/credentials";

const SLACK_URL = inject("slackSimUrl");
const api = (orgId: string, path: string) => `/api/orgs/${orgId}${path}`;

async function workspaceWith(roles: Record<string, string>) {
  const owner = await newUser("ntf-owner", "Olivia Owner");
  const ws = await newWorkspace(owner, `Notify ${Date.now().toString(36)}`);
  const members: Record<string, TestUser> = { owner };
  for (const [label, role] of Object.entries(roles)) {
    members[label] = await newUser(`ntf-${label}`, `${label} member`);
    await insertMembership(ws.id, members[label]!.id, role);
  }
  return { ws, members };
}

async function setPrefs(user: TestUser, orgId: string, changes: { type: string; channel: string; enabled: boolean }[]) {
  const res = await call(api(orgId, "/notifications/preferences"), { method: "PATCH", cookie: user.cookie, body: { changes } });
  expect(res.status).toBe(200);
  return json(res);
}

async function inboxOf(user: TestUser, orgId: string, query = "") {
  const res = await call(api(orgId, `/notifications/inbox${query}`), { cookie: user.cookie });
  expect(res.status).toBe(200);
  return json(res);
}

const allOff = (type: string) => ["in_app", "email", "slack"].map((channel) => ({ type, channel, enabled: false }));

const slackSim = <T>(path: string, init?: RequestInit) => fetch(`${SLACK_URL}${path}`, init).then((r) => r.json() as Promise<T>);

describe("raiseNotification", () => {
  it("renders title and body from the catalogue, stores once per dedupe key and queues one delivery job", async () => {
    const { ws } = await workspaceWith({});
    const { env: recEnv, jobs } = recordingEnv();
    const req = {
      orgId: ws.id,
      type: "deliverability.bounce_rate_threshold" as const,
      params: { scope: "example.com", rate: "6.2%", window: "1 hour", bounces: 62, sends: 1000, threshold: "5%" },
      payload: { metric: "bounce_rate", current_value: 6.2 },
      dedupeKey: "bounce:example.com:1",
    };
    const first = await raiseNotification(raiseDepsOf(recEnv), req, 1_000);
    expect(first.created).toBe(true);
    expect(first.notification).toMatchObject({
      type: "deliverability.bounce_rate_threshold",
      severity: NOTIFICATION_TYPES["deliverability.bounce_rate_threshold"].severity,
      title: "Bounce rate 6.2% on example.com",
      link: "reports",
      createdAt: 1_000,
      payload: { scope: "example.com", metric: "bounce_rate", current_value: 6.2 },
    });
    expect(first.notification.body).toContain("(62 bounces in 1000 sends), above the 5% threshold");
    expect(first.notification.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(jobs).toEqual([{ kind: "notification.deliver", notificationId: first.notification.id }]);

    const again = await raiseNotification(raiseDepsOf(recEnv), { ...req, params: { ...req.params, rate: "9%" } }, 2_000);
    expect(again.created).toBe(false);
    expect(again.notification.id).toBe(first.notification.id);
    expect(again.notification.title).toBe("Bounce rate 6.2% on example.com");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE org_id = ?").bind(ws.id).first<{ n: number }>();
    expect(rows?.n).toBe(1);
    const inbox = await env.DB.prepare("SELECT count(*) AS n FROM notification_inbox WHERE notification_id = ?").bind(first.notification.id).first<{ n: number }>();
    expect(inbox?.n).toBe(1);
    // The owner's email delivery (error ≥ warning) is still pending: the retried raise queues its job again.
    expect(jobs).toHaveLength(2);
  });

  it("routes by each member's preferences and the defaults; always-delivered types reach Owners and Org Admins whatever they chose", async () => {
    const { ws, members } = await workspaceWith({ admin: "org_admin", dev: "developer", viewer: "viewer" });
    const { owner, admin, dev } = members as Record<string, TestUser>;
    for (const u of [owner!, admin!, dev!]) await setPrefs(u, ws.id, [...allOff("billing.payment_failed"), ...allOff("channel_events.channel_created")]);
    const { env: recEnv } = recordingEnv();

    const billing = await raiseNotification(raiseDepsOf(recEnv), { orgId: ws.id, type: "billing.payment_failed", params: { amount: "$20.00", reason: "card declined" } }, 5_000);
    const recipients = async (id: string) =>
      (await env.DB.prepare("SELECT user_id FROM notification_inbox WHERE notification_id = ?").bind(id).all<{ user_id: string }>()).results.map((r) => r.user_id).sort();
    const emails = async (id: string) => (await listDeliveries(db(), id)).filter((d) => d.channel === "email").map((d) => d.recipient).sort();
    // Owner and Org Admin turned it off and still get it; the Developer's off is respected; the Viewer follows the defaults.
    expect(await recipients(billing.notification.id)).toEqual([owner!.id, admin!.id, members.viewer!.id].sort());
    expect(await emails(billing.notification.id)).toEqual([owner!.id, admin!.id, members.viewer!.id].sort());

    const info = await raiseNotification(raiseDepsOf(recEnv), { orgId: ws.id, type: "channel_events.channel_created", params: { channel: "news", actor: "Ann", configurationSet: "news" } }, 6_000);
    // Not always-delivered: only the Viewer (defaults: in-app for all, email from warning up) gets it, in-app only.
    expect(await recipients(info.notification.id)).toEqual([members.viewer!.id]);
    expect(await emails(info.notification.id)).toEqual([]);
  });
});

describe("the notification.deliver job", () => {
  it("emails each recipient through SendOps' mailer (the AWS stand-in's outbox) with severity, title, body and an absolute link", async () => {
    const { ws, members } = await workspaceWith({});
    const { env: recEnv, jobs } = recordingEnv();
    const { notification } = await raiseNotification(
      raiseDepsOf(recEnv),
      { orgId: ws.id, type: "channel_events.channel_paused", params: { channel: "marketing", metric: "Complaint rate", rate: "0.6%", sends: 4000, threshold: "0.5%" }, link: "channels/ch_9" },
      Date.now(),
    );
    await runNotificationDelivery(env as Env, jobs[0] as NotificationDeliverJob, Date.now());
    const { mails } = await fetch(`${env.AWS_ENDPOINT_URL}/__sim/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`).then((r) => r.json() as Promise<{ mails: { to: string[]; subject: string; text: string; html: string }[] }>);
    // The owner's mailbox also holds the sign-up's verification mail.
    const subject = `[Critical] Channel marketing paused — ${ws.name}`;
    const mail = mails.find((m) => m.to[0] === members.owner!.email && m.subject === subject);
    expect(mail, "the notification mail").toBeDefined();
    expect(mail?.text).toContain(notification.body);
    expect(mail?.text).toContain(`Open in SendOps: ${new URL(`/w/${ws.slug}/channels/ch_9`, env.APP_URL)}`);
    expect(mail?.html).toContain(`href="${new URL(`/w/${ws.slug}/channels/ch_9`, env.APP_URL)}"`);
    expect((await listDeliveries(db(), notification.id)).map((d) => [d.channel, d.status, d.attempts])).toEqual([["email", "sent", 1]]);
    // A second run (a redelivered job) sends nothing again.
    await runNotificationDelivery(env as Env, jobs[0] as NotificationDeliverJob, Date.now());
    const after = await fetch(`${env.AWS_ENDPOINT_URL}/__sim/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`).then((r) => r.json() as Promise<{ mails: { to: string[]; subject: string }[] }>);
    expect(after.mails.filter((m) => m.to[0] === members.owner!.email && m.subject === subject)).toHaveLength(1);
  });

  it("records email as skipped, without retrying, when this deployment sends no mail", async () => {
    const { ws } = await workspaceWith({});
    const { env: recEnv, jobs } = recordingEnv();
    const { notification } = await raiseNotification(raiseDepsOf(recEnv), { orgId: ws.id, type: "billing.invoice_overdue", params: { invoice: "INV-1", amount: "$5", due: "May 1" } });
    await runNotificationDelivery({ ...(env as Env), MAILER_FROM: "" }, jobs[0] as NotificationDeliverJob);
    const [delivery] = await listDeliveries(db(), notification.id);
    expect(delivery).toMatchObject({ channel: "email", status: "skipped", attempts: 1 });
    expect(delivery!.detail).toContain("MAILER_FROM");
  });

  it("posts to the workspace's Slack webhook in Slack's format; Slack's refusal is recorded, a Slack outage retried", async () => {
    const { ws, members } = await workspaceWith({});
    const path = `/services/T0NTF${Date.now().toString(36).toUpperCase()}/B0001/secret123`;
    const saved = await call(api(ws.id, "/integrations/slack"), { method: "PUT", cookie: members.owner!.cookie, body: { webhookUrl: `${SLACK_URL}${path}` } });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toMatchObject({ connected: true, webhookUrlHint: `${SLACK_URL}${path.replace("secret123", "••••")}` });
    const { env: recEnv, jobs } = recordingEnv();
    const raise = (n: number) =>
      raiseNotification(raiseDepsOf(recEnv), { orgId: ws.id, type: "ses_account_health.ses_config_sync_failure", params: { error: `AccessDenied #${n}` }, dedupeKey: `sync-${n}` });

    const { notification } = await raise(1);
    await runNotificationDelivery(env as Env, jobs.at(-1) as NotificationDeliverJob);
    const { messages } = await slackSim<{ messages: { body: any }[] }>(`/__sim/slack/messages?path=${encodeURIComponent(path)}`);
    expect(messages).toHaveLength(1);
    const body = messages[0]!.body;
    expect(body.text).toBe("[Error] SES configuration sync failed");
    expect(body.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "SES configuration sync failed", emoji: true } });
    expect(body.blocks[1].text.text).toBe(notification.body);
    expect(body.blocks[2].elements[0].text).toContain("*Error*");
    expect(body.blocks[3].elements[0]).toMatchObject({ type: "button", url: new URL(`/w/${ws.slug}/aws-connection`, env.APP_URL).toString() });

    // Slack says the webhook is gone: recorded as failed with Slack's code, not retried.
    await slackSim(`/__sim/slack/failures`, { method: "PUT", body: JSON.stringify({ path, status: 404, error: "no_service" }) });
    const second = await raise(2);
    await runNotificationDelivery(env as Env, jobs.at(-1) as NotificationDeliverJob);
    const slack2 = (await listDeliveries(db(), second.notification.id)).find((d) => d.channel === "slack");
    expect(slack2).toMatchObject({ status: "failed", attempts: 1, detail: "Slack answered 404 no_service" });

    // A Slack-side error is tried again (the job throws so the queue retries) until the last attempt.
    await slackSim(`/__sim/slack/failures`, { method: "PUT", body: JSON.stringify({ path, status: 500, error: "rollup_error" }) });
    const third = await raise(3);
    const job = jobs.at(-1) as NotificationDeliverJob;
    await expect(runNotificationDelivery(env as Env, job)).rejects.toThrow("rollup_error");
    expect((await listDeliveries(db(), third.notification.id)).find((d) => d.channel === "slack")).toMatchObject({ status: "pending", attempts: 1 });
    await expect(runNotificationDelivery(env as Env, job)).rejects.toThrow("rollup_error");
    await runNotificationDelivery(env as Env, job);
    expect((await listDeliveries(db(), third.notification.id)).find((d) => d.channel === "slack")).toMatchObject({ status: "failed", attempts: 3 });
    await slackSim(`/__sim/slack/failures`, { method: "DELETE" });
  });
});

describe("Connections → Integrations → Slack", () => {
  it("accepts only Slack's incoming-webhook URLs in production; loopback only in development", () => {
    const prod = { ENVIRONMENT: "production" };
    expect(checkSlackWebhookUrl(prod, "https://hooks.slack.com/services/T000/B000/XXXX").hostname).toBe("hooks.slack.com");
    for (const bad of [
      "http://127.0.0.1:8054/services/T000/B000/XXXX",
      "http://hooks.slack.com/services/T000/B000/XXXX",
      "https://hooks.slack.com.evil.test/services/T000/B000/XXXX",
      "https://hooks.slack.com/api/chat.postMessage",
      "https://user:pw@hooks.slack.com/services/T000/B000/XXXX",
      "not a url",
    ]) {
      expect(() => checkSlackWebhookUrl(prod, bad), bad).toThrow(/webhookUrl/);
    }
    expect(checkSlackWebhookUrl({ ENVIRONMENT: "development" }, "http://127.0.0.1:8054/services/T000/B000/XXXX").port).toBe("8054");
    expect(() => checkSlackWebhookUrl({ ENVIRONMENT: "development" }, "http://10.0.0.5/services/T000/B000/XXXX")).toThrow(/webhookUrl/);
  });

  it("saves, sends a test message, reports Slack's refusal, removes; audited; Owners and Org Admins only", async () => {
    const { ws, members } = await workspaceWith({ dev: "developer" });
    const path = `/services/T0TST${Date.now().toString(36).toUpperCase()}/B0002/abc`;
    const owner = members.owner!;
    expect((await call(api(ws.id, "/integrations/slack"), { method: "PUT", cookie: members.dev!.cookie, body: { webhookUrl: `${SLACK_URL}${path}` } })).status).toBe(403);
    const bad = await call(api(ws.id, "/integrations/slack"), { method: "PUT", cookie: owner.cookie, body: { webhookUrl: "https://example.com/hook" } });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("webhookUrl");
    expect((await call(api(ws.id, "/integrations/slack"), { method: "PUT", cookie: owner.cookie, body: { webhookUrl: `${SLACK_URL}${path}` } })).status).toBe(200);

    expect(await json(await call(api(ws.id, "/integrations/slack/test"), { method: "POST", cookie: owner.cookie }))).toEqual({ sent: true });
    const { messages } = await slackSim<{ messages: { body: any }[] }>(`/__sim/slack/messages?path=${encodeURIComponent(path)}`);
    expect(messages[0]!.body.text).toBe(`SendOps test message from ${ws.name}`);

    await slackSim(`/__sim/slack/failures`, { method: "PUT", body: JSON.stringify({ path, status: 410, error: "channel_is_archived" }) });
    const refused = await call(api(ws.id, "/integrations/slack/test"), { method: "POST", cookie: owner.cookie });
    expect(refused.status).toBe(502);
    expect((await json(refused)).error).toMatchObject({ code: "SLACK_REJECTED", details: { status: 410, slackError: "channel_is_archived" } });
    await slackSim(`/__sim/slack/failures`, { method: "DELETE" });

    expect(await json(await call(api(ws.id, "/integrations/slack"), { method: "DELETE", cookie: owner.cookie }))).toMatchObject({ connected: false });
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, resourceType: "slack_integration", limit: 10 });
    expect(audit.map((e) => e.operation).sort()).toEqual(["connected", "disconnected"]);
    expect(JSON.stringify(audit)).not.toContain("/abc");
  });
});

describe("Inbox", () => {
  let ws: { id: string; slug: string };
  let owner: TestUser;
  const ids: string[] = [];
  beforeAll(async () => {
    ({ ws, members: { owner: owner! } } = (await workspaceWith({})) as any);
    const { env: recEnv } = recordingEnv();
    const types = ["channel_events.channel_created", "billing.payment_failed", "channel_events.tracking_domain_verified", "user_access.user_invited", "billing.plan_limit_approaching"] as const;
    for (const [i, type] of types.entries()) ids.push((await raiseNotification(raiseDepsOf(recEnv), { orgId: ws.id, type, params: { channel: `c${i}`, domain: `d${i}.test` } }, 10_000 + i)).notification.id);
  });

  it("lists newest first with the unread count, pages by cursor and filters by category and severity", async () => {
    const all = await inboxOf(owner, ws.id);
    expect(all.data.map((n: any) => n.id)).toEqual([...ids].reverse());
    expect(all.unread).toBe(5);
    expect(all.data[0]).toMatchObject({ category: "billing", severity: "warning", readAt: null, link: "settings" });
    const first = await inboxOf(owner, ws.id, "?limit=2");
    const second = await inboxOf(owner, ws.id, `?limit=2&cursor=${first.nextCursor}`);
    const third = await inboxOf(owner, ws.id, `?limit=2&cursor=${second.nextCursor}`);
    expect([...first.data, ...second.data, ...third.data].map((n: any) => n.id)).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeNull();
    expect((await inboxOf(owner, ws.id, "?category=billing")).data.map((n: any) => n.id)).toEqual([ids[4], ids[1]]);
    expect((await inboxOf(owner, ws.id, "?severity=critical")).data.map((n: any) => n.id)).toEqual([ids[1]]);
    expect((await call(api(ws.id, "/notifications/inbox?severity=loud"), { cookie: owner.cookie })).status).toBe(422);
  });

  it("marks read and unread in bulk, and all read", async () => {
    const mark = (body: unknown) => call(api(ws.id, "/notifications/inbox/mark"), { method: "POST", cookie: owner.cookie, body }).then(json);
    expect(await mark({ ids: [ids[0], ids[1]], read: true })).toEqual({ changed: 2, unread: 3 });
    expect(await mark({ ids: [ids[0]], read: true })).toEqual({ changed: 0, unread: 3 });
    expect((await inboxOf(owner, ws.id, "?unread=true")).data.map((n: any) => n.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(await mark({ ids: [ids[1]], read: false })).toEqual({ changed: 1, unread: 4 });
    expect(await json(await call(api(ws.id, "/notifications/unread-count"), { cookie: owner.cookie }))).toEqual({ unread: 4 });
    expect(await json(await call(api(ws.id, "/notifications/inbox/mark-all-read"), { method: "POST", cookie: owner.cookie }))).toEqual({ changed: 4, unread: 0 });
    // Another member's inbox is untouched by it and not reachable through these ids.
    const other = await newUser("ntf-other");
    await insertMembership(ws.id, other.id, "viewer");
    expect(await json(await call(api(ws.id, "/notifications/inbox/mark"), { method: "POST", cookie: other.cookie, body: { ids, read: true } }))).toEqual({ changed: 0, unread: 0 });
  });

  it("the demo workspace's notifications appear in a visitor's inbox when they first look, and their read state is their own", async () => {
    const { env: recEnv } = recordingEnv();
    const at = Date.now();
    await raiseNotification(raiseDepsOf(recEnv), { orgId: DEMO_ORG_ID, type: "channel_events.tracking_domain_verified", params: { domain: "old.demo.test" }, dedupeKey: `demo-old-${at}` }, at - 5 * 86_400_000);
    const fresh = await raiseNotification(raiseDepsOf(recEnv), { orgId: DEMO_ORG_ID, type: "channel_events.tracking_domain_failed", params: { domain: "new.demo.test", reason: "no CNAME" }, dedupeKey: `demo-new-${at}` }, at);
    // Its members are every user of the deployment: the demo notifies in-app only, never by email.
    expect(await listDeliveries(db(), fresh.notification.id)).toEqual([]);
    const visitor = await newUser("ntf-demo");
    const inbox = await inboxOf(visitor, DEMO_ORG_ID, "?limit=100");
    const item = inbox.data.find((n: any) => n.id === fresh.notification.id);
    expect(item?.readAt).toBeNull();
    expect(inbox.data.find((n: any) => n.title === "Tracking domain old.demo.test verified")?.readAt).not.toBeNull();
    const marked = await call(api(DEMO_ORG_ID, "/notifications/inbox/mark"), { method: "POST", cookie: visitor.cookie, body: { ids: [item.id], read: true } });
    expect((await json(marked)).changed).toBe(1);
    // The Team tab there lists only the visitor: users never see each other in the demo.
    const team = await json(await call(api(DEMO_ORG_ID, "/notifications/team"), { cookie: visitor.cookie }));
    expect(team.members.map((m: any) => m.userId)).toEqual([visitor.id]);
    // Preferences stay read-only there, though every role may change its own elsewhere.
    const demoPatch = await call(api(DEMO_ORG_ID, "/notifications/preferences"), { method: "PATCH", cookie: visitor.cookie, body: { changes: allOff("billing.payment_failed") } });
    expect(demoPatch.status).toBe(403);
    expect((await json(demoPatch)).error.code).toBe("DEMO_READ_ONLY");
    const demoApply = await call(api(DEMO_ORG_ID, "/notifications/presets/apply"), { method: "POST", cookie: visitor.cookie, body: { presetId: "builtin:quiet" } });
    expect((await json(demoApply)).error.code).toBe("DEMO_READ_ONLY");
  });
});

describe("Preferences, presets and the Team tab", () => {
  it("defaults, saved changes, and always-delivered types reported as locked for Owners only", async () => {
    const { ws, members } = await workspaceWith({ dev: "developer" });
    const view = await json(await call(api(ws.id, "/notifications/preferences"), { cookie: members.owner!.cookie }));
    expect(view).toMatchObject({ preferences: DEFAULT_PREFERENCES, customized: false, slackConnected: false });
    expect(view.locked).toContain("billing.payment_failed");
    expect(view.locked).toContain("ses_account_health.sending_quota_reached");
    expect(view.locked).not.toContain("ses_account_health.sandbox_status_change");
    const saved = await setPrefs(members.dev!, ws.id, [{ type: "channel_events.channel_created", channel: "email", enabled: true }]);
    expect(saved.preferences["channel_events.channel_created"]).toEqual(["in_app", "email"]);
    expect(saved).toMatchObject({ customized: true, locked: [] });
    const bad = await call(api(ws.id, "/notifications/preferences"), { method: "PATCH", cookie: members.dev!.cookie, body: { changes: [{ type: "nope.nope", channel: "email", enabled: true }] } });
    expect(bad.status).toBe(422);
  });

  it("presets: built-ins listed, applied, a custom one created from my preferences, duplicates refused, deleted; audited", async () => {
    const { ws, members } = await workspaceWith({});
    const owner = members.owner!;
    const { presets } = await json(await call(api(ws.id, "/notifications/presets"), { cookie: owner.cookie }));
    expect(presets.map((p: any) => p.name)).toEqual(BUILT_IN_PRESETS.map((p) => p.name));
    const critical = BUILT_IN_PRESETS.find((p) => p.name === "Critical only")!;
    const applied = await json(await call(api(ws.id, "/notifications/presets/apply"), { method: "POST", cookie: owner.cookie, body: { presetId: critical.id } }));
    expect(applied.preferences).toEqual(critical.preferences);
    expect(applied.preferences["channel_events.channel_created"]).toEqual([]);

    const created = await call(api(ws.id, "/notifications/presets"), { method: "POST", cookie: owner.cookie, body: { name: "On call" } });
    expect(created.status).toBe(201);
    const preset = await json(created);
    expect(preset.preferences).toEqual(critical.preferences);
    expect((await call(api(ws.id, "/notifications/presets"), { method: "POST", cookie: owner.cookie, body: { name: "on CALL" } })).status).toBe(409);
    await setPrefs(owner, ws.id, [{ type: "channel_events.channel_created", channel: "in_app", enabled: true }]);
    const back = await json(await call(api(ws.id, "/notifications/presets/apply"), { method: "POST", cookie: owner.cookie, body: { presetId: preset.id } }));
    expect(back.preferences["channel_events.channel_created"]).toEqual([]);
    expect((await call(api(ws.id, `/notifications/presets/${preset.id}`), { method: "DELETE", cookie: owner.cookie })).status).toBe(204);
    expect((await call(api(ws.id, `/notifications/presets/${critical.id}`), { method: "DELETE", cookie: owner.cookie })).status).toBe(404);
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, resourceType: "notification_preset", limit: 10 });
    expect(audit.map((e) => e.operation).sort()).toEqual(["applied", "applied", "created", "deleted"]);
  });

  it("Team: Owners and Org Admins see and change members' preferences (audited); other roles are refused", async () => {
    const { ws, members } = await workspaceWith({ admin: "org_admin", dev: "developer" });
    const team = await json(await call(api(ws.id, "/notifications/team"), { cookie: members.admin!.cookie }));
    expect(team.members.map((m: any) => m.role).sort()).toEqual(["developer", "org_admin", "owner"]);
    const changed = await call(api(ws.id, `/notifications/team/${members.dev!.id}`), {
      method: "PATCH",
      cookie: members.admin!.cookie,
      body: { changes: [{ type: "deliverability.blocklist_detection", channel: "slack", enabled: false }] },
    });
    expect(changed.status).toBe(200);
    expect((await json(changed)).preferences["deliverability.blocklist_detection"]).toEqual(["in_app", "email"]);
    const mine = await json(await call(api(ws.id, "/notifications/preferences"), { cookie: members.dev!.cookie }));
    expect(mine.preferences["deliverability.blocklist_detection"]).toEqual(["in_app", "email"]);
    const quiet = BUILT_IN_PRESETS.find((p) => p.id === "builtin:quiet")!;
    const viaPreset = await call(api(ws.id, `/notifications/team/${members.dev!.id}/apply-preset`), { method: "POST", cookie: members.owner!.cookie, body: { presetId: quiet.id } });
    expect((await json(viaPreset)).preferences).toEqual(quiet.preferences);
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, limit: 20 });
    expect(audit.find((e) => e.resourceType === "notification_preferences")?.summary).toBe(
      "Changed dev member's notification preferences: deliverability.blocklist_detection slack off",
    );
    expect(audit.find((e) => e.resourceType === "notification_preset")?.summary).toBe('Applied the notification preset "Quiet (digests only)" to dev member\'s preferences');

    for (const [method, path] of [
      ["GET", "/notifications/team"],
      ["PATCH", `/notifications/team/${members.owner!.id}`],
      ["POST", `/notifications/team/${members.owner!.id}/apply-preset`],
    ] as const) {
      const res = await call(api(ws.id, path), { method, cookie: members.dev!.cookie, body: method === "GET" ? undefined : { presetId: quiet.id } });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await call(api(ws.id, `/notifications/team/usr_nobody`), { method: "PATCH", cookie: members.owner!.cookie, body: { changes: allOff("billing.payment_failed") } })).status).toBe(404);
  });

  it.each(["support", "viewer"])("a %s (notifications.view only) sets their own preferences and applies presets to themselves", async (role) => {
    const { ws, members } = await workspaceWith({ me: role });
    const me = members.me!;
    const saved = await setPrefs(me, ws.id, [{ type: "channel_events.channel_created", channel: "email", enabled: true }]);
    expect(saved.preferences["channel_events.channel_created"]).toEqual(["in_app", "email"]);
    expect((await json(await call(api(ws.id, "/notifications/preferences"), { cookie: me.cookie }))).customized).toBe(true);
    const quiet = BUILT_IN_PRESETS.find((p) => p.id === "builtin:quiet")!;
    const applied = await call(api(ws.id, "/notifications/presets/apply"), { method: "POST", cookie: me.cookie, body: { presetId: quiet.id } });
    expect(applied.status).toBe(200);
    expect((await json(applied)).preferences).toEqual(quiet.preferences);
    // A member's own toggles are theirs (not audited); applying a workspace preset is.
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, limit: 20 });
    expect(audit.filter((e) => e.actorName === "me member").map((e) => [e.resourceType, e.operation])).toEqual([["notification_preset", "applied"]]);
  });

  it.each(["support", "viewer"])("a %s may not create or delete the workspace's presets (notifications.manage) nor change others' preferences (team.manage)", async (role) => {
    const { ws, members } = await workspaceWith({ me: role });
    const me = members.me!;
    const refused = async (res: Response, permission: string) => {
      expect(res.status).toBe(403);
      expect((await json(res)).error).toMatchObject({ code: "FORBIDDEN", details: { permission } });
    };
    await refused(await call(api(ws.id, "/notifications/presets"), { method: "POST", cookie: me.cookie, body: { name: "Mine" } }), "notifications.manage");
    const preset = await json(await call(api(ws.id, "/notifications/presets"), { method: "POST", cookie: members.owner!.cookie, body: { name: `Owner's ${role}` } }));
    await refused(await call(api(ws.id, `/notifications/presets/${preset.id}`), { method: "DELETE", cookie: me.cookie }), "notifications.manage");
    await refused(await call(api(ws.id, `/notifications/team/${members.owner!.id}`), { method: "PATCH", cookie: me.cookie, body: { changes: allOff("billing.payment_failed") } }), "team.manage");
    await refused(await call(api(ws.id, `/notifications/team/${members.owner!.id}/apply-preset`), { method: "POST", cookie: me.cookie, body: { presetId: preset.id } }), "team.manage");
    // The owner's preferences are as they were.
    expect((await json(await call(api(ws.id, "/notifications/preferences"), { cookie: members.owner!.cookie }))).customized).toBe(false);
  });
});
