//! The matching service (出题解题): registry records become the matching engine's solvers and
//! adopters; demands get ranked solvers with evidence, achievements get likely adopters, and
//! problem cards are checked for what solvers need.

use crate::Error;
use innomesh_core::model::{DemandStatus, EquipmentKind, PersonRole, ResponseOutcome};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_matching::{self as m, SolverKind, SolverMatchConfig};
use innomesh_store::Repository;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Each organisation's industry and chain nodes (the chain engine's mapping).
struct OrgFacts {
    industry: HashMap<String, String>,
    nodes: HashMap<String, Vec<String>>,
}

fn org_facts(st: &crate::App) -> Result<OrgFacts, Error> {
    let loaded = crate::chains::loaded(st)?;
    let mut industry = HashMap::new();
    let mut nodes = HashMap::new();
    for (i, o) in loaded.engine.input().orgs.iter().enumerate() {
        if !o.industry.is_empty() {
            industry.insert(o.credit_code.clone(), o.industry.clone());
        }
        let n: Vec<String> = loaded
            .engine
            .explain_org(i as u32)
            .into_iter()
            .map(|x| x.name)
            .collect();
        if !n.is_empty() {
            nodes.insert(o.credit_code.clone(), n);
        }
    }
    Ok(OrgFacts { industry, nodes })
}

/// Who a solver is, for a broker: its organisation (credit code), district (code), tier and how
/// to reach it.
#[derive(Debug, Clone, Default)]
struct Profile {
    owner: Option<String>,
    region: Option<String>,
    tier: String,
    contact: Contact,
}

/// How to reach a solver (the organisation's name is filled in when shown).
#[derive(Debug, Clone, Default)]
enum Contact {
    /// An expert: through a technology manager or the expert's organisation.
    #[default]
    Expert,
    Platform,
    Achievement,
    /// An instrument with its 开放共享 offer (service id and name), or without one.
    Offer(Option<(String, String)>),
}

