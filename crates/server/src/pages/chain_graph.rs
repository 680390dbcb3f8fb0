//! The chain graph as server-drawn SVG: nodes laid out left to right (upstream → midstream →
//! downstream, columns by supply depth inside each position), coloured by their diagnosis, each a
//! link to its node page; edges are the model's supply relations.

use super::chain::{pct, ChainData, Unit};
use super::layout::{escape, url_encode};
use innomesh_chain::{NodeReport, Position, VerdictKind};
use std::collections::HashMap;

/// Colour and label of a node's headline verdict: gaps that need action first, then 长板 (a
/// strong link stays green even when its firms are also 散 or 小), then the structural notes.
const STATUS: [(Option<VerdictKind>, &str, &str, &str); 7] = [
    (Some(VerdictKind::Blank), "空白", "#eceff3", "#8a96a3"),
    (
        Some(VerdictKind::Missing),
        "缺（本地配套不足）",
        "#fbd9d7",
        "#c0362c",
    ),
    (Some(VerdictKind::Weak), "短板", "#fde3c8", "#d9730d"),
    (Some(VerdictKind::Strong), "长板", "#d3f0df", "#1e7f4f"),
    (Some(VerdictKind::Small), "小", "#fff0b8", "#b88a00"),
    (Some(VerdictKind::Scattered), "散", "#e9defa", "#7b4fb0"),
    (None, "正常", "#dfeaf7", "#3f6fa8"),
];

fn status_of(n: &NodeReport) -> usize {
    let kinds: Vec<VerdictKind> = n.verdicts.iter().map(|v| v.kind).collect();
    STATUS
        .iter()
        .position(|(k, ..)| match k {
            Some(k) => kinds.contains(k),
            None => true,
        })
        .unwrap_or(STATUS.len() - 1)
}

pub fn legend() -> String {
    let mut b = String::from("<div class=\"legend\" aria-label=\"图例\">");
    for (_, label, fill, stroke) in STATUS {
        b.push_str(&format!(
            "<span><i style=\"background:{fill};border:2px solid {stroke}\"></i>{label}</span>"
        ));
    }
    b.push_str("</div>");
    b
}

/// Where each node sits: node index → (column, row); and each position's band of columns.
struct Layout {
    place: HashMap<usize, (usize, usize)>,
    bands: Vec<(Position, usize, usize)>,
}

