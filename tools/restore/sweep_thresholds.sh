#!/usr/bin/env bash
# Sweeps one restore rule's apply threshold at a time on the development set
# and prints the folded precision and recall of its class, for choosing the
# per-rule thresholds in config/copydesk.ini. Reads ../shared/eval (dev.jsonl,
# damage.py, score.py): a measuring tool, never part of the tests.
#
#   tools/restore/sweep_thresholds.sh build/copydesk [RULES] [THRESHOLDS] [GOLD.jsonl]
#
# RULES defaults to "apostrophe possessive quote glued-dash glued-space letter";
# THRESHOLDS to "0.5 0.6 0.7 0.8 0.9". Every other rule stays at 0.9 (the
# command line's --apply-threshold replaces copydesk.ini's per-rule values).
# GOLD defaults to the dev set; any JSON Lines file with id and gold works.
set -euo pipefail
CD=$(readlink -f "${1:?usage: sweep_thresholds.sh PATH/TO/copydesk [RULES] [THRESHOLDS] [GOLD]}")
RULES=${2:-apostrophe possessive quote glued-dash glued-space letter}
THRESHOLDS=${3:-0.5 0.6 0.7 0.8 0.9}
HERE=$(cd "$(dirname "$0")" && pwd)
EVAL=${COPYDESK_SHARED:-$HERE/../../../shared}/eval
GOLD=${4:-$EVAL/dev.jsonl}
[ -f "$EVAL/score.py" ] || { echo "sweep: $EVAL/score.py not found (set COPYDESK_SHARED)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 "$EVAL/damage.py" --mode strip-nonascii "$GOLD" >"$W/damaged.jsonl"
class_of() {
  case $1 in
    apostrophe | possessive) echo apostrophe ;;
    glued-dash) echo dash ;;
    glued-space | space-after-punct | label-space) echo space ;;
    *) echo "$1" ;;
  esac
}
printf '%-12s %9s %8s %6s %6s %9s %9s\n' rule threshold class P R TP FP
for rule in $RULES; do
  cls=$(class_of "$rule")
  for t in $THRESHOLDS; do
    "$CD" clean --stages restore --input-format jsonl --text-field input --id-field id \
      --format jsonl --apply-threshold 0.9 --set "restore.$rule.apply-threshold=$t" \
      "$W/damaged.jsonl" >"$W/out.jsonl" 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
    python3 "$EVAL/score.py" "$W/damaged.jsonl" "$W/out.jsonl" |
      awk -v r="$rule" -v t="$t" -v c="$cls" '$1 == "folded" && $2 == c {
        printf "%-12s %9s %8s %6s %6s %9s %9s\n", r, t, c, $7, $8, $4, $5 }'
  done
done
