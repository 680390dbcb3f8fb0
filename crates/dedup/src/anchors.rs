//! Candidate generation: a consistent sample of each application's informative shingles
//! ("anchors"), an inverted index over them, and the shared-anchor tests that decide which pairs
//! go to exact verification.

use crate::config::DedupConfig;
use crate::features::Features;
use crate::hash::FoldMap;

/// The anchors of one application: codes (sorted) and, for each, the first sentence holding it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    /// Sorted anchor codes.
    pub codes: Vec<u64>,
    /// Sentence index of each code.
    pub sentence: Vec<u16>,
    /// Number of distinct sentences with at least one anchor.
    pub sentences: u32,
}

/// Samples anchors among the shingles that `keep` accepts: codes divisible by `anchor_sample`,
/// plus the `anchor_bottom_k` smallest codes. Both rules are consistent samples, so shared
/// content gives shared anchors; the bottom-k gives short texts anchors too.
pub fn anchors(f: &Features, cfg: &DedupConfig, keep: impl Fn(u64) -> bool) -> Anchors {
    let eligible: Vec<bool> = f.shingles.iter().map(|&h| keep(h)).collect();
    anchors_from(f, &eligible, cfg)
}

/// As [`anchors`], with eligibility given per position of `f.shingles` (so a caller that has
/// looked up document frequencies once need not look them up again).
pub fn anchors_from(f: &Features, eligible: &[bool], cfg: &DedupConfig) -> Anchors {
    let m = cfg.anchor_sample.max(1);
    let k = cfg.anchor_bottom_k;
    // The k-th smallest distinct eligible code bounds the bottom-k (kept in a small sorted buffer).
    let mut bottom: Vec<u64> = Vec::with_capacity(k + 1);
    for (&h, _) in f.shingles.iter().zip(eligible).filter(|&(_, &e)| e) {
        if bottom.len() == k && bottom.last().is_some_and(|&l| h >= l) {
            continue;
        }
        if let Err(pos) = bottom.binary_search(&h) {
            bottom.insert(pos, h);
            bottom.truncate(k);
        }
    }
    let bound = if k == 0 {
        None
    } else {
        Some(bottom.last().copied().unwrap_or(0))
    };
    let mut pairs: Vec<(u64, u16)> = Vec::new();
    for (i, s) in f.sentences.iter().enumerate() {
        let si = i.min(u16::MAX as usize) as u16;
        let base = s.range.start as usize;
        for (j, &h) in f.sentence(i).iter().enumerate() {
            if eligible.get(base + j).copied().unwrap_or(false)
                && (h % m == 0 || bound.is_some_and(|b| h <= b))
            {
                pairs.push((h, si));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    let mut seen: Vec<u16> = pairs.iter().map(|p| p.1).collect();
    seen.sort_unstable();
    seen.dedup();
    Anchors {
        codes: pairs.iter().map(|p| p.0).collect(),
        sentence: pairs.iter().map(|p| p.1).collect(),
        sentences: seen.len() as u32,
    }
}

/// Largest number of applications the postings can address (26 bits; 6 bits hold a sentence).
pub const MAX_DOCS: usize = 1 << 26;

/// Inverted index from anchor to the applications (and their sentence, modulo 64) holding it,
/// in shards so that a batch can build it on several threads.
#[derive(Debug, Clone)]
pub struct Postings {
    shards: Vec<FoldMap<u64, Vec<u32>>>,
    entries: usize,
}

impl Default for Postings {
    fn default() -> Self {
        Postings {
            shards: vec![FoldMap::default()],
            entries: 0,
        }
    }
}

#[inline]
fn shard_of(h: u64, shards: usize) -> usize {
    ((h >> 40) % shards as u64) as usize
}

#[inline]
fn entry(doc: u32, sentence: u16) -> u32 {
    (doc << 6) | u32::from(sentence % 64)
}

/// Anchor totals of a stored application, for the other side of the candidate tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnchorTotals {
    /// Number of anchors.
    pub codes: u32,
    /// Number of sentences with an anchor.
    pub sentences: u32,
}

impl Anchors {
    /// Totals for the candidate tests.
    pub fn totals(&self) -> AnchorTotals {
        AnchorTotals {
            codes: self.codes.len() as u32,
            sentences: self.sentences,
        }
    }
}

/// Per-candidate tallies: shared anchors, query sentences hit, candidate sentences hit.
pub trait Tally {
    /// Clears for the next query.
    fn reset(&mut self);
    /// Records one shared anchor.
    fn hit(&mut self, d: u32, q_sentence_bit: u64, d_sentence_bit: u64);
    /// Visits every candidate with its tallies.
    fn each(&self, f: &mut dyn FnMut(u32, u32, u64, u64));
}

/// Dense tallies for batch runs (one slot per application; fast, `O(n)` memory per thread).
/// A slot packs the three tallies into 12 bytes so a hit touches one cache line; sentence bits
/// are kept modulo 32 here (the candidate tests cap sentence counts accordingly).
#[derive(Debug, Clone, Default)]
pub struct DenseTally {
    slots: Vec<[u32; 3]>,
    touched: Vec<u32>,
}

impl DenseTally {
    /// Tallies for `n` applications.
    pub fn new(n: usize) -> Self {
        DenseTally {
            slots: vec![[0; 3]; n],
            touched: Vec::new(),
        }
    }
}

#[inline]
fn fold32(bits: u64) -> u32 {
    (bits as u32) | ((bits >> 32) as u32)
}

impl Tally for DenseTally {
    fn reset(&mut self) {
        for &d in &self.touched {
            self.slots[d as usize] = [0; 3];
        }
        self.touched.clear();
    }
    #[inline]
    fn hit(&mut self, d: u32, qb: u64, db: u64) {
        let s = &mut self.slots[d as usize];
        if s[0] == 0 {
            self.touched.push(d);
        }
        s[0] = s[0].saturating_add(1);
        s[1] |= fold32(qb);
        s[2] |= fold32(db);
    }
    fn each(&self, f: &mut dyn FnMut(u32, u32, u64, u64)) {
        for &d in &self.touched {
            let s = self.slots[d as usize];
            f(d, s[0], u64::from(s[1]), u64::from(s[2]));
        }
    }
}

/// Sparse tallies for single queries against a large index.
#[derive(Debug, Clone, Default)]
pub struct SparseTally(FoldMap<u32, (u32, u64, u64)>);

impl Tally for SparseTally {
    fn reset(&mut self) {
        self.0.clear();
    }
    #[inline]
    fn hit(&mut self, d: u32, qb: u64, db: u64) {
        let e = self.0.entry(d).or_insert((0, 0, 0));
        e.0 += 1;
        e.1 |= qb;
        e.2 |= db;
    }
    fn each(&self, f: &mut dyn FnMut(u32, u32, u64, u64)) {
        for (&d, &(n, q, m)) in &self.0 {
            f(d, n, q, m);
        }
    }
}

impl Postings {
    /// Builds the postings of applications `0..docs.len()` on `threads` threads.
    pub fn build(docs: &[Anchors], threads: usize) -> Postings {
        let shards = threads.max(1);
        let maps = crate::par::map(shards, shards, |k| {
            let mut map: FoldMap<u64, Vec<u32>> = FoldMap::default();
            for (d, a) in docs.iter().enumerate() {
                for (&h, &s) in a.codes.iter().zip(&a.sentence) {
                    if shard_of(h, shards) == k {
                        map.entry(h).or_default().push(entry(d as u32, s));
                    }
                }
            }
            map
        });
        Postings {
            shards: maps,
            entries: docs.iter().map(|a| a.codes.len()).sum(),
        }
    }

    /// Records the anchors of application `doc` (`doc` < [`MAX_DOCS`], increasing).
    pub fn add(&mut self, doc: u32, a: &Anchors) {
        let n = self.shards.len();
        for (&h, &s) in a.codes.iter().zip(&a.sentence) {
            self.shards[shard_of(h, n)]
                .entry(h)
                .or_default()
                .push(entry(doc, s));
        }
        self.entries += a.codes.len();
    }

    #[inline]
    fn get(&self, h: u64) -> Option<&Vec<u32>> {
        self.shards[shard_of(h, self.shards.len())].get(&h)
    }

    /// Number of (anchor, application) entries.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Number of distinct anchors.
    pub fn distinct(&self) -> usize {
        self.shards.iter().map(|m| m.len()).sum()
    }

    /// Applications, admitted by `admit`, that share enough anchors with the query to deserve
    /// exact verification: at least `candidate_min_share` of the anchors of each side, spread
    /// over enough sentences of each side for the lowest threshold to be reachable (with slack,
    /// since a reused sentence may lose its few anchors to edits). `other` gives a stored
    /// application's totals; `needs_new_title_threshold` says whether a pair can only be flagged
    /// at `threshold_new_title` (titles disagree), which scales the tests up accordingly.
    /// Only applications numbered from `from` on are considered.
    #[allow(clippy::too_many_arguments)]
    pub fn candidates<T: Tally>(
        &self,
        q: &Anchors,
        cfg: &DedupConfig,
        from: u32,
        admit: impl Fn(u32) -> bool,
        other: impl Fn(u32) -> AnchorTotals,
        needs_new_title_threshold: impl Fn(u32) -> bool,
        tally: &mut T,
    ) -> Vec<u32> {
        tally.reset();
        let first = from.min(u32::MAX >> 6) << 6;
        for (h, &s) in q.codes.iter().zip(&q.sentence) {
            if let Some(list) = self.get(*h) {
                let qb = 1u64 << (s % 64);
                // Lists are in insertion order, i.e. sorted by application.
                let start = list.partition_point(|&e| e < first);
                for &e in &list[start..] {
                    let d = e >> 6;
                    if admit(d) {
                        tally.hit(d, qb, 1u64 << (e & 63));
                    }
                }
            }
        }
        let low = cfg.threshold.min(cfg.threshold_new_title).max(1e-6);
        let high = cfg.threshold_new_title.max(low);
        let t_q = q.totals();
        // Anchor shares scale with the score needed; sentence shares allow 20 % slack.
        let passes = |level: f64, n: u32, qm: u64, dm: u64, t_d: AnchorTotals| {
            let c = cfg.candidate_min_share * level / low;
            // Tallies may fold sentence bits to 32, so counts are capped there.
            let need_sentences =
                |m: u32| ((0.8 * level * f64::from(m.min(32))).ceil() as u32).max(1);
            f64::from(n) >= (c * f64::from(t_q.codes)).max(1.0)
                && f64::from(n) >= c * f64::from(t_d.codes)
                && qm.count_ones() >= need_sentences(t_q.sentences)
                && dm.count_ones() >= need_sentences(t_d.sentences)
        };
        let mut out = Vec::new();
        tally.each(&mut |d, n, qm, dm| {
            let t_d = other(d);
            // The cheap test at the lowest level first; the title only decides a stricter one.
            if passes(low, n, qm, dm, t_d)
                && (high <= low || passes(high, n, qm, dm, t_d) || !needs_new_title_threshold(d))
            {
                out.push(d);
            }
        });
        out.sort_unstable();
        out
    }
}
