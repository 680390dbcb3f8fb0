//! The validated JSONL reader: every line must be a complete application, or the whole input is
//! refused with Chinese messages that name the lines (all-or-nothing).

use std::collections::HashMap;
use std::io::BufRead;

use serde_json::Value;

use crate::config::DedupConfig;
use crate::error::{DedupError, ErrorCode, InputError};
use crate::types::Application;

/// At most this many problems are reported in detail; all are counted.
pub const MAX_REPORTED_ERRORS: usize = 50;

/// Default limit on text length, in characters (see [`DedupConfig::max_text_chars`]).
pub const DEFAULT_MAX_TEXT_CHARS: usize = 200_000;

/// Reads applications, one JSON object per line (`{"id","title","text", …}`). Blank lines are
/// skipped. Returns every application, or every problem found if any line is bad.
pub fn read_applications<R: BufRead>(
    mut input: R,
    cfg: &DedupConfig,
) -> Result<Vec<Application>, DedupError> {
    // A line may hold a whole text of `max_text_chars` characters at 4 bytes each plus escaping.
    let max_line_bytes = cfg.max_text_chars.saturating_mul(8).saturating_add(1 << 20);
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut line_no = 0usize;
    loop {
        let mut buf = Vec::new();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(DedupError::Read)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        lines.push((line_no, buf));
    }
    // Lines are parsed in parallel, then checked together for duplicate ids.
    let parsed = crate::par::map(lines.len(), cfg.threads, |k| {
        let (n, buf) = &lines[k];
        parse_bytes(buf, *n, max_line_bytes, cfg)
    });
    drop(lines);
    let mut apps = Vec::with_capacity(parsed.len());
    let mut errors = Vec::new();
    let mut total = 0usize;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for result in parsed {
        let mut report = |e: InputError| {
            total += 1;
            if errors.len() < MAX_REPORTED_ERRORS {
                errors.push(e);
            }
        };
        match result {
            Ok((n, app)) => {
                if let Some(&first) = seen.get(&app.id) {
                    report(err(
                        n,
                        ErrorCode::DuplicateId,
                        format!(
                            "第 {n} 行「id」为「{}」，与第 {first} 行重复：每份申报书的编号须唯一",
                            app.id
                        ),
                    ));
                } else {
                    seen.insert(app.id.clone(), n);
                    apps.push(app);
                }
            }
            Err(e) => report(e),
        }
    }
    if total > 0 {
        return Err(DedupError::InvalidInput { errors, total });
    }
    Ok(apps)
}

fn parse_bytes(
    buf: &[u8],
    line_no: usize,
    max_line_bytes: usize,
    cfg: &DedupConfig,
) -> Result<(usize, Application), InputError> {
    if buf.len() > max_line_bytes {
        return Err(err(
            line_no,
            ErrorCode::TextTooLong,
            format!(
                "第 {line_no} 行过长（{} 字节）：正文不得超过 {} 个字符，请拆分或删减",
                buf.len(),
                cfg.max_text_chars
            ),
        ));
    }
    let Ok(line) = std::str::from_utf8(buf) else {
        return Err(err(
            line_no,
            ErrorCode::InvalidUtf8,
            format!("第 {line_no} 行不是 UTF-8 编码，请将文件另存为 UTF-8 后重试"),
        ));
    };
    let line = line.trim_start_matches('\u{feff}');
    parse_line(line, line_no, cfg).map(|app| (line_no, app))
}

fn err(line: usize, code: ErrorCode, message: String) -> InputError {
    InputError {
        line,
        code,
        message,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "空值 null",
        Value::Bool(_) => "布尔值",
        Value::Number(_) => "数字",
        Value::String(_) => "字符串",
        Value::Array(_) => "数组",
        Value::Object(_) => "对象",
    }
}

fn required_str<'a>(
    obj: &'a serde_json::Map<String, Value>,
    field: &str,
    line: usize,
) -> Result<&'a str, InputError> {
    match obj.get(field) {
        None => Err(err(
            line,
            ErrorCode::MissingField,
            format!("第 {line} 行缺少字段「{field}」：每行须含 id、title、text 三个字段"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(v) => Err(err(
            line,
            ErrorCode::WrongType,
            format!(
                "第 {line} 行字段「{field}」应为字符串，实为{}：请加引号填写",
                type_name(v)
            ),
        )),
    }
}

fn parse_line(line: &str, n: usize, cfg: &DedupConfig) -> Result<Application, InputError> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        err(
            n,
            ErrorCode::InvalidJson,
            format!(
                "第 {n} 行不是合法的 JSON（第 {} 列附近：{e}）：每行须为一个完整的 JSON 对象",
                e.column()
            ),
        )
    })?;
    let Value::Object(obj) = &value else {
        return Err(err(
            n,
            ErrorCode::NotObject,
            format!(
                "第 {n} 行应为 JSON 对象 {{\"id\":…,\"title\":…,\"text\":…}}，实为{}",
                type_name(&value)
            ),
        ));
    };
    let id = required_str(obj, "id", n)?.to_string();
    let id = id.as_str();
    required_str(obj, "title", n)?;
    required_str(obj, "text", n)?;
    check_optional(obj, n, id)?;
    // Types were checked above, so this conversion cannot fail on well-typed fields; its own
    // message is not shown because serde would quote values (possibly an ID number).
    let mut value = value;
    if let Value::Object(o) = &mut value {
        o.retain(|_, v| !v.is_null());
    }
    let app: Application = serde_json::from_value(value).map_err(|_| {
        err(
            n,
            ErrorCode::WrongType,
            format!("第 {n} 行（id「{id}」）字段格式错误：请对照说明检查各字段类型"),
        )
    })?;
    validate(&app, n, cfg)?;
    Ok(app)
}

