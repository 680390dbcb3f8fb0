//! The previous XLSX pre-scan (a hand-written tag scanner, until 261d891), kept only as the
//! baseline of `examples/prescan_bench.rs`. Not used by the product.
#![allow(dead_code)]
// A pass over every part of an XLSX package before the XLSX library sees it: the bytes each
// part really unpacks to (not what the zip directory declares) are counted against the limits,
// and every cell reference (`<c r>`), row number (`<row r>`) and sheet dimension
// (`<dimension ref>`) is checked against Excel's limits. calamine turns a reference into numbers
// with unchecked arithmetic: `ZZZZZZ99999999999` overflows (a panic in debug builds, a silently
// wrong cell in release builds), so no such reference may reach it.

use crate::{SheetError, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, MAX_PACK_RATIO, MAX_UNPACKED_BYTES};
use std::io::Read;

/// Longest tag of a cell, row or dimension read whole; a longer one is refused (Excel writes a
/// few dozen bytes).
const MAX_TAG: usize = 64 * 1024;

/// Scans every part of the archive; `Ok` when every reference is within Excel's limits and the
/// unpacked sizes within ours.
pub(crate) fn scan(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
) -> Result<(), SheetError> {
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut part = archive
            .by_index(i)
            .map_err(|e| SheetError::Xlsx(format!("文件内部结构损坏：{e}")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let packed = part.compressed_size().max(1);
        let mut scanner = Scanner::default();
        let mut buf = vec![0u8; 64 * 1024];
        let mut unpacked: u64 = 0;
        loop {
            let n = part
                .read(&mut buf)
                .map_err(|e| SheetError::Xlsx(format!("文件中的「{name}」已损坏：{e}")))?;
            if n == 0 {
                break;
            }
            unpacked += n as u64;
            total += n as u64;
            if unpacked > 1024 * 1024 && unpacked / packed > MAX_PACK_RATIO {
                return Err(SheetError::Limit(format!(
                    "文件中的「{name}」解压后过大（压缩比超过 {MAX_PACK_RATIO} 倍），疑似压缩炸弹，未读取"
                )));
            }
            if total > MAX_UNPACKED_BYTES {
                return Err(SheetError::Limit(format!(
                    "文件解压后超过 {} MB，请拆分后导入",
                    MAX_UNPACKED_BYTES / 1024 / 1024
                )));
            }
            scanner.feed(&buf[..n])?;
        }
        scanner.finish()?;
    }
    Ok(())
}

#[derive(Default)]
struct Scanner {
    /// The start of a tag cut by the end of the previous chunk.
    carry: Vec<u8>,
    /// Inside a long tag that is none of ours: skip to its `>`.
    skipping: bool,
}

impl Scanner {
    fn feed(&mut self, chunk: &[u8]) -> Result<(), SheetError> {
        let joined;
        let data: &[u8] = if self.carry.is_empty() {
            chunk
        } else {
            let mut d = std::mem::take(&mut self.carry);
            d.extend_from_slice(chunk);
            joined = d;
            &joined
        };
        let mut i = 0;
        if self.skipping {
            match data.iter().position(|b| *b == b'>') {
                Some(gt) => {
                    self.skipping = false;
                    i = gt + 1;
                }
                None => return Ok(()),
            }
        }
        while let Some(lt) = data[i..].iter().position(|b| *b == b'<') {
            let start = i + lt + 1;
            match tag_end(&data[start..]) {
                Some(gt) => {
                    check_tag(&data[start..start + gt])?;
                    i = start + gt + 1;
                }
                None => {
                    let rest = &data[start..];
                    if rest.len() > MAX_TAG {
                        if is_checked(tag_name(rest)) {
                            return Err(SheetError::Xlsx(
                                "单元格标记异常地长，文件可能已损坏".into(),
                            ));
                        }
                        self.skipping = true;
                    } else {
                        // Read again from its `<` with the next chunk.
                        self.carry.push(b'<');
                        self.carry.extend_from_slice(rest);
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SheetError> {
        let rest = std::mem::take(&mut self.carry);
        if rest.len() > 1 && is_checked(tag_name(&rest[1..])) {
            return Err(SheetError::Xlsx("单元格标记不完整，文件可能已损坏".into()));
        }
        Ok(())
    }
}

/// Where a tag ends: the first `>` outside a quoted attribute value (XML allows `>` inside one).
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, b) in tag.iter().enumerate() {
        match (quote, *b) {
            (None, b'>') => return Some(i),
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &[u8]) -> &[u8] {
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        .unwrap_or(tag.len());
    let name = &tag[..end];
    match name.iter().rposition(|b| *b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

fn is_checked(name: &[u8]) -> bool {
    matches!(name, b"c" | b"row" | b"dimension")
}

/// The value of attribute `want` in a tag's text (after its name).
fn attribute<'a>(mut rest: &'a [u8], want: &[u8]) -> Option<&'a [u8]> {
    loop {
        let skip = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = &rest[skip..];
        let eq = rest
            .iter()
            .position(|b| *b == b'=' || b.is_ascii_whitespace() || *b == b'/')?;
        let name = &rest[..eq];
        rest = &rest[eq..];
        let eq = rest.iter().position(|b| *b == b'=')?;
        rest = &rest[eq + 1..];
        let q = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest = &rest[q..];
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = rest[1..].iter().position(|b| *b == quote)?;
        let value = &rest[1..1 + end];
        rest = &rest[end + 2..];
        if name == want {
            return Some(value);
        }
    }
}

fn check_tag(tag: &[u8]) -> Result<(), SheetError> {
    let name = tag_name(tag);
    if !is_checked(name) {
        return Ok(());
    }
    let after = tag
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .map(|p| &tag[p..])
        .unwrap_or(&[]);
    match name {
        b"c" => {
            if let Some(r) = attribute(after, b"r") {
                check_cell(r)?;
            }
        }
        b"row" => {
            if let Some(r) = attribute(after, b"r") {
                let ok = !r.is_empty()
                    && r.len() <= 7
                    && r.iter().all(u8::is_ascii_digit)
                    && parse_u32(r).is_some_and(|n| (1..=EXCEL_MAX_ROWS).contains(&n));
                if !ok {
                    return Err(SheetError::Limit(format!(
                        "第 {} 行超出 Excel 的范围（最多 {EXCEL_MAX_ROWS} 行），文件可能已损坏",
                        shown(r)
                    )));
                }
            }
        }
        _ => {
            if let Some(range) = attribute(after, b"ref") {
                let corners = range
                    .split(|b| *b == b':')
                    .map(check_cell)
                    .collect::<Result<Vec<_>, _>>()?;
                // calamine subtracts the first corner from the second.
                if let [(c1, r1), (c2, r2)] = corners[..] {
                    if c2 < c1 || r2 < r1 {
                        return Err(SheetError::Limit(format!(
                            "工作表的范围「{}」无效（右下角在左上角之前），文件可能已损坏",
                            shown(range)
                        )));
                    }
                }
            }
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
