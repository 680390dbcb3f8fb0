//! Exact verification of a candidate pair: sentence-level alignment on informative shingles,
//! the two reuse shares, the score, and the evidence (aligned passages, excluded boilerplate).

use serde::{Deserialize, Serialize};

use crate::boilerplate::Boilerplate;
use crate::config::DedupConfig;
use crate::features::Features;

/// A character span of an application's text (Unicode scalar offsets, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// A sentence of one application aligned with the sentence of the other that it reuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignedPassage {
    /// Span in application `a`.
    pub a: Span,
    /// Span in application `b`.
    pub b: Span,
    /// Share of the shorter sentence's informative shingles found in the longer one.
    pub similarity: f64,
}

/// Why a text pair was judged a duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextEvidence {
    /// The smallest of the four shares below: symmetric by construction.
    pub score: f64,
    /// Share of `a`'s non-boilerplate content (by informative shingles) reused in `b`.
    pub share_a: f64,
    /// Share of `b`'s non-boilerplate content reused in `a`.
    pub share_b: f64,
    /// Share of `a`'s non-boilerplate sentences reused in `b`.
    pub sentence_share_a: f64,
    /// Share of `b`'s non-boilerplate sentences reused in `a`.
    pub sentence_share_b: f64,
    /// Share of the shorter title's informative bigrams found in the other title; absent when a
    /// title is empty or only generic words (then it neither supports nor contradicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_similarity: Option<f64>,
    /// Matched sentence pairs, in `a`'s order.
    pub passages: Vec<AlignedPassage>,
    /// Sentences of `a` counted as reused in `b`: exactly the ones `share_a` and
    /// `sentence_share_a` count (a passage may also pair a sentence of `a` that is only the
    /// nearest one to a reused sentence of `b`).
    #[serde(default)]
    pub reused_a: Vec<Span>,
    /// Sentences of `b` counted as reused in `a` (`share_b`, `sentence_share_b`).
    #[serde(default)]
    pub reused_b: Vec<Span>,
    /// Sentences of `a` excluded as boilerplate.
    pub boilerplate_a: Vec<Span>,
    /// Sentences of `b` excluded as boilerplate.
    pub boilerplate_b: Vec<Span>,
}

/// One sentence after boilerplate removal.
#[derive(Debug, Clone)]
struct SentenceProfile {
    span: Span,
    /// Range into `Profile::informative`.
    start: u32,
    end: u32,
    boilerplate: bool,
}

/// A mostly-boilerplate sentence with at least this many informative shingles keeps them.
const MIN_INFORMATIVE_SHINGLES: usize = 8;

/// A document ready for verification: informative shingles per sentence and a sorted lookup
/// from shingle to the sentence it comes from.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    sentences: Vec<SentenceProfile>,
    informative: Vec<u64>,
    keys: Vec<u64>,
    key_sentence: Vec<u32>,
    weight: u32,
    informative_sentences: u32,
    title: Vec<u64>,
}

impl Profile {
    /// Builds the profile of text features `f` and title bigrams `title` under the boilerplate
    /// rules of texts and titles.
    pub fn new(
        f: &Features,
        rule: &Boilerplate<'_>,
        title: &[u64],
        title_rule: &Boilerplate<'_>,
        cfg: &DedupConfig,
    ) -> Profile {
        Profile::with(f, |_, h| rule.is_boilerplate(h), title, title_rule, cfg)
    }

    /// The informative title bigrams of a title under the title boilerplate rule.
    pub fn informative_title(title: &[u64], title_rule: &Boilerplate<'_>) -> Vec<u64> {
        title
            .iter()
            .copied()
            .filter(|&h| !title_rule.is_boilerplate(h))
            .collect()
    }

