/**
 * The operator CLI's commands (scripts/admin.ts): what a self-hoster needs before anyone can sign in or
 * when someone is locked out. Each command validates its flags with the same zod rules as the API, then
 * changes D1 through the Worker's own queries and services, writing its audit rows in the same batch.
 */
import { and, count, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { Actor, OrgContext } from "../../worker/context";
import type { Db } from "../../worker/db/client";
import { auditInsert } from "../../worker/db/audit";
import { findPasswordCredential, findUserByEmail, normaliseEmail } from "../../worker/db/accounts";
import { apiKeys, auditLog, eventStoreMigration, events, ingestKeys, memberships, orgs, PLANS, sessions, userCredentials, users, type Plan } from "../../worker/db/schema";
import { findMember } from "../../worker/db/team";
import { findLiveRedirect, findOrgById, findOrgBySlug, isUniqueViolation, takenSlugsLike } from "../../worker/db/workspaces";
import { hashPassword } from "../../worker/auth/passwords";
import { ROLES, type Role } from "../../worker/auth/permissions";
import { signUp, signUpSchema } from "../../worker/services/accounts";
import { addMember, changeRole } from "../../worker/services/team";
import { createApiKey, createApiKeySchema } from "../../worker/services/api-keys";
import { createIngestKey, INGEST_KEY_GRACE_MS } from "../../worker/services/ingest/keys";
import { DEMO_SLUG } from "../../worker/services/demo";
import { settingsSchema, slugBase } from "../../worker/services/workspaces";
import { AppError } from "../../worker/lib/errors";
import { genericTemplate, workspaceTemplate } from "../../worker/services/setup/integration";
import { withAppliedCheck } from "./d1";
import { workerVars } from "./worker-vars";
import { seedDemo } from "./demo-seed";
import { remoteSeedStatePath, seedStatePath } from "./demo-seed-state";
import { withSignalHandler } from "./signals";
import { newId } from "../../worker/lib/ids";
import { maintenanceSchema, scheduleMaintenance } from "../../worker/services/alerts/maintenance";
import { raiseIn } from "../../worker/services/alerts/raise";
import { MIGRATION_STALL_MS } from "../../worker/services/event-store-migration";

/** Who the audit log names for every change the CLI makes. */
export const OPERATOR_ACTOR: Actor = { userId: null, name: "operator CLI", email: "" };

/** A bad invocation or a refused change: printed as `error: <message>`, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

type Flags = Record<string, string>;

/** Where the command runs: the local instance's D1 (in `persistDir`), or the deployed one (--remote). */
export interface CommandTarget {
  remote: boolean;
  persistDir?: string;
}

export interface CommandContext extends CommandTarget {
  /** When the command runs: every row it writes carries this time, which is how `applied` tells them apart. */
  at: number;
}

export interface Command {
  summary: string;
  required: readonly string[];
  optional: readonly string[];
  run: (db: Db, flags: Flags, ctx: CommandContext) => Promise<unknown>;
  /**
   * Whether this run's change is stored already: asked when a write failed transiently, which may have
   * committed (scripts/lib/d1.ts, withAppliedCheck). Every command that writes has one; its other
   * writes are safe to send twice.
   */
  applied?: (db: Db, flags: Flags, ctx: CommandContext) => Promise<boolean>;
}

/** A command's result printed as it is (a file's text) instead of as JSON. */
export class TextOutput {
  constructor(readonly text: string) {}
}

/** Parses one flag with a zod schema; the message names the flag. */
function parseFlag<T>(schema: z.ZodType<T>, flags: Flags, name: string): T {
  const result = schema.safeParse(flags[name]);
  if (result.success) return result.data;
  throw new CliError(`--${name}: ${result.error.issues[0]?.message ?? "invalid value"}`);
}

const emailSchema = signUpSchema.shape.email;
const passwordSchema = signUpSchema.shape.password;
const userNameSchema = signUpSchema.shape.name;
const workspaceNameSchema = settingsSchema.shape.name.unwrap();
const slugSchema = settingsSchema.shape.slug.unwrap();
const roleSchema = z.enum(ROLES, { message: `must be one of: ${ROLES.join(", ")}` });
const planSchema = z.enum(PLANS, { message: `must be one of: ${PLANS.join(", ")}` });

async function requireUser(db: Db, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new CliError(`no user with the email ${normaliseEmail(email)} (create it with create-user)`);
  return user;
}

async function requireWorkspace(db: Db, slug: string) {
  const hit = await findOrgBySlug(db, slug);
  const org = hit && (await findOrgById(db, hit.id));
  if (!org) throw new CliError(`unknown workspace "${slug}" (give its URL slug)`);
  return org;
}

async function createUser(db: Db, flags: Flags, ctx: CommandContext) {
  const email = normaliseEmail(parseFlag(emailSchema, flags, "email"));
  const name = parseFlag(userNameSchema, flags, "name");
  const password = parseFlag(passwordSchema, flags, "password");
  if (await findUserByEmail(db, email)) throw new CliError(`a user with the email ${email} already exists`);
  // The same path as sign-up: password credential plus membership of the shared demo workspace. Like a
  // sign-up it writes no audit row: the only workspace it touches is the demo, whose log every user reads.
  const created = await signUp(db, { email, name, password, acceptTerms: true }, ctx.at);
  // The operator vouches for the address (the CLI sends no verification mail), so it starts verified.
  if (created) await db.update(users).set({ emailVerifiedAt: ctx.at }).where(eq(users.id, created.userId));
  const user = await requireUser(db, email);
  return { user: { id: user.id, email: user.email, name: user.name } };
}

async function createWorkspace(db: Db, flags: Flags, ctx: CommandContext) {
  const name = parseFlag(workspaceNameSchema, flags, "name");
  const plan: Plan = flags.plan === undefined ? "free" : parseFlag(planSchema, flags, "plan");
  const owner = await requireUser(db, parseFlag(emailSchema, flags, "owner-email"));
  const at = ctx.at;
  let slug: string;
  if (flags.slug !== undefined) {
    slug = parseFlag(slugSchema, flags, "slug");
    const redirect = await findLiveRedirect(db, slug, at);
    if (slug === DEMO_SLUG || (await findOrgBySlug(db, slug)) || redirect) {
      throw new CliError(`--slug: the URL slug "${slug}" is already taken`);
    }
  } else {
    const base = slugBase(name);
    const taken = await takenSlugsLike(db, base, at);
    slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  }
  const id = newId("org", at);
  try {
    await db.batch([
      db.insert(orgs).values({ id, name, slug, plan, createdAt: at, updatedAt: at }),
      db.insert(memberships).values({ orgId: id, userId: owner.id, role: "owner", createdAt: at }),
      auditInsert(db, {
        orgId: id,
        actor: OPERATOR_ACTOR,
        resourceType: "workspace",
        resourceId: id,
        operation: "created",
        summary: `Created the workspace "${name}" with ${owner.name} (${owner.email}) as its Owner`,
        after: { name, slug, plan, owner: owner.email },
        at,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "orgs.slug")) throw new CliError(`--slug: the URL slug "${slug}" is already taken`);
    throw err;
  }
  return { workspace: { id, name, slug, plan }, owner: { id: owner.id, email: owner.email, role: "owner" } };
}

/**
 * Gives a user a role in a workspace, adding the membership if needed, through the Team service: the
 * dashboard's rules (the Owner's role is fixed, no change while a transfer to the member is pending)
 * and the plan's seat limit apply. Ownership is never set here: it moves only by a transfer the new
 * Owner accepts.
 */
async function setRole(db: Db, flags: Flags, ctx: CommandContext) {
  const role: Role = parseFlag(roleSchema, flags, "role");
  if (role === "owner") {
    throw new CliError(
      "--role owner: ownership is not set, it is transferred. The current Owner offers it from Settings → Workspace → Danger Zone → Transfer Ownership; the member (with a verified email) accepts within 72 hours.",
    );
  }
  const org = await requireWorkspace(db, flags.workspace!);
  if (org.isDemo) throw new CliError("roles in the demo workspace are fixed (it is read-only for everyone)");
  const user = await requireUser(db, parseFlag(emailSchema, flags, "email"));
  const member = await findMember(db, org.id, user.id);
  const result = { workspace: { id: org.id, slug: org.slug }, user: { id: user.id, email: user.email }, role };
  if (member?.role === role) return { ...result, changed: false };
  // The operator acts with the Owner's authority; the audit log names the operator CLI.
  const scope: OrgContext = { orgId: org.id, name: org.name, slug: org.slug, isDemo: org.isDemo, plan: org.plan, role: "owner", actor: OPERATOR_ACTOR };
  if (member) await changeRole(db, scope, user.id, { role }, ctx.at);
  else await addMember(db, scope, user, role, ctx.at);
  return { ...result, changed: true };
}

/** Sets a new password and ends every session of the user; audited in each workspace they belong to. */
async function resetPassword(db: Db, flags: Flags, ctx: CommandContext) {
  const user = await requireUser(db, parseFlag(emailSchema, flags, "email"));
  const password = parseFlag(passwordSchema, flags, "password");
  const pw = await hashPassword(password);
  const at = ctx.at;
  const cred = await findPasswordCredential(db, user.id);
  const workspaces = await db
    .select({ orgId: orgs.id })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, user.id), eq(orgs.isDemo, false)))
    .all();
  const live = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id)).all();
  const credential = cred
    ? db
        .update(userCredentials)
        .set({ passwordHash: pw.hash, passwordSalt: pw.salt, passwordIterations: pw.iterations, updatedAt: at })
        .where(eq(userCredentials.id, cred.id))
    : db.insert(userCredentials).values({
        id: newId("crd", at),
        userId: user.id,
        kind: "password",
        subject: user.email,
        passwordHash: pw.hash,
        passwordSalt: pw.salt,
        passwordIterations: pw.iterations,
        createdAt: at,
        updatedAt: at,
      });
  const audits = workspaces.map((w) =>
    auditInsert(db, {
      orgId: w.orgId,
      actor: OPERATOR_ACTOR,
      resourceType: "user",
      resourceId: user.id,
      operation: "password_reset",
      summary: `Reset the password of ${user.name} (${user.email}) and ended their sessions`,
      at,
    }),
  );
  await db.batch([credential, db.delete(sessions).where(eq(sessions.userId, user.id)), ...audits]);
  return { user: { id: user.id, email: user.email }, sessionsEnded: live.length, auditedWorkspaces: workspaces.length };
}

