import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOUR } from "../worker/lib/time";
import { acceptTransfer, expireTransfers } from "../worker/services/ownership-transfer";
import { AppError } from "../worker/lib/errors";
import { call, db, insertMembership, json, newUser, newWorkspace, sessionCookie } from "./helpers";
import { auditOf, linkTokenTo, mailsTo, roleOf, setPlan, verifyEmail } from "./team-helpers";

async function ownerWithHeir(label: string) {
  const owner = await newUser(`${label}-owner`, "Otto Owner");
  const ws = await newWorkspace(owner, `${label} corp`);
  await setPlan(ws.id, "team");
  const heir = await newUser(`${label}-heir`, "Hana Heir");
  await insertMembership(ws.id, heir.id, "developer");
  await verifyEmail(heir.id);
  return { owner, ws, heir };
}

const offer = (orgId: string, cookie: string, userId: string) =>
  call(`/api/orgs/${orgId}/ownership-transfer`, { method: "POST", cookie, body: { userId } });

describe("ownership transfer", () => {
  it("needs a member with a verified email; only the Owner offers it; one at a time", async () => {
    const { owner, ws, heir } = await ownerWithHeir("rules");
    const unverified = await newUser("rules-unverified");
    await insertMembership(ws.id, unverified.id, "org_admin");
    const refused = await offer(ws.id, owner.cookie, unverified.id);
    expect(refused.status).toBe(422);
    expect((await json(refused)).error.details.fields[0]).toEqual({ field: "userId", message: "This member's email address is not verified." });
    // An Org Admin cannot offer it (workspace.transfer is the Owner's).
    const byAdmin = await offer(ws.id, unverified.cookie, heir.id);
    expect((await json(byAdmin)).error).toMatchObject({ code: "FORBIDDEN", details: { permission: "workspace.transfer" } });
    const stranger = await newUser("rules-stranger");
    await verifyEmail(stranger.id);
    expect((await offer(ws.id, owner.cookie, stranger.id)).status).toBe(404);

    const ok = await offer(ws.id, owner.cookie, heir.id);
    expect(ok.status).toBe(201);
    const { transfer } = await json(ok);
    expect(transfer).toMatchObject({ to: { userId: heir.id, name: "Hana Heir" } });
    expect(transfer.expiresAt - transfer.createdAt).toBe(72 * HOUR);
    expect((await offer(ws.id, owner.cookie, heir.id)).status).toBe(409);
    // Both were emailed.
    expect((await mailsTo(heir.email))[0]!.subject).toBe("Otto Owner wants to make you the Owner of rules corp on SendOps");
    expect((await mailsTo(owner.email))[0]!.subject).toBe("You offered the ownership of rules corp to Hana Heir");
  });

  it("blocks removing the target or changing their role while pending; cancel lifts it", async () => {
    const { owner, ws, heir } = await ownerWithHeir("block");
    expect((await offer(ws.id, owner.cookie, heir.id)).status).toBe(201);
    const remove = await call(`/api/orgs/${ws.id}/members/${heir.id}`, { method: "DELETE", cookie: owner.cookie });
    expect(remove.status).toBe(409);
    expect((await json(remove)).error.message).toBe("This member has a pending ownership transfer. Cancel the transfer first from Settings → Workspace.");
    const role = await call(`/api/orgs/${ws.id}/members/${heir.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "viewer" } });
    expect(role.status).toBe(409);
    expect(await roleOf(ws.id, heir.id)).toBe("developer");

    const banner = await json(await call(`/api/orgs/${ws.id}/ownership-transfer`, { cookie: owner.cookie }));
    expect(banner.transfer.to.userId).toBe(heir.id);
    expect((await call(`/api/orgs/${ws.id}/ownership-transfer`, { method: "DELETE", cookie: owner.cookie })).status).toBe(200);
    expect((await json(await call(`/api/orgs/${ws.id}/ownership-transfer`, { cookie: owner.cookie }))).transfer).toBeNull();
    expect((await mailsTo(heir.email))[0]!.subject).toBe("The ownership transfer of block corp was cancelled");
    // The cancelled link no longer works.
    const token = await linkTokenTo(heir.email, "ownership");
    const late = await call("/api/ownership-transfers/accept", { method: "POST", cookie: heir.cookie, body: { token } });
    expect((await json(late)).error.code).toBe("TRANSFER_CLOSED");
    expect((await call(`/api/orgs/${ws.id}/members/${heir.id}`, { method: "DELETE", cookie: owner.cookie })).status).toBe(200);
    expect((await auditOf(ws.id, "ownership_transfer", owner.cookie)).map((e) => e.operation)).toEqual(["cancelled", "initiated"]);
  });

  it("accept by link swaps the roles and signs both users out everywhere; emails both; audited", async () => {
    const { owner, ws, heir } = await ownerWithHeir("accept");
    const ownerElsewhere = sessionCookie(await call("/api/auth/sign-in", { method: "POST", body: { email: owner.email, password: owner.password } }));
    const bystander = await newUser("accept-bystander");
    await insertMembership(ws.id, bystander.id, "viewer");
    expect((await offer(ws.id, owner.cookie, heir.id)).status).toBe(201);
    const token = await linkTokenTo(heir.email, "ownership");

    // Only the target may accept.
    const wrong = await call("/api/ownership-transfers/accept", { method: "POST", cookie: bystander.cookie, body: { token } });
    expect(wrong.status).toBe(403);

    const res = await call("/api/ownership-transfers/accept", { method: "POST", cookie: heir.cookie, body: { token } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ workspace: { id: ws.id }, signedOut: true });
    expect(res.headers.get("set-cookie")).toMatch(/sendops_session=;/);
    expect(await roleOf(ws.id, heir.id)).toBe("owner");
    expect(await roleOf(ws.id, owner.id)).toBe("org_admin");
    for (const cookie of [heir.cookie, owner.cookie, ownerElsewhere]) expect((await call("/api/me", { cookie })).status).toBe(401);
    expect((await call("/api/me", { cookie: bystander.cookie })).status).toBe(200);
    expect((await mailsTo(owner.email))[0]!.subject).toBe("The ownership of accept corp was transferred");
    expect((await mailsTo(heir.email))[0]!.subject).toBe("The ownership of accept corp was transferred");
    const owners = await env.DB.prepare("SELECT user_id FROM memberships WHERE org_id = ? AND role = 'owner'").bind(ws.id).all();
    expect(owners.results).toEqual([{ user_id: heir.id }]);

    const heirAgain = sessionCookie(await call("/api/auth/sign-in", { method: "POST", body: { email: heir.email, password: heir.password } }));
    const entries = await auditOf(ws.id, "ownership_transfer", heirAgain);
    expect(entries.map((e) => e.operation)).toEqual(["accepted", "initiated"]);
    expect(entries[0]!.summary).toBe(`Hana Heir (${heir.email}) accepted the ownership; Otto Owner (${owner.email}) is now an Org Admin. Both were signed out.`);
  });

  it("accept from the dashboard banner by id; the list shows it to the target only", async () => {
    const { owner, ws, heir } = await ownerWithHeir("banner");
    expect((await offer(ws.id, owner.cookie, heir.id)).status).toBe(201);
    const mine = (await json(await call("/api/me/ownership-transfers", { cookie: heir.cookie }))).transfers;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ orgId: ws.id, orgName: "banner corp", fromName: "Otto Owner" });
    expect((await json(await call("/api/me/ownership-transfers", { cookie: owner.cookie }))).transfers).toEqual([]);
    const res = await call("/api/ownership-transfers/accept", { method: "POST", cookie: heir.cookie, body: { id: mine[0].id } });
    expect(res.status).toBe(200);
    expect(await roleOf(ws.id, heir.id)).toBe("owner");
  });

  it("is refused after 72 hours; the cron expires it, audits it and emails both", async () => {
    const { owner, ws, heir } = await ownerWithHeir("expiry");
    const { transfer } = await json(await offer(ws.id, owner.cookie, heir.id));
    const user = { id: heir.id, email: heir.email, name: "Hana Heir" };
    let error: unknown;
    try {
      await acceptTransfer(db(), env, user, { id: transfer.id }, null, transfer.expiresAt);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("TRANSFER_EXPIRED");
    expect(await roleOf(ws.id, heir.id)).toBe("developer");

    expect(await expireTransfers(db(), env, transfer.expiresAt)).toBeGreaterThanOrEqual(1);
    expect((await auditOf(ws.id, "ownership_transfer", owner.cookie))[0]).toMatchObject({ operation: "expired" });
    expect((await mailsTo(owner.email))[0]!.subject).toBe("The ownership transfer of expiry corp expired");
    expect((await mailsTo(heir.email))[0]!.subject).toBe("The ownership transfer of expiry corp expired");
    // A new transfer can start at once.
    expect((await offer(ws.id, owner.cookie, heir.id)).status).toBe(201);
  });
});

describe("role change and removal rules", () => {
  it("an Org Admin changes and removes other members but never the Owner, and never grants Owner", async () => {
    const owner = await newUser("rules-owner");
    const ws = await newWorkspace(owner);
    await setPlan(ws.id, "team");
    const admin = await newUser("rules-admin");
    const dev = await newUser("rules-dev");
    await insertMembership(ws.id, admin.id, "org_admin");
    await insertMembership(ws.id, dev.id, "developer");
    expect((await call(`/api/orgs/${ws.id}/members/${dev.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "support" } })).status).toBe(200);
    expect(await roleOf(ws.id, dev.id)).toBe("support");
    expect((await call(`/api/orgs/${ws.id}/members/${dev.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "owner" } })).status).toBe(422);
    expect((await call(`/api/orgs/${ws.id}/members/${owner.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "viewer" } })).status).toBe(409);
    expect((await call(`/api/orgs/${ws.id}/members/${owner.id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(409);
    expect((await call(`/api/orgs/${ws.id}/members/${dev.id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(200);
    expect(await roleOf(ws.id, owner.id)).toBe("owner");
    // A Developer cannot manage the team at all.
    const dev2 = await newUser("rules-dev2");
    await insertMembership(ws.id, dev2.id, "developer");
    expect((await call(`/api/orgs/${ws.id}/members/${admin.id}`, { method: "DELETE", cookie: dev2.cookie })).status).toBe(403);
  });
});
