// qrhash/compat against node-qrcode's documented usage: each example of its README (usage,
// error correction, version, segments, kanji, binary data, the API section) run through
// qrhash/compat in promise, callback and async/await form, every output read back by zxing to
// the exact input; create()'s shape checked against node-qrcode's own create(); the options
// node-qrcode accepts and qrhash does not, and the errors.
import { execFileSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'

import test from 'ava'
import nodeQrcode from 'qrcode'

// By path here: this folder's package.json (type: module, no name) hides the package's own
// name from files in it; loading by the name 'qrhash/compat' is tested from the package root.
import QRCode, * as named from '../compat.js'
import type { Callback, QRCode as QRCodeObject } from '../compat.js'
import { decodePng, pngOfDataUrl, zxingRead } from './helpers/decode.js'
import { readPng, readSvg, readTerminal, readText, readWithSharp } from './helpers/render.js'

const require = createRequire(import.meta.url)
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'qrhash-compat-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Calls `call` with a node-qrcode-style callback and resolves to what it was given, and to
 * whether it ran before `call` returned.
 */
function viaCallback<T>(call: (cb: Callback<T>) => unknown): Promise<{ err: Error | null | undefined; result: T; returned: unknown; sync: boolean }> {
  return new Promise((resolve) => {
    let returnedYet = false
    let returned: unknown
    const cb: Callback<T> = (err, result) => setImmediate(() => resolve({ err, result, returned, sync: !returnedYet }))
    returned = call(cb)
    returnedYet = true
  })
}

const PONY = 'I am a pony!'

// ---------------------------------------------------------------------------------------------
// Loading

test("require('qrhash/compat') and import … from 'qrhash/compat' give the same module", (t) => {
  const required = createRequire(join(root, 'package.json'))('qrhash/compat') as typeof named
  t.is(QRCode, required, 'the default import is module.exports')
  for (const name of ['create', 'toCanvas', 'toString', 'toDataURL', 'toBuffer', 'toFile', 'toFileStream'] as const) {
    t.is(typeof required[name], 'function', name)
    t.is(named[name], required[name], `import { ${name} }`)
  }
  t.deepEqual(Object.keys(required).sort(), Object.keys(nodeQrcode).sort(), "node-qrcode's export names")
})

test('a CommonJS script and an ES module load it by the package name', (t) => {
  const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim()
  const cjs = `const QRCode = require('qrhash/compat')
    QRCode.toDataURL('cjs', (err, url) => console.log(err === null, url.slice(0, 22)))`
  t.is(run(['-e', cjs]), 'true data:image/png;base64,')
  const esm = `import QRCode from 'qrhash/compat'; import { toString } from 'qrhash/compat'
    console.log(QRCode.toString === toString, (await toString('esm', { type: 'svg' })).slice(0, 4))`
  t.is(run(['--input-type=module', '-e', esm]), 'true <svg')
})

// ---------------------------------------------------------------------------------------------
// node-qrcode's README, section by section

test('README "NodeJS": toDataURL with a callback', async (t) => {
  const { err, result: url, returned, sync } = await viaCallback<string>((cb) => QRCode.toDataURL(PONY, cb))
  t.is(err, null)
  t.is(returned, undefined)
  t.false(sync, 'the callback runs after the call returns')
  t.true(url.startsWith('data:image/png;base64,'))
  t.is((await zxingRead(pngOfDataUrl(url))).text, PONY)
})

test("README \"NodeJS\": toString with { type: 'terminal' } and a callback", async (t) => {
  const { err, result } = await viaCallback<string>((cb) => QRCode.toString(PONY, { type: 'terminal' }, cb))
  t.is(err, null)
  t.regex(result, /\x1b\[/, 'ANSI colours')
  t.is((await readTerminal(result)).text, PONY)
})

test('README "ES6/ES7": toDataURL with promises and with async/await', async (t) => {
  const url = await QRCode.toDataURL(PONY)
    .then((u) => u)
    .catch((err: unknown) => t.fail(String(err)))
  t.is((await zxingRead(pngOfDataUrl(url as string))).text, PONY)

  const logged: string[] = []
  const generateQR = async (text: string) => {
    try {
      logged.push(await QRCode.toDataURL(text))
    } catch (err) {
      logged.push(`error: ${(err as Error).message}`)
    }
  }
  await generateQR('async/await')
  await generateQR('')
  t.is((await zxingRead(pngOfDataUrl(logged[0]!))).text, 'async/await')
  t.regex(logged[1]!, /^error: text must not be empty/)
})

test('README "Error correction level": { errorCorrectionLevel: H }', async (t) => {
  const { err, result: url } = await viaCallback<string>((cb) => QRCode.toDataURL('some text', { errorCorrectionLevel: 'H' }, cb))
  t.is(err, null)
  const read = await zxingRead(pngOfDataUrl(url))
  t.is(read.text, 'some text')
  t.is(read.ecLevel, 'H')
  for (const [level, expected] of [['low', 'L'], ['medium', 'M'], ['quartile', 'Q'], ['high', 'H'], ['q', 'Q']] as const) {
    t.is((await zxingRead(await QRCode.toBuffer('some text', { errorCorrectionLevel: level }))).ecLevel, expected, level)
  }
  t.is((await zxingRead(await QRCode.toBuffer('some text'))).ecLevel, 'M', 'default M')
})

test('README "QR Code capacity": { version: 2 }', async (t) => {
  const { err, result: url } = await viaCallback<string>((cb) => QRCode.toDataURL('some text', { version: 2 }, cb))
  t.is(err, null)
  const read = await zxingRead(pngOfDataUrl(url))
  t.is(read.text, 'some text')
  t.is(read.version, '2')
  t.is(QRCode.create('some text', { version: 2 }).modules.size, 25)
})

test('README "Auto mode": ABCDE12345678?A1A is split into alphanumeric, numeric and byte segments', async (t) => {
  const text = 'ABCDE12345678?A1A'
  const qr = QRCode.create(text)
  t.deepEqual(
    qr.segments.map((s) => [s.mode.id, typeof s.data === 'string' ? s.data : Buffer.from(s.data).toString()]),
    [
      ['Alphanumeric', 'ABCDE'],
      ['Numeric', '12345678'],
      ['Byte', '?A1A'],
    ],
  )
  t.is((await zxingRead(await QRCode.toBuffer(text))).text, text)
})

test('README "Manual mode": a list of segments', async (t) => {
  const segs = [
    { data: 'ABCDEFG', mode: 'alphanumeric' as const },
    { data: '0123456', mode: 'numeric' as const },
  ]
  const { err, result: url } = await viaCallback<string>((cb) => QRCode.toDataURL(segs, cb))
  t.is(err, null)
  t.is((await zxingRead(pngOfDataUrl(url))).text, 'ABCDEFG0123456')
  t.deepEqual(
    QRCode.create(segs).segments.map((s) => [s.mode.id, s.data]),
    [
      ['Alphanumeric', 'ABCDEFG'],
      ['Numeric', '0123456'],
    ],
  )
})

test('README "Kanji mode": toSJISFunc is accepted and ignored; kanji mode is used all the same', async (t) => {
  const toSJIS = require('qrcode/helper/to-sjis') as (codePoint: string) => number
  const kanjiString = '漢字モードの試験'
  const { err, result: url } = await viaCallback<string>((cb) => QRCode.toDataURL(kanjiString, { toSJISFunc: toSJIS }, cb))
  t.is(err, null)
  t.is((await zxingRead(pngOfDataUrl(url))).text, kanjiString)
  t.deepEqual(
    QRCode.create(kanjiString, { toSJISFunc: toSJIS }).segments.map((s) => s.mode.id),
    ['Kanji'],
  )
  t.deepEqual(
    QRCode.create(kanjiString).segments.map((s) => s.mode.id),
    ['Kanji'],
    'no toSJISFunc needed',
  )
})

test('README "Binary data": a byte segment from an array, a Uint8ClampedArray and a Buffer, written with toFile', async (t) => {
  const bytes = [253, 254, 255]
  const inputs = [bytes, new Uint8ClampedArray(bytes), Buffer.from(bytes)]
  for (const [i, data] of inputs.entries()) {
    const path = join(dir, `foo-${i}.png`)
    const { err } = await viaCallback<void>((cb) => QRCode.toFile(path, [{ data, mode: 'byte' }], { errorCorrectionLevel: 'L' }, cb))
    t.is(err, null)
    const read = await zxingRead(readFileSync(path))
    t.deepEqual([...read.bytes], bytes, data.constructor.name)
  }
})

test('README "Multibyte characters": emoji and other UTF-8 text decode exactly', async (t) => {
  for (const text of ['I ❤ 🦄 ponies', 'Ελληνικά, кириллица, 中文']) {
    t.is((await zxingRead(await QRCode.toBuffer(text))).text, text)
  }
})

test('README "create": the QR code object', (t) => {
  const qr = QRCode.create('some text', { errorCorrectionLevel: 'Q' })
  t.deepEqual(Object.keys(qr).sort(), ['errorCorrectionLevel', 'maskPattern', 'micro', 'modules', 'segments', 'version'])
  t.is(qr.version, 1)
  t.deepEqual(qr.errorCorrectionLevel, { bit: 3 })
  t.true(Number.isInteger(qr.maskPattern) && qr.maskPattern >= 0 && qr.maskPattern <= 7)
  t.is(qr.modules.size, 21)
  t.true(qr.modules.data instanceof Uint8Array)
  t.is(qr.modules.data.length, 21 * 21)
  t.is(qr.modules.get(0, 0), 1, 'finder corner is dark')
  t.is(qr.modules.get(7, 7), 0, 'separator is light')
  t.is(qr.modules.isReserved(0, 0), 1)
  t.is(qr.modules.isReserved(20, 20), 0, 'a data module')
})

test("README toDataURL example: JPEG, quality at the top level, margin 1 and colours", async (t) => {
  const opts = {
    errorCorrectionLevel: 'H' as const,
    type: 'image/jpeg' as const,
    quality: 0.3,
    margin: 1,
    color: { dark: '#010599FF', light: '#FFBF60FF' },
  }
  const { err, result: url } = await viaCallback<string>((cb) => QRCode.toDataURL('text', opts, cb))
  t.is(err, null)
  t.true(url.startsWith('data:image/jpeg;base64,'), 'a real JPEG (node-qrcode gives a PNG on the server)')
  const jpeg = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')
  t.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff])
  const read = await readWithSharp(jpeg)
  t.is(read.text, 'text')
  t.is(read.ecLevel, 'H')
  const better = await QRCode.toDataURL('text', { ...opts, quality: 1 })
  t.true(better.length > url.length, 'quality reaches the encoder')
  t.is(await QRCode.toDataURL('text', { ...opts, quality: 1, rendererOpts: { quality: 0.3 } }), url, 'rendererOpts.quality wins')
})

