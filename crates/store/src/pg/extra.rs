//! The stores beside the registry for PostgreSQL: accounts, assessment, sharing, consortium
//! proposals and duplicate decisions. The same rows, rules and audit entries as the SQLite store;
//! the rules that the schema enforces there are enforced by this schema's triggers and indexes.

use super::{audit, next_seq, PgStore};
use crate::accounts::{AccountStore, ApiToken, AuthEvent, Session, User};
use crate::assessment::{
    AssessmentEntry, AssessmentRound, AssessmentStore, EvidenceFile, RoundPair, StoredFramework,
};
use crate::consortium::{ConsortiumStore, StoredConsortium};
use crate::duplicates::{ordered, DuplicateDecision, DuplicateStore, DuplicateVerdict};
use crate::sharing::{
    Booking, BookingChange, BookingEvent, BookingFilter, ClaimFilter, SharingStore, VoucherClaim,
    LIVE_BOOKING,
};
use crate::{Actor, StoreError};
use postgres::error::SqlState;
use postgres::{GenericClient, Row, Transaction};

fn unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

// ---- accounts ------------------------------------------------------------------------------

const USER_COLUMNS: &str = "id, username, display_name, role, scope, can_unmask, disabled, must_change, password_hash, totp_secret, totp_enabled, recovery_codes, failed_logins, locked_until, last_login, created_at, updated_at";

fn user_row(r: &Row) -> Result<User, StoreError> {
    let codes: String = r.try_get(11)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: r.try_get(3)?,
        scope: r.try_get(4)?,
        can_unmask: r.try_get(5)?,
        disabled: r.try_get(6)?,
        must_change: r.try_get(7)?,
        password_hash: r.try_get(8)?,
        totp_secret: r.try_get(9)?,
        totp_enabled: r.try_get(10)?,
        recovery_codes: serde_json::from_str(&codes).unwrap_or_default(),
        failed_logins: r.try_get(12)?,
        locked_until: r.try_get(13)?,
        last_login: r.try_get(14)?,
        created_at: r.try_get(15)?,
        updated_at: r.try_get(16)?,
    })
}

const TOKEN_COLUMNS: &str = "id, hash, user_id, label, created_at, expires_at, last_used, revoked";

fn token_row(r: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.try_get(0)?,
        hash: r.try_get(1)?,
        user_id: r.try_get(2)?,
        label: r.try_get(3)?,
        created_at: r.try_get(4)?,
        expires_at: r.try_get(5)?,
        last_used: r.try_get(6)?,
        revoked: r.try_get(7)?,
    })
}

fn session_row(r: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: r.try_get(0)?,
        user_id: r.try_get(1)?,
        csrf: r.try_get(2)?,
        second_factor_done: r.try_get(3)?,
        created_at: r.try_get(4)?,
        last_seen: r.try_get(5)?,
        source: r.try_get(6)?,
    })
}

fn codes_json(codes: &[String]) -> String {
    serde_json::to_string(codes).unwrap_or_else(|_| "[]".into())
}

fn one<T>(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    read: fn(&Row) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    c.query_opt(sql, params)?.as_ref().map(read).transpose()
}

fn many<T>(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    read: fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    c.query(sql, params)?.iter().map(read).collect()
}

