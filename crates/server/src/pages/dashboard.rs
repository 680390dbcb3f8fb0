//! The 驾驶舱 dashboard `/dashboard`: key figures by district as server-drawn SVG charts (bars,
//! a line, a donut, a funnel, a district map coloured by a chosen indicator). Every chart has its
//! data table one click away and as an XLSX download (`/dashboard/{chart}.xlsx`); the figures are
//! computed from the registry and cached until the next write.

use super::common::{derived_html, download, fmt_num, param, run, PageError, PageResult, Params};
use super::dashboard_data::{
    funnel_stages, table, District, Figures, Table, CHARTS, CHART_ACH, TIER_NAMES,
};
use super::layout::escape;
use super::svg::{self, Series, PALETTE};
use crate::auth::Who;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use innomesh_core::tabular::Cell;
use innomesh_sheets::{write_xlsx, Format, Sheet};
use std::collections::HashMap;

fn table_html(t: &Table) -> String {
    let mut b = String::from("<table><thead><tr>");
    for (i, h) in t.headers.iter().enumerate() {
        b.push_str(&format!(
            "<th{}>{}</th>",
            if i >= 2 || (i == 1 && t.headers.len() <= 5 && t.headers[0] != "旗县区") {
                " class=\"r\""
            } else {
                ""
            },
            escape(h)
        ));
    }
    b.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        b.push_str("<tr>");
        for c in row {
            match c {
                Cell::Number(n) => {
                    let d = if n.fract() == 0.0 { 0 } else { 2 };
                    let s = if t.headers.first().map(String::as_str) == Some("年份")
                        && *n > 1900.0
                        && *n < 2100.0
                    {
                        format!("{n}")
                    } else {
                        fmt_num(*n, d)
                    };
                    b.push_str(&format!("<td class=\"r\">{s}</td>"));
                }
                other => b.push_str(&format!("<td>{}</td>", escape(&other.display()))),
            }
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table>");
    b
}

fn figure(
    id: &str,
    caption: &str,
    note: &str,
    chart_svg: String,
    legend: &str,
    t: &Table,
) -> String {
    format!(
        "<figure class=\"chart\" id=\"{id}\"><figcaption>{} <span class=\"muted\">{}</span><a class=\"dl\" href=\"/dashboard/{id}.xlsx\">下载 XLSX</a></figcaption>{legend}{chart_svg}\
         <details><summary>查看数据表</summary>{}</details></figure>",
        escape(caption),
        escape(note),
        table_html(t)
    )
}

fn legend(items: &[(&str, &str)]) -> String {
    let mut b = String::from("<div class=\"legend\">");
    for (name, color) in items {
        b.push_str(&format!(
            "<span><i style=\"background:{color}\"></i>{}</span>",
            escape(name)
        ));
    }
    b.push_str("</div>");
    b
}

/// Indicators the district map can be coloured by: key, label, unit, decimals, value, list link.
type Indicator = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    fn(&District) -> f64,
    &'static str,
);
const INDICATORS: [Indicator; 6] = [
    (
        "enterprises",
        "企业数",
        "家",
        0,
        |d| d.enterprises as f64,
        "/organisations?kind=enterprise&region=",
    ),
    (
        "high_tech",
        "高新技术企业",
        "家",
        0,
        |d| d.high_tech as f64,
        "/organisations?flag=high_tech&region=",
    ),
    (
        "rd",
        "研发投入强度",
        "%",
        2,
        |d| d.rd_intensity(),
        "/organisations?kind=enterprise&sort=number&region=",
    ),
    (
        "platforms",
        "创新平台",
        "个",
        0,
        |d| d.platforms.iter().sum::<usize>() as f64,
        "/platforms?region=",
    ),
    (
        "demands",
        "开放技术需求",
        "项",
        0,
        |d| d.open_demands as f64,
        "/demands?region=",
    ),
    (
        "machines",
        "机床每周可共享机时",
        "小时",
        0,
        |d| d.machine_offered,
        "/equipment?kind=machine&region=",
    ),
];