async function createApiKeyCommand(db: Db, flags: Flags, ctx: CommandContext) {
  const org = await requireWorkspace(db, flags.workspace!);
  if (org.isDemo) throw new CliError("the demo workspace cannot have API keys");
  const name = parseFlag(createApiKeySchema.shape.name, flags, "name");
  const { apiKey, secret } = await createApiKey(db, { orgId: org.id, actor: OPERATOR_ACTOR }, { name }, ctx.at);
  return { workspace: { id: org.id, slug: org.slug }, apiKey, secret, note: "The secret is shown only now; store it safely." };
}

/** A new ingest key for the workspace's EventBridge connection; the previous key keeps working for 24 h. */
async function rotateIngestKey(db: Db, flags: Flags, ctx: CommandContext) {
  const org = await requireWorkspace(db, flags.workspace!);
  const { id, key, prefix, createdAt } = await createIngestKey(db, org.id, OPERATOR_ACTOR, ctx.at);
  return {
    workspace: { id: org.id, slug: org.slug },
    ingestKey: { id, prefix, createdAt },
    key,
    previousKeysValidUntil: createdAt + INGEST_KEY_GRACE_MS,
    note: "The key is shown only now. Put it into the EventBridge connection (CloudFormation parameter WebhookApiKey) within 24 hours.",
  };
}

