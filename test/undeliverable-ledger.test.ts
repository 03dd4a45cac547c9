import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { OrgLedger } from "../durable-objects/org-ledger";
import { describe, expect, it } from "vitest";
import { excludeAddress, relistAddress } from "../durable-objects/undeliverable/exclusions";
import { previewRules } from "../durable-objects/undeliverable/preview";
import { acknowledge, pendingEntries } from "../durable-objects/undeliverable/outbox";
import { recordEvents } from "../durable-objects/undeliverable/record";
import { syncSettings } from "../durable-objects/undeliverable/settings";
import { getAddress, listAddresses } from "../durable-objects/undeliverable/views";
import { nextDueAt, processDue } from "../durable-objects/undeliverable/windows";
import type { LedgerSettings, QualifyingRow } from "../worker/classification/types";
import { categorize, evaluate, type ClassifiedEvent } from "../worker/classification/evaluate";
import { presetRules, REASONS, type Rules } from "../worker/classification/rules";
import { DAY } from "../worker/lib/time";

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
let seq = 0;

/** Runs `fn` inside a fresh OrgLedger (its own storage) with the given settings applied at `NOW`. */
function ledger(settings: Partial<LedgerSettings> = {}) {
  const name = `ul-test-${Date.now()}-${++seq}`;
  const stub = env.ORG_LEDGER.get(env.ORG_LEDGER.idFromName(name));
  const s: LedgerSettings = { orgId: name, retentionDays: 365, rules: presetRules("standard"), ...settings };
  let synced = false;
  return <T>(fn: (sql: SqlStorage) => T): Promise<T> =>
    runInDurableObject(stub, (_instance, state) => {
      if (!synced) syncSettings(state.storage.sql, s, NOW);
      synced = true;
      return fn(state.storage.sql);
    });
}

type Kind = "permanent" | "complaint" | "reject" | "transient" | "undetermined" | "soft" | "channel_limit" | "delay" | "delivery";
function row(email: string, kind: Kind, at: number, extra: Partial<QualifyingRow> = {}): QualifyingRow {
  const base = { eventKey: `k${++seq}`, email, at, diagnostic: `550 5.1.1 diag ${seq}`, messageId: `m${seq}`, channelId: null };
  const shape: Record<Kind, Pick<QualifyingRow, "eventType" | "bounceType" | "subType">> = {
    permanent: { eventType: "bounce", bounceType: "Permanent", subType: "NoEmail" },
    complaint: { eventType: "complaint", bounceType: null, subType: "abuse" },
    reject: { eventType: "reject", bounceType: null, subType: null },
    transient: { eventType: "bounce", bounceType: "Transient", subType: "General" },
    undetermined: { eventType: "bounce", bounceType: "Undetermined", subType: "Undetermined" },
    soft: { eventType: "bounce", bounceType: "Transient", subType: "MailboxFull" },
    channel_limit: { eventType: "bounce", bounceType: "Transient", subType: "ChannelLimitExceeded" },
    delay: { eventType: "delivery_delay", bounceType: null, subType: null },
    delivery: { eventType: "delivery", bounceType: null, subType: null },
  };
  return { ...base, ...shape[kind], ...extra };
}
const rows = (email: string, kind: Kind, n: number, newest: number) =>
  Array.from({ length: n }, (_, i) => row(email, kind, newest - i * 3_600_000));

const listAll = (sql: SqlStorage, status: "listed" | "excluded" | "all" = "listed") =>
  listAddresses(sql, { status, limit: 1000 }).rows;

