// Every image and text output qrhash makes decodes to exactly its input: zxing-wasm reads each
// one back (PNG and GIF files directly; JPEG and WebP through sharp's decoder; SVG rendered by resvg;
// half-block and ANSI terminal text parsed back into modules), for each option that changes the
// symbol or its drawing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import test, { type ExecutionContext } from 'ava'
import type { ReadResult } from 'zxing-wasm/reader'

import {
  create,
  createQr,
  createQrBatch,
  createQrSync,
  createSync,
  toBuffer,
  toBufferSync,
  toFile,
  toFileSync,
  toString,
  toStringSync,
  type QrBufferOptions,
  type QrData,
  type QrImageOptions,
  type QrStringOptions,
} from '../index.js'
import { decodePng, jsqrRead, pngOfDataUrl, zxingRead, zxingReadAs, zxingReadPixels, type Decoded } from './helpers/decode.js'
import { prng } from './helpers/oracle.js'
import {
  LOGO_RED,
  formatOf,
  framedGrid,
  gridOfHalfBlocks,
  gridOfTerminal,
  logoJpeg,
  logoPng,
  pixelAt,
  pixelsOf,
  pixelsOfGrid,
  rawPixelsOf,
  rgbOf,
  svgPixels,
  utf8,
} from './helpers/qr-images.js'

const require = createRequire(import.meta.url)
const QRCode: typeof import('qrcode') = require('qrcode')
// node-qrcode's capacity table: how many characters of a mode a version holds at a level.
const qrVersion: { getCapacity(version: number, level: unknown, mode: unknown): number } = require('qrcode/lib/core/version')
const qrLevels: Record<'L' | 'M' | 'Q' | 'H', unknown> = require('qrcode/lib/core/error-correction-level')
const qrModes: { BYTE: unknown } = require('qrcode/lib/core/mode')

type Level = 'L' | 'M' | 'Q' | 'H'
const LEVELS: Level[] = ['L', 'M', 'Q', 'H']

/** What a decoded symbol must hold and be. */
interface Expected {
  /** The text zxing renders (kanji and ECI resolved); defaults to nothing checked. */
  text?: string
  /** The raw content bytes; defaults to the UTF-8 of `text` unless `text` has kanji. */
  bytes?: Uint8Array | null
  version?: number | string
  ecLevel?: Level
  mask?: number
  eci?: boolean
  micro?: boolean
}

/** Checks one zxing result against what was encoded. */
function check(t: ExecutionContext, result: ReadResult, expected: Expected, label: string) {
  t.is(result.format, expected.micro ? 'MicroQRCode' : 'QRCode', `${label}: format`)
  if (expected.text !== undefined) t.is(result.text, expected.text, `${label}: text`)
  const bytes = expected.bytes === undefined && expected.text !== undefined ? utf8(expected.text) : expected.bytes
  if (bytes) t.deepEqual(new Uint8Array(result.bytes), bytes, `${label}: bytes`)
  if (expected.version !== undefined) t.is(result.version, `${expected.micro ? 'M' : ''}${expected.version}`, `${label}: version`)
  if (expected.ecLevel !== undefined) t.is(result.ecLevel, expected.ecLevel, `${label}: level`)
  if (expected.mask !== undefined) t.is(JSON.parse(result.extra).DataMask, expected.mask, `${label}: mask`)
  if (expected.eci !== undefined) t.is(result.hasECI, expected.eci, `${label}: ECI`)
}

/** Checks what zxing reads; a symbol it cannot find fails the test with `label` and goes on. */
async function decodesTo(t: ExecutionContext, reading: Promise<ReadResult>, expected: Expected, label: string) {
  let result: ReadResult
  try {
    result = await reading
  } catch (error) {
    t.fail(`${label}: ${(error as Error).message}`)
    return
  }
  check(t, result, expected, label)
}

let decodes = 0

/** How many pixels of two same-sized images differ in any channel. */
function differingPixels(a: Decoded, b: Decoded): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity
  let count = 0
  for (let at = 0; at < a.rgba.length; at += 4) {
    if (a.rgba[at] !== b.rgba[at] || a.rgba[at + 1] !== b.rgba[at + 1] || a.rgba[at + 2] !== b.rgba[at + 2] || a.rgba[at + 3] !== b.rgba[at + 3]) count++
  }
  return count
}

/** zxing's reading of a file qrhash wrote: PNG or GIF (read by zxing itself), JPEG, WebP or SVG. */
async function readFile(bytes: Uint8Array, micro = false): Promise<ReadResult> {
  decodes++
  const formats = [micro ? ('MicroQRCode' as const) : ('QRCode' as const)]
  switch (formatOf(bytes)) {
    case 'png':
      return micro ? zxingReadAs(formats, bytes) : zxingRead(bytes)
    case 'gif':
      return zxingReadAs(formats, bytes)
    case 'jpeg':
    case 'webp':
      return zxingReadAs(formats, await pixelsOf(bytes))
    case 'svg':
      return zxingReadAs(formats, svgPixels(Buffer.from(bytes).toString('utf8')))
    default:
      throw new Error(`not an image file: ${Buffer.from(bytes.subarray(0, 8)).toString('hex')}`)
  }
}

/** zxing's reading of pixels (colours with alpha composited over white first by the caller). */
async function readPixels(image: Decoded, micro = false): Promise<ReadResult> {
  decodes++
  return micro ? zxingReadAs(['MicroQRCode'], image) : zxingReadPixels(image.rgba, image.width, image.height)
}

const PRINTABLE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
/** `length` printable ASCII characters, the same for the same seed (tests run concurrently). */
function randomText(length: number, seed: number): string {
  const random = prng(seed)
  return Array.from({ length }, () => PRINTABLE[Math.floor(random() * PRINTABLE.length)]).join('')
}