impl AccountStore for PgStore {
    fn user_insert(&self, user: &User, actor: &Actor) -> Result<User, StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let taken = tx
                .query_opt("SELECT 1 FROM users WHERE username = $1", &[&user.username])?
                .is_some();
            if taken {
                return Err(StoreError::Conflict(format!(
                    "用户名「{}」已被使用",
                    user.username
                )));
            }
            let id: i64 = tx
                .query_one(
                    "INSERT INTO users (username, display_name, role, scope, can_unmask, disabled, must_change, password_hash, totp_secret, totp_enabled, recovery_codes, failed_logins, locked_until, last_login, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, NULL, $12, $12) RETURNING id",
                    &[
                        &user.username,
                        &user.display_name,
                        &user.role,
                        &user.scope,
                        &user.can_unmask,
                        &user.disabled,
                        &user.must_change,
                        &user.password_hash,
                        &user.totp_secret,
                        &user.totp_enabled,
                        &codes_json(&user.recovery_codes),
                        &now,
                    ],
                )?
                .try_get(0)?;
            audit(
                tx,
                &now,
                actor,
                "user_add",
                Some("user"),
                Some(&user.username),
                &format!("角色 {}，范围 {}", user.role, user.scope),
            )?;
            let mut saved = user.clone();
            saved.id = id;
            saved.created_at = now.clone();
            saved.updated_at = now;
            Ok(saved)
        })
    }

    fn user_save(
        &self,
        user: &User,
        actor: &Actor,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let n = tx.execute(
                "UPDATE users SET display_name = $1, role = $2, scope = $3, can_unmask = $4, disabled = $5, must_change = $6, password_hash = $7, totp_secret = $8, totp_enabled = $9, recovery_codes = $10, failed_logins = $11, locked_until = $12, updated_at = $13 WHERE id = $14",
                &[
                    &user.display_name,
                    &user.role,
                    &user.scope,
                    &user.can_unmask,
                    &user.disabled,
                    &user.must_change,
                    &user.password_hash,
                    &user.totp_secret,
                    &user.totp_enabled,
                    &codes_json(&user.recovery_codes),
                    &user.failed_logins,
                    &user.locked_until,
                    &now,
                    &user.id,
                ],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    kind: "用户",
                    id: user.username.clone(),
                });
            }
            audit(
                tx,
                &now,
                actor,
                action,
                Some("user"),
                Some(&user.username),
                detail,
            )
        })
    }

    fn user_login_state(
        &self,
        id: i64,
        failed_logins: i64,
        locked_until: Option<&str>,
        last_login: Option<&str>,
    ) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "UPDATE users SET failed_logins = $1, locked_until = $2, last_login = COALESCE($3, last_login) WHERE id = $4",
            &[&failed_logins, &locked_until, &last_login, &id],
        )?;
        Ok(())
    }

    fn totp_step_claim(&self, user_id: i64, step: i64) -> Result<bool, StoreError> {
        let n = self.pool.get()?.execute(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
            &[&step, &user_id],
        )?;
        Ok(n == 1)
    }

    fn user_get(&self, id: i64) -> Result<Option<User>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            &[&id],
            user_row,
        )
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
            &[&username],
            user_row,
        )
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"),
            &[],
            user_row,
        )
    }

    fn session_insert(&self, s: &Session) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf, second_factor_done, created_at, last_seen, source) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&s.id_hash, &s.user_id, &s.csrf, &s.second_factor_done, &s.created_at, &s.last_seen, &s.source],
        )?;
        Ok(())
    }

    fn session_get(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        one(
            &mut *self.pool.get()?,
            "SELECT id_hash, user_id, csrf, second_factor_done, created_at, last_seen, source FROM sessions WHERE id_hash = $1",
            &[&id_hash],
            session_row,
        )
    }

    fn session_save(&self, s: &Session) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "UPDATE sessions SET csrf = $1, second_factor_done = $2, last_seen = $3 WHERE id_hash = $4",
            &[&s.csrf, &s.second_factor_done, &s.last_seen, &s.id_hash],
        )?;
        Ok(())
    }

    fn session_delete(&self, id_hash: &str) -> Result<(), StoreError> {
        self.pool
            .get()?
            .execute("DELETE FROM sessions WHERE id_hash = $1", &[&id_hash])?;
        Ok(())
    }

    fn sessions_delete_for(&self, user_id: i64) -> Result<(), StoreError> {
        self.pool
            .get()?
            .execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])?;
        Ok(())
    }

    fn token_insert(&self, t: &ApiToken, actor: &Actor) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO api_tokens (id, hash, user_id, label, created_at, expires_at, last_used, revoked) VALUES ($1, $2, $3, $4, $5, $6, NULL, FALSE)",
                &[&t.id, &t.hash, &t.user_id, &t.label, &t.created_at, &t.expires_at],
            )?;
            let username: String = tx
                .query_opt("SELECT username FROM users WHERE id = $1", &[&t.user_id])?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or_default();
            audit(
                tx,
                &t.created_at,
                actor,
                "token_create",
                Some("user"),
                Some(&username),
                &format!(
                    "令牌 {}，有效期至 {}",
                    t.id,
                    t.expires_at.as_deref().unwrap_or("长期")
                ),
            )
        })
    }

    fn token_get(&self, id: &str) -> Result<Option<ApiToken>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
            &[&id],
            token_row,
        )
    }

    fn tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ($1::bigint IS NULL OR user_id = $1) ORDER BY created_at"
            ),
            &[&user_id],
            token_row,
        )
    }

    fn token_revoke(&self, id: &str, actor: &Actor) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute("UPDATE api_tokens SET revoked = TRUE WHERE id = $1", &[&id])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    kind: "令牌",
                    id: id.to_string(),
                });
            }
            audit(
                tx,
                &crate::now_rfc3339(),
                actor,
                "token_revoke",
                Some("user"),
                None,
                &format!("令牌 {id}"),
            )
        })
    }

    fn token_used(&self, id: &str, at: &str) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "UPDATE api_tokens SET last_used = $1 WHERE id = $2",
            &[&at, &id],
        )?;
        Ok(())
    }

    fn audit_event(
        &self,
        actor: &Actor,
        action: &str,
        kind: Option<&str>,
        id: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| audit(tx, &crate::now_rfc3339(), actor, action, kind, id, detail))
    }

    fn auth_event(
        &self,
        username: &str,
        action: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.pool.get()?.execute(
            "INSERT INTO auth_events (at, username, action, source, detail) VALUES ($1, $2, $3, $4, $5)",
            &[&crate::now_rfc3339(), &username, &action, &source, &detail],
        )?;
        Ok(())
    }

    fn auth_events(&self, limit: usize) -> Result<Vec<AuthEvent>, StoreError> {
        many(
            &mut *self.pool.get()?,
            "SELECT seq, at, username, action, source, detail FROM auth_events ORDER BY seq DESC LIMIT $1",
            &[&(limit.min(10_000) as i64)],
            |r| {
                Ok(AuthEvent {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    username: r.try_get(2)?,
                    action: r.try_get(3)?,
                    source: r.try_get(4)?,
                    detail: r.try_get(5)?,
                })
            },
        )
    }
}

