#!/usr/bin/env bash
# Measures restore on text of other genres than its training and dev text
# (White House pages, Standard Ebooks), the way the held-out check will:
# clean gold text damaged by ../shared/eval/damage.py (strip-nonascii and
# strip-apostrophes), restored by copydesk, scored by ../shared/eval/score.py
# (folded view). Also counts the edits applied to the clean text itself
# (correct text should pass unchanged). A measuring tool that reads
# ../shared; never part of the tests.
#
#   tools/restore/measure_genres.sh build/copydesk [NAME=GOLD.jsonl[:FIELD]]...
#
# Without sets: "news", the 97 clean Wikipedia Current Events pages of
# shared/eval/slip_carriers_dev.jsonl (field "text"; flag-slips' carriers,
# never used to tune restore), and "dev", shared/eval/dev.jsonl (field
# "gold"). Held-out chapters: add holdout=OUT/holdout.jsonl from
# tools/restore/train.sh.
set -euo pipefail
CD=$(readlink -f "${1:?usage: measure_genres.sh PATH/TO/copydesk [NAME=GOLD.jsonl[:FIELD]]...}")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
EVAL=${COPYDESK_SHARED:-$HERE/../../../shared}/eval
[ -f "$EVAL/score.py" ] || { echo "measure_genres: $EVAL/score.py not found (set COPYDESK_SHARED)" >&2; exit 2; }
[ $# -gt 0 ] || set -- "news=$EVAL/slip_carriers_dev.jsonl:text" "dev=$EVAL/dev.jsonl:gold"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for set in "$@"; do
  name=${set%%=*}
  spec=${set#*=}
  file=${spec%%:*}
  field=gold
  [ "$spec" != "$file" ] && field=${spec#*:}
  # damage.py reads "id" and "gold".
  python3 -c 'import json, sys
field = sys.argv[1]
for line in sys.stdin:
    r = json.loads(line)
    print(json.dumps({"id": r["id"], "gold": r[field]}))' "$field" <"$file" >"$W/$name.gold.jsonl"
  applied=$("$CD" clean --stages restore --input-format jsonl --text-field gold --id-field id \
    --format jsonl "$W/$name.gold.jsonl" 2>&1 >/dev/null | sed -n 's/.*restore: \([0-9]*\) edit(s) applied.*/\1/p')
  echo "== $name: $(wc -l <"$W/$name.gold.jsonl") documents; edits applied to the clean text: $applied"
  for mode in strip-nonascii strip-apostrophes; do
    python3 "$EVAL/damage.py" --mode "$mode" "$W/$name.gold.jsonl" >"$W/$name.$mode.jsonl"
    "$CD" clean -q --stages restore --input-format jsonl --text-field input --id-field id \
      --format jsonl "$W/$name.$mode.jsonl" >"$W/$name.$mode.out.jsonl"
    echo "-- $mode"
    python3 "$EVAL/score.py" "$W/$name.$mode.jsonl" "$W/$name.$mode.out.jsonl" |
      grep -E '^folded  (apostrophe|quote|dash|space|letter) |^collateral'
  done
done
