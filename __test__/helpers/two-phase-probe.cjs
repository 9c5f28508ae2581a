// Probes for the two-phase argument reader (src/input/mod.rs): in each, the caller's own code
// (a getter on an argument, option or array element read after a buffer) transfers that buffer
// away, then either overwrites the memory it moved to or lets GC free it. The call must then
// return what it returns for an untouched copy of the bytes, or refuse with a TypeError naming
// the buffer's argument as detached: never read the moved memory, never crash.
//
//   node --expose-gc __test__/helpers/two-phase-probe.cjs <probe> <overwrite|free>
//
// prints one JSON line { outcome, detail } (outcome 'same', 'refused', 'wrong' or 'error').
// QRHASH_ADDON=<path to a .node> probes another build (such as the one before the reader).
'use strict'

const { createHash } = require('node:crypto')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { rmSync } = require('node:fs')

function loadAddon() {
  if (!process.env.QRHASH_ADDON) return require('../../binding.js')
  const module = { exports: {} }
  process.dlopen(module, process.env.QRHASH_ADDON)
  return module.exports
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest()

/** `length` bytes that differ from the 0x5a an overwrite leaves. */
function pattern(length, seed = 1) {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7) % 251
  return bytes
}

/** A buffer of its own (not a slice of Node's pool), so that transferring it moves only it. */
function own(bytes) {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length))
  copy.set(bytes)
  return copy
}

/**
 * `detach(view)` transfers `view`'s buffer away as the caller's code may, then overwrites the
 * memory it moved to (`overwrite`) or drops it, collects garbage so that it is freed, and fills
 * new allocations of its size (`free`).
 */
function makeDetach(mode) {
  const kept = []
  const state = { fired: 0 }
  const transfer = (view) => {
    state.fired++
    const moved = structuredClone(view.buffer, { transfer: [view.buffer] })
    if (mode === 'overwrite') {
      new Uint8Array(moved).fill(0x5a)
      kept.push(moved)
    }
  }
  state.detach = (view) => {
    const length = view.byteLength
    transfer(view) // returns before collecting, so that nothing here still holds the moved buffer
    if (mode === 'free') {
      if (typeof global.gc === 'function') {
        global.gc()
        global.gc()
      }
      // Freed memory is likely reused by the next allocations of its size: fill them.
      for (let i = 0; i < 4; i++) kept.push(Buffer.alloc(length, 0x5a))
    }
  }
  return state
}

/** An object whose `key` is read through a getter that first runs `effect`. */
function withGetter(object, key, value, effect) {
  Object.defineProperty(object, key, {
    enumerable: true,
    get() {
      effect()
      return value
    },
  })
  return object
}

/** An array of `first` and, at index 1, a getter that runs `effect` and gives `second`. */
function arrayWithGetter(first, second, effect) {
  const array = [first, second]
  return withGetter(array, 1, second, effect)
}

/**
 * A Float64Array of 4 elements (32 bytes) whose own `byteLength` getter runs `effect`: read by
 * qrhash before it captured the built-ins at load time, never since.
 */
function outputWithGetter(effect) {
  const output = new Float64Array(4)
  return withGetter(output, 'byteLength', 32, effect)
}

const big = 16 << 20 // freed memory of this size is unmapped, so reading it faults
const text = 'two-phase reader probe: the caller moves this buffer away'
const png = (q) => q.toBufferSync('logo', { type: 'png', margin: 0 })
const plain = (value) =>
  ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : Array.isArray(value) ? value.map(plain) : value
/** The native create()'s result (a packed symbol and its parts, see index.js) as one string. */
const decodeSymbol = (parts) => JSON.stringify(plain(parts))

