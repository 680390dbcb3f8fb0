//! The batch contracts behind `innomesh similarity` and `innomesh match`: read everything,
//! validate everything (errors name the line), and only then compute and write.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::sync::Arc;

use serde::Deserialize;

use crate::dict::AliasDict;
use crate::embed::dot;
use crate::error::MatchError;
use crate::retrieval::{CorpusDoc, Query, RetrievalConfig, Retriever};
use crate::segment::Segmenter;
use crate::similarity::{SimilarityConfig, SimilarityModel};

/// Reads non-blank lines with their 1-based numbers; invalid UTF-8 names the line.
fn read_lines<R: BufRead>(r: R, what: &str) -> Result<Vec<(usize, String)>, MatchError> {
    let mut out = Vec::new();
    for (i, line) in r.split(b'\n').enumerate() {
        let bytes = line.map_err(|e| MatchError::io(&e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            MatchError::at_line(
                "matching.not_utf8",
                i + 1,
                format!("{what}不是 UTF-8 编码：请另存为 UTF-8 后重试"),
            )
        })?;
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        if !text.trim().is_empty() {
            out.push((i + 1, text));
        }
    }
    Ok(out)
}

/// Parses `s1<TAB>s2[<TAB>label]` lines (blank lines skipped).
pub fn parse_pairs<R: BufRead>(r: R) -> Result<Vec<(String, String)>, MatchError> {
    let mut pairs = Vec::new();
    for (n, line) in read_lines(r, "句对文件")? {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 || cols.len() > 3 {
            return Err(MatchError::at_line(
                "matching.bad_pair_line",
                n,
                format!(
                    "应为「句子1<TAB>句子2」或「句子1<TAB>句子2<TAB>标签」，实际有 {} 列",
                    cols.len()
                ),
            ));
        }
        for (k, s) in cols.iter().take(2).enumerate() {
            if s.trim().is_empty() {
                return Err(MatchError::at_line(
                    "matching.empty_sentence",
                    n,
                    format!("第 {} 列句子为空", k + 1),
                ));
            }
        }
        if let Some(label) = cols.get(2) {
            if label.trim().parse::<f64>().is_err() {
                return Err(MatchError::at_line(
                    "matching.bad_label",
                    n,
                    format!("第 3 列标签「{label}」不是数字；不需要标签时可以省略第 3 列"),
                ));
            }
        }
        pairs.push((cols[0].to_string(), cols[1].to_string()));
    }
    Ok(pairs)
}

/// An external sentence model (e.g. BERT) for the `*_with` entry points: `embed` turns many
/// texts into unit vectors at once, in order (a closure, so the caller can batch and report
/// progress), and `weight` in [0, 1] is its share of the score.
#[derive(Clone, Copy)]
pub struct SentenceModel<'a> {
    pub embed: &'a dyn Fn(&[&str]) -> Vec<Vec<f32>>,
    pub weight: f32,
}

impl SentenceModel<'_> {
    fn weight(&self) -> f32 {
        if self.weight.is_nan() {
            0.0
        } else {
            self.weight.clamp(0.0, 1.0)
        }
    }
}

/// The built-in score of each pair, in order. The model learns word weights from the unlabeled
/// sentences of the pairs themselves.
pub fn pair_scores(pairs: &[(String, String)]) -> Vec<f32> {
    let mut model =
        SimilarityModel::new(Arc::new(Segmenter::default()), SimilarityConfig::default());
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    model.fit(&texts);
    pairs
        .iter()
        .map(|(a, b)| model.parts(&model.prepare(a), &model.prepare(b)).score)
        .collect()
}

/// `innomesh similarity`: one score in [0, 1] per pair, in order. The model learns word weights
/// from the unlabeled sentences of the input (labels are never read for scoring).
pub fn run_similarity<R: BufRead, W: Write>(r: R, w: W) -> Result<usize, MatchError> {
    run_similarity_with(r, None, w)
}

/// `run_similarity`, optionally mixing in a sentence model: score = (1 − W)·built-in score +
/// W·max(0, cosine of the two sentences' model vectors).
pub fn run_similarity_with<R: BufRead, W: Write>(
    r: R,
    model: Option<SentenceModel<'_>>,
    mut w: W,
) -> Result<usize, MatchError> {
    let pairs = parse_pairs(r)?;
    let mut scores = pair_scores(&pairs);
    if let Some(m) = model {
        let texts: Vec<&str> = pairs
            .iter()
            .flat_map(|(a, b)| [a.as_str(), b.as_str()])
            .collect();
        let vecs = (m.embed)(&texts);
        let wt = m.weight();
        for (s, v) in scores.iter_mut().zip(vecs.chunks(2)) {
            let cos = match v {
                [a, b] => dot(a, b).clamp(0.0, 1.0),
                _ => 0.0,
            };
            *s = (1.0 - wt) * *s + wt * cos;
        }
    }
    let mut out = String::with_capacity(pairs.len() * 9);
    for s in scores {
        out.push_str(&format!("{s:.6}\n"));
    }
    w.write_all(out.as_bytes())
        .map_err(|e| MatchError::io(&e))?;
    w.flush().map_err(|e| MatchError::io(&e))?;
    Ok(pairs.len())
}

#[derive(Deserialize)]
struct RawDoc {
    id: Option<serde_json::Value>,
    text: Option<String>,
    discipline: Option<String>,
}