fn solvers(
    repo: &dyn Repository,
    facts: &OrgFacts,
) -> Result<(Vec<m::Solver>, HashMap<String, Profile>), Error> {
    let mut profiles: HashMap<String, Profile> = HashMap::new();
    let of = |code: Option<&str>| -> (Vec<String>, Vec<String>) {
        let Some(c) = code else {
            return (vec![], vec![]);
        };
        (
            facts.industry.get(c).cloned().into_iter().collect(),
            facts.nodes.get(c).cloned().unwrap_or_default(),
        )
    };
    let mut out = Vec::new();
    for r in repo.all(EntityKind::Person)? {
        let Record::Person(p) = r else { continue };
        if p.role != PersonRole::Expert {
            continue;
        }
        let (industries, chain_nodes) = of(p.organisation.as_ref().map(|c| c.as_str()));
        profiles.insert(
            p.id.clone(),
            Profile {
                owner: p.organisation.as_ref().map(|c| c.to_string()),
                region: p.region.as_ref().map(|c| c.to_string()),
                tier: p.title.clone(),
                contact: Contact::Expert,
            },
        );
        out.push(m::Solver {
            id: p.id,
            kind: SolverKind::Expert,
            name: format!("{}（{}）", p.name, p.title),
            text: p.expertise,
            disciplines: p.disciplines,
            industries,
            chain_nodes,
            collaborations: vec![],
        });
    }
    for r in repo.all(EntityKind::Platform)? {
        let Record::Platform(p) = r else { continue };
        let (mut industries, chain_nodes) = of(Some(p.host.as_str()));
        if let Some(i) = &p.industry {
            industries.insert(0, i.as_str().to_string());
        }
        profiles.insert(
            p.id.clone(),
            Profile {
                owner: Some(p.host.to_string()),
                region: p.region.as_ref().map(|c| c.to_string()),
                tier: format!("{} · {}", p.tier.label(), p.kind.label()),
                contact: Contact::Platform,
            },
        );
        out.push(m::Solver {
            id: p.id,
            kind: SolverKind::Platform,
            name: p.name,
            text: p.field.clone(),
            disciplines: p.field.split('；').map(str::to_string).collect(),
            industries,
            chain_nodes,
            collaborations: vec![],
        });
    }
    for r in repo.all(EntityKind::Achievement)? {
        let Record::Achievement(a) = r else { continue };
        let (mut industries, chain_nodes) = of(a.owners.first().map(|c| c.as_str()));
        if let Some(i) = &a.industry {
            industries.insert(0, i.as_str().to_string());
        }
        profiles.insert(
            a.id.clone(),
            Profile {
                owner: a.owners.first().map(|c| c.to_string()),
                region: a.region.as_ref().map(|c| c.to_string()),
                tier: match a.trl {
                    Some(t) => format!("{} · 成熟度 {t} 级", a.kind.label()),
                    None => a.kind.label().to_string(),
                },
                contact: Contact::Achievement,
            },
        );
        out.push(m::Solver {
            id: a.id,
            kind: SolverKind::Achievement,
            name: a.title,
            text: a.text,
            disciplines: vec![],
            industries,
            chain_nodes,
            collaborations: vec![],
        });
    }
    // What an instrument measures is written on its 开放共享 offer, not on the instrument record
    // (whose description is often just 「共享仪器，可预约」): the offer's name and 服务内容 are
    // part of the instrument's text.
    let mut offers: HashMap<String, Vec<String>> = HashMap::new();
    let mut offer_of: HashMap<String, (String, String)> = HashMap::new();
    for r in repo.all(EntityKind::SharedService)? {
        let Record::SharedService(x) = r else {
            continue;
        };
        if let Some(eq) = x.equipment {
            offers
                .entry(eq.clone())
                .or_default()
                .push(format!("{} {}", x.name, x.measures));
            offer_of.entry(eq).or_insert((x.id, x.name));
        }
    }
    for r in repo.all(EntityKind::Equipment)? {
        let Record::Equipment(e) = r else { continue };
        let offered = offers.remove(&e.id).unwrap_or_default().join(" ");
        let (industries, chain_nodes) = of(Some(e.owner.as_str()));
        let kind = if e.kind == EquipmentKind::Machine {
            "机床"
        } else {
            "仪器"
        };
        profiles.insert(
            e.id.clone(),
            Profile {
                owner: Some(e.owner.to_string()),
                region: e.region.as_ref().map(|c| c.to_string()),
                tier: format!("{kind} · 每周可共享 {} 小时", e.capacity_hours),
                contact: Contact::Offer(offer_of.remove(&e.id)),
            },
        );
        out.push(m::Solver {
            id: e.id,
            kind: SolverKind::Equipment,
            name: format!("{}（{kind}）", e.name),
            text: format!("{} {} {offered}", e.processes.join(" "), e.description),
            disciplines: vec![],
            industries,
            chain_nodes,
            collaborations: vec![],
        });
    }
    Ok((out, profiles))
}

/// Past collaborations from the workflow: each solver's chosen responses (签约的揭榜), keyed by
/// solver id, with the enterprise (credit code) as the partner.
fn collaborations(st: &crate::App) -> Result<HashMap<String, Vec<m::Collaboration>>, Error> {
    let repo = st.repo.as_ref();
    let mut demands: HashMap<String, (String, String, Option<i32>)> = HashMap::new();
    for r in repo.all(EntityKind::Demand)? {
        if let Record::Demand(d) = r {
            demands.insert(
                d.id.clone(),
                (
                    d.organisation.to_string(),
                    d.title.clone(),
                    d.deadline.map(|x| x.year),
                ),
            );
        }
    }
    let mut out: HashMap<String, Vec<m::Collaboration>> = HashMap::new();
    for x in &crate::workflow::response_index(st)?.all {
        if x.outcome != ResponseOutcome::Selected {
            continue;
        }
        if let Some((org, title, year)) = demands.get(&x.demand) {
            out.entry(x.solver.clone())
                .or_default()
                .push(m::Collaboration {
                    partner: org.clone(),
                    title: title.clone(),
                    year: x.decided.map(|d| d.year).or(*year),
                });
        }
    }
    Ok(out)
}

/// Every solver of the registry, prepared for matching; rebuilt only when the registry changes.
pub struct Prepared {
    pub index: m::SolverIndex,
    facts: OrgFacts,
    dicts: Arc<crate::dictionaries::Active>,
    profiles: HashMap<String, Profile>,
    /// Organisation names by credit code (the solvers' owners).
    org_names: HashMap<String, String>,
}

