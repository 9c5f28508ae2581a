#!/usr/bin/env bash
# The core's unit tests under valgrind's memcheck: any leaked block ("definitely" or
# "indirectly lost") or invalid memory access fails the run. The two tests that compare every
# module with the qrcode crate over thousands of symbols are skipped here only for time
# (minutes natively × ~50 under valgrind); they walk the same code as the others, and
# `cargo test` runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get update && $sudo apt-get install -y --no-install-recommends valgrind; }
binary="$(cargo test -p qrhash-core --no-run --message-format=json 2>/dev/null \
  | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const l of s.split('\n')){if(!l)continue;const m=JSON.parse(l);if(m.reason==='compiler-artifact'&&m.target.name==='qrhash_core'&&m.profile.test)console.log(m.executable)}})")"
valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=1 "$binary" --test-threads=1 \
  --skip qr::encode::tests::every_module_equals_the_qrcode_crates_choice \
  --skip qr::encode::tests::every_version_and_level_equals_the_crate
echo "valgrind: no leaks and no memory errors in the core's tests"
