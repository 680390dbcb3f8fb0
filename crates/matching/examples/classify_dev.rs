//! Dev helper: out-of-fold discipline-classifier probabilities for analysis.
//! `classify_dev CORPUS.jsonl [QUERIES.jsonl] key=value...` — without queries, 10-fold (doc i in
//! fold i % 10) over the corpus; with queries (carrying `discipline`), the fold models'
//! average on them. Writes `OUT/NAME.f32` (rows × classes, little-endian) and `OUT/labels.txt`.
use std::io::Write;
use std::sync::Arc;

use innomesh_matching::classify::nb::{NaiveBayes, NbConfig, NbKind};
use innomesh_matching::classify::{ClassifierConfig, LinearClassifier};
use innomesh_matching::retrieval::fields;
use innomesh_matching::tfidf::{Sparse, TfIdf};
use innomesh_matching::{CorpusDoc, Segmenter};

fn load(p: &str) -> Vec<CorpusDoc> {
    std::fs::read_to_string(p)
        .expect("read")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = load(&args[1]);
    let queries = args.get(2).filter(|a| !a.contains('=')).map(|p| load(p));
    let mut kv = std::collections::HashMap::new();
    for a in args.iter().skip(2).filter(|a| a.contains('=')) {
        let (k, v) = a.split_once('=').unwrap();
        kv.insert(k.to_string(), v.to_string());
    }
    let get = |k: &str, d: f32| kv.get(k).map_or(d, |v| v.parse().unwrap());
    let feats = kv.get("feats").cloned().unwrap_or("w,b".into());
    let clf = kv.get("clf").cloned().unwrap_or("lr".into());
    let out = kv.get("out").cloned().unwrap_or("/tmp/retr/P".into());
    let seg = Arc::new(Segmenter::default());
    let toks = |d: &CorpusDoc| -> Vec<String> {
        let [w, b] = fields(&seg, &d.text);
        let mut o = Vec::new();
        for f in feats.split(',') {
            match f {
                "w" => o.extend(w.iter().map(|x| format!("w:{x}"))),
                "b" => o.extend(b.iter().map(|x| format!("b:{x}"))),
                "t" => o.extend(b.windows(2).filter_map(|p| {
                    let last = p[1].chars().nth(1)?;
                    Some(format!("t:{}{last}", p[0]))
                })),
                "c" => o.extend(
                    b.iter()
                        .filter_map(|x| x.chars().next())
                        .map(|c| format!("c:{c}")),
                ),
                "ww" => o.extend(w.windows(2).map(|p| format!("ww:{}_{}", p[0], p[1]))),
                _ => panic!("feat {f}"),
            }
        }
        o
    };
    let ctoks: Vec<Vec<String>> = corpus.iter().map(&toks).collect();
    let tf = TfIdf::fit(
        &ctoks,
        get("mindf", 2.0) as usize,
        get("mf", 120000.0) as usize,
    );
    let xs: Vec<Sparse> = ctoks.iter().map(|t| tf.vector(t)).collect();
    let mut names: Vec<String> = corpus.iter().filter_map(|d| d.discipline.clone()).collect();
    names.sort();
    names.dedup();
    let lab = |d: &CorpusDoc| {
        names
            .iter()
            .position(|n| Some(n) == d.discipline.as_ref())
            .unwrap_or(usize::MAX)
    };
    let ys: Vec<usize> = corpus.iter().map(lab).collect();
    let (k, v) = (names.len(), tf.len());
    let folds = 10;
    let lrc = ClassifierConfig {
        epochs: get("ep", 40.0) as usize,
        learning_rate: get("lr", 4.0),
        l2: get("l2", 0.0),
        loss: if clf == "svm" {
            innomesh_matching::classify::Loss::Hinge
        } else {
            innomesh_matching::classify::Loss::Softmax
        },
        ..ClassifierConfig::default()
    };
    let nbc = NbConfig {
        kind: if clf == "mnb" {
            NbKind::Multinomial
        } else {
            NbKind::Complement
        },
        alpha: get("alpha", 0.1),
        temperature: 1.0,
    };
    enum M {
        L(LinearClassifier),
        N(NaiveBayes),
    }
    let train = |f: usize| -> M {
        let keep = |i: usize| i % folds != f;
        if clf == "lr" || clf == "svm" {
            M::L(LinearClassifier::train(&xs, &ys, v, k, lrc, keep))
        } else {
            M::N(NaiveBayes::train(&xs, &ys, v, k, nbc, keep))
        }
    };
    let models: Vec<M> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|t| {
                let train = &train;
                s.spawn(move || {
                    (t..folds)
                        .step_by(2)
                        .map(|f| (f, train(f)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, M)> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort_by_key(|a| a.0);
        all.into_iter().map(|a| a.1).collect()
    });
    let score = |m: &M, x: &Sparse| -> Vec<f32> {
        match m {
            M::L(l) => {
                let mut o = vec![0.0; k];
                l.scores_into(x, &mut o);
                o
            }
            M::N(n) => {
                let mut o = vec![0.0; k];
                n.scores_into(x, &mut o);
                o
            }
        }
    };
    let (rows, labels): (Vec<Vec<f32>>, Vec<usize>) = match &queries {
        None => xs
            .iter()
            .enumerate()
            .map(|(i, x)| (score(&models[i % folds], x), ys[i]))
            .unzip(),
        Some(q) => q
            .iter()
            .map(|d| {
                let x = tf.vector(&toks(d));
                let mut acc = vec![0.0; k];
                for m in &models {
                    score(m, &x)
                        .iter()
                        .zip(acc.iter_mut())
                        .for_each(|(s, a)| *a += s / folds as f32);
                }
                (acc, lab(d))
            })
            .unzip(),
    };
    let correct = rows
        .iter()
        .zip(&labels)
        .filter(|(r, &y)| {
            let best = r
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap()
                .0;
            best == y
        })
        .count();
    println!(
        "{clf} feats={feats} v={v} acc {:.4} n={}",
        correct as f64 / rows.len() as f64,
        rows.len()
    );
    let mut f = std::fs::File::create(format!("{out}.f32")).unwrap();
    for r in &rows {
        for x in r {
            f.write_all(&x.to_le_bytes()).unwrap();
        }
    }
    let mut l = std::fs::File::create(format!("{out}.labels")).unwrap();
    for y in &labels {
        writeln!(l, "{y}").unwrap();
    }
}
