//! `innomesh bench import`: times an XLSX import of N generated enterprises into a fresh database
//! (read + validate + write, as a user's import runs), and checks that a bad row writes nothing.

use anyhow::Context;
use innomesh_app::transfer::NoProgress;
use innomesh_app::Actor;
use innomesh_app::{App, Code, Config};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::tabular::Cell;
use innomesh_core::{EntityKind, Record};
use innomesh_sheets::pipeline::export_bytes;
use innomesh_sheets::Format;
use innomesh_store::SqliteStore;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Import N enterprises from an XLSX file into a fresh database, timed
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Also write the generated file here (to import it by hand)
        #[arg(long)]
        keep_file: Option<std::path::PathBuf>,
    },
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    let BenchCommand::Import { rows, keep_file } = cmd;
    let scale = rows.div_ceil(5000).max(1) as u32;
    let t = Instant::now();
    let data = generate(SampleConfig { scale, seed: 7 });
    let orgs: Vec<Record> = data
        .organisations
        .into_iter()
        .take(rows)
        .map(Record::Organisation)
        .collect();
    let xlsx = export_bytes(&orgs, EntityKind::Organisation, Format::Xlsx, true, None)?;
    eprintln!(
        "生成 {} 行 XLSX（{:.1} MB），用时 {:.1} s",
        orgs.len(),
        xlsx.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    if let Some(p) = &keep_file {
        std::fs::write(p, &xlsx).with_context(|| format!("无法写入 {}", p.display()))?;
    }
    let dir = std::env::temp_dir().join(format!("innomesh-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = App::new(
        Arc::new(SqliteStore::open(&dir.join("bench.db"))?),
        Config::default(),
    );
    let t = Instant::now();
    let outcome = store
        .import_file(
            EntityKind::Organisation,
            &xlsx,
            Format::Xlsx,
            &Actor::system("bench"),
            "bench.xlsx",
            &NoProgress,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "import_xlsx_rows\t{}\tseconds\t{secs:.2}\trows_per_s\t{:.0}",
        outcome.rows,
        outcome.rows as f64 / secs
    );

    // The same file with one bad credit code in the middle: refused, nothing written.
    let fresh = App::new(
        Arc::new(SqliteStore::open(&dir.join("bench-bad.db"))?),
        Config::default(),
    );
    let mut cells: Vec<Vec<Cell>> = orgs
        .iter()
        .map(|r| innomesh_core::tabular::record_to_cells(r, true))
        .collect();
    let middle = cells.len() / 2;
    cells[middle][0] = Cell::Text("91150203MA0000000X".into());
    let heads = innomesh_core::tabular::headers(EntityKind::Organisation, false);
    let bad = innomesh_sheets::write_xlsx(&[innomesh_sheets::Sheet {
        name: "组织",
        headers: &heads,
        rows: &cells,
    }])?;
    let t = Instant::now();
    match fresh.import_file(
        EntityKind::Organisation,
        &bad,
        Format::Xlsx,
        &Actor::system("bench"),
        "bad.xlsx",
        &NoProgress,
    ) {
        Err(e) if e.code == Code::ImportRejected => {
            let errs = e.errors;
            let count = fresh
                .count(EntityKind::Organisation)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "import_xlsx_bad_row\t{}\tseconds\t{:.2}\twritten\t{count}\tfirst_error\t{}",
                cells.len(),
                t.elapsed().as_secs_f64(),
                errs[0]
            );
        }
        other => anyhow::bail!("带错误行的文件应被拒绝，实际：{:?}", other.map(|o| o.rows)),
    }
    drop(store);
    drop(fresh);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}
