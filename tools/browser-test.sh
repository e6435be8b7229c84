#!/usr/bin/env bash
# Real-browser test of the review page (`copydesk review`): installs Debian's
# Chromium and the pinned playwright-core (tests/browser/package-lock.json),
# builds copydesk, makes the review page of the samples run and of a synthetic
# run of 5,000 documents, and runs tests/browser/review.test.js (node's test
# runner). Screenshots and timings go to the build folder:
#   review-screenshot.png (the seed document), review-summary.png,
#   review-second.png, review-big.png, review-timings.json
#
#   bash tools/browser-test.sh                    # BUILD_DIR=build
#   REVIEW_DOCS=0 bash tools/browser-test.sh      # skip the 5,000-document run
#   COPYDESK=path/to/copydesk bash tools/browser-test.sh   # use this binary, build nothing
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
docs=${REVIEW_DOCS:-5000}

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "browser-test: node and npm are needed (Node.js 20 or later)" >&2
  exit 2
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

if [ -n "${COPYDESK:-}" ]; then
  copydesk=$COPYDESK
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)" --target copydesk
  copydesk=$build/copydesk
fi

mkdir -p "$build"
results=$(cd "$build" && pwd)
out=$results/browser
mkdir -p "$out"
"$copydesk" clean --format jsonl -q samples/diplomat-scraped.txt samples/news.jsonl >"$out/samples-run.jsonl"
"$copydesk" review "$out/samples-run.jsonl" -o "$out/samples-review.html" --title "copydesk review: samples"
big=
if [ "$docs" -gt 0 ]; then
  node tests/browser/make-input.js "$docs" >"$out/synthetic-input.jsonl"
  t0=$(date +%s%N)
  "$copydesk" clean --format jsonl -q "$out/synthetic-input.jsonl" >"$out/synthetic-run.jsonl"
  t1=$(date +%s%N)
  "$copydesk" review "$out/synthetic-run.jsonl" -o "$out/synthetic-review.html" \
    --title "copydesk review: $docs synthetic documents"
  t2=$(date +%s%N)
  echo "synthetic run of $docs documents: clean $(( (t1 - t0) / 1000000 )) ms, review $(( (t2 - t1) / 1000000 )) ms," \
       "page $(du -h "$out/synthetic-review.html" | cut -f1)"
  big=$out/synthetic-review.html
fi

REVIEW_PAGE=$out/samples-review.html REVIEW_BIG_PAGE=$big REVIEW_OUT=$results CHROMIUM=/usr/bin/chromium \
  node --test tests/browser/review.test.js
echo "screenshots: $results/review-screenshot.png $results/review-second.png $results/review-summary.png"
