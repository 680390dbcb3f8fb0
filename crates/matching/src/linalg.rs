//! The little dense linear algebra the LSA embedder needs: a seeded Gaussian generator,
//! Gram–Schmidt orthonormalisation and a Jacobi eigen-solver for small symmetric matrices.

/// SplitMix64: tiny, seeded, reproducible on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn gaussian(&mut self) -> f32 {
        let (u, v) = (self.unit(), self.unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}

/// Orthonormalises the columns of a row-major `rows × cols` matrix in place (modified
/// Gram–Schmidt, twice for stability). Columns that vanish are left as zeros.
pub fn orthonormalize_columns(m: &mut [f32], rows: usize, cols: usize) {
    let mut colv: Vec<Vec<f64>> = (0..cols)
        .map(|j| (0..rows).map(|i| m[i * cols + j] as f64).collect())
        .collect();
    for _pass in 0..2 {
        for j in 0..cols {
            let (done, rest) = colv.split_at_mut(j);
            let cj = &mut rest[0];
            for ck in done.iter() {
                let d: f64 = ck.iter().zip(cj.iter()).map(|(a, b)| a * b).sum();
                cj.iter_mut().zip(ck).for_each(|(x, y)| *x -= d * y);
            }
            let n = cj.iter().map(|x| x * x).sum::<f64>().sqrt();
            if n > 1e-10 {
                cj.iter_mut().for_each(|x| *x /= n);
            } else {
                cj.iter_mut().for_each(|x| *x = 0.0);
            }
        }
    }
    for (j, c) in colv.iter().enumerate() {
        for (i, x) in c.iter().enumerate() {
            m[i * cols + j] = *x as f32;
        }
    }
}

/// Eigen-decomposition of a symmetric `n × n` matrix (row-major) by cyclic Jacobi rotations.
/// Returns eigenvalues descending and the matching eigenvectors as columns of a row-major matrix.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
        if off <= 1e-22 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let vals = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vecs = vec![0.0; n * n];
    for (newj, &oldj) in order.iter().enumerate() {
        for k in 0..n {
            vecs[k * n + newj] = v[k * n + oldj];
        }
    }
    (vals, vecs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let a = [2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0];
        let (vals, vecs) = symmetric_eigen(&a, 3);
        assert!(
            (vals[0] - 5.0).abs() < 1e-9
                && (vals[1] - 3.0).abs() < 1e-9
                && (vals[2] - 1.0).abs() < 1e-9
        );
        // A v = λ v for the top vector.
        let v: Vec<f64> = (0..3).map(|k| vecs[k * 3]).collect();
        for i in 0..3 {
            let av: f64 = (0..3).map(|k| a[i * 3 + k] * v[k]).sum();
            assert!((av - 5.0 * v[i]).abs() < 1e-9);
        }
    }

    #[test]
    fn columns_become_orthonormal() {
        let mut rng = Rng::new(7);
        let (r, c) = (20, 4);
        let mut m: Vec<f32> = (0..r * c).map(|_| rng.gaussian()).collect();
        orthonormalize_columns(&mut m, r, c);
        for a in 0..c {
            for b in 0..c {
                let d: f32 = (0..r).map(|i| m[i * c + a] * m[i * c + b]).sum();
                assert!((d - if a == b { 1.0 } else { 0.0 }).abs() < 1e-4);
            }
        }
    }
}
