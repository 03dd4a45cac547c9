import { useNavigate } from "@tanstack/react-router";
import { useSignOut } from "../api/account";

/** Signs out and returns to the sign-in page (even if the server call fails, the local state is cleared). */
export function useSignOutAndLeave() {
  const signOut = useSignOut();
  const navigate = useNavigate();
  return {
    pending: signOut.isPending,
    run: () =>
      signOut.mutate(undefined, {
        onSettled: () => void navigate({ to: "/sign-in", search: { notice: "signed-out" } }),
      }),
  };
}
