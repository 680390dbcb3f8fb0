//! 技术交易: the stage rule of a deal, the figures a city reports on technology contracts (by
//! type, by the seller's and the buyer's district, by seller kind, and local conversion of local
//! universities' results), the performance of intermediaries and technology managers with the
//! deals behind each figure, and the network of who connects which sellers to which buyers.

use crate::auth::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_core::model::{
    ContractType, DealStage, DemandStatus, OrgKind, Organisation, TechDeal,
};
use innomesh_core::{EntityKind, Labelled, Record};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One group of a figure: how many signed deals and their value (万元).
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DealGroup {
    pub key: String,
    pub label: String,
    pub deals: usize,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct DealFigures {
    /// Only deals signed in this year, when given.
    pub year: Option<i32>,
    pub signed: usize,
    pub value: f64,
    pub paid: f64,
    pub by_type: Vec<DealGroup>,
    /// 技术输出: by the seller's district.
    pub by_seller_district: Vec<DealGroup>,
    /// 技术吸纳: by the buyer's district.
    pub by_buyer_district: Vec<DealGroup>,
    pub by_seller_kind: Vec<DealGroup>,
    /// Results of the city's universities and institutes: taken up in the city…
    pub local_conversion: DealGroup,
    /// …and outside it.
    pub outside_conversion: DealGroup,
    /// Deals in each stage of the pipeline (all deals, signed or not).
    pub pipeline: Vec<DealGroup>,
}

/// What a broker (an intermediary organisation or a technology manager) achieved.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Performance {
    pub id: String,
    pub name: String,
    /// Deals it carries, in any stage.
    pub deals: usize,
    /// Of which signed or later.
    pub closed: usize,
    pub value: f64,
    /// Median days from 意向 to 签约 over its signed deals.
    pub median_days_to_sign: Option<f64>,
    /// Buyers with more than one deal through it.
    pub repeat_clients: usize,
    pub clients: usize,
    /// Technology managers: demands carried to 已签约 or beyond.
    pub demands_contracted: usize,
    pub demands_carried: usize,
    /// The deals behind the figures.
    pub evidence: Vec<String>,
    /// An intermediary's services and fields (科技中介服务、服务领域), on its own page.
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub service_fields: Vec<String>,
    /// An intermediary's technology managers with their certificates; a manager's own certificate.
    #[serde(default)]
    pub managers: Vec<Certified>,
}

/// A technology manager and the certificate they hold (技术经理人证书).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Certified {
    pub id: String,
    pub name: String,
    pub certificate_no: String,
    pub certificate_level: String,
    pub certificate_date: Option<String>,
    pub region: String,
}

fn certified(p: &innomesh_core::model::Person) -> Certified {
    Certified {
        id: p.id.clone(),
        name: p.name.clone(),
        certificate_no: p.certificate_no.clone(),
        certificate_level: p.certificate_level.clone(),
        certificate_date: p.certificate_date.map(|d| d.to_string()),
        region: p.region.as_ref().map(|r| r.name()).unwrap_or_default(),
    }
}

/// The network of signed deals: sellers, brokers and buyers with the deals between them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Network {
    pub sellers: Vec<(String, String, usize)>,
    pub brokers: Vec<(String, String, usize)>,
    pub buyers: Vec<(String, String, usize)>,
    /// (from, to, deals, value): seller → broker → buyer, or seller → buyer when direct.
    pub edges: Vec<(String, String, usize, f64)>,
}

fn region_name(code: &str) -> String {
    innomesh_core::reference::regions()
        .resolve(code)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

fn days(a: innomesh_core::values::Date, b: innomesh_core::values::Date) -> Option<f64> {
    let a = innomesh_core::sharing::to_time_date(a).ok()?;
    let b = innomesh_core::sharing::to_time_date(b).ok()?;
    Some((b - a).whole_days() as f64)
}

fn add(map: &mut BTreeMap<String, DealGroup>, key: &str, label: impl FnOnce() -> String, v: f64) {
    let g = map.entry(key.to_string()).or_insert_with(|| DealGroup {
        key: key.to_string(),
        label: label(),
        ..Default::default()
    });
    g.deals += 1;
    g.value += v;
}

fn sorted(map: BTreeMap<String, DealGroup>) -> Vec<DealGroup> {
    let mut v: Vec<DealGroup> = map.into_values().collect();
    v.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.key.cmp(&b.key)));
    v
}

