//! Boilerplate learned from the corpus: document frequencies of shingles, and the rule that a
//! shingle found in many applications carries no evidence of copying.

use crate::config::DedupConfig;
use crate::hash::FoldMap;

/// How many applications contain each shingle.
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    counts: FoldMap<u64, u32>,
    docs: u32,
}

impl DocFreq {
    /// Counts one application's unique shingle set.
    pub fn add(&mut self, set: &[u64]) {
        self.docs += 1;
        for &h in set {
            *self.counts.entry(h).or_insert(0) += 1;
        }
    }

    /// Adds the counts of another table (from another thread).
    pub fn merge(&mut self, other: DocFreq) {
        self.docs += other.docs;
        if self.counts.is_empty() {
            self.counts = other.counts;
            return;
        }
        for (h, c) in other.counts {
            *self.counts.entry(h).or_insert(0) += c;
        }
    }

    /// Number of applications counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Number of applications containing `h`.
    #[inline]
    pub fn get(&self, h: u64) -> u32 {
        self.counts.get(&h).copied().unwrap_or(0)
    }

    /// Number of distinct shingles counted.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// The boilerplate rule for the current corpus size.
    pub fn rule(&self, cfg: &DedupConfig) -> Boilerplate<'_> {
        let relative = (cfg.boilerplate_share * f64::from(self.docs)).ceil() as u32;
        Boilerplate {
            df: self,
            min_docs: relative.max(cfg.boilerplate_min_docs).max(2),
        }
    }
}

/// Decides whether a shingle is boilerplate: present in at least `min_docs` applications.
#[derive(Debug, Clone, Copy)]
pub struct Boilerplate<'a> {
    df: &'a DocFreq,
    min_docs: u32,
}

impl Boilerplate<'_> {
    /// Whether `h` is common enough to be boilerplate.
    #[inline]
    pub fn is_boilerplate(&self, h: u64) -> bool {
        self.df.get(h) >= self.min_docs
    }

    /// Whether `h` is rare enough to serve as an anchor for candidate generation: at most an eighth
    /// of the boilerplate level (common phrases make long postings and carry little evidence; the
    /// exact verification still uses them).
    #[inline]
    pub fn is_anchor(&self, h: u64) -> bool {
        self.df.get(h) <= self.anchor_max_docs()
    }

    /// The largest document count of an anchor shingle.
    pub fn anchor_max_docs(&self) -> u32 {
        (self.min_docs / 8).max(8)
    }

    /// The document count from which a shingle is boilerplate.
    pub fn min_docs(&self) -> u32 {
        self.min_docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_relative_with_a_floor() {
        let mut df = DocFreq::default();
        for _ in 0..10_000 {
            df.add(&[1]);
        }
        df.add(&[2]);
        let cfg = DedupConfig::default();
        let rule = df.rule(&cfg);
        assert_eq!(rule.min_docs(), 51);
        assert!(rule.is_boilerplate(1));
        assert!(!rule.is_boilerplate(2));
        let small = DocFreq::default();
        assert_eq!(small.rule(&cfg).min_docs(), 20);
    }
}
