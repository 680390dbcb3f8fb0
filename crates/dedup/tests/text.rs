//! Text near-duplicate detection through the public batch API.

mod common;

use common::*;
use innomesh_dedup::hash::Rng;
use innomesh_dedup::{check, Application, DedupConfig, FlaggedPair, MatchKind};

fn flagged(apps: &[Application]) -> Vec<FlaggedPair> {
    check(apps, &DedupConfig::default()).pairs
}

fn has_pair(pairs: &[FlaggedPair], a: &str, b: &str) -> bool {
    pairs
        .iter()
        .any(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
}

fn corpus_with(rng: &mut Rng, extra: Vec<Application>) -> Vec<Application> {
    let mut apps = background(rng, 60, "bg");
    apps.extend(extra);
    apps
}

#[test]
fn light_edits_reordering_and_new_title_are_caught() {
    let mut rng = Rng::new(1);
    let src = body(&mut rng, 6);
    let title: String = src.chars().take(12).collect();
    let sentences: Vec<String> = src.split_inclusive('。').map(String::from).collect();
    let mut reordered = sentences.clone();
    reordered.reverse();
    let extra = vec![
        Application::new("src", title.clone(), src.clone() + BOILERPLATE[0]),
        Application::new(
            "light",
            format!("基于{title}关键技术研究"),
            edit(&src, 0.08, &mut rng),
        ),
        Application::new(
            "reorder",
            title.clone(),
            edit(&reordered.concat(), 0.03, &mut rng),
        ),
        Application::new(
            "partial",
            title.clone(),
            sentences[..4].concat() + &body(&mut rng, 2),
        ),
    ];
    let apps = corpus_with(&mut rng, extra);
    let pairs = flagged(&apps);
    for (a, b) in [
        ("src", "light"),
        ("src", "reorder"),
        ("src", "partial"),
        ("light", "reorder"),
    ] {
        assert!(has_pair(&pairs, a, b), "{a}-{b} not flagged: {pairs:?}");
    }
    assert!(
        pairs
            .iter()
            .all(|p| p.a.starts_with("bg") == p.b.starts_with("bg") && !p.a.starts_with("bg")),
        "background pair flagged: {pairs:?}"
    );
    assert!(pairs.iter().all(|p| p.kinds == vec![MatchKind::Text]));
}

#[test]
fn boilerplate_only_pairs_are_not_flagged_and_are_reported_as_excluded() {
    let mut rng = Rng::new(2);
    let apps = background(&mut rng, 80, "bg");
    assert!(flagged(&apps).is_empty());
    // A duplicate pair's evidence lists the boilerplate it left out.
    let src = body(&mut rng, 5);
    let t: String = src.chars().take(10).collect();
    let mut apps = apps;
    apps.push(Application::new(
        "x",
        t.clone(),
        src.clone() + &BOILERPLATE[..3].concat(),
    ));
    apps.push(Application::new(
        "y",
        t,
        edit(&src, 0.02, &mut rng) + &BOILERPLATE[1..4].concat(),
    ));
    let pairs = flagged(&apps);
    assert_eq!(pairs.len(), 1);
    let ev = pairs[0].text.as_ref().expect("text evidence");
    assert_eq!(ev.boilerplate_a.len(), 3);
    assert_eq!(ev.boilerplate_b.len(), 3);
}

#[test]
fn evidence_spans_point_at_the_reused_sentences() {
    let mut rng = Rng::new(3);
    let src = body(&mut rng, 4);
    let t: String = src.chars().take(10).collect();
    let copy = format!("  {}", src.replace('。', "．"));
    let apps = corpus_with(
        &mut rng,
        vec![
            Application::new("a", t.clone(), src.clone()),
            Application::new("b", t, copy.clone()),
        ],
    );
    let pairs = flagged(&apps);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let p = &pairs[0];
    let ev = p.text.as_ref().expect("evidence");
    assert!(ev.score >= 0.99 && ev.share_a >= 0.99 && ev.share_b >= 0.99);
    assert_eq!(ev.passages.len(), 4);
    let (ta, tb): (Vec<char>, Vec<char>) = if p.a == "a" {
        (src.chars().collect(), copy.chars().collect())
    } else {
        (copy.chars().collect(), src.chars().collect())
    };
    for x in &ev.passages {
        let sa: String = ta[x.a.start..x.a.end].iter().collect();
        let sb: String = tb[x.b.start..x.b.end].iter().collect();
        let strip = |s: &str| s.trim().trim_end_matches(['。', '．']).to_string();
        assert_eq!(strip(&sa), strip(&sb));
    }
}

#[test]
fn unrelated_title_needs_nearly_whole_text() {
    let mut rng = Rng::new(4);
    let src = body(&mut rng, 6);
    let half: String = src.split_inclusive('。').take(3).collect::<String>() + &body(&mut rng, 3);
    let extra = vec![
        Application::new("a", "稀土永磁电机控制", src.clone()),
        Application::new("b", "草原生态修复评价", half),
        Application::new("c", "钢铁冶炼余热利用", edit(&src, 0.03, &mut rng)),
    ];
    let apps = corpus_with(&mut rng, extra);
    let pairs = flagged(&apps);
    assert!(!has_pair(&pairs, "a", "b"), "{pairs:?}");
    assert!(has_pair(&pairs, "a", "c"), "{pairs:?}");
}

#[test]
fn empty_and_tiny_inputs() {
    assert!(flagged(&[]).is_empty());
    let one = vec![Application::new("a", "t", "短。")];
    assert!(flagged(&one).is_empty());
    let punct = vec![
        Application::new("a", "t", "。。。"),
        Application::new("b", "t", "。。。"),
    ];
    assert!(flagged(&punct).is_empty());
}

#[test]
fn missing_titles_are_no_evidence_either_way() {
    let mut rng = Rng::new(5);
    let src = body(&mut rng, 6);
    let reuse: String = src.split_inclusive('。').take(4).collect::<String>() + &body(&mut rng, 2);
    let extra = vec![
        Application::new("a", "", src.clone()),
        Application::new("b", " ", reuse),
    ];
    let apps = corpus_with(&mut rng, extra);
    let pairs = flagged(&apps);
    assert!(has_pair(&pairs, "a", "b"), "{pairs:?}");
    let ev = pairs[0].text.as_ref().expect("evidence");
    assert_eq!(ev.title_similarity, None);
}

#[test]
fn counted_sentences_are_what_the_shares_count() {
    let mut rng = Rng::new(7);
    let src = body(&mut rng, 6);
    let title: String = src.chars().take(12).collect();
    let sentences: Vec<String> = src.split_inclusive('。').map(String::from).collect();
    // The copy keeps four sentences and adds two of its own, so neither side is reused whole.
    let copy = sentences[..4].concat() + &body(&mut rng, 2);
    let extra = vec![
        Application::new("src", title.clone(), src.clone() + BOILERPLATE[0]),
        Application::new("copy", title, copy),
    ];
    let apps = corpus_with(&mut rng, extra);
    let pairs = flagged(&apps);
    let p = pairs
        .iter()
        .find(|p| has_pair(std::slice::from_ref(p), "src", "copy"))
        .expect("partial copy flagged");
    assert_eq!(p.flagged_for(), MatchKind::Text);
    let t = p.text.as_ref().unwrap();
    let (reused_src, reused_copy) = if p.a == "src" {
        (&t.reused_a, &t.reused_b)
    } else {
        (&t.reused_b, &t.reused_a)
    };
    // Four of the source's six content sentences, all of the copy's first four.
    assert_eq!(reused_src.len(), 4, "{t:?}");
    assert_eq!(reused_copy.len(), 4, "{t:?}");
    let (sentence_share_src, boilerplate_src) = if p.a == "src" {
        (t.sentence_share_a, &t.boilerplate_a)
    } else {
        (t.sentence_share_b, &t.boilerplate_b)
    };
    assert!((sentence_share_src - 4.0 / 6.0).abs() < 1e-3, "{t:?}");
    // Counted sentences are never boilerplate, and each is paired in a passage.
    for s in reused_src {
        assert!(!boilerplate_src.contains(s));
    }
    for s in &t.reused_a {
        assert!(t.passages.iter().any(|x| x.a == *s));
    }
    for s in &t.reused_b {
        assert!(t.passages.iter().any(|x| x.b == *s));
    }
}
