import type { Env } from "../../env";
import type { Plan } from "../../db/schema";

/** The tenant of a /v1 request, set by `apiKeyAuth`: the key's org. Everything reads the org id from here. */
export interface V1Context {
  orgId: string;
  name: string;
  slug: string;
  plan: Plan;
  keyId: string;
  keyName: string;
  keyPrefix: string;
}

/** Hono env of the /v1 app: no session (the dashboard's cookie is never read here), only the key's scope. */
export interface V1Env {
  Bindings: Env;
  Variables: { v1: V1Context };
}
