#!/usr/bin/env bash
# Fault and bad-input suite (run by .ci/run): each fault must give a clear
# error or a clean recovery, the counts must add up (documents in = records
# out, errors included, and --stats agrees), and no partial file may be left
# under a final name.
#   tests/fault/run.sh BUILD/copydesk
# Cases: truncated .gz and .zst; a 100 MB JSON record; NUL bytes; invalid
# UTF-8 in JSON strings; a full disk (a 2 MB tmpfs when we may mount one, else
# `ulimit -f`); an unwritable output folder; 100,000 small files; SIGKILL
# mid-run, then a rerun; the progress line on a terminal (script(1)) and
# never off one. About a minute on 2 cores.
set -u
CD=$(readlink -f "${1:?usage: run.sh PATH/TO/copydesk}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export COPYDESK_DATA_DIR=$ROOT/config
W=$(mktemp -d /tmp/copydesk-fault.XXXXXX)
chmod 755 "$W"
mounted=""
cleanup() {
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 2
pass=0 fail=0
t0=$(date +%s)
check() { local name=$1; shift; if "$@"; then pass=$((pass+1)); else echo "FAIL $name"; fail=$((fail+1)); fi; }
# Final names only: no "*.tmp.*" file anywhere under DIR.
no_temps() { test -z "$(find "$1" -name '*.tmp.*' 2>/dev/null)"; }
# stats_field FILE KEY: an integer from a --stats JSON file.
stats_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# Counts add up: records in OUT.jsonl = documents in STATS, errors in OUT = failed in STATS.
counts_add_up() {
  local out=$1 stats=$2 want_docs=$3
  local recs errs
  recs=$(wc -l <"$out")
  errs=$(grep -c '"error":{' "$out")
  [ "$recs" = "$want_docs" ] && [ "$(stats_field "$stats" documents)" = "$recs" ] &&
    [ "$(stats_field "$stats" failed)" = "$errs" ]
}
section() { echo "  [$(( $(date +%s) - t0 )) s] $1"; }
gen_records() {  # gen_records N: N small JSON Lines records
  python3 -c 'import json,sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": "r%d" % i, "text": "Record %d says the plan was fine and the report is done." % i}))' "$1"
}
# --- Truncated .gz and .zst: the complete records are cleaned, the broken tail is one error record.
section "Truncated .gz"
gen_records 3000 >all.jsonl
python3 -c 'import json,random
r = random.Random(7)
for i in range(3000): print(json.dumps({"id": "r%d" % i, "text": " ".join(str(r.random()) for _ in range(8))}))' >rand.jsonl
gzip -c rand.jsonl | head -c 20000 >trunc.jsonl.gz
zstd -q -c rand.jsonl | head -c 20000 >trunc.jsonl.zst
for f in trunc.jsonl.gz trunc.jsonl.zst; do
  case $f in *.gz) complete=$( (gzip -dc $f 2>/dev/null || true) | grep -c '}$');;
             *) complete=$( (zstd -dc $f 2>/dev/null || true) | grep -c '}$');; esac
  "$CD" clean -q --stages decode,normalise --stats $f.stats --format jsonl $f >$f.out 2>$f.err
  rc=$?
  check "$f: exit 2 (bad input)" test $rc = 2
  check "$f: complete records + 1 error = records out" counts_add_up $f.out $f.stats $((complete + 1))
  check "$f: the error names the truncation" grep -q 'truncated' $f.err
  check "$f: exactly one error" test "$(grep -c '"error":{' $f.out)" = 1
done

# --- A JSON record of 100 MB between two small ones: an error record, memory stays small.
section "A JSON record of 100 MB"
python3 - <<'EOF'
with open("huge.jsonl", "w") as f:
    f.write('{"id":"before","text":"fine"}\n')
    f.write('{"id":"huge","text":"' + "word " * (20 * 1024 * 1024) + '"}\n')
    f.write('{"id":"after","text":"also fine"}\n')
EOF
/usr/bin/time -f '%M' -o huge.time "$CD" clean -q --stats huge.stats --format jsonl huge.jsonl >huge.out 2>huge.err
rc=$?
tail -n 1 huge.time >huge.rss
check "100 MB record: exit 2" test $rc = 2
check "100 MB record: 3 records, counts add up" counts_add_up huge.out huge.stats 3
check "100 MB record: too-large error" grep -q '"code":"too-large"' huge.out
check "100 MB record: neighbours cleaned" test "$(grep -c '"error":null' huge.out)" = 2
check "100 MB record: peak RSS under 150 MB ($(cat huge.rss) kB)" test "$(cat huge.rss)" -lt 153600
# Raised limit: the record is cleaned (decode only, to stay quick).
/usr/bin/time -f '%M' -o huge2.time "$CD" clean -q --stages decode --max-document-bytes 200000000 \
  --stats huge2.stats --format jsonl huge.jsonl >huge2.out 2>huge2.err
