//! `/capacity`: the shared-capacity plan view — a sample order split across small shops, who
//! makes what and when (Gantt chart), cost, makespan, lateness, local share, and why shops were
//! excluded.

use super::{error_page, html, pct, wan};
use crate::api::{param, Params};
use crate::auth::Who;
use crate::error::Code;
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
use innomesh_alloc::{plan_order, PlanConfig};
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
        Some(_) => return error_page(StatusCode::BAD_REQUEST, "订单编号应为非负整数", &st),
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
        "<p class=\"muted\">下面是按登记库车间能力生成的<strong>示例订单</strong>（{} 种零件）。也可以上传自己的订单表（<a href=\"/capacity/template\">下载订单模板</a>）。</p>\
         <form method=\"get\" action=\"/capacity\" class=\"inline\"><label>零件数 <input name=\"parts\" type=\"number\" min=\"1\" max=\"60\" value=\"{parts}\"></label> <label>订单编号 <input name=\"seed\" type=\"number\" min=\"0\" value=\"{seed}\"></label> <button type=\"submit\">重新生成并排产</button></form>",
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

/// Intro, upload form, key figures, Gantt chart, lots, unassigned parts and exclusions.
fn render(
    shops: &[innomesh_alloc::registry::Shop],
    order: &innomesh_alloc::order::Order,
    plan: &innomesh_alloc::Plan,
    intro: &str,
) -> String {
    let names: BTreeMap<&str, &str> = shops
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let mut body = format!(
        "<h1>聚合加工：订单拆分与排产</h1><p class=\"muted\">{} 家共享车间、{} 台机床。订单由优化器拆分给多家小微车间，并排出每台机床的时间表。</p>{intro}{UPLOAD_FORM}",
        shops.len(),
        shops.iter().map(|s| s.machines.len()).sum::<usize>(),
    );
    body.push_str(&format!(
        "<div class=\"cards\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">总成本（元）</span></div><div class=\"card\"><span class=\"num\">{:.1}</span><span class=\"label\">完工时间（小时）</span></div><div class=\"card\"><span class=\"num\">{:.1}</span><span class=\"label\">延误（小时）</span></div><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地配套率</span></div><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">未能安排的零件</span></div></div>",
        wan(plan.cost_yuan), plan.makespan_hours, plan.lateness_hours, pct(plan.local_share), plan.unassigned.len()
    ));
    // Gantt: one row per machine used, bars per planned step.
    let mut rows: BTreeMap<(String, String), Vec<&innomesh_alloc::plan::PlannedStep>> =
        BTreeMap::new();
    for s in &plan.steps {
        rows.entry((s.shop_id.clone(), s.machine_id.clone()))
            .or_default()
            .push(s);
    }
    let span = plan.makespan_hours.max(1.0);
    let (left, width, row_h) = (260.0, 860.0, 22.0);
    let height = rows.len() as f64 * row_h + 40.0;
    let palette = [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac",
    ];
    let part_index: BTreeMap<&str, usize> = order
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut svg = format!("<svg role=\"img\" aria-label=\"排产甘特图\" viewBox=\"0 0 {} {height}\" width=\"100%\" style=\"background:#fff;border:1px solid #d9e2ec\">", left + width + 20.0);
    for (i, ((shop, machine), steps)) in rows.iter().enumerate() {
        let y = 20.0 + i as f64 * row_h;
        let label = format!(
            "{} · {}",
            names
                .get(shop.as_str())
                .copied()
                .unwrap_or(shop)
                .chars()
                .take(12)
                .collect::<String>(),
            machine
        );
        svg.push_str(&format!(
            "<text x=\"4\" y=\"{}\" font-size=\"11\">{}</text>",
            y + 14.0,
            escape(&label)
        ));
        for s in steps {
            let x = left + s.start_hours / span * width;
            let w = ((s.end_hours - s.start_hours) / span * width).max(1.5);
            let color =
                palette[part_index.get(s.part_id.as_str()).copied().unwrap_or(0) % palette.len()];
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{} 第 {} 道工序（{}）：{:.1}–{:.1} 小时</title></rect>",
                y + 3.0, row_h - 6.0, escape(&s.part_id), s.step + 1, s.process.label_zh(), s.start_hours, s.end_hours
            ));
        }
    }
    svg.push_str(&format!("<text x=\"{left}\" y=\"{}\" font-size=\"11\">0</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{:.0} 小时</text></svg>", height - 4.0, left + width, height - 4.0, span));
    body.push_str("<h2>机床时间表</h2>");
    body.push_str(&svg);
    body.push_str("<h2>谁做什么</h2><table><thead><tr><th>零件</th><th class=\"r\">数量</th><th>承接车间</th><th class=\"r\">机时</th><th class=\"r\">成本（元）</th></tr></thead><tbody>");
    for l in &plan.lots {
        let pname = order
            .parts
            .iter()
            .find(|p| p.id == l.part_id)
            .map(|p| p.name.as_str())
            .unwrap_or("");
        body.push_str(&format!(
            "<tr><td>{} {}</td><td class=\"r\">{}</td><td><a href=\"/organisations/{}\">{}</a></td><td class=\"r\">{:.1}</td><td class=\"r\">{}</td></tr>",
            escape(&l.part_id), escape(pname), l.quantity, escape(&l.shop_id), escape(names.get(l.shop_id.as_str()).copied().unwrap_or("")), l.hours, wan(l.cost_yuan)
        ));
    }
    body.push_str("</tbody></table>");
    if !plan.unassigned.is_empty() {
        body.push_str("<h2>未能安排</h2><ul>");
        for u in &plan.unassigned {
            body.push_str(&format!(
                "<li>{} × {}：{}</li>",
                escape(&u.part_id),
                u.quantity,
                escape(&u.reasons.join("；"))
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!("<details><summary>不符合条件的车间与机床（{} 条原因）</summary><table><thead><tr><th>零件</th><th>车间</th><th>机床</th><th>原因</th></tr></thead><tbody>", plan.exclusions.len()));
    for e in plan.exclusions.iter().take(300) {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.part_id),
            escape(names.get(e.shop_id.as_str()).copied().unwrap_or(&e.shop_id)),
            escape(e.machine_id.as_deref().unwrap_or("整个车间")),
            escape(&e.reason)
        ));
    }
    body.push_str("</tbody></table></details>");
    body
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
    let order = match innomesh_app::alloc::order_from_table(&table, &name) {
        Ok(o) => o,
        Err(errors) => {
            let mut body = format!("<h1>订单有 {} 处错误，未排产</h1><table><thead><tr><th>行</th><th>列</th><th>值</th><th>原因</th></tr></thead><tbody>", errors.len());
            for e in &errors {
                body.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e.row,
                    escape(&e.column),
                    escape(&e.value),
                    escape(&e.reason)
                ));
            }
            body.push_str("</tbody></table><p><a href=\"/capacity/template\">下载订单模板</a> · <a href=\"/capacity\">返回</a></p>");
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                html("订单有错误", "/capacity", &body, &st),
            )
                .into_response();
        }
    };
    let st2 = st.clone();
    let res = blocking(move || -> Result<_, crate::error::ApiError> {
        let shops = st2.capacity_shops(&who)?;
        let mut cfg = PlanConfig {
            policy: innomesh_app::alloc::policy(),
            ..PlanConfig::default()
        };
        cfg.gap.time_limit = 1.0;
        cfg.fjsp.time_limit = 1.0;
        let plan = plan_order(&order, &shops, &cfg)
            .map_err(|e| crate::error::ApiError::new(Code::InvalidField, e.to_string()))?;
        Ok((shops, order, plan))
    })
    .await;
    match res {
        Ok(Ok((shops, order, plan))) => {
            let intro = format!(
                "<p>已导入订单「{}」：{} 种零件。</p>",
                escape(&order.id),
                order.parts.len()
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
