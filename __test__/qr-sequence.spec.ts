// Structured append: text or bytes too long for one code (or split on request) across up to
// 16 codes. zxing-wasm is the oracle: each code's sequence index and size, and the parity as
// its sequence id; the parts read in order join back into the input.
import { randomBytes } from 'node:crypto'

import test from 'ava'

import {
  createQrSequence,
  createSequence,
  createSequenceSync,
  createSync,
  toBufferSequence,
  toBufferSequenceSync,
  toStringSequence,
} from '../index.js'
import { pngOfDataUrl, zxingRead } from './helpers/decode.js'
import { readSvg, readWithSharp, type Read } from './helpers/render.js'

const parityOf = (bytes: Uint8Array) => bytes.reduce((parity, byte) => parity ^ byte, 0)

/** Checks that `reads` are one sequence, in order, and returns them. */
function checkSequence(t: import('ava').ExecutionContext, reads: Read[], parity: number): Read[] {
  t.true(reads.length >= 2, `${reads.length} codes`)
  reads.forEach((read, index) => {
    t.is(read.sequenceIndex, index)
    t.is(read.sequenceSize, reads.length)
    t.is(read.sequenceId, String(parity))
  })
  return reads
}

const japanese = '日本語のテキストを、いくつかのＱＲコードに分けて読み取ります。漢字とかな。'.repeat(40)
const mixed = `Grüße 🚀 ${'0123456789'.repeat(60)} ABCDEFGH-/:. ${'mixed text, 混在 ☃ '.repeat(80)}`

test('text of every kind split across codes joins back: alphanumeric, Kanji, mixed', async (t) => {
  const cases: Array<[string, string, 'L' | 'M' | 'H']> = [
    ['alphanumeric', 'STRUCTURED APPEND 0123456789 $%*+-./:'.repeat(200), 'M'],
    ['Kanji', japanese, 'M'],
    ['mixed', mixed, 'H'],
  ]
  for (const [label, text, errorCorrectionLevel] of cases) {
    const pngs = await toBufferSequence(text, { errorCorrectionLevel, scale: 2 })
    const reads = checkSequence(t, await Promise.all(pngs.map((png) => zxingRead(png))), parityOf(Buffer.from(text)))
    t.is(reads.map((read) => read.text).join(''), text, label)
    // Every code has one version.
    const symbols = await createSequence(text, { errorCorrectionLevel })
    t.is(symbols.length, pngs.length)
    t.is(new Set(symbols.map((symbol) => symbol.version)).size, 1, `${label}: one version`)
  }
})

test('bytes split across codes join back byte for byte', async (t) => {
  const bytes = randomBytes(5000)
  const pngs = toBufferSequenceSync(bytes, { errorCorrectionLevel: 'L', scale: 2 })
  t.is(pngs.length, 2, '5 000 bytes need two codes at level L (2 953 bytes each at most)')
  const reads = checkSequence(t, await Promise.all(pngs.map((png) => zxingRead(png))), parityOf(bytes))
  t.deepEqual(Buffer.concat(reads.map((read) => Buffer.from(read.bytes))), bytes)
})

test('symbols asks for an exact count, version fixes the size; a short text fits one code with no header', async (t) => {
  const text = 'https://example.com/a/long/path/that/is/split?into=five&parts=1'
  const urls = await createQrSequence(text, { symbols: 5 })
  t.is(urls.length, 5)
  const reads = checkSequence(t, await Promise.all(urls.map((url) => zxingRead(pngOfDataUrl(url)))), parityOf(Buffer.from(text)))
  t.is(reads.map((read) => read.text).join(''), text)

  const fixed = createSequenceSync('x'.repeat(500), { version: 10, errorCorrectionLevel: 'M' })
  t.true(fixed.length >= 2)
  for (const symbol of fixed) t.is(symbol.version, 10)

  const one = createSequenceSync('short')
  t.is(one.length, 1)
  t.is(one[0]?.sequence, null)
  const plain = createSync('short')
  t.deepEqual(one[0]?.modules, plain.modules, 'no header: the code create() makes')
  t.is((await zxingRead((await toBufferSequence('short'))[0] as Buffer)).sequenceSize, -1)
})

