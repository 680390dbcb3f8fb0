//! 政策找企业 at scale: the enterprises of a scope and their fact columns, read column-wise from
//! the store and kept up to date write by write.
//!
//! - **Read only what a rule needs.** A scope's enterprises are read as `EnterpriseProfile`s (the
//!   registry fields facts come from: `Repository::enterprise_profiles`), their patents counted in
//!   the store (`patent_counts`), and an entered fact is read for every enterprise at once by its
//!   key through an index (`latest_fact_values`). A fact's column is built the first time a rule
//!   asks for it and shared by every rule declaring the same fact.
//! - **A write costs what it touched.** The snapshot remembers the registry version it reflects.
//!   When the registry has moved, the audit entries since then name what changed: an
//!   organisation (created, changed, deleted), an organisation's entered facts, or an achievement
//!   (patents may have moved). Only those enterprises are re-read, and every column already built
//!   is carried over with just their rows changed (in place when no enterprise moved in the list
//!   order, else re-laid). Writes to anything else cost nothing. Many changes at once (an import)
//!   rebuild from scratch, which reads no more than a first build.
//! - Snapshots are immutable: a classification keeps the enterprises and columns it was made
//!   from, so its rows and its lists always agree.

use crate::auth::Principal;
use crate::cache::lock;
use crate::policy::{fact_column, fact_value, OrgRow};
use crate::{App, Result};
use innomesh_core::EntityKind;
use innomesh_policy::{Column, Date, FactDef};
use innomesh_store::ScopeFilter;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Up to this many enterprises, facts are read enterprise by enterprise rather than by key over
/// the whole registry.
const SMALL_SCOPE: usize = 64;
/// More audit entries than this since a snapshot: rebuild rather than replay.
const MAX_REPLAY: usize = 5_000;
/// More enterprises touched than this: rebuild rather than patch.
const MAX_TOUCHED: usize = 2_000;
/// Scopes kept (the city, districts, single enterprises); the least recently built goes first.
const MAX_SCOPES: usize = 32;

/// The enterprises a caller reaches for matching: the city's own (region prefix), narrowed to a
/// district, or to listed credit codes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MatchScope {
    pub(crate) prefix: String,
    /// Sorted credit codes; `None` for every enterprise under `prefix`.
    pub(crate) ids: Option<Vec<String>>,
}

impl MatchScope {
    fn admits(&self, code: &str) -> bool {
        self.ids
            .as_ref()
            .is_none_or(|ids| ids.binary_search_by(|i| i.as_str().cmp(code)).is_ok())
    }
}

/// A scope's enterprises at one registry version, in list order, with the fact columns built so
/// far (aligned with `orgs`).
pub(crate) struct Inputs {
    pub(crate) orgs: Arc<Vec<Arc<OrgRow>>>,
    /// Row numbers in credit-code order (to find a row by code, and to join facts read by key).
    by_code: Vec<u32>,
    /// (date, the fact's declaration) → its column.
    columns: Mutex<HashMap<(String, String), Built>>,
}

/// A built column with the date and declaration it was built for.
type Built = (Date, FactDef, Arc<Column>);

fn column_key(def: &FactDef, date: Date) -> (String, String) {
    (date.to_string(), format!("{def:?}"))
}

impl Inputs {
    fn new(orgs: Vec<Arc<OrgRow>>) -> Inputs {
        let mut by_code: Vec<u32> = (0..orgs.len() as u32).collect();
        by_code.sort_by(|&a, &b| orgs[a as usize].p.id.cmp(&orgs[b as usize].p.id));
        Inputs {
            orgs: Arc::new(orgs),
            by_code,
            columns: Mutex::new(HashMap::new()),
        }
    }

    fn row_of(&self, code: &str) -> Option<usize> {
        self.by_code
            .binary_search_by(|&i| self.orgs[i as usize].p.id.as_str().cmp(code))
            .ok()
            .map(|k| self.by_code[k] as usize)
    }

