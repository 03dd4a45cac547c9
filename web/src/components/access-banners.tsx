import { Link, useNavigate } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { errorMessage } from "../api/client";
import {
  useAcceptMyInvitation,
  useAcceptTransfer,
  useDeclineMyInvitation,
  useMyInvitations,
  useMyTransfers,
  type MyInvitationRow,
  type MyTransferRow,
} from "../api/team";
import { useToast } from "./toast";

/**
 * Across the dashboard, for the signed-in user: an invitation waiting for them (one: Accept / Decline;
 * several: a link to the Profile list) and an ownership transfer offered to them (Accept).
 */
export function AccessBanners({ slug }: { slug: string }) {
  const invitations = useMyInvitations().data ?? [];
  const transfers = useMyTransfers().data ?? [];
  return (
    <>
      {transfers.map((t) => (
        <TransferOffer key={t.id} transfer={t} />
      ))}
      {invitations.length === 1 && <InvitationOffer invitation={invitations[0]!} />}
      {invitations.length > 1 && (
        <div className="access-banner" role="region" aria-label="Pending invitations">
          <span>You have {invitations.length} pending invitations to other workspaces.</span>
          <Link className="btn btn-sm" to="/w/$slug/profile" params={{ slug }} hash="invitations">
            Review invitations
          </Link>
        </div>
      )}
    </>
  );
}

function InvitationOffer({ invitation }: { invitation: MyInvitationRow }) {
  const navigate = useNavigate();
  const notify = useToast();
  const accept = useAcceptMyInvitation();
  const decline = useDeclineMyInvitation();
  const busy = accept.isPending || decline.isPending;
  return (
    <div className="access-banner" role="region" aria-label="Invitation">
      <span>
        {invitation.invitedByName} invited you to <strong>{invitation.orgName}</strong> as {ROLE_LABELS[invitation.role]}.
      </span>
      <span className="row">
        <button
          type="button"
          className="btn btn-sm btn-primary"
          disabled={busy}
          onClick={() =>
            accept.mutate(invitation.id, {
              onSuccess: (r) => void navigate({ to: "/w/$slug", params: { slug: r.workspace.slug } }),
              onError: (err) => notify(errorMessage(err), "error"),
            })
          }
        >
          Accept
        </button>
        <button
          type="button"
          className="btn btn-sm"
          disabled={busy}
          onClick={() =>
            decline.mutate(invitation.id, {
              onSuccess: () => notify(`Invitation to ${invitation.orgName} declined.`),
              onError: (err) => notify(errorMessage(err), "error"),
            })
          }
        >
          Decline
        </button>
      </span>
    </div>
  );
}

function TransferOffer({ transfer }: { transfer: MyTransferRow }) {
  const navigate = useNavigate();
  const notify = useToast();
  const accept = useAcceptTransfer();
  return (
    <div className="access-banner" role="region" aria-label="Ownership transfer">
      <span>
        {transfer.fromName} wants to make you the Owner of <strong>{transfer.orgName}</strong>. Accepting signs you both out.
      </span>
      <button
        type="button"
        className="btn btn-sm btn-primary"
        disabled={accept.isPending}
        onClick={() =>
          accept.mutate(
            { id: transfer.id },
            {
              onSuccess: () => void navigate({ to: "/sign-in", search: { notice: "ownership-transferred" }, replace: true }),
              onError: (err) => notify(errorMessage(err), "error"),
            },
          )
        }
      >
        Accept ownership
      </button>
    </div>
  );
}
