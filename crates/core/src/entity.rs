//! `EntityKind` and `Record`: the one place that knows every kind, what indexes it, what it
//! refers to, and which of its fields are personal data.

use crate::codes::CreditCode;
use crate::model::*;
use crate::values::Labelled;
use serde::{Deserialize, Serialize};

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
}

impl EntityKind {
    pub const ALL: [EntityKind; 15] = [
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
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
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

/// One credit code a record points at, with the Chinese name of the field it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub field: &'static str,
    pub code: CreditCode,
}

/// A reference by registry id to a record of another kind (a demand's technology manager, the
/// demand a response answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdReference {
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
);

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

fn non_empty(errs: &mut Vec<FieldError>, field: &str, label: &str, v: &str) {
    if v.trim().is_empty() {
        errs.push(FieldError::new(field, format!("{label}不能为空")));
    } else if v.chars().count() > 500 && field != "text" {
        errs.push(FieldError::new(
            field,
            format!("{label}过长（最多 500 字）"),
        ));
    }
}

fn non_negative(errs: &mut Vec<FieldError>, field: &str, label: &str, v: Option<f64>) {
    if let Some(x) = v {
        if !x.is_finite() || x < 0.0 {
            errs.push(FieldError::new(
                field,
                format!("{label}应为不小于 0 的数，实际为 {x}"),
            ));
        }
    }
}

fn trl(errs: &mut Vec<FieldError>, field: &str, v: Option<u8>) {
    if let Some(t) = v {
        if !(1..=9).contains(&t) {
            errs.push(FieldError::new(
                field,
                format!("技术成熟度应为 1–9，实际为 {t}"),
            ));
        }
    }
}

fn year(errs: &mut Vec<FieldError>, field: &str, v: Option<i32>) {
    if let Some(y) = v {
        if !(1949..=2100).contains(&y) {
            errs.push(FieldError::new(
                field,
                format!("年份 {y} 不在 1949–2100 之间"),
            ));
        }
    }
}

fn valid_id(errs: &mut Vec<FieldError>, id: &str) {
    if id.chars().count() > 64
        || id
            .chars()
            .any(|c| c.is_whitespace() || c == '/' || c == '?' || c == '#')
    {
        errs.push(FieldError::new(
            "id",
            format!("编号「{id}」无效：最多 64 个字符，不能含空白、/、?、#"),
        ));
    }
}

const LONG_TEXT_LIMIT: usize = 100_000;