/**
 * The CloudFormation template: a workspace's (its four parameters defaulting to its values, exactly as
 * the Setup Guide's download), or without --workspace the generic one to publish for the console's
 * Launch Stack link (CLOUDFORMATION_TEMPLATE_URL).
 */
async function cloudFormationTemplateCommand(db: Db, flags: Flags, ctx: CommandContext) {
  const format = parseFlag(z.enum(["yaml", "json"], { message: "must be yaml or json" }).default("yaml"), flags, "format");
  if (!flags.workspace) return new TextOutput(genericTemplate(format));
  const org = await requireWorkspace(db, flags.workspace);
  const vars = workerVars(ctx);
  const env = { SENDOPS_AWS_ACCOUNT_ID: vars.SENDOPS_AWS_ACCOUNT_ID ?? "", APP_URL: vars.APP_URL ?? "", ENCRYPTION_KEY: vars.ENCRYPTION_KEY ?? "" };
  if (!env.APP_URL) throw new CliError("APP_URL is not set: export it (the deployment's public URL)");
  if (!org.isDemo && !env.ENCRYPTION_KEY) throw new CliError("ENCRYPTION_KEY is not set: export the Worker's ENCRYPTION_KEY secret (the template carries the sealed ingest key)");
  return new TextOutput(await workspaceTemplate(db, env, { orgId: org.id, isDemo: org.isDemo, actor: OPERATOR_ACTOR }, format, ctx.at));
}

