//! Referral paths (以企引企): the shortest chain of relations from any local firm to a target,
//! over a compressed (CSR) relation graph, with each hop explained in Chinese.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::error::ChainError;
use crate::input::{OrgInput, RelationInput, RelationKind};

/// Undirected view of all relations in CSR form; each edge remembers its kind and whether it
/// is traversed in the stored direction (for supplier edges: from supplier to customer).
#[derive(Debug, Clone, Default)]
pub struct RelationGraph {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    /// bits 0–1: kind; bit 2: traversed forward.
    labels: Vec<u8>,
}

const FORWARD: u8 = 4;

fn kind_code(k: RelationKind) -> u8 {
    match k {
        RelationKind::Supplier => 0,
        RelationKind::SharedShareholder => 1,
        RelationKind::SameGroup => 2,
    }
}

fn kind_of(code: u8) -> RelationKind {
    match code & 3 {
        0 => RelationKind::Supplier,
        1 => RelationKind::SharedShareholder,
        _ => RelationKind::SameGroup,
    }
}

impl RelationGraph {
    /// A graph of `n` organisations and no relations.
    pub fn empty(n: usize) -> RelationGraph {
        RelationGraph {
            offsets: vec![0; n + 1],
            targets: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Build from relations between organisations `0..n`. Adjacency lists keep the input order
    /// of relations, so the same input always gives the same paths. Self-relations are ignored.
    pub fn build(n: usize, relations: &[RelationInput]) -> Result<RelationGraph, ChainError> {
        if n >= u32::MAX as usize || relations.len() >= (u32::MAX / 2) as usize {
            return Err(ChainError::InvalidInput("关系图规模超出上限".into()));
        }
        let mut degree = vec![0u32; n + 1];
        for (i, r) in relations.iter().enumerate() {
            if r.from as usize >= n || r.to as usize >= n {
                return Err(ChainError::InvalidInput(format!(
                    "第 {} 条企业关系的组织序号超出组织总数 {n}",
                    i + 1
                )));
            }
            if r.from != r.to {
                degree[r.from as usize + 1] += 1;
                degree[r.to as usize + 1] += 1;
            }
        }
        for i in 0..n {
            degree[i + 1] += degree[i];
        }
        let offsets = degree;
        let m = offsets[n] as usize;
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        let mut targets = vec![0u32; m];
        let mut labels = vec![0u8; m];
        for r in relations {
            if r.from == r.to {
                continue;
            }
            let k = kind_code(r.kind);
            let a = &mut fill[r.from as usize];
            targets[*a as usize] = r.to;
            labels[*a as usize] = k | FORWARD;
            *a += 1;
            let b = &mut fill[r.to as usize];
            targets[*b as usize] = r.from;
            labels[*b as usize] = k;
            *b += 1;
        }
        Ok(RelationGraph {
            offsets,
            targets,
            labels,
        })
    }

    pub fn node_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of directed adjacency entries (twice the relations kept).
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// Neighbours of `v` with edge labels.
    pub fn neighbours(&self, v: usize) -> impl Iterator<Item = (u32, u8)> + '_ {
        let (a, z) = match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&a), Some(&z)) => (a as usize, z as usize),
            _ => (0, 0),
        };
        self.targets[a..z]
            .iter()
            .copied()
            .zip(self.labels[a..z].iter().copied())
    }
}

/// One hop of a referral path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub from: u32,
    pub to: u32,
    pub kind: RelationKind,
    /// For supplier relations: `from` supplies `to` (else `from` buys from `to`).
    pub forward: bool,
}

/// A referral path from a local firm to a target, with one Chinese sentence per hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralPath {
    pub local_org: u32,
    pub target: u32,
    pub hops: Vec<Hop>,
    pub explanation: Vec<String>,
}

impl ReferralPath {
    fn from_hops(
        local_org: u32,
        target: u32,
        mut hops: Vec<Hop>,
        orgs: &[OrgInput],
    ) -> ReferralPath {
        // Direction only means something for supplier relations.
        for h in &mut hops {
            if h.kind != RelationKind::Supplier {
                h.forward = false;
            }
        }
        let name = |i: u32| {
            orgs.get(i as usize)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| format!("#{i}"))
        };
        let mut explanation: Vec<String> = hops
            .iter()
            .map(|h| {
                let (a, b) = (name(h.from), name(h.to));
                match (h.kind, h.forward) {
                    (RelationKind::Supplier, true) => {
                        format!("「{a}」向「{b}」供货（{a} 是 {b} 的供应商）")
                    }
                    (RelationKind::Supplier, false) => {
                        format!("「{a}」从「{b}」采购（{a} 是 {b} 的客户）")
                    }
                    (RelationKind::SharedShareholder, _) => format!("「{a}」与「{b}」有共同股东"),
                    (RelationKind::SameGroup, _) => format!("「{a}」与「{b}」同属一个集团"),
                }
            })
            .collect();
        if hops.is_empty() {
            explanation.push(format!("「{}」本身是本地企业", name(target)));
        }
        ReferralPath {
            local_org,
            target,
            hops,
            explanation,
        }
    }
}

