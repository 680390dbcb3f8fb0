//! Industrial-chain engine (产业链引擎) of Innomesh: chain models, mapping organisations to chain
//! nodes, node metrics, rule-based diagnosis (长板/短板/空白/散/小/缺), the gap-to-action ledger,
//! investment targeting with referral paths (以企引企), impact simulation and the chain report.
//!
//! Pure library: values in, values out — no IO, no clock, no randomness (worker threads only
//! split loops; results do not depend on their number, up to rounding of floating-point sums).
//!
//! - Models: [`ChainSet::from_json_texts`] over the texts of `data/chains/*.json` (or
//!   [`shipped_models`]); node keys are `chain_id/node_id`.
//! - Inputs: [`ChainInput`] — organisations, supplies, relations, innovation resources and manual
//!   mapping overrides; supplies/relations/resources point at organisations by index in `orgs`
//!   ([`org_index`] maps credit codes to indices).
//! - [`Engine::build`] validates and maps every organisation to nodes; then
//!   [`Engine::diagnose`] (metrics + verdicts), [`Engine::investment_targets`],
//!   [`Engine::referral_path`], [`Engine::simulate`], [`Engine::chain_reports`],
//!   [`Engine::explain_org`].
//! - Ledger: [`Snapshot::from_diagnosis`], [`open_gaps`], [`track_gaps`].
//! - Rules: [`DiagnosisRules`] (defaults = `data/chains/rules/diagnosis_rules.json`).
//!
//! Typical use:
//!
//! ```
//! use innomesh_chain::*;
//! let chains = ChainSet::from_json_texts(&shipped_models()).unwrap();
//! let engine = Engine::build(chains, ChainInput::default(), MappingConfig::default()).unwrap();
//! let (metrics, diagnoses) = engine.diagnose(&MetricsConfig::default(), &DiagnosisRules::default());
//! assert_eq!(metrics.len(), diagnoses.len());
//! ```

mod diagnosis;
mod engine;
mod error;
mod input;
mod keywords;
mod ledger;
mod local_match;
mod mapping;
mod metrics;
mod model;
mod referral;
mod report;
mod simulate;
mod targeting;

pub use diagnosis::{
    diagnose, diagnose_node, diagnose_node_in, grouped, median_output, reason_line, ChainStats,
    DiagnosisRules, Figure, NodeDiagnosis, Verdict, VerdictKind,
};
pub use engine::{Engine, OrgNodeMatch};
pub use error::ChainError;
pub use input::{
    org_index, ChainInput, Decision, MappingOverride, OrgInput, RelationInput, RelationKind,
    ResourceInput, ResourceKind, SizeClass, SupplyInput,
};
pub use keywords::KeywordMatcher;
pub use ledger::{
    open_gaps, track_gaps, Action, ActionKind, ActionProgress, ActionStatus, Gap, GapProgress,
    GapState, LedgerConfig, NodeFigures, Snapshot,
};
pub use local_match::{LocalMatchConfig, LocalPair};
pub use mapping::{IndustryLevel, MappingConfig, NodeMatch, OrgMapping};
pub use metrics::{
    metrics_agree, naive_metrics, InnovationCounts, MetricsConfig, NodeMetrics, SizeDistribution,
    YearFigures,
};
pub use model::{ChainModel, ChainNode, ChainSet, NodeIdx, NodeSpec, Position};
pub use referral::{
    shortest_referral_path, Hop, ReferralIndex, ReferralPath, ReferralScratch, RelationGraph,
};
pub use report::{build_reports, ChainReport, NodeReport, ReportConfig, ReportSummary};
pub use simulate::{simulate_arrival, SimulatedNode, SimulationResult};
pub use targeting::{InvestmentTarget, TargetingConfig};

/// The chain models shipped in `data/chains/` (稀土, 新能源, 高端装备, 新能源汽车), embedded at
/// build time so the product works offline; load them with [`ChainSet::from_json_texts`].
pub fn shipped_models() -> [&'static str; 4] {
    [
        include_str!("../../../data/chains/rare_earth.json"),
        include_str!("../../../data/chains/new_energy.json"),
        include_str!("../../../data/chains/high_end_equipment.json"),
        include_str!("../../../data/chains/new_energy_vehicle.json"),
    ]
}
