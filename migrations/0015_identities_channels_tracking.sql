CREATE TABLE `tracking_domains` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`subdomain` text NOT NULL,
	`protocol` text NOT NULL,
	`cdn_domain` text,
	`region` text NOT NULL,
	`cname_status` text DEFAULT 'pending' NOT NULL,
	`cname_checked_at` integer,
	`cname_verified_at` integer,
	`identity_status` text DEFAULT 'pending' NOT NULL,
	`identity_checked_at` integer,
	`identity_verified_at` integer,
	`dkim_tokens_json` text,
	`last_error` text,
	`next_check_at` integer,
	`last_manual_check_at` integer,
	`created_at` integer NOT NULL,
	`created_by_user_id` text,
	`created_by_name` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tracking_domains_org_subdomain` ON `tracking_domains` (`org_id`,`subdomain`);--> statement-breakpoint
CREATE INDEX `tracking_domains_next_check` ON `tracking_domains` (`next_check_at`);--> statement-breakpoint
ALTER TABLE `channels` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `channels` ADD `purpose` text DEFAULT 'custom' NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `is_default` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `settings_json` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `sync_status` text DEFAULT 'synced' NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `sync_error_code` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `sync_error` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `sync_error_at` integer;--> statement-breakpoint
ALTER TABLE `channels` ADD `updated_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `channels_org_default` ON `channels` (`org_id`) WHERE "channels"."is_default" = 1;--> statement-breakpoint
ALTER TABLE `identities` ADD `disconnected_at` integer;--> statement-breakpoint
ALTER TABLE `identities` ADD `configuration_set_name` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `dkim_status` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `dkim_tokens_json` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `dns_check_json` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `dns_checked_at` integer;--> statement-breakpoint
ALTER TABLE `setup_progress` ADD `default_channels_provisioned_at` integer;