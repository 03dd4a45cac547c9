import { useEffect, useState } from "react";
import {
  useConfirmTotp,
  useMfaStatus,
  useRegenerateRecoveryCodes,
  useRegisterSecurityKey,
  useRemoveMethod,
  useRenameMethod,
  useStartTotpSetup,
  type MfaMethod,
  type ReauthInput,
  type TotpSetup,
} from "../api/mfa";
import { errorMessage } from "../api/client";
import { CodeBlock } from "../components/code-block";
import { fieldError, FormError, TextField } from "../components/form";
import { KeyIcon, ShieldCheckIcon } from "../components/icons";
import { Modal, ModalFooter } from "../components/modal";
import { Card } from "../components/page";
import { LoadingState } from "../components/states";
import { Alert } from "../components/alert";
import { useToast } from "../components/toast";
import { formatDate } from "../lib/time";

const KIND_LABELS: Record<MfaMethod["kind"], string> = { totp: "Authenticator app", webauthn: "Security key" };
const NAME_MAX = 64;

type Dialog =
  | { kind: "totp" }
  | { kind: "key" }
  | { kind: "codes"; codes: string[] }
  | { kind: "rename"; method: MfaMethod }
  | { kind: "remove"; method: MfaMethod }
  | { kind: "regenerate" }
  | null;

/** Profile → Multi-factor authentication (the section /profile#security links to). */
export function MfaCard({ timeZone }: { timeZone: string }) {
  const status = useMfaStatus();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  const showCodes = (codes: string[] | null) => setDialog(codes ? { kind: "codes", codes } : null);

  return (
    <section id="security" aria-label="Multi-factor authentication">
      <Card
        title="Multi-factor authentication"
        description="Ask for a second step after your password: a code from an authenticator app, or a security key or passkey."
        footer={
          <div className="row" style={{ flexWrap: "wrap", gap: 8 }}>
            <button type="button" className="btn" onClick={() => setDialog({ kind: "totp" })}>
              <ShieldCheckIcon />
              Set up authenticator app
            </button>
            <button type="button" className="btn" onClick={() => setDialog({ kind: "key" })}>
              <KeyIcon />
              Set up security key
            </button>
          </div>
        }
      >
        {status.isPending ? (
          <LoadingState label="Loading your security settings…" />
        ) : status.isError ? (
          <Alert variant="danger" role="alert" title="Could not load your MFA methods">
            {errorMessage(status.error)}
          </Alert>
        ) : !status.data.enabled ? (
          <p className="muted">MFA is off. Set up an authenticator app or a security key to turn it on.</p>
        ) : (
          <div className="stack" style={{ gap: 12 }}>
            <p>
              <span className="badge badge-success">MFA on</span>
            </p>
            <ul className="mfa-methods" aria-label="MFA methods">
              {status.data.methods.map((m) => (
                <li key={m.id} className="mfa-method">
                  <div>
                    <strong>{m.name}</strong>
                    <div className="muted">
                      {KIND_LABELS[m.kind]} · added {formatDate(m.createdAt, timeZone)} ·{" "}
                      {m.lastUsedAt ? `last used ${formatDate(m.lastUsedAt, timeZone)}` : "never used"}
                    </div>
                  </div>
                  <div className="row" style={{ gap: 8 }}>
                    <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: "rename", method: m })} aria-label={`Rename ${m.name}`}>
                      Rename
                    </button>
                    <button type="button" className="btn btn-sm btn-danger" onClick={() => setDialog({ kind: "remove", method: m })} aria-label={`Remove ${m.name}`}>
                      Remove
                    </button>
                  </div>
                </li>
              ))}
            </ul>
            <div className="row-between" style={{ flexWrap: "wrap", gap: 8 }}>
              <span>
                Recovery codes: <strong>{status.data.recoveryCodesRemaining}</strong> of 10 left
              </span>
              <button type="button" className="btn btn-sm" onClick={() => setDialog({ kind: "regenerate" })}>
                Regenerate recovery codes
              </button>
            </div>
          </div>
        )}
      </Card>
      {dialog?.kind === "totp" && <TotpSetupModal onClose={close} onDone={showCodes} />}
      {dialog?.kind === "key" && <SecurityKeyModal onClose={close} onDone={showCodes} />}
      {dialog?.kind === "codes" && <RecoveryCodesModal codes={dialog.codes} onClose={close} />}
      {dialog?.kind === "rename" && <RenameModal method={dialog.method} onClose={close} />}
      {dialog?.kind === "remove" && <RemoveModal method={dialog.method} onClose={close} />}
      {dialog?.kind === "regenerate" && <RegenerateModal onClose={close} onDone={showCodes} />}
    </section>
  );
}

