//! Which records a caller may see and change. One rule per role and kind, used both as a list
//! filter (`ListQuery::scope`, evaluated by the store) and as a check on one record (`allows`),
//! so a page, an API answer, an export and a search hit can never disagree.
//!
//! Out-of-scope records are "not found" (404), never "forbidden": a district clerk cannot learn
//! that another district's record exists by guessing ids.

use super::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_core::{EntityKind, Record};
use innomesh_store::{ListQuery, ScopeFilter};

/// What part of a kind a caller sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    All,
    /// Records matching at least one filter.
    Some(Vec<ScopeFilter>),
    Nothing,
}

/// Kinds whose records carry a region (their own or their organisation's).
pub fn has_region(kind: EntityKind) -> bool {
    use EntityKind::*;
    matches!(
        kind,
        Organisation
            | Platform
            | Person
            | Achievement
            | Equipment
            | Demand
            | Application
            | Policy
            | Programme
            | SharedService
            | VoucherProgramme
            | TechDeal
    )
}

/// Kinds every unit reads (published offers) but a unit writes only its own records of.
fn owner_only(role: Role, kind: EntityKind) -> bool {
    role == Role::Enterprise && kind == EntityKind::SharedService
}

/// The chain models and relations the city keeps: reference data every staff role reads.
fn chain_kind(kind: EntityKind) -> bool {
    use EntityKind::*;
    matches!(kind, ChainNode | SupplyRelation | GapAction | ChainMapping)
}

/// Whether `role` may create/change/delete records of `kind` at all (scope narrows further).
pub fn writable(role: Role, kind: EntityKind) -> bool {
    use EntityKind::*;
    match role {
        Role::Local | Role::CityStaff => true,
        Role::DistrictStaff => has_region(kind) || matches!(kind, DemandResponse | Delivery),
        Role::DepartmentStaff => matches!(kind, Programme | Application),
        Role::Enterprise => matches!(
            kind,
            Organisation
                | Demand
                | Application
                | Equipment
                | Platform
                | Achievement
                | SharedService
                | TechDeal
        ),
        Role::Expert => matches!(kind, Person | Platform | DemandResponse),
        Role::TechManager => matches!(kind, Demand | DemandResponse | TechDeal),
        _ => false,
    }
}

/// Whether `role` may create or delete (not only change) records of `kind`.
pub fn creatable(role: Role, kind: EntityKind) -> bool {
    use EntityKind::*;
    match role {
        // An enterprise changes its own registration but does not register or remove units;
        // an expert keeps a profile but does not add people; a manager moves demands, not adds.
        Role::Enterprise => writable(Role::Enterprise, kind) && !matches!(kind, Organisation),
        Role::Expert => matches!(kind, DemandResponse),
        Role::TechManager => matches!(kind, DemandResponse | TechDeal),
        r => writable(r, kind),
    }
}

pub(crate) fn region_prefix(code: &str) -> String {
    innomesh_core::reference::regions()
        .resolve(code)
        .map(|r| innomesh_core::reference::Regions::descendant_prefix(r).to_string())
        .unwrap_or_else(|| code.to_string())
}

