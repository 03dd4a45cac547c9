CREATE TABLE `rollup_buffers` (
	`org_id` text PRIMARY KEY NOT NULL,
	`pending_since` integer,
	`pending_marks` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rollup_buffers_pending` ON `rollup_buffers` (`pending_since`);