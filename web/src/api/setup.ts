import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { AwsRegion } from "../../../worker/aws/regions";
import type {
  AwsAccountSyncView,
  AwsIntegrationView,
  AwsStatusView,
  SetupIdentitiesView,
  SetupPhase,
  SetupProgressView,
  TestSendOptionsView,
  TestSendView,
  ValidationRunView,
} from "../../../worker/services/setup/views";
import { api } from "./client";

export type * from "../../../worker/services/setup/views";
export { SETUP_PHASES, VALIDATION_CHECK_IDS } from "../../../worker/services/setup/views";

const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;
const POLL_MS = 2000;

/** Everything the Setup Guide and the status badge read changes together when AWS does. */
export const setupKey = (orgId: string) => ["orgs", orgId, "setup"] as const;
export const awsStatusKey = (orgId: string) => ["orgs", orgId, "aws-status"] as const;

export const refreshSetup = (qc: QueryClient, orgId: string) =>
  Promise.all([qc.invalidateQueries({ queryKey: setupKey(orgId) }), qc.invalidateQueries({ queryKey: awsStatusKey(orgId) })]);

// ---- Progress ----

export const setupProgressQuery = (orgId: string) =>
  queryOptions({
    queryKey: [...setupKey(orgId), "progress"],
    queryFn: ({ signal }) => api<SetupProgressView>(`${org(orgId)}/setup`, { signal }),
  });

export const useSetupProgress = (orgId: string, enabled = true) => useQuery({ ...setupProgressQuery(orgId), enabled });

export function useUpdateSetupProgress(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { currentPhase?: SetupPhase; complete?: SetupPhase }) =>
      api<SetupProgressView>(`${org(orgId)}/setup/progress`, { method: "PUT", json: input }),
    onSuccess: (view) => qc.setQueryData(setupProgressQuery(orgId).queryKey, view),
  });
}

// ---- The sidebar's AWS status badge ----

export const useAwsStatus = (orgId: string) =>
  useQuery({
    queryKey: awsStatusKey(orgId),
    queryFn: ({ signal }) => api<AwsStatusView>(`${org(orgId)}/aws-connection/status`, { signal }),
    // Fast while something is in flight, so the badge settles as soon as the job does.
    refetchInterval: (q) => (q.state.data?.state === "validating" || q.state.data?.state === "connecting" ? POLL_MS : 60_000),
  });

// ---- Phase 1: AWS Integration ----

export const useAwsIntegration = (orgId: string, region: AwsRegion) =>
  useQuery({
    queryKey: [...setupKey(orgId), "aws-integration", region],
    queryFn: ({ signal }) => api<AwsIntegrationView>(`${org(orgId)}/setup/aws-integration`, { signal, query: { region } }),
    // Another region's view stays up while the new one loads, instead of the whole phase flashing.
    placeholderData: keepPreviousData,
  });

/** The workspace's CloudFormation template, served as an attachment (a plain link downloads it). */
export const templateHref = (orgId: string, region: AwsRegion, format: "yaml" | "json") =>
  `${org(orgId)}/setup/cloudformation-template?${new URLSearchParams({ region, format })}`;

export interface DelegateResult {
  sentTo: string;
  messageId: string;
  /** Set on a local deployment, where mail lands in an outbox page instead of the internet. */
  localOutboxUrl: string | null;
}

export function useDelegateSetup(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; note?: string; region: AwsRegion }) => api<DelegateResult>(`${org(orgId)}/setup/delegate`, { method: "POST", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
  });
}

// ---- Phase 2: Connection Validation ----

const validationKey = (orgId: string) => [...setupKey(orgId), "validation"];
const running = (run: ValidationRunView | null | undefined) => run?.status === "queued" || run?.status === "running";

/** The latest validation run, polled while it is queued or running; progress and badge refresh when it ends. */
export function useValidationRun(orgId: string) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: validationKey(orgId),
    queryFn: async ({ signal }) => {
      const before = qc.getQueryData<{ run: ValidationRunView | null }>(validationKey(orgId));
      const view = await api<{ run: ValidationRunView | null }>(`${org(orgId)}/aws-connection/validation`, { signal });
      if (running(before?.run) && !running(view.run)) void refreshOthers(qc, orgId, validationKey(orgId));
      return view;
    },
    refetchInterval: (q) => (running(q.state.data?.run) ? POLL_MS : false),
  });
}

