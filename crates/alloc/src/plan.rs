//! Production plans for an order: which shop makes which lot, on which machine and when, with
//! cost, makespan, lateness and local-supply share; parts that cannot be placed say why.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::build::{self, Lot, WEEK_MINUTES};
use crate::eligibility::{Exclusion, PartEligibility};
use crate::fjsp::{solve_fjsp, FjspConfig, ScheduledOperation};
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
    /// The plan covers the weeks up to the latest due date, at most this many.
    pub max_horizon_weeks: u32,
    /// True (the default): no machine is booked for more than its free hours in any week of the
    /// schedule, and a shop takes per process no more than its machines of that process offer up
    /// to the horizon. False: the previous method (a shop's total free hours of one week, machines
    /// scheduled as if free all the time) — kept only as the benchmark's baseline.
    pub weekly_machine_capacity: bool,
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
            max_horizon_weeks: 52,
            weekly_machine_capacity: true,
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
    /// When the machine really works on it, in hours from the plan start: an operation pauses
    /// when its machine has used up the week's free hours and resumes the next week.
    #[serde(default)]
    pub work: Vec<[f64; 2]>,
}

impl PlannedStep {
    /// Machine hours booked (the work intervals, or start to end when none are given).
    pub fn booked_hours(&self) -> f64 {
        if self.work.is_empty() {
            self.end_hours - self.start_hours
        } else {
            self.work.iter().map(|w| w[1] - w[0]).sum()
        }
    }
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
    /// Weeks the shops' capacity was counted over (up to the latest due date).
    #[serde(default)]
    pub horizon_weeks: u32,
}

