//! `AssessmentStore` for SQLite (migration 0010).

use super::{audit, SqliteStore};
use crate::assessment::{
    AssessmentEntry, AssessmentRound, AssessmentStore, EvidenceFile, RoundPair, StoredFramework,
};
use crate::{Actor, StoreError};
use rusqlite::{params, OptionalExtension, Row};

const ROUND_COLUMNS: &str = "id, name, framework_id, framework_version, framework, year, status, snapshot, snapshot_hash, results, created_at, published_at";

fn round_row(r: &Row<'_>) -> rusqlite::Result<AssessmentRound> {
    Ok(AssessmentRound {
        id: r.get(0)?,
        name: r.get(1)?,
        framework_id: r.get(2)?,
        framework_version: r.get(3)?,
        framework: r.get(4)?,
        year: r.get(5)?,
        status: r.get(6)?,
        snapshot: r.get(7)?,
        snapshot_hash: r.get(8)?,
        results: r.get(9)?,
        created_at: r.get(10)?,
        published_at: r.get(11)?,
        pairs: Vec::new(),
    })
}

fn round_pairs(conn: &rusqlite::Connection, id: &str) -> Result<Vec<RoundPair>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT unit_id, centre, laboratory FROM assessment_round_pairs WHERE round_id = $1 ORDER BY unit_id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(RoundPair {
            unit_id: r.get(0)?,
            centre: r.get(1)?,
            laboratory: r.get(2)?,
        })
    })?;
    rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
}

const EVIDENCE_COLUMNS: &str = "id, round_id, unit_id, indicator, file_name, media_type, size, sha256, uploaded_by, uploaded_at";

fn evidence_row(r: &Row<'_>) -> rusqlite::Result<EvidenceFile> {
    Ok(EvidenceFile {
        id: r.get(0)?,
        round_id: r.get(1)?,
        unit_id: r.get(2)?,
        indicator: r.get(3)?,
        file_name: r.get(4)?,
        media_type: r.get(5)?,
        size: r.get(6)?,
        sha256: r.get(7)?,
        uploaded_by: r.get(8)?,
        uploaded_at: r.get(9)?,
    })
}

const ENTRY_COLUMNS: &str = "round_id, unit_id, indicator, value, evidence, status, entered_by, entered_at, reviewed_by, reviewed_at, review_note";

fn entry_row(r: &Row<'_>) -> rusqlite::Result<AssessmentEntry> {
    Ok(AssessmentEntry {
        round_id: r.get(0)?,
        unit_id: r.get(1)?,
        indicator: r.get(2)?,
        value: r.get(3)?,
        evidence: r.get(4)?,
        status: r.get(5)?,
        entered_by: r.get(6)?,
        entered_at: r.get(7)?,
        reviewed_by: r.get(8)?,
        reviewed_at: r.get(9)?,
        review_note: r.get(10)?,
    })
}

fn round_status(conn: &rusqlite::Connection, id: &str) -> Result<String, StoreError> {
    conn.query_row(
        "SELECT status FROM assessment_rounds WHERE id = $1",
        [id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        kind: "评估轮次",
        id: id.to_string(),
    })
}