function TotpSetupModal({ onClose, onDone }: { onClose: () => void; onDone: (codes: string[] | null) => void }) {
  const start = useStartTotpSetup();
  const confirm = useConfirmTotp();
  const notify = useToast();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [manual, setManual] = useState(false);
  const [name, setName] = useState("");
  const [code, setCode] = useState("");
  // A fresh secret each time the dialog opens; the server keeps it until a code confirms it.
  const begin = start.mutate;
  useEffect(() => begin(undefined, { onSuccess: setSetup }), [begin]);

  const submit = () => {
    if (!setup || !name.trim() || code.length !== 6) return;
    confirm.mutate(
      { setupId: setup.setupId, name: name.trim(), code },
      {
        onSuccess: (r) => {
          notify("Authenticator app added.");
          onDone(r.recoveryCodes);
        },
      },
    );
  };

  return (
    <Modal
      open
      title="Set up authenticator app"
      onClose={onClose}
      onSubmit={submit}
      footer={<ModalFooter onCancel={onClose} submitLabel="Verify" pending={confirm.isPending} disabled={!setup || !name.trim() || code.length !== 6} />}
    >
      {start.isError ? (
        <Alert variant="danger" role="alert">
          {errorMessage(start.error)}
        </Alert>
      ) : !setup ? (
        <LoadingState label="Creating your key…" />
      ) : (
        <div className="form">
          <p>Scan the QR code with your authenticator app (Google Authenticator, Authy, 1Password…).</p>
          <img className="mfa-qr" src={setup.qrCodeDataUrl} alt="QR code for your authenticator app" width={200} height={200} />
          {manual ? (
            <CodeBlock code={setup.secret} what="secret key" label="Secret key" />
          ) : (
            <button type="button" className="btn btn-sm" onClick={() => setManual(true)}>
              Enter code manually
            </button>
          )}
          <FormError error={confirm.error} fieldNames={["name", "code"]} />
          <TextField
            label="Six-digit code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onValueChange={(v) => setCode(v.replace(/\D/g, ""))}
            error={fieldError(confirm.error, "code")}
          />
          <TextField
            label="Credential name"
            placeholder="Work phone"
            maxLength={NAME_MAX}
            value={name}
            onValueChange={setName}
            error={fieldError(confirm.error, "name")}
          />
        </div>
      )}
    </Modal>
  );
}

function SecurityKeyModal({ onClose, onDone }: { onClose: () => void; onDone: (codes: string[] | null) => void }) {
  const register = useRegisterSecurityKey();
  const notify = useToast();
  const [name, setName] = useState("");
  const submit = () => {
    if (!name.trim()) return;
    register.mutate(name.trim(), {
      onSuccess: (r) => {
        notify("Security key added.");
        onDone(r.recoveryCodes);
      },
    });
  };
  return (
    <Modal
      open
      title="Set up security key"
      onClose={onClose}
      onSubmit={submit}
      footer={<ModalFooter onCancel={onClose} submitLabel="Register key" pending={register.isPending} disabled={!name.trim()} />}
    >
      <div className="form">
        <p>Name the key, then follow your browser's prompt to tap your security key or use a passkey (Touch ID, Windows Hello…).</p>
        {register.error !== null && (
          <Alert variant="danger" role="alert">
            {errorMessage(register.error)}
          </Alert>
        )}
        <TextField label="Credential name" placeholder="Office YubiKey" maxLength={NAME_MAX} value={name} onValueChange={setName} />
      </div>
    </Modal>
  );
}

