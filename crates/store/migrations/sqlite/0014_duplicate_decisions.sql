-- 重复申报审查: a programme officer's decision on a flagged pair of applications — 确认重复
-- (confirmed) or 排除 (excluded, with the reason). Append-only: a later decision on the same pair
-- supersedes the earlier one, which stays as its history; the pair is kept in id order.
CREATE TABLE duplicate_decisions (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_a        TEXT NOT NULL,
    app_b        TEXT NOT NULL,
    decision     TEXT NOT NULL CHECK (decision IN ('confirmed', 'excluded')),
    reason       TEXT NOT NULL DEFAULT '',
    -- The pair's text reuse (the share shown to the officer) when decided, for the record.
    score        REAL,
    decided_by   TEXT NOT NULL,
    decided_role TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    CHECK (app_a < app_b),
    CHECK (decision <> 'excluded' OR length(trim(reason)) > 0)
);
CREATE INDEX duplicate_decisions_pair ON duplicate_decisions (app_a, app_b, seq);
CREATE TRIGGER duplicate_decisions_no_update BEFORE UPDATE ON duplicate_decisions
BEGIN SELECT RAISE(ABORT, 'a duplicate decision is kept as it was made: record a new one'); END;
CREATE TRIGGER duplicate_decisions_no_delete BEFORE DELETE ON duplicate_decisions
BEGIN SELECT RAISE(ABORT, 'a duplicate decision is kept as it was made: record a new one'); END;
