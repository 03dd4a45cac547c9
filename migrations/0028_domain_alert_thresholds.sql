CREATE TABLE `alert_domain_thresholds` (
	`org_id` text NOT NULL,
	`domain` text NOT NULL,
	`bounce_warning` real,
	`bounce_critical` real,
	`complaint_warning` real,
	`complaint_critical` real,
	`min_volume` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `domain`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
