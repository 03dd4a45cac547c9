/**
 * Tokens carried by emailed links (invitations, ownership transfers): `<row id>.<secret>`. Only the
 * SHA-256 of the secret is stored; the row is found by its id and the hashes are compared in constant
 * time, so neither the lookup nor the comparison reveals anything about a guessed secret.
 */
import { randomBytes, sha256Hex, timingSafeEqual, toBase64Url } from "../lib/crypto";
import { assertNotThrottled, recordFailure } from "./throttle";
import type { Db } from "../db/client";

export async function newLinkToken(id: string): Promise<{ token: string; secretHash: string }> {
  const secret = toBase64Url(randomBytes(32));
  return { token: `${id}.${secret}`, secretHash: await sha256Hex(secret) };
}

export function parseLinkToken(token: string): { id: string; secret: string } | null {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1) return null;
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

export async function secretMatches(secret: string, secretHash: string): Promise<boolean> {
  return timingSafeEqual(await sha256Hex(secret), secretHash);
}

/** Guessing link tokens is throttled per client address like failed sign-ins (10 misses in 15 minutes → 429). */
const throttleKey = (ip: string | null) => [`link:${ip ?? "unknown"}`];

export const assertLinkNotThrottled = (db: Db, ip: string | null, at: number) => assertNotThrottled(db, throttleKey(ip), at);
export const recordLinkMiss = (db: Db, ip: string | null, at: number) => recordFailure(db, throttleKey(ip), at);
