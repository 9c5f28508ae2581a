// Leak check: a million mixed calls of every function family, then does the process hold more
// memory than after the first tenth of them?
//
//   node --expose-gc scripts/leak-check.mjs [calls] [--inject-leak bytes]
//
// (calls: 1 000 000 by default; --inject-leak keeps a Buffer of that many bytes per call, so a
// test can show that the check catches a leak.)
//
// The calls: sync and async, of every hashing function and every QR function (create,
// createQr, toBuffer, toString as SVG, toFile, createQrBatch, and their sync twins), with
// every input type (string, Buffer, Uint8Array, DataView, ArrayBuffer, SharedArrayBuffer,
// Float64Array); calls aborted before they start and while they are pending; calls rejected or
// thrown for bad input. Most are cheap (sha256Sync of small inputs), so a million take well
// under a minute natively; every kind is in every block of 1000. At most 256 async calls are
// in flight at once. Results are checked against node:crypto and the sync twins as they come,
// and every rejection must be the expected error: anything else is a failure.
//
// RSS and process.memoryUsage().external are measured after a warm-up (the first 10 % of the
// calls) and at the end, each time with nothing in flight and after gc(). When either grew by
// 20 MiB or more, calls / 2 more are made and the growth measured again from there: a leak
// grows by 10 MiB more, malloc keeping a few megabytes once does not. Prints one line of JSON,
// { calls, seconds, rssGrowthMiB, externalGrowthMiB, confirmation, leaked, ... }, and exits 1
// when it leaked or when any result was wrong.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { setFlagsFromString } from 'node:v8'

import * as exported from '../index.js'

/** The package, with its internals (`Sha256Hasher`, `__napiBindingTarget`) typed. */
const qrhash = /** @type {import('../__test__/helpers/internal.js').WithInternals} */ (exported)

// V8 grows its young generation (up to 2 × 16 MiB of semi-spaces) under a high allocation
// rate and never gives it back: 20–30 MiB of RSS that is no leak. Growth factor 1 keeps it at
// its initial size, so what grows is what is retained (old generation, external memory, the
// addon's own allocations). V8 reads this flag each time it would grow the space.
setFlagsFromString('--semi-space-growth-factor=1')

const [callsArgument = '1000000', ...options] = process.argv.slice(2)
const calls = Number(callsArgument)
const injectedLeakBytes = options[0] === '--inject-leak' ? Number(options[1]) : 0
if (!Number.isSafeInteger(calls) || calls < 1000 || !Number.isSafeInteger(injectedLeakBytes) || injectedLeakBytes < 0) {
  console.error(`usage: node --expose-gc scripts/leak-check.mjs [calls ≥ 1000] [--inject-leak bytes], not ${process.argv.slice(2).join(' ')}`)
  process.exit(2)
}
/** What --inject-leak keeps. */
const injected = /** @type {Buffer[]} */ ([])
const collect = globalThis.gc
if (!collect) {
  console.error('run with node --expose-gc')
  process.exit(2)
}

const MAX_IN_FLIGHT = 256
const LIMIT_MIB = 20
const MiB = 1 << 20

/** @param {import('node:crypto').BinaryLike} data */
const hex = (data) => createHash('sha256').update(data).digest('hex')

// ---------------------------------------------------------------------------------------------
// Inputs of every type, made once (plus a string per call)

