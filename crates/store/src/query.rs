//! List queries: filters by region and industry (with descendants), kind, tier, flag, text and
//! an id set (chain membership, resolved by the application core).

use innomesh_core::reference::{industries, regions, Regions};
use innomesh_core::{EntityKind, Record};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Id,
    Name,
    NumberDesc,
    UpdatedDesc,
}

/// One way a record can be inside a caller's scope (see `ListQuery::scope`).
#[derive(Debug, Clone, PartialEq)]
pub enum ScopeFilter {
    /// Region code starts with this prefix (a district and its descendants).
    RegionPrefix(String),
    /// The record's id is one of these.
    Ids(Vec<String>),
    /// The record refers (by any field) to one of these records of `kind`.
    RefersTo { kind: EntityKind, ids: Vec<String> },
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub kind: EntityKind,
    /// Prefix of region codes (`1502` selects Baotou and everything in it).
    pub region_prefix: Option<String>,
    /// Prefix of industry paths (`C/39` selects division 39 and its classes).
    pub industry_prefix: Option<String>,
    pub subkind: Option<String>,
    pub tier: Option<String>,
    pub flag: Option<String>,
    pub text: Option<String>,
    /// Industrial chain (`rare_earth`) and chain node (`rare_earth.magnet`) filters, as asked for.
    /// Membership is derived (the chain engine's mapping), so the application core resolves them
    /// into `only_ids`; the store itself does not read these two.
    pub chain: Option<String>,
    pub node: Option<String>,
    /// Only records with one of these ids (set by the application core, e.g. from `chain`/`node`);
    /// unlike `scope` this is a filter the caller asked for, combined with the others by AND.
    pub only_ids: Option<Vec<String>>,
    /// Keyset paging for whole-list reads (exports): only ids greater than this, in id order.
    pub after_id: Option<String>,
    pub sort: Sort,
    pub page: usize,
    pub per_page: usize,
    /// Authorization: `None` lists everything; `Some(filters)` only records matching at least one
    /// filter (none when the list is empty). Set by the application core, never from a URL.
    pub scope: Option<Vec<ScopeFilter>>,
}

impl ListQuery {
    pub fn new(kind: EntityKind) -> Self {
        Self {
            kind,
            region_prefix: None,
            industry_prefix: None,
            subkind: None,
            tier: None,
            flag: None,
            text: None,
            chain: None,
            node: None,
            only_ids: None,
            after_id: None,
            sort: Sort::Id,
            page: 1,
            per_page: 50,
            scope: None,
        }
    }

    /// Sets the region filter from any accepted spelling of a code; `Err` names the bad code.
    pub fn region(mut self, code: &str) -> Result<Self, String> {
        let r = regions()
            .resolve(code)
            .ok_or_else(|| format!("行政区划代码「{code}」不在 GB/T 2260 代码表中"))?;
        self.region_prefix = Some(Regions::descendant_prefix(r).to_string());
        Ok(self)
    }

    pub fn industry(mut self, code: &str) -> Result<Self, String> {
        let i = industries()
            .resolve(code)
            .ok_or_else(|| format!("行业代码「{code}」不在 GB/T 4754-2017 中"))?;
        self.industry_prefix = Some(i.path.clone());
        Ok(self)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    #[serde(skip)]
    pub records: Vec<Record>,
}

/// Smallest string greater than every string with this prefix (for index-friendly ranges).
pub(crate) fn prefix_upper(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    String::from(char::MAX)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
