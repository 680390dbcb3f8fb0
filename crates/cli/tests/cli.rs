//! The binary as a user runs it: credit-code checks, all-or-nothing imports, SIGKILL mid-import.

use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::tabular::{headers, record_to_cells, Cell};
use innomesh_core::{EntityKind, Record};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_innomesh"))
}

fn eval_dir() -> Option<PathBuf> {
    let p = std::env::var("INNOMESH_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval"));
    p.exists().then_some(p)
}

/// Row-level fingerprint of the registry and the audit log.
fn fingerprint(db: &Path) -> (i64, i64, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM entities", [], |r| r.get(0))
        .unwrap();
    let a: i64 = conn
        .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let h: String = conn
        .query_row("SELECT group_concat(kind || id || length(data) || updated_at, ',') FROM (SELECT * FROM entities ORDER BY kind, id)", [], |r| r.get(0))
        .unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    (n, a, h)
}

fn demo_db(dir: &Path) -> PathBuf {
    let st = bin()
        .args(["demo", "--no-serve", "--data-dir"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(st.success());
    dir.join("innomesh.db")
}

fn org_csv(rows: usize, bad_row: Option<usize>) -> String {
    let data = generate(SampleConfig {
        scale: rows.div_ceil(5000) as u32,
        seed: 99,
    });
    let mut out = headers(EntityKind::Organisation, false).join(",");
    out.push('\n');
    for (i, o) in data.organisations.into_iter().take(rows).enumerate() {
        let mut cells = record_to_cells(&Record::Organisation(o), true);
        if Some(i) == bad_row {
            cells[0] = Cell::Text("91150203MA0000000X".into());
        }
        let line: Vec<String> = cells
            .iter()
            .map(|c| c.display().replace([',', '"', '\n'], " "))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[test]
fn check_credit_code_against_eval_vectors() {
    let Some(eval) = eval_dir() else {
        eprintln!("shared/eval not found; using built-in vectors only");
        return;
    };
    let out = bin()
        .args(["check", "credit-code"])
        .stdin(std::fs::File::open(eval.join("uscc/valid.txt")).unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 100);
    assert!(text.lines().all(|l| l.ends_with("\tvalid")), "{text}");
    let out = bin()
        .args(["check", "credit-code"])
        .stdin(std::fs::File::open(eval.join("uscc/invalid.tsv")).unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() >= 90);
    for l in text.lines() {
        let parts: Vec<&str> = l.split('\t').collect();
        assert_eq!(parts[1], "invalid", "{l}");
        assert!(
            parts.len() == 3 && !parts[2].is_empty(),
            "reason given: {l}"
        );
    }
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_credit_code_arguments() {
    let out = bin()
        .args([
            "check",
            "credit-code",
            "91340600MA2PBN831R",
            "91340600MA2PBN831Q",
            "123",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "91340600MA2PBN831R\tvalid");
    assert!(lines[1].starts_with("91340600MA2PBN831Q\tinvalid\tchecksum"));
    assert!(lines[2].starts_with("123\tinvalid\tlength"));
}

#[test]
fn bad_row_in_the_middle_writes_nothing_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = fingerprint(&db);
    let file = dir.path().join("企业.csv");
    std::fs::write(&file, org_csv(2000, Some(1000))).unwrap();
    let out = bin()
        .args(["import", "organisations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    // Row 1000 of the data is line 1002 of the file (header is line 1).
    assert!(err.contains("第 1002 行「统一社会信用代码」"), "{err}");
    assert!(err.contains("未写入任何数据"), "{err}");
    assert_eq!(fingerprint(&db), before);
    // The same file without the bad row imports.
    std::fs::write(&file, org_csv(2000, None)).unwrap();
    let out = bin()
        .args(["import", "organisations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sigkill_during_import_leaves_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = fingerprint(&db);
    let file = dir.path().join("big.csv");
    std::fs::write(&file, org_csv(250_000, None)).unwrap();
    let mut child = bin()
        .args(["import", "organisations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing (the WAL grows), then kill it without warning.
    let wal = dir.path().join("innomesh.db-wal");
    let start = Instant::now();
    let mut killed_while_writing = false;
    while start.elapsed() < Duration::from_secs(300) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("import finished ({status}) before it could be killed: make the file larger");
        }
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 4_000_000)
            .unwrap_or(false)
        {
            child.kill().unwrap(); // SIGKILL on Unix
            killed_while_writing = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait().unwrap();
    assert!(
        killed_while_writing,
        "the import never reached the writing stage"
    );
    assert_eq!(
        fingerprint(&db),
        before,
        "database changed by a killed import"
    );
}

/// Runs the binary, returning (exit code, stdout, stderr).
fn run(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn similarity_mixes_in_a_local_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    innomesh_bert::tiny::write_model(&model, 11).unwrap();
    let tsv = dir.path().join("pairs.tsv");
    std::fs::write(
        &tsv,
        "稀土永磁材料\t稀土永磁材料\t1\n小麦品种研究\t永磁电机技术\t0\nhello magnets\t稀土磁材料\t0\n",
    )
    .unwrap();
    let sim = |extra: &[&str]| {
        let mut args = vec!["similarity".as_ref(), "--input".as_ref(), tsv.as_os_str()];
        args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
        run(&args)
    };
    let m = model.to_str().unwrap();
    let (code, plain, _) = sim(&[]);
    assert_eq!(code, Some(0));
    let (code, mixed, _) = sim(&["--model", m]);
    assert_eq!(code, Some(0));
    let scores: Vec<f64> = mixed.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(scores.len(), 3);
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    assert_ne!(mixed, plain, "the model should change some score");
    // Weight 0 is the built-in score exactly; weight 1 is the model's cosine alone.
    assert_eq!(sim(&["--model", m, "--model-weight", "0"]).1, plain);
    let (_, only, _) = sim(&["--model", m, "--model-weight", "1"]);
    assert_eq!(only.lines().next(), Some("1.000000"));
    // A model directory that cannot be used: exit 2, a Chinese message, nothing on stdout.
    std::fs::remove_file(model.join("model.safetensors")).unwrap();
    let (code, out, err) = sim(&["--model", m]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("无法加载 --model 指定的模型") && err.contains("model.safetensors"),
        "{err}"
    );
}

#[test]
fn match_mixes_in_a_local_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    innomesh_bert::tiny::write_model(&model, 12).unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let texts = [
        "稀土永磁材料",
        "永磁电机技术",
        "小麦品种研究",
        "小麦栽培技术",
    ];
    let lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": i, "text": t}).to_string())
        .collect();
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let m = model.to_str().unwrap();
    let args: Vec<&std::ffi::OsStr> = vec![
        "match".as_ref(),
        "--corpus".as_ref(),
        corpus.as_os_str(),
        "--queries".as_ref(),
        corpus.as_os_str(),
        "--top".as_ref(),
        "2".as_ref(),
        "--model".as_ref(),
        m.as_ref(),
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, Some(0), "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    for (i, r) in rows.iter().enumerate() {
        let hits = r["hits"].as_array().unwrap();
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().all(|h| h != &serde_json::json!(i.to_string())));
    }
}

/// Ids of `kind` that the data directory's on-disk search index finds for `q`, opened the way
/// `serve` opens it (replaying whatever the CLI wrote since the index's last commit).
fn search_ids(dir: &Path, q: &str, kind: EntityKind) -> Vec<String> {
    use innomesh_app::{App, Config};
    let store = innomesh_store::SqliteStore::open(&dir.join("innomesh.db")).unwrap();
    let app = App::new(
        std::sync::Arc::new(store),
        Config {
            data_dir: Some(dir.to_path_buf()),
            ..Config::default()
        },
    );
    innomesh_app::search::open(&app, &|_, _| {}).unwrap();
    let found = innomesh_app::search::search(
        &app,
        &innomesh_search::SearchQuery {
            q: q.to_string(),
            kinds: vec![kind],
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    found.hits.into_iter().map(|h| h.id).collect()
}

fn cli_ok(args: &[&std::ffi::OsStr]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn cli_imports_are_found_by_search_including_renames() {
    use innomesh_core::CreditCode;
    use innomesh_sheets::{read, write_xlsx, Format, Sheet};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        ("91150203MA0CLT001", "包头英招测控有限公司", "激光测距仪"),
        (
            "91150203MA0CLT002",
            "包头陵鱼环保有限公司",
            "脱硫脱硝催化剂",
        ),
        (
            "91150203MA0CLT003",
            "包头蛊雕电子有限公司",
            "功率半导体模块",
        ),
    ];
    let records: Vec<Record> = rows
        .iter()
        .map(|(c, n, p)| {
            let code = CreditCode::with_check_digit(c).unwrap();
            Record::from_json(
                EntityKind::Organisation,
                serde_json::json!({"credit_code": code.as_str(), "name": n, "kind": "enterprise",
                    "region": "150203", "products": p}),
            )
            .unwrap()
        })
        .collect();
    let codes: Vec<String> = records.iter().map(|r| r.id().to_string()).collect();
    let file = d.join("三家企业.xlsx");
    std::fs::write(
        &file,
        innomesh_sheets::pipeline::export_bytes(
            &records,
            EntityKind::Organisation,
            Format::Xlsx,
            true,
            None,
        )
        .unwrap(),
    )
    .unwrap();
    cli_ok(&[
        "import".as_ref(),
        "organisations".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        d.as_os_str(),
    ]);
    // First open: the index is built from the store.
    for ((_, name, product), code) in rows.iter().zip(&codes) {
        for q in [*name, *product, code.as_str()] {
            assert!(
                search_ids(d, q, EntityKind::Organisation).contains(code),
                "{q} should find {code}"
            );
        }
    }

    // Export → rename one organisation in the file → import: an import that only updates. The
    // on-disk index now exists, so the next open replays the audit log instead of rebuilding.
    let exported = d.join("导出.xlsx");
    cli_ok(&[
        "export".as_ref(),
        "organisations".as_ref(),
        exported.as_os_str(),
        "--data-dir".as_ref(),
        d.as_os_str(),
    ]);
    let mut table = read(&std::fs::read(&exported).unwrap(), Format::Xlsx).unwrap();
    let name_col = table.headers.iter().position(|h| h == "名称").unwrap();
    let code_col = table
        .headers
        .iter()
        .position(|h| h == "统一社会信用代码")
        .unwrap();
    let row = table
        .rows
        .iter_mut()
        .find(|(_, cells)| cells[code_col].display() == codes[1])
        .unwrap();
    row.1[name_col] = Cell::Text("包头狡狌环保有限公司".into());
    let cells: Vec<Vec<Cell>> = table.rows.iter().map(|(_, c)| c.clone()).collect();
    let edited = d.join("改名.xlsx");
    std::fs::write(
        &edited,
        write_xlsx(&[Sheet {
            name: "组织",
            headers: &table.headers,
            rows: &cells,
        }])
        .unwrap(),
    )
    .unwrap();
    let out = cli_ok(&[
        "import".as_ref(),
        "organisations".as_ref(),
        edited.as_os_str(),
        "--data-dir".as_ref(),
        d.as_os_str(),
    ]);
    assert!(out.contains("新增 0，更新 3"), "{out}");
    assert!(search_ids(d, "狡狌环保", EntityKind::Organisation).contains(&codes[1]));
    assert!(!search_ids(d, "陵鱼", EntityKind::Organisation).contains(&codes[1]));
    assert!(search_ids(d, "脱硫脱硝催化剂", EntityKind::Organisation).contains(&codes[1]));
}

// ---- policy check: the 政策找企业 contract ----

mod policy_check {
    use super::bin;
    use serde_json::{json, Value};

    fn hitech_facts() -> Value {
        json!({
            "registered_years": 3, "core_ip_count": 2, "in_supported_field": true,
            "rd_staff_ratio": 0.15, "revenue_wan": 8000, "rd_expense_ratio_3y": 0.045,
            "rd_domestic_share": 0.9, "hitech_revenue_share": 0.7, "innovation_score": 80,
            "major_incident_last_year": false
        })
    }

    fn with(mut f: Value, k: &str, v: Value) -> Value {
        if v.is_null() {
            f.as_object_mut().unwrap().remove(k);
        } else {
            f[k] = v;
        }
        f
    }

    fn run(policy: &str, lines: &[String], extra: &[&str]) -> (Option<i32>, Vec<Value>, String) {
        let dir = tempfile::tempdir().unwrap();
        let facts = dir.path().join("facts.jsonl");
        std::fs::write(&facts, lines.join("\n")).unwrap();
        let out = bin()
            .args(["policy", "check", "--policy", policy, "--facts"])
            .arg(&facts)
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let rows = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("every stdout line is whole JSON"))
            .collect();
        (
            out.status.code(),
            rows,
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    #[test]
    fn verdicts_in_input_order_with_failed_and_missing() {
        let base = hitech_facts();
        let lines = vec![
            json!({"id": "a", "facts": base}).to_string(),
            json!({"id": "b", "facts": with(base.clone(), "rd_expense_ratio_3y", json!(0.032))}).to_string(),
            json!({"id": "c", "facts": with(base.clone(), "innovation_score", Value::Null)}).to_string(),
            json!({"id": 4, "facts": with(with(base.clone(), "core_ip_count", Value::Null), "rd_staff_ratio", json!(0.05))}).to_string(),
            String::new(),
            json!({"id": "e", "facts": {"unrelated": 1}}).to_string(),
        ];
        let (code, rows, err) = run("hitech_certification", &lines, &["--date", "2024-06-30"]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(rows.len(), 5, "blank lines are skipped");
        assert_eq!(
            rows[0],
            json!({"id": "a", "verdict": "eligible", "failed": [], "missing": []})
        );
        assert_eq!(
            rows[1],
            json!({"id": "b", "verdict": "ineligible", "failed": ["rd_expense_ratio"], "missing": []})
        );
        assert_eq!(
            rows[2],
            json!({"id": "c", "verdict": "unknown", "failed": [], "missing": ["innovation_score"]})
        );
        // Already decided: one condition fails although another fact is missing.
        assert_eq!(
            rows[3],
            json!({"id": 4, "verdict": "ineligible", "failed": ["rd_staff_ratio"], "missing": ["core_ip_count"]})
        );
        assert_eq!(rows[4]["verdict"], "unknown");
        assert_eq!(rows[4]["missing"].as_array().unwrap().len(), 10);
    }

    #[test]
    fn malformed_lines_are_error_objects_and_exit_1() {
        let base = hitech_facts();
        let lines = vec![
            json!({"id": "ok1", "facts": base}).to_string(),
            "{not json".to_string(),
            json!({"id": "typed", "facts": with(base.clone(), "rd_staff_ratio", json!("高"))})
                .to_string(),
            json!({"id": "pct", "facts": with(base.clone(), "rd_staff_ratio", json!(12))})
                .to_string(),
            json!({"facts": base}).to_string(),
            json!({"id": "ok2", "facts": base}).to_string(),
        ];
        let (code, rows, err) = run("hitech_certification", &lines, &["--date", "2024-06-30"]);
        assert_eq!(code, Some(1));
        assert_eq!(rows.len(), 6, "one output line per input line, in order");
        assert_eq!(rows[0]["verdict"], "eligible");
        assert_eq!(rows[1]["id"], Value::Null);
        assert!(rows[1]["error"].as_str().unwrap().starts_with("第 2 行："));
        assert!(rows[1].get("verdict").is_none());
        assert_eq!(rows[2]["id"], "typed");
        let e = rows[2]["error"].as_str().unwrap();
        assert!(
            e.starts_with("第 3 行：") && e.contains("rd_staff_ratio"),
            "{e}"
        );
        assert!(
            rows[3]["error"].as_str().unwrap().contains("0.05"),
            "a percentage written as 12 is explained"
        );
        assert!(rows[4]["error"]
            .as_str()
            .unwrap()
            .contains("第 5 行：缺少 id"));
        assert_eq!(rows[5]["verdict"], "eligible");
        for n in [2, 3, 4, 5] {
            assert!(
                err.contains(&format!("第 {n} 行")),
                "stderr names line {n}: {err}"
            );
        }
    }

    #[test]
    fn rule_file_path_date_versions_and_explain() {
        let dir = tempfile::tempdir().unwrap();
        let rule = dir.path().join("my_rule.yaml");
        std::fs::write(
            &rule,
            "id: my_rule\nname: 测试政策\nsource: {document: 《测试办法》, number: 测〔2024〕1号, article: 第一条}\n\
             facts:\n  revenue_wan: {type: money, name: 营业收入, description: 上年度营业收入}\n\
             versions:\n  - valid_from: 2024-01-01\n    condition:\n      key: revenue\n      description: 营业收入不低于1000万元\n      fact: revenue_wan\n      op: \">=\"\n      value: 1000\n",
        )
        .unwrap();
        let lines = vec![json!({"id": "x", "facts": {"revenue_wan": 900}}).to_string()];
        let (code, rows, err) = run(
            rule.to_str().unwrap(),
            &lines,
            &["--date", "2024-06-30", "--explain"],
        );
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(rows[0]["verdict"], "ineligible");
        assert_eq!(rows[0]["category"], "near_miss");
        let hint = rows[0]["conditions"][0]["hint"].as_str().unwrap();
        assert!(hint.contains("再提高 100 万元"), "{hint}");
        // Before the rule's first version: a clear error, nothing on stdout.
        let (code, rows, err) = run(rule.to_str().unwrap(), &lines, &["--date", "2023-06-30"]);
        assert_eq!(code, Some(2));
        assert!(rows.is_empty());
        assert!(err.contains("没有有效版本"), "{err}");
        // The 2008 text of the hitech rule applies in 2015: its extra fact is missing.
        let lines = vec![json!({"id": "old", "facts": hitech_facts()}).to_string()];
        let (_, rows, _) = run("hitech_certification", &lines, &["--date", "2015-06-30"]);
        assert_eq!(rows[0]["missing"], json!(["college_staff_ratio"]));
    }

    #[test]
    fn unknown_policy_is_refused_before_any_output() {
        let (code, rows, err) = run("no_such_policy", &["{}".to_string()], &[]);
        assert_eq!(code, Some(2));
        assert!(rows.is_empty());
        assert!(
            err.contains("hitech_certification"),
            "names the shipped rules: {err}"
        );
    }
}

#[test]
fn audit_verify_passes_on_a_written_registry_and_fails_on_a_tampered_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("企业.csv");
    std::fs::write(&file, org_csv(20, None)).unwrap();
    let out = bin()
        .args(["import", "organisations"])
        .arg(&file)
        .env("USER", "王科员")
        .args(["--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verify = || {
        bin()
            .args(["audit", "verify", "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = verify();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{said}");
    // import_begin, 20 rows, import_commit.
    assert!(said.contains("审计日志完整：共 22 条，末条哈希 "), "{said}");

    let out = bin()
        .args([
            "audit",
            "list",
            "--limit",
            "2",
            "--user",
            "cli:王科员",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.starts_with("#22 "), "{listed}");
    assert!(
        listed.contains("cli:王科员（system，来自 local）"),
        "{listed}"
    );

    let conn = rusqlite::Connection::open(dir.path().join("innomesh.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '改过' WHERE seq = 5;",
    )
    .unwrap();
    drop(conn);
    let out = verify();
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("审计日志被篡改：第 5 条内容被修改"), "{said}");
}

#[test]
fn key_rotate_reencrypts_and_keeps_the_registry_readable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("企业.csv");
    std::fs::write(&file, org_csv(20, None)).unwrap();
    let out = bin()
        .args(["import", "organisations"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key_file = dir.path().join("personal-data.key");
    let old = std::fs::read_to_string(&key_file).unwrap();
    let out = bin()
        .args(["key", "rotate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("已轮换个人信息密钥"), "{said}");
    assert_ne!(std::fs::read_to_string(&key_file).unwrap(), old);
    let retired: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".retired"))
        .collect();
    assert_eq!(retired.len(), 1);
    // Exports read every contact phone back in full with the new key.
    let out_file = dir.path().join("组织.csv");
    let out = bin()
        .args(["export", "organisations"])
        .arg(&out_file)
        .args(["--personal-full", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&out_file).unwrap();
    assert!(!csv.contains("enc:v1:"));
    // With the old key back in place, the database refuses to open, and says why.
    std::fs::write(&key_file, &old).unwrap();
    let out = bin()
        .args(["audit", "verify", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("个人信息密钥不符"), "{err}");
}
