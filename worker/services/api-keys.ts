import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { countActiveApiKeys, findApiKeyOfOrg, listApiKeysOfOrg } from "../db/api-keys";
import { apiKeys } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/crypto";
import { conflict, notFound } from "../lib/errors";
import { newId } from "../lib/ids";

/** Secrets look like `sk_live_` + 43 base64url characters (32 random bytes). */
export const API_KEY_PATTERN = /^sk_live_[A-Za-z0-9_-]{43}$/;
/** How much of the secret is kept in clear for display: `sk_live_` + 4 characters. */
const PREFIX_LENGTH = 12;
/** A cap on live keys per workspace, so a leaked session cannot mint keys without bound. */
export const MAX_ACTIVE_API_KEYS = 50;

export const createApiKeySchema = z.object({
  name: z.string().trim().min(1, "Name the key (e.g. the system that will use it).").max(100, "Name is at most 100 characters."),
});

export const hashApiKey = (secret: string) => sha256Hex(secret);

/** What creating and revoking need from the caller: the org and who acts (the CLI passes an operator actor). */
export type ApiKeyScope = Pick<OrgContext, "orgId" | "actor">;

export async function listApiKeys(db: Db, orgId: string) {
  return { apiKeys: await listApiKeysOfOrg(db, orgId) };
}

export type ApiKeyView = Awaited<ReturnType<typeof listApiKeysOfOrg>>[number];

/**
 * Creates a key and returns its secret. This is the only time the secret exists outside the caller:
 * only its SHA-256 is stored. Used by the dashboard route and by the operator CLI (`create-api-key`).
 */
export async function createApiKey(
  db: Db,
  scope: ApiKeyScope,
  input: z.infer<typeof createApiKeySchema>,
  at = Date.now(),
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  if ((await countActiveApiKeys(db, scope.orgId)) >= MAX_ACTIVE_API_KEYS) {
    throw conflict(`A workspace can have at most ${MAX_ACTIVE_API_KEYS} active API keys. Revoke one you no longer use.`);
  }
  const secret = randomToken("sk_live");
  const apiKey: ApiKeyView = {
    id: newId("key", at),
    name: input.name,
    keyPrefix: secret.slice(0, PREFIX_LENGTH),
    createdByUserId: scope.actor.userId,
    createdByName: scope.actor.name,
    createdAt: at,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.batch([
    db.insert(apiKeys).values({ ...apiKey, orgId: scope.orgId, keyHash: await hashApiKey(secret) }),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "api_key",
      resourceId: apiKey.id,
      operation: "created",
      summary: `Created the API key "${apiKey.name}" (${apiKey.keyPrefix}…)`,
      after: { name: apiKey.name, keyPrefix: apiKey.keyPrefix },
      at,
    }),
  ]);
  return { apiKey, secret };
}

/** Revokes a key: /v1 refuses it from the next request on. The row stays, marked revoked. */
export async function revokeApiKey(db: Db, scope: ApiKeyScope, id: string, at = Date.now()): Promise<ApiKeyView> {
  const key = await findApiKeyOfOrg(db, scope.orgId, id);
  if (!key) throw notFound("API key");
  if (key.revokedAt !== null) throw conflict(`The API key "${key.name}" is already revoked.`);
  await db.batch([
    db
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.orgId, scope.orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt))),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "api_key",
      resourceId: id,
      operation: "revoked",
      summary: `Revoked the API key "${key.name}" (${key.keyPrefix}…)`,
      before: { revokedAt: null },
      after: { revokedAt: at },
      at,
    }),
  ]);
  return { ...key, revokedAt: at };
}
