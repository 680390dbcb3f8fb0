//! Property tests: the hitech rule file against a direct hand-written reading of article 11, on
//! enterprises generated around every threshold with facts missing at random; and the columnar
//! evaluator against the per-enterprise one on the same enterprises.

use innomesh_policy::{
    classify, evaluate, parse_facts, CompiledRule, Date, FactTable, Facts, Rule, Truth,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value as J};

fn rule() -> Rule {
    innomesh_policy::shipped("hitech_certification")
        .unwrap()
        .unwrap()
}

fn date() -> Date {
    Date::parse("2024-06-30").unwrap()
}

/// A value near `t`: at it, just either side, or anywhere in `lo..hi`; sometimes missing.
fn near(t: f64, step: f64, lo: f64, hi: f64) -> impl Strategy<Value = Option<f64>> {
    let around = prop_oneof![
        Just(t),
        Just(t - step),
        Just(t + step),
        Just(t - step / 10.0),
        Just(t + step / 10.0),
        lo..hi,
    ];
    prop_oneof![1 => Just(None), 9 => around.prop_map(Some)]
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![1 => Just(None), 9 => any::<bool>().prop_map(Some)]
}

#[derive(Debug, Clone)]
struct Enterprise {
    registered_years: Option<f64>,
    core_ip_count: Option<f64>,
    in_supported_field: Option<bool>,
    rd_staff_ratio: Option<f64>,
    revenue_wan: Option<f64>,
    rd_expense_ratio_3y: Option<f64>,
    rd_domestic_share: Option<f64>,
    hitech_revenue_share: Option<f64>,
    innovation_score: Option<f64>,
    major_incident_last_year: Option<bool>,
}

fn enterprise() -> impl Strategy<Value = Enterprise> {
    let revenue = prop_oneof![
        near(5000.0, 0.01, 0.0, 60000.0),
        near(20000.0, 0.01, 0.0, 60000.0)
    ];
    let rd = prop_oneof![
        near(0.05, 0.001, 0.0, 0.2),
        near(0.04, 0.001, 0.0, 0.2),
        near(0.03, 0.001, 0.0, 0.2)
    ];
    (
        (
            near(1.0, 0.5, 0.0, 10.0).prop_map(|o| o.map(|x| x.max(0.0))),
            near(1.0, 1.0, 0.0, 20.0).prop_map(|o| o.map(|x| x.max(0.0).round())),
            flag(),
            near(0.10, 0.001, 0.0, 1.0),
            revenue,
        ),
        (
            rd,
            near(0.60, 0.001, 0.0, 1.0),
            near(0.60, 0.001, 0.0, 1.0),
            near(71.0, 1.0, 0.0, 100.0),
            flag(),
        ),
    )
        .prop_map(|((a, b, c, d, e), (f, g, h, i, j))| Enterprise {
            registered_years: a,
            core_ip_count: b,
            in_supported_field: c,
            rd_staff_ratio: d,
            revenue_wan: e,
            rd_expense_ratio_3y: f,
            rd_domestic_share: g,
            hitech_revenue_share: h,
            innovation_score: i,
            major_incident_last_year: j,
        })
}

impl Enterprise {
    fn json(&self) -> Map<String, J> {
        let mut m = Map::new();
        let mut put = |k: &str, v: J| {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        };
        put("registered_years", json!(self.registered_years));
        put("core_ip_count", json!(self.core_ip_count));
        put("in_supported_field", json!(self.in_supported_field));
        put("rd_staff_ratio", json!(self.rd_staff_ratio));
        put("revenue_wan", json!(self.revenue_wan));
        put("rd_expense_ratio_3y", json!(self.rd_expense_ratio_3y));
        put("rd_domestic_share", json!(self.rd_domestic_share));
        put("hitech_revenue_share", json!(self.hitech_revenue_share));
        put("innovation_score", json!(self.innovation_score));
        put(
            "major_incident_last_year",
            json!(self.major_incident_last_year),
        );
        m
    }

