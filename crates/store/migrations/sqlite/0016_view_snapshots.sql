-- The last computed value of a slow page view (`innomesh_app::views`), so that right after a
-- restart a page shows the previous figures marked 「正在更新」 instead of 「正在准备」. Derived
-- data, not registry data: written without an audit entry and without moving the registry
-- version; bounded (the store keeps the most recent rows only); safe to empty at any time.
CREATE TABLE view_snapshots (
    key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    body TEXT NOT NULL
);
