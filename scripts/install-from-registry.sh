#!/usr/bin/env bash
# Proves the package's first promise: `npm install qrhash` needs no Rust toolchain.
#
# 1. Starts a throwaway npm registry (verdaccio, a devDependency) on 127.0.0.1: storage in a
#    temporary folder, no uplinks, anonymous publish and read.
# 2. Publishes to it what the publish job in .github/workflows/CI.yml publishes, the way that job
#    does it, in a temporary copy of the repository: `npm run create-npm-dirs`, the built binaries
#    laid out as downloaded artifacts, `npm run artifacts`, a release commit, then
#    `npm publish --access public --tag latest`, whose prepublishOnly (`napi prepublish -t npm`)
#    publishes every npm/<target> package and writes the root's optionalDependencies.
#    Only linux-x64-gnu (and WASI, when the repository has a WASI build) is built here: the
#    other targets' packages carry a small stand-in file where their binary goes, so the root
#    package is the real one, every platform package exists in the registry, and npm really has
#    to choose among them by os, cpu and libc. Without a WASI build the WASI target is left out
#    (napi cannot package it), and the summary says so.
# 3. In an empty project, with a PATH holding only node's folder and /usr/bin:/bin (no cargo,
#    rustc, rustup), installs qrhash, typescript and @types/node from that registry alone and
#    checks that exactly qrhash-linux-x64-gnu came with it and that no build ran.
# 4. Compiles a TypeScript ESM file (top-level `await createQr('hello')`) and a TypeScript
#    CommonJS file (`require('qrhash')`) with `tsc --strict`, module NodeNext, runs both, checks
#    sha256 against node:crypto, runs the installed `qrhash` CLI, and decodes the three PNGs
#    with zxing-wasm back to 'hello'.
#
# Everything happens in one temporary folder, removed at the end with the registry stopped,
# whether the checks pass or fail. Where the kernel allows it, the script runs in a network
# namespace of its own with only a loopback interface, so nothing in it can reach past
# 127.0.0.1: an install that still needed the public registry fails instead of passing quietly.
#
# Needs: the addon built in the repository root (qrhash.linux-x64-gnu.node, `npm run build`)
# and the repository's devDependencies installed (`npm install`). Usage:
#   bash scripts/install-from-registry.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS

# --- A network namespace with loopback only --------------------------------------------------
# Re-run this script inside a new network namespace when the kernel lets us make one (root, or
# user namespaces). QRHASH_NETNS says which case we are in.
if [[ -z "${QRHASH_NETNS:-}" ]]; then
  ip_cmd="$(command -v ip || true)"
  [[ -z "$ip_cmd" && -x /usr/sbin/ip ]] && ip_cmd=/usr/sbin/ip
  for flags in "--net" "--map-root-user --net"; do
    # shellcheck disable=SC2086 # $flags is one or two words on purpose
    if [[ -n "$ip_cmd" ]] && unshare $flags "$ip_cmd" link set lo up 2>/dev/null; then
      # shellcheck disable=SC2086
      exec unshare $flags env QRHASH_NETNS="$ip_cmd" bash "${BASH_SOURCE[0]}" "$@"
    fi
  done
  QRHASH_NETNS=none
fi
if [[ "$QRHASH_NETNS" != none ]]; then
  "$QRHASH_NETNS" link set lo up
  network="loopback only (own network namespace)"
else
  network="not isolated (no network namespace here); the registry has no uplinks"
fi

step() { printf '\n== %s\n' "$*"; }
checks=0
ok() {
  checks=$((checks + 1))
  printf '   ok: %s\n' "$*"
}
fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}
# Runs a command with its output in a log file; on failure shows the log's end and stops.
logged() {
  local log="$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    printf '\n--- last lines of %s\n' "$(basename "$log")" >&2
    tail -n 40 "$log" >&2
    fail "command failed: $*"
  fi
}

