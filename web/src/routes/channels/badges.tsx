import type { Channel } from "../../api/channels";
import { CHANNEL_PURPOSE_LABELS } from "../../../../worker/lib/channels";
import { AlertIcon, CheckIcon } from "../../components/icons";

const PURPOSE_CLASS: Record<Channel["purpose"], string> = {
  default: "badge badge-primary",
  transactional: "badge badge-success",
  marketing: "badge badge-warning",
  onboarding: "badge badge-primary",
  custom: "badge",
};

export const PurposeBadge = ({ purpose }: { purpose: Channel["purpose"] }) => <span className={PURPOSE_CLASS[purpose]}>{CHANNEL_PURPOSE_LABELS[purpose]}</span>;

/** Synced (check), Syncing (spinner) or the "Sync Error" badge. */
export function SyncBadge({ channel }: { channel: Channel }) {
  if (channel.syncStatus === "error")
    return (
      <span className="badge badge-danger" title={channel.syncError?.message}>
        <AlertIcon size={12} />
        Sync Error
      </span>
    );
  if (channel.syncStatus === "syncing")
    return (
      <span className="badge">
        <span className="spinner" aria-hidden="true" />
        Syncing
      </span>
    );
  return (
    <span className="badge badge-success">
      <CheckIcon size={12} />
      Synced
    </span>
  );
}

export function StatusBadge({ channel }: { channel: Channel }) {
  if (channel.status === null)
    return (
      <span className="badge" title="Not read from SES yet: the next account sync reads it.">
        Unknown
      </span>
    );
  return channel.status === "enabled" ? <span className="badge badge-success">Enabled</span> : <span className="badge badge-warning">Disabled</span>;
}

/** New (recently discovered), Default, Detached, Archived. */
export function StateBadges({ channel }: { channel: Channel }) {
  return (
    <>
      {channel.isDefault && <span className="badge badge-primary">Default</span>}
      {channel.isNew && <span className="badge badge-primary">New</span>}
      {channel.origin === "discovered" && <span className="badge">Discovered</span>}
      {channel.archivedAt !== null ? (
        <span className="badge">Archived</span>
      ) : (
        channel.detachedAt !== null && (
          <span className="badge badge-warning" title="Its configuration set is no longer in SES.">
            Detached
          </span>
        )
      )}
    </>
  );
}
