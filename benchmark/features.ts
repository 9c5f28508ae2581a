// What the second round's features cost and save, against peers in the same run:
//
//   npm run bench:features
//
// 1. SVG size: bytes of the SVG each library writes for the benchmark's inputs (qrhash and
//    node-qrcode stroke runs of dark modules in one path; qr its own way).
// 2. Web inputs: sha256 of a 256 MiB Blob and of a web ReadableStream of 1 MiB chunks, against
//    node:crypto reading the same stream on the main thread; with the event loop's worst delay.
// 3. Pausing a hash: exportState() and createSha256({ state }), per call.
// 4. GS1: createQrSync of a GS1 element string against the same data without FNC1.
// 5. Structured append of 10 KB as PNGs: qrhash's toBufferSequence (split, encode, draw)
//    against etiket's qrcodePNG drawing the same parts with the headers given by hand (etiket
//    leaves the splitting and the parity to its caller), and qrhash on the pool.
// 6. Styles: a gradient PNG against the plain (1-bit) and the shaped PNG, 512 px; the same
//    gradient as SVG against etiket's SVG (etiket's PNG has no gradients; qr-code-styling
//    draws on a DOM canvas and is not installed here).
// 7. rMQR: the matrix (createSync) and a PNG (toBufferSync) of the smallest rMQR code at level
//    M, against etiket's encodeRMQR and renderMatrixPNG on the same inputs, and qrhash on the
//    pool. (node-qrcode, qr and qr-code-styling have no rMQR.)
// Prints markdown tables; it asserts nothing (see benchmark/README.md for the figures).

import * as crypto from 'node:crypto'
import { performance } from 'node:perf_hooks'

import { encodeRMQR, qrcode as etiketSvg } from 'etiket'
import { qrcodePNG, renderMatrixPNG } from 'etiket/png'
import encodeQR from 'qr'
import QRCode from 'qrcode'

import {
  createQrSync,
  createSequenceSync,
  createSha256,
  createSync,
  sha256,
  toBuffer,
  toBufferSequence,
  toBufferSequenceSync,
  toBufferSync,
  toStringSync,
  type QrImageOptions,
} from '../index.js'

const MiB = 1024 * 1024

const inputs: Array<[string, string]> = [
  ['20-char URL', 'https://example.com/'],
  ['46-char URL', 'https://shop.example.com/orders/2026/11/A7F3Q9'],
  ['500 chars', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(9).slice(0, 500)],
  ['2 953 bytes (version 40)', crypto.createHash('sha256').update('v40').digest('hex').repeat(47).slice(0, 2953)],
]

async function svgSizes(): Promise<void> {
  console.log('## SVG bytes (level M; margin 4)\n')
  console.log('| input | qrhash | node-qrcode | qr | qrhash ÷ node-qrcode |')
  console.log('|---|---|---|---|---|')
  for (const [label, text] of inputs) {
    const level = text.length > 2000 ? 'L' : 'M'
    const ours = Buffer.byteLength(toStringSync(text, { type: 'svg', errorCorrectionLevel: level }))
    const theirs = Buffer.byteLength(await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: level }))
    const qr = Buffer.byteLength(encodeQR(text, 'svg', { ecc: level === 'L' ? 'low' : 'medium' }))
    console.log(`| ${label} | ${ours} | ${theirs} | ${qr} | ${(ours / theirs).toFixed(2)} |`)
  }
  console.log()
}

/** A web ReadableStream of `chunks` fresh 1 MiB chunks of `seed`'s bytes. */
function streamOf(seed: Uint8Array, chunks: number): ReadableStream<Uint8Array> {
  let made = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (made++ === chunks) return controller.close()
      controller.enqueue(seed.slice())
    },
  }, { highWaterMark: 0 })
}

/**
 * Best of `rounds` of `run`, in ms, with that round's longest gap between the ticks of a 1 ms
 * timer: how long the event loop went without running timers (a loop kept busy by promise
 * callbacks alone runs no timer either).
 */
async function timed(rounds: number, run: () => Promise<unknown>): Promise<{ ms: number; delayMs: number }> {
  let best = { ms: Infinity, delayMs: 0 }
  for (let round = 0; round < rounds; round++) {
    let last = performance.now()
    let longest = 0
    const ticker = setInterval(() => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
    }, 1)
    const started = performance.now()
    await run()
    const ms = performance.now() - started
    clearInterval(ticker)
    longest = Math.max(longest, performance.now() - last)
    if (ms < best.ms) best = { ms, delayMs: longest }
  }
  return best
}

