import { useSetTwoFactor, useTwoFactorSetting } from "../api/mfa";
import { errorMessage } from "../api/client";
import { Alert } from "../components/alert";
import { GuardedButton } from "../components/guarded-button";
import { Card } from "../components/page";
import { LoadingState } from "../components/states";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { effectiveTimeZone, formatDate } from "../lib/time";
import { useMe } from "../api/account";
import type { WorkspaceScope } from "../workspace";

/** Settings → Security: require MFA of every member (7-day grace for members without it). */
export function TwoFactorEnforcementCard({ scope }: { scope: WorkspaceScope }) {
  const timeZone = effectiveTimeZone(useMe().user.timezone);
  const orgId = scope.workspace.id;
  const setting = useTwoFactorSetting(orgId);
  const update = useSetTwoFactor(orgId);
  const notify = useToast();
  const blocker = blockerFor(scope, "org_settings.manage", "change two-factor enforcement");
  const s = setting.data;

  const toggle = () => {
    if (!s) return;
    update.mutate(!s.enforced, {
      onSuccess: (next) => notify(next.enforced ? "Two-factor authentication is now required." : "Two-factor authentication is no longer required."),
    });
  };

  return (
    <Card
      title="Two-factor authentication"
      description="Require every member to set up multi-factor authentication. Members without it have 7 days before they lose access to this workspace."
      footer={
        s && (
          <GuardedButton blocker={blocker} type="button" className={s.enforced ? "btn" : "btn btn-primary"} disabled={update.isPending} onClick={toggle}>
            {update.isPending && <span className="spinner" aria-hidden="true" />}
            {s.enforced ? "Stop requiring 2FA" : "Require 2FA"}
          </GuardedButton>
        )
      }
    >
      {setting.isPending ? (
        <LoadingState label="Loading…" />
      ) : setting.isError ? (
        <Alert variant="danger" role="alert">
          {errorMessage(setting.error)}
        </Alert>
      ) : (
        <div className="stack" style={{ gap: 8 }}>
          {update.error !== null && (
            <Alert variant="danger" role="alert">
              {errorMessage(update.error)}
            </Alert>
          )}
          {s!.enforced ? (
            <p>
              <span className="badge badge-success">Required</span> since {formatDate(s!.enforcedSince!, timeZone)}.{" "}
              {s!.membersWithoutMfa === 0
                ? "Every member has MFA."
                : `${s!.membersWithoutMfa} ${s!.membersWithoutMfa === 1 ? "member has" : "members have"} no MFA yet${
                    s!.membersBlocked ? ` (${s!.membersBlocked} blocked after the grace period)` : ""
                  }.`}
            </p>
          ) : (
            <p className="muted">Not required. {s!.membersWithoutMfa} of the workspace's members have no MFA.</p>
          )}
        </div>
      )}
    </Card>
  );
}
