-- All-channel rollups (docs/reports.md, "Performance"): rollup_all_<x> = rollup_<x> summed over
-- channel_id. Triggers keep them equal in the same statement as every write to the per-channel rows
-- (insert: + new; update: + new − old; delete: − old). The backfill covers rows written before this
-- migration.
--> statement-breakpoint
INSERT INTO rollup_all_totals (org_id, bucket_size, bucket_start, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
SELECT org_id, bucket_size, bucket_start, SUM(sends), SUM(deliveries), SUM(hard_bounces), SUM(soft_bounces), SUM(undetermined_bounces), SUM(complaints), SUM(rejects), SUM(delays), SUM(rendering_failures), SUM(opens), SUM(clicks), SUM(unique_opens), SUM(unique_clicks), SUM(subscriptions) FROM rollup_totals GROUP BY org_id, bucket_size, bucket_start;
--> statement-breakpoint
CREATE TRIGGER rollup_totals_all_insert AFTER INSERT ON rollup_totals
BEGIN
  INSERT INTO rollup_all_totals (org_id, bucket_size, bucket_start, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.sends, NEW.deliveries, NEW.hard_bounces, NEW.soft_bounces, NEW.undetermined_bounces, NEW.complaints, NEW.rejects, NEW.delays, NEW.rendering_failures, NEW.opens, NEW.clicks, NEW.unique_opens, NEW.unique_clicks, NEW.subscriptions)
  ON CONFLICT (org_id, bucket_size, bucket_start) DO UPDATE SET sends = sends + excluded.sends, deliveries = deliveries + excluded.deliveries, hard_bounces = hard_bounces + excluded.hard_bounces, soft_bounces = soft_bounces + excluded.soft_bounces, undetermined_bounces = undetermined_bounces + excluded.undetermined_bounces, complaints = complaints + excluded.complaints, rejects = rejects + excluded.rejects, delays = delays + excluded.delays, rendering_failures = rendering_failures + excluded.rendering_failures, opens = opens + excluded.opens, clicks = clicks + excluded.clicks, unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks, subscriptions = subscriptions + excluded.subscriptions;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_totals_all_update AFTER UPDATE ON rollup_totals
BEGIN
  UPDATE rollup_all_totals SET sends = sends + NEW.sends - OLD.sends, deliveries = deliveries + NEW.deliveries - OLD.deliveries, hard_bounces = hard_bounces + NEW.hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces + NEW.soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces + NEW.undetermined_bounces - OLD.undetermined_bounces, complaints = complaints + NEW.complaints - OLD.complaints, rejects = rejects + NEW.rejects - OLD.rejects, delays = delays + NEW.delays - OLD.delays, rendering_failures = rendering_failures + NEW.rendering_failures - OLD.rendering_failures, opens = opens + NEW.opens - OLD.opens, clicks = clicks + NEW.clicks - OLD.clicks, unique_opens = unique_opens + NEW.unique_opens - OLD.unique_opens, unique_clicks = unique_clicks + NEW.unique_clicks - OLD.unique_clicks, subscriptions = subscriptions + NEW.subscriptions - OLD.subscriptions
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_totals_all_delete AFTER DELETE ON rollup_totals
BEGIN
  UPDATE rollup_all_totals SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start;
END;
--> statement-breakpoint
INSERT INTO rollup_all_providers (org_id, bucket_size, bucket_start, provider, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
SELECT org_id, bucket_size, bucket_start, provider, SUM(sends), SUM(deliveries), SUM(hard_bounces), SUM(soft_bounces), SUM(undetermined_bounces), SUM(complaints), SUM(rejects), SUM(delays), SUM(rendering_failures), SUM(opens), SUM(clicks), SUM(unique_opens), SUM(unique_clicks), SUM(subscriptions) FROM rollup_providers GROUP BY org_id, bucket_size, bucket_start, provider;
--> statement-breakpoint
CREATE TRIGGER rollup_providers_all_insert AFTER INSERT ON rollup_providers
BEGIN
  INSERT INTO rollup_all_providers (org_id, bucket_size, bucket_start, provider, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.provider, NEW.sends, NEW.deliveries, NEW.hard_bounces, NEW.soft_bounces, NEW.undetermined_bounces, NEW.complaints, NEW.rejects, NEW.delays, NEW.rendering_failures, NEW.opens, NEW.clicks, NEW.unique_opens, NEW.unique_clicks, NEW.subscriptions)
  ON CONFLICT (org_id, bucket_size, bucket_start, provider) DO UPDATE SET sends = sends + excluded.sends, deliveries = deliveries + excluded.deliveries, hard_bounces = hard_bounces + excluded.hard_bounces, soft_bounces = soft_bounces + excluded.soft_bounces, undetermined_bounces = undetermined_bounces + excluded.undetermined_bounces, complaints = complaints + excluded.complaints, rejects = rejects + excluded.rejects, delays = delays + excluded.delays, rendering_failures = rendering_failures + excluded.rendering_failures, opens = opens + excluded.opens, clicks = clicks + excluded.clicks, unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks, subscriptions = subscriptions + excluded.subscriptions;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_providers_all_update AFTER UPDATE ON rollup_providers
BEGIN
  UPDATE rollup_all_providers SET sends = sends + NEW.sends - OLD.sends, deliveries = deliveries + NEW.deliveries - OLD.deliveries, hard_bounces = hard_bounces + NEW.hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces + NEW.soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces + NEW.undetermined_bounces - OLD.undetermined_bounces, complaints = complaints + NEW.complaints - OLD.complaints, rejects = rejects + NEW.rejects - OLD.rejects, delays = delays + NEW.delays - OLD.delays, rendering_failures = rendering_failures + NEW.rendering_failures - OLD.rendering_failures, opens = opens + NEW.opens - OLD.opens, clicks = clicks + NEW.clicks - OLD.clicks, unique_opens = unique_opens + NEW.unique_opens - OLD.unique_opens, unique_clicks = unique_clicks + NEW.unique_clicks - OLD.unique_clicks, subscriptions = subscriptions + NEW.subscriptions - OLD.subscriptions
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND provider = NEW.provider;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_providers_all_delete AFTER DELETE ON rollup_providers
BEGIN
  UPDATE rollup_all_providers SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND provider = OLD.provider;
END;
--> statement-breakpoint
INSERT INTO rollup_all_templates (org_id, bucket_size, bucket_start, template, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
SELECT org_id, bucket_size, bucket_start, template, SUM(sends), SUM(deliveries), SUM(hard_bounces), SUM(soft_bounces), SUM(undetermined_bounces), SUM(complaints), SUM(rejects), SUM(delays), SUM(rendering_failures), SUM(opens), SUM(clicks), SUM(unique_opens), SUM(unique_clicks), SUM(subscriptions) FROM rollup_templates GROUP BY org_id, bucket_size, bucket_start, template;
--> statement-breakpoint
CREATE TRIGGER rollup_templates_all_insert AFTER INSERT ON rollup_templates
BEGIN
  INSERT INTO rollup_all_templates (org_id, bucket_size, bucket_start, template, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.template, NEW.sends, NEW.deliveries, NEW.hard_bounces, NEW.soft_bounces, NEW.undetermined_bounces, NEW.complaints, NEW.rejects, NEW.delays, NEW.rendering_failures, NEW.opens, NEW.clicks, NEW.unique_opens, NEW.unique_clicks, NEW.subscriptions)
  ON CONFLICT (org_id, bucket_size, bucket_start, template) DO UPDATE SET sends = sends + excluded.sends, deliveries = deliveries + excluded.deliveries, hard_bounces = hard_bounces + excluded.hard_bounces, soft_bounces = soft_bounces + excluded.soft_bounces, undetermined_bounces = undetermined_bounces + excluded.undetermined_bounces, complaints = complaints + excluded.complaints, rejects = rejects + excluded.rejects, delays = delays + excluded.delays, rendering_failures = rendering_failures + excluded.rendering_failures, opens = opens + excluded.opens, clicks = clicks + excluded.clicks, unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks, subscriptions = subscriptions + excluded.subscriptions;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_templates_all_update AFTER UPDATE ON rollup_templates
BEGIN
  UPDATE rollup_all_templates SET sends = sends + NEW.sends - OLD.sends, deliveries = deliveries + NEW.deliveries - OLD.deliveries, hard_bounces = hard_bounces + NEW.hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces + NEW.soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces + NEW.undetermined_bounces - OLD.undetermined_bounces, complaints = complaints + NEW.complaints - OLD.complaints, rejects = rejects + NEW.rejects - OLD.rejects, delays = delays + NEW.delays - OLD.delays, rendering_failures = rendering_failures + NEW.rendering_failures - OLD.rendering_failures, opens = opens + NEW.opens - OLD.opens, clicks = clicks + NEW.clicks - OLD.clicks, unique_opens = unique_opens + NEW.unique_opens - OLD.unique_opens, unique_clicks = unique_clicks + NEW.unique_clicks - OLD.unique_clicks, subscriptions = subscriptions + NEW.subscriptions - OLD.subscriptions
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND template = NEW.template;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_templates_all_delete AFTER DELETE ON rollup_templates
BEGIN
  UPDATE rollup_all_templates SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND template = OLD.template;
END;
--> statement-breakpoint
INSERT INTO rollup_all_domains (org_id, bucket_size, bucket_start, recipient_domain, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
SELECT org_id, bucket_size, bucket_start, recipient_domain, SUM(sends), SUM(deliveries), SUM(hard_bounces), SUM(soft_bounces), SUM(undetermined_bounces), SUM(complaints), SUM(rejects), SUM(delays), SUM(rendering_failures), SUM(opens), SUM(clicks), SUM(unique_opens), SUM(unique_clicks), SUM(subscriptions) FROM rollup_domains GROUP BY org_id, bucket_size, bucket_start, recipient_domain;
--> statement-breakpoint
CREATE TRIGGER rollup_domains_all_insert AFTER INSERT ON rollup_domains
BEGIN
  INSERT INTO rollup_all_domains (org_id, bucket_size, bucket_start, recipient_domain, sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, rendering_failures, opens, clicks, unique_opens, unique_clicks, subscriptions)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.recipient_domain, NEW.sends, NEW.deliveries, NEW.hard_bounces, NEW.soft_bounces, NEW.undetermined_bounces, NEW.complaints, NEW.rejects, NEW.delays, NEW.rendering_failures, NEW.opens, NEW.clicks, NEW.unique_opens, NEW.unique_clicks, NEW.subscriptions)
  ON CONFLICT (org_id, bucket_size, bucket_start, recipient_domain) DO UPDATE SET sends = sends + excluded.sends, deliveries = deliveries + excluded.deliveries, hard_bounces = hard_bounces + excluded.hard_bounces, soft_bounces = soft_bounces + excluded.soft_bounces, undetermined_bounces = undetermined_bounces + excluded.undetermined_bounces, complaints = complaints + excluded.complaints, rejects = rejects + excluded.rejects, delays = delays + excluded.delays, rendering_failures = rendering_failures + excluded.rendering_failures, opens = opens + excluded.opens, clicks = clicks + excluded.clicks, unique_opens = unique_opens + excluded.unique_opens, unique_clicks = unique_clicks + excluded.unique_clicks, subscriptions = subscriptions + excluded.subscriptions;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_domains_all_update AFTER UPDATE ON rollup_domains
BEGIN
  UPDATE rollup_all_domains SET sends = sends + NEW.sends - OLD.sends, deliveries = deliveries + NEW.deliveries - OLD.deliveries, hard_bounces = hard_bounces + NEW.hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces + NEW.soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces + NEW.undetermined_bounces - OLD.undetermined_bounces, complaints = complaints + NEW.complaints - OLD.complaints, rejects = rejects + NEW.rejects - OLD.rejects, delays = delays + NEW.delays - OLD.delays, rendering_failures = rendering_failures + NEW.rendering_failures - OLD.rendering_failures, opens = opens + NEW.opens - OLD.opens, clicks = clicks + NEW.clicks - OLD.clicks, unique_opens = unique_opens + NEW.unique_opens - OLD.unique_opens, unique_clicks = unique_clicks + NEW.unique_clicks - OLD.unique_clicks, subscriptions = subscriptions + NEW.subscriptions - OLD.subscriptions
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND recipient_domain = NEW.recipient_domain;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_domains_all_delete AFTER DELETE ON rollup_domains
BEGIN
  UPDATE rollup_all_domains SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND recipient_domain = OLD.recipient_domain;
END;
--> statement-breakpoint
INSERT INTO rollup_all_bounce_reasons (org_id, bucket_size, bucket_start, bounce_type, bounce_sub_type, count)
SELECT org_id, bucket_size, bucket_start, bounce_type, bounce_sub_type, SUM(count) FROM rollup_bounce_reasons GROUP BY org_id, bucket_size, bucket_start, bounce_type, bounce_sub_type;
--> statement-breakpoint
CREATE TRIGGER rollup_bounce_reasons_all_insert AFTER INSERT ON rollup_bounce_reasons
BEGIN
  INSERT INTO rollup_all_bounce_reasons (org_id, bucket_size, bucket_start, bounce_type, bounce_sub_type, count)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.bounce_type, NEW.bounce_sub_type, NEW.count)
  ON CONFLICT (org_id, bucket_size, bucket_start, bounce_type, bounce_sub_type) DO UPDATE SET count = count + excluded.count;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_bounce_reasons_all_update AFTER UPDATE ON rollup_bounce_reasons
BEGIN
  UPDATE rollup_all_bounce_reasons SET count = count + NEW.count - OLD.count
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND bounce_type = NEW.bounce_type AND bounce_sub_type = NEW.bounce_sub_type;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_bounce_reasons_all_delete AFTER DELETE ON rollup_bounce_reasons
BEGIN
  UPDATE rollup_all_bounce_reasons SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND bounce_type = OLD.bounce_type AND bounce_sub_type = OLD.bounce_sub_type;
END;
--> statement-breakpoint
INSERT INTO rollup_all_complaint_reasons (org_id, bucket_size, bucket_start, feedback_type, count)
SELECT org_id, bucket_size, bucket_start, feedback_type, SUM(count) FROM rollup_complaint_reasons GROUP BY org_id, bucket_size, bucket_start, feedback_type;
--> statement-breakpoint
CREATE TRIGGER rollup_complaint_reasons_all_insert AFTER INSERT ON rollup_complaint_reasons
BEGIN
  INSERT INTO rollup_all_complaint_reasons (org_id, bucket_size, bucket_start, feedback_type, count)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.feedback_type, NEW.count)
  ON CONFLICT (org_id, bucket_size, bucket_start, feedback_type) DO UPDATE SET count = count + excluded.count;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_complaint_reasons_all_update AFTER UPDATE ON rollup_complaint_reasons
BEGIN
  UPDATE rollup_all_complaint_reasons SET count = count + NEW.count - OLD.count
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND feedback_type = NEW.feedback_type;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_complaint_reasons_all_delete AFTER DELETE ON rollup_complaint_reasons
BEGIN
  UPDATE rollup_all_complaint_reasons SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND feedback_type = OLD.feedback_type;
END;
--> statement-breakpoint
INSERT INTO rollup_all_latency (org_id, bucket_size, bucket_start, bucket, count)
SELECT org_id, bucket_size, bucket_start, bucket, SUM(count) FROM rollup_latency GROUP BY org_id, bucket_size, bucket_start, bucket;
--> statement-breakpoint
CREATE TRIGGER rollup_latency_all_insert AFTER INSERT ON rollup_latency
BEGIN
  INSERT INTO rollup_all_latency (org_id, bucket_size, bucket_start, bucket, count)
  VALUES (NEW.org_id, NEW.bucket_size, NEW.bucket_start, NEW.bucket, NEW.count)
  ON CONFLICT (org_id, bucket_size, bucket_start, bucket) DO UPDATE SET count = count + excluded.count;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_latency_all_update AFTER UPDATE ON rollup_latency
BEGIN
  UPDATE rollup_all_latency SET count = count + NEW.count - OLD.count
  WHERE org_id = NEW.org_id AND bucket_size = NEW.bucket_size AND bucket_start = NEW.bucket_start AND bucket = NEW.bucket;
END;
--> statement-breakpoint
CREATE TRIGGER rollup_latency_all_delete AFTER DELETE ON rollup_latency
BEGIN
  UPDATE rollup_all_latency SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND bucket = OLD.bucket;
END;
