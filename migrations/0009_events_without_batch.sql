DROP INDEX `events_batch`;--> statement-breakpoint
ALTER TABLE `events` DROP COLUMN `batch_id`;