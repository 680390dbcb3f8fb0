//! The demo's accounts: one per assignable role, with known passwords and scopes taken from the
//! generated sample registry, so that `innomesh demo` can be tried role by role at once. Only a
//! registry that carries the 示例数据 label gets them; the login page lists them under that
//! banner (with the administrators' current TOTP codes, so no authenticator app is needed).

use super::accounts::totp_code;
use super::password::{hex, random_bytes, sha256_hex};
use super::{Principal, Role, ScopeKind};
use crate::{App, Error, Result};
use innomesh_core::model::{OrgKind, PersonRole, PlatformKind, PlatformStatus, SolverType};
use innomesh_core::reference::{regions, RegionLevel};
use innomesh_core::{EntityKind, Record};
use innomesh_store::unix_now;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Meta key holding the demo accounts (JSON).
pub const META_KEY: &str = "demo_accounts";

/// One demo account as the login page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    /// What the role works in (empty when it has none).
    pub scope: String,
    /// The Chinese name of the scope: the district, the enterprise, the person, the department.
    pub scope_name: String,
    pub password: String,
    /// Administrators only: the enrolled authenticator secret (base32).
    pub totp_secret: Option<String>,
}

impl DemoAccount {
    /// The administrator's TOTP code at this moment.
    pub fn totp_now(&self) -> Option<String> {
        let secret = self.totp_secret.as_deref()?;
        totp_code(secret, unix_now().max(0) as u64).ok()
    }
}

/// How the list is kept in the meta table: `Role` has no `Deserialize`, so the role is its code.
#[derive(Serialize, Deserialize)]
struct Stored {
    username: String,
    role: String,
    scope: String,
    scope_name: String,
    password: String,
    totp_secret: Option<String>,
}

/// Username and password of each role's demo account. Every password passes
/// `password::check_policy` (a unit test checks it).
const ACCOUNTS: [(Role, &str, &str); 10] = [
    (Role::CityStaff, "demo-city", "示例数据-市级-2026!"),
    (
        Role::DistrictStaff,
        "demo-district",
        "示例数据-旗县区-2026!",
    ),
    (
        Role::DepartmentStaff,
        "demo-department",
        "示例数据-部门-2026!",
    ),
    (Role::Enterprise, "demo-enterprise", "示例数据-企业-2026!"),
    (Role::Expert, "demo-expert", "示例数据-专家-2026!"),
    (Role::TechManager, "demo-manager", "示例数据-经理人-2026!"),
    (Role::Auditor, "demo-auditor", "示例数据-审计-2026!"),
    (
        Role::SystemAdmin,
        "demo-sysadmin",
        "示例数据-系统管理-2026!",
    ),
    (
        Role::SecurityAdmin,
        "demo-secadmin",
        "示例数据-安全管理-2026!",
    ),
    (
        Role::AuditAdmin,
        "demo-auditadmin",
        "示例数据-审计管理-2026!",
    ),
];

