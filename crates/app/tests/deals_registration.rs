//! A 技术合同登记 export imports into tech-deals: a realistic messy file (a title row, the
//! registration system's own headers, sub-types of 合同类别, amounts in 元 written every way,
//! dates in four forms, parties by name only, full-width registration numbers, a blank row and a
//! 合计 row) is read whole; the figures by type and by the buyer's district grow by exactly what
//! the file holds (hand count); a contract already registered is updated, keeping its broker;
//! a file with bad rows is refused naming each row and the file's column, and writes nothing.

use innomesh_app::transfer::NoProgress;
use innomesh_app::{App, Code, Principal};
use innomesh_core::model::{DealStage, OrgKind, Organisation, TechDeal};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::tabular::Cell;
use innomesh_core::{Date, EntityKind, Labelled, Record};
use innomesh_sheets::{write_xlsx, Format, Sheet};
use std::collections::BTreeMap;
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
    app
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

fn deals(app: &App) -> Vec<TechDeal> {
    app.repo()
        .all(EntityKind::TechDeal)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::TechDeal(d) => Some(d),
            _ => None,
        })
        .collect()
}

const HEADERS: [&str; 14] = [
    "序号",
    "合同登记号",
    "合同名称",
    "合同类别",
    "卖方名称",
    "卖方统一社会信用代码",
    "买方名称",
    "买方统一社会信用代码",
    "合同成交额（元）",
    "技术交易额（元）",
    "签订日期",
    "登记日期",
    "登记机构",
    "备注",
];

