/**
 * OpenID Connect id_token validation (OIDC Core §3.1.3.7): an RS256 JWS whose key is in the issuer's JWKS,
 * with the expected `iss`, our client id in `aud`, an unexpired `exp` and the `nonce` we sent. arctic only
 * decodes id_tokens, so the checks live here (WebCrypto; no other dependency).
 */
import { fromBase64 } from "../lib/crypto";

export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** Tolerated clock difference between us and the issuer. */
const CLOCK_SKEW_S = 60;

export class IdTokenError extends Error {}

const decoder = new TextDecoder();
const decodePart = (part: string) => JSON.parse(decoder.decode(fromBase64(part)));

export async function verifyIdToken(
  idToken: string,
  expected: { issuer: string; audience: string; nonce: string; jwks: Jwk[] },
  at: number,
): Promise<IdTokenClaims> {
  const parts = idToken.split(".");
  if (parts.length !== 3) throw new IdTokenError("the id_token is not a JWS");
  const [h, p, sig] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: IdTokenClaims;
  try {
    header = decodePart(h);
    claims = decodePart(p);
  } catch {
    throw new IdTokenError("the id_token is not valid JSON");
  }
  if (header.alg !== "RS256") throw new IdTokenError(`unexpected signing algorithm ${header.alg}`);
  const jwk = expected.jwks.find((k) => k.kty === "RSA" && (header.kid === undefined || k.kid === header.kid));
  if (!jwk?.n || !jwk.e) throw new IdTokenError("no key in the issuer's JWKS matches the id_token");
  const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, fromBase64(sig), new TextEncoder().encode(`${h}.${p}`));
  if (!ok) throw new IdTokenError("the id_token's signature is invalid");
  if (claims.iss !== expected.issuer) throw new IdTokenError(`the id_token was issued by ${claims.iss}, not ${expected.issuer}`);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) throw new IdTokenError("the id_token is meant for another application");
  if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_S <= at / 1000) throw new IdTokenError("the id_token has expired");
  if (claims.nonce !== expected.nonce) throw new IdTokenError("the id_token's nonce does not match this sign-in");
  if (typeof claims.sub !== "string" || !claims.sub) throw new IdTokenError("the id_token names no subject");
  return claims;
}