const seed = Buffer.from('qrhash leak check: 48 bytes of input, reused....')
const shared = new SharedArrayBuffer(48)
new Uint8Array(shared).set(seed)
const arrayBuffer = seed.buffer.slice(seed.byteOffset, seed.byteOffset + seed.byteLength)
/** @type {Array<[string, import('../index.js').BinaryLike]>} */
const views = [
  ['Buffer', Buffer.from(seed)],
  ['Uint8Array', new Uint8Array(seed)],
  ['DataView', new DataView(arrayBuffer.slice(0))],
  ['ArrayBuffer', arrayBuffer],
  ['SharedArrayBuffer', shared],
  ['Float64Array', new Float64Array(arrayBuffer.slice(0))],
]
const seedHex = hex(seed)
const records = Buffer.alloc(64 * 64, 0x42)
for (let i = 0; i < 64; i++) records.writeUInt32LE(i, i * 64)
const recordsHex = hex(Buffer.concat(Array.from({ length: 64 }, (_, i) => createHash('sha256').update(records.subarray(i * 64, i * 64 + 64)).digest())))
const batchOutput = new SharedArrayBuffer(64 * 32)
const into = Buffer.alloc(32)
const directory = mkdtempSync(join(tmpdir(), 'qrhash-leak-'))
const filePath = join(directory, 'input.bin')
writeFileSync(filePath, seed)
const qrPath = join(directory, 'code.svg')
const aborted = AbortSignal.abort(new Error('aborted before the call'))

// ---------------------------------------------------------------------------------------------
// Bookkeeping

/** @type {string[]} */
const failures = []
/** @param {string} what */
const fail = (what) => void (failures.length < 20 && failures.push(what))
/** @param {boolean} ok @param {string} what */
const expect = (ok, what) => void (ok || fail(what))

let inFlight = 0
/** @type {(() => void) | undefined} */
let wake
/**
 * Tracks an async call: `verify` checks its value; a rejection must satisfy `rejects` (an
 * unexpected rejection is a failure).
 * @template T
 * @param {Promise<T>} promise
 * @param {(value: T) => void} verify
 * @param {(error: any) => boolean} [rejects]
 * @param {string} [what]
 */
function track(promise, verify, rejects = () => false, what = 'call') {
  inFlight++
  promise
    .then(verify, (error) => expect(rejects(error), `${what}: unexpected rejection ${error && error.stack}`))
    .catch((error) => fail(`${what}: check threw ${error && error.stack}`))
    .finally(() => {
      inFlight--
      const waiting = wake
      wake = undefined
      waiting?.()
    })
}
/** Waits until fewer than `limit` calls are in flight. */
async function room(limit = MAX_IN_FLIGHT) {
  while (inFlight >= limit) await new Promise((resolve) => (wake = () => resolve(undefined)))
}

/** @param {any} error @param {string} name @param {string} [code] */
const isError = (error, name, code) => error instanceof Error && error.name === name && (code === undefined || /** @type {any} */ (error).code === code)
/** @param {any} error */
const isAbort = (error) => isError(error, 'AbortError', 'ERR_ABORTED')
/** @param {() => unknown} call @param {(error: any) => boolean} matches @param {string} what */
function throwsSync(call, matches, what) {
  try {
    call()
    fail(`${what}: did not throw`)
  } catch (error) {
    expect(matches(error), `${what}: threw ${error}`)
  }
}

// ---------------------------------------------------------------------------------------------
// The operations. Each performs one call (a hasher's update and digest count as one).

/** @typedef {(i: number) => void} Op */

/** sha256Sync / sha256Into / hasher of small inputs, rotating every input type. */
/** @type {Op} */
function cheapSync(i) {
  const kind = i % 9
  if (kind < 6) {
    const [name, view] = /** @type {[string, import('../index.js').BinaryLike]} */ (views[kind])
    const digest = qrhash.sha256Sync(view)
    if (i % 97 === 0) expect(digest.toString('hex') === seedHex, `sha256Sync of a ${name}`)
  } else if (kind === 6) {
    const text = `message ${i}`
    const digest = qrhash.sha256Sync(text, { encoding: 'hex' })
    if (i % 97 === 0) expect(digest === hex(text), 'sha256Sync of a string, hex')
  } else if (kind === 7) {
    qrhash.sha256Into(seed, into)
    if (i % 97 === 0) expect(into.toString('hex') === seedHex, 'sha256Into')
  } else {
    const hasher = new qrhash.Sha256Hasher()
    hasher.update(/** @type {import('../index.js').BinaryLike} */ (views[(i >> 3) % 6]?.[1]))
    expect(hasher.digest('hex') === seedHex, 'Sha256Hasher')
  }
}

