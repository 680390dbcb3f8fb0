//! Registry, eligibility, planning and repair on a small Baotou-like set of shops.

use innomesh_alloc::build::shop_capacity_minutes;
use innomesh_alloc::eligibility::check_part;
use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{
    Delivery, Envelope, Machine, Material, PerformancePolicy, Process, Shop,
};
use innomesh_alloc::{plan_order, repair_plan, FjspConfig, GapConfig, Plan, PlanConfig};
use proptest::prelude::*;

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

/// Minutes of work each shop receives must fit its weekly capacity (and order limit).
fn assert_capacity(plan: &Plan, shops: &[Shop], policy: &PerformancePolicy) {
    for s in shops {
        let used: i64 = plan
            .lots
            .iter()
            .filter(|l| l.shop_id == s.id)
            .map(|l| (l.hours * 60.0).ceil() as i64)
            .sum();
        assert!(
            used <= shop_capacity_minutes(s, policy),
            "shop {} over capacity",
            s.id
        );
    }
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
    let plan = plan_order(&order(), &shops(), &cfg).unwrap();
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
    assert_capacity(&plan, &shops(), &cfg.policy);
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
        let plan = plan_order(&o, &s, &cfg).unwrap();
        assert_capacity(&plan, &s, &cfg.policy);
        for p in &o.parts {
            let placed: u32 = plan.lots.iter().filter(|l| l.part_id == p.id).map(|l| l.quantity).sum();
            let missing: u32 = plan.unassigned.iter().filter(|u| u.part_id == p.id).map(|u| u.quantity).sum();
            prop_assert_eq!(placed + missing, p.quantity, "part {}", p.id);
        }
    }
}
