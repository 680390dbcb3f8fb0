-- Demand workflow history: every change of a demand's status, who made it, when and why.
-- Append-only like the audit log.
CREATE TABLE demand_transitions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    demand_id   TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX demand_transitions_demand ON demand_transitions (demand_id, seq);
CREATE TRIGGER demand_transitions_no_update BEFORE UPDATE ON demand_transitions
BEGIN SELECT RAISE(ABORT, 'demand_transitions is append-only'); END;
CREATE TRIGGER demand_transitions_no_delete BEFORE DELETE ON demand_transitions
BEGIN SELECT RAISE(ABORT, 'demand_transitions is append-only'); END;
