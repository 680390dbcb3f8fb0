//! `EntityKind` and `Record`: the one place that knows every kind, what indexes it, what it
//! refers to, and which of its fields are personal data.

use crate::codes::CreditCode;
use crate::model::*;
use serde::{Deserialize, Serialize};

mod index;
mod validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Organisation,
    Platform,
    Person,
    Achievement,
    Equipment,
    Demand,
    Application,
    Policy,
    ChainNode,
    SupplyRelation,
    GapAction,
    ChainMapping,
    Programme,
    Delivery,
    DemandResponse,
    SharedService,
    VoucherProgramme,
    TechDeal,
}

impl EntityKind {
    pub const ALL: [EntityKind; 18] = [
        Self::Organisation,
        Self::Platform,
        Self::Person,
        Self::Achievement,
        Self::Equipment,
        Self::Demand,
        Self::Application,
        Self::Policy,
        Self::ChainNode,
        Self::SupplyRelation,
        Self::GapAction,
        Self::ChainMapping,
        Self::Programme,
        Self::Delivery,
        Self::DemandResponse,
        Self::SharedService,
        Self::VoucherProgramme,
        Self::TechDeal,
    ];

    /// Stable code used in storage.
    pub fn code(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Platform => "platform",
            Self::Person => "person",
            Self::Achievement => "achievement",
            Self::Equipment => "equipment",
            Self::Demand => "demand",
            Self::Application => "application",
            Self::Policy => "policy",
            Self::ChainNode => "chain_node",
            Self::SupplyRelation => "supply_relation",
            Self::GapAction => "gap_action",
            Self::ChainMapping => "chain_mapping",
            Self::Programme => "programme",
            Self::Delivery => "delivery",
            Self::DemandResponse => "demand_response",
            Self::SharedService => "shared_service",
            Self::VoucherProgramme => "voucher_programme",
            Self::TechDeal => "tech_deal",
        }
    }

    /// URL segment: `/api/organisations`.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Organisation => "organisations",
            Self::Platform => "platforms",
            Self::Person => "people",
            Self::Achievement => "achievements",
            Self::Equipment => "equipment",
            Self::Demand => "demands",
            Self::Application => "applications",
            Self::Policy => "policies",
            Self::ChainNode => "chain-nodes",
            Self::SupplyRelation => "supply-relations",
            Self::GapAction => "gap-actions",
            Self::ChainMapping => "chain-mappings",
            Self::Programme => "programmes",
            Self::Delivery => "deliveries",
            Self::DemandResponse => "demand-responses",
            Self::SharedService => "shared-services",
            Self::VoucherProgramme => "voucher-programmes",
            Self::TechDeal => "tech-deals",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Organisation => "组织",
            Self::Platform => "创新平台",
            Self::Person => "专家人才",
            Self::Achievement => "科技成果",
            Self::Equipment => "仪器设备",
            Self::Demand => "技术需求",
            Self::Application => "项目申报",
            Self::Policy => "惠企政策",
            Self::ChainNode => "产业链节点",
            Self::SupplyRelation => "供应关系",
            Self::GapAction => "补链行动",
            Self::ChainMapping => "挂链确认",
            Self::Programme => "专项",
            Self::Delivery => "交付记录",
            Self::DemandResponse => "需求应答",
            Self::SharedService => "共享服务",
            Self::VoucherProgramme => "创新券专项",
            Self::TechDeal => "技术交易",
        }
    }

    /// Prefix of generated ids (`PF000001`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::Organisation => "",
            Self::Platform => "PF",
            Self::Person => "PE",
            Self::Achievement => "AC",
            Self::Equipment => "EQ",
            Self::Demand => "DM",
            Self::Application => "AP",
            Self::Policy => "PO",
            Self::ChainNode => "CN",
            Self::SupplyRelation => "SR",
            Self::GapAction => "GA",
            Self::ChainMapping => "CM",
            Self::Programme => "PG",
            Self::Delivery => "DL",
            Self::DemandResponse => "DR",
            Self::SharedService => "SS",
            Self::VoucherProgramme => "VP",
            Self::TechDeal => "TD",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The field that holds a record's own id (an organisation is known by its credit code).
    pub fn id_key(self) -> &'static str {
        match self {
            Self::Organisation => "credit_code",
            _ => "id",
        }
    }

    pub fn from_plural(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.plural() == s || k.code() == s || k.label() == s)
    }
}

/// What the store indexes a record by, so lists can filter without reading every document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexFields {
    pub name: String,
    pub region: Option<String>,
    pub industry_path: Option<String>,
    pub subkind: Option<&'static str>,
    pub tier: Option<&'static str>,
    pub flags: Vec<&'static str>,
    /// Free text a `text` filter searches.
    pub text: String,
    /// The figure lists sort by (revenue, amount, capacity, year), when the kind has one.
    pub number: Option<f64>,
}

