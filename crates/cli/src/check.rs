//! `innomesh check credit-code`: validates codes from arguments or stdin, one verdict per line.

use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CheckCommand {
    /// Check 统一社会信用代码 (GB 32100-2015); prints CODE<TAB>valid or CODE<TAB>invalid<TAB>reason
    CreditCode {
        /// Codes to check; read from stdin (one per line) when none are given
        codes: Vec<String>,
    },
}

fn verdict(code: &str) -> (bool, String) {
    match innomesh_core::CreditCode::parse(code) {
        Ok(_) => (true, format!("{code}\tvalid")),
        Err(e) => (false, format!("{code}\tinvalid\t{}: {e}", e.kind())),
    }
}

pub fn run(cmd: CheckCommand) -> anyhow::Result<ExitCode> {
    let CheckCommand::CreditCode { codes } = cmd;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_valid = true;
    let mut check = |code: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        let code = code.trim();
        if code.is_empty() {
            return Ok(());
        }
        let (ok, line) = verdict(code);
        all_valid &= ok;
        writeln!(out, "{line}")?;
        Ok(())
    };
    if codes.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            // Accept TSV input (code first) as in the evaluation files.
            let code = line.split('\t').next().unwrap_or("");
            check(code, &mut out)?;
        }
    } else {
        for c in &codes {
            check(c, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