impl AssessmentStore for SqliteStore {
    fn assessment_framework_save(
        &self,
        f: &StoredFramework,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let exists: i64 = tx.query_row(
            "SELECT COUNT(*) FROM assessment_frameworks WHERE id = $1 AND version = $2",
            params![f.id, f.version],
            |r| r.get(0),
        )?;
        if exists > 0 {
            return Err(StoreError::Conflict(format!(
                "指标体系「{}」版本「{}」已存在：版本一经保存不可修改，请使用新的版本号",
                f.id, f.version
            )));
        }
        let now = crate::now_rfc3339();
        tx.execute(
            "INSERT INTO assessment_frameworks (id, version, framework, created_at) VALUES ($1, $2, $3, $4)",
            params![f.id, f.version, f.framework, now],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "assessment_framework_save",
            Some("assessment_framework"),
            Some(&format!("{}@{}", f.id, f.version)),
            &format!("{} 字节", f.framework.len()),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn assessment_frameworks(&self) -> Result<Vec<StoredFramework>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(
            "SELECT id, version, framework, created_at FROM assessment_frameworks ORDER BY id, created_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredFramework {
                id: r.get(0)?,
                version: r.get(1)?,
                framework: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn assessment_round_create(
        &self,
        round: &AssessmentRound,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let exists: i64 = tx.query_row(
            "SELECT COUNT(*) FROM assessment_rounds WHERE id = $1",
            [&round.id],
            |r| r.get(0),
        )?;
        if exists > 0 {
            return Err(StoreError::Conflict(format!(
                "评估轮次「{}」已存在",
                round.id
            )));
        }
        let now = crate::now_rfc3339();
        tx.execute(
            "INSERT INTO assessment_rounds (id, name, framework_id, framework_version, framework, year, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7)",
            params![
                round.id,
                round.name,
                round.framework_id,
                round.framework_version,
                round.framework,
                round.year,
                now
            ],
        )?;
        for p in &round.pairs {
            tx.execute(
                "INSERT INTO assessment_round_pairs (round_id, unit_id, centre, laboratory) VALUES ($1, $2, $3, $4)",
                params![round.id, p.unit_id, p.centre, p.laboratory],
            )?;
        }
        audit(
            &tx,
            &now,
            actor,
            "assessment_round_create",
            Some("assessment_round"),
            Some(&round.id),
            &format!(
                "指标体系 {} 版本 {}，年度 {}{}",
                round.framework_id,
                round.framework_version,
                round.year,
                if round.pairs.is_empty() {
                    String::new()
                } else {
                    format!(
                        "；中心—实验室对 {}",
                        round
                            .pairs
                            .iter()
                            .map(|p| p.unit_id.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    )
                }
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn assessment_rounds(&self) -> Result<Vec<AssessmentRound>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ROUND_COLUMNS} FROM assessment_rounds ORDER BY year DESC, id"
        ))?;
        let mut rounds = stmt
            .query_map([], round_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for r in &mut rounds {
            r.pairs = round_pairs(&conn, &r.id)?;
        }
        Ok(rounds)
    }

    fn assessment_round(&self, id: &str) -> Result<Option<AssessmentRound>, StoreError> {
        let conn = self.conns.read();
        let round = conn
            .query_row(
                &format!("SELECT {ROUND_COLUMNS} FROM assessment_rounds WHERE id = $1"),
                [id],
                round_row,
            )
            .optional()?;
        match round {
            Some(mut r) => {
                r.pairs = round_pairs(&conn, &r.id)?;
                Ok(Some(r))
            }
            None => Ok(None),
        }
    }

    fn assessment_round_publish(
        &self,
        id: &str,
        snapshot: &str,
        snapshot_hash: &str,
        results: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        if round_status(&tx, id)? == "published" {
            return Err(StoreError::Conflict(format!(
                "评估轮次「{id}」已发布，不能再次发布或修改"
            )));
        }
        let now = crate::now_rfc3339();
        tx.execute(
            "UPDATE assessment_rounds SET status = 'published', snapshot = $1, snapshot_hash = $2, results = $3, published_at = $4 WHERE id = $5",
            params![snapshot, snapshot_hash, results, now, id],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "assessment_round_publish",
            Some("assessment_round"),
            Some(id),
            &format!("数据快照 SHA-256 {snapshot_hash}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn assessment_entries(&self, round_id: &str) -> Result<Vec<AssessmentEntry>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM assessment_entries WHERE round_id = $1 ORDER BY unit_id, indicator"
        ))?;
        let rows = stmt.query_map([round_id], entry_row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn assessment_entry(
        &self,
        round_id: &str,
        unit_id: &str,
        indicator: &str,
    ) -> Result<Option<AssessmentEntry>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM assessment_entries WHERE round_id = $1 AND unit_id = $2 AND indicator = $3"
        ))?;
        let mut rows = stmt.query_map([round_id, unit_id, indicator], entry_row)?;
        rows.next().transpose().map_err(Into::into)
    }

    fn assessment_entry_submit(
        &self,
        e: &AssessmentEntry,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        if round_status(&tx, &e.round_id)? == "published" {
            return Err(StoreError::Conflict(format!(
                "评估轮次「{}」已发布，不能再填报",
                e.round_id
            )));
        }
        let now = crate::now_rfc3339();
        tx.execute(
            "INSERT INTO assessment_entries (round_id, unit_id, indicator, value, evidence, status, entered_by, entered_at, reviewed_by, reviewed_at, review_note)
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, NULL, NULL, '')
             ON CONFLICT (round_id, unit_id, indicator) DO UPDATE SET
               value = excluded.value, evidence = excluded.evidence, status = 'submitted',
               entered_by = excluded.entered_by, entered_at = excluded.entered_at,
               reviewed_by = NULL, reviewed_at = NULL, review_note = ''",
            params![e.round_id, e.unit_id, e.indicator, e.value, e.evidence, actor.name, now],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "assessment_entry_submit",
            Some("assessment_entry"),
            Some(&format!("{}/{}/{}", e.round_id, e.unit_id, e.indicator)),
            &format!("填报值 {}；佐证 {}", e.value, e.evidence),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn assessment_evidence_add(
        &self,
        file: &EvidenceFile,
        content: &[u8],
        actor: &Actor,
    ) -> Result<EvidenceFile, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        if round_status(&tx, &file.round_id)? == "published" {
            return Err(StoreError::Conflict(format!(
                "评估轮次「{}」已发布，不能再上传佐证材料",
                file.round_id
            )));
        }
        let n: i64 = tx.query_row(
            "SELECT COALESCE(MAX(rowid), 0) + 1 FROM assessment_evidence",
            [],
            |r| r.get(0),
        )?;
        let now = crate::now_rfc3339();
        let stored = EvidenceFile {
            id: format!("EV{n:06}"),
            uploaded_by: actor.name.clone(),
            uploaded_at: now.clone(),
            ..file.clone()
        };
        tx.execute(
            "INSERT INTO assessment_evidence (id, round_id, unit_id, indicator, file_name, media_type, size, sha256, content, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            params![
                stored.id,
                stored.round_id,
                stored.unit_id,
                stored.indicator,
                stored.file_name,
                stored.media_type,
                stored.size,
                stored.sha256,
                content,
                stored.uploaded_by,
                stored.uploaded_at
            ],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "assessment_evidence_upload",
            Some("assessment_evidence"),
            Some(&stored.id),
            &format!(
                "{}/{}/{}：「{}」{}，{} 字节，SHA-256 {}",
                stored.round_id,
                stored.unit_id,
                stored.indicator,
                stored.file_name,
                stored.media_type,
                stored.size,
                stored.sha256
            ),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn assessment_evidence(&self, round_id: &str) -> Result<Vec<EvidenceFile>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM assessment_evidence WHERE round_id = $1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([round_id], evidence_row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn assessment_evidence_file(
        &self,
        id: &str,
    ) -> Result<Option<(EvidenceFile, Vec<u8>)>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!(
                    "SELECT {EVIDENCE_COLUMNS}, content FROM assessment_evidence WHERE id = $1"
                ),
                [id],
                |r| Ok((evidence_row(r)?, r.get::<_, Vec<u8>>(10)?)),
            )
            .optional()?)
    }

    fn assessment_entry_review(
        &self,
        round_id: &str,
        unit_id: &str,
        indicator: &str,
        approve: bool,
        note: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        if round_status(&tx, round_id)? == "published" {
            return Err(StoreError::Conflict(format!(
                "评估轮次「{round_id}」已发布，不能再审核"
            )));
        }
        let status: Option<String> = tx
            .query_row(
                "SELECT status FROM assessment_entries WHERE round_id = $1 AND unit_id = $2 AND indicator = $3",
                params![round_id, unit_id, indicator],
                |r| r.get(0),
            )
            .optional()?;
        match status.as_deref() {
            None => {
                return Err(StoreError::NotFound {
                    kind: "填报值",
                    id: format!("{unit_id}/{indicator}"),
                })
            }
            Some("submitted") => {}
            Some(_) => {
                return Err(StoreError::Conflict(
                    "该填报值已审核；平台重新填报后才能再次审核".into(),
                ))
            }
        }
        let now = crate::now_rfc3339();
        let to = if approve { "approved" } else { "returned" };
        tx.execute(
            "UPDATE assessment_entries SET status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4
             WHERE round_id = $5 AND unit_id = $6 AND indicator = $7",
            params![to, actor.name, now, note, round_id, unit_id, indicator],
        )?;
        audit(
            &tx,
            &now,
            actor,
            "assessment_entry_review",
            Some("assessment_entry"),
            Some(&format!("{round_id}/{unit_id}/{indicator}")),
            &format!(
                "{}{}",
                if approve { "审核通过" } else { "退回" },
                if note.is_empty() {
                    String::new()
                } else {
                    format!("：{note}")
                }
            ),
        )?;
        tx.commit()?;
        Ok(())
    }
}
