//! `/assessment…`: 考核评估 pages — rounds, a round's scorecards (score, rank with its 90 % band,
//! dimension bars against the median, the records behind each figure), a platform's own view
//! (what it can improve, by how many points, and the form to enter its figures), the comparison
//! of two rounds. Everything is decided by `App`; these handlers only render.

use super::error_page;
use super::{enc, redirect};
use crate::api::{param, Params};
use crate::auth::Who;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::pages::common::html;
use crate::pages::escape;
use crate::state::blocking;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use innomesh_app::assessment::{entry_status_label, FigureSource, RoundView, UnitView};
use innomesh_core::EntityKind;

fn n1(x: f64) -> String {
    format!("{x:.1}")
}

fn status_label(s: &str) -> &'static str {
    if s == "published" {
        "已发布"
    } else {
        "草稿"
    }
}

/// Renders an `App` error as a page (404 / 403 as themselves).
fn fail(e: crate::error::ApiError, st: &AppState) -> Response {
    error_page(e.status(), &e.message, st)
}

fn notice(p: &Params) -> String {
    let mut s = String::new();
    if let Some(m) = param(p, "ok") {
        s.push_str(&format!("<p class=\"notice ok\">{}</p>", escape(m)));
    }
    if let Some(m) = param(p, "error") {
        s.push_str(&format!("<p class=\"notice bad\">{}</p>", escape(m)));
    }
    s
}

pub async fn rounds(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let may_create = who.may(innomesh_app::Perm::Assess);
    let got = blocking(move || {
        let list = st2.assessment_rounds(&who)?;
        let versions = if may_create {
            st2.assessment_frameworks(&who)?
        } else {
            Vec::new()
        };
        Ok::<_, innomesh_app::Error>((list, versions))
    })
    .await;
    let (list, versions) = match got {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return fail(e.into(), &st),
        Err(e) => return fail(e, &st),
    };
    let mut body = String::from("<h1>考核评估</h1><p class=\"muted\">按指标体系评估创新平台：得分、位次及 90% 位次区间（蒙特卡洛抽样权重、标准化方法和缺失值处理）、等级；每个数字都链接到背后的登记库记录或平台填报的佐证。发布后的轮次连同指标体系版本和数据快照一起冻结，任何人都可以用 <code>innomesh assess run</code> 复算。</p>");
    body.push_str(&notice(&p));
    body.push_str("<table><thead><tr><th>轮次</th><th>指标体系</th><th>年度</th><th>状态</th><th>数据快照 SHA-256</th></tr></thead><tbody>");
    for r in &list {
        body.push_str(&format!(
            "<tr><td><a href=\"/assessment/{}\">{}</a></td><td>{}（{}）</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            enc(&r.id),
            escape(&r.name),
            escape(&r.framework_name),
            escape(&r.framework_version),
            r.year,
            status_label(&r.status),
            escape(r.snapshot_hash.as_deref().map_or("—", |h| &h[..16.min(h.len())]))
        ));
    }
    if list.is_empty() {
        body.push_str("<tr><td colspan=\"5\">尚无评估轮次</td></tr>");
    }
    body.push_str("</tbody></table>");
    if list.len() >= 2 {
        body.push_str("<form method=\"get\" action=\"/assessment/compare\" class=\"inline\"><h2>比较两个轮次</h2>");
        for (name, label, pick) in [("a", "基准轮次", 1), ("b", "对比轮次", 0)] {
            body.push_str(&format!("<label>{label} <select name=\"{name}\">"));
            for (i, r) in list.iter().enumerate() {
                body.push_str(&format!(
                    "<option value=\"{}\"{}>{}</option>",
                    escape(&r.id),
                    if i == pick { " selected" } else { "" },
                    escape(&r.name)
                ));
            }
            body.push_str("</select></label> ");
        }
        body.push_str("<button type=\"submit\">比较</button></form>");
    }
    if may_create {
        body.push_str("<form method=\"post\" action=\"/assessment\"><h2>新建评估轮次</h2><label>指标体系 <select name=\"framework\">");
        for v in &versions {
            body.push_str(&format!(
                "<option value=\"{}@{}\">{}（版本 {}{}）</option>",
                escape(&v.id),
                escape(&v.version),
                escape(&v.name),
                escape(&v.version),
                if v.shipped { "，内置" } else { "" }
            ));
        }
        body.push_str("</select></label> <label>年度 <input name=\"year\" type=\"number\" min=\"2000\" max=\"2100\" required></label> <label>中心—实验室对（仅协同指标体系；每行「中心编号 实验室编号」，留空则按登记库中当年的共有成果、技术合同和共享服务预约自动列出） <textarea name=\"pairs\" rows=\"3\"></textarea></label> <button type=\"submit\">新建（草稿）</button></form><p><a href=\"/assessment/frameworks\">指标体系版本与差异 →</a></p>");
    }
    html("考核评估", "/assessment", &body, &st)
}

