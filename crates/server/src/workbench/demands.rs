//! 出题解题 in the workbench: the workflow section of a demand's page (problem card check,
//! stages with who moved them, the form to move it, solvers' responses and their outcomes), the
//! ranked solvers with evidence (`/demands/{id}/matches`), likely adopters of an achievement
//! (`/achievements/{id}/adopters`), what a solver answered and heard back, and the conversion
//! funnel per district and per technology manager (`/demand-funnel`).

use super::enc;
use super::{error_page, html};
use crate::api::{param, Params};
use crate::auth::Who;
use crate::error::ApiError;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use innomesh_app::matching::BrokerHit;
use innomesh_app::workflow::{self, FunnelRow, ResponseView};
use innomesh_app::{Perm, Principal};
use innomesh_core::model::{Demand, DemandStatus, ResponseOutcome};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_matching::{Evidence, SolverKind};

fn outcome_tag(o: ResponseOutcome) -> String {
    let class = match o {
        ResponseOutcome::Selected => "tag good",
        ResponseOutcome::Declined => "tag hot",
        _ => "tag",
    };
    format!("<span class=\"{class}\">{}</span>", o.label())
}

fn when(at: &str) -> String {
    // RFC 3339 UTC → 北京时间, minutes.
    crate::pages::beijing_time(at)
}

/// The extra sections of a record's detail page that belong to the demand workflow.
pub fn detail_sections(
    st: &AppState,
    who: &Principal,
    r: &Record,
    p: &Params,
) -> Result<String, ApiError> {
    match r {
        Record::Demand(d) => demand_sections(st, who, d, p),
        Record::Achievement(a) => {
            let mut b = format!(
                "<div class=\"actions\"><a class=\"btn\" href=\"/achievements/{}/adopters\">可能的承接企业</a></div>",
                enc(&a.id)
            );
            b.push_str(&solver_sections(st, who, r)?);
            Ok(b)
        }
        Record::Policy(p) if !p.rule.trim().is_empty() => {
            Ok(super::policy::policy_section(st, who, p.rule.trim()))
        }
        Record::Organisation(o) if o.kind == innomesh_core::model::OrgKind::Enterprise => {
            // 政策找企业: the enterprise's policies and gaps (its own for an enterprise account).
            let mut b = match st.org_policies(who, o.credit_code.as_str()) {
                Ok(p) => super::policy::org_section(&p, false),
                Err(_) => String::new(),
            };
            b.push_str(&solver_sections(st, who, r)?);
            Ok(b)
        }
        Record::SharedService(s) => super::sharing::service_section(st, who, s, p),
        _ => solver_sections(st, who, r),
    }
}

