-- 政策找企业 reads entered facts one fact key at a time (a column over every enterprise): the
-- latest row per (key, org) found in this index alone (it carries the value), never the whole
-- table nor the rows of other keys.
CREATE INDEX policy_facts_key_org ON policy_facts (key, org, seq, value);
-- Records by kind and subkind (patents among achievements), so that counting each enterprise's
-- patents reads this index and the references' key, never the records themselves.
CREATE INDEX entities_kind_subkind ON entities (kind, subkind, id);
