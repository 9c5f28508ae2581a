// rMQR (ISO/IEC 23941, rectangular Micro QR): `rmqr: true` or a size such as 'R13x77'.
// zxing-wasm (ZXing C++, which reads rMQR) is the oracle: it decodes every one of the 32 sizes
// at levels M and H in every output format, and reports the size and level it read. Capacity
// edges come from the standard's tables, copied below, not from qrhash.
import test from 'ava'

import {
  create,
  createQr,
  createQrSequence,
  createSequenceSync,
  createSync,
  toBuffer,
  toBufferSequence,
  toBufferSync,
  toDataURL,
  toString,
  toStringSync,
  type RmqrSize,
} from '../index.js'
import QRCode from '../compat.js'
import { pngOfDataUrl, zxingReadAs, type Decoded } from './helpers/decode.js'
import { framedGrid, gridOfHalfBlocks, gridOfTerminal, pixelsOf, pixelsOfGrid, svgPixels } from './helpers/qr-images.js'

interface Size {
  name: RmqrSize
  height: number
  width: number
  /** Data bits at M and H (table 6). */
  bits: [number, number]
  /** The most bytes at M and H (table 6). */
  bytes: [number, number]
  /** Character count bits of a numeric segment (table 3). */
  numericCount: number
}

// ISO/IEC 23941 tables 3 and 6, in the order of the sizes' numbers.
// prettier-ignore
const TABLE: Array<[number, number, number, number, number, number, number]> = [
  // height, width, bits M, bits H, bytes M, bytes H, numeric count bits
  [7, 43, 48, 24, 5, 2, 4], [7, 59, 96, 56, 11, 6, 5], [7, 77, 160, 80, 19, 9, 6],
  [7, 99, 224, 112, 27, 13, 7], [7, 139, 352, 192, 42, 22, 7],
  [9, 43, 96, 56, 11, 6, 5], [9, 59, 168, 88, 20, 10, 6], [9, 77, 248, 136, 30, 16, 7],
  [9, 99, 336, 176, 40, 20, 7], [9, 139, 504, 264, 61, 31, 8],
  [11, 27, 56, 40, 6, 4, 4], [11, 43, 152, 88, 18, 10, 6], [11, 59, 248, 120, 30, 14, 7],
  [11, 77, 344, 184, 41, 21, 7], [11, 99, 456, 232, 55, 27, 8], [11, 139, 672, 336, 82, 40, 8],
  [13, 27, 96, 56, 11, 6, 5], [13, 43, 216, 104, 26, 12, 6], [13, 59, 304, 160, 36, 18, 7],
  [13, 77, 424, 232, 51, 27, 7], [13, 99, 584, 280, 71, 33, 8], [13, 139, 848, 432, 104, 52, 8],
  [15, 43, 264, 120, 31, 13, 7], [15, 59, 384, 208, 46, 24, 7], [15, 77, 536, 248, 65, 29, 8],
  [15, 99, 704, 384, 86, 46, 8], [15, 139, 1016, 552, 125, 67, 9],
  [17, 43, 312, 168, 37, 19, 7], [17, 59, 448, 224, 54, 26, 8], [17, 77, 624, 304, 76, 36, 8],
  [17, 99, 800, 448, 98, 54, 8], [17, 139, 1216, 608, 150, 74, 9],
]
const SIZES: Size[] = TABLE.map(([height, width, bitsM, bitsH, bytesM, bytesH, numericCount]) => ({
  name: `R${height}x${width}` as RmqrSize,
  height,
  width,
  bits: [bitsM, bitsH],
  bytes: [bytesM, bytesH],
  numericCount,
}))
const LEVELS = ['M', 'H'] as const
type Level = (typeof LEVELS)[number]
const at = (level: Level) => (level === 'M' ? 0 : 1)

/** The most digits a size holds: 3 mode bits, the count, 10 bits per 3 digits (4 or 7 for the rest). */
function mostDigits(size: Size, level: Level): number {
  let most = 0
  for (let n = 0; n < 2 ** size.numericCount; n++) {
    if (3 + size.numericCount + Math.ceil((10 * n) / 3) <= size.bits[at(level)]) most = n
  }
  return most
}

