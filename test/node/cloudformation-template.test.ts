/** The generated template checked by an independent validator (./cfn-validate.ts: aws-cdk-lib's cloudformation-include). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { cloudFormationTemplate, createStackCommand, manualRoleCloudFormation, templateJson, templateYaml, type StackParameters } from "../../worker/aws/stack";
import { toYaml } from "../../worker/aws/stack/yaml";
import { validateTemplateFile } from "./cfn-validate";

const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-cfn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const params: StackParameters = {
  sendOpsAccountId: "999900001111",
  externalId: "sendops-0123456789abcdef0123456789abcdef",
  webhookUrl: "https://app.example.com/ingest/ses",
  webhookApiKey: "sik_0123456789abcdef#: *&{quoted}'\"",
};

let files = 0;
function write(body: string, ext: "json" | "yaml"): string {
  const file = path.join(dir, `template-${++files}.${ext}`);
  writeFileSync(file, body);
  return file;
}

describe("cloudformation-include validates the generated template", () => {
  const generic = cloudFormationTemplate();
  const workspace = cloudFormationTemplate({ defaults: params });

  it.each(["json", "yaml"] as const)("accepts the generic template (%s) and synthesizes it unchanged", (ext) => {
    const file = write(ext === "json" ? templateJson(generic) : templateYaml(generic), ext);
    const { synthesized } = validateTemplateFile(file);
    expect(synthesized.Resources).toEqual(generic.Resources);
    expect(synthesized.Outputs).toEqual(generic.Outputs);
    expect(Object.keys(synthesized.Parameters)).toEqual(expect.arrayContaining(Object.keys(generic.Parameters)));
    for (const [k, p] of Object.entries(generic.Parameters)) expect(synthesized.Parameters[k]).toEqual(p);
  });

  it.each(["json", "yaml"] as const)("accepts the workspace's template (%s) with its parameters supplied", (ext) => {
    const file = write(ext === "json" ? templateJson(workspace) : templateYaml(workspace), ext);
    const { synthesized } = validateTemplateFile(file, {
      SendOpsAccountId: params.sendOpsAccountId,
      ExternalId: params.externalId,
      WebhookUrl: params.webhookUrl,
      WebhookApiKey: params.webhookApiKey,
    });
    const resources = synthesized.Resources as Record<string, { Type: string; Properties: any }>;
    expect(Object.keys(resources)).toHaveLength(7);
    expect(resources.SendOpsConnection!.Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue).toBe(params.webhookApiKey);
    expect(resources.SendOpsApiDestination!.Properties.InvocationEndpoint).toBe(params.webhookUrl);
    expect(resources.SendOpsRole!.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe(params.externalId);
    expect(Object.keys(synthesized.Outputs)).toEqual(["RoleARN", "ConfigurationSetName", "EventRuleName"]);
  });

  it("accepts version 1 (what old stacks were deployed from)", () => {
    expect(() => validateTemplateFile(write(templateYaml(cloudFormationTemplate({ version: 1 })), "yaml"))).not.toThrow();
  });

  it("accepts the manual CloudFormation role snippet placed under Resources", () => {
    const snippet = YAML.parse(manualRoleCloudFormation(params));
    const file = write(templateJson({ AWSTemplateFormatVersion: "2010-09-09", Resources: snippet } as never), "json");
    const { synthesized } = validateTemplateFile(file);
    expect(synthesized.Resources.SendOpsRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS).toBe("arn:aws:iam::999900001111:root");
  });

  /** The generic template with one change, which the validator must refuse. */
  function broken(change: (t: any) => void): string {
    const t = structuredClone(generic) as any;
    change(t);
    return write(templateYaml(t), "yaml");
  }

  it.each([
    ["a misspelt property", (t: any) => ((t.Resources.SendOpsRole.Properties.RoleNmae = "x"), delete t.Resources.SendOpsRole.Properties.RoleName), /properties unknown to AWS::IAM::Role.*RoleNmae/],
    ["a misspelt nested property", (t: any) => (t.Resources.SendOpsEventDestination.Properties.EventDestination.EventBridgeDestinaton = {}), /EventBridgeDestinaton/],
    ["a Ref to a missing parameter", (t: any) => (t.Resources.SendOpsApiDestination.Properties.InvocationEndpoint = { Ref: "WebhookUrI" }), /WebhookUrI/],
    ["a GetAtt of a missing resource", (t: any) => (t.Resources.SendOpsEventRule.Properties.Targets[0].Arn = { "Fn::GetAtt": ["SendOpsApiDest", "Arn"] }), /SendOpsApiDest/],
    ["an unknown resource type", (t: any) => (t.Resources.SendOpsConfigSet.Type = "AWS::SES::ConfigSet"), /AWS::SES::ConfigSet is not a resource type/],
    ["a string where a number belongs", (t: any) => (t.Resources.SendOpsApiDestination.Properties.InvocationRateLimitPerSecond = "fast"), /invocationRateLimitPerSecond.*should be a number/],
    ["a missing required property", (t: any) => delete t.Resources.SendOpsEventRule.Properties.Targets[0].Id, /id.*required/i],
  ])("rejects %s", (_, change, message) => {
    expect(() => validateTemplateFile(broken(change))).toThrow(message);
  });
});

