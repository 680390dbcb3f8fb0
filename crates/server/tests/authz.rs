//! The authorization matrix (issue 12): for every API operation of `/api/openapi.json` and every
//! page route, for every role, what the server answers — allowed (the success or validation
//! status), 403 (the role may not), or 404 (the record is outside the caller's scope: ids cannot
//! be probed). Rows with an id come twice: a record of the accounts' own cluster (the district,
//! department, enterprise, expert and technology manager all work on it) and one of another
//! district's enterprise. A route without a row, or a row for no route, fails the test; so does a
//! request answered without credentials.

mod support;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use innomesh_app::{Principal, Role};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

/// A small PDF that passes the evidence content check.
const MATRIX_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// Columns of the matrix, in `Role::ASSIGNABLE` order.
const COLUMNS: [&str; 10] = [
    "city", "dist", "dept", "ent", "exp", "mgr", "aud", "sys", "sec", "aad",
];

/// One row per request: method, the route as documented (API) or routed (pages), the request
/// (`=`: the route itself; `@X`: a fixture id, see `Fixture`), the body (see `Fixture::body`),
/// then the status expected for each role.
///
/// Fixture ids: own cluster — `E` the enterprise, `DM` its demand (managed by `M`, answered by
/// `X` with `RS`), `AP` its application under programme `PG` of the department, `PL` `AC` `EQ`
/// `DL` its platform, achievement, equipment and delivery, `PO` a policy of the district; other
/// cluster (another district, department, enterprise, manager and expert) — `O2` `DM2` `AP2`
/// `PG2` `P2` `RS2` `PL2` `AC2` `EQ2` `DL2` `PO2`. Chain records `CN` `SR` `GA` `CM`; `CHAIN`
/// and `NODE` a chain and one of its nodes; `PAIR` / `PAIR2` a flagged duplicate pair with / without
/// the department's applications. 开放共享: `SS` `SS2` services of each cluster, `VP` `VP2` voucher
/// programmes, `BK` (the own service booked by `O2`) `BK2` bookings, `VC` a claim under `VP`.
/// 创新联合体: `CS` a saved proposal led by `E`.
const MATRIX: &str = r#"
# method route                                request                                    body         city dist dept ent  exp  mgr  aud  sys  sec  aad
GET    /api/organisations                     =                                          -            200  200  200  200  200  200  200  403  403  403  // lists: what the caller may see (administrators: no registry reading, 403)
POST   /api/organisations                     =                                          new:@E       201  201  403  403  403  403  403  403  403  403
POST   /api/organisations                     =                                          new:@O2      201  403  403  403  403  403  403  403  403  403  // a district clerk registers a unit in another district: 不在管辖范围内
GET    /api/organisations/{id}                /api/organisations/@E                      -            200  200  200  200  404  200  200  404  404  404
GET    /api/organisations/{id}                /api/organisations/@O2                     -            200  404  200  404  404  200  200  404  404  404  // tampering: a district clerk asks for another district's unit
PUT    /api/organisations/{id}                /api/organisations/@E                      rec          200  200  403  200  404  403  403  404  404  404
PUT    /api/organisations/{id}                /api/organisations/@O2                     rec          200  404  403  404  404  403  403  404  404  404  // tampering: a district clerk writes another district's unit
DELETE /api/organisations/{id}                /api/organisations/@E                      -            409  409  403  403  404  403  403  404  404  404
DELETE /api/organisations/{id}                /api/organisations/@O2                     -            409  404  403  404  404  403  403  404  404  404
GET    /api/organisations/{id}/relations      /api/organisations/@E/relations            -            200  200  200  200  404  200  200  404  404  404
GET    /api/organisations/{id}/relations      /api/organisations/@O2/relations           -            200  404  200  404  404  200  200  404  404  404
POST   /api/organisations/import              /api/organisations/import?format=csv       csv          422  422  403  403  403  403  403  403  403  403
GET    /api/organisations/export              /api/organisations/export?format=csv       -            200  200  200  200  403  200  200  403  403  403
GET    /api/organisations/template            /api/organisations/template?format=csv     -            200  200  200  200  200  200  200  200  200  200
GET    /api/platforms                         =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/platforms                         =                                          new:@PL      201  201  403  201  403  403  403  403  403  403
POST   /api/platforms                         =                                          new:@PL2     201  403  403  403  403  403  403  403  403  403
GET    /api/platforms/{id}                    /api/platforms/@PL                         -            200  200  200  200  404  200  200  404  404  404
GET    /api/platforms/{id}                    /api/platforms/@PL2                        -            200  404  200  404  404  200  200  404  404  404
PUT    /api/platforms/{id}                    /api/platforms/@PL                         rec          200  200  403  200  404  403  403  404  404  404
PUT    /api/platforms/{id}                    /api/platforms/@PL2                        rec          200  404  403  404  404  403  403  404  404  404
DELETE /api/platforms/{id}                    /api/platforms/@PL                         -            409  409  403  409  404  403  403  404  404  404
DELETE /api/platforms/{id}                    /api/platforms/@PL2                        -            409  404  403  404  404  403  403  404  404  404
POST   /api/platforms/import                  /api/platforms/import?format=csv           csv          422  422  403  422  403  403  403  403  403  403
GET    /api/platforms/export                  /api/platforms/export?format=csv           -            200  200  200  200  403  200  200  403  403  403
GET    /api/platforms/template                /api/platforms/template?format=csv         -            200  200  200  200  200  200  200  200  200  200
GET    /api/people                            =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/people                            =                                          new:@X       201  201  403  403  403  403  403  403  403  403
POST   /api/people                            =                                          new:@P2      201  403  403  403  403  403  403  403  403  403
GET    /api/people/{id}                       /api/people/@X                             -            200  200  404  404  200  404  200  404  404  404
GET    /api/people/{id}                       /api/people/@M                             -            200  200  404  404  404  200  200  404  404  404  // the manager's own profile; the expert sees only its own
GET    /api/people/{id}                       /api/people/@P2                            -            200  404  404  404  404  404  200  404  404  404  // tampering: an expert asks for another person's profile
PUT    /api/people/{id}                       /api/people/@X                             rec          200  200  404  404  200  404  403  404  404  404
PUT    /api/people/{id}                       /api/people/@M                             rec          200  200  404  404  404  403  403  404  404  404
PUT    /api/people/{id}                       /api/people/@P2                            rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/people/{id}                       /api/people/@X                             -            409  409  404  404  403  404  403  404  404  404
DELETE /api/people/{id}                       /api/people/@M                             -            409  409  404  404  404  403  403  404  404  404
DELETE /api/people/{id}                       /api/people/@P2                            -            409  404  404  404  404  404  403  404  404  404
POST   /api/people/import                     /api/people/import?format=csv              csv          422  422  403  403  403  403  403  403  403  403
GET    /api/people/export                     /api/people/export?format=csv              -            200  200  200  200  403  200  200  403  403  403
GET    /api/people/template                   /api/people/template?format=csv            -            200  200  200  200  200  200  200  200  200  200
GET    /api/achievements                      =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/achievements                      =                                          new:@AC      201  201  403  201  403  403  403  403  403  403
POST   /api/achievements                      =                                          new:@AC2     201  403  403  403  403  403  403  403  403  403
GET    /api/achievements/{id}                 /api/achievements/@AC                      -            200  200  200  200  404  200  200  404  404  404
GET    /api/achievements/{id}                 /api/achievements/@AC2                     -            200  404  200  404  404  200  200  404  404  404
PUT    /api/achievements/{id}                 /api/achievements/@AC                      rec          200  200  403  200  404  403  403  404  404  404
PUT    /api/achievements/{id}                 /api/achievements/@AC2                     rec          200  404  403  404  404  403  403  404  404  404
DELETE /api/achievements/{id}                 /api/achievements/@AC                      -            204  204  403  204  404  403  403  404  404  404
DELETE /api/achievements/{id}                 /api/achievements/@AC2                     -            204  404  403  404  404  403  403  404  404  404
POST   /api/achievements/import               /api/achievements/import?format=csv        csv          422  422  403  422  403  403  403  403  403  403
GET    /api/achievements/export               /api/achievements/export?format=csv        -            200  200  200  200  403  200  200  403  403  403
GET    /api/achievements/template             /api/achievements/template?format=csv      -            200  200  200  200  200  200  200  200  200  200
GET    /api/equipment                         =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/equipment                         =                                          new:@EQ      201  201  403  201  403  403  403  403  403  403
POST   /api/equipment                         =                                          new:@EQ2     201  403  403  403  403  403  403  403  403  403
GET    /api/equipment/{id}                    /api/equipment/@EQ                         -            200  200  404  200  404  200  200  404  404  404
GET    /api/equipment/{id}                    /api/equipment/@EQ2                        -            200  404  404  404  404  200  200  404  404  404
PUT    /api/equipment/{id}                    /api/equipment/@EQ                         rec          200  200  404  200  404  403  403  404  404  404
PUT    /api/equipment/{id}                    /api/equipment/@EQ2                        rec          200  404  404  404  404  403  403  404  404  404
DELETE /api/equipment/{id}                    /api/equipment/@EQ                         -            204  204  404  204  404  403  403  404  404  404
DELETE /api/equipment/{id}                    /api/equipment/@EQ2                        -            204  404  404  404  404  403  403  404  404  404
POST   /api/equipment/import                  /api/equipment/import?format=csv           csv          422  422  403  422  403  403  403  403  403  403
GET    /api/equipment/export                  /api/equipment/export?format=csv           -            200  200  200  200  403  200  200  403  403  403
GET    /api/equipment/template                /api/equipment/template?format=csv         -            200  200  200  200  200  200  200  200  200  200
GET    /api/tech-deals                        =                                          -            200  200  200  200  200  200  200  403  403  403  // 技术交易: the parties (seller, buyer, intermediary), the manager who carries it, staff
POST   /api/tech-deals                        =                                          new:@TD      201  201  403  201  403  201  403  403  403  403
POST   /api/tech-deals                        =                                          new:@TD2     201  403  403  403  403  403  403  403  403  403
GET    /api/tech-deals/{id}                   /api/tech-deals/@TD                        -            200  200  404  200  404  200  200  404  404  404
GET    /api/tech-deals/{id}                   /api/tech-deals/@TD2                       -            200  404  404  404  404  404  200  404  404  404
PUT    /api/tech-deals/{id}                   /api/tech-deals/@TD                        rec          200  200  404  200  404  200  403  404  404  404
PUT    /api/tech-deals/{id}                   /api/tech-deals/@TD2                       rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/tech-deals/{id}                   /api/tech-deals/@TD                        -            204  204  404  204  404  204  403  404  404  404
DELETE /api/tech-deals/{id}                   /api/tech-deals/@TD2                       -            204  404  404  404  404  404  403  404  404  404
POST   /api/tech-deals/import                 /api/tech-deals/import?format=csv          csv          422  422  403  422  403  422  403  403  403  403
GET    /api/tech-deals/export                 /api/tech-deals/export?format=csv          -            200  200  200  200  403  200  200  403  403  403
GET    /api/tech-deals/template               /api/tech-deals/template?format=csv        -            200  200  200  200  200  200  200  200  200  200
GET    /api/deals/figures                     =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/deals/performance                 =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/deals/brokers/{id}                /api/deals/brokers/@M                      -            200  200  403  403  403  200  200  403  403  403  // a manager sees their own performance
GET    /api/deals/network                     =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/deals/problems                    =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/consortia/propose                 /api/consortia/propose?node=@NODE          -            200  403  403  403  403  403  200  403  403  403  // 创新联合体: the bureau proposes
GET    /api/consortia                         =                                          -            200  403  403  200  200  200  200  403  403  403  // members see the proposals naming them
POST   /api/consortia                         =                                          cons         201  403  403  403  403  403  403  403  403  403
GET    /api/consortia/{id}                    /api/consortia/@CS                         -            200  403  403  200  404  404  200  403  403  403  // the own enterprise leads @CS
GET    /api/consortia/{id}/export             /api/consortia/@CS/export                  -            200  403  403  200  403  404  200  403  403  403
GET    /api/shared-services                   =                                          -            200  200  200  200  200  200  200  403  403  403  // 开放共享: every unit reads the offers
POST   /api/shared-services                   =                                          new:@SS      201  201  403  201  403  403  403  403  403  403
POST   /api/shared-services                   =                                          new:@SS2     201  403  403  403  403  403  403  403  403  403  // an enterprise offers only in its own name
GET    /api/shared-services/{id}              /api/shared-services/@SS                   -            200  200  200  200  200  200  200  404  404  404
GET    /api/shared-services/{id}              /api/shared-services/@SS2                  -            200  404  200  200  200  200  200  404  404  404
PUT    /api/shared-services/{id}              /api/shared-services/@SS                   rec          200  200  403  200  403  403  403  404  404  404
PUT    /api/shared-services/{id}              /api/shared-services/@SS2                  rec          200  404  403  403  403  403  403  404  404  404  // read everywhere, written only by its owner
DELETE /api/shared-services/{id}              /api/shared-services/@SS                   -            409  409  403  409  403  403  403  404  404  404  // bookings are kept: a booked service is not deleted
DELETE /api/shared-services/{id}              /api/shared-services/@SS2                  -            409  404  403  403  403  403  403  404  404  404
POST   /api/shared-services/import            /api/shared-services/import?format=csv     csv          422  422  403  422  403  403  403  403  403  403
GET    /api/shared-services/export            /api/shared-services/export?format=csv     -            200  200  200  200  403  200  200  403  403  403
GET    /api/shared-services/template          /api/shared-services/template?format=csv   -            200  200  200  200  200  200  200  200  200  200
GET    /api/shared-services/{id}/availability /api/shared-services/@SS/availability      -            200  200  200  200  200  200  200  404  404  404
GET    /api/voucher-programmes                =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/voucher-programmes                =                                          new:@VP      201  201  403  403  403  403  403  403  403  403
POST   /api/voucher-programmes                =                                          new:@VP2     201  403  403  403  403  403  403  403  403  403
GET    /api/voucher-programmes/{id}           /api/voucher-programmes/@VP                -            200  200  200  200  200  200  200  404  404  404
GET    /api/voucher-programmes/{id}           /api/voucher-programmes/@VP2               -            200  404  200  200  200  200  200  404  404  404
PUT    /api/voucher-programmes/{id}           /api/voucher-programmes/@VP                rec          200  200  403  403  403  403  403  404  404  404
PUT    /api/voucher-programmes/{id}           /api/voucher-programmes/@VP2               rec          200  404  403  403  403  403  403  404  404  404
DELETE /api/voucher-programmes/{id}           /api/voucher-programmes/@VP                -            409  409  403  403  403  403  403  404  404  404  // claims are kept: a programme with claims is not deleted
DELETE /api/voucher-programmes/{id}           /api/voucher-programmes/@VP2               -            204  404  403  403  403  403  403  404  404  404
POST   /api/voucher-programmes/import         /api/voucher-programmes/import?format=csv  csv          422  422  403  403  403  403  403  403  403  403
GET    /api/voucher-programmes/export         /api/voucher-programmes/export?format=csv  -            200  200  200  200  403  200  200  403  403  403
GET    /api/voucher-programmes/template       /api/voucher-programmes/template?format=csv -           200  200  200  200  200  200  200  200  200  200
GET    /api/bookings                          =                                          -            200  200  200  200  200  200  200  403  403  403  // each sees its own bookings (empty for some)
POST   /api/bookings                          =                                          book         422  403  403  422  403  403  403  403  403  403  // units book, the city books for a unit; the slot is past: refused as invalid
GET    /api/bookings/{id}                     /api/bookings/@BK                          -            200  200  404  200  404  404  200  403  403  403  // the parties, their district, the city, the auditor
GET    /api/bookings/{id}                     /api/bookings/@BK2                         -            200  404  404  404  404  404  200  403  403  403
POST   /api/bookings/{id}/action              /api/bookings/@BK/action                   noshow       422  403  404  422  404  404  403  403  403  403  // only the owner (or the city) records a no-show; not before the start
POST   /api/bookings/{id}/action              /api/bookings/@BK2/action                  noshow       422  404  404  404  404  404  403  403  403  403
GET    /api/voucher-claims                    =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/voucher-claims                    =                                          claim        422  403  404  403  404  404  403  403  403  403  // only the unit that booked claims, once the service is completed
POST   /api/voucher-claims/{id}/decision      /api/voucher-claims/@VC/decision           decision     422  403  422  403  403  403  403  403  403  403  // the bureau (or the programme's department) decides; a rejection needs a reason
GET    /api/sharing/figures                   =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/sharing/owners/{code}/outlook     /api/sharing/owners/@E/outlook             -            200  200  403  200  403  403  200  403  403  403  // an owner sees its own outlook
GET    /api/demands                           =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/demands                           =                                          new:@DM      201  201  403  201  403  403  403  403  403  403
POST   /api/demands                           =                                          new:@DM2     201  403  403  403  403  403  403  403  403  403  // an enterprise publishes a demand for another unit: 不在管辖范围内
GET    /api/demands/{id}                      /api/demands/@DM                           -            200  200  404  200  200  200  200  404  404  404
GET    /api/demands/{id}                      /api/demands/@DM2                          -            200  404  404  404  404  404  200  404  404  404  // tampering: another enterprise's demand; a demand the manager does not carry
PUT    /api/demands/{id}                      /api/demands/@DM                           rec          200  200  404  200  403  200  403  404  404  404
PUT    /api/demands/{id}                      /api/demands/@DM2                          rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/demands/{id}                      /api/demands/@DM                           -            409  409  404  409  403  403  403  404  404  404
DELETE /api/demands/{id}                      /api/demands/@DM2                          -            409  404  404  404  404  404  403  404  404  404
POST   /api/demands/import                    /api/demands/import?format=csv             csv          422  422  403  422  403  403  403  403  403  403
GET    /api/demands/export                    /api/demands/export?format=csv             -            200  200  200  200  403  200  200  403  403  403
GET    /api/demands/template                  /api/demands/template?format=csv           -            200  200  200  200  200  200  200  200  200  200
GET    /api/applications                      =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/applications                      =                                          new:@AP      201  201  201  201  403  403  403  403  403  403
POST   /api/applications                      =                                          new:@AP2     201  403  403  403  403  403  403  403  403  403
GET    /api/applications/{id}                 /api/applications/@AP                      -            200  200  200  200  404  404  200  404  404  404
GET    /api/applications/{id}                 /api/applications/@AP2                     -            200  404  404  404  404  404  200  404  404  404  // tampering: another enterprise's application / another department's
PUT    /api/applications/{id}                 /api/applications/@AP                      rec          200  200  200  200  404  404  403  404  404  404
PUT    /api/applications/{id}                 /api/applications/@AP2                     rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/applications/{id}                 /api/applications/@AP                      -            204  204  204  204  404  404  403  404  404  404
DELETE /api/applications/{id}                 /api/applications/@AP2                     -            204  404  404  404  404  404  403  404  404  404
POST   /api/applications/import               /api/applications/import?format=csv        csv          422  422  422  422  403  403  403  403  403  403
GET    /api/applications/export               /api/applications/export?format=csv        -            200  200  200  200  403  200  200  403  403  403
GET    /api/applications/template             /api/applications/template?format=csv      -            200  200  200  200  200  200  200  200  200  200
GET    /api/policies                          =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/policies                          =                                          new:@PO      201  201  403  403  403  403  403  403  403  403  // fixed: enterprises created and deleted policies (creatable ≠ writable)
POST   /api/policies                          =                                          new:@PO2     201  403  403  403  403  403  403  403  403  403
GET    /api/policies/{id}                     /api/policies/@PO                          -            200  200  200  200  200  200  200  404  404  404
GET    /api/policies/{id}                     /api/policies/@PO2                         -            200  404  200  200  200  200  200  404  404  404
PUT    /api/policies/{id}                     /api/policies/@PO                          rec          200  200  403  403  403  403  403  404  404  404
PUT    /api/policies/{id}                     /api/policies/@PO2                         rec          200  404  403  403  403  403  403  404  404  404
DELETE /api/policies/{id}                     /api/policies/@PO                          -            204  204  403  403  403  403  403  404  404  404
DELETE /api/policies/{id}                     /api/policies/@PO2                         -            204  404  403  403  403  403  403  404  404  404
POST   /api/policies/import                   /api/policies/import?format=csv            csv          422  422  403  403  403  403  403  403  403  403
GET    /api/policies/export                   /api/policies/export?format=csv            -            200  200  200  200  403  200  200  403  403  403
GET    /api/policies/template                 /api/policies/template?format=csv          -            200  200  200  200  200  200  200  200  200  200
GET    /api/chain-nodes                       =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/chain-nodes                       =                                          new:@CN      201  403  403  403  403  403  403  403  403  403
GET    /api/chain-nodes/{id}                  /api/chain-nodes/@CN                       -            200  200  200  404  404  404  200  404  404  404
PUT    /api/chain-nodes/{id}                  /api/chain-nodes/@CN                       rec          200  403  403  404  404  404  403  404  404  404
DELETE /api/chain-nodes/{id}                  /api/chain-nodes/@CN                       -            409  403  403  404  404  404  403  404  404  404
POST   /api/chain-nodes/import                /api/chain-nodes/import?format=csv         csv          422  403  403  403  403  403  403  403  403  403
GET    /api/chain-nodes/export                /api/chain-nodes/export?format=csv         -            200  200  200  200  403  200  200  403  403  403
GET    /api/chain-nodes/template              /api/chain-nodes/template?format=csv       -            200  200  200  200  200  200  200  200  200  200
GET    /api/supply-relations                  =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/supply-relations                  =                                          new:@SR      201  403  403  403  403  403  403  403  403  403
GET    /api/supply-relations/{id}             /api/supply-relations/@SR                  -            200  200  200  404  404  404  200  404  404  404
PUT    /api/supply-relations/{id}             /api/supply-relations/@SR                  rec          200  403  403  404  404  404  403  404  404  404
DELETE /api/supply-relations/{id}             /api/supply-relations/@SR                  -            204  403  403  404  404  404  403  404  404  404
POST   /api/supply-relations/import           /api/supply-relations/import?format=csv    csv          422  403  403  403  403  403  403  403  403  403
GET    /api/supply-relations/export           /api/supply-relations/export?format=csv    -            200  200  200  200  403  200  200  403  403  403
GET    /api/supply-relations/template         /api/supply-relations/template?format=csv  -            200  200  200  200  200  200  200  200  200  200
GET    /api/gap-actions                       =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/gap-actions                       =                                          new:@GA      201  403  403  403  403  403  403  403  403  403
GET    /api/gap-actions/{id}                  /api/gap-actions/@GA                       -            200  200  200  404  404  404  200  404  404  404
PUT    /api/gap-actions/{id}                  /api/gap-actions/@GA                       rec          200  403  403  404  404  404  403  404  404  404
DELETE /api/gap-actions/{id}                  /api/gap-actions/@GA                       -            204  403  403  404  404  404  403  404  404  404
POST   /api/gap-actions/import                /api/gap-actions/import?format=csv         csv          422  403  403  403  403  403  403  403  403  403
GET    /api/gap-actions/export                /api/gap-actions/export?format=csv         -            200  200  200  200  403  200  200  403  403  403
GET    /api/gap-actions/template              /api/gap-actions/template?format=csv       -            200  200  200  200  200  200  200  200  200  200
GET    /api/chain-mappings                    =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/chain-mappings                    =                                          new:@CM      201  403  403  403  403  403  403  403  403  403
GET    /api/chain-mappings/{id}               /api/chain-mappings/@CM                    -            200  200  200  404  404  404  200  404  404  404
PUT    /api/chain-mappings/{id}               /api/chain-mappings/@CM                    rec          200  403  403  404  404  404  403  404  404  404
DELETE /api/chain-mappings/{id}               /api/chain-mappings/@CM                    -            204  403  403  404  404  404  403  404  404  404
POST   /api/chain-mappings/import             /api/chain-mappings/import?format=csv      csv          422  403  403  403  403  403  403  403  403  403
GET    /api/chain-mappings/export             /api/chain-mappings/export?format=csv      -            200  200  200  200  403  200  200  403  403  403
GET    /api/chain-mappings/template           /api/chain-mappings/template?format=csv    -            200  200  200  200  200  200  200  200  200  200
GET    /api/programmes                        =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/programmes                        =                                          new:@PG      201  403  201  403  403  403  403  403  403  403  // fixed: a department could not create its own programme
POST   /api/programmes                        =                                          new:@PG2     201  403  403  403  403  403  403  403  403  403
GET    /api/programmes/{id}                   /api/programmes/@PG                        -            200  404  200  200  200  200  200  404  404  404  // district clerks see no city programme (no region); enterprises see all
GET    /api/programmes/{id}                   /api/programmes/@PG2                       -            200  404  404  200  200  200  200  404  404  404
PUT    /api/programmes/{id}                   /api/programmes/@PG                        rec          200  404  200  403  403  403  403  404  404  404
PUT    /api/programmes/{id}                   /api/programmes/@PG2                       rec          200  404  404  403  403  403  403  404  404  404
DELETE /api/programmes/{id}                   /api/programmes/@PG                        -            409  404  409  403  403  403  403  404  404  404  // fixed: enterprises deleted programmes (here: refused as referenced)
DELETE /api/programmes/{id}                   /api/programmes/@PG2                       -            409  404  404  403  403  403  403  404  404  404
POST   /api/programmes/import                 /api/programmes/import?format=csv          csv          422  422  422  403  403  403  403  403  403  403
GET    /api/programmes/export                 /api/programmes/export?format=csv          -            200  200  200  200  403  200  200  403  403  403
GET    /api/programmes/template               /api/programmes/template?format=csv        -            200  200  200  200  200  200  200  200  200  200
GET    /api/deliveries                        =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/deliveries                        =                                          new:@DL      201  201  403  403  403  403  403  403  403  403
POST   /api/deliveries                        =                                          new:@DL2     201  403  403  403  403  403  403  403  403  403
GET    /api/deliveries/{id}                   /api/deliveries/@DL                        -            200  200  404  200  404  404  200  404  404  404
GET    /api/deliveries/{id}                   /api/deliveries/@DL2                       -            200  404  404  404  404  404  200  404  404  404
PUT    /api/deliveries/{id}                   /api/deliveries/@DL                        rec          200  200  404  403  404  404  403  404  404  404
PUT    /api/deliveries/{id}                   /api/deliveries/@DL2                       rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/deliveries/{id}                   /api/deliveries/@DL                        -            204  204  404  403  404  404  403  404  404  404  // fixed: enterprises created and deleted deliveries
DELETE /api/deliveries/{id}                   /api/deliveries/@DL2                       -            204  404  404  404  404  404  403  404  404  404
POST   /api/deliveries/import                 /api/deliveries/import?format=csv          csv          422  422  403  403  403  403  403  403  403  403
GET    /api/deliveries/export                 /api/deliveries/export?format=csv          -            200  200  200  200  403  200  200  403  403  403
GET    /api/deliveries/template               /api/deliveries/template?format=csv        -            200  200  200  200  200  200  200  200  200  200
GET    /api/demand-responses                  =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /api/demand-responses                  =                                          new:@RS      201  201  403  403  201  201  403  403  403  403  // fixed: enterprises created and deleted responses
POST   /api/demand-responses                  =                                          new:@RS2     201  403  403  403  403  403  403  403  403  403
GET    /api/demand-responses/{id}             /api/demand-responses/@RS                  -            200  200  404  200  200  200  200  404  404  404
GET    /api/demand-responses/{id}             /api/demand-responses/@RS2                 -            200  404  404  404  404  404  200  404  404  404
PUT    /api/demand-responses/{id}             /api/demand-responses/@RS                  rec          200  200  404  403  200  200  403  404  404  404
PUT    /api/demand-responses/{id}             /api/demand-responses/@RS2                 rec          200  404  404  404  404  404  403  404  404  404
DELETE /api/demand-responses/{id}             /api/demand-responses/@RS                  -            204  204  404  403  204  204  403  404  404  404
DELETE /api/demand-responses/{id}             /api/demand-responses/@RS2                 -            204  404  404  404  404  404  403  404  404  404
POST   /api/demand-responses/import           /api/demand-responses/import?format=csv    csv          422  422  403  403  422  422  403  403  403  403
GET    /api/demand-responses/export           /api/demand-responses/export?format=csv    -            200  200  200  200  403  200  200  403  403  403
GET    /api/demand-responses/template         /api/demand-responses/template?format=csv  -            200  200  200  200  200  200  200  200  200  200

