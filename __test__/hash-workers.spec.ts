// Worker threads and shared memory (records that workers fill in a SharedArrayBuffer, hashed in
// place into another that they read back), qrhash loaded inside workers, other pool sizes, and
// zero copy: hashing 1 GiB in place does not grow the process.
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import test from 'ava'

import { sha256, sha256Batch, sha256Many, sha256MerkleRoot } from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'
import { GiB, MiB, digestOf, firstMismatch, merkleReference, oracleBatch, peakRssDuring } from './helpers/oracle.js'

const workerUrl = new URL('./helpers/hash-worker.mjs', import.meta.url)
const packagePath = fileURLToPath(new URL('../index.js', import.meta.url))

type WorkerMessage =
  | { type: 'filled' }
  | { type: 'checked'; matches: number }
  | { type: 'self'; asyncMatches: number; syncMatches: number; abc: string; rootMatches: boolean }
  | { type: 'busy' }
  | { type: 'done' }

/** A worker running helpers/hash-worker.mjs (plain JavaScript: no loader needed). */
const startWorker = (workerData: Record<string, unknown>) => new Worker(workerUrl, { workerData, execArgv: [] })

/** The worker's next message; rejects if it fails or exits first. */
function nextMessage(worker: Worker): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => (cleanup(), resolve(message))
    const onError = (error: Error) => (cleanup(), reject(error))
    const onExit = (code: number) => (cleanup(), reject(new Error(`the worker exited with code ${code} before posting`)))
    const cleanup = () => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}

const exitCode = (worker: Worker) => new Promise<number>((resolve) => worker.once('exit', resolve))

// ---------------------------------------------------------------------------------------------
// Zero copy (serial: they run first, alone, so nothing else in this process moves RSS)

// Natively the caller's memory is read and written where it is. The WebAssembly build
// cannot: emnapi copies every view into wasm32 memory, so these hold for native builds only.
if (__napiBindingTarget === 'native') {
  test.serial('sha256 of a filled 1 GiB SharedArrayBuffer raises RSS by less than 8 MiB (read in place)', async (t) => {
    let shared: SharedArrayBuffer | undefined = new SharedArrayBuffer(GiB)
    new Uint8Array(shared).fill(0x5a) // every page resident before RSS is read
    const expected = createHash('sha256').update(new Uint8Array(shared)).digest('hex')
    await sha256('warm up: load code, start the pool threads')
    const peakBefore = process.resourceUsage().maxRSS * 1024
    const input = shared
    const { result, before, grown } = await peakRssDuring(() => sha256(input, { encoding: 'hex' }), 1)
    const peakGrown = process.resourceUsage().maxRSS * 1024 - Math.max(before, peakBefore)
    t.is(result, expected)
    t.log(`RSS grew by ${(grown / MiB).toFixed(2)} MiB at most (peak RSS by ${(Math.max(0, peakGrown) / MiB).toFixed(2)} MiB) hashing 1 GiB`)
    t.true(grown < 8 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`)
    t.true(peakGrown < 8 * MiB, `peak RSS grew by ${(peakGrown / MiB).toFixed(1)} MiB`)
    shared = undefined
  })

  test.serial('sha256Batch of a filled 1 GiB SharedArrayBuffer into a filled 512 MiB one raises RSS by less than 8 MiB (read and written in place)', async (t) => {
    const records = GiB / 64
    let input: SharedArrayBuffer | undefined = new SharedArrayBuffer(GiB)
    const bytes = new Uint8Array(input)
    bytes.fill(0x33)
    // Make some records distinct, so a digest in the wrong slot would show.
    const view = new DataView(input)
    const marked = [0, 1, 4095, 4096, records / 2 - 1, records / 2, records - 2, records - 1, ...Array.from({ length: 200 }, () => Math.floor(Math.random() * records))]
    for (const record of marked) view.setUint32(record * 64, record + 1)
    let output: SharedArrayBuffer | undefined = new SharedArrayBuffer(records * 32)
    new Uint8Array(output).fill(0xee)
    await sha256Batch(Buffer.alloc(64)) // warm up
    const peakBefore = process.resourceUsage().maxRSS * 1024
    const target = output
    const { result, before, grown } = await peakRssDuring(() => sha256Batch(bytes, { output: target }), 1)
    const peakGrown = process.resourceUsage().maxRSS * 1024 - Math.max(before, peakBefore)
    t.is(result, target)
    t.log(`RSS grew by ${(grown / MiB).toFixed(2)} MiB at most (peak RSS by ${(Math.max(0, peakGrown) / MiB).toFixed(2)} MiB) hashing 2^24 records`)
    t.true(grown < 8 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`)
    t.true(peakGrown < 8 * MiB, `peak RSS grew by ${(peakGrown / MiB).toFixed(1)} MiB`)
    // Spot checks against node:crypto: the marked records and a plain one.
    const digests = new Uint8Array(target)
    const plain = digestOf(new Uint8Array(64).fill(0x33))
    t.is(firstMismatch(digests.subarray(2 * 32, 3 * 32), plain), undefined)
    for (const record of marked) {
      t.is(firstMismatch(digests.subarray(record * 32, (record + 1) * 32), digestOf(bytes.subarray(record * 64, (record + 1) * 64))), undefined, `record ${record}`)
    }
    input = undefined
    output = undefined
  })
}

