//! Validated national codes: 统一社会信用代码 (GB 32100-2015), 身份证号 (GB 11643), phone numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters a credit code may use (GB 32100-2015 table 1): no I, O, Z, S, V.
const USCC_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a credit code was rejected; `reason_zh` is what users read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("长度应为 18 位，实际为 {0} 位")]
    Length(usize),
    #[error("第 {position} 位字符「{ch}」不允许（代码字符集不含 I、O、Z、S、V 及小写以外的符号）")]
    Charset { position: usize, ch: char },
    #[error("第 3–8 位应为 6 位数字的登记管理机关行政区划码")]
    Region,
    #[error("校验位错误：应为 {expected}，实际为 {actual}")]
    Checksum { expected: char, actual: char },
}

impl CreditCodeError {
    /// A short stable token for machines (`check credit-code` output, API codes).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::Charset { .. } => "charset",
            Self::Region => "format",
            Self::Checksum { .. } => "checksum",
        }
    }
}

/// A 统一社会信用代码 whose length, character set and check digit are valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let s = input.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        let bytes = s.as_bytes();
        let mut values = [0u32; 18];
        for (i, &b) in bytes.iter().enumerate() {
            match USCC_CHARSET.iter().position(|&c| c == b) {
                Some(v) => values[i] = v as u32,
                None => {
                    return Err(CreditCodeError::Charset {
                        position: i + 1,
                        ch: b as char,
                    })
                }
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Region);
        }
        let expected = check_char(&values[..17]);
        let actual = bytes[17] as char;
        if expected != actual {
            return Err(CreditCodeError::Checksum { expected, actual });
        }
        Ok(Self(s))
    }

    /// Builds a valid code from its first 17 characters (used by the sample generator).
    pub fn with_check_digit(first17: &str) -> Result<Self, CreditCodeError> {
        let upper = first17.to_ascii_uppercase();
        if upper.len() != 17 {
            return Err(CreditCodeError::Length(upper.len() + 1));
        }
        let mut values = [0u32; 17];
        for (i, b) in upper.bytes().enumerate() {
            values[i] =
                USCC_CHARSET
                    .iter()
                    .position(|&c| c == b)
                    .ok_or(CreditCodeError::Charset {
                        position: i + 1,
                        ch: b as char,
                    })? as u32;
        }
        let mut s = upper;
        s.push(check_char(&values));
        Self::parse(&s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Registration-authority region (positions 3–8).
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }
}

fn check_char(values: &[u32]) -> char {
    let sum: u32 = values
        .iter()
        .zip(USCC_WEIGHTS.iter())
        .map(|(v, w)| v * w)
        .sum();
    let c = (31 - sum % 31) % 31;
    USCC_CHARSET[c as usize] as char
}

impl TryFrom<String> for CreditCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| format!("统一社会信用代码「{s}」无效：{e}"))
    }
}
impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}
impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 居民身份证号 (GB 11643-1999, 18 characters with ISO 7064 MOD 11-2 check). Personal data:
/// `Display` and serialisation for export show it masked unless the caller asks for the full value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err("身份证号应为 18 位（前 17 位为数字）".into());
        }
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = b[..17]
            .iter()
            .zip(W)
            .map(|(d, w)| (d - b'0') as u32 * w)
            .sum();
        let expected = b"10X98765432"[(sum % 11) as usize];
        if b[17] != expected {
            return Err(format!("身份证号校验位错误：应为 {}", expected as char));
        }
        Ok(Self(s))
    }
    pub fn with_check_digit(first17: &str) -> Result<Self, String> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return Err("需要 17 位数字".into());
        }
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = b.iter().zip(W).map(|(d, w)| (d - b'0') as u32 * w).sum();
        let mut s = first17.to_string();
        s.push(b"10X98765432"[(sum % 11) as usize] as char);
        Self::parse(&s)
    }
    pub fn full(&self) -> &str {
        &self.0
    }
    /// `150203********123X`: region kept, birth date and sequence hidden.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}
impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<IdNumber> for String {
    fn from(c: IdNumber) -> String {
        c.0
    }
}

/// A mainland mobile (11 digits starting with 1) or landline (区号-号码) number. Personal data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s: String = input.trim().chars().filter(|c| *c != ' ').collect();
        let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
        let ok_chars = s.chars().all(|c| c.is_ascii_digit() || c == '-');
        let mobile = s.len() == 11 && s.starts_with('1') && digits == 11;
        let landline = s.starts_with('0') && (10..=12).contains(&digits) && s.contains('-');
        if ok_chars && (mobile || landline) {
            Ok(Self(s))
        } else {
            Err(format!(
                "电话「{input}」格式不对：应为 11 位手机号或「区号-号码」的固定电话"
            ))
        }
    }
    pub fn full(&self) -> &str {
        &self.0
    }
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}****{}", &self.0[..3], &self.0[n - 4..])
    }
}
impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Phone> for String {
    fn from(c: Phone) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        assert!(CreditCode::parse("91340600MA2PBN831R").is_ok());
        assert_eq!(
            CreditCode::parse("91340600MA2PBN831Q").unwrap_err().kind(),
            "checksum"
        );
        assert_eq!(
            CreditCode::parse("92340Z21MA2PBN1962").unwrap_err().kind(),
            "charset"
        );
        assert_eq!(CreditCode::parse("9234").unwrap_err().kind(), "length");
    }

    #[test]
    fn check_digit_roundtrip() {
        let c = CreditCode::with_check_digit("91150203MA0N12345").unwrap();
        assert!(CreditCode::parse(c.as_str()).is_ok());
        let id = IdNumber::with_check_digit("15020319800101123").unwrap();
        assert!(IdNumber::parse(id.full()).is_ok());
        assert_eq!(id.masked().len(), 18);
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("13800000000").is_ok());
        assert!(Phone::parse("0472-5123456").is_ok());
        assert!(Phone::parse("12345").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_single_substitution_is_caught(pos in 0usize..18, ch in 0usize..31) {
            let good = "91340600MA2PBN831R";
            let mut b = good.as_bytes().to_vec();
            let new = USCC_CHARSET[ch];
            proptest::prop_assume!(b[pos] != new);
            b[pos] = new;
            let s = String::from_utf8(b).unwrap();
            proptest::prop_assert!(CreditCode::parse(&s).is_err());
        }
    }
}
