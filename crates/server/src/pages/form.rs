//! Create and edit forms `/{kind}/new`, `/{kind}/{id}/edit`, generated from the kind's schema.
//! A posted form is read cell by cell exactly like an import row, so the web, the API and Excel
//! accept and refuse the same values; every message sits beside its field, in Chinese.

use super::common::{html, kind_or_fallback, nav_of, param, run, PageError, PageResult, Params};
use super::layout::{escape, url_encode};
use crate::auth::Who;
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use innomesh_app::Principal;
use innomesh_core::reference::regions;
use innomesh_core::schema::{fields, FieldSpec, FieldType};
use innomesh_core::tabular::{headers, parse_row, record_to_cells, Cell, HeaderMap};
use innomesh_core::{EntityKind, Record};
use std::collections::HashMap;

/// What a form shows: current values by key and messages by key ("" for the whole form).
#[derive(Default)]
struct FormState {
    values: HashMap<&'static str, String>,
    errors: Vec<(String, String)>,
    /// Records a reference field picks from, as (id, name), so a person chooses by name.
    options: HashMap<&'static str, Vec<(String, String)>>,
}

/// Chain nodes are picked by name (「稀土产业链 · 永磁材料」), never typed as a code. Empty when
/// the caller may not list them; the field then stays a text box.
async fn ref_options(
    st: &AppState,
    who: &Principal,
    kind: EntityKind,
) -> HashMap<&'static str, Vec<(String, String)>> {
    let keys: Vec<&'static str> = fields(kind)
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Ref(EntityKind::ChainNode)))
        .map(|f| f.key)
        .collect();
    if keys.is_empty() {
        return HashMap::new();
    }
    let app = st.clone();
    let who = who.clone();
    let nodes = run(move || Ok(app.all(&who, EntityKind::ChainNode).unwrap_or_default()))
        .await
        .unwrap_or_default();
    let list: Vec<(String, String)> = nodes
        .iter()
        .filter_map(|r| match r {
            Record::ChainNode(n) => Some((
                n.id.clone(),
                if n.chain_name.is_empty() {
                    n.name.clone()
                } else {
                    format!("{} · {}", n.chain_name, n.name)
                },
            )),
            _ => None,
        })
        .collect();
    keys.into_iter().map(|k| (k, list.clone())).collect()
}

fn id_key(kind: EntityKind) -> &'static str {
    if kind == EntityKind::Organisation {
        "credit_code"
    } else {
        "id"
    }
}

/// Fields whose stored value the form never shows in full: left blank (or unchanged) they keep it.
fn is_guarded(spec: &FieldSpec) -> bool {
    spec.personal || matches!(spec.ty, FieldType::Team)
}

fn values_of(record: &Record) -> HashMap<&'static str, String> {
    fields(record.kind())
        .iter()
        .zip(record_to_cells(record, false))
        .map(|(spec, cell)| {
            let v = if spec.personal {
                String::new()
            } else {
                cell.display()
            };
            (spec.key, v)
        })
        .collect()
}

pub async fn new_form(
    State(st): State<AppState>,
    Who(who): Who,
    Path(segment): Path<String>,
    uri: Uri,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    let mut state = FormState {
        options: ref_options(&st, &who, kind).await,
        ..FormState::default()
    };
    // Links may prefill fields (`/demand-responses/new?demand=DM000001&solver=PE000002`).
    let given: Params = Query::<Params>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    for spec in fields(kind) {
        if let Some(v) = param(&given, spec.key) {
            state.values.insert(spec.key, v.chars().take(200).collect());
            continue;
        }
        if let FieldType::Choice(choices) = spec.ty {
            if spec.required {
                if let Some((_, label)) = choices().first() {
                    state.values.insert(spec.key, label.to_string());
                }
            }
        }
    }
    Ok(html(
        &format!("新增{}", kind.label()),
        nav_of(kind),
        &render(kind, None, &state),
        &st,
    ))
}

pub async fn edit_form(
    State(st): State<AppState>,
    Who(who): Who,
    Path((segment, id)): Path<(String, String)>,
    uri: Uri,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    let record = load(&st, &who, kind, &id).await?;
    let state = FormState {
        values: values_of(&record),
        errors: vec![],
        options: ref_options(&st, &who, kind).await,
    };
    Ok(html(
        &format!("编辑{}", record.name()),
        nav_of(kind),
        &render(kind, Some(&record), &state),
        &st,
    ))
}

