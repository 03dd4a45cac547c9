/**
 * Notifications → Preferences, Presets and Team: a member's type × channel choices, the presets that set
 * them all at once, and Owners/Org Admins managing other members' choices (audited).
 */
import { z } from "zod";
import type { BatchItem } from "drizzle-orm/batch";
import type { OrgContext } from "../../context";
import type { Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import {
  deletePresetQuery,
  findPreferenceRow,
  findPresetByName,
  findPresetRow,
  findSlackIntegration,
  insertPresetQuery,
  listPreferenceRows,
  listPresetRows,
  upsertPreferencesQuery,
} from "../../db/notifications";
import { findMember, listMembersOfOrg } from "../../db/team";
import type { Role } from "../../auth/permissions";
import { conflict, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import {
  ALWAYS_DELIVERED_REASON,
  applyChanges,
  BUILT_IN_PRESETS,
  DELIVERY_CHANNELS,
  resolvePreferences,
  type PreferenceMap,
  type StoredPreferences,
} from "../../lib/notification-preferences";
import { isAlwaysDelivered, NOTIFICATION_TYPE_KEYS, type NotificationType } from "../../lib/notification-types";

const typeKey = z.enum(NOTIFICATION_TYPE_KEYS as [NotificationType, ...NotificationType[]]);

export const preferenceChangesSchema = z.object({
  changes: z
    .array(z.object({ type: typeKey, channel: z.enum(DELIVERY_CHANNELS), enabled: z.boolean() }))
    .min(1)
    .max(NOTIFICATION_TYPE_KEYS.length * DELIVERY_CHANNELS.length),
});
export type PreferenceChanges = z.infer<typeof preferenceChangesSchema>;

export const createPresetSchema = z.object({ name: z.string().trim().min(1).max(60) });
export const applyPresetSchema = z.object({ presetId: z.string().min(1).max(64) });

export interface PreferencesView {
  preferences: PreferenceMap;
  /** Types this member receives in-app and by email whatever they choose (Owners and Org Admins). */
  locked: NotificationType[];
  lockedReason: string;
  /** False: the member never changed anything and follows the defaults. */
  customized: boolean;
  slackConnected: boolean;
}

export interface PresetView {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  preferences: PreferenceMap;
  createdBy: string | null;
  createdAt: number | null;
}

export interface TeamMemberPreferences extends PreferencesView {
  userId: string;
  name: string;
  email: string;
  role: Role;
}

const lockedFor = (role: Role): NotificationType[] =>
  role === "owner" || role === "org_admin" ? NOTIFICATION_TYPE_KEYS.filter((t) => isAlwaysDelivered(t)) : [];

const parseStored = (json: string | undefined): StoredPreferences | null => (json ? (JSON.parse(json) as StoredPreferences) : null);

async function viewOf(db: Db, orgId: string, userId: string, role: Role): Promise<PreferencesView> {
  const [row, slack] = await Promise.all([findPreferenceRow(db, orgId, userId), findSlackIntegration(db, orgId)]);
  return {
    preferences: resolvePreferences(parseStored(row?.channelsJson)),
    locked: lockedFor(role),
    lockedReason: ALWAYS_DELIVERED_REASON,
    customized: row !== undefined,
    slackConnected: slack !== undefined,
  };
}

export function getMyPreferences(db: Db, org: OrgContext): Promise<PreferencesView> {
  return viewOf(db, org.orgId, org.actor.userId!, org.role);
}

export async function updateMyPreferences(db: Db, org: OrgContext, input: PreferenceChanges, at = Date.now()): Promise<PreferencesView> {
  const userId = org.actor.userId!;
  const current = resolvePreferences(parseStored((await findPreferenceRow(db, org.orgId, userId))?.channelsJson));
  await upsertPreferencesQuery(db, org.orgId, userId, JSON.stringify(applyChanges(current, input.changes)), at).run();
  return viewOf(db, org.orgId, userId, org.role);
}

// ---- Presets ----

export async function listPresets(db: Db, org: OrgContext): Promise<PresetView[]> {
  const custom = await listPresetRows(db, org.orgId);
  return [
    ...BUILT_IN_PRESETS.map((p) => ({ ...p, builtIn: true, createdBy: null, createdAt: null })),
    ...custom.map((p) => ({
      id: p.id,
      name: p.name,
      description: "",
      builtIn: false,
      preferences: resolvePreferences(JSON.parse(p.channelsJson) as StoredPreferences),
      createdBy: p.createdByName,
      createdAt: p.createdAt,
    })),
  ];
}

async function presetOf(db: Db, orgId: string, presetId: string): Promise<{ name: string; preferences: PreferenceMap }> {
  const builtIn = BUILT_IN_PRESETS.find((p) => p.id === presetId);
  if (builtIn) return builtIn;
  const row = await findPresetRow(db, orgId, presetId);
  if (!row) throw notFound("Preset");
  return { name: row.name, preferences: resolvePreferences(JSON.parse(row.channelsJson) as StoredPreferences) };
}

/** A new workspace preset from the creator's current preferences. */
export async function createPreset(db: Db, org: OrgContext, input: z.infer<typeof createPresetSchema>, at = Date.now()): Promise<PresetView> {
  if (BUILT_IN_PRESETS.some((p) => p.name.toLowerCase() === input.name.toLowerCase()) || (await findPresetByName(db, org.orgId, input.name))) {
    throw conflict(`A preset named "${input.name}" already exists.`, { field: "name" });
  }
  const { preferences } = await getMyPreferences(db, org);
  const id = newId("nps", at);
  await db.batch([
    insertPresetQuery(db, { id, orgId: org.orgId, name: input.name, channelsJson: JSON.stringify(preferences), createdByName: org.actor.name, createdAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "notification_preset",
      resourceId: id,
      operation: "created",
      summary: `Created the notification preset "${input.name}"`,
      after: { name: input.name, preferences },
      at,
    }),
  ]);
  return { id, name: input.name, description: "", builtIn: false, preferences, createdBy: org.actor.name, createdAt: at };
}

export async function deletePreset(db: Db, org: OrgContext, presetId: string, at = Date.now()): Promise<void> {
  const row = presetId.startsWith("builtin:") ? undefined : await findPresetRow(db, org.orgId, presetId);
  if (!row) throw notFound("Preset");
  await db.batch([
    deletePresetQuery(db, org.orgId, presetId),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "notification_preset",
      resourceId: presetId,
      operation: "deleted",
      summary: `Deleted the notification preset "${row.name}"`,
      before: { name: row.name, preferences: JSON.parse(row.channelsJson) },
      at,
    }),
  ]);
}

