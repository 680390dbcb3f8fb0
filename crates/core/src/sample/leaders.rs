//! The city's 龙头企业 in the sample, under fictitious-but-recognisable names marked 示例: a steel
//! group that mines and separates rare earths (with its mine at Bayan Obo and its rare-earth
//! company), a vehicle group, a heavy-machinery group and a heavy-truck maker, tied together as one
//! group where they are one, and to local suppliers and customers by supply relations, so that the
//! chain map, the alias dictionary and referral paths look like the city they name.
//!
//! Added after every other sample record from fixed data (no random draws), so the rest of the
//! sample is exactly as before and the leaders are the same at every scale and seed.

use crate::codes::CreditCode;
use crate::entity::Record;
use crate::model::{OrgKind, Organisation, SupplyRelation};
use crate::values::{Date, IndustryCode, RegionCode};

/// One leading enterprise: name, district, GB/T 4754 class, revenue (万元), employees, products,
/// group.
struct Leader {
    key: &'static str,
    name: &'static str,
    region: &'static str,
    industry: &'static str,
    revenue: f64,
    employees: u32,
    products: &'static str,
    group: &'static str,
}

const STEEL_GROUP: &str = "包钢（示例）集团";

const LEADERS: &[Leader] = &[
    Leader {
        key: "steel",
        name: "包钢（示例）集团有限责任公司",
        region: "150203",
        industry: "3120",
        revenue: 9_800_000.0,
        employees: 42_000,
        products:
            "炼钢、特钢、合金钢、稀土钢、钢轨、无缝钢管；白云鄂博稀土矿开采、稀土精矿、冶炼分离（铁与稀土共伴生矿的综合利用）",
        group: STEEL_GROUP,
    },
    Leader {
        key: "mine",
        name: "白云鄂博（示例）稀土矿业有限公司",
        region: "150206",
        industry: "0932",
        revenue: 1_200_000.0,
        employees: 3_600,
        products: "稀土原矿、稀土矿开采、铁矿石、稀土精矿、稀土选矿",
        group: STEEL_GROUP,
    },
    Leader {
        key: "rare_earth",
        name: "北方稀土（示例）高科技股份有限公司",
        region: "150271",
        industry: "3232",
        revenue: 3_300_000.0,
        employees: 10_000,
        products: "冶炼分离、稀土氧化物、氧化镨钕、萃取分离、镨钕金属、稀土抛光粉、储氢合金",
        group: STEEL_GROUP,
    },
    Leader {
        key: "vehicle",
        name: "内蒙古一机（示例）集团有限公司",
        region: "150204",
        industry: "3712",
        revenue: 2_600_000.0,
        employees: 16_000,
        products: "铁路货车、车辆配件、特种车辆、车桥、底盘、汽车零部件",
        group: "",
    },
    Leader {
        key: "heavy",
        name: "内蒙古北方重工业（示例）集团有限公司",
        region: "150204",
        industry: "3511",
        revenue: 1_500_000.0,
        employees: 8_000,
        products: "矿山机械、大型矿用自卸车、冶金设备、轧机、铸钢件、锻件、特钢",
        group: "",
    },
    Leader {
        key: "truck",
        name: "北奔重型汽车（示例）集团有限公司",
        region: "150204",
        industry: "3612",
        revenue: 1_100_000.0,
        employees: 5_000,
        products: "重型卡车、新能源重卡、纯电动重卡、氢燃料电池汽车",
        group: "",
    },
];

/// Supply relations among the leaders: (supplier, customer, product, 万元). Like every sample
/// supply they name no chain node: the sample is written before the chain models, and the chain
/// engine places the firms by industry and products.
const LEADER_SUPPLIES: &[(&str, &str, &str, f64)] = &[
    ("mine", "rare_earth", "稀土精矿", 420_000.0),
    ("mine", "steel", "铁矿石", 380_000.0),
    ("steel", "heavy", "特钢", 65_000.0),
    ("steel", "vehicle", "合金钢", 48_000.0),
    ("heavy", "steel", "冶金设备", 22_000.0),
    ("heavy", "mine", "矿山机械", 18_000.0),
    ("vehicle", "truck", "车桥", 26_000.0),
];

/// Local partners by class: (leader, partner class, leader sells, product, 万元, how many).
const LOCAL_TIES: &[(&str, &str, bool, &str, f64, usize)] = &[
    // The rare-earth company sells separated metals to the city's magnet makers.
    ("rare_earth", "3985", true, "镨钕金属", 3_200.0, 6),
    // Local auto-parts makers supply the vehicle group and the truck maker.
    ("vehicle", "3670", false, "汽车零部件", 1_800.0, 5),
    ("truck", "3670", false, "底盘", 1_500.0, 4),
    // Machining and castings firms supply the heavy-machinery group.
    ("heavy", "3391", false, "铸钢件", 1_200.0, 4),
];

