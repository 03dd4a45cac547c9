/**
 * What the Smithy conformance test (test/node) cannot show: how our clients read AWS's answers —
 * pagination to the end, camelCase results in epoch ms, error names from restJson1 headers and from
 * awsJson1.1 `__type` — and that SendOps' own mail goes out with SendOps' own keys. AWS is a stubbed
 * `fetch` here, so each answer can be exactly what AWS sends.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AwsError } from "../worker/aws/common";
import { EventBridgeClient } from "../worker/aws/events";
import { SesClient } from "../worker/aws/ses";
import { sendMail, type MailerEnv } from "../worker/integrations/mailer";
import { AppError } from "../worker/lib/errors";

const REGION = "eu-west-1";
const ENV = { AWS_ENDPOINT_URL: "" };
const ROLE_CREDS = { accessKeyId: "ASIAEXAMPLEKEYID1234", secretAccessKey: "secret-secret-secret-secret", sessionToken: "token" };

interface Seen {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}

/** Answers requests in order with `answers` (status 200 unless given), recording what was asked. */
function stubAws(...answers: { status?: number; headers?: Record<string, string>; body: unknown }[]): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", async (req: Request) => {
    // Decoded by hand: workerd warns on .text() of an application/x-amz-json-1.1 body.
    seen.push({ url: new URL(req.url), method: req.method, headers: req.headers, body: new TextDecoder().decode(await req.arrayBuffer()) });
    const a = answers.shift();
    if (!a) throw new Error(`unexpected request ${req.method} ${req.url}`);
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200, headers: { "content-type": "application/json", ...a.headers } });
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("SesClient reading SES's answers", () => {
  const ses = () => new SesClient(ENV, ROLE_CREDS, REGION);

  it("lists identities to the last page, passing each NextToken back verbatim with PageSize 1000", async () => {
    const id = (name: string, type: string, status: string) => ({ IdentityName: name, IdentityType: type, SendingEnabled: status === "SUCCESS", VerificationStatus: status });
    const seen = stubAws(
      { body: { EmailIdentities: [id("a.example.com", "DOMAIN", "SUCCESS")], NextToken: "page/2+==" } },
      { body: { EmailIdentities: [id("ops@b.example.com", "EMAIL_ADDRESS", "PENDING")], NextToken: "page3" } },
      { body: { EmailIdentities: [], NextToken: null } },
    );
    expect(await ses().listEmailIdentities()).toEqual([
      { name: "a.example.com", type: "DOMAIN", sendingEnabled: true, verificationStatus: "SUCCESS" },
      { name: "ops@b.example.com", type: "EMAIL_ADDRESS", sendingEnabled: false, verificationStatus: "PENDING" },
    ]);
    expect(seen.map((s) => [s.url.pathname, s.url.searchParams.get("NextToken"), s.url.searchParams.get("PageSize")])).toEqual([
      ["/v2/email/identities", null, "1000"],
      ["/v2/email/identities", "page/2+==", "1000"],
      ["/v2/email/identities", "page3", "1000"],
    ]);
  });

  it("reads an identity: DKIM tokens, MAIL FROM, default configuration set, tags; absent parts are null", async () => {
    stubAws(
      {
        body: {
          IdentityType: "DOMAIN",
          VerifiedForSendingStatus: true,
          VerificationStatus: "SUCCESS",
          DkimAttributes: { SigningEnabled: true, Status: "SUCCESS", Tokens: ["t1", "t2", "t3"], SigningAttributesOrigin: "AWS_SES" },
          MailFromAttributes: { MailFromDomain: "bounce.mail.example.com", MailFromDomainStatus: "PENDING", BehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
          ConfigurationSetName: "acme-transactional",
          Tags: [{ Key: "env", Value: "prod" }],
        },
      },
      { body: { IdentityType: "EMAIL_ADDRESS", VerifiedForSendingStatus: false, VerificationStatus: "PENDING" } },
    );
    expect(await ses().getEmailIdentity("mail.example.com")).toEqual({
      name: "mail.example.com",
      type: "DOMAIN",
      verifiedForSending: true,
      verificationStatus: "SUCCESS",
      dkim: { status: "SUCCESS", tokens: ["t1", "t2", "t3"], signingEnabled: true },
      mailFrom: { domain: "bounce.mail.example.com", status: "PENDING" },
      configurationSetName: "acme-transactional",
      tags: [{ key: "env", value: "prod" }],
    });
    expect(await ses().getEmailIdentity("ops@example.com")).toEqual({
      name: "ops@example.com",
      type: "EMAIL_ADDRESS",
      verifiedForSending: false,
      verificationStatus: "PENDING",
      dkim: null,
      mailFrom: null,
      configurationSetName: null,
      tags: [],
    });
  });

  it("reads a configuration set's options in camelCase (LastFreshStart in ms) and leaves out what SES omits", async () => {
    stubAws(
      {
        body: {
          ConfigurationSetName: "acme-transactional",
          TrackingOptions: { CustomRedirectDomain: "track.example.com", HttpsPolicy: "REQUIRE" },
          DeliveryOptions: { TlsPolicy: "REQUIRE", MaxDeliverySeconds: 3600 },
          ReputationOptions: { ReputationMetricsEnabled: true, LastFreshStart: 1715000000.5 },
          SendingOptions: { SendingEnabled: false },
          SuppressionOptions: { SuppressedReasons: [] },
          Tags: [],
          VdmOptions: {},
        },
      },
      { body: { ConfigurationSetName: "bare" } },
    );
    expect(await ses().getConfigurationSet("acme-transactional")).toEqual({
      name: "acme-transactional",
      trackingOptions: { customRedirectDomain: "track.example.com", httpsPolicy: "REQUIRE" },
      deliveryOptions: { tlsPolicy: "REQUIRE", maxDeliverySeconds: 3600 },
      reputationOptions: { reputationMetricsEnabled: true, lastFreshStart: 1715000000500 },
      sendingOptions: { sendingEnabled: false },
      suppressionOptions: { suppressedReasons: [] },
      tags: [],
    });
    expect(await ses().getConfigurationSet("bare")).toEqual({ name: "bare", tags: [] });
  });

  it("reads and writes suppression options with ValidationOptions: reasons absent means the account-level list", async () => {
    const threshold = (enabled: string, verdict?: string) => ({
      ConditionThreshold: { ConditionThresholdEnabled: enabled, ...(verdict ? { OverallConfidenceThreshold: { ConfidenceVerdictThreshold: verdict } } : {}) },
    });
    const seen = stubAws(
      { body: { ConfigurationSetName: "a", SuppressionOptions: { ValidationOptions: threshold("ENABLED", "HIGH") } } },
      { body: { ConfigurationSetName: "b", SuppressionOptions: { SuppressedReasons: ["BOUNCE"], ValidationOptions: threshold("DISABLED") } } },
      { body: {} },
      { body: {} },
    );
    expect((await ses().getConfigurationSet("a")).suppressionOptions).toEqual({ validation: { enabled: true, threshold: "HIGH" } });
    expect((await ses().getConfigurationSet("b")).suppressionOptions).toEqual({ suppressedReasons: ["BOUNCE"], validation: { enabled: false } });
    await ses().putConfigurationSetSuppressionOptions("a", { validation: { enabled: true, threshold: "MEDIUM" } });
    await ses().putConfigurationSetSuppressionOptions("b", { suppressedReasons: [], validation: { enabled: false } });
    expect(JSON.parse(seen[2]!.body)).toEqual({ ValidationOptions: threshold("ENABLED", "MEDIUM") });
    expect(JSON.parse(seen[3]!.body)).toEqual({ SuppressedReasons: [], ValidationOptions: threshold("DISABLED") });
  });

  it("reads the account's production-access review, mail type and website; none of them when SES sends no Details", async () => {
    const base = { SendingEnabled: true, ProductionAccessEnabled: false, EnforcementStatus: "HEALTHY", SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 } };
    stubAws(
      { body: { ...base, Details: { MailType: "TRANSACTIONAL", WebsiteURL: "https://example.com", ReviewDetails: { Status: "PENDING", CaseId: "1234567890" } } } },
      { body: { ...base, Details: { ReviewDetails: { Status: "DENIED" } } } },
      { body: base },
    );
    const pending = await ses().getAccount();
    expect(pending).toMatchObject({ productionAccessEnabled: false, review: { status: "PENDING", caseId: "1234567890" }, mailType: "TRANSACTIONAL", websiteUrl: "https://example.com" });
    expect(pending.sendQuota).toEqual({ max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 3 });
    expect((await ses().getAccount()).review).toEqual({ status: "DENIED", caseId: null });
    const none = await ses().getAccount();
    expect(none.review).toBeNull();
    expect("mailType" in none || "websiteUrl" in none).toBe(false);
  });

  it("reads event destinations (the EventBridge bus or null) and contact lists and templates (ms); SendEmail gives the message id", async () => {
    stubAws(
      {
        body: {
          EventDestinations: [
            { Name: "sendops-eventbridge", Enabled: true, MatchingEventTypes: ["SEND", "DELIVERY"], EventBridgeDestination: { EventBusArn: "arn:aws:events:eu-west-1:1:event-bus/default" } },
            { Name: "to-sns", Enabled: false, MatchingEventTypes: ["BOUNCE"], SnsDestination: { TopicArn: "arn:aws:sns:eu-west-1:1:t" } },
          ],
        },
      },
      { body: { ContactLists: [{ ContactListName: "news", LastUpdatedTimestamp: 1715600000 }], NextToken: "ignored" } },
      { body: { TemplatesMetadata: [{ TemplateName: "welcome_v3", CreatedTimestamp: 1715600000.123 }] } },
      { body: { MessageId: "0100018f7a2b9c3d-1" } },
    );
    expect(await ses().getConfigurationSetEventDestinations("cs")).toEqual([
      { name: "sendops-eventbridge", enabled: true, matchingEventTypes: ["SEND", "DELIVERY"], eventBridgeBusArn: "arn:aws:events:eu-west-1:1:event-bus/default" },
      { name: "to-sns", enabled: false, matchingEventTypes: ["BOUNCE"], eventBridgeBusArn: null },
    ]);
    expect(await ses().listContactLists(1)).toEqual([{ name: "news", lastUpdated: 1715600000000 }]);
    expect(await ses().listEmailTemplates(1)).toEqual([{ name: "welcome_v3", createdAt: 1715600000123 }]);
    expect(await ses().sendEmail({ from: "a@example.com", to: ["b@example.net"], subject: "s", text: "t" })).toEqual({ messageId: "0100018f7a2b9c3d-1" });
  });

  it("names restJson1 errors from x-amzn-ErrorType (URI cut off), else from the body", async () => {
    stubAws(
      { status: 404, headers: { "x-amzn-ErrorType": "NotFoundException:http://internal.amazon.com/coral/com.amazonaws.sesv2/", "x-amzn-RequestId": "req-1" }, body: { message: "Configuration set <cs> does not exist." } },
      { status: 400, body: { __type: "com.amazonaws.sesv2#AlreadyExistsException", message: "Email identity a.example.com already exists." } },
    );
    const missing = (await rejection(ses().getConfigurationSet("cs"))) as AwsError;
    expect(missing).toBeInstanceOf(AwsError);
    expect([missing.service, missing.code, missing.status, missing.message, missing.requestId]).toEqual(["ses", "NotFoundException", 404, "Configuration set <cs> does not exist.", "req-1"]);
    const dup = (await rejection(ses().createEmailIdentity("a.example.com"))) as AwsError;
    expect([dup.code, dup.status]).toEqual(["AlreadyExistsException", 400]);
  });
});

