import { useId } from "react";
import { useChannels } from "../../api/reports";
import { QueryError } from "../query-error";

/** "All channels" or one channel (an SES configuration set) of the workspace. */
export function ChannelFilter({ orgId, value, onChange }: { orgId: string; value: string | undefined; onChange: (id: string | undefined) => void }) {
  const id = useId();
  const channels = useChannels(orgId);
  const list = channels.data?.channels ?? [];
  // A shared link may name a channel that no longer exists: keep it selectable so the view is honest.
  const unknown = value !== undefined && channels.data !== undefined && !list.some((c) => c.id === value);
  return (
    <div className="channel-filter">
      <label className="sr-only" htmlFor={id}>
        Channel
      </label>
      <select
        id={id}
        className="select"
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">All channels</option>
        {list.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
        {unknown && <option value={value}>Unknown channel</option>}
      </select>
      <QueryError query={channels} inline title="Could not load the channels." />
    </div>
  );
}
