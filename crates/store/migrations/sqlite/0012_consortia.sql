-- 创新联合体组建建议: proposals saved by the bureau. A saved proposal never changes (a change is a
-- new proposal, which may name the one it revises); its members, reasons and the relations
-- between members are kept as the JSON the application core checked.
CREATE TABLE consortium_proposals (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    basis_kind  TEXT NOT NULL CHECK (basis_kind IN ('node', 'problem', 'demand')),
    basis_id    TEXT NOT NULL,
    basis_label TEXT NOT NULL,
    revises     TEXT,
    data        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX consortium_proposals_basis ON consortium_proposals (basis_kind, basis_id);
CREATE TRIGGER consortium_proposals_no_update BEFORE UPDATE ON consortium_proposals
BEGIN SELECT RAISE(ABORT, 'a saved consortium proposal is immutable: save a new one'); END;
CREATE TRIGGER consortium_proposals_no_delete BEFORE DELETE ON consortium_proposals
BEGIN SELECT RAISE(ABORT, 'a saved consortium proposal is immutable: save a new one'); END;
