//! The gap-to-action ledger (缺口台账): gaps opened from verdicts, actions taken on them, and
//! yearly snapshots that show whether each gap closed, is still open, or is stuck.

use serde::{Deserialize, Serialize};

use crate::diagnosis::{money, pct, NodeDiagnosis, VerdictKind};
use crate::error::ChainError;
use crate::metrics::NodeMetrics;

/// Figures of one node in one yearly snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeFigures {
    pub node: String,
    pub local_firms: u32,
    pub output: f64,
    pub local_demand: f64,
    pub local_supply_share: Option<f64>,
    pub local_suppliers: u32,
    pub verdicts: Vec<VerdictKind>,
}

/// All nodes' figures in one year (年度快照).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub year: u16,
    pub nodes: Vec<NodeFigures>,
}

impl Snapshot {
    /// Take a snapshot from metrics and their diagnoses (same order).
    pub fn from_diagnosis(
        year: u16,
        metrics: &[NodeMetrics],
        diagnoses: &[NodeDiagnosis],
    ) -> Snapshot {
        Snapshot {
            year,
            nodes: metrics
                .iter()
                .zip(diagnoses)
                .map(|(m, d)| NodeFigures {
                    node: m.node.clone(),
                    local_firms: m.local_firms,
                    output: m.output,
                    local_demand: m.local_demand,
                    local_supply_share: m.local_supply_share,
                    local_suppliers: m.local_suppliers,
                    verdicts: d.kinds(),
                })
                .collect(),
        }
    }

    pub fn node(&self, key: &str) -> Option<&NodeFigures> {
        self.nodes.iter().find(|n| n.node == key)
    }
}

/// A gap (缺口): a problem verdict on a node, from the year it was first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub id: String,
    pub node: String,
    pub verdict: VerdictKind,
    pub opened_year: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 招商线索
    InvestmentLead,
    /// 揭榜挂帅
    OpenChallenge,
    /// 供应商导入
    SupplierOnboarding,
    /// 资金支持
    Subsidy,
}

impl ActionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ActionKind::InvestmentLead => "招商线索",
            ActionKind::OpenChallenge => "揭榜挂帅",
            ActionKind::SupplierOnboarding => "供应商导入",
            ActionKind::Subsidy => "资金支持",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

/// An action taken on a gap. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub gap_id: String,
    pub kind: ActionKind,
    pub owner: String,
    pub start: String,
    pub due: String,
    pub status: ActionStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapState {
    /// 已闭合
    Closed,
    /// 推进中
    Open,
    /// 停滞
    Stuck,
}

/// Ledger parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerConfig {
    /// A gap still open this many years after it opened is stuck.
    pub stuck_after_years: u16,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            stuck_after_years: 2,
        }
    }
}

/// An action as seen on the reporting date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionProgress {
    pub id: String,
    pub kind: ActionKind,
    pub owner: String,
    pub status: ActionStatus,
    pub due: String,
    pub overdue: bool,
}

/// Where a gap stands, with the figures that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapProgress {
    pub gap_id: String,
    pub node: String,
    pub verdict: VerdictKind,
    pub opened_year: u16,
    pub state: GapState,
    pub closed_year: Option<u16>,
    /// Figures in the opening year (or the first snapshot after it).
    pub before: Option<NodeFigures>,
    /// Figures in the closing year, or the latest snapshot.
    pub after: Option<NodeFigures>,
    /// e.g. 「2025 年本地配套率 12% → 2026 年 46%，本地供应商 0 → 3 家」.
    pub explanation: String,
    pub actions: Vec<ActionProgress>,
}