impl App {
    pub(crate) fn deals_all(&self) -> Result<Vec<TechDeal>> {
        Ok(self
            .repo
            .all(EntityKind::TechDeal)?
            .into_iter()
            .filter_map(|r| match r {
                Record::TechDeal(d) => Some(d),
                _ => None,
            })
            .collect())
    }

    fn orgs_by_code(&self, codes: BTreeSet<String>) -> Result<HashMap<String, Organisation>> {
        let mut out = HashMap::new();
        for c in codes {
            if let Some(Record::Organisation(o)) = self.repo.get(EntityKind::Organisation, &c)? {
                out.insert(c, o);
            }
        }
        Ok(out)
    }

    /// The figures of technology contracts signed (in `year`, when given).
    pub fn deal_figures(&self, who: &Principal, year: Option<i32>) -> Result<DealFigures> {
        who.require(Perm::Engines)?;
        let deals = self.deals_all()?;
        let mut codes = BTreeSet::new();
        for d in &deals {
            codes.insert(d.seller.as_str().to_string());
            codes.insert(d.buyer.as_str().to_string());
        }
        let orgs = self.orgs_by_code(codes)?;
        let home = self
            .repo
            .meta("home_region")?
            .unwrap_or_else(|| crate::chains::DEFAULT_HOME_REGION.to_string());
        let mut f = DealFigures {
            year,
            ..Default::default()
        };
        let mut pipeline: BTreeMap<usize, DealGroup> = BTreeMap::new();
        let (mut by_type, mut by_sd, mut by_bd, mut by_kind) = (
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
            BTreeMap::new(),
        );
        for d in &deals {
            let g = pipeline
                .entry(d.stage.stage())
                .or_insert_with(|| DealGroup {
                    key: d.stage.code().into(),
                    label: d.stage.label().into(),
                    ..Default::default()
                });
            g.deals += 1;
            g.value += d.amount.unwrap_or(0.0);
            if !d.stage.signed() {
                continue;
            }
            if let Some(y) = year {
                if d.signed_date.map(|s| s.year) != Some(y) {
                    continue;
                }
            }
            let v = d.amount.unwrap_or(0.0);
            f.signed += 1;
            f.value += v;
            f.paid += d.paid.unwrap_or(0.0);
            add(
                &mut by_type,
                d.contract_type.code(),
                || d.contract_type.label().into(),
                v,
            );
            let seller = orgs.get(d.seller.as_str());
            let buyer = orgs.get(d.buyer.as_str());
            let county = |o: Option<&Organisation>| {
                o.map(|o| o.region.as_str().chars().take(6).collect::<String>())
                    .unwrap_or_default()
            };
            let sd = county(seller);
            add(&mut by_sd, &sd, || region_name(&sd), v);
            let bd = county(buyer);
            add(&mut by_bd, &bd, || region_name(&bd), v);
            let kind = seller.map(|o| o.kind).unwrap_or(OrgKind::Enterprise);
            add(&mut by_kind, kind.code(), || kind.label().into(), v);
            let academic_local = seller.is_some_and(|o| {
                matches!(o.kind, OrgKind::University | OrgKind::Institute)
                    && o.region.as_str().starts_with(&home)
            });
            if academic_local {
                let g = if buyer.is_some_and(|o| o.region.as_str().starts_with(&home)) {
                    &mut f.local_conversion
                } else {
                    &mut f.outside_conversion
                };
                g.deals += 1;
                g.value += v;
            }
        }
        f.local_conversion.label = "本地高校院所成果在本市转化".into();
        f.outside_conversion.label = "本地高校院所成果到市外转化".into();
        f.by_type = sorted(by_type);
        f.by_seller_district = sorted(by_sd);
        f.by_buyer_district = sorted(by_bd);
        f.by_seller_kind = sorted(by_kind);
        f.pipeline = pipeline.into_values().collect();
        Ok(f)
    }

