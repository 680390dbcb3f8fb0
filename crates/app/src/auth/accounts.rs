//! Logins, sessions, API tokens and account administration.
//!
//! - Passwords: argon2id, policy in `password`; a new or reset account gets a one-time password
//!   that must be changed at first login.
//! - Lockout: after `LOCK_AFTER` consecutive failures the account is locked, for 15 minutes the
//!   first time and twice as long after each further failure (at most a day); a correct password
//!   during the lock is refused too. Successful login resets the count.
//! - Administrators give a TOTP code (RFC 6238) after the password; the first login enrols the
//!   authenticator and hands out ten single-use recovery codes.
//! - Sessions: a random 256-bit cookie value, stored as its SHA-256; a new one at every login;
//!   ended at logout, after `Config::session_idle_secs` without a request, and after
//!   `Config::session_max_secs`.
//! - API tokens: `imt_<id>_<secret>`, the secret stored as its SHA-256, optional expiry; a token
//!   acts with its user's role and scope.

use super::password::{self, hex, random_bytes, sha256_hex};
use super::{Perm, Principal, Role, ScopeKind};
use crate::{App, Code, Error, Result};
use innomesh_core::{EntityKind, Record};
use innomesh_store::accounts::{ApiToken, Session, User};
use innomesh_store::{parse_rfc3339, rfc3339, unix_now};

/// Consecutive failures before an account locks.
pub const LOCK_AFTER: i64 = 10;
const FIRST_LOCK_SECS: i64 = 15 * 60;
const MAX_LOCK_SECS: i64 = 24 * 3600;
/// How often a session's last-seen time is written (every request would be a write).
const TOUCH_EVERY_SECS: i64 = 60;
const RECOVERY_CODES: usize = 10;

/// A new session: the cookie value (shown once, to the browser) and what the page needs next.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub cookie: String,
    pub csrf: String,
    /// An administrator must still give a TOTP code (or enrol one).
    pub needs_second_factor: bool,
    /// The administrator has no authenticator yet: show `totp_secret` to enrol.
    pub must_enrol: bool,
    /// The password is a one-time one: it must be changed before anything else.
    pub must_change: bool,
    pub username: String,
}

/// What `session` finds behind a cookie.
#[derive(Debug, Clone)]
pub enum SessionState {
    /// Fully logged in.
    Active(Principal),
    /// Password given, TOTP code still due (administrators).
    SecondFactorDue {
        username: String,
        csrf: String,
        enrolled: bool,
    },
}

/// A new account or a reset: the one-time password to hand over.
#[derive(Debug, Clone)]
pub struct Issued {
    pub user: User,
    pub one_time_password: String,
}

/// What an administrator sees while enrolling an authenticator.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    /// `otpauth://` URI for apps that read one.
    pub uri: String,
}

fn principal_of(
    user: &User,
    source: &str,
    csrf: Option<String>,
    via_token: bool,
) -> Result<Principal> {
    let role = Role::parse(&user.role)?;
    Ok(Principal {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role,
        scope: user.scope.clone(),
        can_unmask: user.can_unmask,
        source: source.to_string(),
        csrf,
        via_token,
        must_change: user.must_change && !via_token,
    })
}

/// An account acting on itself while logging in (no `Principal` yet).
fn self_actor(user: &User, source: &str) -> innomesh_store::Actor {
    let role = Role::parse(&user.role).map(|r| r.label()).unwrap_or("");
    innomesh_store::Actor::new(user.username.clone(), role, source)
}

fn unauthorized(m: &str) -> Error {
    Error::new(Code::Unauthorized, m)
}

fn totp(secret_b32: &str) -> Result<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| Error::internal("stored TOTP secret is not base32"))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|e| Error::internal(format!("TOTP: {e}")))
}

/// The TOTP code of `secret_b32` at `unix` (tests, the demo).
pub fn totp_code(secret_b32: &str, unix: u64) -> Result<String> {
    Ok(totp(secret_b32)?.generate(unix).to_string())
}

impl App {
    // ---- logging in ----

