#!/usr/bin/env bash
# Memory on a large input: peak RSS of `copydesk clean` with all stages on a
# JSON Lines file of at least TARGET_GB (default 2), measured by
# /usr/bin/time -v. Target: under 300 MB whatever the input size (the engine
# holds a bounded queue of documents, never the input).
#   bench/memory.sh BUILD/copydesk [TARGET_GB] [THREADS]
# Input: the project's ../shared/eval/dev.jsonl when it is present (damaged
# like bench/throughput.sh: every non-ASCII character deleted), else samples/news.jsonl and
# samples/diplomat-scraped.txt; the documents are repeated with fresh ids up
# to the size. The file is kept in BENCH_DIR (default /tmp/copydesk-memory)
# for reruns. Slow: all stages run at about 5 MB/s per core.
set -euo pipefail
CD=$(readlink -f "${1:?usage: memory.sh PATH/TO/copydesk [TARGET_GB] [THREADS]}")
GB=${2:-2}
THREADS=${3:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${COPYDESK_SHARED:-$ROOT/../shared}
W=${BENCH_DIR:-/tmp/copydesk-memory}
mkdir -p "$W"
IN=$W/input.jsonl
want=$(python3 -c "print(int($GB * 1e9))")
if [ ! -s "$IN" ] || [ "$(stat -c %s "$IN")" -lt "$want" ]; then
  if [ -f "$SHARED/eval/dev.jsonl" ]; then
    echo "input: $SHARED/eval/dev.jsonl, damaged by eval/damage.py --mode strip-nonascii, repeated to $GB GB"
    python3 "$SHARED/eval/damage.py" --mode strip-nonascii "$SHARED/eval/dev.jsonl" >"$W/one.jsonl"
    src=$W/one.jsonl field=input
  else
    echo "input: samples/news.jsonl and samples/diplomat-scraped.txt, repeated to $GB GB"
    python3 -c 'import json,sys
for l in open(sys.argv[1]): print(l, end="")
print(json.dumps({"id": "diplomat", "text": open(sys.argv[2]).read()}))' \
      "$ROOT/samples/news.jsonl" "$ROOT/samples/diplomat-scraped.txt" >"$W/one.jsonl"
    src=$W/one.jsonl field=text
  fi
  python3 - "$src" "$field" "$IN" "$want" <<'PY'
import json, sys
src, field, out, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
docs = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
lines = [(str(d.get("id", i)), d[field]) for i, d in enumerate(docs) if isinstance(d.get(field), str)]
if not lines:
    sys.exit(f"memory.sh: no '{field}' field in {src}")
size, k = 0, 0
with open(out, "w", encoding="utf-8") as f:
    while size < want:
        chunk = "".join(json.dumps({"id": f"r{k}-{i}", "text": t}) + "\n" for i, t in lines)
        f.write(chunk)
        size += len(chunk.encode("utf-8"))
        k += 1
PY
fi
bytes=$(stat -c %s "$IN")
docs=$(wc -l <"$IN")
echo "file: $IN, $(python3 -c "print(round($bytes/1e9, 2))") GB, $docs documents; threads: $THREADS (0: all usable CPUs, $(nproc) here)"
/usr/bin/time -v -o "$W/time.txt" nice "$CD" clean -q --no-progress --threads "$THREADS" --format jsonl \
  --stats "$W/stats.json" "$IN" >/dev/null || true
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$W/time.txt")
python3 - "$W/stats.json" "$docs" "$rss_kb" "$wall" "$bytes" <<'PY'
import json, sys
stats, docs, rss_kb, wall, nbytes = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(f"documents in {docs}, out {stats['documents']}, failed {stats['failed']}")
print(f"wall {wall} ({nbytes / 1e6 / secs:.1f} MB/s); peak RSS {rss_kb / 1024:.1f} MB "
      f"({'under' if rss_kb < 300 * 1024 else 'OVER'} the 300 MB target)")
PY
grep -E 'Maximum resident|Elapsed|User time|System time|Exit status' "$W/time.txt" | sed 's/^\s*/  /'
