//! The anytime metaheuristic for large GAP instances: simulated annealing over shift and swap
//! moves in a penalised space (capacity excess costs an adaptive price), restarted from the best.

use std::time::Instant;

use super::GapInstance;
use crate::rng::Rng;

/// Limits of one search run; whichever comes first ends it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchLimits {
    pub deadline: Option<Instant>,
    pub max_moves: u64,
    pub seed: u64,
    /// Lower bound given by the capacity prices passed along (enables reduced-cost filtering).
    pub bound: f64,
}

struct State<'a> {
    inst: &'a GapInstance,
    assign: Vec<usize>,
    load: Vec<i64>,
    members: Vec<Vec<u32>>,
    slot: Vec<usize>,
    cost: i64,
    over: i64,
}

#[inline]
fn excess(load: i64, cap: i64) -> i64 {
    (load - cap).max(0)
}

impl<'a> State<'a> {
    fn new(inst: &'a GapInstance, assign: &[usize]) -> Self {
        let mut s = State {
            inst,
            assign: assign.to_vec(),
            load: vec![0; inst.agents()],
            members: vec![Vec::new(); inst.agents()],
            slot: vec![0; inst.items()],
            cost: 0,
            over: 0,
        };
        for (j, &i) in assign.iter().enumerate() {
            s.load[i] += inst.weight(i, j);
            s.cost += inst.cost(i, j);
            s.slot[j] = s.members[i].len();
            s.members[i].push(j as u32);
        }
        s.over = (0..inst.agents())
            .map(|i| excess(s.load[i], inst.capacity(i)))
            .sum();
        s
    }

    fn shift(&mut self, j: usize, to: usize) {
        let from = self.assign[j];
        let inst = self.inst;
        self.over -=
            excess(self.load[from], inst.capacity(from)) + excess(self.load[to], inst.capacity(to));
        self.load[from] -= inst.weight(from, j);
        self.load[to] += inst.weight(to, j);
        self.over +=
            excess(self.load[from], inst.capacity(from)) + excess(self.load[to], inst.capacity(to));
        self.cost += inst.cost(to, j) - inst.cost(from, j);
        let k = self.slot[j];
        self.members[from].swap_remove(k);
        if let Some(&moved) = self.members[from].get(k) {
            self.slot[moved as usize] = k;
        }
        self.slot[j] = self.members[to].len();
        self.members[to].push(j as u32);
        self.assign[j] = to;
    }
}

/// Agents worth trying for each item, best first by cost plus priced capacity use.
/// Pairs whose reduced cost under the capacity prices exceeds `slack` (best cost minus the bound
/// of those prices) cannot appear in any cheaper answer, so they are never proposed: for every
/// feasible x, cost(x) ≥ bound + Σ_j reduced(a(j), j).
fn candidates(inst: &GapInstance, price: &[f64], keep: usize, slack: f64) -> Vec<Vec<u32>> {
    (0..inst.items())
        .map(|j| {
            let mut agents: Vec<usize> = (0..inst.agents()).collect();
            let score = |i: usize| inst.cost(i, j) as f64 + price[i] * inst.weight(i, j) as f64;
            agents.sort_by(|&a, &b| score(a).total_cmp(&score(b)));
            let floor = score(agents[0]);
            agents.retain(|&i| score(i) - floor <= slack);
            agents.truncate(keep.max(1));
            agents.into_iter().map(|i| i as u32).collect()
        })
        .collect()
}

/// Items worth sampling: those with a choice, or sitting outside their candidate list.
fn movable(cand: &[Vec<u32>], assign: &[usize]) -> Vec<usize> {
    (0..cand.len())
        .filter(|&j| cand[j].len() > 1 || cand[j].first().is_none_or(|&i| i as usize != assign[j]))
        .collect()
}

