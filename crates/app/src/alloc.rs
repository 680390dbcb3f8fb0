//! The shared-capacity service (聚合加工): registry machines and delivery records become the
//! optimiser's shops; orders are planned across them and re-planned when a shop drops out.

use crate::Error;
use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{
    Delivery, Envelope, Machine, Material, PerformancePolicy, Process, Shop,
};
use innomesh_core::model::EquipmentKind;
use innomesh_core::{EntityKind, Record};
use innomesh_store::Repository;
use std::collections::BTreeMap;

/// Shops as the optimiser sees them: machine tools with a known process, grouped by owner.
pub fn shops(repo: &dyn Repository) -> Result<Vec<Shop>, Error> {
    let home = repo
        .meta("home_region")?
        .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string());
    let mut by_owner: BTreeMap<String, Shop> = BTreeMap::new();
    for r in repo.all(EntityKind::Equipment)? {
        let Record::Equipment(e) = r else { continue };
        if e.kind != EquipmentKind::Machine {
            continue;
        }
        let Some(process) = e.processes.iter().find_map(|p| Process::parse(p)) else {
            continue;
        };
        let shop = by_owner.entry(e.owner.to_string()).or_insert_with(|| Shop {
            id: e.owner.to_string(),
            name: String::new(),
            local: e
                .region
                .as_ref()
                .map(|r| r.as_str().starts_with(&home))
                .unwrap_or(false),
            machines: vec![],
            deliveries: vec![],
        });
        shop.machines.push(Machine {
            id: e.id.clone(),
            name: e.name.clone(),
            process,
            materials: e
                .materials
                .iter()
                .filter_map(|m| Material::parse(m))
                .collect(),
            envelope: Envelope::parse(&e.envelope_mm).unwrap_or(Envelope {
                x_mm: 500.0,
                y_mm: 300.0,
                z_mm: 200.0,
            }),
            tolerance_um: e.tolerance_um.unwrap_or(50.0),
            free_hours_per_week: (e.capacity_hours - e.used_hours).max(0.0),
            hourly_cost: e.hourly_cost.unwrap_or(150.0),
            speed: 1.0,
        });
    }
    let mut deliveries: Vec<_> = repo
        .all(EntityKind::Delivery)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Delivery(d) => Some(d),
            _ => None,
        })
        .collect();
    deliveries.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    for d in deliveries {
        if let Some(shop) = by_owner.get_mut(d.shop.as_str()) {
            shop.deliveries.push(Delivery {
                on_time: d.on_time,
                quality_passed: d.quality_passed,
                response_hours: d.response_hours,
                hours: d.hours,
            });
        }
    }
    let codes: Vec<String> = by_owner.keys().cloned().collect();
    let names = repo.org_names(&codes)?;
    for (code, shop) in by_owner.iter_mut() {
        shop.name = names.get(code).cloned().unwrap_or_default();
    }
    Ok(by_owner.into_values().collect())
}

/// A 示例订单 drawn from what the registry's shops can make: deterministic for a seed.
pub fn sample_order(shops: &[Shop], parts: usize, seed: u64) -> Order {
    let mut rng = innomesh_core::sample::Rng::new(seed);
    let processes: Vec<Process> = {
        let mut p: Vec<Process> = shops
            .iter()
            .flat_map(|s| s.machines.iter().map(|m| m.process))
            .collect();
        p.sort_by_key(|x| format!("{x:?}"));
        p.dedup();
        p
    };
    let names = [
        "法兰盘",
        "传动轴",
        "齿轮坯",
        "轴承座",
        "连接板",
        "支架",
        "端盖",
        "液压阀块",
        "滚筒",
        "导轨",
    ];
    let parts = (0..parts)
        .map(|i| {
            let steps = 1 + rng.below(3);
            let routing = (0..steps)
                .map(|_| Step {
                    process: processes[rng
                        .below(processes.len().max(1))
                        .min(processes.len().saturating_sub(1))],
                    hours_per_unit: (rng.range(2, 30) as f64) / 10.0,
                })
                .collect();
            Part {
                id: format!("P{:02}", i + 1),
                name: format!("{}-{}", names[i % names.len()], i / names.len() + 1),
                routing,
                quantity: rng.range(10, 120) as u32,
                material: [
                    Material::CarbonSteel,
                    Material::AlloySteel,
                    Material::CastIron,
                ][rng.below(3)],
                size_mm: [
                    rng.range(50, 400) as f64,
                    rng.range(40, 200) as f64,
                    rng.range(20, 120) as f64,
                ],
                tolerance_um: [20.0, 50.0, 100.0][rng.below(3)],
                due_hours: rng.range(80, 240) as f64,
                splittable: rng.chance(0.7),
            }
        })
        .collect();
    Order {
        id: format!("示例订单-{seed}"),
        parts,
    }
}

pub fn policy() -> PerformancePolicy {
    PerformancePolicy::default()
}

/// Columns of an order sheet (订单导入), in template order.
pub const ORDER_HEADERS: [&str; 10] = [
    "零件编号",
    "零件名称",
    "数量",
    "材料",
    "尺寸（mm）",
    "公差（μm）",
    "交期（小时）",
    "可拆分",
    "工艺路线",
    "备注",
];