test('createSequence reports each code\'s place, and the parity as readers see it', async (t) => {
  const text = 'sequence metadata '.repeat(30)
  const symbols = await createSequence(text, { symbols: 3 })
  t.deepEqual(symbols.map((symbol) => symbol.sequence), [0, 1, 2].map((index) => ({ index, total: 3, parity: parityOf(Buffer.from(text)) })))
  t.deepEqual(symbols, createSequenceSync(text, { symbols: 3 }))
})

test('every output format: data URLs, PNG, JPEG, SVG, each read as the sequence', async (t) => {
  const text = 'Every format carries the header. '.repeat(12)
  const parity = parityOf(Buffer.from(text))
  const options = { symbols: 2 }
  const outputs: Array<[string, Read[]]> = [
    ['data URL', await Promise.all((await createQrSequence(text, options)).map((url) => zxingRead(pngOfDataUrl(url))))],
    ['JPEG', await Promise.all((await toBufferSequence(text, { ...options, type: 'jpeg' })).map((jpeg) => readWithSharp(jpeg)))],
    ['SVG', await Promise.all((await toStringSequence(text, { ...options, type: 'svg' })).map((svg) => readSvg(svg)))],
  ]
  for (const [label, reads] of outputs) {
    checkSequence(t, reads, parity)
    t.is(reads.map((read) => read.text).join(''), text, label)
  }
})

test('GS1 data split across codes keeps FNC1 in each, after the header', async (t) => {
  const data = `0109506000134352${'\x1d'}10${'LOT1234567'.repeat(40)}`
  const reads = await Promise.all((await toBufferSequence(data, { gs1: true, symbols: 2 })).map((png) => zxingRead(png)))
  checkSequence(t, reads, parityOf(Buffer.from(data)))
  for (const read of reads) t.is(read.symbologyIdentifier, ']Q3')
})

test('an abort stops a long split (16 codes of Kanji take tens of milliseconds to cut)', async (t) => {
  const text = '漢'.repeat(16 * 1800)
  const controller = new AbortController()
  const call = toBufferSequence(text, { errorCorrectionLevel: 'L', signal: controller.signal })
  setTimeout(() => controller.abort(new Error('stop')), 5)
  const started = performance.now()
  await t.throwsAsync(call, { name: 'AbortError', code: 'ERR_ABORTED' })
  t.log(`rejected ${(performance.now() - started).toFixed(1)} ms after the call`)
  // Unaborted, the same call resolves to 16 codes.
  t.is((await toBufferSequence(text, { errorCorrectionLevel: 'L', type: 'svg' })).length, 16)
})

test('bad sequence requests are refused by name', async (t) => {
  for (const symbols of [1, 17, 2.5, -3]) {
    t.throws(() => createSequenceSync('abc', { symbols }), { instanceOf: RangeError, code: 'ERR_OUT_OF_RANGE', message: /^options\.symbols must be/ }, String(symbols))
  }
  t.throws(() => createSequenceSync('abc', { symbols: '2' as never }), { instanceOf: TypeError, message: /^options\.symbols must be/ })
  t.throws(() => createSequenceSync('ab', { symbols: 3 }), { instanceOf: RangeError, message: /^options\.symbols must be at most the data's characters.*got 3 for 2 characters$/ })
  await t.throwsAsync(createQrSequence('abc', { micro: true, symbols: 2 }), { instanceOf: RangeError, message: /options\.symbols.*Micro QR has no structured append/ })
  t.throws(() => toBufferSequenceSync(randomBytes(16 * 2953 + 1), { errorCorrectionLevel: 'L' }), {
    instanceOf: RangeError,
    code: 'ERR_QR_DATA_TOO_LONG',
    message: /^text does not fit in 16 QR codes of a structured-append sequence at error correction level L/,
  })
  t.throws(() => createSequenceSync('x'.repeat(3000), { symbols: 2, version: 5 }), { code: 'ERR_QR_DATA_TOO_LONG', message: /does not fit in 2 QR codes/ })
  t.throws(() => createSequenceSync(['a', 'b'] as never), { instanceOf: TypeError, message: /^text must be/ })
  t.throws(() => createSequenceSync('x'.repeat(16 * 7089 + 1)), { code: 'ERR_QR_DATA_TOO_LONG', message: /^text must be at most 113424 characters/ })
})
