//! `audit verify` and `audit list`: the audit log's hash chain checked end to end, and its
//! latest entries read from the command line.

use crate::DataDir;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Check every entry's hash and its link to the one before (校验审计日志)
    Verify(VerifyArgs),
    /// Print the latest entries, newest first (查看审计日志)
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub dir: DataDir,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub dir: DataDir,
    /// How many entries to print
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only entries written by this user (looked for among the latest 10 000 entries)
    #[arg(long)]
    pub user: Option<String>,
}

pub fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(a) => verify(a),
        AuditCommand::List(a) => list(a),
    }
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let app = crate::serve::open_app(&a.dir)?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} 正在校验审计日志… {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(200));
    let v = app
        .verify_audit(&crate::operator())
        .map_err(|e| anyhow::anyhow!(e.message))?;
    spinner.finish_and_clear();
    match &v.first_break {
        None => {
            println!("审计日志完整：共 {} 条，末条哈希 {}", v.checked, v.head);
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            println!("审计日志被篡改：{b}");
            if v.breaks > 1 {
                println!(
                    "共检查 {} 条，发现 {} 处断裂（以上为第一处）",
                    v.checked, v.breaks
                );
            } else {
                println!("共检查 {} 条", v.checked);
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let app = crate::serve::open_app(&a.dir)?;
    let wanted = if a.user.is_some() { 10_000 } else { a.limit };
    // `App::audit` hides the values of secret settings.
    let entries = app
        .audit(&crate::operator(), None, None, wanted)
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let mut shown = 0;
    for e in entries
        .iter()
        .filter(|e| a.user.as_deref().is_none_or(|u| e.actor == u))
        .take(a.limit)
    {
        let target = match (&e.kind, &e.entity_id) {
            (Some(k), Some(id)) => format!(" {k}/{id}"),
            (None, Some(id)) => format!(" {id}"),
            _ => String::new(),
        };
        let role = if e.role.is_empty() { "—" } else { &e.role };
        let source = if e.source.is_empty() {
            "—"
        } else {
            &e.source
        };
        let detail: String = e.detail.chars().take(120).collect();
        let more = if e.detail.chars().count() > 120 {
            "…"
        } else {
            ""
        };
        println!(
            "#{} {} {}（{role}，来自 {source}） {}{target} {detail}{more}",
            e.seq, e.at, e.actor, e.action
        );
        shown += 1;
    }
    if shown == 0 {
        eprintln!("没有符合条件的审计记录");
    }
    Ok(ExitCode::SUCCESS)
}