# --- Preconditions ---------------------------------------------------------------------------
addon="$repo/qrhash.linux-x64-gnu.node"
[[ -f "$addon" ]] || fail "$addon is missing: build the addon first (npm run build)"
for tool in verdaccio napi tsc; do
  [[ -x "$repo/node_modules/.bin/$tool" ]] ||
    fail "$repo/node_modules/.bin/$tool is missing: run npm install in $repo first"
done
[[ "$(node -p 'process.platform + "-" + process.arch')" == linux-x64 ]] ||
  fail "this check publishes and installs the linux-x64-gnu package; run it on x86_64 Linux"

version="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
ts_version="$(node -p 'require(process.argv[1]).version' "$repo/node_modules/typescript/package.json")"
types_node_version="$(node -p 'require(process.argv[1]).version' "$repo/node_modules/@types/node/package.json")"
node_dir="$(dirname "$(command -v node)")"
npm_dir="$(dirname "$(command -v npm)")"
# The PATH of a machine with Node and no Rust: node's and npm's folders, then the system's.
plain_path=""
for dir in "$node_dir" "$npm_dir" /usr/bin /bin; do
  [[ ":$plain_path:" == *":$dir:"* ]] || plain_path="${plain_path:+$plain_path:}$dir"
done

# --- One temporary folder for everything; the registry stops and it goes, whatever happens ----
tmp="$(mktemp -d "${TMPDIR:-/tmp}/qrhash-registry.XXXXXX")"
registry_pid=""
cleanup() {
  local status=$?
  if [[ -n "$registry_pid" ]] && kill -0 "$registry_pid" 2>/dev/null; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$tmp/tmp" "$tmp/home" "$tmp/cache" "$tmp/logs"
# Child processes (napi's staging folders, npm's) put their temporary files in here too.
export TMPDIR="$tmp/tmp"
# Nothing from this machine's npm setup or cache: a user config of our own, an empty cache.
export npm_config_userconfig="$tmp/npmrc"
export npm_config_cache="$tmp/cache"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Nor a binary picked by hand or a forced WASI build where the loader's own choice is tested.
unset NAPI_RS_NATIVE_LIBRARY_PATH NAPI_RS_FORCE_WASI GITHUB_REPOSITORY GITHUB_TOKEN || true

# --- 1. The registry -------------------------------------------------------------------------
step "a throwaway npm registry on 127.0.0.1 (verdaccio $(node -p 'require(process.argv[1]).version' "$repo/node_modules/verdaccio/package.json"))"
port="$(node -e '
  const server = require("node:net").createServer()
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close() })')"
registry="http://127.0.0.1:$port/"
mkdir -p "$tmp/registry/storage"
cat >"$tmp/registry/config.yaml" <<EOF
# Everything lives in this folder; no uplinks, so nothing is ever fetched from elsewhere.
storage: $tmp/registry/storage
auth:
  htpasswd:
    file: $tmp/registry/htpasswd
    max_users: -1
uplinks: {}
# typescript 7's native compiler package is a 10 MB tarball, verdaccio's default limit.
max_body_size: 100mb
packages:
  '**':
    access: \$all
    publish: \$all
    unpublish: \$all
# The audit middleware forwards 'npm audit' to the public registry: off. So is the web UI.
middlewares:
  audit:
    enabled: false
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
EOF
# npm publishes only with a token for the registry; verdaccio lets anyone publish here.
printf '//127.0.0.1:%s/:_authToken=local-throwaway-token\n' "$port" >"$npm_config_userconfig"

"$repo/node_modules/.bin/verdaccio" --config "$tmp/registry/config.yaml" --listen "127.0.0.1:$port" \
  >"$tmp/logs/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$registry_pid" 2>/dev/null || {
    cat "$tmp/logs/registry.log" >&2
    fail "the registry exited while starting"
  }
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "${registry}-/ping"; then
    break
  fi
  sleep 0.5
done
node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
  "${registry}-/ping" || fail "the registry did not answer on $registry within 60 s"