    /// Checks a username and password. Every failure answers the same message (no hint whether
    /// the name exists) and costs the same time.
    pub fn login(&self, username: &str, pass: &str, source: &str) -> Result<LoggedIn> {
        let now = unix_now();
        let user = self.repo.user_by_name(username.trim())?;
        let Some(user) = user else {
            password::verify(pass, password::dummy_hash());
            let _ = self
                .repo
                .auth_event(username, "login_failed", source, "用户不存在");
            return Err(unauthorized("用户名或密码不正确"));
        };
        if let Some(until) = user.locked_until.as_deref().and_then(parse_rfc3339) {
            if until > now {
                let _ = self
                    .repo
                    .auth_event(&user.username, "login_locked", source, "");
                return Err(Error::new(
                    Code::AccountLocked,
                    format!(
                        "连续登录失败次数过多，账号已锁定至 {}（UTC），请稍后再试或联系安全管理员",
                        rfc3339(until)
                    ),
                ));
            }
        }
        if !password::verify(pass, &user.password_hash) {
            let failed = user.failed_logins + 1;
            let locked = (failed >= LOCK_AFTER).then(|| {
                let doublings = (failed - LOCK_AFTER).min(10) as u32;
                rfc3339(now + (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS))
            });
            self.repo
                .user_login_state(user.id, failed, locked.as_deref(), None)?;
            let _ = self.repo.auth_event(
                &user.username,
                if locked.is_some() {
                    "locked"
                } else {
                    "login_failed"
                },
                source,
                &format!("连续失败 {failed} 次"),
            );
            return Err(match locked {
                Some(until) => Error::new(
                    Code::AccountLocked,
                    format!("连续 {failed} 次登录失败，账号已锁定至 {until}（UTC）"),
                ),
                None => unauthorized("用户名或密码不正确"),
            });
        }
        if user.disabled {
            let _ = self
                .repo
                .auth_event(&user.username, "login_disabled", source, "");
            return Err(unauthorized("该账号已停用，请联系安全管理员"));
        }
        let role = Role::parse(&user.role)?;
        self.repo
            .user_login_state(user.id, 0, None, Some(&rfc3339(now)))?;
        let cookie = hex(&random_bytes(32)?);
        let csrf = hex(&random_bytes(32)?);
        let second = role.is_admin();
        self.repo.session_insert(&Session {
            id_hash: sha256_hex(&cookie),
            user_id: user.id,
            csrf: csrf.clone(),
            second_factor_done: !second,
            created_at: rfc3339(now),
            last_seen: rfc3339(now),
            source: source.to_string(),
        })?;
        let _ = self
            .repo
            .auth_event(&user.username, "login", source, role.label());
        Ok(LoggedIn {
            cookie,
            csrf,
            needs_second_factor: second,
            must_enrol: second && !user.totp_enabled,
            must_change: user.must_change,
            username: user.username,
        })
    }

    /// What a session cookie stands for; `Unauthorized` when it is unknown, idle too long or too
    /// old, or its user is disabled.
    pub fn session(&self, cookie: &str, source: &str) -> Result<SessionState> {
        let hash = sha256_hex(cookie);
        let Some(mut s) = self.repo.session_get(&hash)? else {
            return Err(unauthorized("未登录或登录已过期，请重新登录"));
        };
        let now = unix_now();
        let last = parse_rfc3339(&s.last_seen).unwrap_or(0);
        let created = parse_rfc3339(&s.created_at).unwrap_or(0);
        if now - last > self.config.session_idle_secs
            || now - created > self.config.session_max_secs
        {
            self.repo.session_delete(&hash)?;
            return Err(unauthorized("长时间未操作，登录已过期，请重新登录"));
        }
        let Some(user) = self.repo.user_get(s.user_id)? else {
            self.repo.session_delete(&hash)?;
            return Err(unauthorized("账号不存在，请重新登录"));
        };
        if user.disabled {
            self.repo.session_delete(&hash)?;
            return Err(unauthorized("该账号已停用"));
        }
        if now - last >= TOUCH_EVERY_SECS {
            s.last_seen = rfc3339(now);
            self.repo.session_save(&s)?;
        }
        if !s.second_factor_done {
            return Ok(SessionState::SecondFactorDue {
                username: user.username,
                csrf: s.csrf,
                enrolled: user.totp_enabled,
            });
        }
        Ok(SessionState::Active(principal_of(
            &user,
            source,
            Some(s.csrf),
            false,
        )?))
    }

