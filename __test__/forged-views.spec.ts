// What a binary argument is (a buffer whose length can change or not, a view's offset and
// length, the Uint8Array made over it) is decided by JavaScript's own getters and constructor
// captured when qrhash loads (src/input/intrinsics.rs), never by properties or globals the
// caller can forge. Each probe (helpers/forged-view-probe.cjs) runs in a child process: before
// this, a resizable buffer that said it was not one was read in place and shrinking it while
// the call ran was a segmentation fault, and a forged byteLength changed what was hashed.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const require = createRequire(import.meta.url)
const probeScript = fileURLToPath(new URL('./helpers/forged-view-probe.cjs', import.meta.url))
const { probes } = require(probeScript) as { probes: [string, string][] }
const { __napiBindingTarget } = require('../index.js') as { __napiBindingTarget: string }

interface Report {
  outcome: 'same' | 'refused' | 'wrong' | 'error'
  detail: string
}

function probe(forgery: string, call: string) {
  const child = spawnSync(process.execPath, [probeScript, forgery, call], {
    encoding: 'utf8',
    env: { ...process.env, RUST_BACKTRACE: '0' },
    timeout: 120_000,
  })
  const last = child.stdout.trim().split('\n').pop()
  const report = last ? (JSON.parse(last) as Report) : undefined
  return { child, report }
}

test('the catalogue forges every property and global that decided how a view was read', (t) => {
  const forgeries = new Set(probes.map(([forgery]) => forgery))
  for (const forgery of ['own property', 'subclass getter', 'patched prototype', 'getter that detaches']) t.true(forgeries.has(forgery), forgery)
  for (const name of ['byteLength', 'byteOffset', 'buffer', 'length', 'globalThis.Uint8Array', 'globalThis.SharedArrayBuffer', 'growable']) {
    t.true([...forgeries].some((forgery) => forgery.includes(name)), name)
  }
})

for (const [forgery, call] of probes) {
  test(`${forgery}: ${call} reads the real bytes and survives`, (t) => {
    const { child, report } = probe(forgery, call)
    t.is(child.signal, null, `killed by ${child.signal}: ${child.stderr.slice(-1000)}`)
    t.is(child.status, 0, child.stderr.slice(-1000))
    t.truthy(report, `no report; stderr: ${child.stderr.slice(-1000)}`)
    // A resizable output is refused (it could shrink while written); everything else is read.
    // The WebAssembly build's glue (emnapi) looks up globalThis.Uint8Array itself when it
    // copies a view into wasm memory, so there replacing that global makes calls throw: an
    // error, never a wrong digest (docs/robustness.md, "Known differences between builds").
    const gluesUint8Array = __napiBindingTarget !== 'native' && forgery.includes('globalThis.Uint8Array')
    const allowed = call.includes('(output)') ? ['refused'] : gluesUint8Array ? ['error'] : ['same']
    t.true(allowed.includes(report!.outcome), `${report!.outcome}: ${report!.detail}`)
    if (report!.outcome === 'refused') t.regex(report!.detail, /options\.output must be a buffer of fixed length, got a resizable ArrayBuffer/)
  })
}
