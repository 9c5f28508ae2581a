// An input catalogue. Every export of qrhash and qrhash/compat, at every argument position and
// option key, gets missing, wrong-typed, non-finite, negative, fractional and huge values, detached
// buffers and views of them, empty views, ill-formed Unicode, NUL bytes, data exactly at and one
// past a QR code's capacity, throwing getters, Proxies, frozen objects and unknown keys. Each one
// is either refused (a TypeError, RangeError or coded Error that names the argument, rejected by
// the async function and thrown by its …Sync twin) or accepted and checked against an oracle:
// node:crypto for hashes, zxing and node-qrcode for QR codes. errors.spec.ts holds the hand-picked
// cases with exact messages; this file sweeps the whole space in generated tables.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { inspect, isDeepStrictEqual } from 'node:util'

import avaTest from 'ava'
import nodeQrcode from 'qrcode'

import QRCode from '../compat.js'
import type { Callback } from '../compat.js'
import * as qrhash from '../index.js'
import * as internal from './helpers/internal.js'
import { zxingRead } from './helpers/decode.js'

type AnyFn = (...args: unknown[]) => unknown
const api = qrhash as unknown as Record<string, AnyFn>
const compat = QRCode as unknown as Record<string, AnyFn>

// ---------------------------------------------------------------------------------------------
// The checks every case shares

/**
 * Soft assertions: a catalogue test runs every one of its cases and then fails once, listing
 * every case that went wrong (AVA's own assertions stop a test at its first failure).
 */
class Checks {
  readonly problems: string[] = []
  count = 0
  private record(ok: boolean, message: string): boolean {
    this.count++
    if (!ok) this.problems.push(message)
    return ok
  }
  is(actual: unknown, expected: unknown, message = 'is') {
    return this.record(Object.is(actual, expected), `${message} (got ${show(actual)}, wanted ${show(expected)})`)
  }
  deepEqual(actual: unknown, expected: unknown, message = 'deepEqual') {
    return this.record(isDeepStrictEqual(actual, expected), `${message} (got ${show(actual)}, wanted ${show(expected)})`)
  }
  true(value: boolean, message = 'true') {
    return this.record(value === true, message)
  }
  false(value: boolean, message = 'false') {
    return this.record(value === false, message)
  }
  regex(text: string, pattern: RegExp, message = 'regex') {
    return this.record(pattern.test(text), `${message} (${show(text)} does not match ${pattern})`)
  }
  notRegex(text: string, pattern: RegExp, message = 'notRegex') {
    return this.record(!pattern.test(text), message)
  }
  fail(message: string) {
    this.record(false, message)
  }
}

let totalChecks = 0
type Body = (t: Checks) => unknown
function register(run: typeof avaTest.serial, title: string, body: Body) {
  run(title, async (t) => {
    const checks = new Checks()
    try {
      await body(checks)
    } catch (error) {
      checks.problems.push(`the test threw: ${show(error)}`)
    }
    totalChecks += checks.count
    t.deepEqual(checks.problems, [], `${checks.problems.length} of ${checks.count} checks failed`)
    t.true(checks.count > 0, 'the test checked something')
  })
}
const test = Object.assign((title: string, body: Body) => register(avaTest, title, body), {
  serial: (title: string, body: Body) => register(avaTest.serial, title, body),
})
avaTest.after.always(() => {
  console.log(`inputs.spec.ts: ${totalChecks} checks`)
})

type ErrorName = 'TypeError' | 'RangeError' | 'Error'
interface Refusal {
  name: ErrorName
  code: string
  /** The message must contain each of these (the argument's name, at least). */
  mentions: string[]
  /**
   * The value given, when the message should show it. Plain numbers and printable strings are
   * always checked; `strict` also checks how non-finite and exponent-form numbers are written and
   * that control characters are escaped (dedicated tests sweep those).
   */
  given?: { value: unknown; strict?: boolean }
}

function refusal(name: ErrorName, code: string, mentions: string | string[], given: unknown[]): Refusal {
  return { name, code, mentions: [mentions].flat(), ...(given.length > 0 ? { given: { value: given[0] } } : {}) }
}
/** A wrong type. Pass the value given (if any) to have the message checked for it. */
const typeErr = (mentions: string | string[], ...given: unknown[]) => refusal('TypeError', 'ERR_INVALID_ARG_TYPE', mentions, given)
/** A number out of its range. */
const outOfRange = (mentions: string | string[], ...given: unknown[]) => refusal('RangeError', 'ERR_OUT_OF_RANGE', mentions, given)
/** A value of the right type that is not one of those allowed. */
const badValue = (mentions: string | string[], ...given: unknown[]) => refusal('RangeError', 'ERR_INVALID_ARG_VALUE', mentions, given)
/** An option key that does not exist. */
const unknownKey = (mentions: string) => refusal('TypeError', 'ERR_INVALID_ARG_VALUE', mentions, [])
/** `expected` with its value checked strictly: how numbers are written, control characters escaped. */
const strictly = (expected: Refusal): Refusal => ({ ...expected, given: { value: expected.given?.value, strict: true } })
const tooLong = (mentions: string) => refusal('RangeError', 'ERR_QR_DATA_TOO_LONG', mentions, [])

const CLASSES: Record<ErrorName, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor> = { TypeError, RangeError, Error }

