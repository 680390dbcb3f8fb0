//! Small validated value types used by the entities: region and industry codes checked against
//! the shipped code lists, calendar dates, and labelled enumerations.

use crate::reference::{industries, regions};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A GB/T 2260 region that exists in the shipped list, stored in canonical form (6 or 9 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        regions()
            .resolve(s)
            .map(|r| Self(r.code.clone()))
            .ok_or_else(|| format!("行政区划代码「{s}」不在 GB/T 2260 代码表中"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn name(&self) -> String {
        regions().full_name(&self.0)
    }
}
impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GB/T 4754-2017 code (section letter, division, group or class) that exists in the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryCode(String);

impl IndustryCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        industries()
            .resolve(s)
            .map(|i| Self(i.code.clone()))
            .ok_or_else(|| format!("行业代码「{s}」不在 GB/T 4754-2017 国民经济行业分类中"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `C/39/398/3985`.
    pub fn path(&self) -> String {
        industries()
            .get(&self.0)
            .map(|i| i.path.clone())
            .unwrap_or_default()
    }
    pub fn name(&self) -> String {
        industries()
            .get(&self.0)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    }
}
impl TryFrom<String> for IndustryCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<IndustryCode> for String {
    fn from(c: IndustryCode) -> String {
        c.0
    }
}

/// A calendar date, written `YYYY-MM-DD`; also read from `2024/3/5`, `2024.3.5`, `2024年3月5日`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, String> {
        if !(1900..=2100).contains(&year) {
            return Err(format!("年份 {year} 超出 1900–2100"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("月份 {month} 无效"));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if day == 0 || day > days[month as usize - 1] {
            return Err(format!("{year} 年 {month} 月没有 {day} 日"));
        }
        Ok(Self { year, month, day })
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let parts: Vec<&str> = s
            .split(['-', '/', '.', '年', '月', '日'])
            .filter(|p| !p.is_empty())
            .collect();
        let bad = || format!("日期「{input}」格式不对，应为 YYYY-MM-DD，例如 2024-03-05");
        if parts.len() != 3 {
            return Err(bad());
        }
        let y = parts[0].trim().parse().map_err(|_| bad())?;
        let m = parts[1].trim().parse().map_err(|_| bad())?;
        let d = parts[2].trim().parse().map_err(|_| bad())?;
        Self::new(y, m, d).map_err(|e| format!("日期「{input}」无效：{e}"))
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for spreadsheet serial conversion.
    pub fn to_days(self) -> i64 {
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    pub fn from_days(z: i64) -> Result<Self, String> {
        let z = z + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = if m <= 2 { y + 1 } else { y };
        Self::new(y as i32, m, d)
    }

    /// Excel's serial day number (1900 date system) to a date.
    pub fn from_excel_serial(serial: f64) -> Result<Self, String> {
        if !(1.0..=80000.0).contains(&serial) {
            return Err(format!("日期序号 {serial} 超出范围"));
        }
        // Excel day 25569 is 1970-01-01 (its fictitious 1900-02-29 is before every real date here).
        Self::from_days(serial.floor() as i64 - 25569)
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}
impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An enumeration whose values have a stable code and a Chinese label; both are accepted on input.
pub trait Labelled: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// Chinese name of the field this enumeration fills, for messages.
    const WHAT: &'static str;
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    fn parse_labelled(s: &str) -> Result<Self, String> {
        let t = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code().eq_ignore_ascii_case(t) || v.label() == t)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                format!("{}「{t}」无效，可选：{}", Self::WHAT, allowed.join("、"))
            })
    }
    fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|v| (v.code(), v.label())).collect()
    }
}

/// Declares a labelled enum with serde as its code (accepting the label on input).
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }
        impl $crate::values::Labelled for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const WHAT: &'static str = $what;
            fn code(self) -> &'static str { match self { $(Self::$variant => $code),+ } }
            fn label(self) -> &'static str { match self { $(Self::$variant => $label),+ } }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::values::Labelled::code(*self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <Self as $crate::values::Labelled>::parse_labelled(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024年3月5日").unwrap().to_string(),
            "2024-03-05"
        );
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert_eq!(
            Date::from_excel_serial(45356.0).unwrap().to_string(),
            "2024-03-05"
        );
        let d = Date::new(2000, 2, 29).unwrap();
        assert_eq!(Date::from_days(d.to_days()).unwrap(), d);
    }

    #[test]
    fn codes() {
        assert_eq!(RegionCode::parse("1502").unwrap().as_str(), "150200");
        assert!(RegionCode::parse("159999").is_err());
        assert_eq!(IndustryCode::parse("C3985").unwrap().as_str(), "3985");
    }
}