fn solver_sections(st: &AppState, who: &Principal, r: &Record) -> Result<String, ApiError> {
    let Some(t) = workflow::solver_type_of(r.kind()) else {
        return Ok(String::new());
    };
    let rs = workflow::responses(st, who, None, Some((t, r.id())))?;
    if rs.is_empty() {
        return Ok(String::new());
    }
    let heard = rs
        .iter()
        .filter(|x| x.response.outcome != ResponseOutcome::Pending)
        .count();
    let mut b = format!(
        "<h2>应答的需求与结果（{}）</h2><p class=\"muted\">{} 条已收到反馈，{} 条待反馈。</p>\
         <table><thead><tr><th>需求</th><th>需求状态</th><th>应答日期</th><th>结果</th><th>反馈意见</th><th>反馈日期</th></tr></thead><tbody>",
        rs.len(),
        heard,
        rs.len() - heard
    );
    for x in &rs {
        b.push_str(&format!(
            "<tr><td><a href=\"/demands/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            enc(&x.response.demand),
            escape(if x.demand_title.is_empty() { &x.response.demand } else { &x.demand_title }),
            escape(x.demand_status),
            x.response.submitted,
            outcome_tag(x.response.outcome),
            escape(&x.response.feedback),
            x.response.decided.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    b.push_str("</tbody></table>");
    Ok(b)
}

fn demand_sections(
    st: &AppState,
    who: &Principal,
    d: &Demand,
    p: &Params,
) -> Result<String, ApiError> {
    let mut b = String::new();
    b.push_str(&format!(
        "<div class=\"actions\"><a class=\"btn\" href=\"/demands/{id}/matches\">匹配解题方</a>\
         <a class=\"btn secondary\" href=\"/demand-responses/new?demand={id}&amp;submitted={today}\">登记解题方应答</a>\
         <a class=\"btn secondary\" href=\"/demand-funnel\">需求转化漏斗</a></div>",
        id = enc(&d.id),
        today = innomesh_app::chains::today()
    ));
    // The problem card: what solvers need and what is missing.
    let issues = innomesh_app::matching::card_issues(d);
    if issues.is_empty() {
        b.push_str("<h2>问题卡片</h2><p class=\"notice ok\">卡片完整：目标指标、现状、技术成熟度、预算、期限与知识产权约定都已写明。</p>");
    } else {
        b.push_str(&format!(
            "<h2>问题卡片</h2><div class=\"notice bad\"><p>这张卡片还有 {} 处需要补充，解题方才好判断能否解决：</p><ul>",
            issues.len()
        ));
        for i in &issues {
            b.push_str(&format!("<li>{}</li>", escape(&i.message)));
        }
        b.push_str(&format!(
            "</ul><p><a href=\"/demands/{}/edit\">去补充</a></p></div>",
            enc(&d.id)
        ));
    }
    // Stages.
    let stage = d.status.stage();
    b.push_str("<h2>需求流转</h2><ol class=\"steps\">");
    for (i, s) in DemandStatus::ALL.iter().enumerate() {
        let class = if i < stage {
            "done"
        } else if i == stage {
            "cur"
        } else {
            ""
        };
        let cur = if i == stage {
            " aria-current=\"step\""
        } else {
            ""
        };
        b.push_str(&format!("<li class=\"{class}\"{cur}>{}</li>", s.label()));
    }
    b.push_str("</ol>");
    let managers = st.demand_managers(who, &d.id)?;
    let manager_name = d
        .manager
        .as_ref()
        .map(|m| {
            managers
                .iter()
                .find(|x| &x.id == m)
                .map(|x| format!("<a href=\"/people/{}\">{}</a>", enc(m), escape(&x.name)))
                .unwrap_or_else(|| escape(m))
        })
        .unwrap_or_else(|| "未分派".to_string());
    b.push_str(&format!("<p>技术经理人：{manager_name}</p>"));
    if let Some(e) = param(p, "flow_error") {
        b.push_str(&format!(
            "<p class=\"notice bad\" role=\"alert\">未能流转：{}</p>",
            escape(e)
        ));
    }
    if param(p, "moved").is_some() {
        b.push_str(&format!(
            "<p class=\"notice ok\" role=\"status\">已流转到「{}」，已记入流转记录和审计日志。</p>",
            d.status.label()
        ));
    }
    if who.may(Perm::Transition) {
        // The form: the next stage by default, earlier stages to move back (with a reason).
        b.push_str(&format!(
        "<form class=\"record\" method=\"post\" action=\"/demands/{}/transition\"><div class=\"field\"><label for=\"f-to\">流转到</label><div><select id=\"f-to\" name=\"to\">",
        enc(&d.id)
    ));
        // After a refused move the form shows what was chosen and typed (flow_*), not defaults.
        let refused = param(p, "flow_error").is_some();
        let chosen = param(p, "flow_to").filter(|_| refused);
        for (i, s) in DemandStatus::ALL.iter().enumerate() {
            if i == stage || i > stage + 1 {
                continue;
            }
            let picked = match chosen {
                Some(c) => c == s.code() || c == s.label(),
                None => i == stage + 1,
            };
            let sel = if picked { " selected" } else { "" };
            let note = if i == stage + 1 {
                "下一步"
            } else {
                "退回，须填原因"
            };
            b.push_str(&format!(
                "<option value=\"{}\"{sel}>{}（{note}）</option>",
                s.code(),
                s.label()
            ));
        }
        b.push_str(
            "</select><div class=\"help\">只能逐级推进，不能跳过；退回须写明原因</div></div></div>",
        );
        b.push_str("<div class=\"field\"><label for=\"f-manager\">技术经理人</label><div><select id=\"f-manager\" name=\"manager\"><option value=\"\">（不变）</option>");
        let chosen_manager = if refused {
            param(p, "flow_manager")
        } else {
            d.manager.as_deref()
        };
        for m in &managers {
            let sel = if chosen_manager == Some(m.id.as_str()) {
                " selected"
            } else {
                ""
            };
            let fit = if m.shared.is_empty() {
                String::new()
            } else {
                format!(" · 契合：{}", m.shared.join("、"))
            };
            b.push_str(&format!(
                "<option value=\"{}\"{sel}>{} — {} · 在办 {} 项{}</option>",
                escape(&m.id),
                escape(&m.name),
                escape(&m.fields),
                m.load,
                escape(&fit)
            ));
        }
        b.push_str(&format!("</select><div class=\"help\">按专长与本需求的契合度排序，契合度相同时在办少的在前</div></div></div>\
        <div class=\"field\"><label for=\"f-note\">说明</label><div><textarea id=\"f-note\" name=\"note\" maxlength=\"500\">{}</textarea></div></div>\
        <p><button type=\"submit\">流转</button></p></form>",
            escape(param(p, "flow_note").filter(|_| refused).unwrap_or(""))
        ));
    }
    // History.
    let history = st.demand_history(who, Some(&d.id))?;
    if !history.is_empty() {
        let actors =
            st.actor_names(&history.iter().map(|t| t.actor.as_str()).collect::<Vec<_>>())?;
        b.push_str("<h3>流转记录</h3><table><thead><tr><th>时间（北京时间）</th><th>从</th><th>到</th><th>经办人</th><th>说明</th></tr></thead><tbody>");
        for t in history.iter().rev() {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&when(&t.at)),
                t.from
                    .as_deref()
                    .map(workflow::status_label)
                    .unwrap_or("（登记）"),
                workflow::status_label(&t.to),
                escape(actors.get(&t.actor).unwrap_or(&t.actor)),
                escape(&t.note)
            ));
        }
        b.push_str("</tbody></table>");
    }
    // Responses.
    let rs = workflow::responses(st, who, Some(&d.id), None)?;
    b.push_str(&format!("<h2>解题方应答（{}）</h2>", rs.len()));
    if rs.is_empty() {
        b.push_str(
            "<p class=\"muted\">还没有解题方应答。可先「匹配解题方」，再邀请并登记应答。</p>",
        );
    } else {
        b.push_str(&responses_table(&rs));
    }
    Ok(b)
}

