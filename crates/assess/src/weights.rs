//! Weights: AHP from a reciprocal pairwise-comparison matrix (Saaty) and entropy weights.
//!
//! AHP: the weights are the principal (Perron) eigenvector of the matrix, normalised to sum 1,
//! found by power iteration (the matrix is positive, so the iteration converges to it);
//! λ_max = mean over i of (A·w)_i / w_i; CI = (λ_max − n) / (n − 1); CR = CI / RI(n) with Saaty's
//! random indices. Weights are refused above CR 0.1 where they are used as weights
//! ([`AhpResult::weights_checked`]).
//!
//! Entropy: columns min-max normalised to [0, 1], p_ij = x_ij / Σ_i x_ij,
//! e_j = −(1 / ln m) Σ_i p_ij ln p_ij (0·ln 0 = 0), d_j = 1 − e_j, w_j = d_j / Σ_k d_k.
//! A constant column carries no information (d_j = 0).

use crate::Error;
use serde::Serialize;

/// Saaty's random consistency indices RI(n), n = 1 … 15 (Saaty 1980; 11–15 from Saaty 2012).
pub const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// The largest consistency ratio accepted when AHP weights are used.
pub const CR_LIMIT: f64 = 0.1;

/// How far a_ij · a_ji may be from 1 (entries such as 0.33 for 1/3 are accepted).
const RECIPROCAL_TOLERANCE: f64 = 0.02;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AhpResult {
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    pub ci: f64,
    pub cr: f64,
}

impl AhpResult {
    /// The weights, or an error when the judgements are too inconsistent to be used.
    pub fn weights_checked(&self) -> Result<&[f64], Error> {
        if self.cr > CR_LIMIT {
            return Err(Error::Inconsistent { cr: self.cr });
        }
        Ok(&self.weights)
    }
}

