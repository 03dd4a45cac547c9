import { useState } from "react";
import { useMe } from "../api/account";
import { errorMessage } from "../api/client";
import { useCancelTransfer, useMembers, useOfferTransfer, usePendingTransfer } from "../api/team";
import { fieldError, FormError, SelectField, SubmitButton } from "../components/form";
import { Modal } from "../components/modal";
import { useToast } from "../components/toast";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";

/**
 * Danger Zone → Transfer Ownership (Owner only): choose a member with a verified email; they have 72
 * hours to accept. While the offer is open the row shows it with Cancel Transfer.
 */
export function TransferOwnershipRow({ orgId }: { orgId: string }) {
  const me = useMe();
  const tz = useTimeZone();
  const notify = useToast();
  const pending = usePendingTransfer(orgId, true);
  const members = useMembers(orgId);
  const offer = useOfferTransfer(orgId);
  const cancel = useCancelTransfer(orgId);
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState("");
  const candidates = (members.data ?? []).filter((m) => m.userId !== me.user.id);
  const eligible = candidates.filter((m) => m.emailVerified);
  const transfer = pending.data ?? null;

  const onOffer = () =>
    offer.mutate(target, {
      onSuccess: () => {
        setOpen(false);
        notify("Ownership offered. They have 72 hours to accept.");
      },
    });

  return (
    <div className="danger-row">
      <div>
        <h3>Transfer ownership</h3>
        {transfer ? (
          <p>
            Offered to <strong>{transfer.to.name}</strong> ({transfer.to.email}) until {formatDateTime(transfer.expiresAt, tz)}.
          </p>
        ) : (
          <p>Hand the Owner role to another member. They have 72 hours to accept; you then become an Org Admin and both of you are signed out.</p>
        )}
      </div>
      {transfer ? (
        <button
          type="button"
          className="btn btn-danger-outline"
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
      ) : (
        <button
          type="button"
          className="btn btn-danger-outline"
          onClick={() => {
            offer.reset();
            setTarget(eligible[0]?.userId ?? "");
            setOpen(true);
          }}
        >
          Transfer Ownership
        </button>
      )}
      <Modal
        open={open}
        title="Transfer ownership"
        onClose={() => setOpen(false)}
        onSubmit={onOffer}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <SubmitButton pending={offer.isPending} variant="danger" disabled={!target}>
              Offer ownership
            </SubmitButton>
          </>
        }
      >
        {eligible.length ? (
          <>
            <p>
              The member you choose receives an email and a dashboard banner to accept within 72 hours. When they accept, they become the
              Owner, you become an Org Admin, and you are both signed out.
            </p>
            <FormError error={offer.error} fieldNames={["userId"]} />
            <SelectField
              label="New Owner"
              value={target}
              onValueChange={setTarget}
              options={eligible.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` }))}
              hint={candidates.length > eligible.length ? "Members whose email is not verified yet are not listed." : undefined}
              error={fieldError(offer.error, "userId")}
            />
          </>
        ) : (
          <p>
            {candidates.length
              ? "No other member has a verified email address yet. Only a member with a verified email can become Owner."
              : "There is nobody else in this workspace yet. Invite a member from System → Team first."}
          </p>
        )}
      </Modal>
    </div>
  );
}
