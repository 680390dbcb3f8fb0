//! The chain service: turns registry records into the chain engine's inputs (models from
//! chain-node records, organisations, supplies, relations, resources, manual mappings, gap
//! actions) and runs diagnosis, the gap ledger, targeting and simulation. Derived, never stored.

use crate::App;
use crate::{Code, Error};
use innomesh_chain::{
    self as chain, ChainInput, ChainModel, ChainSet, DiagnosisRules, Engine, MappingConfig,
    MetricsConfig, OrgInput, RelationInput, RelationKind, ResourceInput, ResourceKind, Snapshot,
    SupplyInput,
};
use innomesh_core::model::{ChainNode, DemandStatus, PersonRole};
use innomesh_core::{EntityKind, IndustryCode, Labelled, Record};
use innomesh_store::Repository;
use std::collections::HashMap;
use std::sync::Arc;

/// Region prefix of "local" organisations (Baotou). Kept in meta `home_region` when set.
pub const DEFAULT_HOME_REGION: &str = "1502";

pub fn chain_error(e: chain::ChainError) -> Error {
    Error::new(Code::InvalidField, e.to_string())
}

/// Store id of a node (`rare_earth.magnet`) → engine key (`rare_earth/magnet`).
pub fn node_key(store_id: &str) -> String {
    store_id.replacen('.', "/", 1)
}

pub fn store_id(key: &str) -> String {
    key.replacen('/', ".", 1)
}

/// Writes the shipped chain models as chain-node records when the registry has none.
pub fn seed_models(app: &App, who: &crate::Principal) -> Result<usize, Error> {
    if app.repo().count(EntityKind::ChainNode)? > 0 {
        return Ok(0);
    }
    let set = ChainSet::from_json_texts(&chain::shipped_models()).map_err(chain_error)?;
    let mut records = Vec::new();
    for model in set.chains() {
        for n in &model.nodes {
            records.push(Record::ChainNode(ChainNode {
                id: format!("{}.{}", model.id, n.id),
                chain: model.id.clone(),
                chain_name: model.name.clone(),
                name: n.name.clone(),
                position: innomesh_core::model::Position::parse_labelled(n.position.label_zh())
                    .map_err(Error::internal)?,
                industries: n
                    .industries
                    .iter()
                    .filter_map(|c| IndustryCode::parse(c).ok())
                    .collect(),
                keywords: n.keywords.clone(),
                supplies: n
                    .supplies
                    .iter()
                    .map(|s| format!("{}.{s}", model.id))
                    .collect(),
            }));
        }
    }
    let n = records.len();
    app.import_records(who, records, "内置产业链模型", &|_| {})?
        .map_err(|e| Error::internal(format!("shipped chain models rejected: {:?}", e.first())))?;
    Ok(n)
}

