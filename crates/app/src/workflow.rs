//! The demand workflow (出题 → 解题 → 签约): moving a demand along its stages with who moved it and
//! why, the conversion funnel per district and per technology manager, and the responses solvers
//! gave with the outcome they were told.

use crate::App;
use crate::{Code, Error};
use innomesh_core::model::{Demand, DemandResponse, DemandStatus, PersonRole, SolverType};
use innomesh_core::tabular::Cell;
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_store::DemandTransition;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A request to move a demand (`POST /api/demands/{id}/transition`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// Target status, code or Chinese label (`screened` / `已初筛`).
    pub to: String,
    /// The technology manager who takes the demand on (a person id), if it changes.
    #[serde(default)]
    pub manager: Option<String>,
    /// Ignored: the history names the authenticated caller. Kept so that older scripts that
    /// send it are not refused.
    #[serde(default)]
    pub actor: Option<String>,
    /// Why; required when moving back.
    #[serde(default)]
    pub note: String,
}

/// Moves a demand; the store enforces the stage rules and keeps the history. The caller needs
/// the workflow permission and the demand in scope; the history names the authenticated caller
/// (the request's `actor` field is ignored).
pub fn transition(
    st: &App,
    who: &crate::Principal,
    id: &str,
    req: &TransitionRequest,
) -> Result<Demand, Error> {
    who.require(crate::Perm::Transition)?;
    st.fetch(who, innomesh_core::EntityKind::Demand, id)?;
    let to = DemandStatus::parse_labelled(req.to.trim())
        .map_err(|m| Error::new(Code::InvalidTransition, m))?;
    if req.note.chars().count() > 500 {
        return Err(Error::new(Code::InvalidField, "说明最多 500 字"));
    }
    let manager = req
        .manager
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let moved = st
        .repo
        .transition_demand(id, to, manager, &who.actor(), req.note.trim());
    if moved.is_ok() {
        st.after_write();
    }
    match moved {
        Ok(Record::Demand(d)) => Ok(d),
        Ok(_) => Err(Error::internal("transition returned another kind")),
        Err(e) => Err(e.into()),
    }
}

/// Where a record with a workflow starts: a demand at 已发布, a technology deal at 意向. `None`
/// for kinds without one. A record is created there and moves on through the workflow (a
/// demand's 需求流转, a deal's stages), so no door — form, API, file import — can create one
/// already 已交付.
pub fn initial_status(record: &Record) -> Option<(&'static str, &'static str, &'static str)> {
    // (field header, the record's status, the initial status)
    match record {
        Record::Demand(d) => Some(("状态", d.status.label(), DemandStatus::ALL[0].label())),
        Record::TechDeal(t) => Some((
            "交易阶段",
            t.stage.label(),
            innomesh_core::model::DealStage::ALL[0].label(),
        )),
        _ => None,
    }
}

/// The field that holds a kind's workflow status and the label it starts at (a new demand's
/// 状态 is 已发布): forms show it fixed when creating.
pub fn status_field(kind: EntityKind) -> Option<(&'static str, &'static str)> {
    match kind {
        EntityKind::Demand => Some(("status", DemandStatus::ALL[0].label())),
        EntityKind::TechDeal => Some(("stage", innomesh_core::model::DealStage::ALL[0].label())),
        _ => None,
    }
}

/// Refuses a new record that does not start at its workflow's first stage
/// (`status_not_initial`).
pub fn check_initial(record: &Record) -> Result<(), Error> {
    match initial_status(record) {
        Some((field, is, first)) if is != first => Err(Error::new(
            Code::StatusNotInitial,
            format!(
                "新建的{}只能处于「{first}」，不能直接登记为「{is}」（{field}）：请先以「{first}」保存，再按流程逐级流转",
                record.kind().label()
            ),
        )),
        _ => Ok(()),
    }
}

/// One row of the funnel: how many demands reached each stage.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelRow {
    pub key: String,
    pub name: String,
    /// Demands that reached each stage (已发布 … 已交付); a demand at 已签约 passed every stage
    /// before it.
    pub reached: [usize; 6],
    /// 签约率: reached 已签约 / posted.
    pub contract_rate: f64,
    /// Demands still open (not yet contracted).
    pub open: usize,
}

