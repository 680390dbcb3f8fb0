//! Production plans for an order: which shop makes which lot, on which machine and when, with
//! cost, makespan, lateness and local-supply share; parts that cannot be placed say why.

use serde::{Deserialize, Serialize};

use crate::build::{self, Lot};
use crate::eligibility::{Exclusion, PartEligibility};
use crate::fjsp::{solve_fjsp, FjspConfig};
use crate::gap::{solve_gap, GapConfig, GapInstance};
use crate::order::Order;
use crate::registry::{PerformancePolicy, Process, Shop};
use crate::AllocError;

#[derive(Debug, Clone, PartialEq)]
pub struct PlanConfig {
    pub gap: GapConfig,
    pub fjsp: FjspConfig,
    pub policy: PerformancePolicy,
    /// A splittable part is divided into at most this many lots.
    pub max_lots: u32,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            gap: GapConfig {
                time_limit: 2.0,
                ..GapConfig::default()
            },
            fjsp: FjspConfig {
                time_limit: 2.0,
                ..FjspConfig::default()
            },
            policy: PerformancePolicy::default(),
            max_lots: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotAssignment {
    pub part_id: String,
    pub quantity: u32,
    pub shop_id: String,
    pub cost_yuan: f64,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    pub part_id: String,
    /// Index of the lot in `Plan::lots`.
    pub lot: usize,
    pub step: usize,
    pub process: Process,
    pub shop_id: String,
    pub machine_id: String,
    pub start_hours: f64,
    pub end_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    pub part_id: String,
    pub quantity: u32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub order_id: String,
    pub lots: Vec<LotAssignment>,
    pub steps: Vec<PlannedStep>,
    pub unassigned: Vec<Unassigned>,
    pub exclusions: Vec<Exclusion>,
    pub cost_yuan: f64,
    pub makespan_hours: f64,
    /// Sum over parts of hours finished after the due time.
    pub lateness_hours: f64,
    /// Share of the cost that goes to local shops (本地配套率 of this order).
    pub local_share: f64,
}

/// Plans an order: eligibility, lots, assignment to shops (GAP), then machine schedule (FJSP).
pub fn plan_order(order: &Order, shops: &[Shop], cfg: &PlanConfig) -> Result<Plan, AllocError> {
    let eligibility = build::check_order(order, shops, &cfg.policy);
    let lots = build::make_lots(order, &eligibility, cfg.max_lots.max(1));
    plan_lots(order, shops, cfg, &eligibility, &lots, &|_, _| 0)
}

/// Shared by planning and repair: assigns the given lots (with an optional extra cost per pair).
pub(crate) fn plan_lots(
    order: &Order,
    shops: &[Shop],
    cfg: &PlanConfig,
    eligibility: &[PartEligibility],
    lots: &[Lot],
    extra_cost: &dyn Fn(usize, usize) -> i64,
) -> Result<Plan, AllocError> {
    let mut unassigned = Vec::new();
    // Lots with no eligible shop never enter the optimiser; they are reported with the reasons.
    let placeable: Vec<usize> = (0..lots.len())
        .filter(|&j| {
            let e = &eligibility[lots[j].part];
            if e.fits.is_empty() {
                let part = &order.parts[lots[j].part];
                let mut reasons: Vec<String> = e
                    .exclusions
                    .iter()
                    .map(|x| match &x.machine_id {
                        Some(mid) => format!("{} / {}：{}", x.shop_id, mid, x.reason),
                        None => format!("{}：{}", x.shop_id, x.reason),
                    })
                    .collect();
                if reasons.is_empty() {
                    reasons.push("没有登记任何车间".to_string());
                }
                unassigned.push(Unassigned {
                    part_id: part.id.clone(),
                    quantity: lots[j].quantity,
                    reasons,
                });
                false
            } else {
                true
            }
        })
        .collect();
    let sub_lots: Vec<Lot> = placeable.iter().map(|&j| lots[j]).collect();
    let extra = |i: usize, q: usize| extra_cost(i, placeable[q]);
    let mut chosen: Vec<Option<usize>> = vec![None; sub_lots.len()];
    if !sub_lots.is_empty() && !shops.is_empty() {
        let built = build::build_gap(order, shops, eligibility, &sub_lots, &cfg.policy, &extra)?;
        let report = solve_gap(&built.instance, &cfg.gap)?;
        if report.cost.is_some() {
            for (q, &i) in report.assignment.iter().enumerate() {
                chosen[q] = Some(i);
            }
        } else {
            chosen = greedy_partial(&built.instance, &built.allowed);
        }
    }
    let mut assigned = Vec::new();
    for (q, c) in chosen.iter().enumerate() {
        let lot = sub_lots[q];
        match c {
            Some(i) => assigned.push((lot, *i)),
            None => unassigned.push(Unassigned {
                part_id: order.parts[lot.part].id.clone(),
                quantity: lot.quantity,
                reasons: vec![
                    "合格车间本周空闲工时或接单上限不足，请延后交期或增加车间".to_string()
                ],
            }),
        }
    }
    let exclusions = build::all_exclusions(eligibility);
    schedule(
        order,
        shops,
        cfg,
        eligibility,
        &assigned,
        unassigned,
        exclusions,
    )
}

/// When no complete assignment exists: place lots one by one, hardest first, where they fit.
fn greedy_partial(inst: &GapInstance, allowed: &[bool]) -> Vec<Option<usize>> {
    let (m, n) = (inst.agents(), inst.items());
    let mut left: Vec<i64> = (0..m).map(|i| inst.capacity(i)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| (0..m).filter(|&i| allowed[i * n + j]).count());
    let mut out = vec![None; n];
    for j in order {
        let best = (0..m)
            .filter(|&i| allowed[i * n + j] && inst.weight(i, j) <= left[i])
            .min_by_key(|&i| inst.cost(i, j));
        if let Some(i) = best {
            left[i] -= inst.weight(i, j);
            out[j] = Some(i);
        }
    }
    out
}

fn schedule(
    order: &Order,
    shops: &[Shop],
    cfg: &PlanConfig,
    eligibility: &[PartEligibility],
    assigned: &[(Lot, usize)],
    unassigned: Vec<Unassigned>,
    exclusions: Vec<Exclusion>,
) -> Result<Plan, AllocError> {
    let (inst, index) = build::build_fjsp(order, shops, eligibility, assigned)?;
    let mut fcfg = cfg.fjsp.clone();
    // Minutes, like the instance; lateness is what the planner is judged on when due dates exist.
    fcfg.due_dates = Some(
        assigned
            .iter()
            .map(|(lot, _)| (order.parts[lot.part].due_hours * 60.0).floor() as i64)
            .collect(),
    );
    let report = solve_fjsp(&inst, &fcfg)?;
    let mut lots = Vec::with_capacity(assigned.len());
    let mut total = 0.0;
    let mut local = 0.0;
    for &(lot, s) in assigned {
        let part = &order.parts[lot.part];
        let fit = eligibility[lot.part].fits.iter().find(|f| f.shop == s);
        let (cost, hours) = fit.map_or((0.0, 0.0), |f| {
            build::lot_cost_hours(part, lot.quantity, &shops[s], &f.machines_per_step)
        });
        total += cost;
        if shops[s].local {
            local += cost;
        }
        lots.push(LotAssignment {
            part_id: part.id.clone(),
            quantity: lot.quantity,
            shop_id: shops[s].id.clone(),
            cost_yuan: cost,
            hours,
        });
    }
    let mut lateness = vec![0.0f64; order.parts.len()];
    let steps: Vec<PlannedStep> = report
        .operations
        .iter()
        .map(|o| {
            let (lot, _) = assigned[o.job];
            let part = &order.parts[lot.part];
            let (s, mi) = index[o.machine];
            let end = o.end as f64 / 60.0;
            if o.op + 1 == part.routing.len() {
                let late = (end - part.due_hours).max(0.0);
                lateness[lot.part] = lateness[lot.part].max(late);
            }
            PlannedStep {
                part_id: part.id.clone(),
                lot: o.job,
                step: o.op,
                process: part.routing[o.op].process,
                shop_id: shops[s].id.clone(),
                machine_id: shops[s].machines[mi].id.clone(),
                start_hours: o.start as f64 / 60.0,
                end_hours: end,
            }
        })
        .collect();
    Ok(Plan {
        order_id: order.id.clone(),
        lots,
        steps,
        unassigned,
        exclusions,
        cost_yuan: total,
        makespan_hours: report.makespan as f64 / 60.0,
        lateness_hours: lateness.iter().sum(),
        local_share: if total > 0.0 { local / total } else { 0.0 },
    })
}
