//! Why a part could not be placed, one line per part: the binding constraint, how many machines
//! qualify, the closest machine by name (issue 16.2).

use innomesh_alloc::explain::{summarise, Binding, PartSummary};
use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{
    Delivery, Envelope, Machine, Material, PerformancePolicy, Process, Shop,
};
use innomesh_alloc::{plan_order, FjspConfig, GapConfig, PlanConfig};

fn machine(id: &str, name: &str, process: Process, tolerance: f64, hours: f64) -> Machine {
    Machine {
        id: id.into(),
        name: name.into(),
        process,
        materials: vec![Material::CarbonSteel, Material::AlloySteel],
        envelope: Envelope {
            x_mm: 800.0,
            y_mm: 500.0,
            z_mm: 400.0,
        },
        tolerance_um: tolerance,
        free_hours_per_week: hours,
        hourly_cost: 100.0,
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

fn shop(id: &str, name: &str, machines: Vec<Machine>, deliveries: Vec<Delivery>) -> Shop {
    Shop {
        id: id.into(),
        name: name.into(),
        local: true,
        machines,
        deliveries,
    }
}

/// Codes look like the registry's (credit codes, EQ numbers) so that a leak would show.
fn shops() -> Vec<Shop> {
    vec![
        shop(
            "91150203MA0000001X",
            "包头昆区精工机械有限公司",
            vec![
                machine("EQ000001", "数控车床 CK6140", Process::Turning, 50.0, 40.0),
                machine(
                    "EQ000002",
                    "立式加工中心 VMC850",
                    Process::Milling,
                    20.0,
                    40.0,
                ),
            ],
            history(12, true),
        ),
        shop(
            "91150204MA0000002X",
            "包头青山精密制造有限公司",
            vec![
                machine("EQ000003", "精密车床 CK6136", Process::Turning, 10.0, 4.0),
                machine("EQ000004", "数控车床 CK6150", Process::Turning, 100.0, 40.0),
            ],
            history(12, true),
        ),
        shop(
            "91150207MA0000003X",
            "包头九原磨削有限公司",
            vec![machine(
                "EQ000005",
                "外圆磨床 M1432",
                Process::Grinding,
                5.0,
                40.0,
            )],
            history(12, true),
        ),
        shop(
            "91150202MA0000004X",
            "包头东河机修有限公司",
            vec![machine(
                "EQ000006",
                "坐标镗床 T4163",
                Process::Drilling,
                5.0,
                40.0,
            )],
            history(8, false),
        ),
    ]
}

fn part(id: &str, name: &str, routing: &[(Process, f64)], qty: u32, tolerance: f64) -> Part {
    Part {
        id: id.into(),
        name: name.into(),
        routing: routing
            .iter()
            .map(|&(process, hours_per_unit)| Step {
                process,
                hours_per_unit,
            })
            .collect(),
        quantity: qty,
        material: Material::CarbonSteel,
        size_mm: [200.0, 60.0, 60.0],
        tolerance_um: tolerance,
        due_hours: 160.0,
        splittable: false,
    }
}

fn cfg() -> PlanConfig {
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

fn check(order: &Order, shops: &[Shop], expected: &[(&str, Binding, &str)]) -> Vec<PartSummary> {
    let plan = plan_order(order, shops, &cfg()).unwrap();
    let got = summarise(order, shops, &plan, &PerformancePolicy::default());
    let lines: Vec<(&str, Binding, &str)> = got
        .iter()
        .map(|s| (s.part_id.as_str(), s.binding, s.line.as_str()))
        .collect();
    assert_eq!(lines, expected);
    for s in &got {
        assert!(
            !s.line.contains("EQ0") && !s.line.contains("91150"),
            "{}",
            s.line
        );
        assert!(
            !s.line.contains('\n') && s.line.chars().count() < 200,
            "{}",
            s.line
        );
    }
    got
}

#[test]
fn no_machine_holds_the_tolerance_names_the_closest() {
    let order = Order {
        id: "HT-1".into(),
        parts: vec![
            part("P1", "转子轴", &[(Process::Turning, 0.5)], 10, 5.0),
            // Placed: no line.
            part("P2", "端盖", &[(Process::Turning, 0.2)], 10, 100.0),
        ],
    };
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::NoMachine,
            "转子轴：车削 · 碳钢 · 公差 5μm → 合格机床 0 台；最接近：包头青山精密制造有限公司 精密车床 CK6136（公差 10μm）",
        )],
    );
}

