/**
 * Control routes (not AWS, no signing) for tests, `npm start` and people looking at the stand-in:
 *
 *   PUT  /__sim/roles {arn, trustedAccount, externalId?, allowedActions?}   create or replace a role (no externalId: bound to the first one presented; no allowedActions: the SendOps policy)
 *   PUT  /__sim/roles/actions {arn, allowedActions}                        set what a role may do (404 when it does not exist)
 *   GET  /__sim/roles[?account=]                                           the roles, with trust and allowed actions
 *   GET  /__sim/accounts/<acct>/<region>                                   the account + region: GetAccount, identities, configuration sets with destinations, rules with targets, connections, API destinations, stacks, roles, sent mail, API-destination deliveries
 *   PUT  /__sim/accounts/<acct>/<region>/account {mode?: sandbox|production, reviewStatus?: PENDING|GRANTED|DENIED|FAILED|null, enforcementStatus?: HEALTHY|PROBATION|SHUTDOWN, sendingEnabled?, externalSentLast24Hours?: recipients sent outside the stand-in, counted in SendQuota.SentLast24Hours}
 *   POST /__sim/accounts/<acct>/<region>/identities {identity, status?, configurationSetName?, dkimTokens?}  create or replace an identity (status SUCCESS unless given; a domain's Easy DKIM tokens as given, e.g. the demo's fixed ones, else new)
 *   POST /__sim/accounts/<acct>/<region>/identities/<identity>/verify {status?}                          set its (and its DKIM) status now: SUCCESS (default), FAILED, TEMPORARY_FAILURE, or PENDING (until told otherwise); DNS and the verification link no longer decide it
 *   POST /__sim/accounts/<acct>/<region>/stacks {stackName, templateBody, parameters: {key: value}, capabilities?}   deploy without signing: CreateStack, or UpdateStack when the stack exists (capabilities default to CAPABILITY_NAMED_IAM)
 *   PUT  /__sim/accounts/<acct>/<region>/stacks/<name>/drift {resources: {<logicalId>: MODIFIED|DELETED}}  what drift detection finds from now on: these resources changed outside the stack, the others in sync ({} = back in sync)
 *   PUT  /__sim/accounts/<acct>/<region>/connections/<name> {apiKeyValue}                                 set an API_KEY connection's key (e.g. the demo's, once its ingest key is known)
 *   PUT|GET /__sim/accounts/<acct>/<region>/suppressions [{entries: SES summaries}]                      replace / read the suppression list
 *   POST /__sim/accounts/<acct>/throttle {count}                           the next `count` calls for the account are throttled
 *   POST /__sim/accounts/<acct>/faults {operation, code, status?, message?, count?}  the next `count` (1) calls of that SES operation fail with that AWS error
 *   GET|DELETE /__sim/accounts/<acct>/faults                               the faults still pending / clear them
 *   GET  /__sim/accounts/<acct>/stats                                      AssumeRole calls and SES / EventBridge / CloudFormation calls per operation
 *   GET  /__sim/outbox[?account=]                                          every mail SendEmail accepted, newest first, as a page
 *   GET  /__sim/outbox.json[?account=]                                     the same as JSON
 *   GET  /__sim/verify-email?token=                                        the link of SES's verification mail: verifies the address (a page; 404 unknown token, 410 after 24 hours)
 */
import type http from "node:http";
import type { CloudFormation } from "./cloudformation";
import { defaultRoleActions } from "./config";
import type { Runtime } from "./runtime";
import { accountView, identityView, SES_OPERATIONS, setView } from "./ses";
import { identityStatus, newIdentity, roleFromConfig, type RegionState, type ResourceDrift, type Role, type SentMail } from "./state";
import { suppressionList } from "./suppressions";
import { followVerificationLink, VERIFY_EMAIL_PATH } from "./verification";
import { AwsFault } from "./wire";

/** The HTTP status SES answers each error with, for a fault given without one. */
const FAULT_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  AccountSuspendedException: 400,
  AlreadyExistsException: 400,
  BadRequestException: 400,
  ConcurrentModificationException: 500,
  InternalFailure: 500,
  LimitExceededException: 400,
  MessageRejected: 400,
  NotFoundException: 404,
  SendingPausedException: 400,
  ServiceUnavailable: 503,
  TooManyRequestsException: 429,
};

function faultFrom(input: Record<string, any>) {
  const { operation, code } = input;
  if (typeof operation !== "string" || !SES_OPERATIONS.has(operation)) return `operation is one of the SES operations the stand-in serves (${[...SES_OPERATIONS].join(", ")}).`;
  if (typeof code !== "string" || !/^[A-Za-z]+$/.test(code)) return "code is an AWS error name, e.g. BadRequestException.";
  const status = input.status ?? FAULT_STATUS[code];
  if (!Number.isInteger(status) || status < 400 || status > 599) return `status (400-599) is required for ${code}.`;
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1) return "count is a positive integer.";
  return { operation, code, status: status as number, message: typeof input.message === "string" ? input.message : `Injected failure of ${operation}.`, count: count as number };
}

