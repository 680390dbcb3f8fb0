//! Tabular schemas: for each entity kind, its columns with Chinese headers, types and help text.
//! Import, export, templates, the OpenAPI document and the web forms are all driven from here.

use crate::entity::EntityKind;
use crate::model::*;
use crate::values::Labelled;

/// How a cell is read and written.
#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    Text,
    /// The registry id of a record of another kind (a demand's technology manager, the programme an
    /// application is filed under, a chain node); shown as a link to that record.
    Ref(EntityKind),
    /// Several registry ids of records of one kind (the chain nodes a node supplies).
    RefList(EntityKind),
    /// The registry id of a record whose kind another field names (a response's solver: an
    /// expert, platform, achievement or equipment id, or an organisation's credit code, as the
    /// field `by` says); `target` maps that field's code to the kind.
    RefBy {
        by: &'static str,
        target: fn(&str) -> Option<EntityKind>,
    },
    LongText,
    Int,
    Decimal,
    Bool,
    Date,
    CreditCode,
    Region,
    Industry,
    Phone,
    IdNumber,
    /// One of the labelled choices (code, Chinese label).
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// Several texts separated by ；or ; or 、.
    TextList,
    CreditCodeList,
    IndustryList,
    /// `姓名/身份证号/角色；…`
    Team,
    /// `科目:金额；…` (万元)
    Budget,
    /// `【标题】正文【标题】正文`
    Sections,
}

impl FieldType {
    pub fn json_type(self) -> &'static str {
        match self {
            Self::Int => "integer",
            Self::Decimal => "number",
            Self::Bool => "boolean",
            Self::TextList
            | Self::RefList(_)
            | Self::CreditCodeList
            | Self::IndustryList
            | Self::Team
            | Self::Budget
            | Self::Sections => "array",
            _ => "string",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// JSON key (the struct field name).
    pub key: &'static str,
    /// Chinese column header.
    pub header: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Personal data: masked on export and in the API unless full access is asked for.
    pub personal: bool,
    /// Example or rule shown in templates and forms.
    pub help: &'static str,
}

const fn f(
    key: &'static str,
    header: &'static str,
    ty: FieldType,
    required: bool,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        header,
        ty,
        required,
        personal: false,
        help,
    }
}
const fn p(
    key: &'static str,
    header: &'static str,
    ty: FieldType,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        header,
        ty,
        required: false,
        personal: true,
        help,
    }
}

use FieldType as T;

const ORGANISATION: &[FieldSpec] = &[
    f(
        "credit_code",
        "统一社会信用代码",
        T::CreditCode,
        true,
        "18 位，GB 32100-2015，例如 91150203MA0N00000G",
    ),
    f("name", "名称", T::Text, true, "单位全称"),
    f(
        "kind",
        "组织类型",
        T::Choice(OrgKind::choices),
        true,
        "企业、高校、科研院所、科技中介、投资机构、政府部门",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        true,
        "GB/T 2260，例如 150203（昆都仑区）",
    ),
    f(
        "industry",
        "行业代码",
        T::Industry,
        false,
        "GB/T 4754-2017 小类，例如 C3985 或 3985",
    ),
    f("founded", "成立日期", T::Date, false, "YYYY-MM-DD"),
    f("employees", "从业人数", T::Int, false, "人"),
    f("revenue", "营业收入（万元）", T::Decimal, false, "万元"),
    f("rd_spend", "研发投入（万元）", T::Decimal, false, "万元"),
    f("high_tech", "高新技术企业", T::Bool, false, "是/否"),
    f("specialised", "专精特新", T::Bool, false, "是/否"),
    f("tech_sme", "科技型中小企业", T::Bool, false, "是/否"),
    f(
        "rd_staff",
        "研发人员数",
        T::Int,
        false,
        "人，从事研发和相关技术创新活动的人员",
    ),
    f("products", "主要产品", T::LongText, false, "主要产品或服务"),
    f("address", "地址", T::Text, false, ""),
    f("contact_name", "联系人", T::Text, false, ""),
    p("contact_phone", "联系电话", T::Phone, "手机或「区号-号码」"),
    f(
        "group",
        "所属集团",
        T::Text,
        false,
        "以企引企：同一集团的企业视为有关联",
    ),
    f(
        "shareholders",
        "主要股东",
        T::TextList,
        false,
        "多个用「；」分隔；有共同股东的企业视为有关联",
    ),
    f(
        "baotou_founder",
        "包商回归",
        T::Bool,
        false,
        "创始人或实际控制人为包头籍：是/否",
    ),
    f(
        "intermediary_services",
        "科技中介服务",
        T::TextList,
        false,
        "科技中介机构填写：技术评估；技术经纪；知识产权；投融资；孵化；技术咨询；检验检测；技术培训",
    ),
    f(
        "service_fields",
        "服务领域",
        T::TextList,
        false,
        "科技中介机构服务的技术领域，例如 稀土新材料；装备制造",
    ),
];