/// One contract as the registration system writes it, and what it must become.
struct Row {
    cells: Vec<Cell>,
    contract_type: &'static str,
    buyer_district: String,
    amount_wan: f64,
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// The file: a title row, the headers, `rows`, a blank row and a 合计 row.
fn file(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut headers =
        vec!["2025年度技术合同认定登记明细表（包头市技术市场管理办公室）".to_string()];
    headers.extend(std::iter::repeat_n(String::new(), HEADERS.len() - 1));
    let mut all = vec![HEADERS.iter().map(|h| text(h)).collect::<Vec<_>>()];
    all.extend(rows.iter().cloned());
    all.push(vec![Cell::Empty; HEADERS.len()]);
    let mut total = vec![text("合计")];
    total.extend(vec![Cell::Empty; HEADERS.len() - 1]);
    all.push(total);
    write_xlsx(&[Sheet {
        name: "登记明细",
        headers: &headers,
        rows: &all,
    }])
    .unwrap()
}

fn messy_rows(app: &App) -> Vec<Row> {
    let all = orgs(app);
    let sellers: Vec<&Organisation> = all
        .iter()
        .filter(|o| matches!(o.kind, OrgKind::University | OrgKind::Institute))
        .collect();
    // Buyers with names no other unit shares, so a row may name them without a code.
    let buyers: Vec<&Organisation> = all
        .iter()
        .filter(|o| o.kind == OrgKind::Enterprise)
        .filter(|o| all.iter().filter(|x| x.name == o.name).count() == 1)
        .take(40)
        .collect();
    let kinds: [(&str, &str); 6] = [
        ("技术开发（委托开发）", "技术开发"),
        ("技术转让（专利权转让）", "技术转让"),
        ("专利实施许可", "技术许可"),
        ("技术服务（技术培训）", "技术服务"),
        ("技术咨询", "技术咨询"),
        ("技术开发（合作开发）", "技术开发"),
    ];
    let mut out = Vec::new();
    for i in 0..12 {
        let s = sellers[i % sellers.len()];
        let b = buyers[(i * 7) % buyers.len()];
        let (raw, label) = kinds[i % kinds.len()];
        let yuan = 150_000.0 + 37_500.0 * i as f64;
        // Amounts every way a clerk's sheet has them.
        let amount = match i % 4 {
            0 => Cell::Number(yuan),
            1 => text(&format!(
                "{},{:03}",
                (yuan as i64) / 1000,
                (yuan as i64) % 1000
            )),
            2 => text(&format!("{}万元", yuan / 10000.0)),
            _ => text(&format!("{yuan}元")),
        };
        let signed = Date::new(2025, 1 + (i % 9) as u8, 3 + i as u8).unwrap();
        let registered = Date::new(2025, 2 + (i % 9) as u8, 10).unwrap();
        let signed_cell = match i % 4 {
            0 => text(&format!(
                "{}年{}月{}日",
                signed.year, signed.month, signed.day
            )),
            1 => text(&format!("{}/{}/{}", signed.year, signed.month, signed.day)),
            2 => Cell::Number((signed.to_days() + 25569) as f64),
            _ => Cell::Date(signed),
        };
        // Full-width digits in some registration numbers; the seller by name only in some rows.
        let no = format!("2025150200{:06}", 900 + i);
        let no_cell = if i % 3 == 0 {
            text(
                &no.chars()
                    .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
                    .collect::<String>(),
            )
        } else {
            text(&no)
        };
        let (seller_code, buyer_code) = (
            if i % 2 == 0 {
                text(s.credit_code.as_str())
            } else {
                Cell::Empty
            },
            if i % 5 == 0 {
                Cell::Empty
            } else {
                text(&format!(" {} ", b.credit_code.as_str().to_lowercase()))
            },
        );
        out.push(Row {
            cells: vec![
                Cell::Number((i + 1) as f64),
                no_cell,
                text(&format!("稀土功能材料第 {} 号技术合同", i + 1)),
                text(raw),
                text(&s.name),
                seller_code,
                text(&b.name),
                buyer_code,
                amount,
                Cell::Number(yuan * 0.8),
                signed_cell,
                Cell::Date(registered),
                text("包头市技术市场管理办公室"),
                Cell::Empty,
            ],
            contract_type: label,
            buyer_district: b.region.as_str()[..6].to_string(),
            amount_wan: yuan / 10000.0,
        });
    }
    out
}

#[test]
fn a_messy_registration_export_imports_and_the_figures_grow_by_the_hand_count() {
    let app = app();
    let local = Principal::local("t");
    let before = app.deal_figures(&local, Some(2025)).unwrap();
    let n_before = deals(&app).len();
    let rows = messy_rows(&app);
    let bytes = file(&rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>());
    let out = app
        .import_file(
            &local,
            EntityKind::TechDeal,
            &bytes,
            Format::Xlsx,
            "登记.xlsx",
            &NoProgress,
        )
        .unwrap();
    assert_eq!((out.rows, out.created, out.updated), (12, 12, 0));
    assert!(
        out.ignored_columns.contains(&"登记机构".to_string()),
        "{:?}",
        out.ignored_columns
    );
    assert!(out
        .corrections
        .iter()
        .any(|c| c.reason.contains("元换算为万元")));
    assert!(out.corrections.iter().any(|c| c.reason.contains("合计行")));
    assert!(out
        .corrections
        .iter()
        .any(|c| c.before == "专利实施许可" && c.after == "技术许可"));
    assert_eq!(deals(&app).len(), n_before + 12);
    // Every imported contract is registered, dated and priced in 万元.
    for d in deals(&app)
        .iter()
        .filter(|d| d.title.starts_with("稀土功能材料"))
    {
        assert_eq!(d.stage, DealStage::Registered);
        assert!(
            d.registration_no.starts_with("2025150200"),
            "{}",
            d.registration_no
        );
        assert!(
            d.amount.unwrap() >= 15.0 && d.amount.unwrap() < 60.0,
            "{:?}",
            d.amount
        );
        assert_eq!(Some(d.intent_date), d.signed_date);
    }
    // Hand count: the 2025 figures by type and by the buyer's district grow by the file's rows.
    let after = app.deal_figures(&local, Some(2025)).unwrap();
    assert_eq!(after.signed, before.signed + 12);
    let mut by_type: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    let mut by_district: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for r in &rows {
        let t = by_type.entry(r.contract_type).or_default();
        t.0 += 1;
        t.1 += r.amount_wan;
        let d = by_district.entry(r.buyer_district.clone()).or_default();
        d.0 += 1;
        d.1 += r.amount_wan;
    }
    let find = |groups: &[innomesh_app::deals::DealGroup], key: &str, by_label: bool| {
        groups
            .iter()
            .find(|g| {
                if by_label {
                    g.label == key
                } else {
                    g.key == key
                }
            })
            .map(|g| (g.deals, g.value))
            .unwrap_or((0, 0.0))
    };
    for (label, (n, v)) in &by_type {
        let (b, bv) = find(&before.by_type, label, true);
        let (a, av) = find(&after.by_type, label, true);
        assert_eq!(a - b, *n, "{label}");
        assert!((av - bv - v).abs() < 1e-6, "{label}: {} vs {v}", av - bv);
    }
    for (district, (n, v)) in &by_district {
        let (b, bv) = find(&before.by_buyer_district, district, false);
        let (a, av) = find(&after.by_buyer_district, district, false);
        assert_eq!(a - b, *n, "{district}");
        assert!((av - bv - v).abs() < 1e-6);
    }
    // The same file again updates, never duplicates.
    let again = app
        .import_file(
            &local,
            EntityKind::TechDeal,
            &bytes,
            Format::Xlsx,
            "登记.xlsx",
            &NoProgress,
        )
        .unwrap();
    assert_eq!((again.created, again.updated), (0, 12));
    assert_eq!(deals(&app).len(), n_before + 12);
}

#[test]
fn a_registered_contract_is_updated_and_keeps_its_broker() {
    let app = app();
    let local = Principal::local("t");
    let stored = deals(&app)
        .into_iter()
        .find(|d| d.stage == DealStage::Registered && d.intermediary.is_some())
        .expect("a registered, brokered sample deal");
    let all = orgs(&app);
    let name = |c: &str| {
        all.iter()
            .find(|o| o.credit_code.as_str() == c)
            .unwrap()
            .name
            .clone()
    };
    let row = vec![
        Cell::Number(1.0),
        text(&stored.registration_no),
        text(&stored.title),
        text(stored.contract_type.label()),
        text(&name(stored.seller.as_str())),
        text(stored.seller.as_str()),
        text(&name(stored.buyer.as_str())),
        text(stored.buyer.as_str()),
        Cell::Number(1_234_000.0),
        Cell::Empty,
        Cell::Date(stored.signed_date.unwrap()),
        Cell::Date(stored.registered_date.unwrap()),
        Cell::Empty,
        text("登记系统更正金额"),
    ];
    let out = app
        .import_file(
            &local,
            EntityKind::TechDeal,
            &file(&[row]),
            Format::Xlsx,
            "x.xlsx",
            &NoProgress,
        )
        .unwrap();
    assert_eq!((out.created, out.updated), (0, 1));
    let now = deals(&app).into_iter().find(|d| d.id == stored.id).unwrap();
    assert_eq!(now.amount, Some(123.4));
    assert_eq!(now.intermediary, stored.intermediary);
    assert_eq!(now.manager, stored.manager);
    assert_eq!(now.intent_date, stored.intent_date);
    assert_eq!(now.stage, DealStage::Registered);
}

#[test]
fn bad_rows_are_refused_naming_row_and_column_and_nothing_is_written() {
    let app = app();
    let local = Principal::local("t");
    let mut rows: Vec<Vec<Cell>> = messy_rows(&app).into_iter().map(|r| r.cells).collect();
    // File rows: 1 title, 2 headers, data from 3.
    rows[1][4] = text("不存在的某某研究院");
    rows[1][5] = Cell::Empty;
    rows[2][3] = text("技术入股");
    rows[3][10] = text("2025-13-01");
    rows[4][1] = rows[5][1].clone();
    rows[6][8] = text("-5000");
    rows[7][7] = text("91150203MA0N00000X");
    rows[8][11] = Cell::Date(Date::new(2024, 1, 1).unwrap());
    let version = app.registry_version();
    let n = deals(&app).len();
    let e = app
        .import_file(
            &local,
            EntityKind::TechDeal,
            &file(&rows),
            Format::Xlsx,
            "bad.xlsx",
            &NoProgress,
        )
        .unwrap_err();
    assert_eq!(e.code, Code::ImportRejected);
    let errs: Vec<(usize, String, String)> = e
        .errors
        .iter()
        .map(|r| (r.row, r.column.clone(), r.reason.clone()))
        .collect();
    let has = |row: usize, col: &str, why: &str| {
        assert!(
            errs.iter()
                .any(|(r, c, w)| *r == row && c == col && w.contains(why)),
            "row {row} {col} {why}: {errs:?}"
        )
    };
    has(4, "卖方名称", "登记库中没有名为");
    has(5, "合同类别", "不是技术合同类别");
    has(6, "签订日期", "无效");
    has(8, "合同登记号", "重复");
    has(9, "合同成交额（元）", "负数");
    has(10, "买方统一社会信用代码", "统一社会信用代码无效");
    has(11, "登记日期", "早于签订日期");
    assert_eq!(app.registry_version(), version);
    assert_eq!(deals(&app).len(), n);
}

#[test]
fn the_registry_template_still_imports_as_before() {
    // The registry's own tech-deal export is not taken for a registration export.
    let app = app();
    let local = Principal::local("t");
    let headers = innomesh_core::tabular::headers(EntityKind::TechDeal, false);
    let rows: Vec<Vec<Cell>> = app
        .repo()
        .all(EntityKind::TechDeal)
        .unwrap()
        .iter()
        .map(|r| innomesh_core::tabular::record_to_cells(r, true))
        .collect();
    let bytes = write_xlsx(&[Sheet {
        name: "技术交易",
        headers: &headers,
        rows: &rows,
    }])
    .unwrap();
    let out = app
        .import_file(
            &local,
            EntityKind::TechDeal,
            &bytes,
            Format::Xlsx,
            "own.xlsx",
            &NoProgress,
        )
        .unwrap();
    assert_eq!(out.created, 0);
    assert_eq!(out.updated, deals(&app).len());
}
