// AbortSignal for every async function that takes one (sha256, sha256Batch, sha256Many,
// sha256Iterate, sha256MerkleRoot, sha256File, create, createQr, toBuffer, toString, toFile,
// createQrBatch), at the three moments it can fire: before the call, while the call is
// pending (queued behind other work, or running), and after it settled. hash-api.spec.ts and
// errors.spec.ts already cover an already-aborted signal for the hashing functions, createQr,
// toBuffer and toString, and running hashes aborted by a timer; this file covers the rest,
// the listener qrhash adds to the signal, and what an aborted sha256Batch leaves in its output.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { getEventListeners, setMaxListeners } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test, { type ExecutionContext } from 'ava'

import {
  cancelAll,
  create,
  createQr,
  createQrBatch,
  createQrSync,
  createSync,
  getPoolShare,
  sha256,
  sha256Batch,
  sha256File,
  sha256Iterate,
  sha256Many,
  sha256MerkleRoot,
  toBuffer,
  toBufferSync,
  toFile,
  toString,
  toStringSync,
} from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'
import { MiB, checkAbortError, digestOf, firstMismatch, merkleReference, oracleBatch, rejection } from './helpers/oracle.js'

const directory = mkdtempSync(join(tmpdir(), 'qrhash-abort-'))
test.after.always(() => rmSync(directory, { recursive: true, force: true }))
let files = 0
const freshPath = (extension: string) => join(directory, `out-${files++}.${extension}`)

const thisFile = fileURLToPath(import.meta.url)
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length

/** Rejections nobody handled while `during` ran (and a little after, for late ones). */
async function unhandledDuring(during: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const spy = (reason: unknown) => void seen.push(reason)
  process.on('unhandledRejection', spy)
  try {
    await during()
    await new Promise((resolve) => setTimeout(resolve, 100))
  } finally {
    process.off('unhandledRejection', spy)
  }
  return seen
}

/**
 * One call of each of the twelve functions with `signal`, and how to check what it resolves to.
 * `after` runs once the call settled, whichever way (toFile: whether the file exists).
 */
interface Case {
  name: string
  call: (signal: AbortSignal) => Promise<unknown>
  check: (t: ExecutionContext, value: unknown) => void
  after?: (t: ExecutionContext, settled: 'resolved' | 'rejected') => void
}

