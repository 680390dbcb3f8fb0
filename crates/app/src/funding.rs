//! The funding service (一盘棋): one picture of applications across programmes and districts,
//! duplicate detection over the stored applications, and the applicant's pre-submission check.

use crate::Error;
use innomesh_core::reference::regions;
use innomesh_core::{EntityKind, Record};
use innomesh_dedup::{
    Application as DApp, BudgetLine, DedupConfig, DedupIndex, IdentityKey, TeamMember,
};
use innomesh_store::Repository;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Meta key of the installation's secret for keyed hashes of ID numbers. A secret meta key (see
/// [`crate::is_secret_key`]): written with `set_secret`, its audit entries shown redacted.
pub const IDENTITY_KEY: &str = "identity_key";

/// The installation's secret for keyed hashes of ID numbers: 32 bytes from the OS random source,
/// hex-encoded, created on first use and kept in the store.
///
/// No digest is ever persisted: every duplicate check, funding overview and pre-submission check
/// rebuilds the tokens from the ID numbers held in the stored applications (`to_dedup` →
/// `innomesh_dedup::check` / `DedupIndex`), and the results kept in `App` are cached per registry
/// version and hold only masked numbers. So an existing key is kept as it is — including the
/// clock-derived keys of earlier versions (or any other weak one, e.g. shorter than 64 hex
/// digits) — and two first uses racing to create the key are harmless: each run hashes every
/// number under the one key it read.
pub fn identity_key(repo: &dyn Repository) -> Result<IdentityKey, Error> {
    if let Some(k) = repo.meta(IDENTITY_KEY)? {
        // Earlier versions made the key from the clock and wrote it into the audit log in plain.
        // No digest is ever stored (they are recomputed on each run), so such a key is simply
        // replaced: a key that was readable once is not a key.
        let exposed = k.len() < 64
            || repo
                .audit(None, Some(IDENTITY_KEY), 1)?
                .first()
                .is_some_and(|latest| latest.action == "set_meta");
        if !exposed {
            return Ok(IdentityKey::new(k.into_bytes()));
        }
    }
    let key = new_key()?;
    repo.set_secret(IDENTITY_KEY, &key, &innomesh_store::Actor::system("system"))?;
    Ok(IdentityKey::new(key.into_bytes()))
}

/// 256 bits from the OS random source, as 64 lower-case hex digits.
fn new_key() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::internal(format!("OS random source unavailable: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn to_dedup(a: &innomesh_core::model::Application) -> DApp {
    let mut text = a.abstract_text.clone();
    for s in &a.sections {
        if s.text != a.abstract_text {
            text.push('\n');
            text.push_str(&s.text);
        }
    }
    DApp {
        id: a.id.clone(),
        title: a.title.clone(),
        text,
        applicant_credit_code: Some(a.applicant.to_string()),
        programme: Some(a.programme.clone()),
        year: Some(a.year),
        team: a
            .team
            .iter()
            .map(|m| TeamMember {
                name: m.name.clone(),
                id_number: m.id_number.full().to_string(),
            })
            .collect(),
        budget: a
            .budget_lines
            .iter()
            .map(|b| BudgetLine {
                item: b.item.clone(),
                amount: b.amount,
            })
            .collect(),
    }
}

pub fn applications(
    repo: &dyn Repository,
) -> Result<Vec<innomesh_core::model::Application>, Error> {
    Ok(repo
        .all(EntityKind::Application)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Application(a) => Some(a),
            _ => None,
        })
        .collect())
}

fn config(repo: &dyn Repository) -> Result<DedupConfig, Error> {
    Ok(DedupConfig {
        identity_key: Some(identity_key(repo)?),
        ..DedupConfig::default()
    })
}

/// Every flagged pair across all programmes and years, with evidence (ID numbers masked).
pub fn duplicates(repo: &dyn Repository) -> Result<Vec<innomesh_dedup::FlaggedPair>, Error> {
    let apps: Vec<DApp> = applications(repo)?.iter().map(to_dedup).collect();
    Ok(innomesh_dedup::check(&apps, &config(repo)?).pairs)
}

/// A draft compared only with the same applicant's earlier applications: the index holds
/// nothing else, so no other applicant's text can appear in the answer.
pub fn check_draft(
    repo: &dyn Repository,
    draft: &innomesh_core::model::Application,
) -> Result<Vec<innomesh_dedup::Match>, Error> {
    let mut index = DedupIndex::new(config(repo)?);
    for a in applications(repo)?
        .iter()
        .filter(|a| a.applicant == draft.applicant && a.id != draft.id)
    {
        index
            .insert(to_dedup(a))
            .map_err(|e| Error::internal(e.to_string()))?;
    }
    let mut d = to_dedup(draft);
    if d.id.is_empty() {
        d.id = "草稿".into();
    }
    Ok(innomesh_dedup::check_draft(
        &d,
        draft.applicant.as_str(),
        &index,
    ))
}

#[derive(Debug, Serialize, Default)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub applications: usize,
    /// 申请金额, 万元.
    pub requested: f64,
    pub budget: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct MultiProgrammeFirm {
    pub credit_code: String,
    pub name: String,
    pub year: i32,
    pub programmes: Vec<String>,
    pub requested: f64,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub year: Option<i32>,
    pub applications: usize,
    pub requested: f64,
    pub by_programme: Vec<Bucket>,
    pub by_department: Vec<Bucket>,
    pub by_district: Vec<Bucket>,
    pub by_chain_node: Vec<Bucket>,
    pub top_applicants: Vec<Bucket>,
    /// Firms applying to two or more programmes in the same year.
    pub multi_programme: Vec<MultiProgrammeFirm>,
}

