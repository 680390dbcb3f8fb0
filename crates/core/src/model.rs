//! The registry's entity kinds (一张网): organisations keyed by credit code and the records that
//! hang off them. Field names follow the glossary in PRODUCT.md.

use crate::codes::{CreditCode, IdNumber, Phone};
use crate::labelled_enum;
use crate::values::{Date, IndustryCode, RegionCode};
use serde::{Deserialize, Serialize};

labelled_enum!(OrgKind, "组织类型", {
    Enterprise = "enterprise" / "企业",
    University = "university" / "高校",
    Institute = "institute" / "科研院所",
    Intermediary = "intermediary" / "科技中介",
    Investor = "investor" / "投资机构",
    Government = "government" / "政府部门",
});

labelled_enum!(PlatformKind, "平台类型", {
    ManufacturingInnovationCentre = "manufacturing_innovation_centre" / "制造业创新中心",
    KeyLaboratory = "key_laboratory" / "重点实验室",
    EngineeringResearchCentre = "engineering_research_centre" / "工程研究中心",
    EnterpriseTechnologyCentre = "enterprise_technology_centre" / "企业技术中心",
    Incubator = "incubator" / "孵化器",
    InnovationStudio = "innovation_studio" / "创新工作室",
});

labelled_enum!(Tier, "级别", {
    Municipal = "municipal" / "市级",
    Provincial = "provincial" / "省级",
    National = "national" / "国家级",
});

labelled_enum!(PlatformStatus, "平台状态", {
    Operating = "operating" / "运行中",
    Building = "building" / "建设中",
    Revoked = "revoked" / "已撤销",
});

labelled_enum!(PersonRole, "人员类型", {
    Expert = "expert" / "专家",
    TechnologyManager = "technology_manager" / "技术经理人",
});

labelled_enum!(AchievementKind, "成果类型", {
    Patent = "patent" / "专利",
    Paper = "paper" / "论文",
    TechnologyResult = "technology_result" / "科技成果",
});

labelled_enum!(EquipmentKind, "设备类型", {
    Instrument = "instrument" / "仪器设备",
    Machine = "machine" / "机床",
});

labelled_enum!(DemandKind, "需求类型", {
    TechnicalProblem = "technical_problem" / "技术难题",
    Procurement = "procurement" / "采购需求",
    OpenChallenge = "open_challenge" / "揭榜挂帅",
});

labelled_enum!(BudgetBand, "预算区间", {
    Below50 = "below_50" / "50万元以下",
    From50To200 = "50_200" / "50–200万元",
    From200To500 = "200_500" / "200–500万元",
    From500To1000 = "500_1000" / "500–1000万元",
    Above1000 = "above_1000" / "1000万元以上",
});

labelled_enum!(DemandStatus, "需求状态", {
    Posted = "posted" / "已发布",
    Screened = "screened" / "已初筛",
    Matched = "matched" / "已匹配",
    Contacted = "contacted" / "已对接",
    Contracted = "contracted" / "已签约",
    Delivered = "delivered" / "已交付",
});

