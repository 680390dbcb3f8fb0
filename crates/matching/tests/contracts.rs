//! The batch contracts and the engines, tested through their public boundary with data.

use std::sync::Arc;

use innomesh_matching::{
    match_adopters, match_solvers, run_match, run_similarity, similarity, Achievement, AliasDict,
    Collaboration, Demand, Enterprise, MatchError, Segmenter, Solver, SolverKind,
    SolverMatchConfig,
};
use proptest::prelude::*;

fn sim(input: &str) -> Result<Vec<f32>, MatchError> {
    let mut out = Vec::new();
    run_similarity(input.as_bytes(), &mut out)?;
    Ok(String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect())
}

fn matched(
    corpus: &str,
    queries: &str,
    top: usize,
) -> Result<Vec<serde_json::Value>, (MatchError, Vec<u8>)> {
    let mut out = Vec::new();
    match run_match(corpus.as_bytes(), queries.as_bytes(), top, &mut out) {
        Ok(_) => Ok(String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()),
        Err(e) => Err((e, out)),
    }
}

#[test]
fn similarity_scores_every_pair_in_order() {
    let s = sim("包钢在哪里\t包钢在哪里\t1\n\n花呗怎么还款\t今天天气很好\t0\n开初婚未育证明怎么弄？\t初婚未育情况证明怎么开？\n").unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s[0], 1.0);
    assert!(s[2] > s[1]);
}

#[test]
fn similarity_rejects_bad_lines_and_writes_nothing() {
    for (input, code, line) in [
        ("a\tb\n只有一列\n", "matching.bad_pair_line", 2),
        ("a\tb\tc\td\n", "matching.bad_pair_line", 1),
        ("a\t \n", "matching.empty_sentence", 1),
        ("a\tb\t好\n", "matching.bad_label", 1),
    ] {
        let mut out = Vec::new();
        let e = run_similarity(input.as_bytes(), &mut out).unwrap_err();
        assert_eq!((e.code, e.line), (code, Some(line)), "{input:?}");
        assert!(
            e.message.starts_with(&format!("第 {line} 行")),
            "{}",
            e.message
        );
        assert!(out.is_empty());
    }
    let mut out = Vec::new();
    let e = run_similarity(&b"a\tb\n\xff\xfe\tc\n"[..], &mut out).unwrap_err();
    assert_eq!((e.code, e.line), ("matching.not_utf8", Some(2)));
}

const CORPUS: &str = r#"{"id": "a1", "text": "烧结钕铁硼永磁材料的晶界扩散工艺研究", "discipline": "材料科学与工程"}
{"id": "a2", "text": "稀土永磁电机在新能源汽车中的应用", "discipline": "材料科学与工程"}
{"id": "a3", "text": "小麦品种抗旱性鉴定与栽培技术", "discipline": "作物学"}
{"id": "a4", "text": "玉米高产栽培与水肥管理", "discipline": "作物学"}
{"id": "a5", "text": "稀土抛光粉的制备及其在玻璃抛光中的应用", "discipline": "材料科学与工程"}
"#;

#[test]
fn match_returns_ranked_ids_and_excludes_the_query_itself() {
    let q = "{\"id\": \"a1\", \"text\": \"烧结钕铁硼永磁材料的晶界扩散工艺研究\"}\n{\"id\": \"q2\", \"text\": \"小麦抗旱栽培\"}\n";
    let out = matched(CORPUS, q, 3).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["query"], "a1");
    let hits: Vec<&str> = out[0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(hits.len(), 3);
    assert!(!hits.contains(&"a1"));
    assert!(hits[0] == "a2" || hits[0] == "a5", "{hits:?}");
    let hits2: Vec<&str> = out[1]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(hits2[0], "a3");
}

#[test]
fn match_rejects_bad_input_naming_file_and_line() {
    let good_q = "{\"id\": \"q\", \"text\": \"稀土\"}\n";
    let cases = [
        (
            format!("{CORPUS}{{\"id\": \"a1\", \"text\": \"重复\"}}\n"),
            good_q.to_string(),
            "matching.duplicate_id",
            6,
            "语料文件",
        ),
        (
            "{\"id\": \"x\"}\n".to_string(),
            good_q.to_string(),
            "matching.missing_text",
            1,
            "语料文件",
        ),
        (
            "{\"text\": \"无 id\"}\n".to_string(),
            good_q.to_string(),
            "matching.missing_id",
            1,
            "语料文件",
        ),
        (
            CORPUS.to_string(),
            "{\"id\": \"q\", \"text\": \"稀土\"}\nnot json\n".to_string(),
            "matching.bad_json",
            2,
            "查询文件",
        ),
    ];
    for (corpus, queries, code, line, file) in cases {
        let (e, out) = matched(&corpus, &queries, 10).unwrap_err();
        assert_eq!((e.code, e.line), (code, Some(line)));
        assert!(e.message.starts_with(file), "{}", e.message);
        assert!(out.is_empty());
    }
    assert_eq!(
        matched(CORPUS, good_q, 0).unwrap_err().0.code,
        "matching.bad_top"
    );
    assert_eq!(
        matched("\n", good_q, 5).unwrap_err().0.code,
        "matching.empty_corpus"
    );
}

fn solver(id: &str, kind: SolverKind, name: &str, text: &str) -> Solver {
    Solver {
        id: id.into(),
        kind,
        name: name.into(),
        text: text.into(),
        disciplines: vec![],
        industries: vec![],
        chain_nodes: vec![],
        collaborations: vec![],
    }
}

