//! References chosen by name, and the fix the system knows for a wrong value. One place for the
//! forms, the API and every import path (XLSX/CSV from the page, the API and the command line):
//! a reference field may be given as a name, resolved here to its code when exactly one record
//! the caller may read bears it; a refused cell gets 「应为 150207（九原区）」 when the value is a
//! region's, an industry's or an organisation's name, or a credit code with a wrong check digit.

use crate::{App, Code, Error, Principal, Result};
use innomesh_core::reference::{industries, regions};
use innomesh_core::schema::{fields, FieldSpec, FieldType};
use innomesh_core::tabular::RowError;
use innomesh_core::{CreditCode, EntityKind};
use innomesh_store::{ListQuery, Sort};
use serde::Serialize;

/// A record offered for a typed name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The code the reference stores (credit code or registry id).
    pub id: String,
    pub name: String,
    /// 「包头某某有限公司（91150203…）」, what a picker shows.
    pub label: String,
}

/// Most refused cells of one import that get a suggested fix.
pub const MAX_FIXED: usize = 500;

/// Most candidates a suggestion list or a refusal names.
pub const MAX_CANDIDATES: usize = 20;

/// The kind a field refers to, when it is a reference to one kind: an organisation for credit
/// codes (except the organisation's own code, its id), the named kind for `Ref`/`RefList`.
/// `RefBy` depends on another field's value and is resolved with it.
pub fn target_of(kind: EntityKind, spec: &FieldSpec) -> Option<EntityKind> {
    match spec.ty {
        FieldType::CreditCode | FieldType::CreditCodeList
            if !(kind == EntityKind::Organisation && spec.key == "credit_code") =>
        {
            Some(EntityKind::Organisation)
        }
        FieldType::Ref(k) | FieldType::RefList(k) => Some(k),
        _ => None,
    }
}

/// The reference fields of a kind (the schema's, none hard-coded per form).
pub fn reference_fields(kind: EntityKind) -> Vec<(&'static FieldSpec, EntityKind)> {
    fields(kind)
        .iter()
        .filter_map(|f| target_of(kind, f).map(|t| (f, t)))
        .collect()
}

fn looks_like_code(target: EntityKind, s: &str) -> bool {
    if target == EntityKind::Organisation {
        s.len() == 18 && s.chars().all(|c| c.is_ascii_alphanumeric())
    } else {
        // Registry ids are ASCII (PE000001, rare_earth.magnet, 市科技局-… programme ids aside).
        s.is_ascii() && !s.contains(' ')
    }
}

