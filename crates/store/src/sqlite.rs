//! SQLite implementation of `Repository`: WAL journal, one transaction per write or import.

use crate::audit::{AuditFields, ChainWalk};
use crate::keyfile::{self, KeyOrigin};
use crate::personal::{DataKey, Keyring};
use crate::query::{like_escape, prefix_upper, ListQuery, Page, ScopeFilter, Sort};
use crate::DemandTransition;
use crate::{
    Actor, AuditEntry, AuditVerification, BatchError, ImportSummary, Relation, Repository,
    StoreError,
};
use innomesh_core::model::DemandStatus;
use innomesh_core::{EntityKind, Record, Reference};
use rusqlite::{params, Connection, OptionalExtension, ToSql, Transaction};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

mod accounts;
mod assessment;
mod checks;
mod consortium;
mod duplicates;
mod keys;
mod migrate;
mod policy;
mod pool;
mod sharing;
mod workflow;

use pool::{Connections, BUSY_TIMEOUT};

use crate::common::{decode, referenced_message, DELETED};
use checks::{check_references, checked_single};
pub use keys::KeyRotation;
use workflow::{guard_update, log_status};

pub struct SqliteStore {
    conns: Connections,
    /// The keys personal values are sealed and opened with (see `crate::personal`).
    keys: RwLock<Keyring>,
    /// Where the key came from, and the directory of its key file (rotation writes there).
    key_home: KeyHome,
    /// Registry rows handed out (`Repository::rows_read`).
    rows_read: AtomicU64,
}

struct KeyHome {
    origin: KeyOrigin,
    dir: Option<PathBuf>,
}

const UPSERT: &str = "INSERT INTO entities (kind, id, name, region, industry_path, subkind, tier, flags, search_text, sort_number, data, created_at, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
     ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, region = excluded.region,
       industry_path = excluded.industry_path, subkind = excluded.subkind, tier = excluded.tier,
       flags = excluded.flags, search_text = excluded.search_text, sort_number = excluded.sort_number,
       data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

