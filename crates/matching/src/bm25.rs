//! A small BM25 inverted index over pre-tokenised fields (words, character bigrams …).
//! Scores of the fields are added with per-field weights.

use std::collections::HashMap;

/// BM25 parameters of one field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldConfig {
    pub k1: f32,
    pub b: f32,
    /// Multiplier of this field's score in the sum.
    pub weight: f32,
}

impl Default for FieldConfig {
    fn default() -> Self {
        Self {
            k1: 1.2,
            b: 0.75,
            weight: 1.0,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Field {
    config: FieldConfig,
    vocab: HashMap<String, u32>,
    /// Per term: (doc, term frequency), docs ascending.
    postings: Vec<Vec<(u32, u32)>>,
    doc_len: Vec<f32>,
    avg_len: f32,
}

/// The index. Documents are numbered 0.. in the order given.
#[derive(Debug, Clone, Default)]
pub struct Bm25Index {
    fields: Vec<Field>,
    n_docs: usize,
}

impl Bm25Index {
    /// Builds from `docs[d][f]` = tokens of field `f` of document `d`; `configs[f]` per field.
    pub fn build(docs: &[Vec<Vec<String>>], configs: &[FieldConfig]) -> Self {
        let mut fields: Vec<Field> = configs
            .iter()
            .map(|&config| Field {
                config,
                ..Field::default()
            })
            .collect();
        for (d, doc) in docs.iter().enumerate() {
            for (f, field) in fields.iter_mut().enumerate() {
                let toks = doc.get(f).map(Vec::as_slice).unwrap_or(&[]);
                let mut tf: HashMap<&str, u32> = HashMap::new();
                for t in toks {
                    *tf.entry(t.as_str()).or_insert(0) += 1;
                }
                let mut tf: Vec<(&str, u32)> = tf.into_iter().collect();
                tf.sort_unstable();
                for (t, c) in tf {
                    let next = field.postings.len() as u32;
                    let id = *field.vocab.entry(t.to_string()).or_insert(next);
                    if id == next {
                        field.postings.push(Vec::new());
                    }
                    field.postings[id as usize].push((d as u32, c));
                }
                field.doc_len.push(toks.len() as f32);
            }
        }
        for field in &mut fields {
            let n = field.doc_len.len().max(1) as f32;
            field.avg_len = (field.doc_len.iter().sum::<f32>() / n).max(1.0);
        }
        Self {
            fields,
            n_docs: docs.len(),
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.n_docs
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.n_docs == 0
    }

    /// BM25 IDF of `term` in field `f` (0 when absent).
    pub fn idf(&self, f: usize, term: &str) -> f32 {
        let Some(field) = self.fields.get(f) else {
            return 0.0;
        };
        match field.vocab.get(term) {
            Some(&id) => {
                let df = field.postings[id as usize].len() as f32;
                let n = self.n_docs as f32;
                ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
            }
            None => 0.0,
        }
    }

    /// Document frequency of `term` in field `f`.
    pub fn df(&self, f: usize, term: &str) -> usize {
        self.fields
            .get(f)
            .and_then(|field| {
                field
                    .vocab
                    .get(term)
                    .map(|&id| field.postings[id as usize].len())
            })
            .unwrap_or(0)
    }

    /// Adds the scores of the query into `acc` (length = number of docs).
    /// `query[f]` = (term, weight) pairs of field `f`; repeated terms add up.
    pub fn score_into(&self, query: &[Vec<(String, f32)>], acc: &mut [f32]) {
        for (field, terms) in self.fields.iter().zip(query) {
            let FieldConfig { k1, b, weight } = field.config;
            let mut merged: HashMap<&str, f32> = HashMap::new();
            for (t, w) in terms {
                *merged.entry(t.as_str()).or_insert(0.0) += w;
            }
            for (t, qw) in merged {
                let Some(&id) = field.vocab.get(t) else {
                    continue;
                };
                let posting = &field.postings[id as usize];
                let df = posting.len() as f32;
                let idf = ((self.n_docs as f32 - df + 0.5) / (df + 0.5) + 1.0).ln();
                let scale = weight * qw * idf;
                for &(d, tf) in posting {
                    let tf = tf as f32;
                    let norm = k1 * (1.0 - b + b * field.doc_len[d as usize] / field.avg_len);
                    acc[d as usize] += scale * tf * (k1 + 1.0) / (tf + norm);
                }
            }
        }
    }

    /// Dense scores of every document.
    pub fn scores(&self, query: &[Vec<(String, f32)>]) -> Vec<f32> {
        let mut acc = vec![0.0; self.n_docs];
        self.score_into(query, &mut acc);
        acc
    }
}

/// Indices of the `k` largest finite scores, best first; ties go to the lower index.
pub fn top_k(scores: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len())
        .filter(|&i| scores[i].is_finite())
        .collect();
    let cmp = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if k < idx.len() {
        idx.select_nth_unstable_by(k, cmp);
        idx.truncate(k);
    }
    idx.sort_unstable_by(cmp);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn ranks_matching_doc_first() {
        let docs = vec![
            vec![toks("稀土 永磁 电机")],
            vec![toks("钢轨 热处理")],
            vec![toks("稀土 抛光粉")],
        ];
        let idx = Bm25Index::build(&docs, &[FieldConfig::default()]);
        let s = idx.scores(&[vec![("永磁".into(), 1.0), ("稀土".into(), 1.0)]]);
        assert_eq!(top_k(&s, 3)[0], 0);
        assert_eq!(s[1], 0.0);
        assert_eq!(idx.df(0, "稀土"), 2);
    }

    #[test]
    fn top_k_orders_and_truncates() {
        assert_eq!(top_k(&[0.1, 0.9, 0.5, f32::NAN], 2), vec![1, 2]);
        assert_eq!(top_k(&[1.0, 1.0], 5), vec![0, 1]);
    }
}
