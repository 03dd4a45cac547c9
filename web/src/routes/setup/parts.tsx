import type { ReactNode } from "react";
import { ROLE_LABELS } from "../../../../worker/auth/permissions";
import { LockIcon } from "../../components/icons";
import { EmptyState } from "../../components/states";
import { holdersOf } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";

/** A phase that reads the AWS connection, for a role that may not see it (Developer, Marketer, Viewer). */
export function NoAwsAccess() {
  const { workspace } = useWorkspace();
  return (
    <EmptyState icon={LockIcon} title="No access to the AWS connection">
      Your role ({ROLE_LABELS[workspace.role]}) does not include the AWS connection; {holdersOf("aws.view")} can see and change it.
    </EmptyState>
  );
}

/** The row of Back / Continue (and the phase's own main action) at the end of a phase. */
export function PhaseActions({ back, children }: { back?: () => void; children?: ReactNode }) {
  return (
    <div className="phase-actions">
      {back && (
        <button type="button" className="btn" onClick={back}>
          Back
        </button>
      )}
      <div className="phase-actions-end">{children}</div>
    </div>
  );
}