const EXAMPLE_URL = 'https://example.com/'
const OTPAUTH = 'otpauth://totp/ACME:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME'

test.after.always((t) => t.log(`${decodes} zxing decodes`))

// ---------------------------------------------------------------------------------------------
// Levels, versions, masks

for (const version of [1, 7, 10, 27, 40]) {
  for (const level of LEVELS) {
    test(`PNG: version ${version}-${level} decodes to the exact text`, async (t) => {
      const capacity = qrVersion.getCapacity(version, qrLevels[level], qrModes.BYTE)
      const text = randomText(Math.ceil(capacity * 0.8), version * 10 + LEVELS.indexOf(level))
      const options = { version, errorCorrectionLevel: level } as const
      const url = await createQr(text, options)
      t.is(createQrSync(text, options), url, 'createQrSync is the same')
      const png = pngOfDataUrl(url)
      await decodesTo(t, readFile(png), { text, version, ecLevel: level }, 'zxing')
      if (version <= 10) t.deepEqual(jsqrRead(png), utf8(text), 'jsQR')
      const symbol = await create(text, options)
      t.is(symbol.version, version)
      t.is(symbol.size, 17 + 4 * version)
      t.is(decodePng(png).width, (symbol.size + 8) * 4, 'default margin 4, scale 4')
    })
  }
}

for (const version of [1, 7]) {
  test(`PNG: every forced mask 0–7 at version ${version} is the mask zxing reads`, async (t) => {
    const text = `mask test ${version}`
    for (let mask = 0; mask < 8; mask++) {
      const options = { version, maskPattern: mask, errorCorrectionLevel: 'Q' } as const
      t.is(createSync(text, options).maskPattern, mask)
      const png = await toBuffer(text, options)
      await decodesTo(t, readFile(png), { text, version, ecLevel: 'Q', mask }, `mask ${mask}`)
      t.deepEqual(jsqrRead(png), utf8(text), `mask ${mask}: jsQR`)
    }
  })
}

test('PNG: the automatic mask is the one written in the symbol', async (t) => {
  for (const text of [EXAMPLE_URL, OTPAUTH, 'HELLO WORLD', '0123456789']) {
    const { maskPattern, version, errorCorrectionLevel } = createSync(text)
    await decodesTo(t, readFile(toBufferSync(text)), { text, version, ecLevel: errorCorrectionLevel, mask: maskPattern }, text)
  }
})

// ---------------------------------------------------------------------------------------------
// Geometry: margins, scales, widths

test('PNG: margins 0, 1 and odd ones, at scales 1–7: exact size, and every one decodes', async (t) => {
  const text = 'margin & scale'
  const { size } = createSync(text)
  for (const margin of [0, 1, 3, 5]) {
    for (const scale of [1, 2, 3, 7]) {
      const png = toBufferSync(text, { margin, scale })
      const image = decodePng(png)
      t.is(image.width, (size + 2 * margin) * scale, `margin ${margin} scale ${scale}: width`)
      t.is(image.height, image.width)
      t.deepEqual(pixelAt(image, margin * scale, margin * scale), [0, 0, 0, 255], 'the finder starts right after the margin')
      if (margin > 0) t.deepEqual(pixelAt(image, margin * scale - 1, margin * scale - 1), [255, 255, 255, 255], 'the margin is light')
      await decodesTo(t, readFile(png), { text }, `margin ${margin} scale ${scale}`)
    }
  }
})

test('PNG: width sets the exact image size, including widths that are not a multiple of the modules', async (t) => {
  const text = EXAMPLE_URL
  const { size } = createSync(text)
  const modules = size + 8
  for (const width of [modules, 100, 240, 301, 333, 512, 1001]) {
    for (const scale of [undefined, 2]) {
      const png = toBufferSync(text, { width, ...(scale ? { scale } : {}) })
      const image = decodePng(png)
      t.is(image.width, width, `width ${width} (scale ${scale}) overrides scale`)
      t.is(image.height, width)
      await decodesTo(t, readFile(png), { text }, `width ${width}`)
    }
  }
  // Less than one pixel per module: ignored, as in node-qrcode.
  t.is(decodePng(toBufferSync(text, { width: modules - 1 })).width, modules * 4)
  t.is(decodePng(toBufferSync(text, { width: 10, scale: 3 })).width, modules * 3)
})

test('SVG: width and scale set the pixel size; the rendered image decodes', async (t) => {
  const text = 'SVG sizes 1234567890'
  const { size } = createSync(text)
  for (const [options, px] of [
    [{}, (size + 8) * 4],
    [{ scale: 3, margin: 2 }, (size + 4) * 3],
    [{ width: 301 }, 301],
    [{ width: 333, margin: 1 }, 333],
    [{ margin: 0, scale: 6 }, size * 6],
  ] as Array<[QrStringOptions, number]>) {
    const svg = await toString(text, { ...options, type: 'svg' })
    t.true(svg.includes(`width="${px}" height="${px}"`), `${JSON.stringify(options)}: ${px} px`)
    const image = svgPixels(svg)
    t.is(image.width, px)
    await decodesTo(t, readPixels(image), { text }, JSON.stringify(options))
  }
})

// ---------------------------------------------------------------------------------------------
// Colours