describe("EventBridgeClient (awsJson1.1)", () => {
  const events = () => new EventBridgeClient(ENV, ROLE_CREDS, REGION);

  it("posts to / with X-Amz-Target and the 1.1 content type, signed for events in the region, and reads the rule", async () => {
    const seen = stubAws({
      body: {
        Name: "sendops-ses-events",
        Arn: "arn:aws:events:eu-west-1:222233334444:rule/sendops-ses-events",
        State: "ENABLED",
        Description: "SES events to SendOps (sendops-template-version=2)",
        EventPattern: '{"source":["aws.ses"]}',
        EventBusName: "default",
      },
    });
    expect(await events().describeRule("sendops-ses-events")).toEqual({
      name: "sendops-ses-events",
      arn: "arn:aws:events:eu-west-1:222233334444:rule/sendops-ses-events",
      state: "ENABLED",
      description: "SES events to SendOps (sendops-template-version=2)",
      eventPattern: '{"source":["aws.ses"]}',
    });
    const [req] = seen;
    expect([req!.method, req!.url.href]).toEqual(["POST", "https://events.eu-west-1.amazonaws.com/"]);
    expect(req!.headers.get("x-amz-target")).toBe("AWSEvents.DescribeRule");
    expect(req!.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(req!.headers.get("authorization")).toMatch(/Credential=ASIAEXAMPLEKEYID1234\/\d{8}\/eu-west-1\/events\/aws4_request/);
    expect(req!.headers.get("x-amz-security-token")).toBe("token");
    expect(JSON.parse(req!.body)).toEqual({ Name: "sendops-ses-events", EventBusName: "default" });
  });

  it("a rule without description or pattern reads as null", async () => {
    stubAws({ body: { Name: "r", Arn: "arn:r", State: "DISABLED", ScheduleExpression: "rate(5 minutes)" } });
    expect(await events().describeRule("r", "custom-bus")).toEqual({ name: "r", arn: "arn:r", state: "DISABLED", description: null, eventPattern: null });
  });

  it("lists a rule's targets to the last page", async () => {
    const seen = stubAws(
      { body: { Targets: [{ Id: "sendops-ingest", Arn: "arn:aws:events:eu-west-1:2:api-destination/sendops-ingest/x", RoleArn: "arn:aws:iam::2:role/SendOpsEventBridgeRole" }], NextToken: "n2" } },
      { body: { Targets: [{ Id: "other", Arn: "arn:aws:sqs:eu-west-1:2:q" }] } },
    );
    expect(await events().listTargetsByRule("sendops-ses-events")).toEqual([
      { id: "sendops-ingest", arn: "arn:aws:events:eu-west-1:2:api-destination/sendops-ingest/x", roleArn: "arn:aws:iam::2:role/SendOpsEventBridgeRole" },
      { id: "other", arn: "arn:aws:sqs:eu-west-1:2:q", roleArn: null },
    ]);
    expect(seen.map((s) => [s.headers.get("x-amz-target"), JSON.parse(s.body)])).toEqual([
      ["AWSEvents.ListTargetsByRule", { Rule: "sendops-ses-events", EventBusName: "default" }],
      ["AWSEvents.ListTargetsByRule", { Rule: "sendops-ses-events", EventBusName: "default", NextToken: "n2" }],
    ]);
  });

  it("names errors from __type without the namespace; retries ThrottlingException", async () => {
    stubAws(
      { status: 400, body: { __type: "com.amazonaws.events#ResourceNotFoundException", message: "Rule sendops-ses-events does not exist on EventBus default." } },
      { status: 400, body: { __type: "AccessDeniedException", Message: "User is not authorized to perform: events:DescribeRule" } },
      { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } },
      { body: { Name: "r", Arn: "arn:r", State: "ENABLED" } },
    );
    const missing = (await rejection(events().describeRule("sendops-ses-events"))) as AwsError;
    expect(missing).toBeInstanceOf(AwsError);
    expect([missing.service, missing.code, missing.status, missing.message]).toEqual(["events", "ResourceNotFoundException", 400, "Rule sendops-ses-events does not exist on EventBus default."]);
    const denied = (await rejection(events().describeRule("r"))) as AwsError;
    expect([denied.code, denied.message]).toEqual(["AccessDeniedException", "User is not authorized to perform: events:DescribeRule"]);
    expect((await events().describeRule("r")).state).toBe("ENABLED");
  });
});

