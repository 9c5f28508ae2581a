// qrhash benchmarks: qrhash and its peers side by side, on the same inputs, in one process.
//
//   npm run bench              full run (about 1–2 minutes)
//   npm run bench -- --quick   short run (under ~15 s), for smoke-testing
//
// Prints the machine, then one markdown table per suite; a full run also writes every number to
// benchmark/results.json (a quick run leaves it alone). It reports; it asserts nothing about speed.
// See benchmark/README.md.

import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

import QRCode from 'qrcode'

import { Bench } from 'tinybench'
import type { Task } from 'tinybench'

import { __napiBindingTarget, createQr, createQrSync, sha256, sha256Sync } from '../index.js'

// ---------------------------------------------------------------------------------------------
// Settings

const QUICK = process.argv.slice(2).includes('--quick')
const MODE: 'quick' | 'full' = QUICK ? 'quick' : 'full'

const QR_TEXT = 'https://example.com/'
const QR_LEVEL = 'M'

const KiB = 1024
const MiB = 1024 * KiB

/** Threads in libuv's pool, as libuv itself reads it (1–1024, anything else means 4). */
function threadPoolSize(): number {
  const raw = process.env['UV_THREADPOOL_SIZE']
  const n = raw === undefined ? NaN : Number.parseInt(raw, 10)
  if (!Number.isFinite(n) || n <= 0) return 4
  return Math.min(n, 1024)
}
const POOL = threadPoolSize()
/** Promises kept in flight for the saturating async cases: enough to keep every pool thread busy. */
const IN_FLIGHT = POOL * 4

/** tinybench settings for ordinary cases (per task: time budget, then a minimum iteration count). */
const TB = QUICK
  ? { time: 100, warmupTime: 25, iterations: 16, warmupIterations: 4 }
  : { time: 1000, warmupTime: 250, iterations: 64, warmupIterations: 16 }

/** tinybench settings for the 64 MiB hashes (~30 ms per call): few iterations, no long warmup. */
const TB_HUGE = QUICK
  ? { time: 0, warmupTime: 0, iterations: 2, warmupIterations: 1 }
  : { time: 1000, warmupTime: 100, iterations: 8, warmupIterations: 2 }

/** Event-loop suite: calls per library. */
const LOOP_CALLS = 200

// ---------------------------------------------------------------------------------------------
// Paths and versions

/** benchmark/ (benchmark/package.json makes this file ESM). */
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH_DIR, '..')
const RESULTS_FILE = path.join(BENCH_DIR, 'results.json')

function readVersion(packageJson: string): string {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(packageJson, 'utf8'))
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed) {
      const v = (parsed as { version: unknown }).version
      if (typeof v === 'string') return v
    }
  } catch {
    // fall through
  }
  return 'unknown'
}

function qrcodeVersion(): string {
  try {
    return readVersion(createRequire(import.meta.url).resolve('qrcode/package.json'))
  } catch {
    return readVersion(path.join(ROOT, 'node_modules', 'qrcode', 'package.json'))
  }
}

// ---------------------------------------------------------------------------------------------
// Machine

interface Machine {
  cpuModel: string
  cpuFlags: string[]
  logicalCpus: number
  availableParallelism: number
  uvThreadpoolSize: string
  inFlight: number
  platform: string
  node: string
  qrhash: string
  qrhashBinding: string
  qrcode: string
  tinybench: string
  sha256Peer: string
}

function cpuFlags(): string[] {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8')
    const line = info.split('\n').find((l) => l.startsWith('flags'))
    if (line === undefined) return []
    const flags = new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/))
    return ['sha_ni', 'avx2', 'avx512f'].filter((f) => flags.has(f))
  } catch {
    return []
  }
}

// `crypto.hash` (one-shot, no Hash object) exists from Node 21.7 / 20.12; older Node falls back.
const hasCryptoHash = typeof (crypto as { hash?: unknown }).hash === 'function'
const SHA_PEER = hasCryptoHash ? 'crypto.hash' : 'crypto.createHash'
const cryptoSha256: (data: Buffer) => Buffer = hasCryptoHash
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest()