/*
 * The `applied` checks: each finds the row its command writes with the run's time (and subject). The
 * other writes of these commands (the demo workspace, a pending AWS connection) insert only if absent.
 */

const userCreated = async (db: Db, flags: Flags, ctx: CommandContext) => (await findUserByEmail(db, flags.email!))?.createdAt === ctx.at;

async function workspaceCreated(db: Db, flags: Flags, ctx: CommandContext) {
  const name = parseFlag(workspaceNameSchema, flags, "name");
  return !!(await db.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.name, name), eq(orgs.createdAt, ctx.at))).get());
}

async function roleSet(db: Db, flags: Flags, ctx: CommandContext) {
  const org = await requireWorkspace(db, flags.workspace!);
  const user = await requireUser(db, flags.email!);
  const entry = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, org.id), eq(auditLog.resourceType, "team"), eq(auditLog.resourceId, user.id), eq(auditLog.at, ctx.at)))
    .get();
  return !!entry;
}

async function passwordReset(db: Db, flags: Flags, ctx: CommandContext) {
  const user = await requireUser(db, flags.email!);
  return (await findPasswordCredential(db, user.id))?.updatedAt === ctx.at;
}

async function ingestKeyCreated(db: Db, flags: Flags, ctx: CommandContext) {
  if (!flags.workspace) return false;
  const org = await requireWorkspace(db, flags.workspace);
  const key = await db
    .select({ id: ingestKeys.id })
    .from(ingestKeys)
    .where(and(eq(ingestKeys.orgId, org.id), eq(ingestKeys.createdAt, ctx.at), eq(ingestKeys.createdByName, OPERATOR_ACTOR.name)))
    .get();
  return !!key;
}

async function apiKeyCreated(db: Db, flags: Flags, ctx: CommandContext) {
  const org = await requireWorkspace(db, flags.workspace!);
  const key = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, org.id), eq(apiKeys.name, parseFlag(createApiKeySchema.shape.name, flags, "name")), eq(apiKeys.createdAt, ctx.at)))
    .get();
  return !!key;
}

const countSchema = z.coerce.number({ message: "must be a positive integer" }).int("must be a positive integer").positive("must be a positive integer");

/**
 * Seeds the demo workspace of a running instance (scripts/lib/demo-seed.ts, the code `npm start` runs):
 * D1 through this command's database, events through `--url` (default: the deployment's APP_URL).
 * Ctrl-C stops after the requests in flight and keeps the progress; running it again continues.
 */
