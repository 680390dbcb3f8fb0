//! `innomesh policy`: eligibility of enterprises for a 惠企政策 rule, one JSON line per input line.
//!
//! `policy check --policy FILE_OR_ID --facts FACTS.jsonl [--date YYYY-MM-DD] [--explain]`
//! reads lines `{"id": …, "facts": {KEY: VALUE, …}}` (an absent or null key is a missing fact;
//! keys the rule does not declare are ignored) and writes, in input order,
//! `{"id", "verdict": "eligible"|"ineligible"|"unknown", "failed": [condition keys], "missing": [fact keys]}`
//! (with `--explain` also `category`, every condition's Chinese reason and hint — 「再投入约 56 万元可达标」 —
//! and `to_supply`, the missing facts by name: 「再补充：研发费用占比」).
//!
//! A malformed line does not stop the run: its output line is `{"id": …, "error": "第 N 行：…"}`
//! (`id` is the line's id when it could be read, else null), the same message goes to stderr, and
//! the exit code is 1 at the end. Blank lines are skipped (they are not records) but still counted
//! in line numbers. A bad rule file, an unknown policy id or an unreadable facts file is exit code 2
//! with nothing on stdout. Without `--date` the date is today in Beijing time (UTC+8).

use anyhow::Context;
use innomesh_policy::{evaluate, parse_facts, Date, Rule, Verdict};
use serde::Serialize;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum PolicyCommand {
    /// Verdict per enterprise for one policy rule (政策找企业)
    Check(CheckArgs),
    /// The policy rules shipped in this binary
    List,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// A rule file (YAML) or the id of a shipped rule, e.g. hitech_certification
    #[arg(long)]
    pub policy: String,
    /// JSON lines `{"id": …, "facts": {…}}`; `-` reads stdin
    #[arg(long)]
    pub facts: String,
    /// Evaluation date (the rule version in force on it applies); default today (UTC+8)
    #[arg(long)]
    pub date: Option<String>,
    /// Also print the category and every condition's reason
    #[arg(long)]
    pub explain: bool,
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check(a) => check(a),
        PolicyCommand::List => {
            for (id, text) in innomesh_policy::SHIPPED {
                let r = Rule::from_yaml(text)?;
                println!(
                    "{id}\t{}\t{}{}{}",
                    r.name, r.source.number, r.source.document, r.source.article
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_rule(spec: &str) -> anyhow::Result<Rule> {
    if let Some(r) = innomesh_policy::shipped(spec) {
        return Ok(r?);
    }
    let path = std::path::Path::new(spec);
    if !path.is_file() {
        let ids: Vec<&str> = innomesh_policy::SHIPPED.iter().map(|(i, _)| *i).collect();
        anyhow::bail!(
            "--policy「{spec}」既不是内置政策规则（可用：{}），也不是存在的 YAML 文件",
            ids.join("、")
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取规则文件 {}（须为 UTF-8 文本）", path.display()))?;
    Rule::from_yaml(&text).with_context(|| format!("规则文件 {}", path.display()))
}

/// Today in Beijing time: the CLI is where the clock is read, never the engine.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days(((secs + 8 * 3600) / 86_400) as i32)
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a serde_json::Value,
    verdict: &'static str,
    failed: &'a [String],
    missing: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<innomesh_policy::Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditions: Option<&'a [innomesh_policy::ConditionReport]>,
    /// With `--explain`: 「再补充：…」 naming the missing facts in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    to_supply: Option<String>,
}

fn check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let rule = load_rule(&a.policy)?;
    let date = match &a.date {
        Some(s) => Date::parse(s)
            .ok_or_else(|| anyhow::anyhow!("--date「{s}」应为 YYYY-MM-DD，例如 2024-06-30"))?,
        None => today(),
    };
    rule.version_at(date)?;
    let input: Box<dyn Read> = if a.facts == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&a.facts).with_context(|| format!("无法打开 {}", a.facts))?)
    };
    let mut reader = BufReader::new(input);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut bad = 0usize;
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("读取 {} 第 {} 行失败", a.facts, n + 1))?
            == 0
        {
            break;
        }
        n += 1;
        // Each line is rendered whole before it is written: nothing half-printed.
        let rendered = match std::str::from_utf8(&buf) {
            Err(_) => Err((serde_json::Value::Null, "不是 UTF-8 文本".to_string())),
            Ok(s) if s.trim().is_empty() => continue,
            Ok(s) => check_line(&rule, date, s.trim(), a.explain),
        };
        let text = match rendered {
            Ok(text) => text,
            Err((id, msg)) => {
                let msg = format!("第 {n} 行：{msg}");
                eprintln!("错误：{msg}");
                bad += 1;
                serde_json::json!({ "id": id, "error": msg }).to_string()
            }
        };
        writeln!(out, "{text}")?;
    }
    out.flush()?;
    if bad > 0 {
        eprintln!(
            "共 {bad} 行有误，其余 {} 行已给出结论",
            n.saturating_sub(bad)
        );
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn check_line(
    rule: &Rule,
    date: Date,
    line: &str,
    explain: bool,
) -> Result<String, (serde_json::Value, String)> {
    use serde_json::Value as J;
    let v: J =
        serde_json::from_str(line).map_err(|e| (J::Null, format!("不是合法的 JSON（{e}）")))?;
    let J::Object(obj) = v else {
        return Err((J::Null, "应为 JSON 对象 {\"id\": …, \"facts\": {…}}".into()));
    };
    let id = match obj.get("id") {
        Some(id @ (J::String(_) | J::Number(_))) => id.clone(),
        Some(other) => return Err((J::Null, format!("id 应为字符串或数字，实际为 {other}"))),
        None => return Err((J::Null, "缺少 id".into())),
    };
    let facts = match obj.get("facts") {
        Some(J::Object(f)) => f,
        Some(other) => return Err((id, format!("facts 应为对象，实际为 {other}"))),
        None => return Err((id, "缺少 facts（没有事实时写 {}）".into())),
    };
    let facts = parse_facts(rule, facts).map_err(|e| (id.clone(), e.to_string()))?;
    let verdict: Verdict = evaluate(rule, &facts, date).map_err(|e| (id.clone(), e.to_string()))?;
    let line = Line {
        id: &id,
        verdict: verdict.verdict_word(),
        failed: &verdict.failed,
        missing: &verdict.missing,
        category: explain.then_some(verdict.category),
        conditions: explain.then_some(&verdict.conditions[..]),
        to_supply: explain
            .then(|| innomesh_policy::supply_text(rule, &verdict.missing))
            .filter(|s| !s.is_empty()),
    };
    serde_json::to_string(&line).map_err(|e| (id.clone(), e.to_string()))
}
