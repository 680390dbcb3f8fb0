//! `/api/openapi.json`, generated from the entity schemas and the error table so it cannot drift
//! from the code. Every route of the API routers is described here (a test checks both ways), with
//! its path and query parameters, its body and every status it can answer.

use axum::Json;
use innomesh_app::Code;
use innomesh_core::model::SolverType;
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::{EntityKind, Labelled};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// GB 32100 unified social credit code: 18 characters; the check digit is verified by the server
/// (a code of this shape with a wrong check digit answers 422).
pub const CREDIT_CODE_PATTERN: &str = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$";
/// A file format as `Format::guess` reads it: `csv`, `xlsx` or a file name ending so.
const FORMAT_PATTERN: &str = "^(.*\\.)?([cC][sS][vV]|[xX][lL][sS][xX])$";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every spelling of a GB/T 2260 code that `Regions::resolve` accepts, exactly: a province as 2,
/// 4 or 6 digits, a city as 4 or 6, a county as 6, a township as 9, or 12 digits starting with a
/// township's 9 (village level). Written as one alternation rather than an `enum`: a fuzzer's
/// coverage phase sends every member of an enum (thousands of requests per parameter), while a
/// pattern is sampled; either way a code the server refuses cannot match.
fn region_alternatives() -> String {
    use innomesh_core::reference::{regions, RegionLevel};
    let mut codes = std::collections::BTreeSet::new();
    let mut townships = Vec::new();
    for r in regions().all() {
        codes.insert(r.code.clone());
        match r.level {
            RegionLevel::Province => {
                codes.insert(r.code[..2].to_string());
                codes.insert(r.code[..4].to_string());
            }
            RegionLevel::City => {
                codes.insert(r.code[..4].to_string());
            }
            RegionLevel::County => {}
            RegionLevel::Township => townships.push(r.code.clone()),
        }
    }
    townships.sort();
    format!(
        "{}|({})[0-9]{{3}}",
        codes.into_iter().collect::<Vec<_>>().join("|"),
        townships.join("|")
    )
}

/// Every spelling of a GB/T 4754-2017 code that `Industries::resolve` accepts: a section letter,
/// a division, group or class code, or that code after its own section letter, in either case.
fn industry_alternatives() -> String {
    use innomesh_core::reference::industries;
    let mut codes = std::collections::BTreeSet::new();
    for i in industries().all() {
        let section = &i.path[..1];
        let letter = format!("[{}{}]", section, section.to_ascii_lowercase());
        if i.level == 1 {
            codes.insert(letter);
        } else {
            codes.insert(format!("{letter}?{}", i.code));
        }
    }
    codes.into_iter().collect::<Vec<_>>().join("|")
}

fn region_code_schema() -> Value {
    json!({"type": "string",
           "description": "GB/T 2260 行政区划代码（省 2/4/6 位、市 4/6 位、县 6 位、乡镇 9 位或 12 位），只接受代码表中有的",
           "pattern": format!("^({})$", region_alternatives())})
}

fn industry_code_schema() -> Value {
    json!({"type": "string",
           "description": "GB/T 4754-2017 行业代码：门类字母、大类 2 位、中类 3 位、小类 4 位，或门类字母加数字（如 C3985），只接受分类表中有的",
           "pattern": format!("^({})$", industry_alternatives())})
}

fn code_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A region or industry query filter: a code, or empty (as an HTML form sends it) for none.
/// A comma-separated list of record kinds, by plural name or code: exactly what the search
/// accepts (`api::search::parse`).
fn kind_list() -> Value {
    let names: Vec<&str> = EntityKind::ALL
        .iter()
        .flat_map(|k| [k.plural(), k.code()])
        .collect();
    let one = format!("({})", names.join("|"));
    json!({"type": "string", "pattern": format!("^({one}(,{one})*)?$")})
}

/// A calendar date `YYYY-MM-DD` in the years the server accepts (1900–2100, `innomesh_core::Date`),
/// as a pattern that admits real dates only (month lengths, leap years): a query parameter the
/// server reads as a date.
const DATE_PATTERN: &str = "^(((19|20)[0-9]{2}|2100)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|((19|20)(0[48]|[2468][048]|[13579][26])|2000)-02-29)$";

fn date_param() -> Value {
    json!({"type": "string", "pattern": DATE_PATTERN, "description": "日期 YYYY-MM-DD（1900–2100 年）"})
}

fn code_filter(name: &str) -> Value {
    let alternatives = if name == "RegionCode" {
        region_alternatives()
    } else {
        industry_alternatives()
    };
    json!({"type": "string", "pattern": format!("^({alternatives})?$")})
}

fn field_schema(ty: FieldType, help: &str, header: &str, nullable: bool) -> Value {
    let mut s = match ty {
        FieldType::Choice(choices) => {
            let c = choices();
            let mut codes: Vec<Value> = c.iter().map(|(code, _)| json!(code)).collect();
            if nullable {
                codes.push(Value::Null);
            }
            json!({"type": "string", "enum": codes,
                   "x-labels": c.iter().map(|(_, l)| *l).collect::<Vec<_>>()})
        }
        FieldType::Team => json!({"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "id_number": {"type": "string"}, "role": {"type": "string"}}}}),
        FieldType::Budget => json!({"type": "array", "items": {"type": "object", "properties": {
            "item": {"type": "string"}, "amount": {"type": "number"}}}}),
        FieldType::Sections => json!({"type": "array", "items": {"type": "object", "properties": {
            "heading": {"type": "string"}, "text": {"type": "string"}}}}),
        FieldType::CreditCodeList => {
            json!({"type": "array", "items": {"type": "string", "pattern": CREDIT_CODE_PATTERN}})
        }
        FieldType::IndustryList => {
            json!({"type": "array", "items": code_ref("IndustryCode")})
        }
        FieldType::TextList | FieldType::RefList(_) => {
            json!({"type": "array", "items": {"type": "string"}})
        }
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::CreditCode => json!({"type": "string", "pattern": CREDIT_CODE_PATTERN}),
        FieldType::Region => json!({"allOf": [code_ref("RegionCode")]}),
        FieldType::Industry => json!({"allOf": [code_ref("IndustryCode")]}),
        other => json!({"type": other.json_type()}),
    };
    s["title"] = json!(header);
    if !help.is_empty() {
        s["description"] = json!(help);
    }
    if nullable {
        s["nullable"] = json!(true);
    }
    s
}

fn record_schema(kind: EntityKind) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    if kind != EntityKind::Organisation && kind != EntityKind::ChainNode {
        props.insert(
            "id".into(),
            json!({"type": "string", "title": "编号", "description": "创建时可省略，由系统生成"}),
        );
    }
    for f in fields(kind) {
        props.insert(
            f.key.into(),
            field_schema(f.ty, f.help, f.header, !f.required),
        );
        if f.required {
            required.push(f.key);
        }
    }
    json!({"type": "object", "title": kind.label(), "properties": props, "required": required})
}

fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema})
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": schema})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn pattern(p: &str) -> Value {
    json!({"type": "string", "pattern": p})
}

