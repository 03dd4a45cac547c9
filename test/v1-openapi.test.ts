import { describe, expect, it } from "vitest";
import { V1_ROUTES } from "../worker/routes/v1";
import { json } from "./helpers";
import { v1 } from "./v1-helpers";

/** Every `$ref` anywhere in `node`. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: any, ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce((n: any, part) => (n === undefined ? undefined : n[part.replace(/~1/g, "/").replace(/~0/g, "~")]), doc);
}

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document with the bearer scheme, the error schema and every registered route", async () => {
    const res = await v1("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = await json(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "SendOps API", version: "1" });
    expect(doc.servers).toEqual([{ url: "http://127.0.0.1:8787/v1" }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas.Error).toMatchObject({
      type: "object",
      required: ["error"],
      properties: { error: { type: "object", required: ["code", "message", "details"] } },
    });

    expect(V1_ROUTES.length).toBeGreaterThan(0);
    for (const route of V1_ROUTES) {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op).toMatchObject({ operationId: route.operationId, summary: route.summary, tags: [route.tag] });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "401", "403", "429"]));
      expect(resolve(doc, op.responses["200"].content["application/json"].schema.$ref)).toBeDefined();
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(V1_ROUTES.map((r) => `${r.method} ${r.path}`).sort());

    for (const ref of refs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
    // Components are plain 2020-12 schemas (no per-schema $schema / $id left over from the generator)
    // that leave room for new response fields (no additionalProperties: false).
    for (const schema of Object.values(doc.components.schemas)) {
      expect(schema).not.toHaveProperty("$schema");
      expect(schema).not.toHaveProperty("$id");
    }
    expect(JSON.stringify(doc)).not.toContain('"additionalProperties":false');
  });

  it("documents /v1/account with the Account schema", async () => {
    const doc = await json(await v1("/openapi.json"));
    const op = doc.paths["/account"].get;
    expect(op.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Account" });
    expect(doc.components.schemas.Account).toMatchObject({
      type: "object",
      required: ["id", "name", "slug", "plan", "apiKey"],
      properties: { plan: { enum: ["free", "team", "business"] } },
    });
  });

  it("documents /v1/ingest/counters: its range parameters and the IngestCounters schema with every drop reason", async () => {
    const doc = await json(await v1("/openapi.json"));
    const op = doc.paths["/ingest/counters"].get;
    expect(op).toMatchObject({ operationId: "getIngestCounters", tags: ["Ingest"] });
    expect(op.parameters.map((p: { name: string; in: string; required?: boolean }) => [p.name, p.in, p.required ?? false])).toEqual([
      ["from", "query", false],
      ["to", "query", false],
    ]);
    expect(op.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/IngestCounters" });
    const schema = doc.components.schemas.IngestCounters;
    expect(schema.required.sort()).toEqual(["accepted", "dropped", "duplicates", "from", "rejected", "rejectedDiscarded", "to"]);
    expect(schema.properties.dropped).toMatchObject({ type: "object", required: ["unmanaged_identity"] });
  });

  it("needs no key, opens in a browser (without CORS), and every documented operation needs a key", async () => {
    const fromPage = await v1("/openapi.json", { headers: { origin: "https://elsewhere.example", "sec-fetch-site": "cross-site" } });
    expect(fromPage.status).toBe(200);
    expect([...fromPage.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
    const doc = await json(await v1("/openapi.json"));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops as object)) {
        const concrete = path.replace(/\{[^}]+\}/g, "x");
        const res = await v1(concrete, { method: method.toUpperCase() });
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
  });
});
