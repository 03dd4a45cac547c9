import { Link } from "@tanstack/react-router";
import { SearchIcon } from "../components/icons";
import { EmptyState } from "../components/states";

export function NotFoundPage() {
  return (
    <div className="fullscreen-center">
      <EmptyState
        icon={SearchIcon}
        title="Page not found"
        action={
          <Link to="/" className="btn btn-primary">
            Go to my workspace
          </Link>
        }
      >
        This page does not exist, or you are not a member of the workspace it belongs to.
      </EmptyState>
    </div>
  );
}