// Each probe: `input` (what is transferred), the call (given `detach` to run in a getter), and
// what an untouched copy gives; `argument` is the name a refusal must carry.
const probes = {
  sha256: { argument: 'input', size: big, run: (q, input, d) => q.sha256(input, withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes) => sha256(bytes).toString('hex') },
  sha256Sync: { argument: 'input', size: big, run: (q, input, d) => q.sha256Sync(input, withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes) => sha256(bytes).toString('hex') },
  sha256Into: { argument: 'input', size: 64, unread: true, run: (q, input, d) => Buffer.from(q.sha256Into(input, outputWithGetter(() => d(input))).buffer), expect: (bytes) => sha256(bytes).toString('hex'), hex: true },
  'sha256Into (big)': { argument: 'input', size: big, unread: true, run: (q, input, d) => Buffer.from(q.sha256Into(input, outputWithGetter(() => d(input))).buffer), expect: (bytes) => sha256(bytes).toString('hex'), hex: true },
  sha256Many: { argument: 'inputs[0]', size: big, run: (q, input, d) => q.sha256Many(arrayWithGetter(input, 'x', () => d(input)), { encoding: 'hex' }), expect: (bytes) => [sha256(bytes).toString('hex'), sha256('x').toString('hex')] },
  sha256ManySync: { argument: 'inputs[0]', size: big, run: (q, input, d) => q.sha256ManySync(arrayWithGetter(input, 'x', () => d(input)), { encoding: 'hex' }), expect: (bytes) => [sha256(bytes).toString('hex'), sha256('x').toString('hex')] },
  'sha256Many (encoding)': { argument: 'inputs[0]', size: big, run: (q, input, d) => q.sha256Many([input], withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes) => [sha256(bytes).toString('hex')] },
  sha256Iterate: { argument: 'input', size: big, run: (q, input, d) => q.sha256Iterate(input, 3, withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes) => iterate(bytes, 3) },
  sha256IterateSync: { argument: 'input', size: big, run: (q, input, d) => q.sha256IterateSync(input, 3, withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes) => iterate(bytes, 3) },
  'sha256Batch (recordSize)': { argument: 'input', size: big, run: (q, input, d) => q.sha256Batch(input, withGetter({}, 'recordSize', 64, () => d(input))), expect: records, hex: true },
  'sha256BatchSync (recordSize)': { argument: 'input', size: big, run: (q, input, d) => q.sha256BatchSync(input, withGetter({}, 'recordSize', 64, () => d(input))), expect: records, hex: true },
  'sha256BatchSync (output)': { argument: 'input', size: big, run: (q, input, d) => q.sha256BatchSync(input, withGetter({}, 'output', Buffer.alloc((big / 64) * 32), () => d(input))), expect: records, hex: true },
  'sha256Batch (onProgress)': { argument: 'input', size: big, run: (q, input, d) => q.sha256Batch(input, withGetter({}, 'onProgress', () => {}, () => d(input))), expect: records, hex: true },
  'sha256BatchSync (onProgress)': { argument: 'input', size: big, run: (q, input, d) => q.sha256BatchSync(input, withGetter({}, 'onProgress', () => {}, () => d(input))), expect: records, hex: true },
  'sha256BatchSync (onProgress moves options.output)': {
    argument: 'options.output',
    size: (big / 64) * 32,
    // Here the transferred buffer is the output: the digests must land in it, or be refused.
    run: (q, output, d) => {
      const input = pattern(big)
      const options = withGetter({ output }, 'onProgress', () => {}, () => d(output))
      q.sha256BatchSync(input, options)
      return Buffer.from(output).toString('hex') === records(input) ? 'written' : 'not written'
    },
    expect: () => 'written',
  },
  'sha256MerkleRoot (onProgress)': { argument: 'input', size: big, run: (q, input, d) => q.sha256MerkleRoot(input, withGetter({ encoding: 'hex' }, 'onProgress', () => {}, () => d(input))), expect: (bytes, q) => q.sha256MerkleRootSync(bytes, { encoding: 'hex' }) },
  'sha256MerkleRootSync (encoding)': { argument: 'input', size: big, run: (q, input, d) => q.sha256MerkleRootSync(input, withGetter({}, 'encoding', 'hex', () => d(input))), expect: (bytes, q) => q.sha256MerkleRootSync(bytes, { encoding: 'hex' }) },
  'createSync (version)': { argument: 'text', size: text.length, qr: true, run: (q, input, d) => decodeSymbol(q.createSync(input, withGetter({}, 'version', 5, () => d(input)))), expect: (bytes, q) => decodeSymbol(q.createSync(bytes, { version: 5 })) },
  'createSync into scratch memory (version)': {
    argument: 'text',
    size: text.length,
    qr: true,
    run: (q, input, d) => {
      const scratch = new Uint8Array(4096)
      const parts = q.__createSyncInto(input, withGetter({}, 'version', 5, () => d(input)), scratch)
      return decodeSymbol([scratch.subarray(0, parts[0]), ...parts.slice(1)])
    },
    expect: (bytes, q) => decodeSymbol(q.createSync(bytes, { version: 5 })),
  },
  'create (maskPattern)': { argument: 'text', size: text.length, qr: true, run: async (q, input, d) => decodeSymbol(await q.create(input, withGetter({}, 'maskPattern', 2, () => d(input)))), expect: (bytes, q) => decodeSymbol(q.createSync(bytes, { maskPattern: 2 })) },
  'createQrSync (margin)': { argument: 'text', size: text.length, qr: true, run: (q, input, d) => q.createQrSync(input, withGetter({}, 'margin', 2, () => d(input))), expect: (bytes, q) => q.createQrSync(bytes, { margin: 2 }) },
  'createQr (margin)': { argument: 'text', size: text.length, qr: true, run: (q, input, d) => q.createQr(input, withGetter({}, 'margin', 2, () => d(input))), expect: (bytes, q) => q.createQrSync(bytes, { margin: 2 }) },
  'toBufferSync (logo.size)': {
    argument: 'options.logo.image',
    qr: true,
    logo: true,
    run: (q, image, d) => q.toBufferSync('x', { logo: withGetter({ image }, 'size', 0.2, () => d(image)) }).toString('hex'),
    expect: (image, q) => q.toBufferSync('x', { logo: { image, size: 0.2 } }).toString('hex'),
  },
  'toBuffer (logo.size)': {
    argument: 'options.logo.image',
    qr: true,
    logo: true,
    run: async (q, image, d) => (await q.toBuffer('x', { logo: withGetter({ image }, 'size', 0.2, () => d(image)) })).toString('hex'),
    expect: (image, q) => q.toBufferSync('x', { logo: { image, size: 0.2 } }).toString('hex'),
  },
  'toStringSync (type)': { argument: 'text', size: text.length, qr: true, run: (q, input, d) => q.toStringSync(input, withGetter({}, 'type', 'svg', () => d(input))), expect: (bytes, q) => q.toStringSync(bytes, { type: 'svg' }) },
  'toFileSync (width)': {
    argument: 'text',
    size: text.length,
    qr: true,
    run: (q, input, d) => {
      const path = join(tmpdir(), `qrhash-two-phase-${process.pid}.png`)
      try {
        q.toFileSync(path, input, withGetter({}, 'width', 200, () => d(input)))
        return require('node:fs').readFileSync(path).toString('hex')
      } finally {
        rmSync(path, { force: true })
      }
    },
    expect: (bytes, q) => q.toBufferSync(bytes, { width: 200 }).toString('hex'),
  },
  createQrBatch: { argument: 'texts[0]', size: text.length, qr: true, run: (q, input, d) => q.createQrBatch(arrayWithGetter(input, 'y', () => d(input))), expect: (bytes, q) => [q.createQrSync(bytes), q.createQrSync('y')] },
}

