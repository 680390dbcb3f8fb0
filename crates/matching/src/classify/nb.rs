//! Naive Bayes text classifiers over sparse TF-IDF vectors: multinomial and complement
//! (Rennie et al., 2003). Training is one pass of counting, so fold models are cheap; scores are
//! log-likelihoods, turned into probabilities by a softmax with a temperature.

use crate::tfidf::Sparse;

/// Which naive Bayes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NbKind {
    /// Class-conditional term distributions from the class's own documents.
    Multinomial,
    /// Term distributions from every *other* class (steadier with few documents per class); a
    /// class scores high when the text is unlike its complement.
    Complement,
}

/// Training knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NbConfig {
    pub kind: NbKind,
    /// Additive (Lidstone) smoothing of every term weight.
    pub alpha: f32,
    /// Scale of the log-likelihood scores before the softmax in `probabilities_into`.
    pub temperature: f32,
}

impl Default for NbConfig {
    fn default() -> Self {
        Self {
            kind: NbKind::Complement,
            alpha: 0.1,
            temperature: 20.0,
        }
    }
}

/// Log term weights `features × classes` (row-major) and class biases.
#[derive(Debug, Clone, Default)]
pub struct NaiveBayes {
    w: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
    temperature: f32,
}

impl NaiveBayes {
    /// Fits on the examples `xs[i]` with labels `ys[i]` for which `keep(i)` holds (labels
    /// `>= classes` are skipped).
    pub fn train(
        xs: &[Sparse],
        ys: &[usize],
        features: usize,
        classes: usize,
        config: NbConfig,
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let mut counts = vec![0.0f64; features * classes];
        let mut class_docs = vec![0usize; classes];
        for (i, x) in xs.iter().enumerate().take(ys.len()) {
            let y = ys[i];
            if y >= classes || !keep(i) {
                continue;
            }
            class_docs[y] += 1;
            for &(t, v) in x {
                counts[t as usize * classes + y] += v as f64;
            }
        }
        let mut totals = vec![0.0f64; classes];
        for row in counts.chunks_exact(classes.max(1)) {
            totals.iter_mut().zip(row).for_each(|(t, c)| *t += c);
        }
        let grand: f64 = totals.iter().sum();
        let alpha = config.alpha.max(1e-6) as f64;
        let smooth = alpha * features as f64;
        let mut w = vec![0.0f32; features * classes];
        for (row_w, row_c) in w
            .chunks_exact_mut(classes.max(1))
            .zip(counts.chunks_exact(classes.max(1)))
        {
            let term_total: f64 = row_c.iter().sum();
            for c in 0..classes {
                row_w[c] = match config.kind {
                    NbKind::Multinomial => ((row_c[c] + alpha) / (totals[c] + smooth)).ln() as f32,
                    // Minus the complement's log weight: high when the term is rare elsewhere.
                    NbKind::Complement => -(((term_total - row_c[c]) + alpha)
                        / ((grand - totals[c]) + smooth))
                        .ln() as f32,
                };
            }
        }
        let n: usize = class_docs.iter().sum();
        let bias = class_docs
            .iter()
            .map(|&d| match config.kind {
                // Class prior; the complement model ignores it, as is usual.
                NbKind::Multinomial if n > 0 => {
                    ((d as f64 + 1.0) / (n + classes) as f64).ln() as f32
                }
                _ => 0.0,
            })
            .collect();
        Self {
            w,
            bias,
            classes,
            temperature: config.temperature,
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Raw scores (log-likelihood up to a constant) of `x` into `out` (length = classes).
    pub fn scores_into(&self, x: &Sparse, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &(t, v) in x {
            let Some(row) = self
                .w
                .get(t as usize * self.classes..(t as usize + 1) * self.classes)
            else {
                continue;
            };
            out.iter_mut().zip(row).for_each(|(o, w)| *o += v * w);
        }
    }

    /// Softmax of the scores times the temperature.
    pub fn probabilities_into(&self, x: &Sparse, out: &mut [f32]) {
        self.scores_into(x, out);
        softmax(out, self.temperature);
    }

    /// Class probabilities of `x`.
    pub fn probabilities(&self, x: &Sparse) -> Vec<f32> {
        let mut out = vec![0.0; self.classes];
        if self.classes > 0 {
            self.probabilities_into(x, &mut out);
        }
        out
    }
}

/// In-place softmax of `scale · v`.
pub fn softmax(v: &mut [f32], scale: f32) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return;
    }
    let mut sum = 0.0;
    v.iter_mut().for_each(|o| {
        *o = ((*o - max) * scale).exp();
        sum += *o;
    });
    if sum > 0.0 {
        v.iter_mut().for_each(|o| *o /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<Sparse>, Vec<usize>) {
        let xs = vec![
            vec![(0, 0.9), (2, 0.4)],
            vec![(1, 0.9), (2, 0.4)],
            vec![(0, 0.7), (3, 0.7)],
            vec![(1, 0.7), (3, 0.7)],
        ];
        (xs, vec![0, 1, 0, 1])
    }

    #[test]
    fn both_kinds_pick_the_class_of_its_terms() {
        let (xs, ys) = data();
        for kind in [NbKind::Multinomial, NbKind::Complement] {
            let c = NbConfig {
                kind,
                ..NbConfig::default()
            };
            let m = NaiveBayes::train(&xs, &ys, 4, 2, c, |_| true);
            let p = m.probabilities(&vec![(0, 1.0)]);
            assert!(
                p[0] > 0.9 && (p[0] + p[1] - 1.0).abs() < 1e-5,
                "{kind:?}: {p:?}"
            );
            assert!(m.probabilities(&vec![(1, 1.0)])[1] > 0.9, "{kind:?}");
        }
    }

    #[test]
    fn left_out_and_unlabelled_docs_are_not_counted() {
        let (xs, ys) = data();
        let score = |m: &NaiveBayes, x: &Sparse| {
            let mut s = vec![0.0; 2];
            m.scores_into(x, &mut s);
            s
        };
        let c = NbConfig::default();
        let full = NaiveBayes::train(&xs, &ys, 4, 2, c, |_| true);
        let kept = NaiveBayes::train(&xs, &ys, 4, 2, c, |i| i >= 2);
        let unlabelled: Vec<usize> = (0..4)
            .map(|i| if i < 2 { usize::MAX } else { ys[i] })
            .collect();
        let blank = NaiveBayes::train(&xs, &unlabelled, 4, 2, c, |_| true);
        let x = vec![(0, 0.5), (2, 0.5)];
        assert_eq!(score(&kept, &x), score(&blank, &x));
        assert_ne!(score(&kept, &x), score(&full, &x));
        // Features beyond the vocabulary are ignored.
        assert_eq!(score(&full, &vec![(9, 1.0)]), vec![0.0, 0.0]);
    }
}