/** Sizes smallest area first, the shorter of two equal ones first: the order `rmqr: true` tries. */
const BY_AREA = [...SIZES].sort((a, b) => a.width * a.height - b.width * b.height || a.height - b.height)

/** Text of `length` bytes that only byte mode can write, varied so every codeword differs. */
const bytesText = (length: number) => Array.from({ length }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'[(i * 7) % 26]).join('')

async function readRmqr(image: Uint8Array | Decoded) {
  return zxingReadAs(['rMQRCode'], image)
}

/** Every size at both levels, each filled to its most bytes so every block is used. */
const cases = SIZES.flatMap((size) => LEVELS.map((level) => ({ size, level, text: bytesText(size.bytes[at(level)]) })))

function checkRead(t: import('ava').ExecutionContext, read: Awaited<ReturnType<typeof readRmqr>>, { size, level, text }: (typeof cases)[number], what: string) {
  const label = `${size.name}-${level} ${what}`
  t.is(read.format, 'RMQRCode', label)
  t.is(read.version, size.name, label)
  t.is(read.ecLevel, level, label)
  t.is(read.text, text, label)
}

test('zxing reads every size at M and H from a PNG, filled to its most bytes', async (t) => {
  for (const c of cases) {
    const png = await toBuffer(c.text, { rmqr: c.size.name, errorCorrectionLevel: c.level, scale: 3 })
    checkRead(t, await readRmqr(png), c, 'PNG')
  }
})

test('zxing reads every size at M and H from SVG (resvg), JPEG, WebP, GIF, a data URL and half-block text', async (t) => {
  for (const c of cases) {
    const options = { rmqr: c.size.name, errorCorrectionLevel: c.level } as const
    checkRead(t, await readRmqr(svgPixels(await toString(c.text, { ...options, type: 'svg', scale: 3 }))), c, 'SVG')
    checkRead(t, await readRmqr(await pixelsOf(await toBuffer(c.text, { ...options, type: 'jpeg', scale: 4 }))), c, 'JPEG')
    checkRead(t, await readRmqr(await pixelsOf(await toBuffer(c.text, { ...options, type: 'webp', scale: 2 }))), c, 'WebP')
    checkRead(t, await readRmqr(await pixelsOf(await toBuffer(c.text, { ...options, type: 'gif', scale: 2 }))), c, 'GIF')
    checkRead(t, await readRmqr(pngOfDataUrl(await toDataURL(c.text, options))), c, 'data URL')
    checkRead(t, await readRmqr(pixelsOfGrid(gridOfHalfBlocks(await toString(c.text, { ...options, type: 'utf8', margin: 2 })))), c, 'utf8')
  }
})

test('terminal text and a width in pixels are read too; shapes are refused', async (t) => {
  const c = cases.find(({ size, level }) => size.name === 'R13x77' && level === 'H')!
  const options = { rmqr: c.size.name, errorCorrectionLevel: c.level } as const
  const terminal = await toString(c.text, { ...options, type: 'terminal' })
  checkRead(t, await readRmqr(pixelsOfGrid(gridOfTerminal(terminal, [0, 0, 0], false))), c, 'terminal')
  const small = await toString(c.text, { ...options, type: 'terminal', small: true })
  checkRead(t, await readRmqr(pixelsOfGrid(gridOfTerminal(small, [0, 0, 0], true))), c, 'small terminal')
  // zxing's rMQR detector misreads shaped modules at some scales: they are refused.
  for (const style of [{ modules: 'dots' }, { modules: 'rounded' }, { finder: 'rounded' }] as const) {
    const error = await t.throwsAsync(toBuffer(c.text, { ...options, style }), { instanceOf: RangeError })
    t.true(error!.message.startsWith('options.style must be absent or square modules and finder for an rMQR code'), error!.message)
  }
  checkRead(t, await readRmqr(await toBuffer(c.text, { ...options, style: { modules: 'square', finder: 'square' } })), c, 'square style')
  // `width` sets pixels across; rows are as tall as columns are wide.
  const png = await toBuffer(c.text, { ...options, width: 500 })
  const pixels = await pixelsOf(png)
  t.is(pixels.width, 500)
  t.is(pixels.height, Math.ceil(((13 + 8) * 500) / (77 + 8)))
  checkRead(t, await readRmqr(png), c, 'width 500')
})

test('images are as wide and tall as the modules and quiet zone, and hold the modules of create()', async (t) => {
  for (const name of ['R7x43', 'R11x27', 'R17x139'] as const) {
    const symbol = await create('RMQR 1', { rmqr: name })
    const png = await pixelsOf(await toBuffer('RMQR 1', { rmqr: name, scale: 2, margin: 3 }))
    t.is(png.width, (symbol.width + 6) * 2, name)
    t.is(png.height, (symbol.height + 6) * 2, name)
    const grid = framedGrid(symbol, 3)
    for (let y = 0; y < grid.length; y++) {
      for (let x = 0; x < grid[0]!.length; x++) {
        t.is(png.rgba[(y * 2 * png.width + x * 2) * 4]! < 128, grid[y]![x], `${name} (${x}, ${y})`)
      }
    }
    t.deepEqual(gridOfHalfBlocks(await toString('RMQR 1', { rmqr: name, margin: 3 })).slice(0, grid.length), grid, name)
  }
})

test('create() reports the size as width × height, rmqr and the one mask', async (t) => {
  for (const size of SIZES) {
    for (const level of LEVELS) {
      const symbol = await create('12345', { rmqr: size.name, errorCorrectionLevel: level })
      t.like(symbol, { rmqr: true, micro: false, width: size.width, height: size.height, size: size.width, maskPattern: 4, errorCorrectionLevel: level })
      t.is(symbol.version, SIZES.indexOf(size) + 1)
      t.is(symbol.modules.length, size.width * size.height)
      t.deepEqual(createSync('12345', { rmqr: size.name, errorCorrectionLevel: level }), symbol)
    }
  }
  const square = await create('12345')
  t.like(square, { rmqr: false, width: square.size, height: square.size })
  t.is(square.modules.length, square.size ** 2)
})

test('text round-trips in numeric, alphanumeric, byte, Kanji and UTF-8 (ECI), in the modes chosen', async (t) => {
  const texts: Array<[string, string[]]> = [
    ['0123456789'.repeat(8), ['numeric']],
    ['HTTPS://QRHASH.EXAMPLE/ABC-123', ['alphanumeric']],
    ['https://qrhash.example/?q=rmqr', ['byte']],
    ['日本語のテキスト', ['kanji']],
    ['Grüße aus Köln', ['byte']],
    ['ORDER 12345678901234567890 ok', ['alphanumeric', 'numeric', 'byte']],
  ]
  for (const [text, modes] of texts) {
    for (const level of LEVELS) {
      const read = await readRmqr(await toBuffer(text, { rmqr: true, errorCorrectionLevel: level }))
      t.is(read.text, text, `${text} at ${level}`)
      const symbol = createSync(text, { rmqr: true, errorCorrectionLevel: level })
      t.deepEqual(
        symbol.segments.map(({ mode }) => mode),
        modes,
        text,
      )
      t.is(read.version, `R${symbol.height}x${symbol.width}`)
    }
  }
  // Given segments keep their modes.
  const segments = [
    { data: '2024', mode: 'numeric' as const },
    { data: '漢字', mode: 'kanji' as const },
  ]
  t.is((await readRmqr(await toBuffer(segments, { rmqr: true }))).text, '2024漢字')
})

test('rmqr: true takes the smallest area that holds the data, the shorter of two equal ones', async (t) => {
  // Eleven digits: R11x27 (297 modules) holds 12 at M; R7x43 (301) would hold them too.
  t.like(await create('12345678901', { rmqr: true }), { width: 27, height: 11 })
  for (const size of BY_AREA) {
    for (const level of LEVELS) {
      const most = size.bytes[at(level)]
      const smallest = BY_AREA.find((other) => other.bytes[at(level)] >= most)!
      t.like(createSync(bytesText(most), { rmqr: true, errorCorrectionLevel: level }), { width: smallest.width, height: smallest.height }, `${most} bytes at ${level}`)
    }
  }
})

test("each size's most bytes and digits fit; one more is refused naming the smallest size that holds it", async (t) => {
  const modes = [
    { name: 'bytes', most: (size: Size, level: Level) => size.bytes[at(level)], text: bytesText },
    { name: 'digits', most: mostDigits, text: (n: number) => '7'.repeat(n) },
  ]
  for (const size of SIZES) {
    for (const level of LEVELS) {
      for (const mode of modes) {
        const most = mode.most(size, level)
        const label = `${size.name}-${level}: ${most} ${mode.name}`
        t.like(createSync(mode.text(most), { rmqr: size.name, errorCorrectionLevel: level }), { width: size.width, height: size.height }, label)
        const needed = BY_AREA.find((other) => mode.most(other, level) > most)
        const error = t.throws(() => createSync(mode.text(most + 1), { rmqr: size.name, errorCorrectionLevel: level }), { instanceOf: RangeError }, label)
        t.is((error as NodeJS.ErrnoException).code, 'ERR_QR_VERSION_TOO_SMALL', label)
        t.true(error!.message.includes(`options.rmqr '${size.name}' cannot hold`), label)
        if (needed) t.true(error!.message.includes(`the smallest size that holds it is '${needed.name}'`), `${label}: ${error!.message}`)
        else t.true(error!.message.includes('no rMQR size holds it'), `${label}: ${error!.message}`)
      }
    }
  }
  // Too long for every size: the largest's capacity is named.
  for (const level of LEVELS) {
    const most = SIZES[31]!.bytes[at(level)]
    t.notThrows(() => createSync(bytesText(most), { rmqr: true, errorCorrectionLevel: level }))
    const error = await t.throwsAsync(create(bytesText(most + 1), { rmqr: true, errorCorrectionLevel: level }), { instanceOf: RangeError })
    t.is((error as NodeJS.ErrnoException).code, 'ERR_QR_DATA_TOO_LONG')
    t.true(error!.message.includes(`R17x139, the largest, holds at most ${most} bytes`), error!.message)
  }
})

test('levels L and Q, and options rMQR lacks, are refused naming the options', async (t) => {
  for (const errorCorrectionLevel of ['L', 'Q', 'low', 'quartile'] as const) {
    const error = await t.throwsAsync(toBuffer('x', { rmqr: true, errorCorrectionLevel }), { instanceOf: RangeError })
    t.true(error!.message.startsWith("options.errorCorrectionLevel must be 'M' or 'H' for an rMQR code"), error!.message)
    t.true(error!.message.includes('rMQR has levels M and H'))
    t.throws(() => toBufferSync('x', { rmqr: 'R7x43', errorCorrectionLevel }), { instanceOf: RangeError, message: /options\.errorCorrectionLevel/ })
  }
  const png = Buffer.from('89504e470d0a1a0a', 'hex')
  for (const [option, value] of [
    ['micro', true],
    ['version', 2],
    ['maskPattern', 4],
    ['gs1', true],
    ['applicationIndicator', '37'],
    ['logo', { image: png }],
  ] as const) {
    const name = option === 'applicationIndicator' || option === 'gs1' ? /options\.(fnc1|gs1|applicationIndicator)|FNC1/ : new RegExp(`options\\.${option}`)
    const error = await t.throwsAsync(createQr('x', { rmqr: true, [option]: value }), { instanceOf: RangeError }, option)
    t.regex(error!.message, name, option)
    t.regex(error!.message, /rMQR/, option)
    t.throws(() => toStringSync('x', { rmqr: 'R9x59', [option]: value }), { instanceOf: RangeError }, option)
  }
  // rmqr: false is a QR code as before, with every option.
  t.like(createSync('x', { rmqr: false, micro: true }), { micro: true, rmqr: false })
})

test('the sequence functions refuse rmqr', async (t) => {
  const options = { rmqr: true } as unknown as { symbols: number }
  const message = /options\.rmqr must be left out of a structured-append sequence/
  await t.throwsAsync(createQrSequence('x'.repeat(40), options), { instanceOf: RangeError, message })
  await t.throwsAsync(toBufferSequence('x'.repeat(40), options), { instanceOf: RangeError, message })
  t.throws(() => createSequenceSync('x'.repeat(40), options), { instanceOf: RangeError, message })
  t.notThrows(() => createSequenceSync('x'.repeat(40), { rmqr: false, symbols: 2 }))
})

test('a size that does not exist is refused with the forms allowed', async (t) => {
  for (const rmqr of ['R8x43', 'R7x27', 'R13x78', '13x77', 'rmqr', '', 'R17X139 ']) {
    const error = await t.throwsAsync(create('x', { rmqr: rmqr as RmqrSize }), { instanceOf: RangeError }, rmqr)
    t.true(error!.message.startsWith('options.rmqr must be true, false or an rMQR size'), error!.message)
    t.true(error!.message.includes("'R7x43' to 'R17x139'"), error!.message)
  }
  for (const rmqr of [1, {}, null]) {
    t.throws(() => createSync('x', { rmqr: rmqr as unknown as boolean }), { message: /^options\.rmqr must be true, false or an rMQR size/ }, String(rmqr))
  }
  // Any case is the same size.
  t.like(createSync('x', { rmqr: 'r13X77' as RmqrSize }), { height: 13, width: 77 })
})

test("qrhash/compat draws rMQR codes but its create(), whose BitMatrix is square, refuses them", async (t) => {
  const read = await readRmqr(pngOfDataUrl(await QRCode.toDataURL('compat rMQR', { rmqr: 'R11x59' } as object)))
  t.is(read.text, 'compat rMQR')
  t.is(read.version, 'R11x59')
  t.throws(() => QRCode.create('x', { rmqr: true } as object), { instanceOf: RangeError, message: /^options\.rmqr must be left out of qrhash\/compat's create\(\)/ })
  t.notThrows(() => QRCode.create('x', { rmqr: false } as object))
})

test('gradients and finder colours: every size at M and H still reads, in PNG and SVG, and the gradient spans the rectangle', async (t) => {
  const stops = [
    { offset: 0, color: '#e91e63' },
    { offset: 1, color: '#1a237e' },
  ]
  const styles = [
    { gradient: { type: 'linear' as const, stops } },
    { gradient: { type: 'radial' as const, stops }, finder: '#004d40', finderCenter: '#b71c1c' },
  ]
  for (const c of cases) {
    const color = styles[SIZES.indexOf(c.size) % styles.length]!
    const png = await toBuffer(c.text, { rmqr: c.size.name, errorCorrectionLevel: c.level, scale: 4, color })
    checkRead(t, await readRmqr(png), c, `PNG ${color.gradient.type}`)
    const svg = await toString(c.text, { rmqr: c.size.name, errorCorrectionLevel: c.level, type: 'svg', scale: 4, color })
    checkRead(t, await readRmqr(svgPixels(svg)), c, `SVG ${color.gradient.type}`)
  }
  // Top to bottom (rotation 90) over a wide, short code: the top row of modules is near the
  // first stop's colour and the bottom row near the last's, so the gradient spans the code's
  // height, not a square as wide as the code.
  const image = await pixelsOf(toBufferSync('x'.repeat(40), { rmqr: 'R17x139', margin: 0, scale: 1, color: { gradient: { type: 'linear', rotation: 90, stops } } }))
  const darkIn = (y: number) => {
    for (let x = 0; x < image.width; x++) {
      const at = (y * image.width + x) * 4
      if (image.rgba[at]! < 0xf0 || image.rgba[at + 2]! < 0xf0) return [image.rgba[at]!, image.rgba[at + 2]!]
    }
    throw new Error(`no dark pixel in row ${y}`)
  }
  const [topRed, topBlue] = darkIn(0)
  const [bottomRed, bottomBlue] = darkIn(image.height - 1)
  t.true(topRed! > 0xd0 && topBlue! < 0x70, `top ${topRed} ${topBlue}`)
  t.true(bottomRed! < 0x30 && bottomBlue! > 0x70, `bottom ${bottomRed} ${bottomBlue}`)
})
