-- The audit log is append-only. No code path updates or deletes entries; these triggers make the
-- database refuse it too. Documented exceptions (docs/audit-log.md):
--   * retention pruning: rows older than the org's cutoff in audit_prune_cutoffs may be deleted;
--     a cutoff can never be set later than 7 days ago (the shortest plan retention);
--   * rows of a workspace that has been deleted may be removed with it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be edited');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN EXISTS (SELECT 1 FROM orgs WHERE id = OLD.org_id)
  AND OLD.at >= COALESCE((SELECT prune_before FROM audit_prune_cutoffs WHERE org_id = OLD.org_id), 0)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER audit_prune_cutoff_bounded_insert BEFORE INSERT ON audit_prune_cutoffs
WHEN NEW.prune_before > (CAST(unixepoch('subsec') * 1000 AS INTEGER) - 7 * 86400000)
BEGIN
  SELECT RAISE(ABORT, 'audit prune cutoff must be at least 7 days in the past');
END;
--> statement-breakpoint
CREATE TRIGGER audit_prune_cutoff_bounded_update BEFORE UPDATE ON audit_prune_cutoffs
WHEN NEW.prune_before > (CAST(unixepoch('subsec') * 1000 AS INTEGER) - 7 * 86400000)
BEGIN
  SELECT RAISE(ABORT, 'audit prune cutoff must be at least 7 days in the past');
END;