    /// The authenticator secret of an administrator who has none yet (made on first ask, kept
    /// unconfirmed until a code from it is given).
    pub fn totp_enrolment(&self, cookie: &str) -> Result<Enrolment> {
        let s = self
            .repo
            .session_get(&sha256_hex(cookie))?
            .ok_or_else(|| unauthorized("未登录或登录已过期"))?;
        let mut user = self
            .repo
            .user_get(s.user_id)?
            .ok_or_else(|| unauthorized("账号不存在"))?;
        if user.totp_enabled {
            return Err(Error::new(
                Code::Conflict,
                "动态口令已绑定；如需更换请联系安全管理员重置",
            ));
        }
        let secret = match &user.totp_secret {
            Some(s) => s.clone(),
            None => {
                let secret = totp_rs::Secret::from(random_bytes(20)?).to_base32();
                user.totp_secret = Some(secret.clone());
                self.repo.user_save(
                    &user,
                    &self_actor(&user, ""),
                    "totp_enrol_start",
                    "生成动态口令密钥",
                )?;
                secret
            }
        };
        let uri = format!(
            "otpauth://totp/Innomesh:{}?secret={secret}&issuer=Innomesh&algorithm=SHA1&digits=6&period=30",
            user.username
        );
        Ok(Enrolment { secret, uri })
    }

    /// Checks the administrator's TOTP code (or a recovery code) and completes the login with a
    /// new session id (returned: the cookie to set). On the first, enrolling, success it also
    /// returns the recovery codes to show once.
    pub fn second_factor(
        &self,
        cookie: &str,
        code: &str,
        source: &str,
    ) -> Result<(String, Option<Vec<String>>)> {
        let hash = sha256_hex(cookie);
        let mut s = self
            .repo
            .session_get(&hash)?
            .ok_or_else(|| unauthorized("未登录或登录已过期，请重新登录"))?;
        let mut user = self
            .repo
            .user_get(s.user_id)?
            .ok_or_else(|| unauthorized("账号不存在"))?;
        let code = code.trim().replace(' ', "");
        let Some(secret) = user.totp_secret.clone() else {
            return Err(Error::invalid("请先绑定动态口令"));
        };
        let step = if code.len() == 6 {
            totp(&secret)?.check(&code, unix_now() as u64)
        } else {
            None
        };
        // A code counts once: the same (or an earlier) time step again is a replay.
        let ok_totp = match step {
            Some(step) => self.repo.totp_step_claim(user.id, step as i64)?,
            None => false,
        };
        let replayed = step.is_some() && !ok_totp;
        let recovery_hash = sha256_hex(&code.to_lowercase());
        let ok_recovery = user.totp_enabled && user.recovery_codes.contains(&recovery_hash);
        if !ok_totp && !ok_recovery {
            // Wrong codes count towards the lockout like wrong passwords.
            let failed = user.failed_logins + 1;
            let locked = (failed >= LOCK_AFTER).then(|| rfc3339(unix_now() + FIRST_LOCK_SECS));
            self.repo
                .user_login_state(user.id, failed, locked.as_deref(), None)?;
            let _ = self
                .repo
                .auth_event(&user.username, "totp_failed", source, "");
            if locked.is_some() {
                self.repo.session_delete(&hash)?;
                return Err(Error::new(
                    Code::AccountLocked,
                    "动态口令连续错误次数过多，账号已锁定 15 分钟",
                ));
            }
            return Err(unauthorized(if replayed {
                "该动态口令已用过一次，请等待身份验证器显示下一个口令（每 30 秒更新）"
            } else {
                "动态口令不正确"
            }));
        }
        let mut shown = None;
        if !user.totp_enabled {
            let codes: Vec<String> = (0..RECOVERY_CODES)
                .map(|_| random_bytes(5).map(|b| hex(&b)))
                .collect::<Result<_>>()?;
            user.recovery_codes = codes.iter().map(|c| sha256_hex(c)).collect();
            user.totp_enabled = true;
            self.repo.user_save(
                &user,
                &self_actor(&user, source),
                "totp_enrolled",
                "绑定动态口令，生成恢复码",
            )?;
            shown = Some(codes);
        } else if ok_recovery && !ok_totp {
            user.recovery_codes.retain(|c| c != &recovery_hash);
            self.repo.user_save(
                &user,
                &self_actor(&user, source),
                "recovery_code_used",
                &format!("剩余恢复码 {} 个", user.recovery_codes.len()),
            )?;
        }
        self.repo.user_login_state(user.id, 0, None, None)?;
        // A fresh session id once the login is complete.
        self.repo.session_delete(&hash)?;
        let cookie = hex(&random_bytes(32)?);
        s.id_hash = sha256_hex(&cookie);
        s.second_factor_done = true;
        s.csrf = hex(&random_bytes(32)?);
        self.repo.session_insert(&s)?;
        let _ = self.repo.auth_event(&user.username, "totp_ok", source, "");
        Ok((cookie, shown))
    }

