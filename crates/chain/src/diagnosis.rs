//! Diagnosis (诊断): explicit, editable rules that turn node figures into verdicts
//! 长板 / 短板 / 空白 / 散 / 小 / 缺, each carrying its figures and the rule text that fired.
//!
//! The rules, all editable in [`DiagnosisRules`] (JSON, every field optional):
//!
//! | verdict | fires when |
//! | --- | --- |
//! | 空白 blank | local firms = 0 |
//! | 长板 strong | local firms ≥ `strong_min_firms` and output ≥ `strong_min_output` and (no local demand or local supply share ≥ `strong_min_share`) |
//! | 短板 weak | local firms > 0 and output < `weak_max_output_ratio` × median output of the chain's non-blank nodes |
//! | 散 scattered | local firms ≥ `scattered_min_firms` and HHI < `scattered_max_hhi` and the node is a low outlier of its chain: robust z-score of ln HHI (median and MAD over the chain's nodes that have local output) ≤ −`scattered_min_z` |
//! | 小 small | local firms > 0 and output < `small_max_output` |
//! | 缺 missing | local demand ≥ `missing_min_demand` and local supply share < `missing_max_share` |
//!
//! Lower bounds are inclusive (≥), upper bounds exclusive (<).
//!
//! 散 is relative: HHI falls with the number of firms, so an absolute cut marks nearly every
//! populated node of a city with many similar small firms (9 of 10 on the sample rare-earth chain).
//! The robust z-score `(ln h − median) / (1.4826 · MAD)` over the chain's populated nodes keeps
//! 散 for the nodes far more fragmented than the rest of their chain; median and MAD are not
//! moved by the outliers themselves. With fewer than `scattered_min_nodes` populated nodes there
//! is no distribution to compare with, and the absolute rule alone applies.

use serde::{Deserialize, Serialize};

use crate::error::ChainError;
use crate::metrics::NodeMetrics;
use crate::model::ChainSet;

/// Thresholds of the diagnosis rules. Amounts in 万元, shares and HHI in 0–1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiagnosisRules {
    pub strong_min_firms: u32,
    pub strong_min_output: f64,
    pub strong_min_share: f64,
    pub weak_max_output_ratio: f64,
    pub scattered_min_firms: u32,
    pub scattered_max_hhi: f64,
    /// 散 needs ln HHI at least this many robust standard deviations below the chain's median.
    pub scattered_min_z: f64,
    /// Populated nodes a chain needs before the z-score applies.
    pub scattered_min_nodes: u32,
    pub small_max_output: f64,
    pub missing_min_demand: f64,
    pub missing_max_share: f64,
}

impl Default for DiagnosisRules {
    fn default() -> Self {
        DiagnosisRules {
            strong_min_firms: 3,
            strong_min_output: 100_000.0,
            strong_min_share: 0.5,
            weak_max_output_ratio: 0.2,
            scattered_min_firms: 10,
            scattered_max_hhi: 0.15,
            scattered_min_z: 1.5,
            scattered_min_nodes: 4,
            small_max_output: 50_000.0,
            missing_min_demand: 1_000.0,
            missing_max_share: 0.2,
        }
    }
}

impl DiagnosisRules {
    /// The editable rules file shipped in `data/chains/rules/diagnosis_rules.json`.
    pub fn shipped_json() -> &'static str {
        include_str!("../../../data/chains/rules/diagnosis_rules.json")
    }

    /// Parse rules from JSON; missing fields take their defaults.
    pub fn from_json(text: &str) -> Result<DiagnosisRules, ChainError> {
        let r: DiagnosisRules = serde_json::from_str(text)
            .map_err(|e| ChainError::InvalidConfig(format!("诊断规则格式错误：{e}")))?;
        r.validate()?;
        Ok(r)
    }

    pub fn validate(&self) -> Result<(), ChainError> {
        let amounts = [
            ("strong_min_output", self.strong_min_output),
            ("weak_max_output_ratio", self.weak_max_output_ratio),
            ("small_max_output", self.small_max_output),
            ("missing_min_demand", self.missing_min_demand),
            ("scattered_min_z", self.scattered_min_z),
        ];
        for (name, v) in amounts {
            if !v.is_finite() || v < 0.0 {
                return Err(ChainError::InvalidConfig(format!(
                    "诊断规则 {name} = {v} 应为不小于 0 的数"
                )));
            }
        }
        let shares = [
            ("strong_min_share", self.strong_min_share),
            ("scattered_max_hhi", self.scattered_max_hhi),
            ("missing_max_share", self.missing_max_share),
        ];
        for (name, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(ChainError::InvalidConfig(format!(
                    "诊断规则 {name} = {v} 应在 0 到 1 之间"
                )));
            }
        }
        Ok(())
    }
}

