//! Deterministic generator of a synthetic Baotou innovation ecosystem (示例数据): real region and
//! industry codes, fictitious names. `scale` multiplies every count (benchmarks use 100).

mod catalogue;
mod deals;
mod leaders;
mod rng;
mod sharing;
mod workflow;

pub use catalogue::{PROCESSES, PROGRAMMES, SECTORS};
pub use rng::Rng;

use crate::codes::{CreditCode, IdNumber, Phone};
use crate::entity::Record;
use crate::model::*;
use crate::values::{Date, IndustryCode, RegionCode};
use catalogue::*;

/// Label shown wherever sample data appears.
pub const SAMPLE_LABEL: &str = "示例数据";

#[derive(Debug, Clone, Copy)]
pub struct SampleConfig {
    pub scale: u32,
    pub seed: u64,
}

impl Default for SampleConfig {
    fn default() -> Self {
        Self {
            scale: 1,
            seed: 2026,
        }
    }
}

/// Counts at scale 1, as the foundation issue asks.
pub struct Counts {
    pub enterprises: usize,
    pub external: usize,
    pub platforms: usize,
    pub experts: usize,
    pub achievements: usize,
    pub demands: usize,
    pub applications: usize,
    pub shops: usize,
    pub policies: usize,
}

impl Counts {
    pub fn at(scale: u32) -> Counts {
        let s = scale.max(1) as usize;
        Counts {
            enterprises: 5000 * s,
            external: 400 * s,
            platforms: 60 * s,
            experts: 400 * s,
            achievements: 3000 * s,
            demands: 300 * s,
            applications: 800 * s,
            shops: 150 * s,
            policies: 24,
        }
    }
}

/// The generated records, in an order that satisfies references (organisations first).
pub struct SampleData {
    pub organisations: Vec<Organisation>,
    pub records: Vec<Record>,
    /// Policy facts the registry does not hold, as the bureau would have entered them for the
    /// local enterprises (政策找企业): some enterprises complete, some partly, some not at all.
    pub policy_facts: Vec<SampleFact>,
}

/// One entered policy fact of a sample enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleFact {
    pub org: CreditCode,
    pub key: &'static str,
    pub value: serde_json::Value,
}

/// The date sample policy facts describe (the end of the last financial year).
pub const SAMPLE_FACTS_AS_OF: &str = "2025-12-31";

/// Entered facts of one local enterprise, drawn from its own stream `pf` (a stream apart from the
/// registry's, so that adding facts never changes the other sample records).
fn sample_facts(pf: &mut Rng, o: &Organisation, out: &mut Vec<SampleFact>) {
    use serde_json::json;
    let tier = pf.unit();
    // 35 % complete, 35 % partly entered, 30 % nothing beyond the registry.
    let p = if tier < 0.35 {
        1.0
    } else if tier < 0.70 {
        0.6
    } else {
        return;
    };
    let revenue = o.revenue.unwrap_or(0.0);
    let rd = o.rd_spend.unwrap_or(0.0);
    let ht = o.high_tech;
    let round = |x: f64, d: i32| (x * 10f64.powi(d)).round() / 10f64.powi(d);
    let rd_ratio = if revenue > 0.0 { rd / revenue } else { 0.0 };
    let candidates: Vec<(&'static str, serde_json::Value)> = vec![
        ("in_supported_field", json!(ht || pf.chance(0.5))),
        (
            "innovation_score",
            json!(if ht {
                pf.range(66, 92)
            } else {
                pf.range(50, 80)
            }),
        ),
        (
            "rd_expense_ratio_3y",
            json!(round((rd_ratio * (0.85 + 0.4 * pf.unit())).min(1.0), 4)),
        ),
        (
            "sales_3y_wan",
            json!(round(revenue * (2.4 + 0.6 * pf.unit()), 1)),
        ),
        (
            "rd_domestic_share",
            json!(round(0.55 + 0.45 * pf.unit(), 2)),
        ),
        (
            "hitech_revenue_share",
            json!(round(
                if ht {
                    0.55 + 0.4 * pf.unit()
                } else {
                    0.2 + 0.6 * pf.unit()
                },
                2
            )),
        ),
        ("major_incident_last_year", json!(pf.chance(0.04))),
        (
            "core_ip_count",
            json!(if ht { pf.range(1, 12) } else { pf.range(0, 4) }),
        ),
        (
            "assets_wan",
            json!(round(revenue * (0.5 + 1.5 * pf.unit()), 1)),
        ),
        ("restricted_industry", json!(pf.chance(0.03))),
        ("serious_violation", json!(pf.chance(0.03))),
        (
            "ip1_count",
            json!(if ht { pf.range(0, 4) } else { pf.range(0, 1) }),
        ),
        ("ip2_count", json!(pf.range(0, 6))),
        (
            "is_sme",
            json!(o.employees.unwrap_or(0) < 1000 && revenue < 200_000.0),
        ),
        ("niche_market_years", json!(pf.range(1, 15))),
        ("specialised_score", json!(pf.range(45, 90))),
        (
            "equity_financing_2y_wan",
            json!(if pf.chance(0.1) {
                pf.range(500, 8000)
            } else {
                0
            }),
        ),
        (
            "award_provincial_top3_or_national_top5",
            json!(pf.chance(0.05)),
        ),
        (
            "rd_expense_2y_avg_wan",
            json!(round(rd * (0.8 + 0.3 * pf.unit()), 1)),
        ),
        ("maker_china_top500", json!(pf.chance(0.03))),
    ];
    for (key, value) in candidates {
        if pf.chance(p) {
            out.push(SampleFact {
                org: o.credit_code.clone(),
                key,
                value,
            });
        }
    }
}

