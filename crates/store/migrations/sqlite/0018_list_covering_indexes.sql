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
-- Filters that cannot seek (a flag, words in the name or text) scan this index instead of the
-- table: every list column of a kind in id order, without the documents (a fifth of the bytes for
-- organisations), so a count reads only it and a page stops at its last row.
CREATE INDEX entities_kind_columns
    ON entities (kind, id, name, region, industry_path, subkind, tier, flags, search_text);