// ---- assessment ----------------------------------------------------------------------------

const ROUND_COLUMNS: &str = "id, name, framework_id, framework_version, framework, year, status, snapshot, snapshot_hash, results, created_at, published_at";

fn round_row(r: &Row) -> Result<AssessmentRound, StoreError> {
    Ok(AssessmentRound {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        framework_id: r.try_get(2)?,
        framework_version: r.try_get(3)?,
        framework: r.try_get(4)?,
        year: r.try_get(5)?,
        status: r.try_get(6)?,
        snapshot: r.try_get(7)?,
        snapshot_hash: r.try_get(8)?,
        results: r.try_get(9)?,
        created_at: r.try_get(10)?,
        published_at: r.try_get(11)?,
        pairs: Vec::new(),
    })
}

fn round_pairs(c: &mut impl GenericClient, id: &str) -> Result<Vec<RoundPair>, StoreError> {
    many(
        c,
        "SELECT unit_id, centre, laboratory FROM assessment_round_pairs WHERE round_id = $1 ORDER BY unit_id",
        &[&id],
        |r| {
            Ok(RoundPair {
                unit_id: r.try_get(0)?,
                centre: r.try_get(1)?,
                laboratory: r.try_get(2)?,
            })
        },
    )
}

const EVIDENCE_COLUMNS: &str = "id, round_id, unit_id, indicator, file_name, media_type, size, sha256, uploaded_by, uploaded_at";

fn evidence_row(r: &Row) -> Result<EvidenceFile, StoreError> {
    Ok(EvidenceFile {
        id: r.try_get(0)?,
        round_id: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        indicator: r.try_get(3)?,
        file_name: r.try_get(4)?,
        media_type: r.try_get(5)?,
        size: r.try_get(6)?,
        sha256: r.try_get(7)?,
        uploaded_by: r.try_get(8)?,
        uploaded_at: r.try_get(9)?,
    })
}

const ENTRY_COLUMNS: &str = "round_id, unit_id, indicator, value, evidence, status, entered_by, entered_at, reviewed_by, reviewed_at, review_note";

fn entry_row(r: &Row) -> Result<AssessmentEntry, StoreError> {
    Ok(AssessmentEntry {
        round_id: r.try_get(0)?,
        unit_id: r.try_get(1)?,
        indicator: r.try_get(2)?,
        value: r.try_get(3)?,
        evidence: r.try_get(4)?,
        status: r.try_get(5)?,
        entered_by: r.try_get(6)?,
        entered_at: r.try_get(7)?,
        reviewed_by: r.try_get(8)?,
        reviewed_at: r.try_get(9)?,
        review_note: r.try_get(10)?,
    })
}

fn round_status(tx: &mut Transaction<'_>, id: &str) -> Result<String, StoreError> {
    tx.query_opt("SELECT status FROM assessment_rounds WHERE id = $1", &[&id])?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            kind: "评估轮次",
            id: id.to_string(),
        })
}

