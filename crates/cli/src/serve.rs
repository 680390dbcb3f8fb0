//! `serve` and `demo`.

use crate::{operator, DataDir};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use innomesh_app::auth::demo::seed_demo_accounts;
use innomesh_app::{App, Config};
use innomesh_core::sample::{generate, SampleConfig, SAMPLE_LABEL};
use innomesh_store::{PgStore, Repository, SqliteStore};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub dir: DataDir,
    /// Port to listen on
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind (use 0.0.0.0 to serve the intranet)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Mark session cookies Secure: set when users reach the server over HTTPS (directly or
    /// through a TLS reverse proxy); also INNOMESH_SECURE_COOKIES=1
    #[arg(long)]
    pub secure_cookies: bool,
    /// The address users open (e.g. https://kjj.baotou.gov.cn): writes from any other origin
    /// are refused; without it the request's Host is the reference
    #[arg(long)]
    pub public_url: Option<String>,
}

#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Multiply every sample count (benchmarks use 100)
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Seed of the sample generator
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Only build the database, do not serve
    #[arg(long)]
    pub no_serve: bool,
}

/// The SQLite database in --data-dir (commands that only SQLite supports refuse `--database`).
pub fn open_store(dir: &DataDir) -> anyhow::Result<SqliteStore> {
    if dir.database_url().is_some() {
        anyhow::bail!("此命令目前只支持 --data-dir 中的 SQLite 数据库，不支持 PostgreSQL（--database / INNOMESH_DATABASE_URL）");
    }
    std::fs::create_dir_all(&dir.data_dir)
        .with_context(|| format!("无法创建数据目录 {}", dir.data_dir.display()))?;
    let path = dir.db_path();
    SqliteStore::open(&path).with_context(|| format!("无法打开数据库 {}", path.display()))
}

