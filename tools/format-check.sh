#!/usr/bin/env bash
# Fails when a tracked C++ file differs from clang-format's output (.clang-format at the root:
# Google style, 100 columns). Fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format-check: clang-format is not installed" >&2; exit 2; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else  # an export without .git
  mapfile -t files < <(find pipeline stages tests tools bench -name '*.cc' -o -name '*.h' | sort)
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format-check: $f is not clang-format clean" >&2
    bad=$((bad + 1))
  fi
done
echo "format-check: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