pub async fn page(
    State(st): State<AppState>,
    Who(who): Who,
    q: Result<Query<Params>, QueryRejection>,
) -> PageResult {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let st2 = st.clone();
    let d = run(move || {
        Ok(st2.derived_view(
            &who,
            innomesh_app::Perm::Engines,
            "dashboard",
            "",
            |app, who| app.dashboard(who),
        )?)
    })
    .await?;
    let Some(f) = d.value() else {
        return Ok(derived_html("驾驶舱", "/dashboard", &d, None, &st));
    };
    let chosen = param(&p, "map")
        .and_then(|m| INDICATORS.iter().find(|i| i.0 == m))
        .unwrap_or(&INDICATORS[0]);
    Ok(derived_html(
        "驾驶舱",
        "/dashboard",
        &d,
        Some(&render(f, chosen)),
        &st,
    ))
}

fn render(f: &Figures, chosen: &Indicator) -> String {
    let names: Vec<String> = f
        .districts
        .iter()
        .map(|(c, _)| svg::short_name(c))
        .collect();
    let c = &f.city;
    let platforms: usize = c.platforms.iter().sum();
    let open: usize = f.demand_status[..5].iter().sum();
    let util = if c.machine_offered > 0.0 {
        c.machine_used / c.machine_offered * 100.0
    } else {
        0.0
    };
    let mut b = format!(
        "<h1>创新驾驶舱 <small class=\"muted\">包头市 · 按旗县区</small></h1>\
         <div class=\"cards\" role=\"list\">\
         <a class=\"card\" role=\"listitem\" href=\"/organisations?kind=enterprise&amp;region=1502\"><span class=\"num\">{}<small>家</small></span><span class=\"label\">企业</span></a>\
         <a class=\"card\" role=\"listitem\" href=\"/organisations?flag=high_tech&amp;region=1502\"><span class=\"num\">{}<small>家</small></span><span class=\"label\">高新技术企业（占 {:.1}%）</span></a>\
         <div class=\"card\" role=\"listitem\"><span class=\"num\">{:.2}<small>%</small></span><span class=\"label\">研发投入强度（研发投入 / 营业收入）</span></div>\
         <a class=\"card\" role=\"listitem\" href=\"/platforms?region=1502\"><span class=\"num\">{platforms}<small>个</small></span><span class=\"label\">创新平台：国家级 {} · 省级 {} · 市级 {}</span></a>\
         <a class=\"card\" role=\"listitem\" href=\"/demands\"><span class=\"num\">{open}<small>项</small></span><span class=\"label\">开放技术需求（未交付）</span></a>\
         <a class=\"card\" role=\"listitem\" href=\"/equipment?kind=machine\"><span class=\"num\">{}<small>小时/周</small></span><span class=\"label\">机床可共享机时，已用 {}（利用率 {util:.1}%）</span></a></div>",
        fmt_num(c.enterprises as f64, 0),
        fmt_num(c.high_tech as f64, 0),
        if c.enterprises > 0 { c.high_tech as f64 / c.enterprises as f64 * 100.0 } else { 0.0 },
        c.rd_intensity(),
        c.platforms[0], c.platforms[1], c.platforms[2],
        fmt_num(c.machine_offered, 0),
        fmt_num(c.machine_used, 0),
    );
    // Map coloured by the chosen indicator, with the choice made by a plain GET form.
    let values: HashMap<String, f64> = f
        .districts
        .iter()
        .map(|(code, d)| (code.clone(), (chosen.4)(d)))
        .collect();
    let options: String = INDICATORS
        .iter()
        .map(|i| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                i.0,
                if i.0 == chosen.0 { " selected" } else { "" },
                i.1
            )
        })
        .collect();
    let base = chosen.5;
    let map_svg = svg::district_map(
        &format!("包头市各旗县区{}示意图", chosen.1),
        &values,
        chosen.3,
        chosen.2,
        &|code| format!("{base}{code}"),
    );
    let picker = format!(
        "<form class=\"indicator\" method=\"get\" action=\"/dashboard#map\"><label for=\"map-ind\">着色指标</label><select id=\"map-ind\" name=\"map\">{options}</select><button type=\"submit\">更新地图</button></form>"
    );
    let Some(t_all) = table(f, "districts") else {
        return b;
    };
    b.push_str("<h2>各旗县区分布</h2><div class=\"grid2\">");
    b.push_str(&format!(
        "<figure class=\"chart\" id=\"map\"><figcaption>包头市旗县区{} <span class=\"muted\">（{}；点击区域查看名录）</span><a class=\"dl\" href=\"/dashboard/districts.xlsx\">下载 XLSX</a></figcaption>{picker}{map_svg}<details><summary>查看数据表</summary>{}</details></figure>",
        escape(chosen.1),
        escape(chosen.2),
        table_html(&t_all)
    ));
    let ent = Series {
        name: "企业".into(),
        color: PALETTE[0],
        values: f
            .districts
            .iter()
            .map(|(_, d)| d.enterprises as f64)
            .collect(),
    };
    let ht = Series {
        name: "高新技术企业".into(),
        color: PALETTE[1],
        values: f
            .districts
            .iter()
            .map(|(_, d)| d.high_tech as f64)
            .collect(),
    };
    let links: Vec<String> = f
        .districts
        .iter()
        .map(|(c, _)| format!("/organisations?kind=enterprise&region={c}"))
        .collect();
    if let Some(t) = table(f, "enterprises") {
        b.push_str(&figure(
            "enterprises",
            "企业与高新技术企业",
            "（家）",
            svg::hbar(
                "各旗县区企业与高新技术企业数量",
                &names,
                &[ent, ht],
                false,
                0,
                Some(&links),
            ),
            &legend(&[("企业", PALETTE[0]), ("高新技术企业", PALETTE[1])]),
            &t,
        ));
    }
    b.push_str("</div><div class=\"grid2\">");
    if let Some(t) = table(f, "rd") {
        let rd = Series {
            name: "研发投入强度".into(),
            color: PALETTE[2],
            values: f.districts.iter().map(|(_, d)| d.rd_intensity()).collect(),
        };
        b.push_str(&figure(
            "rd",
            "研发投入强度",
            "（研发投入 / 营业收入，%）",
            svg::hbar("各旗县区研发投入强度", &names, &[rd], false, 2, None),
            "",
            &t,
        ));
    }
    if let Some(t) = table(f, "platforms") {
        let colors = [PALETTE[3], PALETTE[0], PALETTE[2]];
        let series: Vec<Series> = (0..3)
            .map(|i| Series {
                name: TIER_NAMES[i].into(),
                color: colors[i],
                values: f
                    .districts
                    .iter()
                    .map(|(_, d)| d.platforms[i] as f64)
                    .collect(),
            })
            .collect();
        let slices: Vec<(String, f64, &'static str)> = (0..3)
            .map(|i| (TIER_NAMES[i].to_string(), c.platforms[i] as f64, colors[i]))
            .collect();
        let both = format!(
            "{}{}",
            svg::donut("创新平台按级别构成", &slices, "个平台"),
            svg::hbar(
                "各旗县区创新平台（按级别堆叠）",
                &names,
                &series,
                true,
                0,
                None
            )
        );
        b.push_str(&figure(
            "platforms",
            "创新平台（按级别）",
            "（个，不含已撤销）",
            both,
            &legend(&[
                (TIER_NAMES[0], colors[0]),
                (TIER_NAMES[1], colors[1]),
                (TIER_NAMES[2], colors[2]),
            ]),
            &t,
        ));
    }
    b.push_str("</div><h2>需求转化与共享制造</h2><div class=\"grid2\">");
    if let Some(t) = table(f, "funnel") {
        b.push_str(&figure(
            "funnel",
            "技术需求转化漏斗",
            "（发布→初筛→匹配→对接→签约→交付，项）",
            svg::funnel("技术需求转化漏斗", &funnel_stages(f)),
            "",
            &t,
        ));
    }
    if let Some(t) = table(f, "machines") {
        let off = Series {
            name: "可共享机时".into(),
            color: PALETTE[0],
            values: f.districts.iter().map(|(_, d)| d.machine_offered).collect(),
        };
        let used = Series {
            name: "已用机时".into(),
            color: PALETTE[1],
            values: f.districts.iter().map(|(_, d)| d.machine_used).collect(),
        };
        b.push_str(&figure(
            "machines",
            "机床共享机时",
            "（每周，小时）",
            svg::hbar(
                "各旗县区机床每周可共享与已用机时",
                &names,
                &[off, used],
                false,
                0,
                None,
            ),
            &legend(&[("可共享机时", PALETTE[0]), ("已用机时", PALETTE[1])]),
            &t,
        ));
    }
    b.push_str("</div>");
    if let Some(t) = table(f, CHART_ACH) {
        let years: Vec<String> = f.achievements.keys().map(|y| y.to_string()).collect();
        let kinds = ["专利", "论文", "科技成果"];
        let series: Vec<Series> = (0..3)
            .map(|k| Series {
                name: kinds[k].into(),
                color: PALETTE[k],
                values: f.achievements.values().map(|v| v[k] as f64).collect(),
            })
            .collect();
        b.push_str("<h2>成果产出</h2><div class=\"grid2\">");
        b.push_str(&figure(
            CHART_ACH,
            "历年科技成果",
            "（按类型，项）",
            svg::line("历年科技成果数量", &years, &series, 0),
            &legend(&[
                ("专利", PALETTE[0]),
                ("论文", PALETTE[1]),
                ("科技成果", PALETTE[2]),
            ]),
            &t,
        ));
        b.push_str("<div class=\"chart\"><p class=\"muted\">口径说明：企业指组织类型为「企业」且注册地在包头市的单位；研发投入强度 = 各区企业研发投入合计 ÷ 营业收入合计（两项均填报的企业）；创新平台不含已撤销；开放技术需求为尚未交付的需求；机时为机床（不含仪器设备）每周数。每个数字都可点击进入对应名录核对。</p></div></div>");
    }
    b
}