/// Reusable buffers for [`shortest_referral_path`]: O(1) reset between queries.
#[derive(Debug, Clone, Default)]
pub struct ReferralScratch {
    stamp: Vec<u32>,
    parent: Vec<u32>,
    label: Vec<u8>,
    queue: Vec<u32>,
    current: u32,
}

impl ReferralScratch {
    fn prepare(&mut self, n: usize) {
        if self.stamp.len() != n {
            self.stamp = vec![0; n];
            self.parent = vec![0; n];
            self.label = vec![0; n];
            self.current = 0;
        }
        self.current = self.current.wrapping_add(1);
        if self.current == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.current = 1;
        }
        self.queue.clear();
    }
}

/// Breadth-first search from `target` until the first local organisation is reached; that one
/// is at minimum distance, so the reversed parent chain is a shortest local → target path.
/// Returns `None` when no local firm is connected (or `target` is out of range).
pub fn shortest_referral_path(
    graph: &RelationGraph,
    is_local: &[bool],
    orgs: &[OrgInput],
    target: u32,
    scratch: &mut ReferralScratch,
) -> Option<ReferralPath> {
    let n = graph.node_count();
    let t = target as usize;
    if t >= n || is_local.len() < n {
        return None;
    }
    if is_local[t] {
        return Some(ReferralPath::from_hops(target, target, Vec::new(), orgs));
    }
    scratch.prepare(n);
    let cur = scratch.current;
    scratch.stamp[t] = cur;
    scratch.queue.push(target);
    let mut head = 0;
    while head < scratch.queue.len() {
        let v = scratch.queue[head];
        head += 1;
        for (w, label) in graph.neighbours(v as usize) {
            let wi = w as usize;
            if scratch.stamp[wi] == cur {
                continue;
            }
            scratch.stamp[wi] = cur;
            scratch.parent[wi] = v;
            scratch.label[wi] = label;
            if is_local[wi] {
                // Walk back: w → … → target; the edge label is as seen from the parent side,
                // so a hop w → parent(w) is forward when the label was *not* forward.
                let mut hops = Vec::new();
                let mut x = w;
                while x != target {
                    let p = scratch.parent[x as usize];
                    let l = scratch.label[x as usize];
                    hops.push(Hop {
                        from: x,
                        to: p,
                        kind: kind_of(l),
                        forward: l & FORWARD == 0,
                    });
                    x = p;
                }
                return Some(ReferralPath::from_hops(w, target, hops, orgs));
            }
            scratch.queue.push(w);
        }
    }
    None
}

/// Precomputed multi-source BFS from every local firm: afterwards each query is O(path length).
/// Costs one O(V + E) pass; use it when many targets are queried against the same graph.
#[derive(Debug, Clone)]
pub struct ReferralIndex {
    /// Next org towards the nearest local firm (u32::MAX = unreachable, self for locals).
    toward: Vec<u32>,
    label: Vec<u8>,
    dist: Vec<u32>,
}

impl ReferralIndex {
    pub fn build(graph: &RelationGraph, is_local: &[bool]) -> ReferralIndex {
        let n = graph.node_count();
        let mut toward = vec![u32::MAX; n];
        let mut label = vec![0u8; n];
        let mut dist = vec![u32::MAX; n];
        let mut queue = VecDeque::new();
        for v in 0..n.min(is_local.len()) {
            if is_local[v] {
                toward[v] = v as u32;
                dist[v] = 0;
                queue.push_back(v as u32);
            }
        }
        while let Some(v) = queue.pop_front() {
            for (w, l) in graph.neighbours(v as usize) {
                let wi = w as usize;
                if dist[wi] == u32::MAX {
                    dist[wi] = dist[v as usize] + 1;
                    toward[wi] = v;
                    label[wi] = l;
                    queue.push_back(w);
                }
            }
        }
        ReferralIndex {
            toward,
            label,
            dist,
        }
    }

    /// Hops from the nearest local firm to `target`, if connected.
    pub fn distance(&self, target: u32) -> Option<u32> {
        self.dist
            .get(target as usize)
            .copied()
            .filter(|&d| d != u32::MAX)
    }

