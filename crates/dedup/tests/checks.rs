//! Applicant, people and budget checks, the incremental index, and the pre-submission check.

mod common;

use common::*;
use innomesh_dedup::hash::Rng;
use innomesh_dedup::{
    check, check_draft, Application, BudgetLine, DedupConfig, DedupIndex, IdentityKey, MatchKind,
    TeamMember,
};

const FIRM_A: &str = "91150200MA0N1A2B3C";
const FIRM_B: &str = "91150200MA0N9X8Y7Z";

fn cfg() -> DedupConfig {
    DedupConfig {
        identity_key: Some(IdentityKey::new(b"test-key-0123456789".to_vec())),
        ..DedupConfig::default()
    }
}

fn member(name: &str, id: &str) -> TeamMember {
    TeamMember {
        name: name.into(),
        id_number: id.into(),
    }
}

fn line(item: &str, amount: f64) -> BudgetLine {
    BudgetLine {
        item: item.into(),
        amount,
    }
}

fn app(id: &str, firm: &str, text: String) -> Application {
    Application {
        applicant_credit_code: Some(firm.into()),
        ..Application::new(id, id, text)
    }
}

#[test]
fn same_firm_same_team_is_flagged_with_masked_ids_only() {
    let mut rng = Rng::new(10);
    let team = vec![
        member("张三", "150203199001011234"),
        member("李四", "15020319850505432X"),
    ];
    let mut apps = background(&mut rng, 30, "bg");
    let mut a = app("p2023", FIRM_A, body(&mut rng, 5));
    a.team = team.clone();
    a.programme = Some("科技重大专项".into());
    let mut b = app("p2024", " 91150200ma0n1a2b3c ", body(&mut rng, 5));
    b.team = vec![
        team[1].clone(),
        team[0].clone(),
        member("王五", "150204199202022222"),
    ];
    b.programme = Some("揭榜挂帅".into());
    let mut c = app("other", FIRM_B, body(&mut rng, 5));
    c.team = vec![team[0].clone()];
    apps.extend([a, b, c]);
    let report = check(&apps, &cfg());
    assert_eq!(report.pairs.len(), 1, "{:?}", report.pairs);
    let p = &report.pairs[0];
    assert_eq!((p.a.as_str(), p.b.as_str()), ("p2023", "p2024"));
    assert_eq!(p.kinds, vec![MatchKind::Applicant, MatchKind::People]);
    let json = serde_json::to_string(p).expect("json");
    assert!(json.contains("1502**********1234"));
    assert!(!json.contains("150203199001011234") && !json.contains("199001011234"));
    assert_eq!(p.applicant_credit_code.as_deref(), Some(FIRM_A));
}

#[test]
fn people_check_is_skipped_without_a_key() {
    let mut rng = Rng::new(11);
    let mut a = app("a", FIRM_A, body(&mut rng, 4));
    let mut b = app("b", FIRM_A, body(&mut rng, 4));
    a.team = vec![member("张三", "150203199001011234")];
    b.team = a.team.clone();
    assert!(check(&[a, b], &DedupConfig::default()).pairs.is_empty());
}

#[test]
fn budget_lines_claimed_twice_but_not_common_ones() {
    let mut rng = Rng::new(12);
    let mut apps = background(&mut rng, 70, "bg");
    // A standard line every application has is not evidence.
    for a in apps.iter_mut() {
        a.budget = vec![line("会议费", 5000.0), line("差旅费", 8000.0)];
    }
    let mut x = app("x", FIRM_A, body(&mut rng, 4));
    x.budget = vec![
        line("会议费", 5000.0),
        line("五轴加工中心", 1_280_000.0),
        line("稀土原料（批）", 96_000.0),
    ];
    let mut y = app("y", FIRM_B, body(&mut rng, 4));
    y.budget = vec![
        line("五轴 加工中心", 1_285_000.0),
        line("稀土原料(批)", 96_000.0),
        line("劳务费", 20_000.0),
    ];
    apps.extend([x, y]);
    let pairs = check(&apps, &cfg()).pairs;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].kinds, vec![MatchKind::Budget]);
    assert_eq!(pairs[0].budget.as_ref().map(|b| b.lines.len()), Some(2));
}

