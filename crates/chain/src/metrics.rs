//! Node metrics (节点指标): local firms, output, concentration, size mix, local supply share,
//! innovation resources and the yearly trend — the figures every verdict is traced to.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, VIA_SUPPLIER};
use crate::input::{ChainInput, Decision, ResourceKind, SizeClass};
use crate::mapping::{industry_digits, MappingConfig};
use crate::model::{ChainSet, Position};

/// Which supplies the headline figures use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsConfig {
    /// Headline local supply share and supplier counts for this year only; `None` pools all years.
    pub year: Option<u16>,
}

/// Counts of local firms by size class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeDistribution {
    pub micro: u32,
    pub small: u32,
    pub medium: u32,
    pub large: u32,
}

impl SizeDistribution {
    fn add(&mut self, c: SizeClass) {
        match c {
            SizeClass::Micro => self.micro += 1,
            SizeClass::Small => self.small += 1,
            SizeClass::Medium => self.medium += 1,
            SizeClass::Large => self.large += 1,
        }
    }
}

/// Innovation resources attached to a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationCounts {
    pub platforms: u32,
    pub experts: u32,
    pub achievements: u32,
    pub open_demands: u32,
}

impl InnovationCounts {
    pub fn total(&self) -> u32 {
        self.platforms + self.experts + self.achievements + self.open_demands
    }
}

/// Local purchases of a node's products in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    pub year: u16,
    /// Purchases by local customers, 万元.
    pub local_demand: f64,
    /// Of which supplied by local suppliers, 万元.
    pub local_supplied: f64,
    pub local_supply_share: Option<f64>,
    pub local_suppliers: u32,
    pub external_suppliers: u32,
}

/// Figures of one chain node. `metrics[i]` describes node `i` of the [`ChainSet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    /// `chain/node`.
    pub node: String,
    pub chain: String,
    pub name: String,
    pub position: Position,
    /// Local organisations mapped to the node.
    pub local_firms: u32,
    /// Sum of their revenue, 万元 (a firm mapped to several nodes counts in each).
    pub output: f64,
    /// Herfindahl–Hirschman index of local firms' revenue shares (0–1); `None` if output is 0.
    pub hhi: Option<f64>,
    pub sizes: SizeDistribution,
    /// Purchases of this node's products by local customers, 万元 (headline period).
    pub local_demand: f64,
    /// Of which from local suppliers, 万元.
    pub local_supplied: f64,
    /// `local_supplied / local_demand`; `None` when local customers bought nothing.
    pub local_supply_share: Option<f64>,
    /// Distinct local suppliers selling this node's products to local customers.
    pub local_suppliers: u32,
    /// Distinct non-local suppliers selling this node's products to local customers.
    pub external_suppliers: u32,
    pub innovation: InnovationCounts,
    /// One entry per year present in the supplies, ascending.
    pub trend: Vec<YearFigures>,
}

fn share(local: f64, total: f64) -> Option<f64> {
    if total > 0.0 {
        Some((local / total).clamp(0.0, 1.0))
    } else {
        None
    }
}

fn hhi(revenues: impl Iterator<Item = f64>, total: f64) -> Option<f64> {
    if total > 0.0 {
        Some(revenues.map(|r| (r / total) * (r / total)).sum())
    } else {
        None
    }
}

/// Per-thread accumulators of the supply pass.
struct SupplyAcc {
    demand: Vec<f64>,
    local: Vec<f64>,
    /// node << 48 | supplier << 16 | year slot, sorted and deduplicated.
    keys: Vec<u64>,
    /// Per supplier: bit y set when it sold to a local customer in year slot y, for supplies
    /// whose nodes are the supplier's primary nodes (empty when there are more than 64 years).
    masks: Vec<u64>,
}

fn merge_sorted(a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let x = if a[i] <= b[j] {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if out.last() != Some(&x) {
            out.push(x);
        }
    }
    for &x in a[i..].iter().chain(&b[j..]) {
        if out.last() != Some(&x) {
            out.push(x);
        }
    }
    out
}