describe("the YAML writer", () => {
  it("writes a template that reads back (YAML 1.2 and 1.1) as the same object as its JSON", () => {
    const t = cloudFormationTemplate({ defaults: params });
    const json = JSON.parse(templateJson(t));
    expect(YAML.parse(templateYaml(t))).toEqual(json);
    expect(YAML.parse(templateYaml(t), { version: "1.1" })).toEqual(json);
  });

  it("quotes every string YAML would misread", () => {
    const tricky = [
      "*",
      "*.example.com",
      "&anchor",
      "!Ref x",
      "a: b",
      "a:",
      ":a",
      "# not a comment",
      "a #b",
      "123456789012",
      "0x1F",
      "1e3",
      "2012-10-17",
      "12:30",
      ".inf",
      "true",
      "False",
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "null",
      "~",
      "",
      " padded ",
      "{a: 1}",
      "[1]",
      "'single'",
      '"double"',
      "line\nbreak",
      "tab\there",
      "- dash",
      "? key",
      "| pipe",
      "> fold",
      "%percent",
      "@at",
      "`tick",
      "a, b",
      "ünïcödé",
      "back\\slash",
      "${AWS::Region}",
      "=",
      "<<",
    ];
    const value = { list: tricky, map: Object.fromEntries(tricky.map((s, i) => [s || "empty", i])), nested: [[tricky], {}, []] };
    const yaml = toYaml(value);
    expect(YAML.parse(yaml)).toEqual(value);
    expect(YAML.parse(yaml, { version: "1.1" })).toEqual(value);
  });
});

describe("the create-stack command", () => {
  it("is one shell command whose words are exactly the intended arguments", () => {
    const cmd = createStackCommand({ region: "eu-west-1", templateUrl: "https://x.example.com/t.yaml?a=1&b=2", parameters: params });
    // A stand-in `aws` prints each argument it receives, one per line (NUL-separated to keep newlines).
    const out = execFileSync("bash", ["-c", `aws() { printf '%s\\0' "$@"; }\n${cmd}`], { encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual([
      "cloudformation",
      "create-stack",
      "--region",
      "eu-west-1",
      "--stack-name",
      "sendops",
      "--template-url",
      "https://x.example.com/t.yaml?a=1&b=2",
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
      "--parameters",
      `ParameterKey=SendOpsAccountId,ParameterValue=${params.sendOpsAccountId}`,
      `ParameterKey=ExternalId,ParameterValue=${params.externalId}`,
      `ParameterKey=WebhookUrl,ParameterValue=${params.webhookUrl}`,
      `ParameterKey=WebhookApiKey,ParameterValue=${params.webhookApiKey}`,
    ]);
  });
});
