//! 考核评估 rounds over the registry: which platforms a framework assesses, the figures the
//! registry holds for them (with the query and the records behind each), the manual figures
//! platforms enter with evidence and the bureau checks (填报 → 审核), and publishing a round with
//! its framework text and data snapshot so anyone can recompute it with `innomesh assess run`.
//!
//! Who may do what: city staff (and the local command line) create, compute, publish and review;
//! auditors read every round; a platform's account (role 专家 / 平台 scoped to the platform's id)
//! reads its own scorecard and enters its own manual figures; everyone else is refused.

use crate::auth::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_assess::{
    assess, Assessment, Dataset, Framework, Options, SensitivityRow, Source, Table, UnitResult,
};
use innomesh_core::model::{
    AchievementKind, PlatformKind, PlatformStatus, ResponseOutcome, SolverType,
};
use innomesh_core::{EntityKind, Labelled, Record};
use innomesh_store::assessment::{AssessmentEntry, AssessmentRound, RoundPair};
use serde::Serialize;
use std::collections::HashMap;

/// The registry queries a framework may name, with what each counts (shown beside each figure).
pub const QUERIES: &[(&str, &str)] = &[
    (
        "achievements_by_host_year",
        "依托单位为所有人之一、年度为评估年度的科技成果和论文（不含专利）",
    ),
    (
        "patents_by_host_year",
        "依托单位为所有人之一、年度为评估年度的专利",
    ),
    (
        "funding_by_host_year",
        "依托单位为申报单位、年度为评估年度的项目申报金额合计（万元）",
    ),
    ("people_at_host", "所在单位为依托单位的专家和技术经理人"),
    (
        "equipment_used_hours",
        "依托单位所有的仪器设备和机床的已用机时合计（小时）",
    ),
    (
        "demands_solved_by_host",
        "本平台应答并被选中（评估年度内反馈）的技术需求",
    ),
    (
        "contract_income_by_host_year",
        "依托单位为卖方、评估年度内签约（已签约及以后阶段）的技术合同金额合计（万元）",
    ),
    (
        "outside_booked_hours_by_host_year",
        "依托单位提供的共享服务在评估年度内已完成、由其他单位使用的预约机时合计（小时）",
    ),
    (
        "co_owned_achievements",
        "中心与实验室的依托单位同为所有人、年度为评估年度的科技成果（含专利）",
    ),
    (
        "pair_booked_hours",
        "评估年度内一方依托单位使用另一方的共享服务、已完成的预约机时合计（小时）",
    ),
    (
        "lab_results_by_centre",
        "评估年度内签约、卖方为实验室依托单位（或转让的成果归其所有）且买方为中心依托单位的技术合同",
    ),
];

/// The framework whose units are centre–laboratory pairs (a round of it lists its pairs).
pub const JOINT_FRAMEWORK: &str = "joint_centre_laboratory";

/// Queries that need a pair (a joint round's unit): the centre's and the laboratory's hosts.
const PAIR_QUERIES: &[&str] = &[
    "co_owned_achievements",
    "pair_booked_hours",
    "lab_results_by_centre",
];

/// Where one figure comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FigureSource {
    /// Counted from registry records: the query, what it counts, and the records counted.
    Registry {
        query: String,
        description: String,
        records: Vec<(String, String)>,
    },
    /// Entered by the platform (status 填报 / 审核通过 / 退回, or none yet).
    Manual {
        evidence_required: String,
        entry: Option<Box<AssessmentEntry>>,
        /// Evidence files uploaded for this value (without their bytes).
        files: Vec<innomesh_store::assessment::EvidenceFile>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub indicator: String,
    /// The cell as it enters the computation (a number or a rubric grade; empty = missing).
    pub cell: String,
    pub source: FigureSource,
}

/// One framework version, shipped or saved in the registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkVersion {
    pub id: String,
    pub version: String,
    pub name: String,
    pub unit: String,
    pub shipped: bool,
    pub created_at: Option<String>,
    /// Rounds run with this version.
    pub used_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundSummary {
    pub id: String,
    pub name: String,
    pub framework_id: String,
    pub framework_version: String,
    pub framework_name: String,
    pub year: i32,
    pub status: String,
    pub snapshot_hash: Option<String>,
    pub created_at: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitView {
    pub id: String,
    pub name: String,
    pub result: UnitResult,
    pub figures: Vec<Figure>,
}

/// A round's scorecards, units in rank order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundView {
    pub round: RoundSummary,
    pub framework: Framework,
    pub units: Vec<UnitView>,
    /// How many units the round assesses (a platform's view holds its own only).
    pub units_total: usize,
    pub dimension_median: Vec<f64>,
    pub weights: Vec<f64>,
    pub sensitivity: Vec<SensitivityRow>,
    pub draws: usize,
    pub seed: u64,
    /// The data table the scores come from (CSV) and its SHA-256.
    pub snapshot: String,
    pub snapshot_hash: String,
}

/// One unit in a comparison of two rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    pub id: String,
    pub name: String,
    pub score_a: f64,
    pub score_b: f64,
    pub rank_a: usize,
    pub rank_b: usize,
    /// Of the change, the part due to the data (round B's data under round A's framework),
    /// when both rounds use frameworks with the same indicators.
    pub data_effect: Option<f64>,
    /// The rest: due to the framework (weights, normalisation) changing.
    pub framework_effect: Option<f64>,
    /// Indicators whose points moved most: (name, points in A, points in B).
    pub moved: Vec<(String, Option<f64>, Option<f64>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: RoundSummary,
    pub b: RoundSummary,
    pub rows: Vec<CompareRow>,
}

/// A round's platforms: (id, name), by id.
type Units = Vec<(String, String)>;

fn summary(r: &AssessmentRound, f: &Framework) -> RoundSummary {
    RoundSummary {
        id: r.id.clone(),
        name: r.name.clone(),
        framework_id: r.framework_id.clone(),
        framework_version: r.framework_version.clone(),
        framework_name: f.name.clone(),
        year: r.year,
        status: r.status.clone(),
        snapshot_hash: r.snapshot_hash.clone(),
        created_at: r.created_at.clone(),
        published_at: r.published_at.clone(),
    }
}

fn engine_error(e: innomesh_assess::Error) -> Error {
    Error::new(Code::InvalidField, e.to_string())
}

/// Reads every round (staff and auditors).
fn may_read_all(who: &Principal) -> bool {
    who.may(Perm::Assess) || who.role == Role::Auditor
}

/// The platform a platform account speaks for.
fn own_unit(who: &Principal) -> Option<&str> {
    (who.role == Role::Expert && !who.scope.is_empty()).then_some(who.scope.as_str())
}

/// Whether a unit of a round is the account's own: its platform, or a pair it is part of.
pub(crate) fn is_own(who: &Principal, unit: &str) -> bool {
    own_unit(who).is_some_and(|own| unit == own || unit.split('+').any(|p| p == own))
}

/// Whether the assessment section is open to this account at all (navigation).
pub fn may_open(who: &Principal) -> bool {
    may_read_all(who) || own_unit(who).is_some()
}

