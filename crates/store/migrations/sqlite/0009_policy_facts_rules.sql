-- 政策找企业: facts the registry lacks, entered by an enterprise or the bureau, and the bureau's
-- versions of policy rules (YAML). Both append-only: the current value is the latest row, and the
-- rows before it are the history (who entered what, when). Every row also has its audit entry.
CREATE TABLE policy_facts (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    org    TEXT NOT NULL,            -- credit code of the organisation
    key    TEXT NOT NULL,            -- fact key of the rules (registered_years, core_ip_count, …)
    value  TEXT,                     -- JSON value; NULL withdraws the fact
    as_of  TEXT NOT NULL,            -- the date the fact describes (YYYY-MM-DD)
    source TEXT NOT NULL,            -- 'enterprise' or 'bureau'
    note   TEXT NOT NULL DEFAULT '',
    actor  TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX policy_facts_org_key ON policy_facts (org, key, seq);
CREATE TRIGGER policy_facts_no_update BEFORE UPDATE ON policy_facts
BEGIN SELECT RAISE(ABORT, 'policy_facts is append-only'); END;
CREATE TRIGGER policy_facts_no_delete BEFORE DELETE ON policy_facts
BEGIN SELECT RAISE(ABORT, 'policy_facts is append-only'); END;

CREATE TABLE policy_rules (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id TEXT NOT NULL,
    yaml    TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT '',
    actor   TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX policy_rules_rule ON policy_rules (rule_id, seq);
CREATE TRIGGER policy_rules_no_update BEFORE UPDATE ON policy_rules
BEGIN SELECT RAISE(ABORT, 'policy_rules is append-only'); END;
CREATE TRIGGER policy_rules_no_delete BEFORE DELETE ON policy_rules
BEGIN SELECT RAISE(ABORT, 'policy_rules is append-only'); END;
