//! Registry lists beyond what the store filters by itself: the chain / chain-node filter
//! (membership is the chain engine's mapping, so it is resolved here into an id set), the
//! filters described in words for export files, and whole filtered lists for exports.

use crate::{chains, App, Code, Error, Principal, Result};
use innomesh_core::reference::{industries, regions};
use innomesh_core::{EntityKind, Record};
use innomesh_store::ListQuery;

/// How many records an export reads from the store at a time (keyset pages, id order).
const EXPORT_BATCH: usize = 1000;

/// The chain and node a query names, checked against the chain models: `(chain index, node key)`.
fn chosen(
    loaded: &chains::Loaded,
    chain: Option<&str>,
    node: Option<&str>,
) -> Result<(Option<usize>, Option<String>)> {
    let set = loaded.engine.chains();
    let chain_ix = match chain {
        None => None,
        Some(c) => Some(set.chain_index(c.trim()).ok_or_else(|| {
            Error::new(
                Code::UnknownReference,
                format!("没有编号为「{c}」的产业链（产业链一览见「产业链」页）"),
            )
        })?),
    };
    let node_key = match node {
        None => None,
        Some(n) => {
            // The URL carries the node's record id (`rare_earth.magnet`); the engine's key is
            // `rare_earth/magnet`. Either is accepted.
            let key = chains::node_key(n.trim());
            let ix = set.node_index(&key).ok_or_else(|| {
                Error::new(
                    Code::UnknownReference,
                    format!("没有编号为「{n}」的产业链节点"),
                )
            })?;
            if let Some(c) = chain_ix {
                if !set.chain_nodes(c).contains(&ix) {
                    return Err(Error::new(
                        Code::UnknownReference,
                        format!(
                            "产业链节点「{}」不属于产业链「{}」",
                            set.node(ix).map(|x| x.name.as_str()).unwrap_or(n),
                            set.chains()[c].name
                        ),
                    ));
                }
            }
            Some(key)
        }
    };
    Ok((chain_ix, node_key))
}

impl App {
    /// Resolves `chain` / `node` into `only_ids` (the organisations the chain engine maps there,
    /// as the chain pages count them). Only organisations sit on chains; for another kind the
    /// filter is refused rather than ignored.
    pub(crate) fn resolve_chain_filter(&self, q: &mut ListQuery) -> Result<()> {
        let (chain, node) = (q.chain.as_deref(), q.node.as_deref());
        let chain = chain.map(str::trim).filter(|c| !c.is_empty());
        let node = node.map(str::trim).filter(|n| !n.is_empty());
        if chain.is_none() && node.is_none() {
            return Ok(());
        }
        if q.kind != EntityKind::Organisation {
            return Err(Error::new(
                Code::InvalidQuery,
                format!("产业链筛选只适用于组织，不适用于{}", q.kind.label()),
            ));
        }
        let loaded = chains::loaded(self)?;
        let (chain_ix, node_key) = chosen(&loaded, chain, node)?;
        let set = loaded.engine.chains();
        let nodes: Vec<usize> = match (&node_key, chain_ix) {
            (Some(k), _) => set.node_index(k).into_iter().collect(),
            (None, Some(c)) => set.chain_nodes(c).collect(),
            (None, None) => vec![],
        };
        let mut ids: Vec<String> = nodes
            .into_iter()
            .flat_map(|n| loaded.engine.mapping().orgs_of_node(n).iter().copied())
            .filter_map(|o| loaded.engine.input().orgs.get(o as usize))
            .map(|o| o.credit_code.clone())
            .collect();
        ids.sort();
        ids.dedup();
        // The chosen chain is kept for the facet (it lists the chain's nodes); a node alone
        // implies its chain.
        if q.chain.is_none() {
            if let Some(k) = &node_key {
                q.chain = k.split('/').next().map(str::to_string);
            }
        }
        q.only_ids = Some(ids);
        Ok(())
    }

