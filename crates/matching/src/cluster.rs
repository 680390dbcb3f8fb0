//! Clustering texts into common problems, and the measures that judge a clustering against
//! labels.
//!
//! The method (`cluster_texts`): the matching engine's representation — TF-IDF over words and
//! character bigrams projected by LSA (`LsaEmbedder`) — then spherical k-means (cosine, k-means++
//! seeding, seeded, deterministic) on the unit vectors. The baseline the benchmark runs beside it
//! (`kmeans_tfidf`) is plain k-means on the sparse TF-IDF vectors. Both name a cluster by the
//! TF-IDF terms weighing most in it.

use crate::embed::{dot, normalize_dense, FeatureSet, LsaConfig, LsaEmbedder};
use crate::linalg::Rng;
use crate::segment::Segmenter;
use crate::tfidf::{Sparse, TfIdf};
use std::collections::HashMap;
use std::sync::Arc;

/// A clustering: the cluster of each item, and each cluster's top terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    pub assignment: Vec<usize>,
    pub k: usize,
    /// Per cluster, its most characteristic words (feature prefix removed), best first.
    pub terms: Vec<Vec<String>>,
}

fn uniform(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Spherical k-means on unit vectors: k-means++ seeding (distance 1 − cosine), then Lloyd
/// iterations with renormalised centroids, until no item moves or `iters` rounds.
pub fn spherical_kmeans(xs: &[Vec<f32>], k: usize, seed: u64, iters: usize) -> Vec<usize> {
    let n = xs.len();
    if n == 0 {
        return vec![];
    }
    let k = k.clamp(1, n);
    let dim = xs[0].len();
    let mut rng = Rng::new(seed);
    let mut centres: Vec<Vec<f32>> = vec![xs[(rng.next_u64() % n as u64) as usize].clone()];
    let mut best: Vec<f64> = xs
        .iter()
        .map(|x| (1.0 - f64::from(dot(x, &centres[0]))).max(0.0))
        .collect();
    while centres.len() < k {
        let total: f64 = best.iter().sum();
        let pick = if total <= 0.0 {
            (rng.next_u64() % n as u64) as usize
        } else {
            let mut r = uniform(&mut rng) * total;
            let mut at = n - 1;
            for (i, d) in best.iter().enumerate() {
                if r < *d {
                    at = i;
                    break;
                }
                r -= d;
            }
            at
        };
        let c = xs[pick].clone();
        for (b, x) in best.iter_mut().zip(xs) {
            *b = b.min((1.0 - f64::from(dot(x, &c))).max(0.0));
        }
        centres.push(c);
    }
    let mut assign = vec![usize::MAX; n];
    for _ in 0..iters.max(1) {
        let mut moved = false;
        for (i, x) in xs.iter().enumerate() {
            let mut bi = 0;
            let mut bs = f32::NEG_INFINITY;
            for (j, c) in centres.iter().enumerate() {
                let s = dot(x, c);
                if s > bs {
                    bs = s;
                    bi = j;
                }
            }
            if assign[i] != bi {
                assign[i] = bi;
                moved = true;
            }
        }
        if !moved {
            break;
        }
        let mut sums = vec![vec![0f32; dim]; k];
        for (x, &a) in xs.iter().zip(&assign) {
            sums[a].iter_mut().zip(x).for_each(|(s, v)| *s += v);
        }
        for (c, mut s) in centres.iter_mut().zip(sums) {
            if s.iter().any(|v| *v != 0.0) {
                normalize_dense(&mut s);
                *c = s;
            }
        }
    }
    assign
}

/// The baseline: k-means (squared Euclidean) on L2-normalised sparse TF-IDF vectors, k-means++
/// seeding, Lloyd iterations; dense centroids over the vocabulary.
pub fn kmeans_tfidf(xs: &[Sparse], vocab: usize, k: usize, seed: u64, iters: usize) -> Vec<usize> {
    let n = xs.len();
    if n == 0 {
        return vec![];
    }
    let k = k.clamp(1, n);
    let mut rng = Rng::new(seed);
    let dense = |x: &Sparse| {
        let mut v = vec![0f32; vocab];
        for &(t, w) in x {
            v[t as usize] = w;
        }
        v
    };
    // ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², with ‖x‖ = 1.
    let dist = |x: &Sparse, c: &[f32], cn: f32| {
        1.0 - 2.0 * x.iter().map(|&(t, w)| w * c[t as usize]).sum::<f32>() + cn
    };
    let norm2 = |c: &[f32]| c.iter().map(|v| v * v).sum::<f32>();
    let first = dense(&xs[(rng.next_u64() % n as u64) as usize]);
    let mut centres = vec![first];
    let mut cn = vec![norm2(&centres[0])];
    let mut best: Vec<f64> = xs
        .iter()
        .map(|x| f64::from(dist(x, &centres[0], cn[0]).max(0.0)))
        .collect();
    while centres.len() < k {
        let total: f64 = best.iter().sum();
        let pick = if total <= 0.0 {
            (rng.next_u64() % n as u64) as usize
        } else {
            let mut r = uniform(&mut rng) * total;
            let mut at = n - 1;
            for (i, d) in best.iter().enumerate() {
                if r < *d {
                    at = i;
                    break;
                }
                r -= d;
            }
            at
        };
        let c = dense(&xs[pick]);
        let c2 = norm2(&c);
        for (b, x) in best.iter_mut().zip(xs) {
            *b = b.min(f64::from(dist(x, &c, c2).max(0.0)));
        }
        centres.push(c);
        cn.push(c2);
    }
    let mut assign = vec![usize::MAX; n];
    for _ in 0..iters.max(1) {
        let mut moved = false;
        for (i, x) in xs.iter().enumerate() {
            let mut bi = 0;
            let mut bd = f32::INFINITY;
            for (j, c) in centres.iter().enumerate() {
                let d = dist(x, c, cn[j]);
                if d < bd {
                    bd = d;
                    bi = j;
                }
            }
            if assign[i] != bi {
                assign[i] = bi;
                moved = true;
            }
        }
        if !moved {
            break;
        }
        let mut sums = vec![vec![0f32; vocab]; k];
        let mut counts = vec![0usize; k];
        for (x, &a) in xs.iter().zip(&assign) {
            counts[a] += 1;
            for &(t, w) in x {
                sums[a][t as usize] += w;
            }
        }
        for j in 0..k {
            if counts[j] > 0 {
                let inv = 1.0 / counts[j] as f32;
                sums[j].iter_mut().for_each(|v| *v *= inv);
                cn[j] = norm2(&sums[j]);
                centres[j] = std::mem::take(&mut sums[j]);
            }
        }
    }
    assign
}

/// The words weighing most in each cluster (summed TF-IDF of its items), `top` per cluster.
pub fn top_terms(
    tfidf: &TfIdf,
    xs: &[Sparse],
    assign: &[usize],
    k: usize,
    top: usize,
) -> Vec<Vec<String>> {
    let names = tfidf.terms();
    let mut sums: Vec<HashMap<u32, f32>> = vec![HashMap::new(); k];
    for (x, &a) in xs.iter().zip(assign) {
        for &(t, w) in x {
            *sums[a].entry(t).or_default() += w;
        }
    }
    sums.into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f32)> = m
                .into_iter()
                .filter(|(t, _)| {
                    names
                        .get(*t as usize)
                        .is_some_and(|n| n.starts_with("w:") && n.chars().count() > 3)
                })
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.into_iter()
                .take(top)
                .map(|(t, _)| names[t as usize].trim_start_matches("w:").to_string())
                .collect()
        })
        .collect()
}

