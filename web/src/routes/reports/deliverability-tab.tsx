import {
  useDeliverability,
  useLatency,
  useProviders,
  type DeliverabilityReport,
  type LatencyReport,
  type ProviderRow,
  type ProviderSortColumn,
  type ReportScope,
} from "../../api/reports";
import { BarListChart } from "../../charts/bar-list-chart";
import { DURATION_LADDER, logAxis } from "../../charts/log-axis";
import { ChartLegend, type LegendItem } from "../../charts/legend";
import { PALETTE, SERIES, THRESHOLD } from "../../charts/palette";
import { bucketLabel } from "../../charts/time-axis";
import { TimeSeriesChart, type Threshold } from "../../charts/time-series-chart";
import { QueryError, queryFailure } from "../../components/query-error";
import { ChartCard, type LoadState } from "../../components/reports/chart-card";
import { DataTable, type Column } from "../../components/reports/data-table";
import { Delta } from "../../components/reports/delta";
import { MetricCard, type Health } from "../../components/reports/metric-card";
import { NoActivity } from "../../components/reports/no-activity";
import { SuppressionList } from "../../components/reports/suppression-list";
import { percent } from "../../../../worker/lib/percent";
import { formatCount, formatDuration, formatPercent, formatPercentTick, formatShare } from "../../lib/format";
import { isHourly, rangePhrase, resolveRange } from "./range";
import type { UpdateSearch } from "./index";
import type { ReportsSearch } from "./search";
import { useWorkspace } from "../../workspace";
import { BOUNCES, METRICS } from "../../../../worker/lib/metrics";
import { RATES, rateDescription } from "../../../../worker/lib/rates";
import { REPUTATION_BANDS } from "../../../../worker/lib/reputation";

const BOUNCE = RATES.bounce;
const COMPLAINT = RATES.complaint;

/** SES's reference lines of a rate (its thresholds, from the one rates module). */
const thresholdLines = (t: { warning: number; critical: number }): Threshold[] => [
  { value: t.warning, label: `Warning ${t.warning}%`, level: "warning" },
  { value: t.critical, label: `Critical ${t.critical}%`, level: "critical" },
];
const BOUNCE_LINES = thresholdLines(BOUNCE.thresholds);
const COMPLAINT_LINES = thresholdLines(COMPLAINT.thresholds);

const thresholdLegend = (lines: Threshold[]): LegendItem[] =>
  lines.map((l) => ({ label: `SES ${l.label.toLowerCase()}`, color: THRESHOLD[l.level], dashed: true }));

function healthOf(pct: number | null, limits: { warning: number; critical: number }): Health {
  if (pct === null) return "neutral";
  if (pct >= limits.critical) return "critical";
  if (pct >= limits.warning) return "warning";
  return "good";
}

function reputationHealth(score: number | null): Health {
  if (score === null) return "neutral";
  if (score > REPUTATION_BANDS.good) return "good";
  if (score > REPUTATION_BANDS.warning) return "warning";
  return "critical";
}

/** "SES may review your account from 5 % and pause sending at 10 %." */
const sesHint = (t: { warning: number; critical: number }) => `SES may review your account from ${t.warning} % and pause sending at ${t.critical} %.`;
const withSesLines = (rate: "bounce" | "complaint") => `${rateDescription(rate).slice(0, -1)}, with SES's review thresholds.`;

const { sends: SENDS, deliveries: DELIVERIES, complaints: COMPLAINTS, rejects: REJECTS } = METRICS;

const loadState = (q: LoadState): LoadState => q;

