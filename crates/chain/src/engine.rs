//! The engine: validated inputs plus the organisation-to-node mapping, built once and queried
//! for metrics, targets, referral paths and reports.

use std::sync::OnceLock;

use crate::error::ChainError;
use crate::input::{ChainInput, SupplyInput};
use crate::mapping::{map_orgs, Mapper, MappingConfig, OrgMapping};
use crate::model::ChainSet;
use crate::referral::RelationGraph;

/// Supply whose product node is the supplier's primary node per chain.
pub(crate) const VIA_SUPPLIER: u32 = u32::MAX;
/// High bit set: index into `text_nodes`.
pub(crate) const TEXT_FLAG: u32 = 0x8000_0000;

/// One organisation ↔ node membership, explained.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrgNodeMatch {
    /// `chain/node`.
    pub node: String,
    pub name: String,
    pub confidence: f32,
    pub manual: Option<crate::input::Decision>,
    pub reason: String,
}

/// Loaded chains, validated inputs and the mapping. Build with [`Engine::build`].
#[derive(Debug)]
pub struct Engine {
    pub(crate) chains: ChainSet,
    pub(crate) input: ChainInput,
    pub(crate) cfg: MappingConfig,
    pub(crate) mapping: OrgMapping,
    pub(crate) local: Vec<bool>,
    /// Supplies bought by local customers, the only ones metrics read.
    pub(crate) purchases: LocalPurchases,
    pub(crate) text_nodes: Vec<Vec<u16>>,
    /// Per resource: explicit node index.
    pub(crate) resource_nodes: Vec<Option<u16>>,
    /// Distinct supply years, ascending.
    pub(crate) years: Vec<u16>,
    graph: OnceLock<RelationGraph>,
}

impl Engine {
    /// Validate the input, map every organisation to nodes (industry codes + product keywords +
    /// manual overrides) and resolve each supply's product node. Bad records are rejected with
    /// a Chinese message naming the record; nothing is partially built.
    pub fn build(
        chains: ChainSet,
        input: ChainInput,
        cfg: MappingConfig,
    ) -> Result<Engine, ChainError> {
        cfg.validate()?;
        validate_input(&input)?;
        let mapper = Mapper::new(&chains, &cfg);
        let mapping = map_orgs(&chains, &mapper, &input.orgs, &input.overrides, &cfg)?;
        let local: Vec<bool> = input.orgs.iter().map(|o| o.local).collect();
        let (purchases, text_nodes, years) =
            resolve_supplies(&chains, &mapper, &input, &local, &cfg)?;
        let resource_nodes = input
            .resources
            .iter()
            .map(|r| match &r.node {
                Some(key) => chains.require_node(key).map(|n| Some(n as u16)),
                None => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Engine {
            chains,
            input,
            cfg,
            mapping,
            local,
            purchases,
            text_nodes,
            resource_nodes,
            years,
            graph: OnceLock::new(),
        })
    }

    pub fn chains(&self) -> &ChainSet {
        &self.chains
    }

    pub fn input(&self) -> &ChainInput {
        &self.input
    }

    pub fn mapping(&self) -> &OrgMapping {
        &self.mapping
    }

    pub fn mapping_config(&self) -> &MappingConfig {
        &self.cfg
    }

    /// The nodes organisation `org` is mapped to, with confidence and a Chinese reason
    /// (挂链结果), for the registry page and for manual confirmation.
    pub fn explain_org(&self, org: u32) -> Vec<OrgNodeMatch> {
        let Some(o) = self.input.orgs.get(org as usize) else {
            return Vec::new();
        };
        self.mapping
            .of_org(org as usize)
            .iter()
            .filter_map(|m| {
                let node = self.chains.node(m.node as usize)?;
                Some(OrgNodeMatch {
                    node: node.key.clone(),
                    name: node.name.clone(),
                    confidence: m.confidence,
                    manual: m.manual,
                    reason: m.reason_zh(node, o),
                })
            })
            .collect()
    }

    /// Organisations mapped to `node_key` (indices into `orgs`, ascending), local first.
    pub fn node_orgs(&self, node_key: &str) -> Result<Vec<u32>, ChainError> {
        let n = self.chains.require_node(node_key)?;
        let all = self.mapping.orgs_of_node(n);
        let mut v: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&o| self.local[o as usize])
            .collect();
        v.extend(all.iter().copied().filter(|&o| !self.local[o as usize]));
        Ok(v)
    }

