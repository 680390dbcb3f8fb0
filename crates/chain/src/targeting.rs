//! Investment targeting (精准招商): ranking external firms for a gap node, with reasons.

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::ChainError;
use crate::input::SizeClass;
use crate::mapping::IndustryLevel;
use crate::referral::{shortest_referral_path, ReferralPath, ReferralScratch};

/// Weights of the ranking; the score is their weighted sum of component scores in 0–1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetingConfig {
    pub top_k: usize,
    pub industry_weight: f64,
    pub keyword_weight: f64,
    pub size_weight: f64,
    pub relation_weight: f64,
    /// 包商回归: founded by people from Baotou.
    pub home_weight: f64,
}

impl Default for TargetingConfig {
    fn default() -> Self {
        TargetingConfig {
            top_k: 10,
            industry_weight: 0.35,
            keyword_weight: 0.25,
            size_weight: 0.15,
            relation_weight: 0.15,
            home_weight: 0.10,
        }
    }
}

/// A ranked candidate firm for a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvestmentTarget {
    /// Index into `orgs`.
    pub org: u32,
    pub credit_code: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub size: SizeClass,
    pub revenue: f64,
    pub baotou_founder: bool,
    /// Local firms it has a supply, shareholder or group relation with.
    pub related_local_firms: u32,
    pub score: f64,
    /// One Chinese reason per component that contributed.
    pub reasons: Vec<String>,
    /// Shortest explained relation path from a local firm (以企引企), if any.
    pub referral: Option<ReferralPath>,
}

fn size_score(s: SizeClass) -> f64 {
    match s {
        SizeClass::Large => 1.0,
        SizeClass::Medium => 0.7,
        SizeClass::Small => 0.4,
        SizeClass::Micro => 0.1,
    }
}

impl Engine {
    /// Rank the non-local organisations mapped to `node_key` (best first, at most `top_k`).
    pub fn investment_targets(
        &self,
        node_key: &str,
        cfg: &TargetingConfig,
    ) -> Result<Vec<InvestmentTarget>, ChainError> {
        let n = self.chains.require_node(node_key)?;
        let node = &self.chains.nodes()[n];
        let graph = self.relation_graph();
        let mut scored: Vec<(f64, u32)> = Vec::new();
        let mut buf: Vec<u32> = Vec::new();
        for &o in self.mapping.orgs_of_node(n) {
            if self.local[o as usize] {
                continue;
            }
            let Some(m) = self
                .mapping
                .of_org(o as usize)
                .iter()
                .find(|m| m.node as usize == n)
            else {
                continue;
            };
            let org = &self.input.orgs[o as usize];
            // Distinct related local firms (several relations to one firm count once).
            buf.clear();
            buf.extend(
                graph
                    .neighbours(o as usize)
                    .map(|(w, _)| w)
                    .filter(|&w| self.local[w as usize]),
            );
            buf.sort_unstable();
            buf.dedup();
            let related = buf.len();
            let score = self.score(m.industry, m.keyword_hits, org, related, cfg);
            scored.push((score, o));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(cfg.top_k);
        let mut scratch = ReferralScratch::default();
        Ok(scored
            .into_iter()
            .map(|(score, o)| {
                let org = &self.input.orgs[o as usize];
                let m = self
                    .mapping
                    .of_org(o as usize)
                    .iter()
                    .find(|m| m.node as usize == n)
                    .copied();
                let mut locals: Vec<u32> = graph
                    .neighbours(o as usize)
                    .map(|(w, _)| w)
                    .filter(|&w| self.local[w as usize])
                    .collect();
                locals.sort_unstable();
                locals.dedup();
                let size = SizeClass::classify(org.employees, org.revenue);
                let mut reasons = Vec::new();
                if let Some(m) = m {
                    if m.industry != IndustryLevel::None || m.keyword_hits > 0 {
                        reasons.push(m.reason_zh(node, org));
                    }
                }
                reasons.push(format!(
                    "{}企业（从业人员 {} 人，营业收入 {} 万元）",
                    size.label_zh(),
                    org.employees,
                    org.revenue
                ));
                if !locals.is_empty() {
                    let names: Vec<&str> = locals
                        .iter()
                        .take(3)
                        .map(|&w| self.input.orgs[w as usize].name.as_str())
                        .collect();
                    reasons.push(format!(
                        "与 {} 家本地企业有关联（{}{}），可以企引企",
                        locals.len(),
                        names.join("、"),
                        if locals.len() > 3 { " 等" } else { "" }
                    ));
                }
                if org.baotou_founder {
                    reasons.push("包商回归：创始人来自包头".to_string());
                }
                let referral =
                    shortest_referral_path(graph, &self.local, &self.input.orgs, o, &mut scratch);
                if let Some(p) = &referral {
                    if p.hops.len() > 1 {
                        reasons.push(format!(
                            "以企引企路径 {} 跳：{}",
                            p.hops.len(),
                            p.explanation.join("；")
                        ));
                    }
                }
                InvestmentTarget {
                    org: o,
                    credit_code: org.credit_code.clone(),
                    name: org.name.clone(),
                    region: org.region.clone(),
                    industry: org.industry.clone(),
                    size,
                    revenue: org.revenue,
                    baotou_founder: org.baotou_founder,
                    related_local_firms: locals.len() as u32,
                    score,
                    reasons,
                    referral,
                }
            })
            .collect())
    }

    fn score(
        &self,
        level: IndustryLevel,
        hits: u8,
        org: &crate::input::OrgInput,
        related: usize,
        cfg: &TargetingConfig,
    ) -> f64 {
        let industry = match level {
            IndustryLevel::Class => 1.0,
            IndustryLevel::SharedClass => 0.8,
            IndustryLevel::Group => 0.5,
            IndustryLevel::Major => 0.2,
            IndustryLevel::None => 0.0,
        };
        let keyword = match hits {
            0 => 0.0,
            1 => 0.7,
            _ => 1.0,
        };
        let size = size_score(SizeClass::classify(org.employees, org.revenue));
        let relation = (related.min(3) as f64) / 3.0;
        let home = if org.baotou_founder { 1.0 } else { 0.0 };
        cfg.industry_weight * industry
            + cfg.keyword_weight * keyword
            + cfg.size_weight * size
            + cfg.relation_weight * relation
            + cfg.home_weight * home
    }

    /// Shortest explained relation path from any local firm to organisation `target`
    /// (以企引企). Pass the same scratch to consecutive queries to avoid re-allocation.
    pub fn referral_path(
        &self,
        target: u32,
        scratch: &mut ReferralScratch,
    ) -> Option<ReferralPath> {
        shortest_referral_path(
            self.relation_graph(),
            &self.local,
            &self.input.orgs,
            target,
            scratch,
        )
    }

    /// Local flag per organisation.
    pub fn local_flags(&self) -> &[bool] {
        &self.local
    }
}