/// `/dashboard/{chart}.xlsx`: one chart's table, with a note sheet when the data are samples.
pub async fn xlsx(
    State(st): State<AppState>,
    Who(who): Who,
    Path(file): Path<String>,
) -> PageResult {
    let chart = file.strip_suffix(".xlsx").unwrap_or(&file).to_string();
    if !CHARTS.contains(&chart.as_str()) && chart != CHART_ACH {
        return Err(PageError::not_found(format!(
            "没有名为「{chart}」的图表数据"
        )));
    }
    let st2 = st.clone();
    let f = run(move || Ok(st2.dashboard(&who)?)).await?;
    let t = table(&f, &chart).ok_or_else(|| PageError::not_found("没有该图表数据"))?;
    let label = st.sample_label();
    let note_h = vec!["说明".to_string()];
    let mut notes = vec![vec![Cell::Text(format!(
        "{}：由创新资源一张网登记库计算，版本 {}。",
        t.title,
        crate::VERSION
    ))]];
    if let Some(l) = &label {
        notes.push(vec![Cell::Text(format!(
            "本文件为{l}，由程序生成，机构名称均为虚构，不代表真实情况。"
        ))]);
    }
    let bytes = write_xlsx(&[
        Sheet {
            name: t.title,
            headers: &t.headers,
            rows: &t.rows,
        },
        Sheet {
            name: "说明",
            headers: &note_h,
            rows: &notes,
        },
    ])
    .map_err(PageError::internal)?;
    let name = format!(
        "驾驶舱-{}{}.xlsx",
        t.title,
        if label.is_some() { "-示例数据" } else { "" }
    );
    Ok(download(bytes, &name, Format::Xlsx.mime()))
}
