//! Turns an order and the registry into optimiser instances: a GAP over (lot, shop) with costs in
//! fen and loads in minutes, and an FJSP over the chosen shops' machines.

use crate::eligibility::{check_part, Exclusion, PartEligibility};
use crate::fjsp::{Alternative, FjspInstance};
use crate::gap::GapInstance;
use crate::order::{Order, Part};
use crate::registry::{Machine, PerformancePolicy, Process, Shop};
use crate::AllocError;

/// Values in instances stay below this so that sums cannot overflow.
const CAP: i64 = 900_000_000;

/// A quantity of one part that goes to one shop as a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lot {
    pub part: usize,
    pub quantity: u32,
}

/// Splits each part into lots: a splittable part with quantity q into up to `max_lots` near-equal
/// lots (never more lots than fitting shops or units), any other part into one lot.
pub fn make_lots(order: &Order, eligibility: &[PartEligibility], max_lots: u32) -> Vec<Lot> {
    let mut lots = Vec::new();
    for (p, part) in order.parts.iter().enumerate() {
        let shops = eligibility[p].fits.len() as u32;
        let k = if part.splittable {
            max_lots.min(shops).min(part.quantity).max(1)
        } else {
            1
        };
        for r in 0..k {
            let q = part.quantity / k + u32::from(r < part.quantity % k);
            lots.push(Lot {
                part: p,
                quantity: q,
            });
        }
    }
    lots
}

fn with_quantity(part: &Part, quantity: u32) -> Part {
    Part {
        quantity,
        ..part.clone()
    }
}

/// The GAP side: item j = lot j, agent i = shop i.
#[derive(Debug, Clone)]
pub struct BuiltGap {
    pub instance: GapInstance,
    /// Whether lot j may go to shop i at all (row-major shop × lot).
    pub allowed: Vec<bool>,
}