/** The other sync hashing functions, and sync calls that throw. */
/** @type {Op} */
function otherSync(i) {
  switch (i % 8) {
    case 0:
      expect(qrhash.sha256ManySync(['a', seed, shared], { encoding: 'hex' })[1] === seedHex, 'sha256ManySync')
      break
    case 1:
      expect(qrhash.sha256BatchSync(records, { output: batchOutput }) === batchOutput, 'sha256BatchSync')
      break
    case 2:
      qrhash.sha256IterateSync(seed, 16)
      break
    case 3:
      expect(hex(qrhash.sha256BatchSync(records)) === recordsHex, 'sha256BatchSync, fresh output')
      break
    case 4:
      qrhash.sha256MerkleRootSync(records, { encoding: 'base64' })
      break
    case 5:
      throwsSync(() => qrhash.sha256Sync(/** @type {any} */ (42)), (error) => isError(error, 'TypeError', 'ERR_INVALID_ARG_TYPE'), 'sha256Sync(42)')
      break
    case 6:
      throwsSync(() => qrhash.sha256Sync('x', { signal: aborted }), isAbort, 'sha256Sync with an aborted signal')
      break
    default:
      expect(qrhash.sha256FileSync(filePath, { encoding: 'hex' }) === seedHex, 'sha256FileSync')
  }
}

/** The sync QR functions, and ones that throw. */
/** @type {Op} */
function qrSync(i) {
  const text = `https://example.com/sync/${i}`
  switch (i % 6) {
    case 0:
      expect(qrhash.createSync(text).size === 29, 'createSync')
      break
    case 1:
      expect(qrhash.createQrSync(text).startsWith('data:image/png;base64,'), 'createQrSync')
      break
    case 2:
      expect(qrhash.toBufferSync(new Uint8Array(Buffer.from(text)), { scale: 2 }).readUInt32BE(12) === 0x49484452, 'toBufferSync')
      break
    case 3:
      expect(qrhash.toStringSync(text, { type: 'svg' }).startsWith('<svg'), 'toStringSync svg')
      break
    case 4:
      throwsSync(() => qrhash.createQrSync(''), (error) => isError(error, 'RangeError'), "createQrSync('')")
      break
    default:
      throwsSync(() => qrhash.toStringSync(text, /** @type {any} */ ({ scale: 2.5 })), (error) => isError(error, 'RangeError', 'ERR_OUT_OF_RANGE'), 'toStringSync, scale 2.5')
  }
}

/** Async hashing of every kind and input type. */
/** @type {Op} */
function hashAsync(i) {
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const [name, view] = /** @type {[string, import('../index.js').BinaryLike]} */ (views[(i >> 2) % 6])
      track(qrhash.sha256(view, { encoding: 'hex' }), (digest) => expect(digest === seedHex, `sha256 of a ${name}`))
      break
    }
    case 4: {
      const text = `async ${i}`
      track(qrhash.sha256(text), (digest) => i % 31 === 0 && expect(digest.toString('hex') === hex(text), 'sha256 of a string'))
      break
    }
    case 5:
      track(qrhash.sha256Many([seed, `many ${i}`, views[4]?.[1] ?? shared]), (digests) => expect(digests.length === 3 && digests[0]?.toString('hex') === seedHex, 'sha256Many'))
      break
    case 6:
      track(qrhash.sha256Batch(records), (digests) => i % 31 === 0 && expect(hex(digests) === recordsHex, 'sha256Batch'))
      break
    case 7:
      track(qrhash.sha256Batch(new DataView(records.buffer, records.byteOffset, records.length), { output: new Float64Array(64 * 4) }), (output) =>
        expect(output.length === 256, 'sha256Batch into a Float64Array'),
      )
      break
    case 8:
      track(qrhash.sha256Iterate(`chain ${i}`, 64, { encoding: 'base64url' }), (digest) => expect(digest.length === 43, 'sha256Iterate'))
      break
    default:
      track(qrhash.sha256MerkleRoot(records), (root) => expect(root.length === 32, 'sha256MerkleRoot'))
  }
}