const colourCases: Array<{ dark: string; light: string; darkRgba: number[]; lightRgba: number[] }> = [
  { dark: '#0008', light: '#fff', darkRgba: [0, 0, 0, 0x88], lightRgba: [255, 255, 255, 255] },
  { dark: '#1a2b3c', light: '#ffffff00', darkRgba: [0x1a, 0x2b, 0x3c, 255], lightRgba: [255, 255, 255, 0] },
  { dark: '#c00000cc', light: '#fffbe0', darkRgba: [0xc0, 0, 0, 0xcc], lightRgba: [0xff, 0xfb, 0xe0, 255] },
  { dark: '00f', light: 'ff0', darkRgba: [0, 0, 255, 255], lightRgba: [255, 255, 0, 255] },
  { dark: '#102030f0', light: '#f0e0d080', darkRgba: [0x10, 0x20, 0x30, 0xf0], lightRgba: [0xf0, 0xe0, 0xd0, 0x80] },
]

for (const { dark, light, darkRgba, lightRgba } of colourCases) {
  test(`colours dark ${dark} light ${light}: exact pixels in PNG and WebP, and every format decodes`, async (t) => {
    const text = `colours ${dark} ${light}`
    const color = { dark, light }
    const png = toBufferSync(text, { color })
    const image = decodePng(png)
    t.deepEqual(pixelAt(image, 0, 0), lightRgba, 'PNG light')
    t.deepEqual(pixelAt(image, 16, 16), darkRgba, 'PNG dark (the first finder module)')
    await decodesTo(t, readPixels(await pixelsOf(png)), { text }, 'PNG over white')
    const webp = toBufferSync(text, { color, type: 'webp' })
    t.is(differingPixels(await rawPixelsOf(webp), await rawPixelsOf(png)), 0, 'WebP (lossless) has the PNG pixels')
    await decodesTo(t, readFile(webp), { text }, 'WebP')
    await decodesTo(t, readFile(toBufferSync(text, { color, type: 'jpeg' })), { text }, 'JPEG')
    const svg = toStringSync(text, { color, type: 'svg' })
    t.true(svg.includes(`stroke="#${rgbOf(dark).map((c) => c.toString(16).padStart(2, '0')).join('')}"`), 'SVG dark runs')
    await decodesTo(t, readPixels(svgPixels(svg)), { text }, 'SVG')
  })
}

// ---------------------------------------------------------------------------------------------
// Input: segments, bytes, ECI, kanji

/**
 * `text` is what the segments hold, joined; zxing must read it back unless `bytes` says what
 * the raw content is instead (zxing drops control characters from its text).
 */
const segmentCases: Array<{ name: string; input: QrData; segments?: Array<{ mode: string; data: string }>; text: string; bytes?: Uint8Array | null }> = [
  {
    name: 'numeric, alphanumeric and byte segments',
    input: [
      { data: '0123456789012', mode: 'numeric' },
      { data: 'HELLO WORLD $%*+-./:', mode: 'alphanumeric' },
      { data: 'hello, world', mode: 'byte' },
    ],
    segments: [
      { mode: 'numeric', data: '0123456789012' },
      { mode: 'alphanumeric', data: 'HELLO WORLD $%*+-./:' },
      { mode: 'byte', data: 'hello, world' },
    ],
    text: '0123456789012HELLO WORLD $%*+-./:hello, world',
  },
  {
    name: 'a kanji segment between numeric and alphanumeric ones',
    input: [
      { data: '2024', mode: 'numeric' },
      { data: '年の漢字', mode: 'kanji' },
      { data: 'ABC-123', mode: 'alphanumeric' },
    ],
    segments: [
      { mode: 'numeric', data: '2024' },
      { mode: 'kanji', data: '年の漢字' },
      { mode: 'alphanumeric', data: 'ABC-123' },
    ],
    text: '2024年の漢字ABC-123',
    bytes: null,
  },
  {
    name: 'digits forced into byte mode, and letters into alphanumeric',
    input: [
      { data: '314159', mode: 'byte' },
      { data: '271828', mode: 'alphanumeric' },
    ],
    segments: [
      { mode: 'byte', data: '314159' },
      { mode: 'alphanumeric', data: '271828' },
    ],
    text: '314159271828',
  },
  {
    name: 'plain strings in an array (each one segmented)',
    input: ['ORDER ', '12345678901234', ' for alice@example.com'],
    text: 'ORDER 12345678901234 for alice@example.com',
  },
  {
    name: 'a string and a Uint8Array of bytes',
    input: ['ID:', Uint8Array.of(0x00, 0x7f, 0x10, 0x41, 0x42)],
    text: 'ID:\u0000\u007f\u0010AB',
    bytes: Uint8Array.of(0x49, 0x44, 0x3a, 0x00, 0x7f, 0x10, 0x41, 0x42),
  },
]

for (const { name, input, segments, text, bytes } of segmentCases) {
  test(`segments: ${name}`, async (t) => {
    const symbol = await create(input)
    const written = symbol.segments.map(({ mode, data }) => ({ mode, data: typeof data === 'string' ? data : Buffer.from(data).toString('latin1') }))
    if (segments) t.deepEqual(written, segments, 'create() reports the segments as given')
    t.is(written.map((segment) => segment.data).join(''), text, 'the segments hold the text, in order')
    for (const [i, source] of [toBufferSync(input), toBufferSync(input, { type: 'jpeg' }), Buffer.from(toStringSync(input, { type: 'svg' }))].entries()) {
      const expected = bytes ? { bytes, version: symbol.version } : { text, bytes, version: symbol.version }
      await decodesTo(t, readFile(source), expected, ['PNG', 'JPEG', 'SVG'][i]!)
    }
  })
}

