//! Demo accounts (placeholder reader; the seeding lands with the CLI work).

use super::Role;
use crate::App;

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub scope: String,
    pub scope_name: String,
    pub password: String,
    pub totp_secret: Option<String>,
}

pub fn demo_accounts(_app: &App) -> Vec<DemoAccount> {
    Vec::new()
}