fn responses_table(rs: &[ResponseView]) -> String {
    let mut b = String::from("<table><thead><tr><th>解题方</th><th>类型</th><th>应答方案</th><th>应答日期</th><th>结果</th><th>反馈意见</th><th></th></tr></thead><tbody>");
    for x in rs {
        let kind = workflow::solver_kind(x.response.solver_type);
        b.push_str(&format!(
            "<tr><td><a href=\"/{}/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/demand-responses/{}/edit\">反馈结果</a></td></tr>",
            kind.plural(),
            enc(&x.response.solver),
            escape(&x.solver_name),
            x.response.solver_type.label(),
            escape(&x.response.proposal),
            x.response.submitted,
            outcome_tag(x.response.outcome),
            escape(&x.response.feedback),
            enc(&x.response.id)
        ));
    }
    b.push_str("</tbody></table>");
    b
}

/// `POST /demands/{id}/transition` from the form: back to the demand's page, with the outcome.
pub async fn transition(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let req = workflow::TransitionRequest {
        to: param(&p, "to").unwrap_or("").to_string(),
        manager: param(&p, "manager").map(str::to_string),
        actor: None,
        note: param(&p, "note").unwrap_or("").to_string(),
    };
    let st2 = st.clone();
    let id2 = id.clone();
    let res = blocking(move || workflow::transition(&st2, &who, &id2, &req)).await;
    let target = match res {
        Ok(Ok(_)) => {
            format!("/demands/{}?moved=1#flow", enc(&id))
        }
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            return error_page(e.status(), &e.message, &st)
        }
        // Refused: back with the reason and what was chosen and typed, so nothing is lost.
        Ok(Err(e)) => format!(
            "/demands/{}?flow_error={}&flow_to={}&flow_manager={}&flow_note={}#flow",
            enc(&id),
            enc(&e.message),
            enc(param(&p, "to").unwrap_or("")),
            enc(param(&p, "manager").unwrap_or("")),
            enc(&param(&p, "note")
                .unwrap_or("")
                .chars()
                .take(500)
                .collect::<String>())
        ),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response()
}

