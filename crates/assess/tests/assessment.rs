//! Frameworks, hand-computed scores, grades, Monte-Carlo reproducibility.

use innomesh_assess::{
    assess, monte_carlo_naive, shipped, Dataset, Framework, Options, Table, SHIPPED,
};

fn key_lab() -> Framework {
    shipped("key_laboratory").unwrap().unwrap()
}

const THREE: &str = "\
编号,achievements,patents,funding,major_contribution,researchers,leading_talent,trainees,shared_hours,open_projects,management
甲实验室,10,4,500,B,40,5,20,1000,6,A
乙实验室,8,2,300,B,30,3,10,600,4,B
丙实验室,2,0,100,C,20,1,0,200,2,C
";

#[test]
fn every_shipped_framework_parses_and_cites_sources() {
    for (id, _) in SHIPPED {
        let f = shipped(id).unwrap().unwrap();
        assert_eq!(&f.id, id);
        assert!(!f.sources.is_empty());
        let w: f64 = f.dimensions.iter().map(|d| d.weight).sum();
        assert!((w - 1.0).abs() < 1e-9);
    }
    let f = key_lab();
    let w: Vec<f64> = f.dimensions.iter().map(|d| d.weight).collect();
    assert_eq!(w, vec![0.5, 0.3, 0.2]);
}

#[test]
fn key_laboratory_reproduces_hand_computed_weighted_sum() {
    // By hand (min-max over the three; rubric A = 100, B = 80, C = 60):
    //   甲: research 0.3·100 + 0.2·100 + 0.2·100 + 0.3·80 = 94; team 100; openness 100
    //       → 0.5·94 + 0.3·100 + 0.2·100 = 97
    //   乙: achievements (8−2)/8 = 75, the rest of the counts 50:
    //       research 0.3·75 + 0.2·50 + 0.2·50 + 0.3·80 = 66.5; team 50;
    //       openness 0.4·50 + 0.3·50 + 0.3·80 = 59 → 33.25 + 15 + 11.8 = 60.05
    //   丙: research 0.3·60 = 18; team 0; openness 0.3·60 = 18 → 9 + 0 + 3.6 = 12.6
    let f = key_lab();
    let data = Dataset::bind(&f, &Table::from_csv(THREE).unwrap()).unwrap();
    let a = assess(
        &f,
        &data,
        Options {
            draws: 200,
            seed: 1,
        },
    )
    .unwrap();
    let got: Vec<(String, f64, usize)> = a
        .units
        .iter()
        .map(|u| (u.id.clone(), u.score, u.rank))
        .collect();
    let want = [
        ("甲实验室", 97.0, 1),
        ("乙实验室", 60.05, 2),
        ("丙实验室", 12.6, 3),
    ];
    for ((id, s, r), (wid, ws, wr)) in got.iter().zip(want) {
        assert_eq!(id, wid);
        assert!((s - ws).abs() < 1e-9, "{id}: {s} vs {ws}");
        assert_eq!(*r, wr);
    }
    assert!((a.units[1].dimensions[0] - 66.5).abs() < 1e-9);
    assert!((a.units[1].dimensions[2] - 59.0).abs() < 1e-9);
    // Quotas: 优秀 at most 20 % of 3 = 0 units, 良好 up to 70 % = 2; 丙 is under the floor 40.
    let grades: Vec<&str> = a.units.iter().map(|u| u.grade.as_str()).collect();
    assert_eq!(grades, vec!["良好", "良好", "不合格"]);
    // 乙 would gain 0.5·0.3·(100 − 75) = 3.75 points with the best achievements count.
    let g = a.units[1]
        .indicators
        .iter()
        .find(|i| i.id == "achievements")
        .unwrap();
    assert!((g.gain - 3.75).abs() < 1e-9, "{}", g.gain);
}

/// A deterministic synthetic table for `n` units over a framework's indicators.
fn synthetic(f: &Framework, n: usize, seed: u64) -> Table {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as f64 / (1u64 << 31) as f64
    };
    let inds: Vec<_> = f.indicators().map(|(_, i)| i.clone()).collect();
    let mut header = vec!["编号".to_string()];
    header.extend(inds.iter().map(|i| i.id.clone()));
    let rows = (0..n)
        .map(|u| {
            let mut r = vec![format!("U{u:03}")];
            for ind in &inds {
                let x = next();
                let cell = if x < 0.05 {
                    String::new()
                } else if let Some(rub) = &ind.rubric {
                    rub[(x * rub.len() as f64) as usize % rub.len()]
                        .grade
                        .clone()
                } else {
                    format!("{:.1}", x * 100.0)
                };
                r.push(cell);
            }
            r
        })
        .collect();
    Table { header, rows }
}

