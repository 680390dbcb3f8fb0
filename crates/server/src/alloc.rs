//! The shared-capacity service (聚合加工): registry machines and delivery records become the
//! optimiser's shops; orders are planned across them and re-planned when a shop drops out.

use crate::error::ApiError;
use innomesh_alloc::order::{Order, Part, Step};
use innomesh_alloc::registry::{
    Delivery, Envelope, Machine, Material, PerformancePolicy, Process, Shop,
};
use innomesh_core::model::EquipmentKind;
use innomesh_core::{EntityKind, Record};
use innomesh_store::Repository;
use std::collections::BTreeMap;

const MATERIALS: [Material; 9] = [
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

pub fn parse_material(s: &str) -> Option<Material> {
    let t = s.trim();
    MATERIALS.into_iter().find(|m| {
        m.label_zh() == t
            || serde_json::to_value(m)
                .ok()
                .and_then(|v| v.as_str().map(|c| c.eq_ignore_ascii_case(t)))
                .unwrap_or(false)
    })
}

/// `800×400×300` (also `800x400x300`, `800*400*300`) in millimetres.
pub fn parse_envelope(s: &str) -> Option<Envelope> {
    let parts: Vec<f64> = s
        .split(['×', 'x', 'X', '*', '＊'])
        .map(|p| p.trim().trim_end_matches("mm").trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    match parts.as_slice() {
        [x, y, z] if *x > 0.0 && *y > 0.0 && *z > 0.0 => Some(Envelope {
            x_mm: *x,
            y_mm: *y,
            z_mm: *z,
        }),
        _ => None,
    }
}

/// Shops as the optimiser sees them: machine tools with a known process, grouped by owner.
pub fn shops(repo: &dyn Repository) -> Result<Vec<Shop>, ApiError> {
    let home = repo
        .meta("home_region")?
        .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string());
    let mut by_owner: BTreeMap<String, Shop> = BTreeMap::new();
    for r in repo.all(EntityKind::Equipment)? {
        let Record::Equipment(e) = r else { continue };
        if e.kind != EquipmentKind::Machine {
            continue;
        }
        let Some(process) = e.processes.iter().find_map(|p| Process::parse(p)) else {
            continue;
        };
        let shop = by_owner.entry(e.owner.to_string()).or_insert_with(|| Shop {
            id: e.owner.to_string(),
            name: String::new(),
            local: e
                .region
                .as_ref()
                .map(|r| r.as_str().starts_with(&home))
                .unwrap_or(false),
            machines: vec![],
            deliveries: vec![],
        });
        shop.machines.push(Machine {
            id: e.id.clone(),
            name: e.name.clone(),
            process,
            materials: e
                .materials
                .iter()
                .filter_map(|m| parse_material(m))
                .collect(),
            envelope: parse_envelope(&e.envelope_mm).unwrap_or(Envelope {
                x_mm: 500.0,
                y_mm: 300.0,
                z_mm: 200.0,
            }),
            tolerance_um: e.tolerance_um.unwrap_or(50.0),
            free_hours_per_week: (e.capacity_hours - e.used_hours).max(0.0),
            hourly_cost: e.hourly_cost.unwrap_or(150.0),
            speed: 1.0,
        });
    }
    let mut deliveries: Vec<_> = repo
        .all(EntityKind::Delivery)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Delivery(d) => Some(d),
            _ => None,
        })
        .collect();
    deliveries.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    for d in deliveries {
        if let Some(shop) = by_owner.get_mut(d.shop.as_str()) {
            shop.deliveries.push(Delivery {
                on_time: d.on_time,
                quality_passed: d.quality_passed,
                response_hours: d.response_hours,
                hours: d.hours,
            });
        }
    }
    let codes: Vec<String> = by_owner.keys().cloned().collect();
    let names = repo.org_names(&codes)?;
    for (code, shop) in by_owner.iter_mut() {
        shop.name = names.get(code).cloned().unwrap_or_default();
    }
    Ok(by_owner.into_values().collect())
}

/// A 示例订单 drawn from what the registry's shops can make: deterministic for a seed.
pub fn sample_order(shops: &[Shop], parts: usize, seed: u64) -> Order {
    let mut rng = innomesh_core::sample::Rng::new(seed);
    let processes: Vec<Process> = {
        let mut p: Vec<Process> = shops
            .iter()
            .flat_map(|s| s.machines.iter().map(|m| m.process))
            .collect();
        p.sort_by_key(|x| format!("{x:?}"));
        p.dedup();
        p
    };
    let names = [
        "法兰盘",
        "传动轴",
        "齿轮坯",
        "轴承座",
        "连接板",
        "支架",
        "端盖",
        "液压阀块",
        "滚筒",
        "导轨",
    ];
    let parts = (0..parts)
        .map(|i| {
            let steps = 1 + rng.below(3);
            let routing = (0..steps)
                .map(|_| Step {
                    process: processes[rng
                        .below(processes.len().max(1))
                        .min(processes.len().saturating_sub(1))],
                    hours_per_unit: (rng.range(2, 30) as f64) / 10.0,
                })
                .collect();
            Part {
                id: format!("P{:02}", i + 1),
                name: format!("{}-{}", names[i % names.len()], i / names.len() + 1),
                routing,
                quantity: rng.range(10, 120) as u32,
                material: [
                    Material::CarbonSteel,
                    Material::AlloySteel,
                    Material::CastIron,
                ][rng.below(3)],
                size_mm: [
                    rng.range(50, 400) as f64,
                    rng.range(40, 200) as f64,
                    rng.range(20, 120) as f64,
                ],
                tolerance_um: [20.0, 50.0, 100.0][rng.below(3)],
                due_hours: rng.range(80, 240) as f64,
                splittable: rng.chance(0.7),
            }
        })
        .collect();
    Order {
        id: format!("示例订单-{seed}"),
        parts,
    }
}

pub fn policy() -> PerformancePolicy {
    PerformancePolicy::default()
}
