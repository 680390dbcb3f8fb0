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
    /// A limit that keeps one file from exhausting memory or time (the message names it).
    #[error("{0}")]
    Limit(String),
}

pub const MAX_ROWS: usize = 2_000_000;

/// A header row and the data rows under it, each with its 1-based row number in the file.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// Reads a whole file. Never panics: a fault inside a reader library is reported as an unreadable
/// file, so one upload cannot take the server down.
pub fn read(bytes: &[u8], format: Format) -> Result<Table, SheetError> {
    let run = || match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(r) => r,
        Err(_) => Err(match format {
            Format::Xlsx => SheetError::Xlsx("文件内容无法解析（结构异常）".into()),
            Format::Csv => SheetError::Csv("文件内容无法解析（结构异常）".into()),
        }),
    }
}

fn decode_text(bytes: &[u8]) -> String {
    // Excel's "Unicode text" is UTF-16 with a byte-order mark.
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return encoding_rs::UTF_16LE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
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
    // A filtered export's filter line above the headers (see `FILTER_LINE_PREFIX`).
    let filter_line = |cells: &[Cell]| {
        let filled: Vec<&Cell> = cells.iter().filter(|c| !c.is_blank()).collect();
        filled.len() == 1 && filled[0].display().starts_with(FILTER_LINE_PREFIX)
    };
    if rows.len() > 1 && filter_line(&rows[0].1) {
        rows.remove(0);
    }
    let (_, header) = rows.remove(0);
    let headers = header.iter().map(Cell::display).collect();
    Ok(Table { headers, rows })
}

/// The same limits as an XLSX file: size (as unpacked), rows, columns, cells, characters in a cell.
fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
    if bytes.len() as u64 > MAX_UNPACKED_BYTES {
        return Err(SheetError::Limit(format!(
            "文件超过 {} MB，请拆分后导入",
            MAX_UNPACKED_BYTES / 1024 / 1024
        )));
    }
    let text = decode_text(bytes);
    // Tab-separated when the header line has tabs and no commas ("Unicode text" from Excel).
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut count = 0usize;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| SheetError::Csv(format!("第 {} 行：{e}", i + 1)))?;
        let mut cells = Vec::with_capacity(rec.len());
        for (c, s) in rec.iter().enumerate() {
            if s.trim().is_empty() {
                cells.push(Cell::Empty);
                continue;
            }
            check_cell_limits(i as u32, c as u32, s)?;
            count += 1;
            if count > MAX_CELLS {
                return Err(too_many_cells());
            }
            cells.push(Cell::Text(unneutralise(s).to_string()));
        }
        // Trailing empty cells carry nothing (Excel pads every row to its widest): dropped, as
        // the XLSX reader never stores them, so a row is never wider than its last value.
        while matches!(cells.last(), Some(Cell::Empty)) {
            cells.pop();
        }
        rows.push((i + 1, cells));
        if rows.len() > MAX_ROWS + 1 {
            return Err(SheetError::TooManyRows(MAX_ROWS));
        }
    }
    finish(rows)
}

/// A cell past the widest sheet accepted, or longer than Excel allows (0-based position).
fn check_cell_limits(row: u32, col: u32, text: &str) -> Result<(), SheetError> {
    if col >= MAX_COLUMNS {
        return Err(SheetError::Limit(format!(
            "单元格 {}（第 {} 行第 {} 列）超出本系统导入的最大列数 {MAX_COLUMNS}：请删除模板以外的列",
            cell_name(row, col),
            row as u64 + 1,
            col as u64 + 1
        )));
    }
    // A UTF-8 string has at least as many bytes as characters: count only long ones.
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Err(SheetError::Limit(format!(
            "单元格 {}（第 {} 行第 {} 列）的内容超过 {MAX_CELL_CHARS} 个字符",
            cell_name(row, col),
            row as u64 + 1,
            col as u64 + 1
        )));
    }
    Ok(())
}

fn too_many_cells() -> SheetError {
    SheetError::Limit(format!("文件的非空单元格超过 {MAX_CELLS} 个，请拆分后导入"))
}

