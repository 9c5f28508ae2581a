// Probes for how qrhash decides what a binary argument is (src/input/intrinsics.rs): each one
// forges what JavaScript code can forge (a buffer's `resizable` / `growable`, a view's
// `byteLength`, `length` or `buffer`, the global `Uint8Array` or `SharedArrayBuffer`), then
// calls qrhash and, where the forgery hides a resizable buffer, shrinks it to 0 while the call
// runs. The call must give node:crypto's answer for the bytes as they were at the call, or
// refuse with a TypeError: never read memory that shrank away (a crash), never hash the
// forged length.
//
//   node __test__/helpers/forged-view-probe.cjs <forgery> <call>
//
// prints one JSON line { outcome, detail } (outcome 'same', 'refused', 'wrong' or 'error').
// QRHASH_PACKAGE=<dir> probes another build of the package (such as one before the fix).
'use strict'

const { createHash } = require('node:crypto')

const q = require(process.env.QRHASH_PACKAGE || '../../index.js')

const big = 64 << 20 // shrinking a resizable buffer this large unmaps its pages at once
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

function fill(view) {
  const bytes = new Uint8Array(view.buffer ?? view)
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >>> 12) % 251
  return view
}

/** A resizable ArrayBuffer of `size` bytes that says, by the means `how`, that it is not. */
function hiddenResizable(size, how) {
  const options = { maxByteLength: size * 2 }
  switch (how) {
    case 'own property':
      return Object.defineProperty(new ArrayBuffer(size, options), 'resizable', { value: false })
    case 'subclass getter':
      return new (class Fixed extends ArrayBuffer {
        get resizable() {
          return false
        }
      })(size, options)
    case 'patched prototype':
      Object.defineProperty(ArrayBuffer.prototype, 'resizable', { get: () => false, configurable: true })
      return new ArrayBuffer(size, options)
    case 'getter that detaches':
      return Object.defineProperty(new ArrayBuffer(size, options), 'resizable', {
        get() {
          structuredClone(this, { transfer: [this] })
          return false
        },
      })
    default:
      throw new Error(`unknown forgery ${how}`)
  }
}

// Forgeries of a resizable buffer: the call runs while the buffer shrinks to 0.
const resizable = ['own property', 'subclass getter', 'patched prototype', 'getter that detaches']

// Calls given a view of a resizable buffer: `run(view)` starts the call, `expect(bytes)` is the
// answer for the bytes at the time of the call.
const shrinkingCalls = {
  sha256: { run: (view) => q.sha256(view, { encoding: 'hex' }), expect: (bytes) => sha256(bytes) },
  sha256Many: { run: (view) => q.sha256Many([view, 'x'], { encoding: 'hex' }), expect: (bytes) => [sha256(bytes), sha256('x')] },
  'sha256Batch (input)': {
    run: async (view) => Buffer.from(await q.sha256Batch(view, { recordSize: 4096 })).toString('hex'),
    expect: (bytes) => batch(bytes, 4096),
  },
  'sha256Batch (output)': {
    // Here the resizable buffer is the output: the digests land in it, or the call is refused.
    output: true,
    run: async (view) => {
      const input = fill(new Uint8Array(view.byteLength * 2))
      await q.sha256Batch(input, { recordSize: 64, output: view })
      return 'written'
    },
    expect: () => 'written',
  },
  sha256MerkleRoot: { run: (view) => q.sha256MerkleRoot(view, { encoding: 'hex' }), expect: (bytes) => q.sha256MerkleRootSync(bytes, { encoding: 'hex' }) },
  'toBuffer (text)': {
    size: 1000,
    run: async (view) => (await q.toBuffer(view, { type: 'svg' })).toString(),
    expect: (bytes) => q.toBufferSync(bytes, { type: 'svg' }).toString(),
  },
}

function batch(bytes, recordSize) {
  const digests = []
  for (let i = 0; i < bytes.length; i += recordSize) digests.push(createHash('sha256').update(bytes.subarray(i, i + recordSize)).digest())
  return Buffer.concat(digests).toString('hex')
}

