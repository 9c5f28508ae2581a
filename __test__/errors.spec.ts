import test from 'ava'

import * as qrhash from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'

type AnyFn = (...args: unknown[]) => unknown
const api = qrhash as unknown as Record<string, AnyFn>

interface Expected {
  name: 'TypeError' | 'RangeError'
  code: string
  /** The message must name the argument. */
  mentions: string
}

const typeError = (mentions: string, code = 'ERR_INVALID_ARG_TYPE'): Expected => ({ name: 'TypeError', code, mentions })
const rangeError = (mentions: string, code = 'ERR_INVALID_ARG_VALUE'): Expected => ({ name: 'RangeError', code, mentions })

const qrCases: Array<[string, unknown[], Expected]> = [
  ['missing text', [], typeError('text')],
  ['empty text', [''], rangeError('text', 'ERR_QR_EMPTY_INPUT')],
  ['no segments', [[]], rangeError('text', 'ERR_QR_EMPTY_INPUT')],
  ['a number', [42], typeError('text')],
  ['a plain object', [{ text: 'x' }], typeError('text')],
  ['null', [null], typeError('text')],
  ['an array of numbers', [[1, 2]], typeError('text[0]')],
  ['a segment without data', [[{ mode: 'byte' }]], typeError('text[0].data')],
  ['a segment with an unknown key', [[{ data: 'x', kind: 'byte' }]], typeError('text[0].kind', 'ERR_INVALID_ARG_VALUE')],
  ['an unknown mode', [[{ data: '1', mode: 'binary' }]], rangeError('text[0].mode')],
  ['letters in numeric mode', [[{ data: '12a', mode: 'numeric' }]], rangeError('text[0].data', 'ERR_QR_INVALID_SEGMENT')],
  ['lower case in alphanumeric mode', [['OK', { data: 'abc', mode: 'alphanumeric' }]], rangeError('text[1].data', 'ERR_QR_INVALID_SEGMENT')],
  ['Latin in kanji mode', [[{ data: 'abc', mode: 'kanji' }]], rangeError('text[0].data', 'ERR_QR_INVALID_SEGMENT')],
  ['an empty segment', [[{ data: '', mode: 'byte' }]], rangeError('text[0].data', 'ERR_QR_INVALID_SEGMENT')],
  ['version 41', ['x', { version: 41 }], rangeError('options.version', 'ERR_OUT_OF_RANGE')],
  ['version 0', ['x', { version: 0 }], rangeError('options.version', 'ERR_OUT_OF_RANGE')],
  ['version 5 of a Micro QR code', ['x', { version: 5, micro: true }], rangeError('options.version', 'ERR_OUT_OF_RANGE')],
  ['mask 9', ['x', { maskPattern: 9 }], rangeError('options.maskPattern', 'ERR_OUT_OF_RANGE')],
  ['mask 4 of a Micro QR code', ['x', { maskPattern: 4, micro: true }], rangeError('options.maskPattern', 'ERR_OUT_OF_RANGE')],
  ['level H for a Micro QR code', ['x', { errorCorrectionLevel: 'H', micro: true }], rangeError('options.errorCorrectionLevel', 'ERR_OUT_OF_RANGE')],
  ['a version too small', ['x'.repeat(100), { version: 2 }], rangeError('minimum version is 6', 'ERR_QR_VERSION_TOO_SMALL')],
  ['too long for Micro QR', ['x'.repeat(40), { micro: true }], rangeError('Micro QR', 'ERR_QR_DATA_TOO_LONG')],
  ['negative width', ['x', { width: -3 }], rangeError('options.width', 'ERR_OUT_OF_RANGE')],
  ['micro as a string', ['x', { micro: 'yes' }], typeError('options.micro')],
  ['eci as a number', ['x', { eci: 26 }], typeError('options.eci')],
  ['eci as another string', ['x', { eci: 'utf8' }], rangeError('options.eci')],
  ['an unknown module style', ['x', { style: { modules: 'hearts' } }], rangeError('options.style.modules')],
  ['a logo that is not an image', ['x', { logo: { image: Buffer.from('not an image') } }], rangeError('options.logo.image', 'ERR_QR_LOGO_UNREADABLE')],
  ['a logo without an image', ['x', { logo: { size: 0.2 } }], typeError('options.logo.image')],
  ['a logo of size 0', ['x', { logo: { image: Buffer.alloc(1), size: 0 } }], rangeError('options.logo.size', 'ERR_OUT_OF_RANGE')],
  ['a logo over 0.4', ['x', { logo: { image: Buffer.alloc(1), size: 0.5 } }], rangeError('options.logo.size', 'ERR_OUT_OF_RANGE')],
  ['a logo on a Micro QR code', ['x', { logo: { image: Buffer.alloc(1) }, micro: true }], rangeError('options.logo')],
  ['JPEG quality over 1', ['x', { rendererOpts: { quality: 2 } }], rangeError('options.rendererOpts.quality', 'ERR_OUT_OF_RANGE')],
  ['unknown level', ['x', { errorCorrectionLevel: 'Z' }], rangeError('options.errorCorrectionLevel')],
  ['level as a number', ['x', { errorCorrectionLevel: 1 }], typeError('options.errorCorrectionLevel')],
  ['negative scale', ['x', { scale: -3 }], rangeError('options.scale', 'ERR_OUT_OF_RANGE')],
  ['fractional scale', ['x', { scale: 2.5 }], rangeError('options.scale', 'ERR_OUT_OF_RANGE')],
  ['zero scale', ['x', { scale: 0 }], rangeError('options.scale', 'ERR_OUT_OF_RANGE')],
  ['NaN scale', ['x', { scale: Number.NaN }], rangeError('options.scale', 'ERR_OUT_OF_RANGE')],
  ['huge scale', ['x', { scale: 1e9 }], rangeError('options.scale', 'ERR_OUT_OF_RANGE')],
  ['scale as a string', ['x', { scale: '4' }], typeError('options.scale')],
  ['negative margin', ['x', { margin: -1 }], rangeError('options.margin', 'ERR_OUT_OF_RANGE')],
  ['malformed dark colour', ['x', { color: { dark: 'red' } }], rangeError('options.color.dark')],
  ['five-digit colour', ['x', { color: { light: '#12345' } }], rangeError('options.color.light')],
  ['colour as a number', ['x', { color: { dark: 0 } }], typeError('options.color.dark')],
  ['color not an object', ['x', { color: '#000' }], typeError('options.color')],
  ['unknown option', ['x', { widht: 200 }], typeError('options.widht', 'ERR_INVALID_ARG_VALUE')],
  ['options not an object', ['x', 'M'], typeError('options')],
  ['signal not a signal', ['x', { signal: {} }], typeError('options.signal')],
  ['text too long for version 40', ['x'.repeat(2332)], rangeError('text', 'ERR_QR_DATA_TOO_LONG')],
  ['binary too long for version 40 at H', [new Uint8Array(1274), { errorCorrectionLevel: 'H' }], rangeError('text', 'ERR_QR_DATA_TOO_LONG')],
  ['an image over 16384 px', ['x'.repeat(2000), { scale: 100 }], rangeError('options.scale', 'ERR_QR_IMAGE_TOO_LARGE')],
]