const PLATFORM: &[FieldSpec] = &[
    f(
        "id",
        "编号",
        T::Text,
        false,
        "留空则自动生成；已有编号则更新",
    ),
    f("name", "平台名称", T::Text, true, ""),
    f(
        "kind",
        "平台类型",
        T::Choice(PlatformKind::choices),
        true,
        "制造业创新中心、重点实验室、工程研究中心、企业技术中心、孵化器、创新工作室",
    ),
    f(
        "tier",
        "级别",
        T::Choice(Tier::choices),
        true,
        "市级、省级、国家级",
    ),
    f(
        "host",
        "依托单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取依托单位所在地",
    ),
    f("field", "研究领域", T::Text, false, ""),
    f("industry", "行业代码", T::Industry, false, "GB/T 4754-2017"),
    f("started", "认定日期", T::Date, false, "YYYY-MM-DD"),
    f(
        "status",
        "状态",
        T::Choice(PlatformStatus::choices),
        true,
        "运行中、建设中、已撤销",
    ),
];

const PERSON: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("name", "姓名", T::Text, true, ""),
    f(
        "role",
        "人员类型",
        T::Choice(PersonRole::choices),
        true,
        "专家、技术经理人",
    ),
    f(
        "organisation",
        "所在单位信用代码",
        T::CreditCode,
        false,
        "须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取所在单位所在地",
    ),
    f("title", "职称", T::Text, false, "例如 教授、高级工程师"),
    f(
        "disciplines",
        "学科领域",
        T::TextList,
        false,
        "多个用「；」分隔",
    ),
    f("expertise", "专长", T::LongText, false, ""),
    p("phone", "手机", T::Phone, "个人信息，导出时脱敏"),
    p("id_number", "身份证号", T::IdNumber, "个人信息，导出时脱敏"),
    f(
        "certificate_no",
        "技术经理人证书编号",
        T::Text,
        false,
        "技术经理人填写",
    ),
    f(
        "certificate_level",
        "证书等级",
        T::Text,
        false,
        "初级、中级、高级",
    ),
    f("certificate_date", "发证日期", T::Date, false, "YYYY-MM-DD"),
];

const ACHIEVEMENT: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("title", "成果名称", T::Text, true, ""),
    f(
        "kind",
        "成果类型",
        T::Choice(AchievementKind::choices),
        true,
        "专利、论文、科技成果",
    ),
    f(
        "owners",
        "权属单位信用代码",
        T::CreditCodeList,
        true,
        "多个用「；」分隔，须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取第一权属单位所在地",
    ),
    f("industry", "行业代码", T::Industry, false, ""),
    f("text", "成果简介", T::LongText, false, ""),
    f("trl", "技术成熟度", T::Int, false, "1–9"),
    f("year", "年份", T::Int, false, ""),
];

