//! `innomesh deals` as a user runs it on the demo: figures, a consortium proposal for the most
//! asked common problem, saved from a JSON file, listed, and written as an XLSX annex; bad
//! arguments answer in Chinese with a non-zero status and save nothing.

use serde_json::{json, Value};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_innomesh"))
}

fn run(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn propose_save_list_and_annex_a_consortium() {
    let dir = tempfile::tempdir().unwrap();
    let st = bin()
        .args(["demo", "--no-serve", "--data-dir"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let (code, out, err) = run(&["deals", "figures", "--year", "2025"], dir.path());
    assert_eq!(code, 0, "{err}");
    let f: Value = serde_json::from_str(&out).unwrap();
    assert!(f["signed"].as_u64().unwrap() > 0);

    let (code, out, err) = run(&["deals", "propose", "--problem", "1"], dir.path());
    assert_eq!(code, 0, "{err}");
    let p: Value = serde_json::from_str(&out).unwrap();
    let members = p["members"].as_array().unwrap();
    assert!(members.iter().any(|m| m["role"] == "lead"), "{p}");
    assert!(members
        .iter()
        .all(|m| !m["reason"].as_str().unwrap().is_empty()));

    // Neither or two bases: refused with the choices named.
    let (code, _, err) = run(&["deals", "propose"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--node"), "{err}");
    let (code, _, err) = run(
        &["deals", "propose", "--node", "rare_earth.nope"],
        dir.path(),
    );
    assert_ne!(code, 0);
    assert!(err.contains("rare_earth.nope"), "{err}");

    // Save the proposal as adjusted in a file; a member without a reason is refused first.
    let mut input = json!({
        "title": "命令行测试联合体",
        "basis": {"kind": "problem", "id": "1"},
        "members": members.iter().map(|m| json!({"role": m["role"], "id": m["id"], "reason": m["reason"]})).collect::<Vec<_>>(),
        "note": "命令行保存",
    });
    let file = dir.path().join("proposal.json");
    let mut bad = input.clone();
    bad["members"][0]["reason"] = json!("");
    std::fs::write(&file, bad.to_string()).unwrap();
    let (code, _, err) = run(&["deals", "save", file.to_str().unwrap()], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("推荐理由"), "{err}");
    input["members"]
        .as_array_mut()
        .unwrap()
        .truncate(members.len());
    std::fs::write(&file, input.to_string()).unwrap();
    let (code, out, err) = run(&["deals", "save", file.to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{err}");
    let saved: Value = serde_json::from_str(&out).unwrap();
    let id = saved["id"].as_str().unwrap().to_string();

    let (code, out, _) = run(&["deals", "proposals"], dir.path());
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());

    let xlsx = dir.path().join("annex.xlsx");
    let (code, _, err) = run(&["deals", "annex", &id, xlsx.to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{err}");
    let t = innomesh_sheets::read(
        &std::fs::read(&xlsx).unwrap(),
        innomesh_sheets::Format::Xlsx,
    )
    .unwrap();
    assert_eq!(t.headers[1], "角色");
    assert_eq!(t.rows.len(), members.len());
}
