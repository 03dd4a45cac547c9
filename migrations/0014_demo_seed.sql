CREATE TABLE `demo_seeds` (
	`org_id` text PRIMARY KEY NOT NULL,
	`planned_events` integer NOT NULL,
	`started_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
