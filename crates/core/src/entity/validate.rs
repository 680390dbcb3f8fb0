//! `Record::validate`: the rules a field's type cannot express (non-empty names, ranges, dates
//! in order, what a response must name), each error naming its field key.

use super::{FieldError, Record};
use crate::codes::CreditCode;
use crate::model::*;

impl Record {
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
                for sv in &r.intermediary_services {
                    if !INTERMEDIARY_SERVICES.contains(&sv.as_str()) {
                        e.push(FieldError::new(
                            "intermediary_services",
                            format!(
                                "「{sv}」不是可选的科技中介服务，可选：{}",
                                INTERMEDIARY_SERVICES.join("、")
                            ),
                        ));
                    }
                }
                if !(r.intermediary_services.is_empty() && r.service_fields.is_empty())
                    && r.kind != OrgKind::Intermediary
                {
                    e.push(FieldError::new(
                        "intermediary_services",
                        "只有组织类型为「科技中介」的单位填写科技中介服务和服务领域",
                    ));
                }
            }
            Record::Platform(r) => non_empty(&mut e, "name", "平台名称", &r.name),
            Record::Person(r) => {
                non_empty(&mut e, "name", "姓名", &r.name);
                long_text(&mut e, "expertise", &r.expertise);
                let certified = !r.certificate_no.trim().is_empty()
                    || !r.certificate_level.trim().is_empty()
                    || r.certificate_date.is_some();
                if certified && r.role != PersonRole::TechnologyManager {
                    e.push(FieldError::new(
                        "certificate_no",
                        "只有技术经理人填写技术经理人证书",
                    ));
                }
                if !r.certificate_level.is_empty()
                    && !MANAGER_LEVELS.contains(&r.certificate_level.as_str())
                {
                    e.push(FieldError::new(
                        "certificate_level",
                        format!("证书等级应为 {}", MANAGER_LEVELS.join("、")),
                    ));
                }
                if certified && r.certificate_no.trim().is_empty() {
                    e.push(FieldError::new(
                        "certificate_no",
                        "填写了证书等级或发证日期，须同时填写证书编号",
                    ));
                }
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
                non_empty(&mut e, "chain", "产业链编号", &r.chain);
                non_empty(&mut e, "name", "节点名称", &r.name);
                chain_node_id(&mut e, &r.chain, &r.id);
                if r.supplies.iter().any(|s| s == &r.id) {
                    e.push(FieldError::new("supplies", "节点不能供应自身"));
                }
                let prefix = format!("{}.", r.chain);
                for s in r.supplies.iter().filter(|s| !s.starts_with(&prefix)) {
                    e.push(FieldError::new(
                        "supplies",
                        format!(
                            "下游节点「{s}」不属于产业链「{}」：只能供应同一产业链的节点（编号以「{prefix}」开头）",
                            r.chain
                        ),
                    ));
                }
            }
            Record::SharedService(r) => {
                non_empty(&mut e, "name", "服务名称", &r.name);
                non_negative(&mut e, "fee_internal", "校内/本单位收费", r.fee_internal);
                non_negative(&mut e, "fee_local", "本市单位收费", r.fee_local);
                non_negative(&mut e, "fee_outside", "市外单位收费", r.fee_outside);
                long_text(&mut e, "measures", &r.measures);
                if let Err(m) = crate::sharing::OpenHours::parse(&r.open_hours) {
                    e.push(FieldError::new("open_hours", m));
                }
                for d in &r.closed_dates {
                    if let Err(m) = crate::sharing::parse_day(d) {
                        e.push(FieldError::new(
                            "closed_dates",
                            format!("不开放日期「{d}」无效：{m}"),
                        ));
                    }
                }
                if r.lead_days.is_some_and(|d| d > 365) {
                    e.push(FieldError::new("lead_days", "提前预约天数应为 0–365"));
                }
            }
            Record::VoucherProgramme(r) => {
                non_empty(&mut e, "name", "专项名称", &r.name);
                non_empty(&mut e, "department", "主管部门", &r.department);
                year(&mut e, "year", Some(r.year));
                if !(r.share.is_finite() && r.share > 0.0 && r.share <= 1.0) {
                    e.push(FieldError::new(
                        "share",
                        format!(
                            "补贴比例应在 0–1 之间（例如 0.5 表示 50%），实际为 {}",
                            r.share
                        ),
                    ));
                }
                non_negative(
                    &mut e,
                    "cap_per_enterprise",
                    "每家企业年度上限",
                    Some(r.cap_per_enterprise),
                );
                non_negative(&mut e, "budget", "预算", Some(r.budget));
                non_negative(&mut e, "max_revenue", "营业收入上限", r.max_revenue);
                for t in &r.service_types {
                    if <ServiceType as crate::values::Labelled>::parse_labelled(t).is_err() {
                        e.push(FieldError::new(
                            "service_types",
                            format!("服务类型「{t}」无效，可选：仪器共享、检验检测、研发设计"),
                        ));
                    }
                }
            }
            Record::TechDeal(r) => {
                non_empty(&mut e, "title", "合同名称", &r.title);
                non_negative(&mut e, "amount", "合同金额", r.amount);
                non_negative(&mut e, "paid", "已到账金额", r.paid);
                if let (Some(a), Some(p)) = (r.amount, r.paid) {
                    if p > a + 1e-9 {
                        e.push(FieldError::new(
                            "paid",
                            format!("已到账 {p} 万元超过合同金额 {a} 万元"),
                        ));
                    }
                }
                if r.seller == r.buyer {
                    e.push(FieldError::new("buyer", "买方与卖方不能是同一家单位"));
                }
                if r.stage.signed() {
                    if r.signed_date.is_none() {
                        e.push(FieldError::new("signed_date", "已签约的交易须填写签约日期"));
                    }
                    if r.amount.is_none() {
                        e.push(FieldError::new("amount", "已签约的交易须填写合同金额"));
                    }
                }
                if r.stage.stage() >= DealStage::Registered.stage() {
                    if r.registration_no.trim().is_empty() {
                        e.push(FieldError::new(
                            "registration_no",
                            "已登记的交易须填写技术合同登记编号",
                        ));
                    }
                    if r.registered_date.is_none() {
                        e.push(FieldError::new(
                            "registered_date",
                            "已登记的交易须填写登记日期",
                        ));
                    }
                }
                if let Some(s) = r.signed_date {
                    if s < r.intent_date {
                        e.push(FieldError::new(
                            "signed_date",
                            format!("签约日期 {s} 早于意向日期 {}", r.intent_date),
                        ));
                    }
                    if let Some(g) = r.registered_date {
                        if g < s {
                            e.push(FieldError::new(
                                "registered_date",
                                format!("登记日期 {g} 早于签约日期 {s}"),
                            ));
                        }
                    }
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

/// The chain engine reads a node id as `<chain>.<node>`: two parts of lowercase ASCII letters,
/// digits and underscores, the first the node's own chain code. Any other form breaks every chain
/// page, so it is refused at write.
fn chain_node_id(errs: &mut Vec<FieldError>, chain: &str, id: &str) {
    let part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let ok = match id.split_once('.') {
        Some((c, node)) => c == chain && part(c) && part(node),
        None => false,
    };
    if !ok {
        let chain_hint = if part(chain) { chain } else { "rare_earth" };
        errs.push(FieldError::new(
            "id",
            format!(
                "节点编号「{id}」无效：应为「产业链编号.节点编号」，例如 rare_earth.magnet；\
                 两部分只能用小写字母、数字和下划线，中间恰有一个点，点前须是本节点的产业链编号（{chain_hint}）"
            ),
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
