import type { Context, Hono } from "hono";
import { z } from "zod";
import { getDb, type Db } from "../../db/client";
import { validationFailure } from "../../lib/validate";
import type { V1Context, V1Env } from "./context";
import { apiKeyAuth } from "./middleware";

/**
 * Named schemas of the public API: each becomes `components.schemas.<id>` in openapi.json and is
 * referenced by `$ref` wherever it appears. Name every schema an integrator would recognise.
 */
export const v1Schemas = z.registry<{ id: string }>();

/** Registers `schema` under `id` in the public API's components and returns it unchanged. */
export function v1Schema<T extends z.ZodType>(id: string, schema: T): T {
  v1Schemas.add(schema, { id });
  return schema;
}

/** The one error shape of every non-2xx answer. */
export const errorSchema = v1Schema(
  "Error",
  z.object({
    error: z.object({
      code: z.string().describe("Stable, machine-readable code, e.g. API_KEY_INVALID or RATE_LIMITED."),
      message: z.string().describe("Human-readable explanation."),
      details: z.unknown().describe("Extra data (e.g. the invalid fields), or null."),
    }),
  }),
);

type ObjectSchema = z.ZodObject;

export interface V1HandlerInput<P, Q> {
  /** The key's org: every query takes its org id from here. */
  v1: V1Context;
  db: Db;
  params: P;
  query: Q;
  c: Context<V1Env>;
}

/** One /v1 endpoint: everything the router, the validator and the OpenAPI document need, in one place. */
export interface V1RouteSpec<P extends ObjectSchema, Q extends ObjectSchema, R extends z.ZodType> {
  /** The public API is read-only. */
  method: "get";
  /** OpenAPI path template relative to /v1, e.g. "/messages/{id}". */
  path: `/${string}`;
  /** Unique camelCase name, e.g. "listMessages"; also names the response schema if it has no name. */
  operationId: string;
  /** Groups endpoints in the reference, e.g. "Messages". */
  tag: string;
  summary: string;
  description?: string;
  /** One field per `{name}` in `path`. */
  params?: P;
  /** Query parameters; a field of array type takes repeated keys (`?type=a&type=b`). */
  query?: Q;
  /** The 200 body. Results are parsed through it before they are sent, so the document cannot drift. */
  response: R;
  handler: (input: V1HandlerInput<z.output<P>, z.output<Q>>) => Promise<z.input<R>> | z.input<R>;
}

/** A route with its schema types erased, as the route list holds them. */
export type AnyV1Route = V1RouteSpec<any, any, any>;

const pathParamNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Declares a /v1 endpoint. Checks at load time that path placeholders and `params` agree, and names
 * the response schema `<OperationId>Response` unless it already has a name.
 */
export function defineV1Route<
  R extends z.ZodType,
  P extends ObjectSchema = z.ZodObject<{}>,
  Q extends ObjectSchema = z.ZodObject<{}>,
>(spec: V1RouteSpec<P, Q, R>): V1RouteSpec<P, Q, R> {
  const inPath = pathParamNames(spec.path).sort();
  const declared = Object.keys(spec.params?.shape ?? {}).sort();
  if (inPath.join() !== declared.join()) {
    throw new Error(`/v1${spec.path}: path placeholders [${inPath}] do not match params [${declared}]`);
  }
  if (!v1Schemas.has(spec.response)) v1Schema(`${pascal(spec.operationId)}Response`, spec.response);
  return spec;
}

/** Strips optional/default/nullable wrappers to see whether a query field is an array. */
function isArrayField(schema: z.ZodType): boolean {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodArray;
}

function readQuery(c: Context<V1Env>, schema: ObjectSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const values = c.req.queries(name);
    if (values === undefined) continue;
    out[name] = isArrayField(field as z.ZodType) ? values : values[0];
  }
  return out;
}

function parseInput<S extends ObjectSchema>(target: "path" | "query", schema: S | undefined, raw: Record<string, unknown>) {
  if (!schema) return {};
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationFailure(target, parsed.error.issues);
  return parsed.data;
}

/** Mounts each route on the /v1 app behind `apiKeyAuth`; `/v1` and the Origin refusal come from the app. */
export function registerV1Routes(app: Hono<V1Env>, routes: readonly AnyV1Route[]) {
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.operationId)) throw new Error(`duplicate /v1 operationId ${route.operationId}`);
    seen.add(route.operationId);
    const honoPath = route.path.replace(/\{(\w+)\}/g, ":$1");
    app.get(honoPath, apiKeyAuth, async (c) => {
      const params = parseInput("path", route.params, c.req.param());
      const query = parseInput("query", route.query, route.query ? readQuery(c, route.query) : {});
      const result = await route.handler({ v1: c.get("v1"), db: getDb(c.env.DB), params, query, c });
      const body = route.response.safeParse(result);
      // A mismatch is our bug (the handler broke its documented contract): a logged 500, never a wrong body.
      if (!body.success) throw new Error(`/v1 ${route.operationId} response does not match its schema: ${body.error.message}`);
      return c.json(body.data, 200);
    });
  }
}
