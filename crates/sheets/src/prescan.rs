//! A pass over every part of an XLSX package before the XLSX library sees it: the bytes each
//! part really unpacks to (not what the zip directory declares) are counted against the limits,
//! and every cell reference (`<c r>`), row number (`<row r>`), sheet dimension
//! (`<dimension ref>`) and formula range (`<f ref>`) is checked against Excel's limits, with its
//! corners in order. calamine turns a reference into numbers with unchecked arithmetic:
//! `ZZZZZZ99999999999` overflows, and so does a range whose end is before its start (`A2:H1`) —
//! a panic in debug builds, a silently wrong number in release builds — so no such reference may
//! reach it.
//!
//! The pass reads the XML with the same parser (quick-xml), the same configuration and the same
//! attribute splitting as calamine, so it sees exactly the tags and attribute values calamine
//! will see: a hand-written tag scanner disagreed with quick-xml about a malformed tag before a
//! second `<dimension>` (found by fuzzing, `xlsx_sheet`), and the reversed range behind it got
//! through.

use crate::{
    SheetError, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, MAX_CELLS, MAX_PACK_RATIO, MAX_UNPACKED_BYTES,
};
use quick_xml::events::{BytesStart, Event};
use std::cell::Cell;
use std::io::{BufReader, Read};

/// Scans every part of the archive; `Ok` when every reference is within Excel's limits and the
/// unpacked sizes within ours.
pub(crate) fn scan(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
) -> Result<(), SheetError> {
    let total = Cell::new(0u64);
    for i in 0..archive.len() {
        let part = archive
            .by_index(i)
            .map_err(|e| SheetError::Xlsx(format!("文件内部结构损坏：{e}")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let packed = part.compressed_size().max(1);
        let fault = Cell::new(None);
        let mut counted = Counted {
            inner: part,
            name: &name,
            packed,
            unpacked: 0,
            total: &total,
            fault: &fault,
        };
        let scanned = scan_xml(&mut counted);
        // A part that is not XML (an image) or stops being XML: calamine stops where the parser
        // stops, but its real size still counts.
        let mut limit = fault.take();
        if limit.is_none() && scanned.as_ref().is_err_and(|e| e.is_none()) {
            let _ = std::io::copy(&mut counted, &mut std::io::sink());
            limit = fault.take();
        }
        if let Some(limit) = limit {
            return Err(limit);
        }
        if let Err(Some(e)) = scanned {
            return Err(e);
        }
    }
    Ok(())
}

/// A part's bytes, counted as they are unpacked: past a limit, reading fails and `fault` says
/// which limit.
struct Counted<'a, R> {
    inner: R,
    name: &'a str,
    packed: u64,
    unpacked: u64,
    total: &'a Cell<u64>,
    fault: &'a Cell<Option<SheetError>>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf).map_err(|e| {
            self.fault.set(Some(SheetError::Xlsx(format!(
                "文件中的「{}」已损坏：{e}",
                self.name
            ))));
            e
        })?;
        self.unpacked += n as u64;
        self.total.set(self.total.get() + n as u64);
        let over = if self.unpacked > 1024 * 1024 && self.unpacked / self.packed > MAX_PACK_RATIO {
            Some(SheetError::Limit(format!(
                "文件中的「{}」解压后过大（压缩比超过 {MAX_PACK_RATIO} 倍），疑似压缩炸弹，未读取",
                self.name
            )))
        } else if self.total.get() > MAX_UNPACKED_BYTES {
            Some(SheetError::Limit(format!(
                "文件解压后超过 {} MB，请拆分后导入",
                MAX_UNPACKED_BYTES / 1024 / 1024
            )))
        } else {
            None
        };
        match over {
            Some(e) => {
                self.fault.set(Some(e));
                Err(std::io::Error::other("limit"))
            }
            None => Ok(n),
        }
    }
}

/// Reads one part as calamine's `xml_reader` does and checks every cell, row, dimension and
/// formula tag. `Err(None)`: the part is not (or stops being) well-formed enough to parse — not a
/// refusal by itself, calamine refuses it if it is one it reads.
fn scan_xml<R: Read>(part: R) -> Result<(), Option<SheetError>> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => check_tag(&e).map_err(Some)?,
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(_) => return Err(None),
        }
    }
}

