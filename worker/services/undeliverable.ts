import { z } from "zod";
import type { OrgContext } from "../context";
import type { Env } from "../env";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { auditInsert } from "../db/audit";
import { normaliseEmail } from "../db/accounts";
import { deleteExclusionQuery, findExclusion, findSavedRules } from "../db/undeliverable";
import { undeliverableExclusions, undeliverableRules } from "../db/schema";
import { conflict, notFound } from "../lib/errors";
import { csvStream, type CsvColumn } from "../lib/csv";
import { decodeCursor, encodeCursor, paginationQuery } from "../lib/pagination";
import type { AddressView, LedgerSettings, ListedAddress, ListQuery, RulesView, UndeliverablePage } from "../classification/types";
import { RETENTION_DAYS } from "../lib/plans";
import { orgLedger } from "./org-ledger";
import {
  defaultRules,
  detectPreset,
  REASONS,
  reasonLabel,
  rulesSchema,
  rulesVersion,
  type Rules,
} from "../classification/rules";

/** The org as the Undeliverable list needs it: routes pass their OrgContext, /v1 its key's org. */
export type UndeliverableOrg = Pick<OrgContext, "orgId" | "plan">;

/** Rows fetched per Durable Object call while streaming a CSV export. */
const EXPORT_PAGE = 1000;
export const RULES_VERSION_HEADER = "X-SendOps-Rules-Version";

export const listFiltersSchema = z.object({
  search: z.string().trim().max(254).optional(),
  status: z.enum(["listed", "excluded", "all"]).default("listed"),
  reason: z.enum(REASONS).optional(),
});

export const listQuerySchema = listFiltersSchema.extend(paginationQuery.shape);

const emailField = z.string().trim().min(1, "Enter the email address.").max(254, "Email is at most 254 characters.");

export const allowSchema = z.object({
  email: emailField,
  note: z.string().trim().max(500, "The note is at most 500 characters.").optional(),
});

export const relistSchema = z.object({ email: emailField });

export { rulesSchema };

/** The org's saved rules (Standard until someone saves) and their version. */
export async function currentRules(db: Db, orgId: string): Promise<{ rules: Rules; version: string }> {
  const saved = await findSavedRules(db, orgId);
  if (!saved) {
    const rules = defaultRules();
    return { rules, version: await rulesVersion(rules) };
  }
  return { rules: rulesSchema.parse(JSON.parse(saved.rulesJson)), version: saved.version };
}

async function settingsOf(db: Db, org: UndeliverableOrg): Promise<{ settings: LedgerSettings; version: string }> {
  const { rules, version } = await currentRules(db, org.orgId);
  return { settings: { orgId: org.orgId, retentionDays: RETENTION_DAYS[org.plan], rules }, version };
}

/** The cursor is the last row's sort key: (lastChange desc, email asc). */
const cursorKey = z.tuple([z.number().int(), z.string()]);

const afterOf = (key: [number, string] | undefined): ListQuery["after"] => key && { lastChange: key[0], email: key[1] };

const withLabel = <T extends AddressView>(v: T): T & { label: string | null } => ({ ...v, label: v.reason ? reasonLabel(v.reason, v.subType) : null });

/** One page of the list (newest change first) and the version of the rules that produced it. */
export async function listUndeliverable(env: Env, org: UndeliverableOrg, q: z.infer<typeof listQuerySchema>): Promise<UndeliverablePage> {
  const { settings, version } = await settingsOf(getDb(env.DB), org);
  const page = await orgLedger(env, org.orgId).undeliverableList(settings, {
    search: q.search || undefined,
    status: q.status,
    reason: q.reason,
    after: afterOf(decodeCursor(q.cursor, cursorKey)),
    limit: q.limit,
  });
  return {
    rows: page.rows.map(withLabel),
    nextCursor: page.nextAfter ? encodeCursor([page.nextAfter.lastChange, page.nextAfter.email]) : null,
    version,
  };
}

const CSV_COLUMNS: CsvColumn<ListedAddress>[] = [
  { header: "email", value: (r) => r.email },
  { header: "status", value: (r) => r.status },
  { header: "reason", value: (r) => r.reason },
  { header: "sub_type", value: (r) => r.subType },
  { header: "events", value: (r) => r.events },
  { header: "last_change", value: (r) => new Date(r.lastChange).toISOString() },
  { header: "last_diagnostic", value: (r) => r.lastDiagnostic },
  { header: "note", value: (r) => r.note },
];

/** The whole filtered list as CSV, streamed page by page (no size limit, constant memory). */
export async function exportUndeliverableCsv(env: Env, org: UndeliverableOrg, f: z.infer<typeof listFiltersSchema>) {
  const { settings, version } = await settingsOf(getDb(env.DB), org);
  const stub = orgLedger(env, org.orgId);
  async function* pages() {
    let after: ListQuery["after"] | undefined;
    do {
      const page = await stub.undeliverableList(settings, { search: f.search || undefined, status: f.status, reason: f.reason, after, limit: EXPORT_PAGE });
      yield page.rows;
      after = page.nextAfter ?? undefined;
    } while (after);
  }
  return { stream: csvStream(CSV_COLUMNS, pages()), version };
}