/// Weeks up to the latest due date of the order (at least one, at most `max_weeks`).
pub fn horizon_weeks(order: &Order, max_weeks: u32) -> u32 {
    let latest = order
        .parts
        .iter()
        .map(|p| p.due_hours)
        .filter(|h| h.is_finite())
        .fold(0.0f64, f64::max);
    let weeks = (latest / 168.0).ceil();
    if weeks.is_finite() && weeks >= 1.0 {
        (weeks.min(f64::from(max_weeks.max(1)))) as u32
    } else {
        1
    }
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
    let weeks = if cfg.weekly_machine_capacity {
        horizon_weeks(order, cfg.max_horizon_weeks)
    } else {
        1
    };
    let mut chosen: Vec<Option<usize>> = vec![None; sub_lots.len()];
    if !sub_lots.is_empty() && !shops.is_empty() {
        let built = build::build_gap(
            order,
            shops,
            eligibility,
            &sub_lots,
            &cfg.policy,
            weeks,
            &extra,
        )?;
        let report = solve_gap(&built.instance, &cfg.gap)?;
        if report.cost.is_some() {
            for (q, &i) in report.assignment.iter().enumerate() {
                chosen[q] = Some(i);
            }
        } else {
            chosen = greedy_partial(&built.instance, &built.allowed);
        }
        if cfg.weekly_machine_capacity {
            fit_process_capacity(
                order,
                shops,
                eligibility,
                &sub_lots,
                &built,
                weeks,
                &mut chosen,
            );
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
                reasons: vec![if cfg.weekly_machine_capacity {
                    format!("合格车间的合格机床在交期内（{weeks} 周）的空闲工时或车间接单上限不足，请延后交期、拆分数量或增加车间")
                } else {
                    "合格车间本周空闲工时或接单上限不足，请延后交期或增加车间".to_string()
                }],
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

/// Moves lots out of shops whose machines of one process would be booked beyond their free hours
/// up to the horizon (the GAP only sees a shop's total), to the cheapest shop where every process
/// still fits, or leaves them unassigned.
fn fit_process_capacity(
    order: &Order,
    shops: &[Shop],
    eligibility: &[PartEligibility],
    lots: &[Lot],
    built: &build::BuiltGap,
    weeks: u32,
    chosen: &mut [Option<usize>],
) {
    let inst = &built.instance;
    let n = lots.len();
    let need = |j: usize, i: usize| -> Vec<(Process, i64)> {
        eligibility[lots[j].part]
            .fits
            .iter()
            .find(|f| f.shop == i)
            .map(|f| {
                build::lot_process_minutes(
                    &order.parts[lots[j].part],
                    lots[j].quantity,
                    &shops[i],
                    &f.machines_per_step,
                )
            })
            .unwrap_or_default()
    };
    let mut shop_left: Vec<i64> = (0..shops.len()).map(|i| inst.capacity(i)).collect();
    let mut proc_left: HashMap<(usize, Process), i64> = HashMap::new();
    let left = |proc_left: &mut HashMap<(usize, Process), i64>, i: usize, p: Process| -> i64 {
        *proc_left
            .entry((i, p))
            .or_insert_with(|| build::shop_process_minutes(&shops[i], p, weeks))
    };
    for (j, c) in chosen.iter().enumerate() {
        if let Some(i) = *c {
            shop_left[i] -= inst.weight(i, j);
            for (p, m) in need(j, i) {
                left(&mut proc_left, i, p);
                if let Some(v) = proc_left.get_mut(&(i, p)) {
                    *v -= m;
                }
            }
        }
    }
    let mut removed = Vec::new();
    loop {
        let over = proc_left
            .iter()
            .filter(|(_, v)| **v < 0)
            .map(|(k, _)| *k)
            .min();
        let Some((i, p)) = over else { break };
        // The lot with the most work in the overbooked process leaves first.
        let worst = (0..n)
            .filter(|&j| chosen[j] == Some(i))
            .filter_map(|j| {
                need(j, i)
                    .into_iter()
                    .find(|(q, _)| *q == p)
                    .map(|(_, m)| (m, j))
            })
            .max();
        let Some((_, j)) = worst else { break };
        chosen[j] = None;
        shop_left[i] += inst.weight(i, j);
        for (q, m) in need(j, i) {
            if let Some(v) = proc_left.get_mut(&(i, q)) {
                *v += m;
            }
        }
        removed.push(j);
    }
    removed.sort_by_key(|&j| std::cmp::Reverse(lots[j].quantity));
    for j in removed {
        let mut best: Option<(i64, usize)> = None;
        for (i, &room) in shop_left.iter().enumerate() {
            if !built.allowed[i * n + j] || inst.weight(i, j) > room {
                continue;
            }
            let fits = need(j, i)
                .into_iter()
                .all(|(p, m)| left(&mut proc_left, i, p) >= m);
            if fits && best.is_none_or(|(c, _)| inst.cost(i, j) < c) {
                best = Some((inst.cost(i, j), i));
            }
        }
        if let Some((_, i)) = best {
            chosen[j] = Some(i);
            shop_left[i] -= inst.weight(i, j);
            for (p, m) in need(j, i) {
                if let Some(v) = proc_left.get_mut(&(i, p)) {
                    *v -= m;
                }
            }
        }
    }
}

/// One operation laid on the weekly calendar: start, end and the intervals worked (minutes).
type Laid = (i64, i64, Vec<(i64, i64)>);

/// Lays the solver's sequence on each machine's weekly calendar: an operation starts when its
/// lot's previous step and its machine's previous operation are done, runs while the machine has
/// free minutes left in the week, pauses when they are used up and resumes the next week. No
/// machine is ever booked beyond its weekly free minutes; where that never binds, the times are
/// the solver's own.
fn lay_on_weeks(ops: &[ScheduledOperation], minutes: &[i64], budget: &[i64]) -> Vec<Laid> {
    let mut idx: Vec<usize> = (0..ops.len()).collect();
    idx.sort_by_key(|&k| (ops[k].start, ops[k].op, ops[k].end, ops[k].job));
    let mut job_ready: HashMap<usize, i64> = HashMap::new();
    let mut machine_ready = vec![0i64; budget.len()];
    let mut booked: HashMap<(usize, i64), i64> = HashMap::new();
    let mut out: Vec<Laid> = vec![(0, 0, Vec::new()); ops.len()];
    for k in idx {
        let o = &ops[k];
        let m = o.machine;
        let cap = budget
            .get(m)
            .copied()
            .filter(|b| *b > 0)
            .unwrap_or(WEEK_MINUTES);
        let mut t = job_ready
            .get(&o.job)
            .copied()
            .unwrap_or(0)
            .max(machine_ready.get(m).copied().unwrap_or(0));
        let mut rest = minutes[k];
        let mut work: Vec<(i64, i64)> = Vec::new();
        let mut start = None;
        while rest > 0 {
            let week = t.div_euclid(WEEK_MINUTES);
            let week_end = (week + 1) * WEEK_MINUTES;
            let used = booked.entry((m, week)).or_insert(0);
            let free = cap - *used;
            if free <= 0 {
                t = week_end;
                continue;
            }
            let run = rest.min(free).min(week_end - t);
            *used += run;
            start.get_or_insert(t);
            match work.last_mut() {
                Some(last) if last.1 == t => last.1 = t + run,
                _ => work.push((t, t + run)),
            }
            rest -= run;
            t += run;
        }
        let s = start.unwrap_or(t);
        job_ready.insert(o.job, t);
        if let Some(r) = machine_ready.get_mut(m) {
            *r = t;
        }
        out[k] = (s, t, work);
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
    let mut fcfg = cfg.fjsp.clone();
    // Minutes, like the instance; lateness is what the planner is judged on when due dates exist.
    fcfg.due_dates = Some(
        assigned
            .iter()
            .map(|(lot, _)| (order.parts[lot.part].due_hours * 60.0).floor() as i64)
            .collect(),
    );
    let (inst, index) = build::build_fjsp(order, shops, eligibility, assigned, false)?;
    let true_minutes = |ops: &[ScheduledOperation]| -> Vec<i64> {
        ops.iter()
            .map(|o| {
                let (lot, _) = assigned[o.job];
                let (s, mi) = index[o.machine];
                build::step_minutes(
                    &order.parts[lot.part],
                    lot.quantity,
                    o.op,
                    &shops[s].machines[mi],
                )
            })
            .collect()
    };
    let budget: Vec<i64> = index
        .iter()
        .map(|&(s, mi)| build::machine_week_minutes(&shops[s].machines[mi]))
        .collect();
    let (report, laid) = if cfg.weekly_machine_capacity {
        // Two searches, each with half the time: on the true times, and on times stretched by
        // each machine's free share of the week; both are laid on the weekly calendar and the one
        // with less lateness (then the shorter) is kept.
        fcfg.time_limit = cfg.fjsp.time_limit / 2.0;
        let plain = solve_fjsp(&inst, &fcfg)?;
        let plain_laid = lay_on_weeks(&plain.operations, &true_minutes(&plain.operations), &budget);
        let (stretched_inst, _) = build::build_fjsp(order, shops, eligibility, assigned, true)?;
        let stretched = solve_fjsp(&stretched_inst, &fcfg)?;
        let stretched_laid = lay_on_weeks(
            &stretched.operations,
            &true_minutes(&stretched.operations),
            &budget,
        );
        let score = |r: &crate::fjsp::FjspReport, laid: &[Laid]| {
            let mut late = 0i64;
            let mut span = 0i64;
            let mut done: HashMap<usize, i64> = HashMap::new();
            for (o, l) in r.operations.iter().zip(laid) {
                span = span.max(l.1);
                let e = done.entry(o.job).or_insert(0);
                *e = (*e).max(l.1);
            }
            for (job, end) in done {
                let due = (order.parts[assigned[job].0.part].due_hours * 60.0).floor() as i64;
                late += (end - due).max(0);
            }
            (late, span)
        };
        if score(&stretched, &stretched_laid) < score(&plain, &plain_laid) {
            (stretched, stretched_laid)
        } else {
            (plain, plain_laid)
        }
    } else {
        let r = solve_fjsp(&inst, &fcfg)?;
        let laid = r
            .operations
            .iter()
            .map(|o| (o.start, o.end, vec![(o.start, o.end)]))
            .collect();
        (r, laid)
    };
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
    let mut makespan = 0i64;
    let steps: Vec<PlannedStep> = report
        .operations
        .iter()
        .zip(&laid)
        .map(|(o, (start, end, work))| {
            let (lot, _) = assigned[o.job];
            let part = &order.parts[lot.part];
            let (s, mi) = index[o.machine];
            makespan = makespan.max(*end);
            let end = *end as f64 / 60.0;
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
                start_hours: *start as f64 / 60.0,
                end_hours: end,
                work: work
                    .iter()
                    .map(|&(a, b)| [a as f64 / 60.0, b as f64 / 60.0])
                    .collect(),
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
        makespan_hours: makespan as f64 / 60.0,
        lateness_hours: lateness.iter().sum(),
        local_share: if total > 0.0 { local / total } else { 0.0 },
        horizon_weeks: if cfg.weekly_machine_capacity {
            horizon_weeks(order, cfg.max_horizon_weeks)
        } else {
            1
        },
    })
}