/** Sets a member's whole map from a preset; audited when it is someone else's (the Team tab). */
async function applyPresetTo(db: Db, org: OrgContext, member: { userId: string; name: string; role: Role }, presetId: string, at: number) {
  const preset = await presetOf(db, org.orgId, presetId);
  const before = resolvePreferences(parseStored((await findPreferenceRow(db, org.orgId, member.userId))?.channelsJson));
  const statements: BatchItem<"sqlite">[] = [upsertPreferencesQuery(db, org.orgId, member.userId, JSON.stringify(preset.preferences), at)];
  statements.push(
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "notification_preset",
      resourceId: presetId,
      operation: "applied",
      summary:
        member.userId === org.actor.userId
          ? `Applied the notification preset "${preset.name}" to their own preferences`
          : `Applied the notification preset "${preset.name}" to ${member.name}'s preferences`,
      before: { userId: member.userId, preferences: before },
      after: { userId: member.userId, preferences: preset.preferences },
      at,
    }),
  );
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return viewOf(db, org.orgId, member.userId, member.role);
}

export function applyPresetToMe(db: Db, org: OrgContext, input: z.infer<typeof applyPresetSchema>, at = Date.now()) {
  return applyPresetTo(db, org, { userId: org.actor.userId!, name: org.actor.name, role: org.role }, input.presetId, at);
}

// ---- Team ----

/** Every member's preferences; in the demo workspace (which every user joins) only the caller's, as its Team page does. */
export async function listTeamPreferences(db: Db, org: OrgContext): Promise<TeamMemberPreferences[]> {
  const self = org.isDemo && org.actor.userId ? await findMember(db, org.orgId, org.actor.userId) : undefined;
  const members = org.isDemo ? (self ? [self] : []) : await listMembersOfOrg(db, org.orgId);
  const [rows, slack] = await Promise.all([listPreferenceRows(db, org.orgId), findSlackIntegration(db, org.orgId)]);
  const stored = new Map(rows.map((r) => [r.userId, r.channelsJson]));
  return members.map((m) => ({
    userId: m.userId,
    name: m.name,
    email: m.email,
    role: m.role,
    preferences: resolvePreferences(parseStored(stored.get(m.userId))),
    locked: lockedFor(m.role),
    lockedReason: ALWAYS_DELIVERED_REASON,
    customized: stored.has(m.userId),
    slackConnected: slack !== undefined,
  }));
}

async function memberOf(db: Db, org: OrgContext, userId: string) {
  const member = await findMember(db, org.orgId, userId);
  if (!member) throw notFound("Member");
  return member;
}

/** An Owner or Org Admin changes a member's preferences on their behalf (audited with before and after). */
export async function updateMemberPreferences(db: Db, org: OrgContext, userId: string, input: PreferenceChanges, at = Date.now()): Promise<PreferencesView> {
  const member = await memberOf(db, org, userId);
  const before = resolvePreferences(parseStored((await findPreferenceRow(db, org.orgId, userId))?.channelsJson));
  const after = applyChanges(before, input.changes);
  const changed = input.changes.map((c) => `${c.type} ${c.channel} ${c.enabled ? "on" : "off"}`).join(", ");
  await db.batch([
    upsertPreferencesQuery(db, org.orgId, userId, JSON.stringify(after), at),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "notification_preferences",
      resourceId: userId,
      operation: "updated",
      summary: `Changed ${member.name}'s notification preferences: ${changed}`,
      before: Object.fromEntries(input.changes.map((c) => [c.type, before[c.type]])),
      after: Object.fromEntries(input.changes.map((c) => [c.type, after[c.type]])),
      at,
    }),
  ]);
  return viewOf(db, org.orgId, userId, member.role);
}

export async function applyPresetToMember(db: Db, org: OrgContext, userId: string, input: z.infer<typeof applyPresetSchema>, at = Date.now()) {
  const member = await memberOf(db, org, userId);
  return applyPresetTo(db, org, { userId, name: member.name, role: member.role }, input.presetId, at);
}
