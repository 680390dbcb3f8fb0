//! `/capacity`: the shared-capacity plan view — a sample order split across small shops, who
//! makes what and when (Gantt chart), cost, makespan, lateness, local share, and why shops were
//! excluded.

use super::{error_page, html, pct};
use crate::api::{param, Params};
use crate::auth::Who;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::Multipart;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use innomesh_app::Perm;
use std::collections::BTreeMap;
use std::sync::Arc;

use innomesh_app::alloc::Planned;

pub async fn page(
    State(st): State<AppState>,
    Who(who): Who,
    Query(params): Query<Params>,
) -> Response {
    let parts = match param(&params, "parts").map(|p| p.parse::<usize>()) {
        None => 8,
        Some(Ok(n)) if (1..=60).contains(&n) => n,
        Some(_) => return error_page(StatusCode::BAD_REQUEST, "零件数应为 1–60 的整数", &st),
    };
    let seed = match param(&params, "seed").map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(n)) => n,
        Some(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "随机种子应为非负整数（它只决定示例订单的内容，不是订单编号）",
                &st,
            )
        }
    };
    let st2 = st.clone();
    // A sample order's plan is kept until the registry changes; the solver runs ~0.5 s here and
    // far longer on a province-size registry, so it is built in the background.
    let res = blocking(move || {
        st2.derived_view(
            &who,
            Perm::Engines,
            "capacity",
            &format!("{parts}:{seed}"),
            move |app, who| -> Result<Arc<Planned>, crate::error::ApiError> {
                Ok(app.sample_plan(who, parts, seed)?)
            },
        )
    })
    .await;
    let d = match res {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => return error_page(e.status(), &e.message, &st),
    };
    let Some(planned) = d.value() else {
        return crate::pages::common::derived_html("聚合加工", "/capacity", &d, None, &st);
    };
    let (shops, order, plan) = (&planned.0, &planned.1, &planned.2);
    let intro = format!(
        "<p>订单：<strong>示例订单</strong> <span class=\"tag\">示例数据</span>（按登记库车间能力生成，{} 种零件）。也可以上传自己的订单表（<a href=\"/capacity/template\">下载订单模板</a>），上传的订单有自己的订单编号。</p>\
         <form method=\"get\" action=\"/capacity\" class=\"inline\"><label>零件数 <input name=\"parts\" type=\"number\" min=\"1\" max=\"60\" value=\"{parts}\"></label> <label title=\"只决定示例订单的零件内容，不是订单编号\">随机种子（生成示例订单） <input name=\"seed\" type=\"number\" min=\"0\" value=\"{seed}\"></label> <button type=\"submit\">重新生成并排产</button></form>",
        order.parts.len()
    );
    crate::pages::common::derived_html(
        "聚合加工",
        "/capacity",
        &d,
        Some(&render(shops, order, plan, &intro)),
        &st,
    )
}

/// A company name without its legal form, shortened to `max` characters (…).
fn short(name: &str, max: usize) -> String {
    let mut n = name.trim();
    for suffix in ["股份有限公司", "有限责任公司", "有限公司", "公司"] {
        if let Some(x) = n.strip_suffix(suffix) {
            if x.chars().count() >= 2 {
                n = x;
                break;
            }
        }
    }
    if n.chars().count() > max {
        format!(
            "{}…",
            n.chars().take(max.saturating_sub(1)).collect::<String>()
        )
    } else {
        n.to_string()
    }
}

fn yuan(x: f64) -> String {
    crate::pages::common::fmt_num(x, 0)
}

/// Names of shops and machines by code.
struct Names<'a> {
    shops: BTreeMap<&'a str, &'a innomesh_alloc::registry::Shop>,
}