const AUDIT: &str = "INSERT INTO audit_log (seq, at, actor, role, source, action, kind, entity_id, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// The columns of an `AuditEntry`, in the order `audit_entry` reads them.
const AUDIT_COLUMNS: &str =
    "seq, at, actor, role, source, action, kind, entity_id, detail, prev_hash, hash";

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations. The
    /// personal-data key comes from `INNOMESH_DATA_KEY`, else from `personal-data.key` beside the
    /// database (created on first open, owner-only); an open refuses a key the database's
    /// personal values were not sealed with.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let (key, origin) = keyfile::load(dir)?;
        let dir = matches!(origin, KeyOrigin::File(_)).then(|| dir.to_path_buf());
        Self::open_keyed(path, key, origin, dir)
    }

    /// Opens the database file with the given personal-data key (no key file is read or written).
    pub fn open_with_key(path: &Path, key: DataKey) -> Result<Self, StoreError> {
        Self::open_keyed(path, key, KeyOrigin::Given, None)
    }

    fn open_keyed(
        path: &Path,
        key: DataKey,
        origin: KeyOrigin,
        dir: Option<PathBuf>,
    ) -> Result<Self, StoreError> {
        let mut writer = Connection::open(path)?;
        let key = keys::settle(&mut writer, key, &origin, dir.as_deref())?;
        let keyring = Keyring::new(key);
        let writer = Self::prepare(writer, &keyring)?;
        keys::check(&writer, &keyring, &origin)?;
        Ok(Self {
            conns: Connections::file(writer, path)?,
            keys: RwLock::new(keyring),
            key_home: KeyHome { origin, dir },
            rows_read: AtomicU64::new(0),
        })
    }

    /// A private database in memory (tests, demos), its personal-data key made for it; reads go
    /// through the one connection.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let keyring = Keyring::new(DataKey::generate()?);
        let writer = Self::prepare(Connection::open_in_memory()?, &keyring)?;
        Ok(Self {
            conns: Connections::single(writer),
            keys: RwLock::new(keyring),
            key_home: KeyHome {
                origin: KeyOrigin::Given,
                dir: None,
            },
            rows_read: AtomicU64::new(0),
        })
    }

    fn prepare(mut conn: Connection, keys: &Keyring) -> Result<Connection, StoreError> {
        // WAL: readers never block the writer; NORMAL sync is durable against process crashes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -64000)?;
        // Deleted and replaced content is overwritten, not left in free space: a deleted person
        // or a value sealed in place of its plaintext leaves no copy in the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        let applied = migrate::run(&mut conn, keys)?;
        if applied.contains(&7) {
            // The plaintext just sealed is still in pages of the log: write them back now.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(conn)
    }

    fn keyring(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn count_read(&self, n: usize) {
        self.rows_read.fetch_add(n as u64, Ordering::Relaxed);
    }

    fn decode(&self, kind: EntityKind, data: &str) -> Result<Record, StoreError> {
        decode(&self.keyring(), kind, data)
    }

    /// Where the personal-data key in use came from.
    pub fn key_origin(&self) -> &KeyOrigin {
        &self.key_home.origin
    }

    /// The id of the key personal values are sealed with.
    pub fn key_id(&self) -> String {
        self.keyring().current.id().to_string()
    }
}

fn write_record(
    tx: &Transaction<'_>,
    keys: &Keyring,
    record: &Record,
    now: &str,
    actor: &Actor,
    note: &str,
) -> Result<(), StoreError> {
    if let Record::Demand(d) = record {
        log_status(tx, &d.id, d.status, now, &actor.name, note)?;
    }
    let idx = record.index();
    let flags = if idx.flags.is_empty() {
        String::new()
    } else {
        format!(",{},", idx.flags.join(","))
    };
    let kind = record.kind();
    let doc = record.to_json();
    let mut sealed = doc.clone();
    keys.seal_doc(kind, &mut sealed)?;
    let mut stmt = tx.prepare_cached(UPSERT)?;
    stmt.execute(params![
        kind.code(),
        record.id(),
        idx.name,
        idx.region,
        idx.industry_path,
        idx.subkind,
        idx.tier,
        flags,
        idx.text,
        idx.number,
        sealed.to_string(),
        now,
        actor.name
    ])?;
    tx.prepare_cached("DELETE FROM record_refs WHERE kind = $1 AND id = $2")?
        .execute(params![kind.code(), record.id()])?;
    insert_references(
        tx,
        kind,
        record.id(),
        &innomesh_core::references_in(kind, &doc),
    )?;
    Ok(())
}

/// Writes the rows of `record_refs` for one record (its old rows already gone).
fn insert_references(
    tx: &Connection,
    kind: EntityKind,
    id: &str,
    refs: &[Reference],
) -> rusqlite::Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO record_refs (kind, id, field, target_kind, target_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
    )?;
    for r in refs {
        ins.execute(params![kind.code(), id, r.field, r.kind.code(), r.id])?;
    }
    Ok(())
}

/// Appends one audit entry, chained to the last one. Called only inside the writer's
/// transactions, so the entry read as the last one is still the last when this one commits.
fn audit(
    tx: &Connection,
    now: &str,
    actor: &Actor,
    action: &str,
    kind: Option<&str>,
    id: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    audit_chained(tx, &mut None, now, actor, action, kind, id, detail)
}

/// The chain's head (last seq and hash) as of now in this transaction.
fn chain_head(tx: &Connection) -> rusqlite::Result<(i64, String)> {
    Ok(tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_else(|| (0, crate::GENESIS_HASH.to_string())))
}

