//! Dev helper: prints similarity parts and extra features per pair (tab-separated) for feature
//! studies: `sim_features PAIRS.tsv > FEATURES.tsv`.
use std::io::Write;
use std::sync::Arc;

use innomesh_matching::{Segmenter, SimilarityConfig, SimilarityModel};

fn main() {
    let path = std::env::args().nth(1).expect("PAIRS.tsv");
    let text = std::fs::read_to_string(path).expect("read");
    let pairs: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split('\t');
            (
                it.next().unwrap_or("").to_string(),
                it.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let t0 = std::time::Instant::now();
    let mut m = SimilarityModel::new(Arc::new(Segmenter::default()), SimilarityConfig::default());
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    m.fit(&texts);
    eprintln!("fit {:?}", t0.elapsed());
    let out = std::io::stdout();
    let mut out = out.lock();
    for (a, b) in &pairs {
        let p = m.parts(&m.prepare(a), &m.prepare(b));
        let (pa, pb) = (m.prepare(a), m.prepare(b));
        let x = m.debug_features(&pa, &pb);
        let extra: Vec<String> = x.iter().map(|v| v.to_string()).collect();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.soft_word,
            p.score,
            p.word,
            p.char,
            p.bigram,
            p.order,
            p.semantic,
            p.negation_mismatch as u8,
            p.number_mismatch as u8,
            extra.join("\t")
        )
        .unwrap();
    }
    eprintln!("total {:?}", t0.elapsed());
}
