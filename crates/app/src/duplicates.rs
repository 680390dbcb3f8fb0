//! 重复申报审查: the flagged pairs as a programme officer reviews them — applicants and
//! programmes by name, grouped by what flagged them (same text, same people, same budget lines),
//! sortable, with the text reuse counted from exactly the sentences shown as reused — and the
//! officer's decision on each pair (确认重复 / 排除，附理由), stored and audited.
//!
//! The text figure of one side is characters, not shingles: of the side's text outside the
//! sentences the engine set aside as boilerplate (套话, shown greyed), the share inside the
//! sentences it counted as reused (`TextEvidence::reused_a/_b`, shown highlighted). Whitespace
//! is not counted. So the figure on the page is what the page highlights, and a text mostly made
//! of boilerplate says so beside it.

use crate::auth::scope::Visibility;
use crate::auth::{Perm, Principal, Role};
use crate::{funding, App, Code, Error, Result};
use innomesh_core::{EntityKind, Record};
use innomesh_dedup::{FlaggedPair, MatchKind, Span};
use innomesh_store::duplicates::{ordered, DuplicateDecision, DuplicateVerdict};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Longest accepted reason, in characters.
pub const MAX_REASON_CHARS: usize = 2000;
/// Most pairs one list answer holds.
pub const MAX_LIMIT: usize = 1000;
/// Pairs one list answer holds unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 200;

/// What flagged a pair, and so the group a reviewer sees it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// 正文相同: the texts reuse each other.
    Text,
    /// 成员相同: the same applicant filing with largely the same team.
    People,
    /// 预算相同: the same budget lines claimed.
    Budget,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 3] = [ReviewKind::Text, ReviewKind::People, ReviewKind::Budget];

    pub fn code(self) -> &'static str {
        match self {
            ReviewKind::Text => "text",
            ReviewKind::People => "people",
            ReviewKind::Budget => "budget",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewKind::Text => "正文相同",
            ReviewKind::People => "成员相同",
            ReviewKind::Budget => "预算相同",
        }
    }

    /// What the pair's score measures for this kind.
    pub fn measure(self) -> &'static str {
        match self {
            ReviewKind::Text => "正文复用（不计套话）",
            ReviewKind::People => "成员重合（较小团队中的占比）",
            ReviewKind::Budget => "预算科目重合（较少一方中的占比）",
        }
    }

    pub fn parse(s: &str) -> Result<ReviewKind> {
        ReviewKind::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| {
                Error::new(
                    Code::InvalidQuery,
                    format!("类别「{s}」无效：可选 text（正文相同）、people（成员相同）、budget（预算相同）"),
                )
            })
    }

    fn of(p: &FlaggedPair) -> ReviewKind {
        match p.flagged_for() {
            MatchKind::Text => ReviewKind::Text,
            MatchKind::People | MatchKind::Applicant => ReviewKind::People,
            MatchKind::Budget => ReviewKind::Budget,
        }
    }
}

/// Order of a list (within each kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    /// Highest score first.
    #[default]
    Score,
    /// By the applicants' names.
    Applicant,
    /// Newest call year first.
    Year,
    /// By programme name.
    Programme,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 4] = [
        ReviewSort::Score,
        ReviewSort::Applicant,
        ReviewSort::Year,
        ReviewSort::Programme,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewSort::Score => "score",
            ReviewSort::Applicant => "applicant",
            ReviewSort::Year => "year",
            ReviewSort::Programme => "programme",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewSort::Score => "重复程度",
            ReviewSort::Applicant => "申报单位",
            ReviewSort::Year => "年度",
            ReviewSort::Programme => "专项",
        }
    }

    pub fn parse(s: &str) -> Result<ReviewSort> {
        ReviewSort::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| {
                Error::new(
                    Code::InvalidQuery,
                    format!("排序「{s}」无效：可选 score（重复程度）、applicant（申报单位）、year（年度）、programme（专项）"),
                )
            })
    }
}

/// Which pairs by their decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionFilter {
    /// Not excluded: pairs awaiting a decision and confirmed ones (the default list).
    #[default]
    Active,
    /// Awaiting a decision.
    Open,
    Confirmed,
    Excluded,
    /// Confirmed or excluded.
    Decided,
    All,
}