impl App {
    /// The part of `kind` that `who` may read.
    pub fn visibility(&self, who: &Principal, kind: EntityKind) -> Result<Visibility> {
        use EntityKind::*;
        use ScopeFilter::*;
        if !who.may(Perm::Read) {
            return Ok(Visibility::Nothing);
        }
        let s = who.scope.clone();
        Ok(match who.role {
            Role::Local | Role::CityStaff | Role::Auditor => Visibility::All,
            Role::DistrictStaff => {
                if has_region(kind) {
                    Visibility::Some(vec![RegionPrefix(region_prefix(&s))])
                } else if chain_kind(kind) {
                    Visibility::All
                } else {
                    // Responses and deliveries follow their demand's / shop's district.
                    let target = if kind == DemandResponse {
                        Demand
                    } else {
                        Organisation
                    };
                    let ids = self.ids_in_region(target, &region_prefix(&s))?;
                    Visibility::Some(vec![RefersTo { kind: target, ids }])
                }
            }
            Role::DepartmentStaff => {
                let programmes = self.department_programmes(&s)?;
                match kind {
                    Programme => Visibility::Some(vec![Ids(programmes)]),
                    Application => Visibility::Some(vec![RefersTo {
                        kind: Programme,
                        ids: programmes,
                    }]),
                    // Reviewing applications needs the applicants' registrations and outputs.
                    Organisation | Platform | Achievement | Policy | SharedService
                    | VoucherProgramme => Visibility::All,
                    k if chain_kind(k) => Visibility::All,
                    _ => Visibility::Nothing,
                }
            }
            Role::Enterprise => {
                let own = vec![s.clone()];
                match kind {
                    Organisation => Visibility::Some(vec![Ids(own)]),
                    Demand | Application | Equipment | Platform | Achievement | Delivery
                    | TechDeal => Visibility::Some(vec![RefersTo {
                        kind: Organisation,
                        ids: own,
                    }]),
                    DemandResponse => {
                        let demands = self.ids_referring(Demand, Organisation, &s)?;
                        Visibility::Some(vec![
                            RefersTo {
                                kind: Organisation,
                                ids: own,
                            },
                            RefersTo {
                                kind: Demand,
                                ids: demands,
                            },
                        ])
                    }
                    // Policies, programmes and shared services are published for everyone.
                    Policy | Programme | SharedService | VoucherProgramme => Visibility::All,
                    _ => Visibility::Nothing,
                }
            }
            Role::Expert => {
                let solver_kind = self.solver_kind_of(&s)?;
                let responded = self.responded_demands(solver_kind, &s)?;
                match kind {
                    k if k == solver_kind => Visibility::Some(vec![Ids(vec![s.clone()])]),
                    DemandResponse => Visibility::Some(vec![RefersTo {
                        kind: solver_kind,
                        ids: vec![s.clone()],
                    }]),
                    Demand => Visibility::Some(vec![Ids(responded)]),
                    Policy | Programme | SharedService | VoucherProgramme => Visibility::All,
                    _ => Visibility::Nothing,
                }
            }
            Role::TechManager => {
                let managed = self.ids_referring(Demand, Person, &s)?;
                match kind {
                    Person => Visibility::Some(vec![Ids(vec![s.clone()])]),
                    Demand => Visibility::Some(vec![Ids(managed)]),
                    TechDeal => Visibility::Some(vec![RefersTo {
                        kind: Person,
                        ids: vec![s.clone()],
                    }]),
                    DemandResponse => Visibility::Some(vec![RefersTo {
                        kind: Demand,
                        ids: managed,
                    }]),
                    // A broker works with the units on both sides of a demand.
                    Organisation | Platform | Achievement | Equipment | Policy | Programme
                    | SharedService | VoucherProgramme => Visibility::All,
                    _ => Visibility::Nothing,
                }
            }
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => Visibility::Nothing,
        })
    }

    /// `query` narrowed to what `who` may see (`None` when nothing).
    pub fn scoped(&self, who: &Principal, mut query: ListQuery) -> Result<Option<ListQuery>> {
        match self.visibility(who, query.kind)? {
            Visibility::All => Ok(Some(query)),
            Visibility::Nothing => Ok(None),
            Visibility::Some(filters) => {
                query.scope = Some(filters);
                Ok(Some(query))
            }
        }
    }

    /// Whether `who` may read this record.
    pub fn allows(&self, who: &Principal, record: &Record) -> Result<bool> {
        // A department's programmes are those naming it (the id list of `visibility` holds the
        // stored ones; a new programme is judged by the same field).
        if let (Role::DepartmentStaff, Record::Programme(p)) = (who.role, record) {
            return Ok(who.may(Perm::Read) && p.department.trim() == who.scope.trim());
        }
        Ok(match self.visibility(who, record.kind())? {
            Visibility::All => true,
            Visibility::Nothing => false,
            Visibility::Some(filters) => filters.iter().any(|f| matches_filter(f, record)),
        })
    }

