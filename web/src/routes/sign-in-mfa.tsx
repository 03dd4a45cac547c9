import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate } from "@tanstack/react-router";
import { useQuery } from "@tanstack/react-query";
import { signInChallengeQuery, useVerifyChallenge, type SignInChallengeAnswer } from "../api/mfa";
import { Alert } from "../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../components/form";
import { LoadingState } from "../components/states";
import { AuthLayout } from "./auth-layout";

type Factor = SignInChallengeAnswer["methods"][number];

const FACTOR_LABELS: Record<Factor, string> = {
  totp: "Authenticator app",
  webauthn: "Security key",
  recovery: "Recovery code",
};

/**
 * The sign-in's second step, reached after the password (or a GitHub/Google sign-in, by redirect) when
 * the account has MFA: the server holds the pending sign-in behind the MFA challenge cookie.
 */
export function SignInMfaStep({ redirect }: { redirect?: string }) {
  const challenge = useQuery(signInChallengeQuery);
  const footer = <Link to="/sign-in">Start over</Link>;
  if (challenge.isPending) {
    return (
      <AuthLayout title="Two-step verification" subtitle="Checking your sign-in…" footer={footer}>
        <LoadingState label="Loading…" />
      </AuthLayout>
    );
  }
  if (challenge.isError) {
    return (
      <AuthLayout title="Two-step verification" subtitle="This sign-in can no longer be completed." footer={footer}>
        <Alert variant="warning" role="alert">
          Your sign-in expired or was already completed. <Link to="/sign-in">Sign in again</Link>.
        </Alert>
      </AuthLayout>
    );
  }
  return <ChallengeForm methods={challenge.data.methods} redirect={redirect} footer={footer} />;
}

function ChallengeForm({ methods, redirect, footer }: { methods: Factor[]; redirect?: string; footer: ReactNode }) {
  const navigate = useNavigate();
  const verify = useVerifyChallenge();
  const [factor, setFactor] = useState<Factor>(methods[0] ?? "recovery");
  const [code, setCode] = useState("");

  const done = { onSuccess: () => void navigate({ href: redirect ?? "/", replace: true }) };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (factor === "webauthn") verify.mutate({ method: "webauthn" }, done);
    else verify.mutate({ method: factor, code: code.trim() }, done);
  };
  const pick = (f: Factor) => {
    setFactor(f);
    setCode("");
    verify.reset();
  };

  const subtitle =
    factor === "totp"
      ? "Enter the 6-digit code from your authenticator app."
      : factor === "webauthn"
        ? "Use your security key or passkey to finish signing in."
        : "Enter one of your recovery codes. Each code works once.";
  return (
    <AuthLayout title="Two-step verification" subtitle={subtitle} footer={footer}>
      <form className="form" onSubmit={onSubmit} noValidate>
        {methods.length > 1 && (
          <div className="segmented mfa-factors" role="radiogroup" aria-label="Verification method">
            {methods.map((m) => (
              <label key={m}>
                <input type="radio" name="factor" value={m} checked={factor === m} onChange={() => pick(m)} />
                {FACTOR_LABELS[m]}
              </label>
            ))}
          </div>
        )}
        <FormError error={verify.error} fieldNames={["code"]} />
        {factor === "totp" && (
          <TextField
            label="Authentication code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            autoFocus
            value={code}
            onValueChange={(v) => setCode(v.replace(/\D/g, ""))}
            error={fieldError(verify.error, "code")}
          />
        )}
        {factor === "recovery" && (
          <TextField
            label="Recovery code"
            autoComplete="off"
            autoFocus
            value={code}
            onValueChange={setCode}
            hint="Format xxxxx-xxxxx."
            error={fieldError(verify.error, "code")}
          />
        )}
        <SubmitButton pending={verify.isPending} disabled={factor === "totp" ? code.length !== 6 : factor === "recovery" ? !code.trim() : false} block>
          {factor === "webauthn" ? "Use security key" : "Verify"}
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
