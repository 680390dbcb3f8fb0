//! Capacity optimiser (聚合加工): assigns order items to small shops (generalized assignment) and
//! schedules operations on their machines (flexible job shop). Pure: values in, values out.

pub mod build;
pub mod eligibility;
mod error;
pub mod explain;
pub mod fjsp;
pub mod gap;
pub mod order;
pub mod plan;
pub mod registry;
pub mod repair;
mod rng;

pub use error::AllocError;
pub use fjsp::{solve_fjsp, solve_fjsp_text, FjspConfig, FjspInstance, FjspReport};
pub use gap::{solve_gap, solve_gap_text, GapConfig, GapInstance, GapReport, GapStatus};
pub use plan::{plan_order, Plan, PlanConfig};
pub use repair::{repair_plan, RepairReport};