describe("ingest", () => {
  it("stores each event once and lists on the threshold, with the latest diagnostic", async () => {
    const run = ledger();
    const two = rows("Ann@Example.test", "transient", 2, NOW - DAY);
    expect(await run((sql) => recordEvents(sql, two, NOW).stored)).toBe(2);
    expect(await run((sql) => recordEvents(sql, two, NOW).stored)).toBe(0);
    expect(await run((sql) => getAddress(sql, "ann@example.test")?.status)).toBe("clear");
    const third = row("ann@example.test", "transient", NOW - 1000, { diagnostic: "550 5.7.1 Message rejected by policy" });
    await run((sql) => recordEvents(sql, [third], NOW));
    const view = await run((sql) => getAddress(sql, "ANN@example.test"));
    expect(view).toMatchObject({
      email: "ann@example.test",
      status: "listed",
      reason: "repeated_transient",
      events: 3,
      lastChange: NOW - 1000,
      lastDiagnostic: "550 5.7.1 Message rejected by policy",
    });
  });

  it("successes, DeliveryDelay and ChannelLimitExceeded never list an address or count as events", async () => {
    const run = ledger({ rules: { ...presetRules("aggressive"), soft_bounce_accumulation: { enabled: true, events: 1, windowDays: 14 } } });
    await run((sql) =>
      recordEvents(
        sql,
        [...rows("quiet@x.test", "delivery", 10, NOW), ...rows("quiet@x.test", "delay", 10, NOW), ...rows("quiet@x.test", "channel_limit", 10, NOW)],
        NOW,
      ),
    );
    expect(await run((sql) => getAddress(sql, "quiet@x.test"))).toBeNull();
    await run((sql) => recordEvents(sql, [row("quiet@x.test", "soft", NOW)], NOW));
    expect(await run((sql) => getAddress(sql, "quiet@x.test"))).toMatchObject({ status: "listed", reason: "soft_bounce_accumulation", events: 1 });
  });

  it("events already outside retention are ignored", async () => {
    const run = ledger({ retentionDays: 7 });
    await run((sql) => recordEvents(sql, [row("old@x.test", "permanent", NOW - 8 * DAY)], NOW));
    expect(await run((sql) => getAddress(sql, "old@x.test"))).toBeNull();
  });

  it("agrees with the pure engine for random histories arriving in random order, under random rules", async () => {
    let rnd = 42;
    const rand = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kinds: Kind[] = ["permanent", "complaint", "reject", "transient", "undetermined", "soft", "channel_limit"];
    const history = new Map<string, QualifyingRow[]>();
    const all: QualifyingRow[] = [];
    for (let a = 0; a < 60; a++) {
      const email = `r${a}@rand.test`;
      const n = 1 + Math.floor(rand() * 12);
      const mine: QualifyingRow[] = [];
      for (let i = 0; i < n; i++) {
        // Mostly configurable kinds, so windows and thresholds decide; some share a timestamp.
        const kind = rand() < 0.1 ? kinds[Math.floor(rand() * 3)]! : kinds[3 + Math.floor(rand() * 4)]!;
        mine.push(row(email, kind, NOW - Math.floor(rand() * 40) * DAY / 2));
      }
      history.set(email, mine);
      all.push(...mine);
    }
    all.sort(() => rand() - 0.5);
    const randomRules = (): Rules => ({
      repeated_transient: { enabled: rand() < 0.8, events: 1 + Math.floor(rand() * 5), windowDays: 1 + Math.floor(rand() * 25) },
      undetermined: { enabled: rand() < 0.8, events: 1 + Math.floor(rand() * 5), windowDays: 1 + Math.floor(rand() * 25) },
      soft_bounce_accumulation: { enabled: rand() < 0.8, events: 1 + Math.floor(rand() * 5), windowDays: 1 + Math.floor(rand() * 25) },
    });
    const expected = (rules: Rules) => {
      const out = new Map<string, string | null>();
      for (const [email, evs] of history) {
        const classified: ClassifiedEvent[] = evs.flatMap((e) => {
          const c = categorize(e);
          return c ? [{ ...c, at: e.at }] : [];
        });
        if (classified.length) out.set(email, evaluate(classified, rules, NOW, 365).reason);
      }
      return out;
    };
    const actual = (sql: SqlStorage) =>
      new Map([...history.keys()].flatMap((e) => {
        const v = getAddress(sql, e);
        return v ? [[e, v.reason] as const] : [];
      }));

    const first = randomRules();
    const run = ledger({ rules: first });
    for (let i = 0; i < all.length; i += 25) await run((sql) => recordEvents(sql, all.slice(i, i + 25), NOW));
    expect(await run(actual)).toEqual(expected(first));

    let current = first;
    for (let round = 0; round < 8; round++) {
      const candidate = randomRules();
      const want = expected(candidate);
      const before = expected(current);
      const listed = (m: Map<string, string | null>) => new Set([...m].filter(([, r]) => r !== null).map(([e]) => e));
      const [now, next] = [listed(before), listed(want)];
      const preview = await run((sql) => previewRules(sql, candidate, NOW));
      expect(preview.currentSize).toBe(now.size);
      expect(preview.candidateSize).toBe(next.size);
      expect(preview.added).toBe([...next].filter((e) => !now.has(e)).length);
      expect(preview.removed).toBe([...now].filter((e) => !next.has(e)).length);
      for (const reason of REASONS) expect(preview.breakdown[reason]).toBe([...want.values()].filter((r) => r === reason).length);
      await run((sql) => syncSettings(sql, { orgId: "x", retentionDays: 365, rules: candidate }, NOW));
      expect(await run(actual)).toEqual(want);
      current = candidate;
    }
  });

  it("keeps only the 100 most recent events per category in the ranking, and a 100-event rule still works", async () => {
    const rules: Rules = { ...presetRules("strict"), repeated_transient: { enabled: true, events: 100, windowDays: 30 } };
    const run = ledger({ rules });
    const many = Array.from({ length: 130 }, (_, i) => row("heavy@x.test", "transient", NOW - 20 * DAY + i * 60_000));
    await run((sql) => recordEvents(sql, many.slice(0, 99), NOW));
    expect(await run((sql) => getAddress(sql, "heavy@x.test")?.status)).toBe("clear");
    await run((sql) => recordEvents(sql, many.slice(99).reverse(), NOW));
    expect(await run((sql) => getAddress(sql, "heavy@x.test"))).toMatchObject({ status: "listed", events: 130 });
    const ranked = await run((sql) =>
      sql.exec<{ n: number; max: number }>("SELECT count(*) AS n, max(pos) AS max FROM ul_events WHERE pos IS NOT NULL").one(),
    );
    expect(ranked).toEqual({ n: 100, max: 100 });
    // The 100th most recent is event #30 (0-based) of the series: the rule lapses when it leaves the window.
    expect(await run((sql) => previewRules(sql, rules, many[30]!.at + 30 * DAY).candidateSize)).toBe(1);
    expect(await run((sql) => previewRules(sql, rules, many[30]!.at + 30 * DAY + 1).candidateSize)).toBe(0);
  });
});