async function webInputs(): Promise<void> {
  const chunks = 256
  const seed = crypto.randomBytes(MiB)
  const blob = new Blob(Array.from({ length: chunks }, () => seed))
  const cryptoOf = async (stream: ReadableStream<Uint8Array>) => {
    const hash = crypto.createHash('sha256')
    for await (const chunk of stream) hash.update(chunk)
    return hash.digest('hex')
  }
  const want = await cryptoOf(blob.stream())
  const rows: Array<[string, () => Promise<string>]> = [
    ['qrhash sha256(blob)', () => sha256(blob, 'hex')],
    ['node:crypto, for await (blob.stream())', () => cryptoOf(blob.stream())],
    ['qrhash sha256(web stream)', () => sha256(streamOf(seed, chunks), 'hex')],
    ['node:crypto, for await (web stream)', () => cryptoOf(streamOf(seed, chunks))],
  ]
  console.log(`## sha256 of ${chunks} MiB: a Blob and a web ReadableStream of 1 MiB chunks (best of 3)\n`)
  console.log('| case | ms | MiB/s | longest gap between 1 ms timer ticks (ms) |')
  console.log('|---|---|---|---|')
  for (const [name, run] of rows) {
    const result = await timed(3, async () => {
      const digest = await run()
      if (digest !== want) throw new Error(`${name}: wrong digest`)
    })
    console.log(`| ${name} | ${result.ms.toFixed(0)} | ${(chunks / (result.ms / 1000)).toFixed(0)} | ${result.delayMs.toFixed(1)} |`)
  }
  console.log()
}

function perCall(count: number, run: () => void): number {
  const started = performance.now()
  for (let i = 0; i < count; i++) run()
  return ((performance.now() - started) * 1000) / count
}

function hashState(): void {
  const hasher = createSha256().update(crypto.randomBytes(1000))
  const state = hasher.exportState()
  for (let i = 0; i < 1000; i++) createSha256({ state }).exportState() // warm up
  const exportUs = perCall(100_000, () => hasher.exportState())
  const resumeUs = perCall(100_000, () => createSha256({ state }))
  const freshUs = perCall(100_000, () => createSha256())
  console.log('## Pausing a hash (µs per call, 100 000 calls)\n')
  console.log('| call | µs |')
  console.log('|---|---|')
  console.log(`| hasher.exportState() | ${exportUs.toFixed(2)} |`)
  console.log(`| createSha256({ state }) | ${resumeUs.toFixed(2)} |`)
  console.log(`| createSha256() (for scale) | ${freshUs.toFixed(2)} |`)
  console.log()
}

function gs1(): void {
  const GS = '\x1d'
  const data = `01095060001343521710123110AB-123${GS}3103000189${GS}21SERIAL42`
  for (let i = 0; i < 1000; i++) createQrSync(data, { gs1: true })
  const withFnc1 = perCall(5000, () => createQrSync(data, { gs1: true }))
  const without = perCall(5000, () => createQrSync(data))
  console.log('## GS1 (µs per createQrSync, PNG data URL, 5 000 calls)\n')
  console.log('| data | µs |')
  console.log('|---|---|')
  console.log(`| GS1 element string, gs1: true | ${withFnc1.toFixed(1)} |`)
  console.log(`| the same bytes, no FNC1 | ${without.toFixed(1)} |`)
  console.log()
}

async function structuredAppend(): Promise<void> {
  const text = 'Structured append: ten kilobytes of text across several codes. '.repeat(160).slice(0, 10_240)
  const options = { errorCorrectionLevel: 'M' as const, scale: 4 }
  const symbols = createSequenceSync(text, { errorCorrectionLevel: options.errorCorrectionLevel })
  const parts = symbols.map((symbol) => symbol.segments.map((segment) => String(segment.data)).join(''))
  if (parts.join('') !== text) throw new Error('the parts do not join back')
  const parity = symbols[0]?.sequence?.parity ?? 0
  const etiket = () =>
    parts.map((part, index) =>
      qrcodePNG(part, { ecLevel: 'M', version: symbols[0]?.version, moduleSize: 4, margin: 4, structuredAppend: { index, total: parts.length, parity } }),
    )
  const rounds = 20
  for (let i = 0; i < 3; i++) {
    toBufferSequenceSync(text, options)
    etiket()
    await Promise.all(Array.from({ length: rounds }, () => toBufferSequence(text, options)))
  }
  const ours = perCall(rounds, () => toBufferSequenceSync(text, options)) / 1000
  const theirs = perCall(rounds, () => etiket()) / 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: rounds }, () => toBufferSequence(text, options)))
  const pooled = (performance.now() - started) / rounds
  console.log(`## Structured append: 10 KB of text as ${parts.length} PNGs at version ${symbols[0]?.version}-M (ms per set, ${rounds} sets)\n`)
  console.log('| case | ms per set |')
  console.log('|---|---|')
  console.log(`| qrhash toBufferSequenceSync (split, encode, draw) | ${ours.toFixed(2)} |`)
  console.log(`| etiket qrcodePNG × ${parts.length}, parts and headers given | ${theirs.toFixed(2)} |`)
  console.log(`| qrhash toBufferSequence, ${rounds} sets at once on the pool (wall ÷ sets) | ${pooled.toFixed(2)} |`)
  console.log()
}