/// The attributes of a tag as calamine splits them (`calamine::attrs::RawAttrIter`, which is not
/// public): a key runs to the `=`, a value is quoted; the first malformed attribute ends the list
/// (calamine stops there with an error).
fn raw_attrs(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = raw.as_bytes();
    let len = bytes.len();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return None;
        }
        let key_start = pos;
        while pos < len && bytes[pos] != b'=' {
            pos += 1;
        }
        if pos >= len {
            pos = len;
            return None;
        }
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match bytes.get(pos) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => {
                pos = len;
                return None;
            }
        };
        pos += 1;
        let val_start = pos;
        while pos < len && bytes[pos] != quote {
            pos += 1;
        }
        let value = &raw[val_start..pos];
        if pos < len {
            pos += 1;
        }
        Some((key, value))
    })
}

/// A check of one attribute value.
type Check = fn(&[u8]) -> Result<(), SheetError>;

fn check_tag(e: &BytesStart<'_>) -> Result<(), SheetError> {
    let name = e.local_name();
    let (want, check): (&str, Check) = match name.as_ref() {
        "c" => ("r", |r| check_cell(r).map(|_| ())),
        "row" => ("r", check_row),
        // calamine subtracts a range's first corner from its second.
        "dimension" | "f" => ("ref", check_range),
        // calamine reserves room for this many strings before reading one (found by fuzzing,
        // xlsx_sheet: a huge count is a capacity-overflow panic, or an allocation failure that
        // aborts the process).
        "sst" => ("uniqueCount", check_string_count),
        _ => return Ok(()),
    };
    // Every occurrence of the attribute: calamine takes the first or the last depending on
    // the call.
    for (key, value) in raw_attrs(e.attributes_raw()) {
        if key == want {
            check(value.as_bytes())?;
        }
    }
    Ok(())
}

/// The shared strings' declared count: at most one per non-empty cell accepted. Every digit in
/// the value counts (calamine's number parser skips leading zeros), so no spelling of a large
/// number gets through.
fn check_string_count(n: &[u8]) -> Result<(), SheetError> {
    let digits: Vec<u8> = n.iter().copied().filter(u8::is_ascii_digit).collect();
    let significant = digits.iter().skip_while(|d| **d == b'0').count();
    let ok = significant <= 9
        && parse_u32(&digits)
            .or_else(|| digits.is_empty().then_some(0))
            .is_some_and(|v| (v as usize) <= MAX_CELLS);
    if ok {
        Ok(())
    } else {
        Err(SheetError::Limit(format!(
            "共享字符串表声明有 {} 个字符串，超过本系统导入的上限 {MAX_CELLS}，文件可能已损坏",
            shown(n)
        )))
    }
}

fn check_row(r: &[u8]) -> Result<(), SheetError> {
    let ok = !r.is_empty()
        && r.len() <= 7
        && r.iter().all(u8::is_ascii_digit)
        && parse_u32(r).is_some_and(|n| (1..=EXCEL_MAX_ROWS).contains(&n));
    if ok {
        Ok(())
    } else {
        Err(SheetError::Limit(format!(
            "第 {} 行超出 Excel 的范围（最多 {EXCEL_MAX_ROWS} 行），文件可能已损坏",
            shown(r)
        )))
    }
}

fn check_range(range: &[u8]) -> Result<(), SheetError> {
    let corners = range
        .split(|b| *b == b':')
        .map(check_cell)
        .collect::<Result<Vec<_>, _>>()?;
    if let [(c1, r1), (c2, r2)] = corners[..] {
        if c2 < c1 || r2 < r1 {
            return Err(SheetError::Limit(format!(
                "工作表的范围「{}」无效（右下角在左上角之前），文件可能已损坏",
                shown(range)
            )));
        }
    }
    Ok(())
}

fn parse_u32(digits: &[u8]) -> Option<u32> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// A reference as text for a message, cut short.
fn shown(r: &[u8]) -> String {
    let s = String::from_utf8_lossy(r);
    let mut out: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}