    /// 第十一条 written out by hand: each condition is Some(pass) or None (unknown); the result
    /// is Kleene's conjunction, with the keys that fail.
    fn article_11(&self) -> (Option<bool>, Vec<&'static str>) {
        let ge = |x: Option<f64>, t: f64| x.map(|x| x >= t);
        let rd = match (self.revenue_wan, self.rd_expense_ratio_3y) {
            (_, None) => None,
            (Some(rev), Some(r)) => {
                let t = if rev <= 5000.0 {
                    0.05
                } else if rev <= 20000.0 {
                    0.04
                } else {
                    0.03
                };
                Some(r >= t)
            }
            // Unknown band: decided only when the ratio meets (or misses) every band.
            (None, Some(r)) if r >= 0.05 => Some(true),
            (None, Some(r)) if r < 0.03 => Some(false),
            (None, Some(_)) => None,
        };
        let conds = [
            ("registered_one_year", ge(self.registered_years, 1.0)),
            ("core_ip", ge(self.core_ip_count, 1.0)),
            ("supported_field", self.in_supported_field),
            ("rd_staff_ratio", ge(self.rd_staff_ratio, 0.10)),
            ("rd_expense_ratio", rd),
            ("rd_domestic_share", ge(self.rd_domestic_share, 0.60)),
            ("hitech_revenue_share", ge(self.hitech_revenue_share, 0.60)),
            ("innovation_score", ge(self.innovation_score, 71.0)),
            (
                "no_major_incident",
                self.major_incident_last_year.map(|b| !b),
            ),
        ];
        let failed: Vec<&str> = conds
            .iter()
            .filter(|(_, c)| *c == Some(false))
            .map(|(k, _)| *k)
            .collect();
        let verdict = if !failed.is_empty() {
            Some(false)
        } else if conds.iter().any(|(_, c)| c.is_none()) {
            None
        } else {
            Some(true)
        };
        (verdict, failed)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn hitech_rule_matches_article_11(e in enterprise()) {
        let rule = rule();
        let facts = parse_facts(&rule, &e.json()).unwrap();
        let v = evaluate(&rule, &facts, date()).unwrap();
        let (want, failed) = e.article_11();
        let got = match v.verdict {
            Truth::True => Some(true),
            Truth::False => Some(false),
            Truth::Unknown => None,
        };
        prop_assert_eq!(got, want, "{:?}", v.conditions.iter().map(|c| &c.text).collect::<Vec<_>>());
        let mut got_failed = v.failed.clone();
        got_failed.sort();
        let mut failed: Vec<String> = failed.into_iter().map(String::from).collect();
        failed.sort();
        prop_assert_eq!(got_failed, failed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn columnar_agrees_with_per_enterprise(es in proptest::collection::vec(enterprise(), 1..200)) {
        let rule = rule();
        let rows: Vec<Facts> = es.iter().map(|e| parse_facts(&rule, &e.json()).unwrap()).collect();
        let compiled = CompiledRule::new(&rule, date()).unwrap();
        let batch = compiled.classify(&FactTable::from_facts(&rule, &rows)).unwrap();
        let version = rule.version_at(date()).unwrap();
        for (i, facts) in rows.iter().enumerate() {
            prop_assert_eq!(batch.categories[i], classify(&rule, version, facts, date()), "row {}", i);
        }
        prop_assert_eq!(batch.missing.clone(), missing_counts(&rule, &rows));
    }
}

/// How many 待补充 rows miss each fact, counted from the per-enterprise verdicts.
fn missing_counts(rule: &innomesh_policy::Rule, rows: &[Facts]) -> Vec<(String, usize)> {
    let mut n = std::collections::HashMap::<String, usize>::new();
    for facts in rows {
        let v = innomesh_policy::evaluate(rule, facts, date()).unwrap();
        if v.category == innomesh_policy::Category::Unknown {
            for k in v.missing {
                *n.entry(k).or_default() += 1;
            }
        }
    }
    rule.facts
        .iter()
        .filter_map(|f| n.get(&f.key).map(|c| (f.key.clone(), *c)))
        .collect()
}

/// The same agreement on every shipped rule, with facts drawn at random from each rule's own
/// declarations (so nested any/not groups, derived facts and code lists are exercised too).
#[test]
fn columnar_agrees_on_every_shipped_rule() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (id, _) in innomesh_policy::SHIPPED {
        let rule = innomesh_policy::shipped(id).unwrap().unwrap();
        let rows: Vec<Facts> = (0..3000)
            .map(|_| {
                let mut m = Map::new();
                for f in &rule.facts {
                    if f.derived.is_some() && next() % 4 != 0 || next() % 8 == 0 {
                        continue;
                    }
                    let r = (next() % 10_000) as f64 / 10_000.0;
                    let v = match &f.ty {
                        innomesh_policy::FactType::Boolean => json!(next() % 4 != 0),
                        innomesh_policy::FactType::Ratio => json!(r * 0.8),
                        innomesh_policy::FactType::Money => json!((r * 30000.0).round()),
                        innomesh_policy::FactType::Code(_) => {
                            json!(["3976", "C", "6511", "5179", "I", "0111"][(next() % 6) as usize])
                        }
                        _ => json!((r * 100.0).round() / (1 + next() % 10) as f64),
                    };
                    m.insert(f.key.clone(), v);
                }
                parse_facts(&rule, &m).unwrap()
            })
            .collect();
        let d = date();
        let batch = CompiledRule::new(&rule, d)
            .unwrap()
            .classify(&FactTable::from_facts(&rule, &rows))
            .unwrap();
        let version = rule.version_at(d).unwrap();
        let mut seen = std::collections::HashSet::new();
        for (i, facts) in rows.iter().enumerate() {
            let c = classify(&rule, version, facts, d);
            assert_eq!(batch.categories[i], c, "{id} row {i}: {facts:?}");
            seen.insert(c);
        }
        assert_eq!(
            batch.missing,
            missing_counts(&rule, &rows),
            "{id}: missing facts"
        );
        assert!(
            !batch.missing.is_empty(),
            "{id}: no 待补充 row exercised the missing-fact count"
        );
        assert!(
            seen.len() >= 3,
            "{id}: too few categories exercised: {seen:?}"
        );
    }
}
