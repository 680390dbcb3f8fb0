//! The registry's persistence: the `Repository` interface every caller uses, and its SQLite
//! implementation. A PostgreSQL backend implements the same trait; callers do not change.

pub mod accounts;
pub mod assessment;
mod audit;
mod checks;
mod clock;
mod common;
pub mod consortium;
pub mod duplicates;
mod keyfile;
mod personal;
mod pg;
mod query;
pub mod sharing;
mod sqlite;

pub use audit::{audit_hash, AuditBreak, AuditFault, AuditFields, AuditVerification, GENESIS_HASH};
pub use clock::{now_rfc3339, parse_rfc3339, rfc3339, unix_now};
pub use keyfile::{KeyOrigin, KEY_ENV, KEY_FILE, NEW_KEY_ENV};
pub use personal::{is_sealed, DataKey};
pub use pg::{migrate as migrate_postgres, PgStore, KNOWN_VERSION as POSTGRES_SCHEMA_VERSION};
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

/// What policy matching reads of one enterprise (`Repository::enterprise_profiles`): the
/// registry fields its facts come from, without the rest of the record (free texts, contacts,
/// shareholders are most of a record's size and are never read for it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnterpriseProfile {
    /// Credit code.
    pub id: String,
    pub name: String,
    /// Region code.
    pub region: String,
    /// Industry code (GB/T 4754), as stored.
    pub industry: Option<String>,
    /// `YYYY-MM-DD`.
    pub founded: Option<String>,
    pub employees: Option<u32>,
    pub rd_staff: Option<u32>,
    /// 万元.
    pub revenue: Option<f64>,
    /// 万元.
    pub rd_spend: Option<f64>,
    pub high_tech: bool,
    pub specialised: bool,
}

impl EnterpriseProfile {
    /// The profile of an organisation (of any kind: `enterprise_profiles` lists enterprises).
    pub fn of(o: &innomesh_core::model::Organisation) -> EnterpriseProfile {
        EnterpriseProfile {
            id: o.credit_code.as_str().to_string(),
            name: o.name.clone(),
            region: o.region.as_str().to_string(),
            industry: o.industry.as_ref().map(|i| i.as_str().to_string()),
            founded: o.founded.as_ref().map(|d| d.to_string()),
            employees: o.employees,
            rd_staff: o.rd_staff,
            revenue: o.revenue,
            rd_spend: o.rd_spend,
            high_tech: o.high_tech,
            specialised: o.specialised,
        }
    }

    /// The order of policy lists: by region, then name, then credit code.
    pub fn list_key(&self) -> (&str, &str, &str) {
        (&self.region, &self.name, &self.id)
    }
}

/// What list facets read of one record (`Repository::index_rows`): the columns lists filter on,
/// exactly as stored for the SQL filters, without the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IndexRow {
    pub id: String,
    pub name: String,
    /// Region code.
    pub region: Option<String>,
    /// Industry path (`C/39/398/3985`).
    pub industry_path: Option<String>,
    pub subkind: Option<String>,
    pub tier: Option<String>,
    pub flags: Vec<String>,
    /// The free text a list's text filter searches.
    pub text: String,
}

impl IndexRow {
    pub fn of(record: &Record) -> IndexRow {
        let ix = record.index();
        IndexRow {
            id: record.id().to_string(),
            name: ix.name,
            region: ix.region,
            industry_path: ix.industry_path,
            subkind: ix.subkind.map(str::to_string),
            tier: ix.tier.map(str::to_string),
            flags: ix.flags.iter().map(|f| f.to_string()).collect(),
            text: ix.text,
        }
    }
}

/// `Repository::index_rows` from whole records: the reference a store's own version must agree
/// with (the contract tests compare them).
pub fn index_rows_from_records(
    repo: &(impl Repository + ?Sized),
    kind: EntityKind,
    ids: Option<&[String]>,
) -> Result<Vec<IndexRow>, StoreError> {
    let mut rows: Vec<IndexRow> = match ids {
        None => repo.all(kind)?.iter().map(IndexRow::of).collect(),
        Some(ids) => {
            let mut out = Vec::new();
            for id in ids {
                if let Some(r) = repo.get(kind, id)? {
                    out.push(IndexRow::of(&r));
                }
            }
            out
        }
    };
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.dedup_by(|a, b| a.id == b.id);
    Ok(rows)
}

