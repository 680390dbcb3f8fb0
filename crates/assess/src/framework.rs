//! Indicator frameworks (指标体系): a versioned tree of dimensions → indicators, read from YAML
//! (`data/assessment/*.yaml`) and checked once, so a [`Framework`] value is always usable.

use crate::normalise::{Direction, Normalisation};
use crate::weights;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How a value is aggregated across indicators and dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Σ w·x (fully compensatory).
    #[default]
    Arithmetic,
    /// Π x^w (partly compensatory; points below 1 count as 1 so one zero does not zero the score).
    Geometric,
}

impl Aggregation {
    pub fn label(self) -> &'static str {
        match self {
            Aggregation::Arithmetic => "加权算术平均",
            Aggregation::Geometric => "加权几何平均",
        }
    }
}

/// What a missing value counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// No figure, no points: 0.
    #[default]
    Zero,
    /// The mean points of the units that have the figure.
    Mean,
    /// Left out; the other indicators of its dimension share its weight.
    Reweight,
}

impl Missing {
    pub fn label(self) -> &'static str {
        match self {
            Missing::Zero => "缺失计 0 分",
            Missing::Mean => "缺失取均值",
            Missing::Reweight => "缺失不计、权重重分配",
        }
    }
}

/// Normalisation choice in the uncertainty analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormChoice {
    /// Each indicator's declared normalisation.
    Declared,
    MinMax,
    ZScore,
}

impl NormChoice {
    pub fn label(self) -> &'static str {
        match self {
            NormChoice::Declared => "按指标体系规定",
            NormChoice::MinMax => "全部极差标准化",
            NormChoice::ZScore => "全部 Z 分数",
        }
    }
}

/// Where an indicator's figure comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Computed from the registry's own records by a named query.
    Registry { query: String },
    /// Entered by the platform with evidence, checked by the bureau (填报 → 审核).
    Manual { evidence: String },
}

/// One anchor of a qualitative indicator's scoring rubric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RubricGrade {
    pub grade: String,
    pub points: f64,
    pub anchor: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub direction: Direction,
    /// Default: `none` with a rubric, else `min_max`.
    #[serde(default)]
    pub normalisation: Option<Normalisation>,
    /// Weight within its dimension (fixed weighting).
    #[serde(default)]
    pub weight: Option<f64>,
    pub source: Source,
    #[serde(default)]
    pub rubric: Option<Vec<RubricGrade>>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Indicator {
    pub fn normalisation(&self) -> Normalisation {
        match (&self.normalisation, &self.rubric) {
            (Some(n), _) => n.clone(),
            (None, Some(_)) => Normalisation::None,
            (None, None) => Normalisation::MinMax,
        }
    }

    /// Reads one cell: a number, or a rubric grade for a qualitative indicator.
    pub fn parse_value(&self, cell: &str) -> Result<Option<f64>, String> {
        let t = cell.trim();
        if t.is_empty() || matches!(t, "-" | "—" | "NA" | "N/A" | "缺" | "缺失" | "null") {
            return Ok(None);
        }
        if let Some(r) = &self.rubric {
            if let Some(g) = r.iter().find(|g| g.grade == t) {
                return Ok(Some(g.points));
            }
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => match &self.rubric {
                Some(r) => Err(format!(
                    "「{t}」既不是数值也不是评分等级（可用：{}）",
                    r.iter()
                        .map(|g| g.grade.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                )),
                None => Err(format!("「{t}」不是数值")),
            },
        }
    }
}

/// How a dimension's indicator weights are set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Weighting {
    /// The indicators' `weight` fields (summing to 1).
    #[default]
    Fixed,
    /// AHP over the indicators, in their order; refused when CR > 0.1.
    Ahp { matrix: Vec<Vec<f64>> },
    /// Entropy weights from the data (min-max-normalised columns, higher-is-better orientation).
    Entropy,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub weight: f64,
    #[serde(default)]
    pub weighting: Weighting,
    pub indicators: Vec<Indicator>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub grade: String,
    pub min: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    pub grade: String,
    /// Share of units (0–1) at most, taken in rank order after the grades above.
    pub share: f64,
}

/// 优秀/良好/合格/不合格 by score bands or by quotas of the ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Grading {
    Bands {
        bands: Vec<Band>,
        otherwise: String,
    },
    Quotas {
        quotas: Vec<Quota>,
        /// Below this score a unit gets `otherwise` whatever its rank.
        #[serde(default)]
        floor: Option<f64>,
        /// The grade of units past the quotas (e.g. 合格).
        rest: String,
        otherwise: String,
    },
}

/// Monte-Carlo settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Each weight is drawn uniformly in w·(1 ± spread), then renormalised.
    #[serde(default = "default_spread")]
    pub weight_spread: f64,
    #[serde(default = "default_norms")]
    pub normalisations: Vec<NormChoice>,
    #[serde(default = "default_missing")]
    pub missing: Vec<Missing>,
    #[serde(default = "default_draws")]
    pub draws: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_spread() -> f64 {
    0.25
}
fn default_norms() -> Vec<NormChoice> {
    vec![NormChoice::Declared, NormChoice::MinMax, NormChoice::ZScore]
}
fn default_missing() -> Vec<Missing> {
    vec![Missing::Zero, Missing::Mean, Missing::Reweight]
}
fn default_draws() -> usize {
    1000
}
fn default_seed() -> u64 {
    20_261_207
}

