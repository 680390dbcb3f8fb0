//! Benchmark driver mimicking `innomesh alloc gap|fjsp INSTANCE --time-limit S [--seed N]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "用法 / usage: alloc_cli gap|fjsp INSTANCE [--time-limit S] [--seed N]";
    if args.len() < 2 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let mut time_limit = 10.0;
    let mut seed = 1u64;
    let mut k = 2;
    while k < args.len() {
        let value = args.get(k + 1);
        match (args[k].as_str(), value) {
            ("--time-limit", Some(v)) => match v.parse() {
                Ok(t) => time_limit = t,
                Err(_) => {
                    eprintln!("--time-limit 需要秒数 / needs seconds: {v}");
                    return ExitCode::from(2);
                }
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(s) => seed = s,
                Err(_) => {
                    eprintln!("--seed 需要整数 / needs an integer: {v}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        }
        k += 2;
    }
    let text = match std::fs::read_to_string(&args[1]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("无法读取 {} / cannot read: {e}", args[1]);
            return ExitCode::from(1);
        }
    };
    let json = match args[0].as_str() {
        "gap" => {
            let cfg = innomesh_alloc::GapConfig {
                time_limit,
                seed,
                ..Default::default()
            };
            innomesh_alloc::solve_gap_text(&text, &cfg).map(|r| serde_json::to_string(&r))
        }
        "fjsp" => {
            let cfg = innomesh_alloc::FjspConfig {
                time_limit,
                seed,
                ..Default::default()
            };
            innomesh_alloc::solve_fjsp_text(&text, &cfg).map(|r| serde_json::to_string(&r))
        }
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match json {
        Ok(Ok(s)) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
