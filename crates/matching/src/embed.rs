//! Sentence embeddings. `Embedder` is the seam for any model (a BERT loader may come later);
//! `LsaEmbedder` is the built-in one: TF-IDF over words and character n-grams, projected by a
//! truncated SVD (LSA) learned, without labels, from the corpus it is given. Seeded, so the same
//! corpus always gives the same embedder.

use std::sync::Arc;

use crate::linalg::{orthonormalize_columns, symmetric_eigen, Rng};
use crate::normalize::{char_bigrams, content_chars, normalize};
use crate::segment::Segmenter;
use crate::tfidf::{Sparse, TfIdf};

/// Anything that turns text into a fixed-size vector.
pub trait Embedder {
    /// Length of every vector `embed` returns.
    fn dim(&self) -> usize;
    /// The embedding of `text`; L2-normalised by convention (zero vector for empty text).
    fn embed(&self, text: &str) -> Vec<f32>;
}

/// Which surface features feed the TF-IDF matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSet {
    pub words: bool,
    pub chars: bool,
    pub bigrams: bool,
    pub trigrams: bool,
}

impl Default for FeatureSet {
    fn default() -> Self {
        Self {
            words: true,
            chars: false,
            bigrams: true,
            trigrams: false,
        }
    }
}

impl FeatureSet {
    /// The feature tokens of `text`; kinds are prefixed so a word never collides with a bigram.
    pub fn tokens(&self, seg: &Segmenter, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let mut out = Vec::new();
        if self.words {
            out.extend(
                seg.words_normalized(&norm)
                    .into_iter()
                    .filter(|w| !seg.is_stopword(w))
                    .map(|w| format!("w:{w}")),
            );
        }
        let chars = content_chars(&norm);
        if self.chars {
            out.extend(chars.iter().map(|c| format!("c:{c}")));
        }
        if self.bigrams && chars.len() > 1 {
            out.extend(char_bigrams(&chars).into_iter().map(|b| format!("b:{b}")));
        }
        if self.trigrams {
            out.extend(
                chars
                    .windows(3)
                    .map(|w| format!("t:{}", w.iter().collect::<String>())),
            );
        }
        out
    }
}

/// LSA parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LsaConfig {
    pub dim: usize,
    pub oversample: usize,
    pub power_iters: usize,
    pub min_df: usize,
    pub max_features: usize,
    pub seed: u64,
    pub features: FeatureSet,
}

impl Default for LsaConfig {
    fn default() -> Self {
        Self {
            dim: 128,
            oversample: 16,
            power_iters: 3,
            min_df: 2,
            max_features: 60_000,
            seed: 0x1A2B_3C4D,
            features: FeatureSet::default(),
        }
    }
}

/// The built-in embedder (see the module doc).
#[derive(Debug, Clone)]
pub struct LsaEmbedder {
    seg: Arc<Segmenter>,
    features: FeatureSet,
    tfidf: TfIdf,
    /// Row-major `features × dim` projection (right singular vectors).
    proj: Vec<f32>,
    dim: usize,
}

impl LsaEmbedder {
    /// Learns from raw texts.
    pub fn fit(seg: Arc<Segmenter>, texts: &[&str], config: LsaConfig) -> Self {
        let docs: Vec<Vec<String>> = texts
            .iter()
            .map(|t| config.features.tokens(&seg, t))
            .collect();
        Self::fit_tokens(seg, &docs, config)
    }

    /// Learns from feature tokens already produced by `config.features.tokens`.
    pub fn fit_tokens(seg: Arc<Segmenter>, docs: &[Vec<String>], config: LsaConfig) -> Self {
        let tfidf = TfIdf::fit(docs, config.min_df, config.max_features);
        let rows: Vec<Sparse> = docs.iter().map(|d| tfidf.vector(d)).collect();
        let v = tfidf.len();
        let l = (config.dim + config.oversample)
            .min(rows.len())
            .min(v)
            .max(1);
        let dim = config.dim.min(l);
        let proj = if v == 0 || rows.is_empty() {
            vec![0.0; v * dim]
        } else {
            randomized_svd_projection(&rows, v, l, dim, config.power_iters, config.seed)
        };
        Self {
            seg,
            features: config.features,
            tfidf,
            proj,
            dim,
        }
    }

    /// The TF-IDF vector of `text` under the learned vocabulary.
    pub fn tfidf_vector(&self, text: &str) -> Sparse {
        self.tfidf.vector(&self.features.tokens(&self.seg, text))
    }

