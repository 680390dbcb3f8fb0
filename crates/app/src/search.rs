//! The search index's life: opened (or built) once per `App`, and kept equal to the store by
//! replaying the audit log from the registry version the index last committed. Every write path
//! ends in `catch_up`, and so do searches and starts, so the index converges whatever door a write
//! came through and however the process last ended (a `kill -9` loses at most uncommitted index
//! work, which the next catch-up replays). Commits are grouped: a write adds its documents to the
//! index writer at once but never waits for a commit (tens of milliseconds with fsync); the `App`'s
//! warmer commits after a burst of writes settles, and a search commits first if anything is
//! pending, so a write is always visible to the next search.

use crate::cache::lock;
use crate::{App, Error, Result};
use innomesh_core::{EntityKind, Record};
use innomesh_search::{SearchIndex, SearchQuery, SearchResults};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a write's index commit is deferred (group commit).
pub const COMMIT_EVERY: Duration = Duration::from_millis(200);
/// Above this many changes of one kind, catch-up reads the kind whole instead of record by record.
const BULK: usize = 2_000;
/// Audit entries read per step of a replay.
const STEP: usize = 100_000;

/// Where the index stands against the store.
#[derive(Debug)]
pub(crate) struct SyncState {
    /// Registry version whose changes are in the index writer (committed or not).
    applied: i64,
    /// Registry version of the last commit.
    committed: i64,
    last_commit: Instant,
}

impl Default for SyncState {
    fn default() -> Self {
        Self {
            applied: 0,
            committed: 0,
            last_commit: Instant::now(),
        }
    }
}

/// The on-disk index directory of an `App` with a data directory.
pub fn index_dir(app: &App) -> Option<PathBuf> {
    app.config()
        .data_dir
        .as_ref()
        .map(|d| d.join("search-index"))
}

fn fingerprint_file(dir: &std::path::Path) -> PathBuf {
    dir.join("dictionaries.fingerprint")
}

fn all_records(app: &App, progress: &dyn Fn(usize, usize)) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for kind in EntityKind::ALL {
        records.extend(app.repo().all(kind)?);
        progress(records.len(), 0);
    }
    Ok(records)
}

/// Rebuilds `ix` from every record, recording the registry version read.
fn rebuild(app: &App, ix: &SearchIndex, progress: &dyn Fn(usize, usize)) -> Result<i64> {
    // Read the version first: changes after it are replayed by the next catch-up (replay is
    // idempotent: it re-reads each touched record's current state).
    let version = app.registry_version();
    let records = all_records(app, progress)?;
    let total = records.len();
    ix.rebuild_at(
        records.iter().enumerate().map(|(i, r)| {
            if i % 5_000 == 0 {
                progress(i, total);
            }
            r
        }),
        Some(version),
    )
    .map_err(Error::internal)?;
    progress(total, total);
    Ok(version)
}

/// Opens the on-disk index for serving: rebuilt when it records no version or other dictionaries,
/// otherwise brought up to the store by replaying what it missed. `progress(done, total)`.
pub fn open(app: &App, progress: &dyn Fn(usize, usize)) -> Result<Arc<SearchIndex>> {
    if let Some(ix) = app.search.get() {
        return Ok(ix.clone());
    }
    let dicts = crate::dictionaries::active(app)?;
    let ix = match index_dir(app) {
        Some(dir) => {
            let ix =
                SearchIndex::open_or_create_with(&dir, dicts.user.clone(), dicts.aliases.clone())
                    .map_err(|e| {
                    Error::internal(format!(
                        "无法打开搜索索引 {}（另一个 innomesh 进程可能正在使用它）：{e}",
                        dir.display()
                    ))
                })?;
            let built_with = std::fs::read_to_string(fingerprint_file(&dir)).unwrap_or_default();
            // An index ahead of the store (a database restored from a backup) is rebuilt too.
            let store_version = app.registry_version();
            let version = match ix.committed_version() {
                Some(v)
                    if built_with.trim() == dicts.fingerprint.to_string() && v <= store_version =>
                {
                    v
                }
                _ => {
                    let v = rebuild(app, &ix, progress)?;
                    let _ = std::fs::write(fingerprint_file(&dir), dicts.fingerprint.to_string());
                    v
                }
            };
            (ix, version)
        }
        None => {
            let ix = SearchIndex::in_memory_with(dicts.user.clone(), dicts.aliases.clone())
                .map_err(Error::internal)?;
            let v = rebuild(app, &ix, progress)?;
            (ix, v)
        }
    };
    let (ix, version) = ix;
    let ix = Arc::new(ix);
    {
        let mut state = lock(&app.search_state);
        // Another caller may have opened it meanwhile: keep whichever came first.
        if app.search.set(ix.clone()).is_err() {
            return Ok(app.search.get().cloned().unwrap_or(ix));
        }
        *state = SyncState {
            applied: version,
            committed: version,
            last_commit: Instant::now(),
        };
    }
    catch_up_with(app, true)?;
    Ok(ix)
}