/// The method: LSA embeddings of the matching engine, spherical k-means, named by top terms.
pub fn cluster_texts(seg: Arc<Segmenter>, texts: &[&str], k: usize, seed: u64) -> Clustering {
    let features = FeatureSet::default();
    let docs: Vec<Vec<String>> = texts.iter().map(|t| features.tokens(&seg, t)).collect();
    let config = LsaConfig {
        dim: 96,
        min_df: 1,
        seed,
        ..LsaConfig::default()
    };
    let lsa = LsaEmbedder::fit_tokens(seg, &docs, config);
    let sparse: Vec<Sparse> = docs.iter().map(|d| lsa.tfidf().vector(d)).collect();
    let dense: Vec<Vec<f32>> = sparse.iter().map(|x| lsa.embed_sparse(x)).collect();
    let assignment = spherical_kmeans(&dense, k, seed, 50);
    let k = k.clamp(1, texts.len().max(1));
    let terms = top_terms(lsa.tfidf(), &sparse, &assignment, k, 5);
    Clustering {
        assignment,
        k,
        terms,
    }
}

/// The baseline on the same texts: k-means on TF-IDF.
pub fn cluster_texts_baseline(
    seg: Arc<Segmenter>,
    texts: &[&str],
    k: usize,
    seed: u64,
) -> Clustering {
    let features = FeatureSet::default();
    let docs: Vec<Vec<String>> = texts.iter().map(|t| features.tokens(&seg, t)).collect();
    let tfidf = TfIdf::fit(&docs, 1, 60_000);
    let sparse: Vec<Sparse> = docs.iter().map(|d| tfidf.vector(d)).collect();
    let assignment = kmeans_tfidf(&sparse, tfidf.len(), k, seed, 50);
    let k = k.clamp(1, texts.len().max(1));
    let terms = top_terms(&tfidf, &sparse, &assignment, k, 5);
    Clustering {
        assignment,
        k,
        terms,
    }
}

