//! The flexible job-shop instance and its text form (`jobs machines [avg]`, then per job the
//! number of operations and per operation `n_alts` followed by `machine time` pairs).

use crate::rng::Tokens;
use crate::AllocError;

/// One way to run an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alternative {
    pub machine: usize,
    pub time: i64,
}

/// Operations are numbered job by job; `first_op[j]..first_op[j+1]` are job j's operations in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FjspInstance {
    machines: usize,
    first_op: Vec<usize>,
    job_of: Vec<usize>,
    alternatives: Vec<Vec<Alternative>>,
    /// True when the text numbered machines from 1 (converted to 0-based here).
    pub one_based_input: bool,
}

impl FjspInstance {
    /// Builds an instance from jobs given as lists of operations, each a list of alternatives.
    pub fn new(machines: usize, jobs: Vec<Vec<Vec<Alternative>>>) -> Result<Self, AllocError> {
        if machines == 0 {
            return Err(AllocError::invalid(
                "至少需要一台机床",
                "at least one machine is needed",
            ));
        }
        let mut first_op = vec![0];
        let mut job_of = Vec::new();
        let mut alternatives = Vec::new();
        for (j, ops) in jobs.into_iter().enumerate() {
            for (k, alts) in ops.into_iter().enumerate() {
                if alts.is_empty() {
                    return Err(AllocError::invalid(
                        format!("工件 {j} 的第 {k} 道工序没有可用机床"),
                        format!("job {j} operation {k} has no eligible machine"),
                    ));
                }
                for a in &alts {
                    if a.machine >= machines || a.time < 0 || a.time > 1_000_000_000 {
                        return Err(AllocError::invalid(
                            format!(
                                "工件 {j} 的第 {k} 道工序：机床 {} 或工时 {} 无效（机床编号 0..{}，工时非负）",
                                a.machine,
                                a.time,
                                machines - 1
                            ),
                            format!("job {j} operation {k}: bad machine {} or time {}", a.machine, a.time),
                        ));
                    }
                }
                job_of.push(j);
                alternatives.push(alts);
            }
            first_op.push(job_of.len());
        }
        Ok(FjspInstance {
            machines,
            first_op,
            job_of,
            alternatives,
            one_based_input: false,
        })
    }

    /// Parses the text format. Machines are 0-based as in the evaluation files; a file that uses
    /// machine number `machines` and never 0 is read as 1-based (the classic Brandimarte layout).
    pub fn parse(text: &str) -> Result<Self, AllocError> {
        let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let header_tokens = first_line.split_whitespace().count();
        let mut t = Tokens::new(text);
        let jobs = t.count("工件数 / number of jobs", 0, 1_000_000)?;
        let machines = t.count("机床数 / number of machines", 1, 100_000)?;
        if header_tokens >= 3 {
            // The optional average-flexibility figure may be a float; it carries no information we need.
            let avg = first_line.split_whitespace().nth(2).unwrap_or("");
            if avg.parse::<f64>().is_err() {
                return Err(AllocError::BadToken {
                    position: 3,
                    token: avg.chars().take(40).collect(),
                    expected: "平均可选机床数（数字） / average flexibility number".into(),
                });
            }
            t.skip();
        }
        let mut raw: Vec<Vec<Vec<(i64, i64)>>> = Vec::with_capacity(jobs.min(100_000));
        let mut total_ops = 0usize;
        for _ in 0..jobs {
            let n_ops = t.count("工序数 / number of operations", 0, 100_000)?;
            total_ops += n_ops;
            if total_ops > 2_000_000 {
                return Err(AllocError::invalid(
                    "工序总数过多（超过 200 万）",
                    "too many operations (above 2e6)",
                ));
            }
            let mut ops = Vec::with_capacity(n_ops);
            for _ in 0..n_ops {
                let n_alts = t.count(
                    "可选机床数 / number of alternatives",
                    1,
                    machines as i64 * 4,
                )?;
                let mut alts = Vec::with_capacity(n_alts);
                for _ in 0..n_alts {
                    let m = t.int("机床编号 / machine number")?;
                    let p = t.int("加工时间 / processing time")?;
                    alts.push((m, p));
                }
                ops.push(alts);
            }
            raw.push(ops);
        }
        if !t.is_empty() {
            return Err(AllocError::invalid(
                format!(
                    "第 {} 个数字之后还有多余内容：请检查工件数与工序数",
                    t.position()
                ),
                format!(
                    "extra tokens after token {}: check job and operation counts",
                    t.position()
                ),
            ));
        }
        let all = raw.iter().flatten().flatten();
        let uses_top = all.clone().any(|&(m, _)| m == machines as i64);
        let uses_zero = all.clone().any(|&(m, _)| m == 0);
        let one_based = uses_top && !uses_zero;
        let shift = i64::from(one_based);
        let jobs: Vec<Vec<Vec<Alternative>>> = raw
            .into_iter()
            .map(|ops| {
                ops.into_iter()
                    .map(|alts| {
                        alts.into_iter()
                            .map(|(m, p)| Alternative {
                                machine: usize::try_from(m - shift).unwrap_or(usize::MAX),
                                time: p,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut inst = Self::new(machines, jobs)?;
        inst.one_based_input = one_based;
        Ok(inst)
    }

    pub fn machines(&self) -> usize {
        self.machines
    }
    pub fn jobs(&self) -> usize {
        self.first_op.len() - 1
    }
    pub fn operations(&self) -> usize {
        self.job_of.len()
    }
    pub fn job_of(&self, op: usize) -> usize {
        self.job_of[op]
    }
    /// Position of an operation inside its job.
    pub fn index_in_job(&self, op: usize) -> usize {
        op - self.first_op[self.job_of[op]]
    }
    pub fn job_ops(&self, job: usize) -> std::ops::Range<usize> {
        self.first_op[job]..self.first_op[job + 1]
    }
    pub fn alternatives(&self, op: usize) -> &[Alternative] {
        &self.alternatives[op]
    }
    /// Processing time of `op` on `machine`, if eligible.
    pub fn time(&self, op: usize, machine: usize) -> Option<i64> {
        self.alternatives[op]
            .iter()
            .find(|a| a.machine == machine)
            .map(|a| a.time)
    }
    pub(crate) fn job_pred(&self, op: usize) -> Option<usize> {
        (op > self.first_op[self.job_of[op]]).then(|| op - 1)
    }

    /// max(longest job with shortest times, total shortest work spread over all machines,
    /// work that can only go to one machine): a quick valid lower bound on the makespan.
    pub fn lower_bound(&self) -> i64 {
        let min_time = |o: usize| {
            self.alternatives[o]
                .iter()
                .map(|a| a.time)
                .min()
                .unwrap_or(0)
        };
        let job_bound = (0..self.jobs())
            .map(|j| self.job_ops(j).map(min_time).sum::<i64>())
            .max()
            .unwrap_or(0);
        let total: i64 = (0..self.operations()).map(min_time).sum();
        let spread = (total + self.machines as i64 - 1) / self.machines as i64;
        let mut forced = vec![0i64; self.machines];
        for o in 0..self.operations() {
            if let [only] = self.alternatives[o].as_slice() {
                forced[only.machine] += only.time;
            }
        }
        job_bound
            .max(spread)
            .max(forced.into_iter().max().unwrap_or(0))
    }
}