/// Reads an order from a spreadsheet: one part per row, the routing written
/// `车削:0.5；铣削:1.2` (process : standard hours per unit). Every bad cell is reported.
pub fn order_from_table(
    table: &innomesh_sheets::Table,
    order_id: &str,
) -> Result<Order, Vec<innomesh_core::tabular::RowError>> {
    use innomesh_core::tabular::RowError;
    let col = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().trim_start_matches('*') == name)
    };
    let mut errors = Vec::new();
    let mut cols = Vec::new();
    for h in ORDER_HEADERS.iter().take(9) {
        match col(h) {
            Some(c) => cols.push(c),
            None => {
                errors.push(RowError {
                    row: 1,
                    column: h.to_string(),
                    value: String::new(),
                    reason: format!("表头缺少「{h}」列：请使用订单模板"),
                });
                cols.push(usize::MAX);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut parts = Vec::new();
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(cols[i]).map(|c| c.display()).unwrap_or_default();
        let mut bad = |i: usize, reason: String| {
            errors.push(RowError {
                row: *row,
                column: ORDER_HEADERS[i].to_string(),
                value: cell(i),
                reason,
            })
        };
        let id = cell(0);
        if id.is_empty() {
            bad(0, "必填".into());
        }
        let quantity = cell(2).parse::<u32>().ok().filter(|q| *q > 0);
        if quantity.is_none() {
            bad(2, "应为正整数".into());
        }
        let material = Material::parse(&cell(3));
        if material.is_none() {
            bad(3, "不是可识别的材料：碳钢、合金钢、不锈钢、铸铁、铝合金、铜、钛合金、稀土合金、工程塑料".into());
        }
        let size = Envelope::parse(&cell(4));
        if size.is_none() {
            bad(4, "应为 长×宽×高（毫米），例如 300×120×80".into());
        }
        let tolerance = cell(5).parse::<f64>().ok().filter(|t| *t > 0.0);
        if tolerance.is_none() {
            bad(5, "应为正数（微米）".into());
        }
        let due = cell(6).parse::<f64>().ok().filter(|t| *t > 0.0);
        if due.is_none() {
            bad(6, "应为正数（从开工起的小时数）".into());
        }
        let splittable = match cell(7).as_str() {
            "是" | "Y" | "y" | "1" | "true" => true,
            "否" | "N" | "n" | "0" | "false" | "" => false,
            _ => {
                bad(7, "应为「是」或「否」".into());
                false
            }
        };
        let mut routing = Vec::new();
        for stepping in cell(8)
            .split(['；', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let parsed = stepping.split_once([':', '：']).and_then(|(p, h)| {
                Some((
                    Process::parse(p)?,
                    h.trim().parse::<f64>().ok().filter(|h| *h > 0.0)?,
                ))
            });
            match parsed {
                Some((process, hours_per_unit)) => routing.push(Step { process, hours_per_unit }),
                None => bad(8, format!("工序「{stepping}」应为 工艺:每件标准工时，工艺可选 车削、铣削、磨削、钻孔、电火花、焊接、热处理、表面处理、检测")),
            }
        }
        if routing.is_empty() && !cell(8).is_empty() {
            // already reported above
        } else if routing.is_empty() {
            bad(8, "必填：至少一道工序".into());
        }
        if let (Some(quantity), Some(material), Some(s), Some(tolerance_um), Some(due_hours)) =
            (quantity, material, size, tolerance, due)
        {
            parts.push(Part {
                id: id.clone(),
                name: cell(1),
                routing,
                quantity,
                material,
                size_mm: [s.x_mm, s.y_mm, s.z_mm],
                tolerance_um,
                due_hours,
                splittable,
            });
        }
    }
    if parts.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: String::new(),
            value: String::new(),
            reason: "订单没有零件行".into(),
        });
    }
    if errors.is_empty() {
        Ok(Order {
            id: order_id.to_string(),
            parts,
        })
    } else {
        Err(errors)
    }
}

/// An order template with two example rows (示例).
pub fn order_template() -> Result<Vec<u8>, innomesh_sheets::SheetError> {
    use innomesh_core::tabular::Cell;
    let t = |s: &str| Cell::Text(s.to_string());
    let heads: Vec<String> = ORDER_HEADERS.iter().map(|s| s.to_string()).collect();
    let rows = vec![
        vec![
            t("P01"),
            t("传动轴（示例）"),
            Cell::Number(120.0),
            t("合金钢"),
            t("420×60×60"),
            Cell::Number(20.0),
            Cell::Number(160.0),
            t("是"),
            t("车削:0.6；热处理:0.2；磨削:0.4"),
            t("示例行，导入前请删除"),
        ],
        vec![
            t("P02"),
            t("轴承座（示例）"),
            Cell::Number(40.0),
            t("铸铁"),
            t("260×180×120"),
            Cell::Number(50.0),
            Cell::Number(200.0),
            t("否"),
            t("铣削:1.1；钻孔:0.3；检测:0.1"),
            t("示例行，导入前请删除"),
        ],
    ];
    innomesh_sheets::write_xlsx(&[innomesh_sheets::Sheet {
        name: "订单",
        headers: &heads,
        rows: &rows,
    }])
}

/// Shops, the order and its plan.
pub type Planned = (Vec<Shop>, Order, innomesh_alloc::Plan);

/// A sample order's plan, kept until the registry changes (the solver runs ~0.5 s).
pub fn sample_plan(
    app: &crate::App,
    parts: usize,
    seed: u64,
) -> Result<std::sync::Arc<Planned>, Error> {
    app.derived.sample_plans.get(app, (parts, seed), || {
        let shops = shops(app.repo())?;
        let order = sample_order(&shops, parts, seed);
        let mut cfg = innomesh_alloc::PlanConfig {
            policy: policy(),
            ..innomesh_alloc::PlanConfig::default()
        };
        cfg.gap.time_limit = 0.5;
        cfg.fjsp.time_limit = 0.5;
        let plan = innomesh_alloc::plan_order(&order, &shops, &cfg)
            .map_err(|e| Error::invalid(e.to_string()))?;
        Ok((shops, order, plan))
    })
}
