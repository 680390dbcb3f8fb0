//! 考核评估 figures the registry computes from technology deals and shared-service bookings, the
//! joint (centre–laboratory) rounds held in the registry, and evidence files: each figure names
//! the records behind it, each refusal is in Chinese with a stable code and writes nothing.

use innomesh_app::assessment::{FigureSource, RoundView, BOOKING_SOURCE};
use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::model::{DealStage, PlatformKind, PlatformStatus};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::values::Date;
use innomesh_core::{EntityKind, Record};
use innomesh_store::sharing::Booking;
use std::sync::Arc;

/// A year the sample holds nothing in, so every figure is what the test adds.
const YEAR: i32 = 2030;

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

/// Active platforms of a kind: (id, host), by id.
fn platforms(app: &App, kind: PlatformKind) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = app
        .repo()
        .all(EntityKind::Platform)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Platform(p) if p.kind == kind && p.status != PlatformStatus::Revoked => {
                Some((p.id, p.host.as_str().to_string()))
            }
            _ => None,
        })
        .collect();
    v.sort();
    v
}

fn first<T>(app: &App, kind: EntityKind, pick: impl Fn(Record) -> Option<T>) -> T {
    app.repo()
        .all(kind)
        .unwrap()
        .into_iter()
        .find_map(pick)
        .unwrap()
}

/// A technology deal between two units at a stage, signed on `signed` when given.
fn deal(
    app: &App,
    seller: &str,
    buyer: &str,
    stage: DealStage,
    signed: Option<Date>,
    amount: f64,
    achievement: Option<String>,
) -> String {
    let mut d = first(app, EntityKind::TechDeal, |r| match r {
        Record::TechDeal(d) => Some(d),
        _ => None,
    });
    d.id = String::new();
    d.seller = innomesh_core::CreditCode::parse(seller).unwrap();
    d.buyer = innomesh_core::CreditCode::parse(buyer).unwrap();
    d.intermediary = None;
    d.manager = None;
    d.demand = None;
    d.achievement = achievement;
    d.stage = stage;
    d.intent_date = Date::new(YEAR - 1, 6, 1).unwrap();
    d.signed_date = signed;
    d.amount = Some(amount);
    d.paid = None;
    if stage.stage() >= DealStage::Registered.stage() {
        d.registration_no = "2030150200000001".into();
        d.registered_date = signed;
    } else {
        d.registration_no = String::new();
        d.registered_date = None;
    }
    let local = Principal::local("t");
    // A new deal starts at 意向 (every door refuses a later first stage); it then moves on to
    // `stage` as its record is updated.
    let mut intent = d.clone();
    intent.stage = DealStage::Intent;
    intent.signed_date = None;
    intent.registration_no = String::new();
    intent.registered_date = None;
    let id = match app.create(&local, Record::TechDeal(intent)) {
        Ok(r) => r.id().to_string(),
        Err(e) => panic!("deal: {}", e.message),
    };
    d.id = id.clone();
    for &step in innomesh_app::deals::stages() {
        if step == DealStage::Intent || step.stage() > stage.stage() {
            continue;
        }
        let mut at = d.clone();
        at.stage = step;
        if step.stage() < DealStage::Registered.stage() {
            at.registration_no = String::new();
            at.registered_date = None;
        }
        if let Err(e) = app.update(&local, EntityKind::TechDeal, &id, Record::TechDeal(at)) {
            panic!("deal at {step:?}: {}", e.message);
        }
    }
    id
}

/// A shared service offered by `owner` (a copy of a sample service).
fn service(app: &App, owner: &str) -> String {
    let mut s = first(app, EntityKind::SharedService, |r| match r {
        Record::SharedService(s) => Some(s),
        _ => None,
    });
    s.id = String::new();
    s.owner = innomesh_core::CreditCode::parse(owner).unwrap();
    s.equipment = None;
    let r = app
        .create(&Principal::local("t"), Record::SharedService(s))
        .unwrap();
    r.id().to_string()
}

