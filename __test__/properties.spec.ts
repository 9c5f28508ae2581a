// Property-based tests (fast-check): random inputs of every accepted type and random options,
// each checked against an independent oracle. Hashing against node:crypto (OpenSSL); QR codes
// by reading every generated image back with zxing (PNG directly, JPEG and WebP through sharp,
// SVG through resvg) and by comparing module matrices with node-qrcode's for the same segments.
//
// Each property runs from a fixed seed, shown in its title, so a failure reproduces exactly;
// fast-check's report names the seed, the shrunk counterexample and the path to replay it.
// To explore beyond the fixed seeds: FC_SEED=<n> (every property starts from it) and
// FC_RUNS=<factor> (multiplies every numRuns), e.g. `FC_SEED=7 FC_RUNS=10 npx ava __test__/properties.spec.ts`.
import { once } from 'node:events'
import { createRequire } from 'node:module'

import test from 'ava'
import fc from 'fast-check'
import type { ReadResult } from 'zxing-wasm/reader'

import {
  create,
  createQr,
  createQrSync,
  createSha256,
  createSync,
  sha256,
  sha256Batch,
  sha256BatchSync,
  sha256Into,
  sha256Iterate,
  sha256IterateSync,
  sha256Many,
  sha256ManySync,
  sha256MerkleRoot,
  sha256MerkleRootSync,
  sha256Sync,
  toBuffer,
  toBufferSync,
  toString,
  toStringSync,
  type BinaryLike,
  type ErrorCorrectionLevel,
  type QrCreateOptions,
  type QrData,
  type QrImageOptions,
  type QrSymbol,
  type Sha256Encoding,
} from '../index.js'
import { Sha256Hasher } from './helpers/internal.js'
import { zxingRead } from './helpers/decode.js'
import { digestOf, merkleReference, oracleBatch } from './helpers/oracle.js'
import { utf8 } from './helpers/qr-images.js'
import { readSvg, readWithSharp } from './helpers/render.js'

const require = createRequire(import.meta.url)
const QRCode: typeof import('qrcode') = require('qrcode')
// node-qrcode's Shift_JIS table, which its kanji mode needs.
const toSJIS: (char: string) => number | undefined = require('qrcode/helper/to-sjis')

const seedOverride = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
const runFactor = process.env.FC_RUNS === undefined ? 1 : Number(process.env.FC_RUNS)

/** fast-check's parameters for a property: its fixed seed (or FC_SEED) and its run count. */
function params(seed: number, numRuns: number): fc.Parameters<unknown> {
  // The failing assertion's message goes into fast-check's report (ava does not print causes).
  return { seed: seedOverride ?? seed, numRuns: Math.max(1, Math.round(numRuns * runFactor)), includeErrorInReport: true }
}
const seedLabel = (seed: number) => `seed ${seedOverride ?? seed}`

/** Which message or buffer differs, with a short view of both. */
function sameBytes(actual: Uint8Array, expected: Uint8Array, label: string) {
  if (Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)) !== 0) {
    const show = (bytes: Uint8Array) => `${bytes.length} bytes ${Buffer.from(bytes.subarray(0, 48)).toString('hex')}${bytes.length > 48 ? '…' : ''}`
    throw new Error(`${label}: got ${show(actual)}, expected ${show(expected)}`)
  }
}

