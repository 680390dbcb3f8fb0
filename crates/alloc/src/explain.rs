//! Why a part could not be placed, in one line a planner can act on: the step and constraint that
//! bind, how many machines qualify, and the closest machine with what it lacks
//! (「转子轴：车削 · 铝合金 · 公差 30μm → 合格机床 0 台；最接近：某某公司 数控车床（公差 50μm）」).
//! Names, never codes.

use serde::Serialize;

use crate::eligibility::machine_misfit;
use crate::order::{Order, Part, Step};
use crate::plan::Plan;
use crate::registry::{Machine, PerformancePolicy, Shop};

/// What stopped a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// A step has no qualified machine anywhere.
    NoMachine,
    /// Every step has machines, but no one shop has them all.
    NoSingleShop,
    /// Shops that could make it are excluded (performance, new-shop order limit).
    ShopExcluded,
    /// Qualified shops have too few free hours before the due date.
    Capacity,
}

/// One line per part that is (partly) not placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartSummary {
    pub part_id: String,
    pub part_name: String,
    /// Units not placed.
    pub quantity: u32,
    pub binding: Binding,
    /// What binds, without the part's name (for a page that shows the name itself).
    pub detail: String,
    /// 「零件名：detail」.
    pub line: String,
}

fn shop_label(shop: &Shop) -> &str {
    if shop.name.trim().is_empty() {
        &shop.id
    } else {
        &shop.name
    }
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// What a machine of the right process lacks for a step, worst first, and how many criteria fail.
fn lacks(machine: &Machine, part: &Part) -> (usize, f64, Vec<String>) {
    let mut out = Vec::new();
    if !machine.materials.contains(&part.material) {
        out.push(format!("不能加工{}", part.material.label_zh()));
    }
    if let Some((envelope, size)) = machine.envelope.misfit(part.size_mm) {
        out.push(format!("工作台 {}mm，零件 {}mm", num(envelope), num(size)));
    }
    if machine.tolerance_um > part.tolerance_um {
        out.push(format!("公差 {}μm", num(machine.tolerance_um)));
    }
    if machine.free_hours_per_week.is_nan() || machine.free_hours_per_week < 1.0 {
        out.push("每周空闲不足 1 小时".to_string());
    }
    // Ties: the one nearest to the tolerance asked.
    let distance = (machine.tolerance_um / part.tolerance_um.max(1e-9)).max(1.0);
    (out.len(), distance, out)
}

/// The constraints of a step as the planner wrote them: 车削 · 铝合金 · 公差 30μm.
fn step_label(part: &Part, step: &Step, size_matters: bool) -> String {
    let mut s = format!(
        "{} · {} · 公差 {}μm",
        step.process.label_zh(),
        part.material.label_zh(),
        num(part.tolerance_um)
    );
    if size_matters {
        let [a, b, c] = part.size_mm;
        s.push_str(&format!(" · 尺寸 {}×{}×{}mm", num(a), num(b), num(c)));
    }
    s
}

/// One summary per part with units not placed, in order of the parts.
pub fn summarise(
    order: &Order,
    shops: &[Shop],
    plan: &Plan,
    policy: &PerformancePolicy,
) -> Vec<PartSummary> {
    let mut out = Vec::new();
    for part in &order.parts {
        let quantity: u32 = plan
            .unassigned
            .iter()
            .filter(|u| u.part_id == part.id)
            .map(|u| u.quantity)
            .sum();
        if quantity == 0 {
            continue;
        }
        let name = if part.name.trim().is_empty() {
            part.id.clone()
        } else {
            part.name.clone()
        };
        let (binding, detail) = explain_part(part, quantity, shops, plan, policy);
        out.push(PartSummary {
            part_id: part.id.clone(),
            part_name: name.clone(),
            quantity,
            binding,
            line: format!("{name}：{detail}"),
            detail,
        });
    }
    out
}

fn explain_part(
    part: &Part,
    quantity: u32,
    shops: &[Shop],
    plan: &Plan,
    policy: &PerformancePolicy,
) -> (Binding, String) {
    if part.routing.is_empty() {
        return (Binding::NoMachine, "没有工序".to_string());
    }
    // Qualified machines per step, over every shop.
    let qualified: Vec<Vec<(usize, usize)>> = part
        .routing
        .iter()
        .map(|step| {
            shops
                .iter()
                .enumerate()
                .flat_map(|(s, shop)| {
                    shop.machines
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| machine_misfit(m, part, step).is_none())
                        .map(move |(mi, _)| (s, mi))
                })
                .collect()
        })
        .collect();
    if let Some(k) = qualified.iter().position(|q| q.is_empty()) {
        let step = &part.routing[k];
        let candidates: Vec<(usize, f64, Vec<String>, &Shop, &Machine)> = shops
            .iter()
            .flat_map(|shop| {
                shop.machines
                    .iter()
                    .filter(|m| m.process == step.process)
                    .map(move |m| (shop, m))
            })
            .map(|(shop, m)| {
                let (n, d, l) = lacks(m, part);
                (n, d, l, shop, m)
            })
            .collect();
        let best = candidates
            .iter()
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let size_matters = best.is_some_and(|b| b.2.iter().any(|l| l.starts_with("工作台")));
        let which = if part.routing.len() > 1 {
            format!("第 {} 道 ", k + 1)
        } else {
            String::new()
        };
        let head = format!(
            "{which}{} → 合格机床 0 台",
            step_label(part, step, size_matters)
        );
        return match best {
            Some((_, _, l, shop, m)) => (
                Binding::NoMachine,
                format!(
                    "{head}；最接近：{} {}（{}）",
                    shop_label(shop),
                    m.name,
                    l.join("，")
                ),
            ),
            None => (
                Binding::NoMachine,
                format!("{head}；登记库中没有{}机床", step.process.label_zh()),
            ),
        };
    }
    let counts: Vec<String> = part
        .routing
        .iter()
        .zip(&qualified)
        .map(|(step, q)| format!("{} {} 台", step.process.label_zh(), q.len()))
        .collect();
    // Shops that have a qualified machine for every step.
    let complete: Vec<usize> = (0..shops.len())
        .filter(|&s| qualified.iter().all(|q| q.iter().any(|(x, _)| *x == s)))
        .collect();
    if complete.is_empty() {
        return (
            Binding::NoSingleShop,
            format!(
                "合格机床 {}，但没有一家车间能完成全部工序（一个批次在一家车间完成）；可拆成分工序订单或寻找综合车间",
                counts.join("、")
            ),
        );
    }
    let poor: Vec<&Shop> = complete
        .iter()
        .map(|&s| &shops[s])
        .filter(|s| s.performance(policy).is_some_and(|x| x < policy.min_score))
        .collect();
    let hours_needed: f64 = part
        .routing
        .iter()
        .map(|st| st.hours_per_unit * f64::from(quantity))
        .sum();
    let limited: Vec<&Shop> = complete
        .iter()
        .map(|&s| &shops[s])
        .filter(|s| !poor.iter().any(|p| p.id == s.id))
        .filter(|s| {
            !part.splittable
                && s.order_limit_hours(policy)
                    .is_some_and(|l| l < hours_needed)
        })
        .collect();
    if poor.len() + limited.len() == complete.len() {
        let mut why = Vec::new();
        if !poor.is_empty() {
            why.push(format!(
                "{} 家近期绩效低于门槛 {:.2}（如 {}）",
                poor.len(),
                policy.min_score,
                shop_label(poor[0])
            ));
        }
        if !limited.is_empty() {
            why.push(format!(
                "{} 家新车间单笔接单上限不足 {} 小时（如 {}）",
                limited.len(),
                num(hours_needed.round()),
                shop_label(limited[0])
            ));
        }
        return (
            Binding::ShopExcluded,
            format!("合格车间 {} 家，但其中 {}", complete.len(), why.join("，")),
        );
    }
    // Capacity: the step whose qualified machines have the fewest free hours up to the horizon.
    let weeks = plan.horizon_weeks.max(1);
    let tight = part
        .routing
        .iter()
        .zip(&qualified)
        .enumerate()
        .map(|(k, (step, q))| {
            let free: f64 = q
                .iter()
                .map(|&(s, mi)| shops[s].machines[mi].free_hours_per_week.clamp(0.0, 168.0))
                .sum::<f64>()
                * f64::from(weeks);
            let need = step.hours_per_unit * f64::from(quantity);
            (free - need, k, step, free, need, q.len())
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, k, step, free, need, n)) = tight else {
        return (Binding::Capacity, "空闲工时不足".to_string());
    };
    let which = if part.routing.len() > 1 {
        format!("第 {} 道 ", k + 1)
    } else {
        String::new()
    };
    let short = if free < need {
        format!("少于本零件所需 {} 小时", num(need.round()))
    } else {
        format!("被其他零件占用后不足本零件所需 {} 小时", num(need.round()))
    };
    let remedy = if part.splittable {
        "可延后交期或增加车间"
    } else {
        "可延后交期或允许拆分"
    };
    (
        Binding::Capacity,
        format!(
            "{which}{} → 合格机床 {n} 台，交期内（{weeks} 周）空闲共 {} 小时，{short}（{quantity} 件）；{remedy}",
            step_label(part, step, false),
            num(free.round()),
        ),
    )
}
