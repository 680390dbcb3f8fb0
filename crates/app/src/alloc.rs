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
        // The seed only draws the sample; it is not an order number.
        id: "示例订单".to_string(),
        parts,
    }
}

pub fn policy() -> PerformancePolicy {
    PerformancePolicy::default()
}

/// Columns of an order sheet (订单导入), in template order. 订单编号 (filled on the first row or
/// left empty for a generated number), 零件名称, 可拆分 and 备注 may be left out; the routing is
/// either 工序1/每件工时1 … 工序4/每件工时4 (drop-down lists in the template) or, as before, one
/// column 工艺路线 written `车削:0.5；铣削:1.2`.
pub const ORDER_HEADERS: [&str; 18] = [
    "订单编号",
    "零件编号",
    "零件名称",
    "数量",
    "材料",
    "尺寸（mm）",
    "公差（μm）",
    "交期（小时）",
    "可拆分",
    "工序1",
    "每件工时1（小时）",
    "工序2",
    "每件工时2（小时）",
    "工序3",
    "每件工时3（小时）",
    "工序4",
    "每件工时4（小时）",
    "备注",
];

/// Routing steps a template row offers.
pub const TEMPLATE_STEPS: usize = 4;

/// Spreadsheet column letters (A, B, …, Z, AA, …) of a 0-based index.
pub fn column_letter(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A sequence-like number for an uploaded order without one: DD-YYYYMMDD-NNN, the same for the
/// same file on the same day (NNN from the file's bytes).
pub fn generated_order_number(bytes: &[u8], today: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let day: String = today
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(8)
        .collect();
    format!("DD-{day}-{:03}", h % 1000)
}

/// Reads an order from a spreadsheet: one part per row. Every bad cell is reported with its row
/// and column (「材料（E 列）」). `fallback_id` numbers the order when the sheet gives none.
pub fn order_from_table(
    table: &innomesh_sheets::Table,
    fallback_id: &str,
) -> Result<Order, Vec<innomesh_core::tabular::RowError>> {
    use innomesh_core::tabular::RowError;
    let col = |name: &str| {
        table
            .headers
            .iter()
            .position(|h| h.trim().trim_start_matches('*') == name)
    };
    let named = |name: &str| match col(name) {
        Some(c) => format!("{name}（{} 列）", column_letter(c)),
        None => name.to_string(),
    };
    let mut errors = Vec::new();
    for h in [
        "零件编号",
        "数量",
        "材料",
        "尺寸（mm）",
        "公差（μm）",
        "交期（小时）",
    ] {
        if col(h).is_none() {
            errors.push(RowError {
                row: 1,
                column: h.to_string(),
                value: String::new(),
                reason: format!("表头缺少「{h}」列：请使用订单模板"),
            });
        }
    }
    let legacy_routing = col("工艺路线");
    let step_cols: Vec<(usize, Option<usize>, String, String)> = (1..=TEMPLATE_STEPS)
        .filter_map(|k| {
            let p = format!("工序{k}");
            let h = format!("每件工时{k}（小时）");
            col(&p).map(|c| (c, col(&h), p, h))
        })
        .collect();
    if legacy_routing.is_none() && step_cols.is_empty() {
        errors.push(RowError {
            row: 1,
            column: "工序1".into(),
            value: String::new(),
            reason: "表头缺少工序列（工序1、每件工时1（小时）……）：请使用订单模板".into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let processes = Process::ALL
        .iter()
        .map(|p| p.label_zh())
        .collect::<Vec<_>>()
        .join("、");
    let materials = Material::ALL
        .iter()
        .map(|m| m.label_zh())
        .collect::<Vec<_>>()
        .join("、");
    let mut parts = Vec::new();
    let mut number: Option<(usize, String)> = None;
    for (row, cells) in &table.rows {
        let get = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(|c| c.display())
                .unwrap_or_default()
        };
        let cell = |name: &str| get(col(name));
        let mut bad = |name: &str, value: String, reason: String| {
            errors.push(RowError {
                row: *row,
                column: named(name),
                value,
                reason,
            })
        };
        let given = cell("订单编号");
        if !given.is_empty() {
            match &number {
                None => {
                    if given.chars().count() > 40 || given.chars().any(char::is_control) {
                        bad(
                            "订单编号",
                            given.clone(),
                            "订单编号最长 40 个字符，不能含控制字符".into(),
                        );
                    } else {
                        number = Some((*row, given.clone()));
                    }
                }
                Some((first, n)) if *n != given => bad(
                    "订单编号",
                    given.clone(),
                    format!("一个文件只能是一个订单：第 {first} 行的订单编号是「{n}」"),
                ),
                Some(_) => {}
            }
        }
        let id = cell("零件编号");
        if id.is_empty() {
            bad("零件编号", id.clone(), "必填".into());
        } else if parts.iter().any(|p: &Part| p.id == id) {
            bad(
                "零件编号",
                id.clone(),
                "零件编号重复：同一零件请合并为一行".into(),
            );
        }
        let quantity = cell("数量").parse::<u32>().ok().filter(|q| *q > 0);
        if quantity.is_none() {
            bad("数量", cell("数量"), "应为正整数（件）".into());
        }
        let material = Material::parse(&cell("材料"));
        if material.is_none() {
            bad(
                "材料",
                cell("材料"),
                format!("不是可识别的材料，可选：{materials}（模板中可从下拉列表选择）"),
            );
        }
        let size = Envelope::parse(&cell("尺寸（mm）"));
        if size.is_none() {
            bad(
                "尺寸（mm）",
                cell("尺寸（mm）"),
                "应为 长×宽×高（毫米，均为正数），例如 300×120×80".into(),
            );
        }
        let tolerance = cell("公差（μm）")
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0);
        if tolerance.is_none() {
            bad(
                "公差（μm）",
                cell("公差（μm）"),
                "应为正数（微米），例如 20".into(),
            );
        }
        let due = cell("交期（小时）")
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0 && *t <= 8760.0);
        if due.is_none() {
            bad(
                "交期（小时）",
                cell("交期（小时）"),
                "应为 0–8760 之间的正数（从开工起的小时数，一年以内）".into(),
            );
        }
        let splittable = match cell("可拆分").as_str() {
            "是" | "Y" | "y" | "1" | "true" => true,
            "否" | "N" | "n" | "0" | "false" | "" => false,
            other => {
                bad("可拆分", other.to_string(), "应为「是」或「否」".into());
                false
            }
        };
        let mut routing = Vec::new();
        let mut routing_bad = false;
        if let Some(c) = legacy_routing {
            let text = get(Some(c));
            for stepping in text
                .split(['；', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let parsed = stepping.split_once([':', '：']).and_then(|(p, h)| {
                    Some((
                        Process::parse(p)?,
                        h.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|h| h.is_finite() && *h > 0.0)?,
                    ))
                });
                match parsed {
                    Some((process, hours_per_unit)) => routing.push(Step {
                        process,
                        hours_per_unit,
                    }),
                    None => {
                        routing_bad = true;
                        bad(
                            "工艺路线",
                            text.clone(),
                            format!(
                                "工序「{stepping}」应为 工艺:每件标准工时，工艺可选 {processes}"
                            ),
                        )
                    }
                }
            }
        }
        for (pc, hc, pname, hname) in &step_cols {
            let p = get(Some(*pc));
            let h = get(*hc);
            if p.is_empty() && h.is_empty() {
                continue;
            }
            let process = Process::parse(&p);
            if process.is_none() {
                routing_bad = true;
                bad(
                    pname,
                    p.clone(),
                    if p.is_empty() {
                        format!("填了工时就要选工艺，可选：{processes}")
                    } else {
                        format!("不是可识别的工艺，可选：{processes}（模板中可从下拉列表选择）")
                    },
                );
            }
            let hours = h.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0);
            if hours.is_none() {
                routing_bad = true;
                bad(
                    hname,
                    h.clone(),
                    "应为正数（每件标准工时，小时），例如 0.5".into(),
                );
            }
            if let (Some(process), Some(hours_per_unit)) = (process, hours) {
                routing.push(Step {
                    process,
                    hours_per_unit,
                });
            }
        }
        if routing.is_empty() && !routing_bad {
            let first = if legacy_routing.is_some() && step_cols.is_empty() {
                "工艺路线"
            } else {
                "工序1"
            };
            bad(first, String::new(), "必填：至少一道工序".into());
        }
        if let (Some(quantity), Some(material), Some(s), Some(tolerance_um), Some(due_hours)) =
            (quantity, material, size, tolerance, due)
        {
            if !id.is_empty() && !routing_bad && !routing.is_empty() {
                parts.push(Part {
                    id: id.clone(),
                    name: cell("零件名称"),
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
            id: number.map_or_else(|| fallback_id.to_string(), |(_, n)| n),
            parts,
        })
    } else {
        Err(errors)
    }
}

/// An order template: the 订单 sheet with two example rows (valid as they stand: importing the
/// template unchanged plans them) and drop-down lists for 材料, 工序 and 可拆分 drawn from the
/// sheet 可选值, which lists every process and material the optimiser knows.
pub fn order_template() -> Result<Vec<u8>, innomesh_sheets::SheetError> {
    use rust_xlsxwriter::{
        DataValidation, DataValidationRule, Format as XFormat, Formula, Workbook,
    };
    let err = |e: rust_xlsxwriter::XlsxError| innomesh_sheets::SheetError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold().set_background_color(0xDDEBF7);
    let last_row: u32 = 1000;
    let col_of = |name: &str| ORDER_HEADERS.iter().position(|h| *h == name).unwrap_or(0) as u16;
    {
        let ws = wb.add_worksheet();
        ws.set_name("订单").map_err(err)?;
        for (c, h) in ORDER_HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
            let width = (h.chars().count() as f64 * 2.2 + 2.0).clamp(10.0, 40.0);
            ws.set_column_width(c as u16, width).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        let rows: [[&str; 18]; 2] = [
            [
                "",
                "P01",
                "传动轴（示例）",
                "120",
                "合金钢",
                "420×60×60",
                "20",
                "160",
                "是",
                "车削",
                "0.6",
                "热处理",
                "0.2",
                "磨削",
                "0.4",
                "",
                "",
                "示例行，可直接导入试算；正式订单请替换",
            ],
            [
                "",
                "P02",
                "轴承座（示例）",
                "40",
                "铸铁",
                "260×180×120",
                "50",
                "200",
                "否",
                "铣削",
                "1.1",
                "钻孔",
                "0.3",
                "检测",
                "0.1",
                "",
                "",
                "示例行；订单编号可留空，系统自动生成",
            ],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let (r, c) = (r as u32 + 1, c as u16);
                match v.parse::<f64>() {
                    Ok(n) => ws.write_number(r, c, n).map_err(err)?,
                    Err(_) => ws.write_string(r, c, *v).map_err(err)?,
                };
            }
        }
        let list = |range: &str,
                    title: &str,
                    msg: &str|
         -> Result<DataValidation, rust_xlsxwriter::XlsxError> {
            DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_input_title(title)?
                .set_input_message(msg)?
                .set_error_title("不在可选值中")?
                .set_error_message("请从下拉列表中选择（可选值见「可选值」工作表）")
        };
        let process_list = list("=可选值!$A$2:$A$10", "工艺", "从下拉列表选择工艺").map_err(err)?;
        ws.add_data_validation(
            1,
            col_of("材料"),
            last_row,
            col_of("材料"),
            &list("=可选值!$B$2:$B$10", "材料", "从下拉列表选择材料").map_err(err)?,
        )
        .map_err(err)?;
        for k in 1..=TEMPLATE_STEPS {
            let c = col_of(&format!("工序{k}"));
            ws.add_data_validation(1, c, last_row, c, &process_list)
                .map_err(err)?;
            let hc = col_of(&format!("每件工时{k}（小时）"));
            let hours = DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThan(0.0))
                .set_error_title("工时应为正数")
                .and_then(|d| d.set_error_message("每件标准工时（小时），例如 0.5"))
                .map_err(err)?;
            ws.add_data_validation(1, hc, last_row, hc, &hours)
                .map_err(err)?;
        }
        let yes_no = DataValidation::new()
            .allow_list_strings(&["是", "否"])
            .and_then(|d| d.set_error_message("请填「是」或「否」"))
            .map_err(err)?;
        ws.add_data_validation(1, col_of("可拆分"), last_row, col_of("可拆分"), &yes_no)
            .map_err(err)?;
        let whole = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThan(0))
            .set_error_message("数量应为正整数")
            .map_err(err)?;
        ws.add_data_validation(1, col_of("数量"), last_row, col_of("数量"), &whole)
            .map_err(err)?;
        for (name, msg) in [
            ("公差（μm）", "公差应为正数（微米）"),
            ("交期（小时）", "交期应为正数（从开工起的小时数）"),
        ] {
            let positive = DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThan(0.0))
                .set_error_message(msg)
                .map_err(err)?;
            ws.add_data_validation(1, col_of(name), last_row, col_of(name), &positive)
                .map_err(err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("可选值").map_err(err)?;
        for (c, h) in ["工艺", "材料", "可拆分"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
            ws.set_column_width(c as u16, 14.0).map_err(err)?;
        }
        for (r, p) in Process::ALL.iter().enumerate() {
            ws.write_string(r as u32 + 1, 0, p.label_zh())
                .map_err(err)?;
        }
        for (r, m) in Material::ALL.iter().enumerate() {
            ws.write_string(r as u32 + 1, 1, m.label_zh())
                .map_err(err)?;
        }
        for (r, v) in ["是", "否"].iter().enumerate() {
            ws.write_string(r as u32 + 1, 2, *v).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// Plans an uploaded order over the registry's shops (1 s + 1 s of search).
pub fn plan_uploaded(app: &crate::App, order: Order) -> Result<Planned, Error> {
    let shops = shops(app.repo())?;
    let mut cfg = innomesh_alloc::PlanConfig {
        policy: policy(),
        ..innomesh_alloc::PlanConfig::default()
    };
    cfg.gap.time_limit = 1.0;
    cfg.fjsp.time_limit = 1.0;
    let plan = innomesh_alloc::plan_order(&order, &shops, &cfg)
        .map_err(|e| Error::invalid(e.to_string()))?;
    Ok((shops, order, plan))
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

#[cfg(test)]
mod tests {
    use super::*;
    use innomesh_sheets::{read, Format};

    fn csv(text: &str) -> innomesh_sheets::Table {
        read(text.as_bytes(), Format::Csv).unwrap()
    }

    const HEAD: &str = "订单编号,零件编号,零件名称,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,可拆分,工序1,每件工时1（小时）,工序2,每件工时2（小时）";

    #[test]
    fn the_sheets_number_is_the_orders_and_steps_come_from_the_step_columns() {
        let t = csv(&format!(
            "{HEAD}\nHT-2026-0042,P1,传动轴,120,合金钢,420×60×60,20,160,是,车削,0.6,磨削,0.4\n,P2,端盖,5,铸铁,100×80×40,50,200,,铣削,1.1,,\n"
        ));
        let o = order_from_table(&t, "DD-20261208-001").unwrap();
        assert_eq!(o.id, "HT-2026-0042");
        assert_eq!(o.parts.len(), 2);
        assert_eq!(
            o.parts[0]
                .routing
                .iter()
                .map(|s| (s.process, s.hours_per_unit))
                .collect::<Vec<_>>(),
            vec![(Process::Turning, 0.6), (Process::Grinding, 0.4)]
        );
        assert!(o.parts[0].splittable && !o.parts[1].splittable);
        assert_eq!(o.parts[1].routing.len(), 1);
        // No number in the sheet: the generated one.
        let t = csv(&format!(
            "{HEAD}\n,P1,传动轴,1,合金钢,42×6×6,20,160,否,车削,0.6,,\n"
        ));
        assert_eq!(
            order_from_table(&t, "DD-20261208-001").unwrap().id,
            "DD-20261208-001"
        );
    }

    #[test]
    fn one_file_is_one_order_and_bad_steps_name_the_allowed_values() {
        let t = csv(&format!(
            "{HEAD}\nA-1,P1,轴,1,碳钢,10×10×10,50,100,否,车削,1,,\nA-2,P2,轴,1,碳钢,10×10×10,50,100,否,锻造,1,铣削,\nA-1,P1,轴,1,碳钢,10×10×10,50,100,否,车削,1,,\n"
        ));
        let errors = order_from_table(&t, "x").unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "订单编号（A 列）"),
                (3, "工序1（J 列）"),
                (3, "每件工时2（小时）（M 列）"),
                (4, "零件编号（B 列）"),
            ]
        );
        assert!(errors[0].reason.contains("第 2 行的订单编号是「A-1」"));
        assert!(errors[1]
            .reason
            .contains("可选：车削、铣削、磨削、钻孔、电火花、焊接、热处理、表面处理、检测"));
        assert!(errors[3].reason.contains("零件编号重复"));
    }

    #[test]
    fn the_older_routing_column_still_reads() {
        let t = csv("零件编号,数量,材料,尺寸（mm）,公差（μm）,交期（小时）,工艺路线\nP1,3,碳钢,10×10×10,50,100,车削:0.5；检测:0.1\n");
        let o = order_from_table(&t, "DD-1").unwrap();
        assert_eq!(o.parts[0].routing.len(), 2);
        assert_eq!(o.parts[0].routing[1].process, Process::Inspection);
        let t = csv(
            "零件编号,数量,材料,尺寸（mm）,公差（μm）,交期（小时）\nP1,3,碳钢,10×10×10,50,100\n",
        );
        let e = order_from_table(&t, "DD-1").unwrap_err();
        assert!(e[0].reason.contains("表头缺少工序列"), "{e:?}");
    }

    #[test]
    fn the_template_imports_as_it_stands_and_lists_the_allowed_values() {
        let bytes = order_template().unwrap();
        let t = read(&bytes, Format::Xlsx).unwrap();
        assert_eq!(t.headers, ORDER_HEADERS);
        let o = order_from_table(&t, "DD-20261208-007").unwrap();
        assert_eq!(o.id, "DD-20261208-007");
        assert_eq!(o.parts.len(), 2);
        assert_eq!(o.parts[0].routing.len(), 3);
    }

    #[test]
    fn generated_numbers_are_stable_per_file_and_day() {
        let a = generated_order_number(b"file one", "2026-12-08");
        assert_eq!(a, generated_order_number(b"file one", "2026-12-08"));
        assert!(a.starts_with("DD-20261208-") && a.len() == "DD-20261208-000".len());
        assert_ne!(
            generated_order_number(b"file one", "2026-12-09"),
            a,
            "another day"
        );
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(17), "R");
    }

    #[test]
    fn a_sample_order_is_not_numbered_by_its_seed() {
        let shops = vec![Shop {
            id: "91150203MA0000001X".into(),
            name: "精工".into(),
            local: true,
            machines: vec![Machine {
                id: "EQ000001".into(),
                name: "数控车床".into(),
                process: Process::Turning,
                materials: vec![Material::CarbonSteel],
                envelope: Envelope {
                    x_mm: 500.0,
                    y_mm: 300.0,
                    z_mm: 200.0,
                },
                tolerance_um: 10.0,
                free_hours_per_week: 40.0,
                hourly_cost: 100.0,
                speed: 1.0,
            }],
            deliveries: vec![],
        }];
        let a = sample_order(&shops, 3, 1);
        let b = sample_order(&shops, 3, 987_654);
        assert_eq!(a.id, b.id);
        assert!(!a.id.contains('1') && !b.id.contains("987654"));
        assert_ne!(a.parts, b.parts, "the seed draws the parts");
    }
}