    pub fn path(&self, orgs: &[OrgInput], target: u32) -> Option<ReferralPath> {
        self.distance(target)?;
        // Walk target → … → local, then reverse into local → … → target.
        let mut rev = Vec::new();
        let mut x = target;
        while self.dist[x as usize] > 0 {
            let p = self.toward[x as usize];
            let l = self.label[x as usize];
            // Label seen from p's side: forward means p supplies x.
            rev.push(Hop {
                from: p,
                to: x,
                kind: kind_of(l),
                forward: l & FORWARD != 0,
            });
            x = p;
        }
        rev.reverse();
        Some(ReferralPath::from_hops(x, target, rev, orgs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn org(name: &str, local: bool) -> OrgInput {
        OrgInput {
            name: name.into(),
            local,
            ..Default::default()
        }
    }

    fn rel(from: u32, to: u32, kind: RelationKind) -> RelationInput {
        RelationInput { from, to, kind }
    }

    #[test]
    fn explains_each_hop() {
        let orgs = vec![
            org("包头甲", true),
            org("乙公司", false),
            org("丙公司", false),
        ];
        let g = RelationGraph::build(
            3,
            &[
                rel(0, 1, RelationKind::Supplier),
                rel(2, 1, RelationKind::SameGroup),
            ],
        )
        .unwrap();
        let local: Vec<bool> = orgs.iter().map(|o| o.local).collect();
        let p =
            shortest_referral_path(&g, &local, &orgs, 2, &mut ReferralScratch::default()).unwrap();
        assert_eq!(
            p.explanation,
            vec![
                "「包头甲」向「乙公司」供货（包头甲 是 乙公司 的供应商）".to_string(),
                "「乙公司」与「丙公司」同属一个集团".to_string()
            ]
        );
        let q = ReferralIndex::build(&g, &local).path(&orgs, 2).unwrap();
        assert_eq!(p, q);
        // customer direction
        let g = RelationGraph::build(2, &[rel(1, 0, RelationKind::Supplier)]).unwrap();
        let p = shortest_referral_path(
            &g,
            &[true, false],
            &orgs[..2],
            1,
            &mut ReferralScratch::default(),
        )
        .unwrap();
        assert_eq!(
            p.explanation,
            vec!["「包头甲」从「乙公司」采购（包头甲 是 乙公司 的客户）".to_string()]
        );
        assert_eq!(
            ReferralIndex::build(&g, &[true, false])
                .path(&orgs[..2], 1)
                .unwrap(),
            p
        );
    }

    #[test]
    fn unreachable_and_out_of_range_give_none() {
        let orgs = vec![org("甲", true), org("乙", false)];
        let g = RelationGraph::build(2, &[]).unwrap();
        let mut s = ReferralScratch::default();
        assert!(shortest_referral_path(&g, &[true, false], &orgs, 1, &mut s).is_none());
        assert!(shortest_referral_path(&g, &[true, false], &orgs, 9, &mut s).is_none());
        assert!(RelationGraph::build(2, &[rel(0, 5, RelationKind::Supplier)]).is_err());
    }

    /// Brute-force distances: Bellman-Ford style relaxation over the relation list.
    fn brute_dist(n: usize, rels: &[(u32, u32)], local: &[bool], t: usize) -> Option<usize> {
        let mut d = vec![usize::MAX; n];
        d[t] = 0;
        for _ in 0..n {
            for &(a, b) in rels {
                let (a, b) = (a as usize, b as usize);
                if a == b {
                    continue;
                }
                if d[a] != usize::MAX && d[a] + 1 < d[b] {
                    d[b] = d[a] + 1;
                }
                if d[b] != usize::MAX && d[b] + 1 < d[a] {
                    d[a] = d[b] + 1;
                }
            }
        }
        (0..n)
            .filter(|&v| local[v])
            .map(|v| d[v])
            .filter(|&x| x != usize::MAX)
            .min()
    }

    proptest! {
        #[test]
        fn paths_are_real_and_shortest(
            n in 2usize..14,
            raw in prop::collection::vec((0u32..14, 0u32..14, 0u8..3), 0..30),
            local_bits in prop::collection::vec(any::<bool>(), 14),
            t in 0u32..14,
        ) {
            let rels: Vec<RelationInput> = raw.iter()
                .filter(|(a, b, _)| (*a as usize) < n && (*b as usize) < n)
                .map(|&(a, b, k)| rel(a, b, kind_of(k)))
                .collect();
            let t = t % n as u32;
            let local = &local_bits[..n];
            let orgs: Vec<OrgInput> = (0..n).map(|i| org(&format!("o{i}"), local[i])).collect();
            let g = RelationGraph::build(n, &rels).unwrap();
            let pairs: Vec<(u32, u32)> = rels.iter().map(|r| (r.from, r.to)).collect();
            let expect = brute_dist(n, &pairs, local, t as usize);
            let got = shortest_referral_path(&g, local, &orgs, t, &mut ReferralScratch::default());
            let idx = ReferralIndex::build(&g, local).path(&orgs, t);
            prop_assert_eq!(got.as_ref().map(|p| p.hops.len()), expect);
            prop_assert_eq!(idx.as_ref().map(|p| p.hops.len()), expect);
            for p in got.iter().chain(idx.iter()) {
                prop_assert!(local[p.local_org as usize]);
                let mut at = p.local_org;
                for h in &p.hops {
                    prop_assert_eq!(h.from, at);
                    // the hop is a real relation with the stated kind and direction
                    let real = rels.iter().any(|r| r.kind == h.kind && match (h.kind, h.forward) {
                        (RelationKind::Supplier, true) => r.from == h.from && r.to == h.to,
                        (RelationKind::Supplier, false) => r.from == h.to && r.to == h.from,
                        _ => (r.from == h.from && r.to == h.to) || (r.from == h.to && r.to == h.from),
                    });
                    prop_assert!(real);
                    at = h.to;
                }
                prop_assert_eq!(at, t);
            }
        }
    }
}
