CREATE TABLE `event_store_migration` (
	`id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`rows_imported` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`switched_at` integer,
	`d1_cleared_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
-- The barrier of the switch to the event shards (docs/scaling.md, Shards: migrating existing data): from
-- the commit that sets 'switching' on, no D1 ingest transaction can commit an event (the batch throws,
-- the queue retries it, and the retry finds the new state), so every D1 event is copied to the shards
-- before the deployment's first shard write. 'shards' keeps it closed for a consumer that chose D1 earlier.
CREATE TRIGGER events_store_switched BEFORE INSERT ON events
WHEN (SELECT state FROM event_store_migration WHERE id = 1) IN ('switching', 'shards')
BEGIN
  SELECT RAISE(ABORT, 'event store switched to shards');
END;