impl Default for Uncertainty {
    fn default() -> Self {
        Uncertainty {
            weight_spread: default_spread(),
            normalisations: default_norms(),
            missing: default_missing(),
            draws: default_draws(),
            seed: default_seed(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub version: String,
    pub name: String,
    /// What is assessed, e.g. 重点实验室 (platform kind) or 中心—实验室对.
    pub unit: String,
    /// The documents the framework follows.
    pub sources: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub aggregation: Aggregation,
    #[serde(default)]
    pub missing: Missing,
    pub grading: Grading,
    #[serde(default)]
    pub uncertainty: Uncertainty,
    pub dimensions: Vec<Dimension>,
}

fn sums_to_one(ws: impl Iterator<Item = f64>) -> bool {
    (ws.sum::<f64>() - 1.0).abs() <= 1e-6
}

impl Framework {
    /// Parses and checks a framework file.
    pub fn from_yaml(text: &str) -> Result<Framework, Error> {
        let f: Framework = serde_yaml_ng::from_str(text)
            .map_err(|e| Error::Input(format!("指标体系文件格式错误：{e}")))?;
        f.check()?;
        Ok(f)
    }

    /// Every indicator in tree order with its dimension's index.
    pub fn indicators(&self) -> impl Iterator<Item = (usize, &Indicator)> {
        self.dimensions
            .iter()
            .enumerate()
            .flat_map(|(d, dim)| dim.indicators.iter().map(move |i| (d, i)))
    }

    pub fn check(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Input(m));
        if self.id.trim().is_empty() || self.version.trim().is_empty() {
            return bad("指标体系须有 id 和 version".into());
        }
        if self.dimensions.is_empty() {
            return bad("指标体系至少需要一个维度".into());
        }
        let mut seen = HashSet::new();
        for d in &self.dimensions {
            if !(d.weight.is_finite() && d.weight > 0.0) {
                return bad(format!("维度「{}」的权重须为正数", d.name));
            }
            if d.indicators.is_empty() {
                return bad(format!("维度「{}」没有指标", d.name));
            }
            if !seen.insert(d.id.clone()) {
                return bad(format!("编号「{}」重复", d.id));
            }
            for i in &d.indicators {
                if !seen.insert(i.id.clone()) {
                    return bad(format!("编号「{}」重复", i.id));
                }
                i.normalisation()
                    .check()
                    .or_else(|m| bad(format!("指标「{}」：{m}", i.name)))?;
                if let Some(r) = &i.rubric {
                    if r.is_empty() || r.iter().any(|g| !(0.0..=100.0).contains(&g.points)) {
                        return bad(format!(
                            "指标「{}」的评分标准须有等级，分值在 0–100",
                            i.name
                        ));
                    }
                }
            }
            match &d.weighting {
                Weighting::Fixed => {
                    let mut ws = Vec::new();
                    for i in &d.indicators {
                        match i.weight {
                            Some(w) if w.is_finite() && w > 0.0 => ws.push(w),
                            _ => {
                                return bad(format!(
                                    "指标「{}」须有正的权重（维度「{}」为固定权重）",
                                    i.name, d.name
                                ))
                            }
                        }
                    }
                    if !sums_to_one(ws.into_iter()) {
                        return bad(format!("维度「{}」内各指标权重之和须为 1", d.name));
                    }
                }
                Weighting::Ahp { matrix } => {
                    if matrix.len() != d.indicators.len() {
                        return bad(format!(
                            "维度「{}」的判断矩阵为 {} 阶，指标有 {} 个",
                            d.name,
                            matrix.len(),
                            d.indicators.len()
                        ));
                    }
                    let r = weights::ahp(matrix)
                        .map_err(|e| Error::Input(format!("维度「{}」：{e}", d.name)))?;
                    r.weights_checked()
                        .map_err(|e| Error::Input(format!("维度「{}」：{e}", d.name)))?;
                }
                Weighting::Entropy => {}
            }
        }
        if !sums_to_one(self.dimensions.iter().map(|d| d.weight)) {
            return bad("各维度权重之和须为 1".into());
        }
        match &self.grading {
            Grading::Bands { bands, .. } => {
                if bands.windows(2).any(|w| w[0].min <= w[1].min) {
                    return bad("等级分数线须从高到低排列".into());
                }
            }
            Grading::Quotas { quotas, .. } => {
                let total: f64 = quotas.iter().map(|q| q.share).sum();
                if quotas.iter().any(|q| q.share.is_nan() || q.share <= 0.0) || total > 1.0 + 1e-9 {
                    return bad("等级比例须为正数，合计不超过 1".into());
                }
            }
        }
        let u = &self.uncertainty;
        if !(0.0..1.0).contains(&u.weight_spread) {
            return bad("权重扰动幅度须在 0 到 1 之间（不含 1）".into());
        }
        if u.normalisations.is_empty() || u.missing.is_empty() {
            return bad("不确定性分析须至少列出一种标准化方法和一种缺失值处理".into());
        }
        Ok(())
    }
}
