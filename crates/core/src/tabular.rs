//! Rows of spreadsheet cells ↔ records, by the kind's schema. Every bad cell of a row is reported
//! (row, column, value, reason in Chinese); a row becomes a record only when all of it is valid.

use crate::codes::{CreditCode, IdNumber, Phone};
use crate::entity::{EntityKind, Record};
use crate::reference::{industries, regions};
use crate::schema::{fields, FieldSpec, FieldType};
use crate::values::{Date, IndustryCode, RegionCode};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// A cell as a spreadsheet reader gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(Date),
    /// A formula whose result the file does not hold (never stored: refused on import).
    Formula,
}

impl Cell {
    /// The text a person sees in the cell (numbers without a trailing `.0`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Formula => "=（公式）".to_string(),
        }
    }
    pub fn is_blank(&self) -> bool {
        self.display().is_empty()
    }
}

/// One problem found in an import: 1-based row number as the user sees it in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "第 {} 行：{}", self.row, self.reason)
        } else {
            write!(
                f,
                "第 {} 行「{}」值「{}」：{}",
                self.row, self.column, self.value, self.reason
            )
        }
    }
}

/// A silent normalisation made while reading a cell (「已自动修正」): the import report lists each
/// one so the clerk sees what was changed — trimmed spaces, full-width characters, lower case in
/// codes, thousands separators and units in numbers, date forms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub row: usize,
    pub column: String,
    pub before: String,
    pub after: String,
    pub reason: String,
}

/// Full-width letters, digits and punctuation (what a Chinese input method types) as ASCII.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A code as typed: full-width folded, every kind of space (NBSP, ideographic, zero-width)
/// removed, upper case.
fn code_text(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}' | '\u{FEFF}'))
        .collect::<String>()
        .to_uppercase()
}

/// 「150207 九原区」, 「150207（九原区）」, 「3985 电子专用材料制造」: a region or industry code followed
/// by its own name — what the templates' drop-down lists and the forms' pickers show — is that
/// code. `None` when the text is not of that form or the name is not the code's.
pub fn strip_label(ty: FieldType, text: &str) -> Option<String> {
    let t = text.trim();
    let cut = t.find(|c: char| c.is_whitespace() || c == '（' || c == '(')?;
    let (code, rest) = t.split_at(cut);
    let name = rest
        .trim()
        .trim_start_matches(['（', '('])
        .trim_end_matches(['）', ')'])
        .trim();
    match ty {
        FieldType::Region => {
            let r = regions().resolve(&code_text(code))?;
            (r.name == name).then(|| r.code.clone())
        }
        FieldType::Industry => {
            let i = industries().resolve(&code_text(code))?;
            (i.name == name).then(|| i.code.clone())
        }
        _ => None,
    }
}

/// How a region or industry code is offered in pickers and drop-down lists: 「150207 九原区」.
pub fn code_label(code: &str, name: &str) -> String {
    format!("{code} {name}")
}

/// Which column holds which field, found from the header row.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    kind: EntityKind,
    /// For each field of the schema, the column index it is read from.
    columns: Vec<Option<usize>>,
    /// Headers present in the file that no field uses (ignored, reported to the user).
    pub ignored: Vec<String>,
}

impl HeaderMap {
    /// The file column that the schema's `index`-th field is read from.
    pub fn column(&self, index: usize) -> Option<usize> {
        self.columns.get(index).copied().flatten()
    }
}

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_start_matches(['*', '＊'])
        .trim_end_matches(['*', '＊'])
        .replace('(', "（")
        .replace(')', "）")
        .replace(' ', "")
}