impl<'a> Names<'a> {
    fn new(shops: &'a [innomesh_alloc::registry::Shop]) -> Self {
        Names {
            shops: shops.iter().map(|s| (s.id.as_str(), s)).collect(),
        }
    }
    fn shop(&self, id: &'a str) -> &'a str {
        self.shops
            .get(id)
            .map(|s| s.name.as_str())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(id)
    }
    fn machine(&self, shop: &str, id: &'a str) -> Option<&'a innomesh_alloc::registry::Machine> {
        self.shops
            .get(shop)
            .and_then(|s| s.machines.iter().find(|m| m.id == id))
    }
    fn machine_name(&self, shop: &str, id: &'a str) -> &'a str {
        self.machine(shop, id).map_or(id, |m| m.name.as_str())
    }
}

fn part_label(p: &innomesh_alloc::order::Part) -> String {
    if p.name.trim().is_empty() {
        p.id.clone()
    } else {
        format!("{}（{}）", p.name, p.id)
    }
}

/// Intro, upload form, key figures of the whole order, why parts could not be placed (one line
/// each, details folded), Gantt chart with labels, legend and hour ticks, who makes what (identical
/// rows merged) and every exclusion (folded).
fn render(
    shops: &[innomesh_alloc::registry::Shop],
    order: &innomesh_alloc::order::Order,
    plan: &innomesh_alloc::Plan,
    intro: &str,
) -> String {
    let names = Names::new(shops);
    let mut body = format!(
        "<h1>聚合加工：订单拆分与排产</h1><p class=\"muted\">{} 家共享车间、{} 台机床。订单由优化器拆分给多家小微车间，并排出每台机床的时间表：每台机床每周只占用它登记的空闲工时，排不下的顺延到下一周。</p>{intro}{UPLOAD_FORM}",
        shops.len(),
        shops.iter().map(|s| s.machines.len()).sum::<usize>(),
    );
    // Key figures of the whole order.
    let total_parts = order.parts.len();
    let total_units: u64 = order.parts.iter().map(|p| u64::from(p.quantity)).sum();
    let placed_units: u64 = plan.lots.iter().map(|l| u64::from(l.quantity)).sum();
    let unplaced_parts: std::collections::BTreeSet<&str> =
        plan.unassigned.iter().map(|u| u.part_id.as_str()).collect();
    let placed_parts: std::collections::BTreeSet<&str> =
        plan.lots.iter().map(|l| l.part_id.as_str()).collect();
    let whole_parts = order
        .parts
        .iter()
        .filter(|p| placed_parts.contains(p.id.as_str()) && !unplaced_parts.contains(p.id.as_str()))
        .count();
    let partly = order
        .parts
        .iter()
        .filter(|p| placed_parts.contains(p.id.as_str()) && unplaced_parts.contains(p.id.as_str()))
        .count();
    let unplaced_units: u64 = plan.unassigned.iter().map(|u| u64::from(u.quantity)).sum();
    let mut finish: BTreeMap<&str, f64> = BTreeMap::new();
    for s in &plan.steps {
        let e = finish.entry(s.part_id.as_str()).or_insert(0.0);
        *e = e.max(s.end_hours);
    }
    let late_parts = order
        .parts
        .iter()
        .filter(|p| {
            finish
                .get(p.id.as_str())
                .is_some_and(|e| *e > p.due_hours + 1e-9)
        })
        .count();
    let card = |num: String, label: &str, note: String| {
        format!("<div class=\"card\"><span class=\"num\">{num}</span><span class=\"label\">{label}</span>{}</div>",
            if note.is_empty() { String::new() } else { format!("<span class=\"muted small\">{note}</span>") })
    };
    body.push_str("<h2>整张订单</h2><div class=\"cards kpis\">");
    body.push_str(&card(
        format!("{whole_parts} / {total_parts}"),
        "全部安排的零件（种）",
        if partly > 0 {
            format!("另有 {partly} 种只安排了一部分")
        } else {
            String::new()
        },
    ));
    body.push_str(&card(
        format!("{placed_units} / {total_units}"),
        "已安排数量（件）",
        format!(
            "占 {}",
            pct(placed_units as f64 / (total_units.max(1)) as f64)
        ),
    ));
    body.push_str(&card(
        format!("{}", unplaced_parts.len()),
        "未能安排的零件（种）",
        format!("共 {unplaced_units} 件"),
    ));
    body.push_str(&card(
        yuan(plan.cost_yuan),
        "已安排部分的成本（元）",
        String::new(),
    ));
    body.push_str(&card(
        format!("{:.1}", plan.makespan_hours),
        "完工时间（小时）",
        format!("约 {:.1} 天", plan.makespan_hours / 24.0),
    ));
    body.push_str(&card(
        format!("{:.1}", plan.lateness_hours),
        "延误合计（小时）",
        format!("{late_parts} 种零件晚于交期"),
    ));
    body.push_str(&card(
        pct(plan.local_share),
        "本地配套率",
        "按成本".to_string(),
    ));
    body.push_str(&card(
        format!("{}", plan.horizon_weeks.max(1)),
        "计划周期（周）",
        "到最晚交期".to_string(),
    ));
    body.push_str("</div>");
    if !plan.unassigned.is_empty() {
        let summaries =
            innomesh_alloc::explain::summarise(order, shops, plan, &innomesh_app::alloc::policy());
        body.push_str(&format!(
            "<h2>未能安排（{} 种零件，{unplaced_units} 件）</h2><ul class=\"unplaced\">",
            summaries.len()
        ));
        for sm in &summaries {
            let excl: Vec<&innomesh_alloc::eligibility::Exclusion> = plan
                .exclusions
                .iter()
                .filter(|e| e.part_id == sm.part_id)
                .collect();
            let reasons: Vec<&String> = plan
                .unassigned
                .iter()
                .filter(|u| u.part_id == sm.part_id)
                .flat_map(|u| u.reasons.iter())
                .filter(|r| r.starts_with("合格") || r.starts_with("没有登记"))
                .collect();
            body.push_str(&format!(
                "<li><strong>{}</strong> × {} 件 · {}<details><summary>全部原因（{} 条）</summary>",
                escape(&sm.part_name),
                sm.quantity,
                escape(&sm.detail),
                excl.len() + reasons.len()
            ));
            for r in reasons {
                body.push_str(&format!("<p>{}</p>", escape(r)));
            }
            if !excl.is_empty() {
                body.push_str(
                    "<table><thead><tr><th>车间</th><th>机床</th><th>原因</th></tr></thead><tbody>",
                );
                for e in excl.iter().take(200) {
                    body.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(names.shop(&e.shop_id)),
                        escape(
                            e.machine_id
                                .as_deref()
                                .map_or("整个车间", |m| names.machine_name(&e.shop_id, m))
                        ),
                        escape(&e.reason)
                    ));
                }
                body.push_str("</tbody></table>");
                if excl.len() > 200 {
                    body.push_str(&format!(
                        "<p class=\"muted\">另有 {} 条未列出。</p>",
                        excl.len() - 200
                    ));
                }
            }
            body.push_str("</details></li>");
        }
        body.push_str("</ul>");
    }
    body.push_str("<h2>机床时间表</h2>");
    body.push_str(&gantt(&names, order, plan));
    body.push_str(&who_makes_what(&names, order, plan));
    body.push_str(&format!("<details><summary>不符合条件的车间与机床（{} 条原因）</summary><table><thead><tr><th>零件</th><th>车间</th><th>机床</th><th>原因</th></tr></thead><tbody>", plan.exclusions.len()));
    let part_names: BTreeMap<&str, &innomesh_alloc::order::Part> =
        order.parts.iter().map(|p| (p.id.as_str(), p)).collect();
    for e in plan.exclusions.iter().take(300) {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(
                &part_names
                    .get(e.part_id.as_str())
                    .map_or(e.part_id.clone(), |p| part_label(p))
            ),
            escape(names.shop(&e.shop_id)),
            escape(
                e.machine_id
                    .as_deref()
                    .map_or("整个车间", |m| names.machine_name(&e.shop_id, m))
            ),
            escape(&e.reason)
        ));
    }
    body.push_str("</tbody></table>");
    if plan.exclusions.len() > 300 {
        body.push_str(&format!(
            "<p class=\"muted\">另有 {} 条未列出。</p>",
            plan.exclusions.len() - 300
        ));
    }
    body.push_str("</details>");
    body
}

