import { useState } from "react";
import { useDeadLetters, useReplayDeadLetter, type DeadLetter } from "../../api/ingest";
import { FormError, SubmitButton } from "../../components/form";
import { InboxIcon, ReplayIcon } from "../../components/icons";
import { GuardedButton } from "../../components/guarded-button";
import { IngestHeader } from "../../components/ingest/ingest-header";
import { PayloadBlock } from "../../components/ingest/payload";
import { Modal } from "../../components/modal";
import { Card } from "../../components/page";
import { EmptyState, PagedQueryView } from "../../components/states";
import { ExpandableRows, HiddenHeader, Table } from "../../components/table";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";

/** The dead-letter service's name for a body whose queue it could not tell. */
const UNKNOWN_QUEUE = "unknown";

const field = (v: unknown, key: string): unknown =>
  typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined;

/** What a dead-lettered body was, in a few words: the SES event it carried, or its first characters. */
function describe(body: unknown): string {
  const kind = field(body, "kind");
  if (kind === "event") {
    const event = field(body, "event");
    const detail = field(event, "detail");
    const type = field(detail, "eventType");
    const messageId = field(field(detail, "mail"), "messageId");
    return `SES ${typeof type === "string" ? type : "event"}${typeof messageId === "string" ? ` · ${messageId}` : ""}`;
  }
  if (kind === "event_ref") return "Large SES event (body kept in R2)";
  const text = JSON.stringify(body) ?? "null";
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** Ingest → Dead letters: queue messages that failed every retry, kept until someone replays them. */
export function DeadLettersPage() {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const notify = useToast();
  const list = useDeadLetters(scope.workspace.id);
  const replay = useReplayDeadLetter(scope.workspace.id);
  const [replaying, setReplaying] = useState<DeadLetter | null>(null);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const blocker = blockerFor(scope, "aws.manage", "replay dead letters");

  const startReplay = (row: DeadLetter) => {
    replay.reset();
    setReplaying(row);
  };

  return (
    <div className="stack">
      <IngestHeader
        scope={scope}
        title="Dead letters"
        description="Queue messages that still failed after all their retries (for events, 5 retries over about 5 minutes); the attempts column counts deliveries. Each is kept here with its body; once the cause is fixed, replay it to send it back to its original queue. The queue does not pass on the last error: find it in the Worker's logs at the time the message was received."
      />
      <Card flush>
        <PagedQueryView
          query={list}
          rows={rows}
          loadingLabel="Loading dead letters…"
          errorTitle="Could not load the dead letters"
          empty={
            <EmptyState icon={InboxIcon} title="No dead letters">
              Every queued message of this workspace was processed. A message that still fails after all its retries is kept here
              instead of being lost.
            </EmptyState>
          }
        >
          {(letters) => <DeadLetterTable rows={letters} timeZone={tz} blocker={blocker} onReplay={startReplay} />}
        </PagedQueryView>
      </Card>
      <p className="subtle">Times are shown in {tz.replace(/_/g, " ")}.</p>

      <Modal
        open={replaying !== null}
        title="Replay this dead letter?"
        onClose={() => setReplaying(null)}
        onSubmit={() =>
          replaying &&
          replay.mutate(replaying.id, {
            onSuccess: (r) => {
              notify(`Sent back to ${r.queue}.`);
              setReplaying(null);
            },
          })
        }
        footer={
          <>
            <button type="button" className="btn" onClick={() => setReplaying(null)}>
              Cancel
            </button>
            <SubmitButton pending={replay.isPending}>Replay</SubmitButton>
          </>
        }
      >
        {replaying && (
          <>
            <p>
              <strong>{describe(replaying.body)}</strong> goes back to <code>{replaying.queue}</code> and is processed again. Replay
              it only once the cause of the failure is fixed, or it lands here again.
            </p>
            {replaying.queue === "sendops-events" && (
              <p>Events are deduplicated: whatever part of it was already stored is not counted twice.</p>
            )}
          </>
        )}
        <FormError error={replay.error} />
      </Modal>
    </div>
  );
}

function DeadLetterTable({
  rows,
  timeZone,
  blocker,
  onReplay,
}: {
  rows: DeadLetter[];
  timeZone: string;
  blocker: string | null;
  onReplay: (row: DeadLetter) => void;
}) {
  return (
    <Table
      head={
        <>
          <th scope="col">Received</th>
          <th scope="col">Queue</th>
          <th scope="col" className="num">
            Attempts
          </th>
          <th scope="col">Status</th>
          <th scope="col">Message</th>
          <HiddenHeader label="Actions" />
        </>
      }
    >
      <ExpandableRows
        rows={rows}
        rowKey={(r) => r.id}
        detailsId={(r) => `dead-letter-${r.id}`}
        colSpan={6}
        row={(r, expandButton) => {
          const summary = describe(r.body);
          const rowBlocker =
            r.queue === UNKNOWN_QUEUE ? "SendOps cannot tell which queue this message came from, so it cannot be replayed." : blocker;
          return (
            <tr>
              <td className="muted nowrap">
                <time dateTime={new Date(r.receivedAt).toISOString()}>{formatDateTime(r.receivedAt, timeZone)}</time>
              </td>
              <td className="mono nowrap">{r.queue}</td>
              <td className="num">{r.attempts}</td>
              <td className="nowrap">
                {r.status === "replayed" ? (
                  <>
                    <span className="badge badge-success">Replayed</span>
                    {r.replayedAt !== null && <div className="cell-secondary">{formatDateTime(r.replayedAt, timeZone)}</div>}
                  </>
                ) : (
                  <span className="badge badge-warning">Pending</span>
                )}
              </td>
              <td className="cell-clip mono" title={summary}>
                {summary}
              </td>
              <td className="cell-actions">
                <span className="row">
                  {expandButton("Body")}
                  {r.status === "pending" && (
                    <GuardedButton blocker={rowBlocker} className="btn btn-sm" onClick={() => onReplay(r)} label={`Replay ${summary}`}>
                      <ReplayIcon size={14} />
                      Replay
                    </GuardedButton>
                  )}
                </span>
              </td>
            </tr>
          );
        }}
        details={(r) => <PayloadBlock label="Queue message body" text={JSON.stringify(r.body, null, 2) ?? "null"} what="message body" />}
      />
    </Table>
  );
}
