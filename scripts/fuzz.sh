#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 30), one after another.
# Stable Rust: `-s none` builds without a sanitizer (the core's only `unsafe` is one
# from_utf8_unchecked of ASCII digits), so no nightly toolchain is needed; memory errors are
# valgrind's job (scripts/valgrind-core.sh). Corpora stay in fuzz/corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in $(cargo fuzz list); do
  echo "== fuzz $target for $seconds s"
  log="$(mktemp)"
  status=0
  cargo fuzz run -s none "$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
  # libFuzzer's chatter stays in the log; on failure its tail says what and where.
  grep -E '^Done|panicked|ERROR|SUMMARY|artifact' "$log" || true
  if [ "$status" -ne 0 ]; then tail -n 40 "$log"; echo "fuzz target $target failed"; exit 1; fi
  rm -f "$log"
  echo "corpus: $(find "corpus/$target" -type f | wc -l) inputs"
done