describe("SendOps' own mailer", () => {
  const mailerEnv = (over: Partial<MailerEnv> = {}): MailerEnv => ({
    AWS_ENDPOINT_URL: "",
    AWS_ACCESS_KEY_ID: "AKIASENDOPSOWNKEY000",
    AWS_SECRET_ACCESS_KEY: "sendops-own-secret-0000000000",
    MAILER_FROM: "SendOps <no-reply@sendops.local>",
    MAILER_REGION: "us-west-2",
    ...over,
  });
  const mail = { to: "colleague@example.com", subject: "Delegate this step", text: "Please deploy the stack.", html: "<p>Please deploy the stack.</p>" };

  it("sends through SES in MAILER_REGION with SendOps' own long-term key, from MAILER_FROM", async () => {
    const seen = stubAws({ body: { MessageId: "0100018f-mailer" } });
    expect(await sendMail(mailerEnv(), mail)).toEqual({ messageId: "0100018f-mailer" });
    const [req] = seen;
    expect(req!.url.href).toBe("https://email.us-west-2.amazonaws.com/v2/email/outbound-emails");
    expect(req!.headers.get("authorization")).toMatch(/Credential=AKIASENDOPSOWNKEY000\/\d{8}\/us-west-2\/ses\/aws4_request/);
    expect(req!.headers.has("x-amz-security-token")).toBe(false);
    const body = JSON.parse(req!.body);
    expect(body.FromEmailAddress).toBe("SendOps <no-reply@sendops.local>");
    expect(body.Destination).toEqual({ ToAddresses: ["colleague@example.com"] });
    expect(body.Content.Simple.Subject).toEqual({ Data: "Delegate this step", Charset: "UTF-8" });
    expect(body.Content.Simple.Body.Html.Data).toBe("<p>Please deploy the stack.</p>");
  });

  it("refuses with 503 MAILER_NOT_CONFIGURED, calling nothing, without a sender or without SendOps' keys", async () => {
    const seen = stubAws();
    for (const env of [mailerEnv({ MAILER_FROM: "" }), mailerEnv({ AWS_ACCESS_KEY_ID: undefined }), mailerEnv({ AWS_SECRET_ACCESS_KEY: undefined })]) {
      const err = (await rejection(sendMail(env, mail))) as AppError;
      expect(err).toBeInstanceOf(AppError);
      expect([err.code, err.status]).toEqual(["MAILER_NOT_CONFIGURED", 503]);
      expect(err.message).toContain("MAILER_FROM");
    }
    expect(seen).toHaveLength(0);
  });
});