GET    /api/regions                           =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /api/industries                        =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /api/stats                             =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /api/audit                             /api/audit?limit=5                         -            403  403  403  403  403  403  200  403  403  200
GET    /api/chains                            =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/rules                      =                                          -            200  200  403  403  403  403  200  403  403  403  // the system administrator may change the rules (PUT) but not read them
PUT    /api/chains/rules                      =                                          rules        200  403  403  403  403  403  403  200  403  403
POST   /api/chains/simulate                   =                                          simulate     200  200  403  403  403  403  200  403  403  403
GET    /api/chains/referral/{code}            /api/chains/referral/@E                    -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/referral/{code}            /api/chains/referral/@O2                   -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/org/{code}                 /api/chains/org/@E                         -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/org/{code}                 /api/chains/org/@O2                        -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/{chain}                    /api/chains/@CHAIN                         -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/{chain}/report             /api/chains/@CHAIN/report                  -            200  200  403  403  403  403  200  403  403  403
GET    /api/chains/{chain}/nodes/{node}       /api/chains/@CHAIN/nodes/@NODE             -            200  200  403  403  403  403  200  403  403  403
GET    /api/funding/overview                  =                                          -            200  403  200  403  403  403  200  403  403  403
GET    /api/funding/duplicates                =                                          -            200  403  200  403  403  403  200  403  403  403
GET    /api/funding/duplicates                /api/funding/duplicates?sort=applicant&kind=text&decision=all -  200  403  200  403  403  403  200  403  403  403
GET    /api/funding/duplicates/{a}/{b}        /api/funding/duplicates/@PAIR              -            200  403  200  403  403  403  200  403  403  403
GET    /api/funding/duplicates/{a}/{b}        /api/funding/duplicates/@PAIR2             -            200  403  404  403  403  403  200  403  403  403  // tampering: a department asks for a pair of other departments' programmes
POST   /api/funding/duplicates/{a}/{b}/decision /api/funding/duplicates/@PAIR/decision   dupdecide    422  403  422  403  403  403  403  403  403  403  // the bureau and the programme's department decide (an exclusion needs a reason); auditors read
POST   /api/funding/duplicates/{a}/{b}/decision /api/funding/duplicates/@PAIR2/decision  dupdecide    422  403  404  403  403  403  403  403  403  403
POST   /api/funding/check-draft               =                                          draft:@AP    200  403  200  200  403  403  200  403  403  403
POST   /api/funding/check-draft               =                                          draft:@AP2   200  403  200  403  403  403  200  403  403  403
GET    /api/alloc/shops                       =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/alloc/sample-order                =                                          -            200  200  403  403  403  403  200  403  403  403
POST   /api/alloc/plan                        =                                          plan         200  200  403  403  403  403  200  403  403  403
POST   /api/alloc/repair                      =                                          repair       200  200  403  403  403  403  200  403  403  403
GET    /api/demands/{id}/matches              /api/demands/@DM/matches                   -            200  200  404  200  403  200  200  404  404  404  // fixed: an expert read the ranking of its competitors
GET    /api/demands/{id}/matches              /api/demands/@DM2/matches                  -            200  404  404  404  404  404  200  404  404  404
GET    /api/demands/{id}/card                 /api/demands/@DM/card                      -            200  200  404  200  200  200  200  404  404  404
GET    /api/demands/{id}/card                 /api/demands/@DM2/card                     -            200  404  404  404  404  404  200  404  404  404
GET    /api/achievements/{id}/adopters        /api/achievements/@AC/adopters             -            200  200  200  200  404  200  200  404  404  404
GET    /api/achievements/{id}/adopters        /api/achievements/@AC2/adopters            -            200  404  200  404  404  200  200  404  404  404
POST   /api/demands/{id}/transition           /api/demands/@DM/transition                transition   422  422  403  403  403  422  403  403  403  403
POST   /api/demands/{id}/transition           /api/demands/@DM2/transition               transition2  422  404  403  403  403  404  403  403  403  403
GET    /api/demands/{id}/history              /api/demands/@DM/history                   -            200  200  404  200  200  200  200  404  404  404
GET    /api/demands/{id}/history              /api/demands/@DM2/history                  -            200  404  404  404  404  404  200  404  404  404
GET    /api/demands/{id}/responses            /api/demands/@DM/responses                 -            200  200  404  200  200  200  200  404  404  404
GET    /api/demands/{id}/responses            /api/demands/@DM2/responses                -            200  404  404  404  404  404  200  404  404  404
GET    /api/demand-funnel                     =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /api/solvers/{kind}/{id}/responses     /api/solvers/expert/@X/responses           -            200  200  404  404  200  404  200  404  404  404
GET    /api/solvers/{kind}/{id}/responses     /api/solvers/expert/@X2/responses          -            200  404  404  404  404  404  200  404  404  404
GET    /api/search                            /api/search?q=%E7%A8%80%E5%9C%9F           -            200  200  200  200  200  200  200  200  200  200
GET    /api/dictionaries                      =                                          -            200  200  200  200  200  200  200  200  403  403
GET    /api/dictionaries/{which}              /api/dictionaries/aliases                  -            200  200  200  200  200  200  200  200  403  403
PUT    /api/dictionaries/{which}              /api/dictionaries/aliases                  dict         200  403  403  403  403  403  403  200  403  403
DELETE /api/dictionaries/{which}              /api/dictionaries/user-words               -            200  403  403  403  403  403  403  200  403  403
GET    /api/assessment/rounds                 =                                          -            200  403  403  403  200  403  200  403  403  403  // 考核评估: city staff run rounds, auditors read, a platform account sees the rounds it is in
POST   /api/assessment/rounds                 =                                          round        201  403  403  403  403  403  403  403  403  403
GET    /api/assessment/rounds/{id}            /api/assessment/rounds/@RD                 -            200  403  403  403  404  403  200  403  403  403  // an expert (not a platform of the round) learns nothing
POST   /api/assessment/rounds/{id}/publish    /api/assessment/rounds/@RP/publish         empty        409  403  403  403  403  403  403  403  403  403  // already published: immutable
GET    /api/assessment/rounds/{id}/export     /api/assessment/rounds/@RD/export          -            200  403  403  403  404  403  200  403  403  403
GET    /api/assessment/rounds/{id}/entries    /api/assessment/rounds/@RD/entries         -            200  403  403  403  404  403  200  403  403  403
POST   /api/assessment/rounds/{id}/entries    /api/assessment/rounds/@RD/entries         entry        200  403  403  403  403  403  403  403  403  403  // only the platform itself (or city staff) enters its figures
POST   /api/assessment/rounds/{id}/review     /api/assessment/rounds/@RP/review          review       409  403  403  403  403  403  403  403  403  403
GET    /api/assessment/rounds/{id}/evidence   /api/assessment/rounds/@RD/evidence        -            200  403  403  403  404  403  200  403  403  403  // 佐证材料: who reads the scorecards
POST   /api/assessment/rounds/{id}/evidence   /api/assessment/rounds/@RD/evidence?unit=@PLK&indicator=leading_talent&filename=a.pdf pdf 201  403  403  403  403  403  403  403  403  403  // the platform itself (or city staff) uploads
GET    /api/assessment/evidence/{id}          /api/assessment/evidence/@EV               -            200  403  403  403  404  403  200  403  403  403  // an expert (not the platform) learns nothing
GET    /api/assessment/frameworks             =                                          -            200  403  403  403  403  403  200  403  403  403
POST   /api/assessment/frameworks             =                                          fwdup        409  403  403  403  403  403  403  403  403  403  // the shipped version again: versions are immutable
GET    /api/assessment/frameworks/{id}/diff   /api/assessment/frameworks/key_laboratory/diff?from=2026.1&to=2026.1 -  200  403  403  403  403  403  200  403  403  403
GET    /api/assessment/compare                /api/assessment/compare?a=@RD&b=@RP        -            200  403  403  403  403  403  200  403  403  403
GET    /api/policy-rules                      =                                          -            200  200  200  200  200  200  200  403  403  403  // rules are public to registry readers
GET    /api/policy-rules/{rule}               /api/policy-rules/hitech_certification     -            200  200  200  200  200  200  200  403  403  403
PUT    /api/policy-rules/{rule}               /api/policy-rules/hitech_certification     prule        200  403  403  403  403  403  403  403  403  403  // the bureau edits rules
GET    /api/policy-rules/{rule}/history       /api/policy-rules/hitech_certification/history -        200  403  403  403  403  403  403  403  403  403
GET    /api/policy-rules/{rule}/matches       /api/policy-rules/hitech_certification/matches -        200  200  403  403  403  403  200  403  403  403  // lists of enterprises: staff and auditors (a district clerk: its district)
GET    /api/policy-rules/{rule}/export        /api/policy-rules/hitech_certification/export -         200  200  403  403  403  403  200  403  403  403
GET    /api/policy-rules/{rule}/assessment    /api/policy-rules/hitech_certification/assessment -     200  200  403  403  403  403  200  403  403  403
GET    /api/organisations/{code}/policies     /api/organisations/@E/policies             -            200  200  200  200  404  200  200  404  404  404  // an enterprise sees its own policies and gaps
GET    /api/organisations/{code}/policies     /api/organisations/@O2/policies            -            200  404  200  404  404  200  200  404  404  404
GET    /api/organisations/{code}/policy-facts /api/organisations/@E/policy-facts         -            200  200  200  200  404  200  200  404  404  404
GET    /api/organisations/{code}/policy-facts /api/organisations/@O2/policy-facts        -            200  404  200  404  404  200  200  404  404  404
PUT    /api/organisations/{code}/policy-facts /api/organisations/@E/policy-facts         facts        200  200  403  200  404  403  403  403  403  403  // facts: the enterprise itself, city staff, the district's clerk
PUT    /api/organisations/{code}/policy-facts /api/organisations/@O2/policy-facts        facts        422  404  403  404  404  403  403  403  403  403  // @O2 is not an enterprise here: facts are entered for enterprises only (422)
GET    /api/openapi.json                      =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /api/suggest                           /api/suggest?kind=organisations&q=有限   -            200  200  200  200  200  200  200  403  403  403  // names as one types: what the caller may read (administrators: no registry reading)