fn add(map: &mut BTreeMap<String, Bucket>, key: &str, label: impl FnOnce() -> String, amount: f64) {
    let b = map.entry(key.to_string()).or_insert_with(|| Bucket {
        key: key.to_string(),
        label: label(),
        ..Default::default()
    });
    b.applications += 1;
    b.requested += amount;
}

fn sorted(map: BTreeMap<String, Bucket>) -> Vec<Bucket> {
    let mut v: Vec<Bucket> = map.into_values().collect();
    v.sort_by(|a, b| b.requested.total_cmp(&a.requested).then(a.key.cmp(&b.key)));
    v
}

/// Money by programme, department, district, chain node and applicant.
pub fn overview(st: &crate::App, year: Option<i32>) -> Result<Overview, Error> {
    let repo = st.repo.as_ref();
    let apps: Vec<_> = applications(repo)?
        .into_iter()
        .filter(|a| year.is_none_or(|y| a.year == y))
        .collect();
    let programmes: HashMap<String, innomesh_core::model::Programme> = repo
        .all(EntityKind::Programme)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Programme(p) => Some((p.id.clone(), p)),
            _ => None,
        })
        .collect();
    let codes: Vec<String> = apps
        .iter()
        .map(|a| a.applicant.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names = repo.org_names(&codes)?;
    // Each applicant's primary chain node (highest confidence), from the chain engine's mapping.
    let loaded = crate::chains::loaded(st)?;
    let mut node_of: HashMap<String, (String, String)> = HashMap::new();
    for c in &codes {
        if let Some(&i) = loaded.codes.get(c) {
            if let Some(m) = loaded
                .engine
                .explain_org(i)
                .into_iter()
                .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
            {
                node_of.insert(c.clone(), (crate::chains::store_id(&m.node), m.name));
            }
        }
    }
    let (mut by_p, mut by_dep, mut by_d, mut by_n, mut by_a) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    let mut per_firm_year: BTreeMap<(String, i32), (Vec<String>, f64)> = BTreeMap::new();
    let mut total = 0.0;
    for a in &apps {
        let amount = a
            .amount
            .unwrap_or_else(|| a.budget_lines.iter().map(|b| b.amount).sum());
        total += amount;
        let prog = programmes.get(&a.programme);
        add(
            &mut by_p,
            &a.programme,
            || {
                prog.map(|p| p.name.clone())
                    .unwrap_or_else(|| a.programme.clone())
            },
            amount,
        );
        let dep = prog
            .map(|p| p.department.clone())
            .unwrap_or_else(|| "未登记".into());
        add(&mut by_dep, &dep, || dep.clone(), amount);
        let region = a
            .region
            .as_ref()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default();
        add(
            &mut by_d,
            &region,
            || {
                regions()
                    .get(&region)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| "未知".into())
            },
            amount,
        );
        let code = a.applicant.to_string();
        match node_of.get(&code) {
            Some((id, name)) => add(&mut by_n, id, || name.clone(), amount),
            None => add(&mut by_n, "", || "未挂链".into(), amount),
        }
        add(
            &mut by_a,
            &code,
            || names.get(&code).cloned().unwrap_or_default(),
            amount,
        );
        let e = per_firm_year.entry((code, a.year)).or_default();
        if !e.0.contains(&a.programme) {
            e.0.push(a.programme.clone());
        }
        e.1 += amount;
    }
    let mut by_programme = sorted(by_p);
    for b in &mut by_programme {
        b.budget = programmes.get(&b.key).and_then(|p| p.budget);
    }
    let mut top_applicants = sorted(by_a);
    top_applicants.truncate(50);
    let mut multi: Vec<MultiProgrammeFirm> = per_firm_year
        .into_iter()
        .filter(|(_, (p, _))| p.len() >= 2)
        .map(
            |((code, year), (programmes, requested))| MultiProgrammeFirm {
                name: names.get(&code).cloned().unwrap_or_default(),
                credit_code: code,
                year,
                programmes,
                requested,
            },
        )
        .collect();
    multi.sort_by(|a, b| {
        b.programmes
            .len()
            .cmp(&a.programmes.len())
            .then(b.requested.total_cmp(&a.requested))
    });
    Ok(Overview {
        year,
        applications: apps.len(),
        requested: total,
        by_programme,
        by_department: sorted(by_dep),
        by_district: sorted(by_d),
        by_chain_node: sorted(by_n),
        top_applicants,
        multi_programme: multi,
    })
}

/// The funding overview, kept until the registry changes.
pub fn cached_overview(
    app: &crate::App,
    year: Option<i32>,
) -> Result<std::sync::Arc<Overview>, Error> {
    app.derived
        .funding_overview
        .get(app, year, || overview(app, year))
}

/// Flagged application pairs, kept until the registry changes.
pub fn cached_duplicates(
    app: &crate::App,
) -> Result<std::sync::Arc<Vec<innomesh_dedup::FlaggedPair>>, Error> {
    app.derived
        .duplicates
        .get(app, (), || duplicates(app.repo()))
}
