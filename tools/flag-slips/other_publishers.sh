#!/usr/bin/env bash
# Measures flag-slips on pages of other publishers than the dev carriers: a
# stand-in for the held-out measure. Reads ../shared/eval (footers_dev.jsonl,
# inject_slips.py, score_slips.py, confusables.tsv): a measuring tool, never
# part of the tests.
#
#   tools/flag-slips/other_publishers.sh build/copydesk [SEED...]
#
# The carriers are footers_dev.jsonl's scraped pages (news sites, blogs, wire
# copy, with their menus, tickers and footers), without the seed article,
# whose own slips (Istanbul, "the its", "are ... are") would count as false
# flags. One swap is injected per copy with inject_slips.py (3 copies per
# page) for each SEED (default: 11 23), then the copies and the untouched
# pages run through `copydesk clean --stages flag-slips` and score_slips.py
# prints recall, suggestion accuracy and false flags per seed. The dev
# carriers (slips_dev_injected.jsonl) are Wikipedia current-events digests;
# these pages are not, which is what this check is for.
set -euo pipefail
CD=$(readlink -f "${1:?usage: other_publishers.sh PATH/TO/copydesk [SEED...]}")
shift
SEEDS=${*:-11 23}
HERE=$(cd "$(dirname "$0")" && pwd)
EVAL=${COPYDESK_SHARED:-$HERE/../../../shared}/eval
[ -f "$EVAL/score_slips.py" ] || {
  echo "other_publishers: $EVAL/score_slips.py not found (set COPYDESK_SHARED)" >&2
  exit 2
}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 - "$EVAL/footers_dev.jsonl" "$W/carriers.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["id"].startswith("seed-"):
            continue
        out.write(json.dumps({"id": r["id"], "origin": "footers_dev", "text": r["text"]}) + "\n")
PY
for seed in $SEEDS; do
  python3 "$EVAL/inject_slips.py" "$W/carriers.jsonl" --confusables "$EVAL/confusables.tsv" \
    --seed "$seed" >"$W/injected.$seed.jsonl" 2>"$W/inject.$seed.log"
  "$CD" clean -q --stages flag-slips --input-format jsonl --text-field text --id-field id \
    --format jsonl "$W/injected.$seed.jsonl" >"$W/out.$seed.jsonl"
  echo "== seed $seed: $(grep -o 'injected [0-9]*' "$W/inject.$seed.log") swaps"
  python3 "$EVAL/score_slips.py" "$W/injected.$seed.jsonl" "$W/out.$seed.jsonl" |
    grep -E '^(recall|suggestion|false flags)'
done