pub async fn create(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    // `id` or `id@version`.
    let spec = param(&p, "framework").unwrap_or("").to_string();
    let (framework, version) = match spec.split_once('@') {
        Some((f, v)) => (f.to_string(), Some(v.to_string())),
        None => (spec, None),
    };
    let Some(year) = param(&p, "year").and_then(|y| y.trim().parse::<i32>().ok()) else {
        return redirect(format!(
            "/assessment?error={}",
            enc("请填写 4 位年度，如 2025")
        ));
    };
    // 中心—实验室对, one a line: two platform ids separated by spaces, a comma or 「+」.
    let lines: Vec<&str> = param(&p, "pairs")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut pairs = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let parts: Vec<&str> = l
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '+' | '、'))
            .filter(|x| !x.is_empty())
            .collect();
        match parts.as_slice() {
            [c, l] => pairs.push((c.to_string(), l.to_string())),
            _ => {
                return redirect(format!(
                    "/assessment?error={}",
                    enc(&format!(
                        "中心—实验室对第 {} 行应为两个平台编号：制造业创新中心编号 重点实验室编号",
                        i + 1
                    ))
                ))
            }
        }
    }
    let st2 = st.clone();
    match blocking(move || {
        st2.assessment_round_create_with_pairs(
            &who,
            &framework,
            version.as_deref(),
            year,
            None,
            (!pairs.is_empty()).then_some(pairs.as_slice()),
        )
    })
    .await
    {
        Ok(Ok(r)) => redirect(format!("/assessment/{}", enc(&r.id))),
        Ok(Err(e)) if e.code == innomesh_app::Code::Forbidden => fail(e.into(), &st),
        Ok(Err(e)) => redirect(format!("/assessment?error={}", enc(&e.message))),
        Err(e) => fail(e, &st),
    }
}

/// A horizontal bar of `x` (0–100) with the median marked.
fn bar(x: f64, median: f64) -> String {
    format!(
        "<span class=\"meter\" title=\"{} 分（中位数 {}）\"><span class=\"fill\" style=\"width:{:.1}%\"></span><span class=\"median\" style=\"left:{:.1}%\"></span></span> {}",
        n1(x),
        n1(median),
        x.clamp(0.0, 100.0),
        median.clamp(0.0, 100.0),
        n1(x)
    )
}

/// The rank band on a line of all ranks.
fn band(u: &UnitView, n: usize) -> String {
    let [lo, hi] = u.result.rank_band;
    let pos = |r: usize| {
        if n <= 1 {
            0.0
        } else {
            (r - 1) as f64 / (n - 1) as f64 * 100.0
        }
    };
    format!(
        "<span class=\"meter band\" title=\"90% 位次区间 {lo}–{hi}，中位位次 {}\"><span class=\"fill\" style=\"left:{:.1}%;width:{:.1}%\"></span><span class=\"median\" style=\"left:{:.1}%\"></span></span> {lo}–{hi}",
        u.result.median_rank,
        pos(lo),
        (pos(hi) - pos(lo)).max(1.5),
        pos(u.result.rank)
    )
}

fn record_link(kind: &str, id: &str) -> String {
    if kind == innomesh_app::assessment::BOOKING_SOURCE {
        return format!(
            "<a href=\"/sharing/bookings/{}\">预约 {}</a>",
            enc(id),
            escape(id)
        );
    }
    match EntityKind::from_code(kind) {
        Some(k) => format!("<a href=\"/{}/{}\">{}</a>", k.plural(), enc(id), escape(id)),
        None => escape(id),
    }
}

