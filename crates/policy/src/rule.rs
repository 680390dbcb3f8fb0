//! The rule language: a YAML rule file parsed and checked into a `Rule` (facts, versions, condition trees).
//!
//! A rule file (see `data/policies/*.yaml`) has `id`, `name`, `source`, `facts` (every fact key the
//! rule reads, typed and described) and `versions`, each with `valid_from`/`valid_to` (inclusive)
//! and a `condition` tree of `all` / `any` / `not` groups and comparisons.

use crate::value::{CodeList, Date, FactType};
use crate::PolicyError;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A checked rule: every fact reference resolves, every threshold has its fact's type.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub source: Source,
    pub facts: Vec<FactDef>,
    pub versions: Vec<Version>,
    fact_index: HashMap<String, usize>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// 文件名称，如《高新技术企业认定管理办法》.
    pub document: String,
    /// 文号，如 国科发火〔2016〕32号.
    pub number: String,
    /// 条款，如 第十一条.
    pub article: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FactDef {
    pub key: String,
    /// Short Chinese name used in reasons: 「研发费用占比」.
    pub name: String,
    pub ty: FactType,
    pub unit: Option<String>,
    pub description: String,
    /// Needs a person's judgement (专家评审、人工认定); never derivable from registry data.
    pub manual: bool,
    pub derived: Option<Derived>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// For a ratio: the money fact (万元) it is a share of, so that a shortfall can be stated as
    /// an amount (「再投入约 56 万元」). Read only by hints, never by conditions.
    pub basis: Option<usize>,
}

/// A fact computed from others when it is not given directly.
#[derive(Clone, Debug)]
pub enum Derived {
    /// a / b (missing when b is 0).
    Ratio(usize, usize),
    /// a − b.
    Difference(usize, usize),
    Sum(Vec<usize>),
    /// The largest; missing when any operand is missing.
    Max(Vec<usize>),
    Min(Vec<usize>),
    /// 择一: the largest of the operands that are given; missing only when all are missing (the
    /// enterprise picks one of several indicators, as 科技型中小企业's R&D-intensity score).
    BestOf(Vec<usize>),
    /// The value of the band the fact falls into (scoring tables).
    Points {
        fact: usize,
        bands: Vec<Band>,
    },
    /// Completed years from a date fact to the evaluation date.
    YearsSince(usize),
}

impl Derived {
    pub fn operands(&self) -> Vec<usize> {
        match self {
            Derived::Ratio(a, b) | Derived::Difference(a, b) => vec![*a, *b],
            Derived::Sum(v) | Derived::Max(v) | Derived::Min(v) | Derived::BestOf(v) => v.clone(),
            Derived::Points { fact, .. } | Derived::YearsSince(fact) => vec![*fact],
        }
    }
}

/// One row of a band table. Rows are tried in order; the first whose upper edge admits the value applies.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub upper: Upper,
    pub value: f64,
    pub label: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Upper {
    /// `max`: value ≤ edge (「以下（含）」).
    Inclusive(f64),
    /// `below`: value < edge (「不足」「以下（不含）」).
    Exclusive(f64),
    /// The last row: everything else.
    None,
}

impl Band {
    #[inline]
    pub fn admits(&self, x: f64) -> bool {
        match self.upper {
            Upper::Inclusive(e) => x <= e,
            Upper::Exclusive(e) => x < e,
            Upper::None => true,
        }
    }
}

/// The band `x` falls into (the last row when none admits it; validation makes the last row open).
#[inline]
pub fn band_of(bands: &[Band], x: f64) -> &Band {
    bands
        .iter()
        .find(|b| b.admits(x))
        .unwrap_or(&bands[bands.len() - 1])
}

#[derive(Clone, Debug)]
pub struct Version {
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// The document of this version when it differs from the rule's `source`.
    pub source: Option<Source>,
    pub note: Option<String>,
    /// The condition tree in pre-order: node 0 is the root, children come after their parent.
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub key: Option<String>,
    pub description: String,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    All(Vec<usize>),
    Any(Vec<usize>),
    Not(usize),
    Leaf(Leaf),
}

