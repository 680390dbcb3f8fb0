//! The engines as front ends reach them: each call names its caller, and the `App` decides here
//! whether the caller may see that view (role permission) and which records it may show (scope).
//! The engine modules themselves stay caller-free (the warmer and the benchmarks use them).

use crate::auth::scope::Visibility;
use crate::auth::{Perm, Principal, Role};
use crate::{alloc, chains, dashboard, dictionaries, facets, funding, matching, search};
use crate::{App, Code, Error, Result};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_store::{ListQuery, ScopeFilter};
use std::sync::Arc;

impl App {
    /// Ranked solvers for a demand the caller may read (its publisher, its manager, staff).
    pub fn match_demand(
        &self,
        who: &Principal,
        id: &str,
        top: usize,
    ) -> Result<(
        innomesh_core::model::Demand,
        Vec<innomesh_matching::SolverHit>,
    )> {
        self.fetch(who, EntityKind::Demand, id)?;
        // An expert reads the demands it answered, not the ranking of its competitors.
        if who.role == Role::Expert {
            return Err(Error::new(
                Code::Forbidden,
                "专家账号无权查看需求的候选解题方排名",
            ));
        }
        matching::match_demand(self, id, top)
    }

    /// The matching page's lines for a demand the caller may read (same rule as
    /// [`match_demand`](Self::match_demand)): of one type, or mixed across types; folded; each
    /// with its organisation, district, tier, contact route and reason.
    pub fn broker_matches(
        &self,
        who: &Principal,
        id: &str,
        kind: Option<innomesh_matching::SolverKind>,
        top: usize,
    ) -> Result<(innomesh_core::model::Demand, Vec<matching::BrokerHit>)> {
        self.fetch(who, EntityKind::Demand, id)?;
        if who.role == Role::Expert {
            return Err(Error::new(
                Code::Forbidden,
                "专家账号无权查看需求的候选解题方排名",
            ));
        }
        matching::broker_matches(self, id, kind, top)
    }

