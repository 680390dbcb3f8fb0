//! A TF-IDF vocabulary learned from a corpus of token lists; gives L2-normalised sparse vectors.

use std::collections::HashMap;

/// A sparse vector: (feature id, value), ids ascending.
pub type Sparse = Vec<(u32, f32)>;

/// Vocabulary with document frequencies and IDF weights.
#[derive(Debug, Clone, Default)]
pub struct TfIdf {
    vocab: HashMap<String, u32>,
    idf: Vec<f32>,
    n_docs: usize,
}

impl TfIdf {
    /// The terms by feature id.
    pub fn terms(&self) -> Vec<String> {
        let mut out = vec![String::new(); self.idf.len()];
        for (t, &i) in &self.vocab {
            if let Some(slot) = out.get_mut(i as usize) {
                *slot = t.clone();
            }
        }
        out
    }

    /// Learns from `docs` (token lists). Terms in fewer than `min_df` documents are dropped; at most
    /// `max_features` terms are kept, the most frequent first (ties by the term, so it is
    /// deterministic).
    pub fn fit(docs: &[Vec<String>], min_df: usize, max_features: usize) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        for d in docs {
            let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_insert(0) += 1;
            }
        }
        let mut terms: Vec<(&str, usize)> = df.into_iter().filter(|&(_, c)| c >= min_df).collect();
        terms.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        terms.truncate(max_features);
        terms.sort_unstable();
        let n = docs.len() as f32;
        let mut vocab = HashMap::with_capacity(terms.len());
        let mut idf = Vec::with_capacity(terms.len());
        for (i, (t, c)) in terms.into_iter().enumerate() {
            vocab.insert(t.to_string(), i as u32);
            idf.push(((n + 1.0) / (c as f32 + 1.0)).ln() + 1.0);
        }
        Self {
            vocab,
            idf,
            n_docs: docs.len(),
        }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Number of documents it was fitted on.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// IDF of a term, if in the vocabulary.
    pub fn idf(&self, term: &str) -> Option<f32> {
        self.vocab.get(term).map(|&i| self.idf[i as usize])
    }

    /// Sublinear TF × IDF, L2-normalised. Unknown terms are ignored.
    pub fn vector(&self, tokens: &[String]) -> Sparse {
        let mut tf: HashMap<u32, f32> = HashMap::new();
        for t in tokens {
            if let Some(&id) = self.vocab.get(t.as_str()) {
                *tf.entry(id).or_insert(0.0) += 1.0;
            }
        }
        let mut v: Sparse = tf
            .into_iter()
            .map(|(id, c)| (id, (1.0 + c.ln()) * self.idf[id as usize]))
            .collect();
        v.sort_unstable_by_key(|&(id, _)| id);
        normalize_sparse(&mut v);
        v
    }
}

/// Scales a sparse vector to unit length (no-op for the zero vector).
pub fn normalize_sparse(v: &mut Sparse) {
    let n = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|(_, x)| *x /= n);
    }
}

/// Dot product of two sparse vectors with ascending ids.
pub fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_unit_and_ignore_unknown() {
        let docs: Vec<Vec<String>> = [["a", "b"], ["a", "c"], ["b", "c"]]
            .iter()
            .map(|d| d.iter().map(|s| s.to_string()).collect())
            .collect();
        let m = TfIdf::fit(&docs, 1, 10);
        let v = m.vector(&["a".into(), "zz".into(), "b".into()]);
        assert_eq!(v.len(), 2);
        assert!((sparse_dot(&v, &v) - 1.0).abs() < 1e-5);
    }
}