export function DeliverabilityTab({ scope, search, update }: { scope: ReportScope; search: ReportsSearch; update: UpdateSearch }) {
  const report = useDeliverability(scope);
  const latency = useLatency(scope);
  const { can } = useWorkspace();
  const suppressionList = can("suppressions.view") && <SuppressionList />;
  const hourly = isHourly(resolveRange(scope.range, scope.timeZone, scope.weekStart));
  const data = report.data;
  const t = data?.totals;
  if (t && !report.isPlaceholderData && t.sends + t.deliveries + t.bounces + t.complaints + t.rejects + t.delays === 0) {
    // The suppression list is the SES account's, not the range's: it shows either way.
    return (
      <div className="stack-lg">
        <NoActivity
          rangeLabel={rangePhrase(scope.range, scope.timeZone, scope.weekStart)}
          onWiden={scope.range.range === "90d" ? undefined : () => update({ range: "90d", from: undefined, to: undefined })}
        />
        {suppressionList}
      </div>
    );
  }

  return (
    <div className="stack-lg">
      {queryFailure(report) ? (
        <div className="card">
          <QueryError query={report} title="Could not load deliverability" />
        </div>
      ) : (
        <Headline data={data} loading={report.isPending} />
      )}

      <div className="grid-2">
        <ChartCard
          title={BOUNCE.label}
          description={withSesLines("bounce")}
          state={loadState(report)}
          isEmpty={!data?.totals.sends}
          emptyText="No messages were sent in this range."
          chart={() => (
            <TimeSeriesChart
              data={data!.series}
              series={[{ key: "bouncePct", label: BOUNCE.label, color: SERIES.rose }]}
              hourly={hourly}
              timeZone={scope.timeZone}
              formatValue={(v) => formatPercent(v)}
              formatTick={formatPercentTick}
              thresholds={BOUNCE_LINES}
              label="Bounce rate over time"
            />
          )}
          table={() => <RateTable data={data!} which="bounce" hourly={hourly} timeZone={scope.timeZone} />}
          footer={<ChartLegend items={[{ label: BOUNCE.label, color: SERIES.rose }, ...thresholdLegend(BOUNCE_LINES)]} />}
        />
        <ChartCard
          title={COMPLAINT.label}
          description={withSesLines("complaint")}
          state={loadState(report)}
          isEmpty={!data?.totals.deliveries}
          emptyText="No messages were delivered in this range."
          chart={() => (
            <TimeSeriesChart
              data={data!.series}
              series={[{ key: "complaintPct", label: COMPLAINT.label, color: SERIES.amber }]}
              hourly={hourly}
              timeZone={scope.timeZone}
              formatValue={(v) => formatPercent(v)}
              formatTick={formatPercentTick}
              thresholds={COMPLAINT_LINES}
              label="Complaint rate over time"
            />
          )}
          table={() => <RateTable data={data!} which="complaint" hourly={hourly} timeZone={scope.timeZone} />}
          footer={<ChartLegend items={[{ label: COMPLAINT.label, color: SERIES.amber }, ...thresholdLegend(COMPLAINT_LINES)]} />}
        />
      </div>

      <ChartCard
        title="Volume"
        description="Sends, deliveries, bounces and complaints per recipient."
        state={loadState(report)}
        isEmpty={!data?.series.some((s) => s.sends || s.deliveries || s.bounces || s.complaints || s.rejects)}
        chart={() => (
          <TimeSeriesChart
            data={data!.series}
            series={[
              { key: "sends", label: SENDS.label, color: SERIES.indigo, kind: "area" },
              { key: "deliveries", label: DELIVERIES.label, color: SERIES.teal },
              { key: "bounces", label: BOUNCES.label, color: SERIES.rose },
              { key: "complaints", label: COMPLAINTS.label, color: SERIES.amber },
              { key: "rejects", label: REJECTS.label, color: SERIES.slate, dashed: true },
            ]}
            hourly={hourly}
            timeZone={scope.timeZone}
            formatValue={(v) => formatCount(v)}
            integer
            label="Sends, deliveries, bounces, complaints and rejects over time"
          />
        )}
        table={() => <VolumeTable data={data!} hourly={hourly} timeZone={scope.timeZone} />}
        footer={
          <ChartLegend
            items={[
              { label: SENDS.label, color: SERIES.indigo },
              { label: DELIVERIES.label, color: SERIES.teal },
              { label: BOUNCES.label, color: SERIES.rose },
              { label: COMPLAINTS.label, color: SERIES.amber },
              { label: REJECTS.label, color: SERIES.slate, dashed: true },
            ]}
          />
        }
      />

      <div className="grid-2">
        <BounceReasons state={loadState(report)} data={data} />
        <ComplaintReasons state={loadState(report)} data={data} />
      </div>

      <ProvidersCard scope={scope} search={search} update={update} />

      <LatencySection state={loadState(latency)} data={latency.data} hourly={hourly} timeZone={scope.timeZone} />

      {suppressionList}
    </div>
  );
}

