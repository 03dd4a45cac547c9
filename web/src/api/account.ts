import { queryOptions, useMutation, useQuery, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import type { z } from "zod";
import type {
  changePasswordSchema,
  Me,
  profileSchema,
  SessionAnswer,
  signInSchema,
  signUpSchema,
} from "../../../worker/services/accounts";
import type { SignInChallengeAnswer } from "../../../worker/services/mfa";
import type { changeEmailSchema } from "../../../worker/services/email-verification";
import type { closeAccountSchema } from "../../../worker/services/close-account";
import { api, ApiError } from "./client";

export type { Me };
export type MeWorkspace = Me["workspaces"][number];
export type ProfileInput = z.input<typeof profileSchema>;

/**
 * The signed-in user. Read from /api/session, which answers a visitor with `{ user: null }` rather than
 * a 401 (a signed-out page load logs no failed request); a visitor still fails this query as
 * unauthenticated, so the router sends them to sign in.
 */
export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async ({ signal }): Promise<Me> => {
    const answer = await api<SessionAnswer>("/api/session", { signal });
    if (answer.user === null) throw new ApiError(401, "UNAUTHORIZED", "Sign in to continue.");
    return answer;
  },
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

/** The password step's answer: signed in (Me), or the second factor is still needed (the MFA step). */
export type SignInAnswer = Me | ({ mfaRequired: true } & SignInChallengeAnswer);

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: z.input<typeof signInSchema>) => api<SignInAnswer>("/api/auth/sign-in", { method: "POST", json: input }),
    onSuccess: (answer) => {
      qc.clear();
      if ("mfaRequired" in answer) qc.setQueryData(["sign-in", "mfa"], { methods: answer.methods, expiresAt: answer.expiresAt });
      else qc.setQueryData(meQuery.queryKey, answer);
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

/** Profile's banner: mail the verification link again. */
export function useResendVerification() {
  return useMutation({
    mutationFn: () => api<{ ok: true; sentTo: string }>("/api/me/email/verification", { method: "POST" }),
  });
}

/** Sends the link to the new address; the email changes only when that link is used. */
export function useChangeEmail() {
  return useMutation({
    mutationFn: (input: z.input<typeof changeEmailSchema>) => api<{ ok: true; sentTo: string }>("/api/me/email", { method: "POST", json: input }),
  });
}

/** The /verify-email page: uses the link's token (verification or email change). */
export function useVerifyEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => api<{ kind: "verified" | "changed"; email: string }>("/api/auth/email/verify", { method: "POST", json: { token } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
}

/** Closes the signed-in user's account (the server ends the session). */
export function useCloseAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: z.input<typeof closeAccountSchema>) => api<{ ok: true }>("/api/me/close", { method: "POST", json: input }),
    onSuccess: () => qc.clear(),
  });
}
/** Who is signed in, if anyone, for pages open to visitors too (a visitor is `{ user: null }`, not an error). */
export const useSessionAnswer = () =>
  useQuery({ queryKey: ["session-answer"], queryFn: ({ signal }) => api<SessionAnswer>("/api/session", { signal }) });