async function addressOrThrow(env: Env, settings: LedgerSettings, email: string): Promise<AddressView> {
  const view = await orgLedger(env, settings.orgId).undeliverableGet(settings, email);
  if (!view || view.status === "clear") throw notFound("Address on the Undeliverable list");
  return view;
}

const snapshot = (v: AddressView | null) =>
  v && { status: v.status, reason: v.reason, subType: v.subType, events: v.events, note: v.note };

/** Allow: the address becomes Excluded at once; the exclusion is kept in D1 beyond retention. */
export async function allowAddress(env: Env, org: OrgContext, input: z.infer<typeof allowSchema>, at = Date.now()) {
  const db = getDb(env.DB);
  const email = normaliseEmail(input.email);
  const note = input.note || null;
  const { settings } = await settingsOf(db, org);
  const before = await addressOrThrow(env, settings, email);
  if (before.status === "excluded") throw conflict(`${email} is already excluded. Re-list it first to change the note.`);
  await db.batch([
    db
      .insert(undeliverableExclusions)
      .values({ orgId: org.orgId, email, note, actorUserId: org.actor.userId, actorName: org.actor.name, actorEmail: org.actor.email, allowedAt: at })
      .onConflictDoUpdate({
        target: [undeliverableExclusions.orgId, undeliverableExclusions.email],
        set: { note, actorUserId: org.actor.userId, actorName: org.actor.name, actorEmail: org.actor.email, allowedAt: at },
      }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "undeliverable_address",
      resourceId: email,
      operation: "allow",
      summary: note ? `Allowed delivery to ${email}: ${note}` : `Allowed delivery to ${email}`,
      before: snapshot(before),
      after: { status: "excluded", reason: before.reason, subType: before.subType, events: before.events, note },
      at,
    }),
  ]);
  const after = await orgLedger(env, org.orgId).undeliverableExclude(settings, email, { at, note, by: org.actor.name });
  if (!after) throw notFound("Address on the Undeliverable list");
  return { row: withLabel(after) };
}

/** Re-list: the exclusion is removed; the address is Listed again if its events still match a rule. */
export async function relistAddress(env: Env, org: OrgContext, input: z.infer<typeof relistSchema>, at = Date.now()) {
  const db = getDb(env.DB);
  const email = normaliseEmail(input.email);
  const { settings } = await settingsOf(db, org);
  const stub = orgLedger(env, org.orgId);
  const before = await stub.undeliverableGet(settings, email);
  const stored = await findExclusion(db, org.orgId, email);
  if (!stored && before?.status !== "excluded") throw notFound("Exclusion");
  await db.batch([
    deleteExclusionQuery(db, org.orgId, email),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "undeliverable_address",
      resourceId: email,
      operation: "relist",
      summary: `Re-listed ${email}`,
      before: snapshot(before) ?? { status: "excluded", note: stored?.note ?? null },
      at,
    }),
  ]);
  const after = await stub.undeliverableRelist(settings, email);
  return { row: after && after.status !== "clear" ? withLabel(after) : null };
}

export async function getRules(db: Db, orgId: string): Promise<RulesView> {
  const saved = await findSavedRules(db, orgId);
  const { rules, version } = await currentRules(db, orgId);
  return {
    rules,
    version,
    preset: detectPreset(rules),
    updatedAt: saved?.updatedAt ?? null,
    updatedBy: saved?.updatedByName ?? null,
  };
}

/** Saves the rules with their version and an audit entry (before/after JSON); the list follows at once. */
export async function saveRules(env: Env, org: OrgContext, rules: Rules, at = Date.now()): Promise<RulesView> {
  const db = getDb(env.DB);
  const before = await currentRules(db, org.orgId);
  const version = await rulesVersion(rules);
  const preset = detectPreset(rules);
  if (version !== before.version) {
    const row = { rulesJson: JSON.stringify(rules), version, updatedByUserId: org.actor.userId, updatedByName: org.actor.name, updatedAt: at };
    await db.batch([
      db.insert(undeliverableRules).values({ orgId: org.orgId, ...row }).onConflictDoUpdate({ target: undeliverableRules.orgId, set: row }),
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: "classification_rules",
        resourceId: org.orgId,
        operation: "update",
        summary: `Saved classification rules (${preset === "custom" ? "Custom" : `${preset[0]!.toUpperCase()}${preset.slice(1)} preset`}), version ${before.version} → ${version}`,
        before,
        after: { rules, version },
        at,
      }),
    ]);
  }
  await orgLedger(env, org.orgId).undeliverableSync({ orgId: org.orgId, retentionDays: RETENTION_DAYS[org.plan], rules });
  return getRules(db, org.orgId);
}

/** The list under candidate rules compared with today's. Never writes anything. */
export async function previewRules(env: Env, org: UndeliverableOrg, candidate: Rules) {
  const { settings } = await settingsOf(getDb(env.DB), org);
  return orgLedger(env, org.orgId).undeliverablePreview(settings, candidate);
}
