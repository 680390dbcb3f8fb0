//! OpenFisca-style test cases for a rule: a base enterprise and cases that change a few of its
//! facts, each with the expected verdict, failed condition keys and missing fact keys.
//!
//! ```yaml
//! policy: hitech_certification
//! date: 2024-06-30            # evaluation date (a case may override it)
//! base: { registered_years: 3, ... }
//! cases:
//!   - name: 研发人员占比恰好 10%
//!     set: { rd_staff_ratio: 0.10 }   # null removes a fact
//!     unset: [core_ip_count]          # also removes facts
//!     expect: eligible                 # eligible | ineligible | unknown
//!     failed: []                       # exact, order-insensitive; default []
//!     missing: []                      # exact, order-insensitive; default []
//!     near_miss: false                 # optional: 差一项
//!     hint: 再提高 0.8 个百分点         # optional: text that some reason's hint contains
//! ```
//!
//! Every case is also run through the columnar evaluator, whose category must agree.

use crate::batch::{CompiledRule, FactTable};
use crate::eval::{evaluate, parse_facts, Category};
use crate::rule::Rule;
use crate::value::Date;
use crate::PolicyError;
use serde::Deserialize;
use serde_json::{Map, Value as J};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The id of the rule under test.
    pub policy: String,
    date: String,
    #[serde(default)]
    base: Map<String, J>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    set: Map<String, J>,
    #[serde(default)]
    unset: Vec<String>,
    expect: String,
    #[serde(default)]
    failed: Vec<String>,
    #[serde(default)]
    missing: Vec<String>,
    #[serde(default)]
    near_miss: Option<bool>,
    #[serde(default)]
    hint: Option<String>,
}

impl CaseFile {
    pub fn from_yaml(text: &str) -> Result<CaseFile, PolicyError> {
        serde_yaml_ng::from_str(text).map_err(|e| PolicyError::Yaml(e.to_string()))
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Runs every case; returns one message per case that does not hold.
    pub fn run(&self, rule: &Rule) -> Vec<String> {
        let mut out = Vec::new();
        for case in &self.cases {
            if let Err(m) = self.run_case(rule, case) {
                out.push(format!("{}「{}」：{m}", self.policy, case.name));
            }
        }
        out
    }

    fn run_case(&self, rule: &Rule, case: &Case) -> Result<(), String> {
        let date_s = case.date.as_deref().unwrap_or(&self.date);
        let date = Date::parse(date_s).ok_or(format!("日期「{date_s}」应为 YYYY-MM-DD"))?;
        let mut obj = self.base.clone();
        for (k, v) in &case.set {
            if rule.fact(k).is_none() {
                return Err(format!("set 中的「{k}」不是规则声明的事实"));
            }
            obj.insert(k.clone(), v.clone());
        }
        for k in &case.unset {
            if obj.remove(k).is_none() {
                return Err(format!("unset 中的「{k}」在 base 中不存在"));
            }
        }
        let facts = parse_facts(rule, &obj).map_err(|e| e.to_string())?;
        let v = evaluate(rule, &facts, date).map_err(|e| e.to_string())?;
        let mut problems = Vec::new();
        if v.verdict_word() != case.expect {
            problems.push(format!(
                "结论应为 {}，实际为 {}",
                case.expect,
                v.verdict_word()
            ));
        }
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        if sorted(&v.failed) != sorted(&case.failed) {
            problems.push(format!(
                "failed 应为 {:?}，实际为 {:?}",
                case.failed, v.failed
            ));
        }
        if sorted(&v.missing) != sorted(&case.missing) {
            problems.push(format!(
                "missing 应为 {:?}，实际为 {:?}",
                case.missing, v.missing
            ));
        }
        if let Some(nm) = case.near_miss {
            if nm != (v.category == Category::NearMiss) {
                problems.push(format!("差一项应为 {nm}，实际类别 {:?}", v.category));
            }
        }
        if let Some(h) = &case.hint {
            if !v
                .conditions
                .iter()
                .any(|c| c.hint.as_deref().is_some_and(|x| x.contains(h)))
            {
                let hints: Vec<_> = v.conditions.iter().filter_map(|c| c.hint.clone()).collect();
                problems.push(format!("没有含「{h}」的提示，实际提示 {hints:?}"));
            }
        }
        let compiled = CompiledRule::new(rule, date).map_err(|e| e.to_string())?;
        let batch = compiled
            .classify(&FactTable::from_facts(rule, std::slice::from_ref(&facts)))
            .map_err(|e| e.to_string())?;
        if batch.categories[0] != v.category {
            problems.push(format!(
                "批量求值类别 {:?} 与逐个求值 {:?} 不一致",
                batch.categories[0], v.category
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("；"))
        }
    }
}
