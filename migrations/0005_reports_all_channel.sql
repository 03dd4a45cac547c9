CREATE TABLE `rollup_all_bounce_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`bounce_type` text NOT NULL,
	`bounce_sub_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `bounce_type`, `bounce_sub_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rollup_all_complaint_reasons` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`feedback_type` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `feedback_type`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
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
);
--> statement-breakpoint
CREATE TABLE `rollup_all_latency` (
	`org_id` text NOT NULL,
	`bucket_size` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_size`, `bucket_start`, `bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
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
);
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
);
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
);
