import type { QueryClient } from "@tanstack/react-query";
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, notFound, Outlet, redirect } from "@tanstack/react-router";
import { meQuery, type Me } from "./api/account";
import { ApiError } from "./api/client";
import { fetchSlug } from "./api/workspaces";
import { AppShell } from "./components/app-shell";
import { ErrorState } from "./components/query-error";
import { FullPageLoading } from "./components/states";
import { lastWorkspace } from "./lib/last-workspace";
import { visibleNav } from "./nav";
import { AuthenticatedLayout } from "./routes/authenticated";
import { NoWorkspacePage } from "./routes/no-workspace";
import { NotFoundPage } from "./routes/not-found";
import { SignInPage, signInSearch } from "./routes/sign-in";
import { SignUpPage, signUpSearch } from "./routes/sign-up";
import { VerifyEmailPage, verifyEmailSearch } from "./routes/verify-email";
import { InvitationPage } from "./routes/invitation";
import { OwnershipTransferPage } from "./routes/ownership";
import { SetupGuidePage } from "./routes/setup";
import { validateSetupSearch } from "./routes/setup/search";
import { TeamPage } from "./routes/team";
import { AuditLogPage } from "./routes/audit-log";
import { WorkspaceSettingsPage } from "./routes/settings";
import { ProfilePage } from "./routes/profile";
import { validateReportsSearch } from "./routes/reports/search";
import { ApiKeysPage } from "./routes/api-keys";
import { ApiReferencePage } from "./routes/api-reference";
import { IngestSettingsPage } from "./routes/ingest/settings";
import { RejectedPayloadsPage } from "./routes/ingest/rejected";
import { DeadLettersPage } from "./routes/ingest/dead-letters";
import { UndeliverablePage } from "./routes/undeliverable";
import { IdentitiesPage } from "./routes/identities";
import { IdentityDetailPage } from "./routes/identities/detail";
import { UndeliverableRulesPage } from "./routes/undeliverable-rules";
import { AwsConnectionPage } from "./routes/aws-connection";
import { TrackingDomainsPage } from "./routes/tracking-domains";
import { TrackingDomainPage } from "./routes/tracking-domains/detail";
import { ChannelsPage } from "./routes/channels";
import { ChannelDetailPage } from "./routes/channels/detail";
import { WebhooksPage } from "./routes/webhooks";
import { WebhookDetailPage } from "./routes/webhooks/detail";
import { NotificationsPage, validateNotificationsSearch } from "./routes/notifications";
import { IntegrationsPage } from "./routes/integrations";

export interface RouterContext {
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
  errorComponent: ({ error, reset }) => (
    <div className="fullscreen-center">
      <ErrorState error={error} title="Something went wrong" onRetry={reset} />
    </div>
  ),
  pendingComponent: FullPageLoading,
});

// ---- Public pages ----
const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "sign-in",
  validateSearch: signInSearch,
  component: SignInPage,
});
const signUpRoute = createRoute({ getParentRoute: () => rootRoute, path: "sign-up", validateSearch: signUpSearch, component: SignUpPage });
const verifyEmailRoute = createRoute({ getParentRoute: () => rootRoute, path: "verify-email", validateSearch: verifyEmailSearch, component: VerifyEmailPage });
// The invitation link works signed in or out (the page sends a visitor to sign in or sign up first).
const invitationRoute = createRoute({ getParentRoute: () => rootRoute, path: "invite/$token", component: InvitationPage });

// ---- Everything below needs a signed-in user; otherwise /sign-in, remembering where they were going ----
const loadMe = async (queryClient: QueryClient, href: string): Promise<Me> => {
  try {
    return await queryClient.ensureQueryData(meQuery);
  } catch (err) {
    if (err instanceof ApiError && err.isUnauthenticated) throw redirect({ to: "/sign-in", search: { redirect: href } });
    throw err;
  }
};

const authenticatedRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "authenticated",
  beforeLoad: ({ context, location }) => loadMe(context.queryClient, location.href),
  component: AuthenticatedLayout,
});

/** `/`: the workspace opened last in this browser, else the demo, else the first one. */
const ownershipRoute = createRoute({ getParentRoute: () => authenticatedRoute, path: "ownership/$token", component: OwnershipTransferPage });

const homeRoute = createRoute({
  getParentRoute: () => authenticatedRoute,
  path: "/",
  beforeLoad: async ({ context, location }) => {
    const me = await loadMe(context.queryClient, location.href);
    const last = lastWorkspace(me.user.id);
    const target =
      me.workspaces.find((w) => w.slug === last) ?? me.workspaces.find((w) => w.isDemo) ?? me.workspaces[0];
    if (target) throw redirect({ to: "/w/$slug", params: { slug: target.slug } });
  },
  component: NoWorkspacePage,
});

