#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, cargo-fuzz / libFuzzer) until it has used a given number of
# CPU-seconds — the process's own CPU time, polled with `ps -o cputimes`, not wall time, so a
# shared or `nice`d machine gives the same amount of fuzzing — one target at a time, and prints
# per target: CPU seconds, executions, coverage (edges), features, corpus size, crashes.
#
#   bench/fuzz.sh [CPU_SECONDS_PER_TARGET] [TARGET...]      # default 1800 (30 CPU-minutes), all
#   nice -n 19 bench/fuzz.sh 1800                           # in idle CPU time
#   RESUME=1 bench/fuzz.sh 1800                             # skip targets already run that long
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The growing corpus,
# the crash artifacts and results.tsv live in $FUZZ_WORK (default /tmp/innomesh-fuzz), the seed
# corpus in fuzz/corpus/<target>/ (read only). A run continues from $FUZZ_WORK's corpus, so an
# interrupted campaign resumes where it stopped. libFuzzer's own log of a target goes to
# $FUZZ_LOG_PREFIX<target>.log (default $FUZZ_WORK/<target>.log). A crash stops that target (libFuzzer's way):
# the input is in $FUZZ_WORK/artifacts/<target>/ — fix the cause, add the input to the seeds.
# Not part of .ci/run (time); the seeds are replayed by `cargo test` (crates/sheets/tests/fuzz_seeds.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${1:-1800}
shift || true
ALL=(xlsx xlsx_sheet csv rows json_body policy_rule)
if [ $# -eq 0 ]; then TARGETS=("${ALL[@]}"); else TARGETS=("$@"); fi
WORK=${FUZZ_WORK:-/tmp/innomesh-fuzz}
RSS_MB=${RSS_MB:-2048}
TIMEOUT_S=${TIMEOUT_S:-20}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/fuzz/target}
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
[ -f "$RESULTS" ] || printf 'target\tcpu_s\texecs\tcov\tft\tcorpus\tcrashes\tstatus\tfinished_utc\n' >"$RESULTS"

# -a: debug assertions, so an integer overflow is a crash, as in a debug build.
(cd fuzz && cargo +nightly fuzz build -O -a 2>&1 | tail -n 3)
TRIPLE=$(rustc +nightly -vV | sed -n 's/^host: //p')
BINDIR="$CARGO_TARGET_DIR/$TRIPLE/release"

# CPU seconds of a process from `ps -o cputimes` (empty when it has exited).
cpu_of() { ps -o cputimes= -p "$1" 2>/dev/null | tr -d ' '; }

for t in "${TARGETS[@]}"; do
  if [ "${RESUME:-0}" = 1 ] && awk -F'\t' -v t="$t" -v b="$BUDGET" \
      '$1==t && $2+0>=b && $8=="done" {f=1} END {exit !f}' "$RESULTS"; then
    echo "== $t: already fuzzed for $BUDGET CPU-s (results.tsv), skipped"; continue
  fi
  corpus="$WORK/corpus/$t"; artifacts="$WORK/artifacts/$t"; log="${FUZZ_LOG_PREFIX:-$WORK/}$t.log"
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  # The seeds are a second corpus directory: read, never written (new inputs go to $corpus).
  "$BINDIR/$t" "$corpus" "fuzz/corpus/$t" \
    -artifact_prefix="$artifacts/" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT_S" \
    -max_len=1048576 -print_final_stats=1 >"$log" 2>&1 &
  pid=$!
  used=0
  while kill -0 "$pid" 2>/dev/null; do
    c=$(cpu_of "$pid"); [ -n "$c" ] && used=$c
    if [ "$used" -ge "$BUDGET" ]; then kill -INT "$pid" 2>/dev/null || true; break; fi
    sleep 5
  done
  rc=0; wait "$pid" || rc=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(printf '%s' "$last" | sed -E 's/^#([0-9]+).*/\1/')
  cov=$(printf '%s' "$last" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
  ft=$(printf '%s' "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
  corp=$(printf '%s' "$last" | sed -nE 's/.*corp: ([0-9]+)\/.*/\1/p')
  crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
  status=done
  if [ "$crashes" -gt 0 ]; then status=crash
  elif [ "$used" -lt "$BUDGET" ]; then status="stopped(rc=$rc)"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$used" "${execs:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "$crashes" "$status" "$(date -u +%FT%TZ)" >>"$RESULTS"
  echo "== $t: ${used} CPU-s, ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, crashes $crashes ($status)"
  [ "$crashes" -eq 0 ] || ls "$artifacts"
done
echo "== results ($RESULTS)"; column -t -s$'\t' "$RESULTS" 2>/dev/null || cat "$RESULTS"