    /// As [`Profile::new`], with the text's boilerplate shingles given as a bit mask over
    /// `f.shingles` (see [`boilerplate_mask`]) instead of looked up again.
    pub fn with_mask(
        f: &Features,
        mask: &[u64],
        title: &[u64],
        title_rule: &Boilerplate<'_>,
        cfg: &DedupConfig,
    ) -> Profile {
        let bit = |i: usize| mask.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1);
        Profile::with(f, |i, _| bit(i), title, title_rule, cfg)
    }

    fn with(
        f: &Features,
        is_boilerplate: impl Fn(usize, u64) -> bool,
        title: &[u64],
        title_rule: &Boilerplate<'_>,
        cfg: &DedupConfig,
    ) -> Profile {
        let mut p = Profile {
            title: Profile::informative_title(title, title_rule),
            ..Profile::default()
        };
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (i, s) in f.sentences.iter().enumerate() {
            let all = f.sentence(i);
            let base = s.range.start as usize;
            let start = p.informative.len();
            p.informative.extend(
                all.iter()
                    .enumerate()
                    .filter(|&(k, &h)| !is_boilerplate(base + k, h))
                    .map(|(_, &h)| h),
            );
            let kept = p.informative.len() - start;
            // Mostly boilerplate and little else: an (edited) boilerplate sentence. Enough
            // informative shingles mean content glued to boilerplate by a lost full stop.
            let mostly = (kept as f64) < (1.0 - cfg.boilerplate_sentence_share) * all.len() as f64;
            let boilerplate = kept == 0 || (mostly && kept < MIN_INFORMATIVE_SHINGLES);
            if boilerplate {
                p.informative.truncate(start);
            } else {
                p.weight += kept as u32;
                p.informative_sentences += 1;
                let si = p.sentences.len() as u32;
                pairs.extend(p.informative[start..].iter().map(|&h| (h, si)));
            }
            p.sentences.push(SentenceProfile {
                span: Span {
                    start: s.start,
                    end: s.end,
                },
                start: start as u32,
                end: p.informative.len() as u32,
                boilerplate,
            });
        }
        pairs.sort_unstable();
        pairs.dedup_by_key(|x| x.0);
        p.keys = pairs.iter().map(|x| x.0).collect();
        p.key_sentence = pairs.iter().map(|x| x.1).collect();
        p
    }

    /// Total informative weight (shingles of non-boilerplate sentences).
    pub fn weight(&self) -> u32 {
        self.weight
    }

    fn sentence(&self, i: usize) -> &[u64] {
        let s = &self.sentences[i];
        &self.informative[s.start as usize..s.end as usize]
    }

    #[inline]
    fn find(&self, h: u64) -> Option<u32> {
        self.keys
            .binary_search(&h)
            .ok()
            .map(|i| self.key_sentence[i])
    }

    fn boilerplate_spans(&self) -> Vec<Span> {
        self.sentences
            .iter()
            .filter(|s| s.boilerplate)
            .map(|s| s.span)
            .collect()
    }
}

/// Bit mask over `f.shingles`: bit set where the shingle is boilerplate.
pub fn boilerplate_mask(f: &Features, rule: &Boilerplate<'_>) -> Vec<u64> {
    let mut mask = vec![0u64; f.shingles.len().div_ceil(64)];
    for (i, &h) in f.shingles.iter().enumerate() {
        if rule.is_boilerplate(h) {
            mask[i / 64] |= 1 << (i % 64);
        }
    }
    mask
}

/// Per-sentence result of aligning one side against the other.
struct SideAlignment {
    reused_weight: u32,
    reused_sentences: u32,
    /// (sentence of this side, best sentence of the other side, containment) for reused sentences.
    matches: Vec<(usize, usize, f64)>,
}

fn align_side(x: &Profile, y: &Profile, cfg: &DedupConfig, want_matches: bool) -> SideAlignment {
    let mut out = SideAlignment {
        reused_weight: 0,
        reused_sentences: 0,
        matches: Vec::new(),
    };
    let mut votes: Vec<(u32, u32)> = Vec::new();
    for (i, s) in x.sentences.iter().enumerate() {
        if s.boilerplate {
            continue;
        }
        let sh = x.sentence(i);
        votes.clear();
        let mut shared = 0u32;
        for &h in sh {
            if let Some(j) = y.find(h) {
                shared += 1;
                if want_matches {
                    match votes.iter_mut().find(|v| v.0 == j) {
                        Some(v) => v.1 += 1,
                        None => votes.push((j, 1)),
                    }
                }
            }
        }
        let containment = f64::from(shared) / sh.len() as f64;
        if containment >= cfg.sentence_containment {
            out.reused_weight += sh.len() as u32;
            out.reused_sentences += 1;
            if want_matches {
                if let Some(&(j, n)) = votes.iter().max_by_key(|v| (v.1, std::cmp::Reverse(v.0))) {
                    let other = y.sentence(j as usize).len().max(1);
                    let sim = f64::from(n) / sh.len().min(other) as f64;
                    out.matches.push((i, j as usize, sim.min(1.0)));
                }
            }
        }
    }
    out
}

/// The reuse shares of a pair, each direction by content and by sentences.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Shares {
    /// Share of `a`'s informative shingles in reused sentences.
    pub a: f64,
    /// Share of `b`'s informative shingles in reused sentences.
    pub b: f64,
    /// Share of `a`'s informative sentences reused.
    pub sentences_a: f64,
    /// Share of `b`'s informative sentences reused.
    pub sentences_b: f64,
}

impl Shares {
    /// The pair's score: the smallest share. Content shares stop one long shared sentence from
    /// passing for reuse of a whole text, sentence shares stop one long sentence from dominating;
    /// taking both directions makes quoting a short text inside a long one not a re-filing.
    pub fn score(&self) -> f64 {
        self.a
            .min(self.b)
            .min(self.sentences_a)
            .min(self.sentences_b)
    }
}

