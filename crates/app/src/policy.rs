//! 政策找企业 in the application: policy rules (shipped YAML, overlaid by the bureau's saved
//! versions), each enterprise's facts (from its registry record, else entered by the enterprise or
//! the bureau, stored append-only and audited), and matching both ways with routing (免申即享 /
//! 快申快享) and the 政策评估 figures. Who may see and enter what is decided here.

use crate::auth::{Perm, Principal, Role};
use crate::{App, Code, Error, Result};
use innomesh_core::model::{OrgKind, Organisation};
use innomesh_core::{EntityKind, Record};
use innomesh_policy::{
    evaluate, parse_fact, Column, CompiledRule, Date, FactDef, FactTable, FactType, Rule, Value,
};
pub use innomesh_policy::{Category, Truth, Verdict};
use innomesh_store::{EnterpriseProfile, FactEntry, StoredFact};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Keys always read from the registry record: entering them is refused (the record is changed
/// instead), so a fact has one source.
pub const REGISTRY_KEYS: &[(&str, &str)] = &[
    ("registered_years", "成立日期"),
    ("registered_in_mainland", "组织类型与统一社会信用代码"),
    ("employees", "从业人数"),
    ("revenue_wan", "营业收入"),
    ("rd_expense_wan", "研发投入"),
    ("rd_staff_ratio", "研发人员数 ÷ 从业人数"),
    ("tech_staff_ratio", "研发人员数 ÷ 从业人数"),
    ("rd_ratio_of_sales", "研发投入 ÷ 营业收入"),
    ("hitech_certificate_valid", "高新技术企业"),
    ("specialised_sme_certified", "专精特新"),
    ("industry_code", "行业代码"),
];

/// `core_ip_count` comes from the registry when it holds patents of the enterprise (a lower
/// bound: the enterprise may own other IP), else from an entry.
const PATENT_KEY: &str = "core_ip_count";

/// A rule as the application holds it.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    pub rule: Arc<Rule>,
    pub yaml: String,
    /// `None` for the shipped text; else the saved version number.
    pub saved: Option<innomesh_store::RuleVersion>,
    /// Policy records (id, title) linked to this rule.
    pub policies: Vec<(String, String)>,
}

impl RuleEntry {
    pub fn origin_label(&self) -> String {
        match &self.saved {
            None => "内置规则（data/policies/）".into(),
            Some(v) => format!("第 {} 版（{}，{}）", v.seq, v.actor, v.at),
        }
    }
}

/// Today in Beijing time (UTC+8): the policy engine is pure, the date is read here.
pub fn today() -> Date {
    let secs = innomesh_store::unix_now() + 8 * 3600;
    Date::from_days(secs.div_euclid(86_400) as i32)
}

/// Where a fact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    Registry,
    Enterprise,
    Bureau,
}

impl FactSource {
    pub fn label(self) -> &'static str {
        match self {
            FactSource::Registry => "登记库",
            FactSource::Enterprise => "企业填报",
            FactSource::Bureau => "科技局填报",
        }
    }
}

/// One fact of one enterprise, with its date and source.
#[derive(Clone, Debug, Serialize)]
pub struct FactRow {
    pub key: String,
    pub name: String,
    /// The type as a clerk reads it (「比例（小数，0.05 表示 5%）」).
    pub type_label: String,
    pub description: String,
    pub manual: bool,
    /// JSON value, `null` when missing.
    pub value: serde_json::Value,
    /// As shown: 「3.2%」「4500 万元」, or 「待补充」.
    pub shown: String,
    pub source: Option<FactSource>,
    pub source_label: String,
    /// The date the fact describes.
    pub as_of: Option<String>,
    /// Who entered it and when (entered facts).
    pub entered_by: Option<String>,
    pub entered_at: Option<String>,
    /// Rules (names) that read this fact.
    pub used_by: Vec<String>,
    /// Whether the registry supplies it (so it cannot be entered).
    pub from_registry: bool,
}

/// What matching reads of one organisation: the registry fields facts come from, whether it is
/// an enterprise, and the patents it holds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OrgRow {
    pub(crate) p: EnterpriseProfile,
    pub(crate) enterprise: bool,
    pub(crate) patents: u32,
}

/// One enterprise's inputs for its own page: its row and entered facts with who entered them.
pub(crate) struct OrgInput {
    row: OrgRow,
    entered: Vec<StoredFact>,
    /// The date the registry record was last written (the date of its facts), when known.
    recorded: Option<String>,
}

/// One enterprise in a policy's lists.
#[derive(Clone, Debug, Serialize)]
pub struct MatchRow {
    pub org: String,
    pub name: String,
    pub region: String,
    pub region_name: String,
    pub industry: Option<String>,
    pub industry_name: String,
    pub category: Category,
    pub category_label: &'static str,
    /// 免申即享 (eligible, every deciding fact known) or 快申快享 (facts missing), else empty.
    pub route: &'static str,
    /// Descriptions of the requirements not met.
    pub failed: Vec<String>,
    /// Names of the facts to supply.
    pub missing: Vec<String>,
    /// What would change the verdict.
    pub hints: Vec<String>,
}

pub fn category_label(c: Category) -> &'static str {
    match c {
        Category::Eligible => "符合",
        Category::NearMiss => "差一项",
        Category::Unknown => "待补充",
        Category::Ineligible => "不符合",
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CategoryCounts {
    pub eligible: usize,
    pub near_miss: usize,
    pub unknown: usize,
    pub ineligible: usize,
    pub total: usize,
}

impl CategoryCounts {
    fn add(&mut self, c: Category) {
        self.total += 1;
        match c {
            Category::Eligible => self.eligible += 1,
            Category::NearMiss => self.near_miss += 1,
            Category::Unknown => self.unknown += 1,
            Category::Ineligible => self.ineligible += 1,
        }
    }
}

/// A rule's conditions as a clerk reads them.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionText {
    pub key: String,
    pub depth: usize,
    pub text: String,
}

