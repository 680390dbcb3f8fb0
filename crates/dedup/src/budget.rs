//! Budget lines claimed twice: item names normalised, amounts compared with a tolerance, lines
//! common to many applications (e.g. a standard 会议费 5000) discounted like text boilerplate.

use serde::{Deserialize, Serialize};

use crate::config::DedupConfig;
use crate::normalize::content_string;
use crate::types::BudgetLine;

/// A budget line ready for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalLine {
    /// Normalised item name (width/case folded, punctuation and spaces removed).
    pub item: String,
    /// Amount.
    pub amount: f64,
    /// Item name as submitted (for evidence).
    pub original: String,
}

/// Normalises submitted budget lines; lines with an empty item or a non-positive or non-finite
/// amount carry no evidence and are dropped.
pub fn normalise(lines: &[BudgetLine]) -> Vec<NormalLine> {
    lines
        .iter()
        .filter(|l| l.amount.is_finite() && l.amount > 0.0)
        .filter_map(|l| {
            let item = content_string(&l.item);
            (!item.is_empty()).then(|| NormalLine {
                item,
                amount: l.amount,
                original: l.item.trim().to_string(),
            })
        })
        .collect()
}

/// Whether two amounts are equal within the relative tolerance.
#[inline]
pub fn same_amount(x: f64, y: f64, tolerance: f64) -> bool {
    (x - y).abs() <= tolerance * x.abs().max(y.abs())
}

/// A budget line found in both applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedBudgetLine {
    /// Item as written in `a`.
    pub item_a: String,
    /// Item as written in `b`.
    pub item_b: String,
    /// Amount in `a`.
    pub amount_a: f64,
    /// Amount in `b`.
    pub amount_b: f64,
}

/// Budget lines shared by a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetEvidence {
    /// The shared lines.
    pub lines: Vec<SharedBudgetLine>,
    /// Shared lines over the smaller budget.
    pub share: f64,
}

/// Minimum shared lines for the budget signal.
pub const MIN_SHARED_LINES: usize = 2;

/// Lines of `a` that `b` also claims (each line of `b` used once), skipping lines `common`.
pub fn shared_lines(
    a: &[NormalLine],
    b: &[NormalLine],
    cfg: &DedupConfig,
    common: impl Fn(&NormalLine) -> bool,
) -> Option<BudgetEvidence> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut used = vec![false; b.len()];
    let mut lines = Vec::new();
    for x in a.iter().filter(|x| !common(x)) {
        let hit = b.iter().enumerate().position(|(j, y)| {
            !used[j] && y.item == x.item && same_amount(x.amount, y.amount, cfg.budget_tolerance)
        });
        if let Some(j) = hit {
            used[j] = true;
            lines.push(SharedBudgetLine {
                item_a: x.original.clone(),
                item_b: b[j].original.clone(),
                amount_a: x.amount,
                amount_b: b[j].amount,
            });
        }
    }
    let share = lines.len() as f64 / a.len().min(b.len()) as f64;
    (lines.len() >= MIN_SHARED_LINES && share >= 0.5).then(|| BudgetEvidence {
        lines,
        share: crate::align::round4(share),
    })
}

/// Budget lines of many applications, bucketed by item and log-amount so that lookups within
/// the tolerance touch only neighbouring buckets.
#[derive(Debug, Clone, Default)]
pub struct BudgetIndex {
    map: std::collections::HashMap<(String, i64), Vec<(f64, u32)>>,
}

impl BudgetIndex {
    fn bucket(amount: f64, cfg: &DedupConfig) -> i64 {
        let step = (1.0 + cfg.budget_tolerance.max(1e-6)).ln();
        (amount.ln() / step).floor() as i64
    }

    /// Records the lines of application `doc`.
    pub fn add(&mut self, doc: u32, lines: &[NormalLine], cfg: &DedupConfig) {
        for l in lines {
            let key = (l.item.clone(), Self::bucket(l.amount, cfg));
            self.map.entry(key).or_default().push((l.amount, doc));
        }
    }

    /// Applications claiming the same item with the same amount (within tolerance); sorted, unique.
    pub fn holders(&self, line: &NormalLine, cfg: &DedupConfig) -> Vec<u32> {
        let b = Self::bucket(line.amount, cfg);
        let mut out = Vec::new();
        for k in b - 1..=b + 1 {
            if let Some(v) = self.map.get(&(line.item.clone(), k)) {
                out.extend(
                    v.iter()
                        .filter(|x| same_amount(x.0, line.amount, cfg.budget_tolerance))
                        .map(|x| x.1),
                );
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(item: &str, amount: f64) -> BudgetLine {
        BudgetLine {
            item: item.into(),
            amount,
        }
    }

    #[test]
    fn same_lines_with_tolerance_and_normalised_names() {
        let cfg = DedupConfig::default();
        let a = normalise(&[
            line("设备费（购置）", 120_000.0),
            line("材料费", 30_000.0),
            line("差旅费", 8_000.0),
        ]);
        let b = normalise(&[
            line("设备费(购置)", 120_500.0),
            line(" 材料费 ", 30_000.0),
            line("劳务费", 8_000.0),
        ]);
        let ev = shared_lines(&a, &b, &cfg, |_| false).expect("shared");
        assert_eq!(ev.lines.len(), 2);
        assert!(shared_lines(&a, &b, &cfg, |l| l.item == "材料费").is_none());
        assert!(normalise(&[line("x", f64::NAN), line("", 3.0), line("y", -1.0)]).is_empty());
    }
}