const hashCases: Array<[string, unknown[], Expected]> = [
  ['missing input', [], typeError('input')],
  ['a number', [1], typeError('input')],
  ['null', [null], typeError('input')],
  ['a plain object', [{ length: 3 }], typeError('input')],
  ['an array of bytes', [[1, 2, 3]], typeError('input')],
  ['a bigint', [10n], typeError('input')],
  ['unknown encoding', ['x', { encoding: 'latin1' }], rangeError('options.encoding')],
  ['encoding in upper case', ['x', { encoding: 'HEX' }], rangeError('options.encoding')],
  ['encoding as a number', ['x', { encoding: 16 }], typeError('options.encoding')],
  ['unknown option', ['x', { algorithm: 'sha1' }], typeError('options.algorithm', 'ERR_INVALID_ARG_VALUE')],
  ['signal not a signal', ['x', { signal: 'abort' }], typeError('options.signal')],
]

const families: Array<[string[], typeof qrCases]> = [
  [['createQr', 'toDataURL', 'toBuffer', 'toString'], qrCases],
  // create() takes only the encoding options; the cases that test those apply to it too.
  [['create'], qrCases.filter(([, args]) => {
    const options = args[1]
    if (typeof options !== 'object' || options === null) return true
    return Object.keys(options).every((key) => ['version', 'maskPattern', 'errorCorrectionLevel', 'micro', 'eci', 'signal'].includes(key))
  })],
  [['sha256'], hashCases],
]