/// `Repository::enterprise_profiles` from whole records: the reference a store's own version
/// must agree with (the contract tests compare them).
pub fn enterprise_profiles_from_records(
    repo: &(impl Repository + ?Sized),
    region_prefix: &str,
    id: Option<&str>,
) -> Result<Vec<EnterpriseProfile>, StoreError> {
    let records = match id {
        Some(id) => repo
            .get(EntityKind::Organisation, id)?
            .into_iter()
            .collect(),
        None => repo.all(EntityKind::Organisation)?,
    };
    let mut out: Vec<EnterpriseProfile> = records
        .iter()
        .filter_map(|r| match r {
            Record::Organisation(o) if o.kind == innomesh_core::model::OrgKind::Enterprise => {
                Some(EnterpriseProfile::of(o))
            }
            _ => None,
        })
        .filter(|p| p.region.starts_with(region_prefix))
        .collect();
    out.sort_by(|a, b| a.list_key().cmp(&b.list_key()));
    Ok(out)
}

/// `Repository::patent_counts` from whole records (the reference for a store's own version):
/// each patent counts once for each distinct owner.
pub fn patent_counts_from_records(
    repo: &(impl Repository + ?Sized),
    org: Option<&str>,
) -> Result<HashMap<String, u32>, StoreError> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for r in repo.all(EntityKind::Achievement)? {
        if let Record::Achievement(a) = r {
            if a.kind != innomesh_core::model::AchievementKind::Patent {
                continue;
            }
            let mut owners: Vec<&str> = a.owners.iter().map(|o| o.as_str()).collect();
            owners.sort_unstable();
            owners.dedup();
            for o in owners {
                if org.is_none_or(|w| w == o) {
                    *out.entry(o.to_string()).or_default() += 1;
                }
            }
        }
    }
    Ok(out)
}

/// `Repository::latest_fact_values` from `policy_facts` (the reference for a store's own
/// version).
pub fn latest_fact_values_from_facts(
    repo: &(impl Repository + ?Sized),
    key: &str,
    org: Option<&str>,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(repo
        .policy_facts(org)?
        .into_iter()
        .filter(|f| f.key == key)
        .map(|f| (f.org, f.value))
        .collect())
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

/// Page-view snapshots kept at most (`Repository::save_view_snapshot`).
pub const MAX_VIEW_SNAPSHOTS: usize = 64;
/// Largest page-view snapshot kept, in bytes.
pub const MAX_VIEW_SNAPSHOT_BYTES: usize = 4 << 20;

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
    /// Keeps the last computed value (JSON text) of a slow page view with the registry version
    /// and Unix time it was computed at. Derived data, not a registry write: no audit entry, no
    /// new registry version. Bounded: only the `MAX_VIEW_SNAPSHOTS` most recent are kept, and a
    /// body over `MAX_VIEW_SNAPSHOT_BYTES` is not kept. A store without the table keeps nothing.
    fn save_view_snapshot(
        &self,
        _key: &str,
        _version: i64,
        _at: i64,
        _body: &str,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    /// The kept value of a page view: (registry version, Unix time, JSON text).
    fn view_snapshot(&self, _key: &str) -> Result<Option<(i64, i64, String)>, StoreError> {
        Ok(None)
    }
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
    /// The current entered value (JSON text) of one fact key for every organisation that has
    /// one (withdrawn ones left out), or for one organisation, in credit-code order: policy
    /// matching reads a fact as a column this way. The default reads `policy_facts`; a store
    /// should answer from an index by key (SQLite: `policy_facts_key_org`, migration 0015).
    fn latest_fact_values(
        &self,
        key: &str,
        org: Option<&str>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        latest_fact_values_from_facts(self, key, org)
    }
    /// The enterprises (organisations of kind 企业) whose region code starts with
    /// `region_prefix`, or the one with credit code `id` if it is one of them, as the fields
    /// policy facts come from, in list order (region, name, credit code). The default decodes
    /// whole records; a store should read only these fields.
    fn enterprise_profiles(
        &self,
        region_prefix: &str,
        id: Option<&str>,
    ) -> Result<Vec<EnterpriseProfile>, StoreError> {
        enterprise_profiles_from_records(self, region_prefix, id)
    }
    /// Registry rows (records or their list columns) handed out since the store was opened: a
    /// statistic, and how tests check that a page reads what it shows, not a whole kind.
    fn rows_read(&self) -> u64 {
        0
    }
    /// The list columns of every record of `kind`, or of the listed ids that exist, in id order
    /// (list facets). The default decodes whole records; a store should read only the columns.
    fn index_rows(
        &self,
        kind: EntityKind,
        ids: Option<&[String]>,
    ) -> Result<Vec<IndexRow>, StoreError> {
        index_rows_from_records(self, kind, ids)
    }
    /// How many patents (科技成果 of kind 专利) each organisation owns, for every organisation
    /// owning one or for one. The default decodes every achievement.
    fn patent_counts(&self, org: Option<&str>) -> Result<HashMap<String, u32>, StoreError> {
        patent_counts_from_records(self, org)
    }
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