#[derive(Clone, Debug)]
pub struct Leaf {
    pub fact: usize,
    pub op: Op,
    pub threshold: Threshold,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
    In,
    NotIn,
    PrefixIn,
    NotPrefixIn,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            ">=" => Op::Ge,
            ">" => Op::Gt,
            "<=" => Op::Le,
            "<" => Op::Lt,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            "in" => Op::In,
            "not_in" => Op::NotIn,
            "prefix_in" => Op::PrefixIn,
            "not_prefix_in" => Op::NotPrefixIn,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::In => "属于",
            Op::NotIn => "不属于",
            Op::PrefixIn => "属于（前缀）",
            Op::NotPrefixIn => "不属于（前缀）",
        }
    }

    /// The symbol of the failed comparison: `3.2% < 4%` when `≥ 4%` fails.
    pub fn negated_symbol(self) -> &'static str {
        match self {
            Op::Ge => "<",
            Op::Gt => "≤",
            Op::Le => ">",
            Op::Lt => "≥",
            Op::Eq => "≠",
            Op::Ne => "=",
            Op::In | Op::PrefixIn => "不属于",
            Op::NotIn | Op::NotPrefixIn => "属于",
        }
    }

    pub fn is_order(self) -> bool {
        matches!(self, Op::Ge | Op::Gt | Op::Le | Op::Lt)
    }

    /// `x op t` for numbers, with a rounding allowance around the threshold (a ratio computed as
    /// 0.049999999999 meets "≥ 5%"; 0.0500000001 does not exceed "> 5%").
    #[inline]
    pub fn num(self, x: f64, t: f64) -> bool {
        let e = crate::value::tol(t);
        match self {
            Op::Ge => x >= t - e,
            Op::Gt => x > t + e,
            Op::Le => x <= t + e,
            Op::Lt => x < t - e,
            Op::Eq => (x - t).abs() <= e,
            Op::Ne => (x - t).abs() > e,
            _ => false,
        }
    }

    /// `s op list` for codes and enumerations.
    pub fn text(self, s: &str, list: &[String]) -> bool {
        match self {
            Op::Eq | Op::In => list.iter().any(|v| v == s),
            Op::Ne | Op::NotIn => !list.iter().any(|v| v == s),
            Op::PrefixIn => list.iter().any(|p| s.starts_with(p.as_str())),
            Op::NotPrefixIn => !list.iter().any(|p| s.starts_with(p.as_str())),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Threshold {
    Num(f64),
    Bool(bool),
    /// Enumeration or code values; `==`/`!=` hold one.
    Texts(Vec<String>),
    /// The threshold depends on the band another fact falls into.
    Band {
        by: usize,
        bands: Vec<Band>,
    },
}

impl Rule {
    pub fn from_yaml(text: &str) -> Result<Rule, PolicyError> {
        let raw: RawRule =
            serde_yaml_ng::from_str(text).map_err(|e| PolicyError::Yaml(e.to_string()))?;
        raw.check()
    }

    pub fn fact_id(&self, key: &str) -> Option<usize> {
        self.fact_index.get(key).copied()
    }

    pub fn fact(&self, key: &str) -> Option<&FactDef> {
        self.fact_id(key).map(|i| &self.facts[i])
    }

    /// The version in force on `date`.
    pub fn version_at(&self, date: Date) -> Result<&Version, PolicyError> {
        self.versions
            .iter()
            .find(|v| v.valid_from <= date && v.valid_to.is_none_or(|t| date <= t))
            .ok_or_else(|| PolicyError::NoVersion {
                rule: self.id.clone(),
                date: date.to_string(),
            })
    }
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    name: String,
    source: Source,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    facts: BTreeMap<String, RawFact>,
    versions: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    #[serde(rename = "type")]
    ty: String,
    name: String,
    description: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    manual: bool,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    code_list: Option<String>,
    #[serde(default)]
    derived: Option<RawDerived>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    basis: Option<String>,
}

/// Exactly one field is set (a YAML map with one key, `{ratio: [a, b]}`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawDerived {
    ratio: Option<[String; 2]>,
    difference: Option<[String; 2]>,
    sum: Option<Vec<String>>,
    max: Option<Vec<String>>,
    min: Option<Vec<String>>,
    best_of: Option<Vec<String>>,
    points: Option<RawPoints>,
    years_since: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoints {
    fact: String,
    bands: Vec<RawBand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    below: Option<f64>,
    value: f64,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    valid_from: String,
    #[serde(default)]
    valid_to: Option<String>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    note: Option<String>,
    condition: RawCond,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCond {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    all: Option<Vec<RawCond>>,
    #[serde(default)]
    any: Option<Vec<RawCond>>,
    #[serde(default)]
    not: Option<Box<RawCond>>,
    #[serde(default)]
    fact: Option<String>,
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    value: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    band: Option<RawBandThreshold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBandThreshold {
    by: String,
    bands: Vec<RawBand>,
}

impl RawRule {
    fn check(self) -> Result<Rule, PolicyError> {
        let id = self.id.clone();
        let bad = |message: String| PolicyError::Invalid {
            rule: id.clone(),
            message,
        };
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            return Err(bad(format!(
                "id「{}」只能由字母、数字和下划线组成",
                self.id
            )));
        }
        let fact_index: HashMap<String, usize> = self
            .facts
            .keys()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let lookup = |k: &str, ctx: &str| {
            fact_index
                .get(k)
                .copied()
                .ok_or_else(|| bad(format!("{ctx}引用了未声明的事实「{k}」，请在 facts 中声明")))
        };
        let mut facts = Vec::new();
        for (key, f) in &self.facts {
            let ctx = format!("事实「{key}」");
            let ty = match f.ty.as_str() {
                "number" => FactType::Number,
                "money" => FactType::Money,
                "ratio" => FactType::Ratio,
                "date" => FactType::Date,
                "boolean" => FactType::Boolean,
                "enum" => FactType::Enumeration(
                    f.values
                        .clone()
                        .filter(|v| !v.is_empty())
                        .ok_or_else(|| bad(format!("{ctx}：enum 类型须列出 values")))?,
                ),
                "code" => FactType::Code(match f.code_list.as_deref() {
                    Some("industry") => CodeList::Industry,
                    Some("region") => CodeList::Region,
                    _ => {
                        return Err(bad(format!(
                            "{ctx}：code 类型须写 code_list: industry（GB/T 4754）或 region（GB/T 2260）"
                        )))
                    }
                }),
                other => {
                    return Err(bad(format!(
                        "{ctx}：未知类型「{other}」，可用 number、money、ratio、date、boolean、enum、code"
                    )))
                }
            };
            let derived = match &f.derived {
                None => None,
                Some(d) => {
                    let r = |k: &String| lookup(k, &format!("{ctx}的 derived "));
                    let rs = |ks: &Vec<String>| ks.iter().map(r).collect::<Result<Vec<_>, _>>();
                    let set = [
                        d.ratio.is_some(),
                        d.difference.is_some(),
                        d.sum.is_some(),
                        d.max.is_some(),
                        d.min.is_some(),
                        d.best_of.is_some(),
                        d.points.is_some(),
                        d.years_since.is_some(),
                    ];
                    if set.iter().filter(|b| **b).count() != 1 {
                        return Err(bad(format!(
                            "{ctx}：derived 须且只能写一种：ratio、difference、sum、max、min、best_of、points、years_since"
                        )));
                    }
                    Some(if let Some([a, b]) = &d.ratio {
                        Derived::Ratio(r(a)?, r(b)?)
                    } else if let Some([a, b]) = &d.difference {
                        Derived::Difference(r(a)?, r(b)?)
                    } else if let Some(v) = &d.sum {
                        Derived::Sum(rs(v)?)
                    } else if let Some(v) = &d.max {
                        Derived::Max(rs(v)?)
                    } else if let Some(v) = &d.min {
                        Derived::Min(rs(v)?)
                    } else if let Some(v) = &d.best_of {
                        Derived::BestOf(rs(v)?)
                    } else if let Some(p) = &d.points {
                        Derived::Points {
                            fact: r(&p.fact)?,
                            bands: check_bands(&p.bands).map_err(|m| bad(format!("{ctx}：{m}")))?,
                        }
                    } else {
                        Derived::YearsSince(r(d.years_since.as_ref().expect("one is set"))?)
                    })
                }
            };
            if derived.is_some() && !ty.is_numeric() {
                return Err(bad(format!("{ctx}：派生事实必须是数值类型")));
            }
            let basis = match &f.basis {
                None => None,
                Some(b) => {
                    let bi = lookup(b, &format!("{ctx}的 basis "))?;
                    if ty != FactType::Ratio
                        || self.facts.get(b).map(|d| d.ty.as_str()) != Some("money")
                    {
                        return Err(bad(format!(
                            "{ctx}：basis 只用于比例事实，且须指向一个金额（money）事实"
                        )));
                    }
                    Some(bi)
                }
            };
            let min = f.min.or((ty == FactType::Ratio).then_some(0.0));
            let max = f.max.or((ty == FactType::Ratio).then_some(1.0));
            facts.push(FactDef {
                key: key.clone(),
                name: f.name.clone(),
                ty,
                unit: f.unit.clone(),
                description: f.description.clone(),
                manual: f.manual,
                derived,
                min,
                max,
                basis,
            });
        }
        // Operand types and cycles of derived facts.
        for (i, f) in facts.iter().enumerate() {
            if let Some(d) = &f.derived {
                for o in d.operands() {
                    let want_date = matches!(d, Derived::YearsSince(_));
                    let oty = &facts[o].ty;
                    if want_date != (*oty == FactType::Date) || !oty.is_numeric() {
                        return Err(bad(format!(
                            "事实「{}」的 derived 不能使用「{}」（{}）",
                            f.key,
                            facts[o].key,
                            oty.name_zh()
                        )));
                    }
                }
                let mut seen = HashSet::new();
                if reaches(&facts, i, i, &mut seen) {
                    return Err(bad(format!("事实「{}」的 derived 形成循环", f.key)));
                }
            }
        }
        let mut versions = Vec::new();
        let mut keys_all = HashSet::new();
        for (vi, rv) in self.versions.into_iter().enumerate() {
            let ctx = format!("第 {} 个版本", vi + 1);
            let date = |s: &str| {
                Date::parse(s).ok_or_else(|| bad(format!("{ctx}：日期「{s}」应为 YYYY-MM-DD")))
            };
            let valid_from = date(&rv.valid_from)?;
            let valid_to = rv.valid_to.as_deref().map(date).transpose()?;
            if valid_to.is_some_and(|t| t < valid_from) {
                return Err(bad(format!("{ctx}：valid_to 早于 valid_from")));
            }
            let mut b = TreeBuilder {
                facts: &facts,
                lookup: &lookup,
                nodes: Vec::new(),
                keys: HashSet::new(),
            };
            b.build(&rv.condition)
                .map_err(|m| bad(format!("{ctx}：{m}")))?;
            keys_all.extend(b.keys);
            versions.push(Version {
                valid_from,
                valid_to,
                source: rv.source,
                note: rv.note,
                nodes: b.nodes,
            });
        }
        if versions.is_empty() {
            return Err(bad("至少需要一个版本（versions）".into()));
        }
        versions.sort_by_key(|v| v.valid_from);
        for w in versions.windows(2) {
            if w[0].valid_to.is_none_or(|t| t >= w[1].valid_from) {
                return Err(bad(format!(
                    "版本有效期重叠：{} 起的版本与 {} 起的版本",
                    w[0].valid_from, w[1].valid_from
                )));
            }
        }
        Ok(Rule {
            id: self.id,
            name: self.name,
            source: self.source,
            facts,
            versions,
            fact_index,
        })
    }
}

/// The message of a rule error without its 「规则…有误」 prefix (the caller adds its own).
fn inner_message(e: PolicyError) -> String {
    match e {
        PolicyError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

fn reaches(facts: &[FactDef], from: usize, target: usize, seen: &mut HashSet<usize>) -> bool {
    let Some(d) = &facts[from].derived else {
        return false;
    };
    d.operands()
        .into_iter()
        .any(|o| o == target || (seen.insert(o) && reaches(facts, o, target, seen)))
}

fn check_bands(raw: &[RawBand]) -> Result<Vec<Band>, String> {
    if raw.is_empty() {
        return Err("bands 不能为空".into());
    }
    let mut out = Vec::new();
    let mut last_edge = f64::NEG_INFINITY;
    for (i, r) in raw.iter().enumerate() {
        let upper = match (r.max, r.below) {
            (Some(_), Some(_)) => return Err(format!("第 {} 档不能同时写 max 和 below", i + 1)),
            (Some(e), None) => Upper::Inclusive(e),
            (None, Some(e)) => Upper::Exclusive(e),
            (None, None) => Upper::None,
        };
        let last = i + 1 == raw.len();
        match upper {
            Upper::None if !last => {
                return Err(format!("只有最后一档可以不写上限（第 {} 档）", i + 1))
            }
            Upper::Inclusive(e) | Upper::Exclusive(e) => {
                if last {
                    return Err("最后一档不能有上限（写成「其余」档）".into());
                }
                if !e.is_finite() || e <= last_edge {
                    return Err(format!("第 {} 档的上限须为有限数且大于前一档", i + 1));
                }
                last_edge = e;
            }
            Upper::None => {}
        }
        out.push(Band {
            upper,
            value: r.value,
            label: r.label.clone(),
        });
    }
    Ok(out)
}

struct TreeBuilder<'a, L> {
    facts: &'a [FactDef],
    lookup: &'a L,
    nodes: Vec<Node>,
    keys: HashSet<String>,
}

impl<L: Fn(&str, &str) -> Result<usize, PolicyError>> TreeBuilder<'_, L> {
    fn build(&mut self, c: &RawCond) -> Result<usize, String> {
        let id = self.nodes.len();
        let name = c.key.clone().unwrap_or_else(|| "（无 key 的组）".into());
        if let Some(k) = &c.key {
            if !self.keys.insert(k.clone()) {
                return Err(format!("条件 key「{k}」重复"));
            }
        }
        let shapes = [
            c.all.is_some(),
            c.any.is_some(),
            c.not.is_some(),
            c.fact.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if shapes != 1 {
            return Err(format!(
                "条件「{name}」须且只能是 all、any、not 或 fact 比较之一"
            ));
        }
        let description = c.description.clone().unwrap_or_default();
        self.nodes.push(Node {
            key: c.key.clone(),
            description: description.clone(),
            kind: NodeKind::All(vec![]),
        });
        let kind = if let Some(items) = c.all.as_ref().or(c.any.as_ref()) {
            if items.is_empty() {
                return Err(format!("条件组「{name}」为空"));
            }
            let mut ch = Vec::new();
            for it in items {
                ch.push(self.build(it)?);
            }
            if c.all.is_some() {
                NodeKind::All(ch)
            } else {
                self.need_key(c, "any")?;
                NodeKind::Any(ch)
            }
        } else if let Some(inner) = &c.not {
            self.need_key(c, "not")?;
            NodeKind::Not(self.build(inner)?)
        } else {
            self.need_key(c, "比较")?;
            NodeKind::Leaf(self.leaf(c, &name)?)
        };
        if c.band.is_some() && !matches!(kind, NodeKind::Leaf(_)) {
            return Err(format!("条件「{name}」：band 只能用于比较"));
        }
        self.nodes[id].kind = kind;
        Ok(id)
    }

    fn need_key(&self, c: &RawCond, what: &str) -> Result<(), String> {
        match (&c.key, &c.description) {
            (Some(_), Some(d)) if !d.is_empty() => Ok(()),
            _ => Err(format!(
                "{what} 条件须有 key 和中文 description（出现在理由中）"
            )),
        }
    }

    fn leaf(&self, c: &RawCond, name: &str) -> Result<Leaf, String> {
        let fact_key = c.fact.as_deref().unwrap_or_default();
        let fact = (self.lookup)(fact_key, &format!("条件「{name}」")).map_err(inner_message)?;
        let def = &self.facts[fact];
        let op_s = c.op.as_deref().ok_or(format!("条件「{name}」缺少 op"))?;
        let op = Op::parse(op_s).ok_or(format!(
            "条件「{name}」：未知比较「{op_s}」，可用 >=、>、<=、<、==、!=、in、not_in、prefix_in、not_prefix_in"
        ))?;
        let ty = &def.ty;
        let threshold = match (&c.value, &c.band) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(format!("条件「{name}」须写 value 或 band 之一"))
            }
            (None, Some(b)) => {
                if !ty.is_numeric() || *ty == FactType::Date || !op.is_order() {
                    return Err(format!(
                        "条件「{name}」：分档门槛只适用于数值事实的大小比较"
                    ));
                }
                let by = (self.lookup)(&b.by, &format!("条件「{name}」的 band "))
                    .map_err(inner_message)?;
                if !self.facts[by].ty.is_numeric() {
                    return Err(format!("条件「{name}」：分档依据「{}」须为数值", b.by));
                }
                Threshold::Band {
                    by,
                    bands: check_bands(&b.bands).map_err(|m| format!("条件「{name}」：{m}"))?,
                }
            }
            (Some(v), None) => {
                use serde_yaml_ng::Value as Y;
                let wrong = || {
                    format!(
                        "条件「{name}」：事实「{fact_key}」是{}，不能与 {v:?} 作「{op_s}」比较",
                        ty.name_zh()
                    )
                };
                match ty {
                    FactType::Number | FactType::Money | FactType::Ratio => match (v, op) {
                        (Y::Number(n), op) if op.is_order() || matches!(op, Op::Eq | Op::Ne) => {
                            Threshold::Num(n.as_f64().ok_or_else(wrong)?)
                        }
                        _ => return Err(wrong()),
                    },
                    FactType::Date => match v {
                        Y::String(s) if op.is_order() || matches!(op, Op::Eq | Op::Ne) => {
                            Threshold::Num(Date::parse(s).ok_or_else(wrong)?.days() as f64)
                        }
                        _ => return Err(wrong()),
                    },
                    FactType::Boolean => match (v, op) {
                        (Y::Bool(b), Op::Eq) => Threshold::Bool(*b),
                        (Y::Bool(b), Op::Ne) => Threshold::Bool(!*b),
                        _ => return Err(wrong()),
                    },
                    FactType::Enumeration(_) | FactType::Code(_) => {
                        let list: Vec<String> = match (v, op) {
                            (Y::String(s), Op::Eq | Op::Ne) => vec![s.clone()],
                            (
                                Y::Sequence(items),
                                Op::In | Op::NotIn | Op::PrefixIn | Op::NotPrefixIn,
                            ) => items
                                .iter()
                                .map(|i| i.as_str().map(str::to_string).ok_or_else(wrong))
                                .collect::<Result<_, _>>()?,
                            _ => return Err(wrong()),
                        };
                        for s in &list {
                            match ty {
                                FactType::Enumeration(vals) if !vals.contains(s) => {
                                    return Err(format!(
                                        "条件「{name}」：「{s}」不是事实「{fact_key}」的可选值"
                                    ))
                                }
                                FactType::Code(cl)
                                    if matches!(op, Op::Eq | Op::Ne | Op::In | Op::NotIn) =>
                                {
                                    cl.check(s).map_err(|m| format!("条件「{name}」：{m}"))?
                                }
                                FactType::Enumeration(_)
                                    if matches!(op, Op::PrefixIn | Op::NotPrefixIn) =>
                                {
                                    return Err(wrong())
                                }
                                _ => {}
                            }
                        }
                        Threshold::Texts(list)
                    }
                }
            }
        };
        // `!=` on a boolean is stored as `==` of the opposite value.
        let op = if matches!(threshold, Threshold::Bool(_)) {
            Op::Eq
        } else {
            op
        };
        Ok(Leaf {
            fact,
            op,
            threshold,
        })
    }
}
