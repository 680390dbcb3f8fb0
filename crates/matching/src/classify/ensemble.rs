//! The discipline classifier the retriever fits on a corpus's own metadata: an ensemble of a
//! multiclass hinge model (linear SVM), multinomial logistic regression and complement naive
//! Bayes over the same sparse TF-IDF vectors, averaging their calibrated class probabilities.
//! Every member is trained once per fold (fold f leaves out the docs with `i % folds == f`), so a
//! corpus document can be judged by models that never saw it.
//!
//! Measured on 4,104 Chinese abstracts over 67 disciplines (words + character bigrams + single
//! characters, 10 folds, out-of-fold accuracy): logistic regression 0.610, hinge 0.621, complement
//! NB 0.603, this ensemble (weights 2 : 1 : 1) 0.623; on a held-out 20% split (models fitted on
//! the other 80%) 0.572, 0.598, 0.561 and 0.592.

use super::nb::{softmax, NaiveBayes, NbConfig, NbKind};
use super::{ClassifierConfig, LinearClassifier, Loss};
use crate::tfidf::Sparse;

/// Members and weights of the ensemble (a member with weight 0 is not trained).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnsembleConfig {
    pub hinge: ClassifierConfig,
    pub hinge_weight: f32,
    pub softmax: ClassifierConfig,
    pub softmax_weight: f32,
    pub nb: NbConfig,
    pub nb_weight: f32,
}

impl Default for EnsembleConfig {
    fn default() -> Self {
        Self {
            // A small step is the regulariser: the margin is 1, so it bounds the weights' growth
            // (out-of-fold accuracy 0.600 / 0.610 / 0.621 / 0.608 / 0.591 at 0.01 / 0.03 / 0.1 /
            // 0.3 / 1). Scale 8 calibrates the margins best (lowest out-of-fold log-loss).
            hinge: ClassifierConfig {
                learning_rate: 0.1,
                loss: Loss::Hinge,
                scale: 8.0,
                ..ClassifierConfig::default()
            },
            hinge_weight: 2.0,
            softmax: ClassifierConfig::default(),
            softmax_weight: 1.0,
            nb: NbConfig {
                kind: NbKind::Complement,
                alpha: 0.3,
                temperature: 10.0,
            },
            nb_weight: 1.0,
        }
    }
}

/// The members trained on one fold.
#[derive(Debug, Clone, Default)]
struct Members {
    hinge: Option<LinearClassifier>,
    softmax: Option<LinearClassifier>,
    nb: Option<NaiveBayes>,
}

/// One ensemble per fold.
#[derive(Debug, Clone, Default)]
pub struct FoldEnsemble {
    folds: Vec<Members>,
    classes: usize,
    config: Option<EnsembleConfig>,
}