    /// The query's filters in words, names not codes (「行政区划：昆都仑区」「产业链：稀土新材料
    /// › 稀土采矿」), for export files and chips. Labels of kinds, tiers and flags come from the
    /// caller, which knows how it shows them.
    pub fn describe_filters(
        &self,
        who: &Principal,
        q: &ListQuery,
        label: &dyn Fn(&str, &str) -> String,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            out.push(format!("关键词：{t}"));
        }
        if let Some(p) = &q.region_prefix {
            let name = regions()
                .resolve(p)
                .map(|r| format!("{}（{}）", r.name, r.code))
                .unwrap_or_else(|| p.clone());
            out.push(format!("行政区划：{name}"));
        }
        if let Some(p) = &q.industry_prefix {
            let code = p.rsplit('/').next().unwrap_or(p);
            let name = industries()
                .get(code)
                .map(|i| format!("{}（{code}）", i.name))
                .unwrap_or_else(|| code.to_string());
            out.push(format!("行业：{name}"));
        }
        for (key, value) in [("kind", &q.subkind), ("tier", &q.tier), ("flag", &q.flag)] {
            if let Some(v) = value {
                out.push(label(key, v));
            }
        }
        if q.chain.is_some() || q.node.is_some() {
            who.require(crate::Perm::Read)?;
            let loaded = chains::loaded(self)?;
            let (c, n) = chosen(&loaded, q.chain.as_deref(), q.node.as_deref())?;
            let set = loaded.engine.chains();
            let mut words = Vec::new();
            let node_chain = n.as_deref().and_then(|k| k.split('/').next());
            if let Some(c) = c.or_else(|| node_chain.and_then(|id| set.chain_index(id))) {
                words.push(set.chains()[c].name.clone());
            }
            if let Some(node) = n.as_deref().and_then(|k| set.node_index(k)) {
                if let Some(node) = set.node(node) {
                    words.push(node.name.clone());
                }
            }
            out.push(format!("产业链：{}", words.join(" › ")));
        }
        Ok(out)
    }

    /// Every record the caller may read that passes the query's filters, in id order, read in
    /// keyset batches (exports: the page's 「导出（XLSX）」 and `/api/{kind}/export`). Without
    /// filters this is [`App::all`].
    pub fn export_records(&self, who: &Principal, q: &ListQuery) -> Result<Vec<Record>> {
        let unfiltered = q.region_prefix.is_none()
            && q.industry_prefix.is_none()
            && q.subkind.is_none()
            && q.tier.is_none()
            && q.flag.is_none()
            && q.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && q.chain.is_none()
            && q.node.is_none()
            && q.only_ids.is_none();
        if unfiltered {
            return self.all(who, q.kind);
        }
        who.require(crate::Perm::Read)?;
        let mut q = q.clone();
        self.resolve_chain_filter(&mut q)?;
        let Some(mut q) = self.scoped(who, q)? else {
            return Ok(vec![]);
        };
        q.sort = innomesh_store::Sort::Id;
        q.page = 1;
        q.per_page = EXPORT_BATCH;
        // Keyset from the first batch on (plain id order: an exact-id match is not put first,
        // which would repeat it in a later batch).
        q.after_id = Some(String::new());
        let mut out = Vec::new();
        loop {
            let page = self.repo.list(&q)?;
            let n = page.records.len();
            q.after_id = page.records.last().map(|r| r.id().to_string());
            out.extend(page.records);
            if n < EXPORT_BATCH {
                break;
            }
        }
        Ok(out)
    }
}

impl App {
    /// The names of the records these references point at (organisations by credit code, every
    /// other kind by id), those the caller may read: pages show 「名称」 where a record names
    /// another one by id (a response's solver and demand, a gap action's node, a programme).
    pub fn record_names(
        &self,
        who: &Principal,
        refs: &[innomesh_core::Reference],
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut codes: Vec<String> = refs
            .iter()
            .filter(|r| r.kind == EntityKind::Organisation)
            .map(|r| r.id.clone())
            .collect();
        codes.sort();
        codes.dedup();
        let mut out = self.org_names(&codes)?;
        let mut others: Vec<(EntityKind, &str)> = refs
            .iter()
            .filter(|r| r.kind != EntityKind::Organisation)
            .map(|r| (r.kind, r.id.as_str()))
            .collect();
        others.sort();
        others.dedup();
        for (kind, id) in others {
            if let Some(r) = self.get(who, kind, id)? {
                if !r.name().is_empty() && r.name() != id {
                    out.insert(id.to_string(), r.name().to_string());
                }
            }
        }
        Ok(out)
    }

    /// A display name for each actor of an audit trail or a history (`demo-city` → 「示例市级
    /// 经办人」): the account's name; the command line and imports as such; others unchanged.
    pub fn actor_names(
        &self,
        actors: &[&str],
    ) -> Result<std::collections::HashMap<String, String>> {
        let users = self.repo.users()?;
        let mut out = std::collections::HashMap::new();
        for a in actors {
            let user = a.split(['（', '@']).next().unwrap_or(a).trim();
            let name = if let Some(u) = users.iter().find(|u| u.username == user) {
                if u.display_name.trim().is_empty() || u.display_name == u.username {
                    u.username.clone()
                } else {
                    format!("{}（{}）", u.display_name, u.username)
                }
            } else if let Some(rest) = user.strip_prefix("cli:") {
                format!("命令行（{rest}）")
            } else if user == "system" || user.is_empty() {
                "系统".to_string()
            } else {
                user.to_string()
            };
            out.insert(a.to_string(), name);
        }
        Ok(out)
    }
}
