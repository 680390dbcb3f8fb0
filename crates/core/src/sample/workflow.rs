//! The demand workflow of the sample: technology managers carry screened demands, and solvers'
//! responses carry the outcome the demand's side gave them. Drawn from its own random stream so
//! the rest of the sample does not change when this part does.

use super::Rng;
use crate::entity::Record;
use crate::model::{DemandResponse, DemandStatus, PersonRole, ResponseOutcome, SolverType};
use crate::values::{Date, Labelled};

const DECLINED: &[&str] = &[
    "方案与企业现有产线不匹配",
    "报价超出需求的预算区间",
    "交付周期长于需求截止日期",
    "已选择技术路线更成熟的方案",
    "团队缺少中试放大经验",
];
const PROPOSALS: &[&str] = &[
    "拟联合开展工艺优化试验，三个月内完成小试验证",
    "可提供现有成果的技术许可并派驻工程师现场调试",
    "建议先做失效分析与检测，再制定改进方案",
    "可开放平台中试线，按机时收费共同开展验证",
    "拟以技术入股方式合作，共建联合实验室",
];

pub(super) fn add(records: &mut Vec<Record>, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x5eed_f10e_d00d_cafe);
    let mut managers = Vec::new();
    let mut experts = Vec::new();
    let mut platforms = Vec::new();
    for r in records.iter() {
        match r {
            Record::Person(p) if p.role == PersonRole::TechnologyManager => {
                managers.push(p.id.clone())
            }
            Record::Person(p) => experts.push(p.id.clone()),
            Record::Platform(p) => platforms.push(p.id.clone()),
            _ => {}
        }
    }
    if managers.is_empty() || experts.is_empty() {
        return;
    }
    let mut responses = Vec::new();
    for r in records.iter_mut() {
        let Record::Demand(d) = r else { continue };
        let stage = DemandStatus::ALL
            .iter()
            .position(|s| *s == d.status)
            .unwrap_or(0);
        if stage == 0 {
            continue;
        }
        // Each manager serves a few districts' firms more often than others.
        let home = d
            .region
            .as_ref()
            .map(|c| c.as_str().bytes().map(usize::from).sum::<usize>())
            .unwrap_or(0);
        let m = if rng.chance(0.7) {
            home % managers.len()
        } else {
            rng.below(managers.len())
        };
        d.manager = Some(managers[m].clone());
        if stage < 2 {
            continue;
        }
        let n = 1 + rng.below(4);
        let chosen = rng.below(n);
        for k in 0..n {
            let (solver_type, solver) = if platforms.is_empty() || rng.chance(0.7) {
                (SolverType::Expert, rng.pick(&experts).clone())
            } else {
                (SolverType::Platform, rng.pick(&platforms).clone())
            };
            let submitted = Date::new(2025, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8)
                .expect("day ≤ 28 is valid in every month");
            let day = Date::new(2026, 1 + rng.below(10) as u8, 1 + rng.below(28) as u8).ok();
            let (outcome, feedback, decided) = match d.status {
                DemandStatus::Contracted | DemandStatus::Delivered if k == chosen => (
                    ResponseOutcome::Selected,
                    "方案指标满足需求，已签订技术合同".to_string(),
                    day,
                ),
                DemandStatus::Contracted | DemandStatus::Delivered => (
                    ResponseOutcome::Declined,
                    rng.pick(DECLINED).to_string(),
                    day,
                ),
                DemandStatus::Contacted if k == chosen => (
                    ResponseOutcome::Shortlisted,
                    "方案进入对接洽谈，请准备现场交流".to_string(),
                    day,
                ),
                _ => (ResponseOutcome::Pending, String::new(), None),
            };
            responses.push(Record::DemandResponse(DemandResponse {
                id: String::new(),
                demand: d.id.clone(),
                solver_type,
                solver,
                proposal: rng.pick(PROPOSALS).to_string(),
                submitted,
                outcome,
                feedback,
                decided,
            }));
        }
    }
    for (i, mut r) in responses.into_iter().enumerate() {
        r.set_id(format!("DR{:06}", i + 1));
        records.push(r);
    }
}