GET    /                                      =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /audit                                 =                                          -            403  403  403  403  403  403  200  403  403  200  // the audit trail: auditors and the audit administrator
GET    /admin/users                           =                                          -            403  403  403  403  403  403  403  403  200  403  // accounts: the security administrator only
POST   /admin/users                           =                                          -            403  403  403  403  403  403  403  403  422  403  // an empty action: refused as unknown (422) for the security administrator
GET    /login                                 =                                          -            303  303  303  303  303  303  303  303  303  303
POST   /login                                 =                                          f:username=nobody&password=wrong 401  401  401  401  401  401  401  401  401  401
GET    /login/totp                            =                                          -            303  303  303  303  303  303  303  303  303  303
POST   /login/totp                            =                                          f:code=000000 303  303  303  303  303  303  303  303  303  303
POST   /logout                                =                                          -            303  303  303  303  303  303  303  303  303  303
GET    /account/password                      =                                          -            200  200  200  200  200  200  200  200  200  200
POST   /account/password                      =                                          f:old=wrong&new=x 422  422  422  422  422  422  422  422  422  422
GET    /api                                   =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /assets/site.css                       =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /assets/suggest.js                     =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /import                                =                                          -            200  200  200  200  200  200  200  200  200  200
POST   /import                                =                                          mp:organisations 422  422  403  403  403  403  403  403  403  403
GET    /import/report/{token}                 /import/report/0123456789abcdef            -            404  404  404  404  404  404  404  404  404  404
GET    /dashboard                             =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /dashboard/{file}                      /dashboard/achievements.xlsx               -            200  200  403  403  403  403  200  403  403  403
GET    /chains                                =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /chains/{id}                           /chains/@CHAIN                             -            200  200  403  403  403  403  200  403  403  403
GET    /chains/{id}/gaps                      /chains/@CHAIN/gaps                        -            200  200  403  403  403  403  200  403  403  403
GET    /chains/{id}/nodes/{node}              /chains/@CHAIN/nodes/@LEAF                 -            200  200  403  403  403  403  200  403  403  403
GET    /{kind}                                /organisations                             -            200  200  200  200  200  200  200  403  403  403
GET    /{kind}                                /demands                                   -            200  200  200  200  200  200  200  403  403  403
GET    /{kind}                                /applications                              -            200  200  200  200  200  200  200  403  403  403
GET    /{kind}                                /people                                    -            200  200  200  200  200  200  200  403  403  403
GET    /{kind}/new                            /demands/new                               -            200  200  200  200  200  200  200  200  200  200  // a blank form for every role; saving it is refused
GET    /{kind}/new                            /organisations/new                         -            200  200  200  200  200  200  200  200  200  200
POST   /{kind}/new                            /demands/new                               formnew:@DM  303  303  403  303  403  403  403  403  403  403  // fixed: a refused form answered 422
POST   /{kind}/new                            /demands/new                               formnew:@DM2 303  403  403  403  403  403  403  403  403  403
GET    /{kind}/{id}                           /organisations/@E                          -            200  200  200  200  404  200  200  404  404  404
GET    /{kind}/{id}                           /organisations/@O2                         -            200  404  200  404  404  200  200  404  404  404
GET    /{kind}/{id}                           /demands/@DM                               -            200  200  404  200  200  200  200  404  404  404
GET    /{kind}/{id}                           /demands/@DM2                              -            200  404  404  404  404  404  200  404  404  404
GET    /{kind}/{id}                           /applications/@AP                          -            200  200  200  200  404  404  200  404  404  404
GET    /{kind}/{id}                           /applications/@AP2                         -            200  404  404  404  404  404  200  404  404  404
GET    /{kind}/{id}                           /people/@X                                 -            200  200  404  404  200  404  200  404  404  404
GET    /{kind}/{id}                           /people/@P2                                -            200  404  404  404  404  404  200  404  404  404
GET    /{kind}/{id}/edit                      /organisations/@E/edit                     -            200  200  200  200  404  200  200  404  404  404
GET    /{kind}/{id}/edit                      /organisations/@O2/edit                    -            200  404  200  404  404  200  200  404  404  404
GET    /{kind}/{id}/edit                      /demands/@DM/edit                          -            200  200  404  200  200  200  200  404  404  404
GET    /{kind}/{id}/edit                      /demands/@DM2/edit                         -            200  404  404  404  404  404  200  404  404  404
POST   /{kind}/{id}/edit                      /organisations/@E/edit                     form         303  303  403  303  404  403  403  404  404  404
POST   /{kind}/{id}/edit                      /organisations/@O2/edit                    form         303  404  403  404  404  403  403  404  404  404
POST   /{kind}/{id}/edit                      /demands/@DM/edit                          form         303  303  404  303  403  303  403  404  404  404
POST   /{kind}/{id}/edit                      /demands/@DM2/edit                         form         303  404  404  404  404  404  403  404  404  404
GET    /funding                               =                                          -            200  403  200  403  403  403  200  403  403  403
GET    /funding/duplicates                    =                                          -            200  403  200  403  403  403  200  403  403  403
GET    /funding/duplicates/{a}/{b}            /funding/duplicates/@PAIR                  -            200  403  200  403  403  403  200  403  403  403
GET    /funding/duplicates/{a}/{b}            /funding/duplicates/@PAIR2                 -            200  403  404  403  403  403  200  403  403  403
POST   /funding/duplicates/{a}/{b}/decision   /funding/duplicates/@PAIR/decision         f:decision=excluded 303  403  303  403  403  403  403  403  403  403  // refused without a reason: back to the pair with the message
POST   /funding/duplicates/{a}/{b}/decision   /funding/duplicates/@PAIR2/decision        f:decision=excluded 303  403  404  403  403  403  403  403  403  403
GET    /funding/check                         =                                          -            200  200  200  200  200  200  200  200  200  200
POST   /funding/check                         =                                          f:applicant=@E&title=matrix&text=matrix+test 200  403  200  200  403  403  200  403  403  403
POST   /funding/check                         =                                          f:applicant=@O2&title=matrix&text=matrix+test 200  403  200  403  403  403  200  403  403  403
GET    /assessment                            =                                          -            200  403  403  403  200  403  200  403  403  403
POST   /assessment                            =                                          f:framework=key_laboratory&year=2023 303  403  403  403  403  403  403  403  403  403
GET    /assessment/compare                    /assessment/compare?a=@RD&b=@RP            -            200  403  403  403  403  403  200  403  403  403
GET    /assessment/frameworks                 =                                          -            200  403  403  403  403  403  200  403  403  403
POST   /assessment/frameworks                 =                                          f:yaml=matrix 303  403  403  403  403  403  403  403  403  403  // city staff: back with the parse error
GET    /assessment/frameworks/{id}/diff       /assessment/frameworks/key_laboratory/diff?from=2026.1&to=2026.1 -  200  403  403  403  403  403  200  403  403  403
GET    /assessment/{id}                       /assessment/@RD                            -            200  403  403  403  404  403  200  403  403  403
POST   /assessment/{id}/publish               /assessment/@RP/publish                    -            303  403  403  403  403  403  403  403  403  403  // city staff: back to the round with the refusal (already published)
POST   /assessment/{id}/review                /assessment/@RP/review                     f:unit=@PLK2&indicator=members&decision=approve 303  403  403  403  403  403  403  403  403  403
GET    /assessment/{id}/platforms/{pid}       /assessment/@RD/platforms/@PLK             -            200  403  403  403  404  403  200  403  403  403
POST   /assessment/{id}/platforms/{pid}/entries /assessment/@RD/platforms/@PLK/entries   f:indicator=leading_talent&value=5&evidence=matrix 303  403  403  403  403  403  403  403  403  403
POST   /assessment/{id}/platforms/{pid}/evidence /assessment/@RD/platforms/@PLK/evidence mp:evidence 303  403  403  403  403  403  403  403  403  403
GET    /capacity                              =                                          -            200  200  403  403  403  403  200  403  403  403
POST   /capacity                              =                                          mp:order     200  200  403  403  403  403  200  403  403  403
GET    /capacity/template                     =                                          -            200  200  200  200  200  200  200  200  200  200
GET    /demands/{id}/matches                  /demands/@DM/matches                       -            200  200  404  200  403  200  200  404  404  404  // fixed: as the API
GET    /demands/{id}/matches                  /demands/@DM2/matches                      -            200  404  404  404  404  404  200  404  404  404
POST   /demands/{id}/transition               /demands/@DM/transition                    f:to=@ST     303  303  403  403  403  303  403  403  403  403  // fixed: a refused transition redirected (303)
POST   /demands/{id}/transition               /demands/@DM2/transition                   f:to=@ST2    303  404  403  403  403  404  403  403  403  403
GET    /achievements/{id}/adopters            /achievements/@AC/adopters                 -            200  200  200  200  404  200  200  404  404  404
GET    /achievements/{id}/adopters            /achievements/@AC2/adopters                -            200  404  200  404  404  200  200  404  404  404
GET    /demand-funnel                         =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /search                                /search?q=%E7%A8%80%E5%9C%9F               -            200  200  200  200  200  200  200  200  200  200
GET    /deals                                 =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /deals/brokers/{id}                    /deals/brokers/@M                          -            200  200  403  403  403  200  200  403  403  403
GET    /deals/network                         =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /deals/problems                        =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /consortia                             =                                          -            200  403  403  200  200  200  200  403  403  403
POST   /consortia                             =                                          f:title=T&basis_kind=node&basis_id=@NODE&m0.role=lead&m0.id=@E&m0.keep=1&m0.reason=R 303  403  403  403  403  403  403  403  403  403
GET    /consortia/new                         /consortia/new?node=@NODE                  -            200  403  403  403  403  403  200  403  403  403
GET    /consortia/{id}                        /consortia/@CS                             -            200  403  403  200  404  404  200  403  403  403
GET    /sharing                               =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /sharing/book                          =                                          f:service=@SS&date=2020-01-06&start=10:00&end=11:00&requester=@E 303  403  403  303  403  403  403  403  403  403  // refused slot: back to the calendar with the reason
GET    /sharing/bookings                      =                                          -            200  200  200  200  200  200  200  403  403  403
GET    /sharing/bookings/{id}                 /sharing/bookings/@BK                      -            200  200  404  200  404  404  200  403  403  403
POST   /sharing/bookings/{id}/action          /sharing/bookings/@BK/action               f:action=no_show 303  403  404  303  404  404  403  403  403  403
GET    /sharing/claims                        =                                          -            200  200  200  200  200  200  200  403  403  403
POST   /sharing/claims                        =                                          f:booking=@BK&programme=@VP 303  403  404  403  404  404  403  403  403  403
POST   /sharing/claims/{id}/decision          /sharing/claims/@VC/decision               f:approve=false 303  403  303  403  403  403  403  403  403  403
GET    /sharing/outlook                       /sharing/outlook?owner=@E                  -            200  200  403  200  403  403  200  403  403  403
GET    /dictionaries                          =                                          -            200  200  200  200  200  200  200  200  403  403
GET    /policy-rules                          =                                          -            200  200  403  403  403  403  200  403  403  403
GET    /policy-rules/{rule}                   /policy-rules/hitech_certification         -            200  200  403  403  403  403  200  403  403  403
GET    /policy-rules/{rule}/assessment        /policy-rules/hitech_certification/assessment -         200  200  403  403  403  403  200  403  403  403
GET    /policy-rules/{rule}/edit              /policy-rules/hitech_certification/edit    -            200  403  403  403  403  403  403  403  403  403
POST   /policy-rules/{rule}/edit              /policy-rules/hitech_certification/edit    f:yaml=id%3A+x&note=t 422  403  403  403  403  403  403  403  403  403  // a rule that does not check: the form again with the line
GET    /organisations/{id}/policies           /organisations/@E/policies                 -            200  200  200  200  404  200  200  404  404  404
GET    /organisations/{id}/policies           /organisations/@O2/policies                -            200  404  200  404  404  200  200  404  404  404
POST   /organisations/{id}/policies           /organisations/@E/policies                 f:f.innovation_score=75 200  200  403  200  404  403  403  403  403  403
POST   /organisations/{id}/policies           /organisations/@O2/policies                f:f.innovation_score=75 422  404  403  404  404  403  403  403  403  403
POST   /dictionaries                          =                                          f:which=user-words&reset=1 200  403  403  403  403  403  403  200  403  403  // fixed: a refused save answered 422
"#;