/// Evidence files as download links: name, type, size.
fn files_html(files: &[innomesh_store::assessment::EvidenceFile]) -> String {
    if files.is_empty() {
        return String::new();
    }
    let links: Vec<String> = files
        .iter()
        .map(|f| {
            format!(
                "<a href=\"/api/assessment/evidence/{}\" class=\"evidence\">{}</a>（{}，{}）",
                enc(&f.id),
                escape(&f.file_name),
                innomesh_app::evidence::media_label(&f.media_type),
                size(f.size)
            )
        })
        .collect();
    format!("<br><small>佐证文件：{}</small>", links.join("、"))
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).max(1.0))
    }
}

/// Where a figure comes from, with links to the records behind it.
fn source_html(f: &innomesh_app::assessment::Figure, limit: usize) -> String {
    match &f.source {
        FigureSource::Registry {
            query,
            description,
            records,
        } => {
            let mut s = format!(
                "登记库：{}<br><small><code>{}</code>，{} 条记录",
                escape(description),
                escape(query),
                records.len()
            );
            if !records.is_empty() {
                s.push('：');
                let links: Vec<String> = records
                    .iter()
                    .take(limit)
                    .map(|(k, id)| record_link(k, id))
                    .collect();
                s.push_str(&links.join("、"));
                if records.len() > limit {
                    s.push_str(" …");
                }
            }
            s.push_str("</small>");
            s
        }
        FigureSource::Manual {
            evidence_required,
            entry,
            files,
        } => {
            let text = match entry {
                Some(e) => format!(
                    "平台填报（{}）：{}<br><small>佐证：{}{}</small>",
                    entry_status_label(&e.status),
                    escape(&e.value),
                    escape(&e.evidence),
                    if e.review_note.is_empty() {
                        String::new()
                    } else {
                        format!("；审核意见：{}", escape(&e.review_note))
                    }
                ),
                None => format!(
                    "平台填报（未填报，计缺失）<br><small>须附：{}</small>",
                    escape(evidence_required)
                ),
            };
            text + &files_html(files)
        }
    }
}

async fn load(
    st: &AppState,
    who: innomesh_app::Principal,
    id: String,
) -> Result<RoundView, Response> {
    let st2 = st.clone();
    match blocking(move || st2.assessment_round(&who, &id)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(fail(e.into(), st)),
        Err(e) => Err(fail(e, st)),
    }
}

