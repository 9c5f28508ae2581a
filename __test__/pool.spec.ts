// Sharing libuv's pool (src/js/pool.rs): qrhash keeps at most its share of the pool's threads
// (by default one less than the pool has, at least one) busy, process-wide, worker threads
// included; its other parts wait in its own queue, run in slices, and settle at once when
// their call is aborted. Every test is serial: they read and change the process's one budget.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import test, { type ExecutionContext } from 'ava'

import { cancelAll, createQr, createQrSync, getPoolShare, setPoolShare, sha256, sha256Batch, sha256Iterate } from '../index.js'
import { __napiBindingTarget, __poolStats } from './helpers/internal.js'
import { checkAbortError, rejection } from './helpers/oracle.js'

const packagePath = fileURLToPath(new URL('../index.js', import.meta.url))
const probePath = fileURLToPath(new URL('./helpers/pool-probe.mjs', import.meta.url))

interface ProbeReport {
  poolSize: number
  share: number
  warnings: string[]
  readsBeforeChain?: number
  chainRight?: boolean
  peak?: number
  takenAfter?: number
  queuedAfter?: number
  failures?: string[]
}

/** Runs helpers/pool-probe.mjs in a child process with `env` added; checks how it ended. */
function probe(t: ExecutionContext, scenario: string, env: Record<string, string>): ProbeReport {
  const child = spawnSync(process.execPath, [probePath, packagePath, scenario], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  const label = `${scenario} with ${JSON.stringify(env)}`
  t.is(child.signal, null, `${label}: killed by a signal; stderr: ${child.stderr.slice(-2000)}`)
  t.is(child.status, 0, `${label}: exit code; stderr: ${child.stderr.slice(-2000)}`)
  return JSON.parse(child.stdout) as ProbeReport
}

/** Chains that run until aborted: they hold `count` slots (more wait in the queue). */
function blockers(count: number) {
  const controller = new AbortController()
  const chains = Array.from({ length: count }, (_, i) => sha256Iterate(`blocker ${i}`, 2 ** 32 - 1, { signal: controller.signal }).catch((error: unknown) => error))
  return {
    async release() {
      controller.abort()
      await Promise.all(chains)
    },
  }
}

/**
 * How `promise` has settled by the time the event loop next reaches its check phase: its
 * reactions run as microtasks, always before a `setImmediate` callback.
 */
function beforeTheLoopTurns(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  const turned = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))
  const settled = promise.then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  )
  return Promise.race([settled, turned])
}

/**
 * The budget once every call has settled and the runners that found nothing left to run are
 * back too (they finish on the next turns of the event loop); gives up after a second.
 */
async function untilIdle() {
  for (let turn = 0; turn < 1000 && __poolStats().taken + __poolStats().queued > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 1))
  return __poolStats()
}

/** Resolves once qrhash holds every slot of its share (the blockers have started). */
async function untilShareIsTaken() {
  while (__poolStats().taken < getPoolShare()) await new Promise((resolve) => setTimeout(resolve, 1))
}

test.serial('the share is one less than the pool has (at least 1), as libuv sizes the pool; QRHASH_POOL_SHARE sets it, and a value out of range is reported, not thrown', (t) => {
  for (const [size, share] of [
    ['1', 1],
    ['2', 1],
    ['4', 3],
    ['64', 63],
    ['0', 3], // libuv ignores 0 and uses 4
    ['5000', 1023], // and caps the pool at 1024
  ] as const) {
    const report = probe(t, 'share', { UV_THREADPOOL_SIZE: size })
    t.like(report, { share, warnings: [] }, `UV_THREADPOOL_SIZE=${size}`)
  }
  t.like(probe(t, 'share', { UV_THREADPOOL_SIZE: '8', QRHASH_POOL_SHARE: '8' }), { poolSize: 8, share: 8, warnings: [] })
  t.like(probe(t, 'share', { UV_THREADPOOL_SIZE: '8', QRHASH_POOL_SHARE: ' 2 ' }), { share: 2, warnings: [] })
  for (const wrong of ['9', '0', 'two', '1.5']) {
    const report = probe(t, 'share', { UV_THREADPOOL_SIZE: '8', QRHASH_POOL_SHARE: wrong })
    t.is(report.share, 7, `QRHASH_POOL_SHARE=${wrong} leaves the default`)
    t.is(report.warnings.length, 1, `QRHASH_POOL_SHARE=${wrong}: one warning`)
    t.regex(report.warnings[0] ?? '', /^QrhashWarning QRHASH_POOL_SHARE: QRHASH_POOL_SHARE ignored: threads /, `QRHASH_POOL_SHARE=${wrong}`)
  }
})