/// Chain models as the registry holds them now (edited through API and UI). A node or a chain the
/// engine cannot take (a bad id written before ids were checked, a cycle) is left out with a
/// warning — logged and shown on the chain pages — instead of failing every chain page.
pub fn load_set(repo: &dyn Repository) -> Result<(ChainSet, Vec<String>), Error> {
    let nodes = repo.all(EntityKind::ChainNode)?;
    let chains = innomesh_core::model::Chain::assemble(nodes.into_iter().filter_map(|r| match r {
        Record::ChainNode(n) => Some(n),
        _ => None,
    }));
    let valid = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let mut warnings = Vec::new();
    let mut models = Vec::new();
    for c in chains {
        let prefix = format!("{}.", c.code);
        let local = |id: &str| id.strip_prefix(&prefix).map(str::to_string);
        let mut good = std::collections::HashSet::new();
        for n in &c.nodes {
            match local(&n.id).filter(|l| valid(l)) {
                Some(l) => {
                    good.insert(l);
                }
                None => warnings.push(format!(
                    "链节点「{}」（编号 {}）的编号应为「{}.节点编号」（小写字母、数字、下划线），已暂不参与诊断；请在登记库中修改该节点",
                    n.name, n.id, c.code
                )),
            }
        }
        let nodes: Vec<serde_json::Value> = c
            .nodes
            .iter()
            .filter_map(|n| local(&n.id).filter(|l| good.contains(l)).map(|l| (l, n)))
            .map(|(l, n)| {
                serde_json::json!({
                    "id": l,
                    "name": n.name,
                    "position": n.position.code(),
                    "industries": n.industries.iter().map(|i| i.as_str()).filter(|i| i.len() == 4).collect::<Vec<_>>(),
                    "keywords": n.keywords,
                    "supplies": n.supplies.iter().filter_map(|s| local(s)).filter(|s| good.contains(s)).collect::<Vec<_>>(),
                })
            })
            .collect();
        if nodes.is_empty() {
            continue;
        }
        let text = serde_json::json!({"id": c.code, "name": c.name, "nodes": nodes}).to_string();
        match ChainModel::from_json(&text) {
            Ok(m) => models.push(m),
            Err(e) => warnings.push(format!(
                "产业链「{}」（{}）无法载入，已暂不参与诊断：{e}",
                c.name, c.code
            )),
        }
    }
    for w in &warnings {
        eprintln!("产业链模型警告：{w}");
    }
    let set = ChainSet::new(models).map_err(chain_error)?;
    Ok((set, warnings))
}

pub fn rules(repo: &dyn Repository) -> Result<DiagnosisRules, Error> {
    match repo.meta("chain_rules")? {
        Some(text) => DiagnosisRules::from_json(&text).map_err(chain_error),
        None => Ok(DiagnosisRules::default()),
    }
}

/// Registry records → engine input; `codes` maps credit codes to organisation indices.
pub struct Loaded {
    pub engine: Engine,
    pub codes: HashMap<String, u32>,
    pub actions: Vec<Record>,
    /// Records the engine had to leave out, in Chinese (shown on the chain pages).
    pub warnings: Vec<String>,
}