/// The six verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Strong,
    Weak,
    Blank,
    Scattered,
    Small,
    Missing,
}

impl VerdictKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            VerdictKind::Strong => "长板",
            VerdictKind::Weak => "短板",
            VerdictKind::Blank => "空白",
            VerdictKind::Scattered => "散",
            VerdictKind::Small => "小",
            VerdictKind::Missing => "缺",
        }
    }

    /// Verdicts that open a gap in the ledger (all but 长板).
    pub fn is_gap(self) -> bool {
        self != VerdictKind::Strong
    }
}

/// One figure behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
}

/// A verdict with the figures and the Chinese rule text that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub label: String,
    pub figures: Vec<Figure>,
    /// e.g. 「本地企业 12 家 ≥ 10 且 HHI 0.0800 < 0.15 → 散」.
    pub rule: String,
    /// The same in one plain sentence for a bureau reader, e.g.
    /// 「193 家本地企业规模相近、没有龙头（HHI 0.0075，远低于本链其他节点）」.
    #[serde(default)]
    pub reason: String,
}

impl NodeDiagnosis {
    /// One line for the map and the node table: every verdict's reason, joined.
    pub fn reason_line(&self) -> String {
        reason_line(&self.verdicts)
    }
}

/// Every verdict's plain reason joined into one line (empty when no verdict fired).
pub fn reason_line(verdicts: &[Verdict]) -> String {
    verdicts
        .iter()
        .map(|v| format!("{}：{}", v.kind.label_zh(), v.reason))
        .collect::<Vec<_>>()
        .join("；")
}

/// Verdicts of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeDiagnosis {
    pub node: String,
    pub verdicts: Vec<Verdict>,
}

impl NodeDiagnosis {
    pub fn kinds(&self) -> Vec<VerdictKind> {
        self.verdicts.iter().map(|v| v.kind).collect()
    }
}

/// Amounts as 万元 with thousands separators trimmed to at most 2 decimals.
pub(crate) fn wan(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} 万元")
}

