import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../worker/app";
import type { V1Env } from "../worker/routes/v1/context";
import { defineV1Route, registerV1Routes, v1Schema } from "../worker/routes/v1/define";
import { openApiDocument } from "../worker/routes/v1/openapi";
import { insertOrgWithMember, json, newUser } from "./helpers";
import { newApiKey } from "./v1-helpers";

const thing = v1Schema("TestThing", z.object({ id: z.string(), orgId: z.string(), types: z.array(z.string()), n: z.number().nullable() }));

const getThing = defineV1Route({
  method: "get",
  path: "/things/{id}",
  operationId: "getTestThing",
  tag: "Test",
  summary: "A thing",
  params: z.object({ id: z.string().regex(/^t_/, "Thing ids start with t_.") }),
  query: z.object({
    type: z.array(z.enum(["a", "b"])).optional().describe("Repeat to match several."),
    n: z.coerce.number().int().max(5).optional(),
  }),
  response: thing,
  // The extra field must not reach the client: responses are parsed through their schema.
  handler: ({ v1, params, query }) => ({ id: params.id, orgId: v1.orgId, types: query.type ?? [], n: query.n ?? null, secret: "x" }),
});

const broken = defineV1Route({
  method: "get",
  path: "/broken",
  operationId: "getBroken",
  tag: "Test",
  summary: "Breaks its contract",
  response: z.object({ count: z.number() }),
  handler: () => ({ count: "many" }) as unknown as { count: number },
});

const routes = [getThing, broken];
const app = createApp();
const testApi = new Hono<V1Env>();
registerV1Routes(testApi, routes);
app.route("/v1-test", testApi);

async function request(path: string, key: string) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://127.0.0.1:8787/v1-test${path}`, { headers: { authorization: `Bearer ${key}` } }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function key() {
  const u = await newUser();
  const orgId = await insertOrgWithMember(u.id, "owner");
  return { orgId, ...(await newApiKey(orgId)) };
}

describe("defineV1Route / registerV1Routes", () => {
  it("validates params and query (repeated keys for arrays) and parses the response through its schema", async () => {
    const k = await key();
    const res = await request("/things/t_1?type=a&type=b&n=3", k.secret);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: "t_1", orgId: k.orgId, types: ["a", "b"], n: 3 });
    const single = await json(await request("/things/t_2?type=b", k.secret));
    expect(single.types).toEqual(["b"]);
  });

  it("answers invalid input with 422 naming the field", async () => {
    const k = await key();
    const cases: [string, string][] = [
      ["/things/nope", "id"],
      ["/things/t_1?n=6", "n"],
      ["/things/t_1?n=abc", "n"],
      ["/things/t_1?type=c", "type.0"],
    ];
    for (const [path, field] of cases) {
      const res = await request(path, k.secret);
      expect(res.status, path).toBe(422);
      const body = await json(res);
      expect(body.error.code).toBe("VALIDATION_FAILED");
      expect(body.error.details.fields[0].field, path).toBe(field);
    }
  });

  it("turns a response that breaks its schema into a logged 500, never a wrong body", async () => {
    const k = await key();
    const res = await request("/broken", k.secret);
    expect(res.status).toBe(500);
    expect((await json(res)).error.code).toBe("INTERNAL");
  });

  it("requires the API key on every registered route", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://127.0.0.1:8787/v1-test/things/t_1"), env, ctx);
    expect(res.status).toBe(401);
  });

  it("refuses a path whose placeholders and params disagree, and duplicate operation ids", () => {
    expect(() =>
      defineV1Route({ method: "get", path: "/x/{id}", operationId: "x", tag: "T", summary: "x", response: z.object({}), handler: () => ({}) }),
    ).toThrow(/placeholders \[id\] do not match params \[\]/);
    expect(() => registerV1Routes(new Hono<V1Env>(), [getThing, getThing])).toThrow(/duplicate/);
  });

  it("documents parameters and named schemas from the same zod schemas", () => {
    const doc = openApiDocument(routes, "https://sendops.example/v1");
    const op = doc.paths["/things/{id}"]!.get as any;
    expect(op.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^t_" } },
      { name: "type", in: "query", required: false, description: "Repeat to match several.", schema: { type: "array", items: { type: "string", enum: ["a", "b"] } } },
      { name: "n", in: "query", required: false, schema: { type: "integer", minimum: -9007199254740991, maximum: 5 } },
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(["200", "401", "403", "404", "422", "429"]);
    expect(op.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/TestThing" });
    // An unnamed response schema is named after its operation.
    expect((doc.paths["/broken"]!.get as any).responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/GetBrokenResponse",
    });
    expect(doc.components.schemas.TestThing).toMatchObject({ required: ["id", "orgId", "types", "n"] });
  });
});
