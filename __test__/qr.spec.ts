import test from 'ava'

import { createQr, createQrSync, toBuffer, toBufferSync, toString, toStringSync } from '../index.js'
import {
  decodePng,
  jsqrRead,
  pngOfDataUrl,
  rasterise,
  zxingRead,
  zxingReadPixels,
} from './helpers/decode.js'

const utf8 = (text: string) => new TextEncoder().encode(text)

/** Both decoders must read `png` back to exactly `expected`. */
async function assertDecodes(t: import('ava').ExecutionContext, png: Uint8Array, expected: Uint8Array) {
  const zxing = await zxingRead(png)
  t.deepEqual(new Uint8Array(zxing.bytes), expected, 'zxing-wasm')
  t.deepEqual(jsqrRead(png), expected, 'jsQR')
  return zxing
}

const texts: Record<string, string> = {
  'an https URL': 'https://example.com/',
  'digits only': '0123456789012345678901234567890',
  'upper-case alphanumerics': 'HELLO WORLD $%*+-./:',
  'mixed segments': 'ORDER 12345678901234 for alice@example.com',
  'UTF-8 with emoji and CJK': 'Grüße 👋🏽 日本語のテキスト 中文 한국어',
  'an otpauth URI': 'otpauth://totp/ACME:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME',
  'a long text': 'qrhash '.repeat(120),
}

for (const [name, text] of Object.entries(texts)) {
  test(`createQr: ${name} decodes to the exact input`, async (t) => {
    const url = await createQr(text)
    const zxing = await assertDecodes(t, pngOfDataUrl(url), utf8(text))
    t.is(zxing.text, text)
    t.is(zxing.ecLevel, 'M', 'level M by default')
  })
}

test('createQr: a binary Uint8Array is encoded byte for byte', async (t) => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 167 + 13) & 0xff)
  await assertDecodes(t, pngOfDataUrl(await createQr(bytes)), bytes)
  const slice = Buffer.from(bytes).subarray(10, 60)
  await assertDecodes(t, pngOfDataUrl(await createQr(slice)), Uint8Array.from(slice))
})

for (const [level, alias] of [
  ['L', 'low'],
  ['M', 'medium'],
  ['Q', 'quartile'],
  ['H', 'high'],
] as const) {
  test(`createQr: errorCorrectionLevel ${level} (and '${alias}') is the level the decoder reads`, async (t) => {
    const text = `level ${level} https://example.com/?q=${level}`
    const short = await createQr(text, { errorCorrectionLevel: level })
    t.is((await assertDecodes(t, pngOfDataUrl(short), utf8(text))).ecLevel, level)
    t.is(await createQr(text, { errorCorrectionLevel: alias }), short)
  })
}

test('createQr: higher levels need more modules for the same text', async (t) => {
  const text = 'https://example.com/some/longer/path?with=query&and=more'
  const sizes = []
  for (const level of ['L', 'M', 'Q', 'H'] as const) {
    sizes.push(decodePng(pngOfDataUrl(await createQr(text, { errorCorrectionLevel: level, margin: 0, scale: 1 }))).width)
  }
  t.deepEqual([...sizes].sort((a, b) => a - b), sizes)
  t.true(sizes[3]! > sizes[0]!)
})

test('createQr: defaults are node-qrcode toDataURL defaults (margin 4, scale 4, black on white)', async (t) => {
  const png = pngOfDataUrl(await createQr('hello'))
  const { width, height, rgba } = decodePng(png)
  // 'hello' is version 1 (21 modules) at M: (21 + 2 × 4) × 4 px.
  t.is(width, 116)
  t.is(height, 116)
  t.deepEqual([...rgba.subarray(0, 4)], [255, 255, 255, 255], 'quiet zone is white')
  const finder = (16 * width + 16) * 4 // first module of the top-left finder pattern
  t.deepEqual([...rgba.subarray(finder, finder + 4)], [0, 0, 0, 255], 'dark modules are black')
  t.is((await zxingRead(png)).version, '1')
})

test('createQr: margin and scale set the image size and module size', async (t) => {
  for (const [margin, scale] of [
    [0, 1],
    [1, 3],
    [10, 2],
    [4, 9],
  ] as const) {
    const png = pngOfDataUrl(await createQr('size test', { margin, scale }))
    const { width } = decodePng(png)
    t.is(width, (21 + 2 * margin) * scale, `margin ${margin} scale ${scale}`)
    if (margin > 0 && scale >= 2) await assertDecodes(t, png, utf8('size test'))
  }
})

