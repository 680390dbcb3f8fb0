//! A deterministic corpus of broken import files — what an attacker or a careless clerk uploads:
//! truncated and bit-flipped files, random bytes, wrong zips, zip bombs, XXE and billion laughs,
//! huge dimensions and stray far-away cells (the two files that once crashed the server among
//! them), bad references, wrong encodings, huge cells, too many columns, merged headers, formulas
//! without cached values, control characters, duplicate headers, duplicate keys, and a broken
//! row of every kind. Every file must be refused; `expect` lists what the refusal must name when
//! the file is imported as `kind` (every kind when `reader_level`: the reader refuses it before
//! any header is looked at).
#![allow(dead_code)]

use innomesh_core::schema::{fields, FieldType};
use innomesh_core::tabular::{headers, Cell};
use innomesh_core::{CreditCode, EntityKind};
use innomesh_sheets::{write_csv, write_xlsx, Format, Sheet};
use std::io::{Cursor, Read, Write};

pub struct Broken {
    pub name: String,
    pub kind: EntityKind,
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Substrings the refusal must contain when imported as `kind`.
    pub expect: Vec<String>,
    /// Refused by the reader whatever the kind: `expect` holds for every import endpoint.
    pub reader_level: bool,
}

/// A seeded xorshift: the corpus is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const ORG: EntityKind = EntityKind::Organisation;