/// One record this record points at: an organisation by credit code, or another record by its
/// registry id, with the key of the field that names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub field: &'static str,
    pub kind: EntityKind,
    pub id: String,
}

/// A validation failure of one field, named by its key (the tabular layer maps it to a column).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

macro_rules! records {
    ($($variant:ident($ty:ident)),+ $(,)?) => {
        /// A record of any kind.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Record { $($variant($ty)),+ }

        impl Record {
            pub fn kind(&self) -> EntityKind {
                match self { $(Self::$variant(_) => EntityKind::$variant),+ }
            }
            pub fn to_json(&self) -> serde_json::Value {
                // Serialising these plain structs cannot fail: no maps with non-string keys.
                match self { $(Self::$variant(r) => serde_json::to_value(r).unwrap_or_default()),+ }
            }
            /// Parses a JSON document of `kind`; the message names what was wrong, in Chinese.
            pub fn from_json(kind: EntityKind, value: serde_json::Value) -> Result<Record, String> {
                match kind {
                    $(EntityKind::$variant => serde_json::from_value::<$ty>(value)
                        .map(Record::$variant)
                        .map_err(|e| translate_serde_error(&e.to_string()))),+
                }
            }
        }
    };
}

records!(
    Organisation(Organisation),
    Platform(Platform),
    Person(Person),
    Achievement(Achievement),
    Equipment(Equipment),
    Demand(Demand),
    Application(Application),
    Policy(Policy),
    ChainNode(ChainNode),
    SupplyRelation(SupplyRelation),
    GapAction(GapAction),
    ChainMapping(ChainMapping),
    Programme(Programme),
    Delivery(Delivery),
    DemandResponse(DemandResponse),
    SharedService(SharedService),
    VoucherProgramme(VoucherProgramme),
    TechDeal(TechDeal),
);