const EQUIPMENT: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("name", "设备名称", T::Text, true, ""),
    f(
        "kind",
        "设备类型",
        T::Choice(EquipmentKind::choices),
        true,
        "仪器设备、机床",
    ),
    f(
        "owner",
        "所属单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取所属单位所在地",
    ),
    f(
        "processes",
        "加工工艺",
        T::TextList,
        false,
        "例如 车削；铣削",
    ),
    f(
        "capacity_hours",
        "每周可共享机时",
        T::Decimal,
        false,
        "小时，0–168",
    ),
    f("used_hours", "每周已用机时", T::Decimal, false, "小时"),
    f(
        "hourly_cost",
        "小时费率（元）",
        T::Decimal,
        false,
        "元/小时",
    ),
    f(
        "materials",
        "可加工材料",
        T::TextList,
        false,
        "机床适用，例如 碳钢；不锈钢；铝合金",
    ),
    f(
        "envelope_mm",
        "加工范围（毫米）",
        T::Text,
        false,
        "长×宽×高，例如 800×400×300",
    ),
    f(
        "tolerance_um",
        "最高精度（微米）",
        T::Decimal,
        false,
        "能保证的最小公差，微米",
    ),
    f(
        "description",
        "说明",
        T::LongText,
        false,
        "型号、行程、精度等",
    ),
];

const DEMAND: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("title", "需求名称", T::Text, true, ""),
    f(
        "kind",
        "需求类型",
        T::Choice(DemandKind::choices),
        true,
        "技术难题、采购需求、揭榜挂帅",
    ),
    f(
        "organisation",
        "发布单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取发布单位所在地",
    ),
    f("industry", "行业代码", T::Industry, false, ""),
    f("text", "需求描述", T::LongText, false, ""),
    f(
        "goal_metric",
        "目标指标",
        T::Text,
        false,
        "例如 磁能积 ≥ 52 MGOe",
    ),
    f("current_state", "现状", T::Text, false, ""),
    f("trl_target", "目标技术成熟度", T::Int, false, "1–9"),
    f(
        "budget_band",
        "预算区间",
        T::Choice(BudgetBand::choices),
        false,
        "",
    ),
    f("deadline", "截止日期", T::Date, false, "YYYY-MM-DD"),
    f("ip_terms", "知识产权约定", T::Text, false, ""),
    f(
        "status",
        "状态",
        T::Choice(DemandStatus::choices),
        true,
        "已发布、已初筛、已匹配、已对接、已签约、已交付",
    ),
    f(
        "manager",
        "技术经理人编号",
        T::Ref(EntityKind::Person),
        false,
        "登记库中技术经理人的编号，例如 PE000001",
    ),
];

const APPLICATION: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("title", "项目名称", T::Text, true, ""),
    f(
        "programme",
        "专项",
        T::Ref(EntityKind::Programme),
        true,
        "须为已登记的专项编号，例如 市科技局-科技重大专项-2025",
    ),
    f("year", "年度", T::Int, true, ""),
    f(
        "applicant",
        "申报单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取申报单位所在地",
    ),
    f("amount", "申请金额（万元）", T::Decimal, false, ""),
    f(
        "team",
        "项目团队",
        T::Team,
        false,
        "姓名/身份证号/角色，多人用「；」分隔",
    ),
    f(
        "budget_lines",
        "预算明细",
        T::Budget,
        false,
        "科目:金额（万元），多项用「；」分隔",
    ),
    f("abstract_text", "项目摘要", T::LongText, false, ""),
    f(
        "sections",
        "正文章节",
        T::Sections,
        false,
        "【标题】正文【标题】正文",
    ),
];

const POLICY: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("title", "政策名称", T::Text, true, ""),
    f("issuer", "发布单位", T::Text, true, ""),
    f(
        "level",
        "政策层级",
        T::Choice(PolicyLevel::choices),
        true,
        "国家级、自治区级、市级、旗县区级",
    ),
    f("region", "适用区划代码", T::Region, false, ""),
    f(
        "industries",
        "适用行业代码",
        T::IndustryList,
        false,
        "多个用「；」分隔",
    ),
    f("summary", "政策摘要", T::LongText, false, ""),
    f("eligibility", "申报条件", T::LongText, false, ""),
    f("valid_from", "起始日期", T::Date, false, ""),
    f("valid_to", "截止日期", T::Date, false, ""),
    f("automatic_grant", "免申即享", T::Bool, false, "是/否"),
    f(
        "rule",
        "认定规则",
        T::Text,
        false,
        "可执行的申报条件规则编号，如 hitech_certification（政策找企业）；留空则只有文字条件",
    ),
];

