//! Impact simulation (招商效果模拟): what a node's figures and the chain's verdicts become if a
//! target firm settles locally and takes over purchases local customers now make outside.

use serde::{Deserialize, Serialize};

use crate::diagnosis::{diagnose, pct, DiagnosisRules, VerdictKind};
use crate::engine::Engine;
use crate::error::ChainError;
use crate::input::SizeClass;
use crate::metrics::{MetricsConfig, NodeMetrics};
use crate::model::ChainSet;

/// Node figures before or after the arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedNode {
    pub local_firms: u32,
    pub local_suppliers: u32,
    pub output: f64,
    pub local_supply_share: Option<f64>,
    pub hhi: Option<f64>,
    pub verdicts: Vec<VerdictKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationResult {
    pub node: String,
    pub target_name: String,
    /// 万元 the target can supply (its revenue unless given).
    pub capacity: f64,
    /// 万元 of outside purchases it takes over: min(capacity, local demand − local supplied).
    pub absorbed: f64,
    pub before: SimulatedNode,
    pub after: SimulatedNode,
    pub chain_blank_before: u32,
    pub chain_blank_after: u32,
    pub explanation: String,
}

fn snapshot(m: &NodeMetrics, verdicts: Vec<VerdictKind>) -> SimulatedNode {
    SimulatedNode {
        local_firms: m.local_firms,
        local_suppliers: m.local_suppliers,
        output: m.output,
        local_supply_share: m.local_supply_share,
        hhi: m.hhi,
        verdicts,
    }
}

fn kinds_text(v: &[VerdictKind]) -> String {
    if v.is_empty() {
        "无".into()
    } else {
        v.iter()
            .map(|k| k.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Simulate a firm of `capacity` 万元 and `size` arriving at `node_key`. Pure: works on
/// metrics (index-aligned with `chains.nodes()`).
pub fn simulate_arrival(
    chains: &ChainSet,
    metrics: &[NodeMetrics],
    rules: &DiagnosisRules,
    node_key: &str,
    target_name: &str,
    capacity: f64,
    size: SizeClass,
) -> Result<SimulationResult, ChainError> {
    let n = chains.require_node(node_key)?;
    if metrics.len() != chains.nodes().len() {
        return Err(ChainError::InvalidInput(
            "节点指标数量与链模型节点数不一致，请先重新计算指标".into(),
        ));
    }
    if !capacity.is_finite() || capacity < 0.0 {
        return Err(ChainError::InvalidInput(format!(
            "目标企业供货能力 {capacity} 无效，应为不小于 0 的万元数"
        )));
    }
    let chain = (0..chains.chains().len())
        .find(|&c| chains.chain_nodes(c).contains(&n))
        .unwrap_or(0);
    let range = chains.chain_nodes(chain);
    let before_diag = diagnose(chains, metrics, rules);
    let mut after_metrics = metrics.to_vec();
    let m = &mut after_metrics[n];
    let outside = (m.local_demand - m.local_supplied).max(0.0);
    let absorbed = capacity.min(outside);
    let r = m.output;
    let sum_sq = m.hhi.unwrap_or(0.0) * r * r;
    m.local_supplied += absorbed;
    m.local_supply_share = if m.local_demand > 0.0 {
        Some((m.local_supplied / m.local_demand).clamp(0.0, 1.0))
    } else {
        None
    };
    if absorbed > 0.0 {
        m.local_suppliers += 1;
    }
    m.local_firms += 1;
    m.output += capacity;
    m.hhi = if m.output > 0.0 {
        Some((sum_sq + capacity * capacity) / (m.output * m.output))
    } else {
        None
    };
    match size {
        SizeClass::Micro => m.sizes.micro += 1,
        SizeClass::Small => m.sizes.small += 1,
        SizeClass::Medium => m.sizes.medium += 1,
        SizeClass::Large => m.sizes.large += 1,
    }
    let after_diag = diagnose(chains, &after_metrics, rules);
    let blanks = |ms: &[NodeMetrics]| {
        ms[range.clone()]
            .iter()
            .filter(|m| m.local_firms == 0)
            .count() as u32
    };
    let before = snapshot(&metrics[n], before_diag[n].kinds());
    let after = snapshot(&after_metrics[n], after_diag[n].kinds());
    let share = |s: Option<f64>| s.map(pct).unwrap_or_else(|| "无本地采购".into());
    let (bb, ba) = (blanks(metrics), blanks(&after_metrics));
    let explanation = format!(
        "若「{target_name}」落地「{}」并承接本地外购 {absorbed} 万元：本地配套率 {} → {}，本地企业 {} → {} 家，本链空白节点 {bb} → {ba} 个，诊断 {} → {}",
        chains.nodes()[n].name,
        share(before.local_supply_share),
        share(after.local_supply_share),
        before.local_firms,
        after.local_firms,
        kinds_text(&before.verdicts),
        kinds_text(&after.verdicts)
    );
    Ok(SimulationResult {
        node: node_key.to_string(),
        target_name: target_name.to_string(),
        capacity,
        absorbed,
        before,
        after,
        chain_blank_before: bb,
        chain_blank_after: ba,
        explanation,
    })
}

impl Engine {
    /// Simulate organisation `target` (capacity = its revenue) arriving at `node_key`.
    pub fn simulate(
        &self,
        metrics: &[NodeMetrics],
        rules: &DiagnosisRules,
        target: u32,
        node_key: &str,
    ) -> Result<SimulationResult, ChainError> {
        let org = self.input.orgs.get(target as usize).ok_or_else(|| {
            ChainError::InvalidInput(format!("目标企业序号 {target} 超出组织总数"))
        })?;
        simulate_arrival(
            &self.chains,
            metrics,
            rules,
            node_key,
            &org.name,
            org.revenue,
            SizeClass::classify(org.employees, org.revenue),
        )
    }

    /// Metrics then diagnosis in one call.
    pub fn diagnose(
        &self,
        cfg: &MetricsConfig,
        rules: &DiagnosisRules,
    ) -> (Vec<NodeMetrics>, Vec<crate::diagnosis::NodeDiagnosis>) {
        let metrics = self.metrics(cfg);
        let d = diagnose(&self.chains, &metrics, rules);
        (metrics, d)
    }
}
