//! One enterprise against one rule: reading its facts, three-valued (Kleene) evaluation of the
//! condition tree, and the verdict with a Chinese reason for every condition.
//!
//! Which conditions count as *failed* and which facts as *missing* (shared with the columnar
//! evaluator in `batch`): starting at the root, a true node reports nothing; a false or unknown
//! `all` reports its children; a false `any` or `not` is reported as itself (one unmet
//! requirement, by its own key); an unknown `any` reports its unknown children and an unknown
//! `not` its operand; a false comparison is failed and an unknown one names its missing facts.
//! 差一项 (near miss) is: ineligible, exactly one failed requirement, nothing missing.

use crate::rule::{band_of, Derived, FactDef, Leaf, NodeKind, Op, Rule, Threshold, Version};
use crate::value::{fmt_number, show_value, Date, FactType, Value};
use crate::PolicyError;
use serde::Serialize;
use std::collections::HashMap;

/// An enterprise's facts by key; an absent key is a missing fact (待补充).
pub type Facts = HashMap<String, Value>;

/// Kleene's three truth values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    pub fn label(self) -> &'static str {
        match self {
            Truth::True => "符合",
            Truth::False => "不符合",
            Truth::Unknown => "待补充",
        }
    }
}

/// Where an enterprise stands against a policy.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Hash)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Category {
    Eligible,
    /// 差一项: ineligible for exactly one requirement, with nothing missing.
    NearMiss,
    /// 待补充: the known facts do not decide.
    Unknown,
    Ineligible,
}

/// The verdict on one enterprise, with every condition and its reason.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub policy: String,
    /// `valid_from` of the version applied.
    pub version: String,
    pub verdict: Truth,
    pub category: Category,
    pub conditions: Vec<ConditionReport>,
    /// Keys of the requirements not met.
    pub failed: Vec<String>,
    /// Keys of the facts whose absence leaves a condition undecided.
    pub missing: Vec<String>,
}

impl Verdict {
    /// `eligible` / `ineligible` / `unknown`.
    pub fn verdict_word(&self) -> &'static str {
        match self.verdict {
            Truth::True => "eligible",
            Truth::False => "ineligible",
            Truth::Unknown => "unknown",
        }
    }
}

/// What an enterprise is asked to supply, in Chinese: 「再补充：研发费用占比、创新能力评价得分」
/// (empty when nothing is missing).
pub fn supply_text(rule: &Rule, missing: &[String]) -> String {
    if missing.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = missing
        .iter()
        .map(|k| rule.fact(k).map_or(k.as_str(), |f| f.name.as_str()))
        .collect();
    format!("再补充：{}", names.join("、"))
}

#[derive(Clone, Debug, Serialize)]
pub struct ConditionReport {
    pub key: String,
    pub description: String,
    pub fact: Option<String>,
    /// The fact as a clerk reads it, or 「待补充」.
    pub value: Option<String>,
    /// 「≥ 4%（最近一年销售收入 5,000万元至2亿元（含））」, or 「满足其一」 for a group.
    pub threshold: String,
    pub status: Truth,
    pub status_label: &'static str,
    /// What would change the verdict, for a failed numeric comparison.
    pub hint: Option<String>,
    /// The whole reason in one Chinese sentence.
    pub text: String,
}

