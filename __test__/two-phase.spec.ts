// The two-phase argument reader (src/input/mod.rs): a getter on an argument, option or element
// read after a buffer may transfer that buffer away and let its memory be overwritten or freed.
// Each probe (helpers/two-phase-probe.cjs) runs in a child process, as reading moved memory can
// crash it; the call must give what an untouched copy gives, or a TypeError naming the buffer's
// argument as detached.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const require = createRequire(import.meta.url)
const probeScript = fileURLToPath(new URL('./helpers/two-phase-probe.cjs', import.meta.url))
const { probes } = require(probeScript) as { probes: string[] }

interface Report {
  outcome: 'same' | 'refused' | 'wrong' | 'error'
  detail: string
}

function probe(name: string, mode: 'overwrite' | 'free') {
  const child = spawnSync(process.execPath, ['--expose-gc', probeScript, name, mode], {
    encoding: 'utf8',
    env: { ...process.env, RUST_BACKTRACE: '0' },
  })
  const report = child.stdout.trim() ? (JSON.parse(child.stdout.trim().split('\n').pop()!) as Report) : undefined
  return { child, report }
}

test('every probe covers a function, its …Sync twin or both, for hashing and QR codes', (t) => {
  for (const name of ['sha256', 'sha256Sync', 'sha256Into', 'sha256Many', 'sha256ManySync', 'createQrBatch']) {
    t.true(probes.includes(name), name)
  }
  t.true(probes.length >= 20)
})

for (const name of probes) {
  for (const mode of ['overwrite', 'free'] as const) {
    test(`${name}: a later getter that transfers the buffer (memory then ${mode === 'free' ? 'freed' : 'overwritten'})`, (t) => {
      const { child, report } = probe(name, mode)
      t.is(child.signal, null, `killed by ${child.signal}: ${child.stderr.slice(-1000)}`)
      t.is(child.status, 0, child.stderr.slice(-1000))
      t.truthy(report, `no report; stderr: ${child.stderr.slice(-1000)}`)
      t.true(report!.outcome === 'same' || report!.outcome === 'refused', `${report!.outcome}: ${report!.detail}`)
    })
  }
}