/**
 * /w/<slug>/…: the slug must be one of the user's workspaces. An old slug (within its 30-day redirect
 * window) is resolved by the API and the same page is opened under the new slug.
 */
const workspaceRoute = createRoute({
  getParentRoute: () => authenticatedRoute,
  path: "w/$slug",
  beforeLoad: async ({ context, params, location }) => {
    const { queryClient } = context;
    let me = await loadMe(queryClient, location.href);
    if (me.workspaces.some((w) => w.slug === params.slug)) return;
    let resolved;
    try {
      resolved = await fetchSlug(params.slug);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw notFound();
      throw err;
    }
    if (resolved.slug !== params.slug) {
      const rest = location.pathname.slice(`/w/${params.slug}`.length);
      throw redirect({ href: `/w/${resolved.slug}${rest}${location.searchStr}`, replace: true });
    }
    // A workspace this browser has not heard of yet (e.g. just created elsewhere): refresh the list.
    me = await queryClient.fetchQuery({ ...meQuery, staleTime: 0 });
    if (!me.workspaces.some((w) => w.slug === params.slug)) throw notFound();
  },
  component: AppShell,
});

/** A workspace's landing page is the first page its member's role may see. */
const workspaceIndexRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "/",
  beforeLoad: async ({ context, params, location }) => {
    const me = await loadMe(context.queryClient, location.href);
    const ws = me.workspaces.find((w) => w.slug === params.slug);
    const first = ws && visibleNav(ws.permissions)[0];
    if (first) throw redirect({ to: first.to, params: { slug: params.slug }, replace: true });
    throw notFound();
  },
});

// ---- Workspace pages: one route each; the sidebar entry lives in nav.ts ----
const reportsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "reports",
  validateSearch: validateReportsSearch,
  // Loaded on first visit: the charts library is most of its weight and no other page needs it.
  component: lazyRouteComponent(() => import("./routes/reports"), "ReportsPage"),
});
const setupRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "setup",
  validateSearch: validateSetupSearch,
  component: SetupGuidePage,
});
const teamRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "team", component: TeamPage });
const auditLogRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "audit-log", component: AuditLogPage });
const settingsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "settings",
  component: WorkspaceSettingsPage,
});
const profileRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "profile", component: ProfilePage });
const apiKeysRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "api-keys", component: ApiKeysPage });
const apiReferenceRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "api-reference", component: ApiReferencePage });
const awsConnectionRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "aws-connection", component: AwsConnectionPage });
const ingestRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "ingest", component: IngestSettingsPage });
const rejectedPayloadsRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "ingest/rejected", component: RejectedPayloadsPage });
const deadLettersRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "ingest/dead-letters", component: DeadLettersPage });
const identitiesRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "identities", component: IdentitiesPage });
const identityDetailRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "identities/$identityId", component: IdentityDetailPage });
const undeliverableRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "undeliverable", component: UndeliverablePage });
const undeliverableRulesRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "undeliverable/rules",
  component: UndeliverableRulesPage,
});

const trackingDomainsRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "tracking-domains", component: TrackingDomainsPage });
const trackingDomainRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "tracking-domains/$id", component: TrackingDomainPage });
const channelsRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "channels", component: ChannelsPage });
const channelDetailRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "channels/$channelId", component: ChannelDetailPage });
const webhooksRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "webhooks", component: WebhooksPage });
const webhookDetailRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "webhooks/$endpointId", component: WebhookDetailPage });
const notificationsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: "notifications",
  validateSearch: validateNotificationsSearch,
  component: NotificationsPage,
});
const integrationsRoute = createRoute({ getParentRoute: () => workspaceRoute, path: "integrations", component: IntegrationsPage });

const routeTree = rootRoute.addChildren([
  signInRoute,
  signUpRoute,
  verifyEmailRoute,
  invitationRoute,
  authenticatedRoute.addChildren([
    homeRoute,
    ownershipRoute,
    workspaceRoute.addChildren([workspaceIndexRoute, reportsRoute, setupRoute, teamRoute, auditLogRoute, settingsRoute, apiKeysRoute, apiReferenceRoute, awsConnectionRoute, ingestRoute, rejectedPayloadsRoute, deadLettersRoute, profileRoute, undeliverableRoute, undeliverableRulesRoute, channelsRoute, channelDetailRoute, identitiesRoute, trackingDomainsRoute, trackingDomainRoute, webhooksRoute, webhookDetailRoute, notificationsRoute, integrationsRoute, identityDetailRoute]),
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    // Queries own freshness; the router only gates access.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