describe("windows lapse and retention", () => {
  it("the OrgLedger's alarm drops the address once its window no longer holds", async () => {
    const ns = env.ORG_LEDGER;
    const stub = ns.get(ns.idFromName(`ul-alarm-${Date.now()}-${++seq}`));
    // The ledger's clock, days ahead of the real one, so the runtime never fires the alarm by itself.
    const start = Date.now() + 10 * DAY;
    const setClock = (at: number) => runInDurableObject(stub, (ledger) => void ((ledger as OrgLedger).clock = () => at));
    const alarmAt = () => runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    const status = () => runInDurableObject(stub, (_i, state) => getAddress(state.storage.sql, "alarm@x.test")?.status);
    await setClock(start);
    // Standard: 3 transient bounces in 30 days. The oldest leaves the window 1.5 s after `start`.
    const oldest = start - 30 * DAY + 1500;
    await stub.recordQualifying([oldest, start - 1000, start - 2000].map((at) => row("alarm@x.test", "transient", at)));
    expect(await status()).toBe("listed");
    const lapse = oldest + 30 * DAY + 1;
    expect(await alarmAt()).toBe(lapse);

    // An early run changes nothing and re-arms the alarm.
    await setClock(lapse - 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await status()).toBe("listed");
    expect(await alarmAt()).toBe(lapse);
    await setClock(lapse);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await status()).toBe("clear");
    // Next: the oldest event leaving the 365-day retention (the Worker has not told this DO the plan).
    expect(await alarmAt()).toBe(oldest + 365 * DAY + 1);
  });

  it("re-evaluates when the window no longer holds: the address falls off at the lapse, not before", async () => {
    const run = ledger();
    const oldest = NOW - 10 * DAY;
    await run((sql) => recordEvents(sql, [row("lapse@x.test", "transient", oldest), ...rows("lapse@x.test", "transient", 2, NOW - DAY)], NOW));
    const lapse = oldest + 30 * DAY + 1;
    expect(await run((sql) => nextDueAt(sql))).toBe(lapse);
    await run((sql) => processDue(sql, lapse - 1));
    expect(await run((sql) => getAddress(sql, "lapse@x.test")?.status)).toBe("listed");
    await run((sql) => processDue(sql, lapse));
    expect(await run((sql) => getAddress(sql, "lapse@x.test"))).toMatchObject({ status: "clear", reason: null, events: 3 });
    expect(await run((sql) => listAll(sql).map((r) => r.email))).not.toContain("lapse@x.test");
  });

  it("falls back to the next matching reason when a higher one lapses", async () => {
    const run = ledger({ rules: presetRules("aggressive") });
    await run((sql) =>
      recordEvents(sql, [...rows("two@x.test", "transient", 3, NOW - 29 * DAY), ...rows("two@x.test", "soft", 5, NOW - DAY)], NOW),
    );
    expect(await run((sql) => getAddress(sql, "two@x.test")?.reason)).toBe("repeated_transient");
    const due = (await run((sql) => nextDueAt(sql)))!;
    await run((sql) => processDue(sql, due));
    expect(await run((sql) => getAddress(sql, "two@x.test")?.reason)).toBe("soft_bounce_accumulation");
  });

  it("locked reasons and event counts end with the plan's retention", async () => {
    const run = ledger({ retentionDays: 7 });
    await run((sql) =>
      recordEvents(sql, [row("perm@x.test", "permanent", NOW - 6 * DAY), row("perm@x.test", "transient", NOW - DAY)], NOW),
    );
    expect(await run((sql) => getAddress(sql, "perm@x.test"))).toMatchObject({ reason: "permanent_bounce", subType: "NoEmail", events: 2 });
    const due = (await run((sql) => nextDueAt(sql)))!;
    expect(due).toBe(NOW - 6 * DAY + 7 * DAY + 1);
    await run((sql) => processDue(sql, due));
    expect(await run((sql) => getAddress(sql, "perm@x.test"))).toMatchObject({ status: "clear", reason: null, events: 1 });
    await run((sql) => processDue(sql, NOW + 7 * DAY));
    expect(await run((sql) => getAddress(sql, "perm@x.test"))).toBeNull();
  });
});

