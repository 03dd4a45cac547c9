/**
 * Signature vectors. The verifier below is written only from docs/webhooks.md ("Verifying a request" and
 * the product docs' pseudocode), with node:crypto — it does not import SendOps' signer.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureHeader } from "../worker/services/webhooks/signature";

/** docs: expected = "v1=" + hex(HMAC_SHA256(secret, timestamp + "." + raw_body)); accept if any space-separated value matches. */
function docsVerify(secret: string, rawBody: string, timestamp: string, signature: string, nowSeconds: number): boolean {
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = Buffer.from("v1=" + createHmac("sha256", secret).update(timestamp + "." + rawBody).digest("hex"));
  return signature.split(" ").some((s) => {
    const got = Buffer.from(s);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

const body = '{"id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890"}';
const ts = 1773484200;

describe("X-SendOps-Signature", () => {
  it("matches a known-answer vector computed outside SendOps (Python hmac)", async () => {
    expect(await signatureHeader(["whsec_docs_example"], ts, body)).toBe("v1=ec36ac81543c4da9680199d11d99ae64ed3afe0145b4d4c2cc1826a6502baa94");
  });

  it("a valid signature verifies", async () => {
    const header = await signatureHeader(["whsec_one"], ts, body);
    expect(header).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(docsVerify("whsec_one", body, String(ts), header, ts + 10)).toBe(true);
  });

  it("during a rotation both secrets verify (new first, old second, space-separated)", async () => {
    const header = await signatureHeader(["whsec_new", "whsec_old"], ts, body);
    expect(header.split(" ")).toHaveLength(2);
    expect(docsVerify("whsec_new", body, String(ts), header, ts)).toBe(true);
    expect(docsVerify("whsec_old", body, String(ts), header, ts)).toBe(true);
    expect(docsVerify("whsec_other", body, String(ts), header, ts)).toBe(false);
  });

  it("a tampered body, a changed timestamp or a wrong secret is rejected", async () => {
    const header = await signatureHeader(["whsec_one"], ts, body);
    expect(docsVerify("whsec_one", body, String(ts), header, ts)).toBe(true);
    expect(docsVerify("whsec_one", body.replace("a1b2", "a1b3"), String(ts), header, ts)).toBe(false);
    expect(docsVerify("whsec_one", `${body} `, String(ts), header, ts)).toBe(false);
    expect(docsVerify("whsec_one", body, String(ts + 1), header, ts)).toBe(false);
    expect(docsVerify("whsec_two", body, String(ts), header, ts)).toBe(false);
  });

  it("a timestamp older than 5 minutes is rejected even with a valid signature", async () => {
    const header = await signatureHeader(["whsec_one"], ts, body);
    expect(docsVerify("whsec_one", body, String(ts), header, ts + 300)).toBe(true);
    expect(docsVerify("whsec_one", body, String(ts), header, ts + 301)).toBe(false);
  });
});
