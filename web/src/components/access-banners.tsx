import { Link, useNavigate } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { errorMessage } from "../api/client";
import { useAcceptTransfer, useMyInvitations, useMyTransfers, type MyInvitationRow, type MyTransferRow } from "../api/team";
import { InvitationActions, useInvitationResponses, type InvitationResponses } from "./invitation-actions";
import { useToast } from "./toast";

/**
 * Across the dashboard, for the signed-in user: an invitation waiting for them (one: Accept / Decline;
 * several: a link to the Profile list) and an ownership transfer offered to them (Accept).
 */
export function AccessBanners({ slug }: { slug: string }) {
  const invitations = useMyInvitations().data ?? [];
  const transfers = useMyTransfers().data ?? [];
  // Held here, not in the offer: accepting refetches the invitations, which unmounts the offer before the
  // answer's own callback (opening the workspace joined) would run in it.
  const responses = useInvitationResponses();
  return (
    <>
      {transfers.map((t) => (
        <TransferOffer key={t.id} transfer={t} />
      ))}
      {invitations.length === 1 && <InvitationOffer invitation={invitations[0]!} responses={responses} />}
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

function InvitationOffer({ invitation, responses }: { invitation: MyInvitationRow; responses: InvitationResponses }) {
  return (
    <div className="access-banner" role="region" aria-label="Invitation">
      <span>
        {invitation.invitedByName} invited you to <strong>{invitation.orgName}</strong> as {ROLE_LABELS[invitation.role]}.
      </span>
      <InvitationActions invitation={invitation} responses={responses} />
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