/** Raw N-API, napi-rs or Rust text that must never reach a message. */
const RAW = /napi|Failed to|TypedArray info|rust type|called `(Result|Option)::unwrap|panicked at|get_named_property|\(os error \d+\)/i

const NOTHING = Symbol('nothing was thrown')
const show = (value: unknown) => (value === NOTHING ? 'no error' : inspect(value, { depth: 1, maxStringLength: 60, maxArrayLength: 4, breakLength: Infinity }))

function attempt(call: () => unknown): unknown {
  try {
    call()
    return NOTHING
  } catch (error) {
    return error
  }
}

function checkRefusal(t: Checks, error: unknown, expected: Refusal, label: string) {
  if (!(error instanceof Error)) {
    t.fail(`${label}: wanted a ${expected.name} with code ${expected.code}, got ${show(error)}`)
    return
  }
  const { message } = error
  const { code } = error as Error & { code?: unknown }
  t.is(error.name, expected.name, `${label}: ${error.name} ${String(code)}: ${message}`)
  t.true(error instanceof CLASSES[expected.name], `${label}: an instance of ${expected.name}`)
  t.is(code, expected.code, `${label}: the code of "${message}"`)
  for (const mention of expected.mentions) t.true(message.includes(mention), `${label}: "${message}" names ${mention}`)
  t.notRegex(message, RAW, `${label}: no raw napi or Rust text in "${message}"`)
  if (expected.given === undefined) return
  const { value, strict = false } = expected.given
  const plainNumber = typeof value === 'number' && Number.isFinite(value) && !/e/.test(String(value))
  if (typeof value === 'number' && !Object.is(value, -0) && (plainNumber || strict)) {
    t.true(message.includes(`the number ${String(value)}`), `${label}: "${message.slice(0, 160)}" shows the number given as JavaScript writes it, ${String(value)}`)
  }
  if (typeof value === 'string' && value.length <= 40) {
    if (/^[\x20-\x7e]*$/.test(value)) {
      t.true(message.includes(`'${value}'`), `${label}: "${message}" quotes the string given, '${value}'`)
    } else if (strict && /[\x00-\x1f\x7f]/.test(value)) {
      t.notRegex(message, /[\x00-\x1f\x7f]/, `${label}: ${JSON.stringify(message)} has no raw control characters`)
      const escaped = [JSON.stringify(value).slice(1, -1), inspect(value).slice(1, -1)]
      t.true(escaped.some((form) => message.includes(form)), `${label}: ${JSON.stringify(message)} shows the string given, escaped: ${escaped.join(' or ')}`)
    }
  }
}

/**
 * `fn(...args)` returns a Promise (never throwing synchronously) that rejects as `expected`
 * says, and `fnSync(...args)`, if there is one, throws the same: class, code and message.
 */
async function refuses(t: Checks, fn: string, args: unknown[], expected: Refusal, label: string, module = api) {
  let promise: unknown
  const thrown = attempt(() => {
    promise = module[fn]!(...args)
  })
  t.is(thrown, NOTHING, `${label}: ${fn} threw synchronously instead of rejecting: ${show(thrown)}`)
  let asyncError = thrown
  if (thrown === NOTHING) {
    t.true(promise instanceof Promise, `${label}: ${fn} returns a Promise`)
    asyncError = await Promise.resolve(promise).then(
      () => NOTHING,
      (error: unknown) => error,
    )
  }
  checkRefusal(t, asyncError, expected, `${label} (${fn})`)
  const twin = module === api ? api[`${fn}Sync`] : undefined
  if (twin === undefined) return
  const syncError = attempt(() => twin(...args))
  checkRefusal(t, syncError, expected, `${label} (${fn}Sync)`)
  if (asyncError instanceof Error && syncError instanceof Error) {
    t.is(syncError.message, asyncError.message, `${label}: ${fn}Sync throws what ${fn} rejects with`)
  }
}

/** A function with no async twin (sha256Into, methods) throws as `expected` says. */
function throwsSync(t: Checks, call: () => unknown, expected: Refusal, label: string) {
  checkRefusal(t, attempt(call), expected, label)
}

/** The caller's own exception (`thrown`, any value) comes back unchanged: rejected, and thrown by the twin. */
async function passesThrough(t: Checks, fn: string, args: unknown[], thrown: unknown, label: string, module = api) {
  let promise: unknown
  const syncThrown = attempt(() => {
    promise = module[fn]!(...args)
  })
  t.is(syncThrown, NOTHING, `${label}: ${fn} threw synchronously instead of rejecting: ${show(syncThrown)}`)
  if (syncThrown === NOTHING) {
    t.true(promise instanceof Promise, `${label}: ${fn} returns a Promise`)
    const rejection = await Promise.resolve(promise).then(
      () => NOTHING,
      (error: unknown) => error,
    )
    t.is(rejection, thrown, `${label}: ${fn} rejects with the very value thrown (${show(thrown)}), got ${show(rejection)}`)
  }
  const twin = module === api ? api[`${fn}Sync`] : undefined
  if (twin !== undefined) {
    const syncError = attempt(() => twin(...args))
    t.is(syncError, thrown, `${label}: ${fn}Sync throws the very value thrown (${show(thrown)}), got ${show(syncError)}`)
  }
}

/** What a call produced, comparable with deepEqual: toFile's is the file it wrote. */
function resultOf(fn: string, args: unknown[], value: unknown): unknown {
  return fn.startsWith('toFile') ? readFileSync(args[0] as string) : value
}

/** `fn(...args)` and its twin succeed with the same result as `fn(...referenceArgs)`. */
async function sameAs(t: Checks, fn: string, args: unknown[], referenceArgs: unknown[], label: string) {
  const reference = resultOf(fn, referenceArgs, await api[fn]!(...referenceArgs))
  const value = await Promise.resolve(api[fn]!(...args)).then(
    (result) => resultOf(fn, args, result),
    (error: unknown) => ({ refused: show(error) }),
  )
  t.deepEqual(value, reference, `${label} (${fn})`)
  const twin = api[`${fn}Sync`]
  if (twin === undefined) return
  let syncValue: unknown
  const thrown = attempt(() => {
    syncValue = resultOf(fn, args, twin(...args))
  })
  t.deepEqual(thrown === NOTHING ? syncValue : { refused: show(thrown) }, reference, `${label} (${fn}Sync)`)
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const dir = mkdtempSync(join(tmpdir(), 'qrhash-inputs-'))
avaTest.after.always(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshPath = (extension = 'png') => join(dir, `out-${files++}.${extension}`)
const FILE = join(dir, 'abc.txt')
writeFileSync(FILE, 'abc')

const digestOf = (data: Uint8Array | string) => createHash('sha256').update(typeof data === 'string' ? Buffer.from(data) : data).digest()
const EMPTY_DIGEST = createHash('sha256').digest()
/** Three 64-byte records. */
const RECORDS = Buffer.from(Array.from({ length: 192 }, (_, i) => (i * 7) & 0xff))
/** A small, valid PNG to use as a logo. */
const LOGO = qrhash.toBufferSync('logo', { margin: 1, scale: 2 })

function detachedBuffer(size = 64): ArrayBuffer {
  const buffer = new ArrayBuffer(size)
  structuredClone(buffer, { transfer: [buffer] })
  return buffer
}
/** A detached ArrayBuffer and views of every kind over one. */
function detachedInputs(): Array<[string, unknown]> {
  const buffer = new ArrayBuffer(64)
  const views: Array<[string, unknown]> = [
    ['a detached ArrayBuffer', buffer],
    ['a Uint8Array over a detached buffer', new Uint8Array(buffer, 8, 16)],
    ['a Float64Array over a detached buffer', new Float64Array(buffer)],
    ['a DataView over a detached buffer', new DataView(buffer, 4)],
    ['a Buffer over a detached buffer', Buffer.from(buffer, 0, 32)],
  ]
  structuredClone(buffer, { transfer: [buffer] })
  return views
}

type ResizableBuffer = ArrayBuffer & { resize(length: number): void }
const resizable = (length: number, maxByteLength: number) =>
  new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ResizableBuffer)(length, { maxByteLength })

/** Empty binary inputs of every kind, including views at the end of a buffer and of a shrunk resizable one. */
function emptyInputs(): Array<[string, unknown]> {
  const shrunk = resizable(8, 64)
  const tracking = new Uint8Array(shrunk)
  shrunk.resize(0)
  return [
    ['Buffer.alloc(0)', Buffer.alloc(0)],
    ['new Uint8Array(0)', new Uint8Array(0)],
    ['a zero-length view at the end of a buffer', new Uint8Array(new ArrayBuffer(16), 16, 0)],
    ['new Float64Array(0)', new Float64Array(0)],
    ['new BigInt64Array(0)', new BigInt64Array(0)],
    ['an empty DataView', new DataView(new ArrayBuffer(0))],
    ['a zero-length DataView inside a buffer', new DataView(new ArrayBuffer(8), 3, 0)],
    ['new ArrayBuffer(0)', new ArrayBuffer(0)],
    ['new SharedArrayBuffer(0)', new SharedArrayBuffer(0)],
    ['a zero-length view of a SharedArrayBuffer', new Uint8Array(new SharedArrayBuffer(8), 4, 0)],
    ['a resizable ArrayBuffer shrunk to 0', shrunk],
    ['a length-tracking view of it', tracking],
  ]
}

/** Strings that are not well-formed UTF-16, or hold NUL: Buffer.from() makes U+FFFD of a lone surrogate. */
const ODD_STRINGS: Array<[string, string]> = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate before text', '\udc00x'],
  ['a lone surrogate inside text', 'a\ud800b'],
  ['an emoji then a cut-off one', '\ud83d\ude00\ud83d'],
  ['a NUL byte inside text', 'x\0y'],
  ['a single NUL', '\0'],
  ['a hundred NULs', '\0'.repeat(100)],
]

/** Values of every type but strings and binary views. */
const NOT_BINARY: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['the number 42', 42],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['a huge number', 1e300],
  ['a boolean', true],
  ['a bigint', 10n],
  ['a symbol', Symbol('input')],
  ['a function', () => 'abc'],
  ['a plain object', { length: 3 }],
  ['a boxed string', new String('abc')],
  ['a Date', new Date(0)],
  ['a Proxy of a Buffer', new Proxy(Buffer.from('abc'), {})],
]
/** Their labels and values, with the array cases for positions where an array is wrong too. */
const NOT_BINARY_OR_ARRAY: Array<[string, unknown]> = [...NOT_BINARY, ['an array of numbers', [1, 2, 3]], ['an empty array', []]]

/** Values that are not a plain options object. */
const NOT_OBJECTS: Array<[string, unknown]> = [
  ['the number 42', 42],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['a string', 'M'],
  ['an empty string', ''],
  ['a boolean', true],
  ['a bigint', 10n],
  ['a symbol', Symbol('options')],
  ['a function', () => ({})],
  ['an array', []],
]

/** Values that are not numbers. */
const NOT_NUMBERS: Array<[string, unknown]> = [
  ['a numeric string', '4'],
  ['an empty string', ''],
  ['a boolean', true],
  ['a bigint', 4n],
  ['a symbol', Symbol('number')],
  ['a function', () => 4],
  ['an object', {}],
  ['an array', [4]],
  ['a boxed number', new Number(4)],
  ['null', null],
]

/** Values that are not strings. */
const NOT_STRINGS: Array<[string, unknown]> = [
  ['a number', 1],
  ['NaN', Number.NaN],
  ['a boolean', true],
  ['a bigint', 1n],
  ['a symbol', Symbol('string')],
  ['a function', () => 'M'],
  ['an object', {}],
  ['an array', ['M']],
  ['a boxed string', new String('M')],
  ['null', null],
]

/** Values that are not booleans. */
const NOT_BOOLEANS: Array<[string, unknown]> = [
  ['the number 1', 1],
  ['the number 0', 0],
  ["the string 'true'", 'true'],
  ['a bigint', 1n],
  ['a symbol', Symbol('boolean')],
  ['a function', () => true],
  ['an object', {}],
  ['an array', [true]],
  ['a boxed boolean', new Boolean(true)],
  ['null', null],
]

/** Values that are not objects, for nested option objects (`color`, `style`, …). */
const NOT_NESTED_OBJECTS: Array<[string, unknown]> = [
  ['a number', 1],
  ['NaN', Number.NaN],
  ['a string', '#000'],
  ['a boolean', true],
  ['a bigint', 1n],
  ['a symbol', Symbol('object')],
  ['a function', () => ({})],
  ['an array', []],
]

/** Values that are not AbortSignals. (A duck-typed signal, with aborted and addEventListener, is accepted: errors.spec.ts relies on it.) */
const NOT_SIGNALS: Array<[string, unknown]> = [
  ['null', null],
  ['a plain object', {}],
  ['an EventTarget', new EventTarget()],
  ['an AbortController', new AbortController()],
  ['a string', 'abort'],
  ['a number', 1],
  ['a function', () => {}],
]

/** Values that are not functions. */
const NOT_FUNCTIONS: Array<[string, unknown]> = [
  ['null', null],
  ['a number', 1],
  ['a string', 'log'],
  ['an object', {}],
  ['an array', []],
  ['a bigint', 1n],
  ['a symbol', Symbol('callback')],
]

/** Numbers outside [min, max] (or fractional, when an integer is wanted), each with a label. */
function outside(min: number, max: number, integer: boolean): Array<[string, number]> {
  const candidates: Array<[string, number]> = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['one below the minimum', min - 1],
    ['one above the maximum', max + 1],
    ['-1', -1],
    ['a fraction inside the range', integer ? min + 0.5 : Number.NaN],
    ['2^31', 2 ** 31],
    ['2^31 + 1', 2 ** 31 + 1],
    ['2^32', 2 ** 32],
    ['2^53', 2 ** 53],
    ['1e21', 1e21],
    ['1e300', 1e300],
    ['-1e300', -1e300],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['Number.EPSILON', Number.EPSILON],
  ]
  const seen = new Set<number>()
  return candidates.filter(([, value]) => {
    if (seen.has(value) || (Number.isNaN(value) && seen.has(Number.NaN))) return false
    seen.add(value)
    if (Number.isNaN(value)) return true
    return value < min || value > max || (integer && !Number.isInteger(value))
  })
}

// ---------------------------------------------------------------------------------------------
// The functions, by the arguments they take

interface Target {
  fn: string
  /** The call's arguments with `options` appended as given: `args()` passes none at all. */
  args: (...options: unknown[]) => unknown[]
}

const HASH_TARGETS: Target[] = [
  { fn: 'sha256', args: (...o) => ['abc', ...o] },
  { fn: 'sha256Batch', args: (...o) => [RECORDS, ...o] },
  { fn: 'sha256Many', args: (...o) => [['abc', 'de'], ...o] },
  { fn: 'sha256Iterate', args: (...o) => ['abc', 3, ...o] },
  { fn: 'sha256MerkleRoot', args: (...o) => [RECORDS, ...o] },
  { fn: 'sha256File', args: (...o) => [FILE, ...o] },
]
const IMAGE_TARGETS: Target[] = [
  { fn: 'createQr', args: (...o) => ['inputs', ...o] },
  { fn: 'toDataURL', args: (...o) => ['inputs', ...o] },
  { fn: 'toBuffer', args: (...o) => ['inputs', ...o] },
  { fn: 'toString', args: (...o) => ['inputs', ...o] },
  { fn: 'toFile', args: (...o) => [freshPath(), 'inputs', ...o] },
  { fn: 'createQrBatch', args: (...o) => [['inputs', 'more'], ...o] },
]
const CREATE_TARGET: Target = { fn: 'create', args: (...o) => ['inputs', ...o] }
const SEQUENCE_TARGETS: Target[] = ['createQrSequence', 'toBufferSequence', 'toStringSequence', 'createSequence'].map((fn) => ({
  fn,
  args: (...o) => ['inputs', ...o],
}))
const QR_TARGETS = [...IMAGE_TARGETS, CREATE_TARGET, ...SEQUENCE_TARGETS]
/** The QR functions of one code: they take segment lists, Micro QR, and at most one code's data. */
const SINGLE_TARGETS = [...IMAGE_TARGETS, CREATE_TARGET]
const ALL_TARGETS = [...HASH_TARGETS, ...QR_TARGETS]
const target = (fn: string) => ALL_TARGETS.find((candidate) => candidate.fn === fn)!

/** The option keys each function reads. */
const CREATE_KEYS = ['version', 'errorCorrectionLevel', 'maskPattern', 'eci', 'gs1', 'applicationIndicator', 'micro', 'rmqr', 'signal']
const IMAGE_KEYS = [...CREATE_KEYS, 'margin', 'scale', 'width', 'color', 'type', 'rendererOpts', 'small', 'style', 'logo']
const KEYS: Record<string, string[]> = {
  sha256: ['encoding', 'signal'],
  sha256Batch: ['recordSize', 'output', 'signal', 'onProgress'],
  sha256Many: ['encoding', 'signal'],
  sha256Iterate: ['encoding', 'signal'],
  sha256MerkleRoot: ['encoding', 'recordSize', 'signal', 'onProgress'],
  sha256File: ['encoding', 'signal', 'onProgress'],
  create: CREATE_KEYS,
  ...Object.fromEntries(IMAGE_TARGETS.map(({ fn }) => [fn, IMAGE_KEYS])),
  createQrSequence: [...IMAGE_KEYS, 'symbols'],
  toBufferSequence: [...IMAGE_KEYS, 'symbols'],
  toStringSequence: [...IMAGE_KEYS, 'symbols'],
  createSequence: [...CREATE_KEYS, 'symbols'],
}
const ALL_HASH_KEYS = ['encoding', 'signal', 'recordSize', 'output', 'onProgress']

test('the catalogue covers every function qrhash and qrhash/compat export', (t) => {
  const covered = new Set([...ALL_TARGETS.map(({ fn }) => fn), 'sha256Into', 'Sha256Hasher', 'Sha256', 'createSha256', 'cancelAll', 'setPoolShare', 'getPoolShare', '__poolStats', '__napiBindingTarget'])
  // Node 22.12+ adds 'module.exports' when a CommonJS module is imported from ESM.
  for (const name of Object.keys(qrhash).filter((name) => name !== 'default' && name !== 'module.exports')) {
    t.true(covered.has(name.replace(/Sync$/, '')), `${name} has cases here`)
  }
  t.deepEqual(Object.keys(QRCode).sort(), ['create', 'toBuffer', 'toCanvas', 'toDataURL', 'toFile', 'toFileStream', 'toString'])
})

// ---------------------------------------------------------------------------------------------
// Missing arguments, and every wrong type at every positional argument

test('every function called with no arguments names its first argument', async (t) => {
  const first: Record<string, string> = {
    sha256: 'input', sha256Batch: 'input', sha256Iterate: 'input', sha256MerkleRoot: 'input', sha256Many: 'inputs',
    sha256File: 'path', toFile: 'path', createQrBatch: 'texts',
    create: 'text', createQr: 'text', toDataURL: 'text', toBuffer: 'text', toString: 'text',
    createQrSequence: 'text', toBufferSequence: 'text', toStringSequence: 'text', createSequence: 'text',
  }
  for (const { fn } of ALL_TARGETS) await refuses(t, fn, [], typeErr(first[fn]!, undefined), 'no arguments')
  throwsSync(t, () => qrhash.sha256Into(...([] as unknown as [string, Buffer])), typeErr('input', undefined), 'sha256Into()')
  throwsSync(t, () => qrhash.sha256Into(...(['abc'] as unknown as [string, Buffer])), typeErr('output', undefined), "sha256Into('abc')")
  await refuses(t, 'sha256Iterate', ['abc'], typeErr('rounds', undefined), 'no rounds')
  await refuses(t, 'toFile', [freshPath()], typeErr('text', undefined), 'no text')
})

for (const fn of ['sha256', 'sha256Batch', 'sha256MerkleRoot', 'sha256Iterate']) {
  test(`${fn}: input of every wrong type is a TypeError naming input`, async (t) => {
    for (const [label, value] of NOT_BINARY_OR_ARRAY) {
      await refuses(t, fn, fn === 'sha256Iterate' ? [value, 1] : [value], typeErr('input', value), label)
    }
  })
}

test('sha256Into: input and output of every wrong type are TypeErrors naming them', (t) => {
  for (const [label, value] of NOT_BINARY_OR_ARRAY) {
    throwsSync(t, () => qrhash.sha256Into(value as string, Buffer.alloc(32)), typeErr('input', value), `input ${label}`)
    throwsSync(t, () => qrhash.sha256Into('abc', value as Buffer), typeErr('output', value), `output ${label}`)
  }
  throwsSync(t, () => qrhash.sha256Into('abc', 'a string output' as unknown as Buffer), typeErr('output', 'a string output'), 'output a string')
  for (const size of [0, 1, 31]) {
    throwsSync(t, () => qrhash.sha256Into('abc', Buffer.alloc(size)), outOfRange(['output', '32']), `output of ${size} bytes`)
    throwsSync(t, () => qrhash.sha256Into('abc', new ArrayBuffer(size)), outOfRange(['output', '32']), `an ArrayBuffer output of ${size} bytes`)
  }
})

test('sha256Many: inputs that are not an array, or hold a wrong element, name inputs / inputs[i]', async (t) => {
  for (const [label, value] of NOT_BINARY) await refuses(t, 'sha256Many', [value], typeErr('inputs', value), `inputs ${label}`)
  for (const [label, value] of [['a string', 'abc'], ['a Buffer', Buffer.from('abc')], ['a Set', new Set(['abc'])]] as const) {
    await refuses(t, 'sha256Many', [value], typeErr('inputs'), `inputs ${label}`)
  }
  for (const [label, value] of NOT_BINARY_OR_ARRAY) await refuses(t, 'sha256Many', [['ok', value]], typeErr('inputs[1]', value), `inputs[1] ${label}`)
  await refuses(t, 'sha256Many', [['ok', , 'ok']], typeErr('inputs[1]'), 'a hole at inputs[1]')
})

test.serial('setPoolShare: threads of every wrong type, and out of 1..the pool size, name threads; a refused value changes nothing', (t) => {
  const before = qrhash.getPoolShare()
  for (const [label, value] of [['undefined', undefined], ['null', null], ...NOT_NUMBERS] as Array<[string, unknown]>) {
    throwsSync(t, () => qrhash.setPoolShare(value as number), typeErr('threads', value), label)
  }
  const { poolSize } = internal.__poolStats()
  for (const value of [0, -1, 1.5, poolSize + 1, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
    throwsSync(t, () => qrhash.setPoolShare(value), outOfRange('threads', value), String(value))
  }
  t.is(qrhash.getPoolShare(), before)
})

test('sha256Iterate: rounds of every wrong type, and out of 0..2^32-1, name rounds', async (t) => {
  for (const [label, value] of [...NOT_NUMBERS, ['undefined', undefined]] as Array<[string, unknown]>) {
    await refuses(t, 'sha256Iterate', ['abc', value], typeErr('rounds', value), label)
  }
  for (const [label, value] of outside(0, 2 ** 32 - 1, true)) {
    await refuses(t, 'sha256Iterate', ['abc', value], outOfRange('rounds', value), label)
  }
})

for (const { fn } of QR_TARGETS) {
  const name = fn === 'createQrBatch' ? 'texts[0]' : 'text'
  const wrap = (value: unknown) => (fn === 'createQrBatch' ? [[value]] : fn === 'toFile' ? [freshPath(), value] : [value])
  test(`${fn}: ${name} of every wrong type is a TypeError naming ${name}`, async (t) => {
    for (const [label, value] of NOT_BINARY) await refuses(t, fn, wrap(value), typeErr(name, value), label)
    // A sequence takes a string or bytes, not segments.
    if (SEQUENCE_TARGETS.some((sequence) => sequence.fn === fn)) {
      for (const list of [['ok', 'segments'], [{ data: '1', mode: 'numeric' }]]) await refuses(t, fn, [list], typeErr('text', list), 'a list of segments')
      return
    }
    // Lists of segments: a wrong element, a wrong data, a wrong mode, a nested list.
    const segmentCases: Array<[string, unknown, Refusal]> = [
      ['text[1] a number', ['ok', 1], typeErr(`${prefix(fn)}[1]`, 1)],
      ['text[0] null', [null], typeErr(`${prefix(fn)}[0]`, null)],
      ['text[0] a nested list', [['x']], typeErr(`${prefix(fn)}[0]`)],
      ['text[0].data missing', [{ mode: 'byte' }], typeErr(`${prefix(fn)}[0].data`, undefined)],
      ['text[0].data a number', [{ data: 5, mode: 'numeric' }], typeErr(`${prefix(fn)}[0].data`, 5)],
      ['text[0].data a symbol', [{ data: Symbol('d') }], typeErr(`${prefix(fn)}[0].data`)],
      ['text[0].mode a number', [{ data: '1', mode: 1 }], typeErr(`${prefix(fn)}[0].mode`, 1)],
      ['text[0].mode null', [{ data: '1', mode: null }], typeErr(`${prefix(fn)}[0].mode`, null)],
      ["text[0].mode 'binary'", [{ data: '1', mode: 'binary' }], badValue(`${prefix(fn)}[0].mode`, 'binary')],
      ['text[0] with an unknown key', [{ data: '1', kind: 'byte' }], unknownKey(`${prefix(fn)}[0].kind`)],
    ]
    for (const [label, value, expected] of segmentCases) await refuses(t, fn, wrap(value), expected, label)
  })
}
/** How QR functions name the segment list: `text`, or `texts[0]` in a batch. */
const prefix = (fn: string) => (fn === 'createQrBatch' ? 'texts[0]' : 'text')

test('createQrBatch: texts that are not an array name texts', async (t) => {
  for (const [label, value] of NOT_BINARY) await refuses(t, 'createQrBatch', [value], typeErr('texts', value), label)
  await refuses(t, 'createQrBatch', ['inputs'], typeErr('texts', 'inputs'), 'a string')
  await refuses(t, 'createQrBatch', [['ok', '']], refusal('RangeError', 'ERR_QR_EMPTY_INPUT', 'texts[1]', []), 'an empty text at [1]')
  await refuses(t, 'createQrBatch', [['ok', , 'ok']], typeErr('texts[1]'), 'a hole at [1]')
  t.deepEqual(await qrhash.createQrBatch([]), [], 'an empty batch is an empty result')
})

for (const fn of ['sha256File', 'toFile']) {
  const call = (path: unknown) => (fn === 'toFile' ? [path, 'inputs'] : [path])
  test(`${fn}: path of every wrong type names path; empty and NUL paths say what was wrong`, async (t) => {
    for (const [label, value] of NOT_BINARY_OR_ARRAY) await refuses(t, fn, call(value), typeErr('path', value), label)
    // A file: URL is a path, as in fs (hash-files and qr-outputs test it); other URLs are Node's errors.
    await refuses(t, fn, call(new URL('https://example.com/qr.png')), refusal('TypeError', 'ERR_INVALID_URL_SCHEME', 'file', []), 'an https: URL')
    for (const [label, value] of [['an empty string', ''], ['a string with a NUL byte', 'a\0b'], ['a NUL byte alone', '\0']] as const) {
      await refuses(t, fn, call(value), strictly(badValue('path', value)), label)
    }
    await refuses(t, fn, call(Buffer.alloc(0)), badValue('path'), 'an empty Buffer')
    await refuses(t, fn, call(Buffer.from('a\0b')), badValue('path'), 'a Buffer with a NUL byte')
  })
}

test("sha256File and toFile: fs errors keep fs's codes and name the path, in Node's words, not Rust's", async (t) => {
  const missing = join(dir, 'no-such-dir', 'file.png')
  const cases: Array<[string, unknown[], string]> = [
    ['sha256File of a missing file', [missing], 'ENOENT'],
    ['sha256File of a directory', [dir], 'EISDIR'],
    ['toFile into a missing directory', [missing, 'x'], 'ENOENT'],
    ['toFile onto a directory', [dir, 'x'], 'EISDIR'],
  ]
  for (const [label, args, code] of cases) {
    const fn = label.split(' ')[0]!
    await refuses(t, fn, args, refusal('Error', code, [args[0] as string, code], []), label)
  }
})

// ---------------------------------------------------------------------------------------------
// The options argument itself, and its keys

for (const { fn, args } of ALL_TARGETS) {
  test(`${fn}: options that are not an object are a TypeError naming options; null and undefined are the defaults`, async (t) => {
    for (const [label, value] of NOT_OBJECTS) {
      // Where `encoding` is an option, a string stands for it (sha256(data, 'hex')): 'M' is a bad encoding.
      const expected = typeof value === 'string' && KEYS[fn]!.includes('encoding') ? badValue(['options', 'hex'], value) : typeErr('options', value)
      await refuses(t, fn, args(value), expected, label)
    }
    await sameAs(t, fn, args(undefined), args(), 'options undefined')
    await sameAs(t, fn, args(null), args(), 'options null')
    await sameAs(t, fn, args({}), args(), 'options {}')
    for (const key of KEYS[fn]!) await sameAs(t, fn, args({ [key]: undefined }), args(), `options.${key} undefined is the same as leaving it out`)
  })

  test(`${fn}: an unknown option key is a TypeError naming it (options are strict)`, async (t) => {
    const foreign = new Set([...ALL_HASH_KEYS, ...IMAGE_KEYS, 'widht', 'algorithm', 'toSJISFunc', 'constructor', ''])
    for (const key of [...foreign].filter((key) => !KEYS[fn]!.includes(key))) {
      await refuses(t, fn, args({ [key]: 1 }), unknownKey(`options.${key}`), `options.${key}`)
    }
    // Beside valid ones, frozen, and nested.
    await refuses(t, fn, args(Object.freeze({ [KEYS[fn]![0]!]: undefined, widht: 200 })), unknownKey('options.widht'), 'beside a valid key, frozen')
  })
}

test('nested option objects refuse unknown keys too, naming the full path', async (t) => {
  const cases: Array<[object, string]> = [
    [{ color: { dakr: '#000' } }, 'options.color.dakr'],
    [{ style: { modulez: 'dots' } }, 'options.style.modulez'],
    [{ rendererOpts: { qualty: 0.5 } }, 'options.rendererOpts.qualty'],
    [{ logo: { image: LOGO, sise: 0.2 } }, 'options.logo.sise'],
  ]
  for (const { fn, args } of IMAGE_TARGETS) {
    for (const [options, name] of cases) await refuses(t, fn, args(options), unknownKey(name), name)
  }
})

// Numbers: every option that takes one, every target that reads it.
interface NumericOption {
  name: string
  targets: Target[]
  min: number
  max: number
  integer: boolean
  build: (value: unknown) => object
  /** Values outside the range that are listed by hand (exclusive bounds). */
  extra?: Array<[string, number]>
}
const NUMERIC_OPTIONS: NumericOption[] = [
  { name: 'options.scale', targets: IMAGE_TARGETS, min: 1, max: 256, integer: true, build: (scale) => ({ scale }) },
  { name: 'options.width', targets: IMAGE_TARGETS, min: 1, max: 16384, integer: true, build: (width) => ({ width }) },
  { name: 'options.margin', targets: IMAGE_TARGETS, min: 0, max: 128, integer: true, build: (margin) => ({ margin }) },
  { name: 'options.version', targets: QR_TARGETS, min: 1, max: 40, integer: true, build: (version) => ({ version }) },
  { name: 'options.maskPattern', targets: QR_TARGETS, min: 0, max: 7, integer: true, build: (maskPattern) => ({ maskPattern }) },
  {
    name: 'options.version',
    targets: SINGLE_TARGETS,
    min: 1,
    max: 4,
    integer: true,
    build: (version) => ({ version, micro: true }),
  },
  { name: 'options.maskPattern', targets: SINGLE_TARGETS, min: 0, max: 3, integer: true, build: (maskPattern) => ({ maskPattern, micro: true }) },
  { name: 'options.symbols', targets: SEQUENCE_TARGETS, min: 2, max: 16, integer: true, build: (symbols) => ({ symbols }) },
  {
    name: 'options.logo.size',
    targets: IMAGE_TARGETS.filter(({ fn }) => fn !== 'toString'),
    min: 0,
    max: 0.4,
    integer: false,
    build: (size) => ({ logo: { image: LOGO, size } }),
    extra: [['0 (the bound is exclusive)', 0]],
  },
  {
    name: 'options.rendererOpts.quality',
    targets: IMAGE_TARGETS.filter(({ fn }) => ['createQr', 'toDataURL', 'toBuffer', 'createQrBatch'].includes(fn)),
    min: 0,
    max: 1,
    integer: false,
    build: (quality) => ({ type: 'jpeg', rendererOpts: { quality } }),
  },
  { name: 'options.recordSize', targets: [target('sha256Batch'), target('sha256MerkleRoot')], min: 1, max: 2 ** 31, integer: true, build: (recordSize) => ({ recordSize }) },
]

for (const option of NUMERIC_OPTIONS) {
  for (const { fn, args } of option.targets) {
    const micro = option.build(1) as { micro?: boolean }
    const title = `${fn}: ${option.name}${micro.micro ? ' (micro)' : ''}: wrong types are TypeErrors, values outside ${option.min}..${option.max} RangeErrors (ERR_OUT_OF_RANGE)`
    test(title, async (t) => {
      for (const [label, value] of NOT_NUMBERS) await refuses(t, fn, args(option.build(value)), typeErr(option.name, value), label)
      for (const [label, value] of [...outside(option.min, option.max, option.integer), ...(option.extra ?? [])]) {
        await refuses(t, fn, args(option.build(value)), outOfRange(option.name, value), label)
      }
    })
  }
}

// Strings from a list: wrong types are TypeErrors; other strings RangeErrors.
interface EnumOption {
  name: string
  targets: Target[]
  build: (value: unknown) => object
  bad: string[]
  /** Types besides strings that are valid (eci takes booleans). */
  skipTypes?: string[]
}
const perType = (fn: string): string[] =>
  ({
    createQr: ['', 'bmp', 'svg', 'PNG', 'utf8', 'image/bmp', 'GIF'],
    toDataURL: ['', 'bmp', 'svg', 'PNG', 'utf8', 'image/bmp'],
    createQrBatch: ['', 'bmp', 'svg', 'PNG'],
    toBuffer: ['', 'bmp', 'PNG', 'image/bmp', 'text', 'image/GIF'],
    toFile: ['', 'bmp', 'PNG', 'image/bmp'],
    toString: ['', 'png', 'gif', 'image/gif', 'jpeg', 'UTF8'],
  })[fn] ?? []
const ENUM_OPTIONS: EnumOption[] = [
  { name: 'options.errorCorrectionLevel', targets: QR_TARGETS, build: (errorCorrectionLevel) => ({ errorCorrectionLevel }), bad: ['', 'Z', 'medium ', 'M\0', '\ud800', 'x'.repeat(100)] },
  { name: 'options.eci', targets: QR_TARGETS, build: (eci) => ({ eci }), bad: ['', 'utf8', 'AUTO', 'true'], skipTypes: ['a boolean'] },
  { name: 'options.rmqr', targets: QR_TARGETS, build: (rmqr) => ({ rmqr }), bad: ['', 'R8x43', 'R7x27', 'R13x78', '13x77', 'R7x43 ', 'true'], skipTypes: ['a boolean'] },
  { name: 'options.color.dark', targets: IMAGE_TARGETS, build: (dark) => ({ color: { dark } }), bad: ['', '#', 'red', '#ggg', '#12345', '#1234567', ' #000', '#000\0', '\ud800'] },
  { name: 'options.color.light', targets: IMAGE_TARGETS, build: (light) => ({ color: { light } }), bad: ['', '#fffff', 'white', '#00\n0'] },
  { name: 'options.color.finder', targets: IMAGE_TARGETS, build: (finder) => ({ color: { finder } }), bad: ['', 'green', '#0000000', '#000\0'] },
  { name: 'options.color.finderCenter', targets: IMAGE_TARGETS, build: (finderCenter) => ({ color: { finderCenter } }), bad: ['', 'red', '#12'] },
  { name: 'options.color.gradient.type', targets: IMAGE_TARGETS, build: (type) => ({ color: { gradient: { type, stops: [{ offset: 0, color: '#000' }, { offset: 1, color: '#000' }] } } }), bad: ['', 'conic', 'Linear', 'radial '] },
  { name: 'options.style.modules', targets: IMAGE_TARGETS, build: (modules) => ({ style: { modules } }), bad: ['', 'hearts', 'SQUARE', 'dots ', 'extraRounded', 'classy_rounded'] },
  { name: 'options.style.finder', targets: IMAGE_TARGETS, build: (finder) => ({ style: { finder } }), bad: ['', 'dots', 'Rounded', 'extra_rounded'] },
  ...['createQr', 'toDataURL', 'toBuffer', 'toString', 'toFile', 'createQrBatch'].map((fn) => ({
    name: 'options.type',
    targets: [target(fn)],
    build: (type: unknown) => ({ type }),
    bad: perType(fn),
  })),
  {
    name: 'options.encoding',
    targets: HASH_TARGETS.filter(({ fn }) => fn !== 'sha256Batch'),
    build: (encoding) => ({ encoding }),
    bad: ['', 'latin1', 'HEX', 'utf8', 'binary', 'hex\0'],
  },
]

for (const option of ENUM_OPTIONS) {
  for (const { fn, args } of option.targets) {
    test(`${fn}: ${option.name}: wrong types are TypeErrors, unknown strings RangeErrors`, async (t) => {
      for (const [label, value] of NOT_STRINGS.filter(([label]) => !option.skipTypes?.includes(label))) {
        await refuses(t, fn, args(option.build(value)), typeErr(option.name, value), label)
      }
      for (const value of option.bad) await refuses(t, fn, args(option.build(value)), badValue(option.name, value), JSON.stringify(value))
    })
  }
}

for (const [name, targets, build] of [
  ['options.micro', QR_TARGETS, (micro: unknown) => ({ micro })],
  ['options.small', IMAGE_TARGETS, (small: unknown) => ({ small, type: 'terminal' })],
] as const) {
  for (const { fn, args } of targets) {
    if (name === 'options.small' && fn !== 'toString') continue
    test(`${fn}: ${name}: anything but true or false is a TypeError`, async (t) => {
      for (const [label, value] of NOT_BOOLEANS) await refuses(t, fn, args(build(value)), typeErr(name, value), label)
    })
  }
}

for (const { fn, args } of IMAGE_TARGETS) {
  test(`${fn}: color, style, rendererOpts, logo: not objects are TypeErrors; null means "not set"`, async (t) => {
    for (const key of ['color', 'style', 'rendererOpts', 'logo']) {
      for (const [label, value] of NOT_NESTED_OBJECTS) await refuses(t, fn, args({ [key]: value }), typeErr(`options.${key}`, value), `${key} ${label}`)
      await sameAs(t, fn, args({ [key]: null }), args(), `options.${key} null is the same as leaving it out`)
      if (key !== 'logo') await sameAs(t, fn, args({ [key]: {} }), args(), `options.${key} {} is the same as leaving it out`)
    }
    for (const [label, value] of NOT_BINARY) {
      if (value === undefined) continue
      await refuses(t, fn, args({ logo: { image: value } }), typeErr('options.logo.image', value), `logo.image ${label}`)
    }
    await refuses(t, fn, args({ logo: {} }), typeErr('options.logo.image'), 'a logo without an image')
  })
}

for (const { fn, args } of ALL_TARGETS) {
  test(`${fn}: options.signal that is not an AbortSignal is a TypeError`, async (t) => {
    for (const [label, value] of NOT_SIGNALS) await refuses(t, fn, args({ signal: value }), typeErr('options.signal', value), label)
    await sameAs(t, fn, args({ signal: new AbortController().signal }), args(), 'a live signal changes nothing')
  })
}

for (const fn of ['sha256Batch', 'sha256MerkleRoot', 'sha256File']) {
  test(`${fn}: options.onProgress that is not a function is a TypeError`, async (t) => {
    for (const [label, value] of NOT_FUNCTIONS) await refuses(t, fn, target(fn).args({ onProgress: value }), typeErr('options.onProgress', value), label)
  })
}

test('sha256Batch: options.output of a wrong type, too small, or detached is refused naming options.output', async (t) => {
  for (const [label, value] of NOT_BINARY_OR_ARRAY) {
    if (value === undefined) continue
    await refuses(t, 'sha256Batch', [RECORDS, { output: value }], typeErr('options.output', value), label)
  }
  await refuses(t, 'sha256Batch', [RECORDS, { output: 'a string' }], typeErr('options.output', 'a string'), 'a string')
  for (const size of [0, 31, 95]) {
    await refuses(t, 'sha256Batch', [RECORDS, { output: Buffer.alloc(size) }], outOfRange(['options.output', '96']), `${size} bytes for 3 records`)
  }
  for (const [label, value] of detachedInputs()) {
    await refuses(t, 'sha256Batch', [RECORDS, { output: value }], typeErr(['options.output', 'detached']), label)
  }
  await refuses(t, 'sha256Batch', [RECORDS, { recordSize: 5 }], badValue(['input', 'options.recordSize']), 'a length that is not a whole number of records')
})

// ---------------------------------------------------------------------------------------------
// Caps: the edges are accepted, what is past them refused (the tables above), and nothing past
// them allocates.

test('caps, measured: scale 1..256, width 1..16384, margin 0..128, version 1..40 (micro 1..4), maskPattern 0..7', async (t) => {
  const svgWidth = async (options: object) => /width="(\d+)"/.exec(await qrhash.toString('x', { ...options, type: 'svg' }))![1]
  t.is(await svgWidth({ scale: 1, margin: 0 }), '21')
  t.is(await svgWidth({ scale: 256, margin: 0 }), String(21 * 256))
  t.is(await svgWidth({ width: 1 }), String(29 * 4), 'under one pixel per module width is ignored, as in node-qrcode')
  t.is(await svgWidth({ width: 16384 }), '16384')
  t.is(await svgWidth({ scale: 1, margin: 128 }), String(21 + 256))
  const png = await qrhash.toBuffer('x', { scale: 1, margin: 0 })
  t.is(png.readUInt32BE(16), 21, 'PNG width at scale 1')
  for (const version of [1, 40]) t.is((await qrhash.create('x', { version })).size, 17 + 4 * version)
  for (const version of [1, 4]) t.is((await qrhash.create('1', { version, micro: true, errorCorrectionLevel: 'L' })).size, 9 + 2 * version)
  for (const maskPattern of [0, 7]) t.is((await qrhash.create('x', { maskPattern })).maskPattern, maskPattern)
  for (const maskPattern of [0, 3]) t.is((await qrhash.create('1', { maskPattern, micro: true })).maskPattern, maskPattern)
  t.true((await qrhash.createQr('x', { type: 'image/jpeg', rendererOpts: { quality: 0 } })).startsWith('data:image/jpeg;base64,'))
  t.true((await qrhash.createQr('x', { type: 'image/jpeg', rendererOpts: { quality: 1 } })).startsWith('data:image/jpeg;base64,'))
  t.true((await qrhash.createQr('x', { logo: { image: LOGO, size: 0.4 }, version: 10 })).startsWith('data:image/png;base64,'))
})

test('caps, measured: recordSize 1..2^31 and rounds 0..2^32-1 are accepted at both ends', async (t) => {
  t.deepEqual(await qrhash.sha256Batch(Buffer.from('ab'), { recordSize: 1 }), Buffer.concat([digestOf('a'), digestOf('b')]))
  // 2^31 is a valid record size: the refusal is about the input's length, not the size.
  await refuses(t, 'sha256Batch', [RECORDS, { recordSize: 2 ** 31 }], badValue(['2147483648-byte records', 'options.recordSize']), 'recordSize 2^31')
  await refuses(t, 'sha256MerkleRoot', [RECORDS, { recordSize: 2 ** 31 }], badValue(['2147483648-byte records', 'options.recordSize']), 'recordSize 2^31')
  t.deepEqual(await qrhash.sha256Iterate('abc', 0), digestOf('abc'))
  t.deepEqual(qrhash.sha256IterateSync('abc', 0), digestOf('abc'))
  // 2^32 - 1 rounds take minutes: started, it is running (not refused) when the abort lands.
  const controller = new AbortController()
  const pending = qrhash.sha256Iterate('abc', 2 ** 32 - 1, { signal: controller.signal })
  setTimeout(() => controller.abort(), 20)
  const error = (await pending.then(
    () => NOTHING,
    (e: unknown) => e,
  )) as Error & { code?: string }
  t.is(error.name, 'AbortError', `2^32 - 1 rounds are accepted: ${show(error)}`)
  t.is(error.code, 'ERR_ABORTED')
})

test('images over 16384 px are ERR_QR_IMAGE_TOO_LARGE for every image function, never for text', async (t) => {
  const tooLarge = refusal('RangeError', 'ERR_QR_IMAGE_TOO_LARGE', ['16384', 'options.scale'], [])
  for (const options of [{ version: 40, scale: 256 }, { margin: 128, scale: 256 }, { version: 40, margin: 128, scale: 39 }, { version: 40, scale: 89 }]) {
    for (const { fn, args } of IMAGE_TARGETS.filter(({ fn }) => fn !== 'toString')) await refuses(t, fn, args(options), tooLarge, JSON.stringify(options))
    await refuses(t, 'toString', ['x', { ...options, type: 'svg' }], tooLarge, `${JSON.stringify(options)} as SVG`)
    const text = await qrhash.toString('x', options)
    t.true(text.includes('█'), `${JSON.stringify(options)}: utf8 text has no pixels to cap`)
  }
  t.regex(await qrhash.toString('x', { version: 40, scale: 88, type: 'svg' }), new RegExp(`width="${(177 + 8) * 88}"`), 'the largest scale that fits version 40')
})

/** Growth of the resident set over `body`, in MiB. */
async function rssGrowth(body: () => Promise<void> | void): Promise<number> {
  const before = process.memoryUsage().rss
  await body()
  return (process.memoryUsage().rss - before) / 2 ** 20
}

test.serial('refusing huge sizes allocates nothing: RSS grows < 50 MiB over all of them, five times each', async (t) => {
  // Small inputs: the WebAssembly build copies every input into its memory (README), which is
  // not what is measured here; the huge numbers are.
  const sparse = new Array<string>(2 ** 32 - 1)
  const cases: Array<[string, () => unknown, string]> = [
    ['scale 10000', () => qrhash.toBufferSync('x', { scale: 10000 }), 'ERR_OUT_OF_RANGE'],
    ['scale 2^31', () => qrhash.createQrSync('x', { scale: 2 ** 31 }), 'ERR_OUT_OF_RANGE'],
    ['width 2^31', () => qrhash.toBufferSync('x', { width: 2 ** 31 }), 'ERR_OUT_OF_RANGE'],
    ['width 1e300', () => qrhash.toStringSync('x', { width: 1e300, type: 'svg' }), 'ERR_OUT_OF_RANGE'],
    ['margin 1e6', () => qrhash.toBufferSync('x', { margin: 1e6 }), 'ERR_OUT_OF_RANGE'],
    ['margin 2^53', () => qrhash.toStringSync('x', { margin: 2 ** 53 }), 'ERR_OUT_OF_RANGE'],
    ['version 1e300', () => qrhash.createSync('x', { version: 1e300 }), 'ERR_OUT_OF_RANGE'],
    ['a 47360 px image', () => qrhash.toBufferSync('x', { version: 40, scale: 256 }), 'ERR_QR_IMAGE_TOO_LARGE'],
    ['a 70912 px image', () => qrhash.createQrSync('x', { margin: 128, scale: 256 }), 'ERR_QR_IMAGE_TOO_LARGE'],
    ['a 47360 px SVG', () => qrhash.toStringSync('x', { version: 40, scale: 256, type: 'svg' }), 'ERR_QR_IMAGE_TOO_LARGE'],
    ['a 47360 px file', () => qrhash.toFileSync(join(dir, 'never.png'), 'x', { version: 40, scale: 256 }), 'ERR_QR_IMAGE_TOO_LARGE'],
    ['logo size 1e300', () => qrhash.toBufferSync('x', { logo: { image: LOGO, size: 1e300 } }), 'ERR_OUT_OF_RANGE'],
    ['recordSize 0', () => qrhash.sha256BatchSync(RECORDS, { recordSize: 0 }), 'ERR_OUT_OF_RANGE'],
    ['recordSize 2^53', () => qrhash.sha256MerkleRootSync(RECORDS, { recordSize: 2 ** 53 }), 'ERR_OUT_OF_RANGE'],
    ['recordSize 1e300', () => qrhash.sha256BatchSync(RECORDS, { recordSize: 1e300 }), 'ERR_OUT_OF_RANGE'],
    ['192 one-byte records into 31 bytes', () => qrhash.sha256BatchSync(RECORDS, { recordSize: 1, output: Buffer.alloc(31) }), 'ERR_OUT_OF_RANGE'],
    ['rounds 2^53', () => qrhash.sha256IterateSync(RECORDS, 2 ** 53), 'ERR_OUT_OF_RANGE'],
    ['rounds 1e300', () => qrhash.sha256IterateSync('abc', 1e300), 'ERR_OUT_OF_RANGE'],
    ['an array of length 2^32 - 1 to sha256Many', () => qrhash.sha256ManySync(sparse), 'ERR_INVALID_ARG_TYPE'],
    // Longer than any code holds: refused by its length before any element is read.
    ['a segment list of length 2^32 - 1', () => qrhash.createSync(sparse), 'ERR_QR_DATA_TOO_LONG'],
  ]
  // Start the pool first (the WebAssembly build starts its worker threads on the first call).
  t.deepEqual(await qrhash.createQrBatch(['a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd'].map((text) => qrhash.createQrSync(text)))
  t.deepEqual(await qrhash.sha256('warm'), digestOf('warm'))
  const growth = await rssGrowth(async () => {
    for (let round = 0; round < 5; round++) {
      for (const [label, call, code] of cases) {
        const error = attempt(call) as { code?: string }
        t.is(error?.code, code, `${label}: refused, ${show(error)}`)
      }
      const batch = await qrhash.createQrBatch(sparse).then(
        () => NOTHING,
        (e: unknown) => e as { code?: string },
      )
      t.is((batch as { code?: string }).code, 'ERR_INVALID_ARG_TYPE', 'a batch of length 2^32 - 1')
      const scaled = await qrhash.toBuffer('x', { version: 40, scale: 256 }).then(
        () => NOTHING,
        (e: unknown) => e as { code?: string },
      )
      t.is((scaled as { code?: string }).code, 'ERR_QR_IMAGE_TOO_LARGE', 'the async twin too')
    }
  })
  t.true(growth < 50, `RSS grew ${growth.toFixed(1)} MiB over the refusals`)
})

test.serial('data no QR code can hold is refused before it is segmented: RSS does not grow with its size', async (t) => {
  // A version 40-L code holds 7089 digits at most, so a text of more characters, or a list of
  // more segments than 23648 data bits can introduce, never fits; that needs no segmentation.
  const segments = Array.from({ length: 2_000_000 }, () => 'x')
  const kanji = '漢'.repeat(2_000_000)
  t.is(kanji.charCodeAt(1_999_999), 0x6f22)
  const growth = await rssGrowth(() => {
    for (const [label, text] of [['2 000 000 one-character segments', segments], ['2 000 000 kanji', kanji]] as const) {
      checkRefusal(t, attempt(() => qrhash.createSync(text)), tooLong('text'), label)
    }
  })
  t.true(growth < 50, `RSS grew ${growth.toFixed(1)} MiB while refusing text far over any QR code's capacity`)
})