test('bytes: a Uint8Array of all 256 byte values is encoded byte for byte, with no ECI even when eci is true', async (t) => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 73 + 5) & 0xff)
  for (const eci of ['auto', true, false] as const) {
    const symbol = createSync(bytes, { eci })
    t.deepEqual(symbol.segments.map((segment) => segment.mode), ['byte'])
    await decodesTo(t, readFile(toBufferSync(bytes, { eci })), { bytes, eci: false, version: symbol.version }, `eci ${eci}`)
  }
})

const NON_ASCII = 'Grüße, 世界! 👋🏽 ñandú'

test("ECI 'auto' (the default): non-ASCII text is marked UTF-8 and reads back exactly", async (t) => {
  await decodesTo(t, readFile(await toBuffer(NON_ASCII)), { text: NON_ASCII, eci: true }, 'auto')
  await decodesTo(t, readFile(await toBuffer(NON_ASCII, { eci: 'auto', type: 'webp' })), { text: NON_ASCII, eci: true }, 'auto, WebP')
  await decodesTo(t, readFile(await toBuffer('plain ASCII text')), { text: 'plain ASCII text', eci: false }, 'ASCII needs no ECI')
})

test('ECI true: even ASCII text carries the UTF-8 designator', async (t) => {
  for (const text of ['plain ASCII text', NON_ASCII]) {
    await decodesTo(t, readFile(toBufferSync(text, { eci: true })), { text, eci: true }, text)
  }
})

test('ECI false: no designator; non-ASCII text is still its exact UTF-8 bytes, in byte mode', async (t) => {
  for (const text of ['plain ASCII text', NON_ASCII, 'café crème brûlée']) {
    const symbol = createSync(text, { eci: false })
    t.true(symbol.segments.some((segment) => segment.mode === 'byte'))
    t.is(symbol.segments.map((segment) => segment.data).join(''), text)
    await decodesTo(t, readFile(toBufferSync(text, { eci: false })), { bytes: utf8(text), eci: false }, text)
  }
  // ECI costs bits: without it, the same text fits a smaller or equal version.
  t.true(createSync(NON_ASCII, { eci: false }).version <= createSync(NON_ASCII, { eci: true }).version)
})

const KANJI = '日本語の漢字テキスト'

for (const level of LEVELS) {
  test(`kanji: '${KANJI}' at level ${level} is one kanji segment and reads back as the text`, async (t) => {
    const symbol = await create(KANJI, { errorCorrectionLevel: level })
    t.deepEqual(symbol.segments, [{ mode: 'kanji', data: KANJI }])
    await decodesTo(t, readFile(await toBuffer(KANJI, { errorCorrectionLevel: level })), { text: KANJI, bytes: null, ecLevel: level, version: symbol.version }, 'PNG')
  })
}

test('kanji: mixed Japanese and ASCII text uses a kanji segment where it saves bits, and every output reads back', async (t) => {
  for (const text of ['ABC123日本語テキストabc', '東京都千代田区1-1 ＴＥＬ', 'ひらがなとカタカナと漢字']) {
    const symbol = createSync(text)
    t.is(symbol.segments.map((segment) => segment.data).join(''), text, `${text}: segments`)
    t.true(
      symbol.segments.some((segment) => segment.mode === 'kanji'),
      `${text}: a kanji segment in ${JSON.stringify(symbol.segments)}`,
    )
    await decodesTo(t, readFile(toBufferSync(text)), { text, bytes: null }, `${text}: PNG`)
    await decodesTo(t, readFile(Buffer.from(toStringSync(text, { type: 'svg' }))), { text, bytes: null }, `${text}: SVG`)
  }
})

test('kanji: text Shift_JIS cannot write whole (Latin accents and Japanese) is UTF-8 after ECI 26, and reads back', async (t) => {
  // qrhash plans a text either all in Shift_JIS (kanji segments) or all in UTF-8: mixing ECI 26
  // byte segments with kanji ones would save bits but is left alone (see src/qr/segment.rs).
  const text = 'Grüße 日本語の文字'
  t.deepEqual(createSync(text).segments, [{ mode: 'byte', data: text }])
  await decodesTo(t, readFile(toBufferSync(text)), { text, eci: true }, 'PNG')
})

// ---------------------------------------------------------------------------------------------
// Micro QR

const microCases: Array<{ version: number; level: Level; text: string }> = [
  { version: 1, level: 'L', text: '12345' },
  { version: 2, level: 'L', text: 'AB12CD' },
  { version: 2, level: 'M', text: '12345678' },
  { version: 3, level: 'L', text: 'micro3L' },
  { version: 3, level: 'M', text: 'MICRO QR' },
  { version: 4, level: 'L', text: 'Micro QR, M4-L!' },
  { version: 4, level: 'M', text: 'https://ex.co' },
  { version: 4, level: 'Q', text: '123456789012345678901' },
]

for (const { version, level, text } of microCases) {
  test(`Micro QR M${version}-${level}: PNG, SVG and text decode as a Micro QR code`, async (t) => {
    const options = { micro: true, version, errorCorrectionLevel: level } as const
    const symbol = createSync(text, options)
    t.like(symbol, { micro: true, version, errorCorrectionLevel: level, size: 9 + 2 * version })
    const expected = { text, micro: true, version, ecLevel: level }
    await decodesTo(t, readFile(toBufferSync(text, options), true), expected, 'PNG')
    await decodesTo(t, readFile(toBufferSync(text, { ...options, scale: 8, margin: 2 }), true), expected, 'PNG, scale 8 margin 2')
    await decodesTo(t, readFile(Buffer.from(toStringSync(text, { ...options, type: 'svg' })), true), expected, 'SVG')
    const art = toStringSync(text, { ...options, margin: 2 })
    t.deepEqual(gridOfHalfBlocks(art).slice(0, symbol.size + 4), framedGrid(symbol, 2), 'half blocks are the modules')
    await decodesTo(t, readPixels(pixelsOfGrid(gridOfHalfBlocks(art)), true), expected, 'utf8 text')
  })
}