fn require_reader(who: &Principal) -> Result<()> {
    if may_open(who) {
        Ok(())
    } else {
        Err(Error::new(Code::Forbidden, "当前账号无权查看考核评估"))
    }
}

/// SHA-256 (hex) of a snapshot.
pub fn snapshot_hash(snapshot: &str) -> String {
    crate::auth::password::sha256_hex(snapshot)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The shortest text that reads back as the same number.
fn num(x: f64) -> String {
    format!("{x}")
}

impl App {
    fn round_record(&self, id: &str) -> Result<(AssessmentRound, Framework)> {
        let r = self
            .repo
            .assessment_round(id)?
            .ok_or_else(|| Error::not_found(format!("未找到评估轮次「{id}」")))?;
        let f = Framework::from_yaml(&r.framework).map_err(engine_error)?;
        Ok((r, f))
    }

    pub fn assessment_rounds(&self, who: &Principal) -> Result<Vec<RoundSummary>> {
        require_reader(who)?;
        let mut out = Vec::new();
        for r in self.repo.assessment_rounds()? {
            // A platform sees the rounds it is assessed in.
            if !may_read_all(who) && !self.round_units(&r)?.iter().any(|(id, _)| is_own(who, id)) {
                continue;
            }
            let f = Framework::from_yaml(&r.framework).map_err(engine_error)?;
            out.push(summary(&r, &f));
        }
        Ok(out)
    }

    /// A new draft round of a framework version (the shipped one when `version` is none) for one
    /// year (city staff).
    pub fn assessment_round_create(
        &self,
        who: &Principal,
        framework_id: &str,
        version: Option<&str>,
        year: i32,
        name: Option<&str>,
    ) -> Result<RoundSummary> {
        self.assessment_round_create_with_pairs(who, framework_id, version, year, name, None)
    }

    /// Like `assessment_round_create`; a joint (centre–laboratory) round assesses `pairs`
    /// (centre platform id, key-laboratory platform id), or, when none are given, every pair
    /// whose hosts the registry shows working together (a co-owned result, a technology contract
    /// or a completed booking between them).
    pub fn assessment_round_create_with_pairs(
        &self,
        who: &Principal,
        framework_id: &str,
        version: Option<&str>,
        year: i32,
        name: Option<&str>,
        pairs: Option<&[(String, String)]>,
    ) -> Result<RoundSummary> {
        who.require(Perm::Assess)?;
        let text = self.framework_text(framework_id, version)?;
        let text = text.as_str();
        let f = Framework::from_yaml(text).map_err(engine_error)?;
        let joint = f.id == JOINT_FRAMEWORK;
        if pairs.is_some() && !joint {
            return Err(Error::invalid(format!(
                "只有「中心—实验室协同」指标体系（{JOINT_FRAMEWORK}）按中心—实验室对评估；「{}」不接受 pairs",
                f.name
            )));
        }
        if !joint && platform_kind(&f).is_none() {
            return Err(Error::invalid(format!(
                "指标体系「{}」的评估单位是「{}」，登记库中没有这类单位的记录；请用 innomesh assess run 按数据文件计算",
                f.name, f.unit
            )));
        }
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid(format!(
                "年度须在 2000 到 2100 之间，现为 {year}"
            )));
        }
        if let Some(q) = f.indicators().find_map(|(_, i)| match &i.source {
            Source::Registry { query } if !QUERIES.iter().any(|(n, _)| n == query) => {
                Some(query.clone())
            }
            _ => None,
        }) {
            return Err(Error::invalid(format!(
                "指标体系引用了登记库不提供的查询「{q}」"
            )));
        }
        if let Some(q) = f.indicators().find_map(|(_, i)| match &i.source {
            Source::Registry { query } if joint != PAIR_QUERIES.contains(&query.as_str()) => {
                Some(query.clone())
            }
            _ => None,
        }) {
            return Err(Error::invalid(if joint {
                format!(
                    "中心—实验室对的指标只能用按对计算的查询（{}），「{q}」按单个平台计算",
                    PAIR_QUERIES.join("、")
                )
            } else {
                format!("查询「{q}」按中心—实验室对计算，只能用于协同指标体系（{JOINT_FRAMEWORK}）")
            }));
        }
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{year} 年度{}", f.name.trim_end_matches("指标体系")));
        if name.chars().count() > 100 {
            return Err(Error::invalid("轮次名称不能超过 100 个字符"));
        }
        let pairs = if joint {
            self.round_pairs(pairs, year)?
        } else {
            Vec::new()
        };
        let round = AssessmentRound {
            pairs,
            id: format!("{framework_id}-{year}"),
            name,
            framework_id: f.id.clone(),
            framework_version: f.version.clone(),
            framework: text.to_string(),
            year,
            status: "draft".into(),
            snapshot: None,
            snapshot_hash: None,
            results: None,
            created_at: String::new(),
            published_at: None,
        };
        self.repo.assessment_round_create(&round, &who.actor())?;
        let (r, f) = self.round_record(&round.id)?;
        Ok(summary(&r, &f))
    }

    /// The text of a framework version: a version saved in the registry, else the shipped one
    /// (when `version` is none or names the shipped version).
    fn framework_text(&self, id: &str, version: Option<&str>) -> Result<String> {
        let shipped = innomesh_assess::SHIPPED
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, t)| *t);
        if let Some(v) = version {
            if let Some(f) = self
                .repo
                .assessment_frameworks()?
                .into_iter()
                .find(|f| f.id == id && f.version == v)
            {
                return Ok(f.framework);
            }
            if let Some(t) = shipped {
                if Framework::from_yaml(t).map_err(engine_error)?.version == v {
                    return Ok(t.to_string());
                }
            }
            // An earlier shipped version lives on in the rounds run with it.
            if let Some(r) = self
                .repo
                .assessment_rounds()?
                .into_iter()
                .find(|r| r.framework_id == id && r.framework_version == v)
            {
                return Ok(r.framework);
            }
            return Err(Error::invalid(format!("没有指标体系「{id}」的版本「{v}」")));
        }
        shipped.map(str::to_string).ok_or_else(|| {
            let ids: Vec<&str> = innomesh_assess::SHIPPED.iter().map(|(i, _)| *i).collect();
            Error::invalid(format!("没有指标体系「{id}」，可选：{}", ids.join("、")))
        })
    }

    /// Every framework version: the shipped ones and those saved in the registry, with the rounds
    /// that use each (a version used by a published round is, like every version, never changed).
    pub fn assessment_frameworks(&self, who: &Principal) -> Result<Vec<FrameworkVersion>> {
        if !may_read_all(who) {
            return Err(Error::new(Code::Forbidden, "当前账号无权查看指标体系版本"));
        }
        let rounds = self.repo.assessment_rounds()?;
        let used = |id: &str, v: &str| -> Vec<String> {
            rounds
                .iter()
                .filter(|r| r.framework_id == id && r.framework_version == v)
                .map(|r| r.id.clone())
                .collect()
        };
        let mut out = Vec::new();
        for (_, text) in innomesh_assess::SHIPPED {
            let f = Framework::from_yaml(text).map_err(engine_error)?;
            out.push(FrameworkVersion {
                used_by: used(&f.id, &f.version),
                id: f.id,
                version: f.version,
                name: f.name,
                unit: f.unit,
                shipped: true,
                created_at: None,
            });
        }
        for s in self.repo.assessment_frameworks()? {
            let f = Framework::from_yaml(&s.framework).map_err(engine_error)?;
            out.push(FrameworkVersion {
                used_by: used(&s.id, &s.version),
                id: s.id,
                version: s.version,
                name: f.name,
                unit: f.unit,
                shipped: false,
                created_at: Some(s.created_at),
            });
        }
        Ok(out)
    }

    /// Saves a new framework version (YAML) after the same checks as a shipped file; an id and
    /// version that exist already (shipped or saved) are refused: a change is a new version.
    pub fn assessment_framework_save(
        &self,
        who: &Principal,
        yaml: &str,
    ) -> Result<FrameworkVersion> {
        who.require(Perm::Assess)?;
        if yaml.len() > 256 * 1024 {
            return Err(Error::invalid("指标体系文件不能超过 256 KB"));
        }
        let f = Framework::from_yaml(yaml).map_err(engine_error)?;
        if f.id.chars().count() > 64 || f.version.chars().count() > 32 {
            return Err(Error::invalid(
                "指标体系编号不超过 64 个字符，版本号不超过 32 个字符",
            ));
        }
        let clash = innomesh_assess::SHIPPED
            .iter()
            .filter_map(|(_, t)| Framework::from_yaml(t).ok())
            .any(|s| s.id == f.id && s.version == f.version);
        if clash {
            return Err(Error::new(
                Code::Conflict,
                format!(
                    "「{}」版本「{}」是内置版本，不可修改：请使用新的版本号",
                    f.id, f.version
                ),
            ));
        }
        self.repo.assessment_framework_save(
            &innomesh_store::assessment::StoredFramework {
                id: f.id.clone(),
                version: f.version.clone(),
                framework: yaml.to_string(),
                created_at: String::new(),
            },
            &who.actor(),
        )?;
        self.assessment_frameworks(who)?
            .into_iter()
            .find(|v| v.id == f.id && v.version == f.version && !v.shipped)
            .ok_or_else(|| Error::internal("保存后未找到指标体系版本"))
    }

    /// What changed from one version of a framework to another.
    pub fn assessment_framework_diff(
        &self,
        who: &Principal,
        id: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<innomesh_assess::diff::Change>> {
        if !may_read_all(who) {
            return Err(Error::new(Code::Forbidden, "当前账号无权查看指标体系版本"));
        }
        // The framework is named by the path: one that does not exist is not found (a round's
        // body naming one is an invalid field).
        let text = |v| {
            self.framework_text(id, Some(v)).map_err(|e| match e.code {
                Code::InvalidField => Error::new(Code::NotFound, e.message),
                _ => e,
            })
        };
        let a = Framework::from_yaml(&text(from)?).map_err(engine_error)?;
        let b = Framework::from_yaml(&text(to)?).map_err(engine_error)?;
        Ok(innomesh_assess::diff::diff(&a, &b))
    }

    /// The platforms a round assesses, by id: (id, name).
    fn round_units(&self, r: &AssessmentRound) -> Result<Units> {
        if !r.pairs.is_empty() {
            let names = self.platform_names()?;
            let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
            return Ok(r
                .pairs
                .iter()
                .map(|p| {
                    (
                        p.unit_id.clone(),
                        format!("{} × {}", name(&p.centre), name(&p.laboratory)),
                    )
                })
                .collect());
        }
        let kind = PlatformKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == r.framework_id);
        let mut out: Vec<(String, String)> = self
            .repo
            .all(EntityKind::Platform)?
            .into_iter()
            .filter_map(|rec| match rec {
                Record::Platform(p)
                    if Some(p.kind) == kind && p.status != PlatformStatus::Revoked =>
                {
                    Some((p.id, p.name))
                }
                _ => None,
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// Whether `unit` is assessed in the round: one lookup, not the round's unit list (a
    /// province's registry holds thousands of platforms, and every entry checks this).
    fn round_has_unit(&self, r: &AssessmentRound, unit: &str) -> Result<bool> {
        if !r.pairs.is_empty() {
            return Ok(r.pairs.iter().any(|p| p.unit_id == unit));
        }
        Ok(match self.repo.get(EntityKind::Platform, unit)? {
            Some(Record::Platform(p)) => {
                p.kind.code() == r.framework_id && p.status != PlatformStatus::Revoked
            }
            _ => false,
        })
    }

    fn platform_names(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .repo
            .all(EntityKind::Platform)?
            .into_iter()
            .filter_map(|rec| match rec {
                Record::Platform(p) => Some((p.id, p.name)),
                _ => None,
            })
            .collect())
    }

    /// The pairs of a new joint round: checked when given, else proposed from the registry.
    fn round_pairs(&self, given: Option<&[(String, String)]>, year: i32) -> Result<Vec<RoundPair>> {
        let platforms: HashMap<String, innomesh_core::model::Platform> = self
            .repo
            .all(EntityKind::Platform)?
            .into_iter()
            .filter_map(|rec| match rec {
                Record::Platform(p) if p.status != PlatformStatus::Revoked => {
                    Some((p.id.clone(), p))
                }
                _ => None,
            })
            .collect();
        let pair = |c: &str, l: &str| RoundPair {
            unit_id: format!("{c}+{l}"),
            centre: c.to_string(),
            laboratory: l.to_string(),
        };
        let mut out: Vec<RoundPair> = Vec::new();
        match given {
            Some(given) => {
                if given.is_empty() || given.len() > 500 {
                    return Err(Error::invalid(
                        "请列出 1 到 500 个中心—实验室对：[[制造业创新中心编号, 重点实验室编号], …]",
                    ));
                }
                for (i, (c, l)) in given.iter().enumerate() {
                    let (c, l) = (c.trim(), l.trim());
                    let kind_of = |id: &str| platforms.get(id).map(|p| p.kind);
                    if kind_of(c) != Some(PlatformKind::ManufacturingInnovationCentre) {
                        return Err(Error::invalid(format!(
                            "第 {} 对：「{c}」不是登记库中在运行的制造业创新中心",
                            i + 1
                        )));
                    }
                    if kind_of(l) != Some(PlatformKind::KeyLaboratory) {
                        return Err(Error::invalid(format!(
                            "第 {} 对：「{l}」不是登记库中在运行的重点实验室",
                            i + 1
                        )));
                    }
                    let p = pair(c, l);
                    if out.iter().any(|x| x.unit_id == p.unit_id) {
                        return Err(Error::invalid(format!(
                            "第 {} 对：「{c}」与「{l}」重复",
                            i + 1
                        )));
                    }
                    out.push(p);
                }
            }
            None => {
                let hosts = |k: PlatformKind| -> Vec<(&String, &str)> {
                    let mut v: Vec<_> = platforms
                        .values()
                        .filter(|p| p.kind == k)
                        .map(|p| (&p.id, p.host.as_str()))
                        .collect();
                    v.sort();
                    v
                };
                let src = self.sources(
                    &PAIR_QUERIES
                        .iter()
                        .map(|q| q.to_string())
                        .collect::<Vec<_>>(),
                    year,
                )?;
                for (c, ch) in hosts(PlatformKind::ManufacturingInnovationCentre) {
                    for (l, lh) in hosts(PlatformKind::KeyLaboratory) {
                        if ch == lh {
                            continue;
                        }
                        let unit = UnitHosts {
                            platform: String::new(),
                            host: ch.to_string(),
                            pair: Some((ch.to_string(), lh.to_string())),
                        };
                        let together = PAIR_QUERIES
                            .iter()
                            .any(|q| !registry_query(q, &unit, year, &src).1.is_empty());
                        if together {
                            out.push(pair(c, l));
                        }
                    }
                }
                if out.is_empty() {
                    return Err(Error::invalid(format!(
                        "登记库中没有 {year} 年有协同往来（共有成果、技术合同或共享服务预约）的中心—实验室对；请在 pairs 中指定要评估的对"
                    )));
                }
            }
        }
        out.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
        Ok(out)
    }

    /// The registry records the framework's queries read (only the kinds they need).
    fn sources(&self, queries: &[String], year: i32) -> Result<Sources> {
        let uses = |q: &str| queries.iter().any(|x| x == q);
        let load = |k: EntityKind, needed: bool| -> Result<Vec<Record>> {
            Ok(if needed {
                self.repo.all(k)?
            } else {
                Vec::new()
            })
        };
        let bookings = if uses("outside_booked_hours_by_host_year") || uses("pair_booked_hours") {
            self.repo
                .bookings(&innomesh_store::sharing::BookingFilter {
                    from: Some(format!("{year:04}-01-01 00:00")),
                    to: Some(format!("{:04}-01-01 00:00", year + 1)),
                    statuses: vec!["completed".to_string()],
                    limit: i64::MAX as usize,
                    ..Default::default()
                })?
                .into_iter()
                // A booking counts in the year it starts (one spanning New Year counts once).
                .filter(|b| b.start.starts_with(&format!("{year:04}-")))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Sources {
            achievements: load(
                EntityKind::Achievement,
                uses("achievements_by_host_year")
                    || uses("patents_by_host_year")
                    || uses("co_owned_achievements")
                    || uses("lab_results_by_centre"),
            )?,
            applications: load(EntityKind::Application, uses("funding_by_host_year"))?,
            people: load(EntityKind::Person, uses("people_at_host"))?,
            equipment: load(EntityKind::Equipment, uses("equipment_used_hours"))?,
            responses: load(EntityKind::DemandResponse, uses("demands_solved_by_host"))?,
            deals: load(
                EntityKind::TechDeal,
                uses("contract_income_by_host_year") || uses("lab_results_by_centre"),
            )?,
            bookings,
        })
    }

    /// Figures for every unit and indicator of a draft: registry counts and checked manual values.
    fn gather(&self, r: &AssessmentRound, f: &Framework) -> Result<(Units, Vec<Vec<Figure>>)> {
        let units = self.round_units(r)?;
        let platforms: HashMap<String, innomesh_core::model::Platform> = self
            .repo
            .all(EntityKind::Platform)?
            .into_iter()
            .filter_map(|rec| match rec {
                Record::Platform(p) => Some((p.id.clone(), p)),
                _ => None,
            })
            .collect();
        let queries: Vec<String> = f
            .indicators()
            .filter_map(|(_, i)| match &i.source {
                Source::Registry { query } => Some(query.clone()),
                Source::Manual { .. } => None,
            })
            .collect();
        let src = self.sources(&queries, r.year)?;
        let pairs: HashMap<&str, &RoundPair> =
            r.pairs.iter().map(|p| (p.unit_id.as_str(), p)).collect();
        let entries: HashMap<(String, String), AssessmentEntry> = self
            .repo
            .assessment_entries(&r.id)?
            .into_iter()
            .map(|e| ((e.unit_id.clone(), e.indicator.clone()), e))
            .collect();
        let year = r.year;
        let evidence = self.repo.assessment_evidence(&r.id)?;
        let mut files: HashMap<(&str, &str), Vec<innomesh_store::assessment::EvidenceFile>> =
            HashMap::new();
        for e in &evidence {
            files
                .entry((e.unit_id.as_str(), e.indicator.as_str()))
                .or_default()
                .push(e.clone());
        }
        let mut all = Vec::with_capacity(units.len());
        for (uid, _) in &units {
            let host_of = |id: &str| {
                platforms
                    .get(id)
                    .map(|p| p.host.as_str().to_string())
                    .unwrap_or_default()
            };
            let unit = UnitHosts {
                platform: uid.clone(),
                host: host_of(uid),
                pair: pairs
                    .get(uid.as_str())
                    .map(|p| (host_of(&p.centre), host_of(&p.laboratory))),
            };
            let mut figs = Vec::new();
            for (_, ind) in f.indicators() {
                let fig = match &ind.source {
                    Source::Registry { query } => {
                        let (value, records) = registry_query(query, &unit, year, &src);
                        Figure {
                            indicator: ind.id.clone(),
                            cell: num(value),
                            source: FigureSource::Registry {
                                query: query.clone(),
                                description: QUERIES
                                    .iter()
                                    .find(|(n, _)| n == query)
                                    .map(|(_, d)| d.to_string())
                                    .unwrap_or_default(),
                                records,
                            },
                        }
                    }
                    Source::Manual { evidence } => {
                        let entry = entries
                            .get(&(uid.clone(), ind.id.clone()))
                            .cloned()
                            .map(Box::new);
                        Figure {
                            indicator: ind.id.clone(),
                            cell: entry
                                .as_ref()
                                .filter(|e| e.status == "approved")
                                .map(|e| e.value.clone())
                                .unwrap_or_default(),
                            source: FigureSource::Manual {
                                evidence_required: evidence.clone(),
                                entry,
                                files: files
                                    .get(&(uid.as_str(), ind.id.as_str()))
                                    .cloned()
                                    .unwrap_or_default(),
                            },
                        }
                    }
                };
                figs.push(fig);
            }
            all.push(figs);
        }
        Ok((units, all))
    }

    /// Computes a round: a draft from the registry as it is now, a published round from its
    /// snapshot (the same computation `innomesh assess run` does).
    fn compute(&self, r: &AssessmentRound, f: &Framework) -> Result<RoundView> {
        let (units, figures) = self.gather(r, f)?;
        let snapshot = match &r.snapshot {
            Some(s) => s.clone(),
            None => {
                if units.is_empty() {
                    return Err(Error::invalid(format!("登记库中没有可评估的{}", f.unit)));
                }
                let mut s = String::from("编号");
                for (_, i) in f.indicators() {
                    s.push(',');
                    s.push_str(&csv_cell(&i.id));
                }
                s.push('\n');
                for ((uid, _), figs) in units.iter().zip(&figures) {
                    s.push_str(&csv_cell(uid));
                    for fig in figs {
                        s.push(',');
                        s.push_str(&csv_cell(&fig.cell));
                    }
                    s.push('\n');
                }
                s
            }
        };
        let table = Table::from_csv(&snapshot).map_err(engine_error)?;
        let data = Dataset::bind(f, &table).map_err(engine_error)?;
        let a: Assessment = assess(f, &data, Options::from_framework(f)).map_err(engine_error)?;
        let names: HashMap<&str, &str> = units
            .iter()
            .map(|(i, n)| (i.as_str(), n.as_str()))
            .collect();
        let figs: HashMap<&str, &Vec<Figure>> = units
            .iter()
            .map(|(i, _)| i.as_str())
            .zip(&figures)
            .collect();
        let mut views: Vec<UnitView> = a
            .units
            .into_iter()
            .map(|u| {
                // A published round shows its snapshot's cells beside the sources as they are now.
                let row = table.rows.iter().find(|row| row[0] == u.id);
                let figures = f
                    .indicators()
                    .enumerate()
                    .map(|(j, (_, ind))| {
                        let mut fig = figs
                            .get(u.id.as_str())
                            .and_then(|v| v.get(j).cloned())
                            .unwrap_or_else(|| Figure {
                                indicator: ind.id.clone(),
                                cell: String::new(),
                                source: FigureSource::Manual {
                                    evidence_required: String::new(),
                                    entry: None,
                                    files: Vec::new(),
                                },
                            });
                        if let Some(row) = row {
                            fig.cell = row.get(j + 1).cloned().unwrap_or_default();
                        }
                        fig
                    })
                    .collect();
                UnitView {
                    name: names
                        .get(u.id.as_str())
                        .map_or_else(|| u.id.clone(), |n| n.to_string()),
                    id: u.id.clone(),
                    result: u,
                    figures,
                }
            })
            .collect();
        views.sort_by(|x, y| x.result.rank.cmp(&y.result.rank).then(x.id.cmp(&y.id)));
        Ok(RoundView {
            round: summary(r, f),
            framework: f.clone(),
            units_total: views.len(),
            units: views,
            dimension_median: a.dimension_median,
            weights: a.weights,
            sensitivity: a.sensitivity,
            draws: a.draws,
            seed: a.seed,
            snapshot_hash: snapshot_hash(&snapshot),
            snapshot,
        })
    }

    /// A round's scorecards: all of them for staff and auditors, its own for a platform.
    pub fn assessment_round(&self, who: &Principal, id: &str) -> Result<RoundView> {
        require_reader(who)?;
        let (r, f) = self.round_record(id)?;
        let mut v = self.compute(&r, &f)?;
        if !may_read_all(who) {
            if !v.units.iter().any(|u| is_own(who, &u.id)) {
                return Err(Error::not_found(format!("未找到评估轮次「{id}」")));
            }
            v.units.retain(|u| is_own(who, &u.id));
            // Others' figures stay private; the snapshot holds them.
            v.snapshot = String::new();
        }
        Ok(v)
    }

    /// Publishes a draft: freezes its framework text, data snapshot, hash and results.
    pub fn assessment_round_publish(&self, who: &Principal, id: &str) -> Result<RoundView> {
        who.require(Perm::Assess)?;
        let (r, f) = self.round_record(id)?;
        if r.status == "published" {
            return Err(Error::new(
                Code::Conflict,
                format!("评估轮次「{id}」已发布，不能再次发布"),
            ));
        }
        let v = self.compute(&r, &f)?;
        let results = serde_json::to_string(&v.units.iter().map(|u| &u.result).collect::<Vec<_>>())
            .map_err(|e| Error::new(Code::Internal, e.to_string()))?;
        self.repo.assessment_round_publish(
            id,
            &v.snapshot,
            &v.snapshot_hash,
            &results,
            &who.actor(),
        )?;
        let (r, f) = self.round_record(id)?;
        self.compute(&r, &f)
    }

    /// The results stored when the round was published (JSON), for checking a recomputation.
    pub fn assessment_published_results(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Option<String>> {
        require_reader(who)?;
        if !may_read_all(who) {
            return Err(Error::new(Code::Forbidden, "当前账号无权查看全部评估结果"));
        }
        Ok(self.round_record(id)?.0.results)
    }

    pub fn assessment_entries(&self, who: &Principal, round: &str) -> Result<Vec<AssessmentEntry>> {
        require_reader(who)?;
        let (r, _) = self.round_record(round)?;
        let mut e = self.repo.assessment_entries(round)?;
        if !may_read_all(who) {
            // Outside its rounds a platform learns nothing, not even that the round exists.
            if !self.round_units(&r)?.iter().any(|(id, _)| is_own(who, id)) {
                return Err(Error::not_found(format!("未找到评估轮次「{round}」")));
            }
            e.retain(|x| is_own(who, &x.unit_id));
        }
        Ok(e)
    }

    /// Whether the caller may write for `unit` in `round` (its own platform or pair, or city
    /// staff); `NotFound` when the round does not exist or does not assess that unit.
    pub(crate) fn assessment_units_for(
        &self,
        who: &Principal,
        round: &str,
        unit: &str,
    ) -> Result<bool> {
        let may = is_own(who, unit) || who.may(Perm::Assess);
        if !may {
            return Ok(false);
        }
        let (r, _) = self.round_record(round)?;
        if !self.round_has_unit(&r, unit)? {
            return Err(Error::not_found(format!(
                "评估轮次「{round}」不评估「{unit}」"
            )));
        }
        Ok(true)
    }

    /// 填报: a platform enters one of its manual figures with evidence (city staff may enter for
    /// any platform). The value must read under the indicator (a number, or a rubric grade).
    pub fn assessment_entry_submit(
        &self,
        who: &Principal,
        round: &str,
        unit: &str,
        indicator: &str,
        value: &str,
        evidence: &str,
    ) -> Result<AssessmentEntry> {
        let own = is_own(who, unit);
        if !(own || who.may(Perm::Assess)) {
            return Err(Error::new(Code::Forbidden, "只能填报本平台的指标"));
        }
        let (r, f) = self.round_record(round)?;
        if !self.round_has_unit(&r, unit)? {
            return Err(Error::not_found(format!(
                "评估轮次「{round}」不评估平台「{unit}」"
            )));
        }
        let ind = f
            .indicators()
            .map(|(_, i)| i)
            .find(|i| i.id == indicator)
            .ok_or_else(|| Error::invalid(format!("指标体系中没有指标「{indicator}」")))?;
        if !matches!(ind.source, Source::Manual { .. }) {
            return Err(Error::invalid(format!(
                "指标「{}」由登记库记录计算，不能填报",
                ind.name
            )));
        }
        let value = value.trim();
        match ind.parse_value(value) {
            Ok(Some(_)) => {}
            Ok(None) => return Err(Error::invalid(format!("请填写指标「{}」的数值", ind.name))),
            Err(m) => return Err(Error::invalid(format!("指标「{}」：{m}", ind.name))),
        }
        let evidence = evidence.trim();
        if evidence.is_empty() {
            return Err(Error::invalid(format!(
                "请写明佐证材料（{}）",
                match &ind.source {
                    Source::Manual { evidence } => evidence.as_str(),
                    Source::Registry { .. } => "",
                }
            )));
        }
        if evidence.chars().count() > 500 || value.chars().count() > 50 {
            return Err(Error::invalid(
                "填报值不超过 50 个字符，佐证说明不超过 500 个字符",
            ));
        }
        let e = AssessmentEntry {
            round_id: round.into(),
            unit_id: unit.into(),
            indicator: indicator.into(),
            value: value.into(),
            evidence: evidence.into(),
            status: "submitted".into(),
            entered_by: who.username.clone(),
            entered_at: String::new(),
            reviewed_by: None,
            reviewed_at: None,
            review_note: String::new(),
        };
        self.repo.assessment_entry_submit(&e, &who.actor())?;
        self.entry(round, unit, indicator)
    }

    fn entry(&self, round: &str, unit: &str, indicator: &str) -> Result<AssessmentEntry> {
        self.repo
            .assessment_entry(round, unit, indicator)?
            .ok_or_else(|| Error::not_found(format!("未找到填报值「{unit}/{indicator}」")))
    }

    /// 审核: the bureau approves or returns a submitted figure (a return needs a reason).
    pub fn assessment_entry_review(
        &self,
        who: &Principal,
        round: &str,
        unit: &str,
        indicator: &str,
        approve: bool,
        note: &str,
    ) -> Result<AssessmentEntry> {
        who.require(Perm::Assess)?;
        self.round_record(round)?;
        let note = note.trim();
        if !approve && note.is_empty() {
            return Err(Error::invalid("退回须写明原因"));
        }
        if note.chars().count() > 500 {
            return Err(Error::invalid("审核意见不超过 500 个字符"));
        }
        self.repo
            .assessment_entry_review(round, unit, indicator, approve, note, &who.actor())?;
        self.entry(round, unit, indicator)
    }

    /// What moved between two rounds and why (data or framework).
    pub fn assessment_compare(&self, who: &Principal, a: &str, b: &str) -> Result<Comparison> {
        if !may_read_all(who) {
            return Err(Error::new(Code::Forbidden, "当前账号无权比较评估轮次"));
        }
        let (ra, fa) = self.round_record(a)?;
        let (rb, fb) = self.round_record(b)?;
        let va = self.compute(&ra, &fa)?;
        let vb = self.compute(&rb, &fb)?;
        let same_indicators = fa
            .indicators()
            .map(|(_, i)| &i.id)
            .eq(fb.indicators().map(|(_, i)| &i.id));
        // Round B's data under round A's framework: what the data alone changed.
        let b_under_a: Option<HashMap<String, f64>> = if same_indicators {
            let t = Table::from_csv(&vb.snapshot).map_err(engine_error)?;
            let d = Dataset::bind(&fa, &t).map_err(engine_error)?;
            let x = assess(&fa, &d, Options { draws: 1, seed: 0 }).map_err(engine_error)?;
            Some(x.units.into_iter().map(|u| (u.id, u.score)).collect())
        } else {
            None
        };
        let names: Vec<String> = fa.indicators().map(|(_, i)| i.name.clone()).collect();
        let mut rows = Vec::new();
        for ub in &vb.units {
            let Some(ua) = va.units.iter().find(|u| u.id == ub.id) else {
                continue;
            };
            let data_effect = b_under_a
                .as_ref()
                .and_then(|m| m.get(&ub.id))
                .map(|s| s - ua.result.score);
            let mut moved: Vec<(String, Option<f64>, Option<f64>)> = if same_indicators {
                ua.result
                    .indicators
                    .iter()
                    .zip(&ub.result.indicators)
                    .zip(&names)
                    .map(|((x, y), n)| (n.clone(), x.points, y.points))
                    .filter(|(_, x, y)| x != y)
                    .collect()
            } else {
                Vec::new()
            };
            moved.sort_by(|x, y| {
                let d = |t: &(String, Option<f64>, Option<f64>)| {
                    (t.2.unwrap_or(0.0) - t.1.unwrap_or(0.0)).abs()
                };
                d(y).total_cmp(&d(x))
            });
            moved.truncate(3);
            rows.push(CompareRow {
                id: ub.id.clone(),
                name: ub.name.clone(),
                score_a: ua.result.score,
                score_b: ub.result.score,
                rank_a: ua.result.rank,
                rank_b: ub.result.rank,
                framework_effect: data_effect.map(|d| ub.result.score - ua.result.score - d),
                data_effect,
                moved,
            });
        }
        Ok(Comparison {
            a: va.round,
            b: vb.round,
            rows,
        })
    }

    /// The round's scorecards as XLSX with Chinese headers (what the caller may see).
    pub fn assessment_xlsx(&self, who: &Principal, id: &str) -> Result<Vec<u8>> {
        use innomesh_core::tabular::Cell;
        let v = self.assessment_round(who, id)?;
        let t = |s: &str| Cell::Text(s.to_string());
        let n = |x: f64| Cell::Number((x * 100.0).round() / 100.0);
        let inds: Vec<_> = v.framework.indicators().map(|(_, i)| i.clone()).collect();
        let mut heads: Vec<String> = ["排名", "位次区间（90%）", "平台", "编号", "总分", "等级"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        heads.extend(
            v.framework
                .dimensions
                .iter()
                .map(|d| format!("{}（{}%）", d.name, d.weight * 100.0)),
        );
        heads.extend(inds.iter().map(|i| format!("{}得分", i.name)));
        let rows: Vec<Vec<Cell>> = v
            .units
            .iter()
            .map(|u| {
                let r = &u.result;
                let mut row = vec![
                    Cell::Number(r.rank as f64),
                    t(&format!("{}–{}", r.rank_band[0], r.rank_band[1])),
                    t(&u.name),
                    t(&u.id),
                    n(r.score),
                    t(&r.grade),
                ];
                row.extend(r.dimensions.iter().map(|d| n(*d)));
                row.extend(r.indicators.iter().map(|i| i.points.map_or(Cell::Empty, n)));
                row
            })
            .collect();
        let fig_heads: Vec<String> = [
            "平台",
            "指标",
            "单位",
            "数值",
            "来源",
            "查询或佐证",
            "填报状态",
            "提升空间（分）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut fig_rows = Vec::new();
        for u in &v.units {
            for ((f, ind), r) in u.figures.iter().zip(&inds).zip(&u.result.indicators) {
                let (src, how, status) = match &f.source {
                    FigureSource::Registry {
                        description,
                        records,
                        ..
                    } => (
                        "登记库计算",
                        format!("{description}（{} 条记录）", records.len()),
                        String::new(),
                    ),
                    FigureSource::Manual {
                        evidence_required,
                        entry,
                        ..
                    } => (
                        "平台填报",
                        entry
                            .as_ref()
                            .map_or_else(|| evidence_required.clone(), |e| e.evidence.clone()),
                        entry.as_ref().map_or("未填报".to_string(), |e| {
                            entry_status_label(&e.status).to_string()
                        }),
                    ),
                };
                fig_rows.push(vec![
                    t(&u.name),
                    t(&ind.name),
                    t(&ind.unit),
                    t(&f.cell),
                    t(src),
                    t(&how),
                    t(&status),
                    n(r.gain),
                ]);
            }
        }
        let sens_heads: Vec<String> = [
            "因素",
            "选择",
            "平均位次变动",
            "最大位次变动",
            "位次变动单位占比",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let sens_rows: Vec<Vec<Cell>> = v
            .sensitivity
            .iter()
            .map(|s| {
                vec![
                    t(&s.factor),
                    t(&s.option),
                    n(s.mean_abs_shift),
                    Cell::Number(s.max_shift as f64),
                    n(s.moved_share * 100.0),
                ]
            })
            .collect();
        let note_heads = vec!["说明".to_string()];
        let mut notes = vec![
            vec![t(&format!("{}（{} 版本 {}）", v.round.name, v.framework.name, v.framework.version))],
            vec![t(&format!("数据快照 SHA-256：{}", v.snapshot_hash))],
            vec![t(&format!(
                "位次区间为 {} 次蒙特卡洛抽样（种子 {}；权重 ±{:.0}%、标准化方法、缺失值处理）中 5%–95% 的位次",
                v.draws,
                v.seed,
                v.framework.uncertainty.weight_spread * 100.0
            ))],
            vec![t(&format!("依据：{}", v.framework.sources.join("；")))],
        ];
        if let Some(label) = self.sample_label() {
            notes.push(vec![t(&format!("本表基于{label}生成，机构名称均为虚构。"))]);
        }
        innomesh_sheets::write_xlsx(&[
            innomesh_sheets::Sheet {
                name: "评分",
                headers: &heads,
                rows: &rows,
            },
            innomesh_sheets::Sheet {
                name: "指标数据",
                headers: &fig_heads,
                rows: &fig_rows,
            },
            innomesh_sheets::Sheet {
                name: "敏感性分析",
                headers: &sens_heads,
                rows: &sens_rows,
            },
            innomesh_sheets::Sheet {
                name: "说明",
                headers: &note_heads,
                rows: &notes,
            },
        ])
        .map_err(|e| Error::new(Code::Internal, e.to_string()))
    }
}

/// Chinese label of an entry's status.
pub fn entry_status_label(s: &str) -> &'static str {
    match s {
        "submitted" => "已填报待审核",
        "approved" => "审核通过",
        "returned" => "已退回",
        _ => "未知",
    }
}

/// The platform kind a framework assesses (its id), if the registry holds such units.
fn platform_kind(f: &Framework) -> Option<PlatformKind> {
    PlatformKind::ALL.iter().copied().find(|k| k.code() == f.id)
}

/// The registry records a round's queries read.
struct Sources {
    achievements: Vec<Record>,
    applications: Vec<Record>,
    people: Vec<Record>,
    equipment: Vec<Record>,
    responses: Vec<Record>,
    deals: Vec<Record>,
    /// Completed bookings that started in the round's year.
    bookings: Vec<innomesh_store::sharing::Booking>,
}

/// Whom a figure is about: a platform and its host, and for a joint round's unit the centre's
/// and the laboratory's hosts.
struct UnitHosts {
    platform: String,
    host: String,
    pair: Option<(String, String)>,
}

/// The kind code under which a figure lists bookings (they are not registry records).
pub const BOOKING_SOURCE: &str = "booking";

/// One registry figure: its value and the records behind it (kind code, id).
fn registry_query(
    query: &str,
    unit: &UnitHosts,
    year: i32,
    src: &Sources,
) -> (f64, Vec<(String, String)>) {
    let mut recs = Vec::new();
    let mut total = 0.0;
    let mut hit = |kind: &str, id: &str, x: f64| {
        recs.push((kind.to_string(), id.to_string()));
        total += x;
    };
    let host = unit.host.as_str();
    let (centre, lab) = match &unit.pair {
        Some((c, l)) => (c.as_str(), l.as_str()),
        None => ("", ""),
    };
    let signed_in = |d: &innomesh_core::model::TechDeal| {
        d.stage.signed() && d.signed_date.is_some_and(|s| s.year == year)
    };
    match query {
        "achievements_by_host_year" | "patents_by_host_year" => {
            let patents = query == "patents_by_host_year";
            for r in &src.achievements {
                if let Record::Achievement(a) = r {
                    if a.year == Some(year)
                        && (a.kind == AchievementKind::Patent) == patents
                        && a.owners.iter().any(|o| o.as_str() == host)
                    {
                        hit(EntityKind::Achievement.code(), &a.id, 1.0);
                    }
                }
            }
        }
        "funding_by_host_year" => {
            for r in &src.applications {
                if let Record::Application(a) = r {
                    if a.year == year && a.applicant.as_str() == host {
                        hit(
                            EntityKind::Application.code(),
                            &a.id,
                            a.amount.unwrap_or(0.0),
                        );
                    }
                }
            }
        }
        "people_at_host" => {
            for r in &src.people {
                if let Record::Person(p) = r {
                    if p.organisation.as_ref().is_some_and(|o| o.as_str() == host) {
                        hit(EntityKind::Person.code(), &p.id, 1.0);
                    }
                }
            }
        }
        "equipment_used_hours" => {
            for r in &src.equipment {
                if let Record::Equipment(e) = r {
                    if e.owner.as_str() == host {
                        hit(EntityKind::Equipment.code(), &e.id, e.used_hours);
                    }
                }
            }
        }
        "demands_solved_by_host" => {
            for r in &src.responses {
                if let Record::DemandResponse(d) = r {
                    if d.solver_type == SolverType::Platform
                        && d.solver == unit.platform
                        && d.outcome == ResponseOutcome::Selected
                        && d.decided.unwrap_or(d.submitted).year == year
                    {
                        hit(EntityKind::DemandResponse.code(), &d.id, 1.0);
                    }
                }
            }
        }
        "contract_income_by_host_year" => {
            for r in &src.deals {
                if let Record::TechDeal(d) = r {
                    if d.seller.as_str() == host && signed_in(d) {
                        hit(EntityKind::TechDeal.code(), &d.id, d.amount.unwrap_or(0.0));
                    }
                }
            }
        }
        "outside_booked_hours_by_host_year" => {
            for b in &src.bookings {
                if b.status == "completed" && b.owner == host && b.requester != host {
                    hit(BOOKING_SOURCE, &b.id, b.hours_used.unwrap_or(0.0));
                }
            }
        }
        "co_owned_achievements" if !centre.is_empty() => {
            for r in &src.achievements {
                if let Record::Achievement(a) = r {
                    if a.year == Some(year)
                        && a.owners.iter().any(|o| o.as_str() == centre)
                        && a.owners.iter().any(|o| o.as_str() == lab)
                    {
                        hit(EntityKind::Achievement.code(), &a.id, 1.0);
                    }
                }
            }
        }
        "pair_booked_hours" if !centre.is_empty() => {
            for b in &src.bookings {
                let between = (b.owner == centre && b.requester == lab)
                    || (b.owner == lab && b.requester == centre);
                if b.status == "completed" && between {
                    hit(BOOKING_SOURCE, &b.id, b.hours_used.unwrap_or(0.0));
                }
            }
        }
        "lab_results_by_centre" if !centre.is_empty() => {
            let lab_owned: std::collections::HashSet<&str> = src
                .achievements
                .iter()
                .filter_map(|r| match r {
                    Record::Achievement(a) if a.owners.iter().any(|o| o.as_str() == lab) => {
                        Some(a.id.as_str())
                    }
                    _ => None,
                })
                .collect();
            for r in &src.deals {
                if let Record::TechDeal(d) = r {
                    let from_lab = d.seller.as_str() == lab
                        || d.achievement
                            .as_deref()
                            .is_some_and(|a| lab_owned.contains(a));
                    if from_lab && d.buyer.as_str() == centre && signed_in(d) {
                        hit(EntityKind::TechDeal.code(), &d.id, 1.0);
                    }
                }
            }
        }
        _ => {}
    }
    (total, recs)
}

/// The sample's centre–laboratory pairs: each active centre with at most two active key
/// laboratories of its industry division (GB/T 4754 大类), else of its district.
fn sample_pairs(app: &App) -> Result<Vec<(String, String)>> {
    let mut centres = Vec::new();
    let mut labs = Vec::new();
    for r in app.repo.all(EntityKind::Platform)? {
        if let Record::Platform(p) = r {
            if p.status == PlatformStatus::Revoked {
                continue;
            }
            let division = p
                .industry
                .as_ref()
                .and_then(|c| c.path().split('/').nth(1).map(str::to_string));
            let district = p
                .region
                .as_ref()
                .map(|r| r.as_str().chars().take(6).collect::<String>());
            match p.kind {
                PlatformKind::ManufacturingInnovationCentre => {
                    centres.push((p.id, division, district))
                }
                PlatformKind::KeyLaboratory => labs.push((p.id, division, district)),
                _ => {}
            }
        }
    }
    centres.sort();
    labs.sort();
    let mut out = Vec::new();
    for (c, cdiv, cdist) in &centres {
        let same_div: Vec<&String> = labs
            .iter()
            .filter(|(_, d, _)| d.is_some() && d == cdiv)
            .map(|(l, _, _)| l)
            .collect();
        let picked = if same_div.is_empty() {
            labs.iter()
                .filter(|(_, _, d)| d.is_some() && d == cdist)
                .map(|(l, _, _)| l)
                .collect()
        } else {
            same_div
        };
        for l in picked.into_iter().take(2) {
            out.push((c.clone(), l.clone()));
        }
    }
    Ok(out)
}

/// Two key-laboratory rounds over the sample registry (`innomesh demo`): last year's, published,
/// and this year's, a draft with the first platform's figures still waiting for review; and this
/// year's joint centre–laboratory round (a draft) when the sample has pairs working together. The manual
/// figures are drawn from a fixed seed, so every demo database holds the same rounds. Returns the
/// ids created (none when they exist already, or the registry is not sample data).
pub fn seed_sample_rounds(app: &App, who: &Principal) -> Result<Vec<String>> {
    if app.sample_label().is_none() {
        return Ok(Vec::new());
    }
    let year = app
        .repo
        .all(EntityKind::Achievement)?
        .iter()
        .filter_map(|r| match r {
            Record::Achievement(a) => a.year,
            _ => None,
        })
        .max()
        .unwrap_or(2025);
    let mut rng = innomesh_assess::rng::Rng::new(20_261_207);
    let mut made = Vec::new();
    for (i, y) in [year - 1, year].into_iter().enumerate() {
        let id = format!("key_laboratory-{y}");
        if app.repo.assessment_round(&id)?.is_some() {
            continue;
        }
        let r = app.assessment_round_create(
            who,
            "key_laboratory",
            None,
            y,
            Some(&format!("{y} 年度重点实验室评估（示例数据）")),
        )?;
        let (round, f) = app.round_record(&r.id)?;
        let units = app.round_units(&round)?;
        for (u, (uid, _)) in units.iter().enumerate() {
            // A latent quality per platform, so the rounds tell a story from year to year.
            let q = 0.35 + 0.6 * ((u * 7919 + 13) % 101) as f64 / 100.0;
            for (_, ind) in f.indicators() {
                let Source::Manual { evidence } = &ind.source else {
                    continue;
                };
                let x = (q + 0.25 * (rng.next_f64() - 0.5)).clamp(0.0, 1.0);
                let value = match &ind.rubric {
                    Some(grades) => {
                        let k = ((1.0 - x) * grades.len() as f64) as usize;
                        grades[k.min(grades.len() - 1)].grade.clone()
                    }
                    None => format!("{}", (x * 20.0).round()),
                };
                app.assessment_entry_submit(
                    who,
                    &r.id,
                    uid,
                    &ind.id,
                    &value,
                    &format!("{evidence}（示例）"),
                )?;
                // This year's first platform waits for the bureau's check.
                if !(i == 1 && u == 0) {
                    app.assessment_entry_review(who, &r.id, uid, &ind.id, true, "")?;
                }
            }
        }
        if i == 0 {
            app.assessment_round_publish(who, &r.id)?;
        }
        made.push(r.id);
    }
    // This year's joint round. The sample's results each have one owner and its deals and
    // bookings never join a centre's host to a laboratory's, so the bureau's designation is
    // played by a rule: each centre with the key laboratories of its industry division (else of
    // its district), at most two. The registry figures are then honestly zero until such records
    // exist; the manual figures are entered and checked.
    let joint = format!("{JOINT_FRAMEWORK}-{year}");
    if app.repo.assessment_round(&joint)?.is_none() {
        let pairs = sample_pairs(app)?;
        let created = if pairs.is_empty() {
            Err(Error::invalid("示例数据中没有可配对的中心与实验室"))
        } else {
            app.assessment_round_create_with_pairs(
                who,
                JOINT_FRAMEWORK,
                None,
                year,
                Some(&format!("{year} 年度中心—实验室协同评估（示例数据）")),
                Some(&pairs),
            )
        };
        match created {
            Ok(r) => {
                let (round, f) = app.round_record(&r.id)?;
                for (uid, _) in app.round_units(&round)? {
                    for (_, ind) in f.indicators() {
                        let Source::Manual { evidence } = &ind.source else {
                            continue;
                        };
                        let x = rng.next_f64();
                        let value = match &ind.rubric {
                            Some(grades) => {
                                let k = (x * grades.len() as f64) as usize;
                                grades[k.min(grades.len() - 1)].grade.clone()
                            }
                            None => format!("{}", (x * 8.0).round()),
                        };
                        app.assessment_entry_submit(
                            who,
                            &r.id,
                            &uid,
                            &ind.id,
                            &value,
                            &format!("{evidence}（示例）"),
                        )?;
                        app.assessment_entry_review(who, &r.id, &uid, &ind.id, true, "")?;
                    }
                }
                made.push(r.id);
            }
            // No pair to assess: no joint round.
            Err(e) if e.code == Code::InvalidField => {}
            Err(e) => return Err(e),
        }
    }
    Ok(made)
}
