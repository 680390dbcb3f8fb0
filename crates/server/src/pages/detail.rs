//! Detail pages `/{kind}/{id}`: every field with its Chinese label (names beside codes), the
//! records that point at an organisation grouped by kind, and the record's recent audit trail.

use super::common::{html, kind_or_fallback, nav_of, param, run, PageError, PageResult, Params};
use super::layout::{escape, url_encode};
use super::view::*;
use crate::auth::Who;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use innomesh_core::schema::fields;
use innomesh_core::{CreditCode, EntityKind, Record};
use innomesh_store::{AuditEntry, Relation};
use std::collections::HashMap;

struct Loaded {
    record: Record,
    related: Vec<(Relation, Record)>,
    names: HashMap<String, String>,
    /// Audit actors → the account's name.
    actors: HashMap<String, String>,
    audit: Vec<AuditEntry>,
    nodes: Vec<Record>,
    chain_nodes: Vec<super::chain::OrgNode>,
    /// Workflow sections (a demand's stages and responses, what a solver answered).
    extra: String,
}

pub async fn detail(
    State(st): State<AppState>,
    Who(who): Who,
    Path((segment, id)): Path<(String, String)>,
    uri: Uri,
) -> PageResult {
    let kind = match kind_or_fallback(&segment, &uri).await {
        Ok(k) => k,
        Err(resp) => return Ok(resp),
    };
    let p: Params = Query::<Params>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    // A chain-node address that is not a node id (a keyword such as 「增材制造」 typed or linked
    // from elsewhere) goes to the search for it instead of a 404.
    if kind == EntityKind::ChainNode && !id.contains('.') {
        return Ok((
            axum::http::StatusCode::SEE_OTHER,
            [(
                axum::http::header::LOCATION,
                format!("/search?q={}", super::layout::url_encode(&id)),
            )],
        )
            .into_response());
    }
    let repo = st.clone();
    let id2 = id.clone();
    let st2 = st.clone();
    let p2 = p.clone();
    let full = param(&p, "personal") == Some("full");
    let reason = param(&p, "reason").unwrap_or("").to_string();
    let who2 = who.clone();
    let loaded = run(move || {
        let who = who2;
        let record = if full {
            repo.unmask(&who, kind, &id2, &reason)?
        } else {
            repo.get(&who, kind, &id2)?.ok_or_else(|| {
                PageError::not_found(format!(
                    "未找到{}「{id2}」，它可能已被删除、编号有误，或不在您的管辖范围内。",
                    kind.label()
                ))
            })?
        };
        let mut related = Vec::new();
        if let Record::Organisation(o) = &record {
            for rel in repo.relations(&who, &o.credit_code)? {
                if let Some(r) = repo.get(&who, rel.kind, &rel.id)? {
                    related.push((rel, r));
                }
            }
        }
        let mut all: Vec<&Record> = vec![&record];
        all.extend(related.iter().map(|(_, r)| r));
        let names = repo.record_names(&who, &ref_ids(&all))?;
        // The record's history, for those who may read the audit trail.
        let audit = repo
            .audit(&who, Some(kind), Some(&id2), 8)
            .unwrap_or_default();
        let actors =
            repo.actor_names(&audit.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>())?;
        // A chain node shows the other nodes of its chain (its neighbours up and down).
        let nodes = if let Record::ChainNode(n) = &record {
            let mut q = innomesh_store::ListQuery::new(EntityKind::ChainNode);
            q.text = Some(n.chain.clone());
            q.per_page = 200;
            repo.list(&who, &q)?.records
        } else {
            vec![]
        };
        let chain_nodes = if kind == EntityKind::Organisation {
            super::chain::org_nodes(&st2, &who, &id2)
        } else {
            vec![]
        };
        let extra = crate::workbench::detail_sections(&st2, &who, &record, &p2)
            .map_err(|e| PageError::internal(e.message))?;
        Ok(Loaded {
            record,
            related,
            names,
            audit,
            actors,
            nodes,
            chain_nodes,
            extra,
        })
    })
    .await?;
    let changed: Vec<String> = param(&p, "changed")
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let body = render(
        kind,
        &loaded,
        param(&p, "saved").is_some(),
        &changed,
        full,
        &who,
    );
    Ok(html(
        &title_of(&loaded.record, &loaded.names),
        nav_of(kind),
        &body,
        &st,
    ))
}