/// Every enterprise in the caller's scope against one rule version, by the columnar evaluator:
/// one category per enterprise (aligned with `orgs`, which are in list order), the counts, the
/// requirement each 差一项 enterprise misses and how many 待补充 enterprises miss each fact.
/// The reasons of a listed enterprise are computed when it is shown, from the rule's columns.
pub(crate) struct Classified {
    orgs: Arc<Vec<Arc<OrgRow>>>,
    /// The rule's facts, one column each (aligned with `orgs`).
    columns: Vec<(String, Arc<Column>)>,
    categories: Vec<Category>,
    counts: CategoryCounts,
    near_miss: Vec<(u32, String)>,
    missing: Vec<(String, usize)>,
    version: String,
}

/// Which part of a policy's lists to show: one category (or each of the three) from `offset`,
/// at most `limit` enterprises each.
#[derive(Clone, Copy, Debug)]
pub struct ListPage {
    pub category: Option<Category>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for ListPage {
    fn default() -> Self {
        ListPage {
            category: None,
            offset: 0,
            limit: 100,
        }
    }
}

/// The most enterprises one list page may hold.
pub const MAX_LIST_PAGE: usize = 1000;

/// Policy → enterprises: the enterprises the caller may see, by category.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyMatches {
    pub rule: String,
    pub name: String,
    pub source: String,
    pub version: String,
    pub date: String,
    pub counts: CategoryCounts,
    /// The page shown: every list starts at `offset` and holds at most `limit` enterprises
    /// (`counts` gives each list's length).
    pub offset: usize,
    pub limit: usize,
    /// Eligible with every deciding fact known: the bureau grants without application.
    pub automatic: Vec<MatchRow>,
    pub near_miss: Vec<MatchRow>,
    /// 快申快享: invited to supply the missing facts.
    pub unknown: Vec<MatchRow>,
}

/// 政策评估: who qualifies where, and what holds the nearly-qualified back.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    pub rule: String,
    pub name: String,
    pub date: String,
    pub counts: CategoryCounts,
    /// (district name, code, counts), most eligible first.
    pub by_district: Vec<GroupCounts>,
    /// (industry division name, code, counts).
    pub by_industry: Vec<GroupCounts>,
    /// The conditions that hold the 差一项 enterprises back, most first.
    pub blocking: Vec<Blocking>,
    /// The facts the 待补充 enterprises miss, most first.
    pub missing: Vec<Blocking>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupCounts {
    pub code: String,
    pub name: String,
    pub counts: CategoryCounts,
}

#[derive(Clone, Debug, Serialize)]
pub struct Blocking {
    pub key: String,
    pub text: String,
    pub enterprises: usize,
}

/// Enterprise → policies: one rule's verdict for one enterprise.
#[derive(Clone, Debug, Serialize)]
pub struct OrgPolicy {
    pub rule: String,
    pub name: String,
    pub policies: Vec<(String, String)>,
    pub category: Category,
    pub category_label: &'static str,
    pub route: &'static str,
    pub verdict: Verdict,
    /// 「再补充：近三年研发费用占比、创新能力评价得分」, or empty.
    pub to_supply: String,
    pub missing_names: Vec<String>,
    pub hints: Vec<String>,
}

/// Enterprise → policies, with its facts.
#[derive(Clone, Debug, Serialize)]
pub struct OrgPolicies {
    pub org: String,
    pub name: String,
    pub date: String,
    pub policies: Vec<OrgPolicy>,
    pub facts: Vec<FactRow>,
    /// Whether the caller may enter facts for this enterprise.
    pub may_enter: bool,
}

/// A fact to enter: key and value (JSON; `null` withdraws an entered fact).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactInput {
    pub key: String,
    pub value: serde_json::Value,
}

fn route(c: Category) -> &'static str {
    match c {
        Category::Eligible => "免申即享",
        Category::Unknown => "快申快享",
        _ => "",
    }
}

