//! Checks a write must pass before it touches a table: a record's own rules, the organisations
//! it names by credit code (whose regions it may inherit), the records it names by id, the
//! programmes applications name and the chain edges nodes name.

use super::{existing_ids, exists};
use crate::{BatchError, StoreError};
use innomesh_core::entity::{IdReference, Reference};
use innomesh_core::{CreditCode, EntityKind, Labelled, Record, RegionCode};
use rusqlite::{Connection, OptionalExtension, ToSql};
use std::collections::{HashMap, HashSet};

/// Regions of organisations, for the codes asked (those absent are not in the registry).
fn org_regions(
    conn: &Connection,
    codes: &HashSet<String>,
) -> rusqlite::Result<HashMap<String, RegionCode>> {
    let mut out = HashMap::new();
    let list: Vec<&String> = codes.iter().collect();
    for chunk in list.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT id, region FROM entities WHERE kind = 'organisation' AND id IN ({})",
            placeholders.join(",")
        );
        let mut stmt = conn.prepare(&sql)?;
        let params: Vec<&dyn ToSql> = chunk.iter().map(|s| *s as &dyn ToSql).collect();
        let rows = stmt.query_map(params.as_slice(), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        for row in rows {
            let (id, region) = row?;
            if let Some(region) = region.and_then(|r| RegionCode::parse(&r).ok()) {
                out.insert(id, region);
            }
        }
    }
    Ok(out)
}

/// A single record for create/update: its own rules, then its references.
pub(super) fn checked_single(conn: &Connection, record: Record) -> Result<Record, StoreError> {
    record.validate().map_err(|e| {
        StoreError::Invalid(
            e.iter()
                .map(|x| x.message.clone())
                .collect::<Vec<_>>()
                .join("；"),
        )
    })?;
    let mut one = [record];
    if let Some(e) = check_references(conn, &mut one)?.first() {
        return Err(StoreError::UnknownReference(e.reason.clone()));
    }
    let [record] = one;
    Ok(record)
}

/// Reference checks shared by single writes and imports.
pub(super) fn check_references(
    conn: &Connection,
    records: &mut [Record],
) -> Result<Vec<BatchError>, StoreError> {
    let batch_orgs: HashMap<String, RegionCode> = records
        .iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some((o.credit_code.as_str().to_string(), o.region.clone())),
            _ => None,
        })
        .collect();
    let wanted: HashSet<String> = records
        .iter()
        .flat_map(|r| r.references())
        .map(|r| r.code.as_str().to_string())
        .filter(|c| !batch_orgs.contains_key(c))
        .collect();
    let mut known = org_regions(conn, &wanted)?;
    known.extend(batch_orgs);
    let mut errors = Vec::new();
    for (index, record) in records.iter_mut().enumerate() {
        for Reference { field, code } in record.references() {
            if !known.contains_key(code.as_str()) {
                errors.push(BatchError {
                    index,
                    field,
                    value: code.to_string(),
                    reason: format!("统一社会信用代码 {code} 的组织不在登记库中：请先导入该组织"),
                });
            }
        }
        record.inherit_region(|c: &CreditCode| known.get(c.as_str()).cloned());
    }
    // References by id (a demand's technology manager, the demand and solver of a response) must
    // name records of the batch or the store.
    let batch_ids: HashSet<(EntityKind, String)> = records
        .iter()
        .filter(|r| !r.id().is_empty())
        .map(|r| (r.kind(), r.id().to_string()))
        .collect();
    let mut checked: HashMap<(EntityKind, String), bool> = HashMap::new();
    let batch_roles: HashMap<String, &'static str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some((p.id.clone(), p.role.code())),
            _ => None,
        })
        .collect();
    for (index, record) in records.iter().enumerate() {
        for IdReference { field, kind, id } in record.id_references() {
            let key = (kind, id);
            let found = match checked.get(&key) {
                Some(f) => *f,
                None => {
                    let f = batch_ids.contains(&key) || exists(conn, key.0, &key.1)?;
                    checked.insert(key.clone(), f);
                    f
                }
            };
            if found && field == "manager" {
                let in_batch = batch_roles.get(key.1.as_str()).map(|r| r.to_string());
                let role: Option<String> = match in_batch {
                    Some(r) => Some(r),
                    None => conn
                        .query_row(
                            "SELECT json_extract(data, '$.role') FROM entities WHERE kind = 'person' AND id = $1",
                            [&key.1],
                            |r| r.get(0),
                        )
                        .optional()?
                        .flatten(),
                };
                if role.as_deref() != Some("technology_manager") {
                    errors.push(BatchError {
                        index,
                        field,
                        value: key.1.clone(),
                        reason: format!(
                            "「{}」不是技术经理人：请选择人员类型为技术经理人的人员",
                            key.1
                        ),
                    });
                }
            }
            if !found {
                errors.push(BatchError {
                    index,
                    field,
                    value: key.1.clone(),
                    reason: format!(
                        "{}「{}」不在登记库中：请先登记，或改用已有的编号",
                        kind.label(),
                        key.1
                    ),
                });
            }
        }
    }
    // Applications must name a programme the registry holds (or that arrives in the same batch).
    if records.iter().any(|r| matches!(r, Record::Application(_))) {
        let mut programmes = existing_ids(conn, EntityKind::Programme)?;
        programmes.extend(
            records
                .iter()
                .filter(|r| r.kind() == EntityKind::Programme)
                .map(|r| r.id().to_string()),
        );
        for (index, record) in records.iter().enumerate() {
            if let Record::Application(a) = record {
                if !programmes.contains(&a.programme) {
                    errors.push(BatchError {
                        index,
                        field: "programme",
                        value: a.programme.clone(),
                        reason: format!(
                            "专项「{}」未登记：请先在「专项」中登记，或改用已有的专项编号",
                            a.programme
                        ),
                    });
                }
            }
        }
    }
    // Chain edges must point at nodes that exist in the batch or the store.
    let has_nodes = records.iter().any(|r| matches!(r, Record::ChainNode(_)));
    if has_nodes {
        let mut nodes = existing_ids(conn, EntityKind::ChainNode)?;
        nodes.extend(
            records
                .iter()
                .filter(|r| r.kind() == EntityKind::ChainNode)
                .map(|r| r.id().to_string()),
        );
        for (index, record) in records.iter().enumerate() {
            if let Record::ChainNode(n) = record {
                for s in &n.supplies {
                    if !nodes.contains(s) {
                        errors.push(BatchError {
                            index,
                            field: "supplies",
                            value: s.clone(),
                            reason: format!("下游节点「{s}」不存在"),
                        });
                    }
                }
            }
        }
    }
    Ok(errors)
}
