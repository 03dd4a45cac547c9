import type { ReactNode } from "react";
import { useStartValidation, useValidationRun, type ValidationCheckView, type ValidationRunView } from "../../api/setup";
import { Alert } from "../../components/alert";
import { FormError } from "../../components/form";
import { AlertIcon, CheckIcon, ShieldCheckIcon, XIcon } from "../../components/icons";
import { GuardedButton } from "../../components/guarded-button";
import { Card } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { NoAwsAccess, PhaseActions } from "./parts";

const STATUS_TEXT: Record<ValidationCheckView["status"], string> = { pass: "Passed", warn: "Passed with a warning", fail: "Failed", pending: "Checking" };

function CheckMark({ status }: { status: ValidationCheckView["status"] }) {
  return (
    <span className={`check-mark check-${status}`}>
      {status === "pending" ? (
        <span className="spinner" aria-hidden="true" />
      ) : status === "fail" ? (
        <XIcon size={14} />
      ) : status === "warn" ? (
        <AlertIcon size={14} />
      ) : (
        <CheckIcon size={14} />
      )}
      <span className="sr-only">{STATUS_TEXT[status]}</span>
    </span>
  );
}

function Checks({ run }: { run: ValidationRunView }) {
  return (
    <ol className="checks" aria-label="Validation checks">
      {run.checks.map((c) => (
        <li key={c.id} className={`check is-${c.status}`}>
          <CheckMark status={c.status} />
          <div className="check-body">
            <strong>{c.label}</strong>
            <p>{c.message}</p>
            {c.fix && c.status !== "pass" && (
              <p className="check-fix">
                <strong>Fix:</strong> {c.fix}
              </p>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** The deployed template is older than the current one and a permission probe failed: update in place. */
function StackUpdateCard({ run, rerun }: { run: ValidationRunView; rerun: ReactNode }) {
  const { stack } = run;
  return (
    <Card title="Stack update available" description={`Your stack runs template version ${stack.deployedVersion ?? "?"}; the current one is ${stack.currentVersion}.`}>
      <div className="stack">
        {stack.missingActions.length > 0 && (
          <div>
            <p>The new template adds these permissions to the SendOps role:</p>
            <ul className="hint-list">
              {stack.missingActions.map((a) => (
                <li key={a}>
                  <code>{a}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p className="muted">
          Open the update link (the CloudFormation console with the latest template filled in), follow the wizard to update the stack, then
          re-validate.
        </p>
        <div className="row wrap">
          <a href={stack.updateUrl} target="_blank" rel="noopener noreferrer" className="btn btn-primary">
            Update stack<span className="sr-only"> (opens in a new tab)</span>
          </a>
          {rerun}
        </div>
      </div>
    </Card>
  );
}

function Summary({ run }: { run: ValidationRunView }) {
  const tz = useTimeZone();
  const failed = run.checks.filter((c) => c.status === "fail").length;
  const warned = run.checks.some((c) => c.status === "warn");
  const when = formatDateTime(run.finishedAt ?? run.createdAt, tz);
  if (run.status === "queued" || run.status === "running")
    return (
      <p className="validation-summary" role="status">
        <span className="spinner" aria-hidden="true" /> Validating… the checks run in the background.
      </p>
    );
  if (run.status === "passed")
    return (
      <Alert variant="success" title={`All ${run.checks.length} checks passed`} role="status">
        {warned ? "With a warning below. " : ""}Validated {when}
        {run.requestedBy ? ` by ${run.requestedBy}` : ""}.
      </Alert>
    );
  return (
    <Alert variant="danger" title={`${failed} of ${run.checks.length} checks failed`} role="alert">
      Fix what the failed checks say, then retry. Run {when}
      {run.requestedBy ? ` by ${run.requestedBy}` : ""}.
    </Alert>
  );
}

/** Phase 2: "Run Validation" starts a background job; the page polls it and lists the eleven checks. */
export function ValidationPhase({ back, next }: { back: () => void; next: () => void }) {
  const { can } = useWorkspace();
  return can("aws.view") ? <Validation back={back} next={next} /> : <NoAwsAccess />;
}

function Validation({ back, next }: { back: () => void; next: () => void }) {
  const scope = useWorkspace();
  const orgId = scope.workspace.id;
  const latest = useValidationRun(orgId);
  const start = useStartValidation(orgId);

  const run = latest.data?.run ?? null;
  const inFlight = start.isPending || run?.status === "queued" || run?.status === "running";
  const blocker = blockerFor(scope, "aws.manage", "run validation");
  const label = !run ? "Run Validation" : run.status === "failed" ? "Retry Validation" : "Re-validate";
  const runButton = (primary: boolean, text = label) => (
    <GuardedButton blocker={inFlight ? "Validation is running." : blocker} className={`btn${primary ? " btn-primary" : ""}`} onClick={() => start.mutate()}>
      {inFlight && <span className="spinner" aria-hidden="true" />}
      {text}
    </GuardedButton>
  );

  return (
    <div className="stack">
      <QueryView query={latest} loadingLabel="Loading the last validation…" errorTitle="Could not load the validation">
        {() =>
          run ? (
            <>
              <Summary run={run} />
              {run.stack.updateAvailable && <StackUpdateCard run={run} rerun={runButton(false, "Re-validate")} />}
              <Card flush>
                <Checks run={run} />
              </Card>
            </>
          ) : (
            <Card>
              <EmptyState icon={ShieldCheckIcon} title="Not validated yet">
                Run Validation checks the stack's configuration set, EventBridge rule and webhook target, probes the role's permissions, and reads
                your SES account: 11 checks in the background.
              </EmptyState>
            </Card>
          )
        }
      </QueryView>
      <FormError error={start.error} />
      <PhaseActions back={back}>
        {runButton(run?.status !== "passed")}
        {run?.status === "passed" && (
          <button type="button" className="btn btn-primary" onClick={next}>
            Continue
          </button>
        )}
      </PhaseActions>
    </div>
  );
}
