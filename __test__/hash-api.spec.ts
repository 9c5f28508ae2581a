// sha256Batch, sha256Many, sha256Iterate, sha256MerkleRoot and createSha256 against node:crypto
// (the oracle), with their progress reports, aborts and argument errors. Files are in
// hash-files.spec.ts; worker threads and memory in hash-workers.spec.ts.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import test, { type ExecutionContext } from 'ava'

import {
  createSha256,
  sha256,
  sha256Batch,
  sha256BatchSync,
  sha256File,
  sha256FileSync,
  sha256Iterate,
  sha256IterateSync,
  sha256Many,
  sha256ManySync,
  sha256MerkleRoot,
  sha256MerkleRootSync,
  sha256Sync,
  type BinaryLike,
} from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'
import {
  MiB,
  binaryViews,
  bytesOf,
  checkAbortError,
  checkProgress,
  digestOf,
  firstMismatch,
  merkleReference,
  oracleBatch,
  recordProgress,
  rejection,
} from './helpers/oracle.js'

type AnyFn = (...args: unknown[]) => unknown
const untyped = (fn: unknown) => fn as AnyFn

const encodings = ['hex', 'base64', 'base64url'] as const

/**
 * One large buffer, every page written, shared by the tests of long work: progress reports
 * mid-way, aborts. 1 GiB (2^24 records of 64 bytes) natively; 256 MiB under the WebAssembly
 * build, which hashes several times slower (so the work still lasts long enough) and copies
 * its inputs into wasm32 memory. Those tests are serial, so they run first, one at a time,
 * with the event loop free: a loop blocked by another test's oracle would deliver the abort
 * (or a report) only after the work is done.
 */
const LONG_BYTES = __napiBindingTarget === 'native' ? 1 << 30 : 1 << 28
const LONG = `${LONG_BYTES / MiB} MiB`
let long: Buffer | undefined
const longInput = () => (long ??= Buffer.alloc(LONG_BYTES, 0x61))

// ---------------------------------------------------------------------------------------------
// sha256Batch

// Both sides of the 55/56-byte padding boundary, the 64-byte block, two blocks and beyond.
const recordSizes = [1, 32, 55, 56, 63, 64, 65, 119, 120, 1000]

for (const recordSize of [...recordSizes, undefined]) {
  const size = recordSize ?? 64
  test(`sha256Batch: each ${size}-byte record's digest equals node:crypto's (recordSize ${recordSize ?? 'default'})`, async (t) => {
    // 1.1 MiB of records is enough to be split over every thread of the pool.
    for (const count of [1, 2, 3, 17, Math.ceil((1.1 * MiB) / size)]) {
      const input = randomBytes(count * size)
      const expected = oracleBatch(input, size)
      const options = recordSize === undefined ? undefined : { recordSize }
      const digests = await sha256Batch(input, options)
      t.true(Buffer.isBuffer(digests), 'a new Buffer')
      t.is(firstMismatch(digests, expected), undefined, `async, ${count} records of ${size} bytes`)
      t.is(firstMismatch(sha256BatchSync(input, options), expected), undefined, `sync, ${count} records of ${size} bytes`)
    }
  })
}

test('sha256Batch: 100 000 records of 64 bytes, spread over the pool, each equal to node:crypto', async (t) => {
  const input = randomBytes(100_000 * 64)
  const expected = oracleBatch(input, 64)
  t.is(firstMismatch(await sha256Batch(input), expected), undefined, 'async')
  t.is(firstMismatch(sha256BatchSync(input, { recordSize: 64 }), expected), undefined, 'sync')
  // Records that differ in one byte get different digests in the right slots.
  const twins = Buffer.alloc(4 * 64)
  twins[64 + 63] = 1
  twins[3 * 64] = 1
  const digests = sha256BatchSync(twins)
  t.deepEqual(digests.subarray(0, 32), digests.subarray(64, 96))
  t.notDeepEqual(digests.subarray(0, 32), digests.subarray(32, 64))
  t.is(firstMismatch(digests, oracleBatch(twins, 64)), undefined)
})