/// An audit entry chained to `head` (read from the log when `None`, then kept current), so a
/// batch that writes many entries in one transaction reads the head once.
#[allow(clippy::too_many_arguments)]
fn audit_chained(
    tx: &Connection,
    head: &mut Option<(i64, String)>,
    now: &str,
    actor: &Actor,
    action: &str,
    kind: Option<&str>,
    id: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    let (last, prev_hash) = match head.take() {
        Some(h) => h,
        None => chain_head(tx)?,
    };
    let seq = last + 1;
    let hash = crate::audit_hash(
        &prev_hash,
        seq,
        &AuditFields {
            at: now,
            actor: &actor.name,
            role: &actor.role,
            source: &actor.source,
            action,
            kind,
            entity_id: id,
            detail,
        },
    );
    tx.prepare_cached(AUDIT)?.execute(params![
        seq,
        now,
        actor.name,
        actor.role,
        actor.source,
        action,
        kind,
        id,
        detail,
        prev_hash,
        hash
    ])?;
    *head = Some((seq, hash));
    Ok(())
}

fn audit_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        role: r.get(3)?,
        source: r.get(4)?,
        action: r.get(5)?,
        kind: r.get(6)?,
        entity_id: r.get(7)?,
        detail: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

fn existing_ids(conn: &Connection, kind: EntityKind) -> rusqlite::Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT id FROM entities WHERE kind = $1")?;
    let rows = stmt.query_map([kind.code()], |r| r.get::<_, String>(0))?;
    rows.collect()
}