fn evidence_html(e: &Evidence) -> String {
    let mut parts = Vec::new();
    if !e.matched_terms.is_empty() {
        let terms: Vec<String> = e
            .matched_terms
            .iter()
            .take(12)
            .map(|m| {
                let field = match m.field.as_str() {
                    "name" => "名称",
                    "text" => "简介",
                    "disciplines" => "学科",
                    "past_demands" => "历史需求",
                    other => other,
                };
                match &m.via_alias {
                    Some(a) => format!(
                        "<mark>{}</mark><small class=\"muted\">（{field}，经别名「{}」）</small>",
                        escape(&m.term),
                        escape(a)
                    ),
                    None => format!(
                        "<mark>{}</mark><small class=\"muted\">（{field}）</small>",
                        escape(&m.term)
                    ),
                }
            })
            .collect();
        parts.push(format!("命中词：{}", terms.join("、")));
    }
    if let Some(d) = &e.discipline {
        parts.push(format!("同学科：{}", escape(d)));
    }
    if let Some(i) = &e.industry {
        parts.push(format!(
            "行业关联：{} ↔ {}（同{}）",
            escape(&crate::pages::view::industry_name(&i.query)),
            escape(&crate::pages::view::industry_name(&i.candidate)),
            escape(&i.level)
        ));
    }
    if let Some(n) = &e.chain_node {
        parts.push(format!("同一产业链节点：{}", escape(n)));
    }
    for c in &e.collaborations {
        parts.push(format!(
            "合作过：{}{}",
            escape(&c.title),
            c.year.map(|y| format!("（{y} 年）")).unwrap_or_default()
        ));
    }
    parts.push(format!(
        "<span class=\"muted\">文本相关 {:.2} · 语义相似 {:.2}</span>",
        e.lexical, e.semantic
    ));
    parts.join("<br>")
}

fn solver_path(k: SolverKind) -> (&'static str, &'static str, &'static str) {
    match k {
        SolverKind::Expert => ("people", "专家", "expert"),
        SolverKind::Platform => ("platforms", "创新平台", "platform"),
        SolverKind::Achievement => ("achievements", "科技成果", "achievement"),
        SolverKind::Equipment => ("equipment", "仪器设备", "equipment"),
    }
}

/// 「同一单位相近成果 3 项」: what a line stands for when others were folded into it.
fn folded_note(h: &BrokerHit) -> String {
    if h.folded.is_empty() {
        return String::new();
    }
    let n = h.folded.len() + 1;
    let what = match h.kind {
        SolverKind::Equipment => format!("同型仪器共 {n} 台（含其他单位）"),
        SolverKind::Achievement => format!("同一单位相近成果 {n} 项"),
        SolverKind::Platform => format!("同一单位相近平台 {n} 个"),
        SolverKind::Expert => format!("同一单位相近专家 {n} 位"),
    };
    let (path, _, _) = solver_path(h.kind);
    let links: Vec<String> = h
        .folded
        .iter()
        .map(|f| {
            let label = match (h.kind, &f.organisation_name) {
                (SolverKind::Equipment, Some(o)) => o.clone(),
                _ => f.name.clone(),
            };
            format!(
                "<li><a href=\"/{path}/{}\">{}</a></li>",
                enc(&f.id),
                escape(&label)
            )
        })
        .collect();
    format!(
        "<details class=\"folded\"><summary><small class=\"tag\">{what}</small></summary><ul>{}</ul></details>",
        links.join("")
    )
}