    /// Performance of every intermediary organisation and technology manager with deals.
    pub fn broker_performance(
        &self,
        who: &Principal,
    ) -> Result<(Vec<Performance>, Vec<Performance>)> {
        who.require(Perm::Engines)?;
        let deals = self.deals_all()?;
        let demands: Vec<innomesh_core::model::Demand> = self
            .repo
            .all(EntityKind::Demand)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Demand(d) => Some(d),
                _ => None,
            })
            .collect();
        let mut by_org: BTreeMap<String, Vec<&TechDeal>> = BTreeMap::new();
        let mut by_manager: BTreeMap<String, Vec<&TechDeal>> = BTreeMap::new();
        for d in &deals {
            if let Some(i) = &d.intermediary {
                by_org.entry(i.as_str().to_string()).or_default().push(d);
            }
            if let Some(m) = &d.manager {
                by_manager.entry(m.clone()).or_default().push(d);
            }
        }
        let orgs = self.orgs_by_code(by_org.keys().cloned().collect())?;
        let mut intermediaries: Vec<Performance> = by_org
            .into_iter()
            .map(|(code, ds)| {
                let name = orgs
                    .get(&code)
                    .map(|o| o.name.clone())
                    .unwrap_or(code.clone());
                performance(code, name, &ds)
            })
            .collect();
        let mut managers = Vec::new();
        for (id, ds) in by_manager {
            let name = match self.repo.get(EntityKind::Person, &id)? {
                Some(Record::Person(p)) => p.name,
                _ => id.clone(),
            };
            let mut p = performance(id.clone(), name, &ds);
            let carried: Vec<_> = demands
                .iter()
                .filter(|d| d.manager.as_deref() == Some(id.as_str()))
                .collect();
            p.demands_carried = carried.len();
            p.demands_contracted = carried
                .iter()
                .filter(|d| d.status.stage() >= DemandStatus::Contracted.stage())
                .count();
            managers.push(p);
        }
        let rank = |v: &mut Vec<Performance>| {
            v.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.id.cmp(&b.id)))
        };
        rank(&mut intermediaries);
        rank(&mut managers);
        Ok((intermediaries, managers))
    }

    /// One broker's performance: an intermediary (credit code) or a technology manager (person
    /// id). An intermediary's own account and a manager's own account see theirs.
    pub fn broker(&self, who: &Principal, id: &str) -> Result<Performance> {
        let own = matches!(who.role, Role::Enterprise | Role::TechManager) && who.scope == id;
        let staff = who.may(Perm::Engines);
        if !(own || staff) {
            return Err(Error::new(
                Code::Forbidden,
                "只能查看本机构或本人的交易业绩",
            ));
        }
        let local = Principal::local("broker-view");
        let (orgs, managers) = self.broker_performance(&local)?;
        let mut p = orgs
            .into_iter()
            .chain(managers)
            .find(|p| p.id == id)
            .ok_or_else(|| Error::new(Code::NotFound, format!("「{id}」没有经手的技术交易")))?;
        match self.repo.get(EntityKind::Organisation, id)? {
            Some(Record::Organisation(o)) => {
                p.services = o.intermediary_services;
                p.service_fields = o.service_fields;
                // Its staff who are technology managers (登记库中所在单位为本机构).
                for r in self.repo.all(EntityKind::Person)? {
                    if let Record::Person(x) = r {
                        if x.role == innomesh_core::model::PersonRole::TechnologyManager
                            && x.organisation.as_ref().map(|c| c.as_str()) == Some(id)
                        {
                            p.managers.push(certified(&x));
                        }
                    }
                }
            }
            _ => {
                if let Some(Record::Person(x)) = self.repo.get(EntityKind::Person, id)? {
                    p.managers.push(certified(&x));
                }
            }
        }
        Ok(p)
    }

    /// Who connects which sellers to which buyers, over signed deals.
    pub fn deal_network(&self, who: &Principal) -> Result<Network> {
        who.require(Perm::Engines)?;
        let deals: Vec<TechDeal> = self
            .deals_all()?
            .into_iter()
            .filter(|d| d.stage.signed())
            .collect();
        let mut codes = BTreeSet::new();
        for d in &deals {
            codes.insert(d.seller.as_str().to_string());
            codes.insert(d.buyer.as_str().to_string());
            if let Some(i) = &d.intermediary {
                codes.insert(i.as_str().to_string());
            }
        }
        let orgs = self.orgs_by_code(codes)?;
        let name = |c: &str| orgs.get(c).map(|o| o.name.clone()).unwrap_or(c.to_string());
        let mut sellers: BTreeMap<String, usize> = BTreeMap::new();
        let mut brokers: BTreeMap<String, usize> = BTreeMap::new();
        let mut buyers: BTreeMap<String, usize> = BTreeMap::new();
        let mut edges: BTreeMap<(String, String), (usize, f64)> = BTreeMap::new();
        for d in &deals {
            let (s, b) = (d.seller.as_str().to_string(), d.buyer.as_str().to_string());
            *sellers.entry(s.clone()).or_default() += 1;
            *buyers.entry(b.clone()).or_default() += 1;
            let v = d.amount.unwrap_or(0.0);
            let mut edge = |from: &str, to: &str| {
                let e = edges.entry((from.to_string(), to.to_string())).or_default();
                e.0 += 1;
                e.1 += v;
            };
            match &d.intermediary {
                Some(i) => {
                    *brokers.entry(i.as_str().to_string()).or_default() += 1;
                    edge(&s, i.as_str());
                    edge(i.as_str(), &b);
                }
                None => edge(&s, &b),
            }
        }
        let list = |m: BTreeMap<String, usize>| {
            let mut v: Vec<(String, String, usize)> = m
                .into_iter()
                .map(|(c, n)| (name(&c), c, n))
                .map(|(n, c, k)| (c, n, k))
                .collect();
            v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            v
        };
        Ok(Network {
            sellers: list(sellers),
            brokers: list(brokers),
            buyers: list(buyers),
            edges: edges
                .into_iter()
                .map(|((a, b), (n, v))| (a, b, n, v))
                .collect(),
        })
    }
}

