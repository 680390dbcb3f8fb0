//! Chain pages: `/chains` (every industrial chain with its diagnosis summary), `/chains/{id}`
//! (the chain drawn left to right, upstream → midstream → downstream, nodes coloured by their
//! diagnosis, each linking to its detail) and `/chains/{id}/nodes/{node}` (figures, verdicts with
//! the rule that fired, gaps, local firms, investment targets). Built on the server's chain service
//! (`crate::chains`); results are cached until the next write to the registry.

use super::common::{derived_html, fmt_num, html, param, run, PageError, PageResult, Params};
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

/// One money unit for a whole table (or card row, or map): 亿元 when its largest amount reaches
/// 1 亿元, else 万元; numbers with thousands separators. Amounts are stored in 万元.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Unit {
    Wan,
    Yi,
}

impl Unit {
    pub(super) fn for_amounts(xs: impl IntoIterator<Item = f64>) -> Unit {
        if xs.into_iter().any(|x| x.abs() >= 10_000.0) {
            Unit::Yi
        } else {
            Unit::Wan
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
        }
    }

    /// The number alone (the unit is in the column header).
    pub(super) fn num(self, x: f64) -> String {
        match self {
            Unit::Wan => fmt_num(x, 0),
            Unit::Yi => fmt_num(x / 10_000.0, 2),
        }
    }

    /// The number with its unit.
    pub(super) fn money(self, x: f64) -> String {
        format!("{} {}", self.num(x), self.label())
    }
}

/// Node page link of `node` (`chain/node` key) on chain `chain`.
fn node_href(chain: &str, key: &str) -> String {
    format!(
        "/chains/{}/nodes/{}",
        url_encode(chain),
        url_encode(key.rsplit('/').next().unwrap_or(key))
    )
}

/// 「新增补链行动」 for a gap of a node: the gap-action form with the node, the gap type, a title
/// and (for 本地配套对接) the kind and the firm filled in.
pub(super) fn new_action_href(key: &str, gap: &str, title: &str, extra: &str) -> String {
    format!(
        "/gap-actions/new?node={}&gap={}&title={}&status=%E8%AE%A1%E5%88%92%E4%B8%AD{extra}",
        url_encode(&store_id(key)),
        url_encode(gap),
        url_encode(title)
    )
}

fn state_zh(s: innomesh_chain::GapState) -> &'static str {
    match s {
        innomesh_chain::GapState::Open => "推进中",
        innomesh_chain::GapState::Stuck => "停滞",
        innomesh_chain::GapState::Closed => "已闭合",
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
             <a class=\"card\" href=\"/chains/{}/gaps\"><span class=\"num\">{}</span><span class=\"label\">未闭合缺口（停滞 {}，已闭合 {}）· 查看清单 ›</span></a></div>",
            s.nodes, s.strong, s.weak, s.blank, s.missing, s.scattered, s.small, url_encode(&id), s.gaps_open + s.gaps_stuck, s.gaps_stuck, s.gaps_closed
        ));
    }
    b.push_str(&format!(
        "<h2>产业链图谱 <small class=\"muted\">上游 → 中游 → 下游；颜色为诊断结论，点击节点查看企业与指标</small></h2>{}<figure class=\"chart\">{}</figure>",
        super::chain_graph::legend(),
        super::chain_graph::graph(&id, &model.name, d, year)
    ));
    if let Some(r) = report {
        let unit = Unit::for_amounts(r.nodes.iter().map(|n| n.metrics.output));
        b.push_str(&format!(
            "<h2>节点诊断表 <a class=\"btn secondary\" style=\"font-size:.85rem;float:right\" href=\"/api/chains/{}/report\">下载诊断报告（XLSX）</a></h2>\
             <table class=\"chain-nodes\"><thead><tr><th>节点</th><th>链位置</th><th class=\"r\">本地企业</th><th class=\"r\">产值（{}）</th><th class=\"r\">本地配套率</th><th class=\"r\">本地 / 市外供应商</th><th class=\"r\">平台·专家·成果·需求</th><th>诊断与原因</th></tr></thead><tbody>",
            url_encode(&id),
            unit.label()
        ));
        for n in &r.nodes {
            let m = &n.metrics;
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
                "<tr><td class=\"nw\"><a href=\"{}\">{}</a></td><td class=\"nw\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{} / {}</td><td class=\"r\">{}·{}·{}·{}</td><td>{}{}</td></tr>",
                escape(&node_href(&id, &m.node)),
                escape(&m.name),
                m.position.label_zh(),
                m.local_firms,
                if m.local_firms == 0 {
                    "—".to_string()
                } else {
                    unit.num(m.output)
                },
                pct(m.local_supply_share),
                m.local_suppliers,
                m.external_suppliers,
                i.platforms, i.experts, i.achievements, i.open_demands,
                if v.is_empty() { "<span class=\"muted\">正常</span>".to_string() } else { v.join("") },
                if n.verdicts.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<div class=\"muted reason\" style=\"font-size:.85rem\">{}</div>",
                        escape(&n.verdicts.iter().map(|v| v.reason.as_str()).collect::<Vec<_>>().join("；"))
                    )
                }
            ));
        }
        b.push_str("</tbody></table>");
    }
    Ok(derived_html(&model.name, "/chains", &dv, Some(&b), &st))
}

