//! The personal-data key and the SQLite database: the key id the database records (`data_key`),
//! refusing an open with another key, sealing the plaintext of earlier versions (migration 0007),
//! and rotation — every personal value re-sealed with a new key in one transaction, the key
//! files swapped only after it commits.

use super::{audit, KeyHome, SqliteStore};
use crate::keyfile::{self, KeyOrigin};
use crate::personal::{has_personal, DataKey, Keyring};
use crate::{Actor, StoreError};
use innomesh_core::EntityKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::{Path, PathBuf};

/// What a key rotation did.
#[derive(Debug, Clone)]
pub struct KeyRotation {
    pub old_id: String,
    pub new_id: String,
    /// Records whose personal values were re-sealed.
    pub records: usize,
    /// Where the new key is (none when it came from the environment or the caller).
    pub key_file: Option<PathBuf>,
    /// Where the old key was kept (a key file's rotation keeps it, for older backups).
    pub retired: Option<PathBuf>,
}

/// The key id the database records, if it records one yet.
fn recorded(conn: &Connection) -> Result<Option<String>, StoreError> {
    let has_table: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_key'",
        [],
        |r| r.get(0),
    )?;
    if has_table == 0 {
        return Ok(None);
    }
    Ok(conn
        .query_row("SELECT id FROM data_key LIMIT 1", [], |r| r.get(0))
        .optional()?)
}

/// Before migrations: finishes or abandons a rotation a process did not complete. A
/// `personal-data.key.new` whose key the database already records means the re-sealing
/// committed but the files were not swapped: swap them now. Any other `.new` is from a rotation
/// that never committed: remove it.
pub(super) fn settle(
    conn: &mut Connection,
    key: DataKey,
    origin: &KeyOrigin,
    dir: Option<&Path>,
) -> Result<DataKey, StoreError> {
    let (KeyOrigin::File(path), Some(dir)) = (origin, dir) else {
        return Ok(key);
    };
    let pending_path = keyfile::new_path(dir);
    let Some(pending) = keyfile::read(&pending_path)? else {
        return Ok(key);
    };
    if recorded(conn)?.as_deref() == Some(pending.id()) {
        keyfile::rename(path, &keyfile::retired_path(dir, key.id()))?;
        keyfile::rename(&pending_path, path)?;
        Ok(pending)
    } else {
        std::fs::remove_file(&pending_path).map_err(|e| {
            StoreError::DataKey(format!(
                "无法删除未完成轮换留下的 {}：{e}",
                pending_path.display()
            ))
        })?;
        Ok(key)
    }
}

/// After migrations: the database's personal values must be sealed with the key in use.
pub(super) fn check(
    conn: &Connection,
    keys: &Keyring,
    origin: &KeyOrigin,
) -> Result<(), StoreError> {
    match recorded(conn)? {
        Some(id) if id != keys.current.id() => Err(crate::common::key_mismatch(&id, keys, origin)),
        Some(_) => Ok(()),
        None => {
            conn.execute(
                "INSERT INTO data_key (id, since) VALUES ($1, $2)",
                params![keys.current.id(), crate::now_rfc3339()],
            )?;
            Ok(())
        }
    }
}

const PERSONAL_ROWS: &str = "SELECT rowid, kind, data FROM entities
     WHERE kind IN (SELECT value FROM json_each($1)) AND rowid > $2 ORDER BY rowid LIMIT $3";

fn personal_kinds() -> String {
    let kinds: Vec<&str> = EntityKind::ALL
        .iter()
        .filter(|k| has_personal(**k))
        .map(|k| k.code())
        .collect();
    serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into())
}

