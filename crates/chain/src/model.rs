//! Chain models: the node graph of one industrial chain, parsed from a data file and validated.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::ChainError;

/// Where a node sits in its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Upstream,
    Midstream,
    Downstream,
}

impl Position {
    /// 上游 / 中游 / 下游.
    pub fn label_zh(self) -> &'static str {
        match self {
            Position::Upstream => "上游",
            Position::Midstream => "中游",
            Position::Downstream => "下游",
        }
    }
}

/// One node (链节点) as written in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Identifier unique within the chain: lowercase ASCII letters, digits and `_`.
    pub id: String,
    /// Chinese display name.
    pub name: String,
    pub position: Position,
    /// GB/T 4754-2017 class codes (4 digits, without the section letter).
    #[serde(default)]
    pub industries: Vec<String>,
    /// Product keywords matched against organisations' product text.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Ids of the nodes this node supplies (edges point downstream).
    #[serde(default)]
    pub supplies: Vec<String>,
}

/// One industrial chain (产业链) as written in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainModel {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub nodes: Vec<NodeSpec>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl ChainModel {
    /// Parse a model from the JSON text of a `data/chains/*.json` file and validate it.
    pub fn from_json(text: &str) -> Result<ChainModel, ChainError> {
        let model: ChainModel =
            serde_json::from_str(text).map_err(|e| ChainError::ModelSyntax(e.to_string()))?;
        model.validate()?;
        Ok(model)
    }

    /// Check ids, industry codes, edge targets and acyclicity.
    pub fn validate(&self) -> Result<(), ChainError> {
        let bad = |message: String| ChainError::InvalidModel {
            chain: self.id.clone(),
            message,
        };
        if !valid_id(&self.id) {
            return Err(bad(format!(
                "链编号「{}」只能由小写字母、数字和下划线组成",
                self.id
            )));
        }
        if self.name.trim().is_empty() {
            return Err(bad("链名称不能为空".into()));
        }
        if self.nodes.is_empty() {
            return Err(bad("至少需要一个节点".into()));
        }
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if !valid_id(&node.id) {
                return Err(bad(format!(
                    "第 {} 个节点的编号「{}」只能由小写字母、数字和下划线组成",
                    i + 1,
                    node.id
                )));
            }
            if index.insert(node.id.as_str(), i).is_some() {
                return Err(bad(format!("节点编号「{}」重复，请改为唯一编号", node.id)));
            }
            if node.name.trim().is_empty() {
                return Err(bad(format!("节点「{}」缺少中文名称", node.id)));
            }
            for code in &node.industries {
                if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(format!(
                        "节点「{}」的行业代码「{}」应为 GB/T 4754-2017 四位小类代码，例如 3232",
                        node.id, code
                    )));
                }
            }
            if node.keywords.iter().any(|k| k.trim().is_empty()) {
                return Err(bad(format!("节点「{}」有空的产品关键词", node.id)));
            }
            for (k, kw) in node.keywords.iter().enumerate() {
                if node.keywords[..k].contains(kw) {
                    return Err(bad(format!(
                        "节点「{}」的产品关键词「{}」重复",
                        node.id, kw
                    )));
                }
            }
        }
        for node in &self.nodes {
            for target in &node.supplies {
                if !index.contains_key(target.as_str()) {
                    return Err(bad(format!(
                        "节点「{}」的下游「{}」不存在，请检查 supplies 中的拼写",
                        node.id, target
                    )));
                }
                if target == &node.id {
                    return Err(bad(format!("节点「{}」不能供给自身", node.id)));
                }
            }
        }
        if let Some(cycle) = self.find_cycle(&index) {
            return Err(bad(format!(
                "供给关系存在环路：{}，产业链必须自上而下无环",
                cycle.join(" → ")
            )));
        }
        Ok(())
    }

    /// Depth-first search for a cycle; returns the node ids along it (first id repeated at the end).
    fn find_cycle(&self, index: &HashMap<&str, usize>) -> Option<Vec<String>> {
        // 0 = unvisited, 1 = on stack, 2 = done
        let n = self.nodes.len();
        let mut state = vec![0u8; n];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            stack.push((start, 0));
            state[start] = 1;
            while let Some(&mut (v, ref mut next)) = stack.last_mut() {
                let edges = &self.nodes[v].supplies;
                if *next < edges.len() {
                    let w = index.get(edges[*next].as_str()).copied();
                    *next += 1;
                    let Some(w) = w else { continue };
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|&(u, _)| u == w).unwrap_or(0);
                            let mut cycle: Vec<String> = stack[pos..]
                                .iter()
                                .map(|&(u, _)| self.nodes[u].id.clone())
                                .collect();
                            cycle.push(self.nodes[w].id.clone());
                            return Some(cycle);
                        }
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    stack.pop();
                }
            }
        }
        None
    }
}

