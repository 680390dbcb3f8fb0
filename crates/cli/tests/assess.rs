//! `innomesh assess`: the CLI contract (ahp, entropy, run) as a user calls it.

// Matrix code reads best with (i, j) indices.
#![allow(clippy::needless_range_loop)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_innomesh"))
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn ahp_contract_on_random_reciprocal_matrices() {
    let dir = tempfile::tempdir().unwrap();
    let ri = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45];
    let mut g = Lcg(11);
    for n in 3..=9usize {
        let mut a = vec![vec![1.0f64; n]; n];
        for i in 0..n {
            for j in i + 1..n {
                let v = (g.next() % 9 + 1) as f64;
                let x = if g.next() & 1 == 0 { v } else { 1.0 / v };
                a[i][j] = x;
                a[j][i] = 1.0 / x;
            }
        }
        let f = write(dir.path(), "m.json", &serde_json::to_string(&a).unwrap());
        let (code, out, err) = run(&["assess", "ahp", &f]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        let w: Vec<f64> = v["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let l = v["lambda_max"].as_f64().unwrap();
        assert_eq!(w.len(), n);
        // A·w = λ·w (the principal eigenvector: positive, and λ ≥ n).
        for i in 0..n {
            let aw: f64 = (0..n).map(|j| a[i][j] * w[j]).sum();
            assert!((aw - l * w[i]).abs() < 1e-6, "n={n}");
        }
        assert!(w.iter().all(|&x| x > 0.0) && l >= n as f64 - 1e-9);
        let ci = (l - n as f64) / (n as f64 - 1.0);
        assert!((v["ci"].as_f64().unwrap() - ci).abs() < 1e-9);
        assert!((v["cr"].as_f64().unwrap() - ci / ri[n - 1]).abs() < 1e-9);
        if ci / ri[n - 1] > 0.1 {
            assert!(err.contains("大于 0.1"), "{err}");
        }
    }
}

#[test]
fn entropy_contract_matches_textbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(5);
    let m = 25;
    let cols = ["产出", "专利", "经费", "人才"];
    let x: Vec<Vec<f64>> = (0..m)
        .map(|_| {
            (0..cols.len())
                .map(|_| (g.next() % 10_000) as f64 / 7.0)
                .collect()
        })
        .collect();
    let mut csv = format!("编号,{}\n", cols.join(","));
    for (i, r) in x.iter().enumerate() {
        let cells: Vec<String> = r.iter().map(|v| format!("{v}")).collect();
        csv.push_str(&format!("P{i},{}\n", cells.join(",")));
    }
    let f = write(dir.path(), "d.csv", &csv);
    let (code, out, err) = run(&["assess", "entropy", &f]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    // Textbook: min-max, p = x / Σx, e = −Σ p ln p / ln m, w = (1 − e) / Σ(1 − e).
    let mut d = Vec::new();
    for j in 0..cols.len() {
        let lo = x.iter().map(|r| r[j]).fold(f64::INFINITY, f64::min);
        let hi = x.iter().map(|r| r[j]).fold(f64::NEG_INFINITY, f64::max);
        let y: Vec<f64> = x.iter().map(|r| (r[j] - lo) / (hi - lo)).collect();
        let s: f64 = y.iter().sum();
        let e: f64 = -y
            .iter()
            .map(|v| v / s)
            .filter(|p| *p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>()
            / (m as f64).ln();
        d.push(1.0 - e);
    }
    let total: f64 = d.iter().sum();
    for (c, dj) in cols.iter().zip(&d) {
        let got = v["weights"][c].as_f64().unwrap();
        assert!((got - dj / total).abs() < 1e-9, "{c}");
    }
    // Keys in column order.
    let order: Vec<usize> = cols.iter().map(|c| out.find(c).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
}

const THREE: &str = "\
编号,achievements,patents,funding,major_contribution,researchers,leading_talent,trainees,shared_hours,open_projects,management
甲实验室,10,4,500,B,40,5,20,1000,6,A
乙实验室,8,2,300,B,30,3,10,600,4,B
丙实验室,2,0,100,C,20,1,0,200,2,C
";

#[test]
fn run_contract_key_laboratory_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "k.csv", THREE);
    let (code, out, err) = run(&[
        "assess",
        "run",
        "--framework",
        "key_laboratory",
        "--data",
        &f,
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    // Hand computation in crates/assess/tests/assessment.rs: 97, 60.05, 12.6.
    for (l, (id, score, rank)) in lines.iter().zip([
        ("甲实验室", 97.0, 1),
        ("乙实验室", 60.05, 2),
        ("丙实验室", 12.6, 3),
    ]) {
        assert_eq!(l["id"], id);
        assert!((l["score"].as_f64().unwrap() - score).abs() < 1e-9);
        assert_eq!(l["rank"], rank);
        let band = l["rank_band"].as_array().unwrap();
        assert!(band[0].as_u64().unwrap() <= rank && rank <= band[1].as_u64().unwrap());
        assert!(l["grade"].is_string());
    }
}

#[test]
fn run_is_bit_identical_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(3);
    let mut csv = String::from("编号,achievements,patents,funding,major_contribution,researchers,leading_talent,trainees,shared_hours,open_projects,management\n");
    for i in 0..60 {
        let mut cells = vec![format!("L{i}")];
        for c in 0..10 {
            let x = g.next() % 100;
            cells.push(match c {
                3 | 9 => ["A", "B", "C", "D"][(x % 4) as usize].to_string(),
                _ if x < 4 => String::new(),
                _ => x.to_string(),
            });
        }
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let f = write(dir.path(), "d.csv", &csv);
    let args = [
        "assess",
        "run",
        "--framework",
        "key_laboratory",
        "--data",
        &f,
        "--seed",
        "42",
        "--draws",
        "2000",
        "--detail",
    ];
    let (c1, a, e1) = run(&args);
    let (c2, b, _) = run(&args);
    assert_eq!((c1, c2), (0, 0), "{e1}");
    assert_eq!(a, b);
    assert_eq!(a.lines().count(), 60);
    // The bands are not all trivial: uncertainty does move some ranks.
    assert!(a.lines().any(|l| {
        let v: Value = serde_json::from_str(l).unwrap();
        v["rank_band"][0] != v["rank_band"][1]
    }));
}

#[test]
fn bad_input_is_exit_2_in_chinese_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let k = write(d, "k.csv", THREE);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["ahp".into(), write(d, "a.json", "[[1,2],[3,1]]")],
            "倒数",
        ),
        (
            vec!["ahp".into(), write(d, "b.json", "[[1,2,3],[0.5,1]]")],
            "方阵",
        ),
        (vec!["ahp".into(), write(d, "c.json", "{\"a\":1}")], "数组"),
        (
            vec!["ahp".into(), write(d, "d.json", "[[1,-2],[-0.5,1]]")],
            "正数",
        ),
        (vec!["ahp".into(), write(d, "e.json", "not json")], "JSON"),
        (
            vec![
                "ahp".into(),
                d.join("none.json").to_string_lossy().into_owned(),
            ],
            "无法读取",
        ),
        (
            vec!["entropy".into(), write(d, "f.csv", "编号,a\nx,1\n")],
            "至少需要 2",
        ),
        (
            vec![
                "entropy".into(),
                write(d, "g.csv", "编号,a,b\nx,1,2\ny,abc,3\n"),
            ],
            "不是数值",
        ),
        (vec!["entropy".into(), write(d, "h.csv", "")], "空"),
        (
            vec![
                "run".into(),
                "--framework".into(),
                "nope".into(),
                "--data".into(),
                k.clone(),
            ],
            "内置指标体系",
        ),
        (
            vec![
                "run".into(),
                "--framework".into(),
                "key_laboratory".into(),
                "--data".into(),
                write(d, "i.csv", "编号,achievements\nx,1\n"),
            ],
            "缺少指标列",
        ),
        (
            vec![
                "run".into(),
                "--framework".into(),
                "key_laboratory".into(),
                "--data".into(),
                write(d, "j.csv", &THREE.replace(",B,40", ",Z,40")),
            ],
            "评分等级",
        ),
        (
            vec![
                "run".into(),
                "--framework".into(),
                write(d, "fw.yaml", "id: x\n"),
                "--data".into(),
                k.clone(),
            ],
            "指标体系",
        ),
        (
            vec![
                "run".into(),
                "--framework".into(),
                "key_laboratory".into(),
                "--data".into(),
                k.clone(),
                "--draws".into(),
                "0".into(),
            ],
            "--draws",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["assess".to_string()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let (code, out, err) = run(&refs);
        assert_eq!(code, 2, "{all:?}: {err}");
        assert!(out.is_empty(), "{all:?}: {out}");
        assert!(err.contains(want), "{all:?}: {err}");
        assert!(!err.contains("panicked"), "{all:?}: {err}");
    }
}