function machine(): Machine {
  const cpus = os.cpus()
  const envPool = process.env['UV_THREADPOOL_SIZE']
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuFlags: cpuFlags(),
    logicalCpus: cpus.length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    uvThreadpoolSize: envPool === undefined ? 'default 4' : `${envPool} (effective ${POOL})`,
    inFlight: IN_FLIGHT,
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    qrhash: readVersion(path.join(ROOT, 'package.json')),
    qrhashBinding: __napiBindingTarget,
    qrcode: qrcodeVersion(),
    tinybench: readVersion(path.join(ROOT, 'node_modules', 'tinybench', 'package.json')),
    sha256Peer: hasCryptoHash ? 'crypto.hash' : 'crypto.createHash().update().digest() (no crypto.hash on this Node)',
  }
}

// ---------------------------------------------------------------------------------------------
// Results

interface CaseResult {
  suite: string
  name: string
  /** 'tinybench': one call after another, statistics per sample; 'saturated': hand loop, wall time. */
  method: 'tinybench' | 'saturated'
  /** Calls measured (tinybench: samples × batch). */
  calls: number
  /** Promises in flight (saturated cases), else 1. */
  concurrency: number
  opsPerSec: number
  usPerOp: number
  /** Bytes hashed per second / 1e6, for the hash cases. */
  mbPerSec: number | null
  /** Relative margin of error of the per-sample latency, percent (tinybench only). */
  rmePercent: number | null
  /** 99th percentile of per-call latency in µs (tinybench only, unbatched cases). */
  p99Us: number | null
  /** Wall time of the measured loop (saturated cases). */
  wallMs: number | null
  peer: string
  /** This case's throughput / the peer's. */
  ratio: number | null
}

interface LoopResult {
  name: string
  arrival: 'burst' | 'one per loop turn'
  calls: number
  samples: number
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  wallMs: number
  /** The node-qrcode p99 / this p99. */
  p99RatioVsNodeQrcode: number | null
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Spec {
  name: string
  fn: () => unknown
  async: boolean
  /** Calls per tinybench iteration (for sub-µs work, so the timer is not what we measure). */
  batch: number
}

interface Measured {
  name: string
  calls: number
  usPerOp: number
  rmePercent: number
  p99Us: number | null
}

function statsOf(task: Task, batch: number): Measured {
  const r = task.result
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') {
    const detail = r.state === 'errored' ? `: ${r.error.message}` : ''
    throw new Error(`task ${task.name} did not complete (${r.state})${detail}`)
  }
  return {
    name: task.name,
    calls: r.latency.samplesCount * batch,
    // period = totalTime / runs: the mean, not the mean of per-sample rates.
    usPerOp: (r.period * 1000) / batch,
    rmePercent: r.latency.rme,
    p99Us: batch === 1 ? r.latency.p99 * 1000 : null,
  }
}

async function runTinybench(
  specs: Spec[],
  opts: { time: number; warmupTime: number; iterations: number; warmupIterations: number },
): Promise<Map<string, Measured>> {
  const bench = new Bench({ ...opts, throws: true })
  for (const s of specs) bench.add(s.name, s.fn, { async: s.async })
  await bench.run()
  const out = new Map<string, Measured>()
  for (const s of specs) {
    const task = bench.getTask(s.name)
    if (task === undefined) throw new Error(`missing task ${s.name}`)
    out.set(s.name, statsOf(task, s.batch))
  }
  return out
}

/** Keeps `inFlight` calls pending until `ops` calls have resolved; returns the wall time in ms. */
async function saturate(fn: () => Promise<unknown>, inFlight: number, ops: number): Promise<number> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < ops) {
      started++
      await fn()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: Math.min(inFlight, ops) }, worker))
  return performance.now() - t0
}

interface SaturatedMeasured {
  calls: number
  usPerOp: number
  wallMs: number
}