test("README toString example: utf8 by default, with a callback", async (t) => {
  const { err, result } = await viaCallback<string>((cb) => QRCode.toString('http://www.google.com', cb))
  t.is(err, null)
  t.regex(result, /^[ █▀▄\n]+$/u)
  t.is((await readText(result)).text, 'http://www.google.com')
})

test("README toFile example: blue on transparent PNG, and the PNG-only rendererOpts", async (t) => {
  const path = join(dir, 'filename.png')
  const { err } = await viaCallback<void>((cb) =>
    QRCode.toFile(path, 'Some text', { color: { dark: '#00F', light: '#0000' } }, cb),
  )
  t.is(err, null)
  const png = readFileSync(path)
  const { rgba } = decodePng(png)
  t.is(rgba[3], 0, 'the corner is transparent')
  t.is((await readPng(png)).text, 'Some text')

  const tuned = join(dir, 'tuned.png')
  await QRCode.toFile(tuned, 'Some text', { rendererOpts: { deflateLevel: 9, deflateStrategy: 3 } })
  t.is((await zxingRead(readFileSync(tuned))).text, 'Some text')
})

test('toFile: the format from the extension (png, svg, txt), or from type', async (t) => {
  for (const name of ['out.png', 'out.svg', 'out.txt', 'out.PNG']) {
    const path = join(dir, name)
    await QRCode.toFile(path, name)
    const bytes = readFileSync(path)
    const read = name.endsWith('.svg') ? await readSvg(bytes.toString()) : name.endsWith('.txt') ? await readText(bytes.toString()) : await zxingRead(bytes)
    t.is(read.text, name)
  }
  const typed = join(dir, 'typed.file')
  await QRCode.toFile(typed, 'typed', { type: 'svg' })
  t.true(readFileSync(typed, 'utf8').includes('<svg'))
  t.is((await readSvg(readFileSync(typed, 'utf8'))).text, 'typed')
  const other = join(dir, 'other.bin')
  await QRCode.toFile(other, 'unknown extension')
  t.is((await zxingRead(readFileSync(other))).text, 'unknown extension', 'PNG, as node-qrcode')
})

