//! Malformed input: clear errors naming the line, stable codes, and nothing written.

use innomesh_dedup::{run_jsonl, DedupConfig, DedupError, ErrorCode};

fn run(input: &str) -> (Result<usize, DedupError>, Vec<u8>) {
    let mut out = Vec::new();
    let r = run_jsonl(input.as_bytes(), &mut out, &DedupConfig::default()).map(|s| s.flagged_pairs);
    (r, out)
}

fn fails_with(input: &str, line: usize, code: ErrorCode) -> String {
    let (r, out) = run(input);
    assert!(out.is_empty(), "output written despite bad input");
    match r {
        Err(DedupError::InvalidInput { errors, total }) => {
            assert!(total >= 1);
            let e = errors
                .iter()
                .find(|e| e.line == line && e.code == code)
                .unwrap_or_else(|| panic!("no {code:?} on line {line}: {errors:?}"));
            assert!(
                e.message.contains(&format!("第 {line} 行")),
                "{}",
                e.message
            );
            e.message.clone()
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
}

const GOOD: &str = r#"{"id":"a","title":"t","text":"稀土永磁材料的制备工艺研究。"}"#;
const DUP_A: &str =
    r#"{"id":"x","title":"t","text":"甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥。"}"#;
const DUP_B: &str =
    r#"{"id":"y","title":"t","text":"甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥。"}"#;

#[test]
fn valid_input_writes_pairs() {
    let (r, out) = run(&format!("{DUP_A}\n\n{DUP_B}\n{GOOD}\n"));
    assert_eq!(r.expect("valid"), 1);
    let line: serde_json::Value = serde_json::from_slice(&out).expect("json line");
    assert_eq!(line["a"], "x");
    assert_eq!(line["b"], "y");
    assert!(line["score"].as_f64().expect("score") > 0.99);
    assert_eq!(line["kinds"][0], "text");
}

#[test]
fn broken_json() {
    let m = fails_with(
        &format!("{DUP_A}\n{{\"id\": \"b\", \n{DUP_B}\n"),
        2,
        ErrorCode::InvalidJson,
    );
    assert!(m.contains("JSON"));
}

#[test]
fn not_an_object() {
    fails_with(&format!("{GOOD}\n[1,2]\n"), 2, ErrorCode::NotObject);
}

#[test]
fn missing_field() {
    let m = fails_with(r#"{"id":"a","title":"t"}"#, 1, ErrorCode::MissingField);
    assert!(m.contains("text"));
}

#[test]
fn wrong_type() {
    let m = fails_with(
        r#"{"id":7,"title":"t","text":"x"}"#,
        1,
        ErrorCode::WrongType,
    );
    assert!(m.contains("「id」") && m.contains("数字"));
    fails_with(
        &format!(
            "{GOOD}\n{}",
            r#"{"id":"b","title":"t","text":"文本内容","year":"二〇二四"}"#
        ),
        2,
        ErrorCode::WrongType,
    );
}

#[test]
fn wrong_type_of_id_number_does_not_echo_it() {
    let line = r#"{"id":"b","title":"t","text":"文本内容","team":[{"name":"张三","id_number":150203199001011234}]}"#;
    let m = fails_with(line, 1, ErrorCode::WrongType);
    assert!(!m.contains("150203199001011234"), "{m}");
}

#[test]
fn empty_text_and_id() {
    fails_with(
        r#"{"id":"a","title":"t","text":"   "}"#,
        1,
        ErrorCode::EmptyText,
    );
    fails_with(
        r#"{"id":"","title":"t","text":"正文"}"#,
        1,
        ErrorCode::EmptyId,
    );
}

#[test]
fn huge_text() {
    let text = "长".repeat(200_001);
    let line = format!(r#"{{"id":"a","title":"t","text":"{text}"}}"#);
    let m = fails_with(&format!("{GOOD}\n{line}\n"), 2, ErrorCode::TextTooLong);
    assert!(m.contains("200000"));
}

#[test]
fn duplicate_ids_name_both_lines() {
    let m = fails_with(
        &format!("{GOOD}\n{DUP_A}\n{GOOD}\n"),
        3,
        ErrorCode::DuplicateId,
    );
    assert!(m.contains("第 1 行"));
}

#[test]
fn invalid_utf8() {
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    let mut out = Vec::new();
    let r = run_jsonl(&bytes[..], &mut out, &DedupConfig::default());
    assert!(out.is_empty());
    match r {
        Err(DedupError::InvalidInput { errors, .. }) => {
            assert_eq!(errors[0].code, ErrorCode::InvalidUtf8);
            assert_eq!(errors[0].line, 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn all_errors_are_counted_and_nothing_is_written() {
    let input = format!("{DUP_A}\n{DUP_B}\nnot json\n{{}}\n{GOOD}\n");
    let (r, out) = run(&input);
    assert!(out.is_empty());
    let Err(e) = r else { panic!("expected error") };
    assert_eq!(e.code(), "dedup.invalid_json");
    match e {
        DedupError::InvalidInput { errors, total } => {
            assert_eq!(total, 2);
            assert_eq!(errors.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_input_is_fine() {
    let (r, out) = run("");
    assert_eq!(r.expect("empty ok"), 0);
    assert!(out.is_empty());
}
