#!/bin/sh
# First visits of the engine pages after a start (issues 14, 16.7, 17).
# usage: bench/first_visit.sh BINARY DATA_DIR PORT LABEL
# Makes an API token for a city-staff account `bgwork-bench` (`innomesh user add`, `token create`:
# the only writes), starts `innomesh serve` on DATA_DIR, waits until it answers, then GETs each
# engine page once — its first visit after the start — and prints status, curl's time_total and
# whether the page said 正在准备 / 正在更新; then asks each page again, once a second, until it shows
# its figures ("figures … after N s more"). Ends with the server's VmHWM.
B=$1; D=$2; P=$3; L=$4
W=$(mktemp -d)
H=$(python3 -c "
import sys; sys.path.insert(0, '$(dirname "$0")')
from innomesh_login import token_headers
print(token_headers('$B', '$D', name='bgwork-bench')['Authorization'])")
$B serve --data-dir "$D" --port "$P" >"$W/serve.log" 2>&1 &
SP=$!
T0=$(date +%s.%N)
until curl -s -o /dev/null "http://127.0.0.1:$P/"; do sleep 0.2; done
echo "$L ready after $(echo "$(date +%s.%N) - $T0" | bc) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
PAGES="/policy-rules /policy-rules/hitech_certification /policy-rules/tech_sme /funding /funding?year=2024 /funding/duplicates /capacity /capacity?parts=12&seed=7 /deals /demand-funnel /sharing /dashboard /chains /chains/rare_earth"
state() {
  grep -q 'data-derived="preparing"' "$W/page.html" && echo 正在准备
  grep -q 'data-derived="updating"' "$W/page.html" && echo 正在更新
}
for u in $PAGES; do
  w=$(curl -s -o "$W/page.html" -H "Authorization: $H" -w "%{http_code} %{time_total}" "http://127.0.0.1:$P$u")
  echo "$L first $u $w $(state)"
done
for u in $PAGES; do
  t=$(date +%s.%N); n=0
  while :; do
    curl -s -o "$W/page.html" -H "Authorization: $H" "http://127.0.0.1:$P$u"
    grep -q 'data-derived="preparing"' "$W/page.html" || break
    n=$((n+1)); [ $n -gt 900 ] && break; sleep 1
  done
  echo "$L figures $u after $(echo "$(date +%s.%N) - $t" | bc) s more $(state)"
done
echo "$L $(grep VmHWM /proc/$SP/status)"
kill $SP; wait $SP 2>/dev/null
rm -rf "$W"
