CREATE TABLE `dropped_events` (
	`org_id` text NOT NULL,
	`event_key` text NOT NULL,
	`at` integer NOT NULL,
	`reason` text NOT NULL,
	PRIMARY KEY(`org_id`, `event_key`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dropped_events_org_at` ON `dropped_events` (`org_id`,`at`);