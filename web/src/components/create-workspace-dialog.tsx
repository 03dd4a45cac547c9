import { useState } from "react";
import { useNavigate } from "@tanstack/react-router";
import { defaultWorkspaceName, WORKSPACE_NAME_MAX } from "../../../worker/services/workspace-names";
import { useMe } from "../api/account";
import { useCreateWorkspace } from "../api/workspaces";
import { fieldError, FormError, TextField } from "./form";
import { Modal, ModalFooter } from "./modal";

/**
 * Names a new workspace before creating it (a suggestion filled in), then opens its Setup Guide. The
 * one way the dashboard creates a workspace: the demo banner and the workspace switcher both open it.
 */
export function CreateWorkspaceDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const me = useMe();
  const navigate = useNavigate();
  const create = useCreateWorkspace();
  const [name, setName] = useState(() => defaultWorkspaceName(me.user.name));
  const problem = name.trim() ? undefined : "Enter a workspace name.";

  const close = () => {
    create.reset();
    setName(defaultWorkspaceName(me.user.name));
    onClose();
  };
  const submit = () => {
    if (problem) return;
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (ws) => {
          close();
          void navigate({ to: "/w/$slug/setup", params: { slug: ws.slug } });
        },
      },
    );
  };

  return (
    <Modal
      open={open}
      title="Create your workspace"
      onClose={close}
      onSubmit={submit}
      footer={<ModalFooter onCancel={close} submitLabel="Create workspace" pending={create.isPending} disabled={Boolean(problem)} />}
    >
      <p>You are its Owner: connect your AWS account and invite your team from there.</p>
      <FormError error={create.error} fieldNames={["name"]} />
      <TextField
        label="Workspace name"
        value={name}
        onValueChange={setName}
        maxLength={WORKSPACE_NAME_MAX}
        autoFocus
        hint="Shown in the dashboard and in invitations; you can rename it in Settings."
        error={fieldError(create.error, "name", name !== "" ? undefined : problem)}
      />
    </Modal>
  );
}
