//! The capability registry of small shops: processes, machines, materials, work envelopes,
//! tolerances, free hours and costs, plus each shop's performance record and order limit.

use serde::{Deserialize, Serialize};

/// Manufacturing processes a machine offers (加工工艺).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Process {
    Turning,
    Milling,
    Grinding,
    Drilling,
    Edm,
    Welding,
    HeatTreatment,
    SurfaceTreatment,
    Inspection,
}

impl Process {
    pub const ALL: [Process; 9] = [
        Process::Turning,
        Process::Milling,
        Process::Grinding,
        Process::Drilling,
        Process::Edm,
        Process::Welding,
        Process::HeatTreatment,
        Process::SurfaceTreatment,
        Process::Inspection,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Process::Turning => "车削",
            Process::Milling => "铣削",
            Process::Grinding => "磨削",
            Process::Drilling => "钻孔",
            Process::Edm => "电火花",
            Process::Welding => "焊接",
            Process::HeatTreatment => "热处理",
            Process::SurfaceTreatment => "表面处理",
            Process::Inspection => "检测",
        }
    }

    /// Accepts the Chinese label or the code name, so imported sheets can use either.
    pub fn parse(text: &str) -> Option<Process> {
        let t = text.trim();
        Process::ALL.into_iter().find(|p| {
            p.label_zh() == t
                || serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.eq_ignore_ascii_case(t)))
                    .unwrap_or(false)
        })
    }
}

/// Workpiece materials (材料).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Material {
    CarbonSteel,
    AlloySteel,
    StainlessSteel,
    CastIron,
    Aluminium,
    Copper,
    Titanium,
    RareEarthAlloy,
    Plastic,
}

impl Material {
    pub const ALL: [Material; 9] = [
        Material::CarbonSteel,
        Material::AlloySteel,
        Material::StainlessSteel,
        Material::CastIron,
        Material::Aluminium,
        Material::Copper,
        Material::Titanium,
        Material::RareEarthAlloy,
        Material::Plastic,
    ];

    /// Accepts the Chinese label or the code name, as [`Process::parse`] does.
    pub fn parse(text: &str) -> Option<Material> {
        let t = text.trim();
        Material::ALL.into_iter().find(|m| {
            m.label_zh() == t
                || serde_json::to_value(m)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.eq_ignore_ascii_case(t)))
                    .unwrap_or(false)
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Material::CarbonSteel => "碳钢",
            Material::AlloySteel => "合金钢",
            Material::StainlessSteel => "不锈钢",
            Material::CastIron => "铸铁",
            Material::Aluminium => "铝合金",
            Material::Copper => "铜",
            Material::Titanium => "钛合金",
            Material::RareEarthAlloy => "稀土合金",
            Material::Plastic => "工程塑料",
        }
    }
}

/// Largest workpiece a machine takes, in millimetres (工作台/加工范围).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub x_mm: f64,
    pub y_mm: f64,
    pub z_mm: f64,
}

impl Envelope {
    /// `800×400×300` (also `800x400x300`, `800*400*300`, optional `mm`), all positive.
    pub fn parse(text: &str) -> Option<Envelope> {
        let dims: Vec<f64> = text
            .split(['×', 'x', 'X', '*', '＊'])
            .map(|p| p.trim().trim_end_matches("mm").trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .ok()?;
        match dims.as_slice() {
            [x, y, z] if *x > 0.0 && *y > 0.0 && *z > 0.0 => Some(Envelope {
                x_mm: *x,
                y_mm: *y,
                z_mm: *z,
            }),
            _ => None,
        }
    }

    /// The first dimension (sorted largest first) in which the part does not fit, as
    /// (envelope, part); None when it fits. Parts may be turned, so dimensions are compared sorted.
    pub fn misfit(&self, part: [f64; 3]) -> Option<(f64, f64)> {
        let mut e = [self.x_mm, self.y_mm, self.z_mm];
        let mut p = part;
        e.sort_by(|a, b| b.total_cmp(a));
        p.sort_by(|a, b| b.total_cmp(a));
        e.into_iter().zip(p).find(|(e, p)| p > e)
    }
}

/// One machine of a shop (机床).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub id: String,
    pub name: String,
    pub process: Process,
    pub materials: Vec<Material>,
    pub envelope: Envelope,
    /// Tightest tolerance it holds, in micrometres (smaller is more precise).
    pub tolerance_um: f64,
    pub free_hours_per_week: f64,
    /// Yuan per machine hour.
    pub hourly_cost: f64,
    /// Speed relative to the standard time of a routing step (1.0 = standard).
    pub speed: f64,
}