function equal<T>(actual: T, expected: T, label: string) {
  if (!Object.is(actual, expected)) throw new Error(`${label}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
}

// =============================================================================================
// Inputs: bytes in every binary type qrhash accepts, and strings

/** The binary types, each over a larger buffer at an offset where the type allows one. */
const VIEW_KINDS = [
  'Buffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'DataView',
  'Int16Array',
  'Uint32Array',
  'Float64Array',
  'BigInt64Array',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array(SharedArrayBuffer)',
] as const
type ViewKind = (typeof VIEW_KINDS)[number]

interface BinarySpec {
  type: 'binary'
  kind: ViewKind
  bytes: Uint8Array
  /** Elements of padding before the view and bytes after it, in the buffer the view is over. */
  offset: number
  slack: number
}
interface StringSpec {
  type: 'string'
  text: string
}
type InputSpec = BinarySpec | StringSpec

const elementSize = (kind: ViewKind): number =>
  kind === 'Int16Array' ? 2 : kind === 'Uint32Array' ? 4 : kind === 'Float64Array' || kind === 'BigInt64Array' ? 8 : 1

/**
 * `spec.bytes` as a value of `spec.kind`, over a bigger buffer at a random offset (garbage
 * around it). A kind whose element size does not divide the length falls back to a Uint8Array,
 * so the bytes covered are always exactly `spec.bytes`. Writes go through a Uint8Array, so no
 * value is canonicalised (NaN payloads in a Float64Array stay as they are).
 */
function materialise(spec: BinarySpec): { value: BinaryLike; kind: string } {
  const { bytes, offset, slack } = spec
  const kind: ViewKind = bytes.length % elementSize(spec.kind) === 0 ? spec.kind : 'Uint8Array'
  const size = elementSize(kind)
  // A whole ArrayBuffer or SharedArrayBuffer has no offset: it is exactly the bytes.
  const start = kind === 'ArrayBuffer' || kind === 'SharedArrayBuffer' ? 0 : offset * size
  const fill = (buffer: ArrayBuffer | SharedArrayBuffer) => {
    const all = new Uint8Array(buffer)
    all.fill(0xa5)
    all.set(bytes, start)
    return buffer
  }
  const total = start + bytes.length + slack
  switch (kind) {
    case 'Buffer': {
      // Buffer.from copies small inputs into Node's shared pool, at an offset of its choosing.
      return { value: Buffer.from(bytes), kind }
    }
    case 'Uint8Array':
      return { value: new Uint8Array(fill(new ArrayBuffer(total)), start, bytes.length), kind }
    case 'Uint8ClampedArray':
      return { value: new Uint8ClampedArray(fill(new ArrayBuffer(total)), start, bytes.length), kind }
    case 'DataView':
      return { value: new DataView(fill(new ArrayBuffer(total)), start, bytes.length), kind }
    case 'Int16Array':
      return { value: new Int16Array(fill(new ArrayBuffer(total + (size - (total % size)))), start, bytes.length / size), kind }
    case 'Uint32Array':
      return { value: new Uint32Array(fill(new ArrayBuffer(total + (size - (total % size)))), start, bytes.length / size), kind }
    case 'Float64Array':
      return { value: new Float64Array(fill(new ArrayBuffer(total + (size - (total % size)))), start, bytes.length / size), kind }
    case 'BigInt64Array':
      return { value: new BigInt64Array(fill(new ArrayBuffer(total + (size - (total % size)))), start, bytes.length / size), kind }
    case 'ArrayBuffer':
      return { value: fill(new ArrayBuffer(bytes.length)), kind }
    case 'SharedArrayBuffer':
      return { value: fill(new SharedArrayBuffer(bytes.length)), kind }
    case 'Uint8Array(SharedArrayBuffer)':
      return { value: new Uint8Array(fill(new SharedArrayBuffer(total)), start, bytes.length), kind }
  }
}

/** The value handed to qrhash, and the bytes node:crypto hashes for it. */
function inputOf(spec: InputSpec): { value: BinaryLike | string; bytes: Uint8Array; kind: string } {
  if (spec.type === 'string') return { value: spec.text, bytes: Buffer.from(spec.text), kind: 'string' }
  const { value, kind } = materialise(spec)
  return { value, bytes: spec.bytes, kind }
}

/** The SHA-256 block boundaries: 55/56 bytes (padding spills into a second block), 64, 119/120. */
const BOUNDARY_SIZES = [0, 1, 31, 32, 33, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192, 255, 256, 1023, 1024, 4095, 4096]

/** Random bytes: any length up to ~5000, or exactly a block-boundary length. */
const bytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 5000, size: 'max' }), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 2 },
  { arbitrary: fc.constantFrom(...BOUNDARY_SIZES).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), weight: 3 },
)

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code))
/** Strings of every kind: full Unicode, graphemes, ASCII with controls, and lone surrogates. */
const hashStringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: 'binary-ascii', maxLength: 2000, size: 'max' }),
  fc.string({ unit: fc.oneof({ arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 }, loneSurrogate), maxLength: 200 }),
  fc.constantFrom(...BOUNDARY_SIZES).chain((n) => fc.string({ unit: 'grapheme-ascii', minLength: n, maxLength: n })),
)

const binarySpecArb = (bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<BinarySpec> =>
  fc.record({
    type: fc.constant('binary' as const),
    kind: fc.constantFrom(...VIEW_KINDS),
    bytes,
    offset: fc.nat({ max: 17 }),
    slack: fc.nat({ max: 9 }),
  })

const inputSpecArb: fc.Arbitrary<InputSpec> = fc.oneof(
  { arbitrary: binarySpecArb(bytesArb), weight: 3 },
  { arbitrary: hashStringArb.map((text): StringSpec => ({ type: 'string', text })), weight: 1 },
)

const encodingArb = fc.constantFrom<Sha256Encoding | undefined>(undefined, 'buffer', 'hex', 'base64', 'base64url')

/** A digest from qrhash, in `encoding`, must be `expected` in that encoding (and a Buffer for bytes). */
function checkDigest(actual: unknown, expected: Buffer, encoding: Sha256Encoding | undefined, label: string) {
  if (encoding === undefined || encoding === 'buffer') {
    if (!Buffer.isBuffer(actual)) throw new Error(`${label}: not a Buffer: ${Object.prototype.toString.call(actual)}`)
    sameBytes(actual, expected, label)
  } else {
    equal(actual, expected.toString(encoding), label)
  }
}

const encodingOptions = (encoding: Sha256Encoding | undefined) => (encoding === undefined ? undefined : { encoding })

// =============================================================================================
// Hashing

const SEED_ONE_SHOT = 0x5ee1
test(`property: sha256, sha256Sync and sha256Into equal node:crypto for random bytes of every input type and every encoding (${seedLabel(SEED_ONE_SHOT)})`, async (t) => {
  const kinds = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(
      inputSpecArb,
      encodingArb,
      fc.constantFrom('sha256', 'sha256Sync', 'sha256Into'),
      fc.record({ kind: fc.constantFrom('Buffer', 'Uint8Array', 'DataView', 'ArrayBuffer', 'SharedArrayBuffer'), offset: fc.nat({ max: 40 }), slack: fc.nat({ max: 8 }) }),
      async (spec, encoding, via, out) => {
        const { value, bytes, kind } = inputOf(spec)
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
        const expected = digestOf(bytes)
        const label = `${via} of ${kind}, ${bytes.length} bytes`
        if (via === 'sha256') checkDigest(await sha256(value, encodingOptions(encoding)), expected, encoding, label)
        else if (via === 'sha256Sync') checkDigest(sha256Sync(value, encodingOptions(encoding)), expected, encoding, label)
        else {
          // The digest lands in the first 32 bytes of the output's view; nothing else changes.
          const backing = new (out.kind === 'SharedArrayBuffer' ? SharedArrayBuffer : ArrayBuffer)(out.offset + 32 + out.slack)
          new Uint8Array(backing).fill(0x5a)
          const output: BinaryLike =
            out.kind === 'Buffer'
              ? Buffer.from(backing as ArrayBuffer, out.offset, 32 + out.slack)
              : out.kind === 'Uint8Array'
                ? new Uint8Array(backing, out.offset, 32 + out.slack)
                : out.kind === 'DataView'
                  ? new DataView(backing, out.offset, 32 + out.slack)
                  : backing
          const returned = sha256Into(value, output)
          if (returned !== output) throw new Error(`${label}: sha256Into did not return its output`)
          const start = out.kind === 'ArrayBuffer' || out.kind === 'SharedArrayBuffer' ? 0 : out.offset
          const all = new Uint8Array(backing)
          sameBytes(all.subarray(start, start + 32), expected, `${label}: the digest in a ${out.kind} at ${start}`)
          const untouched = [...all.subarray(0, start), ...all.subarray(start + 32)].every((byte) => byte === 0x5a)
          if (!untouched) throw new Error(`${label}: bytes outside the digest's 32 changed`)
        }
      },
    ),
    params(SEED_ONE_SHOT, 300),
  )
  t.log(`input kinds: ${JSON.stringify(Object.fromEntries(kinds))}`)
  t.true(kinds.size >= VIEW_KINDS.length, 'every input kind was generated')
})

const SEED_ITERATE = 0x17e7
test(`property: sha256Iterate and sha256IterateSync equal a node:crypto hash chain (${seedLabel(SEED_ITERATE)})`, async (t) => {
  let runs = 0
  await fc.assert(
    fc.asyncProperty(inputSpecArb, fc.nat({ max: 40 }), encodingArb, fc.boolean(), async (spec, rounds, encoding, sync) => {
      runs++
      const { value, bytes, kind } = inputOf(spec)
      let expected = digestOf(bytes)
      for (let i = 0; i < rounds; i++) expected = digestOf(expected)
      const actual = sync ? sha256IterateSync(value, rounds, encodingOptions(encoding)) : await sha256Iterate(value, rounds, encodingOptions(encoding))
      checkDigest(actual, expected, encoding, `${sync ? 'sha256IterateSync' : 'sha256Iterate'} of ${kind}, ${bytes.length} bytes, ${rounds} rounds`)
    }),
    params(SEED_ITERATE, 200),
  )
  t.true(runs >= 1)
})

