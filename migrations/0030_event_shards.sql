CREATE TABLE `applied_shard_tokens` (
	`token` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`applied_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `applied_shard_tokens_applied` ON `applied_shard_tokens` (`applied_at`);--> statement-breakpoint
CREATE TABLE `event_shards` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`event_rows` integer DEFAULT 0 NOT NULL,
	`pending_since` integer,
	`pending_marks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `day`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `event_shards_pending` ON `event_shards` (`pending_since`);