/**
 * Verification of tracking domains: Verify Now (a user's immediate check, with a cooldown) and the
 * background checks the cron queues on the decay schedule (rules.ts), one job per due domain.
 */
import type { Actor, OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { raiseAfterChange } from "../alerts/raise";
import { claimDueTrackingChecks, findTrackingDomain, updateTrackingDomainQuery, type TrackingDomainRow } from "../../db/tracking-domains";
import { tooManyRequests } from "../../lib/errors";
import { MINUTE } from "../../lib/time";
import { trackingDomainRow } from "./manage";
import { VERIFY_NOW_COOLDOWN_MS } from "./rules";
import { observe, settle } from "./verification";
import { trackingDomainView, type TrackingDomainView } from "./views";

export interface TrackingCheckJob {
  kind: "tracking.check";
  orgId: string;
  trackingDomainId: string;
}

/** Domains the cron queues per tick at most (bounded work; the rest wait for the next tick). */
export const CHECKS_PER_TICK = 100;
/** A queued check not done by then is queued again (its job was lost or keeps failing). */
export const CHECK_LEASE = 15 * MINUTE;

/** Who the audit log names for a status change the background checks found. */
const CHECKER: Actor = { userId: null, name: "SendOps", email: "" };

const AUDIT = "tracking_domain";
const halves = (r: Pick<TrackingDomainRow, "cnameStatus" | "identityStatus">) => `DNS CNAME ${r.cnameStatus}, SES identity ${r.identityStatus}`;

/** Runs one check and stores it; an audit entry when a user asked for it or a status changed. */
async function checkAndStore(env: Env, row: TrackingDomainRow, at: number, manual: Actor | null): Promise<TrackingDomainRow> {
  const db = getDb(env.DB);
  const patch = { ...settle(row, await observe(env, row), at), ...(manual ? { lastManualCheckAt: at } : {}) };
  const after = { ...row, ...patch };
  const changed = after.cnameStatus !== row.cnameStatus || after.identityStatus !== row.identityStatus;
  const audit =
    manual || changed
      ? [
          auditInsert(db, {
            orgId: row.orgId,
            actor: manual ?? CHECKER,
            resourceType: AUDIT,
            resourceId: row.id,
            operation: manual ? "check" : "verification_change",
            summary: manual
              ? `Checked tracking domain ${row.subdomain}: ${halves(after)}`
              : `Tracking domain ${row.subdomain}: ${halves(row)} → ${halves(after)}`,
            before: { cnameStatus: row.cnameStatus, identityStatus: row.identityStatus },
            after: { cnameStatus: after.cnameStatus, identityStatus: after.identityStatus, error: after.lastError },
            at,
          }),
        ]
      : [];
  await db.batch([updateTrackingDomainQuery(db, row.orgId, row.id, patch), ...audit]);
  if (changed) await raiseStatusChange(env, row, after, at);
  return after;
}

type Overall = "verified" | "failed" | "pending";
const overallOf = (r: Pick<TrackingDomainRow, "cnameStatus" | "identityStatus">): Overall =>
  r.cnameStatus === "verified" && r.identityStatus === "verified"
    ? "verified"
    : [r.cnameStatus, r.identityStatus].some((s) => s === "failed" || s === "invalid")
      ? "failed"
      : "pending";

/** Verified, failed, or drifted (verified before, not any more): the channel events of a status change. */
async function raiseStatusChange(env: Env, before: TrackingDomainRow, after: TrackingDomainRow, at: number): Promise<void> {
  const [was, now] = [overallOf(before), overallOf(after)];
  if (was === now) return;
  const reason = after.lastError ?? halves(after);
  const type =
    now === "verified" ? "channel_events.tracking_domain_verified" : was === "verified" ? "channel_events.tracking_domain_drift" : now === "failed" ? "channel_events.tracking_domain_failed" : null;
  if (!type) return;
  await raiseAfterChange(env, {
    orgId: after.orgId,
    type,
    params: { domain: after.subdomain, reason },
    payload: { trackingDomainId: after.id, cnameStatus: after.cnameStatus, identityStatus: after.identityStatus },
    link: "tracking-domains",
    dedupeKey: `${after.orgId}:${type}:${after.id}:${at}`,
  });
}

/** Verify Now: an immediate check of both halves, at most once per cooldown. */
export async function verifyTrackingDomainNow(env: Env, org: OrgContext, id: string, at = Date.now()): Promise<TrackingDomainView> {
  const row = await trackingDomainRow(env, org.orgId, id);
  if (row.lastManualCheckAt !== null && at < row.lastManualCheckAt + VERIFY_NOW_COOLDOWN_MS) {
    const wait = Math.ceil((row.lastManualCheckAt + VERIFY_NOW_COOLDOWN_MS - at) / 1000);
    throw tooManyRequests(wait, `Verify Now was used ${Math.floor((at - row.lastManualCheckAt) / 1000)} s ago: try again in ${wait} s.`);
  }
  return trackingDomainView(await checkAndStore(env, row, at, org.actor));
}

/** Cron: claims the domains whose check is due and queues one job each. */
export async function queueDueTrackingChecks(env: Env, at = Date.now(), limit = CHECKS_PER_TICK): Promise<number> {
  const due = await claimDueTrackingChecks(getDb(env.DB), at, at + CHECK_LEASE, limit);
  const jobs = due.map((d): { body: TrackingCheckJob; contentType: "json" } => ({
    body: { kind: "tracking.check", orgId: d.orgId, trackingDomainId: d.id },
    contentType: "json",
  }));
  if (jobs.length) await env.JOBS_QUEUE.sendBatch(jobs);
  return jobs.length;
}

/** The job: one background check (a domain deleted meanwhile is skipped). */
export async function runTrackingCheck(env: Env, job: TrackingCheckJob, at = Date.now()): Promise<void> {
  const row = await findTrackingDomain(getDb(env.DB), job.orgId, job.trackingDomainId);
  if (row) await checkAndStore(env, row, at, null);
}
