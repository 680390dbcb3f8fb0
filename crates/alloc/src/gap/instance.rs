//! The generalized assignment instance (agents = shops, items = jobs) and its OR-Library text form.

use crate::rng::Tokens;
use crate::AllocError;

/// Costs and weights are stored agent-major (`agent * items + item`), as in the OR-Library files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapInstance {
    agents: usize,
    items: usize,
    cost: Vec<i64>,
    weight: Vec<i64>,
    capacity: Vec<i64>,
}

/// Largest number a cost or weight may have: keeps every sum far from i64 overflow.
const MAX_VALUE: i64 = 1_000_000_000;

impl GapInstance {
    /// Builds an instance, checking shapes and signs (weights and capacities must be non-negative).
    pub fn new(
        agents: usize,
        items: usize,
        cost: Vec<i64>,
        weight: Vec<i64>,
        capacity: Vec<i64>,
    ) -> Result<Self, AllocError> {
        if agents == 0 {
            return Err(AllocError::invalid(
                "至少需要一个车间（agent）",
                "at least one agent is needed",
            ));
        }
        if cost.len() != agents * items
            || weight.len() != agents * items
            || capacity.len() != agents
        {
            return Err(AllocError::invalid(
                format!("矩阵大小不符：应为 {agents}×{items}"),
                format!("matrix sizes do not match {agents}x{items}"),
            ));
        }
        if let Some(v) = cost.iter().find(|v| v.abs() > MAX_VALUE) {
            return Err(AllocError::invalid(
                format!("费用 {v} 超出范围（绝对值不超过 {MAX_VALUE}）"),
                format!("cost {v} out of range"),
            ));
        }
        if let Some(v) = weight
            .iter()
            .chain(&capacity)
            .find(|v| **v < 0 || **v > MAX_VALUE)
        {
            return Err(AllocError::invalid(
                format!("资源占用或能力 {v} 无效：必须在 0..={MAX_VALUE} 之间"),
                format!("weight or capacity {v} must be in 0..={MAX_VALUE}"),
            ));
        }
        Ok(GapInstance {
            agents,
            items,
            cost,
            weight,
            capacity,
        })
    }

    /// Parses the OR-Library layout: `m n`, costs m×n, weights m×n, capacities m.
    pub fn parse(text: &str) -> Result<Self, AllocError> {
        let mut t = Tokens::new(text);
        let m = t.count("车间数 m / number of agents m", 1, 100_000)?;
        let n = t.count("工件数 n / number of items n", 0, 10_000_000)?;
        if m.saturating_mul(n) > 20_000_000 {
            return Err(AllocError::invalid(
                "实例过大：m×n 超过 2000 万",
                "instance too large: m*n above 2e7",
            ));
        }
        let mut cost = Vec::with_capacity(m * n);
        for _ in 0..m * n {
            cost.push(t.int("费用矩阵中的整数 / integer of the cost matrix")?);
        }
        let mut weight = Vec::with_capacity(m * n);
        for _ in 0..m * n {
            weight.push(t.int("资源占用矩阵中的整数 / integer of the weight matrix")?);
        }
        let mut capacity = Vec::with_capacity(m);
        for _ in 0..m {
            capacity.push(t.int("车间能力（整数） / integer agent capacity")?);
        }
        if !t.is_empty() {
            return Err(AllocError::invalid(
                format!(
                    "第 {} 个数字之后还有多余内容：请检查 m、n 是否正确",
                    t.position()
                ),
                format!("extra tokens after token {}: check m and n", t.position()),
            ));
        }
        Self::new(m, n, cost, weight, capacity)
    }

    pub fn agents(&self) -> usize {
        self.agents
    }
    pub fn items(&self) -> usize {
        self.items
    }
    #[inline]
    pub fn cost(&self, agent: usize, item: usize) -> i64 {
        self.cost[agent * self.items + item]
    }
    #[inline]
    pub fn weight(&self, agent: usize, item: usize) -> i64 {
        self.weight[agent * self.items + item]
    }
    pub fn capacity(&self, agent: usize) -> i64 {
        self.capacity[agent]
    }

    /// Total cost, or None when the assignment is malformed or exceeds a capacity.
    pub fn evaluate(&self, assignment: &[usize]) -> Option<i64> {
        if assignment.len() != self.items {
            return None;
        }
        let mut load = vec![0i64; self.agents];
        let mut total = 0;
        for (j, &i) in assignment.iter().enumerate() {
            if i >= self.agents {
                return None;
            }
            load[i] += self.weight(i, j);
            total += self.cost(i, j);
        }
        load.iter()
            .zip(&self.capacity)
            .all(|(l, c)| l <= c)
            .then_some(total)
    }
}