#[derive(Clone, Copy, PartialEq)]
enum Cred {
    Token,
    Session,
}

struct Account {
    role: Role,
    cred: Cred,
    secret: String,
    csrf: String,
    addr: SocketAddr,
}

struct Fixture {
    st: AppState,
    router: axum::Router,
    ids: HashMap<&'static str, String>,
    bodies: HashMap<&'static str, Value>,
}

struct Reply {
    status: u16,
    location: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A shipped rule's text, as the bureau would save it unchanged.
fn innomesh_policy_yaml(id: &str) -> String {
    let st = AppState::for_store(Arc::new(SqliteStore::open_in_memory().unwrap()));
    st.policy_rule(&local(), id).unwrap().yaml
}

fn local() -> Principal {
    Principal::local("authz")
}

struct Row {
    line: usize,
    method: String,
    route: String,
    request: String,
    body: String,
    expected: Vec<String>,
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for (i, l) in MATRIX.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.split("//").next().unwrap().trim();
        let f: Vec<&str> = l.split_whitespace().collect();
        assert_eq!(f.len(), 4 + COLUMNS.len(), "matrix line {}: {l}", i + 1);
        let request = if f[2] == "=" { f[1] } else { f[2] };
        out.push(Row {
            line: i + 1,
            method: f[0].to_string(),
            route: f[1].to_string(),
            request: request.to_string(),
            body: f[3].to_string(),
            expected: f[4..].iter().map(|s| s.to_string()).collect(),
        });
    }
    out
}

