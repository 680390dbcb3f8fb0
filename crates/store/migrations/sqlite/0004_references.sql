-- Every reference a record makes, to an organisation (by credit code) or to another record (by
-- id), as its kind's schema declares them; one table for safe deletes, relations and checks.
-- The rows of records already stored are written by the store when this migration runs (they
-- are derived from each record's schema, which SQL cannot read).
CREATE TABLE record_refs (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    field       TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    PRIMARY KEY (kind, id, field, target_kind, target_id)
);
CREATE INDEX record_refs_target ON record_refs (target_kind, target_id);
DROP TABLE entity_refs;
