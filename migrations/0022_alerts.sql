CREATE TABLE `alert_evaluations` (
	`org_id` text PRIMARY KEY NOT NULL,
	`queued_at` integer,
	`evaluated_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alert_raises` (
	`org_id` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`type` text NOT NULL,
	`params_json` text NOT NULL,
	`payload_json` text,
	`link` text,
	`raised_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `dedupe_key`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alert_states` (
	`org_id` text NOT NULL,
	`alert_key` text NOT NULL,
	`scope` text NOT NULL,
	`state` text NOT NULL,
	`since` integer NOT NULL,
	`last_value` real,
	`last_raised_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `alert_key`, `scope`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alert_thresholds` (
	`org_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`bounce_warning` real,
	`bounce_critical` real,
	`complaint_warning` real,
	`complaint_critical` real,
	`min_volume` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `channel_id`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