#[test]
fn demand_matching_carries_checkable_evidence() {
    let seg = Arc::new(Segmenter::default());
    let aliases = AliasDict::bundled();
    let mut expert = solver(
        "e1",
        SolverKind::Expert,
        "张教授",
        "长期从事稀土永磁材料晶界扩散与矫顽力提升研究",
    );
    expert.disciplines = vec!["材料科学与工程".into()];
    expert.industries = vec!["C3985".into()];
    expert.chain_nodes = vec!["磁材制造".into()];
    expert.collaborations = vec![Collaboration {
        partner: "包头某磁材公司".into(),
        title: "磁体降本".into(),
        year: Some(2024),
    }];
    let lab = solver(
        "p1",
        SolverKind::Platform,
        "玉米育种重点实验室",
        "玉米抗旱品种选育",
    );
    let machine = solver(
        "m1",
        SolverKind::Equipment,
        "振动样品磁强计",
        "测量永磁材料磁性能",
    );
    let demand = Demand {
        id: "d1".into(),
        title: "钕铁硼磁体矫顽力不足".into(),
        text: "我公司烧结钕铁硼磁体矫顽力偏低，希望在不增加重稀土的前提下提升。".into(),
        discipline: Some("材料科学与工程".into()),
        industry: Some("C3982".into()),
        chain_node: Some("磁材制造".into()),
        enterprise: Some("包头某磁材公司".into()),
    };
    let hits = match_solvers(
        &seg,
        &aliases,
        &demand,
        &[lab, machine, expert],
        3,
        &SolverMatchConfig::default(),
    );
    assert_eq!(hits[0].id, "e1");
    let ev = &hits[0].evidence;
    assert!(ev
        .matched_terms
        .iter()
        .any(|m| m.term == "矫顽力" && m.field == "text"));
    assert!(
        ev.matched_terms
            .iter()
            .any(|m| m.via_alias.as_deref() == Some("钕铁硼")),
        "{:?}",
        ev.matched_terms
    );
    assert_eq!(ev.discipline.as_deref(), Some("材料科学与工程"));
    assert_eq!(ev.industry.as_ref().map(|l| l.level.as_str()), Some("中类"));
    assert_eq!(ev.chain_node.as_deref(), Some("磁材制造"));
    assert_eq!(ev.collaborations.len(), 1);
    assert!(ev.lexical > 0.0 && ev.lexical <= 1.0);
    assert_eq!(hits.last().unwrap().id, "p1");
    let json = serde_json::to_value(&hits[0]).unwrap();
    assert_eq!(json["kind"], "expert");
}

#[test]
fn reverse_matching_finds_adopters() {
    let seg = Arc::new(Segmenter::default());
    let ach = Achievement {
        id: "r1".into(),
        title: "高效稀土抛光粉制备技术".into(),
        text: "铈基稀土抛光粉，抛光速率提高30%，适用于光学玻璃与显示面板。".into(),
        industries: vec!["C3042".into()],
        chain_nodes: vec!["抛光材料".into()],
    };
    let ents = vec![
        Enterprise {
            id: "x".into(),
            name: "包头某重卡公司".into(),
            text: "重型卡车整车制造".into(),
            industries: vec!["C3612".into()],
            chain_nodes: vec![],
            past_demands: vec![],
        },
        Enterprise {
            id: "y".into(),
            name: "包头某玻璃公司".into(),
            text: "光学玻璃加工与显示面板盖板生产".into(),
            industries: vec!["C3042".into()],
            chain_nodes: vec!["抛光材料".into()],
            past_demands: vec!["寻找抛光速率更高的抛光粉".into()],
        },
    ];
    let hits = match_adopters(
        &seg,
        &AliasDict::bundled(),
        &ach,
        &ents,
        5,
        &SolverMatchConfig::default(),
    );
    assert_eq!(hits[0].id, "y");
    assert!(hits[0]
        .evidence
        .matched_terms
        .iter()
        .any(|m| m.field == "past_demands"));
    assert_eq!(hits[0].evidence.chain_node.as_deref(), Some("抛光材料"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn similarity_is_symmetric_bounded_and_max_on_identity(
        a in "[包钢稀土永磁怎么办理花呗还款不没1-9a-c？ ]{0,12}",
        b in "[包钢稀土永磁怎么办理花呗还款不没1-9a-c？ ]{0,12}",
    ) {
        let ab = similarity(&a, &b);
        let ba = similarity(&b, &a);
        prop_assert!((ab - ba).abs() < 1e-6, "{} vs {}", ab, ba);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert_eq!(similarity(&a, &a), 1.0);
        prop_assert!(ab <= 1.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the bytes, the readers answer Ok or a line-numbered error; they never panic.
    #[test]
    fn readers_never_panic(input in "[a-z0-9\t\n{}\":, 包钢稀土\\\\]{0,80}") {
        match innomesh_matching::parse_pairs(input.as_bytes()) {
            Ok(pairs) => prop_assert!(pairs.iter().all(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty())),
            Err(e) => prop_assert!(e.line.is_some()),
        }
        if let Err(e) = innomesh_matching::read_corpus(input.as_bytes()) {
            prop_assert!(e.line.is_some() || e.code == "matching.empty_corpus");
        }
        if let Err(e) = innomesh_matching::read_queries(input.as_bytes()) {
            prop_assert!(e.line.is_some());
        }
    }
}