const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// The machine schedule: one row per machine used (「车间 · 机床」, full names in a tooltip), one
/// bar per interval the machine really works (pauses when its weekly free hours are used), part
/// labels on bars wide enough, a tick every 8 h, day or week (in hours), and a legend of the parts' colours.
fn gantt(
    names: &Names<'_>,
    order: &innomesh_alloc::order::Order,
    plan: &innomesh_alloc::Plan,
) -> String {
    if plan.steps.is_empty() {
        return "<p class=\"muted\">没有安排任何工序。</p>".to_string();
    }
    let mut rows: BTreeMap<
        (String, String, String, String),
        Vec<&innomesh_alloc::plan::PlannedStep>,
    > = BTreeMap::new();
    for s in &plan.steps {
        rows.entry((
            names.shop(&s.shop_id).to_string(),
            names.machine_name(&s.shop_id, &s.machine_id).to_string(),
            s.shop_id.clone(),
            s.machine_id.clone(),
        ))
        .or_default()
        .push(s);
    }
    let part_index: BTreeMap<&str, usize> = order
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let short_part = |id: &str| -> String {
        order
            .parts
            .iter()
            .find(|p| p.id == id)
            .map(|p| {
                if p.name.trim().is_empty() {
                    p.id.clone()
                } else {
                    p.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    };
    let span = plan.makespan_hours.max(1.0);
    let (left, width, row_h, top) = (300.0, 840.0, 24.0, 30.0);
    let height = top + rows.len() as f64 * row_h + 10.0;
    let x_of = |h: f64| left + h / span * width;
    let mut svg = format!("<svg role=\"img\" aria-label=\"排产甘特图\" viewBox=\"0 0 {} {height}\" width=\"100%\" style=\"background:#fff;border:1px solid #d9e2ec\" font-family=\"sans-serif\">", left + width + 20.0);
    // Ticks in hours from the start (交期 are written in hours): every 8 h, day or week, at
    // most about 16 across.
    let step = [8.0, 24.0, 48.0, 72.0, 168.0, 336.0, 672.0, 1344.0]
        .into_iter()
        .find(|s| span / s <= 16.0)
        .unwrap_or(2688.0);
    let mut t = 0.0;
    while t <= span + 1e-9 {
        let x = x_of(t);
        let label = format!("{t:.0}h");
        svg.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#d9e2ec\"/>",
            top - 4.0,
            height - 6.0
        ));
        if t < span - step * 0.3 || t == 0.0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"#52606d\">{label}</text>",
                x + 2.0,
                top - 10.0
            ));
        }
        t += step;
    }
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"#52606d\" text-anchor=\"end\">{:.0} 小时</text>",
        left + width,
        top - 10.0,
        span
    ));
    // Two machines of one shop often share a model name: the second row says 「#2」.
    let mut label_count: BTreeMap<String, usize> = BTreeMap::new();
    for (i, ((shop, machine, _, machine_id), steps)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let mut label = format!("{} · {}", short(shop, 9), short(machine, 14));
        let n = label_count.entry(label.clone()).or_default();
        *n += 1;
        if *n > 1 {
            label.push_str(&format!(" #{n}"));
        }
        svg.push_str(&format!(
            "<text x=\"4\" y=\"{}\" font-size=\"12\"><title>{} · {}（{}）</title>{}</text>",
            y + 16.0,
            escape(shop),
            escape(machine),
            escape(machine_id),
            escape(&label)
        ));
        for s in steps {
            let pi = part_index.get(s.part_id.as_str()).copied().unwrap_or(0);
            let color = PALETTE[pi % PALETTE.len()];
            let work: Vec<[f64; 2]> = if s.work.is_empty() {
                vec![[s.start_hours, s.end_hours]]
            } else {
                s.work.clone()
            };
            let title = format!(
                "{} 第 {} 道工序（{}）：{:.1}–{:.1} 小时，机时 {:.1} 小时",
                short_part(&s.part_id),
                s.step + 1,
                s.process.label_zh(),
                s.start_hours,
                s.end_hours,
                s.booked_hours()
            );
            let widest = work
                .iter()
                .enumerate()
                .max_by(|a, b| (a.1[1] - a.1[0]).total_cmp(&(b.1[1] - b.1[0])))
                .map_or(0, |x| x.0);
            for (k, w) in work.iter().enumerate() {
                let x = x_of(w[0]);
                let bw = (x_of(w[1]) - x).max(1.5);
                svg.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{}</title></rect>",
                    y + 3.0,
                    row_h - 6.0,
                    escape(&title)
                ));
                if k == widest {
                    let text = short_part(&s.part_id);
                    let fits = text.chars().count() as f64 * 11.0 + 6.0 <= bw;
                    let text = if fits {
                        Some(text)
                    } else if s.part_id.chars().count() as f64 * 7.0 + 4.0 <= bw {
                        Some(s.part_id.clone())
                    } else {
                        None
                    };
                    if let Some(text) = text {
                        svg.push_str(&format!(
                            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#fff\" pointer-events=\"none\">{}</text>",
                            x + 3.0,
                            y + 16.0,
                            escape(&text)
                        ));
                    }
                }
            }
        }
    }
    svg.push_str("</svg>");
    // Legend: the colour of each part that has a bar.
    let mut legend =
        String::from("<div class=\"legend\" aria-label=\"图例\"><strong>图例：</strong>");
    for (i, p) in order.parts.iter().enumerate() {
        if !plan.steps.iter().any(|s| s.part_id == p.id) {
            continue;
        }
        legend.push_str(&format!(
            "<span class=\"legend-item\"><span class=\"swatch\" style=\"display:inline-block;width:12px;height:12px;background:{};margin:0 4px 0 10px;vertical-align:middle\"></span>{}</span>",
            PALETTE[i % PALETTE.len()],
            escape(&part_label(p))
        ));
    }
    legend.push_str("<span class=\"muted small\"> · 条形为机床实际加工的时段；机床用完本周空闲工时后暂停，下周继续。</span></div>");
    format!("{svg}{legend}")
}

