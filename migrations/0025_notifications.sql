CREATE TABLE `notification_deliveries` (
	`notification_id` text NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`detail` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`notification_id`, `channel`, `recipient`),
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_deliveries_org` ON `notification_deliveries` (`org_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `notification_inbox` (
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`notification_id` text NOT NULL,
	`category` text NOT NULL,
	`severity` text NOT NULL,
	`created_at` integer NOT NULL,
	`read_at` integer,
	PRIMARY KEY(`notification_id`, `user_id`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_inbox_user_time` ON `notification_inbox` (`org_id`,`user_id`,`created_at`,`notification_id`);--> statement-breakpoint
CREATE INDEX `notification_inbox_unread` ON `notification_inbox` (`org_id`,`user_id`,`read_at`);--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`channels_json` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `user_id`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notification_presets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`channels_json` text NOT NULL,
	`created_by_name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_presets_name` ON `notification_presets` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`type` text NOT NULL,
	`category` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`link` text NOT NULL,
	`payload_json` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe` ON `notifications` (`org_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notifications_org_time` ON `notifications` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `slack_integrations` (
	`org_id` text PRIMARY KEY NOT NULL,
	`webhook_url_sealed` text NOT NULL,
	`webhook_url_hint` text NOT NULL,
	`created_by_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
