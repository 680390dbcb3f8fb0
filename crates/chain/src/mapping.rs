//! Mapping organisations to chain nodes (企业挂链) from industry codes and product keywords,
//! with a confidence, a reason, and manual overrides that automatic runs respect.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::ChainError;
use crate::input::{Decision, MappingOverride, OrgInput};
use crate::keywords::KeywordMatcher;
use crate::model::{ChainNode, ChainSet};

/// Confidences of each kind of evidence; combined as `1 - (1 - industry) * (1 - keyword)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MappingConfig {
    /// Industry class equals one of the node's classes, and no other node of the chain has it.
    pub class_confidence: f64,
    /// Industry class equals the node's, but several nodes of the same chain share that class.
    pub shared_class_confidence: f64,
    /// Same 3-digit group (中类).
    pub group_confidence: f64,
    /// Same 2-digit major (大类).
    pub major_confidence: f64,
    /// One of the node's keywords occurs in the products text.
    pub keyword_confidence: f64,
    /// Two or more of the node's keywords occur.
    pub multi_keyword_confidence: f64,
    /// Minimum combined confidence for membership.
    pub min_confidence: f64,
    /// Worker threads for mapping and metrics (1 = sequential).
    pub threads: usize,
}

impl Default for MappingConfig {
    fn default() -> Self {
        MappingConfig {
            class_confidence: 0.9,
            shared_class_confidence: 0.45,
            group_confidence: 0.4,
            major_confidence: 0.2,
            keyword_confidence: 0.6,
            multi_keyword_confidence: 0.8,
            min_confidence: 0.5,
            threads: 2,
        }
    }
}

impl MappingConfig {
    pub fn validate(&self) -> Result<(), ChainError> {
        let all = [
            ("class_confidence", self.class_confidence),
            ("shared_class_confidence", self.shared_class_confidence),
            ("group_confidence", self.group_confidence),
            ("major_confidence", self.major_confidence),
            ("keyword_confidence", self.keyword_confidence),
            ("multi_keyword_confidence", self.multi_keyword_confidence),
            ("min_confidence", self.min_confidence),
        ];
        for (name, v) in all {
            if !(0.0..=1.0).contains(&v) {
                return Err(ChainError::InvalidConfig(format!(
                    "挂链参数 {name} = {v} 应在 0 到 1 之间"
                )));
            }
        }
        if self.threads == 0 {
            return Err(ChainError::InvalidConfig(
                "挂链参数 threads 至少为 1".into(),
            ));
        }
        Ok(())
    }
}

/// How closely an organisation's industry code matches a node's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    None,
    Major,
    Group,
    SharedClass,
    Class,
}

/// One organisation ↔ node membership with its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeMatch {
    pub node: u16,
    pub confidence: f32,
    pub industry: IndustryLevel,
    /// Distinct node keywords found in the products text (capped at 255).
    pub keyword_hits: u8,
    pub manual: Option<Decision>,
}

impl NodeMatch {
    /// Chinese explanation, e.g. 「行业代码 3985 与节点行业小类一致；产品含关键词：钕铁硼 → 置信度 0.98」.
    pub fn reason_zh(&self, node: &ChainNode, org: &OrgInput) -> String {
        if self.manual == Some(Decision::Confirmed) {
            return format!("人工确认属于「{}」（置信度 1.00）", node.name);
        }
        let mut parts = Vec::new();
        let code = industry_digits(&org.industry)
            .map(|(v, len)| format!("{:0width$}", v, width = len))
            .unwrap_or_default();
        match self.industry {
            IndustryLevel::Class => parts.push(format!("行业代码 {code} 与节点行业小类一致")),
            IndustryLevel::SharedClass => parts.push(format!(
                "行业代码 {code} 与节点行业小类一致，但本链多个节点共用该小类"
            )),
            IndustryLevel::Group => parts.push(format!("行业代码 {code} 与节点同属一个中类")),
            IndustryLevel::Major => parts.push(format!("行业代码 {code} 与节点同属一个大类")),
            IndustryLevel::None => {}
        }
        let kws: Vec<&str> = node
            .keywords
            .iter()
            .filter(|k| org.products.contains(k.as_str()))
            .map(|k| k.as_str())
            .collect();
        if !kws.is_empty() {
            parts.push(format!("主营产品含关键词：{}", kws.join("、")));
        }
        format!("{} → 置信度 {:.2}", parts.join("；"), self.confidence)
    }
}

