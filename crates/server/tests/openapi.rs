//! `/api/openapi.json` is a contract: every API route is in it and nothing else is, every path
//! parameter is declared, every `$ref` resolves and every error answer has the Error schema.

mod support;

use innomesh_core::EntityKind;
use innomesh_server::openapi::build;
use serde_json::Value;
use std::collections::BTreeSet;

/// The API routers' sources: a route added there and not to the document fails this test.
const SOURCES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../src/api/mod.rs")),
    ("alloc.rs", include_str!("../src/api/alloc.rs")),
    ("assessment.rs", include_str!("../src/api/assessment.rs")),
    ("chains.rs", include_str!("../src/api/chains.rs")),
    (
        "dictionaries.rs",
        include_str!("../src/api/dictionaries.rs"),
    ),
    ("deals.rs", include_str!("../src/api/deals.rs")),
    ("funding.rs", include_str!("../src/api/funding.rs")),
    ("matching.rs", include_str!("../src/api/matching.rs")),
    ("policy.rs", include_str!("../src/api/policy.rs")),
    ("reference.rs", include_str!("../src/api/reference.rs")),
    ("suggest.rs", include_str!("../src/api/suggest.rs")),
    ("registry.rs", include_str!("../src/api/registry.rs")),
    ("search.rs", include_str!("../src/api/search.rs")),
    ("sharing.rs", include_str!("../src/api/sharing.rs")),
    ("transfer.rs", include_str!("../src/api/transfer.rs")),
    ("workflow.rs", include_str!("../src/api/workflow.rs")),
];

const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

/// `(path, method)` for every `.route("/api/…", get(..).post(..))` in the router sources.
fn routed() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (file, src) in SOURCES {
        for (at, _) in src.match_indices(".route(") {
            let rest = &src[at + ".route(".len()..];
            // The call's text up to its closing parenthesis.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap_or_else(|| panic!("{file}: unclosed .route("));
            let call = &rest[..end];
            let start = call.find('"').expect("route path literal") + 1;
            let path = &call[start..start + call[start..].find('"').unwrap()];
            assert!(path.starts_with("/api"), "{file}: {path}");
            let handlers = &call[start + path.len() + 1..];
            let mut found = false;
            for m in METHODS {
                let bytes = handlers.as_bytes();
                for (i, _) in handlers.match_indices(&format!("{m}(")) {
                    let before = if i == 0 { b' ' } else { bytes[i - 1] };
                    if !(before.is_ascii_alphanumeric() || before == b'_') {
                        out.insert((path.to_string(), m.to_string()));
                        found = true;
                    }
                }
            }
            assert!(found, "{file}: no method for {path}");
        }
    }
    out
}

/// The router path a documented path is served by: `/api/organisations/{id}` ← `/api/{kind}/{id}`.
fn matches(route: &str, documented: &str) -> bool {
    let r: Vec<&str> = route.split('/').collect();
    let d: Vec<&str> = documented.split('/').collect();
    r.len() == d.len()
        && r.iter().zip(&d).enumerate().all(|(i, (r, d))| {
            r == d || (i == 2 && *r == "{kind}" && EntityKind::from_plural(d).is_some())
        })
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((path.clone(), m.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let doc = build();
    let routes = routed();
    let ops = documented(&doc);
    assert!(routes.len() > 30, "parsed only {} routes", routes.len());
    // A static route shadows `/api/{kind}/…` (axum prefers static segments), so a documented
    // operation is served by the most specific route of its shape.
    let served_by = |path: &str, method: &str| {
        let exact = routes.iter().any(|(r, m)| r == path && m == method);
        exact
            || (!routes.iter().any(|(r, _)| r == path)
                && routes
                    .iter()
                    .any(|(r, m)| m == method && r.contains("{kind}") && matches(r, path)))
    };
    for (path, method) in &ops {
        assert!(
            served_by(path, method),
            "documented {method} {path} is not routed"
        );
    }
    for (route, method) in &routes {
        assert!(
            ops.iter()
                .any(|(p, m)| m == method && (p == route || matches(route, p))),
            "routed {method} {route} is not in /api/openapi.json"
        );
    }
}

fn resolve<'a>(doc: &'a Value, r: &str) -> Option<&'a Value> {
    doc.pointer(r.strip_prefix('#')?)
}

fn check_refs(doc: &Value, v: &Value, at: &str) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref") {
                let r = r.as_str().unwrap();
                assert!(resolve(doc, r).is_some(), "{at}: $ref {r} does not resolve");
            }
            for (k, x) in m {
                check_refs(doc, x, &format!("{at}/{k}"));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| check_refs(doc, x, at)),
        _ => {}
    }
}

