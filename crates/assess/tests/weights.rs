//! AHP and entropy weights against independent computations.

// Matrix code reads best with (i, j) indices.
#![allow(clippy::needless_range_loop)]

use innomesh_assess::{ahp, entropy};

/// A small LCG of the test's own (independent of the engine's generator).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

/// Random reciprocal matrix with entries from Saaty's 1–9 scale.
fn random_reciprocal(n: usize, g: &mut Lcg) -> Vec<Vec<f64>> {
    let mut a = vec![vec![1.0; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let v = (g.next() % 9 + 1) as f64;
            let x = if g.next() % 2 == 0 { v } else { 1.0 / v };
            a[i][j] = x;
            a[j][i] = 1.0 / x;
        }
    }
    a
}

/// Determinant by Gaussian elimination with partial pivoting.
fn det(mut m: Vec<Vec<f64>>) -> f64 {
    let n = m.len();
    let mut d = 1.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        if m[p][c] == 0.0 {
            return 0.0;
        }
        if p != c {
            m.swap(p, c);
            d = -d;
        }
        d *= m[c][c];
        for r in c + 1..n {
            let f = m[r][c] / m[c][c];
            for k in c..n {
                m[r][k] -= f * m[c][k];
            }
        }
    }
    d
}

fn solve(mut m: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = m.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        m.swap(p, c);
        b.swap(p, c);
        for r in c + 1..n {
            let f = m[r][c] / m[c][c];
            for k in c..n {
                m[r][k] -= f * m[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| m[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / m[r][r];
    }
    x
}

fn shifted(a: &[Vec<f64>], l: f64) -> Vec<Vec<f64>> {
    let mut m = a.to_vec();
    for (i, row) in m.iter_mut().enumerate() {
        row[i] -= l;
    }
    m
}

/// The largest real root of det(A − λI): scanned down from the largest row sum (a bound on the
/// Perron root), then bisected. Independent of power iteration.
fn lambda_max_by_determinant(a: &[Vec<f64>]) -> f64 {
    let n = a.len() as f64;
    let upper = a.iter().map(|r| r.iter().sum::<f64>()).fold(0.0, f64::max) + 1e-6;
    let steps = 20_000;
    let h = (upper - (n - 0.5)) / steps as f64;
    let f = |l: f64| det(shifted(a, l));
    let mut hi = upper;
    let mut fhi = f(hi);
    for s in 1..=steps {
        let lo = upper - s as f64 * h;
        let flo = f(lo);
        if flo.signum() != fhi.signum() {
            let (mut lo, mut hi2) = (lo, hi);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi2);
                if f(mid).signum() == fhi.signum() {
                    hi2 = mid;
                } else {
                    lo = mid;
                }
            }
            return 0.5 * (lo + hi2);
        }
        hi = lo;
        fhi = flo;
    }
    panic!("no root found");
}

/// Saaty's random index, copied from Saaty (1980) for the check.
const RI: [f64; 9] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45];

#[test]
fn ahp_is_principal_eigenvector_for_random_matrices_3_to_9() {
    let mut g = Lcg(42);
    for n in 3..=9 {
        for _ in 0..20 {
            let a = random_reciprocal(n, &mut g);
            let r = ahp(&a).unwrap();
            // 1. residual of A·w = λ·w
            for i in 0..n {
                let aw: f64 = (0..n).map(|j| a[i][j] * r.weights[j]).sum();
                assert!(
                    (aw - r.lambda_max * r.weights[i]).abs() < 1e-9,
                    "n={n} residual"
                );
            }
            assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(r.weights.iter().all(|&w| w > 0.0));
            // 2. a second algorithm: λ from det(A − λI) = 0, w from the null space.
            let l = lambda_max_by_determinant(&a);
            assert!(
                (l - r.lambda_max).abs() < 1e-6,
                "n={n}: λ {l} vs {}",
                r.lambda_max
            );
            let mut m = shifted(&a, l);
            m[n - 1] = vec![1.0; n];
            let mut b = vec![0.0; n];
            b[n - 1] = 1.0;
            let w = solve(m, b);
            for (x, y) in w.iter().zip(&r.weights) {
                assert!((x - y).abs() < 1e-6, "n={n}: {w:?} vs {:?}", r.weights);
            }
            // 3. CR by Saaty's definition.
            let ci = (l - n as f64) / (n as f64 - 1.0);
            assert!((r.ci - ci).abs() < 1e-6);
            assert!((r.cr - ci / RI[n - 1]).abs() < 1e-6);
        }
    }
}

#[test]
fn ahp_known_example() {
    // Saaty's consistent-ish 3×3 example; weights by the geometric mean are close, not equal.
    let a = vec![
        vec![1.0, 3.0, 5.0],
        vec![1.0 / 3.0, 1.0, 3.0],
        vec![0.2, 1.0 / 3.0, 1.0],
    ];
    let r = ahp(&a).unwrap();
    assert!((r.weights[0] - 0.6370).abs() < 1e-3, "{:?}", r.weights);
    assert!((r.lambda_max - 3.0385).abs() < 1e-3);
    assert!((r.cr - 0.0332).abs() < 1e-3);
}

/// The textbook entropy-weight formula, written out directly.
fn textbook_entropy(x: &[Vec<f64>]) -> Vec<f64> {
    let m = x.len();
    let n = x[0].len();
    let k = 1.0 / (m as f64).ln();
    let mut d = vec![0.0; n];
    for j in 0..n {
        let mut lo = x[0][j];
        let mut hi = x[0][j];
        for row in x {
            lo = lo.min(row[j]);
            hi = hi.max(row[j]);
        }
        let y: Vec<f64> = x.iter().map(|r| (r[j] - lo) / (hi - lo)).collect();
        let total: f64 = y.iter().sum();
        let mut e = 0.0;
        for v in &y {
            let p = v / total;
            if p > 0.0 {
                e += p * p.ln();
            }
        }
        d[j] = 1.0 - (-k * e);
    }
    let s: f64 = d.iter().sum();
    d.iter().map(|v| v / s).collect()
}

#[test]
fn entropy_matches_textbook_formula() {
    let mut g = Lcg(7);
    for m in [2, 3, 10, 57] {
        for cols in [1, 3, 8] {
            let x: Vec<Vec<f64>> = (0..m)
                .map(|_| {
                    (0..cols)
                        .map(|c| g.unit() * 100.0 * (c + 1) as f64)
                        .collect()
                })
                .collect();
            let w = entropy(&x).unwrap();
            let t = textbook_entropy(&x);
            for (a, b) in w.iter().zip(&t) {
                assert!((a - b).abs() < 1e-9, "m={m} cols={cols}: {w:?} vs {t:?}");
            }
        }
    }
}

#[test]
fn entropy_refuses_too_little_data() {
    assert!(entropy(&[vec![1.0, 2.0]]).is_err());
    assert!(entropy(&[vec![1.0], vec![1.0]]).is_err());
}