#[test]
fn the_closest_machine_lacks_the_fewest_things() {
    let mut p = part(
        "P1",
        "法兰盘",
        &[(Process::Milling, 0.3), (Process::Grinding, 0.5)],
        5,
        2.0,
    );
    p.material = Material::Titanium;
    p.size_mm = [900.0, 100.0, 50.0];
    let order = Order {
        id: "HT-2".into(),
        parts: vec![p],
    };
    // The mill lacks titanium, size and tolerance; the grinder lacks titanium, size and
    // tolerance too — the first failing step (milling) is named, with the size since it binds.
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::NoMachine,
            "法兰盘：第 1 道 铣削 · 钛合金 · 公差 2μm · 尺寸 900×100×50mm → 合格机床 0 台；最接近：包头昆区精工机械有限公司 立式加工中心 VMC850（不能加工钛合金，工作台 800mm，零件 900mm，公差 20μm）",
        )],
    );
}

#[test]
fn a_process_nobody_offers_is_said_so() {
    let order = Order {
        id: "HT-3".into(),
        parts: vec![part("P1", "焊接支架", &[(Process::Welding, 1.0)], 3, 100.0)],
    };
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::NoMachine,
            "焊接支架：焊接 · 碳钢 · 公差 100μm → 合格机床 0 台；登记库中没有焊接机床",
        )],
    );
}

#[test]
fn steps_in_different_shops_say_no_single_shop() {
    let order = Order {
        id: "HT-4".into(),
        parts: vec![part(
            "P1",
            "传动轴",
            &[(Process::Turning, 0.2), (Process::Grinding, 0.2)],
            5,
            50.0,
        )],
    };
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::NoSingleShop,
            "传动轴：合格机床 车削 2 台、磨削 1 台，但没有一家车间能完成全部工序（一个批次在一家车间完成）；可拆成分工序订单或寻找综合车间",
        )],
    );
}

#[test]
fn a_poor_performer_is_named_as_the_excluded_shop() {
    let order = Order {
        id: "HT-5".into(),
        parts: vec![part("P1", "阀块", &[(Process::Drilling, 0.2)], 5, 10.0)],
    };
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::ShopExcluded,
            "阀块：合格车间 1 家，但其中 1 家近期绩效低于门槛 0.60（如 包头东河机修有限公司）",
        )],
    );
}

#[test]
fn too_few_free_hours_before_the_due_date_is_capacity() {
    // 10 μm turning: only the precision lathe (4 free hours a week); 100 h are needed in a week.
    let order = Order {
        id: "HT-6".into(),
        parts: vec![part("P1", "精密轴", &[(Process::Turning, 1.0)], 100, 10.0)],
    };
    check(
        &order,
        &shops(),
        &[(
            "P1",
            Binding::Capacity,
            "精密轴：车削 · 碳钢 · 公差 10μm → 合格机床 1 台，交期内（1 周）空闲共 4 小时，少于本零件所需 100 小时（100 件）；可延后交期或允许拆分",
        )],
    );
}

#[test]
fn hours_taken_by_other_parts_are_said_so() {
    // Two parts of 3 h each on the one 10 μm lathe with 4 free hours: one is placed, the other
    // is told that the hours exist but are taken.
    let order = Order {
        id: "HT-7".into(),
        parts: vec![
            part("P1", "精密轴", &[(Process::Turning, 1.0)], 3, 10.0),
            part("P2", "精密销", &[(Process::Turning, 1.0)], 3, 10.0),
        ],
    };
    // Without shop B's second lathe (its hours would let the schedule run late instead).
    let mut shops = shops();
    shops[1].machines.truncate(1);
    let plan = plan_order(&order, &shops, &cfg()).unwrap();
    let got = summarise(&order, &shops, &plan, &PerformancePolicy::default());
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].binding, Binding::Capacity);
    assert!(
        got[0]
            .line
            .ends_with("交期内（1 周）空闲共 4 小时，被其他零件占用后不足本零件所需 3 小时（3 件）；可延后交期或允许拆分"),
        "{}",
        got[0].line
    );
}