// Forgeries of a view's shape or of the globals: each makes a view, then `forge(view)` lies about
// it; the call must read the view's real bytes.
const own = (key, value) => (view) => Object.defineProperty(view, key, { value })
const shapes = {
  'Float64Array with an own byteLength': { make: () => new Float64Array(512), forge: own('byteLength', 8) },
  'DataView with an own byteLength': { make: () => new DataView(new ArrayBuffer(4096), 16), forge: own('byteLength', 8) },
  'DataView with an own byteOffset': { make: () => new DataView(new ArrayBuffer(4096), 16), forge: own('byteOffset', 0) },
  'DataView with an own buffer': { make: () => new DataView(new ArrayBuffer(4096), 16), forge: own('buffer', new ArrayBuffer(8)) },
  'Buffer with an own length': { make: () => Buffer.alloc(4096), forge: own('length', 8) },
  'Uint16Array with a patched prototype byteLength': {
    make: () => new Uint16Array(2048),
    forge: () => Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength', { get: () => 8, configurable: true }),
  },
  'Int32Array after globalThis.Uint8Array is replaced': {
    make: () => new Int32Array(1024),
    forge: () => {
      const Real = Uint8Array
      globalThis.Uint8Array = function Forged() {
        return new Real(8)
      }
    },
  },
  'SharedArrayBuffer after globalThis.SharedArrayBuffer is replaced': {
    make: () => new SharedArrayBuffer(4096),
    forge: () => {
      globalThis.SharedArrayBuffer = class NotShared {}
    },
  },
  'growable SharedArrayBuffer with an own growable': { make: () => new SharedArrayBuffer(4096, { maxByteLength: 8192 }), forge: own('growable', false) },
}

const shapeCalls = {
  sha256: (view) => q.sha256(view, { encoding: 'hex' }),
  sha256Sync: (view) => q.sha256Sync(view, { encoding: 'hex' }),
  sha256Many: async (view) => (await q.sha256Many([view], { encoding: 'hex' }))[0],
  sha256ManySync: (view) => q.sha256ManySync([view], { encoding: 'hex' })[0],
}

const probes = [
  ...resizable.flatMap((forgery) => Object.keys(shrinkingCalls).map((call) => [forgery, call])),
  ...Object.keys(shapes).flatMap((forgery) => Object.keys(shapeCalls).map((call) => [forgery, call])),
]

const show = (value) => (typeof value === 'string' ? value.slice(0, 80) : JSON.stringify(value).slice(0, 80))

async function runProbe(forgery, call) {
  if (resizable.includes(forgery)) {
    const { run, expect, size = big } = shrinkingCalls[call]
    const buffer = hiddenResizable(size, forgery)
    const view = fill(new Uint8Array(buffer))
    const expected = expect(Buffer.from(view))
    let pending
    try {
      pending = run(view)
    } catch (error) {
      return { outcome: error instanceof TypeError ? 'refused' : 'error', detail: String(error) }
    }
    if (buffer.detached !== true && buffer.byteLength > 0) buffer.resize(0)
    try {
      const result = await pending
      return show(result) === show(expected) ? { outcome: 'same', detail: show(result) } : { outcome: 'wrong', detail: `${show(result)} ≠ ${show(expected)}` }
    } catch (error) {
      return { outcome: error instanceof TypeError ? 'refused' : 'error', detail: String(error) }
    }
  }
  const { make, forge } = shapes[forgery]
  const view = fill(make())
  const expected = sha256(Buffer.from(ArrayBuffer.isView(view) ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(view)))
  forge(view)
  try {
    const result = await shapeCalls[call](view)
    return result === expected ? { outcome: 'same', detail: result } : { outcome: 'wrong', detail: `${result} ≠ ${expected}` }
  } catch (error) {
    return { outcome: 'error', detail: String(error) }
  }
}

if (require.main === module) {
  const [forgery, call] = process.argv.slice(2)
  runProbe(forgery, call).then(
    (report) => console.log(JSON.stringify(report)),
    (error) => console.log(JSON.stringify({ outcome: 'error', detail: String(error && error.stack) })),
  )
}

module.exports = { probes }
