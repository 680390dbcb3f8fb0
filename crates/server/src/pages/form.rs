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
use innomesh_app::suggest::{reference_fields, target_of};
use innomesh_app::{workflow, Principal};
use innomesh_core::reference::regions;
use innomesh_core::schema::{fields, FieldSpec, FieldType};
use innomesh_core::tabular::{
    closed_list, headers, parse_row, record_to_cells, strip_label, Cell, HeaderMap,
};
use innomesh_core::{EntityKind, Record};
use std::collections::HashMap;

/// What a form shows: current values by key and messages by key ("" for the whole form).
#[derive(Default)]
struct FormState {
    values: HashMap<&'static str, String>,
    errors: Vec<(String, String)>,
    /// Records a reference field picks from, as (id, name), so a person chooses by name.
    options: HashMap<&'static str, Vec<(String, String)>>,
    /// 「检查问题卡」 asked for before saving: what the card lacks (empty: complete).
    card: Option<Vec<String>>,
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
    // References shown as 「名称（代码）」, as the pickers offer them.
    let mut values = values_of(&record);
    let options = ref_options(&st, &who, kind).await;
    let app = st.clone();
    let who2 = who.clone();
    let picked: Vec<&'static str> = options.keys().copied().collect();
    let values = run(move || {
        let kept: Vec<(&'static str, String)> = picked
            .iter()
            .filter_map(|k| values.get(k).map(|v| (*k, v.clone())))
            .collect();
        app.reference_labels(&who2, kind, &mut values)?;
        // Fields offered as a <select> keep their codes (the options' values).
        values.extend(kept);
        Ok(values)
    })
    .await?;
    let state = FormState {
        values,
        options,
        ..FormState::default()
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
    // References typed as names become codes (App decides, within what the caller may read);
    // the form keeps showing what was typed.
    let mut resolved: HashMap<&'static str, String> = reference_fields(kind)
        .into_iter()
        .filter_map(|(f, _)| param(&p, f.key).map(|v| (f.key, v.trim().to_string())))
        .collect();
    let refused = {
        let app = st.clone();
        let who = who.clone();
        let mut values = std::mem::take(&mut resolved);
        let (values, refused) = run(move || {
            let refused = app.resolve_names(&who, kind, &mut values)?;
            Ok((values, refused))
        })
        .await?;
        resolved = values;
        refused
    };
    let refused_keys: Vec<&str> = refused.iter().map(|(k, _)| *k).collect();
    for (key, e) in &refused {
        state.errors.push((key.to_string(), e.message.clone()));
    }
    let mut cells = Vec::new();
    for (i, spec) in fields(kind).iter().enumerate() {
        let mut v = param(&p, spec.key).unwrap_or("").trim().to_string();
        let typed = v.clone();
        if let Some(code) = resolved.get(spec.key) {
            if !refused_keys.contains(&spec.key) {
                v = code.clone();
            }
        }
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
        state.values.insert(
            spec.key,
            if typed.is_empty()
                || matches!(spec.ty, FieldType::Bool)
                || existing.is_some() && spec.key == id_key(kind)
            {
                v.clone()
            } else {
                typed
            },
        );
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
        Ok(r) if refused.is_empty() => r,
        Ok(_) => return Ok(invalid(&st, kind, existing.as_ref(), &state)),
        Err(mut errs) => {
            // The fix the system knows (「九原区」 → 150207), as for an imported row.
            let app = st.clone();
            let who2 = who.clone();
            errs = run(move || {
                app.suggest_fixes(&who2, kind, &mut errs);
                Ok(errs)
            })
            .await?;
            for e in errs {
                // A reference refused by name already says why, with its candidates.
                if fields(kind)
                    .iter()
                    .any(|s| s.header == e.column && refused_keys.contains(&s.key))
                {
                    continue;
                }
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
    if param(&p, "check_card").is_some() {
        if let Record::Demand(d) = &record {
            state.card = Some(
                innomesh_app::matching::card_issues(d)
                    .into_iter()
                    .map(|i| i.message)
                    .collect(),
            );
            let title = match &existing {
                Some(r) => format!("编辑{}", r.name()),
                None => format!("新增{}", kind.label()),
            };
            return Ok(html(
                &title,
                nav_of(kind),
                &render(kind, existing.as_ref(), &state),
                &st,
            ));
        }
    }
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
            let status_key = workflow::status_field(kind)
                .map(|(k, _)| k)
                .filter(|_| e.code == innomesh_app::Code::StatusNotInitial);
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
                .or(status_key.map(str::to_string))
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
    if let Some(card) = &s.card {
        if card.is_empty() {
            b.push_str("<div class=\"notice ok\" role=\"status\" id=\"card-check\"><strong>问题卡完整</strong>：目标指标、现状、技术成熟度、预算、期限与知识产权约定都已写明。尚未保存，确认后请点「保存」。</div>");
        } else {
            b.push_str(&format!(
                "<div class=\"notice bad\" role=\"status\" id=\"card-check\"><strong>问题卡还有 {} 处需要补充</strong>（尚未保存；补充后解题方才好判断能否解决）：<ul>",
                card.len()
            ));
            for m in card {
                b.push_str(&format!("<li>{}</li>", escape(m)));
            }
            b.push_str("</ul></div>");
        }
    }
    b.push_str(&format!(
        "<form class=\"record\" method=\"post\" action=\"{}\" novalidate>",
        escape(&action)
    ));
    for spec in fields(kind) {
        b.push_str(&field(kind, spec, existing, s));
    }
    let check = if kind == EntityKind::Demand {
        "<button type=\"submit\" name=\"check_card\" value=\"1\" class=\"secondary\">检查问题卡</button>"
    } else {
        ""
    };
    b.push_str(&format!(
        "<div class=\"actions\"><button type=\"submit\">保存</button>{check}<a class=\"btn secondary\" href=\"{}\">取消</a></div></form>",
        escape(&cancel)
    ));
    if kind == EntityKind::Demand {
        b.push_str("<p class=\"muted\">「检查问题卡」只检查、不保存：看看目标指标、现状、技术成熟度、预算、期限与知识产权约定是否写清，再发布。</p>");
    }
    let specs = fields(kind);
    if specs.iter().any(|f| matches!(f.ty, FieldType::Region)) {
        // Baotou's districts and townships, as 「150207 九原区」 (any other GB/T 2260 code is
        // accepted too).
        b.push_str("<datalist id=\"baotou-regions\">");
        if let Some((list, _)) = specs
            .iter()
            .find(|f| matches!(f.ty, FieldType::Region))
            .and_then(closed_list)
        {
            for v in list {
                b.push_str(&format!("<option value=\"{}\"></option>", escape(&v)));
            }
        }
        b.push_str("</datalist>");
    }
    if specs.iter().any(|f| matches!(f.ty, FieldType::Industry)) {
        b.push_str("<datalist id=\"industry-classes\">");
        if let Some((list, _)) = specs
            .iter()
            .find(|f| matches!(f.ty, FieldType::Industry))
            .and_then(closed_list)
        {
            for v in list {
                b.push_str(&format!("<option value=\"{}\"></option>", escape(&v)));
            }
        }
        b.push_str("</datalist>");
    }
    if specs.iter().any(|f| target_of(kind, f).is_some()) {
        b.push_str("<script src=\"/assets/suggest.js\" defer></script>");
    }
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
    let fixed_status = workflow::status_field(kind)
        .filter(|(k, _)| existing.is_none() && *k == key)
        .map(|(_, first)| first);
    let target = target_of(kind, spec).filter(|_| !locked && picks.is_none());
    let input = match spec.ty {
        _ if fixed_status.is_some() => {
            let first = fixed_status.unwrap_or_default();
            format!(
                "<input type=\"text\" id=\"{id}\" value=\"{first}\" readonly{described}><input type=\"hidden\" name=\"{key}\" value=\"{first}\">"
            )
        }
        _ if target.is_some() => {
            let plural = target.map(|t| t.plural()).unwrap_or_default();
            format!(
                "<input type=\"text\" id=\"{id}\" name=\"{key}\" value=\"{}\" list=\"dl-{key}\" data-suggest=\"{plural}\" autocomplete=\"off\"{described}><datalist id=\"dl-{key}\"></datalist>",
                escape(value)
            )
        }
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
                FieldType::Region => " list=\"baotou-regions\" autocomplete=\"off\"",
                FieldType::Industry => " list=\"industry-classes\" autocomplete=\"off\"",
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
    } else if let Some(first) = fixed_status {
        help = format!(
            "新建时为「{first}」；保存后按流程逐级流转（{}）",
            if kind == EntityKind::Demand {
                "在需求页面的「需求流转」中操作"
            } else {
                "编辑时逐级推进"
            }
        );
    } else if let Some(t) = target {
        help = format!(
            "输入{}名称（或代码）即可搜索，从列表中选择；只填名称时按名称查找，重名时会列出候选",
            t.label()
        );
    } else if picks.is_some() {
        help = "按名称选择；保存时记录节点编号".into();
    }
    let header = if picks.is_some() || target.is_some() {
        // Chosen by name: 「发布单位」, not 「发布单位信用代码」.
        spec.header
            .trim_end_matches("编号")
            .trim_end_matches("统一社会信用代码")
            .trim_end_matches("信用代码")
    } else {
        spec.header
    };
    let beside = match spec.ty {
        FieldType::Region if !value.is_empty() && strip_label(spec.ty, value).is_none() => {
            regions()
                .resolve(value)
                .map(|r| format!("（{}）", r.name))
                .unwrap_or_default()
        }
        FieldType::Industry if !value.is_empty() && strip_label(spec.ty, value).is_none() => {
            innomesh_core::reference::industries()
                .resolve(value)
                .map(|i| format!("（{}）", i.name))
                .unwrap_or_default()
        }
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
