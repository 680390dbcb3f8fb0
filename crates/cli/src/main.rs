//! The `innomesh` binary. Each command family lives in its own module; this file only dispatches.

mod accounts;
mod assess;
mod audit;
mod bench;
mod chain;
mod check;
mod deals;
mod engines;
mod key;
mod policy;
mod registry;
mod search;
mod serve;

use clap::{Parser, Subcommand};
use innomesh_app::Principal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "innomesh",
    version,
    about = "Innomesh 创新资源一张网：登记库、匹配与分析引擎"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database lives.
#[derive(clap::Args, Clone)]
pub struct DataDir {
    /// Directory holding innomesh.db (created if missing)
    #[arg(long, default_value = ".")]
    pub data_dir: PathBuf,
    /// PostgreSQL database instead of innomesh.db in --data-dir
    /// (postgres://USER:PASSWORD@HOST/DB; also INNOMESH_DATABASE_URL). The search index, caches
    /// and the personal-data key file stay in --data-dir.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

impl DataDir {
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("innomesh.db")
    }

    /// The PostgreSQL database to use: `--database`, else `INNOMESH_DATABASE_URL`; none for
    /// SQLite in --data-dir.
    pub fn database_url(&self) -> Option<String> {
        self.database
            .clone()
            .or_else(|| std::env::var("INNOMESH_DATABASE_URL").ok())
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
    }
}

/// Who the command line acts as: the local operator, with every permission (whoever runs it on
/// the server owns the data files anyway). Audit entries name the OS user.
pub fn operator() -> Principal {
    let name = std::env::var("USER")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "operator".to_string());
    Principal::local(&name)
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and API (启动服务)
    Serve(serve::ServeArgs),
    /// Fresh database with sample data (示例数据), then serve
    Demo(serve::DemoArgs),
    /// Import a CSV or XLSX file of one kind, all-or-nothing (导入)
    Import(registry::ImportArgs),
    /// Export every record of one kind to CSV or XLSX (导出)
    Export(registry::ExportArgs),
    /// Write an empty import template (导入模板)
    Template(registry::TemplateArgs),
    /// Validate codes (校验)
    #[command(subcommand)]
    Check(check::CheckCommand),
    /// Industrial chains: diagnosis and reports (产业链)
    #[command(subcommand)]
    Chain(chain::ChainCommand),
    /// 技术交易: figures, broker performance, common problems, consortium proposals (创新联合体)
    #[command(subcommand)]
    Deals(deals::DealsCommand),
    /// Capacity optimiser: assignment and scheduling (聚合加工), benchmark contract
    #[command(subcommand)]
    Alloc(engines::AllocCommand),
    /// Duplicate applications in a JSON-lines file (重复申报)
    Dedup(engines::DedupArgs),
    /// Sentence similarity, one score per input line
    Similarity(engines::SimilarityArgs),
    /// Ranked documents for each query (出题解题)
    Match(engines::MatchArgs),
    /// Assessment engine: AHP, entropy weights, scorecards with rank bands (考核评估)
    #[command(subcommand)]
    Assess(assess::AssessCommand),
    /// Benchmarks of the registry (import speed)
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Rebuild the full-text search index from the store (重建搜索索引)
    Reindex(search::ReindexArgs),
    /// Policy eligibility rules: verdicts with reasons (政策找企业)
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// The audit log: verify its hash chain, list entries (审计日志)
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Apply pending database migrations and report the schema version (数据库迁移)
    Migrate(serve::MigrateArgs),
    /// The key that encrypts personal data: rotate it (个人信息密钥)
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// 账号：新增、列表、停用与启用、重置密码、个人信息查看授权 (users)
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// 接口令牌：签发、列表、吊销 (API tokens)
    #[command(subcommand)]
    Token(accounts::TokenCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(a) => serve::serve(a),
        Command::Demo(a) => serve::demo(a),
        Command::Import(a) => registry::import(a),
        Command::Export(a) => registry::export(a),
        Command::Template(a) => registry::template(a),
        Command::Check(c) => check::run(c),
        Command::Assess(c) => assess::run(c),
        Command::Bench(c) => bench::run(c),
        Command::Chain(c) => chain::run(c),
        Command::Deals(c) => deals::run(c),
        Command::Alloc(c) => engines::alloc(c),
        Command::Dedup(a) => engines::dedup(a),
        Command::Similarity(a) => engines::similarity(a),
        Command::Match(a) => engines::matching(a),
        Command::Reindex(a) => search::reindex(a),
        Command::Policy(c) => policy::run(c),
        Command::Audit(c) => audit::run(c),
        Command::Key(c) => key::run(c),
        Command::Migrate(a) => serve::migrate(a),
        Command::User(c) => accounts::user(c),
        Command::Token(c) => accounts::token(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
