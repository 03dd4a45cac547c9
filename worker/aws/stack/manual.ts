/**
 * Manual setup (product docs aws-setup__connecting-aws.md, Method 2): the SendOpsRole alone, with this
 * workspace's SendOps account and External ID written in, as a CloudFormation resource (YAML) and as
 * Terraform. Both carry the same trust and permissions policy as the automated template, less the
 * statements about the stack itself (drift detection): a manually created role has no stack.
 */
import { sesAccessPolicyDocument, TEMPLATE_VERSION } from "./permissions";
import { sendOpsRoleResource, STACK_NAMES } from "./template";
import { toYaml, type YamlValue } from "./yaml";

export interface ManualRoleInput {
  sendOpsAccountId: string;
  externalId: string;
  version?: number;
}

const rootOf = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/** `SendOpsRole:` and its definition, to paste under a template's `Resources:`. */
export function manualRoleCloudFormation({ sendOpsAccountId, externalId, version = TEMPLATE_VERSION }: ManualRoleInput): string {
  return toYaml({ SendOpsRole: sendOpsRoleResource(rootOf(sendOpsAccountId), externalId, version, { stack: false }) });
}

/** An HCL string literal: JSON escapes plus `$${` / `%%{`, so nothing is read as a template sequence. */
const hclString = (s: string) => JSON.stringify(s).replace(/([$%])\{/g, (_, sigil: string) => `${sigil}${sigil}{`);
const hclKey = (k: string) => (/^[A-Za-z_][\w-]*$/.test(k) ? k : hclString(k));

/**
 * `key = value` lines as `terraform fmt` writes them: the `=` of consecutive one-line attributes aligned,
 * a multi-line value ending the run.
 */
function attributes(entries: [string, string][], indent: number): string {
  const pad = " ".repeat(indent);
  const out: string[] = [];
  for (let i = 0; i < entries.length; ) {
    let j = i;
    while (j < entries.length && !entries[j]![1].includes("\n")) j++;
    const run = entries.slice(i, Math.max(j, i + 1));
    const width = Math.max(...run.map(([k]) => k.length));
    for (const [k, v] of run) out.push(`${pad}${k.padEnd(v.includes("\n") ? 0 : width)} = ${v}`);
    i += run.length;
  }
  return out.join("\n");
}

/** A JSON value as an HCL expression (for `jsonencode(...)`) whose closing bracket sits at `indent`. */
function hcl(v: YamlValue, indent: number): string {
  const end = " ".repeat(indent);
  if (v === null) return "null";
  if (typeof v === "string") return hclString(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    const items = v as readonly YamlValue[];
    return items.length ? `[\n${items.map((i) => `${end}  ${hcl(i, indent + 2)},`).join("\n")}\n${end}]` : "[]";
  }
  const entries = Object.entries(v).map(([k, val]): [string, string] => [hclKey(k), hcl(val, indent + 2)]);
  return entries.length ? `{\n${attributes(entries, indent + 2)}\n${end}}` : "{}";
}

/** `aws_iam_role.sendops` with its trust policy and `aws_iam_role_policy.sendops_ses_access`. */
export function manualRoleTerraform({ sendOpsAccountId, externalId, version = TEMPLATE_VERSION }: ManualRoleInput): string {
  const role = sendOpsRoleResource(rootOf(sendOpsAccountId), externalId, version, { stack: false }).Properties;
  const block = (header: string, entries: [string, string][]) => `${header} {\n${attributes(entries, 2)}\n}\n`;
  return [
    block(`resource "aws_iam_role" "sendops"`, [
      ["name", hclString(STACK_NAMES.role)],
      ["description", hclString(role.Description)],
      ["assume_role_policy", `jsonencode(${hcl(role.AssumeRolePolicyDocument, 2)})`],
    ]),
    block(`resource "aws_iam_role_policy" "sendops_ses_access"`, [
      ["name", hclString(STACK_NAMES.rolePolicy)],
      ["role", "aws_iam_role.sendops.id"],
      ["policy", `jsonencode(${hcl(sesAccessPolicyDocument(version, { stack: false }), 2)})`],
    ]),
    block(`output "sendops_role_arn"`, [
      ["description", hclString("Paste this into the SendOps Setup Guide")],
      ["value", "aws_iam_role.sendops.arn"],
    ]),
  ].join("\n");
}