impl AssessmentStore for PgStore {
    fn assessment_framework_save(
        &self,
        f: &StoredFramework,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM assessment_frameworks WHERE id = $1 AND version = $2",
                    &[&f.id, &f.version],
                )?
                .is_some();
            if exists {
                return Err(StoreError::Conflict(format!(
                    "指标体系「{}」版本「{}」已存在：版本一经保存不可修改，请使用新的版本号",
                    f.id, f.version
                )));
            }
            let now = crate::now_rfc3339();
            tx.execute(
                "INSERT INTO assessment_frameworks (id, version, framework, created_at) VALUES ($1, $2, $3, $4)",
                &[&f.id, &f.version, &f.framework, &now],
            )?;
            audit(
                tx,
                &now,
                actor,
                "assessment_framework_save",
                Some("assessment_framework"),
                Some(&format!("{}@{}", f.id, f.version)),
                &format!("{} 字节", f.framework.len()),
            )
        })
    }

    fn assessment_frameworks(&self) -> Result<Vec<StoredFramework>, StoreError> {
        many(
            &mut *self.pool.get()?,
            "SELECT id, version, framework, created_at FROM assessment_frameworks ORDER BY id, created_at",
            &[],
            |r| {
                Ok(StoredFramework {
                    id: r.try_get(0)?,
                    version: r.try_get(1)?,
                    framework: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            },
        )
    }

    fn assessment_round_create(
        &self,
        round: &AssessmentRound,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let exists = tx
                .query_opt("SELECT 1 FROM assessment_rounds WHERE id = $1", &[&round.id])?
                .is_some();
            if exists {
                return Err(StoreError::Conflict(format!(
                    "评估轮次「{}」已存在",
                    round.id
                )));
            }
            let now = crate::now_rfc3339();
            tx.execute(
                "INSERT INTO assessment_rounds (id, name, framework_id, framework_version, framework, year, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7)",
                &[
                    &round.id,
                    &round.name,
                    &round.framework_id,
                    &round.framework_version,
                    &round.framework,
                    &round.year,
                    &now,
                ],
            )?;
            for p in &round.pairs {
                tx.execute(
                    "INSERT INTO assessment_round_pairs (round_id, unit_id, centre, laboratory) VALUES ($1, $2, $3, $4)",
                    &[&round.id, &p.unit_id, &p.centre, &p.laboratory],
                )?;
            }
            audit(
                tx,
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
            )
        })
    }

    fn assessment_rounds(&self) -> Result<Vec<AssessmentRound>, StoreError> {
        let mut c = self.pool.get()?;
        let mut rounds = many(
            &mut *c,
            &format!("SELECT {ROUND_COLUMNS} FROM assessment_rounds ORDER BY year DESC, id"),
            &[],
            round_row,
        )?;
        for r in &mut rounds {
            r.pairs = round_pairs(&mut *c, &r.id)?;
        }
        Ok(rounds)
    }

    fn assessment_round(&self, id: &str) -> Result<Option<AssessmentRound>, StoreError> {
        let mut c = self.pool.get()?;
        let round = one(
            &mut *c,
            &format!("SELECT {ROUND_COLUMNS} FROM assessment_rounds WHERE id = $1"),
            &[&id],
            round_row,
        )?;
        match round {
            Some(mut r) => {
                r.pairs = round_pairs(&mut *c, &r.id)?;
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
        self.write(|tx| {
            if round_status(tx, id)? == "published" {
                return Err(StoreError::Conflict(format!(
                    "评估轮次「{id}」已发布，不能再次发布或修改"
                )));
            }
            let now = crate::now_rfc3339();
            tx.execute(
                "UPDATE assessment_rounds SET status = 'published', snapshot = $1, snapshot_hash = $2, results = $3, published_at = $4 WHERE id = $5",
                &[&snapshot, &snapshot_hash, &results, &now, &id],
            )?;
            audit(
                tx,
                &now,
                actor,
                "assessment_round_publish",
                Some("assessment_round"),
                Some(id),
                &format!("数据快照 SHA-256 {snapshot_hash}"),
            )
        })
    }

    fn assessment_entries(&self, round_id: &str) -> Result<Vec<AssessmentEntry>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM assessment_entries WHERE round_id = $1 ORDER BY unit_id, indicator"
            ),
            &[&round_id],
            entry_row,
        )
    }

    fn assessment_entry(
        &self,
        round_id: &str,
        unit_id: &str,
        indicator: &str,
    ) -> Result<Option<AssessmentEntry>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM assessment_entries WHERE round_id = $1 AND unit_id = $2 AND indicator = $3"
            ),
            &[&round_id, &unit_id, &indicator],
            entry_row,
        )
    }

    fn assessment_entry_submit(
        &self,
        e: &AssessmentEntry,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            if round_status(tx, &e.round_id)? == "published" {
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
                &[&e.round_id, &e.unit_id, &e.indicator, &e.value, &e.evidence, &actor.name, &now],
            )?;
            audit(
                tx,
                &now,
                actor,
                "assessment_entry_submit",
                Some("assessment_entry"),
                Some(&format!("{}/{}/{}", e.round_id, e.unit_id, e.indicator)),
                &format!("填报值 {}；佐证 {}", e.value, e.evidence),
            )
        })
    }

    fn assessment_evidence_add(
        &self,
        file: &EvidenceFile,
        content: &[u8],
        actor: &Actor,
    ) -> Result<EvidenceFile, StoreError> {
        self.write(|tx| {
            if round_status(tx, &file.round_id)? == "published" {
                return Err(StoreError::Conflict(format!(
                    "评估轮次「{}」已发布，不能再上传佐证材料",
                    file.round_id
                )));
            }
            // Evidence is never removed: the count gives the next number.
            let n: i64 = tx
                .query_one("SELECT COUNT(*) + 1 FROM assessment_evidence", &[])?
                .try_get(0)?;
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
                &[
                    &stored.id,
                    &stored.round_id,
                    &stored.unit_id,
                    &stored.indicator,
                    &stored.file_name,
                    &stored.media_type,
                    &stored.size,
                    &stored.sha256,
                    &content,
                    &stored.uploaded_by,
                    &stored.uploaded_at,
                ],
            )?;
            audit(
                tx,
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
            Ok(stored)
        })
    }

    fn assessment_evidence(&self, round_id: &str) -> Result<Vec<EvidenceFile>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {EVIDENCE_COLUMNS} FROM assessment_evidence WHERE round_id = $1 ORDER BY id"
            ),
            &[&round_id],
            evidence_row,
        )
    }

    fn assessment_evidence_file(
        &self,
        id: &str,
    ) -> Result<Option<(EvidenceFile, Vec<u8>)>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {EVIDENCE_COLUMNS}, content FROM assessment_evidence WHERE id = $1"),
            &[&id],
            |r| Ok((evidence_row(r)?, r.try_get::<_, Vec<u8>>(10)?)),
        )
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
        self.write(|tx| {
            if round_status(tx, round_id)? == "published" {
                return Err(StoreError::Conflict(format!(
                    "评估轮次「{round_id}」已发布，不能再审核"
                )));
            }
            let status: Option<String> = tx
                .query_opt(
                    "SELECT status FROM assessment_entries WHERE round_id = $1 AND unit_id = $2 AND indicator = $3",
                    &[&round_id, &unit_id, &indicator],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
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
                &[&to, &actor.name, &now, &note, &round_id, &unit_id, &indicator],
            )?;
            audit(
                tx,
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
            )
        })
    }
}

