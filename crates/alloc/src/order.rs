//! Orders from lead firms: parts with their routing (a sequence of processes), quantity,
//! material, size, tolerance, due time and whether the quantity may be split across shops.

use serde::{Deserialize, Serialize};

use crate::registry::{Material, Process};

/// One routing step: a process and its standard machine hours per unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub process: Process,
    pub hours_per_unit: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub id: String,
    pub name: String,
    pub routing: Vec<Step>,
    pub quantity: u32,
    pub material: Material,
    /// Bounding box in millimetres.
    pub size_mm: [f64; 3],
    /// Required tolerance in micrometres (the machine must hold this or tighter).
    pub tolerance_um: f64,
    /// Due time in hours from the plan start.
    pub due_hours: f64,
    /// True when the quantity may be divided among several shops.
    pub splittable: bool,
}

impl Part {
    /// Machine hours of one step on a machine of the given speed.
    pub fn step_hours(&self, step: &Step, speed: f64) -> f64 {
        step.hours_per_unit * f64::from(self.quantity) / speed.max(1e-9)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub parts: Vec<Part>,
}
