//! 考核评估 through the `App`: registry figures with the records behind them, 填报 → 审核,
//! who may do what, and a published round that recomputes to the same scores from its snapshot.

use innomesh_app::assessment::{snapshot_hash, FigureSource};
use innomesh_app::{App, Code, Principal, Role};
use innomesh_assess::{assess, Dataset, Framework, Options, Table};
use innomesh_core::model::PlatformKind;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use std::collections::HashMap;
use std::sync::Arc;

fn app() -> Arc<App> {
    let app = App::in_memory().unwrap();
    app.import_records(
        &Principal::local("t"),
        generate(SampleConfig::default()).records,
        "t",
        &|_| {},
    )
    .unwrap()
    .unwrap();
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

/// The year most sample achievements carry.
fn busiest_year(app: &App) -> i32 {
    let mut n: HashMap<i32, usize> = HashMap::new();
    for r in app.repo().all(EntityKind::Achievement).unwrap() {
        if let Record::Achievement(a) = r {
            if let Some(y) = a.year {
                *n.entry(y).or_default() += 1;
            }
        }
    }
    n.into_iter().max_by_key(|(y, c)| (*c, *y)).unwrap().0
}

fn key_labs(app: &App) -> Vec<String> {
    let mut v: Vec<String> = app
        .repo()
        .all(EntityKind::Platform)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Platform(p) if p.kind == PlatformKind::KeyLaboratory => Some(p.id),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_round_over_the_registry_from_draft_to_published_and_recomputed() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let year = busiest_year(&app);
    let labs = key_labs(&app);
    assert!(labs.len() >= 3, "the sample has key laboratories");
    let r = app
        .assessment_round_create(&city, "key_laboratory", None, year, None)
        .unwrap();
    assert_eq!(r.status, "draft");

    // Registry figures carry the query and the records they count.
    let v = app.assessment_round(&city, &r.id).unwrap();
    assert_eq!(v.units.len(), labs.len());
    let counted: usize = v
        .units
        .iter()
        .flat_map(|u| &u.figures)
        .map(|f| match &f.source {
            FigureSource::Registry { records, .. } => records.len(),
            FigureSource::Manual { .. } => 0,
        })
        .sum();
    assert!(counted > 0, "some registry records are counted");
    for u in &v.units {
        for f in &u.figures {
            if let FigureSource::Registry { records, query, .. } = &f.source {
                if query == "achievements_by_host_year" {
                    assert_eq!(f.cell, records.len().to_string());
                }
            }
        }
    }

    // 填报 by the platform, 审核 by the bureau; only approved values count.
    let lab = &labs[0];
    let platform = principal(&app, "lab", Role::Expert, lab);
    let e = app
        .assessment_entry_submit(
            &platform,
            &r.id,
            lab,
            "leading_talent",
            "7",
            "人才称号文件 3 份",
        )
        .unwrap();
    assert_eq!(e.status, "submitted");
    let cell = |app: &App| {
        app.assessment_round(&city, &r.id)
            .unwrap()
            .units
            .into_iter()
            .find(|u| &u.id == lab)
            .unwrap()
            .figures
            .into_iter()
            .find(|f| f.indicator == "leading_talent")
            .unwrap()
            .cell
    };
    assert_eq!(cell(&app), "", "not yet checked");
    // A return needs a reason; an approval puts the value in.
    assert_eq!(
        app.assessment_entry_review(&city, &r.id, lab, "leading_talent", false, " ")
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    app.assessment_entry_review(&city, &r.id, lab, "leading_talent", true, "")
        .unwrap();
    assert_eq!(cell(&app), "7");
    // A grade for a rubric indicator; a bad grade is refused in Chinese.
    let err = app
        .assessment_entry_submit(&platform, &r.id, lab, "management", "E", "纪要")
        .unwrap_err();
    assert!(err.message.contains("评分等级"), "{}", err.message);
    app.assessment_entry_submit(&platform, &r.id, lab, "management", "A", "学术委员会纪要")
        .unwrap();
    // A registry figure cannot be entered; another platform's cannot either.
    assert_eq!(
        app.assessment_entry_submit(&platform, &r.id, lab, "patents", "9", "x")
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    assert_eq!(
        app.assessment_entry_submit(&platform, &r.id, &labs[1], "leading_talent", "9", "x")
            .unwrap_err()
            .code,
        Code::Forbidden
    );

    // The platform sees its own scorecard only; it cannot publish or review.
    let own = app.assessment_round(&platform, &r.id).unwrap();
    assert_eq!(own.units.len(), 1);
    assert_eq!(&own.units[0].id, lab);
    assert!(own.snapshot.is_empty());
    assert_eq!(
        app.assessment_round_publish(&platform, &r.id)
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.assessment_entry_review(&platform, &r.id, lab, "management", true, "")
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    // Other roles see nothing of it.
    let district = principal(&app, "district", Role::DistrictStaff, "150203");
    assert_eq!(
        app.assessment_round(&district, &r.id).unwrap_err().code,
        Code::Forbidden
    );
    let auditor = principal(&app, "auditor", Role::Auditor, "");
    assert_eq!(
        app.assessment_round(&auditor, &r.id).unwrap().units.len(),
        labs.len()
    );

    // Publish: the snapshot and its hash are frozen with the results.
    let published = app.assessment_round_publish(&city, &r.id).unwrap();
    assert_eq!(published.round.status, "published");
    assert_eq!(published.snapshot_hash, snapshot_hash(&published.snapshot));
    assert_eq!(
        published.round.snapshot_hash.as_deref(),
        Some(published.snapshot_hash.as_str())
    );
    assert_eq!(
        app.assessment_round_publish(&city, &r.id).unwrap_err().code,
        Code::Conflict
    );
    assert_eq!(
        app.assessment_entry_submit(&platform, &r.id, lab, "trainees", "3", "x")
            .unwrap_err()
            .code,
        Code::Conflict
    );

    // The registry changes after publishing: the published round does not.
    let mut changed = false;
    for rec in app.repo().all(EntityKind::Achievement).unwrap() {
        if let Record::Achievement(mut a) = rec {
            if a.year == Some(year) {
                a.year = Some(year - 1);
                let id = a.id.clone();
                app.update(
                    &Principal::local("t"),
                    EntityKind::Achievement,
                    &id,
                    Record::Achievement(a),
                )
                .unwrap();
                changed = true;
                break;
            }
        }
    }
    assert!(changed);
    let again = app.assessment_round(&city, &r.id).unwrap();
    let scores =
        |v: &innomesh_app::assessment::RoundView| -> Vec<(String, u64, usize, [usize; 2], String)> {
            v.units
                .iter()
                .map(|u| {
                    (
                        u.id.clone(),
                        u.result.score.to_bits(),
                        u.result.rank,
                        u.result.rank_band,
                        u.result.grade.clone(),
                    )
                })
                .collect()
        };
    assert_eq!(scores(&again), scores(&published));

    // Anyone can recompute it from the framework text and the snapshot, as `innomesh assess run`
    // does, and gets the stored results exactly.
    let stored = app
        .assessment_published_results(&city, &r.id)
        .unwrap()
        .unwrap();
    let framework = Framework::from_yaml(innomesh_assess::SHIPPED[0].1).unwrap();
    assert_eq!(framework.version, published.round.framework_version);
    let data = Dataset::bind(&framework, &Table::from_csv(&published.snapshot).unwrap()).unwrap();
    let recomputed = assess(&framework, &data, Options::from_framework(&framework)).unwrap();
    let mut by_id: Vec<_> = recomputed.units.iter().collect();
    by_id.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.id.cmp(&b.id)));
    // Compared as text: every digit of every score, band and gain.
    assert_eq!(serde_json::to_string(&by_id).unwrap(), stored);

    // Every step is in the audit log.
    let actions: Vec<String> = app
        .audit(&Principal::local("t"), None, None, 10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "assessment_round_create",
        "assessment_entry_submit",
        "assessment_entry_review",
        "assessment_round_publish",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a}");
    }
}

#[test]
fn only_staff_create_rounds_and_bad_requests_are_refused() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let code = app
        .repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Organisation(o) => Some(o.credit_code.as_str().to_string()),
            _ => None,
        })
        .unwrap();
    let ent = principal(&app, "ent", Role::Enterprise, &code);
    assert_eq!(
        app.assessment_round_create(&ent, "key_laboratory", None, 2025, None)
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    for (fw, year) in [("nope", 2025), ("key_laboratory", 1800)] {
        assert_eq!(
            app.assessment_round_create(&city, fw, None, year, None)
                .unwrap_err()
                .code,
            Code::InvalidField,
            "{fw} {year}"
        );
    }
    app.assessment_round_create(&city, "key_laboratory", None, 2025, None)
        .unwrap();
    assert_eq!(
        app.assessment_round_create(&city, "key_laboratory", None, 2025, None)
            .unwrap_err()
            .code,
        Code::Conflict
    );
    assert_eq!(
        app.assessment_round(&city, "nope-1").unwrap_err().code,
        Code::NotFound
    );
}