impl DecisionFilter {
    pub const ALL: [DecisionFilter; 6] = [
        DecisionFilter::Active,
        DecisionFilter::Open,
        DecisionFilter::Confirmed,
        DecisionFilter::Excluded,
        DecisionFilter::Decided,
        DecisionFilter::All,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DecisionFilter::Active => "active",
            DecisionFilter::Open => "open",
            DecisionFilter::Confirmed => "confirmed",
            DecisionFilter::Excluded => "excluded",
            DecisionFilter::Decided => "decided",
            DecisionFilter::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DecisionFilter::Active => "待审查和已确认",
            DecisionFilter::Open => "待审查",
            DecisionFilter::Confirmed => "已确认重复",
            DecisionFilter::Excluded => "已排除",
            DecisionFilter::Decided => "已审查",
            DecisionFilter::All => "全部",
        }
    }

    pub fn parse(s: &str) -> Result<DecisionFilter> {
        DecisionFilter::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| {
                Error::new(
                    Code::InvalidQuery,
                    format!("审查状态「{s}」无效：可选 active（待审查和已确认，默认）、open（待审查）、confirmed（已确认重复）、excluded（已排除）、decided（已审查）、all（全部）"),
                )
            })
    }

    fn admits(self, d: Option<DuplicateVerdict>) -> bool {
        use DuplicateVerdict::*;
        match self {
            DecisionFilter::Active => d != Some(Excluded),
            DecisionFilter::Open => d.is_none(),
            DecisionFilter::Confirmed => d == Some(Confirmed),
            DecisionFilter::Excluded => d == Some(Excluded),
            DecisionFilter::Decided => d.is_some(),
            DecisionFilter::All => true,
        }
    }
}

/// A list request.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery {
    pub sort: ReviewSort,
    pub kind: Option<ReviewKind>,
    pub decision: DecisionFilter,
    pub offset: usize,
    /// At most [`MAX_LIMIT`]; 0 means [`DEFAULT_LIMIT`].
    pub limit: usize,
}

/// One application of a pair, as a reviewer reads it.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub id: String,
    pub title: String,
    /// 统一社会信用代码 of the applicant.
    pub applicant: String,
    /// The applicant's registered name (empty when the registry does not hold it).
    pub applicant_name: String,
    pub programme: String,
    pub programme_name: String,
    /// 主管部门 of the programme.
    pub department: String,
    pub year: i32,
    /// Characters of the text outside boilerplate (whitespace not counted).
    pub counted_chars: usize,
    /// Of those, characters in the sentences counted as reused in the other application.
    pub reused_chars: usize,
    /// Characters in sentences set aside as boilerplate (套话).
    pub boilerplate_chars: usize,
    /// `reused_chars / counted_chars`, when the pair's texts were compared.
    pub reuse: Option<f64>,
}

/// A flagged pair with everything its list row shows.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub a: Side,
    pub b: Side,
    /// What flagged the pair.
    pub kind: ReviewKind,
    /// Every signal found (text, applicant, people, budget).
    pub kinds: Vec<MatchKind>,
    /// How much is shared, by the measure of `kind` (see [`ReviewKind::measure`]): the smaller
    /// side's text reuse, or the shared share of people or budget lines.
    pub score: f64,
    /// The engine's evidence (spans, shared people masked, budget lines).
    #[serde(skip)]
    pub pair: Arc<FlaggedPair>,
}

/// A row and its current decision.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    #[serde(flatten)]
    pub row: ReviewRow,
    pub decision: Option<DuplicateDecision>,
}

/// A page of the review list.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewPage {
    /// Pairs matching the filters (all kinds, or the chosen one).
    pub total: usize,
    /// Applications compared.
    pub applications: usize,
    /// Pairs per kind under the decision filter.
    pub counts: Vec<(ReviewKind, usize)>,
    /// Pairs the caller sees per decision (open, confirmed, excluded).
    pub open: usize,
    pub confirmed: usize,
    pub excluded: usize,
    pub offset: usize,
    pub limit: usize,
    /// Grouped by kind (text, people, budget), each group in the requested order.
    pub items: Vec<ReviewItem>,
}

