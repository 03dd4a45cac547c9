import { z } from "zod";

/**
 * zod schemas for what an EventBridge API destination POSTs: the envelope plus the SES
 * event-publishing record in `detail` (../shared/aws/EVENTS.md). They accept every real variant
 * (absent optional fields, `complaintSubType: null`, "Rendering Failure", tag values as arrays, unknown
 * extra fields and tags) and reject anything else with an issue naming the field.
 */

/** SES `eventType` → EventBridge `detail-type` (exact strings). */
export const DETAIL_TYPES = {
  Send: "Email Sent",
  Delivery: "Email Delivered",
  Bounce: "Email Bounced",
  Complaint: "Email Complaint Received",
  Reject: "Email Rejected",
  Open: "Email Opened",
  Click: "Email Clicked",
  DeliveryDelay: "Email Delivery Delayed",
  "Rendering Failure": "Email Rendering Failed",
  Subscription: "Email Subscribed",
} as const;
export type SesEventType = keyof typeof DETAIL_TYPES;
export const SES_EVENT_TYPES = Object.keys(DETAIL_TYPES) as SesEventType[];

const timestamp = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: "must be an ISO 8601 timestamp",
  });

/** An address, possibly with a display name (`Name <a@b>`); the address part must contain one @. */
const address = z.string().refine((v) => /^[^@\s<>]+@[^@\s<>]+$/.test(extractAddress(v)), { message: "must be an email address" });

/** `a@b`, `<a@b>` or `"Name" <a@b>` → `a@b` (trimmed, case kept). */
export function extractAddress(value: string): string {
  const m = /<([^<>]*)>\s*$/.exec(value);
  return (m ? m[1]! : value).trim();
}

const tags = z.record(z.string(), z.array(z.string()));

const mail = z
  .object({
    timestamp,
    messageId: z.string().min(1),
    source: address,
    sourceArn: z.string().optional(),
    sendingAccountId: z.string().optional(),
    destination: z.array(address).min(1),
    headersTruncated: z.boolean().optional(),
    headers: z.array(z.object({ name: z.string(), value: z.string() }).loose()).optional(),
    commonHeaders: z
      .object({
        from: z.array(z.string()).optional(),
        to: z.array(z.string()).optional(),
        subject: z.string().optional(),
        messageId: z.string().optional(),
      })
      .loose()
      .optional(),
    tags: tags.optional(),
  })
  .loose();

const recipient = z.object({ emailAddress: address }).loose();

const bounce = z
  .object({
    bounceType: z.enum(["Permanent", "Transient", "Undetermined"]),
    bounceSubType: z.string().min(1),
    bouncedRecipients: z
      .array(recipient.extend({ action: z.string().optional(), status: z.string().optional(), diagnosticCode: z.string().optional() }))
      .min(1),
    timestamp,
    feedbackId: z.string().optional(),
    reportingMTA: z.string().optional(),
    remoteMtaIp: z.string().optional(),
  })
  .loose();

const complaint = z
  .object({
    complainedRecipients: z.array(recipient).min(1),
    timestamp,
    feedbackId: z.string().optional(),
    complaintSubType: z.string().nullable().optional(),
    userAgent: z.string().optional(),
    complaintFeedbackType: z.string().optional(),
    arrivalDate: z.string().optional(),
  })
  .loose();

const delivery = z
  .object({
    timestamp,
    processingTimeMillis: z.number().optional(),
    recipients: z.array(address).min(1),
    smtpResponse: z.string().optional(),
    reportingMTA: z.string().optional(),
    remoteMtaIp: z.string().optional(),
  })
  .loose();

const open = z.object({ timestamp, ipAddress: z.string().optional(), userAgent: z.string().optional() }).loose();

const click = z
  .object({
    timestamp,
    link: z.string().min(1),
    ipAddress: z.string().optional(),
    userAgent: z.string().optional(),
    linkTags: tags.optional(),
  })
  .loose();

const deliveryDelay = z
  .object({
    timestamp,
    delayType: z.string().min(1),
    expirationTime: z.string().optional(),
    delayedRecipients: z
      .array(recipient.extend({ status: z.string().optional(), diagnosticCode: z.string().optional() }))
      .min(1),
    reportingMTA: z.string().optional(),
  })
  .loose();

const topicPreferences = z
  .object({
    unsubscribeAll: z.boolean().optional(),
    topicSubscriptionStatus: z.array(z.object({ topicName: z.string(), subscriptionStatus: z.string() }).loose()).optional(),
  })
  .loose();

const subscription = z
  .object({
    timestamp,
    contactList: z.string().optional(),
    source: z.string().optional(),
    newTopicPreferences: topicPreferences.optional(),
    oldTopicPreferences: topicPreferences.optional(),
  })
  .loose();

export const detailSchema = z.discriminatedUnion("eventType", [
  z.object({ eventType: z.literal("Send"), mail, send: z.object({}).loose() }).loose(),
  z.object({ eventType: z.literal("Delivery"), mail, delivery }).loose(),
  z.object({ eventType: z.literal("Bounce"), mail, bounce }).loose(),
  z.object({ eventType: z.literal("Complaint"), mail, complaint }).loose(),
  z.object({ eventType: z.literal("Reject"), mail, reject: z.object({ reason: z.string() }).loose() }).loose(),
  z.object({ eventType: z.literal("Open"), mail, open }).loose(),
  z.object({ eventType: z.literal("Click"), mail, click }).loose(),
  z.object({ eventType: z.literal("DeliveryDelay"), mail, deliveryDelay }).loose(),
  z
    .object({
      eventType: z.literal("Rendering Failure"),
      mail,
      failure: z.object({ templateName: z.string().min(1), errorMessage: z.string() }).loose(),
    })
    .loose(),
  z.object({ eventType: z.literal("Subscription"), mail, subscription }).loose(),
]);
export type SesDetail = z.infer<typeof detailSchema>;
export type SesMail = z.infer<typeof mail>;

export const eventBridgeEventSchema = z
  .object({
    version: z.string(),
    id: z.string().min(1),
    "detail-type": z.string(),
    source: z.literal("aws.ses"),
    account: z.string(),
    time: timestamp,
    region: z.string(),
    resources: z.array(z.string()).optional(),
    detail: detailSchema,
  })
  .loose()
  .superRefine((e, ctx) => {
    const expected = DETAIL_TYPES[e.detail.eventType];
    if (e["detail-type"] !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["detail-type"],
        message: `must be "${expected}" for eventType "${e.detail.eventType}"`,
      });
    }
  });
export type SesEventBridgeEvent = z.infer<typeof eventBridgeEventSchema>;

export interface EventIssue {
  field: string;
  message: string;
}

/** Validates a parsed body; failures list each issue with its dotted field path. */
export function parseEventBridgeEvent(
  body: unknown,
): { ok: true; event: SesEventBridgeEvent } | { ok: false; issues: EventIssue[] } {
  const result = eventBridgeEventSchema.safeParse(body);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ field: i.path.length ? i.path.join(".") : "(body)", message: i.message })),
  };
}
