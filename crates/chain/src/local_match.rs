//! 本地配套对接: for a node, the local producers paired with the local buyers that still buy the
//! node's products from outside the city — the first remedy a bureau tries, before attracting
//! outside firms. Everything comes from the registry's organisations and supply relations.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::diagnosis::money;
use crate::engine::Engine;
use crate::error::ChainError;

/// How many pairs to propose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalMatchConfig {
    /// Pairs in all.
    pub top_k: usize,
    /// Pairs per buyer, so that one large buyer does not take the whole list.
    pub per_buyer: usize,
    /// Pairs per producer, so that the list names more of the local producers.
    pub per_supplier: usize,
    /// Supplies of this year only; `None` pools all years.
    pub year: Option<u16>,
}

impl Default for LocalMatchConfig {
    fn default() -> Self {
        LocalMatchConfig {
            top_k: 10,
            per_buyer: 3,
            per_supplier: 2,
            year: None,
        }
    }
}

/// A local producer of the node and a local buyer of its products that do not trade yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalPair {
    /// Index into `orgs`.
    pub supplier: u32,
    pub supplier_code: String,
    pub supplier_name: String,
    /// The producer's revenue, 万元.
    pub supplier_revenue: f64,
    /// What the producer already sells of the node's products to local buyers, 万元.
    pub supplier_local_sales: f64,
    pub buyer: u32,
    pub buyer_code: String,
    pub buyer_name: String,
    /// What the buyer buys of the node's products from outside the city, 万元.
    pub buyer_external: f64,
    /// One Chinese sentence saying why the pair is proposed.
    pub reason: String,
}

#[derive(Default, Clone, Copy)]
struct Buyer {
    external: f64,
}

impl Engine {
    /// Local producers × local buyers of `node_key`, most relevant first: buyers by what they buy
    /// from outside (the purchases that could move to a local supplier), producers by what they
    /// already sell locally of the node's products, then by revenue. Pairs that already trade in
    /// the node's products, and a firm paired with itself, are left out.
    pub fn local_pairs(
        &self,
        node_key: &str,
        cfg: &LocalMatchConfig,
    ) -> Result<Vec<LocalPair>, ChainError> {
        let n = self.chains.require_node(node_key)? as u16;
        if cfg.top_k == 0 || cfg.per_buyer == 0 || cfg.per_supplier == 0 {
            return Ok(Vec::new());
        }
        let p = &self.purchases;
        let mut buyers: HashMap<u32, Buyer> = HashMap::new();
        let mut local_sales: HashMap<u32, f64> = HashMap::new();
        let mut trading: HashSet<(u32, u32)> = HashSet::new();
        for i in 0..p.len() {
            if cfg.year.is_some_and(|y| p.year[i] != y) {
                continue;
            }
            let (sup, cus) = (p.supplier[i], p.customer[i]);
            if !self.nodes_of(p.code[i], sup).contains(&n) {
                continue;
            }
            // Purchases are those of local customers only.
            if self.local[sup as usize] {
                *local_sales.entry(sup).or_default() += p.amount[i];
                trading.insert((sup, cus));
            } else {
                buyers.entry(cus).or_default().external += p.amount[i];
            }
        }
        let orgs = &self.input.orgs;
        let mut producers: Vec<u32> = self
            .mapping
            .orgs_of_node(n as usize)
            .iter()
            .copied()
            .filter(|&o| self.local[o as usize])
            .collect();
        let sales = |o: u32| local_sales.get(&o).copied().unwrap_or(0.0);
        producers.sort_by(|&a, &b| {
            sales(b)
                .total_cmp(&sales(a))
                .then(
                    orgs[b as usize]
                        .revenue
                        .total_cmp(&orgs[a as usize].revenue),
                )
                .then(a.cmp(&b))
        });
        let mut buyers: Vec<(u32, Buyer)> = buyers
            .into_iter()
            .filter(|(_, b)| b.external > 0.0)
            .collect();
        buyers.sort_by(|a, b| b.1.external.total_cmp(&a.1.external).then(a.0.cmp(&b.0)));
        let node_name = &self.chains.nodes()[n as usize].name;
        let mut out = Vec::new();
        let mut used: HashMap<u32, usize> = HashMap::new();
        'buyers: for (buyer, b) in buyers {
            let mut taken = 0;
            for &sup in &producers {
                if out.len() >= cfg.top_k {
                    break 'buyers;
                }
                if taken >= cfg.per_buyer {
                    break;
                }
                if sup == buyer
                    || trading.contains(&(sup, buyer))
                    || used.get(&sup).copied().unwrap_or(0) >= cfg.per_supplier
                {
                    continue;
                }
                *used.entry(sup).or_default() += 1;
                let (s, c) = (&orgs[sup as usize], &orgs[buyer as usize]);
                let sold = sales(sup);
                let proof = if sold > 0.0 {
                    format!("已向本地企业供应{node_name} {}", money(sold))
                } else {
                    format!("营业收入 {}", money(s.revenue))
                };
                out.push(LocalPair {
                    supplier: sup,
                    supplier_code: s.credit_code.clone(),
                    supplier_name: s.name.clone(),
                    supplier_revenue: s.revenue,
                    supplier_local_sales: sold,
                    buyer,
                    buyer_code: c.credit_code.clone(),
                    buyer_name: c.name.clone(),
                    buyer_external: b.external,
                    reason: format!(
                        "{} 从市外采购{node_name} {}；本地 {} 生产同类产品（{proof}），双方尚无供货往来",
                        c.name,
                        money(b.external),
                        s.name
                    ),
                });
                taken += 1;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::*;

    fn org(code: &str, name: &str, local: bool, industry: &str, revenue: f64) -> OrgInput {
        OrgInput {
            credit_code: code.into(),
            name: name.into(),
            region: if local {
                "150203".into()
            } else {
                "110105".into()
            },
            local,
            industry: industry.into(),
            products: String::new(),
            employees: 100,
            revenue,
            founded: None,
            baotou_founder: false,
        }
    }

    fn supply(supplier: u32, customer: u32, amount: f64) -> SupplyInput {
        SupplyInput {
            supplier,
            customer,
            node: Some("t/part".into()),
            product: None,
            amount,
            year: 2024,
        }
    }

    fn engine(orgs: Vec<OrgInput>, supplies: Vec<SupplyInput>) -> Engine {
        let model = r#"{"id":"t","name":"测试链","nodes":[
            {"id":"part","name":"零件","position":"upstream","industries":["3484"]},
            {"id":"machine","name":"整机","position":"downstream","industries":["3511"],"supplies":[]}]}"#;
        let set = ChainSet::from_json_texts(&[model]).unwrap();
        let input = ChainInput {
            orgs,
            supplies,
            ..ChainInput::default()
        };
        Engine::build(set, input, MappingConfig::default()).unwrap()
    }

