//! The engines' batch commands, which are also their benchmark contracts:
//! `alloc gap|fjsp`, `dedup`, `similarity`, `match`. Output is machine-readable JSON on stdout;
//! errors are Chinese on stderr with a stable code, and nothing is written on bad input.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AllocCommand {
    /// Generalized assignment (OR-Library format), minimising cost
    Gap {
        instance: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Flexible job shop (Brandimarte text format), minimising makespan
    Fjsp {
        instance: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn read_text(path: &PathBuf) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取 {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} 不是 UTF-8 文本", path.display()))
}

fn check_limit(t: f64) -> anyhow::Result<f64> {
    if t.is_finite() && t > 0.0 && t <= 86_400.0 {
        Ok(t)
    } else {
        anyhow::bail!("--time-limit 应为 0–86400 秒，实际为 {t}")
    }
}

pub fn alloc(cmd: AllocCommand) -> anyhow::Result<ExitCode> {
    let out = match cmd {
        AllocCommand::Gap {
            instance,
            time_limit,
            seed,
        } => {
            let cfg = innomesh_alloc::GapConfig {
                time_limit: check_limit(time_limit)?,
                seed,
                ..Default::default()
            };
            let report = innomesh_alloc::solve_gap_text(&read_text(&instance)?, &cfg)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            serde_json::to_string(&report)?
        }
        AllocCommand::Fjsp {
            instance,
            time_limit,
            seed,
        } => {
            let cfg = innomesh_alloc::FjspConfig {
                time_limit: check_limit(time_limit)?,
                seed,
                ..Default::default()
            };
            let report = innomesh_alloc::solve_fjsp_text(&read_text(&instance)?, &cfg)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            serde_json::to_string(&report)?
        }
    };
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct DedupArgs {
    /// JSON lines `{id, title, text}` (optionally applicant_credit_code, programme, year, team, budget)
    #[arg(long)]
    pub input: PathBuf,
    /// Write pairs here instead of stdout
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}

pub fn dedup(a: DedupArgs) -> anyhow::Result<ExitCode> {
    let mut cfg = innomesh_dedup::DedupConfig {
        threads: a.threads.max(1),
        ..Default::default()
    };
    if let Ok(k) = std::env::var("INNOMESH_DEDUP_KEY") {
        cfg.identity_key = Some(innomesh_dedup::IdentityKey::new(k.into_bytes()));
    }
    let file =
        std::fs::File::open(&a.input).with_context(|| format!("无法打开 {}", a.input.display()))?;
    // Pairs go to a buffer first: a bad input line fails before anything is written.
    let mut buf = Vec::new();
    let summary = innomesh_dedup::run_jsonl(BufReader::new(file), &mut buf, &cfg)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match &a.output {
        Some(p) => std::fs::write(p, &buf).with_context(|| format!("无法写入 {}", p.display()))?,
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    eprintln!("{}", serde_json::to_string(&summary)?);
    Ok(ExitCode::SUCCESS)
}

/// An optional local sentence model, shared by `similarity` and `match`.
#[derive(clap::Args)]
pub struct ModelArgs {
    /// Local BERT-family model directory (config.json, vocab.txt or tokenizer.json,
    /// model.safetensors; see README) to mix in
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Share of the model's cosine, clipped to 0–1 (similarity: of the whole score; match: of
    /// the semantic part)
    #[arg(long, default_value_t = 0.5, requires = "model")]
    pub model_weight: f32,
}

/// Loaded model behind `--model`, embedding with a progress bar on stderr.
struct LoadedModel(innomesh_bert::BertEmbedder);

impl LoadedModel {
    fn load(a: &ModelArgs) -> anyhow::Result<Option<Self>> {
        let Some(dir) = &a.model else {
            return Ok(None);
        };
        let m = innomesh_bert::BertEmbedder::load(dir)
            .map_err(|e| anyhow::anyhow!("无法加载 --model 指定的模型：{e}"))?;
        Ok(Some(Self(m)))
    }

    /// Unit vectors of `texts`, in order; each distinct text is encoded once.
    fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut unique: Vec<&str> = Vec::new();
        let slots: Vec<usize> = texts
            .iter()
            .map(|t| {
                *index.entry(t).or_insert_with(|| {
                    unique.push(t);
                    unique.len() - 1
                })
            })
            .collect();
        let bar = ProgressBar::new(unique.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("模型编码 {bar:40} {pos}/{len} 句 {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut vecs = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(256) {
            vecs.extend(self.0.embed_batch(chunk));
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        slots.into_iter().map(|i| vecs[i].clone()).collect()
    }
}

#[derive(clap::Args)]
pub struct SimilarityArgs {
    /// TSV lines `s1<TAB>s2[<TAB>label]`
    #[arg(long)]
    pub input: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn similarity(a: SimilarityArgs) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(&a.input).with_context(|| format!("无法打开 {}", a.input.display()))?;
    let model = LoadedModel::load(&a.model)?;
    let embed = |t: &[&str]| model.as_ref().map_or_else(Vec::new, |m| m.embed(t));
    let sentence_model = model.as_ref().map(|_| innomesh_matching::SentenceModel {
        embed: &embed,
        weight: a.model.model_weight,
    });
    let mut buf = Vec::new();
    innomesh_matching::run_similarity_with(BufReader::new(file), sentence_model, &mut buf)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct MatchArgs {
    /// JSON lines `{id, text, discipline?}`
    #[arg(long)]
    pub corpus: PathBuf,
    /// JSON lines `{id, text}`
    #[arg(long)]
    pub queries: PathBuf,
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn matching(a: MatchArgs) -> anyhow::Result<ExitCode> {
    let corpus = std::fs::File::open(&a.corpus)
        .with_context(|| format!("无法打开 {}", a.corpus.display()))?;
    let queries = std::fs::File::open(&a.queries)
        .with_context(|| format!("无法打开 {}", a.queries.display()))?;
    let model = LoadedModel::load(&a.model)?;
    let embed = |t: &[&str]| model.as_ref().map_or_else(Vec::new, |m| m.embed(t));
    let sentence_model = model.as_ref().map(|_| innomesh_matching::SentenceModel {
        embed: &embed,
        weight: a.model.model_weight,
    });
    let mut buf = Vec::new();
    innomesh_matching::run_match_with(
        BufReader::new(corpus),
        BufReader::new(queries),
        a.top,
        sentence_model,
        &mut buf,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
