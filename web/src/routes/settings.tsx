import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import type { SESSION_TIMEOUTS_SECONDS } from "../../../worker/auth/sessions";
import { WORKSPACE_NAME_MAX } from "../../../worker/services/workspace-names";
import type { LOGO_TYPES } from "../../../worker/services/workspaces";
import {
  useDeleteWorkspace,
  useLeaveDemo,
  useRemoveLogo,
  useUpdateSettings,
  useUploadLogo,
  useWorkspaceSettings,
  type WorkspaceSettings,
} from "../api/workspaces";
import { Alert } from "../components/alert";
import { fieldError, FormError, SelectField, SubmitButton, TextField } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { ImageIcon, UploadIcon } from "../components/icons";
import { Modal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { QueryView } from "../components/states";
import { useToast } from "../components/toast";
import { goAfterLeaving } from "../lib/after-leaving";
import { blockerFor } from "../lib/blocker";
import { useWorkspace, type WorkspaceScope } from "../workspace";
import { TwoFactorEnforcementCard } from "./settings-two-factor";
import { TransferOwnershipRow } from "./transfer-ownership";

const SLUG_PATTERN = /^[a-z0-9-]{3,48}$/;
const LOGO_MAX_BYTES = 2 * 1024 * 1024;
const LOGO_ACCEPT: readonly (typeof LOGO_TYPES)[number][] = ["image/png", "image/jpeg", "image/webp", "image/gif"];

type Timeout = (typeof SESSION_TIMEOUTS_SECONDS)[number];
const TIMEOUTS: Record<Timeout, string> = {
  3600: "1 hour",
  14400: "4 hours",
  28800: "8 hours (default)",
  86400: "24 hours",
  604800: "7 days",
  2592000: "30 days",
};
const TIMEOUT_OPTIONS = Object.entries(TIMEOUTS).map(([value, label]) => ({ value, label }));

function slugProblem(slug: string): string | undefined {
  if (slug.length < 3 || slug.length > 48) return "Use 3–48 characters.";
  if (!SLUG_PATTERN.test(slug)) return "Use only lowercase letters, numbers and hyphens.";
  return undefined;
}

export function WorkspaceSettingsPage() {
  const scope = useWorkspace();
  const settings = useWorkspaceSettings(scope.workspace.id);
  return (
    <div className="stack">
      <PageHeader title="Workspace settings" description="These settings apply to every member of this workspace." />
      {scope.workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Explore how settings work here; switch to your workspace to change them.
        </Alert>
      )}
      <QueryView query={settings} loadingLabel="Loading settings…" errorTitle="Could not load the settings">
        {(s) => (
          <>
            <GeneralCard settings={s} scope={scope} />
            <LogoCard settings={s} scope={scope} />
            <SecurityCard settings={s} scope={scope} />
            <TwoFactorEnforcementCard scope={scope} />
            <DangerZone settings={s} scope={scope} />
          </>
        )}
      </QueryView>
    </div>
  );
}

interface CardProps {
  settings: WorkspaceSettings;
  scope: WorkspaceScope;
}

const settingsBlocker = (scope: WorkspaceScope) => blockerFor(scope, "org_settings.manage", "change workspace settings");