/// Parse the digits of an industry code such as `C3985`, `3985`, `398`, `39`.
/// Returns (value, number of digits), or `None` if it is not 2–4 digits.
pub(crate) fn industry_digits(code: &str) -> Option<(u16, usize)> {
    let s = code.trim();
    let s = s
        .strip_prefix(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(s);
    let len = s.len();
    if !(2..=4).contains(&len) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().map(|v| (v, len))
}

/// Compiled lookup tables: industry code → nodes, keyword automaton → nodes.
#[derive(Debug, Clone)]
pub(crate) struct Mapper {
    /// class code (0..10000) → (node, shared-with-other-nodes-of-chain)
    class: Vec<Vec<(u16, bool)>>,
    group: Vec<Vec<u16>>,
    major: Vec<Vec<u16>>,
    keywords: KeywordMatcher,
    /// keyword id → nodes having it
    keyword_nodes: Vec<Vec<u16>>,
    n_nodes: usize,
    /// Group / major evidence alone can reach `min_confidence`.
    group_alone: bool,
    major_alone: bool,
    cfg: MappingConfig,
}

/// Reusable per-thread buffers.
pub(crate) struct Scratch {
    level: Vec<IndustryLevel>,
    hits: Vec<u8>,
    touched: Vec<u16>,
    kw_stamp: Vec<u32>,
    stamp: u32,
}

impl Mapper {
    pub(crate) fn new(chains: &ChainSet, cfg: &MappingConfig) -> Mapper {
        let n_nodes = chains.nodes().len();
        let mut class: Vec<Vec<(u16, bool)>> = vec![Vec::new(); 10_000];
        let mut group: Vec<Vec<u16>> = vec![Vec::new(); 1_000];
        let mut major: Vec<Vec<u16>> = vec![Vec::new(); 100];
        for (i, node) in chains.nodes().iter().enumerate() {
            for code in &node.industries {
                let Ok(v) = code.parse::<u16>() else { continue };
                let v = v as usize;
                let shared = chains.nodes().iter().enumerate().any(|(j, other)| {
                    j != i && other.chain == node.chain && other.industries.contains(code)
                });
                push_unique(&mut class[v], (i as u16, shared));
                push_unique(&mut group[v / 10], i as u16);
                push_unique(&mut major[v / 100], i as u16);
            }
        }
        let mut words: Vec<&str> = Vec::new();
        let mut keyword_nodes: Vec<Vec<u16>> = Vec::new();
        let mut word_id: HashMap<&str, usize> = HashMap::new();
        for (i, node) in chains.nodes().iter().enumerate() {
            for kw in &node.keywords {
                let id = *word_id.entry(kw.as_str()).or_insert_with(|| {
                    words.push(kw.as_str());
                    keyword_nodes.push(Vec::new());
                    words.len() - 1
                });
                push_unique(&mut keyword_nodes[id], i as u16);
            }
        }
        Mapper {
            class,
            group,
            major,
            keywords: KeywordMatcher::new(&words),
            keyword_nodes,
            n_nodes,
            group_alone: cfg.group_confidence > 0.0 && cfg.group_confidence >= cfg.min_confidence,
            major_alone: cfg.major_confidence > 0.0 && cfg.major_confidence >= cfg.min_confidence,
            cfg: cfg.clone(),
        }
    }

    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            level: vec![IndustryLevel::None; self.n_nodes],
            hits: vec![0; self.n_nodes],
            touched: Vec::new(),
            kw_stamp: vec![0; self.keyword_nodes.len()],
            stamp: 0,
        }
    }

    fn touch(s: &mut Scratch, node: u16) {
        let n = node as usize;
        if s.level[n] == IndustryLevel::None && s.hits[n] == 0 {
            s.touched.push(node);
        }
    }

    fn raise(s: &mut Scratch, node: u16, level: IndustryLevel) {
        Self::touch(s, node);
        let l = &mut s.level[node as usize];
        if level > *l {
            *l = level;
        }
    }

    /// Count distinct keyword hits per node in `text` into the scratch.
    fn scan_keywords(&self, s: &mut Scratch, text: &str) {
        s.stamp = s.stamp.wrapping_add(1);
        if s.stamp == 0 {
            s.kw_stamp.iter_mut().for_each(|x| *x = 0);
            s.stamp = 1;
        }
        let stamp = s.stamp;
        let Scratch {
            level,
            hits,
            touched,
            kw_stamp,
            ..
        } = s;
        self.keywords.for_each_match(text.as_bytes(), |id| {
            let id = id as usize;
            if kw_stamp[id] == stamp {
                return;
            }
            kw_stamp[id] = stamp;
            for &node in &self.keyword_nodes[id] {
                let n = node as usize;
                if level[n] == IndustryLevel::None && hits[n] == 0 {
                    touched.push(node);
                }
                hits[n] = hits[n].saturating_add(1);
            }
        });
    }

    fn confidence(&self, level: IndustryLevel, hits: u8) -> f64 {
        let c = &self.cfg;
        let ind = match level {
            IndustryLevel::Class => c.class_confidence,
            IndustryLevel::SharedClass => c.shared_class_confidence,
            IndustryLevel::Group => c.group_confidence,
            IndustryLevel::Major => c.major_confidence,
            IndustryLevel::None => 0.0,
        };
        let kw = match hits {
            0 => 0.0,
            1 => c.keyword_confidence,
            _ => c.multi_keyword_confidence,
        };
        1.0 - (1.0 - ind) * (1.0 - kw)
    }

    /// Append the automatic matches of one organisation (sorted by node) to `out`.
    pub(crate) fn map_org(
        &self,
        org: &OrgInput,
        overrides: &[(u16, Decision)],
        s: &mut Scratch,
        out: &mut Vec<NodeMatch>,
    ) {
        // Keywords first: group- and major-level industry evidence only matters for nodes
        // with keyword hits unless it can reach `min_confidence` on its own.
        if !org.products.is_empty() {
            self.scan_keywords(s, &org.products);
        }
        if let Some((v, len)) = industry_digits(&org.industry) {
            let v = v as usize;
            let (group, major) = match len {
                4 => {
                    for &(n, shared) in &self.class[v] {
                        let level = if shared {
                            IndustryLevel::SharedClass
                        } else {
                            IndustryLevel::Class
                        };
                        Self::raise(s, n, level);
                    }
                    (Some(v / 10), v / 100)
                }
                3 => (Some(v), v / 10),
                _ => (None, v),
            };
            if let Some(g) = group {
                for &n in &self.group[g] {
                    if self.group_alone || s.hits[n as usize] > 0 {
                        Self::raise(s, n, IndustryLevel::Group);
                    }
                }
            }
            for &n in &self.major[major] {
                if self.major_alone || s.hits[n as usize] > 0 {
                    Self::raise(s, n, IndustryLevel::Major);
                }
            }
        }
        for &(n, _) in overrides {
            // Visited below even without automatic evidence.
            Self::touch(s, n);
        }
        s.touched.sort_unstable();
        s.touched.dedup();
        for &n in &s.touched {
            let i = n as usize;
            let manual = overrides.iter().find(|&&(m, _)| m == n).map(|&(_, d)| d);
            let level = s.level[i];
            let hits = s.hits[i];
            match manual {
                Some(Decision::Rejected) => {}
                Some(Decision::Confirmed) => out.push(NodeMatch {
                    node: n,
                    confidence: 1.0,
                    industry: level,
                    keyword_hits: hits,
                    manual,
                }),
                None => {
                    let conf = self.confidence(level, hits);
                    if conf >= self.cfg.min_confidence && conf > 0.0 {
                        out.push(NodeMatch {
                            node: n,
                            confidence: conf as f32,
                            industry: level,
                            keyword_hits: hits,
                            manual: None,
                        });
                    }
                }
            }
            s.level[i] = IndustryLevel::None;
            s.hits[i] = 0;
        }
        s.touched.clear();
    }

    /// Nodes of a product text: per chain, the node with most distinct keyword hits.
    pub(crate) fn product_nodes(
        &self,
        chains: &ChainSet,
        text: &str,
        s: &mut Scratch,
        out: &mut Vec<u16>,
    ) {
        self.scan_keywords(s, text);
        s.touched.sort_unstable();
        s.touched.dedup();
        let mut best: Option<(usize, u16, u8)> = None; // (chain, node, hits)
        for &n in &s.touched {
            let i = n as usize;
            let hits = s.hits[i];
            s.hits[i] = 0;
            s.level[i] = IndustryLevel::None;
            if hits == 0 {
                continue;
            }
            let chain = chain_of(chains, i);
            match best {
                Some((c, _, h)) if c == chain => {
                    if hits > h {
                        best = Some((c, n, hits));
                    }
                }
                Some((_, b, _)) => {
                    out.push(b);
                    best = Some((chain, n, hits));
                }
                None => best = Some((chain, n, hits)),
            }
        }
        if let Some((_, b, _)) = best {
            out.push(b);
        }
        s.touched.clear();
    }
}