async function seedDemoCommand(db: Db, flags: Flags, ctx: CommandContext) {
  const url = (flags.url ?? workerVars(ctx).APP_URL ?? "").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(url)) throw new CliError("--url: give the instance's URL (or set APP_URL), e.g. https://sendops.example.com");
  // wrangler.toml's APP_URL is the local one until the operator sets the deployment's.
  if (ctx.remote && flags.url === undefined && /^https?:\/\/(127\.0\.0\.1|localhost)[:/]?/.test(url)) {
    throw new CliError(`--url: APP_URL is ${url}, a local address; give the deployment's URL with --url (or set APP_URL in wrangler.toml)`);
  }
  const stateFile = flags.state ?? (ctx.remote || !ctx.persistDir ? remoteSeedStatePath(url) : seedStatePath(ctx.persistDir));
  const abort = new AbortController();
  const interrupt = () => {
    if (abort.signal.aborted) process.exit(130);
    console.error("\nStopping after the requests in flight (Ctrl-C again to quit at once)…");
    abort.abort();
  };
  const count = (name: string) => (flags[name] === undefined ? undefined : parseFlag(countSchema, flags, name));
  const options = { events: count("events"), days: count("days"), limit: count("limit"), signal: abort.signal, log: (line: string) => console.error(line) };
  const outcome = await withSignalHandler(interrupt, () => seedDemo({ db, url, stateFile }, options));
  const { state } = outcome;
  const progress = { workspace: { id: state.orgId }, url, stateFile, events: state.events, posted: state.posted + state.ahead.length };
  if (outcome.status === "done") return { status: outcome.earlier ? "seeded earlier" : "seeded", ...progress, stored: outcome.stored };
  if (outcome.status === "incomplete") {
    throw new CliError(`the consumer stopped at ${outcome.stored} of ${outcome.planned} events; run the command again to post the missing ones`);
  }
  if (outcome.reason === "interrupted") throw new CliError(`interrupted after ${progress.posted} of ${outcome.planned} events; run the same command again to continue`);
  if (outcome.reason === "failed") {
    throw new CliError(`${url} did not accept an event after every retry (answers: ${JSON.stringify(outcome.answers)}); stopped after ${progress.posted} of ${outcome.planned} events; run the same command again to continue`);
  }
  return { status: "paused", ...progress, planned: outcome.planned };
}

/**
 * Announces a maintenance window to every workspace's inbox. The one place the CLI raises (`raiseIn`: in-app
 * only, since the CLI cannot queue the delivery job).
 */