ok "$registry answers (network: $network)"

# From here on every npm command (and napi's own registry look-ups) asks this registry alone.
export npm_config_registry="$registry"

# The other packages the test needs come from this registry too, packed from the repository's
# node_modules (no download) with their dependencies: typescript and @types/node for the
# consumer, and the WASI package's runtime, whose latest version `napi create-npm-dirs` looks up
# in the registry (the one installed here, so npm/wasm32-wasi comes out as committed).
step "typescript@$ts_version, @types/node@$types_node_version and the WASI runtime into the registry"
mkdir -p "$tmp/tarballs"
roots=(typescript @types/node @napi-rs/wasm-runtime @emnapi/core @emnapi/runtime)
# Each root, its dependencies, and this platform's optional ones (typescript 7's native tsc).
# shellcheck disable=SC2016 # ${…} here is JavaScript's
mapfile -t deps < <(node -e '
  const [root, ...names] = process.argv.slice(1)
  const seen = new Set()
  const visit = (name) => {
    if (seen.has(name)) return
    let manifest
    try { manifest = require(`${root}/node_modules/${name}/package.json`) } catch { return }
    seen.add(name)
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) visit(dep)
  }
  names.forEach(visit)
  for (const name of seen) console.log(name)' "$repo" "${roots[@]}")
for dep in "${deps[@]}"; do
  logged "$tmp/logs/pack.log" npm pack --ignore-scripts --pack-destination "$tmp/tarballs" "$repo/node_modules/$dep"
done
for tarball in "$tmp/tarballs"/*.tgz; do
  logged "$tmp/logs/publish-dep.log" npm publish "$tarball" --tag latest --registry "$registry"
done
ok "published: ${deps[*]}"

# --- 2. Publish as the publish job does --------------------------------------------------------
step "publish qrhash $version as the publish job does, from a temporary copy of the repository"
pkg="$tmp/qrhash"
mkdir -p "$pkg"
# The committed files plus new ones not yet ignored: the working tree as a fresh checkout has it.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$repo" && tar --null -T - -cf -) | tar -xf - -C "$pkg"
# The WASI package needs the WASI build (its .wasm and the loaders napi generates with it).
# Without one in the repository it is left out: napi.targets here loses wasm32-wasip1-threads,
# so the root package lists the native packages only.
wasi_files=(qrhash.wasm32-wasi.wasm qrhash.wasi.cjs qrhash.wasi.d.cts qrhash.wasi-browser.js
  wasi-worker.mjs wasi-worker-browser.mjs)
left_out=none
for file in "${wasi_files[@]}"; do
  [[ -f "$repo/$file" ]] || left_out="wasm32-wasi (no WASI build in the repository)"
done
if [[ "$left_out" != none ]]; then
  node -e '
    const fs = require("node:fs")
    const manifest = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))
    manifest.napi.targets = manifest.napi.targets.filter((target) => !target.startsWith("wasm32-"))
    fs.writeFileSync(process.argv[1], JSON.stringify(manifest, null, 2) + "\n")' "$pkg/package.json"
  echo "   note: left out $left_out"
fi
# The job's checkout is a release commit whose message is the version.
git -C "$pkg" init -q
git -C "$pkg" add -A
git -C "$pkg" -c user.name=qrhash-ci -c user.email=ci@qrhash.invalid commit -q -m "$version"

# The publish job's commands need napi (from the repository's devDependencies) and must not find
# cargo: with cargo on PATH, `npm publish`'s prepare script (scripts/ensure-addon.mjs) would
# rebuild the addon from source.
publish_path="$repo/node_modules/.bin:$plain_path"
(cd "$pkg" && PATH="$publish_path" logged "$tmp/logs/create-npm-dirs.log" npm run create-npm-dirs)
# One npm/<platform> folder per target in package.json's napi.targets.
abis=()
for dir in "$pkg"/npm/*/; do abis+=("$(basename "$dir")"); done

