import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { errorMessage } from "../api/client";
import { useAcceptTransfer, useMyTransfers } from "../api/team";
import { Alert } from "../components/alert";
import { LoadingState } from "../components/states";
import { AuthLayout } from "./auth-layout";

const route = getRouteApi("/authenticated/ownership/$token");

/** The ownership-transfer email's link (signed in as the target): confirm, then both Owners are signed out. */
export function OwnershipTransferPage() {
  const { token } = route.useParams();
  const navigate = useNavigate();
  const transfers = useMyTransfers();
  const accept = useAcceptTransfer();
  // The token starts with the transfer's id, which names the offer among the user's open ones.
  const offer = transfers.data?.find((t) => token.startsWith(`${t.id}.`));

  let body;
  if (transfers.isPending) body = <LoadingState label="Opening the transfer…" />;
  else if (!offer)
    body = (
      <Alert variant="warning" title="No open ownership transfer for you here">
        It may have been accepted, cancelled or expired after 72 hours, or it was offered to another account.
      </Alert>
    );
  else
    body = (
      <div className="stack">
        <p>
          <strong>{offer.fromName}</strong> wants to make you the Owner of <strong>{offer.orgName}</strong>. They become an Org Admin. Both of
          you are signed out and sign in again.
        </p>
        {accept.isError && <Alert variant="danger">{errorMessage(accept.error)}</Alert>}
        <button
          type="button"
          className="btn btn-primary btn-block"
          disabled={accept.isPending}
          onClick={() =>
            accept.mutate({ token }, { onSuccess: () => void navigate({ to: "/sign-in", search: { notice: "ownership-transferred" }, replace: true }) })
          }
        >
          Accept ownership
        </button>
      </div>
    );
  return (
    <AuthLayout title="Accept ownership" subtitle="A workspace ownership transfer." footer={<Link to="/">Go to SendOps</Link>}>
      {body}
    </AuthLayout>
  );
}
