//! 创新联合体组建建议 through `App`: for a sample chain gap the proposal names a lead enterprise
//! able to lead, firms on both sides of the node, a university or institute and an intermediary,
//! each with its reason; saving checks every member; a saved proposal is audited, listed, seen by
//! its members only (besides the bureau) and exported as an XLSX annex with Chinese headers.

use innomesh_app::consortium::{Basis, BasisInput, MemberInput, MemberRole, SaveInput};
use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::model::OrgKind;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use std::sync::Arc;

fn app() -> Arc<App> {
    let app = App::in_memory().unwrap();
    let local = Principal::local("t");
    app.import_records(
        &local,
        generate(SampleConfig::default()).records,
        "t",
        &|_| {},
    )
    .unwrap()
    .unwrap();
    innomesh_app::chains::seed_models(&app, &local).unwrap();
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

/// Chain gaps of the sample (nodes with a verdict other than 长板) that have nodes on both sides.
fn gap_nodes(app: &App) -> Vec<String> {
    let local = Principal::local("t");
    let data = app.chain_reports(&local, None).unwrap();
    let loaded = app.chains_loaded(&local).unwrap();
    let chains = loaded.engine.chains();
    let mut out = Vec::new();
    for r in &data.reports {
        for n in &r.nodes {
            if !n.verdicts.iter().any(|v| v.kind.is_gap()) {
                continue;
            }
            let i = chains.node_index(&n.metrics.node).unwrap();
            let up = chains.nodes().iter().any(|x| x.supplies.contains(&i));
            let down = !chains.nodes()[i].supplies.is_empty();
            if up && down {
                out.push(innomesh_app::chains::store_id(&n.metrics.node));
            }
        }
    }
    out
}

fn org_kind(app: &App, code: &str) -> OrgKind {
    match app.repo().get(EntityKind::Organisation, code).unwrap() {
        Some(Record::Organisation(o)) => o.kind,
        _ => panic!("{code} is not an organisation"),
    }
}

#[test]
fn a_chain_gap_gets_a_consortium_with_both_sides_academia_and_a_broker() {
    let app = app();
    let local = Principal::local("t");
    let gaps = gap_nodes(&app);
    assert!(!gaps.is_empty(), "the sample has midstream gaps");
    let mut complete = 0;
    for node in &gaps {
        let p = app
            .propose_consortium(&local, &Basis::Node(node.clone()))
            .unwrap();
        let with = |r: MemberRole| p.members.iter().filter(|m| m.role == r).count();
        // Every member has a reason; organisations are of the kind their role needs.
        for m in &p.members {
            assert!(!m.reason.trim().is_empty(), "{m:?}");
            match m.role {
                MemberRole::Lead | MemberRole::Upstream | MemberRole::Downstream => {
                    assert_eq!(org_kind(&app, &m.id), OrgKind::Enterprise, "{m:?}")
                }
                MemberRole::Academic => assert!(matches!(
                    org_kind(&app, &m.id),
                    OrgKind::University | OrgKind::Institute
                )),
                MemberRole::Intermediary => {
                    assert_eq!(org_kind(&app, &m.id), OrgKind::Intermediary)
                }
                _ => {}
            }
        }
        assert!(with(MemberRole::Lead) <= 1);
        if with(MemberRole::Lead) == 1
            && with(MemberRole::Upstream) > 0
            && with(MemberRole::Downstream) > 0
            && with(MemberRole::Academic) > 0
            && with(MemberRole::Intermediary) > 0
        {
            complete += 1;
            let lead = p
                .members
                .iter()
                .find(|m| m.role == MemberRole::Lead)
                .unwrap();
            assert!(
                lead.reason.contains("营业收入") || lead.reason.contains("研发投入"),
                "{}",
                lead.reason
            );
            let broker = p
                .members
                .iter()
                .find(|m| m.role == MemberRole::Intermediary)
                .unwrap();
            assert!(broker.reason.contains("技术交易"), "{}", broker.reason);
        } else {
            // What is missing is said.
            assert!(!p.warnings.is_empty(), "{node}: {:?}", p.members);
        }
    }
    assert!(
        complete > 0,
        "no sample gap got a complete consortium: {gaps:?}"
    );
}

#[test]
fn the_lead_is_the_strongest_enterprise_of_the_node() {
    let app = app();
    let local = Principal::local("t");
    let node = gap_nodes(&app).into_iter().next().unwrap();
    let p = app
        .propose_consortium(&local, &Basis::Node(node.clone()))
        .unwrap();
    let Some(lead) = p.members.iter().find(|m| m.role == MemberRole::Lead) else {
        return;
    };
    // A firm of the same pool with more revenue and more R&D spend would have been chosen.
    let loaded = app.chains_loaded(&local).unwrap();
    let key = innomesh_app::chains::node_key(&node);
    let lead_org = match app.repo().get(EntityKind::Organisation, &lead.id).unwrap() {
        Some(Record::Organisation(o)) => o,
        _ => unreachable!(),
    };
    for i in loaded.engine.node_orgs(&key).unwrap() {
        let o = &loaded.engine.input().orgs[i as usize];
        if !o.local || o.credit_code == lead.id {
            continue;
        }
        if let Some(Record::Organisation(x)) = app
            .repo()
            .get(EntityKind::Organisation, &o.credit_code)
            .unwrap()
        {
            if x.kind != OrgKind::Enterprise {
                continue;
            }
            let dominates = x.revenue.unwrap_or(0.0) > lead_org.revenue.unwrap_or(0.0) * 2.0
                && x.rd_spend.unwrap_or(0.0) > lead_org.rd_spend.unwrap_or(0.0) * 2.0
                && x.employees.unwrap_or(0) >= lead_org.employees.unwrap_or(0);
            assert!(
                !dominates || lead.reason.contains("平台") || lead.reason.contains("高新"),
                "{} dominates the lead {}",
                x.name,
                lead.name
            );
        }
    }
}

#[test]
fn saving_checks_members_and_keeps_the_proposal() {
    let app = app();
    let local = Principal::local("t");
    let node = gap_nodes(&app).into_iter().next().unwrap();
    let p = app
        .propose_consortium(&local, &Basis::Node(node.clone()))
        .unwrap();
    let inputs: Vec<MemberInput> = p
        .members
        .iter()
        .map(|m| MemberInput {
            role: m.role.code().into(),
            id: m.id.clone(),
            reason: m.reason.clone(),
        })
        .collect();
    let save = |members: Vec<MemberInput>| SaveInput {
        title: "测试联合体".into(),
        basis: BasisInput {
            kind: "node".into(),
            id: node.clone(),
        },
        members,
        note: String::new(),
        revises: None,
    };
    let city = principal(&app, "city", Role::CityStaff, "");
    let version = app.registry_version();
    // A university as lead, a missing reason, an unknown id: refused, naming each, nothing saved.
    let academic = p
        .members
        .iter()
        .find(|m| m.role == MemberRole::Academic)
        .cloned();
    let mut bad = inputs.clone();
    if let Some(a) = &academic {
        bad.push(MemberInput {
            role: "lead".into(),
            id: a.id.clone(),
            reason: "x".into(),
        });
    }
    bad.push(MemberInput {
        role: "expert".into(),
        id: "PE999999".into(),
        reason: "x".into(),
    });
    bad.push(MemberInput {
        role: "platform".into(),
        id: "PF000001".into(),
        reason: " ".into(),
    });
    let e = app.save_consortium(&city, save(bad)).unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(e.message.contains("PE999999"), "{}", e.message);
    assert!(e.message.contains("推荐理由"), "{}", e.message);
    if academic.is_some() {
        assert!(e.message.contains("不能作为牵头企业"), "{}", e.message);
    }
    assert!(app.consortia(&city).unwrap().is_empty());
    // Without a lead: refused.
    let no_lead: Vec<MemberInput> = inputs
        .iter()
        .filter(|m| m.role != "lead")
        .cloned()
        .collect();
    assert!(app
        .save_consortium(&city, save(no_lead))
        .unwrap_err()
        .message
        .contains("牵头企业"));
    // Adjusted (one member dropped) and saved.
    let mut kept = inputs.clone();
    let dropped = kept.pop().unwrap();
    let saved = app.save_consortium(&city, save(kept.clone())).unwrap();
    let id = saved.id.clone().unwrap();
    assert_eq!(saved.members.len(), kept.len());
    assert!(!saved
        .members
        .iter()
        .any(|m| m.id == dropped.id && m.role.code() == dropped.role));
    // Saving is audited but is not a registry version (derived data stay valid).
    assert_eq!(app.registry_version(), version);
    let audit = app.repo().audit(None, Some(&id), 5).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "city");
    // Listed and read back; a lead enterprise sees it, another enterprise does not.
    let list = app.consortia(&city).unwrap();
    assert_eq!(list.len(), 1);
    let lead = saved
        .members
        .iter()
        .find(|m| m.role == MemberRole::Lead)
        .unwrap();
    assert_eq!(list[0].lead, lead.name);
    let firm = principal(&app, "lead", Role::Enterprise, &lead.id);
    let seen = app.consortium(&firm, &id).unwrap();
    assert_eq!(seen.title, "测试联合体");
    // The chain node is kept with the saved proposal (its page and annex name it).
    let full = app.consortium(&city, &id).unwrap();
    assert!(full
        .node
        .as_ref()
        .is_some_and(|n| !n.1.is_empty() && !n.2.is_empty()));
    // A member reads its own reason; the others' (their finances) and the note stay with the
    // bureau.
    for m in &seen.members {
        let theirs = full
            .members
            .iter()
            .find(|f| f.id == m.id && f.role == m.role)
            .unwrap();
        if m.id == lead.id {
            assert_eq!(m.reason, theirs.reason);
        } else {
            assert_ne!(m.reason, theirs.reason);
        }
    }
    assert!(seen
        .relations
        .iter()
        .all(|l| l.a == lead.id || l.b == lead.id));
    // District clerks do not assemble consortia: they read their district only.
    let clerk = principal(&app, "clerk", Role::DistrictStaff, "150203");
    assert_eq!(app.consortia(&clerk).unwrap_err().code, Code::Forbidden);
    assert_eq!(
        app.propose_consortium(&clerk, &Basis::Node(node.clone()))
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    let other = app
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o)
                if !saved.members.iter().any(|m| m.id == o.credit_code.as_str())
                    && o.kind == OrgKind::Enterprise =>
            {
                Some(o.credit_code.as_str().to_string())
            }
            _ => None,
        })
        .unwrap();
    let stranger = principal(&app, "other", Role::Enterprise, &other);
    assert_eq!(
        app.consortium(&stranger, &id).unwrap_err().code,
        Code::NotFound
    );
    assert!(app.consortia(&stranger).unwrap().is_empty());
    assert_eq!(
        app.propose_consortium(&stranger, &Basis::Node(node.clone()))
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.save_consortium(&stranger, save(kept.clone()))
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    // The XLSX annex: Chinese headers, one row per member, the relations sheet.
    let bytes = app.consortium_xlsx(&city, &id).unwrap();
    let t = innomesh_sheets::read(&bytes, innomesh_sheets::Format::Xlsx).unwrap();
    assert_eq!(t.headers[1], "角色");
    assert_eq!(t.headers.last().unwrap(), "推荐理由");
    assert_eq!(t.rows.len(), saved.members.len());
    // A revision names the proposal it revises; an unknown one is refused.
    let mut rev = save(kept.clone());
    rev.revises = Some("CS999999".into());
    assert_eq!(
        app.save_consortium(&city, rev).unwrap_err().code,
        Code::NotFound
    );
    let mut rev = save(kept);
    rev.revises = Some(id.clone());
    let second = app.save_consortium(&city, rev).unwrap();
    assert_eq!(second.revises.as_deref(), Some(id.as_str()));
    assert_eq!(app.consortia(&city).unwrap().len(), 2);
}

#[test]
fn a_common_problem_and_a_demand_get_proposals_too() {
    let app = app();
    let local = Principal::local("t");
    let problems = app.common_problems(&local, None).unwrap();
    assert!(!problems.is_empty());
    let p = app.propose_consortium(&local, &Basis::Problem(1)).unwrap();
    assert!(
        p.basis_label.contains(&problems[0].terms[0]),
        "{}",
        p.basis_label
    );
    assert!(p.members.iter().any(|m| m.role == MemberRole::Lead));
    let d = &problems[0].demands[0].0;
    let q = app
        .propose_consortium(&local, &Basis::Demand(d.clone()))
        .unwrap();
    assert!(q.basis_label.contains(&problems[0].demands[0].1));
    let e = app
        .propose_consortium(&local, &Basis::Problem(problems.len() + 1))
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    let e = app
        .propose_consortium(&local, &Basis::Node("rare_earth.nope".into()))
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound);
}