#[test]
fn a_new_framework_version_is_a_new_record_with_a_diff() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let shipped = innomesh_assess::SHIPPED[0].1;
    // The shipped version cannot be saved over, whoever asks.
    assert_eq!(
        app.assessment_framework_save(&city, shipped)
            .unwrap_err()
            .code,
        Code::Conflict
    );
    let v2 = shipped
        .replace("version: \"2026.1\"", "version: \"2026.2\"")
        .replacen("    weight: 0.5\n", "    weight: 0.4\n", 1)
        .replacen(
            "    weight: 0.3\n    indicators:",
            "    weight: 0.4\n    indicators:",
            1,
        );
    let saved = app.assessment_framework_save(&city, &v2).unwrap();
    assert_eq!((saved.version.as_str(), saved.shipped), ("2026.2", false));
    // Immutable: the same version again is refused; a bad file is refused in Chinese.
    assert_eq!(
        app.assessment_framework_save(&city, &v2).unwrap_err().code,
        Code::Conflict
    );
    let bad = v2
        .replace("version: \"2026.2\"", "version: \"2026.3\"")
        .replacen("    weight: 0.4\n", "    weight: 0.9\n", 1);
    let e = app.assessment_framework_save(&city, &bad).unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(e.message.contains("之和须为 1"), "{}", e.message);
    let lab = principal(&app, "lab", Role::Expert, &key_labs(&app)[0]);
    assert_eq!(
        app.assessment_framework_save(&lab, &v2).unwrap_err().code,
        Code::Forbidden
    );
    // The diff names both dimension weights that moved.
    let d = app
        .assessment_framework_diff(&city, "key_laboratory", "2026.1", "2026.2")
        .unwrap();
    let moved: Vec<(&str, &str, &str)> = d
        .iter()
        .filter(|c| c.what == "维度权重")
        .map(|c| (c.item.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        moved,
        vec![
            ("研究水平与贡献", "50.0%", "40.0%"),
            ("队伍建设与人才培养", "30.0%", "40.0%")
        ]
    );
    // A round run with each version; the comparison splits the change: same data, so all of it
    // is the framework's.
    let year = busiest_year(&app);
    let a = app
        .assessment_round_create(&city, "key_laboratory", None, year, None)
        .unwrap();
    let before = app.assessment_round_create(&city, "key_laboratory", Some("2026.2"), year, None);
    // Same framework id and year: the round id is taken.
    assert_eq!(before.unwrap_err().code, Code::Conflict);
    let b = app
        .assessment_round_create(&city, "key_laboratory", Some("2026.2"), year - 1, None)
        .unwrap();
    assert_eq!(b.framework_version, "2026.2");
    let c = app.assessment_compare(&city, &a.id, &b.id).unwrap();
    assert!(!c.rows.is_empty());
    for r in &c.rows {
        let total = r.score_b - r.score_a;
        let split = r.data_effect.unwrap() + r.framework_effect.unwrap();
        assert!((total - split).abs() < 1e-9);
    }
    let listed = app.assessment_frameworks(&city).unwrap();
    let v = listed
        .iter()
        .find(|v| v.id == "key_laboratory" && v.version == "2026.2")
        .unwrap();
    assert_eq!(v.used_by, vec![b.id.clone()]);
}
