// Renders of the largest size each format allows (issue #16, item 4). Every renderer checks the
// abort signal every few rows; PNG and JPEG are drawn and compressed a band of rows at a time;
// WebP and GIF, whose encoders take the whole frame and cannot be stopped, are limited to
// 1024 px. Before, `toBuffer('x', { width: 16384, type: 'jpeg' })` drew a full RGBA frame
// (1.9 GB) and honoured an abort, or process.exit(), only when done (16 s, more under load).
// Each render runs in a child process (helpers/render-limits-probe.cjs): its peak memory is
// then its own, and a render that cannot be stopped cannot hold up the run.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import * as qrhash from '../index.js'
import { readPng, readSvg, readWithSharp } from './helpers/render.js'

const probeScript = fileURLToPath(new URL('./helpers/render-limits-probe.cjs', import.meta.url))
const MAX_FRAME_SIDE = 1024

interface Report {
  name: string
  outcome?: string
  afterAbortMs?: number
  bytes?: number
  maxRssBeforeMb?: number
  maxRssMb?: number
}

function probe(mode: 'abort' | 'rss' | 'exit', name: string) {
  const started = performance.now()
  const child = spawnSync(process.execPath, [probeScript, mode, name], { encoding: 'utf8', timeout: 10 * 60_000 })
  const elapsedMs = performance.now() - started
  const last = child.stdout.trim().split('\n').pop()
  const report = last ? (JSON.parse(last) as Report) : undefined
  return { child, report, elapsedMs }
}

// Generous bounds, far above what is measured (an abort is honoured within ~15 ms, a GIF with a
// logo within ~0.1 s, its quantizer being the one step that cannot stop) and far below the
// renders' own time at these sizes (14–50 s; before, 1.9–2.1 GB and 52–137 s to abort or exit
// on this shared machine): the figures are in the report.
const ABORT_BOUND_MS = 5000
const EXIT_BOUND_MS = 5000
const RSS_BOUND_MB = 200

const everyFormatAndStyle = ['png', 'png-plain', 'png-logo', 'jpeg', 'jpeg-dots', 'webp', 'gif', 'gif-logo', 'svg', 'utf8', 'terminal']

for (const name of everyFormatAndStyle) {
  test(`${name}: an abort 100 ms into the largest allowed render is honoured promptly`, (t) => {
    const { child, report } = probe('abort', name)
    t.is(child.status, 0, child.stderr.slice(-1000))
    t.truthy(report, `no report; stderr: ${child.stderr.slice(-1000)}`)
    t.true(['aborted', 'finished before the abort'].includes(report!.outcome!), report!.outcome)
    t.true(report!.afterAbortMs! < ABORT_BOUND_MS, `settled ${Math.round(report!.afterAbortMs!)} ms after the abort`)
  })
}

for (const name of ['png-rgba', 'png-plain', 'jpeg', 'webp', 'gif']) {
  test(`${name}: the largest allowed render needs little more memory than its file`, (t) => {
    const { child, report } = probe('rss', name)
    t.is(child.status, 0, child.stderr.slice(-1000))
    t.truthy(report, `no report; stderr: ${child.stderr.slice(-1000)}`)
    const grown = report!.maxRssMb! - report!.maxRssBeforeMb!
    t.true(grown < RSS_BOUND_MB, `peak RSS grew by ${grown} MB for a ${report!.bytes} byte file`)
  })
}

for (const name of ['jpeg', 'png']) {
  test(`${name}: process.exit() during the largest allowed render exits promptly`, (t) => {
    const { child, report, elapsedMs } = probe('exit', name)
    t.is(child.status, 0, child.stderr.slice(-1000))
    t.truthy(report?.name, `no report; stderr: ${child.stderr.slice(-1000)}`)
    t.true(elapsedMs < EXIT_BOUND_MS, `the child took ${Math.round(elapsedMs)} ms to exit`)
  })
}

const tooLargeFrame = (side: number) => ({
  instanceOf: RangeError,
  code: 'ERR_QR_IMAGE_TOO_LARGE',
  message: `the image would be ${side} px wide, more than the ${MAX_FRAME_SIDE} px allowed for WebP and GIF, which are drawn whole in memory; lower options.width, options.scale or options.margin`,
})

test('WebP and GIF over 1024 px are refused with a RangeError naming the options and the limit', async (t) => {
  for (const type of ['webp', 'gif'] as const) {
    const wide = { type, width: MAX_FRAME_SIDE + 1 }
    t.throws(() => qrhash.toBufferSync('x', wide), tooLargeFrame(MAX_FRAME_SIDE + 1))
    await t.throwsAsync(qrhash.toBuffer('x', wide), tooLargeFrame(MAX_FRAME_SIDE + 1))
    await t.throwsAsync(qrhash.toDataURL('x', { type: `image/${type}`, width: 16384 }), tooLargeFrame(16384))
    // Version 40 is 177 modules, 185 with the quiet zone: 6 px a module is 1110 px.
    t.throws(() => qrhash.toBufferSync('x', { type, version: 40, scale: 6 }), tooLargeFrame(1110))
    t.is(qrhash.toBufferSync('x', { type, width: MAX_FRAME_SIDE }).length > 0, true, `${type} at the limit is made`)
  }
  const png = qrhash.toBufferSync('x', { type: 'png', width: 16384 })
  t.is(png.readUInt32BE(16), 16384, 'PNG keeps the 16384 px limit')
})

test('large images still read back: 4000 px PNG and JPEG with dots, the largest WebP and GIF, a 4000 px SVG', async (t) => {
  const data = 'https://example.com/render-limits'
  const style = { modules: 'dots', finder: 'rounded' } as const
  const read = async (image: Uint8Array, reader: (bytes: Uint8Array) => Promise<{ text: string }>) => (await reader(image)).text
  t.is(await read(await qrhash.toBuffer(data, { type: 'png', width: 4000, style, color: { light: '#ffffff80' } }), readPng), data)
  t.is(await read(await qrhash.toBuffer(data, { type: 'jpeg', width: 4000, style }), readWithSharp), data)
  for (const type of ['webp', 'gif'] as const) {
    t.is(await read(await qrhash.toBuffer(data, { type, width: MAX_FRAME_SIDE, style }), readWithSharp), data, type)
  }
  t.is((await readSvg(await qrhash.toString(data, { type: 'svg', width: 4000, style }))).text, data)
})
