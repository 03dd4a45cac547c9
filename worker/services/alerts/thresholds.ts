/**
 * The workspace's alert thresholds and each channel's and sending domain's overrides (docs/alerts.md): read by the evaluators,
 * shown and saved by the Alert Thresholds panel. Saving is a configuration change, audited.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { findChannel } from "../../db/channels";
import { findIdentityById } from "../../db/identities";
import { deleteDomainThresholdsQuery, listDomainThresholds, upsertDomainThresholdsQuery } from "../../db/sending-domains";
import { deleteAlertThresholdsQuery, listAlertThresholds, upsertAlertThresholdsQuery, type AlertThresholdRow } from "../../db/alerts";
import {
  alertThresholdsSchema,
  channelAlertOverridesSchema,
  DEFAULT_ALERT_THRESHOLDS,
  effectiveThresholds,
  type AlertLevels,
  type AlertThresholds,
  type ChannelAlertOverrides,
} from "../../lib/alert-thresholds";
import { notFound } from "../../lib/errors";
import { domainOf } from "../ingest/identities";

export interface OrgThresholds {
  workspace: AlertThresholds;
  /** Channel id → its overrides (only channels that have some). */
  channels: Map<string, ChannelAlertOverrides>;
  /** Sending domain → its overrides (only domains that have some). */
  domains: Map<string, ChannelAlertOverrides>;
}

const levelsOf = (warning: number | null, critical: number | null): AlertLevels | null =>
  warning !== null && critical !== null ? { warning, critical } : null;

function overridesOf(r: Omit<AlertThresholdRow, "channelId">): ChannelAlertOverrides {
  return { bounce: levelsOf(r.bounceWarning, r.bounceCritical), complaint: levelsOf(r.complaintWarning, r.complaintCritical), minVolume: r.minVolume };
}

export async function loadThresholds(db: Db, orgId: string): Promise<OrgThresholds> {
  const [rows, domainRows] = await Promise.all([listAlertThresholds(db, orgId), listDomainThresholds(db, orgId)]);
  const ws = rows.find((r) => r.channelId === "");
  return {
    workspace: effectiveThresholds(DEFAULT_ALERT_THRESHOLDS, ws ? overridesOf(ws) : undefined),
    channels: new Map(rows.filter((r) => r.channelId !== "").map((r) => [r.channelId, overridesOf(r)])),
    domains: new Map(domainRows.map((r) => [r.domain, overridesOf(r)])),
  };
}

export const thresholdsViewSchema = z.object({
  defaults: alertThresholdsSchema.describe("SendOps's defaults."),
  workspace: alertThresholdsSchema.describe("The workspace's thresholds (the defaults unless changed)."),
  channels: z.array(z.object({ channelId: z.string(), overrides: channelAlertOverridesSchema, effective: alertThresholdsSchema })),
  domains: z.array(z.object({ domain: z.string().describe("A sending domain (its identities share the overrides)."), overrides: channelAlertOverridesSchema, effective: alertThresholdsSchema })),
});
export type ThresholdsView = z.output<typeof thresholdsViewSchema>;

export async function getThresholdsView(db: Db, orgId: string): Promise<ThresholdsView> {
  const t = await loadThresholds(db, orgId);
  return {
    defaults: DEFAULT_ALERT_THRESHOLDS,
    workspace: t.workspace,
    channels: [...t.channels].map(([channelId, overrides]) => ({ channelId, overrides, effective: effectiveThresholds(t.workspace, overrides) })),
    domains: [...t.domains].map(([domain, overrides]) => ({ domain, overrides, effective: effectiveThresholds(t.workspace, overrides) })),
  };
}

const describe = (t: ChannelAlertOverrides) =>
  [
    t.bounce ? `bounce ${t.bounce.warning}% / ${t.bounce.critical}%` : null,
    t.complaint ? `complaint ${t.complaint.warning}% / ${t.complaint.critical}%` : null,
    t.minVolume != null ? `minimum volume ${t.minVolume}` : null,
  ]
    .filter(Boolean)
    .join(", ") || "inherit everything";

export async function saveWorkspaceThresholds(db: Db, org: OrgContext, input: AlertThresholds, at = Date.now()): Promise<ThresholdsView> {
  const before = (await loadThresholds(db, org.orgId)).workspace;
  await db.batch([
    upsertAlertThresholdsQuery(db, {
      orgId: org.orgId,
      channelId: "",
      bounceWarning: input.bounce.warning,
      bounceCritical: input.bounce.critical,
      complaintWarning: input.complaint.warning,
      complaintCritical: input.complaint.critical,
      minVolume: input.minVolume,
      updatedAt: at,
    }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "alert_thresholds",
      resourceId: org.orgId,
      operation: "updated",
      summary: `Set the workspace's alert thresholds: ${describe(input)}`,
      before,
      after: input,
      at,
    }),
  ]);
  return getThresholdsView(db, org.orgId);
}

/** Overrides that set nothing: the scope inherits the workspace's levels again. */
const isEmptyOverride = (input: ChannelAlertOverrides) => !input.bounce && !input.complaint && input.minVolume == null;

/** The stored columns of an override (null = inherit), shared by the channel and sending-domain tables. */
const overrideColumns = (input: ChannelAlertOverrides) => ({
  bounceWarning: input.bounce?.warning ?? null,
  bounceCritical: input.bounce?.critical ?? null,
  complaintWarning: input.complaint?.warning ?? null,
  complaintCritical: input.complaint?.critical ?? null,
  minVolume: input.minVolume ?? null,
});

/** Saves a channel's overrides; with none left, the channel inherits the workspace's again. */
export async function saveChannelThresholds(db: Db, org: OrgContext, channelId: string, input: ChannelAlertOverrides, at = Date.now()): Promise<ThresholdsView> {
  const channel = await findChannel(db, org.orgId, channelId);
  if (!channel) throw notFound("Channel");
  const before = (await loadThresholds(db, org.orgId)).channels.get(channelId) ?? {};
  await db.batch([
    isEmptyOverride(input)
      ? deleteAlertThresholdsQuery(db, org.orgId, channelId)
      : upsertAlertThresholdsQuery(db, { orgId: org.orgId, channelId, ...overrideColumns(input), updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: channelId,
      operation: "updated",
      summary: `Set the alert thresholds of channel ${channel.name}: ${describe(input)}`,
      before,
      after: input,
      at,
    }),
  ]);
  return getThresholdsView(db, org.orgId);
}

/**
 * Saves the overrides of an identity's sending domain (the domain itself, or an address identity's
 * domain): the domain's identities share them. With none left, the domain inherits the workspace's again.
 */
export async function saveIdentityThresholds(db: Db, org: OrgContext, identityId: string, input: ChannelAlertOverrides, at = Date.now()): Promise<ThresholdsView> {
  const identity = await findIdentityById(db, org.orgId, identityId);
  if (!identity || identity.archivedAt !== null) throw notFound("Identity");
  const domain = domainOf(identity.identity);
  const before = (await loadThresholds(db, org.orgId)).domains.get(domain) ?? {};
  await db.batch([
    isEmptyOverride(input)
      ? deleteDomainThresholdsQuery(db, org.orgId, domain)
      : upsertDomainThresholdsQuery(db, { orgId: org.orgId, domain, ...overrideColumns(input), updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "identity",
      resourceId: identity.id,
      operation: "updated",
      summary: `Set the alert thresholds of sending domain ${domain} (identity ${identity.identity}): ${describe(input)}`,
      before,
      after: input,
      at,
    }),
  ]);
  return getThresholdsView(db, org.orgId);
}
