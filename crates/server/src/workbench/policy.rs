//! 政策找企业 in the workbench: the rules (`/policy-rules`), a policy's page with its conditions
//! in plain Chinese and the 免申即享 / 差一项 / 快申快享 lists (`/policy-rules/{rule}`), its 政策评估
//! (`…/assessment`), the bureau's rule editor (`…/edit`), and an enterprise's policies with what
//! is missing and the form for its facts (`/organisations/{id}/policies`).

use super::{error_page, html};
use crate::auth::Who;
use crate::error::ApiError;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::common::derived_html;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use innomesh_app::policy::{
    conditions_text, source_text, today, value_from_text, FactInput, ListPage, MatchRow,
    OrgPolicies,
};
use innomesh_app::policy::{Category, Truth};
use innomesh_app::{Perm, Principal};

fn enc(s: &str) -> String {
    crate::pages::layout::url_encode(s)
}

fn fail(e: ApiError, st: &AppState) -> Response {
    error_page(e.status(), &e.message, st)
}

fn category_tag(c: Category) -> String {
    let class = match c {
        Category::Eligible => "tag good",
        Category::Ineligible => "tag hot",
        _ => "tag",
    };
    format!(
        "<span class=\"{class}\">{}</span>",
        innomesh_app::policy::category_label(c)
    )
}

fn truth_tag(t: Truth) -> String {
    let class = match t {
        Truth::True => "tag good",
        Truth::False => "tag hot",
        Truth::Unknown => "tag",
    };
    format!("<span class=\"{class}\">{}</span>", t.label())
}

