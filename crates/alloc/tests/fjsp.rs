//! FJSP through the public boundary: parsing (0- and 1-based files, malformed text), schedule
//! validity on random instances, lower bounds against brute force, tardiness, Brandimarte mk01.

use innomesh_alloc::fjsp::Alternative;
use innomesh_alloc::{solve_fjsp, solve_fjsp_text, FjspConfig, FjspInstance, FjspReport};
use proptest::prelude::*;

fn quick() -> FjspConfig {
    FjspConfig {
        time_limit: 3600.0,
        seed: 3,
        iteration_limit: Some(300),
        due_dates: None,
    }
}

/// Checks eligibility, durations, precedence and machine overlaps; returns the makespan.
fn check_schedule(inst: &FjspInstance, r: &FjspReport) -> i64 {
    assert_eq!(r.operations.len(), inst.operations());
    let mut by_machine: Vec<Vec<(i64, i64)>> = vec![Vec::new(); inst.machines()];
    let mut end_of = std::collections::HashMap::new();
    for o in &r.operations {
        let op = inst.job_ops(o.job).start + o.op;
        let t = inst.time(op, o.machine).expect("eligible machine");
        assert_eq!(o.end - o.start, t, "duration");
        assert!(o.start >= 0);
        end_of.insert((o.job, o.op), (o.start, o.end));
        by_machine[o.machine].push((o.start, o.end));
    }
    for (&(j, k), &(s, _)) in &end_of {
        if k > 0 {
            assert!(
                s >= end_of[&(j, k - 1)].1,
                "job {j} op {k} before its predecessor"
            );
        }
    }
    for spans in &mut by_machine {
        spans.sort();
        for w in spans.windows(2) {
            // Zero-length operations may share an instant.
            assert!(
                w[1].0 >= w[0].1 || w[1].0 == w[1].1 || w[0].0 == w[0].1,
                "overlap"
            );
        }
    }
    let mk = r.operations.iter().map(|o| o.end).max().unwrap_or(0);
    assert_eq!(mk, r.makespan);
    assert!(r.lower_bound <= mk);
    mk
}

/// Optimal makespan by enumerating machine choices and operation orders (semi-active schedules).
fn brute_force(inst: &FjspInstance) -> i64 {
    let n = inst.operations();
    let mut best = i64::MAX;
    let mut choice = vec![0usize; n];
    loop {
        let mut order = Vec::new();
        let mut used = vec![false; n];
        permute(inst, &choice, &mut order, &mut used, &mut best);
        let mut k = 0;
        loop {
            if k == n {
                return best;
            }
            choice[k] += 1;
            if choice[k] < inst.alternatives(k).len() {
                break;
            }
            choice[k] = 0;
            k += 1;
        }
    }
}

fn permute(
    inst: &FjspInstance,
    choice: &[usize],
    order: &mut Vec<usize>,
    used: &mut [bool],
    best: &mut i64,
) {
    let n = inst.operations();
    if order.len() == n {
        let mut end = vec![0i64; n];
        let mut mach = vec![0i64; inst.machines()];
        for &o in order.iter() {
            let a = inst.alternatives(o)[choice[o]];
            let ready = if inst.job_ops(inst.job_of(o)).start < o {
                end[o - 1]
            } else {
                0
            };
            let s = ready.max(mach[a.machine]);
            end[o] = s + a.time;
            mach[a.machine] = end[o];
        }
        *best = (*best).min(end.iter().copied().max().unwrap_or(0));
        return;
    }
    for o in 0..n {
        let ready = inst.job_ops(inst.job_of(o)).start == o || used[o - 1];
        if !used[o] && ready {
            used[o] = true;
            order.push(o);
            permute(inst, choice, order, used, best);
            order.pop();
            used[o] = false;
        }
    }
}