test('Micro QR: every forced mask 0–3 is the mask zxing reads (M2-L and M4-M)', async (t) => {
  for (const [version, level, text] of [
    [2, 'L', 'A1B2'],
    [4, 'M', 'micro mask'],
  ] as const) {
    for (let mask = 0; mask < 4; mask++) {
      const options = { micro: true, version, errorCorrectionLevel: level, maskPattern: mask }
      t.is(createSync(text, options).maskPattern, mask)
      await decodesTo(t, readFile(toBufferSync(text, options), true), { text, micro: true, version, ecLevel: level, mask }, `M${version} mask ${mask}`)
    }
  }
})

test('Micro QR: the smallest version is chosen, and JPEG and WebP decode too', async (t) => {
  for (const [text, version] of [
    ['123', 1],
    ['HELLO', 2],
    ['hello', 3],
    ['hello, micro', 4],
  ] as const) {
    const symbol = createSync(text, { micro: true, errorCorrectionLevel: 'L' })
    t.is(symbol.version, version, text)
    if (version === 3) continue // M3-L has its own test above
    for (const type of ['jpeg', 'webp'] as const) {
      await decodesTo(t, readFile(toBufferSync(text, { micro: true, errorCorrectionLevel: 'L', type }), true), { text, micro: true, version }, `${text} ${type}`)
    }
  }
})

// ---------------------------------------------------------------------------------------------
// Styles and logos

for (const modules of ['square', 'rounded', 'dots'] as const) {
  for (const finder of ['square', 'rounded'] as const) {
    test(`style modules '${modules}' finder '${finder}': PNG (scale 4 and 10), SVG and WebP decode`, async (t) => {
      const style = { modules, finder }
      for (const text of [EXAMPLE_URL, OTPAUTH]) {
        const { version } = createSync(text)
        await decodesTo(t, readFile(toBufferSync(text, { style })), { text, version }, `${text}: PNG`)
        await decodesTo(t, readFile(toBufferSync(text, { style, scale: 10 })), { text, version }, `${text}: PNG scale 10`)
        await decodesTo(t, readFile(Buffer.from(toStringSync(text, { style, type: 'svg' }))), { text, version }, `${text}: SVG`)
        await decodesTo(t, readFile(toBufferSync(text, { style, type: 'webp', color: { dark: '#203060' } })), { text, version }, `${text}: WebP`)
      }
    })
  }
}

test("style: text outputs ignore it (utf8 is the plain modules)", async (t) => {
  const symbol = createSync(EXAMPLE_URL)
  const art = toStringSync(EXAMPLE_URL, { style: { modules: 'dots', finder: 'rounded' } })
  t.is(art, toStringSync(EXAMPLE_URL))
  t.deepEqual(gridOfHalfBlocks(art).slice(0, symbol.size + 8), framedGrid(symbol, 4))
})

const LOGO = logoPng()

/** The largest logo size, in hundredths, that qrhash accepts for `text`. */
function largestLogo(text: string, options: QrImageOptions = {}): number {
  for (let hundredths = 40; hundredths > 0; hundredths--) {
    try {
      toBufferSync(text, { ...options, logo: { image: LOGO, size: hundredths / 100 } })
      return hundredths / 100
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_QR_LOGO_TOO_LARGE') throw error
    }
  }
  return 0
}

for (const [name, text] of [
  ['a URL', EXAMPLE_URL],
  ['an otpauth URI', OTPAUTH],
  ['600 characters', randomText(600, 600)],
] as const) {
  test(`logo on ${name}: default size and the largest that fits, PNG and JPEG logos, every output decodes at level H`, async (t) => {
    const largest = largestLogo(text)
    t.log(`${name}: version ${createSync(text, { errorCorrectionLevel: 'H' }).version}, largest logo ${largest}`)
    t.true(largest >= 0.2, 'the default size fits')
    for (const image of [LOGO, await logoJpeg()]) {
      for (const size of [undefined, largest]) {
        const logo = size === undefined ? { image } : { image, size }
        const label = `${formatOf(image)} logo, size ${size ?? 'default'}`
        const png = toBufferSync(text, { logo, errorCorrectionLevel: 'L' })
        const pixels = decodePng(png)
        const centre = pixelAt(pixels, pixels.width >> 1, pixels.height >> 1)
        t.true(
          centre.every((channel, i) => Math.abs(channel - LOGO_RED[i]!) <= 12),
          `${label}: the logo is drawn at the centre (${centre})`,
        )
        await decodesTo(t, readFile(png), { text, ecLevel: 'H' }, `${label}: PNG, level raised to H`)
        await decodesTo(t, readFile(Buffer.from(toStringSync(text, { logo, type: 'svg' }))), { text, ecLevel: 'H' }, `${label}: SVG`)
        await decodesTo(t, readFile(toBufferSync(text, { logo, type: 'webp', style: { modules: 'rounded', finder: 'rounded' } })), { text, ecLevel: 'H' }, `${label}: WebP, rounded`)
        await decodesTo(t, readFile(toBufferSync(text, { logo, type: 'jpeg', scale: 6 })), { text, ecLevel: 'H' }, `${label}: JPEG`)
        await decodesTo(t, readFile(toBufferSync(text, { logo, type: 'gif' })), { text, ecLevel: 'H' }, `${label}: GIF`)
      }
    }
  })
}

