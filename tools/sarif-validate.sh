#!/usr/bin/env bash
# Validates copydesk's SARIF output with the official SARIF Multitool
# (npm @microsoft/sarif-multitool-linux): every format's golden test covers the
# content; this checks the SARIF 2.1.0 schema and the validator's rules.
# Fails on any validator error (warnings are printed).
#   tools/sarif-validate.sh BUILD/copydesk
set -euo pipefail
CD=$(readlink -f "${1:?usage: sarif-validate.sh PATH/TO/copydesk}")
cd "$(dirname "$0")/.."
(cd tools/sarif && npm install --no-audit --no-fund --loglevel=error >/dev/null)
M=tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
chmod +x "$M"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$CD" check -q --format sarif --fail-on never samples/diplomat-scraped.txt samples/news.jsonl >"$W/run.sarif"
test "$(grep -o '"ruleId"' "$W/run.sarif" | wc -l)" -gt 0 || { echo "sarif: no results to validate"; exit 1; }
"$M" validate "$W/run.sarif" -o "$W/validation.sarif" >"$W/validate.txt" 2>&1 || true
cat "$W/validate.txt" | grep -E 'warning|error' | sed 's/^/  /' | head -20
if grep -q ': error' "$W/validate.txt" || ! grep -q 'Analysis completed successfully' "$W/validate.txt"; then
  echo "sarif: 0 passed, 1 failed"
  exit 1
fi
echo "sarif: 1 passed, 0 failed"
