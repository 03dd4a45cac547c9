/** The account-level suppression list: seeded on first use with realistic entries, and SES's four operations on it. */
import { randomUUID } from "node:crypto";
import { sesMessageId } from "./mail";
import type { Runtime } from "./runtime";
import type { RegionState, SuppressionEntry } from "./state";
import { AwsFault } from "./wire";

export const REASONS = ["BOUNCE", "COMPLAINT"] as const;
type Reason = (typeof REASONS)[number];
const DAY = 86_400_000;

/** A small deterministic PRNG (mulberry32) so a seeded list is the same on every run. */
function rng(seedText: string) {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["james", "maria", "wei", "anna", "lukas", "sofia", "omar", "chloe", "ivan", "priya", "noah", "elena", "kenji", "fatima", "lucas", "emma", "mateo", "yuki", "olga", "daniel"];
const LAST = ["smith", "garcia", "chen", "muller", "rossi", "novak", "kowalski", "ivanova", "patel", "kim", "dubois", "silva", "jones", "tanaka", "schmidt", "nguyen"];
const DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "gmx.de", "web.de", "orange.fr", "libero.it", "seznam.cz", "wp.pl", "mail.ru", "qq.com", "naver.com", "example-corp.com"];

/** `count` suppressed addresses, ~80 % bounces, last updated over the past ~9 months. */
export function seedSuppressions(key: string, count: number, now: number): Map<string, SuppressionEntry> {
  const next = rng(key);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const list = new Map<string, SuppressionEntry>();
  while (list.size < count) {
    const sep = pick([".", "_", ""]);
    const n = next() < 0.4 ? String(Math.floor(next() * 100)) : "";
    const email = `${pick(FIRST)}${sep}${pick(LAST)}${n}@${pick(DOMAINS)}`;
    list.set(email, { reason: next() < 0.8 ? "BOUNCE" : "COMPLAINT", lastUpdateTime: Math.floor(now - next() * 270 * DAY) });
  }
  return list;
}

export function suppressionList(rt: Runtime, state: RegionState): Map<string, SuppressionEntry> {
  state.suppressions ??= seedSuppressions(`${state.account}:${state.region}`, rt.config.seedEntries, rt.now());
  return state.suppressions;
}

const summary = (email: string, e: SuppressionEntry) => ({ EmailAddress: email, Reason: e.reason, LastUpdateTime: e.lastUpdateTime / 1000 });

export function listSuppressed(rt: Runtime, state: RegionState, q: URLSearchParams) {
  const reasons = q.getAll("Reason");
  for (const r of reasons) if (!REASONS.includes(r as Reason)) throw new AwsFault("BadRequestException", 400, `Invalid Reason: ${r}. Valid values: BOUNCE, COMPLAINT.`);
  const date = (name: string) => {
    const v = q.get(name);
    if (v === null) return null;
    const t = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new AwsFault("BadRequestException", 400, `${name} must be an ISO-8601 date-time.`);
    return t;
  };
  const start = date("StartDate");
  const end = date("EndDate");
  const size = q.has("PageSize") ? Number(q.get("PageSize")) : 1000;
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new AwsFault("BadRequestException", 400, "PageSize must be between 1 and 1000.");
  const filter = JSON.stringify(["suppressions", reasons.slice().sort(), start, end]);
  const matching = [...suppressionList(rt, state).entries()].filter(
    ([, e]) => (!reasons.length || reasons.includes(e.reason)) && (start === null || e.lastUpdateTime >= start) && (end === null || e.lastUpdateTime < end),
  );
  const { page, next } = rt.tokens.page(matching, ([email]) => email, size, q.get("NextToken"), filter, () => new AwsFault("InvalidNextTokenException", 400, "The NextToken provided is invalid."));
  return { SuppressedDestinationSummaries: page.map(([email, e]) => summary(email, e)), NextToken: next };
}

const missing = (email: string) => new AwsFault("NotFoundException", 404, `Email address ${email} does not exist on your suppression list.`);

export function getSuppressed(rt: Runtime, state: RegionState, email: string) {
  const e = suppressionList(rt, state).get(email.toLowerCase());
  if (!e) throw missing(email);
  return { SuppressedDestination: { ...summary(email.toLowerCase(), e), Attributes: { MessageId: sesMessageId(e.lastUpdateTime), FeedbackId: randomUUID() } } };
}

export function putSuppressed(rt: Runtime, state: RegionState, input: { EmailAddress?: string; Reason?: string }) {
  if (!input.EmailAddress || !REASONS.includes(input.Reason as Reason)) throw new AwsFault("BadRequestException", 400, "EmailAddress and Reason (BOUNCE or COMPLAINT) are required.");
  suppressionList(rt, state).set(input.EmailAddress.toLowerCase(), { reason: input.Reason as Reason, lastUpdateTime: rt.now() });
  return {};
}

export function deleteSuppressed(rt: Runtime, state: RegionState, email: string) {
  if (!suppressionList(rt, state).delete(email.toLowerCase())) throw missing(email);
  return {};
}