// ---- sharing -------------------------------------------------------------------------------

const BOOKING_COLUMNS: &str = "id, service_id, owner, requester, start_at, end_at, status, hours_used, fee, result, note, created_at, updated_at";
const CLAIM_COLUMNS: &str = "id, booking_id, programme_id, enterprise, fee, amount, status, reason, created_at, decided_at, decided_by";

fn booking_row(r: &Row) -> Result<Booking, StoreError> {
    Ok(Booking {
        id: r.try_get(0)?,
        service_id: r.try_get(1)?,
        owner: r.try_get(2)?,
        requester: r.try_get(3)?,
        start: r.try_get(4)?,
        end: r.try_get(5)?,
        status: r.try_get(6)?,
        hours_used: r.try_get(7)?,
        fee: r.try_get(8)?,
        result: r.try_get(9)?,
        note: r.try_get(10)?,
        created_at: r.try_get(11)?,
        updated_at: r.try_get(12)?,
    })
}

fn claim_row(r: &Row) -> Result<VoucherClaim, StoreError> {
    Ok(VoucherClaim {
        id: r.try_get(0)?,
        booking_id: r.try_get(1)?,
        programme_id: r.try_get(2)?,
        enterprise: r.try_get(3)?,
        fee: r.try_get(4)?,
        amount: r.try_get(5)?,
        status: r.try_get(6)?,
        reason: r.try_get(7)?,
        created_at: r.try_get(8)?,
        decided_at: r.try_get(9)?,
        decided_by: r.try_get(10)?,
    })
}

/// The next id of a table whose ids are `PREFIX` + six digits (rows are never deleted).
fn next_row_id(tx: &mut Transaction<'_>, table: &str, prefix: &str) -> Result<String, StoreError> {
    let n: i64 = tx
        .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?
        .try_get(0)?;
    Ok(format!("{prefix}{:06}", n + 1))
}

/// The live booking that holds part of `b`'s slot, if any: checked before writing (writes hold
/// the write lock), the trigger stays as the database's own guard.
fn slot_taken(tx: &mut Transaction<'_>, b: &Booking) -> Result<Option<String>, StoreError> {
    if !LIVE_BOOKING.contains(&b.status.as_str()) {
        return Ok(None);
    }
    let other = tx.query_opt(
        "SELECT start_at, end_at FROM bookings WHERE service_id = $1 AND id <> $2
         AND status IN ('requested', 'proposed', 'confirmed', 'completed', 'no_show')
         AND start_at < $3 AND $4 < end_at ORDER BY start_at LIMIT 1",
        &[&b.service_id, &b.id, &b.end, &b.start],
    )?;
    Ok(match other {
        Some(r) => {
            let (s, e): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            Some(format!(
                "该时段已被预约（{s} 至 {e} 已有预约），请选择其他时段"
            ))
        }
        None => None,
    })
}

fn overlap_error(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if db.message().contains("booking_overlap") => {
            StoreError::Conflict("该时段已被预约，请选择其他时段".into())
        }
        _ => e.into(),
    }
}

fn event(
    tx: &mut Transaction<'_>,
    id: &str,
    from: Option<&str>,
    to: &str,
    actor: &Actor,
    note: &str,
    now: &str,
) -> Result<(), StoreError> {
    let seq = next_seq(tx, "booking_events")?;
    tx.execute(
        "INSERT INTO booking_events (seq, booking_id, from_status, to_status, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&seq, &id, &from, &to, &actor.name, &note, &now],
    )?;
    Ok(())
}

