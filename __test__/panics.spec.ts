// A panic in qrhash's Rust code must reach JavaScript as an error, never abort Node. These tests
// load a debug build with test-only exports that panic on purpose (src/js/fault.rs), which
// `npm test` builds as target/fault-injection/qrhash.node; published builds have none of them.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const addonPath = fileURLToPath(new URL('../target/fault-injection/qrhash.node', import.meta.url))

interface FaultAddon {
  __panicInTask(parts: number, options?: { signal?: AbortSignal }): Promise<number>
  __panicInTaskSync(parts: number): number
  __panicWhileReading(): Promise<number>
  __panicOnJsThread(): void
}

const addonModule = { exports: {} as FaultAddon }
process.dlopen(addonModule, addonPath)
const addon = addonModule.exports

const internal = (panicMessage: string) => ({
  instanceOf: Error,
  code: 'ERR_QRHASH_INTERNAL',
  message: `qrhash internal error: ${panicMessage}. This is a bug; please report it`,
})

test('a panic in a task on the pool rejects its promise with ERR_QRHASH_INTERNAL, whichever of its parts panics', async (t) => {
  for (const parts of [1, 2, 4, 16]) {
    await t.throwsAsync(addon.__panicInTask(parts), internal(`injected panic in part ${Math.floor(parts / 2)}`))
  }
})

test('a panic in a …Sync twin throws ERR_QRHASH_INTERNAL on the calling thread', (t) => {
  t.throws(() => addon.__panicInTaskSync(3), internal('injected panic in part 1'))
})

test('a panic while arguments are read rejects the promise with ERR_QRHASH_INTERNAL', async (t) => {
  await t.throwsAsync(addon.__panicWhileReading(), internal('injected panic while reading arguments'))
})

test("a panic in the napi call's own body becomes a thrown Error carrying the panic's message", (t) => {
  t.throws(() => addon.__panicOnJsThread(), { instanceOf: Error, message: 'injected panic on the JavaScript thread' })
})

/** Runs `body` in a child process that has the fault addon as `addon`; its stdout and stderr. */
function inChild(t: import('ava').ExecutionContext, body: string) {
  const script = `
    const { createHash } = require('node:crypto')
    const m = { exports: {} }
    process.dlopen(m, ${JSON.stringify(addonPath)})
    const addon = m.exports;
    ${body}`
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, RUST_BACKTRACE: '0' } })
  t.is(child.signal, null, child.stderr.slice(-2000))
  t.is(child.status, 0, child.stderr.slice(-2000))
  t.notRegex(child.stderr, /abort|fatal|core dumped/i)
  return child
}

// In a child process, so the thousand panic reports Rust prints go to a pipe, not the test log.
test('after a thousand panics the same addon still hashes and draws correctly', (t) => {
  const child = inChild(
    t,
    `(async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => addon.__panicInTask(1 + (i % 4))))
      let thrown = 0
      for (let i = 0; i < 100; i++) {
        try { addon.__panicInTaskSync(2) } catch (error) { if (error.code === 'ERR_QRHASH_INTERNAL') thrown++ }
      }
      const hashOk = addon.sha256Sync('abc').equals(createHash('sha256').update('abc').digest())
      const qr = await addon.createQr('still alive')
      console.log(JSON.stringify({ rejected: outcomes.filter((o) => o.reason?.code === 'ERR_QRHASH_INTERNAL').length, thrown, hashOk, png: qr.startsWith('data:image/png;base64,') }))
    })()`,
  )
  t.deepEqual(JSON.parse(child.stdout), { rejected: 1000, thrown: 100, hashOk: true, png: true })
  t.is(child.stderr.match(/panicked at/g)?.length, 1100, 'each panic reported once on stderr')
})

test('a process whose tasks panic exits normally, with the panics reported only as rejections', (t) => {
  const child = inChild(
    t,
    `Promise.allSettled([1, 2, 3, 4].map((parts) => addon.__panicInTask(parts))).then((outcomes) => {
      console.log(outcomes.map((outcome) => outcome.reason.code).join(' '))
    })`,
  )
  t.is(child.stdout.trim(), 'ERR_QRHASH_INTERNAL ERR_QRHASH_INTERNAL ERR_QRHASH_INTERNAL ERR_QRHASH_INTERNAL')
})
