import { beforeAll, describe, expect, it } from "vitest";
import { db, insertOrgWithMember, json, newUser } from "./helpers";
import { newApiKey, v1 } from "./v1-helpers";
import { upsertSuppressionQueries } from "../worker/db/suppressions";

const T0 = Date.UTC(2025, 2, 1);
const rows = [
  { email: "a.bounce@gmail.com", reason: "BOUNCE" as const, lastUpdateTime: T0 + 1000 },
  { email: "b.complaint@yahoo.com", reason: "COMPLAINT" as const, lastUpdateTime: T0 + 3000 },
  { email: "c.bounce@yahoo.com", reason: "BOUNCE" as const, lastUpdateTime: T0 + 2000 },
  { email: "d.bounce@gmail.com", reason: "BOUNCE" as const, lastUpdateTime: T0 + 5000 },
  { email: "e.complaint@gmail.com", reason: "COMPLAINT" as const, lastUpdateTime: T0 + 4000 },
];

let key: string;
let otherKey: string;

beforeAll(async () => {
  const user = await newUser("supp-v1");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const other = await insertOrgWithMember(user.id, "owner");
  // The copy as a completed sync leaves it (the sync itself is covered in suppressions.test.ts).
  await db().batch([...upsertSuppressionQueries(db(), orgId, 1, rows), ...upsertSuppressionQueries(db(), other, 1, [{ email: "other@org.test", reason: "BOUNCE", lastUpdateTime: T0 }])] as any);
  key = (await newApiKey(orgId)).secret;
  otherKey = (await newApiKey(other)).secret;
});

describe("GET /v1/suppressions", () => {
  it("needs an API key", async () => {
    const res = await v1("/suppressions");
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toMatch(/^API_KEY_/);
  });

  it("pages newest update first with a cursor, only the key's workspace", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await v1(`/suppressions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key });
      expect(res.status).toBe(200);
      const page: any = await json(res);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((r: any) => r.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["d.bounce@gmail.com", "e.complaint@gmail.com", "b.complaint@yahoo.com", "c.bounce@yahoo.com", "a.bounce@gmail.com"]);
    expect((await json(await v1("/suppressions", { key: otherKey }))).data.map((r: any) => r.email)).toEqual(["other@org.test"]);
  });

  it("filters by reason and address search", async () => {
    const page = await json(await v1("/suppressions?reason=COMPLAINT&q=GMAIL", { key }));
    expect(page).toEqual({ data: [{ email: "e.complaint@gmail.com", reason: "COMPLAINT", lastUpdateTime: T0 + 4000 }], nextCursor: null });
    const bad = await v1("/suppressions?reason=SPAM", { key });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("reason");
  });

  it("is in the OpenAPI document", async () => {
    const doc = await json(await v1("/openapi.json"));
    const op = doc.paths["/suppressions"].get;
    expect(op).toMatchObject({ operationId: "listSuppressions", tags: ["Suppressions"] });
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(["cursor", "limit", "order", "q", "reason", "sort"]);
    expect(doc.components.schemas.SuppressedAddress.properties.reason.enum).toEqual(["BOUNCE", "COMPLAINT"]);
  });
});