#[test]
fn the_document_is_well_formed() {
    let doc = build();
    check_refs(&doc, &doc, "");
    let error_ref = "#/components/schemas/Error";
    for (path, item) in doc["paths"].as_object().unwrap() {
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let params: Vec<&Value> = item["parameters"]
                .as_array()
                .into_iter()
                .chain(op["parameters"].as_array())
                .flatten()
                .collect();
            let declared: BTreeSet<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(
                        p["required"], true,
                        "{m} {path}: path parameters are required"
                    );
                    p["name"].as_str().unwrap()
                })
                .collect();
            assert_eq!(in_path, declared, "{m} {path}: path parameters");
            for p in &params {
                assert!(
                    p["schema"].is_object(),
                    "{m} {path}: {} has no schema",
                    p["name"]
                );
            }
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{m} {path}: no success answer"
            );
            for (status, r) in responses {
                assert!(
                    r["description"].is_string(),
                    "{m} {path} {status}: description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"], error_ref,
                        "{m} {path} {status}: error answers use the Error schema"
                    );
                }
            }
            let writes = m != "get";
            if writes {
                assert!(
                    responses.contains_key("403"),
                    "{m} {path}: 403 (other site)"
                );
            }
            if m == "post" || m == "put" {
                assert!(op["requestBody"].is_object(), "{m} {path}: request body");
                assert!(responses.contains_key("415"), "{m} {path}: 415");
                assert!(responses.contains_key("413"), "{m} {path}: 413");
            }
        }
    }
}

/// The schema of a query parameter of an operation.
fn query_schema<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path}: no parameters"))
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"))
}

fn pattern_of(schema: &Value) -> regex::Regex {
    regex::Regex::new(schema["pattern"].as_str().expect("a pattern")).expect("a valid pattern")
}

/// A schema-valid value must be accepted and a schema-invalid one refused (schemathesis checks
/// both ways): the date parameters' pattern admits exactly the dates the server parses, over
/// every month and day number around the accepted years.
#[test]
fn date_parameters_admit_exactly_the_dates_the_server_reads() {
    let doc = build();
    for (path, name) in [
        ("/api/shared-services/{id}/availability", "from"),
        ("/api/sharing/figures", "from"),
        ("/api/sharing/figures", "to"),
    ] {
        let re = pattern_of(query_schema(&doc, path, "get", name));
        let mut admitted = 0;
        for year in 1890..=2110 {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    let reads = innomesh_core::sharing::parse_day(&text).is_ok();
                    assert_eq!(re.is_match(&text), reads, "{path} {name}={text}");
                    admitted += usize::from(reads);
                }
            }
        }
        // 1900-01-01 ..= 2100-12-31.
        assert_eq!(admitted, 73_414, "{path} {name}");
    }
}

/// Search's `kind` list: every kind by plural name or code, alone or comma-separated, and nothing
/// the server refuses.
#[test]
fn the_search_kind_pattern_admits_the_kinds_the_server_knows() {
    let doc = build();
    let re = pattern_of(query_schema(&doc, "/api/search", "get", "kind"));
    for k in EntityKind::ALL {
        assert!(re.is_match(k.plural()) && re.is_match(k.code()), "{k:?}");
        assert!(re.is_match(&format!("{},{}", k.plural(), EntityKind::ALL[0].code())));
    }
    for bad in [
        "__main__",
        "organisation s",
        "organisations,",
        ",people",
        "组织x",
    ] {
        assert!(!re.is_match(bad), "{bad}");
    }
}

#[test]
fn optional_record_fields_are_nullable_and_required_ones_are_not() {
    let doc = build();
    for kind in EntityKind::ALL {
        let schema = &doc["components"]["schemas"][format!("{kind:?}")];
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for f in innomesh_core::schema::fields(kind) {
            let p = &schema["properties"][f.key];
            assert!(p.is_object(), "{kind:?}.{} missing", f.key);
            assert_eq!(required.contains(&f.key), f.required, "{kind:?}.{}", f.key);
            assert_eq!(
                p["nullable"] == true,
                !f.required,
                "{kind:?}.{}: nullable iff optional",
                f.key
            );
        }
    }
}

/// What schemathesis found: values the document calls invalid must be refused, a non-object body
/// must not take the service down, and a method a path lacks answers 405.
#[tokio::test]
async fn the_server_refuses_what_the_document_calls_invalid() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use innomesh_server::AppState;
    use innomesh_store::SqliteStore;
    use tower::ServiceExt;
    let app = support::router(AppState::for_store(std::sync::Arc::new(
        SqliteStore::open_in_memory().unwrap(),
    )));
    let cases = [
        (
            "GET",
            "/api/organisations?per_page=",
            "",
            400,
            "invalid_query",
        ),
        ("GET", "/api/search?q=x&limit=", "", 400, "invalid_query"),
        ("GET", "/api/chains?year=", "", 400, "invalid_query"),
        (
            "GET",
            "/api/demand-funnel?format=",
            "",
            400,
            "invalid_query",
        ),
        (
            "GET",
            "/api/organisations/export?format=",
            "",
            415,
            "unsupported_format",
        ),
        (
            "POST",
            "/api/funding/check-draft",
            "[null, null]",
            400,
            "bad_json",
        ),
        ("PUT", "/api/chains/rules", "[]", 400, "bad_json"),
        (
            "PUT",
            "/api/dictionaries/aliases",
            "[\"a\"]",
            400,
            "bad_json",
        ),
        (
            "POST",
            "/api/demands/x/transition",
            "[\"screened\"]",
            400,
            "bad_json",
        ),
        ("GET", "/api/audit?kind=", "", 404, "unknown_kind"),
        ("TRACE", "/api/stats", "", 405, ""),
    ];
    for (method, uri, body, status, code) in cases {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let got = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_eq!(got, status, "{method} {uri}: {v}");
        if !code.is_empty() {
            assert_eq!(v["code"], code, "{method} {uri}");
        }
    }
}