    pub fn logout(&self, cookie: &str, source: &str) -> Result<()> {
        let hash = sha256_hex(cookie);
        if let Some(s) = self.repo.session_get(&hash)? {
            self.repo.session_delete(&hash)?;
            if let Some(u) = self.repo.user_get(s.user_id)? {
                let _ = self.repo.auth_event(&u.username, "logout", source, "");
            }
        }
        Ok(())
    }

    /// Changes the caller's own password (the old one is asked again); ends other sessions.
    pub fn change_password(&self, who: &Principal, old: &str, new: &str) -> Result<()> {
        let mut user = self
            .repo
            .user_get(who.user_id)?
            .ok_or_else(|| unauthorized("账号不存在"))?;
        if !password::verify(old, &user.password_hash) {
            return Err(Error::invalid("原密码不正确"));
        }
        if old == new {
            return Err(Error::invalid("新密码不能与原密码相同"));
        }
        password::check_policy(new, &user.username)?;
        user.password_hash = password::hash(new)?;
        user.must_change = false;
        self.repo
            .user_save(&user, &who.actor(), "password_change", "本人修改密码")?;
        Ok(())
    }

    /// Whether the caller still has to replace a one-time password.
    pub fn must_change_password(&self, who: &Principal) -> bool {
        who.user_id > 0
            && self
                .repo
                .user_get(who.user_id)
                .ok()
                .flatten()
                .is_some_and(|u| u.must_change)
    }

    /// The principal behind `Authorization: Bearer imt_<id>_<secret>`.
    pub fn token_principal(&self, bearer: &str, source: &str) -> Result<Principal> {
        let bad = || unauthorized("令牌无效、已吊销或已过期");
        let rest = bearer.trim().strip_prefix("imt_").ok_or_else(bad)?;
        let (id, secret) = rest.split_once('_').ok_or_else(bad)?;
        let token = self.repo.token_get(id)?.ok_or_else(bad)?;
        if token.revoked || token.hash != sha256_hex(secret) {
            return Err(bad());
        }
        let now = unix_now();
        if token
            .expires_at
            .as_deref()
            .and_then(parse_rfc3339)
            .is_some_and(|e| e <= now)
        {
            return Err(bad());
        }
        let user = self.repo.user_get(token.user_id)?.ok_or_else(bad)?;
        if user.disabled {
            return Err(unauthorized("该账号已停用"));
        }
        if token
            .last_used
            .as_deref()
            .and_then(parse_rfc3339)
            .is_none_or(|t| now - t >= TOUCH_EVERY_SECS)
        {
            self.repo.token_used(id, &rfc3339(now))?;
        }
        principal_of(&user, source, None, true)
    }

    // ---- administration (security administrator, or the command line) ----

