//! Registry, eligibility, planning and repair on a small Baotou-like set of shops.

use innomesh_alloc::build::shop_capacity_minutes;
use innomesh_alloc::eligibility::check_part;
use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{
    Delivery, Envelope, Machine, Material, PerformancePolicy, Process, Shop,
};
use innomesh_alloc::{plan_order, repair_plan, FjspConfig, GapConfig, Plan, PlanConfig};
use proptest::prelude::*;
use std::collections::HashMap;

fn machine(
    id: &str,
    process: Process,
    envelope: f64,
    tolerance: f64,
    hours: f64,
    cost: f64,
) -> Machine {
    Machine {
        id: id.into(),
        name: format!("{} {id}", process.label_zh()),
        process,
        materials: vec![Material::CarbonSteel, Material::AlloySteel],
        envelope: Envelope {
            x_mm: envelope,
            y_mm: envelope,
            z_mm: envelope,
        },
        tolerance_um: tolerance,
        free_hours_per_week: hours,
        hourly_cost: cost,
        speed: 1.0,
    }
}

fn history(n: usize, good: bool) -> Vec<Delivery> {
    (0..n)
        .map(|_| Delivery {
            on_time: good,
            quality_passed: good,
            response_hours: if good { 4.0 } else { 100.0 },
            hours: 20.0,
        })
        .collect()
}

fn shops() -> Vec<Shop> {
    vec![
        Shop {
            id: "A".into(),
            name: "昆区精工".into(),
            local: true,
            machines: vec![
                machine("A-L1", Process::Turning, 800.0, 10.0, 40.0, 120.0),
                machine("A-M1", Process::Milling, 800.0, 10.0, 40.0, 150.0),
            ],
            deliveries: history(12, true),
        },
        Shop {
            id: "B".into(),
            name: "青山重装".into(),
            local: false,
            machines: vec![
                machine("B-M1", Process::Milling, 2000.0, 20.0, 60.0, 200.0),
                machine("B-L1", Process::Turning, 2000.0, 20.0, 60.0, 180.0),
            ],
            deliveries: history(12, true),
        },
        Shop {
            id: "C".into(),
            name: "九原新厂".into(),
            local: true,
            machines: vec![
                machine("C-G1", Process::Grinding, 1500.0, 2.0, 40.0, 90.0),
                machine("C-L1", Process::Turning, 1500.0, 10.0, 40.0, 100.0),
            ],
            deliveries: Vec::new(),
        },
        Shop {
            id: "D".into(),
            name: "东河机修".into(),
            local: true,
            machines: vec![machine("D-L1", Process::Turning, 3000.0, 5.0, 80.0, 60.0)],
            deliveries: history(8, false),
        },
    ]
}

fn part(
    id: &str,
    routing: &[(Process, f64)],
    qty: u32,
    size: f64,
    tolerance: f64,
    splittable: bool,
) -> Part {
    Part {
        id: id.into(),
        name: format!("零件{id}"),
        routing: routing
            .iter()
            .map(|&(process, hours_per_unit)| Step {
                process,
                hours_per_unit,
            })
            .collect(),
        quantity: qty,
        material: Material::CarbonSteel,
        size_mm: [size, size / 2.0, size / 4.0],
        tolerance_um: tolerance,
        due_hours: 60.0,
        splittable,
    }
}

fn order() -> Order {
    Order {
        id: "ORD-1".into(),
        parts: vec![
            part(
                "shaft",
                &[(Process::Turning, 0.5), (Process::Milling, 0.25)],
                20,
                600.0,
                20.0,
                false,
            ),
            part("frame", &[(Process::Milling, 2.0)], 4, 1200.0, 20.0, false),
            part("pin", &[(Process::Turning, 0.1)], 100, 50.0, 10.0, true),
            part("gauge", &[(Process::Grinding, 1.0)], 5, 100.0, 2.0, false),
        ],
    }
}

fn fast() -> PlanConfig {
    PlanConfig {
        gap: GapConfig {
            time_limit: 3600.0,
            iteration_limit: Some(20_000),
            ..GapConfig::default()
        },
        fjsp: FjspConfig {
            time_limit: 3600.0,
            iteration_limit: Some(200),
            ..FjspConfig::default()
        },
        ..PlanConfig::default()
    }
}

/// Minutes of work each shop receives must fit its capacity over the plan's weeks (and its order
/// limit), and the schedule must respect every machine's free hours in every week.
fn assert_capacity(plan: &Plan, order: &Order, shops: &[Shop], policy: &PerformancePolicy) {
    for s in shops {
        let used: i64 = plan
            .lots
            .iter()
            .filter(|l| l.shop_id == s.id)
            .map(|l| (l.hours * 60.0).ceil() as i64)
            .sum();
        assert!(
            used <= shop_capacity_minutes(s, policy, plan.horizon_weeks),
            "shop {} over capacity",
            s.id
        );
    }
    assert_weekly_machine_capacity(plan, order, shops);
}