/// Excel's own limits: a reference past them is not a real cell.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;
pub const EXCEL_MAX_COLUMNS: u32 = 16_384;
/// Widest sheet accepted: every kind's template has far fewer columns.
pub const MAX_COLUMNS: u32 = 512;
/// Most non-empty cells read from one file (2,000,000 rows × 15 columns on average).
pub const MAX_CELLS: usize = 30_000_000;
/// Longest text in one cell, in characters (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// Most bytes an XLSX may unpack to, and the largest ratio of unpacked to packed size of a part.
pub const MAX_UNPACKED_BYTES: u64 = 2 * 1024 * 1024 * 1024;
pub const MAX_PACK_RATIO: u64 = 1_000;

/// `A1`-style name of a 0-based position.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let r = ((c - 1) % 26) as u8;
        letters.push((b'A' + r) as char);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        row as u64 + 1
    )
}

/// Refuses zip bombs before anything is unpacked: the declared sizes of every part are summed
/// and compared with what was sent.
fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Xlsx(format!("不是有效的 XLSX（zip）文件：{e}")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| SheetError::Xlsx(format!("文件内部结构损坏：{e}")))?;
        let (packed, unpacked) = (entry.compressed_size(), entry.size());
        total = total.saturating_add(unpacked);
        if unpacked > 1024 * 1024 && unpacked / packed.max(1) > MAX_PACK_RATIO {
            return Err(SheetError::Limit(format!(
                "文件中的「{}」解压后过大（压缩比超过 {MAX_PACK_RATIO} 倍），疑似压缩炸弹，未读取",
                entry.name().map(|n| n.to_string()).unwrap_or_default()
            )));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(SheetError::Limit(format!(
            "文件解压后超过 {} MB，请拆分后导入",
            MAX_UNPACKED_BYTES / 1024 / 1024
        )));
    }
    // The declared sizes can lie: the pre-scan counts what each part really unpacks to, and
    // checks every cell reference before the XLSX library does arithmetic on it.
    prescan::scan(&mut archive)
}

/// The checks made before the XLSX library sees a file (zip directory, then the pre-scan of every
/// part), alone: for `examples/prescan_bench.rs`.
#[doc(hidden)]
pub fn check_xlsx_before_reading(bytes: &[u8]) -> Result<(), SheetError> {
    check_zip(bytes)
}

/// Streams the first sheet's cells: memory and time follow the cells really present, never the
/// sheet's declared dimensions or a stray far-away reference.
fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    use calamine::{open_workbook_from_rs, DataRef, Reader, Xlsx};
    use std::collections::BTreeMap;
    check_zip(bytes)?;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| SheetError::Xlsx(e.to_string()))?;
    let name = wb.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    // Cells arrive row by row in every file Excel, WPS or LibreOffice writes: they go straight
    // into the current row. A file whose cells come out of order is reassembled through a map.
    let mut rows: Vec<(u32, Vec<Cell>)> = Vec::new();
    let mut out_of_order: BTreeMap<u32, BTreeMap<u32, Cell>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(rec) = reader
        .next_cell_with_formula_metadata()
        .map_err(|e| SheetError::Xlsx(e.to_string()))?
    {
        let (r, c) = rec.pos;
        if r >= EXCEL_MAX_ROWS || c >= EXCEL_MAX_COLUMNS {
            return Err(SheetError::Limit(format!(
                "单元格 {} 超出 Excel 的范围（最多 {EXCEL_MAX_ROWS} 行、{EXCEL_MAX_COLUMNS} 列），文件可能已损坏",
                cell_name(r, c)
            )));
        }
        let cell = match rec.value {
            DataRef::Empty if rec.formula.is_some() => Cell::Formula,
            DataRef::Empty => continue,
            DataRef::String(s) => Cell::Text(s),
            DataRef::SharedString(s) => Cell::Text(s.to_string()),
            DataRef::Int(n) => Cell::Number(n as f64),
            DataRef::Float(f) => Cell::Number(f),
            DataRef::Bool(b) => Cell::Bool(b),
            DataRef::DateTime(dt) => match Date::from_excel_serial(dt.as_f64()) {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Number(dt.as_f64()),
            },
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
            DataRef::Error(e) => Cell::Text(format!("#{e:?}")),
        };
        check_cell_limits(
            r,
            c,
            match &cell {
                Cell::Text(t) => t,
                _ => "",
            },
        )?;
        count += 1;
        if count > MAX_CELLS {
            return Err(too_many_cells());
        }
        match rows.last_mut() {
            Some((last, cells)) if *last == r => {
                let c = c as usize;
                if cells.len() <= c {
                    cells.resize(c + 1, Cell::Empty);
                }
                cells[c] = cell;
            }
            Some((last, _)) if *last > r => {
                out_of_order.entry(r).or_default().insert(c, cell);
            }
            _ => {
                let mut cells = vec![Cell::Empty; c as usize + 1];
                cells[c as usize] = cell;
                rows.push((r, cells));
            }
        }
        if rows.len() + out_of_order.len() > MAX_ROWS + 1 {
            return Err(SheetError::TooManyRows(MAX_ROWS));
        }
    }
    if !out_of_order.is_empty() {
        for (r, cells) in rows.drain(..) {
            let row = out_of_order.entry(r).or_default();
            for (c, cell) in cells.into_iter().enumerate() {
                if !matches!(cell, Cell::Empty) {
                    row.entry(c as u32).or_insert(cell);
                }
            }
        }
        rows = out_of_order
            .into_iter()
            .map(|(r, cols)| {
                let width = cols
                    .keys()
                    .next_back()
                    .map(|c| *c as usize + 1)
                    .unwrap_or(0);
                let mut cells = vec![Cell::Empty; width];
                for (c, cell) in cols {
                    cells[c as usize] = cell;
                }
                (r, cells)
            })
            .collect();
    }
    let rows = rows
        .into_iter()
        .map(|(r, cells)| (r as usize + 1, cells))
        .collect();
    finish(rows)
}

