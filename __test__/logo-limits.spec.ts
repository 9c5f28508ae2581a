// A logo is a file a server may take from its users: its size in pixels is refused from the
// header, before anything is decoded (a 64 KB PNG can claim 23 000 × 23 000 pixels, which took
// 12 s and 2.6 GB to decode), and only the formats the documentation names are decoded. A PNG
// is read row by row, reduced to 1024 px a side as it goes and abortable; a JPEG, decoded
// whole, is held to 2048 px a side.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { deflateSync } from 'node:zlib'

import test from 'ava'
import sharp from 'sharp'

import * as qrhash from '../index.js'

const MAX_LOGO_SIDE = 4096
const MAX_JPEG_LOGO_SIDE = 2048

/** CRC-32 as PNG chunks use it (ISO 3309), bit by bit: the test's own, not the addon's. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const framed = Buffer.alloc(12 + data.length)
  framed.writeUInt32BE(data.length, 0)
  body.copy(framed, 4)
  framed.writeUInt32BE(crc32(body), 8 + data.length)
  return framed
}

/** A valid, all-black 1-bit greyscale PNG of `width × height`: small on disk, huge decoded. */
function blackPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 1 // bit depth
  header[9] = 0 // greyscale
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8))) // filter byte 0, then zero bits
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ])
}

const tooLarge = (width: number, height: number) => ({
  instanceOf: RangeError,
  code: 'ERR_QR_LOGO_IMAGE_TOO_LARGE',
  message: `options.logo.image must be at most ${MAX_LOGO_SIDE} × ${MAX_LOGO_SIDE} pixels; its header says ${width} × ${height}`,
})

test('a logo of 23 000 × 23 000 pixels in 64 KB is refused from its header, sync and async', async (t) => {
  const image = blackPng(23_000, 23_000)
  t.true(image.length < 100 * 1024, `the file is ${image.length} bytes`)
  const options = { logo: { image } }
  t.throws(() => qrhash.toBufferSync('https://example.com/', options), tooLarge(23_000, 23_000))
  await t.throwsAsync(qrhash.toBuffer('https://example.com/', options), tooLarge(23_000, 23_000))
  await t.throwsAsync(qrhash.createQrBatch(['a', 'b'], options), {
    ...tooLarge(23_000, 23_000),
    message: `texts[0]: ${tooLarge(23_000, 23_000).message}`,
  })
})

test('the side limit holds on each side alone, and a logo at the limit is drawn', async (t) => {
  t.throws(() => qrhash.toBufferSync('x', { logo: { image: blackPng(MAX_LOGO_SIDE + 1, 1) } }), tooLarge(MAX_LOGO_SIDE + 1, 1))
  t.throws(() => qrhash.toBufferSync('x', { logo: { image: blackPng(1, MAX_LOGO_SIDE + 1) } }), tooLarge(1, MAX_LOGO_SIDE + 1))
  const png = qrhash.toBufferSync('x', { logo: { image: blackPng(MAX_LOGO_SIDE, 64) } })
  t.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG is made')
})

test('only PNG and JPEG logos are decoded, as the documentation says; WebP and GIF are refused by name', async (t) => {
  const square = sharp({ create: { width: 16, height: 16, channels: 3, background: '#c00' } })
  for (const format of ['webp', 'gif'] as const) {
    const image = await square.clone().toFormat(format).toBuffer()
    t.throws(() => qrhash.toBufferSync('x', { logo: { image } }), {
      instanceOf: RangeError,
      code: 'ERR_QR_LOGO_UNREADABLE',
      message: `options.logo.image must be a PNG or JPEG image: ${format} is not accepted`,
    })
  }
  for (const format of ['png', 'jpeg'] as const) {
    const image = await square.clone().toFormat(format).toBuffer()
    t.notThrows(() => qrhash.toBufferSync('x', { logo: { image } }), format)
  }
})

test('a JPEG logo is held to 2048 px a side, as its decoder reads it whole', async (t) => {
  const jpeg = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#222' } }).jpeg().toBuffer()
  const wide = await jpeg(MAX_JPEG_LOGO_SIDE + 1, 8)
  const expected = {
    instanceOf: RangeError,
    code: 'ERR_QR_LOGO_IMAGE_TOO_LARGE',
    message: `options.logo.image must be at most ${MAX_JPEG_LOGO_SIDE} × ${MAX_JPEG_LOGO_SIDE} pixels as a JPEG (a PNG may have ${MAX_LOGO_SIDE}); its header says ${MAX_JPEG_LOGO_SIDE + 1} × 8`,
  }
  t.throws(() => qrhash.toBufferSync('x', { logo: { image: wide } }), expected)
  await t.throwsAsync(qrhash.toBuffer('x', { logo: { image: wide } }), expected)
  const widest = await jpeg(MAX_JPEG_LOGO_SIDE, 8)
  t.notThrows(() => qrhash.toBufferSync('x', { logo: { image: widest } }))
})

/**
 * In a child process: `toBuffer` with a 4096 × 4096 PNG logo of noise (the largest allowed,
 * 5 MB), run to the end (memory) or aborted 20 ms in (how long the abort took to settle).
 */
function worstLogo(mode: 'memory' | 'abort', build = fileURLToPath(new URL('../index.js', import.meta.url))) {
  const script = `
    const q = require(${JSON.stringify(build)})
    const sharp = require('sharp')
    const side = 4096
    const noise = Buffer.alloc(side * side * 3)
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24
    sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer().then(async (image) => {
      // A small logo first, so that what the pool needs anyway (through WebAssembly, its
      // worker threads) is there before memory is measured.
      await q.toBuffer('warm-up', { logo: { image: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } }).png().toBuffer() } })
      global.gc()
      const before = process.memoryUsage().rss
      if (${JSON.stringify(mode)} === 'memory') {
        let peak = before
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2)
        await q.toBuffer('logo', { logo: { image }, width: 1000 })
        clearInterval(sampler)
        console.log(JSON.stringify({ growthMiB: (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20 }))
      } else {
        const controller = new AbortController()
        const pending = q.toBuffer('logo', { logo: { image }, width: 1000, signal: controller.signal })
        await new Promise((resolve) => setTimeout(resolve, 20))
        const aborted = performance.now()
        controller.abort()
        const outcome = await pending.then(() => 'resolved', (error) => error.name)
        console.log(JSON.stringify({ outcome, settledMs: performance.now() - aborted }))
      }
    })
  `
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) })
  if (child.status !== 0) throw new Error(child.stderr)
  return JSON.parse(child.stdout.trim().split('\n').pop()!)
}

test('the largest PNG logo is read row by row: memory grows by a few MiB, not by its 64 MiB of pixels', (t) => {
  // Before, decoding it whole grew memory by ~110 MiB (its pixels, then a copy being scaled).
  const { growthMiB } = worstLogo('memory')
  t.log(`peak RSS growth: ${growthMiB.toFixed(1)} MiB`)
  t.true(growthMiB < 40, `${growthMiB.toFixed(1)} MiB`)
})

test('the largest PNG logo can be aborted while it is decoded', (t) => {
  // Decoding checks the signal every 32 rows (~2 ms here); the bound is generous for a busy machine.
  const { outcome, settledMs } = worstLogo('abort')
  t.log(`settled ${settledMs.toFixed(1)} ms after the abort`)
  t.is(outcome, 'AbortError')
  t.true(settledMs < 1000, `${settledMs.toFixed(0)} ms`)
})