/// No machine's booked hours exceed its free hours in any week; every step's work intervals lie
/// inside its start–end, add up to the step's machine hours, and never overlap on one machine;
/// the steps of a lot follow the routing.
pub fn assert_weekly_machine_capacity(plan: &Plan, order: &Order, shops: &[Shop]) {
    let eps = 1e-6;
    let mut booked: HashMap<(String, String, i64), f64> = HashMap::new();
    let mut intervals: HashMap<(String, String), Vec<(f64, f64)>> = HashMap::new();
    let mut lot_steps: HashMap<usize, Vec<(usize, f64, f64)>> = HashMap::new();
    for st in &plan.steps {
        let shop = shops.iter().find(|s| s.id == st.shop_id).expect("shop");
        let machine = shop
            .machines
            .iter()
            .find(|m| m.id == st.machine_id)
            .expect("machine");
        let lot = &plan.lots[st.lot];
        let part = order
            .parts
            .iter()
            .find(|p| p.id == st.part_id)
            .expect("part");
        let need = part.routing[st.step].hours_per_unit * f64::from(lot.quantity) / machine.speed;
        let worked: f64 = st.work.iter().map(|w| w[1] - w[0]).sum();
        assert!(
            worked >= need - eps && worked <= need + 1.0 / 60.0 + eps,
            "step {} of {} worked {worked} h, needs {need} h",
            st.step,
            st.part_id
        );
        for w in &st.work {
            assert!(w[0] >= st.start_hours - eps && w[1] <= st.end_hours + eps && w[1] >= w[0]);
            intervals
                .entry((st.shop_id.clone(), st.machine_id.clone()))
                .or_default()
                .push((w[0], w[1]));
            let mut a = w[0];
            while a < w[1] - eps {
                let week = (a / 168.0 + eps).floor() as i64;
                let e = w[1].min((week + 1) as f64 * 168.0);
                *booked
                    .entry((st.shop_id.clone(), st.machine_id.clone(), week))
                    .or_default() += e - a;
                a = e;
            }
        }
        lot_steps
            .entry(st.lot)
            .or_default()
            .push((st.step, st.start_hours, st.end_hours));
    }
    for ((shop, machine, week), hours) in &booked {
        let free = shops
            .iter()
            .find(|s| &s.id == shop)
            .and_then(|s| s.machines.iter().find(|m| &m.id == machine))
            .map(|m| m.free_hours_per_week.min(168.0))
            .unwrap();
        assert!(
            *hours <= free + eps,
            "{shop}/{machine} booked {hours} h in week {week}, free {free} h"
        );
    }
    for (key, mut v) in intervals {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in v.windows(2) {
            assert!(w[1].0 >= w[0].1 - eps, "{key:?} overlaps: {w:?}");
        }
    }
    for (_, mut v) in lot_steps {
        v.sort_by_key(|x| x.0);
        for w in v.windows(2) {
            assert!(w[1].1 >= w[0].2 - eps, "routing order broken: {w:?}");
        }
    }
}

/// Plans the order and checks every capacity rule on the result.
fn plan_checked(o: &Order, s: &[Shop], cfg: &PlanConfig) -> Plan {
    let plan = plan_order(o, s, cfg).unwrap();
    assert_capacity(&plan, o, s, &cfg.policy);
    plan
}

#[test]
fn process_labels_are_chinese_and_parse_back() {
    let labels: Vec<&str> = Process::ALL.iter().map(|p| p.label_zh()).collect();
    assert_eq!(
        labels,
        [
            "车削",
            "铣削",
            "磨削",
            "钻孔",
            "电火花",
            "焊接",
            "热处理",
            "表面处理",
            "检测"
        ]
    );
    assert_eq!(Process::parse("电火花"), Some(Process::Edm));
    assert_eq!(
        Process::parse("heat_treatment"),
        Some(Process::HeatTreatment)
    );
    assert_eq!(Process::parse("锻造"), None);
}

