/**
 * How the evaluators raise a notification. They never write notifications themselves: each receives a
 * `RaiseFn` (tests pass a capturing one) taking the notification service's `RaiseRequest`.
 */
import type { Env } from "../../env";
import type { Db } from "../../db/client";
import { raiseDepsOf, raiseNotification, type RaiseDeps, type RaiseRequest } from "../notifications/raise";

export type { RaiseRequest };

export type RaiseFn = (req: RaiseRequest) => Promise<unknown>;

/**
 * The raise every production caller (jobs consumer, cron, the channel and tracking-domain hooks) uses: the
 * notification service, which stores each request once per dedupe key and routes it to inboxes, email, Slack
 * and webhooks.
 */
export const productionRaise = (env: Env, at: () => number = Date.now): RaiseFn => raiseThrough(raiseDepsOf(env), at);

/** productionRaise on a database handle (the operator CLI has no Worker env: in-app only, no delivery job). */
export const raiseIn = (db: Db, at: () => number = Date.now): RaiseFn => raiseThrough({ db, jobs: null }, at);

function raiseThrough(deps: RaiseDeps, at: () => number): RaiseFn {
  return (req) => raiseNotification(deps, req, at());
}

/**
 * A notification about a change that is already committed (channel created, tracking domain verified…):
 * raised through `productionRaise`, and a failure to raise is logged, never undoing or failing the change.
 */
export async function raiseAfterChange(env: Env, req: RaiseRequest): Promise<void> {
  await productionRaise(env)(req).catch((err) => console.error(`notification ${req.type} not raised`, err));
}
