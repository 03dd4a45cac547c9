/**
 * CloudFormation templates: parsing (JSON, or YAML with long or short intrinsic forms), parameters,
 * required capabilities, the intrinsics Ref / Fn::Sub / Fn::GetAtt / Fn::Join with the pseudo
 * parameters, and the order resources are created in.
 */
import YAML from "yaml";
import { AwsFault } from "./wire";

export interface ParameterDecl {
  Type?: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  Description?: string;
  AllowedPattern?: string;
  AllowedValues?: unknown[];
  MinLength?: number;
  MaxLength?: number;
}

export interface ResourceDecl {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface Template {
  Description?: string;
  Parameters: Record<string, ParameterDecl>;
  Resources: Record<string, ResourceDecl>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
}

export const validationError = (message: string) => new AwsFault("ValidationError", 400, message);
const formatError = (message: string) => validationError(`Template format error: ${message}`);

const SHORT_FORMS = ["Ref", "Sub", "GetAtt", "Join"].flatMap((name) => {
  const key = name === "Ref" ? "Ref" : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (s: string) => ({ [key]: name === "GetAtt" ? s.split(".") : s }) },
    { tag: `!${name}`, collection: "seq" as const, resolve: (seq: YAML.YAMLSeq) => ({ [key]: seq.toJSON() }) },
  ];
});