pub async fn round(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let staff = who.may(innomesh_app::Perm::Assess);
    let v = match load(&st, who, id.clone()).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let f = &v.framework;
    let n = v.units_total;
    let mut body = format!(
        "<h1>{}</h1><p class=\"muted\">{}（版本 {}）· {} · {} 个{} · 数据快照 SHA-256 <code>{}</code></p>",
        escape(&v.round.name),
        escape(&f.name),
        escape(&f.version),
        status_label(&v.round.status),
        n,
        escape(&f.unit),
        escape(&v.snapshot_hash)
    );
    body.push_str(&notice(&p));
    body.push_str(&format!(
        "<p>权重：{}。位次区间为 {} 次抽样（种子 {}；每个权重 ±{:.0}%，标准化方法与缺失值处理随机选择）中 5%–95% 的位次：区间越宽，名次越不稳。 <a href=\"/api/assessment/rounds/{}/export\">导出 XLSX</a></p>",
        f.dimensions
            .iter()
            .map(|d| format!("{} {:.0}%", escape(&d.name), d.weight * 100.0))
            .collect::<Vec<_>>()
            .join("，"),
        v.draws,
        v.seed,
        f.uncertainty.weight_spread * 100.0,
        enc(&v.round.id)
    ));
    body.push_str("<table class=\"scorecards\"><thead><tr><th class=\"r\">名次</th><th>平台</th><th class=\"r\">得分</th><th>90% 位次区间</th><th>等级</th>");
    for d in &f.dimensions {
        body.push_str(&format!("<th>{}</th>", escape(&d.name)));
    }
    body.push_str("</tr></thead><tbody>");
    for u in &v.units {
        body.push_str(&format!(
            "<tr><td class=\"r\">{}</td><td><a href=\"/assessment/{}/platforms/{}\">{}</a> <small><a href=\"/platforms/{}\">登记信息</a></small></td><td class=\"r\"><strong>{}</strong></td><td>{}</td><td>{}</td>",
            u.result.rank,
            enc(&v.round.id),
            enc(&u.id),
            escape(&u.name),
            enc(&u.id),
            n1(u.result.score),
            band(u, n),
            escape(&u.result.grade)
        ));
        for (d, m) in u.result.dimensions.iter().zip(&v.dimension_median) {
            body.push_str(&format!("<td>{}</td>", bar(*d, *m)));
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table><p class=\"muted\">维度条形图中的竖线为各平台的中位数。</p>");
    body.push_str("<section><h2>敏感性分析：哪种选择最能改变排名</h2><table><thead><tr><th>因素</th><th>选择</th><th class=\"r\">平均位次变动</th><th class=\"r\">最大位次变动</th><th class=\"r\">名次改变的平台</th></tr></thead><tbody>");
    for s in &v.sensitivity {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"r\">{:.2}</td><td class=\"r\">{}</td><td class=\"r\">{:.0}%</td></tr>",
            escape(&s.factor),
            escape(&s.option),
            s.mean_abs_shift,
            s.max_shift,
            s.moved_share * 100.0
        ));
    }
    body.push_str("</tbody></table></section>");
    if staff && v.round.status == "draft" {
        // Figures waiting for the bureau's check.
        let mut pending = String::new();
        for u in &v.units {
            for (fig, (_, ind)) in u.figures.iter().zip(f.indicators()) {
                if let FigureSource::Manual {
                    entry: Some(e),
                    files,
                    ..
                } = &fig.source
                {
                    if e.status == "submitted" {
                        pending.push_str(&format!(
                            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}{}</td><td><form method=\"post\" action=\"/assessment/{}/review\" class=\"inline\"><input type=\"hidden\" name=\"unit\" value=\"{}\"><input type=\"hidden\" name=\"indicator\" value=\"{}\"><input name=\"note\" placeholder=\"意见（退回必填）\"> <button name=\"decision\" value=\"approve\">通过</button> <button name=\"decision\" value=\"return\">退回</button></form></td></tr>",
                            escape(&u.name),
                            escape(&ind.name),
                            escape(&e.value),
                            escape(&ind.unit),
                            escape(&e.evidence),
                            files_html(files),
                            enc(&v.round.id),
                            escape(&u.id),
                            escape(&ind.id)
                        ));
                    }
                }
            }
        }
        body.push_str("<section><h2>待审核的填报值</h2>");
        if pending.is_empty() {
            body.push_str("<p>没有待审核的填报值。</p>");
        } else {
            body.push_str("<table><thead><tr><th>平台</th><th>指标</th><th>填报值</th><th>佐证</th><th>审核</th></tr></thead><tbody>");
            body.push_str(&pending);
            body.push_str("</tbody></table>");
        }
        body.push_str(&format!(
            "</section><form method=\"post\" action=\"/assessment/{}/publish\"><p>发布后，指标体系版本、数据快照和结果一起冻结，不能再填报、审核或修改。</p><button type=\"submit\">发布本轮评估</button></form>",
            enc(&v.round.id)
        ));
    }
    body.push_str(&format!(
        "<details><summary>依据与复算</summary><ul>{}</ul><p>复算：保存指标体系文件与数据快照后运行 <code>innomesh assess run --framework {}.yaml --data 快照.csv</code>。</p></details>",
        f.sources
            .iter()
            .map(|s| format!("<li>{}</li>", escape(s)))
            .collect::<String>(),
        escape(&f.id)
    ));
    html(&v.round.name, "/assessment", &body, &st)
}

