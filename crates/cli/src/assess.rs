//! `innomesh assess`: the 考核评估 engine's batch contract.
//!
//! - `assess ahp MATRIX.json` (a JSON array of arrays, reciprocal) →
//!   `{"weights": [...], "lambda_max": x, "ci": x, "cr": x}`; CR above 0.1 is reported on stderr
//!   (the weights are still printed: this command analyses a matrix, it does not use it).
//! - `assess entropy DATA.csv` (first column id, then one numeric column per indicator, all
//!   higher-is-better; CSV or XLSX) → `{"weights": {"COLUMN": w, ...}}` in column order.
//! - `assess run --framework FILE_OR_ID --data FILE [--draws N] [--seed S] [--detail]
//!   [--sensitivity]` → one JSON line per unit, in input order:
//!   `{"id", "score", "rank", "rank_band": [lo, hi], "grade"}` (with `--detail` also
//!   `median_rank`, `dimensions` and `indicators`); `--sensitivity` prints the sensitivity table
//!   to stderr.
//!
//! Bad input is a Chinese message on stderr and exit code 2, with nothing on stdout.

use anyhow::Context;
use innomesh_assess::{assess, Dataset, Framework, Options, Table};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AssessCommand {
    /// AHP weights, λ_max, CI and CR of a pairwise-comparison matrix (层次分析法)
    Ahp {
        /// JSON array of arrays, reciprocal, ones on the diagonal
        matrix: PathBuf,
    },
    /// Entropy weights of a table's columns (熵权法)
    Entropy {
        /// CSV or XLSX: first column id, then numeric columns (higher is better)
        data: PathBuf,
    },
    /// Scores, ranks, 90 % rank bands and grades under a framework (评估)
    Run(RunArgs),
    /// The frameworks shipped in this binary (data/assessment/)
    List,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// A framework file (YAML) or the id of a shipped framework, e.g. key_laboratory
    #[arg(long)]
    pub framework: String,
    /// CSV or XLSX: first column the unit id, then one column per indicator (id or name)
    #[arg(long)]
    pub data: PathBuf,
    /// Monte-Carlo draws (default: the framework's)
    #[arg(long)]
    pub draws: Option<usize>,
    /// Random seed (default: the framework's)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Also print the median rank, dimension scores and per-indicator points
    #[arg(long)]
    pub detail: bool,
    /// Print the sensitivity table (which choice moves the ranking most) to stderr
    #[arg(long)]
    pub sensitivity: bool,
}

pub fn run(cmd: AssessCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AssessCommand::Ahp { matrix } => ahp(&matrix),
        AssessCommand::Entropy { data } => entropy(&data),
        AssessCommand::Run(a) => run_framework(a),
        AssessCommand::List => {
            for (id, _) in innomesh_assess::SHIPPED {
                if let Some(Ok(f)) = innomesh_assess::shipped(id) {
                    println!("{id}\t{}\t{}\t{}", f.version, f.name, f.sources.join("；"));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "文件不存在",
            std::io::ErrorKind::PermissionDenied => "没有读取权限",
            std::io::ErrorKind::IsADirectory => "这是一个目录，不是文件",
            _ => "读取失败",
        };
        anyhow::anyhow!("无法读取文件 {}：{why}", path.display())
    })
}

fn ahp(path: &Path) -> anyhow::Result<ExitCode> {
    let bytes = read(path)?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{} 不是有效的 JSON：{e}", path.display()))?;
    let rows = v
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("判断矩阵须为 JSON 数组的数组，如 [[1,3],[0.3333,1]]"))?;
    let mut m = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let cells = row
            .as_array()
            .ok_or_else(|| anyhow::anyhow!("判断矩阵第 {} 行须为数组", i + 1))?;
        let mut r = Vec::with_capacity(cells.len());
        for (j, c) in cells.iter().enumerate() {
            r.push(c.as_f64().ok_or_else(|| {
                anyhow::anyhow!("判断矩阵第 {} 行第 {} 列须为数值，现为 {c}", i + 1, j + 1)
            })?);
        }
        m.push(r);
    }
    let r = innomesh_assess::ahp(&m)?;
    if r.cr > innomesh_assess::CR_LIMIT {
        eprintln!(
            "注意：一致性比率 CR = {:.4} 大于 0.1，判断矩阵不宜直接用作权重",
            r.cr
        );
    }
    println!(
        "{}",
        json!({"weights": r.weights, "lambda_max": r.lambda_max, "ci": r.ci, "cr": r.cr})
    );
    Ok(ExitCode::SUCCESS)
}