    /// One fact of every enterprise, built on first use: registry fields from the rows, entered
    /// values read by key from the store.
    pub(crate) fn column(&self, app: &App, def: &FactDef, date: Date) -> Result<Arc<Column>> {
        let key = column_key(def, date);
        if let Some((_, _, c)) = lock(&self.columns).get(&key) {
            return Ok(c.clone());
        }
        // Built unlocked, so that two columns can be read from the store at once.
        let entered = self.entered(app, &def.key)?;
        let column = Arc::new(fact_column(
            def,
            self.orgs
                .iter()
                .zip(&entered)
                .map(|(row, e)| fact_value(def, row, e.as_deref(), date)),
        ));
        let mut columns = lock(&self.columns);
        // Facts are read as of one day (the registration age moves with it): another day's
        // columns are dropped, so the kept columns do not grow day by day.
        columns.retain(|_, (d, _, _)| *d == date);
        Ok(columns
            .entry(key)
            .or_insert_with(|| (date, def.clone(), column))
            .2
            .clone())
    }

    /// Builds the columns of `defs` not built yet, two at a time (each is mostly a read of one
    /// index range from the store, on its own read connection).
    pub(crate) fn prebuild(&self, app: &App, defs: &[FactDef], date: Date) -> Result<()> {
        let missing: Vec<&FactDef> = {
            let columns = lock(&self.columns);
            defs.iter()
                .filter(|d| !columns.contains_key(&column_key(d, date)))
                .collect()
        };
        if missing.len() < 2 || self.orgs.len() <= SMALL_SCOPE {
            return Ok(());
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || -> Result<()> {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(def) = missing.get(i) else {
                    return Ok(());
                };
                self.column(app, def, date)?;
            }
        };
        std::thread::scope(|s| {
            let other = s.spawn(work);
            let mine = work();
            let theirs = other
                .join()
                .unwrap_or_else(|_| Err(crate::Error::internal("政策事实列构建线程失败")));
            mine.and(theirs)
        })
    }

