//! Exact depth-first branch-and-bound for small GAP instances, bounded by the knapsack Lagrangian.

use std::time::Instant;

use super::lagrange::{subgradient, Scratch, Subproblem};
use super::GapInstance;

/// What the search established.
#[derive(Debug, Clone)]
pub(crate) struct ExactOutcome {
    pub best: Option<(Vec<usize>, i64)>,
    /// True when the tree was exhausted: `best` is optimal, or no feasible assignment exists.
    pub proved: bool,
}

struct Node {
    sub: Subproblem,
    assignment: Vec<usize>,
    lambda: Vec<f64>,
}

/// Effort knobs: subgradient iterations at the root and at other nodes, and the node cap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effort {
    pub root_iterations: usize,
    pub node_iterations: usize,
    pub node_limit: u64,
}

/// Runs until the tree is exhausted, the deadline passes or `node_limit` nodes were bounded.
pub(crate) fn branch_and_bound(
    inst: &GapInstance,
    incumbent: Option<(Vec<usize>, i64)>,
    root_lambda: &[f64],
    deadline: Option<Instant>,
    effort: Effort,
) -> ExactOutcome {
    let node_limit = effort.node_limit;
    let mut best = incumbent;
    let mut scratch = Scratch::default();
    let mut nodes = 0u64;
    let mut stack = vec![Node {
        sub: Subproblem::root(inst),
        assignment: vec![usize::MAX; inst.items()],
        lambda: root_lambda.to_vec(),
    }];
    // Worst possible cost: a finite stand-in target for the step size before any solution is known.
    let worst: i64 = (0..inst.items())
        .map(|j| {
            (0..inst.agents())
                .map(|i| inst.cost(i, j))
                .max()
                .unwrap_or(0)
        })
        .sum::<i64>()
        + 1;
    while let Some(node) = stack.pop() {
        if nodes >= node_limit || (nodes % 16 == 0 && deadline.is_some_and(|d| Instant::now() >= d))
        {
            return ExactOutcome {
                best,
                proved: false,
            };
        }
        nodes += 1;
        let Node {
            sub,
            assignment,
            lambda,
        } = node;
        // An item that fits nowhere makes the node infeasible.
        if sub
            .free
            .iter()
            .any(|&j| (0..inst.agents()).all(|i| inst.weight(i, j) > sub.residual[i]))
        {
            continue;
        }
        let ub = best.as_ref().map_or(worst, |b| b.1);
        let prune_at = ub as f64 - 1.0 + 1e-6;
        let root = nodes == 1;
        let r = subgradient(
            inst,
            &sub,
            &lambda,
            ub as f64,
            prune_at,
            if root {
                effort.root_iterations
            } else {
                effort.node_iterations
            },
            if root { 2.0 } else { 0.5 },
            deadline,
            &mut scratch,
        );
        if let Some((part, cost)) = &r.feasible {
            if best.as_ref().is_none_or(|b| *cost < b.1) {
                let mut full = assignment.clone();
                for (q, &j) in sub.free.iter().enumerate() {
                    full[j] = part[q];
                }
                best = Some((full, *cost));
            }
        }
        let ub = best.as_ref().map_or(worst, |b| b.1);
        if r.bound > ub as f64 - 1.0 + 1e-6 || sub.free.is_empty() {
            continue;
        }
        // Branch on a conflicting item; heavy items first because they constrain most.
        let pick = (0..sub.free.len())
            .filter(|&q| r.takers[q] != 1)
            .max_by_key(|&q| {
                let j = sub.free[q];
                let w: i64 = (0..inst.agents()).map(|i| inst.weight(i, j)).sum();
                (r.takers[q] == 0, w, std::cmp::Reverse(j))
            });
        let Some(q) = pick else {
            continue;
        };
        let j = sub.free[q];
        let mut children: Vec<usize> = (0..inst.agents())
            .filter(|&i| inst.weight(i, j) <= sub.residual[i])
            .collect();
        let preferred = r.taken_by[q];
        children.sort_by_key(|&i| (i != preferred, inst.cost(i, j), i));
        for &i in children.iter().rev() {
            let mut child = sub.clone();
            child.free.remove(q);
            child.residual[i] -= inst.weight(i, j);
            child.fixed_cost += inst.cost(i, j);
            let mut a = assignment.clone();
            a[j] = i;
            stack.push(Node {
                sub: child,
                assignment: a,
                lambda: r.lambda.clone(),
            });
        }
    }
    ExactOutcome { best, proved: true }
}
