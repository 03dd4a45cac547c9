/**
 * CloudFormation (Query API 2010-05-15, XML): CreateStack, UpdateStack, DeleteStack, DescribeStacks,
 * DescribeStackResources, DescribeStackEvents, GetTemplate, ValidateTemplate, and drift detection
 * (DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts). Stacks deploy
 * synchronously (CREATE_COMPLETE on the first DescribeStacks); a resource that fails rolls the stack
 * back (ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_COMPLETE with the previous template restored). Drift
 * detection completes at once, from the drift the control API set on the stack's resources; as in AWS it
 * reads each resource with the caller's permissions, and a resource the caller may not read fails the
 * detection (DETECTION_FAILED) and stays unchecked.
 */
import { randomUUID } from "node:crypto";
import { actionAllowed, authorize } from "./iam";
import { PROVISIONERS, ResourceFailure } from "./resources";
import type { Call, Runtime } from "./runtime";
import type { DriftDetection, RegionState, Stack, StackResource } from "./state";
import { checkCapabilities, order, parameterDeclarations, parseTemplate, requiredCapability, resolve, resolveParameters, validationError, type ResolvedParameter, type Scope, type Template } from "./template";
import { AwsFault, toXml } from "./wire";

export const CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

export interface StackInput {
  stackName: string;
  templateBody: string;
  parameters: { key: string; value?: string; usePrevious?: boolean }[];
  capabilities: string[];
}

