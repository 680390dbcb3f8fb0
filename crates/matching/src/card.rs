//! Problem-card completeness (需求卡片完整性): what a demand card lacks, or says too vaguely, for
//! a solver to judge it — in Chinese, one issue per field.

use serde::{Deserialize, Serialize};

/// A demand card as an enterprise fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DemandCard {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// 目标指标, e.g. 「剩磁 Br ≥ 1.45 T」.
    #[serde(default)]
    pub target_metric: Option<String>,
    /// 现状, e.g. 「目前 Br 为 1.38 T，良品率 85%」.
    #[serde(default)]
    pub current_state: Option<String>,
    /// 技术成熟度 1–9.
    #[serde(default)]
    pub trl: Option<u8>,
    /// 预算区间, e.g. 「50-100万元」.
    #[serde(default)]
    pub budget_band: Option<String>,
    /// 期限, e.g. 「2026-12-31」 or 「12个月」.
    #[serde(default)]
    pub deadline: Option<String>,
    /// 知识产权约定.
    #[serde(default)]
    pub ip_terms: Option<String>,
}

/// Missing or vague.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    Missing,
    Vague,
    Invalid,
}

/// One problem of a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardIssue {
    /// Field name in the card (English, stable).
    pub field: &'static str,
    pub kind: IssueKind,
    /// Stable code, e.g. `card.target_metric.no_number`.
    pub code: &'static str,
    /// What is wrong and how to fix it, in Chinese.
    pub message: String,
}

const VAGUE_WORDS: &[&str] = &[
    "尽快",
    "越快越好",
    "待定",
    "面议",
    "协商",
    "另议",
    "不限",
    "若干",
    "相关",
    "提升",
    "改善",
    "优化",
    "等等",
    "大概",
    "左右",
];

fn blank(s: &Option<String>) -> bool {
    s.as_deref().map(str::trim).is_none_or(str::is_empty)
}

fn has_digit(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_ascii_digit() || "一二三四五六七八九十百千万".contains(c))
}

fn vague_word(s: &str) -> Option<&'static str> {
    VAGUE_WORDS.iter().copied().find(|w| s.contains(w))
}

fn issue(
    field: &'static str,
    kind: IssueKind,
    code: &'static str,
    message: impl Into<String>,
) -> CardIssue {
    CardIssue {
        field,
        kind,
        code,
        message: message.into(),
    }
}

/// A date `YYYY-MM[-DD]` / `YYYY年M月[D日]`, or a duration like `6个月`, `2年`, `90天`.
fn is_concrete_deadline(s: &str) -> bool {
    let s = s.trim();
    let digits_then = |sep: &[char]| {
        let parts: Vec<&str> = s.split(sep).filter(|p| !p.is_empty()).collect();
        parts.len() >= 2
            && parts[0].len() == 4
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
    };
    let date = digits_then(&['-', '/', '.']) || {
        let core: String = s
            .chars()
            .filter(|c| !matches!(c, '年' | '月' | '日'))
            .collect::<String>();
        s.contains('年')
            && s.contains('月')
            && core.chars().all(|c| c.is_ascii_digit())
            && core.len() >= 5
    };
    let duration = ["个月", "月内", "年内", "天", "周", "年"]
        .iter()
        .any(|u| s.ends_with(u))
        && has_digit(s);
    date || duration
}

