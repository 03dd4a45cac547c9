import { describe, expect, it } from "vitest";
import { AppError } from "../worker/lib/errors";
import { DAY } from "../worker/lib/time";
import { acceptInvitationByToken, expireInvitations, previewInvitation } from "../worker/services/invitations";
import { call, db, insertMembership, json, newUser, newWorkspace, sessionCookie, uniqueEmail, type TestUser } from "./helpers";
import { auditOf, fillSeats, invite, linkTokenTo, mailsTo, roleOf, setPlan } from "./team-helpers";

const FREE_MESSAGE = "The Free plan supports a single user. To invite additional team members, upgrade to the Team or Business plan.";

async function teamWorkspace(label: string, plan: "free" | "team" | "business" = "team") {
  const owner = await newUser(`${label}-owner`, "Olga Owner");
  const ws = await newWorkspace(owner, `${label} works`);
  await setPlan(ws.id, plan);
  return { owner, ws };
}

/** Signs up (and in) with a given address, as the invitee does from the link. */
async function signUpAs(email: string, name = "Ivy Invitee"): Promise<TestUser> {
  const password = "correct horse battery";
  expect((await call("/api/auth/sign-up", { method: "POST", body: { name, email, password, acceptTerms: true } })).status).toBe(201);
  const res = await call("/api/auth/sign-in", { method: "POST", body: { email, password } });
  return { email, password, cookie: sessionCookie(res), id: (await json(res)).user.id };
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  throw new Error("expected the call to fail");
};

describe("inviting", () => {
  it("emails a link; the invitee previews it signed out, creates an account, accepts and joins with the invited role", async () => {
    const { owner, ws } = await teamWorkspace("flow");
    const email = uniqueEmail("invitee");
    const res = await invite(ws.id, owner, email.toUpperCase(), "marketer");
    expect(res.status).toBe(201);
    expect((await json(res)).invitation).toMatchObject({ email, role: "marketer", expired: false });

    const list = await json(await call(`/api/orgs/${ws.id}/invitations`, { cookie: owner.cookie }));
    expect(list.invitations).toHaveLength(1);
    expect(list.invitations[0]).toMatchObject({ email, role: "marketer", invitedByName: "Olga Owner" });
    expect(list.invitations[0].expiresAt - list.invitations[0].createdAt).toBe(7 * DAY);

    const [mail] = await mailsTo(email);
    expect(mail!.subject).toBe("Olga Owner invited you to flow works on SendOps");
    expect(mail!.text).toContain("as Marketer");
    const token = await linkTokenTo(email, "invite");

    const preview = await call("/api/invitations/preview", { method: "POST", body: { token } });
    expect(preview.status).toBe(200);
    expect((await json(preview)).invitation).toMatchObject({ workspaceName: "flow works", role: "marketer", email, status: "pending", hasAccount: false });
    // Accepting needs an account.
    expect((await call("/api/invitations/accept", { method: "POST", body: { token } })).status).toBe(401);

    const invitee = await signUpAs(email);
    const accepted = await call("/api/invitations/accept", { method: "POST", cookie: invitee.cookie, body: { token } });
    expect(accepted.status).toBe(200);
    expect(await json(accepted)).toMatchObject({ workspace: { id: ws.id, slug: ws.slug }, role: "marketer" });
    expect(await roleOf(ws.id, invitee.id)).toBe("marketer");
    const me = await json(await call("/api/me", { cookie: invitee.cookie }));
    expect(me.workspaces.find((w: { id: string }) => w.id === ws.id)).toMatchObject({ role: "marketer" });
    expect((await json(await call(`/api/orgs/${ws.id}/invitations`, { cookie: owner.cookie }))).invitations).toEqual([]);
    // The link is spent.
    const again = await call("/api/invitations/accept", { method: "POST", cookie: invitee.cookie, body: { token } });
    expect((await json(again)).error.code).toBe("INVITATION_CLOSED");

    const ops = (await auditOf(ws.id, "invitation", owner.cookie)).map((e) => [e.operation, e.summary]);
    expect(ops).toEqual([
      ["accepted", `Ivy Invitee (${email}) accepted the invitation and joined as Marketer`],
      ["sent", `Invited ${email} as Marketer`],
    ]);
  });

  it("never invites as Owner; refuses a member and an address already invited", async () => {
    const { owner, ws } = await teamWorkspace("refuse");
    const owned = await invite(ws.id, owner, uniqueEmail("o"), "owner");
    expect(owned.status).toBe(422);
    expect((await json(owned)).error.details.fields[0].field).toBe("role");

    const member = await newUser("refuse-member");
    await insertMembership(ws.id, member.id, "viewer");
    const dup = await invite(ws.id, owner, member.email);
    expect(dup.status).toBe(409);
    expect((await json(dup)).error.message).toBe(`${member.email} is already a member of this workspace.`);

    const email = uniqueEmail("twice");
    expect((await invite(ws.id, owner, email)).status).toBe(201);
    const twice = await invite(ws.id, owner, email);
    expect(twice.status).toBe(409);
    expect((await json(twice)).error.details.code).toBe("ALREADY_INVITED");
  });
});