impl FunnelRow {
    fn new(key: String, name: String) -> Self {
        Self {
            key,
            name,
            reached: [0; 6],
            contract_rate: 0.0,
            open: 0,
        }
    }
    fn add(&mut self, s: DemandStatus) {
        for r in self.reached.iter_mut().take(s.stage() + 1) {
            *r += 1;
        }
        if s.stage() < DemandStatus::Contracted.stage() {
            self.open += 1;
        }
    }
    fn finish(&mut self) {
        self.contract_rate = if self.reached[0] == 0 {
            0.0
        } else {
            self.reached[4] as f64 / self.reached[0] as f64
        };
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub stages: Vec<&'static str>,
    pub total: FunnelRow,
    pub by_district: Vec<FunnelRow>,
    pub by_manager: Vec<FunnelRow>,
    /// Responses by outcome, and how many solvers have heard back (any outcome but 待反馈).
    pub responses: usize,
    pub responses_answered: usize,
}

pub fn funnel(st: &App, who: &crate::Principal) -> Result<Funnel, Error> {
    who.require(crate::Perm::Engines)?;
    let repo = st.repo.as_ref();
    let mut managers: HashMap<String, String> = HashMap::new();
    for r in repo.all(EntityKind::Person)? {
        if let Record::Person(p) = r {
            if p.role == PersonRole::TechnologyManager {
                managers.insert(p.id.clone(), p.name.clone());
            }
        }
    }
    let regions = innomesh_core::reference::regions();
    let mut total = FunnelRow::new("all".into(), "全部".into());
    let mut districts: BTreeMap<String, FunnelRow> = BTreeMap::new();
    let mut by_manager: BTreeMap<String, FunnelRow> = BTreeMap::new();
    for r in repo.all(EntityKind::Demand)? {
        let Record::Demand(d) = r else { continue };
        total.add(d.status);
        let district = d
            .region
            .as_ref()
            .map(|c| c.as_str().chars().take(6).collect::<String>())
            .unwrap_or_default();
        let name = if district.is_empty() {
            "未填区划".to_string()
        } else {
            regions
                .get(&district)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| district.clone())
        };
        districts
            .entry(district.clone())
            .or_insert_with(|| FunnelRow::new(district, name))
            .add(d.status);
        let (key, name) = match &d.manager {
            Some(m) => (
                m.clone(),
                managers
                    .get(m)
                    .map(|n| format!("{n}（{m}）"))
                    .unwrap_or_else(|| m.clone()),
            ),
            None => (String::new(), "未分派技术经理人".to_string()),
        };
        by_manager
            .entry(key.clone())
            .or_insert_with(|| FunnelRow::new(key, name))
            .add(d.status);
    }
    let ix = response_index(st)?;
    let responses = ix.all.len();
    let answered = ix
        .all
        .iter()
        .filter(|x| x.outcome != innomesh_core::model::ResponseOutcome::Pending)
        .count();
    let finish = |m: BTreeMap<String, FunnelRow>| -> Vec<FunnelRow> {
        let mut v: Vec<FunnelRow> = m
            .into_values()
            .map(|mut r| {
                r.finish();
                r
            })
            .collect();
        v.sort_by(|a, b| b.reached[0].cmp(&a.reached[0]).then(a.key.cmp(&b.key)));
        v
    };
    total.finish();
    Ok(Funnel {
        stages: DemandStatus::ALL.iter().map(|s| s.label()).collect(),
        total,
        by_district: finish(districts),
        by_manager: finish(by_manager),
        responses,
        responses_answered: answered,
    })
}

/// The funnel as a workbook: one sheet per grouping, Chinese headers.
pub fn funnel_xlsx(f: &Funnel) -> Result<Vec<u8>, Error> {
    let mut headers: Vec<String> = vec!["编码".into(), "名称".into()];
    headers.extend(f.stages.iter().map(|s| s.to_string()));
    headers.extend(["签约率".to_string(), "在办".to_string()]);
    let rows = |rows: &[FunnelRow]| -> Vec<Vec<Cell>> {
        rows.iter()
            .chain(std::iter::once(&f.total))
            .map(|r| {
                let mut row = vec![Cell::Text(r.key.clone()), Cell::Text(r.name.clone())];
                row.extend(r.reached.iter().map(|n| Cell::Number(*n as f64)));
                row.push(Cell::Number((r.contract_rate * 1000.0).round() / 1000.0));
                row.push(Cell::Number(r.open as f64));
                row
            })
            .collect()
    };
    let (d, m) = (rows(&f.by_district), rows(&f.by_manager));
    innomesh_sheets::write_xlsx(&[
        innomesh_sheets::Sheet {
            name: "按区县",
            headers: &headers,
            rows: &d,
        },
        innomesh_sheets::Sheet {
            name: "按技术经理人",
            headers: &headers,
            rows: &m,
        },
    ])
    .map_err(Error::internal)
}

