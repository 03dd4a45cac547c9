import { useState, type FormEvent } from "react";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useSignUp } from "../api/account";
import { fieldError, FormError, SubmitButton, TextField } from "../components/form";
import { SocialSignIn } from "../components/social-sign-in";
import { AuthLayout } from "./auth-layout";
import { signInSearch } from "./sign-in";

const MIN_PASSWORD = 8;

type Field = "name" | "email" | "password" | "acceptTerms";

export interface SignUpSearch {
  /** Pre-fills the address (an invitation link hands over the invited one). */
  email?: string;
  /** Where sign-in continues afterwards (e.g. back to the invitation). */
  redirect?: string;
}

export function signUpSearch(search: Record<string, unknown>): SignUpSearch {
  return {
    email: typeof search.email === "string" ? search.email.slice(0, 254) : undefined,
    redirect: signInSearch(search).redirect,
  };
}

const route = getRouteApi("/sign-up");

function validate(v: { name: string; email: string; password: string; acceptTerms: boolean }) {
  const errors: Partial<Record<Field, string>> = {};
  if (!v.name.trim()) errors.name = "Enter your full name.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim())) errors.email = "Enter a valid email address.";
  if (v.password.length < MIN_PASSWORD) errors.password = `Password must be at least ${MIN_PASSWORD} characters.`;
  if (!v.acceptTerms) errors.acceptTerms = "You must agree to the Terms of Service and Privacy Policy.";
  return errors;
}

export function SignUpPage() {
  const navigate = useNavigate();
  const signUp = useSignUp();
  const search = route.useSearch();
  const [name, setName] = useState("");
  const [email, setEmail] = useState(search.email ?? "");
  const [password, setPassword] = useState("");
  const [acceptTerms, setAcceptTerms] = useState(false);
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const [submitted, setSubmitted] = useState(false);

  const values = { name, email, password, acceptTerms };
  // After a first attempt, errors update as the user types.
  const shown = submitted ? validate(values) : local;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    const errors = validate(values);
    setLocal(errors);
    if (Object.keys(errors).length) return;
    signUp.mutate(
      { name: name.trim(), email: email.trim(), password, acceptTerms: true },
      // The address goes along in the history entry's state (not the URL), so sign-in starts with it filled in.
      { onSuccess: () => void navigate({ to: "/sign-in", search: { notice: "account-created", redirect: search.redirect }, state: { email: email.trim() } }) },
    );
  };

  const err = (f: Field) => fieldError(signUp.error, f, shown[f]);
  return (
    <AuthLayout
      title="Create your account"
      subtitle="Explore the demo workspace, then connect your own AWS account."
      footer={
        <>
          Already have an account? <Link to="/sign-in" search={{ redirect: search.redirect }}>Sign in</Link>
        </>
      }
    >
      <SocialSignIn />
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormError error={signUp.error} fieldNames={["name", "email", "password", "acceptTerms"]} />
        <TextField label="Full name" autoComplete="name" required value={name} onValueChange={setName} error={err("name")} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onValueChange={setEmail}
          error={err("email")}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          onValueChange={setPassword}
          hint={err("password") ? undefined : `At least ${MIN_PASSWORD} characters.`}
          error={err("password")}
        />
        <div className="field">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={acceptTerms}
              onChange={(e) => setAcceptTerms(e.target.checked)}
              aria-invalid={Boolean(err("acceptTerms")) || undefined}
              aria-describedby={err("acceptTerms") ? "terms-error" : undefined}
            />
            <span>I agree to the Terms of Service and Privacy Policy</span>
          </label>
          {err("acceptTerms") && (
            <span className="field-error" id="terms-error">
              {err("acceptTerms")}
            </span>
          )}
        </div>
        <SubmitButton pending={signUp.isPending} block>
          Create account
        </SubmitButton>
      </form>
    </AuthLayout>
  );
}
