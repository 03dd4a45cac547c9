import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { changeRoleSchema, listMembers } from "../../../worker/services/team";
import type { InvitationPreview, InvitationRow, inviteSchema, MyInvitation } from "../../../worker/services/invitations";
import type { MyTransfer, PendingTransfer } from "../../../worker/services/ownership-transfer";
import { api } from "./client";
import { meQuery } from "./account";

export type Member = Awaited<ReturnType<typeof listMembers>>["members"][number];

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/members`;

export const membersQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "members"],
    queryFn: ({ signal }) => api<{ members: Member[] }>(base(orgId), { signal }).then((r) => r.members),
  });

export const useMembers = (orgId: string) => useQuery(membersQuery(orgId));

function useInvalidateTeam(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: membersQuery(orgId).queryKey }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
}

export function useChangeRole(orgId: string) {
  const invalidate = useInvalidateTeam(orgId);
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string } & z.input<typeof changeRoleSchema>) =>
      api<{ member: Member }>(`${base(orgId)}/${encodeURIComponent(userId)}`, { method: "PATCH", json: { role } }),
    onSuccess: invalidate,
  });
}

export function useRemoveMember(orgId: string) {
  const invalidate = useInvalidateTeam(orgId);
  return useMutation({
    mutationFn: (userId: string) => api<{ ok: true }>(`${base(orgId)}/${encodeURIComponent(userId)}`, { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

// ---- Invitations ----

export type Invitation = InvitationRow;
export type MyInvitationRow = MyInvitation;
export type MyTransferRow = MyTransfer;

const invitationsBase = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/invitations`;

export const invitationsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "invitations"],
    queryFn: ({ signal }) => api<{ invitations: Invitation[] }>(invitationsBase(orgId), { signal }).then((r) => r.invitations),
  });

export const useInvitations = (orgId: string, enabled: boolean) => useQuery({ ...invitationsQuery(orgId), enabled });

function useInvalidateInvitations(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: invitationsQuery(orgId).queryKey }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
}

export function useInvite(orgId: string) {
  const invalidate = useInvalidateInvitations(orgId);
  return useMutation({
    mutationFn: (input: z.input<typeof inviteSchema>) => api<{ invitation: Invitation }>(invitationsBase(orgId), { method: "POST", json: input }),
    onSuccess: invalidate,
  });
}

export function useResendInvitation(orgId: string) {
  const invalidate = useInvalidateInvitations(orgId);
  return useMutation({
    mutationFn: (id: string) =>
      api<{ invitation: Invitation }>(`${invitationsBase(orgId)}/${encodeURIComponent(id)}/resend`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useRevokeInvitation(orgId: string) {
  const invalidate = useInvalidateInvitations(orgId);
  return useMutation({
    mutationFn: (id: string) => api<{ ok: true }>(`${invitationsBase(orgId)}/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

/** The invitee's side: what a link offers (signed in or not). */
export const useInvitationPreview = (token: string) =>
  useQuery({
    queryKey: ["invitation-preview", token],
    queryFn: ({ signal }) =>
      api<{ invitation: InvitationPreview }>("/api/invitations/preview", { method: "POST", json: { token }, signal }).then((r) => r.invitation),
    retry: false,
  });

type Joined = { workspace: { id: string; slug: string; name: string }; role: string };

/** After joining, the workspace list changes: /api/me is refreshed before the caller navigates. */
function useJoin<TInput>(fn: (input: TInput) => Promise<Joined>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: meQuery.queryKey });
      await qc.invalidateQueries({ queryKey: myInvitationsQuery.queryKey });
    },
  });
}

export const useAcceptInvitationLink = () =>
  useJoin((token: string) => api<Joined>("/api/invitations/accept", { method: "POST", json: { token } }));

export const useDeclineInvitationLink = () =>
  useMutation({ mutationFn: (token: string) => api<{ ok: true }>("/api/invitations/decline", { method: "POST", json: { token } }) });

export const myInvitationsQuery = queryOptions({
  queryKey: ["me", "invitations"],
  queryFn: ({ signal }) => api<{ invitations: MyInvitation[] }>("/api/me/invitations", { signal }).then((r) => r.invitations),
});

export const useMyInvitations = () => useQuery(myInvitationsQuery);

export const useAcceptMyInvitation = () =>
  useJoin((id: string) => api<Joined>(`/api/me/invitations/${encodeURIComponent(id)}/accept`, { method: "POST" }));

export function useDeclineMyInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ ok: true }>(`/api/me/invitations/${encodeURIComponent(id)}/decline`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: myInvitationsQuery.queryKey }),
  });
}

// ---- Ownership transfer ----

const transferBase = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/ownership-transfer`;

export const pendingTransferQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "ownership-transfer"],
    queryFn: ({ signal }) => api<{ transfer: PendingTransfer | null }>(transferBase(orgId), { signal }).then((r) => r.transfer),
  });

export const usePendingTransfer = (orgId: string, enabled: boolean) => useQuery({ ...pendingTransferQuery(orgId), enabled });

function useTransferMutation<TInput>(orgId: string, fn: (input: TInput) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: pendingTransferQuery(orgId).queryKey }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
      ]),
  });
}

export const useOfferTransfer = (orgId: string) =>
  useTransferMutation(orgId, (userId: string) => api<{ transfer: PendingTransfer }>(transferBase(orgId), { method: "POST", json: { userId } }));

export const useCancelTransfer = (orgId: string) =>
  useTransferMutation(orgId, () => api<{ ok: true }>(transferBase(orgId), { method: "DELETE" }));

export const myTransfersQuery = queryOptions({
  queryKey: ["me", "ownership-transfers"],
  queryFn: ({ signal }) => api<{ transfers: MyTransfer[] }>("/api/me/ownership-transfers", { signal }).then((r) => r.transfers),
});

export const useMyTransfers = () => useQuery(myTransfersQuery);

/** Accepting signs this browser out (and the former Owner everywhere): the caller goes to sign-in. */
export function useAcceptTransfer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { token: string } | { id: string }) =>
      api<{ workspace: { id: string; slug: string; name: string }; signedOut: true }>("/api/ownership-transfers/accept", { method: "POST", json: input }),
    onSuccess: () => qc.clear(),
  });
}