/// Columns: each position gets consecutive columns by the longest supply path inside it, so
/// the drawing reads upstream → midstream → downstream and edges run left to right.
fn layout(nodes: &[(usize, Position, Vec<usize>)]) -> Layout {
    let order = [
        Position::Upstream,
        Position::Midstream,
        Position::Downstream,
    ];
    let pos_of: HashMap<usize, Position> = nodes.iter().map(|(i, p, _)| (*i, *p)).collect();
    let mut depth: HashMap<usize, usize> = nodes.iter().map(|(i, ..)| (*i, 0)).collect();
    // Longest path within a position (bounded passes: models are small; cycles cannot loop).
    for _ in 0..nodes.len() {
        let mut changed = false;
        for (i, p, sup) in nodes {
            for t in sup {
                if pos_of.get(t) == Some(p) {
                    let want = depth[i] + 1;
                    if depth[t] < want && want < nodes.len() {
                        depth.insert(*t, want);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut col: HashMap<usize, usize> = HashMap::new();
    let mut bands = Vec::new();
    let mut base = 0;
    for p in order {
        let members: Vec<usize> = nodes.iter().filter(|n| n.1 == p).map(|n| n.0).collect();
        if members.is_empty() {
            continue;
        }
        let width = members.iter().map(|m| depth[m]).max().unwrap_or(0) + 1;
        for m in &members {
            col.insert(*m, base + depth[m]);
        }
        bands.push((p, base, width));
        base += width;
    }
    // Rows: by column, ordered by the mean row of their suppliers (fewer crossings).
    let ncols = base;
    let mut rows: HashMap<usize, (usize, usize)> = HashMap::new();
    for c in 0..ncols {
        let mut members: Vec<(f64, usize)> = nodes
            .iter()
            .filter(|n| col[&n.0] == c)
            .map(|n| {
                let preds: Vec<f64> = nodes
                    .iter()
                    .filter(|m| m.2.contains(&n.0))
                    .filter_map(|m| rows.get(&m.0).map(|r| r.1 as f64))
                    .collect();
                let key = if preds.is_empty() {
                    n.0 as f64 / 1000.0
                } else {
                    preds.iter().sum::<f64>() / preds.len() as f64
                };
                (key, n.0)
            })
            .collect();
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (r, (_, n)) in members.into_iter().enumerate() {
            rows.insert(n, (c, r));
        }
    }
    Layout { place: rows, bands }
}

pub fn graph(chain_id: &str, name: &str, d: &ChainData, year: Option<u16>) -> String {
    let set = d.loaded.engine.chains();
    let Some(ci) = set.chain_index(chain_id) else {
        return String::new();
    };
    let report = d.reports.iter().find(|r| r.chain == chain_id);
    let by_key: HashMap<&str, &NodeReport> = report
        .map(|r| {
            r.nodes
                .iter()
                .map(|n| (n.metrics.node.as_str(), n))
                .collect()
        })
        .unwrap_or_default();
    // One unit for the whole map, like a table.
    let unit = Unit::for_amounts(by_key.values().map(|n| n.metrics.output));
    let range = set.chain_nodes(ci);
    let nodes: Vec<(usize, Position, Vec<usize>)> = range
        .clone()
        .filter_map(|i| set.node(i).map(|n| (i, n.position, n.supplies.clone())))
        .collect();
    let Layout { place, bands } = layout(&nodes);
    let ncols = bands.iter().map(|b| b.1 + b.2).max().unwrap_or(1);
    let nrows = place.values().map(|p| p.1 + 1).max().unwrap_or(1);
    let (bw, bh, cw, rh, top, left) = (172.0, 70.0, 214.0, 88.0, 52.0, 16.0);
    let w = left * 2.0 + cw * ncols as f64 - (cw - bw);
    let h = top + rh * nrows as f64 + 8.0;
    let xy = |i: usize| -> (f64, f64) {
        let (c, r) = place.get(&i).copied().unwrap_or((0, 0));
        (left + cw * c as f64, top + rh * r as f64)
    };
    let mut s = format!(
        "<svg viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"{t}图谱\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}图谱：上游 → 中游 → 下游</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8a96a3\"/></marker></defs>",
        t = escape(name)
    );
    let band_fill = ["#eef4fb", "#f3f0fa", "#eef7f1"];
    for (k, (p, start, width)) in bands.iter().enumerate() {
        let x = left + cw * *start as f64 - 8.0;
        let bwid = cw * *width as f64 - (cw - bw) + 16.0;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"4\" width=\"{bwid:.1}\" height=\"{:.1}\" rx=\"8\" fill=\"{}\"/><text x=\"{:.1}\" y=\"30\" font-size=\"16\" font-weight=\"700\" fill=\"#3e4c59\" text-anchor=\"middle\">{}</text>",
            h - 8.0,
            band_fill[k % 3],
            x + bwid / 2.0,
            p.label_zh()
        ));
    }
    // Edges first, under the boxes.
    for (i, _, sup) in &nodes {
        for t in sup {
            if !place.contains_key(t) {
                continue;
            }
            let (x0, y0) = xy(*i);
            let (x1, y1) = xy(*t);
            let (sx, sy, ex, ey) = (x0 + bw, y0 + bh / 2.0, x1 - 2.0, y1 + bh / 2.0);
            let path = if ex > sx {
                let mid = (sx + ex) / 2.0;
                format!("M{sx:.1},{sy:.1} C{mid:.1},{sy:.1} {mid:.1},{ey:.1} {ex:.1},{ey:.1}")
            } else {
                // Backward or same-column edge: loop below the boxes.
                let low = y0.max(y1) + bh + 10.0;
                format!(
                    "M{:.1},{:.1} C{:.1},{low:.1} {:.1},{low:.1} {:.1},{:.1}",
                    x0 + bw / 2.0,
                    y0 + bh,
                    x0 + bw / 2.0,
                    x1 + bw / 2.0,
                    x1 + bw / 2.0,
                    y1 + bh + 2.0
                )
            };
            s.push_str(&format!(
                "<path d=\"{path}\" fill=\"none\" stroke=\"#8a96a3\" stroke-opacity=\"0.7\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
            ));
        }
    }
    for (i, ..) in &nodes {
        let Some(n) = set.node(*i) else { continue };
        let (x, y) = xy(*i);
        let rep = by_key.get(n.key.as_str());
        let st = rep.map(|r| status_of(r)).unwrap_or(STATUS.len() - 1);
        let (_, label, fill, stroke) = STATUS[st];
        let tip = match rep {
            Some(r) if !r.verdicts.is_empty() => r.reason_line(),
            Some(_) => "正常（未触发任何诊断规则）".to_string(),
            None => "暂无指标".to_string(),
        };
        let (line2, line3, verdicts) = match rep {
            Some(r) => {
                let m = &r.metrics;
                let v: Vec<&str> = r.verdicts.iter().map(|v| v.kind.label_zh()).collect();
                (
                    if m.local_firms == 0 {
                        "本地暂无企业".to_string()
                    } else {
                        format!("本地 {} 家 · {}", m.local_firms, unit.money(m.output))
                    },
                    format!("本地配套 {}", pct(m.local_supply_share)),
                    if v.is_empty() {
                        "正常".to_string()
                    } else {
                        v.join("、")
                    },
                )
            }
            None => ("暂无指标".into(), String::new(), label.to_string()),
        };
        let name: String = if n.name.chars().count() > 11 {
            n.name.chars().take(10).collect::<String>() + "…"
        } else {
            n.name.clone()
        };
        let href = format!(
            "/chains/{}/nodes/{}{}",
            url_encode(chain_id),
            url_encode(&n.id),
            year.map(|y| format!("?year={y}")).unwrap_or_default()
        );
        s.push_str(&format!(
            "<a href=\"{}\"><title>{}：{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw}\" height=\"{bh}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"{}/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"700\" fill=\"#1f2933\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" fill=\"#3e4c59\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" fill=\"#3e4c59\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-weight=\"700\" fill=\"{stroke}\" text-anchor=\"end\">{}</text></a>",
            escape(&href),
            escape(&n.name),
            escape(&tip),
            if st == 0 { " stroke-dasharray=\"5 3\"" } else { "" },
            x + 9.0,
            y + 20.0,
            escape(&name),
            x + 9.0,
            y + 40.0,
            escape(&line2),
            x + 9.0,
            y + 58.0,
            escape(&line3),
            x + bw - 8.0,
            y + 58.0,
            escape(&verdicts)
        ));
    }
    s.push_str("</svg>");
    s
}