pub fn prepared(st: &crate::App) -> Result<Arc<Prepared>, Error> {
    st.derived.solvers.get(st, (), || {
        let repo = st.repo.as_ref();
        let facts = org_facts(st)?;
        let (mut solvers, profiles) = solvers(repo, &facts)?;
        let mut owners: Vec<String> = profiles.values().filter_map(|p| p.owner.clone()).collect();
        owners.sort_unstable();
        owners.dedup();
        let org_names = repo.org_names(&owners)?;
        let collab = collaborations(st)?;
        for s in &mut solvers {
            if let Some(c) = collab.get(&s.id) {
                s.collaborations = c.clone();
            }
        }
        let dicts = crate::dictionaries::active(st)?;
        Ok(Prepared {
            index: m::SolverIndex::build(&dicts.segmenter, solvers),
            facts,
            dicts,
            profiles,
            org_names,
        })
    })
}

/// Builds both matching indexes for the registry's current version (the page-cache warmer).
pub fn warm(st: &crate::App) {
    if let Err(e) = prepared(st) {
        eprintln!("匹配索引预建失败：{}", e.message);
    }
    if let Err(e) = adopter_index(st) {
        eprintln!("承接企业索引预建失败：{}", e.message);
    }
}

/// Ranked solvers for a stored demand, each with evidence a person can check.
pub fn match_demand(
    st: &crate::App,
    id: &str,
    top: usize,
) -> Result<(innomesh_core::model::Demand, Vec<m::SolverHit>), Error> {
    let (d, demand) = demand_query(st, id)?;
    let p = prepared(st)?;
    let hits = p.index.rank(
        &p.dicts.aliases,
        &demand,
        top,
        &SolverMatchConfig::default(),
    );
    Ok((d, hits))
}

/// A stored demand and the engine's query for it.
fn demand_query(
    st: &crate::App,
    id: &str,
) -> Result<(innomesh_core::model::Demand, m::Demand), Error> {
    let repo = st.repo.as_ref();
    let Some(Record::Demand(d)) = repo.get(EntityKind::Demand, id)? else {
        return Err(Error::not_found(format!("未找到技术需求「{id}」")));
    };
    let p = prepared(st)?;
    let demand = m::Demand {
        id: d.id.clone(),
        title: d.title.clone(),
        text: format!("{} {} {}", d.text, d.goal_metric, d.current_state),
        discipline: None,
        industry: d.industry.as_ref().map(|i| i.as_str().to_string()),
        chain_node: p
            .facts
            .nodes
            .get(d.organisation.as_str())
            .and_then(|n| n.first().cloned()),
        enterprise: Some(d.organisation.to_string()),
    };
    Ok((d, demand))
}

/// Enterprises of the home region, prepared for reverse matching.
pub struct Adopters {
    index: m::AdopterIndex,
    facts: OrgFacts,
    dicts: Arc<crate::dictionaries::Active>,
}

fn adopter_index(st: &crate::App) -> Result<Arc<Adopters>, Error> {
    st.derived.adopters.get(st, (), || {
        let repo = st.repo.as_ref();
        let facts = org_facts(st)?;
        let home = repo
            .meta("home_region")?
            .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string());
        let mut past: HashMap<String, Vec<String>> = HashMap::new();
        for r in repo.all(EntityKind::Demand)? {
            if let Record::Demand(d) = r {
                past.entry(d.organisation.to_string())
                    .or_default()
                    .push(format!("{} {}", d.title, d.text));
            }
        }
        let enterprises: Vec<m::Enterprise> = repo
            .all(EntityKind::Organisation)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Organisation(o)
                    if o.kind == innomesh_core::model::OrgKind::Enterprise
                        && o.region.as_str().starts_with(&home) =>
                {
                    Some(o)
                }
                _ => None,
            })
            .map(|o| {
                let code = o.credit_code.to_string();
                m::Enterprise {
                    name: o.name.clone(),
                    text: format!("{} {}", o.name, o.products),
                    industries: o.industry.iter().map(|i| i.as_str().to_string()).collect(),
                    chain_nodes: facts.nodes.get(&code).cloned().unwrap_or_default(),
                    past_demands: past.remove(&code).unwrap_or_default(),
                    id: code,
                }
            })
            .collect();
        let dicts = crate::dictionaries::active(st)?;
        Ok(Adopters {
            index: m::AdopterIndex::build(&dicts.segmenter, enterprises),
            facts,
            dicts,
        })
    })
}

