import { useEffect, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useDemoSeed } from "../../api/workspaces";
import { formatCount } from "../../lib/format";
import { useWorkspace } from "../../workspace";
import { Alert } from "../alert";

/**
 * While the demo workspace is being seeded, Reports says so and how far the seed got, instead of
 * showing empty ranges without a word; the figures refresh as events arrive. Nothing elsewhere.
 */
export function DemoSeedNotice() {
  const { workspace } = useWorkspace();
  const queryClient = useQueryClient();
  const seed = useDemoSeed(workspace.id, workspace.isDemo).data;
  const stored = seed?.storedEvents ?? null;
  const previous = useRef(stored);

  // More events arrived since the last reading: the figures on screen are out of date.
  useEffect(() => {
    const before = previous.current;
    previous.current = stored;
    if (before === null || stored === null || stored === before) return;
    for (const area of ["reports", "messages", "events"]) void queryClient.invalidateQueries({ queryKey: ["orgs", workspace.id, area] });
  }, [stored, queryClient, workspace.id]);

  if (!seed?.seeding || seed.plannedEvents === null || stored === null) return null;
  const pct = Math.floor((100 * stored) / seed.plannedEvents);
  return (
    <Alert title="Sample data is still arriving" role="status">
      <p className="seed-notice-text">
        <span>
          {formatCount(stored)} of {formatCount(seed.plannedEvents)} events stored
        </span>{" "}
        ({pct} %). The demo's 30 days of SES events go through the real ingest path oldest first, so the most recent days fill in
        last; these reports update as they arrive.
      </p>
      <div className="seed-progress" role="progressbar" aria-label="Sample data stored" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
    </Alert>
  );
}