/// Creates the demo accounts on a registry holding sample data and records them under
/// `META_KEY`. Run once, after the sample data; a second run returns the accounts already made.
pub fn seed_demo_accounts(app: &App, who: &Principal) -> Result<Vec<DemoAccount>> {
    if app.repo.meta("sample_data")?.is_none() {
        return Err(Error::invalid(
            "只有示例数据库才能创建示例账号（登记库中没有「示例数据」标记）",
        ));
    }
    if app.repo.meta(META_KEY)?.is_some() {
        return Ok(demo_accounts(app));
    }
    let scopes = Scopes::of(app)?;
    let mut out = Vec::new();
    for (role, username, pass) in ACCOUNTS {
        let (scope, scope_name) = match role.scope_kind() {
            ScopeKind::None => (String::new(), String::new()),
            _ => scopes.for_role(role).ok_or_else(|| {
                Error::invalid(format!(
                    "示例数据中找不到适合「{}」的范围，未创建示例账号",
                    role.label()
                ))
            })?,
        };
        let display = if scope_name.is_empty() {
            format!("{}（示例）", role.label())
        } else {
            format!("{}·{}（示例）", scope_name, role.label())
        };
        let mut user = app.add_user_with_password(who, username, &display, role, &scope, pass)?;
        let mut totp_secret = None;
        if role.is_admin() {
            // Enrolled already, so the demo needs no authenticator app: the login page shows
            // the current code. The recovery codes are never shown (the code always is).
            let secret = totp_rs::Secret::from(random_bytes(20)?).to_base32();
            user.totp_secret = Some(secret.clone());
            user.totp_enabled = true;
            user.recovery_codes = (0..10)
                .map(|_| random_bytes(5).map(|b| sha256_hex(&hex(&b))))
                .collect::<Result<_>>()?;
            app.repo.user_save(
                &user,
                &who.actor(),
                "totp_enrolled",
                "示例账号：预置动态口令",
            )?;
            totp_secret = Some(secret);
        }
        out.push(DemoAccount {
            username: username.to_string(),
            role,
            scope,
            scope_name,
            password: pass.to_string(),
            totp_secret,
        });
    }
    // A second unit account: the owner of the shared 稀土元素分析 instrument (开放共享), so the
    // demo shows both sides of a booking.
    if let Some((owner, name)) = instrument_owner(app)? {
        let (username, pass) = ("demo-owner", "示例数据-仪器共享-2026!");
        let display = format!("{name}·{}（示例）", Role::Enterprise.label());
        app.add_user_with_password(who, username, &display, Role::Enterprise, &owner, pass)?;
        out.push(DemoAccount {
            username: username.to_string(),
            role: Role::Enterprise,
            scope: owner,
            scope_name: name,
            password: pass.to_string(),
            totp_secret: None,
        });
    }
    // A platform account: the first key laboratory the sample assessment rounds assess, so the
    // demo shows a platform seeing its own scorecard, entering its figures and uploading evidence.
    if let Some((platform, name)) = first_key_laboratory(app)? {
        let (username, pass) = ("demo-platform", "示例数据-创新平台-2026!");
        let display = format!("{name}·{}（示例）", Role::Expert.label());
        app.add_user_with_password(who, username, &display, Role::Expert, &platform, pass)?;
        out.push(DemoAccount {
            username: username.to_string(),
            role: Role::Expert,
            scope: platform,
            scope_name: name,
            password: pass.to_string(),
            totp_secret: None,
        });
    }
    let stored: Vec<Stored> = out
        .iter()
        .map(|a| Stored {
            username: a.username.clone(),
            role: a.role.code().to_string(),
            scope: a.scope.clone(),
            scope_name: a.scope_name.clone(),
            password: a.password.clone(),
            totp_secret: a.totp_secret.clone(),
        })
        .collect();
    let json = serde_json::to_string(&stored)
        .map_err(|e| Error::internal(format!("示例账号无法序列化：{e}")))?;
    // Written as a secret: the value (passwords, TOTP secrets) stays out of the audit trail,
    // which the audit administrator reads; the meta row is the same as `set_meta`'s.
    app.repo.set_secret(META_KEY, &json, &who.actor())?;
    Ok(out)
}

/// The unit offering the first shared 稀土元素分析 service of the sample, with its name.
fn instrument_owner(app: &App) -> Result<Option<(String, String)>> {
    for r in app.repo.all(EntityKind::SharedService)? {
        if let Record::SharedService(s) = r {
            if s.name.contains("稀土元素分析") {
                let code = s.owner.as_str().to_string();
                let name = match app.repo.get(EntityKind::Organisation, &code)? {
                    Some(Record::Organisation(o)) => o.name,
                    _ => code.clone(),
                };
                return Ok(Some((code, name)));
            }
        }
    }
    Ok(None)
}

/// The active key laboratory with the smallest id (the first unit of the sample's rounds).
fn first_key_laboratory(app: &App) -> Result<Option<(String, String)>> {
    Ok(app
        .repo
        .all(EntityKind::Platform)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Platform(p)
                if p.kind == PlatformKind::KeyLaboratory && p.status != PlatformStatus::Revoked =>
            {
                Some((p.id, p.name))
            }
            _ => None,
        })
        .min())
}

/// The demo accounts, for the login page: empty unless the registry holds sample data.
pub fn demo_accounts(app: &App) -> Vec<DemoAccount> {
    if app.sample_label().is_none() {
        return vec![];
    }
    let Ok(Some(json)) = app.repo.meta(META_KEY) else {
        return vec![];
    };
    let stored: Vec<Stored> = serde_json::from_str(&json).unwrap_or_default();
    stored
        .into_iter()
        .filter_map(|s| {
            Some(DemoAccount {
                role: Role::parse(&s.role).ok()?,
                username: s.username,
                scope: s.scope,
                scope_name: s.scope_name,
                password: s.password,
                totp_secret: s.totp_secret,
            })
        })
        .collect()
}

/// The Chinese name of a role's scope (a district, an organisation, a person or platform, a
/// department); empty when the role has none or the record is gone.
pub fn scope_name(app: &App, role: Role, scope: &str) -> String {
    let record_name = |kind: EntityKind| match app.repo.get(kind, scope) {
        Ok(Some(Record::Organisation(o))) => Some(o.name),
        Ok(Some(Record::Person(p))) => Some(p.name),
        Ok(Some(Record::Platform(p))) => Some(p.name),
        _ => None,
    };
    match role.scope_kind() {
        ScopeKind::None => String::new(),
        ScopeKind::Region => regions()
            .resolve(scope)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        ScopeKind::Department => scope.to_string(),
        ScopeKind::Organisation => record_name(EntityKind::Organisation).unwrap_or_default(),
        ScopeKind::Solver => record_name(EntityKind::Person)
            .or_else(|| record_name(EntityKind::Platform))
            .unwrap_or_default(),
    }
}

