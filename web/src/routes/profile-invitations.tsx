import { useNavigate } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { errorMessage } from "../api/client";
import { useAcceptMyInvitation, useDeclineMyInvitation, useMyInvitations } from "../api/team";
import { MailIcon } from "../components/icons";
import { Card } from "../components/page";
import { EmptyState, QueryView } from "../components/states";
import { useToast } from "../components/toast";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";

/** Profile → Pending invitations: every workspace that invited this address, with Accept / Decline. */
export function PendingInvitationsCard() {
  const tz = useTimeZone();
  const navigate = useNavigate();
  const notify = useToast();
  const invitations = useMyInvitations();
  const accept = useAcceptMyInvitation();
  const decline = useDeclineMyInvitation();
  const busy = accept.isPending || decline.isPending;
  return (
    <section id="invitations">
      <Card title="Pending invitations" flush>
        <QueryView
          query={invitations}
          loadingLabel="Loading invitations…"
          errorTitle="Could not load your invitations"
          isEmpty={(list) => list.length === 0}
          empty={<EmptyState icon={MailIcon} title="No pending invitations" />}
        >
          {(list) => (
            <ul className="invitation-list">
              {list.map((inv) => (
                <li key={inv.id} className="row-between invitation-item">
                  <div>
                    <div className="cell-primary">{inv.orgName}</div>
                    <div className="cell-secondary">
                      {ROLE_LABELS[inv.role]} · invited by {inv.invitedByName} · expires {formatDateTime(inv.expiresAt, tz)}
                    </div>
                  </div>
                  <div className="row">
                    <button
                      type="button"
                      className="btn btn-sm btn-primary"
                      disabled={busy}
                      aria-label={`Accept the invitation to ${inv.orgName}`}
                      onClick={() =>
                        accept.mutate(inv.id, {
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
                      aria-label={`Decline the invitation to ${inv.orgName}`}
                      onClick={() =>
                        decline.mutate(inv.id, {
                          onSuccess: () => notify(`Invitation to ${inv.orgName} declined.`),
                          onError: (err) => notify(errorMessage(err), "error"),
                        })
                      }
                    >
                      Decline
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Card>
    </section>
  );
}
