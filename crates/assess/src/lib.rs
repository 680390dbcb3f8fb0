//! 考核评估 engine: indicator frameworks as data, normalisation, fixed / AHP / entropy weights,
//! weighted arithmetic or geometric aggregation, grades (优秀/良好/合格/不合格), and a seeded
//! Monte-Carlo over weights, normalisation and missing-value treatment that gives each unit a
//! median rank and a 90 % rank band, with a sensitivity table (OECD/JRC *Handbook on Constructing
//! Composite Indicators*, 2008, steps 5–7). Pure: no IO, no clock; randomness only from a seed,
//! single-threaded, so a seed gives bit-identical answers on every run.

pub mod data;
pub mod diff;
pub mod framework;
pub mod normalise;
pub mod rng;
pub mod run;
pub mod weights;

pub use data::{Dataset, Table};
pub use framework::{Aggregation, Framework, Grading, Missing, NormChoice, Source};
pub use normalise::{Direction, Normalisation};
pub use run::{assess, monte_carlo_naive, Assessment, Options, SensitivityRow, UnitResult};
pub use weights::{ahp, entropy, AhpResult, CR_LIMIT, RANDOM_INDEX};

/// The frameworks shipped with the product (`data/assessment/`), by id.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "key_laboratory",
        include_str!("../../../data/assessment/key_laboratory.yaml"),
    ),
    (
        "manufacturing_innovation_centre",
        include_str!("../../../data/assessment/manufacturing_innovation_centre.yaml"),
    ),
    (
        "joint_centre_laboratory",
        include_str!("../../../data/assessment/joint_centre_laboratory.yaml"),
    ),
];

/// A shipped framework by id.
pub fn shipped(id: &str) -> Option<Result<Framework, Error>> {
    SHIPPED
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| Framework::from_yaml(text))
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum Error {
    /// Bad input; the message is Chinese and says what to fix.
    #[error("{0}")]
    Input(String),
    /// AHP judgements too inconsistent to be used as weights.
    #[error("判断矩阵一致性比率 CR = {cr:.4} 大于 0.1，判断前后矛盾，请调整两两比较后再用作权重")]
    Inconsistent { cr: f64 },
}
