//! Engine behaviour through the public API, on a small Baotou-like dataset.

use innomesh_chain::*;
use proptest::prelude::*;

fn org(
    name: &str,
    local: bool,
    industry: &str,
    products: &str,
    employees: u32,
    revenue: f64,
) -> OrgInput {
    OrgInput {
        credit_code: format!("91150200{:0>10}", name.len()),
        name: name.into(),
        region: if local {
            "150203".into()
        } else {
            "320500".into()
        },
        local,
        industry: industry.into(),
        products: products.into(),
        employees,
        revenue,
        founded: Some(2010),
        baotou_founder: false,
    }
}

fn supply(supplier: u32, customer: u32, amount: f64, year: u16) -> SupplyInput {
    SupplyInput {
        supplier,
        customer,
        node: None,
        product: None,
        amount,
        year,
    }
}

fn dataset() -> ChainInput {
    let mut orgs = vec![
        org("包头抛光甲", true, "C3985", "稀土抛光粉", 50, 2_000.0),
        org(
            "北方磁材",
            true,
            "C3985",
            "烧结钕铁硼永磁材料",
            800,
            150_000.0,
        ),
        org("包头电机", true, "C3812", "永磁同步电机", 400, 30_000.0),
        org("苏州抛光", false, "C3985", "抛光粉、抛光液", 500, 30_000.0),
        org("苏州集团磁材", false, "C3985", "钕铁硼", 100, 5_000.0),
    ];
    orgs[3].baotou_founder = true;
    let supplies = vec![
        supply(3, 2, 800.0, 2025),
        supply(0, 2, 200.0, 2025),
        supply(1, 2, 5_000.0, 2025),
        SupplyInput {
            product: Some("抛光粉".into()),
            ..supply(3, 1, 100.0, 2024)
        },
    ];
    let relations = supplies
        .iter()
        .map(|s| RelationInput {
            from: s.supplier,
            to: s.customer,
            kind: RelationKind::Supplier,
        })
        .chain([RelationInput {
            from: 4,
            to: 3,
            kind: RelationKind::SameGroup,
        }])
        .collect();
    let resources = vec![
        ResourceInput {
            kind: ResourceKind::Platform,
            name: "稀土永磁工程研究中心".into(),
            org: Some(1),
            node: None,
            open: false,
        },
        ResourceInput {
            kind: ResourceKind::Demand,
            name: "高纯氧化铈抛光粉国产替代".into(),
            org: None,
            node: Some("rare_earth/polishing".into()),
            open: true,
        },
        ResourceInput {
            kind: ResourceKind::Demand,
            name: "已关闭需求".into(),
            org: None,
            node: Some("rare_earth/polishing".into()),
            open: false,
        },
    ];
    ChainInput {
        orgs,
        supplies,
        relations,
        resources,
        overrides: vec![],
    }
}

fn engine(input: ChainInput) -> Engine {
    let chains = ChainSet::from_json_texts(&shipped_models()).unwrap();
    Engine::build(chains, input, MappingConfig::default()).unwrap()
}

fn node(e: &Engine, key: &str) -> usize {
    e.chains().node_index(key).unwrap()
}

fn metric<'a>(ms: &'a [NodeMetrics], key: &str) -> &'a NodeMetrics {
    ms.iter().find(|m| m.node == key).unwrap()
}