/// One pair side by side.
#[derive(Debug, Clone, Serialize)]
pub struct PairView {
    #[serde(flatten)]
    pub row: ReviewRow,
    pub pair: FlaggedPair,
    /// The texts the detector compared (the spans below are character offsets into them).
    pub text_a: String,
    pub text_b: String,
    /// Highlighted: the sentences counted as reused.
    pub reused_a: Vec<Span>,
    pub reused_b: Vec<Span>,
    /// Greyed: boilerplate, counted in neither figure.
    pub boilerplate_a: Vec<Span>,
    pub boilerplate_b: Vec<Span>,
    pub decision: Option<DuplicateDecision>,
    /// Every decision on the pair, oldest first.
    pub history: Vec<DuplicateDecision>,
    /// Whether the caller may decide this pair.
    pub may_decide: bool,
}

/// Characters (not whitespace) of `chars` inside `spans`.
pub fn count_chars(chars: &[char], spans: &[Span]) -> usize {
    let mut seen = vec![false; chars.len()];
    for s in spans {
        for x in seen.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
            *x = true;
        }
    }
    chars
        .iter()
        .zip(&seen)
        .filter(|(c, &inside)| inside && !c.is_whitespace())
        .count()
}

fn side(
    a: &innomesh_core::model::Application,
    names: &HashMap<String, String>,
    programmes: &HashMap<String, (String, String)>,
    spans: Option<(&[Span], &[Span])>,
) -> Side {
    let code = a.applicant.to_string();
    let (programme_name, department) = programmes
        .get(&a.programme)
        .cloned()
        .unwrap_or_else(|| (a.programme.clone(), String::new()));
    let mut s = Side {
        id: a.id.clone(),
        title: a.title.clone(),
        applicant_name: names.get(&code).cloned().unwrap_or_default(),
        applicant: code,
        programme: a.programme.clone(),
        programme_name,
        department,
        year: a.year,
        counted_chars: 0,
        reused_chars: 0,
        boilerplate_chars: 0,
        reuse: None,
    };
    let text: Vec<char> = funding::to_dedup(a).text.chars().collect();
    let all = text.iter().filter(|c| !c.is_whitespace()).count();
    match spans {
        Some((reused, boilerplate)) => {
            s.boilerplate_chars = count_chars(&text, boilerplate);
            s.counted_chars = all - s.boilerplate_chars;
            s.reused_chars = count_chars(&text, reused);
            s.reuse = Some(if s.counted_chars == 0 {
                0.0
            } else {
                s.reused_chars as f64 / s.counted_chars as f64
            });
        }
        None => s.counted_chars = all,
    }
    s
}

/// Every flagged pair as review rows (all of them: callers narrow by scope), built once per
/// registry version.
pub struct Review {
    pub rows: Vec<ReviewRow>,
    /// Applications compared.
    pub applications: usize,
}

fn build(app: &App) -> Result<Review> {
    let pairs = funding::cached_duplicates(app)?;
    let repo = app.repo();
    let apps: HashMap<String, innomesh_core::model::Application> = funding::applications(repo)?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let codes: Vec<String> = apps
        .values()
        .map(|a| a.applicant.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names = repo.org_names(&codes)?;
    let programmes: HashMap<String, (String, String)> = repo
        .all(EntityKind::Programme)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Programme(p) => Some((p.id, (p.name, p.department))),
            _ => None,
        })
        .collect();
    let mut rows = Vec::with_capacity(pairs.len());
    for p in pairs.iter() {
        let (Some(x), Some(y)) = (apps.get(&p.a), apps.get(&p.b)) else {
            continue;
        };
        let t = p.text.as_ref();
        let a = side(
            x,
            &names,
            &programmes,
            t.map(|t| (t.reused_a.as_slice(), t.boilerplate_a.as_slice())),
        );
        let b = side(
            y,
            &names,
            &programmes,
            t.map(|t| (t.reused_b.as_slice(), t.boilerplate_b.as_slice())),
        );
        let kind = ReviewKind::of(p);
        let score = match kind {
            ReviewKind::Text => a.reuse.unwrap_or(0.0).min(b.reuse.unwrap_or(0.0)),
            ReviewKind::People => p.people.as_ref().map_or(0.0, |x| x.share),
            ReviewKind::Budget => p.budget.as_ref().map_or(0.0, |x| x.share),
        };
        rows.push(ReviewRow {
            a,
            b,
            kind,
            kinds: p.kinds.clone(),
            score,
            pair: Arc::new(p.clone()),
        });
    }
    Ok(Review {
        rows,
        applications: apps.len(),
    })
}

