//! Policy → enterprises at scale: the 高新技术企业 rule over 1,000,000 synthetic enterprises,
//! compiled columnar evaluator vs the per-enterprise tree walk over a HashMap of facts, same input,
//! same run. Deterministic (xorshift, fixed seed).
//!
//! `cargo run --release -p innomesh-policy --example policy_bench [-- N]`

use innomesh_policy::{classify, Category, Column, CompiledRule, Date, FactTable, Facts, Value};
use std::time::Instant;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Missing with probability 1/50.
    fn missing(&mut self) -> bool {
        self.next() % 50 == 0
    }
}

/// Facts of one enterprise, drawn around the rule's thresholds.
enum F {
    N(&'static str, Option<f64>),
    B(&'static str, Option<bool>),
}

fn enterprise(r: &mut XorShift) -> [F; 10] {
    let num = |r: &mut XorShift, lo: f64, hi: f64| {
        if r.missing() {
            None
        } else {
            Some(lo + (hi - lo) * r.unit())
        }
    };
    let years = num(r, 0.0, 8.0).map(f64::floor);
    let ip = num(r, 0.0, 6.0).map(f64::floor);
    let staff = num(r, 0.05, 0.4);
    let revenue = num(r, 100.0, 40000.0);
    let rd = num(r, 0.02, 0.09);
    let domestic = num(r, 0.5, 1.0);
    let hitech = num(r, 0.45, 1.0);
    let score = num(r, 55.0, 95.0).map(f64::round);
    let field = (!r.missing()).then(|| r.next() % 10 != 0);
    let incident = (!r.missing()).then(|| r.next() % 40 == 0);
    [
        F::N("registered_years", years),
        F::N("core_ip_count", ip),
        F::B("in_supported_field", field),
        F::N("rd_staff_ratio", staff),
        F::N("revenue_wan", revenue),
        F::N("rd_expense_ratio_3y", rd),
        F::N("rd_domestic_share", domestic),
        F::N("hitech_revenue_share", hitech),
        F::N("innovation_score", score),
        F::B("major_incident_last_year", incident),
    ]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N"))
        .unwrap_or(1_000_000);
    let rule = innomesh_policy::shipped("hitech_certification")
        .unwrap()
        .unwrap();
    let date = Date::parse("2024-06-30").unwrap();

    // The input once, as columns (what a registry export or a store scan hands over).
    let t = Instant::now();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let rows: Vec<[F; 10]> = (0..n).map(|_| enterprise(&mut rng)).collect();
    let mut table = FactTable::new(n);
    for k in 0..10 {
        let col = match &rows[0][k] {
            F::N(name, _) => (
                *name,
                Column::numbers(rows.iter().map(|r| match &r[k] {
                    F::N(_, v) => *v,
                    F::B(..) => None,
                })),
            ),
            F::B(name, _) => (
                *name,
                Column::booleans(rows.iter().map(|r| match &r[k] {
                    F::B(_, v) => *v,
                    F::N(..) => None,
                })),
            ),
        };
        table.insert(col.0, col.1).unwrap();
    }
    let gen_s = t.elapsed().as_secs_f64();

    // Compiled columnar evaluation.
    let t = Instant::now();
    let compiled = CompiledRule::new(&rule, date).unwrap();
    let compile_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let result = compiled.classify(&table).unwrap();
    let fast_s = t.elapsed().as_secs_f64();

    // Baseline: per enterprise, a HashMap of facts (one map reused, keys kept) and the tree walk.
    let version = rule.version_at(date).unwrap();
    let mut facts = Facts::new();
    let fill = |facts: &mut Facts, row: &[F; 10]| {
        for f in row {
            let (k, v) = match f {
                F::N(k, v) => (*k, v.map(Value::Num)),
                F::B(k, v) => (*k, v.map(Value::Bool)),
            };
            match (v, facts.get_mut(k)) {
                (Some(v), Some(slot)) => *slot = v,
                (Some(v), None) => {
                    facts.insert(k.to_string(), v);
                }
                (None, _) => {
                    facts.remove(k);
                }
            }
        }
    };
    let t = Instant::now();
    let mut fill_check = 0usize;
    for row in &rows {
        fill(&mut facts, row);
        fill_check += facts.len();
    }
    let fill_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut naive = Vec::with_capacity(n);
    for row in &rows {
        fill(&mut facts, row);
        naive.push(classify(&rule, version, &facts, date));
    }
    let naive_s = t.elapsed().as_secs_f64();

    let agree = naive == result.categories;
    let c = result.counts;
    println!("enterprises            {n}");
    println!("generate + columns     {gen_s:.3} s");
    println!("compile                {:.3} ms", compile_s * 1e3);
    println!(
        "compiled columnar      {fast_s:.3} s   ({:.1} M enterprises/s)",
        n as f64 / fast_s / 1e6
    );
    println!("naive tree per row     {naive_s:.3} s   (of which HashMap fill ≈ {fill_s:.3} s; {fill_check} facts)");
    println!(
        "speed-up               {:.1}×   (naive minus fill: {:.1}×)",
        naive_s / fast_s,
        (naive_s - fill_s).max(0.0) / fast_s
    );
    println!(
        "eligible {}  差一项 {}  待补充 {}  ineligible {}",
        c.eligible, c.near_miss, c.unknown, c.ineligible
    );
    let first = result
        .near_miss
        .first()
        .map(|(r, k)| format!("row {r} misses {k}"));
    println!("first 差一项: {}", first.unwrap_or_default());
    println!("categories agree       {agree}");
    assert!(agree, "columnar and per-enterprise categories differ");
    assert_eq!(
        result
            .categories
            .iter()
            .filter(|c| **c == Category::NearMiss)
            .count(),
        c.near_miss
    );
}