test.serial('cancelAll: takes no arguments and ignores any; cancels only what is in flight, which rejects with an AbortError', async (t) => {
  const cancelAll = api['cancelAll']!
  for (const args of [[], [1], ['all'], [null], [{}], [Symbol('x')], [10n], [() => {}]]) t.is(cancelAll(...args), 0, `idle, cancelAll(${show(args)})`)
  const settled = [qrhash.sha256(Buffer.alloc(64 << 20)), qrhash.createQr('x'), qrhash.sha256Many(['a', 'b'])].map((promise) =>
    promise.then(
      () => NOTHING,
      (e: unknown) => e,
    ),
  )
  t.is(cancelAll(Number.NaN), 3)
  for (const outcome of await Promise.all(settled)) {
    t.is((outcome as Error).name, 'AbortError')
    t.is((outcome as Error & { code?: string }).code, 'ERR_ABORTED')
  }
  t.deepEqual(await qrhash.sha256('abc'), digestOf('abc'), 'later calls run as usual')
})

// ---------------------------------------------------------------------------------------------
// Capacity: version 40-L holds 2953 bytes, 4296 alphanumerics, 7089 digits

const CAPACITY: Array<[string, string | Uint8Array, string | Uint8Array, 'byte' | 'alphanumeric' | 'numeric']> = [
  ['2953 bytes of text', 'a'.repeat(2953), 'a'.repeat(2954), 'byte'],
  ['4296 alphanumerics', 'A1 $%*+-./:'.repeat(391).slice(0, 4296), 'A'.repeat(4297), 'alphanumeric'],
  ['7089 digits', '0123456789'.repeat(709).slice(0, 7089), '1'.repeat(7090), 'numeric'],
  ['2953 binary bytes', Uint8Array.from({ length: 2953 }, (_, i) => (i * 31) & 0xff), new Uint8Array(2954), 'byte'],
]