describe("exclusions", () => {
  it("Allow excludes at once; a later failure that lists the address ends the exclusion, an older one does not", async () => {
    const run = ledger();
    await run((sql) => recordEvents(sql, [row("allow@x.test", "permanent", NOW - 2 * DAY)], NOW));
    const allowedAt = NOW - DAY;
    const v = await run((sql) => excludeAddress(sql, "allow@x.test", { at: allowedAt, note: "Fixed mailbox", by: "Ada" }));
    expect(v).toMatchObject({ status: "excluded", note: "Fixed mailbox", lastChange: allowedAt, reason: "permanent_bounce" });
    expect(await run((sql) => listAll(sql).map((r) => r.email))).not.toContain("allow@x.test");
    expect(await run((sql) => listAll(sql, "excluded").map((r) => r.email))).toEqual(["allow@x.test"]);

    // A late-arriving event from before the Allow does not override the operator.
    await run((sql) => recordEvents(sql, [row("allow@x.test", "permanent", allowedAt - 1)], NOW));
    expect(await run((sql) => pendingEntries(sql))).toEqual([]);
    expect(await run((sql) => getAddress(sql, "allow@x.test")?.status)).toBe("excluded");

    // D1 must follow: the outbox holds the ended Allow, written in the same transaction as the re-list.
    await run((sql) => recordEvents(sql, [row("allow@x.test", "permanent", NOW - 1000)], NOW));
    expect(await run((sql) => getAddress(sql, "allow@x.test"))).toMatchObject({ status: "listed", note: null, lastChange: NOW - 1000 });
    const ended = {
      key: `allow@x.test ${allowedAt}`,
      email: "allow@x.test",
      allowedAt,
      note: "Fixed mailbox",
      at: NOW,
      reason: "permanent_bounce",
      subType: "NoEmail",
      events: 3,
    };
    expect(await run((sql) => pendingEntries(sql))).toEqual([ended]);
    // Offered until acknowledged; acknowledging twice changes nothing.
    expect(await run((sql) => pendingEntries(sql))).toEqual([ended]);
    await run((sql) => acknowledge(sql, [ended.key, ended.key]));
    expect(await run((sql) => pendingEntries(sql))).toEqual([]);
  });

  it("Re-list returns the address to the list while a rule still matches, and to nothing otherwise", async () => {
    const run = ledger();
    await run((sql) => recordEvents(sql, [...rows("back@x.test", "transient", 3, NOW - DAY), ...rows("gone@x.test", "transient", 3, NOW - 25 * DAY)], NOW));
    await run((sql) => excludeAddress(sql, "back@x.test", { at: NOW, note: null, by: "Ada" }));
    await run((sql) => excludeAddress(sql, "gone@x.test", { at: NOW, note: null, by: "Ada" }));
    expect(await run((sql) => relistAddress(sql, "back@x.test", NOW))).toMatchObject({ status: "listed", reason: "repeated_transient" });
    // Ten days later gone@'s events are out of the 30-day window (still inside retention).
    expect(await run((sql) => relistAddress(sql, "gone@x.test", NOW + 10 * DAY))).toMatchObject({ status: "clear", reason: null, events: 3 });
  });

  it("survive retention: the excluded row stays visible after every event expired", async () => {
    const run = ledger({ retentionDays: 7 });
    await run((sql) => recordEvents(sql, [row("kept@x.test", "complaint", NOW - 6 * DAY)], NOW));
    await run((sql) => excludeAddress(sql, "kept@x.test", { at: NOW - 5 * DAY, note: "Customer asked", by: "Ada" }));
    await run((sql) => processDue(sql, NOW + 30 * DAY));
    expect(await run((sql) => listAll(sql, "excluded"))).toEqual([
      expect.objectContaining({ email: "kept@x.test", status: "excluded", events: 0, note: "Customer asked" }),
    ]);
    expect(await run((sql) => nextDueAt(sql))).toBeNull();
  });
});

