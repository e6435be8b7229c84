#!/usr/bin/env bash
# Throughput benchmark (reads ../shared/eval/dev.jsonl: run from a checkout
# that has the project's shared/ folder beside it; never part of the tests).
#
#   bench/throughput.sh BUILD/copydesk [TARGET_MB] [RUNS]
#
# Builds one input from the dev set (damaged: every non-ASCII character
# deleted, the way the scraper did) repeated to TARGET_MB (default 200), then
# times, in the same run and on the same bytes:
#   wc -w                          a floor: one pass that finds words
#   copydesk restore, 1 thread     the restore stage alone
#   copydesk all stages, 1 thread  and on all threads
#   codespell (Debian), if installed; retext + retext-contractions (npm ci in
#   bench/: package.json, package-lock.json, retext.mjs), if installed
# Prints MB/s (median of RUNS, default 3), the ratios to wc -w, and copydesk's
# 1-thread throughput as a multiple of each peer's (both on one core).
set -euo pipefail
CD=$(readlink -f "${1:?usage: throughput.sh PATH/TO/copydesk [TARGET_MB] [RUNS]}")
MB=${2:-200}
RUNS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${COPYDESK_SHARED:-$HERE/../../shared}
DEV=$SHARED/eval/dev.jsonl
[ -f "$DEV" ] || { echo "bench: $DEV not found (set COPYDESK_SHARED)"; exit 2; }
W=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
if [ ! -s "$W/input.jsonl" ] || [ "$(stat -c %s "$W/input.jsonl")" -lt $((MB * 1000000)) ]; then
  python3 "$SHARED/eval/damage.py" --mode strip-nonascii "$DEV" |
    python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l); print(json.dumps({"id": r["id"], "text": r["input"]}))' >"$W/one.jsonl"
  : >"$W/input.jsonl"
  k=0
  while [ "$(stat -c %s "$W/input.jsonl")" -lt $((MB * 1000000)) ]; do
    sed "s/^{\"id\": \"/{\"id\": \"r$k-/" "$W/one.jsonl" >>"$W/input.jsonl"; k=$((k + 1))
  done
  python3 -c 'import json,sys
with open(sys.argv[2], "w") as out:
    for l in open(sys.argv[1]): out.write(json.loads(l)["text"] + "\n")' "$W/input.jsonl" "$W/input.txt"
fi
bytes=$(stat -c %s "$W/input.txt")
mb=$(python3 -c "print(round($bytes/1e6, 1))")

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_cmd() {  # time_cmd NAME CMD...: median wall seconds over RUNS
  local name=$1; shift
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
  done | median
}

echo "input: $mb MB of text ($W/input.txt), $(wc -l <"$W/input.jsonl") documents; median of $RUNS runs; $(nproc) CPUs"
t_wc=$(time_cmd wc wc -w "$W/input.txt")
report() {  # report NAME SECONDS
  python3 -c "
name, t, twc, mb = '$1', float('$2'), float('$t_wc'), float('$mb')
print(f'{name:<34} {t:8.2f} s {mb/t:9.1f} MB/s {t/twc:7.2f} x wc -w')"
}
report "wc -w" "$t_wc"
report "copydesk restore, 1 thread" "$(time_cmd r1 "$CD" clean -q --threads 1 --stages restore --format jsonl "$W/input.jsonl")"
t_a1=$(time_cmd a1 "$CD" clean -q --threads 1 --format jsonl "$W/input.jsonl")
report "copydesk all stages, 1 thread" "$t_a1"
report "copydesk all stages, $(nproc) threads" "$(time_cmd an "$CD" clean -q --threads 0 --format jsonl "$W/input.jsonl")"
# peer NAME SECONDS MB: a single-process peer's throughput, and copydesk's
# (all stages, 1 thread) throughput as a multiple of it: per core.
peer() {
  python3 -c "
name, t, mb, ta1, cmb = '$1', float('$2'), float('$3'), float('$t_a1'), float('$mb')
print(f'{name:<34} {t:8.2f} s {mb/t:9.1f} MB/s   copydesk 1 thread = {(cmb/ta1)/(mb/t):.1f} x its throughput')"
}
if command -v codespell >/dev/null; then
  head -c 20000000 "$W/input.txt" >"$W/input-20mb.txt"
  t=$(time_cmd cs codespell "$W/input-20mb.txt")
  m=$(python3 -c "print(round($(stat -c %s "$W/input-20mb.txt")/1e6, 1))")
  peer "codespell ($m MB), 1 process" "$t" "$m"
else
  echo "codespell: not installed (apt-get install codespell)"
fi
if [ -d "$HERE/node_modules/retext-contractions" ]; then
  head -c 5000000 "$W/input.txt" >"$W/input-5mb.txt"
  t=$(time_cmd rt node "$HERE/retext.mjs" "$W/input-5mb.txt")
  m=$(python3 -c "print(round($(stat -c %s "$W/input-5mb.txt")/1e6, 1))")
  peer "retext-contractions ($m MB), 1 proc" "$t" "$m"
else
  echo "retext: not installed (run npm ci in bench/)"
fi
echo "(scratch: $W)"