describe("seat limits (Free 1, Team 5, Business 25)", () => {
  it("Free: the Owner alone fills the plan; the documented message", async () => {
    const { owner, ws } = await teamWorkspace("free", "free");
    const res = await invite(ws.id, owner, uniqueEmail("free"));
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatchObject({ code: "SEAT_LIMIT_REACHED", message: FREE_MESSAGE, details: { plan: "free", seats: 1 } });
  });

  it.each([
    ["team", 5],
    ["business", 25],
  ] as const)("%s: the last seat can be invited to, pending invitations hold seats, one more is refused", async (plan, seats) => {
    const { owner, ws } = await teamWorkspace(`seats-${plan}`, plan);
    await fillSeats(ws.id, seats - 3); // Owner + (seats - 3) members = seats - 2 used
    expect((await invite(ws.id, owner, uniqueEmail("a"))).status).toBe(201);
    expect((await invite(ws.id, owner, uniqueEmail("b"))).status).toBe(201);
    const over = await invite(ws.id, owner, uniqueEmail("c"));
    expect(over.status).toBe(409);
    const body = await json(over);
    expect(body.error).toMatchObject({ code: "SEAT_LIMIT_REACHED", details: { plan, seats } });
    expect(body.error.message).toContain(`supports ${seats} users`);
  });

  it("is checked again on accept: a seat taken meanwhile (or a downgrade) refuses the acceptance", async () => {
    const { owner, ws } = await teamWorkspace("accept-seat", "team");
    const email = uniqueEmail("late");
    expect((await invite(ws.id, owner, email)).status).toBe(201);
    const token = await linkTokenTo(email, "invite");
    await fillSeats(ws.id, 4); // 5 members: the plan is full
    const invitee = await signUpAs(email);
    const res = await call("/api/invitations/accept", { method: "POST", cookie: invitee.cookie, body: { token } });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("SEAT_LIMIT_REACHED");
    expect(await roleOf(ws.id, invitee.id)).toBeNull();

    const { owner: o2, ws: ws2 } = await teamWorkspace("downgrade", "team");
    const email2 = uniqueEmail("down");
    await invite(ws2.id, o2, email2);
    const token2 = await linkTokenTo(email2, "invite");
    await setPlan(ws2.id, "free");
    const invitee2 = await signUpAs(email2);
    const res2 = await call("/api/invitations/accept", { method: "POST", cookie: invitee2.cookie, body: { token: token2 } });
    expect((await json(res2)).error).toMatchObject({ code: "SEAT_LIMIT_REACHED", message: FREE_MESSAGE });
  });
});