/// The index, opened (or built) on first use.
pub fn index(app: &App) -> Result<Arc<SearchIndex>> {
    match app.search.get() {
        Some(ix) => Ok(ix.clone()),
        None => open(app, &|_, _| {}),
    }
}

/// Rebuilds the whole index from the store (`innomesh reindex`).
pub fn reindex(app: &App, progress: &dyn Fn(usize, usize)) -> Result<usize> {
    let ix = index(app)?;
    let mut state = lock(&app.search_state);
    let version = rebuild(app, &ix, progress)?;
    if let Some(dir) = index_dir(app) {
        let dicts = crate::dictionaries::active(app)?;
        let _ = std::fs::write(fingerprint_file(&dir), dicts.fingerprint.to_string());
    }
    *state = SyncState {
        applied: version,
        committed: version,
        last_commit: Instant::now(),
    };
    Ok(ix.len() as usize)
}

/// After a write: apply what the store has that the index lacks (no commit). A failure is logged, never turned into a failed write (the store is
/// the source of truth and the next catch-up retries).
pub(crate) fn catch_up(app: &App) {
    if app.search.get().is_none() {
        return; // not opened yet: opening reads the store, which already holds the write
    }
    // Never commits here: a commit costs tens of milliseconds (fsync), which a write should not
    // wait for. Searches and the warmer commit; a crash before then only means more to replay.
    if let Err(e) = apply_pending(app) {
        eprintln!(
            "搜索索引更新失败（下次写入或检索时重试；也可运行 innomesh reindex）：{}",
            e.message
        );
    }
}

/// Full-text search over the store as of now: pending changes are applied and committed first.
pub fn search(app: &App, sq: &SearchQuery) -> Result<SearchResults> {
    let ix = index(app)?;
    catch_up_with(app, true)?;
    ix.search(sq).map_err(Error::internal)
}

/// Applies what the store has that the index lacks, without committing.
fn apply_pending(app: &App) -> Result<()> {
    catch_up_inner(app, Commit::Never)
}

/// Brings the index up to the store's version and commits (searches, the warmer, shutdown).
pub(crate) fn catch_up_with(app: &App, force_commit: bool) -> Result<()> {
    catch_up_inner(
        app,
        if force_commit {
            Commit::Now
        } else {
            Commit::IfDue
        },
    )
}

#[derive(PartialEq)]
enum Commit {
    Never,
    IfDue,
    Now,
}

fn catch_up_inner(app: &App, commit: Commit) -> Result<()> {
    let Some(ix) = app.search.get() else {
        return Ok(());
    };
    let mut state = lock(&app.search_state);
    loop {
        let changes = app.repo().changes_since(state.applied, STEP)?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            break;
        };
        let mut touched: HashMap<EntityKind, HashSet<String>> = HashMap::new();
        for c in &changes {
            if let (Some(kind), Some(id)) = (
                c.kind.as_deref().and_then(EntityKind::from_code),
                c.entity_id.as_deref(),
            ) {
                touched.entry(kind).or_default().insert(id.to_string());
            }
        }
        for (kind, ids) in touched {
            apply(app, ix, kind, ids)?;
        }
        state.applied = last;
        if changes.len() < STEP {
            break;
        }
    }
    let due = state.last_commit.elapsed() >= COMMIT_EVERY;
    let wanted = match commit {
        Commit::Never => false,
        Commit::IfDue => due,
        Commit::Now => true,
    };
    if state.committed < state.applied && wanted {
        ix.commit_at(state.applied).map_err(Error::internal)?;
        state.committed = state.applied;
        state.last_commit = Instant::now();
    }
    Ok(())
}

/// Re-reads the touched records of one kind and writes their current state into the index.
fn apply(app: &App, ix: &SearchIndex, kind: EntityKind, ids: HashSet<String>) -> Result<()> {
    if ids.len() > BULK {
        let mut seen = HashSet::new();
        for r in app.repo().all(kind)? {
            if ids.contains(r.id()) {
                ix.upsert(&r).map_err(Error::internal)?;
                seen.insert(r.id().to_string());
            }
        }
        for id in ids.iter().filter(|id| !seen.contains(*id)) {
            ix.delete(kind, id).map_err(Error::internal)?;
        }
    } else {
        for id in &ids {
            match app.repo().get(kind, id)? {
                Some(r) => ix.upsert(&r).map_err(Error::internal)?,
                None => ix.delete(kind, id).map_err(Error::internal)?,
            }
        }
    }
    Ok(())
}

/// Commits pending index work now (on shutdown, so the next start replays less).
pub fn flush(app: &App) -> Result<()> {
    catch_up_with(app, true)
}

/// Records that `ix` was just committed reflecting registry `version` (after a rebuild).
pub(crate) fn committed(ix: &SearchIndex, state: &mut SyncState, version: i64) {
    if let Err(e) = ix.commit_at(version) {
        eprintln!("搜索索引提交失败：{e}");
        return;
    }
    *state = SyncState {
        applied: version,
        committed: version,
        last_commit: Instant::now(),
    };
}
