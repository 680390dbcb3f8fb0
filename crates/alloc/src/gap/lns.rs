//! Large-neighbourhood polishing of a feasible GAP answer: free every item of two or three agents
//! and re-solve that small sub-problem exactly (branch-and-bound), keeping it when it is cheaper.

use std::time::Instant;

use super::exact::{branch_and_bound, Effort};
use super::lagrange::initial_lambda;
use super::GapInstance;
use crate::rng::Rng;

/// Sub-problems above this many items are trimmed: exact search there costs more than it gains.
const MAX_SUB_ITEMS: usize = 50;

pub(crate) fn polish(
    inst: &GapInstance,
    assign: &mut [usize],
    cost: &mut i64,
    price: &[f64],
    seed: u64,
    deadline: Option<Instant>,
    max_rounds: u64,
) {
    let (m, n) = (inst.agents(), inst.items());
    if m < 2 || n == 0 {
        return;
    }
    let mut rng = Rng::new(seed ^ 0x1A5);
    // Agents that compete for an item: the best few by priced cost.
    let rank = |j: usize| {
        let mut v: Vec<usize> = (0..m).collect();
        v.sort_by(|&a, &b| {
            let sa = inst.cost(a, j) as f64 + price[a] * inst.weight(a, j) as f64;
            let sb = inst.cost(b, j) as f64 + price[b] * inst.weight(b, j) as f64;
            sa.total_cmp(&sb)
        });
        v.truncate(4);
        v
    };
    let rivals: Vec<Vec<usize>> = (0..n).map(rank).collect();
    let mut round = 0u64;
    while round < max_rounds {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        round += 1;
        // Seed agent, then partners that are rivals for the seed's items.
        let j0 = rng.below(n);
        let mut agents = vec![assign[j0]];
        // Aim at sub-problems of about 45 items: enough to escape local optima, small enough to solve.
        let per_agent = (n as f64 / m as f64).max(1.0);
        let k_max = ((45.0 / per_agent).round() as usize).clamp(2, 6).min(m);
        let k = 2 + rng.below(k_max - 1);
        let mut tries = 0;
        while agents.len() < k && tries < 40 {
            tries += 1;
            let j = if rng.below(2) == 0 {
                j0
            } else {
                let a = agents[rng.below(agents.len())];
                let mine: Vec<usize> = (0..n).filter(|&j| assign[j] == a).collect();
                if mine.is_empty() {
                    continue;
                }
                mine[rng.below(mine.len())]
            };
            let r = rivals[j][rng.below(rivals[j].len())];
            if !agents.contains(&r) {
                agents.push(r);
            }
        }
        if agents.len() < 2 {
            continue;
        }
        let mut items: Vec<usize> = (0..n).filter(|&j| agents.contains(&assign[j])).collect();
        let max_sub = MAX_SUB_ITEMS;
        if items.len() > max_sub {
            // A random subset: the rest stays fixed, which also shrinks the residual capacities
            // and with them the knapsack tables.
            for k in 0..max_sub {
                let r = k + rng.below(items.len() - k);
                items.swap(k, r);
            }
            items.truncate(max_sub);
            items.sort_unstable();
        }
        let (ka, ki) = (agents.len(), items.len());
        let mut cst = Vec::with_capacity(ka * ki);
        let mut wgt = Vec::with_capacity(ka * ki);
        let mut cap = Vec::with_capacity(ka);
        for &a in &agents {
            let other: i64 = (0..n)
                .filter(|&j| assign[j] == a && !items.contains(&j))
                .map(|j| inst.weight(a, j))
                .sum();
            cap.push(inst.capacity(a) - other);
            for &j in &items {
                cst.push(inst.cost(a, j));
                wgt.push(inst.weight(a, j));
            }
        }
        let Ok(sub) = GapInstance::new(ka, ki, cst, wgt, cap.iter().map(|&c| c.max(0)).collect())
        else {
            continue;
        };
        let current: Vec<usize> = items
            .iter()
            .map(|&j| agents.iter().position(|&a| a == assign[j]).unwrap_or(0))
            .collect();
        let Some(cur_cost) = sub.evaluate(&current) else {
            continue;
        };
        let out = branch_and_bound(
            &sub,
            Some((current, cur_cost)),
            &initial_lambda(&sub),
            deadline,
            Effort {
                root_iterations: 60,
                node_iterations: 15,
                node_limit: 60,
            },
        );
        if let Some((a, c)) = out.best {
            if c < cur_cost {
                for (q, &j) in items.iter().enumerate() {
                    assign[j] = agents[a[q]];
                }
                *cost += c - cur_cost;
            }
        }
    }
}