rc=$?
tail -n 1 huge2.time >huge2.rss
check "100 MB record, raised limit: exit 0" test $rc = 0
check "100 MB record, raised limit: counts add up" counts_add_up huge2.out huge2.stats 3
echo "  (100 MB record: peak RSS $(cat huge.rss) kB skipped, $(cat huge2.rss) kB cleaned)"
rm -f huge.jsonl huge.out huge2.out

# --- NUL bytes: raw in a text file, raw inside a JSON line, escaped (\u0000) in a JSON string.
section "NUL bytes"
printf 'abc\0def\n' >nul.txt
printf '{"id":"raw","text":"a\0b"}\n{"id":"esc","text":"a\\u0000b"}\n{"id":"ok","text":"fine"}\n' >nul.jsonl
"$CD" clean -q --stats nul.stats --format jsonl nul.txt nul.jsonl >nul.out 2>nul.err
rc=$?
check "NUL bytes: exit 2" test $rc = 2
check "NUL bytes: 4 records, counts add up" counts_add_up nul.out nul.stats 4
check "NUL bytes: binary text file named" grep -q '"code":"binary"' nul.out
check "NUL bytes: raw NUL in JSON is invalid-json" grep -q '"id":"nul.jsonl:1".*"code":"invalid-json"' nul.out
check "NUL bytes: escaped NUL makes the document binary" grep -q '"id":"esc".*"code":"binary"' nul.out
check "NUL bytes: the next record is cleaned" grep -q '"id":"ok".*"error":null' nul.out

# --- Invalid UTF-8 inside JSON strings: the record is kept and decode repairs it.
section "Invalid UTF-8 inside"
printf '{"id":"latin1","text":"caf\xe9 au lait, na\xefve"}\n{"id":"cut","text":"ok \xe2\x80 then"}\n{"id":"key\xff","text":"fine","src\xfe":"x\xfd"}\n' >badutf8.jsonl
"$CD" clean -q --stats badutf8.stats --format jsonl badutf8.jsonl >badutf8.out 2>badutf8.err
rc=$?
check "invalid UTF-8 in JSON: exit 0" test $rc = 0
check "invalid UTF-8 in JSON: counts add up" counts_add_up badutf8.out badutf8.stats 3
check "invalid UTF-8 in JSON: output is valid UTF-8" python3 -c 'open("badutf8.out", encoding="utf-8").read()'
check "invalid UTF-8 in JSON: Latin-1 decoded" grep -q "$(printf 'caf\303\251 au lait, na\303\257ve')" badutf8.out
check "invalid UTF-8 in JSON: other fields get U+FFFD" grep -q "$(printf '"src\357\277\275":"x\357\277\275"')" badutf8.out
check "invalid UTF-8 in JSON: decode finding" grep -q '"rule":"decode\.' badutf8.out

# --- Full disk: exit 3 (retryable), a clear message, no final name, no temporaries.
section "Full disk"
gen_records 40000 >big.jsonl
full=$W/full; mkdir -p "$full"
if mount -t tmpfs -o size=2m tmpfs "$full" 2>/dev/null; then
  mounted=$full; how="2 MB tmpfs"
  "$CD" clean -q --stages decode --output-dir "$full/out" big.jsonl >/dev/null 2>full.err
  rc=$?
else
  how="ulimit -f 2048"
  (ulimit -f 2048; exec "$CD" clean -q --stages decode --output-dir "$full/out" big.jsonl) >/dev/null 2>full.err
  rc=$?
fi
check "full disk ($how): exit 3" test $rc = 3
check "full disk ($how): message" grep -Eq 'output error \(retryable\).*(No space left|too large)' full.err
check "full disk ($how): no final name" test ! -e "$full/out/big.jsonl"
check "full disk ($how): no temporaries" no_temps "$full"
# Standard output on a full disk: the write error is reported (exit 3), never
# a silent short file.
if [ -n "$mounted" ]; then
  "$CD" clean -q --stages decode big.jsonl >"$full/stdout.jsonl" 2>full2.err
  rc=$?
  check "full disk, stdout: exit 3" test $rc = 3
  check "full disk, stdout: the error is named" grep -q "cannot write standard output" full2.err
  umount "$full" && mounted=""
fi

# --- Unwritable output folder: exit 3 with the folder named, nothing written.
section "Unwritable output"
ro=$W/ro; mkdir -p "$ro"; chmod 555 "$ro"
as_user=() cd_user=$CD data_user=$COPYDESK_DATA_DIR
if [ "$(id -u)" = 0 ]; then
  # Root writes anywhere, so the run is made as nobody; the checkout may sit in
  # a folder nobody cannot enter (mktemp -d is 0700), so binary and data are
  # copied into the work folder first.
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  mkdir -p priv && cp "$CD" priv/copydesk && cp -r "$COPYDESK_DATA_DIR" priv/config && chmod -R a+rX priv
  cd_user=$W/priv/copydesk data_user=$W/priv/config