describe("list queries", () => {
  it("search (case-insensitive substring, wildcards literal), status and reason filters compose; keyset pages cover everything once", async () => {
    const run = ledger({ rules: presetRules("aggressive") });
    const batch: QualifyingRow[] = [];
    for (let i = 0; i < 23; i++) batch.push(row(`user${i}@acme.test`, i % 2 ? "permanent" : "reject", NOW - i * 1000));
    batch.push(row("under_score@other.test", "complaint", NOW - 50_000), row("underXscore@other.test", "complaint", NOW - 50_000));
    batch.push(...rows("soft@acme.test", "undetermined", 2, NOW - 60_000));
    await run((sql) => recordEvents(sql, batch, NOW));
    await run((sql) => excludeAddress(sql, "user3@acme.test", { at: NOW - 10, note: "ok", by: "Ada" }));

    expect(await run((sql) => listAddresses(sql, { status: "listed", search: "ACME", limit: 100 }).rows.length)).toBe(23);
    expect(await run((sql) => listAddresses(sql, { status: "all", search: "acme", limit: 100 }).rows.length)).toBe(24);
    expect(await run((sql) => listAddresses(sql, { status: "excluded", search: "acme", limit: 100 }).rows.map((r) => r.email))).toEqual([
      "user3@acme.test",
    ]);
    expect(await run((sql) => listAddresses(sql, { status: "listed", search: "_score", limit: 100 }).rows.map((r) => r.email))).toEqual([
      "under_score@other.test",
    ]);
    expect(await run((sql) => listAddresses(sql, { status: "listed", reason: "undetermined", limit: 100 }).rows.map((r) => r.email))).toEqual([
      "soft@acme.test",
    ]);
    expect(
      await run((sql) => listAddresses(sql, { status: "listed", reason: "permanent_bounce", search: "user1", limit: 100 }).rows.map((r) => r.email)),
    ).toEqual(["user1@acme.test", "user11@acme.test", "user13@acme.test", "user15@acme.test", "user17@acme.test", "user19@acme.test"]);

    const seen: string[] = [];
    let after: { lastChange: number; email: string } | undefined;
    for (;;) {
      const page = await run((sql) => listAddresses(sql, { status: "all", limit: 4, after }));
      seen.push(...page.rows.map((r) => r.email));
      if (!page.nextAfter) break;
      after = page.nextAfter;
    }
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    const all = await run((sql) => listAll(sql, "all"));
    expect(seen).toEqual(all.map((r) => r.email));
    // Newest change first; ties by address.
    expect(all[0]!.email).toBe("user0@acme.test");
  });
});