/**
 * When a job ends: everything the guide and the badge show may have changed, except the query that
 * noticed (invalidating it from inside its own fetch would cancel that fetch and start over forever).
 */
const refreshOthers = (qc: QueryClient, orgId: string, self: readonly unknown[] | null) =>
  Promise.all([
    qc.invalidateQueries({ queryKey: setupKey(orgId), predicate: (q) => !self?.every((part, i) => q.queryKey[i] === part) }),
    qc.invalidateQueries({ queryKey: awsStatusKey(orgId) }),
    qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    // The account sync writes identities and channels.
    qc.invalidateQueries({ queryKey: ["orgs", orgId, "identities"] }),
    qc.invalidateQueries({ queryKey: ["orgs", orgId, "channels"] }),
  ]);

export function useStartValidation(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<ValidationRunView>(`${org(orgId)}/aws-connection/validation`, { method: "POST" }),
    onSuccess: (run) => {
      qc.setQueryData(validationKey(orgId), { run });
      // A run that already finished changed progress and the badge; a queued one shows "Validating...".
      return running(run) ? qc.invalidateQueries({ queryKey: awsStatusKey(orgId) }) : refreshOthers(qc, orgId, validationKey(orgId));
    },
  });
}

// ---- Phase 3: Identities (and the account sync that fills them) ----

export const setupIdentitiesKey = (orgId: string) => [...setupKey(orgId), "identities"];

export function useSetupIdentities(orgId: string) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: setupIdentitiesKey(orgId),
    queryFn: async ({ signal }) => {
      const before = qc.getQueryData<SetupIdentitiesView>(setupIdentitiesKey(orgId));
      const view = await api<SetupIdentitiesView>(`${org(orgId)}/setup/identities`, { signal });
      if (before?.sync.running && !view.sync.running) void refreshOthers(qc, orgId, setupIdentitiesKey(orgId));
      return view;
    },
    refetchInterval: (q) => (q.state.data?.sync.running ? POLL_MS : false),
  });
}

export function useSyncFromAws(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<AwsAccountSyncView>(`${org(orgId)}/aws-connection/sync`, { method: "POST" }),
    onSuccess: (sync) => {
      qc.setQueryData<SetupIdentitiesView>(setupIdentitiesKey(orgId), (view) => view && { ...view, sync });
      // A sync that finished within the request has new identities to show.
      if (!sync.running) return refreshOthers(qc, orgId, null);
    },
  });
}

// ---- Phase 4: First Test Send ----

const testSendKey = (orgId: string) => [...setupKey(orgId), "test-send"];
const waiting = (t: TestSendView | undefined) => t?.status === "sending" || t?.status === "sent" || t?.status === "delayed";

export const useTestSendOptions = (orgId: string) =>
  useQuery({
    queryKey: [...testSendKey(orgId), "options"],
    queryFn: ({ signal }) => api<TestSendOptionsView>(`${org(orgId)}/setup/test-send`, { signal }),
  });

/** One test, polled until SES's answer has come back through ingest (a delay may still turn into a delivery). */
export function useTestSend(orgId: string, id: string | null, initial?: TestSendView) {
  const qc = useQueryClient();
  const key = [...testSendKey(orgId), "test", id];
  return useQuery({
    queryKey: key,
    queryFn: async ({ signal }) => {
      const before = qc.getQueryData<TestSendView>(key);
      const view = await api<TestSendView>(`${org(orgId)}/setup/test-send/${encodeURIComponent(id!)}`, { signal });
      if (waiting(before) && !waiting(view)) void refreshOthers(qc, orgId, key);
      return view;
    },
    enabled: id !== null,
    initialData: initial?.id === id ? initial : undefined,
    refetchInterval: (q) => (waiting(q.state.data) ? POLL_MS : false),
  });
}

export function useSendTest(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { to: string; from: string }) => api<TestSendView>(`${org(orgId)}/setup/test-send`, { method: "POST", json: input }),
    onSuccess: (test) => qc.setQueryData([...testSendKey(orgId), "test", test.id], test),
  });
}
