//! 创新联合体组建 in the workbench: saved proposals and the choice of what to build one for
//! (`/consortia`: a chain gap, a common problem or a demand), the proposal with every member's
//! reason, to adjust (drop, add, rewrite reasons) and save (`/consortia/new`, `POST /consortia`),
//! and a saved proposal with its XLSX annex (`/consortia/{id}`).

use super::{enc, redirect};
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
use axum::http::StatusCode;
use axum::response::Response;
use innomesh_app::consortium::{Basis, BasisInput, MemberInput, MemberRole, Proposal, SaveInput};
use innomesh_app::Perm;

fn basis_query(b: &Basis) -> String {
    format!("{}={}", b.kind(), enc(&b.id()))
}

fn members_table(p: &Proposal) -> String {
    let mut b = String::from("<table class=\"consortium\"><thead><tr><th>角色</th><th>名称</th><th>编号</th><th>推荐理由</th></tr></thead><tbody>");
    for m in &p.members {
        let href = match m.role.kind() {
            innomesh_core::EntityKind::Person => format!("/people/{}", enc(&m.id)),
            innomesh_core::EntityKind::Platform => format!("/platforms/{}", enc(&m.id)),
            _ => format!("/organisations/{}", enc(&m.id)),
        };
        b.push_str(&format!(
            "<tr data-role=\"{}\"><td>{}</td><td><a href=\"{href}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            m.role.code(),
            escape(&m.role_label),
            escape(&m.name),
            escape(&m.id),
            escape(&m.reason)
        ));
    }
    b.push_str("</tbody></table>");
    b
}

fn relations_table(p: &Proposal) -> String {
    if p.relations.is_empty() {
        return "<p class=\"muted\">成员之间尚无登记在册的关系（供应、技术交易、需求应答、共有成果、同一集团）。</p>".into();
    }
    let mut b = String::from("<table><thead><tr><th>成员甲</th><th>成员乙</th><th>已有关系</th><th>说明</th><th>依据记录</th></tr></thead><tbody>");
    for l in &p.relations {
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&l.a_name),
            escape(&l.b_name),
            escape(&l.kind),
            escape(&l.detail),
            escape(&l.evidence.join("、"))
        ));
    }
    b.push_str("</tbody></table>");
    b
}