    /// Embeds an already computed TF-IDF vector.
    pub fn embed_sparse(&self, x: &Sparse) -> Vec<f32> {
        let mut out = vec![0.0; self.dim];
        for &(t, w) in x {
            let row = &self.proj[t as usize * self.dim..(t as usize + 1) * self.dim];
            out.iter_mut().zip(row).for_each(|(o, p)| *o += w * p);
        }
        normalize_dense(&mut out);
        out
    }

    /// The learned vocabulary.
    pub fn tfidf(&self) -> &TfIdf {
        &self.tfidf
    }
}

impl Embedder for LsaEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_sparse(&self.tfidf_vector(text))
    }
}

/// Scales a dense vector to unit length (no-op for zero).
pub fn normalize_dense(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Cosine of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Top right singular vectors of the sparse `n × v` matrix `rows` (Halko–Martinsson–Tropp),
/// returned as a row-major `v × dim` matrix.
fn randomized_svd_projection(
    rows: &[Sparse],
    v: usize,
    l: usize,
    dim: usize,
    power: usize,
    seed: u64,
) -> Vec<f32> {
    let n = rows.len();
    let mut rng = Rng::new(seed);
    // Ω: v × l Gaussian; Y = X Ω (n × l).
    let omega: Vec<f32> = (0..v * l).map(|_| rng.gaussian()).collect();
    let mut y = mul_x(rows, &omega, l, n);
    orthonormalize_columns(&mut y, n, l);
    for _ in 0..power {
        let mut z = mul_xt(rows, &y, l, v);
        orthonormalize_columns(&mut z, v, l);
        y = mul_x(rows, &z, l, n);
        orthonormalize_columns(&mut y, n, l);
    }
    // Bᵀ = Xᵀ Q (v × l); C = B Bᵀ (l × l).
    let bt = mul_xt(rows, &y, l, v);
    let mut c = vec![0.0f64; l * l];
    for r in 0..v {
        let row = &bt[r * l..(r + 1) * l];
        for i in 0..l {
            let ri = row[i] as f64;
            if ri == 0.0 {
                continue;
            }
            for j in i..l {
                c[i * l + j] += ri * row[j] as f64;
            }
        }
    }
    for i in 0..l {
        for j in 0..i {
            c[i * l + j] = c[j * l + i];
        }
    }
    let (vals, vecs) = symmetric_eigen(&c, l);
    // v_k = Bᵀ u_k / σ_k.
    let mut proj = vec![0.0f32; v * dim];
    for r in 0..v {
        let row = &bt[r * l..(r + 1) * l];
        for k in 0..dim {
            let sigma = vals[k].max(0.0).sqrt();
            if sigma < 1e-9 {
                continue;
            }
            let s: f64 = (0..l).map(|i| row[i] as f64 * vecs[i * l + k]).sum();
            proj[r * dim + k] = (s / sigma) as f32;
        }
    }
    proj
}

/// X M for sparse X (n × v) and dense row-major M (v × l).
fn mul_x(rows: &[Sparse], m: &[f32], l: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; n * l];
    for (i, row) in rows.iter().enumerate() {
        let o = &mut out[i * l..(i + 1) * l];
        for &(t, x) in row {
            let mr = &m[t as usize * l..(t as usize + 1) * l];
            o.iter_mut().zip(mr).for_each(|(a, b)| *a += x * b);
        }
    }
    out
}

/// Xᵀ M for sparse X (n × v) and dense row-major M (n × l).
fn mul_xt(rows: &[Sparse], m: &[f32], l: usize, v: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; v * l];
    for (i, row) in rows.iter().enumerate() {
        let mr = &m[i * l..(i + 1) * l];
        for &(t, x) in row {
            let o = &mut out[t as usize * l..(t as usize + 1) * l];
            o.iter_mut().zip(mr).for_each(|(a, b)| *a += x * b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_texts_embed_closer_and_deterministic() {
        let seg = Arc::new(Segmenter::default());
        let texts = [
            "稀土永磁材料的制备工艺",
            "钕铁硼永磁材料性能研究",
            "稀土永磁电机设计",
            "小麦品种的抗旱性研究",
            "玉米品种抗旱栽培技术",
            "小麦玉米轮作栽培",
        ];
        let cfg = LsaConfig {
            dim: 3,
            min_df: 1,
            ..LsaConfig::default()
        };
        let e = LsaEmbedder::fit(seg.clone(), &texts, cfg);
        let e2 = LsaEmbedder::fit(seg, &texts, cfg);
        let q = e.embed("永磁材料");
        assert_eq!(q, e2.embed("永磁材料"));
        assert!(dot(&q, &e.embed(texts[1])) > dot(&q, &e.embed(texts[4])));
        assert_eq!(e.embed("").len(), e.dim());
    }
}
