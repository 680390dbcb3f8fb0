-- 考核评估, continued: the centre–laboratory pairs a joint round assesses, and the evidence files
-- platforms (or the bureau) upload for an indicator value.

-- A joint round's units: each a manufacturing innovation centre and a key laboratory, chosen
-- when the round is created and frozen with it.
CREATE TABLE assessment_round_pairs (
    round_id   TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id    TEXT NOT NULL,
    centre     TEXT NOT NULL,
    laboratory TEXT NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);
CREATE TRIGGER assessment_round_pairs_no_update BEFORE UPDATE ON assessment_round_pairs
BEGIN SELECT RAISE(ABORT, 'the pairs of an assessment round are fixed when it is created'); END;
CREATE TRIGGER assessment_round_pairs_no_delete BEFORE DELETE ON assessment_round_pairs
BEGIN SELECT RAISE(ABORT, 'the pairs of an assessment round are fixed when it is created'); END;

-- Evidence files: the bytes are kept in the database (no file name ever reaches the file
-- system), with the type found from the content, the size and the SHA-256. Append-only: a new
-- file is a new row; nothing is changed or removed, so a published round keeps its evidence.
CREATE TABLE assessment_evidence (
    id           TEXT PRIMARY KEY,
    round_id     TEXT NOT NULL REFERENCES assessment_rounds (id),
    unit_id      TEXT NOT NULL,
    indicator    TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX assessment_evidence_entry ON assessment_evidence (round_id, unit_id, indicator);
CREATE TRIGGER assessment_evidence_no_update BEFORE UPDATE ON assessment_evidence
BEGIN SELECT RAISE(ABORT, 'evidence files are kept as uploaded'); END;
CREATE TRIGGER assessment_evidence_no_delete BEFORE DELETE ON assessment_evidence
BEGIN SELECT RAISE(ABORT, 'evidence files are kept as uploaded'); END;
-- No new evidence once the round is published.
CREATE TRIGGER assessment_evidence_frozen BEFORE INSERT ON assessment_evidence
WHEN (SELECT status FROM assessment_rounds WHERE id = NEW.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published assessment round is immutable'); END;