/** Said in a hint when a rate has no denominator in the range: what the counted events are about. */
const EARLIER_MAIL = (events: string, whole: string) =>
  ` No ${whole} in this range, so no rate: the ${events} counted here are about mail ${whole === "sends" ? "sent" : "delivered"} before this range (every event counts when it happens).`;

function Headline({ data, loading }: { data: DeliverabilityReport | undefined; loading: boolean }) {
  const t = data?.totals;
  const r = data?.rates;
  const BOUNCE_WORDS: [string, string] = ["bounce", "bounces"];
  const ofSends = (n: number) => (t ? formatShare(n, t.sends, { part: BOUNCE_WORDS, whole: "sends" }) : undefined);
  // The same denominator as the other bounce rates (sends), through the one percentage helper (the rates
  // module defines no undetermined-bounce rate).
  const undeterminedPct = t ? percent(t.undeterminedBounces, t.sends) : null;
  return (
    <div className="metric-grid metric-grid-6" aria-label="Headline metrics" role="group">
      <MetricCard label="Hard Bounce %" value={formatPercent(r?.hardBouncePct)} sub={ofSends(t?.hardBounces ?? 0)} hint={rateDescription("hardBounce")} loading={loading} />
      <MetricCard label="Soft Bounce %" value={formatPercent(r?.softBouncePct)} sub={ofSends(t?.softBounces ?? 0)} hint={rateDescription("softBounce")} loading={loading} />
      <MetricCard
        label="Undetermined %"
        value={formatPercent(undeterminedPct)}
        sub={ofSends(t?.undeterminedBounces ?? 0)}
        hint="Bounces SES could not classify over sends. They count towards the total bounce rate, as SES counts them."
        loading={loading}
      />
      <MetricCard
        label="Total Bounce %"
        value={formatPercent(r?.totalBouncePct)}
        sub={ofSends(t?.bounces ?? 0)}
        health={healthOf(r?.totalBouncePct ?? null, BOUNCE.thresholds)}
        hint={`${rateDescription("bounce")} ${sesHint(BOUNCE.thresholds)}${t && t.sends === 0 && t.bounces > 0 ? EARLIER_MAIL("bounces", "sends") : ""}`}
        loading={loading}
      />
      <MetricCard
        label="Complaint Rate"
        value={formatPercent(r?.complaintPct)}
        sub={t ? formatShare(t.complaints, t.deliveries, { part: ["complaint", "complaints"], whole: "deliveries" }) : undefined}
        health={healthOf(r?.complaintPct ?? null, COMPLAINT.thresholds)}
        hint={`${rateDescription("complaint")} ${sesHint(COMPLAINT.thresholds)}${t && t.deliveries === 0 && t.complaints > 0 ? EARLIER_MAIL("complaints", "deliveries") : ""}`}
        loading={loading}
      />
      <MetricCard
        label="Reputation Score"
        value={data?.reputation.score === null || data === undefined ? "—" : `${data.reputation.score}`}
        sub={data?.reputation.score === null ? "No sends in this range" : "out of 100"}
        health={reputationHealth(data?.reputation.score ?? null)}
        hint={data?.reputation.formula ?? "Calculated from the bounce rate, complaint rate and delivery success."}
        loading={loading}
      />
    </div>
  );
}

type SeriesRow = DeliverabilityReport["series"][number];

function RateTable({ data, which, hourly, timeZone }: { data: DeliverabilityReport; which: "bounce" | "complaint"; hourly: boolean; timeZone: string }) {
  const columns: Column<SeriesRow>[] =
    which === "bounce"
      ? [
          { header: hourly ? "Hour" : "Day", cell: (r) => bucketLabel(r.t, hourly, timeZone) },
          { header: SENDS.label, cell: (r) => formatCount(r.sends), numeric: true },
          { header: BOUNCES.label, cell: (r) => formatCount(r.bounces), numeric: true },
          { header: BOUNCE.label, cell: (r) => formatPercent(r.bouncePct), numeric: true },
        ]
      : [
          { header: hourly ? "Hour" : "Day", cell: (r) => bucketLabel(r.t, hourly, timeZone) },
          { header: DELIVERIES.label, cell: (r) => formatCount(r.deliveries), numeric: true },
          { header: COMPLAINTS.label, cell: (r) => formatCount(r.complaints), numeric: true },
          { header: COMPLAINT.label, cell: (r) => formatPercent(r.complaintPct), numeric: true },
        ];
  return <DataTable columns={columns} rows={data.series} rowKey={(r) => String(r.t)} caption={`${which === "bounce" ? "Bounce" : "Complaint"} rate over time`} />;
}