/// Cheapest eligible way (cost in yuan, hours) for a lot in a shop, step by step.
pub fn lot_cost_hours(
    part: &Part,
    quantity: u32,
    shop: &Shop,
    machines_per_step: &[Vec<usize>],
) -> (f64, f64) {
    let lot = with_quantity(part, quantity);
    let mut cost = 0.0;
    let mut hours = 0.0;
    for (step, ms) in lot.routing.iter().zip(machines_per_step) {
        let best = ms
            .iter()
            .map(|&mi| {
                let m = &shop.machines[mi];
                let h = lot.step_hours(step, m.speed);
                (h * m.hourly_cost, h)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((c, h)) = best {
            cost += c;
            hours += h;
        }
    }
    (cost, hours)
}

/// Minutes in a week: capacity is checked per machine and per calendar week of the plan.
pub const WEEK_MINUTES: i64 = 7 * 24 * 60;

/// Minutes a machine may be booked in any one week (its free hours, at most the whole week).
pub fn machine_week_minutes(m: &Machine) -> i64 {
    let h = if m.free_hours_per_week.is_finite() {
        m.free_hours_per_week.clamp(0.0, 168.0)
    } else {
        0.0
    };
    ((h * 60.0).floor() as i64).clamp(0, WEEK_MINUTES)
}

/// Minutes a shop offers to this order over `weeks` weeks: its machines' free hours, capped by
/// its order limit (which is per order, not per week).
pub fn shop_capacity_minutes(shop: &Shop, policy: &PerformancePolicy, weeks: u32) -> i64 {
    let free: i64 = shop.machines.iter().map(machine_week_minutes).sum();
    let free = free.saturating_mul(i64::from(weeks.max(1)));
    let minutes = shop
        .order_limit_hours(policy)
        .map_or(free, |l| ((l.max(0.0) * 60.0).floor() as i64).min(free));
    minutes.clamp(0, CAP)
}

/// Minutes per process a lot needs in a shop, each step on its cheapest eligible machine (the
/// same choice as [`lot_cost_hours`]).
pub fn lot_process_minutes(
    part: &Part,
    quantity: u32,
    shop: &Shop,
    machines_per_step: &[Vec<usize>],
) -> Vec<(Process, i64)> {
    let lot = with_quantity(part, quantity);
    let mut out: Vec<(Process, i64)> = Vec::new();
    for (step, ms) in lot.routing.iter().zip(machines_per_step) {
        let best = ms
            .iter()
            .map(|&mi| {
                let m = &shop.machines[mi];
                let h = lot.step_hours(step, m.speed);
                (h * m.hourly_cost, h)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, h)) = best {
            let minutes = ((h * 60.0).ceil() as i64).clamp(0, CAP);
            match out.iter_mut().find(|(p, _)| *p == step.process) {
                Some((_, m)) => *m = (*m + minutes).min(CAP),
                None => out.push((step.process, minutes)),
            }
        }
    }
    out
}

/// Minutes per process a shop's machines offer over `weeks` weeks.
pub fn shop_process_minutes(shop: &Shop, process: Process, weeks: u32) -> i64 {
    shop.machines
        .iter()
        .filter(|m| m.process == process)
        .map(machine_week_minutes)
        .sum::<i64>()
        .saturating_mul(i64::from(weeks.max(1)))
        .min(CAP)
}

/// Builds the GAP over lots and shops; `extra_cost(i, j)` is added to each allowed pair (used by
/// repair to make moving a lot expensive).
pub fn build_gap(
    order: &Order,
    shops: &[Shop],
    eligibility: &[PartEligibility],
    lots: &[Lot],
    policy: &PerformancePolicy,
    weeks: u32,
    extra_cost: &dyn Fn(usize, usize) -> i64,
) -> Result<BuiltGap, AllocError> {
    let (m, n) = (shops.len(), lots.len());
    let capacity: Vec<i64> = shops
        .iter()
        .map(|s| shop_capacity_minutes(s, policy, weeks))
        .collect();
    let mut cost = vec![0i64; m * n];
    let mut weight = vec![0i64; m * n];
    let mut allowed = vec![false; m * n];
    for (j, lot) in lots.iter().enumerate() {
        let part = &order.parts[lot.part];
        for fit in &eligibility[lot.part].fits {
            let i = fit.shop;
            let (c, h) = lot_cost_hours(part, lot.quantity, &shops[i], &fit.machines_per_step);
            cost[i * n + j] =
                ((c * 100.0).round() as i64).clamp(0, CAP / 2) + extra_cost(i, j).clamp(0, CAP / 2);
            weight[i * n + j] = ((h * 60.0).ceil() as i64).clamp(0, CAP);
            allowed[i * n + j] = true;
        }
    }
    let top = cost.iter().copied().max().unwrap_or(0) + 1;
    for i in 0..m {
        for j in 0..n {
            if !allowed[i * n + j] {
                // Heavier than the shop's whole capacity: the pair can never be chosen.
                cost[i * n + j] = top;
                weight[i * n + j] = (capacity[i] + 1).min(CAP + 1);
            }
        }
    }
    let instance = GapInstance::new(
        m.max(1),
        n,
        cost,
        weight,
        if m == 0 { vec![0] } else { capacity },
    )?;
    Ok(BuiltGap { instance, allowed })
}

/// Eligibility of every part of the order.
pub fn check_order(
    order: &Order,
    shops: &[Shop],
    policy: &PerformancePolicy,
) -> Vec<PartEligibility> {
    order
        .parts
        .iter()
        .map(|p| check_part(p, shops, policy))
        .collect()
}

/// Every exclusion of the order, flattened.
pub fn all_exclusions(eligibility: &[PartEligibility]) -> Vec<Exclusion> {
    eligibility
        .iter()
        .flat_map(|e| e.exclusions.iter().cloned())
        .collect()
}

/// Minutes a step of a lot takes on a machine (what the schedule books on it).
pub fn step_minutes(part: &Part, quantity: u32, step_index: usize, machine: &Machine) -> i64 {
    let lot = with_quantity(part, quantity);
    lot.routing.get(step_index).map_or(0, |step| {
        ((lot.step_hours(step, machine.speed) * 60.0).ceil() as i64).clamp(0, 1_000_000_000)
    })
}

/// The FJSP side: job = lot (given a shop), operation = routing step, machines = every machine of
/// every shop numbered shop by shop; returns the instance and the (shop, machine) of each number.
/// With `stretch`, each time is divided by the share of the week the machine is free, so the
/// search prefers machines that can really run the work this week (the schedule is then laid on
/// the weekly calendar with the true times).
pub fn build_fjsp(
    order: &Order,
    shops: &[Shop],
    eligibility: &[PartEligibility],
    lots: &[(Lot, usize)],
    stretch: bool,
) -> Result<(FjspInstance, Vec<(usize, usize)>), AllocError> {
    let mut index = Vec::new();
    let mut first = Vec::with_capacity(shops.len());
    for (s, shop) in shops.iter().enumerate() {
        first.push(index.len());
        for mi in 0..shop.machines.len() {
            index.push((s, mi));
        }
    }
    let mut jobs = Vec::with_capacity(lots.len());
    for &(lot, s) in lots {
        let part = &order.parts[lot.part];
        let fit = eligibility[lot.part]
            .fits
            .iter()
            .find(|f| f.shop == s)
            .ok_or_else(|| {
                AllocError::invalid(
                    "零件被分配到不合格车间",
                    "lot assigned to an ineligible shop",
                )
            })?;
        let ops = part
            .routing
            .iter()
            .zip(&fit.machines_per_step)
            .enumerate()
            .map(|(k, (_, ms))| {
                ms.iter()
                    .map(|&mi| {
                        let machine = &shops[s].machines[mi];
                        let mut time = step_minutes(part, lot.quantity, k, machine);
                        let week = machine_week_minutes(machine);
                        if stretch && week > 0 && week < WEEK_MINUTES {
                            time = (time.saturating_mul(WEEK_MINUTES) / week).min(1_000_000_000);
                        }
                        Alternative {
                            machine: first[s] + mi,
                            time,
                        }
                    })
                    .collect()
            })
            .collect();
        jobs.push(ops);
    }
    let inst = FjspInstance::new(index.len().max(1), jobs)?;
    Ok((inst, index))
}
