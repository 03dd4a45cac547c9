CREATE TABLE `aws_connections` (
	`org_id` text PRIMARY KEY NOT NULL,
	`external_id` text NOT NULL,
	`role_arn` text,
	`region` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`last_validated_at` integer,
	`last_error_code` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_by_user_id` text,
	`updated_by_name` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `aws_connections_external_id_unique` ON `aws_connections` (`external_id`);