function check(t: import('ava').ExecutionContext, error: unknown, expected: Expected, label: string) {
  t.true(error instanceof Error, `${label}: an Error`)
  const { name, code, message } = error as Error & { code?: string }
  t.is(name, expected.name, `${label}: ${message}`)
  t.is(code, expected.code, `${label}: code`)
  t.true(message.includes(expected.mentions), `${label}: "${message}" names ${expected.mentions}`)
  t.notRegex(message, /napi|Failed to|TypedArray info|rust type/i, `${label}: no raw napi message`)
}

for (const [functions, cases] of families) {
  for (const fn of functions) {
    for (const [label, args, expected] of cases) {
      // Text has no pixels; toString ignores logos, and a JPEG quality only matters to JPEG.
      if (fn === 'toString' && /IMAGE_TOO_LARGE|LOGO_UNREADABLE/.test(expected.code)) continue
      test(`${fn} rejects and ${fn}Sync throws: ${label}`, async (t) => {
        let promise: unknown
        t.notThrows(() => {
          promise = api[fn]!(...args)
        }, 'the async function never throws synchronously')
        t.true(promise instanceof Promise)
        check(t, await (promise as Promise<unknown>).then(() => undefined, (error: unknown) => error), expected, fn)
        check(t, t.throws(() => api[`${fn}Sync`]!(...args)), expected, `${fn}Sync`)
      })
    }
  }
}

test("toString rejects an unknown type", async (t) => {
  const error = await t.throwsAsync(qrhash.toString('x', { type: 'png' as 'svg' }))
  check(t, error, rangeError('options.type'), 'toString')
})

test('an already aborted signal rejects with an AbortError carrying the reason', async (t) => {
  const controller = new AbortController()
  const reason = new Error('client went away')
  controller.abort(reason)
  for (const call of [
    () => qrhash.sha256('x', { signal: controller.signal }),
    () => qrhash.createQr('x', { signal: controller.signal }),
    () => qrhash.toBuffer('x', { signal: controller.signal }),
    () => qrhash.toString('x', { signal: controller.signal }),
  ]) {
    const error = (await t.throwsAsync(call())) as Error & { code?: string }
    t.is(error.name, 'AbortError')
    t.is(error.code, 'ERR_ABORTED')
    t.is(error.cause, reason)
  }
  const syncError = t.throws(() => qrhash.sha256Sync('x', { signal: controller.signal })) as Error
  t.is(syncError.name, 'AbortError')
})

test('aborting a running hash stops it early with an AbortError', async (t) => {
  const data = Buffer.alloc(1 << 30, 1) // about half a second of hashing
  const controller = new AbortController()
  const started = performance.now()
  const pending = qrhash.sha256(data, { signal: controller.signal })
  setTimeout(() => controller.abort(), 20)
  const error = (await t.throwsAsync(pending)) as Error & { code?: string }
  const elapsed = performance.now() - started
  t.is(error.name, 'AbortError')
  t.is(error.code, 'ERR_ABORTED')
  t.log(`rejected ${elapsed.toFixed(1)} ms after the call (abort at 20 ms)`)
  t.true(
    (error.cause as Error | undefined)?.name === 'AbortError',
    'the default reason is a DOMException named AbortError',
  )
})

test('AbortSignal.timeout works as a signal', async (t) => {
  const signal = AbortSignal.timeout(1)
  await new Promise((resolve) => setTimeout(resolve, 10))
  const error = (await t.throwsAsync(qrhash.sha256('x', { signal }))) as Error
  t.is(error.name, 'AbortError')
  t.is((error.cause as Error).name, 'TimeoutError')
})

