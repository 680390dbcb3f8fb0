//! The registry's persistence: the `Repository` interface every caller uses, and its SQLite
//! implementation. A PostgreSQL backend implements the same trait; callers do not change.

pub mod accounts;
pub mod assessment;
mod audit;
mod clock;
pub mod consortium;
pub mod duplicates;
mod keyfile;
mod personal;
mod query;
pub mod sharing;
mod sqlite;

pub use audit::{audit_hash, AuditBreak, AuditFault, AuditFields, AuditVerification, GENESIS_HASH};
pub use clock::{now_rfc3339, parse_rfc3339, rfc3339, unix_now};
pub use keyfile::{KeyOrigin, KEY_ENV, KEY_FILE, NEW_KEY_ENV};
pub use personal::{is_sealed, DataKey};
pub use query::{ListQuery, Page, ScopeFilter, Sort};
pub use sqlite::{KeyRotation, SqliteStore};

use innomesh_core::{CreditCode, EntityKind, Record};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("未找到{kind}「{id}」")]
    NotFound { kind: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A record refers to an organisation or record the registry does not hold.
    #[error("{0}")]
    UnknownReference(String),
    #[error("{0}")]
    Invalid(String),
    /// A delete refused because other records still point at this one (the message names them).
    #[error("{0}")]
    Referenced(String),
    /// A workflow rule refused the change (a demand skipping a stage, moving back without a reason).
    #[error("{0}")]
    Rule(String),
    #[error("数据库错误：{0}")]
    Database(String),
    /// The personal-data key is missing, malformed, exposed, or not the one the data was sealed
    /// with (the message says which and what to do).
    #[error("{0}")]
    DataKey(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// The audit detail of a secret's write (`Repository::set_secret`), in place of its value.
pub const SECRET_HIDDEN: &str = "（密钥，已隐藏）";

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// Who writes: a user's name, the role they acted in, and where the request came from (a client
/// address, or `local` for the command line). Every write names one; it goes into the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub name: String,
    pub role: String,
    pub source: String,
}

impl Actor {
    pub fn new(
        name: impl Into<String>,
        role: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            role: role.into(),
            source: source.into(),
        }
    }

    /// The installation itself acting from this machine: the command line, sample data,
    /// migrations, shipped models (role `system`, source `local`).
    pub fn system(name: impl Into<String>) -> Self {
        Self::new(name, "system", "local")
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// One entry of the audit log. `hash` chains it to the entry before (`prev_hash`), see
/// [`audit_hash`]; `role` and `source` are empty in entries written before they were recorded.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub source: String,
    pub action: String,
    pub kind: Option<String>,
    pub entity_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// One change of a demand's workflow status (需求流转记录).
#[derive(Debug, Clone, Serialize)]
pub struct DemandTransition {
    pub seq: i64,
    pub demand: String,
    /// Status code before (none when the demand was first written).
    pub from: Option<String>,
    pub to: String,
    pub actor: String,
    pub note: String,
    pub at: String,
}

/// A policy fact to write (政策找企业): the key of the rules, its JSON value (`None` withdraws
/// it), the date it describes and who supplies it (`enterprise` or `bureau`).
#[derive(Debug, Clone, Serialize)]
pub struct FactEntry {
    pub key: String,
    pub value: Option<String>,
    pub as_of: String,
    pub source: String,
    pub note: String,
}

/// An entered policy fact as stored: the current value of one organisation's key.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoredFact {
    pub org: String,
    pub key: String,
    /// JSON text.
    pub value: String,
    pub as_of: String,
    pub source: String,
    pub note: String,
    pub actor: String,
    pub at: String,
}

/// One saved version of a policy rule's YAML.
#[derive(Debug, Clone, Serialize)]
pub struct RuleVersion {
    pub seq: i64,
    pub rule_id: String,
    pub yaml: String,
    pub note: String,
    pub actor: String,
    pub at: String,
}

/// A record pointing at another (an organisation, a programme, a chain node), and the key of the
/// field that does.
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    pub kind: EntityKind,
    pub id: String,
    pub field: String,
}

/// A problem with one record of a batch, by its position in the batch.
#[derive(Debug, Clone, Serialize)]
pub struct BatchError {
    pub index: usize,
    pub field: &'static str,
    pub value: String,
    pub reason: String,
}