#[test]
fn maps_by_industry_and_keywords_with_reasons() {
    let e = engine(dataset());
    let polishing = node(&e, "rare_earth/polishing");
    let magnet = node(&e, "rare_earth/magnet");
    let m0 = e.mapping().of_org(0);
    // 3985 is shared by several rare-earth nodes: only the keyword decides.
    assert!(m0.iter().any(|m| m.node as usize == polishing));
    assert!(!m0.iter().any(|m| m.node as usize == magnet));
    let hit = m0.iter().find(|m| m.node as usize == polishing).unwrap();
    let reason = hit.reason_zh(&e.chains().nodes()[polishing], &e.input().orgs[0]);
    assert!(
        reason.contains("行业代码 3985") && reason.contains("抛光粉"),
        "{reason}"
    );
    // NdFeB firm belongs to the magnet node of both the rare-earth and the NEV chain.
    let keys: Vec<&str> = e
        .mapping()
        .of_org(1)
        .iter()
        .map(|m| e.chains().nodes()[m.node as usize].key.as_str())
        .collect();
    assert!(
        keys.contains(&"rare_earth/magnet") && keys.contains(&"new_energy_vehicle/magnet"),
        "{keys:?}"
    );
    assert!(e
        .mapping()
        .of_org(0)
        .iter()
        .all(|m| (0.0..=1.0).contains(&m.confidence)));
    let explained = e.explain_org(0);
    assert!(explained
        .iter()
        .any(|x| x.node == "rare_earth/polishing" && x.reason.contains("抛光粉")));
    assert!(e.explain_org(99).is_empty());
    assert_eq!(e.node_orgs("rare_earth/polishing").unwrap(), vec![0, 3]);
}

#[test]
fn manual_overrides_are_respected() {
    let mut input = dataset();
    input.overrides = vec![
        MappingOverride {
            org: 1,
            node: "rare_earth/magnet".into(),
            decision: Decision::Rejected,
        },
        MappingOverride {
            org: 2,
            node: "rare_earth/polishing".into(),
            decision: Decision::Confirmed,
        },
    ];
    let e = engine(input);
    assert!(!e
        .mapping()
        .of_org(1)
        .iter()
        .any(|m| m.node as usize == node(&e, "rare_earth/magnet")));
    let c = e
        .mapping()
        .of_org(2)
        .iter()
        .find(|m| m.node as usize == node(&e, "rare_earth/polishing"))
        .unwrap();
    assert_eq!((c.confidence, c.manual), (1.0, Some(Decision::Confirmed)));
}

#[test]
fn node_metrics_and_local_supply_share() {
    let e = engine(dataset());
    let ms = e.metrics(&MetricsConfig::default());
    let p = metric(&ms, "rare_earth/polishing");
    assert_eq!(p.local_firms, 1);
    assert_eq!(p.output, 2_000.0);
    assert_eq!(p.hhi, Some(1.0));
    // 2025: 800 from outside + 200 local; 2024: 100 from outside (product text)
    assert_eq!(p.local_demand, 1_100.0);
    assert_eq!(p.local_supplied, 200.0);
    assert_eq!((p.local_suppliers, p.external_suppliers), (1, 1));
    assert_eq!(p.innovation.open_demands, 1);
    assert_eq!(p.trend.len(), 2);
    assert_eq!(p.trend[1].local_supply_share, Some(0.2));
    assert_eq!(metric(&ms, "rare_earth/magnet").innovation.platforms, 1);
    let y = e.metrics(&MetricsConfig { year: Some(2025) });
    assert_eq!(metric(&y, "rare_earth/polishing").local_demand, 1_000.0);
    assert!(metrics_agree(
        &ms,
        &naive_metrics(
            e.chains(),
            e.input(),
            e.mapping_config(),
            &MetricsConfig::default()
        )
    ));
}

#[test]
fn diagnosis_targets_referral_and_simulation() {
    let e = engine(dataset());
    let rules = DiagnosisRules::default();
    let (ms, ds) = e.diagnose(&MetricsConfig::default(), &rules);
    let i = node(&e, "rare_earth/polishing");
    let kinds = ds[i].kinds();
    assert!(
        kinds.contains(&VerdictKind::Small) && kinds.contains(&VerdictKind::Missing),
        "{kinds:?}"
    );
    assert!(ds[node(&e, "rare_earth/mining")]
        .kinds()
        .contains(&VerdictKind::Blank));

    let t = e
        .investment_targets("rare_earth/polishing", &TargetingConfig::default())
        .unwrap();
    assert_eq!(t[0].name, "苏州抛光");
    assert!(t[0].reasons.iter().any(|r| r.contains("包商回归")));
    assert!(t[0].reasons.iter().any(|r| r.contains("以企引企")));

    let mut scratch = ReferralScratch::default();
    let p = e.referral_path(4, &mut scratch).unwrap();
    assert_eq!(p.hops.len(), 2);
    assert_eq!(
        p.explanation[1],
        "「苏州抛光」与「苏州集团磁材」同属一个集团"
    );

    let sim = e.simulate(&ms, &rules, 3, "rare_earth/polishing").unwrap();
    assert_eq!(sim.absorbed, 900.0);
    assert_eq!(sim.after.local_supply_share, Some(1.0));
    assert!(!sim.after.verdicts.contains(&VerdictKind::Missing));
    assert!(
        sim.explanation.contains("本地配套率 18.18% → 100%"),
        "{}",
        sim.explanation
    );
    let blank = e.simulate(&ms, &rules, 3, "rare_earth/mining").unwrap();
    assert_eq!(blank.chain_blank_after + 1, blank.chain_blank_before);
}

