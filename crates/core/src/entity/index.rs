//! `Record::index`: the columns the store indexes each kind by (name, region, industry path,
//! subkind, tier, flags, search text, sort number).

use super::{IndexFields, Record};
use crate::values::Labelled;

impl Record {
    /// What the store indexes this record by.
    pub fn index(&self) -> IndexFields {
        let reg =
            |r: &Option<crate::values::RegionCode>| r.as_ref().map(|c| c.as_str().to_string());
        let ind = |i: &Option<crate::values::IndustryCode>| i.as_ref().map(|c| c.path());
        match self {
            Record::Organisation(r) => {
                let mut flags = vec![];
                if r.high_tech {
                    flags.push("high_tech");
                }
                if r.specialised {
                    flags.push("specialised");
                }
                if r.tech_sme {
                    flags.push("tech_sme");
                }
                if r.baotou_founder {
                    flags.push("baotou_founder");
                }
                IndexFields {
                    name: r.name.clone(),
                    region: Some(r.region.as_str().to_string()),
                    industry_path: ind(&r.industry),
                    subkind: Some(r.kind.code()),
                    tier: None,
                    flags,
                    text: format!(
                        "{} {} {} {} {}",
                        r.credit_code,
                        r.products,
                        r.address,
                        r.group,
                        r.shareholders.join(" ")
                    ),
                    number: r.revenue,
                }
            }
            Record::Platform(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: Some(r.tier.code()),
                flags: vec![r.status.code()],
                text: r.field.clone(),
                number: None,
            },
            Record::Person(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.role.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.title, r.disciplines.join(" "), r.expertise),
                number: None,
            },
            Record::Achievement(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![],
                text: r.text.clone(),
                number: r.year.map(f64::from),
            },
            Record::Equipment(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {}", r.processes.join(" "), r.description),
                number: Some(r.capacity_hours),
            },
            Record::Demand(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: ind(&r.industry),
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![r.status.code()],
                text: format!("{} {}", r.text, r.goal_metric),
                number: None,
            },
            Record::Application(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.programme, r.year, r.abstract_text),
                number: r.amount,
            },
            Record::Policy(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.level.code()),
                tier: None,
                flags: if r.automatic_grant {
                    vec!["automatic_grant"]
                } else {
                    vec![]
                },
                text: format!("{} {} {}", r.issuer, r.summary, r.eligibility),
                number: None,
            },
            Record::ChainNode(r) => IndexFields {
                name: r.name.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.position.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.chain, r.chain_name, r.keywords.join(" ")),
                number: None,
            },
            Record::SupplyRelation(r) => IndexFields {
                name: r.product.clone(),
                region: None,
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.supplier, r.customer, r.year),
                number: Some(r.amount),
            },
            Record::GapAction(r) => IndexFields {
                name: r.title.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.kind.code()),
                tier: None,
                flags: vec![r.status.code()],
                text: format!("{} {} {} {}", r.node, r.gap, r.owner, r.note),
                number: None,
            },
            Record::DemandResponse(r) => IndexFields {
                name: format!("{} → {}", r.solver, r.demand),
                region: None,
                industry_path: None,
                subkind: Some(r.solver_type.code()),
                tier: None,
                flags: vec![r.outcome.code()],
                text: format!("{} {}", r.proposal, r.feedback),
                number: None,
            },
            Record::Delivery(r) => IndexFields {
                name: r.order.clone(),
                region: None,
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![if r.on_time { "on_time" } else { "late" }],
                text: format!("{} {}", r.shop, r.date),
                number: Some(r.hours),
            },
            Record::Programme(r) => IndexFields {
                name: r.name.clone(),
                region: r.region.as_ref().map(|c| c.as_str().to_string()),
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.id, r.department, r.year),
                number: r.budget,
            },
            Record::SharedService(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.service_type.code()),
                tier: None,
                flags: if r.operator_required {
                    vec!["operator_required"]
                } else {
                    vec![]
                },
                text: format!(
                    "{} {} {} {}",
                    r.measures,
                    r.sample_requirements,
                    r.owner,
                    r.equipment.as_deref().unwrap_or("")
                ),
                number: r.fee_local,
            },
            Record::VoucherProgramme(r) => IndexFields {
                name: r.name.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: None,
                tier: None,
                flags: vec![],
                text: format!("{} {} {}", r.department, r.year, r.description),
                number: Some(r.budget),
            },
            Record::TechDeal(r) => IndexFields {
                name: r.title.clone(),
                region: reg(&r.region),
                industry_path: None,
                subkind: Some(r.contract_type.code()),
                tier: None,
                flags: vec![r.stage.code()],
                text: format!(
                    "{} {} {} {} {}",
                    r.registration_no,
                    r.seller,
                    r.buyer,
                    r.intermediary.as_ref().map(|c| c.as_str()).unwrap_or(""),
                    r.note
                ),
                number: r.amount,
            },
            Record::ChainMapping(r) => IndexFields {
                name: r.node.clone(),
                region: None,
                industry_path: None,
                subkind: Some(r.decision.code()),
                tier: None,
                flags: vec![],
                text: format!("{} {}", r.organisation, r.note),
                number: None,
            },
        }
    }
}