impl SharingStore for PgStore {
    fn booking_insert(&self, booking: &Booking, actor: &Actor) -> Result<Booking, StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let mut b = booking.clone();
            b.id = next_row_id(tx, "bookings", "BK")?;
            b.created_at = now.clone();
            b.updated_at = now.clone();
            if let Some(m) = slot_taken(tx, &b)? {
                return Err(StoreError::Conflict(m));
            }
            tx.execute(
                &format!("INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
                &[
                    &b.id, &b.service_id, &b.owner, &b.requester, &b.start, &b.end, &b.status,
                    &b.hours_used, &b.fee, &b.result, &b.note, &b.created_at, &b.updated_at,
                ],
            )
            .map_err(overlap_error)?;
            event(tx, &b.id, None, &b.status, actor, &b.note, &now)?;
            audit(
                tx,
                &now,
                actor,
                "create",
                Some("booking"),
                Some(&b.id),
                &format!(
                    "{} {} 至 {}（{}）",
                    b.service_id, b.start, b.end, b.requester
                ),
            )?;
            Ok(b)
        })
    }

    fn booking_get(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"),
            &[&id],
            booking_row,
        )
    }

    fn bookings(&self, f: &BookingFilter) -> Result<Vec<Booking>, StoreError> {
        let limit = if f.limit == 0 { 10_000 } else { f.limit } as i64;
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {BOOKING_COLUMNS} FROM bookings
                 WHERE ($1::text IS NULL OR service_id = $1) AND ($2::text IS NULL OR owner = $2)
                   AND ($3::text IS NULL OR requester = $3) AND ($4::text IS NULL OR end_at > $4)
                   AND ($5::text IS NULL OR start_at < $5)
                   AND (cardinality($6::text[]) = 0 OR status = ANY($6))
                 ORDER BY start_at, id LIMIT $7"
            ),
            &[
                &f.service,
                &f.owner,
                &f.requester,
                &f.from,
                &f.to,
                &f.statuses,
                &limit,
            ],
            booking_row,
        )
    }

    fn booking_update(
        &self,
        id: &str,
        from: &[&str],
        change: &BookingChange,
        actor: &Actor,
    ) -> Result<Booking, StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let current = one(
                tx,
                &format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"),
                &[&id],
                booking_row,
            )?
            .ok_or_else(|| StoreError::NotFound {
                kind: "预约",
                id: id.to_string(),
            })?;
            if !from.contains(&current.status.as_str()) {
                return Err(StoreError::Rule(format!(
                    "预约 {id} 当前状态为「{}」，不能执行此操作",
                    crate::sharing::status_label(&current.status)
                )));
            }
            let mut b = current.clone();
            b.status = change.status.clone();
            if let Some(s) = &change.start {
                b.start = s.clone();
            }
            if let Some(e) = &change.end {
                b.end = e.clone();
            }
            if change.hours_used.is_some() {
                b.hours_used = change.hours_used;
            }
            if change.fee.is_some() {
                b.fee = change.fee;
            }
            if let Some(r) = &change.result {
                b.result = r.clone();
            }
            if !change.note.is_empty() {
                b.note = change.note.clone();
            }
            b.updated_at = now.clone();
            if let Some(m) = slot_taken(tx, &b)? {
                return Err(StoreError::Conflict(m));
            }
            tx.execute(
                "UPDATE bookings SET start_at = $1, end_at = $2, status = $3, hours_used = $4, fee = $5, result = $6, note = $7, updated_at = $8 WHERE id = $9",
                &[&b.start, &b.end, &b.status, &b.hours_used, &b.fee, &b.result, &b.note, &b.updated_at, &b.id],
            )
            .map_err(overlap_error)?;
            event(
                tx,
                id,
                Some(&current.status),
                &b.status,
                actor,
                &change.note,
                &now,
            )?;
            audit(
                tx,
                &now,
                actor,
                "update",
                Some("booking"),
                Some(id),
                &format!("{} → {} {}", current.status, b.status, change.note),
            )?;
            Ok(b)
        })
    }

    fn booking_events(&self, id: &str) -> Result<Vec<BookingEvent>, StoreError> {
        many(
            &mut *self.pool.get()?,
            "SELECT seq, booking_id, from_status, to_status, actor, note, at FROM booking_events WHERE booking_id = $1 ORDER BY seq",
            &[&id],
            |r| {
                Ok(BookingEvent {
                    seq: r.try_get(0)?,
                    booking_id: r.try_get(1)?,
                    from_status: r.try_get(2)?,
                    to_status: r.try_get(3)?,
                    actor: r.try_get(4)?,
                    note: r.try_get(5)?,
                    at: r.try_get(6)?,
                })
            },
        )
    }

    fn claim_insert(
        &self,
        claim: &VoucherClaim,
        actor: &Actor,
    ) -> Result<VoucherClaim, StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let mut c = claim.clone();
            c.id = next_row_id(tx, "voucher_claims", "VC")?;
            c.created_at = now.clone();
            let live = |tx: &mut Transaction<'_>| -> Result<StoreError, StoreError> {
                let (oid, prog): (String, String) = match tx.query_opt(
                    "SELECT id, programme_id FROM voucher_claims WHERE booking_id = $1 AND status <> 'rejected'",
                    &[&c.booking_id],
                )? {
                    Some(r) => (r.try_get(0)?, r.try_get(1)?),
                    None => Default::default(),
                };
                Ok(StoreError::Conflict(format!(
                    "预约 {} 已申领过创新券（申领 {oid}，专项 {prog}），同一次服务不能重复申领",
                    c.booking_id
                )))
            };
            let held = c.status != "rejected"
                && tx
                    .query_opt(
                        "SELECT 1 FROM voucher_claims WHERE booking_id = $1 AND status <> 'rejected'",
                        &[&c.booking_id],
                    )?
                    .is_some();
            if held {
                return Err(live(tx)?);
            }
            let inserted = tx.execute(
                &format!("INSERT INTO voucher_claims ({CLAIM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
                &[
                    &c.id, &c.booking_id, &c.programme_id, &c.enterprise, &c.fee, &c.amount, &c.status,
                    &c.reason, &c.created_at, &c.decided_at, &c.decided_by,
                ],
            );
            if let Err(e) = inserted {
                if unique_violation(&e) {
                    return Err(StoreError::Conflict(format!(
                        "预约 {} 已申领过创新券，同一次服务不能重复申领",
                        c.booking_id
                    )));
                }
                return Err(e.into());
            }
            audit(
                tx,
                &now,
                actor,
                "create",
                Some("voucher_claim"),
                Some(&c.id),
                &format!("{} {} {:.2} 元", c.booking_id, c.programme_id, c.amount),
            )?;
            Ok(c)
        })
    }

    fn claim_get(&self, id: &str) -> Result<Option<VoucherClaim>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {CLAIM_COLUMNS} FROM voucher_claims WHERE id = $1"),
            &[&id],
            claim_row,
        )
    }

    fn claims(&self, f: &ClaimFilter) -> Result<Vec<VoucherClaim>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {CLAIM_COLUMNS} FROM voucher_claims
                 WHERE ($1::text IS NULL OR programme_id = $1) AND ($2::text IS NULL OR enterprise = $2)
                   AND ($3::text IS NULL OR booking_id = $3) AND ($4::text IS NULL OR status = $4)
                 ORDER BY id"
            ),
            &[&f.programme, &f.enterprise, &f.booking, &f.status],
            claim_row,
        )
    }

    fn claim_decide(
        &self,
        id: &str,
        approve: bool,
        reason: &str,
        actor: &Actor,
    ) -> Result<VoucherClaim, StoreError> {
        self.write(|tx| {
            let now = crate::now_rfc3339();
            let mut c = one(
                tx,
                &format!("SELECT {CLAIM_COLUMNS} FROM voucher_claims WHERE id = $1"),
                &[&id],
                claim_row,
            )?
            .ok_or_else(|| StoreError::NotFound {
                kind: "创新券申领",
                id: id.to_string(),
            })?;
            if c.status != "submitted" {
                return Err(StoreError::Rule(format!(
                    "申领 {id} 已{}，不能再审核",
                    if c.status == "approved" {
                        "核准"
                    } else {
                        "驳回"
                    }
                )));
            }
            c.status = if approve { "approved" } else { "rejected" }.into();
            c.reason = reason.to_string();
            c.decided_at = Some(now.clone());
            c.decided_by = Some(actor.name.clone());
            tx.execute(
                "UPDATE voucher_claims SET status = $1, reason = $2, decided_at = $3, decided_by = $4 WHERE id = $5",
                &[&c.status, &c.reason, &c.decided_at, &c.decided_by, &c.id],
            )?;
            audit(
                tx,
                &now,
                actor,
                if approve { "approve" } else { "reject" },
                Some("voucher_claim"),
                Some(id),
                reason,
            )?;
            Ok(c)
        })
    }
}

