import { useEffect } from "react";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { useSessionAnswer, useSignOut } from "../api/account";
import { ApiError, errorMessage } from "../api/client";
import { useAcceptInvitationLink, useDeclineInvitationLink, useInvitationPreview } from "../api/team";
import { Alert } from "../components/alert";
import { LoadingState } from "../components/states";
import { AuthLayout } from "./auth-layout";

const route = getRouteApi("/invite/$token");

/**
 * The invitation email's link. Signed in as the invited address: accepted at once, then the workspace
 * opens. Signed out: sign in, or create an account with the invited address, and come back here.
 */
export function InvitationPage() {
  const { token } = route.useParams();
  const navigate = useNavigate();
  const preview = useInvitationPreview(token);
  const me = useSessionAnswer();
  const accept = useAcceptInvitationLink();
  const decline = useDeclineInvitationLink();
  const signOut = useSignOut();
  const here = `/invite/${encodeURIComponent(token)}`;
  const inv = preview.data;
  const signedIn = me.data?.user ?? null;
  const matches = !!inv && !!signedIn && signedIn.email.toLowerCase() === inv.email;
  const open = inv?.status === "pending";

  useEffect(() => {
    if (open && matches && accept.isIdle) {
      accept.mutate(token, { onSuccess: (r) => void navigate({ to: "/w/$slug", params: { slug: r.workspace.slug }, replace: true }) });
    }
  }, [open, matches, accept, token, navigate]);

  let body;
  if (preview.isPending || me.isPending) body = <LoadingState label="Opening the invitation…" />;
  else if (preview.isError)
    body = (
      <Alert variant="danger" title="This invitation link does not work">
        {preview.error instanceof ApiError && preview.error.status === 404
          ? "The link is incomplete or was replaced by a newer invitation. Use the newest email, or ask for a new invitation."
          : errorMessage(preview.error)}
      </Alert>
    );
  else if (!inv) body = null;
  else if (decline.isSuccess) body = <Alert variant="info">You declined the invitation to {inv.workspaceName}.</Alert>;
  else if (!open)
    body = (
      <Alert variant="warning" title={inv.status === "expired" ? "This invitation has expired" : `This invitation was ${inv.status}`}>
        Ask the Owner or an Org Admin of {inv.workspaceName} to send a new one from System → Team.
      </Alert>
    );
  else if (matches)
    body = accept.isError ? <Alert variant="danger">{errorMessage(accept.error)}</Alert> : <LoadingState label={`Joining ${inv.workspaceName}…`} />;
  else
    body = (
      <div className="stack">
        <p>
          <strong>{inv.invitedByName}</strong> invited <strong>{inv.email}</strong> to join <strong>{inv.workspaceName}</strong> as{" "}
          {ROLE_LABELS[inv.role]}.
        </p>
        {signedIn ? (
          <>
            <Alert variant="warning">
              You are signed in as {signedIn.email}. Sign out and sign in as {inv.email} to accept this invitation.
            </Alert>
            <button
              type="button"
              className="btn btn-primary btn-block"
              disabled={signOut.isPending}
              onClick={() => signOut.mutate(undefined, { onSettled: () => void navigate({ to: "/sign-in", search: { redirect: here } }) })}
            >
              Sign out
            </button>
          </>
        ) : inv.hasAccount ? (
          <Link className="btn btn-primary btn-block" to="/sign-in" search={{ redirect: here }}>
            Sign in to accept
          </Link>
        ) : (
          <Link className="btn btn-primary btn-block" to="/sign-up" search={{ email: inv.email, redirect: here }}>
            Create an account to accept
          </Link>
        )}
        {decline.isError && <Alert variant="danger">{errorMessage(decline.error)}</Alert>}
        <button type="button" className="btn btn-block" disabled={decline.isPending} onClick={() => decline.mutate(token)}>
          Decline invitation
        </button>
      </div>
    );

  return (
    <AuthLayout title="Join a workspace" subtitle="An invitation to SendOps." footer={<Link to="/">Go to SendOps</Link>}>
      {body}
    </AuthLayout>
  );
}