/// `/consortia`: saved proposals; for the bureau, the form choosing what to build one for.
pub async fn index(State(st): State<AppState>, Who(who): Who, Query(p): Query<Params>) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let saved = st2.consortia(&who)?;
        let mut b = String::from("<h1>创新联合体组建</h1><p class=\"muted\">围绕产业链缺口、共性技术问题或一条技术需求，由引擎提出联合体组建建议：牵头企业（规模、研发投入、依托平台）、链上上下游企业、专长相符的高校院所、专家和平台、在该领域促成过交易的科技中介机构与技术经理人，每个成员附推荐理由和成员间已有的关系；调整后保存，导出为申报附件。</p>");
        if let Some(e) = param(&p, "error") {
            b.push_str(&format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(e)));
        }
        if who.may(Perm::Engines) {
            let reports = st2.chain_reports(&who, None)?;
            let mut options = String::new();
            for r in &reports.reports {
                for n in &r.nodes {
                    let gaps: Vec<&str> = n
                        .verdicts
                        .iter()
                        .filter(|v| v.kind.is_gap())
                        .map(|v| v.label.as_str())
                        .collect();
                    if gaps.is_empty() {
                        continue;
                    }
                    options.push_str(&format!(
                        "<option value=\"{}\">{} · {}（{}）</option>",
                        escape(&innomesh_app::chains::store_id(&n.metrics.node)),
                        escape(&r.name),
                        escape(&n.metrics.name),
                        escape(&gaps.join("、"))
                    ));
                }
            }
            b.push_str("<h2>提出组建建议</h2><div class=\"grid2\">");
            b.push_str(&format!(
                "<form method=\"get\" action=\"/consortia/new\" id=\"by-node\"><label>产业链缺口 <select name=\"node\">{options}</select></label> <button type=\"submit\">按缺口组建</button></form>"
            ));
            let problems = st2.common_problems(&who, None)?;
            let mut popts = String::new();
            for (i, c) in problems.iter().enumerate() {
                popts.push_str(&format!(
                    "<option value=\"{}\">{}. {}（{} 家单位）</option>",
                    i + 1,
                    i + 1,
                    escape(&c.terms.join(" · ")),
                    c.organisations
                ));
            }
            b.push_str(&format!(
                "<form method=\"get\" action=\"/consortia/new\" id=\"by-problem\"><label>共性技术问题 <select name=\"problem\">{popts}</select></label> <button type=\"submit\">按问题组建</button></form>"
            ));
            b.push_str("<form method=\"get\" action=\"/consortia/new\" id=\"by-demand\"><label>技术需求编号 <input name=\"demand\" placeholder=\"DM000001\" size=\"10\" required></label> <button type=\"submit\">按需求组建</button></form>");
            b.push_str("</div>");
        }
        b.push_str("<h2>已保存的组建建议</h2>");
        if saved.is_empty() {
            b.push_str("<p class=\"muted\">还没有保存的组建建议。</p>");
        } else {
            b.push_str("<table><thead><tr><th>编号</th><th>联合体名称</th><th>组建依据</th><th>牵头企业</th><th>成员数</th><th>修订自</th><th>保存人</th><th>保存时间</th></tr></thead><tbody>");
            for s in &saved {
                b.push_str(&format!(
                    "<tr><td><a href=\"/consortia/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    enc(&s.id),
                    escape(&s.id),
                    escape(&s.title),
                    escape(&s.basis_label),
                    escape(&s.lead),
                    s.members,
                    escape(s.revises.as_deref().unwrap_or("")),
                    escape(&s.created_by),
                    escape(&s.created_at)
                ));
            }
            b.push_str("</tbody></table>");
        }
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("创新联合体组建", "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

/// `/consortia/new?node=…|problem=…|demand=…`: the proposal, with the form to adjust and save it.
pub async fn new(State(st): State<AppState>, Who(who): Who, Query(p): Query<Params>) -> Response {
    let basis = match crate::api::deals::basis_param(&p) {
        Ok(b) => b,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.message, &st),
    };
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        let prop = st2.propose_consortium(&who, &basis)?;
        let may_save = who.may(Perm::Write);
        let mut b = format!(
            "<h1>创新联合体组建建议</h1><p>组建依据：<strong>{}</strong></p>",
            escape(&prop.basis_label)
        );
        if let Some(e) = param(&p, "error") {
            b.push_str(&format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(e)));
        }
        if !prop.warnings.is_empty() {
            b.push_str("<ul class=\"notice\">");
            for w in &prop.warnings {
                b.push_str(&format!("<li>{}</li>", escape(w)));
            }
            b.push_str("</ul>");
        }
        b.push_str("<form method=\"post\" action=\"/consortia\" id=\"consortium-form\">");
        b.push_str(&format!(
            "<input type=\"hidden\" name=\"basis_kind\" value=\"{}\"><input type=\"hidden\" name=\"basis_id\" value=\"{}\">",
            prop.basis.kind(),
            escape(&prop.basis.id())
        ));
        if let Some(r) = param(&p, "revises") {
            b.push_str(&format!(
                "<input type=\"hidden\" name=\"revises\" value=\"{}\"><p>修订已保存的建议 {}</p>",
                escape(r),
                escape(r)
            ));
        }
        b.push_str(&format!(
            "<p><label>联合体名称 <input name=\"title\" value=\"{}\" size=\"40\" required maxlength=\"200\"></label></p>",
            escape(&prop.title)
        ));
        b.push_str("<table class=\"consortium\"><thead><tr><th>保留</th><th>角色</th><th>名称</th><th>编号</th><th>推荐理由（可修改）</th></tr></thead><tbody>");
        for (i, m) in prop.members.iter().enumerate() {
            b.push_str(&format!(
                "<tr data-role=\"{code}\"><td><input type=\"checkbox\" name=\"m{i}.keep\" value=\"1\" checked aria-label=\"保留{name}\"></td><td>{label}<input type=\"hidden\" name=\"m{i}.role\" value=\"{code}\"></td><td>{name}</td><td>{id}<input type=\"hidden\" name=\"m{i}.id\" value=\"{id}\"></td><td><textarea name=\"m{i}.reason\" rows=\"2\" cols=\"60\" maxlength=\"1000\">{reason}</textarea></td></tr>",
                code = m.role.code(),
                label = escape(&m.role_label),
                name = escape(&m.name),
                id = escape(&m.id),
                reason = escape(&m.reason)
            ));
        }
        let roles: String = MemberRole::ALL
            .iter()
            .map(|r| format!("<option value=\"{}\">{}</option>", r.code(), r.label()))
            .collect();
        for j in 0..3 {
            b.push_str(&format!(
                "<tr class=\"add\"><td>增加</td><td><select name=\"a{j}.role\">{roles}</select></td><td colspan=\"2\"><input name=\"a{j}.id\" placeholder=\"统一社会信用代码 / 人员或平台编号\" size=\"22\"></td><td><textarea name=\"a{j}.reason\" rows=\"1\" cols=\"60\" maxlength=\"1000\" placeholder=\"推荐理由\"></textarea></td></tr>"
            ));
        }
        b.push_str("</tbody></table>");
        b.push_str("<p><label>备注 <textarea name=\"note\" rows=\"2\" cols=\"60\" maxlength=\"2000\"></textarea></label></p>");
        if may_save {
            b.push_str("<p><button type=\"submit\">保存组建建议</button></p>");
        }
        b.push_str("</form>");
        b.push_str("<h2>成员间已有关系</h2>");
        b.push_str(&relations_table(&prop));
        b.push_str("<p><a href=\"/consortia\">返回创新联合体组建</a></p>");
        Ok(b)
    })
    .await;
    match res {
        Ok(Ok(b)) => html("创新联合体组建建议", "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

/// The members a form keeps (checked rows and filled additions), in form order.
fn members_of(p: &Params) -> Vec<MemberInput> {
    let get = |k: String| param(p, &k).unwrap_or("").to_string();
    let mut out = Vec::new();
    let mut i = 0;
    while param(p, &format!("m{i}.role")).is_some() {
        if param(p, &format!("m{i}.keep")).is_some() {
            out.push(MemberInput {
                role: get(format!("m{i}.role")),
                id: get(format!("m{i}.id")),
                reason: get(format!("m{i}.reason")),
            });
        }
        i += 1;
    }
    let mut j = 0;
    while param(p, &format!("a{j}.role")).is_some() {
        if param(p, &format!("a{j}.id")).is_some() {
            out.push(MemberInput {
                role: get(format!("a{j}.role")),
                id: get(format!("a{j}.id")),
                reason: get(format!("a{j}.reason")),
            });
        }
        j += 1;
    }
    out
}

/// `POST /consortia`: saves the adjusted proposal; back to the proposal with the reason when
/// refused.
pub async fn save(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let kind = param(&p, "basis_kind").unwrap_or("").to_string();
    let id = param(&p, "basis_id").unwrap_or("").to_string();
    let revises = param(&p, "revises").map(str::to_string);
    let input = SaveInput {
        title: param(&p, "title").unwrap_or("").to_string(),
        basis: BasisInput {
            kind: kind.clone(),
            id: id.clone(),
        },
        members: members_of(&p),
        note: param(&p, "note").unwrap_or("").to_string(),
        revises: revises.clone(),
    };
    let st2 = st.clone();
    match blocking(move || st2.save_consortium(&who, input)).await {
        Ok(Ok(saved)) => redirect(format!(
            "/consortia/{}",
            enc(saved.id.as_deref().unwrap_or(""))
        )),
        Ok(Err(e)) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(e.status(), &e.message, &st)
        }
        Ok(Err(e)) => {
            let back = match Basis::parse(&kind, &id) {
                Ok(b) => format!(
                    "/consortia/new?{}{}&error={}",
                    basis_query(&b),
                    revises
                        .map(|r| format!("&revises={}", enc(&r)))
                        .unwrap_or_default(),
                    enc(&e.message)
                ),
                Err(_) => format!("/consortia?error={}", enc(&e.message)),
            };
            redirect(back)
        }
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}

/// `/consortia/{id}`: a saved proposal, its annex and the way to revise it.
pub async fn view(State(st): State<AppState>, Who(who): Who, Path(id): Path<String>) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<(String, String), ApiError> {
        let p = st2.consortium(&who, &id)?;
        let pid = p.id.clone().unwrap_or_default();
        let mut b = format!(
            "<h1>{} <span class=\"muted\">{}</span></h1><p>组建依据：{}；保存人 {}，{}。{}</p>",
            escape(&p.title),
            escape(&pid),
            escape(&p.basis_label),
            escape(&p.created_by),
            escape(&p.created_at),
            p.revises
                .as_ref()
                .map(|r| format!("修订自 <a href=\"/consortia/{}\">{}</a>。", enc(r), escape(r)))
                .unwrap_or_default()
        );
        b.push_str("<div class=\"actions\">");
        if who.may(Perm::Export) {
            b.push_str(&format!(
                "<a class=\"btn\" href=\"/api/consortia/{}/export\" id=\"annex\">导出申报附件 XLSX</a>",
                enc(&pid)
            ));
        }
        if who.may(Perm::Engines) && who.may(Perm::Write) {
            b.push_str(&format!(
                "<a class=\"btn secondary\" href=\"/consortia/new?{}&revises={}\">据此修订</a>",
                basis_query(&p.basis),
                enc(&pid)
            ));
        }
        b.push_str("</div>");
        if !p.note.is_empty() {
            b.push_str(&format!("<p>备注：{}</p>", escape(&p.note)));
        }
        b.push_str("<h2>联合体成员</h2>");
        b.push_str(&members_table(&p));
        b.push_str("<h2>成员间已有关系</h2>");
        b.push_str(&relations_table(&p));
        b.push_str("<p><a href=\"/consortia\">返回创新联合体组建</a></p>");
        Ok((p.title, b))
    })
    .await;
    match res {
        Ok(Ok((t, b))) => html(&t, "/deals", &b, &st),
        Ok(Err(e)) => error_page(e.status(), &e.message, &st),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message, &st),
    }
}