test('sha256Batch reads every input type in place: every binary view and buffer, and a string', async (t) => {
  const count = 20_000 // 1.28 MB: several parts
  const bytes = randomBytes(count * 64)
  const expected = oracleBatch(bytes, 64)
  for (const [name, input, covered] of binaryViews(bytes)) {
    t.is(covered.length, bytes.length, `${name} covers every record`)
    t.is(firstMismatch(await sha256Batch(input), expected), undefined, `async ${name}`)
    t.is(firstMismatch(sha256BatchSync(input), expected), undefined, `sync ${name}`)
  }

  // A string is hashed as its UTF-8 bytes: 64-byte records with multi-byte characters.
  const records = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(8, '0')}😀é€${'x'.repeat(47)}`)
  const text = records.join('')
  t.is(Buffer.byteLength(records[0]!), 64)
  const textExpected = oracleBatch(Buffer.from(text, 'utf8'), 64)
  t.is(firstMismatch(await sha256Batch(text), textExpected), undefined, 'async string')
  t.is(firstMismatch(sha256BatchSync(text), textExpected), undefined, 'sync string')
  // One three-byte character per record: every digest is sha256('€').
  const euros = await sha256Batch('€'.repeat(1000), { recordSize: 3 })
  t.is(euros.length, 32_000)
  t.is(firstMismatch(euros, Buffer.concat(Array.from({ length: 1000 }, () => digestOf('€')))), undefined, 'records of one character')
})

test('sha256Batch writes into options.output in place and resolves to that very object, leaving the rest untouched', async (t) => {
  const count = 20_000
  const input = randomBytes(count * 64)
  const expected = oracleBatch(input, 64)
  const length = count * 32
  const outputs = (): Array<[string, BinaryLike, Uint8Array, Uint8Array]> => {
    // [name, output, where the digests must be, every byte around them that must stay 0xee]
    const buffer = Buffer.alloc(length + 100, 0xee)
    const backing = new Uint8Array(length + 200).fill(0xee)
    const view = backing.subarray(40, 40 + length + 60)
    const shared = new SharedArrayBuffer(length + 64)
    new Uint8Array(shared).fill(0xee)
    const arrayBuffer = new ArrayBuffer(length + 8)
    new Uint8Array(arrayBuffer).fill(0xee)
    const dataBacking = new Uint8Array(length + 24).fill(0xee)
    return [
      ['Buffer', buffer, buffer.subarray(0, length), buffer.subarray(length)],
      ['Uint8Array at a non-zero offset', view, view.subarray(0, length), Buffer.concat([backing.subarray(0, 40), backing.subarray(40 + length)])],
      ['SharedArrayBuffer', shared, new Uint8Array(shared, 0, length), new Uint8Array(shared, length)],
      ['ArrayBuffer', arrayBuffer, new Uint8Array(arrayBuffer, 0, length), new Uint8Array(arrayBuffer, length)],
      ['DataView at an offset', new DataView(dataBacking.buffer, 16), dataBacking.subarray(16, 16 + length), Buffer.concat([dataBacking.subarray(0, 16), dataBacking.subarray(16 + length)])],
    ]
  }
  for (const sync of [false, true]) {
    for (const [name, output, digests, around] of outputs()) {
      const result = sync ? sha256BatchSync(input, { output }) : await sha256Batch(input, { output })
      t.is(result, output, `${sync ? 'sync' : 'async'} ${name}: returns the very output given`)
      t.is(firstMismatch(digests, expected), undefined, `${sync ? 'sync' : 'async'} ${name}: the digests`)
      t.true(around.length > 0 && around.every((byte) => byte === 0xee), `${sync ? 'sync' : 'async'} ${name}: bytes outside 32 × N untouched`)
    }
  }
  // Without an output, a new Buffer of exactly 32 × N bytes.
  const fresh = await sha256Batch(input)
  t.true(Buffer.isBuffer(fresh))
  t.is(fresh.length, length)
  // The types follow the output given.
  const shared: SharedArrayBuffer = await sha256Batch(input, { output: new SharedArrayBuffer(length) })
  t.true(shared instanceof SharedArrayBuffer)
})

test('sha256Batch: an empty input gives an empty result', async (t) => {
  for (const input of [Buffer.alloc(0), new Uint8Array(0), '', new SharedArrayBuffer(0)] as Array<BinaryLike | string>) {
    const digests = await sha256Batch(input)
    t.true(Buffer.isBuffer(digests))
    t.is(digests.length, 0)
    t.is(sha256BatchSync(input, { recordSize: 7 }).length, 0)
  }
  const output = Buffer.alloc(16, 0xee)
  t.is(await sha256Batch(Buffer.alloc(0), { output }), output)
  t.true(output.every((byte) => byte === 0xee))
})

interface ErrorCase {
  label: string
  args: unknown[]
  name: 'TypeError' | 'RangeError'
  /** The message names this argument. */
  mentions: string
  code: RegExp
}

/** Calls fn (never throwing synchronously, rejecting) and fn's Sync twin (throwing). */
async function checkRefusals(t: ExecutionContext, name: string, fn: unknown, fnSync: unknown, cases: ErrorCase[]) {
  for (const { label, args, name: errorName, mentions, code } of cases) {
    let promise: unknown
    t.notThrows(() => {
      promise = untyped(fn)(...args)
    }, `${name}, ${label}: never throws synchronously`)
    const errors: Array<[string, unknown]> = [
      [name, await (promise as Promise<unknown>).then(() => new Error('resolved'), (error: unknown) => error)],
      [`${name}Sync`, t.throws(() => untyped(fnSync)(...args))],
    ]
    for (const [which, error] of errors) {
      const { name: actualName, message, code: actualCode } = error as Error & { code?: string }
      t.is(actualName, errorName, `${which}, ${label}: ${message}`)
      t.regex(String(actualCode), code, `${which}, ${label}: code`)
      t.true(message.includes(mentions), `${which}, ${label}: "${message}" names ${mentions}`)
    }
  }
}

const outOfRange = /^ERR_OUT_OF_RANGE$/
const invalidValue = /^ERR_(INVALID_ARG_VALUE|OUT_OF_RANGE)$/
const wrongType = /^ERR_INVALID_ARG_TYPE$/

test('sha256Batch refuses bad arguments with a TypeError or RangeError naming them', async (t) => {
  const records = Buffer.alloc(128)
  await checkRefusals(t, 'sha256Batch', sha256Batch, sha256BatchSync, [
    { label: 'length not a multiple of 64', args: [Buffer.alloc(65)], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'length not a multiple of recordSize', args: [Buffer.alloc(100), { recordSize: 32 }], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'a string of 3 UTF-8 bytes in 2-byte records', args: ['€', { recordSize: 2 }], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'recordSize 0', args: [records, { recordSize: 0 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: 'recordSize 2.5', args: [records, { recordSize: 2.5 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: 'recordSize -1', args: [records, { recordSize: -1 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: 'recordSize 2**31 + 1', args: [records, { recordSize: 2 ** 31 + 1 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: 'recordSize NaN', args: [records, { recordSize: Number.NaN }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: "recordSize '64'", args: [records, { recordSize: '64' }], name: 'TypeError', mentions: 'options.recordSize', code: wrongType },
    { label: 'output too small', args: [records, { output: Buffer.alloc(63) }], name: 'RangeError', mentions: 'options.output', code: invalidValue },
    { label: 'output an empty SharedArrayBuffer', args: [records, { output: new SharedArrayBuffer(0) }], name: 'RangeError', mentions: 'options.output', code: invalidValue },
    { label: 'output a string', args: [records, { output: 'x'.repeat(64) }], name: 'TypeError', mentions: 'options.output', code: wrongType },
    { label: 'output an array', args: [records, { output: new Array(64).fill(0) }], name: 'TypeError', mentions: 'options.output', code: wrongType },
    { label: 'an unknown option', args: [records, { recordsize: 64 }], name: 'TypeError', mentions: 'options.recordsize', code: /^ERR_INVALID_ARG_VALUE$/ },
    { label: 'an encoding (a batch has none)', args: [records, { encoding: 'hex' }], name: 'TypeError', mentions: 'options.encoding', code: /^ERR_INVALID_ARG_VALUE$/ },
    { label: 'input a number', args: [64], name: 'TypeError', mentions: 'input', code: wrongType },
    { label: 'input missing', args: [], name: 'TypeError', mentions: 'input', code: wrongType },
    { label: 'options a string', args: [records, 'hex'], name: 'TypeError', mentions: 'options', code: wrongType },
    { label: 'onProgress not a function', args: [records, { onProgress: 'often' }], name: 'TypeError', mentions: 'options.onProgress', code: wrongType },
    { label: 'signal not a signal', args: [records, { signal: {} }], name: 'TypeError', mentions: 'options.signal', code: wrongType },
  ])
})

test('sha256Batch: a refused call writes nothing into options.output', async (t) => {
  const output = Buffer.alloc(64, 0xee)
  await t.throwsAsync(sha256Batch(Buffer.alloc(65), { output }), { instanceOf: RangeError })
  t.throws(() => sha256BatchSync(Buffer.alloc(128), { output, recordSize: 0 }), { instanceOf: RangeError })
  t.true(output.every((byte) => byte === 0xee))
})

// ---------------------------------------------------------------------------------------------
// onProgress

test.serial('onProgress (sha256Batch): non-decreasing done of the record count, ending with (total, total) before the promise resolves', async (t) => {
  const input = longInput()
  const total = input.length / 64
  const { result, reports, atSettle } = await recordProgress((onProgress) => sha256Batch(input, { onProgress }))
  t.log(`sha256Batch of ${total} records: ${reports.length} reports`)
  checkProgress(t, reports, atSettle, total, `sha256Batch ${LONG}`)
  t.is(result.length, total * 32)
  t.is(firstMismatch(result.subarray(0, 32 * 1000), oracleBatch(input.subarray(0, 64 * 1000), 64)), undefined)

  // Small batches too, with other record sizes, and an empty one: (0, 0).
  for (const [bytes, recordSize] of [[randomBytes(100 * 10), 10], [randomBytes(64), 64], [Buffer.alloc(0), 64]] as const) {
    const small = await recordProgress((onProgress) => sha256Batch(bytes, { recordSize, onProgress }))
    checkProgress(t, small.reports, small.atSettle, bytes.length / recordSize, `sha256Batch of ${bytes.length / recordSize} records`)
  }
})

test.serial('onProgress (sha256MerkleRoot): the leaf record count, ending with (total, total) before the promise resolves', async (t) => {
  const input = longInput()
  const total = input.length / 64
  const { result, reports, atSettle } = await recordProgress((onProgress) => sha256MerkleRoot(input, { onProgress, encoding: 'hex' }))
  t.log(`sha256MerkleRoot of ${total} leaves: ${reports.length} reports`)
  checkProgress(t, reports, atSettle, total, `sha256MerkleRoot ${LONG}`)
  t.is(typeof result, 'string')
  const small = await recordProgress((onProgress) => sha256MerkleRoot(randomBytes(300), { recordSize: 100, onProgress }))
  checkProgress(t, small.reports, small.atSettle, 3, 'sha256MerkleRoot of 3 leaves')
  t.is(small.result.length, 32)
})

test.serial('onProgress in the Sync twins: the last call is (total, total) before they return, and none comes after', async (t) => {
  const input = longInput().subarray(0, 128 * MiB)
  const total = input.length / 64
  for (const [name, run] of [
    ['sha256BatchSync', (onProgress: (done: number, total: number) => void) => sha256BatchSync(input, { onProgress })],
    ['sha256MerkleRootSync', (onProgress: (done: number, total: number) => void) => sha256MerkleRootSync(input, { onProgress })],
  ] as const) {
    const { reports, atSettle } = await recordProgress(async (onProgress) => run(onProgress))
    checkProgress(t, reports, atSettle, total, name)
  }
})

/** An onProgress that throws `error` each time it is called, counting the calls. */
function throwing(error: Error) {
  const calls = { count: 0 }
  const onProgress = () => {
    calls.count++
    throw error
  }
  return { calls, onProgress }
}

// Each is [label, the async call, its Sync twin]; the small ones throw from the final report.
const throwingCases: Array<[string, (onProgress: () => void) => Promise<unknown>, (onProgress: () => void) => unknown]> = [
  ['sha256Batch of 10 records', (onProgress) => sha256Batch(Buffer.alloc(640), { onProgress }), (onProgress) => sha256BatchSync(Buffer.alloc(640), { onProgress })],
  ['sha256Batch of no records', (onProgress) => sha256Batch('', { onProgress }), (onProgress) => sha256BatchSync('', { onProgress })],
  ['sha256MerkleRoot of 10 records', (onProgress) => sha256MerkleRoot(Buffer.alloc(640), { onProgress }), (onProgress) => sha256MerkleRootSync(Buffer.alloc(640), { onProgress })],
  ['sha256File of this file', (onProgress) => sha256File(fileURLToPath(import.meta.url), { onProgress }), (onProgress) => sha256FileSync(fileURLToPath(import.meta.url), { onProgress })],
]

for (const [label, call, callSync] of throwingCases) {
  test(`a throwing onProgress makes ${label} reject, and its Sync twin throw, with that very error`, async (t) => {
    const boom = new Error(`onProgress of ${label} failed`)
    const { calls, onProgress } = throwing(boom)
    let promise: Promise<unknown> | undefined
    t.notThrows(() => {
      promise = call(onProgress)
    })
    t.is(await rejection(t, promise!, label), boom, 'rejects with the very error thrown')
    t.true(calls.count >= 1)
    t.is(t.throws(() => callSync(onProgress)), boom, 'the Sync twin throws it')
    // Nothing is left pending: the next call works.
    t.is(await sha256('abc', { encoding: 'hex' }), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
}

test.serial('a throwing onProgress stops a long batch or Merkle root and the call rejects with that very error', async (t) => {
  for (const [label, call] of [
    [`sha256Batch ${LONG}`, (onProgress: () => void) => sha256Batch(longInput(), { onProgress })],
    [`sha256MerkleRoot ${LONG}`, (onProgress: () => void) => sha256MerkleRoot(longInput(), { onProgress })],
  ] as const) {
    const boom = new Error(`onProgress of ${label} failed`)
    const { calls, onProgress } = throwing(boom)
    t.is(await rejection(t, call(onProgress), label), boom, `${label}: rejects with the very error thrown`)
    t.log(`${label}: onProgress was called ${calls.count} time(s)`)
  }
})

test('onProgress that is not a function is a TypeError naming options.onProgress', async (t) => {
  const file = fileURLToPath(import.meta.url)
  for (const onProgress of [1, 'x', {}, null, true]) {
    for (const [name, call] of [
      ['sha256Batch', () => untyped(sha256Batch)(Buffer.alloc(64), { onProgress })],
      ['sha256MerkleRoot', () => untyped(sha256MerkleRoot)(Buffer.alloc(64), { onProgress })],
      ['sha256File', () => untyped(sha256File)(file, { onProgress })],
    ] as const) {
      const error = await rejection(t, call() as Promise<unknown>, name)
      t.is(error.name, 'TypeError', `${name}(…, { onProgress: ${JSON.stringify(onProgress)} }): ${error.message}`)
      t.true(error.message.includes('options.onProgress'), error.message)
    }
  }
  t.throws(() => untyped(sha256BatchSync)(Buffer.alloc(64), { onProgress: 1 }), { instanceOf: TypeError, message: /options\.onProgress/ })
  t.throws(() => untyped(sha256MerkleRootSync)(Buffer.alloc(64), { onProgress: 1 }), { instanceOf: TypeError, message: /options\.onProgress/ })
  t.throws(() => untyped(sha256FileSync)(file, { onProgress: 1 }), { instanceOf: TypeError, message: /options\.onProgress/ })
})

// ---------------------------------------------------------------------------------------------
// Aborting

test('an already aborted signal rejects every async hashing function with an AbortError whose cause is the reason', async (t) => {
  const controller = new AbortController()
  const reason = new Error('no longer needed')
  controller.abort(reason)
  const signal = controller.signal
  const file = fileURLToPath(import.meta.url)
  const output = Buffer.alloc(64, 0xee)
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['sha256', () => sha256('x', { signal })],
    ['sha256 of nothing', () => sha256('', { signal })],
    ['sha256Batch', () => sha256Batch(Buffer.alloc(128), { signal, output })],
    ['sha256Batch of nothing', () => sha256Batch('', { signal })],
    ['sha256Many', () => sha256Many(['a', 'b'], { signal })],
    ['sha256Many of no inputs', () => sha256Many([], { signal })],
    ['sha256Iterate', () => sha256Iterate('x', 3, { signal })],
    ['sha256Iterate, 2**32 - 1 rounds', () => sha256Iterate('x', 2 ** 32 - 1, { signal })],
    ['sha256MerkleRoot', () => sha256MerkleRoot(Buffer.alloc(128), { signal })],
    ['sha256File', () => sha256File(file, { signal })],
  ]
  for (const [label, call] of calls) {
    let promise: Promise<unknown> | undefined
    t.notThrows(() => {
      promise = call()
    }, label)
    checkAbortError(t, await rejection(t, promise!, label), reason, label)
  }
  t.true(output.every((byte) => byte === 0xee), 'an aborted batch wrote nothing')

  const syncCalls: Array<[string, () => unknown]> = [
    ['sha256Sync', () => sha256Sync('x', { signal })],
    ['sha256BatchSync', () => sha256BatchSync(Buffer.alloc(128), { signal })],
    ['sha256ManySync', () => sha256ManySync(['a'], { signal })],
    ['sha256IterateSync', () => sha256IterateSync('x', 3, { signal })],
    ['sha256MerkleRootSync', () => sha256MerkleRootSync(Buffer.alloc(128), { signal })],
    ['sha256FileSync', () => sha256FileSync(file, { signal })],
  ]
  for (const [label, call] of syncCalls) checkAbortError(t, t.throws(call), reason, label)
})

/** Starts `work` with a signal aborted 20 ms later; it must reject with an AbortError. */
async function abortMidFlight(t: ExecutionContext, label: string, work: (signal: AbortSignal) => Promise<unknown>) {
  const controller = new AbortController()
  const reason = new Error(`stop ${label}`)
  const started = performance.now()
  const pending = work(controller.signal)
  const timer = setTimeout(() => controller.abort(reason), 20)
  const error = await rejection(t, pending, label)
  clearTimeout(timer)
  t.log(`${label}: rejected ${(performance.now() - started).toFixed(0)} ms after the call (aborted at 20 ms)`)
  checkAbortError(t, error, reason, label)
}

test.serial('aborting mid-flight: a batch of 64-byte records (1 GiB natively) rejects with an AbortError', async (t) => {
  const input = longInput()
  await abortMidFlight(t, `sha256Batch ${LONG}`, (signal) => sha256Batch(input, { signal }))
  const output = new SharedArrayBuffer((input.length / 64) * 32)
  await abortMidFlight(t, `sha256Batch ${LONG} into a SharedArrayBuffer`, (signal) => sha256Batch(input, { signal, output }))
  // The same input still hashes correctly afterwards.
  const head = input.subarray(0, 64 * 4096)
  t.is(firstMismatch(await sha256Batch(head), oracleBatch(head, 64)), undefined)
})

test.serial('aborting mid-flight: a hash chain of 2**31 rounds rejects with an AbortError', async (t) => {
  await abortMidFlight(t, 'sha256Iterate 2**31 rounds', (signal) => sha256Iterate('seed', 2 ** 31, { signal }))
  await abortMidFlight(t, 'sha256Iterate 2**32 - 1 rounds', (signal) => sha256Iterate(randomBytes(1000), 2 ** 32 - 1, { signal, encoding: 'hex' }))
})

test.serial('aborting mid-flight: a large Merkle root and sha256Many reject with an AbortError', async (t) => {
  const input = longInput()
  await abortMidFlight(t, `sha256MerkleRoot ${LONG}`, (signal) => sha256MerkleRoot(input, { signal }))
  const quarter = input.length / 4
  const quarters = [0, 1, 2, 3].map((i) => input.subarray(i * quarter, (i + 1) * quarter))
  await abortMidFlight(t, `sha256Many 4 × ${quarter / MiB} MiB`, (signal) => sha256Many(quarters, { signal }))
})

// ---------------------------------------------------------------------------------------------
// sha256Many

test('sha256Many: mixed inputs of every kind and size, in order, each equal to node:crypto', async (t) => {
  const shared = new SharedArrayBuffer(1000)
  new Uint8Array(shared).set(randomBytes(1000))
  const u16 = new Uint16Array(randomBytes(2 * 777).buffer.slice(0))
  const arrayBuffer = randomBytes(4096).buffer.slice(0)
  const padded = randomBytes(5000)
  const inputs: Array<BinaryLike | string> = [
    '',
    'abc',
    'Grüße 👋🏽 日本語 🏳️‍🌈',
    '😀'.repeat(50_000),
    Buffer.alloc(0),
    randomBytes(1),
    randomBytes(55),
    randomBytes(56),
    randomBytes(64),
    randomBytes(1000),
    randomBytes(MiB),
    randomBytes(MiB - 1),
    u16,
    arrayBuffer,
    shared,
    new DataView(padded.buffer, padded.byteOffset + 7, 3000),
    padded.subarray(13, 4013),
    ...Array.from({ length: 40 }, (_, i) => randomBytes(i * 997)),
    new ArrayBuffer(0),
  ]
  const expected = inputs.map((input) => digestOf(typeof input === 'string' ? input : bytesOf(input)))
  const digests = await sha256Many(inputs)
  t.is(digests.length, inputs.length)
  digests.forEach((digest, i) => {
    t.true(Buffer.isBuffer(digest))
    t.deepEqual(digest, expected[i], `inputs[${i}]`)
  })
  t.deepEqual(sha256ManySync(inputs), expected, 'sync')
  for (const encoding of encodings) {
    const text: string[] = await sha256Many(inputs, { encoding })
    t.deepEqual(text, expected.map((digest) => digest.toString(encoding)), encoding)
    t.deepEqual(sha256ManySync(inputs, { encoding }), expected.map((digest) => digest.toString(encoding)), `sync ${encoding}`)
  }
  t.deepEqual(await sha256Many(inputs, { encoding: 'buffer' }), expected)
})

test('sha256Many: 1000 small inputs, and big ones among empty ones, keep their order', async (t) => {
  const small = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? `input ${i}` : randomBytes(i % 200)))
  const expected = small.map((input) => digestOf(input).toString('hex'))
  t.deepEqual(await sha256Many(small, { encoding: 'hex' }), expected)
  t.deepEqual(sha256ManySync(small, { encoding: 'hex' }), expected)

  // A few inputs hold nearly all the bytes: the split by bytes must still keep every input once.
  const lopsided: Buffer[] = []
  for (let i = 0; i < 300; i++) lopsided.push(i % 97 === 5 ? randomBytes(3 * MiB + i) : randomBytes(i % 2))
  const lopsidedExpected = lopsided.map((input) => digestOf(input).toString('base64'))
  t.deepEqual(await sha256Many(lopsided, { encoding: 'base64' }), lopsidedExpected)
  t.deepEqual(await sha256Many(Array.from({ length: 500 }, () => '')), Array.from({ length: 500 }, () => digestOf('')))
  t.deepEqual(await sha256Many([]), [])
  t.deepEqual(sha256ManySync([]), [])
})

test('sha256Many refuses a bad element naming inputs[i], and a non-array with a TypeError', async (t) => {
  await checkRefusals(t, 'sha256Many', sha256Many, sha256ManySync, [
    { label: 'a number among strings', args: [['a', 'b', 3]], name: 'TypeError', mentions: 'inputs[2]', code: wrongType },
    { label: 'null first', args: [[null, 'x']], name: 'TypeError', mentions: 'inputs[0]', code: wrongType },
    { label: 'an object at 5', args: [['a', 'b', 'c', 'd', Buffer.alloc(1), { length: 1 }]], name: 'TypeError', mentions: 'inputs[5]', code: wrongType },
    { label: 'a hole', args: [[Buffer.alloc(1), , 'x']], name: 'TypeError', mentions: 'inputs[1]', code: wrongType },
    { label: 'a string instead of an array', args: ['abc'], name: 'TypeError', mentions: 'inputs', code: wrongType },
    { label: 'a Buffer instead of an array', args: [Buffer.alloc(3)], name: 'TypeError', mentions: 'inputs', code: wrongType },
    { label: 'no inputs', args: [], name: 'TypeError', mentions: 'inputs', code: wrongType },
    { label: 'an unknown encoding', args: [['a'], { encoding: 'latin1' }], name: 'RangeError', mentions: 'options.encoding', code: /^ERR_INVALID_ARG_VALUE$/ },
    { label: 'an unknown option', args: [['a'], { recordSize: 64 }], name: 'TypeError', mentions: 'options.recordSize', code: /^ERR_INVALID_ARG_VALUE$/ },
  ])
})

// ---------------------------------------------------------------------------------------------
// sha256Iterate

/** d₀ = SHA-256(input), dᵢ = SHA-256(dᵢ₋₁), with node:crypto. */
function chainReference(input: Uint8Array | string, rounds: number): Buffer {
  let digest = digestOf(input)
  for (let i = 0; i < rounds; i++) digest = digestOf(digest)
  return digest
}

test('sha256Iterate: 0 rounds is sha256(input); 1, 2, 1000 and 100 000 rounds equal a node:crypto loop', async (t) => {
  for (const input of ['', 'seed', '😀 chain', randomBytes(1), randomBytes(64), randomBytes(100_000)] as Array<Buffer | string>) {
    t.deepEqual(await sha256Iterate(input, 0), digestOf(input), 'rounds 0')
    t.deepEqual(sha256IterateSync(input, 0), await sha256(input), 'rounds 0 is sha256')
    for (const rounds of [1, 2, 1000]) {
      const expected = chainReference(input, rounds)
      t.deepEqual(await sha256Iterate(input, rounds), expected, `${rounds} rounds`)
      t.deepEqual(sha256IterateSync(input, rounds), expected, `sync, ${rounds} rounds`)
    }
  }
  t.is(await sha256Iterate('seed', 100_000, { encoding: 'hex' }), chainReference('seed', 100_000).toString('hex'))
  const shared = new SharedArrayBuffer(77)
  new Uint8Array(shared).fill(9)
  t.deepEqual(await sha256Iterate(shared, 5), chainReference(new Uint8Array(shared), 5), 'a SharedArrayBuffer')
  t.deepEqual(await sha256Iterate(new DataView(shared, 7, 30), 5), chainReference(new Uint8Array(shared, 7, 30), 5), 'a DataView')
})

test('sha256Iterate returns every encoding', async (t) => {
  const expected = chainReference('abc', 10)
  for (const encoding of encodings) {
    const text: string = await sha256Iterate('abc', 10, { encoding })
    t.is(text, expected.toString(encoding))
    t.is(sha256IterateSync('abc', 10, { encoding }), expected.toString(encoding))
  }
  const buffer: Buffer = await sha256Iterate('abc', 10, { encoding: 'buffer' })
  t.deepEqual(buffer, expected)
})

test('sha256Iterate refuses bad rounds with a RangeError naming rounds, missing rounds with a TypeError', async (t) => {
  await checkRefusals(t, 'sha256Iterate', sha256Iterate, sha256IterateSync, [
    { label: 'rounds -1', args: ['x', -1], name: 'RangeError', mentions: 'rounds', code: outOfRange },
    { label: 'rounds 1.5', args: ['x', 1.5], name: 'RangeError', mentions: 'rounds', code: outOfRange },
    { label: 'rounds 2**32', args: ['x', 2 ** 32], name: 'RangeError', mentions: 'rounds', code: outOfRange },
    { label: 'rounds Infinity', args: ['x', Number.POSITIVE_INFINITY], name: 'RangeError', mentions: 'rounds', code: outOfRange },
    { label: 'rounds NaN', args: ['x', Number.NaN], name: 'RangeError', mentions: 'rounds', code: outOfRange },
    { label: 'rounds missing', args: ['x'], name: 'TypeError', mentions: 'rounds', code: wrongType },
    { label: "rounds '10'", args: ['x', '10'], name: 'TypeError', mentions: 'rounds', code: wrongType },
    { label: 'rounds 10n', args: ['x', 10n], name: 'TypeError', mentions: 'rounds', code: wrongType },
    { label: 'options in place of rounds', args: ['x', { encoding: 'hex' }], name: 'TypeError', mentions: 'rounds', code: wrongType },
    { label: 'input a number', args: [5, 5], name: 'TypeError', mentions: 'input', code: wrongType },
    { label: 'an unknown option', args: ['x', 1, { rounds: 2 }], name: 'TypeError', mentions: 'options.rounds', code: /^ERR_INVALID_ARG_VALUE$/ },
  ])
})

// ---------------------------------------------------------------------------------------------
// sha256MerkleRoot

test('sha256MerkleRoot equals the definition for 1 to 70 records of 64 and of 100 bytes', async (t) => {
  for (const recordSize of [64, 100]) {
    const bytes = randomBytes(70 * recordSize)
    for (let count = 1; count <= 70; count++) {
      const input = bytes.subarray(0, count * recordSize)
      const expected = merkleReference(input, recordSize)
      const options = recordSize === 64 ? undefined : { recordSize }
      t.deepEqual(await sha256MerkleRoot(input, options), expected, `async, ${count} records of ${recordSize} bytes`)
      t.deepEqual(sha256MerkleRootSync(input, options), expected, `sync, ${count} records of ${recordSize} bytes`)
    }
  }
  // One record's root is its own digest.
  t.deepEqual(await sha256MerkleRoot('x', { recordSize: 1 }), digestOf('x'))
})

// Counts that fill one subtree, one more than that, and spread over several pool threads.
for (const [count, recordSize] of [
  [1000, 64],
  [4096, 64],
  [4097, 64],
  [8192, 64],
  [8193, 64],
  [12_289, 64],
  [65_537, 64],
  [100_000, 64],
  [100_000, 100],
  [131_073, 32],
  [2623, 100],
  [7865, 100],
] as const) {
  test(`sha256MerkleRoot equals the definition for ${count} records of ${recordSize} bytes`, async (t) => {
    const input = randomBytes(count * recordSize)
    const expected = merkleReference(input, recordSize)
    t.deepEqual(await sha256MerkleRoot(input, { recordSize }), expected, 'async')
    t.deepEqual(sha256MerkleRootSync(input, { recordSize }), expected, 'sync')
  })
}

test('sha256MerkleRoot equals the definition for large records split into small subtrees (1 to 20 records of 70 000 bytes)', async (t) => {
  const recordSize = 70_000
  const bytes = randomBytes(20 * recordSize)
  for (let count = 1; count <= 20; count++) {
    const input = bytes.subarray(0, count * recordSize)
    const expected = merkleReference(input, recordSize)
    t.deepEqual(await sha256MerkleRoot(input, { recordSize }), expected, `async, ${count} records`)
    t.deepEqual(sha256MerkleRootSync(input, { recordSize }), expected, `sync, ${count} records`)
  }
})

test('sha256MerkleRoot: input types, strings and encodings', async (t) => {
  const bytes = randomBytes(37 * 64)
  const expected = merkleReference(bytes, 64)
  const shared = new SharedArrayBuffer(bytes.length)
  new Uint8Array(shared).set(bytes)
  for (const input of [shared, new DataView(shared), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), new Uint32Array(shared)]) {
    t.deepEqual(await sha256MerkleRoot(input), expected)
  }
  for (const encoding of encodings) {
    const text: string = await sha256MerkleRoot(bytes, { encoding })
    t.is(text, expected.toString(encoding))
    t.is(sha256MerkleRootSync(bytes, { encoding }), expected.toString(encoding))
  }
  const text = 'ab€😀'.repeat(100) // 9 UTF-8 bytes each
  t.deepEqual(await sha256MerkleRoot(text, { recordSize: 9 }), merkleReference(Buffer.from(text), 9))
})

test('sha256MerkleRoot refuses an empty input, a partial record and a bad recordSize', async (t) => {
  await checkRefusals(t, 'sha256MerkleRoot', sha256MerkleRoot, sha256MerkleRootSync, [
    { label: 'an empty Buffer', args: [Buffer.alloc(0)], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'an empty string', args: ['', { recordSize: 1 }], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'a partial record', args: [Buffer.alloc(130)], name: 'RangeError', mentions: 'input', code: invalidValue },
    { label: 'recordSize 0', args: [Buffer.alloc(64), { recordSize: 0 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: 'recordSize 2**31 + 1', args: [Buffer.alloc(64), { recordSize: 2 ** 31 + 1 }], name: 'RangeError', mentions: 'options.recordSize', code: outOfRange },
    { label: "recordSize '64'", args: [Buffer.alloc(64), { recordSize: '64' }], name: 'TypeError', mentions: 'options.recordSize', code: wrongType },
    { label: 'an output (a root has none)', args: [Buffer.alloc(64), { output: Buffer.alloc(32) }], name: 'TypeError', mentions: 'options.output', code: /^ERR_INVALID_ARG_VALUE$/ },
  ])
})

// ---------------------------------------------------------------------------------------------
// createSha256

test('createSha256: chained update() with strings and buffers equals node:crypto', (t) => {
  const parts: Array<string | Uint8Array> = ['abc', '', 'Grüße 😀', randomBytes(1), randomBytes(63), randomBytes(64), randomBytes(65), randomBytes(100_000), 'x'.repeat(70_000)]
  const hasher = createSha256()
  const oracle = createHash('sha256')
  for (const part of parts) {
    t.is(hasher.update(part), hasher, 'update returns the hasher')
    oracle.update(part)
  }
  t.deepEqual(hasher.digest(), oracle.digest())
  t.deepEqual(
    createSha256().update('a').update(new Uint16Array([0x6362])).update(new DataView(Uint8Array.of(0x64).buffer)).digest('hex'),
    createHash('sha256').update('abcd').digest('hex'),
    'views of other types are read as their bytes',
  )
  t.is(createSha256().digest('hex'), digestOf('').toString('hex'), 'nothing added: the empty digest')
})

test('createSha256: await pipeline(Readable.from(chunks), hasher) equals node:crypto, for small chunks and chunks of 64 KiB or more', async (t) => {
  const sizes = [1, 100, 65_535, 65_536, 65_537, 1000, 3 * MiB, 7, 200_000, 0, 64, 500_000]
  const chunks: Buffer[] = sizes.map((size) => randomBytes(size))
  let total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  while (total < 5 * MiB) {
    const size = total % 3 === 0 ? 64 * 1024 + (total % 1000) : 1 + (total % 5000)
    chunks.push(randomBytes(size))
    total += size
  }
  const oracle = createHash('sha256')
  for (const chunk of chunks) oracle.update(chunk)
  const expected = oracle.digest('hex')

  const hasher = createSha256()
  await pipeline(Readable.from(chunks), hasher)
  t.is(hasher.digest('hex'), expected, `${chunks.length} chunks, ${total} bytes`)

  // The same bytes as one 5 MiB chunk, and as many 1-byte-misaligned chunks.
  const whole = Buffer.concat(chunks)
  const single = createSha256()
  await pipeline(Readable.from([whole]), single)
  t.is(single.digest('hex'), expected, 'one chunk')
  const sliced: Buffer[] = []
  for (let at = 0; at < whole.length; at += 70_001) sliced.push(whole.subarray(at, at + 70_001))
  const many = createSha256()
  await pipeline(Readable.from(sliced), many)
  t.is(many.digest('hex'), expected, 'chunks of 70 001 bytes')

  // Mixed with update() before the stream.
  const mixed = createSha256().update('prefix')
  await pipeline(Readable.from(chunks), mixed)
  t.is(mixed.digest('base64'), createHash('sha256').update('prefix').update(whole).digest('base64'))
})

test('createSha256: digest twice, or update after digest, is an Error with code ERR_CRYPTO_HASH_FINALIZED', (t) => {
  const hasher = createSha256().update('abc')
  t.is(hasher.digest('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  const twice = t.throws(() => hasher.digest()) as Error & { code?: string }
  t.is(twice.code, 'ERR_CRYPTO_HASH_FINALIZED')
  t.true(twice instanceof Error)
  const again = t.throws(() => hasher.digest('hex')) as Error & { code?: string }
  t.is(again.code, 'ERR_CRYPTO_HASH_FINALIZED')
  const update = t.throws(() => hasher.update('more')) as Error & { code?: string }
  t.is(update.code, 'ERR_CRYPTO_HASH_FINALIZED')
  t.throws(() => hasher.update(Buffer.alloc(1)), { code: 'ERR_CRYPTO_HASH_FINALIZED' })
})

test('createSha256: digest in every encoding; bad data and encodings are refused', (t) => {
  const data = randomBytes(1234)
  const expected = digestOf(data)
  const buffer = createSha256().update(data).digest()
  t.true(Buffer.isBuffer(buffer))
  t.deepEqual(buffer, expected)
  t.deepEqual(createSha256().update(data).digest('buffer'), expected)
  for (const encoding of encodings) t.is(createSha256().update(data).digest(encoding), expected.toString(encoding), encoding)
  t.throws(() => untyped(createSha256().update.bind(createSha256()))(42), { instanceOf: TypeError })
  t.throws(() => untyped(createSha256().digest.bind(createSha256()))('latin1'), { instanceOf: RangeError })
})

test('createSha256 is a Writable: write() and end() then digest() equals node:crypto', async (t) => {
  const hasher = createSha256()
  const big = randomBytes(300_000)
  hasher.write('start ')
  hasher.write(big)
  hasher.write(Buffer.from(' end'))
  await new Promise<void>((resolve, reject) => hasher.end((error?: Error | null) => (error ? reject(error) : resolve())))
  t.deepEqual(hasher.digest(), createHash('sha256').update('start ').update(big).update(' end').digest())
})

test('createSha256: digest() right after write() covers what was written, as node:crypto\'s Hash does, even while the pool is busy', async (t) => {
  // index.d.ts: "The digest of everything added or written". node:crypto's Hash (also a stream)
  // includes a chunk as soon as write() returns. The pool is kept busy meanwhile, as in a server
  // under load, so a chunk handed to the pool cannot be hashed before digest() is called.
  const busy = Buffer.alloc(128 * MiB, 1)
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4
  for (const size of [1000, 64 * 1024 - 1, 64 * 1024, 1 << 20]) {
    const load = Promise.all(Array.from({ length: threads }, () => sha256(busy)))
    const chunk = randomBytes(size)
    const expected = createHash('sha256').update('head').update(chunk).digest('hex')
    const oracle = createHash('sha256')
    oracle.write('head')
    oracle.write(chunk)
    t.is(oracle.digest('hex'), expected, `node:crypto, ${size}-byte chunk`)
    const hasher = createSha256()
    const errors: unknown[] = []
    hasher.on('error', (error) => errors.push(error))
    hasher.write('head')
    hasher.write(chunk)
    t.is(hasher.digest('hex'), expected, `qrhash, ${size}-byte chunk written just before digest()`)
    await load
    await new Promise((resolve) => setTimeout(resolve, 20))
    t.deepEqual(errors, [], `qrhash, ${size}-byte chunk: no stream error after digest()`)
  }
})

test("the encoding alone as the options argument, as crypto.hash users write it: sha256(data, 'hex')", async (t) => {
  const data = 'encoding as the second argument'
  const hex = createHash('sha256').update(data).digest('hex')
  const base64 = createHash('sha256').update(data).digest('base64')
  // The result types follow the encoding string, as they follow options.encoding.
  const typed: string = await sha256(data, 'hex')
  t.is(typed, hex)
  t.is(sha256Sync(data, 'base64'), base64)
  t.deepEqual(sha256Sync(data, 'buffer'), createHash('sha256').update(data).digest())
  t.deepEqual(await sha256Many([data, data], 'hex'), [hex, hex])
  t.deepEqual(sha256ManySync([data], 'base64'), [base64])
  const chained = createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex')
  t.is(await sha256Iterate(data, 1, 'hex'), chained)
  t.is(sha256IterateSync(data, 1, 'hex'), chained)
  const record = Buffer.alloc(64, 7)
  t.is(await sha256MerkleRoot(record, 'hex'), createHash('sha256').update(record).digest('hex'))
  t.is(sha256MerkleRootSync(record, 'hex'), createHash('sha256').update(record).digest('hex'))
  const file = fileURLToPath(new URL('../package.json', import.meta.url))
  const fileHex = createHash('sha256').update(readFileSync(file)).digest('hex')
  t.is(await sha256File(file, 'hex'), fileHex)
  t.is(sha256FileSync(file, 'hex'), fileHex)
  // A wrong one names the argument and the encodings; a function without an encoding refuses a string.
  t.throws(() => sha256Sync(data, 'hx' as 'hex'), { instanceOf: RangeError, code: 'ERR_INVALID_ARG_VALUE', message: "options must be 'buffer', 'hex', 'base64' or 'base64url', got the string 'hx'" })
  await t.throwsAsync(sha256(data, 'utf8' as 'hex'), { instanceOf: RangeError, message: /^options must be 'buffer', 'hex'/ })
  t.throws(() => sha256BatchSync(Buffer.alloc(64), 'hex' as never), { instanceOf: TypeError, message: "options must be an object, got the string 'hex'" })
})