/// Lists what is missing or too vague in `card`. An empty list means the card is complete.
pub fn check_card(card: &DemandCard) -> Vec<CardIssue> {
    let mut out = Vec::new();
    if card.title.trim().is_empty() {
        out.push(issue(
            "title",
            IssueKind::Missing,
            "card.title.missing",
            "缺少标题：请用一句话概括要解决的技术问题。",
        ));
    }
    let text_len = card.text.trim().chars().count();
    if text_len == 0 {
        out.push(issue(
            "text",
            IssueKind::Missing,
            "card.text.missing",
            "缺少需求描述：请说明应用场景、技术难点和已尝试的方案。",
        ));
    } else if text_len < 30 {
        out.push(issue(
            "text",
            IssueKind::Vague,
            "card.text.too_short",
            format!("需求描述只有 {text_len} 个字，过于简略：请补充应用场景、技术难点和已尝试的方案（建议不少于 30 字）。"),
        ));
    }
    match card.target_metric.as_deref().map(str::trim) {
        None | Some("") => out.push(issue(
            "target_metric",
            IssueKind::Missing,
            "card.target_metric.missing",
            "缺少目标指标：请写明要达到的可量化指标，例如「剩磁 Br ≥ 1.45 T」。",
        )),
        Some(m) if !has_digit(m) => out.push(issue(
            "target_metric",
            IssueKind::Vague,
            "card.target_metric.no_number",
            format!("目标指标「{m}」没有数值，无法判断是否达成：请给出指标名称、数值和单位，例如「良品率 ≥ 95%」。"),
        )),
        _ => {}
    }
    match card.current_state.as_deref().map(str::trim) {
        None | Some("") => out.push(issue(
            "current_state",
            IssueKind::Missing,
            "card.current_state.missing",
            "缺少现状：请写明当前水平（与目标指标同一口径），例如「目前 Br 为 1.38 T」。",
        )),
        Some(c) if !has_digit(c) && card.target_metric.as_deref().is_some_and(has_digit) => out
            .push(issue(
                "current_state",
                IssueKind::Vague,
                "card.current_state.no_number",
                format!("现状「{c}」没有数值，无法与目标指标对比：请给出当前的同口径数值。"),
            )),
        _ => {}
    }
    match card.trl {
        None => out.push(issue(
            "trl",
            IssueKind::Missing,
            "card.trl.missing",
            "缺少技术成熟度（TRL 1–9）：请说明现有技术处于实验室原理（1–3）、样机验证（4–6）还是工程应用（7–9）阶段。",
        )),
        Some(t) if !(1..=9).contains(&t) => out.push(issue(
            "trl",
            IssueKind::Invalid,
            "card.trl.out_of_range",
            format!("技术成熟度 {t} 不在 1–9 之间：请按 GB/T 22900 填写 1 到 9 的整数。"),
        )),
        _ => {}
    }
    if blank(&card.budget_band) {
        out.push(issue(
            "budget_band",
            IssueKind::Missing,
            "card.budget_band.missing",
            "缺少预算区间：请给出金额范围，例如「50-100万元」。",
        ));
    } else if let Some(b) = card.budget_band.as_deref().map(str::trim) {
        if !has_digit(b) {
            let why = vague_word(b)
                .map(|w| format!("「{w}」"))
                .unwrap_or_default();
            out.push(issue(
                "budget_band",
                IssueKind::Vague,
                "card.budget_band.no_amount",
                format!("预算「{b}」{why}没有金额，解题方无法评估投入：请给出金额范围，例如「50-100万元」。"),
            ));
        }
    }
    if blank(&card.deadline) {
        out.push(issue(
            "deadline",
            IssueKind::Missing,
            "card.deadline.missing",
            "缺少期限：请给出完成日期（如「2026-12-31」）或周期（如「12个月」）。",
        ));
    } else if let Some(d) = card.deadline.as_deref().map(str::trim) {
        if !is_concrete_deadline(d) {
            out.push(issue(
                "deadline",
                IssueKind::Vague,
                "card.deadline.vague",
                format!(
                    "期限「{d}」不具体：请给出完成日期（如「2026-12-31」）或周期（如「12个月」）。"
                ),
            ));
        }
    }
    if blank(&card.ip_terms) {
        out.push(issue(
            "ip_terms",
            IssueKind::Missing,
            "card.ip_terms.missing",
            "缺少知识产权约定：请说明成果归属（企业所有 / 共有 / 解题方所有并许可企业使用）及收益分配。",
        ));
    } else if let Some(ip) = card.ip_terms.as_deref().map(str::trim) {
        if ip.chars().count() < 6
            || vague_word(ip).is_some()
                && !["所有", "归", "共有", "许可"]
                    .iter()
                    .any(|k| ip.contains(k))
        {
            out.push(issue(
                "ip_terms",
                IssueKind::Vague,
                "card.ip_terms.vague",
                format!("知识产权约定「{ip}」过于笼统：请写明成果归属（企业所有 / 共有 / 解题方所有并许可）及收益分配方式。"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> DemandCard {
        DemandCard {
            title: "烧结钕铁硼磁体剩磁提升".into(),
            text: "我公司生产烧结钕铁硼磁体，用于新能源汽车驱动电机，需在不增加重稀土用量的前提下提高剩磁和矫顽力。".into(),
            target_metric: Some("剩磁 Br ≥ 1.45 T".into()),
            current_state: Some("目前 Br 为 1.38 T".into()),
            trl: Some(4),
            budget_band: Some("50-100万元".into()),
            deadline: Some("2026-12-31".into()),
            ip_terms: Some("成果归企业所有，解题方可用于教学科研".into()),
        }
    }

    #[test]
    fn complete_card_has_no_issue() {
        assert_eq!(check_card(&complete()), vec![]);
    }

    #[test]
    fn empty_card_lists_every_field() {
        let fields: Vec<&str> = check_card(&DemandCard::default())
            .iter()
            .map(|i| i.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "text",
                "target_metric",
                "current_state",
                "trl",
                "budget_band",
                "deadline",
                "ip_terms"
            ]
        );
    }

    #[test]
    fn vague_values_are_named() {
        let card = DemandCard {
            target_metric: Some("性能明显提升".into()),
            budget_band: Some("面议".into()),
            deadline: Some("尽快".into()),
            ip_terms: Some("协商".into()),
            trl: Some(12),
            ..complete()
        };
        let codes: Vec<&str> = check_card(&card).iter().map(|i| i.code).collect();
        assert_eq!(
            codes,
            [
                "card.target_metric.no_number",
                "card.trl.out_of_range",
                "card.budget_band.no_amount",
                "card.deadline.vague",
                "card.ip_terms.vague"
            ]
        );
        assert!(check_card(&card)[2].message.contains("面议"));
    }

    #[test]
    fn durations_and_chinese_dates_are_concrete() {
        for d in ["12个月", "2026年6月", "2026年6月30日", "90天", "2026/06"] {
            assert!(is_concrete_deadline(d), "{d}");
        }
        assert!(!is_concrete_deadline("年底前"));
    }
}
