//! Chain pages: `/chains` (every industrial chain with its diagnosis summary), `/chains/{id}`
//! (the chain drawn left to right, upstream → midstream → downstream, nodes coloured by their
//! diagnosis, each linking to its detail) and `/chains/{id}/nodes/{node}` (figures, verdicts with
//! the rule that fired, gaps, local firms, investment targets). Built on the server's chain service
//! (`crate::chains`); results are cached until the next write to the registry.

use super::common::{derived_html, fmt_num, param, run, PageError, PageResult, Params};
use super::layout::{escape, url_encode};
use crate::auth::Who;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use innomesh_app::chains::store_id;
use innomesh_app::views::Derived;
use innomesh_chain::VerdictKind;
use std::sync::Arc;

pub(super) use innomesh_app::chains::ChainData;

fn data(
    st: &AppState,
    who: &innomesh_app::Principal,
    year: Option<u16>,
) -> Result<Arc<ChainData>, PageError> {
    Ok(st.chain_reports(who, year)?)
}

/// The chain reports as a page reads them: without waiting for a first build (`derived_view`).
fn view(
    st: &AppState,
    who: &innomesh_app::Principal,
    year: Option<u16>,
) -> Result<Derived<Arc<ChainData>>, PageError> {
    Ok(st.derived_view(
        who,
        innomesh_app::Perm::Engines,
        "chains",
        &format!("{year:?}"),
        move |app, who| app.chain_reports(who, year),
    )?)
}

fn year_of(p: &Params) -> Option<u16> {
    param(p, "year")
        .and_then(|y| y.parse::<u16>().ok())
        .filter(|y| (1949..=2100).contains(y))
}

pub(super) fn wan_to_yi(x: f64) -> String {
    if x >= 10_000.0 {
        format!("{} 亿元", fmt_num(x / 10_000.0, 1))
    } else {
        format!("{} 万元", fmt_num(x, 0))
    }
}