pub fn load(repo: &dyn Repository) -> Result<Loaded, Error> {
    let (set, warnings) = load_set(repo)?;
    let home = repo
        .meta("home_region")?
        .unwrap_or_else(|| DEFAULT_HOME_REGION.to_string());
    let mut input = ChainInput::default();
    let mut groups: HashMap<String, Vec<u32>> = HashMap::new();
    let mut holders: HashMap<String, Vec<u32>> = HashMap::new();
    for r in repo.all(EntityKind::Organisation)? {
        let Record::Organisation(o) = r else { continue };
        let i = input.orgs.len() as u32;
        if !o.group.trim().is_empty() {
            groups
                .entry(o.group.trim().to_string())
                .or_default()
                .push(i);
        }
        for s in &o.shareholders {
            holders.entry(s.trim().to_string()).or_default().push(i);
        }
        input.orgs.push(OrgInput {
            credit_code: o.credit_code.to_string(),
            name: o.name,
            region: o.region.to_string(),
            local: o.region.as_str().starts_with(&home),
            industry: o
                .industry
                .map(|i| i.as_str().to_string())
                .unwrap_or_default(),
            products: o.products,
            employees: o.employees.unwrap_or(0),
            revenue: o.revenue.unwrap_or(0.0),
            founded: o.founded.map(|d| d.year as u16),
            baotou_founder: o.baotou_founder,
        });
    }
    let codes: HashMap<String, u32> = input
        .orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.credit_code.clone(), i as u32))
        .collect();
    let idx = |c: &innomesh_core::CreditCode| codes.get(c.as_str()).copied();
    let mut seen_edges = std::collections::HashSet::new();
    for r in repo.all(EntityKind::SupplyRelation)? {
        let Record::SupplyRelation(s) = r else {
            continue;
        };
        let (Some(a), Some(b)) = (idx(&s.supplier), idx(&s.customer)) else {
            continue;
        };
        input.supplies.push(SupplyInput {
            supplier: a,
            customer: b,
            node: s.node.as_deref().map(node_key),
            product: Some(s.product.clone()),
            amount: s.amount,
            year: s.year.clamp(0, u16::MAX as i32) as u16,
        });
        if seen_edges.insert((a, b)) {
            input.relations.push(RelationInput {
                from: a,
                to: b,
                kind: RelationKind::Supplier,
            });
        }
    }
    // Members of one group / holders of one shareholder are linked in a star to the first member.
    for (members, kind) in groups.values().map(|m| (m, RelationKind::SameGroup)).chain(
        holders
            .values()
            .map(|m| (m, RelationKind::SharedShareholder)),
    ) {
        for w in members.iter().skip(1) {
            input.relations.push(RelationInput {
                from: members[0],
                to: *w,
                kind,
            });
        }
    }
    for r in repo.all(EntityKind::Platform)? {
        if let Record::Platform(p) = r {
            input.resources.push(ResourceInput {
                kind: ResourceKind::Platform,
                name: p.name,
                org: idx(&p.host),
                node: None,
                open: false,
            });
        }
    }
    for r in repo.all(EntityKind::Person)? {
        if let Record::Person(p) = r {
            if p.role == PersonRole::Expert {
                input.resources.push(ResourceInput {
                    kind: ResourceKind::Expert,
                    name: p.name,
                    org: p.organisation.as_ref().and_then(idx),
                    node: None,
                    open: false,
                });
            }
        }
    }
    for r in repo.all(EntityKind::Achievement)? {
        if let Record::Achievement(a) = r {
            input.resources.push(ResourceInput {
                kind: ResourceKind::Achievement,
                name: a.title,
                org: a.owners.first().and_then(idx),
                node: None,
                open: false,
            });
        }
    }
    for r in repo.all(EntityKind::Demand)? {
        if let Record::Demand(d) = r {
            let open = !matches!(d.status, DemandStatus::Contracted | DemandStatus::Delivered);
            input.resources.push(ResourceInput {
                kind: ResourceKind::Demand,
                name: d.title,
                org: idx(&d.organisation),
                node: None,
                open,
            });
        }
    }
    for r in repo.all(EntityKind::ChainMapping)? {
        if let Record::ChainMapping(m) = r {
            if let Some(org) = idx(&m.organisation) {
                input.overrides.push(chain::MappingOverride {
                    org,
                    node: node_key(&m.node),
                    decision: match m.decision {
                        innomesh_core::model::MappingDecision::Confirmed => {
                            chain::Decision::Confirmed
                        }
                        innomesh_core::model::MappingDecision::Rejected => {
                            chain::Decision::Rejected
                        }
                    },
                });
            }
        }
    }
    let engine = Engine::build(set, input, MappingConfig::default()).map_err(chain_error)?;
    let actions = repo.all(EntityKind::GapAction)?;
    Ok(Loaded {
        engine,
        codes,
        actions,
        warnings,
    })
}