impl Engine {
    /// Compute the figures of every node (index-aligned with `chains().nodes()`).
    pub fn metrics(&self, cfg: &MetricsConfig) -> Vec<NodeMetrics> {
        let chains = &self.chains;
        let orgs = &self.input.orgs;
        let n_nodes = chains.nodes().len();
        let ny = self.years.len().max(1);
        let mut year_slot = vec![u16::MAX; u16::MAX as usize + 1];
        for (k, &y) in self.years.iter().enumerate() {
            year_slot[y as usize] = k as u16;
        }
        let headline_slot = cfg.year.map(|y| year_slot[y as usize]);

        // Supply pass, in parallel over chunks of supplies.
        let purchases = &self.purchases;
        let total = purchases.len();
        let n_orgs = orgs.len();
        let use_masks = ny <= 64;
        let threads = self.cfg.threads.max(1);
        let chunk = total.div_ceil(threads).max(1);
        let accs: Vec<SupplyAcc> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let year_slot = &year_slot;
                    scope.spawn(move || {
                        let mut acc = SupplyAcc {
                            demand: vec![0.0; n_nodes * ny],
                            local: vec![0.0; n_nodes * ny],
                            keys: Vec::new(),
                            masks: if use_masks {
                                vec![0; n_orgs]
                            } else {
                                Vec::new()
                            },
                        };
                        let start = (t * chunk).min(total);
                        let end = ((t + 1) * chunk).min(total);
                        for i in start..end {
                            let (supplier, code) = (purchases.supplier[i], purchases.code[i]);
                            let amount = purchases.amount[i];
                            let y = year_slot[purchases.year[i] as usize] as usize;
                            let sup_local = self.local[supplier as usize];
                            // Purchases whose nodes follow from the supplier are counted by a
                            // per-supplier year mask instead of one sort key per (node, year).
                            let by_mask = use_masks && code == VIA_SUPPLIER;
                            for &n in self.nodes_of(code, supplier) {
                                let cell = n as usize * ny + y;
                                acc.demand[cell] += amount;
                                if sup_local {
                                    acc.local[cell] += amount;
                                }
                                if !by_mask {
                                    acc.keys.push(
                                        (n as u64) << 48 | (supplier as u64) << 16 | y as u64,
                                    );
                                }
                            }
                            if by_mask {
                                acc.masks[supplier as usize] |= 1u64 << y;
                            }
                        }
                        acc.keys.sort_unstable();
                        acc.keys.dedup();
                        acc
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let mut demand = vec![0.0; n_nodes * ny];
        let mut local_amt = vec![0.0; n_nodes * ny];
        let mut keys = Vec::new();
        let mut masks: Vec<u64> = Vec::new();
        for acc in accs {
            if masks.is_empty() {
                masks = acc.masks;
            } else {
                for (m, x) in masks.iter_mut().zip(&acc.masks) {
                    *m |= x;
                }
            }
            for (d, x) in demand.iter_mut().zip(&acc.demand) {
                *d += x;
            }
            for (d, x) in local_amt.iter_mut().zip(&acc.local) {
                *d += x;
            }
            keys = merge_sorted(keys, acc.keys);
        }
        let mut loc_sup_y = vec![0u32; n_nodes * ny];
        let mut ext_sup_y = vec![0u32; n_nodes * ny];
        let mut loc_sup = vec![0u32; n_nodes];
        let mut ext_sup = vec![0u32; n_nodes];
        for (sup, &mask) in masks.iter().enumerate() {
            if mask == 0 {
                continue;
            }
            let is_local = self.local[sup];
            for &n in self.mapping.primary_nodes(sup) {
                let n = n as usize;
                if is_local {
                    loc_sup[n] += 1;
                } else {
                    ext_sup[n] += 1;
                }
                let mut m = mask;
                while m != 0 {
                    let cell = n * ny + m.trailing_zeros() as usize;
                    if is_local {
                        loc_sup_y[cell] += 1;
                    } else {
                        ext_sup_y[cell] += 1;
                    }
                    m &= m - 1;
                }
            }
        }
        let mut prev: u64 = u64::MAX;
        for &k in &keys {
            let n = (k >> 48) as usize;
            let sup = ((k >> 16) & 0xffff_ffff) as usize;
            let y = (k & 0xffff) as usize;
            let is_local = self.local[sup];
            // Already counted through the supplier's year mask?
            let mask = masks.get(sup).copied().unwrap_or(0);
            let via_mask = mask != 0 && self.mapping.primary_nodes(sup).contains(&(n as u16));
            if !(via_mask && mask & (1u64 << y) != 0) {
                if is_local {
                    loc_sup_y[n * ny + y] += 1;
                } else {
                    ext_sup_y[n * ny + y] += 1;
                }
            }
            let pair = k >> 16;
            if pair != prev {
                prev = pair;
                if !via_mask {
                    if is_local {
                        loc_sup[n] += 1;
                    } else {
                        ext_sup[n] += 1;
                    }
                }
            }
        }

        // Innovation resources.
        let mut innovation = vec![InnovationCounts::default(); n_nodes];
        for (r, node) in self.input.resources.iter().zip(&self.resource_nodes) {
            let mut count = |n: usize| {
                let c = &mut innovation[n];
                match r.kind {
                    ResourceKind::Platform => c.platforms += 1,
                    ResourceKind::Expert => c.experts += 1,
                    ResourceKind::Achievement => c.achievements += 1,
                    ResourceKind::Demand => {
                        if r.open {
                            c.open_demands += 1
                        }
                    }
                }
            };
            if let Some(n) = node {
                count(*n as usize);
            } else if let Some(o) = r.org {
                for m in self.mapping.of_org(o as usize) {
                    count(m.node as usize);
                }
            }
        }

        chains
            .nodes()
            .iter()
            .enumerate()
            .map(|(n, node)| {
                let members = self.mapping.orgs_of_node(n);
                let mut firms = 0u32;
                let mut output = 0.0;
                let mut sizes = SizeDistribution::default();
                for &o in members {
                    if self.local[o as usize] {
                        let org = &orgs[o as usize];
                        firms += 1;
                        output += org.revenue;
                        sizes.add(SizeClass::classify(org.employees, org.revenue));
                    }
                }
                let conc = hhi(
                    members
                        .iter()
                        .filter(|&&o| self.local[o as usize])
                        .map(|&o| orgs[o as usize].revenue),
                    output,
                );
                let trend: Vec<YearFigures> = self
                    .years
                    .iter()
                    .enumerate()
                    .map(|(y, &year)| {
                        let cell = n * ny + y;
                        YearFigures {
                            year,
                            local_demand: demand[cell],
                            local_supplied: local_amt[cell],
                            local_supply_share: share(local_amt[cell], demand[cell]),
                            local_suppliers: loc_sup_y[cell],
                            external_suppliers: ext_sup_y[cell],
                        }
                    })
                    .collect();
                let (d, l, ls, es) = match headline_slot {
                    Some(slot) => match trend.get(slot as usize) {
                        Some(t) => (
                            t.local_demand,
                            t.local_supplied,
                            t.local_suppliers,
                            t.external_suppliers,
                        ),
                        None => (0.0, 0.0, 0, 0),
                    },
                    None => (
                        trend.iter().map(|t| t.local_demand).sum(),
                        trend.iter().map(|t| t.local_supplied).sum(),
                        loc_sup[n],
                        ext_sup[n],
                    ),
                };
                NodeMetrics {
                    node: node.key.clone(),
                    chain: node.chain.clone(),
                    name: node.name.clone(),
                    position: node.position,
                    local_firms: firms,
                    output,
                    hhi: conc,
                    sizes,
                    local_demand: d,
                    local_supplied: l,
                    local_supply_share: share(l, d),
                    local_suppliers: ls,
                    external_suppliers: es,
                    innovation: innovation[n],
                    trend,
                }
            })
            .collect()
    }
}

/// The obvious peer used to check and benchmark [`Engine::metrics`]: for every node, scan every
/// organisation with string matching, then scan every supply. Same semantics, no indexes.
pub fn naive_metrics(
    chains: &ChainSet,
    input: &ChainInput,
    mcfg: &MappingConfig,
    cfg: &MetricsConfig,
) -> Vec<NodeMetrics> {
    let nodes = chains.nodes();
    let orgs = &input.orgs;
    let chain_of = |n: usize| nodes[n].chain.as_str();
    // Whether node n's i-th class is shared with another node of its chain.
    let shared_class: Vec<Vec<bool>> = nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            node.industries
                .iter()
                .map(|code| {
                    nodes.iter().enumerate().any(|(j, other)| {
                        j != n && other.chain == node.chain && other.industries.contains(code)
                    })
                })
                .collect()
        })
        .collect();
    let conf_of = |n: usize, o: usize| -> Option<f64> {
        let node = &nodes[n];
        let org = &orgs[o];
        if let Some(ov) = input
            .overrides
            .iter()
            .rev()
            .find(|ov| ov.org as usize == o && chains.node_index(&ov.node) == Some(n))
        {
            return match ov.decision {
                Decision::Confirmed => Some(1.0),
                Decision::Rejected => None,
            };
        }
        let mut ind: f64 = 0.0;
        if let Some((v, len)) = industry_digits(&org.industry) {
            for (ci, code) in node.industries.iter().enumerate() {
                let c: u16 = code.parse().unwrap_or(0);
                let shared = shared_class[n][ci];
                let x = if len == 4 && v == c {
                    if shared {
                        mcfg.shared_class_confidence
                    } else {
                        mcfg.class_confidence
                    }
                } else if (len == 4 && v / 10 == c / 10) || (len == 3 && v == c / 10) {
                    mcfg.group_confidence
                } else if (len == 4 && v / 100 == c / 100)
                    || (len == 3 && v / 10 == c / 100)
                    || (len == 2 && v == c / 100)
                {
                    mcfg.major_confidence
                } else {
                    0.0
                };
                ind = ind.max(x);
            }
        }
        let hits = node
            .keywords
            .iter()
            .filter(|k| org.products.contains(k.as_str()))
            .count();
        let kw = match hits {
            0 => 0.0,
            1 => mcfg.keyword_confidence,
            _ => mcfg.multi_keyword_confidence,
        };
        let c = 1.0 - (1.0 - ind) * (1.0 - kw);
        (c >= mcfg.min_confidence && c > 0.0).then_some(c)
    };
    // Membership per node, and each org's best node per chain.
    let mut member: Vec<Vec<bool>> = Vec::new();
    let mut best: Vec<HashMap<&str, (f32, usize)>> = vec![HashMap::new(); orgs.len()];
    for n in 0..nodes.len() {
        let mut m = vec![false; orgs.len()];
        for (o, slot) in m.iter_mut().enumerate() {
            if let Some(c) = conf_of(n, o) {
                *slot = true;
                let c = c as f32;
                let e = best[o].entry(chain_of(n)).or_insert((c, n));
                if c > e.0 {
                    *e = (c, n);
                }
            }
        }
        member.push(m);
    }
    let product_nodes = |text: &str| -> Vec<usize> {
        let mut per_chain: HashMap<&str, (usize, usize)> = HashMap::new();
        for (n, node) in nodes.iter().enumerate() {
            let hits = node
                .keywords
                .iter()
                .filter(|k| text.contains(k.as_str()))
                .count();
            if hits == 0 {
                continue;
            }
            let e = per_chain.entry(chain_of(n)).or_insert((hits, n));
            if hits > e.0 {
                *e = (hits, n);
            }
        }
        per_chain.values().map(|&(_, n)| n).collect()
    };
    let supply_nodes: Vec<Vec<usize>> = input
        .supplies
        .iter()
        .map(|s| {
            if let Some(key) = &s.node {
                return chains.node_index(key).into_iter().collect();
            }
            if let Some(text) = s.product.as_deref().filter(|t| !t.is_empty()) {
                let v = product_nodes(text);
                if !v.is_empty() {
                    return v;
                }
            }
            best[s.supplier as usize]
                .values()
                .map(|&(_, n)| n)
                .collect()
        })
        .collect();
    let mut years: Vec<u16> = input.supplies.iter().map(|s| s.year).collect();
    years.sort_unstable();
    years.dedup();
    (0..nodes.len())
        .map(|n| {
            let node = &nodes[n];
            let locals: Vec<usize> = (0..orgs.len())
                .filter(|&o| member[n][o] && orgs[o].local)
                .collect();
            let output: f64 = locals.iter().map(|&o| orgs[o].revenue).sum();
            let mut sizes = SizeDistribution::default();
            for &o in &locals {
                sizes.add(SizeClass::classify(orgs[o].employees, orgs[o].revenue));
            }
            type YearAcc = (f64, f64, HashSet<u32>, HashSet<u32>);
            let mut per_year: HashMap<u16, YearAcc> = HashMap::new();
            for (i, s) in input.supplies.iter().enumerate() {
                if !orgs[s.customer as usize].local || !supply_nodes[i].contains(&n) {
                    continue;
                }
                let e = per_year.entry(s.year).or_default();
                e.0 += s.amount;
                if orgs[s.supplier as usize].local {
                    e.1 += s.amount;
                    e.2.insert(s.supplier);
                } else {
                    e.3.insert(s.supplier);
                }
            }
            let trend: Vec<YearFigures> = years
                .iter()
                .map(|&year| {
                    let (d, l, ls, es) = per_year.get(&year).cloned().unwrap_or_default();
                    YearFigures {
                        year,
                        local_demand: d,
                        local_supplied: l,
                        local_supply_share: share(l, d),
                        local_suppliers: ls.len() as u32,
                        external_suppliers: es.len() as u32,
                    }
                })
                .collect();
            let (d, l, ls, es) = match cfg.year {
                Some(y) => trend
                    .iter()
                    .find(|t| t.year == y)
                    .map(|t| {
                        (
                            t.local_demand,
                            t.local_supplied,
                            t.local_suppliers,
                            t.external_suppliers,
                        )
                    })
                    .unwrap_or_default(),
                None => {
                    let all_l: HashSet<u32> = per_year
                        .values()
                        .flat_map(|v| v.2.iter().copied())
                        .collect();
                    let all_e: HashSet<u32> = per_year
                        .values()
                        .flat_map(|v| v.3.iter().copied())
                        .collect();
                    (
                        trend.iter().map(|t| t.local_demand).sum(),
                        trend.iter().map(|t| t.local_supplied).sum(),
                        all_l.len() as u32,
                        all_e.len() as u32,
                    )
                }
            };
            let mut innovation = InnovationCounts::default();
            for r in &input.resources {
                let hit = match &r.node {
                    Some(key) => chains.node_index(key) == Some(n),
                    None => r.org.is_some_and(|o| member[n][o as usize]),
                };
                if hit {
                    match r.kind {
                        ResourceKind::Platform => innovation.platforms += 1,
                        ResourceKind::Expert => innovation.experts += 1,
                        ResourceKind::Achievement => innovation.achievements += 1,
                        ResourceKind::Demand => innovation.open_demands += u32::from(r.open),
                    }
                }
            }
            NodeMetrics {
                node: node.key.clone(),
                chain: node.chain.clone(),
                name: node.name.clone(),
                position: node.position,
                local_firms: locals.len() as u32,
                output,
                hhi: hhi(locals.iter().map(|&o| orgs[o].revenue), output),
                sizes,
                local_demand: d,
                local_supplied: l,
                local_supply_share: share(l, d),
                local_suppliers: ls,
                external_suppliers: es,
                innovation,
                trend,
            }
        })
        .collect()
}

/// True when two metric lists agree (floats within a relative 1e-9).
pub fn metrics_agree(a: &[NodeMetrics], b: &[NodeMetrics]) -> bool {
    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
    }
    fn close_opt(x: Option<f64>, y: Option<f64>) -> bool {
        match (x, y) {
            (Some(x), Some(y)) => close(x, y),
            (None, None) => true,
            _ => false,
        }
    }
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.node == y.node
                && x.local_firms == y.local_firms
                && close(x.output, y.output)
                && close_opt(x.hhi, y.hhi)
                && x.sizes == y.sizes
                && close(x.local_demand, y.local_demand)
                && close(x.local_supplied, y.local_supplied)
                && close_opt(x.local_supply_share, y.local_supply_share)
                && x.local_suppliers == y.local_suppliers
                && x.external_suppliers == y.external_suppliers
                && x.innovation == y.innovation
                && x.trend.len() == y.trend.len()
                && x.trend.iter().zip(&y.trend).all(|(p, q)| {
                    p.year == q.year
                        && close(p.local_demand, q.local_demand)
                        && close(p.local_supplied, q.local_supplied)
                        && p.local_suppliers == q.local_suppliers
                        && p.external_suppliers == q.external_suppliers
                })
        })
}
