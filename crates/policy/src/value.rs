//! What a fact may hold: types, values, calendar dates, tolerant comparison and Chinese display.

use std::fmt;

/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(i32);

impl Date {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// `YYYY-MM-DD`, nothing else.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    pub fn from_days(days: i32) -> Date {
        Date(days)
    }

    pub fn days(self) -> i32 {
        self.0
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Completed years from `self` to `later` (anniversary rule: 2020-03-01 → 2021-02-28 is 0).
    pub fn years_until(self, later: Date) -> i32 {
        let (y0, m0, d0) = self.ymd();
        let (y1, m1, d1) = later.ymd();
        y1 - y0 - i32::from((m1, d1) < (m0, d0))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-calendar algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Which national code list a code fact is drawn from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CodeList {
    /// 国民经济行业分类 GB/T 4754-2017, as the registry writes it: a section letter (`C`) or a
    /// division, group or class code of 2–4 digits (`39`, `397`, `3976`).
    Industry,
    /// 行政区划代码 GB/T 2260: 2–12 digits (`15`, `150200`, `150203001`).
    Region,
}

impl CodeList {
    pub fn check(self, s: &str) -> Result<(), String> {
        let ok = match self {
            CodeList::Industry => {
                (s.len() == 1 && matches!(s.as_bytes()[0], b'A'..=b'T'))
                    || ((2..=4).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit()))
            }
            CodeList::Region => {
                (2..=12).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit())
            }
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                CodeList::Industry => format!(
                    "「{s}」不是 GB/T 4754 行业代码（门类字母或 2–4 位数字，如 C、39、3976）"
                ),
                CodeList::Region => {
                    format!("「{s}」不是 GB/T 2260 行政区划代码（2–12 位数字，如 150203）")
                }
            })
        }
    }
}

/// The declared type of a fact.
#[derive(Clone, PartialEq, Debug)]
pub enum FactType {
    Number,
    /// 万元.
    Money,
    /// A fraction: 0.05 is 5%.
    Ratio,
    Date,
    Boolean,
    Enumeration(Vec<String>),
    Code(CodeList),
}

impl FactType {
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            FactType::Number | FactType::Money | FactType::Ratio | FactType::Date
        )
    }

    pub fn is_text(&self) -> bool {
        matches!(self, FactType::Enumeration(_) | FactType::Code(_))
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            FactType::Number => "数值",
            FactType::Money => "金额（万元）",
            FactType::Ratio => "比例（小数，0.05 表示 5%）",
            FactType::Date => "日期（YYYY-MM-DD）",
            FactType::Boolean => "是否（true/false）",
            FactType::Enumeration(_) => "枚举",
            FactType::Code(_) => "代码",
        }
    }
}

/// A fact's value. Dates are held as day numbers so that every ordered type compares as a number.
#[derive(Clone, PartialEq, Debug)]
pub enum Value {
    Num(f64),
    Bool(bool),
    Text(String),
}

/// Relative tolerance of numeric comparisons (see `Op::num`).
const EPS: f64 = 1e-9;

/// The rounding allowance around threshold `b`.
#[inline]
pub fn tol(b: f64) -> f64 {
    EPS * b.abs().max(1.0)
}

/// A number with at most `decimals` decimals, trailing zeros trimmed.
pub fn fmt_number(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A value as a clerk reads it: `3.2%`, `4500 万元`, `3 年`, `是`.
pub fn show_value(ty: &FactType, unit: Option<&str>, v: &Value) -> String {
    match (ty, v) {
        (FactType::Ratio, Value::Num(x)) => format!("{}%", fmt_number(x * 100.0, 2)),
        (FactType::Money, Value::Num(x)) => format!("{} 万元", fmt_number(*x, 2)),
        (FactType::Date, Value::Num(x)) => Date::from_days(*x as i32).to_string(),
        (_, Value::Num(x)) => match unit {
            Some(u) => format!("{} {u}", fmt_number(*x, 2)),
            None => fmt_number(*x, 4),
        },
        (_, Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        (_, Value::Text(s)) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_count_years() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2016-01-01",
            "2099-12-31",
            "1900-03-01",
        ] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-2-1").is_none());
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2020-03-01").years_until(d("2021-02-28")), 0);
        assert_eq!(d("2020-03-01").years_until(d("2021-03-01")), 1);
        assert_eq!(d("2020-02-29").years_until(d("2021-02-28")), 0);
    }

    #[test]
    fn tolerant_comparison_and_display() {
        assert!(0.1 * 3.0 / 6.0 >= 0.05 - tol(0.05));
        assert_eq!(fmt_number(0.04 * 100.0 - 0.032 * 100.0, 2), "0.8");
        assert_eq!(
            show_value(&FactType::Ratio, None, &Value::Num(0.032)),
            "3.2%"
        );
        assert_eq!(CodeList::Industry.check("3976"), Ok(()));
        assert!(CodeList::Industry.check("C3976").is_err());
        assert!(CodeList::Region.check("15a").is_err());
    }
}
