import { useState, type FormEvent } from "react";
import { getRouteApi, Link, useNavigate, useRouterState } from "@tanstack/react-router";
import { useSignIn } from "../api/account";
import { Alert } from "../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../components/form";
import { AuthLayout } from "./auth-layout";

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
}

/** Only same-site paths are followed after sign-in (no open redirect). */
const safePath = (v: unknown): string | undefined =>
  typeof v === "string" && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : undefined;

export function signInSearch(search: Record<string, unknown>): SignInSearch {
  const notice = typeof search.notice === "string" && search.notice in NOTICES ? (search.notice as Notice) : undefined;
  return { redirect: safePath(search.redirect), notice };
}

const route = getRouteApi("/sign-in");

declare module "@tanstack/react-router" {
  interface HistoryState {
    /** Set by sign-up for the sign-in form. */
    email?: string;
  }
}

export function SignInPage() {
  const { redirect, notice } = route.useSearch();
  const navigate = useNavigate();
  const signIn = useSignIn();
  // Just signed up: the address they used, handed over by the sign-up page.
  const handedOver = useRouterState({ select: (s) => s.location.state.email });
  const [email, setEmail] = useState(handedOver ?? "");
  const [password, setPassword] = useState("");

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: () => void navigate({ href: redirect ?? "/", replace: true }) });
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
