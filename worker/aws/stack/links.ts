/**
 * Where the Setup Guide sends people and what it hands them: AWS console links (launch, update, the
 * stack, the role), the `aws cloudformation create-stack` command, the AI-assistant prompt and the
 * "Email a colleague" message. Each carries the workspace's four parameter values, as the product docs
 * say ("Both include all parameters specific to your workspace").
 */
import { parameterList, STACK_NAMES, STACK_RESOURCES, type StackParameters } from "./template";

const consoleBase = (region: string) => `https://${region}.console.aws.amazon.com`;

/** The console's wizards read their options from the query inside the URL fragment. */
function fragmentQuery(entries: [string, string][]): string {
  return entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
}

export interface LaunchStackInput {
  region: string;
  templateUrl: string;
  stackName?: string;
  parameters: StackParameters;
}

/** "Launch CloudFormation Stack": the console's quick-create page with the template and parameters filled in. */
export function launchStackUrl({ region, templateUrl, stackName = STACK_NAMES.stack, parameters }: LaunchStackInput): string {
  const query = fragmentQuery([
    ["templateURL", templateUrl],
    ["stackName", stackName],
    ...parameterList(parameters).map(({ key, value }): [string, string] => [`param_${key}`, value]),
  ]);
  return `${consoleBase(region)}/cloudformation/home?region=${encodeURIComponent(region)}#/stacks/quickcreate?${query}`;
}

/** The update wizard of a deployed stack (name or stack ARN) with "Replace current template" set to `templateUrl`. */
export function stackUpdateUrl({ region, templateUrl, stackName = STACK_NAMES.stack }: { region: string; templateUrl: string; stackName?: string }): string {
  const query = fragmentQuery([
    ["stackId", stackName],
    ["templateURL", templateUrl],
  ]);
  return `${consoleBase(region)}/cloudformation/home?region=${encodeURIComponent(region)}#/stacks/update/template?${query}`;
}

/** The stack list filtered to the stack, where its status and Outputs are. */
export function stackConsoleUrl({ region, stackName = STACK_NAMES.stack }: { region: string; stackName?: string }): string {
  return `${consoleBase(region)}/cloudformation/home?region=${encodeURIComponent(region)}#/stacks?${fragmentQuery([["filteringText", stackName]])}`;
}

/** The role's page in the IAM console (IAM is global), where its ARN can be copied. */
export function roleConsoleUrl(roleArn: string): string {
  const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  return `https://console.aws.amazon.com/iam/home#/roles/details/${encodeURIComponent(name)}`;
}

/** A POSIX shell word: left bare when it only holds safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The template by URL (`--template-url`) or as a downloaded file (`--template-body file://…`). */
export type CreateStackInput = ({ templateUrl: string; templateFile?: undefined } | { templateFile: string; templateUrl?: undefined }) & {
  region: string;
  stackName?: string;
  parameters: StackParameters;
  /** A local stand-in's endpoint (`--endpoint-url`); absent for real AWS. */
  endpointUrl?: string;
};

/** The full `aws cloudformation create-stack` command, one option (and one parameter) per line. */
export function createStackCommand(input: CreateStackInput): string {
  const { region, stackName = STACK_NAMES.stack, parameters, endpointUrl } = input;
  const options: string[][] = [
    ...(endpointUrl ? [["--endpoint-url", endpointUrl]] : []),
    ["--region", region],
    ["--stack-name", stackName],
    input.templateUrl !== undefined ? ["--template-url", input.templateUrl] : ["--template-body", `file://${input.templateFile}`],
    ["--capabilities", "CAPABILITY_NAMED_IAM"],
    ["--parameters"],
  ];
  return [
    "aws cloudformation create-stack",
    ...options.map((o) => `  ${o.map(shellQuote).join(" ")}`),
    ...parameterList(parameters).map(({ key, value }) => `    ${shellQuote(`ParameterKey=${key},ParameterValue=${value}`)}`),
  ].join(" \\\n");
}

/** The `aws` options that pick the endpoint, region and stack, for the follow-up commands. */
function stackOptions({ region, stackName = STACK_NAMES.stack, endpointUrl }: CreateStackInput): string {
  return [...(endpointUrl ? ["--endpoint-url", endpointUrl] : []), "--region", region, "--stack-name", stackName].map(shellQuote).join(" ");
}

/** Waits until the stack is created (fails if it rolls back). */
export function waitStackCommand(input: CreateStackInput): string {
  return `aws cloudformation wait stack-create-complete ${stackOptions(input)}`;
}

/** Prints the RoleARN output of the stack. */
export function roleArnCommand(input: CreateStackInput): string {
  return `aws cloudformation describe-stacks ${stackOptions(input)} --query ${shellQuote("Stacks[0].Outputs[?OutputKey=='RoleARN'].OutputValue")} --output text`;
}

const resourceLines = () => STACK_RESOURCES.map((r) => `- ${r.name} (${r.type}): ${r.purpose}`);

