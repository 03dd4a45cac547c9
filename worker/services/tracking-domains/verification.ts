/**
 * One verification check of a tracking domain: what DNS and SES say now (observe), and how that moves
 * each half's status (settle, pure). Used alike by Verify Now and the background checks.
 */
import type { Env } from "../../env";
import type { TrackingCheckStatus } from "../../db/schema";
import type { TrackingDomainPatch, TrackingDomainRow } from "../../db/tracking-domains";
import { AwsError } from "../../aws/common";
import { lookup } from "../../integrations/dns";
import { AppError } from "../../lib/errors";
import { explainAwsError, sesForOrg } from "../aws-connection";
import { cnameTarget, nextCheckAt, VERIFICATION_WINDOW } from "./rules";

/**
 * A half's observation: `ok` (verified), `wrong` (looked, not right: `failed` when SES says so),
 * or `unknown` (could not look: the resolver or AWS failed), each with what to tell the user.
 */
export type Observation = { kind: "ok" } | { kind: "wrong"; failed: boolean; message: string } | { kind: "unknown"; message: string };

export interface Observations {
  cname: Observation;
  identity: Observation;
}

/** The CNAME half: the subdomain's CNAME (or a CNAME along its chain) is the expected target. */
export async function observeCname(env: Pick<Env, "DNS_RESOLVER_URL">, subdomain: string, target: string): Promise<Observation> {
  try {
    const answer = await lookup(env, subdomain, "CNAME");
    if (answer.values.includes(target)) return { kind: "ok" };
    const message =
      answer.outcome === "found"
        ? `The CNAME of ${subdomain} points to ${answer.values[0]}, not to ${target}.`
        : `${subdomain} has no CNAME record yet: add CNAME ${subdomain} → ${target} at your DNS provider.`;
    return { kind: "wrong", failed: false, message };
  } catch (err) {
    if (err instanceof AppError) return { kind: "unknown", message: err.message };
    throw err;
  }
}

/** The SES half: GetEmailIdentity's DKIM status (verified only at SUCCESS). */
export async function observeIdentity(env: Env, orgId: string, subdomain: string): Promise<Observation> {
  let region = "";
  try {
    const { ses, connection } = await sesForOrg(env, orgId);
    region = connection.region ?? "";
    const status = (await ses.getEmailIdentity(subdomain)).dkim?.status ?? "NOT_STARTED";
    if (status === "SUCCESS") return { kind: "ok" };
    if (status === "FAILED") {
      return { kind: "wrong", failed: true, message: `SES reports DKIM verification of ${subdomain} FAILED: check the three DKIM CNAME records.` };
    }
    return { kind: "wrong", failed: false, message: `SES reports DKIM status ${status} for ${subdomain}: its three DKIM CNAME records are not detected yet.` };
  } catch (err) {
    if (err instanceof AwsError && err.code === "NotFoundException") {
      return { kind: "wrong", failed: true, message: `SES has no identity ${subdomain} any more (deleted outside SendOps?). Delete this tracking domain and add it again.` };
    }
    if (err instanceof AwsError) return { kind: "unknown", message: `Could not read the SES identity: ${explainAwsError(err, env, region)}` };
    if (err instanceof AppError) return { kind: "unknown", message: err.message };
    throw err;
  }
}

export async function observe(env: Env, row: TrackingDomainRow): Promise<Observations> {
  const [cname, identity] = await Promise.all([
    observeCname(env, row.subdomain, cnameTarget(row.protocol, row.region, row.cdnDomain)),
    observeIdentity(env, row.orgId, row.subdomain),
  ]);
  return { cname, identity };
}

/** Where a half's status goes from `was`, given what was seen, once the window may have closed. */
function nextStatus(half: "cname" | "identity", was: TrackingCheckStatus, seen: Observation, windowOver: boolean): TrackingCheckStatus {
  if (seen.kind === "ok") return "verified";
  if (seen.kind === "wrong" && seen.failed) return "failed";
  // Drift: a CNAME that was right no longer is. (SES revokes DKIM with FAILED, handled above.)
  if (seen.kind === "wrong" && half === "cname" && (was === "verified" || was === "invalid")) return "invalid";
  if (was === "verified" || was === "invalid") return was;
  return windowOver ? "failed" : seen.kind === "unknown" ? was : "pending";
}

export const scheduleStart = (row: Pick<TrackingDomainRow, "checksStartedAt" | "createdAt">) => row.checksStartedAt ?? row.createdAt;

/** The row's changes after a check at `at`: both statuses, their times, the error shown, the next check. */
export function settle(row: TrackingDomainRow, seen: Observations, at: number): TrackingDomainPatch & { cnameStatus: TrackingCheckStatus; identityStatus: TrackingCheckStatus } {
  const start = scheduleStart(row);
  const windowOver = at >= start + VERIFICATION_WINDOW;
  const cname = nextStatus("cname", row.cnameStatus, seen.cname, windowOver);
  const identity = nextStatus("identity", row.identityStatus, seen.identity, windowOver);
  const errors = [seen.cname, seen.identity].flatMap((o) => (o.kind === "ok" ? [] : [o.message]));
  return {
    cnameStatus: cname,
    cnameCheckedAt: seen.cname.kind === "unknown" ? row.cnameCheckedAt : at,
    cnameVerifiedAt: cname === "verified" ? (row.cnameStatus === "verified" ? row.cnameVerifiedAt : at) : row.cnameVerifiedAt,
    identityStatus: identity,
    identityCheckedAt: seen.identity.kind === "unknown" ? row.identityCheckedAt : at,
    identityVerifiedAt: identity === "verified" ? (row.identityStatus === "verified" ? row.identityVerifiedAt : at) : row.identityVerifiedAt,
    lastError: errors.length ? errors.join(" ") : null,
    nextCheckAt: nextCheckAt(start, at, { cname, identity }),
    updatedAt: at,
  };
}
