//! The import page `/import`: upload a CSV or XLSX file for one kind, see the validation report
//! (row, column, value, reason) in the page, download the template and the error report as XLSX.
//! Imports are all-or-nothing: a file with one bad row writes nothing.

use super::common::{html, param, run, PageError, PageResult, Params};
use super::layout::escape;
use crate::auth::Who;
#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use innomesh_app::transfer::NoProgress;
use innomesh_app::Code;
use innomesh_core::tabular::RowError;
use innomesh_core::EntityKind;
use innomesh_sheets::pipeline::error_report_xlsx;
use innomesh_sheets::Format;
use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

/// Recent error reports kept for download, newest last (bounded; they are also shown in the page).
struct Reports {
    next: u64,
    items: VecDeque<(String, Vec<RowError>)>,
}

fn reports() -> &'static Mutex<Reports> {
    static R: OnceLock<Mutex<Reports>> = OnceLock::new();
    R.get_or_init(|| {
        Mutex::new(Reports {
            next: 1,
            items: VecDeque::new(),
        })
    })
}

/// Keeps a report and returns its token: a sequence number plus a randomly keyed hash, so
/// reports (which may quote personal data) cannot be fetched by guessing numbers.
fn keep(errors: Vec<RowError>) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut r = reports().lock().unwrap_or_else(|p| p.into_inner());
    let n = r.next;
    r.next += 1;
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    let token = format!("{n}-{:016x}", h.finish());
    r.items.push_back((token.clone(), errors));
    while r.items.len() > 32 {
        r.items.pop_front();
    }
    token
}

fn kind_options(selected: Option<EntityKind>) -> String {
    EntityKind::ALL
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                k.plural(),
                if Some(*k) == selected {
                    " selected"
                } else {
                    ""
                },
                k.label()
            )
        })
        .collect()
}

fn upload_form(selected: Option<EntityKind>) -> String {
    let templates: Vec<String> = EntityKind::ALL
        .iter()
        .map(|k| format!("<a href=\"/api/{}/template\">{}</a>", k.plural(), k.label()))
        .collect();
    format!(
        "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\" class=\"record\">\
         <div class=\"field\"><label for=\"kind\">记录类型</label><div><select id=\"kind\" name=\"kind\">{}</select></div></div>\
         <div class=\"field\"><label for=\"file\">文件</label><div><input type=\"file\" id=\"file\" name=\"file\" accept=\".xlsx,.csv\" required>\
         <div class=\"help\">Excel（.xlsx）或 CSV（UTF-8 或 GBK），第一行为表头，列名与导入模板一致；带 * 的列必填。</div></div></div>\
         <div class=\"actions\"><button type=\"submit\">上传并导入</button></div></form>\
         <h2>导入模板（XLSX）</h2><p>{}</p>\
         <p class=\"muted\">整个文件要么全部写入，要么一条不写：只要有一行有错，就不会写入任何数据，并在本页列出每一处错误（行号、列名、值、原因），也可下载错误报告。统一社会信用代码已存在的组织会被更新，不会重复。</p>",
        kind_options(selected),
        templates.join(" · ")
    )
}

pub async fn page(
    State(st): State<AppState>,
    q: Result<Query<Params>, QueryRejection>,
) -> PageResult {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let selected = param(&p, "kind").and_then(EntityKind::from_plural);
    let body = format!("<h1>批量导入</h1>{}", upload_form(selected));
    Ok(html("批量导入", "/import", &body, &st))
}

