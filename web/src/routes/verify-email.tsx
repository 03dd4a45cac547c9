import { useEffect, useRef } from "react";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useVerifyEmail } from "../api/account";
import { errorMessage } from "../api/client";
import { Alert } from "../components/alert";
import { LoadingState } from "../components/states";
import { AuthLayout } from "./auth-layout";

export const verifyEmailSearch = (search: Record<string, unknown>): { token?: string } => ({
  token: typeof search.token === "string" ? search.token : undefined,
});

const route = getRouteApi("/verify-email");

/**
 * Where the mailed links lead. The token is used by a POST from the page, not by loading the link, so a
 * mail scanner that fetches links does not use it up.
 */
export function VerifyEmailPage() {
  const { token } = route.useSearch();
  const verify = useVerifyEmail();
  const started = useRef(false);
  useEffect(() => {
    if (token && !started.current) {
      started.current = true;
      verify.mutate(token);
    }
  }, [token, verify]);

  return (
    <AuthLayout
      title="Email address"
      subtitle="Confirming the link from your email."
      footer={
        <>
          <Link to="/">Go to SendOps</Link>
        </>
      }
    >
      {!token ? (
        <Alert variant="danger" role="alert">
          This link is incomplete. Open the link from the email again, or request a new one from Profile.
        </Alert>
      ) : verify.isSuccess ? (
        <Alert variant="success" role="status">
          {verify.data.kind === "changed" ? `Your email address is now ${verify.data.email}. Use it to sign in.` : `${verify.data.email} is verified. Thank you.`}
        </Alert>
      ) : verify.isError ? (
        <Alert variant="danger" role="alert">
          {errorMessage(verify.error)}
        </Alert>
      ) : (
        <LoadingState label="Checking the link…" />
      )}
    </AuthLayout>
  );
}
