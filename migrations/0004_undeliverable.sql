CREATE TABLE `undeliverable_exclusions` (
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`note` text,
	`actor_user_id` text,
	`actor_name` text NOT NULL,
	`actor_email` text NOT NULL,
	`allowed_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `email`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `undeliverable_rules` (
	`org_id` text PRIMARY KEY NOT NULL,
	`rules_json` text NOT NULL,
	`version` text NOT NULL,
	`updated_by_user_id` text,
	`updated_by_name` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
