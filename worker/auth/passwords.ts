import { fromBase64, randomBytes, timingSafeEqual, toBase64 } from "../lib/crypto";

/** workerd caps PBKDF2 at 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;
export const MIN_PASSWORD_LENGTH = 8;

export interface PasswordHash {
  hash: string;
  salt: string;
  iterations: number;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return toBase64(new Uint8Array(bits));
}

/** PBKDF2-SHA256 with a fresh 16-byte salt per user. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { hash: await derive(password, salt, iterations), salt: toBase64(salt), iterations };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password, fromBase64(stored.salt), stored.iterations);
  return timingSafeEqual(candidate, stored.hash);
}

/** A hash to compare against when the email is unknown, so timing does not reveal registration. */
export const DUMMY_PASSWORD_HASH: PasswordHash = {
  hash: "k0m6Wm0D0v3m0b8l2m5r9m1j3t5v7x9z1b3d5f7h9j0=",
  salt: "c2VuZG9wcy1kdW1teS1zYWx0",
  iterations: PBKDF2_ITERATIONS,
};