// ---- the registry and its accounts ----

fn kind_json(st: &AppState, kind: EntityKind, id: &str) -> Value {
    st.repo()
        .get(kind, id)
        .unwrap()
        .unwrap_or_else(|| panic!("{kind:?} {id} missing"))
        .to_json()
}

fn save(st: &AppState, kind: EntityKind, v: Value) {
    let r = Record::from_json(kind, v).unwrap();
    let id = r.id().to_string();
    st.update(&local(), kind, &id, r).unwrap();
}

/// Rewrites record `id` of `kind` with `f` applied to its JSON.
fn rewrite(st: &AppState, kind: EntityKind, id: &str, f: impl FnOnce(&mut Value)) {
    let mut v = kind_json(st, kind, id);
    f(&mut v);
    save(st, kind, v);
}

fn ids_of(st: &AppState, kind: EntityKind) -> Vec<String> {
    st.repo()
        .all(kind)
        .unwrap()
        .iter()
        .map(|r| r.id().to_string())
        .collect()
}

impl Fixture {
    async fn new() -> (Fixture, Vec<Account>) {
        let store = SqliteStore::open_in_memory().unwrap();
        store
            .import(
                generate(SampleConfig::default()).records,
                &innomesh_store::Actor::system("t"),
                "t",
                &|_| {},
            )
            .unwrap()
            .unwrap();
        store
            .set_meta(
                "sample_data",
                "示例数据",
                &innomesh_store::Actor::system("t"),
            )
            .unwrap();
        let st = AppState::for_store(Arc::new(store));
        innomesh_app::chains::seed_models(&st, &local()).unwrap();
        let mut ids: HashMap<&'static str, String> = HashMap::new();
        use EntityKind::*;

        // The own cluster starts from a flagged duplicate pair, so that the department has one.
        let pairs = st.funding_duplicates(&local()).unwrap();
        let pair = pairs
            .first()
            .expect("the sample has flagged duplicates")
            .clone();
        let ap = pair.a.clone();
        let apj = kind_json(&st, Application, &ap);
        let e = apj["applicant"].as_str().unwrap().to_string();
        let pg = apj["programme"].as_str().unwrap().to_string();
        let dept = kind_json(&st, Programme, &pg)["department"]
            .as_str()
            .unwrap()
            .to_string();
        let region = kind_json(&st, Organisation, &e)["region"]
            .as_str()
            .unwrap()
            .to_string();
        let orgs = st.repo().all(Organisation).unwrap();
        let o2 = orgs
            .iter()
            .map(Record::to_json)
            .find(|o| !o["region"].as_str().unwrap().starts_with(&region[..6]))
            .expect("an organisation of another district")["credit_code"]
            .as_str()
            .unwrap()
            .to_string();
        let region2 = kind_json(&st, Organisation, &o2)["region"]
            .as_str()
            .unwrap()
            .to_string();
        let dept_of = |st: &AppState, app: &Value| {
            kind_json(st, Programme, app["programme"].as_str().unwrap())["department"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let ap2 = st
            .repo()
            .all(Application)
            .unwrap()
            .iter()
            .map(Record::to_json)
            .find(|a| dept_of(&st, a) != dept && a["applicant"] != e.as_str())
            .expect("an application of another department")["id"]
            .as_str()
            .unwrap()
            .to_string();
        rewrite(&st, Application, &ap2, |v| {
            v["applicant"] = json!(o2);
            v["region"] = json!(region2);
        });
        let pg2 = kind_json(&st, Application, &ap2)["programme"]
            .as_str()
            .unwrap()
            .to_string();

        // People: the expert and the manager work in the district, the other one elsewhere.
        let people: Vec<Value> = st
            .repo()
            .all(Person)
            .unwrap()
            .iter()
            .map(Record::to_json)
            .collect();
        let of_role = |role: &str| -> Vec<String> {
            people
                .iter()
                .filter(|p| p["role"] == role)
                .map(|p| p["id"].as_str().unwrap().to_string())
                .collect()
        };
        let (experts, managers) = (of_role("expert"), of_role("technology_manager"));
        let (x, m, p2) = (experts[0].clone(), managers[0].clone(), managers[1].clone());
        let x2 = experts[1].clone();
        for (p, r, org) in [
            (&x, &region, &e),
            (&m, &region, &e),
            (&p2, &region2, &o2),
            (&x2, &region2, &o2),
        ] {
            rewrite(&st, Person, p, |v| {
                v["region"] = json!(r);
                v["organisation"] = json!(org);
            });
        }
        // Responses: none by the expert except the own one.
        let responses = st.repo().all(DemandResponse).unwrap();
        for r in &responses {
            let j = r.to_json();
            if j["solver"] == x.as_str() || j["solver"] == x2.as_str() {
                st.delete(&local(), DemandResponse, r.id()).unwrap();
            }
        }
        let demands = ids_of(&st, Demand);
        let (dm, dm2) = (demands[0].clone(), demands[1].clone());
        rewrite(&st, Demand, &dm, |v| {
            v["organisation"] = json!(e);
            v["region"] = json!(region);
            v["manager"] = json!(m);
        });
        rewrite(&st, Demand, &dm2, |v| {
            v["organisation"] = json!(o2);
            v["region"] = json!(region2);
            v["manager"] = json!(p2);
        });
        // The manager manages only the own demand.
        for d in st.repo().all(Demand).unwrap() {
            let j = d.to_json();
            if j["manager"] == m.as_str() && d.id() != dm {
                rewrite(&st, Demand, d.id(), |v| v["manager"] = Value::Null);
            }
        }
        let responses = ids_of(&st, DemandResponse);
        let (rs, rs2) = (responses[0].clone(), responses[1].clone());
        for (r, d, s) in [(&rs, &dm, &x), (&rs2, &dm2, &x2)] {
            rewrite(&st, DemandResponse, r, |v| {
                v["demand"] = json!(d);
                v["solver_type"] = json!("expert");
                v["solver"] = json!(s);
            });
        }
        // One record of each kind with an owning unit for each cluster.
        for (kind, field, own, other) in [
            (Platform, "host", "PL", "PL2"),
            (Achievement, "owners", "AC", "AC2"),
            (Equipment, "owner", "EQ", "EQ2"),
            (Delivery, "shop", "DL", "DL2"),
            (Policy, "", "PO", "PO2"),
            (SharedService, "owner", "SS", "SS2"),
            (VoucherProgramme, "", "VP", "VP2"),
            (TechDeal, "buyer", "TD", "TD2"),
        ] {
            let all = ids_of(&st, kind);
            for (id, org, r, name) in [(&all[0], &e, &region, own), (&all[1], &o2, &region2, other)]
            {
                rewrite(&st, kind, id, |v| {
                    match field {
                        "" => {}
                        "owners" => v[field] = json!([org]),
                        f => v[f] = json!(org),
                    }
                    if v.get("region").is_some() {
                        v["region"] = json!(r);
                    }
                });
                ids.insert(name, id.clone());
            }
        }
        // 开放共享: a booking of the own cluster's service by the other enterprise, one of the other
        // cluster's service by its own unit, and a claim under the own district's programme
        // (its department the department's) for a completed booking.
        rewrite(&st, VoucherProgramme, &ids["VP"].clone(), |v| {
            v["department"] = json!(dept)
        });
        let booking = |service: &str, owner: &str, requester: &str, start: &str, status: &str| {
            st.repo()
                .booking_insert(
                    &innomesh_store::sharing::Booking {
                        id: String::new(),
                        service_id: service.to_string(),
                        owner: owner.to_string(),
                        requester: requester.to_string(),
                        start: format!("{start} 10:00"),
                        end: format!("{start} 12:00"),
                        status: status.to_string(),
                        hours_used: (status == "completed").then_some(2.0),
                        fee: (status == "completed").then_some(800.0),
                        result: String::new(),
                        note: String::new(),
                        created_at: String::new(),
                        updated_at: String::new(),
                    },
                    &innomesh_store::Actor::system("authz"),
                )
                .unwrap()
                .id
        };
        let bk = booking(&ids["SS"], &e, &o2, "2030-01-07", "requested");
        let bk2 = booking(&ids["SS2"], &o2, &o2, "2030-01-08", "requested");
        let done = booking(&ids["SS"], &e, &o2, "2029-01-08", "completed");
        let vc = st
            .repo()
            .claim_insert(
                &innomesh_store::sharing::VoucherClaim {
                    id: String::new(),
                    booking_id: done,
                    programme_id: ids["VP"].clone(),
                    enterprise: o2.clone(),
                    fee: 800.0,
                    amount: 400.0,
                    status: "submitted".into(),
                    reason: String::new(),
                    created_at: String::new(),
                    decided_at: None,
                    decided_by: None,
                },
                &innomesh_store::Actor::system("authz"),
            )
            .unwrap()
            .id;
        // The manager carries the own cluster's deal, the other manager the other one.
        rewrite(&st, TechDeal, &ids["TD"].clone(), |v| {
            v["manager"] = json!(m)
        });
        rewrite(&st, TechDeal, &ids["TD2"].clone(), |v| {
            v["manager"] = json!(p2)
        });
        ids.insert("BK", bk);
        ids.insert("BK2", bk2);
        ids.insert("VC", vc);
        let cn = ids_of(&st, ChainNode)[0].clone();
        let chain = kind_json(&st, ChainNode, &cn)["chain"]
            .as_str()
            .unwrap()
            .to_string();
        let leaf = cn.strip_prefix(&format!("{chain}.")).unwrap().to_string();
        ids.insert("LEAF", leaf);
        ids.insert("CHAIN", chain);
        ids.insert("NODE", cn.clone());
        ids.insert("CN", cn.clone());
        let gap = json!({"node": cn, "kind": "subsidy", "title": "矩阵测试行动", "owner": "市科技局", "status": "planned"});
        let mapping = json!({"organisation": e, "node": cn, "decision": "confirmed"});
        for (name, kind, new) in [
            ("SR", SupplyRelation, None),
            ("GA", GapAction, Some(gap)),
            ("CM", ChainMapping, Some(mapping)),
        ] {
            let id = match (ids_of(&st, kind).first(), new) {
                (Some(id), _) => id.clone(),
                (None, Some(v)) => {
                    let r = Record::from_json(kind, v).unwrap();
                    st.create(&local(), r).unwrap().id().to_string()
                }
                (None, None) => panic!("no {kind:?} in the sample"),
            };
            ids.insert(name, id);
        }
        for (k, v) in [
            ("E", &e),
            ("O2", &o2),
            ("AP", &ap),
            ("AP2", &ap2),
            ("PG", &pg),
            ("PG2", &pg2),
            ("X", &x),
            ("M", &m),
            ("P2", &p2),
            ("X2", &x2),
            ("DM", &dm),
            ("DM2", &dm2),
            ("RS", &rs),
            ("RS2", &rs2),
        ] {
            ids.insert(k, v.clone());
        }
        // Duplicate pairs after the rewrites: one with the department's application, one without.
        let mine: BTreeSet<String> = st
            .repo()
            .all(Application)
            .unwrap()
            .iter()
            .map(Record::to_json)
            .filter(|a| dept_of(&st, a) == dept)
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        let pairs = st.funding_duplicates(&local()).unwrap();
        let own = pairs
            .iter()
            .find(|p| mine.contains(&p.a) || mine.contains(&p.b))
            .expect("a pair of the department");
        let other = pairs
            .iter()
            .find(|p| !mine.contains(&p.a) && !mine.contains(&p.b))
            .expect("a pair of other departments");
        for (k, d) in [("ST", &dm), ("ST2", &dm2)] {
            let status = kind_json(&st, Demand, d)["status"]
                .as_str()
                .unwrap()
                .to_string();
            ids.insert(k, status);
        }
        ids.insert("PAIR", format!("{}/{}", own.a, own.b));
        // 考核评估: a draft key-laboratory round and a published manufacturing-centre round.
        let rd = st
            .assessment_round_create(&local(), "key_laboratory", None, 2025, None)
            .unwrap();
        let view = st.assessment_round(&local(), &rd.id).unwrap();
        ids.insert("PLK", view.units[0].id.clone());
        let rp = st
            .assessment_round_create(
                &local(),
                "manufacturing_innovation_centre",
                None,
                2025,
                None,
            )
            .unwrap();
        let published = st.assessment_round_publish(&local(), &rp.id).unwrap();
        ids.insert("PLK2", published.units[0].id.clone());
        let ev = st
            .assessment_evidence_upload(
                &local(),
                &rd.id,
                &view.units[0].id,
                "leading_talent",
                "证书.pdf",
                MATRIX_PDF,
            )
            .unwrap();
        ids.insert("EV", ev.id);
        ids.insert("RD", rd.id);
        ids.insert("RP", rp.id);
        ids.insert("PAIR2", format!("{}/{}", other.a, other.b));
        // 创新联合体: a saved proposal led by the own enterprise.
        let cs = st
            .save_consortium(
                &local(),
                innomesh_app::consortium::SaveInput {
                    title: "矩阵测试联合体".into(),
                    basis: innomesh_app::consortium::BasisInput {
                        kind: "node".into(),
                        id: cn.clone(),
                    },
                    members: vec![innomesh_app::consortium::MemberInput {
                        role: "lead".into(),
                        id: e.clone(),
                        reason: "矩阵测试".into(),
                    }],
                    note: String::new(),
                    revises: None,
                },
            )
            .unwrap();
        ids.insert("CS", cs.id.unwrap());

        let router = innomesh_server::router(st.clone());
        let mut fx = Fixture {
            st: st.clone(),
            router,
            ids,
            bodies: HashMap::new(),
        };
        let scope = |role: Role| -> String {
            match role {
                Role::DistrictStaff => region.clone(),
                Role::DepartmentStaff => dept.clone(),
                Role::Enterprise => e.clone(),
                Role::Expert => x.clone(),
                Role::TechManager => m.clone(),
                _ => String::new(),
            }
        };
        let mut accounts = Vec::new();
        for (i, role) in Role::ASSIGNABLE.into_iter().enumerate() {
            let name = format!("matrix-{}", role.code());
            let addr = SocketAddr::from(([10, 0, 0, i as u8 + 1], 40000));
            let account = if role.is_admin() {
                fx.login(&name, role, addr).await
            } else {
                Account {
                    role,
                    cred: Cred::Token,
                    secret: support::token(&st, &name, role, &scope(role)),
                    csrf: String::new(),
                    addr,
                }
            };
            accounts.push(account);
        }
        fx.prepare_bodies(&accounts[0]).await;
        (fx, accounts)
    }

    /// An administrator through the real login: password, then the TOTP code.
    async fn login(&self, name: &str, role: Role, addr: SocketAddr) -> Account {
        let password = "Matrix-Passw0rd-2024!";
        self.st
            .add_user_with_password(&local(), name, name, role, "", password)
            .unwrap();
        let mut user = self.st.repo().user_by_name(name).unwrap().unwrap();
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string();
        user.totp_secret = Some(secret.clone());
        user.totp_enabled = true;
        self.st
            .repo()
            .user_save(
                &user,
                &innomesh_store::Actor::system("authz"),
                "totp",
                "test",
            )
            .unwrap();
        let form = format!("username={name}&password={}", urlenc(password));
        let r = self
            .raw(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .unwrap(),
                addr,
            )
            .await;
        assert_eq!((r.0.status, r.0.location.as_str()), (303, "/login/totp"));
        let cookie = r.1.expect("a session cookie");
        let code =
            innomesh_app::auth::accounts::totp_code(&secret, innomesh_store::unix_now() as u64)
                .unwrap();
        let r = self
            .raw(
                Request::post("/login/totp")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("innomesh_session={cookie}"))
                    .body(Body::from(format!("code={code}")))
                    .unwrap(),
                addr,
            )
            .await;
        assert_eq!(r.0.status, 303, "{}", String::from_utf8_lossy(&r.0.body));
        let cookie = r.1.expect("a new session cookie");
        // The CSRF token, as a form on any page carries it.
        let r = self
            .raw(
                Request::get("/account/password")
                    .header(header::COOKIE, format!("innomesh_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
                addr,
            )
            .await;
        let html = String::from_utf8_lossy(&r.0.body).to_string();
        let marker = "name=\"_csrf\" value=\"";
        let at = html.find(marker).expect("a page form with _csrf") + marker.len();
        let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
        Account {
            role,
            cred: Cred::Session,
            secret: cookie,
            csrf,
            addr,
        }
    }

    async fn raw(&self, mut req: Request<Body>, addr: SocketAddr) -> (Reply, Option<String>) {
        req.extensions_mut().insert(ConnectInfo(addr));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("innomesh_session="))
            .map(|v| v.split(';').next().unwrap().to_string())
            .filter(|v| !v.is_empty());
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (
            Reply {
                status,
                location,
                body,
            },
            cookie,
        )
    }

    /// Bodies computed from the registry (as city staff): valid requests, so that what decides
    /// the answer is who asks.
    async fn prepare_bodies(&mut self, city: &Account) {
        let get = |uri: String| self.send(Some(city), "GET", uri, Body::empty(), "");
        let order = get("/api/alloc/sample-order".into()).await.json();
        let rules = get("/api/chains/rules".into()).await.json();
        let aliases = get("/api/dictionaries/aliases".into()).await.json();
        let plan_req = json!({"order": order});
        let plan = self
            .send(
                Some(city),
                "POST",
                "/api/alloc/plan".into(),
                Body::from(plan_req.to_string()),
                "application/json",
            )
            .await
            .json();
        let shop = plan["plan"]["lots"][0]["shop_id"].clone();
        self.bodies.insert("plan", plan_req);
        self.bodies.insert(
            "repair",
            json!({"order": order, "plan": plan["plan"], "dropped_shop": shop}),
        );
        self.bodies.insert("rules", rules);
        self.bodies.insert(
            "prule",
            json!({"yaml": innomesh_policy_yaml("hitech_certification"), "note": "授权矩阵"}),
        );
        self.bodies.insert(
            "facts",
            json!({"facts": [{"key": "innovation_score", "value": 75}], "as_of": "2025-12-31"}),
        );
        self.bodies
            .insert("dict", json!({"text": aliases["text"].clone()}));
        self.bodies
            .insert("transition", json!({"to": self.ids["ST"]}));
        self.bodies
            .insert("transition2", json!({"to": self.ids["ST2"]}));
        self.bodies.insert(
            "round",
            json!({"framework": "key_laboratory", "year": 2024}),
        );
        self.bodies.insert("empty", json!({}));
        self.bodies
            .insert("fwdup", json!({"yaml": innomesh_assess::SHIPPED[0].1}));
        self.bodies.insert(
            "entry",
            json!({"unit": self.ids["PLK"], "indicator": "leading_talent", "value": "5", "evidence": "矩阵测试"}),
        );
        self.bodies.insert(
            "review",
            json!({"unit": self.ids["PLK2"], "indicator": "members", "approve": true}),
        );
        self.bodies.insert(
            "book",
            json!({"service": self.ids["SS"], "start": "2020-01-06 10:00", "end": "2020-01-06 11:00", "requester": self.ids["E"]}),
        );
        self.bodies.insert("noshow", json!({"action": "no_show"}));
        self.bodies.insert(
            "claim",
            json!({"booking": self.ids["BK"], "programme": self.ids["VP"]}),
        );
        self.bodies
            .insert("decision", json!({"approve": false, "reason": ""}));
        // An exclusion without a reason: refused (422) for the roles that may decide, so the
        // matrix changes no decision.
        self.bodies
            .insert("dupdecide", json!({"decision": "excluded", "reason": ""}));
        self.bodies.insert(
            "cons",
            json!({"title": "矩阵测试联合体", "basis": {"kind": "node", "id": self.ids["NODE"]},
                   "members": [{"role": "lead", "id": self.ids["E"], "reason": "矩阵测试"}]}),
        );
        self.bodies.insert(
            "simulate",
            json!({"target": self.ids["E"], "node": self.ids["NODE"]}),
        );
    }

    fn expand(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find('@') {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 1..];
            let end = tail
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
                .unwrap_or(tail.len());
            let name = &tail[..end];
            out.push_str(
                self.ids
                    .get(name)
                    .unwrap_or_else(|| panic!("no fixture id @{name}")),
            );
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }

    /// A body token: `-` none; `rec` the stored record of the request's `/api/{kind}/{id}`;
    /// `new:@ID` (API) / `formnew:@ID` (page) a copy of that record under a fresh id; `form`
    /// the record of the page's `/{kind}/{id}/edit` as a form; `csv` an import file with the
    /// kind's headers only; a name of `bodies`; `f:k=v&…` a form.
    fn body(&self, token: &str, request: &str) -> (Body, String) {
        let json_ct = "application/json".to_string();
        let form_ct = "application/x-www-form-urlencoded".to_string();
        let path = request.split('?').next().unwrap();
        let seg: Vec<&str> = path.split('/').collect();
        match token {
            "-" => (Body::empty(), String::new()),
            "rec" => {
                let kind = EntityKind::from_plural(seg[2]).unwrap();
                let v = kind_json(&self.st, kind, seg[3]);
                (Body::from(v.to_string()), json_ct)
            }
            "form" => {
                let kind = EntityKind::from_plural(seg[1]).unwrap();
                let r = self.st.repo().get(kind, seg[2]).unwrap().unwrap();
                (Body::from(form_of(&r)), form_ct)
            }
            "csv" => {
                let kind = EntityKind::from_plural(seg[2]).unwrap();
                let h = innomesh_core::tabular::headers(kind, false).join(",");
                (Body::from(format!("{h}\n")), "text/csv".into())
            }
            t if t.starts_with("new:") || t.starts_with("formnew:") => {
                let (form, id) = t.split_once(':').unwrap();
                let id = self.expand(id);
                let kind = EntityKind::from_plural(seg[if form == "new" { 2 } else { 1 }]).unwrap();
                let r = fresh_copy(&self.st, kind, &id);
                if form == "new" {
                    (Body::from(r.to_json().to_string()), json_ct)
                } else {
                    (Body::from(form_of(&r)), form_ct)
                }
            }
            t if t.starts_with("draft:") => {
                let v = kind_json(&self.st, EntityKind::Application, &self.expand(&t[6..]));
                (Body::from(v.to_string()), json_ct)
            }
            t if t.starts_with("f:") => (Body::from(self.expand(&t[2..])), form_ct),
            "pdf" => (Body::from(MATRIX_PDF), "application/pdf".into()),
            t if t.starts_with("mp:") => {
                // `mp:kind`: an import of the kind's headers only (`/import`); `mp:order`: the
                // order template, whose example rows make a valid order (`/capacity`).
                let what = &t[3..];
                let b = "matrixboundary";
                let mut body = Vec::new();
                let (name, file) = match EntityKind::from_plural(what) {
                    _ if what == "evidence" => {
                        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"indicator\"\r\n\r\nleading_talent\r\n").bytes());
                        ("证书.pdf", MATRIX_PDF.to_vec())
                    }
                    Some(kind) => {
                        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{what}\r\n").bytes());
                        let h = innomesh_core::tabular::headers(kind, false).join(",");
                        ("import.csv", format!("{h}\n").into_bytes())
                    }
                    None => ("order.xlsx", innomesh_app::alloc::order_template().unwrap()),
                };
                body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
                body.extend(file);
                body.extend(format!("\r\n--{b}--\r\n").bytes());
                (
                    Body::from(body),
                    format!("multipart/form-data; boundary={b}"),
                )
            }
            name => (
                Body::from(
                    self.bodies
                        .get(name)
                        .unwrap_or_else(|| panic!("no body {name}"))
                        .to_string(),
                ),
                json_ct,
            ),
        }
    }