#[test]
fn monte_carlo_is_bit_identical_for_a_seed_and_matches_the_naive_method() {
    for (id, _) in SHIPPED {
        let f = shipped(id).unwrap().unwrap();
        let data = Dataset::bind(&f, &synthetic(&f, 40, 3)).unwrap();
        let opts = Options {
            draws: 500,
            seed: 99,
        };
        let a = assess(&f, &data, opts).unwrap();
        let b = assess(&f, &data, opts).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        for (x, y) in a.units.iter().zip(&b.units) {
            assert_eq!(x.score.to_bits(), y.score.to_bits());
        }
        let naive = monte_carlo_naive(&f, &data, opts).unwrap();
        for (u, (median, band)) in a.units.iter().zip(naive) {
            assert_eq!((u.median_rank, u.rank_band), (median, band), "{}", u.id);
        }
        // The band is a band around the ranks actually drawn.
        assert!(a
            .units
            .iter()
            .all(|u| u.rank_band[0] <= u.median_rank && u.median_rank <= u.rank_band[1]));
        // Another seed draws other weights: some band differs (40 units, 500 draws).
        let c = assess(
            &f,
            &data,
            Options {
                draws: 500,
                seed: 100,
            },
        )
        .unwrap();
        assert!(a
            .units
            .iter()
            .zip(&c.units)
            .any(|(x, y)| x.rank_band != y.rank_band || x.median_rank != y.median_rank));
    }
}

#[test]
fn sensitivity_names_every_choice_sorted() {
    let f = key_lab();
    let data = Dataset::bind(&f, &synthetic(&f, 30, 5)).unwrap();
    let a = assess(
        &f,
        &data,
        Options {
            draws: 300,
            seed: 1,
        },
    )
    .unwrap();
    let factors: std::collections::HashSet<&str> =
        a.sensitivity.iter().map(|r| r.factor.as_str()).collect();
    for want in ["权重", "标准化方法", "缺失值处理", "聚合方式"] {
        assert!(factors.contains(want), "{want}");
    }
    assert!(a
        .sensitivity
        .windows(2)
        .all(|w| w[0].mean_abs_shift >= w[1].mean_abs_shift));
    assert!(a.sensitivity.iter().any(|r| r.mean_abs_shift > 0.0));
}

#[test]
fn bad_data_is_refused_in_chinese() {
    let f = key_lab();
    let missing_col = "编号,achievements\nA,1\n";
    let e = Dataset::bind(&f, &Table::from_csv(missing_col).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("缺少指标列"), "{e}");
    let bad_grade = THREE.replace(",B,40", ",E,40");
    let e = Dataset::bind(&f, &Table::from_csv(&bad_grade).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("甲实验室") && e.contains("评分等级"), "{e}");
    let e = Table::from_csv("编号,a\nA,1\nA,2\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("重复"), "{e}");
}

#[test]
fn framework_weights_must_sum_to_one_and_ahp_must_be_consistent() {
    let text = shipped_text("key_laboratory").replace("weight: 0.5\n", "weight: 0.6\n");
    let e = Framework::from_yaml(&text).unwrap_err().to_string();
    assert!(e.contains("之和须为 1"), "{e}");
    // An AHP dimension with a cyclic (inconsistent) matrix is refused.
    let ahp = shipped_text("key_laboratory").replacen(
        "    weight: 0.3\n    indicators:",
        "    weight: 0.3\n    weighting: { method: ahp, matrix: [[1, 9, 0.1111111111], [0.1111111111, 1, 9], [9, 0.1111111111, 1]] }\n    indicators:",
        1,
    );
    let e = Framework::from_yaml(&ahp).unwrap_err().to_string();
    assert!(e.contains("CR"), "{e}");
}

fn shipped_text(id: &str) -> String {
    SHIPPED
        .iter()
        .find(|(i, _)| *i == id)
        .unwrap()
        .1
        .to_string()
}