test('logo: a short text gets a version large enough for the logo; a fixed version too small for it is refused with ERR_QR_LOGO_TOO_LARGE, and the size the message offers fits and decodes', async (t) => {
  const text = '12345'
  // Version 1 could not spare the modules: the smallest version that can is used instead.
  const roomy = toBufferSync(text, { logo: { image: LOGO } })
  await decodesTo(t, readFile(roomy), { text, ecLevel: 'H' }, 'default logo on a short text')
  t.true(Number((await readFile(roomy)).version) > 1, 'a version above 1')
  const fixed = { version: 1 } as const
  const error = t.throws(() => toBufferSync(text, { ...fixed, logo: { image: LOGO } }), { instanceOf: RangeError })
  t.is((error as { code?: string }).code, 'ERR_QR_LOGO_TOO_LARGE')
  await t.throwsAsync(createQr(text, { ...fixed, logo: { image: LOGO } }), { instanceOf: RangeError })
  const offered = Number(/at most (\d(?:\.\d+)?) fits/.exec(error!.message)?.[1])
  t.true(offered > 0 && offered < 0.2, `${error!.message}`)
  t.is(largestLogo(text, fixed), Math.floor(offered * 100 + 1e-9) / 100, 'the offered size is the largest accepted')
  await decodesTo(t, readFile(toBufferSync(text, { ...fixed, logo: { image: LOGO, size: offered } })), { text, ecLevel: 'H' }, `size ${offered}`)
})

// ---------------------------------------------------------------------------------------------
// Formats

test('JPEG: every quality decodes; data URLs name their type', async (t) => {
  for (const text of [EXAMPLE_URL, KANJI, OTPAUTH]) {
    const sizes: number[] = []
    for (const quality of [undefined, 1, 0.5, 0.2]) {
      const options: QrBufferOptions = quality === undefined ? { type: 'jpeg' } : { type: 'jpeg', rendererOpts: { quality } }
      const jpeg = await toBuffer(text, options)
      t.is(formatOf(jpeg), 'jpeg')
      sizes.push(jpeg.length)
      await decodesTo(t, readFile(jpeg), { text, bytes: text === KANJI ? null : undefined }, `${text} quality ${quality}`)
    }
    t.true(sizes[3]! < sizes[1]!, `lower quality, fewer bytes: ${sizes}`)
  }
  for (const [type, mime] of [
    ['image/jpeg', 'image/jpeg'],
    ['jpeg', 'image/jpeg'],
    ['jpg', 'image/jpeg'],
    ['image/webp', 'image/webp'],
    ['webp', 'image/webp'],
    ['image/png', 'image/png'],
    ['png', 'image/png'],
    ['image/gif', 'image/gif'],
    ['gif', 'image/gif'],
  ] as const) {
    const url = await createQr(EXAMPLE_URL, { type })
    t.true(url.startsWith(`data:${mime};base64,`), `${type}: ${url.slice(0, 30)}`)
    const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')
    t.deepEqual(bytes, toBufferSync(EXAMPLE_URL, { type }), `${type}: the data URL holds toBuffer's bytes`)
    await decodesTo(t, readFile(bytes), { text: EXAMPLE_URL }, type)
  }
})

test('WebP is lossless: its pixels are the PNG pixels, for every kind of drawing', async (t) => {
  for (const options of [{}, { scale: 3, margin: 1 }, { width: 301 }, { style: { modules: 'dots', finder: 'rounded' } }, { logo: { image: LOGO } }] as QrImageOptions[]) {
    const [png, webp] = [toBufferSync(OTPAUTH, options), toBufferSync(OTPAUTH, { ...options, type: 'webp' })]
    t.is(formatOf(webp), 'webp')
    const [a, b] = [await rawPixelsOf(webp), await rawPixelsOf(png)]
    t.deepEqual([a.width, a.height], [b.width, b.height])
    t.is(differingPixels(a, b), 0, `${JSON.stringify(options)}: pixels differ between WebP and PNG`)
  }
})

/** The colours in a one-frame GIF's palette (its local or global colour table), as it declares them. */
function gifPaletteSize(gif: Uint8Array): number {
  const tableSize = (packed: number) => (packed & 0x80 ? 2 << (packed & 7) : 0)
  const global = tableSize(gif[10]!)
  let at = 13 + 3 * global
  // Extensions (0x21, label, sub-blocks) come before the image descriptor (0x2c).
  while (gif[at] === 0x21) {
    at += 2
    while (gif[at]! !== 0) at += gif[at]! + 1
    at++
  }
  if (gif[at] !== 0x2c) throw new Error(`no image descriptor at byte ${at}`)
  return tableSize(gif[at + 9]!) || global
}

