//! Policy facts and rule versions in the store: append-only rows, each write one transaction with
//! its audit entry (kind `policy_fact` / `policy_rule`, which the search catch-up ignores).

use super::audit;
use crate::{Actor, FactEntry, RuleVersion, StoreError, StoredFact};
use rusqlite::{params, Connection};

pub(super) fn set_facts(
    conn: &mut Connection,
    rows: &[(String, FactEntry)],
    actor: &Actor,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let now = crate::now_rfc3339();
    // One audit entry per organisation, naming every key written for it.
    let mut details: Vec<(String, Vec<String>)> = Vec::new();
    for (org, e) in rows {
        tx.prepare_cached(
            "INSERT INTO policy_facts (org, key, value, as_of, source, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )?
        .execute(params![org, e.key, e.value, e.as_of, e.source, e.note, actor.name, now])?;
        let line = format!(
            "{}={}（{}，{}）",
            e.key,
            e.value.as_deref().unwrap_or("（撤回）"),
            e.as_of,
            e.source
        );
        match details.last_mut() {
            Some((o, d)) if o == org => d.push(line),
            _ => details.push((org.clone(), vec![line])),
        }
    }
    for (org, d) in details {
        audit(
            &tx,
            &now,
            actor,
            "set_policy_facts",
            Some("policy_fact"),
            Some(&org),
            &d.join("；"),
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The current entered facts (the latest row per organisation and key, withdrawn ones left out),
/// of one organisation or of all.
pub(super) fn facts(conn: &Connection, org: Option<&str>) -> Result<Vec<StoredFact>, StoreError> {
    let sql = "SELECT f.org, f.key, f.value, f.as_of, f.source, f.note, f.actor, f.at
         FROM policy_facts f
         JOIN (SELECT org, key, MAX(seq) AS seq FROM policy_facts
               WHERE ($1 IS NULL OR org = $1) GROUP BY org, key) m ON m.seq = f.seq
         WHERE f.value IS NOT NULL
         ORDER BY f.org, f.key";
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([org], |r| {
        Ok(StoredFact {
            org: r.get(0)?,
            key: r.get(1)?,
            value: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            as_of: r.get(3)?,
            source: r.get(4)?,
            note: r.get(5)?,
            actor: r.get(6)?,
            at: r.get(7)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}

pub(super) fn save_rule(
    conn: &mut Connection,
    rule_id: &str,
    yaml: &str,
    note: &str,
    actor: &Actor,
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    let now = crate::now_rfc3339();
    tx.execute(
        "INSERT INTO policy_rules (rule_id, yaml, note, actor, at) VALUES ($1, $2, $3, $4, $5)",
        params![rule_id, yaml, note, actor.name, now],
    )?;
    let seq = tx.last_insert_rowid();
    audit(
        &tx,
        &now,
        actor,
        "save_policy_rule",
        Some("policy_rule"),
        Some(rule_id),
        &format!("第 {seq} 版；{note}"),
    )?;
    tx.commit()?;
    Ok(seq)
}

/// Saved rule versions, newest first: of one rule, or the latest of every rule.
pub(super) fn rules(
    conn: &Connection,
    rule_id: Option<&str>,
) -> Result<Vec<RuleVersion>, StoreError> {
    let sql = if rule_id.is_some() {
        "SELECT seq, rule_id, yaml, note, actor, at FROM policy_rules WHERE rule_id = $1 ORDER BY seq DESC"
    } else {
        "SELECT seq, rule_id, yaml, note, actor, at FROM policy_rules
         WHERE seq IN (SELECT MAX(seq) FROM policy_rules GROUP BY rule_id) AND $1 IS NULL
         ORDER BY rule_id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([rule_id], |r| {
        Ok(RuleVersion {
            seq: r.get(0)?,
            rule_id: r.get(1)?,
            yaml: r.get(2)?,
            note: r.get(3)?,
            actor: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}
