CREATE TABLE `event_store_migration` (
	`id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`rewinds` integer DEFAULT 0 NOT NULL,
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
--> statement-breakpoint
-- SQLite gives a new row the highest id + 1: after the highest row was deleted (a workspace closed, a
-- retention run), a new event can get an id the copy already passed. This moves the cursor back before
-- it, and `rewinds` tells a walker that read the cursor earlier not to advance it past the new row.
CREATE TRIGGER events_store_rewind AFTER INSERT ON events
WHEN NEW.id <= (SELECT cursor FROM event_store_migration WHERE id = 1)
BEGIN
  UPDATE event_store_migration SET cursor = MIN(cursor, NEW.id - 1), rewinds = rewinds + 1 WHERE id = 1;
END;
