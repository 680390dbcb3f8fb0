//! Dev helper: leave-one-out or held-out-split evaluation of the retriever on a docs.jsonl with
//! disciplines. `retrieval_dev DOCS.jsonl [loo|split] [key=value ...]`.
use std::sync::Arc;
use std::time::Instant;

use innomesh_matching::{AliasDict, CorpusDoc, RetrievalConfig, Retriever, Segmenter};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let docs: Vec<CorpusDoc> = std::fs::read_to_string(&args[1])
        .expect("read")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let mode = args.get(2).map(String::as_str).unwrap_or("loo");
    let mut c = RetrievalConfig::default();
    let mut every = 4usize;
    for kv in args.iter().skip(3) {
        let (k, v) = kv.split_once('=').expect("key=value");
        let f: f32 = v.parse().expect("number");
        match k {
            "lex" => c.lexical_share = f,
            "k" => c.vote_k = f as usize,
            "pow" => c.vote_power = f,
            "cw" => c.centroid_weight = f,
            "dim" => c.lsa.dim = f as usize,
            "bw" => c.bigrams.weight = f,
            "ww" => c.words.weight = f,
            "b" => {
                c.words.b = f;
                c.bigrams.b = f;
            }
            "k1" => {
                c.words.k1 = f;
                c.bigrams.k1 = f;
            }
            "ce" => c.classifier_embedding = f,
            "vw" => c.vote_weight = f,
            "pw" => c.classifier_weight = f,
            "ep" => c.classifier.softmax.epochs = f as usize,
            "lr" => c.classifier.softmax.learning_rate = f,
            "folds" => c.folds = f as usize,
            "every" => every = f as usize,
            "mf" => c.lsa.max_features = f as usize,
            "mindf" => c.lsa.min_df = f as usize,
            "words" => c.lsa.features.words = f > 0.0,
            "tri" => c.lsa.features.trigrams = f > 0.0,
            "bigrams" => c.lsa.features.bigrams = f > 0.0,
            _ => panic!("unknown {k}"),
        }
    }
    let seg = Arc::new(Segmenter::default());
    let (corpus, queries): (Vec<CorpusDoc>, Vec<CorpusDoc>) = if mode == "split" {
        // Deterministic 20% hold-out by a hash of the id.
        let h = |s: &str| {
            s.bytes().fold(1469598103934665603u64, |a, b| {
                (a ^ b as u64).wrapping_mul(1099511628211)
            })
        };
        docs.iter().cloned().partition(|d| h(&d.id) % 5 != 0)
    } else {
        (docs.clone(), docs.iter().step_by(every).cloned().collect())
    };
    let t0 = Instant::now();
    let r = Retriever::build(seg, AliasDict::bundled(), corpus, c);
    let build = t0.elapsed();
    let t1 = Instant::now();
    let (mut p1, mut p10, mut acc) = (0.0, 0.0, 0.0);
    for q in &queries {
        let (hits, guess) = r.search_with_guess(&q.text, 10, Some(&q.id));
        let rel: Vec<bool> = hits.iter().map(|h| h.discipline == q.discipline).collect();
        p1 += rel.first().copied().unwrap_or(false) as u8 as f64;
        p10 += rel.iter().filter(|&&x| x).count() as f64 / 10.0;
        acc += (guess
            .first()
            .map(|g| Some(&g.discipline) == q.discipline.as_ref())
            == Some(true)) as u8 as f64;
    }
    let n = queries.len() as f64;
    println!(
        "{mode} n={} P@1 {:.4} P@10 {:.4} disc-acc {:.4} build {:?} {:.2} ms/query",
        queries.len(),
        p1 / n,
        p10 / n,
        acc / n,
        build,
        t1.elapsed().as_secs_f64() * 1000.0 / n
    );
}
