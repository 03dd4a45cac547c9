import { beforeAll, describe, expect, it } from "vitest";
import { csvField, csvLine } from "../worker/lib/csv";
import { DAY, feed, HOUR, mailEvents, memberOf, newReportOrg, ok, parseCsv, type MailSpec, type ReportOrg } from "./reports-helpers";

const T0 = Date.UTC(2024, 7, 5);
const RANGE = { from: T0, to: T0 + DAY };
const DOMAINS = ["gmail.com", "hotmail.com", "yahoo.com", "icloud.com", "aol.com", "gmx.de", "web.de", "orange.fr", "free.fr", "example.org", "example.com"];

/*
 * 530 messages (more than one 500-row export page): recipient i at DOMAINS[i % 11], one every 2 minutes;
 * every 7th bounces, every 13th has no template; three subjects need CSV quoting or the formula guard.
 */
const specs: MailSpec[] = Array.from({ length: 530 }, (_, i) => ({
  id: `csv${i}`,
  to: `user${i}@${DOMAINS[i % DOMAINS.length]}`,
  sentAt: T0 + i * 2 * 60_000,
  template: i % 13 === 0 ? null : `tpl-${i % 4}`,
  subject: i === 3 ? 'Order "42", shipped' : i === 4 ? "line one\nline two" : i === 5 ? "=HYPERLINK(\"http://evil\")" : `Subject ${i}`,
  outcome: i % 7 === 0 ? "hard" : "sent",
}));

let org: ReportOrg;

beforeAll(async () => {
  org = await newReportOrg();
  await feed(org.orgId, specs.flatMap(mailEvents));
});

async function csv(query: Record<string, string | number>) {
  const res = await org.get("/reports/export.csv", query);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  return { rows: parseCsv(text), disposition: res.headers.get("content-disposition") ?? "", text };
}

/** How a JSON value appears in the CSV: ISO time for timestamp columns, numbers as numbers, null empty. */
const cell = (v: unknown, time = false) => (v === null || v === undefined ? "" : time ? new Date(v as number).toISOString() : String(v));

