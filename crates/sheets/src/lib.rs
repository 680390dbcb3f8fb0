//! CSV and XLSX ↔ rows of cells. Reading tolerates what Excel and WPS write (BOM, GBK-encoded
//! CSV, numbers stored as text, dates as serials); writing produces files they open cleanly.

use innomesh_core::tabular::Cell;
use innomesh_core::Date;
use std::io::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// From a file name or an explicit `csv` / `xlsx`.
    pub fn guess(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower == "csv" || lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower == "xlsx" || lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }
    /// From the first bytes: XLSX files are zip archives.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件为空或没有表头行")]
    Empty,
    #[error("无法读取 XLSX 文件（文件可能已损坏，或不是 .xlsx 格式）：{0}")]
    Xlsx(String),
    #[error("无法读取 CSV 文件：{0}")]
    Csv(String),
    #[error("无法生成 XLSX 文件：{0}")]
    Write(String),
    #[error("文件超过 {0} 行，请拆分后导入")]
    TooManyRows(usize),
}

pub const MAX_ROWS: usize = 2_000_000;

/// A header row and the data rows under it, each with its 1-based row number in the file.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

pub fn read(bytes: &[u8], format: Format) -> Result<Table, SheetError> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
    }
}

fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        // Excel and WPS on Chinese Windows save "CSV" in the ANSI code page, i.e. GBK.
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn finish(mut rows: Vec<(usize, Vec<Cell>)>) -> Result<Table, SheetError> {
    rows.retain(|(_, cells)| cells.iter().any(|c| !c.is_blank()));
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    if rows.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows(MAX_ROWS));
    }
    let (_, header) = rows.remove(0);
    let headers = header.iter().map(Cell::display).collect();
    Ok(Table { headers, rows })
}

fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| SheetError::Csv(format!("第 {} 行：{e}", i + 1)))?;
        let cells = rec
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_string())
                }
            })
            .collect();
        rows.push((i + 1, cells));
        if rows.len() > MAX_ROWS + 1 {
            return Err(SheetError::TooManyRows(MAX_ROWS));
        }
    }
    finish(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| SheetError::Xlsx(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut rows = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let mut cells = vec![Cell::Empty; start_col];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Int(n) => Cell::Number(*n as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => match Date::from_excel_serial(dt.as_f64()) {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Number(dt.as_f64()),
            },
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Error(e) => Cell::Text(format!("#{e:?}")),
        }));
        rows.push((start_row + i + 1, cells));
    }
    finish(rows)
}

/// A sheet to write: its name, header row and rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [Vec<Cell>],
}

pub fn write_csv(headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, SheetError> {
    // BOM so that Excel opens UTF-8 Chinese text correctly.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(headers)
            .map_err(|e| SheetError::Csv(e.to_string()))?;
        for r in rows {
            w.write_record(r.iter().map(Cell::display))
                .map_err(|e| SheetError::Csv(e.to_string()))?;
        }
        w.flush().map_err(|e| SheetError::Csv(e.to_string()))?;
    }
    Ok(out)
}

pub fn write_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, SheetError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| SheetError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold().set_background_color(0xDDEBF7);
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
            let width = (h.chars().count() as f64 * 2.2 + 2.0).clamp(10.0, 40.0);
            ws.set_column_width(c as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n).map_err(err)?;
                    }
                    other => {
                        ws.write_string(r, c, other.display()).map_err(err)?;
                    }
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_roundtrip() {
        let headers = vec!["名称".to_string(), "金额".to_string()];
        let rows = vec![
            vec![Cell::Text("包头".into()), Cell::Number(12.5)],
            vec![Cell::Text("示例".into()), Cell::Empty],
        ];
        let bytes = write_xlsx(&[Sheet {
            name: "组织",
            headers: &headers,
            rows: &rows,
        }])
        .unwrap();
        assert_eq!(Format::sniff(&bytes), Format::Xlsx);
        let t = read(&bytes, Format::Xlsx).unwrap();
        assert_eq!(t.headers, headers);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.rows[0].1[1], Cell::Number(12.5));
    }

    #[test]
    fn gbk_csv_and_blank_rows() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("名称,代码\n包头,1\n,\n稀土,2\n");
        let t = read(&gbk, Format::Csv).unwrap();
        assert_eq!(t.headers[0], "名称");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].0, 4);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"PK\x03\x04garbage", Format::Xlsx).is_err());
        assert!(matches!(read(b"", Format::Csv), Err(SheetError::Empty)));
    }
}

pub mod pipeline;
