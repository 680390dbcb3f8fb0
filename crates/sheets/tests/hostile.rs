//! Hostile and careless XLSX files: memory and time follow the cells really present, references
//! past Excel's limits and library faults are refusals with a reason, never a crash.

use innomesh_core::tabular::Cell;
use innomesh_sheets::{read, write_xlsx, Format, Sheet, SheetError};
use std::io::{Cursor, Read, Write};
use std::time::Instant;

/// A real workbook (written by our own writer) whose first sheet's XML is replaced.
fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    let heads = vec!["名称".to_string()];
    let base = write_xlsx(&[Sheet {
        name: "表",
        headers: &heads,
        rows: &[vec![Cell::Text("x".into())]],
    }])
    .unwrap();
    let mut src = zip::ZipArchive::new(Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            data = sheet_xml.as_bytes().to_vec();
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn sheet(cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
    )
}

fn text(r: &str, t: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)
}

#[test]
fn a_stray_far_away_cell_costs_nothing_and_is_refused_with_its_position() {
    for (far, dimension) in [("XFD1048576", "A1:XFD1048576"), ("ALL65536", "A1:ALL65536")] {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData><row r="1">{}</row><row r="2">{}</row><row r="9">{}</row></sheetData></worksheet>"#,
            text("A1", "名称"),
            text("A2", "甲"),
            text(far, "x")
        );
        let t = Instant::now();
        let err = read(&xlsx_with_sheet(&xml), Format::Xlsx).unwrap_err();
        assert!(
            t.elapsed().as_secs_f64() < 2.0,
            "{far}: bounded by real content"
        );
        assert!(err.to_string().contains(far), "{far}: {err}");
    }
}

#[test]
fn references_past_excel_limits_never_panic() {
    for r in ["ZZZZZZ99999999999", "A99999999999", "XFE1", "A1048577"] {
        let xml = sheet(&format!(
            "<row r=\"1\">{}</row><row r=\"2\">{}</row>",
            text("A1", "名称"),
            text(r, "x")
        ));
        match read(&xlsx_with_sheet(&xml), Format::Xlsx) {
            Err(SheetError::Limit(_)) | Err(SheetError::Xlsx(_)) => {}
            other => panic!("{r}: expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn a_formula_without_a_cached_value_is_marked_not_silently_empty() {
    let xml = sheet(&format!(
        "<row r=\"1\">{}{}</row><row r=\"2\">{}<c r=\"B2\"><f>1+1</f></c></row>",
        text("A1", "名称"),
        text("B1", "人数"),
        text("A2", "甲")
    ));
    let t = read(&xlsx_with_sheet(&xml), Format::Xlsx).unwrap();
    assert_eq!(t.rows[0].1[1], Cell::Formula);
}

#[test]
fn garbage_and_truncated_files_are_refusals() {
    let good = xlsx_with_sheet(&sheet(&format!(
        "<row r=\"1\">{}</row>",
        text("A1", "名称")
    )));
    for bytes in [
        good[..good.len() / 2].to_vec(),
        b"PK\x03\x04not a zip at all".to_vec(),
        vec![0u8; 1000],
    ] {
        assert!(read(&bytes, Format::Xlsx).is_err());
    }
}
