#!/usr/bin/env bash
# First command of the README: install, build, and run copydesk on samples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
out=build/samples-out
rm -rf "$out"
./build/copydesk clean -q --output-dir "$out" samples/diplomat-scraped.txt
echo; echo "== cleaned body ($out/diplomat-scraped.txt)"; cat "$out/diplomat-scraped.txt"
echo; echo "== footer, first lines ($out/diplomat-scraped.footer.txt)"; head -n 5 "$out/diplomat-scraped.footer.txt"
echo; echo "== findings (copydesk check samples/diplomat-scraped.txt)"
./build/copydesk check -q samples/diplomat-scraped.txt || true
echo; echo "== JSON Lines: copydesk clean samples/news.jsonl > $out/news.jsonl"
./build/copydesk clean -q samples/news.jsonl >"$out/news.jsonl"
wc -l "$out/news.jsonl"