/// Enterprises most likely to adopt a stored achievement.
pub fn adopters(st: &crate::App, id: &str, top: usize) -> Result<Vec<m::AdopterHit>, Error> {
    let repo = st.repo.as_ref();
    let Some(Record::Achievement(a)) = repo.get(EntityKind::Achievement, id)? else {
        return Err(Error::not_found(format!("未找到科技成果「{id}」")));
    };
    let ad = adopter_index(st)?;
    let owners: Vec<String> = a.owners.iter().map(|c| c.to_string()).collect();
    let ach = m::Achievement {
        id: a.id.clone(),
        title: a.title.clone(),
        text: a.text.clone(),
        industries: a.industry.iter().map(|i| i.as_str().to_string()).collect(),
        chain_nodes: owners
            .first()
            .and_then(|c| ad.facts.nodes.get(c))
            .cloned()
            .unwrap_or_default(),
    };
    Ok(ad.index.rank(
        &ad.dicts.aliases,
        &ach,
        &owners,
        top,
        &SolverMatchConfig::default(),
    ))
}

/// What a demand's problem card lacks or says too vaguely, in Chinese.
pub fn card_issues(d: &innomesh_core::model::Demand) -> Vec<m::CardIssue> {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    m::check_card(&m::DemandCard {
        title: d.title.clone(),
        text: d.text.clone(),
        target_metric: opt(&d.goal_metric),
        current_state: opt(&d.current_state),
        trl: d.trl_target,
        budget_band: d.budget_band.map(|b| b.label().to_string()),
        deadline: d.deadline.map(|x| x.to_string()),
        ip_terms: opt(&d.ip_terms),
    })
}

/// Open demands (not yet contracted), for the funnel's first stages.
pub fn is_open(s: DemandStatus) -> bool {
    !matches!(s, DemandStatus::Contracted | DemandStatus::Delivered)
}

/// Ranked solvers for a problem given as text (a chain gap, a common problem), with the chain
/// node it concerns (its name) when known.
pub fn match_text(
    st: &crate::App,
    title: &str,
    text: &str,
    chain_node: Option<&str>,
    top: usize,
) -> Result<Vec<m::SolverHit>, Error> {
    let p = prepared(st)?;
    let demand = m::Demand {
        id: String::new(),
        title: title.to_string(),
        text: text.to_string(),
        discipline: None,
        industry: None,
        chain_node: chain_node.map(str::to_string),
        enterprise: None,
    };
    Ok(p.index.rank(
        &p.dicts.aliases,
        &demand,
        top,
        &SolverMatchConfig::default(),
    ))
}

/// One line of the matching page (and of `/api/demands/{id}/matches`): a ranked solver with who
/// it is, how to reach it, why it was found (one sentence and the checkable evidence) and the
/// near-identical results of the same owner folded into it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrokerHit {
    pub id: String,
    pub kind: SolverKind,
    pub name: String,
    /// The engine's relevance score (the list is ordered by relevance with types mixed, so a
    /// line may score a little below the next one).
    pub score: f32,
    /// The organisation it belongs to (credit code) and its name.
    pub organisation: Option<String>,
    pub organisation_name: Option<String>,
    /// The district (GB/T 2260 code) and its name.
    pub district: Option<String>,
    pub district_name: Option<String>,
    /// 级别: a platform's tier and kind, an expert's title, a result's kind and readiness, an
    /// instrument's shared hours.
    pub tier: String,
    /// How to reach it, in Chinese.
    pub contact: String,
    /// The 开放共享 offer to book an instrument through, when there is one.
    pub service: Option<String>,
    /// Why it was found, as one Chinese sentence.
    pub reason: String,
    /// Ids folded into this line: near-identical results of the same owner (同一单位相近成果),
    /// or for an instrument, instruments of the same model held elsewhere (同型仪器).
    pub folded: Vec<Folded>,
    pub evidence: m::Evidence,
}