/// Checks that `a` is a square, positive, reciprocal matrix with ones on the diagonal.
#[allow(clippy::needless_range_loop)] // (i, j) and (j, i) of one matrix
pub fn check_reciprocal(a: &[Vec<f64>]) -> Result<(), Error> {
    let n = a.len();
    let bad = |m: String| Err(Error::Input(m));
    if n == 0 {
        return bad("判断矩阵为空".into());
    }
    if n > RANDOM_INDEX.len() {
        return bad(format!(
            "判断矩阵最多 {} 阶，现为 {n} 阶",
            RANDOM_INDEX.len()
        ));
    }
    for (i, row) in a.iter().enumerate() {
        if row.len() != n {
            return bad(format!(
                "判断矩阵须为方阵：第 {} 行有 {} 个数，应为 {n} 个",
                i + 1,
                row.len()
            ));
        }
        for (j, &x) in row.iter().enumerate() {
            if !(x.is_finite() && x > 0.0) {
                return bad(format!("第 {} 行第 {} 列须为正数，现为 {x}", i + 1, j + 1));
            }
        }
        if (row[i] - 1.0).abs() > 1e-9 {
            return bad(format!(
                "对角线须为 1：第 {0} 行第 {0} 列为 {1}",
                i + 1,
                row[i]
            ));
        }
    }
    for i in 0..n {
        for j in i + 1..n {
            if (a[i][j] * a[j][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return bad(format!(
                    "判断矩阵须互为倒数：第 {} 行第 {} 列为 {}，第 {} 行第 {} 列应为其倒数 {:.4}，现为 {}",
                    i + 1,
                    j + 1,
                    a[i][j],
                    j + 1,
                    i + 1,
                    1.0 / a[i][j],
                    a[j][i]
                ));
            }
        }
    }
    Ok(())
}

/// AHP weights, λ_max, CI and CR of a reciprocal matrix.
pub fn ahp(a: &[Vec<f64>]) -> Result<AhpResult, Error> {
    check_reciprocal(a)?;
    let n = a.len();
    if n == 1 {
        return Ok(AhpResult {
            weights: vec![1.0],
            lambda_max: 1.0,
            ci: 0.0,
            cr: 0.0,
        });
    }
    // Power iteration from the row geometric means (already close for near-consistent matrices).
    let mut w: Vec<f64> = a
        .iter()
        .map(|row| row.iter().map(|x| x.ln()).sum::<f64>() / n as f64)
        .map(f64::exp)
        .collect();
    normalise_sum(&mut w);
    let mut next = vec![0.0; n];
    for _ in 0..100_000 {
        mat_vec(a, &w, &mut next);
        normalise_sum(&mut next);
        let delta = w
            .iter()
            .zip(&next)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        std::mem::swap(&mut w, &mut next);
        if delta < 1e-15 {
            break;
        }
    }
    mat_vec(a, &w, &mut next);
    let lambda_max = next.iter().zip(&w).map(|(aw, wi)| aw / wi).sum::<f64>() / n as f64;
    let ci = ((lambda_max - n as f64) / (n as f64 - 1.0)).max(0.0);
    let ri = RANDOM_INDEX[n - 1];
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    Ok(AhpResult {
        weights: w,
        lambda_max,
        ci,
        cr,
    })
}

fn mat_vec(a: &[Vec<f64>], w: &[f64], out: &mut [f64]) {
    for (o, row) in out.iter_mut().zip(a) {
        *o = row.iter().zip(w).map(|(x, y)| x * y).sum();
    }
}

fn normalise_sum(w: &mut [f64]) {
    let s: f64 = w.iter().sum();
    for x in w.iter_mut() {
        *x /= s;
    }
}

/// Entropy weights of the columns of `data` (rows = units, all higher-is-better, no gaps).
pub fn entropy(data: &[Vec<f64>]) -> Result<Vec<f64>, Error> {
    let m = data.len();
    if m < 2 {
        return Err(Error::Input(format!(
            "熵权法至少需要 2 个单位的数据，现有 {m} 个"
        )));
    }
    let k = data[0].len();
    if k == 0 {
        return Err(Error::Input("没有指标列".into()));
    }
    if let Some((i, r)) = data.iter().enumerate().find(|(_, r)| r.len() != k) {
        return Err(Error::Input(format!(
            "第 {} 个单位有 {} 个值，应为 {k} 个",
            i + 1,
            r.len()
        )));
    }
    let ln_m = (m as f64).ln();
    let mut d = Vec::with_capacity(k);
    for j in 0..k {
        let col: Vec<f64> = data.iter().map(|r| r[j]).collect();
        if let Some(i) = col.iter().position(|x| !x.is_finite()) {
            return Err(Error::Input(format!(
                "第 {} 个单位第 {} 个指标不是有限数",
                i + 1,
                j + 1
            )));
        }
        let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi <= lo {
            d.push(0.0);
            continue;
        }
        let x: Vec<f64> = col.iter().map(|v| (v - lo) / (hi - lo)).collect();
        let s: f64 = x.iter().sum();
        let e = -x
            .iter()
            .map(|v| v / s)
            .filter(|&p| p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>()
            / ln_m;
        d.push(1.0 - e);
    }
    let total: f64 = d.iter().sum();
    if total <= 0.0 {
        return Err(Error::Input(
            "各指标列的值全都相同，熵权法无法区分指标".into(),
        ));
    }
    Ok(d.into_iter().map(|x| x / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_matrix_has_cr_zero() {
        // a_ij = w_i / w_j for w = (4, 2, 1)
        let a = vec![
            vec![1.0, 2.0, 4.0],
            vec![0.5, 1.0, 2.0],
            vec![0.25, 0.5, 1.0],
        ];
        let r = ahp(&a).unwrap();
        assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-12);
        assert!((r.lambda_max - 3.0).abs() < 1e-12);
        assert!(r.cr.abs() < 1e-12);
    }

    #[test]
    fn not_reciprocal_is_refused_with_cell() {
        let a = vec![vec![1.0, 3.0], vec![3.0, 1.0]];
        let e = ahp(&a).unwrap_err().to_string();
        assert!(e.contains("第 1 行第 2 列"), "{e}");
    }

    #[test]
    fn inconsistent_weights_refused() {
        // a > b, b > c, c > a strongly: a cycle.
        let a = vec![
            vec![1.0, 9.0, 1.0 / 9.0],
            vec![1.0 / 9.0, 1.0, 9.0],
            vec![9.0, 1.0 / 9.0, 1.0],
        ];
        let r = ahp(&a).unwrap();
        assert!(r.cr > CR_LIMIT);
        assert!(r.weights_checked().is_err());
    }

    #[test]
    fn entropy_constant_column_gets_zero() {
        let d = vec![vec![1.0, 5.0], vec![2.0, 5.0], vec![3.0, 5.0]];
        let w = entropy(&d).unwrap();
        assert_eq!(w[1], 0.0);
        assert_eq!(w[0], 1.0);
    }
}
