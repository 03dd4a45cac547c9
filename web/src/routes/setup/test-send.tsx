import { useState, type FormEvent } from "react";
import { Link } from "@tanstack/react-router";
import { useSendTest, useTestSend, useTestSendOptions, type TestSendOptionsView, type TestSendView } from "../../api/setup";
import { Alert } from "../../components/alert";
import { fieldError, FormError, SelectField, TextField } from "../../components/form";
import { SendIcon } from "../../components/icons";
import { GuardedButton } from "../../components/guarded-button";
import { Card } from "../../components/page";
import { QueryError, queryFailure } from "../../components/query-error";
import { EmptyState, LoadingState, QueryView } from "../../components/states";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { PhaseActions } from "./parts";

const SIMULATOR_DOMAIN = "simulator.amazonses.com";

/** Whether a sandbox account may send to `to`: a verified address, an address at a verified domain, or the SES mailbox simulator. */
function sandboxAllows(to: string, verified: readonly string[]): boolean {
  const address = to.trim().toLowerCase();
  const domain = address.slice(address.lastIndexOf("@") + 1);
  if (!address.includes("@") || domain === SIMULATOR_DOMAIN) return true;
  return verified.some((v) => {
    const entry = v.toLowerCase();
    return entry.includes("@") ? entry === address : entry === domain;
  });
}

function SandboxWarning({ options, to }: { options: TestSendOptionsView; to: string }) {
  const likelyFails = to.trim() !== "" && !sandboxAllows(to, options.verifiedRecipients);
  return (
    <Alert variant="warning" title="Your SES account is in sandbox mode" role={likelyFails ? "alert" : undefined}>
      <p>
        It can only send to verified identities
        {options.verifiedRecipients.length ? ":" : ", and none is verified yet."}
      </p>
      {options.verifiedRecipients.length > 0 && (
        <ul className="hint-list">
          {options.verifiedRecipients.map((v) => (
            <li key={v}>
              <code>{v}</code>
            </li>
          ))}
        </ul>
      )}
      <p>
        The SES mailbox simulator (<code>success@{SIMULATOR_DOMAIN}</code>) always works.
        {likelyFails && (
          <strong>
            {" "}
            {to.trim()} is neither a verified address nor at a verified domain: the send will likely fail.
          </strong>
        )}
      </p>
    </Alert>
  );
}

function SendForm({ options, onSent }: { options: TestSendOptionsView; onSent: (test: TestSendView) => void }) {
  const scope = useWorkspace();
  const send = useSendTest(scope.workspace.id);
  const [from, setFrom] = useState(options.fromAddresses[0] ?? "");
  const [to, setTo] = useState("");
  const blocker = blockerFor(scope, "aws.manage", "send a test email");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate({ from, to: to.trim() }, { onSuccess: onSent });
  };
  if (!options.fromAddresses.length)
    return (
      <EmptyState icon={SendIcon} title="No verified identity to send from">
        SES sends only from a verified domain or address. Verify one in SES, then sync it in the Identities phase.
      </EmptyState>
    );
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="form-grid">
        <SelectField
          label="From"
          hint="A verified identity of this workspace."
          value={from}
          onValueChange={setFrom}
          options={options.fromAddresses.map((a) => ({ value: a, label: a }))}
          error={fieldError(send.error, "from")}
          disabled={blocker !== null}
        />
        <TextField
          label="Send test to"
          type="email"
          placeholder={`success@${SIMULATOR_DOMAIN}`}
          value={to}
          onValueChange={setTo}
          error={fieldError(send.error, "to")}
          spellCheck={false}
          disabled={blocker !== null}
        />
      </div>
      {options.sandbox && <SandboxWarning options={options} to={to} />}
      <FormError error={send.error} fieldNames={["from", "to"]} />
      <div className="form-actions">
        <GuardedButton blocker={blocker} type="submit" className="btn btn-primary" disabled={send.isPending || to.trim() === ""}>
          {send.isPending && <span className="spinner" aria-hidden="true" />}
          Send Test Email
        </GuardedButton>
      </div>
    </form>
  );
}