#[test]
fn performance_needs_history_and_uses_a_rolling_window() {
    let policy = PerformancePolicy::default();
    let mut shop = shops()[2].clone();
    assert_eq!(
        shop.performance(&policy),
        None,
        "too little history to count"
    );
    assert_eq!(shop.order_limit_hours(&policy), Some(40.0));
    shop.deliveries = history(30, false);
    shop.deliveries.extend(history(20, true));
    // Only the last 20 (all good) count.
    assert!((shop.performance(&policy).unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(shop.order_limit_hours(&policy), None, "graduated");
    let mut growing = shops()[2].clone();
    growing.deliveries = history(3, true);
    assert_eq!(growing.order_limit_hours(&policy), Some(40.0 + 0.5 * 60.0));
}

#[test]
fn exclusions_explain_why_in_chinese() {
    let policy = PerformancePolicy::default();
    let o = order();
    let frame = check_part(&o.parts[1], &shops(), &policy);
    let reasons: Vec<&str> = frame.exclusions.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("工作台尺寸 800mm 小于零件尺寸 1200mm")),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|r| r.contains("近期绩效评分") && r.contains("低于门槛")));
    assert!(reasons
        .iter()
        .any(|r| r.contains("没有能完成第 1 道工序「铣削」")));
    assert_eq!(
        frame.fits.iter().map(|f| f.shop).collect::<Vec<_>>(),
        vec![1]
    );
    let gauge = check_part(&o.parts[3], &shops(), &policy);
    assert_eq!(gauge.fits.len(), 1, "only the grinder of C holds 2μm");
    let pin = check_part(&o.parts[2], &shops(), &policy);
    assert!(pin
        .exclusions
        .iter()
        .any(|e| e.machine_id.as_deref() == Some("B-L1") && e.reason.contains("精度不足")));
}

#[test]
fn plans_every_part_within_capacity() {
    let cfg = fast();
    let plan = plan_checked(&order(), &shops(), &cfg);
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
    let pins: u32 = plan
        .lots
        .iter()
        .filter(|l| l.part_id == "pin")
        .map(|l| l.quantity)
        .sum();
    assert_eq!(pins, 100);
    assert!(plan
        .lots
        .iter()
        .any(|l| l.part_id == "frame" && l.shop_id == "B"));
    assert!(
        plan.lots.iter().all(|l| l.shop_id != "D"),
        "poor performer excluded"
    );
    assert!(plan.local_share > 0.0 && plan.local_share < 1.0);
    assert!(plan.cost_yuan > 0.0 && plan.makespan_hours > 0.0);
    // Steps of each lot follow the routing in time.
    for w in plan.steps.windows(2) {
        if w[0].lot == w[1].lot {
            assert!(w[1].start_hours >= w[0].end_hours - 1e-9);
        }
    }
    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.contains("\"local_share\""));
}

#[test]
fn unplaceable_parts_are_reported_with_reasons() {
    let mut o = order();
    o.parts
        .push(part("huge", &[(Process::Edm, 1.0)], 1, 5000.0, 50.0, false));
    let plan = plan_order(&o, &shops(), &fast()).unwrap();
    let huge = plan
        .unassigned
        .iter()
        .find(|u| u.part_id == "huge")
        .expect("reported");
    assert!(huge.reasons.iter().any(|r| r.contains("电火花")));
}