fn ratio(x: u32, of: u32) -> f64 {
    if of == 0 {
        0.0
    } else {
        f64::from(x) / f64::from(of)
    }
}

fn shares_from(a: &Profile, b: &Profile, sa: &SideAlignment, sb: &SideAlignment) -> Shares {
    Shares {
        a: ratio(sa.reused_weight, a.weight),
        b: ratio(sb.reused_weight, b.weight),
        sentences_a: ratio(sa.reused_sentences, a.informative_sentences),
        sentences_b: ratio(sb.reused_sentences, b.informative_sentences),
    }
}

/// The reuse shares of a pair, without evidence (the fast path of verification).
pub fn shares(a: &Profile, b: &Profile, cfg: &DedupConfig) -> Shares {
    if a.weight == 0 || b.weight == 0 {
        return Shares::default();
    }
    let sa = align_side(a, b, cfg, false);
    let sb = align_side(b, a, cfg, false);
    shares_from(a, b, &sa, &sb)
}

/// Share of the shorter informative title found in the other (`None` when either has none).
pub fn title_similarity(a: &Profile, b: &Profile) -> Option<f64> {
    title_overlap(&a.title, &b.title)
}

/// Share of the shorter of two sorted informative title-bigram lists found in the other
/// (`None` when either is empty).
pub fn title_overlap(a: &[u64], b: &[u64]) -> Option<f64> {
    let (x, y) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if x.is_empty() {
        return None;
    }
    let shared = x.iter().filter(|h| y.binary_search(h).is_ok()).count();
    Some(shared as f64 / x.len() as f64)
}

/// Whether two titles contradict each other: both informative and too different. A missing or
/// generic title is no evidence either way.
pub fn titles_disagree(similarity: Option<f64>, cfg: &DedupConfig) -> bool {
    similarity.is_some_and(|x| x < cfg.title_similarity)
}

/// The decision rule. Titles not in disagreement: each side has at least `threshold` of its
/// sentences reused, holding at least `content_threshold` of its content. Titles disagree: every
/// share reaches `threshold_new_title`.
pub fn is_duplicate(s: &Shares, title_similarity: Option<f64>, cfg: &DedupConfig) -> bool {
    if s.score() >= cfg.threshold_new_title {
        return true;
    }
    !titles_disagree(title_similarity, cfg)
        && s.sentences_a.min(s.sentences_b) >= cfg.threshold
        && s.a.min(s.b) >= cfg.content_threshold
}

/// Verifies a pair; returns the evidence when it is judged duplicate.
pub fn verify(a: &Profile, b: &Profile, cfg: &DedupConfig) -> Option<TextEvidence> {
    let s = shares(a, b, cfg);
    if !is_duplicate(&s, title_similarity(a, b), cfg) {
        return None;
    }
    Some(evidence(a, b, cfg))
}

/// Full evidence for a pair, whatever its score.
pub fn evidence(a: &Profile, b: &Profile, cfg: &DedupConfig) -> TextEvidence {
    let sa = align_side(a, b, cfg, true);
    let sb = align_side(b, a, cfg, true);
    let sh = shares_from(a, b, &sa, &sb);
    let mut passages: Vec<AlignedPassage> = sa
        .matches
        .iter()
        .map(|&(i, j, sim)| AlignedPassage {
            a: a.sentences[i].span,
            b: b.sentences[j].span,
            similarity: round4(sim),
        })
        .collect();
    for &(j, i, sim) in &sb.matches {
        let pa = a.sentences[i].span;
        let pb = b.sentences[j].span;
        if !passages.iter().any(|p| p.a == pa && p.b == pb) {
            passages.push(AlignedPassage {
                a: pa,
                b: pb,
                similarity: round4(sim),
            });
        }
    }
    passages.sort_by_key(|p| (p.a.start, p.b.start));
    let counted = |x: &Profile, m: &[(usize, usize, f64)]| -> Vec<Span> {
        m.iter().map(|&(i, _, _)| x.sentences[i].span).collect()
    };
    TextEvidence {
        reused_a: counted(a, &sa.matches),
        reused_b: counted(b, &sb.matches),
        score: round4(sh.score()),
        share_a: round4(sh.a),
        share_b: round4(sh.b),
        sentence_share_a: round4(sh.sentences_a),
        sentence_share_b: round4(sh.sentences_b),
        title_similarity: title_similarity(a, b).map(round4),
        passages,
        boilerplate_a: a.boilerplate_spans(),
        boilerplate_b: b.boilerplate_spans(),
    }
}

/// Rounds to four decimals so output is stable and readable.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
