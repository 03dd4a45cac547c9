import { useNavigate } from "@tanstack/react-router";
import { errorMessage } from "../api/client";
import { useAcceptMyInvitation, useDeclineMyInvitation, type MyInvitationRow } from "../api/team";
import { useToast } from "./toast";

export type InvitationResponses = ReturnType<typeof useInvitationResponses>;

/**
 * Answering the invitations sent to me: Accept opens the workspace joined, Decline says so; failures are
 * toasts. One per list, so answering one invitation holds every Accept / Decline of the list.
 */
export function useInvitationResponses() {
  const navigate = useNavigate();
  const notify = useToast();
  const accept = useAcceptMyInvitation();
  const decline = useDeclineMyInvitation();
  return {
    busy: accept.isPending || decline.isPending,
    accept: (invitation: MyInvitationRow) =>
      accept.mutate(invitation.id, {
        onSuccess: (r) => void navigate({ to: "/w/$slug", params: { slug: r.workspace.slug } }),
        onError: (err) => notify(errorMessage(err), "error"),
      }),
    decline: (invitation: MyInvitationRow) =>
      decline.mutate(invitation.id, {
        onSuccess: () => notify(`Invitation to ${invitation.orgName} declined.`),
        onError: (err) => notify(errorMessage(err), "error"),
      }),
  };
}

/** Accept / Decline of one invitation; `named` gives the buttons the workspace in their names (a list of several). */
export function InvitationActions({ invitation, responses, named = false }: { invitation: MyInvitationRow; responses: InvitationResponses; named?: boolean }) {
  return (
    <span className="row">
      <button
        type="button"
        className="btn btn-sm btn-primary"
        disabled={responses.busy}
        aria-label={named ? `Accept the invitation to ${invitation.orgName}` : undefined}
        onClick={() => responses.accept(invitation)}
      >
        Accept
      </button>
      <button
        type="button"
        className="btn btn-sm"
        disabled={responses.busy}
        aria-label={named ? `Decline the invitation to ${invitation.orgName}` : undefined}
        onClick={() => responses.decline(invitation)}
      >
        Decline
      </button>
    </span>
  );
}
