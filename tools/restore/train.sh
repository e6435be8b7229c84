#!/usr/bin/env bash
# Rebuilds every table of the restore stage (the files of config/restore) from
# the project's training corpus, in one command:
#
#   tools/restore/train.sh BUILD_DIR OUT_DIR [TRAIN_DIR]
#
# BUILD_DIR holds a built copydesk and copydesk_glued_examples (cmake --build);
# TRAIN_DIR defaults to ../shared/train beside the checkout. Two steps:
#   1. copydesk train: model.bin, context2.tsv, labels2.tsv, quotes.tsv and
#      accents.tsv, with the source shares and the Standard Ebooks hold-out
#      written to OUT_DIR/holdout.jsonl (config/restore/README.md);
#   2. tools/restore/fit_glued.py: glued.tsv, fitted on the same corpus with the
#      model.bin of step 1, the hold-out left out.
# About 2 minutes; reproduces the shipped tables byte for byte. Copy OUT_DIR's tables into config/restore to ship them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: train.sh BUILD_DIR OUT_DIR [TRAIN_DIR]}" && pwd)
out=${2:?usage: train.sh BUILD_DIR OUT_DIR [TRAIN_DIR]}
train=${3:-$here/../../../shared/train}
[ -x "$build/copydesk" ] && [ -x "$build/copydesk_glued_examples" ] ||
  { echo "train.sh: $build has no copydesk and copydesk_glued_examples (build first)" >&2; exit 2; }
[ -d "$train" ] || { echo "train.sh: no training corpus at $train" >&2; exit 2; }
mkdir -p "$out"
"$build/copydesk" train --out "$out" \
  --share whitehouse_2021_2023.jsonl=0.30 --share whitehouse_2025_2026.jsonl=0.15 \
  --share standard_ebooks.jsonl=0.25 --share standard_ebooks_more.jsonl=0.30 \
  --holdout "$out/holdout.jsonl" --holdout-from standard_ebooks \
  "$train"/*.jsonl
python3 "$here/fit_glued.py" --train "$train" --examples-bin "$build/copydesk_glued_examples" \
  --model-dir "$out" --exclude "$out/holdout.jsonl" --every 2 --out "$out/glued.tsv"
echo "train.sh: tables in $out"
