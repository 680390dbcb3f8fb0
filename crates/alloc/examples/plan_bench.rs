//! Plans random orders over random registries (shaped like the demo: 30 shops of 2–6 machines,
//! 2–60 free hours a week per machine) with the previous method (a shop's total free hours of one
//! week, machines scheduled as if always free) and the current one (per machine, per week), on the
//! same inputs, and reports cost, makespan, lateness, placed quantity and overbooking.
//!
//! `cargo run --release -p innomesh-alloc --example plan_bench -- [CASES] [SEED] [QTY_SCALE]`
//! (QTY_SCALE multiplies every part's quantity, e.g. 0.05 for small orders the old method could
//! also plan without overbooking).

use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{Delivery, Envelope, Machine, Material, Process, Shop};
use innomesh_alloc::{plan_order, FjspConfig, GapConfig, Plan, PlanConfig};
use std::collections::HashMap;
use std::time::Instant;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.below(1_000_000) as f64 / 1_000_000.0)
    }
}

fn case(seed: u64, qty_scale: f64) -> (Vec<Shop>, Order) {
    let mut r = Lcg(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 17);
    let procs = [
        Process::Turning,
        Process::Milling,
        Process::Grinding,
        Process::Drilling,
        Process::HeatTreatment,
        Process::Inspection,
    ];
    let mats = Material::ALL;
    let shops: Vec<Shop> = (0..30)
        .map(|s| Shop {
            id: format!("S{s:02}"),
            name: format!("车间{s}"),
            local: r.below(3) > 0,
            machines: (0..2 + r.below(5))
                .map(|m| {
                    let cap = r.range(8.0, 60.0);
                    let free = (cap - cap * r.range(0.0, 0.7)).round().max(1.0);
                    let x = 150.0 + 50.0 * r.below(27) as f64;
                    let start = r.below(7) as usize;
                    Machine {
                        id: format!("S{s:02}-M{m}"),
                        name: "机床".into(),
                        process: procs[r.below(procs.len() as u64) as usize],
                        materials: (0..2 + r.below(4) as usize)
                            .map(|k| mats[(start + k) % 7])
                            .collect(),
                        envelope: Envelope {
                            x_mm: x,
                            y_mm: x * 0.6,
                            z_mm: x * 0.4,
                        },
                        tolerance_um: [5.0, 10.0, 20.0, 50.0, 100.0][r.below(5) as usize],
                        free_hours_per_week: free,
                        hourly_cost: r.range(60.0, 320.0),
                        speed: 1.0,
                    }
                })
                .collect(),
            deliveries: (0..if s % 5 == 0 {
                r.below(3)
            } else {
                5 + r.below(20)
            })
                .map(|_| Delivery {
                    on_time: r.below(10) < 8,
                    quality_passed: r.below(10) < 9,
                    response_hours: r.range(2.0, 60.0),
                    hours: r.range(5.0, 80.0),
                })
                .collect(),
        })
        .collect();
    let parts = (0..8)
        .map(|i| Part {
            id: format!("P{:02}", i + 1),
            name: format!("零件{i}"),
            routing: (0..1 + r.below(3))
                .map(|_| Step {
                    process: procs[r.below(procs.len() as u64) as usize],
                    hours_per_unit: r.range(0.2, 3.0),
                })
                .collect(),
            quantity: ((f64::from(10 + r.below(110) as u32) * qty_scale).round() as u32).max(1),
            material: [
                Material::CarbonSteel,
                Material::AlloySteel,
                Material::CastIron,
            ][r.below(3) as usize],
            size_mm: [
                r.range(50.0, 400.0),
                r.range(40.0, 200.0),
                r.range(20.0, 120.0),
            ],
            tolerance_um: [20.0, 50.0, 100.0][r.below(3) as usize],
            due_hours: r.range(80.0, 240.0),
            splittable: r.below(10) < 7,
        })
        .collect();
    (
        shops,
        Order {
            id: format!("B{seed}"),
            parts,
        },
    )
}

/// Largest ratio booked / free over every machine and week (≤ 1 means nothing is overbooked).
fn worst_week(plan: &Plan, shops: &[Shop]) -> f64 {
    let mut booked: HashMap<(&str, &str, i64), f64> = HashMap::new();
    for st in &plan.steps {
        let work: Vec<[f64; 2]> = if st.work.is_empty() {
            vec![[st.start_hours, st.end_hours]]
        } else {
            st.work.clone()
        };
        for w in work {
            let mut a = w[0];
            while a < w[1] - 1e-9 {
                let week = (a / 168.0 + 1e-9).floor() as i64;
                let e = w[1].min((week + 1) as f64 * 168.0);
                *booked
                    .entry((st.shop_id.as_str(), st.machine_id.as_str(), week))
                    .or_default() += e - a;
                a = e;
            }
        }
    }
    booked
        .iter()
        .map(|((s, m, _), h)| {
            let free = shops
                .iter()
                .find(|x| x.id == *s)
                .and_then(|x| x.machines.iter().find(|y| y.id == *m))
                .map_or(1.0, |y| y.free_hours_per_week.min(168.0));
            h / free
        })
        .fold(0.0, f64::max)
}

