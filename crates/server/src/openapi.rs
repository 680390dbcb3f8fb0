//! `/api/openapi.json`, generated from the entity schemas so it cannot drift from the code.

use axum::Json;
use innomesh_app::Code;
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::EntityKind;
use serde_json::{json, Map, Value};

fn field_schema(ty: FieldType, help: &str, header: &str) -> Value {
    let mut s = match ty {
        FieldType::Choice(choices) => {
            let c = choices();
            json!({"type": "string", "enum": c.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
                   "x-labels": c.iter().map(|(_, l)| *l).collect::<Vec<_>>()})
        }
        FieldType::Team => json!({"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "id_number": {"type": "string"}, "role": {"type": "string"}}}}),
        FieldType::Budget => json!({"type": "array", "items": {"type": "object", "properties": {
            "item": {"type": "string"}, "amount": {"type": "number"}}}}),
        FieldType::Sections => json!({"type": "array", "items": {"type": "object", "properties": {
            "heading": {"type": "string"}, "text": {"type": "string"}}}}),
        FieldType::TextList
        | FieldType::RefList(_)
        | FieldType::CreditCodeList
        | FieldType::IndustryList => {
            json!({"type": "array", "items": {"type": "string"}})
        }
        FieldType::Date => json!({"type": "string", "format": "date"}),
        other => json!({"type": other.json_type()}),
    };
    s["title"] = json!(header);
    if !help.is_empty() {
        s["description"] = json!(help);
    }
    s
}

pub fn build() -> Value {
    let mut schemas = Map::new();
    let mut paths = Map::new();
    let error_ref = json!({"$ref": "#/components/schemas/Error"});
    let err =
        |d: &str| json!({"description": d, "content": {"application/json": {"schema": error_ref}}});
    for kind in EntityKind::ALL {
        let name = format!("{:?}", kind);
        let mut props = Map::new();
        let mut required = Vec::new();
        if kind != EntityKind::Organisation && kind != EntityKind::ChainNode {
            props.insert("id".into(), json!({"type": "string", "title": "编号", "description": "创建时可省略，由系统生成"}));
        }
        for f in fields(kind) {
            props.insert(f.key.into(), field_schema(f.ty, f.help, f.header));
            if f.required {
                required.push(f.key);
            }
        }
        schemas.insert(name.clone(), json!({"type": "object", "title": kind.label(), "properties": props, "required": required}));
        let r = json!({"$ref": format!("#/components/schemas/{name}")});
        let base = format!("/api/{}", kind.plural());
        let list_params = json!([
            {"name": "region", "in": "query", "description": "行政区划代码，含所有下级（1502 = 包头市）", "schema": {"type": "string"}},
            {"name": "industry", "in": "query", "description": "行业代码，含所有下级（C、C39、3985）", "schema": {"type": "string"}},
            {"name": "kind", "in": "query", "description": "类型代码", "schema": {"type": "string"}},
            {"name": "tier", "in": "query", "description": "级别：municipal / provincial / national", "schema": {"type": "string"}},
            {"name": "flag", "in": "query", "description": "标记：high_tech / specialised / tech_sme / 状态代码", "schema": {"type": "string"}},
            {"name": "q", "in": "query", "description": "名称或文本包含", "schema": {"type": "string"}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["id", "name", "number", "updated"]}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
        ]);
        paths.insert(base.clone(), json!({
            "get": {"summary": format!("{}列表", kind.label()), "tags": [kind.label()], "parameters": list_params,
                    "responses": {"200": {"description": "分页结果 {total, page, per_page, items}"}, "400": err("查询参数无效")}},
            "post": {"summary": format!("新建{}", kind.label()), "tags": [kind.label()],
                     "requestBody": {"content": {"application/json": {"schema": r}}},
                     "responses": {"201": {"description": "已创建"}, "400": err("JSON 无效"), "409": err("已存在"), "413": err("请求体过大"), "422": err("字段无效或引用不存在")}}
        }));
        paths.insert(format!("{base}/{{id}}"), json!({
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "get": {"summary": format!("读取{}", kind.label()), "tags": [kind.label()], "responses": {"200": {"description": "记录", "content": {"application/json": {"schema": r}}}, "404": err("不存在")}},
            "put": {"summary": format!("更新{}", kind.label()), "tags": [kind.label()], "requestBody": {"content": {"application/json": {"schema": r}}},
                    "responses": {"200": {"description": "已更新"}, "404": err("不存在"), "422": err("字段无效")}},
            "delete": {"summary": format!("删除{}", kind.label()), "tags": [kind.label()], "responses": {"204": {"description": "已删除"}, "404": err("不存在"), "409": err("仍被引用")}}
        }));
        paths.insert(format!("{base}/import"), json!({
            "post": {"summary": format!("导入{}（CSV 或 XLSX，全部成功或全部不写入）", kind.label()), "tags": [kind.label()],
                     "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}}],
                     "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                     "responses": {"200": {"description": "{rows, created, updated, ignored_columns}"}, "422": err("错误行列表 errors[{row, column, value, reason}]")}}
        }));
        paths.insert(format!("{base}/export"), json!({
            "get": {"summary": format!("导出{}", kind.label()), "tags": [kind.label()],
                    "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}}],
                    "responses": {"200": {"description": "文件"}}}
        }));
        paths.insert(format!("{base}/template"), json!({
            "get": {"summary": format!("下载{}导入模板", kind.label()), "tags": [kind.label()], "responses": {"200": {"description": "XLSX 模板"}}}
        }));
    }
    paths.insert("/api/regions".into(), json!({"get": {"summary": "行政区划（GB/T 2260）", "parameters": [{"name": "parent", "in": "query", "schema": {"type": "string"}}], "responses": {"200": {"description": "下级区划"}}}}));
    paths.insert("/api/industries".into(), json!({"get": {"summary": "国民经济行业分类（GB/T 4754-2017）", "parameters": [{"name": "parent", "in": "query", "schema": {"type": "string"}}], "responses": {"200": {"description": "下级行业"}}}}));
    paths.insert("/api/stats".into(), json!({"get": {"summary": "各类记录总数", "responses": {"200": {"description": "counts"}}}}));
    paths.insert("/api/audit".into(), json!({"get": {"summary": "审计日志（只增不改）", "parameters": [
        {"name": "kind", "in": "query", "schema": {"type": "string"}}, {"name": "id", "in": "query", "schema": {"type": "string"}},
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "entries"}}}}));
    let extra: &[(&str, &str, &str)] = &[
        ("/api/chains", "get", "产业链列表及诊断汇总（year 可选）"),
        (
            "/api/chains/{chain}",
            "get",
            "一条产业链的诊断报告：节点指标、诊断结论及依据、缺口台账、招商目标",
        ),
        (
            "/api/chains/{chain}/nodes/{node}",
            "get",
            "链节点详情：指标、结论、挂链企业及挂链理由",
        ),
        ("/api/chains/{chain}/report", "get", "产业链诊断报告 XLSX"),
        ("/api/chains/rules", "get", "诊断规则与阈值（PUT 修改）"),
        (
            "/api/chains/simulate",
            "post",
            "影响模拟：{target: 信用代码, node: 节点编号}",
        ),
        (
            "/api/chains/referral/{code}",
            "get",
            "以企引企：从本地企业到目标企业的最短关系路径",
        ),
        (
            "/api/chains/org/{code}",
            "get",
            "一个组织挂在哪些链节点上，置信度与理由",
        ),
        (
            "/api/funding/overview",
            "get",
            "资金一盘棋：按专项、部门、旗县区、链节点、申报单位汇总（year 可选）",
        ),
        (
            "/api/funding/duplicates",
            "get",
            "跨专项、跨年度的疑似重复申报及证据",
        ),
        (
            "/api/funding/check-draft",
            "post",
            "申报前自查：草稿只与本单位以往申报比对",
        ),
        (
            "/api/alloc/shops",
            "get",
            "共享加工车间：机床、空闲机时、绩效分与接单上限",
        ),
        (
            "/api/alloc/sample-order",
            "get",
            "按登记库车间能力生成的示例订单",
        ),
        (
            "/api/alloc/plan",
            "post",
            "订单拆分与排产：{order, time_limit}",
        ),
        (
            "/api/demands/{id}/matches",
            "get",
            "为技术需求推荐解题方（专家、平台、成果、设备），每条附可核对的依据；top 可选",
        ),
        (
            "/api/demands/{id}/card",
            "get",
            "问题卡片检查：缺少或含糊的目标指标、现状、成熟度、预算、期限、知识产权约定",
        ),
        (
            "/api/achievements/{id}/adopters",
            "get",
            "科技成果可能的承接企业（产业链节点、行业、历史需求）",
        ),
        (
            "/api/demands/{id}/transition",
            "post",
            "需求流转：{to: 目标状态, manager?: 技术经理人编号, actor?: 经办人, note?: 说明}；只能逐级推进，退回须写原因",
        ),
        (
            "/api/demands/{id}/history",
            "get",
            "需求流转记录：每次状态变化、经办人、时间、说明",
        ),
        (
            "/api/demands/{id}/responses",
            "get",
            "需求收到的解题方应答及反馈结果",
        ),
        (
            "/api/demand-funnel",
            "get",
            "需求转化漏斗：按旗县区、按技术经理人（format=xlsx 下载）",
        ),
        (
            "/api/solvers/{type}/{id}/responses",
            "get",
            "解题方（expert/platform/achievement/equipment/organisation）应答过的需求及结果",
        ),
        (
            "/api/search",
            "get",
            "全文检索：q 检索词（中文分词、别名扩展），kind、region 筛选，limit、offset 分页；返回总数、分面计数和高亮片段",
        ),
        (
            "/api/dictionaries",
            "get",
            "别名词典与领域词典（全文、条数、是否已修改）",
        ),
        (
            "/api/dictionaries/{which}",
            "put",
            "修改词典：{text, actor?}；which = aliases 或 user-words；保存后重建搜索索引（DELETE 恢复默认）",
        ),
    ];
    for (path, method, summary) in extra {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = json!({"summary": summary, "responses": {"200": {"description": "JSON"}, "400": err("请求无效"), "404": err("不存在"), "422": err("字段无效")}});
    }
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
                 "description": "登记库的 JSON 接口。错误统一为 {code, message}。写操作可用 X-Actor 头标明操作人。"},
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
