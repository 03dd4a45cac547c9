import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import type {
  challengeVerifySchema,
  MfaMethod,
  MfaStatus,
  reauthSchema,
  SignInChallengeAnswer,
  startTotpSetup,
} from "../../../worker/services/mfa";
import type { TwoFactorSetting } from "../../../worker/services/two-factor";
import { api } from "./client";
import { meQuery, type Me } from "./account";

export type { MfaMethod, MfaStatus, SignInChallengeAnswer, TwoFactorSetting };
export type TotpSetup = Awaited<ReturnType<typeof startTotpSetup>>;
export type ReauthInput = z.input<typeof reauthSchema>;
type AddedMethod = { method: MfaMethod; recoveryCodes: string[] | null };

export const mfaStatusQuery = queryOptions({
  queryKey: ["me", "mfa"],
  queryFn: ({ signal }) => api<MfaStatus>("/api/me/mfa", { signal }),
});

export const useMfaStatus = () => useQuery(mfaStatusQuery);

/** After a change: the methods, and Me (a workspace's 2FA deadline disappears once MFA is on). */
function useRefreshMfa() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: mfaStatusQuery.queryKey }), qc.invalidateQueries({ queryKey: meQuery.queryKey, exact: true })]);
}

export function useStartTotpSetup() {
  return useMutation({ mutationFn: () => api<TotpSetup>("/api/me/mfa/totp/setup", { method: "POST" }) });
}

export function useConfirmTotp() {
  const refresh = useRefreshMfa();
  return useMutation({
    mutationFn: (input: { setupId: string; name: string; code: string }) => api<AddedMethod>("/api/me/mfa/totp", { method: "POST", json: input }),
    onSuccess: refresh,
  });
}

/** Options from the server, the browser's WebAuthn prompt, the signed answer back to the server. */
export function useRegisterSecurityKey() {
  const refresh = useRefreshMfa();
  return useMutation({
    mutationFn: async (name: string) => {
      const { registrationId, options } = await api<{ registrationId: string; options: PublicKeyCredentialCreationOptionsJSON }>(
        "/api/me/mfa/webauthn/options",
        { method: "POST" },
      );
      const response = await startRegistration({ optionsJSON: options });
      return api<AddedMethod>("/api/me/mfa/webauthn", { method: "POST", json: { registrationId, name, response } });
    },
    onSuccess: refresh,
  });
}

export function useRenameMethod() {
  const refresh = useRefreshMfa();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      api<MfaMethod>(`/api/me/mfa/methods/${encodeURIComponent(id)}`, { method: "PATCH", json: { name } }),
    onSuccess: refresh,
  });
}

export function useRemoveMethod() {
  const refresh = useRefreshMfa();
  return useMutation({
    mutationFn: ({ id, ...reauth }: { id: string } & ReauthInput) =>
      api<MfaStatus>(`/api/me/mfa/methods/${encodeURIComponent(id)}`, { method: "DELETE", json: reauth }),
    onSuccess: refresh,
  });
}

export function useRegenerateRecoveryCodes() {
  const refresh = useRefreshMfa();
  return useMutation({
    mutationFn: (reauth: ReauthInput) => api<{ recoveryCodes: string[] }>("/api/me/mfa/recovery-codes", { method: "POST", json: reauth }),
    onSuccess: refresh,
  });
}

// ---- The sign-in page's MFA step ----

export const signInChallengeQuery = queryOptions({
  queryKey: ["sign-in", "mfa"],
  queryFn: ({ signal }) => api<SignInChallengeAnswer>("/api/auth/mfa", { signal }),
  retry: false,
  staleTime: Infinity,
});

export type ChallengeAnswer =
  | Exclude<z.input<typeof challengeVerifySchema>, { method: "webauthn" }>
  | { method: "webauthn" };

export function useVerifyChallenge() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (answer: ChallengeAnswer) => {
      if (answer.method !== "webauthn") return api<Me>("/api/auth/mfa/verify", { method: "POST", json: answer });
      const options = await api<PublicKeyCredentialRequestOptionsJSON>("/api/auth/mfa/webauthn-options", { method: "POST" });
      const response = await startAuthentication({ optionsJSON: options });
      return api<Me>("/api/auth/mfa/verify", { method: "POST", json: { method: "webauthn", response } });
    },
    onSuccess: (me) => {
      qc.clear();
      qc.setQueryData(meQuery.queryKey, me);
    },
  });
}

// ---- Settings → Security: workspace 2FA enforcement ----

const twoFactorKey = (orgId: string) => ["orgs", orgId, "two-factor"];

export const useTwoFactorSetting = (orgId: string) =>
  useQuery({
    queryKey: twoFactorKey(orgId),
    queryFn: ({ signal }) => api<TwoFactorSetting>(`/api/orgs/${encodeURIComponent(orgId)}/two-factor`, { signal }),
  });

export function useSetTwoFactor(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (enforced: boolean) => api<TwoFactorSetting>(`/api/orgs/${encodeURIComponent(orgId)}/two-factor`, { method: "PUT", json: { enforced } }),
    onSuccess: (s) => qc.setQueryData(twoFactorKey(orgId), s),
  });
}
