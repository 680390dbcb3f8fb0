//! `innomesh chain`: diagnosis of every chain in the terminal, and the XLSX chain report.

use crate::serve::{open_app, seed_chains};
use crate::DataDir;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ChainCommand {
    /// Print each chain's nodes with their verdicts and the rules that produced them
    Diagnose {
        #[command(flatten)]
        dir: DataDir,
        /// Only this chain (rare_earth, new_energy, high_end_equipment, new_energy_vehicle)
        #[arg(long)]
        chain: Option<String>,
        /// Headline year of supply figures (default: all years pooled)
        #[arg(long)]
        year: Option<u16>,
    },
    /// Write one chain's report (diagnosis, gap ledger, investment targets) as XLSX
    Report {
        #[command(flatten)]
        dir: DataDir,
        chain: String,
        out: PathBuf,
    },
}

pub fn run(cmd: ChainCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ChainCommand::Diagnose { dir, chain, year } => {
            let app = open_app(&dir)?;
            seed_chains(&app)?;
            let data = innomesh_app::chains::reports(&app, year)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let reports = &data.reports;
            for r in reports
                .iter()
                .filter(|r| chain.as_deref().is_none_or(|c| c == r.chain))
            {
                let s = &r.summary;
                println!(
                    "{}（{}）：{} 个节点；长板 {} 短板 {} 空白 {} 散 {} 小 {} 缺 {}；缺口推进中 {} 停滞 {} 已闭合 {}",
                    r.name, r.chain, s.nodes, s.strong, s.weak, s.blank, s.scattered, s.small, s.missing, s.gaps_open, s.gaps_stuck, s.gaps_closed
                );
                for n in &r.nodes {
                    let verdicts: Vec<&str> = n.verdicts.iter().map(|v| v.label.as_str()).collect();
                    println!(
                        "  {:<24} {:>4} 家  {}",
                        n.metrics.name,
                        n.metrics.local_firms,
                        verdicts.join("、")
                    );
                    for v in &n.verdicts {
                        println!("      {}", v.rule);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ChainCommand::Report { dir, chain, out } => {
            let app = open_app(&dir)?;
            seed_chains(&app)?;
            let bytes = innomesh_app::chains::report_xlsx(&app, &chain)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已写入 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