/// A sheet to write: its name, header row and rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [Vec<Cell>],
}

/// Characters that make a spreadsheet read a CSV cell as a formula.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text that a spreadsheet would run as a formula gets a leading `'` (OWASP's CSV-injection
/// advice), so an exported file never executes what someone typed into a record.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(FORMULA_LEADS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The reverse on import: a `'` that `neutralise` added is dropped again.
fn unneutralise(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_LEADS) => rest,
        _ => text,
    }
}

/// How a filtered export's first line begins (「筛选条件：行政区划：昆都仑区；……」). The reader
/// skips such a line above the headers, so a filtered export imports back like any other.
pub const FILTER_LINE_PREFIX: &str = "筛选条件：";

pub fn write_csv(headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, SheetError> {
    write_csv_titled(None, headers, rows)
}

/// A CSV whose first line is `title` (a filter line, see [`FILTER_LINE_PREFIX`]) when given.
pub fn write_csv_titled(
    title: Option<&str>,
    headers: &[String],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, SheetError> {
    // BOM so that Excel opens UTF-8 Chinese text correctly.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        if let Some(t) = title {
            w.write_record([neutralise(t)])
                .map_err(|e| SheetError::Csv(e.to_string()))?;
        }
        w.write_record(headers)
            .map_err(|e| SheetError::Csv(e.to_string()))?;
        for r in rows {
            w.write_record(r.iter().map(|c| match c {
                Cell::Text(_) => neutralise(&c.display()),
                other => other.display(),
            }))
            .map_err(|e| SheetError::Csv(e.to_string()))?;
        }
        w.flush().map_err(|e| SheetError::Csv(e.to_string()))?;
    }
    Ok(out)
}

pub fn write_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, SheetError> {
    write_xlsx_titled(None, sheets)
}