# What `actions/download-artifact` leaves in artifacts/: one folder per target. The binary built
# here for linux-x64-gnu, the repository's WASI build for wasm32-wasi, and for every other
# target a stand-in file (never installed on this machine, which the checks below prove).
stand_ins=()
for abi in "${abis[@]}"; do
  out="$pkg/artifacts/bindings-$abi"
  mkdir -p "$out"
  if [[ "$abi" == linux-x64-gnu ]]; then
    cp "$addon" "$out/"
  elif [[ "$abi" == wasm32-wasi ]]; then
    for file in "${wasi_files[@]}"; do cp "$repo/$file" "$out/"; done
  else
    printf 'stand-in for qrhash.%s.node: this registry test builds linux-x64-gnu only\n' "$abi" \
      >"$out/qrhash.$abi.node"
    stand_ins+=("$abi")
  fi
done
(cd "$pkg" && PATH="$publish_path" logged "$tmp/logs/artifacts.log" npm run artifacts)
cmp -s "$addon" "$pkg/npm/linux-x64-gnu/qrhash.linux-x64-gnu.node" ||
  fail "napi artifacts did not put the built binary into npm/linux-x64-gnu"

# The publish step itself (without provenance, which needs GitHub's OIDC token).
(cd "$pkg" && PATH="$publish_path" logged "$tmp/logs/publish.log" npm publish --access public --tag latest)
ok "npm publish (prepublishOnly: napi prepublish -t npm) succeeded"

# What the registry now says about the root package.
optional_json="$(npm view "qrhash@$version" optionalDependencies --json --registry "$registry")" ||
  fail "qrhash@$version is not in the registry after npm publish"
# shellcheck disable=SC2016 # ${…} here is JavaScript's
node -e '
  const [json, version, ...dirs] = process.argv.slice(1)
  const optional = JSON.parse(json)
  const expected = Object.fromEntries(dirs.map((abi) => [`qrhash-${abi}`, version]))
  const show = (o) => JSON.stringify(Object.fromEntries(Object.entries(o).sort()))
  if (show(optional) !== show(expected)) {
    console.error(`optionalDependencies ${show(optional)}\nexpected ${show(expected)}`)
    process.exit(1)
  }' "$optional_json" "$version" "${abis[@]}" ||
  fail "the published qrhash has the wrong optionalDependencies"
ok "npm view qrhash optionalDependencies: $(node -p 'Object.keys(JSON.parse(process.argv[1])).length' "$optional_json") platform packages at $version"
for abi in "${abis[@]}"; do
  name="qrhash-$abi"
  [[ "$(npm view "$name@$version" version --registry "$registry")" == "$version" ]] ||
    fail "$name@$version is not in the registry"
done
ok "every one of them is in the registry (stand-in binaries: ${stand_ins[*]:-none})"

# --- 3. Install with no Rust -----------------------------------------------------------------
step "npm install qrhash in an empty project, no Rust on PATH, from $registry only"
app="$tmp/app"
mkdir -p "$app"
printf '{ "name": "qrhash-consumer", "version": "1.0.0", "private": true, "type": "module" }\n' >"$app/package.json"
# A clean environment: only what a user's shell would have, a HOME with no toolchains in it.
consumer_env=(env -i "PATH=$plain_path" "HOME=$tmp/home" "TMPDIR=$TMPDIR" "LANG=C.UTF-8"
  "npm_config_userconfig=$npm_config_userconfig" "npm_config_cache=$npm_config_cache"
  "npm_config_registry=$registry" npm_config_audit=false npm_config_fund=false
  npm_config_update_notifier=false)
for tool in cargo rustc rustup; do
  if "${consumer_env[@]}" bash -c "command -v $tool" >/dev/null; then
    fail "$tool is on the consumer's PATH ($plain_path): this would not prove an install without Rust"
  fi
done
ok "cargo, rustc and rustup are not on PATH ($plain_path)"