/// `/demands/{id}/matches`: ranked solvers with evidence — mixed across types by default (the
/// App's re-rank, the same as `/api/demands/{id}/matches`), or the best of one type.
pub async fn matches(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let kind_filter = param(&p, "type").unwrap_or("").to_string();
    let kind = innomesh_app::matching::solver_kind(&kind_filter);
    let kind_filter = if kind.is_some() {
        kind_filter
    } else {
        String::new()
    };
    let st2 = st.clone();
    let res = blocking(move || st2.broker_matches(&who, &id, kind, 20)).await;
    let (d, hits) = match res {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return error_page(e.status(), &e.message, &st),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    };
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/demands\">技术需求</a> › <a href=\"/demands/{id}\">{t}</a> › 匹配解题方</p>\
         <h1>匹配解题方：{t}</h1><p class=\"muted\">按文本相关（BM25）、语义相似、行业、产业链节点与过往合作综合打分；「全部」在相关的候选中兼顾专家、平台、成果与仪器，同一单位的相近成果与同型仪器合并为一行。每条都写明单位、区县、级别、联系途径和推荐理由。</p>",
        id = enc(&d.id),
        t = escape(&d.title)
    );
    let issues = innomesh_app::matching::card_issues(&d);
    if !issues.is_empty() {
        b.push_str(&format!(
            "<p class=\"notice bad\">问题卡片有 {} 处待补充，匹配结果可能偏泛。<a href=\"/demands/{}\">查看</a> · <a href=\"/demands/{}/edit\">去补充</a></p>",
            issues.len(),
            enc(&d.id),
            enc(&d.id)
        ));
    }
    b.push_str("<div class=\"chips\">");
    for (code, label) in [
        ("", "全部"),
        ("expert", "专家"),
        ("platform", "创新平台"),
        ("achievement", "科技成果"),
        ("equipment", "仪器设备"),
    ] {
        let on = if code == kind_filter {
            " style=\"font-weight:700\" aria-current=\"page\""
        } else {
            ""
        };
        b.push_str(&format!(
            "<a class=\"chip\"{on} href=\"/demands/{}/matches{}\">{label}</a>",
            enc(&d.id),
            if code.is_empty() {
                String::new()
            } else {
                format!("?type={code}")
            }
        ));
    }
    b.push_str("</div><table class=\"results\"><thead><tr><th>#</th><th>解题方</th><th>类型 · 级别</th><th>单位 · 区县</th><th>推荐理由与依据</th><th>联系途径</th><th></th></tr></thead><tbody>");
    for (i, h) in hits.iter().enumerate() {
        let (path, label, code) = solver_path(h.kind);
        let org = match (&h.organisation, &h.organisation_name) {
            (Some(c), Some(n)) => {
                format!("<a href=\"/organisations/{}\">{}</a>", enc(c), escape(n))
            }
            (Some(c), None) => escape(c),
            _ => "—".to_string(),
        };
        let contact = match &h.service {
            Some(s) => format!(
                "<a href=\"/shared-services/{}\">{}</a>",
                enc(s),
                escape(&h.contact)
            ),
            None => escape(&h.contact),
        };
        b.push_str(&format!(
            "<tr data-kind=\"{code}\"><td>{}</td><td class=\"name\"><a href=\"/{path}/{}\">{}</a>{}</td><td>{label}<br><small>{}</small></td>\
             <td>{org}<br><small>{}</small></td><td><p class=\"reason\">{}</p><details><summary>依据（得分 {:.2}）</summary>{}</details></td><td>{contact}</td>\
             <td><a href=\"/demand-responses/new?demand={}&amp;solver_type={code}&amp;solver={}&amp;submitted={}\">登记应答</a></td></tr>",
            i + 1,
            enc(&h.id),
            escape(&h.name),
            folded_note(h),
            escape(&h.tier),
            escape(h.district_name.as_deref().unwrap_or("—")),
            escape(&h.reason),
            h.score,
            evidence_html(&h.evidence),
            enc(&d.id),
            enc(&h.id),
            innomesh_app::chains::today()
        ));
    }
    if hits.is_empty() {
        b.push_str("<tr><td colspan=\"7\" class=\"muted\">没有找到相关的解题方。</td></tr>");
    }
    b.push_str("</tbody></table>");
    html("匹配解题方", "/demands", &b, &st)
}