const SEED_MANY = 0x3a11
test(`property: sha256Many and sha256ManySync give node:crypto's digest of each of mixed inputs, in order (${seedLabel(SEED_MANY)})`, async (t) => {
  let inputs = 0
  await fc.assert(
    fc.asyncProperty(fc.array(inputSpecArb, { maxLength: 12 }), encodingArb, fc.boolean(), async (specs, encoding, sync) => {
      const given = specs.map(inputOf)
      inputs += given.length
      const values = given.map((input) => input.value)
      const actual = sync ? sha256ManySync(values, encodingOptions(encoding)) : await sha256Many(values, encodingOptions(encoding))
      if (!Array.isArray(actual)) throw new Error('not an array')
      equal(actual.length, given.length, 'digests')
      given.forEach((input, i) => checkDigest(actual[i], digestOf(input.bytes), encoding, `input ${i} of ${given.length} (${input.kind}, ${input.bytes.length} bytes)`))
    }),
    params(SEED_MANY, 200),
  )
  t.true(inputs > 0)
})

/** A record size and a record count whose product stays under ~6000 bytes. */
const recordsArb = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 140 }), fc.constantFrom(1, 32, 55, 56, 63, 64, 65, 119, 120, 128, 500, 1000)), fc.nat({ max: 60 }))
  .map(([recordSize, count]) => ({ recordSize, count: Math.min(count, Math.floor(6000 / recordSize)) }))

/** Records as bytes in any binary type, or as an ASCII string of the same length. */
const recordInputArb = recordsArb.chain(({ recordSize, count }) =>
  fc.record({
    recordSize: fc.constant(recordSize),
    count: fc.constant(count),
    // Omitted only where the default (64) is the size.
    passSize: recordSize === 64 ? fc.boolean() : fc.constant(true),
    input: fc.oneof(
      { arbitrary: binarySpecArb(fc.uint8Array({ minLength: recordSize * count, maxLength: recordSize * count })), weight: 4 },
      { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: recordSize * count, maxLength: recordSize * count }).map((text): StringSpec => ({ type: 'string', text })), weight: 1 },
    ),
  }),
)

const OUTPUT_KINDS = ['new', 'Buffer', 'Uint8Array', 'DataView', 'Float64Array', 'ArrayBuffer', 'SharedArrayBuffer'] as const

const SEED_BATCH = 0xba7c
test(`property: sha256Batch and sha256BatchSync write node:crypto's digest of each record, into any output (${seedLabel(SEED_BATCH)})`, async (t) => {
  let records = 0
  await fc.assert(
    fc.asyncProperty(
      recordInputArb,
      fc.record({ kind: fc.constantFrom(...OUTPUT_KINDS), offset: fc.nat({ max: 5 }), extra: fc.nat({ max: 3 }) }),
      fc.boolean(),
      async ({ recordSize, count, passSize, input: spec }, out, sync) => {
        const { value, bytes, kind } = inputOf(spec)
        records += count
        const expected = oracleBatch(bytes, recordSize)
        const label = `${sync ? 'sha256BatchSync' : 'sha256Batch'} of ${kind}: ${count} records of ${recordSize} bytes into ${out.kind}`
        // Outputs with room for `extra` more digests, at an offset, the rest prefilled.
        const length = 32 * (count + out.extra)
        const unit = out.kind === 'Float64Array' ? 8 : 1
        const backing = out.kind === 'SharedArrayBuffer' ? new SharedArrayBuffer(length) : new ArrayBuffer(out.offset * unit + length)
        new Uint8Array(backing).fill(0x3c)
        const start = out.kind === 'ArrayBuffer' || out.kind === 'SharedArrayBuffer' ? 0 : out.offset * unit
        const output: BinaryLike | undefined =
          out.kind === 'new'
            ? undefined
            : out.kind === 'Buffer'
              ? Buffer.from(backing as ArrayBuffer, start, length)
              : out.kind === 'Uint8Array'
                ? new Uint8Array(backing, start, length)
                : out.kind === 'DataView'
                  ? new DataView(backing, start, length)
                  : out.kind === 'Float64Array'
                    ? new Float64Array(backing, start, length / 8)
                    : backing
        const options = { ...(passSize ? { recordSize } : {}), ...(output ? { output } : {}) }
        const result = sync ? sha256BatchSync(value, options) : await sha256Batch(value, options)
        if (output === undefined) {
          if (!Buffer.isBuffer(result)) throw new Error(`${label}: not a Buffer`)
          sameBytes(result, expected, label)
        } else {
          if (result !== output) throw new Error(`${label}: did not resolve to its output`)
          const all = new Uint8Array(backing)
          sameBytes(all.subarray(start, start + 32 * count), expected, label)
          const untouched = [...all.subarray(0, start), ...all.subarray(start + 32 * count)].every((byte) => byte === 0x3c)
          if (!untouched) throw new Error(`${label}: bytes after the ${count} digests changed`)
        }
      },
    ),
    params(SEED_BATCH, 200),
  )
  t.true(records > 0)
})

const SEED_MERKLE = 0x3e41
test(`property: sha256MerkleRoot and its Sync twin equal the root built with node:crypto; no records is a RangeError (${seedLabel(SEED_MERKLE)})`, async (t) => {
  let empty = 0
  await fc.assert(
    fc.asyncProperty(recordInputArb, encodingArb, fc.boolean(), async ({ recordSize, count, passSize, input: spec }, encoding, sync) => {
      const { value, bytes, kind } = inputOf(spec)
      const options = { ...(passSize ? { recordSize } : {}), ...encodingOptions(encoding) }
      const label = `${sync ? 'sha256MerkleRootSync' : 'sha256MerkleRoot'} of ${kind}: ${count} records of ${recordSize} bytes`
      const run = async () => (sync ? sha256MerkleRootSync(value, options) : await sha256MerkleRoot(value, options))
      if (count === 0) {
        empty++
        const error = await run().then(
          () => undefined,
          (error: unknown) => error,
        )
        if (!(error instanceof RangeError)) throw new Error(`${label}: expected a RangeError, got ${String(error)}`)
        return
      }
      checkDigest(await run(), merkleReference(bytes, recordSize), encoding, label)
    }),
    params(SEED_MERKLE, 200),
  )
  t.true(empty > 0, 'the empty input was generated')
})

