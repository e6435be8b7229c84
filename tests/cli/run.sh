#!/usr/bin/env bash
# Black-box CLI tests: exact stdout and exit status of copydesk over samples/
# and generated bad inputs.
#   tests/cli/run.sh BUILD/copydesk            compare with samples/expected/
#   tests/cli/run.sh --update BUILD/copydesk   rewrite samples/expected/ (read the diff!)
set -u
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
CD=$(readlink -f "${1:?usage: run.sh [--update] PATH/TO/copydesk}")
ROOT=${COPYDESK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
EXP=$ROOT/samples/expected
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$ROOT" || exit 2
mkdir -p "$EXP"
export COPYDESK_DATA_DIR=$ROOT/config
pass=0 fail=0

# case NAME EXPECTED_RC COMMAND...: stdout must equal samples/expected/NAME.
case_golden() {
  local name=$1 want_rc=$2; shift 2
  "$@" >"$W/$name" 2>"$W/$name.err"
  local rc=$?
  if [ $update = 1 ]; then cp "$W/$name" "$EXP/$name"; fi
  if [ "$rc" != "$want_rc" ]; then
    echo "FAIL $name: exit $rc, expected $want_rc"; sed 's/^/  | /' "$W/$name.err" | head -5; fail=$((fail+1)); return
  fi
  if ! cmp -s "$W/$name" "$EXP/$name"; then
    echo "FAIL $name: output differs from samples/expected/$name"
    diff "$EXP/$name" "$W/$name" | head -10 | sed 's/^/  | /'; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

# check NAME CONDITION...: a shell condition that must hold.
check() {
  local name=$1; shift
  if "$@"; then pass=$((pass+1)); else echo "FAIL $name"; fail=$((fail+1)); fi
}

case_golden diplomat-scraped.body.txt 0 "$CD" clean -q samples/diplomat-scraped.txt
case_golden diplomat-scraped.check.txt 1 "$CD" check -q samples/diplomat-scraped.txt
case_golden diplomat-scraped.jsonl 0 "$CD" clean -q --format jsonl samples/diplomat-scraped.txt
case_golden news.jsonl 0 "$CD" clean -q samples/news.jsonl
case_golden news.check.json 0 "$CD" check -q --format json samples/news.jsonl
for f in sarif github gitlab; do
  case_golden diplomat-scraped.check.$f 1 "$CD" check -q --format $f samples/diplomat-scraped.txt
done

# --output-dir writes body, footer and findings per input.
"$CD" clean -q --output-dir "$W/out" samples/diplomat-scraped.txt
check "output-dir body" cmp -s "$W/out/diplomat-scraped.txt" "$EXP/diplomat-scraped.body.txt"
check "output-dir footer" test -s "$W/out/diplomat-scraped.footer.txt"
check "output-dir findings" test -s "$W/out/diplomat-scraped.findings.jsonl"
check "output-dir no temp files" test -z "$(find "$W/out" -name '*.tmp.*')"

# Idempotence: cleaning the cleaned text (footer kept) changes nothing more.
"$CD" clean -q --keep-footer samples/diplomat-scraped.txt >"$W/once.txt"
"$CD" clean -q --keep-footer --format jsonl "$W/once.txt" >"$W/twice.jsonl"
check "idempotent: no edits on own output" grep -q '"edits":\[\]' "$W/twice.jsonl"

# Bad input: one record per input, each error named, the run goes on, exit 2.
B=$W/bad; mkdir -p "$B"
: >"$B/empty.txt"
printf 'abc\0def' >"$B/binary.txt"
printf 'caf\xe9 au lait\r\n' >"$B/latin1.txt"
printf '{"id":"a","text":"fine"}\n{"id":"b","text":\n{"id":"c","body":"x"}\n{"id":"d","text":"also fine"}\n' >"$B/records.jsonl"
printf 'hello gz\n' | gzip >"$B/good.txt.gz"
(for i in $(seq 1 3000); do echo "{\"id\":\"$i\",\"text\":\"record number $i\"}"; done) | gzip | head -c 4000 >"$B/truncated.jsonl.gz"
head -c 52428800 /dev/zero | tr '\0' 'x' >"$B/one-50mb-line.txt"
"$CD" clean -q --format jsonl "$B/empty.txt" "$B/binary.txt" "$B/latin1.txt" "$B/records.jsonl" \
  "$B/good.txt.gz" "$B/missing.txt" "$B/one-50mb-line.txt" >"$W/bad.jsonl" 2>"$W/bad.err"
rc=$?
check "bad input: exit 2" test $rc = 2
check "bad input: one record per input" test "$(wc -l <"$W/bad.jsonl")" = 10
for code in empty binary invalid-json missing-field unreadable-file too-large; do
  check "bad input: error $code recorded" grep -q "\"code\":\"$code\"" "$W/bad.jsonl"
  check "bad input: error $code logged" grep -q "($code)" "$W/bad.err"
done
check "bad input: invalid UTF-8 repaired by decode" grep -q '"rule":"decode.legacy.v1"' "$W/bad.jsonl"
"$CD" clean -q --format jsonl --encoding utf-8 "$B/latin1.txt" >"$W/utf8only.jsonl"
check "--encoding utf-8: U+FFFD and an error finding" grep -q '"rule":"decode.invalid-utf8.v1"' "$W/utf8only.jsonl"
"$CD" clean -q --encoding windows-1252 "$B/latin1.txt" >"$W/cp1252.txt"
check "--encoding windows-1252 decodes" cmp -s "$W/cp1252.txt" <(printf 'caf\303\251 au lait\n')
check "bad input: good records still cleaned" test "$(grep -c '"error":null' "$W/bad.jsonl")" = 4
"$CD" clean -q --format jsonl "$B/truncated.jsonl.gz" >"$W/trunc.jsonl" 2>/dev/null
rc=$?
check "truncated gz: exit 2" test $rc = 2
check "truncated gz: last record is an error" sh -c "tail -n 1 '$W/trunc.jsonl' | grep -q '\"code\":\"read-error\"'"

# Truncated zstd: an error record for the broken tail, exit 2.
if command -v zstd >/dev/null; then
  python3 -c 'import json,random
r = random.Random(7)
for i in range(4000): print(json.dumps({"id": str(i), "text": " ".join(str(r.random()) for _ in range(8))}))' |
    zstd -q -c | head -c 20000 >"$B/truncated.jsonl.zst"
  "$CD" clean -q --format jsonl "$B/truncated.jsonl.zst" >"$W/zst.jsonl" 2>/dev/null
  rc=$?
  check "truncated zst: exit 2" test $rc = 2
  check "truncated zst: last record is an error" sh -c "tail -n 1 '$W/zst.jsonl' | grep -q 'truncated zstd stream'"
fi

# Baseline round trip: write, then nothing new; one new slip reports exactly one.
mkdir -p "$W/base"
cp samples/diplomat-scraped.txt "$W/base/a.txt"
"$CD" check -q --write-baseline "$W/base.txt" "$W/base/a.txt" >/dev/null
"$CD" check -q --baseline "$W/base.txt" "$W/base/a.txt" >"$W/base.out"
check "baseline: exit 0 with nothing new" test $? = 0
check "baseline: nothing reported" test ! -s "$W/base.out"
printf 'An added line. The the report.\n' >>"$W/base/a.txt"
"$CD" check -q --baseline "$W/base.txt" "$W/base/a.txt" >"$W/base.out"
check "baseline: new slip exits 1" test $? = 1
check "baseline: exactly one new finding" test "$(wc -l <"$W/base.out")" = 1

# Per-rule thresholds: copydesk.ini's [restore] values apply; --apply-threshold
# on the command line replaces them; --set on the command line wins; a rule the
# stage does not have is a configuration error that lists the ones it has.
printf 'I think were going to win, and its clear.\n' >"$W/rules.txt"
edits() { "$CD" clean -q --stages restore --format jsonl "$@" "$W/rules.txt" | grep -o '"after":' | wc -l; }
n_ini=$(edits); n_cli=$(edits --apply-threshold 0.99); n_set=$(edits --apply-threshold 0.99 --set restore.apostrophe.apply-threshold=0.5)
check "rule thresholds: ini applies more than --apply-threshold 0.99" test "$n_ini" -gt "$n_cli"
check "rule thresholds: --set wins over --apply-threshold" test "$n_set" = "$n_ini"
"$CD" clean -q --stages restore --set restore.apostrophy.apply-threshold=0.5 "$W/rules.txt" >/dev/null 2>"$W/rules.err"
check "rule thresholds: unknown rule exits 2" test $? = 2
check "rule thresholds: unknown rule named, known ones listed" grep -q "no rule 'restore.apostrophy'.*restore.apostrophe" "$W/rules.err"
check "clean --list-stages lists and exits" sh -c "'$CD' clean --list-stages </dev/null | grep -q '^restore'"

# --fail-on levels: exit codes.
printf 'The the plan was fine.\n' >"$W/slip.txt"
for lv in suggestion:1 warning:1 error:0 never:0; do
  "$CD" check -q --stages flag-slips --fail-on "${lv%%:*}" "$W/slip.txt" >/dev/null
  check "check --fail-on ${lv%%:*}: exit ${lv##*:}" test $? = "${lv##*:}"
done

# fix: --diff prints, the file is unchanged; then fix writes it atomically with a backup.
printf 'It was the countrys day.\r\n' >"$W/fix.txt"
"$CD" fix -q --diff "$W/fix.txt" >"$W/fix.diff"
check "fix --diff shows a change" grep -q '^+It was the country' "$W/fix.diff"
check "fix --diff leaves the file" cmp -s "$W/fix.txt" <(printf 'It was the countrys day.\r\n')
"$CD" fix -q --backup "$W/fix.txt"
check "fix writes the file" cmp -s "$W/fix.txt" <(printf 'It was the country\342\200\231s day.\n')
check "fix keeps a backup" test -f "$W/fix.txt.orig"

# Report formats on the seed: every format runs and names the Istanbul finding.
for f in line json sarif github gitlab; do
  "$CD" check -q --format $f samples/diplomat-scraped.txt >"$W/fmt.$f"
  check "check --format $f: exit 1" test $? = 1
  check "check --format $f: Istanbul" grep -q 'Istanbul' "$W/fmt.$f"
done

# Per-path config sections: .copydesk.ini found upward; [news/**] raises a
# rule's severity, [blog/**] runs other stages.
P=$W/paths; mkdir -p "$P/news" "$P/blog/sub"
printf 'The the plan.\n' >"$P/news/a.txt"; cp "$P/news/a.txt" "$P/blog/sub/a.txt"
printf '[news/**]\nflag-slips.doubled-word.severity = error\n[blog/**]\nstages = decode,normalise\n' >"$P/.copydesk.ini"
(cd "$P/blog" && "$CD" check -q --fail-on error ../news/a.txt sub/a.txt >"$W/paths.out")
check "per-path section: severity raised under news/" test $? = 1
check "per-path section: error reported for news/a.txt" grep -q '^../news/a.txt:1:1: error flag-slips.doubled-word.v1' "$W/paths.out"
check "per-path section: other stages under blog/" test "$(wc -l <"$W/paths.out")" = 1

# explain: code points, names, and what repair does.
"$CD" explain "$(printf 'don\303\242\342\202\254\342\204\242t')" >"$W/explain.txt"
check "explain: names characters" grep -q 'U+20AC  EURO SIGN' "$W/explain.txt"
check "explain: shows the repair" grep -q "repair.mojibake.v1" "$W/explain.txt"

# Usage errors exit 2 with a message; --help and --version exit 0.
"$CD" clean --no-such-flag samples/diplomat-scraped.txt >/dev/null 2>"$W/usage.err"
check "unknown flag: exit 2" test $? = 2
check "unknown flag: message" grep -q 'no-such-flag' "$W/usage.err"
"$CD" clean --stages restore,nope samples/diplomat-scraped.txt >/dev/null 2>"$W/stage.err"
check "unknown stage: exit 2" test $? = 2
check "unknown stage: message" grep -q "unknown stage 'nope'" "$W/stage.err"
check "--help exits 0" "$CD" clean --help >/dev/null
check "--version exits 0" "$CD" --version >/dev/null
check "--list-stages lists restore" sh -c "'$CD' --list-stages | grep -q '^restore'"
"$CD" check -q --fail-on never samples/diplomat-scraped.txt >/dev/null
check "check --fail-on never: exit 0" test $? = 0

echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
