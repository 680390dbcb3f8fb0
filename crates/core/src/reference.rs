//! The national code lists shipped in `data/reference/`: GB/T 2260 regions and GB/T 4754-2017
//! industries, embedded at compile time and parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

const PROVINCES: &str = include_str!("../../../data/reference/provinces.csv");
const CITIES: &str = include_str!("../../../data/reference/cities.csv");
const AREAS: &str = include_str!("../../../data/reference/areas.csv");
const TOWNSHIPS: &str = include_str!("../../../data/reference/baotou_townships.csv");
const INDUSTRIES: &str = include_str!("../../../data/reference/industries_gbt4754_2017.csv");

/// Level of a region in the GB/T 2260 tree (townships come from the Baotou list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Region {
    /// Canonical code: 6 digits (province 150000, city 150200, county 150203) or 9 for townships.
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Industry {
    /// Section letter (C) or 2/3/4-digit code (39, 398, 3985).
    pub code: String,
    pub name: String,
    pub level: u8,
    pub parent: Option<String>,
    /// `C/39/398/3985`: a prefix of it selects the code and all its descendants.
    pub path: String,
}

pub struct Regions {
    by_code: HashMap<String, Region>,
    children: HashMap<String, Vec<String>>,
}

pub struct Industries {
    by_code: HashMap<String, Industry>,
    children: HashMap<String, Vec<String>>,
    sections: Vec<String>,
}

/// Splits one CSV line, honouring double quotes (the reference files quote names and notes).
pub(crate) fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(split_csv_line)
}

pub fn regions() -> &'static Regions {
    static R: OnceLock<Regions> = OnceLock::new();
    R.get_or_init(|| {
        let mut by_code = HashMap::new();
        for r in rows(PROVINCES) {
            let code = format!("{}0000", r[0]);
            by_code.insert(
                code.clone(),
                Region {
                    code,
                    name: r[1].clone(),
                    level: RegionLevel::Province,
                    parent: None,
                },
            );
        }
        for r in rows(CITIES) {
            let code = format!("{}00", r[0]);
            by_code.insert(
                code.clone(),
                Region {
                    code,
                    name: r[1].clone(),
                    level: RegionLevel::City,
                    parent: Some(format!("{}0000", r[2])),
                },
            );
        }
        for r in rows(AREAS) {
            by_code.insert(
                r[0].clone(),
                Region {
                    code: r[0].clone(),
                    name: r[1].clone(),
                    level: RegionLevel::County,
                    parent: Some(format!("{}00", r[2])),
                },
            );
        }
        for r in rows(TOWNSHIPS) {
            by_code.insert(
                r[0].clone(),
                Region {
                    code: r[0].clone(),
                    name: r[1].clone(),
                    level: RegionLevel::Township,
                    parent: Some(r[2].clone()),
                },
            );
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for r in by_code.values() {
            if let Some(p) = &r.parent {
                children.entry(p.clone()).or_default().push(r.code.clone());
            }
        }
        for v in children.values_mut() {
            v.sort();
        }
        Regions { by_code, children }
    })
}

impl Regions {
    /// Accepts `15`, `150000`, `1502`, `150200`, `150203`, `150203001`; returns the region.
    pub fn resolve(&self, input: &str) -> Option<&Region> {
        let s = input.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let canonical = match s.len() {
            2 => format!("{s}0000"),
            4 => format!("{s}00"),
            6 | 9 => s.to_string(),
            12 => s[..9].to_string(),
            _ => return None,
        };
        self.by_code.get(&canonical)
    }
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code)
    }
    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Every region of the table (in no particular order).
    pub fn all(&self) -> impl Iterator<Item = &Region> {
        self.by_code.values()
    }
    /// Prefix shared by a region's code and all its descendants' codes.
    pub fn descendant_prefix(region: &Region) -> &str {
        match region.level {
            RegionLevel::Province => &region.code[..2],
            RegionLevel::City => &region.code[..4],
            _ => &region.code,
        }
    }
    /// `内蒙古自治区 包头市 昆都仑区`.
    pub fn full_name(&self, code: &str) -> String {
        let mut parts = Vec::new();
        let mut cur = self.by_code.get(code);
        while let Some(r) = cur {
            if r.name != "市辖区" {
                parts.push(r.name.as_str());
            }
            cur = r.parent.as_ref().and_then(|p| self.by_code.get(p));
        }
        parts.reverse();
        parts.join(" ")
    }
    pub fn len(&self) -> usize {
        self.by_code.len()
    }
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
    /// The regions a clerk may mean by a name (「九原区」, 「九原」): exact names first, then names
    /// that start with it; counties and cities before townships, Baotou's (1502) before the rest,
    /// then by code. Empty for a blank or digit-only input.
    pub fn named(&self, name: &str) -> Vec<&Region> {
        let n = name.trim();
        if n.is_empty() || n.chars().all(|c| c.is_ascii_digit()) {
            return vec![];
        }
        let rank = |r: &Region| {
            (
                r.level == RegionLevel::Township,
                !r.code.starts_with("1502"),
                r.code.clone(),
            )
        };
        let mut exact: Vec<&Region> = self.by_code.values().filter(|r| r.name == n).collect();
        if exact.is_empty() && n.chars().count() >= 2 {
            exact = self
                .by_code
                .values()
                .filter(|r| r.name.starts_with(n))
                .collect();
        }
        exact.sort_by_key(|r| rank(r));
        // A county of that name makes townships of the same name noise.
        if exact
            .first()
            .is_some_and(|r| r.level != RegionLevel::Township)
        {
            exact.retain(|r| r.level != RegionLevel::Township);
        }
        exact
    }
}

