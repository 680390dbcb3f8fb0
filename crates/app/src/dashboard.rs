//! The dashboard's figures: per-district counts and sums computed from the registry (cached until
//! the next write), and each chart's numbers as a table (shown in the page and downloadable).

use crate::App;
use innomesh_core::model::{DemandStatus, EquipmentKind, OrgKind, Tier};
use innomesh_core::tabular::Cell;
use innomesh_core::{EntityKind, Labelled, Record};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Figures of one county-level unit.
#[derive(Default, Clone)]
pub struct District {
    pub enterprises: usize,
    pub high_tech: usize,
    pub revenue: f64,
    pub rd_spend: f64,
    pub platforms: [usize; 3],
    pub open_demands: usize,
    pub machine_offered: f64,
    pub machine_used: f64,
}

impl District {
    pub fn rd_intensity(&self) -> f64 {
        if self.revenue > 0.0 {
            self.rd_spend / self.revenue * 100.0
        } else {
            0.0
        }
    }
}

#[derive(Default)]
pub struct Figures {
    /// Baotou's ten units, in code order.
    pub districts: Vec<(String, District)>,
    pub city: District,
    /// Demands by status (index = DemandStatus order).
    pub demand_status: [usize; 6],
    /// Achievements by year and kind.
    pub achievements: BTreeMap<i32, [usize; 3]>,
}

fn tier_index(t: Tier) -> usize {
    match t {
        Tier::National => 0,
        Tier::Provincial => 1,
        Tier::Municipal => 2,
    }
}

pub const TIER_NAMES: [&str; 3] = ["国家级", "省级（自治区级）", "市级"];

fn compute(st: &App) -> Result<Figures, innomesh_store::StoreError> {
    let codes: Vec<String> = {
        let mut c: Vec<String> = innomesh_core::reference::regions()
            .children("150200")
            .to_vec();
        c.sort();
        c
    };
    let mut by: HashMap<String, District> = codes
        .iter()
        .map(|c| (c.clone(), District::default()))
        .collect();
    let district_of = |r: Option<&str>| -> Option<String> {
        r.filter(|r| r.len() >= 6 && r.starts_with("1502"))
            .map(|r| r[..6].to_string())
    };
    let mut f = Figures::default();
    for r in st.repo.all(EntityKind::Organisation)? {
        if let Record::Organisation(o) = r {
            if o.kind != OrgKind::Enterprise {
                continue;
            }
            if let Some(d) = district_of(Some(o.region.as_str())).and_then(|d| by.get_mut(&d)) {
                d.enterprises += 1;
                d.high_tech += o.high_tech as usize;
                if let (Some(rev), Some(rd)) = (o.revenue, o.rd_spend) {
                    d.revenue += rev;
                    d.rd_spend += rd;
                }
            }
        }
    }
    for r in st.repo.all(EntityKind::Platform)? {
        if let Record::Platform(p) = r {
            if p.status == innomesh_core::model::PlatformStatus::Revoked {
                continue;
            }
            if let Some(d) =
                district_of(p.region.as_ref().map(|r| r.as_str())).and_then(|d| by.get_mut(&d))
            {
                d.platforms[tier_index(p.tier)] += 1;
            }
        }
    }
    for r in st.repo.all(EntityKind::Demand)? {
        if let Record::Demand(d) = r {
            let i = DemandStatus::ALL
                .iter()
                .position(|s| *s == d.status)
                .unwrap_or(0);
            f.demand_status[i] += 1;
            if d.status != DemandStatus::Delivered {
                if let Some(x) =
                    district_of(d.region.as_ref().map(|r| r.as_str())).and_then(|x| by.get_mut(&x))
                {
                    x.open_demands += 1;
                }
            }
        }
    }
    for r in st.repo.all(EntityKind::Equipment)? {
        if let Record::Equipment(e) = r {
            if e.kind != EquipmentKind::Machine {
                continue;
            }
            if let Some(d) =
                district_of(e.region.as_ref().map(|r| r.as_str())).and_then(|d| by.get_mut(&d))
            {
                d.machine_offered += e.capacity_hours;
                d.machine_used += e.used_hours;
            }
        }
    }
    for r in st.repo.all(EntityKind::Achievement)? {
        if let Record::Achievement(a) = r {
            if let Some(y) = a.year {
                let k = innomesh_core::model::AchievementKind::ALL
                    .iter()
                    .position(|x| *x == a.kind)
                    .unwrap_or(0);
                f.achievements.entry(y).or_default()[k] += 1;
            }
        }
    }
    for c in &codes {
        let d = by.remove(c).unwrap_or_default();
        let city = &mut f.city;
        city.enterprises += d.enterprises;
        city.high_tech += d.high_tech;
        city.revenue += d.revenue;
        city.rd_spend += d.rd_spend;
        for i in 0..3 {
            city.platforms[i] += d.platforms[i];
        }
        city.open_demands += d.open_demands;
        city.machine_offered += d.machine_offered;
        city.machine_used += d.machine_used;
        f.districts.push((c.clone(), d));
    }
    Ok(f)
}

/// Figures for the registry as it is now (recomputed after any write).
pub fn figures(st: &App) -> Result<Arc<Figures>, innomesh_store::StoreError> {
    st.derived.dashboard.get(st, (), || compute(st))
}

