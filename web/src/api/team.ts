import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { changeRoleSchema, listMembers } from "../../../worker/services/team";
import { api } from "./client";

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