fn booking(
    app: &App,
    service: &str,
    owner: &str,
    requester: &str,
    day: &str,
    status: &str,
    hours: f64,
) -> String {
    let b = Booking {
        id: String::new(),
        service_id: service.into(),
        owner: owner.into(),
        requester: requester.into(),
        start: format!("{day} 09:00"),
        end: format!("{day} 17:00"),
        status: status.into(),
        hours_used: (status == "completed").then_some(hours),
        fee: None,
        result: String::new(),
        note: "测试".into(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    app.repo()
        .booking_insert(&b, &Principal::local("t").actor())
        .unwrap()
        .id
}

/// A figure of a unit: its cell and the records behind it.
fn figure(v: &RoundView, unit: &str, indicator: &str) -> (String, Vec<(String, String)>) {
    let u = v.units.iter().find(|u| u.id == unit).unwrap();
    let f = u.figures.iter().find(|f| f.indicator == indicator).unwrap();
    match &f.source {
        FigureSource::Registry { records, .. } => (f.cell.clone(), records.clone()),
        FigureSource::Manual { .. } => panic!("{indicator} should be computed from the registry"),
    }
}

fn other_org(app: &App, not: &[&str]) -> String {
    first(app, EntityKind::Organisation, |r| match r {
        Record::Organisation(o) if !not.contains(&o.credit_code.as_str()) => {
            Some(o.credit_code.as_str().to_string())
        }
        _ => None,
    })
}

#[test]
fn contract_income_and_outside_hours_come_from_deals_and_bookings() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let centres = platforms(&app, PlatformKind::ManufacturingInnovationCentre);
    assert!(centres.len() >= 2, "the sample has innovation centres");
    let (centre, host) = centres[0].clone();
    let buyer = other_org(&app, &[&host]);
    let signed = |m| Some(Date::new(YEAR, m, 15).unwrap());
    // Counted: signed (or later) in the year, sold by the host.
    let a = deal(
        &app,
        &host,
        &buyer,
        DealStage::Signed,
        signed(3),
        120.0,
        None,
    );
    let b = deal(
        &app,
        &host,
        &buyer,
        DealStage::Registered,
        signed(9),
        35.5,
        None,
    );
    // Not counted: still negotiating; signed the year before; bought (not sold) by the host.
    deal(
        &app,
        &host,
        &buyer,
        DealStage::Negotiation,
        None,
        999.0,
        None,
    );
    deal(
        &app,
        &host,
        &buyer,
        DealStage::Signed,
        Some(Date::new(YEAR - 1, 12, 31).unwrap()),
        77.0,
        None,
    );
    deal(
        &app,
        &buyer,
        &host,
        DealStage::Signed,
        signed(4),
        55.0,
        None,
    );

    let svc = service(&app, &host);
    // Counted: completed, used by another unit, in the year.
    let x = booking(&app, &svc, &host, &buyer, "2030-03-04", "completed", 6.5);
    let y = booking(&app, &svc, &host, &buyer, "2030-11-05", "completed", 2.0);
    // Not counted: the host's own use, a cancelled booking, a booking of the year before.
    booking(&app, &svc, &host, &host, "2030-03-05", "completed", 4.0);
    booking(&app, &svc, &host, &buyer, "2030-03-06", "cancelled", 0.0);
    booking(&app, &svc, &host, &buyer, "2029-12-30", "completed", 8.0);

    let r = app
        .assessment_round_create(&city, "manufacturing_innovation_centre", None, YEAR, None)
        .unwrap();
    assert_eq!(r.framework_version, "2026.2");
    let v = app.assessment_round(&city, &r.id).unwrap();
    let (cell, records) = figure(&v, &centre, "contract_income");
    assert_eq!(cell, "155.5");
    let mut ids: Vec<String> = records.iter().map(|(_, id)| id.clone()).collect();
    ids.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(ids, want);
    assert!(records.iter().all(|(k, _)| k == "tech_deal"));
    let (cell, records) = figure(&v, &centre, "shared_hours");
    assert_eq!(cell, "8.5");
    assert_eq!(
        records,
        vec![
            (BOOKING_SOURCE.to_string(), x),
            (BOOKING_SOURCE.to_string(), y)
        ]
    );
    // Another centre: none of it.
    let (cell, records) = figure(&v, &centres[1].0, "contract_income");
    assert_eq!((cell.as_str(), records.len()), ("0", 0));
    // A computed figure cannot be entered by hand.
    assert_eq!(
        app.assessment_entry_submit(&city, &r.id, &centre, "contract_income", "1", "x")
            .unwrap_err()
            .code,
        Code::InvalidField
    );
}

#[test]
fn a_joint_round_assesses_centre_laboratory_pairs_from_their_joint_records() {
    let app = app();
    let city = principal(&app, "city", Role::CityStaff, "");
    let centres = platforms(&app, PlatformKind::ManufacturingInnovationCentre);
    let labs = platforms(&app, PlatformKind::KeyLaboratory);
    let (centre, ch) = centres[0].clone();
    let (lab, lh) = labs.iter().find(|(_, h)| *h != ch).unwrap().clone();

    // Nothing joint in the year yet: no pair to propose.
    let e = app
        .assessment_round_create(&city, "joint_centre_laboratory", None, YEAR, None)
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidField);
    assert!(e.message.contains("中心—实验室对"), "{}", e.message);

    // A co-owned result, a lab result sold to the centre, hours on each other's instruments.
    let mut ach = first(&app, EntityKind::Achievement, |r| match r {
        Record::Achievement(a) => Some(a),
        _ => None,
    });
    ach.id = String::new();
    ach.year = Some(YEAR);
    ach.owners = vec![
        innomesh_core::CreditCode::parse(&ch).unwrap(),
        innomesh_core::CreditCode::parse(&lh).unwrap(),
    ];
    let co = app
        .create(&Principal::local("t"), Record::Achievement(ach))
        .unwrap()
        .id()
        .to_string();
    let sold = deal(
        &app,
        &lh,
        &ch,
        DealStage::Signed,
        Some(Date::new(YEAR, 5, 1).unwrap()),
        80.0,
        None,
    );
    // The other way round (the centre selling to the lab) is not the lab's result industrialised.
    deal(
        &app,
        &ch,
        &lh,
        DealStage::Signed,
        Some(Date::new(YEAR, 5, 2).unwrap()),
        10.0,
        None,
    );
    let svc = service(&app, &lh);
    let h1 = booking(&app, &svc, &lh, &ch, "2030-04-01", "completed", 3.5);
    let other = other_org(&app, &[&ch, &lh]);
    booking(&app, &svc, &lh, &other, "2030-04-02", "completed", 5.0);

    let r = app
        .assessment_round_create(&city, "joint_centre_laboratory", None, YEAR, None)
        .unwrap();
    let unit = format!("{centre}+{lab}");
    let v = app.assessment_round(&city, &r.id).unwrap();
    assert!(v.units.iter().any(|u| u.id == unit), "the pair is proposed");
    assert!(v.units.iter().all(|u| u.name.contains(" × ")));
    assert_eq!(
        figure(&v, &unit, "co_owned_results"),
        ("1".into(), vec![("achievement".into(), co)])
    );
    assert_eq!(
        figure(&v, &unit, "lab_results_industrialised"),
        ("1".into(), vec![("tech_deal".into(), sold)])
    );
    assert_eq!(
        figure(&v, &unit, "shared_instrument_hours"),
        ("3.5".into(), vec![(BOOKING_SOURCE.into(), h1)])
    );

    // The laboratory's account sees the pairs it is in and enters the pair's manual figures.
    let lab_account = principal(&app, "lab", Role::Expert, &lab);
    let own = app.assessment_round(&lab_account, &r.id).unwrap();
    assert!(!own.units.is_empty());
    assert!(own.units.iter().all(|u| u.id.split('+').any(|p| p == lab)));
    app.assessment_entry_submit(
        &lab_account,
        &r.id,
        &unit,
        "people_moving",
        "4",
        "兼职协议 4 份",
    )
    .unwrap();
    let stranger = principal(&app, "stranger", Role::Expert, &labs[labs.len() - 1].0);
    if labs[labs.len() - 1].0 != lab {
        assert_eq!(
            app.assessment_entry_submit(&stranger, &r.id, &unit, "people_moving", "4", "x")
                .unwrap_err()
                .code,
            Code::Forbidden
        );
    }

    // Pairs named by the bureau are checked: kinds, duplicates.
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    for bad in [
        pairs(&[(&lab, &centre)]),
        pairs(&[(&centre, &lab), (&centre, &lab)]),
        pairs(&[(&centre, "PF_nope")]),
        pairs(&[]),
    ] {
        let e = app
            .assessment_round_create_with_pairs(
                &city,
                "joint_centre_laboratory",
                None,
                YEAR - 1,
                None,
                Some(&bad),
            )
            .unwrap_err();
        assert_eq!(e.code, Code::InvalidField, "{bad:?}");
    }
    let named = app
        .assessment_round_create_with_pairs(
            &city,
            "joint_centre_laboratory",
            None,
            YEAR - 1,
            None,
            Some(&pairs(&[(&centre, &lab)])),
        )
        .unwrap();
    let v = app.assessment_round(&city, &named.id).unwrap();
    assert_eq!(
        v.units.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
        vec![unit.clone()]
    );
    // Pairs are for the joint framework only.
    assert_eq!(
        app.assessment_round_create_with_pairs(
            &city,
            "key_laboratory",
            None,
            YEAR,
            None,
            Some(&pairs(&[(&centre, &lab)])),
        )
        .unwrap_err()
        .code,
        Code::InvalidField
    );
    // Published, the pairs stay as they were.
    let p = app.assessment_round_publish(&city, &r.id).unwrap();
    assert_eq!(p.units.len(), v.units.len().max(p.units.len()));
    assert!(p.units.iter().any(|u| u.id == unit));
}