function GeneralCard({ settings, scope }: CardProps) {
  const update = useUpdateSettings(settings.id);
  const navigate = useNavigate();
  const notify = useToast();
  const [name, setName] = useState(settings.name);
  const [slug, setSlug] = useState(settings.slug);
  const blocker = settingsBlocker(scope);
  const canEdit = blocker === null;

  const nameProblem = !name.trim() ? "Enter a workspace name." : name.length > WORKSPACE_NAME_MAX ? `At most ${WORKSPACE_NAME_MAX} characters.` : undefined;
  const slugIssue = slug !== settings.slug ? slugProblem(slug) : undefined;
  const dirty = name.trim() !== settings.name || slug !== settings.slug;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (nameProblem || slugIssue || !dirty) return;
    const input = {
      ...(name.trim() !== settings.name ? { name: name.trim() } : {}),
      ...(slug !== settings.slug ? { slug } : {}),
    };
    update.mutate(input, {
      onSuccess: (saved) => {
        notify("Workspace settings saved.");
        if (saved.slug !== settings.slug) void navigate({ to: "/w/$slug/settings", params: { slug: saved.slug }, replace: true });
      },
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="General"
        description="How this workspace is named and addressed."
        footer={
          <GuardedButton blocker={blocker} type="submit" className="btn btn-primary" disabled={update.isPending || !dirty || Boolean(nameProblem || slugIssue)}>
            {update.isPending && <span className="spinner" aria-hidden="true" />}
            Save changes
          </GuardedButton>
        }
      >
        <div className="form">
          <FormError error={update.error} fieldNames={["name", "slug"]} />
          <TextField
            label="Workspace name"
            value={name}
            onValueChange={setName}
            maxLength={WORKSPACE_NAME_MAX}
            disabled={!canEdit}
            hint={`Shown in the dashboard and in invitations. ${name.length}/${WORKSPACE_NAME_MAX} characters.`}
            error={fieldError(update.error, "name", name !== settings.name ? nameProblem : undefined)}
          />
          <TextField
            label="Workspace URL"
            prefix={`${window.location.host}/w/`}
            value={slug}
            onValueChange={(v) => setSlug(v.toLowerCase())}
            maxLength={48}
            disabled={!canEdit}
            spellCheck={false}
            autoCapitalize="off"
            hint="3–48 characters: lowercase letters, numbers and hyphens. The old URL keeps redirecting here for 30 days."
            error={fieldError(update.error, "slug", slugIssue)}
          />
        </div>
      </Card>
    </form>
  );
}

function LogoCard({ settings, scope }: CardProps) {
  const upload = useUploadLogo(settings.id);
  const remove = useRemoveLogo(settings.id);
  const notify = useToast();
  const inputRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const blocker = settingsBlocker(scope);

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const picked = e.target.files?.[0] ?? null;
    e.target.value = "";
    upload.reset();
    setProblem(null);
    if (!picked) return;
    if (!(LOGO_ACCEPT as readonly string[]).includes(picked.type)) {
      setProblem("Choose a PNG, JPEG, WebP or GIF image.");
      return;
    }
    if (picked.size > LOGO_MAX_BYTES) {
      setProblem("The logo must be 2 MB or smaller.");
      return;
    }
    setFile(picked);
  };

  const save = () =>
    file &&
    upload.mutate(file, {
      onSuccess: () => {
        setFile(null);
        notify("Logo updated.");
      },
    });

  const shown = preview ?? settings.logoUrl;
  const error = problem ?? (upload.error ? upload.error.message : remove.error ? remove.error.message : null);
  return (
    <Card title="Logo" description="Appears in the sidebar and in emails SendOps sends for this workspace.">
      <div className="stack-sm">
        <div className="logo-row">
          <div className="logo-preview">
            {shown ? <img src={shown} alt={preview ? "Preview of the new logo" : "Current workspace logo"} /> : <ImageIcon size={22} />}
          </div>
          <div className="stack-sm grow">
            <div className="row wrap">
              {file ? (
                <>
                  <button type="button" className="btn btn-primary btn-sm" onClick={save} disabled={upload.isPending}>
                    {upload.isPending && <span className="spinner" aria-hidden="true" />}
                    Save logo
                  </button>
                  <button type="button" className="btn btn-sm" onClick={() => setFile(null)} disabled={upload.isPending}>
                    Cancel
                  </button>
                  <span className="muted">
                    {file.name} · {Math.ceil(file.size / 1024)} KB
                  </span>
                </>
              ) : (
                <>
                  <GuardedButton blocker={blocker} className="btn btn-sm" onClick={() => inputRef.current?.click()}>
                    <UploadIcon />
                    {settings.logoUrl ? "Replace logo" : "Upload logo"}
                  </GuardedButton>
                  {settings.logoUrl && (
                    <GuardedButton
                      blocker={blocker}
                      className="btn btn-sm btn-danger-outline"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(undefined, { onSuccess: () => notify("Logo removed.") })}
                    >
                      Remove
                    </GuardedButton>
                  )}
                </>
              )}
              <input
                ref={inputRef}
                type="file"
                className="sr-only"
                accept={LOGO_ACCEPT.join(",")}
                aria-label="Logo file"
                tabIndex={-1}
                onChange={onPick}
                disabled={blocker !== null}
              />
            </div>
            <span className="field-hint">PNG, JPEG, WebP or GIF, up to 2 MB.</span>
            {error && (
              <span className="field-error" role="alert">
                {error}
              </span>
            )}
          </div>
        </div>
      </div>
    </Card>
  );
}