impl DemandStatus {
    /// Position in the workflow (已发布 = 0 … 已交付 = 5).
    pub fn stage(self) -> usize {
        use crate::values::Labelled;
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The next status of the workflow, if any.
    pub fn next(self) -> Option<Self> {
        use crate::values::Labelled;
        Self::ALL.get(self.stage() + 1).copied()
    }

    /// Whether a demand may move from `self` to `to`: forward one stage at a time (nothing is
    /// skipped), or back to any earlier stage with a reason (a contact that fell through).
    pub fn check_move(self, to: Self, note: &str) -> Result<(), String> {
        use crate::values::Labelled;
        let (a, b) = (self.stage(), to.stage());
        if a == b {
            Err(format!("需求已是「{}」状态", to.label()))
        } else if b == a + 1 {
            Ok(())
        } else if b > a {
            Err(format!(
                "不能从「{}」直接跳到「{}」：请先推进到「{}」",
                self.label(),
                to.label(),
                self.next().map(|n| n.label()).unwrap_or("")
            ))
        } else if note.trim().is_empty() {
            Err(format!(
                "从「{}」退回「{}」须填写原因",
                self.label(),
                to.label()
            ))
        } else {
            Ok(())
        }
    }
}

labelled_enum!(SolverType, "解题方类型", {
    Expert = "expert" / "专家",
    Platform = "platform" / "创新平台",
    Achievement = "achievement" / "科技成果",
    Equipment = "equipment" / "仪器设备",
    Organisation = "organisation" / "单位",
});

labelled_enum!(ResponseOutcome, "应答结果", {
    Pending = "pending" / "待反馈",
    Shortlisted = "shortlisted" / "已入围",
    Selected = "selected" / "已选中",
    Declined = "declined" / "未选中",
});

labelled_enum!(PolicyLevel, "政策层级", {
    National = "national" / "国家级",
    Provincial = "provincial" / "自治区级",
    Municipal = "municipal" / "市级",
    District = "district" / "旗县区级",
});

labelled_enum!(ActionKind, "行动类型", {
    InvestmentLead = "investment_lead" / "招商线索",
    OpenChallenge = "open_challenge" / "揭榜挂帅",
    SupplierOnboarding = "supplier_onboarding" / "供应商导入",
    Subsidy = "subsidy" / "资金支持",
});

labelled_enum!(ActionStatus, "行动状态", {
    Planned = "planned" / "计划中",
    InProgress = "in_progress" / "推进中",
    Done = "done" / "已完成",
    Dropped = "dropped" / "已放弃",
});

labelled_enum!(MappingDecision, "确认结果", {
    Confirmed = "confirmed" / "确认属于",
    Rejected = "rejected" / "确认不属于",
});

labelled_enum!(Position, "链位置", {
    Upstream = "upstream" / "上游",
    Midstream = "midstream" / "中游",
    Downstream = "downstream" / "下游",
});

/// 组织: enterprise, university, institute, intermediary, investor or government body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub credit_code: CreditCode,
    pub name: String,
    pub kind: OrgKind,
    pub region: RegionCode,
    #[serde(default)]
    pub industry: Option<IndustryCode>,
    #[serde(default)]
    pub founded: Option<Date>,
    #[serde(default)]
    pub employees: Option<u32>,
    /// 研发人员数 (R&D staff; with `employees` gives the R&D staff ratio of policy rules).
    #[serde(default)]
    pub rd_staff: Option<u32>,
    /// 营业收入, 万元.
    #[serde(default)]
    pub revenue: Option<f64>,
    /// 研发投入, 万元.
    #[serde(default)]
    pub rd_spend: Option<f64>,
    /// 高新技术企业.
    #[serde(default)]
    pub high_tech: bool,
    /// 专精特新.
    #[serde(default)]
    pub specialised: bool,
    /// 科技型中小企业.
    #[serde(default)]
    pub tech_sme: bool,
    #[serde(default)]
    pub products: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: Option<Phone>,
    /// 所属集团 (for 以企引企: firms of one group are related).
    #[serde(default)]
    pub group: String,
    /// 主要股东 (firms sharing a shareholder are related).
    #[serde(default)]
    pub shareholders: Vec<String>,
    /// 包商回归: founded or run by people from Baotou.
    #[serde(default)]
    pub baotou_founder: bool,
    /// 科技中介服务 an intermediary offers (`INTERMEDIARY_SERVICES`).
    #[serde(default)]
    pub intermediary_services: Vec<String>,
    /// 服务领域 of an intermediary (technical fields it brokers in).
    #[serde(default)]
    pub service_fields: Vec<String>,
}

/// The services a technology intermediary offers (科技中介服务), as the registry records them.
pub const INTERMEDIARY_SERVICES: &[&str] = &[
    "技术评估",
    "技术经纪",
    "知识产权",
    "投融资",
    "孵化",
    "技术咨询",
    "检验检测",
    "技术培训",
];

/// 技术经理人 certificate levels (national technology-manager training and evaluation).
pub const MANAGER_LEVELS: &[&str] = &["初级", "中级", "高级"];

/// 创新平台.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub kind: PlatformKind,
    pub tier: Tier,
    pub host: CreditCode,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub industry: Option<IndustryCode>,
    #[serde(default)]
    pub started: Option<Date>,
    pub status: PlatformStatus,
}

/// 专家 / 技术经理人. Phone and ID number are personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub role: PersonRole,
    #[serde(default)]
    pub organisation: Option<CreditCode>,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub disciplines: Vec<String>,
    #[serde(default)]
    pub expertise: String,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub id_number: Option<IdNumber>,
    /// 技术经理人证书编号 (technology managers only).
    #[serde(default)]
    pub certificate_no: String,
    /// 证书等级: 初级 / 中级 / 高级 (`MANAGER_LEVELS`).
    #[serde(default)]
    pub certificate_level: String,
    /// 发证日期.
    #[serde(default)]
    pub certificate_date: Option<Date>,
}

