//! 技术交易 in the workbench: the contract figures and the brokers' performance (`/deals`), one
//! broker with the deals behind its figures (`/deals/brokers/{id}`), and the network of who
//! connects which sellers to which buyers, drawn as SVG on the server (`/deals/network`).

use super::enc;
use super::{error_page, html};
use crate::api::{param, Params};
use crate::auth::Who;
use crate::error::ApiError;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::common::fmt_num;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use innomesh_app::deals::{DealGroup, Performance};
use innomesh_app::Perm;

fn wan(x: f64) -> String {
    fmt_num(x, 1)
}

fn groups(title: &str, head: &str, rows: &[DealGroup]) -> String {
    let mut b = format!(
        "<div><h2>{title}</h2><table><thead><tr><th>{head}</th><th>合同数</th><th>金额（万元）</th></tr></thead><tbody>"
    );
    for g in rows {
        b.push_str(&format!(
            "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            escape(if g.label.is_empty() {
                "未登记"
            } else {
                &g.label
            }),
            g.deals,
            wan(g.value)
        ));
    }
    b.push_str("</tbody></table></div>");
    b
}

fn performance_table(rows: &[Performance], managers: bool) -> String {
    let mut b = String::from("<table><thead><tr><th>#</th><th>名称</th><th>经手交易</th><th>已签约</th><th>签约金额（万元）</th><th>意向到签约（天，中位数）</th><th>客户 / 回头客</th>");
    if managers {
        b.push_str("<th>推进需求到签约</th>");
    }
    b.push_str("</tr></thead><tbody>");
    for (i, p) in rows.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"/deals/brokers/{}\">{}</a></td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{} / {}</td>",
            i + 1,
            enc(&p.id),
            escape(&p.name),
            p.deals,
            p.closed,
            wan(p.value),
            p.median_days_to_sign.map(|d| fmt_num(d, 0)).unwrap_or_else(|| "—".into()),
            p.clients,
            p.repeat_clients
        ));
        if managers {
            b.push_str(&format!(
                "<td class=\"r\">{} / {}</td>",
                p.demands_contracted, p.demands_carried
            ));
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    b
}

