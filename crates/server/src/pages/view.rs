//! How stored values read on a page: codes with their names beside them, choices by their Chinese
//! label, organisations by name with a link, personal data masked.

use super::common::fmt_num;
use super::layout::escape;
use innomesh_core::reference::{industries, regions};
use innomesh_core::schema::{fields, FieldSpec, FieldType};
use innomesh_core::{EntityKind, Record};
use serde_json::Value;
use std::collections::HashMap;

/// `昆都仑区 150203` as HTML.
pub fn region_html(code: &str) -> String {
    match regions().get(code) {
        Some(r) => format!(
            "{} <span class=\"muted\">{}</span>",
            escape(&region_short(code, &r.name)),
            escape(code)
        ),
        None => escape(code),
    }
}

/// A district's own name, or a township with its district (`昆都仑区 沙河街道`).
fn region_short(code: &str, name: &str) -> String {
    if code.len() == 9 {
        let parent = regions()
            .get(&code[..6])
            .map(|p| p.name.clone())
            .unwrap_or_default();
        format!("{parent} {name}")
    } else {
        name.to_string()
    }
}

pub fn region_name(code: &str) -> String {
    regions()
        .get(code)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub fn industry_name(code: &str) -> String {
    industries()
        .get(code)
        .map(|i| i.name.clone())
        .unwrap_or_default()
}

pub fn industry_html(code: &str) -> String {
    let name = industry_name(code);
    if name.is_empty() {
        escape(code)
    } else {
        format!(
            "{} <span class=\"muted\">{}</span>",
            escape(&name),
            escape(code)
        )
    }
}

/// A link to a record another one names by id: its name, the id beside it in grey; the bare id
/// when the name is unknown (outside the caller's scope).
pub fn ref_link(kind: EntityKind, id: &str, names: &HashMap<String, String>) -> String {
    match names.get(id) {
        // A chain node's id is an engine code (`rare_earth.magnet`): its name alone.
        Some(n) if kind == EntityKind::ChainNode => format!(
            "<a href=\"/{}/{}\">{}</a>",
            kind.plural(),
            super::layout::url_encode(id),
            escape(n)
        ),
        Some(n) => format!(
            "<a href=\"/{}/{}\">{}</a> <span class=\"muted\">{}</span>",
            kind.plural(),
            super::layout::url_encode(id),
            escape(n),
            escape(id)
        ),
        None => format!(
            "<a href=\"/{}/{}\">{}</a>",
            kind.plural(),
            super::layout::url_encode(id),
            escape(id)
        ),
    }
}

/// One field of a record (`doc`, its masked JSON) as HTML: as [`field_html`], and a `RefBy`
/// field (a response's solver) as a link to the record of the kind its `by` field names.
pub fn field_html_in(spec: &FieldSpec, doc: &Value, names: &HashMap<String, String>) -> String {
    let v = doc.get(spec.key).unwrap_or(&Value::Null);
    if let (FieldType::RefBy { by, target }, Value::String(id)) = (spec.ty, v) {
        if let Some(kind) = doc.get(by).and_then(Value::as_str).and_then(target) {
            if !id.is_empty() {
                return match kind {
                    EntityKind::Organisation => org_link(id, names),
                    k => ref_link(k, id, names),
                };
            }
        }
    }
    field_html(spec, v, names)
}

/// Every record the given records point at (organisations and every other kind), for one
/// name lookup per page (`App::record_names`).
pub fn ref_ids(records: &[&Record]) -> Vec<innomesh_core::Reference> {
    records.iter().flat_map(|r| r.references()).collect()
}

/// What a person calls a record: its name, or — for kinds whose "name" is another record's id
/// (a response is named by its solver, a mapping by its node) — names built from the records it
/// points at: 「张三 对「高温退磁问题」的应答」.
pub fn title_of(r: &Record, names: &HashMap<String, String>) -> String {
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    match r {
        Record::DemandResponse(x) => {
            format!("{} 对「{}」的应答", name_of(&x.solver), name_of(&x.demand))
        }
        Record::ChainMapping(x) => format!(
            "{} → {}",
            name_of(x.organisation.as_str()),
            name_of(&x.node)
        ),
        _ if r.name().is_empty() => r.id().to_string(),
        _ => r.name().to_string(),
    }
}

pub fn org_link(code: &str, names: &HashMap<String, String>) -> String {
    match names.get(code) {
        Some(n) => format!(
            "<a href=\"/organisations/{}\">{}</a> <span class=\"muted\">{}</span>",
            escape(code),
            escape(n),
            escape(code)
        ),
        None => format!(
            "{} <span class=\"muted\">（不在登记库中）</span>",
            escape(code)
        ),
    }
}

pub fn choice_label(spec: &FieldSpec, code: &str) -> String {
    if let FieldType::Choice(choices) = spec.ty {
        if let Some((_, l)) = choices().iter().find(|(c, _)| *c == code) {
            return l.to_string();
        }
    }
    code.to_string()
}

/// The schema field whose choices label a kind's `subkind` index.
pub fn subkind_field(kind: EntityKind) -> Option<&'static FieldSpec> {
    let key = match kind {
        EntityKind::Person => "role",
        EntityKind::Policy => "level",
        EntityKind::ChainNode => "position",
        EntityKind::SharedService => "service_type",
        EntityKind::TechDeal => "contract_type",
        EntityKind::Application | EntityKind::SupplyRelation | EntityKind::VoucherProgramme => {
            return None
        }
        _ => "kind",
    };
    innomesh_core::schema::field(kind, key)
}

