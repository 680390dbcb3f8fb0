//! Whole-file import for one entity kind, the same for the web import page, the API and the CLI:
//! a file is read (`innomesh-sheets`), every row converted and checked, and written
//! all-or-nothing; every bad row is reported with row, column and reason.

use crate::{App, Code, Error};
use innomesh_core::schema::field;
use innomesh_core::tabular::{parse_row_noting, Correction, HeaderMap, RowError};
use innomesh_core::EntityKind;
use innomesh_sheets::{read, Format};
use innomesh_store::ImportSummary;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    pub kind: EntityKind,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    /// Columns present in the file that the kind does not use.
    pub ignored_columns: Vec<String>,
    /// 「已自动修正」: every silent normalisation made while reading the cells (trimmed spaces,
    /// full-width or lower-case codes, `1,000`, date forms), the first [`MAX_CORRECTIONS`].
    pub corrections: Vec<Correction>,
    /// How many there were in all.
    pub corrections_total: usize,
}

/// Most corrections listed in one import report (the count is always complete).
pub const MAX_CORRECTIONS: usize = 1000;

/// Progress stages reported to a CLI progress bar.
pub trait Progress {
    fn parsed(&self, _rows: usize) {}
    fn writing(&self, _total: usize) {}
    fn written(&self, _done: usize) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

/// Reads, validates and writes one file. On any bad row nothing is written.
pub(crate) fn import_bytes(
    app: &App,
    who: &crate::Principal,
    kind: EntityKind,
    bytes: &[u8],
    format: Format,
    source: &str,
    progress: &dyn Progress,
) -> Result<ImportOutcome, Error> {
    let mut table = read(bytes, format).map_err(|e| Error::new(Code::BadFile, e.to_string()))?;
    // A 技术合同登记 export imports into tech-deals under its own headers (see
    // `innomesh_core::registration`); its refusals name the file's columns.
    let mut registration: Option<innomesh_core::registration::Converted> = None;
    if kind == EntityKind::TechDeal {
        use innomesh_core::registration as reg;
        if let Some(h) = reg::header_row(&table.headers, &table.rows) {
            table.headers = h;
            table.rows.remove(0);
        }
        if reg::detect(&table.headers) {
            let lookup = crate::deals::RegistryLookup::load(app)?;
            let mut c = reg::convert(&table.headers, &table.rows, &lookup).map_err(rejected)?;
            table.headers = std::mem::take(&mut c.headers);
            table.rows = std::mem::take(&mut c.rows);
            registration = Some(c);
        }
    }
    let reject = |mut errors: Vec<RowError>| {
        // The fix, where the system knows it (「九原区」 → 150207), before columns are renamed.
        app.suggest_fixes(who, kind, &mut errors);
        if let Some(c) = &registration {
            for e in &mut errors {
                if let Some(h) = c.columns.get(&e.column) {
                    e.column = h.clone();
                }
            }
        }
        rejected(errors)
    };
    let map = HeaderMap::new(kind, &table.headers).map_err(reject)?;
    restore_masked(app, &map, &mut table.rows)?;
    let mut records = Vec::with_capacity(table.rows.len());
    let mut row_numbers = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    let mut corrections: Vec<Correction> = registration
        .as_ref()
        .map(|c| {
            c.corrections
                .iter()
                .take(MAX_CORRECTIONS)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut corrections_total = registration.as_ref().map_or(0, |c| c.corrections.len());
    for (i, (row, cells)) in table.rows.iter().enumerate() {
        match parse_row_noting(&map, *row, cells) {
            Ok((r, notes)) => {
                records.push(r);
                row_numbers.push(*row);
                corrections_total += notes.len();
                let room = MAX_CORRECTIONS.saturating_sub(corrections.len());
                corrections.extend(notes.into_iter().take(room));
            }
            Err(mut e) => errors.append(&mut e),
        }
        if i % 5000 == 4999 {
            progress.parsed(i + 1);
        }
    }
    progress.parsed(table.rows.len());
    if !errors.is_empty() {
        return Err(reject(errors));
    }
    // Rows that update stored records keep the fields the file has no column for (the stored
    // records are read in batches, not one query per row).
    if let Some(stored) = stored_for_partial_columns(app, &map, &records)? {
        let mut merged = Vec::with_capacity(records.len());
        for (r, row) in records.into_iter().zip(&row_numbers) {
            match keep_unlisted(&map, r, *row, &stored) {
                Ok(r) => merged.push(r),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return Err(reject(errors));
        }
        records = merged;
    }
    if records.is_empty() {
        return Err(reject(vec![RowError {
            row: 2,
            column: String::new(),
            value: String::new(),
            reason: "文件只有表头，没有数据行".into(),
        }]));
    }
    // A new demand or deal starts at its workflow's first stage, as through a form or the API
    // (a 技术合同登记 export records contracts already registered, so its deals may be later).
    if registration.is_none() {
        let mut late = Vec::new();
        for (r, row) in records.iter().zip(&row_numbers) {
            let Err(e) = crate::workflow::check_initial(r) else {
                continue;
            };
            let stored = !r.id().is_empty() && app.repo().get(kind, r.id())?.is_some();
            if !stored {
                let (column, value, _) = crate::workflow::initial_status(r).unwrap_or(("", "", ""));
                late.push(RowError {
                    row: *row,
                    column: column.to_string(),
                    value: value.to_string(),
                    reason: e.message,
                });
            }
        }
        if !late.is_empty() {
            return Err(reject(late));
        }
    }
    // Row by row, the caller's scope: one row outside it refuses the whole file.
    let refused = app.check_batch(who, &records)?;
    if !refused.is_empty() {
        return Err(reject(
            refused
                .into_iter()
                .map(|(i, reason)| RowError {
                    row: row_numbers.get(i).copied().unwrap_or(0),
                    column: String::new(),
                    value: String::new(),
                    reason,
                })
                .collect(),
        ));
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
    match app.import_records(who, records, source, &written)? {
        Ok(ImportSummary { created, updated }) => {
            progress.written(rows);
            Ok(ImportOutcome {
                kind,
                rows,
                created,
                updated,
                ignored_columns: registration
                    .as_ref()
                    .map(|c| c.ignored.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .chain(map.ignored.clone())
                    .collect(),
                corrections,
                corrections_total,
            })
        }
        Err(batch) => Err(reject(
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

/// A row that updates a stored record replaces only the fields the file has columns for: a file
/// with fewer columns than the template (an older export, a hand-made list of names and codes)
/// must not wipe what it does not mention. New records take defaults as before.
/// The stored records a file with fewer columns than the template updates, by id; `None` when
/// the file has every column (nothing to keep).
fn stored_for_partial_columns(
    app: &App,
    map: &HeaderMap,
    records: &[innomesh_core::Record],
) -> Result<Option<std::collections::HashMap<String, innomesh_core::Record>>, Error> {
    let specs = innomesh_core::schema::fields(map.kind());
    if (0..specs.len()).all(|i| map.column(i).is_some()) {
        return Ok(None);
    }
    let ids: Vec<String> = records
        .iter()
        .map(|r| r.id().to_string())
        .filter(|id| !id.is_empty())
        .collect();
    let mut stored = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = innomesh_store::ListQuery::new(map.kind());
        q.scope = Some(vec![innomesh_store::ScopeFilter::Ids(chunk.to_vec())]);
        q.per_page = 1000;
        for r in app.repo().list(&q)?.records {
            stored.insert(r.id().to_string(), r);
        }
    }
    Ok(Some(stored))
}

fn keep_unlisted(
    map: &HeaderMap,
    parsed: innomesh_core::Record,
    row: usize,
    stored: &std::collections::HashMap<String, innomesh_core::Record>,
) -> Result<innomesh_core::Record, Vec<RowError>> {
    let specs = innomesh_core::schema::fields(map.kind());
    let listed: Vec<&str> = specs
        .iter()
        .enumerate()
        .filter(|(i, _)| map.column(*i).is_some())
        .map(|(_, f)| f.key)
        .collect();
    let fail = |reason: String| {
        vec![RowError {
            row,
            column: String::new(),
            value: String::new(),
            reason,
        }]
    };
    let Some(stored) = stored.get(parsed.id()) else {
        return Ok(parsed);
    };
    let mut merged = stored.to_json();
    let given = parsed.to_json();
    if let (Some(m), Some(g)) = (merged.as_object_mut(), given.as_object()) {
        for key in listed {
            match g.get(key) {
                Some(v) => m.insert(key.to_string(), v.clone()),
                None => m.remove(key),
            };
        }
    }
    innomesh_core::Record::from_json(map.kind(), merged).map_err(fail)
}

fn rejected(errors: Vec<RowError>) -> Error {
    Error::new(
        Code::ImportRejected,
        format!("导入失败：{} 处错误，未写入任何数据", errors.len()),
    )
    .with_errors(errors)
}

/// A masked personal value (「134****2672」, as every export writes it) in a row that updates a
/// stored record means "keep the stored value", so an exported file can be edited and imported
/// back. In a new record, or where the mask does not match the stored value, it is refused.
fn restore_masked(
    app: &App,
    map: &HeaderMap,
    rows: &mut [(usize, Vec<innomesh_core::tabular::Cell>)],
) -> Result<(), Error> {
    use innomesh_core::schema::fields;
    use innomesh_core::tabular::{record_to_cells, Cell};
    let kind = map.kind();
    let specs = fields(kind);
    let personal: Vec<(usize, usize)> = specs
        .iter()
        .enumerate()
        .filter(|(_, f)| f.personal || f.key == "team")
        .filter_map(|(i, _)| map.column(i).map(|c| (i, c)))
        .collect();
    if personal.is_empty() {
        return Ok(());
    }
    let key_index = specs
        .iter()
        .position(|f| f.key == "id" || f.key == "credit_code");
    let Some(key_col) = key_index.and_then(|i| map.column(i)) else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for (row, cells) in rows.iter_mut() {
        let masked_cols: Vec<(usize, usize)> = personal
            .iter()
            .copied()
            .filter(|(_, c)| {
                cells
                    .get(*c)
                    .map(|cell| cell.display().contains('*'))
                    .unwrap_or(false)
            })
            .collect();
        if masked_cols.is_empty() {
            continue;
        }
        let id = cells
            .get(key_col)
            .map(|c| c.display().trim().to_uppercase())
            .unwrap_or_default();
        let stored = if id.is_empty() {
            None
        } else {
            app.repo().get(kind, &id)?
        };
        for (i, c) in masked_cols {
            let header = specs[i].header;
            let given = cells[c].display();
            match &stored {
                Some(rec) => {
                    let masked = record_to_cells(rec, false);
                    let full = record_to_cells(rec, true);
                    if masked.get(i).map(|m| m.display()) == Some(given.clone()) {
                        cells[c] = full.get(i).cloned().unwrap_or(Cell::Empty);
                    } else {
                        errors.push(RowError {
                            row: *row,
                            column: header.to_string(),
                            value: given,
                            reason: "是脱敏值（含 *），但与登记库中的值不符：保留原值请勿修改脱敏值，修改请填写完整值".into(),
                        });
                    }
                }
                None => errors.push(RowError {
                    row: *row,
                    column: header.to_string(),
                    value: given,
                    reason: "是脱敏值（含 *）：新记录须填写完整值".into(),
                }),
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(rejected(errors))
    }
}
