//! The application core: one `App` between the front ends (`server`, `cli`) and the store and
//! engines. Every write is an `App` method that does, in one place and in this order: the store
//! write (with its audit entry, in the same transaction), the search-index update, and the
//! invalidation of derived data. Derived data (facets, dashboard figures, chain reports, funding
//! figures, matching indexes, capacity plans) are fields of the `App`, versioned by the registry
//! version and dropped with it. No HTTP here: errors carry a `Code`, which `server` maps.

pub mod alloc;
pub mod assessment;
pub mod auth;
pub mod cache;
pub mod chains;
pub mod chains_report;
pub mod consortium;
pub mod dashboard;
pub mod deals;
pub mod dictionaries;
pub mod duplicates;
mod error;
pub mod evidence;
pub mod facets;
pub mod funding;
mod guarded;
mod lists;
pub mod matching;
pub mod policy;
mod policy_inputs;
pub mod search;
pub mod sharing;
pub mod suggest;
pub mod transfer;
pub mod views;
pub mod workflow;

pub use auth::{Perm, Principal, Role};
pub use error::{Code, Error, Result};
pub use innomesh_store::{Actor, ListQuery, Page, Repository, Sort};

use cache::{Cache, Warmer};
use innomesh_core::{EntityKind, Record};
use innomesh_search::SearchIndex;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// How an `App` is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the on-disk search index lives (`DATA_DIR/search-index/`); without it the index is
    /// built in memory from the store on first use.
    pub data_dir: Option<PathBuf>,
    /// A session ends after this many seconds without a request (default 30 minutes).
    pub session_idle_secs: i64,
    /// and at the latest this many seconds after login (default 12 hours).
    pub session_max_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: None,
            session_idle_secs: 30 * 60,
            session_max_secs: 12 * 3600,
        }
    }
}

/// Derived data, each versioned by the registry version (see `cache`).
#[derive(Default)]
pub(crate) struct Derived {
    pub chains_loaded: Cache<(), chains::Loaded>,
    pub chain_reports: Cache<Option<u16>, chains::ChainData>,
    pub solvers: Cache<(), matching::Prepared>,
    pub adopters: Cache<(), matching::Adopters>,
    pub responses: Cache<(), workflow::ResponseIndex>,
    pub facets: Cache<EntityKind, facets::Index>,
    /// List facet counts by filters (`facets::compute`).
    pub facet_counts: Cache<String, facets::Facets>,
    pub dashboard: Cache<(), dashboard::Figures>,
    pub funding_overview: Cache<Option<i32>, funding::Overview>,
    pub duplicates: Cache<(), Vec<innomesh_dedup::FlaggedPair>>,
    pub duplicate_review: Cache<(), duplicates::Review>,
    pub sample_plans: Cache<(usize, u64), alloc::Planned>,
    /// 政策找企业: (rule, caller's role, scope and date) → every enterprise's verdict.
    pub policy_matches: Cache<(String, String), policy::Classified>,
    /// 政策找企业: the enterprises a caller reaches → their rows and fact columns (shared by
    /// every rule), patched write by write (`policy_inputs`).
    pub policy_inputs: policy_inputs::InputsCache,
    pub common_problems: Cache<Option<usize>, Vec<deals::CommonProblem>>,
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
    /// Non-blocking page reads and their background builds (`views`).
    pub(crate) views: views::Views,
    /// This `App` itself, for the background builds it starts.
    pub(crate) me: std::sync::Weak<App>,
}

impl Drop for App {
    fn drop(&mut self) {
        self.warmer.stop();
    }
}