function SecurityCard({ settings, scope }: CardProps) {
  const update = useUpdateSettings(settings.id);
  const notify = useToast();
  const [timeout, setTimeoutValue] = useState(String(settings.sessionTimeoutSeconds));
  const blocker = settingsBlocker(scope);
  const dirty = Number(timeout) !== settings.sessionTimeoutSeconds;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate(
      { sessionTimeoutSeconds: Number(timeout) as Timeout },
      { onSuccess: () => notify("Session timeout saved.") },
    );
  };

  return (
    <form onSubmit={onSubmit}>
      <Card
        title="Security"
        description="How long an inactive session stays signed in to this workspace."
        footer={
          <GuardedButton blocker={blocker} type="submit" className="btn btn-primary" disabled={update.isPending || !dirty}>
            {update.isPending && <span className="spinner" aria-hidden="true" />}
            Save changes
          </GuardedButton>
        }
      >
        <div className="form" style={{ maxWidth: 320 }}>
          <FormError error={update.error} fieldNames={["sessionTimeoutSeconds"]} />
          <SelectField
            label="Session timeout"
            value={timeout}
            onValueChange={setTimeoutValue}
            options={TIMEOUT_OPTIONS}
            disabled={blocker !== null}
            hint="Members are asked to sign in again after this much inactivity."
            error={fieldError(update.error, "sessionTimeoutSeconds")}
          />
        </div>
      </Card>
    </form>
  );
}

function DangerZone({ settings, scope }: CardProps) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const notify = useToast();
  const del = useDeleteWorkspace(settings.id);
  const leave = useLeaveDemo(settings.id);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const isDemo = scope.workspace.isDemo;
  const canDelete = !isDemo && scope.can("workspace.delete");
  if (!isDemo && !canDelete) return null;

  const onDelete = () => {
    if (typed !== settings.name) return;
    del.mutate(
      { confirmName: typed },
      {
        onSuccess: async () => {
          setConfirming(false);
          await goAfterLeaving(qc, navigate, settings.id);
          notify(`${settings.name} was deleted.`);
        },
      },
    );
  };

  const onLeave = () =>
    leave.mutate(undefined, {
      onSuccess: async () => {
        await goAfterLeaving(qc, navigate, settings.id);
        notify("You left the demo workspace.");
      },
      onError: (err) => notify(err.message, "error"),
    });

  return (
    <section className="card card-danger" aria-labelledby="danger-zone">
      <div className="card-header">
        <h2 id="danger-zone">Danger zone</h2>
      </div>
      {isDemo ? (
        <div className="danger-row">
          <div>
            <h3>Leave Demo Workspace</h3>
            <p>Removes the demo from your workspace list. Other people keep it.</p>
          </div>
          <button type="button" className="btn btn-danger-outline" onClick={onLeave} disabled={leave.isPending}>
            {leave.isPending && <span className="spinner" aria-hidden="true" />}
            Leave Demo Workspace
          </button>
        </div>
      ) : (
        <>
        {scope.can("workspace.transfer") && <TransferOwnershipRow orgId={settings.id} />}
        <div className="danger-row">
          <div>
            <h3>Delete workspace</h3>
            <p>Permanently removes this workspace and all of its data, and signs its members out of it. This cannot be undone.</p>
          </div>
          <button
            type="button"
            className="btn btn-danger-outline"
            onClick={() => {
              setTyped("");
              del.reset();
              setConfirming(true);
            }}
          >
            Delete workspace
          </button>
        </div>
        </>
      )}
      <Modal
        open={confirming}
        title="Delete workspace"
        onClose={() => setConfirming(false)}
        onSubmit={onDelete}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <SubmitButton pending={del.isPending} variant="danger" disabled={typed !== settings.name}>
              Delete this workspace
            </SubmitButton>
          </>
        }
      >
        <p>
          This permanently deletes <strong>{settings.name}</strong> with all its members, settings and audit log. Members are
          signed out of it.
        </p>
        <FormError error={del.error} fieldNames={["confirmName"]} />
        <TextField
          label={`Type "${settings.name}" to confirm`}
          value={typed}
          onValueChange={setTyped}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          error={fieldError(del.error, "confirmName")}
        />
      </Modal>
    </section>
  );
}
