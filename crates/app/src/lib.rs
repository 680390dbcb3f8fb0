//! The application core: one `App` between the front ends (`server`, `cli`) and the store and
//! engines. Every write is an `App` method that does, in one place and in this order: the store
//! write (with its audit entry, in the same transaction), the search-index update, and the
//! invalidation of derived data. Derived data (facets, dashboard figures, chain reports, funding
//! figures, matching indexes, capacity plans) are fields of the `App`, versioned by the registry
//! version and dropped with it. No HTTP here: errors carry a `Code`, which `server` maps.

pub mod alloc;
pub mod cache;
pub mod chains;
pub mod chains_report;
pub mod dashboard;
pub mod dictionaries;
mod error;
pub mod facets;
pub mod funding;
pub mod matching;
pub mod search;
pub mod transfer;
pub mod workflow;

pub use error::{Code, Error, Result};
pub use innomesh_store::{Actor, ListQuery, Page, Repository, Sort};

use cache::{Cache, Warmer};
use innomesh_core::{EntityKind, Record};
use innomesh_search::SearchIndex;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// How an `App` is set up.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the on-disk search index lives (`DATA_DIR/search-index/`); without it the index is
    /// built in memory from the store on first use.
    pub data_dir: Option<PathBuf>,
}

/// Derived data, each versioned by the registry version (see `cache`).
#[derive(Default)]
pub(crate) struct Derived {
    pub chains_loaded: Cache<(), chains::Loaded>,
    pub chain_reports: Cache<Option<u16>, chains::ChainData>,
    pub solvers: Cache<(), matching::Prepared>,
    pub adopters: Cache<(), matching::Adopters>,
    pub responses: Cache<(), workflow::ResponseIndex>,
    pub facets: Cache<EntityKind, Vec<facets::Row>>,
    pub dashboard: Cache<(), dashboard::Figures>,
    pub funding_overview: Cache<Option<i32>, funding::Overview>,
    pub duplicates: Cache<(), Vec<innomesh_dedup::FlaggedPair>>,
    pub sample_plans: Cache<(usize, u64), alloc::Planned>,
    pub dictionaries: Mutex<Option<Arc<dictionaries::Active>>>,
}

pub struct App {
    pub(crate) repo: Arc<dyn Repository>,
    config: Config,
    pub(crate) search: OnceLock<Arc<SearchIndex>>,
    /// Where the index stands against the store; also serialises catch-up.
    pub(crate) search_state: Mutex<search::SyncState>,
    /// One dictionary save at a time, so the index always ends with the dictionaries stored last.
    pub(crate) dictionary_save: Mutex<()>,
    pub(crate) derived: Derived,
    pub(crate) warmer: Warmer,
}

impl Drop for App {
    fn drop(&mut self) {
        self.warmer.stop();
    }
}

impl App {
    /// An application over `repo`. Nothing runs in the background until `start_background`.
    pub fn new(repo: Arc<dyn Repository>, config: Config) -> Arc<App> {
        Arc::new(App {
            repo,
            config,
            search: OnceLock::new(),
            search_state: Mutex::new(search::SyncState::default()),
            dictionary_save: Mutex::new(()),
            derived: Derived::default(),
            warmer: Warmer::default(),
        })
    }

    /// An application with an in-memory store (tests, benchmarks).
    pub fn in_memory() -> Result<Arc<App>> {
        let store = innomesh_store::SqliteStore::open_in_memory()?;
        Ok(Self::new(Arc::new(store), Config::default()))
    }

    /// Starts the background warmer that rebuilds derived data after writes; it stops when the
    /// `App` is dropped.
    pub fn start_background(self: &Arc<Self>) {
        Warmer::start(self);
    }

