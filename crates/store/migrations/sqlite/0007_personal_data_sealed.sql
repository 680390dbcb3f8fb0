-- Personal values (people's phone and ID number, an organisation's contact phone, the ID numbers
-- of an application's team) are stored sealed with AES-256-GCM (see src/personal.rs). This table
-- records the id of the key they are sealed with — never the key itself, which lives outside
-- the database (INNOMESH_DATA_KEY or personal-data.key) — so an open with another key is refused
-- before anything is read or written. One row.
-- Numbered 0007: 0006 is the accounts migration of issue 12.
CREATE TABLE data_key (
    id    TEXT NOT NULL,
    since TEXT NOT NULL
);
-- The plaintext personal values of records written by earlier versions are sealed by the store
-- when this migration runs (SQL has no AES), in its transaction.
-- innomesh:backfill