/// An amount in 万元 for a sentence: 亿元 from 1 亿 on, thousands separators.
pub(crate) fn money(v: f64) -> String {
    if v.abs() >= 10_000.0 {
        let s = grouped(v / 10_000.0, 1);
        format!("{} 亿元", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("{} 万元", grouped(v, 0))
    }
}

/// `v` with `decimals` decimals and a comma every three digits.
pub fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A share for a sentence: whole per cent, one decimal below 10 %.
fn pct_short(v: f64) -> String {
    let p = v * 100.0;
    if p > 0.0 && p < 10.0 {
        let s = format!("{p:.1}");
        format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("{p:.0}%")
    }
}

pub(crate) fn pct(v: f64) -> String {
    let s = format!("{:.2}", v * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

fn num(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn fig(name: &str, value: f64) -> Figure {
    Figure {
        name: name.to_string(),
        value,
    }
}

fn verdict(kind: VerdictKind, figures: Vec<Figure>, rule: String, reason: String) -> Verdict {
    Verdict {
        kind,
        label: kind.label_zh().to_string(),
        figures,
        rule: format!("{rule} → {}", kind.label_zh()),
        reason,
    }
}

/// What a node is compared with inside its chain.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChainStats {
    /// [`median_output`] of the chain.
    pub median_output: f64,
    /// Median and MAD of ln HHI over the chain's nodes with local output; `None` when the chain
    /// has fewer than `scattered_min_nodes` such nodes.
    pub log_hhi: Option<(f64, f64)>,
}

impl ChainStats {
    /// Statistics of one chain's node figures under `rules`.
    pub fn of<'a>(
        metrics: impl IntoIterator<Item = &'a NodeMetrics> + Clone,
        rules: &DiagnosisRules,
    ) -> ChainStats {
        let logs: Vec<f64> = metrics
            .clone()
            .into_iter()
            .filter(|m| m.local_firms > 0)
            .filter_map(|m| m.hhi)
            .filter(|h| *h > 0.0)
            .map(f64::ln)
            .collect();
        let log_hhi = if logs.len() >= rules.scattered_min_nodes.max(1) as usize {
            let med = median(logs.clone());
            let mad = median(logs.iter().map(|x| (x - med).abs()).collect());
            Some((med, mad))
        } else {
            None
        };
        ChainStats {
            median_output: median_output(metrics),
            log_hhi,
        }
    }

    /// Robust z-score of `hhi` in the chain (`None` without a distribution). A MAD of 0 (all
    /// nodes alike) makes any lower node an outlier and any other one ordinary.
    pub fn hhi_z(&self, hhi: f64) -> Option<f64> {
        let (med, mad) = self.log_hhi?;
        let d = hhi.max(f64::MIN_POSITIVE).ln() - med;
        Some(if mad > 0.0 {
            d / (1.4826 * mad)
        } else if d < 0.0 {
            f64::NEG_INFINITY
        } else {
            0.0
        })
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let k = v.len();
    if k % 2 == 1 {
        v[k / 2]
    } else {
        (v[k / 2 - 1] + v[k / 2]) / 2.0
    }
}

/// Median output of the non-blank nodes among `metrics` (0 if none).
pub fn median_output<'a>(metrics: impl IntoIterator<Item = &'a NodeMetrics>) -> f64 {
    median(
        metrics
            .into_iter()
            .filter(|m| m.local_firms > 0)
            .map(|m| m.output)
            .collect(),
    )
}

/// Apply the rules to one node; `chain_median_output` is [`median_output`] of its chain. Without
/// the chain's HHI distribution 散 follows the absolute rule alone; see [`diagnose_node_in`].
pub fn diagnose_node(
    m: &NodeMetrics,
    chain_median_output: f64,
    r: &DiagnosisRules,
) -> Vec<Verdict> {
    diagnose_node_in(
        m,
        &ChainStats {
            median_output: chain_median_output,
            log_hhi: None,
        },
        r,
    )
}

/// Apply the rules to one node compared with its chain (`stats` from [`ChainStats::of`]).
pub fn diagnose_node_in(m: &NodeMetrics, stats: &ChainStats, r: &DiagnosisRules) -> Vec<Verdict> {
    use VerdictKind::*;
    let chain_median_output = stats.median_output;
    let mut out = Vec::new();
    let firms = m.local_firms;
    if firms == 0 {
        out.push(verdict(
            Blank,
            vec![fig("本地企业数", 0.0)],
            "本地企业 0 家".to_string(),
            "本地还没有企业做这一环".to_string(),
        ));
    }
    let share_ok = match m.local_supply_share {
        None => true,
        Some(s) => s >= r.strong_min_share,
    };
    if firms >= r.strong_min_firms && m.output >= r.strong_min_output && share_ok {
        let share_text = match m.local_supply_share {
            None => "本地无采购需求".to_string(),
            Some(s) => format!("本地配套率 {} ≥ {}", pct(s), pct(r.strong_min_share)),
        };
        out.push(verdict(
            Strong,
            {
                let mut f = vec![
                    fig("本地企业数", firms as f64),
                    fig("产值（万元）", m.output),
                ];
                if let Some(s) = m.local_supply_share {
                    f.push(fig("本地配套率", s));
                }
                f
            },
            format!(
                "本地企业 {firms} 家 ≥ {} 且产值 {} ≥ {} 且{share_text}",
                r.strong_min_firms,
                wan(m.output),
                wan(r.strong_min_output)
            ),
            match m.local_supply_share {
                Some(s) => format!(
                    "本地 {firms} 家企业、产值 {}，本地采购的 {} 由本地企业供应",
                    money(m.output),
                    pct_short(s)
                ),
                None => format!("本地 {firms} 家企业、产值 {}", money(m.output)),
            },
        ));
    }
    // A node that qualifies as 长板 is not also a 短板: the weak rule compares within the chain,
    // the strong rule in absolute terms, and a strong node reads as strong to its users.
    let strong = out.iter().any(|v| v.kind == Strong);
    if firms > 0
        && !strong
        && chain_median_output > 0.0
        && m.output < r.weak_max_output_ratio * chain_median_output
    {
        let ratio = m.output / chain_median_output;
        out.push(verdict(
            Weak,
            vec![
                fig("产值（万元）", m.output),
                fig("本链节点产值中位数（万元）", chain_median_output),
                fig("产值/中位数", ratio),
            ],
            format!(
                "产值 {} 为本链节点产值中位数 {} 的 {} < {}",
                wan(m.output),
                wan(chain_median_output),
                pct(ratio),
                pct(r.weak_max_output_ratio)
            ),
            format!(
                "产值 {} 只有本链节点中位数的 {}，明显弱于链上其他环节",
                money(m.output),
                pct_short(ratio)
            ),
        ));
    }
    if let Some(h) = m.hhi {
        let z = stats.hhi_z(h);
        let outlier = z.is_none_or(|z| z <= -r.scattered_min_z);
        if firms >= r.scattered_min_firms && h < r.scattered_max_hhi && outlier {
            let mut figures = vec![fig("本地企业数", firms as f64), fig("HHI", h)];
            let (rule_z, reason) = match z {
                Some(z) => {
                    if z.is_finite() {
                        figures.push(fig("HHI 稳健 z 值", z));
                    }
                    (
                        format!(
                            " 且 ln HHI 的稳健 z 值 {} ≤ -{}",
                            if z.is_finite() { num(z) } else { "-∞".into() },
                            num(r.scattered_min_z)
                        ),
                        format!(
                            "{firms} 家本地企业规模相近、没有龙头，集中度（HHI {}）远低于本链其他节点",
                            num(h)
                        ),
                    )
                }
                None => (
                    String::new(),
                    format!("{firms} 家本地企业规模相近、没有龙头（HHI {}）", num(h)),
                ),
            };
            out.push(verdict(
                Scattered,
                figures,
                format!(
                    "本地企业 {firms} 家 ≥ {} 且 HHI {} < {}{rule_z}",
                    r.scattered_min_firms,
                    num(h),
                    num(r.scattered_max_hhi)
                ),
                reason,
            ));
        }
    }
    if firms > 0 && m.output < r.small_max_output {
        out.push(verdict(
            Small,
            vec![fig("产值（万元）", m.output)],
            format!("产值 {} < {}", wan(m.output), wan(r.small_max_output)),
            format!(
                "本地企业产值合计 {}，不足 {}",
                money(m.output),
                money(r.small_max_output)
            ),
        ));
    }
    if let Some(s) = m.local_supply_share {
        if m.local_demand >= r.missing_min_demand && s < r.missing_max_share {
            out.push(verdict(
                Missing,
                vec![
                    fig("本地采购额（万元）", m.local_demand),
                    fig("本地配套率", s),
                ],
                format!(
                    "本地下游采购 {} ≥ {} 且本地配套率 {} < {}",
                    wan(m.local_demand),
                    wan(r.missing_min_demand),
                    pct(s),
                    pct(r.missing_max_share)
                ),
                format!(
                    "本地下游采购 {}，本地企业只供应其中 {}，其余从市外买入",
                    money(m.local_demand),
                    pct_short(s)
                ),
            ));
        }
    }
    out
}

/// Diagnose every node; `metrics` is index-aligned with `chains.nodes()` (as from
/// [`crate::Engine::metrics`]). The weak rule compares within each chain.
pub fn diagnose(
    chains: &ChainSet,
    metrics: &[NodeMetrics],
    rules: &DiagnosisRules,
) -> Vec<NodeDiagnosis> {
    let mut stats = vec![ChainStats::default(); metrics.len()];
    for c in 0..chains.chains().len() {
        let range = chains.chain_nodes(c);
        let range = range.start.min(metrics.len())..range.end.min(metrics.len());
        let s = ChainStats::of(&metrics[range.clone()], rules);
        for x in &mut stats[range] {
            *x = s;
        }
    }
    metrics
        .iter()
        .zip(stats)
        .map(|(m, s)| NodeDiagnosis {
            node: m.node.clone(),
            verdicts: diagnose_node_in(m, &s, rules),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::VerdictKind::*;
    use super::*;
    use crate::metrics::{InnovationCounts, SizeDistribution};
    use crate::model::Position;

    fn base() -> NodeMetrics {
        NodeMetrics {
            node: "t/n".into(),
            chain: "t".into(),
            name: "测试节点".into(),
            position: Position::Midstream,
            local_firms: 5,
            output: 60_000.0,
            hhi: Some(0.5),
            sizes: SizeDistribution::default(),
            local_demand: 0.0,
            local_supplied: 0.0,
            local_supply_share: None,
            local_suppliers: 0,
            external_suppliers: 0,
            innovation: InnovationCounts::default(),
            trend: vec![],
        }
    }

    /// Does `kind` fire for metrics `m` with chain median `med` under default rules?
    fn fires(m: &NodeMetrics, med: f64, kind: VerdictKind) -> bool {
        diagnose_node(m, med, &DiagnosisRules::default())
            .iter()
            .any(|v| v.kind == kind)
    }

    /// Check a threshold at just below, at, and just above the boundary.
    fn check(
        kind: VerdictKind,
        med: f64,
        set: impl Fn(&mut NodeMetrics, f64),
        at: f64,
        eps: f64,
        expect: [bool; 3],
    ) {
        for (i, x) in [at - eps, at, at + eps].into_iter().enumerate() {
            let mut m = base();
            set(&mut m, x);
            assert_eq!(fires(&m, med, kind), expect[i], "{kind:?} at {x}");
        }
    }

    #[test]
    fn blank_boundary() {
        check(
            Blank,
            0.0,
            |m, x| {
                m.local_firms = x as u32;
                m.output = 0.0;
                m.hhi = None;
            },
            1.0,
            1.0,
            [true, false, false],
        );
    }

    #[test]
    fn strong_boundaries() {
        let strong = |m: &mut NodeMetrics| {
            m.local_firms = 3;
            m.output = 100_000.0;
            m.local_demand = 10.0;
            m.local_supply_share = Some(0.5);
        };
        check(
            Strong,
            0.0,
            |m, x| {
                strong(m);
                m.local_firms = x as u32;
            },
            3.0,
            1.0,
            [false, true, true],
        );
        check(
            Strong,
            0.0,
            |m, x| {
                strong(m);
                m.output = x;
            },
            100_000.0,
            0.01,
            [false, true, true],
        );
        check(
            Strong,
            0.0,
            |m, x| {
                strong(m);
                m.local_supply_share = Some(x);
            },
            0.5,
            1e-9,
            [false, true, true],
        );
        let mut m = base();
        strong(&mut m);
        m.local_supply_share = None;
        assert!(
            fires(&m, 0.0, Strong),
            "no local demand does not block 长板"
        );
    }

    #[test]
    fn weak_boundary() {
        // median 100 000 → threshold 20 000
        check(
            Weak,
            100_000.0,
            |m, x| m.output = x,
            20_000.0,
            0.01,
            [true, false, false],
        );
        let mut m = base();
        m.output = 1.0;
        assert!(!fires(&m, 0.0, Weak), "no median, no 短板");
    }

    #[test]
    fn scattered_boundaries() {
        check(
            Scattered,
            0.0,
            |m, x| {
                m.hhi = Some(0.1);
                m.local_firms = x as u32;
            },
            10.0,
            1.0,
            [false, true, true],
        );
        check(
            Scattered,
            0.0,
            |m, x| {
                m.local_firms = 12;
                m.hhi = Some(x);
            },
            0.15,
            1e-9,
            [true, false, false],
        );
    }

    /// A chain of populated nodes with the given (firms, HHI).
    fn chain_of(nodes: &[(u32, f64)]) -> Vec<NodeMetrics> {
        nodes
            .iter()
            .map(|&(firms, h)| {
                let mut m = base();
                m.local_firms = firms;
                m.hhi = Some(h);
                m
            })
            .collect()
    }

    fn scattered_in(chain: &[NodeMetrics]) -> Vec<usize> {
        let r = DiagnosisRules::default();
        let stats = ChainStats::of(chain, &r);
        chain
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                diagnose_node_in(m, &stats, &r)
                    .iter()
                    .any(|v| v.kind == Scattered)
            })
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn scattered_marks_the_outlier_of_its_chain_not_every_low_hhi() {
        // Every node has HHI < 0.15 and ≥ 10 firms: the absolute rule alone marks all six.
        let chain = chain_of(&[
            (20, 0.06),
            (30, 0.05),
            (25, 0.07),
            (40, 0.04),
            (22, 0.055),
            (300, 0.004), // 300 firms of equal size: obviously fragmented
        ]);
        let r = DiagnosisRules::default();
        let absolute = chain.iter().filter(|m| fires(m, 0.0, Scattered)).count();
        assert_eq!(absolute, 6);
        assert_eq!(scattered_in(&chain), vec![5]);
        let stats = ChainStats::of(&chain, &r);
        let v = diagnose_node_in(&chain[5], &stats, &r);
        let s = v.iter().find(|v| v.kind == Scattered).unwrap();
        assert!(s.rule.contains("稳健 z 值"), "{}", s.rule);
        assert!(s.reason.contains("300 家本地企业"), "{}", s.reason);
        // The absolute guards still hold for an outlier: fewer than 10 firms is never 散.
        let few = chain_of(&[(20, 0.06), (30, 0.05), (25, 0.07), (40, 0.04), (9, 0.004)]);
        assert!(scattered_in(&few).is_empty());
    }

    #[test]
    fn scattered_without_a_distribution_uses_the_absolute_rule() {
        // Three populated nodes (< scattered_min_nodes): no z-score, absolute rule.
        let chain = chain_of(&[(20, 0.06), (30, 0.05), (12, 0.5)]);
        assert_eq!(scattered_in(&chain), vec![0, 1]);
        // All nodes alike (MAD 0): none is an outlier.
        let same = chain_of(&[(20, 0.05); 5]);
        assert!(scattered_in(&same).is_empty());
        // A wide-spread chain marks only the far tail.
        let spread = chain_of(&[
            (10, 0.5),
            (10, 0.3),
            (12, 0.2),
            (15, 0.12),
            (20, 0.1),
            (30, 0.08),
            (60, 0.03),
        ]);
        assert!(scattered_in(&spread).len() <= 2);
    }

    #[test]
    fn reasons_are_plain_sentences_with_grouped_amounts() {
        let mut m = base();
        m.local_firms = 3;
        m.output = 112_192.8;
        m.local_demand = 25_000.0;
        m.local_supply_share = Some(0.01);
        let v = diagnose_node(&m, 0.0, &DiagnosisRules::default());
        let miss = v.iter().find(|v| v.kind == Missing).unwrap();
        assert_eq!(
            miss.reason,
            "本地下游采购 2.5 亿元，本地企业只供应其中 1%，其余从市外买入"
        );
        assert!(
            reason_line(&v).starts_with("缺：本地下游")
                || reason_line(&v).contains("；缺：本地下游")
        );
        assert_eq!(grouped(112_192.8, 1), "112,192.8");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1_234_567.0, 0), "1,234,567");
        assert_eq!(grouped(-1_234.5, 1), "-1,234.5");
    }

    #[test]
    fn small_boundary() {
        check(
            Small,
            0.0,
            |m, x| m.output = x,
            50_000.0,
            0.01,
            [true, false, false],
        );
    }

    #[test]
    fn missing_boundaries() {
        check(
            Missing,
            0.0,
            |m, x| {
                m.local_supply_share = Some(0.1);
                m.local_demand = x;
            },
            1_000.0,
            0.01,
            [false, true, true],
        );
        check(
            Missing,
            0.0,
            |m, x| {
                m.local_demand = 5_000.0;
                m.local_supply_share = Some(x);
            },
            0.2,
            1e-9,
            [true, false, false],
        );
        let mut m = base();
        m.local_demand = 5_000.0;
        m.local_supply_share = None;
        assert!(!fires(&m, 0.0, Missing));
    }

    #[test]
    fn rule_text_names_the_figures() {
        let mut m = base();
        m.local_firms = 12;
        m.hhi = Some(0.08);
        let v = diagnose_node(&m, 0.0, &DiagnosisRules::default());
        let s = v.iter().find(|v| v.kind == Scattered).unwrap();
        assert_eq!(s.rule, "本地企业 12 家 ≥ 10 且 HHI 0.08 < 0.15 → 散");
        m.local_demand = 2_500.0;
        m.local_supply_share = Some(0.12);
        let v = diagnose_node(&m, 0.0, &DiagnosisRules::default());
        let miss = v.iter().find(|v| v.kind == Missing).unwrap();
        assert_eq!(
            miss.rule,
            "本地下游采购 2500 万元 ≥ 1000 万元 且本地配套率 12% < 20% → 缺"
        );
    }

    #[test]
    fn rules_load_from_json_with_defaults_and_reject_bad_values() {
        let r = DiagnosisRules::from_json(r#"{"scattered_min_firms": 20}"#).unwrap();
        assert_eq!(r.scattered_min_firms, 20);
        assert_eq!(r.small_max_output, 50_000.0);
        assert!(DiagnosisRules::from_json(r#"{"missing_max_share": 2}"#).is_err());
        assert!(DiagnosisRules::from_json(r#"{"no_such_rule": 1}"#).is_err());
    }

    #[test]
    fn shipped_rules_file_equals_the_defaults() {
        let r = DiagnosisRules::from_json(DiagnosisRules::shipped_json()).unwrap();
        assert_eq!(r, DiagnosisRules::default());
    }

    #[test]
    fn median_ignores_blank_nodes() {
        let mut a = base();
        a.output = 10.0;
        let mut b = base();
        b.output = 30.0;
        let mut c = base();
        c.local_firms = 0;
        c.output = 0.0;
        assert_eq!(median_output([&a, &b, &c]), 20.0);
    }
}
