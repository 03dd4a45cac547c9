import { env } from "cloudflare:test";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws";
import { sim } from "./aws-helpers";
import { call, json, type TestUser } from "./helpers";

interface OutboxMail {
  to: string[];
  subject: string;
  text: string;
}

/** SendOps' mail to an address, newest first (the AWS stand-in's outbox). */
export async function mailsTo(address: string): Promise<OutboxMail[]> {
  const { mails } = await sim<{ mails: OutboxMail[] }>(`/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`);
  return mails.filter((m) => m.to.includes(address));
}

/** The token of the newest link of this kind (`invite` or `ownership`) mailed to an address. */
export async function linkTokenTo(address: string, kind: "invite" | "ownership"): Promise<string> {
  for (const mail of await mailsTo(address)) {
    const m = new RegExp(`/${kind}/([^\\s]+)`).exec(mail.text);
    if (m) return decodeURIComponent(m[1]!);
  }
  throw new Error(`no ${kind} link mailed to ${address}`);
}

export async function invite(orgId: string, by: TestUser, email: string, role = "developer") {
  return call(`/api/orgs/${orgId}/invitations`, { method: "POST", cookie: by.cookie, body: { email, role } });
}

export async function setPlan(orgId: string, plan: "free" | "team" | "business") {
  await env.DB.prepare("UPDATE orgs SET plan = ? WHERE id = ?").bind(plan, orgId).run();
}

export async function verifyEmail(userId: string) {
  await env.DB.prepare("UPDATE users SET email_verified_at = ? WHERE id = ?").bind(Date.now(), userId).run();
}

/** Adds `count` users straight into D1 as Viewers of the workspace (fills seats fast). */
export async function fillSeats(orgId: string, count: number) {
  const at = Date.now();
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const id = `usr_fill${at.toString(36)}${Math.random().toString(36).slice(2, 8)}${i}`;
    stmts.push(
      env.DB.prepare("INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)").bind(id, `${id}@fill.test`, `Filler ${i}`, at),
      env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, 'viewer', ?)").bind(orgId, id, at),
    );
  }
  if (stmts.length) await env.DB.batch(stmts);
}

export const roleOf = async (orgId: string, userId: string) =>
  (await env.DB.prepare("SELECT role FROM memberships WHERE org_id = ? AND user_id = ?").bind(orgId, userId).first<{ role: string }>())?.role ?? null;

export async function auditOf(orgId: string, resourceType: string, cookie: string) {
  return (await json(await call(`/api/orgs/${orgId}/audit?resourceType=${resourceType}`, { cookie }))).entries as {
    operation: string;
    summary: string;
    resourceId: string;
  }[];
}
