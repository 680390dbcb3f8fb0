//! `reindex`: rebuilds the full-text index at `DATA_DIR/search-index/` from the store, and opens
//! the index that `serve`/`demo` use (caught up with the store at start: replayed from the
//! registry version it last committed, or rebuilt when it records none).

use crate::DataDir;
use indicatif::{ProgressBar, ProgressStyle};
use innomesh_app::App;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub dir: DataDir,
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("建立搜索索引 {bar:40} {pos}/{len} 条 {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

pub fn reindex(args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let app = crate::serve::open_app(&args.dir)?;
    let bar = bar();
    let progress = |done: usize, total: usize| {
        if total > 0 {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    // Opening may already rebuild; reindex always does.
    innomesh_app::search::open(&app, &progress).map_err(|e| anyhow::anyhow!(e.message))?;
    let n =
        innomesh_app::search::reindex(&app, &progress).map_err(|e| anyhow::anyhow!(e.message))?;
    bar.finish_and_clear();
    eprintln!(
        "已重建搜索索引：{n} 条记录，{}",
        args.dir.data_dir.join("search-index").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The index for `serve`/`demo`, with a progress bar when it has to be rebuilt.
pub fn open_for_serving(app: &App) -> anyhow::Result<()> {
    let bar = bar();
    let progress = |done: usize, total: usize| {
        if total > 0 {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    innomesh_app::search::open(app, &progress).map_err(|e| anyhow::anyhow!(e.message))?;
    bar.finish_and_clear();
    Ok(())
}