pub(super) fn pct(x: Option<f64>) -> String {
    x.map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub async fn index(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> PageResult {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let year = year_of(&p);
    let st2 = st.clone();
    let dv = run(move || view(&st2, &who, year)).await?;
    let Some(d) = dv.value() else {
        return Ok(derived_html("产业链图谱", "/chains", &dv, None, &st));
    };
    let mut b = String::from(
        "<h1>产业链图谱</h1><p class=\"muted\">按「上游散、下游缺、左端小、后端空」逐节点诊断：长板、短板、空白、散、小、缺。点击产业链查看图谱，点击节点查看企业、指标和招商目标。</p><div class=\"cards\">",
    );
    for (c, r) in d.loaded.engine.chains().chains().iter().zip(&d.reports) {
        let s = &r.summary;
        b.push_str(&format!(
            "<a class=\"card\" href=\"/chains/{}\"><span class=\"num\">{}</span><span class=\"label\">{} 个节点 · 长板 {} · 短板 {} · 空白 {} · 缺 {} · 散 {} · 小 {}</span><span class=\"label\">{}</span></a>",
            url_encode(&c.id),
            escape(&c.name),
            s.nodes,
            s.strong,
            s.weak,
            s.blank,
            s.missing,
            s.scattered,
            s.small,
            escape(&c.description)
        ));
    }
    b.push_str("</div>");
    b.push_str(&model_warnings(&d.loaded.warnings));
    if d.reports.is_empty() {
        b.push_str("<p class=\"notice\">登记库中还没有产业链节点。可在「产业链节点」中新增，或用 <code>innomesh serve</code> 启动时自动载入内置模型。</p>");
    }
    Ok(derived_html("产业链图谱", "/chains", &dv, Some(&b), &st))
}

fn year_links(base: &str, years: &[u16], year: Option<u16>) -> String {
    let mut b = String::from(
        "<nav class=\"chips\" aria-label=\"年份\"><span class=\"muted\">统计年份：</span>",
    );
    let chip = |href: String, label: String, on: bool| {
        format!(
            "<a class=\"chip\" href=\"{}\"{}>{}{label}</a>",
            escape(&href),
            if on {
                " aria-current=\"true\" style=\"background:#0b5cad;color:#fff\""
            } else {
                ""
            },
            if on { "✓ " } else { "" }
        )
    };
    b.push_str(&chip(base.to_string(), "全部年份".into(), year.is_none()));
    for y in years {
        b.push_str(&chip(
            format!("{base}?year={y}"),
            format!("{y} 年"),
            year == Some(*y),
        ));
    }
    b.push_str("</nav>");
    b
}

pub async fn chain_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    q: Result<Query<Params>, QueryRejection>,
) -> PageResult {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let year = year_of(&p);
    let st2 = st.clone();
    let dv = run(move || view(&st2, &who, year)).await?;
    let Some(d) = dv.value() else {
        return Ok(derived_html("产业链图谱", "/chains", &dv, None, &st));
    };
    let set = d.loaded.engine.chains();
    let model = set
        .chains()
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| PageError::not_found(format!("没有编号为「{id}」的产业链。")))?;
    let report = d.reports.iter().find(|r| r.chain == id);
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/chains\">产业链图谱</a> › {n}</p><h1>{n}</h1><p class=\"muted\">{}</p>",
        escape(&model.description),
        n = escape(&model.name)
    );
    b.push_str(&model_warnings(&d.loaded.warnings));
    b.push_str(&year_links(
        &format!("/chains/{}", url_encode(&id)),
        d.loaded.engine.years(),
        year,
    ));
    if let Some(r) = report {
        let s = &r.summary;
        b.push_str(&format!(
            "<div class=\"cards tight\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">节点</span></div>\
             <div class=\"card\"><span class=\"num\" style=\"color:#1e7f4f\">{}</span><span class=\"label\">长板</span></div>\
             <div class=\"card\"><span class=\"num\" style=\"color:#d9730d\">{}</span><span class=\"label\">短板</span></div>\
             <div class=\"card\"><span class=\"num\" style=\"color:#5f6b7a\">{}</span><span class=\"label\">空白</span></div>\
             <div class=\"card\"><span class=\"num\" style=\"color:#c0362c\">{}</span><span class=\"label\">缺（本地配套不足）</span></div>\
             <div class=\"card\"><span class=\"num\">{} / {}</span><span class=\"label\">散 / 小</span></div>\
             <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">未闭合缺口（停滞 {}，已闭合 {}）</span></div></div>",
            s.nodes, s.strong, s.weak, s.blank, s.missing, s.scattered, s.small, s.gaps_open + s.gaps_stuck, s.gaps_stuck, s.gaps_closed
        ));
    }
    b.push_str(&format!(
        "<h2>产业链图谱 <small class=\"muted\">上游 → 中游 → 下游；颜色为诊断结论，点击节点查看企业与指标</small></h2>{}<figure class=\"chart\">{}</figure>",
        super::chain_graph::legend(),
        super::chain_graph::graph(&id, &model.name, d, year)
    ));
    if let Some(r) = report {
        b.push_str(&format!(
            "<h2>节点诊断表 <a class=\"btn secondary\" style=\"font-size:.85rem;float:right\" href=\"/api/chains/{}/report\">下载诊断报告（XLSX）</a></h2>\
             <table><thead><tr><th>节点</th><th>链位置</th><th class=\"r\">本地企业</th><th class=\"r\">产值</th><th class=\"r\">本地配套率</th><th class=\"r\">本地 / 市外供应商</th><th class=\"r\">平台·专家·成果·需求</th><th>诊断</th></tr></thead><tbody>",
            url_encode(&id)
        ));
        for n in &r.nodes {
            let m = &n.metrics;
            let local_id = m.node.rsplit('/').next().unwrap_or(&m.node);
            let v: Vec<String> = n
                .verdicts
                .iter()
                .map(|v| {
                    format!(
                        "<span class=\"tag {}\" title=\"{}\">{}</span>",
                        if v.kind == VerdictKind::Strong {
                            "good"
                        } else {
                            "hot"
                        },
                        escape(&v.rule),
                        v.kind.label_zh()
                    )
                })
                .collect();
            let i = &m.innovation;
            b.push_str(&format!(
                "<tr><td><a href=\"/chains/{}/nodes/{}\">{}</a></td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{} / {}</td><td class=\"r\">{}·{}·{}·{}</td><td>{}</td></tr>",
                url_encode(&id),
                url_encode(local_id),
                escape(&m.name),
                m.position.label_zh(),
                m.local_firms,
                if m.local_firms == 0 {
                    "—".to_string()
                } else {
                    wan_to_yi(m.output)
                },
                pct(m.local_supply_share),
                m.local_suppliers,
                m.external_suppliers,
                i.platforms, i.experts, i.achievements, i.open_demands,
                if v.is_empty() { "<span class=\"muted\">正常</span>".to_string() } else { v.join("") }
            ));
        }
        b.push_str("</tbody></table>");
    }
    Ok(derived_html(&model.name, "/chains", &dv, Some(&b), &st))
}