pub(crate) fn chain_of(chains: &ChainSet, node: usize) -> usize {
    (0..chains.chains().len())
        .find(|&c| chains.chain_nodes(c).contains(&node))
        .unwrap_or(0)
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The result of mapping every organisation: org → matches and node → organisations.
#[derive(Debug, Clone, Default)]
pub struct OrgMapping {
    org_start: Vec<u32>,
    matches: Vec<NodeMatch>,
    /// Per org, best node per chain (by confidence, ties to the lower node index).
    primary_start: Vec<u32>,
    primary: Vec<u16>,
    node_start: Vec<u32>,
    node_orgs: Vec<u32>,
}

impl OrgMapping {
    /// Matches of organisation `org`, sorted by node.
    pub fn of_org(&self, org: usize) -> &[NodeMatch] {
        match (self.org_start.get(org), self.org_start.get(org + 1)) {
            (Some(&a), Some(&z)) => &self.matches[a as usize..z as usize],
            _ => &[],
        }
    }

    /// Best node per chain of organisation `org`.
    pub fn primary_nodes(&self, org: usize) -> &[u16] {
        match (self.primary_start.get(org), self.primary_start.get(org + 1)) {
            (Some(&a), Some(&z)) => &self.primary[a as usize..z as usize],
            _ => &[],
        }
    }

    /// Organisations mapped to `node`, ascending.
    pub fn orgs_of_node(&self, node: usize) -> &[u32] {
        match (self.node_start.get(node), self.node_start.get(node + 1)) {
            (Some(&a), Some(&z)) => &self.node_orgs[a as usize..z as usize],
            _ => &[],
        }
    }

    /// Number of (organisation, node) memberships.
    pub fn len(&self) -> usize {
        self.matches.len()
    }

    pub fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }
}