test("an exception thrown by the caller's own code while arguments are read is passed on, never left pending", async (t) => {
  const boom = new Error('boom')
  const throwingGetter = { get scale(): number { throw boom } }
  const throwingProxy = new Proxy({}, { ownKeys: () => { throw boom } })
  const throwingSignal = { aborted: false, addEventListener: () => { throw boom }, removeEventListener: () => {} }
  const calls: Array<[string, () => Promise<unknown>, () => unknown]> = [
    ['a throwing option getter', () => qrhash.createQr('x', throwingGetter), () => qrhash.createQrSync('x', throwingGetter)],
    ['a Proxy whose ownKeys throws', () => qrhash.sha256('x', throwingProxy), () => qrhash.sha256Sync('x', throwingProxy)],
    [
      'a signal whose addEventListener throws',
      () => qrhash.sha256('x', { signal: throwingSignal as unknown as AbortSignal }),
      () => qrhash.sha256Sync('x', { signal: throwingSignal as unknown as AbortSignal }),
    ],
  ]
  for (const [label, call, callSync] of calls) {
    let promise: Promise<unknown> | undefined
    t.notThrows(() => {
      promise = call()
    }, label)
    t.is(await t.throwsAsync(promise!), boom, `${label}: rejects with the very error`)
    t.is(t.throws(callSync), boom, `${label}: the sync twin throws it`)
  }
  // Nothing was left pending: the next call works.
  t.is(await qrhash.sha256('abc', { encoding: 'hex' }), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('a detached ArrayBuffer, or a view of one, is a TypeError; an empty one is fine', async (t) => {
  const buffer = new ArrayBuffer(64)
  const views = [buffer, new Float64Array(buffer), new Uint8Array(buffer), new DataView(buffer)]
  structuredClone(buffer, { transfer: [buffer] })
  for (const input of views) {
    const error = (await t.throwsAsync(qrhash.sha256(input))) as Error & { code?: string }
    t.is(error.name, 'TypeError')
    t.is(error.code, 'ERR_INVALID_ARG_TYPE')
    t.regex(error.message, /^input must be .* got a detached ArrayBuffer/)
    t.throws(() => qrhash.createQrSync(input), { instanceOf: TypeError, message: /^text must be .*detached/ })
  }
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  t.is(await qrhash.sha256(new DataView(new ArrayBuffer(0)), { encoding: 'hex' }), empty)
})

test('an object people pass by mistake as data is named, with what to pass instead', async (t) => {
  const { Readable } = await import('node:stream')
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a Response', () => new Response('body'), /got a Response: pass await response\.arrayBuffer\(\), or pipe response\.body into createSha256\(\)$/],
    ['a Request', () => new Request('http://127.0.0.1/'), /got a Request: pass await request\.arrayBuffer\(\)$/],
    ['a Blob', () => new Blob(['x']), /got a Blob: pass await blob\.arrayBuffer\(\)$/],
    ['a File', () => new File(['x'], 'x.txt'), /got a Blob: pass await blob\.arrayBuffer\(\)$/],
    ['a ReadableStream', () => new ReadableStream(), /got a ReadableStream: pipe it into createSha256\(\)/],
    ['a Node stream', () => Readable.from(['x']), /got a stream: pipe it into createSha256\(\) \(await pipeline\(stream, hasher\)\)$/],
    ['a Promise', () => Promise.resolve(Buffer.from('x')), /got a Promise: await it first$/],
    ['a plain object', () => ({ data: 'x' }), /got a plain object: pass a string \(JSON\.stringify\(object\), say\) or bytes$/],
    ['an object with no prototype', () => Object.create(null), /got a plain object/],
    ['a Map', () => new Map(), /got an object$/],
  ]
  for (const [label, make, message] of cases) {
    t.throws(() => qrhash.sha256Sync(make() as never), { instanceOf: TypeError, code: 'ERR_INVALID_ARG_TYPE', message }, `sha256Sync: ${label}`)
    // sha256 itself reads a Blob or a ReadableStream (hash-web.spec.ts).
    if (!['a Blob', 'a File', 'a ReadableStream'].includes(label)) {
      await t.throwsAsync(qrhash.sha256(make() as never), { instanceOf: TypeError, message }, `sha256: ${label}`)
    }
    await t.throwsAsync(qrhash.sha256Many([make() as never]), { instanceOf: TypeError, message: new RegExp(`^inputs\\[0\\] must be .*${message.source}`) }, `sha256Many: ${label}`)
  }
  t.throws(() => qrhash.toStringSync(new Blob(['x']) as never), { instanceOf: TypeError, message: /^text must be .*got a Blob: pass await blob\.arrayBuffer\(\)$/ })
  // A Proxy whose traps throw: natively nothing asks it anything before the hint, which
  // catches its traps; through WebAssembly emnapi's own type checks run them, and what a trap
  // throws is passed on unchanged, as everywhere.
  const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap') }, get: () => { throw new Error('trap') } })
  const thrown = t.throws(() => qrhash.sha256Sync(hostile as never))
  if (__napiBindingTarget === 'native') t.regex(thrown!.message, /got an object$/)
  else t.true(thrown instanceof TypeError ? /got an object$/.test(thrown.message) : thrown!.message === 'trap', thrown!.message)
})