function VolumeTable({ data, hourly, timeZone }: { data: DeliverabilityReport; hourly: boolean; timeZone: string }) {
  const columns: Column<SeriesRow>[] = [
    { header: hourly ? "Hour" : "Day", cell: (r) => bucketLabel(r.t, hourly, timeZone) },
    { header: SENDS.label, cell: (r) => formatCount(r.sends), numeric: true },
    { header: DELIVERIES.label, cell: (r) => formatCount(r.deliveries), numeric: true },
    { header: BOUNCES.label, cell: (r) => formatCount(r.bounces), numeric: true },
    { header: COMPLAINTS.label, cell: (r) => formatCount(r.complaints), numeric: true },
    { header: REJECTS.label, cell: (r) => formatCount(r.rejects), numeric: true },
  ];
  return <DataTable columns={columns} rows={data.series} rowKey={(r) => String(r.t)} caption="Volume over time" />;
}

const BOUNCE_TYPE_COLOR: Record<string, string> = {
  Permanent: SERIES.rose,
  Transient: SERIES.amber,
  Undetermined: SERIES.slate,
};

type BounceReason = DeliverabilityReport["bounceReasons"][number];

function BounceReasons({ state, data }: { state: LoadState; data: DeliverabilityReport | undefined }) {
  const rows = data?.bounceReasons ?? [];
  const reasonLabel = (r: BounceReason) => `${r.bounceType} · ${r.bounceSubType}`;
  return (
    <ChartCard
      title="Bounce reasons"
      description="By SES bounce type and sub-type, as a share of all bounces."
      state={state}
      isEmpty={!rows.length}
      emptyTitle="No bounces in this range"
      emptyText="Nothing bounced. Keep it that way by removing hard-bounced addresses."
      chart={() => (
        <BarListChart
          data={rows}
          category={reasonLabel}
          bars={[{ key: "count", label: BOUNCES.label, color: SERIES.rose }]}
          colorOf={(r) => BOUNCE_TYPE_COLOR[r.bounceType] ?? SERIES.slate}
          formatValue={(v) => formatCount(v)}
          detail={(r) => `${formatPercent(r.pct)} of bounces`}
          label="Bounces by reason"
          integer
        />
      )}
      table={() => (
        <DataTable
          columns={[
            { header: "Type", cell: (r) => r.bounceType },
            { header: "Sub-type", cell: (r) => r.bounceSubType },
            { header: BOUNCES.label, cell: (r) => formatCount(r.count), numeric: true },
            { header: "Share", cell: (r) => formatPercent(r.pct), numeric: true },
          ]}
          rows={rows}
          rowKey={reasonLabel}
          caption="Bounce reasons"
        />
      )}
      footer={
        <ChartLegend
          items={[
            { label: "Permanent (hard)", color: SERIES.rose },
            { label: "Transient (soft)", color: SERIES.amber },
            { label: "Undetermined", color: SERIES.slate },
          ]}
        />
      }
    />
  );
}

