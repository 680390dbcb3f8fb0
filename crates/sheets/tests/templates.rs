//! Every kind's import template: drop-down lists on every enumerated column (read back from the
//! sheet XML), and example values on the 填写说明 sheet that pass every check of an import.

use calamine::{Reader, Xlsx};
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::tabular::{closed_list, headers, parse_row_noting, Cell, HeaderMap};
use innomesh_core::EntityKind;
use innomesh_sheets::pipeline::{template_bytes, LISTS_SHEET, TEMPLATE_ROWS};
use innomesh_sheets::Format;
use std::io::Read;

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = zip.by_name(name).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

fn column_letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_enumerated_column_has_a_drop_down_list() {
    let mut checked = 0;
    for kind in EntityKind::ALL {
        let bytes = template_bytes(kind, Format::Xlsx).unwrap();
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        let enumerated: Vec<(usize, usize)> = fields(kind)
            .iter()
            .enumerate()
            .filter_map(|(i, f)| closed_list(f).map(|(l, _)| (i, l.len())))
            .collect();
        assert_eq!(
            sheet.matches("<dataValidation ").count(),
            enumerated.len(),
            "{kind:?}: {sheet}"
        );
        for (n, (col, len)) in enumerated.iter().enumerate() {
            let c = column_letters(*col);
            let range = format!("sqref=\"{c}2:{c}{}\"", TEMPLATE_ROWS + 1);
            let at = sheet
                .find(&range)
                .unwrap_or_else(|| panic!("{kind:?} {range}"));
            let l = column_letters(n);
            let formula = format!("'{LISTS_SHEET}'!${l}$2:${l}${}", len + 1);
            let rest = &sheet[at..];
            let end = rest.find("</dataValidation>").unwrap();
            assert!(rest[..end].contains(&formula), "{kind:?}: {}", &rest[..end]);
            checked += 1;
        }
        // The lists' sheet is hidden and holds what the formulas point at.
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(
            workbook.contains(&format!(
                "name=\"{LISTS_SHEET}\" sheetId=\"3\" state=\"hidden\""
            )),
            "{workbook}"
        );
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let lists = book.worksheet_range(LISTS_SHEET).unwrap();
        for (n, (col, len)) in enumerated.iter().enumerate() {
            let (values, _) = closed_list(&fields(kind)[*col]).unwrap();
            let got: Vec<String> = (1..=*len)
                .map(|r| lists.get((r, n)).map(|c| c.to_string()).unwrap_or_default())
                .collect();
            assert_eq!(got, values, "{kind:?}");
        }
    }
    // Demands alone have kind, budget band, status, region and industry.
    assert!(checked >= 5 * EntityKind::ALL.len() / 3, "{checked}");
}

#[test]
fn the_region_and_industry_lists_read_back_as_codes() {
    let region = fields(EntityKind::Organisation)
        .iter()
        .find(|f| matches!(f.ty, FieldType::Region))
        .unwrap();
    let (list, strict) = closed_list(region).unwrap();
    assert!(!strict);
    assert!(list.contains(&"150207 九原区".to_string()), "{list:?}");
    let heads = headers(EntityKind::Organisation, true);
    let map = HeaderMap::new(EntityKind::Organisation, &heads).unwrap();
    let example = innomesh_core::tabular::template_example(EntityKind::Organisation);
    // Every entry of the region list is a value the import takes, without a correction.
    for v in &list {
        let cells: Vec<Cell> = fields(EntityKind::Organisation)
            .iter()
            .zip(&example)
            .map(|(f, e)| {
                if matches!(f.ty, FieldType::Region) {
                    Cell::Text(v.clone())
                } else if e.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(e.clone())
                }
            })
            .collect();
        let (_, notes) = parse_row_noting(&map, 2, &cells).unwrap_or_else(|e| panic!("{v}: {e:?}"));
        assert!(notes.is_empty(), "{v}: {notes:?}");
    }
}

#[test]
fn every_template_example_as_written_in_the_file_passes_validation() {
    for kind in EntityKind::ALL {
        let bytes = template_bytes(kind, Format::Xlsx).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let help = book.worksheet_range("填写说明").unwrap();
        let specs = fields(kind);
        let cells: Vec<Cell> = (1..=specs.len())
            .map(|r| {
                assert_eq!(
                    help.get((r, 0)).map(|c| c.to_string()).unwrap_or_default(),
                    specs[r - 1].header
                );
                match help.get((r, 3)).map(|c| c.to_string()).unwrap_or_default() {
                    v if v.is_empty() => Cell::Empty,
                    v => Cell::Text(v),
                }
            })
            .collect();
        let map = HeaderMap::new(kind, &headers(kind, true)).unwrap();
        let parsed = parse_row_noting(&map, 2, &cells);
        assert!(parsed.is_ok(), "{kind:?}: {:?}", parsed.err());
        // The help texts' own examples are valid codes too (91150203MA0N000000 was not).
        for (r, f) in specs.iter().enumerate() {
            let text = help
                .get((r + 1, 2))
                .map(|c| c.to_string())
                .unwrap_or_default();
            for word in text
                .split_whitespace()
                .filter(|w| w.len() == 18 && w.starts_with('9'))
            {
                assert!(
                    innomesh_core::CreditCode::parse(word).is_ok(),
                    "{kind:?} {}: {word}",
                    f.header
                );
            }
        }
    }
}