(cd "$app" && logged "$tmp/logs/install.log" "${consumer_env[@]}" npm install --registry "$registry" \
  --foreground-scripts "qrhash@$version" "typescript@$ts_version" "@types/node@$types_node_version")
sed -n '/^added/p' "$tmp/logs/install.log" | sed 's/^/   /'

# Exactly one platform package, the matching one, anywhere in the tree.
mapfile -t platform_pkgs < <(cd "$app" && find node_modules -type d -name 'qrhash-*' | sort)
[[ "${platform_pkgs[*]}" == "node_modules/qrhash-linux-x64-gnu" ]] ||
  fail "installed platform packages: ${platform_pkgs[*]:-none}; expected node_modules/qrhash-linux-x64-gnu alone"
ok "installed platform packages: ${platform_pkgs[*]}"
cmp -s "$addon" "$app/node_modules/qrhash-linux-x64-gnu/qrhash.linux-x64-gnu.node" ||
  fail "the installed qrhash.linux-x64-gnu.node differs from the one built here"
ok "its qrhash.linux-x64-gnu.node is byte for byte the binary built here"
# The lockfile still names every platform package, so it installs on other platforms too.
locked="$(node -p 'Object.keys(require(process.argv[1]).packages).filter((p) => /node_modules\/qrhash-/.test(p)).length' \
  "$app/package-lock.json")"
[[ "$locked" == "${#abis[@]}" ]] ||
  fail "package-lock.json lists $locked qrhash-* packages, not all ${#abis[@]}"
ok "package-lock.json records all $locked platform packages (portable to other platforms)"

# No build: qrhash has no install-time scripts (nor a binding.gyp, which makes npm run
# node-gyp), ships no Rust sources, and npm printed no lifecycle script of qrhash or its packages.
# shellcheck disable=SC2016 # ${…} here is JavaScript's
node -e '
  const dir = process.argv[1]
  const manifest = require(`${dir}/package.json`)
  const fs = require("node:fs")
  const scripts = Object.keys(manifest.scripts ?? {}).filter((s) => ["preinstall", "install", "postinstall"].includes(s))
  const sources = ["binding.gyp", "Cargo.toml", "src", "build.rs"].filter((f) => fs.existsSync(`${dir}/${f}`))
  const binaries = fs.readdirSync(dir).filter((f) => f.endsWith(".node"))
  if (scripts.length || manifest.gypfile || sources.length || binaries.length) {
    console.error({ scripts, gypfile: manifest.gypfile, sources, binaries })
    process.exit(1)
  }' "$app/node_modules/qrhash" || fail "the installed qrhash could build or carries build inputs"
if grep -E '^> qrhash' "$tmp/logs/install.log"; then fail "npm ran a qrhash lifecycle script"; fi
ok "qrhash's install ran no script and no build: no install scripts, no binding.gyp, no Rust sources"

# --- 4. TypeScript, ESM and CommonJS -----------------------------------------------------------
step "tsc --strict (NodeNext) and node: ESM with top-level await, and CommonJS require"
cat >"$app/main.ts" <<'EOF'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'

import { createQr, sha256 } from 'qrhash'
import * as qrhash from 'qrhash'

