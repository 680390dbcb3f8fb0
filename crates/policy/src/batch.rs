//! Policy → enterprises at scale: a rule version compiled into a flat program over a columnar
//! fact table (one vector per fact with a presence bitmask), evaluated 64 enterprises at a time
//! with Kleene logic on bit pairs (`t` = known true, `f` = known false, neither = unknown).
//!
//! The classification follows exactly the reporting rule of `eval` (see its module doc), so a row's
//! category here equals `eval::classify` on the same facts; the tests check this.

use crate::eval::{band_agreement, Category, Facts};
use crate::rule::{band_of, Band, Derived, FactDef, NodeKind, Op, Rule, Threshold};
use crate::value::{tol, Date, FactType, Value};
use crate::PolicyError;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// One fact for every enterprise of a table; bit `i` of `present` says whether row `i` has it.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Num {
        values: Vec<f64>,
        present: Vec<u64>,
    },
    Bool {
        values: Vec<u64>,
        present: Vec<u64>,
    },
    Text {
        ids: Vec<u32>,
        dict: Vec<String>,
        present: Vec<u64>,
    },
}

fn words(n: usize) -> usize {
    n.div_ceil(64)
}

#[inline]
fn set(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

#[inline]
fn get(bits: &[u64], i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

impl Column {
    /// Numbers, money, ratios, or dates as day numbers (`Date::days`).
    pub fn numbers(items: impl IntoIterator<Item = Option<f64>>) -> Column {
        let mut values = Vec::new();
        let mut present = Vec::new();
        for (i, x) in items.into_iter().enumerate() {
            if i % 64 == 0 {
                present.push(0);
            }
            if x.is_some() {
                set(&mut present, i);
            }
            values.push(x.unwrap_or(0.0));
        }
        Column::Num { values, present }
    }

    pub fn booleans(items: impl IntoIterator<Item = Option<bool>>) -> Column {
        let mut values = Vec::new();
        let mut present = Vec::new();
        for (i, x) in items.into_iter().enumerate() {
            if i % 64 == 0 {
                present.push(0);
                values.push(0);
            }
            if let Some(b) = x {
                set(&mut present, i);
                if b {
                    set(&mut values, i);
                }
            }
        }
        Column::Bool { values, present }
    }

    /// Enumeration values or codes, dictionary-encoded.
    pub fn texts<'s>(items: impl IntoIterator<Item = Option<&'s str>>) -> Column {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut dict = Vec::new();
        let mut ids = Vec::new();
        let mut present = Vec::new();
        for (i, x) in items.into_iter().enumerate() {
            if i % 64 == 0 {
                present.push(0);
            }
            let id = match x {
                Some(s) => {
                    set(&mut present, i);
                    *index.entry(s).or_insert_with(|| {
                        dict.push(s.to_string());
                        dict.len() as u32 - 1
                    })
                }
                None => 0,
            };
            ids.push(id);
        }
        Column::Text { ids, dict, present }
    }

    /// Row `i`'s value (`None` when missing or past the end): a column rebuilt from these values
    /// with the constructor of its kind equals this one.
    pub fn get(&self, i: usize) -> Option<Value> {
        if i / 64 >= self.present().len() || !get(self.present(), i) {
            return None;
        }
        Some(match self {
            Column::Num { values, .. } => Value::Num(*values.get(i)?),
            Column::Bool { values, .. } => Value::Bool(get(values, i)),
            Column::Text { ids, dict, .. } => Value::Text(dict.get(*ids.get(i)? as usize)?.clone()),
        })
    }

    /// Sets row `i` (which must exist) to `value`; a value of another kind than the column's
    /// reads as missing, as in the constructors.
    pub fn set(&mut self, i: usize, value: Option<Value>) {
        fn put(bits: &mut [u64], i: usize, on: bool) {
            if on {
                bits[i / 64] |= 1 << (i % 64);
            } else {
                bits[i / 64] &= !(1 << (i % 64));
            }
        }
        match self {
            Column::Num { values, present } => {
                let x = match value {
                    Some(Value::Num(x)) => Some(x),
                    _ => None,
                };
                values[i] = x.unwrap_or(0.0);
                put(present, i, x.is_some());
            }
            Column::Bool { values, present } => {
                let b = match value {
                    Some(Value::Bool(b)) => Some(b),
                    _ => None,
                };
                put(values, i, b == Some(true));
                put(present, i, b.is_some());
            }
            Column::Text { ids, dict, present } => {
                let id = match value {
                    Some(Value::Text(t)) => Some(match dict.iter().position(|d| *d == t) {
                        Some(p) => p as u32,
                        None => {
                            dict.push(t);
                            dict.len() as u32 - 1
                        }
                    }),
                    _ => None,
                };
                ids[i] = id.unwrap_or(0);
                put(present, i, id.is_some());
            }
        }
    }

    fn present(&self) -> &[u64] {
        match self {
            Column::Num { present, .. }
            | Column::Bool { present, .. }
            | Column::Text { present, .. } => present,
        }
    }
}

/// Facts of many enterprises as columns. A fact without a column is missing for every row.
#[derive(Clone, Debug, Default)]
pub struct FactTable {
    len: usize,
    columns: HashMap<String, Column>,
}

impl FactTable {
    pub fn new(len: usize) -> FactTable {
        FactTable {
            len,
            columns: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn insert(&mut self, key: &str, column: Column) -> Result<(), PolicyError> {
        let n = match &column {
            Column::Num { values, .. } => values.len(),
            Column::Bool { .. } => self.len,
            Column::Text { ids, .. } => ids.len(),
        };
        if n != self.len || column.present().len() != words(self.len) {
            return Err(PolicyError::Column {
                key: key.into(),
                message: format!("行数应为 {}", self.len),
            });
        }
        self.columns.insert(key.into(), column);
        Ok(())
    }

    /// Columns for every fact the rule declares, from per-enterprise facts.
    pub fn from_facts(rule: &Rule, rows: &[Facts]) -> FactTable {
        let mut t = FactTable::new(rows.len());
        for def in &rule.facts {
            let col = match &def.ty {
                FactType::Boolean => Column::booleans(rows.iter().map(|r| match r.get(&def.key) {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                })),
                ty if ty.is_text() => Column::texts(rows.iter().map(|r| match r.get(&def.key) {
                    Some(Value::Text(s)) => Some(s.as_str()),
                    _ => None,
                })),
                _ => Column::numbers(rows.iter().map(|r| match r.get(&def.key) {
                    Some(Value::Num(x)) => Some(*x),
                    _ => None,
                })),
            };
            t.columns.insert(def.key.clone(), col);
        }
        t
    }
}

/// How many enterprises fall into each category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub eligible: usize,
    pub near_miss: usize,
    pub unknown: usize,
    pub ineligible: usize,
}

#[derive(Clone, Debug)]
pub struct Classification {
    /// One per row of the table.
    pub categories: Vec<Category>,
    pub counts: Counts,
    /// For each 差一项 row: the row and the key of the one requirement it misses.
    pub near_miss: Vec<(u32, String)>,
    /// For the 待补充 rows: how many of them miss each given fact (keys as in `Verdict::missing`,
    /// facts no row misses left out), in the rule's fact order.
    pub missing: Vec<(String, usize)>,
}

/// A rule version ready for columnar evaluation on one date.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    facts: Vec<FactDef>,
    nodes: Vec<CNode>,
    keys: Vec<Option<String>>,
    /// Nodes reported as failed requirements: comparisons, `any` and `not`.
    units: Vec<usize>,
    leaves: Vec<usize>,
    date: Date,
}

#[derive(Clone, Debug)]
enum CNode {
    All(Vec<usize>),
    Any(Vec<usize>),
    Not(usize),
    Num {
        fact: usize,
        op: Op,
        t: f64,
    },
    Band {
        fact: usize,
        op: Op,
        by: usize,
        bands: Vec<Band>,
    },
    Bool {
        fact: usize,
        want: bool,
    },
    Text {
        fact: usize,
        op: Op,
        list: Vec<String>,
    },
}

/// A column as the program reads it.
enum Col<'a> {
    Num(Cow<'a, [f64]>, Cow<'a, [u64]>),
    Bool(&'a [u64], &'a [u64]),
    Text(&'a [u32], &'a [u64], &'a [String]),
    Absent,
}

impl CompiledRule {
    pub fn new(rule: &Rule, date: Date) -> Result<CompiledRule, PolicyError> {
        let v = rule.version_at(date)?;
        let mut nodes = Vec::with_capacity(v.nodes.len());
        let mut units = Vec::new();
        let mut leaves = Vec::new();
        for (i, n) in v.nodes.iter().enumerate() {
            nodes.push(match &n.kind {
                NodeKind::All(ch) => CNode::All(ch.clone()),
                NodeKind::Any(ch) => {
                    units.push(i);
                    CNode::Any(ch.clone())
                }
                NodeKind::Not(c) => {
                    units.push(i);
                    CNode::Not(*c)
                }
                NodeKind::Leaf(l) => {
                    units.push(i);
                    leaves.push(i);
                    match &l.threshold {
                        Threshold::Num(t) => CNode::Num {
                            fact: l.fact,
                            op: l.op,
                            t: *t,
                        },
                        Threshold::Band { by, bands } => CNode::Band {
                            fact: l.fact,
                            op: l.op,
                            by: *by,
                            bands: bands.clone(),
                        },
                        Threshold::Bool(want) => CNode::Bool {
                            fact: l.fact,
                            want: *want,
                        },
                        Threshold::Texts(list) => CNode::Text {
                            fact: l.fact,
                            op: l.op,
                            list: list.clone(),
                        },
                    }
                }
            });
        }
        Ok(CompiledRule {
            facts: rule.facts.clone(),
            nodes,
            keys: v.nodes.iter().map(|n| n.key.clone()).collect(),
            units,
            leaves,
            date,
        })
    }

    /// Classifies every row of the table.
    pub fn classify(&self, table: &FactTable) -> Result<Classification, PolicyError> {
        let n = table.len;
        let mut memo: Vec<Option<Col>> = (0..self.facts.len()).map(|_| None).collect();
        for i in 0..self.facts.len() {
            self.resolve(i, table, &mut memo)?;
        }
        let cols: Vec<Col> = memo.into_iter().map(|c| c.unwrap_or(Col::Absent)).collect();
        // A text comparison is decided once per dictionary entry, then looked up per row.
        let text_pass: Vec<Vec<bool>> = self
            .nodes
            .iter()
            .map(|node| match (node, node_fact(node).map(|f| &cols[f])) {
                (CNode::Text { op, list, .. }, Some(Col::Text(_, _, dict))) => {
                    dict.iter().map(|s| op.text(s, list)).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        let m = self.nodes.len();
        let mut t = vec![0u64; m];
        let mut f = vec![0u64; m];
        let mut reach_f = vec![0u64; m];
        let mut reach_u = vec![0u64; m];
        let mut categories = Vec::with_capacity(n);
        let mut counts = Counts::default();
        let mut near_miss = Vec::new();
        let nf = self.facts.len();
        let mut miss_acc = vec![0u64; nf];
        let mut miss_count = vec![0usize; nf];
        for w in 0..words(n) {
            let base = w * 64;
            let len = (n - base).min(64);
            let valid = if len == 64 { !0 } else { (1u64 << len) - 1 };
            for i in (0..m).rev() {
                let (ti, fi) = match &self.nodes[i] {
                    CNode::All(ch) => ch
                        .iter()
                        .fold((valid, 0), |(a, b), &c| (a & t[c], b | f[c])),
                    CNode::Any(ch) => ch
                        .iter()
                        .fold((0, valid), |(a, b), &c| (a | t[c], b & f[c])),
                    CNode::Not(c) => (f[*c], t[*c]),
                    leaf => leaf_bits(leaf, &cols, &text_pass[i], base, len, w),
                };
                t[i] = ti;
                f[i] = fi;
            }
            // Which nodes the reporting walk reaches (failed via false `all`s; unknown via
            // false or unknown `all`s and unknown `any`/`not`).
            reach_f[0] = valid;
            reach_u[0] = valid;
            for i in 0..m {
                let u = valid & !t[i] & !f[i];
                match &self.nodes[i] {
                    CNode::All(ch) => {
                        for &c in ch {
                            reach_f[c] = reach_f[i] & f[i];
                            reach_u[c] = reach_u[i] & (f[i] | u);
                        }
                    }
                    CNode::Any(ch) => {
                        for &c in ch {
                            reach_f[c] = 0;
                            reach_u[c] = reach_u[i] & u & valid & !t[c] & !f[c];
                        }
                    }
                    CNode::Not(c) => {
                        reach_f[*c] = 0;
                        reach_u[*c] = reach_u[i] & u;
                    }
                    _ => {}
                }
            }
            let (mut ones, mut twos) = (0u64, 0u64);
            for &u in &self.units {
                let hit = reach_f[u] & f[u];
                twos |= ones & hit;
                ones |= hit;
            }
            let mut any_unknown = 0u64;
            for &l in &self.leaves {
                any_unknown |= reach_u[l] & valid & !t[l] & !f[l];
            }
            let near = f[0] & ones & !twos & !any_unknown;
            // The facts the 待补充 rows miss: each unknown leaf the walk reaches names its own.
            let undecided = valid & !t[0] & !f[0];
            if undecided != 0 {
                miss_acc.iter_mut().for_each(|a| *a = 0);
                for &l in &self.leaves {
                    let rows = reach_u[l] & undecided & !t[l] & !f[l];
                    if rows == 0 {
                        continue;
                    }
                    if let Some(fact) = node_fact(&self.nodes[l]) {
                        self.miss_bits(fact, rows, w, &cols, &mut miss_acc);
                    }
                    if let CNode::Band { by, .. } = &self.nodes[l] {
                        self.miss_bits(*by, rows, w, &cols, &mut miss_acc);
                    }
                }
                for (c, a) in miss_count.iter_mut().zip(&miss_acc) {
                    *c += a.count_ones() as usize;
                }
            }
            for j in 0..len {
                let bit = 1u64 << j;
                let c = if t[0] & bit != 0 {
                    counts.eligible += 1;
                    Category::Eligible
                } else if near & bit != 0 {
                    counts.near_miss += 1;
                    let u = self
                        .units
                        .iter()
                        .find(|&&u| reach_f[u] & f[u] & bit != 0)
                        .copied()
                        .unwrap_or(0);
                    near_miss.push(((base + j) as u32, self.keys[u].clone().unwrap_or_default()));
                    Category::NearMiss
                } else if f[0] & bit != 0 {
                    counts.ineligible += 1;
                    Category::Ineligible
                } else {
                    counts.unknown += 1;
                    Category::Unknown
                };
                categories.push(c);
            }
        }
        let missing = self
            .facts
            .iter()
            .zip(miss_count)
            .filter(|(_, c)| *c > 0)
            .map(|(d, c)| (d.key.clone(), c))
            .collect();
        Ok(Classification {
            categories,
            counts,
            near_miss,
            missing,
        })
    }

    /// Rows of word `w` (among `rows`) that miss fact `fact`; marks in `acc` the given facts each
    /// of them waits for (a derived fact names its missing operands, or itself when none is
    /// missing, exactly as `eval` reports).
    fn miss_bits(&self, fact: usize, rows: u64, w: usize, cols: &[Col], acc: &mut [u64]) -> u64 {
        let present = match &cols[fact] {
            Col::Num(_, p) => p[w],
            Col::Bool(_, p) | Col::Text(_, p, _) => p[w],
            Col::Absent => 0,
        };
        let absent = rows & !present;
        if absent == 0 {
            return 0;
        }
        let mut below = 0;
        if let Some(d) = &self.facts[fact].derived {
            for o in d.operands() {
                below |= self.miss_bits(o, absent, w, cols, acc);
            }
        }
        acc[fact] |= absent & !below;
        absent
    }

    /// Makes fact `i` readable as a column: given facts are borrowed, derived ones computed (a
    /// given value of a derived fact wins over the computed one, as in `eval`).
    fn resolve<'a>(
        &self,
        i: usize,
        table: &'a FactTable,
        memo: &mut Vec<Option<Col<'a>>>,
    ) -> Result<(), PolicyError> {
        if memo[i].is_some() {
            return Ok(());
        }
        let def = &self.facts[i];
        let given = table.columns.get(&def.key);
        let wrong = || PolicyError::Column {
            key: def.key.clone(),
            message: format!("应为{}", def.ty.name_zh()),
        };
        let col = match (&def.ty, given) {
            (FactType::Boolean, Some(Column::Bool { values, present })) => {
                Col::Bool(values, present)
            }
            (ty, Some(Column::Text { ids, present, dict })) if ty.is_text() => {
                Col::Text(ids, present, dict)
            }
            (ty, Some(Column::Num { values, present }))
                if ty.is_numeric() && def.derived.is_none() =>
            {
                Col::Num(Cow::Borrowed(values), Cow::Borrowed(present))
            }
            (ty, g) if ty.is_numeric() && def.derived.is_some() => {
                let (mut v, mut p) = self.derive(i, table, memo)?;
                match g {
                    Some(Column::Num { values, present }) => {
                        for r in 0..table.len {
                            if get(present, r) {
                                v[r] = values[r];
                                set(&mut p, r);
                            }
                        }
                    }
                    Some(_) => return Err(wrong()),
                    None => {}
                }
                Col::Num(Cow::Owned(v), Cow::Owned(p))
            }
            (_, None) => Col::Absent,
            _ => return Err(wrong()),
        };
        memo[i] = Some(col);
        Ok(())
    }

    fn derive<'a>(
        &self,
        i: usize,
        table: &'a FactTable,
        memo: &mut Vec<Option<Col<'a>>>,
    ) -> Result<(Vec<f64>, Vec<u64>), PolicyError> {
        let n = table.len;
        let d = self.facts[i].derived.as_ref().expect("derived");
        let ops = d.operands();
        for &o in &ops {
            self.resolve(o, table, memo)?;
        }
        let zeros_v = vec![0.0; n];
        let zeros_p = vec![0u64; words(n)];
        let cols: Vec<(&[f64], &[u64])> = ops
            .iter()
            .map(|&o| match memo[o].as_ref() {
                Some(Col::Num(v, p)) => (&v[..], &p[..]),
                _ => (&zeros_v[..], &zeros_p[..]),
            })
            .collect();
        let best_of = matches!(d, Derived::BestOf(_));
        let mut p: Vec<u64> = (0..words(n))
            .map(|w| {
                if best_of {
                    cols.iter().fold(0u64, |acc, c| acc | c.1[w])
                } else {
                    cols.iter().fold(!0u64, |acc, c| acc & c.1[w])
                }
            })
            .collect();
        if let Some(last) = p.last_mut() {
            if n % 64 != 0 {
                *last &= (1u64 << (n % 64)) - 1;
            }
        }
        let v: Vec<f64> = match d {
            Derived::Ratio(..) => {
                let (a, b) = (cols[0].0, cols[1].0);
                for (r, &den) in b.iter().enumerate() {
                    if den == 0.0 {
                        p[r / 64] &= !(1 << (r % 64));
                    }
                }
                a.iter().zip(b).map(|(x, y)| x / y).collect()
            }
            Derived::Difference(..) => cols[0]
                .0
                .iter()
                .zip(cols[1].0)
                .map(|(x, y)| x - y)
                .collect(),
            Derived::Sum(_) => (0..n).map(|r| cols.iter().map(|c| c.0[r]).sum()).collect(),
            Derived::Max(_) => (0..n)
                .map(|r| {
                    cols.iter()
                        .map(|c| c.0[r])
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect(),
            Derived::Min(_) => (0..n)
                .map(|r| cols.iter().map(|c| c.0[r]).fold(f64::INFINITY, f64::min))
                .collect(),
            Derived::BestOf(_) => (0..n)
                .map(|r| {
                    cols.iter()
                        .filter(|c| get(c.1, r))
                        .map(|c| c.0[r])
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect(),
            Derived::Points { bands, .. } => {
                cols[0].0.iter().map(|&x| band_of(bands, x).value).collect()
            }
            Derived::YearsSince(_) => cols[0]
                .0
                .iter()
                .map(|&x| Date::from_days(x as i32).years_until(self.date) as f64)
                .collect(),
        };
        Ok((v, p))
    }
}

fn node_fact(node: &CNode) -> Option<usize> {
    match node {
        CNode::Num { fact, .. }
        | CNode::Band { fact, .. }
        | CNode::Bool { fact, .. }
        | CNode::Text { fact, .. } => Some(*fact),
        _ => None,
    }
}

/// A comparison over the rows of word `w` (`len` rows from `base`): known-true and known-false bits.
#[inline]
fn leaf_bits(
    node: &CNode,
    cols: &[Col],
    text_pass: &[bool],
    base: usize,
    len: usize,
    w: usize,
) -> (u64, u64) {
    let mut pass = 0u64;
    let present = match node {
        CNode::Num { fact, op, t } => {
            let Col::Num(v, p) = &cols[*fact] else {
                return (0, 0);
            };
            let xs = &v[base..base + len];
            let (t, e) = (*t, tol(*t));
            macro_rules! scan {
                ($cmp:expr) => {
                    for (j, &x) in xs.iter().enumerate() {
                        pass |= (($cmp)(x) as u64) << j;
                    }
                };
            }
            match op {
                Op::Ge => scan!(|x: f64| x >= t - e),
                Op::Gt => scan!(|x: f64| x > t + e),
                Op::Le => scan!(|x: f64| x <= t + e),
                Op::Lt => scan!(|x: f64| x < t - e),
                _ => scan!(|x: f64| op.num(x, t)),
            }
            p[w]
        }
        CNode::Band {
            fact,
            op,
            by,
            bands,
        } => {
            let Col::Num(v, p) = &cols[*fact] else {
                return (0, 0);
            };
            let (bv, bw): (&[f64], u64) = match &cols[*by] {
                Col::Num(bv, bp) => (bv, bp[w]),
                _ => (&[], 0),
            };
            let mut known = 0u64;
            for j in 0..len {
                let x = v[base + j];
                let (k, ok) = if bw >> j & 1 == 1 {
                    (true, op.num(x, band_of(bands, bv[base + j]).value))
                } else {
                    // The band is missing: decided only if every band agrees.
                    match band_agreement(*op, x, bands) {
                        Some(ok) => (true, ok),
                        None => (false, false),
                    }
                };
                known |= (k as u64) << j;
                pass |= (ok as u64) << j;
            }
            p[w] & known
        }
        CNode::Bool { fact, want } => {
            let Col::Bool(v, p) = &cols[*fact] else {
                return (0, 0);
            };
            pass = if *want { v[w] } else { !v[w] };
            p[w]
        }
        CNode::Text { fact, .. } => {
            let Col::Text(ids, p, _) = &cols[*fact] else {
                return (0, 0);
            };
            for j in 0..len {
                let id = ids[base + j] as usize;
                pass |= (text_pass.get(id).copied().unwrap_or(false) as u64) << j;
            }
            p[w]
        }
        _ => unreachable!("groups are combined, not scanned"),
    };
    (pass & present, !pass & present)
}