async function measureSaturated(fn: () => Promise<unknown>, ops: number): Promise<SaturatedMeasured> {
  await saturate(fn, IN_FLIGHT, Math.max(IN_FLIGHT, Math.ceil(ops / 10))) // warmup
  const wallMs = await saturate(fn, IN_FLIGHT, ops)
  return { calls: ops, usPerOp: (wallMs * 1000) / ops, wallMs }
}

/** What every row of one table shares. */
interface RowContext {
  suite: string
  peer: string
  /** The peer's µs/op: the ratio is peer µs/op ÷ this row's µs/op. */
  peerUsPerOp: number
  /** Bytes per call (hash cases): gives mbPerSec; without it mbPerSec is null. */
  bytes?: number
}

/** bytes/µs = MB/s. */
function mbPerSec(ctx: RowContext, usPerOp: number): number | null {
  return ctx.bytes === undefined ? null : ctx.bytes / usPerOp
}

/** A `CaseResult` row from a tinybench measurement. */
function tinybenchRow(ctx: RowContext, m: Measured): CaseResult {
  return {
    suite: ctx.suite,
    name: m.name,
    method: 'tinybench',
    calls: m.calls,
    concurrency: 1,
    opsPerSec: 1e6 / m.usPerOp,
    usPerOp: m.usPerOp,
    mbPerSec: mbPerSec(ctx, m.usPerOp),
    rmePercent: m.rmePercent,
    p99Us: m.p99Us,
    wallMs: null,
    peer: ctx.peer,
    ratio: ctx.peerUsPerOp / m.usPerOp,
  }
}

/** A `CaseResult` row from a saturated measurement (`IN_FLIGHT` promises pending). */
function saturatedRow(ctx: RowContext, name: string, s: SaturatedMeasured): CaseResult {
  return {
    suite: ctx.suite,
    name,
    method: 'saturated',
    calls: s.calls,
    concurrency: IN_FLIGHT,
    opsPerSec: 1e6 / s.usPerOp,
    usPerOp: s.usPerOp,
    mbPerSec: mbPerSec(ctx, s.usPerOp),
    rmePercent: null,
    p99Us: null,
    wallMs: s.wallMs,
    peer: ctx.peer,
    ratio: ctx.peerUsPerOp / s.usPerOp,
  }
}

/** The tinybench result of case `name`. */
function measured(tb: Map<string, Measured>, name: string): Measured {
  const m = tb.get(name)
  if (m === undefined) throw new Error(`missing ${name}`)
  return m
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  if (abs >= 1) return n.toFixed(2)
  return n.toFixed(3)
}

function fmtRatio(ratio: number | null, peer: string, isPeer: boolean): string {
  if (isPeer) return `1.00× (peer)`
  if (ratio === null) return '—'
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}× ${peer}`
}

/** A markdown table, padded for the terminal; the first `textColumns` columns align left, the rest right. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`
  const sep = `|${widths.map((w, i) => (i < textColumns ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`
  return [line(header), sep, ...rows.map(line)].join('\n')
}

function sizeLabel(bytes: number): string {
  if (bytes >= MiB) return `${bytes / MiB} MiB`
  if (bytes >= KiB) return `${bytes / KiB} KiB`
  return `${bytes} B`
}

// ---------------------------------------------------------------------------------------------
// Suite 1: QR PNG data URL