/// The registry as every caller sees it.
pub trait Repository:
    accounts::AccountStore
    + assessment::AssessmentStore
    + consortium::ConsortiumStore
    + duplicates::DuplicateStore
    + sharing::SharingStore
    + Send
    + Sync
{
    /// Writes a whole batch in one transaction, or nothing: references are checked against the
    /// store and the batch itself, and every bad record is reported. Ids missing are assigned.
    fn import(
        &self,
        records: Vec<Record>,
        actor: &Actor,
        source: &str,
        progress: &dyn Fn(usize),
    ) -> Result<Result<ImportSummary, Vec<BatchError>>, StoreError>;
    fn create(&self, record: Record, actor: &Actor) -> Result<Record, StoreError>;
    fn update(
        &self,
        kind: EntityKind,
        id: &str,
        record: Record,
        actor: &Actor,
    ) -> Result<Record, StoreError>;
    fn delete(&self, kind: EntityKind, id: &str, actor: &Actor) -> Result<(), StoreError>;
    /// Moves a demand along its workflow (the rules are `DemandStatus::check_move`), optionally
    /// naming its technology manager; the change, its actor and note go to the history.
    fn transition_demand(
        &self,
        id: &str,
        to: innomesh_core::model::DemandStatus,
        manager: Option<&str>,
        actor: &Actor,
        note: &str,
    ) -> Result<Record, StoreError>;
    /// Status changes of one demand, or of all demands, oldest first.
    fn demand_history(&self, id: Option<&str>) -> Result<Vec<DemandTransition>, StoreError>;
    fn get(&self, kind: EntityKind, id: &str) -> Result<Option<Record>, StoreError>;
    fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;
    /// Every record of a kind, in id order (exports and engines).
    fn all(&self, kind: EntityKind) -> Result<Vec<Record>, StoreError>;
    fn count(&self, kind: EntityKind) -> Result<usize, StoreError>;
    /// Records that point at this one (its own self-reference aside), by kind and id.
    fn referrers(&self, kind: EntityKind, id: &str) -> Result<Vec<Relation>, StoreError>;
    /// Records that point at this organisation.
    fn relations(&self, org: &CreditCode) -> Result<Vec<Relation>, StoreError> {
        self.referrers(EntityKind::Organisation, org.as_str())
    }
    /// Names of organisations by credit code (for display of references).
    fn org_names(&self, codes: &[String]) -> Result<HashMap<String, String>, StoreError>;
    fn audit(
        &self,
        kind: Option<EntityKind>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The registry version: the latest audit sequence (every write appends one).
    fn version(&self) -> Result<i64, StoreError>;
    /// Audit entries after `seq`, oldest first, at most `limit` (derived data replay these).
    fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
    /// Walks the whole audit log in sequence order (streaming: bounded memory for any length)
    /// and checks every entry's hash and its link to the entry before.
    fn verify_audit(&self) -> Result<AuditVerification, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set_meta(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError>;
    /// Like `set_meta` for a secret (an installation key): the write is audited, but the audit
    /// detail says only 「（密钥，已隐藏）」, never the value.
    fn set_secret(&self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError>;
    /// Aggregates for the landing page and dashboard: counts per (kind, region).
    fn counts_by_region(&self, kind: EntityKind) -> Result<Vec<(String, usize)>, StoreError>;
    /// Appends entered policy facts (organisation's credit code, entry) in one transaction, with
    /// one audit entry per organisation.
    fn set_policy_facts(
        &self,
        rows: &[(String, FactEntry)],
        actor: &Actor,
    ) -> Result<(), StoreError>;
    /// The current entered policy facts of one organisation, or of all.
    fn policy_facts(&self, org: Option<&str>) -> Result<Vec<StoredFact>, StoreError>;
    /// Appends a version of a policy rule's YAML (audited); returns its number.
    fn save_policy_rule(
        &self,
        rule_id: &str,
        yaml: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<i64, StoreError>;
    /// Saved versions of one rule (newest first), or the latest saved version of every rule.
    fn policy_rules(&self, rule_id: Option<&str>) -> Result<Vec<RuleVersion>, StoreError>;
}