/// `第 N 行：…` for a rule text that does not parse or check: the YAML parser gives the line; a
/// rule error names a key or condition in 「」, found in the text.
pub fn locate_error(yaml: &str, err: &innomesh_policy::PolicyError) -> String {
    use innomesh_policy::PolicyError;
    match err {
        PolicyError::Yaml(m) => {
            // serde_yaml_ng: "… at line 12 column 5".
            if let Some(pos) = m.find("at line ") {
                let rest = &m[pos + 8..];
                let line: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                let col = rest
                    .find("column ")
                    .map(|c| {
                        rest[c + 7..]
                            .chars()
                            .take_while(|c| c.is_ascii_digit())
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                let what = m[..pos].trim().trim_end_matches(',');
                let col = if col.is_empty() {
                    String::new()
                } else {
                    format!("第 {col} 列")
                };
                return format!("第 {line} 行{col}：YAML 格式错误（{what}）");
            }
            format!("YAML 格式错误：{m}")
        }
        other => {
            let msg = other.to_string();
            // The most specific name in 「」 (the last one) that appears in the text as a key
            // or a value.
            let mut names = Vec::new();
            let mut rest = msg.as_str();
            while let Some(a) = rest.find('「') {
                let after = &rest[a + '「'.len_utf8()..];
                let Some(b) = after.find('」') else { break };
                names.push(after[..b].to_string());
                rest = &after[b..];
            }
            for name in names.iter().rev().filter(|n| !n.is_empty()) {
                if let Some((i, _)) = yaml.lines().enumerate().find(|(_, l)| {
                    let t = l.trim_start().trim_start_matches("- ");
                    t.starts_with(&format!("{name}:"))
                        || t.ends_with(&format!(": {name}"))
                        || t.ends_with(&format!(": \"{name}\""))
                }) {
                    return format!("第 {} 行：{msg}", i + 1);
                }
            }
            msg
        }
    }
}

fn enterprise_only(who: &Principal) -> bool {
    who.role == Role::Enterprise
}

impl App {
    /// Every rule: the shipped ones, each replaced by the bureau's latest saved version, and the
    /// bureau's own; with the policy records linked to each.
    fn rule_entries(&self) -> Result<Vec<RuleEntry>> {
        let mut out: BTreeMap<String, RuleEntry> = BTreeMap::new();
        for (id, text) in innomesh_policy::SHIPPED {
            let rule = Rule::from_yaml(text)
                .map_err(|e| Error::internal(format!("内置规则 {id} 无效：{e}")))?;
            out.insert(
                id.to_string(),
                RuleEntry {
                    rule: Arc::new(rule),
                    yaml: text.to_string(),
                    saved: None,
                    policies: vec![],
                },
            );
        }
        for v in self.repo.policy_rules(None)? {
            // A saved version was checked on save; one that no longer parses (an older engine)
            // leaves the previous text in force rather than failing every page.
            if let Ok(rule) = Rule::from_yaml(&v.yaml) {
                out.insert(
                    v.rule_id.clone(),
                    RuleEntry {
                        rule: Arc::new(rule),
                        yaml: v.yaml.clone(),
                        saved: Some(v),
                        policies: vec![],
                    },
                );
            }
        }
        for r in self.repo.all(EntityKind::Policy)? {
            if let Record::Policy(p) = r {
                if let Some(e) = out.get_mut(p.rule.trim()) {
                    e.policies.push((p.id.clone(), p.title.clone()));
                }
            }
        }
        Ok(out.into_values().collect())
    }

    /// A policy record's 认定规则 must name a rule that exists (shipped or saved by the bureau).
    pub(crate) fn check_policy_link(&self, record: &Record) -> Result<()> {
        let Record::Policy(p) = record else {
            return Ok(());
        };
        let id = p.rule.trim();
        if id.is_empty() {
            return Ok(());
        }
        let rules = self.rule_entries()?;
        if rules.iter().any(|e| e.rule.id == id) {
            return Ok(());
        }
        let known: Vec<String> = rules
            .iter()
            .map(|e| format!("{}（{}）", e.rule.id, e.rule.name))
            .collect();
        Err(Error::new(
            Code::InvalidField,
            format!(
                "认定规则：没有编号为「{id}」的政策规则，可用：{}",
                known.join("、")
            ),
        ))
    }

    /// The rules, for anyone who may read the registry (policies are public).
    pub fn policy_rules(&self, who: &Principal) -> Result<Vec<RuleEntry>> {
        who.require(Perm::Read)?;
        self.rule_entries()
    }

    pub fn policy_rule(&self, who: &Principal, id: &str) -> Result<RuleEntry> {
        who.require(Perm::Read)?;
        self.rule_entries()?
            .into_iter()
            .find(|e| e.rule.id == id)
            .ok_or_else(|| Error::not_found(format!("没有编号为「{id}」的政策规则")))
    }

    /// Saved versions of a rule, newest first (the bureau's history of edits).
    pub fn policy_rule_history(
        &self,
        who: &Principal,
        id: &str,
    ) -> Result<Vec<innomesh_store::RuleVersion>> {
        who.require(Perm::PolicyRules)?;
        Ok(self.repo.policy_rules(Some(id))?)
    }

    /// Saves a new version of a rule's YAML (the bureau): checked first, with the line of the
    /// error in the message; the id in the text must be the rule's.
    pub fn save_policy_rule(
        &self,
        who: &Principal,
        id: &str,
        yaml: &str,
        note: &str,
    ) -> Result<RuleEntry> {
        who.require(Perm::PolicyRules)?;
        if yaml.len() > 200_000 {
            return Err(Error::new(
                Code::PayloadTooLarge,
                "规则文本过长（上限 200 KB）",
            ));
        }
        let rule = Rule::from_yaml(yaml)
            .map_err(|e| Error::new(Code::InvalidField, locate_error(yaml, &e)))?;
        if rule.id != id {
            let line = yaml
                .lines()
                .position(|l| l.starts_with("id:"))
                .map(|i| format!("第 {} 行：", i + 1))
                .unwrap_or_default();
            return Err(Error::new(
                Code::InvalidField,
                format!(
                    "{line}规则文本的 id「{}」与所保存的规则「{id}」不一致",
                    rule.id
                ),
            ));
        }
        if note.chars().count() > 500 {
            return Err(Error::invalid("修改说明不能超过 500 字"));
        }
        self.repo
            .save_policy_rule(id, yaml, note.trim(), &who.actor())?;
        self.after_write();
        self.policy_rule(who, id)
    }

    /// Policy → enterprises for one rule, as far as the caller's scope reaches: the counts, and
    /// the page of each list asked for with every listed enterprise's reasons.
    pub fn policy_matches(
        &self,
        who: &Principal,
        id: &str,
        page: ListPage,
    ) -> Result<PolicyMatches> {
        who.require(Perm::Policies)?;
        if page.limit > MAX_LIST_PAGE {
            return Err(Error::invalid(format!(
                "每页最多 {MAX_LIST_PAGE} 家企业（limit={}）",
                page.limit
            )));
        }
        let entry = self.policy_rule(who, id)?;
        let date = today();
        let cl = self.classify_all(who, &entry.rule, date)?;
        let mut out = PolicyMatches {
            rule: entry.rule.id.clone(),
            name: entry.rule.name.clone(),
            source: source_text(&entry.rule),
            version: cl.version.clone(),
            date: date.to_string(),
            counts: cl.counts.clone(),
            offset: page.offset,
            limit: page.limit,
            automatic: vec![],
            near_miss: vec![],
            unknown: vec![],
        };
        let wanted = |c: Category| page.category.is_none_or(|w| w == c);
        for (c, list) in [
            (Category::Eligible, &mut out.automatic),
            (Category::NearMiss, &mut out.near_miss),
            (Category::Unknown, &mut out.unknown),
        ] {
            if wanted(c) {
                *list = listed(&entry.rule, &cl, c, page.offset, page.limit, date)?;
            }
        }
        Ok(out)
    }

    /// How many enterprises in the caller's scope qualify, almost qualify, or miss facts.
    pub fn policy_counts(&self, who: &Principal, id: &str) -> Result<CategoryCounts> {
        who.require(Perm::Policies)?;
        let entry = self.policy_rule(who, id)?;
        Ok(self.classify_all(who, &entry.rule, today())?.counts.clone())
    }

    /// Every enterprise in the caller's scope against one rule, kept until the registry (or a
    /// fact, or a rule) changes: one entry per rule, scope and day.
    pub(crate) fn classify_all(
        &self,
        who: &Principal,
        rule: &Rule,
        date: Date,
    ) -> Result<Arc<Classified>> {
        let scope = self.match_scope(who)?;
        // By the enterprises the caller reaches, not by role: the city's clerks and the local
        // administrator share one classification.
        let key = (rule.id.clone(), format!("{scope:?}:{date}"));
        self.derived
            .policy_matches
            .get_current(self, key, || self.classify_now(&scope, rule, date))
    }

    fn classify_now(
        &self,
        scope: &crate::policy_inputs::MatchScope,
        rule: &Rule,
        date: Date,
    ) -> Result<Classified> {
        let invalid = |e: innomesh_policy::PolicyError| Error::invalid(e.to_string());
        let version = rule
            .version_at(date)
            .map_err(invalid)?
            .valid_from
            .to_string();
        let inputs = self.match_inputs(scope)?;
        inputs.prebuild(self, &rule.facts, date)?;
        let mut table = FactTable::new(inputs.orgs.len());
        let mut columns = Vec::new();
        for def in &rule.facts {
            let column = inputs.column(self, def, date)?;
            table
                .insert(&def.key, (*column).clone())
                .map_err(Error::internal)?;
            columns.push((def.key.clone(), column));
        }
        let c = CompiledRule::new(rule, date)
            .map_err(invalid)?
            .classify(&table)
            .map_err(invalid)?;
        let counts = CategoryCounts {
            eligible: c.counts.eligible,
            near_miss: c.counts.near_miss,
            unknown: c.counts.unknown,
            ineligible: c.counts.ineligible,
            total: inputs.orgs.len(),
        };
        Ok(Classified {
            orgs: inputs.orgs.clone(),
            columns,
            categories: c.categories,
            counts,
            near_miss: c.near_miss,
            missing: c.missing,
            version,
        })
    }

    /// 政策评估 for one rule over the caller's scope.
    pub fn policy_assessment(&self, who: &Principal, id: &str) -> Result<Assessment> {
        who.require(Perm::Policies)?;
        let entry = self.policy_rule(who, id)?;
        let date = today();
        let cl = self.classify_all(who, &entry.rule, date)?;
        let counts = cl.counts.clone();
        let mut district: BTreeMap<String, GroupCounts> = BTreeMap::new();
        let mut industry: BTreeMap<String, GroupCounts> = BTreeMap::new();
        for (row, &c) in cl.orgs.iter().zip(&cl.categories) {
            let o = &row.p;
            district
                .entry(o.region.clone())
                .or_insert_with(|| GroupCounts {
                    code: o.region.clone(),
                    name: region_name(&o.region),
                    counts: CategoryCounts::default(),
                })
                .counts
                .add(c);
            let code = o.industry.as_deref();
            let key: String = code
                .map(|c| c.chars().filter(|c| c.is_ascii_digit()).take(2).collect())
                .unwrap_or_default();
            industry
                .entry(key)
                .or_insert_with(|| {
                    let (code, name) = division(code);
                    GroupCounts {
                        code,
                        name,
                        counts: CategoryCounts::default(),
                    }
                })
                .counts
                .add(c);
        }
        // The requirement each 差一项 enterprise misses, as the rule describes it.
        let described: HashMap<&str, &str> = entry
            .rule
            .version_at(date)
            .map(|v| {
                v.nodes
                    .iter()
                    .filter_map(|n| Some((n.key.as_deref()?, n.description.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        let mut blocking: BTreeMap<String, usize> = BTreeMap::new();
        for (_, key) in &cl.near_miss {
            *blocking.entry(key.clone()).or_default() += 1;
        }
        let blocking: BTreeMap<String, (String, usize)> = blocking
            .into_iter()
            .map(|(k, n)| {
                let text = described
                    .get(k.as_str())
                    .map_or(k.clone(), |d| d.to_string());
                (k, (text, n))
            })
            .collect();
        let missing: BTreeMap<String, (String, usize)> = cl
            .missing
            .iter()
            .map(|(k, n)| (k.clone(), (fact_name(&entry.rule, k), *n)))
            .collect();
        let sorted = |m: BTreeMap<String, GroupCounts>| {
            let mut v: Vec<GroupCounts> = m.into_values().collect();
            v.sort_by(|a, b| {
                b.counts
                    .eligible
                    .cmp(&a.counts.eligible)
                    .then(b.counts.total.cmp(&a.counts.total))
                    .then(a.code.cmp(&b.code))
            });
            v
        };
        let ranked = |m: BTreeMap<String, (String, usize)>| {
            let mut v: Vec<Blocking> = m
                .into_iter()
                .map(|(key, (text, n))| Blocking {
                    key,
                    text,
                    enterprises: n,
                })
                .collect();
            v.sort_by(|a, b| b.enterprises.cmp(&a.enterprises).then(a.text.cmp(&b.text)));
            v
        };
        Ok(Assessment {
            rule: entry.rule.id.clone(),
            name: entry.rule.name.clone(),
            date: date.to_string(),
            counts,
            by_district: sorted(district),
            by_industry: sorted(industry),
            blocking: ranked(blocking),
            missing: ranked(missing),
        })
    }

    /// Enterprise → policies: every rule's verdict for one organisation the caller may read, its
    /// facts with date and source, and whether the caller may enter facts for it.
    pub fn org_policies(&self, who: &Principal, org: &str) -> Result<OrgPolicies> {
        let Record::Organisation(o) = self.fetch(who, EntityKind::Organisation, org)? else {
            return Err(Error::not_found("没有该组织"));
        };
        let date = today();
        let rules = self.rule_entries()?;
        let input = self.org_input(&o)?;
        let mut policies = Vec::new();
        for e in &rules {
            if e.rule.version_at(date).is_err() {
                continue;
            }
            let facts = facts_for(&e.rule, &input, date);
            let v = evaluate(&e.rule, &facts, date).map_err(|e| Error::invalid(e.to_string()))?;
            let missing_names: Vec<String> =
                v.missing.iter().map(|k| fact_name(&e.rule, k)).collect();
            let to_supply = innomesh_policy::supply_text(&e.rule, &v.missing);
            policies.push(OrgPolicy {
                rule: e.rule.id.clone(),
                name: e.rule.name.clone(),
                policies: e.policies.clone(),
                category: v.category,
                category_label: category_label(v.category),
                route: route(v.category),
                hints: v.conditions.iter().filter_map(|c| c.hint.clone()).collect(),
                to_supply,
                missing_names,
                verdict: v,
            });
        }
        // Closest first: eligible, one away, to supply, the rest.
        policies.sort_by_key(|p| p.category as u8);
        let facts = fact_rows(&rules, &input, date);
        Ok(OrgPolicies {
            org: o.credit_code.as_str().to_string(),
            name: o.name.clone(),
            date: date.to_string(),
            policies,
            facts,
            may_enter: o.kind == OrgKind::Enterprise && self.may_enter_facts(who, &o),
        })
    }

    fn org_input(&self, o: &Organisation) -> Result<OrgInput> {
        let code = o.credit_code.as_str().to_string();
        // Counted as the lists count them (`Repository::patent_counts`: patents it owns).
        let patents = self
            .repo
            .patent_counts(Some(&code))?
            .get(&code)
            .copied()
            .unwrap_or(0);
        let recorded = self
            .repo
            .audit(Some(EntityKind::Organisation), Some(&code), 1)?
            .first()
            .and_then(|e| e.at.get(..10).map(str::to_string));
        Ok(OrgInput {
            row: OrgRow {
                p: EnterpriseProfile::of(o),
                enterprise: o.kind == OrgKind::Enterprise,
                patents,
            },
            entered: self.repo.policy_facts(Some(&code))?,
            recorded,
        })
    }

    /// Whether the caller's role and scope reach this organisation's facts (its kind aside).
    fn may_enter_facts(&self, who: &Principal, o: &Organisation) -> bool {
        if !who.may(Perm::Write) {
            return false;
        }
        match who.role {
            Role::Local | Role::CityStaff => true,
            Role::Enterprise => who.scope == o.credit_code.as_str(),
            Role::DistrictStaff => o
                .region
                .as_str()
                .starts_with(&crate::auth::scope::region_prefix(&who.scope)),
            _ => false,
        }
    }

    /// Enters facts the registry lacks for one enterprise (the enterprise itself, city staff, or
    /// the district staff of its district). All or nothing; each value checked against every rule
    /// that reads the key; audited.
    pub fn set_org_facts(
        &self,
        who: &Principal,
        org: &str,
        facts: &[FactInput],
        as_of: Option<&str>,
        note: &str,
    ) -> Result<OrgPolicies> {
        who.require(Perm::Write)?;
        let Record::Organisation(o) = self.fetch(who, EntityKind::Organisation, org)? else {
            return Err(Error::not_found("没有该组织"));
        };
        if !self.may_enter_facts(who, &o) {
            return Err(Error::new(
                Code::Forbidden,
                format!(
                    "当前账号（{}）不能为该单位填报政策事实：企业填报本单位，市级或本旗县区工作人员填报辖区企业",
                    who.role.label()
                ),
            ));
        }
        if o.kind != OrgKind::Enterprise {
            return Err(Error::invalid(format!(
                "政策事实只为企业填报：「{}」是{}",
                o.name,
                innomesh_core::Labelled::label(o.kind)
            )));
        }
        if facts.is_empty() {
            return Err(Error::invalid("没有要填报的事实"));
        }
        if facts.len() > 200 {
            return Err(Error::invalid("一次最多填报 200 项事实"));
        }
        let as_of = match as_of.map(str::trim).filter(|s| !s.is_empty()) {
            None => today().to_string(),
            Some(s) => Date::parse(s)
                .ok_or_else(|| {
                    Error::invalid(format!("数据日期「{s}」应为 YYYY-MM-DD，例如 2025-12-31"))
                })?
                .to_string(),
        };
        if note.chars().count() > 500 {
            return Err(Error::invalid("说明不能超过 500 字"));
        }
        let rules = self.rule_entries()?;
        let source = if enterprise_only(who) {
            "enterprise"
        } else {
            "bureau"
        };
        let mut rows = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in facts {
            let key = f.key.trim();
            if !seen.insert(key.to_string()) {
                return Err(Error::invalid(format!("事实「{key}」填写了两次")));
            }
            let value = check_fact(&rules, key, &f.value)?;
            rows.push((
                o.credit_code.as_str().to_string(),
                FactEntry {
                    key: key.to_string(),
                    value,
                    as_of: as_of.clone(),
                    source: source.to_string(),
                    note: note.trim().to_string(),
                },
            ));
        }
        self.repo.set_policy_facts(&rows, &who.actor())?;
        self.after_write();
        self.org_policies(who, org)
    }

    /// Writes the generated sample facts (示例数据) as the bureau's entries: `innomesh demo` only.
    pub fn seed_sample_facts(
        &self,
        who: &Principal,
        facts: &[innomesh_core::sample::SampleFact],
    ) -> Result<usize> {
        if who.role != Role::Local {
            return Err(Error::new(
                Code::Forbidden,
                "只有本机命令行可以写入示例事实",
            ));
        }
        // In chunks, so that a ×100 sample (millions of facts) is never copied whole.
        for chunk in facts.chunks(50_000) {
            let rows: Vec<(String, FactEntry)> = chunk
                .iter()
                .map(|f| {
                    (
                        f.org.as_str().to_string(),
                        FactEntry {
                            key: f.key.to_string(),
                            value: Some(f.value.to_string()),
                            as_of: innomesh_core::sample::SAMPLE_FACTS_AS_OF.to_string(),
                            source: "bureau".into(),
                            note: innomesh_core::sample::SAMPLE_LABEL.to_string(),
                        },
                    )
                })
                .collect();
            self.repo.set_policy_facts(&rows, &who.actor())?;
        }
        self.after_write();
        Ok(facts.len())
    }

    /// Policy → enterprises as an XLSX workbook (Chinese headers): 免申即享, 差一项, 快申快享.
    pub fn policy_matches_xlsx(&self, who: &Principal, id: &str) -> Result<Vec<u8>> {
        who.require(Perm::Export)?;
        who.require(Perm::Policies)?;
        let entry = self.policy_rule(who, id)?;
        let date = today();
        let cl = self.classify_all(who, &entry.rule, date)?;
        let all = |c: Category| listed(&entry.rule, &cl, c, 0, usize::MAX, date);
        let (automatic, near_miss, unknown) = (
            all(Category::Eligible)?,
            all(Category::NearMiss)?,
            all(Category::Unknown)?,
        );
        let headers: Vec<String> = [
            "统一社会信用代码",
            "单位名称",
            "旗县区",
            "行业",
            "判定",
            "办理方式",
            "未满足的条件",
            "需补充的事实",
            "怎样可以达标",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows = |list: &[MatchRow]| -> Vec<Vec<innomesh_core::tabular::Cell>> {
            list.iter()
                .map(|r| {
                    [
                        r.org.clone(),
                        r.name.clone(),
                        r.region_name.clone(),
                        r.industry_name.clone(),
                        r.category_label.to_string(),
                        r.route.to_string(),
                        r.failed.join("；"),
                        r.missing.join("、"),
                        r.hints.join("；"),
                    ]
                    .into_iter()
                    .map(innomesh_core::tabular::Cell::Text)
                    .collect()
                })
                .collect()
        };
        let sample = self.sample_label().is_some();
        let title = |s: &str| {
            if sample {
                format!("{s}（示例数据）")
            } else {
                s.to_string()
            }
        };
        let (a, n, u) = (rows(&automatic), rows(&near_miss), rows(&unknown));
        let names = [title("免申即享"), title("差一项"), title("快申快享")];
        innomesh_sheets::write_xlsx(&[
            innomesh_sheets::Sheet {
                name: &names[0],
                headers: &headers,
                rows: &a,
            },
            innomesh_sheets::Sheet {
                name: &names[1],
                headers: &headers,
                rows: &n,
            },
            innomesh_sheets::Sheet {
                name: &names[2],
                headers: &headers,
                rows: &u,
            },
        ])
        .map_err(Error::internal)
    }
}

/// The rule's conditions, indented by depth, in plain Chinese (the version in force today).
pub fn conditions_text(rule: &Rule, date: Date) -> Vec<ConditionText> {
    use innomesh_policy::NodeKind;
    let Ok(v) = rule.version_at(date) else {
        return vec![];
    };
    let mut out = Vec::new();
    fn walk(
        rule: &Rule,
        nodes: &[innomesh_policy::Node],
        i: usize,
        depth: usize,
        out: &mut Vec<ConditionText>,
    ) {
        let n = &nodes[i];
        let text = match &n.kind {
            NodeKind::All(_) => format!("{}（以下全部满足）", n.description),
            NodeKind::Any(_) => format!("{}（以下满足其一）", n.description),
            NodeKind::Not(_) => format!("{}（以下不得成立）", n.description),
            NodeKind::Leaf(l) => {
                let f = &rule.facts[l.fact];
                format!("{}〔{}〕", n.description, f.name)
            }
        };
        if n.key.is_some() || !n.description.is_empty() {
            out.push(ConditionText {
                key: n.key.clone().unwrap_or_default(),
                depth,
                text: text.trim_start_matches('（').to_string(),
            });
        }
        let next = depth + usize::from(n.key.is_some() || !n.description.is_empty());
        match &n.kind {
            NodeKind::All(ch) | NodeKind::Any(ch) => {
                for &c in ch {
                    walk(rule, nodes, c, next, out);
                }
            }
            NodeKind::Not(c) => walk(rule, nodes, *c, next, out),
            NodeKind::Leaf(_) => {}
        }
    }
    walk(rule, &v.nodes, 0, 0, &mut out);
    out
}

pub fn source_text(rule: &Rule) -> String {
    format!(
        "{}（{}）{}",
        rule.source.document, rule.source.number, rule.source.article
    )
}

fn fact_name(rule: &Rule, key: &str) -> String {
    rule.fact(key)
        .map(|f| f.name.clone())
        .unwrap_or_else(|| key.to_string())
}

/// The division (2-digit) of an industry code with its name; 「未登记行业」 when none.
fn division(code: Option<&str>) -> (String, String) {
    let Some(c) = code else {
        return (String::new(), "未登记行业".into());
    };
    let d: String = c.chars().filter(|c| c.is_ascii_digit()).take(2).collect();
    let key = if d.len() == 2 { d } else { c.to_string() };
    let name = innomesh_core::IndustryCode::parse(&key)
        .map(|i| i.name())
        .unwrap_or_default();
    let name = if name.is_empty() { key.clone() } else { name };
    (key, name)
}

fn match_row(rule: &Rule, o: &EnterpriseProfile, v: &Verdict) -> MatchRow {
    let failed: Vec<String> = v
        .conditions
        .iter()
        .filter(|c| v.failed.contains(&c.key))
        .map(|c| c.description.clone())
        .collect();
    let hints = v
        .conditions
        .iter()
        .filter(|c| v.failed.contains(&c.key))
        .filter_map(|c| c.hint.clone())
        .collect();
    MatchRow {
        org: o.id.clone(),
        name: o.name.clone(),
        region: o.region.clone(),
        region_name: region_name(&o.region),
        industry: o.industry.clone(),
        industry_name: o
            .industry
            .as_deref()
            .and_then(|i| innomesh_core::IndustryCode::parse(i).ok())
            .map(|i| i.name())
            .unwrap_or_default(),
        category: v.category,
        category_label: category_label(v.category),
        route: route(v.category),
        failed,
        missing: v.missing.iter().map(|k| fact_name(rule, k)).collect(),
        hints,
    }
}

/// A registry value for a fact key, and the field it comes from.
pub(crate) fn registry_value(
    key: &str,
    row: &OrgRow,
    date: Date,
) -> Option<(serde_json::Value, &'static str)> {
    use serde_json::json;
    let o = &row.p;
    let field = REGISTRY_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, f)| *f);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a >= 0.0 && a <= b => Some(json!(a / b)),
        _ => None,
    };
    let v = match key {
        "registered_years" => o.founded.as_deref().and_then(|f| {
            let d = Date::parse(f)?;
            Some(json!(d.years_until(date).max(0)))
        }),
        "registered_in_mainland" => row.enterprise.then_some(json!(true)),
        "employees" => o.employees.map(|e| json!(e)),
        "revenue_wan" => o.revenue.map(|r| json!(r)),
        "rd_expense_wan" => o.rd_spend.map(|r| json!(r)),
        "rd_staff_ratio" | "tech_staff_ratio" => {
            ratio(o.rd_staff.map(f64::from), o.employees.map(f64::from))
        }
        "rd_ratio_of_sales" => ratio(o.rd_spend, o.revenue),
        "hitech_certificate_valid" => Some(json!(o.high_tech)),
        "specialised_sme_certified" => Some(json!(o.specialised)),
        "industry_code" => o.industry.as_ref().map(|i| json!(i)),
        PATENT_KEY if row.patents > 0 => {
            return Some((json!(row.patents), "科技成果中本单位的专利"))
        }
        _ => None,
    }?;
    Some((v, field?))
}

/// One fact of an enterprise: the registry's value when it has one the rule can take, else the
/// latest entered value (a value of the wrong type or out of range reads as missing).
/// `entered` is the enterprise's latest entered value (JSON text) for the key, if any.
pub(crate) fn fact_value(
    def: &FactDef,
    row: &OrgRow,
    entered: Option<&str>,
    date: Date,
) -> Option<Value> {
    if let Some((j, _)) = registry_value(&def.key, row, date) {
        if let Ok(Some(v)) = parse_fact(def, &j) {
            return Some(v);
        }
    }
    let j: serde_json::Value = serde_json::from_str(entered?).ok()?;
    parse_fact(def, &j).ok().flatten()
}

/// An enterprise's facts for a rule (the per-enterprise view of a fact column).
fn facts_for(rule: &Rule, input: &OrgInput, date: Date) -> innomesh_policy::Facts {
    rule.facts
        .iter()
        .filter_map(|d| {
            let entered = input
                .entered
                .iter()
                .rev()
                .find(|f| f.key == d.key)
                .map(|f| f.value.as_str());
            Some((d.key.clone(), fact_value(d, &input.row, entered, date)?))
        })
        .collect()
}

/// A region's name, or its code when the list does not know it.
fn region_name(code: &str) -> String {
    innomesh_core::RegionCode::parse(code)
        .map(|r| r.name())
        .unwrap_or_else(|_| code.to_string())
}

/// One fact's values (one per enterprise, in order) as a column of the fact's type.
pub(crate) fn fact_column(def: &FactDef, values: impl Iterator<Item = Option<Value>>) -> Column {
    match &def.ty {
        FactType::Boolean => Column::booleans(values.map(|v| match v {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        })),
        ty if ty.is_text() => {
            let texts: Vec<Option<String>> = values
                .map(|v| match v {
                    Some(Value::Text(s)) => Some(s),
                    _ => None,
                })
                .collect();
            Column::texts(texts.iter().map(|s| s.as_deref()))
        }
        _ => Column::numbers(values.map(|v| match v {
            Some(Value::Num(x)) => Some(x),
            _ => None,
        })),
    }
}

/// One page of one category of a classification, each enterprise with its reasons.
fn listed(
    rule: &Rule,
    cl: &Classified,
    category: Category,
    offset: usize,
    limit: usize,
    date: Date,
) -> Result<Vec<MatchRow>> {
    cl.categories
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == category)
        .skip(offset)
        .take(limit)
        .map(|(i, _)| {
            let facts: innomesh_policy::Facts = cl
                .columns
                .iter()
                .filter_map(|(key, c)| Some((key.clone(), c.get(i)?)))
                .collect();
            let v = evaluate(rule, &facts, date).map_err(|e| Error::invalid(e.to_string()))?;
            Ok(match_row(rule, &cl.orgs[i].p, &v))
        })
        .collect()
}

/// Every fact any rule reads (derived facts aside), with this enterprise's value, date and source.
fn fact_rows(rules: &[RuleEntry], input: &OrgInput, date: Date) -> Vec<FactRow> {
    let mut by_key: BTreeMap<String, FactRow> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for e in rules {
        for def in &e.rule.facts {
            if def.derived.is_some() {
                continue;
            }
            if let Some(row) = by_key.get_mut(&def.key) {
                if !row.used_by.contains(&e.rule.name) {
                    row.used_by.push(e.rule.name.clone());
                }
                continue;
            }
            order.push(def.key.clone());
            let registry = registry_value(&def.key, &input.row, date);
            let entered = input.entered.iter().find(|f| f.key == def.key);
            let always_registry = REGISTRY_KEYS.iter().any(|(k, _)| *k == def.key);
            let (value, source, source_label, as_of, by, at) = match (&registry, entered) {
                (Some((v, field)), _) => (
                    v.clone(),
                    Some(FactSource::Registry),
                    format!("登记库「{field}」"),
                    Some(input.recorded.clone().unwrap_or_else(|| date.to_string())),
                    None,
                    None,
                ),
                (None, Some(f)) => {
                    let src = if f.source == "enterprise" {
                        FactSource::Enterprise
                    } else {
                        FactSource::Bureau
                    };
                    (
                        serde_json::from_str(&f.value).unwrap_or(serde_json::Value::Null),
                        Some(src),
                        src.label().to_string(),
                        Some(f.as_of.clone()),
                        Some(f.actor.clone()),
                        Some(f.at.clone()),
                    )
                }
                (None, None) => (
                    serde_json::Value::Null,
                    None,
                    if always_registry {
                        "登记库未填".into()
                    } else {
                        "待补充".into()
                    },
                    None,
                    None,
                    None,
                ),
            };
            let shown = show_json(&def.ty, def.unit.as_deref(), &value);
            by_key.insert(
                def.key.clone(),
                FactRow {
                    key: def.key.clone(),
                    name: def.name.clone(),
                    type_label: def.ty.name_zh().to_string(),
                    description: def.description.clone(),
                    manual: def.manual,
                    value,
                    shown,
                    source,
                    source_label,
                    as_of,
                    entered_by: by,
                    entered_at: at,
                    used_by: vec![e.rule.name.clone()],
                    from_registry: always_registry,
                },
            );
        }
    }
    order
        .into_iter()
        .filter_map(|k| by_key.remove(&k))
        .collect()
}

fn show_json(ty: &FactType, unit: Option<&str>, v: &serde_json::Value) -> String {
    use innomesh_policy::Value;
    let val = match v {
        serde_json::Value::Null => return "待补充".into(),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match ty {
            FactType::Date => return n.to_string(),
            _ => Value::Num(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => return other.to_string(),
    };
    match (ty, &val) {
        (FactType::Date, Value::Text(s)) => return s.clone(),
        // A code with its name: 「3232 稀土金属冶炼」.
        (FactType::Code(innomesh_policy::CodeList::Industry), Value::Text(s)) => {
            let name = innomesh_core::IndustryCode::parse(s)
                .map(|i| i.name())
                .unwrap_or_default();
            return format!("{s} {name}").trim().to_string();
        }
        (FactType::Code(innomesh_policy::CodeList::Region), Value::Text(s)) => {
            let name = innomesh_core::RegionCode::parse(s)
                .map(|r| r.name())
                .unwrap_or_default();
            return format!("{s} {name}").trim().to_string();
        }
        _ => {}
    }
    innomesh_policy::show_value(ty, unit, &val)
}

/// Checks one entered value against every rule that reads the key; `None` withdraws.
fn check_fact(rules: &[RuleEntry], key: &str, value: &serde_json::Value) -> Result<Option<String>> {
    if let Some((_, field)) = REGISTRY_KEYS.iter().find(|(k, _)| *k == key) {
        return Err(Error::invalid(format!(
            "事实「{key}」取自企业登记信息「{field}」，请修改登记信息，不在此填报"
        )));
    }
    let readers: Vec<&RuleEntry> = rules
        .iter()
        .filter(|e| e.rule.fact(key).is_some())
        .collect();
    let Some(first) = readers.first() else {
        return Err(Error::invalid(format!(
            "没有政策规则使用事实「{key}」，请检查键名"
        )));
    };
    if let Some(def) = first.rule.fact(key) {
        if def.derived.is_some() {
            return Err(Error::invalid(format!(
                "「{}」由其他事实计算得出，请填报它所依据的事实",
                def.name
            )));
        }
    }
    if value.is_null() {
        return Ok(None);
    }
    for e in &readers {
        let mut one = serde_json::Map::new();
        one.insert(key.to_string(), value.clone());
        innomesh_policy::parse_facts(&e.rule, &one).map_err(|err| {
            let name = e.rule.fact(key).map(|f| f.name.as_str()).unwrap_or(key);
            Error::new(Code::InvalidField, format!("「{name}」（{key}）：{err}"))
        })?;
    }
    Ok(Some(value.to_string()))
}

/// The verdict label for a status (shared with the pages).
pub fn truth_label(t: Truth) -> &'static str {
    t.label()
}

/// A value typed into a page form, read by the type the rules declare for the key: 「是」/「否」,
/// numbers with thousands separators, ratios as 「4.5%」 or 0.045, dates, codes. Empty is `None`
/// (left as it is); 「撤回」 withdraws the entered value.
pub fn value_from_text(
    rules: &[RuleEntry],
    key: &str,
    text: &str,
) -> Result<Option<serde_json::Value>> {
    use serde_json::json;
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t == "撤回" {
        return Ok(Some(serde_json::Value::Null));
    }
    let Some(def) = rules.iter().find_map(|e| e.rule.fact(key)) else {
        return Err(Error::invalid(format!("没有政策规则使用事实「{key}」")));
    };
    let bad = |what: &str| {
        Error::new(
            Code::InvalidField,
            format!("「{}」：「{t}」不是{what}", def.name),
        )
    };
    let num = |s: &str| -> Option<f64> {
        s.replace([',', '，', ' '], "")
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
    };
    Ok(Some(match &def.ty {
        FactType::Boolean => match t {
            "是" | "true" | "有" => json!(true),
            "否" | "false" | "无" => json!(false),
            _ => return Err(bad("「是」或「否」")),
        },
        FactType::Ratio => match t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
            Some(p) => json!(num(p).ok_or_else(|| bad("百分比"))? / 100.0),
            None => json!(num(t).ok_or_else(|| bad("比例（如 4.5% 或 0.045）"))?),
        },
        FactType::Number | FactType::Money => json!(num(t).ok_or_else(|| bad("数字"))?),
        FactType::Date | FactType::Enumeration(_) | FactType::Code(_) => json!(t),
    }))
}