/// 科技成果 / 专利 / 论文.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Achievement {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub kind: AchievementKind,
    pub owners: Vec<CreditCode>,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub industry: Option<IndustryCode>,
    #[serde(default)]
    pub text: String,
    /// Technology readiness level 1–9.
    #[serde(default)]
    pub trl: Option<u8>,
    #[serde(default)]
    pub year: Option<i32>,
}

/// 仪器设备 / 机床, with the processes it performs and the hours it offers per week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equipment {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub kind: EquipmentKind,
    pub owner: CreditCode,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub processes: Vec<String>,
    /// Free hours per week offered to others.
    #[serde(default)]
    pub capacity_hours: f64,
    /// Hours per week actually used by shared orders.
    #[serde(default)]
    pub used_hours: f64,
    /// 元/小时.
    #[serde(default)]
    pub hourly_cost: Option<f64>,
    /// Materials a machine tool works (碳钢、合金钢、不锈钢、铸铁、铝合金 …).
    #[serde(default)]
    pub materials: Vec<String>,
    /// Work envelope in millimetres, written `800×400×300`.
    #[serde(default)]
    pub envelope_mm: String,
    /// Tightest tolerance held, micrometres.
    #[serde(default)]
    pub tolerance_um: Option<f64>,
    #[serde(default)]
    pub description: String,
}

/// 技术需求 / 采购需求 / 揭榜挂帅, with its structured problem card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub kind: DemandKind,
    pub organisation: CreditCode,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub industry: Option<IndustryCode>,
    #[serde(default)]
    pub text: String,
    /// 目标指标.
    #[serde(default)]
    pub goal_metric: String,
    /// 现状.
    #[serde(default)]
    pub current_state: String,
    #[serde(default)]
    pub trl_target: Option<u8>,
    #[serde(default)]
    pub budget_band: Option<BudgetBand>,
    #[serde(default)]
    pub deadline: Option<Date>,
    /// 知识产权约定.
    #[serde(default)]
    pub ip_terms: String,
    pub status: DemandStatus,
    /// 技术经理人: the person (role technology manager) who carries the demand to a contract.
    #[serde(default)]
    pub manager: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    pub name: String,
    pub id_number: IdNumber,
    #[serde(default)]
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub item: String,
    /// 万元.
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSection {
    pub heading: String,
    pub text: String,
}

/// 项目申报: one funding application to one programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub programme: String,
    pub year: i32,
    pub applicant: CreditCode,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub team: Vec<TeamMember>,
    #[serde(default)]
    pub budget_lines: Vec<BudgetLine>,
    #[serde(default)]
    pub abstract_text: String,
    #[serde(default)]
    pub sections: Vec<TextSection>,
}

/// 惠企政策.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub issuer: String,
    pub level: PolicyLevel,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub industries: Vec<IndustryCode>,
    #[serde(default)]
    pub summary: String,
    /// 申报条件, as written by the issuer.
    #[serde(default)]
    pub eligibility: String,
    #[serde(default)]
    pub valid_from: Option<Date>,
    #[serde(default)]
    pub valid_to: Option<Date>,
    /// 免申即享.
    #[serde(default)]
    pub automatic_grant: bool,
    /// Id of the executable eligibility rule (政策找企业), e.g. `hitech_certification`; empty when
    /// the conditions exist only as text.
    #[serde(default)]
    pub rule: String,
}

/// 链节点: one link of an industrial chain, with the nodes it supplies (downstream edges).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainNode {
    pub id: String,
    pub chain: String,
    pub chain_name: String,
    pub name: String,
    pub position: Position,
    #[serde(default)]
    pub industries: Vec<IndustryCode>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub supplies: Vec<String>,
}

/// 供应关系: who bought what from whom, how much, which year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyRelation {
    #[serde(default)]
    pub id: String,
    pub supplier: CreditCode,
    pub customer: CreditCode,
    pub product: String,
    #[serde(default)]
    pub node: Option<String>,
    /// 万元.
    pub amount: f64,
    pub year: i32,
}

/// An industrial chain assembled from its nodes.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub code: String,
    pub name: String,
    pub nodes: Vec<ChainNode>,
}