const STATUSES = ["SUCCESS", "FAILED", "TEMPORARY_FAILURE", "PENDING", "NOT_STARTED"] as const;

const roleView = (r: Role) => ({ arn: r.arn, trustedAccounts: r.trustedAccounts, trustedServices: r.trustedServices, externalId: r.externalId, allowedActions: r.allowedActions, stackId: r.stackId });

function regionView(rt: Runtime, state: RegionState) {
  const now = rt.now();
  return {
    account: accountView(state, now),
    identities: [...state.identities.values()].map((i) => ({ identity: i.name, type: i.type, status: identityStatus(i, now), verifiedBy: i.verifiedBy, ...identityView(i, now) })),
    configurationSets: [...state.configurationSets.values()].map((s) => ({ ...setView(s), EventDestinations: [...s.destinations.values()] })),
    contactLists: [...state.contactLists.values()],
    rules: [...state.rules.values()].map((r) => ({ Name: r.name, Arn: r.arn, EventPattern: r.eventPattern, State: r.state, Description: r.description, Targets: r.targets })),
    connections: [...state.connections.values()].map((c) => ({ Name: c.name, ConnectionArn: c.arn, AuthorizationType: c.authorizationType, ApiKeyName: c.apiKey?.name })),
    apiDestinations: [...state.apiDestinations.values()].map((d) => ({ Name: d.name, ApiDestinationArn: d.arn, ConnectionArn: d.connectionArn, InvocationEndpoint: d.invocationEndpoint, HttpMethod: d.httpMethod, InvocationRateLimitPerSecond: d.rateLimit })),
    stacks: [...state.stacks.values()].map((s) => ({ name: s.name, id: s.id, status: s.status, reason: s.reason, outputs: s.outputs, resources: s.resources.map(({ undo: _undo, ...r }) => r) })),
    roles: [...rt.world.roles.values()].filter((r) => r.account === state.account).map(roleView),
    sent: [...state.sent].reverse(),
    deliveries: state.deliveries,
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Escaped text with its URLs as links (a verification mail's link is followed from the page). */
const linked = (s: string) => esc(s).replace(/https?:\/\/[^\s<"]+/g, (url) => `<a href="${url}">${url}</a>`);

function outboxPage(mails: SentMail[], account: string | null): string {
  const cards = mails
    .map(
      (m) => `<article>
  <h2>${esc(m.subject || "(no subject)")}</h2>
  <dl><dt>From</dt><dd>${esc(m.from)}</dd><dt>To</dt><dd>${esc([...m.to, ...m.cc, ...m.bcc].join(", "))}</dd><dt>Sent</dt><dd>${new Date(m.sentAt).toISOString()}</dd><dt>Account</dt><dd>${m.account} · ${m.region}${m.configurationSet ? ` · ${esc(m.configurationSet)}` : ""}</dd><dt>Message ID</dt><dd><code>${m.messageId}</code></dd></dl>
  ${m.html !== null ? `<iframe sandbox title="HTML body" srcdoc="${esc(m.html)}"></iframe>` : ""}${m.text !== null ? `<pre>${linked(m.text)}</pre>` : ""}
</article>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outbox · AWS stand-in</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937}article{border:1px solid #d1d5db;border-radius:8px;padding:1rem;margin:1rem 0}h2{font-size:1.1rem;margin:0 0 .5rem}dl{display:grid;grid-template-columns:8rem 1fr;gap:.2rem .8rem;margin:0 0 .8rem}dt{color:#6b7280}dd{margin:0}iframe{width:100%;height:18rem;border:1px solid #e5e7eb}pre{white-space:pre-wrap;background:#f9fafb;padding:.6rem;border-radius:4px}</style>
</head><body>
<h1>Outbox${account ? ` · ${account}` : ""}</h1>
<p>Every mail the local SES accepted (SendEmail), newest first. Nothing leaves this machine.</p>
${cards || "<p>No mail yet.</p>"}
</body></html>
`;
}

function messagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · AWS stand-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2937}</style>
</head><body><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>
`;
}

export function control(rt: Runtime, cf: CloudFormation, method: string, rawPath: string, query: URLSearchParams, body: Buffer, res: http.ServerResponse): void {
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
  let input: Record<string, any>;
  try {
    input = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, any>) : {};
  } catch {
    return reply(400, { message: "The body must be JSON." });
  }
  try {
    const result = route(rt, cf, method, rawPath, query, input, res);
    if (result !== undefined) reply(result.status ?? 200, result.body);
  } catch (err) {
    if (err instanceof AwsFault) return reply(err.status, { code: err.code, message: err.message });
    throw err;
  }
}

function route(rt: Runtime, cf: CloudFormation, method: string, path: string, query: URLSearchParams, input: Record<string, any>, res: http.ServerResponse): { status?: number; body: unknown } | undefined {
  const { world } = rt;
  if (path === "/__sim/roles" && method === "PUT") {
    world.roles.set(input.arn, roleFromConfig({ arn: input.arn, trustedAccount: input.trustedAccount, externalId: input.externalId, allowedActions: input.allowedActions ?? defaultRoleActions() }, rt.now()));
    return { body: { ok: true } };
  }
  if (path === "/__sim/roles/actions" && method === "PUT") {
    const role = world.roles.get(input.arn);
    if (!role) return { status: 404, body: { message: `No role ${input.arn}` } };
    if (!Array.isArray(input.allowedActions)) return { status: 400, body: { message: "allowedActions must be a list of IAM actions." } };
    role.allowedActions = input.allowedActions;
    return { body: roleView(role) };
  }
  if (path === "/__sim/roles" && method === "GET") return { body: { roles: [...world.roles.values()].filter((r) => !query.get("account") || r.account === query.get("account")).map(roleView) } };
  if ((path === "/__sim/outbox" || path === "/__sim/outbox.json") && method === "GET") {
    const account = query.get("account");
    const mails = world
      .all()
      .filter((s) => !account || s.account === account)
      .flatMap((s) => s.sent)
      .sort((a, b) => b.sentAt - a.sentAt);
    if (path === "/__sim/outbox.json") return { body: { mails } };
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(outboxPage(mails, account));
    return undefined;
  }
  if (path === VERIFY_EMAIL_PATH && method === "GET") {
    const outcome = followVerificationLink(rt, query.get("token") ?? "");
    res.writeHead(outcome.status, { "content-type": "text/html; charset=utf-8" }).end(messagePage(outcome.status === 200 ? "Email address verified" : "Verification failed", outcome.message));
    return undefined;
  }
  const acct = /^\/__sim\/accounts\/(\d{12})\/(throttle|stats|faults)$/.exec(path);
  if (acct?.[2] === "throttle" && method === "POST") {
    rt.throttles.set(acct[1]!, Number(input.count ?? 1));
    return { body: { ok: true } };
  }
  if (acct?.[2] === "stats" && method === "GET") return { body: rt.stats(acct[1]!) };
  if (acct?.[2] === "faults") {
    const account = acct[1]!;
    if (method === "POST") {
      const fault = faultFrom(input);
      if (typeof fault === "string") return { status: 400, body: { message: fault } };
      rt.faults.set(account, [...(rt.faults.get(account) ?? []), fault]);
    } else if (method === "DELETE") rt.faults.delete(account);
    else if (method !== "GET") return { status: 404, body: { message: `No control route ${method} ${path}` } };
    return { body: { faults: rt.faults.get(account) ?? [] } };
  }
  const m = /^\/__sim\/accounts\/(\d{12})\/([a-z0-9-]+)(\/.*)?$/.exec(path);
  if (!m) return { status: 404, body: { message: `No control route ${method} ${path}` } };
  const state = world.region(m[1]!, m[2]!);
  const rest = m[3] ?? "";
  if (rest === "" && method === "GET") return { body: regionView(rt, state) };
  if (rest === "/account" && method === "PUT") {
    if (input.mode !== undefined) {
      if (input.mode !== "sandbox" && input.mode !== "production") return { status: 400, body: { message: "mode is sandbox or production." } };
      state.mode = input.mode;
      state.review = input.mode === "production" ? { status: "GRANTED", caseId: state.review?.caseId ?? "1000000000" } : null;
    }
    if (input.reviewStatus !== undefined) state.review = input.reviewStatus === null ? null : { status: input.reviewStatus, caseId: state.review?.caseId ?? "1000000000" };
    if (input.enforcementStatus !== undefined) state.enforcementStatus = input.enforcementStatus;
    if (input.sendingEnabled !== undefined) state.sendingEnabled = input.sendingEnabled === true;
    if (input.externalSentLast24Hours !== undefined) {
      if (!Number.isInteger(input.externalSentLast24Hours) || input.externalSentLast24Hours < 0) return { status: 400, body: { message: "externalSentLast24Hours is a count of recipients." } };
      state.externalSentLast24Hours = input.externalSentLast24Hours;
    }
    return { body: accountView(state, rt.now()) };
  }
  if (rest === "/identities" && method === "POST") {
    if (typeof input.identity !== "string" || !input.identity) return { status: 400, body: { message: "identity is required." } };
    const now = rt.now();
    const status = input.status ?? "SUCCESS";
    if (!STATUSES.includes(status)) return { status: 400, body: { message: `status is one of ${STATUSES.join(", ")}.` } };
    const tokens: unknown = input.dkimTokens;
    if (tokens !== undefined && !(Array.isArray(tokens) && tokens.length > 0 && tokens.every((t) => typeof t === "string" && /^[a-z0-9]{1,63}$/.test(t)))) {
      return { status: 400, body: { message: "dkimTokens is a list of DKIM tokens (lower-case letters and digits)." } };
    }
    const identity = status === "PENDING" ? newIdentity(input.identity, now, Infinity) : newIdentity(input.identity, now, now, status);
    identity.configurationSetName = input.configurationSetName ?? null;
    if (tokens && identity.type === "DOMAIN") identity.dkimTokens = [...(tokens as string[])];
    state.identities.set(input.identity.toLowerCase(), identity);
    return { body: identityView(identity, now) };
  }
  const verify = /^\/identities\/([^/]+)\/verify$/.exec(rest);
  if (verify && method === "POST") {
    const identity = state.identities.get(decodeURIComponent(verify[1]!).toLowerCase());
    if (!identity) return { status: 404, body: { message: `No identity ${decodeURIComponent(verify[1]!)}` } };
    const status = input.status ?? "SUCCESS";
    if (!STATUSES.includes(status)) return { status: 400, body: { message: `status is one of ${STATUSES.join(", ")}.` } };
    const now = rt.now();
    identity.verifiedBy = "time";
    if (status === "PENDING") identity.pendingUntil = Infinity;
    else Object.assign(identity, { pendingUntil: now, settled: status });
    return { body: identityView(identity, now) };
  }
  if (rest === "/stacks" && method === "POST") {
    const stackInput = {
      stackName: String(input.stackName ?? "sendops"),
      templateBody: String(input.templateBody ?? ""),
      parameters: Object.entries((input.parameters ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) })),
      capabilities: (input.capabilities as string[] | undefined) ?? ["CAPABILITY_NAMED_IAM"],
    };
    const stack = cf.createOrUpdate(state, stackInput);
    return { body: { stackId: stack.id, status: stack.status, reason: stack.reason, outputs: Object.fromEntries(stack.outputs.map((o) => [o.key, o.value])) } };
  }
  const drift = /^\/stacks\/([^/]+)\/drift$/.exec(rest);
  if (drift && method === "PUT") {
    const name = decodeURIComponent(drift[1]!);
    const stack = [...state.stacks.values()].find((s) => (s.name === name || s.id === name) && s.deletedAt === null);
    if (!stack) return { status: 404, body: { message: `No stack ${name}` } };
    const marks = Object.entries((input.resources ?? {}) as Record<string, unknown>);
    const unknown = marks.find(([id, status]) => !stack.resources.some((r) => r.logicalId === id) || (status !== "MODIFIED" && status !== "DELETED"));
    if (unknown) return { status: 400, body: { message: `resources maps logical ids of the stack (${stack.resources.map((r) => r.logicalId).join(", ")}) to MODIFIED or DELETED; got ${unknown[0]}: ${String(unknown[1])}.` } };
    stack.drift = new Map(marks as [string, ResourceDrift][]);
    return { body: { stackId: stack.id, drift: Object.fromEntries(stack.drift) } };
  }
  const connection = /^\/connections\/([^/]+)$/.exec(rest);
  if (connection && method === "PUT") {
    const c = state.connections.get(decodeURIComponent(connection[1]!));
    if (!c?.apiKey) return { status: 404, body: { message: `No API_KEY connection ${decodeURIComponent(connection[1]!)}` } };
    c.apiKey.value = String(input.apiKeyValue ?? "");
    c.modifiedAt = rt.now();
    return { body: { ok: true } };
  }
  if (rest === "/suppressions" && method === "PUT") {
    state.suppressions = new Map((input.entries as { EmailAddress: string; Reason: "BOUNCE" | "COMPLAINT"; LastUpdateTime: number }[]).map((e) => [e.EmailAddress.toLowerCase(), { reason: e.Reason, lastUpdateTime: Math.round(e.LastUpdateTime * 1000) }]));
    return { body: { count: state.suppressions.size } };
  }
  if (rest === "/suppressions" && method === "GET") {
    const entries = [...suppressionList(rt, state).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return { body: { entries: entries.map(([email, e]) => ({ EmailAddress: email, Reason: e.reason, LastUpdateTime: e.lastUpdateTime / 1000 })) } };
  }
  return { status: 404, body: { message: `No control route ${method} ${path}` } };
}