    /// Distinct years that occur in supplies, ascending.
    pub fn years(&self) -> &[u16] {
        &self.years
    }

    /// The relation graph (CSR) over all organisations, built on first use from
    /// `input.relations`.
    pub fn relation_graph(&self) -> &RelationGraph {
        self.graph.get_or_init(|| {
            RelationGraph::build(self.input.orgs.len(), &self.input.relations)
                .unwrap_or_else(|_| RelationGraph::empty(self.input.orgs.len()))
        })
    }

    /// Product nodes of a purchase with node code `code` from `supplier` (empty if the
    /// supplier is mapped nowhere).
    pub(crate) fn nodes_of(&self, code: u32, supplier: u32) -> &[u16] {
        if code == VIA_SUPPLIER {
            self.mapping.primary_nodes(supplier as usize)
        } else if code & TEXT_FLAG != 0 {
            self.text_nodes
                .get((code & !TEXT_FLAG) as usize)
                .map(|v| v.as_slice())
                .unwrap_or(&[])
        } else {
            node_slice(code)
        }
    }
}

/// A one-element slice for an explicit node index without allocating.
fn node_slice(code: u32) -> &'static [u16] {
    static ALL: OnceLock<Vec<u16>> = OnceLock::new();
    let all = ALL.get_or_init(|| (0..=crate::model::MAX_NODES as u16).collect());
    let i = code as usize;
    all.get(i..i + 1).unwrap_or(&[])
}

fn bad(msg: String) -> ChainError {
    ChainError::InvalidInput(msg)
}

fn validate_input(input: &ChainInput) -> Result<(), ChainError> {
    let n = input.orgs.len();
    if n >= u32::MAX as usize {
        return Err(bad(format!("组织数 {n} 过多")));
    }
    for (i, o) in input.orgs.iter().enumerate() {
        if !o.revenue.is_finite() || o.revenue < 0.0 {
            return Err(bad(format!(
                "第 {} 个组织「{}」的营业收入 {} 无效，应为不小于 0 的万元数",
                i + 1,
                o.name,
                o.revenue
            )));
        }
    }
    for (i, r) in input.relations.iter().enumerate() {
        if r.from as usize >= n || r.to as usize >= n {
            return Err(bad(format!(
                "第 {} 条企业关系的组织序号 {} 或 {} 超出组织总数 {n}",
                i + 1,
                r.from,
                r.to
            )));
        }
    }
    for (i, r) in input.resources.iter().enumerate() {
        if let Some(o) = r.org {
            if o as usize >= n {
                return Err(bad(format!(
                    "第 {} 条创新资源「{}」的组织序号 {o} 超出组织总数 {n}",
                    i + 1,
                    r.name
                )));
            }
        }
    }
    Ok(())
}

/// Supplies bought by local customers, as columns: supplier, amount (万元), year, and the
/// product-node code (node index, [`VIA_SUPPLIER`], or `TEXT_FLAG | k` into `text_nodes`).
#[derive(Debug, Clone, Default)]
pub(crate) struct LocalPurchases {
    pub(crate) supplier: Vec<u32>,
    pub(crate) customer: Vec<u32>,
    pub(crate) amount: Vec<f64>,
    pub(crate) year: Vec<u16>,
    pub(crate) code: Vec<u32>,
}

impl LocalPurchases {
    pub(crate) fn len(&self) -> usize {
        self.supplier.len()
    }
}

/// Per chunk of supplies: local purchases, text node lists and years seen.
struct SupplyPart {
    purchases: LocalPurchases,
    text: Vec<Vec<u16>>,
    years: Vec<u64>,
}

