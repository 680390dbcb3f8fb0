//! Charts drawn by the server as inline SVG: horizontal bars (grouped or stacked), lines, donuts,
//! a funnel and a schematic district map of Baotou. Each chart has a `<title>` and `<desc>` so a
//! screen reader announces it; the numbers are also in a table beside it (see dashboard.rs).

use super::common::fmt_num;
use super::layout::escape;

pub const PALETTE: [&str; 6] = [
    "#0b5cad", "#f0883e", "#2e9e6b", "#8f5fbf", "#d64545", "#7a8b99",
];

pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub values: Vec<f64>,
}

fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    )
}

fn nice_max(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    // Multiples of four quarter-steps, so the four grid lines fall on round numbers.
    for m in [1.0, 1.2, 1.6, 2.0, 2.4, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}

fn label_num(x: f64, decimals: usize) -> String {
    fmt_num(x, decimals)
}

/// Horizontal bars, one row per category; `stacked` stacks the series, otherwise they are grouped.
/// `links` (optional, per category) make each row's label a link.
pub fn hbar(
    title: &str,
    categories: &[String],
    series: &[Series],
    stacked: bool,
    decimals: usize,
    links: Option<&[String]>,
) -> String {
    let label_w = 96.0;
    let w = 560.0;
    let plot_w = w - label_w - 70.0;
    let group_h = if stacked || series.len() == 1 {
        24.0
    } else {
        12.0 * series.len() as f64 + 8.0
    };
    let top = 8.0;
    let h = top + group_h * categories.len() as f64 + 26.0;
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            if stacked {
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                    .sum()
            } else {
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                    .fold(0.0, f64::max)
            }
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let x = |v: f64| label_w + v / max * plot_w;
    let mut s = open(w, h, title);
    // Grid lines and scale.
    for t in 0..=4 {
        let v = max * t as f64 / 4.0;
        let gx = x(v);
        s.push_str(&format!(
            "<line x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{:.1}\" stroke=\"#e4e9f0\"/><text x=\"{gx:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5f6b7a\" text-anchor=\"middle\">{}</text>",
            h - 22.0,
            h - 8.0,
            label_num(v, if max < 10.0 { 1 } else { 0 })
        ));
    }
    for (i, cat) in categories.iter().enumerate() {
        let y0 = top + group_h * i as f64;
        let label = format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1f2933\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y0 + group_h / 2.0 + 4.0,
            escape(cat)
        );
        match links.and_then(|l| l.get(i)) {
            Some(href) => s.push_str(&format!("<a href=\"{}\">{label}</a>", escape(href))),
            None => s.push_str(&label),
        }
        let mut acc = 0.0;
        for (k, se) in series.iter().enumerate() {
            let v = se.values.get(i).copied().unwrap_or(0.0);
            let (bx, by, bh) = if stacked || series.len() == 1 {
                (x(acc), y0 + 4.0, group_h - 8.0)
            } else {
                (x(0.0), y0 + 4.0 + 12.0 * k as f64, 10.0)
            };
            let bw = (v / max * plot_w).max(0.0);
            s.push_str(&format!(
                "<rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}：{} {}</title></rect>",
                se.color,
                escape(cat),
                escape(&se.name),
                label_num(v, decimals)
            ));
            if !stacked && series.len() > 1 {
                s.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#5f6b7a\">{}</text>",
                    bx + bw + 3.0,
                    by + 9.0,
                    label_num(v, decimals)
                ));
            }
            if stacked {
                acc += v;
            }
        }
        if stacked || series.len() == 1 {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\">{}</text>",
                x(totals[i]) + 4.0,
                y0 + group_h / 2.0 + 4.0,
                label_num(totals[i], decimals)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// Lines over ordered x labels (years), with dots and the last value printed.
pub fn line(title: &str, xs: &[String], series: &[Series], decimals: usize) -> String {
    let (w, h) = (560.0, 260.0);
    let (l, r, t, b) = (48.0, 20.0, 14.0, 30.0);
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let n = xs.len().max(2) as f64 - 1.0;
    let px = |i: usize| l + (w - l - r) * i as f64 / n;
    let py = |v: f64| t + (h - t - b) * (1.0 - v / max);
    let mut s = open(w, h, title);
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        s.push_str(&format!(
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e4e9f0\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5f6b7a\" text-anchor=\"end\">{}</text>",
            w - r,
            l - 6.0,
            py(v) + 4.0,
            label_num(v, if max < 10.0 { 1 } else { 0 }),
            y = py(v)
        ));
    }
    let step = (xs.len() / 10).max(1);
    for (i, x) in xs.iter().enumerate() {
        if i % step == 0 || i + 1 == xs.len() {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5f6b7a\" text-anchor=\"middle\">{}</text>",
                px(i),
                h - 10.0,
                escape(x)
            ));
        }
    }
    for se in series {
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", px(i), py(*v)))
            .collect();
        s.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>",
            pts.join(" "),
            se.color
        ));
        for (i, v) in se.values.iter().enumerate() {
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{} {}：{}</title></circle>",
                px(i),
                py(*v),
                se.color,
                escape(xs.get(i).map(String::as_str).unwrap_or("")),
                escape(&se.name),
                label_num(*v, decimals)
            ));
        }
        if let Some(last) = se.values.last() {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{}\" text-anchor=\"end\">{}</text>",
                px(se.values.len() - 1),
                py(*last) - 8.0,
                se.color,
                label_num(*last, decimals)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// A donut with the total in the middle and a legend with shares on the right.
pub fn donut(title: &str, slices: &[(String, f64, &'static str)], center_label: &str) -> String {
    let (w, h) = (560.0, 230.0);
    let (cx, cy, ro, ri) = (115.0, 115.0, 100.0, 60.0);
    let total: f64 = slices.iter().map(|s| s.1).sum();
    let mut s = open(w, h, title);
    let mut a0 = -std::f64::consts::FRAC_PI_2;
    for (label, v, color) in slices {
        if *v <= 0.0 || total <= 0.0 {
            continue;
        }
        let frac = v / total;
        // A full ring cannot be one arc: draw it as two halves.
        let frac = frac.min(0.9999);
        let a1 = a0 + frac * std::f64::consts::TAU;
        let large = if frac > 0.5 { 1 } else { 0 };
        let p = |a: f64, r: f64| (cx + r * a.cos(), cy + r * a.sin());
        let (x0, y0) = p(a0, ro);
        let (x1, y1) = p(a1, ro);
        let (x2, y2) = p(a1, ri);
        let (x3, y3) = p(a0, ri);
        s.push_str(&format!(
            "<path d=\"M{x0:.2},{y0:.2} A{ro},{ro} 0 {large} 1 {x1:.2},{y1:.2} L{x2:.2},{y2:.2} A{ri},{ri} 0 {large} 0 {x3:.2},{y3:.2} Z\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"2\"><title>{}：{}（{:.1}%）</title></path>",
            escape(label),
            label_num(*v, 0),
            frac * 100.0
        ));
        a0 = a1;
    }
    s.push_str(&format!(
        "<text x=\"{cx}\" y=\"{:.1}\" font-size=\"26\" font-weight=\"700\" fill=\"#1f2933\" text-anchor=\"middle\">{}</text><text x=\"{cx}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5f6b7a\" text-anchor=\"middle\">{}</text>",
        cy + 4.0,
        label_num(total, 0),
        cy + 24.0,
        escape(center_label)
    ));
    for (i, (label, v, color)) in slices.iter().enumerate() {
        let y = 40.0 + 34.0 * i as f64;
        let share = if total > 0.0 { v / total * 100.0 } else { 0.0 };
        s.push_str(&format!(
            "<rect x=\"250\" y=\"{:.1}\" width=\"14\" height=\"14\" rx=\"2\" fill=\"{color}\"/><text x=\"272\" y=\"{:.1}\" font-size=\"14\" fill=\"#1f2933\">{}</text><text x=\"530\" y=\"{:.1}\" font-size=\"14\" fill=\"#1f2933\" text-anchor=\"end\">{} · {:.1}%</text>",
            y - 11.0,
            y,
            escape(label),
            y,
            label_num(*v, 0),
            share
        ));
    }
    s.push_str("</svg>");
    s
}

/// Stages as centred bars shrinking downwards, with the conversion from the first stage.
pub fn funnel(title: &str, stages: &[(String, f64)]) -> String {
    let w = 560.0;
    let row = 34.0;
    let h = row * stages.len() as f64 + 10.0;
    let max = stages.first().map(|s| s.1).unwrap_or(0.0).max(1.0);
    let mut s = open(w, h, title);
    let mid = 300.0;
    for (i, (label, v)) in stages.iter().enumerate() {
        let bw = (v / max * 360.0).max(2.0);
        let y = 5.0 + row * i as f64;
        let shade = PALETTE[0];
        let opacity = 1.0 - 0.11 * i as f64;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1f2933\" text-anchor=\"end\">{}</text>\
             <rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{shade}\" fill-opacity=\"{opacity:.2}\"><title>{}：{}</title></rect>\
             <text x=\"{mid}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"700\" fill=\"#1f2933\" text-anchor=\"middle\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5f6b7a\" text-anchor=\"end\">{}</text>",
            100.0,
            y + row / 2.0 + 2.0,
            escape(label),
            mid - bw / 2.0,
            row - 6.0,
            escape(label),
            label_num(*v, 0),
            y + row / 2.0 + 2.0,
            label_num(*v, 0),
            w - 6.0,
            y + row / 2.0 + 2.0,
            if i == 0 {
                "100%".to_string()
            } else {
                format!("{:.0}%", v / max * 100.0)
            }
        ));
    }
    s.push_str("</svg>");
    s
}

/// Schematic outlines of Baotou's ten county-level units (not survey boundaries): code, short
/// name, polygon, label position. Laid out north (达茂旗) to south (the Yellow River districts).
pub const DISTRICTS: [(&str, &str, &str, (f64, f64)); 10] = [
    (
        "150223",
        "达茂旗",
        "60,20 400,10 432,110 405,200 300,215 200,210 100,205 50,130",
        (300.0, 110.0),
    ),
    (
        "150206",
        "白云矿区",
        "116,76 204,72 208,140 120,146",
        (162.0, 106.0),
    ),
    (
        "150222",
        "固阳县",
        "100,205 200,210 300,215 292,290 110,290 88,250",
        (195.0, 250.0),
    ),
    (
        "150205",
        "石拐区",
        "300,215 405,200 418,270 360,300 292,290",
        (355.0, 252.0),
    ),
    (
        "150203",
        "昆都仑区",
        "110,290 200,290 200,370 112,368",
        (156.0, 326.0),
    ),
    (
        "150204",
        "青山区",
        "200,290 280,290 280,372 200,370",
        (240.0, 326.0),
    ),
    (
        "150202",
        "东河区",
        "280,290 292,290 360,300 372,372 280,372",
        (324.0, 330.0),
    ),
    (
        "150271",
        "稀土高新区",
        "112,368 200,370 204,416 116,416",
        (158.0, 387.0),
    ),
    (
        "150207",
        "九原区",
        "60,372 112,368 116,416 204,416 200,370 280,372 292,440 170,480 66,462",
        (200.0, 440.0),
    ),
    (
        "150221",
        "土右旗",
        "372,372 360,300 418,270 450,320 440,470 330,482 292,440 280,372",
        (372.0, 410.0),
    ),
];

pub fn short_name(code: &str) -> String {
    DISTRICTS
        .iter()
        .find(|d| d.0 == code)
        .map(|d| d.1.to_string())
        .unwrap_or_else(|| super::view::region_name(code))
}

/// Five sequential blues, light to dark.
const SCALE: [&str; 5] = ["#deebf7", "#b3d1ec", "#7fb0dc", "#3f83c4", "#0b4f96"];

/// The district map coloured by `values` (code → value), each district linking to `href(code)`.
pub fn district_map(
    title: &str,
    values: &std::collections::HashMap<String, f64>,
    decimals: usize,
    unit: &str,
    href: &dyn Fn(&str) -> String,
) -> String {
    let max = values.values().copied().fold(0.0, f64::max);
    let min = values
        .values()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(max);
    let class = |v: f64| -> usize {
        if max <= min {
            2
        } else {
            (((v - min) / (max - min)) * 4.999).floor() as usize
        }
    };
    let mut s = open(560.0, 500.0, title);
    s.push_str("<g stroke=\"#fff\" stroke-width=\"2\">");
    for (code, name, points, (lx, ly)) in DISTRICTS {
        let v = values.get(code).copied().unwrap_or(0.0);
        let c = class(v);
        let fill = SCALE[c.min(4)];
        let ink = if c >= 3 { "#fff" } else { "#1f2933" };
        s.push_str(&format!(
            "<a href=\"{}\"><polygon points=\"{points}\" fill=\"{fill}\"><title>{name}：{} {unit}</title></polygon>\
             <text x=\"{lx}\" y=\"{ly}\" font-size=\"12\" fill=\"{ink}\" stroke=\"none\" text-anchor=\"middle\">{name}</text>\
             <text x=\"{lx}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"700\" fill=\"{ink}\" stroke=\"none\" text-anchor=\"middle\">{}</text></a>",
            escape(&href(code)),
            label_num(v, decimals),
            ly + 14.0,
            label_num(v, decimals)
        ));
    }
    s.push_str("</g>");
    // Legend: class bounds.
    for (i, color) in SCALE.iter().enumerate() {
        let lo = min + (max - min) * i as f64 / 5.0;
        let y = 300.0 + 22.0 * i as f64;
        s.push_str(&format!(
            "<rect x=\"460\" y=\"{y}\" width=\"16\" height=\"16\" fill=\"{color}\" stroke=\"#c5ced8\"/><text x=\"482\" y=\"{:.1}\" font-size=\"11\" fill=\"#5f6b7a\">≥ {}</text>",
            y + 12.0,
            label_num(lo, decimals)
        ));
    }
    s.push_str(&format!(
        "<text x=\"460\" y=\"290\" font-size=\"12\" fill=\"#5f6b7a\">{}</text><text x=\"20\" y=\"494\" font-size=\"11\" fill=\"#7a8b99\">示意图：区域形状与位置为示意，不代表实际行政边界</text><text x=\"520\" y=\"40\" font-size=\"13\" fill=\"#7a8b99\" text-anchor=\"middle\">N ↑</text></svg>",
        escape(unit)
    ));
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn nice_maxima() {
        assert_eq!(super::nice_max(87.0), 100.0);
        assert_eq!(super::nice_max(1234.0), 1600.0);
        assert_eq!(super::nice_max(15.0), 16.0);
        assert_eq!(super::nice_max(0.0), 1.0);
    }
}