test('toFile: a write error reaches the callback and rejects the promise', async (t) => {
  const path = join(dir, 'missing', 'dir', 'x.png')
  const { err } = await viaCallback<void>((cb) => QRCode.toFile(path, 'x', cb))
  t.is((err as NodeJS.ErrnoException | null)?.code, 'ENOENT')
  await t.throwsAsync(QRCode.toFile(path, 'x'), { code: 'ENOENT' })
})

test('toFileStream writes the PNG to the stream and ends it; errors are emitted on the stream', async (t) => {
  const path = join(dir, 'stream.png')
  const stream = createWriteStream(path)
  const closed = new Promise<void>((resolve, reject) => stream.on('close', () => resolve()).on('error', reject))
  t.is(QRCode.toFileStream(stream, 'to a stream', { scale: 2 }), undefined)
  await closed
  const png = readFileSync(path)
  t.is((await zxingRead(png)).text, 'to a stream')
  t.is(png.readUInt32BE(16), (21 + 8) * 2)

  const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
  const failed = new Promise<Error>((resolve) => sink.on('error', resolve))
  QRCode.toFileStream(sink, '')
  t.is(((await failed) as Error & { code?: string }).code, 'ERR_QR_EMPTY_INPUT')
})

test('toBuffer: a PNG by default; promise and callback forms agree', async (t) => {
  const png = await QRCode.toBuffer('buffer text')
  t.true(Buffer.isBuffer(png))
  t.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47])
  const { err, result } = await viaCallback<Buffer>((cb) => QRCode.toBuffer('buffer text', cb))
  t.is(err, null)
  t.deepEqual(result, png)
  t.is((await zxingRead(png)).text, 'buffer text')
  const webp = await QRCode.toBuffer('webp text', { type: 'image/webp' })
  t.is(webp.subarray(8, 12).toString(), 'WEBP', 'a real WebP')
  t.is((await readWithSharp(webp)).text, 'webp text')
  const gif = await QRCode.toBuffer('gif text', { type: 'gif' })
  t.is(gif.subarray(0, 6).toString(), 'GIF89a', 'a real GIF')
  t.is((await zxingRead(gif)).text, 'gif text')
})

