/**
 * The demo workspace's inbox: the notifications its own seeded story would have raised
 * (scripts/lib/demo-traffic.ts) — the channels and tracking domain being set up a month ago, and the
 * bad day's campaign to a stale list (bounce spike, the Marketing channel's health, suppression list
 * growth; the figures are illustrative of that day, not recounted from its events). Raised through the real service with dedupe keys, so a
 * repeated setup raises nothing twice; recorded only (no delivery job): it is history.
 */
import type { Db } from "../../worker/db/client";
import { DAY, HOUR, MINUTE } from "../../worker/lib/time";
import { raiseNotification, type RaiseRequest } from "../../worker/services/notifications/raise";
import { BAD_DAY_OFFSET } from "./demo-traffic";
import { CAMPAIGN_TEMPLATES, DEMO_CHANNELS, DEMO_REGION, DEMO_TRACKING_DOMAIN } from "./demo-world";

type DemoNotification = Omit<RaiseRequest, "orgId" | "dedupeKey"> & { key: string; at: number };

/** The story's notifications, for a seed whose traffic ends at `end` (the seed's own `now`). */
export function demoNotifications(end: number): DemoNotification[] {
  const dayStart = (offset: number) => Math.floor((end - offset * DAY) / DAY) * DAY;
  const setUp = dayStart(30) + 9 * HOUR;
  const bad = dayStart(BAD_DAY_OFFSET) + 15 * HOUR;
  const marketing = DEMO_CHANNELS.find((c) => c.purpose === "marketing")!;
  return [
    ...DEMO_CHANNELS.map((c, i) => ({
      key: `channel-created:${c.configurationSet}`,
      at: setUp + i * MINUTE,
      type: "channel_events.channel_created" as const,
      params: { channel: c.name, actor: "SendOps", configurationSet: c.configurationSet },
      link: "channels",
    })),
    {
      key: "tracking-verified",
      at: setUp + 2 * HOUR,
      type: "channel_events.tracking_domain_verified",
      params: { domain: DEMO_TRACKING_DOMAIN.subdomain },
      link: "tracking-domains",
    },
    {
      key: "bad-day-bounce-rate",
      at: bad + 70 * MINUTE,
      type: "deliverability.bounce_rate_threshold",
      params: { scope: `the ${marketing.name} channel`, rate: "9.4%", window: "1 hour", bounces: 412, sends: 4383, threshold: "5%" },
      payload: { channel: marketing.name, campaign: CAMPAIGN_TEMPLATES.badDay, metric: "bounce_rate", current_value: 9.4, threshold: 5 },
      link: "reports",
    },
    {
      key: "bad-day-health",
      at: bad + 75 * MINUTE,
      type: "channel_events.channel_health_degraded",
      params: { channel: marketing.name, metric: "Bounce rate", rate: "9.4%", window: "1 hour", threshold: "5%" },
      link: "channels",
    },
    {
      key: "bad-day-suppressions",
      at: bad + 3 * HOUR,
      type: "deliverability.suppression_list_growth_spike",
      params: { added: 391, window: "24 hours", usual: "14 a day" },
      payload: { region: DEMO_REGION },
      link: "undeliverable",
    },
  ];
}

export async function raiseDemoNotifications(db: Db, orgId: string, end: number): Promise<void> {
  for (const { key, at, ...req } of demoNotifications(end)) {
    await raiseNotification({ db, jobs: null }, { ...req, orgId, dedupeKey: `demo:${key}` }, at);
  }
}
