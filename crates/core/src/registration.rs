//! 技术合同认定登记 exports → tech-deal rows. A registration system's spreadsheet (a title row
//! above the headers, its own column names, 合同类别 with sub-types such as 「技术开发（委托）」,
//! amounts in 元 or 万元, parties by name or credit code, a 合计 row at the bottom) is turned into
//! rows under the registry's own tech-deal headers, so that the one import path checks and
//! writes them all-or-nothing. Every registered contract is at stage 登记 (or later, when the
//! registry already holds it further on); a contract the registry holds (same registration
//! number) is updated, keeping what the export does not say (intermediary, manager, result, the
//! date of intent).

use crate::codes::CreditCode;
use crate::model::{ContractType, DealStage, TechDeal};
use crate::schema::field;
use crate::tabular::{fold_width, Cell, Correction, RowError};
use crate::values::{Date, Labelled};
use crate::EntityKind;
use std::collections::HashMap;

/// The registry field each column of a registration export fills, by the names registration
/// systems use. `*_name` columns name a party the registry resolves to its credit code.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "registration_no",
        &[
            "合同登记号",
            "登记号",
            "合同登记编号",
            "技术合同登记号",
            "技术合同登记编号",
            "登记编号",
        ],
    ),
    ("title", &["合同名称", "技术合同名称", "项目名称"]),
    ("contract_type", &["合同类别", "合同类型", "技术合同类别"]),
    (
        "seller",
        &[
            "卖方统一社会信用代码",
            "卖方信用代码",
            "卖方社会信用代码",
            "卖方组织机构代码",
        ],
    ),
    (
        "seller_name",
        &["卖方名称", "卖方单位名称", "卖方单位", "卖方"],
    ),
    (
        "buyer",
        &[
            "买方统一社会信用代码",
            "买方信用代码",
            "买方社会信用代码",
            "买方组织机构代码",
        ],
    ),
    (
        "buyer_name",
        &["买方名称", "买方单位名称", "买方单位", "买方"],
    ),
    (
        "intermediary",
        &[
            "中介方统一社会信用代码",
            "中介机构统一社会信用代码",
            "中介机构信用代码",
        ],
    ),
    (
        "intermediary_name",
        &["中介方名称", "中介机构名称", "中介方", "中介机构"],
    ),
    (
        "amount",
        &[
            "合同成交额（万元）",
            "合同成交金额（万元）",
            "成交额（万元）",
            "合同金额（万元）",
            "合同成交额（元）",
            "合同成交金额（元）",
            "成交额（元）",
            "合同金额（元）",
            "合同成交额",
            "合同金额",
        ],
    ),
    (
        "paid",
        &[
            "技术交易到账额（万元）",
            "到账金额（万元）",
            "已到账金额（万元）",
            "到账金额（元）",
            "技术交易到账额（元）",
        ],
    ),
    (
        "signed_date",
        &["签订日期", "合同签订日期", "签约日期", "签订时间"],
    ),
    (
        "registered_date",
        &["登记日期", "认定登记日期", "登记时间", "认定日期"],
    ),
    ("payment_terms", &["支付方式", "付款方式"]),
    ("note", &["备注"]),
];

/// What the conversion needs from the registry.
pub trait Registry {
    /// Credit codes of the organisations with exactly this name.
    fn orgs_named(&self, name: &str) -> Vec<String>;
    /// The stored deal with this registration number.
    fn deal_registered(&self, registration_no: &str) -> Option<TechDeal>;
}

/// The converted rows, the corrections made, and each registry header's column in the file.
#[derive(Debug)]
pub struct Converted {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
    pub corrections: Vec<Correction>,
    /// Registry header → the file's header it was read from.
    pub columns: HashMap<String, String>,
    /// File headers no field uses.
    pub ignored: Vec<String>,
}

fn norm(h: &str) -> String {
    fold_width(h)
        .trim()
        .trim_start_matches('*')
        .trim_end_matches('*')
        .replace('(', "（")
        .replace(')', "）")
        .replace([' ', '\u{3000}'], "")
}

fn alias_of(header: &str) -> Option<&'static str> {
    let h = norm(header);
    ALIASES
        .iter()
        .find(|(_, names)| names.iter().any(|n| norm(n) == h))
        .map(|(k, _)| *k)
}

