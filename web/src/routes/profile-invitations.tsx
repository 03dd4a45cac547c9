import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { useMyInvitations } from "../api/team";
import { MailIcon } from "../components/icons";
import { InvitationActions, useInvitationResponses } from "../components/invitation-actions";
import { Card } from "../components/page";
import { EmptyState, QueryView } from "../components/states";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";

/** Profile → Pending invitations: every workspace that invited this address, with Accept / Decline. */
export function PendingInvitationsCard() {
  const tz = useTimeZone();
  const invitations = useMyInvitations();
  const responses = useInvitationResponses();
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
                  <InvitationActions invitation={inv} responses={responses} named />
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Card>
    </section>
  );
}
