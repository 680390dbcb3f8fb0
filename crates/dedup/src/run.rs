//! The batch contract the CLI wires as `innomesh dedup --input APPS.jsonl`: read and validate
//! everything, detect, then write one JSON line per flagged pair.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use serde::Serialize;

use crate::check::{check, count_kinds};
use crate::config::DedupConfig;
use crate::error::DedupError;
use crate::input::read_applications;
use crate::types::MatchKind;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Applications read.
    pub applications: usize,
    /// Pairs written.
    pub flagged_pairs: usize,
    /// Flagged pairs per kind.
    pub by_kind: BTreeMap<MatchKind, usize>,
    /// Candidate pairs verified exactly.
    pub candidates_verified: u64,
    /// Document frequency from which a shingle counted as boilerplate.
    pub boilerplate_min_docs: u32,
}

/// Reads all of `input` (JSONL applications), validates it, and writes one JSON line
/// `{"a", "b", "score", "kinds", "text"?, "people"?, "budget"?, "applicant_credit_code"?}` per
/// flagged pair to `output`. On any bad input line nothing is written and the error lists the
/// lines.
pub fn run_jsonl<R: BufRead, W: Write>(
    input: R,
    mut output: W,
    cfg: &DedupConfig,
) -> Result<Summary, DedupError> {
    let apps = read_applications(input, cfg)?;
    if apps.len() > crate::anchors::MAX_DOCS {
        return Err(DedupError::Full {
            limit: crate::anchors::MAX_DOCS,
        });
    }
    let report = check(&apps, cfg);
    let mut line = Vec::with_capacity(1024);
    for p in &report.pairs {
        line.clear();
        serde_json::to_writer(&mut line, p)
            .map_err(|e| DedupError::Write(std::io::Error::other(e)))?;
        line.push(b'\n');
        output.write_all(&line).map_err(DedupError::Write)?;
    }
    output.flush().map_err(DedupError::Write)?;
    Ok(Summary {
        applications: apps.len(),
        flagged_pairs: report.pairs.len(),
        by_kind: count_kinds(&report.pairs),
        candidates_verified: report.text_stats.candidates,
        boilerplate_min_docs: report.text_stats.boilerplate_min_docs,
    })
}