/// Whether a file's headers are a registration export's rather than the registry's own
/// tech-deal template: a registration-number column, and no 交易阶段 / 编号 columns.
pub fn detect(headers: &[String]) -> bool {
    let own = |h: &str| {
        let h = norm(h);
        h == "交易阶段" || h == "stage" || h == "编号" || h == "id"
    };
    headers
        .iter()
        .any(|h| alias_of(h) == Some("registration_no"))
        && !headers.iter().any(|h| own(h))
}

/// A title row above the headers (「2025年度技术合同登记明细表」, the rest empty): the headers are
/// the first data row. Returns the header row to use and how many data rows it consumed.
pub fn header_row(headers: &[String], rows: &[(usize, Vec<Cell>)]) -> Option<Vec<String>> {
    if detect(headers) {
        return None;
    }
    let filled = headers.iter().filter(|h| !h.trim().is_empty()).count();
    let first = rows.first()?;
    let cand: Vec<String> = first.1.iter().map(Cell::display).collect();
    (filled <= 2 && detect(&cand)).then_some(cand)
}

fn contract_type(text: &str) -> Option<ContractType> {
    let t = text.trim();
    if let Some(c) = ContractType::ALL
        .iter()
        .find(|c| c.label() == t || c.code().eq_ignore_ascii_case(t))
    {
        return Some(*c);
    }
    // Sub-types as registration systems write them: 技术开发（委托开发）, 技术转让（专利权）,
    // 专利实施许可, 技术服务（技术培训）, 技术中介 …
    // The leading category decides (技术服务（软件开发） is a service, 技术咨询（开发可行性论证）
    // a consultation); the words inside only when no category leads.
    for (lead, c) in [
        ("技术开发", ContractType::Development),
        ("技术转让", ContractType::Transfer),
        ("技术许可", ContractType::Licence),
        ("技术咨询", ContractType::Consulting),
        ("技术服务", ContractType::Service),
        ("技术中介", ContractType::Service),
        ("技术培训", ContractType::Service),
    ] {
        if t.starts_with(lead) {
            return Some(c);
        }
    }
    let has = |w: &str| t.contains(w);
    if has("开发") {
        Some(ContractType::Development)
    } else if has("转让") {
        Some(ContractType::Transfer)
    } else if has("许可") {
        Some(ContractType::Licence)
    } else if has("咨询") {
        Some(ContractType::Consulting)
    } else if has("服务") || has("培训") || has("中介") {
        Some(ContractType::Service)
    } else {
        None
    }
}

fn amount(cell: &Cell, yuan: bool) -> Result<Option<f64>, String> {
    let v = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if n.is_finite() => *n,
        Cell::Formula => return Err("是公式，文件中没有它的计算结果：请粘贴为数值后再导入".into()),
        other => {
            let t: String = fold_width(&other.display())
                .chars()
                .filter(|c| *c != ',' && !c.is_whitespace())
                .collect();
            if t.is_empty() {
                return Ok(None);
            }
            let (t, unit_yuan) = match t.strip_suffix("万元") {
                Some(x) => (x.to_string(), Some(false)),
                None => match t.strip_suffix('元') {
                    Some(x) => (x.to_string(), Some(true)),
                    None => (t, None),
                },
            };
            let n: f64 = t
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| "应为金额数字".to_string())?;
            return check_amount(Some(if unit_yuan.unwrap_or(yuan) {
                n / 10000.0
            } else {
                n
            }));
        }
    };
    check_amount(Some(if yuan { v / 10000.0 } else { v }))
}

fn check_amount(v: Option<f64>) -> Result<Option<f64>, String> {
    match v {
        Some(x) if x < 0.0 => Err("金额不能为负数".into()),
        Some(x) if x > 1e8 => Err("金额超过 1 亿万元，请检查单位".into()),
        other => Ok(other.map(|x| (x * 10000.0).round() / 10000.0)),
    }
}

fn date(cell: &Cell) -> Result<Option<Date>, String> {
    Ok(match cell {
        Cell::Empty => None,
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => Some(Date::from_excel_serial(*n)?),
        Cell::Formula => return Err("是公式，文件中没有它的计算结果".into()),
        other => {
            let t = other.display();
            if t.is_empty() {
                None
            } else {
                Some(Date::parse(&fold_width(&t))?)
            }
        }
    })
}

