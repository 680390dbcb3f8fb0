//! Plain input records the store maps registry records to; organisations are referenced by their
//! position in the `orgs` vector so that millions of relations cost no string lookups.

use serde::{Deserialize, Serialize};

/// An organisation (组织/企业). `local` = registered in the city being analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrgInput {
    /// 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    /// GB/T 2260 region code, e.g. `150203`.
    pub region: String,
    pub local: bool,
    /// GB/T 4754-2017 code, with or without the section letter: `C3985`, `3985`, `398`.
    pub industry: String,
    /// Free text of main products (主营产品).
    pub products: String,
    pub employees: u32,
    /// Annual revenue, 万元.
    pub revenue: f64,
    pub founded: Option<u16>,
    /// Founded by people from Baotou (包商回归).
    pub baotou_founder: bool,
}

/// One purchase: `supplier` sold goods to `customer` in `year` for `amount` 万元.
///
/// The product's chain node is taken from `node` if given, else from keywords in `product`,
/// else the supplier's primary node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SupplyInput {
    /// Index into `orgs`.
    pub supplier: u32,
    /// Index into `orgs`.
    pub customer: u32,
    /// Node key `chain/node`, when the store already knows it.
    pub node: Option<String>,
    /// Product text, when known.
    pub product: Option<String>,
    /// 万元.
    pub amount: f64,
    pub year: u16,
}

/// Kind of a relation between two organisations, used for referral paths (以企引企).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `from` supplies `to`.
    Supplier,
    /// `from` and `to` share a shareholder.
    SharedShareholder,
    /// `from` and `to` belong to the same group.
    SameGroup,
}

/// A relation between two organisations (indices into `orgs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationInput {
    pub from: u32,
    pub to: u32,
    pub kind: RelationKind,
}

/// Kind of innovation resource attached to an organisation or a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Platform,
    Expert,
    Achievement,
    Demand,
}

/// An innovation resource (platform, expert, achievement, demand). Counted for a node when
/// `node` names it, otherwise for every node the owning organisation is mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceInput {
    pub kind: ResourceKind,
    pub name: String,
    /// Index into `orgs`.
    pub org: Option<u32>,
    /// Node key `chain/node`.
    pub node: Option<String>,
    /// For demands: still open. Ignored for other kinds.
    pub open: bool,
}

/// A manual decision about an organisation's membership of a node; automatic runs respect it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Confirmed,
    Rejected,
}

/// 人工确认/否决 record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingOverride {
    /// Index into `orgs`.
    pub org: u32,
    /// Node key `chain/node`.
    pub node: String,
    pub decision: Decision,
}

/// Everything the engine reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainInput {
    pub orgs: Vec<OrgInput>,
    pub supplies: Vec<SupplyInput>,
    pub relations: Vec<RelationInput>,
    pub resources: Vec<ResourceInput>,
    pub overrides: Vec<MappingOverride>,
}

/// Helper for callers that hold credit codes: index of each organisation in `orgs`.
pub fn org_index(orgs: &[OrgInput]) -> std::collections::HashMap<&str, u32> {
    orgs.iter()
        .enumerate()
        .map(|(i, o)| (o.credit_code.as_str(), i as u32))
        .collect()
}

/// Enterprise size class (企业规模), per the 2011 SME classification for industry, roughly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Micro,
    Small,
    Medium,
    Large,
}

impl SizeClass {
    /// Industrial enterprises (工信部联企业〔2011〕300号): large = ≥1000 employees and
    /// ≥40000 万元 revenue; medium = ≥300 and ≥2000; small = ≥20 and ≥300; otherwise micro.
    pub fn classify(employees: u32, revenue: f64) -> SizeClass {
        if employees >= 1000 && revenue >= 40_000.0 {
            SizeClass::Large
        } else if employees >= 300 && revenue >= 2_000.0 {
            SizeClass::Medium
        } else if employees >= 20 && revenue >= 300.0 {
            SizeClass::Small
        } else {
            SizeClass::Micro
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SizeClass::Micro => "微型",
            SizeClass::Small => "小型",
            SizeClass::Medium => "中型",
            SizeClass::Large => "大型",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SizeClass::*;
    use super::*;

    #[test]
    fn size_class_boundaries() {
        assert_eq!(SizeClass::classify(1000, 40_000.0), Large);
        assert_eq!(SizeClass::classify(999, 40_000.0), Medium);
        assert_eq!(SizeClass::classify(1000, 39_999.0), Medium);
        assert_eq!(SizeClass::classify(300, 2_000.0), Medium);
        assert_eq!(SizeClass::classify(299, 2_000.0), Small);
        assert_eq!(SizeClass::classify(20, 300.0), Small);
        assert_eq!(SizeClass::classify(19, 300.0), Micro);
        assert_eq!(SizeClass::classify(20, 299.0), Micro);
    }
}