test("GIF through compat: toDataURL 'image/gif', toFile('qr.gif'), toFileStream", async (t) => {
  const url = await QRCode.toDataURL('gif url', { type: 'image/gif', color: { dark: '#1a237e' } })
  t.true(url.startsWith('data:image/gif;base64,'), url.slice(0, 30))
  t.is((await zxingRead(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))).text, 'gif url')
  const dir = mkdtempSync(join(tmpdir(), 'qrhash-compat-gif-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'qr.gif')
  await QRCode.toFile(path, 'gif file')
  const file = readFileSync(path)
  t.is(file.subarray(0, 6).toString(), 'GIF89a', 'node-qrcode writes PNG bytes here; compat writes a GIF')
  t.is((await zxingRead(file)).text, 'gif file')
  const chunks: Buffer[] = []
  const stream = new Writable({ write: (chunk, _encoding, callback) => (chunks.push(chunk), callback()) })
  const finished = new Promise((resolve) => stream.once('finish', resolve))
  QRCode.toFileStream(stream, 'gif stream', { type: 'gif' })
  await finished
  t.is((await zxingRead(Buffer.concat(chunks))).text, 'gif stream')
})

test("toString { type: 'svg' } decodes and honours scale and width", async (t) => {
  const svg = await QRCode.toString('svg text', { type: 'svg', scale: 3, margin: 2 })
  t.true(svg.includes('width="75" height="75"'), '(21 + 2 × 2) × 3')
  t.is((await readSvg(svg)).text, 'svg text')
  const wide = await QRCode.toString('svg text', { type: 'svg', width: 300 })
  t.true(wide.includes('width="300"'))
  t.is((await readSvg(wide)).text, 'svg text')
})

test("toString { type: 'terminal', small }: half blocks that decode; inverse swaps the colours", async (t) => {
  const small = await QRCode.toString('small terminal', { type: 'terminal', small: true })
  t.true(small.includes('▀'))
  const read = await readTerminal(small)
  t.is(read.text, 'small terminal')
  t.false(read.isInverted)
  const inverse = await QRCode.toString('small terminal', { type: 'terminal', small: true, inverse: true })
  t.not(inverse, small)
  const readInverse = await readTerminal(inverse)
  t.is(readInverse.text, 'small terminal')
  t.true(readInverse.isInverted, 'light modules drawn dark')
  const big = await QRCode.toString('big terminal', { type: 'terminal', margin: 2, color: { dark: '#003', light: '#ffe' } })
  t.true(big.includes('48;2;0;0;51'), 'the dark colour is used')
  t.is((await readTerminal(big)).text, 'big terminal')
})

test('utf8: any margin, odd ones too (node-qrcode throws on those)', async (t) => {
  for (const margin of [0, 1, 2, 3, 4]) {
    const art = await QRCode.toString('margins', { margin })
    const lines = art.split('\n').filter((l) => l.length > 0)
    t.is([...lines[0]!].length, 21 + 2 * margin, `margin ${margin}: width`)
    if (margin > 0) t.is((await readText(art)).text, 'margins', `margin ${margin}`)
  }
})

test("utf8: white dark or black light modules invert the blocks, as node-qrcode does", async (t) => {
  const plain = await QRCode.toString('dark terminal', { margin: 2 })
  for (const color of [{ dark: '#ffffff', light: '#000000' }, { dark: '#FFF' }, { light: '#000000ff' }]) {
    const art = await QRCode.toString('dark terminal', { margin: 2, color })
    t.not(art, plain, JSON.stringify(color))
    t.is((await readText(art, true)).text, 'dark terminal', JSON.stringify(color))
    const file = join(dir, 'inverted.txt')
    await QRCode.toFile(file, 'dark terminal', { margin: 2, color })
    t.is(readFileSync(file, 'utf8'), art, 'toFile .txt')
    t.is((await QRCode.toBuffer('dark terminal', { margin: 2, color, type: 'utf8' })).toString(), art, 'toBuffer utf8')
  }
  t.is(await QRCode.toString('dark terminal', { margin: 2, color: { dark: '#123456' } }), plain, 'other colours: dark is ink')
})

// ---------------------------------------------------------------------------------------------
// create(): node-qrcode's shape, checked against node-qrcode itself

test("create() equals node-qrcode's create() for the same segments, version, level and mask", (t) => {
  const toSJIS = require('qrcode/helper/to-sjis') as (codePoint: string) => number
  const cases = [
    { segs: [{ data: 'ABCDEFG', mode: 'alphanumeric' as const }, { data: '0123456', mode: 'numeric' as const }], version: 1, level: 'M' as const, mask: 0 },
    { segs: [{ data: 'hello, world', mode: 'byte' as const }], version: 3, level: 'Q' as const, mask: 5 },
    { segs: [{ data: '漢字', mode: 'kanji' as const }, { data: '42', mode: 'numeric' as const }], version: 2, level: 'H' as const, mask: 3 },
    { segs: [{ data: 'x'.repeat(300), mode: 'byte' as const }], version: 12, level: 'L' as const, mask: 7 },
    { segs: [{ data: '1'.repeat(3000), mode: 'numeric' as const }], version: 30, level: 'M' as const, mask: 2 },
  ]
  for (const { segs, version, level, mask } of cases) {
    const options = { version, errorCorrectionLevel: level, maskPattern: mask, toSJISFunc: toSJIS }
    const ours: QRCodeObject = QRCode.create(segs, options)
    // @types/qrcode types byte data as binary only; node-qrcode takes strings there too.
    const theirs = nodeQrcode.create(segs as Parameters<typeof nodeQrcode.create>[0], options as Parameters<typeof nodeQrcode.create>[1])
    const label = `${segs.map((s) => s.mode).join('+')} ${version}-${level} mask ${mask}`
    t.is(ours.version, theirs.version, label)
    t.deepEqual(ours.errorCorrectionLevel, theirs.errorCorrectionLevel, label)
    t.is(ours.maskPattern, theirs.maskPattern ?? -1, label)
    t.is(ours.modules.size, theirs.modules.size, label)
    t.deepEqual(ours.modules.data, theirs.modules.data, `${label}: modules`)
    t.deepEqual(ours.modules.reservedBit, new Uint8Array(theirs.modules.reservedBit), `${label}: reservedBit`)
    t.is(ours.segments.length, theirs.segments.length, label)
    ours.segments.forEach((seg, i) => {
      const other = theirs.segments[i]!
      t.deepEqual(seg.mode, other.mode, `${label}: segment ${i} mode`)
      t.deepEqual(seg.data, other.data, `${label}: segment ${i} data`)
      t.is(seg.getLength(), other.getLength(), `${label}: segment ${i} getLength`)
      t.is(seg.getBitsLength(), other.getBitsLength(), `${label}: segment ${i} getBitsLength`)
    })
  }
})

test("create().modules.reservedBit marks node-qrcode's function modules in every version", (t) => {
  for (let version = 1; version <= 40; version++) {
    const ours = QRCode.create('1', { version }).modules
    const theirs = nodeQrcode.create('1', { version }).modules
    t.deepEqual(ours.reservedBit, new Uint8Array(theirs.reservedBit), `version ${version}`)
  }
})

test("node-qrcode's own renderers draw compat's create() output, and it decodes", async (t) => {
  const qr = QRCode.create('rendered by node-qrcode', { errorCorrectionLevel: 'Q' })
  const svgTag = require('qrcode/lib/renderer/svg-tag') as { render(qr: unknown, options?: object): string }
  t.is((await readSvg(svgTag.render(qr, { margin: 2 }))).text, 'rendered by node-qrcode')
  const pngRenderer = require('qrcode/lib/renderer/png') as {
    renderToBuffer(qr: unknown, options: object, cb: (err: Error | null, png: Buffer) => void): void
  }
  const png = await new Promise<Buffer>((resolve, reject) => pngRenderer.renderToBuffer(qr, {}, (err, out) => (err ? reject(err) : resolve(out))))
  t.is((await zxingRead(png)).text, 'rendered by node-qrcode')
})

test('create(): segments and level objects it returns are accepted back as input', async (t) => {
  const qr = QRCode.create([{ data: 'ABC', mode: 'alphanumeric' }, { data: Buffer.from([0, 200]), mode: 'byte' }, { data: 123, mode: 'numeric' }])
  const again = QRCode.create(qr.segments, { errorCorrectionLevel: qr.errorCorrectionLevel, maskPattern: qr.maskPattern })
  t.deepEqual(again.modules.data, qr.modules.data)
  const read = await zxingRead(await QRCode.toBuffer(qr.segments, { errorCorrectionLevel: QRCode.create('x', { errorCorrectionLevel: 'H' }).errorCorrectionLevel }))
  t.deepEqual([...read.bytes], [...Buffer.from('ABC'), 0, 200, ...Buffer.from('123')])
  t.is(read.ecLevel, 'H')
})

test('create() ignores renderer options, as node-qrcode does, and throws on bad input', (t) => {
  const plain = QRCode.create('same')
  const withRendering = QRCode.create('same', { margin: 9, scale: 3, width: 500, color: { dark: '#f00' }, small: true, rendererOpts: { quality: 0.5 }, quality: 0.5, inverse: true })
  t.deepEqual(withRendering.modules.data, plain.modules.data)
  t.throws(() => QRCode.create(''), { code: 'ERR_QR_EMPTY_INPUT' })
  t.throws(() => QRCode.create('x', { version: 41 }), { instanceOf: RangeError, code: 'ERR_OUT_OF_RANGE' })
})

// ---------------------------------------------------------------------------------------------
// Calling convention and options

test("node-qrcode's argument forms: (text, cb), (text, opts, cb), (text), (text, opts), and a non-function last argument", async (t) => {
  const { result: a } = await viaCallback<string>((cb) => QRCode.toString('forms', cb))
  const { result: b } = await viaCallback<string>((cb) => QRCode.toString('forms', { margin: 1 }, cb))
  const { result: c } = await viaCallback<string>((cb) => QRCode.toString('forms', undefined, cb))
  t.is(a, await QRCode.toString('forms'))
  t.is(b, await QRCode.toString('forms', { margin: 1 }))
  t.is(c, a)
  t.not(a, b)
  const promised: unknown = QRCode.toString('forms', { margin: 1 }, null as unknown as Callback<string>)
  t.true(promised instanceof Promise, 'no callback function: a promise, as node-qrcode')
  await (promised as Promise<string>)
})

test('bad input: the callback gets (err) and the promise rejects, with the same error', async (t) => {
  const cases: Array<[string, (cb?: Callback<unknown>) => unknown, object]> = [
    ['empty text', (cb) => (cb ? QRCode.toDataURL('', cb) : QRCode.toDataURL('')), { code: 'ERR_QR_EMPTY_INPUT' }],
    ['no text', (cb) => (cb ? QRCode.toString(undefined as unknown as string, cb) : QRCode.toString(undefined as unknown as string)), { instanceOf: TypeError }],
    ['level Z', (cb) => (cb ? QRCode.toBuffer('x', { errorCorrectionLevel: 'Z' as 'L' }, cb) : QRCode.toBuffer('x', { errorCorrectionLevel: 'Z' as 'L' })), { instanceOf: RangeError, message: /errorCorrectionLevel/ }],
    ['mask 9', (cb) => (cb ? QRCode.toString('x', { maskPattern: 9 }, cb) : QRCode.toString('x', { maskPattern: 9 })), { instanceOf: RangeError, message: /maskPattern/ }],
    ['version 41', (cb) => (cb ? QRCode.toDataURL('x', { version: 41 }, cb) : QRCode.toDataURL('x', { version: 41 })), { code: 'ERR_OUT_OF_RANGE' }],
    ['margin -1', (cb) => (cb ? QRCode.toDataURL('x', { margin: -1 }, cb) : QRCode.toDataURL('x', { margin: -1 })), { message: /options\.margin/ }],
    ['a bad colour', (cb) => (cb ? QRCode.toString('x', { color: { dark: '#12345' } }, cb) : QRCode.toString('x', { color: { dark: '#12345' } })), { message: /options\.color\.dark/ }],
    ['a misspelt option', (cb) => (cb ? QRCode.toDataURL('x', { widht: 9 } as object, cb) : QRCode.toDataURL('x', { widht: 9 } as object)), { instanceOf: TypeError, message: /widht/ }],
    ['too much data', (cb) => (cb ? QRCode.toDataURL('x'.repeat(3000), cb) : QRCode.toDataURL('x'.repeat(3000))), { code: 'ERR_QR_DATA_TOO_LONG' }],
    ['an svg data URL', (cb) => (cb ? QRCode.toDataURL('x', { type: 'svg' as 'png' }, cb) : QRCode.toDataURL('x', { type: 'svg' as 'png' })), { message: /options\.type/ }],
  ]
  for (const [name, call, expected] of cases) {
    const { err, sync } = await viaCallback<unknown>((cb) => call(cb))
    t.true(err instanceof Error, name)
    t.false(sync, `${name}: reported asynchronously`)
    const rejected = await t.throwsAsync(call() as Promise<unknown>, expected, name)
    t.is(rejected?.message ?? 'no rejection', err?.message ?? 'no error', name)
  }
})

test('options node-qrcode accepts that qrhash alone would reject are translated or ignored', async (t) => {
  const reference = await QRCode.toDataURL('lenient', { version: 2, maskPattern: 3, margin: 2, scale: 5 })
  const equivalents: Array<[string, object]> = [
    ['numeric strings (node-qrcode CLI, query strings)', { version: '2', maskPattern: '3', margin: '2', scale: '5' }],
    ['null and undefined mean unset', { version: 2, maskPattern: 3, margin: 2, scale: 5, width: null, color: null, type: undefined, errorCorrectionLevel: null }],
    ["a level object { bit: 0 } (M)", { version: 2, maskPattern: 3, margin: 2, scale: 5, errorCorrectionLevel: { bit: 0 } }],
    ['toSJISFunc', { version: 2, maskPattern: 3, margin: 2, scale: 5, toSJISFunc: () => 0 }],
    ['pngjs rendererOpts, with width/height node-qrcode writes into them', { version: 2, maskPattern: 3, margin: 2, scale: 5, rendererOpts: { deflateLevel: 1, deflateStrategy: 0, width: 7, height: 7 } }],
    ['small and inverse outside the terminal', { version: 2, maskPattern: 3, margin: 2, scale: 5, small: true, inverse: true }],
    ['width 0 and empty colours mean unset', { version: 2, maskPattern: 3, margin: 2, scale: 5, width: 0, color: { dark: '', light: '' } }],
    ['scale 0 means the default, 4 (so scale 5 comes from width)', { version: 2, maskPattern: 3, margin: 2, scale: 0, width: (25 + 4) * 5 }],
  ]
  for (const [name, options] of equivalents) t.is(await QRCode.toDataURL('lenient', options), reference, name)
  t.is((await zxingRead(pngOfDataUrl(reference))).text, 'lenient')
})

test("eci: non-ASCII text is marked UTF-8 by default (node-qrcode writes no ECI); eci: false as node-qrcode", async (t) => {
  const text = 'Grüße, ñandú'
  const marked = await zxingRead(await QRCode.toBuffer(text))
  t.is(marked.text, text)
  t.true(marked.hasECI)
  const bare = await zxingRead(await QRCode.toBuffer(text, { eci: false }))
  t.false(bare.hasECI)
  t.deepEqual([...bare.bytes], [...Buffer.from(text)], 'raw UTF-8 bytes, as node-qrcode writes them')
  const theirs = await zxingRead(await nodeQrcode.toBuffer(text))
  t.false(theirs.hasECI)
  t.false((await zxingRead(await QRCode.toBuffer('plain ASCII'))).hasECI, 'ASCII text needs none')
})

test('toCanvas throws a clear error', (t) => {
  const error = t.throws(() => QRCode.toCanvas({}, 'text', () => {}))
  t.is((error as Error & { code?: string }).code, 'ERR_QR_CANVAS_UNSUPPORTED')
  t.regex(error!.message, /toCanvas/)
  t.regex(error!.message, /toBuffer/)
})

test('abort: the qrhash signal option works through compat', async (t) => {
  const controller = new AbortController()
  controller.abort()
  await t.throwsAsync(QRCode.toDataURL('x', { signal: controller.signal }), { name: 'AbortError' })
})

// ---------------------------------------------------------------------------------------------
// Held to node-qrcode itself: the differences its own tests found

test('text output ends as node-qrcode ends it: no newline after the last row of utf8 or small terminal codes', async (t) => {
  // The masks may differ (each library picks its own), so the shape is compared, and the text read back.
  const shape = (art: string) => ({ lines: art.split('\n').length, width: art.split('\n')[0]!.length, endsWithNewline: art.endsWith('\n') })
  const same = async (name: string, mine: string, theirs: string) => {
    t.deepEqual(shape(mine), shape(theirs), name)
    t.is((await readText(mine)).text, PONY, name)
  }
  const forms: [string, () => Record<string, unknown>][] = [
    ['toString() (utf8 by default)', () => ({})],
    ["toString({ type: 'utf8' })", () => ({ type: 'utf8' })],
    ['toString, white on black', () => ({ type: 'utf8', color: { dark: '#fff', light: '#000' } })],
  ]
  for (const [name, options] of forms) await same(name, await QRCode.toString(PONY, options()), await nodeQrcode.toString(PONY, options()))
  const theirs = await nodeQrcode.toString(PONY, { type: 'utf8' })
  t.false(theirs.endsWith('\n'), "node-qrcode's utf8 text ends with its last row")
  await same("toBuffer({ type: 'utf8' })", (await QRCode.toBuffer(PONY, { type: 'utf8' })).toString(), theirs)
  const ours = join(dir, 'ours.txt')
  const node = join(dir, 'theirs.txt')
  await QRCode.toFile(ours, PONY)
  await nodeQrcode.toFile(node, PONY)
  await same("toFile('x.txt')", readFileSync(ours, 'utf8'), readFileSync(node, 'utf8'))
  // The terminal renderers draw differently (colours); where each ends is what node-qrcode's does.
  for (const small of [false, true]) {
    const mine = await QRCode.toString(PONY, { type: 'terminal', small })
    const reference = await nodeQrcode.toString(PONY, { type: 'terminal', small })
    t.is(mine.endsWith('\n'), reference.endsWith('\n'), `terminal, small: ${small}`)
  }
})

test('toFileStream: a failure is emitted on the stream, which stays open, as node-qrcode leaves it', async (t) => {
  const tooLong = 'x'.repeat(8000)
  const run = async (toFileStream: (stream: Writable, text: string) => void) => {
    const written: Buffer[] = []
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (written.push(chunk), done()) })
    const errors: Error[] = []
    stream.on('error', (error) => errors.push(error))
    toFileStream(stream, tooLong)
    toFileStream(stream, tooLong)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const destroyed = stream.destroyed
    // An HTTP response would now send its 500.
    await new Promise<void>((resolve) => stream.end('500', () => resolve()))
    return { errors: errors.length, destroyed, written: Buffer.concat(written).toString() }
  }
  const theirs = await run((stream, text) => nodeQrcode.toFileStream(stream as never, text))
  const ours = await run((stream, text) => QRCode.toFileStream(stream, text))
  t.deepEqual(theirs, { errors: 2, destroyed: false, written: '500' }, "node-qrcode's behaviour, as measured")
  t.deepEqual(ours, theirs)
})

