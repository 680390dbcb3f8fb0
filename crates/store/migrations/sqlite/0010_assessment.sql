-- 考核评估: assessment rounds and the manual indicator values platforms enter (填报 → 审核).
-- A round keeps the framework text it was run with; once published it also keeps the data
-- snapshot (CSV), its SHA-256 and the results, and can no longer change or be deleted, so anyone
-- can recompute it with `innomesh assess run`.
CREATE TABLE assessment_rounds (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    framework_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    framework         TEXT NOT NULL,
    year              INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    snapshot          TEXT,
    snapshot_hash     TEXT,
    results           TEXT,
    created_at        TEXT NOT NULL,
    published_at      TEXT
);
CREATE TRIGGER assessment_rounds_frozen BEFORE UPDATE ON assessment_rounds
WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published assessment round is immutable'); END;
CREATE TRIGGER assessment_rounds_kept BEFORE DELETE ON assessment_rounds
WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published assessment round is immutable'); END;

CREATE TABLE assessment_entries (
    round_id    TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id     TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    value       TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned')),
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, unit_id, indicator)
);
CREATE TRIGGER assessment_entries_frozen BEFORE UPDATE ON assessment_entries
WHEN (SELECT status FROM assessment_rounds WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'the entries of a published assessment round are immutable'); END;
CREATE TRIGGER assessment_entries_kept BEFORE DELETE ON assessment_entries
WHEN (SELECT status FROM assessment_rounds WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'the entries of a published assessment round are immutable'); END;

-- Framework versions entered in the registry (besides the ones shipped in data/assessment/):
-- a version, once saved, never changes; a change is a new version.
CREATE TABLE assessment_frameworks (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    framework  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TRIGGER assessment_frameworks_no_update BEFORE UPDATE ON assessment_frameworks
BEGIN SELECT RAISE(ABORT, 'a framework version is immutable: save a new version'); END;
CREATE TRIGGER assessment_frameworks_no_delete BEFORE DELETE ON assessment_frameworks
BEGIN SELECT RAISE(ABORT, 'a framework version is immutable: save a new version'); END;
