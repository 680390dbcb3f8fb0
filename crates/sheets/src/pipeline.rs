//! Whole files of one entity kind: exports, empty templates and error reports. Reading a file into
//! records and writing them to the registry is `innomesh-app`'s import (this crate knows formats only).

use crate::{
    write_csv, write_csv_titled, write_xlsx, write_xlsx_titled, Format, Sheet, SheetError,
};
use innomesh_core::schema::fields;
use innomesh_core::tabular::{headers, record_to_cells, template_help, RowError};
use innomesh_core::{EntityKind, Record};

/// A file name for downloads: `organisations-示例数据.xlsx` when the data are samples.
pub fn file_name(kind: EntityKind, what: &str, format: Format, sample: bool) -> String {
    format!(
        "{}{}{}.{}",
        kind.plural(),
        what,
        if sample { "-示例数据" } else { "" },
        format.extension()
    )
}

/// Every record of a kind as a file; personal data masked unless `full_personal`.
pub fn export_bytes(
    records: &[Record],
    kind: EntityKind,
    format: Format,
    full_personal: bool,
    sample_label: Option<&str>,
) -> Result<Vec<u8>, SheetError> {
    export_filtered_bytes(records, kind, format, full_personal, sample_label, &[])
}

/// The records a filtered list holds, as a file that says so: with `filters` (each in words,
/// 「行政区划：昆都仑区（150203）」) its first line is 「筛选条件：……」 above the headers, repeated
/// on the 说明 sheet. Such a file imports back like an unfiltered one.
pub fn export_filtered_bytes(
    records: &[Record],
    kind: EntityKind,
    format: Format,
    full_personal: bool,
    sample_label: Option<&str>,
    filters: &[String],
) -> Result<Vec<u8>, SheetError> {
    let heads = headers(kind, false);
    let rows: Vec<_> = records
        .iter()
        .map(|r| record_to_cells(r, full_personal))
        .collect();
    let title = (!filters.is_empty())
        .then(|| format!("{}{}", crate::FILTER_LINE_PREFIX, filters.join("；")));
    match format {
        Format::Csv => write_csv_titled(title.as_deref(), &heads, &rows),
        Format::Xlsx => {
            let name = match sample_label {
                Some(label) => format!("{}（{label}）", kind.label()),
                None => kind.label().to_string(),
            };
            let note_headers = vec!["说明".to_string()];
            let mut notes = vec![vec![innomesh_core::tabular::Cell::Text(format!(
                "{}：共 {} 条；个人信息{}。",
                kind.label(),
                records.len(),
                if full_personal {
                    "未脱敏，请妥善保管"
                } else {
                    "已脱敏"
                }
            ))]];
            notes.push(vec![innomesh_core::tabular::Cell::Text(match &title {
                Some(t) => format!("{t}（只含符合这些条件的记录）。"),
                None => format!("{}未筛选：全部记录。", crate::FILTER_LINE_PREFIX),
            })]);
            if let Some(label) = sample_label {
                notes.push(vec![innomesh_core::tabular::Cell::Text(format!(
                    "本文件为{label}，由程序生成，机构名称均为虚构，不代表真实情况。"
                ))]);
            }
            write_xlsx_titled(
                title.as_deref(),
                &[
                    Sheet {
                        name: &name,
                        headers: &heads,
                        rows: &rows,
                    },
                    Sheet {
                        name: "说明",
                        headers: &note_headers,
                        rows: &notes,
                    },
                ],
            )
        }
    }
}

/// Rows of a template's data sheet that carry the drop-down lists.
pub const TEMPLATE_ROWS: u32 = 10_000;

/// Name of the template's hidden sheet holding the long drop-down lists.
pub const LISTS_SHEET: &str = "可选值";

/// An empty import template: marked headers, a drop-down list on every column that takes values
/// from a closed list (choices, 是/否, regions, industries; the lists on the hidden sheet
/// 「可选值」), and a second sheet explaining every column with an example value that passes every
/// check (`innomesh_core::tabular::template_example`).
pub fn template_bytes(kind: EntityKind, format: Format) -> Result<Vec<u8>, SheetError> {
    let heads = headers(kind, true);
    match format {
        Format::Csv => write_csv(&heads, &[]),
        Format::Xlsx => template_xlsx(kind, &heads),
    }
}

