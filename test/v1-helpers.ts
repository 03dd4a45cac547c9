import { exports } from "cloudflare:workers";
import { BASE, db } from "./helpers";
import { createApiKey } from "../worker/services/api-keys";

const TEST_ACTOR = { userId: null, name: "Test Operator", email: "operator@example.test" };

/** Creates an API key for `orgId` through the service (as the operator CLI does); returns its secret. */
export async function newApiKey(orgId: string, name = "Test key") {
  const { apiKey, secret } = await createApiKey(db(), { orgId, actor: TEST_ACTOR }, { name });
  return { id: apiKey.id, secret, prefix: apiKey.keyPrefix };
}

/** Calls the public API like a backend does: no Origin, `Authorization: Bearer <key>` when given. */
export function v1(path: string, opts: { key?: string; headers?: Record<string, string>; method?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  return exports.default.fetch(new Request(`${BASE}/v1${path}`, { method: opts.method ?? "GET", headers }));
}