/// A credit code in a serial space of its own (`LD…`), checked against the codes in use.
fn code(region: &str, i: usize, used: &std::collections::HashSet<String>) -> Option<CreditCode> {
    const B31: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    for bump in 0..31usize {
        let a = B31[(i + bump) % 31] as char;
        let first17 = format!("91{region}MALD0{a}00{}", i % 10);
        if let Ok(c) = CreditCode::with_check_digit(&first17) {
            if !used.contains(c.as_str()) {
                return Some(c);
            }
        }
    }
    None
}

/// Adds the leaders (organisations, inserted after the other organisations so references resolve
/// in order) and their supply relations (at the end).
pub(super) fn add(records: &mut Vec<Record>, organisations: &mut Vec<Organisation>) {
    let used: std::collections::HashSet<String> = organisations
        .iter()
        .map(|o| o.credit_code.as_str().to_string())
        .collect();
    let mut codes: Vec<(&str, CreditCode)> = Vec::new();
    let mut new_orgs = Vec::new();
    for (i, l) in LEADERS.iter().enumerate() {
        let (Some(c), Ok(region)) = (code(l.region, i, &used), RegionCode::parse(l.region)) else {
            continue;
        };
        codes.push((l.key, c.clone()));
        new_orgs.push(Organisation {
            credit_code: c,
            name: l.name.to_string(),
            kind: OrgKind::Enterprise,
            region: region.clone(),
            industry: IndustryCode::parse(l.industry).ok(),
            founded: Date::parse(
                [
                    "1954-01-01",
                    "1956-06-01",
                    "1997-09-01",
                    "1954-09-01",
                    "1954-06-01",
                    "1988-03-01",
                ][i % 6],
            )
            .ok(),
            employees: Some(l.employees),
            rd_staff: Some(l.employees / 12),
            revenue: Some(l.revenue),
            rd_spend: Some((l.revenue * 0.018).round()),
            high_tech: true,
            specialised: false,
            tech_sme: false,
            products: l.products.to_string(),
            address: format!("{}（示例地址）", region.name().replace(' ', "")),
            contact_name: "示例联系人".to_string(),
            contact_phone: None,
            group: l.group.to_string(),
            shareholders: vec![],
            baotou_founder: false,
            intermediary_services: vec![],
            service_fields: vec![],
        });
    }
    let of = |key: &str| {
        codes
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c.clone())
    };
    // Local partners: the first enterprises of a class in the city, by credit code (fixed data).
    let mut local: Vec<&Organisation> = organisations
        .iter()
        .filter(|o| o.kind == OrgKind::Enterprise && o.region.as_str().starts_with("1502"))
        .collect();
    local.sort_by(|a, b| a.credit_code.as_str().cmp(b.credit_code.as_str()));
    let mut supplies: Vec<(CreditCode, CreditCode, &str, f64)> = Vec::new();
    for &(a, b, product, amount) in LEADER_SUPPLIES {
        if let (Some(s), Some(c)) = (of(a), of(b)) {
            supplies.push((s, c, product, amount));
        }
    }
    for &(leader, class, sells, product, amount, n) in LOCAL_TIES {
        let Some(l) = of(leader) else { continue };
        let partners = local
            .iter()
            .filter(|o| o.industry.as_ref().is_some_and(|i| i.as_str() == class))
            .take(n);
        for p in partners {
            let (s, c) = if sells {
                (l.clone(), p.credit_code.clone())
            } else {
                (p.credit_code.clone(), l.clone())
            };
            supplies.push((s, c, product, amount));
        }
    }
    // Organisations go right after the other organisations (references resolve in order).
    let at = records
        .iter()
        .position(|r| !matches!(r, Record::Organisation(_)))
        .unwrap_or(records.len());
    for (k, o) in new_orgs.iter().enumerate() {
        records.insert(at + k, Record::Organisation(o.clone()));
    }
    organisations.extend(new_orgs);
    let mut serial = records
        .iter()
        .filter_map(|r| match r {
            Record::SupplyRelation(s) => s.id.strip_prefix("SR")?.parse::<u64>().ok(),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for year in [2023, 2024, 2025] {
        for (s, c, product, amount) in &supplies {
            serial += 1;
            let grow = 1.0 + 0.06 * (year - 2023) as f64;
            records.push(Record::SupplyRelation(SupplyRelation {
                id: format!("SR{serial:07}"),
                supplier: s.clone(),
                customer: c.clone(),
                product: product.to_string(),
                node: None,
                amount: (amount * grow * 10.0).round() / 10.0,
                year,
            }));
        }
    }
}