/// The references of a record of `kind` given as its JSON document (the store reads its rows this
/// way, without decoding them). Empty ids are no reference: a required field's emptiness is
/// `validate`'s to report.
pub fn references_in(kind: EntityKind, doc: &serde_json::Value) -> Vec<Reference> {
    use crate::schema::FieldType;
    let mut out = Vec::new();
    for spec in crate::schema::fields(kind) {
        if spec.key == kind.id_key() {
            continue;
        }
        let target = match spec.ty {
            FieldType::Ref(k) | FieldType::RefList(k) => Some(k),
            FieldType::CreditCode | FieldType::CreditCodeList => Some(EntityKind::Organisation),
            FieldType::RefBy { by, target } => doc[by].as_str().and_then(target),
            _ => None,
        };
        let Some(target) = target else { continue };
        let value = &doc[spec.key];
        let ids: Vec<&str> = match value {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
            _ => vec![],
        };
        for id in ids.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
            // Organisations are stored under the normalised credit code.
            let id = match target {
                EntityKind::Organisation => CreditCode::parse(id)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|_| id.to_string()),
                _ => id.to_string(),
            };
            let r = Reference {
                field: spec.key,
                kind: target,
                id,
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// serde's messages are English; keep its detail but lead with Chinese.
fn translate_serde_error(e: &str) -> String {
    if let Some(rest) = e.strip_prefix("missing field ") {
        format!("缺少必填字段 {rest}")
    } else if let Some(rest) = e.strip_prefix("unknown field ") {
        format!("未知字段 {rest}")
    } else if e.starts_with("invalid type") {
        format!("字段类型不对：{e}")
    } else {
        e.to_string()
    }
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Organisation(r) => r.credit_code.as_str(),
            Record::Platform(r) => &r.id,
            Record::Person(r) => &r.id,
            Record::Achievement(r) => &r.id,
            Record::Equipment(r) => &r.id,
            Record::Demand(r) => &r.id,
            Record::Application(r) => &r.id,
            Record::Policy(r) => &r.id,
            Record::ChainNode(r) => &r.id,
            Record::SupplyRelation(r) => &r.id,
            Record::GapAction(r) => &r.id,
            Record::ChainMapping(r) => &r.id,
            Record::Programme(r) => &r.id,
            Record::Delivery(r) => &r.id,
            Record::DemandResponse(r) => &r.id,
            Record::SharedService(r) => &r.id,
            Record::VoucherProgramme(r) => &r.id,
            Record::TechDeal(r) => &r.id,
        }
    }

    /// Sets the id of a kind whose ids are assigned by the registry (no-op for organisations).
    pub fn set_id(&mut self, id: String) {
        match self {
            Record::Organisation(_) => {}
            Record::Platform(r) => r.id = id,
            Record::Person(r) => r.id = id,
            Record::Achievement(r) => r.id = id,
            Record::Equipment(r) => r.id = id,
            Record::Demand(r) => r.id = id,
            Record::Application(r) => r.id = id,
            Record::Policy(r) => r.id = id,
            Record::ChainNode(r) => r.id = id,
            Record::SupplyRelation(r) => r.id = id,
            Record::GapAction(r) => r.id = id,
            Record::ChainMapping(r) => r.id = id,
            Record::Programme(r) => r.id = id,
            Record::Delivery(r) => r.id = id,
            Record::DemandResponse(r) => r.id = id,
            Record::SharedService(r) => r.id = id,
            Record::VoucherProgramme(r) => r.id = id,
            Record::TechDeal(r) => r.id = id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Record::Organisation(r) => &r.name,
            Record::Platform(r) => &r.name,
            Record::Person(r) => &r.name,
            Record::Achievement(r) => &r.title,
            Record::Equipment(r) => &r.name,
            Record::Demand(r) => &r.title,
            Record::Application(r) => &r.title,
            Record::Policy(r) => &r.title,
            Record::ChainNode(r) => &r.name,
            Record::SupplyRelation(r) => &r.product,
            Record::GapAction(r) => &r.title,
            Record::ChainMapping(r) => &r.node,
            Record::Programme(r) => &r.name,
            Record::Delivery(r) => &r.order,
            Record::DemandResponse(r) => &r.solver,
            Record::SharedService(r) => &r.name,
            Record::VoucherProgramme(r) => &r.name,
            Record::TechDeal(r) => &r.title,
        }
    }

    /// Every record this one points at, read from its schema: each `Ref`, `RefList` and `RefBy`
    /// field and each credit-code field. The store checks they exist on every write and refuses
    /// to delete a record something still points at.
    pub fn references(&self) -> Vec<Reference> {
        references_in(self.kind(), &self.to_json())
    }

    /// Fills a missing region from the organisation the record belongs to.
    pub fn inherit_region(
        &mut self,
        lookup: impl Fn(&CreditCode) -> Option<crate::values::RegionCode>,
    ) {
        match self {
            Record::Platform(r) if r.region.is_none() => r.region = lookup(&r.host),
            Record::Person(r) if r.region.is_none() => {
                r.region = r.organisation.as_ref().and_then(&lookup)
            }
            Record::Achievement(r) if r.region.is_none() => {
                r.region = r.owners.first().and_then(&lookup)
            }
            Record::Equipment(r) if r.region.is_none() => r.region = lookup(&r.owner),
            Record::Demand(r) if r.region.is_none() => r.region = lookup(&r.organisation),
            Record::Application(r) if r.region.is_none() => r.region = lookup(&r.applicant),
            Record::SharedService(r) if r.region.is_none() => r.region = lookup(&r.owner),
            Record::TechDeal(r) if r.region.is_none() => r.region = lookup(&r.buyer),
            _ => {}
        }
    }

    /// JSON for people who may not see personal data: ID numbers and phones masked.
    pub fn to_masked_json(&self) -> serde_json::Value {
        let mut v = self.to_json();
        match self {
            Record::Person(p) => {
                if let Some(ph) = &p.phone {
                    v["phone"] = ph.masked().into();
                }
                if let Some(id) = &p.id_number {
                    v["id_number"] = id.masked().into();
                }
            }
            Record::Organisation(o) => {
                if let Some(ph) = &o.contact_phone {
                    v["contact_phone"] = ph.masked().into();
                }
            }
            Record::Application(a) => {
                if let Some(team) = v.get_mut("team").and_then(|t| t.as_array_mut()) {
                    for (m, member) in team.iter_mut().zip(&a.team) {
                        m["id_number"] = member.id_number.masked().into();
                    }
                }
            }
            _ => {}
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn organisation_from_json_validates_codes() {
        let ok = json!({"credit_code": "91340600MA2PBN831R", "name": "测试", "kind": "企业", "region": "150203"});
        let r = Record::from_json(EntityKind::Organisation, ok).unwrap();
        assert_eq!(r.index().region.as_deref(), Some("150203"));
        let bad = json!({"credit_code": "91340600MA2PBN831Q", "name": "测试", "kind": "enterprise", "region": "150203"});
        let e = Record::from_json(EntityKind::Organisation, bad).unwrap_err();
        assert!(e.contains("校验位"), "{e}");
        let unknown = json!({"credit_code": "91340600MA2PBN831R", "name": "x", "kind": "enterprise", "region": "150203", "foo": 1});
        assert!(Record::from_json(EntityKind::Organisation, unknown)
            .unwrap_err()
            .contains("未知字段"));
    }

    #[test]
    fn kinds_roundtrip() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::from_plural(k.plural()), Some(k));
            assert_eq!(EntityKind::from_code(k.code()), Some(k));
        }
    }
}