pub async fn platform(
    State(st): State<AppState>,
    Who(who): Who,
    Path((id, pid)): Path<(String, String)>,
    Query(p): Query<Params>,
) -> Response {
    let v = match load(&st, who, id.clone()).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(u) = v.units.iter().find(|u| u.id == pid) else {
        return error_page(
            StatusCode::NOT_FOUND,
            &format!("本轮评估中没有平台「{pid}」"),
            &st,
        );
    };
    let f = &v.framework;
    let n = v.units_total.max(1);
    let mut body = format!(
        "<h1>{}：{}</h1><p class=\"muted\"><a href=\"/assessment/{}\">{}</a> · {}</p>",
        escape(&u.name),
        escape(&v.round.name),
        enc(&v.round.id),
        escape(&v.round.name),
        status_label(&v.round.status)
    );
    body.push_str(&notice(&p));
    body.push_str(&format!(
        "<div class=\"cards\"><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">得分</span></div><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">名次（共 {} 个）</span></div><div class=\"card\"><span class=\"num\">{}–{}</span><span class=\"label\">90% 位次区间</span></div><div class=\"card\"><span class=\"num\">{}</span><span class=\"label\">等级</span></div></div>",
        n1(u.result.score),
        u.result.rank,
        n,
        u.result.rank_band[0],
        u.result.rank_band[1],
        escape(&u.result.grade)
    ));
    // What to improve first: the largest gains.
    let mut gains: Vec<(&str, f64)> = f
        .indicators()
        .zip(&u.result.indicators)
        .map(|((_, ind), r)| (ind.name.as_str(), r.gain))
        .filter(|(_, g)| *g > 0.005)
        .collect();
    gains.sort_by(|a, b| b.1.total_cmp(&a.1));
    if !gains.is_empty() {
        body.push_str("<section><h2>可提升之处</h2><ol>");
        for (name, g) in gains.iter().take(5) {
            body.push_str(&format!(
                "<li>{}：达到参评平台中的最好水平，总分可提高 <strong>{}</strong> 分</li>",
                escape(name),
                n1(*g)
            ));
        }
        body.push_str("</ol></section>");
    }
    let draft = v.round.status == "draft";
    body.push_str("<section><h2>各项指标</h2><table><thead><tr><th>维度</th><th>指标</th><th class=\"r\">数值</th><th class=\"r\">得分（0–100）</th><th class=\"r\">权重</th><th class=\"r\">可提升（分）</th><th>来源</th></tr></thead><tbody>");
    for (((d, ind), r), (fig, w)) in f
        .indicators()
        .zip(&u.result.indicators)
        .zip(u.figures.iter().zip(&v.weights))
    {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"r\">{} {}</td><td class=\"r\">{}</td><td class=\"r\">{:.1}%</td><td class=\"r\">{}</td><td>{}</td></tr>",
            escape(&f.dimensions[d].name),
            escape(&ind.name),
            escape(if fig.cell.is_empty() { "缺失" } else { &fig.cell }),
            escape(&ind.unit),
            r.points.map_or("—".to_string(), n1),
            w * 100.0,
            n1(r.gain),
            source_html(fig, 8)
        ));
    }
    body.push_str("</tbody></table></section>");
    if draft {
        let manual: Vec<_> = f
            .indicators()
            .filter(|(_, i)| matches!(i.source, innomesh_assess::Source::Manual { .. }))
            .map(|(_, i)| i)
            .collect();
        if !manual.is_empty() {
            body.push_str(&format!(
                "<section><h2>填报</h2><p>填写本平台的非登记库指标并写明佐证材料；市科技局审核通过后计入得分。</p><form method=\"post\" action=\"/assessment/{}/platforms/{}/entries\"><label>指标 <select name=\"indicator\">",
                enc(&v.round.id),
                enc(&u.id)
            ));
            for i in &manual {
                let hint = i
                    .rubric
                    .as_ref()
                    .map(|r| {
                        format!(
                            "（等级 {}）",
                            r.iter()
                                .map(|g| g.grade.as_str())
                                .collect::<Vec<_>>()
                                .join("/")
                        )
                    })
                    .unwrap_or_else(|| format!("（{}）", i.unit));
                body.push_str(&format!(
                    "<option value=\"{}\">{}{}</option>",
                    escape(&i.id),
                    escape(&i.name),
                    escape(&hint)
                ));
            }
            body.push_str("</select></label> <label>数值或等级 <input name=\"value\" required maxlength=\"50\"></label> <label>佐证材料 <input name=\"evidence\" required maxlength=\"500\"></label> <button type=\"submit\">提交审核</button></form>");
            body.push_str(&format!(
                "<h3>上传佐证文件</h3><p class=\"muted\">PDF、PNG、JPEG 或 XLSX，每个不超过 {} MB；按文件内容判断类型。上传后市科技局审核时可查看下载。</p><form method=\"post\" action=\"/assessment/{}/platforms/{}/evidence\" enctype=\"multipart/form-data\" class=\"inline\"><label>指标 <select name=\"indicator\">",
                innomesh_app::evidence::EVIDENCE_LIMIT / 1024 / 1024,
                enc(&v.round.id),
                enc(&u.id)
            ));
            for i in &manual {
                body.push_str(&format!(
                    "<option value=\"{}\">{}</option>",
                    escape(&i.id),
                    escape(&i.name)
                ));
            }
            body.push_str("</select></label> <label>文件 <input type=\"file\" name=\"file\" accept=\".pdf,.png,.jpg,.jpeg,.xlsx\" required></label> <button type=\"submit\">上传</button></form></section>");
        }
    }
    html(&format!("{} 评分卡", u.name), "/assessment", &body, &st)
}