// ---------------------------------------------------------------------------------------------
// Worker threads

test('a worker fills 2^16 records in a SharedArrayBuffer; sha256Batch on the main thread writes their digests into another; the worker checks every one in place', async (t) => {
  const records = 1 << 16
  const recordSize = 64
  const input = new SharedArrayBuffer(records * recordSize)
  const output = new SharedArrayBuffer(records * 32)
  const worker = startWorker({ mode: 'fill', input, output, records, recordSize })
  const exited = exitCode(worker)
  t.deepEqual(await nextMessage(worker), { type: 'filled' })
  const result = await sha256Batch(new Uint8Array(input), { output })
  t.is(result, output, 'resolves to the very SharedArrayBuffer given')
  // The main thread sees the worker's records and digests too.
  t.is(firstMismatch(new Uint8Array(output, 0, 32 * 100), oracleBatch(new Uint8Array(input, 0, 64 * 100), 64)), undefined)
  const checked = nextMessage(worker)
  worker.postMessage('hashed')
  t.deepEqual(await checked, { type: 'checked', matches: records }, `all ${records} digests match node:crypto in the worker`)
  t.is(await exited, 0, 'the worker exits cleanly')
})

test('four workers each fill their quarter of one SharedArrayBuffer; one sha256Batch hashes it all; each worker checks its own digests', async (t) => {
  const records = 1 << 16
  const recordSize = 100
  const input = new SharedArrayBuffer(records * recordSize)
  const output = new SharedArrayBuffer(records * 32)
  const quarter = records / 4
  const workers = [0, 1, 2, 3].map((i) => startWorker({ mode: 'fill', input, output, first: i * quarter, records: quarter, recordSize }))
  const exits = workers.map(exitCode)
  const filled = await Promise.all(workers.map(nextMessage))
  t.true(filled.every((message) => message.type === 'filled'))
  t.is(await sha256Batch(new DataView(input), { output, recordSize }), output)
  const checked = workers.map(nextMessage)
  for (const worker of workers) worker.postMessage('hashed')
  t.deepEqual(await Promise.all(checked), workers.map(() => ({ type: 'checked', matches: quarter })))
  t.deepEqual(await Promise.all(exits), [0, 0, 0, 0])
})

