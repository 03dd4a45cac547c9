/** Profile → Connected accounts: connect (a browser navigation through the provider) or disconnect GitHub / Google. */
import { useQuery } from "@tanstack/react-query";
import { useRouterState } from "@tanstack/react-router";
import { connectionsQuery, connectUrl, useDisconnect } from "../api/oauth";
import { errorMessage } from "../api/client";
import { Alert } from "./alert";
import { Card } from "./page";
import { isOAuthError, isProvider, OAuthErrorAlert, PROVIDER_ICONS } from "./social-sign-in";
import { EmptyState, QueryView } from "./states";
import { formatStamp } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";

export function ConnectedAccountsCard() {
  const connections = useQuery(connectionsQuery);
  const disconnect = useDisconnect();
  const timeZone = useTimeZone();
  // Where a connect flow came back to: /profile?connected=github or ?error=CODE&provider=github.
  const search = useRouterState({ select: (s) => s.location.search as Record<string, unknown> });
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const provider = isProvider(search.provider) ? search.provider : undefined;
  const connected = isProvider(search.connected) ? search.connected : undefined;

  return (
    <Card title="Connected accounts" description="Sign in with GitHub or Google instead of (or as well as) your email and password. You must always keep at least one way to sign in.">
      <div className="form">
        {isOAuthError(search.error) && <OAuthErrorAlert code={search.error} provider={provider} />}
        {connected && connections.data?.providers.some((p) => p.provider === connected && p.connected) && (
          <Alert variant="success" role="status">
            {connected === "github" ? "GitHub" : "Google"} is connected. You can now sign in with it.
          </Alert>
        )}
        {disconnect.error && (
          <Alert variant="danger" role="alert">
            {errorMessage(disconnect.error)}
          </Alert>
        )}
        <QueryView
          query={connections}
          loadingLabel="Loading connected accounts…"
          errorTitle="Could not load your connected accounts"
          isEmpty={(d) => d.providers.length === 0}
          empty={<EmptyState title="No sign-in providers">This SendOps deployment does not offer GitHub or Google sign-in.</EmptyState>}
        >
          {(data) => (
            <ul className="connection-list">
              {data.providers.map((p) => {
                const Icon = PROVIDER_ICONS[p.provider];
                return (
                  <li key={p.provider}>
                    <Icon size={20} />
                    <div className="connection-name">
                      <div>{p.name}</div>
                      <div className="muted">
                        {p.connected ? `Connected as ${p.connected.label ?? p.name} · ${formatStamp(p.connected.connectedAt, timeZone)}` : "Not connected"}
                      </div>
                    </div>
                    {p.connected ? (
                      <button
                        type="button"
                        className="btn btn-danger-outline"
                        aria-label={`Disconnect ${p.name}`}
                        disabled={disconnect.isPending}
                        onClick={() => disconnect.mutate(p.provider)}
                      >
                        Disconnect
                      </button>
                    ) : (
                      <a className="btn" href={connectUrl(p.provider, pathname)} aria-label={`Connect ${p.name}`}>
                        Connect
                      </a>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </QueryView>
      </div>
    </Card>
  );
}
