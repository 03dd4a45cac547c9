import { useState } from "react";
import { useDelegateSetup, type AwsIntegrationView } from "../../api/setup";
import { Alert } from "../../components/alert";
import { CodeBlock } from "../../components/code-block";
import { Field, fieldError, FormError, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { Modal } from "../../components/modal";
import { Tabs } from "../../components/tabs";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";

type Option = "email" | "assistant";

/**
 * "Delegate this step": email a colleague the deploy link and instructions (through SendOps' mailer),
 * or copy a prompt for an AI assistant holding the full `aws cloudformation create-stack` command.
 */
export function DelegateDialog({ open, view, onClose }: { open: boolean; view: AwsIntegrationView; onClose: () => void }) {
  const scope = useWorkspace();
  const delegate = useDelegateSetup(scope.workspace.id);
  const [option, setOption] = useState<Option>("email");
  const [email, setEmail] = useState("");
  const [note, setNote] = useState("");
  const blocker = blockerFor(scope, "aws.manage", "email setup instructions");
  const sent = delegate.data;

  const close = () => {
    delegate.reset();
    setEmail("");
    setNote("");
    onClose();
  };
  const submit = () => {
    if (option !== "email" || blocker || sent) return;
    delegate.mutate({ email: email.trim(), note: note.trim() || undefined, region: view.region });
  };

  const sendButton =
    option === "email" && !sent ? (
      <GuardedButton blocker={blocker} type="submit" className="btn btn-primary" disabled={delegate.isPending}>
        {delegate.isPending && <span className="spinner" aria-hidden="true" />}
        Send instructions
      </GuardedButton>
    ) : null;

  return (
    <Modal
      open={open}
      title="Delegate the AWS Integration"
      onClose={close}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            {sent || option === "assistant" ? "Close" : "Cancel"}
          </button>
          {sendButton}
        </>
      }
    >
      <Tabs
        label="How to delegate"
        small
        value={option}
        onChange={setOption}
        tabs={[
          { id: "email", label: "Email a colleague" },
          { id: "assistant", label: "Use an AI assistant" },
        ]}
      >
        {option === "email" ? (
          sent ? (
            <Alert variant="success" title={`Instructions sent to ${sent.sentTo}`} role="status">
              They hold the deploy link and every parameter of this workspace.
              {sent.localOutboxUrl && (
                <>
                  {" "}
                  <a href={sent.localOutboxUrl} target="_blank" rel="noopener noreferrer">
                    Open the local outbox
                  </a>{" "}
                  to read it (this deployment delivers mail locally).
                </>
              )}
            </Alert>
          ) : (
            <div className="stack">
              <p className="muted">A colleague with AWS access gets the launch link, the template and the values for region {view.region}.</p>
              <TextField
                label="Colleague's email"
                type="email"
                autoComplete="off"
                value={email}
                onValueChange={setEmail}
                error={fieldError(delegate.error, "email")}
                disabled={blocker !== null}
                required
              />
              <Field label="Note (optional)" hint="Added above the instructions." error={fieldError(delegate.error, "note")}>
                {({ id, describedBy, invalid }) => (
                  <textarea
                    id={id}
                    className="input textarea"
                    rows={3}
                    value={note}
                    onChange={(e) => setNote(e.target.value)}
                    aria-describedby={describedBy}
                    aria-invalid={invalid || undefined}
                    disabled={blocker !== null}
                  />
                )}
              </Field>
              <FormError error={delegate.error} fieldNames={["email", "note"]} />
            </div>
          )
        ) : (
          <div className="stack">
            <p className="muted">
              Paste this into an AI assistant that can run the AWS CLI with your credentials: it holds the full{" "}
              <code>aws cloudformation create-stack</code> command for this workspace.
            </p>
            <CodeBlock code={view.assistantPrompt} what="assistant prompt" label="Assistant prompt" wrap />
          </div>
        )}
      </Tabs>
    </Modal>
  );
}