pub fn subkind_label(kind: EntityKind, code: &str) -> String {
    subkind_field(kind)
        .map(|s| choice_label(s, code))
        .unwrap_or_else(|| code.to_string())
}

pub fn flag_label(code: &str) -> String {
    let fixed = match code {
        "high_tech" => Some("高新技术企业"),
        "specialised" => Some("专精特新"),
        "tech_sme" => Some("科技型中小企业"),
        "baotou_founder" => Some("包商回归"),
        "automatic_grant" => Some("免申即享"),
        "on_time" => Some("按时"),
        "late" => Some("逾期"),
        _ => None,
    };
    if let Some(l) = fixed {
        return l.to_string();
    }
    // Status flags are codes of some kind's labelled choices (平台状态、需求状态、行动状态 …).
    EntityKind::ALL
        .iter()
        .flat_map(|k| fields(*k).iter())
        .filter_map(|f| match f.ty {
            FieldType::Choice(choices) => choices()
                .into_iter()
                .find(|(c, _)| *c == code)
                .map(|(_, l)| l.to_string()),
            _ => None,
        })
        .next()
        .unwrap_or_else(|| code.to_string())
}

pub fn tier_label(code: &str) -> String {
    use innomesh_core::model::Tier;
    use innomesh_core::Labelled;
    Tier::choices()
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// One field's value as HTML. `v` is the masked JSON of the record.
pub fn field_html(spec: &FieldSpec, v: &Value, names: &HashMap<String, String>) -> String {
    let s = |v: &Value| v.as_str().map(str::to_string).unwrap_or_default();
    match (spec.ty, v) {
        (_, Value::Null) => "<span class=\"muted\">—</span>".into(),
        (FieldType::Bool, Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        (FieldType::Region, Value::String(c)) => region_html(c),
        (FieldType::Industry, Value::String(c)) => industry_html(c),
        (FieldType::CreditCode, Value::String(c)) => {
            if spec.key == "credit_code" {
                escape(c)
            } else {
                org_link(c, names)
            }
        }
        (FieldType::Choice(_), Value::String(c)) => escape(&choice_label(spec, c)),
        (FieldType::Ref(target), Value::String(c)) if !c.is_empty() => ref_link(target, c, names),
        (FieldType::RefBy { .. }, Value::String(c)) if names.contains_key(c) => escape(&names[c]),
        (FieldType::Decimal, Value::Number(n)) => fmt_num(n.as_f64().unwrap_or(0.0), 2)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
        (FieldType::CreditCodeList, Value::Array(a)) => a
            .iter()
            .map(|c| org_link(&s(c), names))
            .collect::<Vec<_>>()
            .join("<br>"),
        (FieldType::IndustryList, Value::Array(a)) => a
            .iter()
            .map(|c| industry_html(&s(c)))
            .collect::<Vec<_>>()
            .join("；"),
        (FieldType::RefList(target), Value::Array(a)) => a
            .iter()
            .map(|c| ref_link(target, &s(c), names))
            .collect::<Vec<_>>()
            .join("、"),
        (FieldType::Team, Value::Array(a)) => a
            .iter()
            .map(|m| {
                format!(
                    "{}（{}）<span class=\"muted\">{}</span>",
                    escape(&s(&m["name"])),
                    escape(&s(&m["role"])),
                    escape(&s(&m["id_number"]))
                )
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        (FieldType::Budget, Value::Array(a)) => a
            .iter()
            .map(|b| {
                format!(
                    "{}：{} 万元",
                    escape(&s(&b["item"])),
                    fmt_num(b["amount"].as_f64().unwrap_or(0.0), 1)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        (FieldType::Sections, Value::Array(a)) => a
            .iter()
            .map(|x| {
                format!(
                    "<strong>【{}】</strong>{}",
                    escape(&s(&x["heading"])),
                    escape(&s(&x["text"]))
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (_, Value::Array(a)) => {
            let items: Vec<String> = a.iter().map(|x| escape(&s(x))).collect();
            if items.is_empty() {
                "<span class=\"muted\">—</span>".into()
            } else {
                items.join("；")
            }
        }
        (_, Value::String(t)) if t.is_empty() => "<span class=\"muted\">—</span>".into(),
        (_, Value::String(t)) => escape(t),
        (_, other) => escape(&other.to_string()),
    }
}

/// The fields of a kind shown as list columns (besides the name): short, telling ones.
pub fn list_columns(kind: EntityKind) -> Vec<&'static FieldSpec> {
    let keys: &[&str] = match kind {
        EntityKind::Organisation => &[
            "credit_code",
            "kind",
            "region",
            "industry",
            "revenue",
            "high_tech",
        ],
        EntityKind::Platform => &["kind", "tier", "host", "region", "status"],
        EntityKind::Person => &["role", "title", "organisation", "region"],
        EntityKind::Achievement => &["kind", "owners", "region", "trl", "year"],
        EntityKind::Equipment => &["kind", "owner", "region", "capacity_hours", "used_hours"],
        EntityKind::Demand => &["kind", "organisation", "region", "budget_band", "status"],
        EntityKind::Application => &["programme", "year", "applicant", "region", "amount"],
        EntityKind::Policy => &["issuer", "level", "valid_to", "automatic_grant"],
        EntityKind::ChainNode => &["chain_name", "position", "industries"],
        EntityKind::SupplyRelation => &["supplier", "customer", "amount", "year"],
        EntityKind::GapAction => &["node", "kind", "owner", "due", "status"],
        EntityKind::ChainMapping => &["organisation", "node", "decision"],
        EntityKind::DemandResponse => &["demand", "solver_type", "solver", "submitted", "outcome"],
        EntityKind::SharedService => {
            &["service_type", "owner", "region", "fee_local", "open_hours"]
        }
        EntityKind::VoucherProgramme => &[
            "department",
            "year",
            "share",
            "cap_per_enterprise",
            "budget",
        ],
        #[allow(unreachable_patterns)]
        _ => {
            // A kind without a chosen layout: its first short, non-personal fields.
            return fields(kind)
                .iter()
                .filter(|f| {
                    !f.personal
                        && f.key != "id"
                        && !matches!(
                            f.ty,
                            FieldType::LongText
                                | FieldType::Team
                                | FieldType::Budget
                                | FieldType::Sections
                        )
                })
                .skip(1)
                .take(5)
                .collect();
        }
    };
    keys.iter()
        .filter_map(|k| fields(kind).iter().find(|f| f.key == *k))
        .collect()
}

/// What the `number` sort means for a kind, if it has one.
pub fn number_label(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Organisation => Some("营业收入从高到低"),
        EntityKind::Achievement => Some("年份从新到旧"),
        EntityKind::Equipment => Some("可共享机时从多到少"),
        EntityKind::Application | EntityKind::SupplyRelation => Some("金额从高到低"),
        _ => None,
    }
}

/// A kind / tier / flag filter value as a person reads it (list chips, export files).
pub fn filter_label(kind: EntityKind, key: &str, value: &str) -> String {
    match key {
        "kind" => format!("类型：{}", subkind_label(kind, value)),
        "tier" => format!("级别：{}", tier_label(value)),
        "flag" => format!("标识：{}", flag_label(value)),
        other => format!("{other}：{value}"),
    }
}
