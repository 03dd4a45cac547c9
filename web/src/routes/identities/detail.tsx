import { Link, useParams } from "@tanstack/react-router";
import { useIdentities } from "../../api/identities";
import { HostName } from "../../components/host-name";
import { HealthBadge, IdentityStatusBadge, MarkerBadge, UnmanagedBadge } from "../../components/identity-badges";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { useWorkspace } from "../../workspace";
import type { IdentityView } from "../../../../worker/services/identities/views";
import { AlertThresholds } from "../notifications/thresholds";
import { DnsRecords } from "./dns-records";
import "./identities.css";

/** An identity: its status, its DNS records (domains) and its sending domain's alert thresholds (docs/alerts.md). */
export function IdentityDetailPage() {
  const { workspace } = useWorkspace();
  const { identityId } = useParams({ from: "/authenticated/w/$slug/identities/$identityId" });
  const identities = useIdentities(workspace.id, false);
  return (
    <div className="stack">
      <p>
        <Link to="/w/$slug/identities" params={{ slug: workspace.slug }}>
          ← Identities
        </Link>
      </p>
      <QueryView query={identities} loadingLabel="Loading the identity…" errorTitle="Could not load the identity">
        {(view) => {
          const identity = [...view.domains, ...view.emails].find((i) => i.id === identityId);
          return identity ? (
            <IdentityDetail identity={identity} />
          ) : (
            <EmptyState title="No such identity">It was archived or deleted, or belongs to another workspace.</EmptyState>
          );
        }}
      </QueryView>
    </div>
  );
}

function IdentityDetail({ identity: i }: { identity: IdentityView }) {
  return (
    <>
      <PageHeader
        title={<HostName name={i.identity} className="mono" />}
        description={
          <span className="row wrap">
            <IdentityStatusBadge status={i.status} />
            <MarkerBadge marker={i.marker} />
            {i.disconnectedAt !== null && <UnmanagedBadge />}
            {i.health && <HealthBadge health={i.health} />}
            <span className="muted">
              {i.kind === "domain" ? "Domain identity" : `Email identity of ${i.domain}`}
              {i.channel ? ` · channel ${i.channel.name}` : ""}
            </span>
          </span>
        }
      />
      {i.kind === "domain" && (
        <Card title="DNS records">
          <DnsRecords identity={i} />
        </Card>
      )}
      <AlertThresholds identity={{ id: i.id, domain: i.domain }} />
    </>
  );
}
