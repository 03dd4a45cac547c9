import { useEngagement, type EngagementReport, type ReportScope } from "../../api/reports";
import { BarListChart } from "../../charts/bar-list-chart";
import { ChartLegend } from "../../charts/legend";
import { SERIES } from "../../charts/palette";
import { bucketLabel } from "../../charts/time-axis";
import { TimeSeriesChart, type SeriesDef } from "../../charts/time-series-chart";
import { InfoIcon } from "../../components/icons";
import { QueryError, queryFailure } from "../../components/query-error";
import { ChartCard } from "../../components/reports/chart-card";
import { DataTable, type Column } from "../../components/reports/data-table";
import { MetricCard } from "../../components/reports/metric-card";
import { NoActivity } from "../../components/reports/no-activity";
import { formatCount, formatPercent, formatPercentTick, formatShare } from "../../lib/format";
import { isHourly, rangePhrase, resolveRange } from "./range";
import type { UpdateSearch } from "./index";
import { METRICS } from "../../../../worker/lib/metrics";
import { RATES, rateDescription } from "../../../../worker/lib/rates";

type SeriesRow = EngagementReport["series"][number];
type DomainRow = EngagementReport["byDomain"][number];
type TemplateRow = EngagementReport["byTemplate"][number];

const RATE_LEGEND = [
  { label: RATES.open.label, color: SERIES.indigo },
  { label: RATES.click.label, color: SERIES.teal },
];

/** The open and click rate charts: the same chart of one rate each. */
const RATE_CHARTS = {
  open: {
    title: `${RATES.open.label} over time`,
    description: rateDescription("open"),
    series: { key: "openPct", label: RATES.open.label, color: SERIES.indigo, kind: "area" },
  },
  click: {
    title: `${RATES.click.label} over time`,
    description: rateDescription("click"),
    series: { key: "clickPct", label: RATES.click.label, color: SERIES.teal, kind: "area" },
  },
} satisfies Record<"open" | "click", { title: string; description: string; series: SeriesDef<SeriesRow> }>;

const { deliveries: DELIVERIES, uniqueOpens: UNIQUE_OPENS, uniqueClicks: UNIQUE_CLICKS } = METRICS;

/** Said in a hint when there are opens or clicks but no deliveries in the range. */
const EARLIER_DELIVERIES = (what: string) =>
  ` No deliveries in this range, so no rate: the messages ${what} here were delivered before this range (an open or click counts when it happens).`;

/** Mail sent without a template tag is grouped under this label. */
const NO_TEMPLATE = "(no template)";
const templateName = (t: string | null) => t ?? NO_TEMPLATE;

/** Bars per breakdown chart; the tables below them list every row. */
const TOP = 10;

