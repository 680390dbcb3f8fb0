//! 开放共享 in the sample: every shared instrument offered as a service with terms and opening
//! hours, a few testing and design services of the institutes, and the city's innovation-voucher
//! programmes. Drawn from its own random stream so the rest of the sample does not change.
//! (Bookings and claims are not registry records: `innomesh demo` adds them through the
//! application core, see `innomesh_app::sharing::seed_sample`.)

use super::Rng;
use crate::entity::Record;
use crate::model::{EquipmentKind, OrgKind, ServiceType, SharedService, VoucherProgramme};
use crate::values::RegionCode;

/// What each instrument of the catalogue offers: (service name, what it measures, sample rule).
fn offer(instrument: &str) -> (&'static str, &'static str, &'static str) {
    match instrument {
        "电感耦合等离子体发射光谱仪" => (
            "稀土元素分析（ICP-OES）",
            "稀土元素分析：镧、铈、镨、钕等 15 种稀土元素及钙、铁、硅等杂质元素含量测定，稀土氧化物配分分析",
            "固体样品 ≥ 5 g，液体样品 ≥ 50 mL，注明预计含量范围",
        ),
        "扫描电子显微镜" => (
            "微观形貌与能谱分析（SEM-EDS）",
            "材料断口、晶粒与晶界形貌观察，微区成分能谱分析，失效分析",
            "导电或可喷金的块状、粉末样品，尺寸 ≤ 20 mm",
        ),
        "X 射线衍射仪" => (
            "物相分析（XRD）",
            "物相定性与定量分析、晶粒尺寸与残余应力测定",
            "粉末 ≥ 1 g 或平整块样",
        ),
        "振动样品磁强计" => (
            "磁性能测试（VSM）",
            "磁滞回线、饱和磁化强度、矫顽力测定，永磁与软磁材料磁性能",
            "样品质量 10–500 mg",
        ),
        "热重分析仪" => (
            "热分析（TG-DSC）",
            "热稳定性、分解温度、氧化增重测定",
            "样品 5–20 mg",
        ),
        "激光粒度分析仪" => (
            "粒度分布测试",
            "粉体粒度分布、比表面积估算，稀土抛光粉与磁粉粒度",
            "粉末 ≥ 2 g",
        ),
        "万能材料试验机" => (
            "力学性能测试",
            "拉伸、压缩、弯曲强度与延伸率测定",
            "按国标加工的标准试样",
        ),
        "直读光谱仪" => (
            "金属成分分析（直读光谱）",
            "钢铁、铝合金等金属材料化学成分快速分析",
            "平整金属块样，直径 ≥ 15 mm",
        ),
        "永磁材料测量系统" => (
            "永磁材料磁性能测量",
            "钕铁硼等永磁体剩磁、矫顽力、最大磁能积测量，高温退磁曲线",
            "圆柱或方块样品，尺寸按测量线圈要求",
        ),
        _ => ("仪器共享服务", "仪器共享使用", ""),
    }
}

/// An instrument of the sample: id, name, owner, region, hourly cost.
type Instrument = (
    String,
    String,
    crate::codes::CreditCode,
    Option<RegionCode>,
    Option<f64>,
);

const TEMPLATES: &[&str] = &[
    "周一至周五 8:30-12:00；周一至周五 14:00-17:30",
    "周一至周五 9:00-17:00",
    "周一至周六 9:00-17:00",
    "周二、四 9:00-16:00",
];

pub(super) fn add(records: &mut Vec<Record>, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x0be5_4a7e_5e7c_0de5);
    let institutes: Vec<(crate::codes::CreditCode, RegionCode)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Organisation(o) if o.kind == OrgKind::Institute => {
                Some((o.credit_code.clone(), o.region.clone()))
            }
            _ => None,
        })
        .collect();
    let instruments: Vec<Instrument> = records
        .iter()
        .filter_map(|r| match r {
            Record::Equipment(e) if e.kind == EquipmentKind::Instrument => Some((
                e.id.clone(),
                e.name.clone(),
                e.owner.clone(),
                e.region.clone(),
                e.hourly_cost,
            )),
            _ => None,
        })
        .collect();
    let mut n = 0;
    for (id, name, owner, region, cost) in instruments {
        n += 1;
        let (service, measures, sample) = offer(&name);
        let fee = cost.unwrap_or(400.0);
        let closed = if rng.chance(0.3) {
            vec!["2027-01-01".to_string(), "2027-02-17".to_string()]
        } else {
            vec![]
        };
        records.push(Record::SharedService(SharedService {
            id: format!("SS{n:06}"),
            name: service.to_string(),
            service_type: ServiceType::Instrument,
            owner,
            equipment: Some(id),
            region,
            measures: measures.to_string(),
            sample_requirements: sample.to_string(),
            fee_internal: Some((fee * 0.5).round()),
            fee_local: Some(fee),
            fee_outside: Some((fee * 1.3).round()),
            lead_days: Some(rng.range(0, 3) as u32),
            operator_required: rng.chance(0.7),
            open_hours: rng.pick(TEMPLATES).to_string(),
            closed_dates: closed,
            contact: format!("0472-{}", 5_100_000 + rng.range(0, 899_999)),
        }));
    }
    for (i, (owner, region)) in institutes.iter().enumerate() {
        for (t, name, measures) in [
            (
                ServiceType::Testing,
                "稀土产品质量检验检测",
                "稀土氧化物、稀土金属及合金产品按国标、行标检验，出具检测报告",
            ),
            (
                ServiceType::Design,
                "新材料工艺研发设计",
                "稀土功能材料配方设计、工艺路线设计与中试方案编制",
            ),
        ] {
            if t == ServiceType::Design && i % 2 == 1 {
                continue;
            }
            n += 1;
            records.push(Record::SharedService(SharedService {
                id: format!("SS{n:06}"),
                name: name.to_string(),
                service_type: t,
                owner: owner.clone(),
                equipment: None,
                region: Some(region.clone()),
                measures: measures.to_string(),
                sample_requirements: String::new(),
                fee_internal: Some(300.0),
                fee_local: Some(600.0),
                fee_outside: Some(800.0),
                lead_days: Some(2),
                operator_required: true,
                open_hours: "周一至周五 9:00-17:00".into(),
                closed_dates: vec![],
                contact: format!("0472-{}", 5_100_000 + rng.range(0, 899_999)),
            }));
        }
    }
    for (k, year) in (2025..=2027).enumerate() {
        records.push(Record::VoucherProgramme(VoucherProgramme {
            id: format!("VP{:06}", k + 1),
            name: format!("{year} 年度包头市科技创新券（示例）"),
            department: "市科技局".into(),
            year,
            share: 0.5,
            cap_per_enterprise: 50_000.0,
            budget: 300.0,
            region: None,
            max_employees: Some(1000),
            max_revenue: Some(400_000.0),
            service_types: vec![],
            description: "先用后补：中小企业使用共享仪器和检验检测服务后，按实际费用的 50% 补贴，每家企业每年最多 5 万元".into(),
        }));
    }
    records.push(Record::VoucherProgramme(VoucherProgramme {
        id: format!("VP{:06}", 4),
        name: "2026 年度稀土高新区检验检测创新券（示例）".into(),
        department: "稀土高新区".into(),
        year: 2026,
        share: 0.3,
        cap_per_enterprise: 20_000.0,
        budget: 50.0,
        region: RegionCode::parse("150271").ok(),
        max_employees: Some(300),
        max_revenue: None,
        service_types: vec!["testing".into(), "instrument".into()],
        description: "稀土高新区企业检验检测费用按 30% 补贴".into(),
    }));
}
