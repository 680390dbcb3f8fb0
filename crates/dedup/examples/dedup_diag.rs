//! Development diagnostics: reuse shares of truth pairs and of near-miss non-truth pairs.
//! `dedup_diag APPS.jsonl TRUTH.jsonl` prints one TSV line per pair: T (truth) or F (not), kind,
//! min content share, min sentence share, found by candidate generation, ids, title similarity.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use innomesh_dedup::align::{shares, title_similarity, Profile};
use innomesh_dedup::boilerplate::DocFreq;
use innomesh_dedup::features::{features, title_shingles};
use innomesh_dedup::{detect_text, read_applications, DedupConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Low thresholds so that near misses show up too.
    let mut cfg = DedupConfig {
        threshold: 0.2,
        content_threshold: 0.2,
        ..DedupConfig::default()
    };
    let f = std::fs::File::open(&args[1]).expect("apps");
    let apps = read_applications(std::io::BufReader::new(f), &cfg).expect("valid");
    let pos: HashMap<&str, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut truth = HashMap::new();
    for l in std::io::BufReader::new(std::fs::File::open(&args[2]).expect("truth")).lines() {
        let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("json");
        let a = pos[v["a"].as_str().expect("a")];
        let b = pos[v["b"].as_str().expect("b")];
        truth.insert(
            (a.min(b), a.max(b)),
            v["kind"].as_str().unwrap_or("").to_string(),
        );
    }
    let feats: Vec<_> = apps
        .iter()
        .map(|a| features(&a.text, cfg.shingle_len))
        .collect();
    let mut df = DocFreq::default();
    for f in &feats {
        df.add(&f.set());
    }
    let rule = df.rule(&cfg);
    let tsets: Vec<_> = apps.iter().map(|a| title_shingles(&a.title)).collect();
    let mut tdf = DocFreq::default();
    for t in &tsets {
        tdf.add(t);
    }
    let trule = tdf.rule(&cfg);
    let profiles: Vec<_> = feats
        .iter()
        .zip(&tsets)
        .map(|(f, t)| Profile::new(f, &rule, t, &trule, &cfg))
        .collect();
    let texts: Vec<&str> = apps.iter().map(|a| a.text.as_str()).collect();
    let titles: Vec<&str> = apps.iter().map(|a| a.title.as_str()).collect();
    cfg.threshold_new_title = 0.2;
    let (pairs, _) = detect_text(&texts, &titles, &cfg);
    let cands: HashSet<(usize, usize)> = pairs.iter().map(|p| (p.a, p.b)).collect();
    for (&(a, b), kind) in &truth {
        let sh = shares(&profiles[a], &profiles[b], &cfg);
        let (x, y) = (sh.a.min(sh.b), sh.sentences_a.min(sh.sentences_b));
        let t = title_similarity(&profiles[a], &profiles[b]).unwrap_or(-1.0);
        println!(
            "T\t{kind}\t{x:.3}\t{y:.3}\t{}\t{}\t{}\t{t:.3}",
            cands.contains(&(a, b)),
            apps[a].id,
            apps[b].id
        );
    }
    for p in &pairs {
        if !truth.contains_key(&(p.a, p.b)) {
            println!(
                "F\t-\t{:.3}\t{:.3}\ttrue\t{}\t{}\t{:.3}",
                p.evidence.share_a.min(p.evidence.share_b),
                p.evidence.sentence_share_a.min(p.evidence.sentence_share_b),
                apps[p.a].id,
                apps[p.b].id,
                p.evidence.title_similarity.unwrap_or(-1.0)
            );
        }
    }
}