async fn load(
    st: &AppState,
    who: &Principal,
    kind: EntityKind,
    id: &str,
) -> Result<Record, PageError> {
    let repo = st.clone();
    let id = id.to_string();
    let who = who.clone();
    run(move || {
        repo.get(&who, kind, &id)?
            .ok_or_else(|| PageError::not_found(format!("未找到{}「{id}」", kind.label())))
    })
    .await
}

pub async fn create(
    State(st): State<AppState>,
    Who(who): Who,
    Path(segment): Path<String>,
    uri: Uri,
    form: Result<Form<Params>, FormRejection>,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    save(st, who, kind, None, form).await
}

pub async fn update(
    State(st): State<AppState>,
    Who(who): Who,
    Path((segment, id)): Path<(String, String)>,
    uri: Uri,
    form: Result<Form<Params>, FormRejection>,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    let existing = load(&st, &who, kind, &id).await?;
    save(st, who, kind, Some(existing), form).await
}

async fn save(
    st: AppState,
    who: Principal,
    kind: EntityKind,
    existing: Option<Record>,
    form: Result<Form<Params>, FormRejection>,
) -> PageResult {
    let Form(p) =
        form.map_err(|_| PageError::bad_request("表单内容无法读取：请从页面上的表单提交。"))?;
    let mut state = FormState {
        options: ref_options(&st, &who, kind).await,
        ..FormState::default()
    };
    let full: Vec<Cell> = existing
        .as_ref()
        .map(|r| record_to_cells(r, true))
        .unwrap_or_default();
    let masked: Vec<Cell> = existing
        .as_ref()
        .map(|r| record_to_cells(r, false))
        .unwrap_or_default();
    let mut cells = Vec::new();
    for (i, spec) in fields(kind).iter().enumerate() {
        let mut v = param(&p, spec.key).unwrap_or("").trim().to_string();
        if matches!(spec.ty, FieldType::Bool) {
            v = if v.is_empty() {
                "否".into()
            } else {
                "是".into()
            };
        }
        if let Some(r) = &existing {
            if spec.key == id_key(kind) {
                // The id comes from the address, never from the form.
                v = r.id().to_string();
            }
        }
        state.values.insert(spec.key, v.clone());
        let keep_stored = is_guarded(spec)
            && existing.is_some()
            && (v.is_empty() || masked.get(i).map(Cell::display) == Some(v.clone()));
        let cell = if keep_stored {
            state.values.insert(
                spec.key,
                masked.get(i).map(Cell::display).unwrap_or_default(),
            );
            full.get(i).cloned().unwrap_or(Cell::Empty)
        } else if v.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(v)
        };
        cells.push(cell);
    }
    for spec in fields(kind) {
        if spec.personal {
            state.values.insert(spec.key, String::new());
        }
    }
    let map = HeaderMap::new(kind, &headers(kind, false))
        .map_err(|_| PageError::internal("表头与模式不一致"))?;
    let record = match parse_row(&map, 1, &cells) {
        Ok(r) => r,
        Err(errs) => {
            for e in errs {
                let key = fields(kind)
                    .iter()
                    .find(|s| s.header == e.column)
                    .map(|s| s.key.to_string())
                    .unwrap_or_default();
                let reason = if e.value.is_empty() || e.reason.contains(&e.value) {
                    e.reason
                } else {
                    format!("「{}」{}", e.value, e.reason)
                };
                state.errors.push((key, reason));
            }
            return Ok(invalid(&st, kind, existing.as_ref(), &state));
        }
    };
    let repo = st.clone();
    let target = existing.as_ref().map(|r| r.id().to_string());
    let outcome = run(move || {
        Ok(match target {
            Some(id) => repo.update(&who, kind, &id, record),
            None => repo.create(&who, record),
        })
    })
    .await?;
    match outcome {
        Ok(saved) => {
            // Name the fields that changed, so the detail page can point them out.
            let changed: Vec<&str> = match &existing {
                Some(old) => fields(kind)
                    .iter()
                    .zip(
                        record_to_cells(old, true)
                            .iter()
                            .zip(record_to_cells(&saved, true)),
                    )
                    .filter(|(_, (a, b))| a.display() != b.display())
                    .map(|(f, _)| f.key)
                    .collect(),
                None => vec![],
            };
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!(
                        "/{}/{}?saved=1{}",
                        kind.plural(),
                        url_encode(saved.id()),
                        if changed.is_empty() {
                            String::new()
                        } else {
                            format!("&changed={}", changed.join(","))
                        }
                    ),
                )],
            )
                .into_response())
        }
        Err(e) if e.code == innomesh_app::Code::Internal => Err(PageError::internal(e.message)),
        Err(e) => {
            let msg = e.to_string();
            // Point a reference error at the field that holds the unknown code.
            let key = fields(kind)
                .iter()
                .find(|s| {
                    matches!(
                        s.ty,
                        FieldType::CreditCode
                            | FieldType::CreditCodeList
                            | FieldType::Ref(_)
                            | FieldType::RefList(_)
                            | FieldType::RefBy { .. }
                    ) && state
                        .values
                        .get(s.key)
                        .is_some_and(|v| !v.is_empty() && msg.contains(v.as_str()))
                })
                .map(|s| s.key.to_string())
                .unwrap_or_default();
            state.errors.push((key, msg));
            let mut resp = invalid(&st, kind, existing.as_ref(), &state);
            if e.code == innomesh_app::Code::Forbidden {
                *resp.status_mut() = StatusCode::FORBIDDEN;
            }
            Ok(resp)
        }
    }
}

