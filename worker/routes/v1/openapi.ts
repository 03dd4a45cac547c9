import { z } from "zod";
import { v1Schemas, type AnyV1Route } from "./define";
import { V1_RATE_LIMIT } from "./middleware";

type JsonSchema = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: "3.1.0";
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
  [field: string]: unknown;
}

const SCHEMA_REF = (id: string) => `#/components/schemas/${id}`;
const RESPONSE_REF = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** JSON Schema 2020-12 is OpenAPI 3.1's schema dialect; the per-schema `$schema` and `$id` are noise there. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function parameters(where: "path" | "query", schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: { $ref: SCHEMA_REF("Error") } } },
});

function operation(route: AnyV1Route) {
  const responses: Record<string, unknown> = {
    200: {
      description: "OK",
      headers: {
        "RateLimit-Limit": { $ref: "#/components/headers/RateLimit-Limit" },
        "RateLimit-Remaining": { $ref: "#/components/headers/RateLimit-Remaining" },
      },
      content: { "application/json": { schema: { $ref: SCHEMA_REF(v1Schemas.get(route.response)!.id) } } },
    },
    401: RESPONSE_REF("Unauthorized"),
    403: RESPONSE_REF("BrowserRequestRefused"),
  };
  if (route.params) responses[404] = RESPONSE_REF("NotFound");
  if (route.params || route.query) responses[422] = RESPONSE_REF("ValidationFailed");
  responses[429] = RESPONSE_REF("RateLimited");
  const params = [...parameters("path", route.params), ...parameters("query", route.query)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(params.length ? { parameters: params } : {}),
    responses,
  };
}

const documents = new WeakMap<readonly AnyV1Route[], OpenApiDocument>();

/**
 * The OpenAPI 3.1 document of `routes`, generated from their zod schemas (the same schemas that
 * validate requests and responses). Built once per route list; `serverUrl` is the deployment's /v1.
 */
export function openApiDocument(routes: readonly AnyV1Route[], serverUrl: string): OpenApiDocument {
  let doc = documents.get(routes);
  if (!doc) {
    doc = build(routes);
    documents.set(routes, doc);
  }
  return { ...doc, servers: [{ url: serverUrl }] };
}

function build(routes: readonly AnyV1Route[]): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  // Every registered schema (the Error schema included), with nested named schemas as $refs.
  const { schemas } = z.toJSONSchema(v1Schemas, {
    target: "draft-2020-12",
    io: "output",
    uri: SCHEMA_REF,
    unrepresentable: "any",
    // Responses may gain fields within v1; clients must not be generated to reject them.
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as { schemas: Record<string, JsonSchema> };
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: {
      title: "SendOps API",
      version: "1",
      description:
        "Read-only, server-to-server access to a workspace's SendOps data. Authenticate with an API key from " +
        "Settings → API Keys as `Authorization: Bearer sk_live_…`. Requests from web browsers (carrying " +
        `\`Origin\` or \`Sec-Fetch-Site\`) are refused. Each key may make ${V1_RATE_LIMIT.limit} requests per ` +
        "minute. Timestamps are UTC epoch milliseconds. Lists are cursor-paginated (`cursor`, `limit`; follow " +
        "`nextCursor`).",
    },
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "An API key created in Settings → API Keys (`sk_live_…`).",
        },
      },
      schemas: Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, clean(s)])),
      headers: {
        "RateLimit-Limit": { description: "Requests allowed per key per minute.", schema: { type: "integer" } },
        "RateLimit-Remaining": { description: "Requests left in the current sliding minute.", schema: { type: "integer" } },
        "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
      },
      responses: {
        Unauthorized: errorResponse(
          "The API key is missing (API_KEY_MISSING), malformed (API_KEY_MALFORMED), or unknown or revoked (API_KEY_INVALID).",
          { "WWW-Authenticate": { schema: { type: "string" } } },
        ),
        BrowserRequestRefused: errorResponse(
          "The request came from a web browser (it carried Origin or Sec-Fetch-Site; BROWSER_REQUEST_REFUSED): the API is server-to-server only.",
        ),
        NotFound: errorResponse("No such resource in this workspace (NOT_FOUND)."),
        ValidationFailed: errorResponse("A parameter is invalid (VALIDATION_FAILED); `details.fields` names each one."),
        RateLimited: errorResponse("Too many requests for this key (RATE_LIMITED).", {
          "Retry-After": { $ref: "#/components/headers/Retry-After" },
        }),
      },
    },
  };
}
