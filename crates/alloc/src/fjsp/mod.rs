//! Flexible job-shop scheduling: configuration, report and the solve pipeline (dispatching-rule
//! starts, then tabu search restarts until the time or iteration limit).

mod dispatch;
mod instance;
mod schedule;
mod tabu;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use instance::{Alternative, FjspInstance};
use schedule::{Goal, Schedule, Timing};

use crate::rng::Rng;
use crate::AllocError;

/// How long and what to optimise.
#[derive(Debug, Clone, PartialEq)]
pub struct FjspConfig {
    /// Wall-clock limit in seconds.
    pub time_limit: f64,
    pub seed: u64,
    /// Cap on tabu iterations, so tests are deterministic (None = time only).
    pub iteration_limit: Option<u64>,
    /// When given (one per job, same time unit), minimise total tardiness instead of makespan.
    pub due_dates: Option<Vec<i64>>,
}

impl Default for FjspConfig {
    fn default() -> Self {
        FjspConfig {
            time_limit: 10.0,
            seed: 1,
            iteration_limit: None,
            due_dates: None,
        }
    }
}

/// One scheduled operation (all indices 0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScheduledOperation {
    pub job: usize,
    pub op: usize,
    pub machine: usize,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FjspReport {
    pub makespan: i64,
    /// Proven lower bound on the makespan.
    pub lower_bound: i64,
    pub operations: Vec<ScheduledOperation>,
    /// Total tardiness when due dates were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tardiness: Option<i64>,
    /// True when the makespan equals the lower bound (makespan objective only).
    pub optimal: bool,
    pub seconds: f64,
}

pub fn solve_fjsp_text(text: &str, cfg: &FjspConfig) -> Result<FjspReport, AllocError> {
    let inst = FjspInstance::parse(text)?;
    solve_fjsp(&inst, cfg)
}

pub fn solve_fjsp(inst: &FjspInstance, cfg: &FjspConfig) -> Result<FjspReport, AllocError> {
    if !(cfg.time_limit.is_finite() && cfg.time_limit >= 0.0) {
        return Err(AllocError::config(
            "时间限制必须是非负的秒数",
            "time limit must be a non-negative number of seconds",
        ));
    }
    let goal = match &cfg.due_dates {
        None => Goal::Makespan,
        Some(d) if d.len() == inst.jobs() => Goal::Tardiness(d.clone()),
        Some(d) => {
            return Err(AllocError::config(
                format!("交货期个数 {} 与工件数 {} 不符", d.len(), inst.jobs()),
                "one due date per job is needed",
            ))
        }
    };
    let start_time = Instant::now();
    let deadline = start_time + Duration::from_secs_f64(cfg.time_limit.min(1e7));
    let lower_bound = inst.lower_bound();
    let target = match goal {
        Goal::Makespan => lower_bound,
        Goal::Tardiness(_) => 0,
    };
    let mut rng = Rng::new(cfg.seed);
    let mut timing = Timing::default();

    // Several dispatching starts; keep the best as the seed of the search.
    let mut best = dispatch::dispatch(inst, None);
    let mut best_key = best
        .evaluate(inst, &goal, &mut timing)
        .unwrap_or((i64::MAX, 0, 0));
    for _ in 0..20 {
        let s = dispatch::dispatch(inst, Some((&mut rng, 0.15)));
        if let Some(k) = s.evaluate(inst, &goal, &mut timing) {
            if k < best_key {
                best = s;
                best_key = k;
            }
        }
    }
    let iterations = cfg.iteration_limit.unwrap_or(u64::MAX);
    let mut used = 0u64;
    let mut round = 0u64;
    // Independent rounds from the best so far, each long enough to converge; the time limit or the
    // iteration budget ends the loop.
    while best_key.0 > target && used < iterations && Instant::now() < deadline {
        let budget = (iterations - used).min(20_000 + 200 * inst.operations() as u64);
        let (s, k) = tabu::search(
            inst,
            &goal,
            best.clone(),
            tabu::Limits {
                deadline: Some(deadline),
                max_iterations: budget,
                seed: cfg.seed.wrapping_add(round.wrapping_mul(0x9E37_79B9)),
                target,
            },
        );
        used += budget;
        round += 1;
        if k < best_key {
            best = s;
            best_key = k;
        }
    }
    Ok(report(inst, &goal, &best, lower_bound, start_time))
}

fn report(
    inst: &FjspInstance,
    goal: &Goal,
    s: &Schedule,
    lower_bound: i64,
    start: Instant,
) -> FjspReport {
    let mut t = Timing::default();
    let key = s.evaluate(inst, goal, &mut t).unwrap_or((0, 0, 0));
    let operations = (0..inst.operations())
        .map(|o| ScheduledOperation {
            job: inst.job_of(o),
            op: inst.index_in_job(o),
            machine: s.machine[o],
            start: t.start[o],
            end: t.end[o],
        })
        .collect();
    let makespan = key.1;
    FjspReport {
        makespan,
        lower_bound,
        operations,
        total_tardiness: matches!(goal, Goal::Tardiness(_)).then_some(key.0),
        optimal: matches!(goal, Goal::Makespan) && makespan <= lower_bound,
        seconds: start.elapsed().as_secs_f64(),
    }
}
