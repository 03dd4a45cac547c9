import type { Actor } from "../../context";
import { auditInsert } from "../../db/audit";
import type { Db } from "../../db/client";
import { expireActiveIngestKeys, findIngestKeyByHash, listValidIngestKeys } from "../../db/ingest";
import { ingestKeys } from "../../db/schema";
import { encryptSecret, randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { HOUR } from "../../lib/time";

/** A rotated key keeps working this long, so the CloudFormation parameter can be updated without losing events. */
export const INGEST_KEY_GRACE_MS = 24 * HOUR;
/** Characters of the key shown in lists (`sik_` + 8). */
const PREFIX_LENGTH = 12;

/**
 * Creates the org's new ingest key and gives every currently active key 24 h before it expires
 * (rotation). Returns the plaintext once. Its SHA-256 authenticates; with `encryptionKey` (the Worker's
 * ENCRYPTION_KEY) the key is also kept sealed, so the CloudFormation template can carry it. One audit entry.
 */
export async function createIngestKey(db: Db, orgId: string, actor: Actor, now = Date.now(), encryptionKey?: string) {
  const key = randomToken("sik");
  const id = newId("ikey", now);
  const prefix = key.slice(0, PREFIX_LENGTH);
  const previous = await listValidIngestKeys(db, orgId, now);
  const rotated = previous.filter((k) => k.expiresAt === null);
  await db.batch([
    expireActiveIngestKeys(db, orgId, now + INGEST_KEY_GRACE_MS),
    db.insert(ingestKeys).values({
      id,
      orgId,
      keyHash: await sha256Hex(key),
      keyPrefix: prefix,
      sealedKey: encryptionKey ? await encryptSecret(encryptionKey, key) : null,
      createdAt: now,
      createdByUserId: actor.userId,
      createdByName: actor.name,
      expiresAt: null,
    }),
    auditInsert(db, {
      orgId,
      actor,
      at: now,
      resourceType: "ingest_key",
      resourceId: id,
      operation: rotated.length ? "rotate" : "create",
      summary: rotated.length
        ? `Rotated the ingest key (new ${prefix}…; ${rotated.map((k) => `${k.prefix}…`).join(", ")} stays valid for 24 hours)`
        : `Created the ingest key ${prefix}…`,
      after: { id, prefix, previousKeyIds: rotated.map((k) => k.id) },
    }),
  ]);
  return { id, key, prefix, createdAt: now };
}

export async function listIngestKeys(db: Db, orgId: string, now = Date.now()) {
  return listValidIngestKeys(db, orgId, now);
}

/**
 * In-isolate cache of key lookups (hits and misses) so the ingest path rarely touches D1. Keyed by the
 * presented key itself, so a hit costs no hashing; the key never leaves this isolate's memory.
 */
const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, { orgId: string | null; keyId: string | null; expiresAt: number | null; cachedAt: number }>();

/**
 * The key's id and the org an `x-api-key` belongs to, or null when the key is unknown or expired. Expiry
 * is checked on every call against the cached `expiresAt`, so a rotated key stops working exactly 24 h later.
 */
export async function authenticateIngestKey(db: Db, key: string, now = Date.now()): Promise<{ orgId: string; keyId: string } | null> {
  let entry = keyCache.get(key);
  if (!entry || now - entry.cachedAt > KEY_CACHE_TTL_MS || now < entry.cachedAt) {
    const row = await findIngestKeyByHash(db, await sha256Hex(key));
    entry = { orgId: row?.orgId ?? null, keyId: row?.id ?? null, expiresAt: row?.expiresAt ?? null, cachedAt: now };
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(key, entry);
  }
  if (!entry.orgId || !entry.keyId) return null;
  if (entry.expiresAt !== null && entry.expiresAt <= now) return null;
  return { orgId: entry.orgId, keyId: entry.keyId };
}