    #[test]
    fn pairs_local_producers_with_buyers_that_buy_outside_biggest_first() {
        let e = engine(
            vec![
                org("A", "本地零件甲", true, "3484", 5_000.0), // 0 producer, sells locally
                org("B", "本地零件乙", true, "3484", 90_000.0), // 1 producer, larger
                org("C", "本地整机丙", true, "3511", 1.0),     // 2 buyer, buys 800 outside
                org("D", "本地整机丁", true, "3511", 1.0),     // 3 buyer, buys 300 outside
                org("X", "市外零件厂", false, "3484", 1_000.0), // 4 outside supplier
            ],
            vec![
                supply(4, 2, 800.0),
                supply(4, 3, 300.0),
                supply(0, 3, 50.0), // 甲 already supplies 丁
            ],
        );
        let pairs = e
            .local_pairs("t/part", &LocalMatchConfig::default())
            .unwrap();
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.supplier_name.as_str(), p.buyer_name.as_str()))
            .collect();
        // 丙 buys more outside, so it comes first; 甲 has proven local sales, so it leads 乙;
        // 甲 × 丁 already trade and is left out.
        assert_eq!(
            got,
            vec![
                ("本地零件甲", "本地整机丙"),
                ("本地零件乙", "本地整机丙"),
                ("本地零件乙", "本地整机丁"),
            ]
        );
        assert!(pairs[0]
            .reason
            .contains("本地整机丙 从市外采购零件 800 万元"));
        assert_eq!(pairs[0].buyer_external, 800.0);
        let one = LocalMatchConfig {
            per_buyer: 1,
            ..LocalMatchConfig::default()
        };
        assert_eq!(e.local_pairs("t/part", &one).unwrap().len(), 2);
        let spread = LocalMatchConfig {
            per_supplier: 1,
            ..LocalMatchConfig::default()
        };
        let got: Vec<(String, String)> = e
            .local_pairs("t/part", &spread)
            .unwrap()
            .into_iter()
            .map(|p| (p.supplier_name, p.buyer_name))
            .collect();
        assert_eq!(
            got,
            vec![
                ("本地零件甲".to_string(), "本地整机丙".to_string()),
                ("本地零件乙".to_string(), "本地整机丙".to_string()),
            ],
            "each producer named once"
        );
        let none = LocalMatchConfig {
            top_k: 1,
            ..LocalMatchConfig::default()
        };
        assert_eq!(e.local_pairs("t/part", &none).unwrap().len(), 1);
        assert!(e.local_pairs("t/nope", &one).is_err());
    }

    #[test]
    fn no_pairs_without_local_producers_or_outside_purchases() {
        let e = engine(
            vec![
                org("C", "本地整机丙", true, "3511", 1.0),
                org("X", "市外零件厂", false, "3484", 1_000.0),
            ],
            vec![supply(1, 0, 800.0)],
        );
        assert!(e
            .local_pairs("t/part", &LocalMatchConfig::default())
            .unwrap()
            .is_empty());
    }
}
