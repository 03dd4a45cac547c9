import { useState } from "react";
import { Link, useNavigate } from "@tanstack/react-router";
import { useChannels } from "../../api/channels";
import { Alert } from "../../components/alert";
import { GuardedButton } from "../../components/guarded-button";
import { PlusIcon, SendIcon } from "../../components/icons";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { Table } from "../../components/table";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { PurposeBadge, StateBadges, StatusBadge, SyncBadge } from "./badges";
import { NewChannelWizard } from "./new-channel-wizard";
import "./channels.css";

/** Channels: one per SES configuration set (product docs channels__*.md). */
export function ChannelsPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const notify = useToast();
  const navigate = useNavigate();
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const channels = useChannels(workspace.id, showArchived);
  const blocker = blockerFor(scope, "channels.manage", "create channels");

  return (
    <div className="stack">
      <PageHeader
        title="Channels"
        description="Each channel is an SES configuration set: how SES processes, tracks and reports the mail sent through it."
        actions={
          <GuardedButton blocker={blocker} className="btn btn-primary" onClick={() => setCreating(true)}>
            <PlusIcon size={14} />
            New Channel
          </GuardedButton>
        }
      />
      {workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Switch to your workspace to create or change channels.
        </Alert>
      )}
      <Card
        title="Channels"
        flush
        actions={
          <label className="switch">
            <input type="checkbox" role="switch" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
            <span>Show archived</span>
          </label>
        }
      >
        <QueryView
          query={channels}
          loadingLabel="Loading channels…"
          errorTitle="Could not load the channels"
          isEmpty={(list) => list.length === 0}
          empty={
            <EmptyState icon={SendIcon} title="No channels yet">
              The four default channels are created once your first domain is verified. You can also create one now.
            </EmptyState>
          }
        >
          {(list) => (
            <Table
              label="Channels"
              head={
                <>
                  <th scope="col">Name</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Status</th>
                  <th scope="col">Sync</th>
                  <th scope="col">Config set</th>
                </>
              }
            >
              {list.map((c) => (
                <tr key={c.id}>
                  <td className="cell-primary">
                    <div className="row channel-name">
                      <Link to="/w/$slug/channels/$channelId" params={{ slug: workspace.slug, channelId: c.id }}>
                        {c.name}
                      </Link>
                      <StateBadges channel={c} />
                    </div>
                  </td>
                  <td>
                    <PurposeBadge purpose={c.purpose} />
                  </td>
                  <td>
                    <StatusBadge channel={c} />
                  </td>
                  <td>
                    <SyncBadge channel={c} />
                  </td>
                  <td className="mono">{c.configurationSetName}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>
      <NewChannelWizard
        orgId={workspace.id}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          notify(`Channel ${c.name} created as ${c.configurationSetName}.`);
          void navigate({ to: "/w/$slug/channels/$channelId", params: { slug: workspace.slug, channelId: c.id } });
        }}
      />
    </div>
  );
}
