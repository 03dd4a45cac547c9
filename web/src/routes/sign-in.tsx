import { useState, type FormEvent } from "react";
import { getRouteApi, Link, useNavigate, useRouterState } from "@tanstack/react-router";
import { useSignIn } from "../api/account";
import { Alert } from "../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../components/form";
import { isOAuthError, isProvider, OAuthErrorAlert, SocialSignIn } from "../components/social-sign-in";
import type { OAuthProviderId } from "../api/oauth";
import { AuthLayout } from "./auth-layout";
import { SignInMfaStep } from "./sign-in-mfa";

const NOTICES = {
  "account-created": { variant: "success", text: "Account created. Sign in with your email and password." },
  "signed-out": { variant: "info", text: "You have been signed out." },
  "session-expired": { variant: "warning", text: "Your session expired. Sign in again to continue." },
  "password-changed": { variant: "success", text: "Password changed. Sign in with your new password." },
  "ownership-transferred": { variant: "success", text: "Ownership transferred. You were signed out: sign in again to continue." },
} as const;
type Notice = keyof typeof NOTICES;

export interface SignInSearch {
  redirect?: string;
  notice?: Notice;
  /** The second step of a sign-in of an account with MFA (sign-in-mfa.tsx). */
  mfa?: 1;
  /** A GitHub/Google flow came back refused (see components/social-sign-in.tsx). */
  error?: string;
  provider?: OAuthProviderId;
}

/** Only same-site paths are followed after sign-in (no open redirect). */
const safePath = (v: unknown): string | undefined =>
  typeof v === "string" && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : undefined;

export function signInSearch(search: Record<string, unknown>): SignInSearch {
  const notice = typeof search.notice === "string" && search.notice in NOTICES ? (search.notice as Notice) : undefined;
  return {
    redirect: safePath(search.redirect),
    notice,
    error: isOAuthError(search.error) ? search.error : undefined,
    provider: isProvider(search.provider) ? search.provider : undefined,
    ...(String(search.mfa) === "1" ? { mfa: 1 as const } : {}),
  };
}

const route = getRouteApi("/sign-in");

declare module "@tanstack/react-router" {
  interface HistoryState {
    /** Set by sign-up for the sign-in form. */
    email?: string;
  }
}

export function SignInPage() {
  const { redirect, mfa } = route.useSearch();
  return mfa ? <SignInMfaStep redirect={redirect} /> : <PasswordStep />;
}

function PasswordStep() {
  const { redirect, notice, error: oauthError, provider } = route.useSearch();
  const navigate = useNavigate();
  const signIn = useSignIn();
  // Just signed up: the address they used, handed over by the sign-up page.
  const handedOver = useRouterState({ select: (s) => s.location.state.email });
  const [email, setEmail] = useState(handedOver ?? "");
  const [password, setPassword] = useState("");

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(
      { email, password },
      {
        onSuccess: (answer) =>
          void ("mfaRequired" in answer
            ? navigate({ to: "/sign-in", search: { mfa: 1, redirect } })
            : navigate({ href: redirect ?? "/", replace: true })),
      },
    );
  };

  const n = notice ? NOTICES[notice] : null;
  return (
    <AuthLayout
      title="Sign in to SendOps"
      subtitle="Welcome back. Enter your email and password."
      footer={
        <>
          New to SendOps? <Link to="/sign-up" search={{ redirect }}>Create an account</Link>
        </>
      }
    >
      {oauthError && !signIn.error && <OAuthErrorAlert code={oauthError} provider={provider} />}
      <SocialSignIn />
      <form className="form" onSubmit={onSubmit} noValidate>
        {n && !signIn.error && (
          <Alert variant={n.variant} role="status">
            {n.text}
          </Alert>
        )}
        <FormError error={signIn.error} fieldNames={["email", "password"]} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onValueChange={setEmail}
          error={fieldError(signIn.error, "email")}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
          error={fieldError(signIn.error, "password")}
        />
        <SubmitButton pending={signIn.isPending} block>
          Sign in
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