/// Runs the annealer from `start` (feasible or not); returns the best feasible assignment seen.
pub(crate) fn anneal(
    inst: &GapInstance,
    start: &[usize],
    price: &[f64],
    limits: SearchLimits,
) -> Option<(Vec<usize>, i64)> {
    let (m, n) = (inst.agents(), inst.items());
    if n == 0 {
        return Some((Vec::new(), 0));
    }
    // Few candidates per item: wider lists dilute the moves (measured on c/d/e instances).
    let keep = m.min(5);
    let slack_of = |best: &Option<(Vec<usize>, i64)>| {
        best.as_ref()
            .map_or(f64::INFINITY, |b| b.1 as f64 - 1.0 - limits.bound + 1e-6)
    };
    let mut rng = Rng::new(limits.seed);
    let mut s = State::new(inst, start);
    let mut best: Option<(Vec<usize>, i64)> = (s.over == 0).then(|| (s.assign.clone(), s.cost));
    if slack_of(&best) < 0.0 {
        return best;
    }
    let mut cand = candidates(inst, price, keep, slack_of(&best));
    let mut items = movable(&cand, &s.assign);

    // Scales: the typical cost difference between an item's candidate agents sets the temperature;
    // cost per unit of weight sets the first price of capacity excess.
    let mut spread = 0.0;
    let mut unit = 0.0;
    let base = candidates(inst, price, keep, f64::INFINITY);
    for (j, c) in base.iter().enumerate() {
        let lo = c
            .iter()
            .map(|&i| inst.cost(i as usize, j))
            .min()
            .unwrap_or(0);
        let hi = c
            .iter()
            .map(|&i| inst.cost(i as usize, j))
            .max()
            .unwrap_or(0);
        spread += (hi - lo) as f64;
        let w = c
            .iter()
            .map(|&i| inst.weight(i as usize, j))
            .sum::<i64>()
            .max(1) as f64
            / c.len() as f64;
        unit += c
            .iter()
            .map(|&i| inst.cost(i as usize, j).abs())
            .sum::<i64>() as f64
            / c.len() as f64
            / w;
    }
    spread = (spread / n as f64).max(1.0);
    // One price for capacity excess, raised while infeasible and lowered while feasible, so the
    // search keeps crossing the boundary (per-agent prices were measured to do worse here).
    let mut rho = (unit / n as f64).max(0.1);
    // Tuned on generated-like c/d/e instances: cool from 3% to 0.1% of the typical spread per epoch.
    // Tuned on c/d/e-type instances: each epoch cools from 3% to 0.1% of the typical spread.
    let t_hi = 0.03 * spread;
    let t_lo = 0.001 * spread;
    let epoch = (2000 * n as u64 * keep as u64).clamp(200_000, 2_000_000_000);

    let mut moves = 0u64;
    let mut in_epoch = 0u64;
    let mut temp = t_hi;
    let cool = (t_lo / t_hi).powf(1.0 / (epoch as f64 / 1000.0));
    loop {
        if moves >= limits.max_moves {
            break;
        }
        if moves % 4096 == 0 && limits.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        moves += 1;
        in_epoch += 1;
        if in_epoch % 1000 == 0 {
            temp *= cool;
            rho = if s.over > 0 { rho * 1.03 } else { rho * 0.985 }.clamp(1e-3, 1e9);
            if in_epoch >= epoch {
                // Restart from the best feasible answer so the next epoch intensifies around it.
                in_epoch = 0;
                temp = t_hi;
                if let Some((a, _)) = &best {
                    s = State::new(inst, a);
                    if slack_of(&best) < 0.0 {
                        break;
                    }
                    cand = candidates(inst, price, keep, slack_of(&best));
                    items = movable(&cand, &s.assign);
                }
            }
        }
        if items.is_empty() {
            break;
        }
        let j = items[rng.below(items.len())];
        let a = s.assign[j];
        let cj = &cand[j];
        let b = cj[rng.below(cj.len())] as usize;
        if a == b {
            continue;
        }
        let (cap_a, cap_b) = (inst.capacity(a), inst.capacity(b));
        let (la, lb) = (s.load[a], s.load[b]);
        let (ra, rb) = (rho, rho);
        let kind = rng.below(3);
        if kind == 2 && !s.members[b].is_empty() {
            // Ejection chain of length two: j goes a→b and pushes some k out of b to its own rival c.
            let k = s.members[b][rng.below(s.members[b].len())] as usize;
            let ck = &cand[k];
            let c = ck[rng.below(ck.len())] as usize;
            if c == b || k == j {
                continue;
            }
            let mut touched = [(a, 0i64), (b, 0i64), (c, 0i64)];
            let mut add = |agent: usize, dw: i64| {
                if let Some(t) = touched.iter_mut().find(|t| t.0 == agent) {
                    t.1 += dw;
                }
            };
            add(a, -inst.weight(a, j));
            add(b, inst.weight(b, j) - inst.weight(b, k));
            add(c, inst.weight(c, k));
            let distinct = if c == a { 2 } else { 3 };
            let mut dpen = 0.0;
            for &(agent, dw) in &touched[..distinct] {
                let (l, cap) = (s.load[agent], inst.capacity(agent));
                dpen += rho * (excess(l + dw, cap) - excess(l, cap)) as f64;
            }
            let dc = inst.cost(b, j) - inst.cost(a, j) + inst.cost(c, k) - inst.cost(b, k);
            let delta = dc as f64 + dpen;
            if delta <= 0.0 || rng.unit() < (-delta / temp).exp() {
                s.shift(j, b);
                s.shift(k, c);
            } else {
                continue;
            }
        } else if kind == 0 || s.members[b].is_empty() {
            let pen = ra * (excess(la - inst.weight(a, j), cap_a) - excess(la, cap_a)) as f64
                + rb * (excess(lb + inst.weight(b, j), cap_b) - excess(lb, cap_b)) as f64;
            let delta = (inst.cost(b, j) - inst.cost(a, j)) as f64 + pen;
            if delta <= 0.0 || rng.unit() < (-delta / temp).exp() {
                s.shift(j, b);
            } else {
                continue;
            }
        } else {
            let k = s.members[b][rng.below(s.members[b].len())] as usize;
            let la2 = la - inst.weight(a, j) + inst.weight(a, k);
            let lb2 = lb - inst.weight(b, k) + inst.weight(b, j);
            let pen = ra * (excess(la2, cap_a) - excess(la, cap_a)) as f64
                + rb * (excess(lb2, cap_b) - excess(lb, cap_b)) as f64;
            let dc = inst.cost(b, j) + inst.cost(a, k) - inst.cost(a, j) - inst.cost(b, k);
            let delta = dc as f64 + pen;
            if delta <= 0.0 || rng.unit() < (-delta / temp).exp() {
                s.shift(j, b);
                s.shift(k, a);
            } else {
                continue;
            }
        }
        if s.over == 0 && best.as_ref().is_none_or(|b| s.cost < b.1) {
            best = Some((s.assign.clone(), s.cost));
        }
    }
    best
}