impl FoldEnsemble {
    /// Trains `folds` ensembles on `xs` with labels `labels` (`usize::MAX` = unlabelled, skipped),
    /// fold f leaving out the docs with `i % folds == f`, on as many threads as the machine
    /// offers; every fold is seeded alike, so the result does not depend on threading.
    pub fn train(
        xs: &[Sparse],
        labels: &[usize],
        features: usize,
        classes: usize,
        folds: usize,
        config: EnsembleConfig,
    ) -> Self {
        let folds = folds.max(1);
        let train = |f: usize| {
            let keep = |i: usize| (folds == 1 || i % folds != f) && labels[i] < classes;
            let linear = |c: ClassifierConfig, w: f32| {
                (w > 0.0).then(|| LinearClassifier::train(xs, labels, features, classes, c, keep))
            };
            Members {
                hinge: linear(config.hinge, config.hinge_weight),
                softmax: linear(config.softmax, config.softmax_weight),
                nb: (config.nb_weight > 0.0)
                    .then(|| NaiveBayes::train(xs, labels, features, classes, config.nb, keep)),
            }
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, folds);
        let mut out: Vec<Option<Members>> = (0..folds).map(|_| None).collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let train = &train;
                    scope.spawn(move || {
                        (t..folds)
                            .step_by(threads)
                            .map(|f| (f, train(f)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                // A panic in a worker is a bug; re-raise it rather than return partial models.
                let done = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                for (f, m) in done {
                    out[f] = Some(m);
                }
            }
        });
        Self {
            folds: out.into_iter().flatten().collect(),
            classes,
            config: Some(config),
        }
    }

    /// Whether no model was trained.
    pub fn is_empty(&self) -> bool {
        self.folds.is_empty()
    }

    /// Number of fold ensembles.
    pub fn folds(&self) -> usize {
        self.folds.len()
    }

    /// Class probabilities of `x`: from the fold ensemble `fold` (one that never saw the
    /// documents of that fold), or, with `None`, the average over all folds' scores.
    pub fn probabilities(&self, x: &Sparse, fold: Option<usize>) -> Vec<f32> {
        let k = self.classes;
        let (Some(c), false) = (self.config, self.folds.is_empty() || k == 0) else {
            return vec![0.0; k];
        };
        let chosen: Vec<&Members> = match fold {
            Some(f) => vec![&self.folds[f % self.folds.len()]],
            None => self.folds.iter().collect(),
        };
        let n = chosen.len() as f32;
        // Each member's raw scores averaged over the chosen folds, then calibrated.
        let mut hinge = vec![0.0f32; k];
        let mut soft = vec![0.0f32; k];
        let mut nb = vec![0.0f32; k];
        let mut buf = vec![0.0f32; k];
        let add = |acc: &mut [f32], s: &[f32]| acc.iter_mut().zip(s).for_each(|(a, b)| *a += b / n);
        for m in &chosen {
            if let Some(h) = &m.hinge {
                h.scores_into(x, &mut buf);
                add(&mut hinge, &buf);
            }
            if let Some(s) = &m.softmax {
                s.scores_into(x, &mut buf);
                add(&mut soft, &buf);
            }
            if let Some(b) = &m.nb {
                b.scores_into(x, &mut buf);
                add(&mut nb, &buf);
            }
        }
        let mut out = vec![0.0f32; k];
        let total = c.hinge_weight.max(0.0) + c.softmax_weight.max(0.0) + c.nb_weight.max(0.0);
        for (mut s, scale, w) in [
            (hinge, c.hinge.scale, c.hinge_weight),
            (soft, c.softmax.scale, c.softmax_weight),
            (nb, c.nb.temperature, c.nb_weight),
        ] {
            if w > 0.0 && total > 0.0 {
                softmax(&mut s, scale);
                out.iter_mut()
                    .zip(&s)
                    .for_each(|(o, p)| *o += w / total * p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<Sparse>, Vec<usize>) {
        // Three classes, each with its own pair of marker features plus shared noise.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..30usize {
            let y = i % 3;
            let a = (2 * y) as u32;
            let noise = 6 + (i % 4) as u32;
            let mut x = vec![(a, 0.6), (a + 1, 0.5), (noise, 0.6)];
            x.sort_unstable_by_key(|p| p.0);
            xs.push(x);
            ys.push(y);
        }
        (xs, ys)
    }

    #[test]
    fn out_of_fold_members_learn_the_classes() {
        let (xs, ys) = data();
        let e = FoldEnsemble::train(&xs, &ys, 10, 3, 5, EnsembleConfig::default());
        assert_eq!(e.folds(), 5);
        for (i, x) in xs.iter().enumerate() {
            let p = e.probabilities(x, Some(i % 5));
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            assert_eq!(best, ys[i], "doc {i}: {p:?}");
        }
        let p = e.probabilities(&vec![(2, 1.0)], None);
        assert!(p[1] > 0.5, "{p:?}");
    }

    #[test]
    fn each_member_alone_and_none_trained() {
        let (xs, ys) = data();
        for which in 0..3 {
            let c = EnsembleConfig {
                hinge_weight: (which == 0) as u8 as f32,
                softmax_weight: (which == 1) as u8 as f32,
                nb_weight: (which == 2) as u8 as f32,
                ..EnsembleConfig::default()
            };
            let e = FoldEnsemble::train(&xs, &ys, 10, 3, 3, c);
            let p = e.probabilities(&vec![(4, 0.7), (5, 0.7)], None);
            assert!(p[2] > p[0] && p[2] > p[1], "member {which}: {p:?}");
        }
        let empty = FoldEnsemble::default();
        assert!(empty.is_empty());
        assert!(empty.probabilities(&vec![(0, 1.0)], None).is_empty());
    }
}