pub async fn submit(
    State(st): State<AppState>,
    Who(who): Who,
    Path((id, pid)): Path<(String, String)>,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let get = |k: &str| param(&p, k).unwrap_or("").to_string();
    let (indicator, value, evidence) = (get("indicator"), get("value"), get("evidence"));
    let back = format!("/assessment/{}/platforms/{}", enc(&id), enc(&pid));
    let st2 = st.clone();
    let (id2, pid2) = (id.clone(), pid.clone());
    match blocking(move || {
        st2.assessment_entry_submit(&who, &id2, &pid2, &indicator, &value, &evidence)
    })
    .await
    {
        Ok(Ok(_)) => redirect(format!("{back}?ok={}", enc("已提交，待市科技局审核"))),
        Ok(Err(e))
            if matches!(
                e.code,
                innomesh_app::Code::Forbidden | innomesh_app::Code::NotFound
            ) =>
        {
            fail(e.into(), &st)
        }
        Ok(Err(e)) => redirect(format!("{back}?error={}", enc(&e.message))),
        Err(e) => fail(e, &st),
    }
}

/// 上传佐证文件 (multipart: `indicator`, `file`).
pub async fn upload(
    State(st): State<AppState>,
    Who(who): Who,
    Path((id, pid)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let back = format!("/assessment/{}/platforms/{}", enc(&id), enc(&pid));
    let again = |m: &str| redirect(format!("{back}?error={}", enc(m)));
    let Ok(mut mp) = multipart else {
        return again("上传内容无法读取：请用本页的表单选择文件后提交");
    };
    let mut indicator = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return again(&if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    format!(
                        "文件过大：佐证材料每个不超过 {} MB；请压缩或拆分后上传",
                        innomesh_app::evidence::EVIDENCE_LIMIT / 1024 / 1024
                    )
                } else {
                    "上传中断或内容无法读取，请重新选择文件上传".to_string()
                })
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string).unwrap_or_default();
        let Ok(bytes) = field.bytes().await else {
            return again("上传中断或内容无法读取，请重新选择文件上传");
        };
        match name.as_str() {
            "indicator" => indicator = String::from_utf8_lossy(&bytes).trim().to_string(),
            "file" => file = Some((file_name, bytes.to_vec())),
            _ => {}
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    let st2 = st.clone();
    let (id2, pid2) = (id.clone(), pid.clone());
    match blocking(move || {
        st2.assessment_evidence_upload(&who, &id2, &pid2, &indicator, &name, &bytes)
    })
    .await
    {
        Ok(Ok(f)) => redirect(format!(
            "{back}?ok={}",
            enc(&format!(
                "已上传「{}」（{}）",
                f.file_name,
                innomesh_app::evidence::media_label(&f.media_type)
            ))
        )),
        Ok(Err(e))
            if matches!(
                e.code,
                innomesh_app::Code::Forbidden | innomesh_app::Code::NotFound
            ) =>
        {
            fail(e.into(), &st)
        }
        Ok(Err(e)) => again(&e.message),
        Err(e) => fail(e, &st),
    }
}

