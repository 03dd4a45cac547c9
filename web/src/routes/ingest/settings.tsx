import { useState } from "react";
import { Link } from "@tanstack/react-router";
import {
  useIngestOverview,
  useRotateIngestKey,
  type CreatedIngestKey,
  type DropReason,
  type IngestKey,
  type IngestOverview,
} from "../../api/ingest";
import { Alert } from "../../components/alert";
import { KeyIcon, RotateIcon } from "../../components/icons";
import { FormError, SubmitButton } from "../../components/form";
import { CopyButton } from "../../components/ingest/copy-button";
import { GuardedButton } from "../../components/guarded-button";
import { IngestHeader } from "../../components/ingest/ingest-header";
import { Modal } from "../../components/modal";
import { Card } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { formatCount } from "../../lib/format";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";

/** What each drop reason of the consumer means, for the person who has to fix it. */
const DROP_REASONS: Record<DropReason, { label: string; explanation: string }> = {
  unmanaged_identity: {
    label: "Unmanaged identity",
    explanation:
      "The sending address and its domain (from mail.source, the identity in sourceArn, or the ses:from-domain tag) are not identities of this workspace, so the mail is not counted. Add the identity if this mail should appear in your reports.",
  },
};

/** "23 h 41 min", "12 min", "under a minute". */
function timeLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "under a minute";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${m} min` : `${m} min`;
}

/** Settings → Ingest: where EventBridge posts SES events, the key it authenticates with, and what arrived. */
export function IngestSettingsPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const overview = useIngestOverview(workspace.id);
  const rotate = useRotateIngestKey(workspace.id);
  const [confirming, setConfirming] = useState(false);
  const [created, setCreated] = useState<CreatedIngestKey | null>(null);
  const hasKey = Boolean(overview.data?.keys.length);
  const blocker = blockerFor(scope, "aws.manage", hasKey ? "rotate the ingest key" : "create the ingest key");

  const openConfirm = () => {
    rotate.reset();
    setConfirming(true);
  };

  return (
    <div className="stack">
      <IngestHeader
        scope={scope}
        title="Ingest"
        description={
          <>
            SES publishes every sending event to Amazon EventBridge, which posts it to this webhook with the ingest key. Events
            SendOps cannot read are kept under <Link to="/w/$slug/ingest/rejected" params={{ slug: workspace.slug }}>Rejected payloads</Link>.
          </>
        }
        actions={
          overview.data && (
            <GuardedButton blocker={blocker} className="btn btn-primary" onClick={openConfirm}>
              {hasKey ? <RotateIcon size={14} /> : <KeyIcon size={14} />}
              {hasKey ? "Rotate key" : "Create key"}
            </GuardedButton>
          )
        }
      />
      <QueryView query={overview} loadingLabel="Loading the ingest settings…" errorTitle="Could not load the ingest settings">
        {(o) => (
          <>
            <WebhookCard overview={o} />
            <KeysCard overview={o} blocker={blocker} onCreate={openConfirm} />
            <CountersCard overview={o} />
          </>
        )}
      </QueryView>

      <Modal
        open={confirming}
        title={hasKey ? "Rotate the ingest key?" : "Create the ingest key?"}
        onClose={() => setConfirming(false)}
        onSubmit={() =>
          rotate.mutate(undefined, {
            onSuccess: (key) => {
              setConfirming(false);
              setCreated(key);
            },
          })
        }
        footer={
          <>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <SubmitButton pending={rotate.isPending}>{hasKey ? "Rotate key" : "Create key"}</SubmitButton>
          </>
        }
      >
        {hasKey ? (
          <>
            <p>SendOps creates a new ingest key and shows it once.</p>
            <p>
              The current key stays valid for <strong>24 hours</strong>, so events keep arriving while you update the{" "}
              <code>WebhookApiKey</code> parameter of your CloudFormation stack (or the <code>x-api-key</code> of your EventBridge
              connection). After that, requests with the old key are refused with 401.
            </p>
          </>
        ) : (
          <p>
            SendOps creates the key EventBridge authenticates with and shows it once. Put it in the <code>WebhookApiKey</code>{" "}
            parameter of your CloudFormation stack.
          </p>
        )}
        <FormError error={rotate.error} />
      </Modal>

      <Modal
        open={created !== null}
        title="Your new ingest key"
        onClose={() => setCreated(null)}
        onSubmit={() => setCreated(null)}
        footer={
          <button type="submit" className="btn btn-primary">
            I have copied the key
          </button>
        }
      >
        {created && (
          <>
            <Alert variant="warning" title="Copy this key now">
              This is the only time it is shown. SendOps stores only a hash of it; if you lose it, rotate again.
            </Alert>
            <div className="input-group">
              <input
                className="input mono"
                readOnly
                value={created.key}
                aria-label="New ingest key"
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton text={created.key} what="ingest key" />
            </div>
            <p>
              Set it as the <code>WebhookApiKey</code> parameter of your CloudFormation stack. EventBridge sends it in the{" "}
              <code>x-api-key</code> header of every request.
            </p>
          </>
        )}
      </Modal>
    </div>
  );
}

function WebhookCard({ overview }: { overview: IngestOverview }) {
  return (
    <Card title="Webhook" description="The HTTPS endpoint of your EventBridge API destination (method POST, one event per request).">
      <div className="stack-sm">
        <div className="input-group">
          <input className="input mono" readOnly value={overview.webhookUrl} aria-label="Webhook URL" onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={overview.webhookUrl} what="webhook URL" />
        </div>
        <ol className="ingest-steps">
          <li>
            <strong>With the SendOps CloudFormation stack:</strong> its parameters <code>WebhookUrl</code> and{" "}
            <code>WebhookApiKey</code> take this URL and your ingest key. After rotating the key, update the stack in the
            CloudFormation console (Update → Use current template) with the new <code>WebhookApiKey</code>.
          </li>
          <li>
            <strong>With your own EventBridge setup:</strong> a connection with API key authorization, API key name{" "}
            <code>x-api-key</code> and the key as its value; an API destination with this URL and method POST; a rule on the
            default bus matching <code>{`{"source": ["aws.ses"]}`}</code> that targets it, without an input transformer.
          </li>
          <li>
            <strong>To check the key by hand</strong>, post one SES event; SendOps answers 202 once it is queued:
            <code className="code-line">{`curl -i -X POST '${overview.webhookUrl}' \\\n  -H 'content-type: application/json' -H 'x-api-key: <your ingest key>' \\\n  --data @event.json`}</code>
          </li>
        </ol>
      </div>
    </Card>
  );
}

function KeysCard({ overview, blocker, onCreate }: { overview: IngestOverview; blocker: string | null; onCreate: () => void }) {
  const tz = useTimeZone();
  return (
    <Card
      title="Ingest keys"
      description="Valid keys. Only a prefix is shown: SendOps keeps a hash of each key, never the key itself."
      flush
    >
      {overview.keys.length === 0 ? (
        <EmptyState
          icon={KeyIcon}
          title="No ingest key yet"
          action={
            <GuardedButton blocker={blocker} className="btn btn-sm" onClick={onCreate}>
              Create key
            </GuardedButton>
          }
        >
          EventBridge needs a key to post events to this workspace.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {overview.keys.map((k) => (
                <tr key={k.id}>
                  <td className="mono cell-primary">{k.prefix}…</td>
                  <td className="muted nowrap">
                    <time dateTime={new Date(k.createdAt).toISOString()}>{formatDateTime(k.createdAt, tz)}</time>
                  </td>
                  <td>
                    <KeyStatus k={k} timeZone={tz} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function KeyStatus({ k, timeZone }: { k: IngestKey; timeZone: string }) {
  if (k.expiresAt === null) return <span className="badge badge-success">Active</span>;
  return (
    <span className="row">
      <span className="badge badge-warning">Expires in {timeLeft(k.expiresAt - Date.now())}</span>
      <span className="cell-secondary">
        rotated; valid until <time dateTime={new Date(k.expiresAt).toISOString()}>{formatDateTime(k.expiresAt, timeZone)}</time>
      </span>
    </span>
  );
}

function CountersCard({ overview }: { overview: IngestOverview }) {
  const tz = useTimeZone();
  const { slug } = useWorkspace().workspace;
  const { counters } = overview;
  const reasons = (Object.entries(counters.dropped) as [DropReason, number][])
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count);
  const dropped = reasons.reduce((sum, r) => sum + r.count, 0);
  const stats = [
    { label: "Accepted", value: counters.accepted, text: "New events stored and counted in your reports." },
    {
      label: "Duplicates",
      value: counters.duplicates,
      text: "Events SendOps already had, stored or dropped: EventBridge and queues may deliver one twice. They change nothing.",
    },
    { label: "Dropped", value: dropped, text: "Valid events SendOps does not count, by reason below; each once, however often it arrives." },
    { label: "Rejected", value: counters.rejected, text: "Requests the webhook refused (400 or 413): they never reach the queue." },
  ];
  return (
    <Card
      title={`Last ${counters.windowHours} hours`}
      description={`Counted per recipient as the queue consumer processes events, since ${formatDateTime(counters.since, tz)}.`}
    >
      <dl className="ingest-stats">
        {stats.map((s) => (
          <div className="ingest-stat" key={s.label}>
            <dt className="ingest-stat-label">{s.label}</dt>
            <dd className="ingest-stat-value">{formatCount(s.value)}</dd>
            <dd>
              <p>{s.text}</p>
            </dd>
          </div>
        ))}
      </dl>
      <ul className="drop-reasons" aria-label="Dropped events by reason">
        {reasons.map(({ reason, count }) => {
          const { label, explanation } = DROP_REASONS[reason];
          return (
            <li key={reason}>
              <strong>{label}</strong>
              <span className="count">{formatCount(count)}</span>
              <p>{explanation}</p>
            </li>
          );
        })}
      </ul>
      <p className="subtle ingest-note">
        Rejected requests are listed under{" "}
        <Link to="/w/$slug/ingest/rejected" params={{ slug }}>
          Rejected payloads
        </Link>
        . The same counters, for any range, come from <code>GET /v1/ingest/counters</code>.
      </p>
    </Card>
  );
}
