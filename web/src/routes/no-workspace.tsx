import { useNavigate } from "@tanstack/react-router";
import { useCreateWorkspace } from "../api/workspaces";
import { FormError } from "../components/form";
import { PlusIcon } from "../components/icons";
import { EmptyState } from "../components/states";
import { useSignOutAndLeave } from "../components/sign-out";

/** A signed-in user who belongs to no workspace (e.g. left the demo and deleted their own). */
export function NoWorkspacePage() {
  const navigate = useNavigate();
  const create = useCreateWorkspace();
  const signOut = useSignOutAndLeave();
  return (
    <div className="fullscreen-center">
      <div className="card" style={{ maxWidth: 440 }}>
        <EmptyState
          title="You are not in any workspace"
          action={
            <div className="row">
              <button
                type="button"
                className="btn btn-primary"
                disabled={create.isPending}
                onClick={() =>
                  create.mutate({}, { onSuccess: (ws) => void navigate({ to: "/w/$slug/setup", params: { slug: ws.slug } }) })
                }
              >
                <PlusIcon />
                Create a workspace
              </button>
              <button type="button" className="btn" onClick={signOut.run} disabled={signOut.pending}>
                Sign out
              </button>
            </div>
          }
        >
          Create your own workspace to connect AWS, or ask a teammate to invite you to theirs.
        </EmptyState>
        {create.error && (
          <div className="card-body">
            <FormError error={create.error} />
          </div>
        )}
      </div>
    </div>
  );
}