/// Reads a JSON object of facts against a rule's declarations. `null` is a missing fact; keys the
/// rule does not declare are ignored (one facts file may serve several policies).
pub fn parse_facts(
    rule: &Rule,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Result<Facts, PolicyError> {
    let mut out = Facts::with_capacity(obj.len());
    for (k, v) in obj {
        let Some(def) = rule.fact(k) else { continue };
        if let Some(value) = parse_fact(def, v)? {
            out.insert(k.clone(), value);
        }
    }
    Ok(out)
}

/// Reads one fact's JSON value against its declaration: `None` for `null` (missing), an error
/// naming the fact when the value is of the wrong type or out of range.
pub fn parse_fact(def: &FactDef, v: &serde_json::Value) -> Result<Option<Value>, PolicyError> {
    use serde_json::Value as J;
    let err = |message: String| PolicyError::Fact {
        key: def.key.clone(),
        message,
    };
    let want = || err(format!("应为{}，实际为 {v}", def.ty.name_zh()));
    let value = match (&def.ty, v) {
        (_, J::Null) => return Ok(None),
        (FactType::Number | FactType::Money | FactType::Ratio, J::Number(n)) => {
            let x = n.as_f64().filter(|x| x.is_finite()).ok_or_else(want)?;
            if def.min.is_some_and(|m| x < m) || def.max.is_some_and(|m| x > m) {
                let hint = if def.ty == FactType::Ratio && x > 1.0 {
                    "（比例请写成小数，5% 写 0.05）"
                } else {
                    ""
                };
                return Err(err(format!(
                    "{} 超出允许范围 {}–{}{hint}",
                    fmt_number(x, 6),
                    def.min.map_or("−∞".into(), |m| fmt_number(m, 6)),
                    def.max.map_or("∞".into(), |m| fmt_number(m, 6)),
                )));
            }
            Value::Num(x)
        }
        (FactType::Date, J::String(s)) => {
            Value::Num(Date::parse(s).ok_or_else(want)?.days() as f64)
        }
        (FactType::Boolean, J::Bool(b)) => Value::Bool(*b),
        (FactType::Enumeration(vals), J::String(s)) => {
            if !vals.contains(s) {
                return Err(err(format!("「{s}」不是可选值，可选：{}", vals.join("、"))));
            }
            Value::Text(s.clone())
        }
        (FactType::Code(cl), J::String(s)) => {
            cl.check(s).map_err(err)?;
            Value::Text(s.clone())
        }
        _ => return Err(want()),
    };
    Ok(Some(value))
}

/// The full verdict with reasons.
pub fn evaluate(rule: &Rule, facts: &Facts, date: Date) -> Result<Verdict, PolicyError> {
    let version = rule.version_at(date)?;
    let ev = Evaluation::run(rule, version, facts, date);
    let (failed, missing) = ev.reasons();
    let root = ev.truths[0];
    let category = categorise(root, failed.len(), missing.len());
    let conditions = (0..version.nodes.len())
        .filter_map(|i| ev.report(i))
        .collect();
    Ok(Verdict {
        policy: rule.id.clone(),
        version: version.valid_from.to_string(),
        verdict: root,
        category,
        conditions,
        failed: failed
            .iter()
            .map(|&i| version.nodes[i].key.clone().unwrap_or_default())
            .collect(),
        missing,
    })
}

/// The category alone: the per-enterprise baseline the columnar evaluator is measured against.
pub fn classify(rule: &Rule, version: &Version, facts: &Facts, date: Date) -> Category {
    let ev = Evaluation::run(rule, version, facts, date);
    let (failed, missing) = ev.reasons();
    categorise(ev.truths[0], failed.len(), missing.len())
}

pub(crate) fn categorise(root: Truth, failed: usize, missing: usize) -> Category {
    match root {
        Truth::True => Category::Eligible,
        Truth::Unknown => Category::Unknown,
        Truth::False if failed == 1 && missing == 0 => Category::NearMiss,
        Truth::False => Category::Ineligible,
    }
}

/// `Some(pass)` when `x op threshold` comes out the same in every band.
#[inline]
pub(crate) fn band_agreement(op: Op, x: f64, bands: &[crate::rule::Band]) -> Option<bool> {
    let first = op.num(x, bands[0].value);
    bands[1..]
        .iter()
        .all(|b| op.num(x, b.value) == first)
        .then_some(first)
}

/// A numeric value or text borrowed from the facts.
#[derive(Clone, Copy)]
enum V<'a> {
    Num(f64),
    Bool(bool),
    Text(&'a str),
}

struct Evaluation<'a> {
    rule: &'a Rule,
    version: &'a Version,
    facts: &'a Facts,
    date: Date,
    truths: Vec<Truth>,
}

impl<'a> Evaluation<'a> {
    fn run(rule: &'a Rule, version: &'a Version, facts: &'a Facts, date: Date) -> Self {
        let mut ev = Evaluation {
            rule,
            version,
            facts,
            date,
            truths: vec![Truth::Unknown; version.nodes.len()],
        };
        // Children come after their parent, so a reverse sweep sees children first.
        for i in (0..version.nodes.len()).rev() {
            ev.truths[i] = ev.node(i);
        }
        ev
    }