const CHAIN_NODE: &[FieldSpec] = &[
    f(
        "id",
        "节点编号",
        T::Text,
        true,
        "产业链编号.节点编号，小写字母、数字、下划线，例如 rare_earth.magnet",
    ),
    f("chain", "产业链编号", T::Text, true, "例如 rare_earth"),
    f("chain_name", "产业链名称", T::Text, true, "例如 稀土产业链"),
    f("name", "节点名称", T::Text, true, ""),
    f(
        "position",
        "链位置",
        T::Choice(Position::choices),
        true,
        "上游、中游、下游",
    ),
    f(
        "industries",
        "行业代码",
        T::IndustryList,
        false,
        "多个用「；」分隔",
    ),
    f(
        "keywords",
        "产品关键词",
        T::TextList,
        false,
        "多个用「；」分隔",
    ),
    f(
        "supplies",
        "供应下游节点",
        T::RefList(EntityKind::ChainNode),
        false,
        "同一产业链的节点编号，多个用「；」分隔，例如 rare_earth.motor",
    ),
];

const SUPPLY_RELATION: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "supplier",
        "供应方信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "customer",
        "采购方信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f("product", "产品", T::Text, true, ""),
    f(
        "node",
        "链节点编号",
        T::Ref(EntityKind::ChainNode),
        false,
        "",
    ),
    f("amount", "金额（万元）", T::Decimal, true, ""),
    f("year", "年度", T::Int, true, ""),
];

const GAP_ACTION: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "node",
        "链节点编号",
        T::Ref(EntityKind::ChainNode),
        true,
        "例如 rare_earth.magnet",
    ),
    f("gap", "缺口类型", T::Text, false, "空白、缺、散、小、短板"),
    f(
        "kind",
        "行动类型",
        T::Choice(ActionKind::choices),
        true,
        "招商线索、揭榜挂帅、供应商导入、资金支持",
    ),
    f("title", "行动名称", T::Text, true, ""),
    f("owner", "责任单位", T::Text, true, "例如 市投促局"),
    f("start", "开始日期", T::Date, false, "YYYY-MM-DD"),
    f("due", "完成期限", T::Date, false, "YYYY-MM-DD"),
    f(
        "status",
        "状态",
        T::Choice(ActionStatus::choices),
        true,
        "计划中、推进中、已完成、已放弃",
    ),
    f(
        "organisation",
        "相关企业信用代码",
        T::CreditCode,
        false,
        "目标企业或供应商，须已在登记库中",
    ),
    f("note", "备注", T::LongText, false, ""),
];

const CHAIN_MAPPING: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "organisation",
        "组织信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "node",
        "链节点编号",
        T::Ref(EntityKind::ChainNode),
        true,
        "例如 rare_earth.magnet",
    ),
    f(
        "decision",
        "确认结果",
        T::Choice(MappingDecision::choices),
        true,
        "确认属于、确认不属于",
    ),
    f("note", "备注", T::Text, false, ""),
];

const SHARED_SERVICE: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "name",
        "服务名称",
        T::Text,
        true,
        "例如 稀土元素分析（ICP-OES）",
    ),
    f(
        "service_type",
        "服务类型",
        T::Choice(ServiceType::choices),
        true,
        "仪器共享、检验检测、研发设计",
    ),
    f(
        "owner",
        "提供单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f(
        "equipment",
        "对应仪器编号",
        T::Ref(EntityKind::Equipment),
        false,
        "仪器设备的登记编号，例如 EQ000001；检验检测、研发设计服务可留空",
    ),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "留空则取提供单位所在地",
    ),
    f(
        "measures",
        "服务内容",
        T::LongText,
        false,
        "能测什么、做什么，例如 15 种稀土元素含量分析",
    ),
    f("sample_requirements", "样品要求", T::Text, false, ""),
    f(
        "fee_internal",
        "本单位收费（元/小时）",
        T::Decimal,
        false,
        "",
    ),
    f(
        "fee_local",
        "本市单位收费（元/小时）",
        T::Decimal,
        false,
        "",
    ),
    f(
        "fee_outside",
        "市外单位收费（元/小时）",
        T::Decimal,
        false,
        "",
    ),
    f("lead_days", "提前预约天数", T::Int, false, "0–365"),
    f(
        "operator_required",
        "须由机组人员操作",
        T::Bool,
        false,
        "是/否",
    ),
    f(
        "open_hours",
        "开放时间",
        T::Text,
        true,
        "例如 周一至周五 9:00-17:00；周六 9:00-12:00",
    ),
    f(
        "closed_dates",
        "不开放日期",
        T::TextList,
        false,
        "例如 2027-01-01；2027-02-10",
    ),
    f(
        "contact",
        "预约联系方式",
        T::Text,
        false,
        "服务台电话或邮箱",
    ),
];

