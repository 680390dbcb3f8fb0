//! Checks a write must pass before it touches a table: a record's own rules, every record it
//! points at (each reference its kind's schema declares must name a record of the store or of the
//! same batch), the regions records inherit from their organisations, and the one rule on a
//! reference beyond existence (a demand's manager is a technology manager). Backend-independent:
//! a backend answers the two look-ups of `Lookup` from its tables.

use crate::{BatchError, StoreError};
use innomesh_core::schema::field;
use innomesh_core::{CreditCode, EntityKind, Labelled, Record, Reference, RegionCode};
use std::collections::{HashMap, HashSet};

/// What the checks read of the store, inside the writing transaction.
pub(crate) trait Lookup {
    /// The ids of `kind` among `ids` that the store holds, with their region.
    fn stored(
        &mut self,
        kind: EntityKind,
        ids: &HashSet<&str>,
    ) -> Result<HashMap<String, Option<String>>, StoreError>;
    /// The role code of a stored person (none when no such person).
    fn person_role(&mut self, id: &str) -> Result<Option<String>, StoreError>;
}

/// A single record for create/update: its own rules, then its references.
pub(crate) fn checked_single(conn: &mut dyn Lookup, record: Record) -> Result<Record, StoreError> {
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

/// What a reference to a missing record is told, naming the field and the value.
fn missing(owner: EntityKind, r: &Reference) -> String {
    let header = field(owner, r.field).map_or(r.field, |f| f.header);
    match r.kind {
        EntityKind::Organisation => format!(
            "「{header}」填写的统一社会信用代码 {} 的组织不在登记库中：请先导入该组织",
            r.id
        ),
        kind => format!(
            "「{header}」填写的{}「{}」不在登记库中：请先登记，或改用已有的编号",
            kind.label(),
            r.id
        ),
    }
}

/// Reference checks shared by single writes and imports: every reference of every record must
/// name a record of the batch or the store. Fills regions inherited from organisations.
pub(crate) fn check_references(
    conn: &mut dyn Lookup,
    records: &mut [Record],
) -> Result<Vec<BatchError>, StoreError> {
    let refs: Vec<Vec<Reference>> = records.iter().map(Record::references).collect();
    // Records of the batch, and the regions of its organisations.
    let mut known: HashMap<(EntityKind, String), Option<String>> = records
        .iter()
        .filter(|r| !r.id().is_empty())
        .map(|r| {
            let region = match r {
                Record::Organisation(o) => Some(o.region.as_str().to_string()),
                _ => None,
            };
            ((r.kind(), r.id().to_string()), region)
        })
        .collect();
    let mut wanted: HashMap<EntityKind, HashSet<&str>> = HashMap::new();
    for r in refs.iter().flatten() {
        if !known.contains_key(&(r.kind, r.id.clone())) {
            wanted.entry(r.kind).or_default().insert(&r.id);
        }
    }
    for (kind, ids) in &wanted {
        for (id, region) in conn.stored(*kind, ids)? {
            known.insert((*kind, id), region);
        }
    }
    let mut errors = Vec::new();
    for (index, (record, refs)) in records.iter_mut().zip(&refs).enumerate() {
        for r in refs {
            if !known.contains_key(&(r.kind, r.id.clone())) {
                errors.push(BatchError {
                    index,
                    field: r.field,
                    value: r.id.clone(),
                    reason: missing(record.kind(), r),
                });
            }
        }
        record.inherit_region(|c: &CreditCode| {
            known
                .get(&(EntityKind::Organisation, c.as_str().to_string()))
                .and_then(|r| r.as_deref())
                .and_then(|r| RegionCode::parse(r).ok())
        });
    }
    errors.extend(check_managers(conn, records)?);
    Ok(errors)
}

/// A demand's technology manager must be a person of that role (in the batch or the store).
fn check_managers(
    conn: &mut dyn Lookup,
    records: &[Record],
) -> Result<Vec<BatchError>, StoreError> {
    let batch_roles: HashMap<&str, &'static str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) => Some((p.id.as_str(), p.role.code())),
            _ => None,
        })
        .collect();
    let mut errors = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let Record::Demand(d) = record else { continue };
        let Some(manager) = d.manager.as_deref().filter(|m| !m.trim().is_empty()) else {
            continue;
        };
        let role: Option<String> = match batch_roles.get(manager) {
            Some(r) => Some(r.to_string()),
            None => conn.person_role(manager)?,
        };
        // A manager not in the registry at all is reported as a missing reference.
        if role.is_some() && role.as_deref() != Some("technology_manager") {
            errors.push(BatchError {
                index,
                field: "manager",
                value: manager.to_string(),
                reason: format!("「{manager}」不是技术经理人：请选择人员类型为技术经理人的人员"),
            });
        }
    }
    Ok(errors)
}