test('toFile(path, callback) throws at once, as node-qrcode does, naming what is missing', (t) => {
  t.throws(() => nodeQrcode.toFile(join(dir, 'x.png'), (() => {}) as never))
  const error = t.throws(() => QRCode.toFile(join(dir, 'x.png'), (() => {}) as never), { instanceOf: TypeError })
  t.regex(error!.message, /needs the text second, got a function/)
  t.throws(() => QRCode.toFile(join(dir, 'x.png'), undefined as never), { message: /got nothing/ })
})

test("a misspelt option's message lists the options compat takes, node-qrcode's included", async (t) => {
  type RenderOptions = Parameters<typeof QRCode.toDataURL>[1]
  const rendering = await t.throwsAsync(QRCode.toDataURL('x', { colour: 'red' } as object as RenderOptions), { code: 'ERR_INVALID_ARG_VALUE' })
  t.regex(rendering!.message, /^options\.colour is not an option here; options takes .*\bcolor\b.*\btoSJISFunc, inverse, quality$/)
  t.true(rendering!.stack!.startsWith(`TypeError: ${rendering!.message}`), 'the stack shows the same message')
  const viaCallbackForm = await viaCallback((cb) => QRCode.toString('x', { colour: 'red' } as never, cb))
  t.is(viaCallbackForm.err!.message, rendering!.message)
  const creating = t.throws(() => QRCode.create('x', { colour: 'red' } as never), { code: 'ERR_INVALID_ARG_VALUE' })
  for (const key of ['toSJISFunc', 'margin', 'scale', 'width', 'inverse', 'quality']) t.regex(creating!.message, new RegExp(`\\b${key}\\b`), key)
  // And an option compat takes is no error.
  await t.notThrowsAsync(QRCode.toDataURL('x', { toSJISFunc: () => 0, inverse: false, quality: 0.9 } as object as RenderOptions))
})

test("gs1 and applicationIndicator pass through node-qrcode's calls: callback, promise and create()", async (t) => {
  const url = await new Promise<string>((resolve, reject) => {
    QRCode.toDataURL('0109501101020917\x1d10ABC', { gs1: true }, (error, result) => (error ? reject(error) : resolve(result)))
  })
  const read = await zxingRead(pngOfDataUrl(url))
  t.is(read.symbologyIdentifier, ']Q3')
  t.is(read.text, '(01)09501101020917(10)ABC')
  const second = await zxingRead(await QRCode.toBuffer('ABC', { applicationIndicator: '37' }))
  t.is(second.symbologyIdentifier, ']Q5')
  t.is(second.text, '37ABC')
  // FNC1 costs bits: 7 089 digits fill version 40-L, and with GS1 no longer fit.
  t.is(QRCode.create('1'.repeat(7089), { errorCorrectionLevel: 'L' }).version, 40)
  t.throws(() => QRCode.create('1'.repeat(7089), { errorCorrectionLevel: 'L', gs1: true }), { instanceOf: RangeError })
})