function cases(): Case[] {
  const input = randomBytes(3 * MiB + 77)
  const records = input.subarray(0, 64 * 20_000)
  const pieces = [input.subarray(0, 10), input.subarray(10, 1000), input.subarray(1000)]
  const output = Buffer.alloc(20_000 * 32, 0xa5)
  const texts = Array.from({ length: 40 }, (_, i) => `abort batch ${i}`)
  const filePath = freshPath('svg')
  let chain = digestOf(input)
  for (let i = 0; i < 1000; i++) chain = digestOf(chain)
  return [
    { name: 'sha256', call: (signal) => sha256(input, { signal, encoding: 'hex' }), check: (t, v) => t.is(v, digestOf(input).toString('hex')) },
    {
      name: 'sha256Batch',
      call: (signal) => sha256Batch(records, { signal, output }),
      check: (t, v) => {
        t.is(v, output)
        t.is(firstMismatch(output, oracleBatch(records, 64)), undefined)
      },
      after: (t, settled) => {
        if (settled === 'rejected') t.true(output.every((byte) => byte === 0xa5), 'sha256Batch: a call aborted before it ran wrote nothing')
      },
    },
    {
      name: 'sha256Many',
      call: (signal) => sha256Many(pieces, { signal, encoding: 'base64' }),
      check: (t, v) => t.deepEqual(v, pieces.map((piece) => digestOf(piece).toString('base64'))),
    },
    { name: 'sha256Iterate', call: (signal) => sha256Iterate(input, 1000, { signal }), check: (t, v) => t.deepEqual(v, chain) },
    {
      name: 'sha256MerkleRoot',
      call: (signal) => sha256MerkleRoot(records, { signal, encoding: 'hex' }),
      check: (t, v) => t.is(v, merkleReference(records, 64).toString('hex')),
    },
    { name: 'sha256File', call: (signal) => sha256File(thisFile, { signal }), check: (t, v) => t.deepEqual(v, digestOf(readFileSync(thisFile))) },
    {
      name: 'create',
      call: (signal) => create('HELLO ABORT 123', { signal, errorCorrectionLevel: 'Q' }),
      check: (t, v) => t.deepEqual(v, createSync('HELLO ABORT 123', { errorCorrectionLevel: 'Q' })),
    },
    { name: 'createQr', call: (signal) => createQr('https://example.com/abort', { signal }), check: (t, v) => t.is(v, createQrSync('https://example.com/abort')) },
    {
      name: 'toBuffer',
      call: (signal) => toBuffer('abort png', { signal, scale: 3 }),
      check: (t, v) => t.deepEqual(v, toBufferSync('abort png', { scale: 3 })),
    },
    {
      name: 'toString',
      call: (signal) => toString('abort svg', { signal, type: 'svg' }),
      check: (t, v) => t.is(v, toStringSync('abort svg', { type: 'svg' })),
    },
    {
      name: 'toFile',
      call: (signal) => toFile(filePath, 'abort file', { signal }),
      check: (t, v) => {
        t.is(v, undefined)
        t.is(readFileSync(filePath, 'utf8'), toStringSync('abort file', { type: 'svg' }))
      },
      after: (t, settled) => t.is(existsSync(filePath), settled === 'resolved', `toFile: the file exists only if the call resolved (${settled})`),
    },
    {
      name: 'createQrBatch',
      call: (signal) => createQrBatch(texts, { signal }),
      check: (t, v) => t.deepEqual(v, texts.map((text) => createQrSync(text))),
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// Before the call

test('an already aborted signal: create, toFile and createQrBatch reject with an AbortError (cause: the reason) without throwing, toFile writes no file, and no listener is left', async (t) => {
  const reason = new Error('aborted before the call')
  const signal = AbortSignal.abort(reason)
  const chosen = cases().filter(({ name }) => ['create', 'toFile', 'createQrBatch'].includes(name))
  t.is(chosen.length, 3)
  for (const { name, call, after } of chosen) {
    let pending: Promise<unknown> | undefined
    t.notThrows(() => {
      pending = call(signal)
    }, name)
    checkAbortError(t, await rejection(t, pending!, name), reason, name)
    after?.(t, 'rejected')
  }
  // An empty batch too, and the default reason (a DOMException named AbortError).
  const controller = new AbortController()
  controller.abort()
  const error = await rejection(t, createQrBatch([], { signal: controller.signal }), 'createQrBatch of no texts')
  checkAbortError(t, error, controller.signal.reason, 'createQrBatch of no texts')
  t.is((controller.signal.reason as Error).name, 'AbortError')
  t.is(listeners(signal), 0)
  t.is(listeners(controller.signal), 0)
})

// ---------------------------------------------------------------------------------------------
// After the call settled

test('aborting after each of the twelve calls resolved changes nothing: each result is right, no unhandled rejection, and each call removed its listener when it settled', async (t) => {
  const all = cases()
  t.is(all.length, 12)
  const unhandled = await unhandledDuring(async () => {
    for (const { name, call, check, after } of all) {
      const controller = new AbortController()
      const pending = call(controller.signal)
      t.is(listeners(controller.signal), 1, `${name}: one listener while pending`)
      const value = await pending
      t.is(listeners(controller.signal), 0, `${name}: the listener is removed once it settled`)
      controller.abort(new Error(`${name} is already done`))
      check(t, value)
      after?.(t, 'resolved')
    }
  })
  t.deepEqual(unhandled, [])
})

test('one signal shared by all twelve calls at once, aborted after they all resolved: every result is right and no listener is left', async (t) => {
  const all = cases()
  const controller = new AbortController()
  setMaxListeners(all.length, controller.signal) // twelve listeners at once are expected here
  const unhandled = await unhandledDuring(async () => {
    const pending = all.map(({ call }) => call(controller.signal))
    t.is(listeners(controller.signal), all.length)
    const values = await Promise.all(pending)
    t.is(listeners(controller.signal), 0)
    controller.abort()
    all.forEach(({ check, after }, i) => {
      check(t, values[i])
      after?.(t, 'resolved')
    })
  })
  t.deepEqual(unhandled, [])
})

// ---------------------------------------------------------------------------------------------
// While the call is pending: queued behind other work, then running

/** The pool threads qrhash may use at once, and so the most parts a call is cut into. */
const poolShare = getPoolShare()

/**
 * Occupies every pool thread qrhash may use with a hash chain that only an abort ends, so
 * calls made now wait in qrhash's queue; `release()` aborts the chains and waits for them to go.
 */
function occupyPool(t: ExecutionContext) {
  const controller = new AbortController()
  const reason = new Error('release the pool')
  const chains = Array.from({ length: poolShare }, (_, i) => sha256Iterate(`blocker ${i}`, 2 ** 32 - 1, { signal: controller.signal }))
  return {
    async release() {
      controller.abort(reason)
      for (const [i, chain] of chains.entries()) checkAbortError(t, await rejection(t, chain, `blocker ${i}`), reason, `blocker ${i}`)
    },
  }
}

// Serial: the pool must be this test's alone while it is occupied.
test.serial('aborted while queued behind a busy pool: each of the twelve calls rejects with an AbortError (cause: its reason), writes nothing and leaves no listener', async (t) => {
  const pool = occupyPool(t)
  const all = cases()
  const controllers = all.map(() => new AbortController())
  const reasons = all.map(({ name }) => new Error(`stop ${name}`))
  const pending = all.map(({ call }, i) => call(controllers[i]!.signal))
  const outcomes = pending.map((promise) => promise.then(() => 'resolved' as const, () => 'rejected' as const))
  // Nothing can have run: every slot qrhash may use holds a chain of 2^32 - 1 rounds, and the
  // event loop, which hands a slot to the next part, does not turn before the aborts.
  controllers.forEach((controller, i) => controller.abort(reasons[i]))
  await pool.release()
  for (const [i, { name, after }] of all.entries()) {
    checkAbortError(t, await rejection(t, pending[i]!, name), reasons[i], name)
    t.is(listeners(controllers[i]!.signal), 0, `${name}: no listener left`)
    after?.(t, await outcomes[i]!)
  }
})

test.serial('aborted while running: a hash chain of 5e7 rounds rejects with an AbortError and a wrong-free pool afterwards', async (t) => {
  const controller = new AbortController()
  const reason = new Error('stop the chain')
  const pending = sha256Iterate('a long chain', 5e7, { signal: controller.signal, encoding: 'hex' })
  const timer = setTimeout(() => controller.abort(reason), 20)
  // A rejection means the chain stopped: it checks the signal only between rounds, and a
  // chain that had finished would resolve, since its listener is gone once it settles.
  checkAbortError(t, await rejection(t, pending, 'sha256Iterate 5e7 rounds'), reason, 'sha256Iterate 5e7 rounds')
  clearTimeout(timer)
  t.is(listeners(controller.signal), 0)
  let chain = digestOf('after')
  for (let i = 0; i < 3000; i++) chain = digestOf(chain)
  t.is(await sha256Iterate('after', 3000, { encoding: 'hex' }), chain.toString('hex'))
})

test.serial('aborted while running: createQrBatch of 3000 version-40 codes rejects with an AbortError', async (t) => {
  const texts = Array.from({ length: 3000 }, (_, i) => `${i}:`.padEnd(2900, String.fromCharCode(97 + (i % 26))))
  const controller = new AbortController()
  const reason = new Error('stop the batch')
  const pending = createQrBatch(texts, { signal: controller.signal, errorCorrectionLevel: 'L' })
  const timer = setTimeout(() => controller.abort(reason), 20)
  checkAbortError(t, await rejection(t, pending, 'createQrBatch 3000 × version 40'), reason, 'createQrBatch 3000 × version 40')
  clearTimeout(timer)
  t.is(listeners(controller.signal), 0)
  t.is(createSync(texts[0]!, { errorCorrectionLevel: 'L' }).version, 40, 'the codes are version 40')
})

/**
 * The output of a sha256Batch aborted while it ran: each 32-byte slot holds either the digest
 * of its record or exactly the bytes it held before. Returns how many slots were written.
 */
function checkAbortedOutput(t: ExecutionContext, input: Uint8Array, recordSize: number, output: Uint8Array, pattern: number, label: string): number {
  const slot = Buffer.alloc(32, pattern)
  let written = 0
  const wrong: number[] = []
  for (let record = 0; record < output.length / 32; record++) {
    const digest = output.subarray(record * 32, (record + 1) * 32)
    if (Buffer.compare(digest, slot) === 0) continue
    written++
    if (Buffer.compare(digest, digestOf(input.subarray(record * recordSize, (record + 1) * recordSize))) !== 0) wrong.push(record)
  }
  t.deepEqual(wrong.slice(0, 10), [], `${label}: ${wrong.length} slots hold neither their digest nor their old bytes`)
  t.true(written < output.length / 32, `${label}: not every slot was written (${written} were)`)
  return written
}

/**
 * Natively, which slots an aborted batch wrote: the records are cut into one contiguous range
 * per pool thread qrhash may use (as src/js/partition.rs `split` cuts them: ranges of at least
 * 256 KiB of input),
 * each hashed in order in steps of 256 KiB of input, the signal checked before each step. So
 * within each range the written slots are a leading run of whole steps (or the whole range).
 */
function checkNativeLayout(t: ExecutionContext, output: Uint8Array, recordSize: number, pattern: number, label: string) {
  const count = output.length / 32
  const step = Math.max(1, Math.floor((256 << 10) / recordSize))
  const parts = Math.min(Math.max(Math.floor(count / step), 1), poolShare)
  const slot = Buffer.alloc(32, pattern)
  const runs: string[] = []
  for (let part = 0; part < parts; part++) {
    const [from, to] = [Math.floor((count * part) / parts), Math.floor((count * (part + 1)) / parts)]
    let lead = from
    while (lead < to && Buffer.compare(output.subarray(lead * 32, lead * 32 + 32), slot) !== 0) lead++
    let laterWrite = -1
    for (let record = lead; record < to && laterWrite < 0; record++) {
      if (Buffer.compare(output.subarray(record * 32, record * 32 + 32), slot) !== 0) laterWrite = record
    }
    t.is(laterWrite, -1, `${label}, range ${part} [${from}, ${to}): a slot after the first unwritten one was written`)
    t.true(lead === to || (lead - from) % step === 0, `${label}, range ${part}: ${lead - from} slots written, not whole steps of ${step}`)
    runs.push(`${lead - from}/${to - from}`)
  }
  t.log(`${label}: written per range ${runs.join(', ')} (steps of ${step} records)`)
}

test.serial('aborted while running: sha256Batch of 256 MiB stops early (progress below the total); each output slot is its record’s digest or its old bytes', async (t) => {
  for (const [recordSize, label] of [
    [64, '64-byte records'],
    [4096, '4 KiB records'],
  ] as const) {
    const input = Buffer.alloc(256 * MiB, 0x61)
    const records = input.length / recordSize
    // Every record different, so a digest in the wrong slot would show.
    for (let record = 0; record < records; record++) input.writeUInt32LE(record, record * recordSize)
    const output = new Uint8Array(new SharedArrayBuffer(records * 32)).fill(0xa5)
    const controller = new AbortController()
    const reason = new Error(`stop ${label}`)
    let progress = 0
    let total = 0
    const pending = sha256Batch(input, {
      recordSize,
      output,
      signal: controller.signal,
      onProgress: (done, all) => {
        progress = done
        total = all
      },
    })
    const timer = setTimeout(() => controller.abort(reason), 20)
    checkAbortError(t, await rejection(t, pending, label), reason, label)
    clearTimeout(timer)
    t.is(listeners(controller.signal), 0)
    t.true(progress < records, `${label}: progress reached ${progress} of ${records} (reported total ${total})`)
    const written = checkAbortedOutput(t, input, recordSize, output, 0xa5, label)
    t.log(`${label} (${__napiBindingTarget}): ${written} of ${records} slots written when aborted; progress reported ${progress}`)
    if (__napiBindingTarget === 'native') checkNativeLayout(t, output, recordSize, 0xa5, label)
    else {
      // Under WASI the output is a copy in wasm memory, copied back only when the call resolves.
      t.is(written, 0, `${label}: an aborted call under WASI leaves the whole output as it was`)
    }
  }
})

test.serial('aborted while running: once an aborted sha256Batch has rejected, nothing writes to its output any more', async (t) => {
  const input = randomBytes(64 * 1_000_000)
  const output = Buffer.alloc(1_000_000 * 32, 0x5a)
  const controller = new AbortController()
  const pending = sha256Batch(input, { output, signal: controller.signal })
  const timer = setTimeout(() => controller.abort(), 5)
  const outcome = await pending.then(
    () => 'resolved' as const,
    (error: unknown) => error,
  )
  clearTimeout(timer)
  const snapshot = Buffer.from(output)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.true(snapshot.equals(output), 'the output is as it was when the promise settled')
  if (outcome === 'resolved') t.is(firstMismatch(output, oracleBatch(input, 64)), undefined, 'it finished before the abort')
  else {
    checkAbortError(t, outcome, controller.signal.reason, 'sha256Batch of 1e6 records')
    checkAbortedOutput(t, input, 64, output, 0x5a, 'sha256Batch of 1e6 records')
  }
})

// ---------------------------------------------------------------------------------------------
// cancelAll(): every call in flight in this thread, at once

test.serial('cancelAll() rejects every pending call of this thread with an AbortError and says how many; later calls are unaffected', async (t) => {
  const pending = [
    ...Array.from({ length: 8 }, (_, i) => sha256Iterate(`cancel ${i}`, 0xffffffff)),
    sha256Batch(new Uint8Array(64 * MiB)),
    createQrBatch(Array.from({ length: 500 }, (_, i) => `cancelled ${i}`)),
  ]
  t.is(cancelAll(), pending.length)
  for (const outcome of await Promise.allSettled(pending)) {
    t.is(outcome.status, 'rejected')
    if (outcome.status === 'rejected') t.is((outcome.reason as Error).name, 'AbortError')
  }
  t.is(cancelAll(), 0, 'settled calls leave the registry')
  t.deepEqual(await sha256Iterate('after', 3), digestOf(digestOf(digestOf(digestOf(Buffer.from('after'))))))
})

test.serial('cancelAll() or an abort from the final onProgress: the call rejects with an AbortError, as cancelAll() counted it', async (t) => {
  const file = join(directory, 'final-progress.bin')
  writeFileSync(file, randomBytes(4096))
  /** Each call with an onProgress option, and what it resolves to if nothing cancels it. */
  const calls: Array<[string, (onProgress: (done: number, total: number) => void, signal?: AbortSignal) => Promise<unknown>]> = [
    ['sha256Batch', (onProgress, signal) => sha256Batch(randomBytes(64 * 10), { onProgress, signal })],
    ['sha256Batch into an output', (onProgress, signal) => sha256Batch(randomBytes(64 * 10), { output: new Uint8Array(320), onProgress, signal })],
    ['sha256MerkleRoot', (onProgress, signal) => sha256MerkleRoot(randomBytes(64 * 10), { onProgress, signal })],
    ['sha256File', (onProgress, signal) => sha256File(file, { onProgress, signal })],
  ]
  for (const [label, call] of calls) {
    let counted: number | undefined
    const cancelled = await rejection(t, call((done, total) => {
      if (done === total) counted = cancelAll()
    }), `${label}, cancelAll()`)
    t.is(counted, 1, `${label}: cancelAll() counted the call`)
    checkAbortError(t, cancelled, undefined, `${label}, cancelAll()`)
    const controller = new AbortController()
    const aborted = await rejection(t, call((done, total) => {
      if (done === total) controller.abort(new Error('enough'))
    }, controller.signal), `${label}, signal`)
    checkAbortError(t, aborted, controller.signal.reason, `${label}, signal`)
  }
  t.is(cancelAll(), 0, 'settled calls leave the registry')
})

test('process.exit() with long calls pending: qrhash cancels them on the way out, so none is left for libuv to run', (t) => {
  const script = `
    const qrhash = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    for (let i = 0; i < 40; i++) qrhash.sha256Iterate('exit ' + i, 0xffffffff).catch(() => {})
    // Runs after qrhash's own exit listener: nothing is left to cancel.
    process.on('exit', () => console.log('left after exit: ' + qrhash.cancelAll()))
    setTimeout(() => process.exit(0), 20)`
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  t.is(child.signal, null, child.stderr)
  t.is(child.status, 0, child.stderr)
  t.is(child.stdout.trim(), 'left after exit: 0')
})
