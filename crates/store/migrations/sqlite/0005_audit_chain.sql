-- Audit entries name the role their actor acted in and where the request came from, and are
-- hash-chained: `hash` = SHA-256 over `prev_hash` and the entry's fields (see `audit_hash` in
-- src/audit.rs), `prev_hash` = the previous entry's hash (64 zeros for the first). Editing or
-- removing an entry breaks the chain, which `innomesh audit verify` finds.
-- The hashes of entries already written are computed by the store when this migration runs,
-- between the two halves below (SQL has no SHA-256); the append-only triggers are dropped for
-- that and recreated, all in the migration's one transaction.
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
ALTER TABLE audit_log ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
-- innomesh:backfill
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