test.serial('setPoolShare takes a whole number from 1 to the pool size; anything else is a RangeError or TypeError naming `threads`', (t) => {
  const before = getPoolShare()
  const { poolSize } = __poolStats()
  try {
    setPoolShare(1)
    t.is(getPoolShare(), 1)
    setPoolShare(poolSize)
    t.is(getPoolShare(), poolSize)
    for (const wrong of [0, -1, poolSize + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = t.throws(() => setPoolShare(wrong), { instanceOf: RangeError }, String(wrong))
      t.regex(error?.message ?? '', /^threads /, String(wrong))
    }
    for (const wrong of ['2', null, undefined, {}]) {
      const error = t.throws(() => setPoolShare(wrong as unknown as number), { instanceOf: TypeError }, String(wrong))
      t.regex(error?.message ?? '', /^threads /, String(wrong))
    }
    t.is(getPoolShare(), poolSize, 'a refused value changes nothing')
  } finally {
    setPoolShare(before)
  }
})

test.serial('with a pool of 1, 2 and 64 threads the cap holds under every family at once, every result is right, and every slot comes back', (t) => {
  for (const size of ['1', '2', '64']) {
    const report = probe(t, 'mixed', { UV_THREADPOOL_SIZE: size })
    t.deepEqual(report.failures, [], `UV_THREADPOOL_SIZE=${size}`)
    t.true(report.peak! >= 1 && report.peak! <= report.share, `UV_THREADPOOL_SIZE=${size}: at most ${report.share} slots taken (took ${report.peak})`)
    t.like(report, { takenAfter: 0, queuedAfter: 0 }, `UV_THREADPOOL_SIZE=${size}`)
    t.log(`UV_THREADPOOL_SIZE=${size}: share ${report.share}, at most ${report.peak} slots taken`)
  }
})

test.serial('with a pool of one thread, file reads started after a long hash chain finish before it: the chain gives the thread back between slices', (t) => {
  const report = probe(t, 'progress', { UV_THREADPOOL_SIZE: '1' })
  t.is(report.share, 1)
  t.true(report.chainRight, 'the sliced chain ends where an unsliced one does')
  t.is(report.readsBeforeChain, 20, 'every read finished while the chain still ran')
})

test.serial('queued calls settle as soon as they are aborted, without a pool thread: before the next turn of the event loop, and their onProgress is never called', async (t) => {
  const pool = blockers(getPoolShare())
  try {
    await untilShareIsTaken()
    const controller = new AbortController()
    const reason = new Error('not wanted any more')
    let progressCalls = 0
    const pending = Array.from({ length: 10 }, (_, i) =>
      sha256Batch(Buffer.alloc(1 << 20, i), { recordSize: 64, signal: controller.signal, onProgress: () => progressCalls++ }),
    )
    t.true(__poolStats().queued >= 10, 'the calls wait in qrhash’s queue')
    const started = performance.now()
    controller.abort(reason)
    // Only the blockers' chains, between two slices, may still be queued.
    t.true(__poolStats().queued <= getPoolShare(), 'dropped from the queue within abort() itself')
    const outcomes = await Promise.all(pending.map(beforeTheLoopTurns))
    const elapsed = performance.now() - started
    t.deepEqual(new Set(outcomes), new Set(['rejected']), 'settled before the event loop turned')
    for (const [i, call] of pending.entries()) checkAbortError(t, await rejection(t, call, `queued sha256Batch ${i}`), reason, `queued sha256Batch ${i}`)
    t.is(progressCalls, 0)
    t.log(`settled ${elapsed.toFixed(3)} ms after abort()`)
  } finally {
    await pool.release()
  }
})

test.serial('cancelAll() settles every queued call at once, and the budget is whole again after', async (t) => {
  const pool = blockers(getPoolShare())
  await untilShareIsTaken()
  const queued = Array.from({ length: 50 }, (_, i) => sha256(Buffer.alloc(1 << 20, i)))
  // The blockers' chains may be back in the queue too, between two slices.
  t.true(__poolStats().queued >= 50)
  t.is(cancelAll(), 50 + getPoolShare(), 'the queued calls and the blockers')
  t.is(__poolStats().queued, 0, 'nothing left in the queue')
  const outcomes = await Promise.all(queued.map(beforeTheLoopTurns))
  t.deepEqual(new Set(outcomes), new Set(['rejected']), 'every queued call settled before the event loop turned')
  for (const [i, call] of queued.entries()) t.is((await rejection(t, call, `call ${i}`)).name, 'AbortError')
  await pool.release()
  t.like(await untilIdle(), { taken: 0, queued: 0 })
})

test.serial('a small call is not stuck behind long ones: createQr resolves while eight endless chains hold the pool', async (t) => {
  const pool = blockers(8)
  try {
    await untilShareIsTaken()
    const url = await createQr('fairness')
    t.is(url, createQrSync('fairness'))
    t.true(__poolStats().taken <= getPoolShare())
  } finally {
    await pool.release()
  }
})

/** A worker that hashes with qrhash, checks each digest against node:crypto and reports. */
const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads')
  const { createHash } = require('node:crypto')
  const qrhash = require(workerData.packagePath)
  const big = Buffer.alloc(12 << 20, workerData.id)
  const want = createHash('sha256').update(big).digest()
  const calls = Array.from({ length: 8 }, () => qrhash.sha256(big))
  if (workerData.endless) calls.push(qrhash.sha256Iterate('endless', 2 ** 32 - 1))
  parentPort.postMessage('started')
  Promise.all(calls).then((digests) => parentPort.postMessage({ right: digests.every((d) => d.equals(want)) }))
`

// Natively the addon is loaded once per process, so its budget is the process's. Under
// WebAssembly each thread instantiates the module apart, with its own memory and budget
// (docs/robustness.md, "Known differences between builds"); the last test here shows that.
const oneAddonPerProcess = __napiBindingTarget === 'native'

if (oneAddonPerProcess) test.serial('worker threads share one budget: with three workers and the main thread all hashing, qrhash never holds more than its share', async (t) => {
  __poolStats(true)
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, __poolStats().taken)), 1)
  const workers = [1, 2, 3].map((id) => new Worker(workerSource, { eval: true, workerData: { packagePath, id } }))
  const reports = workers.map(
    (worker) =>
      new Promise<{ right: boolean }>((resolve, reject) => {
        worker.on('message', (message) => message !== 'started' && resolve(message))
        worker.on('error', reject)
      }),
  )
  const mine = Buffer.alloc(12 << 20, 9)
  const main = await Promise.all(Array.from({ length: 8 }, () => sha256(mine)))
  const results = await Promise.all(reports)
  clearInterval(sampler)
  await Promise.all(workers.map((worker) => worker.terminate()))
  t.true(main.every((digest) => digest.equals(createHash('sha256').update(mine).digest())))
  t.deepEqual(results, [{ right: true }, { right: true }, { right: true }])
  const most = Math.max(peak, __poolStats().peak)
  t.true(most <= getPoolShare(), `at most ${getPoolShare()} slots across the process (took ${most})`)
  t.true(most >= 1)
  t.like(await untilIdle(), { taken: 0, queued: 0 })
})

if (oneAddonPerProcess) test.serial('a worker terminated with calls running and queued gives its slots back: the main thread’s calls then run', async (t) => {
  const worker = new Worker(workerSource, { eval: true, workerData: { packagePath, id: 4, endless: true } })
  await new Promise((resolve) => worker.once('message', resolve))
  await untilShareIsTaken()
  const pending = sha256('after the worker')
  await worker.terminate()
  t.deepEqual(await pending, createHash('sha256').update('after the worker').digest())
  t.like(await untilIdle(), { taken: 0, queued: 0 }, 'every slot the worker held is back')
})

if (!oneAddonPerProcess) test.serial('under WebAssembly a worker has a budget of its own: its running calls take none of the main thread’s slots', async (t) => {
  const worker = new Worker(workerSource, { eval: true, workerData: { packagePath, id: 5, endless: true } })
  await new Promise((resolve) => worker.once('message', resolve))
  t.is(__poolStats().taken, 0, 'the worker’s calls are not counted here')
  t.deepEqual(await sha256('beside the worker'), createHash('sha256').update('beside the worker').digest())
  await worker.terminate()
})

test.serial(`the cap holds for 20 000 calls in flight, and each resolves to its own input's digest (${__napiBindingTarget})`, async (t) => {
  __poolStats(true)
  const inputs = Array.from({ length: 20_000 }, (_, i) => `call ${i}`)
  const digests = await Promise.all(inputs.map((input) => sha256(input, 'hex')))
  const wrong = digests.filter((hex, i) => hex !== createHash('sha256').update(inputs[i]!).digest('hex'))
  t.is(wrong.length, 0, 'calls resolved to another input’s digest')
  t.true(__poolStats().peak <= getPoolShare())
})

/** What the `render` scenario reports for each large PNG. */
interface RenderProbe extends ProbeReport {
  renders: Record<'plain' | 'dots', { readsBeforeRender: number; renderMs: number; same: boolean }>
}

test.serial('with a pool of one thread, file reads started after a large PNG render finish before it: the render gives the thread back between bands', (t) => {
  const report = probe(t, 'render', { UV_THREADPOOL_SIZE: '1' }) as RenderProbe
  t.is(report.share, 1)
  for (const [name, render] of Object.entries(report.renders)) {
    t.true(render.same, `${name}: the sliced PNG is toBufferSync's, byte for byte`)
    t.is(render.readsBeforeRender, 20, `${name}: every read finished while the render still ran`)
    t.log(`${name}: rendered in ${render.renderMs.toFixed(0)} ms, 20 reads finished before it`)
  }
})
