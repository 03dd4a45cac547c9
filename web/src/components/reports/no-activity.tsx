import { Link } from "@tanstack/react-router";
import { useWorkspace } from "../../workspace";
import { ChartIcon } from "../icons";

/**
 * One calm empty state for a whole tab when the range holds no activity at all, instead of a wall of
 * empty charts: a wider range is one click away, and so is the Setup Guide for a workspace that has
 * not started sending events yet.
 */
export function NoActivity({ rangeLabel, onWiden }: { rangeLabel: string; onWiden: (() => void) | undefined }) {
  const { workspace, can } = useWorkspace();
  return (
    <div className="card no-activity">
      <div className="no-activity-icon" aria-hidden="true">
        <ChartIcon size={22} />
      </div>
      <h2>No sending activity {rangeLabel}</h2>
      <p>
        Reports fill in as Amazon SES publishes events for your managed identities: sends, deliveries, bounces, complaints,
        opens and clicks. Try a longer range or another channel.
      </p>
      <div className="row">
        {onWiden && (
          <button type="button" className="btn btn-primary" onClick={onWiden}>
            Show the last 90 days
          </button>
        )}
        {can("setup.view") && (
          <Link to="/w/$slug/setup" params={{ slug: workspace.slug }} className="btn">
            Open the Setup Guide
          </Link>
        )}
      </div>
    </div>
  );
}