/// `B7`: one to three letters, then a row number; both within Excel's limits. Gives the
/// 1-based (column, row).
fn check_cell(r: &[u8]) -> Result<(u32, u32), SheetError> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    let shape = letters >= 1 && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
    if !shape {
        return Err(SheetError::Limit(format!(
            "单元格位置「{}」无效（应为列字母加行号，如 B7），文件可能已损坏",
            shown(r)
        )));
    }
    let col = (letters <= 3).then(|| {
        r[..letters].iter().fold(0u32, |c, b| {
            c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
        })
    });
    let row = (digits.len() <= 7).then(|| parse_u32(digits)).flatten();
    match (col, row) {
        (Some(c), Some(n)) if c <= EXCEL_MAX_COLUMNS && (1..=EXCEL_MAX_ROWS).contains(&n) => {
            Ok((c, n))
        }
        _ => Err(SheetError::Limit(format!(
            "单元格 {} 超出 Excel 的范围（最多 {EXCEL_MAX_ROWS} 行、{EXCEL_MAX_COLUMNS} 列），文件可能已损坏",
            shown(r)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(xml: &[u8]) -> Result<(), SheetError> {
        scan_xml(xml).map_err(|e| e.unwrap_or(SheetError::Empty))
    }

    /// A reader that hands out one byte at a time: tags cut anywhere.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(out)) => {
                    *out = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn references_within_excel_pass_and_others_are_named() {
        assert!(check_cell(b"A1").is_ok());
        assert!(check_cell(b"XFD1048576").is_ok());
        assert!(check_cell(b"xfd1").is_ok());
        for bad in [
            &b"XFE1"[..],
            b"A1048577",
            b"ZZZZZZ99999999999",
            b"A0",
            b"1A",
            b"",
            b"A-1",
        ] {
            let e = check_cell(bad).unwrap_err().to_string();
            assert!(e.contains(&shown(bad)), "{e}");
        }
    }

    #[test]
    fn every_checked_tag_is_checked_wherever_the_reads_cut_it() {
        let bad = br#"<row r="1"><c r="ZZZZZZ99999999999" t="s"><v>0</v></c></row>"#;
        assert!(matches!(scan_xml(Trickle(bad)), Err(Some(_))));
        let ok = br#"<x:row r="2"><x:c r="B2"><x:v>1</x:v></x:c></x:row><dimension ref="A1:B2"/>"#;
        assert!(scan_xml(Trickle(ok)).is_ok());
        assert!(scan_text(br#"<x:c r="A99999999"/>"#).is_err());
        assert!(scan_text(br#"<row r='99999999999'>"#).is_err());
        assert!(scan_text(br#"<dimension ref="A1:ZZZZ1"/>"#).is_err());
        // Found by the fuzzer (xlsx_sheet): corners the wrong way round.
        assert!(scan_text(br#"<dimension ref="A2:H1"/>"#).is_err());
        assert!(scan_text(br#"<dimension ref="H1:A1"/>"#).is_err());
        // A shared formula's range goes through the same arithmetic in calamine.
        assert!(scan_text(br#"<c r="A1"><f t="shared" ref="B2:A1" si="0">1</f></c>"#).is_err());
        assert!(scan_text(br#"<c r="A1"><f t="shared" ref="ZZZZZZZZ1" si="0">1</f></c>"#).is_err());
        assert!(scan_text(br#"<c r="A1"><f t="shared" ref="A1:A9" si="0">1</f></c>"#).is_ok());
        // A `>` inside an attribute value does not end the tag.
        assert!(scan_text(br#"<c t=">" r="ZZZZZZ99999999999"><v>1</v></c>"#).is_err());
        // The shared strings' declared count (found by the fuzzer, xlsx_sheet): calamine reserves
        // that many strings up front.
        assert!(
            scan_text(br#"<sst uniqueCount="777777777777777777"><si><t>x</t></si></sst>"#).is_err()
        );
        assert!(scan_text(br#"<sst uniqueCount="100000000000"/>"#).is_err());
        assert!(scan_text(br#"<sst uniqueCount="+0000030000001"/>"#).is_err());
        assert!(scan_text(br#"<x:sst uniqueCount="0000030000000" count="1"/>"#).is_ok());
        assert!(scan_text(br#"<sst uniqueCount="many"/>"#).is_ok());
        // Every occurrence of the attribute, with spaces around `=`.
        assert!(scan_text(br#"<c r="A1" r ="ZZZZZZ99999999999"/>"#).is_err());
    }

    /// The input the xlsx_sheet fuzz target crashed on the second time: a processing
    /// instruction with an odd number of quotes before the worksheet made the old hand-written
    /// tag scanner read `<dimension ref="A2:H1"/>` as part of a quoted value, while calamine's
    /// parser reads it as a tag and subtracts its corners.
    #[test]
    fn the_tags_calamine_reads_are_the_tags_checked() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" staationships"><dimension ref="A1:I4"/><selection <?xml version="1.0"?>
<worksheet><dimension ref="A2:H1"/><sheetData></sheetData></worksheet>"#;
        let e = scan_text(xml).unwrap_err().to_string();
        assert!(e.contains("A2:H1"), "{e}");
    }
}