    /// Whether the record is in the caller's write scope: its read scope, narrowed for kinds a
    /// unit reads everywhere but writes only its own of (a shared service names its owner).
    fn allows_write(&self, who: &Principal, record: &Record) -> Result<bool> {
        if owner_only(who.role, record.kind()) {
            return Ok(record
                .references()
                .iter()
                .any(|r| r.kind == EntityKind::Organisation && r.id == who.scope));
        }
        self.allows(who, record)
    }

    /// Whether `who` may write `record` (a new version, or one being created or deleted).
    pub(crate) fn check_writable(
        &self,
        who: &Principal,
        record: &Record,
        creating_or_deleting: bool,
    ) -> Result<()> {
        let kind = record.kind();
        who.require(Perm::Write)?;
        let allowed = if creating_or_deleting {
            creatable(who.role, kind)
        } else {
            writable(who.role, kind)
        };
        if !allowed {
            return Err(Error::new(
                Code::Forbidden,
                format!(
                    "当前账号（{}）无权{}{}",
                    who.role.label(),
                    if creating_or_deleting {
                        "新增或删除"
                    } else {
                        "修改"
                    },
                    kind.label()
                ),
            ));
        }
        if !self.allows_write(who, &self.with_region(record))? {
            return Err(Error::new(
                Code::Forbidden,
                format!(
                    "{}「{}」不在当前账号的管辖范围内（{}）",
                    kind.label(),
                    record.id(),
                    who.scope
                ),
            ));
        }
        Ok(())
    }

    /// The record with a missing region filled from its organisation, as the store will write
    /// it, so that a new demand without a region is judged by its unit's district.
    fn with_region(&self, record: &Record) -> Record {
        let mut r = record.clone();
        r.inherit_region(
            |c| match self.repo.get(EntityKind::Organisation, c.as_str()) {
                Ok(Some(Record::Organisation(o))) => Some(o.region.clone()),
                _ => None,
            },
        );
        r
    }

    /// For a batch (an import): the records `who` may not write, by index, with the reason.
    /// Kept cheap for callers who may write the whole kind everywhere.
    pub(crate) fn check_batch(
        &self,
        who: &Principal,
        records: &[Record],
    ) -> Result<Vec<(usize, String)>> {
        let mut refused = Vec::new();
        // The demand workflow's stage rule holds for imports too, whoever imports: a file may
        // register demands at any stage, but an existing demand moves one stage at a time (and
        // back only through the workflow form, with a reason).
        for (i, record) in records.iter().enumerate() {
            // A policy linked to a rule names one that exists, as on every other path.
            if let Record::Policy(_) = record {
                if let Err(e) = self.check_policy_link(record) {
                    refused.push((i, e.message));
                }
                continue;
            }
            // A deal already registered moves one stage at a time too (a file of the 技术合同登记
            // export registers new ones at any stage).
            if let Record::TechDeal(d) = record {
                if !d.id.is_empty() {
                    if let Some(old) = self.repo.get(EntityKind::TechDeal, &d.id)? {
                        if let Err(e) = crate::deals::check_deal_move(&old, record) {
                            refused.push((i, e.message));
                        }
                    }
                }
                continue;
            }
            let Record::Demand(d) = record else { continue };
            if d.id.is_empty() {
                continue;
            }
            if let Some(Record::Demand(old)) = self.repo.get(EntityKind::Demand, &d.id)? {
                if old.status != d.status {
                    if let Err(m) = old.status.check_move(d.status, "") {
                        refused.push((
                            i,
                            format!("{m}（需求流转须逐级进行，退回请在需求页面操作并写明原因）"),
                        ));
                    }
                }
            }
        }
        if who.role == Role::Local || !refused.is_empty() {
            return Ok(refused);
        }
        for (i, record) in records.iter().enumerate() {
            let kind = record.kind();
            if !who.may(Perm::Write) || !writable(who.role, kind) {
                refused.push((
                    i,
                    format!("当前账号（{}）无权写入{}", who.role.label(), kind.label()),
                ));
                continue;
            }
            if self.visibility(who, kind)? == Visibility::All
                && creatable(who.role, kind)
                && !owner_only(who.role, kind)
            {
                continue;
            }
            let stored = if record.id().is_empty() {
                None
            } else {
                self.repo.get(kind, record.id())?
            };
            let outcome = match &stored {
                Some(old) if !self.allows_write(who, old)? => Some(format!(
                    "{}「{}」不在当前账号的管辖范围内",
                    kind.label(),
                    record.id()
                )),
                None if !creatable(who.role, kind) => Some(format!(
                    "当前账号（{}）无权新增{}",
                    who.role.label(),
                    kind.label()
                )),
                _ if !self.allows_write(who, &self.with_region(record))? => Some(format!(
                    "该行不在当前账号的管辖范围内（{}：{}）",
                    who.role.scope_label(),
                    who.scope
                )),
                _ => None,
            };
            if let Some(reason) = outcome {
                refused.push((i, reason));
            }
        }
        Ok(refused)
    }