/// A record folded into a line: its id, name and organisation's name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Folded {
    pub id: String,
    pub name: String,
    pub organisation_name: Option<String>,
}

/// A line counts as relevant (may be slotted in for variety) when it names at least one evidence
/// term and scores at least this share of the weakest line a plain ranking would show (the
/// `top`-th): a slotted line is nearly as relevant as the line it displaces.
pub const RELEVANCE_FLOOR: f32 = 0.8;
/// Re-rank penalties per line already shown of the same solver type / the same organisation.
const SAME_KIND_PENALTY: f32 = 0.03;
const SAME_OWNER_PENALTY: f32 = 0.05;
/// Titles of one owner whose character-bigram Dice similarity reaches this are one line.
const NEAR_IDENTICAL: f32 = 0.85;

fn kind_code(k: SolverKind) -> &'static str {
    match k {
        SolverKind::Expert => "expert",
        SolverKind::Platform => "platform",
        SolverKind::Achievement => "achievement",
        SolverKind::Equipment => "equipment",
    }
}

/// The solver type named by a query's `type` (expert, platform, achievement, equipment).
pub fn solver_kind(code: &str) -> Option<SolverKind> {
    [
        SolverKind::Expert,
        SolverKind::Platform,
        SolverKind::Achievement,
        SolverKind::Equipment,
    ]
    .into_iter()
    .find(|k| kind_code(*k) == code)
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let cs: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

fn near_identical(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return false;
    }
    let common = x.intersection(&y).count() as f32;
    2.0 * common / (x.len() + y.len()) as f32 >= NEAR_IDENTICAL
}

fn field_label(f: &str) -> &str {
    match f {
        "name" => "名称",
        "text" => "简介",
        "disciplines" => "学科",
        "past_demands" => "历史需求",
        other => other,
    }
}

/// Why a line was found, as one sentence: the terms it shares with the demand (and where), the
/// industry and chain-node links and past collaboration.
fn reason(h: &m::SolverHit) -> String {
    let e = &h.evidence;
    let mut parts: Vec<String> = Vec::new();
    if !e.matched_terms.is_empty() {
        let mut by_field: Vec<(&str, Vec<String>)> = Vec::new();
        for t in e.matched_terms.iter().take(4) {
            let f = field_label(&t.field);
            let term = match &t.via_alias {
                Some(a) => format!("「{}」（即{}）", t.term, a),
                None => format!("「{}」", t.term),
            };
            match by_field.iter_mut().find(|(x, _)| *x == f) {
                Some((_, v)) => v.push(term),
                None => by_field.push((f, vec![term])),
            }
        }
        let said: Vec<String> = by_field
            .into_iter()
            .map(|(f, v)| format!("{f}提到{}", v.join("")))
            .collect();
        parts.push(said.join("、"));
    } else {
        parts.push(format!("内容与需求语义相近（相似度 {:.2}）", e.semantic));
    }
    if let Some(i) = &e.industry {
        let name = innomesh_core::reference::industries()
            .get(&i.query)
            .map(|x| x.name.clone())
            .filter(|n| !n.is_empty());
        match name {
            Some(n) => parts.push(format!("与需求同属「{n}」{}", i.level)),
            None => parts.push(format!("与需求同属一个行业{}", i.level)),
        }
    }
    if let Some(n) = &e.chain_node {
        parts.push(format!("同在产业链节点「{n}」"));
    }
    if !e.collaborations.is_empty() {
        parts.push(format!("曾与发布单位合作 {} 次", e.collaborations.len()));
    }
    format!("{}。", parts.join("，"))
}