#[test]
fn report_serialises_with_gaps_and_targets() {
    let e = engine(dataset());
    let cfg = ReportConfig::default();
    let (ms, ds) = e.diagnose(&cfg.metrics, &cfg.rules);
    let snap = Snapshot::from_diagnosis(2025, &ms, &ds);
    let gaps = open_gaps(&snap, &[]);
    let progress = track_gaps(&gaps, &[], &[snap], "2025-12-31", &LedgerConfig::default()).unwrap();
    let reports = e.chain_reports(&cfg, &progress).unwrap();
    assert_eq!(reports.len(), 4);
    let re = &reports[0];
    assert_eq!(re.name, "稀土产业链");
    let pol = re
        .nodes
        .iter()
        .find(|n| n.metrics.node == "rare_earth/polishing")
        .unwrap();
    assert!(!pol.targets.is_empty() && !pol.gaps.is_empty());
    let json = serde_json::to_string(&reports).unwrap();
    assert!(json.contains("本地配套率"));
}

#[test]
fn bad_input_is_rejected_with_chinese_messages() {
    let chains = || ChainSet::from_json_texts(&shipped_models()).unwrap();
    let mut input = dataset();
    input.supplies.push(supply(0, 99, 1.0, 2025));
    let e = Engine::build(chains(), input, MappingConfig::default()).unwrap_err();
    assert!(e.to_string().contains("第 5 条供货关系"), "{e}");
    assert_eq!(e.code(), "chain.invalid_input");
    let mut input = dataset();
    input.supplies[0].amount = f64::NAN;
    assert!(Engine::build(chains(), input, MappingConfig::default()).is_err());
    let mut input = dataset();
    input.overrides.push(MappingOverride {
        org: 0,
        node: "rare_earth/nope".into(),
        decision: Decision::Confirmed,
    });
    assert_eq!(
        Engine::build(chains(), input, MappingConfig::default())
            .unwrap_err()
            .code(),
        "chain.unknown_node"
    );
    let e = engine(dataset());
    assert!(e
        .investment_targets("nope", &TargetingConfig::default())
        .is_err());
    assert!(e
        .simulate(&[], &DiagnosisRules::default(), 0, "rare_earth/polishing")
        .is_err());
}

const INDUSTRIES: [&str; 8] = [
    "C3985", "C3232", "3812", "C3841", "C39", "C398", "C1311", "",
];
const PRODUCTS: [&str; 8] = [
    "抛光粉",
    "钕铁硼 磁钢",
    "稀土氧化物",
    "动力电池",
    "",
    "风电机组",
    "光伏组件、逆变器",
    "面粉",
];