fn invalid(
    st: &AppState,
    kind: EntityKind,
    existing: Option<&Record>,
    state: &FormState,
) -> axum::response::Response {
    let title = match existing {
        Some(r) => format!("编辑{}", r.name()),
        None => format!("新增{}", kind.label()),
    };
    let mut resp = html(&title, nav_of(kind), &render(kind, existing, state), st);
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

fn render(kind: EntityKind, existing: Option<&Record>, s: &FormState) -> String {
    let (title, action, cancel) = match existing {
        Some(r) => (
            format!("编辑：{}", r.name()),
            format!("/{}/{}/edit", kind.plural(), url_encode(r.id())),
            format!("/{}/{}", kind.plural(), url_encode(r.id())),
        ),
        None => (
            format!("新增{}", kind.label()),
            format!("/{}/new", kind.plural()),
            format!("/{}", kind.plural()),
        ),
    };
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/{}\">{}</a></p><h1>{}</h1>\
         <p class=\"muted\">带 <span class=\"err\">*</span> 的为必填项。代码类字段按国家标准校验：统一社会信用代码（GB 32100）、行政区划（GB/T 2260）、行业（GB/T 4754-2017）。</p>",
        kind.plural(),
        kind.label(),
        escape(&title)
    );
    if !s.errors.is_empty() {
        b.push_str(&format!(
            "<div class=\"notice bad\" role=\"alert\"><strong>有 {} 处需要修改，尚未保存：</strong><ul>",
            s.errors.len()
        ));
        for (key, msg) in &s.errors {
            let label = fields(kind)
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.header)
                .unwrap_or("");
            if label.is_empty() {
                b.push_str(&format!("<li>{}</li>", escape(msg)));
            } else {
                b.push_str(&format!(
                    "<li><a href=\"#f-{key}\">{}</a>：{}</li>",
                    escape(label),
                    escape(msg)
                ));
            }
        }
        b.push_str("</ul></div>");
    }
    b.push_str(&format!(
        "<form class=\"record\" method=\"post\" action=\"{}\" novalidate>",
        escape(&action)
    ));
    for spec in fields(kind) {
        b.push_str(&field(kind, spec, existing, s));
    }
    b.push_str(&format!(
        "<div class=\"actions\"><button type=\"submit\">保存</button><a class=\"btn secondary\" href=\"{}\">取消</a></div></form>",
        escape(&cancel)
    ));
    b.push_str("<datalist id=\"baotou-regions\">");
    let mut codes: Vec<&String> = regions().children("150200").iter().collect();
    codes.sort();
    for c in codes {
        b.push_str(&format!(
            "<option value=\"{c}\">{}</option>",
            escape(&super::view::region_name(c))
        ));
    }
    b.push_str("</datalist>");
    b
}