pub async fn node_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path((chain, node)): Path<(String, String)>,
    q: Result<Query<Params>, QueryRejection>,
) -> PageResult {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let year = year_of(&p);
    let st2 = st.clone();
    let dv = run(move || view(&st2, &who, year)).await?;
    let Some(d) = dv.value() else {
        return Ok(derived_html("产业链图谱", "/chains", &dv, None, &st));
    };
    let key = format!("{chain}/{node}");
    let report = d.reports.iter().find(|r| r.chain == chain);
    let n = report
        .and_then(|r| r.nodes.iter().find(|n| n.metrics.node == key))
        .ok_or_else(|| PageError::not_found(format!("产业链「{chain}」中没有节点「{node}」。")))?;
    let chain_name = report.map(|r| r.name.as_str()).unwrap_or("");
    let m = &n.metrics;
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/chains\">产业链图谱</a> › <a href=\"/chains/{}\">{}</a> › {}</p><h1>{} <small class=\"muted\">{} · {}</small></h1>",
        url_encode(&chain),
        escape(chain_name),
        escape(&m.name),
        escape(&m.name),
        escape(chain_name),
        m.position.label_zh()
    );
    b.push_str(&format!(
        "<div class=\"actions\"><a class=\"btn secondary\" href=\"/chain-nodes/{}\">节点定义（行业、关键词、上下游）</a><a class=\"btn secondary\" href=\"/api/chains/{}/nodes/{}\">JSON</a></div>",
        url_encode(&store_id(&key)),
        url_encode(&chain),
        url_encode(&node)
    ));
    b.push_str(&format!(
        "<div class=\"cards\"><div class=\"card\"><span class=\"num\">{}<small>家</small></span><span class=\"label\">本地企业（大 {} · 中 {} · 小 {} · 微 {}）</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地企业营业收入合计</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地配套率（本地采购 {} 中本地供应 {}）</span></div>\
         <div class=\"card\"><span class=\"num\">{} / {}</span><span class=\"label\">本地 / 市外供应商</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">集中度 HHI</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">平台 {} · 专家 {} · 成果 {} · 开放需求 {}</span></div></div>",
        m.local_firms, m.sizes.large, m.sizes.medium, m.sizes.small, m.sizes.micro,
        wan_to_yi(m.output),
        pct(m.local_supply_share), wan_to_yi(m.local_demand), wan_to_yi(m.local_supplied),
        m.local_suppliers, m.external_suppliers,
        m.hhi.map(|h| format!("{h:.3}")).unwrap_or_else(|| "—".into()),
        m.innovation.total(), m.innovation.platforms, m.innovation.experts, m.innovation.achievements, m.innovation.open_demands
    ));
    b.push_str("<h2>诊断</h2>");
    if n.verdicts.is_empty() {
        b.push_str("<p>未触发任何诊断规则（正常）。</p>");
    } else {
        b.push_str("<ul>");
        for v in &n.verdicts {
            b.push_str(&format!(
                "<li><span class=\"tag {}\">{}</span> {}</li>",
                if v.kind == VerdictKind::Strong {
                    "good"
                } else {
                    "hot"
                },
                v.kind.label_zh(),
                escape(&v.rule)
            ));
        }
        b.push_str("</ul>");
    }
    if !m.trend.is_empty() {
        b.push_str("<h2>历年本地配套</h2><table><thead><tr><th>年份</th><th class=\"r\">本地采购额</th><th class=\"r\">其中本地供应</th><th class=\"r\">本地配套率</th><th class=\"r\">本地供应商</th><th class=\"r\">市外供应商</th></tr></thead><tbody>");
        for t in &m.trend {
            b.push_str(&format!(
                "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                t.year, wan_to_yi(t.local_demand), wan_to_yi(t.local_supplied), pct(t.local_supply_share), t.local_suppliers, t.external_suppliers
            ));
        }
        b.push_str("</tbody></table>");
    }
    if !n.gaps.is_empty() {
        b.push_str("<h2>缺口台账</h2><ul>");
        for g in &n.gaps {
            b.push_str(&format!(
                "<li><strong>{}</strong>（{} 年发现）：{}{}</li>",
                g.verdict.label_zh(),
                g.opened_year,
                escape(&g.explanation),
                if g.actions.is_empty() {
                    String::new()
                } else {
                    format!("；行动 {} 项", g.actions.len())
                }
            ));
        }
        b.push_str("</ul>");
    }
    // Local firms mapped to the node, largest first.
    let orgs = &d.loaded.engine.input().orgs;
    let mut firms: Vec<&innomesh_chain::OrgInput> = d
        .loaded
        .engine
        .node_orgs(&key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| orgs.get(i as usize))
        .filter(|o| o.local)
        .collect();
    firms.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
    b.push_str(&format!("<h2>本地企业（{} 家）</h2>", firms.len()));
    if firms.is_empty() {
        b.push_str("<p class=\"muted\">本地暂无企业挂在该节点上。</p>");
    } else {
        b.push_str("<table><thead><tr><th>企业</th><th>所在地</th><th class=\"r\">营业收入（万元）</th><th>主要产品</th></tr></thead><tbody>");
        for o in firms.iter().take(50) {
            b.push_str(&format!(
                "<tr><td><a href=\"/organisations/{}\">{}</a></td><td>{}</td><td class=\"r\">{}</td><td>{}</td></tr>",
                url_encode(&o.credit_code),
                escape(&o.name),
                escape(&super::view::region_name(&o.region)),
                fmt_num(o.revenue, 0),
                escape(&o.products.chars().take(40).collect::<String>())
            ));
        }
        b.push_str("</tbody></table>");
        if firms.len() > 50 {
            b.push_str(&format!(
                "<p class=\"muted\">另有 {} 家未列出。</p>",
                firms.len() - 50
            ));
        }
    }
    if !n.targets.is_empty() {
        b.push_str("<h2>招商目标（以企引企）</h2><table><thead><tr><th>企业</th><th>所在地</th><th class=\"r\">得分</th><th>理由</th><th>引荐路径</th></tr></thead><tbody>");
        for t in n.targets.iter().take(10) {
            b.push_str(&format!(
                "<tr><td class=\"nw\"><a href=\"/organisations/{}\">{}</a></td><td class=\"nw\">{}</td><td class=\"r\">{:.2}</td><td>{}</td><td>{}</td></tr>",
                url_encode(&t.credit_code),
                escape(&t.name),
                escape(&innomesh_core::reference::regions().full_name(&t.region)),
                t.score,
                escape(&t.reasons.join("；")),
                escape(&t.referral.as_ref().map(|r| r.explanation.join(" → ")).unwrap_or_else(|| "—".into()))
            ));
        }
        b.push_str("</tbody></table>");
    }
    Ok(derived_html(&m.name, "/chains", &dv, Some(&b), &st))
}