#[test]
fn repair_moves_only_what_the_dropped_shop_had() {
    let cfg = fast();
    let all = shops();
    let before = plan_order(&order(), &all, &cfg).unwrap();
    let at_a = before.lots.iter().filter(|l| l.shop_id == "A").count();
    assert!(at_a > 0, "fixture should use shop A");
    let r = repair_plan(&order(), &all, &before, "A", &cfg).unwrap();
    assert!(r.plan.lots.iter().all(|l| l.shop_id != "A"));
    assert_eq!(r.moved.len(), at_a, "{:?}", r.moved);
    assert_eq!(r.kept, before.lots.len() - at_a);
    assert!(repair_plan(&order(), &all, &before, "nobody", &cfg).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_part_assigned_or_reported(
        qty in proptest::collection::vec(1u32..40, 1..6),
        hours in proptest::collection::vec(0.05f64..3.0, 1..6),
        free in 1.0f64..60.0,
    ) {
        let mut s = shops();
        for shop in &mut s {
            for m in &mut shop.machines {
                m.free_hours_per_week = free;
            }
        }
        let processes = [Process::Turning, Process::Milling, Process::Grinding];
        let parts: Vec<Part> = qty
            .iter()
            .zip(hours.iter().cycle())
            .enumerate()
            .map(|(k, (&q, &h))| part(&format!("p{k}"), &[(processes[k % 3], h)], q, 300.0, 20.0, k % 2 == 0))
            .collect();
        let o = Order { id: "R".into(), parts };
        let cfg = fast();
        let plan = plan_checked(&o, &s, &cfg);
        for p in &o.parts {
            let placed: u32 = plan.lots.iter().filter(|l| l.part_id == p.id).map(|l| l.quantity).sum();
            let missing: u32 = plan.unassigned.iter().filter(|u| u.part_id == p.id).map(|u| u.quantity).sum();
            prop_assert_eq!(placed + missing, p.quantity, "part {}", p.id);
        }
    }
}

/// A tiny deterministic generator for random registries and orders.
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

/// 2–6 shops of 1–5 machines each (few processes, so machines compete), 1–7 parts.
fn random_case(seed: u64) -> (Vec<Shop>, Order) {
    let mut r = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
    let processes = [Process::Turning, Process::Milling, Process::Grinding];
    let shops: Vec<Shop> = (0..2 + r.below(5))
        .map(|s| Shop {
            id: format!("S{s}"),
            name: format!("车间{s}"),
            local: r.below(2) == 0,
            machines: (0..1 + r.below(5))
                .map(|m| {
                    let mut mm = machine(
                        &format!("S{s}-M{m}"),
                        processes[r.below(3) as usize],
                        r.range(300.0, 2000.0),
                        [5.0, 10.0, 20.0][r.below(3) as usize],
                        [1.0, 4.0, 12.0, 40.0, 80.0, 168.0][r.below(6) as usize],
                        r.range(50.0, 300.0),
                    );
                    mm.speed = r.range(0.5, 2.0);
                    mm
                })
                .collect(),
            deliveries: history(r.below(14) as usize, true),
        })
        .collect();
    let parts = (0..1 + r.below(7))
        .map(|k| {
            let steps: Vec<(Process, f64)> = (0..1 + r.below(3))
                .map(|_| (processes[r.below(3) as usize], r.range(0.05, 2.0)))
                .collect();
            let mut p = part(
                &format!("p{k}"),
                &steps,
                1 + r.below(120) as u32,
                r.range(50.0, 600.0),
                20.0,
                r.below(2) == 0,
            );
            p.due_hours = r.range(10.0, 700.0);
            p
        })
        .collect();
    (
        shops,
        Order {
            id: format!("R{seed}"),
            parts,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Issue 16.2: no machine's booked hours exceed its free hours in any week, over random
    /// registries and orders; every unit of every part is placed or reported.
    #[test]
    fn no_machine_is_booked_beyond_its_free_hours_in_any_week(seed in any::<u64>()) {
        let (s, o) = random_case(seed);
        let cfg = fast();
        let plan = plan_checked(&o, &s, &cfg);
        for p in &o.parts {
            let placed: u32 = plan.lots.iter().filter(|l| l.part_id == p.id).map(|l| l.quantity).sum();
            let missing: u32 = plan.unassigned.iter().filter(|u| u.part_id == p.id).map(|u| u.quantity).sum();
            prop_assert_eq!(placed + missing, p.quantity, "part {}", p.id);
        }
    }
}

/// The check above fails on the previous method, which counted only a shop's total free hours:
/// a lathe with 10 free hours a week got 50 hours of turning because the shop's mill was idle.
#[test]
fn the_shop_total_method_overbooks_a_machine() {
    let shops = vec![Shop {
        id: "A".into(),
        name: "昆区精工".into(),
        local: true,
        machines: vec![
            machine("A-L1", Process::Turning, 800.0, 10.0, 10.0, 120.0),
            machine("A-M1", Process::Milling, 800.0, 10.0, 100.0, 150.0),
        ],
        deliveries: history(12, true),
    }];
    let mut p = part("shaft", &[(Process::Turning, 1.0)], 50, 100.0, 20.0, false);
    p.due_hours = 100.0;
    let o = Order {
        id: "O".into(),
        parts: vec![p],
    };
    let old = PlanConfig {
        weekly_machine_capacity: false,
        ..fast()
    };
    let before = plan_order(&o, &shops, &old).unwrap();
    assert_eq!(before.lots.len(), 1, "the old method placed it");
    let caught = std::panic::catch_unwind(|| assert_weekly_machine_capacity(&before, &o, &shops));
    assert!(caught.is_err(), "the lathe is booked 50 h in a week of 10");
    // Now: the lathe has 10 h a week; due in one week, 50 h cannot be placed …
    let now = plan_checked(&o, &shops, &fast());
    assert!(now.lots.is_empty() && now.unassigned.len() == 1);
    // … due in five weeks it can, spread over the weeks.
    let mut later = o.clone();
    later.parts[0].due_hours = 5.0 * 168.0;
    let plan = plan_checked(&later, &shops, &fast());
    assert_eq!(plan.lots.len(), 1);
    let weeks: std::collections::BTreeSet<i64> = plan.steps[0]
        .work
        .iter()
        .map(|w| (w[0] / 168.0).floor() as i64)
        .collect();
    assert_eq!(weeks.len(), 5, "{:?}", plan.steps[0].work);
}