const VOUCHER_PROGRAMME: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("name", "专项名称", T::Text, true, "例如 2026 年科技创新券"),
    f("department", "主管部门", T::Text, true, "例如 市科技局"),
    f("year", "年度", T::Int, true, ""),
    f(
        "share",
        "补贴比例",
        T::Decimal,
        true,
        "0–1，例如 0.5 表示补贴费用的 50%",
    ),
    f(
        "cap_per_enterprise",
        "每家企业年度上限（元）",
        T::Decimal,
        true,
        "",
    ),
    f("budget", "预算（万元）", T::Decimal, true, ""),
    f(
        "region",
        "适用地区",
        T::Region,
        false,
        "行政区划代码；留空则全市适用",
    ),
    f(
        "max_employees",
        "从业人员上限",
        T::Int,
        false,
        "中小企业条件，留空则不限",
    ),
    f(
        "max_revenue",
        "营业收入上限（万元）",
        T::Decimal,
        false,
        "留空则不限",
    ),
    f(
        "service_types",
        "适用服务类型",
        T::TextList,
        false,
        "仪器共享；检验检测；研发设计，留空则全部适用",
    ),
    f("description", "说明", T::LongText, false, ""),
];

const TECH_DEAL: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f("title", "合同名称", T::Text, true, ""),
    f(
        "contract_type",
        "合同类别",
        T::Choice(ContractType::choices),
        true,
        "技术开发、技术转让、技术许可、技术咨询、技术服务",
    ),
    f(
        "stage",
        "交易阶段",
        T::Choice(DealStage::choices),
        true,
        "意向、谈判、签约、登记、履行、结题/产业化（逐级推进）",
    ),
    f(
        "seller",
        "卖方信用代码",
        T::CreditCode,
        true,
        "技术输出方，须已在登记库中",
    ),
    f(
        "buyer",
        "买方信用代码",
        T::CreditCode,
        true,
        "技术吸纳方，须已在登记库中",
    ),
    f(
        "intermediary",
        "中介机构信用代码",
        T::CreditCode,
        false,
        "促成交易的科技中介机构",
    ),
    f(
        "manager",
        "技术经理人编号",
        T::Ref(EntityKind::Person),
        false,
        "例如 PE000123",
    ),
    f(
        "achievement",
        "转化成果编号",
        T::Ref(EntityKind::Achievement),
        false,
        "转让或许可的成果、专利，例如 AC000001",
    ),
    f(
        "demand",
        "对应需求编号",
        T::Ref(EntityKind::Demand),
        false,
        "交易解决的技术需求，例如 DM000001",
    ),
    f(
        "region",
        "买方行政区划代码",
        T::Region,
        false,
        "留空则取买方所在地",
    ),
    f(
        "amount",
        "合同金额（万元）",
        T::Decimal,
        false,
        "签约后必填",
    ),
    f("paid", "已到账金额（万元）", T::Decimal, false, ""),
    f(
        "payment_terms",
        "付款方式",
        T::Text,
        false,
        "一次总付、分期支付、入门费加提成",
    ),
    f(
        "royalty",
        "提成约定",
        T::Text,
        false,
        "例如 销售额 3%，五年",
    ),
    f(
        "registration_no",
        "技术合同登记编号",
        T::Text,
        false,
        "登记后必填",
    ),
    f("intent_date", "意向日期", T::Date, true, ""),
    f("signed_date", "签约日期", T::Date, false, "签约后必填"),
    f("registered_date", "登记日期", T::Date, false, "登记后必填"),
    f("note", "备注", T::Text, false, ""),
];

