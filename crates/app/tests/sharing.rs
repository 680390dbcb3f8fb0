//! 开放共享 through `App`: no double booking under concurrent requests, the booking moves and who
//! may make them, innovation-voucher claims (one per booking, whatever the programme; eligibility
//! and caps), the write scope of shared services, and the figures against a hand count.

use innomesh_app::sharing::{local_now, seed_sample, BookingAction};
use innomesh_app::{App, Code, Principal, Role};
use innomesh_core::model::{OrgKind, Organisation, SharedService, VoucherProgramme};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::sharing::{date_text, OpenHours};
use innomesh_core::{EntityKind, Record};
use innomesh_store::sharing::{BookingFilter, VoucherClaim};
use std::collections::HashMap;
use std::sync::{Arc, Barrier};

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
    app.set_setting(&local, "sample_data", "示例数据").unwrap();
    app
}

fn principal(app: &App, name: &str, role: Role, scope: &str) -> Principal {
    let local = Principal::local("t");
    app.add_user(&local, name, name, role, scope).unwrap();
    let (_, token) = app.create_token(&local, name, Some(1), "t").unwrap();
    app.token_principal(&token, "test").unwrap()
}

fn orgs(app: &App) -> Vec<Organisation> {
    app.repo()
        .all(EntityKind::Organisation)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Organisation(o) => Some(o),
            _ => None,
        })
        .collect()
}

/// Small local enterprises (eligible for the sample's city voucher programme).
fn small_firms(app: &App) -> Vec<Organisation> {
    orgs(app)
        .into_iter()
        .filter(|o| {
            o.kind == OrgKind::Enterprise
                && o.region.as_str().starts_with("1502")
                && o.employees.is_some_and(|e| e <= 1000)
                && o.revenue.is_some_and(|r| r <= 400_000.0)
        })
        .collect()
}

/// A service open around the clock with no lead time, owned by an institute.
fn service(app: &App) -> SharedService {
    let owner = orgs(app)
        .into_iter()
        .find(|o| o.kind == OrgKind::Institute)
        .unwrap();
    let s = SharedService {
        id: String::new(),
        name: "稀土元素分析（测试）".into(),
        service_type: innomesh_core::model::ServiceType::Instrument,
        owner: owner.credit_code.clone(),
        equipment: None,
        region: None,
        measures: "稀土元素分析".into(),
        sample_requirements: String::new(),
        fee_internal: Some(100.0),
        fee_local: Some(400.0),
        fee_outside: Some(600.0),
        lead_days: Some(0),
        operator_required: true,
        open_hours: "每天 0:00-24:00".into(),
        closed_dates: vec![],
        contact: String::new(),
    };
    match app
        .create(&Principal::local("t"), Record::SharedService(s))
        .unwrap()
    {
        Record::SharedService(s) => s,
        _ => unreachable!(),
    }
}

fn day(offset: i64) -> String {
    date_text(
        local_now()
            .date
            .checked_add(time::Duration::days(offset))
            .unwrap(),
    )
}