fn field(kind: EntityKind, spec: &FieldSpec, existing: Option<&Record>, s: &FormState) -> String {
    let key = spec.key;
    let value = s.values.get(key).map(String::as_str).unwrap_or("");
    let errs: Vec<&String> = s
        .errors
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, m)| m)
        .collect();
    let invalid = !errs.is_empty();
    let described = if invalid {
        format!(" aria-invalid=\"true\" aria-describedby=\"err-{key} help-{key}\"")
    } else {
        format!(" aria-describedby=\"help-{key}\"")
    };
    let locked = existing.is_some() && key == id_key(kind);
    let id = format!("f-{key}");
    let picks = s.options.get(key).filter(|o| !o.is_empty());
    let input = match spec.ty {
        FieldType::Ref(_) if picks.is_some() && !locked => {
            let picks = picks.map(Vec::as_slice).unwrap_or_default();
            let mut o = format!("<select id=\"{id}\" name=\"{key}\"{described}>");
            o.push_str(&format!(
                "<option value=\"\">{}</option>",
                if spec.required {
                    "请选择"
                } else {
                    "（不填）"
                }
            ));
            // A value that is not in the list (a typo in a refused form) stays visible.
            if !value.is_empty() && !picks.iter().any(|(v, _)| v == value) {
                o.push_str(&format!(
                    "<option value=\"{v}\" selected>{v}（不在列表中）</option>",
                    v = escape(value)
                ));
            }
            for (v, label) in picks {
                o.push_str(&format!(
                    "<option value=\"{}\"{}>{}</option>",
                    escape(v),
                    if v == value { " selected" } else { "" },
                    escape(label)
                ));
            }
            o.push_str("</select>");
            o
        }
        FieldType::Choice(choices) => {
            let mut o = format!("<select id=\"{id}\" name=\"{key}\"{described}>");
            o.push_str(&format!(
                "<option value=\"\">{}</option>",
                if spec.required {
                    "请选择"
                } else {
                    "（不填）"
                }
            ));
            for (code, label) in choices() {
                let sel = value == label || value == code;
                o.push_str(&format!(
                    "<option value=\"{code}\"{}>{label}</option>",
                    if sel { " selected" } else { "" }
                ));
            }
            o.push_str("</select>");
            o
        }
        FieldType::Bool => format!(
            "<input type=\"checkbox\" id=\"{id}\" name=\"{key}\" value=\"是\"{}{described}>",
            if value == "是" { " checked" } else { "" }
        ),
        FieldType::LongText | FieldType::Team | FieldType::Budget | FieldType::Sections => {
            format!(
                "<textarea id=\"{id}\" name=\"{key}\" rows=\"4\"{described}>{}</textarea>",
                escape(value)
            )
        }
        _ => {
            let extra = match spec.ty {
                FieldType::Region => " list=\"baotou-regions\" inputmode=\"numeric\"",
                FieldType::Int | FieldType::Decimal => " inputmode=\"decimal\"",
                _ => "",
            };
            let placeholder = if spec.personal && existing.is_some() {
                " placeholder=\"已登记的信息不显示；留空则保持不变\""
            } else {
                ""
            };
            format!(
                "<input type=\"text\" id=\"{id}\" name=\"{key}\" value=\"{}\"{extra}{placeholder}{}{described}>",
                escape(value),
                if locked { " readonly" } else { "" }
            )
        }
    };
    let mut help = spec.help.to_string();
    if locked {
        help = "编号不能修改".into();
    } else if picks.is_some() {
        help = "按名称选择；保存时记录节点编号".into();
    }
    let header = if picks.is_some() {
        spec.header.trim_end_matches("编号")
    } else {
        spec.header
    };
    let beside = match spec.ty {
        FieldType::Region if !value.is_empty() => regions()
            .resolve(value)
            .map(|r| format!("（{}）", r.name))
            .unwrap_or_default(),
        FieldType::Industry if !value.is_empty() => innomesh_core::reference::industries()
            .resolve(value)
            .map(|i| format!("（{}）", i.name))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut errors = String::new();
    for e in &errs {
        errors.push_str(&format!(
            "<p class=\"err\" id=\"err-{key}\">{}</p>",
            escape(e)
        ));
    }
    format!(
        "<div class=\"field{}\"><label for=\"{id}\">{}{}</label><div>{input} <span class=\"muted\">{}</span>{errors}<div class=\"help\" id=\"help-{key}\">{}</div></div></div>",
        if invalid { " invalid" } else { "" },
        escape(header),
        if spec.required {
            "<span class=\"req\" aria-hidden=\"true\">*</span>"
        } else {
            ""
        },
        escape(&beside),
        escape(&help)
    )
}
