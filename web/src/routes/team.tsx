import { useState } from "react";
import { ROLE_LABELS, ROLES, type Role } from "../../../worker/auth/permissions";
import { useMe } from "../api/account";
import { errorMessage } from "../api/client";
import {
  useCancelTransfer,
  useChangeRole,
  useInvitations,
  useInvite,
  useMembers,
  usePendingTransfer,
  useRemoveMember,
  useResendInvitation,
  useRevokeInvitation,
  type Invitation,
  type Member,
} from "../api/team";
import { fieldError, FormError, SelectField, TextField } from "../components/form";
import { Alert } from "../components/alert";
import { UsersIcon } from "../components/icons";
import { GuardedButton } from "../components/guarded-button";
import { ConfirmModal, Modal, ModalFooter } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { EmptyState, QueryView } from "../components/states";
import { HiddenHeader, Table } from "../components/table";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { formatDate, formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";
import "./team.css";

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
  const inviteBlocker = blockerFor(scope, "team.manage", "invite members");
  // The demo lists nobody else, so it has no invitations to show.
  const invitations = useInvitations(workspace.id, !workspace.isDemo);
  const transfer = usePendingTransfer(workspace.id, !workspace.isDemo).data ?? null;
  const [inviting, setInviting] = useState(false);

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
      <PageHeader
        title="Team"
        description="Everyone in this workspace and the role that decides what they can see and do."
        actions={
          <GuardedButton blocker={inviteBlocker} className="btn btn-primary" onClick={() => setInviting(true)}>
            Invite Member
          </GuardedButton>
        }
      />
      {transfer && <TransferBanner orgId={workspace.id} transfer={transfer} canCancel={scope.can("workspace.transfer")} />}
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
              {(invitations.data ?? []).map((inv) => (
                <PendingRow key={inv.id} orgId={workspace.id} invitation={inv} blocker={blocker} />
              ))}
            </Table>
          )}
        </QueryView>
      </Card>

      <InviteDialog orgId={workspace.id} open={inviting} onClose={() => setInviting(false)} />
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

/** An invitation not yet answered: the address, the offered role, and resend / revoke. */
function PendingRow({ orgId, invitation, blocker }: { orgId: string; invitation: Invitation; blocker: string | null }) {
  const tz = useTimeZone();
  const notify = useToast();
  const resend = useResendInvitation(orgId);
  const revoke = useRevokeInvitation(orgId);
  const busy = resend.isPending || revoke.isPending;
  return (
    <tr>
      <td>
        <div className="cell-primary">{invitation.email}</div>
        <div className="cell-secondary">
          Invited by {invitation.invitedByName} · {invitation.expired ? "expired" : "expires"} {formatDateTime(invitation.expiresAt, tz)}
        </div>
      </td>
      <td>
        <span className="badge">{ROLE_LABELS[invitation.role]}</span>{" "}
        <span className={`badge ${invitation.expired ? "badge-danger" : "badge-warning"}`}>{invitation.expired ? "Expired" : "Pending"}</span>
      </td>
      <td className="muted nowrap">—</td>
      <td className="cell-actions">
        <div className="row team-row-actions">
          <GuardedButton
            blocker={blocker}
            className="btn btn-sm"
            label={`Resend the invitation to ${invitation.email}`}
            disabled={busy}
            onClick={() =>
              resend.mutate(invitation.id, {
                onSuccess: () => notify(`Invitation resent to ${invitation.email}.`),
                onError: (err) => notify(errorMessage(err), "error"),
              })
            }
          >
            Resend
          </GuardedButton>
          <GuardedButton
            blocker={blocker}
            className="btn btn-sm btn-danger-outline"
            label={`Revoke the invitation to ${invitation.email}`}
            disabled={busy}
            onClick={() =>
              revoke.mutate(invitation.id, {
                onSuccess: () => notify(`Invitation to ${invitation.email} revoked.`),
                onError: (err) => notify(errorMessage(err), "error"),
              })
            }
          >
            Revoke
          </GuardedButton>
        </div>
      </td>
    </tr>
  );
}

function InviteDialog({ orgId, open, onClose }: { orgId: string; open: boolean; onClose: () => void }) {
  const notify = useToast();
  const invite = useInvite(orgId);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<(typeof ASSIGNABLE)[number]["value"]>("viewer");
  const close = () => {
    invite.reset();
    setEmail("");
    onClose();
  };
  const onSubmit = () =>
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: () => {
          notify(`Invitation sent to ${email.trim()}.`);
          close();
        },
      },
    );
  return (
    <Modal
      open={open}
      title="Invite member"
      onClose={close}
      onSubmit={onSubmit}
      footer={<ModalFooter onCancel={close} submitLabel="Send Invite" pending={invite.isPending} />}
    >
      <p>They receive an email with a link to join. They do not need a SendOps account yet. Invitations expire after 7 days.</p>
      <FormError error={invite.error} fieldNames={["email", "role"]} />
      <TextField label="Email" type="email" autoComplete="off" required autoFocus value={email} onValueChange={setEmail} error={fieldError(invite.error, "email")} />
      <SelectField label="Role" value={role} onValueChange={(v) => setRole(v as typeof role)} options={ASSIGNABLE} error={fieldError(invite.error, "role")} />
    </Modal>
  );
}

/** While an ownership transfer is pending: who, until when, and (for the Owner) Cancel Transfer. */
function TransferBanner({
  orgId,
  transfer,
  canCancel,
}: {
  orgId: string;
  transfer: NonNullable<ReturnType<typeof usePendingTransfer>["data"]>;
  canCancel: boolean;
}) {
  const tz = useTimeZone();
  const notify = useToast();
  const cancel = useCancelTransfer(orgId);
  return (
    <Alert variant="warning" title="Ownership transfer pending">
      <p>
        {transfer.to.name} ({transfer.to.email}) has until {formatDateTime(transfer.expiresAt, tz)} to accept the ownership of this workspace.
        Their role cannot be changed and they cannot be removed until then.
      </p>
      {canCancel && (
        <button
          type="button"
          className="btn btn-sm"
          disabled={cancel.isPending}
          onClick={() =>
            cancel.mutate(undefined, {
              onSuccess: () => notify("The ownership transfer was cancelled."),
              onError: (err) => notify(errorMessage(err), "error"),
            })
          }
        >
          Cancel Transfer
        </button>
      )}
    </Alert>
  );
}
