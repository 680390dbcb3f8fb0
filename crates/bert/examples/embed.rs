//! Prints the sentence vector of each line of stdin as one JSON array per line, with the model
//! directory given as the only argument: `embed DIR < texts.txt`. Used by
//! `tools/e5_convert.py --check` to compare a converted model with its source.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use innomesh_bert::BertEmbedder;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("用法：embed 模型目录 < 每行一句.txt");
        return ExitCode::from(2);
    };
    let model = match BertEmbedder::load(&dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("无法加载模型：{e}");
            return ExitCode::FAILURE;
        }
    };
    let lines: Vec<String> = match std::io::stdin().lock().lines().collect() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("无法读取标准输入：{e}");
            return ExitCode::FAILURE;
        }
    };
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    let vecs = match model.try_embed_batch(&texts) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for v in vecs {
        let line = serde_json::to_string(&v).unwrap_or_else(|_| "[]".into());
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
