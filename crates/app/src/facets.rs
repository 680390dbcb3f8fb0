//! Facet counts for list pages. The store answers one filtered page; the counts beside each facet
//! value (district, industry, kind, tier, flag, chain) come from a compact in-memory index of the kind's
//! list columns (`Repository::index_rows`, never the documents), matched exactly like the store's
//! SQL filters so that counts and totals agree.
//!
//! **A write costs what it touched.** The index remembers the registry version it reflects. When
//! the registry has moved, the audit entries since then name the records of this kind that
//! changed; only they are re-read and merged into the sorted rows, every other row shared with
//! the previous index (`Arc`). Many changes at once (a large import) rebuild from the columns.

use crate::App;
use innomesh_core::EntityKind;
use innomesh_store::{IndexRow, ListQuery};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// More audit entries than this since an index: rebuild rather than replay.
const MAX_REPLAY: usize = 50_000;
/// More records of the kind touched than this: rebuild rather than patch.
const MAX_TOUCHED: usize = 20_000;

/// One record's list columns. Codes shared by many rows (region, industry path, kind, tier,
/// flags) are interned: a row holds only pointers to them.
pub struct Row {
    id: Box<str>,
    region: Option<Arc<str>>,
    industry_path: Option<Arc<str>>,
    subkind: Option<Arc<str>>,
    tier: Option<Arc<str>>,
    flags: Box<[Arc<str>]>,
    /// Name and search text, ASCII-lowercased (SQLite's LIKE ignores ASCII case only).
    hay: Box<str>,
}

/// A kind's rows in id order, as of a registry version (rows may already hold later writes:
/// replaying them again is harmless).
pub struct Index {
    version: i64,
    rows: Vec<Arc<Row>>,
}

impl Index {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[derive(Default)]
struct Interner(HashMap<Arc<str>, ()>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some((k, _)) = self.0.get_key_value(s) {
            return k.clone();
        }
        let k: Arc<str> = Arc::from(s);
        self.0.insert(k.clone(), ());
        k
    }

    fn row(&mut self, r: IndexRow) -> Arc<Row> {
        let hay = format!("{}\u{1}{}", r.name, r.text).to_ascii_lowercase();
        Arc::new(Row {
            region: r.region.as_deref().map(|s| self.get(s)),
            industry_path: r.industry_path.as_deref().map(|s| self.get(s)),
            subkind: r.subkind.as_deref().map(|s| self.get(s)),
            tier: r.tier.as_deref().map(|s| self.get(s)),
            flags: r.flags.iter().map(|f| self.get(f)).collect(),
            hay: hay.into_boxed_str(),
            id: r.id.into_boxed_str(),
        })
    }
}

pub fn index(st: &App, kind: EntityKind) -> Result<Arc<Index>, innomesh_store::StoreError> {
    let previous = st.derived.facets.latest(&kind);
    st.derived.facets.get(st, kind, || {
        if let Some(old) = previous {
            if let Some(patched) = patch(st, kind, &old)? {
                return Ok(patched);
            }
        }
        build(st, kind)
    })
}

fn build(st: &App, kind: EntityKind) -> Result<Index, innomesh_store::StoreError> {
    let version = st.repo.version()?;
    let mut interner = Interner::default();
    let rows = st
        .repo
        .index_rows(kind, None)?
        .into_iter()
        .map(|r| interner.row(r))
        .collect();
    Ok(Index { version, rows })
}

