import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { auditInsert } from "../worker/db/audit";
import { call, db, insertMembership, json, newUser, newWorkspace } from "./helpers";

const alice = { userId: null, name: "Alice Anders", email: "alice@corp.test" };
const bob = { userId: null, name: "Bob Brown", email: "bob@ALICE-partners.test" };
const carol = { userId: null, name: "Carol Chu", email: "carol@corp.test" };

/** Seeds entries straight into D1; returns their ids in insertion order. */
async function seed(orgId: string, rows: { actor: typeof alice; resourceType: string; operation: string }[]) {
  const at = Date.now() - 60_000;
  await db().batch(
    rows.map((r, i) =>
      auditInsert(db(), {
        orgId,
        actor: r.actor,
        resourceType: r.resourceType,
        resourceId: `${r.resourceType}_${i}`,
        operation: r.operation,
        summary: `${r.operation} ${r.resourceType} ${i}`,
        at: at + i,
      }),
    ) as [ReturnType<typeof auditInsert>, ...ReturnType<typeof auditInsert>[]],
  );
}

async function page(cookie: string, orgId: string, query: Record<string, string>) {
  const res = await call(`/api/orgs/${orgId}/audit?${new URLSearchParams(query)}`, { cookie });
  expect(res.status).toBe(200);
  return json(res);
}

