//! 佐证材料: the files a platform (or the bureau) uploads for an indicator value of an assessment
//! round. The type is found from the content, never from the name (PDF, PNG, JPEG, XLSX; an XLSX
//! is read through the same bounded reader as imports); the bytes are kept in the store, so no
//! uploaded name ever reaches the file system; every upload is audited; a file is downloaded by
//! those who may read its scorecard (city staff, auditors, the platform itself).

use crate::auth::{Perm, Principal};
use crate::{App, Code, Error, Result};
use innomesh_assess::{Framework, Source};
use innomesh_store::assessment::EvidenceFile;

/// Largest evidence file accepted (bytes).
pub const EVIDENCE_LIMIT: usize = 10 * 1024 * 1024;

const PDF: &str = "application/pdf";
const PNG: &str = "image/png";
const JPEG: &str = "image/jpeg";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The Chinese name of an accepted media type.
pub fn media_label(media_type: &str) -> &'static str {
    match media_type {
        PDF => "PDF",
        PNG => "PNG 图片",
        JPEG => "JPEG 图片",
        XLSX => "Excel 工作簿",
        _ => "文件",
    }
}

/// What the bytes are, checked from their content: the media type, or why they are refused
/// (`UnsupportedFormat` for another kind of file, `BadFile` for a damaged one of an accepted kind).
pub fn sniff(bytes: &[u8]) -> Result<&'static str> {
    let bad = |what: &str| {
        Error::new(
            Code::BadFile,
            format!("文件已损坏或不完整：{what}。请重新导出或扫描后上传"),
        )
    };
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if bytes.starts_with(b"%PDF-") {
        // A PDF ends with its end-of-file marker (possibly followed by a line break).
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(bad("PDF 缺少文件结束标记 %%EOF"));
        }
        return Ok(PDF);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        if bytes.get(12..16) != Some(b"IHDR") || !tail.windows(4).any(|w| w == b"IEND") {
            return Err(bad("PNG 缺少图像头或结束块"));
        }
        return Ok(PNG);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let end = bytes
            .iter()
            .rposition(|b| *b != 0 && !b.is_ascii_whitespace())
            .unwrap_or(0);
        if end < 1 || bytes[end - 1..=end] != [0xFF, 0xD9] {
            return Err(bad("JPEG 缺少结束标记"));
        }
        return Ok(JPEG);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Only a workbook: read through the import reader, which bounds what a zip may unpack to.
        return match innomesh_sheets::read(bytes, innomesh_sheets::Format::Xlsx) {
            Ok(_) => Ok(XLSX),
            Err(e) => Err(Error::new(
                Code::UnsupportedFormat,
                format!(
                    "压缩包不是可读取的 Excel 工作簿（{e}）：佐证材料只接受 PDF、PNG、JPEG 和 XLSX"
                ),
            )),
        };
    }
    Err(Error::new(
        Code::UnsupportedFormat,
        "文件类型不支持：佐证材料只接受 PDF、PNG、JPEG 和 XLSX（按文件内容判断，与扩展名无关）",
    ))
}

/// The name shown for an uploaded file: its last path part, without control characters, at most
/// 100 characters; 「佐证材料」 when nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        // Control characters, and the invisible format characters (bidirectional overrides,
        // zero-width marks) that could disguise an extension: a right-to-left override before 「fdp.exe」.
        .filter(|c| {
            !c.is_control()
                && !matches!(*c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        })
        .take(100)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "佐证材料".to_string()
    } else {
        cleaned
    }
}

/// The name a file is stored and downloaded under: `clean_name`, with the extension of what the
/// content is (a PDF named 「x.html」 is downloaded as 「x.html.pdf」, never opened as a page).
pub fn stored_name(name: &str, media_type: &str) -> String {
    let name = clean_name(name);
    let wanted: &[&str] = match media_type {
        PDF => &["pdf"],
        PNG => &["png"],
        JPEG => &["jpg", "jpeg"],
        XLSX => &["xlsx"],
        _ => return name,
    };
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if wanted.contains(&ext.as_str()) {
        name
    } else {
        format!("{name}.{}", wanted[0])
    }
}