fi
COPYDESK_DATA_DIR=$data_user "${as_user[@]}" "$cd_user" clean -q --stages decode --output-dir "$ro/out" \
  all.jsonl >/dev/null 2>ro.err
rc=$?
check "unwritable folder: exit 3" test $rc = 3
check "unwritable folder: message names it" grep -q "cannot create folder '$ro/out'" ro.err
check "unwritable folder: nothing written" test -z "$(ls -A "$ro")"
: >afile
"$CD" clean -q --stages decode --output-dir afile/out all.jsonl >/dev/null 2>notdir.err
rc=$?
check "output folder under a file: exit 3" test $rc = 3
check "output folder under a file: message" grep -q 'Not a directory' notdir.err

# --- 100,000 small files in one folder: every one read once, in order; counts add up.
section "100,000 small"
python3 - <<'EOF'
import os
os.mkdir("many")
for i in range(100000):
    with open("many/f%06d.txt" % i, "w") as f:
        f.write("File %d says the plan was fine.\n" % i)
EOF
"$CD" clean -q --stages decode --stats many.stats --format jsonl many >many.out 2>many.err
rc=$?
check "100,000 files: exit 0" test $rc = 0
check "100,000 files: counts add up" counts_add_up many.out many.stats 100000
check "100,000 files: byte-wise order" sh -c "head -n 1 many.out | grep -q f000000.txt && tail -n 1 many.out | grep -q f099999.txt"
rm -rf many many.out

# --- SIGKILL mid-run, then a rerun: no final name while killed; the rerun gives the same bytes as an uninterrupted run.
section "SIGKILL mid-run"
gen_records 200000 >kill.jsonl
S=--stages=decode,repair,normalise
"$CD" clean -q $S --threads 1 --shard 0/1 --output-dir ref kill.jsonl 2>/dev/null
"$CD" clean -q $S --threads 2 --shard 0/1 --output-dir killed kill.jsonl 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do [ -n "$(find killed -name '*.tmp.*' 2>/dev/null)" ] && break; sleep 0.05; done
sleep 0.3
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
check "SIGKILL: a temporary was being written" test -n "$(find killed -name '*.tmp.*')"
check "SIGKILL: no manifest" test ! -e killed/done/00000.json
check "SIGKILL: no final output name" test ! -e killed/kill.jsonl
"$CD" clean -q $S --threads 2 --shard 0/1 --output-dir killed kill.jsonl 2>rerun.err
rc=$?
check "SIGKILL then rerun: exit 0" test $rc = 0
check "SIGKILL then rerun: stale temporaries removed" no_temps killed
check "SIGKILL then rerun: same output as an uninterrupted run" cmp -s ref/kill.jsonl killed/kill.jsonl
check "SIGKILL then rerun: 200,000 records" test "$(wc -l <killed/kill.jsonl)" = 200000
check "SIGKILL then rerun: manifest" test -s killed/done/00000.json
rm -rf ref killed kill.jsonl

# --- Progress line: on a terminal it is drawn and erased before the summary; never off a terminal.
section "Progress line"
gen_records 300000 >prog.jsonl
script -qec "'$CD' clean --stages decode,repair,normalise --threads 1 --format jsonl --output-dir prog-out prog.jsonl" /dev/null >prog.tty
check "progress on a terminal: drawn" grep -aq 'docs  .* MB' prog.tty
check "progress on a terminal: ETA (size known)" grep -aq 'ETA ' prog.tty
check "progress on a terminal: erased before the summary" \
  python3 -c 'import re,sys
t = open("prog.tty", "rb").read().decode("utf-8", "replace")
# the last line drawn is erased ("\r" + erase to the end of the line), then the summary
sys.exit(0 if re.search(r"\r\x1b\[Kcopydesk: info: \d+ document\(s\)", t) else 1)'
"$CD" clean --stages decode --format jsonl --output-dir prog-out2 prog.jsonl 2>prog.notty
check "no progress off a terminal" sh -c "! grep -q 'docs ' prog.notty"
script -qec "'$CD' clean --no-progress --stages decode --format jsonl --output-dir prog-out3 prog.jsonl" /dev/null >prog.tty2
check "--no-progress on a terminal" sh -c "! grep -aq 'docs ' prog.tty2"
"$CD" clean --progress --stages decode,repair,normalise --threads 1 --format jsonl --output-dir prog-out4 prog.jsonl 2>prog.forced
check "--progress off a terminal: plain lines" grep -q '^progress: 300,000 docs' prog.forced

echo "fault: $pass passed, $fail failed ($(( $(date +%s) - t0 )) s)"
[ $fail = 0 ]