for (const [label, fits, over, mode] of CAPACITY) {
  test(`capacity: ${label} make a version 40-L code that decodes exactly; one more is ERR_QR_DATA_TOO_LONG everywhere`, async (t) => {
    const options = { errorCorrectionLevel: 'L' as const }
    const symbol = await qrhash.create(fits, options)
    t.is(symbol.version, 40)
    t.deepEqual(symbol.segments.map((segment) => segment.mode), [mode])
    const read = await zxingRead(await qrhash.toBuffer(fits, options))
    t.deepEqual(Buffer.from(read.bytes), Buffer.from(fits), 'zxing reads back every byte')
    t.deepEqual(qrhash.createSync(fits, options), symbol)
    const [batch] = await qrhash.createQrBatch([fits], options)
    t.is(batch, qrhash.createQrSync(fits, options))
    for (const { fn, args } of SINGLE_TARGETS) {
      const call = fn === 'createQrBatch' ? [[over], options] : fn === 'toFile' ? [args()[0], over, options] : [over, options]
      await refuses(t, fn, call, tooLong(fn === 'createQrBatch' ? 'texts[0]' : 'text'), `${label} + 1`)
    }
  })
}

test('capacity: explicit segments at the limit fit, one more digit or byte does not; Micro M4-L holds 35 / 21 / 15', async (t) => {
  t.is((await qrhash.create([{ data: '7'.repeat(7089), mode: 'numeric' }], { errorCorrectionLevel: 'L' })).version, 40)
  await refuses(t, 'create', [[{ data: '7'.repeat(7090), mode: 'numeric' }], { errorCorrectionLevel: 'L' }], tooLong('text'), 'numeric segment + 1')
  await refuses(t, 'create', [[{ data: 'b'.repeat(2954), mode: 'byte' }], { errorCorrectionLevel: 'L' }], tooLong('text'), 'byte segment + 1')
  for (const [fits, over] of [['1'.repeat(35), '1'.repeat(36)], ['A'.repeat(21), 'A'.repeat(22)], ['a'.repeat(15), 'a'.repeat(16)]]) {
    const symbol = await qrhash.create(fits!, { micro: true, errorCorrectionLevel: 'L' })
    t.is(symbol.version, 4)
    t.true(symbol.micro)
    await refuses(t, 'create', [over, { micro: true, errorCorrectionLevel: 'L' }], tooLong('Micro QR'), `micro ${over!.length}`)
  }
})