fn instance(
    max_jobs: usize,
    max_ops: usize,
    machines: usize,
) -> impl Strategy<Value = FjspInstance> {
    let op = proptest::collection::vec((0..machines, 0i64..9), 1..=machines);
    let job = proptest::collection::vec(op, 1..=max_ops);
    proptest::collection::vec(job, 1..=max_jobs).prop_map(move |jobs| {
        let jobs = jobs
            .into_iter()
            .map(|ops| {
                ops.into_iter()
                    .map(|alts| {
                        let mut seen = Vec::new();
                        alts.into_iter()
                            .filter(|(m, _)| {
                                let fresh = !seen.contains(m);
                                seen.push(*m);
                                fresh
                            })
                            .map(|(machine, time)| Alternative { machine, time })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        FjspInstance::new(machines, jobs).unwrap()
    })
}

#[test]
fn parses_zero_based_files_and_reports_contract_fields() {
    // Two jobs on two machines; machines numbered from 0 as in the evaluation files.
    let text = "2 2\n2 1 0 3 2 0 2 1 4\n1 1 1 5\n";
    let r = solve_fjsp_text(text, &quick()).unwrap();
    let inst = FjspInstance::parse(text).unwrap();
    assert!(!inst.one_based_input);
    // Job 0 runs both operations on machine 0 (3 + 2) while job 1 uses machine 1 (5).
    assert_eq!(check_schedule(&inst, &r), 5);
    let json = serde_json::to_value(&r).unwrap();
    for key in ["makespan", "lower_bound", "operations"] {
        assert!(json.get(key).is_some());
    }
    let op = &json["operations"][0];
    for key in ["job", "op", "machine", "start", "end"] {
        assert!(op.get(key).is_some());
    }
}

#[test]
fn reads_header_with_average_and_one_based_machines() {
    // Classic Brandimarte layout: `jobs machines avg`, machines 1..=M.
    let text = "1 2 1.5\n2 2 1 4 2 6 1 2 3\n";
    let inst = FjspInstance::parse(text).unwrap();
    assert!(inst.one_based_input);
    assert_eq!(inst.time(0, 0), Some(4));
    assert_eq!(inst.time(1, 1), Some(3));
    let r = solve_fjsp(&inst, &quick()).unwrap();
    assert_eq!(check_schedule(&inst, &r), 7);
}

#[test]
fn malformed_input_gives_clear_errors() {
    let cases = [
        ("", "提前结束"),
        ("1 2\n1 1 5 3", "无效"),
        ("1 2\n1 0", "可选机床数"),
        ("1 2\n1 1 0 -3", "工时"),
        ("1 2\n1 1 0 3 7", "多余内容"),
        ("1 2 x\n1 1 0 3", "平均"),
        ("1 0", "机床数"),
    ];
    for (text, needle) in cases {
        let msg = solve_fjsp_text(text, &quick()).unwrap_err().to_string();
        assert!(msg.contains(needle), "{text:?}: {msg}");
    }
}

#[test]
fn minimises_tardiness_when_due_dates_are_given() {
    // Job 1 is short and due early: it must go first on the shared machine.
    let text = "2 1\n1 1 0 10\n1 1 0 2\n";
    let cfg = FjspConfig {
        due_dates: Some(vec![20, 2]),
        ..quick()
    };
    let r = solve_fjsp_text(text, &cfg).unwrap();
    assert_eq!(r.total_tardiness, Some(0));
    let bad = FjspConfig {
        due_dates: Some(vec![1]),
        ..quick()
    };
    assert!(solve_fjsp_text(text, &bad).is_err());
}

#[test]
fn brandimarte_mk01_gets_close_to_its_optimum() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval");
    let dir = if here.is_dir() {
        here
    } else if let Some(d) = std::env::var_os("INNOMESH_EVAL_DIR") {
        d.into()
    } else {
        println!("note: evaluation data not found; skipped");
        return;
    };
    let text = std::fs::read_to_string(dir.join("fjsp/brandimarte/mk01.txt")).unwrap();
    let cfg = FjspConfig {
        iteration_limit: Some(4_000),
        ..quick()
    };
    let r = solve_fjsp_text(&text, &cfg).unwrap();
    let inst = FjspInstance::parse(&text).unwrap();
    assert!(
        check_schedule(&inst, &r) <= 42,
        "mk01 makespan {}",
        r.makespan
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn schedules_are_valid(inst in instance(5, 5, 4)) {
        let r = solve_fjsp(&inst, &quick()).unwrap();
        check_schedule(&inst, &r);
    }

    #[test]
    fn lower_bound_never_above_optimum(inst in instance(2, 3, 2).prop_filter("tiny", |i| i.operations() <= 5)) {
        let r = solve_fjsp(&inst, &quick()).unwrap();
        let opt = brute_force(&inst);
        prop_assert!(r.lower_bound <= opt, "bound {} above optimum {}", r.lower_bound, opt);
        prop_assert!(r.makespan >= opt);
    }
}

#[test]
fn empty_instances_and_jobs_without_operations() {
    let r = solve_fjsp_text("0 3", &quick()).unwrap();
    assert_eq!((r.makespan, r.operations.len()), (0, 0));
    let r = solve_fjsp_text("2 1\n0\n1 1 0 4\n", &quick()).unwrap();
    assert_eq!(r.makespan, 4);
    assert!(r.optimal);
}