/// The scopes the demo accounts work in, picked from the sample registry so that each role has
/// something to see: the busiest district, department, enterprise, expert and manager. Ties go
/// to the smallest code, so the same sample always gives the same accounts.
struct Scopes {
    district: Option<String>,
    department: Option<String>,
    enterprise: Option<String>,
    expert: Option<String>,
    manager: Option<String>,
    names: BTreeMap<String, String>,
}

/// The key with the largest count (the smallest key among equals).
fn busiest(counts: BTreeMap<String, usize>) -> Option<String> {
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .fold(None, |best: Option<(String, usize)>, (k, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((k, n)),
        })
        .map(|(k, _)| k)
}

impl Scopes {
    fn of(app: &App) -> Result<Scopes> {
        let repo = &app.repo;
        let mut names = BTreeMap::new();

        // Districts: organisations per county-level region (townships count for their county).
        let mut districts = BTreeMap::new();
        for (code, n) in repo.counts_by_region(EntityKind::Organisation)? {
            let Some(county) = code.get(..6) else {
                continue;
            };
            if regions()
                .resolve(county)
                .is_some_and(|r| r.level == RegionLevel::County)
            {
                *districts.entry(county.to_string()).or_insert(0) += n;
            }
        }

        let mut departments = BTreeMap::new();
        for r in repo.all(EntityKind::Programme)? {
            if let Record::Programme(p) = r {
                let d = p.department.trim();
                if !d.is_empty() {
                    *departments.entry(d.to_string()).or_insert(0) += 1;
                }
            }
        }

        // Enterprises with both demands and applications, by how many they have.
        let mut demands: BTreeMap<String, usize> = BTreeMap::new();
        let mut managed = BTreeMap::new();
        for r in repo.all(EntityKind::Demand)? {
            if let Record::Demand(d) = r {
                *demands
                    .entry(d.organisation.as_str().to_string())
                    .or_insert(0) += 1;
                if let Some(m) = d.manager {
                    *managed.entry(m).or_insert(0) += 1;
                }
            }
        }
        let mut applications: BTreeMap<String, usize> = BTreeMap::new();
        for r in repo.all(EntityKind::Application)? {
            if let Record::Application(a) = r {
                *applications
                    .entry(a.applicant.as_str().to_string())
                    .or_insert(0) += 1;
            }
        }
        let mut enterprises = BTreeMap::new();
        for (code, d) in &demands {
            let Some(a) = applications.get(code) else {
                continue;
            };
            if let Some(Record::Organisation(o)) = repo.get(EntityKind::Organisation, code)? {
                if o.kind == OrgKind::Enterprise {
                    enterprises.insert(code.clone(), d + a);
                    names.insert(code.clone(), o.name);
                }
            }
        }

        let mut responses = BTreeMap::new();
        for r in repo.all(EntityKind::DemandResponse)? {
            if let Record::DemandResponse(resp) = r {
                if resp.solver_type == SolverType::Expert {
                    *responses.entry(resp.solver).or_insert(0) += 1;
                }
            }
        }
        let mut experts = BTreeMap::new();
        let mut managers = BTreeMap::new();
        for r in repo.all(EntityKind::Person)? {
            if let Record::Person(p) = r {
                let (counts, into) = match p.role {
                    PersonRole::Expert => (&responses, &mut experts),
                    PersonRole::TechnologyManager => (&managed, &mut managers),
                };
                if let Some(n) = counts.get(&p.id) {
                    into.insert(p.id.clone(), *n);
                    names.insert(p.id, p.name);
                }
            }
        }

        Ok(Scopes {
            district: busiest(districts),
            department: busiest(departments),
            enterprise: busiest(enterprises),
            expert: busiest(experts),
            manager: busiest(managers),
            names,
        })
    }

    /// The scope and its Chinese name for `role`.
    fn for_role(&self, role: Role) -> Option<(String, String)> {
        let scope = match role {
            Role::DistrictStaff => {
                let code = self.district.clone()?;
                let name = regions().resolve(&code)?.name.clone();
                return Some((code, name));
            }
            Role::DepartmentStaff => {
                let d = self.department.clone()?;
                return Some((d.clone(), d));
            }
            Role::Enterprise => self.enterprise.clone()?,
            Role::Expert => self.expert.clone()?,
            Role::TechManager => self.manager.clone()?,
            _ => return None,
        };
        let name = self.names.get(&scope).cloned().unwrap_or_default();
        Some((scope, name))
    }
}