test('GIF: plain codes are two exact colours, styles keep a small palette, a logo is quantized; every one decodes', async (t) => {
  for (const text of [EXAMPLE_URL, KANJI, OTPAUTH]) {
    const expected = { text, bytes: text === KANJI ? null : undefined }
    const plain = toBufferSync(text, { type: 'gif' })
    t.is(formatOf(plain), 'gif')
    t.is(gifPaletteSize(plain), 2, `${text}: two colours`)
    const [a, b] = [await rawPixelsOf(plain), await rawPixelsOf(toBufferSync(text))]
    t.is(differingPixels(a, b), 0, `${text}: the PNG's pixels`)
    await decodesTo(t, readFile(plain), expected, `${text}: GIF`)
    await decodesTo(t, readPixels(await pixelsOf(plain)), expected, `${text}: GIF through sharp`)

    const coloured = { color: { dark: '#3e2723', light: '#fffde7' }, style: { modules: 'dots', finder: 'rounded' }, scale: 6 } as const
    const styled = await toBuffer(text, { ...coloured, type: 'image/gif' })
    t.true(gifPaletteSize(styled) <= 32, `${text}: anti-aliased shapes need at most 17 colours, got ${gifPaletteSize(styled)}`)
    const [styledGif, styledPng] = [await rawPixelsOf(styled), await rawPixelsOf(toBufferSync(text, coloured))]
    t.is(differingPixels(styledGif, styledPng), 0, `${text}: every blend level kept exactly`)
    await decodesTo(t, readFile(styled), expected, `${text}: styled, coloured GIF`)

    const logo = toBufferSync(text, { logo: { image: LOGO, size: 0.25 }, type: 'gif', style: { modules: 'rounded' } })
    const pixels = await rawPixelsOf(logo)
    const centre = pixelAt(pixels, pixels.width >> 1, pixels.height >> 1)
    t.true(
      centre.slice(0, 3).every((channel, i) => Math.abs(channel - LOGO_RED[i]!) <= 24),
      `${text}: the logo is drawn at the centre (${centre})`,
    )
    await decodesTo(t, readFile(logo), { ...expected, ecLevel: 'H' }, `${text}: GIF with a logo`)
  }
  const transparent = toBufferSync(EXAMPLE_URL, { type: 'gif', color: { light: '#fff0' } })
  const corner = pixelAt(await rawPixelsOf(transparent), 0, 0)
  t.is(corner[3], 0, 'a transparent light colour stays transparent')
})

// ---------------------------------------------------------------------------------------------
// Text outputs

test("utf8: half blocks are exactly the modules with the margin, odd margins included, and decode", async (t) => {
  for (const text of [EXAMPLE_URL, KANJI]) {
    const symbol = createSync(text)
    for (const margin of [0, 1, 2, 3, 5]) {
      const art = await toString(text, { margin })
      t.regex(art, /^[ █▀▄\n]+$/u)
      const side = symbol.size + 2 * margin
      const grid = gridOfHalfBlocks(art)
      t.is(grid.length, side + (side % 2), `margin ${margin}: an odd side gets one padding row`)
      t.deepEqual(grid.slice(0, side), framedGrid(symbol, margin), `margin ${margin}`)
      if (side % 2) t.true(grid[side]!.every((dark) => !dark), 'the padding row is light')
      await decodesTo(t, readPixels(pixelsOfGrid(grid)), { text, bytes: null }, `margin ${margin}`)
    }
  }
})

for (const small of [false, true]) {
  test(`terminal${small ? ' (small)' : ''}: ANSI colours are the modules with margin and both colours, and decode`, async (t) => {
    for (const [color, margins] of [
      [{}, [0, 1, 4]],
      [{ dark: '#102030', light: '#f0e0d0' }, [2, 3]],
      [{ dark: '#fff', light: '#000' }, [1]],
    ] as const) {
      const dark = rgbOf(color.dark ?? '#000')
      for (const margin of margins) {
        const symbol = createSync(OTPAUTH)
        const out = await toString(OTPAUTH, { type: 'terminal', small, margin, color })
        t.is(toStringSync(OTPAUTH, { type: 'terminal', small, margin, color }), out)
        const side = symbol.size + 2 * margin
        const grid = gridOfTerminal(out, dark, small)
        t.is(grid.length, small ? side + (side % 2) : side)
        t.deepEqual(grid.slice(0, side), framedGrid(symbol, margin), `${JSON.stringify(color)} margin ${margin}`)
        // Drawn black on white whatever the colours (a light-on-dark code is read as its modules).
        await decodesTo(t, readPixels(pixelsOfGrid(grid.slice(0, side))), { text: OTPAUTH }, `margin ${margin}`)
      }
    }
  })
}

// ---------------------------------------------------------------------------------------------
// toFile

test('toFile and toFileSync: the format follows the extension or type; each file reads back and decodes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qrhash-outputs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const text = 'https://example.com/files?id=42'
  const cases: Array<[string, QrBufferOptions, 'png' | 'jpeg' | 'webp' | 'gif' | 'svg' | 'utf8' | 'terminal']> = [
    ['qr.png', {}, 'png'],
    ['qr.jpg', {}, 'jpeg'],
    ['qr.jpeg', { rendererOpts: { quality: 0.8 } }, 'jpeg'],
    ['qr.webp', {}, 'webp'],
    ['qr.gif', {}, 'gif'],
    ['QR.GIF', { color: { dark: '#1a237e' } }, 'gif'],
    ['typed.png', { type: 'image/gif' }, 'gif'],
    ['qr.svg', { scale: 3 }, 'svg'],
    ['qr.txt', {}, 'utf8'],
    ['no-extension', {}, 'png'],
    ['qr.bin', { type: 'svg' }, 'svg'],
    ['typed.png', { type: 'jpeg' }, 'jpeg'],
    ['typed.txt', { type: 'terminal', small: true }, 'terminal'],
  ]
  const symbol = createSync(text)
  for (const [index, [name, options, format]] of cases.entries()) {
    for (const sync of [false, true]) {
      const path = join(dir, `${sync ? 'sync' : 'async'}-${index}-${name}`)
      if (sync) toFileSync(path, text, options)
      else t.is(await toFile(Buffer.from(path), text, options), undefined)
      const file = readFileSync(path)
      const label = `${name} ${JSON.stringify(options)} (${sync ? 'toFileSync' : 'toFile'})`
      if (format === 'utf8' || format === 'terminal') {
        const art = file.toString('utf8')
        t.is(art, toStringSync(text, { ...options, type: format }), `${label}: the text toString gives`)
        const grid = format === 'utf8' ? gridOfHalfBlocks(art) : gridOfTerminal(art, [0, 0, 0], true)
        t.deepEqual(grid.slice(0, symbol.size + 8), framedGrid(symbol, 4), label)
        await decodesTo(t, readPixels(pixelsOfGrid(grid)), { text }, label)
        continue
      }
      t.is(formatOf(file), format, label)
      t.deepEqual(file, toBufferSync(text, { ...options, type: format }), `${label}: the bytes toBuffer gives`)
      await decodesTo(t, readFile(file), { text }, label)
    }
  }
})

