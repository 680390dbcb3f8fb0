//! 开放共享: a shared service's opening hours (a weekly template plus closed dates), the slots a
//! booking may take, and the figures that drive sharing. Pure: no store, no clock.
//!
//! Times are local wall-clock (北京时间) written `YYYY-MM-DD HH:MM`; in that form text order is
//! time order, which is what the store's no-overlap rule compares.

use crate::values::Date;
use serde::Serialize;

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// One opening window: on these weekdays (0 = Monday), from `from` to `to` minutes after midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub days: Vec<u8>,
    pub from: u16,
    pub to: u16,
}

/// A weekly opening template, e.g. `周一至周五 9:00-17:00；周六 9:00-12:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenHours {
    pub windows: Vec<Window>,
}

fn weekday_index(c: char) -> Option<u8> {
    let s = c.to_string();
    WEEKDAYS
        .iter()
        .position(|d| *d == s)
        .or(if c == '天' { Some(6) } else { None })
        .map(|i| i as u8)
}

fn parse_clock(s: &str) -> Option<u16> {
    let s = s.trim().replace('：', ":");
    let (h, m) = match s.split_once(':') {
        Some((h, m)) => (h.trim().parse::<u16>().ok()?, m.trim().parse::<u16>().ok()?),
        None => (s.parse::<u16>().ok()?, 0),
    };
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

impl OpenHours {
    /// Parses `周一至周五 9:00-17:00；周六 9-12` (also `周一、三、五`, `每天`, full-width
    /// punctuation). The message says what was expected.
    pub fn parse(text: &str) -> Result<OpenHours, String> {
        let hint = "应写成「周一至周五 9:00-17:00」，多段用「；」分隔，例如「周一至周五 9:00-17:00；周六 9:00-12:00」";
        let mut windows = Vec::new();
        for part in text
            .split(['；', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (days_text, hours_text) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("开放时间「{part}」缺少时段：{hint}"))?;
            let days = parse_days(days_text.trim()).ok_or_else(|| {
                format!("开放时间「{part}」中的星期「{days_text}」无法识别：{hint}")
            })?;
            let hours_text = hours_text.trim().replace(['—', '–', '~', '～', '至'], "-");
            let (a, b) = hours_text.split_once('-').ok_or_else(|| {
                format!("开放时间「{part}」中的时段「{hours_text}」无法识别：{hint}")
            })?;
            let (from, to) = match (parse_clock(a), parse_clock(b)) {
                (Some(f), Some(t)) if f < t => (f, t),
                _ => {
                    return Err(format!(
                        "开放时间「{part}」中的时段「{hours_text}」无效：开始须早于结束，时刻为 0:00–24:00"
                    ))
                }
            };
            windows.push(Window { days, from, to });
        }
        if windows.is_empty() {
            return Err(format!("开放时间不能为空：{hint}"));
        }
        Ok(OpenHours { windows })
    }

    /// Minutes open on `weekday` (0 = Monday), as (from, to) windows.
    pub fn windows_on(&self, weekday: u8) -> Vec<(u16, u16)> {
        let mut w: Vec<(u16, u16)> = self
            .windows
            .iter()
            .filter(|w| w.days.contains(&weekday))
            .map(|w| (w.from, w.to))
            .collect();
        w.sort();
        w
    }

    /// Open hours in a week.
    pub fn weekly_hours(&self) -> f64 {
        (0..7)
            .map(|d| {
                merge(self.windows_on(d))
                    .iter()
                    .map(|(a, b)| f64::from(b - a) / 60.0)
                    .sum::<f64>()
            })
            .sum()
    }
}

fn merge(mut w: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    w.sort();
    let mut out: Vec<(u16, u16)> = Vec::new();
    for (a, b) in w {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn parse_days(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().trim_start_matches("每");
    if matches!(t, "天" | "日" | "周" | "星期") || text == "每天" || text == "每日" {
        return Some((0..7).collect());
    }
    let t = text.replace("星期", "周");
    if t == "工作日" {
        return Some((0..5).collect());
    }
    let mut days = Vec::new();
    for piece in t.split(['、', ',', '，']).map(str::trim) {
        let piece = piece.trim_start_matches('周');
        let chars: Vec<char> = piece.chars().filter(|c| *c != '周').collect();
        match chars.as_slice() {
            [d] => days.push(weekday_index(*d)?),
            [a, '至' | '-' | '~' | '到' | '—', b] => {
                let (a, b) = (weekday_index(*a)?, weekday_index(*b)?);
                if a > b {
                    return None;
                }
                days.extend(a..=b);
            }
            _ => return None,
        }
    }
    days.sort();
    days.dedup();
    (!days.is_empty()).then_some(days)
}

/// A point in local time, minutes resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    pub date: time::Date,
    pub minute: u16,
}

impl Moment {
    /// Parses `YYYY-MM-DD HH:MM` (also `T` between, full-width colon).
    pub fn parse(text: &str) -> Result<Moment, String> {
        let t = text.trim().replace('T', " ").replace('：', ":");
        let (d, h) = t
            .split_once(' ')
            .ok_or_else(|| format!("时间「{text}」应写成「2026-12-08 09:00」"))?;
        let date = to_time_date(Date::parse(d).map_err(|e| format!("时间「{text}」：{e}"))?)?;
        let minute = parse_clock(h).ok_or_else(|| format!("时间「{text}」的时刻无效"))?;
        Ok(Moment { date, minute })
    }

    pub fn weekday(&self) -> u8 {
        self.date.weekday().number_days_from_monday()
    }

    /// The canonical text form (`2026-12-08 09:00`), which the store compares.
    pub fn text(&self) -> String {
        format!(
            "{} {:02}:{:02}",
            date_text(self.date),
            self.minute / 60,
            self.minute % 60
        )
    }
}

pub fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn to_time_date(d: Date) -> Result<time::Date, String> {
    time::Month::try_from(d.month)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(d.year, m, d.day).ok())
        .ok_or_else(|| format!("日期 {d} 无效"))
}

/// Parses a plain date `YYYY-MM-DD` into a `time::Date`.
pub fn parse_day(text: &str) -> Result<time::Date, String> {
    to_time_date(Date::parse(text)?)
}

/// Whether a booking from `start` to `end` lies inside one opening window of one day that is not
/// closed; the message says why not.
pub fn check_slot(
    hours: &OpenHours,
    closed: &[String],
    start: Moment,
    end: Moment,
) -> Result<(), String> {
    if start.date != end.date {
        return Err("一次预约须在同一天内（跨天请分别预约）".into());
    }
    if end.minute <= start.minute {
        return Err("结束时间须晚于开始时间".into());
    }
    if closed.iter().any(|c| c.trim() == date_text(start.date)) {
        return Err(format!("{} 不开放（不开放日期）", date_text(start.date)));
    }
    let windows = merge(hours.windows_on(start.weekday()));
    if windows.is_empty() {
        return Err(format!(
            "周{}不开放",
            WEEKDAYS[usize::from(start.weekday())]
        ));
    }
    if windows
        .iter()
        .any(|(a, b)| *a <= start.minute && end.minute <= *b)
    {
        Ok(())
    } else {
        let open: Vec<String> = windows
            .iter()
            .map(|(a, b)| format!("{}:{:02}-{}:{:02}", a / 60, a % 60, b / 60, b % 60))
            .collect();
        Err(format!(
            "所选时段不在开放时间内：周{}开放 {}",
            WEEKDAYS[usize::from(start.weekday())],
            open.join("、")
        ))
    }
}

/// The free time of one day: the opening windows minus the taken intervals (minutes).
pub fn free_windows(
    hours: &OpenHours,
    closed: &[String],
    day: time::Date,
    taken: &[(u16, u16)],
) -> Vec<(u16, u16)> {
    if closed.iter().any(|c| c.trim() == date_text(day)) {
        return vec![];
    }
    let mut out = Vec::new();
    let mut taken = taken.to_vec();
    taken.sort();
    for (a, b) in merge(hours.windows_on(day.weekday().number_days_from_monday())) {
        let mut cur = a;
        for &(ta, tb) in &taken {
            if tb <= cur || ta >= b {
                continue;
            }
            if ta > cur {
                out.push((cur, ta));
            }
            cur = cur.max(tb);
        }
        if cur < b {
            out.push((cur, b));
        }
    }
    out
}

/// Open hours between two dates inclusive, closed dates excluded.
pub fn open_hours_between(
    hours: &OpenHours,
    closed: &[String],
    from: time::Date,
    to: time::Date,
) -> f64 {
    let mut d = from;
    let mut total = 0.0;
    while d <= to {
        total += free_windows(hours, closed, d, &[])
            .iter()
            .map(|(a, b)| f64::from(b - a) / 60.0)
            .sum::<f64>();
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    total
}

pub fn weekday_label(d: time::Date) -> &'static str {
    WEEKDAYS[usize::from(d.weekday().number_days_from_monday())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_templates() {
        let h = OpenHours::parse("周一至周五 9:00-17:00；周六 9:00-12:00").unwrap();
        assert_eq!(h.windows.len(), 2);
        assert_eq!(h.windows[0].days, vec![0, 1, 2, 3, 4]);
        assert_eq!(h.weekly_hours(), 43.0);
        let h = OpenHours::parse("周一、三、五 8:30－11：30").unwrap_err();
        assert!(h.contains("时段"), "{h}");
        let h = OpenHours::parse("周一、三、五 8:30-11:30").unwrap();
        assert_eq!(h.windows[0].days, vec![0, 2, 4]);
        assert_eq!(h.weekly_hours(), 9.0);
        assert_eq!(OpenHours::parse("每天 0-24").unwrap().weekly_hours(), 168.0);
        assert!(OpenHours::parse("周八 9-10").is_err());
        assert!(OpenHours::parse("周一 17-9").is_err());
        assert!(OpenHours::parse("").is_err());
    }

    #[test]
    fn slots_and_free_time() {
        let h = OpenHours::parse("周一至周五 9:00-17:00").unwrap();
        // 2026-12-07 is a Monday.
        let m = |s: &str| Moment::parse(s).unwrap();
        assert_eq!(m("2026-12-07 09:00").weekday(), 0);
        assert!(check_slot(&h, &[], m("2026-12-07 09:00"), m("2026-12-07 12:00")).is_ok());
        assert!(
            check_slot(&h, &[], m("2026-12-07 08:00"), m("2026-12-07 10:00"))
                .unwrap_err()
                .contains("不在开放时间内")
        );
        assert!(
            check_slot(&h, &[], m("2026-12-12 09:00"), m("2026-12-12 10:00"))
                .unwrap_err()
                .contains("周六不开放")
        );
        let closed = vec!["2026-12-08".to_string()];
        assert!(check_slot(&h, &closed, m("2026-12-08 09:00"), m("2026-12-08 10:00")).is_err());
        let day = parse_day("2026-12-07").unwrap();
        assert_eq!(
            free_windows(&h, &[], day, &[(600, 660), (720, 780)]),
            vec![(540, 600), (660, 720), (780, 1020)]
        );
        let from = parse_day("2026-12-07").unwrap();
        let to = parse_day("2026-12-13").unwrap();
        assert_eq!(open_hours_between(&h, &closed, from, to), 32.0);
        assert_eq!(m("2026-12-07T9:05").text(), "2026-12-07 09:05");
    }
}
