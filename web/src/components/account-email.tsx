/** Profile: the "verify your email" banner with a resend, and the email change form (password accounts). */
import { useState, type FormEvent } from "react";
import { useChangeEmail, useResendVerification } from "../api/account";
import { errorMessage } from "../api/client";
import { Alert } from "./alert";
import { fieldError, FormError, SubmitButton, TextField } from "./form";
import { Card } from "./page";

export function EmailVerificationBanner({ email }: { email: string }) {
  const resend = useResendVerification();
  return (
    <Alert variant="warning" title="Verify your email address" role="status">
      <p>
        We sent a link to <strong>{email}</strong>. Open it to confirm the address is yours — a verified email is needed to receive a
        workspace's ownership and to sign in with GitHub or Google under the same address.
      </p>
      {resend.isSuccess ? (
        <p>A new link is on its way to {resend.data.sentTo}. Earlier links no longer work.</p>
      ) : (
        <p>
          <button type="button" className="btn-link" onClick={() => resend.mutate()} disabled={resend.isPending}>
            {resend.isPending ? "Sending…" : "Send the link again"}
          </button>
        </p>
      )}
      {resend.isError && <p>{errorMessage(resend.error)}</p>}
    </Alert>
  );
}

export function ChangeEmailCard({ email }: { email: string }) {
  const change = useChangeEmail();
  const [newEmail, setNewEmail] = useState("");
  const [currentPassword, setCurrentPassword] = useState("");
  const ready = newEmail.includes("@") && currentPassword.length > 0;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    change.mutate({ newEmail, currentPassword }, { onSuccess: () => setCurrentPassword("") });
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="Email address"
        description={`You sign in with ${email}. A new address takes effect once you open the link we send to it.`}
        footer={
          <SubmitButton pending={change.isPending} disabled={!ready}>
            Send verification link
          </SubmitButton>
        }
      >
        <div className="form">
          {change.isSuccess && (
            <Alert variant="success" role="status">
              We sent a link to {change.data.sentTo}. Your email changes when you open it (within 24 hours); {email} was told about the request.
            </Alert>
          )}
          <FormError error={change.error} fieldNames={["newEmail", "currentPassword"]} />
          <div className="form-grid">
            <TextField label="New email address" type="email" autoComplete="email" value={newEmail} onValueChange={setNewEmail} error={fieldError(change.error, "newEmail")} />
            <TextField
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onValueChange={setCurrentPassword}
              error={fieldError(change.error, "currentPassword")}
            />
          </div>
        </div>
      </Card>
    </form>
  );
}