test('toFile and toFileSync take a file: URL as fs does, and reject or throw fs\'s errors for other URLs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qrhash-url-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const text = 'written through a URL'
  const spaced = join(dir, 'a name with spaces & ü.png')
  t.is(await toFile(pathToFileURL(spaced), text), undefined)
  t.deepEqual(readFileSync(spaced), toBufferSync(text), 'toFile: the PNG, at the path the URL names (percent-decoded)')
  toFileSync(pathToFileURL(join(dir, 'sync.svg')), text)
  t.is(readFileSync(join(dir, 'sync.svg'), 'utf8'), toStringSync(text, { type: 'svg' }), 'toFileSync: the format from the extension')
  for (const [url, code] of [
    [new URL('https://example.com/qr.png'), 'ERR_INVALID_URL_SCHEME'],
    [new URL('file://somehost/tmp/qr.png'), 'ERR_INVALID_FILE_URL_HOST'],
    [new URL(`file://${dir}/a%2Fb.png`), 'ERR_INVALID_FILE_URL_PATH'],
  ] as const) {
    await t.throwsAsync(toFile(url, text), { instanceOf: TypeError, code }, `toFile(${url.href})`)
    t.throws(() => toFileSync(url, text), { instanceOf: TypeError, code }, `toFileSync(${url.href})`)
  }
})

// ---------------------------------------------------------------------------------------------
// createQrBatch

test('createQrBatch: 200 texts give createQrSync of each, in order; a sample decodes', async (t) => {
  const texts: QrData[] = Array.from({ length: 200 }, (_, i) => {
    switch (i % 5) {
      case 0:
        return `https://example.com/item/${i}?ref=${'x'.repeat(i % 37)}`
      case 1:
        return String(10n ** BigInt(i % 60) + BigInt(i))
      case 2:
        return `${KANJI}${i}`
      case 3:
        return Uint8Array.from({ length: 1 + (i % 90) }, (_, j) => (i * 31 + j * 7) & 0xff)
      default:
        return [{ data: `ITEM ${i}`, mode: 'alphanumeric' as const }, { data: `${i}`.repeat(3), mode: 'numeric' as const }]
    }
  })
  for (const options of [undefined, { errorCorrectionLevel: 'H', scale: 2, margin: 1, color: { dark: '#123456' } } as const]) {
    const urls = await createQrBatch(texts, options)
    t.is(urls.length, texts.length)
    const mismatch = urls.findIndex((url, i) => url !== createQrSync(texts[i]!, options))
    t.is(mismatch, -1, `result ${mismatch} differs from createQrSync of its text`)
    for (let i = 0; i < texts.length; i += 23) {
      const input = texts[i]!
      const expected = typeof input === 'string' ? { text: input, bytes: i % 5 === 2 ? null : undefined } : input instanceof Uint8Array ? { bytes: input } : { text: `ITEM ${i}${`${i}`.repeat(3)}` }
      await decodesTo(t, readFile(pngOfDataUrl(urls[i]!)), expected, `batch ${i}`)
    }
  }
  const typed = await createQrBatch([EXAMPLE_URL, OTPAUTH], { type: 'webp' })
  t.true(typed.every((url) => url.startsWith('data:image/webp;base64,')))
  const gifs = await createQrBatch([EXAMPLE_URL, OTPAUTH], { type: 'image/gif' })
  for (const [i, text] of [EXAMPLE_URL, OTPAUTH].entries()) {
    t.true(gifs[i]!.startsWith('data:image/gif;base64,'))
    await decodesTo(t, readFile(Buffer.from(gifs[i]!.slice(gifs[i]!.indexOf(',') + 1), 'base64')), { text }, `GIF batch ${i}`)
  }
})

// ---------------------------------------------------------------------------------------------
// Smaller PNGs

test("PNG size: at the same pixel size, at most half the bytes of node-qrcode's PNG", async (t) => {
  const typical = [
    EXAMPLE_URL,
    OTPAUTH,
    'WIFI:T:WPA;S:MyNetwork;P:correct horse battery staple;;',
    'BEGIN:VCARD\nVERSION:3.0\nN:Doe;John\nTEL:+1-555-0100\nEMAIL:john@example.com\nEND:VCARD',
    'https://www.example.org/tickets/2024/05/17/ABCDEF123456?seat=14C&gate=B',
    'bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.015',
    '4006381333931',
    'https://example.com/' + 'a'.repeat(300),
  ]
  const rows: string[] = []
  const tooLarge: string[] = []
  for (const text of typical) {
    const ours = await toBuffer(text)
    const theirs = await QRCode.toBuffer(text)
    const [a, b] = [decodePng(ours), decodePng(theirs)]
    t.deepEqual([a.width, a.height], [b.width, b.height], `${text}: same pixel size`)
    const row = `${a.width} px: ${ours.length} B vs ${theirs.length} B = ${(ours.length / theirs.length).toFixed(3)}  ${JSON.stringify(text.slice(0, 40))}`
    rows.push(row)
    if (ours.length * 2 > theirs.length) tooLarge.push(row)
  }
  t.log(`qrhash vs node-qrcode PNG bytes:\n${rows.join('\n')}`)
  t.deepEqual(tooLarge, [], 'PNGs more than half the size of node-qrcode\'s')
})
