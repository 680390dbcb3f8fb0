//! Which shops and machines may make which part, and for every exclusion a Chinese reason a
//! planner can act on (工作台尺寸 800mm 小于零件尺寸 1200mm).

use serde::{Deserialize, Serialize};

use crate::order::{Part, Step};
use crate::registry::{Machine, PerformancePolicy, Shop};

/// Why a shop or one of its machines cannot take a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    pub part_id: String,
    pub shop_id: String,
    /// None when the whole shop is excluded.
    pub machine_id: Option<String>,
    pub reason: String,
}

/// The reason a machine cannot run a step of a part, or None when it can.
pub fn machine_misfit(machine: &Machine, part: &Part, step: &Step) -> Option<String> {
    if machine.process != step.process {
        return Some(format!(
            "工艺不符：需要「{}」，该机床为「{}」",
            step.process.label_zh(),
            machine.process.label_zh()
        ));
    }
    if !machine.materials.contains(&part.material) {
        return Some(format!("不能加工材料「{}」", part.material.label_zh()));
    }
    if let Some((envelope, size)) = machine.envelope.misfit(part.size_mm) {
        return Some(format!("工作台尺寸 {envelope}mm 小于零件尺寸 {size}mm"));
    }
    if machine.tolerance_um > part.tolerance_um {
        return Some(format!(
            "精度不足：机床可达 {}μm，零件要求 {}μm",
            machine.tolerance_um, part.tolerance_um
        ));
    }
    if machine.free_hours_per_week.is_nan() || machine.free_hours_per_week < 1.0 {
        return Some("每周空闲工时不足 1 小时".to_string());
    }
    if machine.speed <= 0.0 {
        return Some("机床效率系数必须为正数，请修正登记信息".to_string());
    }
    None
}

/// Per part and shop: for each routing step the eligible machine indices of the shop.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopFit {
    pub shop: usize,
    pub machines_per_step: Vec<Vec<usize>>,
}

/// Eligibility of one part over all shops.
#[derive(Debug, Clone, PartialEq)]
pub struct PartEligibility {
    pub fits: Vec<ShopFit>,
    pub exclusions: Vec<Exclusion>,
}

/// Checks a part against every shop: performance, then every routing step against every machine.
/// A shop fits when each step has at least one eligible machine in it.
pub fn check_part(part: &Part, shops: &[Shop], policy: &PerformancePolicy) -> PartEligibility {
    let mut fits = Vec::new();
    let mut exclusions = Vec::new();
    let exclude_shop = |shop: &Shop, reason: String| Exclusion {
        part_id: part.id.clone(),
        shop_id: shop.id.clone(),
        machine_id: None,
        reason,
    };
    for (s, shop) in shops.iter().enumerate() {
        if let Some(score) = shop.performance(policy) {
            if score < policy.min_score {
                exclusions.push(exclude_shop(
                    shop,
                    format!("近期绩效评分 {score:.2} 低于门槛 {:.2}", policy.min_score),
                ));
                continue;
            }
        }
        let mut per_step = Vec::with_capacity(part.routing.len());
        let mut missing = None;
        for (k, step) in part.routing.iter().enumerate() {
            let mut ok = Vec::new();
            for (mi, machine) in shop.machines.iter().enumerate() {
                match machine_misfit(machine, part, step) {
                    None => ok.push(mi),
                    Some(reason) if machine.process == step.process => exclusions.push(Exclusion {
                        part_id: part.id.clone(),
                        shop_id: shop.id.clone(),
                        machine_id: Some(machine.id.clone()),
                        reason: format!(
                            "第 {} 道工序（{}）：{reason}",
                            k + 1,
                            step.process.label_zh()
                        ),
                    }),
                    // Machines of another process are not candidates at all; listing them is noise.
                    Some(_) => {}
                }
            }
            if ok.is_empty() && missing.is_none() {
                missing = Some((k, step));
            }
            per_step.push(ok);
        }
        if let Some((k, step)) = missing {
            exclusions.push(exclude_shop(
                shop,
                format!(
                    "没有能完成第 {} 道工序「{}」的合格机床",
                    k + 1,
                    step.process.label_zh()
                ),
            ));
            continue;
        }
        let hours: f64 = part
            .routing
            .iter()
            .zip(&per_step)
            .map(|(step, ms)| {
                ms.iter()
                    .map(|&mi| part.step_hours(step, shop.machines[mi].speed))
                    .fold(f64::INFINITY, f64::min)
            })
            .sum();
        if let Some(limit) = shop.order_limit_hours(policy) {
            if hours > limit && !part.splittable {
                exclusions.push(exclude_shop(
                    shop,
                    format!("新车间单笔接单上限 {limit:.0} 小时，本零件需要 {hours:.1} 小时"),
                ));
                continue;
            }
        }
        fits.push(ShopFit {
            shop: s,
            machines_per_step: per_step,
        });
    }
    PartEligibility { fits, exclusions }
}
