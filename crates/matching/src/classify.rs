//! Linear classifiers over sparse TF-IDF vectors, trained by seeded SGD with weight averaging:
//! multinomial logistic regression or a multiclass hinge (linear SVM). `ensemble` combines them
//! with naive Bayes (`nb`).
//! The retriever uses it to learn a corpus's own discipline metadata (never query labels); it is
//! trained in folds so a document can be left out of the model that judges it.

pub mod ensemble;
pub mod nb;

use crate::linalg::Rng;
use crate::tfidf::Sparse;

/// Training knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierConfig {
    pub epochs: usize,
    pub learning_rate: f32,
    pub seed: u64,
    /// L2 weight decay, applied once per epoch as `w *= 1 − learning_rate · l2` (0 = none).
    pub l2: f32,
    pub loss: Loss,
    /// Scale of the scores before the softmax of `probabilities` (the temperature; 1 for the
    /// softmax loss, which is calibrated by training).
    pub scale: f32,
}

/// Training objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Multinomial logistic regression (cross-entropy of the softmax).
    Softmax,
    /// Multiclass hinge (Crammer–Singer): when the true class does not beat the best wrong one by
    /// a margin of 1, the two are pushed apart; only those two weight columns change.
    Hinge,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        Self {
            epochs: 40,
            learning_rate: 4.0,
            seed: 0x5EED,
            l2: 0.0,
            loss: Loss::Softmax,
            scale: 1.0,
        }
    }
}

/// Weights `features × classes` (row-major) and biases.
#[derive(Debug, Clone, Default)]
pub struct LinearClassifier {
    w: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
    scale: f32,
}

impl LinearClassifier {
    /// Trains on the examples `xs[i]` with labels `ys[i]` for which `keep(i)` holds.
    pub fn train(
        xs: &[Sparse],
        ys: &[usize],
        features: usize,
        classes: usize,
        config: ClassifierConfig,
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let mut m = Self {
            w: vec![0.0; features * classes],
            bias: vec![0.0; classes],
            classes,
            scale: config.scale,
        };
        if classes == 0 {
            return m;
        }
        let mut order: Vec<usize> = (0..xs.len().min(ys.len())).filter(|&i| keep(i)).collect();
        let mut rng = Rng::new(config.seed);
        let mut probs = vec![0.0f32; classes];
        let total = (config.epochs * order.len()).max(1) as f32;
        let mut step = 0usize;
        // Averaging the weights of the later epochs generalises better than the last iterate.
        let mut avg_w = vec![0.0f32; m.w.len()];
        let mut avg_b = vec![0.0f32; classes];
        let mut averaged = 0usize;
        for epoch in 0..config.epochs {
            // Fisher–Yates with the seeded generator.
            for i in (1..order.len()).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            for &i in &order {
                let lr = config.learning_rate * (1.0 - step as f32 / total).max(0.05);
                step += 1;
                if config.loss == Loss::Hinge {
                    m.scores_into(&xs[i], &mut probs);
                    let y = ys[i];
                    let r = (0..classes)
                        .filter(|&c| c != y)
                        .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)));
                    if let Some(r) = r.filter(|&r| probs[y] - probs[r] < 1.0) {
                        m.bias[y] += lr * 0.1;
                        m.bias[r] -= lr * 0.1;
                        for &(t, v) in &xs[i] {
                            let base = t as usize * classes;
                            m.w[base + y] += lr * v;
                            m.w[base + r] -= lr * v;
                        }
                    }
                    continue;
                }
                m.probabilities_into(&xs[i], &mut probs);
                probs[ys[i]] -= 1.0;
                for (c, g) in probs.iter().enumerate() {
                    m.bias[c] -= lr * g * 0.1;
                }
                for &(t, v) in &xs[i] {
                    let row = &mut m.w[t as usize * classes..(t as usize + 1) * classes];
                    row.iter_mut()
                        .zip(&probs)
                        .for_each(|(w, g)| *w -= lr * g * v);
                }
            }
            if config.l2 > 0.0 {
                let lr = config.learning_rate * (1.0 - step as f32 / total).max(0.05);
                let keep = (1.0 - lr * config.l2).max(0.0);
                m.w.iter_mut().for_each(|w| *w *= keep);
            }
            if epoch >= config.epochs / 2 {
                avg_w.iter_mut().zip(&m.w).for_each(|(a, w)| *a += w);
                avg_b.iter_mut().zip(&m.bias).for_each(|(a, b)| *a += b);
                averaged += 1;
            }
        }
        if averaged > 0 {
            let n = averaged as f32;
            m.w = avg_w.into_iter().map(|a| a / n).collect();
            m.bias = avg_b.into_iter().map(|a| a / n).collect();
        }
        m
    }

    /// Raw class scores of `x` written into `out` (length = classes).
    pub fn scores_into(&self, x: &Sparse, out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &(t, v) in x {
            let row = &self.w[t as usize * self.classes..(t as usize + 1) * self.classes];
            out.iter_mut().zip(row).for_each(|(o, w)| *o += v * w);
        }
    }

    /// Class probabilities of `x` written into `out` (length = classes): the softmax of the
    /// scores times the configured scale.
    pub fn probabilities_into(&self, x: &Sparse, out: &mut [f32]) {
        self.scores_into(x, out);
        if self.scale != 1.0 {
            out.iter_mut().for_each(|o| *o *= self.scale);
        }
        let max = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        out.iter_mut().for_each(|o| {
            *o = (*o - max).exp();
            sum += *o;
        });
        if sum > 0.0 {
            out.iter_mut().for_each(|o| *o /= sum);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_classes() {
        let xs: Vec<Sparse> = vec![
            vec![(0, 1.0)],
            vec![(1, 1.0)],
            vec![(0, 0.8), (2, 0.6)],
            vec![(1, 0.8), (2, 0.6)],
        ];
        let ys = vec![0, 1, 0, 1];
        let m = LinearClassifier::train(&xs, &ys, 3, 2, ClassifierConfig::default(), |_| true);
        assert!(m.probabilities(&vec![(0, 1.0)])[0] > 0.8);
        assert!(m.probabilities(&vec![(1, 1.0)])[1] > 0.8);
    }

    #[test]
    fn hinge_loss_separates_and_scales() {
        let xs: Vec<Sparse> = vec![
            vec![(0, 1.0)],
            vec![(1, 1.0)],
            vec![(2, 1.0)],
            vec![(0, 0.8), (3, 0.6)],
            vec![(1, 0.8), (3, 0.6)],
            vec![(2, 0.8), (3, 0.6)],
        ];
        let ys = vec![0, 1, 2, 0, 1, 2];
        let c = ClassifierConfig {
            loss: Loss::Hinge,
            learning_rate: 0.1,
            scale: 8.0,
            ..ClassifierConfig::default()
        };
        let m = LinearClassifier::train(&xs, &ys, 4, 3, c, |_| true);
        for (x, &y) in xs.iter().zip(&ys) {
            let mut s = vec![0.0; 3];
            m.scores_into(x, &mut s);
            let best = (0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
            assert_eq!(best, y, "{s:?}");
        }
        let sharp = m.probabilities(&vec![(1, 1.0)]);
        let soft = LinearClassifier {
            scale: 1.0,
            ..m.clone()
        }
        .probabilities(&vec![(1, 1.0)]);
        assert!(
            sharp[1] > soft[1] && soft[1] > 1.0 / 3.0,
            "{sharp:?} {soft:?}"
        );
    }
}
