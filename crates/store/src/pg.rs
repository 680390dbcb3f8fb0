//! PostgreSQL implementation of `Repository` (PostgreSQL 13+, no extensions): records as JSONB
//! documents beside the columns lists filter on, the same audit hash chain as SQLite, and the
//! same workflow rules. Every audited write is one transaction that first takes a transaction
//! advisory lock, so writes — from this process or from another instance on the same database —
//! are applied one after the other and the audit chain stays one line. Reads never take it.

use crate::audit::{AuditFields, ChainWalk};
use crate::checks::{check_references, checked_single, Lookup};
use crate::common::{decode, referenced_message, DELETED};
use crate::keyfile::{self, KeyOrigin};
use crate::personal::{DataKey, Keyring};
use crate::query::{like_escape, prefix_upper, ListQuery, Page, ScopeFilter, Sort};
use crate::{
    Actor, AuditEntry, AuditVerification, BatchError, DemandTransition, ImportSummary, Relation,
    Repository, StoreError,
};
use innomesh_core::model::DemandStatus;
use innomesh_core::{EntityKind, Labelled, Record, Reference};
use postgres::types::ToSql;
use postgres::{GenericClient, IsolationLevel, Row, Transaction};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

mod extra;
mod migrate;
mod pool;

pub use migrate::{migrate, KNOWN_VERSION};
use pool::Pool;

/// A parameter list.
type Args = Vec<Box<dyn ToSql + Sync>>;

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => StoreError::Database(format!("{}（{}）", db.message(), db.code().code())),
            None => StoreError::Database(e.to_string()),
        }
    }
}

pub struct PgStore {
    pool: Pool,
    keys: RwLock<Keyring>,
    key_origin: KeyOrigin,
    rows_read: AtomicU64,
    /// The advisory lock every audited write takes (one per schema, so several registries in
    /// one database do not wait for each other).
    lock_key: i64,
}

const UPSERT: &str = "INSERT INTO entities (kind, id, name, region, industry_path, subkind, tier, flags, search_text, sort_number, data, created_at, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb, $12, $12, $13)
     ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, region = excluded.region,
       industry_path = excluded.industry_path, subkind = excluded.subkind, tier = excluded.tier,
       flags = excluded.flags, search_text = excluded.search_text, sort_number = excluded.sort_number,
       data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

const AUDIT: &str = "INSERT INTO audit_log (seq, at, actor, role, source, action, kind, entity_id, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const AUDIT_COLUMNS: &str =
    "seq, at, actor, role, source, action, kind, entity_id, detail, prev_hash, hash";

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`; `options=-c
    /// search_path=…` selects a schema), applies pending migrations, and checks the
    /// personal-data key: from `INNOMESH_DATA_KEY`, else `personal-data.key` in `key_dir`
    /// (created on first use, owner-only).
    pub fn open(url: &str, key_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(key_dir)
            .map_err(|e| StoreError::DataKey(format!("无法创建目录 {}：{e}", key_dir.display())))?;
        let (key, origin) = keyfile::load(key_dir)?;
        Self::open_keyed(url, key, origin)
    }

    /// Connects with the given personal-data key (no key file is read or written).
    pub fn open_with_key(url: &str, key: DataKey) -> Result<Self, StoreError> {
        Self::open_keyed(url, key, KeyOrigin::Given)
    }

    fn open_keyed(url: &str, key: DataKey, origin: KeyOrigin) -> Result<Self, StoreError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("数据库地址无效：{e}")))?;
        let pool = Pool::new(config);
        let keyring = Keyring::new(key);
        let lock_key = {
            let mut c = pool.get()?;
            migrate::run(&mut c)?;
            let schema: String = c
                .query_one("SELECT current_schema()::text", &[])?
                .try_get(0)?;
            let recorded: Option<String> = c
                .query_opt("SELECT id FROM data_key LIMIT 1", &[])?
                .map(|r| r.try_get(0))
                .transpose()?;
            match recorded {
                Some(id) if id != keyring.current.id() => {
                    return Err(crate::common::key_mismatch(&id, &keyring, &origin))
                }
                Some(_) => {}
                None => {
                    c.execute(
                        "INSERT INTO data_key (id, since) VALUES ($1, $2)",
                        &[&keyring.current.id(), &crate::now_rfc3339()],
                    )?;
                }
            }
            lock_key_of(&schema)
        };
        Ok(Self {
            pool,
            keys: RwLock::new(keyring),
            key_origin: origin,
            rows_read: AtomicU64::new(0),
            lock_key,
        })
    }

    /// Where the personal-data key in use came from.
    pub fn key_origin(&self) -> &KeyOrigin {
        &self.key_origin
    }

    /// The id of the key personal values are sealed with.
    pub fn key_id(&self) -> String {
        self.keyring().current.id().to_string()
    }

    fn keyring(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn count_read(&self, n: usize) {
        self.rows_read.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Runs `f` in a write transaction holding the write lock; commits when it returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.pool.get()?;
        let mut tx = c.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&self.lock_key])?;
        let out = f(&mut tx)?;
        // Once per write, not per entry (see the migration): the highest sequence written.
        tx.execute(
            "UPDATE audit_high SET seq = GREATEST(seq, COALESCE((SELECT MAX(seq) FROM audit_log), 0))",
            &[],
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a read-only transaction that sees one snapshot throughout.
    fn snapshot<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.pool.get()?;
        let mut tx = c
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn write_meta(
        &self,
        key: &str,
        value: &str,
        actor: &Actor,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )?;
            audit(
                tx,
                &crate::now_rfc3339(),
                actor,
                action,
                None,
                Some(key),
                detail,
            )
        })
    }
}