#[test]
fn twenty_clients_one_slot_exactly_one_booking() {
    let app = app();
    let s = service(&app);
    let firms = small_firms(&app);
    assert!(firms.len() >= 20);
    let clients: Vec<Principal> = firms[..20]
        .iter()
        .enumerate()
        .map(|(i, f)| {
            principal(
                &app,
                &format!("firm{i}"),
                Role::Enterprise,
                f.credit_code.as_str(),
            )
        })
        .collect();
    let d = day(3);
    let barrier = Arc::new(Barrier::new(20));
    let handles: Vec<_> = clients
        .into_iter()
        .map(|who| {
            let (app, barrier, sid, d) = (app.clone(), barrier.clone(), s.id.clone(), d.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.request_booking(
                    &who,
                    &sid,
                    None,
                    &format!("{d} 10:00"),
                    &format!("{d} 12:00"),
                    "",
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 1, "exactly one request holds the slot");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(e.code, Code::Conflict);
        assert!(e.message.contains("已被预约"), "{}", e.message);
    }
    // The owner confirms it; the slot holds one live booking.
    let owner = principal(&app, "owner", Role::Enterprise, s.owner.as_str());
    let v = app
        .booking_act(&owner, &ok[0].booking.id, BookingAction::Confirm)
        .unwrap();
    assert_eq!(v.booking.status, "confirmed");
    let live = app
        .repo()
        .bookings(&BookingFilter {
            service: Some(s.id.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(live.len(), 1);
    // A half-overlapping slot is refused; the adjacent one is free.
    let other = principal(
        &app,
        "other",
        Role::Enterprise,
        firms[21].credit_code.as_str(),
    );
    let e = app
        .request_booking(
            &other,
            &s.id,
            None,
            &format!("{d} 11:00"),
            &format!("{d} 13:00"),
            "",
        )
        .unwrap_err();
    assert_eq!(e.code, Code::Conflict);
    assert!(app
        .request_booking(
            &other,
            &s.id,
            None,
            &format!("{d} 12:00"),
            &format!("{d} 13:00"),
            ""
        )
        .is_ok());
}

#[test]
fn slots_follow_the_opening_hours_and_the_moves_their_parties() {
    let app = app();
    let s = service(&app);
    let local = Principal::local("t");
    // Weekdays only, nine to five; a closed date.
    let mut s2 = s.clone();
    s2.open_hours = "周一至周五 9:00-17:00".into();
    let monday = {
        let now = local_now().date;
        let wd = i64::from(now.weekday().number_days_from_monday());
        now.checked_add(time::Duration::days(7 - wd)).unwrap()
    };
    s2.closed_dates = vec![date_text(monday.next_day().unwrap())];
    app.update(
        &local,
        EntityKind::SharedService,
        &s.id,
        Record::SharedService(s2),
    )
    .unwrap();
    let firms = small_firms(&app);
    let a = principal(&app, "a", Role::Enterprise, firms[0].credit_code.as_str());
    let b = principal(&app, "b", Role::Enterprise, firms[1].credit_code.as_str());
    let m = date_text(monday);
    let tue = date_text(monday.next_day().unwrap());
    let sat = date_text(monday.checked_add(time::Duration::days(5)).unwrap());
    for (start, end, why) in [
        (format!("{m} 08:00"), format!("{m} 10:00"), "不在开放时间内"),
        (format!("{sat} 10:00"), format!("{sat} 11:00"), "周六不开放"),
        (format!("{tue} 10:00"), format!("{tue} 11:00"), "不开放"),
        (format!("{m} 11:00"), format!("{m} 10:00"), "晚于开始"),
        (
            "2020-01-06 10:00".into(),
            "2020-01-06 11:00".into(),
            "已经过去",
        ),
        ("明天上午".into(), "明天中午".into(), "应写成"),
    ] {
        let e = app
            .request_booking(&a, &s.id, None, &start, &end, "")
            .unwrap_err();
        assert_eq!(e.code, Code::InvalidField, "{start}");
        assert!(e.message.contains(why), "{start}: {}", e.message);
    }
    let v = app
        .request_booking(
            &a,
            &s.id,
            None,
            &format!("{m} 10:00"),
            &format!("{m} 12:00"),
            "样品 3 个",
        )
        .unwrap();
    let id = v.booking.id.clone();
    // Another unit neither sees nor moves it; the requester cannot confirm its own request.
    assert_eq!(app.booking(&b, &id).unwrap_err().code, Code::NotFound);
    assert_eq!(
        app.booking_act(&a, &id, BookingAction::Confirm)
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    // The owner proposes another time, the requester accepts; the old slot is free again.
    let owner = principal(&app, "owner", Role::Enterprise, s.owner.as_str());
    let p = app
        .booking_act(
            &owner,
            &id,
            BookingAction::Propose {
                start: format!("{m} 14:00"),
                end: format!("{m} 16:00"),
                note: "上午设备校准".into(),
            },
        )
        .unwrap();
    assert_eq!(p.booking.status, "proposed");
    assert_eq!(p.booking.start, format!("{m} 14:00"));
    assert!(app
        .request_booking(
            &b,
            &s.id,
            None,
            &format!("{m} 10:00"),
            &format!("{m} 12:00"),
            ""
        )
        .is_ok());
    let c = app.booking_act(&a, &id, BookingAction::Accept).unwrap();
    assert_eq!(c.booking.status, "confirmed");
    // A decline or cancel needs a reason; a no-show cannot be recorded before the start.
    assert_eq!(
        app.booking_act(&a, &id, BookingAction::Cancel { reason: " ".into() })
            .unwrap_err()
            .code,
        Code::InvalidField
    );
    assert_eq!(
        app.booking_act(
            &owner,
            &id,
            BookingAction::NoShow {
                note: String::new()
            }
        )
        .unwrap_err()
        .code,
        Code::InvalidTransition
    );
    // Completion: hours within the booking, a result; the fee follows the local rate.
    assert_eq!(
        app.booking_act(
            &owner,
            &id,
            BookingAction::Complete {
                hours: 3.0,
                result: "报告".into()
            }
        )
        .unwrap_err()
        .code,
        Code::InvalidField
    );
    let done = app
        .booking_act(
            &owner,
            &id,
            BookingAction::Complete {
                hours: 1.5,
                result: "检测报告 T-1".into(),
            },
        )
        .unwrap();
    assert_eq!(done.booking.status, "completed");
    assert_eq!(
        done.booking.fee,
        Some(600.0),
        "1.5 h × 400 元 (a unit in the city)"
    );
    // A finished booking does not move again; the history names every step.
    assert_eq!(
        app.booking_act(&a, &id, BookingAction::Cancel { reason: "x".into() })
            .unwrap_err()
            .code,
        Code::InvalidTransition
    );
    let h = app.booking_history(&a, &id).unwrap();
    let steps: Vec<&str> = h.iter().map(|e| e.to_status.as_str()).collect();
    assert_eq!(steps, ["requested", "proposed", "confirmed", "completed"]);
    // An expert does not book.
    let x = principal(&app, "x", Role::Expert, "PE000001");
    assert_eq!(
        app.request_booking(
            &x,
            &s.id,
            None,
            &format!("{m} 15:00"),
            &format!("{m} 16:00"),
            ""
        )
        .unwrap_err()
        .code,
        Code::Forbidden
    );
}

fn completed(app: &App, s: &SharedService, who: &Principal, offset: i64) -> String {
    let d = day(offset);
    let v = app
        .request_booking(
            who,
            &s.id,
            None,
            &format!("{d} 10:00"),
            &format!("{d} 12:00"),
            "",
        )
        .unwrap();
    let owner = Principal::local("owner");
    app.booking_act(&owner, &v.booking.id, BookingAction::Confirm)
        .unwrap();
    app.booking_act(
        &owner,
        &v.booking.id,
        BookingAction::Complete {
            hours: 2.0,
            result: "报告".into(),
        },
    )
    .unwrap();
    v.booking.id
}

fn programme(app: &App, name: &str, share: f64, cap: f64) -> VoucherProgramme {
    let year: i32 = day(2)[..4].parse().unwrap();
    let p = VoucherProgramme {
        id: String::new(),
        name: name.into(),
        department: "市科技局".into(),
        year,
        share,
        cap_per_enterprise: cap,
        budget: 100.0,
        region: None,
        max_employees: Some(1000),
        max_revenue: None,
        service_types: vec![],
        description: String::new(),
    };
    match app
        .create(&Principal::local("t"), Record::VoucherProgramme(p))
        .unwrap()
    {
        Record::VoucherProgramme(p) => p,
        _ => unreachable!(),
    }
}

#[test]
fn a_booking_is_claimed_once_whatever_the_programme() {
    let app = app();
    let s = service(&app);
    let firms = small_firms(&app);
    let a = principal(&app, "a", Role::Enterprise, firms[0].credit_code.as_str());
    let p1 = programme(&app, "创新券一", 0.5, 500.0);
    let p2 = programme(&app, "创新券二", 0.3, 10_000.0);
    let b1 = completed(&app, &s, &a, 2);
    let c = app.claim_voucher(&a, &b1, &p1.id).unwrap();
    assert_eq!(c.fee, 800.0);
    assert_eq!(c.amount, 400.0, "50 % of 800 元");
    // Again, under the same or another programme: refused with the reason.
    for p in [&p1, &p2] {
        let e = app.claim_voucher(&a, &b1, &p.id).unwrap_err();
        assert_eq!(e.code, Code::Conflict);
        assert!(
            e.message.contains("不能重复申领") && e.message.contains("创新券一"),
            "{}",
            e.message
        );
    }
    // The store refuses it too, whatever path a claim takes.
    let direct = VoucherClaim {
        programme_id: p2.id.clone(),
        status: "submitted".into(),
        ..c.clone()
    };
    assert!(matches!(
        app.repo()
            .claim_insert(&direct, &innomesh_store::Actor::system("t")),
        Err(innomesh_store::StoreError::Conflict(_))
    ));
    // The yearly cap: 500 元 per firm, 400 used, 100 left for the next booking.
    let b2 = completed(&app, &s, &a, 3);
    assert_eq!(app.claim_voucher(&a, &b2, &p1.id).unwrap().amount, 100.0);
    let b3 = completed(&app, &s, &a, 4);
    let e = app.claim_voucher(&a, &b3, &p1.id).unwrap_err();
    assert!(e.message.contains("年度上限"), "{}", e.message);
    // A rejected claim frees the booking for another programme; a rejection needs a reason.
    let city = principal(&app, "city", Role::CityStaff, "");
    assert_eq!(
        app.decide_claim(&city, &c.id, false, "").unwrap_err().code,
        Code::InvalidField
    );
    app.decide_claim(&city, &c.id, false, "发票不符").unwrap();
    let again = app.claim_voucher(&a, &b1, &p2.id).unwrap();
    assert_eq!(again.amount, 240.0);
    let ok = app.decide_claim(&city, &again.id, true, "").unwrap();
    assert_eq!(ok.status, "approved");
    assert_eq!(
        app.decide_claim(&city, &again.id, false, "x")
            .unwrap_err()
            .code,
        Code::InvalidTransition
    );
    // Only the requester claims; an enterprise does not approve.
    let b = principal(&app, "b", Role::Enterprise, firms[1].credit_code.as_str());
    assert_eq!(
        app.claim_voucher(&b, &b3, &p2.id).unwrap_err().code,
        Code::NotFound
    );
    assert_eq!(
        app.decide_claim(&a, &again.id, true, "").unwrap_err().code,
        Code::Forbidden
    );
    // A large firm is not eligible, and is told why.
    let big = orgs(&app)
        .into_iter()
        .find(|o| o.kind == OrgKind::Enterprise && o.employees.is_some_and(|e| e > 1000))
        .expect("a large firm in the sample");
    let g = principal(&app, "g", Role::Enterprise, big.credit_code.as_str());
    let bg = completed(&app, &s, &g, 5);
    let e = app.claim_voucher(&g, &bg, &p2.id).unwrap_err();
    assert!(e.message.contains("超过上限"), "{}", e.message);
}

#[test]
fn an_enterprise_offers_its_own_services_only() {
    let app = app();
    let s = service(&app);
    let firms = small_firms(&app);
    let a = principal(&app, "a", Role::Enterprise, firms[0].credit_code.as_str());
    // It reads every unit's offers…
    assert!(app
        .get(&a, EntityKind::SharedService, &s.id)
        .unwrap()
        .is_some());
    // …changes none of them…
    let mut other = s.clone();
    other.fee_local = Some(1.0);
    let e = app
        .update(
            &a,
            EntityKind::SharedService,
            &s.id,
            Record::SharedService(other.clone()),
        )
        .unwrap_err();
    assert_eq!(e.code, Code::Forbidden);
    // …nor offers one in another unit's name, but offers its own.
    other.id = String::new();
    assert_eq!(
        app.create(&a, Record::SharedService(other.clone()))
            .unwrap_err()
            .code,
        Code::Forbidden
    );
    other.owner = firms[0].credit_code.clone();
    assert!(app.create(&a, Record::SharedService(other)).is_ok());
}

#[test]
fn figures_match_a_hand_count_on_the_sample() {
    let app = app();
    let local = Principal::local("t");
    let (bookings, claims) = seed_sample(&app, &local).unwrap();
    assert!(
        bookings > 100 && claims > 10,
        "{bookings} bookings, {claims} claims"
    );
    assert_eq!(seed_sample(&app, &local).unwrap(), (0, 0), "seeded once");
    let (from, to) = (day(-90), day(7));
    let f = app.sharing_figures(&local, &from, &to).unwrap();
    let services: HashMap<String, SharedService> = app
        .repo()
        .all(EntityKind::SharedService)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::SharedService(s) => Some((s.id.clone(), s)),
            _ => None,
        })
        .collect();
    let all = app.repo().bookings(&BookingFilter::default()).unwrap();
    // By hand: open hours walked day by day, outside hours summed from completed bookings.
    let from_d = innomesh_core::sharing::parse_day(&from).unwrap();
    let to_d = innomesh_core::sharing::parse_day(&to).unwrap();
    let mut checked = 0;
    for sf in &f.services {
        let s = &services[&sf.id];
        let hours = OpenHours::parse(&s.open_hours).unwrap();
        let mut open = 0.0;
        let mut d = from_d;
        while d <= to_d {
            if !s.closed_dates.contains(&date_text(d)) {
                for (a, b) in hours.windows_on(d.weekday().number_days_from_monday()) {
                    open += f64::from(b - a) / 60.0;
                }
            }
            d = d.next_day().unwrap();
        }
        let outside: f64 = all
            .iter()
            .filter(|b| b.service_id == s.id && b.status == "completed" && b.requester != b.owner)
            .filter(|b| {
                b.start.as_str() >= from.as_str()
                    && b.start.as_str() <= format!("{to} 24:00").as_str()
            })
            .map(|b| b.hours_used.unwrap())
            .sum();
        assert!(
            (sf.available_hours - open).abs() < 1e-9,
            "{}: {} vs {open}",
            s.id,
            sf.available_hours
        );
        assert!((sf.outside_hours - outside).abs() < 1e-9, "{}", s.id);
        let rate = if open > 0.0 { outside / open } else { 0.0 };
        assert!((sf.sharing_rate - rate).abs() < 1e-12);
        checked += usize::from(outside > 0.0);
    }
    assert!(checked > 20, "only {checked} services with outside use");
    // Owners: the sum of their services.
    for o in &f.owners {
        let mine: Vec<_> = f.services.iter().filter(|s| s.owner == o.owner).collect();
        let avail: f64 = mine.iter().map(|s| s.available_hours).sum();
        assert!((o.available_hours - avail).abs() < 1e-6);
    }
    // Voucher money: approved claims by programme.
    let claims = app.repo().claims(&Default::default()).unwrap();
    for p in &f.programmes {
        let approved: f64 = claims
            .iter()
            .filter(|c| c.programme_id == p.id && c.status == "approved")
            .map(|c| c.amount)
            .sum();
        assert!((p.approved - approved).abs() < 1e-6, "{}", p.id);
    }
    // Idle capacity next week for one owner, by hand.
    let owner = f.services[0].owner.clone();
    let out = app.owner_outlook(&local, &owner).unwrap();
    let (mon, sun) = (&out.week.0, &out.week.1);
    for it in &out.items {
        let booked: f64 = all
            .iter()
            .filter(|b| b.service_id == it.service.id)
            .filter(|b| innomesh_store::sharing::LIVE_BOOKING.contains(&b.status.as_str()))
            .filter(|b| b.start.as_str() >= mon.as_str() && b.start[..10] <= *sun.as_str())
            .map(|b| {
                let a = innomesh_core::sharing::Moment::parse(&b.start).unwrap();
                let z = innomesh_core::sharing::Moment::parse(&b.end).unwrap();
                f64::from(z.minute - a.minute) / 60.0
            })
            .sum();
        assert!((it.booked_hours - booked).abs() < 1e-9, "{}", it.service.id);
        assert!((it.idle_hours - (it.open_hours - booked).max(0.0)).abs() < 1e-9);
        // The city page's idle figure of the service is the owner's.
        let city = f.next_week.iter().find(|x| x.id == it.service.id).unwrap();
        assert!((city.idle_hours - it.idle_hours).abs() < 1e-9);
    }
    // The enterprise role does not read the city figures.
    let firms = small_firms(&app);
    let a = principal(&app, "a", Role::Enterprise, firms[0].credit_code.as_str());
    assert_eq!(
        app.sharing_figures(&a, &from, &to).unwrap_err().code,
        Code::Forbidden
    );
}
