//! Invariants of text detection, on random texts.

mod common;

use common::*;
use innomesh_dedup::align::{shares, Profile};
use innomesh_dedup::boilerplate::DocFreq;
use innomesh_dedup::features::{features, title_shingles};
use innomesh_dedup::hash::Rng;
use innomesh_dedup::{check, Application, DedupConfig};
use proptest::prelude::*;

fn score(corpus: &[Application], a: usize, b: usize) -> f64 {
    let cfg = DedupConfig::default();
    let feats: Vec<_> = corpus
        .iter()
        .map(|x| features(&x.text, cfg.shingle_len))
        .collect();
    let mut df = DocFreq::default();
    feats.iter().for_each(|f| df.add(&f.set()));
    let mut tdf = DocFreq::default();
    corpus
        .iter()
        .for_each(|x| tdf.add(&title_shingles(&x.title)));
    let (rule, trule) = (df.rule(&cfg), tdf.rule(&cfg));
    let p = |i: usize| {
        Profile::new(
            &feats[i],
            &rule,
            &title_shingles(&corpus[i].title),
            &trule,
            &cfg,
        )
    };
    let (pa, pb) = (p(a), p(b));
    let s1 = shares(&pa, &pb, &cfg);
    let s2 = shares(&pb, &pa, &cfg);
    assert_eq!(s1.score(), s2.score());
    assert_eq!((s1.a, s1.b), (s2.b, s2.a));
    s1.score()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn score_is_symmetric_and_bounded(seed in any::<u64>(), rate in 0.0f64..0.3) {
        let mut rng = Rng::new(seed);
        let mut corpus = background(&mut rng, 25, "bg");
        let src = corpus[0].text.clone();
        corpus.push(Application::new("e", "t", edit(&src, rate, &mut rng)));
        let s = score(&corpus, 0, 25);
        prop_assert!((0.0..=1.0).contains(&s));
        let s = score(&corpus, 3, 7);
        prop_assert!((0.0..=1.0).contains(&s));
    }

    #[test]
    fn light_edit_of_a_text_is_its_duplicate(seed in any::<u64>(), rate in 0.0f64..0.06, n in 1usize..8) {
        let mut rng = Rng::new(seed);
        let mut corpus = background(&mut rng, 60, "bg");
        let src = body(&mut rng, n);
        let title: String = src.chars().take(10).collect();
        corpus.push(Application::new("a", title.clone(), src.clone() + &boilerplate(&mut rng)));
        corpus.push(Application::new("b", title, edit(&src, rate, &mut rng) + &boilerplate(&mut rng)));
        let pairs = check(&corpus, &DedupConfig::default()).pairs;
        prop_assert!(pairs.iter().any(|p| p.a == "a" && p.b == "b"), "not flagged: {:?}", pairs);
    }

    #[test]
    fn boilerplate_only_pairs_are_never_flagged(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let corpus = background(&mut rng, 40, "bg");
        let pairs = check(&corpus, &DedupConfig::default()).pairs;
        prop_assert!(pairs.is_empty(), "{:?}", pairs);
    }
}