/// Re-seals, with `keys.current`, every record whose personal values are not sealed with it, a
/// batch at a time (the table is not written under a running scan of it). Returns the number of
/// records written.
fn reseal_all(
    tx: &Transaction<'_>,
    keys: &Keyring,
    progress: &dyn Fn(usize, usize),
) -> Result<usize, StoreError> {
    const BATCH: i64 = 2_000;
    let kinds = personal_kinds();
    let total: i64 = tx.query_row(
        "SELECT COUNT(*) FROM entities WHERE kind IN (SELECT value FROM json_each($1))",
        [&kinds],
        |r| r.get(0),
    )?;
    let mut read = tx.prepare(PERSONAL_ROWS)?;
    let mut write = tx.prepare("UPDATE entities SET data = $1 WHERE rowid = $2")?;
    let (mut last, mut seen, mut written) = (0i64, 0usize, 0usize);
    loop {
        let batch = read
            .query_map(params![kinds, last, BATCH], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if batch.is_empty() {
            return Ok(written);
        }
        for (rowid, kind, data) in batch {
            last = rowid;
            seen += 1;
            let Some(kind) = EntityKind::from_code(&kind) else {
                continue;
            };
            let mut doc: serde_json::Value = serde_json::from_str(&data)
                .map_err(|e| StoreError::Database(format!("记录数据损坏：{e}")))?;
            if !keys.needs_reseal(kind, &mut doc) {
                continue;
            }
            keys.open_doc(kind, &mut doc)?;
            keys.seal_doc(kind, &mut doc)?;
            write.execute(params![doc.to_string(), rowid])?;
            written += 1;
        }
        progress(seen, total as usize);
    }
}

/// Migration 0007: seals the plaintext personal values earlier versions wrote, and records the
/// key's id.
pub(super) fn seal_plaintext(tx: &Transaction<'_>, keys: &Keyring) -> Result<(), StoreError> {
    let n = reseal_all(tx, keys, &|_, _| {})?;
    let now = crate::now_rfc3339();
    tx.execute(
        "INSERT INTO data_key (id, since) VALUES ($1, $2)",
        params![keys.current.id(), now],
    )?;
    if n > 0 {
        audit(
            tx,
            &now,
            &Actor::system("migration"),
            "seal_personal_data",
            None,
            None,
            &format!(
                "已加密 {n} 条记录中的个人信息（密钥 {}）",
                keys.current.id()
            ),
        )?;
    }
    Ok(())
}

impl SqliteStore {
    fn set_keyring(&self, keys: Keyring) {
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
    }

    /// Re-seals every personal value with `new` in one transaction (audited), then uses `new`.
    /// Readers meanwhile open values under either key. Files are the caller's business
    /// (`rotate_key` does both).
    pub fn rotate_data_key(
        &self,
        new: DataKey,
        actor: &Actor,
        progress: &dyn Fn(usize, usize),
    ) -> Result<KeyRotation, StoreError> {
        let mut conn = self.conns.write();
        let old = self.keyring().current.clone();
        self.set_keyring(Keyring {
            current: old.clone(),
            previous: Some(new.clone()),
        });
        let rotating = Keyring {
            current: new.clone(),
            previous: Some(old.clone()),
        };
        let result = (|| -> Result<usize, StoreError> {
            let tx = conn.transaction()?;
            let records = reseal_all(&tx, &rotating, progress)?;
            let now = crate::now_rfc3339();
            tx.execute(
                "UPDATE data_key SET id = $1, since = $2",
                params![new.id(), now],
            )?;
            audit(
                &tx,
                &now,
                actor,
                "rotate_data_key",
                None,
                None,
                &format!(
                    "个人信息密钥 {} → {}：重新加密 {records} 条记录",
                    old.id(),
                    new.id()
                ),
            )?;
            tx.commit()?;
            Ok(records)
        })();
        match result {
            Ok(records) => {
                self.set_keyring(rotating);
                Ok(KeyRotation {
                    old_id: old.id().to_string(),
                    new_id: new.id().to_string(),
                    records,
                    key_file: None,
                    retired: None,
                })
            }
            Err(e) => {
                self.set_keyring(Keyring::new(old));
                Err(e)
            }
        }
    }

    /// `innomesh key rotate`: a new key, every personal value re-sealed with it, and — for a key
    /// file — the new key written to `personal-data.key.new` before, and swapped in after the
    /// commit, the old file kept as `personal-data.key.<old id>.retired`. A key from
    /// `INNOMESH_DATA_KEY` is replaced by the one in `INNOMESH_NEW_DATA_KEY`.
    pub fn rotate_key(
        &self,
        actor: &Actor,
        progress: &dyn Fn(usize, usize),
    ) -> Result<KeyRotation, StoreError> {
        match &self.key_home {
            KeyHome {
                origin: KeyOrigin::File(path),
                dir: Some(dir),
            } => {
                let new = DataKey::generate()?;
                let pending = keyfile::new_path(dir);
                if pending.exists() {
                    let _ = std::fs::remove_file(&pending);
                }
                keyfile::write_new(&pending, &new)?;
                let mut done = match self.rotate_data_key(new, actor, progress) {
                    Ok(done) => done,
                    Err(e) => {
                        let _ = std::fs::remove_file(&pending);
                        return Err(e);
                    }
                };
                let retired = keyfile::retired_path(dir, &done.old_id);
                keyfile::rename(path, &retired)?;
                keyfile::rename(&pending, path)?;
                done.key_file = Some(path.clone());
                done.retired = Some(retired);
                Ok(done)
            }
            KeyHome {
                origin: KeyOrigin::Environment,
                ..
            } => {
                let text = std::env::var(keyfile::NEW_KEY_ENV).unwrap_or_default();
                if text.trim().is_empty() {
                    return Err(StoreError::DataKey(format!(
                        "当前密钥来自环境变量 {}，无法替它保存新密钥：请生成一个新密钥放入环境变量 {} \
                         后再运行（成功后把它改设为 {}）",
                        keyfile::KEY_ENV,
                        keyfile::NEW_KEY_ENV,
                        keyfile::KEY_ENV
                    )));
                }
                let new = DataKey::parse(&text).map_err(|m| {
                    StoreError::DataKey(format!("环境变量 {} 无效：{m}", keyfile::NEW_KEY_ENV))
                })?;
                self.rotate_data_key(new, actor, progress)
            }
            _ => self.rotate_data_key(DataKey::generate()?, actor, progress),
        }
    }
}