/// Yearly snapshots (one per year present in the supplies), gaps opened from them in order,
/// and each gap's progress with the actions recorded against its node.
pub fn ledger(
    loaded: &Loaded,
    rules: &DiagnosisRules,
    as_of: &str,
) -> Result<(Vec<Snapshot>, Vec<chain::GapProgress>), Error> {
    let mut snapshots = Vec::new();
    let mut gaps: Vec<chain::Gap> = Vec::new();
    for &year in loaded.engine.years() {
        let (m, d) = loaded
            .engine
            .diagnose(&MetricsConfig { year: Some(year) }, rules);
        let snap = Snapshot::from_diagnosis(year, &m, &d);
        let new = chain::open_gaps(&snap, &gaps);
        gaps.extend(new);
        snapshots.push(snap);
    }
    let mut actions = Vec::new();
    for r in &loaded.actions {
        let Record::GapAction(a) = r else { continue };
        let key = node_key(&a.node);
        let wanted = a.gap.trim();
        let gap = gaps.iter().find(|g| {
            g.node == key
                && (wanted.is_empty()
                    || g.verdict.label_zh() == wanted
                    || format!("{:?}", g.verdict).eq_ignore_ascii_case(wanted))
        });
        let Some(gap) = gap else { continue };
        let date = |d: Option<innomesh_core::Date>| {
            d.map(|d| d.to_string())
                .unwrap_or_else(|| as_of.to_string())
        };
        let start = date(a.start);
        let due = date(a.due).max(start.clone());
        actions.push(chain::Action {
            id: a.id.clone(),
            gap_id: gap.id.clone(),
            kind: match a.kind {
                innomesh_core::model::ActionKind::InvestmentLead => {
                    chain::ActionKind::InvestmentLead
                }
                innomesh_core::model::ActionKind::OpenChallenge => chain::ActionKind::OpenChallenge,
                innomesh_core::model::ActionKind::SupplierOnboarding => {
                    chain::ActionKind::SupplierOnboarding
                }
                innomesh_core::model::ActionKind::Subsidy => chain::ActionKind::Subsidy,
            },
            owner: a.owner.clone(),
            start,
            due,
            status: match a.status {
                innomesh_core::model::ActionStatus::Planned => chain::ActionStatus::Planned,
                innomesh_core::model::ActionStatus::InProgress => chain::ActionStatus::InProgress,
                innomesh_core::model::ActionStatus::Done => chain::ActionStatus::Done,
                innomesh_core::model::ActionStatus::Dropped => chain::ActionStatus::Cancelled,
            },
        });
    }
    let progress = chain::track_gaps(
        &gaps,
        &actions,
        &snapshots,
        as_of,
        &chain::LedgerConfig::default(),
    )
    .map_err(chain_error)?;
    Ok((snapshots, progress))
}

/// Today's date for overdue flags (the server may read the clock; engines may not).
pub fn today() -> String {
    innomesh_store::now_rfc3339()[..10].to_string()
}

/// One chain's report as XLSX bytes (the CLI and the API share it).
pub fn report_xlsx(st: &crate::App, chain: &str) -> Result<Vec<u8>, Error> {
    let data = reports(st, None)?;
    let r = data
        .reports
        .iter()
        .find(|r| r.chain == chain)
        .ok_or_else(|| Error::not_found(format!("没有编号为「{chain}」的产业链")))?;
    crate::chains_report::xlsx(r, st.sample_label().as_deref()).map_err(Error::internal)
}

/// The engine over the registry, and every chain's report for a year; both are rebuilt only when
/// the registry changes, and shared by the API, the pages, funding and matching.
pub struct ChainData {
    pub loaded: Arc<Loaded>,
    pub reports: Vec<innomesh_chain::ChainReport>,
}

pub fn loaded(st: &App) -> Result<Arc<Loaded>, Error> {
    st.derived
        .chains_loaded
        .get(st, (), || load(st.repo.as_ref()))
}

/// The latest chain mapping built, of any registry version, without building one: for figures
/// that may lag a write by the warmer's rebuild (list facet counts), never for decisions.
pub fn loaded_latest(st: &App) -> Option<Arc<Loaded>> {
    st.derived.chains_loaded.latest(&())
}

pub fn reports(st: &App, year: Option<u16>) -> Result<Arc<ChainData>, Error> {
    st.derived.chain_reports.get(st, year, || {
        let loaded = loaded(st)?;
        let rules = rules(st.repo.as_ref())?;
        let (_, gaps) = ledger(&loaded, &rules, &today())?;
        let cfg = innomesh_chain::ReportConfig {
            metrics: MetricsConfig { year },
            rules,
            targeting: innomesh_chain::TargetingConfig::default(),
        };
        let reports = loaded
            .engine
            .chain_reports(&cfg, &gaps)
            .map_err(chain_error)?;
        Ok(ChainData { loaded, reports })
    })
}