/// Converts a registration export (headers as the file gives them, data rows with their row
/// numbers) into rows under the registry's tech-deal headers. Every bad cell is reported with the
/// file's row and column; nothing is returned unless every row converts.
pub fn convert(
    headers: &[String],
    rows: &[(usize, Vec<Cell>)],
    registry: &dyn Registry,
) -> Result<Converted, Vec<RowError>> {
    let mut col: HashMap<&'static str, (usize, String)> = HashMap::new();
    let mut ignored = Vec::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match alias_of(h) {
            Some(k) => {
                if let Some((j, first)) = col.get(k) {
                    errors.push(RowError {
                        row: 1,
                        column: h.clone(),
                        value: String::new(),
                        reason: format!("与第 {} 列「{first}」是同一项：请删除其中一列", j + 1),
                    });
                } else {
                    col.insert(k, (i, h.clone()));
                }
            }
            None if !h.trim().is_empty() => ignored.push(h.clone()),
            None => {}
        }
    }
    for (need, what) in [
        ("registration_no", "合同登记号"),
        ("title", "合同名称"),
        ("contract_type", "合同类别"),
        ("amount", "合同成交额"),
        ("signed_date", "签订日期"),
        ("registered_date", "登记日期"),
    ] {
        if !col.contains_key(need) {
            errors.push(RowError {
                row: 1,
                column: what.into(),
                value: String::new(),
                reason: format!("技术合同登记表缺少「{what}」列"),
            });
        }
    }
    for (code, name, what) in [
        ("seller", "seller_name", "卖方"),
        ("buyer", "buyer_name", "买方"),
    ] {
        if !col.contains_key(code) && !col.contains_key(name) {
            errors.push(RowError {
                row: 1,
                column: format!("{what}名称"),
                value: String::new(),
                reason: format!("技术合同登记表缺少{what}（名称或统一社会信用代码）列"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let yuan = |k: &str| col.get(k).is_some_and(|(_, h)| norm(h).contains("（元）"));
    let (amount_yuan, paid_yuan) = (yuan("amount"), yuan("paid"));
    let cx = Ctx { col: &col };
    let out_keys = [
        "id",
        "title",
        "contract_type",
        "stage",
        "seller",
        "buyer",
        "intermediary",
        "amount",
        "paid",
        "payment_terms",
        "registration_no",
        "intent_date",
        "signed_date",
        "registered_date",
        "note",
    ];
    let out_headers: Vec<String> = out_keys
        .iter()
        .filter_map(|k| field(EntityKind::TechDeal, k).map(|f| f.header.to_string()))
        .collect();
    let mut out_rows = Vec::new();
    let mut corrections = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        let row = *row;
        let first = cells.iter().map(Cell::display).find(|s| !s.is_empty());
        match first.as_deref() {
            None => continue,
            Some(t) if matches!(norm(t).as_str(), "合计" | "总计" | "小计") => {
                corrections.push(Correction {
                    row,
                    column: String::new(),
                    before: t.to_string(),
                    after: String::new(),
                    reason: "合计行不是合同，已跳过".into(),
                });
                continue;
            }
            _ => {}
        }
        macro_rules! bad {
            ($k:expr, $value:expr, $reason:expr $(,)?) => {
                errors.push(RowError {
                    row,
                    column: cx.header_of($k),
                    value: $value,
                    reason: $reason,
                })
            };
        }
        let no = fold_width(&cx.cell(cells, "registration_no").display())
            .replace(char::is_whitespace, "");
        if no.is_empty() {
            bad!("registration_no", String::new(), "登记号不能为空".into());
            continue;
        }
        if let Some(prev) = seen.insert(no.clone(), row) {
            bad!(
                "registration_no",
                no.clone(),
                format!("与第 {prev} 行的登记号重复"),
            );
            continue;
        }
        let ct_text = cx.cell(cells, "contract_type").display();
        let ct = contract_type(&ct_text);
        if ct.is_none() {
            bad!(
                "contract_type",
                ct_text.clone(),
                "不是技术合同类别，应为技术开发、技术转让、技术许可、技术咨询、技术服务（可带子类，如「技术开发（委托）」）".into(),
            );
        } else if ct.map(|c| c.label()) != Some(ct_text.trim()) {
            corrections.push(Correction {
                row,
                column: cx.header_of("contract_type"),
                before: ct_text.clone(),
                after: ct.map(|c| c.label().to_string()).unwrap_or_default(),
                reason: "登记子类归入技术合同五类".into(),
            });
        }
        // Parties: the credit code when given, else the registry's organisation of that name.
        let mut notes = (&mut errors, &mut corrections);
        let seller = cx.party(
            cells,
            row,
            registry,
            &mut notes,
            ("seller", "seller_name", "卖方", true),
        );
        let buyer = cx.party(
            cells,
            row,
            registry,
            &mut notes,
            ("buyer", "buyer_name", "买方", true),
        );
        let intermediary = cx.party(
            cells,
            row,
            registry,
            &mut notes,
            ("intermediary", "intermediary_name", "中介方", false),
        );
        let amount_cell = cx.cell(cells, "amount");
        let amount_v = match amount(&amount_cell, amount_yuan) {
            Ok(Some(v)) if v > 0.0 => {
                if amount_yuan
                    || amount_cell.display().ends_with('元')
                        && !amount_cell.display().ends_with("万元")
                {
                    corrections.push(Correction {
                        row,
                        column: cx.header_of("amount"),
                        before: amount_cell.display(),
                        after: format!("{v}"),
                        reason: "金额由元换算为万元".into(),
                    });
                }
                Some(v)
            }
            Ok(_) => {
                bad!("amount", amount_cell.display(), "合同成交额须大于 0".into());
                None
            }
            Err(e) => {
                bad!("amount", amount_cell.display(), e);
                None
            }
        };
        let paid_cell = cx.cell(cells, "paid");
        let paid_v = match amount(&paid_cell, paid_yuan) {
            Ok(v) => v,
            Err(e) => {
                bad!("paid", paid_cell.display(), e);
                None
            }
        };
        let signed = cx.day(cells, row, &mut errors, "signed_date");
        let registered = cx.day(cells, row, &mut errors, "registered_date");
        if let (Some(s), Some(r)) = (signed, registered) {
            if r < s {
                errors.push(RowError {
                    row,
                    column: cx.header_of("registered_date"),
                    value: r.to_string(),
                    reason: format!("登记日期早于签订日期 {s}"),
                });
            }
        }
        let title = cx.cell(cells, "title").display();
        if title.is_empty() {
            errors.push(RowError {
                row,
                column: cx.header_of("title"),
                value: String::new(),
                reason: "合同名称不能为空".into(),
            });
        }
        let (Some(ct), Some(seller), Some(buyer), Some(amount_v), Some(signed), Some(registered)) =
            (ct, seller, buyer, amount_v, signed, registered)
        else {
            continue;
        };
        let stored = registry.deal_registered(&no);
        let stage = match &stored {
            Some(d) if d.stage.stage() > DealStage::Registered.stage() => d.stage,
            _ => DealStage::Registered,
        };
        let intent = stored
            .as_ref()
            .map(|d| d.intent_date)
            .filter(|d| *d <= signed)
            .unwrap_or(signed);
        let text = |s: String| {
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s)
            }
        };
        let values: Vec<Cell> = vec![
            text(stored.as_ref().map(|d| d.id.clone()).unwrap_or_default()),
            Cell::Text(title),
            Cell::Text(ct.label().into()),
            Cell::Text(stage.label().into()),
            Cell::Text(seller),
            Cell::Text(buyer),
            match intermediary {
                Some(i) => Cell::Text(i),
                None => stored
                    .as_ref()
                    .and_then(|d| d.intermediary.as_ref())
                    .map(|c| Cell::Text(c.as_str().to_string()))
                    .unwrap_or(Cell::Empty),
            },
            Cell::Number(amount_v),
            match paid_v {
                Some(p) => Cell::Number(p),
                None => stored
                    .as_ref()
                    .and_then(|d| d.paid)
                    .map(Cell::Number)
                    .unwrap_or(Cell::Empty),
            },
            text(cx.cell(cells, "payment_terms").display()),
            Cell::Text(no.clone()),
            Cell::Date(intent),
            Cell::Date(signed),
            Cell::Date(registered),
            text(cx.cell(cells, "note").display()),
        ];
        out_rows.push((row, values));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut columns = HashMap::new();
    for k in out_keys {
        if let (Some(f), Some((_, h))) = (field(EntityKind::TechDeal, k), col.get(k)) {
            columns.insert(f.header.to_string(), h.clone());
        }
    }
    for (k, ours) in [
        ("seller_name", "seller"),
        ("buyer_name", "buyer"),
        ("intermediary_name", "intermediary"),
    ] {
        if let (Some(f), Some((_, h))) = (field(EntityKind::TechDeal, ours), col.get(k)) {
            columns
                .entry(f.header.to_string())
                .or_insert_with(|| h.clone());
        }
    }
    Ok(Converted {
        headers: out_headers,
        rows: out_rows,
        corrections,
        columns,
        ignored,
    })
}

/// Where each field is in the file.
struct Ctx<'a> {
    col: &'a HashMap<&'static str, (usize, String)>,
}

type Notes<'a> = (&'a mut Vec<RowError>, &'a mut Vec<Correction>);

impl Ctx<'_> {
    fn cell(&self, cells: &[Cell], k: &str) -> Cell {
        self.col
            .get(k)
            .and_then(|(i, _)| cells.get(*i))
            .cloned()
            .unwrap_or(Cell::Empty)
    }

    fn header_of(&self, k: &str) -> String {
        self.col.get(k).map(|(_, h)| h.clone()).unwrap_or_default()
    }

    fn day(&self, cells: &[Cell], row: usize, errors: &mut Vec<RowError>, k: &str) -> Option<Date> {
        let c = self.cell(cells, k);
        match date(&c) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errors.push(RowError {
                    row,
                    column: self.header_of(k),
                    value: String::new(),
                    reason: "不能为空".into(),
                });
                None
            }
            Err(e) => {
                errors.push(RowError {
                    row,
                    column: self.header_of(k),
                    value: c.display(),
                    reason: e,
                });
                None
            }
        }
    }

    /// A party: the credit code when given, else the registry's organisation of that name.
    fn party(
        &self,
        cells: &[Cell],
        row: usize,
        registry: &dyn Registry,
        notes: &mut Notes<'_>,
        (code_key, name_key, what, required): (&str, &str, &str, bool),
    ) -> Option<String> {
        let code =
            fold_width(&self.cell(cells, code_key).display()).replace(char::is_whitespace, "");
        if !code.is_empty() {
            return match CreditCode::parse(&code.to_uppercase()) {
                Ok(c) => Some(c.as_str().to_string()),
                Err(e) => {
                    notes.0.push(RowError {
                        row,
                        column: self.header_of(code_key),
                        value: code,
                        reason: format!("统一社会信用代码无效：{e}"),
                    });
                    None
                }
            };
        }
        let name = self.cell(cells, name_key).display();
        if name.is_empty() {
            if required {
                notes.0.push(RowError {
                    row,
                    column: if self.col.contains_key(code_key) {
                        self.header_of(code_key)
                    } else {
                        self.header_of(name_key)
                    },
                    value: String::new(),
                    reason: format!("{what}的名称和统一社会信用代码都为空"),
                });
            }
            return None;
        }
        let found = registry.orgs_named(name.trim());
        match found.as_slice() {
            [c] => {
                notes.1.push(Correction {
                    row,
                    column: self.header_of(name_key),
                    before: name.clone(),
                    after: c.clone(),
                    reason: format!("{what}按名称对应到登记库中的单位"),
                });
                Some(c.clone())
            }
            [] => {
                notes.0.push(RowError {
                    row,
                    column: self.header_of(name_key),
                    value: name.clone(),
                    reason: format!(
                        "登记库中没有名为「{name}」的单位：请先登记该单位，或在表中填写{what}统一社会信用代码"
                    ),
                });
                None
            }
            _ => {
                notes.0.push(RowError {
                    row,
                    column: self.header_of(name_key),
                    value: name.clone(),
                    reason: format!(
                        "登记库中有 {} 家单位名为「{name}」：请填写{what}统一社会信用代码",
                        found.len()
                    ),
                });
                None
            }
        }
    }
}

#[cfg(test)]
mod contract_type_tests {
    use super::*;

    #[test]
    fn the_leading_category_decides_the_contract_type() {
        assert_eq!(
            contract_type("技术服务（软件开发）"),
            Some(ContractType::Service)
        );
        assert_eq!(
            contract_type("技术咨询（开发可行性论证）"),
            Some(ContractType::Consulting)
        );
        assert_eq!(
            contract_type("技术开发（委托开发）"),
            Some(ContractType::Development)
        );
        assert_eq!(contract_type("专利实施许可"), Some(ContractType::Licence));
        assert_eq!(
            contract_type("技术转让（专利权）"),
            Some(ContractType::Transfer)
        );
        assert_eq!(contract_type("其他"), None);
    }
}