/// Joint counts of (label, cluster) and the counts of each side.
type Contingency = (
    HashMap<(usize, usize), f64>,
    HashMap<usize, f64>,
    HashMap<usize, f64>,
);

fn contingency(a: &[usize], b: &[usize]) -> Contingency {
    let mut n = HashMap::new();
    let mut ra = HashMap::new();
    let mut rb = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *n.entry((x, y)).or_insert(0.0) += 1.0;
        *ra.entry(x).or_insert(0.0) += 1.0;
        *rb.entry(y).or_insert(0.0) += 1.0;
    }
    (n, ra, rb)
}

/// Normalised mutual information (arithmetic-mean normalisation, as scikit-learn's default).
pub fn nmi(labels: &[usize], clusters: &[usize]) -> f64 {
    let total = labels.len() as f64;
    if total == 0.0 {
        return 0.0;
    }
    let (n, ra, rb) = contingency(labels, clusters);
    let h = |m: &HashMap<usize, f64>| {
        -m.values()
            .map(|c| c / total * (c / total).ln())
            .sum::<f64>()
    };
    let (ha, hb) = (h(&ra), h(&rb));
    let mi: f64 = n
        .iter()
        .map(|(&(x, y), c)| c / total * ((c * total) / (ra[&x] * rb[&y])).ln())
        .sum();
    if ha + hb == 0.0 {
        1.0
    } else {
        2.0 * mi / (ha + hb)
    }
}

/// Adjusted Rand index.
pub fn ari(labels: &[usize], clusters: &[usize]) -> f64 {
    let c2 = |x: f64| x * (x - 1.0) / 2.0;
    let (n, ra, rb) = contingency(labels, clusters);
    let total = c2(labels.len() as f64);
    let index: f64 = n.values().map(|v| c2(*v)).sum();
    let sa: f64 = ra.values().map(|v| c2(*v)).sum();
    let sb: f64 = rb.values().map(|v| c2(*v)).sum();
    let expected = if total > 0.0 { sa * sb / total } else { 0.0 };
    let max = (sa + sb) / 2.0;
    if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_match_hand_computed_values() {
        let labels = [0, 0, 0, 1, 1, 1];
        assert!((nmi(&labels, &[1, 1, 1, 0, 0, 0]) - 1.0).abs() < 1e-12);
        assert!((ari(&labels, &[5, 5, 5, 7, 7, 7]) - 1.0).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715,
        // normalized_mutual_info_score(...) = 0.8
        assert!((ari(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.571_428_571_428_571_5).abs() < 1e-9);
        assert!((nmi(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.8).abs() < 1e-9);
        // Independent labellings score about zero.
        assert!(ari(&[0, 1, 0, 1], &[0, 0, 1, 1]) < 0.0);
    }

    #[test]
    fn separated_groups_are_found_and_the_run_is_deterministic() {
        let mut xs = Vec::new();
        for g in 0..3 {
            for i in 0..10 {
                let mut v = vec![0.05f32; 6];
                v[g * 2] = 1.0;
                v[g * 2 + 1] = 0.3 + i as f32 * 0.01;
                normalize_dense(&mut v);
                xs.push(v);
            }
        }
        let a = spherical_kmeans(&xs, 3, 7, 20);
        assert_eq!(a, spherical_kmeans(&xs, 3, 7, 20));
        let labels: Vec<usize> = (0..30).map(|i| i / 10).collect();
        assert!((ari(&labels, &a) - 1.0).abs() < 1e-12, "{a:?}");
        let sparse: Vec<Sparse> = xs
            .iter()
            .map(|v| v.iter().enumerate().map(|(i, w)| (i as u32, *w)).collect())
            .collect();
        let b = kmeans_tfidf(&sparse, 6, 3, 7, 20);
        assert!((ari(&labels, &b) - 1.0).abs() < 1e-12, "{b:?}");
    }
}