describe("accepting", () => {
  it("refuses an expired invitation (7 days); the cron marks it expired and audits it", async () => {
    const { owner, ws } = await teamWorkspace("expiry");
    const email = uniqueEmail("slow");
    await invite(ws.id, owner, email);
    const token = await linkTokenTo(email, "invite");
    const invitee = await signUpAs(email);
    const user = { id: invitee.id, email, name: "Ivy Invitee" };
    const sent = (await json(await call(`/api/orgs/${ws.id}/invitations`, { cookie: owner.cookie }))).invitations[0];
    const late = sent.expiresAt;

    expect((await previewInvitation(db(), token, null, late - 1)).invitation.status).toBe("pending");
    expect((await previewInvitation(db(), token, null, late)).invitation.status).toBe("expired");
    expect(await errorOf(acceptInvitationByToken(db(), user, token, null, late))).toMatchObject({ code: "INVITATION_EXPIRED", status: 410 });

    expect(await expireInvitations(db(), late)).toBeGreaterThanOrEqual(1);
    expect((await json(await call(`/api/orgs/${ws.id}/invitations`, { cookie: owner.cookie }))).invitations).toEqual([]);
    const expired = (await auditOf(ws.id, "invitation", owner.cookie))[0]!;
    expect(expired).toMatchObject({ operation: "expired", summary: `The invitation of ${email} (Developer) expired unanswered` });
    expect(await roleOf(ws.id, invitee.id)).toBeNull();
  });

  it("refuses someone signed in with another address", async () => {
    const { owner, ws } = await teamWorkspace("mismatch");
    const email = uniqueEmail("right");
    await invite(ws.id, owner, email);
    const token = await linkTokenTo(email, "invite");
    const wrong = await newUser("wrong");
    const res = await call("/api/invitations/accept", { method: "POST", cookie: wrong.cookie, body: { token } });
    expect(res.status).toBe(403);
    expect((await json(res)).error.message).toBe(
      `This invitation was sent to ${email}, but you are signed in as ${wrong.email}. Sign in with the invited address to accept it.`,
    );
    expect(await roleOf(ws.id, wrong.id)).toBeNull();
  });

  it("an existing user sees it on the dashboard and accepts or declines by id; a link can be declined without an account", async () => {
    const { owner, ws } = await teamWorkspace("banner");
    const { owner: owner2, ws: ws2 } = await teamWorkspace("banner2");
    const user = await newUser("existing", "Eve Existing");
    await invite(ws.id, owner, user.email, "viewer");
    await invite(ws2.id, owner2, user.email, "developer");
    const mine = (await json(await call("/api/me/invitations", { cookie: user.cookie }))).invitations;
    expect(mine.map((i: { orgName: string; role: string }) => [i.orgName, i.role]).sort()).toEqual([
      ["banner works", "viewer"],
      ["banner2 works", "developer"],
    ]);
    const first = mine.find((i: { orgId: string }) => i.orgId === ws.id);
    const second = mine.find((i: { orgId: string }) => i.orgId === ws2.id);
    // Someone else cannot answer it by id.
    const other = await newUser("other");
    expect((await call(`/api/me/invitations/${first.id}/accept`, { method: "POST", cookie: other.cookie })).status).toBe(404);

    expect((await call(`/api/me/invitations/${first.id}/accept`, { method: "POST", cookie: user.cookie })).status).toBe(200);
    expect(await roleOf(ws.id, user.id)).toBe("viewer");
    expect((await call(`/api/me/invitations/${second.id}/decline`, { method: "POST", cookie: user.cookie })).status).toBe(200);
    expect(await roleOf(ws2.id, user.id)).toBeNull();
    expect((await json(await call("/api/me/invitations", { cookie: user.cookie }))).invitations).toEqual([]);
    expect((await auditOf(ws2.id, "invitation", owner2.cookie))[0]).toMatchObject({ operation: "declined" });

    const stranger = uniqueEmail("stranger");
    await invite(ws.id, owner, stranger);
    const token = await linkTokenTo(stranger, "invite");
    expect((await call("/api/invitations/decline", { method: "POST", body: { token } })).status).toBe(200);
    expect((await json(await call("/api/invitations/preview", { method: "POST", body: { token } }))).invitation.status).toBe("declined");
  });
});

describe("managing pending invitations", () => {
  it("resend replaces the link and the expiry; revoke closes it; both audited", async () => {
    const { owner, ws } = await teamWorkspace("resend");
    const email = uniqueEmail("re");
    const { invitation } = await json(await invite(ws.id, owner, email));
    const oldToken = await linkTokenTo(email, "invite");
    const resent = await call(`/api/orgs/${ws.id}/invitations/${invitation.id}/resend`, { method: "POST", cookie: owner.cookie });
    expect(resent.status).toBe(200);
    expect((await json(resent)).invitation.expiresAt).toBeGreaterThanOrEqual(invitation.expiresAt);
    const newToken = await linkTokenTo(email, "invite");
    expect(newToken).not.toBe(oldToken);
    expect((await call("/api/invitations/preview", { method: "POST", body: { token: oldToken } })).status).toBe(404);
    expect((await call("/api/invitations/preview", { method: "POST", body: { token: newToken } })).status).toBe(200);

    expect((await call(`/api/orgs/${ws.id}/invitations/${invitation.id}`, { method: "DELETE", cookie: owner.cookie })).status).toBe(200);
    expect((await json(await call("/api/invitations/preview", { method: "POST", body: { token: newToken } }))).invitation.status).toBe("revoked");
    const invitee = await signUpAs(email);
    const res = await call("/api/invitations/accept", { method: "POST", cookie: invitee.cookie, body: { token: newToken } });
    expect((await json(res)).error.code).toBe("INVITATION_CLOSED");
    // A revoked invitation frees its seat and the address can be invited again.
    expect((await invite(ws.id, owner, email)).status).toBe(201);
    expect((await auditOf(ws.id, "invitation", owner.cookie)).map((e) => e.operation)).toEqual(["sent", "revoked", "resent", "sent"]);
    // Another workspace's admin cannot touch it.
    const { owner: outsider, ws: theirs } = await teamWorkspace("outsider");
    expect((await call(`/api/orgs/${theirs.id}/invitations/${invitation.id}`, { method: "DELETE", cookie: outsider.cookie })).status).toBe(404);
  });

  it("throttles guessing link tokens per client address", async () => {
    const headers = { "cf-connecting-ip": "203.0.113.77" };
    for (let i = 0; i < 10; i++) {
      const res = await call("/api/invitations/preview", { method: "POST", headers, body: { token: `inv_guess.${i}abc` } });
      expect(res.status).toBe(404);
    }
    const blocked = await call("/api/invitations/preview", { method: "POST", headers, body: { token: "inv_guess.x" } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBeTruthy();
  });
});
