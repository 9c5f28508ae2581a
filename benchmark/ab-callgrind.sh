#!/usr/bin/env bash
# A/B by instruction count: valgrind's callgrind counts instructions, not seconds, so the same
# binary and inputs give the same count whatever else this shared machine is doing. For each
# build and call, the count of a run with N calls minus that of a run with none, over N, is
# the instructions one call costs (JavaScript shell, N-API, and the work itself). V8 runs
# --predictable (no background compiler or GC threads) with fixed seeds, so runs repeat.
#
#   bash benchmark/ab-callgrind.sh <dir of the other build>      (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
other="${1:?usage: bash benchmark/ab-callgrind.sh <directory of the other build>}"
runner="$(mktemp --suffix=.cjs)"
trap 'rm -f "$runner"' EXIT
cat > "$runner" <<'JS'
const [dir, call, n] = process.argv.slice(2)
const q = require(require('node:path').resolve(dir, 'index.js'))
const record = Buffer.alloc(64, 0x61)
const calls = {
  createSync: () => q.createSync('https://example.com/', { errorCorrectionLevel: 'M' }),
  toDataURLSync: () => q.toDataURLSync('https://example.com/'),
  sha256Sync: () => q.sha256Sync(record),
}
for (let i = 0; i < 3000; i++) calls[call]() // past V8's tiers, in both runs alike
for (let i = 0; i < Number(n); i++) calls[call]()
JS
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node --predictable --random-seed=1 --hash-seed=1 "$runner" "$@" 2>&1 |
    awk '/Collected/ { print $4 }'
}
echo "| call | this build instructions/call | other build | this / other |"
echo "|---|---|---|---|"
for case in "createSync 20000" "toDataURLSync 4000" "sha256Sync 100000"; do
  set -- $case
  per_call=()
  for dir in . "$other"; do
    base="$(instructions "$dir" "$1" 0)"
    loaded="$(instructions "$dir" "$1" "$2")"
    per_call+=("$(( (loaded - base) / $2 ))")
  done
  ratio="$(awk -v a="${per_call[0]}" -v b="${per_call[1]}" 'BEGIN { printf "%.3f", a / b }')"
  echo "| $1 | ${per_call[0]} | ${per_call[1]} | $ratio |"
done
