//! Rule-language features the shipped rules do not use: dates and `years_since`, `not`,
//! enumerations, region-code prefixes, differences, and the loader's Chinese errors.

use innomesh_policy::{evaluate, parse_facts, CompiledRule, Date, FactTable, Rule, Truth};
use serde_json::json;

const RULE: &str = r#"
id: local_grant
name: 本地研发补助（测试用）
source: { document: 《测试办法》, number: 测〔2024〕1号, article: 第三条 }
facts:
  founded:   { type: date, name: 成立日期, description: 营业执照成立日期 }
  age:       { type: number, name: 成立年限, unit: 年, description: 由成立日期计算, derived: { years_since: founded } }
  region:    { type: code, code_list: region, name: 注册地, description: GB/T 2260 行政区划代码 }
  scale:     { type: enum, values: [大型, 中型, 小型, 微型], name: 企业规模, description: 划型结果 }
  income:    { type: money, name: 收入, description: 上年度收入 }
  cost:      { type: money, name: 成本, description: 上年度成本 }
  profit:    { type: money, name: 利润, description: 收入减成本, derived: { difference: [income, cost] } }
  blacklisted: { type: boolean, name: 列入黑名单, description: 是否列入严重失信名单 }
versions:
  - valid_from: 2024-01-01
    condition:
      all:
        - { key: age, description: 成立满2年, fact: age, op: ">=", value: 2 }
        - { key: founded_after, description: 2000年以后成立, fact: founded, op: ">", value: "2000-01-01" }
        - { key: in_baotou, description: 注册在包头市, fact: region, op: prefix_in, value: ["1502"] }
        - { key: small, description: 中小微企业, fact: scale, op: in, value: [中型, 小型, 微型] }
        - { key: profitable, description: 利润不低于50万元, fact: profit, op: ">=", value: 50 }
        - key: not_blacklisted
          description: 未列入严重失信名单
          not: { key: blacklisted, description: 列入严重失信名单, fact: blacklisted, op: "==", value: true }
"#;

fn check(facts: serde_json::Value, date: &str) -> (Truth, Vec<String>, Vec<String>) {
    let rule = Rule::from_yaml(RULE).unwrap();
    let facts = parse_facts(&rule, facts.as_object().unwrap()).unwrap();
    let d = Date::parse(date).unwrap();
    let v = evaluate(&rule, &facts, d).unwrap();
    let batch = CompiledRule::new(&rule, d)
        .unwrap()
        .classify(&FactTable::from_facts(&rule, std::slice::from_ref(&facts)))
        .unwrap();
    assert_eq!(batch.categories[0], v.category, "{:?}", v.conditions);
    (v.verdict, v.failed, v.missing)
}

fn base() -> serde_json::Value {
    json!({"founded": "2020-03-01", "region": "150203", "scale": "小型",
           "income": 300, "cost": 200, "blacklisted": false})
}

fn with(k: &str, v: serde_json::Value) -> serde_json::Value {
    let mut b = base();
    if v.is_null() {
        b.as_object_mut().unwrap().remove(k);
    } else {
        b[k] = v;
    }
    b
}

#[test]
fn dates_codes_enums_not_and_differences() {
    assert_eq!(check(base(), "2024-06-30").0, Truth::True);
    // Two years complete on the anniversary, not the day before.
    assert_eq!(
        check(with("founded", json!("2022-06-30")), "2024-06-30").0,
        Truth::True
    );
    let (t, failed, _) = check(with("founded", json!("2022-07-01")), "2024-06-30");
    assert_eq!((t, failed), (Truth::False, vec!["age".to_string()]));
    let (_, failed, _) = check(with("founded", json!("1999-12-31")), "2024-06-30");
    assert_eq!(failed, vec!["founded_after"]);
    let (_, failed, _) = check(with("region", json!("150102")), "2024-06-30");
    assert_eq!(failed, vec!["in_baotou"]);
    let (_, failed, _) = check(with("scale", json!("大型")), "2024-06-30");
    assert_eq!(failed, vec!["small"]);
    let (_, failed, _) = check(with("cost", json!(251)), "2024-06-30");
    assert_eq!(failed, vec!["profitable"]);
    let (_, failed, _) = check(with("blacklisted", json!(true)), "2024-06-30");
    assert_eq!(failed, vec!["not_blacklisted"]);
    let (t, _, missing) = check(with("blacklisted", json!(null)), "2024-06-30");
    assert_eq!(
        (t, missing),
        (Truth::Unknown, vec!["blacklisted".to_string()])
    );
    // A missing date makes the derived age missing: the fact to supply is the date.
    let (t, _, missing) = check(with("founded", json!(null)), "2024-06-30");
    assert_eq!((t, missing), (Truth::Unknown, vec!["founded".to_string()]));
}

#[test]
fn bad_input_and_bad_rules_are_explained_in_chinese() {
    let rule = Rule::from_yaml(RULE).unwrap();
    let err = |v: serde_json::Value| {
        parse_facts(&rule, v.as_object().unwrap())
            .unwrap_err()
            .to_string()
    };
    assert!(err(json!({"scale": "特大型"})).contains("不是可选值"));
    assert!(err(json!({"region": "包头"})).contains("GB/T 2260"));
    assert!(err(json!({"founded": "2020/3/1"})).contains("YYYY-MM-DD"));
    assert!(Rule::from_yaml(RULE)
        .unwrap()
        .version_at(Date::parse("2023-12-31").unwrap())
        .is_err());
    let broken = RULE.replace("fact: profit,", "fact: proft,");
    let e = Rule::from_yaml(&broken).unwrap_err().to_string();
    assert!(e.contains("未声明的事实「proft」"), "{e}");
    let broken = RULE.replace("op: in,", "op: like,");
    assert!(Rule::from_yaml(&broken)
        .unwrap_err()
        .to_string()
        .contains("未知比较"));
    let broken = RULE.replace("value: [中型, 小型, 微型]", "value: [中型, 特型]");
    assert!(Rule::from_yaml(&broken)
        .unwrap_err()
        .to_string()
        .contains("不是事实「scale」的可选值"));
}