impl App {
    /// Uploads an evidence file for one indicator value of a round: the platform for itself, city
    /// staff for any platform. Checked whole before anything is written.
    pub fn assessment_evidence_upload(
        &self,
        who: &Principal,
        round: &str,
        unit: &str,
        indicator: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<EvidenceFile> {
        let units = self.assessment_units_for(who, round, unit)?;
        if !units {
            return Err(Error::new(Code::Forbidden, "只能上传本平台的佐证材料"));
        }
        let r = self
            .repo
            .assessment_round(round)?
            .ok_or_else(|| Error::not_found(format!("未找到评估轮次「{round}」")))?;
        if r.status == "published" {
            return Err(Error::new(
                Code::Conflict,
                format!("评估轮次「{round}」已发布，不能再上传佐证材料"),
            ));
        }
        let f = Framework::from_yaml(&r.framework)
            .map_err(|e| Error::new(Code::InvalidField, e.to_string()))?;
        let ind = f
            .indicators()
            .map(|(_, i)| i)
            .find(|i| i.id == indicator)
            .ok_or_else(|| Error::invalid(format!("指标体系中没有指标「{indicator}」")))?;
        if !matches!(ind.source, Source::Manual { .. }) {
            return Err(Error::invalid(format!(
                "指标「{}」由登记库记录计算，依据就是这些记录，不需要上传佐证材料",
                ind.name
            )));
        }
        if bytes.is_empty() {
            return Err(Error::new(Code::BadFile, "没有收到文件，或文件为空"));
        }
        if bytes.len() > EVIDENCE_LIMIT {
            return Err(Error::new(
                Code::PayloadTooLarge,
                format!(
                    "文件过大：{:.1} MB，佐证材料每个不超过 {} MB；请压缩或拆分后上传",
                    bytes.len() as f64 / 1024.0 / 1024.0,
                    EVIDENCE_LIMIT / 1024 / 1024
                ),
            ));
        }
        let media_type = sniff(bytes)?;
        let file = EvidenceFile {
            id: String::new(),
            round_id: round.to_string(),
            unit_id: unit.to_string(),
            indicator: indicator.to_string(),
            file_name: stored_name(file_name, media_type),
            media_type: media_type.to_string(),
            size: bytes.len() as i64,
            sha256: crate::auth::password::sha256_bytes_hex(bytes),
            uploaded_by: String::new(),
            uploaded_at: String::new(),
        };
        Ok(self
            .repo
            .assessment_evidence_add(&file, bytes, &who.actor())?)
    }

    /// The evidence files of a round the caller may see (a platform: its own).
    pub fn assessment_evidence(&self, who: &Principal, round: &str) -> Result<Vec<EvidenceFile>> {
        // The entries' rule: staff and auditors see all, a platform its own, others nothing.
        self.assessment_entries(who, round)?;
        let mut files = self.repo.assessment_evidence(round)?;
        if !(who.may(Perm::Assess) || who.role == crate::auth::Role::Auditor) {
            files.retain(|f| crate::assessment::is_own(who, &f.unit_id));
        }
        Ok(files)
    }

    /// One evidence file with its bytes, for those who may see it (anyone else: not found).
    pub fn assessment_evidence_file(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<(EvidenceFile, Vec<u8>)> {
        let missing = || Error::not_found(format!("未找到佐证材料「{id}」"));
        let (file, bytes) = self
            .repo
            .assessment_evidence_file(id)?
            .ok_or_else(missing)?;
        let visible = self
            .assessment_evidence(who, &file.round_id)
            .map(|fs| fs.iter().any(|f| f.id == file.id));
        match visible {
            Ok(true) => Ok((file, bytes)),
            Ok(false)
            | Err(Error {
                code: Code::NotFound,
                ..
            }) => Err(missing()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_name_carries_the_extension_of_its_content_and_no_invisible_characters() {
        assert_eq!(stored_name("证书.pdf", PDF), "证书.pdf");
        assert_eq!(stored_name("证书.PDF", PDF), "证书.PDF");
        assert_eq!(stored_name("x.html", PDF), "x.html.pdf");
        assert_eq!(stored_name("照片.jpeg", JPEG), "照片.jpeg");
        assert_eq!(stored_name("表", XLSX), "表.xlsx");
        assert_eq!(stored_name("报告\u{202E}fdp.exe", PDF), "报告fdp.exe.pdf");
        assert_eq!(stored_name("../../etc/\u{200B}", PNG), "佐证材料.png");
    }
}