// ---- consortium proposals ------------------------------------------------------------------

const CONSORTIUM_COLUMNS: &str =
    "id, title, basis_kind, basis_id, basis_label, revises, data, note, created_by, created_at";

fn consortium_row(r: &Row) -> Result<StoredConsortium, StoreError> {
    Ok(StoredConsortium {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        basis_kind: r.try_get(2)?,
        basis_id: r.try_get(3)?,
        basis_label: r.try_get(4)?,
        revises: r.try_get(5)?,
        data: r.try_get(6)?,
        note: r.try_get(7)?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

impl ConsortiumStore for PgStore {
    fn consortium_save(
        &self,
        p: &StoredConsortium,
        actor: &Actor,
    ) -> Result<StoredConsortium, StoreError> {
        self.write(|tx| {
            if let Some(r) = &p.revises {
                if tx
                    .query_opt("SELECT 1 FROM consortium_proposals WHERE id = $1", &[r])?
                    .is_none()
                {
                    return Err(StoreError::NotFound {
                        kind: "联合体组建建议",
                        id: r.clone(),
                    });
                }
            }
            let id = next_row_id(tx, "consortium_proposals", "CS")?;
            let now = crate::now_rfc3339();
            tx.execute(
                &format!("INSERT INTO consortium_proposals ({CONSORTIUM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                &[
                    &id,
                    &p.title,
                    &p.basis_kind,
                    &p.basis_id,
                    &p.basis_label,
                    &p.revises,
                    &p.data,
                    &p.note,
                    &actor.name,
                    &now,
                ],
            )?;
            audit(
                tx,
                &now,
                actor,
                "consortium_save",
                Some("consortium"),
                Some(&id),
                &format!(
                    "{}（{}：{}）{}",
                    p.title,
                    p.basis_kind,
                    p.basis_label,
                    p.revises
                        .as_deref()
                        .map(|r| format!("，修订 {r}"))
                        .unwrap_or_default()
                ),
            )?;
            one(
                tx,
                &format!("SELECT {CONSORTIUM_COLUMNS} FROM consortium_proposals WHERE id = $1"),
                &[&id],
                consortium_row,
            )?
            .ok_or_else(|| StoreError::Database("联合体组建建议保存后未能读回".into()))
        })
    }

    fn consortia(&self) -> Result<Vec<StoredConsortium>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!("SELECT {CONSORTIUM_COLUMNS} FROM consortium_proposals ORDER BY id DESC"),
            &[],
            consortium_row,
        )
    }

    fn consortium(&self, id: &str) -> Result<Option<StoredConsortium>, StoreError> {
        one(
            &mut *self.pool.get()?,
            &format!("SELECT {CONSORTIUM_COLUMNS} FROM consortium_proposals WHERE id = $1"),
            &[&id],
            consortium_row,
        )
    }
}

// ---- duplicate decisions -------------------------------------------------------------------

const DECISION_COLUMNS: &str =
    "seq, app_a, app_b, decision, reason, score, decided_by, decided_role, decided_at";

fn decision_row(r: &Row) -> Result<DuplicateDecision, StoreError> {
    let code: String = r.try_get(3)?;
    Ok(DuplicateDecision {
        seq: r.try_get(0)?,
        app_a: r.try_get(1)?,
        app_b: r.try_get(2)?,
        // The table's CHECK admits only these two.
        decision: DuplicateVerdict::parse(&code).unwrap_or(DuplicateVerdict::Confirmed),
        reason: r.try_get(4)?,
        score: r.try_get(5)?,
        decided_by: r.try_get(6)?,
        decided_role: r.try_get(7)?,
        decided_at: r.try_get(8)?,
    })
}

impl DuplicateStore for PgStore {
    fn duplicate_decide(
        &self,
        a: &str,
        b: &str,
        decision: DuplicateVerdict,
        reason: &str,
        score: Option<f64>,
        actor: &Actor,
    ) -> Result<DuplicateDecision, StoreError> {
        let (a, b) = ordered(a.trim(), b.trim());
        if a == b {
            return Err(StoreError::Invalid(
                "重复申报审查针对两份不同的申报".to_string(),
            ));
        }
        let reason = reason.trim();
        if decision == DuplicateVerdict::Excluded && reason.is_empty() {
            return Err(StoreError::Invalid("排除须填写理由".to_string()));
        }
        if reason.chars().count() > 2000 {
            return Err(StoreError::Invalid("理由不超过 2000 字".to_string()));
        }
        if score.is_some_and(|s| !s.is_finite()) {
            return Err(StoreError::Invalid("复用比例无效".to_string()));
        }
        self.write(|tx| {
            for id in [a, b] {
                if tx
                    .query_opt(
                        "SELECT 1 FROM entities WHERE kind = 'application' AND id = $1",
                        &[&id],
                    )?
                    .is_none()
                {
                    return Err(StoreError::NotFound {
                        kind: "项目申报",
                        id: id.to_string(),
                    });
                }
            }
            let now = crate::now_rfc3339();
            let seq = next_seq(tx, "duplicate_decisions")?;
            tx.execute(
                "INSERT INTO duplicate_decisions (seq, app_a, app_b, decision, reason, score, decided_by, decided_role, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[&seq, &a, &b, &decision.code(), &reason, &score, &actor.name, &actor.role, &now],
            )?;
            audit(
                tx,
                &now,
                actor,
                "duplicate_decide",
                Some("duplicate_decision"),
                Some(&format!("{a}/{b}")),
                &if reason.is_empty() {
                    decision.label().to_string()
                } else {
                    format!("{}：{reason}", decision.label())
                },
            )?;
            one(
                tx,
                &format!("SELECT {DECISION_COLUMNS} FROM duplicate_decisions WHERE seq = $1"),
                &[&seq],
                decision_row,
            )?
            .ok_or_else(|| StoreError::Database("审查结论保存后未能读回".into()))
        })
    }

    fn duplicate_decisions(&self) -> Result<Vec<DuplicateDecision>, StoreError> {
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {DECISION_COLUMNS} FROM duplicate_decisions d \
                 WHERE seq = (SELECT MAX(seq) FROM duplicate_decisions e WHERE e.app_a = d.app_a AND e.app_b = d.app_b) \
                 ORDER BY app_a, app_b"
            ),
            &[],
            decision_row,
        )
    }

    fn duplicate_history(&self, a: &str, b: &str) -> Result<Vec<DuplicateDecision>, StoreError> {
        let (a, b) = ordered(a.trim(), b.trim());
        many(
            &mut *self.pool.get()?,
            &format!(
                "SELECT {DECISION_COLUMNS} FROM duplicate_decisions WHERE app_a = $1 AND app_b = $2 ORDER BY seq"
            ),
            &[&a, &b],
            decision_row,
        )
    }
}
