//! Re-planning when a shop drops out: keep every lot that was not at the dropped shop where it
//! was unless moving it is the only way to place the affected lots, and report what moved.

use serde::Serialize;

use crate::build::{self, Lot};
use crate::order::Order;
use crate::plan::{plan_lots, Plan, PlanConfig};
use crate::registry::Shop;
use crate::AllocError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepairReport {
    pub plan: Plan,
    /// Lots (part id, quantity, old shop → new shop or "未分配") whose shop changed.
    pub moved: Vec<String>,
    /// Lots that stayed at their shop.
    pub kept: usize,
}

/// Re-plans `previous` without the shop `dropped_shop_id`. The GAP gets a surcharge larger than
/// any cost difference for putting a lot anywhere but its previous shop, so the optimiser first
/// minimises the number of moved lots and only then cost.
pub fn repair_plan(
    order: &Order,
    shops: &[Shop],
    previous: &Plan,
    dropped_shop_id: &str,
    cfg: &PlanConfig,
) -> Result<RepairReport, AllocError> {
    let remaining: Vec<Shop> = shops
        .iter()
        .filter(|s| s.id != dropped_shop_id)
        .cloned()
        .collect();
    if remaining.len() == shops.len() {
        return Err(AllocError::config(
            format!("车间「{dropped_shop_id}」不在车间列表中"),
            "the dropped shop is not among the shops",
        ));
    }
    let part_index = |id: &str| order.parts.iter().position(|p| p.id == id);
    // The same lots as before (placed or not), so that "moved" has a meaning.
    let mut lots = Vec::new();
    let mut previous_shop: Vec<Option<usize>> = Vec::new();
    for l in &previous.lots {
        let part = part_index(&l.part_id).ok_or_else(|| {
            AllocError::config(
                format!("原计划中的零件「{}」不在订单中", l.part_id),
                "previous plan does not match the order",
            )
        })?;
        lots.push(Lot {
            part,
            quantity: l.quantity,
        });
        previous_shop.push(remaining.iter().position(|s| s.id == l.shop_id));
    }
    for u in &previous.unassigned {
        if let Some(part) = part_index(&u.part_id) {
            lots.push(Lot {
                part,
                quantity: u.quantity,
            });
            previous_shop.push(None);
        }
    }
    let eligibility = build::check_order(order, &remaining, &cfg.policy);
    // Surcharge above the largest possible total cost difference (costs are in fen).
    let worst: f64 = lots
        .iter()
        .map(|lot| {
            eligibility[lot.part]
                .fits
                .iter()
                .map(|f| {
                    build::lot_cost_hours(
                        &order.parts[lot.part],
                        lot.quantity,
                        &remaining[f.shop],
                        &f.machines_per_step,
                    )
                    .0
                })
                .fold(0.0, f64::max)
        })
        .sum();
    let surcharge = ((worst * 100.0).ceil() as i64 + 1).min(400_000_000);
    let stay = |i: usize, j: usize| match previous_shop[j] {
        Some(p) if p == i => 0,
        _ => surcharge,
    };
    let plan = plan_lots(order, &remaining, cfg, &eligibility, &lots, &stay)?;
    let old: Vec<(String, u32, String)> = previous
        .lots
        .iter()
        .map(|l| (l.part_id.clone(), l.quantity, l.shop_id.clone()))
        .collect();
    let mut unmatched = old.clone();
    let mut kept = 0;
    let mut moved = Vec::new();
    for l in &plan.lots {
        if let Some(k) = unmatched
            .iter()
            .position(|(p, q, s)| *p == l.part_id && *q == l.quantity && *s == l.shop_id)
        {
            unmatched.remove(k);
            kept += 1;
        } else {
            let from = unmatched
                .iter()
                .position(|(p, q, _)| *p == l.part_id && *q == l.quantity)
                .map(|k| unmatched.remove(k).2)
                .unwrap_or_else(|| "未分配".to_string());
            moved.push(format!(
                "{} ×{}：{} → {}",
                l.part_id, l.quantity, from, l.shop_id
            ));
        }
    }
    for (p, q, s) in unmatched {
        moved.push(format!("{p} ×{q}：{s} → 未分配"));
    }
    Ok(RepairReport { plan, moved, kept })
}
