import type { ReactNode } from "react";
import { Link } from "@tanstack/react-router";
import { Alert } from "../alert";
import { PageHeader } from "../page";
import type { WorkspaceScope } from "../../workspace";
import "./ingest.css";

const PAGES = [
  { to: "/w/$slug/ingest", label: "Webhook & keys" },
  { to: "/w/$slug/ingest/rejected", label: "Rejected payloads" },
  { to: "/w/$slug/ingest/dead-letters", label: "Dead letters" },
] as const;

/** The title, description and actions of one Ingest page, and the tabs between the three pages. */
export function IngestHeader({
  scope,
  title,
  description,
  actions,
}: {
  scope: WorkspaceScope;
  title: string;
  description: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <nav className="tab-list ingest-tabs" aria-label="Ingest">
        {PAGES.map((p) => (
          <Link key={p.to} to={p.to} params={{ slug: scope.workspace.slug }} className="tab" activeOptions={{ exact: true }}>
            {p.label}
          </Link>
        ))}
      </nav>
      {scope.workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Its sample data arrived through this webhook. Look around; switch to your workspace to rotate keys or replay messages.
        </Alert>
      )}
    </>
  );
}
