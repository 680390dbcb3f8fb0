-- Registry: one table of entities of every kind, indexed by what lists filter on.
-- Portable on purpose: TEXT / INTEGER / DOUBLE PRECISION and $N placeholders, as PostgreSQL accepts.
CREATE TABLE entities (
    kind          TEXT NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    region        TEXT,
    industry_path TEXT,
    subkind       TEXT,
    tier          TEXT,
    flags         TEXT NOT NULL DEFAULT '',
    search_text   TEXT NOT NULL DEFAULT '',
    sort_number   DOUBLE PRECISION,
    data          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX entities_kind_region ON entities (kind, region);
CREATE INDEX entities_kind_industry ON entities (kind, industry_path);
CREATE INDEX entities_kind_name ON entities (kind, name);

-- Which organisation (credit code) each record points at, for relations and safe deletes.
CREATE TABLE entity_refs (
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    field TEXT NOT NULL,
    org   TEXT NOT NULL,
    PRIMARY KEY (kind, id, field, org)
);
CREATE INDEX entity_refs_org ON entity_refs (org);

CREATE TABLE id_counters (
    kind TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
