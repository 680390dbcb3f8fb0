//! Batch near-duplicate text detection over a whole corpus: shingles, learned boilerplate,
//! anchor candidates, exact verification, in parallel.

use crate::align::{title_overlap, titles_disagree, verify, Profile, TextEvidence};
use crate::anchors::{anchors_from, Anchors, DenseTally, Postings, MAX_DOCS};
use crate::boilerplate::DocFreq;
use crate::config::DedupConfig;
use crate::features::{features, title_shingles};
use crate::par;

/// A pair of corpus positions whose texts are near-duplicates; `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPair {
    /// Position of the first text.
    pub a: usize,
    /// Position of the second text.
    pub b: usize,
    /// Why.
    pub evidence: TextEvidence,
}

/// Counters from a batch run, for reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextStats {
    /// Candidate pairs sent to exact verification.
    pub candidates: u64,
    /// Distinct shingles in the corpus.
    pub distinct_shingles: usize,
    /// Document frequency from which a shingle is boilerplate.
    pub boilerplate_min_docs: u32,
}

/// Finds every near-duplicate pair among `texts` (with their `titles`, same length). At most
/// [`MAX_DOCS`] texts are considered.
pub fn detect_text(
    texts: &[&str],
    titles: &[&str],
    cfg: &DedupConfig,
) -> (Vec<TextPair>, TextStats) {
    let n = texts.len().min(titles.len()).min(MAX_DOCS);
    let threads = cfg.threads.max(1);
    // Pass 1: document frequencies (per thread, then merged).
    let dfs = par::map(threads, threads, |t| {
        let mut df = DocFreq::default();
        for text in texts.iter().take(n).skip(t).step_by(threads) {
            df.add(&features(text, cfg.shingle_len).set());
        }
        df
    });
    let mut df = DocFreq::default();
    for d in dfs {
        df.merge(d);
    }
    let rule = df.rule(cfg);
    let title_sets: Vec<Vec<u64>> = par::map(n, threads, |i| title_shingles(titles[i]));
    let mut title_df = DocFreq::default();
    for t in &title_sets {
        title_df.add(t);
    }
    let title_rule = title_df.rule(cfg);
    let titles_informative: Vec<Vec<u64>> = par::map(n, threads, |i| {
        Profile::informative_title(&title_sets[i], &title_rule)
    });
    // Pass 2: anchors and boilerplate masks (one frequency lookup per shingle), then postings.
    let prepared: Vec<(Anchors, Vec<u64>)> = par::map(n, threads, |i| {
        let f = features(texts[i], cfg.shingle_len);
        let counts: Vec<u32> = f.shingles.iter().map(|&h| df.get(h)).collect();
        let eligible: Vec<bool> = counts
            .iter()
            .map(|&c| c <= rule.anchor_max_docs())
            .collect();
        let mut mask = vec![0u64; counts.len().div_ceil(64)];
        for (k, &c) in counts.iter().enumerate() {
            if c >= rule.min_docs() {
                mask[k / 64] |= 1 << (k % 64);
            }
        }
        (anchors_from(&f, &eligible, cfg), mask)
    });
    let (anchor_sets, masks): (Vec<Anchors>, Vec<Vec<u64>>) = prepared.into_iter().unzip();
    let postings = Postings::build(&anchor_sets, threads);
    let totals: Vec<_> = anchor_sets.iter().map(|a| a.totals()).collect();
    let tallies: Vec<std::sync::Mutex<DenseTally>> = (0..threads)
        .map(|_| std::sync::Mutex::new(DenseTally::new(n)))
        .collect();
    let results = par::map(n, threads, |i| {
        // Round-robin dealing gives thread `i % threads` this index, so its tally is uncontended.
        let mut tally = match tallies[i % threads].lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        let cands = postings.candidates(
            &anchor_sets[i],
            cfg,
            i as u32 + 1,
            |d| d as usize > i,
            |d| totals[d as usize],
            |d| {
                titles_disagree(
                    title_overlap(&titles_informative[i], &titles_informative[d as usize]),
                    cfg,
                )
            },
            &mut *tally,
        );
        drop(tally);
        if cands.is_empty() {
            return (Vec::new(), 0u64);
        }
        let profile = |d: usize| {
            let f = features(texts[d], cfg.shingle_len);
            Profile::with_mask(&f, &masks[d], &title_sets[d], &title_rule, cfg)
        };
        let pi = profile(i);
        let mut found = Vec::new();
        for &j in &cands {
            let pj = profile(j as usize);
            if let Some(evidence) = verify(&pi, &pj, cfg) {
                found.push(TextPair {
                    a: i,
                    b: j as usize,
                    evidence,
                });
            }
        }
        (found, cands.len() as u64)
    });
    let mut stats = TextStats {
        candidates: 0,
        distinct_shingles: df.distinct(),
        boilerplate_min_docs: rule.min_docs(),
    };
    let mut pairs = Vec::new();
    for (found, c) in results {
        stats.candidates += c;
        pairs.extend(found);
    }
    (pairs, stats)
}
