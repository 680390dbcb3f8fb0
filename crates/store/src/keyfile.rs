//! Where an installation's personal-data key lives: the environment variable `INNOMESH_DATA_KEY`
//! (64 hex digits or base64) if set, else the file `personal-data.key` beside the database,
//! created on first open, readable by its owner only. The key is never stored in the database.
//!
//! A rotation writes the new key to `personal-data.key.new` first, re-seals the database in one
//! transaction, then retires the old file as `personal-data.key.<old id>.retired` and moves the
//! new one into place; an open that finds a `.new` file finishes or abandons such a rotation by
//! the key id the database records.

use crate::personal::DataKey;
use crate::StoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const KEY_FILE: &str = "personal-data.key";
pub const KEY_ENV: &str = "INNOMESH_DATA_KEY";
/// The new key of a rotation when the current one comes from `INNOMESH_DATA_KEY`.
pub const NEW_KEY_ENV: &str = "INNOMESH_NEW_DATA_KEY";

/// Where the key in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `INNOMESH_DATA_KEY`.
    Environment,
    /// The key file at this path.
    File(PathBuf),
    /// Made for this process only (in-memory stores, or a key given by the caller).
    Given,
}

impl std::fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOrigin::Environment => write!(f, "环境变量 {KEY_ENV}"),
            KeyOrigin::File(p) => write!(f, "密钥文件 {}", p.display()),
            KeyOrigin::Given => f.write_str("调用方提供的密钥"),
        }
    }
}

pub(crate) fn new_path(dir: &Path) -> PathBuf {
    dir.join(format!("{KEY_FILE}.new"))
}

pub(crate) fn retired_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{KEY_FILE}.{id}.retired"))
}

/// The key for the database in `dir`, creating the key file when there is neither a file nor
/// the environment variable.
pub(crate) fn load(dir: &Path) -> Result<(DataKey, KeyOrigin), StoreError> {
    if let Ok(text) = std::env::var(KEY_ENV) {
        if !text.trim().is_empty() {
            let key = DataKey::parse(&text)
                .map_err(|m| StoreError::DataKey(format!("环境变量 {KEY_ENV} 无效：{m}")))?;
            return Ok((key, KeyOrigin::Environment));
        }
    }
    let path = dir.join(KEY_FILE);
    if let Some(key) = read(&path)? {
        return Ok((key, KeyOrigin::File(path)));
    }
    let key = DataKey::generate()?;
    write_new(&path, &key)?;
    Ok((key, KeyOrigin::File(path)))
}

/// A key file's key, or `None` when there is no such file. Refuses a file that others than its
/// owner may read or write, and one that does not hold exactly one key.
pub(crate) fn read(path: &Path) -> Result<Option<DataKey>, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StoreError::DataKey(format!(
                "无法读取密钥文件 {}：{e}",
                path.display()
            )))
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(StoreError::DataKey(format!(
                "密钥文件 {} 的权限为 {mode:o}，同组或其他用户也能访问：请执行 chmod 600 {} 后再启动",
                path.display(),
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::DataKey(format!("无法读取密钥文件 {}：{e}", path.display())))?;
    DataKey::parse(&text).map(Some).map_err(|m| {
        StoreError::DataKey(format!(
            "密钥文件 {} 已损坏：{m}。请放回原来的密钥文件（或从备份恢复）",
            path.display()
        ))
    })
}

/// Writes a key file that must not exist yet, owner-only (0600), flushed to disk.
pub(crate) fn write_new(path: &Path, key: &DataKey) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| {
        StoreError::DataKey(format!("无法写入密钥文件 {}：{e}", path.display()))
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(fail)?;
    f.write_all(format!("{}\n", key.to_hex()).as_bytes())
        .map_err(fail)?;
    f.sync_all().map_err(fail)?;
    sync_dir(path);
    Ok(())
}

/// Makes a rename or a new file in the key's directory durable (best effort).
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// `from` → `to`, durably.
pub(crate) fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(|e| {
        StoreError::DataKey(format!(
            "无法把 {} 改名为 {}：{e}",
            from.display(),
            to.display()
        ))
    })?;
    sync_dir(to);
    Ok(())
}