const url: string = await createQr('hello')
const prefix = 'data:image/png;base64,'
if (!url.startsWith(prefix)) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}`)
writeFileSync(process.argv[2]!, Buffer.from(url.slice(prefix.length), 'base64'))

const hex: string = await sha256('hello', { encoding: 'hex' })
const bytes: Buffer = await sha256(Buffer.from('hello'))
const expected = createHash('sha256').update('hello').digest()
if (hex !== expected.toString('hex') || !bytes.equals(expected)) throw new Error(`sha256 mismatch: ${hex}`)

// The native binary, loaded from the platform package (not the WASI fallback, not an override).
const loaded = (process.report.getReport() as { sharedObjects: string[] }).sharedObjects.filter((f) => f.endsWith('.node'))
const target = (qrhash as { __napiBindingTarget?: string }).__napiBindingTarget
console.log(`esm: ${url.length}-char data URL, sha256 ${hex}, binding ${target}, ${loaded.length} addon loaded: ${loaded.join(' ')}`)
EOF
cat >"$app/main-cjs.cts" <<'EOF'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'

import qrhash = require('qrhash')

async function main(): Promise<void> {
  const url: string = await qrhash.createQr('hello')
  writeFileSync(process.argv[2]!, Buffer.from(url.replace('data:image/png;base64,', ''), 'base64'))
  const hex: string = await qrhash.sha256('hello', { encoding: 'hex' })
  if (hex !== createHash('sha256').update('hello').digest('hex')) throw new Error(`sha256 mismatch: ${hex}`)
  console.log(`cjs: ${url.length}-char data URL, sha256 ${hex}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
EOF
(cd "$app" && logged "$tmp/logs/tsc.log" "${consumer_env[@]}" ./node_modules/.bin/tsc --strict \
  --module NodeNext --moduleResolution NodeNext --target ES2022 --types node main.ts main-cjs.cts)
grep -q 'require("qrhash")' "$app/main-cjs.cjs" || fail "main-cjs.cjs does not require('qrhash')"
ok "tsc $("${consumer_env[@]}" "$app/node_modules/.bin/tsc" --version) compiled main.ts and main-cjs.cts (which emits require(\"qrhash\"))"
esm_out="$(cd "$app" && "${consumer_env[@]}" node main.js "$tmp/esm.png")" || fail "node main.js failed"
cjs_out="$(cd "$app" && "${consumer_env[@]}" node main-cjs.cjs "$tmp/cjs.png")" || fail "node main-cjs.cjs failed"
printf '   %s\n' "$esm_out" "$cjs_out"
[[ "$esm_out" == *"binding native, 1 addon loaded: "*"/app/node_modules/qrhash-linux-x64-gnu/qrhash.linux-x64-gnu.node" ]] ||
  fail "the ESM run did not load the native binary from node_modules/qrhash-linux-x64-gnu"
ok "both ran; sha256 matches node:crypto; the binary came from node_modules/qrhash-linux-x64-gnu"
# And the command-line tool the package installs, as the README's first example runs it.
(cd "$app" && logged "$tmp/logs/cli.log" "${consumer_env[@]}" npx --no-install qrhash hello -o "$tmp/cli.png")
ok "npx qrhash hello -o cli.png ran"

# zxing-wasm from the repository's node_modules (its .wasm read from disk, never fetched) reads
# both images back.
(cd "$repo" && logged "$tmp/logs/decode.log" node --import tsx --input-type=module -e "
  import { readFileSync } from 'node:fs'
  import { zxingRead } from './__test__/helpers/decode.ts'
  for (const file of process.argv.slice(1)) {
    const { text } = await zxingRead(readFileSync(file))
    if (text !== 'hello') throw new Error(file + ' decodes to ' + JSON.stringify(text))
  }" "$tmp/esm.png" "$tmp/cjs.png" "$tmp/cli.png")
ok "the ESM, CommonJS and CLI images all decode to 'hello' (zxing-wasm)"

# --- 5. Summary ------------------------------------------------------------------------------
step "summary"
echo "   registry $registry (verdaccio, no uplinks), network: $network"
echo "   published qrhash@$version with ${locked} platform packages; stand-in binaries for: ${stand_ins[*]:-none}"
echo "   left out: $left_out"
echo "   installed with no cargo/rustc/rustup on PATH: qrhash + qrhash-linux-x64-gnu only, no build"
echo "   tsc --strict NodeNext: ESM (top-level await) and CommonJS require compile and run; they and the CLI draw 'hello'"
echo "   took $((SECONDS - started)) s"
printf '\ninstall-from-registry: all %d checks passed\n' "$checks"
