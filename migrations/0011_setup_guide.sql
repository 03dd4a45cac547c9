CREATE TABLE `aws_validations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`checks_json` text NOT NULL,
	`deployed_template_version` integer,
	`missing_actions_json` text DEFAULT '[]' NOT NULL,
	`requested_by_user_id` text,
	`requested_by_name` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `aws_validations_org` ON `aws_validations` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `setup_progress` (
	`org_id` text PRIMARY KEY NOT NULL,
	`aws_completed_at` integer,
	`validation_completed_at` integer,
	`identities_completed_at` integer,
	`test_send_completed_at` integer,
	`current_phase` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `test_sends` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`status` text NOT NULL,
	`ses_message_id` text,
	`error_code` text,
	`error` text,
	`requested_by_user_id` text,
	`requested_by_name` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `test_sends_org` ON `test_sends` (`org_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `channels` ADD `origin` text DEFAULT 'sendops' NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `detached_at` integer;--> statement-breakpoint
ALTER TABLE `identities` ADD `origin` text DEFAULT 'sendops' NOT NULL;--> statement-breakpoint
ALTER TABLE `identities` ADD `sending_enabled` integer;--> statement-breakpoint
ALTER TABLE `identities` ADD `last_synced_at` integer;--> statement-breakpoint
ALTER TABLE `identities` ADD `detached_at` integer;--> statement-breakpoint
ALTER TABLE `identities` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `ingest_keys` ADD `sealed_key` text;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_json` text;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_synced_at` integer;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_sync_started_at` integer;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_sync_error_code` text;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_sync_error` text;--> statement-breakpoint
ALTER TABLE `aws_connections` ADD `account_sync_error_at` integer;