/// `/policy-rules`: every rule with its source, linked policies and counts.
pub async fn index(State(st): State<AppState>, Who(who): Who) -> Response {
    let st2 = st.clone();
    let key = String::new();
    let res = blocking(move || {
        st2.derived_view_kept(
            &who,
            Perm::Policies,
            "policy-rules",
            &key,
            move |st2, who| -> Result<String, ApiError> {
        who.require(Perm::Policies)?;
        let rules = st2.policy_rules(who)?;
        let mut b = String::from(
            "<h1>政策找企业</h1><p class=\"muted\">惠企政策的申报条件写成可执行的规则：按登记库和已填报的事实逐条判断，列出符合（免申即享）、差一项、待补充（快申快享）的企业，并说明依据。</p>\
             <table><thead><tr><th>规则</th><th>政策依据</th><th>关联政策</th><th class=\"r\">符合</th><th class=\"r\">差一项</th><th class=\"r\">待补充</th><th class=\"r\">企业数</th><th></th></tr></thead><tbody>",
        );
        for e in &rules {
            let m = st2.policy_counts(who, &e.rule.id).ok();
            let c = |f: fn(&innomesh_app::policy::CategoryCounts) -> usize| {
                m.as_ref().map(|m| f(m).to_string()).unwrap_or_else(|| "—".into())
            };
            let linked: Vec<String> = e
                .policies
                .iter()
                .map(|(id, t)| format!("<a href=\"/policies/{}\">{}</a>", enc(id), escape(t)))
                .collect();
            b.push_str(&format!(
                "<tr><td><a href=\"/policy-rules/{id}\">{}</a><br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td><a href=\"/policy-rules/{id}/assessment\">政策评估</a></td></tr>",
                escape(&e.rule.name),
                escape(&e.origin_label()),
                escape(&source_text(&e.rule)),
                if linked.is_empty() { "<span class=\"muted\">—</span>".into() } else { linked.join("<br>") },
                c(|c| c.eligible),
                c(|c| c.near_miss),
                c(|c| c.unknown),
                c(|c| c.total),
                id = enc(&e.rule.id),
            ));
        }
        b.push_str("</tbody></table>");
        Ok(b)
            },
        )
    })
    .await;
    match res {
        Ok(Ok(d)) => crate::pages::common::derived_html(
            "政策找企业",
            "/policy-rules",
            &d,
            d.value().map(|b| b.as_str()),
            &st,
        ),
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

/// Enterprises per list page on a policy's page.
const PAGE: usize = 100;

/// One list of a policy's page: `rows` are the page shown of `total`; `page` is the page number
/// when the list is shown alone (with a pager), else `None` (the first page, with a link to all).
struct ListView<'a> {
    rule: &'a str,
    list: &'a str,
    title: &'a str,
    hint: &'a str,
    what: &'a str,
    total: usize,
    page: Option<usize>,
}

fn match_table(v: &ListView, rows: &[MatchRow]) -> String {
    let mut b = format!(
        "<section id=\"{}\"><h2>{}（{} 家）</h2><p class=\"muted\">{}</p>",
        v.list,
        escape(v.title),
        v.total,
        escape(v.hint)
    );
    if rows.is_empty() {
        b.push_str(if v.total == 0 {
            "<p class=\"muted\">无。</p></section>"
        } else {
            "<p class=\"muted\">本页无企业。</p></section>"
        });
        return b;
    }
    b.push_str(&format!(
        "<table><thead><tr><th>企业</th><th>旗县区</th><th>行业</th><th>{}</th></tr></thead><tbody>",
        escape(v.what)
    ));
    for r in rows {
        let detail = match r.category {
            Category::NearMiss => {
                let mut s = escape(&r.failed.join("；"));
                for h in &r.hints {
                    s.push_str(&format!("<br><span class=\"muted\">{}</span>", escape(h)));
                }
                s
            }
            Category::Unknown => format!("再补充：{}", escape(&r.missing.join("、"))),
            _ => "全部条件已满足，事实齐全".into(),
        };
        b.push_str(&format!(
            "<tr><td><a href=\"/organisations/{}/policies\">{}</a></td><td>{}</td><td>{}</td><td>{detail}</td></tr>",
            enc(&r.org),
            escape(&r.name),
            escape(&r.region_name),
            escape(&r.industry_name),
        ));
    }
    b.push_str("</tbody></table>");
    let link = |page: usize, label: &str| {
        format!(
            "<a class=\"btn secondary\" href=\"/policy-rules/{}?list={}&amp;page={page}#{}\">{label}</a>",
            enc(v.rule),
            v.list,
            v.list
        )
    };
    let first = v.page.map_or(0, |p| (p - 1) * PAGE);
    let shown = format!(
        "第 {}–{} 家，共 {} 家。",
        first + 1,
        first + rows.len(),
        v.total
    );
    match v.page {
        None if v.total > rows.len() => b.push_str(&format!(
            "<p class=\"muted\">{shown}</p><div class=\"actions\">{}</div>",
            link(1, "逐页查看全部")
        )),
        Some(p) => {
            let mut nav = String::new();
            if p > 1 {
                nav.push_str(&link(p - 1, "上一页"));
            }
            if first + rows.len() < v.total {
                nav.push_str(&link(p + 1, "下一页"));
            }
            b.push_str(&format!(
                "<p class=\"muted\">{shown}</p><div class=\"actions\">{nav}<a class=\"btn secondary\" href=\"/policy-rules/{}\">返回三张名单</a></div>",
                enc(v.rule)
            ));
        }
        None => {}
    }
    b.push_str("</section>");
    b
}

/// `/policy-rules/{rule}`: conditions in plain Chinese and the three lists.
pub async fn rule_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
    Query(p): Query<Vec<(String, String)>>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<_, ApiError> {
        let page = crate::api::policy::list_page(&p)?;
        let number = crate::api::number(&p, "page", 1, 100_000)?.max(1);
        let alone = page.category.is_some();
        let page = ListPage {
            offset: if alone { (number - 1) * PAGE } else { 0 },
            limit: PAGE,
            ..page
        };
        // An unknown rule is refused at once; its lists (seconds to minutes for a first rule
        // on a province-size registry) are built in the background.
        st2.policy_rule(&who, &rule)?;
        let key = format!("{rule}\u{1f}{page:?}\u{1f}{number}");
        st2.derived_view_kept(
            &who,
            Perm::Policies,
            "policy-rule",
            &key,
            move |st2, who| -> Result<(String, String), ApiError> {
        let m = st2.policy_matches(who, &rule, page)?;
        let e = st2.policy_rule(who, &rule)?;
        let mut b = format!(
            "<h1>{}</h1><p>依据：{}　<span class=\"muted\">规则版本：{} 起施行；{}；判断日期 {}</span></p>",
            escape(&e.rule.name),
            escape(&source_text(&e.rule)),
            escape(&m.version),
            escape(&e.origin_label()),
            escape(&m.date),
        );
        b.push_str(&format!(
            "<div class=\"actions\"><a class=\"btn\" href=\"/api/policy-rules/{id}/export\">导出名单 XLSX</a><a class=\"btn secondary\" href=\"/policy-rules/{id}/assessment\">政策评估</a>{}</div>",
            if who.may(Perm::PolicyRules) {
                format!("<a class=\"btn secondary\" href=\"/policy-rules/{}/edit\">修改规则</a>", enc(&e.rule.id))
            } else {
                String::new()
            },
            id = enc(&e.rule.id)
        ));
        if !e.policies.is_empty() {
            let linked: Vec<String> = e
                .policies
                .iter()
                .map(|(id, t)| format!("<a href=\"/policies/{}\">{}</a>", enc(id), escape(t)))
                .collect();
            b.push_str(&format!("<p>关联政策：{}</p>", linked.join("、")));
        }
        b.push_str("<section><h2>申报条件</h2><ul class=\"conditions\">");
        for c in conditions_text(&e.rule, today()) {
            b.push_str(&format!(
                "<li style=\"margin-left:{}em\">{}</li>",
                c.depth * 2,
                escape(&c.text)
            ));
        }
        b.push_str("</ul></section>");
        b.push_str(&format!(
            "<p><strong>{}</strong> 家企业中：符合 <strong>{}</strong> 家，差一项 <strong>{}</strong> 家，待补充 <strong>{}</strong> 家，不符合 {} 家。</p>",
            m.counts.total, m.counts.eligible, m.counts.near_miss, m.counts.unknown, m.counts.ineligible
        ));
        let lists = [
            (Category::Eligible, "eligible", "符合：免申即享", "全部条件满足、所需事实齐全：可直接兑现，无需企业申请。", "说明", m.counts.eligible, &m.automatic),
            (Category::NearMiss, "near_miss", "差一项", "只有一项条件未满足，其余都已满足。", "未满足的条件与达标所需", m.counts.near_miss, &m.near_miss),
            (Category::Unknown, "unknown", "待补充：快申快享", "已知事实不能作出判断：邀请企业补充所列事实后即可判定。", "需补充的事实", m.counts.unknown, &m.unknown),
        ];
        for (category, list, title, hint, what, total, rows) in lists {
            if alone && page.category != Some(category) {
                continue;
            }
            let view = ListView {
                rule: &e.rule.id,
                list,
                title,
                hint,
                what,
                total,
                page: alone.then_some(number),
            };
            b.push_str(&match_table(&view, rows));
        }
        Ok((e.rule.name.clone(), b))
            },
        )
    })
    .await;
    match res {
        Ok(Ok(d)) => match d.value() {
            Some(v) => derived_html(&v.0, "/policy-rules", &d, Some(&v.1), &st),
            None => derived_html("政策找企业", "/policy-rules", &d, None, &st),
        },
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

/// `/policy-rules/{rule}/assessment`: 政策评估.
pub async fn assessment_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<(String, String), ApiError> {
        let a = st2.policy_assessment(&who, &rule)?;
        let mut b = format!(
            "<h1>政策评估：{}</h1><p class=\"muted\">判断日期 {}；范围为本账号可见的企业。</p><p>{} 家企业中：符合 <strong>{}</strong>，差一项 <strong>{}</strong>，待补充 <strong>{}</strong>，不符合 {}。</p><p><a href=\"/policy-rules/{}\">返回名单</a></p>",
            escape(&a.name),
            escape(&a.date),
            a.counts.total,
            a.counts.eligible,
            a.counts.near_miss,
            a.counts.unknown,
            a.counts.ineligible,
            enc(&a.rule),
        );
        let table = |title: &str, head: &str, groups: &[innomesh_app::policy::GroupCounts]| {
            let mut s = format!(
                "<section><h2>{title}</h2><table><thead><tr><th>{head}</th><th class=\"r\">符合</th><th class=\"r\">差一项</th><th class=\"r\">待补充</th><th class=\"r\">不符合</th><th class=\"r\">企业数</th><th class=\"r\">符合率</th></tr></thead><tbody>"
            );
            for g in groups {
                let rate = if g.counts.total == 0 {
                    0.0
                } else {
                    g.counts.eligible as f64 / g.counts.total as f64 * 100.0
                };
                s.push_str(&format!(
                    "<tr><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{rate:.1}%</td></tr>",
                    escape(&g.name),
                    g.counts.eligible,
                    g.counts.near_miss,
                    g.counts.unknown,
                    g.counts.ineligible,
                    g.counts.total
                ));
            }
            s.push_str("</tbody></table></section>");
            s
        };
        b.push_str(&table("按旗县区", "旗县区", &a.by_district));
        b.push_str(&table("按行业（大类）", "行业", &a.by_industry));
        let ranked = |title: &str, note: &str, list: &[innomesh_app::policy::Blocking]| {
            let mut s = format!("<section><h2>{title}</h2><p class=\"muted\">{note}</p>");
            if list.is_empty() {
                s.push_str("<p class=\"muted\">无。</p></section>");
                return s;
            }
            s.push_str("<table><thead><tr><th>条件 / 事实</th><th class=\"r\">企业数</th></tr></thead><tbody>");
            for x in list {
                s.push_str(&format!(
                    "<tr><td>{}</td><td class=\"r\">{}</td></tr>",
                    escape(&x.text),
                    x.enterprises
                ));
            }
            s.push_str("</tbody></table></section>");
            s
        };
        b.push_str(&ranked(
            "差一项的企业卡在哪一条",
            "每家差一项的企业只差一条；排在最前的一条挡住的企业最多。",
            &a.blocking,
        ));
        b.push_str(&ranked(
            "待补充的企业缺哪些事实",
            "补齐这些事实即可判定（快申快享）。",
            &a.missing,
        ));
        Ok((a.name.clone(), b))
    })
    .await;
    match res {
        Ok(Ok((title, b))) => html(&format!("政策评估：{title}"), "/policy-rules", &b, &st),
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

fn edit_body(id: &str, yaml: &str, note: &str, message: Option<&str>, history: &str) -> String {
    format!(
        "<h1>修改规则：{id_html}</h1>{}<p class=\"muted\">规则以 YAML 书写（格式见 data/policies/ 中的内置规则）。保存时先校验：有误时指出行号，不保存。每次保存成为一个新版本，条件的有效期在规则内的 versions 中按日期区分。</p>\
         <form method=\"post\" action=\"/policy-rules/{id_url}/edit\"><p><label>规则全文<br><textarea name=\"yaml\" rows=\"30\" cols=\"100\" spellcheck=\"false\">{}</textarea></label></p>\
         <p><label>修改说明 <input name=\"note\" value=\"{}\" maxlength=\"500\" size=\"60\"></label></p><p><button type=\"submit\">校验并保存</button> <a href=\"/policy-rules/{id_url}\">取消</a></p></form>{history}",
        message
            .map(|m| format!("<p class=\"notice bad\" role=\"alert\">{}</p>", escape(m)))
            .unwrap_or_default(),
        escape(yaml),
        escape(note),
        id_html = escape(id),
        id_url = enc(id),
    )
}

fn history_html(st: &AppState, who: &Principal, id: &str) -> String {
    let Ok(versions) = st.policy_rule_history(who, id) else {
        return String::new();
    };
    if versions.is_empty() {
        return "<p class=\"muted\">尚未修改过：当前为内置规则。</p>".into();
    }
    let mut s = String::from("<section><h2>修改记录</h2><table><thead><tr><th>版本</th><th>修改人</th><th>时间</th><th>说明</th></tr></thead><tbody>");
    for v in versions {
        s.push_str(&format!(
            "<tr><td>第 {} 版</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            v.seq,
            escape(&v.actor),
            escape(&crate::pages::beijing_time(&v.at)),
            escape(&v.note)
        ));
    }
    s.push_str("</tbody></table></section>");
    s
}

/// `GET /policy-rules/{rule}/edit`: the bureau's editor.
pub async fn edit_form(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<String, ApiError> {
        who.require(Perm::PolicyRules)?;
        let e = st2.policy_rule(&who, &rule)?;
        Ok(edit_body(
            &e.rule.id,
            &e.yaml,
            "",
            None,
            &history_html(&st2, &who, &e.rule.id),
        ))
    })
    .await;
    match res {
        Ok(Ok(b)) => html("修改规则", "/policy-rules", &b, &st),
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

#[derive(serde::Deserialize)]
pub struct EditInput {
    yaml: String,
    #[serde(default)]
    note: String,
}

/// `POST /policy-rules/{rule}/edit`: checked and saved, or the form again with the error's line.
pub async fn edit_save(
    State(st): State<AppState>,
    Who(who): Who,
    Path(rule): Path<String>,
    Form(input): Form<EditInput>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || -> Result<Result<String, String>, ApiError> {
        who.require(Perm::PolicyRules)?;
        let yaml = input.yaml.replace("\r\n", "\n");
        match st2.save_policy_rule(&who, &rule, &yaml, &input.note) {
            Ok(e) => Ok(Ok(e.rule.id.clone())),
            Err(err) if err.code == innomesh_app::Code::InvalidField => Ok(Err(edit_body(
                &rule,
                &yaml,
                &input.note,
                Some(&err.message),
                &history_html(&st2, &who, &rule),
            ))),
            Err(err) => Err(err.into()),
        }
    })
    .await;
    match res {
        Ok(Ok(Ok(id))) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/policy-rules/{}", enc(&id)))],
        )
            .into_response(),
        Ok(Ok(Err(body))) => {
            let mut r = html("修改规则", "/policy-rules", &body, &st);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

/// A policy record's section: its executable rule and, for staff, how many enterprises qualify.
pub fn policy_section(st: &AppState, who: &Principal, rule: &str) -> String {
    let Ok(e) = st.policy_rule(who, rule) else {
        return String::new();
    };
    let mut b = format!(
        "<section><h2>政策找企业</h2><p>认定规则：{}（{}）</p>",
        escape(&e.rule.name),
        escape(&source_text(&e.rule))
    );
    if let Ok(counts) = st.policy_counts(who, rule) {
        b.push_str(&format!(
            "<p>{} 家企业中：符合（免申即享）<strong>{}</strong> 家，差一项 <strong>{}</strong> 家，待补充（快申快享）<strong>{}</strong> 家。</p><p><a class=\"btn\" href=\"/policy-rules/{id}\">名单与判定依据</a> <a class=\"btn secondary\" href=\"/policy-rules/{id}/assessment\">政策评估</a></p>",
            counts.total,
            counts.eligible,
            counts.near_miss,
            counts.unknown,
            id = enc(rule)
        ));
    }
    b.push_str("</section>");
    b
}

/// The policies of one enterprise with what is missing (the detail page's section and the page).
pub fn org_section(p: &OrgPolicies, full: bool) -> String {
    let mut b = String::new();
    if !full {
        b.push_str("<section><h2>可享受的政策与差距</h2>");
    }
    b.push_str("<table class=\"org-policies\"><thead><tr><th>政策规则</th><th>判定</th><th>办理方式</th><th>差距</th></tr></thead><tbody>");
    for x in &p.policies {
        let mut gap = Vec::new();
        if !x.to_supply.is_empty() {
            gap.push(escape(&x.to_supply));
        }
        for c in &x.verdict.conditions {
            if x.verdict.failed.contains(&c.key) {
                gap.push(match &c.hint {
                    Some(h) => format!("{}：{}", escape(&c.description), escape(h)),
                    None => format!(
                        "{}：实际 {}，要求 {}",
                        escape(&c.description),
                        escape(c.value.as_deref().unwrap_or("待补充")),
                        escape(&c.threshold)
                    ),
                });
            }
        }
        let linked: Vec<String> = x.policies.iter().map(|(_, t)| escape(t)).collect();
        b.push_str(&format!(
            "<tr><td>{}{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td>{}</td></tr>",
            escape(&x.name),
            if linked.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"muted\">{}</span>", linked.join("、"))
            },
            category_tag(x.category),
            escape(x.route),
            if gap.is_empty() {
                "—".into()
            } else {
                gap.join("<br>")
            },
        ));
    }
    b.push_str("</tbody></table>");
    if !full {
        b.push_str(&format!(
            "<p><a class=\"btn secondary\" href=\"/organisations/{}/policies\">逐条依据与填报事实</a></p></section>",
            enc(&p.org)
        ));
    }
    b
}

fn org_page_body(p: &OrgPolicies, message: Option<(&str, bool)>) -> String {
    let mut b = format!(
        "<h1>{}：政策与差距</h1><p class=\"muted\">统一社会信用代码 {}；判断日期 {}。事实取自登记库，登记库没有的由企业或科技局填报（记入审计日志）。</p>",
        escape(&p.name),
        escape(&p.org),
        escape(&p.date)
    );
    if let Some((m, ok)) = message {
        b.push_str(&format!(
            "<p class=\"notice {}\" role=\"{}\">{}</p>",
            if ok { "ok" } else { "bad" },
            if ok { "status" } else { "alert" },
            escape(m)
        ));
    }
    b.push_str(&org_section(p, true));
    for x in &p.policies {
        b.push_str(&format!(
            "<details><summary>{}：{} — 逐条依据</summary><table><thead><tr><th>条件</th><th>实际</th><th>要求</th><th>结果</th><th>怎样可以达标</th></tr></thead><tbody>",
            escape(&x.name),
            innomesh_app::policy::category_label(x.category)
        ));
        for c in &x.verdict.conditions {
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.description),
                escape(c.value.as_deref().unwrap_or("")),
                escape(&c.threshold),
                truth_tag(c.status),
                escape(c.hint.as_deref().unwrap_or(""))
            ));
        }
        b.push_str("</tbody></table></details>");
    }
    b.push_str("<section><h2>事实</h2>");
    if p.may_enter {
        b.push_str(&format!(
            "<form method=\"post\" action=\"/organisations/{}/policies\">",
            enc(&p.org)
        ));
    }
    b.push_str("<table><thead><tr><th>事实</th><th>当前值</th><th>来源</th><th>数据日期</th><th>使用的规则</th>");
    if p.may_enter {
        b.push_str("<th>填报新值</th>");
    }
    b.push_str("</tr></thead><tbody>");
    for f in &p.facts {
        b.push_str(&format!(
            "<tr><td>{}{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&f.name),
            if f.manual { "<span class=\"tag\">需人工判断</span>" } else { "" },
            escape(&f.type_label),
            escape(&f.shown),
            escape(&f.source_label),
            escape(f.as_of.as_deref().unwrap_or("")),
            escape(&f.used_by.join("、")),
        ));
        if p.may_enter {
            if f.from_registry {
                b.push_str("<td class=\"muted\">请修改登记信息</td>");
            } else {
                b.push_str(&format!(
                    "<td><input name=\"f.{}\" size=\"12\" aria-label=\"{}\" placeholder=\"{}\"></td>",
                    escape(&f.key),
                    escape(&f.name),
                    if f.type_label.starts_with("是否") { "是 / 否" } else if f.type_label.starts_with("比例") { "如 4.5%" } else { "" }
                ));
            }
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    if p.may_enter {
        b.push_str("<p><label>数据日期 <input name=\"as_of\" type=\"date\"></label> <label>说明 <input name=\"note\" maxlength=\"500\" size=\"40\"></label></p>\
                    <p class=\"muted\">只填要改的项；填「撤回」撤回已填报的值。比例可写 4.5% 或 0.045，是否写「是」或「否」。</p><p><button type=\"submit\">保存事实</button></p></form>");
    }
    b.push_str("</section>");
    b
}

/// `GET /organisations/{id}/policies`.
pub async fn org_page(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(move || st2.org_policies(&who, &id).map_err(ApiError::from)).await;
    match res {
        Ok(Ok(p)) => html(
            &format!("{}：政策与差距", p.name),
            "/organisations",
            &org_page_body(&p, None),
            &st,
        ),
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}

/// `POST /organisations/{id}/policies`: the facts typed into the form, all or nothing.
pub async fn org_save(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let st2 = st.clone();
    let res = blocking(
        move || -> Result<(OrgPolicies, Option<(String, bool)>), ApiError> {
            let rules = st2.policy_rules(&who)?;
            let mut facts = Vec::new();
            let mut as_of = None;
            let mut note = String::new();
            let mut problem = None;
            for (k, v) in &fields {
                match k.as_str() {
                    "as_of" => as_of = Some(v.clone()),
                    "note" => note = v.clone(),
                    k if k.starts_with("f.") => match value_from_text(&rules, &k[2..], v) {
                        Ok(Some(value)) => facts.push(FactInput {
                            key: k[2..].to_string(),
                            value,
                        }),
                        Ok(None) => {}
                        Err(e) => {
                            problem.get_or_insert(e.message);
                        }
                    },
                    _ => {}
                }
            }
            if let Some(m) = problem {
                return Ok((st2.org_policies(&who, &id)?, Some((m, false))));
            }
            if facts.is_empty() {
                return Ok((
                    st2.org_policies(&who, &id)?,
                    Some(("没有填写新值：未作修改。".into(), false)),
                ));
            }
            match st2.set_org_facts(&who, &id, &facts, as_of.as_deref(), &note) {
                Ok(p) => {
                    let n = facts.len();
                    Ok((p, Some((format!("已保存 {n} 项事实，判定已更新。"), true))))
                }
                Err(e) if e.code == innomesh_app::Code::InvalidField => {
                    Ok((st2.org_policies(&who, &id)?, Some((e.message, false))))
                }
                Err(e) => Err(e.into()),
            }
        },
    )
    .await;
    match res {
        Ok(Ok((p, msg))) => {
            let bad = msg.as_ref().is_some_and(|(_, ok)| !ok);
            let body = org_page_body(&p, msg.as_ref().map(|(m, ok)| (m.as_str(), *ok)));
            let mut r = html(
                &format!("{}：政策与差距", p.name),
                "/organisations",
                &body,
                &st,
            );
            if bad {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            r
        }
        Ok(Err(e)) | Err(e) => fail(e, &st),
    }
}
