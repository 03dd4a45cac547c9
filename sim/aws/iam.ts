/**
 * Who is calling and what they may do: long-term keys from the configuration, temporary credentials
 * from AssumeRole (acting as the role, with the role's current permission policy), and the IAM action
 * check every SES, EventBridge and CloudFormation operation goes through.
 */
import { randomBytes } from "node:crypto";
import type { SimCredential } from "./config";
import { roleNameOf, type Role, type World } from "./state";
import { AwsFault, type Service } from "./wire";

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  roleArn: string;
  sessionName: string;
  /** Epoch ms. */
  expiration: number;
}

export interface Caller {
  account: string;
  /** The principal as AWS names it in error messages: `arn:aws:iam::<acct>:user/<name>` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
  /** The IAM user or role name (SES's `ses:caller-identity` tag). */
  name: string;
  allowedActions: () => readonly string[];
  accessKeyId: string;
}

/** IAM's action matching: case-insensitive, `*` and `?` wildcards. */
export function actionAllowed(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action));
}

/** Throws AWS's AccessDenied message when the caller's policy does not allow `action`. */
export function authorize(caller: Caller, action: string, resource: string, code = "AccessDeniedException") {
  if (actionAllowed(caller.allowedActions(), action)) return;
  throw new AwsFault(code, 403, `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
}

export class Principals {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly credentials: readonly SimCredential[],
    private readonly world: World,
  ) {}

  /** The secret SigV4 needs for a key id, or null for an unknown key. */
  secretOf = (accessKeyId: string): string | null => this.credentials.find((c) => c.accessKeyId === accessKeyId)?.secretAccessKey ?? this.sessions.get(accessKeyId)?.secretAccessKey ?? null;

  /** The caller behind a verified signature; temporary keys need their session token and must not be expired. */
  caller(accessKeyId: string, sessionToken: string | null, service: Service, now: number): Caller {
    const user = this.credentials.find((c) => c.accessKeyId === accessKeyId);
    if (user) return { account: user.account, arn: `arn:aws:iam::${user.account}:user/${user.userName}`, name: user.userName, allowedActions: () => user.allowedActions, accessKeyId };
    const session = this.sessions.get(accessKeyId)!;
    const query = service === "sts" || service === "cloudformation";
    if (sessionToken !== session.sessionToken) {
      throw query ? new AwsFault("InvalidClientTokenId", 403, "The security token included in the request is invalid.") : new AwsFault("UnrecognizedClientException", 403, "The security token included in the request is invalid.");
    }
    if (session.expiration <= now) throw new AwsFault("ExpiredTokenException", query ? 400 : 403, "The security token included in the request is expired");
    const roleName = roleNameOf(session.roleArn);
    return {
      account: session.account,
      arn: `arn:aws:sts::${session.account}:assumed-role/${roleName}/${session.sessionName}`,
      name: roleName,
      // The role as it is now: a stack update or a control call changes what existing sessions may do, as IAM does.
      allowedActions: () => this.world.roles.get(session.roleArn)?.allowedActions ?? [],
      accessKeyId,
    };
  }

  /** Temporary credentials for a role whose trust the caller passed. */
  issue(role: Role, sessionName: string, expiration: number): Session {
    const session: Session = {
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`,
      account: role.account,
      roleArn: role.arn,
      sessionName,
      expiration,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }
}