async function qrSuite(): Promise<CaseResult[]> {
  const suite = 'qr-png-data-url'
  const peer = 'node-qrcode'
  const qrOpts = { errorCorrectionLevel: QR_LEVEL } as const
  const nodeQr = (): Promise<string> => QRCode.toDataURL(QR_TEXT, qrOpts)

  // Sanity: both sides produce a PNG data URL for the text (not a speed check).
  const ours = createQrSync(QR_TEXT, qrOpts)
  const theirs = await nodeQr()
  const prefix = 'data:image/png;base64,'
  if (!ours.startsWith(prefix) || !theirs.startsWith(prefix)) throw new Error('QR output is not a PNG data URL')
  console.log(
    `QR input ${JSON.stringify(QR_TEXT)}, level ${QR_LEVEL}, defaults otherwise; data URL length: ` +
      `qrhash ${ours.length}, node-qrcode ${theirs.length}${ours === theirs ? ' (identical)' : ''}`,
  )

  const names = {
    peer: 'node-qrcode toDataURL (promise)',
    sync: 'qrhash createQrSync (main thread)',
    async1: 'qrhash createQr (1 in flight)',
    satOurs: `qrhash createQr (${IN_FLIGHT} in flight)`,
    satPeer: `node-qrcode toDataURL (${IN_FLIGHT} in flight)`,
  }
  const tb = await runTinybench(
    [
      { name: names.peer, fn: nodeQr, async: true, batch: 1 },
      { name: names.sync, fn: () => createQrSync(QR_TEXT, qrOpts), async: false, batch: 1 },
      { name: names.async1, fn: () => createQr(QR_TEXT, qrOpts), async: true, batch: 1 },
    ],
    TB,
  )
  const satOurs = await measureSaturated(() => createQr(QR_TEXT, qrOpts), QUICK ? 1500 : 20000)
  const satPeer = await measureSaturated(nodeQr, QUICK ? 100 : 800)

  const ctx: RowContext = { suite, peer, peerUsPerOp: measured(tb, names.peer).usPerOp }
  const results: CaseResult[] = [
    ...[names.peer, names.sync, names.async1].map((key) => tinybenchRow(ctx, measured(tb, key))),
    saturatedRow(ctx, names.satOurs, satOurs),
    saturatedRow(ctx, names.satPeer, satPeer),
  ]

  console.log(`\n## QR code → PNG data URL (${JSON.stringify(QR_TEXT)}, level ${QR_LEVEL})\n`)
  console.log(
    table(
      ['case', 'ops/s', 'µs/op', 'ratio vs peer'],
      results.map((r) => [r.name, fmt(r.opsPerSec), fmt(r.usPerOp), fmtRatio(r.ratio, peer, r.name === names.peer)]),
    ),
  )
  console.log(
    `\n"N in flight" rows: ${IN_FLIGHT} promises kept pending (UV_THREADPOOL_SIZE ${POOL} × 4), ` +
      `µs/op = wall time / calls. node-qrcode makes the QR code and PNG scanlines on the main thread; only ` +
      `its zlib deflate stream runs on the thread pool, so keeping calls in flight overlaps little of its work.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------
// Suite 2: SHA-256

interface ShaSize {
  bytes: number
  /** Calls per tinybench iteration. */
  batch: number
  /** Calls for the saturated async case. */
  saturatedOps: number
  /** Report MB/s (true) or µs/op (false). */
  throughput: boolean
}

const SHA_SIZES: ShaSize[] = [
  { bytes: 64, batch: 256, saturatedOps: QUICK ? 20000 : 200000, throughput: false },
  { bytes: 64 * KiB, batch: 1, saturatedOps: QUICK ? 2000 : 40000, throughput: true },
  { bytes: 64 * MiB, batch: 1, saturatedOps: QUICK ? IN_FLIGHT : 64, throughput: true },
]

async function shaSuite(): Promise<CaseResult[]> {
  const suite = 'sha256'
  const all: CaseResult[] = []
  console.log(`\n## SHA-256 (peer: ${SHA_PEER}(…, 'buffer'); qrhash returns a Buffer too)`)

  for (const size of SHA_SIZES) {
    const data = Buffer.allocUnsafe(size.bytes)
    crypto.randomFillSync(data)
    const label = sizeLabel(size.bytes)

    // Sanity: same digest on both sides (not a speed check).
    const expected = cryptoSha256(data)
    if (!sha256Sync(data).equals(expected) || !(await sha256(data)).equals(expected)) {
      throw new Error(`qrhash sha256 digest differs from node:crypto for ${label}`)
    }

    const names = {
      peer: `${SHA_PEER}`,
      sync: 'qrhash sha256Sync',
      async1: 'qrhash sha256 (1 in flight)',
      sat: `qrhash sha256 (${IN_FLIGHT} in flight)`,
    }
    const b = size.batch
    const loopSync = (f: (d: Buffer) => unknown) => (): void => {
      for (let i = 0; i < b; i++) f(data)
    }
    const loopAsync = async (): Promise<void> => {
      for (let i = 0; i < b; i++) await sha256(data)
    }
    const tb = await runTinybench(
      [
        { name: names.peer, fn: loopSync(cryptoSha256), async: false, batch: b },
        { name: names.sync, fn: loopSync(sha256Sync), async: false, batch: b },
        { name: names.async1, fn: loopAsync, async: true, batch: b },
      ],
      size.bytes >= MiB ? TB_HUGE : TB,
    )
    const sat = await measureSaturated(() => sha256(data), size.saturatedOps)

    const ctx: RowContext = {
      suite: `${suite} ${label}`,
      peer: SHA_PEER,
      peerUsPerOp: measured(tb, names.peer).usPerOp,
      bytes: size.bytes,
    }
    const rows: CaseResult[] = [
      ...[names.peer, names.sync, names.async1].map((key) => tinybenchRow(ctx, measured(tb, key))),
      saturatedRow(ctx, names.sat, sat),
    ]

    console.log(`\n### ${label}\n`)
    console.log(
      table(
        ['case', 'ops/s', size.throughput ? 'MB/s' : 'µs/op', 'ratio vs peer'],
        rows.map((r) => [
          r.name,
          fmt(r.opsPerSec),
          size.throughput ? fmt(r.mbPerSec ?? NaN) : fmt(r.usPerOp),
          fmtRatio(r.ratio, SHA_PEER, r.name === names.peer),
        ]),
      ),
    )
    all.push(...rows)
  }
  console.log(
    `\nMB = 10^6 bytes. ${SHA_SIZES[0]?.bytes ?? 64} B cases run ${SHA_SIZES[0]?.batch ?? 1} calls per tinybench ` +
      `sample. "${IN_FLIGHT} in flight": wall time over a fixed number of calls.`,
  )
  return all
}

// ---------------------------------------------------------------------------------------------
// Suite 3: event-loop delay while QR codes are made

type Arrival = 'burst' | 'one per loop turn'

/** How the calls start: all in one synchronous loop, or one per event-loop turn (back-to-back requests). */
function startCalls(call: () => Promise<unknown>, calls: number, arrival: Arrival): Promise<Promise<unknown>[]> {
  if (arrival === 'burst') return Promise.resolve(Array.from({ length: calls }, () => call()))
  return new Promise((resolve) => {
    const pending: Promise<unknown>[] = []
    const next = (): void => {
      pending.push(call())
      if (pending.length < calls) setImmediate(next)
      else resolve(pending)
    }
    setImmediate(next)
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts `calls` calls, keeps them all pending, waits for all of them, then lets the loop turn
 * for a few more ms (so a delay that ends with the work is still sampled); event-loop delay is
 * sampled every 1 ms throughout.
 */
async function loopDelayDuring(
  call: () => Promise<unknown>,
  calls: number,
  arrival: Arrival,
): Promise<Omit<LoopResult, 'name' | 'p99RatioVsNodeQrcode'>> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  // The histogram records the gap between two of its timer ticks, so the first tick only arms it
  // (and reset() disarms it again): let it tick before the work starts, or a block at the very
  // start is never recorded. Those few idle ticks (~1 ms each) stay in the samples.
  await sleep(5)
  const t0 = performance.now()
  await Promise.all(await startCalls(call, calls, arrival))
  const wallMs = performance.now() - t0
  await sleep(5)
  h.disable()
  const has = h.count > 0
  return {
    arrival,
    calls,
    samples: h.count,
    p50Ms: has ? h.percentile(50) / 1e6 : null,
    p99Ms: has ? h.percentile(99) / 1e6 : null,
    maxMs: has ? h.max / 1e6 : null,
    wallMs,
  }
}

async function loopSuite(): Promise<LoopResult[]> {
  const qrOpts = { errorCorrectionLevel: QR_LEVEL } as const
  const peerName = 'node-qrcode toDataURL'
  const cases: [string, () => Promise<unknown>][] = [
    [peerName, () => QRCode.toDataURL(QR_TEXT, qrOpts)],
    ['qrhash createQr', () => createQr(QR_TEXT, qrOpts)],
  ]
  // Warm both paths so JIT compilation is not what we see.
  for (const [, call] of cases) for (let i = 0; i < 20; i++) await call()

  const results: LoopResult[] = []
  for (const arrival of ['burst', 'one per loop turn'] as const) {
    const rows: LoopResult[] = []
    for (const [name, call] of cases) {
      rows.push({ name, ...(await loopDelayDuring(call, LOOP_CALLS, arrival)), p99RatioVsNodeQrcode: null })
    }
    const peerP99 = rows.find((r) => r.name === peerName)?.p99Ms ?? null
    for (const r of rows) {
      r.p99RatioVsNodeQrcode = peerP99 !== null && r.p99Ms !== null && r.p99Ms > 0 ? peerP99 / r.p99Ms : null
    }
    results.push(...rows)
  }

  console.log(`\n## Event-loop delay while ${LOOP_CALLS} QR data URLs are made\n`)
  const ms = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2))
  console.log(
    table(
      ['arrival', 'case', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'wall ms', 'peer p99 ÷ this p99'],
      results.map((r) => [
        r.arrival,
        r.name,
        String(r.samples),
        ms(r.p50Ms),
        ms(r.p99Ms),
        ms(r.maxMs),
        fmt(r.wallMs),
        r.name === peerName ? '1.00× (peer)' : r.p99RatioVsNodeQrcode === null ? '—' : `${fmt(r.p99RatioVsNodeQrcode)}×`,
      ]),
      2,
    ),
  )
  console.log(
    `\nburst: all ${LOOP_CALLS} calls started in one synchronous loop; one per loop turn: each call started ` +
      `from its own setImmediate. All stay pending until done. Delay = perf_hooks.monitorEventLoopDelay ` +
      `(1 ms resolution) from 5 ms before the first call until 5 ms after the last resolves; "wall ms" = first start to last ` +
      `resolve. With few samples, p99 is close to max.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now()
  const m = machine()
  console.log(`# qrhash benchmark (${MODE} run)\n`)
  console.log(`- CPU: ${m.cpuModel}`)
  console.log(`- CPU flags: ${m.cpuFlags.length > 0 ? m.cpuFlags.join(' ') : 'none of sha_ni/avx2/avx512f (or no /proc/cpuinfo)'}`)
  console.log(`- cores: ${m.logicalCpus} logical (availableParallelism ${m.availableParallelism})`)
  console.log(`- UV_THREADPOOL_SIZE: ${m.uvThreadpoolSize}; saturating cases keep ${m.inFlight} promises in flight`)
  console.log(`- Node ${m.node} (${m.platform})`)
  console.log(`- qrhash ${m.qrhash} (binding: ${m.qrhashBinding}), qrcode ${m.qrcode}, tinybench ${m.tinybench}`)
  console.log(`- SHA-256 peer: ${m.sha256Peer}\n`)

  const qr = await qrSuite()
  const sha = await shaSuite()
  const loop = await loopSuite()

  const seconds = (performance.now() - started) / 1000
  const shown = path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE
  if (QUICK) {
    // results.json holds full runs only.
    console.log(`\nLeft ${shown} unchanged (${MODE} run, ${seconds.toFixed(1)} s; only a full run writes it).`)
    return
  }
  const report = {
    generatedAt: new Date().toISOString(),
    mode: MODE,
    durationSeconds: Number(seconds.toFixed(2)),
    machine: m,
    settings: { tinybench: TB, tinybenchHuge: TB_HUGE, inFlight: IN_FLIGHT, qrText: QR_TEXT, qrLevel: QR_LEVEL, loopCalls: LOOP_CALLS },
    cases: [...qr, ...sha],
    eventLoop: loop,
  }
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nWrote ${shown} (${MODE} run, ${seconds.toFixed(1)} s).`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