    fn node(&self, i: usize) -> Truth {
        let t = &self.truths;
        match &self.version.nodes[i].kind {
            NodeKind::All(ch) => {
                let mut out = Truth::True;
                for &c in ch {
                    match t[c] {
                        Truth::False => return Truth::False,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                out
            }
            NodeKind::Any(ch) => {
                let mut out = Truth::False;
                for &c in ch {
                    match t[c] {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            NodeKind::Not(c) => match t[*c] {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            NodeKind::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn value(&self, fact: usize) -> Option<V<'a>> {
        let def: &FactDef = &self.rule.facts[fact];
        if let Some(v) = self.facts.get(&def.key) {
            return Some(match v {
                Value::Num(x) => V::Num(*x),
                Value::Bool(b) => V::Bool(*b),
                Value::Text(s) => V::Text(s),
            });
        }
        let num = |f: usize| match self.value(f) {
            Some(V::Num(x)) => Some(x),
            _ => None,
        };
        let x = match def.derived.as_ref()? {
            Derived::Ratio(a, b) => {
                let d = num(*b)?;
                if d == 0.0 {
                    return None;
                }
                num(*a)? / d
            }
            Derived::Difference(a, b) => num(*a)? - num(*b)?,
            Derived::Sum(v) => v.iter().map(|&f| num(f)).sum::<Option<f64>>()?,
            Derived::Max(v) => v
                .iter()
                .map(|&f| num(f))
                .try_fold(f64::NEG_INFINITY, |m, x| Some(m.max(x?)))?,
            Derived::Min(v) => v
                .iter()
                .map(|&f| num(f))
                .try_fold(f64::INFINITY, |m, x| Some(m.min(x?)))?,
            Derived::BestOf(v) => v.iter().filter_map(|&f| num(f)).reduce(f64::max)?,
            Derived::Points { fact, bands } => band_of(bands, num(*fact)?).value,
            Derived::YearsSince(f) => {
                Date::from_days(num(*f)? as i32).years_until(self.date) as f64
            }
        };
        Some(V::Num(x))
    }

    /// The threshold of a comparison for this enterprise (a band's depends on another fact).
    fn threshold(&self, leaf: &Leaf) -> Option<f64> {
        match &leaf.threshold {
            Threshold::Num(t) => Some(*t),
            Threshold::Band { by, bands } => match self.value(*by)? {
                V::Num(x) => Some(band_of(bands, x).value),
                _ => None,
            },
            _ => None,
        }
    }

    fn leaf(&self, leaf: &Leaf) -> Truth {
        let Some(v) = self.value(leaf.fact) else {
            return Truth::Unknown;
        };
        let pass = match (&leaf.threshold, v) {
            (Threshold::Bool(want), V::Bool(b)) => b == *want,
            (Threshold::Texts(list), V::Text(s)) => leaf.op.text(s, list),
            (_, V::Num(x)) => match (self.threshold(leaf), &leaf.threshold) {
                (Some(t), _) => leaf.op.num(x, t),
                // The band is unknown, but the value may meet (or miss) every band's threshold.
                (None, Threshold::Band { bands, .. }) => match band_agreement(leaf.op, x, bands) {
                    Some(pass) => pass,
                    None => return Truth::Unknown,
                },
                (None, _) => return Truth::Unknown,
            },
            _ => return Truth::Unknown,
        };
        if pass {
            Truth::True
        } else {
            Truth::False
        }
    }

    fn reasons(&self) -> (Vec<usize>, Vec<String>) {
        let mut failed = Vec::new();
        let mut unknown = Vec::new();
        self.collect(0, &mut failed, &mut unknown);
        let mut missing = Vec::new();
        for i in unknown {
            if let NodeKind::Leaf(leaf) = &self.version.nodes[i].kind {
                self.missing_of(leaf.fact, &mut missing);
                if let Threshold::Band { by, .. } = leaf.threshold {
                    self.missing_of(by, &mut missing);
                }
            }
        }
        (failed, missing)
    }

    fn collect(&self, i: usize, failed: &mut Vec<usize>, unknown: &mut Vec<usize>) {
        let t = self.truths[i];
        match (&self.version.nodes[i].kind, t) {
            (_, Truth::True) => {}
            (NodeKind::Leaf(_), Truth::False) => failed.push(i),
            (NodeKind::Leaf(_), Truth::Unknown) => unknown.push(i),
            (NodeKind::Any(_) | NodeKind::Not(_), Truth::False) => failed.push(i),
            (NodeKind::All(ch), _) => ch.iter().for_each(|&c| self.collect(c, failed, unknown)),
            (NodeKind::Any(ch), Truth::Unknown) => ch
                .iter()
                .filter(|&&c| self.truths[c] == Truth::Unknown)
                .for_each(|&c| self.collect(c, failed, unknown)),
            (NodeKind::Not(c), Truth::Unknown) => self.collect(*c, failed, unknown),
        }
    }

    /// The given facts a missing value waits for (a derived fact names its missing operands, or
    /// itself when they are all given but it cannot be computed, as a ratio over zero).
    /// Whether anything is missing under `fact`; the answer does not depend on what other
    /// conditions reported before (the columnar count in `batch` relies on that).
    fn missing_of(&self, fact: usize, out: &mut Vec<String>) -> bool {
        let def = &self.rule.facts[fact];
        if self.value(fact).is_some() {
            return false;
        }
        let mut below = false;
        if let Some(d) = &def.derived {
            for o in d.operands() {
                below |= self.missing_of(o, out);
            }
        }
        if !below && !out.contains(&def.key) {
            out.push(def.key.clone());
        }
        true
    }

    fn show(&self, fact: usize) -> Option<String> {
        let def = &self.rule.facts[fact];
        let v = match self.value(fact)? {
            V::Num(x) => Value::Num(x),
            V::Bool(b) => Value::Bool(b),
            V::Text(s) => Value::Text(s.to_string()),
        };
        Some(show_value(&def.ty, def.unit.as_deref(), &v))
    }

    fn report(&self, i: usize) -> Option<ConditionReport> {
        let node = &self.version.nodes[i];
        let key = node.key.clone()?;
        let status = self.truths[i];
        let (fact, value, threshold, hint) = match &node.kind {
            NodeKind::All(_) => (None, None, "全部满足".to_string(), None),
            NodeKind::Any(_) => (None, None, "满足其一".to_string(), None),
            NodeKind::Not(_) => (None, None, "不得满足".to_string(), None),
            NodeKind::Leaf(leaf) => {
                let def = &self.rule.facts[leaf.fact];
                let value = self.show(leaf.fact);
                let threshold = self.show_threshold(leaf);
                let hint = (status == Truth::False)
                    .then(|| self.hint(leaf, value.as_deref().unwrap_or_default()))
                    .flatten();
                (Some(def.key.clone()), value, threshold, hint)
            }
        };
        let shown = value.clone().unwrap_or_else(|| "待补充".into());
        let text = match (&node.kind, status) {
            (NodeKind::Leaf(_), _) => {
                let mut s = format!(
                    "{}：实际 {shown}，要求 {threshold}，{}",
                    node.description,
                    status.label()
                );
                if let Some(h) = &hint {
                    s.push('。');
                    s.push_str(h);
                }
                s
            }
            _ => format!("{}（{threshold}）：{}", node.description, status.label()),
        };
        Some(ConditionReport {
            key,
            description: node.description.clone(),
            fact,
            value: Some(shown),
            threshold,
            status,
            status_label: status.label(),
            hint,
            text,
        })
    }

    fn show_num(&self, fact: usize, x: f64) -> String {
        let def = &self.rule.facts[fact];
        show_value(&def.ty, def.unit.as_deref(), &Value::Num(x))
    }

    fn show_threshold(&self, leaf: &Leaf) -> String {
        let op = leaf.op.symbol();
        match &leaf.threshold {
            Threshold::Num(t) => format!("{op} {}", self.show_num(leaf.fact, *t)),
            Threshold::Bool(b) => format!("为「{}」", if *b { "是" } else { "否" }),
            Threshold::Texts(list) if matches!(leaf.op, Op::Eq | Op::Ne) => {
                format!("{op} {}", list.join("、"))
            }
            Threshold::Texts(list) => format!("{op} {}", list.join("、")),
            Threshold::Band { by, bands } => {
                let by_def = &self.rule.facts[*by];
                match self.value(*by) {
                    Some(V::Num(x)) => {
                        let b = band_of(bands, x);
                        format!(
                            "{op} {}（{}{}）",
                            self.show_num(leaf.fact, b.value),
                            by_def.name,
                            b.label.clone().unwrap_or_else(|| "所在档".into())
                        )
                    }
                    _ => {
                        let all: Vec<String> = bands
                            .iter()
                            .map(|b| {
                                format!(
                                    "{}：{op} {}",
                                    b.label.clone().unwrap_or_default(),
                                    self.show_num(leaf.fact, b.value)
                                )
                            })
                            .collect();
                        format!("按{}分档（{}）", by_def.name, all.join("；"))
                    }
                }
            }
        }
    }

    /// 「研发费用占比 3.2% < 4%：再提高 0.8 个百分点可达标」, with the amount of money when the
    /// fact is a money fact or a ratio of a money fact to a known denominator.
    fn hint(&self, leaf: &Leaf, shown: &str) -> Option<String> {
        if !leaf.op.is_order() {
            return None;
        }
        let def = &self.rule.facts[leaf.fact];
        let Some(V::Num(x)) = self.value(leaf.fact) else {
            return None;
        };
        let t = self.threshold(leaf)?;
        if def.ty == FactType::Date {
            return None;
        }
        let up = matches!(leaf.op, Op::Ge | Op::Gt);
        let gap = (t - x).abs();
        let strict = matches!(leaf.op, Op::Gt | Op::Lt);
        let verb = match (up, strict) {
            (true, false) => "再提高",
            (true, true) => "需提高超过",
            (false, false) => "需降低",
            (false, true) => "需降低超过",
        };
        let amount = match def.ty {
            FactType::Ratio => format!("{verb} {} 个百分点", fmt_number(gap * 100.0, 2)),
            FactType::Money => format!("{verb} {} 万元", fmt_number(gap, 2)),
            _ => format!(
                "{verb} {}{}",
                fmt_number(gap, 4),
                def.unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default()
            ),
        };
        // A ratio with a known money basis: the shortfall as an amount (「再投入约 56 万元」).
        if let (FactType::Ratio, Some(b)) = (&def.ty, def.basis) {
            if let Some(V::Num(base)) = self.value(b) {
                if up && base > 0.0 {
                    return Some(format!(
                        "{} {shown} {} {}：再投入约 {} 万元可达标（按{} {} 计，差 {} 个百分点）",
                        def.name,
                        leaf.op.negated_symbol(),
                        self.show_num(leaf.fact, t),
                        fmt_number((gap * base).max(0.01), 2),
                        self.rule.facts[b].name,
                        self.show_num(b, base),
                        fmt_number(gap * 100.0, 2)
                    ));
                }
            }
        }
        let mut s = format!(
            "{} {shown} {} {}：{amount}可达标",
            def.name,
            leaf.op.negated_symbol(),
            self.show_num(leaf.fact, t)
        );
        // A ratio of money over a known denominator: the money that closes the gap.
        if let Some(Derived::Ratio(num, den)) = &def.derived {
            let (nd, dd) = (&self.rule.facts[*num], &self.rule.facts[*den]);
            if let (FactType::Money, Some(V::Num(n)), Some(V::Num(d))) =
                (&nd.ty, self.value(*num), self.value(*den))
            {
                if up && d > 0.0 {
                    let need = t * d - n;
                    s.push_str(&format!(
                        "（按{} {} 计，{}需{} {} 万元）",
                        dd.name,
                        self.show_num(*den, d),
                        nd.name,
                        if strict { "增加超过" } else { "再增加" },
                        fmt_number(need, 2)
                    ));
                }
            }
        }
        Some(s)
    }
}