/// A stable 64-bit key for the advisory lock of one schema (FNV-1a of its name).
fn lock_key_of(schema: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in b"innomesh-write:".iter().chain(schema.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// The next sequence of an append-only table (writes hold the write lock: no gaps, no races).
pub(crate) fn next_seq(tx: &mut impl GenericClient, table: &str) -> Result<i64, StoreError> {
    Ok(tx
        .query_one(
            &format!("SELECT COALESCE(MAX(seq), 0)::bigint + 1 FROM {table}"),
            &[],
        )?
        .try_get(0)?)
}

/// The reference checks' reads, in the writing transaction.
struct PgLookup<'a, 'b>(&'a mut Transaction<'b>);

impl Lookup for PgLookup<'_, '_> {
    fn stored(
        &mut self,
        kind: EntityKind,
        ids: &HashSet<&str>,
    ) -> Result<HashMap<String, Option<String>>, StoreError> {
        let list: Vec<&str> = ids.iter().copied().collect();
        let mut out = HashMap::new();
        for r in self.0.query(
            "SELECT id, region FROM entities WHERE kind = $1 AND id = ANY($2)",
            &[&kind.code(), &list],
        )? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
        Ok(out)
    }

    fn person_role(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .query_opt(
                "SELECT data->>'role' FROM entities WHERE kind = 'person' AND id = $1",
                &[&id],
            )?
            .map(|r| r.try_get::<_, Option<String>>(0))
            .transpose()?
            .flatten())
    }
}

fn write_record(
    tx: &mut Transaction<'_>,
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
    tx.execute(
        UPSERT,
        &[
            &kind.code(),
            &record.id(),
            &idx.name,
            &idx.region,
            &idx.industry_path,
            &idx.subkind,
            &idx.tier,
            &flags,
            &idx.text,
            &idx.number,
            &sealed.to_string(),
            &now,
            &actor.name,
        ],
    )?;
    tx.execute(
        "DELETE FROM record_refs WHERE kind = $1 AND id = $2",
        &[&kind.code(), &record.id()],
    )?;
    insert_references(
        tx,
        kind,
        record.id(),
        &innomesh_core::references_in(kind, &doc),
    )
}

fn insert_references(
    tx: &mut Transaction<'_>,
    kind: EntityKind,
    id: &str,
    refs: &[Reference],
) -> Result<(), StoreError> {
    if refs.is_empty() {
        return Ok(());
    }
    let fields: Vec<&str> = refs.iter().map(|r| r.field).collect();
    let kinds: Vec<&str> = refs.iter().map(|r| r.kind.code()).collect();
    let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
    tx.execute(
        "INSERT INTO record_refs (kind, id, field, target_kind, target_id)
         SELECT $1, $2, f, k, t FROM unnest($3::text[], $4::text[], $5::text[]) AS u(f, k, t)
         ON CONFLICT DO NOTHING",
        &[&kind.code(), &id, &fields, &kinds, &ids],
    )?;
    Ok(())
}

/// A demand's status change (if it is one) to the workflow history.
fn log_status(
    tx: &mut Transaction<'_>,
    id: &str,
    status: DemandStatus,
    now: &str,
    actor: &str,
    note: &str,
) -> Result<(), StoreError> {
    let old: Option<String> = tx
        .query_opt(
            "SELECT data->>'status' FROM entities WHERE kind = 'demand' AND id = $1",
            &[&id],
        )?
        .map(|r| r.try_get::<_, Option<String>>(0))
        .transpose()?
        .flatten();
    if old.as_deref() == Some(status.code()) {
        return Ok(());
    }
    insert_transition(tx, id, old.as_deref(), status.code(), actor, note, now)
}

fn insert_transition(
    tx: &mut Transaction<'_>,
    id: &str,
    from: Option<&str>,
    to: &str,
    actor: &str,
    note: &str,
    now: &str,
) -> Result<(), StoreError> {
    let seq = next_seq(tx, "demand_transitions")?;
    tx.execute(
        "INSERT INTO demand_transitions (seq, demand_id, from_status, to_status, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&seq, &id, &from, &to, &actor, &note, &now],
    )?;
    Ok(())
}

/// The edit rules beyond the record itself (see the SQLite store's `guard_update`).
fn guard_update(tx: &mut Transaction<'_>, record: &Record) -> Result<(), StoreError> {
    match record {
        Record::Demand(d) => {
            let old: Option<String> = tx
                .query_opt(
                    "SELECT data->>'status' FROM entities WHERE kind = 'demand' AND id = $1",
                    &[&d.id],
                )?
                .map(|r| r.try_get::<_, Option<String>>(0))
                .transpose()?
                .flatten();
            let old = old.and_then(|c| DemandStatus::ALL.iter().copied().find(|s| s.code() == c));
            if let Some(old) = old.filter(|o| *o != d.status) {
                old.check_move(d.status, "").map_err(|m| {
                    StoreError::Rule(format!(
                        "{m}（请在需求页面的「需求流转」中操作，退回须写明原因）"
                    ))
                })?;
            }
        }
        Record::Person(p) if p.role.code() != "technology_manager" => {
            let n: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM record_refs
                     WHERE kind = 'demand' AND field = 'manager' AND target_kind = 'person' AND target_id = $1",
                    &[&p.id],
                )?
                .try_get(0)?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "该人员仍是 {n} 条技术需求的技术经理人，不能改为其他人员类型：请先为这些需求改派技术经理人"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Appends one audit entry chained to the last one (inside a write transaction).
pub(crate) fn audit(
    tx: &mut Transaction<'_>,
    now: &str,
    actor: &Actor,
    action: &str,
    kind: Option<&str>,
    id: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    audit_chained(tx, &mut None, now, actor, action, kind, id, detail)
}

#[allow(clippy::too_many_arguments)]
fn audit_chained(
    tx: &mut Transaction<'_>,
    head: &mut Option<(i64, String)>,
    now: &str,
    actor: &Actor,
    action: &str,
    kind: Option<&str>,
    id: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    let (last, prev_hash) = match head.take() {
        Some(h) => h,
        None => match tx.query_opt(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )? {
            Some(r) => (r.try_get(0)?, r.try_get(1)?),
            None => (0, crate::GENESIS_HASH.to_string()),
        },
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
    tx.execute(
        AUDIT,
        &[
            &seq,
            &now,
            &actor.name,
            &actor.role,
            &actor.source,
            &action,
            &kind,
            &id,
            &detail,
            &prev_hash,
            &hash,
        ],
    )?;
    *head = Some((seq, hash));
    Ok(())
}

fn audit_entry(r: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        role: r.try_get(3)?,
        source: r.try_get(4)?,
        action: r.try_get(5)?,
        kind: r.try_get(6)?,
        entity_id: r.try_get(7)?,
        detail: r.try_get(8)?,
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

fn exists(tx: &mut impl GenericClient, kind: EntityKind, id: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM entities WHERE kind = $1 AND id = $2",
            &[&kind.code(), &id],
        )?
        .is_some())
}

fn next_id(
    tx: &mut Transaction<'_>,
    kind: EntityKind,
    mut taken: impl FnMut(&mut Transaction<'_>, &str) -> Result<bool, StoreError>,
) -> Result<String, StoreError> {
    let mut n: i64 = tx
        .query_opt(
            "SELECT next FROM id_counters WHERE kind = $1",
            &[&kind.code()],
        )?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(1);
    let id = loop {
        let candidate = format!("{}{:06}", kind.id_prefix(), n);
        n += 1;
        if !taken(tx, &candidate)? {
            break candidate;
        }
    };
    tx.execute(
        "INSERT INTO id_counters (kind, next) VALUES ($1, $2) ON CONFLICT (kind) DO UPDATE SET next = excluded.next",
        &[&kind.code(), &n],
    )?;
    Ok(id)
}

fn referrers(
    c: &mut impl GenericClient,
    kind: EntityKind,
    id: &str,
) -> Result<Vec<Relation>, StoreError> {
    let rows = c.query(
        "SELECT kind, id, field FROM record_refs WHERE target_kind = $1 AND target_id = $2
           AND NOT (kind = $1 AND id = $2)
         ORDER BY kind, id, field",
        &[&kind.code(), &id],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let k: String = r.try_get(0)?;
        if let Some(kind) = EntityKind::from_code(&k) {
            out.push(Relation {
                kind,
                id: r.try_get(1)?,
                field: r.try_get(2)?,
            });
        }
    }
    Ok(out)
}

/// Why a shared service or a voucher programme cannot be deleted (see the SQLite store).
fn kept_by(
    tx: &mut Transaction<'_>,
    kind: EntityKind,
    id: &str,
) -> Result<Option<String>, StoreError> {
    let (sql, what) = match kind {
        EntityKind::SharedService => (
            "SELECT COUNT(*) FROM bookings WHERE service_id = $1",
            "预约记录",
        ),
        EntityKind::VoucherProgramme => (
            "SELECT COUNT(*) FROM voucher_claims WHERE programme_id = $1",
            "创新券申领",
        ),
        _ => return Ok(None),
    };
    let n: i64 = tx.query_one(sql, &[&id])?.try_get(0)?;
    Ok((n > 0).then(|| {
        format!(
            "{}「{id}」已有 {n} 条{what}，不能删除（这些记录须保留）；不再开放请修改其开放时间或说明",
            kind.label()
        )
    }))
}

fn params(args: &Args) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|b| b.as_ref()).collect()
}

impl Repository for PgStore {
    fn import(
        &self,
        mut records: Vec<Record>,
        actor: &Actor,
        source: &str,
        progress: &dyn Fn(usize),
    ) -> Result<Result<ImportSummary, Vec<BatchError>>, StoreError> {
        let keys = self.keyring();
        self.write(|tx| {
            let mut errors = crate::common::invalid_records(&records);
            errors.extend(check_references(&mut PgLookup(tx), &mut records)?);
            errors.extend(crate::common::repeated_ids(&records));
            if !errors.is_empty() {
                errors.sort_by_key(|e| e.index);
                return Ok(Err(errors));
            }
            let now = crate::now_rfc3339();
            let mut existing: HashMap<EntityKind, HashSet<String>> = HashMap::new();
            let mut summary = ImportSummary::default();
            let import_note = format!("导入：{source}");
            let mut head = None;
            audit_chained(
                tx,
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
                let taken = match existing.entry(kind) {
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        let mut ids = HashSet::new();
                        for r in
                            tx.query("SELECT id FROM entities WHERE kind = $1", &[&kind.code()])?
                        {
                            ids.insert(r.try_get(0)?);
                        }
                        v.insert(ids)
                    }
                };
                if record.id().is_empty() {
                    let id = next_id(tx, kind, |_, c| Ok(taken.contains(c)))?;
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
                write_record(tx, &keys, &record, &now, actor, &import_note)?;
                audit_chained(
                    tx,
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
                tx,
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
            Ok(Ok(summary))
        })
    }

    fn create(&self, record: Record, actor: &Actor) -> Result<Record, StoreError> {
        let keys = self.keyring();
        self.write(|tx| {
            let mut record = checked_single(&mut PgLookup(tx), record)?;
            let kind = record.kind();
            if record.id().is_empty() {
                let id = next_id(tx, kind, |tx, candidate| exists(tx, kind, candidate))?;
                record.set_id(id);
            } else if exists(tx, kind, record.id())? {
                return Err(StoreError::Conflict(format!(
                    "{}「{}」已存在，请改用更新",
                    kind.label(),
                    record.id()
                )));
            }
            let now = crate::now_rfc3339();
            write_record(tx, &keys, &record, &now, actor, "新建")?;
            audit(
                tx,
                &now,
                actor,
                "create",
                Some(kind.code()),
                Some(record.id()),
                &record.to_masked_json().to_string(),
            )?;
            Ok(record)
        })
    }

    fn update(
        &self,
        kind: EntityKind,
        id: &str,
        mut record: Record,
        actor: &Actor,
    ) -> Result<Record, StoreError> {
        crate::common::update_target(kind, id, &mut record)?;
        let keys = self.keyring();
        self.write(|tx| {
            let record = checked_single(&mut PgLookup(tx), record)?;
            if !exists(tx, kind, id)? {
                return Err(StoreError::NotFound {
                    kind: kind.label(),
                    id: id.to_string(),
                });
            }
            guard_update(tx, &record)?;
            let now = crate::now_rfc3339();
            write_record(tx, &keys, &record, &now, actor, "编辑记录")?;
            audit(
                tx,
                &now,
                actor,
                "update",
                Some(kind.code()),
                Some(id),
                &record.to_masked_json().to_string(),
            )?;
            Ok(record)
        })
    }

    fn delete(&self, kind: EntityKind, id: &str, actor: &Actor) -> Result<(), StoreError> {
        let keys = self.keyring();
        self.write(|tx| {
            let old: Option<String> = tx
                .query_opt(
                    "SELECT data::text FROM entities WHERE kind = $1 AND id = $2",
                    &[&kind.code(), &id],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let Some(old) = old else {
                return Err(StoreError::NotFound {
                    kind: kind.label(),
                    id: id.to_string(),
                });
            };
            let referrers = referrers(tx, kind, id)?;
            if !referrers.is_empty() {
                return Err(StoreError::Referenced(referenced_message(kind, &referrers)));
            }
            if let Some(m) = kept_by(tx, kind, id)? {
                return Err(StoreError::Referenced(m));
            }
            tx.execute(
                "DELETE FROM entities WHERE kind = $1 AND id = $2",
                &[&kind.code(), &id],
            )?;
            let now = crate::now_rfc3339();
            if kind == EntityKind::Demand {
                let from = serde_json::from_str::<serde_json::Value>(&old)
                    .ok()
                    .and_then(|v| v["status"].as_str().map(str::to_string));
                insert_transition(
                    tx,
                    id,
                    from.as_deref(),
                    DELETED,
                    &actor.name,
                    "删除记录",
                    &now,
                )?;
            }
            tx.execute(
                "DELETE FROM record_refs WHERE kind = $1 AND id = $2",
                &[&kind.code(), &id],
            )?;
            let masked = decode(&keys, kind, &old)
                .map(|r| r.to_masked_json().to_string())
                .unwrap_or_default();
            audit(
                tx,
                &now,
                actor,
                "delete",
                Some(kind.code()),
                Some(id),
                &masked,
            )
        })
    }

    fn transition_demand(
        &self,
        id: &str,
        to: DemandStatus,
        manager: Option<&str>,
        actor: &Actor,
        note: &str,
    ) -> Result<Record, StoreError> {
        let keys = self.keyring();
        self.write(|tx| {
            let data: Option<String> = tx
                .query_opt(
                    "SELECT data::text FROM entities WHERE kind = 'demand' AND id = $1",
                    &[&id],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let Some(data) = data else {
                return Err(StoreError::NotFound {
                    kind: EntityKind::Demand.label(),
                    id: id.to_string(),
                });
            };
            let Record::Demand(mut d) = decode(&keys, EntityKind::Demand, &data)? else {
                return Err(StoreError::Database("技术需求记录类型不符".into()));
            };
            d.status.check_move(to, note).map_err(StoreError::Rule)?;
            d.status = to;
            if let Some(m) = manager {
                d.manager = Some(m.to_string());
            }
            let record = checked_single(&mut PgLookup(tx), Record::Demand(d))?;
            let now = crate::now_rfc3339();
            write_record(tx, &keys, &record, &now, actor, note)?;
            audit(
                tx,
                &now,
                actor,
                "transition",
                Some(EntityKind::Demand.code()),
                Some(id),
                &serde_json::json!({ "to": to.code(), "note": note, "manager": manager })
                    .to_string(),
            )?;
            Ok(record)
        })
    }

    fn demand_history(&self, id: Option<&str>) -> Result<Vec<DemandTransition>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            "SELECT seq, demand_id, from_status, to_status, actor, note, at FROM demand_transitions
             WHERE $1::text IS NULL OR demand_id = $1 ORDER BY seq",
            &[&id],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(DemandTransition {
                seq: r.try_get(0)?,
                demand: r.try_get(1)?,
                from: r.try_get(2)?,
                to: r.try_get(3)?,
                actor: r.try_get(4)?,
                note: r.try_get(5)?,
                at: r.try_get(6)?,
            });
        }
        crate::common::cut_history(&mut out, id);
        Ok(out)
    }

    fn get(&self, kind: EntityKind, id: &str) -> Result<Option<Record>, StoreError> {
        let mut c = self.pool.get()?;
        let data: Option<String> = c
            .query_opt(
                "SELECT data::text FROM entities WHERE kind = $1 AND id = $2",
                &[&kind.code(), &id],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        self.count_read(usize::from(data.is_some()));
        data.map(|d| decode(&self.keyring(), kind, &d)).transpose()
    }

    fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        let mut args: Args = vec![Box::new(q.kind.code().to_string())];
        let mut clauses = vec!["kind = $1".to_string()];
        fn arg(args: &mut Args, v: impl ToSql + Sync + 'static) -> String {
            args.push(Box::new(v));
            format!("${}", args.len())
        }
        if let Some(p) = &q.region_prefix {
            let (lo, hi) = (arg(&mut args, p.clone()), arg(&mut args, prefix_upper(p)));
            clauses.push(format!("region >= {lo} AND region < {hi}"));
        }
        if let Some(p) = &q.industry_prefix {
            let (lo, hi) = (arg(&mut args, p.clone()), arg(&mut args, prefix_upper(p)));
            clauses.push(format!("industry_path >= {lo} AND industry_path < {hi}"));
        }
        if let Some(s) = &q.subkind {
            clauses.push(format!("subkind = {}", arg(&mut args, s.clone())));
        }
        if let Some(t) = &q.tier {
            clauses.push(format!("tier = {}", arg(&mut args, t.clone())));
        }
        if let Some(f) = &q.flag {
            let p = arg(&mut args, format!("%,{},%", like_escape(f)));
            clauses.push(format!("flags ILIKE {p} ESCAPE '\\'"));
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // ILIKE under the "C" collation folds ASCII letters only, as SQLite's LIKE does.
            let pat = format!("%{}%", like_escape(t));
            let a = arg(&mut args, pat.clone());
            let b = arg(&mut args, pat);
            let c = arg(&mut args, t.to_string());
            let d = arg(&mut args, t.to_uppercase());
            clauses.push(format!(
                "(name ILIKE {a} ESCAPE '\\' OR search_text ILIKE {b} ESCAPE '\\' OR id IN ({c}, {d}))"
            ));
        }
        if let Some(ids) = &q.only_ids {
            clauses.push(format!("id = ANY({})", arg(&mut args, ids.clone())));
        }
        if let Some(after) = &q.after_id {
            clauses.push(format!("id > {}", arg(&mut args, after.clone())));
        }
        if let Some(filters) = &q.scope {
            let mut any = Vec::new();
            for f in filters {
                any.push(match f {
                    ScopeFilter::RegionPrefix(p) => {
                        let (lo, hi) = (arg(&mut args, p.clone()), arg(&mut args, prefix_upper(p)));
                        format!("(region >= {lo} AND region < {hi})")
                    }
                    ScopeFilter::Ids(ids) if ids.is_empty() => "FALSE".into(),
                    ScopeFilter::Ids(ids) => format!("id = ANY({})", arg(&mut args, ids.clone())),
                    ScopeFilter::RefersTo { ids, .. } if ids.is_empty() => "FALSE".into(),
                    ScopeFilter::RefersTo { kind, ids } => {
                        let k = arg(&mut args, q.kind.code().to_string());
                        let tk = arg(&mut args, kind.code().to_string());
                        let list = arg(&mut args, ids.clone());
                        format!(
                            "id IN (SELECT id FROM record_refs WHERE kind = {k} AND target_kind = {tk} AND target_id = ANY({list}))"
                        )
                    }
                });
            }
            if any.is_empty() {
                clauses.push("FALSE".into());
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
        let count_args = args.len();
        let exact = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let order = match exact.filter(|_| q.after_id.is_none()) {
            Some(t) => {
                let a = arg(&mut args, t.to_string());
                let b = arg(&mut args, t.to_uppercase());
                format!("id IN ({a}, {b}) DESC, {order}")
            }
            None => order.to_string(),
        };
        let per_page = q.per_page.clamp(1, 1000);
        let page = q.page.max(1);
        let all = params(&args);
        let (total, rows) = self.snapshot(|tx| {
            let total: i64 = tx
                .query_one(
                    &format!("SELECT COUNT(*) FROM entities WHERE {wh}"),
                    &all[..count_args],
                )?
                .try_get(0)?;
            let rows = tx.query(
                &format!(
                    "SELECT data::text FROM entities WHERE {wh} ORDER BY {order} LIMIT {per_page} OFFSET {}",
                    (page - 1) * per_page
                ),
                &all,
            )?;
            Ok((total, rows))
        })?;
        let keys = self.keyring();
        let mut records = Vec::with_capacity(rows.len());
        for r in rows {
            records.push(decode(&keys, q.kind, &r.try_get::<_, String>(0)?)?);
        }
        self.count_read(records.len());
        Ok(Page {
            total: total as usize,
            page,
            per_page,
            records,
        })
    }

    fn all(&self, kind: EntityKind) -> Result<Vec<Record>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            "SELECT data::text FROM entities WHERE kind = $1 ORDER BY id",
            &[&kind.code()],
        )?;
        let keys = self.keyring();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(decode(&keys, kind, &r.try_get::<_, String>(0)?)?);
        }
        self.count_read(out.len());
        Ok(out)
    }

    fn count(&self, kind: EntityKind) -> Result<usize, StoreError> {
        let mut c = self.pool.get()?;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM entities WHERE kind = $1",
                &[&kind.code()],
            )?
            .try_get(0)?;
        Ok(n as usize)
    }

    fn referrers(&self, kind: EntityKind, id: &str) -> Result<Vec<Relation>, StoreError> {
        referrers(&mut *self.pool.get()?, kind, id)
    }

    fn org_names(&self, codes: &[String]) -> Result<HashMap<String, String>, StoreError> {
        let mut c = self.pool.get()?;
        let mut out = HashMap::new();
        for r in c.query(
            "SELECT id, name FROM entities WHERE kind = 'organisation' AND id = ANY($1)",
            &[&codes],
        )? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
        Ok(out)
    }

    fn audit(
        &self,
        kind: Option<EntityKind>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log
                 WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR entity_id = $2)
                 ORDER BY seq DESC LIMIT $3"
            ),
            &[&kind.map(|k| k.code()), &id, &(limit.min(10_000) as i64)],
        )?;
        rows.iter().map(audit_entry).collect()
    }

    fn version(&self) -> Result<i64, StoreError> {
        let mut c = self.pool.get()?;
        Ok(c.query_one(
            "SELECT COALESCE((SELECT seq FROM audit_log WHERE COALESCE(kind, '') NOT IN ('user', 'booking', 'voucher_claim', 'consortium', 'assessment_evidence', 'duplicate_decision') AND action <> 'unmask' ORDER BY seq DESC LIMIT 1), 0)::bigint",
            &[],
        )?
        .try_get(0)?)
    }

    fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&seq, &(limit as i64)],
        )?;
        rows.iter().map(audit_entry).collect()
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        self.snapshot(|tx| {
            let mut walk = ChainWalk::default();
            let portal = tx.bind(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"),
                &[],
            )?;
            loop {
                let rows = tx.query_portal(&portal, 5_000)?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    walk.step(&audit_entry(r)?);
                }
            }
            let highest: i64 = tx
                .query_opt("SELECT seq FROM audit_high", &[])?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(0);
            walk.end(highest);
            Ok(walk.into_verification())
        })
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut c = self.pool.get()?;
        Ok(
            c.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
                .map(|r| r.try_get(0))
                .transpose()?,
        )
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
        let mut c = self.pool.get()?;
        let mut tx = c.transaction()?;
        tx.execute(
            "INSERT INTO view_snapshots (key, version, at, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET version = excluded.version, at = excluded.at, body = excluded.body",
            &[&key, &version, &at, &body],
        )?;
        tx.execute(
            "DELETE FROM view_snapshots WHERE key NOT IN \
             (SELECT key FROM view_snapshots ORDER BY at DESC, key LIMIT $1)",
            &[&(crate::MAX_VIEW_SNAPSHOTS as i64)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn view_snapshot(&self, key: &str) -> Result<Option<(i64, i64, String)>, StoreError> {
        let mut c = self.pool.get()?;
        c.query_opt(
            "SELECT version, at, body FROM view_snapshots WHERE key = $1",
            &[&key],
        )?
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
    }

    fn set_meta(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        self.write_meta(key, value, actor, "set_meta", value)
    }

    fn set_secret(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        self.write_meta(key, value, actor, "set_secret", crate::SECRET_HIDDEN)
    }

    fn counts_by_region(&self, kind: EntityKind) -> Result<Vec<(String, usize)>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            "SELECT COALESCE(region, ''), COUNT(*) FROM entities WHERE kind = $1 GROUP BY region ORDER BY region NULLS FIRST",
            &[&kind.code()],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<_, i64>(1)? as usize)))
            .collect()
    }

    fn set_policy_facts(
        &self,
        rows: &[(String, crate::FactEntry)],
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let first = next_seq(tx, "policy_facts")?;
            let mut details: Vec<(String, Vec<String>)> = Vec::new();
            for ((org, e), seq) in rows.iter().zip(first..) {
                tx.execute(
                    "INSERT INTO policy_facts (seq, org, key, value, as_of, source, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[&seq, org, &e.key, &e.value, &e.as_of, &e.source, &e.note, &actor.name, &now],
                )?;
                let line = format!(
                    "{}={}（{}，{}）",
                    e.key,
                    e.value.as_deref().unwrap_or("（撤回）"),
                    e.as_of,
                    e.source
                );
                match details.last_mut() {
                    Some((o, d)) if o == org => d.push(line),
                    _ => details.push((org.clone(), vec![line])),
                }
            }
            for (org, d) in details {
                audit(
                    tx,
                    &now,
                    actor,
                    "set_policy_facts",
                    Some("policy_fact"),
                    Some(&org),
                    &d.join("；"),
                )?;
            }
            Ok(())
        })
    }

    fn policy_facts(&self, org: Option<&str>) -> Result<Vec<crate::StoredFact>, StoreError> {
        let mut c = self.pool.get()?;
        const COLUMNS: &str =
            "SELECT f.org, f.key, f.value, f.as_of, f.source, f.note, f.actor, f.at
             FROM policy_facts f JOIN ";
        const TAIL: &str = " m ON m.seq = f.seq WHERE f.value IS NOT NULL ORDER BY f.org, f.key";
        let rows = match org {
            Some(org) => c.query(
                &format!(
                    "{COLUMNS}(SELECT MAX(seq) AS seq FROM policy_facts WHERE org = $1 GROUP BY org, key){TAIL}"
                ),
                &[&org],
            )?,
            None => c.query(
                &format!(
                    "{COLUMNS}(SELECT MAX(seq) AS seq FROM policy_facts GROUP BY org, key){TAIL}"
                ),
                &[],
            )?,
        };
        rows.iter()
            .map(|r| {
                Ok(crate::StoredFact {
                    org: r.try_get(0)?,
                    key: r.try_get(1)?,
                    value: r.try_get::<_, Option<String>>(2)?.unwrap_or_default(),
                    as_of: r.try_get(3)?,
                    source: r.try_get(4)?,
                    note: r.try_get(5)?,
                    actor: r.try_get(6)?,
                    at: r.try_get(7)?,
                })
            })
            .collect()
    }

    fn latest_fact_values(
        &self,
        key: &str,
        org: Option<&str>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut c = self.pool.get()?;
        // The latest row per organisation from the index (key, org, seq).
        let rows = match org {
            None => c.query(
                "SELECT DISTINCT ON (org) org, value FROM policy_facts WHERE key = $1 ORDER BY org, seq DESC",
                &[&key],
            )?,
            Some(org) => c.query(
                "SELECT org, value FROM policy_facts WHERE key = $1 AND org = $2 ORDER BY seq DESC LIMIT 1",
                &[&key, &org],
            )?,
        };
        let mut out = Vec::new();
        for r in rows {
            if let Some(v) = r.try_get::<_, Option<String>>(1)? {
                out.push((r.try_get(0)?, v));
            }
        }
        Ok(out)
    }

    fn enterprise_profiles(
        &self,
        region_prefix: &str,
        id: Option<&str>,
    ) -> Result<Vec<crate::EnterpriseProfile>, StoreError> {
        let upper = prefix_upper(region_prefix);
        let mut c = self.pool.get()?;
        // Six fields of the document, not the document.
        const COLUMNS: &str = "SELECT id, name, region, flags, jsonb_build_object('industry', data->'industry', 'founded', data->'founded', 'employees', data->'employees', 'rd_staff', data->'rd_staff', 'revenue', data->'revenue', 'rd_spend', data->'rd_spend')::text FROM entities
             WHERE kind = 'organisation' AND subkind = 'enterprise'";
        let rows = match id {
            None => c.query(
                &format!("{COLUMNS} AND region >= $1 AND region < $2"),
                &[&region_prefix, &upper],
            )?,
            Some(id) => c.query(
                &format!("{COLUMNS} AND id = $1 AND region >= $2 AND region < $3"),
                &[&id, &region_prefix, &upper],
            )?,
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let flags: String = r.try_get(3)?;
            let data: String = r.try_get(4)?;
            let f: crate::common::ProfileFields = serde_json::from_str(&data)
                .map_err(|e| StoreError::Database(format!("记录数据损坏：{e}")))?;
            out.push(crate::EnterpriseProfile {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                region: r.try_get(2)?,
                industry: f.industry,
                founded: f.founded,
                employees: f.employees,
                rd_staff: f.rd_staff,
                revenue: f.revenue,
                rd_spend: f.rd_spend,
                high_tech: flags.contains(",high_tech,"),
                specialised: flags.contains(",specialised,"),
            });
        }
        out.sort_by(|a, b| a.list_key().cmp(&b.list_key()));
        Ok(out)
    }

    fn patent_counts(&self, org: Option<&str>) -> Result<HashMap<String, u32>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = c.query(
            "SELECT r.target_id, COUNT(*) FROM record_refs r
             JOIN entities e ON e.kind = r.kind AND e.id = r.id AND e.subkind = 'patent'
             WHERE r.kind = 'achievement' AND r.field = 'owners' AND r.target_kind = 'organisation'
               AND ($1::text IS NULL OR r.target_id = $1)
             GROUP BY r.target_id",
            &[&org],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<_, i64>(1)? as u32)))
            .collect()
    }

    fn index_rows(
        &self,
        kind: EntityKind,
        ids: Option<&[String]>,
    ) -> Result<Vec<crate::IndexRow>, StoreError> {
        const COLUMNS: &str =
            "SELECT id, name, region, industry_path, subkind, tier, flags, search_text FROM entities";
        let mut c = self.pool.get()?;
        let rows = match ids {
            None => c.query(
                &format!("{COLUMNS} WHERE kind = $1 ORDER BY id"),
                &[&kind.code()],
            )?,
            Some(ids) => c.query(
                &format!("{COLUMNS} WHERE kind = $1 AND id = ANY($2) ORDER BY id"),
                &[&kind.code(), &ids],
            )?,
        };
        let out = rows
            .iter()
            .map(|r| {
                let flags: String = r.try_get(6)?;
                Ok(crate::IndexRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    region: r.try_get(2)?,
                    industry_path: r.try_get(3)?,
                    subkind: r.try_get(4)?,
                    tier: r.try_get(5)?,
                    flags: flags
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_string)
                        .collect(),
                    text: r.try_get(7)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.count_read(out.len());
        Ok(out)
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
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let seq = next_seq(tx, "policy_rules")?;
            tx.execute(
                "INSERT INTO policy_rules (seq, rule_id, yaml, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&seq, &rule_id, &yaml, &note, &actor.name, &now],
            )?;
            audit(
                tx,
                &now,
                actor,
                "save_policy_rule",
                Some("policy_rule"),
                Some(rule_id),
                &format!("第 {seq} 版；{note}"),
            )?;
            Ok(seq)
        })
    }

    fn policy_rules(&self, rule_id: Option<&str>) -> Result<Vec<crate::RuleVersion>, StoreError> {
        let mut c = self.pool.get()?;
        let rows = match rule_id {
            Some(id) => c.query(
                "SELECT seq, rule_id, yaml, note, actor, at FROM policy_rules WHERE rule_id = $1 ORDER BY seq DESC",
                &[&id],
            )?,
            None => c.query(
                "SELECT seq, rule_id, yaml, note, actor, at FROM policy_rules
                 WHERE seq IN (SELECT MAX(seq) FROM policy_rules GROUP BY rule_id)
                 ORDER BY rule_id",
                &[],
            )?,
        };
        rows.iter()
            .map(|r| {
                Ok(crate::RuleVersion {
                    seq: r.try_get(0)?,
                    rule_id: r.try_get(1)?,
                    yaml: r.try_get(2)?,
                    note: r.try_get(3)?,
                    actor: r.try_get(4)?,
                    at: r.try_get(5)?,
                })
            })
            .collect()
    }
}