/// Builds the figures ahead of the first reader (see `cache::ensure_warmer`).
pub fn warm(st: &App) {
    let _ = figures(st);
}

/// A chart's numbers: shown as a table and downloadable as XLSX.
pub struct Table {
    pub title: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}
fn num(x: f64) -> Cell {
    Cell::Number((x * 100.0).round() / 100.0)
}

pub const CHARTS: [&str; 6] = [
    "districts",
    "enterprises",
    "rd",
    "platforms",
    "funnel",
    "machines",
];
pub const CHART_ACH: &str = "achievements";

pub fn table(f: &Figures, chart: &str) -> Option<Table> {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let per_district = |title, heads: &[&str], row: &dyn Fn(&District) -> Vec<Cell>| {
        let mut rows: Vec<Vec<Cell>> = f
            .districts
            .iter()
            .map(|(c, d)| {
                let mut r = vec![
                    text(
                        innomesh_core::reference::regions()
                            .get(c)
                            .map(|r| r.name.clone())
                            .unwrap_or_else(|| c.clone()),
                    ),
                    text(c.clone()),
                ];
                r.extend(row(d));
                r
            })
            .collect();
        let mut total = vec![text("全市合计"), text("150200")];
        total.extend(row(&f.city));
        rows.push(total);
        let mut hs = h(&["旗县区", "区划代码"]);
        hs.extend(h(heads));
        Table {
            title,
            headers: hs,
            rows,
        }
    };
    Some(match chart {
        "districts" => per_district(
            "各旗县区关键指标",
            &[
                "企业数",
                "高新技术企业",
                "营业收入（万元）",
                "研发投入（万元）",
                "研发投入强度（%）",
                "创新平台",
                "开放技术需求",
                "机床每周可共享机时",
                "机床每周已用机时",
            ],
            &|d| {
                vec![
                    num(d.enterprises as f64),
                    num(d.high_tech as f64),
                    num(d.revenue),
                    num(d.rd_spend),
                    num(d.rd_intensity()),
                    num(d.platforms.iter().sum::<usize>() as f64),
                    num(d.open_demands as f64),
                    num(d.machine_offered),
                    num(d.machine_used),
                ]
            },
        ),
        "enterprises" => per_district(
            "企业与高新技术企业",
            &["企业数", "高新技术企业", "高新占比（%）"],
            &|d| {
                vec![
                    num(d.enterprises as f64),
                    num(d.high_tech as f64),
                    num(if d.enterprises > 0 {
                        d.high_tech as f64 / d.enterprises as f64 * 100.0
                    } else {
                        0.0
                    }),
                ]
            },
        ),
        "rd" => per_district(
            "研发投入强度",
            &["营业收入（万元）", "研发投入（万元）", "研发投入强度（%）"],
            &|d| vec![num(d.revenue), num(d.rd_spend), num(d.rd_intensity())],
        ),
        "platforms" => per_district(
            "创新平台（按级别）",
            &["国家级", "省级（自治区级）", "市级", "合计"],
            &|d| {
                vec![
                    num(d.platforms[0] as f64),
                    num(d.platforms[1] as f64),
                    num(d.platforms[2] as f64),
                    num(d.platforms.iter().sum::<usize>() as f64),
                ]
            },
        ),
        "machines" => per_district(
            "机床共享机时（每周）",
            &["可共享机时", "已用机时", "利用率（%）"],
            &|d| {
                vec![
                    num(d.machine_offered),
                    num(d.machine_used),
                    num(if d.machine_offered > 0.0 {
                        d.machine_used / d.machine_offered * 100.0
                    } else {
                        0.0
                    }),
                ]
            },
        ),
        "funnel" => {
            let stages = funnel_stages(f);
            let first = stages.first().map(|s| s.1).unwrap_or(0.0).max(1.0);
            Table {
                title: "技术需求转化漏斗",
                headers: h(&[
                    "阶段",
                    "达到该阶段的需求数",
                    "当前处于该阶段",
                    "占发布数（%）",
                ]),
                rows: stages
                    .iter()
                    .zip(f.demand_status)
                    .map(|((l, v), now)| {
                        vec![
                            text(l.clone()),
                            num(*v),
                            num(now as f64),
                            num(v / first * 100.0),
                        ]
                    })
                    .collect(),
            }
        }
        CHART_ACH => Table {
            title: "历年科技成果（按类型）",
            headers: h(&["年份", "专利", "论文", "科技成果", "合计"]),
            rows: f
                .achievements
                .iter()
                .map(|(y, k)| {
                    vec![
                        num(*y as f64),
                        num(k[0] as f64),
                        num(k[1] as f64),
                        num(k[2] as f64),
                        num(k.iter().sum::<usize>() as f64),
                    ]
                })
                .collect(),
        },
        _ => return None,
    })
}

/// Demands that reached each stage: a demand now at 已签约 has passed every stage before it.
pub fn funnel_stages(f: &Figures) -> Vec<(String, f64)> {
    DemandStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.label().to_string(),
                f.demand_status[i..].iter().sum::<usize>() as f64,
            )
        })
        .collect()
}
