//! 政策找企业: eligibility rules of 惠企政策 as data, evaluated with reasons.
//!
//! A rule file (`data/policies/*.yaml`) declares typed facts and dated versions of a condition
//! tree; [`evaluate`] gives one enterprise's verdict with a Chinese reason per condition under
//! three-valued logic (a missing fact is 待补充 unless the rest already decides), and
//! [`CompiledRule`] classifies a columnar table of many enterprises at once (eligible / 差一项 /
//! 待补充 / ineligible). Pure: no IO and no clock — the evaluation date is an argument.

mod batch;
pub mod cases;
mod eval;
mod rule;
mod value;

pub use batch::{Classification, Column, CompiledRule, Counts, FactTable};
pub use eval::{
    classify, evaluate, parse_fact, parse_facts, supply_text, Category, ConditionReport, Facts,
    Truth, Verdict,
};
pub use rule::{
    Band, Derived, FactDef, Leaf, Node, NodeKind, Op, Rule, Source, Threshold, Upper, Version,
};
pub use value::{show_value, CodeList, Date, FactType, Value};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("规则文件无法解析：{0}")]
    Yaml(String),
    #[error("规则「{rule}」有误：{message}")]
    Invalid { rule: String, message: String },
    #[error("规则「{rule}」在 {date} 没有有效版本")]
    NoVersion { rule: String, date: String },
    #[error("事实「{key}」：{message}")]
    Fact { key: String, message: String },
    #[error("事实表的列「{key}」：{message}")]
    Column { key: String, message: String },
}

/// The rule files shipped inside the product (id, YAML text), so no data directory is needed.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "hitech_certification",
        include_str!("../../../data/policies/hitech_certification.yaml"),
    ),
    (
        "tech_sme",
        include_str!("../../../data/policies/tech_sme.yaml"),
    ),
    (
        "specialised_sme",
        include_str!("../../../data/policies/specialised_sme.yaml"),
    ),
    (
        "little_giant",
        include_str!("../../../data/policies/little_giant.yaml"),
    ),
];

/// A shipped rule by id, or `None` when no rule has that id.
pub fn shipped(id: &str) -> Option<Result<Rule, PolicyError>> {
    SHIPPED
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| Rule::from_yaml(text))
}