#[test]
fn index_query_finds_stored_duplicates() {
    let mut rng = Rng::new(13);
    let mut index = DedupIndex::new(cfg());
    for a in background(&mut rng, 50, "bg") {
        index.insert(a).expect("insert");
    }
    let src = body(&mut rng, 6);
    let t: String = src.chars().take(12).collect();
    index
        .insert(Application::new(
            "old",
            t.clone(),
            src.clone() + &boilerplate(&mut rng),
        ))
        .expect("insert");
    assert!(index
        .insert(Application::new("old", "t", "重复编号。"))
        .is_err());
    assert!(index.insert(Application::new("empty", "t", " ")).is_err());
    let q = Application::new(
        "new",
        format!("面向{t}示范应用"),
        edit(&src, 0.05, &mut rng) + &boilerplate(&mut rng),
    );
    let m = index.query(&q);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].a.as_str(), m[0].b.as_str()), ("new", "old"));
    assert!(m[0].score > 0.8);
    let unrelated = Application::new("u", "无关", body(&mut rng, 5) + &boilerplate(&mut rng));
    assert!(index.query(&unrelated).is_empty());
    assert_eq!(index.len(), 51);
}

#[test]
fn draft_check_sees_only_the_applicants_own_applications() {
    let mut rng = Rng::new(14);
    let mut index = DedupIndex::new(cfg());
    for a in background(&mut rng, 40, "bg") {
        index.insert(a).expect("insert");
    }
    let own_text = body(&mut rng, 5);
    let other_text = body(&mut rng, 5);
    index
        .insert(app("mine-2023", FIRM_A, own_text.clone()))
        .expect("insert");
    index
        .insert(app("theirs-2023", FIRM_B, other_text.clone()))
        .expect("insert");
    // The draft reuses both its own earlier text and another firm's text.
    let draft = Application::new("draft", "mine-2023", own_text.clone());
    let m = check_draft(&draft, FIRM_A, &index);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].b, "mine-2023");
    let copying = Application::new("draft2", "theirs-2023", other_text.clone());
    assert!(check_draft(&copying, FIRM_A, &index).is_empty());
    let both = Application::new("draft3", "x", own_text.clone() + &other_text);
    let m = check_draft(&both, FIRM_A, &index);
    assert!(m.iter().all(|x| x.b == "mine-2023"), "{m:?}");
    let json = serde_json::to_string(&m).expect("json");
    assert!(!json.contains("theirs"));
    // Unknown or empty credit code: nothing to compare with.
    assert!(check_draft(&draft, "", &index).is_empty());
    assert!(check_draft(&draft, FIRM_B, &index)
        .iter()
        .all(|x| x.b == "theirs-2023"));
}

#[test]
fn index_query_reports_people_and_budget_signals() {
    let mut rng = Rng::new(15);
    let mut index = DedupIndex::new(cfg());
    for a in background(&mut rng, 30, "bg") {
        index.insert(a).expect("insert");
    }
    let mut old = app("old", FIRM_A, body(&mut rng, 4));
    old.team = vec![member("张三", "150203199001011234")];
    old.budget = vec![
        line("五轴加工中心", 1_280_000.0),
        line("稀土原料", 96_000.0),
    ];
    index.insert(old).expect("insert");
    let mut same_team = app("q1", FIRM_A, body(&mut rng, 4));
    same_team.team = vec![member("张三", "150203199001011234")];
    let m = index.query(&same_team);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].kinds, vec![MatchKind::Applicant, MatchKind::People]);
    let mut same_budget = app("q2", FIRM_B, body(&mut rng, 4));
    same_budget.budget = vec![
        line("五轴加工中心", 1_280_000.0),
        line("稀土原料", 96_000.0),
    ];
    let m = index.query(&same_budget);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].kinds, vec![MatchKind::Budget]);
    let masked = index.people_of("old").expect("stored");
    assert_eq!(masked[0].masked, "1502**********1234");
}
