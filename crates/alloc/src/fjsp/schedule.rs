//! A schedule as the search sees it: a machine per operation and an operation sequence per
//! machine; timing is derived by a longest-path pass over the disjunctive graph.

use super::FjspInstance;

/// What the search minimises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Goal {
    Makespan,
    /// Total tardiness against per-job due dates, makespan as the tie-break.
    Tardiness(Vec<i64>),
}

#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub machine: Vec<usize>,
    pub seq: Vec<Vec<usize>>,
}

/// Timing buffers reused across evaluations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timing {
    pub start: Vec<i64>,
    pub end: Vec<i64>,
    pub mpred: Vec<usize>,
    indeg: Vec<u8>,
    /// Topological order of the last successful evaluation.
    queue: Vec<usize>,
    pub mnext: Vec<usize>,
    /// Longest path from an operation's end to the end of the schedule (filled by `tails`).
    pub tail: Vec<i64>,
}

pub(crate) const NONE: usize = usize::MAX;

impl Schedule {
    /// Computes start/end times; None when the sequences contain a cycle.
    /// The returned key orders schedules: (objective, makespan, sum of machine finish times).
    pub fn evaluate(
        &self,
        inst: &FjspInstance,
        goal: &Goal,
        t: &mut Timing,
    ) -> Option<(i64, i64, i64)> {
        let n = inst.operations();
        t.start.resize(n, 0);
        t.end.resize(n, 0);
        t.mpred.clear();
        t.mpred.resize(n, NONE);
        t.mnext.clear();
        t.mnext.resize(n, NONE);
        t.indeg.clear();
        t.indeg.resize(n, 0);
        for s in &self.seq {
            for w in s.windows(2) {
                t.mpred[w[1]] = w[0];
                t.mnext[w[0]] = w[1];
                t.indeg[w[1]] += 1;
            }
        }
        t.queue.clear();
        for o in 0..n {
            if inst.job_pred(o).is_some() {
                t.indeg[o] += 1;
            }
            if t.indeg[o] == 0 {
                t.queue.push(o);
            }
        }
        let mut head = 0;
        while head < t.queue.len() {
            let o = t.queue[head];
            head += 1;
            let mut s = 0;
            if let Some(p) = inst.job_pred(o) {
                s = t.end[p];
            }
            if t.mpred[o] != NONE {
                s = s.max(t.end[t.mpred[o]]);
            }
            t.start[o] = s;
            t.end[o] = s + inst.time(o, self.machine[o]).unwrap_or(0);
            let job_next = o + 1;
            if job_next < n && inst.job_of(job_next) == inst.job_of(o) {
                t.indeg[job_next] -= 1;
                if t.indeg[job_next] == 0 {
                    t.queue.push(job_next);
                }
            }
            let mn = t.mnext[o];
            if mn != NONE {
                t.indeg[mn] -= 1;
                if t.indeg[mn] == 0 {
                    t.queue.push(mn);
                }
            }
        }
        if t.queue.len() != n {
            return None;
        }
        let makespan = t.end.iter().copied().max().unwrap_or(0);
        let finish: i64 = self
            .seq
            .iter()
            .map(|s| s.last().map_or(0, |&o| t.end[o]))
            .sum();
        let objective = match goal {
            Goal::Makespan => makespan,
            Goal::Tardiness(due) => (0..inst.jobs())
                .map(|j| {
                    let last = inst.job_ops(j).last();
                    last.map_or(0, |o| (t.end[o] - due[j]).max(0))
                })
                .sum(),
        };
        Some((objective, makespan, finish))
    }

    /// Fills `t.tail` from the last evaluation (same sequences): the longest remaining path after
    /// each operation, used to estimate moves without a full evaluation.
    pub fn tails(&self, inst: &FjspInstance, t: &mut Timing) {
        let n = inst.operations();
        t.tail.clear();
        t.tail.resize(n, 0);
        for k in (0..t.queue.len()).rev() {
            let o = t.queue[k];
            let mut q = 0;
            let js = o + 1;
            if js < n && inst.job_of(js) == inst.job_of(o) {
                q = t.tail[js] + t.end[js] - t.start[js];
            }
            let mn = t.mnext[o];
            if mn != NONE {
                q = q.max(t.tail[mn] + t.end[mn] - t.start[mn]);
            }
            t.tail[o] = q;
        }
    }

    /// Operations of a critical path ending at `last` (following tight job or machine arcs back),
    /// in time order.
    pub fn critical_path(&self, inst: &FjspInstance, t: &Timing, last: usize) -> Vec<usize> {
        let mut path = vec![last];
        let mut o = last;
        loop {
            let s = t.start[o];
            if s == 0 {
                break;
            }
            let mp = t.mpred[o];
            let next = if mp != NONE && t.end[mp] == s {
                mp
            } else if let Some(p) = inst.job_pred(o).filter(|&p| t.end[p] == s) {
                p
            } else {
                break;
            };
            path.push(next);
            o = next;
        }
        path.reverse();
        path
    }

    /// Moves `op` to machine `to` at index `at` of that machine's sequence (index counted after
    /// the op was taken out); returns where it came from so the move can be undone.
    pub fn relocate(
        &mut self,
        inst: &FjspInstance,
        op: usize,
        to: usize,
        at: usize,
    ) -> (usize, usize) {
        debug_assert!(inst.time(op, to).is_some());
        let from = self.machine[op];
        let idx = self.seq[from].iter().position(|&x| x == op).unwrap_or(0);
        self.seq[from].remove(idx);
        let at = at.min(self.seq[to].len());
        self.seq[to].insert(at, op);
        self.machine[op] = to;
        (from, idx)
    }
}
