CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`configuration_set_name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_org_configuration_set` ON `channels` (`org_id`,`configuration_set_name`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue_message_id` text NOT NULL,
	`queue` text NOT NULL,
	`org_id` text,
	`body_json` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`replayed_at` integer,
	`replayed_by_user_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_queue_message_id_unique` ON `dead_letters` (`queue_message_id`);--> statement-breakpoint
CREATE INDEX `dead_letters_org` ON `dead_letters` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `dead_letters_status` ON `dead_letters` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`event_key` text NOT NULL,
	`batch_id` text NOT NULL,
	`eventbridge_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`message_id` text NOT NULL,
	`recipient` text NOT NULL,
	`recipient_domain` text NOT NULL,
	`provider` text NOT NULL,
	`from_address` text,
	`subject` text,
	`channel_id` text,
	`configuration_set` text,
	`template` text,
	`sending_identity` text NOT NULL,
	`sent_at` integer NOT NULL,
	`bounce_type` text,
	`bounce_sub_type` text,
	`complaint_feedback_type` text,
	`complaint_sub_type` text,
	`delay_type` text,
	`smtp_status` text,
	`diagnostic` text,
	`reason` text,
	`link` text,
	`latency_ms` integer,
	`latency_bucket` integer,
	`detail_json` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_org_event_key` ON `events` (`org_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `events_batch` ON `events` (`batch_id`);--> statement-breakpoint
CREATE INDEX `events_org_at` ON `events` (`org_id`,`at`);--> statement-breakpoint
CREATE INDEX `events_org_type_at` ON `events` (`org_id`,`type`,`at`);--> statement-breakpoint
CREATE INDEX `events_org_channel_at` ON `events` (`org_id`,`channel_id`,`at`);--> statement-breakpoint
CREATE INDEX `events_org_recipient_at` ON `events` (`org_id`,`recipient`,`at`);--> statement-breakpoint
CREATE INDEX `events_org_message` ON `events` (`org_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `identities` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`identity` text NOT NULL,
	`kind` text NOT NULL,
	`verification_status` text DEFAULT 'PENDING' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identities_org_identity` ON `identities` (`org_id`,`identity`);--> statement-breakpoint
CREATE TABLE `ingest_counters` (
	`org_id` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`counter` text NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_start`, `counter`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ingest_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by_user_id` text,
	`created_by_name` text NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ingest_keys_key_hash_unique` ON `ingest_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `ingest_keys_org` ON `ingest_keys` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`org_id` text NOT NULL,
	`message_id` text NOT NULL,
	`recipient` text NOT NULL,
	`recipient_domain` text NOT NULL,
	`provider` text NOT NULL,
	`from_address` text,
	`subject` text,
	`channel_id` text,
	`configuration_set` text,
	`template` text,
	`status` text NOT NULL,
	`sent_at` integer NOT NULL,
	`delivered_at` integer,
	`latency_ms` integer,
	`first_open_at` integer,
	`first_click_at` integer,
	`open_count` integer DEFAULT 0 NOT NULL,
	`click_count` integer DEFAULT 0 NOT NULL,
	`bounced_at` integer,
	`bounce_type` text,
	`bounce_sub_type` text,
	`complained_at` integer,
	`complaint_feedback_type` text,
	`rejected_at` integer,
	`first_delay_at` integer,
	`rendering_failed_at` integer,
	`last_diagnostic` text,
	`last_diagnostic_at` integer,
	`last_event_at` integer NOT NULL,
	`event_count` integer NOT NULL,
	PRIMARY KEY(`org_id`, `message_id`, `recipient`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_org_sent` ON `messages` (`org_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `messages_org_recipient_sent` ON `messages` (`org_id`,`recipient`,`sent_at`);--> statement-breakpoint
CREATE INDEX `messages_org_status_sent` ON `messages` (`org_id`,`status`,`sent_at`);--> statement-breakpoint
CREATE INDEX `messages_org_channel_sent` ON `messages` (`org_id`,`channel_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `rejected_payloads` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`status` integer NOT NULL,
	`reason` text NOT NULL,
	`body` text NOT NULL,
	`body_bytes` integer NOT NULL,
	`truncated` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rejected_payloads_org` ON `rejected_payloads` (`org_id`,`id`);--> statement-breakpoint
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
);
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
);
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
);
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
);
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
);
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
);
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
);
