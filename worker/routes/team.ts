import { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute, publicRoute, userRoute } from "../auth/middleware";
import { SESSION_COOKIE } from "../auth/sessions";
import { validate } from "../lib/validate";
import { changeRole, changeRoleSchema, listMembers, removeMember } from "../services/team";
import {
  acceptInvitationByToken,
  acceptMyInvitation,
  declineInvitationByToken,
  declineMyInvitation,
  invitationTokenSchema,
  inviteMember,
  inviteSchema,
  listInvitations,
  listMyInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
} from "../services/invitations";
import {
  acceptTransfer,
  acceptTransferSchema,
  cancelTransfer,
  getPendingTransfer,
  listMyTransfers,
  offerTransfer,
  offerTransferSchema,
} from "../services/ownership-transfer";
import { raiseDepsOf } from "../services/notifications/raise";
import { raiseUserAccessThrough } from "../services/user-access-notifications";
import { clientIp } from "./auth";

export const teamRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/members", orgRoute("team.view"), async (c) => c.json(await listMembers(getDb(c.env.DB), c.get("org"))))
  .patch("/orgs/:orgId/members/:userId", orgRoute("team.manage"), validate("json", changeRoleSchema), async (c) =>
    c.json({ member: await changeRole(getDb(c.env.DB), c.get("org"), c.req.param("userId"), c.req.valid("json"), Date.now(), raiseUserAccessThrough(raiseDepsOf(c.env))) }),
  )
  .delete("/orgs/:orgId/members/:userId", orgRoute("team.manage"), async (c) => {
    await removeMember(getDb(c.env.DB), c.get("org"), c.req.param("userId"));
    return c.json({ ok: true });
  })
  // ---- Invitations (the workspace's side) ----
  .get("/orgs/:orgId/invitations", orgRoute("team.view"), async (c) => c.json(await listInvitations(getDb(c.env.DB), c.get("org"))))
  .post("/orgs/:orgId/invitations", orgRoute("team.manage"), validate("json", inviteSchema), async (c) =>
    c.json(await inviteMember(getDb(c.env.DB), c.env, c.get("org"), c.req.valid("json"), Date.now(), raiseUserAccessThrough(raiseDepsOf(c.env))), 201),
  )
  .post("/orgs/:orgId/invitations/:invitationId/resend", orgRoute("team.manage"), async (c) =>
    c.json(await resendInvitation(getDb(c.env.DB), c.env, c.get("org"), c.req.param("invitationId"))),
  )
  .delete("/orgs/:orgId/invitations/:invitationId", orgRoute("team.manage"), async (c) => {
    await revokeInvitation(getDb(c.env.DB), c.get("org"), c.req.param("invitationId"));
    return c.json({ ok: true });
  })
  // ---- Invitations (the invitee's side): by the emailed link's token, or by id for the signed-in invitee ----
  .post("/invitations/preview", publicRoute(), validate("json", invitationTokenSchema), async (c) =>
    c.json(await previewInvitation(getDb(c.env.DB), c.req.valid("json").token, clientIp(c))),
  )
  .post("/invitations/accept", userRoute(), validate("json", invitationTokenSchema), async (c) =>
    c.json(await acceptInvitationByToken(getDb(c.env.DB), c.get("session")!.user, c.req.valid("json").token, clientIp(c))),
  )
  .post("/invitations/decline", publicRoute(), validate("json", invitationTokenSchema), async (c) => {
    await declineInvitationByToken(getDb(c.env.DB), c.req.valid("json").token, clientIp(c));
    return c.json({ ok: true });
  })
  .get("/me/invitations", userRoute(), async (c) => c.json(await listMyInvitations(getDb(c.env.DB), c.get("session")!.user)))
  .post("/me/invitations/:invitationId/accept", userRoute(), async (c) =>
    c.json(await acceptMyInvitation(getDb(c.env.DB), c.get("session")!.user, c.req.param("invitationId"))),
  )
  .post("/me/invitations/:invitationId/decline", userRoute(), async (c) => {
    await declineMyInvitation(getDb(c.env.DB), c.get("session")!.user, c.req.param("invitationId"));
    return c.json({ ok: true });
  })
  // ---- Ownership transfer ----
  .get("/orgs/:orgId/ownership-transfer", orgRoute("team.view"), async (c) => c.json(await getPendingTransfer(getDb(c.env.DB), c.get("org"))))
  .post("/orgs/:orgId/ownership-transfer", orgRoute("workspace.transfer"), validate("json", offerTransferSchema), async (c) =>
    c.json(await offerTransfer(getDb(c.env.DB), c.env, c.get("org"), c.req.valid("json")), 201),
  )
  .delete("/orgs/:orgId/ownership-transfer", orgRoute("workspace.transfer"), async (c) => {
    await cancelTransfer(getDb(c.env.DB), c.env, c.get("org"));
    return c.json({ ok: true });
  })
  .get("/me/ownership-transfers", userRoute(), async (c) => c.json(await listMyTransfers(getDb(c.env.DB), c.get("session")!.user)))
  // Accepting signs both the new and the former Owner out everywhere, this browser included.
  .post("/ownership-transfers/accept", userRoute(), validate("json", acceptTransferSchema), async (c) => {
    const result = await acceptTransfer(getDb(c.env.DB), c.env, c.get("session")!.user, c.req.valid("json"), clientIp(c), Date.now(), raiseUserAccessThrough(raiseDepsOf(c.env)));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ...result, signedOut: true });
  });