pub async fn upload(
    State(st): State<AppState>,
    Who(who): Who,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let mut mp = multipart
        .map_err(|_| PageError::bad_request("上传内容无法读取：请用本页的表单选择文件后提交。"))?;
    let mut kind = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let msg = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    format!(
                        "文件过大：上限 {} MB。请拆分后分批导入。",
                        crate::api::FILE_LIMIT / 1024 / 1024
                    )
                } else {
                    "上传中断或内容无法读取，请重新选择文件上传。".to_string()
                };
                return Err(PageError::bad_request(msg));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|_| PageError::bad_request("上传中断或内容无法读取，请重新选择文件上传。"))?;
        match name.as_str() {
            "kind" => kind = EntityKind::from_plural(String::from_utf8_lossy(&bytes).trim()),
            "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
            _ => {}
        }
    }
    let Some(kind) = kind else {
        return Ok(result(
            &st,
            None,
            "<p class=\"notice bad\" role=\"alert\">请选择记录类型。</p>".into(),
            StatusCode::BAD_REQUEST,
        ));
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(result(&st, Some(kind), "<p class=\"notice bad\" role=\"alert\">没有收到文件，或文件为空：请选择 CSV 或 XLSX 文件后再提交。</p>".into(), StatusCode::BAD_REQUEST));
    };
    let format = Format::guess(&name).unwrap_or_else(|| Format::sniff(&bytes));
    if !crate::auth::IMPORT_LIMIT.hit(&who.username) {
        return Ok(result(
            &st,
            Some(kind),
            "<p class=\"notice bad\" role=\"alert\">导入过于频繁（每分钟最多 20 次），请稍后再试。</p>".into(),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let app = st.clone();
    let source = if name.is_empty() {
        "网页导入".to_string()
    } else {
        name.clone()
    };
    let outcome =
        run(move || Ok(app.import_file(&who, kind, &bytes, format, &source, &NoProgress))).await?;
    match outcome {
        Ok(o) => {
            let mut b = format!(
                "<p class=\"notice ok\" role=\"status\">导入成功：「{}」共 {} 行，新增 {} 条，更新 {} 条{}。</p>",
                escape(&name),
                o.rows,
                o.created,
                o.updated,
                kind.label()
            );
            if !o.ignored_columns.is_empty() {
                b.push_str(&format!(
                    "<p class=\"muted\">以下列不属于{}模板，已忽略：{}</p>",
                    kind.label(),
                    escape(&o.ignored_columns.join("、"))
                ));
            }
            b.push_str(&corrections_table(&o.corrections, o.corrections_total));
            b.push_str(&format!(
                "<p><a class=\"btn\" href=\"/{}?sort=updated\">查看刚导入的{}</a></p>",
                kind.plural(),
                kind.label()
            ));
            Ok(result(&st, Some(kind), b, StatusCode::OK))
        }
        Err(e) if e.code == Code::ImportRejected => {
            let body = report(kind, &name, &e.errors);
            Ok(result(
                &st,
                Some(kind),
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) if e.code == Code::BadFile => Ok(result(
            &st,
            Some(kind),
            format!(
                "<p class=\"notice bad\" role=\"alert\">无法读取「{}」：{}。未写入任何数据。</p>",
                escape(&name),
                escape(&e.message)
            ),
            StatusCode::BAD_REQUEST,
        )),
        Err(e) => Err(e.into()),
    }
}

/// 「已自动修正」: what the import changed in the cells as typed, so the clerk can check it.
fn corrections_table(items: &[innomesh_core::tabular::Correction], total: usize) -> String {
    if total == 0 {
        return String::new();
    }
    let mut b = format!(
        "<h2>已自动修正（{total} 处）</h2><p class=\"muted\">以下单元格按规范写法保存，请核对：</p>\
         <table class=\"corrections\"><thead><tr><th class=\"r\">行号</th><th>列</th><th>原值</th><th>保存为</th><th>修正</th></tr></thead><tbody>"
    );
    for c in items.iter().take(500) {
        b.push_str(&format!(
            "<tr><td class=\"r\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.row,
            escape(&c.column),
            escape(&visible(&c.before)),
            escape(&c.after),
            escape(&c.reason)
        ));
    }
    b.push_str("</tbody></table>");
    if total > items.len().min(500) {
        b.push_str(&format!(
            "<p class=\"muted\">页面只列出前 {} 处，共 {total} 处。</p>",
            items.len().min(500)
        ));
    }
    b
}

/// Spaces a page would hide, shown: leading/trailing spaces as 「␠」, a no-break space as 「⍽」.
fn visible(s: &str) -> String {
    let core = s.trim();
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    let mark = |part: &str| part.chars().map(|_| '␠').collect::<String>();
    format!(
        "{}{}{}",
        mark(&s[..lead]),
        core.replace('\u{a0}', "⍽"),
        mark(&s[s.len() - trail..])
    )
}

fn report(kind: EntityKind, name: &str, rows: &[RowError]) -> String {
    let token = keep(rows.to_vec());
    let bad_rows = {
        let mut r: Vec<usize> = rows.iter().map(|e| e.row).collect();
        r.dedup();
        r.len()
    };
    let mut b = format!(
        "<div class=\"notice bad\" role=\"alert\"><strong>导入未完成：「{}」有 {} 处错误（涉及 {bad_rows} 行），未写入任何数据。</strong>请按下表修改原文件后重新上传。</div>\
         <div class=\"actions\"><a class=\"btn\" href=\"/import/report/{token}\">下载错误报告（XLSX）</a><a class=\"btn secondary\" href=\"/api/{}/template\">下载{}导入模板</a></div>\
         <table class=\"errors\"><thead><tr><th class=\"r\">行号</th><th>列</th><th>值</th><th>原因</th></tr></thead><tbody>",
        escape(name),
        rows.len(),
        kind.plural(),
        kind.label()
    );
    for e in rows.iter().take(500) {
        b.push_str(&format!(
            "<tr><td class=\"r\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.row,
            escape(&e.column),
            escape(&e.value),
            escape(&e.reason)
        ));
    }
    b.push_str("</tbody></table>");
    if rows.len() > 500 {
        b.push_str(&format!(
            "<p class=\"muted\">页面只列出前 500 处，共 {} 处；完整列表见错误报告。</p>",
            rows.len()
        ));
    }
    b
}

fn result(
    st: &AppState,
    kind: Option<EntityKind>,
    body: String,
    status: StatusCode,
) -> axum::response::Response {
    let full = format!(
        "<h1>批量导入{}</h1>{body}<h2>再导入一个文件</h2>{}",
        kind.map(|k| format!("：{}", k.label())).unwrap_or_default(),
        upload_form(kind)
    );
    let mut resp = html("导入结果", "/import", &full, st);
    *resp.status_mut() = status;
    resp
}

pub async fn report_xlsx(Path(token): Path<String>) -> PageResult {
    let errors = reports()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .items
        .iter()
        .find(|(t, _)| *t == token)
        .map(|(_, e)| e.clone())
        .ok_or_else(|| {
            PageError::not_found("错误报告已过期（只保留最近 32 份）：请重新上传文件生成。")
        })?;
    let bytes = error_report_xlsx(&errors).map_err(PageError::internal)?;
    Ok(super::common::download(
        bytes,
        "导入错误报告.xlsx",
        Format::Xlsx.mime(),
    ))
}