    /// Read access to the registry. Writes go through the `App`'s methods, never through this.
    pub fn repo(&self) -> &dyn Repository {
        self.repo.as_ref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Latest audit sequence: every write appends one, so it versions the whole registry.
    pub fn registry_version(&self) -> i64 {
        self.repo.version().unwrap_or(0)
    }

    /// The 示例数据 label when the database holds generated sample data.
    pub fn sample_label(&self) -> Option<String> {
        self.repo
            .meta("sample_data")
            .ok()
            .flatten()
            .map(|_| innomesh_core::sample::SAMPLE_LABEL.to_string())
    }

    /// Rebuilds the derived data readers will ask for (run by the warmer after writes).
    fn warm(&self) {
        let _ = facets::index(self, EntityKind::Organisation);
        let _ = dashboard::figures(self);
        let _ = chains::reports(self, None);
        // The matching indexes over every solver and enterprise (seconds on a big registry).
        matching::warm(self);
    }

    /// What every write does after the store has it: bring the search index up to the store
    /// (replaying the audit log since the version it reflects) and mark derived data stale.
    pub(crate) fn after_write(&self) {
        search::catch_up(self);
        self.warmer.wake();
    }

    // ---- reads ----

    pub fn get(&self, kind: EntityKind, id: &str) -> Result<Option<Record>> {
        Ok(self.repo.get(kind, id)?)
    }

    pub fn list(&self, query: &ListQuery) -> Result<Page> {
        Ok(self.repo.list(query)?)
    }

    /// Every record of a kind, in id order.
    pub fn all(&self, kind: EntityKind) -> Result<Vec<Record>> {
        Ok(self.repo.all(kind)?)
    }

    pub fn count(&self, kind: EntityKind) -> Result<usize> {
        Ok(self.repo.count(kind)?)
    }

    /// Records that point at this organisation.
    pub fn relations(
        &self,
        org: &innomesh_core::CreditCode,
    ) -> Result<Vec<innomesh_store::Relation>> {
        Ok(self.repo.relations(org)?)
    }

    pub fn org_names(&self, codes: &[String]) -> Result<std::collections::HashMap<String, String>> {
        Ok(self.repo.org_names(codes)?)
    }

    /// The audit log, newest first. Entries about a secret meta key ([`is_secret_key`]) have
    /// their detail replaced by 「（密钥，已隐藏）」: entries written by `set_secret` never held the
    /// value, but those of earlier versions (which wrote the identity key with `set_meta`) do.
    pub fn audit(
        &self,
        kind: Option<EntityKind>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<innomesh_store::AuditEntry>> {
        let mut entries = self.repo.audit(kind, id, limit)?;
        for e in &mut entries {
            if e.entity_id.as_deref().is_some_and(is_secret_key) {
                e.detail = innomesh_store::SECRET_HIDDEN.to_string();
            }
        }
        Ok(entries)
    }

    /// Walks the whole audit log and checks its hash chain (`innomesh audit verify`).
    pub fn verify_audit(&self) -> Result<innomesh_store::AuditVerification> {
        Ok(self.repo.verify_audit()?)
    }

    pub fn counts_by_region(&self, kind: EntityKind) -> Result<Vec<(String, usize)>> {
        Ok(self.repo.counts_by_region(kind)?)
    }

    pub fn demand_history(
        &self,
        id: Option<&str>,
    ) -> Result<Vec<innomesh_store::DemandTransition>> {
        Ok(self.repo.demand_history(id)?)
    }

    // ---- writes: the one path for pages, API and CLI ----

    /// Creates one record (its id assigned when empty).
    pub fn create(&self, record: Record, actor: &Actor) -> Result<Record> {
        let record = validated(record)?;
        let saved = self.repo.create(record, actor)?;
        self.after_write();
        Ok(saved)
    }

    /// Replaces one record.
    pub fn update(
        &self,
        kind: EntityKind,
        id: &str,
        record: Record,
        actor: &Actor,
    ) -> Result<Record> {
        let record = validated(record)?;
        let saved = self.repo.update(kind, id, record, actor)?;
        self.after_write();
        Ok(saved)
    }

    pub fn delete(&self, kind: EntityKind, id: &str, actor: &Actor) -> Result<()> {
        self.repo.delete(kind, id, actor)?;
        self.after_write();
        Ok(())
    }

    /// Writes a batch of records in one transaction (sample data, shipped chain models).
    pub fn import_records(
        &self,
        records: Vec<Record>,
        actor: &Actor,
        source: &str,
        progress: &dyn Fn(usize),
    ) -> Result<std::result::Result<innomesh_store::ImportSummary, Vec<innomesh_store::BatchError>>>
    {
        let out = self.repo.import(records, actor, source, progress)?;
        if out.is_ok() {
            // A batch can be large: its index catch-up runs on the warmer (or on the next search,
            // which always catches up first), so the import answers as soon as the store has it.
            self.warmer.wake();
        }
        Ok(out)
    }

    /// Imports one CSV/XLSX file of `kind`: all rows or none, every bad cell reported.
    pub fn import_file(
        &self,
        kind: EntityKind,
        bytes: &[u8],
        format: innomesh_sheets::Format,
        actor: &Actor,
        source: &str,
        progress: &dyn transfer::Progress,
    ) -> Result<transfer::ImportOutcome> {
        // A fault in a reader or converter refuses this file; it never takes the process down.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            transfer::import_bytes(self, kind, bytes, format, actor, source, progress)
        }))
        .unwrap_or_else(|_| {
            Err(Error::new(
                Code::BadFile,
                "文件内容无法解析（结构异常），未写入任何数据",
            ))
        })
    }

    /// Sets a configuration value kept in the registry (audited; a secret's value is not).
    pub fn set_setting(&self, key: &str, value: &str, actor: &Actor) -> Result<()> {
        if is_secret_key(key) {
            self.repo.set_secret(key, value, actor)?;
        } else {
            self.repo.set_meta(key, value, actor)?;
        }
        self.after_write();
        Ok(())
    }
}

/// Whether a meta key holds a secret whose value no answer may show: the identity key, and any
/// key under `secret.`.
pub fn is_secret_key(key: &str) -> bool {
    key == funding::IDENTITY_KEY || key.starts_with("secret.")
}

/// Record-level checks shared by every door (types were checked when the record was parsed).
fn validated(record: Record) -> Result<Record> {
    record.validate().map_err(|errs| {
        let msg: Vec<String> = errs
            .iter()
            .map(|e| format!("{}：{}", e.field, e.message))
            .collect();
        Error::invalid(msg.join("；"))
    })?;
    Ok(record)
}

/// A record kind from its plural (`organisations`), with the list of kinds when unknown.
pub fn kind_of(segment: &str) -> Result<EntityKind> {
    EntityKind::from_plural(segment).ok_or_else(|| {
        let all: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
        Error::new(
            Code::UnknownKind,
            format!("没有「{segment}」这种记录类型，可用：{}", all.join("、")),
        )
    })
}