/** "Use an AI assistant": a prompt that holds everything needed to create the stack and report the role ARN. */
export function assistantPrompt(input: CreateStackInput & { workspaceName?: string }): string {
  const forWorkspace = input.workspaceName ? `, for the SendOps workspace "${input.workspaceName}"` : "";
  return [
    `Please deploy the SendOps integration stack into my AWS account with the AWS CLI${forWorkspace}.`,
    ``,
    `Run this command with credentials that may create IAM roles, SES configuration sets and EventBridge rules, connections and API destinations, in region ${input.region}:`,
    ``,
    createStackCommand(input),
    ``,
    `It creates a CloudFormation stack named "${input.stackName ?? STACK_NAMES.stack}" with these 7 resources:`,
    ...resourceLines(),
    ``,
    `Then wait until the stack is created:`,
    ``,
    waitStackCommand(input),
    ``,
    `If the wait fails, show me the first CREATE_FAILED event (aws cloudformation describe-stack-events) and its status reason.`,
    `When it succeeds, read the role ARN from the stack's RoleARN output and give it to me:`,
    ``,
    roleArnCommand(input),
    ``,
    `I will paste that ARN into the SendOps Setup Guide and click Validate. Do not change the parameter values; they are specific to my workspace.`,
  ].join("\n");
}

export interface DelegateEmailInput {
  workspaceName: string;
  inviterName: string;
  /** Where the colleague can reply (shown in the message). */
  inviterEmail?: string | null;
  /** A personal note from the inviter, quoted at the top. */
  note?: string | null;
  region: string;
  templateUrl: string;
  stackName?: string;
  parameters: StackParameters;
  /** The Setup Guide of the workspace, where the role ARN goes. */
  setupGuideUrl: string;
  endpointUrl?: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** "Email a colleague": the deploy link, the command, the values and what the stack creates. */
export function delegateEmail(input: DelegateEmailInput): { subject: string; text: string; html: string } {
  const { workspaceName, inviterName, region, templateUrl, setupGuideUrl } = input;
  const inviter = input.inviterEmail ? `${inviterName} (${input.inviterEmail})` : inviterName;
  const stackName = input.stackName ?? STACK_NAMES.stack;
  const launch = launchStackUrl({ region, templateUrl, stackName, parameters: input.parameters });
  const command = createStackCommand({ region, templateUrl, stackName, parameters: input.parameters, endpointUrl: input.endpointUrl });
  const values = parameterList(input.parameters);
  const subject = `${inviterName} asked you to connect AWS to SendOps (${workspaceName})`;
  const intro = `${inviter} is setting up SendOps for the workspace "${workspaceName}" and needs someone with AWS access to deploy a CloudFormation stack in ${region}. It takes one to two minutes.`;
  const note = input.note?.trim() ? input.note.trim() : null;
  const text = [
    ...(note ? [`${inviterName} wrote:`, ...note.split("\n").map((l) => `> ${l}`), ``] : []),
    intro,
    ``,
    `Option 1: open this link, check the box acknowledging that the stack creates IAM resources, and click Create stack:`,
    launch,
    ``,
    `Option 2: run this AWS CLI command:`,
    ``,
    command,
    ``,
    `The parameters (already filled in above):`,
    ...values.map(({ key, value }) => `- ${key}: ${value}`),
    ``,
    `The stack "${stackName}" creates these 7 resources:`,
    ...resourceLines(),
    ``,
    `When the stack reaches CREATE_COMPLETE, copy the RoleARN value from its Outputs tab and paste it into the SendOps Setup Guide (or send it to ${inviterName}):`,
    setupGuideUrl,
  ].join("\n");
  const html = [
    ...(note ? [`<p>${escapeHtml(inviterName)} wrote:</p>`, `<blockquote>${escapeHtml(note).replace(/\n/g, "<br>")}</blockquote>`] : []),
    `<p>${escapeHtml(intro)}</p>`,
    `<p><strong>Option 1:</strong> <a href="${escapeHtml(launch)}">Launch the CloudFormation stack</a>, check the box acknowledging that the stack creates IAM resources, and click <em>Create stack</em>.</p>`,
    `<p><strong>Option 2:</strong> run this AWS CLI command:</p>`,
    `<pre>${escapeHtml(command)}</pre>`,
    `<p>The parameters (already filled in above):</p>`,
    `<ul>${values.map(({ key, value }) => `<li><code>${escapeHtml(key)}</code>: <code>${escapeHtml(value)}</code></li>`).join("")}</ul>`,
    `<p>The stack <code>${escapeHtml(stackName)}</code> creates these 7 resources:</p>`,
    `<ul>${STACK_RESOURCES.map((r) => `<li><code>${escapeHtml(r.name)}</code> (${escapeHtml(r.type)}): ${escapeHtml(r.purpose)}</li>`).join("")}</ul>`,
    `<p>When the stack reaches CREATE_COMPLETE, copy the <code>RoleARN</code> value from its Outputs tab and paste it into the <a href="${escapeHtml(setupGuideUrl)}">SendOps Setup Guide</a> (or send it to ${escapeHtml(inviterName)}).</p>`,
  ].join("\n");
  return { subject, text, html };
}