// ---------------------------------------------------------------------------------------------
// Ill-formed Unicode and NUL bytes: accepted, as Buffer.from(string) encodes them

for (const [label, text] of ODD_STRINGS) {
  const bytes = Buffer.from(text)
  test(`hashing ${label} hashes Buffer.from()'s UTF-8 (lone surrogates as U+FFFD) in every function`, async (t) => {
    const digest = digestOf(text)
    t.deepEqual(await qrhash.sha256(text), digest)
    t.deepEqual(qrhash.sha256Sync(text), digest)
    t.deepEqual(qrhash.sha256Sync(text, { encoding: 'buffer' }), digest)
    t.is(await qrhash.sha256(text, { encoding: 'base64url' }), digest.toString('base64url'))
    t.deepEqual(qrhash.sha256Into(text, Buffer.alloc(32)), digest)
    t.deepEqual(await qrhash.sha256Many(['', text, text]), [EMPTY_DIGEST, digest, digest])
    t.deepEqual(qrhash.sha256ManySync([text]), [digest])
    const chain = digestOf(digestOf(digest))
    t.deepEqual(await qrhash.sha256Iterate(text, 2), chain)
    t.deepEqual(qrhash.sha256IterateSync(text, 2), chain)
    t.deepEqual(await qrhash.sha256Batch(text, { recordSize: bytes.length }), digest)
    t.deepEqual(qrhash.sha256MerkleRootSync(text, { recordSize: bytes.length }), digest)
    const hasher = new internal.Sha256Hasher()
    hasher.update(text)
    await hasher.updateAsync(text)
    t.deepEqual(hasher.digest(), createHash('sha256').update(bytes).update(bytes).digest())
    const stream = qrhash.createSha256()
    stream.update(text)
    await new Promise<void>((resolve, reject) => stream.end(text, (error?: Error | null) => (error ? reject(error) : resolve())))
    t.deepEqual(stream.digest(), createHash('sha256').update(bytes).update(bytes).digest(), 'update() and write() alike')
    const file = join(dir, `odd-${files++}.bin`)
    writeFileSync(file, text)
    t.deepEqual(await qrhash.sha256File(file), digest, 'the same bytes, written by fs')
  })

  test(`a QR code of ${label} holds Buffer.from()'s bytes: zxing reads them, node-qrcode draws the same modules`, async (t) => {
    const symbol = await qrhash.create(text, { eci: false })
    t.deepEqual(symbol.segments, [{ mode: 'byte', data: bytes.toString() }])
    t.deepEqual(qrhash.createSync(text, { eci: false }), symbol)
    // node-qrcode throws on lone surrogates (encodeURIComponent); give it the well-formed string.
    const theirs = nodeQrcode.create(bytes.toString(), { errorCorrectionLevel: 'M', version: symbol.version, maskPattern: symbol.maskPattern } as Parameters<typeof nodeQrcode.create>[1])
    t.deepEqual(Buffer.from(symbol.modules), Buffer.from(theirs.modules.data), 'the same modules as node-qrcode')
    const bare = await zxingRead(await qrhash.toBuffer(text, { eci: false }))
    t.deepEqual(Buffer.from(bare.bytes), bytes, 'zxing reads the exact bytes')
    if (!text.includes('\0')) t.is((await zxingRead(qrhash.toBufferSync(text))).text, bytes.toString(), 'with ECI 26, zxing reads U+FFFD')
    for (const type of ['utf8', 'svg', 'terminal'] as const) t.is(await qrhash.toString(text, { type }), qrhash.toStringSync(text, { type }))
    t.true((await qrhash.createQrBatch([text, text]))[1]!.startsWith('data:image/png;base64,'))
  })
}

// ---------------------------------------------------------------------------------------------
// Empty and detached binary inputs

test('zero-length views of every kind hash to the empty digest; a Merkle root and a QR code need at least one byte', async (t) => {
  for (const [label, input] of emptyInputs()) {
    const view = input as Uint8Array
    t.deepEqual(await qrhash.sha256(view), EMPTY_DIGEST, label)
    t.deepEqual(qrhash.sha256Sync(view), EMPTY_DIGEST, `${label} (Sync)`)
    t.deepEqual(qrhash.sha256Into(view, Buffer.alloc(32)), EMPTY_DIGEST, `${label} (Into)`)
    t.deepEqual(await qrhash.sha256Many([view, 'abc']), [EMPTY_DIGEST, digestOf('abc')], `${label} (Many)`)
    t.deepEqual(await qrhash.sha256Iterate(view, 1), digestOf(EMPTY_DIGEST), `${label} (Iterate)`)
    t.is((await qrhash.sha256Batch(view)).length, 0, `${label} (Batch): no records, no digests`)
    const hasher = new internal.Sha256Hasher()
    hasher.update(view)
    await hasher.updateAsync(view)
    t.deepEqual(hasher.digest(), EMPTY_DIGEST, `${label} (Sha256Hasher)`)
    t.deepEqual(qrhash.createSha256().update(view).digest(), EMPTY_DIGEST, `${label} (createSha256)`)
    await refuses(t, 'sha256MerkleRoot', [view], badValue(['input', 'record']), label)
    for (const { fn, args } of QR_TARGETS) {
      const call = fn === 'createQrBatch' ? [[view]] : fn === 'toFile' ? [args()[0], view] : [view]
      await refuses(t, fn, call, refusal('RangeError', 'ERR_QR_EMPTY_INPUT', fn === 'createQrBatch' ? 'texts[0]' : 'text', []), label)
    }
    await refuses(t, 'create', [[{ data: view, mode: 'byte' }]], refusal('RangeError', 'ERR_QR_INVALID_SEGMENT', 'text[0].data', []), `${label} as a segment`)
    await refuses(t, 'sha256File', [view], badValue('path'), `${label} as a path`)
  }
  const output = Buffer.alloc(0)
  t.is(await qrhash.sha256Batch(new Uint8Array(0), { output }), output, 'an empty output for no records is that output')
})

test('a resizable ArrayBuffer is read at its current length, through the buffer and a length-tracking view', async (t) => {
  const buffer = resizable(8, 64)
  const view = new Uint8Array(buffer)
  view.set([1, 2, 3, 4, 5, 6, 7, 8])
  buffer.resize(3)
  t.is(view.length, 3)
  const digest = digestOf(Uint8Array.of(1, 2, 3))
  t.deepEqual(await qrhash.sha256(buffer), digest)
  t.deepEqual(await qrhash.sha256(view), digest)
  t.deepEqual(qrhash.sha256Into(view, Buffer.alloc(32)), digest)
  buffer.resize(40)
  t.deepEqual(qrhash.sha256Sync(view), digestOf(Uint8Array.from({ length: 40 }, (_, i) => (i < 3 ? i + 1 : 0))))
})

