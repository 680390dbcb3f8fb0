-- List pages page through one kind in id (or name) order under a filter. With the id in the
-- filter's index, SQLite sorts and skips the matching (key, id, rowid) entries of the index alone
-- and then reads only the page's rows (see `list`). Before, it sorted the matching whole rows,
-- documents included: at ×100 one industry section is 280,000 rows sorted to show 20.
DROP INDEX entities_kind_region;
DROP INDEX entities_kind_industry;
DROP INDEX entities_kind_name;
CREATE INDEX entities_kind_region ON entities (kind, region, id);
CREATE INDEX entities_kind_industry ON entities (kind, industry_path, id);
CREATE INDEX entities_kind_name ON entities (kind, name, id);
CREATE INDEX entities_kind_tier ON entities (kind, tier, id);
-- A text filter (`name` or `search_text` containing the words) cannot seek, but it can scan this
-- index instead of the table: the list columns of a kind, not its documents (a tenth of the
-- bytes for organisations).
CREATE INDEX entities_kind_text ON entities (kind, name, search_text, id);