fn render(
    kind: EntityKind,
    l: &Loaded,
    saved: bool,
    changed: &[String],
    full: bool,
    who: &innomesh_app::Principal,
) -> String {
    let r = &l.record;
    let v = if full {
        r.to_json()
    } else {
        r.to_masked_json()
    };
    let title = title_of(r, &l.names);
    let mut b = format!(
        "<p class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/{pl}\">{}</a> › {}</p><h1>{}</h1>",
        kind.label(),
        escape(&title),
        escape(&title),
        pl = kind.plural()
    );
    if saved {
        let labels: Vec<&str> = fields(kind)
            .iter()
            .filter(|f| changed.iter().any(|c| c == f.key))
            .map(|f| f.header)
            .collect();
        b.push_str(&format!(
            "<p class=\"notice ok\" role=\"status\">已保存{}。修改已写入登记库并记入审计日志。</p>",
            if labels.is_empty() {
                String::new()
            } else {
                format!("：修改了「{}」（下表中高亮）", escape(&labels.join("」「")))
            }
        ));
    }
    b.push_str("<div class=\"actions\">");
    if innomesh_app::auth::scope::writable(who.role, kind) {
        b.push_str(&format!(
            "<a class=\"btn\" href=\"/{}/{}/edit\">编辑</a>",
            kind.plural(),
            url_encode(r.id())
        ));
    }
    if let Record::ChainNode(n) = r {
        b.push_str(&format!(
            "<a class=\"btn secondary\" href=\"/chains/{}\">查看{}图谱</a>",
            url_encode(&n.chain),
            escape(&n.chain_name)
        ));
    }
    b.push_str(&format!(
        "<a class=\"btn secondary\" href=\"/api/{}/{}\">JSON</a></div>",
        kind.plural(),
        url_encode(r.id())
    ));
    b.push_str("<dl class=\"fields\">");
    for spec in fields(kind) {
        let mark = if changed.iter().any(|c| c == spec.key) {
            " class=\"changed\""
        } else {
            ""
        };
        b.push_str(&format!(
            "<dt{mark}>{}</dt><dd{mark}>{}</dd>",
            escape(spec.header),
            field_html_in(spec, &v, &l.names)
        ));
    }
    b.push_str("</dl>");
    let personal = fields(kind)
        .iter()
        .any(|f| f.personal || matches!(f.ty, innomesh_core::schema::FieldType::Team));
    if full {
        b.push_str("<p class=\"notice\" role=\"status\">正在显示完整个人信息；本次查看及事由已记入审计日志。</p>");
    } else if personal && who.can_unmask {
        b.push_str(&format!(
            "<form method=\"get\" action=\"/{}/{}\" class=\"inline\"><input type=\"hidden\" name=\"personal\" value=\"full\">\
             <label>查看完整个人信息的事由 <input name=\"reason\" required minlength=\"2\" maxlength=\"200\"></label> <button type=\"submit\">查看（记入审计日志）</button></form>",
            kind.plural(),
            url_encode(r.id())
        ));
    }
    if let Record::Organisation(o) = r {
        if !l.chain_nodes.is_empty() {
            b.push_str(&format!(
                "<h2>所在产业链节点（{}）</h2><ul>",
                l.chain_nodes.len()
            ));
            for n in &l.chain_nodes {
                b.push_str(&format!(
                    "<li><a href=\"/chains/{}/nodes/{}\">{} · {}</a> <span class=\"muted\">置信度 {:.2}：{}</span></li>",
                    url_encode(&n.chain),
                    url_encode(&n.node),
                    escape(&n.chain_name),
                    escape(&n.name),
                    n.confidence,
                    escape(&n.reason)
                ));
            }
            b.push_str("</ul>");
        }
        b.push_str(&relations(&o.credit_code, &l.related, &l.names));
    }
    if !l.nodes.is_empty() {
        b.push_str(&chain_neighbours(r, &l.nodes));
    }
    if !l.extra.is_empty() {
        b.push_str("<section id=\"flow\">");
        b.push_str(&l.extra);
        b.push_str("</section>");
    }
    if !l.audit.is_empty() {
        b.push_str("<h2>修改记录</h2><table><thead><tr><th>时间（北京时间）</th><th>经办人</th><th>操作</th></tr></thead><tbody>");
        for e in &l.audit {
            let action = match e.action.as_str() {
                "create" => "新增",
                "update" => "修改",
                "import_create" => "导入新增",
                "import_update" => "导入更新",
                "delete" => "删除",
                "transition" => "流转",
                other => other,
            };
            b.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&beijing_time(&e.at)),
                escape(l.actors.get(&e.actor).unwrap_or(&e.actor)),
                escape(action)
            ));
        }
        b.push_str("</tbody></table>");
    }
    b
}