impl Prepared {
    fn broker_hit(&self, h: m::SolverHit) -> BrokerHit {
        let p = self.profiles.get(&h.id).cloned().unwrap_or_default();
        let org_name = p
            .owner
            .as_ref()
            .and_then(|c| self.org_names.get(c))
            .cloned();
        let district_name = p
            .region
            .as_deref()
            .map(innomesh_core::tabular::region_label)
            .filter(|n| !n.is_empty());
        let at = org_name
            .as_deref()
            .map(|n| format!("「{n}」"))
            .unwrap_or_else(|| "所属单位".to_string());
        let (contact, service) = match &p.contact {
            Contact::Expert => (
                format!("经技术经理人邀约，或通过{at}科研管理部门联系（个人电话不公开）"),
                None,
            ),
            Contact::Platform => (format!("联系依托单位{at}，可登记应答后对接"), None),
            Contact::Achievement => (format!("联系成果持有单位{at}洽谈许可或转让"), None),
            Contact::Offer(Some((id, name))) => {
                (format!("开放共享预约「{name}」（{at}）"), Some(id.clone()))
            }
            Contact::Offer(None) => (format!("联系所属单位{at}商议共享使用"), None),
        };
        BrokerHit {
            reason: reason(&h),
            id: h.id,
            kind: h.kind,
            name: h.name,
            score: h.score,
            organisation: p.owner,
            organisation_name: org_name,
            district: p.region,
            district_name,
            tier: p.tier,
            contact,
            service,
            folded: Vec::new(),
            evidence: h.evidence,
        }
    }
}

/// Folds near-identical lines of one owner and one type into the first (best) of them, and
/// instruments of the same model (same name) whoever holds them: a broker books one of them.
fn fold(hits: Vec<BrokerHit>) -> Vec<BrokerHit> {
    let mut out: Vec<BrokerHit> = Vec::new();
    for h in hits {
        let same = out.iter_mut().find(|x| {
            x.kind == h.kind
                && ((x.kind == SolverKind::Equipment && x.name == h.name)
                    || (x.organisation.is_some()
                        && x.organisation == h.organisation
                        && near_identical(&x.name, &h.name)))
        });
        match same {
            Some(x) => x.folded.push(Folded {
                id: h.id,
                name: h.name,
                organisation_name: h.organisation_name,
            }),
            None => out.push(h),
        }
    }
    out
}

/// The broker's order: relevant lines (at least [`RELEVANCE_FLOOR`] of the `top`-th line's score,
/// with evidence) re-ranked so that types and organisations are mixed — the best relevant line of
/// every type first (per-type slotting), then greedily the line with the best score less a
/// penalty per line already shown of its type and of its organisation (MMR-like) — then the rest
/// by score. A line below the floor is never slotted in for variety.
fn diversify(hits: Vec<BrokerHit>, top: usize) -> Vec<BrokerHit> {
    // `hits` is sorted best first.
    let floor = relevance_floor(&hits, top);
    let (mut relevant, mut rest): (Vec<BrokerHit>, Vec<BrokerHit>) = hits
        .into_iter()
        .partition(|h| h.score >= floor && !h.evidence.matched_terms.is_empty());
    let mut chosen: Vec<(f32, BrokerHit)> = Vec::new();
    // The best relevant line of each type, in score order (`relevant` is sorted best first).
    let mut seen = Vec::new();
    let mut i = 0;
    while i < relevant.len() {
        if seen.contains(&relevant[i].kind) {
            i += 1;
            continue;
        }
        seen.push(relevant[i].kind);
        let h = relevant.remove(i);
        chosen.push((h.score, h));
    }
    while chosen.len() < top && !relevant.is_empty() {
        let gain = |h: &BrokerHit| {
            let kinds = chosen.iter().filter(|(_, x)| x.kind == h.kind).count() as f32;
            let owners = chosen
                .iter()
                .filter(|(_, x)| h.organisation.is_some() && x.organisation == h.organisation)
                .count() as f32;
            h.score - SAME_KIND_PENALTY * kinds - SAME_OWNER_PENALTY * owners
        };
        let mut bi = 0;
        let mut bg = f32::MIN;
        for (j, h) in relevant.iter().enumerate() {
            let g = gain(h);
            if g > bg {
                (bi, bg) = (j, g);
            }
        }
        let h = relevant.remove(bi);
        chosen.push((bg, h));
    }
    // Shown by adjusted score: the slotted lines at their own score, the others as picked.
    chosen.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    let mut out: Vec<BrokerHit> = chosen.into_iter().map(|(_, h)| h).collect();
    rest.extend(relevant);
    rest.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out.extend(rest);
    out.truncate(top);
    out
}