fn template_xlsx(kind: EntityKind, heads: &[String]) -> Result<Vec<u8>, SheetError> {
    use innomesh_core::tabular::{closed_list, template_example};
    use rust_xlsxwriter::{
        DataValidation, DataValidationErrorStyle, Format as XFormat, Formula, Workbook,
    };
    let err = |e: rust_xlsxwriter::XlsxError| SheetError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold().set_background_color(0xDDEBF7);
    let specs = fields(kind);
    let lists: Vec<(usize, Vec<String>, bool)> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, f)| closed_list(f).map(|(l, strict)| (i, l, strict)))
        .collect();
    {
        let ws = wb.add_worksheet();
        ws.set_name(kind.label()).map_err(err)?;
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
            let width = (h.chars().count() as f64 * 2.2 + 2.0).clamp(10.0, 40.0);
            ws.set_column_width(c as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (n, (col, list, strict)) in lists.iter().enumerate() {
            let letter = column_letters(n as u16);
            let formula = format!("='{LISTS_SHEET}'!${letter}$2:${letter}${}", list.len() + 1);
            let header = &specs[*col].header;
            let mut dv = DataValidation::new()
                .allow_list_formula(Formula::new(formula))
                .set_input_title(*header)
                .map_err(err)?;
            dv = if *strict {
                dv.set_error_title("不是可选值")
                    .map_err(err)?
                    .set_error_message(format!("「{header}」请从下拉列表中选择"))
                    .map_err(err)?
            } else {
                dv.set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title("不在常用列表中")
                    .map_err(err)?
                    .set_error_message(format!(
                        "「{header}」不在下拉列表中：导入时按国家标准代码表校验"
                    ))
                    .map_err(err)?
            };
            ws.add_data_validation(1, *col as u16, TEMPLATE_ROWS, *col as u16, &dv)
                .map_err(err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明").map_err(err)?;
        for (c, h) in ["列名", "是否必填", "填写说明", "示例（可通过全部校验）"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
        }
        for (c, w) in [20.0, 10.0, 50.0, 40.0].iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        let examples = template_example(kind);
        for (r, ((f, help), example)) in specs
            .iter()
            .zip(template_help(kind))
            .zip(examples)
            .enumerate()
        {
            let r = r as u32 + 1;
            ws.write_string(r, 0, f.header).map_err(err)?;
            ws.write_string(r, 1, if f.required { "必填" } else { "选填" })
                .map_err(err)?;
            ws.write_string(r, 2, help).map_err(err)?;
            if !example.is_empty() {
                ws.write_string(r, 3, example).map_err(err)?;
            }
        }
        let note = specs.len() as u32 + 2;
        ws.write_string(
            note,
            0,
            "示例列的编号类引用（如技术经理人编号、信用代码）须是登记库中已有的记录；可在表单或导入中填写名称，系统会提示对应的代码。",
        )
        .map_err(err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(LISTS_SHEET).map_err(err)?;
        for (n, (col, list, _)) in lists.iter().enumerate() {
            let c = n as u16;
            ws.write_string_with_format(0, c, specs[*col].header, &bold)
                .map_err(err)?;
            for (r, v) in list.iter().enumerate() {
                ws.write_string(r as u32 + 1, c, v).map_err(err)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save_to_buffer().map_err(err)
}

/// `A`, `B`, … `Z`, `AA`: a column's letters.
fn column_letters(mut n: u16) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// The validation report as a file the user can open next to the original.
pub fn error_report_xlsx(errors: &[RowError]) -> Result<Vec<u8>, SheetError> {
    use innomesh_core::tabular::Cell;
    let heads: Vec<String> = ["行号", "列", "值", "原因"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<Cell>> = errors
        .iter()
        .map(|e| {
            vec![
                Cell::Number(e.row as f64),
                Cell::Text(e.column.clone()),
                Cell::Text(e.value.clone()),
                Cell::Text(e.reason.clone()),
            ]
        })
        .collect();
    write_xlsx(&[Sheet {
        name: "错误报告",
        headers: &heads,
        rows: &rows,
    }])
}