const PROGRAMME: &[FieldSpec] = &[
    f(
        "id",
        "专项编号",
        T::Text,
        true,
        "申报记录的「专项」填写此编号，例如 市科技局-科技重大专项-2025",
    ),
    f("name", "专项名称", T::Text, true, ""),
    f(
        "department",
        "主管部门",
        T::Text,
        true,
        "市科技局、市工信局、市发改委、旗县区等",
    ),
    f("year", "年度", T::Int, true, ""),
    f("budget", "预算（万元）", T::Decimal, false, ""),
    f(
        "region",
        "行政区划代码",
        T::Region,
        false,
        "旗县区专项填本区代码",
    ),
    f("description", "说明", T::LongText, false, ""),
];

const DELIVERY: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "shop",
        "承接单位信用代码",
        T::CreditCode,
        true,
        "须已在登记库中",
    ),
    f("order", "订单号", T::Text, false, ""),
    f("date", "交付日期", T::Date, true, "YYYY-MM-DD"),
    f("on_time", "按期交付", T::Bool, false, "是/否"),
    f("quality_passed", "质量合格", T::Bool, false, "是/否"),
    f(
        "response_hours",
        "响应时间（小时）",
        T::Decimal,
        true,
        "从派单到确认的小时数",
    ),
    f("hours", "机时（小时）", T::Decimal, true, ""),
];

const DEMAND_RESPONSE: &[FieldSpec] = &[
    f("id", "编号", T::Text, false, "留空则自动生成"),
    f(
        "demand",
        "需求编号",
        T::Ref(EntityKind::Demand),
        true,
        "例如 DM000001",
    ),
    f(
        "solver_type",
        "解题方类型",
        T::Choice(SolverType::choices),
        true,
        "专家、创新平台、科技成果、仪器设备、单位",
    ),
    f(
        "solver",
        "解题方编号",
        T::RefBy {
            by: "solver_type",
            target: solver_kind,
        },
        true,
        "专家/平台/成果/设备编号，单位填统一社会信用代码",
    ),
    f("proposal", "应答方案", T::LongText, false, ""),
    f("submitted", "应答日期", T::Date, true, "YYYY-MM-DD"),
    f(
        "outcome",
        "应答结果",
        T::Choice(ResponseOutcome::choices),
        true,
        "待反馈、已入围、已选中、未选中",
    ),
    f(
        "feedback",
        "反馈意见",
        T::Text,
        false,
        "告诉解题方为何选中或未选中",
    ),
    f("decided", "反馈日期", T::Date, false, "YYYY-MM-DD"),
];

/// The kind of record a response's solver is, by its `solver_type` code.
fn solver_kind(code: &str) -> Option<EntityKind> {
    let kind = SolverType::ALL.iter().find(|t| t.code() == code)?;
    Some(match kind {
        SolverType::Expert => EntityKind::Person,
        SolverType::Platform => EntityKind::Platform,
        SolverType::Achievement => EntityKind::Achievement,
        SolverType::Equipment => EntityKind::Equipment,
        SolverType::Organisation => EntityKind::Organisation,
    })
}

pub fn fields(kind: EntityKind) -> &'static [FieldSpec] {
    match kind {
        EntityKind::Organisation => ORGANISATION,
        EntityKind::Platform => PLATFORM,
        EntityKind::Person => PERSON,
        EntityKind::Achievement => ACHIEVEMENT,
        EntityKind::Equipment => EQUIPMENT,
        EntityKind::Demand => DEMAND,
        EntityKind::Application => APPLICATION,
        EntityKind::Policy => POLICY,
        EntityKind::ChainNode => CHAIN_NODE,
        EntityKind::SupplyRelation => SUPPLY_RELATION,
        EntityKind::GapAction => GAP_ACTION,
        EntityKind::ChainMapping => CHAIN_MAPPING,
        EntityKind::Programme => PROGRAMME,
        EntityKind::SharedService => SHARED_SERVICE,
        EntityKind::VoucherProgramme => VOUCHER_PROGRAMME,
        EntityKind::TechDeal => TECH_DEAL,
        EntityKind::Delivery => DELIVERY,
        EntityKind::DemandResponse => DEMAND_RESPONSE,
    }
}

pub fn field(kind: EntityKind, key: &str) -> Option<&'static FieldSpec> {
    fields(kind).iter().find(|f| f.key == key)
}