async function scheduleMaintenanceCommand(db: Db, flags: Flags, ctx: CommandContext) {
  const parsed = maintenanceSchema.safeParse({ start: flags.start, end: flags.end, message: flags.message });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--${String(issue.path[0])}: ${issue.message}`);
  }
  return { scheduled: parsed.data, ...(await scheduleMaintenance(db, raiseIn(db, () => ctx.at), parsed.data)) };
}

const isoOf = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Where the move of D1's events into the event shards stands (docs/scaling.md, Shards: migrating
 * existing data): the state row, and what is left — D1 events past the cursor while copying, D1 rows
 * not deleted yet once the shards are the store — with an estimate from the copy's pace so far.
 */
async function eventStoreStatus(db: Db, _flags: Flags, ctx: CommandContext) {
  const row = await db.select().from(eventStoreMigration).where(eq(eventStoreMigration.id, 1)).get();
  const d1Events = async (after: number) => (await db.select({ n: count() }).from(events).where(gt(events.id, after)).get())!.n;
  if (!row) {
    return { state: "not started", d1Events: await d1Events(0), note: 'starts at the first ingest or read after EVENT_STORE = "shards" is deployed' };
  }
  const base = {
    state: row.state,
    cursor: row.cursor,
    rowsImported: row.rowsImported,
    startedAt: isoOf(row.startedAt),
    switchedAt: isoOf(row.switchedAt),
    d1ClearedAt: isoOf(row.d1ClearedAt),
    updatedAt: isoOf(row.updatedAt),
    stalled: row.d1ClearedAt === null && ctx.at - row.updatedAt > MIGRATION_STALL_MS,
  };
  if (row.state === "shards") return { ...base, d1RowsLeftToDelete: row.d1ClearedAt === null ? await d1Events(0) : 0 };
  const remaining = await d1Events(row.cursor);
  const perMs = row.rowsImported / Math.max(1, row.updatedAt - row.startedAt);
  return { ...base, remainingToCopy: remaining, estimatedMinutesLeft: row.rowsImported ? Math.ceil(remaining / perMs / 60_000) : null };
}

export const COMMANDS: Record<string, Command> = {
  "create-user": {
    summary: "Create a user who signs in with email + password (joins the demo workspace like a sign-up).",
    required: ["email", "name", "password"],
    optional: [],
    run: createUser,
    applied: userCreated,
  },
  "create-workspace": {
    summary: "Create a workspace owned by an existing user.",
    required: ["name", "owner-email"],
    optional: ["slug", "plan"],
    run: createWorkspace,
    applied: workspaceCreated,
  },
  "set-role": {
    summary: `Set a user's role in a workspace, adding them if a seat is free (${ROLES.filter((r) => r !== "owner").join(", ")}; ownership is transferred from the dashboard).`,
    required: ["workspace", "email", "role"],
    optional: [],
    run: setRole,
    applied: roleSet,
  },
  "reset-password": {
    summary: "Set a new password and end all of the user's sessions.",
    required: ["email", "password"],
    optional: [],
    run: resetPassword,
    applied: passwordReset,
  },
  "rotate-ingest-key": {
    summary: "Create a new ingest key (x-api-key of POST /ingest/eventbridge); older keys stay valid for 24 hours.",
    required: ["workspace"],
    optional: [],
    run: rotateIngestKey,
    applied: ingestKeyCreated,
  },
  "cloudformation-template": {
    summary: "Print the CloudFormation template (YAML or JSON): a workspace's, as its Setup Guide downloads it, or the generic one to publish.",
    required: [],
    optional: ["workspace", "format"],
    run: cloudFormationTemplateCommand,
    applied: ingestKeyCreated,
  },
  "create-api-key": {
    summary: "Create a public API (/v1) key for a workspace; prints the secret once.",
    required: ["workspace", "name"],
    optional: [],
    run: createApiKeyCommand,
    applied: apiKeyCreated,
  },
  "seed-demo": {
    summary: "Fill the demo workspace of a running instance with generated SES traffic through its ingest endpoint; resumable.",
    required: [],
    optional: ["url", "events", "days", "limit", "state"],
    run: seedDemoCommand,
  },
  "schedule-maintenance": {
    summary: "Announce a maintenance window (scheduled_maintenance notification) to every workspace; once per window start.",
    required: ["start", "end", "message"],
    optional: [],
    run: scheduleMaintenanceCommand,
  },
  "event-store-status": {
    summary: "Show the migration of D1's events into the event shards (EVENT_STORE = \"shards\"): state, cursor, rows copied, what is left.",
    required: [],
    optional: [],
    run: eventStoreStatus,
  },
};

/**
 * Runs one command; service errors (AppError) become CliErrors with the service's message. A write that
 * fails transiently is judged by the command's `applied` check (see Command).
 */
export async function runCommand(db: Db, name: string, flags: Flags, target: CommandTarget = { remote: false }, at = Date.now()): Promise<unknown> {
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
  for (const flag of command.required) {
    if (flags[flag] === undefined || flags[flag] === "") throw new CliError(`${name} needs --${flag}`);
  }
  try {
    const ctx = { ...target, at };
    return await withAppliedCheck(db, command.applied && (() => command.applied!(db, flags, ctx)), () => command.run(db, flags, ctx));
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    throw err;
  }
}
