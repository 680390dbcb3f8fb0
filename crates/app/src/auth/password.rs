//! Passwords: the policy a new password must meet, argon2id hashing, and random secrets.

use crate::{Code, Error, Result};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Shortest password accepted (characters, not bytes).
pub const MIN_CHARS: usize = 12;
/// Longest password accepted: argon2 takes any length, but a megabyte "password" is an attack.
pub const MAX_CHARS: usize = 256;

static COMMON_TEXT: &str = include_str!("../../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_TEXT
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Checks a new password; the message says what to change.
pub fn check_policy(password: &str, username: &str) -> Result<()> {
    let refuse = |m: &str| Err(Error::new(Code::InvalidField, m.to_string()));
    let n = password.chars().count();
    if n < MIN_CHARS {
        return refuse(&format!("密码至少 {MIN_CHARS} 个字符（现为 {n} 个）"));
    }
    if n > MAX_CHARS {
        return refuse(&format!("密码不能超过 {MAX_CHARS} 个字符"));
    }
    if password.chars().any(char::is_control) {
        return refuse("密码不能含控制字符");
    }
    let lower = password.to_lowercase();
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return refuse("密码过于简单（不同字符少于 5 个）");
    }
    let common = common();
    // A listed password, or one with digits and symbols appended ("sunshine2024!").
    let base = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if common.contains(lower.as_str()) || (base.chars().count() >= 4 && common.contains(base)) {
        return refuse("该密码在常见 / 已泄露密码表中，请换一个");
    }
    let user = username.to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        return refuse("密码不能包含用户名");
    }
    Ok(())
}

/// An argon2id PHC string (random salt, the crate's default parameters: 19 MiB, 2 passes).
pub fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::new(Code::Internal, format!("密码散列失败：{e}")))
}

/// Whether `password` matches a stored PHC string (a malformed hash never matches).
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash to verify against when the user does not exist, so that an unknown name costs the same
/// time as a wrong password (no user enumeration by timing).
pub fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash("不存在的用户-占位口令-0000").unwrap_or_default())
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::new(Code::Internal, format!("系统随机数不可用：{e}")))?;
    Ok(buf)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 in hex: how session ids, API tokens and recovery codes are kept (they are random and
/// long, so a fast hash is enough; passwords use argon2id).
pub fn sha256_hex(s: &str) -> String {
    sha256_bytes_hex(s.as_bytes())
}

/// SHA-256 of bytes, as hex.
pub fn sha256_bytes_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(b))
}

/// A one-time password a person can type: 16 characters from an alphabet without look-alikes,
/// in groups of four.
pub fn one_time_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes(16)?;
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[*b as usize % ALPHABET.len()] as char);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("short", "u").is_err());
        assert!(check_policy("password1234", "u").is_err(), "listed base");
        assert!(check_policy("1qaz2wsx3edc", "u").is_err(), "listed");
        assert!(
            check_policy("aaaaaaaaaaaaaaaa", "u").is_err(),
            "few distinct"
        );
        assert!(
            check_policy("zhangsan-包头-2026", "zhangsan").is_err(),
            "has name"
        );
        assert!(check_policy("稀土永磁-钢铁-2026", "zhangsan").is_ok());
        assert!(check_policy("Tq7!mW2#rx9Lp", "u").is_ok());
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("稀土永磁-钢铁-2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("稀土永磁-钢铁-2026", &h));
        assert!(!verify("稀土永磁-钢铁-2027", &h));
        assert!(!verify("x", "not a hash"));
        let p = one_time_password().unwrap();
        assert_eq!(p.chars().count(), 19);
        assert!(check_policy(&p, "u").is_ok());
    }
}