fn int(min: u64, max: u64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

fn json_ok(description: &str, schema: Value) -> (u16, Value) {
    (
        200,
        json!({"description": description, "content": {"application/json": {"schema": schema}}}),
    )
}

fn file_ok(description: &str, types: &[&str]) -> (u16, Value) {
    let content: Map<String, Value> = types
        .iter()
        .map(|t| {
            (
                t.to_string(),
                json!({"schema": {"type": "string", "format": "binary"}}),
            )
        })
        .collect();
    (200, json!({"description": description, "content": content}))
}

fn object() -> Value {
    json!({"type": "object"})
}

/// `innomesh_app::transfer::ImportOutcome` as the import answers it.
fn import_outcome() -> Value {
    let count = json!({"type": "integer", "minimum": 0});
    let strings = json!({"type": "array", "items": string()});
    json!({
        "type": "object",
        "required": ["kind", "rows", "created", "updated", "ignored_columns", "corrections", "corrections_total"],
        "properties": {
            "kind": string(),
            "rows": count,
            "created": count,
            "updated": count,
            "ignored_columns": strings,
            "corrections": {"type": "array", "items": {
                "type": "object",
                "required": ["row", "column", "before", "after", "reason"],
                "properties": {
                    "row": {"type": "integer", "minimum": 1},
                    "column": string(),
                    "before": string(),
                    "after": string(),
                    "reason": string(),
                },
            }},
            "corrections_total": count,
        },
    })
}

/// What every JSON write can answer besides its own errors: a broken or too large body, a body
/// that is not declared as JSON, a write from another site, fields the schema cannot judge
/// (check digits, code tables, references).
const WRITE: &[Code] = &[
    Code::BadJson,
    Code::Forbidden,
    Code::PayloadTooLarge,
    Code::UnsupportedMediaType,
    Code::InvalidField,
];

struct Op {
    method: &'static str,
    summary: String,
    tag: &'static str,
    params: Vec<Value>,
    body: Option<Value>,
    ok: (u16, Value),
    errors: Vec<Code>,
}

impl Op {
    fn new(method: &'static str, tag: &'static str, summary: impl Into<String>) -> Self {
        Op {
            method,
            summary: summary.into(),
            tag,
            params: vec![],
            body: None,
            ok: (200, json!({"description": "成功"})),
            errors: vec![],
        }
    }
    fn params(mut self, p: Vec<Value>) -> Self {
        self.params.extend(p);
        self
    }
    fn body(mut self, b: Value) -> Self {
        self.body = Some(b);
        self
    }
    fn ok(mut self, ok: (u16, Value)) -> Self {
        self.ok = ok;
        self
    }
    fn errors(mut self, codes: &[Code]) -> Self {
        for c in codes {
            if !self.errors.contains(c) {
                self.errors.push(*c);
            }
        }
        self
    }

    fn build(self) -> Value {
        let mut responses = Map::new();
        responses.insert(self.ok.0.to_string(), self.ok.1);
        let mut by_status: BTreeMap<u16, Vec<Code>> = BTreeMap::new();
        for c in &self.errors {
            by_status.entry(c.status()).or_default().push(*c);
        }
        for (status, codes) in by_status {
            let description: Vec<String> = codes
                .iter()
                .map(|c| format!("{}：{}", c.as_str(), c.description()))
                .collect();
            responses.insert(
                status.to_string(),
                json!({"description": description.join("；"),
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        let mut op = json!({"summary": self.summary, "tags": [self.tag], "responses": responses});
        if !self.params.is_empty() {
            op["parameters"] = json!(self.params);
        }
        if let Some(b) = self.body {
            op["requestBody"] = b;
        }
        op
    }
}

fn list_params(kind: EntityKind) -> Vec<Value> {
    let mut out = vec![
        query(
            "region",
            "行政区划代码，含所有下级（15 / 1502 = 包头市 / 150203）；代码表中没有的答 400",
            code_filter("RegionCode"),
        ),
        query(
            "industry",
            "行业代码，含所有下级（C、C39、3985）；代码表中没有的答 400",
            code_filter("IndustryCode"),
        ),
        query("kind", "类型代码", string()),
        query("tier", "级别：municipal / provincial / national", string()),
        query(
            "flag",
            "标记：high_tech / specialised / tech_sme / 状态代码",
            string(),
        ),
        query("q", "名称或文本包含", string()),
        query("text", "同 q", string()),
        query(
            "sort",
            "排序",
            json!({"type": "string", "enum": ["", "id", "name", "number", "-number", "updated", "-updated"]}),
        ),
        query("page", "页码", int(1, 1_000_000)),
        query("per_page", "每页条数", int(1, 1000)),
        personal(),
    ];
    if kind == EntityKind::Organisation {
        out.push(query(
            "chain",
            "产业链编号（如 rare_earth）：挂在该链任一节点上的组织（按产业链引擎的挂链结果）；空值即不筛选；没有该产业链答 422（unknown_reference）",
            pattern("^([a-z0-9_]{1,64})?$"),
        ));
        out.push(query(
            "node",
            "产业链节点编号（如 rare_earth.magnet）：挂在该节点上的组织；空值即不筛选；没有该节点、或不属于 chain 所指的产业链答 422（unknown_reference）",
            pattern("^([a-z0-9_]{1,64}[./][a-z0-9_]{1,64})?$"),
        ));
    }
    out
}

fn personal() -> Value {
    query(
        "personal",
        "full = 显示完整的个人信息（电话、身份证号）；默认打码",
        string(),
    )
}

fn year() -> Value {
    query("year", "年份（可选）", int(1949, 2100))
}

fn id_param() -> Value {
    path_param("id", "记录编号（组织为统一社会信用代码）", string())
}

/// `/api/demands/{id}/matches`: the matching page's lines (`innomesh_app::matching::BrokerHit`).
fn matches_schema() -> Value {
    let text = string();
    let opt = || json!({"type": "string", "nullable": true});
    let unit = json!({"type": "number", "minimum": 0, "maximum": 1});
    let evidence = json!({
        "type": "object",
        "required": ["matched_terms", "collaborations", "lexical", "semantic"],
        "properties": {
            "matched_terms": {"type": "array", "description": "命中词：只含有信息量的词（不含单字、纯数字与虚词）", "items": {
                "type": "object", "required": ["term", "field"], "properties": {
                    "term": text, "field": {"type": "string", "description": "命中的字段：name / text / disciplines"},
                    "via_alias": {"type": "string", "description": "经别名命中时，需求中的原词"}}}},
            "discipline": {"type": "string"},
            "industry": {"type": "object", "required": ["query", "candidate", "level"], "properties": {
                "query": text, "candidate": text, "level": {"type": "string", "enum": ["门类", "大类", "中类", "小类"]}}},
            "chain_node": {"type": "string"},
            "collaborations": {"type": "array", "items": {"type": "object", "required": ["partner", "title"], "properties": {
                "partner": text, "title": text, "year": {"type": "integer"}}}},
            "lexical": unit, "semantic": unit}
    });
    json!({
        "type": "object",
        "required": ["demand", "title", "card_issues", "hits"],
        "properties": {
            "demand": text, "title": text,
            "card_issues": {"type": "array", "items": object()},
            "hits": {"type": "array", "description": "未指定 type 时按相关度排序并兼顾类型多样（只在相关的候选中调配）；同一单位相近成果、同型仪器合并为一行", "items": {
                "type": "object",
                "required": ["id", "kind", "name", "score", "organisation", "organisation_name", "district", "district_name", "tier", "contact", "service", "reason", "folded", "evidence"],
                "properties": {
                    "id": text,
                    "kind": {"type": "string", "enum": ["expert", "platform", "achievement", "equipment"]},
                    "name": text,
                    "score": {"type": "number", "description": "引擎的相关度得分（列表兼顾类型多样，后一行可能略高）"},
                    "organisation": {"type": "string", "nullable": true, "description": "所属单位统一社会信用代码"},
                    "organisation_name": opt(),
                    "district": {"type": "string", "nullable": true, "description": "所在区县代码（GB/T 2260）"},
                    "district_name": opt(),
                    "tier": {"type": "string", "description": "级别：平台级别与类型、专家职称、成果类型与成熟度、仪器共享机时"},
                    "contact": {"type": "string", "description": "联系途径"},
                    "service": {"type": "string", "nullable": true, "description": "可预约的开放共享服务编号（仪器）"},
                    "reason": {"type": "string", "description": "推荐理由（一句话）"},
                    "folded": {"type": "array", "description": "合并进本行的记录：同一单位相近成果，或其他单位的同型仪器", "items": {
                        "type": "object", "required": ["id", "name", "organisation_name"], "properties": {
                            "id": text, "name": text, "organisation_name": opt()}}},
                    "evidence": evidence}}}}
    })
}

fn top() -> Value {
    query("top", "最多返回条数，默认 20", int(1, 200))
}

/// `(path, operations)`, in document order.
fn operations() -> Vec<(String, Vec<Op>)> {
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let name = format!("{kind:?}");
        let tag = kind.label();
        let r = json!({"$ref": format!("#/components/schemas/{name}")});
        let base = format!("/api/{}", kind.plural());
        let page = json!({"type": "object", "required": ["kind", "total", "page", "per_page", "items"], "properties": {
            "kind": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
            "per_page": {"type": "integer"}, "items": {"type": "array", "items": r}}});
        out.push((
            base.clone(),
            vec![
                Op::new("get", tag, format!("{tag}列表"))
                    .params(list_params(kind))
                    .ok(json_ok("分页结果", page))
                    .errors(if kind == EntityKind::Organisation {
                        &[Code::InvalidQuery, Code::UnknownReference]
                    } else {
                        &[Code::InvalidQuery]
                    }),
                Op::new("post", tag, format!("新建{tag}"))
                    .body(json_body(r.clone()))
                    .ok((
                        201,
                        json!({"description": "已创建", "content": {"application/json": {"schema": r}}}),
                    ))
                    .errors(WRITE)
                    .errors(&[Code::UnknownReference, Code::Conflict])
                    // A demand or a deal is created at its workflow's first stage.
                    .errors(if innomesh_app::workflow::status_field(kind).is_some() {
                        &[Code::StatusNotInitial]
                    } else {
                        &[]
                    }),
            ],
        ));
        out.push((
            format!("{base}/{{id}}"),
            vec![
                Op::new("get", tag, format!("读取{tag}"))
                    .params(vec![id_param(), personal()])
                    .ok(json_ok("记录", r.clone()))
                    .errors(&[Code::InvalidQuery, Code::NotFound]),
                Op::new("put", tag, format!("更新{tag}"))
                    .params(vec![id_param()])
                    .body(json_body(r.clone()))
                    .ok(json_ok("已更新", r.clone()))
                    .errors(WRITE)
                    .errors(&[Code::UnknownReference, Code::NotFound, Code::Conflict]),
                Op::new("delete", tag, format!("删除{tag}"))
                    .params(vec![id_param()])
                    .ok((204, json!({"description": "已删除"})))
                    .errors(&[Code::Forbidden, Code::NotFound, Code::Referenced]),
            ],
        ));
        if kind == EntityKind::Organisation {
            out.push((
                format!("{base}/{{id}}/relations"),
                vec![Op::new("get", tag, "组织的关联记录（引用它的所有记录）")
                    .params(vec![path_param(
                        "id",
                        "统一社会信用代码",
                        pattern(CREDIT_CODE_PATTERN),
                    )])
                    .ok(json_ok("{organisation, relations}", object()))
                    .errors(&[Code::InvalidQuery, Code::NotFound])],
            ));
        }
        out.push((
            format!("{base}/import"),
            vec![Op::new(
                "post",
                tag,
                format!("导入{tag}（CSV 或 XLSX，全部成功或全部不写入）"),
            )
            .params(vec![
                query(
                    "format",
                    "文件格式；省略时按内容判断",
                    pattern(FORMAT_PATTERN),
                ),
                query("filename", "来源文件名（记入审计日志）", string()),
            ])
            .body(json!({"required": true, "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}}}}))
            .ok(json_ok(
                "导入结果；corrections 列出「已自动修正」的单元格（去除首尾空格、全角或小写的代码、千位分隔符、日期写法），最多 1000 条，corrections_total 为总数",
                import_outcome(),
            ))
            .errors(&[
                Code::InvalidQuery,
                Code::BadFile,
                Code::Forbidden,
                Code::PayloadTooLarge,
                Code::UnsupportedFormat,
                Code::UnsupportedMediaType,
                Code::ImportRejected,
                Code::UnknownReference,
                Code::InvalidField,
                Code::Conflict,
                Code::TooManyRequests,
            ])],
        ));
        let format_q = query(
            "format",
            "csv 或 xlsx（默认 xlsx）；空值或其他值答 415",
            pattern(FORMAT_PATTERN),
        );
        out.push((
            format!("{base}/export"),
            vec![Op::new(
                "get",
                tag,
                format!("导出{tag}：按与列表相同的筛选条件（q、region、industry、kind、tier、flag，组织另有 chain、node）导出符合条件的全部记录，文件首行写明「筛选条件：……」（名称而非代码）"),
            )
                .params({
                    let mut p = vec![format_q.clone()];
                    p.extend(list_params(kind));
                    p
                })
                .ok(file_ok("文件", &["text/csv", XLSX]))
                .errors(if kind == EntityKind::Organisation {
                    &[
                        Code::InvalidQuery,
                        Code::UnknownReference,
                        Code::UnsupportedFormat,
                    ]
                } else {
                    &[Code::InvalidQuery, Code::UnsupportedFormat]
                })],
        ));
        out.push((
            format!("{base}/template"),
            vec![Op::new("get", tag, format!("下载{tag}导入模板"))
                .params(vec![format_q])
                .ok(file_ok("导入模板", &["text/csv", XLSX]))
                .errors(&[Code::InvalidQuery, Code::UnsupportedFormat])],
        ));
    }
    let parent = |d: &str, codes: &str| vec![query("parent", d, code_filter(codes))];
    out.push((
        "/api/regions".into(),
        vec![Op::new(
            "get",
            "代码表",
            "行政区划（GB/T 2260）：parent 的下级，省略时为各省",
        )
        .params(parent("上级区划代码", "RegionCode"))
        .ok(json_ok("{parent, items}", object()))
        .errors(&[Code::InvalidQuery])],
    ));
    out.push((
        "/api/industries".into(),
        vec![Op::new(
            "get",
            "代码表",
            "国民经济行业分类（GB/T 4754-2017）：parent 的下级，省略时为门类",
        )
        .params(parent("上级行业代码", "IndustryCode"))
        .ok(json_ok("{items}", object()))
        .errors(&[Code::InvalidQuery])],
    ));
    out.push((
        "/api/stats".into(),
        vec![
            Op::new("get", "代码表", "各类记录总数").ok(json_ok("{counts, sample_data}", object()))
        ],
    ));
    let kinds: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
    out.push((
        "/api/audit".into(),
        vec![Op::new("get", "审计", "审计日志（只增不改）")
            .params(vec![
                query("kind", "记录类型", json!({"type": "string", "enum": kinds})),
                query("id", "记录编号", string()),
                query("limit", "最多条数，默认 100", int(1, 10_000)),
            ])
            .ok(json_ok("{entries}", object()))
            .errors(&[Code::InvalidQuery, Code::UnknownKind])],
    ));
    let chain = || path_param("chain", "产业链编号（如 rare_earth）", string());
    let code = || path_param("code", "统一社会信用代码", string());
    let tag = "产业链";
    out.push((
        "/api/chains".into(),
        vec![Op::new("get", tag, "产业链列表及诊断汇总")
            .params(vec![year()])
            .ok(json_ok("{chains, years}", object()))
            .errors(&[Code::InvalidQuery])],
    ));
    out.push((
        "/api/chains/rules".into(),
        vec![
            Op::new("get", tag, "诊断规则与阈值").ok(json_ok("规则", object())),
            Op::new("put", tag, "修改诊断规则与阈值（整份规则 JSON）")
                .body(json_body(object()))
                .ok(json_ok("保存后的规则", object()))
                .errors(WRITE),
        ],
    ));
    out.push((
        "/api/chains/simulate".into(),
        vec![
            Op::new("post", tag, "影响模拟：目标企业落地某链节点后的变化")
                .body(json_body(
                    json!({"type": "object", "required": ["target", "node"], "properties": {
                "target": {"type": "string", "description": "目标企业统一社会信用代码"},
                "node": {"type": "string", "description": "链节点编号，如 rare_earth.magnet"}}}),
                ))
                .ok(json_ok("模拟结果", object()))
                .errors(WRITE)
                .errors(&[Code::UnknownReference]),
        ],
    ));
    out.push((
        "/api/chains/referral/{code}".into(),
        vec![
            Op::new("get", tag, "以企引企：从本地企业到目标企业的最短关系路径")
                .params(vec![code()])
                .ok(json_ok("{target, path}", object()))
                .errors(&[Code::NotFound]),
        ],
    ));
    out.push((
        "/api/chains/org/{code}".into(),
        vec![
            Op::new("get", tag, "一个组织挂在哪些链节点上，置信度与理由")
                .params(vec![code()])
                .ok(json_ok("{organisation, nodes}", object()))
                .errors(&[Code::NotFound]),
        ],
    ));
    out.push((
        "/api/chains/{chain}".into(),
        vec![Op::new(
            "get",
            tag,
            "一条产业链的诊断报告：节点指标、诊断结论及依据、缺口台账、招商目标",
        )
        .params(vec![chain(), year()])
        .ok(json_ok("诊断报告", object()))
        .errors(&[Code::InvalidQuery, Code::NotFound])],
    ));
    out.push((
        "/api/chains/{chain}/report".into(),
        vec![Op::new("get", tag, "产业链诊断报告 XLSX")
            .params(vec![chain(), year()])
            .ok(file_ok("XLSX 报告", &[XLSX]))
            .errors(&[Code::InvalidQuery, Code::NotFound])],
    ));
    out.push((
        "/api/chains/{chain}/nodes/{node}".into(),
        vec![
            Op::new("get", tag, "链节点详情：指标、结论、挂链企业及挂链理由")
                .params(vec![
                    chain(),
                    path_param("node", "节点编号（magnet 或 rare_earth.magnet）", string()),
                    year(),
                ])
                .ok(json_ok("{node, report, firms}", object()))
                .errors(&[Code::InvalidQuery, Code::NotFound, Code::InvalidField]),
        ],
    ));
    let tag = "资金";
    out.push((
        "/api/funding/overview".into(),
        vec![Op::new(
            "get",
            tag,
            "资金一盘棋：按专项、部门、旗县区、链节点、申报单位汇总",
        )
        .params(vec![year()])
        .ok(json_ok("汇总", object()))
        .errors(&[Code::InvalidQuery])],
    ));
    let app_id = |name: &str, what: &str| {
        path_param(
            name,
            what,
            json!({"type": "string", "minLength": 1, "maxLength": 64}),
        )
    };
    out.push((
        "/api/funding/duplicates".into(),
        vec![Op::new(
            "get",
            tag,
            "重复申报审查：跨专项、跨年度的疑似重复申报，按类别分组（正文相同、成员相同、预算相同），组内按 sort 排序；申报单位、专项给出名称；默认不含已排除的",
        )
        .params(vec![
            query(
                "sort",
                "组内排序：score（重复程度，默认）、applicant（申报单位名称）、year（年度，新的在前）、programme（专项名称）",
                json!({"type": "string", "enum": innomesh_app::duplicates::ReviewSort::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()}),
            ),
            query(
                "kind",
                "只看一类：text（正文相同）、people（同一单位、成员相同）、budget（预算科目相同）",
                json!({"type": "string", "enum": innomesh_app::duplicates::ReviewKind::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()}),
            ),
            query(
                "decision",
                "审查状态：active（待审查和已确认，默认）、open（待审查）、confirmed（已确认重复）、excluded（已排除）、decided（已审查）、all（全部）",
                json!({"type": "string", "enum": innomesh_app::duplicates::DecisionFilter::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()}),
            ),
            query("offset", "跳过的对数，默认 0", int(0, 10_000_000)),
            query(
                "limit",
                "最多返回的对数，默认 200（0 也按 200）",
                int(0, innomesh_app::duplicates::MAX_LIMIT as u64),
            ),
        ])
        .ok(json_ok(
            "{total, applications, counts: {text, people, budget}, open, confirmed, excluded, offset, limit, pairs: [{a, b, kind, kinds, score, decision, pair}]}；a、b 含 applicant（信用代码）与 applicant_name（单位名称）、programme_name、正文计数（counted_chars 不含套话，reused_chars 为标黄的复用句，reuse = reused_chars ÷ counted_chars）；decision 为 null 表示待审查",
            object(),
        ))
        .errors(&[Code::InvalidQuery])],
    ));
    out.push((
        "/api/funding/duplicates/{a}/{b}".into(),
        vec![Op::new(
            "get",
            tag,
            "一对疑似重复申报（两个编号顺序不限）：双方正文、标黄的复用句（reused_a/reused_b）与灰色的套话（boilerplate_a/boilerplate_b）的字符区间、按字数的复用比例、共同成员（脱敏）、重复的预算科目、审查决定及其记录",
        )
        .params(vec![
            app_id("a", "申报编号，例如 AP000002"),
            app_id("b", "另一份申报的编号"),
        ])
        .ok(json_ok(
            "{a, b, kind, kinds, score, pair, text_a, text_b, reused_a, reused_b, boilerplate_a, boilerplate_b, decision, history, may_decide}",
            object(),
        ))
        .errors(&[Code::NotFound])],
    ));
    out.push((
        "/api/funding/duplicates/{a}/{b}/decision".into(),
        vec![Op::new(
            "post",
            tag,
            "审查决定：确认重复（confirmed）或排除（excluded，须写理由）；记入审计日志；市级工作人员可审查全部，部门工作人员审查本部门专项涉及的；再次决定即取代上一次（记录保留）",
        )
        .params(vec![
            app_id("a", "申报编号，例如 AP000002"),
            app_id("b", "另一份申报的编号"),
        ])
        .body(json_body(json!({"type": "object", "required": ["decision"], "additionalProperties": false, "properties": {
            "decision": {"type": "string", "enum": ["confirmed", "excluded"], "description": "confirmed = 确认重复，excluded = 排除"},
            "reason": {"type": "string", "maxLength": innomesh_app::duplicates::MAX_REASON_CHARS, "description": "理由；排除时必填"}}})))
        .ok(json_ok(
            "保存的决定 {seq, app_a, app_b, decision, reason, score, decided_by, decided_role, decided_at}",
            object(),
        ))
        .errors(WRITE)
        .errors(&[Code::NotFound])],
    ));
    out.push((
        "/api/funding/check-draft".into(),
        vec![Op::new(
            "post",
            tag,
            "申报前自查：草稿（申报书 JSON，不保存）只与本单位以往申报比对",
        )
        .body(json_body(
            json!({"$ref": "#/components/schemas/Application"}),
        ))
        .ok(json_ok("{applicant, overlaps}", object()))
        .errors(WRITE)],
    ));
    let tag = "政策找企业";
    let rule = || {
        path_param(
            "rule",
            "政策规则编号（如 hitech_certification）",
            pattern("^[A-Za-z0-9_]+$"),
        )
    };
    let org = || {
        path_param(
            "code",
            "企业的统一社会信用代码",
            pattern(CREDIT_CODE_PATTERN),
        )
    };
    out.push((
        "/api/policy-rules".into(),
        vec![Op::new("get", tag, "政策规则列表：依据、版本、关联政策")
            .ok(json_ok("{rules}", object()))],
    ));
    out.push((
        "/api/policy-rules/{rule}".into(),
        vec![
            Op::new("get", tag, "一条政策规则：条件（中文）、事实、YAML 全文")
                .params(vec![rule()])
                .ok(json_ok("规则", object()))
                .errors(&[Code::NotFound]),
            Op::new(
                "put",
                tag,
                "保存规则的新版本（科技局）：先校验，有误时答 422 并指出行号",
            )
            .params(vec![rule()])
            .body(json_body(json!({"type": "object", "required": ["yaml"], "additionalProperties": false, "properties": {
                "yaml": {"type": "string", "description": "规则全文（YAML，格式同 data/policies/）"},
                "note": {"type": "string", "nullable": true, "maxLength": 500, "description": "修改说明"}}})))
            .ok(json_ok("保存后的规则", object()))
            .errors(WRITE)
            .errors(&[Code::NotFound]),
        ],
    ));
    out.push((
        "/api/policy-rules/{rule}/history".into(),
        vec![Op::new("get", tag, "规则的修改记录（科技局保存的各版本）")
            .params(vec![rule()])
            .ok(json_ok("{rule, versions}", object()))
            .errors(&[Code::NotFound])],
    ));
    out.push((
        "/api/policy-rules/{rule}/matches".into(),
        vec![Op::new(
            "get",
            tag,
            "政策找企业：符合（免申即享）、差一项、待补充（快申快享）的企业及其判定依据",
        )
        .params(vec![
            rule(),
            query(
                "list",
                "只看一张名单：eligible（符合）、near_miss（差一项）、unknown（待补充）；不填则三张都给",
                json!({"type": "string", "enum": ["eligible", "near_miss", "unknown"]}),
            ),
            query("offset", "每张名单跳过的企业数，默认 0", int(0, 10_000_000)),
            query("limit", "每张名单最多企业数，默认 100", int(0, 1000)),
        ])
        .ok(json_ok(
            "{counts, offset, limit, automatic, near_miss, unknown}（counts 给出各名单的总数）",
            object(),
        ))
        .errors(&[Code::NotFound, Code::InvalidField, Code::InvalidQuery])],
    ));
    out.push((
        "/api/policy-rules/{rule}/export".into(),
        vec![Op::new(
            "get",
            tag,
            "名单 XLSX（中文表头：免申即享、差一项、快申快享三张表）",
        )
        .params(vec![rule()])
        .ok(file_ok("XLSX", &[XLSX]))
        .errors(&[Code::NotFound, Code::InvalidField])],
    ));
    out.push((
        "/api/policy-rules/{rule}/assessment".into(),
        vec![Op::new(
            "get",
            tag,
            "政策评估：按旗县区、行业的符合数，差一项企业卡在哪一条，待补充企业缺哪些事实",
        )
        .params(vec![rule()])
        .ok(json_ok("评估", object()))
        .errors(&[Code::NotFound, Code::InvalidField])],
    ));
    let org_policies = || {
        Op::new(
            "get",
            tag,
            "企业找政策：每条政策的判定、逐条依据、需补充的事实与达标所需；企业的事实及其来源和日期",
        )
        .params(vec![org()])
        .ok(json_ok("{policies, facts, may_enter}", object()))
        .errors(&[Code::NotFound, Code::InvalidField])
    };
    out.push((
        "/api/organisations/{code}/policies".into(),
        vec![org_policies()],
    ));
    out.push((
        "/api/organisations/{code}/policy-facts".into(),
        vec![
            org_policies(),
            Op::new(
                "put",
                tag,
                "填报登记库没有的事实（企业填本单位，市级或本旗县区工作人员填辖区企业）；全部校验通过才保存，记入审计日志",
            )
            .params(vec![org()])
            .body(json_body(json!({"type": "object", "required": ["facts"], "additionalProperties": false, "properties": {
                "facts": {"type": "array", "minItems": 1, "maxItems": 200, "items": {"type": "object", "required": ["key", "value"], "additionalProperties": false, "properties": {
                    "key": {"type": "string", "description": "事实键，如 innovation_score"},
                    "value": {"nullable": true, "description": "值（数值、比例小数、true/false、日期或代码）；null 撤回已填报的值"}}}},
                "as_of": {"type": "string", "format": "date", "nullable": true, "description": "数据日期，默认今天"},
                "note": {"type": "string", "nullable": true, "maxLength": 500}}})))
            .ok(json_ok("更新后的 {policies, facts}", object()))
            .errors(WRITE)
            .errors(&[Code::NotFound]),
        ],
    ));
    let tag = "共享产能";
    out.push((
        "/api/alloc/shops".into(),
        vec![
            Op::new("get", tag, "共享加工车间：机床、空闲机时、绩效分与接单上限")
                .ok(json_ok("{total, shops}", object())),
        ],
    ));
    out.push((
        "/api/alloc/sample-order".into(),
        vec![Op::new("get", tag, "按登记库车间能力生成的示例订单")
            .params(vec![
                query("parts", "零件数，默认 8", int(1, 200)),
                query(
                    "seed",
                    "随机种子，默认 1",
                    json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
                ),
            ])
            .ok(json_ok("订单", object()))
            .errors(&[Code::InvalidQuery])],
    ));
    out.push((
        "/api/alloc/plan".into(),
        vec![Op::new("post", tag, "订单拆分与排产")
            .body(json_body(json!({"type": "object", "required": ["order"], "properties": {
                "order": {"type": "object", "description": "订单，格式同 /api/alloc/sample-order"},
                "time_limit": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 30, "nullable": true, "description": "求解时限（秒），默认 2"}}})))
            .ok(json_ok("{plan, shop_names}", object()))
            .errors(WRITE)],
    ));
    out.push((
        "/api/alloc/repair".into(),
        vec![Op::new("post", tag, "车间退出后的计划修复：未受影响的批次尽量不动")
            .body(json_body(json!({"type": "object", "required": ["order", "plan", "dropped_shop"], "properties": {
                "order": {"type": "object"},
                "plan": {"type": "object", "description": "/api/alloc/plan 返回的 plan"},
                "dropped_shop": {"type": "string", "description": "退出车间的统一社会信用代码"}}})))
            .ok(json_ok("修复报告", object()))
            .errors(WRITE)],
    ));
    let tag = "撮合";
    let demand_id = || path_param("id", "技术需求编号", string());
    out.push((
        "/api/demands/{id}/matches".into(),
        vec![Op::new(
            "get",
            tag,
            "为技术需求推荐解题方（专家、平台、成果、设备），每条附可核对的依据",
        )
        .params(vec![
            demand_id(),
            top(),
            query(
                "type",
                "只看一类解题方（该类中最相关的，而非总排名中的该类）；不填则各类混排",
                json!({"type": "string", "enum": ["expert", "platform", "achievement", "equipment"]}),
            ),
        ])
        .ok(json_ok("{demand, title, card_issues, hits}", matches_schema()))
        .errors(&[Code::InvalidQuery, Code::NotFound])],
    ));
    out.push((
        "/api/demands/{id}/card".into(),
        vec![Op::new(
            "get",
            tag,
            "问题卡片检查：缺少或含糊的目标指标、现状、成熟度、预算、期限、知识产权约定",
        )
        .params(vec![demand_id()])
        .ok(json_ok("{demand, issues}", object()))
        .errors(&[Code::NotFound])],
    ));
    out.push((
        "/api/achievements/{id}/adopters".into(),
        vec![Op::new(
            "get",
            tag,
            "科技成果可能的承接企业（产业链节点、行业、历史需求）",
        )
        .params(vec![path_param("id", "科技成果编号", string()), top()])
        .ok(json_ok("{achievement, hits}", object()))
        .errors(&[Code::InvalidQuery, Code::NotFound])],
    ));
    let tag = "需求流转";
    out.push((
        "/api/demands/{id}/transition".into(),
        vec![Op::new("post", tag, "需求流转：只能逐级推进，退回须写原因")
            .params(vec![demand_id()])
            .body(json_body(
                json!({"type": "object", "required": ["to"], "properties": {
                "to": {"type": "string", "enum": innomesh_core::model::DemandStatus::choices().iter().flat_map(|(c, l)| [*c, *l]).collect::<Vec<_>>(), "description": "目标状态（代码或中文名）"},
                "manager": {"type": "string", "nullable": true, "description": "技术经理人编号"},
                "actor": {"type": "string", "nullable": true, "description": "已不使用：流转记录记登录账号（保留此字段只为兼容旧脚本）"},
                "note": {"type": "string", "description": "说明；退回时必填"}}}),
            ))
            .ok(json_ok("{demand, history}", object()))
            .errors(WRITE)
            .errors(&[
                Code::NotFound,
                Code::InvalidTransition,
                Code::UnknownReference,
            ])],
    ));
    out.push((
        "/api/demands/{id}/history".into(),
        vec![
            Op::new("get", tag, "需求流转记录：每次状态变化、经办人、时间、说明")
                .params(vec![demand_id()])
                .ok(json_ok("{demand, history}", object()))
                .errors(&[Code::NotFound]),
        ],
    ));
    out.push((
        "/api/demands/{id}/responses".into(),
        vec![Op::new("get", tag, "需求收到的解题方应答及反馈结果")
            .params(vec![demand_id()])
            .ok(json_ok("{demand, responses}", object()))
            .errors(&[Code::NotFound])],
    ));
    out.push((
        "/api/demand-funnel".into(),
        vec![Op::new("get", tag, "需求转化漏斗：按旗县区、按技术经理人")
            .params(vec![query(
                "format",
                "json（默认）或 xlsx",
                json!({"type": "string", "enum": ["json", "xlsx"]}),
            )])
            .ok((
                200,
                json!({"description": "漏斗", "content": {
                "application/json": {"schema": object()},
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}),
            ))
            .errors(&[Code::InvalidQuery])],
    ));
    let solver_types: Vec<&str> = SolverType::ALL
        .iter()
        .flat_map(|t| [t.code(), t.label()])
        .collect();
    out.push((
        "/api/solvers/{kind}/{id}/responses".into(),
        vec![Op::new("get", tag, "解题方应答过的需求及结果")
            .params(vec![
                path_param(
                    "kind",
                    "解题方类型",
                    json!({"type": "string", "enum": solver_types}),
                ),
                path_param("id", "解题方编号（单位为统一社会信用代码）", string()),
            ])
            .ok(json_ok("{solver_type, solver, responses}", object()))
            .errors(&[Code::InvalidQuery, Code::NotFound])],
    ));
    out.push((
        "/api/search".into(),
        vec![Op::new("get", "检索", "全文检索（中文分词、别名扩展）；返回总数、分面计数和高亮片段")
            .params(vec![
                json!({"name": "q", "in": "query", "required": true, "description": "检索词，最多 100 字",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}}),
                query(
                    "kind",
                    "记录类型（复数名或代码），逗号分隔；其他写法答 400",
                    kind_list(),
                ),
                query(
                    "region",
                    "行政区划代码，含所有下级；代码表中没有的答 400",
                    code_filter("RegionCode"),
                ),
                query("limit", "每页条数，默认 20", int(0, 100)),
                query("offset", "跳过条数", int(0, 10_000)),
            ])
            .ok(json_ok("{total, facets, hits}", object()))
            .errors(&[Code::InvalidQuery])],
    ));
    let tag = "词典";
    let which = || {
        path_param(
            "which",
            "aliases（别名词典）或 user-words（领域词典）",
            json!({"type": "string", "enum": ["aliases", "user-words"]}),
        )
    };
    let dict = json!({"type": "object", "required": ["name", "label", "edited", "entries", "text"], "properties": {
        "name": {"type": "string"}, "label": {"type": "string"}, "edited": {"type": "boolean"},
        "entries": {"type": "integer"}, "text": {"type": "string"}}});
    out.push((
        "/api/dictionaries".into(),
        vec![
            Op::new("get", tag, "别名词典与领域词典（全文、条数、是否已修改）")
                .ok(json_ok("{dictionaries}", object())),
        ],
    ));
    out.push((
        "/api/dictionaries/{which}".into(),
        vec![
            Op::new("get", tag, "一部词典")
                .params(vec![which()])
                .ok(json_ok("词典", dict.clone()))
                .errors(&[Code::NotFound]),
            Op::new("put", tag, "修改词典；保存后重建搜索索引")
                .params(vec![which()])
                .body(json_body(json!({"type": "object", "required": ["text"], "additionalProperties": false, "properties": {
                    "text": {"type": "string", "description": "词典全文"},
                    "actor": {"type": "string", "nullable": true, "description": "已不使用：审计日志记登录账号（保留此字段只为兼容旧脚本）"}}})))
                .ok(json_ok("保存后的词典", dict.clone()))
                .errors(WRITE)
                .errors(&[Code::NotFound, Code::InvalidDictionary]),
            Op::new("delete", tag, "恢复默认词典")
                .params(vec![which()])
                .ok(json_ok("恢复后的词典", dict))
                .errors(&[Code::Forbidden, Code::NotFound]),
        ],
    ));
    let tag = "考核评估";
    let round_id = || path_param("id", "评估轮次编号（如 key_laboratory-2025）", string());
    out.push((
        "/api/assessment/rounds".into(),
        vec![
            Op::new("get", tag, "评估轮次列表（平台账号只见参评的轮次）")
                .ok(json_ok("{rounds}", object())),
            Op::new("post", tag, "新建评估轮次（草稿）：内置指标体系 × 年度")
                .body(json_body(json!({"type": "object", "required": ["framework", "year"], "properties": {
                    "framework": {"type": "string", "description": "指标体系编号：key_laboratory / manufacturing_innovation_centre / joint_centre_laboratory（中心—实验室对）"},
                    "pairs": {"type": "array", "nullable": true, "maxItems": 500, "description": "仅协同指标体系：要评估的中心—实验室对；省略时按登记库中该年度的协同往来（共有成果、技术合同、共享服务预约）自动列出",
                        "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}, "description": "[制造业创新中心编号, 重点实验室编号]"}},
                    "version": {"type": "string", "nullable": true, "description": "版本；省略时为内置版本"},
                    "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                    "name": {"type": "string", "nullable": true, "maxLength": 100, "description": "轮次名称，省略时自动生成"}}})))
                .ok((201, json!({"description": "新建的轮次", "content": {"application/json": {"schema": object()}}})))
                .errors(WRITE)
                .errors(&[Code::Conflict]),
        ],
    ));
    out.push((
        "/api/assessment/rounds/{id}".into(),
        vec![Op::new(
            "get",
            tag,
            "评分卡：每个平台的得分、位次及 90% 位次区间、等级、维度得分、各项数据及其来源（登记库查询与记录，或填报与佐证）、敏感性分析",
        )
        .params(vec![round_id()])
        .ok(json_ok("评分卡", object()))
        .errors(&[Code::NotFound, Code::InvalidField])],
    ));
    out.push((
        "/api/assessment/rounds/{id}/publish".into(),
        vec![Op::new(
            "post",
            tag,
            "发布：冻结指标体系版本、数据快照（SHA-256）和结果，此后不可修改",
        )
        .params(vec![round_id()])
        .body(json_body(
            json!({"type": "object", "description": "空对象 {}（发布不需要参数）"}),
        ))
        .ok(json_ok("{round, snapshot_hash}", object()))
        .errors(WRITE)
        .errors(&[Code::NotFound, Code::Conflict])],
    ));
    out.push((
        "/api/assessment/rounds/{id}/export".into(),
        vec![Op::new(
            "get",
            tag,
            "评分卡 XLSX（中文表头：评分、指标数据、敏感性分析、说明）",
        )
        .params(vec![round_id()])
        .ok(file_ok("XLSX", &[XLSX]))
        .errors(&[Code::NotFound, Code::InvalidField])],
    ));
    out.push((
        "/api/assessment/rounds/{id}/entries".into(),
        vec![
            Op::new("get", tag, "填报值及审核状态（平台账号只见本平台）")
                .params(vec![round_id()])
                .ok(json_ok("{entries}", object()))
                .errors(&[Code::NotFound]),
            Op::new("post", tag, "填报：平台填写本平台的非登记库指标及佐证，待市科技局审核")
                .params(vec![round_id()])
                .body(json_body(json!({"type": "object", "required": ["unit", "indicator", "value", "evidence"], "properties": {
                    "unit": {"type": "string", "description": "平台编号"},
                    "indicator": {"type": "string", "description": "指标编号"},
                    "value": {"type": "string", "description": "数值，或定性指标的评分等级（如 A）"},
                    "evidence": {"type": "string", "description": "佐证材料说明"}}})))
                .ok(json_ok("填报值", object()))
                .errors(WRITE)
                .errors(&[Code::NotFound, Code::Conflict]),
        ],
    ));
    out.push((
        "/api/assessment/rounds/{id}/review".into(),
        vec![Op::new("post", tag, "审核填报值：通过或退回（退回须写原因）")
            .params(vec![round_id()])
            .body(json_body(json!({"type": "object", "required": ["unit", "indicator", "approve"], "properties": {
                "unit": {"type": "string"},
                "indicator": {"type": "string"},
                "approve": {"type": "boolean"},
                "note": {"type": "string", "nullable": true, "description": "审核意见；退回时必填"}}})))
            .ok(json_ok("审核后的填报值", object()))
            .errors(WRITE)
            .errors(&[Code::NotFound, Code::Conflict])],
    ));
    out.push((
        "/api/assessment/frameworks".into(),
        vec![
            Op::new("get", tag, "指标体系版本：内置版本和登记库中保存的版本，及使用它们的轮次")
                .ok(json_ok("{frameworks}", object())),
            Op::new("post", tag, "保存指标体系新版本（YAML 全文）；版本一经保存不可修改")
                .body(json_body(json!({"type": "object", "required": ["yaml"], "properties": {
                    "yaml": {"type": "string", "description": "指标体系 YAML 全文，格式同 data/assessment/*.yaml"}}})))
                .ok((201, json!({"description": "保存的版本", "content": {"application/json": {"schema": object()}}})))
                .errors(WRITE)
                .errors(&[Code::Conflict]),
        ],
    ));
    out.push((
        "/api/assessment/frameworks/{id}/diff".into(),
        vec![Op::new("get", tag, "指标体系两个版本的差异：权重、指标增删、标准化方法、等级等")
            .params(vec![
                path_param("id", "指标体系编号", string()),
                json!({"name": "from", "in": "query", "required": true, "description": "原版本", "schema": {"type": "string", "minLength": 1}}),
                json!({"name": "to", "in": "query", "required": true, "description": "新版本", "schema": {"type": "string", "minLength": 1}}),
            ])
            .ok(json_ok("{from, to, changes}", object()))
            .errors(&[Code::InvalidQuery, Code::InvalidField, Code::NotFound])],
    ));
    out.push((
        "/api/assessment/compare".into(),
        vec![Op::new("get", tag, "比较两个评估轮次：得分与位次变化，数据变化和指标体系变化各占多少")
            .params(vec![
                json!({"name": "a", "in": "query", "required": true, "description": "轮次编号", "schema": {"type": "string", "minLength": 1}}),
                json!({"name": "b", "in": "query", "required": true, "description": "轮次编号", "schema": {"type": "string", "minLength": 1}}),
            ])
            .ok(json_ok("{a, b, rows}", object()))
            .errors(&[Code::InvalidQuery, Code::NotFound, Code::InvalidField])],
    ));
    let evidence_file = json!({"type": "object", "required": ["id", "round_id", "unit_id", "indicator", "file_name", "media_type", "size", "sha256", "uploaded_by", "uploaded_at"], "properties": {
        "id": string(), "round_id": string(), "unit_id": string(), "indicator": string(),
        "file_name": {"type": "string", "description": "上传时的文件名（只用于显示）"},
        "media_type": {"type": "string", "enum": ["application/pdf", "image/png", "image/jpeg", XLSX], "description": "按文件内容判断的类型"},
        "size": {"type": "integer", "minimum": 1},
        "sha256": string(), "uploaded_by": string(), "uploaded_at": string()}});
    out.push((
        "/api/assessment/rounds/{id}/evidence".into(),
        vec![
            Op::new("get", tag, "本轮的佐证材料文件（平台账号只见本平台的）")
                .params(vec![round_id()])
                .ok(json_ok("{files}", json!({"type": "object", "required": ["files"], "properties": {"files": {"type": "array", "items": evidence_file.clone()}}})))
                .errors(&[Code::Forbidden, Code::NotFound, Code::InvalidField]),
            Op::new("post", tag, "上传佐证材料：请求体为文件本身（PDF、PNG、JPEG 或 XLSX，按内容判断类型，不超过 10 MB）；平台上传本平台的，市科技局可为任何平台上传；发布后不能再上传")
                .params(vec![
                    round_id(),
                    json!({"name": "unit", "in": "query", "required": true, "description": "平台编号（协同评估为「中心编号+实验室编号」）", "schema": {"type": "string", "minLength": 1}}),
                    json!({"name": "indicator", "in": "query", "required": true, "description": "指标编号（须为平台填报的指标）", "schema": {"type": "string", "minLength": 1}}),
                    query("filename", "文件名（只用于显示，去除路径）", string()),
                ])
                .body(json!({"required": true, "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}}}}))
                .ok((201, json!({"description": "保存的佐证材料", "content": {"application/json": {"schema": evidence_file}}})))
                .errors(&[
                    Code::InvalidQuery,
                    Code::BadJson,
                    Code::BadFile,
                    Code::Forbidden,
                    Code::NotFound,
                    Code::PayloadTooLarge,
                    Code::UnsupportedFormat,
                    Code::UnsupportedMediaType,
                    Code::InvalidField,
                    Code::Conflict,
                ]),
        ],
    ));
    out.push((
        "/api/assessment/evidence/{id}".into(),
        vec![Op::new(
            "get",
            tag,
            "下载一份佐证材料（市科技局、审计员和该平台可下载；其他平台答 404）",
        )
        .params(vec![path_param(
            "id",
            "佐证材料编号（如 EV000001）",
            string(),
        )])
        .ok(file_ok(
            "佐证材料文件",
            &["application/pdf", "image/png", "image/jpeg", XLSX],
        ))
        .errors(&[Code::Forbidden, Code::NotFound, Code::InvalidField])],
    ));
    out.extend(sharing_operations());
    out.extend(deal_operations());
    out.extend(suggest_operations());
    out.extend(consortium_operations());
    out.push((
        "/api/openapi.json".into(),
        vec![Op::new("get", "文档", "本文档").ok(json_ok("OpenAPI 3.0", object()))],
    ));
    out
}

/// 技术交易: contract figures, broker performance, the network.
fn deal_operations() -> Vec<(String, Vec<Op>)> {
    let tag = "技术交易";
    vec![
        (
            "/api/deals/figures".into(),
            vec![Op::new("get", tag, "技术合同（已签约）：按类别、卖方与买方所在旗县区、卖方类型，本地高校院所成果在本市与市外转化，各阶段交易数")
                .params(vec![query("year", "签约年份（可选）", int(1949, 2100))])
                .ok(json_ok("{signed, value, by_type, by_seller_district, by_buyer_district, by_seller_kind, local_conversion, outside_conversion, pipeline}", object()))
                .errors(&[Code::InvalidQuery])],
        ),
        (
            "/api/deals/performance".into(),
            vec![Op::new("get", tag, "科技中介机构与技术经理人业绩：经手交易、签约数与金额、意向到签约天数、回头客、需求推进到签约数，附交易编号")
                .ok(json_ok("{intermediaries, managers}", object()))],
        ),
        (
            "/api/deals/brokers/{id}".into(),
            vec![Op::new("get", tag, "一家中介机构（信用代码）或一位技术经理人（人员编号）的业绩；本机构、本人可查看自己的")
                .params(vec![path_param("id", "中介机构统一社会信用代码或技术经理人编号", string())])
                .ok(json_ok("业绩", object()))
                .errors(&[Code::NotFound])],
        ),
        (
            "/api/deals/problems".into(),
            vec![Op::new("get", tag, "共性技术问题：未签约的技术需求按所问问题聚类（匹配引擎的 LSA 表示 + 球面 k 均值），至少两家单位提出的类，附特征词与相关产业链节点")
                .params(vec![query("k", "类数，默认 √(需求数/2)", int(2, 200))])
                .ok(json_ok("{total, problems}", object()))
                .errors(&[Code::InvalidQuery])],
        ),
        (
            "/api/deals/network".into(),
            vec![Op::new("get", tag, "成果转化网络：卖方（高校院所、企业）经中介机构到买方的已签约交易")
                .ok(json_ok("{sellers, brokers, buyers, edges}", object()))],
        ),
    ]
}

/// 创新联合体组建建议: propose for a chain node, a common problem or a demand; save, list, read,
/// export.
fn consortium_operations() -> Vec<(String, Vec<Op>)> {
    let tag = "创新联合体";
    let roles: Vec<&str> = innomesh_app::consortium::MemberRole::ALL
        .iter()
        .map(|r| r.code())
        .collect();
    let id = || path_param("id", "建议编号，例如 CS000001", pattern("^CS[0-9]{6}$"));
    let nonblank =
        |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "\\S"});
    vec![
        (
            "/api/consortia/propose".into(),
            vec![Op::new("get", tag, "为一个产业链节点（缺口）、一个共性技术问题或一条技术需求提出创新联合体组建建议：牵头企业、上下游企业、高校院所、专家、平台、科技中介机构和技术经理人，各附推荐理由，以及成员间已有的关系（供应、技术交易、需求应答、共有成果、同一集团）；三个参数给且只给一个")
                .params(vec![
                    query("node", "产业链节点编号，例如 rare_earth.magnet", string()),
                    query("problem", "共性技术问题序号（/api/deals/problems 中的次序，从 1 起）", int(1, 1000)),
                    query("demand", "技术需求编号，例如 DM000001", string()),
                ])
                .ok(json_ok("{title, basis, basis_label, node, members: [{role, role_label, id, name, organisation, region, reason}], relations: [{a, b, kind, detail, evidence}], warnings}", object()))
                .errors(&[Code::InvalidQuery, Code::NotFound])],
        ),
        (
            "/api/consortia".into(),
            vec![
                Op::new("get", tag, "已保存的联合体组建建议（新的在前）；企业、专家、技术经理人只看到列有自己的建议")
                    .ok(json_ok("{total, proposals}", object())),
                Op::new("post", tag, "保存（调整后的）组建建议：成员逐个核对登记库（角色对应的记录类型、牵头企业须为企业且只有一家），每个成员须写推荐理由；成员间关系重新计算；保存后不再修改，修订请另存并注明 revises")
                    .body(json_body(json!({"type": "object", "required": ["title", "basis", "members"], "additionalProperties": false, "properties": {
                        "title": nonblank(200),
                        "basis": {"type": "object", "required": ["kind", "id"], "additionalProperties": false, "properties": {
                            "kind": {"type": "string", "enum": ["node", "problem", "demand"]},
                            "id": nonblank(100)}},
                        "members": {"type": "array", "minItems": 1, "maxItems": 60, "items": {"type": "object", "required": ["role", "id", "reason"], "additionalProperties": false, "properties": {
                            "role": {"type": "string", "enum": roles},
                            "id": nonblank(100),
                            "reason": nonblank(1000)}}},
                        "note": {"type": "string", "maxLength": 2000},
                        "revises": {"type": "string", "nullable": true, "description": "所修订的建议编号"}}})))
                    .ok((201, json!({"description": "已保存的建议", "content": {"application/json": {"schema": object()}}})))
                    .errors(WRITE)
                    .errors(&[Code::NotFound, Code::InvalidQuery]),
            ],
        ),
        (
            "/api/consortia/{id}".into(),
            vec![Op::new("get", tag, "一份已保存的组建建议：成员与推荐理由、成员间关系、保存人和时间")
                .params(vec![id()])
                .ok(json_ok("建议", object()))
                .errors(&[Code::NotFound])],
        ),
        (
            "/api/consortia/{id}/export".into(),
            vec![Op::new("get", tag, "组建建议 XLSX（申报附件，中文表头：联合体成员、成员间已有关系、组建说明三张表）")
                .params(vec![id()])
                .ok(file_ok("XLSX", &[XLSX]))
                .errors(&[Code::NotFound])],
        ),
    ]
}

/// 开放共享: calendars, bookings, innovation-voucher claims, figures.
fn sharing_operations() -> Vec<(String, Vec<Op>)> {
    let tag = "开放共享";
    let moment = || {
        json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}:[0-9]{2}$",
               "description": "北京时间，例如 2026-12-08 09:00"})
    };
    let date = date_param;
    let statuses: Vec<&str> = innomesh_store::sharing::STATUSES.to_vec();
    let booking = || path_param("id", "预约编号，例如 BK000001", string());
    vec![
        (
            "/api/shared-services/{id}/availability".into(),
            vec![Op::new("get", tag, "共享服务的日历：每天的空闲时段与已约时段（按开放时间、不开放日期、提前预约天数）")
                .params(vec![
                    path_param("id", "共享服务编号，例如 SS000001", string()),
                    query("from", "起始日期，默认今天", date()),
                    query("days", "天数，默认 14", int(1, 62)),
                ])
                .ok(json_ok("{service, owner_name, earliest, days}", object()))
                .errors(&[Code::InvalidQuery, Code::InvalidField, Code::NotFound])],
        ),
        (
            "/api/bookings".into(),
            vec![
                Op::new("get", tag, "预约列表：单位看自己预约的和别人预约自己的，市局看全部")
                    .params(vec![
                        query("service", "共享服务编号", string()),
                        query("status", "状态", json!({"type": "string", "enum": statuses})),
                    ])
                    .ok(json_ok("{total, bookings}", object()))
                    .errors(&[Code::InvalidQuery]),
                Op::new("post", tag, "预约一个时段（须在开放时间内、满足提前天数；同一时段只能被一家预约）")
                    .body(json_body(json!({"type": "object", "required": ["service", "start", "end"], "additionalProperties": false, "properties": {
                        "service": {"type": "string", "description": "共享服务编号"},
                        "start": moment(), "end": moment(),
                        "note": {"type": "string", "description": "样品、测试要求等说明"},
                        "requester": {"type": "string", "nullable": true, "description": "代为预约时预约单位的统一社会信用代码（仅市局）"}}})))
                    .ok((201, json!({"description": "已提交，待提供单位确认", "content": {"application/json": {"schema": object()}}})))
                    .errors(WRITE)
                    .errors(&[Code::NotFound, Code::Conflict, Code::UnknownReference]),
            ],
        ),
        (
            "/api/bookings/{id}".into(),
            vec![Op::new("get", tag, "一次预约及其流转记录")
                .params(vec![booking()])
                .ok(json_ok("{booking, history}", object()))
                .errors(&[Code::NotFound])],
        ),
        (
            "/api/bookings/{id}/action".into(),
            vec![Op::new("post", tag, "处理预约：确认、建议改期、接受改期、拒绝（须写原因）、取消（须写原因）、登记爽约、登记完成（实际机时与交付结果）")
                .params(vec![booking()])
                .body(json_body(json!({"type": "object", "required": ["action"], "additionalProperties": false, "properties": {
                    "action": {"type": "string", "enum": ["confirm", "propose", "accept", "decline", "cancel", "no_show", "complete"]},
                    "start": {"type": "string", "description": "建议改期的开始时间"},
                    "end": {"type": "string", "description": "建议改期的结束时间"},
                    "reason": {"type": "string", "description": "原因或说明"},
                    "hours": {"type": "number", "nullable": true, "description": "实际机时（登记完成时）"},
                    "result": {"type": "string", "description": "交付结果（登记完成时）"}}})))
                .ok(json_ok("{booking, history}", object()))
                .errors(WRITE)
                .errors(&[Code::NotFound, Code::Conflict, Code::InvalidTransition])],
        ),
        (
            "/api/voucher-claims".into(),
            vec![
                Op::new("get", tag, "创新券申领：企业看自己的，市局看全部")
                    .ok(json_ok("{total, claims}", object())),
                Op::new("post", tag, "为已完成的预约申领创新券（先用后补）；同一次服务只能申领一次")
                    .body(json_body(json!({"type": "object", "required": ["booking", "programme"], "additionalProperties": false, "properties": {
                        "booking": {"type": "string", "description": "预约编号"},
                        "programme": {"type": "string", "description": "创新券专项编号"}}})))
                    .ok((201, json!({"description": "已提交，待审核", "content": {"application/json": {"schema": object()}}})))
                    .errors(WRITE)
                    .errors(&[Code::NotFound, Code::Conflict, Code::InvalidTransition, Code::UnknownReference]),
            ],
        ),
        (
            "/api/voucher-claims/{id}/decision".into(),
            vec![Op::new("post", tag, "审核创新券申领：核准或驳回（驳回须写理由）")
                .params(vec![path_param("id", "申领编号，例如 VC000001", string())])
                .body(json_body(json!({"type": "object", "required": ["approve"], "additionalProperties": false, "properties": {
                    "approve": {"type": "boolean"},
                    "reason": {"type": "string"}}})))
                .ok(json_ok("审核后的申领", object()))
                .errors(WRITE)
                .errors(&[Code::NotFound, Code::InvalidTransition])],
        ),
        (
            "/api/sharing/figures".into(),
            vec![Op::new("get", tag, "共享率（外单位使用机时 ÷ 开放机时）、按旗县区与行业的预约、创新券资金")
                .params(vec![
                    query("from", "起始日期，默认 90 天前", date()),
                    query("to", "截止日期，默认 7 天后", date()),
                ])
                .ok(json_ok("{services, owners, by_district, by_industry, programmes}", object()))
                .errors(&[Code::InvalidQuery])],
        ),
        (
            "/api/sharing/owners/{code}/outlook".into(),
            vec![Op::new("get", tag, "提供单位下周闲置的仪器，以及可能需要它们的单位（曾预约的、有相关需求的）")
                .params(vec![path_param("code", "提供单位统一社会信用代码", string())])
                .ok(json_ok("{owner, owner_name, week, items}", object()))],
        ),
    ]
}

pub fn build() -> Value {
    let mut schemas = Map::new();
    for kind in EntityKind::ALL {
        schemas.insert(format!("{kind:?}"), record_schema(kind));
    }
    let mut paths = Map::new();
    for (path, ops) in operations() {
        let public = path == "/api/openapi.json";
        let mut item = Map::new();
        for op in ops {
            let method = op.method;
            // Every operation but this document needs an account (token or session), and the
            // account's role and scope decide (403 for a role that may not, 404 for an id out of
            // scope); a session's writes also carry its CSRF token.
            let op = if public {
                op
            } else if method == "get" {
                op.errors(&[Code::Unauthorized, Code::Forbidden])
            } else {
                op.errors(&[Code::Unauthorized, Code::Forbidden, Code::CsrfFailed])
            };
            let mut built = op.build();
            if public {
                built["security"] = json!([]);
            }
            item.insert(method.into(), built);
        }
        paths.insert(path, Value::Object(item));
    }
    schemas.insert("RegionCode".into(), region_code_schema());
    schemas.insert("IndustryCode".into(), industry_code_schema());
    schemas.insert("Error".into(), json!({
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "enum": Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
                       "message": {"type": "string", "description": "中文说明"},
                       "errors": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"}, "column": {"type": "string"}, "value": {"type": "string"}, "reason": {"type": "string"}}}}},
        "x-codes": Code::ALL.iter().map(|c| json!({"code": c.as_str(), "status": c.status(), "message": c.description()})).collect::<Vec<_>>()
    }));
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Innomesh 创新资源一张网 API", "version": crate::VERSION,
                 "description": "登记库的 JSON 接口。每个请求须带账号凭据：接口令牌（Authorization: Bearer imt_…，由安全管理员在「账号管理」或用 innomesh token create 签发），或网页登录后的会话（写请求另带 X-CSRF-Token 头）。账号的角色和管辖范围决定能看、能改什么：无权的操作答 403，范围外的记录答 404。审计日志记下每次写入的账号、角色和来源地址。错误统一为 {code, message}。写请求须声明 Content-Type（JSON 接口为 application/json），来自其他网站的写请求答 403。本文档未列出的请求方法答 405（method_not_allowed），响应头 Allow 列出该地址支持的方法。"},
        "paths": paths,
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "components": {"schemas": schemas, "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "imt_<id>_<secret>",
                           "description": "接口令牌：权限与所属账号相同，可设有效期，可吊销"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "innomesh_session",
                              "description": "网页登录的会话（HttpOnly、SameSite=Strict）；写请求须带 X-CSRF-Token"}
        }}
    })
}

/// Whether the document declares `method` on a path matching `path` (a `{param}` segment matches
/// any one segment): the security guard checks the body type of declared writes only, so an
/// undeclared method reaches the router and gets its 405.
pub fn is_operation(method: &str, path: &str) -> bool {
    static OPS: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    let ops = OPS.get_or_init(|| {
        operations()
            .into_iter()
            .flat_map(|(path, ops)| {
                let segments: Vec<String> = path.split('/').map(str::to_string).collect();
                ops.into_iter()
                    .map(move |op| (op.method.to_ascii_uppercase(), segments.clone()))
            })
            .collect()
    });
    let given: Vec<&str> = path.split('/').collect();
    ops.iter().any(|(m, template)| {
        m.eq_ignore_ascii_case(method)
            && template.len() == given.len()
            && template
                .iter()
                .zip(&given)
                .all(|(t, g)| (t.starts_with('{') && !g.is_empty()) || t == g)
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}

/// Search-as-you-type for the forms' reference fields.
fn suggest_operations() -> Vec<(String, Vec<Op>)> {
    let kinds: Vec<&str> = EntityKind::ALL.iter().map(|k| k.plural()).collect();
    let candidate = json!({
        "type": "object",
        "required": ["id", "name", "label"],
        "properties": {
            "id": {"type": "string", "description": "引用时填写的代码（信用代码或登记编号）"},
            "name": string(),
            "label": {"type": "string", "description": "名称（代码），表单可直接提交"},
        },
    });
    vec![(
        "/api/suggest".into(),
        vec![Op::new(
            "get",
            "代码表",
            "按名称查找某类记录（输入即搜）：名称完全相同的在前，其次以之开头、包含它的；只含当前账号可查看的记录",
        )
        .params(vec![
            json!({"name": "kind", "in": "query", "required": true, "description": "记录类型",
                   "schema": {"type": "string", "enum": kinds}}),
            query("q", "名称的一部分（或代码），最多 100 字；空则无结果", json!({"type": "string", "maxLength": 100})),
            query("limit", "最多条数，默认 10", int(1, innomesh_app::suggest::MAX_CANDIDATES as u64)),
        ])
        .ok(json_ok(
            "{kind, items}",
            json!({
                "type": "object",
                "required": ["kind", "items"],
                "properties": {"kind": string(), "items": {"type": "array", "items": candidate}},
            }),
        ))
        .errors(&[Code::InvalidQuery])],
    )]
}