/// An XLSX whose first sheet starts with the line `title` (a filter line, see
/// [`FILTER_LINE_PREFIX`]) above its headers, when given.
pub fn write_xlsx_titled(title: Option<&str>, sheets: &[Sheet<'_>]) -> Result<Vec<u8>, SheetError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| SheetError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold().set_background_color(0xDDEBF7);
    for (i, sheet) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).map_err(err)?;
        let top = match title.filter(|_| i == 0) {
            Some(t) => {
                ws.write_string_with_format(0, 0, t, &XFormat::new().set_bold())
                    .map_err(err)?;
                1
            }
            None => 0,
        };
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(top, c as u16, h, &bold)
                .map_err(err)?;
            let width = (h.chars().count() as f64 * 2.2 + 2.0).clamp(10.0, 40.0);
            ws.set_column_width(c as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(top + 1, 0).map_err(err)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1 + top;
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
    fn csv_cells_never_run_as_formulas_and_survive_a_round_trip() {
        let heads = vec!["名称".to_string()];
        let texts = ["=1+1", "+86 123", "-x", "@SUM(A1)", "\tx", "普通", "'引号"];
        let rows: Vec<Vec<Cell>> = texts
            .iter()
            .map(|t| vec![Cell::Text(t.to_string())])
            .collect();
        let bytes = write_csv(&heads, &rows).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        for line in text.lines().skip(1) {
            let cell = line.trim_matches('"');
            assert!(!cell.starts_with(FORMULA_LEADS), "{line}");
        }
        let back = read(&bytes, Format::Csv).unwrap();
        let got: Vec<String> = back.rows.iter().map(|(_, c)| c[0].display()).collect();
        let want: Vec<String> = texts.iter().map(|t| t.trim().to_string()).collect();
        assert_eq!(got, want);
    }

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

    /// A filtered export's first line 「筛选条件：……」 is read as what it is, not as the headers,
    /// in both formats; a one-cell first line that is not a filter line stays the header row.
    #[test]
    fn filter_line_above_the_headers_is_skipped_on_reading() {
        let headers = vec!["名称".to_string(), "金额".to_string()];
        let rows = vec![vec![Cell::Text("包头".into()), Cell::Number(12.5)]];
        let line = format!("{FILTER_LINE_PREFIX}行政区划：昆都仑区（150203）");
        let x = write_xlsx_titled(
            Some(&line),
            &[Sheet {
                name: "组织",
                headers: &headers,
                rows: &rows,
            }],
        )
        .unwrap();
        let c = write_csv_titled(Some(&line), &headers, &rows).unwrap();
        assert!(String::from_utf8_lossy(&c).contains(&line));
        for (bytes, f) in [(x, Format::Xlsx), (c, Format::Csv)] {
            let t = read(&bytes, f).unwrap();
            assert_eq!(t.headers, headers, "{f:?}");
            assert_eq!(t.rows.len(), 1);
            assert_eq!(t.rows[0].0, 3, "row numbers stay the file's");
        }
        let t = read("标题\n名称,金额\n包头,1\n".as_bytes(), Format::Csv).unwrap();
        assert_eq!(t.headers, vec!["标题".to_string()]);
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
    fn csv_has_the_xlsx_limits_and_names_the_cell() {
        let wide = vec!["x"; MAX_COLUMNS as usize + 1].join(",");
        let e = read(format!("名称\n{wide}\n").as_bytes(), Format::Csv).unwrap_err();
        assert!(
            e.to_string().contains("SS2（第 2 行第 513 列）") && e.to_string().contains("512"),
            "{e}"
        );
        let long = "长".repeat(MAX_CELL_CHARS + 1);
        let e = read(format!("名称,说明\n甲,{long}\n").as_bytes(), Format::Csv).unwrap_err();
        assert!(
            e.to_string().contains("B2（第 2 行第 2 列）") && e.to_string().contains("32767"),
            "{e}"
        );
        // Exactly at the limits is fine.
        let ok = "长".repeat(MAX_CELL_CHARS);
        assert!(read(format!("名称\n{ok}\n").as_bytes(), Format::Csv).is_ok());
    }

    /// Found by fuzzing (csv): a row of 513 or more cells whose cells past the 512th are empty
    /// came out wider than the widest sheet accepted.
    #[test]
    fn csv_rows_padded_with_empty_cells_stay_within_the_column_limit() {
        let padding = ",".repeat(MAX_COLUMNS as usize + 100);
        let t = read(
            format!("名称,代码{padding}\n包头,1{padding}\n").as_bytes(),
            Format::Csv,
        )
        .unwrap();
        assert_eq!(t.headers, vec!["名称", "代码"]);
        assert_eq!(
            t.rows[0].1,
            vec![Cell::Text("包头".into()), Cell::Text("1".into())]
        );
        // A value past the limit is still refused.
        let e = read(format!("名称{padding}x\n").as_bytes(), Format::Csv).unwrap_err();
        assert!(e.to_string().contains(&MAX_COLUMNS.to_string()), "{e}");
    }

    #[test]
    fn utf16_csv_with_tabs_is_read() {
        let text = "名称\t代码\n包头\t1\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let t = read(&bytes, Format::Csv).unwrap();
        assert_eq!(t.headers, vec!["名称", "代码"]);
        assert_eq!(t.rows[0].1[0], Cell::Text("包头".into()));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"PK\x03\x04garbage", Format::Xlsx).is_err());
        assert!(matches!(read(b"", Format::Csv), Err(SheetError::Empty)));
    }
}

pub mod pipeline;
mod prescan;