impl Chain {
    /// Groups nodes by chain, keeping upstream → midstream → downstream order.
    pub fn assemble(nodes: impl IntoIterator<Item = ChainNode>) -> Vec<Chain> {
        let mut chains: Vec<Chain> = Vec::new();
        for n in nodes {
            match chains.iter_mut().find(|c| c.code == n.chain) {
                Some(c) => c.nodes.push(n),
                None => chains.push(Chain {
                    code: n.chain.clone(),
                    name: n.chain_name.clone(),
                    nodes: vec![n],
                }),
            }
        }
        for c in &mut chains {
            c.nodes
                .sort_by(|a, b| a.position.cmp(&b.position).then(a.id.cmp(&b.id)));
        }
        chains
    }
}

/// 缺口行动: an action taken on a chain gap (补链), tracked until the gap closes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapAction {
    #[serde(default)]
    pub id: String,
    /// Chain node id (`rare_earth.magnet`).
    pub node: String,
    /// Gap verdict the action addresses (空白、缺、散、小、短板), free text code or label.
    #[serde(default)]
    pub gap: String,
    pub kind: ActionKind,
    pub title: String,
    pub owner: String,
    #[serde(default)]
    pub start: Option<Date>,
    #[serde(default)]
    pub due: Option<Date>,
    pub status: ActionStatus,
    /// The organisation the action is about (a target firm, a supplier), if any.
    #[serde(default)]
    pub organisation: Option<CreditCode>,
    #[serde(default)]
    pub note: String,
}

/// 挂链确认: a person's decision that an organisation does or does not belong to a chain node;
/// automatic mapping respects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainMapping {
    #[serde(default)]
    pub id: String,
    pub organisation: CreditCode,
    /// Chain node id (`rare_earth.magnet`).
    pub node: String,
    pub decision: MappingDecision,
    #[serde(default)]
    pub note: String,
}

/// 专项: a funding programme of one department or district for one call year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// Applications name it in their `programme` field, e.g. `市科技局-科技重大专项-2025`.
    pub id: String,
    pub name: String,
    /// 主管部门 (市科技局、市工信局、市发改委、旗县区).
    pub department: String,
    pub year: i32,
    /// 预算, 万元.
    #[serde(default)]
    pub budget: Option<f64>,
    #[serde(default)]
    pub region: Option<RegionCode>,
    #[serde(default)]
    pub description: String,
}

/// 交付记录: one job a shop delivered through the shared-capacity network; the shop's
/// performance score and order limit are computed from these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    #[serde(default)]
    pub id: String,
    pub shop: CreditCode,
    #[serde(default)]
    pub order: String,
    pub date: Date,
    pub on_time: bool,
    pub quality_passed: bool,
    /// Hours from order to the shop's confirmation.
    pub response_hours: f64,
    /// Machine hours of the job.
    pub hours: f64,
}

/// 需求应答: a solver's answer to a demand (揭榜), and the outcome the demand's side gave it, so the
/// solver hears back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandResponse {
    #[serde(default)]
    pub id: String,
    /// The demand answered (`DM000001`).
    pub demand: String,
    pub solver_type: SolverType,
    /// The solver's registry id (person, platform, achievement, equipment id, or credit code).
    pub solver: String,
    /// 应答方案.
    #[serde(default)]
    pub proposal: String,
    pub submitted: Date,
    pub outcome: ResponseOutcome,
    /// 反馈意见: why the solver was or was not chosen.
    #[serde(default)]
    pub feedback: String,
    #[serde(default)]
    pub decided: Option<Date>,
}

labelled_enum!(ServiceType, "服务类型", {
    Instrument = "instrument" / "仪器共享",
    Testing = "testing" / "检验检测",
    Design = "design" / "研发设计",
});

/// 共享服务: an instrument or a testing / design service its owner offers to others, with its
/// terms, a weekly opening template and closed dates (the availability calendar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedService {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub service_type: ServiceType,
    pub owner: CreditCode,
    /// The instrument behind the service (`EQ…`), when there is one.
    #[serde(default)]
    pub equipment: Option<String>,
    #[serde(default)]
    pub region: Option<RegionCode>,
    /// 服务内容: what it measures or does (searchable).
    #[serde(default)]
    pub measures: String,
    /// 样品要求.
    #[serde(default)]
    pub sample_requirements: String,
    /// 元/小时 for the owner's own staff, for units in the city, for units outside it.
    #[serde(default)]
    pub fee_internal: Option<f64>,
    #[serde(default)]
    pub fee_local: Option<f64>,
    #[serde(default)]
    pub fee_outside: Option<f64>,
    /// 提前预约天数.
    #[serde(default)]
    pub lead_days: Option<u32>,
    /// 须由本单位机组人员操作.
    #[serde(default)]
    pub operator_required: bool,
    /// 开放时间, e.g. `周一至周五 9:00-17:00；周六 9:00-12:00` (see `sharing::OpenHours`).
    pub open_hours: String,
    /// 不开放日期 (holidays, maintenance), `2026-12-25；2027-01-01`.
    #[serde(default)]
    pub closed_dates: Vec<String>,
    /// 预约联系方式 (a service desk, not a person's own phone).
    #[serde(default)]
    pub contact: String,
}

