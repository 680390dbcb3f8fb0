//! The chain report as an XLSX workbook: node diagnosis, gap ledger, investment targets.

use crate::chains::store_id;
use innomesh_chain::ChainReport;
use innomesh_core::tabular::Cell;
use innomesh_sheets::{write_xlsx, Sheet, SheetError};

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn pct(x: Option<f64>) -> Cell {
    x.map(|v| Cell::Text(format!("{:.1}%", v * 100.0)))
        .unwrap_or(Cell::Text("—".into()))
}

pub fn xlsx(r: &ChainReport, sample: Option<&str>) -> Result<Vec<u8>, SheetError> {
    let heads = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let node_heads = heads(&[
        "节点编号",
        "节点",
        "位置",
        "本地企业数",
        "产值（万元）",
        "HHI",
        "本地采购（万元）",
        "本地配套率",
        "本地供应商",
        "外地供应商",
        "平台",
        "专家",
        "成果",
        "开放需求",
        "诊断",
        "原因",
        "依据",
    ]);
    let mut nodes = Vec::new();
    for n in &r.nodes {
        let m = &n.metrics;
        nodes.push(vec![
            t(store_id(&m.node)),
            t(m.name.clone()),
            t(m.position.label_zh()),
            Cell::Number(m.local_firms as f64),
            Cell::Number((m.output * 10.0).round() / 10.0),
            m.hhi
                .map(|h| Cell::Number((h * 10000.0).round() / 10000.0))
                .unwrap_or(Cell::Empty),
            Cell::Number((m.local_demand * 10.0).round() / 10.0),
            pct(m.local_supply_share),
            Cell::Number(m.local_suppliers as f64),
            Cell::Number(m.external_suppliers as f64),
            Cell::Number(m.innovation.platforms as f64),
            Cell::Number(m.innovation.experts as f64),
            Cell::Number(m.innovation.achievements as f64),
            Cell::Number(m.innovation.open_demands as f64),
            t(n.verdicts
                .iter()
                .map(|v| v.label.clone())
                .collect::<Vec<_>>()
                .join("、")),
            t(n.reason_line()),
            t(n.verdicts
                .iter()
                .map(|v| v.rule.clone())
                .collect::<Vec<_>>()
                .join("；")),
        ]);
    }
    let gap_heads = heads(&[
        "缺口",
        "节点",
        "类型",
        "发现年份",
        "状态",
        "闭合年份",
        "说明",
        "行动",
    ]);
    let mut gaps = Vec::new();
    for n in &r.nodes {
        for g in &n.gaps {
            gaps.push(vec![
                t(g.gap_id.clone()),
                t(n.metrics.name.clone()),
                t(g.verdict.label_zh()),
                Cell::Number(g.opened_year as f64),
                t(match g.state {
                    innomesh_chain::GapState::Closed => "已闭合",
                    innomesh_chain::GapState::Open => "推进中",
                    innomesh_chain::GapState::Stuck => "停滞",
                }),
                g.closed_year
                    .map(|y| Cell::Number(y as f64))
                    .unwrap_or(Cell::Empty),
                t(g.explanation.clone()),
                t(g.actions
                    .iter()
                    .map(|a| format!("{}（{}，{}）", a.kind.label_zh(), a.owner, a.due))
                    .collect::<Vec<_>>()
                    .join("；")),
            ]);
        }
    }
    let target_heads = heads(&[
        "节点",
        "排名",
        "企业",
        "统一社会信用代码",
        "所在地",
        "得分",
        "理由",
        "以企引企路径",
    ]);
    let mut targets = Vec::new();
    for n in &r.nodes {
        for (rank, tg) in n.targets.iter().enumerate() {
            targets.push(vec![
                t(n.metrics.name.clone()),
                Cell::Number(rank as f64 + 1.0),
                t(tg.name.clone()),
                t(tg.credit_code.clone()),
                t(innomesh_core::RegionCode::parse(&tg.region)
                    .map(|r| r.name())
                    .unwrap_or_else(|_| tg.region.clone())),
                Cell::Number((tg.score * 1000.0).round() / 1000.0),
                t(tg.reasons.join("；")),
                t(tg.referral
                    .as_ref()
                    .map(|p| p.explanation.join(" → "))
                    .unwrap_or_default()),
            ]);
        }
    }
    let note_heads = heads(&["说明"]);
    let mut notes = vec![vec![t(format!(
        "{}：节点 {} 个，长板 {}，短板 {}，空白 {}，散 {}，小 {}，缺 {}；缺口推进中 {}，停滞 {}，已闭合 {}。",
        r.name, r.summary.nodes, r.summary.strong, r.summary.weak, r.summary.blank, r.summary.scattered, r.summary.small, r.summary.missing,
        r.summary.gaps_open, r.summary.gaps_stuck, r.summary.gaps_closed
    ))]];
    if let Some(label) = sample {
        notes.push(vec![t(format!(
            "本报告基于{label}生成，机构名称均为虚构，数字不代表真实情况。"
        ))]);
    }
    write_xlsx(&[
        Sheet {
            name: "节点诊断",
            headers: &node_heads,
            rows: &nodes,
        },
        Sheet {
            name: "缺口台账",
            headers: &gap_heads,
            rows: &gaps,
        },
        Sheet {
            name: "招商目标",
            headers: &target_heads,
            rows: &targets,
        },
        Sheet {
            name: "说明",
            headers: &note_heads,
            rows: &notes,
        },
    ])
}
