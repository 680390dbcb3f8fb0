//! One function per fuzz target; each must never panic, whatever the bytes.

use innomesh_core::tabular::{headers, parse_row, record_to_cells, Cell, HeaderMap};
use innomesh_core::{Date, EntityKind, Record};
use innomesh_sheets::{read, Format};
use std::io::{Cursor, Write};

/// Whole XLSX files as uploaded: any bytes give a table or a refusal, within the memory limit.
pub fn xlsx(data: &[u8]) {
    let _ = read(data, Format::Xlsx);
}

/// CSV files as uploaded (UTF-8, GBK, anything): a table or a refusal.
pub fn csv(data: &[u8]) {
    if let Ok(t) = read(data, Format::Csv) {
        for (n, cells) in &t.rows {
            assert!(*n >= 2, "data rows are numbered after the header");
            assert!(cells.len() <= innomesh_sheets::MAX_COLUMNS as usize);
        }
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A minimal well-formed XLSX package around a worksheet XML (and shared strings).
pub fn xlsx_package(sheet: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(s) = shared {
        parts.push(("xl/sharedStrings.xml", s));
    }
    for (name, bytes) in parts {
        w.start_file(name, opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// The worksheet XML inside a well-formed package (random bytes rarely get past the zip layer).
/// Input: sheet XML, then optionally `\0` and the sharedStrings XML.
pub fn xlsx_sheet(data: &[u8]) {
    let (sheet, shared) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let _ = read(&xlsx_package(sheet, shared), Format::Xlsx);
}

fn cell(raw: &[u8]) -> Cell {
    let text = String::from_utf8_lossy(raw);
    match text.get(..2) {
        Some("#n") => Cell::Number(text[2..].trim().parse().unwrap_or(f64::NAN)),
        Some("#d") => match text[2..].trim().parse::<f64>().map(Date::from_excel_serial) {
            Ok(Ok(d)) => Cell::Date(d),
            _ => Cell::Empty,
        },
        Some("#b") => Cell::Bool(text.len().is_multiple_of(2)),
        Some("#f") => Cell::Formula,
        Some("#e") => Cell::Empty,
        _ if text.is_empty() => Cell::Empty,
        _ => Cell::Text(text.into_owned()),
    }
}

fn kind_of(byte: u8) -> EntityKind {
    EntityKind::ALL[byte as usize % EntityKind::ALL.len()]
}

/// Row → record conversion of every kind (`innomesh_core::tabular`): header matching, each
/// cell's type, code checks, record checks; an accepted record's export row reads back.
///
/// Input: one byte choosing the kind, then rows separated by 0x1E and cells by 0x1F; the first
/// row is the header row (empty: the kind's template headers). A cell starting with `#n` is a
/// number, `#d` a date (Excel serial), `#b` a boolean, `#f` a formula without a cached value,
/// `#e` empty; anything else is text.
pub fn rows(data: &[u8]) {
    let Some((k, rest)) = data.split_first() else {
        return;
    };
    let kind = kind_of(*k);
    let mut rows = rest.split(|b| *b == 0x1e);
    let head: Vec<String> = match rows.next() {
        Some(h) if !h.is_empty() => h
            .split(|b| *b == 0x1f)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect(),
        _ => headers(kind, true),
    };
    let Ok(map) = HeaderMap::new(kind, &head) else {
        return;
    };
    let full = HeaderMap::new(kind, &headers(kind, false)).expect("template headers");
    for (i, row) in rows.enumerate() {
        let cells: Vec<Cell> = row.split(|b| *b == 0x1f).map(cell).collect();
        if let Ok(record) = parse_row(&map, i + 2, &cells) {
            let out = record_to_cells(&record, true);
            let _ = parse_row(&full, i + 2, &out);
        }
    }
}

/// The create/update bodies of every kind, as `POST /api/{kind}` and `PUT /api/{kind}/{id}`
/// read them: JSON → record → record checks; an accepted record reads back from its JSON.
/// Input: one byte choosing the kind, then the body.
pub fn json_body(data: &[u8]) {
    let Some((k, body)) = data.split_first() else {
        return;
    };
    let kind = kind_of(*k);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    if !value.is_object() {
        return;
    }
    let Ok(record) = Record::from_json(kind, value) else {
        return;
    };
    if record.validate().is_err() {
        return;
    }
    let _ = record.to_masked_json();
    let _ = record.references();
    let back = Record::from_json(kind, record.to_json()).expect("a stored record reads back");
    assert_eq!(back.to_json(), record.to_json());
}

const FACTS_SEP: &[u8] = b"\0---facts\0";

/// Policy rule files (YAML): parse + validation, then evaluation with no facts, or with the
/// facts (JSON) after a `\0---facts\0` separator, at three dates.
pub fn policy_rule(data: &[u8]) {
    use innomesh_policy::{evaluate, parse_facts, CompiledRule, Facts, Rule};
    let (yaml, facts) = match data.windows(FACTS_SEP.len()).position(|w| w == FACTS_SEP) {
        Some(i) => (&data[..i], Some(&data[i + FACTS_SEP.len()..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(yaml) else {
        return;
    };
    let Ok(rule) = Rule::from_yaml(text) else {
        return;
    };
    let facts: Facts = facts
        .and_then(|f| serde_json::from_slice::<serde_json::Value>(f).ok())
        .and_then(|v| v.as_object().cloned())
        .and_then(|o| parse_facts(&rule, &o).ok())
        .unwrap_or_default();
    for (y, m, d) in [(2020, 1, 1), (2025, 6, 30), (2030, 12, 31)] {
        let date = innomesh_policy::Date::from_ymd(y, m, d).expect("a real date");
        let _ = evaluate(&rule, &facts, date);
        let _ = CompiledRule::new(&rule, date);
    }
}

/// Every target by name (for the seed replay).
/// A target: bytes in, no panic out.
pub type Target = fn(&[u8]);

pub const ALL: &[(&str, Target)] = &[
    ("xlsx", xlsx),
    ("xlsx_sheet", xlsx_sheet),
    ("csv", csv),
    ("rows", rows),
    ("json_body", json_body),
    ("policy_rule", policy_rule),
];