pub fn industries() -> &'static Industries {
    static I: OnceLock<Industries> = OnceLock::new();
    I.get_or_init(|| {
        let mut by_code: HashMap<String, Industry> = HashMap::new();
        let mut sections = Vec::new();
        let mut last: [String; 4] = Default::default();
        for r in rows(INDUSTRIES) {
            let level: u8 = r[0].parse().unwrap_or(0);
            if !(1..=4).contains(&level) {
                continue;
            }
            let code = r[2].clone();
            let idx = level as usize - 1;
            last[idx] = code.clone();
            let parent = if level == 1 {
                sections.push(code.clone());
                None
            } else {
                Some(last[idx - 1].clone())
            };
            let path = last[..=idx].join("/");
            by_code.insert(
                code.clone(),
                Industry {
                    code,
                    name: r[3].clone(),
                    level,
                    parent,
                    path,
                },
            );
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for i in by_code.values() {
            if let Some(p) = &i.parent {
                children.entry(p.clone()).or_default().push(i.code.clone());
            }
        }
        for v in children.values_mut() {
            v.sort();
        }
        Industries {
            by_code,
            children,
            sections,
        }
    })
}

impl Industries {
    /// Accepts `C`, `39`, `398`, `3985` or `C3985`.
    pub fn resolve(&self, input: &str) -> Option<&Industry> {
        let s = input.trim().to_ascii_uppercase();
        if let Some(i) = self.by_code.get(&s) {
            return Some(i);
        }
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if c.is_ascii_alphabetic() && s.len() > 1 => {
                let rest = chars.as_str();
                let i = self.by_code.get(rest)?;
                i.path.starts_with(c).then_some(i)
            }
            _ => None,
        }
    }
    pub fn get(&self, code: &str) -> Option<&Industry> {
        self.by_code.get(code)
    }
    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn sections(&self) -> &[String] {
        &self.sections
    }
    /// Every section, division, group and class (in no particular order).
    pub fn all(&self) -> impl Iterator<Item = &Industry> {
        self.by_code.values()
    }
    /// The classes a clerk may mean by a name (「稀土金属冶炼」): the exact name first, else names
    /// that contain it, most specific level first, then by code.
    pub fn named(&self, name: &str) -> Vec<&Industry> {
        let n = name.trim();
        if n.chars().count() < 2 || n.is_ascii() {
            return vec![];
        }
        let mut found: Vec<&Industry> = self.by_code.values().filter(|i| i.name == n).collect();
        if found.is_empty() {
            found = self
                .by_code
                .values()
                .filter(|i| i.name.contains(n))
                .collect();
        }
        found.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.code.cmp(&b.code)));
        found
    }
    /// All level-4 classes (the codes records carry).
    pub fn classes(&self) -> impl Iterator<Item = &Industry> {
        self.by_code.values().filter(|i| i.level == 4)
    }
    pub fn len(&self) -> usize {
        self.by_code.len()
    }
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_tree() {
        let r = regions();
        assert_eq!(r.resolve("1502").unwrap().name, "包头市");
        assert_eq!(r.resolve("150203").unwrap().name, "昆都仑区");
        assert_eq!(r.resolve("15").unwrap().level, RegionLevel::Province);
        assert_eq!(r.full_name("150203"), "内蒙古自治区 包头市 昆都仑区");
        assert!(r.children("150200").contains(&"150271".to_string()));
        assert!(r.resolve("999999").is_none());
        assert!(r.resolve("15020a").is_none());
        assert_eq!(
            Regions::descendant_prefix(r.resolve("150200").unwrap()),
            "1502"
        );
    }

    #[test]
    fn industry_tree() {
        let i = industries();
        assert_eq!(i.classes().count(), 1380);
        assert_eq!(i.resolve("C3985").unwrap().path, "C/39/398/3985");
        assert_eq!(i.resolve("3985").unwrap().level, 4);
        assert!(i.resolve("A3985").is_none());
        assert_eq!(i.resolve("c").unwrap().level, 1);
        assert!(i.resolve("0000").is_none());
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            split_csv_line(r#"1,"a,b","c""d""#),
            vec!["1", "a,b", "c\"d"]
        );
    }
}
