//! The matching service (出题解题): registry records become the matching engine's solvers and
//! adopters; demands get ranked solvers with evidence, achievements get likely adopters, and
//! problem cards are checked for what solvers need.

use crate::Error;
use innomesh_core::model::{DemandStatus, EquipmentKind, PersonRole, ResponseOutcome};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_matching::{self as m, SolverKind, SolverMatchConfig};
use innomesh_store::Repository;
use std::collections::HashMap;
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

fn solvers(repo: &dyn Repository, facts: &OrgFacts) -> Result<Vec<m::Solver>, Error> {
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
    for r in repo.all(EntityKind::Equipment)? {
        let Record::Equipment(e) = r else { continue };
        let (industries, chain_nodes) = of(Some(e.owner.as_str()));
        let kind = if e.kind == EquipmentKind::Machine {
            "机床"
        } else {
            "仪器"
        };
        out.push(m::Solver {
            id: e.id,
            kind: SolverKind::Equipment,
            name: format!("{}（{kind}）", e.name),
            text: format!("{} {}", e.processes.join(" "), e.description),
            disciplines: vec![],
            industries,
            chain_nodes,
            collaborations: vec![],
        });
    }
    Ok(out)
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
}

pub fn prepared(st: &crate::App) -> Result<Arc<Prepared>, Error> {
    st.derived.solvers.get(st, (), || {
        let repo = st.repo.as_ref();
        let facts = org_facts(st)?;
        let mut solvers = solvers(repo, &facts)?;
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
    let hits = p.index.rank(
        &p.dicts.aliases,
        &demand,
        top,
        &SolverMatchConfig::default(),
    );
    Ok((d, hits))
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