/** What happened to a test, as SES's events (or its refusal) said. */
function Outcome({ test }: { test: TestSendView }) {
  const tz = useTimeZone();
  const when = formatDateTime(test.confirmedAt ?? test.createdAt, tz);
  const addresses = (
    <dl className="kv">
      <dt>From</dt>
      <dd>{test.from}</dd>
      <dt>To</dt>
      <dd>{test.to}</dd>
      <dt>{test.confirmedAt ? "Confirmed" : "Sent"}</dt>
      <dd>{when}</dd>
    </dl>
  );
  switch (test.status) {
    case "sending":
    case "sent":
      return (
        <div className="test-waiting" role="status">
          <span className="spinner" aria-hidden="true" />
          <div>
            <strong>{test.status === "sending" ? "Sending through SES…" : "Waiting for SES to report the delivery…"}</strong>
            <p className="muted">
              SES accepted the email for {test.to}; its Delivery event comes back through EventBridge and your ingest webhook.
            </p>
          </div>
        </div>
      );
    case "delivered":
      return (
        <Alert variant="success" title="Email delivered and confirmed" role="status">
          <p>SES reported the delivery and its event reached SendOps through the ingest pipeline: your setup works end to end.</p>
          {addresses}
        </Alert>
      );
    case "delayed":
      return (
        <Alert variant="warning" title="Delivery delayed" role="status">
          <p>SES reported a delivery delay: the receiving server did not accept the email yet. SES keeps trying; this page keeps waiting.</p>
          {addresses}
        </Alert>
      );
    case "bounced":
      return (
        <Alert variant="danger" title="The test bounced" role="alert">
          <p>The receiving server refused the address. The pipeline works (the Bounce event arrived); try an address that exists.</p>
          {addresses}
        </Alert>
      );
    case "complained":
      return (
        <Alert variant="warning" title="The recipient marked the test as spam" role="alert">
          <p>A Complaint event arrived: the pipeline works, and SES counts the complaint against your account.</p>
          {addresses}
        </Alert>
      );
    case "rejected":
      return (
        <Alert variant="danger" title="SES rejected the test" role="alert">
          <p>SES found a virus or other problem in the message and did not send it (a Reject event arrived).</p>
          {addresses}
        </Alert>
      );
    case "failed":
      return (
        <Alert variant="danger" title={`SES refused the send${test.error ? `: ${test.error.code}` : ""}`} role="alert">
          <p>{test.error?.message ?? "SendEmail failed."}</p>
          {addresses}
        </Alert>
      );
  }
}

function TestResult({ id, initial, onAnother }: { id: string; initial: TestSendView | undefined; onAnother: () => void }) {
  const { workspace } = useWorkspace();
  const test = useTestSend(workspace.id, id, initial);
  if (test.isError || queryFailure(test)) return <QueryError query={test} title="Could not load the test" />;
  if (test.isPending) return <LoadingState label="Loading the test…" />;
  const waiting = test.data.status === "sending" || test.data.status === "sent";
  return (
    <div className="stack">
      <Outcome test={test.data} />
      {!waiting && (
        <div className="row wrap">
          <button type="button" className="btn" onClick={onAnother}>
            Send another test
          </button>
          {test.data.status === "delivered" && (
            <Link to="/w/$slug/reports" params={{ slug: workspace.slug }} className="btn btn-primary">
              Open Reports
            </Link>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Phase 4: send a test through the workspace's role and wait for its Delivery event to come back
 * through the real ingest path. The last test shows until "Send another test".
 */
export function TestSendPhase({ back }: { back: () => void }) {
  const { workspace } = useWorkspace();
  const options = useTestSendOptions(workspace.id);
  // undefined: show the workspace's last test, if any; null: the form; an id: that test.
  const [shown, setShown] = useState<string | null | undefined>(undefined);
  const [sent, setSent] = useState<TestSendView | undefined>(undefined);
  return (
    <div className="stack">
      <Card>
        <QueryView query={options} loadingLabel="Loading the test send…" errorTitle="Could not load the test send">
          {(view) => {
            const id = shown === undefined ? (view.lastTest?.id ?? null) : shown;
            return id ? (
              <TestResult id={id} initial={sent ?? view.lastTest ?? undefined} onAnother={() => setShown(null)} />
            ) : (
              <SendForm
                options={view}
                onSent={(test) => {
                  setSent(test);
                  setShown(test.id);
                }}
              />
            );
          }}
        </QueryView>
      </Card>
      <PhaseActions back={back} />
    </div>
  );
}
