//! `dedup_cli --input FILE [--output FILE] [--threads N]`: exactly what `innomesh dedup` does —
//! JSON lines of flagged pairs on stdout, a summary on stderr, exit 2 on bad input.
//! The identity key for the people check comes from the environment variable
//! `INNOMESH_DEDUP_KEY` (absent: people check skipped).

use std::io::{BufReader, BufWriter, Write};

use innomesh_dedup::{run_jsonl, DedupConfig, IdentityKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut input = None;
    let mut output = None;
    let mut cfg = DedupConfig::default();
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--input" => input = args.get(i + 1).cloned(),
            "--output" => output = args.get(i + 1).cloned(),
            "--threads" => {
                cfg.threads = args.get(i + 1).and_then(|t| t.parse().ok()).unwrap_or(2);
            }
            other => {
                eprintln!(
                    "未知参数 {other}；用法：dedup_cli --input FILE [--output FILE] [--threads N]"
                );
                std::process::exit(64);
            }
        }
        i += 2;
    }
    let Some(input) = input else {
        eprintln!("用法：dedup_cli --input FILE [--output FILE] [--threads N]");
        std::process::exit(64);
    };
    if let Ok(k) = std::env::var("INNOMESH_DEDUP_KEY") {
        cfg.identity_key = Some(IdentityKey::new(k.into_bytes()));
    }
    let file = match std::fs::File::open(&input) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("无法打开输入文件 {input}：{e}");
            std::process::exit(66);
        }
    };
    let out: Box<dyn Write> = match &output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("无法创建输出文件 {p}：{e}");
                std::process::exit(73);
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let started = std::time::Instant::now();
    match run_jsonl(
        BufReader::with_capacity(1 << 20, file),
        BufWriter::with_capacity(1 << 20, out),
        &cfg,
    ) {
        Ok(s) => eprintln!(
            "{} applications, {} flagged pairs, {} candidates verified, boilerplate df >= {}, {:.2} s",
            s.applications,
            s.flagged_pairs,
            s.candidates_verified,
            s.boilerplate_min_docs,
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("{} {e}", e.code());
            std::process::exit(2);
        }
    }
}