/// 谁做什么: one row per part, operation, shop and machine model, quantities and hours summed
/// (lots of one part on one machine, or on two machines of the same model in one shop, are one
/// row, 「（2 台）」); cost is each lot's cost shared by its hours.
fn who_makes_what(
    names: &Names<'_>,
    order: &innomesh_alloc::order::Order,
    plan: &innomesh_alloc::Plan,
) -> String {
    struct Row {
        quantity: u64,
        hours: f64,
        cost: f64,
        start: f64,
        end: f64,
        process: &'static str,
        machines: std::collections::BTreeSet<String>,
    }
    let part_pos: BTreeMap<&str, usize> = order
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let lot_hours: Vec<f64> = (0..plan.lots.len())
        .map(|l| {
            plan.steps
                .iter()
                .filter(|s| s.lot == l)
                .map(|s| s.booked_hours())
                .sum()
        })
        .collect();
    let mut rows: BTreeMap<(usize, usize, String, String, String), Row> = BTreeMap::new();
    for s in &plan.steps {
        let Some(lot) = plan.lots.get(s.lot) else {
            continue;
        };
        let h = s.booked_hours();
        let cost = if lot_hours[s.lot] > 0.0 {
            lot.cost_yuan * h / lot_hours[s.lot]
        } else {
            0.0
        };
        let key = (
            part_pos
                .get(s.part_id.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            s.step,
            s.part_id.clone(),
            s.shop_id.clone(),
            names.machine_name(&s.shop_id, &s.machine_id).to_string(),
        );
        let r = rows.entry(key).or_insert(Row {
            quantity: 0,
            hours: 0.0,
            cost: 0.0,
            start: f64::INFINITY,
            end: 0.0,
            process: s.process.label_zh(),
            machines: Default::default(),
        });
        r.machines.insert(s.machine_id.clone());
        r.quantity += u64::from(lot.quantity);
        r.hours += h;
        r.cost += cost;
        r.start = r.start.min(s.start_hours);
        r.end = r.end.max(s.end_hours);
    }
    let mut b = format!("<h2>谁做什么（{} 行）</h2><table class=\"who\"><thead><tr><th>零件</th><th>工序</th><th>承接车间</th><th>机床</th><th class=\"r\">数量（件）</th><th class=\"r\">机时（小时）</th><th class=\"r\">成本（元）</th><th>时段（小时）</th></tr></thead><tbody>", rows.len());
    for ((pi, step, part_id, shop, machine), r) in &rows {
        let pname = order.parts.get(*pi).map_or(part_id.clone(), part_label);
        let machine = if r.machines.len() > 1 {
            format!("{machine}（{} 台）", r.machines.len())
        } else {
            machine.clone()
        };
        let ids = r.machines.iter().cloned().collect::<Vec<_>>().join("、");
        b.push_str(&format!(
            "<tr><td>{}</td><td>{} {}</td><td><a href=\"/organisations/{}\">{}</a></td><td title=\"{}\">{}</td><td class=\"r\">{}</td><td class=\"r\">{:.1}</td><td class=\"r\">{}</td><td>{:.0}–{:.0}</td></tr>",
            escape(&pname),
            step + 1,
            r.process,
            escape(shop),
            escape(names.shop(shop)),
            escape(&ids),
            escape(&machine),
            r.quantity,
            r.hours,
            yuan(r.cost),
            r.start,
            r.end
        ));
    }
    b.push_str("</tbody></table>");
    b
}

const UPLOAD_FORM: &str = "<form method=\"post\" action=\"/capacity\" enctype=\"multipart/form-data\" class=\"inline\"><label>上传订单（XLSX 或 CSV） <input type=\"file\" name=\"file\" accept=\".xlsx,.csv\" required></label> <button type=\"submit\">导入订单并排产</button></form>";

pub async fn template() -> Response {
    match innomesh_app::alloc::order_template() {
        Ok(bytes) => crate::api::transfer::attachment(
            bytes,
            "订单导入模板.xlsx",
            innomesh_sheets::Format::Xlsx.mime(),
        ),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

/// An uploaded order: validated row by row, then planned like the sample.
pub async fn upload(
    State(st): State<AppState>,
    Who(who): Who,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    if let Ok(mut mp) = multipart {
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("订单").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        return error_page(
                            StatusCode::BAD_REQUEST,
                            "文件上传失败或超过大小上限，请重试",
                            &st,
                        )
                    }
                }
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "请选择要上传的订单文件（XLSX 或 CSV）",
            &st,
        );
    };
    let format = innomesh_sheets::Format::guess(&name)
        .unwrap_or_else(|| innomesh_sheets::Format::sniff(&bytes));
    let table = match innomesh_sheets::read(&bytes, format) {
        Ok(t) => t,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string(), &st),
    };
    let fallback =
        innomesh_app::alloc::generated_order_number(&bytes, &innomesh_app::chains::today());
    let order = match innomesh_app::alloc::order_from_table(&table, &fallback) {
        Ok(o) => o,
        Err(errors) => {
            let mut body = format!("<h1>订单有 {} 处错误，未排产</h1><p>请按下表逐处修改（行号即表格左侧的行号，第 1 行是表头），再重新上传。</p><table><thead><tr><th>行</th><th>列</th><th>值</th><th>原因</th></tr></thead><tbody>", errors.len());
            for e in &errors {
                body.push_str(&format!(
                    "<tr><td>第 {} 行</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e.row,
                    escape(&e.column),
                    escape(&e.value),
                    escape(&e.reason)
                ));
            }
            body.push_str("</tbody></table><p><a href=\"/capacity/template\">下载订单模板</a>（材料、工序有下拉列表） · <a href=\"/capacity\">返回</a></p>");
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                html("订单有错误", "/capacity", &body, &st),
            )
                .into_response();
        }
    };
    let st2 = st.clone();
    let res = blocking(move || -> Result<_, crate::error::ApiError> {
        Ok(st2.plan_uploaded_order(&who, order)?)
    })
    .await;
    match res {
        Ok(Ok((shops, order, plan))) => {
            let intro = format!(
                "<p>订单编号：<strong>{}</strong>（文件「{}」，{} 种零件，{} 件）。</p>",
                escape(&order.id),
                escape(&name),
                order.parts.len(),
                order
                    .parts
                    .iter()
                    .map(|p| u64::from(p.quantity))
                    .sum::<u64>()
            );
            html(
                "聚合加工",
                "/capacity",
                &render(&shops, &order, &plan, &intro),
                &st,
            )
        }
        Ok(Err(e)) | Err(e) => error_page(e.status(), &e.message, &st),
    }
}
