import { useState } from "react";
import { ROLE_LABELS, ROLES, type Role } from "../../../worker/auth/permissions";
import { useMe } from "../api/account";
import { errorMessage } from "../api/client";
import { useChangeRole, useMembers, useRemoveMember, type Member } from "../api/team";
import { Alert } from "../components/alert";
import { UsersIcon } from "../components/icons";
import { GuardedButton } from "../components/guarded-button";
import { ConfirmModal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { EmptyState, QueryView } from "../components/states";
import { HiddenHeader, Table } from "../components/table";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { formatDate } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

/** Roles a member can be given here; ownership moves only by a transfer. */
const ASSIGNABLE = ROLES.filter((r) => r !== "owner").map((r) => ({ value: r, label: ROLE_LABELS[r] }));

const ROLE_BADGE: Partial<Record<Role, string>> = { owner: "badge-primary", org_admin: "badge-success" };

export function TeamPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const me = useMe();
  const tz = useTimeZone();
  const notify = useToast();
  const members = useMembers(workspace.id);
  const changeRole = useChangeRole(workspace.id);
  const remove = useRemoveMember(workspace.id);
  const [removing, setRemoving] = useState<Member | null>(null);
  const blocker = blockerFor(scope, "team.manage", "change roles or remove members");

  const onRole = (m: Member, role: Role) =>
    changeRole.mutate(
      { userId: m.userId, role: role as Exclude<Role, "owner"> },
      {
        onSuccess: () => notify(`${m.name} is now ${ROLE_LABELS[role]}.`),
        onError: (err) => notify(errorMessage(err), "error"),
      },
    );

  return (
    <div className="stack">
      <PageHeader title="Team" description="Everyone in this workspace and the role that decides what they can see and do." />
      {workspace.isDemo && (
        <Alert variant="locked" title="Demo workspace">
          Other people exploring the demo are not listed, and roles cannot be changed here.
        </Alert>
      )}
      <Card title="Members" flush>
        <QueryView
          query={members}
          loadingLabel="Loading members…"
          errorTitle="Could not load the members"
          isEmpty={(list) => list.length === 0}
          empty={<EmptyState icon={UsersIcon} title="No members yet" />}
        >
          {(list) => (
            <Table
              head={
                <>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <HiddenHeader label="Actions" />
                </>
              }
            >
              {list.map((m) => {
                // The Owner (transfer is separate) and oneself are never changed from this list.
                const changeable = m.role !== "owner" && m.userId !== me.user.id;
                const editable = changeable && blocker === null;
                return (
                  <tr key={m.userId}>
                    <td>
                      <div className="cell-primary">
                        {m.name}
                        {m.userId === me.user.id && <span className="subtle"> (you)</span>}
                      </div>
                      <div className="cell-secondary">{m.email}</div>
                    </td>
                    <td>
                      {editable ? (
                        <select
                          className="select"
                          aria-label={`Role of ${m.name}`}
                          value={m.role}
                          disabled={changeRole.isPending}
                          onChange={(e) => onRole(m, e.target.value as Role)}
                        >
                          {ASSIGNABLE.map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <span className={`badge ${ROLE_BADGE[m.role] ?? ""}`}>{ROLE_LABELS[m.role]}</span>
                      )}
                    </td>
                    <td className="muted nowrap">{formatDate(m.joinedAt, tz)}</td>
                    <td className="cell-actions">
                      {changeable && (
                        <GuardedButton
                          blocker={blocker}
                          className="btn btn-sm btn-danger-outline"
                          label={`Remove ${m.name}`}
                          onClick={() => {
                            remove.reset();
                            setRemoving(m);
                          }}
                        >
                          Remove
                        </GuardedButton>
                      )}
                    </td>
                  </tr>
                );
              })}
            </Table>
          )}
        </QueryView>
      </Card>

      <ConfirmModal
        open={removing !== null}
        title="Remove member"
        confirmLabel="Remove member"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.userId, {
            onSuccess: () => {
              notify(`${removing.name} was removed.`);
              setRemoving(null);
            },
          })
        }
      >
        <p>
          Remove <strong>{removing?.name}</strong> ({removing?.email}) from {workspace.name}? They lose access at once and
          their sessions in this workspace end.
        </p>
      </ConfirmModal>
    </div>
  );
}