/** Cut points splitting `length` bytes into chunks (possibly empty). */
const chunksArb = (length: number) =>
  fc.array(fc.nat({ max: length }), { maxLength: 12 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), length]
    return points.slice(1).map((end, i) => [points[i]!, end] as const)
  })

/** Mostly small messages, and sometimes one over 64 KiB, so that written chunks go to the pool. */
const streamBytesArb = fc.oneof({ arbitrary: bytesArb, weight: 5 }, { arbitrary: fc.integer({ min: 65_536, max: 200_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (n >> 3)) & 0xff)), weight: 1 })

/** A chunk as the caller passes it: a binary view, or a string of its bytes as Latin-1 characters (hashed as their UTF-8). */
const chunkFormArb = fc.record({ kind: fc.constantFrom(...VIEW_KINDS, 'latin1 string' as const), offset: fc.nat({ max: 9 }), slack: fc.nat({ max: 5 }) })

const SEED_STREAM = 0x57e4
test(`property: createSha256 fed by update() and/or write() in random chunks, and Sha256Hasher by update()/updateAsync(), equal node:crypto (${seedLabel(SEED_STREAM)})`, async (t) => {
  const modes = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(
      streamBytesArb.chain((bytes) => fc.tuple(fc.constant(bytes), chunksArb(bytes.length))),
      fc.array(fc.tuple(chunkFormArb, fc.boolean()), { minLength: 13, maxLength: 13 }),
      fc.constantFrom('update', 'write', 'update+write', 'hasher', 'hasher awaited'),
      fc.array(hashStringArb, { maxLength: 3 }),
      encodingArb,
      async ([bytes, chunks], forms, mode, strings, encoding) => {
        modes.set(mode, (modes.get(mode) ?? 0) + 1)
        // The message: the bytes in chunks, then whole strings (hashed as their UTF-8).
        const parts: Array<{ value: BinaryLike | string; bytes: Uint8Array; write: boolean }> = []
        chunks.forEach(([from, to], i) => {
          const [form, toStream] = forms[i]!
          const piece = bytes.subarray(from, to)
          // Writable takes strings, Buffers and Uint8Arrays only; update() takes every view.
          const streamable = form.kind === 'Buffer' || form.kind === 'Uint8Array' || form.kind === 'latin1 string'
          const write = (mode === 'write' || (mode === 'update+write' && toStream)) && streamable
          if (form.kind === 'latin1 string') {
            const text = Buffer.from(piece).toString('latin1')
            parts.push({ value: text, bytes: Buffer.from(text), write })
          } else {
            const kind = mode === 'write' && !streamable ? 'Uint8Array' : form.kind
            const { value } = materialise({ type: 'binary', kind, bytes: piece, offset: form.offset, slack: form.slack })
            parts.push({ value, bytes: piece, write: mode === 'write' || write })
          }
        })
        for (const text of strings) parts.push({ value: text, bytes: Buffer.from(text), write: mode === 'write' })
        const expected = digestOf(Buffer.concat(parts.map((part) => part.bytes)))
        const label = `${mode}: ${parts.length} parts of ${parts.map((part) => part.bytes.length).join('+')} bytes`
        let digest: unknown
        if (mode === 'hasher' || mode === 'hasher awaited') {
          const hasher = new Sha256Hasher()
          const pending: Array<Promise<void>> = []
          parts.forEach((part, i) => {
            if (forms[i % forms.length]![1]) pending.push(hasher.updateAsync(part.value))
            else hasher.update(part.value)
          })
          // Not awaiting: the digest still covers every updateAsync before it, in order.
          if (mode === 'hasher awaited') await Promise.all(pending)
          digest = hasher.digest(encoding)
          await Promise.all(pending)
        } else {
          const hasher = createSha256()
          for (const part of parts) {
            if (part.write) {
              // Awaiting each write keeps update() and write() in the caller's order.
              await new Promise<void>((resolve, reject) => hasher.write(part.value, (error) => (error ? reject(error) : resolve())))
            } else {
              hasher.update(part.value)
            }
          }
          hasher.end()
          await once(hasher, 'finish')
          digest = hasher.digest(encoding)
        }
        checkDigest(digest, expected, encoding, label)
      },
    ),
    params(SEED_STREAM, 200),
  )
  t.log(`modes: ${JSON.stringify(Object.fromEntries(modes))}`)
  t.is(modes.size, 5)
})

// =============================================================================================
// QR codes: inputs

type Level = 'L' | 'M' | 'Q' | 'H'
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
/**
 * Japanese text as people write it (kana, common kanji, full-width forms, punctuation), ASCII
 * between, and the characters whose Shift_JIS mappings differ between JIS X 0208 and Windows'
 * CP932 (～〜－−∥‖￠￡￢＼¥‾) or lie outside JIS X 0208 (NEC's ①Ⅰ㈱№, row 13).
 */
const JAPANESE = [
  ...'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゃゅょっ',
  ...'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴヴャュョッー',
  ...'日本語漢字東京都大阪府京都市区町村年月日時分秒円番号電話住所氏名会社株式有限山川田中村小林佐藤鈴木高橋渡辺伊藤新旧上下左右',
  ...'、。「」『』・（）［］｛｝！？：；＋＝＜＞＃＄％＆＊＠ＡＢＣＤＥＦａｂｃ０１２３４５６７８９　',
  ...'─│┌┐└┘≒∵∴※〒→←↑↓',
  ...'～〜－−∥‖￠￡￢＼¥‾',
  ...'①②Ⅰ㈱№〝〟㍉',
]

/** A QR text input and how the text was made (for labels and statistics). */
type QrInput = { kind: 'unicode' | 'ascii' | 'digits' | 'alphanumeric' | 'japanese'; text: string } | { kind: 'bytes'; spec: BinarySpec }

/** Lengths: mostly short; sometimes beyond what a symbol holds at high levels or small versions. */
const lengthsOf = (short: number, long: number) =>
  fc.oneof({ arbitrary: fc.integer({ min: 1, max: short }), weight: 6 }, { arbitrary: fc.integer({ min: short, max: long }), weight: 1 })
// Strings drawn directly (not chained from a length), so a counterexample shrinks to its shortest.
const stringOf = (unit: fc.Arbitrary<string> | 'binary' | 'grapheme' | 'grapheme-ascii' | 'binary-ascii', short: number, long: number) =>
  fc.oneof(
    { arbitrary: fc.string({ unit, minLength: 1, maxLength: short, size: 'max' }), weight: 6 },
    { arbitrary: fc.string({ unit, minLength: short, maxLength: long, size: 'max' }), weight: 1 },
  )

