//! Mimics `innomesh similarity` and `innomesh match` for benchmarking:
//!   match_cli similarity --input PAIRS.tsv
//!   match_cli match --corpus DOCS.jsonl --queries QUERIES.jsonl [--top 10] [--timing]
//! With `--timing`, index build and query time go to stderr as `timing build_ms=… query_ms=…`
//! (the output is the same as `run_match`'s).
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;

use innomesh_matching::{
    match_line, read_corpus, read_queries, AliasDict, RetrievalConfig, Retriever, Segmenter,
};
use std::process::ExitCode;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn open(path: &str) -> Result<BufReader<File>, String> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| format!("无法打开文件「{path}」：{e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let out = BufWriter::new(std::io::stdout().lock());
    match args.first().map(String::as_str) {
        Some("similarity") => {
            let input = arg(args, "--input").ok_or("缺少 --input PAIRS.tsv")?;
            innomesh_matching::run_similarity(open(&input)?, out).map_err(|e| e.to_string())?;
        }
        Some("match") => {
            let corpus = arg(args, "--corpus").ok_or("缺少 --corpus DOCS.jsonl")?;
            let queries = arg(args, "--queries").ok_or("缺少 --queries QUERIES.jsonl")?;
            let top = match arg(args, "--top") {
                Some(t) => t.parse::<usize>().map_err(|_| format!("--top「{t}」不是正整数"))?,
                None => 10,
            };
            if args.iter().any(|a| a == "--timing") {
                timed_match(&corpus, &queries, top, out)?;
            } else {
                innomesh_matching::run_match(open(&corpus)?, open(&queries)?, top, out)
                    .map_err(|e| e.to_string())?;
            }
        }
        _ => return Err("用法：match_cli similarity --input PAIRS.tsv | match_cli match --corpus DOCS.jsonl --queries QUERIES.jsonl [--top 10]".into()),
    }
    Ok(())
}

fn timed_match(corpus: &str, queries: &str, top: usize, mut out: impl Write) -> Result<(), String> {
    if top == 0 {
        return Err("返回条数 --top 必须大于 0".into());
    }
    let docs = read_corpus(open(corpus)?).map_err(|e| e.to_string())?;
    let queries = read_queries(open(queries)?).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let r = Retriever::build(
        Arc::new(Segmenter::default()),
        AliasDict::bundled(),
        docs,
        RetrievalConfig::default(),
    );
    let build = t0.elapsed();
    let t1 = Instant::now();
    let lines: Vec<String> = queries.iter().map(|q| match_line(&r, q, top)).collect();
    let query = t1.elapsed();
    for l in lines {
        writeln!(out, "{l}").map_err(|e| e.to_string())?;
    }
    eprintln!(
        "timing build_ms={:.0} query_ms={:.3} queries={}",
        build.as_secs_f64() * 1000.0,
        query.as_secs_f64() * 1000.0 / queries.len().max(1) as f64,
        queries.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