struct Org {
    code: CreditCode,
    region: RegionCode,
    industry: Option<String>,
    kind: OrgKind,
    revenue: f64,
    sector: Option<usize>,
    local: bool,
}

struct Gen {
    rng: Rng,
    serial: u64,
}

const B31: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

impl Gen {
    /// A valid, unique credit code: registration kind, region, "MA" + a base-31 serial.
    fn credit_code(&mut self, prefix: &str, region: &str) -> CreditCode {
        self.serial += 1;
        let mut n = self.serial * 7919 + 1_000_003;
        let mut body = [b'0'; 7];
        for b in body.iter_mut().rev() {
            *b = B31[(n % 31) as usize];
            n /= 31;
        }
        let first17 = format!("{prefix}{region}MA{}", String::from_utf8_lossy(&body));
        CreditCode::with_check_digit(&first17).expect("generated code uses the code alphabet")
    }

    fn person_name(&mut self) -> String {
        let mut s = self.rng.pick(SURNAMES).to_string();
        s.push_str(self.rng.pick::<&str>(GIVEN));
        if self.rng.chance(0.6) {
            s.push_str(self.rng.pick::<&str>(GIVEN));
        }
        s
    }

    fn brand(&mut self) -> String {
        format!("{}{}", self.rng.pick(BRAND), self.rng.pick(BRAND))
    }

    fn phone(&mut self) -> Phone {
        let n = 13_000_000_000u64 + self.rng.below(999_999_999) as u64;
        Phone::parse(&n.to_string()).expect("11-digit mobile")
    }

    fn id_number(&mut self, region: &str) -> IdNumber {
        let y = self.rng.range(1960, 1998);
        let m = self.rng.range(1, 12);
        let d = self.rng.range(1, 28);
        let seq = self.rng.range(0, 999);
        IdNumber::with_check_digit(&format!("{region}{y:04}{m:02}{d:02}{seq:03}"))
            .expect("17 digits")
    }

    fn date(&mut self, y0: i32, y1: i32) -> Date {
        let y = self.rng.range(y0 as i64, y1 as i64) as i32;
        let m = self.rng.range(1, 12) as u8;
        let d = self.rng.range(1, 28) as u8;
        Date::new(y, m, d).expect("day ≤ 28 is valid in every month")
    }

    fn topic_text(&mut self, t: &Topic) -> (String, String) {
        let method = self.rng.pick(t.methods);
        let object = self.rng.pick(t.objects);
        let goal = self.rng.pick(t.goals);
        let title = format!(
            "基于{method}的{object}{}",
            self.rng
                .pick(&["关键技术研究", "工艺开发", "产业化应用", "性能提升研究"])
        );
        // Concrete figures make each text its own, as real proposals are; the sentence frames
        // still repeat, as real proposals' phrasing does.
        let problem = *self.rng.pick(&[
            "效率低",
            "成本高",
            "一致性差",
            "能耗高",
            "依赖进口",
            "良品率不稳定",
            "排放偏高",
        ]);
        let work = *self.rng.pick(&[
            "工艺参数优化",
            "材料体系设计",
            "装备改造",
            "中试验证",
            "过程控制模型",
            "关键部件国产化",
        ]);
        let temp = self.rng.range(300, 1600);
        let scale = self.rng.range(2, 400) * 5;
        let gain = self.rng.range(5, 45);
        let months = self.rng.range(12, 36);
        let mut text = format!(
            "针对{object}生产中存在的{problem}问题，采用{method}技术，开展{work}研究，实现{goal}。\
             项目拟在 {temp}℃ 工况下完成 {scale} 吨/年规模的验证，关键指标较现有水平提升 {gain}%，实施周期 {months} 个月。"
        );
        let extra = *self.rng.pick(&[
            "成果已在本地企业开展示范应用。",
            "已申请发明专利 2 项。",
            "关键指标达到国内先进水平。",
            "",
        ]);
        if !extra.is_empty() {
            text.push_str(&format!(
                "{}（合作单位 {} 家）",
                extra.trim_end_matches('。'),
                self.rng.range(1, 6)
            ));
            text.push('。');
        }
        (title, text)
    }
}

impl Gen {
    /// Sentences particular to one project (its line, equipment, partners, milestones), so that
    /// sample proposals differ the way real ones do and duplicate checks have something to find.
    fn project_detail(&mut self, org_name: &str) -> String {
        let short: String = org_name
            .trim_start_matches("包头市")
            .trim_start_matches("内蒙古")
            .chars()
            .take(2)
            .collect();
        let line = format!(
            "{}{}号",
            self.rng.pick(&["一期", "二期", "新建", "改造", "示范"]),
            self.rng.range(1, 9)
        );
        let model = format!(
            "{}-{}",
            self.rng.pick(&["KJ", "BT", "XR", "NM", "HS", "ZD", "QY"]),
            self.rng.range(100, 9999)
        );
        let frames = [
            format!(
                "{short}公司{line}生产线现有{}台套设备，其中{model}型关键设备运行已满{}年。",
                self.rng.range(6, 80),
                self.rng.range(3, 15)
            ),
            format!(
                "前期与{}合作完成小试{}批次，样品经第三方检测{}项指标全部合格。",
                self.rng.pick(&[
                    "包头工业技术大学",
                    "北疆稀土研究院",
                    "包头冶金与材料研究所",
                    "包头市装备制造研究院"
                ]),
                self.rng.range(3, 40),
                self.rng.range(4, 19)
            ),
            format!(
                "第{}季度完成{}吨中试料的制备与{}小时连续运行考核。",
                self.rng.pick(&["一", "二", "三", "四"]),
                self.rng.range(5, 300),
                self.rng.range(72, 2000)
            ),
            format!(
                "拟新增{}检测工位和{}套在线监测仪表，形成年产{}万件的能力。",
                self.rng.range(2, 12),
                self.rng.range(3, 30),
                self.rng.range(1, 90)
            ),
            format!(
                "项目团队已获授权发明专利{}件、实用新型{}件，牵头制定团体标准{}项。",
                self.rng.range(1, 20),
                self.rng.range(2, 40),
                self.rng.range(1, 4)
            ),
            format!(
                "预计项目投产后新增销售收入{}万元、利税{}万元，带动就业{}人。",
                self.rng.range(500, 20000),
                self.rng.range(50, 3000),
                self.rng.range(10, 300)
            ),
        ];
        let mut picked: Vec<usize> = (0..frames.len()).collect();
        // Three to five of the sentences, in an order of their own.
        for i in (1..picked.len()).rev() {
            let j = self.rng.below(i + 1);
            picked.swap(i, j);
        }
        let n = 3 + self.rng.below(3);
        picked[..n].iter().map(|&i| frames[i].clone()).collect()
    }
}

