-- The all-channel rollups (rollup_all_*) are written by the ingest batch itself from now on
-- (worker/db/ingest.ts, docs/scaling.md): one row per bucket and dimension of a transaction instead of
-- one per per-channel row that moved, which the 0006 triggers wrote. Their sums are unchanged, so the
-- stored rows stay as they are. The unique-open/click triggers of 0010 wrote only the per-channel rows
-- and left the rest to those triggers: they are created again writing both.
DROP TRIGGER `rollup_totals_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_totals_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_totals_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_providers_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_providers_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_providers_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_templates_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_templates_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_templates_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_domains_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_domains_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_domains_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_bounce_reasons_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_bounce_reasons_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_bounce_reasons_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_complaint_reasons_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_complaint_reasons_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_complaint_reasons_all_delete`;
--> statement-breakpoint
DROP TRIGGER `rollup_latency_all_insert`;
--> statement-breakpoint
DROP TRIGGER `rollup_latency_all_update`;
--> statement-breakpoint
DROP TRIGGER `rollup_latency_all_delete`;
--> statement-breakpoint
DROP TRIGGER `messages_unique_engagement_insert`;
--> statement-breakpoint
DROP TRIGGER `messages_unique_engagement_update`;
--> statement-breakpoint
CREATE TRIGGER messages_unique_engagement_insert AFTER INSERT ON messages
WHEN NEW.first_open_at IS NOT NULL OR NEW.first_click_at IS NOT NULL
BEGIN
  INSERT INTO rollup_totals (org_id, bucket_size, bucket_start, channel_id, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_totals (org_id, bucket_size, bucket_start, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_providers (org_id, bucket_size, bucket_start, channel_id, provider, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, provider) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_providers (org_id, bucket_size, bucket_start, provider, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, NEW.provider AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, NEW.provider AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, provider) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_templates (org_id, bucket_size, bucket_start, channel_id, template, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, template) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_templates (org_id, bucket_size, bucket_start, template, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.template, '') AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.template, '') AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, template) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_domains (org_id, bucket_size, bucket_start, channel_id, recipient_domain, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, recipient_domain) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_domains (org_id, bucket_size, bucket_start, recipient_domain, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, NEW.recipient_domain AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, NEW.recipient_domain AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, recipient_domain) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
END;
--> statement-breakpoint
CREATE TRIGGER messages_unique_engagement_update
AFTER UPDATE OF first_open_at, first_click_at, channel_id, provider, template, recipient_domain ON messages
WHEN NEW.first_open_at IS NOT OLD.first_open_at OR NEW.first_click_at IS NOT OLD.first_click_at
  OR ((NEW.first_open_at IS NOT NULL OR NEW.first_click_at IS NOT NULL) AND (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain))
BEGIN
  INSERT INTO rollup_totals (org_id, bucket_size, bucket_start, channel_id, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, COALESCE(OLD.channel_id, '') AS ch, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, COALESCE(OLD.channel_id, '') AS ch, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_totals (org_id, bucket_size, bucket_start, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_providers (org_id, bucket_size, bucket_start, channel_id, provider, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, COALESCE(OLD.channel_id, '') AS ch, OLD.provider AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, COALESCE(OLD.channel_id, '') AS ch, OLD.provider AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, provider) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_providers (org_id, bucket_size, bucket_start, provider, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, OLD.provider AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, OLD.provider AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, NEW.provider AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, NEW.provider AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, provider) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_templates (org_id, bucket_size, bucket_start, channel_id, template, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, COALESCE(OLD.channel_id, '') AS ch, COALESCE(OLD.template, '') AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, COALESCE(OLD.channel_id, '') AS ch, COALESCE(OLD.template, '') AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, template) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_templates (org_id, bucket_size, bucket_start, template, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, COALESCE(OLD.template, '') AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, COALESCE(OLD.template, '') AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, COALESCE(NEW.template, '') AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.template, '') AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, template) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_domains (org_id, bucket_size, bucket_start, channel_id, recipient_domain, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, COALESCE(OLD.channel_id, '') AS ch, OLD.recipient_domain AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, COALESCE(OLD.channel_id, '') AS ch, OLD.recipient_domain AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, recipient_domain) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_all_domains (org_id, bucket_size, bucket_start, recipient_domain, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.dim, e.o, e.c
  FROM (
      SELECT OLD.first_open_at AS at, OLD.recipient_domain AS dim, -1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT OLD.first_click_at AS at, OLD.recipient_domain AS dim, 0 AS o, -1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_open_at AS at, NEW.recipient_domain AS dim, 1 AS o, 0 AS c WHERE NEW.first_open_at IS NOT OLD.first_open_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
      UNION ALL SELECT NEW.first_click_at AS at, NEW.recipient_domain AS dim, 0 AS o, 1 AS c WHERE NEW.first_click_at IS NOT OLD.first_click_at OR (NEW.channel_id IS NOT OLD.channel_id OR NEW.provider IS NOT OLD.provider OR NEW.template IS NOT OLD.template OR NEW.recipient_domain IS NOT OLD.recipient_domain)
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, recipient_domain) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
END;
