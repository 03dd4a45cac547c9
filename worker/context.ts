import type { Env } from "./env";
import type { Role } from "./auth/permissions";
import type { Plan } from "./db/schema";

/** Who performed an action, as recorded in the audit log. */
export interface Actor {
  userId: string | null;
  name: string;
  email: string;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface AuthSession {
  id: string;
  user: SessionUser;
  /** The workspace the session last worked in (its timeout governs expiry). */
  orgId: string | null;
  lastSeenAt: number;
  expiresAt: number;
}

/** The tenant of a request: everything org-scoped reads its org id from here, never from the body. */
export interface OrgContext {
  orgId: string;
  name: string;
  slug: string;
  isDemo: boolean;
  plan: Plan;
  role: Role;
  actor: Actor;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The session cookie's token; resolved by the route's access middleware. */
    sessionToken: string | null;
    /** Set by `userRoute` / `orgRoute` once the token resolved to a live session. */
    session: AuthSession | null;
    org: OrgContext;
  };
}
