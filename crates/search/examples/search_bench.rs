//! Search benchmark: indexes 1,000,000 records, then measures query latency over realistic
//! Chinese queries, against a naive substring scan over the same texts in the same run.
//!
//! `cargo run --release -p innomesh-search --example search_bench -- [RECORDS] [QUERIES]`

use std::time::Instant;

use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::Record;
use innomesh_matching::normalize::normalize;
use innomesh_matching::{AliasDict, UserDict};
use innomesh_search::{SearchIndex, SearchQuery};

/// Seeded LCG: the same queries every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let target: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let n_queries: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2_000);

    let t = Instant::now();
    let sample = generate(SampleConfig::default()).records;
    let distinct = sample.len();
    // 1M records = the seeded scale-1 sample (every kind) repeated: realistic vocabulary and
    // posting-list lengths of a 1M registry, cheap to make.
    let records: Vec<&Record> = sample.iter().cycle().take(target).collect();
    println!(
        "corpus: {} records ({} distinct sample records repeated), made in {:.1}s",
        records.len(),
        distinct,
        t.elapsed().as_secs_f64()
    );

    let dir = std::env::temp_dir().join(format!("innomesh-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ix = SearchIndex::open_or_create(&dir)?;
    let t = Instant::now();
    let n = ix.rebuild(records.iter().copied())?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "indexing: {n} records in {secs:.1}s = {:.0} records/s (threads: {})",
        n as f64 / secs,
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
    );

    // Queries: domain terms (user dictionary, alias names) and words from record names and
    // texts, one to three words, as people type them into a search box.
    let mut vocab: Vec<String> = UserDict::bundled()
        .words
        .into_iter()
        .map(|w| w.word)
        .collect();
    vocab.extend(AliasDict::bundled().names().map(str::to_string));
    let seg = innomesh_matching::Segmenter::default();
    let mut rng = Lcg(2026);
    for _ in 0..400 {
        let r = &sample[rng.next(distinct)];
        let ixf = r.index();
        let words = seg.content_words(&format!("{} {}", ixf.name, ixf.text));
        let cjk: Vec<String> = words
            .into_iter()
            .filter(|w| {
                w.chars().count() >= 2 && w.chars().all(innomesh_matching::normalize::is_cjk)
            })
            .collect();
        if !cjk.is_empty() {
            vocab.push(cjk[rng.next(cjk.len())].clone());
        }
    }
    let queries: Vec<String> = (0..n_queries)
        .map(|_| {
            let k = 1 + rng.next(3);
            (0..k)
                .map(|_| vocab[rng.next(vocab.len())].clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();

    let mut lat = Vec::with_capacity(queries.len());
    let mut hits_total = 0usize;
    for q in &queries {
        let t = Instant::now();
        let r = ix.search(&SearchQuery {
            q: q.clone(),
            limit: 20,
            ..Default::default()
        })?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        hits_total += r.total;
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let (p50, p99) = (pct(&lat, 0.5), pct(&lat, 0.99));
    println!(
        "search: {} queries, p50 {p50:.2} ms, p99 {p99:.2} ms, max {:.2} ms, mean matches {:.0}",
        lat.len(),
        lat[lat.len() - 1],
        hits_total as f64 / lat.len() as f64
    );

    // Peer: naive substring scan (every query word must occur) over the same 1M normalised texts.
    let texts: Vec<String> = records
        .iter()
        .map(|r| {
            let f = r.index();
            normalize(&format!("{} {}", f.name, f.text))
        })
        .collect();
    let peer_n = queries.len().min(100);
    let mut peer = Vec::with_capacity(peer_n);
    for q in queries.iter().take(peer_n) {
        let words: Vec<String> = normalize(q)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let t = Instant::now();
        let n = texts
            .iter()
            .filter(|t| words.iter().all(|w| t.contains(w.as_str())))
            .count();
        peer.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(n);
    }
    peer.sort_by(|a, b| a.total_cmp(b));
    let (pp50, pp99) = (pct(&peer, 0.5), pct(&peer, 0.99));
    println!(
        "peer (substring scan, first {peer_n} queries): p50 {pp50:.2} ms, p99 {pp99:.2} ms; ratio p50 {:.0}x, p99 {:.0}x",
        pp50 / p50,
        pp99 / p99
    );
    drop(ix);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
