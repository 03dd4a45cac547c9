import type { ReactNode } from "react";
import { Link } from "@tanstack/react-router";
import {
  OPENAPI_URL,
  useOpenApiDocument,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiResponse,
} from "../api/api-keys";
import { Card, PageHeader } from "../components/page";
import { QueryView } from "../components/states";
import { useWorkspace } from "../workspace";

/** The public API's reference, rendered from the OpenAPI document the Worker generates from its route schemas. */
export function ApiReferencePage() {
  const { workspace, can } = useWorkspace();
  const doc = useOpenApiDocument();
  return (
    <div className="stack">
      <PageHeader
        title="API reference"
        description={
          <>
            The read-only SendOps API for your backends.{" "}
            {can("org_settings.view") ? (
              <Link to="/w/$slug/api-keys" params={{ slug: workspace.slug }}>
                Create an API key
              </Link>
            ) : (
              "An Owner or Org Admin creates API keys"
            )}
            , then call it server-to-server. Machine-readable: <a href={OPENAPI_URL}>openapi.json</a> (OpenAPI 3.1).
          </>
        }
      />
      <QueryView query={doc} loadingLabel="Loading the API reference…" errorTitle="Could not load the API reference">
        {(d) => <Reference doc={d} />}
      </QueryView>
    </div>
  );
}

function Reference({ doc }: { doc: OpenApiDocument }) {
  const base = doc.servers[0]?.url ?? "/v1";
  const bearer = doc.components.securitySchemes.bearerAuth;
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  const tags = doc.tags?.map((t) => t.name) ?? [...new Set(operations.flatMap((o) => o.op.tags))];
  return (
    <>
      <Card title="Overview">
        <div className="stack-sm">
          {doc.info.description && <p>{inlineCode(doc.info.description)}</p>}
          <p>
            Base URL: <code>{base}</code>
          </p>
          {bearer && (
            <p>
              Authentication: HTTP <code>{bearer.scheme}</code> — {inlineCode(bearer.description ?? "")}
            </p>
          )}
          <pre className="mono">{`curl -H "Authorization: Bearer sk_live_…" ${base}/account`}</pre>
        </div>
      </Card>
      <Card title="Endpoints" flush>
        <div className="table-wrap">
          <table className="table">
            <tbody>
              {operations.map(({ path, method, op }) => (
                <tr key={op.operationId}>
                  <td className="mono">
                    <a href={`#${op.operationId}`}>
                      {method.toUpperCase()} {basePath(base)}
                      {path}
                    </a>
                  </td>
                  <td className="muted">{op.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {tags.map((tag) => (
        <section key={tag} className="stack" aria-label={tag}>
          <h2>{tag}</h2>
          {operations
            .filter((o) => o.op.tags.includes(tag))
            .map(({ path, method, op }) => (
              <Operation key={`${method} ${path}`} doc={doc} base={base} path={path} method={method} op={op} />
            ))}
        </section>
      ))}
    </>
  );
}

function Operation({ doc, base, path, method, op }: { doc: OpenApiDocument; base: string; path: string; method: string; op: OpenApiOperation }) {
  const ok = op.responses["200"];
  const okSchema = ok?.content?.["application/json"]?.schema;
  const errors = Object.entries(op.responses).filter(([status]) => status !== "200");
  return (
    <div id={op.operationId}>
      <Card title={`${method.toUpperCase()} ${basePath(base)}${path}`} description={op.summary}>
        <div className="stack">
          {op.description && <p>{inlineCode(op.description)}</p>}
          {op.parameters && op.parameters.length > 0 && (
            <div className="stack-sm">
              <h3>Parameters</h3>
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">In</th>
                      <th scope="col">Type</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {op.parameters.map((p) => (
                      <tr key={`${p.in} ${p.name}`}>
                        <td className="mono">
                          {p.name}
                          {p.required && <span className="subtle"> (required)</span>}
                        </td>
                        <td>{p.in}</td>
                        <td className="mono">{typeLabel(p.schema, doc)}</td>
                        <td className="muted">{inlineCode(p.description ?? "")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
          {okSchema && (
            <div className="stack-sm">
              <h3>
                Response <span className="badge badge-success">200</span>{" "}
                {okSchema.$ref && <span className="mono subtle">{refName(okSchema.$ref)}</span>}
              </h3>
              <SchemaFields schema={okSchema} doc={doc} />
            </div>
          )}
          {errors.length > 0 && (
            <div className="stack-sm">
              <h3>Errors</h3>
              <ul className="stack-sm">
                {errors.map(([status, res]) => (
                  <li key={status}>
                    <span className="badge badge-danger">{status}</span> {inlineCode(responseOf(res, doc).description ?? "")}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      </Card>
    </div>
  );
}

const basePath = (base: string) => new URL(base, window.location.origin).pathname;

/** Descriptions mark code with backticks (as OpenAPI's Markdown does): render those spans as <code>. */
function inlineCode(text: string): ReactNode[] {
  return text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

const refName = (ref: string) => ref.split("/").pop() ?? ref;

function resolve(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  return schema.$ref ? (doc.components.schemas[refName(schema.$ref)] ?? {}) : schema;
}

function responseOf(res: OpenApiResponse, doc: OpenApiDocument): OpenApiResponse {
  return res.$ref ? (doc.components.responses[refName(res.$ref)] ?? {}) : res;
}

/** A one-line type: `string`, `integer (1–100)`, `"free" | "team"`, `array of Account`, `string | null`. */
function typeLabel(schema: JsonSchema, doc: OpenApiDocument): string {
  if (schema.$ref) return refName(schema.$ref);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map((v) => typeLabel(v, doc)).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return "any";
  return types
    .map((t) => {
      if (t === "array") return `array of ${schema.items ? typeLabel(schema.items, doc) : "any"}`;
      const range = bounds(schema);
      return `${t}${schema.format ? ` (${schema.format})` : ""}${range ? ` (${range})` : ""}`;
    })
    .join(" | ");
}

/** zod's integer bounds are ±(2^53 − 1) when unset: only meaningful limits are shown. */
function bounds(schema: JsonSchema): string | null {
  const min = schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER ? schema.minimum : undefined;
  const max = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return null;
}

/** The object fields of a schema (following $refs and arrays), nested objects indented under their field. */
function SchemaFields({ schema, doc }: { schema: JsonSchema; doc: OpenApiDocument }) {
  const rows: { path: string; depth: number; field: JsonSchema; required: boolean }[] = [];
  const walk = (s: JsonSchema, prefix: string, depth: number, seen: Set<string>) => {
    const target = resolve(s.type === "array" && s.items ? s.items : s, doc);
    if (s.$ref && seen.has(s.$ref)) return;
    const nextSeen = s.$ref ? new Set([...seen, s.$ref]) : seen;
    for (const [name, field] of Object.entries(target.properties ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      rows.push({ path, depth, field, required: (target.required ?? []).includes(name) });
      const inner = resolve(field.type === "array" && field.items ? field.items : field, doc);
      if (inner.properties) walk(field, field.type === "array" ? `${path}[]` : path, depth + 1, nextSeen);
    }
  };
  walk(schema, "", 0, new Set());
  if (rows.length === 0) return <p className="mono">{typeLabel(schema, doc)}</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.path}>
              <td className="mono" style={{ paddingLeft: 12 + r.depth * 16 }}>
                {r.path.split(".").pop()}
                {!r.required && <span className="subtle"> (optional)</span>}
              </td>
              <td className="mono">{typeLabel(r.field, doc)}</td>
              <td className="muted">{inlineCode(r.field.description ?? resolve(r.field, doc).description ?? "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