describe("preview", () => {
  it("reports sizes, the delta, the breakdown and the biggest additions without changing anything", async () => {
    const run = ledger();
    await run((sql) =>
      recordEvents(
        sql,
        [
          row("p@x.test", "permanent", NOW - DAY),
          ...rows("t@x.test", "transient", 3, NOW - DAY),
          ...rows("u1@x.test", "undetermined", 2, NOW - DAY),
          ...rows("u2@x.test", "undetermined", 4, NOW - DAY),
          ...rows("s@x.test", "soft", 5, NOW - DAY),
          ...rows("excluded@x.test", "undetermined", 3, NOW - DAY),
        ],
        NOW,
      ),
    );
    await run((sql) => excludeAddress(sql, "excluded@x.test", { at: NOW, note: null, by: "Ada" }));
    const before = await run((sql) => listAll(sql, "all"));
    const p = await run((sql) => previewRules(sql, presetRules("aggressive"), NOW));
    expect(p).toEqual({
      currentSize: 2,
      candidateSize: 5,
      added: 3,
      removed: 0,
      breakdown: { permanent_bounce: 1, complaint: 0, rejected: 0, repeated_transient: 1, undetermined: 2, soft_bounce_accumulation: 1 },
      sampleAdditions: [
        { email: "s@x.test", reason: "soft_bounce_accumulation", events: 5 },
        { email: "u2@x.test", reason: "undetermined", events: 4 },
        { email: "u1@x.test", reason: "undetermined", events: 2 },
      ],
    });
    const strict = await run((sql) => previewRules(sql, presetRules("strict"), NOW));
    expect(strict).toMatchObject({ currentSize: 2, candidateSize: 1, added: 0, removed: 1, sampleAdditions: [] });
    expect(await run((sql) => listAll(sql, "all"))).toEqual(before);
  });

  it("finds the sample additions even when the addresses with the most events are not among them", async () => {
    const run = ledger();
    // 1,100 clear addresses with 3 soft bounces each (Aggressive needs 5), then two real additions with fewer events.
    const noise = Array.from({ length: 1100 }, (_, i) => rows(`noise${i}@x.test`, "soft", 3, NOW - DAY)).flat();
    for (let i = 0; i < noise.length; i += 1000) await run((sql) => recordEvents(sql, noise.slice(i, i + 1000), NOW));
    await run((sql) => recordEvents(sql, [...rows("u1@x.test", "undetermined", 2, NOW - DAY), ...rows("t1@x.test", "transient", 1, NOW - DAY)], NOW));
    const p = await run((sql) => previewRules(sql, { ...presetRules("aggressive"), repeated_transient: { enabled: true, events: 1, windowDays: 30 } }, NOW));
    expect(p.added).toBe(2);
    expect(p.sampleAdditions).toEqual([
      { email: "u1@x.test", reason: "undetermined", events: 2 },
      { email: "t1@x.test", reason: "repeated_transient", events: 1 },
    ]);
  });
});