test('a resizable input shrunk while the call runs is hashed as it was when the call was made (it is copied; in place a shrink crashed the process)', async (t) => {
  const size = 16 << 20
  const original = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff)
  const filled = () => {
    const buffer = resizable(size, size)
    new Uint8Array(buffer).set(original)
    return buffer
  }
  const calls: Array<[string, (input: unknown) => Promise<unknown>, () => unknown]> = [
    ['sha256', (input) => qrhash.sha256(input as ArrayBuffer), () => digestOf(original)],
    ['sha256Batch', (input) => qrhash.sha256Batch(input as ArrayBuffer), () => qrhash.sha256BatchSync(original)],
    ['sha256MerkleRoot', (input) => qrhash.sha256MerkleRoot(input as ArrayBuffer), () => qrhash.sha256MerkleRootSync(original)],
    ['sha256Iterate', (input) => qrhash.sha256Iterate(input as ArrayBuffer, 3), () => qrhash.sha256IterateSync(original, 3)],
    ['sha256Many', (input) => qrhash.sha256Many([input as ArrayBuffer, 'x']), () => [digestOf(original), digestOf('x')]],
  ]
  for (const [fn, call, expected] of calls) {
    for (const [label, wrap] of [
      ['the buffer', (buffer: ResizableBuffer) => buffer],
      ['a length-tracking view', (buffer: ResizableBuffer) => new Uint8Array(buffer)],
      ['a Float32Array over it', (buffer: ResizableBuffer) => new Float32Array(buffer, 0, size / 4)],
    ] as const) {
      const buffer = filled()
      const pending = call(wrap(buffer))
      buffer.resize(0)
      t.deepEqual(await pending, expected(), `${fn}: ${label}, shrunk to 0 at once`)
    }
  }
})

test('a growable SharedArrayBuffer is read at its length when each call is made, as it grows', async (t) => {
  const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer & { grow(length: number): void }
  const shared = new Growable(3, { maxByteLength: 4096 })
  const view = new Uint8Array(shared)
  view.set([1, 2, 3])
  t.deepEqual(await qrhash.sha256(shared), digestOf(Uint8Array.of(1, 2, 3)))
  t.deepEqual(qrhash.sha256Sync(view), digestOf(Uint8Array.of(1, 2, 3)))
  shared.grow(4096)
  new Uint8Array(shared).fill(9, 3)
  const grown = new Uint8Array(shared).slice()
  t.deepEqual(await qrhash.sha256(shared), digestOf(grown), 'after grow(), all of it')
  t.deepEqual(qrhash.sha256Sync(new Uint8Array(shared)), digestOf(grown), 'a view made after grow()')
  t.deepEqual(await qrhash.sha256Batch(shared, { recordSize: 64 }), qrhash.sha256BatchSync(grown, { recordSize: 64 }))
})

test('an output whose length can change (resizable ArrayBuffer, growable SharedArrayBuffer, views of them) is a TypeError naming it when written after the call; sha256Into writes it in place natively', async (t) => {
  const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer
  const outputs: Array<[string, () => unknown, string]> = [
    ['a resizable ArrayBuffer', () => resizable(64, 64), 'a resizable ArrayBuffer'],
    ['a length-tracking view of one', () => new Uint8Array(resizable(64, 128)), 'a resizable ArrayBuffer'],
    ['a fixed view of one', () => new Uint8Array(resizable(64, 128), 0, 64), 'a resizable ArrayBuffer'],
    ['a DataView of one', () => new DataView(resizable(64, 128)), 'a resizable ArrayBuffer'],
    ['a growable SharedArrayBuffer', () => new Growable(64, { maxByteLength: 128 }), 'a growable SharedArrayBuffer'],
    ['a Uint32Array over one', () => new Uint32Array(new Growable(64, { maxByteLength: 128 })), 'a growable SharedArrayBuffer'],
  ]
  for (const [label, make, kind] of outputs) {
    const expected = typeErr(['options.output', 'fixed length', kind])
    await refuses(t, 'sha256Batch', [new Uint8Array(128), { output: make() }], expected, `${label} as options.output`)
    if (internal.__napiBindingTarget === 'native') {
      const output = make() as Uint8Array
      t.is(qrhash.sha256Into('abc', output), output, `${label} as sha256Into's output: written in place, before the call returns`)
      const memory = ArrayBuffer.isView(output) ? output.buffer : (output as ArrayBufferLike)
      t.deepEqual(Buffer.from(memory, 0, 32), digestOf('abc'), `${label}: the digest is there`)
    } else {
      throwsSync(t, () => qrhash.sha256Into('abc', make() as Uint8Array), typeErr(['output', 'fixed length', kind]), `${label} as sha256Into's output (WebAssembly: emnapi's copy of it could be too short)`)
    }
  }
})

test('Buffers made natively own their memory: an ArrayBuffer of their own, never WebAssembly memory', async (t) => {
  const results: Array<[string, Uint8Array]> = [
    ['sha256', await qrhash.sha256('abc')],
    ['sha256Sync with an encoding', qrhash.sha256Sync('abc', { encoding: 'buffer' })],
    ['sha256Batch', await qrhash.sha256Batch(new Uint8Array(256))],
    ['sha256MerkleRoot', await qrhash.sha256MerkleRoot(new Uint8Array(256))],
    ['toBuffer', await qrhash.toBuffer('abc')],
    ['toBufferSync', qrhash.toBufferSync('abc', { type: 'image/webp' })],
    ['create().modules', (await qrhash.create('abc')).modules],
    ['create().segments[0].data', (await qrhash.create(Buffer.from([0xff, 0]))).segments[0]!.data as Uint8Array],
  ]
  for (const [label, result] of results) {
    t.true(result.buffer instanceof ArrayBuffer, `${label}: its buffer is an ArrayBuffer, not a SharedArrayBuffer`)
    // create() packs a few header bytes before the modules (index.js unpacks them).
    const slack = label.startsWith('create()') ? 64 : 0
    t.true(result.buffer.byteLength <= result.byteLength + slack, `${label}: its buffer holds it and little else (${result.buffer.byteLength} bytes for ${result.byteLength})`)
    const copy = Uint8Array.from(result)
    const view = new Uint8Array(result.buffer, result.byteOffset, result.byteLength)
    t.deepEqual(Uint8Array.from(view), copy, `${label}: a view made from it reads the same bytes`)
  }
})

test('detached ArrayBuffers and views of them are TypeErrors naming the argument, in every binary position', async (t) => {
  const positions: Array<[string, (value: unknown) => unknown[], string]> = [
    ['sha256', (v) => [v], 'input'],
    ['sha256Batch', (v) => [v], 'input'],
    ['sha256Iterate', (v) => [v, 1], 'input'],
    ['sha256MerkleRoot', (v) => [v], 'input'],
    ['sha256Many', (v) => [['ok', v]], 'inputs[1]'],
    ['sha256File', (v) => [v], 'path'],
    ['create', (v) => [v], 'text'],
    ['createQr', (v) => [v], 'text'],
    ['toBuffer', (v) => [v], 'text'],
    ['toString', (v) => [v], 'text'],
    ['toFile', (v) => [freshPath(), v], 'text'],
    ['toFile', (v) => [v, 'x'], 'path'],
    ['createQrBatch', (v) => [['ok', v]], 'texts[1]'],
    ['createQr', (v) => [['ok', { data: v, mode: 'byte' }]], 'text[1].data'],
    ['createQr', (v) => ['x', { logo: { image: v } }], 'options.logo.image'],
  ]
  for (const [fn, call, name] of positions) {
    for (const [label, value] of detachedInputs()) await refuses(t, fn, call(value), typeErr([name, 'detached']), `${name}: ${label}`)
  }
  for (const [label, value] of detachedInputs()) {
    throwsSync(t, () => qrhash.sha256Into(value as Uint8Array, Buffer.alloc(32)), typeErr(['input', 'detached']), `sha256Into input: ${label}`)
    throwsSync(t, () => qrhash.sha256Into('abc', value as Uint8Array), typeErr(['output', 'detached']), `sha256Into output: ${label}`)
    throwsSync(t, () => new internal.Sha256Hasher().update(value as Uint8Array), typeErr(['data', 'detached']), `Sha256Hasher.update: ${label}`)
    throwsSync(t, () => qrhash.createSha256().update(value as Uint8Array), typeErr(['data', 'detached']), `createSha256().update: ${label}`)
    const hasher = new internal.Sha256Hasher()
    let pending: unknown
    t.is(attempt(() => (pending = hasher.updateAsync(value as Uint8Array))), NOTHING, `updateAsync never throws synchronously: ${label}`)
    checkRefusal(t, await Promise.resolve(pending).then(() => NOTHING, (e: unknown) => e), typeErr(['data', 'detached']), `updateAsync: ${label}`)
    t.deepEqual(hasher.digest(), EMPTY_DIGEST, 'a refused chunk adds nothing')
  }
  t.deepEqual(await qrhash.sha256(new SharedArrayBuffer(4)), digestOf(new Uint8Array(4)), 'a SharedArrayBuffer cannot be detached')
  t.is(detachedBuffer().byteLength, 0)
})

// ---------------------------------------------------------------------------------------------
// The caller's own code running while arguments are read: getters, Proxies, frozen objects

/** `base` with `key` turned into an enumerable getter that throws `thrown` (never spread it: that runs the getter). */
const getterThrowing = (key: string, thrown: unknown, base: object = {}) =>
  Object.defineProperty(base, key, {
    configurable: true,
    enumerable: true,
    get() {
      throw thrown
    },
  })

/** An options object whose `path` (e.g. 'color.dark') is a getter throwing `thrown`. */
function throwingAt(path: string, thrown: unknown): object {
  const [key, nested] = path.split('.') as [string, string | undefined]
  if (nested === undefined) return getterThrowing(key, thrown)
  return { [key]: getterThrowing(nested, thrown, key === 'logo' && nested !== 'image' ? { image: LOGO } : {}) }
}

/** An option of `fn` and two valid values for it, different from the default. */
function probeOption(fn: string, which: 0 | 1): [string, unknown] {
  if (KEYS[fn]!.includes('encoding')) return ['encoding', ['hex', 'base64'][which]]
  if (KEYS[fn]!.includes('recordSize')) return ['recordSize', [64, 32][which]]
  if (KEYS[fn]!.includes('margin')) return ['margin', [2, 1][which]]
  return ['version', [2, 3][which]]
}

for (const { fn, args } of ALL_TARGETS) {
  test(`${fn}: an Error thrown by any option's getter comes back as the same object`, async (t) => {
    const paths = [...KEYS[fn]!, ...(KEYS[fn] === IMAGE_KEYS ? ['color.dark', 'color.light', 'color.gradient', 'color.finder', 'color.finderCenter', 'style.modules', 'style.finder', 'rendererOpts.quality', 'logo.image', 'logo.size'] : [])]
    for (const path of paths) {
      const boom = new Error(`boom from ${path}`)
      await passesThrough(t, fn, args(throwingAt(path, boom)), boom, `options.${path}`)
    }
  })

  test(`${fn}: a non-Error value thrown by a getter (a number, a string, undefined, null, an object) comes back unchanged`, async (t) => {
    const key = KEYS[fn]![0]!
    for (const thrown of [42, 'a string', undefined, null, { reason: 'plain object' }, Symbol('thrown')]) {
      await passesThrough(t, fn, args(throwingAt(key, thrown)), thrown, `options.${key} throwing ${show(thrown)}`)
    }
  })

  test(`${fn}: a Proxy as options: throwing traps pass their error on unchanged; benign traps change nothing`, async (t) => {
    const [key, value] = probeOption(fn, 0)
    const reference = args({ [key]: value })
    // ownKeys (to refuse unknown keys), getOwnPropertyDescriptor (which ones are enumerable) and get must be consulted.
    for (const trap of ['ownKeys', 'getOwnPropertyDescriptor', 'get'] as const) {
      const boom = new Error(`boom from ${trap}`)
      const proxy = new Proxy({ [key]: value }, { [trap]: () => { throw boom } })
      await passesThrough(t, fn, args(proxy), boom, `a Proxy whose ${trap} trap throws`)
    }
    // Other traps may or may not be consulted; if one is, its error is what comes back.
    for (const trap of ['has', 'getPrototypeOf', 'defineProperty', 'set', 'deleteProperty'] as const) {
      const boom = new Error(`boom from ${trap}`)
      const proxy = new Proxy({ [key]: value }, { [trap]: () => { throw boom } })
      const outcome = await Promise.resolve()
        .then(() => api[fn]!(...args(proxy)))
        .then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        )
      if ('error' in outcome) t.is(outcome.error, boom, `a Proxy whose ${trap} trap throws: ${show(outcome.error)}`)
      else await sameAs(t, fn, args(proxy), reference, `a Proxy whose ${trap} trap throws, not consulted`)
    }
    await sameAs(t, fn, args(new Proxy({ [key]: value }, {})), reference, 'a Proxy with no traps')
    const forwarding = new Proxy({ [key]: value }, {
      get: (target, property, receiver) => Reflect.get(target, property, receiver),
      ownKeys: (target) => Reflect.ownKeys(target),
      getOwnPropertyDescriptor: (target, property) => Reflect.getOwnPropertyDescriptor(target, property),
      has: (target, property) => Reflect.has(target, property),
    })
    await sameAs(t, fn, args(forwarding), reference, 'a Proxy forwarding every trap')
  })

  test(`${fn}: frozen, sealed and inherited option objects read as plain ones`, async (t) => {
    const [key, value] = probeOption(fn, 1)
    const reference = args({ [key]: value })
    await sameAs(t, fn, args(Object.freeze({ [key]: value })), reference, 'frozen')
    await sameAs(t, fn, args(Object.seal({ [key]: value })), reference, 'sealed')
    await sameAs(t, fn, args(Object.preventExtensions({ [key]: value })), reference, 'not extensible')
    await sameAs(t, fn, args(Object.assign(Object.create(null) as object, { [key]: value })), reference, 'with a null prototype')
    await sameAs(t, fn, args(Object.defineProperty({ [key]: value }, 'hidden', { value: 1, enumerable: false })), reference, 'with a non-enumerable extra key')
    await sameAs(t, fn, args({ [key]: value, [Symbol('extra')]: 1 }), reference, 'with a symbol-keyed extra')
  })
}