/// One delivered job in a shop's history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub on_time: bool,
    pub quality_passed: bool,
    /// Hours from order to the shop's confirmation.
    pub response_hours: f64,
    /// Machine hours the job took; new shops earn order capacity with delivered hours.
    pub hours: f64,
}

/// How performance is scored and trusted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerformancePolicy {
    /// Only the latest deliveries count, so a shop can recover from old problems.
    pub window: usize,
    /// Below this many deliveries the score is not trusted and not used.
    pub min_history: usize,
    pub weight_on_time: f64,
    pub weight_quality: f64,
    pub weight_response: f64,
    /// Shops with a trusted score below this are excluded.
    pub min_score: f64,
    /// Order limit (machine hours per order) of a shop with no delivered work.
    pub new_shop_hours: f64,
    /// Each delivered hour raises the limit by this many hours …
    pub hours_per_delivered_hour: f64,
    /// … until the shop has delivered this many jobs, after which there is no limit.
    pub graduation_deliveries: usize,
}

impl Default for PerformancePolicy {
    fn default() -> Self {
        PerformancePolicy {
            window: 20,
            min_history: 5,
            weight_on_time: 0.5,
            weight_quality: 0.35,
            weight_response: 0.15,
            min_score: 0.6,
            new_shop_hours: 40.0,
            hours_per_delivered_hour: 0.5,
            graduation_deliveries: 10,
        }
    }
}

/// A small shop (车间/小微企业) with its machines and record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shop {
    pub id: String,
    pub name: String,
    /// True when the shop is in the city; feeds the local-supply share (本地配套率).
    pub local: bool,
    pub machines: Vec<Machine>,
    /// Oldest first.
    pub deliveries: Vec<Delivery>,
}

impl Shop {
    /// Performance in [0, 1] over the rolling window, or None while the history is too short.
    pub fn performance(&self, policy: &PerformancePolicy) -> Option<f64> {
        if self.deliveries.len() < policy.min_history.max(1) {
            return None;
        }
        let recent = &self.deliveries[self.deliveries.len().saturating_sub(policy.window.max(1))..];
        let k = recent.len() as f64;
        let on_time = recent.iter().filter(|d| d.on_time).count() as f64 / k;
        let quality = recent.iter().filter(|d| d.quality_passed).count() as f64 / k;
        // Answering within a day is full marks; three days or more earns nothing.
        let response = recent
            .iter()
            .map(|d| (1.0 - (d.response_hours - 24.0).max(0.0) / 48.0).clamp(0.0, 1.0))
            .sum::<f64>()
            / k;
        let total = policy.weight_on_time + policy.weight_quality + policy.weight_response;
        if total <= 0.0 {
            return None;
        }
        Some(
            (policy.weight_on_time * on_time
                + policy.weight_quality * quality
                + policy.weight_response * response)
                / total,
        )
    }

    /// Machine hours this shop may take in one order; None = no limit (it has graduated).
    pub fn order_limit_hours(&self, policy: &PerformancePolicy) -> Option<f64> {
        if self.deliveries.len() >= policy.graduation_deliveries {
            return None;
        }
        let delivered: f64 = self.deliveries.iter().map(|d| d.hours.max(0.0)).sum();
        Some(policy.new_shop_hours + policy.hours_per_delivered_hour * delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_allows_turning_the_part() {
        let e = Envelope {
            x_mm: 800.0,
            y_mm: 400.0,
            z_mm: 300.0,
        };
        assert_eq!(e.misfit([300.0, 700.0, 350.0]), None);
        assert_eq!(e.misfit([1200.0, 100.0, 100.0]), Some((800.0, 1200.0)));
        assert_eq!(e.misfit([500.0, 500.0, 100.0]), Some((400.0, 500.0)));
    }
}