/// A start for the search: each item, in order of decreasing regret, goes to its cheapest agent by
/// priced cost that still has room, or to the one with most room left (possibly overloading it).
pub(crate) fn construct(inst: &GapInstance, price: &[f64]) -> Vec<usize> {
    let (m, n) = (inst.agents(), inst.items());
    let score = |i: usize, j: usize| inst.cost(i, j) as f64 + price[i] * inst.weight(i, j) as f64;
    let mut regret: Vec<(f64, usize)> = (0..n)
        .map(|j| {
            let mut s: Vec<f64> = (0..m).map(|i| score(i, j)).collect();
            s.sort_by(f64::total_cmp);
            (if m > 1 { s[1] - s[0] } else { 0.0 }, j)
        })
        .collect();
    regret.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left: Vec<i64> = (0..m).map(|i| inst.capacity(i)).collect();
    let mut assign = vec![0; n];
    for (_, j) in regret {
        let fit = (0..m)
            .filter(|&i| inst.weight(i, j) <= left[i])
            .min_by(|&a, &b| score(a, j).total_cmp(&score(b, j)));
        let i = fit.unwrap_or_else(|| {
            (0..m)
                .max_by_key(|&i| (left[i] - inst.weight(i, j), std::cmp::Reverse(i)))
                .unwrap_or(0)
        });
        left[i] -= inst.weight(i, j);
        assign[j] = i;
    }
    assign
}

/// Capacity prices from a short subgradient run on the relaxation of the capacity constraints
/// (each item then simply picks its cheapest priced agent); also returns that bound (= LP bound).
pub(crate) fn capacity_prices(inst: &GapInstance, iterations: usize) -> (Vec<f64>, f64) {
    let (m, n) = (inst.agents(), inst.items());
    let mut u = vec![0.0; m];
    let mut best_u = u.clone();
    let mut best = f64::NEG_INFINITY;
    let mut theta = 1.0;
    let mut stall = 0;
    let mut load = vec![0i64; m];
    let target_hint: f64 = (0..n)
        .map(|j| (0..m).map(|i| inst.cost(i, j)).max().unwrap_or(0) as f64)
        .sum();
    for _ in 0..iterations {
        load.iter_mut().for_each(|l| *l = 0);
        let mut value = -(0..m).map(|i| u[i] * inst.capacity(i) as f64).sum::<f64>();
        for j in 0..n {
            let (mut bi, mut bv) = (0, f64::INFINITY);
            for (i, ui) in u.iter().enumerate() {
                let v = inst.cost(i, j) as f64 + ui * inst.weight(i, j) as f64;
                if v < bv {
                    bv = v;
                    bi = i;
                }
            }
            value += bv;
            load[bi] += inst.weight(bi, j);
        }
        if value > best + 1e-9 {
            best = value;
            best_u.copy_from_slice(&u);
            stall = 0;
        } else {
            stall += 1;
            if stall >= 10 {
                theta *= 0.5;
                stall = 0;
            }
        }
        let g: Vec<f64> = (0..m)
            .map(|i| (load[i] - inst.capacity(i)) as f64)
            .collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 || theta < 1e-5 {
            break;
        }
        let step = theta * (target_hint * 0.02 + 1.0).max((target_hint - value) * 0.05) / norm;
        for i in 0..m {
            u[i] = (u[i] + step * g[i]).max(0.0);
        }
    }
    (best_u, best)
}
