CREATE TABLE `ingest_lag` (
	`org_id` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`lag_bucket` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `bucket_start`, `lag_bucket`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE cascade
);