test('qrhash works inside worker threads: three workers load it by absolute path and hash at the same time as the main thread', async (t) => {
  const jobs = [
    { records: 1 << 12, recordSize: 64 },
    { records: 5000, recordSize: 100 },
    { records: 3333, recordSize: 55 },
  ]
  const workers = jobs.map((job) => startWorker({ mode: 'self', packagePath, ...job }))
  const exits = workers.map(exitCode)
  const messages = workers.map(nextMessage)
  // Meanwhile, on the main thread.
  const main = randomBytes(1 << 20)
  t.is(firstMismatch(await sha256Batch(main), oracleBatch(main, 64)), undefined)
  const results = await Promise.all(messages)
  results.forEach((message, i) => {
    t.deepEqual(
      message,
      { type: 'self', asyncMatches: jobs[i]!.records, syncMatches: jobs[i]!.records, abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', rootMatches: true },
      `worker ${i}: ${jobs[i]!.records} records of ${jobs[i]!.recordSize} bytes`,
    )
  })
  t.deepEqual(await Promise.all(exits), [0, 0, 0])
})

// Serial, so terminate() is not delayed by other tests until the hashes are over.
test.serial('a worker terminated while qrhash hashes its own memory on the pool exits, and the process carries on', async (t) => {
  const worker = startWorker({ mode: 'busy', packagePath, records: 1 << 22, recordSize: 64 })
  const exited = exitCode(worker)
  let finished = false
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'done') finished = true
  })
  t.deepEqual(await nextMessage(worker), { type: 'busy' })
  await worker.terminate()
  t.is(typeof (await exited), 'number')
  t.log(finished ? 'the hashes finished before terminate()' : 'terminated while the hashes ran')
  t.is(await sha256('abc', { encoding: 'hex' }), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  const data = randomBytes(64 * 5000)
  t.is(firstMismatch(await sha256Batch(data), oracleBatch(data, 64)), undefined)
})

// ---------------------------------------------------------------------------------------------
// Other pool sizes: how work is split depends on UV_THREADPOOL_SIZE

test('with UV_THREADPOOL_SIZE 1, 3 and 7, batches, Merkle roots and many inputs still equal node:crypto', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'qrhash-pool-'))
  try {
    const input = randomBytes(3 * MiB + 4321)
    const inputPath = join(directory, 'input.bin')
    writeFileSync(inputPath, input)
    // [what, recordSize, records] for batches and roots; sha256Many gets the input in pieces.
    const batches: Array<[number, number]> = [
      [1, 1_000_003],
      [64, 40_001],
      [100, 30_007],
      [1000, 3001],
    ]
    const roots: Array<[number, number]> = [
      [64, 40_001],
      [64, 8193],
      [100, 30_007],
      [70_000, 11],
      [70_000, 44],
    ]
    const pieces = [0, 1, 5, 64, 1000, MiB, 7, 0, 300_000, 2 * MiB, 3, 77_777]
    const script = `
      const { createHash } = require('node:crypto')
      const q = require(process.argv[1])
      const input = require('node:fs').readFileSync(process.argv[2])
      const [batches, roots, pieces] = JSON.parse(process.argv[3])
      const hex = (bytes) => createHash('sha256').update(bytes).digest('hex')
      ;(async () => {
        const out = { batches: [], roots: [], many: null }
        for (const [size, count] of batches) out.batches.push(hex(await q.sha256Batch(input.subarray(0, size * count), { recordSize: size })))
        for (const [size, count] of roots) out.roots.push(await q.sha256MerkleRoot(input.subarray(0, size * count), { recordSize: size, encoding: 'hex' }))
        let at = 0
        const inputs = pieces.map((length) => input.subarray(at, (at += length)))
        out.many = (await q.sha256Many(inputs, { encoding: 'hex' })).join(',')
        console.log(JSON.stringify(out))
      })()
    `
    let at = 0
    const expected = {
      batches: batches.map(([size, count]) => digestOf(oracleBatch(input.subarray(0, size * count), size)).toString('hex')),
      roots: roots.map(([size, count]) => merkleReference(input.subarray(0, size * count), size).toString('hex')),
      many: pieces.map((length) => digestOf(input.subarray(at, (at += length))).toString('hex')).join(','),
    }
    for (const threads of ['1', '3', '7']) {
      const stdout = execFileSync(process.execPath, ['-e', script, packagePath, inputPath, JSON.stringify([batches, roots, pieces])], {
        env: { ...process.env, UV_THREADPOOL_SIZE: threads },
        encoding: 'utf8',
      })
      t.deepEqual(JSON.parse(stdout), expected, `UV_THREADPOOL_SIZE=${threads}`)
    }
    // And in this process (the default pool), the same answers.
    t.deepEqual(await sha256MerkleRoot(input.subarray(0, 64 * 8193), { encoding: 'hex' }), expected.roots[1])
    let from = 0
    t.is((await sha256Many(pieces.map((length) => input.subarray(from, (from += length))), { encoding: 'hex' })).join(','), expected.many)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})