/// A CSV or XLSX file as an engine table (GBK CSV from Excel is read too).
fn table(path: &Path) -> anyhow::Result<Table> {
    let bytes = read(path)?;
    let format = innomesh_sheets::Format::guess(&path.to_string_lossy())
        .unwrap_or_else(|| innomesh_sheets::Format::sniff(&bytes));
    let sheet = innomesh_sheets::read(&bytes, format)
        .with_context(|| format!("数据文件 {}", path.display()))?;
    let mut lines = vec![(1, sheet.headers.clone())];
    // Sheet rows carry their own 1-based line numbers; the header was the first non-blank one.
    lines.extend(
        sheet
            .rows
            .iter()
            .map(|(n, cells)| (*n, cells.iter().map(|c| c.display()).collect())),
    );
    Table::from_lines(lines).with_context(|| format!("数据文件 {}", path.display()))
}

fn entropy(path: &Path) -> anyhow::Result<ExitCode> {
    let t = table(path)?;
    let x = t
        .numeric()
        .with_context(|| format!("数据文件 {}", path.display()))?;
    let w = innomesh_assess::entropy(&x)?;
    // Column order kept (serde_json's map would sort the keys).
    let body: Vec<String> = t.header[1..]
        .iter()
        .zip(&w)
        .map(|(h, w)| format!("{}: {}", Value::from(h.as_str()), Value::from(*w)))
        .collect();
    println!("{{\"weights\": {{{}}}}}", body.join(", "));
    Ok(ExitCode::SUCCESS)
}

pub fn load_framework(spec: &str) -> anyhow::Result<Framework> {
    if let Some(f) = innomesh_assess::shipped(spec) {
        return Ok(f?);
    }
    let path = Path::new(spec);
    if !path.is_file() {
        let ids: Vec<&str> = innomesh_assess::SHIPPED.iter().map(|(i, _)| *i).collect();
        anyhow::bail!(
            "--framework「{spec}」既不是内置指标体系（可用：{}），也不是存在的 YAML 文件",
            ids.join("、")
        );
    }
    let text = String::from_utf8(read(path)?)
        .map_err(|_| anyhow::anyhow!("指标体系文件 {} 须为 UTF-8 文本", path.display()))?;
    Framework::from_yaml(&text).with_context(|| format!("指标体系文件 {}", path.display()))
}

fn run_framework(a: RunArgs) -> anyhow::Result<ExitCode> {
    let f = load_framework(&a.framework)?;
    let data = Dataset::bind(&f, &table(&a.data)?)
        .with_context(|| format!("数据文件 {}", a.data.display()))?;
    let mut opts = Options::from_framework(&f);
    if let Some(d) = a.draws {
        anyhow::ensure!(
            (1..=1_000_000).contains(&d),
            "--draws 须在 1 到 1000000 之间"
        );
        opts.draws = d;
    }
    if let Some(s) = a.seed {
        opts.seed = s;
    }
    let r = assess(&f, &data, opts)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for u in &r.units {
        let mut line = json!({
            "id": u.id, "score": u.score, "rank": u.rank, "rank_band": u.rank_band, "grade": u.grade,
        });
        if a.detail {
            line["median_rank"] = json!(u.median_rank);
            line["dimensions"] = json!(u.dimensions);
            line["indicators"] = json!(u.indicators);
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    if a.sensitivity {
        eprintln!(
            "敏感性分析（{} 次抽样，种子 {}；按平均位次变动从大到小）",
            r.draws, r.seed
        );
        eprintln!("因素\t选择\t平均位次变动\t最大位次变动\t位次变动单位占比");
        for s in &r.sensitivity {
            eprintln!(
                "{}\t{}\t{:.2}\t{}\t{:.1}%",
                s.factor,
                s.option,
                s.mean_abs_shift,
                s.max_shift,
                s.moved_share * 100.0
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