impl App {
    /// An application over `repo`. Nothing runs in the background until `start_background`.
    pub fn new(repo: Arc<dyn Repository>, config: Config) -> Arc<App> {
        Arc::new_cyclic(|me| App {
            me: me.clone(),
            views: views::Views::default(),
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
    ///
    /// Unchecked: it sees every record. For engines, benchmarks and tests; front ends read
    /// through the methods that take a `Principal` (a test keeps `server` off this).
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
        // First: after a write this is a patch of what changed, and a clerk asking for a policy's
        // lists right after a start should not wait behind the other figures.
        policy_inputs::warm(self);
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

    // ---- reads: every one names its caller and sees only the caller's scope ----

    /// One record, or `None` when it does not exist or is outside the caller's scope (the two
    /// look the same, so ids cannot be probed).
    pub fn get(&self, who: &Principal, kind: EntityKind, id: &str) -> Result<Option<Record>> {
        let Some(record) = self.repo.get(kind, id)? else {
            return Ok(None);
        };
        Ok(self.allows(who, &record)?.then_some(record))
    }

    /// One record the caller may read, or `NotFound`.
    pub fn fetch(&self, who: &Principal, kind: EntityKind, id: &str) -> Result<Record> {
        self.get(who, kind, id)?
            .ok_or_else(|| auth::scope::not_found(kind, id))
    }

    /// A page of a list, narrowed to the caller's scope.
    pub fn list(&self, who: &Principal, query: &ListQuery) -> Result<Page> {
        who.require(Perm::Read)?;
        let mut query = query.clone();
        self.resolve_chain_filter(&mut query)?;
        match self.scoped(who, query.clone())? {
            Some(q) => Ok(self.repo.list(&q)?),
            None => Ok(Page {
                total: 0,
                page: query.page.max(1),
                per_page: query.per_page,
                records: vec![],
            }),
        }
    }

    /// Every record of a kind the caller may read, in id order (exports).
    pub fn all(&self, who: &Principal, kind: EntityKind) -> Result<Vec<Record>> {
        match self.visibility(who, kind)? {
            auth::scope::Visibility::All => Ok(self.repo.all(kind)?),
            auth::scope::Visibility::Nothing => Ok(vec![]),
            auth::scope::Visibility::Some(_) => {
                let mut q = ListQuery::new(kind);
                q.per_page = 1000;
                let mut out = Vec::new();
                for page in 1.. {
                    q.page = page;
                    let p = self.list(who, &q)?;
                    let done = p.records.is_empty() || out.len() + p.records.len() >= p.total;
                    out.extend(p.records);
                    if done {
                        break;
                    }
                }
                Ok(out)
            }
        }
    }

    /// How many records of a kind the caller may read.
    pub fn count(&self, who: &Principal, kind: EntityKind) -> Result<usize> {
        match self.visibility(who, kind)? {
            auth::scope::Visibility::All => Ok(self.repo.count(kind)?),
            auth::scope::Visibility::Nothing => Ok(0),
            auth::scope::Visibility::Some(_) => {
                let mut q = ListQuery::new(kind);
                q.per_page = 1;
                Ok(self.list(who, &q)?.total)
            }
        }
    }

    /// Records that point at this organisation, those the caller may read.
    pub fn relations(
        &self,
        who: &Principal,
        org: &innomesh_core::CreditCode,
    ) -> Result<Vec<innomesh_store::Relation>> {
        self.fetch(who, EntityKind::Organisation, org.as_str())?;
        let mut out = Vec::new();
        for rel in self.repo.relations(org)? {
            if self.get(who, rel.kind, &rel.id)?.is_some() {
                out.push(rel);
            }
        }
        Ok(out)
    }

    pub fn org_names(&self, codes: &[String]) -> Result<std::collections::HashMap<String, String>> {
        Ok(self.repo.org_names(codes)?)
    }

    /// The audit log, newest first (auditors). Entries about a secret meta key
    /// ([`is_secret_key`]) have their detail replaced by 「（密钥，已隐藏）」: entries written by
    /// `set_secret` never held the value, but those of earlier versions (which wrote the identity
    /// key with `set_meta`) do.
    pub fn audit(
        &self,
        who: &Principal,
        kind: Option<EntityKind>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<innomesh_store::AuditEntry>> {
        who.require(Perm::Audit)?;
        let mut entries = self.repo.audit(kind, id, limit)?;
        for e in &mut entries {
            if e.entity_id.as_deref().is_some_and(is_secret_key) {
                e.detail = innomesh_store::SECRET_HIDDEN.to_string();
            }
        }
        Ok(entries)
    }

    /// The audit log searched by who did it and what (auditors): entries newest first whose
    /// actor contains `actor` and whose action is `action`, among the latest `scan` entries of
    /// `kind` / `id`.
    pub fn audit_search(
        &self,
        who: &Principal,
        filter: &AuditFilter,
    ) -> Result<Vec<innomesh_store::AuditEntry>> {
        let entries = self.audit(who, filter.kind, filter.id.as_deref(), 10_000)?;
        Ok(entries
            .into_iter()
            .filter(|e| {
                filter.actor.as_deref().is_none_or(|a| {
                    e.actor.contains(a) || e.role.contains(a) || e.source.contains(a)
                })
            })
            .filter(|e| filter.action.as_deref().is_none_or(|a| e.action == a))
            .take(filter.limit.clamp(1, 10_000))
            .collect())
    }

    /// Walks the whole audit log and checks its hash chain (auditors, the command line).
    pub fn verify_audit(&self, who: &Principal) -> Result<innomesh_store::AuditVerification> {
        who.require(Perm::Audit)?;
        Ok(self.repo.verify_audit()?)
    }

    pub fn counts_by_region(
        &self,
        who: &Principal,
        kind: EntityKind,
    ) -> Result<Vec<(String, usize)>> {
        who.require(Perm::Engines)?;
        Ok(self.repo.counts_by_region(kind)?)
    }

    /// A demand's workflow history (the demand must be readable), or all of it (staff).
    pub fn demand_history(
        &self,
        who: &Principal,
        id: Option<&str>,
    ) -> Result<Vec<innomesh_store::DemandTransition>> {
        match id {
            Some(id) => {
                self.fetch(who, EntityKind::Demand, id)?;
            }
            None => who.require(Perm::Engines)?,
        }
        Ok(self.repo.demand_history(id)?)
    }

    /// A record with its personal data in full, for a caller allowed to see it, who says why;
    /// the unmask is audited (who, which record, the reason).
    pub fn unmask(
        &self,
        who: &Principal,
        kind: EntityKind,
        id: &str,
        reason: &str,
    ) -> Result<Record> {
        let record = self.fetch(who, kind, id)?;
        self.log_unmask(who, Some((kind, id)), reason, "查看完整个人信息")?;
        Ok(record)
    }

    /// Checks and audits a request to see personal data in full (`target`: one record, or a
    /// list or export when `None`; `what` says which).
    pub fn log_unmask(
        &self,
        who: &Principal,
        target: Option<(EntityKind, &str)>,
        reason: &str,
        what: &str,
    ) -> Result<()> {
        if !who.can_unmask {
            return Err(Error::new(
                Code::Forbidden,
                "当前账号无权查看完整个人信息（须经安全管理员授权）",
            ));
        }
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(Error::invalid("查看完整个人信息须填写事由（至少 2 个字）"));
        }
        if reason.chars().count() > 200 {
            return Err(Error::invalid("事由不能超过 200 字"));
        }
        self.repo.audit_event(
            &who.actor(),
            "unmask",
            target.map(|(k, _)| k.code()),
            target.map(|(_, id)| id),
            &format!("{what}；事由：{reason}"),
        )?;
        Ok(())
    }

    // ---- writes: the one path for pages, API and CLI ----

    /// Creates one record (its id assigned when empty).
    pub fn create(&self, who: &Principal, record: Record) -> Result<Record> {
        let record = validated(record)?;
        // Whether the caller may write this record is answered before anything about its stage.
        self.check_writable(who, &record, true)?;
        workflow::check_initial(&record)?;
        self.check_policy_link(&record)?;
        let saved = self.repo.create(record, &who.actor())?;
        self.after_write();
        Ok(saved)
    }

    /// Replaces one record: the stored one and the new one must both be in the caller's scope.
    pub fn update(
        &self,
        who: &Principal,
        kind: EntityKind,
        id: &str,
        record: Record,
    ) -> Result<Record> {
        let record = validated(record)?;
        let old = self.fetch(who, kind, id)?;
        self.check_writable(who, &old, false)?;
        self.check_writable(who, &record, false)?;
        self.check_policy_link(&record)?;
        deals::check_deal_move(&old, &record)?;
        let saved = self.repo.update(kind, id, record, &who.actor())?;
        self.after_write();
        Ok(saved)
    }

    pub fn delete(&self, who: &Principal, kind: EntityKind, id: &str) -> Result<()> {
        let old = self.fetch(who, kind, id)?;
        self.check_writable(who, &old, true)?;
        self.repo.delete(kind, id, &who.actor())?;
        self.after_write();
        Ok(())
    }

    /// Writes a batch of records in one transaction (sample data, shipped chain models); every
    /// record must be the caller's to create.
    pub fn import_records(
        &self,
        who: &Principal,
        records: Vec<Record>,
        source: &str,
        progress: &dyn Fn(usize),
    ) -> Result<std::result::Result<innomesh_store::ImportSummary, Vec<innomesh_store::BatchError>>>
    {
        let refused = self.check_batch(who, &records)?;
        if let Some((i, reason)) = refused.first() {
            return Err(Error::new(
                Code::Forbidden,
                format!(
                    "第 {} 条记录：{reason}（共 {} 条不可写入），未写入任何数据",
                    i + 1,
                    refused.len()
                ),
            ));
        }
        let out = self.repo.import(records, &who.actor(), source, progress)?;
        if out.is_ok() {
            // A batch can be large: its index catch-up runs on the warmer (or on the next search,
            // which always catches up first), so the import answers as soon as the store has it.
            self.warmer.wake();
        }
        Ok(out)
    }

    /// Imports one CSV/XLSX file of `kind`: all rows or none, every bad cell reported, every
    /// row checked against the caller's scope.
    pub fn import_file(
        &self,
        who: &Principal,
        kind: EntityKind,
        bytes: &[u8],
        format: innomesh_sheets::Format,
        source: &str,
        progress: &dyn transfer::Progress,
    ) -> Result<transfer::ImportOutcome> {
        who.require(Perm::Write)?;
        if !auth::scope::creatable(who.role, kind) {
            return Err(Error::new(
                Code::Forbidden,
                format!("当前账号（{}）无权导入{}", who.role.label(), kind.label()),
            ));
        }
        // A fault anywhere in the import (reader, converter, checks, the store's transaction,
        // which rolls back as it unwinds) refuses this file; it never takes the process down.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            transfer::import_bytes(self, who, kind, bytes, format, source, progress)
        }))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("导入「{source}」时出现内部错误（已拦截，未写入）：{what}");
            Err(Error::new(
                Code::BadFile,
                "文件无法导入：处理时出现异常（已拦截），未写入任何数据；请检查文件，或把文件交给系统管理员",
            ))
        })
    }

    /// Sets a configuration value kept in the registry (audited; a secret's value is not).
    pub fn set_setting(&self, who: &Principal, key: &str, value: &str) -> Result<()> {
        // The chain diagnosis rules are the city's analysts' to tune, like the dictionaries.
        if key == "chain_rules" {
            who.require(Perm::Dictionaries)?;
        } else {
            who.require(Perm::Settings)?;
        }
        let actor = who.actor();
        if is_secret_key(key) {
            self.repo.set_secret(key, value, &actor)?;
        } else {
            self.repo.set_meta(key, value, &actor)?;
        }
        self.after_write();
        Ok(())
    }
}

/// What the audit page searches by.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub kind: Option<EntityKind>,
    pub id: Option<String>,
    /// Part of the actor (user name, role, address).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub limit: usize,
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
