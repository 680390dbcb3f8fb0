//! `user` and `token`: accounts and API tokens, administered from the server's command line (the
//! first administrator is made this way), and the demo accounts' table.

use crate::{operator, DataDir};
use innomesh_app::auth::demo::{scope_name, DemoAccount};
use innomesh_app::auth::ScopeKind;
use innomesh_app::{App, Role};
use innomesh_store::{parse_rfc3339, unix_now};
use std::process::ExitCode;
use std::sync::Arc;

/// Where the accounts live: the configured database (`--database` / `INNOMESH_DATABASE_URL`, else
/// SQLite in --data-dir).
#[derive(clap::Args, Clone)]
pub struct Backend {
    #[command(flatten)]
    pub dir: DataDir,
}

impl Backend {
    fn open(&self) -> anyhow::Result<Arc<App>> {
        crate::serve::open_app(&self.dir)
    }
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// 新增账号，打印一次性密码（首次登录须修改）。第一个管理员：user add admin --role security-admin
    Add {
        /// 用户名（字母、数字、汉字或 - _ .）
        name: String,
        /// 角色：代码或中文名，如 city-staff（市级工作人员）、district-staff、security-admin
        #[arg(long)]
        role: String,
        /// 范围：旗县区为行政区划代码，部门为主管部门名称，企业为统一社会信用代码，专家 / 技术经理人为登记库编号
        #[arg(long)]
        scope: Option<String>,
        /// 姓名（默认同用户名）
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        backend: Backend,
    },
    /// 列出全部账号
    List {
        #[command(flatten)]
        backend: Backend,
    },
    /// 停用账号（其登录会话立即失效）
    Disable {
        name: String,
        #[command(flatten)]
        backend: Backend,
    },
    /// 重新启用账号
    Enable {
        name: String,
        #[command(flatten)]
        backend: Backend,
    },
    /// 重置密码（同时解除锁定），打印新的一次性密码
    ResetPassword {
        name: String,
        /// 同时清除已绑定的动态口令（手机丢失时），下次登录重新绑定
        #[arg(long)]
        totp: bool,
        #[command(flatten)]
        backend: Backend,
    },
    /// 授权查看完整个人信息（仅市级、旗县区、部门工作人员）
    GrantUnmask {
        name: String,
        #[command(flatten)]
        backend: Backend,
    },
    /// 收回查看完整个人信息的授权
    RevokeUnmask {
        name: String,
        #[command(flatten)]
        backend: Backend,
    },
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// 为账号签发接口令牌（只显示这一次）；令牌以该账号的角色和范围调用接口
    Create {
        /// 用户名
        user: String,
        /// 有效天数（默认长期有效）
        #[arg(long, value_name = "DAYS")]
        expires: Option<u32>,
        /// 用途说明，如「区平台数据同步」
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        backend: Backend,
    },
    /// 列出全部接口令牌
    List {
        #[command(flatten)]
        backend: Backend,
    },
    /// 吊销令牌（按令牌编号）
    Revoke {
        id: String,
        #[command(flatten)]
        backend: Backend,
    },
}

/// An `App` error as the command's failure (its Chinese message).
fn failed(e: innomesh_app::Error) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

