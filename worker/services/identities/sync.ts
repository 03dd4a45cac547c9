/**
 * The identities half of the account sync (docs/aws.md, "Phase 3"): every SES identity becomes a managed
 * identity (New for 7 days), one gone from SES is marked Detached (still counted until archived), one
 * back in SES is reattached (and un-archived). Disconnected identities stay disconnected: only Connect
 * undoes that. Besides ListEmailIdentities, a bounded number of identities per sync are read in detail
 * (GetEmailIdentity: DKIM status and tokens, configuration set), those that are new or changed first and
 * the rest in turn, so a large account is covered over a few syncs without exceeding the Worker's
 * subrequest budget.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { listAllIdentities } from "../../db/identities";
import { insertIdentityQuery, updateIdentityQuery, type IdentityRow } from "../../db/ingest";
import type { EmailIdentityDetails, EmailIdentitySummary, SesClient } from "../../aws/ses";
import { newId } from "../../lib/ids";
import { HOUR } from "../../lib/time";
import { isNotFound } from "./aws-errors";

/** GetEmailIdentity calls per sync, and how many run at once. */
export const SYNC_DETAIL_READS = 40;
const DETAIL_CONCURRENCY = 4;

export interface IdentitySyncChanges {
  newIdentities: string[];
  detachedIdentities: string[];
  reattachedIdentities: string[];
}

const identityKind = (type: string) => (type === "EMAIL_ADDRESS" ? ("email" as const) : ("domain" as const));

/** Which SES identities to read in detail this time: new or changed ones first, then a window that moves each hour. */
export function pickDetailReads(sesIdentities: readonly EmailIdentitySummary[], known: ReadonlyMap<string, IdentityRow>, at: number, limit = SYNC_DETAIL_READS): string[] {
  const urgent: string[] = [];
  const rest: string[] = [];
  for (const s of sesIdentities) {
    const name = s.name.toLowerCase();
    const mine = known.get(name);
    const stale = !mine || mine.verificationStatus !== s.verificationStatus || mine.detachedAt !== null || (mine.kind === "domain" && mine.dkimTokensJson === null);
    (stale ? urgent : rest).push(s.name);
  }
  const picked = urgent.slice(0, limit);
  const room = limit - picked.length;
  if (room > 0 && rest.length) {
    const start = (Math.floor(at / HOUR) * room) % rest.length;
    picked.push(...[...rest.slice(start), ...rest.slice(0, start)].slice(0, room));
  }
  return picked;
}

async function readDetails(ses: SesClient, names: readonly string[]): Promise<Map<string, EmailIdentityDetails>> {
  const out = new Map<string, EmailIdentityDetails>();
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      try {
        out.set(name.toLowerCase(), await ses.getEmailIdentity(name));
      } catch (err) {
        // Deleted between the list and this read: the next sync marks it detached.
        if (!isNotFound(err)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: DETAIL_CONCURRENCY }, worker));
  return out;
}

function detailColumns(kind: IdentityRow["kind"], d: EmailIdentityDetails | undefined) {
  if (!d) return {};
  return {
    configurationSetName: d.configurationSetName,
    ...(kind === "domain" ? { dkimStatus: d.dkim?.status ?? null, dkimTokensJson: JSON.stringify(d.dkim?.tokens ?? []) } : {}),
  };
}

/**
 * The statements that fold SES's identities into the workspace's rows, and what changed. Names in
 * `notSending` (tracking domains' subdomains) are neither added nor marked detached: their SES identity
 * serves the tracking CNAME, so it is no sending identity, and a row a member made for one stays as it is.
 */
export async function syncIdentities(
  db: Db,
  ses: SesClient,
  orgId: string,
  at: number,
  allInSes: readonly EmailIdentitySummary[],
  notSending: ReadonlySet<string>,
) {
  const sesIdentities = allInSes.filter((i) => !notSending.has(i.name.toLowerCase()));
  const before = (await listAllIdentities(db, orgId)).filter((i) => !notSending.has(i.identity));
  const known = new Map(before.map((i) => [i.identity, i]));
  const details = await readDetails(ses, pickDetailReads(sesIdentities, known, at));
  const changes: IdentitySyncChanges = { newIdentities: [], detachedIdentities: [], reattachedIdentities: [] };
  const statements: BatchItem<"sqlite">[] = [];
  const inSes = new Set<string>();
  for (const s of sesIdentities) {
    const name = s.name.toLowerCase();
    inSes.add(name);
    const mine = known.get(name);
    const kind = mine?.kind ?? identityKind(s.type);
    const synced = { verificationStatus: s.verificationStatus, sendingEnabled: s.sendingEnabled, lastSyncedAt: at, detachedAt: null, ...detailColumns(kind, details.get(name)) };
    if (mine) {
      const back = mine.detachedAt !== null || mine.archivedAt !== null;
      if (back) changes.reattachedIdentities.push(name);
      const set = back ? { ...synced, archivedAt: null } : synced;
      statements.push(updateIdentityQuery(db, orgId, mine.id, set));
    } else {
      changes.newIdentities.push(name);
      const row = { id: newId("idn", at), orgId, identity: name, kind, origin: "ses" as const, createdAt: at, ...synced };
      statements.push(insertIdentityQuery(db, row));
    }
  }
  for (const mine of before) {
    if (inSes.has(mine.identity) || mine.detachedAt !== null) continue;
    changes.detachedIdentities.push(mine.identity);
    statements.push(updateIdentityQuery(db, orgId, mine.id, { detachedAt: at }));
  }
  return { statements, changes };
}