fn cfg(weekly: bool) -> PlanConfig {
    PlanConfig {
        gap: GapConfig {
            time_limit: 3600.0,
            iteration_limit: Some(50_000),
            ..GapConfig::default()
        },
        fjsp: FjspConfig {
            time_limit: 3600.0,
            iteration_limit: Some(400),
            ..FjspConfig::default()
        },
        weekly_machine_capacity: weekly,
        ..PlanConfig::default()
    }
}

fn placed(plan: &Plan) -> u32 {
    plan.lots.iter().map(|l| l.quantity).sum()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cases: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let qty_scale: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let (old_cfg, new_cfg) = (cfg(false), cfg(true));
    let mut rows = Vec::new();
    let (mut t_old, mut t_new) = (0.0, 0.0);
    for c in 0..cases {
        let (shops, order) = case(seed + c, qty_scale);
        let t = Instant::now();
        let Ok(old) = plan_order(&order, &shops, &old_cfg) else {
            continue;
        };
        t_old += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let Ok(new) = plan_order(&order, &shops, &new_cfg) else {
            continue;
        };
        t_new += t.elapsed().as_secs_f64();
        rows.push((worst_week(&old, &shops), worst_week(&new, &shops), old, new));
    }
    let n = rows.len() as f64;
    let over: Vec<_> = rows.iter().filter(|r| r.0 > 1.0 + 1e-9).collect();
    let ok: Vec<_> = rows.iter().filter(|r| r.0 <= 1.0 + 1e-9).collect();
    println!(
        "cases: {} (seed {seed}), 30 shops, 8 parts each",
        rows.len()
    );
    println!(
        "old method overbooks a machine-week in {} of {} cases (worst booked/free: median {:.2}, max {:.2}); new: {} cases (max {:.3})",
        over.len(),
        rows.len(),
        {
            let mut v: Vec<f64> = rows.iter().map(|r| r.0).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        },
        rows.iter().map(|r| r.0).fold(0.0, f64::max),
        rows.iter().filter(|r| r.1 > 1.0 + 1e-9).count(),
        rows.iter().map(|r| r.1).fold(0.0, f64::max),
    );
    let sum = |v: &[&(f64, f64, Plan, Plan)], f: &dyn Fn(&Plan) -> f64, new: bool| -> f64 {
        v.iter().map(|r| f(if new { &r.3 } else { &r.2 })).sum()
    };
    for (label, v) in [("old plan overbooked", &over), ("old plan feasible", &ok)] {
        if v.is_empty() {
            println!("{label}: none");
            continue;
        }
        let k = v.len() as f64;
        let cost = |p: &Plan| p.cost_yuan;
        let span = |p: &Plan| p.makespan_hours;
        let late = |p: &Plan| p.lateness_hours;
        let q = |p: &Plan| f64::from(placed(p));
        println!(
            "{label} ({} cases): mean placed units old {:.1} → new {:.1}; mean cost old {:.0} → new {:.0} yuan (ratio {:.3}); mean makespan old {:.1} → new {:.1} h (ratio {:.3}); mean lateness old {:.1} → new {:.1} h; cost per placed unit ratio {:.3}",
            v.len(),
            sum(v, &q, false) / k,
            sum(v, &q, true) / k,
            sum(v, &cost, false) / k,
            sum(v, &cost, true) / k,
            sum(v, &cost, true) / sum(v, &cost, false).max(1e-9),
            sum(v, &span, false) / k,
            sum(v, &span, true) / k,
            sum(v, &span, true) / sum(v, &span, false).max(1e-9),
            sum(v, &late, false) / k,
            sum(v, &late, true) / k,
            (sum(v, &cost, true) / sum(v, &q, true).max(1e-9))
                / (sum(v, &cost, false) / sum(v, &q, false).max(1e-9)),
        );
        let rises = v
            .iter()
            .filter(|r| {
                r.3.cost_yuan > r.2.cost_yuan + 0.01
                    || r.3.makespan_hours > r.2.makespan_hours + 1e-6
            })
            .count();
        let same = v
            .iter()
            .filter(|r| {
                (r.3.cost_yuan - r.2.cost_yuan).abs() < 0.01
                    && (r.3.makespan_hours - r.2.makespan_hours).abs() < 1e-6
            })
            .count();
        println!(
            "  cases where new cost or makespan is higher: {rises}; identical cost and makespan: {same}"
        );
    }
    println!(
        "planning time, sum: old {:.2} s, new {:.2} s (ratio {:.2}); per order {:.0} / {:.0} ms",
        t_old,
        t_new,
        t_new / t_old.max(1e-9),
        1000.0 * t_old / n.max(1.0),
        1000.0 * t_new / n.max(1.0)
    );
}
