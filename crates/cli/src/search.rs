//! `reindex`: rebuilds the full-text index at `DATA_DIR/search-index/` from the store, and the
//! index that `serve`/`demo` open (rebuilt at start when it does not match the store).

use crate::DataDir;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use innomesh_core::{EntityKind, Record};
use innomesh_search::SearchIndex;
use innomesh_store::Repository;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub dir: DataDir,
}

pub fn index_dir(dir: &DataDir) -> PathBuf {
    dir.data_dir.join("search-index")
}

fn open(dir: &DataDir) -> anyhow::Result<SearchIndex> {
    let path = index_dir(dir);
    SearchIndex::open_or_create(&path).with_context(|| {
        format!(
            "无法打开搜索索引 {}（另一个 innomesh 进程可能正在使用它）",
            path.display()
        )
    })
}

/// Rebuilds `index` from every record in the store, with a progress bar.
fn rebuild(repo: &dyn Repository, index: &SearchIndex) -> anyhow::Result<usize> {
    let mut records: Vec<Record> = Vec::new();
    for kind in EntityKind::ALL {
        records.extend(repo.all(kind)?);
    }
    let bar = ProgressBar::new(records.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("建立搜索索引 {bar:40} {pos}/{len} 条 {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let n = index.rebuild(records.iter().inspect(|_| bar.inc(1)))?;
    bar.finish_and_clear();
    Ok(n)
}

pub fn reindex(args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let store = crate::serve::open_store(&args.dir)?;
    let index = open(&args.dir)?;
    let n = rebuild(&store, &index)?;
    eprintln!(
        "已重建搜索索引：{n} 条记录，{}",
        index_dir(&args.dir).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The index for `serve`/`demo`: opened from disk, rebuilt when its record count differs from the
/// store's (a fresh demo database, or writes made while it was not running).
pub fn open_for_serving(repo: &dyn Repository, dir: &DataDir) -> anyhow::Result<SearchIndex> {
    let index = open(dir)?;
    let mut in_store = 0u64;
    for kind in EntityKind::ALL {
        in_store += repo.count(kind)? as u64;
    }
    if index.len() != in_store {
        rebuild(repo, &index)?;
    }
    Ok(index)
}
