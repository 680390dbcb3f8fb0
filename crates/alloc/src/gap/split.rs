//! The splitting variant: an item's quantity may be divided among agents (each share using weight
//! and cost in proportion). That is the LP relaxation of the GAP, solved here by a dense two-phase
//! simplex with Bland's rule: simple and exact, meant for order-sized instances.

use serde::Serialize;

use super::GapInstance;
use crate::AllocError;

/// Above this many tableau cells the dense simplex would be too slow; callers get an error.
const MAX_CELLS: usize = 40_000_000;
const EPS: f64 = 1e-9;

/// One item's shares: (agent, fraction of the item), fractions summing to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitReport {
    /// For each item, the agents it is split over with their fractions.
    pub shares: Vec<Vec<(usize, f64)>>,
    /// Optimal cost; also a lower bound for the unsplit problem. None when infeasible.
    pub cost: Option<f64>,
    pub feasible: bool,
}

/// Solves the splitting variant exactly.
pub fn solve_split(inst: &GapInstance) -> Result<SplitReport, AllocError> {
    let (m, n) = (inst.agents(), inst.items());
    let vars = m * n + m + n; // x (agent-major), slacks, artificials
    let rows = n + m;
    if rows.saturating_mul(vars + 1) > MAX_CELLS {
        return Err(AllocError::config(
            format!("可拆分模式的实例过大（{m}×{n}）：请减少车间或工件"),
            "instance too large for the splitting (LP) variant",
        ));
    }
    let width = vars + 1;
    let mut t = vec![0.0f64; rows * width];
    let mut basis = vec![0usize; rows];
    for j in 0..n {
        for i in 0..m {
            t[j * width + i * n + j] = 1.0;
        }
        t[j * width + m * n + m + j] = 1.0;
        t[j * width + vars] = 1.0;
        basis[j] = m * n + m + j;
    }
    for i in 0..m {
        let r = n + i;
        for j in 0..n {
            t[r * width + i * n + j] = inst.weight(i, j) as f64;
        }
        t[r * width + m * n + i] = 1.0;
        t[r * width + vars] = inst.capacity(i) as f64;
        basis[r] = m * n + i;
    }
    // Phase 1: minimise the artificials; phase 2: the costs, artificials barred from entering.
    let phase1: Vec<f64> = (0..vars)
        .map(|v| if v >= m * n + m { 1.0 } else { 0.0 })
        .collect();
    run(&mut t, &mut basis, rows, width, &phase1, vars);
    let infeasibility: f64 = (0..rows)
        .filter(|&r| basis[r] >= m * n + m)
        .map(|r| t[r * width + vars])
        .sum();
    if infeasibility > 1e-7 {
        return Ok(SplitReport {
            shares: Vec::new(),
            cost: None,
            feasible: false,
        });
    }
    // Artificials still basic (at zero) must leave before phase 2, or a phase-2 pivot could raise
    // them again; a row with nothing else to pivot on is redundant and never changes.
    for r in 0..rows {
        if basis[r] >= m * n + m {
            if let Some(v) =
                (0..m * n + m).find(|&v| t[r * width + v].abs() > 1e-7 && !basis.contains(&v))
            {
                pivot(&mut t, rows, width, r, v);
                basis[r] = v;
            }
        }
    }
    let phase2: Vec<f64> = (0..vars)
        .map(|v| {
            if v < m * n {
                inst.cost(v / n, v % n) as f64
            } else {
                0.0
            }
        })
        .collect();
    run(&mut t, &mut basis, rows, width, &phase2, m * n + m);
    let mut x = vec![0.0; m * n];
    for r in 0..rows {
        if basis[r] < m * n {
            x[basis[r]] = t[r * width + vars];
        }
    }
    let mut shares = vec![Vec::new(); n];
    let mut cost = 0.0;
    for i in 0..m {
        for j in 0..n {
            let f = x[i * n + j];
            if f > 1e-9 {
                shares[j].push((i, f));
                cost += f * inst.cost(i, j) as f64;
            }
        }
    }
    Ok(SplitReport {
        shares,
        cost: Some(cost),
        feasible: true,
    })
}

/// Primal simplex on the tableau with Bland's rule (no cycling); only columns `< enter_limit` may
/// enter the basis.
fn run(
    t: &mut [f64],
    basis: &mut [usize],
    rows: usize,
    width: usize,
    cost: &[f64],
    enter_limit: usize,
) {
    let vars = width - 1;
    loop {
        // Reduced costs: c_v - c_B B^-1 A_v, read off the current tableau.
        let mut entering = None;
        for v in 0..enter_limit {
            if basis.contains(&v) {
                continue;
            }
            let mut rc = cost[v];
            for r in 0..rows {
                rc -= cost[basis[r]] * t[r * width + v];
            }
            if rc < -EPS {
                entering = Some(v);
                break;
            }
        }
        let Some(e) = entering else { return };
        let mut leave: Option<(usize, f64)> = None;
        for r in 0..rows {
            let a = t[r * width + e];
            if a > EPS {
                let ratio = t[r * width + vars] / a;
                let better = match leave {
                    None => true,
                    Some((lr, lv)) => {
                        ratio < lv - EPS || (ratio <= lv + EPS && basis[r] < basis[lr])
                    }
                };
                if better {
                    leave = Some((r, ratio));
                }
            }
        }
        // Unbounded cannot happen (x is bounded by the assignment rows); stop defensively.
        let Some((p, _)) = leave else { return };
        pivot(t, rows, width, p, e);
        basis[p] = e;
    }
}

fn pivot(t: &mut [f64], rows: usize, width: usize, p: usize, e: usize) {
    let value = t[p * width + e];
    for c in 0..width {
        t[p * width + c] /= value;
    }
    for r in 0..rows {
        if r != p {
            let f = t[r * width + e];
            if f != 0.0 {
                for c in 0..width {
                    t[r * width + c] -= f * t[p * width + c];
                }
            }
        }
    }
}
