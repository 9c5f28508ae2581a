// qrhash in many worker threads at once and one after another (a context-aware addon with no
// global JavaScript state), workers terminated with calls in flight, and processes that exit
// while calls are pending. The worker side is helpers/hash-worker.mjs (modes 'workload' and
// 'flood'), the workload helpers/workload.mjs.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import test, { type ExecutionContext } from 'ava'

import * as exported from '../index.js'
import * as internal from './helpers/internal.js'
import { createQr, createQrSync, sha256, sha256Batch, sha256Iterate } from '../index.js'
import { mixedWorkload } from './helpers/workload.mjs'
import { digestOf, firstMismatch, oracleBatch } from './helpers/oracle.js'

const workerUrl = new URL('./helpers/hash-worker.mjs', import.meta.url)
const packagePath = fileURLToPath(new URL('../index.js', import.meta.url))

type WorkerMessage = { type: 'workload'; checks: number; failures: string[]; target: string } | { type: 'busy' } | { type: 'done' }

const startWorker = (workerData: Record<string, unknown>) => new Worker(workerUrl, { workerData, execArgv: [] })

/** The worker's first message and its exit code (a worker that fails rejects). */
function run(worker: Worker): { message: Promise<WorkerMessage>; exit: Promise<number> } {
  const message = new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before posting`)))
  })
  message.catch(() => {}) // awaited by the caller; this only keeps an early exit from going unhandled
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve))
  return { message, exit }
}

/** Work on the main thread, checked against node:crypto and the sync twin. */
async function mainThreadWorks(t: ExecutionContext, label: string) {
  const data = randomBytes(64 * 3000)
  t.is(firstMismatch(await sha256Batch(data), oracleBatch(data, 64)), undefined, `${label}: sha256Batch`)
  t.is(await sha256(data, { encoding: 'hex' }), digestOf(data).toString('hex'), `${label}: sha256`)
  t.is(await createQr(`main ${label}`), createQrSync(`main ${label}`), `${label}: createQr`)
}

// Serial: the tests below measure nothing, but the termination test should not share the pool.
test.serial('8 worker threads load qrhash and run every family at once with the main thread, all checked; then 8 new workers do it again', async (t) => {
  for (const round of [1, 2]) {
    const workers = Array.from({ length: 8 }, (_, i) => startWorker({ mode: 'workload', packagePath, seed: round * 100 + i, scale: 0.25 }))
    const runs = workers.map(run)
    // Meanwhile the main thread does the same.
    const main = await mixedWorkload(exported as internal.WithInternals, { seed: round, scale: 0.25 })
    t.deepEqual(main.failures, [], `round ${round}: the main thread`)
    const messages = await Promise.all(runs.map(({ message }) => message))
    messages.forEach((message, i) => {
      t.is(message.type, 'workload', `round ${round}, worker ${i}`)
      if (message.type !== 'workload') return
      t.deepEqual(message.failures, [], `round ${round}, worker ${i}`)
      t.is(message.target, internal.__napiBindingTarget, `round ${round}, worker ${i}: the same build as the main thread`)
      t.true(message.checks > 150, `round ${round}, worker ${i}: ${message.checks} checks`)
    })
    t.deepEqual(await Promise.all(runs.map(({ exit }) => exit)), Array(8).fill(0), `round ${round}: every worker exits cleanly`)
    await mainThreadWorks(t, `after round ${round}`)
  }
})

test.serial('terminating a worker with 1000 calls in flight (hash chains and data URLs) ends it with exit code 1, five times over, and the process carries on', async (t) => {
  for (let round = 1; round <= 5; round++) {
    const worker = startWorker({ mode: 'flood', packagePath, calls: 1000, rounds: 10_000 })
    const { message, exit } = run(worker)
    t.deepEqual(await message, { type: 'busy' }, `round ${round}`)
    const terminated = worker.terminate()
    t.is(await exit, 1, `round ${round}: exit code from terminate()`)
    t.is(await terminated, 1, `round ${round}: terminate() resolves to the exit code`)
    await mainThreadWorks(t, `after termination ${round}`)
  }
  // The pool still runs long work for this thread.
  let chain = digestOf('after')
  for (let i = 0; i < 5000; i++) chain = digestOf(chain)
  t.is(await sha256Iterate('after', 5000, { encoding: 'hex' }), chain.toString('hex'))
})

// ---------------------------------------------------------------------------------------------
// A process that exits with calls pending

/** The start of each child script: qrhash, and 200 long calls on the pool (not awaited). */
const prelude = `
  const q = require(process.argv[1])
  const { createHash } = require('node:crypto')
  let settled = 0
  const count = (value) => (settled++, value)
  const startLong = (rounds, mib) => {
    const big = Buffer.alloc(mib << 20, 7)
    const pending = []
    for (let i = 0; i < 200; i++) {
      const call = [
        () => q.sha256Iterate('long ' + i, rounds),
        () => q.sha256Batch(big, { onProgress: () => {} }),
        () => q.sha256(big),
        () => q.createQrBatch(Array.from({ length: 50 }, (_, k) => 'pending ' + i + ' ' + k)),
        () => q.sha256MerkleRoot(big),
      ][i % 5]
      pending.push(call().then(count))
    }
    return pending
  }
`

interface Exit {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `prelude + body` in a child process; how it ended, and how long it took (logged only). */
function runChild(t: ExecutionContext, body: string): Promise<Exit> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', prelude + body, packagePath], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status, signal) => {
      t.log(`the child ended after ${((performance.now() - started) / 1000).toFixed(1)} s`)
      resolve({ status, signal, stdout, stderr })
    })
  })
}

function exitedCleanly(t: ExecutionContext, child: Exit, label: string) {
  t.is(child.signal, null, `${label}: killed by ${child.signal}; stderr: ${child.stderr.slice(-2000)}`)
  t.is(child.status, 0, `${label}: exit code; stderr: ${child.stderr.slice(-2000)}`)
  t.notRegex(child.stderr, /abort|panicked|fatal|segmentation|core dumped/i, `${label}: stderr`)
}

test('process.exit(0) right after starting 200 long calls (1e6-round chains, 8 MiB batches, hashes and roots, QR batches) exits with code 0, no signal, no abort', async (t) => {
  const child = await runChild(t, `
    startLong(1e6, 8)
    process.stdout.write('started')
    process.exit(0)
  `)
  exitedCleanly(t, child, 'process.exit at once')
  t.is(child.stdout, 'started')
})

test('process.exit(0) inside a .then while 200 long calls are pending exits with code 0, no signal, no abort', async (t) => {
  const child = await runChild(t, `
    // First in the queue, so it settles while the others are pending.
    q.sha256('first').then((digest) => {
      process.stdout.write(digest.toString('hex') + ' ' + settled)
      process.exit(0)
    })
    startLong(1e6, 8)
  `)
  exitedCleanly(t, child, 'process.exit in .then')
  const [digest, settled] = child.stdout.split(' ')
  t.is(digest, digestOf('first').toString('hex'))
  t.true(Number(settled) < 200, `${settled} of the 200 long calls had settled`)
})

test('process.exit(0) from an onProgress callback while other calls are pending exits with code 0, no signal, no abort', async (t) => {
  const child = await runChild(t, `
    let exiting = false
    q.sha256Batch(Buffer.alloc(64 << 20), { onProgress: (done, total) => {
      if (exiting) return
      exiting = true
      process.stdout.write('progress ' + (done <= total))
      process.exit(0)
    } })
    startLong(1e6, 8)
  `)
  exitedCleanly(t, child, 'process.exit in onProgress')
  t.is(child.stdout, 'progress true')
})

test('a script that just ends with 200 calls pending exits with code 0 once they have all settled, every one right', async (t) => {
  const child = await runChild(t, `
    const pending = startLong(20000, 1)
    Promise.all(pending.filter((_, i) => i % 5 === 0)).then((chains) => {
      let expected = createHash('sha256').update('long 0').digest()
      for (let i = 0; i < 20000; i++) expected = createHash('sha256').update(expected).digest()
      process.stdout.write((chains[0].equals(expected) ? 'chain ok' : 'chain wrong') + ' ')
    })
    process.on('exit', (code) => process.stdout.write('settled ' + settled + ' code ' + code))
  `)
  exitedCleanly(t, child, 'natural end')
  t.is(child.stdout, 'chain ok settled 200 code 0')
})