impl HeaderMap {
    /// Matches headers by Chinese name (a leading or trailing `*` is ignored) or by JSON key.
    pub fn new(kind: EntityKind, headers: &[String]) -> Result<HeaderMap, Vec<RowError>> {
        let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut columns = Vec::new();
        let mut used = vec![false; headers.len()];
        let mut errors = Vec::new();
        for spec in fields(kind) {
            let want = normalise_header(spec.header);
            let pos = norm
                .iter()
                .position(|h| *h == want || h.eq_ignore_ascii_case(spec.key));
            if let Some(i) = pos {
                used[i] = true;
                if let Some(j) = (i + 1..norm.len()).find(|j| norm[*j] == norm[i]) {
                    errors.push(RowError {
                        row: 1,
                        column: spec.header.to_string(),
                        value: String::new(),
                        reason: format!(
                            "表头「{}」出现了两次（第 {} 列和第 {} 列）：请删除其中一列，以免用错数据",
                            spec.header,
                            i + 1,
                            j + 1
                        ),
                    });
                }
            } else if spec.required {
                errors.push(RowError {
                    row: 1,
                    column: spec.header.to_string(),
                    value: String::new(),
                    reason: format!(
                        "表头缺少必填列「{}」：请使用{}导入模板",
                        spec.header,
                        kind.label()
                    ),
                });
            }
            columns.push(pos);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let ignored = headers
            .iter()
            .zip(used)
            .filter(|(h, u)| !u && !h.trim().is_empty())
            .map(|(h, _)| h.clone())
            .collect();
        Ok(HeaderMap {
            kind,
            columns,
            ignored,
        })
    }

    pub fn kind(&self) -> EntityKind {
        self.kind
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['；', ';', '、', '\n', '，', ','])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn split_items(s: &str) -> Vec<String> {
    s.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_number(cell: &Cell) -> Result<f64, String> {
    match cell {
        Cell::Number(n) if n.is_finite() => Ok(*n),
        Cell::Number(_) => Err("不是有限数值".into()),
        other => {
            let t: String = fold_width(&other.display())
                .chars()
                .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
                .collect();
            let t = t.trim_end_matches("万元").trim_end_matches('元');
            t.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| "应为数字".into())
        }
    }
}

/// Reads one cell as the JSON value its field takes; `Ok(None)` for an empty cell.
fn parse_cell(spec: &FieldSpec, cell: &Cell) -> Result<Option<Value>, String> {
    if matches!(cell, Cell::Formula) {
        return Err(
            "是公式，文件中没有它的计算结果：请复制该列后「选择性粘贴 → 数值」再导入".into(),
        );
    }
    // Control characters are C0 (bytes below 0x20), DEL (0x7F) and C1 (U+0080–U+009F, encoded
    // 0xC2 0x80–0x9F): a byte scan rules out almost every cell before the character check.
    if let Cell::Text(t) = cell {
        if t.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
            let long = matches!(spec.ty, FieldType::LongText);
            if let Some(c) = t
                .chars()
                .find(|c| c.is_control() && !(long && (*c == '\n' || *c == '\t' || *c == '\r')))
            {
                return Err(format!(
                    "含有不可见的控制字符（U+{:04X}）：请删除后再导入",
                    c as u32
                ));
            }
        }
    }
    if cell.is_blank() {
        return match spec.ty {
            FieldType::Bool => Ok(Some(Value::Bool(false))),
            _ if spec.required => Err("必填，不能为空".into()),
            _ => Ok(None),
        };
    }
    let text = cell.display();
    let v = match spec.ty {
        FieldType::Text | FieldType::Ref(_) | FieldType::RefBy { .. } | FieldType::LongText => {
            if !matches!(spec.ty, FieldType::LongText) && text.chars().count() > 500 {
                return Err("过长（最多 500 字）".into());
            }
            json!(text)
        }
        FieldType::Int => {
            let n = parse_number(cell)?;
            if n.fract() != 0.0 || n.abs() > 4e9 {
                return Err("应为整数".into());
            }
            if n < 0.0 {
                return Err("不能为负数".into());
            }
            json!(n as i64)
        }
        FieldType::Decimal => json!(parse_number(cell)?),
        FieldType::Bool => match text.to_ascii_lowercase().as_str() {
            "是" | "y" | "yes" | "true" | "1" | "√" | "有" => json!(true),
            "否" | "n" | "no" | "false" | "0" | "×" | "无" => json!(false),
            _ => return Err("应为「是」或「否」".into()),
        },
        FieldType::Date => match cell {
            Cell::Date(d) => json!(d.to_string()),
            Cell::Number(n) => json!(Date::from_excel_serial(*n)?.to_string()),
            _ => json!(Date::parse(fold_width(&text).trim())?.to_string()),
        },
        FieldType::CreditCode => json!(CreditCode::parse(&code_text(&text))
            .map_err(|e| format!("统一社会信用代码无效：{e}"))?
            .as_str()),
        FieldType::Region => json!(RegionCode::parse(
            &strip_label(spec.ty, &text).unwrap_or_else(|| code_text(&text))
        )?
        .as_str()),
        FieldType::Industry => json!(IndustryCode::parse(
            &strip_label(spec.ty, &text).unwrap_or_else(|| code_text(&text))
        )?
        .as_str()),
        FieldType::Phone => json!(Phone::parse(&code_text(&text))?.full()),
        FieldType::IdNumber => {
            if matches!(cell, Cell::Number(_)) {
                return Err(
                    "身份证号被存成了数字，末几位可能已丢失：请把该列设为文本格式后重新录入".into(),
                );
            }
            json!(IdNumber::parse(&code_text(&text))?.full())
        }
        FieldType::Choice(choices) => {
            let t = text.trim();
            let all = choices();
            match all
                .iter()
                .find(|(code, label)| code.eq_ignore_ascii_case(t) || *label == t)
            {
                Some((code, _)) => json!(code),
                None => {
                    let labels: Vec<&str> = all.iter().map(|(_, l)| *l).collect();
                    return Err(format!("不是可选值，可选：{}", labels.join("、")));
                }
            }
        }
        FieldType::TextList | FieldType::RefList(_) => json!(split_items(&text)),
        FieldType::CreditCodeList => {
            let mut out = Vec::new();
            for c in split_list(&text) {
                out.push(
                    CreditCode::parse(&code_text(&c))
                        .map_err(|e| format!("「{c}」不是有效的统一社会信用代码：{e}"))?
                        .as_str()
                        .to_string(),
                );
            }
            json!(out)
        }
        FieldType::IndustryList => {
            let mut out = Vec::new();
            for c in split_list(&text) {
                out.push(IndustryCode::parse(&code_text(&c))?.as_str().to_string());
            }
            json!(out)
        }
        FieldType::Team => {
            let mut out = Vec::new();
            for m in split_items(&text) {
                let parts: Vec<&str> = m.split(['/', '／', ':', '：']).map(str::trim).collect();
                if parts.len() < 2 || parts[0].is_empty() {
                    return Err(format!("成员「{m}」格式不对，应为 姓名/身份证号/角色"));
                }
                let id =
                    IdNumber::parse(parts[1]).map_err(|e| format!("成员「{}」{e}", parts[0]))?;
                out.push(json!({"name": parts[0], "id_number": id.full(), "role": parts.get(2).copied().unwrap_or("")}));
            }
            json!(out)
        }
        FieldType::Budget => {
            let mut out = Vec::new();
            for b in split_items(&text) {
                let (item, amount) = b
                    .rsplit_once([':', '：'])
                    .ok_or_else(|| format!("预算「{b}」格式不对，应为 科目:金额"))?;
                let n = parse_number(&Cell::Text(amount.to_string()))
                    .map_err(|_| format!("预算「{b}」的金额不是数字"))?;
                out.push(json!({"item": item.trim(), "amount": n}));
            }
            json!(out)
        }
        FieldType::Sections => {
            let mut out = Vec::new();
            if !text.contains('【') {
                out.push(json!({"heading": "正文", "text": text}));
            } else {
                for part in text.split('【').filter(|p| !p.trim().is_empty()) {
                    match part.split_once('】') {
                        Some((h, t)) => out.push(json!({"heading": h.trim(), "text": t.trim()})),
                        None => return Err(format!("章节「{part}」缺少「】」")),
                    }
                }
            }
            json!(out)
        }
    };
    Ok(Some(v))
}

/// What a silent normalisation of a text cell changed, with the reason shown to the clerk; `None`
/// when the value is what was typed (or the cell was not text: numbers and dates stored as such
/// are not corrections, nor is a choice's label becoming its code).
fn correction(
    spec: &FieldSpec,
    cell: &Cell,
    value: &Value,
) -> Option<(String, String, &'static str)> {
    let Cell::Text(raw) = cell else {
        return None;
    };
    let after = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("；"),
        _ => return None,
    };
    let trimmed = raw.trim();
    // A drop-down's 「150207 九原区」 is the code as chosen, not a correction.
    if strip_label(spec.ty, trimmed).is_some() {
        return None;
    }
    let reason = match spec.ty {
        FieldType::Choice(_) | FieldType::Bool | FieldType::Team | FieldType::Budget => {
            return None
        }
        FieldType::Sections | FieldType::TextList | FieldType::RefList(_) => {
            if raw == trimmed {
                return None;
            }
            "去除首尾空格"
        }
        FieldType::Int | FieldType::Decimal => {
            if trimmed.parse::<f64>().is_ok() {
                return None;
            }
            "数字去除千位分隔符、单位或全角字符"
        }
        FieldType::Date => {
            if trimmed == after {
                return None;
            }
            "日期统一写为 年-月-日"
        }
        FieldType::CreditCodeList | FieldType::IndustryList => {
            let same = split_list(trimmed) == split_list(&after);
            if same {
                return None;
            }
            "代码统一为半角大写，去除空格"
        }
        FieldType::CreditCode | FieldType::IdNumber | FieldType::Region | FieldType::Phone => {
            if trimmed == after {
                if raw == trimmed {
                    return None;
                }
                "去除首尾空格"
            } else {
                "代码统一为半角大写，去除空格"
            }
        }
        FieldType::Industry => {
            // The section letter is optional (C3985 and 3985 are the same class): not a change.
            let digits = |s: &str| {
                s.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .to_string()
            };
            if digits(&code_text(trimmed)) == digits(trimmed) {
                if raw == trimmed {
                    return None;
                }
                "去除首尾空格"
            } else {
                "代码统一为半角大写，去除空格"
            }
        }
        FieldType::Text | FieldType::LongText | FieldType::Ref(_) | FieldType::RefBy { .. } => {
            if raw == trimmed {
                return None;
            }
            "去除首尾空格"
        }
    };
    Some((raw.clone(), after, reason))
}

