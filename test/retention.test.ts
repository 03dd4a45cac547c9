import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { auditInsert } from "../worker/db/audit";
import { pruneExpired } from "../worker/services/retention";
import { RETENTION_DAYS } from "../worker/lib/plans";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";

const DAY = 86_400_000;
const actor = { userId: null, name: "Old Timer", email: "old@timer.test" };

/** One entry per age (in days), summary = "age <n>"; oldest first, as entries are written in time order. */
async function seedAges(orgId: string, ages: number[], now: number) {
  await db().batch(
    [...ages].sort((a, b) => b - a).map((d) =>
      auditInsert(db(), {
        orgId,
        actor,
        resourceType: `type-${d}`,
        resourceId: orgId,
        operation: "updated",
        summary: `age ${d}`,
        at: now - d * DAY,
      }),
    ) as [ReturnType<typeof auditInsert>, ...ReturnType<typeof auditInsert>[]],
  );
}

const summaries = async (cookie: string, orgId: string) =>
  (await json(await call(`/api/orgs/${orgId}/audit`, { cookie }))).entries.map((e: any) => e.summary);

const CASES = [
  { plan: "free", ages: [6.9, 7.1, 30], visible: ["age 6.9"] },
  { plan: "team", ages: [7.1, 89.9, 90.1, 200], visible: ["age 7.1", "age 89.9"] },
  { plan: "business", ages: [90.1, 364.9, 365.1], visible: ["age 90.1", "age 364.9"] },
] as const; // visible: newest first, as the API returns them

describe("audit retention by plan", () => {
  it("matches the documented windows: Free 7 days, Team 90 days, Business 1 year", () => {
    expect(RETENTION_DAYS).toEqual({ free: 7, team: 90, business: 365 });
  });

  it("hides entries older than the plan's window even before the daily prune, also from the facets", async () => {
    const u = await newUser("retention-view");
    const now = Date.now();
    for (const c of CASES) {
      const orgId = await insertOrgWithMember(u.id, "viewer", { plan: c.plan });
      await seedAges(orgId, [...c.ages], now);
      expect(await summaries(u.cookie, orgId), c.plan).toEqual(c.visible);
      const facets = await json(await call(`/api/orgs/${orgId}/audit/facets`, { cookie: u.cookie }));
      expect(facets.resourceTypes, c.plan).toEqual(c.visible.map((s) => `type-${s.slice(4)}`).sort());
    }
  });

  it("pruneExpired deletes only entries older than each org's cutoff, through the documented trigger exception", async () => {
    const u = await newUser("retention-prune");
    const now = Date.now();
    const orgs: { orgId: string; visible: readonly string[] }[] = [];
    for (const c of CASES) {
      const orgId = await insertOrgWithMember(u.id, "owner", { plan: c.plan });
      await seedAges(orgId, [...c.ages], now);
      orgs.push({ orgId, visible: c.visible });
    }
    const { auditDeleted } = await pruneExpired(db(), Date.now());
    expect(auditDeleted).toBeGreaterThanOrEqual(5);
    for (const { orgId, visible } of orgs) {
      const left = await env.DB.prepare("SELECT summary FROM audit_log WHERE org_id = ? ORDER BY at DESC").bind(orgId).all();
      expect(left.results.map((r: any) => r.summary)).toEqual(visible);
      const cutoff = await env.DB.prepare("SELECT prune_before FROM audit_prune_cutoffs WHERE org_id = ?").bind(orgId).first<any>();
      expect(cutoff.prune_before).toBeLessThanOrEqual(now - 7 * DAY + 5_000);
    }
    // The exception covers only rows older than the cutoff: the kept ones still cannot be deleted.
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE org_id = ?").bind(orgs[0]!.orgId).run()).rejects.toThrow(/append-only/);
  });

  it("also drops expired slug redirects and sessions", async () => {
    const u = await newUser("retention-misc");
    const orgId = await insertOrgWithMember(u.id, "owner");
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO org_slug_redirects (slug, org_id, expires_at) VALUES (?, ?, ?)").bind(`gone-${orgId}`, orgId, now - 1),
      env.DB.prepare("INSERT INTO org_slug_redirects (slug, org_id, expires_at) VALUES (?, ?, ?)").bind(`live-${orgId}`, orgId, now + DAY),
      env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?").bind(now - 1, u.id),
    ]);
    await pruneExpired(db(), now);
    const slugs = await env.DB.prepare("SELECT slug FROM org_slug_redirects WHERE org_id = ?").bind(orgId).all();
    expect(slugs.results).toEqual([{ slug: `live-${orgId}` }]);
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?").bind(u.id).first<any>();
    expect(sessions.n).toBe(0);
  });
});