/** Complaint reasons as a ranked list with share bars: a handful of feedback types reads best this way. */
function ComplaintReasons({ state, data }: { state: LoadState; data: DeliverabilityReport | undefined }) {
  const rows = data?.complaintReasons ?? [];
  const table = () => (
    <DataTable
      columns={[
        { header: "Feedback type", cell: (r) => r.feedbackType },
        { header: COMPLAINTS.label, cell: (r) => formatCount(r.count), numeric: true },
        { header: "Share", cell: (r) => formatPercent(r.pct), numeric: true },
      ]}
      rows={rows}
      rowKey={(r) => r.feedbackType}
      caption="Complaint reasons"
    />
  );
  return (
    <ChartCard
      title="Complaint reasons"
      description="By the feedback type of each complaint report."
      state={state}
      isEmpty={!rows.length}
      emptyTitle="No complaints in this range"
      emptyText="No recipient marked your mail as spam."
      chart={() => (
        <ul className="share-list" aria-label="Complaints by feedback type">
          {rows.map((r, i) => (
            <li key={r.feedbackType}>
              <div className="share-row">
                <span className="share-label">{r.feedbackType}</span>
                <span className="share-value">
                  {formatPercent(r.pct)} <span className="muted">· {formatCount(r.count)}</span>
                </span>
              </div>
              <div className="share-track" aria-hidden="true">
                <div className="share-bar" style={{ width: `${r.pct ?? 0}%`, background: PALETTE[(i + 2) % PALETTE.length] }} />
              </div>
            </li>
          ))}
        </ul>
      )}
      table={table}
    />
  );
}

const PROVIDER_SORTS: readonly ProviderSortColumn[] = ["provider", "sends", "deliveries", "bounces", "bouncePct", "complaints", "complaintPct", "rejects", "rejectPct"];
const isProviderSort = (v: string | undefined): v is ProviderSortColumn => PROVIDER_SORTS.includes(v as ProviderSortColumn);

function ProvidersCard({ scope, search, update }: { scope: ReportScope; search: ReportsSearch; update: UpdateSearch }) {
  const sortKey = isProviderSort(search.sort) ? search.sort : undefined;
  const providers = useProviders(scope, sortKey, sortKey ? search.dir : undefined);
  const rows = providers.data?.rows ?? [];
  const sort = { key: sortKey ?? "sends", dir: sortKey ? (search.dir ?? "desc") : ("desc" as const) };
  const onSort = (key: string) => {
    const dir = sort.key === key ? (sort.dir === "desc" ? "asc" : "desc") : key === "provider" ? "asc" : "desc";
    update({ sort: key === "sends" && dir === "desc" ? undefined : key, dir: key === "sends" && dir === "desc" ? undefined : dir });
  };
  const rate = (value: (r: ProviderRow) => number | null, delta: (r: ProviderRow) => number | null) => (r: ProviderRow) => (
    <div className="rate-cell">
      <span>{formatPercent(value(r))}</span>
      <Delta pp={delta(r)} isNew={r.isNew} />
    </div>
  );
  const columns: Column<ProviderRow>[] = [
    {
      header: "Provider",
      sortKey: "provider",
      cell: (r) => (
        <span className={r.isOther ? "provider-other" : "cell-primary"}>
          {r.provider}
          {r.isOther && <span className="sr-only"> (all other providers)</span>}
        </span>
      ),
    },
    { header: SENDS.label, sortKey: "sends", numeric: true, cell: (r) => formatCount(r.sends) },
    {
      header: DELIVERIES.label,
      sortKey: "deliveries",
      numeric: true,
      cell: (r) => formatCount(r.deliveries),
      info: "Sends are counted when they are sent; deliveries, bounces and complaints are counted when they happen. Deliveries of earlier sends (SES retries for up to 14 hours) fall in this range, so a provider can show more deliveries than sends.",
    },
    { header: BOUNCES.label, sortKey: "bounces", numeric: true, cell: (r) => formatCount(r.bounces) },
    { header: "Bounce %", sortKey: "bouncePct", numeric: true, cell: rate((r) => r.bouncePct, (r) => r.bouncePctDelta) },
    { header: COMPLAINTS.label, sortKey: "complaints", numeric: true, cell: (r) => formatCount(r.complaints) },
    { header: "Complaint %", sortKey: "complaintPct", numeric: true, cell: rate((r) => r.complaintPct, (r) => r.complaintPctDelta) },
    { header: REJECTS.label, sortKey: "rejects", numeric: true, cell: (r) => formatCount(r.rejects) },
    { header: "Reject %", sortKey: "rejectPct", numeric: true, cell: rate((r) => r.rejectPct, (r) => r.rejectPctDelta) },
  ];

  let body;
  if (queryFailure(providers)) body = <QueryError query={providers} title="Could not load providers" />;
  else if (providers.isPending)
    body = (
      <div className="table-skeleton" role="status" aria-label="Loading providers">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="skeleton" />
        ))}
      </div>
    );
  else if (!rows.length)
    body = (
      <div className="state">
        <h3>No sends in this range</h3>
        <p>Providers appear here as soon as mail is sent to them.</p>
      </div>
    );
  else
    body = (
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(r) => r.provider + (r.isOther ? "#other" : "")}
        caption="Deliverability by provider, with changes in percentage points versus the prior period"
        sort={sort}
        onSort={onSort}
        rowClassName={(r) => (r.isOther ? "row-other" : undefined)}
      />
    );

  return (
    <section className={`card${providers.isPlaceholderData ? " is-stale" : ""}`} aria-labelledby="providers-title">
      <div className="chart-card-header">
        <div className="grow">
          <h2 id="providers-title">Deliverability by provider</h2>
          <p>
            Top 8 providers by sends, the rest under Other. Under each rate, its change versus the previous period of the same length:{" "}
            <span className="delta delta-worse">red</span> is worse, <span className="delta delta-better">green</span> is better.
          </p>
        </div>
      </div>
      {body}
    </section>
  );
}