fn review(app: &App) -> Result<Arc<Review>> {
    app.derived.duplicate_review.get(app, (), || build(app))
}

fn not_flagged(a: &str, b: &str) -> Error {
    Error::new(
        Code::NotFound,
        format!("申报「{a}」与「{b}」没有被判为疑似重复，或其中之一不存在"),
    )
}

impl App {
    /// The rows the caller may review: all for city staff and auditors; for a department, the
    /// pairs where one of the two applications is under its programmes.
    fn visible_rows(&self, who: &Principal) -> Result<(Vec<ReviewRow>, usize)> {
        who.require(Perm::Funding)?;
        let review = review(self)?;
        let all = &review.rows;
        let rows = match self.visibility(who, EntityKind::Application)? {
            Visibility::All => all.clone(),
            _ if who.role == Role::DepartmentStaff => {
                let mine = |s: &Side| s.department.trim() == who.scope.trim();
                all.iter()
                    .filter(|r| mine(&r.a) || mine(&r.b))
                    .cloned()
                    .collect()
            }
            _ => {
                let mine: HashSet<String> = self
                    .all(who, EntityKind::Application)?
                    .into_iter()
                    .map(|r| r.id().to_string())
                    .collect();
                all.iter()
                    .filter(|r| mine.contains(&r.a.id) || mine.contains(&r.b.id))
                    .cloned()
                    .collect()
            }
        };
        Ok((rows, review.applications))
    }

    fn decisions(&self) -> Result<HashMap<(String, String), DuplicateDecision>> {
        Ok(self
            .repo
            .duplicate_decisions()?
            .into_iter()
            .map(|d| ((d.app_a.clone(), d.app_b.clone()), d))
            .collect())
    }

    /// The review list: the caller's pairs under the filters, grouped by kind and sorted.
    pub fn duplicate_review(&self, who: &Principal, q: &ReviewQuery) -> Result<ReviewPage> {
        let (rows, applications) = self.visible_rows(who)?;
        let mut decided = self.decisions()?;
        let mut items: Vec<ReviewItem> = rows
            .into_iter()
            .map(|row| {
                let (x, y) = ordered(&row.a.id, &row.b.id);
                let decision = decided.remove(&(x.to_string(), y.to_string()));
                ReviewItem { row, decision }
            })
            .collect();
        let verdict = |i: &ReviewItem| i.decision.as_ref().map(|d| d.decision);
        let open = items.iter().filter(|i| verdict(i).is_none()).count();
        let confirmed = items
            .iter()
            .filter(|i| verdict(i) == Some(DuplicateVerdict::Confirmed))
            .count();
        let excluded = items.len() - open - confirmed;
        items.retain(|i| q.decision.admits(verdict(i)));
        let counts = ReviewKind::ALL
            .into_iter()
            .map(|k| (k, items.iter().filter(|i| i.row.kind == k).count()))
            .collect();
        if let Some(k) = q.kind {
            items.retain(|i| i.row.kind == k);
        }
        sort(&mut items, q.sort);
        let total = items.len();
        let limit = match q.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let items: Vec<ReviewItem> = items.into_iter().skip(q.offset).take(limit).collect();
        Ok(ReviewPage {
            total,
            applications,
            counts,
            open,
            confirmed,
            excluded,
            offset: q.offset,
            limit,
            items,
        })
    }