test('createQr: custom colours, in every hex form, are the pixels and still decode', async (t) => {
  const cases = [
    { dark: '#123', light: '#fec', darkRgba: [0x11, 0x22, 0x33, 255], lightRgba: [0xff, 0xee, 0xcc, 255] },
    { dark: '#1238', light: '#fffe', darkRgba: [0x11, 0x22, 0x33, 0x88], lightRgba: [255, 255, 255, 0xee] },
    { dark: '#0a3d62', light: 'ffffff', darkRgba: [0x0a, 0x3d, 0x62, 255], lightRgba: [255, 255, 255, 255] },
    { dark: '#000000ff', light: '#f5f5dcff', darkRgba: [0, 0, 0, 255], lightRgba: [0xf5, 0xf5, 0xdc, 255] },
  ]
  for (const { dark, light, darkRgba, lightRgba } of cases) {
    const png = pngOfDataUrl(await createQr('colours', { color: { dark, light } }))
    const { width, rgba } = decodePng(png)
    t.deepEqual([...rgba.subarray(0, 4)], lightRgba, `light ${light}`)
    const finder = (16 * width + 16) * 4
    t.deepEqual([...rgba.subarray(finder, finder + 4)], darkRgba, `dark ${dark}`)
    if (darkRgba[3] === 255 && lightRgba[3] === 255) await assertDecodes(t, png, utf8('colours'))
  }
})

test('createQrSync, toBuffer and toBufferSync give the same PNG as createQr', async (t) => {
  const options = { errorCorrectionLevel: 'Q', margin: 2, scale: 5, color: { dark: '#102030' } } as const
  const url = await createQr('twins', options)
  t.is(createQrSync('twins', options), url)
  const png = await toBuffer('twins', options)
  t.true(Buffer.isBuffer(png))
  t.deepEqual(png, pngOfDataUrl(url))
  t.deepEqual(toBufferSync('twins', options), png)
})

/** Reads `toString`'s half-block text back into a module grid. */
function gridOfText(text: string): boolean[][] {
  const lines = text.split('\n').filter((line) => line.length > 0)
  const grid: boolean[][] = []
  for (const line of lines) {
    const chars = [...line]
    grid.push(chars.map((c) => c === '█' || c === '▀'))
    grid.push(chars.map((c) => c === '█' || c === '▄'))
  }
  return grid
}

test("toString type 'utf8' (the default) draws the code in half blocks that decode", async (t) => {
  const text = 'https://example.com/terminal'
  const art = await toString(text)
  t.is(toStringSync(text, { type: 'utf8' }), art)
  t.regex(art, /^[ █▀▄\n]+$/u)
  const { rgba, width, height } = rasterise(gridOfText(art), 4)
  t.is((await zxingReadPixels(rgba, width, height)).text, text)
})

/**
 * Reads `toString`'s stroked SVG runs back into a module grid: `M{x} {y}.5h{n}` starts a row,
 * `m{gap} 0h{n}` goes on along it.
 */
function gridOfSvg(svg: string): boolean[][] {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1])
  const grid = Array.from({ length: side }, () => new Array<boolean>(side).fill(false))
  const darkPath = /<path stroke="[^"]+" d="([^"]+)"/.exec(svg)?.[1] ?? ''
  let x = 0
  let y = 0
  for (const [, start, row, gap, run] of darkPath.matchAll(/(?:M(\d+) (\d+)\.5|m(\d+) 0)h(\d+)/g)) {
    if (start !== undefined) [x, y] = [Number(start), Number(row)]
    else x += Number(gap)
    for (let i = 0; i < Number(run); i++) grid[y]![x + i] = true
    x += Number(run)
  }
  return grid
}

test("toString type 'svg' is an SVG document whose modules decode, sized by scale", async (t) => {
  const text = 'SVG 12345'
  const svg = await toString(text, { type: 'svg', scale: 3, margin: 2, color: { dark: '#112233' } })
  t.is(toStringSync(text, { type: 'svg', scale: 3, margin: 2, color: { dark: '#112233' } }), svg)
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'))
  t.true(svg.includes('width="75" height="75"'), '(21 + 2 × 2) × 3 px')
  t.true(svg.includes('stroke="#112233"'))
  const { rgba, width, height } = rasterise(gridOfSvg(svg), 4)
  t.is((await zxingReadPixels(rgba, width, height)).text, text)
})

test('createQr: concurrent calls each resolve to their own code', async (t) => {
  const texts = Array.from({ length: 32 }, (_, i) => `concurrent #${i} ${'x'.repeat(i * 7)}`)
  const urls = await Promise.all(texts.map((text) => createQr(text)))
  for (const [i, url] of urls.entries()) t.is((await zxingRead(pngOfDataUrl(url))).text, texts[i])
})
