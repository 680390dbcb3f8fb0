//! Wall-clock timestamps for audit entries (the store is where IO and time are allowed).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `2026-11-28T08:00:00Z` without pulling a date crate: civil-from-days on the Unix epoch.
pub fn now_rfc3339() -> String {
    rfc3339(unix_now())
}

/// The UTC timestamp of `secs` since the epoch, as `now_rfc3339` writes it.
pub fn rfc3339(secs: i64) -> String {
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

/// Reads back a timestamp written by `rfc3339` (`None` for anything else).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let (date, time) = s.strip_suffix('Z')?.split_once('T')?;
    let days = innomesh_core::Date::parse(date).ok()?.to_days();
    let mut parts = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (parts.next()??, parts.next()??, parts.next()??);
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        for t in [0, 1_765_000_000, 1_800_000_123] {
            assert_eq!(super::parse_rfc3339(&super::rfc3339(t)), Some(t));
        }
        assert_eq!(super::parse_rfc3339("garbage"), None);
    }
}