fn performance(id: String, name: String, ds: &[&TechDeal]) -> Performance {
    let signed: Vec<&&TechDeal> = ds.iter().filter(|d| d.stage.signed()).collect();
    let mut per_buyer: HashMap<&str, usize> = HashMap::new();
    for d in ds {
        *per_buyer.entry(d.buyer.as_str()).or_default() += 1;
    }
    Performance {
        deals: ds.len(),
        closed: signed.len(),
        value: signed.iter().map(|d| d.amount.unwrap_or(0.0)).sum(),
        median_days_to_sign: median(
            signed
                .iter()
                .filter_map(|d| d.signed_date.and_then(|s| days(d.intent_date, s)))
                .collect(),
        ),
        repeat_clients: per_buyer.values().filter(|n| **n > 1).count(),
        clients: per_buyer.len(),
        demands_contracted: 0,
        demands_carried: 0,
        evidence: ds.iter().map(|d| d.id.clone()).collect(),
        id,
        name,
        ..Default::default()
    }
}

/// The registry as a 技术合同登记 import needs it: organisations by name, deals by registration
/// number.
pub(crate) struct RegistryLookup {
    names: HashMap<String, Vec<String>>,
    deals: HashMap<String, TechDeal>,
}

impl RegistryLookup {
    pub(crate) fn load(app: &App) -> Result<Self> {
        let mut names: HashMap<String, Vec<String>> = HashMap::new();
        for r in app.repo.all(EntityKind::Organisation)? {
            if let Record::Organisation(o) = r {
                names
                    .entry(o.name.trim().to_string())
                    .or_default()
                    .push(o.credit_code.as_str().to_string());
            }
        }
        let deals = app
            .deals_all()?
            .into_iter()
            .filter(|d| !d.registration_no.trim().is_empty())
            .map(|d| (d.registration_no.trim().to_string(), d))
            .collect();
        Ok(Self { names, deals })
    }
}

impl innomesh_core::registration::Registry for RegistryLookup {
    fn orgs_named(&self, name: &str) -> Vec<String> {
        self.names.get(name).cloned().unwrap_or_default()
    }
    fn deal_registered(&self, registration_no: &str) -> Option<TechDeal> {
        self.deals.get(registration_no).cloned()
    }
}

/// The stage rule of a deal change: forward one stage at a time.
pub(crate) fn check_deal_move(old: &Record, new: &Record) -> Result<()> {
    if let (Record::TechDeal(a), Record::TechDeal(b)) = (old, new) {
        a.stage
            .check_move(b.stage)
            .map_err(|m| Error::new(Code::InvalidTransition, m))?;
    }
    Ok(())
}