/// The smallest files of each accepted kind that pass the content checks.
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    b.extend_from_slice(b"\x00\x00\x00\x00IEND\xaeB`\x82");
    b
}

#[test]
fn evidence_files_are_checked_by_content_stored_audited_and_shown_to_those_allowed() {
    let app = app();
    let local = Principal::local("t");
    let city = principal(&app, "city", Role::CityStaff, "");
    let labs = platforms(&app, PlatformKind::KeyLaboratory);
    let (lab, other) = (labs[0].0.clone(), labs[1].0.clone());
    let r = app
        .assessment_round_create(&city, "key_laboratory", None, YEAR, None)
        .unwrap();
    let platform = principal(&app, "lab", Role::Expert, &lab);
    let version = || app.repo().version().unwrap();
    let files = || app.assessment_evidence(&city, &r.id).unwrap().len();

    // Refusals: each with its code and a Chinese message, and nothing written.
    let before = (version(), files());
    let exe = b"MZ\x90\x00\x03\x00\x00\x00this program cannot be run in DOS mode".to_vec();
    let mut broken_png = png();
    broken_png.truncate(20);
    let mut huge = pdf();
    huge.resize(innomesh_app::evidence::EVIDENCE_LIMIT + 1, b' ');
    huge.extend_from_slice(b"%%EOF");
    let not_a_workbook = {
        // A zip holding a text file: a zip, but not a workbook.
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[0u8; 60]);
        z
    };
    // (unit, indicator, file name, bytes, code, words the message must hold)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, Code, &'a str);
    let cases: Vec<Case> = vec![
        (
            &lab,
            "leading_talent",
            "证书.pdf",
            exe,
            Code::UnsupportedFormat,
            "只接受",
        ),
        (
            &lab,
            "leading_talent",
            "证书.png",
            broken_png,
            Code::BadFile,
            "损坏",
        ),
        (
            &lab,
            "leading_talent",
            "大.pdf",
            huge,
            Code::PayloadTooLarge,
            "过大",
        ),
        (
            &lab,
            "leading_talent",
            "空.pdf",
            Vec::new(),
            Code::BadFile,
            "为空",
        ),
        (
            &lab,
            "leading_talent",
            "表.xlsx",
            not_a_workbook,
            Code::UnsupportedFormat,
            "工作簿",
        ),
        (
            &lab,
            "patents",
            "专利.pdf",
            pdf(),
            Code::InvalidField,
            "登记库",
        ),
        (&lab, "nope", "x.pdf", pdf(), Code::InvalidField, "没有指标"),
        (
            &other,
            "leading_talent",
            "x.pdf",
            pdf(),
            Code::Forbidden,
            "本平台",
        ),
    ];
    for (unit, ind, name, bytes, code, words) in cases {
        let e = app
            .assessment_evidence_upload(&platform, &r.id, unit, ind, name, &bytes)
            .unwrap_err();
        assert_eq!(e.code, code, "{name}: {}", e.message);
        assert!(e.message.contains(words), "{name}: {}", e.message);
    }
    assert_eq!((version(), files()), before, "a refusal writes nothing");

    // Accepted: the type from the content (a PDF named .png is a PDF), a safe name, the hash.
    let f = app
        .assessment_evidence_upload(
            &platform,
            &r.id,
            &lab,
            "leading_talent",
            "../../etc/人才证书.png",
            &pdf(),
        )
        .unwrap();
    assert_eq!(f.media_type, "application/pdf");
    // Downloaded under the extension of what it is, never of what it was called.
    assert_eq!(f.file_name, "人才证书.png.pdf");
    assert_eq!(f.size, pdf().len() as i64);
    assert_eq!(
        f.sha256,
        innomesh_app::auth::password::sha256_bytes_hex(&pdf())
    );
    let g = app
        .assessment_evidence_upload(&platform, &r.id, &lab, "management", "纪要.png", &png())
        .unwrap();
    assert_eq!(g.media_type, "image/png");
    let xlsx = innomesh_sheets::write_xlsx(&[innomesh_sheets::Sheet {
        name: "名单",
        headers: &["姓名".to_string()],
        rows: &[vec![innomesh_core::tabular::Cell::Text("张三".into())]],
    }])
    .unwrap();
    let h = app
        .assessment_evidence_upload(&city, &r.id, &other, "trainees", "名单.xlsx", &xlsx)
        .unwrap();
    assert!(h.media_type.contains("spreadsheetml"));
    assert_ne!(f.id, g.id);

    // Shown beside the figure; downloaded whole by the platform, the bureau and auditors.
    let v = app.assessment_round(&platform, &r.id).unwrap();
    let shown = v.units[0]
        .figures
        .iter()
        .find(|x| x.indicator == "leading_talent")
        .unwrap();
    match &shown.source {
        FigureSource::Manual { files, .. } => assert_eq!(files, &vec![f.clone()]),
        _ => panic!("manual"),
    }
    assert_eq!(
        app.assessment_evidence_file(&platform, &f.id).unwrap().1,
        pdf()
    );
    assert_eq!(app.assessment_evidence_file(&city, &h.id).unwrap().1, xlsx);
    let auditor = principal(&app, "auditor", Role::Auditor, "");
    assert_eq!(app.assessment_evidence(&auditor, &r.id).unwrap().len(), 3);
    // Another platform's file is not there for it; other roles are refused.
    assert_eq!(
        app.assessment_evidence_file(&platform, &h.id)
            .unwrap_err()
            .code,
        Code::NotFound
    );
    assert_eq!(
        app.assessment_evidence(&platform, &r.id).unwrap().len(),
        2,
        "its own only"
    );
    let district = principal(&app, "district", Role::DistrictStaff, "150203");
    assert_eq!(
        app.assessment_evidence_file(&district, &f.id)
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    assert_eq!(
        app.assessment_evidence_file(&city, "EV999999")
            .unwrap_err()
            .code,
        Code::NotFound
    );

    // Audited with name, type, size and hash, never the content.
    let entries = app.audit(&local, None, None, 100_000).unwrap();
    let up: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "assessment_evidence_upload")
        .collect();
    assert_eq!(up.len(), 3);
    assert!(up.iter().any(|e| e.detail.contains(&f.sha256)));

    // Published: no more evidence.
    app.assessment_round_publish(&city, &r.id).unwrap();
    assert_eq!(
        app.assessment_evidence_upload(&platform, &r.id, &lab, "trainees", "x.pdf", &pdf())
            .unwrap_err()
            .code,
        Code::Conflict
    );
}