/// 科技创新券专项 (先用后补): pays `share` of a completed booking's fee, at most
/// `cap_per_enterprise` 元 per enterprise and year, out of `budget` 万元, to eligible enterprises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherProgramme {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub department: String,
    pub year: i32,
    /// 补贴比例, 0–1.
    pub share: f64,
    /// 每家企业每年上限, 元.
    pub cap_per_enterprise: f64,
    /// 预算, 万元.
    pub budget: f64,
    /// Only enterprises registered in this region (and below); empty: the whole city.
    #[serde(default)]
    pub region: Option<RegionCode>,
    /// 中小企业: at most this many employees (when set).
    #[serde(default)]
    pub max_employees: Option<u32>,
    /// At most this revenue, 万元 (when set).
    #[serde(default)]
    pub max_revenue: Option<f64>,
    /// Service types it pays for; empty: all.
    #[serde(default)]
    pub service_types: Vec<String>,
    #[serde(default)]
    pub description: String,
}

labelled_enum!(ContractType, "合同类别", {
    Development = "development" / "技术开发",
    Transfer = "transfer" / "技术转让",
    Licence = "licence" / "技术许可",
    Consulting = "consulting" / "技术咨询",
    Service = "service" / "技术服务",
});

labelled_enum!(DealStage, "交易阶段", {
    Intent = "intent" / "意向",
    Negotiation = "negotiation" / "谈判",
    Signed = "signed" / "签约",
    Registered = "registered" / "登记",
    Performing = "performing" / "履行",
    Closed = "closed" / "结题/产业化",
});

impl DealStage {
    /// Position in the pipeline (意向 = 0 … 结题/产业化 = 5).
    pub fn stage(self) -> usize {
        use crate::values::Labelled;
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Signed or later: a contract exists.
    pub fn signed(self) -> bool {
        self.stage() >= DealStage::Signed.stage()
    }

    /// Whether a deal already stored at `self` may be saved at `to`: forward one stage at a time
    /// (nothing skipped), or back to an earlier one (a negotiation that fell through).
    pub fn check_move(self, to: Self) -> Result<(), String> {
        use crate::values::Labelled;
        let (a, b) = (self.stage(), to.stage());
        if b > a + 1 {
            Err(format!(
                "交易不能从「{}」直接跳到「{}」：请先推进到「{}」",
                self.label(),
                to.label(),
                Self::ALL[a + 1].label()
            ))
        } else {
            Ok(())
        }
    }
}

/// 技术合同 / 成果转化交易: a technology-transfer deal from intent to industrialisation, with its
/// parties (seller, buyer, intermediary and technology manager), what is transferred, and money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechDeal {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub contract_type: ContractType,
    pub stage: DealStage,
    pub seller: CreditCode,
    pub buyer: CreditCode,
    #[serde(default)]
    pub intermediary: Option<CreditCode>,
    /// 技术经理人 (a person's registry id).
    #[serde(default)]
    pub manager: Option<String>,
    /// The result or patent transferred (`AC…`).
    #[serde(default)]
    pub achievement: Option<String>,
    /// The demand the deal answers (`DM…`).
    #[serde(default)]
    pub demand: Option<String>,
    /// The buyer's region (filled from the buyer when empty).
    #[serde(default)]
    pub region: Option<RegionCode>,
    /// 合同金额, 万元.
    #[serde(default)]
    pub amount: Option<f64>,
    /// 已到账, 万元.
    #[serde(default)]
    pub paid: Option<f64>,
    /// 付款方式 (一次总付、分期、入门费 + 提成).
    #[serde(default)]
    pub payment_terms: String,
    /// 提成约定 (e.g. 销售额 3%，五年).
    #[serde(default)]
    pub royalty: String,
    /// 技术合同登记编号.
    #[serde(default)]
    pub registration_no: String,
    pub intent_date: Date,
    #[serde(default)]
    pub signed_date: Option<Date>,
    #[serde(default)]
    pub registered_date: Option<Date>,
    #[serde(default)]
    pub note: String,
}