/// Gap actions as the registry holds them now (not the cached ledger's copy, which may lag a
/// write by the time the warmer rebuilds it): a clerk who just added one sees it listed.
fn current_actions(
    st: &AppState,
    who: &innomesh_app::Principal,
) -> Vec<innomesh_core::model::GapAction> {
    st.all(who, innomesh_core::EntityKind::GapAction)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| match r {
            innomesh_core::Record::GapAction(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// The actions recorded on a gap, each linking to its record: those naming the node and the gap's
/// verdict (or no verdict), as the ledger attaches them.
fn actions_cell(
    actions: &[innomesh_core::model::GapAction],
    node_key: &str,
    g: &innomesh_chain::GapProgress,
) -> String {
    use innomesh_core::Labelled;
    let id = store_id(node_key);
    let label = g.verdict.label_zh();
    let mine: Vec<&innomesh_core::model::GapAction> = actions
        .iter()
        .filter(|a| {
            let gap = a.gap.trim();
            a.node == id
                && (gap.is_empty()
                    || gap == label
                    || format!("{:?}", g.verdict).eq_ignore_ascii_case(gap))
        })
        .collect();
    if mine.is_empty() {
        return "<span class=\"muted\">尚无行动</span>".into();
    }
    mine.iter()
        .map(|a| {
            format!(
                "<a href=\"/gap-actions/{}\">{}</a> <span class=\"muted\">{} · {} · {}{}</span>",
                url_encode(&a.id),
                escape(&a.title),
                a.kind.label(),
                escape(&a.owner),
                a.status.label(),
                a.due.map(|d| format!(" · 期限 {d}")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn gap_button(node_key: &str, node_name: &str, g: &innomesh_chain::GapProgress) -> String {
    let label = g.verdict.label_zh();
    format!(
        "<a class=\"btn\" data-gap=\"{}\" href=\"{}\">新增补链行动</a>",
        escape(&g.gap_id),
        escape(&new_action_href(
            node_key,
            label,
            &format!("{node_name}补链：{label}"),
            ""
        ))
    )
}

/// `/chains/{id}/gaps`: every gap of the chain not yet closed, with its node, reason, the actions
/// taken and a button to add one.
pub async fn gaps_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> PageResult {
    let st2 = st.clone();
    let (d, actions) =
        run(move || Ok((data(&st2, &who, None)?, current_actions(&st2, &who)))).await?;
    let report = d
        .reports
        .iter()
        .find(|r| r.chain == id)
        .ok_or_else(|| PageError::not_found(format!("没有编号为「{id}」的产业链。")))?;
    let open: Vec<(&innomesh_chain::NodeReport, &innomesh_chain::GapProgress)> = report
        .nodes
        .iter()
        .flat_map(|n| n.gaps.iter().map(move |g| (n, g)))
        .filter(|(_, g)| g.state != innomesh_chain::GapState::Closed)
        .collect();
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/chains\">产业链图谱</a> › <a href=\"/chains/{}\">{n}</a> › 未闭合缺口</p>\
         <h1>{n} · {} 个未闭合缺口</h1><p class=\"muted\">每个缺口是某个节点某一年起被判为空白、短板、散、小或缺、至今未闭合的问题。「新增补链行动」打开已填好节点和缺口类型的行动表单。</p>",
        url_encode(&id),
        open.len(),
        n = escape(&report.name)
    );
    if open.is_empty() {
        b.push_str("<p>本链没有未闭合的缺口。</p>");
    } else {
        b.push_str("<table class=\"gaps\"><thead><tr><th>节点</th><th>缺口</th><th>发现年份</th><th>状态</th><th>原因</th><th>已有行动</th><th></th></tr></thead><tbody>");
        for (n, g) in open {
            let m = &n.metrics;
            let reason = n
                .verdicts
                .iter()
                .find(|v| v.kind == g.verdict)
                .map(|v| v.reason.clone())
                .unwrap_or_else(|| g.explanation.clone());
            b.push_str(&format!(
                "<tr><td class=\"nw\"><a href=\"{}\">{}</a></td><td><span class=\"tag hot\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td></tr>",
                escape(&node_href(&id, &m.node)),
                escape(&m.name),
                g.verdict.label_zh(),
                g.opened_year,
                state_zh(g.state),
                escape(&reason),
                actions_cell(&actions, &m.node, g),
                gap_button(&m.node, &m.name, g)
            ));
        }
        b.push_str("</tbody></table>");
    }
    Ok(html(
        &format!("{} · 未闭合缺口", report.name),
        "/chains",
        &b,
        &st,
    ))
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
    let (dv, actions) =
        run(move || Ok((view(&st2, &who, year)?, current_actions(&st2, &who)))).await?;
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
    // The verdicts and why, in one line, before any figure.
    b.push_str(&format!(
        "<p class=\"verdict-line\"><strong>诊断：</strong>{}</p>",
        if n.verdicts.is_empty() {
            "正常（未触发任何诊断规则）".to_string()
        } else {
            escape(&n.reason_line())
        }
    ));
    b.push_str(&format!(
        "<div class=\"actions\"><a class=\"btn secondary\" href=\"/chain-nodes/{}\">节点定义（行业、关键词、上下游）</a><a class=\"btn secondary\" href=\"/api/chains/{}/nodes/{}\">JSON</a></div>",
        url_encode(&store_id(&key)),
        url_encode(&chain),
        url_encode(&node)
    ));
    // The node's product keywords, each a search of the registry (never a 404 node address).
    if let Some(spec) = d
        .loaded
        .engine
        .chains()
        .node_index(&key)
        .and_then(|i| d.loaded.engine.chains().node(i))
    {
        if !spec.keywords.is_empty() {
            let links: Vec<String> = spec
                .keywords
                .iter()
                .map(|k| {
                    format!(
                        "<a class=\"chip\" href=\"/search?q={}\">{}</a>",
                        url_encode(k),
                        escape(k)
                    )
                })
                .collect();
            b.push_str(&format!(
                "<p class=\"chips\"><span class=\"muted\">产品关键词：</span>{}</p>",
                links.join("")
            ));
        }
    }
    let unit = Unit::for_amounts([m.output, m.local_demand, m.local_supplied]);
    b.push_str(&format!(
        "<div class=\"cards\"><div class=\"card\"><span class=\"num\">{}<small>家</small></span><span class=\"label\">本地企业（大 {} · 中 {} · 小 {} · 微 {}）</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地企业营业收入合计</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">本地配套率（本地采购 {} 中本地供应 {}）</span></div>\
         <div class=\"card\"><span class=\"num\">{} / {}</span><span class=\"label\">本地 / 市外供应商</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">集中度 HHI</span></div>\
         <div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">平台 {} · 专家 {} · 成果 {} · 开放需求 {}</span></div></div>",
        m.local_firms, m.sizes.large, m.sizes.medium, m.sizes.small, m.sizes.micro,
        unit.money(m.output),
        pct(m.local_supply_share), unit.money(m.local_demand), unit.money(m.local_supplied),
        m.local_suppliers, m.external_suppliers,
        m.hhi.map(|h| format!("{h:.3}")).unwrap_or_else(|| "—".into()),
        m.innovation.total(), m.innovation.platforms, m.innovation.experts, m.innovation.achievements, m.innovation.open_demands
    ));
    if !n.verdicts.is_empty() {
        b.push_str("<h2>诊断依据</h2><ul>");
        for v in &n.verdicts {
            b.push_str(&format!(
                "<li><span class=\"tag {}\">{}</span> {} <span class=\"muted\">（规则：{}）</span></li>",
                if v.kind == VerdictKind::Strong {
                    "good"
                } else {
                    "hot"
                },
                v.kind.label_zh(),
                escape(&v.reason),
                escape(&v.rule)
            ));
        }
        b.push_str("</ul>");
    }
    let open: Vec<&innomesh_chain::GapProgress> = n
        .gaps
        .iter()
        .filter(|g| g.state != innomesh_chain::GapState::Closed)
        .collect();
    if !n.gaps.is_empty() {
        b.push_str(&format!(
            "<h2 id=\"gaps\">缺口台账 <small class=\"muted\">{} 个未闭合</small></h2><table class=\"gaps\"><thead><tr><th>缺口</th><th>发现年份</th><th>状态</th><th>变化</th><th>已有行动</th><th></th></tr></thead><tbody>",
            open.len()
        ));
        for g in &n.gaps {
            b.push_str(&format!(
                "<tr><td><span class=\"tag hot\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td></tr>",
                g.verdict.label_zh(),
                g.opened_year,
                state_zh(g.state),
                escape(&g.explanation),
                actions_cell(&actions, &m.node, g),
                if g.state == innomesh_chain::GapState::Closed {
                    String::new()
                } else {
                    gap_button(&m.node, &m.name, g)
                }
            ));
        }
        b.push_str("</tbody></table>");
    }
    // What to do, in the order a bureau does it: connect local firms first, then attract.
    let has_gap = n.verdicts.iter().any(|v| v.kind.is_gap());
    if has_gap {
        b.push_str("<h2 id=\"recommend\">建议行动（按先后）</h2>");
        b.push_str("<h3>① 本地配套对接 <small class=\"muted\">本地生产该环节产品的企业 × 仍从市外采购的本地企业，按市外采购额排序</small></h3>");
        if n.local_pairs.is_empty() {
            b.push_str(&format!(
                "<p class=\"muted\">{}</p>",
                if m.local_firms == 0 {
                    "本地没有生产该环节产品的企业，无法本地对接，请看下方招商目标。"
                } else {
                    "登记库中没有本地企业从市外采购该环节产品，暂无可对接的本地供需。"
                }
            ));
        } else {
            let pu = Unit::for_amounts(n.local_pairs.iter().map(|p| p.buyer_external));
            b.push_str(&format!(
                "<table class=\"local-pairs\"><thead><tr><th>本地供应方</th><th>本地采购方</th><th class=\"r\">采购方从市外采购（{}）</th><th>理由</th><th></th></tr></thead><tbody>",
                pu.label()
            ));
            for pr in &n.local_pairs {
                let gap = n
                    .verdicts
                    .iter()
                    .find(|v| v.kind == VerdictKind::Missing)
                    .or_else(|| n.verdicts.iter().find(|v| v.kind.is_gap()))
                    .map(|v| v.kind.label_zh())
                    .unwrap_or("");
                let href = new_action_href(
                    &m.node,
                    gap,
                    &format!("本地配套对接：{} → {}", pr.supplier_name, pr.buyer_name),
                    &format!(
                        "&kind=%E4%BE%9B%E5%BA%94%E5%95%86%E5%AF%BC%E5%85%A5&organisation={}",
                        url_encode(&pr.supplier_code)
                    ),
                );
                b.push_str(&format!(
                    "<tr><td><a href=\"/organisations/{}\">{}</a></td><td><a href=\"/organisations/{}\">{}</a></td><td class=\"r\">{}</td><td>{}</td><td class=\"nw\"><a class=\"btn secondary\" href=\"{}\">记为补链行动</a></td></tr>",
                    url_encode(&pr.supplier_code),
                    escape(&pr.supplier_name),
                    url_encode(&pr.buyer_code),
                    escape(&pr.buyer_name),
                    pu.num(pr.buyer_external),
                    escape(&pr.reason),
                    escape(&href)
                ));
            }
            b.push_str("</tbody></table>");
        }
        if !n.targets.is_empty() {
            b.push_str("<h3>② 招商目标（以企引企）<small class=\"muted\">本地对接补不上的部分，再引进市外企业</small></h3><table><thead><tr><th>企业</th><th>所在地</th><th class=\"r\">得分</th><th>理由</th><th>引荐路径</th></tr></thead><tbody>");
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
    }
    if !m.trend.is_empty() {
        let tu = Unit::for_amounts(
            m.trend
                .iter()
                .flat_map(|t| [t.local_demand, t.local_supplied]),
        );
        b.push_str(&format!(
            "<h2>历年本地配套</h2><table><thead><tr><th>年份</th><th class=\"r\">本地采购额（{u}）</th><th class=\"r\">其中本地供应（{u}）</th><th class=\"r\">本地配套率</th><th class=\"r\">本地供应商</th><th class=\"r\">市外供应商</th></tr></thead><tbody>",
            u = tu.label()
        ));
        for t in &m.trend {
            b.push_str(&format!(
                "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                t.year, tu.num(t.local_demand), tu.num(t.local_supplied), pct(t.local_supply_share), t.local_suppliers, t.external_suppliers
            ));
        }
        b.push_str("</tbody></table>");
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
        let fu = Unit::for_amounts(firms.iter().take(50).map(|o| o.revenue));
        b.push_str(&format!("<table><thead><tr><th>企业</th><th>所在地</th><th class=\"r\">营业收入（{}）</th><th>主要产品</th></tr></thead><tbody>", fu.label()));
        for o in firms.iter().take(50) {
            b.push_str(&format!(
                "<tr><td><a href=\"/organisations/{}\">{}</a></td><td>{}</td><td class=\"r\">{}</td><td>{}</td></tr>",
                url_encode(&o.credit_code),
                escape(&o.name),
                escape(&super::view::region_name(&o.region)),
                fu.num(o.revenue),
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