fn id_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses JSON lines `{id, text[, discipline]}`; ids must be unique and non-empty.
fn parse_docs<R: BufRead>(r: R, what: &str) -> Result<Vec<(CorpusDoc, usize)>, MatchError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in read_lines(r, what)? {
        let raw: RawDoc = serde_json::from_str(&line).map_err(|e| {
            MatchError::at_line(
                "matching.bad_json",
                n,
                format!("{what}不是合法的 JSON 对象（{e}），每行应为 {{\"id\": …, \"text\": …}}"),
            )
        })?;
        let id = raw.id.as_ref().and_then(id_string).ok_or_else(|| {
            MatchError::at_line(
                "matching.missing_id",
                n,
                format!("{what}缺少「id」或「id」为空（应为字符串或数字）"),
            )
        })?;
        let text = raw.text.ok_or_else(|| {
            MatchError::at_line(
                "matching.missing_text",
                n,
                format!("{what}缺少「text」字段（应为字符串）"),
            )
        })?;
        if !seen.insert(id.clone()) {
            return Err(MatchError::at_line(
                "matching.duplicate_id",
                n,
                format!("{what}中 id「{id}」重复：每条记录的 id 必须唯一"),
            ));
        }
        out.push((
            CorpusDoc {
                id,
                text,
                discipline: raw.discipline,
            },
            n,
        ));
    }
    Ok(out)
}

/// Reads and validates a corpus file (JSON lines `{id, text[, discipline]}`); errors name the line.
pub fn read_corpus<R: BufRead>(r: R) -> Result<Vec<CorpusDoc>, MatchError> {
    let docs = parse_docs(r, "").map_err(in_file("语料文件"))?;
    if docs.is_empty() {
        return Err(MatchError::new(
            "matching.empty_corpus",
            "语料文件没有任何记录：每行应为 {\"id\": …, \"text\": …, \"discipline\": …}",
        ));
    }
    Ok(docs.into_iter().map(|(d, _)| d).collect())
}

/// Reads and validates a query file (JSON lines `{id, text}`); errors name the line.
pub fn read_queries<R: BufRead>(r: R) -> Result<Vec<Query>, MatchError> {
    Ok(parse_docs(r, "")
        .map_err(in_file("查询文件"))?
        .into_iter()
        .map(|(d, _)| Query {
            id: d.id,
            text: d.text,
        })
        .collect())
}

/// The `match` output for one query: `{"query": id, "hits": [ids]}` (the query's own id excluded).
pub fn match_line(retriever: &Retriever, query: &Query, top: usize) -> String {
    match_line_with(retriever, query, None, top)
}

/// `match_line`, with the sentence model's vector of the query (see
/// `Retriever::with_model_vectors`).
pub fn match_line_with(
    retriever: &Retriever,
    query: &Query,
    model_query: Option<&[f32]>,
    top: usize,
) -> String {
    let hits: Vec<String> = retriever
        .search_with_vector(&query.text, model_query, top, Some(&query.id))
        .0
        .into_iter()
        .map(|h| h.id)
        .collect();
    serde_json::json!({ "query": query.id, "hits": hits }).to_string()
}

/// Prefixes errors with the file they came from.
fn in_file(what: &str) -> impl Fn(MatchError) -> MatchError + '_ {
    move |mut e| {
        e.message = format!("{what}{}", e.message);
        e
    }
}

/// `innomesh match`: JSON lines `{"query": id, "hits": [doc ids, best first]}`. A hit whose id
/// equals the query id is excluded, and that document is left out of the discipline decision
/// (so a corpus can be queried with its own documents, leave-one-out).
pub fn run_match<R1: BufRead, R2: BufRead, W: Write>(
    corpus: R1,
    queries: R2,
    top: usize,
    w: W,
) -> Result<usize, MatchError> {
    run_match_with(corpus, queries, top, None, w)
}

/// `run_match`, optionally mixing a sentence model's cosine into the semantic part of the hybrid
/// score: semantic = (1 − W)·LSA cosine + W·model cosine.
pub fn run_match_with<R1: BufRead, R2: BufRead, W: Write>(
    corpus: R1,
    queries: R2,
    top: usize,
    model: Option<SentenceModel<'_>>,
    mut w: W,
) -> Result<usize, MatchError> {
    if top == 0 {
        return Err(MatchError::new(
            "matching.bad_top",
            "返回条数 --top 必须大于 0",
        ));
    }
    let docs = read_corpus(corpus)?;
    let queries = read_queries(queries)?;
    let mut retriever = Retriever::build(
        Arc::new(Segmenter::default()),
        AliasDict::bundled(),
        docs,
        RetrievalConfig::default(),
    );
    let mut query_vecs = Vec::new();
    if let Some(m) = model {
        let texts: Vec<&str> = retriever.docs().iter().map(|d| d.text.as_str()).collect();
        let doc_vecs = (m.embed)(&texts);
        retriever = retriever.with_model_vectors(doc_vecs, m.weight())?;
        let texts: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
        query_vecs = (m.embed)(&texts);
    }
    let mut out = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let qv = query_vecs.get(i).map(Vec::as_slice);
        out.extend_from_slice(match_line_with(&retriever, q, qv, top).as_bytes());
        out.push(b'\n');
    }
    w.write_all(&out).map_err(|e| MatchError::io(&e))?;
    w.flush().map_err(|e| MatchError::io(&e))?;
    Ok(queries.len())
}