fn long_text(errs: &mut Vec<FieldError>, field: &str, v: &str) {
    if v.chars().count() > LONG_TEXT_LIMIT {
        errs.push(FieldError::new(
            field,
            format!("文本过长（最多 {LONG_TEXT_LIMIT} 字）"),
        ));
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
        }
    }

    /// Rules a type cannot express (non-empty names, ranges). Every error names its field key.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        if !matches!(self, Record::Organisation(_)) && !self.id().is_empty() {
            valid_id(&mut e, self.id());
        }
        match self {
            Record::Organisation(r) => {
                non_empty(&mut e, "name", "名称", &r.name);
                non_negative(&mut e, "revenue", "营业收入", r.revenue);
                non_negative(&mut e, "rd_spend", "研发投入", r.rd_spend);
                long_text(&mut e, "products", &r.products);
            }
            Record::Platform(r) => non_empty(&mut e, "name", "平台名称", &r.name),
            Record::Person(r) => {
                non_empty(&mut e, "name", "姓名", &r.name);
                long_text(&mut e, "expertise", &r.expertise);
            }
            Record::Achievement(r) => {
                non_empty(&mut e, "title", "成果名称", &r.title);
                if r.owners.is_empty() {
                    e.push(FieldError::new("owners", "至少需要一个权属单位"));
                }
                trl(&mut e, "trl", r.trl);
                year(&mut e, "year", r.year);
                long_text(&mut e, "text", &r.text);
            }
            Record::Equipment(r) => {
                non_empty(&mut e, "name", "设备名称", &r.name);
                non_negative(
                    &mut e,
                    "capacity_hours",
                    "可共享机时",
                    Some(r.capacity_hours),
                );
                non_negative(&mut e, "used_hours", "已用机时", Some(r.used_hours));
                if r.capacity_hours > 168.0 {
                    e.push(FieldError::new(
                        "capacity_hours",
                        format!("每周可共享机时 {} 超过一周 168 小时", r.capacity_hours),
                    ));
                }
                non_negative(&mut e, "hourly_cost", "小时费率", r.hourly_cost);
            }
            Record::Demand(r) => {
                non_empty(&mut e, "title", "需求名称", &r.title);
                trl(&mut e, "trl_target", r.trl_target);
                long_text(&mut e, "text", &r.text);
            }
            Record::Application(r) => {
                non_empty(&mut e, "title", "项目名称", &r.title);
                non_empty(&mut e, "programme", "专项", &r.programme);
                year(&mut e, "year", Some(r.year));
                non_negative(&mut e, "amount", "申请金额", r.amount);
                for b in &r.budget_lines {
                    non_negative(&mut e, "budget_lines", "预算金额", Some(b.amount));
                }
                long_text(&mut e, "abstract_text", &r.abstract_text);
                let total: usize = r.sections.iter().map(|s| s.text.chars().count()).sum();
                if total > LONG_TEXT_LIMIT {
                    e.push(FieldError::new(
                        "sections",
                        "正文章节过长（合计最多 100000 字）",
                    ));
                }
            }
            Record::Policy(r) => {
                non_empty(&mut e, "title", "政策名称", &r.title);
                non_empty(&mut e, "issuer", "发布单位", &r.issuer);
                if let (Some(a), Some(b)) = (r.valid_from, r.valid_to) {
                    if b < a {
                        e.push(FieldError::new(
                            "valid_to",
                            format!("截止日期 {b} 早于起始日期 {a}"),
                        ));
                    }
                }
            }
            Record::GapAction(r) => {
                non_empty(&mut e, "node", "链节点", &r.node);
                non_empty(&mut e, "title", "行动名称", &r.title);
                non_empty(&mut e, "owner", "责任单位", &r.owner);
                if let (Some(a), Some(b)) = (r.start, r.due) {
                    if b < a {
                        e.push(FieldError::new(
                            "due",
                            format!("完成期限 {b} 早于开始日期 {a}"),
                        ));
                    }
                }
            }
            Record::ChainMapping(r) => non_empty(&mut e, "node", "链节点", &r.node),
            Record::DemandResponse(r) => {
                non_empty(&mut e, "demand", "需求编号", &r.demand);
                non_empty(&mut e, "solver", "解题方编号", &r.solver);
                long_text(&mut e, "proposal", &r.proposal);
                if r.solver_type == SolverType::Organisation
                    && CreditCode::parse(&r.solver).is_err()
                {
                    e.push(FieldError::new(
                        "solver",
                        format!("解题方为单位时应填统一社会信用代码，「{}」不是", r.solver),
                    ));
                }
                if let Some(d) = r.decided {
                    if d < r.submitted {
                        e.push(FieldError::new(
                            "decided",
                            format!("反馈日期 {d} 早于应答日期 {}", r.submitted),
                        ));
                    }
                }
                if r.outcome == ResponseOutcome::Pending && !r.feedback.trim().is_empty() {
                    e.push(FieldError::new(
                        "outcome",
                        "已填写反馈意见时，应答结果不能是「待反馈」",
                    ));
                }
            }
            Record::Delivery(r) => {
                non_negative(&mut e, "response_hours", "响应时间", Some(r.response_hours));
                non_negative(&mut e, "hours", "机时", Some(r.hours));
            }
            Record::Programme(r) => {
                non_empty(&mut e, "id", "专项编号", &r.id);
                non_empty(&mut e, "name", "专项名称", &r.name);
                non_empty(&mut e, "department", "主管部门", &r.department);
                year(&mut e, "year", Some(r.year));
                non_negative(&mut e, "budget", "预算", r.budget);
            }
            Record::ChainNode(r) => {
                non_empty(&mut e, "id", "节点编号", &r.id);
                non_empty(&mut e, "chain", "产业链编号", &r.chain);
                non_empty(&mut e, "name", "节点名称", &r.name);
                if r.supplies.iter().any(|s| s == &r.id) {
                    e.push(FieldError::new("supplies", "节点不能供应自身"));
                }
            }
            Record::SupplyRelation(r) => {
                non_empty(&mut e, "product", "产品", &r.product);
                non_negative(&mut e, "amount", "金额", Some(r.amount));
                year(&mut e, "year", Some(r.year));
                if r.supplier == r.customer {
                    e.push(FieldError::new(
                        "customer",
                        "供应方与采购方不能是同一家单位",
                    ));
                }
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }

    /// Organisations this record points at; the store checks they exist.
    pub fn references(&self) -> Vec<Reference> {
        let one = |field, code: &CreditCode| Reference {
            field,
            code: code.clone(),
        };
        match self {
            Record::Organisation(_)
            | Record::Policy(_)
            | Record::ChainNode(_)
            | Record::Programme(_) => vec![],
            Record::Platform(r) => vec![one("host", &r.host)],
            Record::GapAction(r) => r
                .organisation
                .iter()
                .map(|c| one("organisation", c))
                .collect(),
            Record::ChainMapping(r) => vec![one("organisation", &r.organisation)],
            Record::Delivery(r) => vec![one("shop", &r.shop)],
            Record::DemandResponse(r) => match r.solver_type {
                SolverType::Organisation => CreditCode::parse(&r.solver)
                    .map(|c| vec![one("solver", &c)])
                    .unwrap_or_default(),
                _ => vec![],
            },
            Record::Person(r) => r
                .organisation
                .iter()
                .map(|c| one("organisation", c))
                .collect(),
            Record::Achievement(r) => r.owners.iter().map(|c| one("owners", c)).collect(),
            Record::Equipment(r) => vec![one("owner", &r.owner)],
            Record::Demand(r) => vec![one("organisation", &r.organisation)],
            Record::Application(r) => vec![one("applicant", &r.applicant)],
            Record::SupplyRelation(r) => {
                vec![one("supplier", &r.supplier), one("customer", &r.customer)]
            }
        }
    }

    /// Registry records (other than organisations) this record points at by id; the store checks
    /// they exist.
    pub fn id_references(&self) -> Vec<IdReference> {
        match self {
            Record::Demand(r) => r
                .manager
                .iter()
                .map(|m| IdReference {
                    field: "manager",
                    kind: EntityKind::Person,
                    id: m.clone(),
                })
                .collect(),
            Record::DemandResponse(r) => {
                let mut out = vec![IdReference {
                    field: "demand",
                    kind: EntityKind::Demand,
                    id: r.demand.clone(),
                }];
                let kind = match r.solver_type {
                    SolverType::Expert => Some(EntityKind::Person),
                    SolverType::Platform => Some(EntityKind::Platform),
                    SolverType::Achievement => Some(EntityKind::Achievement),
                    SolverType::Equipment => Some(EntityKind::Equipment),
                    SolverType::Organisation => None,
                };
                if let Some(kind) = kind {
                    out.push(IdReference {
                        field: "solver",
                        kind,
                        id: r.solver.clone(),
                    });
                }
                out
            }
            _ => vec![],
        }
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
            _ => {}
        }
    }

    pub fn index(&self) -> IndexFields {
        let reg =
            |r: &Option<crate::values::RegionCode>| r.as_ref().map(|c| c.as_str().to_string());
        let ind = |i: &Option<crate::values::IndustryCode>| i.as_ref().map(|c| c.path());
        match self {
            Record::Organisation(r) => {
                let mut flags = vec![];
                if r.high_tech {
                    flags.push("high_tech");
                }
                if r.specialised {
                    flags.push("specialised");
                }
                if r.tech_sme {
                    flags.push("tech_sme");
                }
                if r.baotou_founder {
                    flags.push("baotou_founder");
                }
                IndexFields {
                    name: r.name.clone(),
                    region: Some(r.region.as_str().to_string()),
                    industry_path: ind(&r.industry),
                    subkind: Some(r.kind.code()),
                    tier: None,
                    flags,
                    text: format!(
                        "{} {} {} {} {}",
                        r.credit_code,
                        r.products,
                        r.address,
                        r.group,
                        r.shareholders.join(" ")
                    ),
                    number: r.revenue,
                }
            }
            Record::Platform(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: Some(r.tier.code()),
                flags: vec![r.status.code()],
                text: r.field.clone(),
                number: None,
            },
            Record::Person(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.role.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.title, r.disciplines.join(" "), r.expertise),
                number: None,
            },
            Record::Achievement(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![],
                text: r.text.clone(),
                number: r.year.map(f64::from),
            },
            Record::Equipment(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {}", r.processes.join(" "), r.description),
                number: Some(r.capacity_hours),
            },
            Record::Demand(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![r.status.code()],
                text: format!("{} {}", r.text, r.goal_metric),
                number: None,
            },
            Record::Application(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.programme, r.year, r.abstract_text),
                number: r.amount,
            },
            Record::Policy(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.level.code()),
                tier: None,
                flags: if r.automatic_grant {
                    vec!["automatic_grant"]
                } else {
                    vec![]
                },
                text: format!("{} {} {}", r.issuer, r.summary, r.eligibility),
                number: None,
            },
            Record::ChainNode(r) => IndexFields {
                name: r.name.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.position.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.chain, r.chain_name, r.keywords.join(" ")),
                number: None,
            },
            Record::SupplyRelation(r) => IndexFields {
                name: r.product.clone(),
                region: None,
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.supplier, r.customer, r.year),
                number: Some(r.amount),
            },
            Record::GapAction(r) => IndexFields {
                name: r.title.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![r.status.code()],
                text: format!("{} {} {} {}", r.node, r.gap, r.owner, r.note),
                number: None,
            },
            Record::DemandResponse(r) => IndexFields {
                name: format!("{} → {}", r.solver, r.demand),
                region: None,
                industry_path: None,
                subkind: Some(r.solver_type.code()),
                tier: None,
                flags: vec![r.outcome.code()],
                text: format!("{} {}", r.proposal, r.feedback),
                number: None,
            },
            Record::Delivery(r) => IndexFields {
                name: r.order.clone(),
                region: None,
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![if r.on_time { "on_time" } else { "late" }],
                text: format!("{} {}", r.shop, r.date),
                number: Some(r.hours),
            },
            Record::Programme(r) => IndexFields {
                name: r.name.clone(),
                region: r.region.as_ref().map(|c| c.as_str().to_string()),
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.id, r.department, r.year),
                number: r.budget,
            },
            Record::ChainMapping(r) => IndexFields {
                name: r.node.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.decision.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {}", r.organisation, r.note),
                number: None,
            },
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