    async fn send(
        &self,
        who: Option<&Account>,
        method: &str,
        uri: String,
        body: Body,
        content_type: &str,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if !content_type.is_empty() {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let addr = match who {
            Some(a) => {
                match a.cred {
                    Cred::Token => {
                        req = req.header(header::AUTHORIZATION, format!("Bearer {}", a.secret))
                    }
                    Cred::Session => {
                        req = req
                            .header(header::COOKIE, format!("innomesh_session={}", a.secret))
                            .header("x-csrf-token", a.csrf.clone())
                    }
                }
                a.addr
            }
            None => SocketAddr::from(([10, 0, 1, 1], 40000)),
        };
        self.raw(req.body(body).unwrap(), addr).await.0
    }

    /// Undoes what an allowed write changed, so every role meets the same registry.
    fn undo(&self, method: &str, request: &str, snapshot: Option<Record>, reply: &Reply) {
        if !(200..400).contains(&reply.status) {
            return;
        }
        let path = request.split('?').next().unwrap();
        let seg: Vec<&str> = path.split('/').collect();
        if method == "DELETE" && seg[1] == "api" && seg.len() == 4 {
            if let Some(r) = snapshot {
                // Put back as it was, at its stage (a new record would have to start at the
                // first stage; a restored one does not).
                let restored = self
                    .st
                    .import_records(&local(), vec![r], "undo", &|_| {})
                    .unwrap();
                assert!(restored.is_ok(), "the deleted record is restored");
            }
        }
        let created = if method == "POST" && seg[1] == "api" && seg.len() == 3 {
            let kind = EntityKind::from_plural(seg[2]);
            let v = reply.json();
            let id = v["id"]
                .as_str()
                .or(v["credit_code"].as_str())
                .map(str::to_string);
            kind.zip(id)
        } else if method == "POST" && seg.len() == 3 && seg[2] == "new" {
            // `/{kind}/new` answers with a redirect to the new record.
            let kind = EntityKind::from_plural(seg[1]);
            let id = reply
                .location
                .split('?')
                .next()
                .unwrap()
                .rsplit('/')
                .next()
                .map(str::to_string);
            kind.zip(id)
        } else {
            None
        };
        if let Some((kind, id)) = created {
            self.st.delete(&local(), kind, &id).unwrap();
        }
    }

    fn snapshot(&self, method: &str, request: &str) -> Option<Record> {
        let seg: Vec<&str> = request.split('?').next().unwrap().split('/').collect();
        if method != "DELETE" || seg[1] != "api" || seg.len() != 4 {
            return None;
        }
        let kind = EntityKind::from_plural(seg[2])?;
        self.st.repo().get(kind, seg[3]).unwrap()
    }
}

/// A copy of a record under a new id (organisations: a new valid credit code).
fn fresh_copy(st: &AppState, kind: EntityKind, id: &str) -> Record {
    let mut v = kind_json(st, kind, id);
    if kind == EntityKind::Organisation {
        let code =
            innomesh_core::CreditCode::with_check_digit(&format!("{}999999999", &id[..8])).unwrap();
        v["credit_code"] = json!(code.as_str());
        v["name"] = json!(format!("{}（矩阵测试）", v["name"].as_str().unwrap()));
    } else if kind == EntityKind::ChainNode {
        // Ids the registry does not assign.
        v["id"] = json!(format!("{id}_matrix"));
    } else if kind == EntityKind::Programme {
        v["id"] = json!(format!("{id}-matrix"));
    } else {
        v["id"] = json!("");
    }
    // A new demand or deal starts at its first stage, whatever stage the copied one reached.
    match Record::from_json(kind, v).unwrap() {
        Record::Demand(mut d) => {
            d.status = innomesh_core::model::DemandStatus::Posted;
            Record::Demand(d)
        }
        Record::TechDeal(mut d) => {
            d.stage = innomesh_core::model::DealStage::Intent;
            d.signed_date = None;
            d.registration_no = String::new();
            d.registered_date = None;
            Record::TechDeal(d)
        }
        r => r,
    }
}

/// A record as its edit form posts it.
fn form_of(r: &Record) -> String {
    let cells = innomesh_core::tabular::record_to_cells(r, true);
    innomesh_core::schema::fields(r.kind())
        .iter()
        .zip(cells)
        .filter(|(_, c)| c.display() != "否")
        .map(|(f, c)| format!("{}={}", f.key, urlenc(&c.display())))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---- what is routed ----

const PAGE_SOURCES: &[(&str, &str)] = &[
    ("pages/mod.rs", include_str!("../src/pages/mod.rs")),
    ("workbench/mod.rs", include_str!("../src/workbench/mod.rs")),
];

/// `(METHOD, path)` of every page route, parsed from the routers' sources.
fn page_routes() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (file, src) in PAGE_SOURCES {
        for (at, _) in src.match_indices(".route(") {
            let rest = &src[at + ".route(".len()..];
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
            let handlers = &call[start + path.len() + 1..];
            let mut found = false;
            for m in ["get", "post", "put", "delete"] {
                let bytes = handlers.as_bytes();
                for (i, _) in handlers.match_indices(&format!("{m}(")) {
                    let before = if i == 0 { b' ' } else { bytes[i - 1] };
                    if !(before.is_ascii_alphanumeric() || before == b'_') {
                        out.insert((m.to_uppercase(), path.to_string()));
                        found = true;
                    }
                }
            }
            assert!(found, "{file}: no method for {path}");
        }
    }
    out
}

/// `(METHOD, path)` of every operation of the OpenAPI document.
fn api_operations() -> BTreeSet<(String, String)> {
    let doc = innomesh_server::openapi::build();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "post", "put", "delete"] {
            if item.get(m).is_some() {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/login/totp" | "/assets/site.css" | "/api/openapi.json" | "/logout"
    )
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let rows = rows();
    let table: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.clone(), r.route.clone()))
        .collect();
    let api = api_operations();
    let pages = page_routes();
    assert!(
        api.len() > 100 && pages.len() > 25,
        "{} {}",
        api.len(),
        pages.len()
    );
    let mut missing = Vec::new();
    for op in api.iter().chain(&pages) {
        if !table.contains(op) {
            missing.push(format!("{} {}", op.0, op.1));
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a row in the authorization matrix:\n{}",
        missing.join("\n")
    );
    for r in &rows {
        let op = (r.method.clone(), r.route.clone());
        assert!(
            api.contains(&op) || pages.contains(&op),
            "matrix line {}: {} {} is neither documented nor routed",
            r.line,
            r.method,
            r.route
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_what_the_matrix_says() {
    let (fx, accounts) = Fixture::new().await;
    let mut rows = rows();
    // Logging out ends the administrators' sessions: last.
    rows.sort_by_key(|r| r.route == "/logout");
    let print = std::env::var("AUTHZ_PRINT").is_ok();
    let mut wrong = Vec::new();
    let mut cells = 0;
    for row in &rows {
        let request = fx.expand(&row.request);
        let mut got = Vec::new();
        for (a, expected) in accounts.iter().zip(&row.expected) {
            let snapshot = fx.snapshot(&row.method, &request);
            let (body, ct) = fx.body(&row.body, &request);
            let reply = fx
                .send(Some(a), &row.method, request.clone(), body, &ct)
                .await;
            fx.undo(&row.method, &request, snapshot, &reply);
            cells += 1;
            let status = reply.status.to_string();
            if reply.status >= 500 || (expected != "?" && &status != expected) {
                let text = String::from_utf8_lossy(&reply.body);
                let text: String = text.chars().take(300).collect();
                wrong.push(format!(
                    "line {}: {} {} as {}: expected {expected}, got {status}: {text}",
                    row.line,
                    row.method,
                    request,
                    a.role.code()
                ));
            }
            got.push(status);
        }
        if print {
            let shown = if row.request == row.route {
                "="
            } else {
                row.request.as_str()
            };
            println!(
                "{:<6} {:<40} {:<44} {:<12} {}",
                row.method,
                row.route,
                shown,
                row.body,
                got.iter()
                    .map(|s| format!("{s:<4}"))
                    .collect::<String>()
                    .trim_end()
            );
        }
    }
    assert!(cells > 1000, "only {cells} cells");
    assert!(
        wrong.is_empty(),
        "{} answers differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_writes_answer_401_and_pages_redirect_to_login() {
    let (fx, _) = Fixture::new().await;
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for row in rows() {
        let request = fx.expand(&row.request);
        let (body, ct) = fx.body(&row.body, &request);
        let r = fx.send(None, &row.method, request.clone(), body, &ct).await;
        seen.insert((row.method.clone(), row.route.clone()));
        let path = request.split('?').next().unwrap();
        let api = path == "/api" || path.starts_with("/api/");
        let refusal = String::from_utf8_lossy(&r.body).contains("<h1>请先登录</h1>")
            || r.location.starts_with("/login?next=");
        let ok = if is_public(path) {
            !refusal && r.status < 500
        } else if api {
            r.status == 401 && r.json()["code"] == "unauthorized"
        } else if row.method == "GET" {
            (r.status == 303 || r.status == 302) && r.location.starts_with("/login?next=%2F")
        } else {
            r.status == 401
        };
        if !ok {
            wrong.push(format!(
                "{} {request}: {} {}",
                row.method, r.status, r.location
            ));
        }
    }
    assert_eq!(seen.len(), api_operations().len() + page_routes().len());
    assert!(
        wrong.is_empty(),
        "answered without credentials:\n{}",
        wrong.join("\n")
    );
}
