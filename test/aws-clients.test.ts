import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AwsError } from "../worker/aws/common";
import { assumeRole, assumeRoleCached, CREDENTIALS_REFRESH_MARGIN_MS, xmlText } from "../worker/aws/sts";
import { SesClient } from "../worker/aws/ses";
import { getSuppressions, newAwsAccount, sendOpsCreds, setSuppressions, simStats, throttle } from "./aws-helpers";

const REGION = "eu-west-1";
const session = (roleArn: string, externalId: string) => ({ region: REGION, roleArn, externalId, sessionName: "sendops-test" });

async function rejection(p: Promise<unknown>): Promise<AwsError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AwsError);
  return err as AwsError;
}

async function sesFor(account = "") {
  const acct = account ? { account, roleArn: `arn:aws:iam::${account}:role/SendOpsRole`, externalId: "" } : await newAwsAccount();
  const creds = await assumeRole(env, sendOpsCreds(), session(acct.roleArn, acct.externalId));
  return { ...acct, creds, ses: new SesClient(env, creds, REGION) };
}

describe("STS AssumeRole against the stand-in", () => {
  it("signs with SigV4 and gets one-hour temporary credentials for a role that trusts SendOps with this External ID", async () => {
    const { roleArn, externalId, account } = await newAwsAccount();
    const creds = await assumeRole(env, sendOpsCreds(), session(roleArn, externalId));
    expect(creds.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(creds.sessionToken.length).toBeGreaterThan(100);
    expect(creds.expiration - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(creds.expiration - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(creds.assumedRoleArn).toBe(`arn:aws:sts::${account}:assumed-role/SendOpsRole/sendops-test`);
  });

  it("refuses a wrong secret (SignatureDoesNotMatch) and an unknown key (InvalidClientTokenId), 403 each", async () => {
    const { roleArn, externalId } = await newAwsAccount();
    const badSecret = await rejection(assumeRole(env, { ...sendOpsCreds(), secretAccessKey: "not-the-right-secret-at-all-0000" }, session(roleArn, externalId)));
    expect([badSecret.code, badSecret.status]).toEqual(["SignatureDoesNotMatch", 403]);
    expect(badSecret.message).toMatch(/signature we calculated does not match/);
    const unknown = await rejection(assumeRole(env, { ...sendOpsCreds(), accessKeyId: "AKIAUNKNOWNKEY000000" }, session(roleArn, externalId)));
    expect([unknown.code, unknown.status]).toEqual(["InvalidClientTokenId", 403]);
  });

  it("a wrong External ID or a role that does not exist is AccessDenied (403) with AWS's message", async () => {
    const { roleArn } = await newAwsAccount();
    const wrong = await rejection(assumeRole(env, sendOpsCreds(), session(roleArn, "someone-elses-id")));
    expect([wrong.service, wrong.code, wrong.status]).toEqual(["sts", "AccessDenied", 403]);
    expect(wrong.message).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    expect(wrong.requestId).toBeTruthy();
    const missing = await rejection(assumeRole(env, sendOpsCreds(), session("arn:aws:iam::210987654321:role/Nope", "x-1")));
    expect(missing.code).toBe("AccessDenied");
  });

  it("caches credentials per key until five minutes before they expire", async () => {
    const { roleArn, externalId, account } = await newAwsAccount();
    const key = `org_cache_${account}|${roleArn}`;
    const a = await assumeRoleCached(env, sendOpsCreds(), key, session(roleArn, externalId));
    expect(await assumeRoleCached(env, sendOpsCreds(), key, session(roleArn, externalId))).toBe(a);
    expect((await simStats(account)).assumeRole).toBe(1);
    // Within the margin before expiry, a new AssumeRole replaces them.
    const late = a.expiration - CREDENTIALS_REFRESH_MARGIN_MS + 1;
    const renewed = await assumeRoleCached(env, sendOpsCreds(), key, session(roleArn, externalId), late);
    expect(renewed.accessKeyId).not.toBe(a.accessKeyId);
    expect((await simStats(account)).assumeRole).toBe(2);
  });

  it("retries STS throttling (Throttling, 400) with backoff", async () => {
    const { roleArn, externalId, account } = await newAwsAccount();
    await throttle(account, 2);
    const creds = await assumeRole(env, sendOpsCreds(), session(roleArn, externalId));
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect((await simStats(account)).assumeRole).toBe(3);
  });

  it("reads XML text with entities decoded", () => {
    expect(xmlText('<R><Message a="1">a &amp; b &lt;c&gt; &#65;&#x42;</Message></R>', "Message")).toBe("a & b <c> AB");
    expect(xmlText("<R/>", "Message")).toBeNull();
  });
});

describe("SES v2 against the stand-in", () => {
  it("GetAccount with the role's temporary credentials", async () => {
    const { ses } = await sesFor();
    const account = await ses.getAccount();
    expect(account).toMatchObject({ sendingEnabled: true, productionAccessEnabled: true, enforcementStatus: "HEALTHY" });
    expect(account.suppressedReasons).toEqual(["BOUNCE", "COMPLAINT"]);
  });

  it("refuses temporary credentials without their session token (UnrecognizedClientException)", async () => {
    const { creds } = await sesFor();
    const err = await rejection(new SesClient(env, { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }, REGION).getAccount());
    expect([err.service, err.code, err.status]).toEqual(["ses", "UnrecognizedClientException", 403]);
    const badSecret = await rejection(new SesClient(env, { ...creds, secretAccessKey: "wrong-secret-wrong-secret-000" }, REGION).getAccount());
    expect(badSecret.code).toBe("InvalidSignatureException");
  });

  it("lists the suppression list page by page with an opaque NextToken, filtered by reason and date", async () => {
    const { ses, account } = await sesFor();
    const t0 = Date.UTC(2025, 0, 1) / 1000;
    await setSuppressions(account, REGION, [
      ...Array.from({ length: 25 }, (_, i) => ({ EmailAddress: `b${String(i).padStart(2, "0")}@example.net`, Reason: "BOUNCE" as const, LastUpdateTime: t0 + i * 86_400 })),
      ...Array.from({ length: 5 }, (_, i) => ({ EmailAddress: `c${i}@example.org`, Reason: "COMPLAINT" as const, LastUpdateTime: t0 + i * 3_600.5 })),
    ]);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page = await ses.listSuppressedDestinations({ pageSize: 7, nextToken: token });
      seen.push(...page.entries.map((e) => e.email));
      token = page.nextToken;
      pages++;
    } while (token);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(30);
    const complaints = await ses.listSuppressedDestinations({ reasons: ["COMPLAINT"] });
    expect(complaints.entries.map((e) => e.email)).toEqual(["c0@example.org", "c1@example.org", "c2@example.org", "c3@example.org", "c4@example.org"]);
    expect(complaints.entries[1]!.lastUpdateTime).toBe((t0 + 3_600.5) * 1000);
    const january = await ses.listSuppressedDestinations({ reasons: ["BOUNCE"], startDate: t0 * 1000 + 86_400_000, endDate: t0 * 1000 + 3 * 86_400_000 });
    expect(january.entries.map((e) => e.email)).toEqual(["b01@example.net", "b02@example.net"]);
    const invalid = await rejection(ses.listSuppressedDestinations({ nextToken: "forged.token" }));
    expect([invalid.code, invalid.status]).toEqual(["InvalidNextTokenException", 400]);
  });

  it("deletes an address (URL-encoded path, signed double-encoded); a second delete is NotFoundException (404)", async () => {
    const { ses, account } = await sesFor();
    const odd = "o'brien+tag(1)@example.net";
    await setSuppressions(account, REGION, [
      { EmailAddress: odd, Reason: "BOUNCE", LastUpdateTime: 1_715_600_000 },
      { EmailAddress: "keep@example.net", Reason: "COMPLAINT", LastUpdateTime: 1_715_600_000 },
    ]);
    expect(await ses.getSuppressedDestination(odd)).toEqual({ email: odd, reason: "BOUNCE", lastUpdateTime: 1_715_600_000_000 });
    await ses.deleteSuppressedDestination(odd);
    expect((await getSuppressions(account, REGION)).map((e) => e.EmailAddress)).toEqual(["keep@example.net"]);
    const again = await rejection(ses.deleteSuppressedDestination(odd));
    expect([again.code, again.status]).toEqual(["NotFoundException", 404]);
    expect(again.message).toContain("does not exist");
  });

  it("retries TooManyRequestsException (429) a few times, then gives up with it", async () => {
    const { ses, account } = await sesFor();
    await throttle(account, 2);
    await ses.getAccount();
    expect((await simStats(account)).ses.GetAccount).toBe(3);
    await throttle(account, 10);
    const err = await rejection(ses.getAccount());
    expect([err.code, err.status, err.throttled]).toEqual(["TooManyRequestsException", 429, true]);
    expect((await simStats(account)).ses.GetAccount).toBe(3 + 4);
  });

  it("seeds a fresh account's list with a few hundred realistic entries", async () => {
    const { ses } = await sesFor();
    const page = await ses.listSuppressedDestinations();
    expect(page.entries.length).toBe(400);
    expect(new Set(page.entries.map((e) => e.reason))).toEqual(new Set(["BOUNCE", "COMPLAINT"]));
    const times = page.entries.map((e) => e.lastUpdateTime);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(90 * 86_400_000);
  });
});
