#!/usr/bin/env bash
# Property-based test of the API against its own contract, /api/openapi.json, with schemathesis
# (`--checks all`): starts the demo server on sample data, runs a bounded, seeded run, stops it.
#
#   tests/schemathesis.sh                 # ~20 examples per operation, seed 1
#   MAX_EXAMPLES=50 SEED=7 tests/schemathesis.sh
#
# One worker: with several, hypothesis on CPython 3.11 sometimes fails with "AST constructor
# recursion depth mismatch" (a runtime error in the tool, not a finding).
# Needs python3 (venv) and network access to PyPI the first time (the venv is reused after).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${ST_VENV:-/tmp/st-venv}
PORT=${PORT:-18080}
SEED=${SEED:-1}
MAX_EXAMPLES=${MAX_EXAMPLES:-20}
DATA=$(mktemp -d /tmp/innomesh-st.XXXXXX)
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${INNOMESH_BIN:-$TARGET/debug/innomesh}

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q schemathesis
fi
[ -x "$BIN" ] || cargo build -p innomesh

# The sample registry and an API token of a city staff account (the operator commands a deployment
# uses: innomesh user add / innomesh token create). Every operation but the document needs one.
"$BIN" demo --data-dir "$DATA" --no-serve >"$DATA/server.log" 2>&1
TOKEN=$(python3 -c 'import sys; sys.path.insert(0, "bench"); from innomesh_login import token_headers; print(token_headers(sys.argv[1], sys.argv[2], "schemathesis")["Authorization"])' "$BIN" "$DATA")
"$BIN" serve --data-dir "$DATA" --port "$PORT" >>"$DATA/server.log" 2>&1 &
SERVER=$!
# ST_SERVER_LOG=path keeps the server's log (its stderr names the cause of any 5xx).
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; [ -z "${ST_SERVER_LOG:-}" ] || cp "$DATA/server.log" "$ST_SERVER_LOG"; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/server.log"; exit 1; }
  sleep 0.5
done

# Every check runs (`--checks all`, nothing excluded; unsupported_method included: an undeclared
# method is 405 with an Allow header). positive_data_acceptance accepts, besides 2xx, only what
# schemathesis accepts by default for a schema-valid request — 401, 403, 404 (an id or code of the
# right shape that names no record), 409 (a state conflict), 429 — except on the operations below,
# named one by one, whose validity depends on data no JSON Schema can hold. Each of these answers
# is documented on its operation with the {code, message} Error schema.
# - imports (400, 422): the body is a file; the document can only say "binary". Its headers and
#   cells are checked by the server (400 bad_file, 422 import_rejected naming row and column).
# - record creates and updates (422): GB 32100 credit-code and GB 11643 ID-number check digits,
#   phone rules, references to records that must exist, and the record rules of
#   `Record::validate` (dates in order, amounts that add up) — no JSON Schema holds a check digit
#   or the registry's contents.
# - the pre-submission check of an application draft (422): the same record rules.
# - a decision on a flagged duplicate pair (422): an exclusion needs a reason that is more than
#   whitespace (Rust's and ECMA-262's whitespace differ, so no pattern states it exactly).
# - demand transitions (422): one stage at a time from the demand's current stage.
# - chain simulation (422): the target organisation and the chain node must exist.
# - dictionary saves (422): each line's format (「词 词频 词性」, alias groups).
# - the organisation list and its export (422): `chain` and `node` must name a chain and one of
#   its nodes that exist in the registry's chain models (data, not a pattern).
# - capacity plan and repair (422): an order's batches must fit the workshops' calendars.
# - sharing figures (400): `to` before `from` — a relation between two parameters, which JSON
#   Schema cannot state (each date alone is an exact pattern).
# The too_slow health check is suppressed: it judges how fast hypothesis can draw data, not the
# API; the region and industry parameters are patterns listing every code the server accepts
# (GB/T 2260, GB/T 4754), and on a loaded 2-core machine drawing records with several of them
# trips it (POST /api/organisations did).
# max_response_time is 30 s instead of 10: this runs the debug build on a shared machine, where
# resetting a dictionary (rebuilding the segmenter and the matching indexes) takes ~10 s.
KINDS="organisations|platforms|people|achievements|equipment|demands|applications|policies|chain-nodes|supply-relations|gap-actions|chain-mappings|programmes|deliveries|demand-responses|shared-services|voucher-programmes|tech-deals"
CONFIG="$DATA/schemathesis.toml"
cat >"$CONFIG" <<TOML
[checks]
max_response_time = 30.0

[[operations]]
include-path-regex = "^/api/[a-z-]+/import\$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/($KINDS)\$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/($KINDS)/[{]id[}]\$"
include-method = "PUT"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/(funding/check-draft|funding/duplicates/[{]a[}]/[{]b[}]/decision|demands/[{]id[}]/transition|chains/simulate|dictionaries/[{]which[}]|alloc/plan|alloc/repair)\$"
include-method-regex = "^(POST|PUT)\$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path-regex = "^/api/organisations(/export)?\$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-path = "/api/sharing/figures"
include-method = "GET"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429"]
TOML

# A failing run prints the server's own lines (its stderr names the cause of a 5xx), so a CI log
# that shows the failure also shows why.
status=0
"$VENV/bin/st" --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --checks all \
  --suppress-health-check=too_slow \
  --header "Authorization: $TOKEN" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --request-timeout 30 \
  --no-color \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "== schemathesis failed ($status): the server's log, demo output left out"
  grep -v -e '^生成' -e '^导入' -e '^示例' "$DATA/server.log" | tail -n 60 || true
fi
exit "$status"
