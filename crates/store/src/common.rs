//! Logic every backend shares: reading a stored document, the checks of a batch that need no
//! database, the message of a refused delete, the demand history cut.

use crate::personal::Keyring;
use crate::{BatchError, DemandTransition, Relation, StoreError};
use innomesh_core::{EntityKind, Record};
use std::collections::HashMap;

/// `to_status` of the history row written when a demand is deleted.
pub(crate) const DELETED: &str = "deleted";

/// A stored document as a record, its personal values opened.
/// The record an update names, checked against its address (kind and id) the same way on every
/// backend: an empty id takes the address's; a different one is refused (ids never change).
pub(crate) fn update_target(
    kind: EntityKind,
    id: &str,
    record: &mut Record,
) -> Result<(), StoreError> {
    if record.kind() != kind {
        return Err(StoreError::Invalid("记录类型与地址不符".into()));
    }
    if record.id().is_empty() {
        record.set_id(id.to_string());
    }
    if record.id() != id {
        return Err(StoreError::Invalid(format!(
            "记录编号「{}」与地址中的「{id}」不一致；编号不能修改",
            record.id()
        )));
    }
    Ok(())
}

pub(crate) fn decode(keys: &Keyring, kind: EntityKind, data: &str) -> Result<Record, StoreError> {
    let mut value: serde_json::Value = serde_json::from_str(data)
        .map_err(|e| StoreError::Database(format!("记录数据损坏：{e}")))?;
    keys.open_doc(kind, &mut value)?;
    Record::from_json(kind, value)
        .map_err(|e| StoreError::Database(format!("记录数据与当前模型不符：{e}")))
}

/// Each record's own rules, as batch errors (field key and value named).
pub(crate) fn invalid_records(records: &[Record]) -> Vec<BatchError> {
    let mut errors = Vec::new();
    for (index, r) in records.iter().enumerate() {
        let Err(bad) = r.validate() else { continue };
        let (kind, doc) = (r.kind(), r.to_json());
        for e in bad {
            let value = match &doc[e.field.as_str()] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                v => v.to_string(),
            };
            errors.push(BatchError {
                index,
                field: innomesh_core::schema::field(kind, &e.field)
                    .map_or(kind.id_key(), |f| f.key),
                value,
                reason: e.message,
            });
        }
    }
    errors
}

/// The same id twice in one batch.
pub(crate) fn repeated_ids(records: &[Record]) -> Vec<BatchError> {
    let mut errors = Vec::new();
    // The same id twice in one file is almost always a copy-paste mistake: refuse it.
    let mut seen: HashMap<(EntityKind, String), usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.id().is_empty() {
            continue;
        }
        if let Some(first) = seen.insert((r.kind(), r.id().to_string()), i) {
            errors.push(BatchError {
                index: i,
                field: if r.kind() == EntityKind::Organisation {
                    "credit_code"
                } else {
                    "id"
                },
                value: r.id().to_string(),
                reason: format!("与本文件中第 {} 条记录重复", first + 1),
            });
        }
    }
    errors
}

/// 「该专项被 12 条项目申报引用（AP000001、AP000002、AP000003…），请先处理这些记录」: who points
/// at the record a delete was refused for, by kind, with a few ids of each.
pub(crate) fn referenced_message(kind: EntityKind, referrers: &[Relation]) -> String {
    let mut by_kind: Vec<(EntityKind, Vec<&str>)> = Vec::new();
    for r in referrers {
        match by_kind.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, ids)) => {
                if ids.last() != Some(&r.id.as_str()) {
                    ids.push(&r.id)
                }
            }
            None => by_kind.push((r.kind, vec![&r.id])),
        }
    }
    let few = |ids: &[&str]| {
        let shown: Vec<&str> = ids.iter().take(3).copied().collect();
        let more = if ids.len() > 3 { "…" } else { "" };
        format!("（{}{more}）", shown.join("、"))
    };
    let who = match by_kind.as_slice() {
        [(k, ids)] => format!("{} 条{}引用{}", ids.len(), k.label(), few(ids)),
        _ => {
            let parts: Vec<String> = by_kind
                .iter()
                .map(|(k, ids)| format!("{} 条{}{}", ids.len(), k.label(), few(ids)))
                .collect();
            format!("{}引用", parts.join("、"))
        }
    };
    format!("该{}被 {who}，请先处理这些记录", kind.label())
}

/// A demand's own history starts after the last deletion of a demand with its id.
pub(crate) fn cut_history(rows: &mut Vec<DemandTransition>, id: Option<&str>) {
    if id.is_some() {
        if let Some(cut) = rows.iter().rposition(|t| t.to == DELETED) {
            rows.drain(..=cut);
        }
    }
}

/// The fields of an organisation's document that policy facts read; the rest of the document
/// is skipped unparsed.
#[derive(serde::Deserialize)]
pub(crate) struct ProfileFields {
    #[serde(default)]
    pub(crate) industry: Option<String>,
    #[serde(default)]
    pub(crate) founded: Option<String>,
    #[serde(default)]
    pub(crate) employees: Option<u32>,
    #[serde(default)]
    pub(crate) rd_staff: Option<u32>,
    #[serde(default)]
    pub(crate) revenue: Option<f64>,
    #[serde(default)]
    pub(crate) rd_spend: Option<f64>,
}

/// An open with another personal-data key than the one the database's values are sealed with.
pub(crate) fn key_mismatch(
    recorded: &str,
    keys: &Keyring,
    origin: &crate::keyfile::KeyOrigin,
) -> StoreError {
    use crate::keyfile;
    let id = recorded;
    StoreError::DataKey(format!(
        "个人信息密钥不符：数据库中的个人信息由密钥 {id} 加密，而{origin}中的密钥是 {}。\
             请使用原来的密钥（设置原来的 {}，或放回原来的 {}；轮换留下的旧密钥文件名为 \
             {}.<编号>.retired）",
        keys.current.id(),
        keyfile::KEY_ENV,
        keyfile::KEY_FILE,
        keyfile::KEY_FILE,
    ))
}

/// A database whose newest migration is newer than this program knows was written by a newer
/// version: refuse it rather than misread it.
pub(crate) fn refuse_newer(newest: Option<i64>, known: i64) -> Result<(), StoreError> {
    match newest {
        Some(n) if n > known => Err(StoreError::Invalid(format!(
            "数据库的结构版本（迁移 {n}）比本程序支持的（迁移 {known}）新：它由更新版本的 innomesh 写入。\
             请使用更新版本的 innomesh，不要用旧版本打开它"
        ))),
        _ => Ok(()),
    }
}