    /// Adds an account; returns it with a one-time password to hand over.
    pub fn add_user(
        &self,
        who: &Principal,
        username: &str,
        display_name: &str,
        role: Role,
        scope: &str,
    ) -> Result<Issued> {
        who.require(Perm::Users)?;
        let username = username.trim();
        if username.is_empty()
            || username.chars().count() > 64
            || !username
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Error::invalid("用户名须为 1–64 个字母、数字、汉字或 - _ ."));
        }
        let scope = self.checked_scope(role, scope)?;
        let otp = password::one_time_password()?;
        let user = User {
            id: 0,
            username: username.to_string(),
            display_name: if display_name.trim().is_empty() {
                username.to_string()
            } else {
                display_name.trim().to_string()
            },
            role: role.code().to_string(),
            scope,
            can_unmask: false,
            disabled: false,
            must_change: true,
            password_hash: password::hash(&otp)?,
            totp_secret: None,
            totp_enabled: false,
            recovery_codes: vec![],
            failed_logins: 0,
            locked_until: None,
            last_login: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let user = self.repo.user_insert(&user, &who.actor())?;
        Ok(Issued {
            user,
            one_time_password: otp,
        })
    }

    /// Adds an account with a chosen password (the demo's accounts).
    pub fn add_user_with_password(
        &self,
        who: &Principal,
        username: &str,
        display_name: &str,
        role: Role,
        scope: &str,
        pass: &str,
    ) -> Result<User> {
        password::check_policy(pass, username)?;
        let issued = self.add_user(who, username, display_name, role, scope)?;
        let mut user = issued.user;
        user.password_hash = password::hash(pass)?;
        user.must_change = false;
        self.repo
            .user_save(&user, &who.actor(), "password_set", "设置初始密码")?;
        Ok(user)
    }

    fn checked_scope(&self, role: Role, scope: &str) -> Result<String> {
        let scope = scope.trim();
        let need = |what: &str| Error::invalid(format!("角色「{}」须指定{what}", role.label()));
        match role.scope_kind() {
            ScopeKind::None => {
                if !scope.is_empty() {
                    return Err(Error::invalid(format!(
                        "角色「{}」不分范围，不要填写范围",
                        role.label()
                    )));
                }
                Ok(String::new())
            }
            ScopeKind::Region => {
                if scope.is_empty() {
                    return Err(need("行政区划代码"));
                }
                let r = innomesh_core::reference::regions()
                    .resolve(scope)
                    .ok_or_else(|| {
                        Error::invalid(format!("行政区划代码「{scope}」不在 GB/T 2260 代码表中"))
                    })?;
                Ok(r.code.clone())
            }
            ScopeKind::Department => {
                if scope.is_empty() {
                    return Err(need("主管部门名称"));
                }
                Ok(scope.to_string())
            }
            ScopeKind::Organisation => {
                let code = innomesh_core::CreditCode::parse(scope)
                    .map_err(|e| Error::invalid(format!("统一社会信用代码无效：{e}")))?;
                if self
                    .repo
                    .get(EntityKind::Organisation, code.as_str())?
                    .is_none()
                {
                    return Err(Error::invalid(format!(
                        "登记库中没有统一社会信用代码为 {} 的单位，请先登记该单位",
                        code.as_str()
                    )));
                }
                Ok(code.as_str().to_string())
            }
            ScopeKind::Solver => {
                if scope.is_empty() {
                    return Err(need("登记库编号"));
                }
                let found = [EntityKind::Person, EntityKind::Platform]
                    .into_iter()
                    .map(|k| self.repo.get(k, scope))
                    .collect::<std::result::Result<Vec<Option<Record>>, _>>()?;
                if found.iter().all(Option::is_none) {
                    return Err(Error::invalid(format!(
                        "登记库中没有编号为「{scope}」的专家、技术经理人或平台"
                    )));
                }
                Ok(scope.to_string())
            }
        }
    }

    pub fn users(&self, who: &Principal) -> Result<Vec<User>> {
        who.require(Perm::Users)?;
        Ok(self.repo.users()?)
    }

    fn user_named(&self, username: &str) -> Result<User> {
        self.repo
            .user_by_name(username)?
            .ok_or_else(|| Error::not_found(format!("没有用户「{username}」")))
    }

    /// Disables or re-enables an account; a disabled account's sessions end at once.
    pub fn set_user_disabled(&self, who: &Principal, username: &str, disabled: bool) -> Result<()> {
        who.require(Perm::Users)?;
        let mut user = self.user_named(username)?;
        if disabled && user.id == who.user_id {
            return Err(Error::invalid("不能停用自己的账号"));
        }
        user.disabled = disabled;
        let (action, detail) = if disabled {
            ("user_disable", "停用账号")
        } else {
            ("user_enable", "启用账号")
        };
        self.repo.user_save(&user, &who.actor(), action, detail)?;
        if disabled {
            self.repo.sessions_delete_for(user.id)?;
        }
        Ok(())
    }

    /// A new one-time password; unlocks the account and ends its sessions. `reset_totp` also
    /// clears the authenticator (a lost phone).
    pub fn reset_password(
        &self,
        who: &Principal,
        username: &str,
        reset_totp: bool,
    ) -> Result<Issued> {
        who.require(Perm::Users)?;
        let mut user = self.user_named(username)?;
        let otp = password::one_time_password()?;
        user.password_hash = password::hash(&otp)?;
        user.must_change = true;
        user.failed_logins = 0;
        user.locked_until = None;
        if reset_totp {
            user.totp_secret = None;
            user.totp_enabled = false;
            user.recovery_codes.clear();
        }
        self.repo.user_save(
            &user,
            &who.actor(),
            "password_reset",
            if reset_totp {
                "重置密码与动态口令"
            } else {
                "重置密码"
            },
        )?;
        self.repo.sessions_delete_for(user.id)?;
        Ok(Issued {
            user,
            one_time_password: otp,
        })
    }

    /// Grants or withdraws the right to see personal data in full.
    pub fn set_can_unmask(&self, who: &Principal, username: &str, allowed: bool) -> Result<()> {
        who.require(Perm::Users)?;
        let mut user = self.user_named(username)?;
        let role = Role::parse(&user.role)?;
        if allowed
            && !matches!(
                role,
                Role::CityStaff | Role::DistrictStaff | Role::DepartmentStaff
            )
        {
            return Err(Error::invalid(format!(
                "角色「{}」不能查看完整个人信息（仅市级、旗县区、部门工作人员可授权）",
                role.label()
            )));
        }
        user.can_unmask = allowed;
        self.repo.user_save(
            &user,
            &who.actor(),
            "unmask_grant",
            if allowed {
                "授予查看完整个人信息权限"
            } else {
                "收回查看完整个人信息权限"
            },
        )?;
        Ok(())
    }

    /// Creates an API token for `username`; the returned string is shown once and never again.
    pub fn create_token(
        &self,
        who: &Principal,
        username: &str,
        expires_days: Option<u32>,
        label: &str,
    ) -> Result<(ApiToken, String)> {
        who.require(Perm::Users)?;
        let user = self.user_named(username)?;
        if user.disabled {
            return Err(Error::invalid("该账号已停用，不能签发令牌"));
        }
        if Role::parse(&user.role)?.is_admin() {
            return Err(Error::invalid(
                "管理员账号须以口令加动态口令登录，不签发接口令牌",
            ));
        }
        let id = hex(&random_bytes(6)?);
        let secret = hex(&random_bytes(32)?);
        let now = unix_now();
        let token = ApiToken {
            id: id.clone(),
            hash: sha256_hex(&secret),
            user_id: user.id,
            label: label.to_string(),
            created_at: rfc3339(now),
            expires_at: expires_days.map(|d| rfc3339(now + d as i64 * 86_400)),
            last_used: None,
            revoked: false,
        };
        self.repo.token_insert(&token, &who.actor())?;
        Ok((token, format!("imt_{id}_{secret}")))
    }

    pub fn tokens(&self, who: &Principal) -> Result<Vec<ApiToken>> {
        who.require(Perm::Users)?;
        Ok(self.repo.tokens(None)?)
    }

    pub fn revoke_token(&self, who: &Principal, id: &str) -> Result<()> {
        who.require(Perm::Users)?;
        Ok(self.repo.token_revoke(id, &who.actor())?)
    }

    /// Logins, failures, lockouts (the security log).
    pub fn auth_events(
        &self,
        who: &Principal,
        limit: usize,
    ) -> Result<Vec<innomesh_store::accounts::AuthEvent>> {
        if !(who.may(Perm::Audit) || who.may(Perm::Users)) {
            who.require(Perm::Audit)?;
        }
        Ok(self.repo.auth_events(limit)?)
    }

    /// Whether any account exists (a fresh installation asks for the first administrator).
    pub fn has_users(&self) -> Result<bool> {
        Ok(!self.repo.users()?.is_empty())
    }
}