pub async fn overview(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let key = format!("{p:?}");
    let res = blocking(move || {
        st2.derived_view_kept(
            &who,
            Perm::Engines,
            "deals",
            &key,
            move |st2, who| -> Result<String, ApiError> {
        let year = match param(&p, "year") {
            Some(y) => crate::api::deals::year_param(&vec![("year".to_string(), y.to_string())])?,
            None => None,
        };
        let f = st2.deal_figures(who, year)?;
        let (intermediaries, managers) = st2.broker_performance(who)?;
        let mut b = String::from("<h1>技术交易与成果转化</h1>");
        b.push_str("<div class=\"actions\"><a class=\"btn secondary\" href=\"/tech-deals\">交易台账</a><a class=\"btn secondary\" href=\"/tech-deals/new\">登记交易</a><a class=\"btn secondary\" href=\"/import\">导入技术合同登记表</a><a class=\"btn secondary\" href=\"/deals/network\">转化网络图</a><a class=\"btn secondary\" href=\"/deals/problems\">共性技术问题</a>");
        if st2.may_build_consortia(who) {
            b.push_str("<a class=\"btn secondary\" href=\"/consortia\">创新联合体组建</a>");
        }
        b.push_str("</div>");
        b.push_str("<form method=\"get\" class=\"inline\"><label>签约年份 <input name=\"year\" size=\"6\" placeholder=\"全部\"");
        if let Some(y) = year {
            b.push_str(&format!(" value=\"{y}\""));
        }
        b.push_str("></label><button type=\"submit\">统计</button></form>");
        let conv_total = f.local_conversion.value + f.outside_conversion.value;
        b.push_str(&format!(
            "<div class=\"cards tight\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">已签约合同</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">合同金额（万元）</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">已到账（万元）</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地高校院所成果在本市转化的金额占比</span></div></div>",
            f.signed,
            wan(f.value),
            wan(f.paid),
            if conv_total > 0.0 { format!("{:.0}%", f.local_conversion.value / conv_total * 100.0) } else { "—".into() }
        ));
        b.push_str(&format!(
            "<p>本地高校院所成果：在本市转化 {} 项、{} 万元；到市外转化 {} 项、{} 万元。</p>",
            f.local_conversion.deals,
            wan(f.local_conversion.value),
            f.outside_conversion.deals,
            wan(f.outside_conversion.value)
        ));
        b.push_str("<h2>交易进度</h2><table><thead><tr>");
        for g in &f.pipeline {
            b.push_str(&format!("<th>{}</th>", escape(&g.label)));
        }
        b.push_str("</tr></thead><tbody><tr>");
        for g in &f.pipeline {
            b.push_str(&format!("<td class=\"r\">{}</td>", g.deals));
        }
        b.push_str("</tr></tbody></table>");
        b.push_str("<div class=\"grid2\">");
        b.push_str(&groups("按合同类别", "类别", &f.by_type));
        b.push_str(&groups("按卖方类型", "卖方", &f.by_seller_kind));
        b.push_str(&groups("技术输出（卖方所在地）", "旗县区", &f.by_seller_district));
        b.push_str(&groups("技术吸纳（买方所在地）", "旗县区", &f.by_buyer_district));
        b.push_str("</div>");
        b.push_str("<h2>科技中介机构业绩</h2>");
        b.push_str(&performance_table(&intermediaries, false));
        b.push_str("<h2>技术经理人业绩</h2>");
        b.push_str(&performance_table(&managers, true));
        Ok(b)
            },
        )
    })
    .await;
    match res {
        Ok(Ok(d)) => crate::pages::common::derived_html(
            "技术交易",
            "/deals",
            &d,
            d.value().map(|b| b.as_str()),
            &st,
        ),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn broker(State(st): State<AppState>, Who(who): Who, Path(id): Path<String>) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<(String, String), ApiError> {
        let p = st2.broker(&who, &id)?;
        let mut b = format!("<h1>{} · 交易业绩</h1>", escape(&p.name));
        b.push_str(&format!(
            "<div class=\"cards tight\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">经手交易</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">已签约</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">签约金额（万元）</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">意向到签约（天，中位数）</span></div>\
             <div class=\"card\"><span class=\"num\">{} / {}</span><span class=\"label\">客户 / 回头客</span></div></div>",
            p.deals,
            p.closed,
            wan(p.value),
            p.median_days_to_sign.map(|d| fmt_num(d, 0)).unwrap_or_else(|| "—".into()),
            p.clients,
            p.repeat_clients
        ));
        if !p.services.is_empty() || !p.service_fields.is_empty() {
            b.push_str(&format!(
                "<p>科技中介服务：{}；服务领域：{}</p>",
                escape(&p.services.join("、")),
                escape(&p.service_fields.join("、"))
            ));
        }
        if !p.managers.is_empty() {
            b.push_str("<h2>技术经理人</h2><table id=\"managers\"><thead><tr><th>姓名</th><th>证书编号</th><th>证书等级</th><th>发证日期</th><th>所在地</th></tr></thead><tbody>");
            for m in &p.managers {
                b.push_str(&format!(
                    "<tr><td><a href=\"/people/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    enc(&m.id),
                    escape(&m.name),
                    escape(&m.certificate_no),
                    escape(&m.certificate_level),
                    escape(m.certificate_date.as_deref().unwrap_or("")),
                    escape(&m.region)
                ));
            }
            b.push_str("</tbody></table>");
        }
        if p.demands_carried > 0 {
            b.push_str(&format!(
                "<p>推进的技术需求：{} 条，其中 {} 条已签约或交付。</p>",
                p.demands_carried, p.demands_contracted
            ));
        }
        b.push_str("<h2>业绩依据的交易</h2><table><thead><tr><th>交易</th><th>名称</th><th>类别</th><th>阶段</th><th>金额（万元）</th><th>意向日期</th><th>签约日期</th></tr></thead><tbody>");
        for id in &p.evidence {
            if let Some(innomesh_core::Record::TechDeal(d)) =
                st2.get(&who, innomesh_core::EntityKind::TechDeal, id)?
            {
                use innomesh_core::Labelled;
                b.push_str(&format!(
                    "<tr><td><a href=\"/tech-deals/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td>{}</td><td>{}</td></tr>",
                    enc(&d.id),
                    escape(&d.id),
                    escape(&d.title),
                    d.contract_type.label(),
                    d.stage.label(),
                    d.amount.map(wan).unwrap_or_default(),
                    d.intent_date,
                    d.signed_date.map(|s| s.to_string()).unwrap_or_default()
                ));
            }
        }
        b.push_str("</tbody></table><p><a href=\"/deals\">返回技术交易</a></p>");
        Ok((p.name, b))
    })
    .await;
    match res {
        Ok(Ok((t, b))) => html(&t, "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn network(State(st): State<AppState>, Who(who): Who) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let n = st2.deal_network(&who)?;
        const ROW: usize = 22;
        let top = 30;
        let show = 40;
        let cols = [
            (20.0, &n.sellers, "卖方（高校院所、企业）"),
            (420.0, &n.brokers, "科技中介机构"),
            (820.0, &n.buyers, "买方企业"),
        ];
        let rows = n.sellers.len().max(n.buyers.len()).min(show).max(n.brokers.len());
        let height = top + ROW * rows + 20;
        let mut pos = std::collections::HashMap::new();
        let mut nodes = String::new();
        for (x, list, title) in cols {
            nodes.push_str(&format!(
                "<text x=\"{x}\" y=\"18\" font-weight=\"700\">{title}</text>"
            ));
            for (i, (code, name, k)) in list.iter().take(show).enumerate() {
                let y = top + ROW * i + 12;
                pos.insert(code.clone(), (x, y));
                let label: String = name.chars().take(16).collect();
                nodes.push_str(&format!(
                    "<a href=\"/organisations/{}\"><rect x=\"{x}\" y=\"{}\" width=\"330\" height=\"18\" rx=\"3\" fill=\"#eef2f7\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}（{}）</text></a>",
                    enc(code),
                    y - 12,
                    x + 4.0,
                    y + 1,
                    escape(&label),
                    k
                ));
            }
        }
        let mut lines = String::new();
        for (a, b, k, _) in &n.edges {
            if let (Some((xa, ya)), Some((xb, yb))) = (pos.get(a), pos.get(b)) {
                let w = (1.0 + (*k as f64).ln() * 1.5).min(6.0);
                lines.push_str(&format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#1d5fa8\" stroke-opacity=\"0.35\" stroke-width=\"{w:.1}\"/>",
                    xa + 330.0,
                    ya - 3,
                    xb,
                    yb - 3
                ));
            }
        }
        let mut b = String::from("<h1>成果转化网络</h1><p class=\"muted\">已签约的技术交易：卖方经科技中介机构到买方（无中介的交易直接连线）。线越粗，交易越多；括号内为交易数。各列按交易数排序，最多显示 40 家。</p>");
        b.push_str(&format!(
            "<svg role=\"img\" aria-label=\"成果转化网络\" viewBox=\"0 0 1170 {height}\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">{lines}{nodes}</svg>"
        ));
        b.push_str("<p><a href=\"/deals\">返回技术交易</a></p>");
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("成果转化网络", "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

pub async fn problems(State(st): State<AppState>, Who(who): Who) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let list = st2.common_problems(&who, None)?;
        let may_build = st2.may_build_consortia(&who);
        let mut b = String::from("<h1>共性技术问题</h1><p class=\"muted\">未签约的技术需求按所问的问题自动归类（匹配引擎的文本表示 + 聚类），只列出至少两家单位提出的类：这些是组建创新联合体、开展关键共性技术攻关的候选。</p>");
        if list.is_empty() {
            b.push_str("<p class=\"muted\">暂无两家以上单位共同提出的问题。</p>");
        }
        for (i, c) in list.iter().enumerate() {
            b.push_str(&format!(
                "<h2>{}. {}</h2><p>{} 家单位、{} 条需求。",
                i + 1,
                escape(&c.terms.join(" · ")),
                c.organisations,
                c.demands.len()
            ));
            if !c.nodes.is_empty() {
                let nodes: Vec<String> = c
                    .nodes
                    .iter()
                    .map(|(id, name, n)| format!("<a href=\"/chain-nodes/{}\">{}</a>（{} 条）", enc(id), escape(name), n))
                    .collect();
                b.push_str(&format!("相关产业链节点：{}", nodes.join("、")));
            }
            if may_build {
                b.push_str(&format!(
                    " <a class=\"btn secondary\" href=\"/consortia/new?problem={}\">组建创新联合体</a>",
                    i + 1
                ));
            }
            b.push_str("</p><ul>");
            for (id, title, org) in &c.demands {
                b.push_str(&format!(
                    "<li><a href=\"/demands/{}\">{}</a> · {}</li>",
                    enc(id),
                    escape(title),
                    escape(org)
                ));
            }
            b.push_str("</ul>");
        }
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("共性技术问题", "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}
