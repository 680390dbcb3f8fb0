//! Clustering benchmark: how well the common-problem clustering (LSA embeddings of the matching
//! engine + spherical k-means) recovers labelled groups, against k-means on TF-IDF (the baseline)
//! in the same run, on the same texts, with the same k and seed.
//!
//!   cargo run --release -p innomesh-matching --example cluster_bench [DOCS.jsonl] [--limit N]
//!
//! Default set: `$INNOMESH_EVAL_DIR/retrieval/csldcp_docs.jsonl` (4,104 Chinese abstracts in 67
//! disciplines, written by nobody on this project): the discipline is the label, k = the number
//! of disciplines. Prints NMI, ARI, purity and seconds for both, and the ratios.
use innomesh_matching::cluster::{ari, cluster_texts, cluster_texts_baseline, nmi, Clustering};
use innomesh_matching::Segmenter;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

#[derive(serde::Deserialize)]
struct Doc {
    text: String,
    discipline: String,
}

fn purity(labels: &[usize], c: &Clustering) -> f64 {
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for (&l, &a) in labels.iter().zip(&c.assignment) {
        *counts.entry((a, l)).or_default() += 1;
    }
    let mut best: HashMap<usize, usize> = HashMap::new();
    for ((a, _), n) in counts {
        let b = best.entry(a).or_default();
        *b = (*b).max(n);
    }
    best.values().sum::<usize>() as f64 / labels.len() as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .iter()
        .skip(1)
        .find(|a| !a.starts_with("--") && a.ends_with(".jsonl"))
        .cloned()
        .or_else(|| {
            std::env::var("INNOMESH_EVAL_DIR")
                .ok()
                .map(|d| format!("{d}/retrieval/csldcp_docs.jsonl"))
        })
        .unwrap_or_else(|| "../shared/eval/retrieval/csldcp_docs.jsonl".into());
    let limit = args
        .iter()
        .position(|a| a == "--limit")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("无法读取 {path}：{e}");
        std::process::exit(2)
    });
    let docs: Vec<Doc> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let labels: Vec<usize> = docs
        .iter()
        .map(|d| {
            let n = ids.len();
            *ids.entry(d.discipline.as_str()).or_insert(n)
        })
        .collect();
    let k = ids.len();
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let seg = Arc::new(Segmenter::default());
    println!("{} texts, {} labels (k = {k}), {path}", texts.len(), k);
    let mut rows = Vec::new();
    for (name, f) in [
        (
            "LSA + spherical k-means (ours)",
            cluster_texts as fn(_, _, _, _) -> Clustering,
        ),
        ("k-means on TF-IDF (baseline)", cluster_texts_baseline),
    ] {
        let t = Instant::now();
        let c = f(seg.clone(), &texts, k, 42);
        let secs = t.elapsed().as_secs_f64();
        let (n, a, p) = (
            nmi(&labels, &c.assignment),
            ari(&labels, &c.assignment),
            purity(&labels, &c),
        );
        println!("{name:34} NMI {n:.3}  ARI {a:.3}  purity {p:.3}  {secs:.2} s");
        rows.push((n, a, secs));
    }
    println!(
        "ratio ours/baseline: NMI {:.2}×, ARI {:.2}×, time {:.2}×",
        rows[0].0 / rows[1].0,
        rows[0].1 / rows[1].1,
        rows[0].2 / rows[1].2
    );
}
