//! `AccountStore` for SQLite.

use super::{audit, SqliteStore};
use crate::accounts::{AccountStore, ApiToken, AuthEvent, Session, User};
use crate::StoreError;
use rusqlite::{params, OptionalExtension, Row};

const USER_COLUMNS: &str = "id, username, display_name, role, scope, can_unmask, disabled, must_change, password_hash, totp_secret, totp_enabled, recovery_codes, failed_logins, locked_until, last_login, created_at, updated_at";

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let codes: String = r.get(11)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        scope: r.get(4)?,
        can_unmask: r.get::<_, i64>(5)? != 0,
        disabled: r.get::<_, i64>(6)? != 0,
        must_change: r.get::<_, i64>(7)? != 0,
        password_hash: r.get(8)?,
        totp_secret: r.get(9)?,
        totp_enabled: r.get::<_, i64>(10)? != 0,
        recovery_codes: serde_json::from_str(&codes).unwrap_or_default(),
        failed_logins: r.get(12)?,
        locked_until: r.get(13)?,
        last_login: r.get(14)?,
        created_at: r.get(15)?,
        updated_at: r.get(16)?,
    })
}

const TOKEN_COLUMNS: &str = "id, hash, user_id, label, created_at, expires_at, last_used, revoked";

fn token_row(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        hash: r.get(1)?,
        user_id: r.get(2)?,
        label: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        last_used: r.get(6)?,
        revoked: r.get::<_, i64>(7)? != 0,
    })
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id_hash: r.get(0)?,
        user_id: r.get(1)?,
        csrf: r.get(2)?,
        second_factor_done: r.get::<_, i64>(3)? != 0,
        created_at: r.get(4)?,
        last_seen: r.get(5)?,
        source: r.get(6)?,
    })
}

