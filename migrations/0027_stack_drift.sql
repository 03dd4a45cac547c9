CREATE TABLE `aws_stack_drift` (
	`org_id` text PRIMARY KEY NOT NULL,
	`stack_name` text NOT NULL,
	`detection_id` text,
	`detection_started_at` integer,
	`checked_at` integer,
	`drift_status` text,
	`drifted_json` text DEFAULT '[]' NOT NULL,
	`problem_code` text,
	`problem` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