/** Async QR codes of every kind. */
/** @type {Op} */
function qrAsync(i) {
  const text = `https://example.com/async/${i}`
  switch (i % 5) {
    case 0:
      track(qrhash.create(text), (symbol) => expect(symbol.segments.map((segment) => segment.data).join('') === text, 'create'))
      break
    case 1:
      track(qrhash.createQr(text), (url) => i % 11 === 1 && expect(url === qrhash.createQrSync(text), 'createQr'))
      break
    case 2:
      track(qrhash.toBuffer(Buffer.from(text)), (png) => expect(png.readUInt32BE(12) === 0x49484452, 'toBuffer'))
      break
    case 3:
      track(qrhash.toString(text, { type: 'svg' }), (svg) => expect(svg.startsWith('<svg'), 'toString svg'))
      break
    default:
      track(qrhash.createQrBatch([text, `${text}/2`]), (urls) => expect(urls.length === 2, 'createQrBatch'))
  }
}

/** Aborted async calls: before the call, and right after it (rejected or resolved, never else). */
/** @type {Op} */
function abortedAsync(i) {
  const before = i % 2 === 0
  const controller = new AbortController()
  const signal = before ? aborted : controller.signal
  const calls = [
    () => qrhash.sha256(seed, { signal }),
    () => qrhash.sha256Batch(records, { signal }),
    () => qrhash.sha256Many([seed], { signal }),
    () => qrhash.sha256Iterate(seed, 1000, { signal }),
    () => qrhash.sha256MerkleRoot(records, { signal }),
    () => qrhash.create('abort', { signal }),
    () => qrhash.createQr('abort', { signal }),
    () => qrhash.toString('abort', { signal, type: 'svg' }),
  ]
  const call = /** @type {() => Promise<unknown>} */ (calls[(i >> 1) % calls.length])
  track(
    call(),
    () => expect(!before, 'a call with an aborted signal resolved'),
    isAbort,
    'aborted call',
  )
  if (!before) controller.abort()
}

/** Async calls that reject for bad input. */
/** @type {Op} */
function rejectedAsync(i) {
  /** @type {Array<[() => Promise<unknown>, (error: any) => boolean]>} */
  const calls = [
    [() => qrhash.sha256(/** @type {any} */ (42)), (error) => isError(error, 'TypeError', 'ERR_INVALID_ARG_TYPE')],
    [() => qrhash.createQr(''), (error) => isError(error, 'RangeError')],
    [() => qrhash.sha256Batch(records, { recordSize: 0 }), (error) => isError(error, 'RangeError', 'ERR_OUT_OF_RANGE')],
    [() => qrhash.toBuffer('x', /** @type {any} */ ({ widht: 3 })), (error) => isError(error, 'TypeError')],
    [() => qrhash.sha256File(join(directory, 'missing')), (error) => error instanceof Error && /** @type {any} */ (error).code === 'ENOENT'],
    [() => qrhash.create('x'.repeat(3000)), (error) => isError(error, 'RangeError', 'ERR_QR_DATA_TOO_LONG')],
  ]
  const [call, matches] = /** @type {[() => Promise<unknown>, (error: any) => boolean]} */ (calls[i % calls.length])
  track(call(), () => fail('a call with bad input resolved'), matches, 'rejected call')
}