const textKinds = {
  unicode: fc.oneof(stringOf('binary', 60, 1000), stringOf('grapheme', 40, 400)),
  ascii: fc.oneof(stringOf('grapheme-ascii', 120, 3200), stringOf('binary-ascii', 80, 1600)),
  digits: stringOf(fc.constantFrom(...'0123456789'), 300, 7500),
  alphanumeric: stringOf(fc.constantFrom(...ALPHANUMERIC), 200, 4600),
  japanese: stringOf(fc.oneof({ arbitrary: fc.constantFrom(...JAPANESE), weight: 4 }, fc.constantFrom(...'ABCxyz0123 -/:')), 60, 1900),
}

const qrInputArb = (kinds: ReadonlyArray<QrInput['kind']>): fc.Arbitrary<QrInput> =>
  fc.oneof(
    ...kinds.map((kind) =>
      kind === 'bytes'
        ? binarySpecArb(lengthsOf(150, 3100).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))).map((spec): QrInput => ({ kind, spec }))
        : textKinds[kind].map((text): QrInput => ({ kind, text })),
    ),
  )

const qrDataOf = (input: QrInput): QrData => (input.kind === 'bytes' ? materialise(input.spec).value : input.text)
const describe = (input: QrInput) =>
  input.kind === 'bytes' ? `${input.spec.bytes.length} bytes as ${input.spec.kind}` : `${input.kind} text of ${input.text.length} UTF-16 units (${utf8(input.text).length} UTF-8 bytes)`

const LEVEL_NAMES: ErrorCorrectionLevel[] = ['L', 'M', 'Q', 'H', 'low', 'medium', 'quartile', 'high', 'l', 'm', 'q', 'h', 'LOW', 'HIGH']
const levelLetter = (level: ErrorCorrectionLevel | undefined): Level => (level === undefined ? 'M' : (level[0]!.toUpperCase() as Level))

// Dark colours on light ones, in every notation, a few with alpha (the light one may be
// transparent: composited over white it is white).
const DARK = ['#000', '#000000', '000000ff', '#000f', '#1a237e', '#3e2723', '#004d40', '#222222', '#4a148c', '#b71c1cff', '#0d47a1ee']
const LIGHT = ['#fff', '#ffffff', 'ffffffff', '#ffff', '#fffde7', '#e0f7fa', '#f5f5f5', '#fce4ec', '#ffffff00', '#fff0']

type Format = 'png' | 'jpeg' | 'webp' | 'svg'
/** The names each format goes by in `type`. */
const TYPE_NAMES: Record<Format, string[]> = {
  png: ['png', 'image/png'],
  jpeg: ['jpeg', 'jpg', 'image/jpeg'],
  webp: ['webp', 'image/webp'],
  svg: ['svg', 'image/svg+xml'],
}

