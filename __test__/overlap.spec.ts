// An output that shares memory with its input (issue #16, item 6). sha256Batch's parts write
// digests while other parts still read records, so an output over the input's memory gave
// digests that changed from run to run: it is refused, whatever JavaScript objects the two
// views are, decided from the memory each covers. Views side by side in one buffer are fine.
// sha256Into computes the digest before writing it, so its output may overlap its input.
// (sha256MerkleRoot has no output: it writes only memory of its own.)
import test from 'ava'

import { sha256Batch, sha256BatchSync, sha256Into } from '../index.js'
import { bytesOf, digestOf, oracleBatch } from './helpers/oracle.js'

const RECORD = 64
const RECORDS = 8192 // 512 KiB of records: more than one part on the pool

/** Deterministic bytes, different in every record. */
function fill(view: Uint8Array) {
  for (let i = 0; i < view.length; i++) view[i] = (i * 7 + (i >> 9)) & 255
  return view
}

/** `input` and `output` as a case builds them: views of one memory. */
type Case = () => { input: Uint8Array | DataView | Float64Array; output: Uint8Array | DataView | ArrayBuffer | SharedArrayBuffer }

const records = (buffer: ArrayBufferLike, byteOffset = 0) => fill(new Uint8Array(buffer, byteOffset, RECORDS * RECORD))
const digests = RECORDS * 32

const overlapping: Array<[string, Case]> = [
  ['the very same view', () => { const input = records(new ArrayBuffer(RECORDS * RECORD)); return { input, output: input } }],
  ['two views of one ArrayBuffer, output at the start', () => { const buffer = new ArrayBuffer(RECORDS * RECORD); return { input: records(buffer), output: new Uint8Array(buffer, 0, digests) } }],
  ['two views of one ArrayBuffer, output over the second half', () => { const buffer = new ArrayBuffer(RECORDS * RECORD); return { input: records(buffer), output: new Uint8Array(buffer, digests, digests) } }],
  ['output straddling the input\'s last byte', () => { const buffer = new ArrayBuffer(RECORDS * RECORD + digests); return { input: records(buffer), output: new Uint8Array(buffer, RECORDS * RECORD - 1, digests) } }],
  ['output ending one byte into the input', () => { const buffer = new ArrayBuffer(RECORDS * RECORD + digests); return { input: records(buffer, digests - 1), output: new Uint8Array(buffer, 0, digests) } }],
  ['two views of one SharedArrayBuffer', () => { const buffer = new SharedArrayBuffer(RECORDS * RECORD); return { input: records(buffer), output: new Uint8Array(buffer, RECORD, digests) } }],
  ['the SharedArrayBuffer itself as output', () => { const buffer = new SharedArrayBuffer(RECORDS * RECORD); return { input: records(buffer), output: buffer } }],
  ['the ArrayBuffer itself as output', () => { const buffer = new ArrayBuffer(RECORDS * RECORD); return { input: records(buffer), output: buffer } }],
  ['a DataView input and a Uint8Array output', () => { const buffer = new ArrayBuffer(RECORDS * RECORD); records(buffer); return { input: new DataView(buffer), output: new Uint8Array(buffer, 100, digests) } }],
  ['a Float64Array input and a DataView output', () => { const buffer = new ArrayBuffer(RECORDS * RECORD); records(buffer); return { input: new Float64Array(buffer), output: new DataView(buffer, 8, digests) } }],
  ['a WebAssembly.Memory buffer', () => { const memory = new WebAssembly.Memory({ initial: 16 }); return { input: records(memory.buffer), output: new Uint8Array(memory.buffer, 4096, digests) } }],
  ['a Buffer from Node\'s pool and a view of it', () => {
    const input = fill(Buffer.allocUnsafe(2 * RECORD)) // small enough to come from the pool
    return { input, output: new Uint8Array(input.buffer, input.byteOffset + RECORD, 64) }
  }],
]

const overlapError = {
  instanceOf: RangeError,
  code: 'ERR_INVALID_ARG_VALUE',
  message: /^options\.output must be memory apart from input's, got a view whose bytes overlap input's$/,
}

for (const [label, make] of overlapping) {
  test(`sha256Batch refuses an output over its input's memory: ${label}`, async (t) => {
    const { input, output } = make()
    const before = Buffer.from(bytesOf(input))
    t.throws(() => sha256BatchSync(input, { output }), overlapError, 'sync')
    await t.throwsAsync(sha256Batch(input, { output }), overlapError, 'async')
    t.deepEqual(Buffer.from(bytesOf(input)), before, 'nothing was written')
  })
}

test('sha256Batch: Buffers side by side in Node\'s pool, and views that touch end to start, are allowed and right', async (t) => {
  let [input, output] = [fill(Buffer.allocUnsafe(2 * RECORD)), Buffer.allocUnsafe(64)]
  // The pool may have run out between the two: the next pair comes from a fresh one.
  if (output.buffer !== input.buffer) [input, output] = [fill(Buffer.allocUnsafe(2 * RECORD)), Buffer.allocUnsafe(64)]
  t.is<ArrayBufferLike, ArrayBufferLike>(output.buffer, input.buffer, 'both from the pool')
  t.deepEqual(sha256BatchSync(input, { output }), oracleBatch(input, RECORD), 'pool, sync')
  t.deepEqual(await sha256Batch(input, { output: output.fill(0) }), oracleBatch(input, RECORD), 'pool, async')
  for (const shared of [false, true]) {
    const size = RECORDS * RECORD + digests
    const buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)
    for (const [where, inputAt, outputAt] of [['output after input', 0, RECORDS * RECORD], ['output before input', digests, 0]] as const) {
      const records = fill(new Uint8Array(buffer, inputAt, RECORDS * RECORD))
      const expected = oracleBatch(records, RECORD)
      const output = new Uint8Array(buffer, outputAt, digests)
      t.deepEqual(Buffer.from(sha256BatchSync(records, { output })), expected, `${where}, sync, shared: ${shared}`)
      output.fill(0)
      t.deepEqual(Buffer.from(await sha256Batch(records, { output })), expected, `${where}, async, shared: ${shared}`)
    }
  }
})

test('sha256Into: output may overlap input, even be it; the digest is of the input as it was', (t) => {
  const cases: Array<[string, () => [Uint8Array | DataView, Uint8Array | DataView]]> = [
    ['the same Buffer', () => { const b = fill(Buffer.alloc(100)); return [b, b] }],
    ['output a view into the input', () => { const b = fill(new Uint8Array(100)); return [b, b.subarray(10, 50)] }],
    ['input a view into the output', () => { const b = fill(new Uint8Array(100)); return [b.subarray(5, 37), b] }],
    ['DataViews of one SharedArrayBuffer', () => { const s = new SharedArrayBuffer(100); fill(new Uint8Array(s)); return [new DataView(s), new DataView(s, 3, 40)] }],
  ]
  for (const [label, make] of cases) {
    const [input, output] = make()
    const expected = digestOf(Buffer.from(bytesOf(input)))
    t.is(sha256Into(input, output), output, label)
    t.deepEqual(Buffer.from(output.buffer, output.byteOffset, 32), expected, label)
  }
})
