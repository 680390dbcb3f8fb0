//! Wall-clock timestamps for audit entries (the store is where IO and time are allowed).

use std::time::{SystemTime, UNIX_EPOCH};

/// `2026-11-28T08:00:00Z` without pulling a date crate: civil-from-days on the Unix epoch.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let date = innomesh_core::Date::from_days(days)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "1970-01-01".into());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
