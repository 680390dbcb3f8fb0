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

/// The file beside the index naming the dictionaries it was segmented with.
fn fingerprint_file(dir: &DataDir) -> std::path::PathBuf {
    index_dir(dir).join("dictionaries.fingerprint")
}

fn open(
    dir: &DataDir,
    dicts: &innomesh_server::dictionaries::Active,
) -> anyhow::Result<SearchIndex> {
    let path = index_dir(dir);
    SearchIndex::open_or_create_with(&path, dicts.user.clone(), dicts.aliases.clone()).with_context(
        || {
            format!(
                "无法打开搜索索引 {}（另一个 innomesh 进程可能正在使用它）",
                path.display()
            )
        },
    )
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

fn dictionaries(repo: &dyn Repository) -> anyhow::Result<innomesh_server::dictionaries::Active> {
    innomesh_server::dictionaries::load(repo).map_err(|e| anyhow::anyhow!("{}", e.message))
}

pub fn reindex(args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let store = crate::serve::open_store(&args.dir)?;
    let dicts = dictionaries(&store)?;
    let index = open(&args.dir, &dicts)?;
    let n = rebuild(&store, &index)?;
    std::fs::write(fingerprint_file(&args.dir), dicts.fingerprint.to_string())?;
    eprintln!(
        "已重建搜索索引：{n} 条记录，{}",
        index_dir(&args.dir).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The index for `serve`/`demo`: opened from disk, rebuilt when its record count differs from the
/// store's (a fresh demo database, or writes made while it was not running).
pub fn open_for_serving(repo: &dyn Repository, dir: &DataDir) -> anyhow::Result<SearchIndex> {
    let dicts = dictionaries(repo)?;
    let index = open(dir, &dicts)?;
    let mut in_store = 0u64;
    for kind in EntityKind::ALL {
        in_store += repo.count(kind)? as u64;
    }
    // Also rebuilt when the dictionaries changed since it was built (edited while not serving).
    let built_with = std::fs::read_to_string(fingerprint_file(dir)).unwrap_or_default();
    if index.len() != in_store || built_with.trim() != dicts.fingerprint.to_string() {
        rebuild(repo, &index)?;
        std::fs::write(fingerprint_file(dir), dicts.fingerprint.to_string())?;
    }
    Ok(index)
}