/// `old` with the records of `kind` written since its version re-read, or `None` when they are
/// too many (rebuild).
fn patch(
    st: &App,
    kind: EntityKind,
    old: &Index,
) -> Result<Option<Index>, innomesh_store::StoreError> {
    let version = st.repo.version()?;
    if version == old.version {
        return Ok(Some(Index {
            version,
            rows: old.rows.clone(),
        }));
    }
    let changes = st.repo.changes_since(old.version, MAX_REPLAY + 1)?;
    if changes.len() > MAX_REPLAY {
        return Ok(None);
    }
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        if c.kind.as_deref() != Some(kind.code()) {
            continue;
        }
        match &c.entity_id {
            Some(id) => {
                touched.insert(id.clone());
            }
            None => return Ok(None),
        }
    }
    if touched.len() > MAX_TOUCHED {
        return Ok(None);
    }
    if touched.is_empty() {
        return Ok(Some(Index {
            version,
            rows: old.rows.clone(),
        }));
    }
    let ids: Vec<String> = touched.iter().cloned().collect();
    let mut interner = Interner::default();
    // Fresh rows by id (sorted); touched ids missing from them were deleted.
    let mut fresh: BTreeMap<String, Arc<Row>> = st
        .repo
        .index_rows(kind, Some(&ids))?
        .into_iter()
        .map(|r| (r.id.clone(), interner.row(r)))
        .collect();
    // One merge pass over the sorted old rows and the sorted touched ids.
    let mut rows = Vec::with_capacity(old.rows.len() + fresh.len());
    let mut pending = touched.iter().peekable();
    for row in &old.rows {
        while let Some(id) = pending.peek() {
            if id.as_str() < &*row.id {
                if let Some(r) = fresh.remove(id.as_str()) {
                    rows.push(r);
                }
                pending.next();
            } else {
                break;
            }
        }
        if pending.peek().is_some_and(|id| id.as_str() == &*row.id) {
            if let Some(r) = fresh.remove(&*row.id) {
                rows.push(r);
            }
            pending.next();
        } else {
            rows.push(row.clone());
        }
    }
    for id in pending {
        if let Some(r) = fresh.remove(id.as_str()) {
            rows.push(r);
        }
    }
    Ok(Some(Index { version, rows }))
}

/// Builds the organisations' index (the largest kind) ahead of the first reader.
pub fn warm(st: &App) {
    let _ = index(st, EntityKind::Organisation);
}

/// Counts per facet value under the other filters (so choosing a value shows its siblings).
#[derive(Debug, Default, Clone)]
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

/// The first `depth + 1` levels of an industry path, or `None` when it has no more levels.
fn next_industry_level(path: &str, depth: usize) -> Option<&str> {
    let mut levels = 0;
    for (i, c) in path.char_indices() {
        if c == '/' {
            levels += 1;
            if levels == depth + 1 {
                return Some(&path[..i]);
            }
        }
    }
    (levels + 1 > depth).then_some(path)
}

fn tally<'a>(counts: &mut HashMap<&'a str, usize>, key: &'a str) {
    *counts.entry(key).or_default() += 1;
}

fn owned(counts: HashMap<&str, usize>) -> BTreeMap<String, usize> {
    counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect()
}

/// The counts for `q`'s filters (its page and sort do not change them), kept per registry
/// version: a list paged through, or asked again, counts once.
pub fn compute(st: &App, q: &ListQuery) -> crate::Result<Facets> {
    let key = format!(
        "{:?}",
        (
            q.kind,
            &q.region_prefix,
            &q.industry_prefix,
            &q.subkind,
            &q.tier,
            &q.flag,
            q.text.as_deref().map(str::trim),
            &q.chain,
            &q.node,
            &q.only_ids,
            &q.scope,
        )
    );
    let counted = st.derived.facet_counts.get(st, key, || count(st, q))?;
    Ok((*counted).clone())
}

