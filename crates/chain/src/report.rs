//! The chain report (产业链诊断报告): per node, figures, verdicts with reasons, gaps and top
//! targets — one serialisable value the server renders as XLSX and in the web UI.

use serde::{Deserialize, Serialize};

use crate::diagnosis::{
    diagnose, reason_line, DiagnosisRules, NodeDiagnosis, Verdict, VerdictKind,
};
use crate::engine::Engine;
use crate::error::ChainError;
use crate::ledger::{GapProgress, GapState};
use crate::local_match::{LocalMatchConfig, LocalPair};
use crate::metrics::{MetricsConfig, NodeMetrics};
use crate::model::ChainSet;
use crate::targeting::{InvestmentTarget, TargetingConfig};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub nodes: u32,
    pub strong: u32,
    pub weak: u32,
    pub blank: u32,
    pub scattered: u32,
    pub small: u32,
    pub missing: u32,
    pub gaps_open: u32,
    pub gaps_stuck: u32,
    pub gaps_closed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    pub metrics: NodeMetrics,
    pub verdicts: Vec<Verdict>,
    pub gaps: Vec<GapProgress>,
    /// 本地配套对接 first: local producers × local buyers that buy outside (gap nodes only).
    #[serde(default)]
    pub local_pairs: Vec<LocalPair>,
    /// Then outside firms to attract.
    pub targets: Vec<InvestmentTarget>,
}

impl NodeReport {
    /// The verdicts' reasons in one line (empty for a node without verdicts).
    pub fn reason_line(&self) -> String {
        reason_line(&self.verdicts)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainReport {
    pub chain: String,
    pub name: String,
    /// Headline year of the metrics (`None` = all years pooled).
    pub year: Option<u16>,
    pub summary: ReportSummary,
    pub nodes: Vec<NodeReport>,
}

/// Assemble reports from parts already computed. `metrics` and `diagnoses` are index-aligned
/// with `chains.nodes()`; `targets` and `pairs` list (node key, targets or local pairs).
pub fn build_reports(
    chains: &ChainSet,
    year: Option<u16>,
    metrics: &[NodeMetrics],
    diagnoses: &[NodeDiagnosis],
    gaps: &[GapProgress],
    targets: &[(String, Vec<InvestmentTarget>)],
    pairs: &[(String, Vec<LocalPair>)],
) -> Vec<ChainReport> {
    chains
        .chains()
        .iter()
        .enumerate()
        .map(|(c, chain)| {
            let mut summary = ReportSummary::default();
            let nodes: Vec<NodeReport> = chains
                .chain_nodes(c)
                .filter_map(|n| {
                    let m = metrics.get(n)?;
                    let d = diagnoses.get(n)?;
                    summary.nodes += 1;
                    for v in &d.verdicts {
                        match v.kind {
                            VerdictKind::Strong => summary.strong += 1,
                            VerdictKind::Weak => summary.weak += 1,
                            VerdictKind::Blank => summary.blank += 1,
                            VerdictKind::Scattered => summary.scattered += 1,
                            VerdictKind::Small => summary.small += 1,
                            VerdictKind::Missing => summary.missing += 1,
                        }
                    }
                    let node_gaps: Vec<GapProgress> =
                        gaps.iter().filter(|g| g.node == m.node).cloned().collect();
                    for g in &node_gaps {
                        match g.state {
                            GapState::Open => summary.gaps_open += 1,
                            GapState::Stuck => summary.gaps_stuck += 1,
                            GapState::Closed => summary.gaps_closed += 1,
                        }
                    }
                    let t = targets
                        .iter()
                        .find(|(k, _)| *k == m.node)
                        .map(|(_, t)| t.clone())
                        .unwrap_or_default();
                    let local_pairs = pairs
                        .iter()
                        .find(|(k, _)| *k == m.node)
                        .map(|(_, p)| p.clone())
                        .unwrap_or_default();
                    Some(NodeReport {
                        metrics: m.clone(),
                        verdicts: d.verdicts.clone(),
                        gaps: node_gaps,
                        local_pairs,
                        targets: t,
                    })
                })
                .collect();
            ChainReport {
                chain: chain.id.clone(),
                name: chain.name.clone(),
                year,
                summary,
                nodes,
            }
        })
        .collect()
}

/// What [`Engine::chain_reports`] computes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportConfig {
    pub metrics: MetricsConfig,
    pub rules: DiagnosisRules,
    pub targeting: TargetingConfig,
    pub local_match: LocalMatchConfig,
}

impl Engine {
    /// Metrics, diagnosis and targets (for nodes with a gap verdict) of every chain; `gaps`
    /// comes from [`crate::track_gaps`] (pass `&[]` if there is no ledger yet).
    pub fn chain_reports(
        &self,
        cfg: &ReportConfig,
        gaps: &[GapProgress],
    ) -> Result<Vec<ChainReport>, ChainError> {
        cfg.rules.validate()?;
        let metrics = self.metrics(&cfg.metrics);
        let diagnoses = diagnose(&self.chains, &metrics, &cfg.rules);
        let mut targets = Vec::new();
        let mut pairs = Vec::new();
        let local_match = LocalMatchConfig {
            year: cfg.metrics.year,
            ..cfg.local_match.clone()
        };
        for (d, m) in diagnoses.iter().zip(&metrics) {
            if d.verdicts.iter().any(|v| v.kind.is_gap()) && m.local_firms > 0 {
                pairs.push((d.node.clone(), self.local_pairs(&d.node, &local_match)?));
            }
            if d.verdicts.iter().any(|v| v.kind.is_gap()) && cfg.targeting.top_k > 0 {
                targets.push((
                    d.node.clone(),
                    self.investment_targets(&d.node, &cfg.targeting)?,
                ));
            }
        }
        Ok(build_reports(
            &self.chains,
            cfg.metrics.year,
            &metrics,
            &diagnoses,
            gaps,
            &targets,
            &pairs,
        ))
    }
}