/// A response with what its solver needs to see: the demand, where it stands, the outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    #[serde(flatten)]
    pub response: DemandResponse,
    pub demand_title: String,
    pub demand_status: &'static str,
    pub solver_name: String,
}

/// Every response, by demand and by solver: read once per registry version instead of on every
/// detail page (each demand, person, platform, result and machine page asks).
#[derive(Default)]
pub(crate) struct ResponseIndex {
    pub all: Vec<DemandResponse>,
    by_demand: HashMap<String, Vec<usize>>,
    by_solver: HashMap<(SolverType, String), Vec<usize>>,
}

pub(crate) fn response_index(st: &App) -> Result<Arc<ResponseIndex>, Error> {
    st.derived.responses.get_current(st, (), || {
        let mut ix = ResponseIndex::default();
        for r in st.repo.all(EntityKind::DemandResponse)? {
            let Record::DemandResponse(x) = r else {
                continue;
            };
            let i = ix.all.len();
            ix.by_demand.entry(x.demand.clone()).or_default().push(i);
            ix.by_solver
                .entry((x.solver_type, x.solver.clone()))
                .or_default()
                .push(i);
            ix.all.push(x);
        }
        Ok(ix)
    })
}

/// Responses to one demand, or by one solver (the demand wins when both are given).
pub fn responses(
    st: &App,
    who: &crate::Principal,
    demand: Option<&str>,
    solver: Option<(SolverType, &str)>,
) -> Result<Vec<ResponseView>, Error> {
    // The demand or solver must be the caller's to see; so must each response.
    if let Some(d) = demand {
        st.fetch(who, EntityKind::Demand, d)?;
    } else if let Some((t, id)) = solver {
        st.fetch(who, solver_kind(t), id)?;
    }
    let repo = st.repo.as_ref();
    let ix = response_index(st)?;
    let picked: &[usize] = match (demand, solver) {
        (Some(d), _) => ix.by_demand.get(d).map(Vec::as_slice).unwrap_or(&[]),
        (None, Some((t, id))) => ix
            .by_solver
            .get(&(t, id.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        (None, None) => &[],
    };
    let mut out = Vec::new();
    let mut demands: HashMap<String, Option<Demand>> = HashMap::new();
    for x in picked.iter().map(|&i| ix.all[i].clone()) {
        if !st.allows(who, &Record::DemandResponse(x.clone()))? {
            continue;
        }
        let d = match demands.get(&x.demand) {
            Some(d) => d.clone(),
            None => {
                let d = match repo.get(EntityKind::Demand, &x.demand)? {
                    Some(Record::Demand(d)) => Some(d),
                    _ => None,
                };
                demands.insert(x.demand.clone(), d.clone());
                d
            }
        };
        let solver_name = solver_name(st, x.solver_type, &x.solver)?;
        out.push(ResponseView {
            demand_title: d.as_ref().map(|d| d.title.clone()).unwrap_or_default(),
            demand_status: d.as_ref().map(|d| d.status.label()).unwrap_or(""),
            solver_name,
            response: x,
        });
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.response.submitted));
    Ok(out)
}

pub fn solver_kind(t: SolverType) -> EntityKind {
    match t {
        SolverType::Expert => EntityKind::Person,
        SolverType::Platform => EntityKind::Platform,
        SolverType::Achievement => EntityKind::Achievement,
        SolverType::Equipment => EntityKind::Equipment,
        SolverType::Organisation => EntityKind::Organisation,
    }
}

/// The solver type a registry record answers as, if it can answer.
pub fn solver_type_of(kind: EntityKind) -> Option<SolverType> {
    Some(match kind {
        EntityKind::Person => SolverType::Expert,
        EntityKind::Platform => SolverType::Platform,
        EntityKind::Achievement => SolverType::Achievement,
        EntityKind::Equipment => SolverType::Equipment,
        EntityKind::Organisation => SolverType::Organisation,
        _ => return None,
    })
}

fn solver_name(st: &App, t: SolverType, id: &str) -> Result<String, Error> {
    Ok(st
        .repo
        .get(solver_kind(t), id)?
        .map(|r| r.name().to_string())
        .unwrap_or_else(|| id.to_string()))
}

/// A demand's history with Chinese labels.
pub fn history(st: &App, who: &crate::Principal, id: &str) -> Result<Vec<DemandTransition>, Error> {
    st.fetch(who, EntityKind::Demand, id)?;
    Ok(st.repo.demand_history(Some(id))?)
}

/// Chinese label of a status code from the history.
pub fn status_label(code: &str) -> &str {
    DemandStatus::ALL
        .iter()
        .find(|s| s.code() == code)
        .map(|s| s.label())
        .unwrap_or(code)
}