test('options are the enumerable keys a for…in loop visits, own and inherited: each is checked and read once; non-enumerable ones are not options', async (t) => {
  const inherited = Object.create({ errorCorrectionLevel: 'H' }) as object
  t.is(qrhash.createSync('abc', inherited as qrhash.QrCreateOptions).errorCorrectionLevel, 'H', 'an inherited enumerable option is read')
  throwsSync(t, () => qrhash.createSync('abc', Object.create({ misspelt: 1 }) as qrhash.QrCreateOptions), unknownKey('options.misspelt'), 'an inherited unknown key is refused')
  const hidden = Object.defineProperty({}, 'errorCorrectionLevel', { value: 'H', enumerable: false })
  t.is(qrhash.createSync('abc', hidden as qrhash.QrCreateOptions).errorCorrectionLevel, 'M', 'a non-enumerable key is not read')
  class Getters {
    get errorCorrectionLevel() {
      return 'H'
    }
  }
  t.is(qrhash.createSync('abc', new Getters() as qrhash.QrCreateOptions).errorCorrectionLevel, 'M', 'a class getter (non-enumerable) is not read')
  t.is(await qrhash.sha256('abc', Object.create({ encoding: 'hex' }) as object), digestOf('abc').toString('hex'), 'sha256: an inherited encoding is read')
  const reads: string[] = []
  const spy = new Proxy({ errorCorrectionLevel: 'Q' }, { get: (target, key, receiver) => (reads.push(String(key)), Reflect.get(target, key, receiver)) })
  t.is(qrhash.createSync('abc', spy as qrhash.QrCreateOptions).errorCorrectionLevel, 'Q')
  t.deepEqual(reads, ['errorCorrectionLevel'], 'only the keys the object has are read, each once')
})

test('getters inside arguments (array elements, segment fields, nested options) pass their Error on unchanged', async (t) => {
  const boom = new Error('boom')
  const element = Object.defineProperty(['ok'], 1, { enumerable: true, get: () => { throw boom } })
  await passesThrough(t, 'sha256Many', [element], boom, 'inputs[1] getter')
  await passesThrough(t, 'createQrBatch', [element], boom, 'texts[1] getter')
  await passesThrough(t, 'createQr', [element], boom, 'text[1] getter')
  for (const field of ['data', 'mode']) {
    const segment = getterThrowing(field, boom, { data: '123', mode: 'numeric' })
    for (const fn of ['create', 'createQr', 'toBuffer', 'toString']) await passesThrough(t, fn, [[segment]], boom, `text[0].${field} getter`)
  }
  const length = new Proxy(['a'], { get: (target, property, receiver) => (property === 'length' ? (() => { throw boom })() : Reflect.get(target, property, receiver)) })
  const outcome = await qrhash.sha256Many(length).then(() => NOTHING, (e: unknown) => e)
  t.true(outcome === boom || (outcome instanceof TypeError && outcome.message.includes('inputs')), `a Proxy whose length throws: ${show(outcome)}`)
})

test('getters throwing non-Error values inside arguments pass them on unchanged', async (t) => {
  for (const thrown of [42, undefined, 'text']) {
    const element = Object.defineProperty(['ok'], 1, { enumerable: true, get: () => { throw thrown } })
    await passesThrough(t, 'sha256Many', [element], thrown, `inputs[1] throwing ${show(thrown)}`)
    await passesThrough(t, 'create', [[getterThrowing('mode', thrown, { data: 'x' })]], thrown, `text[0].mode throwing ${show(thrown)}`)
  }
})

// napi_is_array is false for a Proxy (V8's IsArray), though Array.isArray is true: natively a
// Proxy of an array is refused as not an array, with a TypeError naming the argument. emnapi
// (the WebAssembly build) reads it as the array it wraps. Known difference, in the README.
test('a benign Proxy of an array: natively a TypeError naming the argument, through WebAssembly the array it wraps', async (t) => {
  t.true(Array.isArray(new Proxy([], {})))
  const inputs = ['abc', Buffer.from('de')]
  const segments = [{ data: 'ABC', mode: 'alphanumeric' as const }, '123']
  if (internal.__napiBindingTarget === 'native') {
    const refusals: Array<[string, Promise<unknown>]> = [
      ['inputs', qrhash.sha256Many(new Proxy(inputs, {}))],
      ['texts', qrhash.createQrBatch(new Proxy(['x', 'y'], {}))],
      ['text', qrhash.createQr(new Proxy(segments, {}))],
    ]
    for (const [argument, call] of refusals) {
      const error = await call.then(() => undefined, (reason: unknown) => reason as Error & { code?: string })
      t.true(error instanceof TypeError, `${argument}: a TypeError`)
      t.is(error?.code, 'ERR_INVALID_ARG_TYPE', `${argument}: code`)
      t.true(error?.message.startsWith(`${argument} must be `) === true, `${argument}: ${error?.message}`)
    }
    return
  }
  t.deepEqual(await qrhash.sha256Many(new Proxy(inputs, {})).catch(show), [digestOf('abc'), digestOf('de')], 'sha256Many')
  t.deepEqual(await qrhash.createQrBatch(new Proxy(['x', 'y'], {})).catch(show), await qrhash.createQrBatch(['x', 'y']), 'createQrBatch')
  t.is(await qrhash.createQr(new Proxy(segments, {})).catch(show), await qrhash.createQr(segments), 'createQr segments')
})

test('frozen arrays, frozen segments and frozen buffers are read as they are', async (t) => {
  const segments = Object.freeze([Object.freeze({ data: 'HELLO', mode: 'alphanumeric' as const }), Object.freeze({ data: '42' })])
  t.deepEqual(await qrhash.create(segments), await qrhash.create([{ data: 'HELLO', mode: 'alphanumeric' }, { data: '42' }]))
  t.deepEqual(await qrhash.sha256Many(Object.freeze(['a', 'b'])), [digestOf('a'), digestOf('b')])
  t.deepEqual(await qrhash.createQrBatch(Object.freeze(['a']) as string[]), [qrhash.createQrSync('a')])
  const options = Object.freeze({ output: Buffer.alloc(96), recordSize: 64 })
  t.is(await qrhash.sha256Batch(RECORDS, options), options.output, 'writes into the output of a frozen options object')
  t.deepEqual(options.output.subarray(0, 32), digestOf(RECORDS.subarray(0, 64)))
})

// ---------------------------------------------------------------------------------------------
// The incremental hashers

test('Sha256Hasher and createSha256(): update/updateAsync/digest refuse wrong input, naming data and encoding', async (t) => {
  type Incremental = { update(data: unknown): unknown; digest(encoding?: unknown): unknown }
  const makers: Array<[string, () => Incremental]> = [
    ['new Sha256Hasher()', () => new internal.Sha256Hasher() as unknown as Incremental],
    ['createSha256()', () => qrhash.createSha256() as unknown as Incremental],
    ['new Sha256()', () => new qrhash.Sha256() as unknown as Incremental],
  ]
  for (const [name, make] of makers) {
    for (const [label, value] of NOT_BINARY_OR_ARRAY) throwsSync(t, () => make().update(value), typeErr('data', value), `${name}.update(${label})`)
    for (const [label, value] of NOT_STRINGS.filter(([label]) => label !== 'null')) {
      throwsSync(t, () => make().digest(value), typeErr('encoding', value), `${name}.digest(${label})`)
    }
    for (const value of ['', 'latin1', 'HEX', 'utf8', 'hex\0']) throwsSync(t, () => make().digest(value), badValue('encoding', value), `${name}.digest(${JSON.stringify(value)})`)
    const hasher = make()
    hasher.update('abc')
    t.deepEqual(hasher.digest(), digestOf('abc'))
    const finalized = refusal('Error', 'ERR_CRYPTO_HASH_FINALIZED', 'digest', [])
    throwsSync(t, () => hasher.digest(), finalized, `${name}: a second digest`)
    throwsSync(t, () => hasher.update('x'), finalized, `${name}: update after digest`)
  }
  for (const [label, value] of NOT_BINARY_OR_ARRAY) {
    let pending: unknown
    t.is(attempt(() => (pending = new internal.Sha256Hasher().updateAsync(value as string))), NOTHING, `updateAsync(${label}) never throws synchronously`)
    checkRefusal(t, await Promise.resolve(pending).then(() => NOTHING, (e: unknown) => e), typeErr('data', value), `updateAsync(${label})`)
  }
})

test('Sha256Hasher is a class: calling it without new is a TypeError (each time, in plain words); methods on other objects are TypeErrors', (t) => {
  // In a child process: a constructor called without new may wrap globalThis, and this one must stay clean.
  const script = `
    const { Sha256Hasher, Sha256 } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const outcome = (call) => { try { const value = call(); return { returned: value === globalThis ? 'globalThis' : typeof value } } catch (e) { return { name: e.name, code: e.code, message: e.message } } }
    const target = {}
    console.log(JSON.stringify([
      ['Sha256Hasher()', outcome(() => Sha256Hasher())],
      ['Sha256Hasher() again', outcome(() => Sha256Hasher())],
      ['Sha256Hasher.call(target)', outcome(() => Sha256Hasher.call(target))],
      ['Sha256Hasher.call(target) again', outcome(() => Sha256Hasher.call(target))],
      ['Sha256()', outcome(() => Sha256())],
    ]))`
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  t.is(child.status, 0, child.stderr)
  for (const [label, outcome] of JSON.parse(child.stdout) as Array<[string, { name?: string; message?: string; returned?: string }]>) {
    t.is(outcome.name, 'TypeError', `${label}: ${JSON.stringify(outcome)}`)
    t.notRegex(outcome.message ?? '', RAW, `${label}: no raw napi text`)
  }
  const proto = internal.Sha256Hasher.prototype as unknown as Record<string, AnyFn>
  for (const method of ['update', 'digest']) {
    for (const receiver of [{}, undefined, 1, globalThis, new qrhash.Sha256()]) {
      t.true(attempt(() => proto[method]!.call(receiver, 'abc')) instanceof TypeError, `Sha256Hasher.prototype.${method} on ${show(receiver).slice(0, 30)}`)
    }
  }
  const digest = qrhash.Sha256.prototype.digest as unknown as AnyFn
  t.true(attempt(() => digest.call({})) instanceof TypeError, 'Sha256.prototype.digest on {}')
})

test('the native hasher class: on no prototype chain of the exports, and constructing it from JavaScript is a TypeError however it is called', (t) => {
  // In a child process: a native constructor called without new may wrap globalThis or any object.
  const script = `
    const qrhash = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const outcome = (call) => { try { const value = call(); return { returned: value === globalThis ? 'globalThis' : typeof value } } catch (e) { return { name: e.name, message: e.message } } }
    const natives = []
    const reached = Object.getPrototypeOf(qrhash.Sha256Hasher)
    if (reached !== Function.prototype) natives.push(['Object.getPrototypeOf(Sha256Hasher)', reached])
    const hasher = Object.getPrototypeOf(Object.getPrototypeOf(new qrhash.Sha256Hasher())).constructor
    if (hasher !== Object) natives.push(['the constructor above a hasher prototype', hasher])
    // The addon loaded afresh, as a module of its own: its class as napi-rs registers it.
    const addon = Object.keys(require.cache).find((path) => path.endsWith('.node'))
    if (addon) {
      const fresh = { exports: {} }
      process.dlopen(fresh, addon)
      natives.push(['the Sha256Hasher of the addon', fresh.exports.Sha256Hasher])
    }
    const results = []
    for (const [where, Native] of natives) {
      const target = {}
      for (const [how, call] of [
        ['called', () => Native()],
        ['called on an object', () => Native.call(target)],
        ['called on the same object again', () => Native.call(target)],
        ['called on a Uint8Array', () => Native.call(new Uint8Array(4))],
        ['constructed', () => new Native()],
        ['constructed for another class', () => Reflect.construct(Native, [], function Other() {})],
        ['its update on an object made from its prototype', () => Native.prototype.update.call(Object.create(Native.prototype), 'x')],
        ['its digest on a plain object', () => Native.prototype.digest.call({})],
      ]) results.push([where + ', ' + how, outcome(call)])
    }
    const made = new qrhash.Sha256Hasher()
    made.update('abc')
    console.log(JSON.stringify({ natives: natives.length, results, digest: made.digest('hex') }))`
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  t.is(child.signal, null, child.stderr)
  t.is(child.status, 0, child.stderr)
  const { natives, results, digest } = JSON.parse(child.stdout) as { natives: number; results: Array<[string, { name?: string; message?: string; returned?: string }]>; digest: string }
  t.is(natives, internal.__napiBindingTarget === 'native' ? 1 : 0, 'only the addon loaded afresh shows the native class')
  for (const [label, outcome] of results) {
    t.is(outcome.name, 'TypeError', `${label}: ${JSON.stringify(outcome)}`)
  }
  t.is(digest, createHash('sha256').update('abc').digest('hex'), 'the exported class still hashes')
})

