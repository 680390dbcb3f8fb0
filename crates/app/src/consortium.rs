//! 创新联合体组建建议: for a chain node (usually a gap), a common technical problem or one demand,
//! a proposed consortium built from the engines — a lead enterprise able to lead (size, R&D spend,
//! platforms it hosts), local firms on the nodes upstream and downstream, universities and
//! institutes whose experts, platforms and results fit (the matching engine), experts and
//! platforms, and the intermediary and technology manager who brokered deals in the field — each
//! with the reason it was chosen, and the relations already linking members (supply, past deals,
//! answered demands, shared results, one group). The bureau adjusts a proposal and saves it;
//! a saved proposal never changes and is exported as an XLSX annex.

use crate::auth::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_core::model::{OrgKind, Organisation, Tier};
use innomesh_core::tabular::Cell;
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_matching::SolverKind;
use innomesh_store::consortium::StoredConsortium;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a consortium is proposed for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Basis {
    /// A chain node by its registry id (`rare_earth.magnet`).
    Node(String),
    /// A common problem by its number (1-based) in the current list of 共性技术问题.
    Problem(usize),
    /// A demand by its id.
    Demand(String),
}

impl Basis {
    pub fn kind(&self) -> &'static str {
        match self {
            Basis::Node(_) => "node",
            Basis::Problem(_) => "problem",
            Basis::Demand(_) => "demand",
        }
    }
    pub fn id(&self) -> String {
        match self {
            Basis::Node(s) | Basis::Demand(s) => s.clone(),
            Basis::Problem(n) => n.to_string(),
        }
    }
    pub fn parse(kind: &str, id: &str) -> Result<Basis> {
        let id = id.trim();
        match kind {
            "node" if !id.is_empty() => Ok(Basis::Node(id.to_string())),
            "demand" if !id.is_empty() => Ok(Basis::Demand(id.to_string())),
            "problem" => id
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .map(Basis::Problem)
                .ok_or_else(|| Error::invalid(format!("共性技术问题序号「{id}」应为 1–1000 的整数"))),
            _ => Err(Error::invalid(
                "组建依据应为 node（产业链节点）、problem（共性技术问题序号）或 demand（技术需求编号）之一，并给出编号",
            )),
        }
    }
}

/// A member's place in the consortium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Lead,
    Upstream,
    Downstream,
    Academic,
    Expert,
    Platform,
    Intermediary,
    Manager,
}

impl MemberRole {
    pub const ALL: [MemberRole; 8] = [
        Self::Lead,
        Self::Upstream,
        Self::Downstream,
        Self::Academic,
        Self::Expert,
        Self::Platform,
        Self::Intermediary,
        Self::Manager,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Upstream => "upstream",
            Self::Downstream => "downstream",
            Self::Academic => "academic",
            Self::Expert => "expert",
            Self::Platform => "platform",
            Self::Intermediary => "intermediary",
            Self::Manager => "manager",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Lead => "牵头企业",
            Self::Upstream => "上游企业",
            Self::Downstream => "下游企业",
            Self::Academic => "高校院所",
            Self::Expert => "专家",
            Self::Platform => "创新平台",
            Self::Intermediary => "科技中介机构",
            Self::Manager => "技术经理人",
        }
    }
    pub fn parse(s: &str) -> Option<MemberRole> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label() == s)
    }
    /// The registry kind a member in this role is.
    pub fn kind(self) -> EntityKind {
        match self {
            Self::Expert | Self::Manager => EntityKind::Person,
            Self::Platform => EntityKind::Platform,
            _ => EntityKind::Organisation,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub role: MemberRole,
    pub role_label: String,
    /// Credit code (organisations), person id or platform id.
    pub id: String,
    pub name: String,
    /// The member's unit (a person's organisation, a platform's host), credit code.
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub region: String,
    pub reason: String,
}

/// A relation already linking two members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub a: String,
    pub a_name: String,
    pub b: String,
    pub b_name: String,
    /// 供应 / 技术交易 / 需求应答 / 共有成果 / 同一集团 / 任职.
    pub kind: String,
    pub detail: String,
    /// The records behind it (supply relation, deal, response, achievement ids).
    pub evidence: Vec<String>,
}

/// A proposal, computed or saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proposal {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    pub basis: Basis,
    pub basis_label: String,
    /// The chain node it concerns: (id, name, chain name), when one is known.
    pub node: Option<(String, String, String)>,
    pub members: Vec<Member>,
    pub relations: Vec<Link>,
    /// What could not be filled, in Chinese (no local firm upstream …).
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub revises: Option<String>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: String,
}

/// A member as a caller submits it: role, registry id and the reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub role: String,
    pub id: String,
    #[serde(default)]
    pub reason: String,
}

/// A proposal to save (after adjusting it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveInput {
    pub title: String,
    pub basis: BasisInput,
    pub members: Vec<MemberInput>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub revises: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasisInput {
    pub kind: String,
    pub id: String,
}

/// Saved proposals as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: String,
    pub title: String,
    pub basis_kind: String,
    pub basis_label: String,
    pub lead: String,
    pub members: usize,
    pub revises: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

