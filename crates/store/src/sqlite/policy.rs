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
    // One statement per case, not `($1 IS NULL OR org = $1)`: SQLite plans a statement once, and
    // the OR made one organisation's read scan every fact of the registry (seconds at ×100, on
    // every enterprise page and every patched enterprise). With the organisation named, the
    // subquery reads only its rows of the index `policy_facts_org_key`.
    const COLUMNS: &str = "SELECT f.org, f.key, f.value, f.as_of, f.source, f.note, f.actor, f.at
         FROM policy_facts f JOIN ";
    const TAIL: &str = " m ON m.seq = f.seq WHERE f.value IS NOT NULL ORDER BY f.org, f.key";
    let read = |r: &rusqlite::Row<'_>| {
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
    };
    let rows = match org {
        Some(org) => conn
            .prepare_cached(&format!(
                "{COLUMNS}(SELECT org, key, MAX(seq) AS seq FROM policy_facts
                   INDEXED BY policy_facts_org_key WHERE org = $1 GROUP BY org, key){TAIL}"
            ))?
            .query_map(params![org], read)?
            .collect::<Result<Vec<_>, _>>()?,
        None => conn
            .prepare_cached(&format!(
                "{COLUMNS}(SELECT org, key, MAX(seq) AS seq FROM policy_facts GROUP BY org, key){TAIL}"
            ))?
            .query_map([], read)?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
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

/// The latest entered value of one key per organisation (withdrawn ones left out), in
/// credit-code order, read from the index `policy_facts_key_org` alone: SQLite takes the bare
/// columns of a `MAX()` aggregate from the row holding the maximum.
pub(super) fn latest_values(
    conn: &Connection,
    key: &str,
    org: Option<&str>,
) -> Result<Vec<(String, String)>, StoreError> {
    // Two statements, not `($2 IS NULL OR org = $2)`: SQLite plans a statement once, and the
    // OR would make it scan every organisation's row of the key for one organisation.
    let read = |r: &rusqlite::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?));
    let rows: Vec<(String, Option<String>)> = match org {
        None => conn
            .prepare_cached(
                "SELECT org, value, MAX(seq) FROM policy_facts INDEXED BY policy_facts_key_org
                 WHERE key = $1 GROUP BY org ORDER BY org",
            )?
            .query_map(params![key], read)?
            .collect::<Result<_, _>>()?,
        Some(org) => conn
            .prepare_cached(
                "SELECT org, value, MAX(seq) FROM policy_facts INDEXED BY policy_facts_key_org
                 WHERE key = $1 AND org = $2 GROUP BY org",
            )?
            .query_map(params![key, org], read)?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|(org, value)| Some((org, value?)))
        .collect())
}

/// Enterprises in a region (or one of them), in list order: the indexed columns (name, region,
/// kind, flags) and six fields of the document.
pub(super) fn enterprise_profiles(
    conn: &Connection,
    region_prefix: &str,
    id: Option<&str>,
) -> Result<Vec<crate::EnterpriseProfile>, StoreError> {
    let upper = crate::query::prefix_upper(region_prefix);
    // One statement per case (an `$3 IS NULL OR` would scan the region for one enterprise).
    let mut stmt = match id {
        None => conn.prepare_cached(
            "SELECT id, name, region, flags, data FROM entities
             WHERE kind = 'organisation' AND subkind = 'enterprise'
               AND region >= $1 AND region < $2",
        )?,
        Some(_) => conn.prepare_cached(
            "SELECT id, name, region, flags, data FROM entities
             WHERE kind = 'organisation' AND id = $1 AND subkind = 'enterprise'
               AND region >= $2 AND region < $3",
        )?,
    };
    let mut rows = match id {
        None => stmt.query(params![region_prefix, upper])?,
        Some(id) => stmt.query(params![id, region_prefix, upper])?,
    };
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let flags: String = r.get(3)?;
        let data = r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?;
        let f: crate::common::ProfileFields = serde_json::from_str(data)
            .map_err(|e| StoreError::Database(format!("记录数据损坏：{e}")))?;
        out.push(crate::EnterpriseProfile {
            id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            industry: f.industry,
            founded: f.founded,
            employees: f.employees,
            rd_staff: f.rd_staff,
            revenue: f.revenue,
            rd_spend: f.rd_spend,
            high_tech: flags.contains(",high_tech,"),
            specialised: flags.contains(",specialised,"),
        });
    }
    out.sort_by(|a, b| a.list_key().cmp(&b.list_key()));
    Ok(out)
}

/// Patents per owner, from the references table (one row per achievement, field and target).
pub(super) fn patent_counts(
    conn: &Connection,
    org: Option<&str>,
) -> Result<std::collections::HashMap<String, u32>, StoreError> {
    // From the patents' ids (index `entities_kind_subkind`, migration 0015) to their owners
    // (the references' primary key): neither reads a record.
    let read = |r: &rusqlite::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u32));
    let rows: Vec<(String, u32)> = match org {
        None => conn
            .prepare_cached(
                "SELECT r.target_id, COUNT(*) FROM entities e INDEXED BY entities_kind_subkind
                 JOIN record_refs r ON r.kind = e.kind AND r.id = e.id AND r.field = 'owners'
                  AND r.target_kind = 'organisation'
                 WHERE e.kind = 'achievement' AND e.subkind = 'patent'
                 GROUP BY r.target_id",
            )?
            .query_map([], read)?
            .collect::<Result<_, _>>()?,
        Some(org) => conn
            .prepare_cached(
                "SELECT r.target_id, COUNT(*) FROM record_refs r
                 JOIN entities e ON e.kind = r.kind AND e.id = r.id AND e.subkind = 'patent'
                 WHERE r.target_kind = 'organisation' AND r.target_id = $1
                   AND r.kind = 'achievement' AND r.field = 'owners'
                 GROUP BY r.target_id",
            )?
            .query_map(params![org], read)?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows.into_iter().collect())
}
