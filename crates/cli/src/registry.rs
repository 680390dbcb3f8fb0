//! `import`, `export`, `template`: files of one entity kind, with a progress bar on long imports.

use crate::serve::open_app;
use crate::DataDir;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use innomesh_app::transfer::Progress;
use innomesh_app::{Actor, Code};
use innomesh_core::EntityKind;
use innomesh_sheets::pipeline::{export_bytes, template_bytes};
use innomesh_sheets::Format;
use std::path::PathBuf;
use std::process::ExitCode;

fn parse_kind(s: &str) -> Result<EntityKind, String> {
    EntityKind::from_plural(s).ok_or_else(|| {
        let all: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
        format!("没有「{s}」这种记录类型，可用：{}", all.join("、"))
    })
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::guess(s).ok_or_else(|| format!("格式「{s}」不支持，可选 csv、xlsx"))
}

fn format_for(path: &std::path::Path, explicit: Option<Format>) -> anyhow::Result<Format> {
    explicit
        .or_else(|| Format::guess(&path.to_string_lossy()))
        .with_context(|| {
            format!(
                "无法从文件名 {} 判断格式，请加 --format csv 或 --format xlsx",
                path.display()
            )
        })
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Kind: organisations, platforms, people, achievements, equipment, demands, applications, policies, chain-nodes, supply-relations
    #[arg(value_parser = parse_kind)]
    pub kind: EntityKind,
    pub file: PathBuf,
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Who is importing (recorded in the audit log)
    #[arg(long, default_value = "cli")]
    pub actor: String,
    #[command(flatten)]
    pub dir: DataDir,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(value_parser = parse_kind)]
    pub kind: EntityKind,
    pub file: PathBuf,
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Include personal data unmasked (ID numbers, phones)
    #[arg(long)]
    pub personal_full: bool,
    #[command(flatten)]
    pub dir: DataDir,
}

#[derive(clap::Args)]
pub struct TemplateArgs {
    #[arg(value_parser = parse_kind)]
    pub kind: EntityKind,
    pub file: PathBuf,
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn parsed(&self, rows: usize) {
        self.0.set_message(format!("已校验 {rows} 行"));
    }
    fn writing(&self, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(0);
        self.0.set_message("写入中");
    }
    fn written(&self, done: usize) {
        self.0.set_position(done as u64);
    }
}

pub fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let format = format_for(&a.file, a.format)?;
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("无法读取文件 {}", a.file.display()))?;
    let app = open_app(&a.dir)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("读取文件");
    let source = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let result = app.import_file(
        a.kind,
        &bytes,
        format,
        &Actor::system(a.actor.as_str()),
        &source,
        &Bar(bar.clone()),
    );
    bar.finish_and_clear();
    match result {
        Ok(o) => {
            println!(
                "导入完成：{} {} 行，新增 {}，更新 {}",
                a.kind.label(),
                o.rows,
                o.created,
                o.updated
            );
            if !o.ignored_columns.is_empty() {
                println!("以下列未使用：{}", o.ignored_columns.join("、"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.code == Code::ImportRejected => {
            let rows = e.errors;
            eprintln!("导入失败，未写入任何数据。共 {} 处错误：", rows.len());
            for r in rows.iter().take(200) {
                eprintln!("  {r}");
            }
            if rows.len() > 200 {
                eprintln!("  …另有 {} 处", rows.len() - 200);
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            eprintln!("导入失败，未写入任何数据：{}", e.message);
            Ok(ExitCode::from(1))
        }
    }
}

pub fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = format_for(&a.file, a.format)?;
    let app = open_app(&a.dir)?;
    let records = app.all(a.kind).map_err(|e| anyhow::anyhow!(e.message))?;
    let label = app.sample_label();
    let bytes = export_bytes(&records, a.kind, format, a.personal_full, label.as_deref())?;
    std::fs::write(&a.file, bytes).with_context(|| format!("无法写入 {}", a.file.display()))?;
    println!(
        "已导出 {} {} 条到 {}",
        a.kind.label(),
        records.len(),
        a.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn template(a: TemplateArgs) -> anyhow::Result<ExitCode> {
    let format = format_for(&a.file, a.format)?;
    let bytes = template_bytes(a.kind, format)?;
    std::fs::write(&a.file, bytes).with_context(|| format!("无法写入 {}", a.file.display()))?;
    println!("已写入{}导入模板 {}", a.kind.label(), a.file.display());
    Ok(ExitCode::SUCCESS)
}
