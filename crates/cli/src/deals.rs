//! `innomesh deals`: technology-transfer figures, broker performance, common problems and
//! consortium proposals (创新联合体组建建议) over `App`, as JSON on stdout; a proposal saved from
//! a JSON file, and a saved proposal's XLSX annex. Imports of 技术合同登记 exports go through
//! `innomesh import tech-deals FILE` like every kind.

use crate::serve::{open_app, seed_chains};
use crate::{operator, DataDir};
use anyhow::Context;
use innomesh_app::consortium::{Basis, SaveInput};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum DealsCommand {
    /// Contract figures (signed deals by type, district, seller kind; local conversion)
    Figures {
        #[command(flatten)]
        dir: DataDir,
        /// Only contracts signed in this year
        #[arg(long)]
        year: Option<i32>,
    },
    /// Intermediaries' and technology managers' performance with the deals behind it
    Performance {
        #[command(flatten)]
        dir: DataDir,
    },
    /// 共性技术问题: open demands clustered into common problems
    Problems {
        #[command(flatten)]
        dir: DataDir,
        /// Number of clusters (default √(n/2))
        #[arg(long)]
        k: Option<usize>,
    },
    /// Propose a consortium for a chain node, a common problem (its number) or a demand
    Propose {
        #[command(flatten)]
        dir: DataDir,
        /// Chain node id, e.g. rare_earth.magnet
        #[arg(long, conflicts_with_all = ["problem", "demand"])]
        node: Option<String>,
        /// Common problem number (1 = the most asked)
        #[arg(long, conflicts_with = "demand")]
        problem: Option<usize>,
        /// Demand id, e.g. DM000001
        #[arg(long)]
        demand: Option<String>,
    },
    /// Save a (adjusted) proposal from a JSON file {title, basis: {kind, id}, members: [{role, id, reason}], note}
    Save {
        #[command(flatten)]
        dir: DataDir,
        file: PathBuf,
    },
    /// Saved proposals
    Proposals {
        #[command(flatten)]
        dir: DataDir,
    },
    /// Write a saved proposal's XLSX annex
    Annex {
        #[command(flatten)]
        dir: DataDir,
        id: String,
        out: PathBuf,
    },
}

fn print(v: impl serde::Serialize) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(ExitCode::SUCCESS)
}

fn app_err(e: innomesh_app::Error) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

pub fn run(cmd: DealsCommand) -> anyhow::Result<ExitCode> {
    let who = operator();
    match cmd {
        DealsCommand::Figures { dir, year } => {
            let app = open_app(&dir)?;
            print(app.deal_figures(&who, year).map_err(app_err)?)
        }
        DealsCommand::Performance { dir } => {
            let app = open_app(&dir)?;
            let (intermediaries, managers) = app.broker_performance(&who).map_err(app_err)?;
            print(serde_json::json!({"intermediaries": intermediaries, "managers": managers}))
        }
        DealsCommand::Problems { dir, k } => {
            let app = open_app(&dir)?;
            seed_chains(&app)?;
            print(app.common_problems(&who, k).map_err(app_err)?)
        }
        DealsCommand::Propose {
            dir,
            node,
            problem,
            demand,
        } => {
            let basis = match (node, problem, demand) {
                (Some(n), None, None) => Basis::Node(n),
                (None, Some(p), None) => {
                    Basis::parse("problem", &p.to_string()).map_err(app_err)?
                }
                (None, None, Some(d)) => Basis::Demand(d),
                _ => {
                    eprintln!("请给出 --node、--problem 或 --demand 三者之一");
                    return Ok(ExitCode::from(2));
                }
            };
            let app = open_app(&dir)?;
            seed_chains(&app)?;
            print(app.propose_consortium(&who, &basis).map_err(app_err)?)
        }
        DealsCommand::Save { dir, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("无法读取 {}", file.display()))?;
            let input: SaveInput = match serde_json::from_str(&text) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("{} 不是组建建议的 JSON：{e}", file.display());
                    return Ok(ExitCode::from(2));
                }
            };
            let app = open_app(&dir)?;
            seed_chains(&app)?;
            match app.save_consortium(&who, input) {
                Ok(p) => print(p),
                Err(e) => {
                    eprintln!("未保存：{}", e.message);
                    Ok(ExitCode::from(2))
                }
            }
        }
        DealsCommand::Proposals { dir } => {
            let app = open_app(&dir)?;
            print(app.consortia(&who).map_err(app_err)?)
        }
        DealsCommand::Annex { dir, id, out } => {
            let app = open_app(&dir)?;
            let bytes = app.consortium_xlsx(&who, &id).map_err(app_err)?;
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已写入 {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
