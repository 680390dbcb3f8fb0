//! Starting schedules from a dispatching rule: repeatedly start the ready operation that can finish
//! earliest, preferring jobs with the most work left; optional noise diversifies restarts.

use super::schedule::Schedule;
use super::FjspInstance;
use crate::rng::Rng;

pub(crate) fn dispatch(inst: &FjspInstance, mut noise: Option<(&mut Rng, f64)>) -> Schedule {
    let (jobs, n) = (inst.jobs(), inst.operations());
    let mut machine = vec![0; n];
    let mut seq = vec![Vec::new(); inst.machines()];
    let mut next: Vec<usize> = (0..jobs).map(|j| inst.job_ops(j).start).collect();
    let mut job_ready = vec![0i64; jobs];
    let mut mach_ready = vec![0i64; inst.machines()];
    let min_time = |o: usize| {
        inst.alternatives(o)
            .iter()
            .map(|a| a.time)
            .min()
            .unwrap_or(0)
    };
    let mut work_left: Vec<i64> = (0..jobs)
        .map(|j| inst.job_ops(j).map(min_time).sum())
        .collect();
    for _ in 0..n {
        let mut best: Option<(f64, usize, usize)> = None;
        for j in 0..jobs {
            let o = next[j];
            if o >= inst.job_ops(j).end {
                continue;
            }
            for a in inst.alternatives(o) {
                let end = job_ready[j].max(mach_ready[a.machine]) + a.time;
                // Earliest finish first; most work remaining breaks ties (scaled below one unit).
                let mut key = end as f64 - work_left[j] as f64 * 1e-6;
                if let Some((rng, amount)) = noise.as_mut() {
                    key *= 1.0 + *amount * rng.unit();
                }
                if best.is_none_or(|b| key < b.0) {
                    best = Some((key, o, a.machine));
                }
            }
        }
        let Some((_, o, m)) = best else { break };
        let j = inst.job_of(o);
        let p = inst.time(o, m).unwrap_or(0);
        let end = job_ready[j].max(mach_ready[m]) + p;
        job_ready[j] = end;
        mach_ready[m] = end;
        machine[o] = m;
        seq[m].push(o);
        next[j] += 1;
        work_left[j] -= min_time(o);
    }
    Schedule { machine, seq }
}
