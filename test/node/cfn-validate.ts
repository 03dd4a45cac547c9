/**
 * An independent check of a CloudFormation template: aws-cdk-lib's cloudformation-include loads the
 * file (its own YAML/JSON reader), maps each resource to CDK's generated L1 class, resolves every
 * Ref/GetAtt/Sub, and synthesizes (running the L1 property validators). Two gaps in what it rejects by
 * itself are closed here from CDK's own data: an unknown resource type becomes a generic CfnResource,
 * and a property the L1 class does not know is kept as a raw override.
 */
import { readFileSync } from "node:fs";
import { App, CfnResource, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { CfnApiDestination, CfnConnection, CfnRule } from "aws-cdk-lib/aws-events";
import { CfnRole } from "aws-cdk-lib/aws-iam";
import { CfnConfigurationSet, CfnConfigurationSetEventDestination } from "aws-cdk-lib/aws-ses";
import YAML from "yaml";

const L1 = {
  "AWS::IAM::Role": CfnRole,
  "AWS::SES::ConfigurationSet": CfnConfigurationSet,
  "AWS::SES::ConfigurationSetEventDestination": CfnConfigurationSetEventDestination,
  "AWS::Events::Connection": CfnConnection,
  "AWS::Events::ApiDestination": CfnApiDestination,
  "AWS::Events::Rule": CfnRule,
} as Record<string, abstract new (...args: never[]) => CfnResource>;

/** Loads and synthesizes the file with CfnInclude; throws when CDK or the strictness checks reject it. */
export function validateTemplateFile(templateFile: string, parameters?: Record<string, string>) {
  const app = new App();
  const stack = new Stack(app, "SendOps", { env: { account: "111122223333", region: "eu-west-1" } });
  const include = new CfnInclude(stack, "T", { templateFile, parameters });
  const raw = YAML.parse(readFileSync(templateFile, "utf8")) as { Resources: Record<string, { Type: string }> };
  for (const [id, { Type }] of Object.entries(raw.Resources)) {
    const resource = include.getResource(id);
    const cls = L1[Type];
    if (!cls || !(resource instanceof cls)) throw new Error(`${id}: ${Type} is not a resource type CDK knows`);
    const overrides = (resource as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides;
    if (Object.keys(overrides).length) throw new Error(`${id}: properties unknown to ${Type}: ${JSON.stringify(overrides)}`);
  }
  const synthesized = Template.fromStack(stack).toJSON();
  app.synth();
  return { include, synthesized };
}