    /// The latest entered value of `key` for every row (aligned with `orgs`).
    fn entered(&self, app: &App, key: &str) -> Result<Vec<Option<String>>> {
        let mut out: Vec<Option<String>> = vec![None; self.orgs.len()];
        if self.orgs.len() <= SMALL_SCOPE {
            for (i, row) in self.orgs.iter().enumerate() {
                out[i] = app
                    .repo
                    .latest_fact_values(key, Some(&row.p.id))?
                    .into_iter()
                    .next()
                    .map(|(_, v)| v);
            }
            return Ok(out);
        }
        // Both in credit-code order: one merge.
        let values = app.repo.latest_fact_values(key, None)?;
        let mut rows = self.by_code.iter().peekable();
        for (org, value) in values {
            while let Some(&&i) = rows.peek() {
                match self.orgs[i as usize].p.id.as_str().cmp(&org) {
                    std::cmp::Ordering::Less => {
                        rows.next();
                    }
                    std::cmp::Ordering::Equal => {
                        out[i as usize] = Some(value);
                        rows.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        Ok(out)
    }

    /// Columns built so far (tests).
    #[cfg(test)]
    pub(crate) fn built(&self) -> Vec<Built> {
        lock(&self.columns).values().cloned().collect()
    }
}

/// The snapshots of each scope, with the registry version each reflects.
#[derive(Default)]
pub(crate) struct InputsCache {
    entries: Mutex<HashMap<MatchScope, (i64, Arc<Inputs>)>>,
    /// One build or update at a time: a reader arriving meanwhile waits for it.
    building: Mutex<()>,
}

/// An enterprise re-read for a patch: its new row (none if gone or out of scope) and its entered
/// facts by key.
struct Fresh {
    row: Option<Arc<OrgRow>>,
    entered: HashMap<String, String>,
}

impl App {
    /// The enterprises `who` may match.
    pub(crate) fn match_scope(&self, who: &Principal) -> Result<MatchScope> {
        use crate::auth::scope::Visibility;
        let home = self
            .repo
            .meta("home_region")?
            .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string());
        let nothing = MatchScope {
            prefix: home.clone(),
            ids: Some(vec![]),
        };
        Ok(match self.visibility(who, EntityKind::Organisation)? {
            Visibility::All => MatchScope {
                prefix: home,
                ids: None,
            },
            Visibility::Nothing => nothing,
            Visibility::Some(filters) => match filters.as_slice() {
                [ScopeFilter::RegionPrefix(p)] if p.starts_with(&home) => MatchScope {
                    prefix: p.clone(),
                    ids: None,
                },
                [ScopeFilter::RegionPrefix(p)] if home.starts_with(p.as_str()) => MatchScope {
                    prefix: home,
                    ids: None,
                },
                [ScopeFilter::RegionPrefix(_)] => nothing,
                [ScopeFilter::Ids(ids)] => {
                    let mut ids = ids.clone();
                    ids.sort();
                    ids.dedup();
                    MatchScope {
                        prefix: home,
                        ids: Some(ids),
                    }
                }
                _ => {
                    // Any other narrowing: the organisations the caller can list.
                    let mut ids: Vec<String> = self
                        .all(who, EntityKind::Organisation)?
                        .iter()
                        .map(|r| r.id().to_string())
                        .collect();
                    ids.sort();
                    MatchScope {
                        prefix: home,
                        ids: Some(ids),
                    }
                }
            },
        })
    }

    /// The scope's enterprises at the registry's current version: kept, patched with the changes
    /// since the version kept, or built.
    pub(crate) fn match_inputs(&self, scope: &MatchScope) -> Result<Arc<Inputs>> {
        let cache = &self.derived.policy_inputs;
        let version = self.registry_version();
        if let Some((v, inputs)) = lock(&cache.entries).get(scope) {
            if *v == version {
                return Ok(inputs.clone());
            }
        }
        let _building = lock(&cache.building);
        // Read before the changes: replaying entries past it again later is harmless (a patch
        // re-reads what it touches), missing one is not.
        let version = self.registry_version();
        let kept = lock(&cache.entries).get(scope).cloned();
        let inputs = match kept {
            Some((v, inputs)) if v == version => return Ok(inputs),
            Some((v, old)) => match self.patch_inputs(scope, &old, v)? {
                Some(new) => new,
                None => Arc::new(self.build_inputs(scope)?),
            },
            None => Arc::new(self.build_inputs(scope)?),
        };
        let mut entries = lock(&cache.entries);
        if entries.len() >= MAX_SCOPES && !entries.contains_key(scope) {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (v, _))| *v)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(scope.clone(), (version, inputs.clone()));
        Ok(inputs)
    }

    fn build_inputs(&self, scope: &MatchScope) -> Result<Inputs> {
        let (profiles, patents) = match &scope.ids {
            // The whole scope: patents counted on a second read connection meanwhile.
            None => std::thread::scope(|s| {
                let patents = s.spawn(|| self.repo.patent_counts(None));
                let profiles = self.repo.enterprise_profiles(&scope.prefix, None);
                let patents = patents.join().unwrap_or_else(|_| {
                    Err(innomesh_store::StoreError::Database(
                        "专利计数线程失败".into(),
                    ))
                });
                (profiles, patents)
            }),
            Some(ids) => {
                let mut out = Vec::new();
                let mut patents = HashMap::new();
                for id in ids {
                    out.extend(self.repo.enterprise_profiles(&scope.prefix, Some(id))?);
                    patents.extend(self.repo.patent_counts(Some(id))?);
                }
                out.sort_by(|a, b| a.list_key().cmp(&b.list_key()));
                (Ok(out), Ok(patents))
            }
        };
        let (profiles, patents) = (profiles?, patents?);
        let orgs = profiles
            .into_iter()
            .map(|p| {
                let patents = patents.get(&p.id).copied().unwrap_or(0);
                Arc::new(OrgRow {
                    p,
                    enterprise: true,
                    patents,
                })
            })
            .collect();
        Ok(Inputs::new(orgs))
    }

    /// `old` (at registry version `since`) with the changes since applied, or `None` when they
    /// are too many to replay.
    fn patch_inputs(
        &self,
        scope: &MatchScope,
        old: &Arc<Inputs>,
        since: i64,
    ) -> Result<Option<Arc<Inputs>>> {
        let changes = self.repo.changes_since(since, MAX_REPLAY + 1)?;
        if changes.len() > MAX_REPLAY {
            return Ok(None);
        }
        let org_kind = EntityKind::Organisation.code();
        let achievement = EntityKind::Achievement.code();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut patents_moved = false;
        for c in &changes {
            let Some(kind) = c.kind.as_deref() else {
                continue;
            };
            if kind == org_kind || kind == "policy_fact" {
                match &c.entity_id {
                    Some(id) => {
                        touched.insert(id.clone());
                    }
                    None => return Ok(None),
                }
            } else if kind == achievement {
                patents_moved = true;
            }
        }
        let patents = if patents_moved {
            let counts = self.repo.patent_counts(None)?;
            for row in old.orgs.iter() {
                if counts.get(&row.p.id).copied().unwrap_or(0) != row.patents {
                    touched.insert(row.p.id.clone());
                }
            }
            Some(counts)
        } else {
            None
        };
        touched.retain(|code| scope.admits(code));
        if touched.is_empty() {
            return Ok(Some(old.clone()));
        }
        if touched.len() > MAX_TOUCHED {
            return Ok(None);
        }
        let mut fresh: BTreeMap<String, Fresh> = BTreeMap::new();
        for code in &touched {
            let row = self
                .repo
                .enterprise_profiles(&scope.prefix, Some(code))?
                .into_iter()
                .next();
            let row = match row {
                Some(p) => {
                    let patents = match &patents {
                        Some(m) => m.get(code).copied().unwrap_or(0),
                        None => self
                            .repo
                            .patent_counts(Some(code))?
                            .get(code)
                            .copied()
                            .unwrap_or(0),
                    };
                    Some(Arc::new(OrgRow {
                        p,
                        enterprise: true,
                        patents,
                    }))
                }
                None => None,
            };
            let entered = if row.is_some() {
                self.repo
                    .policy_facts(Some(code))?
                    .into_iter()
                    .map(|f| (f.key, f.value))
                    .collect()
            } else {
                HashMap::new()
            };
            // An organisation that is not (and was not) one of the scope's enterprises — a
            // university edited, an enterprise of another district — changes nothing here; left
            // in, it would force every built column to be laid out again.
            if row.is_none() && old.row_of(code).is_none() {
                continue;
            }
            fresh.insert(code.clone(), Fresh { row, entered });
        }
        if fresh.is_empty() {
            return Ok(Some(old.clone()));
        }
        Ok(Some(Arc::new(patched(old, &fresh))))
    }
}

/// `old` with the re-read enterprises in `fresh` replaced, added or removed, every built column
/// carried over.
fn patched(old: &Inputs, fresh: &BTreeMap<String, Fresh>) -> Inputs {
    let today = crate::policy::today();
    let mut columns = lock(&old.columns).clone();
    columns.retain(|_, (d, _, _)| *d == today);
    let value = |f: &Fresh, date: Date, def: &FactDef| {
        let row = f.row.as_ref()?;
        fact_value(def, row, f.entered.get(&def.key).map(String::as_str), date)
    };
    // In place when every touched enterprise keeps its row (same place in the list order).
    let in_place: Option<Vec<(usize, &Fresh)>> = fresh
        .iter()
        .map(|(code, f)| {
            let i = old.row_of(code)?;
            let row = f.row.as_ref()?;
            (row.p.list_key() == old.orgs[i].p.list_key()).then_some((i, f))
        })
        .collect();
    if let Some(rows) = in_place {
        let mut orgs: Vec<Arc<OrgRow>> = old.orgs.as_ref().clone();
        for (i, f) in &rows {
            if let Some(row) = &f.row {
                orgs[*i] = row.clone();
            }
        }
        let columns = columns
            .into_iter()
            .map(|(k, (date, def, c))| {
                let mut c = (*c).clone();
                for (i, f) in &rows {
                    c.set(*i, value(f, date, &def));
                }
                (k, (date, def, Arc::new(c)))
            })
            .collect();
        return Inputs {
            orgs: Arc::new(orgs),
            by_code: old.by_code.clone(),
            columns: Mutex::new(columns),
        };
    }
    // Re-laid: the rows kept (old row number) and the fresh ones merged in list order.
    enum From<'a> {
        Old(usize),
        New(&'a Fresh),
    }
    let mut added: Vec<&Fresh> = fresh.values().filter(|f| f.row.is_some()).collect();
    added.sort_by(|a, b| {
        let (a, b) = (a.row.as_ref(), b.row.as_ref());
        a.map(|r| r.p.list_key()).cmp(&b.map(|r| r.p.list_key()))
    });
    let mut from: Vec<From> = Vec::with_capacity(old.orgs.len() + added.len());
    let mut next = added.into_iter().peekable();
    for (i, row) in old.orgs.iter().enumerate() {
        if fresh.contains_key(&row.p.id) {
            continue;
        }
        while let Some(f) = next.peek() {
            match f.row.as_ref() {
                Some(r) if r.p.list_key() < row.p.list_key() => {
                    from.push(From::New(f));
                    next.next();
                }
                _ => break,
            }
        }
        from.push(From::Old(i));
    }
    from.extend(next.map(From::New));
    let orgs: Vec<Arc<OrgRow>> = from
        .iter()
        .filter_map(|f| match f {
            From::Old(i) => Some(old.orgs[*i].clone()),
            From::New(f) => f.row.clone(),
        })
        .collect();
    let columns = columns
        .into_iter()
        .map(|(k, (date, def, c))| {
            let c = fact_column(
                &def,
                from.iter().map(|f| match f {
                    From::Old(i) => c.get(*i),
                    From::New(f) => value(f, date, &def),
                }),
            );
            (k, (date, def, Arc::new(c)))
        })
        .collect();
    let mut inputs = Inputs::new(orgs);
    inputs.columns = Mutex::new(columns);
    inputs
}

/// Builds the city's enterprises and every rule's classification in force today (the warmer
/// runs this at start and after writes, where it is a patch), so no clerk waits for a first
/// build.
pub(crate) fn warm(app: &App) {
    let who = Principal::local("warmer");
    let Ok(rules) = app.policy_rules(&who) else {
        return;
    };
    let date = crate::policy::today();
    for e in rules {
        if e.rule.version_at(date).is_err() {
            continue;
        }
        if let Err(e) = app.classify_all(&who, &e.rule, date) {
            eprintln!("政策匹配预建失败：{}", e.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use innomesh_store::EnterpriseProfile;

    fn row(id: &str, region: &str, name: &str) -> Arc<OrgRow> {
        Arc::new(OrgRow {
            p: EnterpriseProfile {
                id: id.into(),
                name: name.into(),
                region: region.into(),
                ..Default::default()
            },
            enterprise: true,
            patents: 0,
        })
    }

    #[test]
    fn rows_are_found_by_code() {
        let i = Inputs::new(vec![
            row("b", "150202", "甲"),
            row("a", "150203", "乙"),
            row("c", "150204", "丙"),
        ]);
        assert_eq!(i.row_of("a"), Some(1));
        assert_eq!(i.row_of("b"), Some(0));
        assert_eq!(i.row_of("c"), Some(2));
        assert_eq!(i.row_of("d"), None);
    }

    fn sample_app() -> Arc<App> {
        let app = App::in_memory().unwrap();
        let local = Principal::local("t");
        let data = innomesh_core::sample::generate(innomesh_core::sample::SampleConfig::default());
        app.import_records(&local, data.records, "t", &|_| {})
            .unwrap()
            .unwrap();
        app.seed_sample_facts(&local, &data.policy_facts).unwrap();
        app
    }

    /// The kept snapshot (patched) against one built from scratch: the same enterprises in the
    /// same order, every column built so far equal row by row, and every rule classifying alike.
    fn assert_same_as_rebuilt(app: &App, scope: &MatchScope, step: &str) {
        let kept = app.match_inputs(scope).unwrap();
        let fresh = Arc::new(app.build_inputs(scope).unwrap());
        assert_eq!(kept.orgs.len(), fresh.orgs.len(), "{step}: enterprises");
        for (a, b) in kept.orgs.iter().zip(fresh.orgs.iter()) {
            assert_eq!(a, b, "{step}: rows");
        }
        let built = kept.built();
        assert!(!built.is_empty(), "{step}: columns were built");
        for (date, def, column) in built {
            let rebuilt = fresh.column(app, &def, date).unwrap();
            for i in 0..kept.orgs.len() {
                assert_eq!(
                    column.get(i),
                    rebuilt.get(i),
                    "{step}: fact {} of {}",
                    def.key,
                    kept.orgs[i].p.name
                );
            }
        }
        let date = crate::policy::today();
        for e in app.policy_rules(&Principal::local("t")).unwrap() {
            let compiled = innomesh_policy::CompiledRule::new(&e.rule, date).unwrap();
            let table = |i: &Inputs| {
                let mut t = innomesh_policy::FactTable::new(i.orgs.len());
                for def in &e.rule.facts {
                    t.insert(&def.key, (*i.column(app, def, date).unwrap()).clone())
                        .unwrap();
                }
                compiled.classify(&t).unwrap()
            };
            let (a, b) = (table(&kept), table(&fresh));
            assert_eq!(a.categories, b.categories, "{step}: {}", e.rule.id);
            assert_eq!(a.counts, b.counts, "{step}: {}", e.rule.id);
        }
    }

    #[test]
    fn after_single_writes_the_patched_columns_equal_a_rebuild() {
        use innomesh_core::model::{Achievement, AchievementKind, Organisation};
        use innomesh_core::{CreditCode, Record};
        let app = sample_app();
        let local = Principal::local("t");
        let scope = app.match_scope(&local).unwrap();
        // Every rule's columns built, as after a start.
        warm(&app);
        let first = app.match_inputs(&scope).unwrap();
        assert!(first.orgs.len() > 20);
        let date = crate::policy::today();
        let n_columns = first.built().len();
        let enterprise = |i: usize| -> Organisation {
            let code = app.match_inputs(&scope).unwrap().orgs[i].p.id.clone();
            match app.repo.get(EntityKind::Organisation, &code).unwrap() {
                Some(Record::Organisation(o)) => o,
                other => panic!("{other:?}"),
            }
        };
        // Writes elsewhere change nothing: the same snapshot is kept.
        app.set_setting(&local, "policy-test", "1").unwrap();
        assert!(Arc::ptr_eq(&first, &app.match_inputs(&scope).unwrap()));
        // An organisation that is not an enterprise (a university) edited: not in the scope's
        // list before or after, so the same snapshot is kept (no column laid out again).
        let university = app
            .repo
            .all(EntityKind::Organisation)
            .unwrap()
            .into_iter()
            .find_map(|r| match r {
                Record::Organisation(o) if o.kind != innomesh_core::model::OrgKind::Enterprise => {
                    Some(o)
                }
                _ => None,
            })
            .expect("the sample has universities and institutes");
        let mut u = university.clone();
        u.employees = Some(u.employees.unwrap_or(0) + 1);
        let code = u.credit_code.as_str().to_string();
        app.update(
            &local,
            EntityKind::Organisation,
            &code,
            Record::Organisation(u),
        )
        .unwrap();
        assert!(
            Arc::ptr_eq(&first, &app.match_inputs(&scope).unwrap()),
            "a university's edit keeps the snapshot"
        );

        // 1. An enterprise edited in place (figures only): its row changes, nothing moves.
        let mut o = enterprise(3);
        o.revenue = Some(o.revenue.unwrap_or(0.0) + 12_345.0);
        o.rd_spend = Some(1_000.0);
        o.employees = Some(321);
        o.rd_staff = Some(99);
        o.high_tech = !o.high_tech;
        let code = o.credit_code.as_str().to_string();
        app.update(
            &local,
            EntityKind::Organisation,
            &code,
            Record::Organisation(o),
        )
        .unwrap();
        let after = app.match_inputs(&scope).unwrap();
        assert!(!Arc::ptr_eq(&first, &after), "a new snapshot");
        assert!(
            Arc::ptr_eq(&first.orgs[0], &after.orgs[0]),
            "patched, not rebuilt: untouched rows are shared"
        );
        assert_eq!(after.built().len(), n_columns, "every column carried over");
        assert_same_as_rebuilt(&app, &scope, "edited");

        // 2. Renamed and moved to another district: it moves in the list order.
        let mut o = enterprise(0);
        o.name = format!("{}（更名）", o.name);
        let other = app
            .match_inputs(&scope)
            .unwrap()
            .orgs
            .last()
            .unwrap()
            .p
            .region
            .clone();
        o.region = innomesh_core::RegionCode::parse(&other).unwrap();
        let code = o.credit_code.as_str().to_string();
        app.update(
            &local,
            EntityKind::Organisation,
            &code,
            Record::Organisation(o),
        )
        .unwrap();
        assert_same_as_rebuilt(&app, &scope, "renamed and moved");

        // 3. Facts entered (and one withdrawn) for one enterprise.
        let code = app.match_inputs(&scope).unwrap().orgs[5].p.id.clone();
        let facts = [
            crate::policy::FactInput {
                key: "innovation_score".into(),
                value: serde_json::json!(88),
            },
            crate::policy::FactInput {
                key: "rd_domestic_share".into(),
                value: serde_json::Value::Null,
            },
        ];
        app.set_org_facts(&local, &code, &facts, None, "t").unwrap();
        let row = app.match_inputs(&scope).unwrap().row_of(&code).unwrap();
        let rule = app.policy_rule(&local, "hitech_certification").unwrap();
        let def = rule.rule.fact("innovation_score").unwrap();
        assert_eq!(
            app.match_inputs(&scope)
                .unwrap()
                .column(&app, def, date)
                .unwrap()
                .get(row),
            Some(innomesh_policy::Value::Num(88.0)),
            "the entered fact is in the kept column"
        );
        assert_same_as_rebuilt(&app, &scope, "facts entered");

        // 4. An enterprise added, with a patent.
        let mut o = enterprise(7);
        let new_code = CreditCode::with_check_digit("91150203MA0099887").unwrap();
        o.credit_code = new_code.clone();
        o.name = "新增测试企业".into();
        app.create(&local, Record::Organisation(o)).unwrap();
        assert!(app
            .match_inputs(&scope)
            .unwrap()
            .row_of(new_code.as_str())
            .is_some());
        assert_same_as_rebuilt(&app, &scope, "added");
        let patent = app
            .create(
                &local,
                Record::Achievement(Achievement {
                    id: String::new(),
                    title: "测试专利".into(),
                    kind: AchievementKind::Patent,
                    owners: vec![new_code.clone()],
                    region: None,
                    industry: None,
                    text: String::new(),
                    trl: None,
                    year: None,
                }),
            )
            .unwrap();
        let inputs = app.match_inputs(&scope).unwrap();
        let row = inputs.row_of(new_code.as_str()).unwrap();
        assert_eq!(inputs.orgs[row].patents, 1);
        assert_same_as_rebuilt(&app, &scope, "patent added");

        // 5. The patent and the enterprise deleted.
        app.delete(&local, EntityKind::Achievement, patent.id())
            .unwrap();
        app.delete(&local, EntityKind::Organisation, new_code.as_str())
            .unwrap();
        assert!(app
            .match_inputs(&scope)
            .unwrap()
            .row_of(new_code.as_str())
            .is_none());
        assert_same_as_rebuilt(&app, &scope, "deleted");

        // A district clerk's scope is patched the same way.
        let district = MatchScope {
            prefix: first.orgs[0].p.region.clone(),
            ids: None,
        };
        warm_scope(&app, &district);
        let mut o = enterprise(1);
        o.employees = Some(7);
        let code = o.credit_code.as_str().to_string();
        app.update(
            &local,
            EntityKind::Organisation,
            &code,
            Record::Organisation(o),
        )
        .unwrap();
        assert_same_as_rebuilt(&app, &district, "district");
    }

    fn warm_scope(app: &App, scope: &MatchScope) {
        let date = crate::policy::today();
        let inputs = app.match_inputs(scope).unwrap();
        for e in app.policy_rules(&Principal::local("t")).unwrap() {
            for def in &e.rule.facts {
                inputs.column(app, def, date).unwrap();
            }
        }
    }
}