const imageOptionsArb = fc.record(
  {
    errorCorrectionLevel: fc.constantFrom(...LEVEL_NAMES),
    version: fc.integer({ min: 1, max: 40 }),
    maskPattern: fc.integer({ min: 0, max: 7 }),
    eci: fc.constantFrom<'auto' | boolean>('auto', true, false),
    margin: fc.integer({ min: 0, max: 8 }),
    scale: fc.integer({ min: 1, max: 6 }),
    width: fc.integer({ min: 1, max: 900 }),
    color: fc.record({ dark: fc.constantFrom(...DARK), light: fc.constantFrom(...LIGHT) }, { requiredKeys: [] }),
    style: fc.record({ modules: fc.constantFrom('square' as const, 'rounded' as const, 'dots' as const), finder: fc.constantFrom('square' as const, 'rounded' as const) }, { requiredKeys: [] }),
    quality: fc.double({ min: 0.6, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
)

const outputArb: fc.Arbitrary<Output> = fc.record({
  format: fc.constantFrom<Format>('png', 'jpeg', 'webp', 'svg'),
  name: fc.nat({ max: 2 }),
  /** toBuffer or (images) a data URL or (SVG) toString; async or sync. */
  via: fc.constantFrom('toBuffer' as const, 'other' as const),
  sync: fc.boolean(),
})

/** Image pixels per module: `width` over the modules across (when at least one each), else `scale`. */
function pixelsPerModule(options: Pick<QrImageOptions, 'width' | 'scale'>, side: number): number {
  return options.width !== undefined && options.width >= side ? options.width / side : (options.scale ?? 4)
}

type Made = { kind: 'file'; bytes: Uint8Array } | { kind: 'svg'; text: string }
interface Output {
  format: Format
  /** Which of the format's names `type` gets. */
  name: number
  via: 'toBuffer' | 'other'
  sync: boolean
}

/** The image qrhash makes, through the chosen function: toBuffer, a data URL, or toString for SVG. */
async function makeImage(data: QrData, options: Omit<QrImageOptions, 'type'>, output: Output): Promise<Made> {
  const names = TYPE_NAMES[output.format]
  const type = names[output.name % names.length]!
  if (output.format === 'svg') {
    if (output.via === 'toBuffer') {
      const svgOptions = { ...options, type: type as 'svg' | 'image/svg+xml' }
      const bytes = output.sync ? toBufferSync(data, svgOptions) : await toBuffer(data, svgOptions)
      return { kind: 'svg', text: Buffer.from(bytes).toString('utf8') }
    }
    const stringOptions = { ...options, type: 'svg' as const }
    return { kind: 'svg', text: output.sync ? toStringSync(data, stringOptions) : await toString(data, stringOptions) }
  }
  const imageOptions = { ...options, type: type as QrImageOptions['type'] }
  if (output.via === 'toBuffer') return { kind: 'file', bytes: output.sync ? toBufferSync(data, imageOptions) : await toBuffer(data, imageOptions) }
  const url = output.sync ? createQrSync(data, imageOptions) : await createQr(data, imageOptions)
  const prefix = `data:image/${output.format};base64,`
  if (!url.startsWith(prefix)) throw new Error(`data URL starts ${url.slice(0, 40)}, expected ${prefix}`)
  return { kind: 'file', bytes: Buffer.from(url.slice(prefix.length), 'base64') }
}

/** zxing's reading: PNG files directly, JPEG and WebP through sharp, SVG through resvg. */
function readImage(made: Made, format: Format): Promise<ReadResult> {
  if (made.kind === 'svg') return readSvg(made.text)
  return format === 'png' ? zxingRead(made.bytes) : readWithSharp(made.bytes)
}

interface QrError extends Error {
  code?: unknown
}
const TOO_LONG = ['ERR_QR_DATA_TOO_LONG', 'ERR_QR_VERSION_TOO_SMALL']

function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: QrError } {
  try {
    return { ok: true, value: run() }
  } catch (error) {
    return { ok: false, error: error as QrError }
  }
}

/**
 * `createSync`'s choice of version is the smallest that holds the data, and a data-too-long
 * error is right: with a given version, the automatic one is no larger when it fits and larger
 * when it does not; without one, version 40 does not hold the data either.
 */
function checkCapacity(data: QrData, options: QrCreateOptions, outcome: ReturnType<typeof attempt<QrSymbol>>, label: string) {
  const { version, ...rest } = options
  if (!outcome.ok) {
    const { error } = outcome
    if (!(error instanceof RangeError) || !TOO_LONG.includes(error.code as string)) {
      throw new Error(`${label}: expected a RangeError with code ${TOO_LONG.join(' or ')}, got ${error?.name} ${String(error?.code)}: ${error?.message}`)
    }
    if (error.code === 'ERR_QR_VERSION_TOO_SMALL') {
      if (version === undefined) throw new Error(`${label}: ERR_QR_VERSION_TOO_SMALL without a version`)
      const auto = attempt(() => createSync(data, rest))
      if (auto.ok && auto.value.version <= version) throw new Error(`${label}: version ${version} was too small, yet without it the version is ${auto.value.version}`)
      if (!auto.ok && auto.error.code !== 'ERR_QR_DATA_TOO_LONG') throw new Error(`${label}: without a version: ${String(auto.error.code)} ${auto.error.message}`)
    } else {
      const at40 = attempt(() => createSync(data, { ...rest, version: 40 }))
      if (at40.ok) throw new Error(`${label}: ERR_QR_DATA_TOO_LONG, yet version 40 holds it`)
    }
    return
  }
  const symbol = outcome.value
  if (version !== undefined) {
    equal(symbol.version, version, `${label}: the version given`)
    const auto = createSync(data, rest)
    if (auto.version > version) throw new Error(`${label}: version ${version} holds it, yet the automatic version is ${auto.version}`)
  } else if (symbol.version > 1) {
    const smaller = attempt(() => createSync(data, { ...rest, version: symbol.version - 1 }))
    if (smaller.ok) throw new Error(`${label}: chose version ${symbol.version}, yet version ${symbol.version - 1} holds it`)
    equal(smaller.error.code, 'ERR_QR_VERSION_TOO_SMALL', `${label}: one version less`)
  }
}

/** What zxing read must be the input: its bytes, or for Shift_JIS (kanji) symbols its text. */
function checkReading(result: ReadResult, input: QrInput, symbol: QrSymbol, eci: QrCreateOptions['eci'], label: string) {
  equal(result.format, 'QRCode', `${label}: format`)
  const kanji = symbol.segments.some((segment) => segment.mode === 'kanji')
  if (input.kind === 'bytes') sameBytes(new Uint8Array(result.bytes), input.spec.bytes, `${label}: bytes read`)
  else if (kanji) equal(result.text, input.text, `${label}: text read (kanji segments ${JSON.stringify(symbol.segments.map((s) => s.mode))})`)
  else sameBytes(new Uint8Array(result.bytes), utf8(input.text), `${label}: bytes read`)
  equal(result.ecLevel, symbol.errorCorrectionLevel, `${label}: level read`)
  equal(result.version, String(symbol.version), `${label}: version read`)
  equal(JSON.parse(result.extra).DataMask, symbol.maskPattern, `${label}: mask read`)
  if (input.kind === 'bytes' || eci === false) equal(result.hasECI, false, `${label}: no ECI`)
  else if (!kanji && eci === true) equal(result.hasECI, true, `${label}: ECI`)
  else if (!kanji) equal(result.hasECI, /[^\x00-\x7f]/.test(input.text), `${label}: ECI 'auto' exactly for non-ASCII text`)
}

// =============================================================================================
// QR codes: every output decodes back to its input

const SEED_DECODE = 0xdec0
test(`property: a code for random text or bytes with random options, as PNG, JPEG, WebP or SVG, reads back as exactly the input, or is refused as too long for a right reason (${seedLabel(SEED_DECODE)})`, async (t) => {
  const stats = { decoded: 0, tooLong: 0 }
  const formats = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(qrInputArb(['unicode', 'ascii', 'digits', 'alphanumeric', 'bytes']), imageOptionsArb, outputArb, async (input, generated, output) => {
      const { quality, ...options } = generated
      const data = qrDataOf(input)
      const { errorCorrectionLevel, version, maskPattern, eci } = options
      const createOptions: QrCreateOptions = { ...(errorCorrectionLevel ? { errorCorrectionLevel } : {}), ...(version ? { version } : {}), ...(maskPattern !== undefined ? { maskPattern } : {}), ...(eci !== undefined ? { eci } : {}) }
      const outcome = attempt(() => createSync(data, createOptions))
      const imageOptions: QrImageOptions = { ...options, ...(quality !== undefined && output.format === 'jpeg' ? { rendererOpts: { quality } } : {}) }
      if (outcome.ok) {
        const side = outcome.value.size + 2 * (imageOptions.margin ?? 4)
        // A width of 1–2 px per module samples modules 1 or 2 px wide, as node-qrcode does
        // (identical pixels, which zxing cannot read either): such widths become 2 px per module.
        const perModule = pixelsPerModule(imageOptions, side)
        if (imageOptions.width !== undefined && perModule < 2 && !Number.isInteger(perModule)) imageOptions.width = 2 * side
        // JPEG is lossy (8×8 blocks, chroma subsampling): it gets at least 3 px per module.
        if (output.format === 'jpeg' && pixelsPerModule(imageOptions, side) < 3) {
          delete imageOptions.width
          imageOptions.scale = 3
        }
        if (imageOptions.style?.finder === 'rounded') {
          // Rounded finders at 1 px per module do not read (the styles property below finds
          // it): here they get 2, so that this property goes on looking for other failures.
          if (output.format !== 'svg' && pixelsPerModule(imageOptions, side) < 2) {
            delete imageOptions.width
            imageOptions.scale = 2
          }
          // Without any quiet zone (ISO/IEC 18004 asks for 4 modules), zxing misses rounded
          // finders of versions 7–15 (jsQR reads them): a margin of at least 1.
          if (imageOptions.margin === 0) imageOptions.margin = 1
        }
      }
      const label = `${describe(input)} as ${output.format} via ${output.via}${output.sync ? ' (sync)' : ''}, ${JSON.stringify(imageOptions)}`
      checkCapacity(data, createOptions, outcome, label)
      if (!outcome.ok) {
        stats.tooLong++
        const made = await makeImage(data, imageOptions, output).then(
          () => undefined,
          (error: QrError) => error,
        )
        if (!made) throw new Error(`${label}: create() refused it (${String(outcome.error.code)}), the image function did not`)
        equal(made.code, outcome.error.code, `${label}: the image function's error code`)
        if (!(made instanceof RangeError)) throw new Error(`${label}: ${made.name}, not a RangeError`)
        return
      }
      const symbol = outcome.value
      equal(symbol.errorCorrectionLevel, levelLetter(errorCorrectionLevel), `${label}: level`)
      if (maskPattern !== undefined) equal(symbol.maskPattern, maskPattern, `${label}: mask`)
      // The async create() makes the same symbol.
      const again = await create(data, createOptions)
      sameBytes(again.modules, symbol.modules, `${label}: create() and createSync() modules`)
      const made = await makeImage(data, imageOptions, output)
      let result: ReadResult
      try {
        result = await readImage(made, output.format)
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message} (version ${symbol.version}-${symbol.errorCorrectionLevel})`)
      }
      checkReading(result, input, symbol, eci, label)
      stats.decoded++
      formats.set(output.format, (formats.get(output.format) ?? 0) + 1)
    }),
    params(SEED_DECODE, 100),
  )
  t.log(`${stats.decoded} decoded (${JSON.stringify(Object.fromEntries(formats))}), ${stats.tooLong} refused as too long`)
  t.true(stats.decoded >= stats.tooLong, 'most cases are codes that were read back')
})

type ModuleStyle = NonNullable<NonNullable<QrImageOptions['style']>['modules']>
type FinderStyle = NonNullable<NonNullable<QrImageOptions['style']>['finder']>
/** Inks at least 4.5:1 darker than white (what finders need), the limit (#767676) included. */
const FINDER_INKS = ['#000000', '#1a237e', '#b71c1c', '#004d40', '#6a1b9a', '#767676']
/** Inks at least 3:1 darker than white (what gradient stops need), the limit (#949494) included. */
const INKS = [...FINDER_INKS, '#e91e63', '#949494']
/** No colours, or a gradient of 2–4 of INKS (linear at any rotation, or radial) and finder colours. */
const INKS_ARB: fc.Arbitrary<QrImageOptions['color']> = fc.record(
  {
    gradient: fc.oneof(
      fc.record({ type: fc.constant('linear' as const), rotation: fc.integer({ min: -360, max: 360 }), stops: stopsArb() }),
      fc.record({ type: fc.constant('radial' as const), stops: stopsArb() }),
    ),
    finder: fc.constantFrom(...FINDER_INKS),
    finderCenter: fc.constantFrom(...FINDER_INKS),
  },
  { requiredKeys: [] },
)

function stopsArb() {
  return fc
    .array(fc.record({ offset: fc.double({ min: 0, max: 1, noNaN: true }), color: fc.constantFrom(...INKS) }), { minLength: 2, maxLength: 4 })
    .map((stops) => stops.map((stop) => stop.offset).sort((a, b) => a - b).map((offset, i) => ({ offset, color: stops[i]!.color })))
}

const SEED_STYLES = 0x57a1
test(`property: codes with any module and finder style read back at every scale from 1 px per module (${seedLabel(SEED_STYLES)})`, async (t) => {
  let decoded = 0
  await fc.assert(
    fc.asyncProperty(
      qrInputArb(['ascii', 'digits', 'unicode']),
      fc.record({
        modules: fc.constantFrom('square', 'rounded', 'dots', 'extra-rounded', 'classy', 'classy-rounded') as fc.Arbitrary<ModuleStyle>,
        finder: fc.constantFrom('square', 'rounded', 'extra-rounded', 'dot') as fc.Arbitrary<FinderStyle>,
      }),
      INKS_ARB,
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom<Format>('png', 'webp', 'svg'),
      async (input, style, color, scale, margin, format) => {
        const data = qrDataOf(input)
        const outcome = attempt(() => createSync(data))
        if (!outcome.ok) {
          if (!TOO_LONG.includes(outcome.error.code as string)) throw outcome.error
          return
        }
        // An SVG has no pixels to fall back to plainer shapes by, as images do under 3 px a
        // module: near-circular finders and corners a module in radius rendered (by resvg, at
        // twice its size) at 2 px a module are missed, so those SVGs are 2 px a module or more.
        const wide = ['extra-rounded', 'dot'].includes(style.finder) || ['extra-rounded', 'classy-rounded'].includes(style.modules)
        const options = { scale: format === 'svg' && wide ? Math.max(scale, 2) : scale, margin, style, color }
        const label = `${describe(input)} as ${format}, ${JSON.stringify(options)}, version ${outcome.value.version}`
        const made = await makeImage(data, options, { format, name: 0, via: 'toBuffer', sync: true })
        let result: ReadResult
        try {
          result = await readImage(made, format)
        } catch (error) {
          throw new Error(`${label}: ${(error as Error).message}`)
        }
        checkReading(result, input, outcome.value, undefined, label)
        decoded++
      },
    ),
    params(SEED_STYLES, 60),
  )
  t.true(decoded > 0)
})

const SEED_JAPANESE = 0x3a9a
test(`property: Japanese text (kana, kanji, full-width forms, Shift_JIS look-alikes) reads back as exactly the text (${seedLabel(SEED_JAPANESE)})`, async (t) => {
  let decoded = 0
  await fc.assert(
    fc.asyncProperty(
      qrInputArb(['japanese']),
      fc.record({ errorCorrectionLevel: fc.constantFrom<ErrorCorrectionLevel>('L', 'M', 'Q', 'H'), eci: fc.constantFrom<'auto' | boolean>('auto', true, false) }, { requiredKeys: [] }),
      fc.constantFrom<Format>('png', 'svg', 'webp'),
      async (input, options, format) => {
        const data = qrDataOf(input)
        const label = `${describe(input)} as ${format}, ${JSON.stringify(options)}`
        const outcome = attempt(() => createSync(data, options))
        checkCapacity(data, options, outcome, label)
        if (!outcome.ok) return
        const made = await makeImage(data, options, { format, name: 0, via: 'toBuffer', sync: false })
        checkReading(await readImage(made, format), input, outcome.value, options.eci, label)
        decoded++
      },
    ),
    params(SEED_JAPANESE, 60),
  )
  t.true(decoded > 0)
})

// =============================================================================================
// QR codes: segments and modules

const SEED_SEGMENTS = 0x5e65
test(`property: create().segments spell out exactly the input text, in modes that can write it (${seedLabel(SEED_SEGMENTS)})`, async (t) => {
  let runs = 0
  await fc.assert(
    fc.property(
      qrInputArb(['unicode', 'ascii', 'digits', 'alphanumeric', 'japanese']),
      fc.constantFrom<'auto' | boolean>('auto', true, false),
      (input, eci) => {
        if (input.kind === 'bytes') return
        const outcome = attempt(() => createSync(input.text, { errorCorrectionLevel: 'L', eci }))
        if (!outcome.ok) {
          if (!TOO_LONG.includes(outcome.error.code as string)) throw outcome.error
          return
        }
        runs++
        const { segments } = outcome.value
        const joined = segments.map((segment) => (typeof segment.data === 'string' ? segment.data : `<bytes ${Buffer.from(segment.data).toString('hex')}>`)).join('')
        equal(joined, input.text, `segments ${JSON.stringify(segments)}`)
        for (const { mode, data } of segments) {
          const text = String(data)
          if (mode === 'numeric' && !/^[0-9]+$/.test(text)) throw new Error(`numeric segment ${JSON.stringify(text)}`)
          if (mode === 'alphanumeric' && ![...text].every((char) => ALPHANUMERIC.includes(char))) throw new Error(`alphanumeric segment ${JSON.stringify(text)}`)
        }
      },
    ),
    params(SEED_SEGMENTS, 500),
  )
  t.true(runs > 0)
})

interface NodeSymbol {
  version: number
  maskPattern: number
  modules: { size: number; data: Uint8Array }
  segments: Array<{ mode: { id: string }; data: string | Uint8Array }>
}

/** node-qrcode's symbol, or undefined when it throws. */
function nodeCreate(input: Parameters<typeof QRCode.create>[0], options: { version?: number; errorCorrectionLevel: Level; maskPattern?: number }): NodeSymbol | { error: Error } {
  try {
    return QRCode.create(input, { ...options, toSJISFunc: toSJIS } as Parameters<typeof QRCode.create>[1]) as unknown as NodeSymbol
  } catch (error) {
    return { error: error as Error }
  }
}

/** Segments as comparable strings: mode and data (byte mode as hex of its bytes). */
const ourSegmentKeys = (symbol: QrSymbol) => symbol.segments.map(({ mode, data }) => `${mode}:${mode === 'byte' ? Buffer.from(typeof data === 'string' ? utf8(data) : data).toString('hex') : data}`)
const nodeSegmentKeys = (symbol: NodeSymbol) =>
  symbol.segments.map(({ mode, data }) => `${mode.id.toLowerCase()}:${mode.id === 'Byte' ? Buffer.from(typeof data === 'string' ? utf8(data) : data).toString('hex') : data}`)

function sameModules(ours: QrSymbol, theirs: NodeSymbol, label: string) {
  equal(ours.size, theirs.modules.size, `${label}: size`)
  const at = ours.modules.findIndex((module, i) => module !== theirs.modules.data[i])
  if (at >= 0) throw new Error(`${label}: module (x ${at % ours.size}, y ${Math.floor(at / ours.size)}) is ${ours.modules[at]}, node-qrcode's ${theirs.modules.data[at]}`)
}

const SEED_MODULES = 0x30de
test(`property: createSync's modules equal node-qrcode's for the same segments, version, level and mask (${seedLabel(SEED_MODULES)})`, async (t) => {
  const stats = { explicit: 0, nodeLacksKanji: 0, sameSegments: 0, differentSegments: 0, nodeThrew: 0, runs: 0 }
  await fc.assert(
    fc.property(
      qrInputArb(['unicode', 'ascii', 'digits', 'alphanumeric', 'japanese', 'bytes']),
      fc.constantFrom<Level>('L', 'M', 'Q', 'H'),
      fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
      (input, level, maskPattern) => {
        stats.runs++
        const data = qrDataOf(input)
        // node-qrcode writes no ECI.
        const options = { errorCorrectionLevel: level, eci: false, ...(maskPattern === undefined ? {} : { maskPattern }) }
        const outcome = attempt(() => createSync(data, options))
        if (!outcome.ok) {
          if (!TOO_LONG.includes(outcome.error.code as string)) throw outcome.error
          return
        }
        const ours = outcome.value
        const label = `${describe(input)} at ${ours.version}-${level} mask ${ours.maskPattern} [${ourSegmentKeys(ours).join(', ').slice(0, 200)}]`

        // 1. node-qrcode given our segments, version and mask: every module the same.
        const kanjiNodeLacks = ours.segments.some(({ mode, data }) => mode === 'kanji' && [...String(data)].some((char) => toSJIS(char) === undefined))
        if (kanjiNodeLacks) stats.nodeLacksKanji++
        else {
          const segments = ours.segments.map(({ mode, data }) => ({ mode, data: mode === 'byte' ? Buffer.from(typeof data === 'string' ? utf8(data) : data) : data }))
          const theirs = nodeCreate(segments as Parameters<typeof QRCode.create>[0], { version: ours.version, errorCorrectionLevel: level, maskPattern: ours.maskPattern })
          if ('error' in theirs) throw new Error(`${label}: node-qrcode threw ${theirs.error.message} for our segments`)
          sameModules(ours, theirs, `${label}, node-qrcode given the same segments`)
          stats.explicit++
        }

        // 2. node-qrcode's own segmentation of the same text: when it chose the same segments,
        // it must choose the same version, and with the same mask the same modules.
        const theirs = nodeCreate(input.kind === 'bytes' ? [{ data: input.spec.bytes, mode: 'byte' }] : input.text, { errorCorrectionLevel: level, ...(maskPattern === undefined ? {} : { maskPattern }) })
        if ('error' in theirs) {
          stats.nodeThrew++
          return
        }
        if (ourSegmentKeys(ours).join('|') !== nodeSegmentKeys(theirs).join('|')) {
          stats.differentSegments++
          return
        }
        stats.sameSegments++
        equal(ours.version, theirs.version, `${label}: version, for node-qrcode's own choice of the same segments`)
        if (ours.maskPattern === theirs.maskPattern) sameModules(ours, theirs, `${label}, node-qrcode's own segmentation`)
      },
    ),
    params(SEED_MODULES, 250),
  )
  t.log(JSON.stringify(stats))
  t.true(stats.explicit >= stats.runs / 2, 'most symbols were compared with node-qrcode given the same segments')
  t.true(stats.sameSegments >= stats.runs / 4, "many symbols were compared with node-qrcode's own segmentation")
})