fn link_of(r: &Record) -> String {
    let name = if r.name().is_empty() {
        r.id()
    } else {
        r.name()
    };
    format!(
        "<a href=\"/{}/{}\">{}</a>",
        r.kind().plural(),
        url_encode(r.id()),
        escape(name)
    )
}

/// Everything that points at an organisation, grouped the way a bureau reads it.
fn relations(
    code: &CreditCode,
    related: &[(Relation, Record)],
    names: &HashMap<String, String>,
) -> String {
    let mut b = String::from("<h2>关联资源</h2>");
    let groups: [(EntityKind, &str); 6] = [
        (EntityKind::Platform, "创新平台"),
        (EntityKind::Person, "专家与技术经理人"),
        (EntityKind::Achievement, "科技成果"),
        (EntityKind::Demand, "技术需求"),
        (EntityKind::Application, "项目申报"),
        (EntityKind::Equipment, "仪器设备与机床"),
    ];
    let mut any = false;
    for (kind, title) in groups {
        let items: Vec<&Record> = related
            .iter()
            .filter(|(rel, _)| rel.kind == kind)
            .map(|(_, r)| r)
            .collect();
        if items.is_empty() {
            continue;
        }
        any = true;
        b.push_str(&format!("<h3>{title}（{}）</h3><ul>", items.len()));
        for r in items.iter().take(50) {
            b.push_str(&format!("<li>{}{}</li>", link_of(r), summary(r)));
        }
        if items.len() > 50 {
            b.push_str(&format!(
                "<li class=\"muted\">另有 {} 条未列出</li>",
                items.len() - 50
            ));
        }
        b.push_str("</ul>");
    }
    let supplies: Vec<&Record> = related
        .iter()
        .filter(|(rel, _)| rel.kind == EntityKind::SupplyRelation)
        .map(|(_, r)| r)
        .collect();
    let as_supplier: Vec<_> = supplies
        .iter()
        .filter_map(|r| match r {
            Record::SupplyRelation(s) if s.supplier == *code => Some(s),
            _ => None,
        })
        .collect();
    let as_customer: Vec<_> = supplies
        .iter()
        .filter_map(|r| match r {
            Record::SupplyRelation(s) if s.customer == *code => Some(s),
            _ => None,
        })
        .collect();
    for (title, list, other_is_customer) in [
        ("客户（本单位作为供应方）", &as_supplier, true),
        ("供应商（本单位作为采购方）", &as_customer, false),
    ] {
        if list.is_empty() {
            continue;
        }
        any = true;
        b.push_str(&format!(
            "<h3>{title}（{}）</h3><table><thead><tr><th>{}</th><th>产品</th><th class=\"r\">金额（万元）</th><th class=\"r\">年度</th></tr></thead><tbody>",
            list.len(),
            if other_is_customer { "采购方" } else { "供应方" }
        ));
        for s in list.iter().take(50) {
            let other = if other_is_customer {
                &s.customer
            } else {
                &s.supplier
            };
            b.push_str(&format!(
                "<tr><td>{}</td><td><a href=\"/supply-relations/{}\">{}</a></td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
                org_link(other.as_str(), names),
                url_encode(&s.id),
                escape(&s.product),
                super::common::fmt_num(s.amount, 1),
                s.year
            ));
        }
        b.push_str("</tbody></table>");
    }
    if !any {
        b.push_str("<p class=\"muted\">登记库中暂无指向本单位的平台、人员、成果、需求、申报、设备或供应关系。</p>");
    }
    b
}