async function styles(): Promise<void> {
  const text = 'https://shop.example.com/orders/2026/11/A7F3Q9'
  const gradient = { type: 'linear' as const, rotation: 45, stops: [{ offset: 0, color: '#e91e63' }, { offset: 1, color: '#1a237e' }] }
  const base = { errorCorrectionLevel: 'M' as const, width: 512 }
  const pngs: Array<[string, QrImageOptions]> = [
    ['plain (1-bit PNG)', base],
    ['linear gradient', { ...base, color: { gradient } }],
    ['radial gradient, finder colours', { ...base, color: { gradient: { type: 'radial', stops: gradient.stops }, finder: '#004d40', finderCenter: '#b71c1c' } }],
    ['dots, rounded finders (no gradient)', { ...base, style: { modules: 'dots', finder: 'rounded' } }],
    ['classy-rounded, dot finders, linear gradient', { ...base, style: { modules: 'classy-rounded', finder: 'dot' }, color: { gradient } }],
  ]
  const calls = 40
  console.log(`## Styles: PNG of a 46-char URL, level M, 512 px (ms per call, ${calls} calls)\n`)
  console.log('| style | qrhash sync (ms) | qrhash, 40 at once on the pool (wall ÷ calls) | bytes |')
  console.log('|---|---|---|---|')
  for (const [label, options] of pngs) {
    for (let i = 0; i < 5; i++) toBufferSync(text, options)
    const sync = perCall(calls, () => toBufferSync(text, options)) / 1000
    const started = performance.now()
    await Promise.all(Array.from({ length: calls }, () => toBuffer(text, options)))
    const pooled = (performance.now() - started) / calls
    console.log(`| ${label} | ${sync.toFixed(2)} | ${pooled.toFixed(2)} | ${toBufferSync(text, options).length} |`)
  }
  const etiketPng = perCall(calls, () => qrcodePNG(text, { ecLevel: 'M', moduleSize: 12, margin: 4 })) / 1000
  console.log(`| etiket qrcodePNG, plain (its PNG has no gradient), 444 px | ${etiketPng.toFixed(2)} | — | ${qrcodePNG(text, { ecLevel: 'M', moduleSize: 12, margin: 4 }).length} |`)
  console.log()
  const svgCalls = 1000
  const ours = () => toStringSync(text, { ...base, type: 'svg', style: { modules: 'classy-rounded' }, color: { gradient } })
  const theirs = () => etiketSvg(text, { ecLevel: 'M', size: 512, dotType: 'classy-rounded', color: gradient })
  for (let i = 0; i < 50; i++) ours(), theirs()
  console.log(`## Styles: SVG, classy-rounded with a linear gradient (µs per call, ${svgCalls} calls)\n`)
  console.log('| library | µs | bytes |')
  console.log('|---|---|---|')
  console.log(`| qrhash toStringSync | ${perCall(svgCalls, ours).toFixed(0)} | ${Buffer.byteLength(ours())} |`)
  console.log(`| etiket qrcode | ${perCall(svgCalls, theirs).toFixed(0)} | ${Buffer.byteLength(theirs())} |`)
}

async function rmqr(): Promise<void> {
  const cases: Array<[string, string]> = [
    ['20-char URL', 'https://example.com/'],
    ['46-char URL', 'https://shop.example.com/orders/2026/11/A7F3Q9'],
    ['20 digits', '12345678901234567890'],
  ]
  const rounds = 5000
  console.log(`## rMQR at level M, the smallest size (µs per call, ${rounds} calls; PNG at 4 px a module, margin 4)\n`)
  console.log('| input | size | qrhash createSync | etiket encodeRMQR | qrhash toBufferSync | etiket encodeRMQR + renderMatrixPNG | qrhash toBuffer, all at once on the pool (wall ÷ calls) |')
  console.log('|---|---|---|---|---|---|---|')
  for (const [label, text] of cases) {
    const symbol = createSync(text, { rmqr: true })
    const theirs = encodeRMQR(text, { ecLevel: 'M' })
    const png = () => renderMatrixPNG(encodeRMQR(text, { ecLevel: 'M' }), { moduleSize: 4, margin: 4 })
    for (let i = 0; i < 500; i++) {
      createSync(text, { rmqr: true })
      toBufferSync(text, { rmqr: true })
      png()
    }
    const matrixUs = perCall(rounds, () => createSync(text, { rmqr: true }))
    const etiketUs = perCall(rounds, () => encodeRMQR(text, { ecLevel: 'M' }))
    const pngUs = perCall(rounds, () => toBufferSync(text, { rmqr: true }))
    const etiketPngUs = perCall(rounds, png)
    const started = performance.now()
    await Promise.all(Array.from({ length: rounds }, () => toBuffer(text, { rmqr: true })))
    const pooledUs = ((performance.now() - started) * 1000) / rounds
    const size = `R${symbol.height}x${symbol.width} (etiket: R${theirs.length}x${theirs[0]?.length})`
    console.log(
      `| ${label} | ${size} | ${matrixUs.toFixed(1)} | ${etiketUs.toFixed(1)} | ${pngUs.toFixed(1)} | ${etiketPngUs.toFixed(1)} | ${pooledUs.toFixed(1)} |`,
    )
  }
  console.log()
}

console.log(`Node ${process.version}, ${process.platform}-${process.arch}\n`)
if (process.argv.includes('--styles')) {
  await styles()
  process.exit(0)
}
await svgSizes()
await webInputs()
hashState()
gs1()
await structuredAppend()
await styles()
await rmqr()
