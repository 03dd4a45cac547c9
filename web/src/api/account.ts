import { queryOptions, useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import type { z } from "zod";
import type {
  changePasswordSchema,
  Me,
  profileSchema,
  signInSchema,
  signUpSchema,
} from "../../../worker/services/accounts";
import { api } from "./client";

export type { Me };
export type MeWorkspace = Me["workspaces"][number];
export type ProfileInput = z.input<typeof profileSchema>;

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: ({ signal }) => api<Me>("/api/me", { signal }),
  staleTime: 30_000,
});

/** The signed-in user; only used below the authenticated layout, which has already loaded it. */
export function useMe(): Me {
  return useSuspenseQuery(meQuery).data;
}

export function useSignUp() {
  return useMutation({
    mutationFn: (input: z.input<typeof signUpSchema>) =>
      api<{ ok: true; message: string }>("/api/auth/sign-up", { method: "POST", json: input }),
  });
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: z.input<typeof signInSchema>) => api<Me>("/api/auth/sign-in", { method: "POST", json: input }),
    onSuccess: (me) => {
      qc.clear();
      qc.setQueryData(meQuery.queryKey, me);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ ok: true }>("/api/auth/sign-out", { method: "POST" }),
    onSettled: () => qc.clear(),
  });
}

export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ProfileInput) => api<Me>("/api/me", { method: "PATCH", json: input }),
    onSuccess: (me) => qc.setQueryData(meQuery.queryKey, me),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (input: z.input<typeof changePasswordSchema>) =>
      api<{ ok: true }>("/api/auth/password", { method: "POST", json: input }),
  });
}
