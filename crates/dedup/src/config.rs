//! The knobs of duplicate detection, with defaults that express the policy rather than a fit.

use crate::identity::IdentityKey;

/// Configuration of detection. A pair is a duplicate when the titles agree and each application
/// reuses at least `threshold` of the other's non-boilerplate sentences (holding at least
/// `content_threshold` of its content), or when at least `threshold_new_title` of both texts is
/// reused whatever the titles.
#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// Characters per shingle (1..=3).
    pub shingle_len: usize,
    /// A pair whose titles do not disagree (see `title_similarity`; a missing or generic title is
    /// no evidence) is flagged when each application has at least this share of its sentences
    /// reused in the other …
    pub threshold: f64,
    /// … and those sentences hold at least this share of its content (so a few short shared
    /// sentences do not pass for reuse).
    pub content_threshold: f64,
    /// A pair whose titles disagree is flagged only when all four shares (sentences and content,
    /// both ways) reach this: most of both texts reused, whatever the new title says.
    pub threshold_new_title: f64,
    /// Titles disagree when less than this share of the shorter title's informative bigrams occur
    /// in the other title (generic title words such as 关键技术研究 are learned as boilerplate).
    pub title_similarity: f64,
    /// A sentence counts as reused when at least this share of its informative shingles occur in
    /// the other application (absorbs light character and synonym edits).
    pub sentence_containment: f64,
    /// A shingle in at least this share of all applications is boilerplate …
    pub boilerplate_share: f64,
    /// … and in at least this many applications (so a small corpus learns no boilerplate by chance).
    pub boilerplate_min_docs: u32,
    /// A sentence whose shingles are more than this share boilerplate is boilerplate as a whole.
    pub boilerplate_sentence_share: f64,
    /// Anchors for candidate generation: shingles whose mixed code is divisible by this …
    pub anchor_sample: u64,
    /// … plus the this-many smallest codes, so short texts still have anchors.
    pub anchor_bottom_k: usize,
    /// A candidate must share at least this share of the query's anchors before exact verification.
    pub candidate_min_share: f64,
    /// Longest accepted text, in characters.
    pub max_text_chars: usize,
    /// Worker threads for batch detection.
    pub threads: usize,
    /// Key for hashing team members' ID numbers; without it the people check is skipped.
    pub identity_key: Option<IdentityKey>,
    /// Relative tolerance when comparing budget amounts (0.01 = 1 %).
    pub budget_tolerance: f64,
    /// Budget lines (item + amount) found in more applications than this are boilerplate.
    pub budget_common_max_docs: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            shingle_len: 3,
            threshold: 0.3,
            content_threshold: 0.2,
            threshold_new_title: 0.8,
            title_similarity: 0.5,
            sentence_containment: 0.5,
            boilerplate_share: 0.005,
            boilerplate_min_docs: 20,
            boilerplate_sentence_share: 0.5,
            anchor_sample: 8,
            anchor_bottom_k: 8,
            candidate_min_share: 0.15,
            max_text_chars: 200_000,
            threads: 2,
            identity_key: None,
            budget_tolerance: 0.01,
            budget_common_max_docs: 50,
        }
    }
}
