import { useEffect, useRef } from "react";
import { getRouteApi } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../../worker/auth/permissions";
import { SETUP_PHASES, useSetupProgress, useUpdateSetupProgress, type SetupPhase, type SetupProgressView } from "../../api/setup";
import { Alert } from "../../components/alert";
import { CheckIcon } from "../../components/icons";
import { PageHeader } from "../../components/page";
import { QueryView } from "../../components/states";
import { holdersOf } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { AwsIntegrationPhase } from "./aws-integration";
import { IdentitiesPhase } from "./identities";
import { PHASE_LABELS } from "./search";
import { TestSendPhase } from "./test-send";
import { ValidationPhase } from "./validation";
import "./setup.css";

const route = getRouteApi("/authenticated/w/$slug/setup");

const PHASE_HINTS: Record<SetupPhase, string> = {
  aws: "Connect your AWS account through an IAM role",
  validation: "Check the stack and your SES account",
  identities: "The domains and addresses SES holds",
  test_send: "Send an email and see it come back",
};

/** Why some of the guide is read-only for this member, or null when nothing is. */
function ReadOnlyNotice() {
  const { workspace, can } = useWorkspace();
  if (workspace.isDemo)
    return (
      <Alert variant="locked" title="The demo workspace is read-only">
        Its sample AWS connection is never called. Look around; switch to your workspace to connect your own AWS account.
      </Alert>
    );
  const blocked = [
    { permission: "aws.manage" as const, actions: ["connect AWS", "run validation", "sync", "send tests"] },
    { permission: "setup.manage" as const, actions: ["record progress"] },
  ].filter((b) => !can(b.permission));
  if (!blocked.length) return null;
  // One sentence per group of roles ("Only Owners, … can connect AWS, …, and record progress").
  const byHolders = new Map<string, string[]>();
  for (const b of blocked) byHolders.set(holdersOf(b.permission), [...(byHolders.get(holdersOf(b.permission)) ?? []), ...b.actions]);
  const list = new Intl.ListFormat("en", { type: "conjunction" });
  return (
    <Alert variant="locked" title="You can follow the guide but not change anything">
      {[...byHolders].map(([holders, actions]) => `Only ${holders} can ${list.format(actions)}.`).join(" ")} Your role is{" "}
      {ROLE_LABELS[workspace.role]}.
    </Alert>
  );
}

/** The four phases; ticks and the current one appear once progress has loaded. */
function Stepper({ progress, phase, onOpen }: { progress: SetupProgressView | undefined; phase: SetupPhase | undefined; onOpen: (p: SetupPhase) => void }) {
  return (
    <ol className="stepper" aria-label="Setup phases">
      {SETUP_PHASES.map((p, i) => {
        const done = progress?.phases.find((x) => x.id === p)?.completedAt != null;
        return (
          <li key={p}>
            <button
              type="button"
              className={`step${done ? " is-done" : ""}`}
              aria-current={p === phase ? "step" : undefined}
              onClick={() => onOpen(p)}
            >
              <span className="step-number" aria-hidden="true">
                {done ? <CheckIcon size={14} /> : i + 1}
              </span>
              <span className="step-text">
                <strong>{PHASE_LABELS[p]}</strong>
                <span>{done ? "Completed" : PHASE_HINTS[p]}</span>
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * The Setup Guide (getting-started__creating-your-account.md): four phases, each reachable from the
 * stepper or `?phase=`; without it the guide opens where the member left off, and the phase they open
 * is saved so the next visit resumes there.
 */
export function SetupGuidePage() {
  const { workspace, can } = useWorkspace();
  const progress = useSetupProgress(workspace.id);
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const save = useUpdateSetupProgress(workspace.id);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const phase = search.phase ?? progress.data?.currentPhase;
  const current = progress.data?.currentPhase;
  const mayRecord = !workspace.isDemo && can("setup.manage");

  // The phase opened stays open (in the URL) when the server's idea of "current" moves on, e.g. when
  // validating the role completes phase 1 while its outcome is still on screen.
  useEffect(() => {
    if (!search.phase && current) void navigate({ search: { phase: current }, replace: true });
  }, [search.phase, current, navigate]);

  useEffect(() => {
    if (phase && current && phase !== current && mayRecord) save.mutate({ currentPhase: phase });
    // Only a change of phase is worth a save (`save` is a new object every render).
  }, [phase, current, mayRecord]);

  const open = (p: SetupPhase) => {
    void navigate({ search: { phase: p } });
    // The new phase's heading takes focus, so keyboard and screen-reader users land on it.
    requestAnimationFrame(() => headingRef.current?.focus());
  };
  const step = (offset: number) => () => {
    const i = phase ? SETUP_PHASES.indexOf(phase) + offset : 0;
    open(SETUP_PHASES[Math.min(Math.max(i, 0), SETUP_PHASES.length - 1)]!);
  };

  return (
    <div className="stack setup-guide">
      <PageHeader
        title="Setup Guide"
        description={`Four phases connect ${workspace.name} to Amazon SES and confirm that its events reach SendOps end to end.`}
      />
      <ReadOnlyNotice />
      {progress.data?.done && (
        <Alert variant="success" title="Setup complete">
          All four phases are done: your SES events now flow into SendOps. Each phase stays here to revisit.
        </Alert>
      )}
      <Stepper progress={progress.data} phase={phase} onOpen={open} />
      <QueryView query={progress} loadingLabel="Loading your progress…" errorTitle="Could not load the Setup Guide">
        {(view) => {
          const p = phase ?? view.currentPhase;
          return (
            <section className="phase-panel" aria-labelledby="setup-phase-heading">
              <div className="phase-heading">
                <div className="page-eyebrow">
                  Phase {SETUP_PHASES.indexOf(p) + 1} of {SETUP_PHASES.length}
                </div>
                <h2 id="setup-phase-heading" ref={headingRef} tabIndex={-1}>
                  {PHASE_LABELS[p]}
                </h2>
              </div>
              {p === "aws" && <AwsIntegrationPhase next={step(1)} />}
              {p === "validation" && <ValidationPhase back={step(-1)} next={step(1)} />}
              {p === "identities" && <IdentitiesPhase back={step(-1)} next={step(1)} />}
              {p === "test_send" && <TestSendPhase back={step(-1)} />}
            </section>
          );
        }}
      </QueryView>
    </div>
  );
}