    /// The technology managers the caller may see, offered for a demand it may read: with their
    /// fields and current load, the best fitting first.
    pub fn demand_managers(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Vec<matching::ManagerOption>> {
        let Record::Demand(d) = self.fetch(who, EntityKind::Demand, id)? else {
            return Err(Error::not_found(format!("未找到技术需求「{id}」")));
        };
        let mut q = ListQuery::new(EntityKind::Person);
        q.subkind = Some(
            innomesh_core::model::PersonRole::TechnologyManager
                .code()
                .to_string(),
        );
        q.per_page = 500;
        let people = self
            .list(who, &q)?
            .records
            .into_iter()
            .filter_map(|r| match r {
                Record::Person(p) => Some(p),
                _ => None,
            })
            .collect();
        matching::manager_options(self, &d, people)
    }

    /// Likely adopters of an achievement the caller may read.
    pub fn adopters(
        &self,
        who: &Principal,
        id: &str,
        top: usize,
    ) -> Result<Vec<innomesh_matching::AdopterHit>> {
        self.fetch(who, EntityKind::Achievement, id)?;
        matching::adopters(self, id, top)
    }

    pub fn chain_reports(
        &self,
        who: &Principal,
        year: Option<u16>,
    ) -> Result<Arc<chains::ChainData>> {
        who.require(Perm::Engines)?;
        chains::reports(self, year)
    }

    pub fn chains_loaded(&self, who: &Principal) -> Result<Arc<chains::Loaded>> {
        who.require(Perm::Engines)?;
        chains::loaded(self)
    }

    pub fn chain_report_xlsx(&self, who: &Principal, chain: &str) -> Result<Vec<u8>> {
        who.require(Perm::Engines)?;
        chains::report_xlsx(self, chain)
    }

    pub fn chain_rules(&self, who: &Principal) -> Result<innomesh_chain::DiagnosisRules> {
        who.require(Perm::Engines)?;
        chains::rules(self.repo.as_ref())
    }

    pub fn funding_overview(
        &self,
        who: &Principal,
        year: Option<i32>,
    ) -> Result<Arc<funding::Overview>> {
        who.require(Perm::Funding)?;
        funding::cached_overview(self, year)
    }

    /// Flagged pairs the caller may review: all for city staff and auditors, a department's
    /// only where one of the two applications is under its programmes.
    pub fn funding_duplicates(&self, who: &Principal) -> Result<Vec<innomesh_dedup::FlaggedPair>> {
        who.require(Perm::Funding)?;
        let pairs = funding::cached_duplicates(self)?;
        if self.visibility(who, EntityKind::Application)? == Visibility::All {
            return Ok(pairs.as_ref().clone());
        }
        let mine: std::collections::HashSet<String> = self
            .all(who, EntityKind::Application)?
            .into_iter()
            .map(|r| r.id().to_string())
            .collect();
        Ok(pairs
            .iter()
            .filter(|p| mine.contains(&p.a) || mine.contains(&p.b))
            .cloned()
            .collect())
    }

    /// An application the caller may read, for the duplicate review pages.
    pub fn funding_application(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<innomesh_core::model::Application>> {
        who.require(Perm::Funding)?;
        Ok(match self.repo.get(EntityKind::Application, id)? {
            Some(Record::Application(a)) => Some(a),
            _ => None,
        })
    }

    /// Applications keyed by id, for the review pages (funding reviewers only).
    pub fn funding_applications(
        &self,
        who: &Principal,
    ) -> Result<Vec<innomesh_core::model::Application>> {
        who.require(Perm::Funding)?;
        funding::applications(self.repo.as_ref())
    }

    /// The pre-submission check: an enterprise checks its own draft; reviewers check any.
    pub fn check_draft(
        &self,
        who: &Principal,
        draft: &innomesh_core::model::Application,
    ) -> Result<Vec<innomesh_dedup::Match>> {
        let own = who.role == Role::Enterprise && draft.applicant.as_str() == who.scope;
        if !own && !who.may(Perm::Funding) {
            return Err(Error::new(
                Code::Forbidden,
                if who.role == Role::Enterprise {
                    "企业只能自查本单位的申报书（申报单位须为本单位信用代码）".to_string()
                } else {
                    format!("当前账号（{}）无权进行申报查重", who.role.label())
                },
            ));
        }
        funding::check_draft(self.repo.as_ref(), draft)
    }

    pub fn capacity_shops(&self, who: &Principal) -> Result<Vec<innomesh_alloc::registry::Shop>> {
        who.require(Perm::Engines)?;
        alloc::shops(self.repo.as_ref())
    }

    pub fn sample_plan(
        &self,
        who: &Principal,
        parts: usize,
        seed: u64,
    ) -> Result<Arc<alloc::Planned>> {
        who.require(Perm::Engines)?;
        alloc::sample_plan(self, parts, seed)
    }

    /// Plans an order a planner uploaded (read-only: nothing is stored).
    pub fn plan_uploaded_order(
        &self,
        who: &Principal,
        order: innomesh_alloc::order::Order,
    ) -> Result<alloc::Planned> {
        who.require(Perm::Engines)?;
        alloc::plan_uploaded(self, order)
    }

    pub fn dashboard(&self, who: &Principal) -> Result<Arc<dashboard::Figures>> {
        who.require(Perm::Engines)?;
        Ok(dashboard::figures(self)?)
    }

    /// List facets (counts per district, industry, …) over what the caller may see: a district
    /// clerk's counts are their district's; callers with a narrower scope get none.
    pub fn facets(&self, who: &Principal, q: &ListQuery) -> Result<Option<facets::Facets>> {
        let mut q = q.clone();
        self.resolve_chain_filter(&mut q)?;
        let q = &q;
        match self.visibility(who, q.kind)? {
            Visibility::All => Ok(Some(facets::compute(self, q)?)),
            Visibility::Some(filters) => match filters.as_slice() {
                [ScopeFilter::RegionPrefix(p)] => {
                    let mut q = q.clone();
                    match &q.region_prefix {
                        Some(r) if r.starts_with(p.as_str()) => {}
                        Some(r) if p.starts_with(r.as_str()) => q.region_prefix = Some(p.clone()),
                        Some(_) => return Ok(Some(facets::Facets::default())),
                        None => q.region_prefix = Some(p.clone()),
                    }
                    // The district facet counts each district's records whatever region is
                    // chosen (to show the siblings): a clerk sees only their own district's.
                    let mut f = facets::compute(self, &q)?;
                    f.districts.retain(|code, _| code.starts_with(p.as_str()));
                    f.townships.retain(|code, _| code.starts_with(p.as_str()));
                    Ok(Some(f))
                }
                _ => Ok(None),
            },
            Visibility::Nothing => Ok(None),
        }
    }

    /// Full-text search over what the caller may see: every kind for city-wide roles; a
    /// district's records (kinds with a region) for district staff; for narrower roles the kinds
    /// they see in full (policies, programmes, …) — their own records are in their lists.
    pub fn search(
        &self,
        who: &Principal,
        sq: &innomesh_search::SearchQuery,
    ) -> Result<innomesh_search::SearchResults> {
        let mut sq = sq.clone();
        let wanted: Vec<EntityKind> = if sq.kinds.is_empty() {
            EntityKind::ALL.to_vec()
        } else {
            sq.kinds.clone()
        };
        let mut kinds = Vec::new();
        let mut district: Option<String> = None;
        for k in wanted {
            match self.visibility(who, k)? {
                Visibility::All => kinds.push(k),
                Visibility::Some(filters) => {
                    if let [ScopeFilter::RegionPrefix(p)] = filters.as_slice() {
                        district = Some(p.clone());
                        kinds.push(k);
                    }
                }
                Visibility::Nothing => {}
            }
        }
        if let Some(p) = district {
            // A district clerk searches their district (every kind in the list has a region).
            kinds.retain(|k| crate::auth::scope::has_region(*k));
            match &sq.region_prefix {
                Some(r) if r.starts_with(p.as_str()) => {}
                Some(r) if !p.starts_with(r.as_str()) => kinds.clear(),
                _ => sq.region_prefix = Some(p),
            }
        }
        if kinds.is_empty() {
            return Ok(innomesh_search::SearchResults::default());
        }
        sq.kinds = kinds;
        search::search(self, &sq)
    }

    /// A dictionary's text (anyone who may edit dictionaries or read the registry).
    pub fn dictionary_text(
        &self,
        who: &Principal,
        which: dictionaries::Which,
    ) -> Result<(String, bool)> {
        if !who.may(Perm::Dictionaries) {
            who.require(Perm::Read)?;
        }
        dictionaries::text(self.repo.as_ref(), which)
    }
}