fn codes_json(codes: &[String]) -> String {
    serde_json::to_string(codes).unwrap_or_else(|_| "[]".into())
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

impl AccountStore for SqliteStore {
    fn user_insert(&self, user: &User, actor: &crate::Actor) -> Result<User, StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let res = tx.execute(
            "INSERT INTO users (username, display_name, role, scope, can_unmask, disabled, must_change, password_hash, totp_secret, totp_enabled, recovery_codes, failed_logins, locked_until, last_login, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, NULL, $12, $12)",
            params![
                user.username,
                user.display_name,
                user.role,
                user.scope,
                user.can_unmask as i64,
                user.disabled as i64,
                user.must_change as i64,
                user.password_hash,
                user.totp_secret,
                user.totp_enabled as i64,
                codes_json(&user.recovery_codes),
                now,
            ],
        );
        match res {
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "用户名「{}」已被使用",
                    user.username
                )))
            }
            r => r?,
        };
        let id = tx.last_insert_rowid();
        audit(
            &tx,
            &now,
            actor,
            "user_add",
            Some("user"),
            Some(&user.username),
            &format!("角色 {}，范围 {}", user.role, user.scope),
        )?;
        tx.commit()?;
        let mut saved = user.clone();
        saved.id = id;
        saved.created_at = now.clone();
        saved.updated_at = now;
        Ok(saved)
    }

    fn user_save(
        &self,
        user: &User,
        actor: &crate::Actor,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let now = crate::now_rfc3339();
        let n = tx.execute(
            // SQLite numbers `$N` parameters in order of appearance: keep them in that order.
            "UPDATE users SET display_name = $1, role = $2, scope = $3, can_unmask = $4, disabled = $5, must_change = $6, password_hash = $7, totp_secret = $8, totp_enabled = $9, recovery_codes = $10, failed_logins = $11, locked_until = $12, updated_at = $13 WHERE id = $14",
            params![
                user.display_name,
                user.role,
                user.scope,
                user.can_unmask as i64,
                user.disabled as i64,
                user.must_change as i64,
                user.password_hash,
                user.totp_secret,
                user.totp_enabled as i64,
                codes_json(&user.recovery_codes),
                user.failed_logins,
                user.locked_until,
                now,
                user.id,
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "用户",
                id: user.username.clone(),
            });
        }
        audit(
            &tx,
            &now,
            actor,
            action,
            Some("user"),
            Some(&user.username),
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    fn user_login_state(
        &self,
        id: i64,
        failed_logins: i64,
        locked_until: Option<&str>,
        last_login: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute(
            "UPDATE users SET failed_logins = $1, locked_until = $2, last_login = COALESCE($3, last_login) WHERE id = $4",
            params![failed_logins, locked_until, last_login, id],
        )?;
        Ok(())
    }

    fn totp_step_claim(&self, user_id: i64, step: i64) -> Result<bool, StoreError> {
        let conn = self.conns.write();
        let n = conn.execute(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
            params![step, user_id],
        )?;
        Ok(n == 1)
    }

    fn user_get(&self, id: i64) -> Result<Option<User>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                [id],
                user_row,
            )
            .optional()?)
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
                [username],
                user_row,
            )
            .optional()?)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))?;
        let rows = stmt.query_map([], user_row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn session_insert(&self, s: &Session) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf, second_factor_done, created_at, last_seen, source) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![s.id_hash, s.user_id, s.csrf, s.second_factor_done as i64, s.created_at, s.last_seen, s.source],
        )?;
        Ok(())
    }

    fn session_get(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                "SELECT id_hash, user_id, csrf, second_factor_done, created_at, last_seen, source FROM sessions WHERE id_hash = $1",
                [id_hash],
                session_row,
            )
            .optional()?)
    }

    fn session_save(&self, s: &Session) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute(
            "UPDATE sessions SET csrf = $1, second_factor_done = $2, last_seen = $3 WHERE id_hash = $4",
            params![s.csrf, s.second_factor_done as i64, s.last_seen, s.id_hash],
        )?;
        Ok(())
    }

    fn session_delete(&self, id_hash: &str) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute("DELETE FROM sessions WHERE id_hash = $1", [id_hash])?;
        Ok(())
    }

    fn sessions_delete_for(&self, user_id: i64) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute("DELETE FROM sessions WHERE user_id = $1", [user_id])?;
        Ok(())
    }

    fn token_insert(&self, t: &ApiToken, actor: &crate::Actor) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO api_tokens (id, hash, user_id, label, created_at, expires_at, last_used, revoked) VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)",
            params![t.id, t.hash, t.user_id, t.label, t.created_at, t.expires_at],
        )?;
        let username: String = tx
            .query_row(
                "SELECT username FROM users WHERE id = $1",
                [t.user_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default();
        audit(
            &tx,
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
        )?;
        tx.commit()?;
        Ok(())
    }

    fn token_get(&self, id: &str) -> Result<Option<ApiToken>, StoreError> {
        let conn = self.conns.read();
        Ok(conn
            .query_row(
                &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
                [id],
                token_row,
            )
            .optional()?)
    }

    fn tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ($1 IS NULL OR user_id = $1) ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([user_id], token_row)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }

    fn token_revoke(&self, id: &str, actor: &crate::Actor) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        let n = tx.execute("UPDATE api_tokens SET revoked = 1 WHERE id = $1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "令牌",
                id: id.to_string(),
            });
        }
        audit(
            &tx,
            &crate::now_rfc3339(),
            actor,
            "token_revoke",
            Some("user"),
            None,
            &format!("令牌 {id}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn token_used(&self, id: &str, at: &str) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute(
            "UPDATE api_tokens SET last_used = $1 WHERE id = $2",
            params![at, id],
        )?;
        Ok(())
    }

    fn audit_event(
        &self,
        actor: &crate::Actor,
        action: &str,
        kind: Option<&str>,
        id: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conns.write();
        let tx = conn.transaction()?;
        audit(&tx, &crate::now_rfc3339(), actor, action, kind, id, detail)?;
        tx.commit()?;
        Ok(())
    }

    fn auth_event(
        &self,
        username: &str,
        action: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let conn = self.conns.write();
        conn.execute(
            "INSERT INTO auth_events (at, username, action, source, detail) VALUES ($1, $2, $3, $4, $5)",
            params![crate::now_rfc3339(), username, action, source, detail],
        )?;
        Ok(())
    }

    fn auth_events(&self, limit: usize) -> Result<Vec<AuthEvent>, StoreError> {
        let conn = self.conns.read();
        let mut stmt = conn.prepare(
            "SELECT seq, at, username, action, source, detail FROM auth_events ORDER BY seq DESC LIMIT $1",
        )?;
        let rows = stmt.query_map([limit.min(10_000) as i64], |r| {
            Ok(AuthEvent {
                seq: r.get(0)?,
                at: r.get(1)?,
                username: r.get(2)?,
                action: r.get(3)?,
                source: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>().map_err(Into::into)
    }
}