    // ---- the id sets scopes are made of (small: one unit's, one department's, one person's) ----

    fn ids_in_region(&self, kind: EntityKind, prefix: &str) -> Result<Vec<String>> {
        let mut q = ListQuery::new(kind);
        q.region_prefix = Some(prefix.to_string());
        self.all_ids(q)
    }

    /// Ids of records of `kind` that refer to `target_id` of `target`.
    fn ids_referring(
        &self,
        kind: EntityKind,
        target: EntityKind,
        target_id: &str,
    ) -> Result<Vec<String>> {
        let mut q = ListQuery::new(kind);
        q.scope = Some(vec![ScopeFilter::RefersTo {
            kind: target,
            ids: vec![target_id.to_string()],
        }]);
        self.all_ids(q)
    }

    fn all_ids(&self, mut q: ListQuery) -> Result<Vec<String>> {
        q.per_page = 1000;
        let mut out = Vec::new();
        for page in 1.. {
            q.page = page;
            let p = self.repo.list(&q)?;
            out.extend(p.records.iter().map(|r| r.id().to_string()));
            if out.len() >= p.total || p.records.is_empty() {
                break;
            }
        }
        Ok(out)
    }

    fn department_programmes(&self, department: &str) -> Result<Vec<String>> {
        Ok(self
            .repo
            .all(EntityKind::Programme)?
            .into_iter()
            .filter(
                |r| matches!(r, Record::Programme(p) if p.department.trim() == department.trim()),
            )
            .map(|r| r.id().to_string())
            .collect())
    }

    fn solver_kind_of(&self, id: &str) -> Result<EntityKind> {
        if self.repo.get(EntityKind::Platform, id)?.is_some() {
            Ok(EntityKind::Platform)
        } else {
            Ok(EntityKind::Person)
        }
    }

    /// Demands this solver has answered.
    fn responded_demands(&self, solver_kind: EntityKind, id: &str) -> Result<Vec<String>> {
        let mut q = ListQuery::new(EntityKind::DemandResponse);
        q.scope = Some(vec![ScopeFilter::RefersTo {
            kind: solver_kind,
            ids: vec![id.to_string()],
        }]);
        q.per_page = 1000;
        let mut out = Vec::new();
        for r in self.repo.list(&q)?.records {
            if let Record::DemandResponse(resp) = r {
                out.push(resp.demand.clone());
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

pub(crate) fn not_found(kind: EntityKind, id: &str) -> Error {
    Error::not_found(format!("未找到{}「{id}」", kind.label()))
}

fn matches_filter(f: &ScopeFilter, record: &Record) -> bool {
    match f {
        ScopeFilter::RegionPrefix(p) => record
            .index()
            .region
            .as_deref()
            .is_some_and(|r| r.starts_with(p.as_str())),
        ScopeFilter::Ids(ids) => ids.iter().any(|i| i == record.id()),
        ScopeFilter::RefersTo { kind, ids } => record
            .references()
            .iter()
            .any(|r| r.kind == *kind && ids.contains(&r.id)),
    }
}