export function parseTemplate(body: string): Template {
  let raw: unknown;
  try {
    raw = body.trimStart().startsWith("{") ? JSON.parse(body) : YAML.parse(body, { customTags: SHORT_FORMS });
  } catch (err) {
    throw formatError(body.trimStart().startsWith("{") ? "JSON not well-formed." : `YAML not well-formed. ${(err as Error).message.split("\n")[0]}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw formatError("not a template object.");
  const t = raw as Record<string, any>;
  if (!t.Resources || typeof t.Resources !== "object" || !Object.keys(t.Resources).length) throw formatError("At least one Resources member must be defined.");
  for (const [id, r] of Object.entries(t.Resources as Record<string, any>)) {
    if (!r || typeof r.Type !== "string") throw formatError(`[/Resources/${id}] Every Resources object must contain a Type member.`);
  }
  const template: Template = { Description: t.Description, Parameters: t.Parameters ?? {}, Resources: t.Resources, Outputs: t.Outputs ?? {} };
  order(template);
  return template;
}

/** What CreateStack must be given: named IAM resources need CAPABILITY_NAMED_IAM, others CAPABILITY_IAM. */
export function requiredCapability(t: Template): "CAPABILITY_NAMED_IAM" | "CAPABILITY_IAM" | null {
  const iam = Object.values(t.Resources).filter((r) => r.Type.startsWith("AWS::IAM::"));
  if (!iam.length) return null;
  return iam.some((r) => r.Properties?.RoleName !== undefined || r.Properties?.UserName !== undefined || r.Properties?.GroupName !== undefined) ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM";
}

export function checkCapabilities(t: Template, given: readonly string[]) {
  const needed = requiredCapability(t);
  if (needed === null) return;
  if (given.includes(needed) || (needed === "CAPABILITY_IAM" && given.includes("CAPABILITY_NAMED_IAM"))) return;
  throw new AwsFault("InsufficientCapabilitiesException", 400, `Requires capabilities : [${needed}]`);
}

const noEcho = (d: ParameterDecl) => d.NoEcho === true || d.NoEcho === "true";

export interface ResolvedParameter {
  key: string;
  value: string;
  noEcho: boolean;
}

/** The parameters' values: given, else the previous value (UsePreviousValue), else Default; checked against the declaration. */
export function resolveParameters(t: Template, given: { key: string; value?: string; usePrevious?: boolean }[], previous: ResolvedParameter[] = []): ResolvedParameter[] {
  const unknown = given.filter((g) => !(g.key in t.Parameters)).map((g) => g.key);
  if (unknown.length) throw validationError(`Parameters: [${unknown.join(", ")}] do not exist in the template`);
  const out: ResolvedParameter[] = [];
  const missing: string[] = [];
  for (const [key, decl] of Object.entries(t.Parameters)) {
    const g = given.find((p) => p.key === key);
    const value = g?.usePrevious ? previous.find((p) => p.key === key)?.value : (g?.value ?? (decl.Default === undefined ? undefined : String(decl.Default)));
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    if (decl.AllowedValues && !decl.AllowedValues.map(String).includes(value)) throw validationError(`Parameter '${key}' must be one of AllowedValues`);
    if (decl.AllowedPattern && !new RegExp(`^(?:${decl.AllowedPattern})$`).test(value)) throw validationError(`Parameter '${key}' must match pattern ${decl.AllowedPattern}`);
    if (decl.MinLength !== undefined && value.length < decl.MinLength) throw validationError(`Parameter '${key}' must contain at least ${decl.MinLength} characters`);
    if (decl.MaxLength !== undefined && value.length > decl.MaxLength) throw validationError(`Parameter '${key}' must contain at most ${decl.MaxLength} characters`);
    if (decl.Type === "Number" && Number.isNaN(Number(value))) throw validationError(`Parameter '${key}' must be a number`);
    out.push({ key, value, noEcho: noEcho(decl) });
  }
  if (missing.length) throw validationError(`Parameters: [${missing.join(", ")}] must have values`);
  return out;
}

export function parameterDeclarations(t: Template) {
  return Object.entries(t.Parameters).map(([key, d]) => ({ ParameterKey: key, DefaultValue: d.Default === undefined ? undefined : String(d.Default), NoEcho: noEcho(d), Description: d.Description }));
}

// ---- intrinsics ----

export interface Scope {
  params: Record<string, string>;
  pseudo: Record<string, string>;
  /** Created resources: what Ref gives and their attributes. */
  resources: Record<string, { ref: string; attributes: Record<string, string> }>;
}

const NO_VALUE = Symbol("AWS::NoValue");

function lookup(scope: Scope, name: string): string {
  const dot = name.indexOf(".");
  if (dot !== -1 && !name.startsWith("AWS::")) return attribute(scope, name.slice(0, dot), name.slice(dot + 1));
  const v = scope.params[name] ?? scope.pseudo[name] ?? scope.resources[name]?.ref;
  if (v === undefined) throw formatError(`Unresolved resource dependencies [${name}] in the Resources block of the template`);
  return v;
}

function attribute(scope: Scope, logical: string, name: string): string {
  const r = scope.resources[logical];
  const v = r?.attributes[name];
  if (v === undefined) throw formatError(`Template error: resource ${logical} does not support attribute type ${name} in Fn::GetAtt`);
  return v;
}

function sub(scope: Scope, text: string, vars: Record<string, unknown>): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name.startsWith("!")) return `\${${name.slice(1)}}`;
    if (name in vars) return String(resolve(scope, vars[name]));
    return lookup(scope, name);
  });
}

/** A template value with its intrinsics evaluated (AWS::NoValue removes the member). */
export function resolve(scope: Scope, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(scope, v)).filter((v) => v !== NO_VALUE);
  if (!value || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === "Ref") return arg === "AWS::NoValue" ? NO_VALUE : lookup(scope, String(arg));
    if (key === "Fn::GetAtt") {
      const [logical, name] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
      return attribute(scope, String(logical), String(name));
    }
    if (key === "Fn::Sub") return Array.isArray(arg) ? sub(scope, String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>) : sub(scope, String(arg), {});
    if (key === "Fn::Join") {
      const [sep, list] = arg as [string, unknown[]];
      return (resolve(scope, list) as unknown[]).join(sep);
    }
    if (key.startsWith("Fn::")) throw formatError(`Unsupported intrinsic function ${key} (the stand-in knows Ref, Fn::Sub, Fn::GetAtt, Fn::Join).`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const r = resolve(scope, v);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, ${…} in Fn::Sub). */
function references(value: unknown, out: Set<string>) {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === "object") {
    for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
      if (key === "Ref") out.add(String(arg));
      else if (key === "Fn::GetAtt") out.add(String(Array.isArray(arg) ? arg[0] : String(arg).split(".")[0]));
      else if (key === "Fn::Sub") {
        const text = Array.isArray(arg) ? String(arg[0]) : String(arg);
        for (const m of text.matchAll(/\$\{([^!}][^}.]*)/g)) out.add(m[1]!);
        if (Array.isArray(arg)) references(arg[1], out);
      } else references(arg, out);
    }
  }
}

/** Resources in creation order (dependencies first); unknown references and cycles are template errors. */
export function order(t: Template): string[] {
  const deps = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(t.Resources)) {
    const refs = new Set<string>();
    references(r.Properties ?? {}, refs);
    for (const d of r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn]) refs.add(d);
    for (const ref of refs) if (!(ref in t.Resources) && !(ref in t.Parameters) && !ref.startsWith("AWS::")) throw formatError(`Unresolved resource dependencies [${ref}] in the Resources block of the template`);
    deps.set(id, new Set([...refs].filter((ref) => ref in t.Resources)));
  }
  const done: string[] = [];
  while (done.length < deps.size) {
    const ready = [...deps.keys()].filter((id) => !done.includes(id) && [...deps.get(id)!].every((d) => done.includes(d)));
    if (!ready.length) throw validationError(`Circular dependency between resources: [${[...deps.keys()].filter((id) => !done.includes(id)).join(", ")}]`);
    done.push(...ready);
  }
  return done;
}
