//! PostgreSQL for the store's tests: the server named by `INNOMESH_TEST_DATABASE_URL`, one fresh
//! schema per test (created here, dropped when the test ends).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The test server's URL; `None` (with a note) when unset — but under `CI=true` an unset URL
/// fails the test: CI must run the PostgreSQL tests, not skip them.
pub fn url() -> Option<String> {
    match std::env::var("INNOMESH_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but INNOMESH_TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI"
                );
            }
            eprintln!(
                "skipped: PostgreSQL test (set INNOMESH_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST/DB to run it)"
            );
            None
        }
    }
}

/// A schema of its own on the test server, dropped with everything in it at the end.
pub struct Schema {
    base: String,
    name: String,
}

impl Schema {
    pub fn create(base: &str) -> Schema {
        static N: AtomicU32 = AtomicU32::new(0);
        let mut r = [0u8; 6];
        getrandom::fill(&mut r).unwrap();
        let name = format!(
            "t_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            r.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let mut c = postgres::Client::connect(base, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        Schema {
            base: base.to_string(),
            name,
        }
    }

    /// The server's URL with this schema as the search path of every connection.
    pub fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}