pub async fn review(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let get = |k: &str| param(&p, k).unwrap_or("").to_string();
    let (unit, indicator, note) = (get("unit"), get("indicator"), get("note"));
    let approve = get("decision") == "approve";
    let back = format!("/assessment/{}", enc(&id));
    let st2 = st.clone();
    let id2 = id.clone();
    match blocking(move || {
        st2.assessment_entry_review(&who, &id2, &unit, &indicator, approve, &note)
    })
    .await
    {
        Ok(Ok(_)) => redirect(format!(
            "{back}?ok={}",
            enc(if approve {
                "已审核通过"
            } else {
                "已退回"
            })
        )),
        Ok(Err(e))
            if matches!(
                e.code,
                innomesh_app::Code::Forbidden | innomesh_app::Code::NotFound
            ) =>
        {
            fail(e.into(), &st)
        }
        Ok(Err(e)) => redirect(format!("{back}?error={}", enc(&e.message))),
        Err(e) => fail(e, &st),
    }
}

pub async fn publish(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Response {
    let back = format!("/assessment/{}", enc(&id));
    let st2 = st.clone();
    match blocking(move || st2.assessment_round_publish(&who, &id)).await {
        Ok(Ok(_)) => redirect(format!(
            "{back}?ok={}",
            enc("已发布：指标体系版本、数据快照和结果已冻结")
        )),
        Ok(Err(e))
            if matches!(
                e.code,
                innomesh_app::Code::Forbidden | innomesh_app::Code::NotFound
            ) =>
        {
            fail(e.into(), &st)
        }
        Ok(Err(e)) => redirect(format!("{back}?error={}", enc(&e.message))),
        Err(e) => fail(e, &st),
    }
}

pub async fn compare(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let (Some(a), Some(b)) = (param(&p, "a"), param(&p, "b")) else {
        return error_page(StatusCode::BAD_REQUEST, "请选择要比较的两个评估轮次", &st);
    };
    let (a, b) = (a.to_string(), b.to_string());
    let st2 = st.clone();
    let c = match blocking(move || st2.assessment_compare(&who, &a, &b)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return fail(e.into(), &st),
        Err(e) => return fail(e, &st),
    };
    let mut body = format!(
        "<h1>评估轮次比较</h1><p class=\"muted\">基准：<a href=\"/assessment/{}\">{}</a>（{} 版本 {}）→ 对比：<a href=\"/assessment/{}\">{}</a>（{} 版本 {}）</p><p>得分变化分解为两部分：「数据变化」是对比轮次的数据按基准轮次的指标体系计算的得分变化；其余为「指标体系变化」（权重、标准化方法等）。</p>",
        enc(&c.a.id),
        escape(&c.a.name),
        escape(&c.a.framework_name),
        escape(&c.a.framework_version),
        enc(&c.b.id),
        escape(&c.b.name),
        escape(&c.b.framework_name),
        escape(&c.b.framework_version)
    );
    body.push_str("<table><thead><tr><th>平台</th><th class=\"r\">得分</th><th class=\"r\">名次</th><th class=\"r\">其中：数据变化</th><th class=\"r\">指标体系变化</th><th>变化最大的指标（得分）</th></tr></thead><tbody>");
    let signed = |x: f64| format!("{}{:.1}", if x >= 0.0 { "+" } else { "" }, x);
    for r in &c.rows {
        let moved: Vec<String> = r
            .moved
            .iter()
            .map(|(name, x, y)| {
                format!(
                    "{} {} → {}",
                    escape(name),
                    x.map_or("—".into(), n1),
                    y.map_or("—".into(), n1)
                )
            })
            .collect();
        body.push_str(&format!(
            "<tr><td>{}</td><td class=\"r\">{} → {}（{}）</td><td class=\"r\">{} → {}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td>{}</td></tr>",
            escape(&r.name),
            n1(r.score_a),
            n1(r.score_b),
            signed(r.score_b - r.score_a),
            r.rank_a,
            r.rank_b,
            r.data_effect.map_or("—".into(), signed),
            r.framework_effect.map_or("—".into(), signed),
            moved.join("；")
        ));
    }
    body.push_str("</tbody></table>");
    html("评估轮次比较", "/assessment", &body, &st)
}

pub async fn frameworks(
    State(st): State<AppState>,
    Who(who): Who,
    Query(p): Query<Params>,
) -> Response {
    let st2 = st.clone();
    let may_save = who.may(innomesh_app::Perm::Assess);
    let versions = match blocking(move || st2.assessment_frameworks(&who)).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return fail(e.into(), &st),
        Err(e) => return fail(e, &st),
    };
    let mut body = String::from("<h1>指标体系版本</h1><p class=\"muted\">内置版本来自 <code>data/assessment/</code>；在这里保存的新版本同样一经保存不可修改。已用于评估轮次的版本随轮次一起冻结，调整权重或指标须另存新版本，并可与旧版本逐项比较。</p>");
    body.push_str(&notice(&p));
    body.push_str("<table><thead><tr><th>指标体系</th><th>编号</th><th>版本</th><th>来源</th><th>使用的轮次</th><th>与上一版本比较</th></tr></thead><tbody>");
    for (i, v) in versions.iter().enumerate() {
        let prev = versions[..i].iter().rev().find(|x| x.id == v.id);
        body.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&v.name),
            escape(&v.id),
            escape(&v.version),
            if v.shipped { "内置".to_string() } else { format!("登记库（{}）", escape(v.created_at.as_deref().unwrap_or(""))) },
            if v.used_by.is_empty() { "—".to_string() } else { v.used_by.iter().map(|r| format!("<a href=\"/assessment/{}\">{}</a>", enc(r), escape(r))).collect::<Vec<_>>().join("、") },
            match prev {
                Some(p) => format!(
                    "<a href=\"/assessment/frameworks/{}/diff?from={}&amp;to={}\">{} → {}</a>",
                    enc(&v.id),
                    enc(&p.version),
                    enc(&v.version),
                    escape(&p.version),
                    escape(&v.version)
                ),
                None => "—".into(),
            }
        ));
    }
    body.push_str("</tbody></table>");
    if may_save {
        body.push_str("<form method=\"post\" action=\"/assessment/frameworks\"><h2>保存新版本</h2><p>粘贴完整的指标体系 YAML（格式同 <code>data/assessment/key_laboratory.yaml</code>），改用新的 <code>version</code>。保存前按内置文件的同样规则检查：权重之和、判断矩阵一致性比率、计分表等。</p><textarea name=\"yaml\" rows=\"16\" cols=\"100\" required></textarea><br><button type=\"submit\">保存新版本</button></form>");
    }
    html("指标体系版本", "/assessment", &body, &st)
}