test('createSha256() as a stream: bad chunks and options are errors, never crashes', async (t) => {
  const objects = qrhash.createSha256({ objectMode: true })
  const emitted = new Promise<unknown>((resolve) => objects.once('error', resolve))
  objects.write({ not: 'bytes' })
  checkRefusal(t, await emitted, typeErr('data'), "an object chunk in objectMode: the stream's error")
  const plain = qrhash.createSha256()
  plain.on('error', () => {})
  t.true(attempt(() => plain.write(42 as unknown as string)) instanceof TypeError, "a number chunk: Node's own TypeError")
  t.true(attempt(() => qrhash.createSha256({ highWaterMark: -1 })) instanceof TypeError, "a bad highWaterMark: Node's own TypeError")
  const big = Buffer.alloc(1 << 17, 7)
  const stream = qrhash.createSha256()
  await new Promise<void>((resolve, reject) => {
    stream.write(big)
    stream.write('\ud800')
    stream.end(new Uint8Array(0), (error?: Error | null) => (error ? reject(error) : resolve()))
  })
  t.deepEqual(stream.digest(), createHash('sha256').update(big).update(Buffer.from('\ud800')).digest(), 'a pooled chunk, a lone surrogate and an empty chunk')
})

// ---------------------------------------------------------------------------------------------
// Messages

/** Numbers JavaScript and Rust write differently: non-finite ones and those in exponent form. */
const ODD_NUMBERS: Array<[string, number]> = [
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['1e21', 1e21],
  ['1e300', 1e300],
  ['-1e300', -1e300],
  ['Number.MAX_VALUE', Number.MAX_VALUE],
  ['Number.EPSILON', Number.EPSILON],
  ['Number.MIN_VALUE', Number.MIN_VALUE],
]

test('messages write the number given as JavaScript does (Infinity, 1e+300, 2.220446049250313e-16), for every numeric argument', async (t) => {
  const inRange = (value: number, min: number, max: number, integer: boolean) => value >= min && value <= max && (!integer || Number.isInteger(value))
  for (const option of NUMERIC_OPTIONS) {
    const { fn, args } = option.targets[0]!
    for (const [label, value] of ODD_NUMBERS) {
      if (inRange(value, option.min, option.max, option.integer)) continue
      await refuses(t, fn, args(option.build(value)), strictly(outOfRange(option.name, value)), `${option.name} ${label}`)
    }
  }
  for (const [label, value] of ODD_NUMBERS) {
    if (!inRange(value, 0, 2 ** 32 - 1, true)) await refuses(t, 'sha256Iterate', ['abc', value], strictly(outOfRange('rounds', value)), `rounds ${label}`)
    await refuses(t, 'sha256', [value], strictly(typeErr('input', value)), `input ${label}`)
    await refuses(t, 'createQr', [value], strictly(typeErr('text', value)), `text ${label}`)
    await refuses(t, 'sha256', ['abc', value], strictly(typeErr('options', value)), `options ${label}`)
    await refuses(t, 'toBuffer', ['abc', { color: value }], strictly(typeErr('options.color', value)), `options.color ${label}`)
    throwsSync(t, () => new internal.Sha256Hasher().digest(value as unknown as 'hex'), strictly(typeErr('encoding', value)), `digest(${label})`)
  }
})

test('messages escape control characters in the strings they quote', async (t) => {
  for (const value of ['hex\0', '\u001b[31m', 'a\nb', '\x7f']) {
    const label = JSON.stringify(value)
    await refuses(t, 'sha256', ['x', { encoding: value }], strictly(badValue('options.encoding', value)), `encoding ${label}`)
    await refuses(t, 'createQr', ['x', { color: { dark: value } }], strictly(badValue('options.color.dark', value)), `color.dark ${label}`)
    await refuses(t, 'toString', ['x', { type: value }], strictly(badValue('options.type', value)), `type ${label}`)
    await refuses(t, 'create', ['x', { errorCorrectionLevel: value }], strictly(badValue('options.errorCorrectionLevel', value)), `level ${label}`)
    throwsSync(t, () => new internal.Sha256Hasher().digest(value as 'hex'), strictly(badValue('encoding', value)), `digest(${label})`)
  }
})

// ---------------------------------------------------------------------------------------------
// qrhash/compat: node-qrcode's calling convention, with its tolerance for its own options

const COMPAT_ASYNC = ['toDataURL', 'toBuffer', 'toString']

/** node-qrcode's callback form: the error or result, what the call returned, and whether the callback ran before it returned. */
async function viaCallback(call: (cb: Callback<unknown>) => unknown): Promise<{ err: unknown; result: unknown; returned: unknown; sync: boolean }> {
  let returned: unknown = NOTHING
  let sync = false
  const settled = new Promise<{ err: unknown; result: unknown }>((resolve) => {
    returned = call((err, result) => {
      sync = returned === NOTHING
      resolve({ err, result })
    })
  })
  const { err, result } = await settled
  return { err, result, returned, sync }
}

test('compat: every option may be null or undefined, meaning "not set", as in node-qrcode', async (t) => {
  const keys = ['version', 'errorCorrectionLevel', 'maskPattern', 'toSJISFunc', 'margin', 'scale', 'width', 'color', 'small', 'inverse', 'quality', 'rendererOpts', 'type', 'eci', 'micro', 'style', 'logo', 'signal']
  for (const fn of COMPAT_ASYNC) {
    const reference = await (compat[fn]!('compat') as Promise<unknown>)
    for (const key of keys) {
      for (const value of [null, undefined]) t.deepEqual(await (compat[fn]!('compat', { [key]: value }) as Promise<unknown>), reference, `${fn} ${key}: ${String(value)}`)
    }
    t.deepEqual(await (compat[fn]!('compat', null) as Promise<unknown>), reference, `${fn}(text, null)`)
    t.deepEqual(await (compat[fn]!('compat', { color: { dark: null, light: '' } }) as Promise<unknown>), reference, `${fn}: null and empty colours`)
  }
  const symbol = QRCode.create('compat', { scale: 1e4, width: 2 ** 31, margin: 1e6, color: { dark: 'not a colour' }, type: 'gif' } as object)
  t.deepEqual(symbol.modules.data, QRCode.create('compat').modules.data, 'create() ignores renderer options, even absurd ones, as node-qrcode does')
})

test('compat: a misspelt key is refused as README documents, through the promise or the callback, never thrown', async (t) => {
  for (const fn of [...COMPAT_ASYNC, 'toFile']) {
    const args = fn === 'toFile' ? [freshPath(), 'compat'] : ['compat']
    for (const key of ['widht', 'foo', 'errorCorrection']) {
      await refuses(t, fn, [...args, { [key]: 1 }], unknownKey(`options.${key}`), `compat ${fn} { ${key} }`, compat)
      const { err, returned, sync } = await viaCallback((cb) => compat[fn]!(...args, { [key]: 1 }, cb))
      checkRefusal(t, err, unknownKey(`options.${key}`), `compat ${fn} { ${key} } callback`)
      t.is(returned, undefined)
      t.false(sync, 'the callback runs after the call returns')
    }
  }
  throwsSync(t, () => QRCode.create('compat', { widht: 1 } as object), unknownKey('options.widht'), 'compat create { widht }')
})

test('compat: wrong types, NaN, Infinity and huge numbers reach the promise or the callback as coded errors, never thrown', async (t) => {
  const cases: Array<[string, unknown[], Refusal]> = [
    ['no text', [], typeErr('text', undefined)],
    ['text null', [null], typeErr('text', null)],
    ['text a number', [42], typeErr('text', 42)],
    ['text a symbol', [Symbol('t')], typeErr('text')],
    ['text a bigint', [42n], typeErr('text')],
    ['options a number', ['x', 5], typeErr('options', 5)],
    ['options a symbol', ['x', Symbol('o')], typeErr('options')],
    ['scale NaN', ['x', { scale: Number.NaN }], outOfRange('options.scale', Number.NaN)],
    ['scale Infinity', ['x', { scale: Number.POSITIVE_INFINITY }], outOfRange('options.scale', Number.POSITIVE_INFINITY)],
    ['scale 10000', ['x', { scale: 10000 }], outOfRange('options.scale', 10000)],
    ["scale 'abc'", ['x', { scale: 'abc' }], typeErr('options.scale', 'abc')],
    ['width 2^31', ['x', { width: 2 ** 31 }], outOfRange('options.width', 2 ** 31)],
    ['margin 1e6', ['x', { margin: 1e6 }], outOfRange('options.margin', 1e6)],
    ['margin -1', ['x', { margin: -1 }], outOfRange('options.margin', -1)],
    ['version 1e300', ['x', { version: 1e300 }], outOfRange('options.version', 1e300)],
    ["version '41'", ['x', { version: '41' }], outOfRange('options.version', 41)],
    ['maskPattern 8', ['x', { maskPattern: 8 }], outOfRange('options.maskPattern', 8)],
    ["level 'Z'", ['x', { errorCorrectionLevel: 'Z' }], badValue('options.errorCorrectionLevel', 'Z')],
    ['quality 2', ['x', { type: 'image/jpeg', quality: 2 }], outOfRange('options.rendererOpts.quality', 2)],
    ['7090 digits', ['1'.repeat(7090), { errorCorrectionLevel: 'L' }], tooLong('text')],
  ]
  for (const fn of [...COMPAT_ASYNC, 'toFile']) {
    for (const [label, args, expected] of cases) {
      if (label.startsWith('quality') && fn === 'toString') continue
      const call = fn === 'toFile' ? [freshPath(), ...args] : args
      if (fn === 'toFile' && args.length === 0) {
        // node-qrcode's toFile throws at once without its text, and so does compat's
        // (compat.spec.ts holds it to node-qrcode's behaviour).
        const thrown = attempt(() => compat.toFile!(...call))
        t.true(thrown instanceof TypeError && (thrown as { code?: string }).code === 'ERR_INVALID_ARG_TYPE', `compat toFile: ${label}: ${show(thrown)}`)
        continue
      }
      await refuses(t, fn, call, expected, `compat ${fn}: ${label}`, compat)
      if (args.length === 0) continue // (cb) alone: node-qrcode's form takes the callback as the text
      const { err, returned, sync } = await viaCallback((cb) => compat[fn]!(...call, cb))
      checkRefusal(t, err, expected, `compat ${fn}: ${label} (callback)`)
      t.is(returned, undefined)
      t.false(sync)
    }
  }
  for (const [label, path] of [['no path', undefined], ['a number', 42], ['an object', {}], ['a symbol', Symbol('path')]] as const) {
    await refuses(t, 'toFile', [path, 'x'], typeErr('path'), `compat toFile: ${label}`, compat)
    const { err } = await viaCallback((cb) => compat.toFile!(path, 'x', {}, cb))
    checkRefusal(t, err, typeErr('path'), `compat toFile: ${label} (callback)`)
  }
  for (const [label, args, expected] of cases) {
    if (label.startsWith('quality') || label.startsWith('scale') || label.startsWith('width') || label.startsWith('margin')) continue
    throwsSync(t, () => compat.create!(...args), expected, `compat create: ${label}`)
  }
})

test("compat: the caller's own exceptions (getters, Proxy traps) come back unchanged", async (t) => {
  const boom = new Error('boom')
  for (const fn of [...COMPAT_ASYNC, 'toFile']) {
    const args = fn === 'toFile' ? [freshPath(), 'x'] : ['x']
    for (const options of [getterThrowing('scale', boom), getterThrowing('errorCorrectionLevel', boom), new Proxy({ scale: 2 }, { ownKeys: () => { throw boom } })]) {
      await passesThrough(t, fn, [...args, options], boom, `compat ${fn}`, compat)
      const { err } = await viaCallback((cb) => compat[fn]!(...args, options, cb))
      t.is(err, boom, `compat ${fn} callback`)
    }
  }
  t.is(attempt(() => QRCode.create('x', getterThrowing('version', boom) as object)), boom, 'compat create')
  const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  const emitted = new Promise<unknown>((resolve) => stream.once('error', resolve))
  QRCode.toFileStream(stream, 'x', getterThrowing('scale', boom) as object)
  t.is(await emitted, boom, 'compat toFileStream emits it on the stream')
})

test('compat: toFileStream reports bad input on the stream; toCanvas always refuses with its code', async (t) => {
  for (const [options, expected] of [
    [{ scale: 1e4 }, outOfRange('options.scale', 1e4)],
    [{ widht: 1 }, unknownKey('options.widht')],
    [{ type: 'bmp' }, badValue('options.type', 'bmp')],
  ] as const) {
    const stream = new Writable({ write: (_chunk, _encoding, callback) => callback() })
    const emitted = new Promise<unknown>((resolve) => stream.once('error', resolve))
    t.is(attempt(() => QRCode.toFileStream(stream, 'x', options as object)), NOTHING, 'not thrown')
    checkRefusal(t, await emitted, expected, `toFileStream ${JSON.stringify(options)}`)
  }
  t.true(attempt(() => (QRCode.toFileStream as unknown as AnyFn)()) instanceof TypeError, 'toFileStream() without a stream')
  for (const args of [[], [{}, 'x'], [null, 'x', () => {}]]) {
    const error = attempt(() => QRCode.toCanvas(...args)) as Error & { code?: string }
    t.is(error.code, 'ERR_QR_CANVAS_UNSUPPORTED')
  }
})