    /// One flagged pair side by side (named in either order), with its decision and history.
    pub fn duplicate_pair(&self, who: &Principal, a: &str, b: &str) -> Result<PairView> {
        let row = self
            .visible_rows(who)?
            .0
            .into_iter()
            .find(|r| (r.a.id == a && r.b.id == b) || (r.a.id == b && r.b.id == a))
            .ok_or_else(|| not_flagged(a, b))?;
        let text = |id: &str| -> Result<String> {
            match self.repo.get(EntityKind::Application, id)? {
                Some(Record::Application(x)) => Ok(funding::to_dedup(&x).text),
                _ => Err(not_flagged(a, b)),
            }
        };
        let (text_a, text_b) = (text(&row.a.id)?, text(&row.b.id)?);
        let history = self.repo.duplicate_history(&row.a.id, &row.b.id)?;
        let pair = row.pair.as_ref().clone();
        let (reused_a, reused_b, boilerplate_a, boilerplate_b) = match &pair.text {
            Some(t) => (
                t.reused_a.clone(),
                t.reused_b.clone(),
                t.boilerplate_a.clone(),
                t.boilerplate_b.clone(),
            ),
            None => Default::default(),
        };
        Ok(PairView {
            may_decide: who.may(Perm::Write),
            decision: history.last().cloned(),
            history,
            pair,
            text_a,
            text_b,
            reused_a,
            reused_b,
            boilerplate_a,
            boilerplate_b,
            row,
        })
    }

    /// Records a decision on a flagged pair the caller reviews: 确认重复, or 排除 with a reason.
    /// City staff decide any pair, a department the pairs of its programmes; auditors only read.
    pub fn decide_duplicate(
        &self,
        who: &Principal,
        a: &str,
        b: &str,
        decision: &str,
        reason: &str,
    ) -> Result<DuplicateDecision> {
        who.require(Perm::Funding)?;
        who.require(Perm::Write)?;
        let verdict = DuplicateVerdict::parse(decision).ok_or_else(|| {
            Error::new(
                Code::InvalidField,
                format!("决定「{decision}」无效：应为 confirmed（确认重复）或 excluded（排除）"),
            )
        })?;
        let row = self
            .visible_rows(who)?
            .0
            .into_iter()
            .find(|r| (r.a.id == a && r.b.id == b) || (r.a.id == b && r.b.id == a))
            .ok_or_else(|| not_flagged(a, b))?;
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(Error::new(
                Code::InvalidField,
                format!("理由不超过 {MAX_REASON_CHARS} 字"),
            ));
        }
        let reason = reason.trim();
        if verdict == DuplicateVerdict::Excluded && reason.is_empty() {
            return Err(Error::new(
                Code::InvalidField,
                "排除须填写理由：说明为什么这两份申报不算重复申报（例如「同一项目的分期申报，已核实」）",
            ));
        }
        Ok(self.repo.duplicate_decide(
            &row.a.id,
            &row.b.id,
            verdict,
            reason,
            Some(row.score),
            &who.actor(),
        )?)
    }
}

fn sort(items: &mut [ReviewItem], by: ReviewSort) {
    fn names(r: &ReviewRow) -> (&str, &str) {
        let (x, y) = (name_key(&r.a), name_key(&r.b));
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    }
    fn name_key(s: &Side) -> &str {
        if s.applicant_name.is_empty() {
            &s.applicant
        } else {
            &s.applicant_name
        }
    }
    fn programmes(r: &ReviewRow) -> (&str, &str) {
        let (x, y) = (r.a.programme_name.as_str(), r.b.programme_name.as_str());
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    }
    items.sort_by(|x, y| {
        let (p, q) = (&x.row, &y.row);
        let score = q.score.total_cmp(&p.score);
        let ids = (&p.a.id, &p.b.id).cmp(&(&q.a.id, &q.b.id));
        p.kind
            .cmp(&q.kind)
            .then_with(|| match by {
                ReviewSort::Score => score,
                ReviewSort::Applicant => names(p).cmp(&names(q)).then(score),
                ReviewSort::Year => (q.a.year.max(q.b.year), q.a.year.min(q.b.year))
                    .cmp(&(p.a.year.max(p.b.year), p.a.year.min(p.b.year)))
                    .then(score),
                ReviewSort::Programme => programmes(p).cmp(&programmes(q)).then(score),
            })
            .then(ids)
    });
}
