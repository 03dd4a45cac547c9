-- Unique opens and clicks (docs/reports.md): a message-recipient counts once, in the hour and day bucket of
-- its first open (click), under the message's channel, provider, template and recipient domain. These
-- triggers keep that count from the `messages` row itself: +1 when a row first gets a first_open_at
-- (first_click_at); when it moves earlier, or the row's dimensions change, −1 where it was counted and +1
-- where it now belongs. The sums depend only on the final messages rows, never on event order or batching.
-- The all-channel rollups follow through their own triggers (0006).
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
  INSERT INTO rollup_providers (org_id, bucket_size, bucket_start, channel_id, provider, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.provider AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, provider) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_templates (org_id, bucket_size, bucket_start, channel_id, template, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, COALESCE(NEW.template, '') AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, template) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
  INSERT INTO rollup_domains (org_id, bucket_size, bucket_start, channel_id, recipient_domain, unique_opens, unique_clicks)
  SELECT NEW.org_id, s.size, (e.at / s.step) * s.step, e.ch, e.dim, e.o, e.c
  FROM (
      SELECT NEW.first_open_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 1 AS o, 0 AS c
      UNION ALL SELECT NEW.first_click_at AS at, COALESCE(NEW.channel_id, '') AS ch, NEW.recipient_domain AS dim, 0 AS o, 1 AS c
    ) AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
  WHERE e.at IS NOT NULL
  ON CONFLICT (org_id, bucket_size, bucket_start, channel_id, recipient_domain) DO UPDATE SET unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks;
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
END;