fn wrong(n: usize, id: &str, field: &str, want: &str, got: &Value) -> InputError {
    err(
        n,
        ErrorCode::WrongType,
        format!(
            "第 {n} 行（id「{id}」）字段「{field}」应为{want}，实为{}",
            type_name(got)
        ),
    )
}

/// Checks the optional fields' types without ever quoting their values.
fn check_optional(
    obj: &serde_json::Map<String, Value>,
    n: usize,
    id: &str,
) -> Result<(), InputError> {
    for field in ["applicant_credit_code", "programme"] {
        match obj.get(field) {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(v) => return Err(wrong(n, id, field, "字符串", v)),
        }
    }
    match obj.get("year") {
        None | Some(Value::Null) => {}
        Some(Value::Number(x)) if x.as_i64().is_some_and(|y| i32::try_from(y).is_ok()) => {}
        Some(v) => return Err(wrong(n, id, "year", "整数", v)),
    }
    match obj.get("team") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (k, m) in items.iter().enumerate() {
                let field = format!("team[{k}]");
                let Value::Object(m) = m else {
                    return Err(wrong(n, id, &field, "对象 {name, id_number}", m));
                };
                match m.get("id_number") {
                    Some(Value::String(_)) => {}
                    None => {
                        return Err(err(
                            n,
                            ErrorCode::MissingField,
                            format!("第 {n} 行（id「{id}」）{field} 缺少「id_number」"),
                        ))
                    }
                    Some(v) => {
                        return Err(wrong(n, id, &format!("{field}.id_number"), "字符串", v))
                    }
                }
                match m.get("name") {
                    None | Some(Value::String(_)) => {}
                    Some(v) => return Err(wrong(n, id, &format!("{field}.name"), "字符串", v)),
                }
            }
        }
        Some(v) => return Err(wrong(n, id, "team", "数组", v)),
    }
    match obj.get("budget") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (k, l) in items.iter().enumerate() {
                let field = format!("budget[{k}]");
                let Value::Object(l) = l else {
                    return Err(wrong(n, id, &field, "对象 {item, amount}", l));
                };
                match l.get("item") {
                    Some(Value::String(_)) => {}
                    None => {
                        return Err(err(
                            n,
                            ErrorCode::MissingField,
                            format!("第 {n} 行（id「{id}」）{field} 缺少「item」"),
                        ))
                    }
                    Some(v) => return Err(wrong(n, id, &format!("{field}.item"), "字符串", v)),
                }
                match l.get("amount") {
                    Some(Value::Number(_)) => {}
                    None => {
                        return Err(err(
                            n,
                            ErrorCode::MissingField,
                            format!("第 {n} 行（id「{id}」）{field} 缺少「amount」"),
                        ))
                    }
                    Some(v) => return Err(wrong(n, id, &format!("{field}.amount"), "数字", v)),
                }
            }
        }
        Some(v) => return Err(wrong(n, id, "budget", "数组", v)),
    }
    Ok(())
}

/// Checks the content rules of an application (`line` 0 when not from a file): non-empty id and
/// text, text within the length limit.
pub fn validate(app: &Application, line: usize, cfg: &DedupConfig) -> Result<(), InputError> {
    let n = line;
    let at = if n == 0 {
        String::from("申报书")
    } else {
        format!("第 {n} 行")
    };
    if app.id.trim().is_empty() {
        return Err(err(
            n,
            ErrorCode::EmptyId,
            format!("{at}「id」为空：请填写申报书编号"),
        ));
    }
    let id = &app.id;
    if app.text.trim().is_empty() {
        return Err(err(
            n,
            ErrorCode::EmptyText,
            format!("{at}（id「{id}」）「text」为空：请填写申报书正文"),
        ));
    }
    let chars = app.text.chars().count();
    if chars > cfg.max_text_chars {
        return Err(err(
            n,
            ErrorCode::TextTooLong,
            format!(
                "{at}（id「{id}」）正文有 {chars} 个字符，超过上限 {} 个：请删减或拆分",
                cfg.max_text_chars
            ),
        ));
    }
    Ok(())
}
