/** Profile → Close account: refused while the user owns a workspace; confirmed with the email (and password). */
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "@tanstack/react-router";
import { useCloseAccount, type Me } from "../api/account";
import { Alert } from "./alert";
import { fieldError, FormError, SubmitButton, TextField } from "./form";
import { Card } from "./page";

export function CloseAccountCard({ me, hasPassword }: { me: Me; hasPassword: boolean }) {
  const close = useCloseAccount();
  const navigate = useNavigate();
  const [confirmEmail, setConfirmEmail] = useState("");
  const [password, setPassword] = useState("");
  const owned = me.workspaces.filter((w) => w.role === "owner" && !w.isDemo);
  const ready = owned.length === 0 && confirmEmail.trim().toLowerCase() === me.user.email && (!hasPassword || password.length > 0);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    close.mutate({ confirmEmail, password: hasPassword ? password : undefined }, { onSuccess: () => void navigate({ to: "/sign-in" }) });
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        danger
        title="Close account"
        description="Closing removes your sign-in methods and your access to every workspace. Audit log entries keep your name. This cannot be undone."
        footer={
          <SubmitButton pending={close.isPending} disabled={!ready} variant="danger">
            Close my account
          </SubmitButton>
        }
      >
        <div className="form">
          {owned.length > 0 ? (
            <Alert variant="warning" role="status">
              You are the Owner of{" "}
              {owned.map((w, i) => (
                <span key={w.id}>
                  {i > 0 && ", "}
                  <Link to="/w/$slug/settings" params={{ slug: w.slug }}>
                    {w.name}
                  </Link>
                </span>
              ))}
              . Transfer ownership or delete {owned.length === 1 ? "that workspace" : "those workspaces"} (Settings → Workspace → Danger Zone) first.
            </Alert>
          ) : (
            <>
              <FormError error={close.error} fieldNames={["confirmEmail", "password"]} />
              <div className="form-grid">
                <TextField
                  label="Type your email address to confirm"
                  type="email"
                  autoComplete="off"
                  value={confirmEmail}
                  onValueChange={setConfirmEmail}
                  error={fieldError(close.error, "confirmEmail")}
                />
                {hasPassword ? (
                  <TextField label="Password" type="password" autoComplete="current-password" value={password} onValueChange={setPassword} error={fieldError(close.error, "password")} />
                ) : (
                  <p className="muted">Without a password, you confirm by having signed in with GitHub or Google in the last 15 minutes.</p>
                )}
              </div>
            </>
          )}
        </div>
      </Card>
    </form>
  );
}