/// The registry: PostgreSQL when `--database` or `INNOMESH_DATABASE_URL` names one, else the
/// SQLite database in --data-dir. Either applies pending migrations and refuses a database
/// written by a newer version.
pub fn open_repository(dir: &DataDir) -> anyhow::Result<Arc<dyn Repository>> {
    match dir.database_url() {
        Some(url) => {
            std::fs::create_dir_all(&dir.data_dir)
                .with_context(|| format!("无法创建数据目录 {}", dir.data_dir.display()))?;
            let store = PgStore::open(&url, &dir.data_dir)
                .with_context(|| format!("无法打开 PostgreSQL 数据库 {}", redact(&url)))?;
            Ok(Arc::new(store))
        }
        None => Ok(Arc::new(open_store(dir)?)),
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[derive(clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub dir: DataDir,
}

/// `innomesh migrate`: applies pending migrations (PostgreSQL or SQLite) and says what it did.
pub fn migrate(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    match args.dir.database_url() {
        Some(url) => {
            let applied = innomesh_store::migrate_postgres(&url)
                .with_context(|| format!("无法迁移 PostgreSQL 数据库 {}", redact(&url)))?;
            if applied.is_empty() {
                println!(
                    "数据库已是最新结构（迁移 {}）",
                    innomesh_store::POSTGRES_SCHEMA_VERSION
                );
            } else {
                println!(
                    "已应用迁移 {:?}，数据库结构版本为 {}",
                    applied,
                    innomesh_store::POSTGRES_SCHEMA_VERSION
                );
            }
        }
        None => {
            open_store(&args.dir)?;
            println!("已检查并应用迁移：{}", args.dir.db_path().display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The application over the configured database (search index in --data-dir).
pub fn open_app(dir: &DataDir) -> anyhow::Result<Arc<App>> {
    let store = open_repository(dir)?;
    Ok(App::new(
        store,
        Config {
            data_dir: Some(dir.data_dir.clone()),
            ..Config::default()
        },
    ))
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let app = open_app(&args.dir)?;
    seed_chains(&app)?;
    run_server(app, &args)
}

fn run_server(app: Arc<App>, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr: SocketAddr = format!("{}:{}", args.bind, args.port)
        .parse()
        .with_context(|| format!("地址无效：{}:{}", args.bind, args.port))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The on-disk search index at DATA_DIR/search-index/, caught up with the store here.
    crate::search::open_for_serving(&app)?;
    let secure = args.secure_cookies
        || std::env::var("INNOMESH_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true");
    innomesh_server::auth::set_secure_cookies(secure);
    if let Some(url) = &args.public_url {
        innomesh_server::security::set_public_origin(url).map_err(anyhow::Error::msg)?;
    }
    let state = innomesh_server::AppState::new(app.clone());
    let served = rt.block_on(innomesh_server::serve(state, addr));
    // Commit pending index work so the next start replays less.
    let _ = innomesh_app::search::flush(&app);
    served.with_context(|| {
        format!("无法在 {addr} 上启动服务（端口可能已被占用，可用 --port 换一个）")
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let path = args.serve.dir.db_path();
    if let Some(url) = args.serve.dir.database_url() {
        // A PostgreSQL database is never emptied by demo: it must hold no records yet.
        let existing = PgStore::open(&url, &args.serve.dir.data_dir)
            .with_context(|| format!("无法打开 PostgreSQL 数据库 {}", redact(&url)))?;
        let empty = innomesh_core::EntityKind::ALL
            .iter()
            .all(|k| existing.count(*k).map(|n| n == 0).unwrap_or(false));
        drop(existing);
        if !empty {
            anyhow::bail!(
                "PostgreSQL 数据库 {} 中已有数据，demo 只向空数据库写入示例数据。请指定一个空数据库。",
                redact(&url)
            );
        }
    } else if path.exists() {
        // Never wipe real data: only a database that holds sample data may be rebuilt.
        let existing = SqliteStore::open(&path)?;
        let is_sample = existing.meta("sample_data")?.is_some();
        let empty = innomesh_core::EntityKind::ALL
            .iter()
            .all(|k| existing.count(*k).map(|n| n == 0).unwrap_or(false));
        drop(existing);
        if !is_sample && !empty {
            anyhow::bail!(
                "{} 中已有非示例数据，demo 不会覆盖它。请用 --data-dir 指定另一个目录。",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = path.with_file_name(format!("innomesh.db{suffix}"));
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("无法删除旧的示例数据库 {}", p.display()))?;
            }
        }
    }
    let app = open_app(&args.serve.dir)?;
    eprintln!("正在生成{SAMPLE_LABEL}（规模 ×{}）…", args.scale);
    let mut data = generate(SampleConfig {
        scale: args.scale,
        seed: args.seed,
    });
    let sample_facts = std::mem::take(&mut data.policy_facts);
    let total = data.records.len();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("写入 {bar:40} {pos}/{len} 条 {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let who = operator();
    let outcome = app
        .import_records(&who, data.records, SAMPLE_LABEL, &|n| {
            bar.set_position(n as u64)
        })
        .map_err(|e| anyhow::anyhow!(e.message))?
        .map_err(|errs| anyhow::anyhow!("示例数据未通过校验（程序错误）：{:?}", errs.first()))?;
    bar.finish_and_clear();
    app.set_setting(
        &who,
        "sample_data",
        &format!("{SAMPLE_LABEL} scale={} seed={}", args.scale, args.seed),
    )
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let place = match args.serve.dir.database_url() {
        Some(url) => redact(&url),
        None => path.display().to_string(),
    };
    eprintln!("已写入{SAMPLE_LABEL} {} 条：{place}", outcome.created);
    let n = app
        .seed_sample_facts(&who, &sample_facts)
        .map_err(|e| anyhow::anyhow!("无法写入示例政策事实：{}", e.message))?;
    eprintln!("已写入{SAMPLE_LABEL}政策事实 {n} 项（政策找企业）");
    seed_chains(&app)?;
    let (bookings, claims) = innomesh_app::sharing::seed_sample(&app, &who)
        .map_err(|e| anyhow::anyhow!("无法生成示例预约：{}", e.message))?;
    if bookings > 0 {
        eprintln!("已生成{SAMPLE_LABEL}：共享服务预约 {bookings} 次，创新券申领 {claims} 笔");
    }
    let rounds = innomesh_app::assessment::seed_sample_rounds(&app, &who)
        .map_err(|e| anyhow::anyhow!("无法生成示例评估轮次：{}", e.message))?;
    if !rounds.is_empty() {
        eprintln!("已生成示例评估轮次：{}", rounds.join("、"));
    }
    let accounts = seed_demo_accounts(&app, &who)
        .map_err(|e| anyhow::anyhow!("无法创建示例账号：{}", e.message))?;
    crate::accounts::print_demo_accounts(&accounts);
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    run_server(app, &args.serve)
}

/// The four shipped chain models become editable chain-node records on first start.
pub fn seed_chains(app: &App) -> anyhow::Result<()> {
    let n = innomesh_app::chains::seed_models(app, &operator())
        .map_err(|e| anyhow::anyhow!("无法载入内置产业链模型：{}", e.message))?;
    if n > 0 {
        eprintln!("已载入内置产业链模型：{n} 个节点");
    }
    Ok(())
}