fn check_supply(chains: &ChainSet, n: usize, i: usize, s: &SupplyInput) -> Result<(), ChainError> {
    if s.supplier as usize >= n || s.customer as usize >= n {
        return Err(bad(format!(
            "第 {} 条供货关系的供应商序号 {} 或客户序号 {} 超出组织总数 {n}",
            i + 1,
            s.supplier,
            s.customer
        )));
    }
    if !s.amount.is_finite() || s.amount < 0.0 {
        return Err(bad(format!(
            "第 {} 条供货关系的金额 {} 无效，应为不小于 0 的万元数",
            i + 1,
            s.amount
        )));
    }
    if let Some(key) = &s.node {
        if chains.node_index(key).is_none() {
            return Err(bad(format!(
                "第 {} 条供货关系的链节点「{key}」不存在",
                i + 1
            )));
        }
    }
    Ok(())
}

/// Validate supplies and resolve each one's product node(s), in parallel chunks.
type Resolved = (LocalPurchases, Vec<Vec<u16>>, Vec<u16>);

fn resolve_supplies(
    chains: &ChainSet,
    mapper: &Mapper,
    input: &ChainInput,
    local: &[bool],
    cfg: &MappingConfig,
) -> Result<Resolved, ChainError> {
    let supplies = &input.supplies;
    let n = input.orgs.len();
    let threads = cfg.threads.max(1);
    let chunk = supplies.len().div_ceil(threads).max(1);
    let parts: Vec<Result<SupplyPart, ChainError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = supplies
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                scope.spawn(move || {
                    let mut out = SupplyPart {
                        purchases: LocalPurchases::default(),
                        text: Vec::new(),
                        years: vec![0u64; 1024],
                    };
                    let mut scratch = mapper.scratch();
                    let mut buf = Vec::new();
                    for (j, s) in part.iter().enumerate() {
                        check_supply(chains, n, ci * chunk + j, s)?;
                        out.years[s.year as usize / 64] |= 1u64 << (s.year % 64);
                        if !local[s.customer as usize] {
                            continue;
                        }
                        let code = if let Some(key) = &s.node {
                            chains.require_node(key)? as u32
                        } else if let Some(text) = s.product.as_deref().filter(|t| !t.is_empty()) {
                            buf.clear();
                            mapper.product_nodes(chains, text, &mut scratch, &mut buf);
                            if buf.is_empty() {
                                VIA_SUPPLIER
                            } else {
                                out.text.push(buf.clone());
                                TEXT_FLAG | (out.text.len() as u32 - 1)
                            }
                        } else {
                            VIA_SUPPLIER
                        };
                        let p = &mut out.purchases;
                        p.supplier.push(s.supplier);
                        p.customer.push(s.customer);
                        p.amount.push(s.amount);
                        p.year.push(s.year);
                        p.code.push(code);
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(bad("供货关系解析线程异常退出".into())))
            })
            .collect()
    });
    let mut purchases = LocalPurchases::default();
    let mut text = Vec::new();
    let mut years = vec![0u64; 1024];
    for part in parts {
        let part = part?;
        let base = text.len() as u32;
        let p = part.purchases;
        purchases.code.extend(p.code.into_iter().map(|c| {
            if c != VIA_SUPPLIER && c & TEXT_FLAG != 0 {
                TEXT_FLAG | ((c & !TEXT_FLAG) + base)
            } else {
                c
            }
        }));
        purchases.supplier.extend(p.supplier);
        purchases.customer.extend(p.customer);
        purchases.amount.extend(p.amount);
        purchases.year.extend(p.year);
        text.extend(part.text);
        for (a, b) in years.iter_mut().zip(&part.years) {
            *a |= b;
        }
    }
    let years = (0..=u16::MAX)
        .filter(|&y| years[y as usize / 64] & (1u64 << (y % 64)) != 0)
        .collect();
    Ok((purchases, text, years))
}