fn count(st: &App, q: &ListQuery) -> crate::Result<Facets> {
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
    // The chain facet (organisations): counted over the rows that pass every other filter, by
    // the chain mapping the warmer keeps (it may lag a write by its rebuild, like every count;
    // building it here would read every organisation on the first page after each write). With
    // a chain chosen the list itself needs the current mapping, so the counts use it too; the
    // first page ever (no mapping yet) builds it.
    let chains: Option<(Arc<crate::chains::Loaded>, Option<usize>)> =
        if q.kind == innomesh_core::EntityKind::Organisation {
            let loaded = match crate::chains::loaded_latest(st) {
                Some(l) if q.chain.is_none() && q.node.is_none() => l,
                _ => crate::chains::loaded(st)?,
            };
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
    let depth = q
        .industry_prefix
        .as_deref()
        .map(|p| p.split('/').count())
        .unwrap_or(0);
    // Counted under borrowed keys (no allocation per row), owned once at the end.
    let mut districts = HashMap::new();
    let mut townships = HashMap::new();
    let mut industries = HashMap::new();
    let mut subkinds = HashMap::new();
    let mut tiers = HashMap::new();
    let mut flags = HashMap::new();
    for row in &idx.rows {
        let m_text = text.as_ref().is_none_or(|(low, raw, up)| {
            row.hay.contains(low.as_str()) || &*row.id == raw || &*row.id == up
        });
        if !m_text {
            continue;
        }
        let m_region = q
            .region_prefix
            .as_deref()
            .is_none_or(|p| row.region.as_deref().is_some_and(|r| r.starts_with(p)));
        let m_ind = q.industry_prefix.as_deref().is_none_or(|p| {
            row.industry_path
                .as_deref()
                .is_some_and(|r| r.starts_with(p))
        });
        let m_sub = q
            .subkind
            .as_deref()
            .is_none_or(|s| row.subkind.as_deref() == Some(s));
        let m_tier = q
            .tier
            .as_deref()
            .is_none_or(|t| row.tier.as_deref() == Some(t));
        let m_flag = q
            .flag
            .as_deref()
            .is_none_or(|x| row.flags.iter().any(|f| &**f == x));
        if let Some((l, chosen)) = &chains {
            if m_region && m_ind && m_sub && m_tier && m_flag {
                let counts = (&mut chain_counts[..], &mut node_counts[..]);
                count_chains(l, &node_chain, *chosen, &row.id, counts);
            }
        }
        if !only.as_ref().is_none_or(|o| o.contains(&*row.id)) {
            continue;
        }
        if m_ind && m_sub && m_tier && m_flag {
            if let Some(r) = row.region.as_deref() {
                if let Some(district) = r.get(..6) {
                    tally(&mut districts, district);
                }
                if m_region && r.len() == 9 {
                    tally(&mut townships, r);
                }
            }
        }
        // Drill-down: the next level *under* the chosen industry, counted over its own records
        // only (counting every record's next level listed other sections' divisions under C).
        if m_region && m_ind && m_sub && m_tier && m_flag {
            if let Some(k) = row
                .industry_path
                .as_deref()
                .and_then(|p| next_industry_level(p, depth))
            {
                tally(&mut industries, k);
            }
        }
        if m_region && m_ind && m_tier && m_flag {
            if let Some(s) = row.subkind.as_deref() {
                tally(&mut subkinds, s);
            }
        }
        if m_region && m_ind && m_sub && m_flag {
            if let Some(t) = row.tier.as_deref() {
                tally(&mut tiers, t);
            }
        }
        if m_region && m_ind && m_sub && m_tier {
            for x in row.flags.iter() {
                tally(&mut flags, x);
            }
        }
    }
    let mut f = Facets {
        districts: owned(districts),
        townships: owned(townships),
        industries: owned(industries),
        subkinds: owned(subkinds),
        tiers: owned(tiers),
        flags: owned(flags),
        ..Facets::default()
    };
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
        assert_eq!(n("C/39/398/3985", 0), Some("C"));
        assert_eq!(n("C/39/398/3985", 1), Some("C/39"));
        assert_eq!(n("C/39/398/3985", 3), Some("C/39/398/3985"));
        assert_eq!(n("C/39/398/3985", 4), None);
        assert_eq!(n("C", 0), Some("C"));
        assert_eq!(n("C", 1), None);
    }

    use super::*;
    use crate::auth::Principal;
    use innomesh_core::Record;

    fn sample_app() -> Arc<App> {
        let app = App::in_memory().unwrap();
        let local = Principal::local("t");
        let data = innomesh_core::sample::generate(innomesh_core::sample::SampleConfig::default());
        app.import_records(&local, data.records, "t", &|_| {})
            .unwrap()
            .unwrap();
        app
    }

    fn counts(app: &App, q: &ListQuery) -> String {
        format!("{:?}", compute(app, q).unwrap())
    }

    /// The kept index (patched) against one built from scratch: the same rows, and the same counts
    /// under a spread of filters.
    fn assert_same_as_rebuilt(app: &App, step: &str) {
        let kept = index(app, EntityKind::Organisation).unwrap();
        let fresh = build(app, EntityKind::Organisation).unwrap();
        let ids = |i: &Index| i.rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&kept), ids(&fresh), "{step}: rows");
        let line = |r: &Row| {
            format!(
                "{:?}{:?}{:?}{:?}{:?}{}",
                r.region, r.industry_path, r.subkind, r.tier, r.flags, r.hay
            )
        };
        for (a, b) in kept.rows.iter().zip(&fresh.rows) {
            assert_eq!(line(a), line(b), "{step}: row {}", a.id);
        }
        let mut qs = vec![ListQuery::new(EntityKind::Organisation)];
        let mut q = ListQuery::new(EntityKind::Organisation);
        q.region_prefix = Some("150203".into());
        qs.push(q);
        let mut q = ListQuery::new(EntityKind::Organisation);
        q.industry_prefix = Some("C".into());
        q.flag = Some("high_tech".into());
        qs.push(q);
        let mut q = ListQuery::new(EntityKind::Organisation);
        q.text = Some("稀土".into());
        qs.push(q);
        for q in qs {
            let fresh_counts = {
                let old = format!("{:?}", facets_of(&fresh, q.clone()));
                old
            };
            assert_eq!(counts(app, &q), fresh_counts, "{step}: {q:?}");
        }
    }

    /// The counts an index gives (through a throwaway app-free path: the same `compute` loop).
    fn facets_of(idx: &Index, q: ListQuery) -> Facets {
        let app = App::in_memory().unwrap();
        app.derived
            .facets
            .get(&app, q.kind, || {
                Ok::<_, innomesh_store::StoreError>(Index {
                    version: 0,
                    rows: idx.rows.clone(),
                })
            })
            .unwrap();
        compute(&app, &q).unwrap()
    }

    #[test]
    fn after_writes_the_patched_index_equals_a_rebuild() {
        use innomesh_core::model::Organisation;
        let app = sample_app();
        let local = Principal::local("t");
        let first = index(&app, EntityKind::Organisation).unwrap();
        assert!(first.len() > 100);
        let org = |i: usize| -> Organisation {
            let id = index(&app, EntityKind::Organisation).unwrap().rows[i]
                .id
                .to_string();
            match app.repo.get(EntityKind::Organisation, &id).unwrap() {
                Some(Record::Organisation(o)) => o,
                other => panic!("{other:?}"),
            }
        };
        // A write to another kind: same rows, every one shared.
        app.set_setting(&local, "facets-test", "1").unwrap();
        let kept = index(&app, EntityKind::Organisation).unwrap();
        assert!(kept
            .rows
            .iter()
            .zip(&first.rows)
            .all(|(a, b)| Arc::ptr_eq(a, b)));

        // Edited: name, flags, district, industry.
        let mut o = org(5);
        o.name = format!("{}（稀土更名）", o.name);
        o.high_tech = !o.high_tech;
        o.region = innomesh_core::RegionCode::parse("150207").unwrap();
        let id = o.credit_code.as_str().to_string();
        app.update(
            &local,
            EntityKind::Organisation,
            &id,
            Record::Organisation(o),
        )
        .unwrap();
        let after = index(&app, EntityKind::Organisation).unwrap();
        assert!(
            !Arc::ptr_eq(&after.rows[5], &first.rows[5]),
            "the edited row re-read"
        );
        assert!(
            Arc::ptr_eq(&after.rows[0], &first.rows[0]),
            "patched, not rebuilt"
        );
        assert_same_as_rebuilt(&app, "edited");

        // Deleted (one nobody refers to) and added (a new id sorts into the middle or the end).
        let deletable = index(&app, EntityKind::Organisation)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.id.to_string())
            .find(|id| {
                app.repo
                    .referrers(EntityKind::Organisation, id)
                    .unwrap()
                    .is_empty()
            })
            .expect("an organisation nobody refers to");
        app.delete(&local, EntityKind::Organisation, &deletable)
            .unwrap();
        assert_same_as_rebuilt(&app, "deleted");
        let mut o = org(7);
        o.credit_code = innomesh_core::CreditCode::parse("91150207MA0N00004X")
            .or_else(|_| innomesh_core::CreditCode::parse(&deletable))
            .unwrap();
        o.name = "新增测试企业".into();
        app.create(&local, Record::Organisation(o)).unwrap();
        assert_same_as_rebuilt(&app, "added");
        assert_eq!(
            index(&app, EntityKind::Organisation).unwrap().len(),
            first.len()
        );
    }
}