/** Files, and the streaming hasher. */
/** @type {Op} */
function fileAsync(i) {
  switch (i % 4) {
    case 0:
      track(qrhash.sha256File(filePath, { encoding: 'hex' }), (digest) => expect(digest === seedHex, 'sha256File'))
      break
    case 1:
      track(qrhash.toFile(qrPath, `file ${i}`), (value) => expect(value === undefined, 'toFile'))
      break
    case 2: {
      const hasher = qrhash.createSha256()
      hasher.update(seed)
      expect(hasher.digest('hex') === seedHex, 'createSha256')
      break
    }
    default: {
      const hasher = new qrhash.Sha256Hasher()
      track(hasher.updateAsync(views[(i >> 2) % 6]?.[1] ?? seed), () => expect(hasher.digest('hex') === seedHex, 'Sha256Hasher.updateAsync'))
    }
  }
}

// One block of 1000 calls: the mix, spread out.
/** @type {Array<[Op, number]>} */
const mix = [
  [cheapSync, 760],
  [otherSync, 40],
  [qrSync, 24],
  [hashAsync, 100],
  [qrAsync, 30],
  [abortedAsync, 24],
  [rejectedAsync, 14],
  [fileAsync, 8],
]
/** @type {Op[]} */
const block = []
for (const [op, count] of mix) for (let k = 0; k < count; k++) block.push(op)
if (block.length !== 1000) throw new Error(`the block has ${block.length} calls`)
// Interleave deterministically, so async calls are spread through each block.
for (let k = block.length - 1; k > 0; k--) {
  const j = (k * 7919) % (k + 1)
  ;[block[k], block[j]] = [/** @type {Op} */ (block[j]), /** @type {Op} */ (block[k])]
}

// ---------------------------------------------------------------------------------------------
// Run

/** Memory with nothing in flight, after collecting garbage (and letting finalizers run). */
async function settledMemory() {
  await room(1)
  for (let round = 0; round < 4; round++) {
    /** @type {() => void} */ (collect)()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const { rss, external } = process.memoryUsage()
  return { rss, external }
}

/**
 * Runs calls `from` ≤ i < `to` of the mix.
 * @param {number} from
 * @param {number} to
 */
async function run(from, to) {
  for (let i = from; i < to; i++) {
    const op = /** @type {Op} */ (block[i % 1000])
    op(i)
    if (injectedLeakBytes > 0) injected.push(Buffer.alloc(injectedLeakBytes, i))
    if (inFlight >= MAX_IN_FLIGHT) await room()
    else if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
  }
}

const MiBs = (/** @type {number} */ bytes) => Math.round((bytes / MiB) * 100) / 100
const grew = (/** @type {{ rss: number, external: number }} */ from, /** @type {{ rss: number, external: number }} */ to) => ({
  rss: MiBs(to.rss - from.rss),
  external: MiBs(to.external - from.external),
})

const warmUp = Math.floor(calls / 10)
const started = performance.now()
await run(0, warmUp)
const baseline = await settledMemory()
await run(warmUp, calls)
const end = await settledMemory()
const growth = grew(baseline, end)
// A leak grows with the calls; malloc keeping a few freed megabytes in one of its per-thread
// arenas happens once. So growth past the limit is measured again over half as many calls,
// from where it got to: a leak of at least the limit per call count grows by half the limit
// again there, a one-off step does not.
/** @type {{ rss: number, external: number } | undefined} */
let confirmation
if (growth.rss >= LIMIT_MIB || growth.external >= LIMIT_MIB) {
  await run(calls, calls + Math.floor(calls / 2))
  confirmation = grew(end, await settledMemory())
}
const seconds = (performance.now() - started) / 1000
rmSync(directory, { recursive: true, force: true })

const leaked =
  confirmation !== undefined && (confirmation.rss >= LIMIT_MIB / 2 || confirmation.external >= LIMIT_MIB / 2)
const summary = {
  calls,
  seconds: Math.round(seconds * 100) / 100,
  rssGrowthMiB: growth.rss,
  externalGrowthMiB: growth.external,
  // Set when the growth was past the limit: the growth over a further calls / 2.
  confirmation,
  leaked,
  rssMiB: MiBs(end.rss),
  target: qrhash.__napiBindingTarget,
  failures,
}
console.log(JSON.stringify(summary))
process.exitCode = !leaked && failures.length === 0 ? 0 : 1