/** The first row of the latency table holds the percentiles of the whole range. */
const WHOLE_RANGE = -1;

function LatencySection({ state, data, hourly, timeZone }: { state: LoadState; data: LatencyReport | undefined; hourly: boolean; timeZone: string }) {
  const has = !!data && data.p50 !== null;
  return (
    <ChartCard
      title="Delivery latency"
      description="Time from SES accepting a message to the recipient's mail server accepting it."
      state={state}
      isEmpty={!has}
      emptyText="No deliveries in this range."
      height={300}
      chart={() => (
        <div className="latency">
          <div className="latency-stats">
            {(["p50", "p95", "p99"] as const).map((k, i) => (
              <div key={k} className="latency-stat">
                <span className="latency-label">
                  <span className="chart-swatch" style={{ background: [SERIES.teal, SERIES.indigo, SERIES.violet][i] }} aria-hidden="true" />
                  {k.toUpperCase()}
                </span>
                <span className="latency-value">{formatDuration(data![k])}</span>
                <span className="latency-desc">{k === "p50" ? "median" : k === "p95" ? "95 % within" : "99 % within"}</span>
              </div>
            ))}
          </div>
          <TimeSeriesChart
            data={data!.series}
            series={[
              { key: "p50", label: "P50", color: SERIES.teal },
              { key: "p95", label: "P95", color: SERIES.indigo },
              { key: "p99", label: "P99", color: SERIES.violet, dashed: true },
            ]}
            hourly={hourly}
            timeZone={timeZone}
            formatValue={(v) => formatDuration(v)}
            label="Delivery latency percentiles over time"
            height={220}
            logScale={logAxis(
              data!.series.flatMap((r) => [r.p50, r.p95, r.p99]),
              DURATION_LADDER,
            )}
          />
        </div>
      )}
      table={() => (
        <DataTable
          columns={[
            { header: hourly ? "Hour" : "Day", cell: (r) => (r.t === WHOLE_RANGE ? "Whole range" : bucketLabel(r.t, hourly, timeZone)) },
            { header: "P50", cell: (r) => formatDuration(r.p50), numeric: true },
            { header: "P95", cell: (r) => formatDuration(r.p95), numeric: true },
            { header: "P99", cell: (r) => formatDuration(r.p99), numeric: true },
          ]}
          rows={[{ t: WHOLE_RANGE, p50: data!.p50, p95: data!.p95, p99: data!.p99 }, ...data!.series]}
          rowKey={(r) => String(r.t)}
          caption="Delivery latency percentiles: the whole range, then each bucket"
        />
      )}
      footer={
        <div className="row-between wrap">
          <ChartLegend
            items={[
              { label: "P50", color: SERIES.teal },
              { label: "P95", color: SERIES.indigo },
              { label: "P99", color: SERIES.violet, dashed: true },
            ]}
          />
          <p className="field-hint">Log scale. Percentiles come from log-scale histograms and are exact to within one bucket.</p>
        </div>
      }
    />
  );
}