fn wan(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn tier_weight(t: Tier) -> f64 {
    match t {
        Tier::National => 3.0,
        Tier::Provincial => 2.0,
        Tier::Municipal => 1.0,
    }
}

fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// What the engines know about the problem a consortium is for.
struct Focus {
    basis_label: String,
    title: String,
    /// What the problem is, in a few words (a node's name, a problem's top words, a demand's
    /// title): the query, without the words of the consortium's own name.
    subject: String,
    /// The text matched against solvers.
    text: String,
    /// Chain node (engine key `chain/node`), when known.
    node_key: Option<String>,
    /// Enterprises that ask it (a problem's or a demand's units), credit codes.
    askers: Vec<String>,
}

/// Consortia are assembled across districts from every district's firms (their revenue and R&D
/// spend are in the reasons): the city bureau's tool, not a district clerk's, whose reads stop at
/// the district.
fn city_level(who: &Principal) -> Result<()> {
    if who.role == Role::DistrictStaff {
        return Err(Error::new(
            Code::Forbidden,
            "创新联合体跨旗县区组建，由市科技局使用；旗县区工作人员请联系市科技局",
        ));
    }
    Ok(())
}

impl App {
    /// Whether the caller may propose and save consortia (for the links that lead there).
    pub fn may_build_consortia(&self, who: &Principal) -> bool {
        who.may(Perm::Engines) && who.may(Perm::Write) && city_level(who).is_ok()
    }

    /// May see proposals: city and district staff, auditors; enterprises, experts and technology
    /// managers see saved proposals that name them.
    fn consortium_reader(&self, who: &Principal) -> Result<bool> {
        city_level(who)?;
        if who.may(Perm::Engines) {
            return Ok(true);
        }
        if who.may(Perm::Read)
            && matches!(
                who.role,
                Role::Enterprise | Role::Expert | Role::TechManager
            )
        {
            return Ok(false);
        }
        Err(Error::new(
            Code::Forbidden,
            "创新联合体组建建议由科技局（市级、旗县区工作人员）使用",
        ))
    }

    fn org_record(&self, code: &str) -> Result<Option<Organisation>> {
        Ok(match self.repo.get(EntityKind::Organisation, code)? {
            Some(Record::Organisation(o)) => Some(o),
            _ => None,
        })
    }

    fn focus(&self, basis: &Basis) -> Result<Focus> {
        let loaded = crate::chains::loaded(self)?;
        let chains = loaded.engine.chains();
        match basis {
            Basis::Node(id) => {
                let key = crate::chains::node_key(id);
                let idx = chains
                    .node_index(&key)
                    .ok_or_else(|| Error::not_found(format!("没有编号为「{id}」的产业链节点")))?;
                let n = &chains.nodes()[idx];
                let chain_name = chains
                    .chains()
                    .iter()
                    .find(|c| c.id == n.chain)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                let reports = crate::chains::reports(self, None)?;
                let verdicts: Vec<String> = reports
                    .reports
                    .iter()
                    .flat_map(|r| &r.nodes)
                    .filter(|nr| nr.metrics.node == key)
                    .flat_map(|nr| nr.verdicts.iter().map(|v| v.label.clone()))
                    .collect();
                let label = if verdicts.is_empty() {
                    format!("{chain_name} · {}", n.name)
                } else {
                    format!("{chain_name} · {}（{}）", n.name, verdicts.join("、"))
                };
                Ok(Focus {
                    basis_label: label,
                    title: format!("{}关键技术攻关创新联合体", n.name),
                    subject: n.name.clone(),
                    text: format!("{} {}", n.name, n.keywords.join(" ")),
                    node_key: Some(key),
                    askers: vec![],
                })
            }
            Basis::Problem(k) => {
                let list = self.common_problems(&Principal::local("consortium"), None)?;
                let p = list.get(k - 1).ok_or_else(|| {
                    Error::not_found(format!(
                        "共性技术问题第 {k} 项不存在（现有 {} 项）",
                        list.len()
                    ))
                })?;
                let node_key = p
                    .nodes
                    .first()
                    .map(|(id, _, _)| crate::chains::node_key(id));
                let mut askers: Vec<String> = Vec::new();
                let mut titles = Vec::new();
                for (id, title, _) in &p.demands {
                    titles.push(title.clone());
                    if let Some(Record::Demand(d)) = self.repo.get(EntityKind::Demand, id)? {
                        let c = d.organisation.as_str().to_string();
                        if !askers.contains(&c) {
                            askers.push(c);
                        }
                    }
                }
                Ok(Focus {
                    basis_label: format!("共性技术问题：{}", p.terms.join(" · ")),
                    title: format!(
                        "{}共性技术攻关创新联合体",
                        p.terms.iter().take(2).cloned().collect::<String>()
                    ),
                    subject: p.terms.join(" "),
                    text: format!("{} {}", p.terms.join(" "), titles.join(" ")),
                    node_key,
                    askers,
                })
            }
            Basis::Demand(id) => {
                let Some(Record::Demand(d)) = self.repo.get(EntityKind::Demand, id)? else {
                    return Err(Error::not_found(format!("未找到技术需求「{id}」")));
                };
                let text = format!("{} {} {}", d.title, d.text, d.goal_metric);
                // The node the demand mentions, else the asking unit's own node.
                let mut node_key = chains
                    .nodes()
                    .iter()
                    .find(|n| {
                        n.keywords
                            .iter()
                            .any(|k| !k.is_empty() && text.contains(k.as_str()))
                    })
                    .map(|n| n.key.clone());
                if node_key.is_none() {
                    if let Some(&i) = loaded.codes.get(d.organisation.as_str()) {
                        node_key = loaded.engine.explain_org(i).first().map(|m| m.node.clone());
                    }
                }
                Ok(Focus {
                    basis_label: format!("技术需求：{}", d.title),
                    title: format!("{}攻关创新联合体", clip(&d.title, 20)),
                    subject: d.title.clone(),
                    text,
                    node_key,
                    askers: vec![d.organisation.as_str().to_string()],
                })
            }
        }
    }

    /// A proposed consortium for a chain node, a common problem or a demand, each member with the
    /// reason for choosing it and the relations already linking members.
    pub fn propose_consortium(&self, who: &Principal, basis: &Basis) -> Result<Proposal> {
        who.require(Perm::Engines)?;
        city_level(who)?;
        let focus = self.focus(basis)?;
        let loaded = crate::chains::loaded(self)?;
        let engine = &loaded.engine;
        let chains = engine.chains();
        let orgs_in = &engine.input().orgs;
        let mut warnings = Vec::new();
        let node = focus.node_key.as_ref().and_then(|k| chains.node_index(k));
        let node_info = node.map(|i| node_named(chains, i));
        // Local enterprises of a node (engine indices → records), at most `cap`.
        let local_firms = |idx: usize, cap: usize| -> Result<Vec<Organisation>> {
            let key = &chains.nodes()[idx].key;
            let mut out = Vec::new();
            for o in engine.node_orgs(key).map_err(crate::chains::chain_error)? {
                let oi = &orgs_in[o as usize];
                if !oi.local {
                    continue;
                }
                if let Some(org) = self.org_record(&oi.credit_code)? {
                    if org.kind == OrgKind::Enterprise {
                        out.push(org);
                    }
                }
                if out.len() >= cap {
                    break;
                }
            }
            Ok(out)
        };
        let (upstream_nodes, downstream_nodes): (Vec<usize>, Vec<usize>) = match node {
            Some(i) => (
                (0..chains.nodes().len())
                    .filter(|j| chains.nodes()[*j].supplies.contains(&i))
                    .collect(),
                chains.nodes()[i].supplies.clone(),
            ),
            None => (vec![], vec![]),
        };
        // Platforms by host.
        let mut hosted: HashMap<String, Vec<(String, Tier, String)>> = HashMap::new();
        for r in self.repo.all(EntityKind::Platform)? {
            if let Record::Platform(p) = r {
                hosted
                    .entry(p.host.as_str().to_string())
                    .or_default()
                    .push((p.name, p.tier, p.kind.label().to_string()));
            }
        }
        let supplies: Vec<innomesh_core::model::SupplyRelation> = self
            .repo
            .all(EntityKind::SupplyRelation)?
            .into_iter()
            .filter_map(|r| match r {
                Record::SupplyRelation(s) => Some(s),
                _ => None,
            })
            .collect();

        // 1. The lead: local enterprises on the node (none: the downstream users, then the
        // upstream suppliers), and the units that ask the problem.
        let mut lead_pool: Vec<(Organisation, &'static str)> = Vec::new();
        if let Some(i) = node {
            for o in local_firms(i, 200)? {
                lead_pool.push((o, "本节点企业"));
            }
            if lead_pool.is_empty() {
                warnings
                    .push("本节点没有本地企业（空白），牵头企业从下游用户、上游供应商中选".into());
                for &j in downstream_nodes.iter().chain(&upstream_nodes) {
                    for o in local_firms(j, 100)? {
                        lead_pool.push((o, "相邻节点企业"));
                    }
                }
            }
        }
        for c in &focus.askers {
            if let Some(o) = self.org_record(c)? {
                if o.kind == OrgKind::Enterprise
                    && !lead_pool
                        .iter()
                        .any(|(x, _)| x.credit_code == o.credit_code)
                {
                    lead_pool.push((o, "提出该问题"));
                }
            }
        }
        let lead_score = |o: &Organisation| -> f64 {
            let plats: f64 = hosted
                .get(o.credit_code.as_str())
                .map(|v| v.iter().map(|p| tier_weight(p.1)).sum())
                .unwrap_or(0.0);
            (1.0 + o.revenue.unwrap_or(0.0)).ln()
                + 1.5 * (1.0 + o.rd_spend.unwrap_or(0.0)).ln()
                + 0.5 * (1.0 + o.employees.unwrap_or(0) as f64).ln()
                + 1.5 * plats
                + if o.high_tech { 1.0 } else { 0.0 }
                + if o.specialised { 0.5 } else { 0.0 }
                + if focus.askers.contains(&o.credit_code.as_str().to_string()) {
                    1.0
                } else {
                    0.0
                }
        };
        lead_pool.sort_by(|a, b| {
            lead_score(&b.0)
                .total_cmp(&lead_score(&a.0))
                .then(a.0.credit_code.as_str().cmp(b.0.credit_code.as_str()))
        });
        let mut members: Vec<Member> = Vec::new();
        let region = |o: &Organisation| o.region.name();
        let lead = lead_pool.first().map(|(o, _)| o.clone());
        if let Some((o, why)) = lead_pool.first() {
            let mut parts = vec![(*why).to_string()];
            if let Some(r) = o.revenue {
                parts.push(format!("营业收入 {} 万元", wan(r)));
            }
            if let Some(e) = o.employees {
                parts.push(format!("从业人员 {e} 人"));
            }
            if let Some(rd) = o.rd_spend {
                match o.revenue.filter(|r| *r > 0.0) {
                    Some(r) => parts.push(format!(
                        "研发投入 {} 万元（占营业收入 {:.1}%）",
                        wan(rd),
                        rd / r * 100.0
                    )),
                    None => parts.push(format!("研发投入 {} 万元", wan(rd))),
                }
            }
            if let Some(ps) = hosted.get(o.credit_code.as_str()) {
                let names: Vec<String> = ps
                    .iter()
                    .map(|(n, t, k)| format!("{n}（{}{k}）", t.label()))
                    .collect();
                parts.push(format!(
                    "依托创新平台 {} 个：{}",
                    ps.len(),
                    names.join("、")
                ));
            }
            if o.high_tech {
                parts.push("高新技术企业".into());
            }
            if o.specialised {
                parts.push("专精特新企业".into());
            }
            if lead_pool.len() > 1 {
                parts.push(format!("在 {} 家候选企业中综合实力最强", lead_pool.len()));
            }
            members.push(Member {
                role: MemberRole::Lead,
                role_label: MemberRole::Lead.label().into(),
                id: o.credit_code.as_str().to_string(),
                name: o.name.clone(),
                organisation: None,
                region: region(o),
                reason: parts.join("；"),
            });
        } else {
            warnings.push("没有找到可牵头的本地企业：请手工指定牵头企业".into());
        }
        let lead_code = lead.as_ref().map(|o| o.credit_code.as_str().to_string());

        // 2. Upstream and downstream firms: those already trading with the lead first.
        let traded = |code: &str| -> Option<(f64, i32)> {
            let lc = lead_code.as_deref()?;
            supplies
                .iter()
                .filter(|s| {
                    (s.supplier.as_str() == code && s.customer.as_str() == lc)
                        || (s.customer.as_str() == code && s.supplier.as_str() == lc)
                })
                .fold(None, |acc: Option<(f64, i32)>, s| {
                    let (a, y) = acc.unwrap_or((0.0, 0));
                    Some((a + s.amount, y.max(s.year)))
                })
        };
        for (role, nodes, side) in [
            (MemberRole::Upstream, &upstream_nodes, "上游"),
            (MemberRole::Downstream, &downstream_nodes, "下游"),
        ] {
            if node.is_some() && nodes.is_empty() {
                warnings.push(format!("该节点在链上没有{side}环节"));
                continue;
            }
            let mut pool: Vec<(Organisation, String)> = Vec::new();
            for &j in nodes.iter() {
                for o in local_firms(j, 60)? {
                    if Some(o.credit_code.as_str()) == lead_code.as_deref()
                        || pool.iter().any(|(x, _)| x.credit_code == o.credit_code)
                    {
                        continue;
                    }
                    pool.push((o, chains.nodes()[j].name.clone()));
                }
            }
            if node.is_some() && pool.is_empty() {
                warnings.push(format!("{side}环节没有本地企业"));
            }
            pool.sort_by(|a, b| {
                let ta = traded(a.0.credit_code.as_str()).map(|t| t.0).unwrap_or(0.0);
                let tb = traded(b.0.credit_code.as_str()).map(|t| t.0).unwrap_or(0.0);
                tb.total_cmp(&ta)
                    .then(
                        b.0.revenue
                            .unwrap_or(0.0)
                            .total_cmp(&a.0.revenue.unwrap_or(0.0)),
                    )
                    .then(a.0.credit_code.as_str().cmp(b.0.credit_code.as_str()))
            });
            for (o, node_name) in pool.into_iter().take(2) {
                let mut parts = vec![format!("{side}节点「{node_name}」的本地企业")];
                if let Some((amount, year)) = traded(o.credit_code.as_str()) {
                    parts.push(format!(
                        "已与牵头企业有供应往来 {} 万元（最近 {year} 年）",
                        wan(amount)
                    ));
                }
                if !o.products.trim().is_empty() {
                    parts.push(format!("主要产品：{}", clip(&o.products, 30)));
                }
                if let Some(r) = o.revenue {
                    parts.push(format!("营业收入 {} 万元", wan(r)));
                }
                members.push(Member {
                    role,
                    role_label: role.label().into(),
                    id: o.credit_code.as_str().to_string(),
                    name: o.name.clone(),
                    organisation: None,
                    region: region(&o),
                    reason: parts.join("；"),
                });
            }
        }

        // 3. Universities and institutes, experts and platforms whose work fits (matching).
        let node_name = node_info.as_ref().map(|n| n.1.clone());
        let hits = crate::matching::match_text(
            self,
            &focus.subject,
            &focus.text,
            node_name.as_deref(),
            60,
        )?;
        let terms_of = |h: &innomesh_matching::SolverHit| -> String {
            let mut t: Vec<String> = Vec::new();
            for m in &h.evidence.matched_terms {
                if !t.contains(&m.term) {
                    t.push(m.term.clone());
                }
            }
            t.truncate(5);
            t.join("、")
        };
        let mut academic: BTreeMap<String, (f64, Vec<String>)> = BTreeMap::new();
        let mut unit_cache: HashMap<String, Option<Organisation>> = HashMap::new();
        let mut unit = |code: &str| -> Result<Option<Organisation>> {
            if let Some(o) = unit_cache.get(code) {
                return Ok(o.clone());
            }
            let o = self.org_record(code)?;
            unit_cache.insert(code.to_string(), o.clone());
            Ok(o)
        };
        let (mut experts, mut platforms) = (0, 0);
        for h in hits.iter().filter(|h| h.score > 0.0) {
            let terms = terms_of(h);
            let (units, what): (Vec<String>, String) = match h.kind {
                SolverKind::Expert => match self.repo.get(EntityKind::Person, &h.id)? {
                    Some(Record::Person(p)) => (
                        p.organisation
                            .iter()
                            .map(|c| c.as_str().to_string())
                            .collect(),
                        format!("专家{}", p.name),
                    ),
                    _ => continue,
                },
                SolverKind::Platform => match self.repo.get(EntityKind::Platform, &h.id)? {
                    Some(Record::Platform(p)) => (
                        vec![p.host.as_str().to_string()],
                        format!("平台「{}」", p.name),
                    ),
                    _ => continue,
                },
                SolverKind::Achievement => match self.repo.get(EntityKind::Achievement, &h.id)? {
                    Some(Record::Achievement(a)) => (
                        a.owners.iter().map(|c| c.as_str().to_string()).collect(),
                        format!("成果「{}」", clip(&a.title, 24)),
                    ),
                    _ => continue,
                },
                SolverKind::Equipment => continue,
            };
            let first_unit = units.first().cloned();
            for u in &units {
                if let Some(o) = unit(u)? {
                    if matches!(o.kind, OrgKind::University | OrgKind::Institute) {
                        let e = academic.entry(u.clone()).or_default();
                        e.0 += h.score as f64;
                        if e.1.len() < 3 {
                            e.1.push(if terms.is_empty() {
                                what.clone()
                            } else {
                                format!("{what}（{terms}）")
                            });
                        }
                    }
                }
            }
            let unit_name = match &first_unit {
                Some(u) => unit(u)?.map(|o| o.name).unwrap_or_default(),
                None => String::new(),
            };
            let reason = |kind: &str| {
                let mut r = format!("匹配得分 {:.2}", h.score);
                if terms.is_empty() {
                    r.push_str("，与问题语义相近（没有共同的词，请人工核实）");
                } else {
                    r.push_str(&format!("，相符的词：{terms}"));
                }
                if !unit_name.is_empty() {
                    r.push_str(&format!("；{kind}{unit_name}"));
                }
                if let Some(c) = h.evidence.collaborations.first() {
                    r.push_str(&format!(
                        "；曾为{}解决「{}」",
                        c.partner,
                        clip(&c.title, 20)
                    ));
                }
                r
            };
            match h.kind {
                SolverKind::Expert if experts < 3 => {
                    experts += 1;
                    members.push(Member {
                        role: MemberRole::Expert,
                        role_label: MemberRole::Expert.label().into(),
                        id: h.id.clone(),
                        name: h.name.clone(),
                        organisation: first_unit.clone(),
                        region: String::new(),
                        reason: reason("所在单位："),
                    });
                }
                SolverKind::Platform if platforms < 2 => {
                    platforms += 1;
                    members.push(Member {
                        role: MemberRole::Platform,
                        role_label: MemberRole::Platform.label().into(),
                        id: h.id.clone(),
                        name: h.name.clone(),
                        organisation: first_unit.clone(),
                        region: String::new(),
                        reason: reason("依托单位："),
                    });
                }
                _ => {}
            }
        }
        let mut ranked: Vec<(String, f64, Vec<String>)> =
            academic.into_iter().map(|(c, (s, w))| (c, s, w)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if ranked.is_empty() {
            warnings.push("匹配引擎没有找到相符的高校院所：请手工补充".into());
        }
        for (code, score, what) in ranked.into_iter().take(2) {
            if let Some(o) = unit(&code)? {
                members.push(Member {
                    role: MemberRole::Academic,
                    role_label: MemberRole::Academic.label().into(),
                    id: code,
                    name: o.name.clone(),
                    organisation: None,
                    region: region(&o),
                    reason: format!("{}与本问题相符（合计匹配得分 {score:.2}）", what.join("；")),
                });
            }
        }

        // 4. The intermediary (and technology manager) that brokered deals in this field: deals
        // touching the members or the node's firms, or whose title shares the problem's words.
        let mut field: BTreeSet<String> = members
            .iter()
            .filter(|m| m.role.kind() == EntityKind::Organisation)
            .map(|m| m.id.clone())
            .collect();
        for &j in node.iter().chain(&upstream_nodes).chain(&downstream_nodes) {
            for o in local_firms(j, 200)? {
                field.insert(o.credit_code.as_str().to_string());
            }
        }
        let words: Vec<String> = {
            let seg = crate::dictionaries::active(self)?.segmenter.clone();
            // Words every contract title has say nothing about the field.
            const GENERIC: &[&str] = &[
                "技术", "关键", "攻关", "创新", "项目", "合同", "开发", "研究", "服务",
            ];
            seg.content_words(&focus.subject)
                .into_iter()
                .filter(|w| w.chars().count() >= 2 && !GENERIC.contains(&w.as_str()))
                .collect()
        };
        let mut brokers: BTreeMap<String, (usize, f64, Vec<String>)> = BTreeMap::new();
        let mut managers: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
        for d in self.deals_all()? {
            let touches = field.contains(d.seller.as_str()) || field.contains(d.buyer.as_str());
            let said = words.iter().any(|w| d.title.contains(w.as_str()));
            if !(touches || said) {
                continue;
            }
            if let Some(i) = &d.intermediary {
                let e = brokers.entry(i.as_str().to_string()).or_default();
                e.0 += 1;
                if d.stage.signed() {
                    e.1 += d.amount.unwrap_or(0.0);
                }
                e.2.push(d.id.clone());
            }
            if let Some(m) = &d.manager {
                let e = managers.entry(m.clone()).or_default();
                e.0 += 1;
                e.1.push(d.id.clone());
            }
        }
        let best = brokers.iter().max_by(|a, b| {
            a.1 .0
                .cmp(&b.1 .0)
                .then(a.1 .1.total_cmp(&b.1 .1))
                .then(b.0.cmp(a.0))
        });
        match best {
            Some((code, (n, value, ids))) => {
                if let Some(o) = self.org_record(code)? {
                    let mut r = format!(
                        "在该领域促成技术交易 {n} 项（已签约金额 {} 万元）：{}",
                        wan(*value),
                        ids.iter().take(5).cloned().collect::<Vec<_>>().join("、")
                    );
                    if !o.intermediary_services.is_empty() {
                        r.push_str(&format!("；服务：{}", o.intermediary_services.join("、")));
                    }
                    members.push(Member {
                        role: MemberRole::Intermediary,
                        role_label: MemberRole::Intermediary.label().into(),
                        id: code.clone(),
                        name: o.name.clone(),
                        organisation: None,
                        region: region(&o),
                        reason: r,
                    });
                }
            }
            None => warnings.push("没有在该领域促成过交易的科技中介机构：请手工补充".into()),
        }
        if let Some((id, (n, ids))) = managers
            .iter()
            .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0)))
        {
            if let Some(Record::Person(p)) = self.repo.get(EntityKind::Person, id)? {
                let mut r = format!(
                    "经手该领域技术交易 {n} 项：{}",
                    ids.iter().take(5).cloned().collect::<Vec<_>>().join("、")
                );
                if !p.certificate_no.is_empty() {
                    r.push_str(&format!("；技术经理人证书 {}", p.certificate_no));
                    if !p.certificate_level.is_empty() {
                        r.push_str(&format!("（{}）", p.certificate_level));
                    }
                }
                members.push(Member {
                    role: MemberRole::Manager,
                    role_label: MemberRole::Manager.label().into(),
                    id: id.clone(),
                    name: p.name.clone(),
                    organisation: p.organisation.map(|c| c.as_str().to_string()),
                    region: String::new(),
                    reason: r,
                });
            }
        }
        let relations = self.member_relations(&members)?;
        Ok(Proposal {
            id: None,
            title: focus.title,
            basis: basis.clone(),
            basis_label: focus.basis_label,
            node: node_info,
            members,
            relations,
            warnings,
            note: String::new(),
            revises: None,
            created_by: String::new(),
            created_at: String::new(),
        })
    }

    /// Relations already linking the members: supply, deals, answered demands, shared results,
    /// one group, a person working at a member unit.
    fn member_relations(&self, members: &[Member]) -> Result<Vec<Link>> {
        // Each member's unit (organisations are their own unit).
        let unit_of = |m: &Member| -> Option<String> {
            if m.role.kind() == EntityKind::Organisation {
                Some(m.id.clone())
            } else {
                m.organisation.clone()
            }
        };
        let mut name: HashMap<String, String> = HashMap::new();
        let mut units: BTreeSet<String> = BTreeSet::new();
        for m in members {
            if m.role.kind() == EntityKind::Organisation {
                name.insert(m.id.clone(), m.name.clone());
                units.insert(m.id.clone());
            }
        }
        let mut out: Vec<Link> = Vec::new();
        let mut push = |a: &str,
                        b: &str,
                        kind: &str,
                        detail: String,
                        evidence: Vec<String>,
                        name: &HashMap<String, String>| {
            if a == b {
                return;
            }
            out.push(Link {
                a: a.to_string(),
                a_name: name.get(a).cloned().unwrap_or_else(|| a.to_string()),
                b: b.to_string(),
                b_name: name.get(b).cloned().unwrap_or_else(|| b.to_string()),
                kind: kind.to_string(),
                detail,
                evidence,
            });
        };
        // A person or platform and the member unit it belongs to.
        for m in members {
            if m.role.kind() != EntityKind::Organisation {
                name.insert(m.id.clone(), m.name.clone());
                if let Some(u) = &m.organisation {
                    if units.contains(u) {
                        let what = if m.role == MemberRole::Platform {
                            "依托单位"
                        } else {
                            "所在单位"
                        };
                        push(
                            &m.id,
                            u,
                            "任职/依托",
                            format!("{}的{what}", m.name),
                            vec![],
                            &name,
                        );
                    }
                }
            }
        }
        // Supply between member units, pooled per pair.
        let mut supply: BTreeMap<(String, String), (f64, i32, Vec<String>)> = BTreeMap::new();
        for r in self.repo.all(EntityKind::SupplyRelation)? {
            if let Record::SupplyRelation(s) = r {
                let (a, b) = (s.supplier.as_str(), s.customer.as_str());
                if units.contains(a) && units.contains(b) {
                    let e = supply.entry((a.to_string(), b.to_string())).or_default();
                    e.0 += s.amount;
                    e.1 = e.1.max(s.year);
                    e.2.push(s.id.clone());
                }
            }
        }
        for ((a, b), (amount, year, ids)) in supply {
            push(
                &a,
                &b,
                "供应",
                format!("供货 {} 万元（最近 {year} 年）", wan(amount)),
                ids,
                &name,
            );
        }
        // Deals between members (seller, buyer, intermediary).
        let mut deals: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for d in self.deals_all()? {
            let mut parties = vec![d.seller.as_str().to_string(), d.buyer.as_str().to_string()];
            if let Some(i) = &d.intermediary {
                parties.push(i.as_str().to_string());
            }
            let inside: Vec<&String> = parties.iter().filter(|p| units.contains(*p)).collect();
            for i in 0..inside.len() {
                for j in i + 1..inside.len() {
                    deals
                        .entry((inside[i].clone(), inside[j].clone()))
                        .or_default()
                        .push(d.id.clone());
                }
            }
        }
        for ((a, b), ids) in deals {
            push(
                &a,
                &b,
                "技术交易",
                format!("共同参与技术交易 {} 项", ids.len()),
                ids,
                &name,
            );
        }
        // Answers to a member's demands by members (their experts, platforms, results or units).
        let member_ids: HashMap<String, Option<String>> =
            members.iter().map(|m| (m.id.clone(), unit_of(m))).collect();
        let responses = crate::workflow::response_index(self)?;
        let mut answered: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for x in &responses.all {
            let solver_unit = match member_ids.get(&x.solver) {
                Some(u) => u.clone(),
                None => continue,
            };
            let Some(Record::Demand(d)) = self.repo.get(EntityKind::Demand, &x.demand)? else {
                continue;
            };
            let asker = d.organisation.as_str().to_string();
            if units.contains(&asker) {
                let from = if x.solver.is_empty() {
                    solver_unit.unwrap_or_default()
                } else {
                    x.solver.clone()
                };
                answered
                    .entry((from, asker))
                    .or_default()
                    .push(x.id.clone());
            }
        }
        for ((a, b), ids) in answered {
            push(
                &a,
                &b,
                "需求应答",
                format!("应答过对方的技术需求 {} 次", ids.len()),
                ids,
                &name,
            );
        }
        // Results owned together.
        for r in self.repo.all(EntityKind::Achievement)? {
            if let Record::Achievement(a) = r {
                let inside: Vec<&str> = a
                    .owners
                    .iter()
                    .map(|c| c.as_str())
                    .filter(|c| units.contains(*c))
                    .collect();
                for i in 0..inside.len() {
                    for j in i + 1..inside.len() {
                        push(
                            inside[i],
                            inside[j],
                            "共有成果",
                            format!("共同拥有「{}」", clip(&a.title, 24)),
                            vec![a.id.clone()],
                            &name,
                        );
                    }
                }
            }
        }
        // One group.
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for u in &units {
            if let Some(o) = self.org_record(u)? {
                if !o.group.trim().is_empty() {
                    groups
                        .entry(o.group.trim().to_string())
                        .or_default()
                        .push(u.clone());
                }
            }
        }
        for (g, us) in groups {
            for i in 0..us.len() {
                for j in i + 1..us.len() {
                    push(
                        &us[i],
                        &us[j],
                        "同一集团",
                        format!("同属{g}"),
                        vec![],
                        &name,
                    );
                }
            }
        }
        Ok(out)
    }

    /// Saves an adjusted proposal: every member checked against the registry (the role's kind of
    /// record, a lead that is an enterprise, one lead), reasons required; the relations are
    /// recomputed for the members saved. A saved proposal never changes.
    pub fn save_consortium(&self, who: &Principal, input: SaveInput) -> Result<Proposal> {
        who.require(Perm::Engines)?;
        city_level(who)?;
        who.require(Perm::Write)?;
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Error::invalid("联合体名称不能为空，最多 200 字"));
        }
        if input.note.chars().count() > 2000 {
            return Err(Error::invalid("备注最多 2000 字"));
        }
        let basis = Basis::parse(input.basis.kind.trim(), &input.basis.id)?;
        let focus = self.focus(&basis)?;
        if input.members.is_empty() || input.members.len() > 60 {
            return Err(Error::invalid("联合体成员应为 1–60 个"));
        }
        let mut members = Vec::new();
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, m) in input.members.iter().enumerate() {
            let n = i + 1;
            let Some(role) = MemberRole::parse(&m.role) else {
                errors.push(format!(
                    "第 {n} 个成员的角色「{}」不是可选值，可选：{}",
                    m.role,
                    MemberRole::ALL.map(|r| r.label()).join("、")
                ));
                continue;
            };
            let id = m.id.trim().to_uppercase();
            let id = if role.kind() == EntityKind::Organisation {
                id
            } else {
                m.id.trim().to_string()
            };
            let reason = m.reason.trim();
            if reason.is_empty() || reason.chars().count() > 1000 {
                errors.push(format!(
                    "第 {n} 个成员（{}）须写明推荐理由，最多 1000 字",
                    role.label()
                ));
                continue;
            }
            if !seen.insert((role, id.clone())) {
                errors.push(format!("第 {n} 个成员「{id}」重复列为{}", role.label()));
                continue;
            }
            let record = self.repo.get(role.kind(), &id)?;
            let member = match (role, record) {
                (_, Some(Record::Organisation(o))) => {
                    let fits = match role {
                        MemberRole::Lead | MemberRole::Upstream | MemberRole::Downstream => {
                            o.kind == OrgKind::Enterprise
                        }
                        MemberRole::Academic => {
                            matches!(o.kind, OrgKind::University | OrgKind::Institute)
                        }
                        MemberRole::Intermediary => o.kind == OrgKind::Intermediary,
                        _ => false,
                    };
                    if !fits {
                        errors.push(format!(
                            "第 {n} 个成员「{}」是{}，不能作为{}",
                            o.name,
                            o.kind.label(),
                            role.label()
                        ));
                        continue;
                    }
                    Member {
                        role,
                        role_label: role.label().into(),
                        id: o.credit_code.as_str().to_string(),
                        name: o.name.clone(),
                        organisation: None,
                        region: o.region.name(),
                        reason: reason.to_string(),
                    }
                }
                (MemberRole::Expert | MemberRole::Manager, Some(Record::Person(p))) => {
                    let wanted = if role == MemberRole::Manager {
                        innomesh_core::model::PersonRole::TechnologyManager
                    } else {
                        innomesh_core::model::PersonRole::Expert
                    };
                    if p.role != wanted {
                        errors.push(format!(
                            "第 {n} 个成员「{}」是{}，不能作为{}",
                            p.name,
                            p.role.label(),
                            role.label()
                        ));
                        continue;
                    }
                    Member {
                        role,
                        role_label: role.label().into(),
                        id: p.id.clone(),
                        name: p.name.clone(),
                        organisation: p.organisation.map(|c| c.as_str().to_string()),
                        region: String::new(),
                        reason: reason.to_string(),
                    }
                }
                (MemberRole::Platform, Some(Record::Platform(p))) => Member {
                    role,
                    role_label: role.label().into(),
                    id: p.id.clone(),
                    name: p.name.clone(),
                    organisation: Some(p.host.as_str().to_string()),
                    region: String::new(),
                    reason: reason.to_string(),
                },
                _ => {
                    errors.push(format!(
                        "第 {n} 个成员：登记库中没有{}「{id}」",
                        role.kind().label()
                    ));
                    continue;
                }
            };
            members.push(member);
        }
        let leads = members
            .iter()
            .filter(|m| m.role == MemberRole::Lead)
            .count();
        if errors.is_empty() && leads != 1 {
            errors.push(format!("联合体须有且只有一家牵头企业（现有 {leads} 家）"));
        }
        if !errors.is_empty() {
            return Err(Error::invalid(errors.join("；")));
        }
        members.sort_by_key(|m| m.role);
        let relations = self.member_relations(&members)?;
        let node = match &focus.node_key {
            Some(k) => {
                let loaded = crate::chains::loaded(self)?;
                let chains = loaded.engine.chains();
                chains.node_index(k).map(|i| node_named(chains, i))
            }
            None => None,
        };
        let data = serde_json::json!({"members": members, "relations": relations, "node": node});
        let saved = self.repo.consortium_save(
            &StoredConsortium {
                id: String::new(),
                title: title.to_string(),
                basis_kind: basis.kind().into(),
                basis_id: basis.id(),
                basis_label: focus.basis_label,
                revises: input
                    .revises
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty()),
                data: data.to_string(),
                note: input.note.trim().to_string(),
                created_by: String::new(),
                created_at: String::new(),
            },
            &who.actor(),
        )?;
        stored_view(saved)
    }

    /// Saved proposals the caller may see, newest first.
    pub fn consortia(&self, who: &Principal) -> Result<Vec<Summary>> {
        let all = self.consortium_reader(who)?;
        let mut out = Vec::new();
        for s in self.repo.consortia()? {
            let p = stored_view(s)?;
            if !all && !p.members.iter().any(|m| m.id == who.scope) {
                continue;
            }
            out.push(Summary {
                lead: p
                    .members
                    .iter()
                    .find(|m| m.role == MemberRole::Lead)
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                members: p.members.len(),
                id: p.id.unwrap_or_default(),
                title: p.title,
                basis_kind: p.basis.kind().into(),
                basis_label: p.basis_label,
                revises: p.revises,
                created_by: p.created_by,
                created_at: p.created_at,
            });
        }
        Ok(out)
    }

    /// One saved proposal (a member sees the proposals naming it; others: not found).
    pub fn consortium(&self, who: &Principal, id: &str) -> Result<Proposal> {
        let all = self.consortium_reader(who)?;
        let missing = || Error::not_found(format!("未找到联合体组建建议「{id}」"));
        let mut p = stored_view(self.repo.consortium(id)?.ok_or_else(missing)?)?;
        if !all && !p.members.iter().any(|m| m.id == who.scope) {
            return Err(missing());
        }
        if !all {
            // A member sees who is in it and why it was chosen itself; the other members'
            // reasons (their revenue and R&D spend), the bureau's note and the relations between
            // others stay with the bureau.
            for m in p.members.iter_mut().filter(|m| m.id != who.scope) {
                m.reason = "（推荐理由仅科技局可见）".into();
            }
            p.relations.retain(|l| l.a == who.scope || l.b == who.scope);
            p.note.clear();
            p.warnings.clear();
        }
        Ok(p)
    }

    /// A saved proposal as an XLSX application annex: members with reasons, the relations between
    /// them, and what it is for.
    pub fn consortium_xlsx(&self, who: &Principal, id: &str) -> Result<Vec<u8>> {
        who.require(Perm::Export)?;
        let p = self.consortium(who, id)?;
        let text = |s: &str| Cell::Text(s.to_string());
        let headers: Vec<String> = [
            "序号",
            "角色",
            "名称",
            "统一社会信用代码或编号",
            "所在单位",
            "所在地",
            "推荐理由",
        ]
        .map(String::from)
        .to_vec();
        let mut units: HashMap<String, String> = p
            .members
            .iter()
            .filter(|m| m.role.kind() == EntityKind::Organisation)
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect();
        let mut rows = Vec::new();
        for (i, m) in p.members.iter().enumerate() {
            let unit = match &m.organisation {
                Some(c) => match units.get(c) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self
                            .org_record(c)?
                            .map(|o| o.name)
                            .unwrap_or_else(|| c.clone());
                        units.insert(c.clone(), n.clone());
                        n
                    }
                },
                None => String::new(),
            };
            rows.push(vec![
                Cell::Number((i + 1) as f64),
                text(&m.role_label),
                text(&m.name),
                text(&m.id),
                text(&unit),
                text(&m.region),
                text(&m.reason),
            ]);
        }
        let rel_headers: Vec<String> = ["成员甲", "成员乙", "已有关系", "说明", "依据记录"]
            .map(String::from)
            .to_vec();
        let rel_rows: Vec<Vec<Cell>> = p
            .relations
            .iter()
            .map(|l| {
                vec![
                    text(&l.a_name),
                    text(&l.b_name),
                    text(&l.kind),
                    text(&l.detail),
                    text(&l.evidence.join("；")),
                ]
            })
            .collect();
        let sample = self.sample_label();
        let about_headers: Vec<String> = vec!["项目".into(), "内容".into()];
        let mut about = vec![
            vec![text("联合体名称"), text(&p.title)],
            vec![text("建议编号"), text(p.id.as_deref().unwrap_or(""))],
            vec![text("组建依据"), text(&p.basis_label)],
            vec![
                text("产业链节点"),
                text(
                    &p.node
                        .as_ref()
                        .map(|n| format!("{} · {}", n.2, n.1))
                        .unwrap_or_default(),
                ),
            ],
            vec![text("成员数"), Cell::Number(p.members.len() as f64)],
            vec![text("修订自"), text(p.revises.as_deref().unwrap_or(""))],
            vec![text("备注"), text(&p.note)],
            vec![text("保存人"), text(&p.created_by)],
            vec![text("保存时间"), text(&p.created_at)],
        ];
        if let Some(s) = &sample {
            about.push(vec![text("数据说明"), text(s)]);
        }
        let title = |s: &str| match &sample {
            Some(_) => format!("{s}（示例数据）"),
            None => s.to_string(),
        };
        let names = [
            title("联合体成员"),
            title("成员间已有关系"),
            title("组建说明"),
        ];
        innomesh_sheets::write_xlsx(&[
            innomesh_sheets::Sheet {
                name: &names[0],
                headers: &headers,
                rows: &rows,
            },
            innomesh_sheets::Sheet {
                name: &names[1],
                headers: &rel_headers,
                rows: &rel_rows,
            },
            innomesh_sheets::Sheet {
                name: &names[2],
                headers: &about_headers,
                rows: &about,
            },
        ])
        .map_err(Error::internal)
    }
}

/// A chain node as a proposal names it: (store id, node name, chain name).
fn node_named(chains: &innomesh_chain::ChainSet, i: usize) -> (String, String, String) {
    let n = &chains.nodes()[i];
    let chain_name = chains
        .chains()
        .iter()
        .find(|c| c.id == n.chain)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    (crate::chains::store_id(&n.key), n.name.clone(), chain_name)
}

fn stored_view(s: StoredConsortium) -> Result<Proposal> {
    #[derive(Deserialize)]
    struct Data {
        members: Vec<Member>,
        relations: Vec<Link>,
        /// (store id, node name, chain name).
        #[serde(default)]
        node: Option<(String, String, String)>,
    }
    let d: Data = serde_json::from_str(&s.data).map_err(Error::internal)?;
    let basis = Basis::parse(&s.basis_kind, &s.basis_id)?;
    Ok(Proposal {
        id: Some(s.id),
        title: s.title,
        basis,
        basis_label: s.basis_label,
        node: d.node,
        members: d.members,
        relations: d.relations,
        warnings: vec![],
        note: s.note,
        revises: s.revises,
        created_by: s.created_by,
        created_at: s.created_at,
    })
}