impl App {
    /// Records of `kind` the caller may read whose name contains `q` (or whose id is `q`): exact
    /// names first, then names starting with it, then the rest by name; at most `limit`.
    pub fn suggest(
        &self,
        who: &Principal,
        kind: EntityKind,
        q: &str,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(vec![]);
        }
        if q.chars().count() > 100 {
            return Err(Error::query("名称最多 100 字"));
        }
        let limit = limit.clamp(1, MAX_CANDIDATES);
        let mut query = ListQuery::new(kind);
        query.text = Some(q.to_string());
        query.sort = Sort::Name;
        query.per_page = 200;
        let page = self.list(who, &query)?;
        let lower = q.to_lowercase();
        let mut hits: Vec<(u8, Candidate)> = page
            .records
            .iter()
            .filter_map(|r| {
                let name = r.name().to_string();
                let n = name.to_lowercase();
                let rank = if r.id().eq_ignore_ascii_case(q) || n == lower {
                    0
                } else if n.starts_with(&lower) {
                    1
                } else if n.contains(&lower) {
                    2
                } else {
                    return None;
                };
                Some((
                    rank,
                    Candidate {
                        id: r.id().to_string(),
                        label: format!("{name}（{}）", r.id()),
                        name,
                    },
                ))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        Ok(hits.into_iter().take(limit).map(|(_, c)| c).collect())
    }

    /// A reference given as a code or a name, as the code: a code is returned as given (the
    /// store checks that it exists); a name resolves when exactly one record the caller may read
    /// bears it. Otherwise `ambiguous_reference` (several) or `unknown_reference` (none), the
    /// message naming the candidates.
    pub fn resolve_reference(
        &self,
        who: &Principal,
        target: EntityKind,
        header: &str,
        input: &str,
    ) -> Result<String> {
        let s = input.trim();
        if s.is_empty() || looks_like_code(target, s) {
            return Ok(s.to_string());
        }
        // 「名称（代码）」, as the pickers offer it: the code, when it is that record's.
        if let Some((name, code)) = s
            .strip_suffix('）')
            .and_then(|x| x.rsplit_once('（'))
            .or_else(|| s.strip_suffix(')').and_then(|x| x.rsplit_once('(')))
        {
            let code = code.trim();
            if looks_like_code(target, code) {
                if let Some(r) = self.get(who, target, code)? {
                    if r.name() == name.trim() {
                        return Ok(r.id().to_string());
                    }
                }
            }
        }
        if self.get(who, target, s)?.is_some() {
            return Ok(s.to_string());
        }
        let found = self.suggest(who, target, s, MAX_CANDIDATES)?;
        let exact: Vec<&Candidate> = found.iter().filter(|c| c.name == s).collect();
        let list = |cs: &[&Candidate]| {
            cs.iter()
                .take(5)
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
                .join("、")
        };
        match exact.as_slice() {
            [one] => Ok(one.id.clone()),
            [] if found.is_empty() => Err(Error::new(
                Code::UnknownReference,
                format!(
                    "「{header}」：登记库中没有名为「{s}」的{}（或当前账号无权查看）：请核对名称，或填写代码",
                    target.label()
                ),
            )),
            [] => Err(Error::new(
                Code::AmbiguousReference,
                format!(
                    "「{header}」：没有名称正好是「{s}」的{}；相近的有：{}。请填写完整名称或代码",
                    target.label(),
                    list(&found.iter().collect::<Vec<_>>())
                ),
            )),
            many => Err(Error::new(
                Code::AmbiguousReference,
                format!(
                    "「{header}」：名为「{s}」的{}有 {} 条：{}。请填写代码以区分",
                    target.label(),
                    many.len(),
                    list(many)
                ),
            )),
        }
    }

    /// Resolves every reference field of a form or a JSON body given by name, in place
    /// (`values`: field key → text; a list field's items one by one). Returns the refusals by
    /// field key; the values the user typed are left as they were where refused.
    pub fn resolve_names(
        &self,
        who: &Principal,
        kind: EntityKind,
        values: &mut std::collections::HashMap<&'static str, String>,
    ) -> Result<Vec<(&'static str, Error)>> {
        let mut refused = Vec::new();
        for (spec, target) in reference_fields(kind) {
            let Some(v) = values.get(spec.key).cloned() else {
                continue;
            };
            if v.trim().is_empty() {
                continue;
            }
            let list = matches!(spec.ty, FieldType::CreditCodeList | FieldType::RefList(_));
            let items: Vec<&str> = if list {
                v.split(['；', ';', '、', '\n'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect()
            } else {
                vec![v.trim()]
            };
            let mut out = Vec::new();
            let mut ok = true;
            for item in items {
                match self.resolve_reference(who, target, spec.header, item) {
                    Ok(code) => out.push(code),
                    Err(e) if e.code == Code::Internal => return Err(e),
                    Err(e) => {
                        ok = false;
                        refused.push((spec.key, e));
                    }
                }
            }
            if ok {
                values.insert(spec.key, out.join("；"));
            }
        }
        Ok(refused)
    }

    /// The reverse of [`App::resolve_names`], for a form showing stored values: each reference
    /// code becomes 「名称（代码）」 where the caller may read the record (a code it may not read
    /// stays as it is). Saving the form unchanged resolves the labels back to the same codes.
    pub fn reference_labels(
        &self,
        who: &Principal,
        kind: EntityKind,
        values: &mut std::collections::HashMap<&'static str, String>,
    ) -> Result<()> {
        for (spec, target) in reference_fields(kind) {
            let Some(v) = values.get(spec.key) else {
                continue;
            };
            let mut labels = Vec::new();
            for code in v.split('；').map(str::trim).filter(|c| !c.is_empty()) {
                labels.push(match self.get(who, target, code)? {
                    Some(r) => format!("{}（{}）", r.name(), r.id()),
                    None => code.to_string(),
                });
            }
            values.insert(spec.key, labels.join("；"));
        }
        Ok(())
    }

    /// Adds to each refused cell the value the system knows it should be (「应为 150207（九原区）」),
    /// where it knows one. Organisation names are looked up among the records the caller may read.
    pub fn suggest_fixes(&self, who: &Principal, kind: EntityKind, errors: &mut [RowError]) {
        // A name lookup is a query: a file wrong in every row gets fixes for its first ones.
        for e in errors.iter_mut().take(MAX_FIXED) {
            let Some(spec) = fields(kind).iter().find(|f| f.header == e.column) else {
                continue;
            };
            if let Some(fix) = self.fix_for(who, kind, spec, &e.value) {
                if !e.reason.contains(&fix) {
                    e.reason = format!("{}；{fix}", e.reason.trim_end_matches('。'));
                }
            }
        }
    }

    fn fix_for(
        &self,
        who: &Principal,
        kind: EntityKind,
        spec: &FieldSpec,
        value: &str,
    ) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match spec.ty {
            FieldType::Region => region_fix(v),
            FieldType::Industry | FieldType::IndustryList => industry_fix(v),
            FieldType::CreditCode | FieldType::CreditCodeList => {
                if let Some(fix) = check_digit_fix(v) {
                    return Some(fix);
                }
                let target = target_of(kind, spec)?;
                self.name_fix(who, target, v)
            }
            FieldType::Ref(target) | FieldType::RefList(target) => self.name_fix(who, target, v),
            _ => None,
        }
    }

    fn name_fix(&self, who: &Principal, target: EntityKind, v: &str) -> Option<String> {
        if looks_like_code(target, v) {
            return None;
        }
        let found = self.suggest(who, target, v, 5).ok()?;
        let exact: Vec<&Candidate> = found.iter().filter(|c| c.name == v).collect();
        match exact.as_slice() {
            [one] => Some(format!("应为 {}（{}）", one.id, one.name)),
            [] if found.is_empty() => None,
            [] => Some(format!(
                "相近的{}：{}",
                target.label(),
                found
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
            many => Some(format!(
                "同名的{}有 {} 条，请填写代码：{}",
                target.label(),
                many.len(),
                many.iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
        }
    }
}

/// 「九原区」 → 「应为 150207（九原区）」 (Baotou's first when the name is not unique).
pub fn region_fix(v: &str) -> Option<String> {
    let named = regions().named(v);
    match named.as_slice() {
        [] => None,
        [one, ..] if named.len() == 1 || one.code.starts_with("1502") => Some(format!(
            "应为 {}（{}）",
            one.code,
            regions().full_name(&one.code)
        )),
        many => Some(format!(
            "同名的行政区划有：{}，请填写代码",
            many.iter()
                .take(5)
                .map(|r| format!("{}（{}）", r.code, regions().full_name(&r.code)))
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

/// An industry's name → its class code.
pub fn industry_fix(v: &str) -> Option<String> {
    let named = industries().named(v);
    match named.as_slice() {
        [] => None,
        [one] => Some(format!("应为 {}（{}）", one.code, one.name)),
        [one, ..] if one.name == v => Some(format!("应为 {}（{}）", one.code, one.name)),
        many => Some(format!(
            "名称相近的行业：{}",
            many.iter()
                .take(5)
                .map(|i| format!("{}（{}）", i.code, i.name))
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

/// A credit code whose only fault is its check digit → the code with the right one.
pub fn check_digit_fix(v: &str) -> Option<String> {
    let s: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    match CreditCode::parse(&s) {
        Err(innomesh_core::codes::CreditCodeError::Checksum { expected, .. }) => Some(format!(
            "第 18 位（校验位）应为 {expected}，即 {}{expected}",
            &s[..17]
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_for_regions_industries_and_check_digits() {
        assert_eq!(
            region_fix("九原区").as_deref(),
            Some("应为 150207（内蒙古自治区 包头市 九原区）")
        );
        assert_eq!(region_fix("150207"), None);
        let name = industries().get("3985").unwrap().name.clone();
        assert_eq!(industry_fix(&name), Some(format!("应为 3985（{name}）")));
        let fix = check_digit_fix("91150203MA0N000000").unwrap();
        assert!(fix.contains("应为 G"), "{fix}");
        assert!(fix.contains("91150203MA0N00000G"), "{fix}");
        assert_eq!(check_digit_fix("91150203MA0N00000G"), None);
    }
}
