-- Ingest cost (docs/scaling.md, issue 15). `events_org_message` goes: no query needs it (the message
-- detail and the engagement credit seek `events_org_recipient_at`), and each index is a D1 row written
-- per event.
DROP INDEX `events_org_message`;
--> statement-breakpoint
-- The SES detail is stored deflated from now on (worker/lib/deflate.ts); rows stored before keep their
-- JSON text, which readers tell apart by type. A rename touches the schema only, not the rows.
ALTER TABLE `events` RENAME COLUMN `detail_json` TO `detail`;
--> statement-breakpoint
-- Every rollup becomes WITHOUT ROWID: its primary key (org, bucket, channel, dimensions) is the table,
-- so a new rollup row is one row written instead of two (the rowid table and its key's index). SQLite
-- cannot change that in place: each table is copied aside, created anew under its own name (a rename
-- would rewrite the messages triggers of 0010 to the copy's name) and filled back. The all-channel
-- tables first; the per-channel tables' triggers (0006) go with their tables and are created again
-- after the copy, so filling them back does not count twice.
CREATE TABLE `__rollup_all_totals_copy` AS SELECT * FROM `rollup_all_totals`;
--> statement-breakpoint
DROP TABLE `rollup_all_totals`;
--> statement-breakpoint
CREATE TABLE `rollup_all_totals` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_totals` SELECT * FROM `__rollup_all_totals_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_totals_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_providers_copy` AS SELECT * FROM `rollup_all_providers`;
--> statement-breakpoint
DROP TABLE `rollup_all_providers`;
--> statement-breakpoint
CREATE TABLE `rollup_all_providers` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`provider` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `provider`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_providers` SELECT * FROM `__rollup_all_providers_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_providers_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_templates_copy` AS SELECT * FROM `rollup_all_templates`;
--> statement-breakpoint
DROP TABLE `rollup_all_templates`;
--> statement-breakpoint
CREATE TABLE `rollup_all_templates` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`template` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `template`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_templates` SELECT * FROM `__rollup_all_templates_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_templates_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_domains_copy` AS SELECT * FROM `rollup_all_domains`;
--> statement-breakpoint
DROP TABLE `rollup_all_domains`;
--> statement-breakpoint
CREATE TABLE `rollup_all_domains` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`recipient_domain` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `recipient_domain`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_domains` SELECT * FROM `__rollup_all_domains_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_domains_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_bounce_reasons_copy` AS SELECT * FROM `rollup_all_bounce_reasons`;
--> statement-breakpoint
DROP TABLE `rollup_all_bounce_reasons`;
--> statement-breakpoint
CREATE TABLE `rollup_all_bounce_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`bounce_type` text NOT NULL,
	`bounce_sub_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `bounce_type`, `bounce_sub_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_bounce_reasons` SELECT * FROM `__rollup_all_bounce_reasons_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_bounce_reasons_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_complaint_reasons_copy` AS SELECT * FROM `rollup_all_complaint_reasons`;
--> statement-breakpoint
DROP TABLE `rollup_all_complaint_reasons`;
--> statement-breakpoint
CREATE TABLE `rollup_all_complaint_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`feedback_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `feedback_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_complaint_reasons` SELECT * FROM `__rollup_all_complaint_reasons_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_complaint_reasons_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_all_latency_copy` AS SELECT * FROM `rollup_all_latency`;
--> statement-breakpoint
DROP TABLE `rollup_all_latency`;
--> statement-breakpoint
CREATE TABLE `rollup_all_latency` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_all_latency` SELECT * FROM `__rollup_all_latency_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_all_latency_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_totals_copy` AS SELECT * FROM `rollup_totals`;
--> statement-breakpoint
DROP TABLE `rollup_totals`;
--> statement-breakpoint
CREATE TABLE `rollup_totals` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_totals` SELECT * FROM `__rollup_totals_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_totals_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_providers_copy` AS SELECT * FROM `rollup_providers`;
--> statement-breakpoint
DROP TABLE `rollup_providers`;
--> statement-breakpoint
CREATE TABLE `rollup_providers` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`provider` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `provider`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_providers` SELECT * FROM `__rollup_providers_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_providers_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_templates_copy` AS SELECT * FROM `rollup_templates`;
--> statement-breakpoint
DROP TABLE `rollup_templates`;
--> statement-breakpoint
CREATE TABLE `rollup_templates` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`template` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `template`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_templates` SELECT * FROM `__rollup_templates_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_templates_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_domains_copy` AS SELECT * FROM `rollup_domains`;
--> statement-breakpoint
DROP TABLE `rollup_domains`;
--> statement-breakpoint
CREATE TABLE `rollup_domains` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`recipient_domain` text NOT NULL,
	`sends` integer DEFAULT 0 NOT NULL,
	`deliveries` integer DEFAULT 0 NOT NULL,
	`hard_bounces` integer DEFAULT 0 NOT NULL,
	`soft_bounces` integer DEFAULT 0 NOT NULL,
	`undetermined_bounces` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`rejects` integer DEFAULT 0 NOT NULL,
	`delays` integer DEFAULT 0 NOT NULL,
	`rendering_failures` integer DEFAULT 0 NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`subscriptions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `recipient_domain`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_domains` SELECT * FROM `__rollup_domains_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_domains_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_bounce_reasons_copy` AS SELECT * FROM `rollup_bounce_reasons`;
--> statement-breakpoint
DROP TABLE `rollup_bounce_reasons`;
--> statement-breakpoint
CREATE TABLE `rollup_bounce_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`bounce_type` text NOT NULL,
	`bounce_sub_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `bounce_type`, `bounce_sub_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_bounce_reasons` SELECT * FROM `__rollup_bounce_reasons_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_bounce_reasons_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_complaint_reasons_copy` AS SELECT * FROM `rollup_complaint_reasons`;
--> statement-breakpoint
DROP TABLE `rollup_complaint_reasons`;
--> statement-breakpoint
CREATE TABLE `rollup_complaint_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`feedback_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `feedback_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_complaint_reasons` SELECT * FROM `__rollup_complaint_reasons_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_complaint_reasons_copy`;
--> statement-breakpoint
CREATE TABLE `__rollup_latency_copy` AS SELECT * FROM `rollup_latency`;
--> statement-breakpoint
DROP TABLE `rollup_latency`;
--> statement-breakpoint
CREATE TABLE `rollup_latency` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `channel_id`, `bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `rollup_latency` SELECT * FROM `__rollup_latency_copy`;
--> statement-breakpoint
DROP TABLE `__rollup_latency_copy`;
--> statement-breakpoint
CREATE TRIGGER rollup_totals_all_delete AFTER DELETE ON rollup_totals
BEGIN
  UPDATE rollup_all_totals SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start;
END;
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
CREATE TRIGGER rollup_providers_all_delete AFTER DELETE ON rollup_providers
BEGIN
  UPDATE rollup_all_providers SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND provider = OLD.provider;
END;
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
CREATE TRIGGER rollup_templates_all_delete AFTER DELETE ON rollup_templates
BEGIN
  UPDATE rollup_all_templates SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND template = OLD.template;
END;
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
CREATE TRIGGER rollup_domains_all_delete AFTER DELETE ON rollup_domains
BEGIN
  UPDATE rollup_all_domains SET sends = sends - OLD.sends, deliveries = deliveries - OLD.deliveries, hard_bounces = hard_bounces - OLD.hard_bounces, soft_bounces = soft_bounces - OLD.soft_bounces, undetermined_bounces = undetermined_bounces - OLD.undetermined_bounces, complaints = complaints - OLD.complaints, rejects = rejects - OLD.rejects, delays = delays - OLD.delays, rendering_failures = rendering_failures - OLD.rendering_failures, opens = opens - OLD.opens, clicks = clicks - OLD.clicks, unique_opens = unique_opens - OLD.unique_opens, unique_clicks = unique_clicks - OLD.unique_clicks, subscriptions = subscriptions - OLD.subscriptions
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND recipient_domain = OLD.recipient_domain;
END;
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
CREATE TRIGGER rollup_bounce_reasons_all_delete AFTER DELETE ON rollup_bounce_reasons
BEGIN
  UPDATE rollup_all_bounce_reasons SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND bounce_type = OLD.bounce_type AND bounce_sub_type = OLD.bounce_sub_type;
END;
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
CREATE TRIGGER rollup_complaint_reasons_all_delete AFTER DELETE ON rollup_complaint_reasons
BEGIN
  UPDATE rollup_all_complaint_reasons SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND feedback_type = OLD.feedback_type;
END;
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
CREATE TRIGGER rollup_latency_all_delete AFTER DELETE ON rollup_latency
BEGIN
  UPDATE rollup_all_latency SET count = count - OLD.count
  WHERE org_id = OLD.org_id AND bucket_size = OLD.bucket_size AND bucket_start = OLD.bucket_start AND bucket = OLD.bucket;
END;
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
