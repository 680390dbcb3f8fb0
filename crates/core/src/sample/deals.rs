//! 技术交易 in the sample: deals from the city's universities, institutes and firms to firms,
//! most brokered by an intermediary and carried by a technology manager, spread over the
//! pipeline from 意向 to 结题/产业化. Drawn from its own random stream so the rest of the sample
//! does not change.

use super::Rng;
use crate::codes::CreditCode;
use crate::entity::Record;
use crate::model::{ContractType, DealStage, OrgKind, PersonRole, TechDeal};
use crate::values::{Date, Labelled};

const PAYMENTS: &[&str] = &["一次总付", "分期支付", "入门费加提成"];

pub(super) fn add(records: &mut Vec<Record>, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x7ec4_dea1_5c0f_fee5);
    let mut academic = Vec::new();
    let mut firms = Vec::new();
    let mut intermediaries = Vec::new();
    for r in records.iter() {
        if let Record::Organisation(o) = r {
            let local = o.region.as_str().starts_with("1502");
            match o.kind {
                OrgKind::University | OrgKind::Institute => academic.push(o.credit_code.clone()),
                OrgKind::Intermediary => intermediaries.push(o.credit_code.clone()),
                OrgKind::Enterprise => firms.push((o.credit_code.clone(), local)),
                _ => {}
            }
        }
    }
    let managers: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            Record::Person(p) if p.role == PersonRole::TechnologyManager => Some(p.id.clone()),
            _ => None,
        })
        .collect();
    let achievements: Vec<(String, Vec<CreditCode>, String)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Achievement(a) => Some((a.id.clone(), a.owners.clone(), a.title.clone())),
            _ => None,
        })
        .collect();
    if academic.is_empty() || firms.len() < 2 || achievements.is_empty() {
        return;
    }
    let n = 60 + firms.len() / 20;
    let mut out = Vec::new();
    for i in 0..n {
        // Sellers: mostly universities and institutes (成果转化), some firms.
        let (seller, title) = if rng.chance(0.7) {
            let a = &achievements[rng.below(achievements.len())];
            match a.1.iter().find(|o| academic.contains(o)) {
                Some(owner) => (owner.clone(), Some(a.clone())),
                None => (academic[rng.below(academic.len())].clone(), None),
            }
        } else {
            (firms[rng.below(firms.len())].0.clone(), None)
        };
        // Buyers: three in four in the city.
        let local = rng.chance(0.75);
        let pool: Vec<&(CreditCode, bool)> = firms
            .iter()
            .filter(|f| f.1 == local && f.0 != seller)
            .collect();
        if pool.is_empty() {
            continue;
        }
        let buyer = pool[rng.below(pool.len())].0.clone();
        let stage = DealStage::ALL[rng.weighted(&[0.12, 0.13, 0.15, 0.2, 0.25, 0.15])];
        let contract_type = if title.is_some() {
            *rng.pick(&[
                ContractType::Transfer,
                ContractType::Licence,
                ContractType::Development,
            ])
        } else {
            *rng.pick(&[
                ContractType::Development,
                ContractType::Consulting,
                ContractType::Service,
            ])
        };
        let brokered = !intermediaries.is_empty() && rng.chance(0.65);
        let year = 2023 + rng.below(4) as i32;
        let month = 1 + rng.below(10) as u8;
        let intent = Date::new(year, month, 1 + rng.below(27) as u8).expect("valid day");
        let signed = stage.signed().then(|| {
            let m = (month + 1 + rng.below(2) as u8).min(12);
            Date::new(year, m, 1 + rng.below(27) as u8).expect("valid day")
        });
        let registered = (stage.stage() >= DealStage::Registered.stage()).then(|| {
            let s = signed.expect("a registered deal is signed");
            Date::new(s.year, s.month, (s.day + 1).min(28)).expect("valid day")
        });
        let amount = (rng.lognormal(80.0, 0.9) * 10.0).round() / 10.0;
        let paid_share = match stage {
            DealStage::Performing => 0.3 + 0.5 * rng.unit(),
            DealStage::Closed => 1.0,
            DealStage::Registered => 0.2 * rng.unit(),
            _ => 0.0,
        };
        let (achievement, what) = match &title {
            Some((id, _, t)) => (Some(id.clone()), t.clone()),
            None => (None, format!("{}项目", contract_type.label())),
        };
        out.push(Record::TechDeal(TechDeal {
            id: format!("TD{:06}", i + 1),
            title: format!("{what}{}合同", contract_type.label()),
            contract_type,
            stage,
            seller,
            buyer,
            intermediary: brokered.then(|| intermediaries[rng.below(intermediaries.len())].clone()),
            manager: (brokered && !managers.is_empty())
                .then(|| managers[rng.below(managers.len().min(12))].clone()),
            achievement,
            demand: None,
            region: None,
            amount: stage.signed().then_some(amount),
            paid: stage
                .signed()
                .then_some((amount * paid_share * 10.0).round() / 10.0),
            payment_terms: rng.pick(PAYMENTS).to_string(),
            royalty: if contract_type == ContractType::Licence {
                format!("销售额 {}%，五年", 2 + rng.below(4))
            } else {
                String::new()
            },
            registration_no: registered
                .map(|d| format!("1502{}{:06}", d.year, 1000 + i))
                .unwrap_or_default(),
            intent_date: intent,
            signed_date: signed,
            registered_date: registered,
            note: "示例数据".into(),
        }));
    }
    records.extend(out);
}