/// Map all organisations, respecting overrides; runs on `cfg.threads` threads.
pub(crate) fn map_orgs(
    chains: &ChainSet,
    mapper: &Mapper,
    orgs: &[OrgInput],
    overrides: &[MappingOverride],
    cfg: &MappingConfig,
) -> Result<OrgMapping, ChainError> {
    let mut by_org: HashMap<u32, Vec<(u16, Decision)>> = HashMap::new();
    for (i, o) in overrides.iter().enumerate() {
        if o.org as usize >= orgs.len() {
            return Err(ChainError::InvalidInput(format!(
                "第 {} 条人工挂链记录的组织序号 {} 超出组织总数 {}",
                i + 1,
                o.org,
                orgs.len()
            )));
        }
        let node = chains.require_node(&o.node)? as u16;
        let list = by_org.entry(o.org).or_default();
        // A later record for the same (org, node) replaces an earlier one.
        list.retain(|&(n, _)| n != node);
        list.push((node, o.decision));
    }
    let threads = cfg.threads.max(1).min(orgs.len().max(1));
    let chunk = orgs.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<u32>, Vec<NodeMatch>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = orgs
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                let by_org = &by_org;
                scope.spawn(move || {
                    let mut s = mapper.scratch();
                    let mut counts = Vec::with_capacity(part.len());
                    let mut out = Vec::with_capacity(part.len() * 2);
                    for (j, org) in part.iter().enumerate() {
                        let before = out.len();
                        let id = (ci * chunk + j) as u32;
                        let ov = if by_org.is_empty() {
                            &[][..]
                        } else {
                            by_org.get(&id).map(|v| v.as_slice()).unwrap_or(&[])
                        };
                        mapper.map_org(org, ov, &mut s, &mut out);
                        counts.push((out.len() - before) as u32);
                    }
                    (counts, out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let total: usize = parts.iter().map(|p| p.1.len()).sum();
    let mut org_start = Vec::with_capacity(orgs.len() + 1);
    let mut matches = Vec::with_capacity(total);
    org_start.push(0u32);
    for (counts, out) in parts {
        let mut acc = *org_start.last().unwrap_or(&0);
        for c in counts {
            acc += c;
            org_start.push(acc);
        }
        matches.extend(out);
    }
    // Orgs without a chunk (empty input) still need offsets.
    while org_start.len() < orgs.len() + 1 {
        org_start.push(matches.len() as u32);
    }
    let n_nodes = chains.nodes().len();
    // Per-chain primary nodes.
    let chain_of_node: Vec<u16> = (0..n_nodes).map(|n| chain_of(chains, n) as u16).collect();
    let mut primary_start = Vec::with_capacity(orgs.len() + 1);
    let mut primary = Vec::new();
    primary_start.push(0u32);
    for o in 0..orgs.len() {
        let ms = &matches[org_start[o] as usize..org_start[o + 1] as usize];
        let mut best: Option<(u16, f32, u16)> = None; // chain, conf, node
        for m in ms {
            let c = chain_of_node[m.node as usize];
            match best {
                Some((bc, bconf, _)) if bc == c => {
                    if m.confidence > bconf {
                        best = Some((c, m.confidence, m.node));
                    }
                }
                Some((_, _, bn)) => {
                    primary.push(bn);
                    best = Some((c, m.confidence, m.node));
                }
                None => best = Some((c, m.confidence, m.node)),
            }
        }
        if let Some((_, _, bn)) = best {
            primary.push(bn);
        }
        primary_start.push(primary.len() as u32);
    }
    // node → orgs (counting sort keeps orgs ascending).
    let mut node_start = vec![0u32; n_nodes + 1];
    for m in &matches {
        node_start[m.node as usize + 1] += 1;
    }
    for i in 0..n_nodes {
        node_start[i + 1] += node_start[i];
    }
    let mut fill = node_start.clone();
    let mut node_orgs = vec![0u32; matches.len()];
    for o in 0..orgs.len() {
        for m in &matches[org_start[o] as usize..org_start[o + 1] as usize] {
            let slot = &mut fill[m.node as usize];
            node_orgs[*slot as usize] = o as u32;
            *slot += 1;
        }
    }
    Ok(OrgMapping {
        org_start,
        matches,
        primary_start,
        primary,
        node_start,
        node_orgs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chains() -> ChainSet {
        ChainSet::from_json_texts(&[r#"{"id":"t","name":"测试链","nodes":[
            {"id":"a","name":"甲","position":"upstream","industries":["3232"],"keywords":["稀土氧化物","萃取"]},
            {"id":"b","name":"乙","position":"midstream","industries":["3985"],"keywords":["钕铁硼"]},
            {"id":"c","name":"丙","position":"midstream","industries":["3985"],"keywords":["抛光粉"]}
        ]}"#])
        .unwrap()
    }

    /// (node id, confidence) of one organisation under `cfg`.
    fn check(industry: &str, products: &str, cfg: &MappingConfig) -> Vec<(String, f32)> {
        let set = chains();
        let org = OrgInput {
            industry: industry.into(),
            products: products.into(),
            ..Default::default()
        };
        let m = map_orgs(&set, &Mapper::new(&set, cfg), &[org], &[], cfg).unwrap();
        m.of_org(0)
            .iter()
            .map(|x| (set.nodes()[x.node as usize].id.clone(), x.confidence))
            .collect()
    }

    fn ids(v: &[(String, f32)]) -> Vec<&str> {
        v.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn evidence_levels_and_threshold() {
        let cfg = MappingConfig::default();
        // exact, unshared class alone: 0.9
        assert_eq!(check("C3232", "", &cfg), vec![("a".to_string(), 0.9)]);
        // shared class alone 0.45 < 0.5: nowhere; with a keyword the keyword decides
        assert!(check("C3985", "", &cfg).is_empty());
        assert_eq!(ids(&check("C3985", "烧结钕铁硼", &cfg)), vec!["b"]);
        // group (323x) or major (32xx) alone do not map; with a keyword they raise confidence
        assert!(check("C3231", "", &cfg).is_empty());
        assert!(check("C3211", "", &cfg).is_empty());
        let g = check("C3231", "稀土氧化物", &cfg);
        assert!((g[0].1 - 0.76).abs() < 1e-6, "{g:?}");
        let m = check("C32", "稀土氧化物", &cfg);
        assert!((m[0].1 - 0.68).abs() < 1e-6, "{m:?}");
        // two keywords: 0.8
        assert!((check("", "稀土氧化物 萃取", &cfg)[0].1 - 0.8).abs() < 1e-6);
        // garbage codes are ignored, not errors
        assert!(check("C39851", "", &cfg).is_empty());
        assert!(check("农业", "", &cfg).is_empty());
    }

    #[test]
    fn min_confidence_boundary() {
        // keyword alone = 0.6: below / at / above the threshold
        for (min, expect) in [(0.59, true), (0.6, true), (0.61, false)] {
            let cfg = MappingConfig {
                min_confidence: min,
                ..Default::default()
            };
            assert_eq!(!check("", "抛光粉", &cfg).is_empty(), expect, "min {min}");
        }
        // group evidence alone maps once the threshold allows it
        let cfg = MappingConfig {
            min_confidence: 0.4,
            ..Default::default()
        };
        assert_eq!(ids(&check("C3231", "", &cfg)), vec!["a"]);
    }

    #[test]
    fn config_is_validated() {
        let bad = MappingConfig {
            keyword_confidence: 1.5,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = MappingConfig {
            threads: 0,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