export function EngagementTab({ scope, update }: { scope: ReportScope; update: UpdateSearch }) {
  const report = useEngagement(scope);
  const hourly = isHourly(resolveRange(scope.range, scope.timeZone, scope.weekStart));
  const data = report.data;
  const t = data?.totals;
  const noDeliveries = !t?.deliveries;
  if (data && !report.isPlaceholderData && noDeliveries && !t?.opens && !t?.clicks && !data.byTemplate.length) {
    return (
      <NoActivity
        rangeLabel={rangePhrase(scope.range, scope.timeZone, scope.weekStart)}
        onWiden={scope.range.range === "90d" ? undefined : () => update({ range: "90d", from: undefined, to: undefined })}
      />
    );
  }

  const rateTable = (which: "open" | "click") => () => {
    const columns: Column<SeriesRow>[] = [
      { header: hourly ? "Hour" : "Day", cell: (r) => bucketLabel(r.t, hourly, scope.timeZone) },
      { header: DELIVERIES.label, cell: (r) => formatCount(r.deliveries), numeric: true },
      which === "open"
        ? { header: UNIQUE_OPENS.label, cell: (r) => formatCount(r.uniqueOpens), numeric: true }
        : { header: UNIQUE_CLICKS.label, cell: (r) => formatCount(r.uniqueClicks), numeric: true },
      which === "open"
        ? { header: RATES.open.label, cell: (r) => formatPercent(r.openPct), numeric: true }
        : { header: RATES.click.label, cell: (r) => formatPercent(r.clickPct), numeric: true },
    ];
    return <DataTable columns={columns} rows={data!.series} rowKey={(r) => String(r.t)} caption={RATE_CHARTS[which].title} />;
  };

  return (
    <div className="stack-lg">
      {queryFailure(report) ? (
        <div className="card">
          <QueryError query={report} title="Could not load engagement" />
        </div>
      ) : (
        <div className="metric-grid metric-grid-4" role="group" aria-label="Engagement totals">
          <MetricCard
            label={RATES.open.label}
            value={formatPercent(t?.openPct)}
            sub={t ? formatShare(t.uniqueOpens, t.deliveries, { part: ["opened", "opened"], whole: "deliveries" }) : undefined}
            hint={`Messages opened at least once over messages delivered. Directional: see the note below.${t && !t.deliveries && t.uniqueOpens ? EARLIER_DELIVERIES("opened") : ""}`}
            loading={report.isPending}
          />
          <MetricCard
            label={RATES.click.label}
            value={formatPercent(t?.clickPct)}
            sub={t ? formatShare(t.uniqueClicks, t.deliveries, { part: ["clicked", "clicked"], whole: "deliveries" }) : undefined}
            hint={`Messages with at least one tracked link clicked over messages delivered.${t && !t.deliveries && t.uniqueClicks ? EARLIER_DELIVERIES("clicked") : ""}`}
            loading={report.isPending}
          />
          <MetricCard label="Opens" value={formatCount(t?.opens)} sub="all open events" loading={report.isPending} />
          <MetricCard label="Clicks" value={formatCount(t?.clicks)} sub="all click events" loading={report.isPending} />
        </div>
      )}

      <div className="alert engagement-note" role="note">
        <InfoIcon />
        <div>
          <div className="alert-title">Opens are directional</div>
          Open tracking relies on a pixel loaded by the mail client. Privacy proxies such as Apple Mail Privacy Protection
          pre-fetch images whether or not the message is read, and many clients block images, so treat open rates as a trend
          rather than an exact count. Clicks are a firmer signal.
        </div>
      </div>

      <div className="grid-2">
        {(["open", "click"] as const).map((which) => (
          <ChartCard
            key={which}
            title={RATE_CHARTS[which].title}
            description={RATE_CHARTS[which].description}
            state={report}
            isEmpty={noDeliveries}
            emptyText="No messages were delivered in this range."
            chart={() => (
              <TimeSeriesChart
                data={data!.series}
                series={[RATE_CHARTS[which].series]}
                hourly={hourly}
                timeZone={scope.timeZone}
                formatValue={(v) => formatPercent(v)}
                formatTick={formatPercentTick}
                label={RATE_CHARTS[which].title}
              />
            )}
            table={rateTable(which)}
          />
        ))}
      </div>

      <div className="grid-2">
        <ChartCard
          title="Engagement by domain"
          description={`Open and click rates of the ${TOP} recipient domains with the most deliveries.`}
          state={report}
          isEmpty={!data?.byDomain.length}
          chart={() => (
            <BarListChart
              data={data!.byDomain.slice(0, TOP)}
              category={(r) => r.domain}
              bars={[
                { key: "openPct", label: RATES.open.label, color: SERIES.indigo },
                { key: "clickPct", label: RATES.click.label, color: SERIES.teal },
              ]}
              formatValue={(v) => formatPercent(v)}
              formatTick={formatPercentTick}
              detail={(r) => `${formatCount(r.deliveries)} delivered`}
              label="Open and click rates by recipient domain"
            />
          )}
          table={() => (
            <DataTable<DomainRow>
              columns={[
                { header: "Domain", cell: (r) => r.domain },
                { header: DELIVERIES.label, cell: (r) => formatCount(r.deliveries), numeric: true },
                { header: UNIQUE_OPENS.label, cell: (r) => formatCount(r.uniqueOpens), numeric: true },
                { header: UNIQUE_CLICKS.label, cell: (r) => formatCount(r.uniqueClicks), numeric: true },
                { header: RATES.open.label, cell: (r) => formatPercent(r.openPct), numeric: true },
                { header: RATES.click.label, cell: (r) => formatPercent(r.clickPct), numeric: true },
              ]}
              rows={data!.byDomain}
              rowKey={(r) => r.domain}
              caption="Engagement by recipient domain"
            />
          )}
          footer={<ChartLegend items={RATE_LEGEND} />}
        />
        <ChartCard
          title="Engagement by template"
          description={`Open and click rates of the ${TOP} templates with the most sends.`}
          state={report}
          isEmpty={!data?.byTemplate.length}
          chart={() => (
            <BarListChart
              data={data!.byTemplate.slice(0, TOP)}
              category={(r) => templateName(r.template)}
              bars={[
                { key: "openPct", label: RATES.open.label, color: SERIES.indigo },
                { key: "clickPct", label: RATES.click.label, color: SERIES.teal },
              ]}
              formatValue={(v) => formatPercent(v)}
              formatTick={formatPercentTick}
              detail={(r) => `${formatCount(r.sent)} sent`}
              label="Open and click rates by template"
            />
          )}
          table={() => <TemplateTable rows={data!.byTemplate} caption="Engagement by template" />}
          footer={<ChartLegend items={RATE_LEGEND} />}
        />
      </div>

      <section className={`card${report.isPlaceholderData ? " is-stale" : ""}`} aria-labelledby="template-perf-title">
        <div className="chart-card-header">
          <div className="grow">
            <h2 id="template-perf-title">Template performance</h2>
            <p>Every template sent in this range. Open, click and complaint rates over deliveries; bounce rate over sends.</p>
          </div>
        </div>
        {queryFailure(report) ? (
          <QueryError query={report} title="Could not load templates" />
        ) : report.isPending ? (
          <div className="table-skeleton" role="status" aria-label="Loading templates">
            {Array.from({ length: 4 }, (_, i) => (
              <div key={i} className="skeleton" />
            ))}
          </div>
        ) : !data!.byTemplate.length ? (
          <div className="state">
            <h3>No templated sends in this range</h3>
            <p>Messages sent with an SES template, or tagged with one, are listed here.</p>
          </div>
        ) : (
          <TemplateTable rows={data!.byTemplate} caption="Template performance" />
        )}
      </section>
    </div>
  );
}

function TemplateTable({ rows, caption }: { rows: readonly TemplateRow[]; caption: string }) {
  return (
    <DataTable<TemplateRow>
      columns={[
        { header: "Template", cell: (r) => (r.template === null ? <span className="muted">{NO_TEMPLATE}</span> : <span className="cell-primary">{r.template}</span>) },
        { header: "Sent", cell: (r) => formatCount(r.sent), numeric: true },
        { header: "Open %", cell: (r) => formatPercent(r.openPct), numeric: true },
        { header: "Click %", cell: (r) => formatPercent(r.clickPct), numeric: true },
        { header: "Bounce %", cell: (r) => formatPercent(r.bouncePct), numeric: true },
        { header: "Complaint %", cell: (r) => formatPercent(r.complaintPct), numeric: true },
      ]}
      rows={rows}
      rowKey={(r) => r.template ?? "\u0000none"}
      caption={caption}
    />
  );
}
