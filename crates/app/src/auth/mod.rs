//! Who is asking: roles, the principal every `App` call carries, and what each role may do.
//! Authorization is decided here and in `scope` for every door (pages, API, imports, exports,
//! engines, CLI); front ends only find out who the caller is (session cookie, bearer token, or
//! the local command line) and pass the `Principal` on.

pub mod accounts;
pub mod demo;
pub mod password;
pub mod scope;

use crate::{Code, Error, Result};
use serde::Serialize;

/// The roles of the city's innovation system. Three administrator roles keep 等保 2.0's
/// separation of duties (三权分立): the system administrator runs the system, the security
/// administrator manages accounts and who may see personal data, the audit administrator reads
/// the audit trail; none of them can do the others' work or touch registry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    CityStaff,
    DistrictStaff,
    DepartmentStaff,
    Enterprise,
    Expert,
    TechManager,
    Auditor,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    /// The command line on the server itself: whoever runs it owns the data files. Never a
    /// user's role.
    Local,
}

/// What a role's scope names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    None,
    /// A GB/T 2260 region code: the district and its descendants.
    Region,
    /// A department name, as programmes' 主管部门 spell it.
    Department,
    /// An organisation's credit code.
    Organisation,
    /// A person's registry id (an expert or a technology manager), or a platform's id.
    Solver,
}

impl Role {
    pub const ASSIGNABLE: [Role; 10] = [
        Role::CityStaff,
        Role::DistrictStaff,
        Role::DepartmentStaff,
        Role::Enterprise,
        Role::Expert,
        Role::TechManager,
        Role::Auditor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::CityStaff => "city-staff",
            Role::DistrictStaff => "district-staff",
            Role::DepartmentStaff => "department-staff",
            Role::Enterprise => "enterprise",
            Role::Expert => "expert",
            Role::TechManager => "tech-manager",
            Role::Auditor => "auditor",
            Role::SystemAdmin => "system-admin",
            Role::SecurityAdmin => "security-admin",
            Role::AuditAdmin => "audit-admin",
            Role::Local => "local",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CityStaff => "市级工作人员",
            Role::DistrictStaff => "旗县区工作人员",
            Role::DepartmentStaff => "部门工作人员",
            Role::Enterprise => "企业用户",
            Role::Expert => "专家 / 平台",
            Role::TechManager => "技术经理人",
            Role::Auditor => "审计员",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
            Role::Local => "本机命令行",
        }
    }

    /// A role from its code or its Chinese label.
    pub fn parse(s: &str) -> Result<Role> {
        let s = s.trim();
        Role::ASSIGNABLE
            .into_iter()
            .find(|r| r.code() == s || r.label() == s)
            .ok_or_else(|| {
                let all: Vec<String> = Role::ASSIGNABLE
                    .iter()
                    .map(|r| format!("{}（{}）", r.code(), r.label()))
                    .collect();
                Error::new(
                    Code::InvalidField,
                    format!("没有「{s}」这个角色，可选：{}", all.join("、")),
                )
            })
    }

    /// Administrator roles log in with a second factor (TOTP).
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::DistrictStaff => ScopeKind::Region,
            Role::DepartmentStaff => ScopeKind::Department,
            Role::Enterprise => ScopeKind::Organisation,
            Role::Expert | Role::TechManager => ScopeKind::Solver,
            _ => ScopeKind::None,
        }
    }

    /// What the scope of this role is, for messages and forms.
    pub fn scope_label(self) -> &'static str {
        match self.scope_kind() {
            ScopeKind::None => "",
            ScopeKind::Region => "行政区划代码",
            ScopeKind::Department => "主管部门",
            ScopeKind::Organisation => "统一社会信用代码",
            ScopeKind::Solver => "登记库编号（专家、技术经理人或平台）",
        }
    }
}

/// What a role may do, before scopes narrow it to records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    /// Read registry records (narrowed by scope).
    Read,
    /// Create, change, delete and import registry records (narrowed by scope and kind).
    Write,
    /// The city-wide engine views: chains, dashboard figures, capacity plans.
    Engines,
    /// Funding: overview, duplicate review.
    Funding,
    /// Move demands through the workflow (narrowed by scope).
    Transition,
    /// Search dictionaries (synonyms, stop words) and chain keyword rules.
    Dictionaries,
    /// System settings.
    Settings,
    /// Accounts, roles, tokens, who may unmask personal data.
    Users,
    /// The audit trail and the security log.
    Audit,
    /// Export lists as CSV/XLSX.
    Export,
    /// 考核评估: create, compute and publish rounds, check the figures platforms enter.
    Assess,
}

impl Role {
    pub fn may(self, perm: Perm) -> bool {
        use Perm::*;
        use Role::*;
        match self {
            Local => true,
            CityStaff => !matches!(perm, Settings | Users | Audit),
            DistrictStaff => matches!(perm, Read | Write | Engines | Transition | Export),
            DepartmentStaff => matches!(perm, Read | Write | Funding | Export),
            Enterprise => matches!(perm, Read | Write | Export),
            Expert => matches!(perm, Read | Write),
            TechManager => matches!(perm, Read | Write | Transition | Export),
            Auditor => matches!(perm, Read | Engines | Funding | Audit | Export),
            SystemAdmin => matches!(perm, Settings | Dictionaries),
            SecurityAdmin => matches!(perm, Users),
            AuditAdmin => matches!(perm, Audit),
        }
    }
}

/// The caller of an `App` method: an authenticated user (session or token) or the local command
/// line.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// What the role works in (see `ScopeKind`); empty when the role has none.
    pub scope: String,
    /// May ask to see personal data in full (with a reason, audited).
    pub can_unmask: bool,
    /// Client address (or `本机` for the command line).
    pub source: String,
    /// The session's CSRF token, for forms (none for tokens and the command line).
    #[serde(skip)]
    pub csrf: Option<String>,
    /// Whether the caller came with an API token (no forms, no cookies).
    pub via_token: bool,
    /// Logged in with a one-time password that must be replaced first.
    pub must_change: bool,
}

impl Principal {
    /// The command line on the server: every permission (its user owns the data files).
    pub fn local(name: &str) -> Principal {
        Principal {
            user_id: 0,
            username: format!("cli:{name}"),
            display_name: format!("命令行（{name}）"),
            role: Role::Local,
            scope: String::new(),
            can_unmask: true,
            source: "本机".into(),
            csrf: None,
            via_token: false,
            must_change: false,
        }
    }

    /// How the audit log names this caller: the account, its role, the client address.
    pub fn actor(&self) -> innomesh_store::Actor {
        if self.role == Role::Local {
            return innomesh_store::Actor::new(self.username.clone(), "system", "local");
        }
        innomesh_store::Actor::new(
            self.username.clone(),
            self.role.label(),
            self.source.clone(),
        )
    }

    /// The caller in one line (`用户名（角色）@来源`), for histories that keep a single text.
    pub fn actor_text(&self) -> String {
        if self.role == Role::Local {
            return self.username.clone();
        }
        format!("{}（{}）@{}", self.username, self.role.label(), self.source)
    }

    pub fn may(&self, perm: Perm) -> bool {
        self.role.may(perm)
    }

    /// `Forbidden` unless the role has `perm`.
    pub fn require(&self, perm: Perm) -> Result<()> {
        if self.may(perm) {
            Ok(())
        } else {
            Err(Error::new(
                Code::Forbidden,
                format!("当前账号（{}）无权进行此操作", self.role.label()),
            ))
        }
    }
}
