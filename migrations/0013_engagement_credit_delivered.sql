ALTER TABLE `messages` ADD `reported_first_open_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `reported_first_click_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `reported_open_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `reported_click_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Opens and clicks are credited only to recipients whose Delivery is known (docs/reports.md, Engagement);
-- `reported_*` keep what SES reported for the message. Existing rows were credited for every recipient:
-- what they hold becomes what was reported, then the credit of recipients without a Delivery is taken
-- back — the total opens/clicks from the rollups (each event in its own bucket, as ingest counted it),
-- the credited columns (whose change makes the 0010 triggers take back the unique counts) — and the
-- status an open, click or unsubscribe had raised to `delivered` falls back to what the other events say.
UPDATE messages SET reported_first_open_at = first_open_at, reported_first_click_at = first_click_at,
  reported_open_count = open_count, reported_click_count = click_count
WHERE first_open_at IS NOT NULL OR first_click_at IS NOT NULL;
--> statement-breakpoint
INSERT INTO rollup_totals (org_id, bucket_size, bucket_start, channel_id, opens, clicks)
SELECT e.org_id, s.size, (e.at / s.step) * s.step, COALESCE(e.channel_id, ''), -SUM(e.type = 'open'), -SUM(e.type = 'click')
FROM events AS e
JOIN messages AS m ON m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient,
  (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
WHERE e.type IN ('open', 'click') AND m.delivered_at IS NULL
GROUP BY 1, 2, 3, 4
ON CONFLICT (org_id, bucket_size, bucket_start, channel_id) DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks;
--> statement-breakpoint
INSERT INTO rollup_providers (org_id, bucket_size, bucket_start, channel_id, provider, opens, clicks)
SELECT e.org_id, s.size, (e.at / s.step) * s.step, COALESCE(e.channel_id, ''), e.provider, -SUM(e.type = 'open'), -SUM(e.type = 'click')
FROM events AS e
JOIN messages AS m ON m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient,
  (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
WHERE e.type IN ('open', 'click') AND m.delivered_at IS NULL
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, provider) DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks;
--> statement-breakpoint
INSERT INTO rollup_templates (org_id, bucket_size, bucket_start, channel_id, template, opens, clicks)
SELECT e.org_id, s.size, (e.at / s.step) * s.step, COALESCE(e.channel_id, ''), COALESCE(e.template, ''), -SUM(e.type = 'open'), -SUM(e.type = 'click')
FROM events AS e
JOIN messages AS m ON m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient,
  (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
WHERE e.type IN ('open', 'click') AND m.delivered_at IS NULL
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, template) DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks;
--> statement-breakpoint
INSERT INTO rollup_domains (org_id, bucket_size, bucket_start, channel_id, recipient_domain, opens, clicks)
SELECT e.org_id, s.size, (e.at / s.step) * s.step, COALESCE(e.channel_id, ''), e.recipient_domain, -SUM(e.type = 'open'), -SUM(e.type = 'click')
FROM events AS e
JOIN messages AS m ON m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient,
  (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
WHERE e.type IN ('open', 'click') AND m.delivered_at IS NULL
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, recipient_domain) DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks;
--> statement-breakpoint
UPDATE messages SET first_open_at = NULL, first_click_at = NULL, open_count = 0, click_count = 0
WHERE delivered_at IS NULL AND (first_open_at IS NOT NULL OR first_click_at IS NOT NULL OR open_count > 0 OR click_count > 0);
--> statement-breakpoint
UPDATE messages SET status = CASE WHEN first_delay_at IS NOT NULL THEN 'delayed' ELSE 'sent' END
WHERE status = 'delivered' AND delivered_at IS NULL;
