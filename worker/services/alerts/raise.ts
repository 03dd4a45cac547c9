/**
 * How the evaluators raise a notification. They never write notifications themselves: each receives a
 * `RaiseFn` (tests pass a capturing one) taking the notification service's `RaiseRequest`.
 */
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { insertAlertRaiseQuery } from "../../db/alerts";
import { raiseDepsOf, raiseNotification, type RaiseDeps, type RaiseRequest } from "../notifications/raise";

export type { RaiseRequest };

export type RaiseFn = (req: RaiseRequest) => Promise<unknown>;

/** Keeps each raised request in `alert_raises` (once per dedupe key). */
export const recordRaise = (env: Pick<Env, "DB">, at: () => number = Date.now): RaiseFn => recordRaiseIn(getDb(env.DB), at);

/** recordRaise on a database handle (the operator CLI has no Worker env). */
export function recordRaiseIn(db: Db, at: () => number = Date.now): RaiseFn {
  return async (req) => {
    const raisedAt = at();
    await insertAlertRaiseQuery(db, {
      orgId: req.orgId,
      dedupeKey: req.dedupeKey ?? `${req.type}:${raisedAt}`,
      type: req.type,
      paramsJson: JSON.stringify(req.params),
      payloadJson: req.payload ? JSON.stringify(req.payload) : null,
      link: req.link ?? null,
      raisedAt,
    }).run();
  };
}

/**
 * The raise every production caller (jobs consumer, cron, the channel and tracking-domain hooks) uses: the
 * request is kept in `alert_raises` (the evaluators' own log, once per dedupe key) and raised through the
 * notification service, which stores it once per dedupe key too and routes it to inboxes, email, Slack and
 * webhooks.
 */
export const productionRaise = (env: Env, at: () => number = Date.now): RaiseFn => raiseThrough(getDb(env.DB), raiseDepsOf(env), at);

/** productionRaise on a database handle (the operator CLI has no Worker env: in-app only, no delivery job). */
export const raiseIn = (db: Db, at: () => number = Date.now): RaiseFn => raiseThrough(db, { db, jobs: null }, at);

function raiseThrough(db: Db, deps: RaiseDeps, at: () => number): RaiseFn {
  const record = recordRaiseIn(db, at);
  return async (req) => {
    await record(req);
    return raiseNotification(deps, req, at());
  };
}

/**
 * A notification about a change that is already committed (channel created, tracking domain verified…):
 * raised through `productionRaise`, and a failure to raise is logged, never undoing or failing the change.
 */
export async function raiseAfterChange(env: Env, req: RaiseRequest): Promise<void> {
  await productionRaise(env)(req).catch((err) => console.error(`notification ${req.type} not raised`, err));
}
