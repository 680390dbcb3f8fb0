//! What changed between two versions of a framework, in words a clerk reads: weights, indicators
//! added or removed, normalisation, direction, sources, grading, uncertainty settings.

use crate::framework::{Framework, Indicator};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// 维度 / 指标 / 等级 / 不确定性分析 / 依据 / 名称
    pub what: String,
    pub item: String,
    pub before: String,
    pub after: String,
}

fn pct(w: f64) -> String {
    format!("{:.1}%", w * 100.0)
}

fn norm_text(i: &Indicator) -> String {
    let n = i.normalisation();
    match &n {
        crate::Normalisation::Target { target } => format!("{}（目标 {target}）", n.label()),
        crate::Normalisation::Table { points } => format!(
            "{}（{}）",
            n.label(),
            points
                .iter()
                .map(|p| format!("{}→{}", p.value, p.points))
                .collect::<Vec<_>>()
                .join("，")
        ),
        _ => n.label().to_string(),
    }
}

/// Changes from `a` to `b`, in tree order.
pub fn diff(a: &Framework, b: &Framework) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |what: &str, item: &str, before: String, after: String| {
        if before != after {
            out.push(Change {
                what: what.into(),
                item: item.into(),
                before,
                after,
            });
        }
    };
    push("名称", "", a.name.clone(), b.name.clone());
    push("依据", "", a.sources.join("；"), b.sources.join("；"));
    for da in &a.dimensions {
        match b.dimensions.iter().find(|d| d.id == da.id) {
            None => push("维度", &da.name, pct(da.weight), "（删除）".into()),
            Some(db) => {
                push("维度权重", &db.name, pct(da.weight), pct(db.weight));
                push(
                    "赋权方法",
                    &db.name,
                    format!("{:?}", da.weighting),
                    format!("{:?}", db.weighting),
                );
            }
        }
    }
    for db in &b.dimensions {
        if !a.dimensions.iter().any(|d| d.id == db.id) {
            push("维度", &db.name, "（新增）".into(), pct(db.weight));
        }
    }
    let ia: Vec<(usize, &Indicator)> = a.indicators().collect();
    let ib: Vec<(usize, &Indicator)> = b.indicators().collect();
    for (dj, x) in &ia {
        match ib.iter().find(|(_, y)| y.id == x.id) {
            None => push(
                "指标",
                &x.name,
                a.dimensions[*dj].name.clone(),
                "（删除）".into(),
            ),
            Some((dk, y)) => {
                push(
                    "指标所属维度",
                    &y.name,
                    a.dimensions[*dj].name.clone(),
                    b.dimensions[*dk].name.clone(),
                );
                push(
                    "指标权重（维度内）",
                    &y.name,
                    x.weight.map_or("—".into(), pct),
                    y.weight.map_or("—".into(), pct),
                );
                push("标准化方法", &y.name, norm_text(x), norm_text(y));
                push(
                    "方向",
                    &y.name,
                    format!("{:?}", x.direction),
                    format!("{:?}", y.direction),
                );
                push(
                    "数据来源",
                    &y.name,
                    format!("{:?}", x.source),
                    format!("{:?}", y.source),
                );
                push(
                    "评分标准",
                    &y.name,
                    format!("{:?}", x.rubric),
                    format!("{:?}", y.rubric),
                );
            }
        }
    }
    for (dk, y) in &ib {
        if !ia.iter().any(|(_, x)| x.id == y.id) {
            push(
                "指标",
                &y.name,
                "（新增）".into(),
                b.dimensions[*dk].name.clone(),
            );
        }
    }
    push(
        "等级",
        "",
        format!("{:?}", a.grading),
        format!("{:?}", b.grading),
    );
    push(
        "聚合与缺失值",
        "",
        format!("{} / {}", a.aggregation.label(), a.missing.label()),
        format!("{} / {}", b.aggregation.label(), b.missing.label()),
    );
    push(
        "不确定性分析",
        "",
        format!("{:?}", a.uncertainty),
        format!("{:?}", b.uncertainty),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weight_change_is_named() {
        let text = crate::SHIPPED[0].1;
        let a = Framework::from_yaml(text).unwrap();
        let b = Framework::from_yaml(
            &text
                .replacen("weight: 0.5\n", "weight: 0.4\n", 1)
                .replacen(
                    "    weight: 0.3\n    indicators:",
                    "    weight: 0.4\n    indicators:",
                    1,
                )
                .replace("version: \"2026.1\"", "version: \"2026.2\""),
        )
        .unwrap();
        let d = diff(&a, &b);
        assert_eq!(
            d.iter().filter(|c| c.what == "维度权重").count(),
            2,
            "{d:?}"
        );
        assert!(d
            .iter()
            .any(|c| c.item == "研究水平与贡献" && c.before == "50.0%" && c.after == "40.0%"));
        assert!(diff(&a, &a).is_empty());
    }
}