pub async fn framework_save(
    State(st): State<AppState>,
    Who(who): Who,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "表单无法读取，请返回重试", &st);
    };
    let yaml = p
        .iter()
        .find(|(k, _)| k == "yaml")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let st2 = st.clone();
    match blocking(move || st2.assessment_framework_save(&who, &yaml)).await {
        Ok(Ok(v)) => redirect(format!(
            "/assessment/frameworks?ok={}",
            enc(&format!("已保存「{}」版本 {}", v.name, v.version))
        )),
        Ok(Err(e)) if e.code == innomesh_app::Code::Forbidden => fail(e.into(), &st),
        Ok(Err(e)) => redirect(format!("/assessment/frameworks?error={}", enc(&e.message))),
        Err(e) => fail(e, &st),
    }
}

pub async fn framework_diff(
    State(st): State<AppState>,
    Who(who): Who,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let (Some(from), Some(to)) = (param(&p, "from"), param(&p, "to")) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "请用 ?from=版本&to=版本 指定要比较的两个版本",
            &st,
        );
    };
    let (from, to) = (from.to_string(), to.to_string());
    let st2 = st.clone();
    let (id2, f2, t2) = (id.clone(), from.clone(), to.clone());
    let changes = match blocking(move || st2.assessment_framework_diff(&who, &id2, &f2, &t2)).await
    {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return fail(e.into(), &st),
        Err(e) => return fail(e, &st),
    };
    let mut body = format!(
        "<h1>指标体系「{}」：版本 {} → {}</h1><p><a href=\"/assessment/frameworks\">← 全部版本</a></p>",
        escape(&id),
        escape(&from),
        escape(&to)
    );
    if changes.is_empty() {
        body.push_str("<p>两个版本的内容相同。</p>");
    } else {
        body.push_str("<table><thead><tr><th>变化</th><th>项目</th><th>原版本</th><th>新版本</th></tr></thead><tbody>");
        for c in &changes {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.what),
                escape(&c.item),
                escape(&c.before),
                escape(&c.after)
            ));
        }
        body.push_str("</tbody></table>");
    }
    html("指标体系版本比较", "/assessment", &body, &st)
}
