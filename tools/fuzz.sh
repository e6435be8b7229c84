#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer targets under tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) in build-fuzz/, then runs each for
# SECONDS (default 60) from the seed corpus in tests/fuzz/corpus/TARGET/.
# New inputs go to build-fuzz/corpus/TARGET/ (the seeds stay as committed);
# a crash leaves build-fuzz/crash-* and makes this script fail.
#   tools/fuzz.sh [SECONDS]          all three targets
#   FUZZ_TARGETS=fuzz_decode tools/fuzz.sh 600
# Needs clang (Debian: apt-get install clang); reproduce a crash with
#   build-fuzz/fuzz_pipeline build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
B=${FUZZ_BUILD_DIR:-build-fuzz}
CXX_CLANG=$(command -v clang++ || command -v clang++-14 || true)
[ -n "$CXX_CLANG" ] || { echo "fuzz: clang++ not found (apt-get install clang)"; exit 2; }
jobs=$(nproc)
[ "$jobs" -gt 2 ] && jobs=2
cmake -S tests/fuzz -B "$B" -DCMAKE_CXX_COMPILER="$CXX_CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$jobs" --target fuzz_reader fuzz_decode fuzz_pipeline
status=0
for t in ${FUZZ_TARGETS:-fuzz_reader fuzz_decode fuzz_pipeline}; do
  mkdir -p "$B/corpus/$t"
  echo "fuzz: $t for ${SECONDS_PER_TARGET} s"
  # -rss_limit_mb: the pipeline's data tables are loaded once; 2 GB leaves room for ASan.
  if ! (cd "$B" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$t" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2560 \
        -timeout=25 -print_final_stats=1 "corpus/$t" "../tests/fuzz/corpus/$t" 2>"$t.log"); then
    echo "fuzz: $t FAILED (see $B/$t.log)"; tail -n 40 "$B/$t.log"; status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$B/$t.log" | sed "s/^/  $t /"
  fi
done
exit $status
