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

/// An empty import template: marked headers, and a second sheet explaining every column.
pub fn template_bytes(kind: EntityKind, format: Format) -> Result<Vec<u8>, SheetError> {
    let heads = headers(kind, true);
    match format {
        Format::Csv => write_csv(&heads, &[]),
        Format::Xlsx => {
            use innomesh_core::tabular::Cell;
            let help_headers: Vec<String> = ["列名", "是否必填", "填写说明"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let help_rows: Vec<Vec<Cell>> = fields(kind)
                .iter()
                .zip(template_help(kind))
                .map(|(f, help)| {
                    vec![
                        Cell::Text(f.header.to_string()),
                        Cell::Text(if f.required { "必填" } else { "选填" }.into()),
                        Cell::Text(help),
                    ]
                })
                .collect();
            write_xlsx(&[
                Sheet {
                    name: kind.label(),
                    headers: &heads,
                    rows: &[],
                },
                Sheet {
                    name: "填写说明",
                    headers: &help_headers,
                    rows: &help_rows,
                },
            ])
        }
    }
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