fn next_id(
    tx: &Transaction<'_>,
    kind: EntityKind,
    taken: impl Fn(&str) -> rusqlite::Result<bool>,
) -> rusqlite::Result<String> {
    let mut n: i64 = tx
        .query_row(
            "SELECT next FROM id_counters WHERE kind = $1",
            [kind.code()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(1);
    let id = loop {
        let candidate = format!("{}{:06}", kind.id_prefix(), n);
        n += 1;
        if !taken(&candidate)? {
            break candidate;
        }
    };
    tx.execute(
        "INSERT INTO id_counters (kind, next) VALUES ($1, $2) ON CONFLICT (kind) DO UPDATE SET next = excluded.next",
        params![kind.code(), n],
    )?;
    Ok(id)
}

fn exists(conn: &Connection, kind: EntityKind, id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM entities WHERE kind = $1 AND id = $2",
        params![kind.code(), id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Records pointing at `kind`/`id`, other than itself, by kind and id.
fn referrers(conn: &Connection, kind: EntityKind, id: &str) -> rusqlite::Result<Vec<Relation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, id, field FROM record_refs WHERE target_kind = $1 AND target_id = $2
           AND NOT (kind = $1 AND id = $2)
         ORDER BY kind, id, field",
    )?;
    let rows = stmt.query_map(params![kind.code(), id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, id, field) = row?;
        if let Some(kind) = EntityKind::from_code(&kind) {
            out.push(Relation { kind, id, field });
        }
    }
    Ok(out)
}

impl SqliteStore {
    /// A meta value and its audit entry in one transaction; `detail` is what the audit log keeps
    /// (the value itself, or a placeholder for secrets).
    fn write_meta(
        &self,
        key: &str,
        value: &str,
        actor: &Actor,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        audit(
            &tx,
            &crate::now_rfc3339(),
            actor,
            action,
            None,
            Some(key),
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }
}

impl Repository for SqliteStore {
    fn import(
        &self,
        mut records: Vec<Record>,
        actor: &Actor,
        source: &str,
        progress: &dyn Fn(usize),
    ) -> Result<Result<ImportSummary, Vec<BatchError>>, StoreError> {
        let mut conn = self.conns.write();
        // The store holds only records that keep their own rules, whoever writes them.
        let mut errors = crate::common::invalid_records(&records);
        errors.extend(check_references(&conn, &mut records)?);
        errors.extend(crate::common::repeated_ids(&records));
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.index);
            return Ok(Err(errors));
        }
        let now = crate::now_rfc3339();
        let keys = self.keyring();
        let tx = conn.transaction()?;
        let mut existing: HashMap<EntityKind, HashSet<String>> = HashMap::new();
        let mut summary = ImportSummary::default();
        let import_note = format!("导入：{source}");
        let mut head = None;
        audit_chained(
            &tx,
            &mut head,
            &now,
            actor,
            "import_begin",
            None,
            None,
            &format!("{source}：{} 条", records.len()),
        )?;
        for (i, mut record) in records.into_iter().enumerate() {
            let kind = record.kind();
            if let std::collections::hash_map::Entry::Vacant(e) = existing.entry(kind) {
                e.insert(existing_ids(&tx, kind)?);
            }
            let taken = existing.entry(kind).or_default();
            if record.id().is_empty() {
                let id = next_id(&tx, kind, |c| Ok(taken.contains(c)))?;
                record.set_id(id);
            }
            let action = if taken.contains(record.id()) {
                summary.updated += 1;
                "import_update"
            } else {
                summary.created += 1;
                taken.insert(record.id().to_string());
                "import_create"
            };
            write_record(&tx, &keys, &record, &now, actor, &import_note)?;
            audit_chained(
                &tx,
                &mut head,
                &now,
                actor,
                action,
                Some(kind.code()),
                Some(record.id()),
                source,
            )?;
            if i % 1000 == 999 {
                progress(i + 1);
            }
        }
        audit_chained(
            &tx,
            &mut head,
            &now,
            actor,
            "import_commit",
            None,
            None,
            &format!(
                "{source}：新增 {}，更新 {}",
                summary.created, summary.updated
            ),
        )?;
        tx.commit()?;
        Ok(Ok(summary))
    }

    fn create(&self, record: Record, actor: &Actor) -> Result<Record, StoreError> {
        let mut conn = self.conns.write();
        let mut record = checked_single(&conn, record)?;
        let kind = record.kind();
        let tx = conn.transaction()?;
        if record.id().is_empty() {
            // One lookup per candidate id: a single create need not load every id of its kind.
            let id = next_id(&tx, kind, |candidate| exists(&tx, kind, candidate))?;
            record.set_id(id);
        } else {
            if exists(&tx, kind, record.id())? {
                return Err(StoreError::Conflict(format!(
                    "{}「{}」已存在，请改用更新",
                    kind.label(),
                    record.id()
                )));
            }
        }
        let now = crate::now_rfc3339();
        write_record(&tx, &self.keyring(), &record, &now, actor, "新建")?;
        audit(
            &tx,
            &now,
            actor,
            "create",
            Some(kind.code()),
            Some(record.id()),
            &record.to_masked_json().to_string(),
        )?;
        tx.commit()?;
        Ok(record)
    }

    fn update(
        &self,
        kind: EntityKind,
        id: &str,
        mut record: Record,
        actor: &Actor,
    ) -> Result<Record, StoreError> {
        crate::common::update_target(kind, id, &mut record)?;
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let record = checked_single(&tx, record)?;
        if !exists(&tx, kind, id)? {
            return Err(StoreError::NotFound {
                kind: kind.label(),
                id: id.to_string(),
            });
        }
        guard_update(&tx, &record)?;
        let now = crate::now_rfc3339();
        write_record(&tx, &self.keyring(), &record, &now, actor, "编辑记录")?;
        audit(
            &tx,
            &now,
            actor,
            "update",
            Some(kind.code()),
            Some(id),
            &record.to_masked_json().to_string(),
        )?;
        tx.commit()?;
        Ok(record)
    }

    fn delete(&self, kind: EntityKind, id: &str, actor: &Actor) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let old: Option<String> = tx
            .query_row(
                "SELECT data FROM entities WHERE kind = $1 AND id = $2",
                params![kind.code(), id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(old) = old else {
            return Err(StoreError::NotFound {
                kind: kind.label(),
                id: id.to_string(),
            });
        };
        let referrers = referrers(&tx, kind, id)?;
        if !referrers.is_empty() {
            return Err(StoreError::Referenced(referenced_message(kind, &referrers)));
        }
        if let Some(m) = sharing::kept_by(&tx, kind, id)? {
            return Err(StoreError::Referenced(m));
        }
        tx.execute(
            "DELETE FROM entities WHERE kind = $1 AND id = $2",
            params![kind.code(), id],
        )?;
        if kind == EntityKind::Demand {
            // Closes this demand's history: a later demand with the same id starts afresh.
            tx.execute(
                "INSERT INTO demand_transitions (demand_id, from_status, to_status, actor, note, at)
                 VALUES ($1, json_extract($2, '$.status'), $3, $4, '删除记录', $5)",
                params![id, old, DELETED, actor.name, crate::now_rfc3339()],
            )?;
        }
        tx.execute(
            "DELETE FROM record_refs WHERE kind = $1 AND id = $2",
            params![kind.code(), id],
        )?;
        let masked = self
            .decode(kind, &old)
            .map(|r| r.to_masked_json().to_string())
            .unwrap_or_default();
        audit(
            &tx,
            &crate::now_rfc3339(),
            actor,
            "delete",
            Some(kind.code()),
            Some(id),
            &masked,
        )?;
        tx.commit()?;
        Ok(())
    }

    fn transition_demand(
        &self,
        id: &str,
        to: DemandStatus,
        manager: Option<&str>,
        actor: &Actor,
        note: &str,
    ) -> Result<Record, StoreError> {
        workflow::transition(
            &mut self.conns.write(),
            &self.keyring(),
            id,
            to,
            manager,
            actor,
            note,
        )
    }

    fn demand_history(&self, id: Option<&str>) -> Result<Vec<DemandTransition>, StoreError> {
        workflow::history(&self.conns.read(), id)
    }

    fn get(&self, kind: EntityKind, id: &str) -> Result<Option<Record>, StoreError> {
        let conn = self.conns.read();
        let data: Option<String> = conn
            .query_row(
                "SELECT data FROM entities WHERE kind = $1 AND id = $2",
                params![kind.code(), id],
                |r| r.get(0),
            )
            .optional()?;
        self.count_read(usize::from(data.is_some()));
        data.map(|d| self.decode(kind, &d)).transpose()
    }

    fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        let mut clauses = vec!["kind = $1".to_string()];
        let mut args: Vec<String> = vec![q.kind.code().to_string()];
        let mut push = |clause: &str, values: Vec<String>, args: &mut Vec<String>| {
            let mut c = clause.to_string();
            for v in values {
                args.push(v);
                c = c.replacen("{}", &format!("${}", args.len()), 1);
            }
            clauses.push(c);
        };
        if let Some(p) = &q.region_prefix {
            push(
                "region >= {} AND region < {}",
                vec![p.clone(), prefix_upper(p)],
                &mut args,
            );
        }
        if let Some(p) = &q.industry_prefix {
            push(
                "industry_path >= {} AND industry_path < {}",
                vec![p.clone(), prefix_upper(p)],
                &mut args,
            );
        }
        if let Some(s) = &q.subkind {
            push("subkind = {}", vec![s.clone()], &mut args);
        }
        if let Some(t) = &q.tier {
            push("tier = {}", vec![t.clone()], &mut args);
        }
        if let Some(f) = &q.flag {
            push(
                "flags LIKE {} ESCAPE '\\'",
                vec![format!("%,{},%", like_escape(f))],
                &mut args,
            );
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pat = format!("%{}%", like_escape(t));
            push(
                "(name LIKE {} ESCAPE '\\' OR search_text LIKE {} ESCAPE '\\' OR id IN ({}, {}))",
                vec![pat.clone(), pat, t.to_string(), t.to_uppercase()],
                &mut args,
            );
        }
        if let Some(ids) = &q.only_ids {
            // One JSON parameter, however many ids (a chain can hold thousands of organisations).
            let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
            push(
                "id IN (SELECT value FROM json_each({}))",
                vec![list],
                &mut args,
            );
        }
        if let Some(after) = &q.after_id {
            push("id > {}", vec![after.clone()], &mut args);
        }
        if let Some(filters) = &q.scope {
            let mut any = Vec::new();
            for f in filters {
                let mut c = String::new();
                let arg = |v: &str, args: &mut Vec<String>| {
                    args.push(v.to_string());
                    format!("${}", args.len())
                };
                match f {
                    ScopeFilter::RegionPrefix(p) => {
                        let (lo, hi) = (arg(p, &mut args), arg(&prefix_upper(p), &mut args));
                        c.push_str(&format!("(region >= {lo} AND region < {hi})"));
                    }
                    ScopeFilter::Ids(ids) if ids.is_empty() => c.push('0'),
                    ScopeFilter::Ids(ids) => {
                        let list: Vec<String> = ids.iter().map(|i| arg(i, &mut args)).collect();
                        c.push_str(&format!("id IN ({})", list.join(", ")));
                    }
                    ScopeFilter::RefersTo { ids, .. } if ids.is_empty() => c.push('0'),
                    ScopeFilter::RefersTo { kind, ids } => {
                        let k = arg(q.kind.code(), &mut args);
                        let tk = arg(kind.code(), &mut args);
                        let list: Vec<String> = ids.iter().map(|i| arg(i, &mut args)).collect();
                        c.push_str(&format!(
                            "id IN (SELECT id FROM record_refs WHERE kind = {k} AND target_kind = {tk} AND target_id IN ({}))",
                            list.join(", ")
                        ));
                    }
                }
                any.push(c);
            }
            if any.is_empty() {
                clauses.push("0".into());
            } else {
                clauses.push(format!("({})", any.join(" OR ")));
            }
        }
        let wh = clauses.join(" AND ");
        let order = match q.sort {
            Sort::Id => "id",
            Sort::Name => "name, id",
            Sort::NumberDesc => "sort_number IS NULL, sort_number DESC, id",
            Sort::UpdatedDesc => "updated_at DESC, id",
        };
        // A text that is a record's id (a credit code, AP000002, typed in any case) puts that
        // record first, whatever the sort; the others follow in the chosen order.
        let mut page_args = args.clone();
        // (Not while paging by key: the keyset needs plain id order.)
        let exact = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let order = match exact.filter(|_| q.after_id.is_none()) {
            Some(t) => {
                page_args.push(t.to_string());
                page_args.push(t.to_uppercase());
                format!(
                    "id IN (${}, ${}) DESC, {order}",
                    page_args.len() - 1,
                    page_args.len()
                )
            }
            None => order.to_string(),
        };
        let per_page = q.per_page.clamp(1, 1000);
        let page = q.page.max(1);
        let conn = self.conns.read();
        // The count and the page from one snapshot, even while an import commits between them.
        let snapshot = conn.unchecked_transaction()?;
        let params: Vec<&dyn ToSql> = args.iter().map(|s| s as &dyn ToSql).collect();
        let total: i64 = snapshot.query_row(
            &format!("SELECT COUNT(*) FROM entities WHERE {wh}"),
            params.as_slice(),
            |r| r.get(0),
        )?;
        // The page's rows are chosen from the filter's index alone (it carries the id), then
        // read: sorting whole rows would sort every matching document to show `per_page`.
        let sql = format!(
            "SELECT data FROM entities WHERE rowid IN (SELECT rowid FROM entities WHERE {wh} \
             ORDER BY {order} LIMIT {per_page} OFFSET {}) ORDER BY {order}",
            (page - 1) * per_page
        );
        let mut stmt = snapshot.prepare(&sql)?;
        let page_params: Vec<&dyn ToSql> = page_args.iter().map(|s| s as &dyn ToSql).collect();
        let rows = stmt.query_map(page_params.as_slice(), |r| r.get::<_, String>(0))?;
        let mut records = Vec::new();
        let keys = self.keyring();
        for row in rows {
            records.push(decode(&keys, q.kind, &row?)?);
        }
        drop(stmt);
        snapshot.finish()?;
        self.count_read(records.len());
        Ok(Page {
            total: total as usize,
            page,
            per_page,
            records,
        })
    }

    fn all(&self, kind: EntityKind) -> Result<Vec<Record>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare("SELECT data FROM entities WHERE kind = $1 ORDER BY id")?;
        let rows = stmt.query_map([kind.code()], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        let keys = self.keyring();
        for row in rows {
            out.push(decode(&keys, kind, &row?)?);
        }
        self.count_read(out.len());
        Ok(out)
    }

    fn count(&self, kind: EntityKind) -> Result<usize, StoreError> {
        let conn = self.conns.read();
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM entities WHERE kind = $1",
            [kind.code()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    fn referrers(&self, kind: EntityKind, id: &str) -> Result<Vec<Relation>, StoreError> {
        Ok(referrers(&self.conns.read(), kind, id)?)
    }

    fn org_names(&self, codes: &[String]) -> Result<HashMap<String, String>, StoreError> {
        let conn = self.conns.read();
        let mut out = HashMap::new();
        for chunk in codes.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
            let sql = format!(
                "SELECT id, name FROM entities WHERE kind = 'organisation' AND id IN ({})",
                placeholders.join(",")
            );
            let mut stmt = conn.prepare(&sql)?;
            let params: Vec<&dyn ToSql> = chunk.iter().map(|s| s as &dyn ToSql).collect();
            let rows = stmt.query_map(params.as_slice(), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, name) = row?;
                out.insert(id, name);
            }
        }
        Ok(out)
    }

    fn audit(
        &self,
        kind: Option<EntityKind>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log
             WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR entity_id = $2)
             ORDER BY seq DESC LIMIT $3"
        ))?;
        let rows = stmt.query_map(
            params![kind.map(|k| k.code()), id, limit.min(10_000) as i64],
            audit_entry,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn version(&self) -> Result<i64, StoreError> {
        let conn = self.conns.read();
        Ok(
            // Account changes and unmasks are audited but change no registry record; the newest
            // entry that does is found walking back from the end (no scan of the whole log).
            conn.query_row(
                "SELECT COALESCE((SELECT seq FROM audit_log WHERE COALESCE(kind, '') NOT IN ('user', 'booking', 'voucher_claim', 'consortium', 'assessment_evidence', 'duplicate_decision') AND action <> 'unmask' ORDER BY seq DESC LIMIT 1), 0)",
                [],
                |r| r.get(0),
            )?,
        )
    }

    fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))?;
        let rows = stmt.query_map(params![seq, limit as i64], audit_entry)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let conn = self.conns.read();
        // One snapshot for the whole walk, so writes meanwhile neither show up half nor count
        // as breaks.
        let snapshot = conn.unchecked_transaction()?;
        let mut stmt = snapshot.prepare(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
        ))?;
        let mut rows = stmt.query([])?;
        let mut walk = ChainWalk::default();
        while let Some(row) = rows.next()? {
            walk.step(&audit_entry(row)?);
        }
        drop(rows);
        drop(stmt);
        // Entries removed at the end leave no later entry to miss them, but SQLite's
        // AUTOINCREMENT counter remembers the highest sequence ever given.
        let highest: i64 = snapshot
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        walk.end(highest);
        snapshot.finish()?;
        Ok(walk.into_verification())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = $1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        self.write_meta(key, value, actor, "set_meta", value)
    }

    fn save_view_snapshot(
        &self,
        key: &str,
        version: i64,
        at: i64,
        body: &str,
    ) -> Result<(), StoreError> {
        if body.len() > crate::MAX_VIEW_SNAPSHOT_BYTES {
            return Ok(());
        }
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO view_snapshots (key, version, at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET version = excluded.version, at = excluded.at, body = excluded.body",
            params![key, version, at, body],
        )?;
        tx.execute(
            "DELETE FROM view_snapshots WHERE key NOT IN \
             (SELECT key FROM view_snapshots ORDER BY at DESC, key LIMIT $1)",
            params![crate::MAX_VIEW_SNAPSHOTS as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn view_snapshot(&self, key: &str) -> Result<Option<(i64, i64, String)>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                "SELECT version, at, body FROM view_snapshots WHERE key = $1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    fn set_secret(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        self.write_meta(key, value, actor, "set_secret", crate::SECRET_HIDDEN)
    }

    fn counts_by_region(&self, kind: EntityKind) -> Result<Vec<(String, usize)>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(
            "SELECT COALESCE(region, ''), COUNT(*) FROM entities WHERE kind = $1 GROUP BY region ORDER BY region",
        )?;
        let rows = stmt.query_map([kind.code()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn set_policy_facts(
        &self,
        rows: &[(String, crate::FactEntry)],
        actor: &Actor,
    ) -> Result<(), StoreError> {
        policy::set_facts(&mut self.conns.write(), rows, actor)
    }

    fn policy_facts(&self, org: Option<&str>) -> Result<Vec<crate::StoredFact>, StoreError> {
        policy::facts(&self.conns.read(), org)
    }

    fn latest_fact_values(
        &self,
        key: &str,
        org: Option<&str>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        policy::latest_values(&self.conns.read(), key, org)
    }

    fn enterprise_profiles(
        &self,
        region_prefix: &str,
        id: Option<&str>,
    ) -> Result<Vec<crate::EnterpriseProfile>, StoreError> {
        policy::enterprise_profiles(&self.conns.read(), region_prefix, id)
    }

    fn patent_counts(&self, org: Option<&str>) -> Result<HashMap<String, u32>, StoreError> {
        policy::patent_counts(&self.conns.read(), org)
    }

    fn index_rows(
        &self,
        kind: EntityKind,
        ids: Option<&[String]>,
    ) -> Result<Vec<crate::IndexRow>, StoreError> {
        const COLUMNS: &str =
            "SELECT id, name, region, industry_path, subkind, tier, flags, search_text FROM entities";
        let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<crate::IndexRow> {
            let flags: String = r.get(6)?;
            Ok(crate::IndexRow {
                id: r.get(0)?,
                name: r.get(1)?,
                region: r.get(2)?,
                industry_path: r.get(3)?,
                subkind: r.get(4)?,
                tier: r.get(5)?,
                flags: flags
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                text: r.get(7)?,
            })
        };
        let conn = self.conns.read();
        match ids {
            None => {
                let mut stmt = conn.prepare(&format!("{COLUMNS} WHERE kind = $1 ORDER BY id"))?;
                let rows = stmt
                    .query_map([kind.code()], row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                self.count_read(rows.len());
                Ok(rows)
            }
            Some(ids) => {
                let mut ids: Vec<&String> = ids.iter().collect();
                ids.sort();
                ids.dedup();
                let mut stmt =
                    conn.prepare_cached(&format!("{COLUMNS} WHERE kind = $1 AND id = $2"))?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(r) = stmt
                        .query_map(params![kind.code(), id], row)?
                        .next()
                        .transpose()?
                    {
                        out.push(r);
                    }
                }
                self.count_read(out.len());
                Ok(out)
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    fn save_policy_rule(
        &self,
        rule_id: &str,
        yaml: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        policy::save_rule(&mut self.conns.write(), rule_id, yaml, note, actor)
    }

    fn policy_rules(&self, rule_id: Option<&str>) -> Result<Vec<crate::RuleVersion>, StoreError> {
        policy::rules(&self.conns.read(), rule_id)
    }
}