/// `/achievements/{id}/adopters`: enterprises likely to adopt a result.
pub async fn adopters(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Response {
    let st2 = st.clone();
    let id2 = id.clone();
    let res = blocking(move || -> Result<_, ApiError> {
        let a = st2.get(&who, EntityKind::Achievement, &id2)?;
        let hits = st2.adopters(&who, &id2, 20)?;
        Ok((a, hits))
    })
    .await;
    let (a, hits) = match res {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return error_page(e.status(), &e.message, &st),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    };
    let title = a.as_ref().map(|r| r.name().to_string()).unwrap_or_default();
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/achievements\">科技成果</a> › <a href=\"/achievements/{id}\">{t}</a> › 可能的承接企业</p>\
         <h1>可能的承接企业：{t}</h1><p class=\"muted\">按主营业务与历史需求的文本相关、行业与产业链节点排序（本市企业，不含成果持有单位）。</p>\
         <table class=\"results\"><thead><tr><th>#</th><th>企业</th><th>得分</th><th>依据</th></tr></thead><tbody>",
        id = enc(&id),
        t = escape(&title)
    );
    for (i, h) in hits.iter().enumerate() {
        b.push_str(&format!(
            "<tr><td>{}</td><td class=\"name\"><a href=\"/organisations/{}\">{}</a></td><td>{:.2}</td><td>{}</td></tr>",
            i + 1,
            enc(&h.id),
            escape(&h.name),
            h.score,
            evidence_html(&h.evidence)
        ));
    }
    if hits.is_empty() {
        b.push_str("<tr><td colspan=\"4\" class=\"muted\">没有找到可能的承接企业。</td></tr>");
    }
    b.push_str("</tbody></table>");
    html("可能的承接企业", "/achievements", &b, &st)
}

fn funnel_table(title: &str, rows: &[FunnelRow], total: &FunnelRow, stages: &[&str]) -> String {
    let mut b = format!("<h2>{title}</h2><table><thead><tr><th>名称</th>");
    for s in stages {
        b.push_str(&format!("<th>{s}</th>"));
    }
    b.push_str("<th>签约率</th><th>在办</th></tr></thead><tbody>");
    for r in rows.iter().chain(std::iter::once(total)) {
        b.push_str(&format!("<tr><td>{}</td>", escape(&r.name)));
        for n in r.reached {
            b.push_str(&format!("<td>{n}</td>"));
        }
        b.push_str(&format!(
            "<td>{:.0}%</td><td>{}</td></tr>",
            r.contract_rate * 100.0,
            r.open
        ));
    }
    b.push_str("</tbody></table>");
    b
}

/// `/demand-funnel`: how far demands get, per district and per technology manager.
pub async fn funnel(State(st): State<AppState>, Who(who): Who) -> Response {
    let st2 = st.clone();
    let view = blocking(move || {
        st2.derived_view(
            &who,
            innomesh_app::Perm::Engines,
            "demand-funnel",
            "",
            workflow::funnel,
        )
    });
    let d = match view.await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return error_page(e.status(), &e.message, &st),
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    };
    let Some(f) = d.value() else {
        return crate::pages::common::derived_html("需求转化漏斗", "/demands", &d, None, &st);
    };
    let stages: Vec<(String, f64)> = f
        .stages
        .iter()
        .zip(f.total.reached)
        .map(|(s, n)| (s.to_string(), n as f64))
        .collect();
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/demands\">技术需求</a> › 需求转化漏斗</p>\
         <h1>需求转化漏斗</h1><div class=\"actions\"><a class=\"btn secondary\" href=\"/api/demand-funnel?format=xlsx\">下载 XLSX</a></div>\
         <p>共 {} 条需求，签约率 {:.0}%；解题方应答 {} 条，其中 {} 条已收到结果反馈（{:.0}%）。</p>\
         <figure class=\"chart\"><figcaption>各阶段到达的需求数</figcaption>{}</figure>",
        f.total.reached[0],
        f.total.contract_rate * 100.0,
        f.responses,
        f.responses_answered,
        if f.responses == 0 {
            0.0
        } else {
            f.responses_answered as f64 / f.responses as f64 * 100.0
        },
        crate::pages::svg::funnel("需求转化漏斗", &stages)
    );
    b.push_str(&funnel_table("按区县", &f.by_district, &f.total, &f.stages));
    b.push_str(&funnel_table(
        "按技术经理人",
        &f.by_manager,
        &f.total,
        &f.stages,
    ));
    crate::pages::common::derived_html("需求转化漏斗", "/demands", &d, Some(&b), &st)
}