describe("audit log API", () => {
  it("filters by resource type, operation and actor (name or email, any case), AND-combined", async () => {
    const owner = await newUser("audit-filter");
    const ws = await newWorkspace(owner);
    await seed(ws.id, [
      { actor: alice, resourceType: "domain", operation: "created" },
      { actor: bob, resourceType: "domain", operation: "deleted" },
      { actor: carol, resourceType: "domain", operation: "created" },
      { actor: alice, resourceType: "channel", operation: "created" },
      { actor: bob, resourceType: "channel", operation: "updated" },
    ]);
    const summaries = async (q: Record<string, string>) => (await page(owner.cookie, ws.id, q)).entries.map((e: any) => e.summary);

    expect(await summaries({ resourceType: "domain" })).toEqual(["created domain 2", "deleted domain 1", "created domain 0"]);
    expect(await summaries({ operation: "created", resourceType: "channel" })).toEqual(["created channel 3"]);
    // "alice" matches Alice by name and Bob by email.
    expect(await summaries({ actor: "ALICE" })).toEqual(["updated channel 4", "created channel 3", "deleted domain 1", "created domain 0"]);
    expect(await summaries({ actor: "corp.test", resourceType: "domain", operation: "created" })).toEqual([
      "created domain 2",
      "created domain 0",
    ]);
    expect(await summaries({ actor: "nobody" })).toEqual([]);
    // Empty parameters mean "no filter".
    expect((await summaries({ resourceType: "", operation: "", actor: "" })).length).toBe(6); // + workspace created

    const facets = await json(await call(`/api/orgs/${ws.id}/audit/facets`, { cookie: owner.cookie }));
    expect(facets).toEqual({ resourceTypes: ["channel", "domain", "workspace"], operations: ["created", "deleted", "updated"] });
  });

  it("reports one past-tense operation per action, whichever form its writer stored", async () => {
    const owner = await newUser("audit-tense");
    const ws = await newWorkspace(owner);
    await seed(ws.id, [
      { actor: alice, resourceType: "ingest_key", operation: "create" },
      { actor: alice, resourceType: "ingest_key", operation: "rotate" },
      { actor: alice, resourceType: "api_key", operation: "created" },
      { actor: bob, resourceType: "classification_rules", operation: "update" },
    ]);
    const entries = async (q: Record<string, string>) =>
      (await page(owner.cookie, ws.id, q)).entries.map((e: any) => `${e.resourceType} ${e.operation}`);

    expect(await entries({})).toEqual(["classification_rules updated", "api_key created", "ingest_key rotated", "ingest_key created", "workspace created"]);
    // Filtering by the reported form finds the entries stored either way.
    expect(await entries({ operation: "created" })).toEqual(["api_key created", "ingest_key created", "workspace created"]);
    expect(await entries({ operation: "updated" })).toEqual(["classification_rules updated"]);
    const facets = await json(await call(`/api/orgs/${ws.id}/audit/facets`, { cookie: owner.cookie }));
    expect(facets.operations).toEqual(["created", "rotated", "updated"]);
  });

  it("pages newest first with a keyset cursor, without gaps or repeats", async () => {
    const owner = await newUser("audit-page");
    const ws = await newWorkspace(owner);
    await seed(
      ws.id,
      Array.from({ length: 11 }, () => ({ actor: alice, resourceType: "template", operation: "updated" })),
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: Record<string, string> = { resourceType: "template", limit: "4" };
      if (cursor) q.cursor = cursor;
      const p = await page(owner.cookie, ws.id, q);
      seen.push(...p.entries.map((e: any) => e.id));
      cursor = p.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(11);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(11);

    const bad = await call(`/api/orgs/${ws.id}/audit?cursor=abc`, { cookie: owner.cookie });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("cursor");
    expect((await call(`/api/orgs/${ws.id}/audit?limit=201`, { cookie: owner.cookie })).status).toBe(422);
  });

  it("shows each workspace only its own entries, and every role may read it", async () => {
    const a = await newUser("audit-a");
    const b = await newUser("audit-b");
    const wsA = await newWorkspace(a);
    const wsB = await newWorkspace(b);
    await seed(wsB.id, [{ actor: carol, resourceType: "billing", operation: "updated" }]);
    const { entries } = await page(a.cookie, wsA.id, {});
    expect(entries.map((e: any) => e.resourceId)).toEqual([wsA.id]);
    expect((await call(`/api/orgs/${wsB.id}/audit`, { cookie: a.cookie })).status).toBe(404);

    const financial = await newUser("audit-fin");
    await insertMembership(wsB.id, financial.id, "financial");
    expect((await page(financial.cookie, wsB.id, {})).entries.length).toBe(2);
  });

  it("records actor, resource, operation, summary and before/after for each change", async () => {
    const owner = await newUser("audit-each", "Eve Each");
    const ws = await newWorkspace(owner, "Each Corp");
    const m = await newUser("audit-each-m");
    await insertMembership(ws.id, m.id, "viewer");
    await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: owner.cookie, body: { name: "Each Inc" } });
    await call(`/api/orgs/${ws.id}/members/${m.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "marketer" } });
    await call(`/api/orgs/${ws.id}/members/${m.id}`, { method: "DELETE", cookie: owner.cookie });
    // Profile changes are per user, not per workspace: not in any workspace's log.
    await call("/api/me", { method: "PATCH", cookie: owner.cookie, body: { name: "Eve Renamed" } });

    const { entries } = await page(owner.cookie, ws.id, {});
    expect(entries.map((e: any) => [e.resourceType, e.operation])).toEqual([
      ["team", "deleted"],
      ["team", "updated"],
      ["settings", "updated"],
      ["workspace", "created"],
    ]);
    for (const e of entries) {
      expect(e.actor).toEqual({ userId: owner.id, name: "Eve Each", email: owner.email });
      expect(e.summary.length).toBeGreaterThan(10);
      expect(e.at).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(entries[2]).toMatchObject({ resourceId: ws.id, before: { name: "Each Corp" }, after: { name: "Each Inc" } });
    expect(entries[1]).toMatchObject({ before: { role: "viewer" }, after: { role: "marketer" } });
    expect(entries[0]).toMatchObject({ before: { role: "marketer" }, after: null });
  });
});

describe("audit log immutability", () => {
  it("the database refuses UPDATE and DELETE on audit_log", async () => {
    const owner = await newUser("audit-immutable");
    const ws = await newWorkspace(owner);
    const row = await env.DB.prepare("SELECT id, summary FROM audit_log WHERE org_id = ?").bind(ws.id).first<any>();
    expect(row).not.toBeNull();
    await expect(env.DB.prepare("UPDATE audit_log SET summary = 'tampered' WHERE id = ?").bind(row.id).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(row.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE org_id = ?").bind(ws.id).run()).rejects.toThrow(/append-only/);
    // A cutoff that would expose recent rows to deletion is refused as well.
    await expect(
      env.DB.prepare("INSERT INTO audit_prune_cutoffs (org_id, prune_before) VALUES (?, ?)").bind(ws.id, Date.now()).run(),
    ).rejects.toThrow(/at least 7 days/);
    const after = await env.DB.prepare("SELECT summary FROM audit_log WHERE id = ?").bind(row.id).first<any>();
    expect(after.summary).toBe(row.summary);
  });

  it("exposes no route that edits or deletes entries", async () => {
    const owner = await newUser("audit-noroute");
    const ws = await newWorkspace(owner);
    const { entries } = await page(owner.cookie, ws.id, {});
    for (const method of ["PATCH", "PUT", "DELETE"]) {
      for (const path of [`/api/orgs/${ws.id}/audit`, `/api/orgs/${ws.id}/audit/${entries[0].id}`]) {
        expect((await call(path, { method, cookie: owner.cookie, body: {} })).status, `${method} ${path}`).toBe(404);
      }
    }
  });
});
