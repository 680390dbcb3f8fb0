//! Whole-file import and export for one entity kind, shared by the CLI and the HTTP API:
//! a file is imported all-or-nothing, and every bad row is reported with row, column and reason.

use crate::{read, write_csv, write_xlsx, Format, Sheet, SheetError};
use innomesh_core::schema::{field, fields};
use innomesh_core::tabular::{
    headers, parse_row, record_to_cells, template_help, HeaderMap, RowError,
};
use innomesh_core::{EntityKind, Record};
use innomesh_store::{ImportSummary, Repository, StoreError};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    pub kind: EntityKind,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    /// Columns present in the file that the kind does not use.
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] SheetError),
    /// Rows that failed; nothing was written.
    #[error("导入失败：{} 处错误，未写入任何数据", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Progress stages reported to a CLI progress bar.
pub trait Progress {
    fn parsed(&self, _rows: usize) {}
    fn writing(&self, _total: usize) {}
    fn written(&self, _done: usize) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

/// Reads, validates and writes one file. On any bad row nothing is written.
pub fn import_bytes(
    repo: &dyn Repository,
    kind: EntityKind,
    bytes: &[u8],
    format: Format,
    actor: &str,
    source: &str,
    progress: &dyn Progress,
) -> Result<ImportOutcome, ImportError> {
    let table = read(bytes, format)?;
    let map = HeaderMap::new(kind, &table.headers).map_err(ImportError::Rows)?;
    let mut records = Vec::with_capacity(table.rows.len());
    let mut row_numbers = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    for (i, (row, cells)) in table.rows.iter().enumerate() {
        match parse_row(&map, *row, cells) {
            Ok(r) => {
                records.push(r);
                row_numbers.push(*row);
            }
            Err(mut e) => errors.append(&mut e),
        }
        if i % 5000 == 4999 {
            progress.parsed(i + 1);
        }
    }
    progress.parsed(table.rows.len());
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors));
    }
    if records.is_empty() {
        return Err(ImportError::Rows(vec![RowError {
            row: 2,
            column: String::new(),
            value: String::new(),
            reason: "文件只有表头，没有数据行".into(),
        }]));
    }
    let rows = records.len();
    progress.writing(rows);
    let cells_of = |index: usize, key: &str| -> (usize, String) {
        let row = row_numbers.get(index).copied().unwrap_or(0);
        let header = field(kind, key)
            .map(|f| f.header.to_string())
            .unwrap_or_else(|| key.to_string());
        (row, header)
    };
    let written = |n: usize| progress.written(n);
    match repo.import(records, actor, source, &written)? {
        Ok(ImportSummary { created, updated }) => {
            progress.written(rows);
            Ok(ImportOutcome {
                kind,
                rows,
                created,
                updated,
                ignored_columns: map.ignored.clone(),
            })
        }
        Err(batch) => Err(ImportError::Rows(
            batch
                .into_iter()
                .map(|e| {
                    let (row, column) = cells_of(e.index, e.field);
                    RowError {
                        row,
                        column,
                        value: e.value,
                        reason: e.reason,
                    }
                })
                .collect(),
        )),
    }
}

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
    let heads = headers(kind, false);
    let rows: Vec<_> = records
        .iter()
        .map(|r| record_to_cells(r, full_personal))
        .collect();
    match format {
        Format::Csv => write_csv(&heads, &rows),
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
            if let Some(label) = sample_label {
                notes.push(vec![innomesh_core::tabular::Cell::Text(format!(
                    "本文件为{label}，由程序生成，机构名称均为虚构，不代表真实情况。"
                ))]);
            }
            write_xlsx(&[
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
            ])
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
