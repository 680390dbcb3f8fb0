//! Facet counts for list pages. The store answers one filtered page; the counts beside each facet
//! value (district, industry, kind, tier, flag, chain) come from a light in-memory index of the kind,
//! rebuilt whenever the registry version (latest audit sequence) moves (see cache.rs). Matching mirrors the
//! store's SQL filters exactly, so counts and totals agree.

use crate::App;
use innomesh_core::EntityKind;
use innomesh_store::ListQuery;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Row {
    id: String,
    region: Option<String>,
    industry_path: Option<String>,
    subkind: Option<&'static str>,
    tier: Option<&'static str>,
    flags: Vec<&'static str>,
    /// Name and search text, ASCII-lowercased (SQLite's LIKE ignores ASCII case only).
    hay: String,
}

pub fn index(st: &App, kind: EntityKind) -> Result<Arc<Vec<Row>>, innomesh_store::StoreError> {
    st.derived.facets.get(st, kind, || {
        Ok(st
            .repo
            .all(kind)?
            .iter()
            .map(|r| {
                let ix = r.index();
                Row {
                    id: r.id().to_string(),
                    region: ix.region,
                    industry_path: ix.industry_path,
                    subkind: ix.subkind,
                    tier: ix.tier,
                    flags: ix.flags,
                    hay: format!("{}\u{1}{}", ix.name, ix.text).to_ascii_lowercase(),
                }
            })
            .collect())
    })
}

/// Builds the organisations' index (the largest kind) ahead of the first reader.
pub fn warm(st: &App) {
    let _ = index(st, EntityKind::Organisation);
}