/// Check `YYYY-MM-DD` (so that string order is date order).
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(
            &s[5..7],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

/// Gaps to open for the problem verdicts in `snapshot` that have no gap yet. Ids are
/// `node#verdict#year`.
pub fn open_gaps(snapshot: &Snapshot, existing: &[Gap]) -> Vec<Gap> {
    let mut out = Vec::new();
    for n in &snapshot.nodes {
        for &v in &n.verdicts {
            if !v.is_gap() {
                continue;
            }
            let known = existing.iter().any(|g| g.node == n.node && g.verdict == v);
            if !known {
                out.push(Gap {
                    id: format!("{}#{:?}#{}", n.node, v, snapshot.year).to_lowercase(),
                    node: n.node.clone(),
                    verdict: v,
                    opened_year: snapshot.year,
                });
            }
        }
    }
    out
}

fn share_text(s: Option<f64>) -> String {
    s.map(pct).unwrap_or_else(|| "无本地采购".into())
}

fn describe_change(a: &NodeFigures, ya: u16, b: &NodeFigures, yb: u16) -> String {
    format!(
        "{ya} 年本地配套率 {} → {yb} 年 {}，本地供应商 {} → {} 家，本地企业 {} → {} 家，产值 {} → {}",
        share_text(a.local_supply_share),
        share_text(b.local_supply_share),
        a.local_suppliers,
        b.local_suppliers,
        a.local_firms,
        b.local_firms,
        money(a.output),
        money(b.output)
    )
}

/// Report each gap as closed / open / stuck from the snapshots (any order), the actions and the
/// reporting date `as_of` (`YYYY-MM-DD`, used only to flag overdue actions).
///
/// A gap is closed when the latest snapshot after its opening year that contains the node no
/// longer shows the verdict; the closing year is the first year of that final verdict-free run.
/// It is stuck when still shown and either `stuck_after_years` have passed or an action is overdue.
pub fn track_gaps(
    gaps: &[Gap],
    actions: &[Action],
    snapshots: &[Snapshot],
    as_of: &str,
    cfg: &LedgerConfig,
) -> Result<Vec<GapProgress>, ChainError> {
    if !valid_date(as_of) {
        return Err(ChainError::InvalidInput(format!(
            "报告日期「{as_of}」应为 YYYY-MM-DD 格式"
        )));
    }
    for a in actions {
        for d in [&a.start, &a.due] {
            if !valid_date(d) {
                return Err(ChainError::InvalidInput(format!(
                    "行动「{}」的日期「{d}」应为 YYYY-MM-DD 格式",
                    a.id
                )));
            }
        }
        if a.due < a.start {
            return Err(ChainError::InvalidInput(format!(
                "行动「{}」的截止日期 {} 早于开始日期 {}",
                a.id, a.due, a.start
            )));
        }
        if !gaps.iter().any(|g| g.id == a.gap_id) {
            return Err(ChainError::InvalidInput(format!(
                "行动「{}」指向的缺口「{}」不存在",
                a.id, a.gap_id
            )));
        }
    }
    let mut snaps: Vec<&Snapshot> = snapshots.iter().collect();
    snaps.sort_by_key(|s| s.year);
    Ok(gaps
        .iter()
        .map(|g| {
            let series: Vec<(u16, &NodeFigures)> = snaps
                .iter()
                .filter(|s| s.year >= g.opened_year)
                .filter_map(|s| s.node(&g.node).map(|f| (s.year, f)))
                .collect();
            let acts: Vec<ActionProgress> = actions
                .iter()
                .filter(|a| a.gap_id == g.id)
                .map(|a| ActionProgress {
                    id: a.id.clone(),
                    kind: a.kind,
                    owner: a.owner.clone(),
                    status: a.status,
                    due: a.due.clone(),
                    overdue: a.due.as_str() < as_of
                        && !matches!(a.status, ActionStatus::Done | ActionStatus::Cancelled),
                })
                .collect();
            let first = series.first().copied();
            let last = series.last().copied();
            // Final run of snapshots (after the opening year) without the verdict.
            let mut closed_at: Option<(u16, &NodeFigures)> = None;
            for &(y, f) in series.iter().rev() {
                if y > g.opened_year && !f.verdicts.contains(&g.verdict) {
                    closed_at = Some((y, f));
                } else {
                    break;
                }
            }
            let label = g.verdict.label_zh();
            let overdue = acts.iter().filter(|a| a.overdue).count();
            let (state, closed_year, after, explanation) = match (first, closed_at, last) {
                (Some((ya, a)), Some((yb, b)), _) => (
                    GapState::Closed,
                    Some(yb),
                    Some(b.clone()),
                    format!(
                        "「{label}」已于 {yb} 年消除：{}",
                        describe_change(a, ya, b, yb)
                    ),
                ),
                (Some((ya, a)), None, Some((yl, l))) => {
                    let age = yl.saturating_sub(g.opened_year);
                    let stuck = age >= cfg.stuck_after_years || overdue > 0;
                    let mut text = format!(
                        "{} 年开启，至 {yl} 年仍为「{label}」（已 {age} 年）：{}",
                        g.opened_year,
                        describe_change(a, ya, l, yl)
                    );
                    if overdue > 0 {
                        text.push_str(&format!("；逾期行动 {overdue} 项"));
                    }
                    if acts.is_empty() {
                        text.push_str("；尚无行动");
                    }
                    (
                        if stuck {
                            GapState::Stuck
                        } else {
                            GapState::Open
                        },
                        None,
                        Some(l.clone()),
                        text,
                    )
                }
                _ => (
                    if overdue > 0 {
                        GapState::Stuck
                    } else {
                        GapState::Open
                    },
                    None,
                    None,
                    format!("{} 年开启，尚无该节点的年度快照", g.opened_year),
                ),
            };
            GapProgress {
                gap_id: g.id.clone(),
                node: g.node.clone(),
                verdict: g.verdict,
                opened_year: g.opened_year,
                state,
                closed_year,
                before: first.map(|(_, f)| f.clone()),
                after,
                explanation,
                actions: acts,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(
        share: Option<f64>,
        suppliers: u32,
        firms: u32,
        verdicts: Vec<VerdictKind>,
    ) -> NodeFigures {
        NodeFigures {
            node: "rare_earth/polishing".into(),
            local_firms: firms,
            output: 1_000.0 * firms as f64,
            local_demand: 5_000.0,
            local_supply_share: share,
            local_suppliers: suppliers,
            verdicts,
        }
    }

    fn snap(year: u16, f: NodeFigures) -> Snapshot {
        Snapshot {
            year,
            nodes: vec![f],
        }
    }

    fn action(due: &str, status: ActionStatus, gap: &str) -> Action {
        Action {
            id: "a1".into(),
            gap_id: gap.into(),
            kind: ActionKind::SupplierOnboarding,
            owner: "投促局".into(),
            start: "2025-01-01".into(),
            due: due.into(),
            status,
        }
    }

    #[test]
    fn a_gap_opened_then_cleared_is_closed_with_figures() {
        let s25 = snap(
            2025,
            figs(
                Some(0.12),
                0,
                0,
                vec![VerdictKind::Missing, VerdictKind::Blank],
            ),
        );
        let s26 = snap(2026, figs(Some(0.46), 3, 2, vec![VerdictKind::Small]));
        let gaps = open_gaps(&s25, &[]);
        assert_eq!(gaps.len(), 2);
        let acts = vec![action("2026-06-30", ActionStatus::Done, &gaps[0].id)];
        let p = track_gaps(
            &gaps,
            &acts,
            &[s26, s25],
            "2026-12-31",
            &LedgerConfig::default(),
        )
        .unwrap();
        let missing = p
            .iter()
            .find(|g| g.verdict == VerdictKind::Missing)
            .unwrap();
        assert_eq!(missing.state, GapState::Closed);
        assert_eq!(missing.closed_year, Some(2026));
        assert!(
            missing
                .explanation
                .contains("2025 年本地配套率 12% → 2026 年 46%，本地供应商 0 → 3 家"),
            "{}",
            missing.explanation
        );
        assert_eq!(missing.after.as_ref().unwrap().local_suppliers, 3);
    }

    #[test]
    fn a_gap_still_shown_is_open_then_stuck() {
        let s25 = snap(2025, figs(Some(0.1), 0, 1, vec![VerdictKind::Missing]));
        let s26 = snap(2026, figs(Some(0.11), 0, 1, vec![VerdictKind::Missing]));
        let s27 = snap(2027, figs(Some(0.12), 0, 1, vec![VerdictKind::Missing]));
        let gaps = open_gaps(&s25, &[]);
        let cfg = LedgerConfig::default();
        let p = track_gaps(&gaps, &[], &[s25.clone(), s26.clone()], "2026-12-31", &cfg).unwrap();
        assert_eq!(p[0].state, GapState::Open);
        let p = track_gaps(
            &gaps,
            &[],
            &[s25.clone(), s26.clone(), s27],
            "2027-12-31",
            &cfg,
        )
        .unwrap();
        assert_eq!(p[0].state, GapState::Stuck);
        // an overdue action makes it stuck early
        let acts = vec![action("2026-03-01", ActionStatus::InProgress, &gaps[0].id)];
        let p = track_gaps(&gaps, &acts, &[s25, s26], "2026-12-31", &cfg).unwrap();
        assert_eq!(p[0].state, GapState::Stuck);
        assert!(p[0].actions[0].overdue);
        assert!(p[0].explanation.contains("逾期行动 1 项"));
    }

    #[test]
    fn a_gap_that_reappears_is_not_closed() {
        let s25 = snap(2025, figs(Some(0.1), 0, 1, vec![VerdictKind::Missing]));
        let s26 = snap(2026, figs(Some(0.5), 2, 1, vec![]));
        let s27 = snap(2027, figs(Some(0.1), 0, 1, vec![VerdictKind::Missing]));
        let gaps = open_gaps(&s25, &[]);
        let p = track_gaps(
            &gaps,
            &[],
            &[s25, s26, s27],
            "2027-12-31",
            &LedgerConfig::default(),
        )
        .unwrap();
        assert_ne!(p[0].state, GapState::Closed);
        assert!(open_gaps(
            &snap(2027, figs(None, 0, 1, vec![VerdictKind::Missing])),
            &gaps
        )
        .is_empty());
    }

    #[test]
    fn bad_dates_and_dangling_actions_are_rejected() {
        let gaps = vec![];
        assert!(track_gaps(&gaps, &[], &[], "2026/12/31", &LedgerConfig::default()).is_err());
        let acts = vec![action("2026-13-01", ActionStatus::Planned, "x")];
        assert!(track_gaps(&gaps, &acts, &[], "2026-12-31", &LedgerConfig::default()).is_err());
        let acts = vec![action("2026-01-01", ActionStatus::Planned, "x")];
        let e = track_gaps(&gaps, &acts, &[], "2026-12-31", &LedgerConfig::default()).unwrap_err();
        assert!(e.to_string().contains("缺口「x」不存在"));
    }
}