/// Parses one data row. `row` is the 1-based row number in the file, for messages.
pub fn parse_row(map: &HeaderMap, row: usize, cells: &[Cell]) -> Result<Record, Vec<RowError>> {
    parse_row_noting(map, row, cells).map(|(r, _)| r)
}

/// [`parse_row`], and every silent normalisation it made (「已自动修正」).
pub fn parse_row_noting(
    map: &HeaderMap,
    row: usize,
    cells: &[Cell],
) -> Result<(Record, Vec<Correction>), Vec<RowError>> {
    let specs = fields(map.kind);
    let mut obj = Map::new();
    let mut errors = Vec::new();
    let mut corrections = Vec::new();
    let empty = Cell::Empty;
    for (spec, col) in specs.iter().zip(&map.columns) {
        let cell = col.and_then(|c| cells.get(c)).unwrap_or(&empty);
        match parse_cell(spec, cell) {
            Ok(Some(v)) => {
                if let Some((before, after, reason)) = correction(spec, cell, &v) {
                    corrections.push(Correction {
                        row,
                        column: spec.header.to_string(),
                        before,
                        after,
                        reason: reason.to_string(),
                    });
                }
                obj.insert(spec.key.to_string(), v);
            }
            Ok(None) => {}
            Err(reason) => errors.push(RowError {
                row,
                column: spec.header.to_string(),
                value: cell.display(),
                reason,
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let record = Record::from_json(map.kind, Value::Object(obj)).map_err(|reason| {
        vec![RowError {
            row,
            column: String::new(),
            value: String::new(),
            reason,
        }]
    })?;
    record.validate().map_err(|errs| {
        errs.into_iter()
            .map(|e| {
                let spec = specs.iter().find(|s| s.key == e.field);
                RowError {
                    row,
                    column: spec.map(|s| s.header.to_string()).unwrap_or(e.field),
                    value: String::new(),
                    reason: e.message,
                }
            })
            .collect::<Vec<_>>()
    })?;
    Ok((record, corrections))
}

/// Header row for export and templates; required columns are marked with `*`.
pub fn headers(kind: EntityKind, mark_required: bool) -> Vec<String> {
    fields(kind)
        .iter()
        .map(|f| {
            if mark_required && f.required {
                format!("*{}", f.header)
            } else {
                f.header.to_string()
            }
        })
        .collect()
}

fn format_value(spec: &FieldSpec, v: &Value) -> Cell {
    match (spec.ty, v) {
        (_, Value::Null) => Cell::Empty,
        (FieldType::Int | FieldType::Decimal, Value::Number(n)) => {
            Cell::Number(n.as_f64().unwrap_or(0.0))
        }
        (FieldType::Bool, Value::Bool(b)) => Cell::Text(if *b { "是" } else { "否" }.into()),
        (FieldType::Choice(choices), Value::String(code)) => Cell::Text(
            choices()
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, l)| l.to_string())
                .unwrap_or_else(|| code.clone()),
        ),
        (FieldType::Team, Value::Array(items)) => Cell::Text(
            items
                .iter()
                .map(|m| {
                    format!(
                        "{}/{}/{}",
                        m["name"].as_str().unwrap_or(""),
                        m["id_number"].as_str().unwrap_or(""),
                        m["role"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (FieldType::Budget, Value::Array(items)) => Cell::Text(
            items
                .iter()
                .map(|b| format!("{}:{}", b["item"].as_str().unwrap_or(""), b["amount"]))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (FieldType::Sections, Value::Array(items)) => Cell::Text(
            items
                .iter()
                .map(|s| {
                    format!(
                        "【{}】{}",
                        s["heading"].as_str().unwrap_or(""),
                        s["text"].as_str().unwrap_or("")
                    )
                })
                .collect::<String>(),
        ),
        (_, Value::Array(items)) => Cell::Text(
            items
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (_, Value::String(s)) => Cell::Text(s.clone()),
        (_, other) => Cell::Text(other.to_string()),
    }
}

/// One export row; personal data masked unless `full_personal`.
pub fn record_to_cells(record: &Record, full_personal: bool) -> Vec<Cell> {
    let v = if full_personal {
        record.to_json()
    } else {
        record.to_masked_json()
    };
    fields(record.kind())
        .iter()
        .map(|spec| format_value(spec, v.get(spec.key).unwrap_or(&Value::Null)))
        .collect()
}

/// A template's example row: help text per column.
pub fn template_help(kind: EntityKind) -> Vec<String> {
    fields(kind).iter().map(|f| f.help.to_string()).collect()
}

/// A template's example row: for every column a value that passes every check the column has
/// (the GB 32100 check digit, the GB/T 2260 and GB/T 4754 tables, the choices, the record's own
/// rules), so a clerk who copies it gets a row that imports. References name example ids (the
/// registry must hold them), which the help text says.
pub fn template_example(kind: EntityKind) -> Vec<String> {
    let specs = fields(kind);
    // One organisation per column: a row's parties must differ (a supplier is not its buyer).
    let credit_for = |column: usize| {
        CreditCode::with_check_digit(&format!("91150207MA0N{:05}", column + 1))
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
    };
    let id_number = IdNumber::with_check_digit("15020719800101123")
        .map(|c| c.full().to_string())
        .unwrap_or_default();
    let example_of = |help: &str| -> Option<String> {
        let after = help.split("例如 ").nth(1)?;
        let v = after.split(['，', '、', '（']).next()?.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    // Optional columns stay empty except the coded ones whose form a clerk should see: some
    // optional fields only go with certain choices (a 科技中介's services), which an example row
    // cannot know without hard-coding kinds.
    let shown = |f: &FieldSpec| {
        f.required
            || matches!(
                f.ty,
                FieldType::Region | FieldType::Industry | FieldType::Phone
            )
    };
    specs
        .iter()
        .enumerate()
        .map(|(column, f)| {
            if !shown(f) {
                String::new()
            } else {
                match f.ty {
                    FieldType::CreditCode => {
                        if f.key == "credit_code" || f.required {
                            credit_for(column)
                        } else {
                            String::new()
                        }
                    }
                    FieldType::CreditCodeList => credit_for(column),
                    FieldType::Region => regions()
                        .get("150207")
                        .map(|r| code_label(&r.code, &r.name))
                        .unwrap_or_default(),
                    FieldType::Industry => industries()
                        .get("3985")
                        .map(|i| code_label(&i.code, &i.name))
                        .unwrap_or_default(),
                    FieldType::IndustryList => "3985".into(),
                    FieldType::Phone => "0472-5123456".into(),
                    FieldType::IdNumber => id_number.clone(),
                    FieldType::Bool => "否".into(),
                    FieldType::Date => "2026-06-30".into(),
                    FieldType::Int => {
                        if f.help.starts_with("1–9") {
                            "5".into()
                        } else if f.key.contains("year") {
                            "2026".into()
                        } else {
                            "10".into()
                        }
                    }
                    FieldType::Decimal => {
                        if f.help.starts_with("0–1") {
                            "0.5".into()
                        } else {
                            "100".into()
                        }
                    }
                    FieldType::Choice(choices) => choices()
                        .first()
                        .map(|(_, l)| l.to_string())
                        .unwrap_or_default(),
                    FieldType::Team => format!("张三/{id_number}/负责人"),
                    FieldType::Budget => "设备费:50；材料费:20".into(),
                    FieldType::Sections => "【研究内容】示例正文【预期目标】示例正文".into(),
                    FieldType::Ref(target) | FieldType::RefList(target) => example_of(f.help)
                        .and_then(|v| v.split([' ', '；']).next().map(str::to_string))
                        .unwrap_or_else(|| format!("{}000001", target.id_prefix())),
                    FieldType::RefBy { by, target } => {
                        // The kind the `by` column's example (its first choice) names.
                        let by_code = specs
                            .iter()
                            .find(|s| s.key == by)
                            .and_then(|s| match s.ty {
                                FieldType::Choice(c) => c().first().map(|(code, _)| *code),
                                _ => None,
                            })
                            .unwrap_or_default();
                        match target(by_code) {
                            Some(EntityKind::Organisation) => credit_for(column),
                            Some(k) => format!("{}000001", k.id_prefix()),
                            None => String::new(),
                        }
                    }
                    FieldType::Text | FieldType::LongText | FieldType::TextList => {
                        if f.key == "id" && !f.required {
                            String::new()
                        } else if let Some(v) = example_of(f.help) {
                            v
                        } else if f.required {
                            format!("示例{}", f.header)
                        } else {
                            String::new()
                        }
                    }
                }
            }
        })
        .collect()
}

/// The values a column takes from a closed list, for the templates' drop-down lists: the labels
/// of a choice and 是/否 (`true`: nothing else is accepted), or the regions of Baotou — the city,
/// its districts and townships — and the GB/T 4754 classes as 「150207 九原区」 (`false`: a code
/// outside the list, another city's district, is still valid).
pub fn closed_list(spec: &FieldSpec) -> Option<(Vec<String>, bool)> {
    match spec.ty {
        FieldType::Choice(choices) => {
            Some((choices().iter().map(|(_, l)| l.to_string()).collect(), true))
        }
        FieldType::Bool => Some((vec!["是".into(), "否".into()], true)),
        FieldType::Region => {
            let r = regions();
            let mut out = Vec::new();
            let mut push = |code: &str| {
                if let Some(x) = r.get(code) {
                    out.push(code_label(&x.code, &x.name));
                }
            };
            push("150200");
            for county in r.children("150200") {
                push(county);
                for town in r.children(county) {
                    push(town);
                }
            }
            Some((out, false))
        }
        FieldType::Industry => {
            let mut classes: Vec<_> = industries().classes().collect();
            classes.sort_by(|a, b| a.code.cmp(&b.code));
            Some((
                classes
                    .into_iter()
                    .map(|i| code_label(&i.code, &i.name))
                    .collect(),
                false,
            ))
        }
        _ => None,
    }
}

/// Region name for display next to a code (`150203 昆都仑区`).
pub fn region_label(code: &str) -> String {
    regions()
        .get(code)
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_example_row_passes_every_check() {
        for kind in EntityKind::ALL {
            let heads = headers(kind, true);
            let map = HeaderMap::new(kind, &heads).unwrap();
            let cells: Vec<Cell> = template_example(kind)
                .into_iter()
                .map(|v| {
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v)
                    }
                })
                .collect();
            let parsed = parse_row_noting(&map, 2, &cells);
            assert!(parsed.is_ok(), "{kind:?}: {:?}", parsed.err());
            // Nothing in it needed a silent correction either.
            assert_eq!(parsed.unwrap().1, vec![], "{kind:?}");
        }
    }

    #[test]
    fn every_code_a_help_text_gives_as_example_is_valid() {
        for kind in EntityKind::ALL {
            for f in fields(kind) {
                if matches!(f.ty, FieldType::CreditCode | FieldType::CreditCodeList) {
                    for word in f.help.split_whitespace().filter(|w| w.len() == 18) {
                        assert!(
                            CreditCode::parse(word).is_ok(),
                            "{kind:?} {}: {word}",
                            f.key
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_code_followed_by_its_own_name_is_the_code() {
        let t = |s: &str| Cell::Text(s.into());
        let spec = fields(EntityKind::Organisation)
            .iter()
            .find(|f| f.key == "region")
            .unwrap();
        for v in ["150207 九原区", "150207（九原区）", " 150207(九原区) "] {
            assert_eq!(
                parse_cell(spec, &t(v)).unwrap(),
                Some(json!("150207")),
                "{v}"
            );
            assert_eq!(correction(spec, &t(v), &json!("150207")), None);
        }
        // A name that is not the code's is refused, not silently taken.
        assert!(parse_cell(spec, &t("150207 昆都仑区")).is_err());
        let ind = fields(EntityKind::Organisation)
            .iter()
            .find(|f| f.key == "industry")
            .unwrap();
        let name = industries().get("3985").unwrap().name.clone();
        assert_eq!(
            parse_cell(ind, &t(&format!("3985 {name}"))).unwrap(),
            Some(json!("3985"))
        );
    }

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn organisation_row_roundtrip() {
        let kind = EntityKind::Organisation;
        let heads: Vec<String> = headers(kind, true);
        let map = HeaderMap::new(kind, &heads).unwrap();
        let code = CreditCode::with_check_digit("91150203MA0N00001").unwrap();
        let mut cells = vec![Cell::Empty; heads.len()];
        cells[0] = t(code.as_str());
        cells[1] = t("包头示例稀土材料有限公司");
        cells[2] = t("企业");
        cells[3] = Cell::Number(150203.0);
        cells[4] = t("C3985");
        cells[5] = Cell::Number(45356.0);
        cells[9] = t("是");
        let r = parse_row(&map, 2, &cells).unwrap();
        let back = record_to_cells(&r, true);
        assert_eq!(back[0].display(), code.as_str());
        assert_eq!(back[2].display(), "企业");
        assert_eq!(back[5].display(), "2024-03-05");
        assert_eq!(back[9].display(), "是");
        let r2 = parse_row(&map, 2, &back).unwrap();
        assert_eq!(r, r2);
    }

    #[test]
    fn every_bad_cell_is_named() {
        let kind = EntityKind::Organisation;
        let heads = headers(kind, false);
        let map = HeaderMap::new(kind, &heads).unwrap();
        let mut cells = vec![Cell::Empty; heads.len()];
        cells[0] = t("91340600MA2PBN831Q");
        cells[1] = t("x");
        cells[2] = t("公司");
        cells[3] = t("159999");
        cells[7] = t("很多");
        let errs = parse_row(&map, 7, &cells).unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            vec![
                "统一社会信用代码",
                "组织类型",
                "行政区划代码",
                "营业收入（万元）"
            ]
        );
        assert!(errs[0].reason.contains("校验位"));
        assert_eq!(errs[0].row, 7);
    }

    #[test]
    fn every_silent_normalisation_is_listed_with_before_and_after() {
        let kind = EntityKind::Organisation;
        let heads = headers(kind, false);
        let map = HeaderMap::new(kind, &heads).unwrap();
        let col = |key: &str| fields(kind).iter().position(|f| f.key == key).unwrap();
        let code = CreditCode::with_check_digit("91150203MA0N00001").unwrap();
        // Lower case, a no-break space and full-width characters in the code.
        let typed: String = code
            .as_str()
            .to_lowercase()
            .chars()
            .enumerate()
            .map(|(i, c)| match (i, c) {
                (0, '9') => "９".to_string(),
                (4, c) => format!("\u{a0}{c}"),
                (_, c) => c.to_string(),
            })
            .collect();
        let mut cells = vec![Cell::Empty; heads.len()];
        cells[col("credit_code")] = t(&typed);
        cells[col("name")] = t("  包头示例有限公司 ");
        cells[col("kind")] = t("企业");
        cells[col("region")] = t("１５０２０３");
        cells[col("industry")] = t("３９８５");
        cells[col("founded")] = t("2024/3/5");
        cells[col("employees")] = t("1,000");
        cells[col("revenue")] = t("１２.５万元");
        cells[col("rd_spend")] = t("3.5");
        let (record, notes) = parse_row_noting(&map, 9, &cells).unwrap();
        let got: Vec<(&str, &str, &str)> = notes
            .iter()
            .map(|c| (c.column.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("统一社会信用代码", typed.as_str(), code.as_str()),
                ("名称", "  包头示例有限公司 ", "包头示例有限公司"),
                ("行政区划代码", "１５０２０３", "150203"),
                ("行业代码", "３９８５", "3985"),
                ("成立日期", "2024/3/5", "2024-03-05"),
                ("从业人数", "1,000", "1000"),
                ("营业收入（万元）", "１２.５万元", "12.5"),
            ]
        );
        assert!(notes.iter().all(|c| c.row == 9 && !c.reason.is_empty()));
        assert_eq!(record.to_json()["credit_code"], code.as_str());
        // What was typed as the schema writes it is not a correction.
        let clean = record_to_cells(&record, true);
        let (_, none) = parse_row_noting(&map, 9, &clean).unwrap();
        assert_eq!(none, vec![]);
    }

    #[test]
    fn missing_required_header() {
        let errs = HeaderMap::new(EntityKind::Organisation, &["名称".to_string()]).unwrap_err();
        assert!(errs.iter().any(|e| e.column == "统一社会信用代码"));
    }

    #[test]
    fn application_nested_cells() {
        let kind = EntityKind::Application;
        let heads = headers(kind, false);
        let map = HeaderMap::new(kind, &heads).unwrap();
        let code = CreditCode::with_check_digit("91150203MA0N00001").unwrap();
        let id = IdNumber::with_check_digit("15020319800101123").unwrap();
        let mut cells = vec![Cell::Empty; heads.len()];
        cells[1] = t("高性能钕铁硼");
        cells[2] = t("市科技局-2025");
        cells[3] = Cell::Number(2025.0);
        cells[4] = t(code.as_str());
        cells[7] = t(&format!("张三/{}/负责人", id.full()));
        cells[8] = t("设备费:50；材料费：20.5");
        cells[10] = t("【研究内容】晶界扩散【技术路线】重稀土减量");
        let r = parse_row(&map, 3, &cells).unwrap();
        let Record::Application(a) = &r else { panic!() };
        assert_eq!(a.budget_lines.len(), 2);
        assert_eq!(a.sections[1].heading, "技术路线");
        let masked = record_to_cells(&r, false);
        assert!(masked[7].display().contains("********"));
    }
}