pub fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let who = operator();
    match cmd {
        UserCommand::Add {
            name,
            role,
            scope,
            display_name,
            backend,
        } => {
            let role = Role::parse(&role).map_err(failed)?;
            let scope = scope.unwrap_or_default();
            if role.scope_kind() != ScopeKind::None && scope.trim().is_empty() {
                anyhow::bail!(
                    "角色「{}」须用 --scope 指定{}",
                    role.label(),
                    role.scope_label()
                );
            }
            let app = backend.open()?;
            let issued = app
                .add_user(
                    &who,
                    &name,
                    display_name.as_deref().unwrap_or(""),
                    role,
                    &scope,
                )
                .map_err(failed)?;
            let u = &issued.user;
            println!(
                "已新增账号 {}（{}，{}）{}",
                u.username,
                u.display_name,
                role.label(),
                scope_text(&app, role, &u.scope)
                    .map(|s| format!("，范围：{s}"))
                    .unwrap_or_default()
            );
            println!("一次性密码：{}（首次登录须修改）", issued.one_time_password);
            if role.is_admin() {
                println!("管理员首次登录时须绑定动态口令（TOTP），并保存页面给出的恢复码。");
            }
        }
        UserCommand::List { backend } => {
            let app = backend.open()?;
            let users = app.users(&who).map_err(failed)?;
            if users.is_empty() {
                println!(
                    "尚无账号。新增第一个管理员：innomesh user add admin --role security-admin"
                );
                return Ok(ExitCode::SUCCESS);
            }
            let now = unix_now();
            let mut rows = vec![[
                "用户名",
                "姓名",
                "角色",
                "范围",
                "状态",
                "动态口令",
                "可查看个人信息",
                "最近登录",
            ]
            .map(String::from)];
            for u in &users {
                let role = Role::parse(&u.role).ok();
                let locked = u
                    .locked_until
                    .as_deref()
                    .filter(|t| parse_rfc3339(t).is_some_and(|t| t > now));
                let status = if u.disabled {
                    "停用".to_string()
                } else if let Some(until) = locked {
                    format!("锁定至 {}", when(until))
                } else {
                    "正常".to_string()
                };
                rows.push([
                    u.username.clone(),
                    u.display_name.clone(),
                    role.map_or_else(|| u.role.clone(), |r| r.label().to_string()),
                    role.and_then(|r| scope_text(&app, r, &u.scope))
                        .unwrap_or_else(|| "—".into()),
                    status,
                    if u.totp_enabled {
                        "已绑定"
                    } else {
                        "未绑定"
                    }
                    .into(),
                    if u.can_unmask { "是" } else { "否" }.into(),
                    u.last_login
                        .as_deref()
                        .map_or_else(|| "从未登录".into(), when),
                ]);
            }
            print_table(&rows);
        }
        UserCommand::Disable { name, backend } => {
            let app = backend.open()?;
            app.set_user_disabled(&who, &name, true).map_err(failed)?;
            println!("已停用账号 {name}，其登录会话已失效");
        }
        UserCommand::Enable { name, backend } => {
            let app = backend.open()?;
            app.set_user_disabled(&who, &name, false).map_err(failed)?;
            println!("已启用账号 {name}");
        }
        UserCommand::ResetPassword {
            name,
            totp,
            backend,
        } => {
            let app = backend.open()?;
            let issued = app.reset_password(&who, &name, totp).map_err(failed)?;
            println!(
                "已重置账号 {} 的密码{}，锁定已解除，原有登录会话已失效",
                issued.user.username,
                if totp { "和动态口令" } else { "" }
            );
            println!("一次性密码：{}（首次登录须修改）", issued.one_time_password);
        }
        UserCommand::GrantUnmask { name, backend } => {
            let app = backend.open()?;
            app.set_can_unmask(&who, &name, true).map_err(failed)?;
            println!("已授权 {name} 查看完整个人信息（每次查看须填写事由，留痕审计）");
        }
        UserCommand::RevokeUnmask { name, backend } => {
            let app = backend.open()?;
            app.set_can_unmask(&who, &name, false).map_err(failed)?;
            println!("已收回 {name} 查看完整个人信息的授权");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn token(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let who = operator();
    match cmd {
        TokenCommand::Create {
            user,
            expires,
            label,
            backend,
        } => {
            if expires == Some(0) {
                anyhow::bail!("--expires 须为正整数天数（不填则长期有效）");
            }
            let app = backend.open()?;
            let (token, secret) = app
                .create_token(&who, &user, expires, label.as_deref().unwrap_or(""))
                .map_err(failed)?;
            println!(
                "已为 {user} 签发接口令牌，编号 {}，{}",
                token.id,
                token.expires_at.as_deref().map_or_else(
                    || "长期有效".to_string(),
                    |t| format!("有效期至 {}", when(t))
                )
            );
            println!("令牌只显示这一次，请立即妥善保存（遗失只能吊销后重新签发）：");
            println!();
            println!("{secret}");
            println!();
            println!("调用接口时放在请求头中，以该账号的角色和范围访问：");
            println!("  Authorization: Bearer {secret}");
            println!("例如：curl -H 'Authorization: Bearer {secret}' http://127.0.0.1:8080/api/organisations");
            println!("吊销：innomesh token revoke {}", token.id);
        }
        TokenCommand::List { backend } => {
            let app = backend.open()?;
            let tokens = app.tokens(&who).map_err(failed)?;
            if tokens.is_empty() {
                println!("尚无接口令牌。签发：innomesh token create 用户名 [--expires 天数] [--label 用途]");
                return Ok(ExitCode::SUCCESS);
            }
            let names: std::collections::HashMap<i64, String> = app
                .users(&who)
                .map_err(failed)?
                .into_iter()
                .map(|u| (u.id, u.username))
                .collect();
            let now = unix_now();
            let mut rows = vec![[
                "编号",
                "账号",
                "用途",
                "签发时间",
                "到期",
                "最近使用",
                "状态",
            ]
            .map(String::from)];
            for t in &tokens {
                let expired = t
                    .expires_at
                    .as_deref()
                    .and_then(parse_rfc3339)
                    .is_some_and(|e| e <= now);
                rows.push([
                    t.id.clone(),
                    names
                        .get(&t.user_id)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", t.user_id)),
                    if t.label.is_empty() {
                        "—".into()
                    } else {
                        t.label.clone()
                    },
                    when(&t.created_at),
                    t.expires_at.as_deref().map_or_else(|| "长期".into(), when),
                    t.last_used.as_deref().map_or_else(|| "未使用".into(), when),
                    if t.revoked {
                        "已吊销"
                    } else if expired {
                        "已过期"
                    } else {
                        "有效"
                    }
                    .into(),
                ]);
            }
            print_table(&rows);
        }
        TokenCommand::Revoke { id, backend } => {
            let app = backend.open()?;
            app.revoke_token(&who, id.trim()).map_err(failed)?;
            println!("已吊销令牌 {}", id.trim());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's accounts, printed by `innomesh demo` before it serves.
pub fn print_demo_accounts(accounts: &[DemoAccount]) {
    if accounts.is_empty() {
        return;
    }
    println!("示例账号（仅示例数据库；登录页上也列出）：");
    let mut rows = vec![["用户名", "角色", "范围", "密码", "动态口令"].map(String::from)];
    for a in accounts {
        rows.push([
            a.username.clone(),
            a.role.label().to_string(),
            if a.scope.is_empty() {
                "—".to_string()
            } else if a.scope_name.is_empty() || a.scope_name == a.scope {
                a.scope.clone()
            } else {
                format!("{} {}", a.scope, a.scope_name)
            },
            a.password.clone(),
            if a.totp_secret.is_some() {
                "管理员动态口令见登录页"
            } else {
                "—"
            }
            .to_string(),
        ]);
    }
    print_table(&rows);
}

/// A scope with its name beside the code (`150203 昆都仑区`); `None` when the role has none.
fn scope_text(app: &App, role: Role, scope: &str) -> Option<String> {
    if scope.is_empty() {
        return None;
    }
    let name = scope_name(app, role, scope);
    Some(if name.is_empty() || name == scope {
        scope.to_string()
    } else {
        format!("{scope} {name}")
    })
}

/// `2026-12-07T09:14:55Z` as `2026-12-07 09:14 UTC`.
fn when(t: &str) -> String {
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(hm)) if t.ends_with('Z') => format!("{d} {hm} UTC"),
        _ => t.to_string(),
    }
}

/// Terminal columns a string takes: CJK and full-width characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Rows (the first is the header) in columns aligned for a terminal, two spaces apart.
fn print_table<const N: usize>(rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        println!("{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_chinese_twice() {
        assert_eq!(width("admin"), 5);
        assert_eq!(width("安全管理员"), 10);
        assert_eq!(width("锁定至 2026"), 11);
        assert_eq!(when("2026-12-07T09:14:55Z"), "2026-12-07 09:14 UTC");
    }
}