/// Counts per facet value under the other filters (so choosing a value shows its siblings).
#[derive(Debug, Default)]
pub struct Facets {
    /// County-level code (6 digits) → count, Baotou and elsewhere.
    pub districts: BTreeMap<String, usize>,
    /// Township code → count, within the selected district.
    pub townships: BTreeMap<String, usize>,
    /// Next industry level under the selected prefix (path → count).
    pub industries: BTreeMap<String, usize>,
    pub subkinds: BTreeMap<String, usize>,
    pub tiers: BTreeMap<String, usize>,
    pub flags: BTreeMap<String, usize>,
    /// Organisations only: industrial chains (id → name and count) and, when a chain is chosen,
    /// its nodes (store id `rare_earth.magnet` → name and count), in the chain models' order.
    pub chains: Vec<ChainCount>,
    pub nodes: Vec<ChainCount>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ChainCount {
    /// Chain id (`rare_earth`) or node store id (`rare_earth.magnet`), as the URL carries it.
    pub id: String,
    pub name: String,
    pub count: usize,
}

fn next_industry_level(path: &str, prefix: Option<&str>) -> Option<String> {
    let depth = prefix.map(|p| p.split('/').count()).unwrap_or(0);
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() <= depth {
        return None;
    }
    Some(parts[..=depth].join("/"))
}

pub fn compute(st: &App, q: &ListQuery) -> crate::Result<Facets> {
    let idx = index(st, q.kind)?;
    let text = q
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| (t.to_ascii_lowercase(), t.to_string(), t.to_uppercase()));
    let only: Option<std::collections::HashSet<&str>> = q
        .only_ids
        .as_ref()
        .map(|ids| ids.iter().map(String::as_str).collect());
    // The chain facet (organisations): counted over the rows that pass every other filter.
    let chains: Option<(Arc<crate::chains::Loaded>, Option<usize>)> =
        if q.kind == innomesh_core::EntityKind::Organisation {
            let loaded = crate::chains::loaded(st)?;
            let chosen = q
                .chain
                .as_deref()
                .and_then(|c| loaded.engine.chains().chain_index(c));
            Some((loaded, chosen))
        } else {
            None
        };
    let mut chain_counts: Vec<usize> = Vec::new();
    let mut node_counts: Vec<usize> = Vec::new();
    let mut node_chain: Vec<usize> = Vec::new();
    if let Some((l, _)) = &chains {
        let set = l.engine.chains();
        chain_counts = vec![0; set.chains().len()];
        node_counts = vec![0; set.nodes().len()];
        node_chain = vec![usize::MAX; set.nodes().len()];
        for c in 0..set.chains().len() {
            for n in set.chain_nodes(c) {
                if let Some(x) = node_chain.get_mut(n) {
                    *x = c;
                }
            }
        }
    }
    let mut f = Facets::default();
    for row in idx.iter() {
        let m_region = q
            .region_prefix
            .as_deref()
            .is_none_or(|p| row.region.as_deref().is_some_and(|r| r.starts_with(p)));
        let m_ind = q.industry_prefix.as_deref().is_none_or(|p| {
            row.industry_path
                .as_deref()
                .is_some_and(|r| r.starts_with(p))
        });
        let m_sub = q.subkind.as_deref().is_none_or(|s| row.subkind == Some(s));
        let m_tier = q.tier.as_deref().is_none_or(|t| row.tier == Some(t));
        let m_flag = q.flag.as_deref().is_none_or(|x| row.flags.contains(&x));
        let m_text = text.as_ref().is_none_or(|(low, raw, up)| {
            row.hay.contains(low.as_str()) || row.id == *raw || row.id == *up
        });
        if !m_text {
            continue;
        }
        if let Some((l, chosen)) = &chains {
            if m_region && m_ind && m_sub && m_tier && m_flag {
                let counts = (&mut chain_counts[..], &mut node_counts[..]);
                count_chains(l, &node_chain, *chosen, &row.id, counts);
            }
        }
        if !only.as_ref().is_none_or(|o| o.contains(row.id.as_str())) {
            continue;
        }
        if m_ind && m_sub && m_tier && m_flag {
            if let Some(r) = &row.region {
                if r.len() >= 6 {
                    *f.districts.entry(r[..6].to_string()).or_default() += 1;
                }
                if m_region && r.len() == 9 {
                    *f.townships.entry(r.clone()).or_default() += 1;
                }
            }
        }
        // Drill-down: the next level *under* the chosen industry, counted over its own records
        // only (counting every record's next level listed other sections' divisions under C).
        if m_region && m_ind && m_sub && m_tier && m_flag {
            if let Some(p) = &row.industry_path {
                if let Some(k) = next_industry_level(p, q.industry_prefix.as_deref()) {
                    *f.industries.entry(k).or_default() += 1;
                }
            }
        }
        if m_region && m_ind && m_tier && m_flag {
            if let Some(s) = row.subkind {
                *f.subkinds.entry(s.to_string()).or_default() += 1;
            }
        }
        if m_region && m_ind && m_sub && m_flag {
            if let Some(t) = row.tier {
                *f.tiers.entry(t.to_string()).or_default() += 1;
            }
        }
        if m_region && m_ind && m_sub && m_tier {
            for x in &row.flags {
                *f.flags.entry(x.to_string()).or_default() += 1;
            }
        }
    }
    if let Some((l, chosen)) = &chains {
        let set = l.engine.chains();
        for (i, c) in set.chains().iter().enumerate() {
            f.chains.push(ChainCount {
                id: c.id.clone(),
                name: c.name.clone(),
                count: chain_counts[i],
            });
            if *chosen == Some(i) {
                for n in set.chain_nodes(i) {
                    if let Some(node) = set.node(n) {
                        f.nodes.push(ChainCount {
                            id: crate::chains::store_id(&node.key),
                            name: node.name.clone(),
                            count: node_counts[n],
                        });
                    }
                }
            }
        }
    }
    Ok(f)
}

/// Adds one organisation to the chains (and, under the chosen chain, the nodes) it is mapped to.
fn count_chains(
    l: &crate::chains::Loaded,
    node_chain: &[usize],
    chosen: Option<usize>,
    id: &str,
    (chains, nodes): (&mut [usize], &mut [usize]),
) {
    let Some(&org) = l.codes.get(id) else { return };
    let mut seen: Vec<usize> = Vec::new();
    for m in l.engine.mapping().of_org(org as usize) {
        let n = m.node as usize;
        let Some(&c) = node_chain.get(n).filter(|&&c| c < chains.len()) else {
            continue;
        };
        if !seen.contains(&c) {
            seen.push(c);
            chains[c] += 1;
        }
        if chosen == Some(c) {
            nodes[n] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn industry_levels() {
        use super::next_industry_level as n;
        assert_eq!(n("C/39/398/3985", None).as_deref(), Some("C"));
        assert_eq!(n("C/39/398/3985", Some("C")).as_deref(), Some("C/39"));
        assert_eq!(n("C/39/398/3985", Some("C/39/398/3985")), None);
    }
}
