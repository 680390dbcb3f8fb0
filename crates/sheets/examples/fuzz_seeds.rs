//! Writes the fuzz targets' seed corpus (`fuzz/corpus/<target>/`) from the sample generator:
//! per kind, a small XLSX and CSV file of three sample records, the JSON bodies, the encoded
//! rows for the `rows` target, and the shipped policy rules. Deterministic (the sample seed).
//!
//!   cargo run -p innomesh-sheets --example fuzz_seeds -- fuzz/corpus

use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::tabular::{headers, record_to_cells, Cell};
use innomesh_core::{EntityKind, Record};
use innomesh_sheets::{write_csv, write_xlsx, Sheet};
use std::path::Path;

/// The `rows` target's encoding: see `fuzz/fuzz_targets/rows.rs`.
fn encode_rows(kind: EntityKind, rows: &[Vec<Cell>]) -> Vec<u8> {
    let index = EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8;
    let mut out = vec![index];
    out.extend(headers(kind, true).join("\u{1f}").into_bytes());
    for row in rows {
        out.push(0x1e);
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Empty => "#e".to_string(),
                Cell::Number(n) => format!("#n{n}"),
                Cell::Bool(_) => "#b".to_string(),
                Cell::Formula => "#f".to_string(),
                other => other.display(),
            })
            .collect();
        out.extend(cells.join("\u{1f}").into_bytes());
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/corpus".into());
    let dir = Path::new(&dir);
    for t in [
        "xlsx",
        "xlsx_sheet",
        "csv",
        "rows",
        "json_body",
        "policy_rule",
    ] {
        std::fs::create_dir_all(dir.join(t))?;
    }
    let data = generate(SampleConfig::default());
    for (ki, kind) in EntityKind::ALL.iter().enumerate() {
        let records: Vec<&Record> = data
            .records
            .iter()
            .filter(|r| r.kind() == *kind)
            .take(3)
            .collect();
        let heads = headers(*kind, true);
        let rows: Vec<Vec<Cell>> = records.iter().map(|r| record_to_cells(r, true)).collect();
        let name = kind.plural();
        std::fs::write(
            dir.join("xlsx").join(format!("{name}.xlsx")),
            write_xlsx(&[Sheet {
                name: kind.label(),
                headers: &heads,
                rows: &rows,
            }])?,
        )?;
        std::fs::write(
            dir.join("csv").join(format!("{name}.csv")),
            write_csv(&heads, &rows)?,
        )?;
        std::fs::write(dir.join("rows").join(name), encode_rows(*kind, &rows))?;
        for (i, r) in records.iter().enumerate() {
            let mut body = vec![ki as u8];
            body.extend(serde_json::to_vec(&r.to_json())?);
            std::fs::write(dir.join("json_body").join(format!("{name}-{i}.json")), body)?;
        }
        // The sheet XML of the XLSX seed, for the target that fuzzes inside a valid package.
        let xlsx = write_xlsx(&[Sheet {
            name: kind.label(),
            headers: &heads,
            rows: &rows,
        }])?;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
        let mut sheet = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("xl/worksheets/sheet1.xml")?, &mut sheet)?;
        std::fs::write(dir.join("xlsx_sheet").join(format!("{name}.xml")), sheet)?;
    }
    for (id, text) in innomesh_policy_rules() {
        std::fs::write(dir.join("policy_rule").join(format!("{id}.yaml")), text)?;
    }
    Ok(())
}

/// The shipped rule files, read from `data/policies/` (the sheets crate does not depend on the
/// policy engine).
fn innomesh_policy_rules() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/policies");
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                if let (Some(stem), Ok(text)) = (p.file_stem(), std::fs::read_to_string(&p)) {
                    out.push((stem.to_string_lossy().into_owned(), text));
                }
            }
        }
    }
    out.sort();
    out
}