/// Generates the whole sample ecosystem.
pub fn generate(cfg: SampleConfig) -> SampleData {
    let counts = Counts::at(cfg.scale);
    let mut g = Gen {
        rng: Rng::new(cfg.seed),
        serial: 0,
    };
    let mut orgs: Vec<Org> = Vec::new();
    let mut organisations = Vec::new();
    let mut pf = Rng::new(cfg.seed ^ 0x0901_1C1E_5FAC_7500);
    let mut policy_facts = Vec::new();
    let district_weights: Vec<f64> = DISTRICTS.iter().map(|d| d.1).collect();
    let sector_weights: Vec<f64> = SECTORS.iter().map(|s| s.weight).collect();
    let sector_total: f64 = sector_weights.iter().sum();

    // Groups and investors that tie local and external firms together (以企引企 paths).
    let groups: Vec<String> = (0..12)
        .map(|_| {
            format!(
                "{}{}集团",
                g.brand(),
                g.rng.pick(&["控股", "实业", "投资", "科技"])
            )
        })
        .collect();
    let investors: Vec<String> = (0..30)
        .map(|_| format!("{}{}创业投资合伙企业", g.brand(), g.brand()))
        .collect();

    // Universities, institutes and intermediaries: a handful, all in the city centre districts.
    let academic: &[(&str, OrgKind, &str, &str)] = &[
        ("包头工业技术大学", OrgKind::University, "150203", "12"),
        ("包头示范师范学院", OrgKind::University, "150204", "12"),
        (
            "包头职业技术学院（示例）",
            OrgKind::University,
            "150207",
            "12",
        ),
        ("北疆稀土研究院", OrgKind::Institute, "150271", "12"),
        ("包头冶金与材料研究所", OrgKind::Institute, "150203", "12"),
        ("包头市装备制造研究院", OrgKind::Institute, "150204", "12"),
        (
            "包头市科技创新服务中心",
            OrgKind::Intermediary,
            "150202",
            "91",
        ),
        (
            "稀土高新区技术转移中心",
            OrgKind::Intermediary,
            "150271",
            "91",
        ),
        (
            "包头市创新创业投资有限公司",
            OrgKind::Investor,
            "150202",
            "91",
        ),
        (
            "包头市科学技术局（示例）",
            OrgKind::Government,
            "150202",
            "11",
        ),
    ];
    for (name, kind, region, prefix) in academic {
        let code = g.credit_code(prefix, region);
        let region = RegionCode::parse(region).expect("Baotou district code");
        let employees = g.rng.range(200, 3000) as u32;
        organisations.push(Organisation {
            credit_code: code.clone(),
            name: name.to_string(),
            kind: *kind,
            region: region.clone(),
            industry: IndustryCode::parse(if *kind == OrgKind::University {
                "8341"
            } else {
                "7320"
            })
            .ok(),
            founded: Some(g.date(1958, 2012)),
            employees: Some(employees),
            rd_staff: None,
            revenue: None,
            rd_spend: Some((g.rng.lognormal(3000.0, 0.5) * 10.0).round() / 10.0),
            high_tech: false,
            specialised: false,
            tech_sme: false,
            products: String::new(),
            address: region.name().replace(' ', ""),
            contact_name: g.person_name(),
            contact_phone: Some(g.phone()),
            group: String::new(),
            shareholders: vec![],
            baotou_founder: false,
            // Derived from the name, not drawn, so the random stream (and the rest of the
            // sample) stays as it was before these fields.
            intermediary_services: if *kind == OrgKind::Intermediary {
                let n = name.chars().count();
                crate::model::INTERMEDIARY_SERVICES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 2 || (i + n) % 3 == 0)
                    .map(|(_, s)| s.to_string())
                    .collect()
            } else {
                vec![]
            },
            service_fields: if *kind == OrgKind::Intermediary {
                vec!["稀土新材料".into(), "装备制造".into(), "冶金".into()]
            } else {
                vec![]
            },
        });
        orgs.push(Org {
            code,
            region,
            industry: None,
            kind: *kind,
            revenue: 0.0,
            sector: None,
            local: true,
        });
    }
    let academic_count = orgs.len();

    // Enterprises: about 45% in the named sectors, the rest across the wider economy.
    for i in 0..counts.enterprises {
        let district = DISTRICTS[g.rng.weighted(&district_weights)].0;
        let in_sector = g.rng.chance(0.45);
        let (industry, word, product, sector, median, ht) = if in_sector {
            let s = g.rng.weighted(&sector_weights);
            let sec = &SECTORS[s];
            (
                sec.industry,
                sec.word,
                *g.rng.pick(sec.products),
                Some(s),
                sec.median_revenue,
                sec.high_tech_rate,
            )
        } else {
            let (ind, word, product) = *g.rng.pick(OTHER_INDUSTRIES);
            (ind, word, product, None, 800.0, 0.03)
        };
        let _ = sector_total;
        let revenue = (g.rng.lognormal(median, 0.9) * 10.0).round() / 10.0;
        let employees = ((revenue / 60.0).sqrt() * 12.0 + g.rng.range(3, 20) as f64).round() as u32;
        let rd_rate = if g.rng.chance(0.6) {
            g.rng.unit() * 0.06
        } else {
            0.0
        };
        let high_tech = g.rng.chance(ht);
        let code = g.credit_code("91", district);
        let name = format!(
            "{}{}{}{}",
            if g.rng.chance(0.7) {
                "包头市"
            } else {
                "内蒙古"
            },
            g.brand(),
            word,
            if revenue > 50000.0 {
                "股份有限公司"
            } else {
                "有限公司"
            }
        );
        let region = RegionCode::parse(district).expect("Baotou district code");
        organisations.push(Organisation {
            credit_code: code.clone(),
            name,
            kind: OrgKind::Enterprise,
            region: region.clone(),
            industry: IndustryCode::parse(industry).ok(),
            founded: Some(g.date(1990, 2025)),
            employees: Some(employees),
            rd_staff: pf.chance(0.8).then(|| {
                let share = if high_tech {
                    0.06 + 0.3 * pf.unit()
                } else {
                    0.25 * pf.unit()
                };
                (employees as f64 * share).round() as u32
            }),
            revenue: Some(revenue),
            rd_spend: Some((revenue * rd_rate * 10.0).round() / 10.0),
            high_tech,
            specialised: high_tech && g.rng.chance(0.3),
            tech_sme: revenue < 20000.0 && g.rng.chance(if high_tech { 0.7 } else { 0.08 }),
            products: product.to_string(),
            address: format!(
                "{}{}路{}号",
                region.name().replace(' ', ""),
                g.brand(),
                i % 300 + 1
            ),
            contact_name: g.person_name(),
            contact_phone: if g.rng.chance(0.8) {
                Some(g.phone())
            } else {
                None
            },
            group: if revenue > 20000.0 && g.rng.chance(0.4) {
                g.rng.pick(&groups).clone()
            } else {
                String::new()
            },
            shareholders: if g.rng.chance(0.2) {
                vec![g.rng.pick(&investors).clone()]
            } else {
                vec![]
            },
            baotou_founder: false,
            intermediary_services: vec![],
            service_fields: vec![],
        });
        if let Some(o) = organisations.last() {
            sample_facts(&mut pf, o, &mut policy_facts);
        }
        orgs.push(Org {
            code,
            region,
            industry: Some(industry.to_string()),
            kind: OrgKind::Enterprise,
            revenue,
            sector,
            local: true,
        });
    }

    // External firms: suppliers of what Baotou buys from outside, and investment candidates.
    for _ in 0..counts.external {
        let (region, city) = *g.rng.pick(EXTERNAL_REGIONS);
        let s = g.rng.weighted(&sector_weights);
        let sec = &SECTORS[s];
        let revenue = (g.rng.lognormal(sec.median_revenue * 3.0, 0.8) * 10.0).round() / 10.0;
        let code = g.credit_code("91", region);
        let product = *g.rng.pick(sec.products);
        let region = RegionCode::parse(region).expect("external region code");
        organisations.push(Organisation {
            credit_code: code.clone(),
            name: format!("{city}{}{}有限公司", g.brand(), sec.word),
            kind: OrgKind::Enterprise,
            region: region.clone(),
            industry: IndustryCode::parse(sec.industry).ok(),
            founded: Some(g.date(1995, 2022)),
            employees: Some(((revenue / 50.0).sqrt() * 15.0) as u32 + 10),
            rd_staff: None,
            revenue: Some(revenue),
            rd_spend: Some((revenue * 0.04 * 10.0).round() / 10.0),
            high_tech: g.rng.chance(sec.high_tech_rate),
            specialised: false,
            tech_sme: false,
            products: product.to_string(),
            address: String::new(),
            contact_name: String::new(),
            contact_phone: None,
            group: if g.rng.chance(0.15) {
                g.rng.pick(&groups).clone()
            } else {
                String::new()
            },
            shareholders: if g.rng.chance(0.3) {
                vec![g.rng.pick(&investors).clone()]
            } else {
                vec![]
            },
            baotou_founder: g.rng.chance(0.1),
            intermediary_services: vec![],
            service_fields: vec![],
        });
        orgs.push(Org {
            code,
            region,
            industry: Some(sec.industry.to_string()),
            kind: OrgKind::Enterprise,
            revenue,
            sector: Some(s),
            local: false,
        });
    }

    let mut records: Vec<Record> = organisations
        .iter()
        .cloned()
        .map(Record::Organisation)
        .collect();
    let local_enterprises: Vec<usize> = (academic_count..orgs.len())
        .filter(|&i| orgs[i].local)
        .collect();
    let mut by_size = local_enterprises.clone();
    by_size.sort_by(|a, b| orgs[*b].revenue.total_cmp(&orgs[*a].revenue));
    let big: Vec<usize> = by_size
        .iter()
        .copied()
        .take((by_size.len() / 20).max(20))
        .collect();

    // Platforms: national few, provincial more, municipal most; hosted by large firms or academia.
    let kinds = [
        PlatformKind::KeyLaboratory,
        PlatformKind::EngineeringResearchCentre,
        PlatformKind::EnterpriseTechnologyCentre,
        PlatformKind::EnterpriseTechnologyCentre,
        PlatformKind::Incubator,
        PlatformKind::InnovationStudio,
        PlatformKind::ManufacturingInnovationCentre,
    ];
    for i in 0..counts.platforms {
        let tier = match i % 10 {
            0 => Tier::National,
            1..=3 => Tier::Provincial,
            _ => Tier::Municipal,
        };
        let host = if g.rng.chance(0.35) {
            g.rng.below(6)
        } else {
            *g.rng.pick(&big)
        };
        let kind = *g.rng.pick(&kinds);
        let topic = g.rng.pick(TOPICS);
        let field = topic.objects[0];
        let tier_word = match tier {
            Tier::National => "国家",
            Tier::Provincial => "内蒙古自治区",
            Tier::Municipal => "包头市",
        };
        let kind_word = match kind {
            PlatformKind::KeyLaboratory => "重点实验室",
            PlatformKind::EngineeringResearchCentre => "工程研究中心",
            PlatformKind::EnterpriseTechnologyCentre => "企业技术中心",
            PlatformKind::Incubator => "科技企业孵化器",
            PlatformKind::InnovationStudio => "劳模创新工作室",
            PlatformKind::ManufacturingInnovationCentre => "制造业创新中心",
        };
        records.push(Record::Platform(Platform {
            id: format!("PF{:06}", i + 1),
            name: format!(
                "{tier_word}{}{kind_word}（{}）",
                topic
                    .discipline
                    .trim_end_matches("工程")
                    .trim_end_matches("科学与"),
                g.brand()
            ),
            kind,
            tier,
            host: orgs[host].code.clone(),
            region: Some(orgs[host].region.clone()),
            field: format!("{}；{}", topic.discipline, field),
            industry: IndustryCode::parse(topic.industry).ok(),
            started: Some(g.date(2008, 2025)),
            status: if g.rng.chance(0.1) {
                PlatformStatus::Building
            } else {
                PlatformStatus::Operating
            },
        }));
    }

    // Experts (mostly academic) and technology managers (at intermediaries).
    for i in 0..counts.experts {
        let tm = i % 10 == 0;
        let host = if tm {
            6 + g.rng.below(2)
        } else if g.rng.chance(0.6) {
            g.rng.below(6)
        } else {
            *g.rng.pick(&big)
        };
        let topic = g.rng.pick(TOPICS);
        let region = orgs[host].region.clone();
        records.push(Record::Person(Person {
            id: format!("PE{:06}", i + 1),
            name: g.person_name(),
            role: if tm {
                PersonRole::TechnologyManager
            } else {
                PersonRole::Expert
            },
            organisation: Some(orgs[host].code.clone()),
            region: Some(region.clone()),
            title: g
                .rng
                .pick(&[
                    "教授",
                    "副教授",
                    "研究员",
                    "高级工程师",
                    "正高级工程师",
                    "工程师",
                ])
                .to_string(),
            disciplines: vec![topic.discipline.to_string()],
            expertise: format!(
                "长期从事{}、{}研究，熟悉{}。",
                g.rng.pick(topic.methods),
                g.rng.pick(topic.objects),
                g.rng.pick(topic.goals)
            ),
            phone: Some(g.phone()),
            id_number: Some(g.id_number(region.as_str())),
            // Certificates of technology managers, from the index (no draw: the stream is kept).
            certificate_no: if tm {
                format!("JSJLR{}{:05}", 2019 + i % 6, i + 1)
            } else {
                String::new()
            },
            certificate_level: if tm {
                crate::model::MANAGER_LEVELS[i % 3].to_string()
            } else {
                String::new()
            },
            certificate_date: if tm {
                Date::new(
                    2019 + (i % 6) as i32,
                    1 + (i % 12) as u8,
                    1 + (i % 27) as u8,
                )
                .ok()
            } else {
                None
            },
        }));
    }

    // Achievements: patents, papers and results owned by academia or innovative firms.
    for i in 0..counts.achievements {
        let owner = if g.rng.chance(0.55) {
            g.rng.below(6)
        } else {
            *g.rng.pick(&local_enterprises)
        };
        let t = g.rng.below(TOPICS.len());
        let topic = &TOPICS[t];
        let (title, text) = g.topic_text(topic);
        let kind = match g.rng.below(20) {
            0..=11 => AchievementKind::Patent,
            12..=16 => AchievementKind::Paper,
            _ => AchievementKind::TechnologyResult,
        };
        records.push(Record::Achievement(Achievement {
            id: format!("AC{:06}", i + 1),
            title,
            kind,
            owners: vec![orgs[owner].code.clone()],
            region: Some(orgs[owner].region.clone()),
            industry: IndustryCode::parse(topic.industry).ok(),
            text,
            trl: Some(g.rng.range(2, 8) as u8),
            year: Some(g.rng.range(2016, 2025) as i32),
        }));
    }

    // Machine shops: small machining firms offering their machines' free hours.
    let shops: Vec<usize> = local_enterprises
        .iter()
        .copied()
        .filter(|&i| matches!(orgs[i].industry.as_deref(), Some("3484" | "3360" | "3311")))
        .take(counts.shops)
        .collect();
    let mut eq = 0;
    for (si, &shop) in shops.iter().enumerate() {
        let machines = 2 + (si * 7 + g.rng.below(3)) % 5; // 2..6, about 4 on average
        for _ in 0..machines {
            eq += 1;
            let (model, processes) = *g.rng.pick(MACHINE_MODELS);
            let cap = g.rng.range(8, 60) as f64;
            records.push(Record::Equipment(Equipment {
                id: format!("EQ{eq:06}"),
                name: model.to_string(),
                kind: EquipmentKind::Machine,
                owner: orgs[shop].code.clone(),
                region: Some(orgs[shop].region.clone()),
                processes: processes.iter().map(|p| p.to_string()).collect(),
                capacity_hours: cap,
                used_hours: (cap * g.rng.unit() * 0.7).round(),
                hourly_cost: Some(g.rng.range(60, 320) as f64),
                materials: {
                    let all = [
                        "碳钢",
                        "合金钢",
                        "不锈钢",
                        "铸铁",
                        "铝合金",
                        "铜",
                        "稀土合金",
                    ];
                    let n = 2 + g.rng.below(4);
                    let start = g.rng.below(all.len());
                    (0..n)
                        .map(|k| all[(start + k) % all.len()].to_string())
                        .collect()
                },
                envelope_mm: {
                    let x = g.rng.range(3, 30) * 50;
                    format!("{}×{}×{}", x, x * 3 / 5, x * 2 / 5)
                },
                tolerance_um: Some(*g.rng.pick(&[5.0, 10.0, 20.0, 50.0, 100.0])),
                description: format!("{}，精度 IT{}", model, g.rng.range(6, 9)),
            }));
        }
    }
    // Delivery history: most shops have delivered jobs, a fifth are new (small order limit).
    let mut dl = 0;
    for (si, &shop) in shops.iter().enumerate() {
        let jobs = if si % 5 == 0 {
            g.rng.below(3)
        } else {
            3 + g.rng.below(15)
        };
        let reliability = 0.6 + g.rng.unit() * 0.4;
        for j in 0..jobs {
            dl += 1;
            records.push(Record::Delivery(Delivery {
                id: format!("DL{dl:06}"),
                shop: orgs[shop].code.clone(),
                order: format!("WO-2025-{:04}", (si * 31 + j) % 10000),
                date: g.date(2024, 2025),
                on_time: g.rng.chance(reliability),
                quality_passed: g.rng.chance(reliability.max(0.85)),
                response_hours: g.rng.range(2, 72) as f64,
                hours: g.rng.range(8, 120) as f64,
            }));
        }
    }
    for _ in 0..(counts.platforms * 2) {
        eq += 1;
        let owner = g.rng.below(6);
        let cap = g.rng.range(4, 30) as f64;
        records.push(Record::Equipment(Equipment {
            id: format!("EQ{eq:06}"),
            name: g.rng.pick(INSTRUMENTS).to_string(),
            kind: EquipmentKind::Instrument,
            owner: orgs[owner].code.clone(),
            region: Some(orgs[owner].region.clone()),
            processes: vec!["检测".into()],
            capacity_hours: cap,
            used_hours: (cap * g.rng.unit() * 0.5).round(),
            hourly_cost: Some(g.rng.range(200, 1200) as f64),
            materials: vec![],
            envelope_mm: String::new(),
            tolerance_um: None,
            description: "共享仪器，可预约".into(),
        }));
    }

    // Demands: problems posted by firms, spread over the workflow; a quarter of the cards vague.
    let statuses = [
        DemandStatus::Posted,
        DemandStatus::Screened,
        DemandStatus::Matched,
        DemandStatus::Contacted,
        DemandStatus::Contracted,
        DemandStatus::Delivered,
    ];
    let bands = [
        BudgetBand::Below50,
        BudgetBand::From50To200,
        BudgetBand::From200To500,
        BudgetBand::From500To1000,
    ];
    for i in 0..counts.demands {
        let org = *g.rng.pick(&big);
        let topic = g.rng.pick(TOPICS);
        let object = g.rng.pick(topic.objects);
        let goal = g.rng.pick(topic.goals);
        let vague = g.rng.chance(0.25);
        let status = statuses[g.rng.weighted(&[0.3, 0.2, 0.2, 0.12, 0.1, 0.08])];
        records.push(Record::Demand(Demand {
            id: format!("DM{:06}", i + 1),
            title: format!("{object}{goal}技术需求"),
            kind: if i % 12 == 0 {
                DemandKind::OpenChallenge
            } else if i % 7 == 0 {
                DemandKind::Procurement
            } else {
                DemandKind::TechnicalProblem
            },
            organisation: orgs[org].code.clone(),
            region: Some(orgs[org].region.clone()),
            industry: orgs[org]
                .industry
                .as_deref()
                .and_then(|c| IndustryCode::parse(c).ok()),
            text: format!(
                "我单位{object}生产中{}，希望通过{}实现{goal}。",
                g.rng
                    .pick(&["良品率偏低", "能耗偏高", "关键工艺依赖外部", "设备故障频繁"]),
                g.rng.pick(topic.methods)
            ),
            goal_metric: if vague {
                String::new()
            } else {
                format!("{goal} ≥ {}%", g.rng.range(5, 30))
            },
            current_state: if vague {
                String::new()
            } else {
                "现有工艺已稳定运行，指标与国内先进水平有差距".into()
            },
            trl_target: if vague {
                None
            } else {
                Some(g.rng.range(5, 8) as u8)
            },
            budget_band: if vague {
                None
            } else {
                Some(*g.rng.pick(&bands))
            },
            deadline: Some(g.date(2026, 2027)),
            ip_terms: if vague {
                String::new()
            } else {
                g.rng
                    .pick(&["成果归需求方所有", "双方共有", "另行协商"])
                    .to_string()
            },
            status,
            manager: None,
        }));
    }

    // Applications: one in sixteen re-files an earlier one elsewhere with light edits.
    let region_of: std::collections::HashMap<CreditCode, RegionCode> = orgs
        .iter()
        .map(|o| (o.code.clone(), o.region.clone()))
        .collect();
    // Programmes (专项) of the city's departments and districts, one per call year.
    let departments = [
        "市科技局",
        "市科技局",
        "市工信局",
        "市发改委",
        "市科技局",
        "昆都仑区科技局",
        "稀土高新区管委会",
        "九原区科技局",
    ];
    let district_of = |d: &str| match d {
        "昆都仑区科技局" => "150203",
        "稀土高新区管委会" => "150271",
        "九原区科技局" => "150207",
        _ => "150200",
    };
    for year in 2023..=2025 {
        for (k, name) in PROGRAMMES.iter().enumerate() {
            records.push(Record::Programme(Programme {
                id: format!("{name}-{year}"),
                name: format!("{year} 年度{}", name.split('-').nth(1).unwrap_or(name)),
                department: departments[k].to_string(),
                year,
                budget: Some((g.rng.range(5, 60) * 100) as f64),
                region: RegionCode::parse(district_of(departments[k])).ok(),
                description: String::new(),
            }));
        }
    }
    let mut earlier: Vec<(String, CreditCode, Vec<TeamMember>, Vec<BudgetLine>)> = Vec::new();
    for i in 0..counts.applications {
        let org = *g.rng.pick(
            &local_enterprises[..local_enterprises
                .len()
                .min(2000 * cfg.scale.max(1) as usize)],
        );
        let year = g.rng.range(2023, 2025) as i32;
        let programme = g.rng.pick(PROGRAMMES).to_string();
        let refile = i > 20 && i % 16 == 0;
        let (title, abstract_text, applicant, team, budget) = if refile {
            let k = g.rng.below(earlier.len());
            let (text, applicant, team, budget) = earlier[k].clone();
            let topic = g.rng.pick(TOPICS);
            let (title, _) = g.topic_text(topic);
            let edited = text.replacen("开展", "进行", 1).replacen("实现", "达到", 1);
            (title, edited, applicant, team, budget)
        } else {
            let topic = g.rng.pick(TOPICS);
            let (title, text) = g.topic_text(topic);
            let (_, more) = g.topic_text(topic);
            let boiler = if g.rng.chance(0.5) {
                *g.rng.pick(BOILERPLATE)
            } else {
                ""
            };
            let detail = g.project_detail(&organisations[org].name);
            let abstract_text = format!("{text}{detail}{more}{boiler}");
            let region = orgs[org].region.as_str().to_string();
            let team: Vec<TeamMember> = (0..g.rng.range(2, 5))
                .map(|j| TeamMember {
                    name: g.person_name(),
                    id_number: g.id_number(&region),
                    role: if j == 0 {
                        "项目负责人".into()
                    } else {
                        "骨干".into()
                    },
                })
                .collect();
            let budget: Vec<BudgetLine> = (0..g.rng.range(2, 5))
                .map(|_| BudgetLine {
                    item: g.rng.pick(BUDGET_ITEMS).to_string(),
                    amount: g.rng.range(5, 200) as f64,
                })
                .collect();
            (title, abstract_text, orgs[org].code.clone(), team, budget)
        };
        if !refile {
            earlier.push((
                abstract_text.clone(),
                applicant.clone(),
                team.clone(),
                budget.clone(),
            ));
        }
        let amount: f64 = budget.iter().map(|b| b.amount).sum();
        let region = region_of.get(&applicant).cloned();
        records.push(Record::Application(Application {
            id: format!("AP{:06}", i + 1),
            title,
            programme: format!("{programme}-{year}"),
            year,
            applicant,
            region,
            amount: Some(amount),
            team,
            budget_lines: budget,
            abstract_text: abstract_text.clone(),
            sections: vec![TextSection {
                heading: "研究内容".into(),
                text: abstract_text,
            }],
        }));
    }

    // Policies: a small set of typical support measures (fictitious wording).
    let policy_templates: &[(&str, &str, PolicyLevel, bool, &str)] = &[
        (
            "高新技术企业认定奖励",
            "包头市科学技术局",
            PolicyLevel::Municipal,
            true,
            "首次认定的高新技术企业",
        ),
        (
            "企业研发投入后补助",
            "包头市科学技术局",
            PolicyLevel::Municipal,
            true,
            "上年度研发投入占营业收入 3% 以上",
        ),
        (
            "专精特新中小企业奖励",
            "包头市工业和信息化局",
            PolicyLevel::Municipal,
            false,
            "认定为专精特新的中小企业",
        ),
        (
            "稀土新材料首批次应用保险补偿",
            "内蒙古自治区工业和信息化厅",
            PolicyLevel::Provincial,
            false,
            "稀土功能材料生产企业",
        ),
        (
            "科技型中小企业研发费用加计扣除",
            "国家税务总局",
            PolicyLevel::National,
            true,
            "入库科技型中小企业",
        ),
        (
            "创新平台建设补助",
            "包头市科学技术局",
            PolicyLevel::Municipal,
            false,
            "新认定的自治区级以上创新平台依托单位",
        ),
        (
            "技术合同登记奖励",
            "包头市科学技术局",
            PolicyLevel::Municipal,
            true,
            "登记技术合同的技术转移机构",
        ),
        (
            "稀土高新区人才引进补贴",
            "稀土高新区管委会",
            PolicyLevel::District,
            false,
            "区内企业引进的高层次人才",
        ),
    ];
    for i in 0..counts.policies {
        let (title, issuer, level, auto, cond) = policy_templates[i % policy_templates.len()];
        let round = i / policy_templates.len() + 1;
        records.push(Record::Policy(Policy {
            id: format!("PO{:06}", i + 1),
            title: format!("{title}（第{round}批）"),
            issuer: issuer.to_string(),
            level,
            region: RegionCode::parse(if level == PolicyLevel::District {
                "150271"
            } else {
                "150200"
            })
            .ok(),
            industries: vec![],
            summary: format!("对符合条件的{cond}给予资金支持。"),
            eligibility: cond.to_string(),
            valid_from: Some(g.date(2024, 2025)),
            valid_to: Some(g.date(2027, 2028)),
            automatic_grant: auto,
            rule: match i % policy_templates.len() {
                0 => "hitech_certification",
                2 => "specialised_sme",
                4 => "tech_sme",
                _ => "",
            }
            .to_string(),
        }));
    }

    // Supply relations: local downstream firms buy from local and external suppliers, per year.
    let sector_firms = |s: usize, local: bool| -> Vec<usize> {
        (academic_count..orgs.len())
            .filter(|&i| orgs[i].sector == Some(s) && orgs[i].local == local)
            .collect()
    };
    // (customer sector, supplier sector, share bought locally in 2023 → 2025)
    let flows: &[(usize, usize, f64, f64)] = &[
        (1, 0, 0.9, 0.9),    // smelting buys concentrate: local
        (2, 1, 0.8, 0.85),   // metals buy oxides
        (3, 2, 0.6, 0.7),    // magnets buy metals
        (6, 3, 0.5, 0.6),    // motors buy magnets
        (9, 3, 0.1, 0.12),   // drive motors (auto parts) buy magnets: mostly from outside (缺)
        (7, 6, 0.3, 0.35),   // wind turbines buy motors
        (8, 9, 0.4, 0.5),    // NEV makers buy parts
        (8, 22, 0.05, 0.3),  // NEV makers buy batteries: local share rising
        (15, 13, 0.2, 0.25), // machining buys from mining machinery
        (13, 15, 0.5, 0.55), // mining machinery buys machined parts
        (13, 10, 0.7, 0.7),  // mining machinery buys steel
        (21, 4, 0.02, 0.02), // PV makers buy polishing powder (from outside)
    ];
    let mut rel = 0;
    for year in [2023, 2024, 2025] {
        for &(cust, sup, share_2023, share_2025) in flows {
            let customers = sector_firms(cust, true);
            let local_sup = sector_firms(sup, true);
            let ext_sup = sector_firms(sup, false);
            let share = share_2023 + (share_2025 - share_2023) * (year - 2023) as f64 / 2.0;
            let product = SECTORS[sup].products[0];
            for &c in customers.iter().take(60 * cfg.scale.max(1) as usize) {
                for _ in 0..2 {
                    let local = g.rng.chance(share) && !local_sup.is_empty();
                    let pool = if local { &local_sup } else { &ext_sup };
                    if pool.is_empty() {
                        continue;
                    }
                    let s = *g.rng.pick(pool);
                    rel += 1;
                    records.push(Record::SupplyRelation(SupplyRelation {
                        id: format!("SR{rel:07}"),
                        supplier: orgs[s].code.clone(),
                        customer: orgs[c].code.clone(),
                        product: product.to_string(),
                        node: None,
                        amount: (g.rng.lognormal(orgs[c].revenue * 0.02 + 10.0, 0.6) * 10.0)
                            .round()
                            / 10.0,
                        year,
                    }));
                }
            }
        }
    }
    let _ = (
        OrgKind::Enterprise,
        orgs.iter()
            .filter(|o| o.kind == OrgKind::University)
            .count(),
    );
    workflow::add(&mut records, cfg.seed);
    sharing::add(&mut records, cfg.seed);
    deals::add(&mut records, cfg.seed);
    leaders::add(&mut records, &mut organisations);
    SampleData {
        organisations,
        records,
        policy_facts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityKind;

    #[test]
    fn deterministic_valid_and_sized() {
        let a = generate(SampleConfig::default());
        let b = generate(SampleConfig::default());
        assert_eq!(a.records.len(), b.records.len());
        assert_eq!(a.records[1234], b.records[1234]);
        let count = |k| a.records.iter().filter(|r| r.kind() == k).count();
        assert_eq!(count(EntityKind::Platform), 60);
        assert_eq!(count(EntityKind::Person), 400);
        assert_eq!(count(EntityKind::Achievement), 3000);
        assert_eq!(count(EntityKind::Demand), 300);
        assert_eq!(count(EntityKind::Application), 800);
        let machines = a
            .records
            .iter()
            .filter(|r| matches!(r, Record::Equipment(e) if e.kind == EquipmentKind::Machine))
            .count();
        assert!((500..=700).contains(&machines), "{machines}");
        assert!(count(EntityKind::SupplyRelation) > 500);
        let kundulun = a
            .organisations
            .iter()
            .filter(|o| o.region.as_str() == "150203" && o.kind == OrgKind::Enterprise)
            .count();
        assert!(kundulun > 1000 && kundulun < 1500, "{kundulun}");
        for r in &a.records {
            r.validate()
                .unwrap_or_else(|e| panic!("{:?}: {e:?}", r.id()));
        }
        // The seed's 龙头企业 under names marked 示例, tied in by supply relations, and every
        // reference resolving in order (organisations first).
        for name in [
            "包钢（示例）集团有限责任公司",
            "白云鄂博（示例）稀土矿业有限公司",
            "北方稀土（示例）高科技股份有限公司",
            "内蒙古一机（示例）集团有限公司",
            "内蒙古北方重工业（示例）集团有限公司",
            "北奔重型汽车（示例）集团有限公司",
        ] {
            let o = a
                .organisations
                .iter()
                .find(|o| o.name == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            let ties = a
                .records
                .iter()
                .filter(|r| {
                    matches!(r, Record::SupplyRelation(s)
                    if s.supplier == o.credit_code || s.customer == o.credit_code)
                })
                .count();
            assert!(ties >= 3, "{name}: {ties} supply relations");
        }
        let first_other = a
            .records
            .iter()
            .position(|r| r.kind() != EntityKind::Organisation)
            .unwrap();
        assert!(a.records[first_other..]
            .iter()
            .all(|r| r.kind() != EntityKind::Organisation));
        let mut ids: Vec<&str> = a.records.iter().map(|r| r.id()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids unique");
    }
}