/// A chain node an organisation is mapped to (挂链), for its detail page.
pub struct OrgNode {
    pub chain: String,
    pub chain_name: String,
    pub node: String,
    pub name: String,
    pub confidence: f32,
    pub reason: String,
}

/// The chain nodes an organisation belongs to, from the cached chain engine (empty if none).
pub fn org_nodes(st: &AppState, who: &innomesh_app::Principal, credit_code: &str) -> Vec<OrgNode> {
    let Ok(d) = data(st, who, None) else {
        return vec![];
    };
    let Some(&org) = d.loaded.codes.get(credit_code) else {
        return vec![];
    };
    let chains = d.loaded.engine.chains().chains();
    d.loaded
        .engine
        .explain_org(org)
        .into_iter()
        .map(|m| {
            let (chain, node) = m.node.split_once('/').unwrap_or(("", &m.node));
            let chain_name = chains
                .iter()
                .find(|c| c.id == chain)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            OrgNode {
                chain: chain.to_string(),
                chain_name,
                node: node.to_string(),
                name: m.name,
                confidence: m.confidence,
                reason: m.reason,
            }
        })
        .collect()
}

/// Records the chain engine had to leave out: named, so a clerk can fix them.
fn model_warnings(warnings: &[String]) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let mut b = String::from(
        "<div class=\"notice bad\" role=\"alert\"><strong>部分产业链节点未参与诊断：</strong><ul>",
    );
    for w in warnings {
        b.push_str(&format!("<li>{}</li>", escape(w)));
    }
    b.push_str("</ul></div>");
    b
}