/// The score a line needs to be slotted in for variety: [`RELEVANCE_FLOOR`] × the score of the
/// `top`-th of `hits` (sorted best first), or of the last when there are fewer.
pub fn relevance_floor<H: AsRef<BrokerHit>>(hits: &[H], top: usize) -> f32 {
    hits.get(top.saturating_sub(1))
        .or(hits.last())
        .map(|h| h.as_ref().score * RELEVANCE_FLOOR)
        .unwrap_or(0.0)
}

impl AsRef<BrokerHit> for BrokerHit {
    fn as_ref(&self) -> &BrokerHit {
        self
    }
}

/// Ranked solvers for a stored demand as a broker reads them: at most `top` lines, of one type
/// when `kind` is given (the best of that type, not the part of an overall list), otherwise
/// mixed across types among the relevant ones; near-identical results of one owner folded into
/// one line; each line with its organisation, district, tier, contact route and reason.
pub fn broker_matches(
    st: &crate::App,
    id: &str,
    kind: Option<SolverKind>,
    top: usize,
) -> Result<(innomesh_core::model::Demand, Vec<BrokerHit>), Error> {
    let (d, demand) = demand_query(st, id)?;
    let p = prepared(st)?;
    let cfg = SolverMatchConfig::default();
    // A pool deep enough that folding and mixing still leave `top` lines.
    let depth = (top * 4).max(40);
    let mut pool: Vec<m::SolverHit> = match kind {
        Some(k) => p
            .index
            .rank_where(&p.dicts.aliases, &demand, depth, &cfg, |s| s.kind == k),
        // Each type's own best too, so that a type outranked by a crowd of another still
        // competes for its slot.
        None => p
            .index
            .rank_with_each_kind(&p.dicts.aliases, &demand, depth, top, &cfg),
    };
    pool.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    let lines = fold(pool.into_iter().map(|h| p.broker_hit(h)).collect());
    let lines = match kind {
        Some(_) => {
            let mut l = lines;
            l.truncate(top);
            l
        }
        None => diversify(lines, top),
    };
    Ok((d, lines))
}

/// A technology manager offered for a demand: fields, current load and how well they fit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ManagerOption {
    pub id: String,
    pub name: String,
    /// Disciplines and expertise, as written on the person's record.
    pub fields: String,
    /// Open demands (not yet contracted) the manager carries now.
    pub load: usize,
    /// Informative words the manager's fields share with the demand.
    pub shared: Vec<String>,
    pub fit: f32,
}

/// The technology managers `people` (already filtered to what the caller may see), best fitting
/// first for demand `d`: the informative words their disciplines and expertise share with the
/// demand's title and text, weighted by how rare each word is; ties go to the lighter load.
pub fn manager_options(
    st: &crate::App,
    d: &innomesh_core::model::Demand,
    people: Vec<innomesh_core::model::Person>,
) -> Result<Vec<ManagerOption>, Error> {
    // The active dictionaries' segmenter (not the solver index: the demand page should not wait
    // for it to be built).
    let dicts = crate::dictionaries::active(st)?;
    let seg = dicts.segmenter.as_ref();
    let mut load: HashMap<String, usize> = HashMap::new();
    for r in st.repo.all(EntityKind::Demand)? {
        if let Record::Demand(x) = r {
            if let Some(m) = x.manager {
                if is_open(x.status) {
                    *load.entry(m).or_default() += 1;
                }
            }
        }
    }
    let demand_words: HashSet<String> = seg
        .content_words(&format!("{} {} {}", d.title, d.text, d.goal_metric))
        .into_iter()
        .filter(|w| seg.is_informative(w))
        .collect();
    let mut out: Vec<ManagerOption> = people
        .into_iter()
        .filter(|x| x.role == PersonRole::TechnologyManager)
        .map(|x| {
            let fields = format!("{}；{}", x.disciplines.join("、"), x.expertise);
            let mut shared: Vec<String> = seg
                .content_words(&fields)
                .into_iter()
                .filter(|w| demand_words.contains(w))
                .collect();
            shared.sort_unstable();
            shared.dedup();
            let fit = shared.iter().map(|w| seg.prior_weight(w)).sum();
            ManagerOption {
                load: load.get(&x.id).copied().unwrap_or(0),
                id: x.id,
                name: x.name,
                fields,
                shared,
                fit,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.fit
            .total_cmp(&a.fit)
            .then(a.load.cmp(&b.load))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}