function RecoveryCodesModal({ codes, onClose }: { codes: string[]; onClose: () => void }) {
  const text = codes.join("\n");
  const download = () => {
    const url = URL.createObjectURL(new Blob([`SendOps recovery codes (each works once)\n\n${text}\n`], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "sendops-recovery-codes.txt";
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Modal
      open
      title="Save your recovery codes"
      onClose={onClose}
      onSubmit={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={download}>
            Download
          </button>
          <button type="submit" className="btn btn-primary">
            I saved them
          </button>
        </>
      }
    >
      <div className="form">
        <Alert variant="warning">
          These codes are shown only now. Keep them somewhere safe, such as a password manager: each one signs you in once if you lose
          your authenticator app or security key.
        </Alert>
        <CodeBlock code={text} what="recovery codes" label="Recovery codes" />
      </div>
    </Modal>
  );
}

function RenameModal({ method, onClose }: { method: MfaMethod; onClose: () => void }) {
  const rename = useRenameMethod();
  const [name, setName] = useState(method.name);
  const submit = () => {
    if (name.trim()) rename.mutate({ id: method.id, name: name.trim() }, { onSuccess: onClose });
  };
  return (
    <Modal
      open
      title={`Rename ${method.name}`}
      onClose={onClose}
      onSubmit={submit}
      footer={<ModalFooter onCancel={onClose} submitLabel="Save" pending={rename.isPending} disabled={!name.trim()} />}
    >
      <FormError error={rename.error} fieldNames={["name"]} />
      <TextField label="Credential name" maxLength={NAME_MAX} value={name} onValueChange={setName} error={fieldError(rename.error, "name")} />
    </Modal>
  );
}

/** Password, or a current code from an authenticator app / a recovery code (for accounts without a password). */
function ReauthFields({ value, onChange, error }: { value: ReauthInput; onChange: (v: ReauthInput) => void; error: unknown }) {
  return (
    <>
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={value.password ?? ""}
        onValueChange={(password) => onChange({ password, code: undefined })}
        error={fieldError(error, "password")}
      />
      <TextField
        label="Or a current code"
        autoComplete="one-time-code"
        hint="From your authenticator app, or a recovery code."
        value={value.code ?? ""}
        onValueChange={(code) => onChange({ code, password: undefined })}
        error={fieldError(error, "code")}
      />
    </>
  );
}

function RemoveModal({ method, onClose }: { method: MfaMethod; onClose: () => void }) {
  const remove = useRemoveMethod();
  const status = useMfaStatus();
  const notify = useToast();
  const [auth, setAuth] = useState<ReauthInput>({});
  const last = status.data?.methods.length === 1;
  const submit = () => {
    if (!auth.password && !auth.code) return;
    remove.mutate(
      { id: method.id, ...auth },
      { onSuccess: (s) => (notify(s.enabled ? `${method.name} removed.` : "MFA turned off."), onClose()) },
    );
  };
  return (
    <Modal
      open
      title={`Remove ${method.name}`}
      onClose={onClose}
      onSubmit={submit}
      footer={<ModalFooter onCancel={onClose} submitLabel="Remove" pending={remove.isPending} disabled={!auth.password && !auth.code} danger />}
    >
      <div className="form">
        {last && (
          <Alert variant="warning">This is your last method: removing it turns MFA off and your recovery codes stop working.</Alert>
        )}
        <p>Confirm it is you.</p>
        <FormError error={remove.error} fieldNames={["password", "code"]} />
        <ReauthFields value={auth} onChange={setAuth} error={remove.error} />
      </div>
    </Modal>
  );
}

function RegenerateModal({ onClose, onDone }: { onClose: () => void; onDone: (codes: string[]) => void }) {
  const regenerate = useRegenerateRecoveryCodes();
  const [auth, setAuth] = useState<ReauthInput>({});
  const submit = () => {
    if (auth.password || auth.code) regenerate.mutate(auth, { onSuccess: (r) => onDone(r.recoveryCodes) });
  };
  return (
    <Modal
      open
      title="Regenerate recovery codes"
      onClose={onClose}
      onSubmit={submit}
      footer={<ModalFooter onCancel={onClose} submitLabel="Regenerate" pending={regenerate.isPending} disabled={!auth.password && !auth.code} />}
    >
      <div className="form">
        <p>You get ten new codes; every earlier code stops working at once.</p>
        <FormError error={regenerate.error} fieldNames={["password", "code"]} />
        <ReauthFields value={auth} onChange={setAuth} error={regenerate.error} />
      </div>
    </Modal>
  );
}