#[test]
fn the_demo_seeds_a_joint_round_over_centre_laboratory_pairs() {
    let app = app();
    let local = Principal::local("t");
    app.set_setting(&local, "sample_data", "示例数据").unwrap();
    let made = innomesh_app::assessment::seed_sample_rounds(&app, &local).unwrap();
    let joint: Vec<&String> = made
        .iter()
        .filter(|id| id.starts_with("joint_centre_laboratory-"))
        .collect();
    assert_eq!(joint.len(), 1, "{made:?}");
    let v = app.assessment_round(&local, joint[0]).unwrap();
    assert!(!v.units.is_empty());
    let year = v.round.year;
    let kinds: std::collections::HashMap<String, PlatformKind> = app
        .repo()
        .all(EntityKind::Platform)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Platform(p) => Some((p.id, p.kind)),
            _ => None,
        })
        .collect();
    for u in &v.units {
        // A centre and a key laboratory, each figure counting the records it names.
        let (c, l) = u.id.split_once('+').unwrap();
        assert_eq!(kinds[c], PlatformKind::ManufacturingInnovationCentre);
        assert_eq!(kinds[l], PlatformKind::KeyLaboratory);
        for i in ["co_owned_results", "lab_results_industrialised"] {
            let (cell, records) = figure(&v, &u.id, i);
            assert_eq!(cell, records.len().to_string(), "{i} in {year}");
        }
        // The manual figures are entered and approved: no missing cell.
        assert!(u.figures.iter().all(|f| !f.cell.is_empty()), "{}", u.id);
    }
    // Seeding again makes nothing new.
    assert!(innomesh_app::assessment::seed_sample_rounds(&app, &local)
        .unwrap()
        .is_empty());
}