/// The contract types, for pages.
pub fn contract_types() -> &'static [ContractType] {
    ContractType::ALL
}

/// The stages, for pages.
pub fn stages() -> &'static [DealStage] {
    DealStage::ALL
}

/// 共性技术问题: open demands grouped by what they ask (see `innomesh_matching::cluster`).
#[derive(Debug, Clone, Serialize)]
pub struct CommonProblem {
    /// The cluster's most characteristic words.
    pub terms: Vec<String>,
    /// (demand id, title, organisation name).
    pub demands: Vec<(String, String, String)>,
    /// How many different units ask it.
    pub organisations: usize,
    /// Chain nodes whose keywords the demands mention: (node id, node name, mentions).
    pub nodes: Vec<(String, String, usize)>,
}

impl App {
    /// Open demands (before 已签约) clustered into common problems: clusters asked by at least two
    /// units, the most asked first. `k` defaults to √(n / 2).
    pub fn common_problems(&self, who: &Principal, k: Option<usize>) -> Result<Vec<CommonProblem>> {
        who.require(Perm::Engines)?;
        let v = self
            .derived
            .common_problems
            .get(self, k, || self.cluster_open_demands(k))?;
        Ok(v.as_ref().clone())
    }

    fn cluster_open_demands(&self, k: Option<usize>) -> Result<Vec<CommonProblem>> {
        let demands: Vec<innomesh_core::model::Demand> = self
            .repo
            .all(EntityKind::Demand)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Demand(d) if d.status.stage() < DemandStatus::Contracted.stage() => Some(d),
                _ => None,
            })
            .collect();
        if demands.len() < 2 {
            return Ok(vec![]);
        }
        let texts: Vec<String> = demands
            .iter()
            .map(|d| format!("{} {} {}", d.title, d.text, d.goal_metric))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let k = k
            .unwrap_or_else(|| ((demands.len() as f64 / 2.0).sqrt().round() as usize).max(2))
            .clamp(2, demands.len());
        let seg = crate::dictionaries::active(self)?.segmenter.clone();
        let c = innomesh_matching::cluster::cluster_texts(seg, &refs, k, 42);
        let nodes: Vec<innomesh_core::model::ChainNode> = self
            .repo
            .all(EntityKind::ChainNode)?
            .into_iter()
            .filter_map(|r| match r {
                Record::ChainNode(n) => Some(n),
                _ => None,
            })
            .collect();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut out = Vec::new();
        for j in 0..c.k {
            let members: Vec<usize> = (0..demands.len())
                .filter(|&i| c.assignment[i] == j)
                .collect();
            let orgs: BTreeSet<&str> = members
                .iter()
                .map(|&i| demands[i].organisation.as_str())
                .collect();
            if orgs.len() < 2 {
                continue;
            }
            let mut mentions: BTreeMap<String, (String, usize)> = BTreeMap::new();
            for &i in &members {
                for n in &nodes {
                    if n.keywords
                        .iter()
                        .any(|kw| !kw.is_empty() && texts[i].contains(kw.as_str()))
                    {
                        mentions
                            .entry(n.id.clone())
                            .or_insert((n.name.clone(), 0))
                            .1 += 1;
                    }
                }
            }
            let mut node_list: Vec<(String, String, usize)> = mentions
                .into_iter()
                .map(|(id, (name, n))| (id, name, n))
                .collect();
            node_list.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
            node_list.truncate(5);
            let mut list = Vec::new();
            for &i in &members {
                let d = &demands[i];
                let code = d.organisation.as_str().to_string();
                let name = match names.get(&code) {
                    Some(n) => n.clone(),
                    None => {
                        let n = match self.repo.get(EntityKind::Organisation, &code)? {
                            Some(Record::Organisation(o)) => o.name,
                            _ => code.clone(),
                        };
                        names.insert(code.clone(), n.clone());
                        n
                    }
                };
                list.push((d.id.clone(), d.title.clone(), name));
            }
            out.push(CommonProblem {
                terms: c.terms[j].clone(),
                organisations: orgs.len(),
                demands: list,
                nodes: node_list,
            });
        }
        out.sort_by(|a, b| {
            b.organisations
                .cmp(&a.organisations)
                .then(b.demands.len().cmp(&a.demands.len()))
        });
        Ok(out)
    }
}