describe("CSV export", () => {
  it("messages: every row of every page, equal to the JSON rows", async () => {
    const json: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok<{ messages: Record<string, unknown>[]; nextCursor: string | null }>(org.get("/messages", { limit: 100, cursor }));
      json.push(...page.messages);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(json).toHaveLength(530);

    const { rows, disposition } = await csv({ view: "messages" });
    expect(disposition).toBe('attachment; filename="sendops-messages.csv"');
    expect(rows[0]).toEqual([
      "Sent At",
      "Status",
      "Recipient",
      "From",
      "Subject",
      "Channel",
      "Template",
      "Provider",
      "Delivered At",
      "Latency (ms)",
      "First Open At",
      "First Click At",
      "Bounced At",
      "Complained At",
      "Rejected At",
      "Last Diagnostic",
      "SES Message ID",
    ]);
    expect(rows).toHaveLength(531);
    const guard = (s: unknown) => (typeof s === "string" && /^[=+\-@]/.test(s) ? `'${s}` : cell(s));
    expect(rows.slice(1)).toEqual(
      json.map((m) => [
        cell(m.sentAt, true),
        cell(m.status),
        cell(m.recipient),
        cell(m.from),
        guard(m.subject),
        cell((m.channel as { name: string } | null)?.name),
        cell(m.template),
        cell(m.provider),
        cell(m.deliveredAt, true),
        cell(m.latencyMs),
        cell(m.firstOpenAt, true),
        cell(m.firstClickAt, true),
        cell(m.bouncedAt, true),
        cell(m.complainedAt, true),
        cell(m.rejectedAt, true),
        cell(m.lastDiagnostic),
        cell(m.sesMessageId),
      ]),
    );
    const subjects = rows.map((r) => r[4]);
    expect(subjects).toContain('Order "42", shipped');
    expect(subjects).toContain("line one\nline two");
    expect(subjects).toContain("'=HYPERLINK(\"http://evil\")");
  });

  it("messages with filters: the same rows as the filtered screen", async () => {
    const screen = await ok<{ messages: { sesMessageId: string }[] }>(org.get("/messages", { status: "bounced", limit: 100, from: T0, to: T0 + 6 * HOUR }));
    const { rows, disposition } = await csv({ view: "messages", status: "bounced", from: T0, to: T0 + 6 * HOUR });
    expect(disposition).toBe('attachment; filename="sendops-messages-2024-08-05-to-2024-08-05.csv"');
    expect(rows.slice(1).map((r) => r[16])).toEqual(screen.messages.map((m) => m.sesMessageId));
    expect(rows.length - 1).toBe(26); // i % 7 === 0 for i < 180
  });

  it("events: the event log's rows", async () => {
    const screen = await ok<{ events: Record<string, unknown>[] }>(org.get("/events", { types: "Bounce", limit: 100 }));
    const { rows } = await csv({ view: "events", types: "Bounce" });
    expect(rows[0]).toEqual(["At", "Type", "Recipient", "Channel", "Provider", "Template", "Summary", "SES Message ID"]);
    expect(rows.slice(1)).toEqual(
      screen.events.map((e) => [
        cell(e.at, true),
        cell(e.type),
        cell(e.recipient),
        cell((e.channel as { name: string } | null)?.name),
        cell(e.provider),
        cell(e.template),
        cell(e.summary),
        cell(e.sesMessageId),
      ]),
    );
    expect(rows).toHaveLength(1 + 76); // i % 7 === 0 for i < 530
  });

  it("providers: the table's rows, Other last", async () => {
    const screen = await ok<{ rows: Record<string, unknown>[] }>(org.get("/reports/providers", { ...RANGE, sort: "bouncePct", dir: "asc" }));
    const { rows, disposition } = await csv({ view: "providers", ...RANGE, sort: "bouncePct", dir: "asc" });
    expect(disposition).toBe('attachment; filename="sendops-providers-2024-08-05-to-2024-08-05.csv"');
    expect(screen.rows).toHaveLength(9);
    expect(rows.slice(1)).toEqual(
      screen.rows.map((p) => [
        p.provider,
        p.sends,
        p.deliveries,
        p.bounces,
        p.bouncePct,
        p.bouncePctDelta,
        p.complaints,
        p.complaintPct,
        p.complaintPctDelta,
        p.rejects,
        p.rejectPct,
        p.rejectPctDelta,
        p.isNew,
      ].map((v) => cell(v))),
    );
    expect(rows.at(-1)![0]).toBe("Other");
  });

  it("templates and bounce reasons: the Template Performance and Bounce Reasons rows", async () => {
    const report = await ok(org.get("/reports/engagement", RANGE));
    const templates = await csv({ view: "templates", ...RANGE });
    expect(templates.rows[0]).toEqual(["Template", "Sent", "Open %", "Click %", "Bounce %", "Complaint %"]);
    expect(templates.rows.slice(1)).toEqual(
      report.byTemplate.map((t: Record<string, unknown>) => [t.template ?? "(no template)", t.sent, t.openPct, t.clickPct, t.bouncePct, t.complaintPct].map((v) => cell(v))),
    );
    expect(templates.rows.slice(1).map((r) => r[0])).toEqual(["tpl-1", "tpl-0", "tpl-2", "tpl-3", "(no template)"]);

    const deliverability = await ok(org.get("/reports/deliverability", RANGE));
    const reasons = await csv({ view: "bounce-reasons", ...RANGE });
    expect(reasons.rows).toEqual([
      ["Bounce Type", "Bounce Sub-Type", "Count", "% of Bounces"],
      ...deliverability.bounceReasons.map((b: Record<string, unknown>) => [b.bounceType, b.bounceSubType, b.count, b.pct].map((v) => cell(v))),
    ]);
    expect(reasons.rows[1]).toEqual(["Permanent", "General", "76", "100"]);
  });

  it("needs Reports manage; a recipient filter also needs Recipient Search; bad params are 422", async () => {
    const viewer = await memberOf(org, "viewer");
    expect((await viewer("/reports/export.csv", { view: "providers" })).status).toBe(403);
    const marketer = await memberOf(org, "marketer");
    expect((await marketer("/reports/export.csv", { view: "providers", ...RANGE })).status).toBe(200);
    expect((await marketer("/reports/export.csv", { view: "messages", recipient: "user1@hotmail.com" })).status).toBe(403);
    expect((await marketer("/reports/export.csv", { view: "events", recipient: "user1@hotmail.com" })).status).toBe(403);
    expect((await org.get("/reports/export.csv", { view: "everything" })).status).toBe(422);
    expect((await org.get("/reports/export.csv", { view: "events", types: "Nope" })).status).toBe(422);
  });

  it("an empty export completes with just the header row, for every view", async () => {
    // Before the fix the stream stalled after the header: the runtime cancelled the response as hung and reading the body threw.
    const empty = { from: T0 - 30 * DAY, to: T0 - 29 * DAY };
    const headers: Record<string, string> = {
      messages: "Sent At,Status,Recipient,From,Subject,Channel,Template,Provider,Delivered At,Latency (ms),First Open At,First Click At,Bounced At,Complained At,Rejected At,Last Diagnostic,SES Message ID",
      events: "At,Type,Recipient,Channel,Provider,Template,Summary,SES Message ID",
      providers: "Provider,Sends,Deliveries,Bounces,Bounce %,Bounce % Change (pp),Complaints,Complaint %,Complaint % Change (pp),Rejects,Reject %,Reject % Change (pp),New",
      templates: "Template,Sent,Open %,Click %,Bounce %,Complaint %",
      "bounce-reasons": "Bounce Type,Bounce Sub-Type,Count,% of Bounces",
    };
    for (const [view, header] of Object.entries(headers)) {
      const res = await org.get("/reports/export.csv", { view, ...empty });
      expect(res.status).toBe(200);
      await expect(res.text(), view).resolves.toBe(`${header}\r\n`);
    }
  });

  it("escapes fields as RFC 4180 and guards formulas", () => {
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("@cmd")).toBe("'@cmd");
    expect(csvField(-0.5)).toBe("-0.5");
    expect(csvField(null)).toBe("");
    expect(csvField(true)).toBe("true");
  });

  it("reads back as the values themselves, formula-guarded, in an independent parser", () => {
    const cases: [string, string][] = [
      ['say "hi", ok', 'say "hi", ok'],
      ['ends with a quote"', 'ends with a quote"'],
      ["crlf\r\ninside", "crlf\r\ninside"],
      ["lf\ninside", "lf\ninside"],
      ["cr\rinside", "cr\rinside"],
      [" padded ", " padded "],
      ["a,b", "a,b"],
      ["tab\tinside", "tab\tinside"],
      ["ünïcödé ✓", "ünïcödé ✓"],
      ["", ""],
      ["=1+2", "'=1+2"],
      ["+1", "'+1"],
      ["-x", "'-x"],
      ["@cmd", "'@cmd"],
      ["\tcmd", "'\tcmd"],
      ["\rcmd", "'\rcmd"],
    ];
    const text = csvLine(cases.map(([value]) => value)) + csvLine(cases.map(([value]) => value).reverse());
    expect(parseCsv(text)).toEqual([cases.map(([, read]) => read), cases.map(([, read]) => read).reverse()]);
    expect(parseCsv(csvLine([-0.5, 42, null, true, Number.NaN]))).toEqual([["-0.5", "42", "", "true", ""]]);
  });
});
