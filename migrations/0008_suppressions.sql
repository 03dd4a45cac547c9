CREATE TABLE `suppressed_destinations` (
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`reason` text NOT NULL,
	`last_update_time` integer NOT NULL,
	`sync_generation` integer NOT NULL,
	PRIMARY KEY(`org_id`, `email`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `suppressed_destinations_org_time` ON `suppressed_destinations` (`org_id`,`last_update_time`,`email`);--> statement-breakpoint
CREATE TABLE `suppression_syncs` (
	`org_id` text PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL,
	`running` integer NOT NULL,
	`step` integer NOT NULL,
	`started_at` integer NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`last_synced_at` integer,
	`count` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_error_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