/// Index of a node across all loaded chains.
pub type NodeIdx = usize;

/// A node of a loaded chain, with edges resolved to global indices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainNode {
    /// `chain_id/node_id`, the key other records use to point at a node.
    pub key: String,
    pub chain: String,
    pub id: String,
    pub name: String,
    pub position: Position,
    pub industries: Vec<String>,
    pub keywords: Vec<String>,
    /// Global indices of the nodes this node supplies.
    pub supplies: Vec<NodeIdx>,
}

/// All loaded chains with nodes numbered globally; the input to every engine function.
#[derive(Debug, Clone)]
pub struct ChainSet {
    chains: Vec<ChainModel>,
    nodes: Vec<ChainNode>,
    chain_ranges: Vec<std::ops::Range<usize>>,
    by_key: HashMap<String, NodeIdx>,
}

/// Node indices are stored as `u16` in hot arrays.
pub(crate) const MAX_NODES: usize = u16::MAX as usize - 1;

impl ChainSet {
    /// Load several chains; each is validated and chain ids must be unique.
    pub fn new(chains: Vec<ChainModel>) -> Result<ChainSet, ChainError> {
        let mut nodes = Vec::new();
        let mut chain_ranges = Vec::new();
        let mut by_key = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for chain in &chains {
            chain.validate()?;
            if !seen.insert(chain.id.clone()) {
                return Err(ChainError::InvalidModel {
                    chain: chain.id.clone(),
                    message: "同一链编号加载了两次，请检查 data/chains 下是否有重复文件".into(),
                });
            }
            let base = nodes.len();
            let local: HashMap<&str, usize> = chain
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), base + i))
                .collect();
            for spec in &chain.nodes {
                let key = format!("{}/{}", chain.id, spec.id);
                by_key.insert(key.clone(), nodes.len());
                nodes.push(ChainNode {
                    key,
                    chain: chain.id.clone(),
                    id: spec.id.clone(),
                    name: spec.name.clone(),
                    position: spec.position,
                    industries: spec.industries.clone(),
                    keywords: spec.keywords.clone(),
                    supplies: spec
                        .supplies
                        .iter()
                        .filter_map(|t| local.get(t.as_str()).copied())
                        .collect(),
                });
            }
            chain_ranges.push(base..nodes.len());
        }
        if nodes.len() > MAX_NODES {
            return Err(ChainError::InvalidConfig(format!(
                "节点总数 {} 超过上限 {}",
                nodes.len(),
                MAX_NODES
            )));
        }
        Ok(ChainSet {
            chains,
            nodes,
            chain_ranges,
            by_key,
        })
    }

    /// Parse and load several model files given as JSON text.
    pub fn from_json_texts<S: AsRef<str>>(texts: &[S]) -> Result<ChainSet, ChainError> {
        let models = texts
            .iter()
            .map(|t| ChainModel::from_json(t.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        ChainSet::new(models)
    }

    pub fn chains(&self) -> &[ChainModel] {
        &self.chains
    }

    pub fn nodes(&self) -> &[ChainNode] {
        &self.nodes
    }

    pub fn node(&self, idx: NodeIdx) -> Option<&ChainNode> {
        self.nodes.get(idx)
    }

    /// Global indices of the nodes of chain number `chain`.
    pub fn chain_nodes(&self, chain: usize) -> std::ops::Range<usize> {
        self.chain_ranges.get(chain).cloned().unwrap_or(0..0)
    }

    /// Position of a chain id in [`ChainSet::chains`].
    pub fn chain_index(&self, chain_id: &str) -> Option<usize> {
        self.chains.iter().position(|c| c.id == chain_id)
    }

    /// Resolve `chain_id/node_id`.
    pub fn node_index(&self, key: &str) -> Option<NodeIdx> {
        self.by_key.get(key).copied()
    }

    /// Resolve a key or fail with [`ChainError::UnknownNode`].
    pub fn require_node(&self, key: &str) -> Result<NodeIdx, ChainError> {
        self.node_index(key)
            .ok_or_else(|| ChainError::UnknownNode(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(nodes: &str) -> String {
        format!(r#"{{"id":"t","name":"测试链","nodes":[{nodes}]}}"#)
    }

    fn err(text: &str) -> String {
        ChainModel::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn shipped_models_parse() {
        let set = ChainSet::from_json_texts(&crate::shipped_models()).unwrap();
        assert_eq!(set.chains().len(), 4);
        for (i, c) in set.chains().iter().enumerate() {
            let n = set.chain_nodes(i).len();
            assert!((10..=20).contains(&n), "{} has {n} nodes", c.id);
        }
        assert!(set.node_index("rare_earth/magnet").is_some());
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let e = err(&model(
            r#"{"id":"a","name":"甲","position":"upstream"},{"id":"a","name":"乙","position":"midstream"}"#,
        ));
        assert!(e.contains("节点编号「a」重复"), "{e}");
    }

    #[test]
    fn unknown_edge_target_is_rejected() {
        let e = err(&model(
            r#"{"id":"a","name":"甲","position":"upstream","supplies":["zz"]}"#,
        ));
        assert!(e.contains("下游「zz」不存在"), "{e}");
    }

    #[test]
    fn cycles_are_rejected_with_the_path() {
        let e = err(&model(
            r#"{"id":"a","name":"甲","position":"upstream","supplies":["b"]},
               {"id":"b","name":"乙","position":"midstream","supplies":["c"]},
               {"id":"c","name":"丙","position":"downstream","supplies":["a"]}"#,
        ));
        assert!(e.contains("a → b → c → a"), "{e}");
    }

    #[test]
    fn bad_industry_code_and_syntax_are_rejected() {
        let e = err(&model(
            r#"{"id":"a","name":"甲","position":"upstream","industries":["C3232"]}"#,
        ));
        assert!(e.contains("四位小类代码"), "{e}");
        assert!(matches!(
            ChainModel::from_json("{"),
            Err(ChainError::ModelSyntax(_))
        ));
        assert!(
            err(&model(r#"{"id":"a","name":"甲","position":"sideways"}"#)).contains("格式错误")
        );
    }

    #[test]
    fn duplicate_chains_are_rejected() {
        let m = ChainModel::from_json(&model(r#"{"id":"a","name":"甲","position":"upstream"}"#))
            .unwrap();
        assert!(ChainSet::new(vec![m.clone(), m]).is_err());
    }

    /// Every industry code in the shipped models is a real GB/T 4754-2017 class, when the
    /// reference list is present next to the repository (it is in the development tree).
    #[test]
    fn shipped_industry_codes_exist_in_reference_list() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/reference/industries_gbt4754_2017.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return;
        };
        let classes: std::collections::HashSet<&str> = text
            .lines()
            .filter(|l| l.starts_with("4,"))
            .filter_map(|l| l.split(',').nth(2))
            .collect();
        let set = ChainSet::from_json_texts(&crate::shipped_models()).unwrap();
        for node in set.nodes() {
            for code in &node.industries {
                assert!(classes.contains(code.as_str()), "{} {code}", node.key);
            }
        }
    }
}