function iterate(bytes, rounds) {
  let digest = sha256(bytes)
  for (let i = 0; i < rounds; i++) digest = sha256(digest)
  return digest.toString('hex')
}

function records(bytes) {
  const digests = []
  for (let i = 0; i < bytes.length; i += 64) digests.push(sha256(bytes.subarray(i, i + 64)))
  return Buffer.concat(digests).toString('hex')
}

const show = (value) => (typeof value === 'string' ? value.slice(0, 80) : JSON.stringify(value).slice(0, 80))

async function runProbe(name, mode) {
  const q = loadAddon()
  const probe = probes[name]
  const original = probe.logo ? png(q) : probe.qr ? Buffer.from(text) : pattern(probe.size)
  const expected = probe.expect(Buffer.from(original), q)
  const input = own(original)
  const state = makeDetach(mode)
  let outcome
  let detail
  try {
    let result = await probe.run(q, input, state.detach)
    if (probe.hex) result = Buffer.from(result).toString('hex')
    const same = JSON.stringify(result) === JSON.stringify(expected)
    outcome = same ? 'same' : 'wrong'
    detail = same ? '' : `got ${show(result)}, expected ${show(expected)}`
  } catch (error) {
    const named = new RegExp(`^${probe.argument.replace(/[.[\]]/g, '\\$&')} must be .*got a detached ArrayBuffer`)
    outcome = error instanceof TypeError && named.test(error.message) ? 'refused' : 'error'
    detail = `${error?.constructor?.name}: ${error?.message}`
  }
  // A probe marked `unread` hides its getter where qrhash must not look at all (an output's
  // forged byteLength: its length comes from the view's internal slot); the others must run it.
  if (probe.unread ? state.fired !== 0 : state.fired === 0) {
    outcome = 'error'
    detail = probe.unread ? 'the forged getter was read' : 'the getter never ran'
  }
  process.stdout.write(`${JSON.stringify({ outcome, detail })}\n`)
}

module.exports = { probes: Object.keys(probes) }

if (require.main === module) {
  runProbe(process.argv[2], process.argv[3]).catch((error) => {
    process.stdout.write(`${JSON.stringify({ outcome: 'error', detail: String(error?.stack ?? error) })}\n`)
  })
}