/** `Prefix.member.N.Field` form parameters → a list of records. */
function members(params: Map<string, string>, prefix: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const [key, value] of params) {
    const m = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.(\\w+))?$`).exec(key);
    if (!m) continue;
    const i = Number(m[1]) - 1;
    out[i] ??= {};
    out[i]![m[2] ?? "value"] = value;
  }
  return out.filter(Boolean);
}

function stackInput(params: Map<string, string>, name: string): StackInput {
  if (params.has("TemplateURL")) throw validationError("TemplateURL is not supported by the local stand-in (it has no internet); pass TemplateBody.");
  const templateBody = params.get("TemplateBody");
  if (templateBody === undefined && params.get("UsePreviousTemplate") !== "true") throw validationError("Either Template URL or Template Body must be specified.");
  return {
    stackName: name,
    templateBody: templateBody ?? "",
    parameters: members(params, "Parameters").map((p) => ({ key: p.ParameterKey ?? "", value: p.ParameterValue, usePrevious: p.UsePreviousValue === "true" })),
    capabilities: members(params, "Capabilities").map((c) => c.value!),
  };
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** What drift detection must read of each resource type (the read handlers' permissions). */
const DRIFT_READ_ACTIONS: Record<string, readonly string[]> = {
  "AWS::IAM::Role": ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
  "AWS::SES::ConfigurationSet": ["ses:GetConfigurationSet"],
  "AWS::SES::ConfigurationSetEventDestination": ["ses:GetConfigurationSetEventDestinations"],
  "AWS::Events::Connection": ["events:DescribeConnection"],
  "AWS::Events::ApiDestination": ["events:DescribeApiDestination"],
  "AWS::Events::Rule": ["events:DescribeRule", "events:ListTargetsByRule"],
};
const RESOURCE_DRIFT_STATUSES = ["IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED", "UNKNOWN"];
const iso = (ms: number) => new Date(ms);

export class CloudFormation {
  constructor(private readonly rt: Runtime) {}

  /** CreateStack, or UpdateStack when the stack exists ("No updates are to be performed." counts as done): the control route's deploy. */
  createOrUpdate(state: RegionState, input: StackInput): Stack {
    const stack = this.live(state, input.stackName);
    if (!stack) return this.create(state, input);
    try {
      return this.update(state, stack, input);
    } catch (err) {
      if (err instanceof AwsFault && err.message === "No updates are to be performed.") return stack;
      throw err;
    }
  }

  private live(state: RegionState, nameOrId: string): Stack | undefined {
    return state.stacks.get(nameOrId) ?? [...state.stacks.values()].find((s) => s.name === nameOrId && s.deletedAt === null);
  }

  private existing(state: RegionState, nameOrId: string | undefined): Stack {
    const stack = nameOrId === undefined ? undefined : this.live(state, nameOrId);
    if (!stack) throw validationError(`Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  /** Runs one action; returns the inner XML of its `<…Result>` (null for actions without output). */
  action(call: Call, state: RegionState, params: Map<string, string>): { action: string; result: string | null } {
    const action = params.get("Action") ?? "";
    if (params.get("Version") !== "2010-05-15") throw validationError("Version must be 2010-05-15.");
    const stats = this.rt.stats(state.account).cloudformation;
    stats[action] = (stats[action] ?? 0) + 1;
    const name = params.get("StackName");
    const stackArn = name === undefined ? "*" : (this.live(state, name)?.id ?? `arn:aws:cloudformation:${state.region}:${state.account}:stack/${name}/*`);
    // CloudFormation names the error AccessDenied (the JSON services say AccessDeniedException).
    const allow = (resource = stackArn) => authorize(call.caller, `cloudformation:${action}`, resource, "AccessDenied");
    switch (action) {
      case "CreateStack": {
        allow();
        return { action, result: toXml({ StackId: this.create(state, stackInput(params, name ?? "")).id }) };
      }
      case "UpdateStack": {
        allow();
        const stack = this.existing(state, name);
        return { action, result: toXml({ StackId: this.update(state, stack, { ...stackInput(params, stack.name), templateBody: params.get("UsePreviousTemplate") === "true" ? stack.templateBody : (params.get("TemplateBody") ?? "") }).id }) };
      }
      case "DeleteStack": {
        allow();
        const stack = name === undefined ? undefined : this.live(state, name);
        if (stack && stack.deletedAt === null) this.delete(stack);
        return { action, result: null };
      }
      case "DescribeStacks": {
        allow();
        const stacks = name === undefined ? [...state.stacks.values()].filter((s) => s.deletedAt === null) : [this.existing(state, name)];
        return { action, result: toXml({ Stacks: stacks.map((s) => this.view(s)) }) };
      }
      case "DescribeStackResources": {
        allow();
        const stack = this.existing(state, name);
        const logical = params.get("LogicalResourceId");
        const resources = stack.resources.filter((r) => logical === undefined || r.logicalId === logical);
        return {
          action,
          result: toXml({
            StackResources: resources.map((r) => ({ StackName: stack.name, StackId: stack.id, LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId || undefined, ResourceType: r.type, Timestamp: iso(r.at), ResourceStatus: r.status, ResourceStatusReason: r.reason ?? undefined, DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" } })),
          }),
        };
      }
      case "DescribeStackEvents": {
        allow();
        const stack = this.existing(state, name);
        return {
          action,
          result: toXml({
            StackEvents: [...stack.events].reverse().map((e) => ({ StackId: stack.id, EventId: e.eventId, StackName: stack.name, LogicalResourceId: e.logicalId, PhysicalResourceId: e.physicalId || undefined, ResourceType: e.type, Timestamp: iso(e.at), ResourceStatus: e.status, ResourceStatusReason: e.reason ?? undefined })),
          }),
        };
      }
      case "GetTemplate": {
        allow();
        return { action, result: toXml({ TemplateBody: this.existing(state, name).templateBody, StagesAvailable: ["Original", "Processed"] }) };
      }
      case "ValidateTemplate": {
        allow();
        const t = parseTemplate(params.get("TemplateBody") ?? "");
        const capability = requiredCapability(t);
        return {
          action,
          result: toXml({
            Parameters: parameterDeclarations(t),
            Description: t.Description,
            Capabilities: capability ? [capability] : [],
            CapabilitiesReason: capability ? `The following resource(s) require capabilities: [${[...new Set(Object.values(t.Resources).filter((r) => r.Type.startsWith("AWS::IAM::")).map((r) => r.Type))].join(", ")}]` : undefined,
          }),
        };
      }
      case "DetectStackDrift": {
        allow();
        const stack = this.existing(state, name);
        return { action, result: toXml({ StackDriftDetectionId: this.detectDrift(call, state, stack).id }) };
      }
      case "DescribeStackDriftDetectionStatus": {
        // AWS scopes this action to no resource: the policy must allow it on *.
        allow("*");
        const id = params.get("StackDriftDetectionId");
        if (!id) throw validationError("1 validation error detected: Value null at 'stackDriftDetectionId' failed to satisfy constraint: Member must not be null");
        const d = state.driftDetections.get(id);
        if (!d) throw validationError(`Drift detection with id ${id} does not exist`);
        const drifted = d.resources.filter((r) => r.status !== "IN_SYNC").length;
        return {
          action,
          result: toXml({
            StackId: d.stackId,
            StackDriftDetectionId: d.id,
            StackDriftStatus: d.stackDriftStatus,
            DetectionStatus: d.status,
            DetectionStatusReason: d.reason ?? undefined,
            DriftedStackResourceCount: drifted,
            Timestamp: iso(d.at),
          }),
        };
      }
      case "DescribeStackResourceDrifts": {
        allow();
        const stack = this.existing(state, name);
        const filters = members(params, "StackResourceDriftStatusFilters").map((f) => f.value!);
        const bad = filters.find((f) => !RESOURCE_DRIFT_STATUSES.includes(f));
        if (bad) throw validationError(`1 validation error detected: Value '[${bad}]' at 'stackResourceDriftStatusFilters' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${RESOURCE_DRIFT_STATUSES.join(", ")}]]`);
        const d = stack.lastDriftDetection;
        const drifts = (d?.resources ?? []).filter((r) => !filters.length || filters.includes(r.status));
        return {
          action,
          result: toXml({
            StackResourceDrifts: drifts.map((r) => ({
              StackId: stack.id,
              LogicalResourceId: r.logicalId,
              PhysicalResourceId: r.physicalId || undefined,
              ResourceType: r.type,
              StackResourceDriftStatus: r.status,
              Timestamp: iso(d!.at),
            })),
          }),
        };
      }
      default:
        throw validationError(`Unsupported action ${action} in the local stand-in.`);
    }
  }

  /** CreateStack: checks the input like AWS (errors are API errors), then deploys; a failing resource rolls the stack back. */
  create(state: RegionState, input: StackInput): Stack {
    if (!STACK_NAME.test(input.stackName)) throw validationError(`1 validation error detected: Value '${input.stackName}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`);
    if (this.live(state, input.stackName)) throw new AwsFault("AlreadyExistsException", 400, `Stack [${input.stackName}] already exists`);
    const template = parseTemplate(input.templateBody);
    const parameters = resolveParameters(template, input.parameters);
    checkCapabilities(template, input.capabilities);
    const now = this.rt.now();
    const stack: Stack = {
      id: `arn:aws:cloudformation:${state.region}:${state.account}:stack/${input.stackName}/${randomUUID()}`,
      name: input.stackName,
      status: "CREATE_IN_PROGRESS",
      reason: "User Initiated",
      description: template.Description ?? null,
      templateBody: input.templateBody,
      parameters,
      capabilities: input.capabilities,
      outputs: [],
      resources: [],
      events: [],
      createdAt: now,
      updatedAt: null,
      deletedAt: null,
      drift: new Map(),
      lastDriftDetection: null,
    };
    state.stacks.set(stack.id, stack);
    this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated");
    const failure = this.deploy(state, stack, template, parameters, "CREATE");
    if (failure) {
      this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", failure);
      this.undoAll(stack);
      this.finish(stack, "ROLLBACK_COMPLETE", failure);
    } else this.finish(stack, "CREATE_COMPLETE", null);
    return stack;
  }

  update(state: RegionState, stack: Stack, input: StackInput): Stack {
    if (!/_COMPLETE$/.test(stack.status) || stack.status === "ROLLBACK_COMPLETE" || stack.status === "DELETE_COMPLETE") {
      throw validationError(`Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    const template = parseTemplate(input.templateBody);
    const parameters = resolveParameters(template, input.parameters, stack.parameters);
    checkCapabilities(template, input.capabilities);
    if (input.templateBody === stack.templateBody && JSON.stringify(parameters) === JSON.stringify(stack.parameters)) throw validationError("No updates are to be performed.");
    const previous = { template: parseTemplate(stack.templateBody), templateBody: stack.templateBody, parameters: stack.parameters };
    this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated");
    // Re-deploy: the old resources go, the new template's come (a replacement of every resource).
    this.undoAll(stack);
    stack.resources = [];
    const failure = this.deploy(state, stack, template, parameters, "UPDATE");
    if (failure) {
      this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS", failure);
      this.undoAll(stack);
      stack.resources = [];
      this.deploy(state, stack, previous.template, previous.parameters, "UPDATE");
      this.finish(stack, "UPDATE_ROLLBACK_COMPLETE", failure);
      return stack;
    }
    stack.templateBody = input.templateBody;
    stack.parameters = parameters;
    stack.capabilities = input.capabilities;
    stack.description = template.Description ?? null;
    // Every resource was re-deployed from the template: whatever had drifted is back in sync.
    stack.drift.clear();
    this.finish(stack, "UPDATE_COMPLETE", null);
    return stack;
  }

  delete(stack: Stack) {
    this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated");
    this.undoAll(stack);
    stack.deletedAt = this.rt.now();
    stack.outputs = [];
    this.finish(stack, "DELETE_COMPLETE", null);
  }

  /** DetectStackDrift: judges each live resource the caller may read against the drift set on the stack. */
  private detectDrift(call: Call, state: RegionState, stack: Stack): DriftDetection {
    const resources: DriftDetection["resources"] = [];
    const unreadable: { logicalId: string; action: string }[] = [];
    for (const r of stack.resources.filter((r) => r.status.endsWith("_COMPLETE") && r.status !== "DELETE_COMPLETE")) {
      const missing = (DRIFT_READ_ACTIONS[r.type] ?? []).find((a) => !actionAllowed(call.caller.allowedActions(), a));
      if (missing) unreadable.push({ logicalId: r.logicalId, action: missing });
      else resources.push({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: stack.drift.get(r.logicalId) ?? "IN_SYNC" });
    }
    const detection: DriftDetection = {
      id: randomUUID(),
      stackId: stack.id,
      status: unreadable.length ? "DETECTION_FAILED" : "DETECTION_COMPLETE",
      reason: unreadable.length
        ? `Failed to detect drift on resources [${unreadable.map((u) => u.logicalId).join(", ")}]: User: ${call.caller.arn} is not authorized to perform: ${unreadable[0]!.action}`
        : null,
      stackDriftStatus: resources.some((r) => r.status !== "IN_SYNC") ? "DRIFTED" : "IN_SYNC",
      at: this.rt.now(),
      resources,
    };
    state.driftDetections.set(detection.id, detection);
    stack.lastDriftDetection = detection;
    return detection;
  }

  /** Creates the template's resources in dependency order; returns the failure reason, or null. */
  private deploy(state: RegionState, stack: Stack, template: Template, parameters: ResolvedParameter[], verb: "CREATE" | "UPDATE"): string | null {
    const scope: Scope = {
      params: Object.fromEntries(parameters.map((p) => [p.key, p.value])),
      pseudo: { "AWS::AccountId": state.account, "AWS::Region": state.region, "AWS::Partition": "aws", "AWS::StackName": stack.name, "AWS::StackId": stack.id, "AWS::URLSuffix": "amazonaws.com" },
      resources: {},
    };
    for (const logicalId of order(template)) {
      const decl = template.Resources[logicalId]!;
      const resource: StackResource = { logicalId, type: decl.Type, physicalId: "", status: "CREATE_IN_PROGRESS", reason: null, at: this.rt.now(), undo: null };
      stack.resources.push(resource);
      this.event(stack, logicalId, "", decl.Type, "CREATE_IN_PROGRESS", null);
      const provision = PROVISIONERS[decl.Type];
      try {
        if (!provision) throw new ResourceFailure(`Resource type ${decl.Type} is not supported by the local AWS stand-in.`);
        const props = resolve(scope, decl.Properties ?? {}) as Record<string, unknown>;
        const made = provision(props, { world: this.rt.world, state, stackId: stack.id, stackName: stack.name, logicalId, now: this.rt.now() });
        Object.assign(resource, { physicalId: made.physicalId, status: "CREATE_COMPLETE", undo: made.undo, at: this.rt.now() });
        scope.resources[logicalId] = { ref: made.physicalId, attributes: made.attributes };
        this.event(stack, logicalId, made.physicalId, decl.Type, "CREATE_COMPLETE", null);
      } catch (err) {
        const reason = err instanceof ResourceFailure || (err as { code?: string }).code === "ValidationError" ? (err as Error).message : `Internal failure: ${(err as Error).message}`;
        Object.assign(resource, { status: "CREATE_FAILED", reason, at: this.rt.now() });
        this.event(stack, logicalId, "", decl.Type, "CREATE_FAILED", reason);
        return `The following resource(s) failed to create: [${logicalId}]. ${verb === "CREATE" ? "Rollback requested by user." : reason}`;
      }
    }
    stack.outputs = Object.entries(template.Outputs).map(([key, o]) => ({ key, value: String(resolve(scope, o.Value)), description: o.Description ?? null }));
    return null;
  }

  private undoAll(stack: Stack) {
    for (const r of [...stack.resources].reverse()) {
      if (!r.undo) continue;
      r.undo();
      r.undo = null;
      Object.assign(r, { status: "DELETE_COMPLETE", at: this.rt.now() });
      this.event(stack, r.logicalId, r.physicalId, r.type, "DELETE_COMPLETE", null);
    }
  }

  private finish(stack: Stack, status: string, reason: string | null) {
    stack.status = status;
    stack.reason = reason;
    if (status.startsWith("UPDATE")) stack.updatedAt = this.rt.now();
    this.event(stack, stack.name, stack.id, "AWS::CloudFormation::Stack", status, reason);
  }

  private event(stack: Stack, logicalId: string, physicalId: string, type: string, status: string, reason: string | null) {
    stack.events.push({ eventId: randomUUID(), logicalId, physicalId, type, status, reason, at: this.rt.now() });
  }

  /** A stack as DescribeStacks shows it; NoEcho parameters read `****`. */
  view(s: Stack) {
    return {
      StackId: s.id,
      StackName: s.name,
      Description: s.description ?? undefined,
      Parameters: s.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.noEcho ? "****" : p.value })),
      CreationTime: iso(s.createdAt),
      LastUpdatedTime: s.updatedAt === null ? undefined : iso(s.updatedAt),
      DeletionTime: s.deletedAt === null ? undefined : iso(s.deletedAt),
      StackStatus: s.status,
      StackStatusReason: s.reason ?? undefined,
      DisableRollback: false,
      Capabilities: s.capabilities,
      Outputs: s.outputs.map((o) => ({ OutputKey: o.key, OutputValue: o.value, Description: o.description ?? undefined })),
      EnableTerminationProtection: false,
      // The stack's drift as its latest detection found it.
      DriftInformation: s.lastDriftDetection
        ? { StackDriftStatus: s.lastDriftDetection.stackDriftStatus, LastCheckTimestamp: iso(s.lastDriftDetection.at) }
        : { StackDriftStatus: "NOT_CHECKED" },
    };
  }
}