/// A short grey note after a related record's name.
fn summary(r: &Record) -> String {
    let s = match r {
        Record::Platform(p) => format!(
            "{} · {}",
            tier_label(innomesh_core::Labelled::code(p.tier)),
            innomesh_core::Labelled::label(p.kind)
        ),
        Record::Person(p) => format!("{} {}", innomesh_core::Labelled::label(p.role), p.title),
        Record::Achievement(a) => format!(
            "{}{}",
            innomesh_core::Labelled::label(a.kind),
            a.year.map(|y| format!(" · {y}")).unwrap_or_default()
        ),
        Record::Demand(d) => format!(
            "{} · {}",
            innomesh_core::Labelled::label(d.kind),
            innomesh_core::Labelled::label(d.status)
        ),
        Record::Application(a) => format!(
            "{} · {}{}",
            a.programme,
            a.year,
            a.amount.map(|x| format!(" · {x} 万元")).unwrap_or_default()
        ),
        Record::Equipment(e) => format!(
            "{} · 每周可共享 {} 小时，已用 {} 小时",
            innomesh_core::Labelled::label(e.kind),
            e.capacity_hours,
            e.used_hours
        ),
        _ => String::new(),
    };
    if s.trim().is_empty() {
        s
    } else {
        format!(" <span class=\"muted\">{}</span>", escape(s.trim()))
    }
}

fn chain_neighbours(r: &Record, nodes: &[Record]) -> String {
    let Record::ChainNode(me) = r else {
        return String::new();
    };
    let mut up = Vec::new();
    let mut down = Vec::new();
    for n in nodes {
        if let Record::ChainNode(o) = n {
            if o.chain != me.chain {
                continue;
            }
            if o.supplies.contains(&me.id) {
                up.push(link_of(n));
            }
            if me.supplies.contains(&o.id) {
                down.push(link_of(n));
            }
        }
    }
    format!(
        "<h2>上下游</h2><dl class=\"fields\"><dt>上游（供应本节点）</dt><dd>{}</dd><dt>下游（本节点供应）</dt><dd>{}</dd></dl>",
        if up.is_empty() { "—".into() } else { up.join("、") },
        if down.is_empty() { "—".into() } else { down.join("、") }
    )
}

/// `2026-11-28T08:51:13Z` → `2026-11-28 16:51:13` (UTC+8, what the bureau's clocks show).
pub(crate) fn beijing_time(at: &str) -> String {
    let parsed = (|| {
        let date = innomesh_core::Date::parse(at.get(..10)?).ok()?;
        let h: i64 = at.get(11..13)?.parse().ok()?;
        let rest = at.get(13..19)?;
        let mut days = date.to_days();
        let mut h = h + 8;
        if h >= 24 {
            h -= 24;
            days += 1;
        }
        let d = innomesh_core::Date::from_days(days).ok()?;
        Some(format!("{d} {h:02}{rest}"))
    })();
    parsed.unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn beijing_time() {
        assert_eq!(
            super::beijing_time("2026-12-31T18:05:09Z"),
            "2027-01-01 02:05:09"
        );
        assert_eq!(
            super::beijing_time("2026-11-28T08:51:13Z"),
            "2026-11-28 16:51:13"
        );
        assert_eq!(super::beijing_time("garbage"), "garbage");
    }
}