pub fn code(i: usize) -> String {
    CreditCode::with_check_digit(&format!("91150203MA0MAL{i:03}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A code whose check digit is wrong (the last character of a valid one, changed).
pub fn bad_code(i: usize) -> String {
    let good = code(i);
    let last = good.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    format!("{}{other}", &good[..17])
}

fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn org_headers() -> Vec<String> {
    headers(ORG, true)
}

/// A valid organisation row, in the template's column order.
pub fn org_row(i: usize) -> Vec<Cell> {
    let mut row = vec![Cell::Empty; fields(ORG).len()];
    for (c, f) in fields(ORG).iter().enumerate() {
        row[c] = match f.key {
            "credit_code" => t(&code(i)),
            "name" => t(&format!("测试坏文件企业{i}有限公司")),
            "kind" => t("企业"),
            "region" => Cell::Number(150203.0),
            "industry" => t("C3985"),
            _ => Cell::Empty,
        };
    }
    row
}

fn col_of(kind: EntityKind, key: &str) -> usize {
    fields(kind).iter().position(|f| f.key == key).unwrap()
}

fn header_of(kind: EntityKind, key: &str) -> String {
    fields(kind)[col_of(kind, key)].header.to_string()
}

/// Rows of the base file: row 2 (the first data row) has a wrong check digit, rows 3–5 are
/// valid. Whatever a mutation keeps of it, a readable remainder is still refused.
fn base_rows() -> Vec<Vec<Cell>> {
    let mut bad = org_row(900);
    bad[col_of(ORG, "credit_code")] = t(&bad_code(900));
    vec![bad, org_row(1), org_row(2), org_row(3)]
}

fn xlsx(heads: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    write_xlsx(&[Sheet {
        name: "组织",
        headers: heads,
        rows,
    }])
    .unwrap()
}

fn csv(heads: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    write_csv(heads, rows).unwrap()
}

/// Rewrites the parts of a zip: `edit(name, data)` returns the new content (None: drop the
/// part); `extra` parts are appended. Stored or deflated as `method`.
fn repack(
    base: &[u8],
    mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, Vec<u8>)],
    method: zip::CompressionMethod,
) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if let Some(data) = edit(&name, data) {
            out.start_file(name, opts).unwrap();
            out.write_all(&data).unwrap();
        }
    }
    for (name, data) in extra {
        out.start_file(*name, opts).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const DEFLATE: zip::CompressionMethod = zip::CompressionMethod::Deflated;
const STORED: zip::CompressionMethod = zip::CompressionMethod::Stored;

/// A real workbook with its first sheet's XML replaced.
fn with_sheet(xml: &str) -> Vec<u8> {
    let base = xlsx(&org_headers(), &[org_row(1)]);
    repack(
        &base,
        |n, d| {
            Some(if n == "xl/worksheets/sheet1.xml" {
                xml.as_bytes().to_vec()
            } else {
                d
            })
        },
        &[],
        DEFLATE,
    )
}

/// A real workbook with one part replaced (or added).
fn with_part(part: &str, content: &[u8]) -> Vec<u8> {
    let base = xlsx(&org_headers(), &base_rows());
    let mut found = false;
    let mut out = repack(
        &base,
        |n, d| {
            Some(if n == part {
                found = true;
                content.to_vec()
            } else {
                d
            })
        },
        &[],
        DEFLATE,
    );
    if !found {
        out = repack(&base, |_, d| Some(d), &[(part, content.to_vec())], DEFLATE);
    }
    out
}

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

fn sheet_xml(dimension: Option<&str>, rows: &str) -> String {
    let dim = dimension
        .map(|d| format!(r#"<dimension ref="{d}"/>"#))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}">{dim}<sheetData>{rows}</sheetData></worksheet>"#
    )
}

fn is(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn num(r: &str, n: &str) -> String {
    format!(r#"<c r="{r}"><v>{n}</v></c>"#)
}

fn col_name(c: usize) -> String {
    let mut s = String::new();
    let mut c = c + 1;
    while c > 0 {
        s.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    s
}

/// The header row and one organisation row (its check digit wrong, so a file the reader gets
/// through is still refused) as inline-string XML, with `extra` appended
/// to row 2 and `more` rows after it.
fn org_sheet(dimension: Option<&str>, extra: &str, more: &str) -> String {
    let heads = org_headers();
    let head: String = heads
        .iter()
        .enumerate()
        .map(|(c, h)| is(&format!("{}1", col_name(c)), h))
        .collect();
    let mut cells = org_row(1);
    cells[col_of(ORG, "credit_code")] = t(&bad_code(900));
    let row: String = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c, Cell::Empty))
        .map(|(c, cell)| is(&format!("{}2", col_name(c)), &cell.display()))
        .collect();
    sheet_xml(
        dimension,
        &format!(r#"<row r="1">{head}</row><row r="2">{row}{extra}</row>{more}"#),
    )
}

fn broken(name: &str, format: Format, bytes: Vec<u8>) -> Broken {
    Broken {
        name: name.to_string(),
        kind: ORG,
        format,
        bytes,
        expect: Vec::new(),
        reader_level: false,
    }
}

impl Broken {
    fn expect(mut self, what: &[&str]) -> Self {
        self.expect = what.iter().map(|s| s.to_string()).collect();
        self
    }
    fn reader(mut self) -> Self {
        self.reader_level = true;
        self
    }
    fn kind(mut self, kind: EntityKind) -> Self {
        self.kind = kind;
        self
    }
}

/// A zip of the given entries, each stored or deflated.
fn raw_zip(entries: &[(&str, &[u8], zip::CompressionMethod)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, method) in entries {
        let opts = zip::write::SimpleFileOptions::default().compression_method(*method);
        out.start_file(*name, opts).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Offsets of every local header (`PK\3\4`) and central directory header (`PK\1\2`).
fn headers_at(bytes: &[u8], sig: &[u8; 4]) -> Vec<usize> {
    bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == sig)
        .map(|(i, _)| i)
        .collect()
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The whole corpus (≥ 150 files), in a fixed order.
pub fn corpus() -> Vec<Broken> {
    let mut out = Vec::new();
    let mut rng = Rng(0x1A2B_3C4D_5E6F_7788);
    let heads = org_headers();
    let base_x = xlsx(&heads, &base_rows());
    let base_c = csv(&heads, &base_rows());
    let code_col = header_of(ORG, "credit_code");

    // The base files themselves: refused, naming the bad row and column.
    out.push(broken("base.xlsx", Format::Xlsx, base_x.clone()).expect(&["第 2 行", &code_col]));
    out.push(broken("base.csv", Format::Csv, base_c.clone()).expect(&["第 2 行", &code_col]));

    // Every line padded with 600 empty cells (found by fuzzing, csv: the row came out wider than
    // the widest sheet accepted): read as the base file, so refused for the same row.
    let padded: Vec<u8> = String::from_utf8(base_c.clone())
        .unwrap()
        .lines()
        .flat_map(|l| format!("{l}{}\n", ",".repeat(600)).into_bytes())
        .collect();
    out.push(
        broken("padded-600-empty-columns.csv", Format::Csv, padded).expect(&["第 2 行", &code_col]),
    );

    // Truncated.
    for k in 1..=12 {
        let n = base_x.len() * k / 13;
        out.push(
            broken(
                &format!("truncated-{k:02}.xlsx"),
                Format::Xlsx,
                base_x[..n].to_vec(),
            )
            .reader(),
        );
    }
    for k in 1..=6 {
        let n = base_c.len() * k / 7;
        out.push(broken(
            &format!("truncated-{k:02}.csv"),
            Format::Csv,
            base_c[..n].to_vec(),
        ));
    }
    // Bit-flipped.
    for k in 0..24 {
        let mut b = base_x.clone();
        for _ in 0..1 + k % 8 {
            let at = rng.below(b.len());
            b[at] ^= 1 << rng.below(8);
        }
        out.push(broken(&format!("bitflip-{k:02}.xlsx"), Format::Xlsx, b));
    }
    for k in 0..8 {
        let mut b = base_c.clone();
        for _ in 0..1 + k % 4 {
            let at = rng.below(b.len());
            b[at] ^= 1 << rng.below(8);
        }
        out.push(broken(&format!("bitflip-{k:02}.csv"), Format::Csv, b));
    }
    // Random bytes, some with the magic of what they pretend to be.
    for (k, (len, prefix)) in [
        (1, &b""[..]),
        (100, b""),
        (4096, b""),
        (65536, b""),
        (100, b"PK\x03\x04"),
        (4096, b"PK\x03\x04"),
        (65536, b"PK\x03\x04"),
        (1000, b"PK\x05\x06"),
        (1000, b"\xEF\xBB\xBF"),
        (1000, b"<?xml version=\"1.0\"?>"),
        (2000, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
        (3000, b"\xFF\xFE"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = prefix.to_vec();
        b.extend(rng.bytes(len));
        let format = if prefix.starts_with(b"PK") || prefix.starts_with(b"\xD0") {
            Format::Xlsx
        } else {
            Format::Csv
        };
        out.push(broken(
            &format!("random-{k:02}.{}", format.extension()),
            format,
            b,
        ));
    }

    // Wrong zips.
    out.push(broken("zip-empty.xlsx", Format::Xlsx, raw_zip(&[])).reader());
    out.push(
        broken(
            "zip-no-workbook.xlsx",
            Format::Xlsx,
            raw_zip(&[("[Content_Types].xml", b"<Types/>", DEFLATE)]),
        )
        .reader(),
    );
    out.push(
        broken(
            "zip-docx.xlsx",
            Format::Xlsx,
            raw_zip(&[
                ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#, DEFLATE),
                ("word/document.xml", "<w:document>包头</w:document>".as_bytes(), DEFLATE),
            ]),
        )
        .reader(),
    );
    out.push(
        broken(
            "zip-ods.xlsx",
            Format::Xlsx,
            raw_zip(&[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                    STORED,
                ),
                ("content.xml", b"<office:document-content/>", DEFLATE),
            ]),
        )
        .reader(),
    );
    out.push(
        broken(
            "zip-sheet-missing.xlsx",
            Format::Xlsx,
            repack(
                &base_x,
                |n, d| (n != "xl/worksheets/sheet1.xml").then_some(d),
                &[],
                DEFLATE,
            ),
        )
        .reader(),
    );
    out.push(
        broken(
            "zip-workbook-garbage.xlsx",
            Format::Xlsx,
            with_part("xl/workbook.xml", &rng.bytes(500)),
        )
        .reader(),
    );
    out.push(broken(
        "zip-sheet-garbage.xlsx",
        Format::Xlsx,
        with_part("xl/worksheets/sheet1.xml", &rng.bytes(2000)),
    ));
    out.push(
        broken(
            "zip-nested.xlsx",
            Format::Xlsx,
            raw_zip(&[("inner.xlsx", &base_x, DEFLATE)]),
        )
        .reader(),
    );
    out.push(
        broken(
            "zip-path-traversal.xlsx",
            Format::Xlsx,
            repack(
                &base_x,
                |_, d| Some(d),
                &[("../../../../tmp/innomesh-evil.xml", b"<x/>".to_vec())],
                DEFLATE,
            ),
        )
        .expect(&["第 2 行"]),
    );
    {
        // Compression method 99 (AES) and the encryption flag on every entry.
        let mut b = repack(&base_x, |_, d| Some(d), &[], STORED);
        for at in headers_at(&b, b"PK\x03\x04") {
            put_u16(&mut b, at + 6, 1);
            put_u16(&mut b, at + 8, 99);
        }
        for at in headers_at(&b, b"PK\x01\x02") {
            put_u16(&mut b, at + 8, 1);
            put_u16(&mut b, at + 10, 99);
        }
        out.push(broken("zip-encrypted.xlsx", Format::Xlsx, b).reader());
    }
    {
        // Compression method 12 (bzip2), which the reader does not support.
        let mut b = repack(&base_x, |_, d| Some(d), &[], STORED);
        for at in headers_at(&b, b"PK\x03\x04") {
            put_u16(&mut b, at + 8, 12);
        }
        for at in headers_at(&b, b"PK\x01\x02") {
            put_u16(&mut b, at + 10, 12);
        }
        out.push(broken("zip-bzip2.xlsx", Format::Xlsx, b).reader());
    }

    // Zip bombs.
    {
        let mut sheet = org_sheet(None, "", "").into_bytes();
        sheet.truncate(sheet.len() - "</sheetData></worksheet>".len());
        let pad = vec![b' '; 64 * 1024 * 1024];
        let mut big = sheet.clone();
        big.extend_from_slice(&pad);
        big.extend_from_slice(b"</sheetData></worksheet>");
        let bomb = with_part("xl/worksheets/sheet1.xml", &big);
        out.push(
            broken("bomb-ratio.xlsx", Format::Xlsx, bomb.clone())
                .expect(&["压缩炸弹"])
                .reader(),
        );
        // The same part, its declared sizes lying (64 MB declared as 1 KB).
        let mut lying = bomb;
        let name = b"xl/worksheets/sheet1.xml";
        for at in headers_at(&lying, b"PK\x03\x04") {
            if lying[at + 30..].starts_with(name) {
                put_u32(&mut lying, at + 22, 1024);
            }
        }
        for at in headers_at(&lying, b"PK\x01\x02") {
            if lying[at + 46..].starts_with(name) {
                put_u32(&mut lying, at + 24, 1024);
            }
        }
        out.push(broken("bomb-lying-sheet.xlsx", Format::Xlsx, lying).reader());
        // Declared sizes adding up past the unpacked limit.
        let mut huge = base_x.clone();
        for at in headers_at(&huge, b"PK\x01\x02") {
            put_u32(&mut huge, at + 24, 0xF000_0000);
        }
        out.push(broken("bomb-declared.xlsx", Format::Xlsx, huge).reader());
        // Shared strings: 50,000 copies of one long string.
        let mut sst =
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">"#).into_bytes();
        let item = format!("<si><t>{}</t></si>", "炸".repeat(20));
        for _ in 0..50_000 {
            sst.extend_from_slice(item.as_bytes());
        }
        sst.extend_from_slice(b"</sst>");
        out.push(broken(
            "bomb-shared-strings.xlsx",
            Format::Xlsx,
            with_part("xl/sharedStrings.xml", &sst),
        ));
        // Five thousand tiny parts.
        let names: Vec<String> = (0..5_000).map(|i| format!("xl/media/p{i}.bin")).collect();
        let extra: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), vec![0u8])).collect();
        out.push(
            broken(
                "bomb-many-parts.xlsx",
                Format::Xlsx,
                repack(&base_x, |_, d| Some(d), &extra, STORED),
            )
            .expect(&["第 2 行"]),
        );
    }

    // XXE and billion laughs.
    let laughs = r#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>"#;
    let xxe = r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#;
    let with_doctype = |doctype: &str, cell: &str| {
        org_sheet(None, &is("Z2", cell), "").replacen(
            "<worksheet",
            &format!("{doctype}<worksheet"),
            1,
        )
    };
    out.push(broken(
        "xml-billion-laughs-sheet.xlsx",
        Format::Xlsx,
        with_sheet(&with_doctype(laughs, "&lol9;")),
    ));
    out.push(broken(
        "xml-xxe-sheet.xlsx",
        Format::Xlsx,
        with_sheet(&with_doctype(xxe, "&xxe;")),
    ));
    out.push(broken(
        "xml-xxe-parameter.xlsx",
        Format::Xlsx,
        with_sheet(&with_doctype(
            r#"<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>"#,
            "x",
        )),
    ));
    out.push(broken(
        "xml-billion-laughs-shared.xlsx",
        Format::Xlsx,
        with_part(
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0"?>{laughs}<sst xmlns="{NS}"><si><t>&lol9;</t></si></sst>"#
            )
            .as_bytes(),
        ),
    ));
    out.push(broken(
        "xml-xxe-workbook.xlsx",
        Format::Xlsx,
        with_part(
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0"?>{xxe}<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>"#).as_bytes(),
        ),
    ));
    out.push(broken(
        "xml-deep-nesting.xlsx",
        Format::Xlsx,
        with_sheet(&org_sheet(
            None,
            &format!(
                "<c r=\"Z2\">{}{}</c>",
                "<x>".repeat(100_000),
                "</x>".repeat(100_000)
            ),
            "",
        )),
    ));

    // Huge dimensions, stray far-away cells and bad references: the first two crashed the
    // server once (a 7.4 KB file asking for 549,755,813,888 bytes; a capacity overflow).
    {
        let mut rows = base_rows();
        rows.truncate(2);
        let b = write_xlsx(&[Sheet {
            name: "组织",
            headers: &heads,
            rows: &rows,
        }])
        .unwrap();
        // A stray cell at XFD1048576, as Excel writes it (with the dimension it implies).
        let b = repack(
            &b,
            |n, d| {
                if n != "xl/worksheets/sheet1.xml" {
                    return Some(d);
                }
                let s = String::from_utf8(d).unwrap();
                let s = s.replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#);
                let s = regex_dimension(&s, "A1:XFD1048576");
                Some(s.into_bytes())
            },
            &[],
            DEFLATE,
        );
        out.push(
            broken("far-XFD1048576.xlsx", Format::Xlsx, b)
                .expect(&["XFD1048576"])
                .reader(),
        );
    }
    out.push(
        broken(
            "far-ZZZZZZ99999999999.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(
                None,
                "",
                &format!("<row r=\"3\">{}</row>", is("ZZZZZZ99999999999", "x")),
            )),
        )
        .expect(&["ZZZZZZ99999999999"])
        .reader(),
    );
    out.push(
        broken(
            "far-ALL65536.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(
                Some("A1:ALL65536"),
                "",
                &format!("<row r=\"65536\">{}</row>", is("ALL65536", "x")),
            )),
        )
        .expect(&["ALL65536"]),
    );
    for r in [
        "A1048577",
        "XFE1",
        "A99999999999",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1",
    ] {
        out.push(
            broken(
                &format!("far-{}.xlsx", &r[..r.len().min(12)]),
                Format::Xlsx,
                with_sheet(&org_sheet(
                    None,
                    "",
                    &format!("<row r=\"3\">{}</row>", is(r, "x")),
                )),
            )
            .reader(),
        );
    }
    // Ranges whose end is before their start: calamine subtracts the corners unchecked (found
    // by fuzzing, xlsx_sheet). The first hides behind a processing instruction with an odd
    // quote, which once made the pre-scan's own tag reading miss the tag that calamine reads.
    out.push(
        broken(
            "dimension-reversed-after-pi.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(Some("A2:H1"), "", "").replacen(
                "<worksheet",
                r#"<?mso-note said "hi?><worksheet"#,
                1,
            )),
        )
        .expect(&["A2:H1"])
        .reader(),
    );
    out.push(
        broken(
            "formula-range-reversed.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(
                None,
                r#"<c r="Z2"><f t="shared" ref="Z2:Y1" si="0">1+1</f><v>2</v></c>"#,
                "",
            )),
        )
        .expect(&["Z2:Y1"])
        .reader(),
    );
    // A shared-strings table declaring more strings than any file holds: calamine reserves room
    // for them before reading one (found by fuzzing, xlsx_sheet; a count of 10^11 is an
    // allocation failure that aborts the process, a larger one a capacity-overflow panic).
    out.push(
        broken(
            "shared-strings-count-huge.xlsx",
            Format::Xlsx,
            with_part(
                "xl/sharedStrings.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{NS}" count="1" uniqueCount="777777777777777777"><si><t>名称</t></si></sst>"#
                )
                .as_bytes(),
            ),
        )
        .expect(&["777777777777777777"])
        .reader(),
    );
    out.push(
        broken(
            "dimension-huge.xlsx",
            Format::Xlsx,
            with_part(
                "xl/worksheets/sheet1.xml",
                regex_dimension(&sheet_of(&base_x), "A1:XFD1048576").as_bytes(),
            ),
        )
        .expect(&["第 2 行", &code_col]),
    );
    for (k, r) in ["A0", "1A", "", "A-1", "é1"].iter().enumerate() {
        out.push(broken(
            &format!("ref-bad-{k}.xlsx"),
            Format::Xlsx,
            with_sheet(&org_sheet(
                None,
                &is(r, "x"),
                &format!("<row r=\"3\">{}</row>", is("A3", &bad_code(5))),
            )),
        ));
    }
    out.push(broken(
        "row-number-huge.xlsx",
        Format::Xlsx,
        with_sheet(&org_sheet(
            None,
            "",
            &format!("<row r=\"99999999999\">{}</row>", num("A99999999999", "1")),
        )),
    ));

    // Wrong encodings: GBK and UTF-16 are read (and the bad row named), others refused.
    let text = String::from_utf8(base_c[3..].to_vec()).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    out.push(
        broken("encoding-gbk.csv", Format::Csv, gbk.into_owned()).expect(&["第 2 行", &code_col]),
    );
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&text);
    out.push(
        broken("encoding-gb18030.csv", Format::Csv, gb18030.into_owned())
            .expect(&["第 2 行", &code_col]),
    );
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    out.push(broken("encoding-utf16le.csv", Format::Csv, utf16le).expect(&["第 2 行", &code_col]));
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_be_bytes()))
        .collect();
    out.push(broken("encoding-utf16be.csv", Format::Csv, utf16be).expect(&["第 2 行", &code_col]));
    // Excel's "Unicode text": UTF-16LE, tab-separated.
    let tabbed = text.replace(',', "\t");
    let unicode_text: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(tabbed.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    out.push(
        broken("encoding-utf16-tabs.csv", Format::Csv, unicode_text)
            .expect(&["第 2 行", &code_col]),
    );
    let no_bom: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    out.push(broken("encoding-utf16-no-bom.csv", Format::Csv, no_bom));
    let (big5, _, _) = encoding_rs::BIG5.encode(&text);
    out.push(broken("encoding-big5.csv", Format::Csv, big5.into_owned()));
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    out.push(broken(
        "encoding-shift-jis.csv",
        Format::Csv,
        sjis.into_owned(),
    ));
    let mut mixed = text.clone().into_bytes();
    let (g, _, _) = encoding_rs::GBK.encode("包头稀土");
    mixed.extend_from_slice(&g);
    out.push(broken("encoding-mixed.csv", Format::Csv, mixed));

    // Huge cells.
    let name_col = col_of(ORG, "name");
    let mut long = base_rows();
    long[1][name_col] = t(&"长".repeat(32_768));
    out.push(
        broken(
            "cell-32768.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(None, &is("Z2", &"长".repeat(32_768)), "")),
        )
        .expect(&["32767", "Z2"])
        .reader(),
    );
    out.push(
        broken("cell-32768.csv", Format::Csv, csv(&heads, &long))
            .expect(&["32767"])
            .reader(),
    );
    long[1][name_col] = t(&"长".repeat(2_000_000));
    out.push(
        broken("cell-2m.csv", Format::Csv, csv(&heads, &long))
            .expect(&["32767"])
            .reader(),
    );
    out.push(
        broken(
            "cell-2m.xlsx",
            Format::Xlsx,
            with_sheet(&org_sheet(None, &is("Z2", &"长".repeat(2_000_000)), "")),
        )
        .expect(&["32767", "Z2"])
        .reader(),
    );
    long[1][name_col] = t(&"名".repeat(501));
    out.push(
        broken("cell-501.xlsx", Format::Xlsx, xlsx(&heads, &long)).expect(&["第 3 行", "500"]),
    );

    // Too many columns: 16,385 (past Excel) and 513 (past ours).
    for (n, ext) in [
        (16_385usize, "xlsx"),
        (513, "xlsx"),
        (16_385, "csv"),
        (513, "csv"),
    ] {
        let mut h = heads.clone();
        h.extend((h.len()..n).map(|c| format!("列{c}")));
        let mut rows = base_rows();
        for r in &mut rows {
            r.resize(n, t("x"));
        }
        let (bytes, format) = if ext == "xlsx" {
            let head: String = h
                .iter()
                .enumerate()
                .map(|(c, x)| is(&format!("{}1", col_name(c)), x))
                .collect();
            (
                with_sheet(&sheet_xml(None, &format!("<row r=\"1\">{head}</row>"))),
                Format::Xlsx,
            )
        } else {
            (csv(&h, &rows), Format::Csv)
        };
        // 16,385 columns end at XFE, past Excel itself; 513 end past our limit of 512.
        let limit = if n > 16_384 && ext == "xlsx" {
            "XFE1"
        } else {
            "512"
        };
        out.push(
            broken(&format!("columns-{n}.{ext}"), format, bytes)
                .expect(&[limit])
                .reader(),
        );
    }

    // Merged headers: a group row above the real headers, and a region merged down.
    {
        let group = format!(r#"<row r="1">{}</row>"#, is("A1", "基本信息"));
        let real: String = heads
            .iter()
            .enumerate()
            .map(|(c, h)| is(&format!("{}2", col_name(c)), h))
            .collect();
        let row: String = org_row(1)
            .iter()
            .enumerate()
            .filter(|(_, c)| !matches!(c, Cell::Empty))
            .map(|(c, cell)| is(&format!("{}3", col_name(c)), &cell.display()))
            .collect();
        let xml = sheet_xml(
            None,
            &format!(r#"{group}<row r="2">{real}</row><row r="3">{row}</row>"#),
        )
        .replace(
            "</sheetData>",
            r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells>"#,
        );
        out.push(
            broken("merged-group-header.xlsx", Format::Xlsx, with_sheet(&xml))
                .expect(&["第 1 行", &code_col]),
        );
        let mut rows = vec![org_row(1), org_row(2), org_row(3)];
        let region = col_of(ORG, "region");
        rows[1][region] = Cell::Empty;
        rows[2][region] = Cell::Empty;
        let b = xlsx(&heads, &rows);
        let merge = format!(
            r#"</sheetData><mergeCells count="1"><mergeCell ref="{0}2:{0}4"/></mergeCells>"#,
            col_name(region)
        );
        let b = repack(
            &b,
            |n, d| {
                Some(if n == "xl/worksheets/sheet1.xml" {
                    String::from_utf8(d)
                        .unwrap()
                        .replace("</sheetData>", &merge)
                        .into_bytes()
                } else {
                    d
                })
            },
            &[],
            DEFLATE,
        );
        out.push(
            broken("merged-region-down.xlsx", Format::Xlsx, b)
                .expect(&["第 3 行", &header_of(ORG, "region")]),
        );
        let two_rows = format!(
            "基本信息,,,\n{}",
            String::from_utf8(base_c[3..].to_vec()).unwrap()
        );
        out.push(
            broken(
                "merged-group-header.csv",
                Format::Csv,
                two_rows.into_bytes(),
            )
            .expect(&["第 1 行", &code_col]),
        );
    }

    // Formulas without a cached value.
    {
        let region = col_name(col_of(ORG, "region"));
        for (k, f) in [
            format!(r#"<c r="{region}2"><f>150000+203</f></c>"#),
            format!(r#"<c r="{region}2" t="str"><f>TEXT(150203,"0")</f></c>"#),
            format!(r#"<c r="{region}2"><f t="shared" ref="{region}2:{region}3" si="0">150000+203</f></c>"#),
            format!(r#"<c r="{region}2"><f t="array" ref="{region}2">150203</f></c>"#),
            format!(r#"<c r="{region}2"><f>1/0</f><v></v></c>"#),
        ]
        .iter()
        .enumerate()
        {
            let xml = org_sheet(None, "", "").replace(&format!(r#"<c r="{region}2" t="inlineStr"><is><t>150203</t></is></c>"#), f);
            assert!(xml.contains(f.as_str()), "formula placed");
            out.push(broken(&format!("formula-{k}.xlsx"), Format::Xlsx, with_sheet(&xml)).expect(&["第 2 行", &header_of(ORG, "region"), "公式"]));
        }
        // A formula whose cached value is an error (#DIV/0!).
        let xml = org_sheet(None, "", "").replace(
            &format!(r#"<c r="{region}2" t="inlineStr"><is><t>150203</t></is></c>"#),
            &format!(r##"<c r="{region}2" t="e"><f>1/0</f><v>#DIV/0!</v></c>"##),
        );
        out.push(
            broken("formula-error-value.xlsx", Format::Xlsx, with_sheet(&xml))
                .expect(&["第 2 行", &header_of(ORG, "region")]),
        );
    }

    // Control characters.
    for (k, ch) in ["\u{0}", "\u{7}", "\u{1b}", "\u{7f}", "\u{85}", "\u{c}"]
        .iter()
        .enumerate()
    {
        let mut rows = vec![org_row(1)];
        rows[0][name_col] = t(&format!("测试{ch}企业"));
        out.push(
            broken(&format!("control-{k}.csv"), Format::Csv, csv(&heads, &rows))
                .expect(&["第 2 行", "控制字符"]),
        );
        if *ch != "\u{0}" && *ch != "\u{7}" {
            continue;
        }
        // In XLSX, as the `_xHHHH_` escape spreadsheet applications write.
        let esc = format!("测试_x{:04X}_企业", ch.chars().next().unwrap() as u32);
        let xml = org_sheet(None, "", "").replace("测试坏文件企业1有限公司", &esc);
        out.push(
            broken(&format!("control-{k}.xlsx"), Format::Xlsx, with_sheet(&xml))
                .expect(&["第 2 行", "控制字符"]),
        );
    }

    // Duplicate headers.
    for (k, (a, b)) in [
        ("名称", "名称"),
        ("*统一社会信用代码", "统一社会信用代码"),
        ("名称", " 名称 "),
        ("行政区划代码", "行政区划代码"),
    ]
    .iter()
    .enumerate()
    {
        let mut h = heads.clone();
        let mut rows = vec![org_row(1)];
        let pos = h
            .iter()
            .position(|x| x.trim_start_matches('*') == a.trim_start_matches('*'))
            .unwrap();
        h[pos] = a.to_string();
        h.push(b.to_string());
        rows[0].resize(h.len(), Cell::Empty);
        let (bytes, format) = if k % 2 == 0 {
            (xlsx(&h, &rows), Format::Xlsx)
        } else {
            (csv(&h, &rows), Format::Csv)
        };
        out.push(
            broken(
                &format!("duplicate-header-{k}.{}", format.extension()),
                format,
                bytes,
            )
            .expect(&["两次", &format!("第 {} 列", h.len())]),
        );
    }

    // Duplicate keys.
    {
        let rows = vec![org_row(1), org_row(2), org_row(1)];
        out.push(
            broken("duplicate-key.xlsx", Format::Xlsx, xlsx(&heads, &rows))
                .expect(&["第 4 行", "重复"]),
        );
        out.push(
            broken("duplicate-key.csv", Format::Csv, csv(&heads, &rows))
                .expect(&["第 4 行", "重复"]),
        );
        let mut lower = org_row(1);
        lower[col_of(ORG, "credit_code")] = t(&code(1).to_lowercase());
        let rows = vec![org_row(1), lower];
        out.push(
            broken("duplicate-key-case.csv", Format::Csv, csv(&heads, &rows))
                .expect(&["第 3 行", "重复"]),
        );
    }

    // Empty and header-only files.
    out.push(broken("empty.csv", Format::Csv, Vec::new()).reader());
    out.push(broken("headers-only.csv", Format::Csv, csv(&heads, &[])).expect(&["没有数据行"]));
    out.push(broken("headers-only.xlsx", Format::Xlsx, xlsx(&heads, &[])).expect(&["没有数据行"]));
    out.push(
        broken(
            "blank-rows.xlsx",
            Format::Xlsx,
            with_sheet(&sheet_xml(
                None,
                r#"<row r="1"/><row r="2"><c r="A2"/></row>"#,
            )),
        )
        .reader(),
    );

    // A broken row of every kind (every column filled with nonsense), as XLSX and CSV.
    for kind in EntityKind::ALL {
        let h = headers(kind, true);
        let row: Vec<Cell> = fields(kind)
            .iter()
            .map(|f| match f.ty {
                FieldType::Int | FieldType::Decimal => t("很多"),
                FieldType::Bool => t("也许"),
                _ if f.required => t("？"),
                _ => Cell::Empty,
            })
            .collect();
        // The row and a column are named (`第 2 行「列」…`).
        let expect = vec!["第 2 行「".to_string()];
        for format in [Format::Xlsx, Format::Csv] {
            let bytes = match format {
                Format::Xlsx => xlsx(&h, std::slice::from_ref(&row)),
                Format::Csv => csv(&h, std::slice::from_ref(&row)),
            };
            let mut b = broken(
                &format!("kind-{}.{}", kind.plural(), format.extension()),
                format,
                bytes,
            )
            .kind(kind);
            b.expect = expect.clone();
            out.push(b);
        }
    }
    out
}

fn sheet_of(xlsx_bytes: &[u8]) -> String {
    let mut a = zip::ZipArchive::new(Cursor::new(xlsx_bytes)).unwrap();
    let mut s = String::new();
    a.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Sets (or adds) the sheet's `<dimension ref>`.
fn regex_dimension(xml: &str, range: &str) -> String {
    if let Some(start) = xml.find("<dimension ref=\"") {
        let rest = &xml[start + 16..];
        let end = rest.find('"').unwrap();
        format!(
            "{}<dimension ref=\"{range}\"{}",
            &xml[..start],
            &rest[end + 1..]
        )
    } else {
        xml.replacen(
            "<sheetData",
            &format!("<dimension ref=\"{range}\"/><sheetData"),
            1,
        )
    }
}

/// Writes the corpus to a directory (to try files by hand with `innomesh import`).
pub fn write_to(dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let all = corpus();
    for b in &all {
        std::fs::write(dir.join(&b.name), &b.bytes)?;
    }
    Ok(all.len())
}