prop_compose! {
    fn arb_input()(
        orgs in prop::collection::vec((any::<bool>(), 0usize..8, 0usize..8, 0u32..2000, 0.0f64..50_000.0), 1..25),
        raw in prop::collection::vec((0u32..25, 0u32..25, 0.0f64..1000.0, 2023u16..2027, 0usize..10), 0..60),
        overrides in prop::collection::vec((0u32..25, 0usize..5, any::<bool>()), 0..4),
    ) -> ChainInput {
        let n = orgs.len() as u32;
        let orgs: Vec<OrgInput> = orgs.into_iter().enumerate().map(|(i, (local, ind, prod, emp, rev))| OrgInput {
            credit_code: format!("{i}"), name: format!("企业{i}"), local,
            industry: INDUSTRIES[ind].into(), products: PRODUCTS[prod].into(),
            employees: emp, revenue: rev, ..Default::default()
        }).collect();
        let nodes = ["rare_earth/polishing", "rare_earth/magnet", "new_energy/pv_module", "new_energy_vehicle/power_battery", "rare_earth/smelting"];
        let supplies = raw.into_iter().map(|(s, c, amount, year, k)| SupplyInput {
            supplier: s % n, customer: c % n, amount, year,
            node: (k < 2).then(|| nodes[k].to_string()),
            product: (2..5).contains(&k).then(|| PRODUCTS[k].to_string()),
        }).collect();
        let overrides = overrides.into_iter().map(|(o, k, yes)| MappingOverride {
            org: o % n, node: nodes[k].into(),
            decision: if yes { Decision::Confirmed } else { Decision::Rejected },
        }).collect();
        ChainInput { orgs, supplies, overrides, ..Default::default() }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn indexed_metrics_equal_naive_and_shares_are_fractions(input in arb_input(), threads in 1usize..4) {
        let chains = ChainSet::from_json_texts(&shipped_models()).unwrap();
        let cfg = MappingConfig { threads, ..Default::default() };
        let e = Engine::build(chains, input, cfg).unwrap();
        for year in [None, Some(2024)] {
            let mc = MetricsConfig { year };
            let fast = e.metrics(&mc);
            let naive = naive_metrics(e.chains(), e.input(), e.mapping_config(), &mc);
            prop_assert!(metrics_agree(&fast, &naive));
            for m in &fast {
                for s in m.trend.iter().map(|t| t.local_supply_share).chain([m.local_supply_share]).flatten() {
                    prop_assert!((0.0..=1.0).contains(&s));
                }
                if let Some(h) = m.hhi { prop_assert!(h > 0.0 && h <= 1.0 + 1e-12); }
            }
        }
    }
}

#[test]
fn many_years_and_mixed_node_sources_agree_with_naive() {
    let mut input = dataset();
    // > 64 distinct years switches off the per-supplier year masks
    for k in 0..80u16 {
        input.supplies.push(supply(
            u32::from(k % 5),
            u32::from((k + 1) % 3),
            10.0 + f64::from(k),
            1950 + k,
        ));
    }
    // the same supplier, year and node reached both through its mapping and explicitly
    input.supplies.push(SupplyInput {
        node: Some("rare_earth/polishing".into()),
        ..supply(0, 2, 50.0, 2025)
    });
    input.supplies.push(SupplyInput {
        node: Some("rare_earth/polishing".into()),
        ..supply(0, 2, 50.0, 2023)
    });
    let few_years = {
        let mut i = dataset();
        i.supplies.push(SupplyInput {
            node: Some("rare_earth/polishing".into()),
            ..supply(0, 2, 50.0, 2025)
        });
        i.supplies.push(SupplyInput {
            node: Some("rare_earth/polishing".into()),
            ..supply(0, 2, 50.0, 2023)
        });
        i
    };
    for input in [input, few_years] {
        let e = engine(input);
        for year in [None, Some(2025), Some(2023)] {
            let mc = MetricsConfig { year };
            let naive = naive_metrics(e.chains(), e.input(), e.mapping_config(), &mc);
            assert!(metrics_agree(&e.metrics(&mc), &naive), "year {year:?}");
        }
    }
}

#[test]
fn engine_can_be_shared_between_request_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

#[test]
fn report_reads_well() {
    let e = engine(dataset());
    let reports = e.chain_reports(&ReportConfig::default(), &[]).unwrap();
    let pol = reports[0]
        .nodes
        .iter()
        .find(|n| n.metrics.node == "rare_earth/polishing")
        .unwrap();
    let rules: Vec<&str> = pol.verdicts.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(
        rules,
        vec![
            "产值 2000 万元 为本链节点产值中位数 30000 万元 的 6.67% < 20% → 短板",
            "产值 2000 万元 < 50000 万元 → 小",
            "本地下游采购 1100 万元 ≥ 1000 万元 且本地配套率 18.18% < 20% → 缺",
        ]
    );
}
