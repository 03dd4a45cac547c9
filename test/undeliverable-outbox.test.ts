import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { pendingEntries } from "../durable-objects/undeliverable/outbox";
import type { OrgContext } from "../worker/context";
import type { Env } from "../worker/env";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { allowAddress } from "../worker/services/undeliverable";
import { call, newUser, type TestUser } from "./helpers";
import { fixture, ledger, newIngestOrg, queued, runConsumer } from "./ingest-helpers";
import { HOUR } from "../worker/lib/time";

/**
 * When a new failure ends an operator's Allow, the OrgLedger commits the re-list first; D1 (the
 * exclusion row, the audit entry) follows through the ledger's outbox. These tests break that D1 write
 * and check that the Allow still ends exactly once, with D1 agreeing with the OrgLedger.
 */

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser("outbox-owner", "Olive Owner");
});

const ADDRESSES = ["ann@example.net", "bob@example.net"];
let seq = 0;

/** One permanent bounce of a message to `recipients`, at `at`. */
function bounce(recipients: string[], at: number): SesEventBridgeEvent {
  const e = fixture("bounce-permanent-general");
  const iso = new Date(at).toISOString();
  e.id = `outbox-${++seq}`;
  e.time = iso;
  e.detail.mail.messageId = `0100018f-outbox-${seq}`;
  e.detail.mail.timestamp = iso;
  e.detail.mail.destination = [...recipients];
  if (e.detail.eventType === "Bounce") {
    e.detail.bounce.timestamp = iso;
    e.detail.bounce.bouncedRecipients = recipients.map((r) => ({ emailAddress: r, action: "failed", status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 ${r}` }));
  }
  return e;
}

const exclusions = async (orgId: string) =>
  (await env.DB.prepare("SELECT email, allowed_at FROM undeliverable_exclusions WHERE org_id = ? ORDER BY email").bind(orgId).all<{ email: string; allowed_at: number }>())
    .results;

const audit = async (orgId: string) =>
  (
    await env.DB.prepare("SELECT resource_id, operation, actor_name, at, before_json FROM audit_log WHERE org_id = ? AND resource_type = 'undeliverable_address' ORDER BY id")
      .bind(orgId)
      .all<{ resource_id: string; operation: string; actor_name: string; at: number; before_json: string | null }>()
  ).results;

const relistsAfterFailure = async (orgId: string) => (await audit(orgId)).filter((a) => a.operation === "relist_after_failure");

/** The OrgLedger's view of each address: status and, when excluded, the Allow's time. */
async function ledgerView(orgId: string) {
  const all = await call(`/api/orgs/${orgId}/undeliverable?status=all&limit=100`, { cookie: owner.cookie });
  expect(all.status).toBe(200);
  const rows = ((await all.json()) as { rows: { email: string; status: string; excludedAt: number | null }[] }).rows;
  return Object.fromEntries(rows.map((r) => [r.email, r.status === "excluded" ? { status: r.status, excludedAt: r.excludedAt } : { status: r.status }]));
}

/** D1's exclusions are exactly the OrgLedger's excluded addresses, with the same Allow times. */
async function expectConsistent(orgId: string) {
  const view = await ledgerView(orgId);
  const excludedInLedger = Object.entries(view)
    .filter(([, v]) => v.status === "excluded")
    .map(([email, v]) => ({ email, allowed_at: (v as { excludedAt: number }).excludedAt }));
  expect(await exclusions(orgId)).toEqual(excludedInLedger);
}

/** A workspace where both addresses bounced, then were allowed by its Owner. Returns the Allow times. */
async function allowedOrg() {
  const orgId = await newIngestOrg({ member: { userId: owner.id, role: "owner" } });
  expect((await runConsumer([queued(orgId, bounce(ADDRESSES, Date.now() - 2 * HOUR))])).retryMessages).toEqual([]);
  for (const email of ADDRESSES) {
    const res = await call(`/api/orgs/${orgId}/undeliverable/allow`, { method: "POST", cookie: owner.cookie, body: { email } });
    expect(res.status).toBe(200);
  }
  const allowed = await exclusions(orgId);
  expect(allowed.map((r) => r.email)).toEqual(ADDRESSES);
  return { orgId, lastAllowAt: Math.max(...allowed.map((r) => r.allowed_at)) };
}

/** Each D1 statement that ends an Allow: the exclusion's delete and the audit entry, per address. */
const STATEMENTS = ADDRESSES.flatMap((email) => [
  { name: `delete of ${email}'s exclusion`, table: "undeliverable_exclusions", on: "DELETE", when: `OLD.email = '${email}'` },
  { name: `audit entry for ${email}`, table: "audit_log", on: "INSERT", when: `NEW.resource_id = '${email}' AND NEW.operation = 'relist_after_failure'` },
]);

/** Makes that statement fail for this workspace (whoever runs it) until `heal()`. */
async function breakStatement(orgId: string, s: (typeof STATEMENTS)[number]) {
  const name = `fault_${++seq}`;
  const owner = s.on === "DELETE" ? "OLD" : "NEW";
  await env.DB.prepare(
    `CREATE TRIGGER ${name} BEFORE ${s.on} ON ${s.table} WHEN ${owner}.org_id = '${orgId}' AND ${s.when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
  ).run();
  return { heal: () => env.DB.prepare(`DROP TRIGGER ${name}`).run() };
}

describe("a new failure after an Allow, with the D1 write failing", () => {
  for (const statement of STATEMENTS) {
    it(`ends each Allow exactly once when the ${statement.name} fails, and D1 then agrees with the OrgLedger`, async () => {
      const { orgId, lastAllowAt } = await allowedOrg();
      const failure = [queued(orgId, bounce(ADDRESSES, lastAllowAt + 1000))];

      const fault = await breakStatement(orgId, statement);
      const failed = await runConsumer(failure);
      expect(failed.retryMessages).toHaveLength(1);
      // The OrgLedger has listed both again; D1 has not followed yet, and nothing of it is half-written.
      expect(Object.values(await ledgerView(orgId)).map((v) => v.status)).toEqual(["listed", "listed"]);
      expect((await exclusions(orgId)).map((r) => r.email)).toEqual(ADDRESSES);
      expect(await relistsAfterFailure(orgId)).toEqual([]);

      await fault.heal();
      expect((await runConsumer(failure, env, 2)).retryMessages).toEqual([]);
      expect(await exclusions(orgId)).toEqual([]);
      const ended = await relistsAfterFailure(orgId);
      expect(ended.map((a) => [a.resource_id, a.actor_name])).toEqual(ADDRESSES.map((email) => [email, "SendOps"]));
      await expectConsistent(orgId);

      // Delivered again (the queue is at least once): nothing more is written.
      expect((await runConsumer(failure, env, 3)).retryMessages).toEqual([]);
      expect(await relistsAfterFailure(orgId)).toEqual(ended);
      await expectConsistent(orgId);
      expect(await runInDurableObject(ledger(orgId), (_i, state) => pendingEntries(state.storage.sql))).toEqual([]);
    });
  }

  it("an Allow given again before D1 followed is kept: only the Allow the failure ended is forgotten", async () => {
    const { orgId, lastAllowAt } = await allowedOrg();
    const [ann, bob] = ADDRESSES as [string, string];
    const failedAt = lastAllowAt + 1000;
    const failure = [queued(orgId, bounce(ADDRESSES, failedAt))];
    const fault = await breakStatement(orgId, STATEMENTS[0]!);
    expect((await runConsumer(failure)).retryMessages).toHaveLength(1);
    await fault.heal();

    // The operator sees ann listed again and allows her again, after that failure, before the retry.
    const org: OrgContext = { orgId, name: "Outbox", slug: orgId, isDemo: false, plan: "business", role: "owner", actor: { userId: owner.id, name: "Olive Owner", email: owner.email } };
    await allowAddress(env, org, { email: ann }, failedAt + 1000);
    expect((await runConsumer(failure, env, 2)).retryMessages).toEqual([]);

    expect(await exclusions(orgId)).toEqual([{ email: ann, allowed_at: failedAt + 1000 }]);
    expect(await ledgerView(orgId)).toMatchObject({ [ann]: { status: "excluded" }, [bob]: { status: "listed" } });
    await expectConsistent(orgId);
    expect((await audit(orgId)).map((a) => [a.resource_id, a.operation])).toEqual([
      [ann, "allow"],
      [bob, "allow"],
      [ann, "allow"],
      [ann, "relist_after_failure"],
      [bob, "relist_after_failure"],
    ]);
  });
});

describe("the outbox's acknowledgement", () => {
  it("lost after D1 was written: the retry offers the same entries again and nothing is written twice", async () => {
    const { orgId, lastAllowAt } = await allowedOrg();
    const failure = [queued(orgId, bounce(ADDRESSES, lastAllowAt + 1000))];
    const real = env.ORG_LEDGER;
    const lostAcks = {
      idFromName: (name: string) => real.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          recordQualifying: (...args: Parameters<typeof stub.recordQualifying>) => stub.recordQualifying(...args),
          ackOutbox: async () => {
            throw new Error("connection lost");
          },
        };
      },
    } as unknown as Env["ORG_LEDGER"];

    const failed = await runConsumer(failure, { ...env, ORG_LEDGER: lostAcks } as Env);
    expect(failed.retryMessages).toHaveLength(1);
    expect(await exclusions(orgId)).toEqual([]);
    const ended = await relistsAfterFailure(orgId);
    expect(ended).toHaveLength(2);

    expect((await runConsumer(failure, env, 2)).retryMessages).toEqual([]);
    expect(await relistsAfterFailure(orgId)).toEqual(ended);
    await expectConsistent(orgId);
    expect(await runInDurableObject(ledger(orgId), (_i, state) => pendingEntries(state.storage.sql))).toEqual([]);
  });
});
