// qrhash benchmarks: qrhash and its peers side by side, on the same inputs, in one process.
//
//   npm run bench              full run (about 90 s on 2 cores)
//   npm run bench -- --quick   short run (about 8 s, no memory suite), for smoke-testing
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

import { hashInto } from '@chainsafe/hashtree'
import { createSHA256 } from 'hash-wasm'
import encodeQR from 'qr'
import QRCode from 'qrcode'

import { Piscina } from 'piscina'
import { Bench } from 'tinybench'
import type { Task } from 'tinybench'

import * as exported from '../index.js'
import type { WithInternals } from '../__test__/helpers/internal.js'

/** The package, with the internal `__napiBindingTarget` (which build loaded) typed. */
const qrhash = exported as WithInternals
import { render as renderReport } from './report.js'

// ---------------------------------------------------------------------------------------------
// Settings

const QUICK = process.argv.slice(2).includes('--quick')
const MODE: 'quick' | 'full' = QUICK ? 'quick' : 'full'

const QR_TEXT = 'https://example.com/'
const QR_LEVEL = 'M'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

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
/** Cores this process may use: a case's ns per item per core is its wall ns × min(threads, CORES). */
const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length

interface TinybenchOptions {
  time: number
  warmupTime: number
  iterations: number
  warmupIterations: number
}

/** tinybench settings for ordinary cases (per task: time budget, then a minimum iteration count). */
const TB: TinybenchOptions = QUICK
  ? { time: 100, warmupTime: 25, iterations: 16, warmupIterations: 4 }
  : { time: 1000, warmupTime: 250, iterations: 64, warmupIterations: 16 }

/** tinybench settings for the 64 MiB hashes (~30 ms per call): few iterations, no long warmup. */
const TB_HUGE: TinybenchOptions = QUICK
  ? { time: 0, warmupTime: 0, iterations: 2, warmupIterations: 1 }
  : { time: 1000, warmupTime: 100, iterations: 8, warmupIterations: 2 }

/** tinybench settings for whole batches, chains and trees (a JS loop over them takes up to ~2 s). */
const TB_HEAVY: TinybenchOptions = QUICK
  ? { time: 0, warmupTime: 0, iterations: 2, warmupIterations: 1 }
  : { time: 500, warmupTime: 0, iterations: 3, warmupIterations: 1 }

/** Event-loop suite: calls per library. */
const LOOP_CALLS = 200

/** Batch and Merkle suites: 64-byte records (leaves). */
const RECORDS = QUICK ? 1 << 14 : 1 << 20
const RECORD_SIZE = 64
/** Hash-chain suite: rounds after the first hash. */
const CHAIN_ROUNDS = QUICK ? 20_000 : 500_000
/** sha256Many suite: messages of MANY_BYTES each. */
const MANY_MESSAGES = QUICK ? 1000 : 10_000
const MANY_BYTES = KiB
/** Memory suite (full run only): a SharedArrayBuffer hashed in place, and a sparse file. */
const MEMORY_SAB_BYTES = GiB
const MEMORY_FILE_BYTES = 2 * GiB

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

/** The installed version of package `name` (resolved as Node would, else from ./node_modules). */
function packageVersion(name: string): string {
  try {
    return readVersion(createRequire(import.meta.url).resolve(`${name}/package.json`))
  } catch {
    return readVersion(path.join(ROOT, 'node_modules', name, 'package.json'))
  }
}

// ---------------------------------------------------------------------------------------------
// Machine

interface Machine {
  cpuModel: string
  cpuFlags: string[]
  /** The SHA-256 instructions the CPU offers qrhash's `sha2` crate (it picks them at run time). */
  sha256Backend: string
  logicalCpus: number
  availableParallelism: number
  uvThreadpoolSize: string
  inFlight: number
  platform: string
  node: string
  qrhash: string
  qrhashBinding: string
  qrcode: string
  qr: string
  tinybench: string
  hashWasm: string
  hashtree: string
  sha256Peer: string
}

/** The flags that matter here from /proc/cpuinfo (x86 `flags`, Arm `Features`); null without it. */
function cpuFlags(): string[] | null {
  let info: string
  try {
    info = fs.readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    return null
  }
  const line = info.split('\n').find((l) => l.startsWith('flags') || l.startsWith('Features'))
  if (line === undefined) return []
  const flags = new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/))
  return ['sha_ni', 'sha2', 'avx2', 'avx512f'].filter((f) => flags.has(f))
}

function sha256Backend(flags: string[] | null): string {
  if (qrhash.__napiBindingTarget !== 'native') return 'portable code (WASI build: WebAssembly has no SHA instructions)'
  if (flags === null) return 'unknown (no /proc/cpuinfo)'
  if (flags.includes('sha_ni')) return 'SHA-NI'
  if (flags.includes('sha2')) return 'ARMv8 SHA-2 instructions'
  return 'portable code (no SHA-NI or ARMv8 SHA-2 in /proc/cpuinfo)'
}

// `crypto.hash` (one-shot, no Hash object) exists from Node 21.7 / 20.12; older Node falls back.
const hasCryptoHash = typeof (crypto as { hash?: unknown }).hash === 'function'
const SHA_PEER = hasCryptoHash ? 'crypto.hash' : 'crypto.createHash'
const cryptoSha256: (data: Uint8Array) => Buffer = hasCryptoHash
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest()

function machine(): Machine {
  const cpus = os.cpus()
  const envPool = process.env['UV_THREADPOOL_SIZE']
  const flags = cpuFlags()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuFlags: flags ?? [],
    sha256Backend: sha256Backend(flags),
    logicalCpus: cpus.length,
    availableParallelism: CORES,
    uvThreadpoolSize: envPool === undefined ? 'default 4' : `${envPool} (effective ${POOL})`,
    inFlight: IN_FLIGHT,
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    qrhash: readVersion(path.join(ROOT, 'package.json')),
    qrhashBinding: qrhash.__napiBindingTarget,
    qrcode: packageVersion('qrcode'),
    qr: packageVersion('qr'),
    tinybench: packageVersion('tinybench'),
    hashWasm: packageVersion('hash-wasm'),
    hashtree: packageVersion('@chainsafe/hashtree'),
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
  /** Threads the case keeps busy: 1 on the main thread or for one pool task at a time. */
  threads: number
  opsPerSec: number
  usPerOp: number
  /** Bytes hashed per second / 1e6, for the hash cases. */
  mbPerSec: number | null
  /** Work items per call (records, rounds, messages, leaves), for the cases that take many. */
  items: number | null
  /** Wall time per item, in ns. */
  nsPerItem: number | null
  /** nsPerItem × min(threads, cores): what one item costs a core. */
  nsPerItemPerCore: number | null
  /** Relative margin of error of the per-sample latency, percent (tinybench only). */
  rmePercent: number | null
  /** 99th percentile of per-call latency in µs (tinybench only, unbatched cases). */
  p99Us: number | null
  /** Wall time of the measured loop (saturated cases). */
  wallMs: number | null
  /** Throughput ratio against each peer row of the table, by peer name: peer µs/op ÷ this µs/op. */
  ratios: Record<string, number>
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

interface MemoryResult {
  name: string
  input: string
  bytes: number
  wallMs: number
  mbPerSec: number
  /** RSS just before the call. */
  rssBeforeMiB: number
  /** Highest RSS sampled (every ms) while the call was pending, minus rssBeforeMiB. */
  rssGrowthMiB: number
  rssSamples: number
  /** This MB/s ÷ the peer row's, where the input has a peer. */
  ratioVsPeer: number | null
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Spec {
  name: string
  fn: () => unknown
  async: boolean
  /** Calls per tinybench iteration (for sub-µs work, so the timer is not what we measure). Default 1. */
  batch?: number
  /** Threads one call keeps busy. Default 1. */
  threads?: number
}

interface Measured {
  name: string
  method: CaseResult['method']
  calls: number
  usPerOp: number
  rmePercent: number | null
  p99Us: number | null
  wallMs: number | null
  inFlight: number
  threads: number
}

function statsOf(task: Task, spec: Spec): Measured {
  const r = task.result
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') {
    const detail = r.state === 'errored' ? `: ${r.error.message}` : ''
    throw new Error(`task ${task.name} did not complete (${r.state})${detail}`)
  }
  const batch = spec.batch ?? 1
  return {
    name: task.name,
    method: 'tinybench',
    calls: r.latency.samplesCount * batch,
    // period = totalTime / runs: the mean, not the mean of per-sample rates.
    usPerOp: (r.period * 1000) / batch,
    rmePercent: r.latency.rme,
    p99Us: batch === 1 ? r.latency.p99 * 1000 : null,
    wallMs: null,
    inFlight: 1,
    threads: spec.threads ?? 1,
  }
}

/** Runs `specs` one after another; the results keep their order. */
async function runTinybench(specs: Spec[], opts: TinybenchOptions): Promise<Measured[]> {
  const bench = new Bench({ ...opts, throws: true })
  for (const s of specs) bench.add(s.name, s.fn, { async: s.async })
  await bench.run()
  return specs.map((s) => {
    const task = bench.getTask(s.name)
    if (task === undefined) throw new Error(`missing task ${s.name}`)
    return statsOf(task, s)
  })
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

/** A hand-timed case: `ops` calls of `fn` with `inFlight` of them pending at any time. */
interface SaturatedSpec {
  name: string
  fn: () => Promise<unknown>
  ops: number
  /** Default IN_FLIGHT. */
  inFlight?: number
}

/** A tenth of the calls as warmup (at least one round), then the timed loop. */
async function measureSaturated(s: SaturatedSpec): Promise<Measured> {
  const inFlight = s.inFlight ?? IN_FLIGHT
  await saturate(s.fn, inFlight, Math.max(inFlight, Math.ceil(s.ops / 10)))
  const wallMs = await saturate(s.fn, inFlight, s.ops)
  return {
    name: s.name,
    method: 'saturated',
    calls: s.ops,
    usPerOp: (wallMs * 1000) / s.ops,
    rmePercent: null,
    p99Us: null,
    wallMs,
    inFlight,
    threads: Math.min(POOL, inFlight),
  }
}

/** A row the others of its table are compared with: its case name, and how the table labels it. */
interface PeerRef {
  name: string
  label: string
}

/** What every row of one table shares. */
interface RowContext {
  suite: string
  /** The peer rows, with their µs/op: each row's ratios are peer µs/op ÷ its µs/op. */
  peers: (PeerRef & { usPerOp: number })[]
  /** Bytes per call (hash cases): gives mbPerSec. */
  bytes?: number
  /** Items per call: gives nsPerItem. */
  items?: number
}

/** A `CaseResult` row from a measurement. */
function caseRow(ctx: RowContext, m: Measured): CaseResult {
  const nsPerItem = ctx.items === undefined ? null : (m.usPerOp * 1000) / ctx.items
  return {
    suite: ctx.suite,
    name: m.name,
    method: m.method,
    calls: m.calls,
    concurrency: m.inFlight,
    threads: m.threads,
    opsPerSec: 1e6 / m.usPerOp,
    usPerOp: m.usPerOp,
    mbPerSec: ctx.bytes === undefined ? null : ctx.bytes / m.usPerOp, // bytes/µs = MB/s
    items: ctx.items ?? null,
    nsPerItem,
    nsPerItemPerCore: nsPerItem === null ? null : nsPerItem * Math.min(m.threads, CORES),
    rmePercent: m.rmePercent,
    p99Us: m.p99Us,
    wallMs: m.wallMs,
    ratios: Object.fromEntries(ctx.peers.map((p) => [p.name, p.usPerOp / m.usPerOp])),
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmt(n: number | null): string {
  if (n === null) return '—'
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  if (abs >= 1) return n.toFixed(2)
  return n.toFixed(3)
}

function fmtRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '—'
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`
}

/** One column of a table: its header, and its cell for a row. */
type Column<R = CaseResult> = [header: string, cell: (r: R) => string]

/**
 * A markdown table of `rows`, padded for the terminal; the first `textColumns` columns align left,
 * the rest right.
 */
function table<R>(rows: R[], columns: Column<R>[], textColumns = 1): string {
  const header = columns.map(([h]) => h)
  const cells = rows.map((r) => columns.map(([, cell]) => cell(r)))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`
  const sep = `|${widths.map((w, i) => (i < textColumns ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`
  return [line(header), sep, ...cells.map(line)].join('\n')
}

function sizeLabel(bytes: number): string {
  if (bytes >= GiB) return `${bytes / GiB} GiB`
  if (bytes >= MiB) return `${bytes / MiB} MiB`
  if (bytes >= KiB) return `${bytes / KiB} KiB`
  return `${bytes} B`
}

// Columns every table that has the field shares.
const CASE_NAME: Column<{ name: string }> = ['case', (r) => r.name]
const WALL_MS: Column<{ wallMs: number | null }> = ['wall ms', (r) => fmt(r.wallMs)]
const MB_PER_SEC: Column<{ mbPerSec: number | null }> = ['MB/s', (r) => fmt(r.mbPerSec)]

const OPS_PER_SEC: Column = ['ops/s', (r) => fmt(r.opsPerSec)]
const US_PER_OP: Column = ['µs/op', (r) => fmt(r.usPerOp)]
const THREADS: Column = ['threads', (r) => String(r.threads)]
const IN_FLIGHT_COLUMN: Column = ['in flight', (r) => String(r.concurrency)]
const msPerOp = (unit: string): Column => [`ms/${unit}`, (r) => fmt(r.usPerOp / 1000)]
const nsPerItem = (unit: string): Column => [`ns/${unit}`, (r) => fmt(r.nsPerItem)]
const nsPerItemPerCore = (unit: string): Column => [`ns/${unit}/core`, (r) => fmt(r.nsPerItemPerCore)]
const ratioVs = (peer: PeerRef): Column => [
  `ratio vs ${peer.label}`,
  (r) => (r.name === peer.name ? '1.00× (peer)' : fmtRatio(r.ratios[peer.name])),
]

// ---------------------------------------------------------------------------------------------
// One table: rows measured side by side, compared with the table's peers

interface Comparison {
  suite: string
  /** The markdown heading printed above the table. */
  heading: string
  /** tinybench rows, in table order. */
  specs: Spec[]
  opts: TinybenchOptions
  /** Hand-timed rows (N calls in flight), after the tinybench rows. */
  saturated?: SaturatedSpec[]
  /** Rows the others are compared with; each gets a ratio column. */
  peers: PeerRef[]
  bytes?: number
  items?: number
  /** The columns between the case name and the ratio columns. */
  columns: Column[]
}

async function compare(c: Comparison): Promise<CaseResult[]> {
  const all = await runTinybench(c.specs, c.opts)
  for (const s of c.saturated ?? []) all.push(await measureSaturated(s))

  const peers = c.peers.map((p) => {
    const m = all.find((x) => x.name === p.name)
    if (m === undefined) throw new Error(`peer ${p.name} is not a row of ${c.suite}`)
    return { ...p, usPerOp: m.usPerOp }
  })
  const ctx: RowContext = { suite: c.suite, peers, bytes: c.bytes, items: c.items }
  const rows = all.map((m) => caseRow(ctx, m))

  const columns: Column[] = [CASE_NAME, ...c.columns, ...c.peers.map(ratioVs)]
  console.log(`\n${c.heading}\n`)
  console.log(table(rows, columns))
  return rows
}

/** Throws unless `actual` holds exactly the bytes of `expected` (a sanity check, not a speed check). */
function assertSameBytes(what: string, actual: Uint8Array | ArrayBuffer, expected: Uint8Array): void {
  const bytes = actual instanceof Uint8Array ? actual : new Uint8Array(actual)
  if (Buffer.compare(bytes, expected) !== 0) throw new Error(`${what}: output differs from node:crypto's`)
}

function randomBytes(n: number): Buffer {
  const data = Buffer.allocUnsafe(n)
  crypto.randomFillSync(data)
  return data
}

/** Calls `f` `times` times, one after another: one tinybench iteration of a batched case. */
const repeatSync =
  (times: number, f: () => unknown) =>
  (): void => {
    for (let i = 0; i < times; i++) f()
  }
const repeatAsync =
  (times: number, f: () => Promise<unknown>) =>
  async (): Promise<void> => {
    for (let i = 0; i < times; i++) await f()
  }

// ---------------------------------------------------------------------------------------------
// Suite 1: QR PNG data URL

async function qrSuite(): Promise<CaseResult[]> {
  const qrOpts = { errorCorrectionLevel: QR_LEVEL } as const
  const nodeQr = (): Promise<string> => QRCode.toDataURL(QR_TEXT, qrOpts)

  // Sanity: both sides produce a PNG data URL for the text (not a speed check).
  const ours = qrhash.createQrSync(QR_TEXT, qrOpts)
  const theirs = await nodeQr()
  const prefix = 'data:image/png;base64,'
  if (!ours.startsWith(prefix) || !theirs.startsWith(prefix)) throw new Error('QR output is not a PNG data URL')
  console.log(
    `QR input ${JSON.stringify(QR_TEXT)}, level ${QR_LEVEL}, defaults otherwise; data URL length: ` +
      `qrhash ${ours.length}, node-qrcode ${theirs.length}${ours === theirs ? ' (identical)' : ''}`,
  )

  // The other usual fix: node-qrcode on worker threads, as many as libuv's pool has.
  const pool = new Piscina({
    filename: new URL('../examples/qr-service/qrcode-worker.mjs', import.meta.url).href,
    minThreads: POOL,
    maxThreads: POOL,
  })
  const inPool = (): Promise<string> => pool.run({ text: QR_TEXT, format: 'dataurl' })
  if ((await inPool()) !== theirs) throw new Error('node-qrcode in piscina draws a different code')

  const peer = { name: 'node-qrcode toDataURL (promise)', label: 'node-qrcode' }
  const results = await compare({
    suite: 'qr-png-data-url',
    heading: `## QR code → PNG data URL (${JSON.stringify(QR_TEXT)}, level ${QR_LEVEL})`,
    specs: [
      { name: peer.name, fn: nodeQr, async: true },
      { name: 'qrhash createQrSync (main thread)', fn: () => qrhash.createQrSync(QR_TEXT, qrOpts), async: false },
      { name: 'qrhash createQr (1 in flight)', fn: () => qrhash.createQr(QR_TEXT, qrOpts), async: true },
    ],
    opts: TB,
    saturated: [
      { name: `qrhash createQr (${IN_FLIGHT} in flight)`, fn: () => qrhash.createQr(QR_TEXT, qrOpts), ops: QUICK ? 1500 : 20000 },
      { name: `node-qrcode toDataURL (${IN_FLIGHT} in flight)`, fn: nodeQr, ops: QUICK ? 100 : 800 },
      { name: `node-qrcode in piscina, ${POOL} threads (${IN_FLIGHT} in flight)`, fn: inPool, ops: QUICK ? 100 : 1600 },
    ],
    peers: [peer, { name: `node-qrcode in piscina, ${POOL} threads (${IN_FLIGHT} in flight)`, label: 'piscina' }],
    columns: [OPS_PER_SEC, US_PER_OP],
  })
  await pool.destroy()
  console.log(
    `\n"N in flight" rows: ${IN_FLIGHT} promises kept pending (UV_THREADPOOL_SIZE ${POOL} × 4), ` +
      `µs/op = wall time / calls. node-qrcode makes the QR code and PNG scanlines on the main thread; only ` +
      `its zlib deflate stream runs on the thread pool, so keeping calls in flight overlaps little of its work.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------
// Suites 1b–1e: encoders compared on several inputs and levels

/** Inputs from the QR issue: a short URL, a 46-character URL, 500 characters of text. */
const QR_INPUTS: Array<[string, string]> = [
  ['20-char URL', QR_TEXT],
  ['46-char URL', 'https://shop.example.com/orders/2026/11/A7F3Q9'],
  ['500 chars', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(9).slice(0, 500)],
]
const QR_LEVELS = ['M', 'H'] as const
/** The largest payload a QR code holds: 2 953 bytes at version 40-L. */
const QR_V40 = crypto.createHash('sha256').update('v40').digest('hex').repeat(47).slice(0, 2953)

const qrEcc = { M: 'medium', H: 'high', L: 'low' } as const

/** Calls per tinybench sample in the create() suite, as for the small hashes. */
const CREATE_BATCH = 16

/** create(): the module matrix, with version, mask and segments chosen. */
async function qrCreateSuite(): Promise<CaseResult[]> {
  const rows: CaseResult[] = []
  for (const [label, text] of QR_INPUTS) {
    for (const level of QR_LEVELS) {
      // Sanity: qrhash and node-qrcode choose the same version (not a speed check). qr may
      // choose a larger one: it does not mix segment modes.
      const ours = qrhash.createSync(text, { errorCorrectionLevel: level })
      const theirs = QRCode.create(text, { errorCorrectionLevel: level })
      const qrSize = encodeQR(text, 'raw', { ecc: qrEcc[level] }).length
      if (ours.size !== theirs.modules.size) {
        throw new Error(`${label} ${level}: sizes differ (${ours.size}, ${theirs.modules.size})`)
      }
      const qrPeer = { name: `qr encodeQR raw (${label}, ${level})`, label: 'qr' }
      const nodePeer = { name: `node-qrcode create (${label}, ${level})`, label: 'node-qrcode' }
      rows.push(
        ...(await compare({
          suite: `qr-create ${label} ${level}`,
          heading:
            `## create(): ${label}, level ${level} (version ${ours.version}` +
            `${qrSize === ours.size ? '' : `; qr makes version ${(qrSize - 17) / 4}`})`,
          // A few µs a call: CREATE_BATCH calls per sample keep the timer's own cost out.
          specs: [
            { name: nodePeer.name, fn: repeatSync(CREATE_BATCH, () => QRCode.create(text, { errorCorrectionLevel: level })), async: false, batch: CREATE_BATCH },
            { name: qrPeer.name, fn: repeatSync(CREATE_BATCH, () => encodeQR(text, 'raw', { ecc: qrEcc[level] })), async: false, batch: CREATE_BATCH },
            {
              name: `qrhash createSync (${label}, ${level})`,
              fn: repeatSync(CREATE_BATCH, () => qrhash.createSync(text, { errorCorrectionLevel: level })),
              async: false,
              batch: CREATE_BATCH,
            },
          ],
          opts: TB,
          peers: [qrPeer, nodePeer],
          columns: [OPS_PER_SEC, US_PER_OP],
        })),
      )
    }
  }
  return rows
}

/** PNG data URLs and SVG strings on the same inputs, and the largest code there is. */
async function qrRenderSuite(): Promise<CaseResult[]> {
  const rows: CaseResult[] = []
  const cases: Array<[string, string, 'L' | 'M' | 'H']> = [
    ...QR_INPUTS.flatMap(([label, text]) => QR_LEVELS.map((level): [string, string, 'L' | 'M' | 'H'] => [label, text, level])),
    ['2 953 bytes (version 40)', QR_V40, 'L'],
  ]
  for (const [label, text, level] of cases) {
    const opts = { errorCorrectionLevel: level } as const
    const nodePeer = { name: `node-qrcode toDataURL (${label}, ${level})`, label: 'node-qrcode' }
    const heavy = text.length > 1000
    rows.push(
      ...(await compare({
        suite: `qr-data-url ${label} ${level}`,
        heading: `## toDataURL (PNG): ${label}, level ${level}`,
        specs: [
          { name: nodePeer.name, fn: () => QRCode.toDataURL(text, opts), async: true },
          { name: `qrhash toDataURLSync (${label}, ${level})`, fn: () => qrhash.toDataURLSync(text, opts), async: false },
        ],
        opts: heavy ? TB_HEAVY : TB,
        saturated: [
          { name: `qrhash toDataURL ${IN_FLIGHT} in flight (${label}, ${level})`, fn: () => qrhash.toDataURL(text, opts), ops: QUICK ? 200 : heavy ? 2000 : 10000 },
        ],
        peers: [nodePeer],
        columns: [OPS_PER_SEC, US_PER_OP],
      })),
    )
    if (heavy) continue
    const svgPeer = { name: `node-qrcode toString svg (${label}, ${level})`, label: 'node-qrcode' }
    const qrSvgPeer = { name: `qr svg (${label}, ${level})`, label: 'qr' }
    rows.push(
      ...(await compare({
        suite: `qr-svg ${label} ${level}`,
        heading: `## toString SVG: ${label}, level ${level}`,
        specs: [
          { name: svgPeer.name, fn: () => QRCode.toString(text, { ...opts, type: 'svg' }), async: true },
          { name: qrSvgPeer.name, fn: () => encodeQR(text, 'svg', { ecc: qrEcc[level] }), async: false },
          { name: `qrhash toStringSync svg (${label}, ${level})`, fn: () => qrhash.toStringSync(text, { ...opts, type: 'svg' }), async: false },
        ],
        opts: TB,
        peers: [svgPeer, qrSvgPeer],
        columns: [OPS_PER_SEC, US_PER_OP],
      })),
    )
  }
  return rows
}

/** Many codes at once: one createQrBatch call against N promises and a sync loop. */
async function qrBatchSuite(): Promise<CaseResult[]> {
  const count = QUICK ? 200 : 2000
  const texts = Array.from({ length: count }, (_, i) => `https://example.com/item/${i}`)
  const check = await qrhash.createQrBatch(texts)
  if (check.length !== count || check[7] !== qrhash.createQrSync(texts[7]!)) throw new Error('createQrBatch differs from createQrSync')
  const loopPeer = { name: `qrhash createQrSync loop (${count} codes)`, label: 'sync loop' }
  const nodePeer = { name: `node-qrcode toDataURL loop (${count} codes)`, label: 'node-qrcode' }
  return compare({
    suite: 'qr-batch',
    heading: `## ${count} codes in one call: createQrBatch`,
    specs: [
      { name: nodePeer.name, fn: async () => { for (const text of texts) await QRCode.toDataURL(text) }, async: true },
      { name: loopPeer.name, fn: () => texts.map((text) => qrhash.createQrSync(text)), async: false },
      { name: `qrhash Promise.all(createQr) (${count} codes)`, fn: () => Promise.all(texts.map((text) => qrhash.createQr(text))), async: true },
      { name: `qrhash createQrBatch (${count} codes)`, fn: () => qrhash.createQrBatch(texts), async: true, threads: POOL },
    ],
    opts: TB_HEAVY,
    peers: [loopPeer, nodePeer],
    items: count,
    columns: [US_PER_OP, nsPerItem('code')],
  })
}

// ---------------------------------------------------------------------------------------------
// Suite 2: SHA-256 of one message

interface ShaSize {
  bytes: number
  /** Calls per tinybench iteration. */
  batch: number
  /** Calls for the saturated async case. */
  saturatedOps: number
}

const SHA_SIZES: ShaSize[] = [
  { bytes: 64, batch: 256, saturatedOps: QUICK ? 20000 : 200000 },
  { bytes: KiB, batch: 32, saturatedOps: QUICK ? 20000 : 200000 },
  { bytes: 64 * KiB, batch: 1, saturatedOps: QUICK ? 2000 : 40000 },
  { bytes: 64 * MiB, batch: 1, saturatedOps: QUICK ? IN_FLIGHT : 64 },
]

/** Concurrent 64 MiB calls in the scaling table. */
const CONCURRENT_CALLS = 8

const SHA_PEER_REF: PeerRef = { name: SHA_PEER, label: SHA_PEER }

async function shaSuite(): Promise<CaseResult[]> {
  const all: CaseResult[] = []
  console.log(`\n## SHA-256 of one message (peer: ${SHA_PEER}(…, 'buffer'); qrhash returns a Buffer too)`)
  const hasher = await createSHA256()
  const hashWasm = (data: Uint8Array): Uint8Array => hasher.init().update(data).digest('binary')
  const createHash = (data: Uint8Array): Buffer => crypto.createHash('sha256').update(data).digest()
  const subtle = (data: Uint8Array): Promise<ArrayBuffer> => crypto.webcrypto.subtle.digest('SHA-256', data)

  let largest: Buffer = Buffer.alloc(0)
  for (const size of SHA_SIZES) {
    const data = randomBytes(size.bytes)
    const label = sizeLabel(size.bytes)

    // Sanity: the same digest from every side (not a speed check).
    const expected = cryptoSha256(data)
    assertSameBytes(`qrhash sha256Sync, ${label}`, qrhash.sha256Sync(data), expected)
    assertSameBytes(`qrhash sha256, ${label}`, await qrhash.sha256(data), expected)
    assertSameBytes(`createHash, ${label}`, createHash(data), expected)
    assertSameBytes(`crypto.subtle.digest, ${label}`, await subtle(data), expected)
    assertSameBytes(`hash-wasm, ${label}`, hashWasm(data), expected)

    const b = size.batch
    const specs: Spec[] = [
      { name: SHA_PEER, fn: repeatSync(b, () => cryptoSha256(data)), async: false, batch: b },
      ...(hasCryptoHash
        ? [{ name: 'crypto.createHash().update().digest()', fn: repeatSync(b, () => createHash(data)), async: false, batch: b }]
        : []),
      { name: 'crypto.subtle.digest (1 in flight)', fn: repeatAsync(b, () => subtle(data)), async: true, batch: b },
      { name: 'hash-wasm createSHA256 init/update/digest', fn: repeatSync(b, () => hashWasm(data)), async: false, batch: b },
      { name: 'qrhash sha256Sync', fn: repeatSync(b, () => qrhash.sha256Sync(data)), async: false, batch: b },
      { name: 'qrhash sha256 (1 in flight)', fn: repeatAsync(b, () => qrhash.sha256(data)), async: true, batch: b },
    ]
    all.push(
      ...(await compare({
        suite: `sha256 ${label}`,
        heading: `### ${label}`,
        specs,
        opts: size.bytes >= MiB ? TB_HUGE : TB,
        saturated: [{ name: `qrhash sha256 (${IN_FLIGHT} in flight)`, fn: () => qrhash.sha256(data), ops: size.saturatedOps }],
        peers: [SHA_PEER_REF],
        bytes: size.bytes,
        columns: [OPS_PER_SEC, US_PER_OP, MB_PER_SEC],
      })),
    )
    largest = data
  }
  console.log(
    `\nMB = 10^6 bytes. Calls per tinybench sample: ` +
      `${SHA_SIZES.map((s) => `${s.batch} for ${sizeLabel(s.bytes)}`).join(', ')}. crypto.subtle.digest copies ` +
      `its input before hashing it on the thread pool; hash-wasm copies it into WebAssembly memory. ` +
      `"${IN_FLIGHT} in flight": wall time over a fixed number of calls.`,
  )

  const label = sizeLabel(largest.length)
  const oneCall = { name: 'qrhash sha256, one call at a time', label: 'one call' }
  all.push(
    ...(await compare({
      suite: `sha256 ${label} × ${CONCURRENT_CALLS} concurrent`,
      heading: `### ${CONCURRENT_CALLS} concurrent ${label} calls: aggregate vs one call`,
      specs: [{ name: oneCall.name, fn: () => qrhash.sha256(largest), async: true }],
      opts: TB_HUGE,
      saturated: [
        {
          name: `qrhash sha256, ${CONCURRENT_CALLS} concurrent (aggregate)`,
          fn: () => qrhash.sha256(largest),
          ops: CONCURRENT_CALLS * (QUICK ? 1 : 4),
          inFlight: CONCURRENT_CALLS,
        },
      ],
      peers: [oneCall],
      bytes: largest.length,
      columns: [THREADS, IN_FLIGHT_COLUMN, MB_PER_SEC],
    })),
  )
  console.log(
    `\nAggregate MB/s = bytes of all calls / wall time, with ${CONCURRENT_CALLS} calls pending at any time on a pool of ` +
      `${POOL} threads and ${CORES} cores: perfect scaling is a ratio of min(${POOL}, ${CORES}) = ${Math.min(POOL, CORES)}.`,
  )
  return all
}

// ---------------------------------------------------------------------------------------------
// Suites 3–6: many hashes per call (records, a chain, many messages, a Merkle tree)

/** hashtree's contract: the SHA-256 of each 64-byte chunk of `input`, 32 bytes each, in order into `output`. */
type Hash64Into = (input: Uint8Array, output: Uint8Array) => void

/** The JS peer of hashInto: one `crypto.hash` per 64-byte chunk, each digest copied into `output`. */
const cryptoHash64Into: Hash64Into = (input, output) => {
  const n = input.length / 64
  for (let i = 0; i < n; i++) output.set(cryptoSha256(input.subarray(i * 64, i * 64 + 64)), i * 32)
}

/**
 * The Merkle root of `leaves`' 64-byte records, level by level, as sha256MerkleRoot defines it: a
 * level with an odd count pairs its last digest with itself. Each level is hashed by `hashInto`
 * (the records into digests, then each 64-byte pair of digests into its parent).
 */
function merkleRoot(leaves: Uint8Array, hash: Hash64Into): Buffer {
  let n = leaves.length / 64
  // Each level has 32 bytes to spare, for the copy of an odd last digest.
  let level = Buffer.allocUnsafe(n * 32 + 32)
  hash(leaves, level.subarray(0, n * 32))
  while (n > 1) {
    if (n % 2 === 1) level.copyWithin(n * 32, (n - 1) * 32, n * 32)
    n = Math.ceil(n / 2)
    const next = Buffer.allocUnsafe(n * 32 + 32)
    hash(level.subarray(0, n * 64), next.subarray(0, n * 32))
    level = next
  }
  return level.subarray(0, 32)
}

const HASHTREE = '@chainsafe/hashtree hashInto'

async function batchSuite(): Promise<CaseResult[]> {
  const input = randomBytes(RECORDS * RECORD_SIZE)
  const output = Buffer.allocUnsafe(RECORDS * 32)
  const expected = Buffer.allocUnsafe(RECORDS * 32)
  cryptoHash64Into(input, expected)
  // Sanity: every side writes node:crypto's digests (not a speed check).
  hashInto(input, output)
  assertSameBytes(HASHTREE, output, expected)
  assertSameBytes('qrhash sha256BatchSync', qrhash.sha256BatchSync(input), expected)
  assertSameBytes('qrhash sha256Batch', await qrhash.sha256Batch(input), expected)

  const loop = { name: `${SHA_PEER} loop into the output`, label: `${SHA_PEER} loop` }
  const hashtree = { name: HASHTREE, label: 'hashtree' }
  const results = await compare({
    suite: 'sha256 batch',
    heading: `## SHA-256 batch: ${RECORDS.toLocaleString('en-US')} records × ${RECORD_SIZE} B, digests written into one output buffer`,
    specs: [
      { name: loop.name, fn: () => cryptoHash64Into(input, output), async: false },
      { name: hashtree.name, fn: () => hashInto(input, output), async: false },
      { name: 'qrhash sha256BatchSync', fn: () => qrhash.sha256BatchSync(input, { output }), async: false },
      { name: 'qrhash sha256Batch', fn: () => qrhash.sha256Batch(input, { output }), async: true, threads: POOL },
    ],
    opts: TB_HEAVY,
    peers: [loop, hashtree],
    items: RECORDS,
    bytes: input.length,
    columns: [THREADS, msPerOp('call'), nsPerItem('record'), nsPerItemPerCore('record')],
  })
  console.log(
    `\nhashtree and qrhash's outputs were checked byte for byte against node:crypto's before timing. ` +
      `ns/record/core = wall ns/record × min(threads, ${CORES} cores): sha256Batch splits the records over the ` +
      `${POOL} pool threads.`,
  )
  return results
}

async function chainSuite(): Promise<CaseResult[]> {
  const seed = randomBytes(32)
  // d₀ = SHA-256(seed), then d = SHA-256(d) `rounds` times: what sha256Iterate computes.
  const jsChain = (): Buffer => {
    let d = cryptoSha256(seed)
    for (let i = 0; i < CHAIN_ROUNDS; i++) d = cryptoSha256(d)
    return d
  }
  const expected = jsChain()
  assertSameBytes('qrhash sha256IterateSync', qrhash.sha256IterateSync(seed, CHAIN_ROUNDS), expected)
  assertSameBytes('qrhash sha256Iterate', await qrhash.sha256Iterate(seed, CHAIN_ROUNDS), expected)

  const loop = { name: `JS loop: d = ${SHA_PEER}('sha256', d, 'buffer')`, label: 'JS loop' }
  return compare({
    suite: 'sha256 chain',
    heading: `## SHA-256 hash chain: ${CHAIN_ROUNDS.toLocaleString('en-US')} rounds of a 32-byte digest`,
    specs: [
      { name: loop.name, fn: jsChain, async: false },
      { name: 'qrhash sha256IterateSync', fn: () => qrhash.sha256IterateSync(seed, CHAIN_ROUNDS), async: false },
      { name: 'qrhash sha256Iterate', fn: () => qrhash.sha256Iterate(seed, CHAIN_ROUNDS), async: true },
    ],
    opts: TB_HEAVY,
    peers: [loop],
    items: CHAIN_ROUNDS,
    columns: [msPerOp('chain'), nsPerItem('round')],
  })
}

async function manySuite(): Promise<CaseResult[]> {
  const all = randomBytes(MANY_MESSAGES * MANY_BYTES)
  const inputs = Array.from({ length: MANY_MESSAGES }, (_, i) => all.subarray(i * MANY_BYTES, (i + 1) * MANY_BYTES))
  const expected = Buffer.concat(inputs.map(cryptoSha256))
  assertSameBytes('qrhash sha256ManySync', Buffer.concat(qrhash.sha256ManySync(inputs)), expected)
  assertSameBytes('qrhash sha256Many', Buffer.concat(await qrhash.sha256Many(inputs)), expected)

  const loop = { name: `inputs.map(${SHA_PEER})`, label: `${SHA_PEER} loop` }
  return compare({
    suite: 'sha256 many',
    heading: `## SHA-256 of many messages: ${MANY_MESSAGES.toLocaleString('en-US')} × ${sizeLabel(MANY_BYTES)}, an array of Buffers back`,
    specs: [
      { name: loop.name, fn: () => inputs.map(cryptoSha256), async: false },
      { name: 'qrhash sha256ManySync', fn: () => qrhash.sha256ManySync(inputs), async: false },
      { name: 'qrhash sha256Many', fn: () => qrhash.sha256Many(inputs), async: true, threads: POOL },
    ],
    opts: TB,
    peers: [loop],
    items: MANY_MESSAGES,
    bytes: all.length,
    columns: [THREADS, msPerOp('call'), nsPerItem('message'), MB_PER_SEC],
  })
}

async function merkleSuite(): Promise<CaseResult[]> {
  const leaves = randomBytes(RECORDS * RECORD_SIZE)
  const expected = merkleRoot(leaves, cryptoHash64Into)
  assertSameBytes(`${HASHTREE} level by level`, merkleRoot(leaves, hashInto), expected)
  assertSameBytes('qrhash sha256MerkleRootSync', qrhash.sha256MerkleRootSync(leaves), expected)
  assertSameBytes('qrhash sha256MerkleRoot', await qrhash.sha256MerkleRoot(leaves), expected)

  const js = { name: `JS reference: ${SHA_PEER} per node, level by level`, label: 'JS' }
  const hashtree = { name: `${HASHTREE}, level by level`, label: 'hashtree' }
  const results = await compare({
    suite: 'sha256 merkle',
    heading: `## SHA-256 Merkle root of ${RECORDS.toLocaleString('en-US')} leaves × ${RECORD_SIZE} B`,
    specs: [
      { name: js.name, fn: () => merkleRoot(leaves, cryptoHash64Into), async: false },
      { name: hashtree.name, fn: () => merkleRoot(leaves, hashInto), async: false },
      { name: 'qrhash sha256MerkleRootSync', fn: () => qrhash.sha256MerkleRootSync(leaves), async: false },
      { name: 'qrhash sha256MerkleRoot', fn: () => qrhash.sha256MerkleRoot(leaves), async: true, threads: POOL },
    ],
    opts: TB_HEAVY,
    peers: [js, hashtree],
    items: RECORDS,
    columns: [THREADS, msPerOp('root'), nsPerItem('leaf'), nsPerItemPerCore('leaf')],
  })
  console.log(
    `\n${RECORDS.toLocaleString('en-US')} leaves take ${(2 * RECORDS - 1).toLocaleString('en-US')} hashes. The JS ` +
      `rows allocate one buffer per level. All four roots were checked equal before timing.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------
// Suite 7: event-loop delay while QR codes are made

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
    ['qrhash createQr', () => qrhash.createQr(QR_TEXT, qrOpts)],
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
  const columns: Column<LoopResult>[] = [
    ['arrival', (r) => r.arrival],
    CASE_NAME,
    ['samples', (r) => String(r.samples)],
    ['p50 ms', (r) => ms(r.p50Ms)],
    ['p99 ms', (r) => ms(r.p99Ms)],
    ['max ms', (r) => ms(r.maxMs)],
    WALL_MS,
    ['peer p99 ÷ this p99', (r) => (r.name === peerName ? '1.00× (peer)' : fmtRatio(r.p99RatioVsNodeQrcode ?? undefined))],
  ]
  console.log(table(results, columns, 2))
  console.log(
    `\nburst: all ${LOOP_CALLS} calls started in one synchronous loop; one per loop turn: each call started ` +
      `from its own setImmediate. All stay pending until done. Delay = perf_hooks.monitorEventLoopDelay ` +
      `(1 ms resolution) from 5 ms before the first call until 5 ms after the last resolves; "wall ms" = first start to last ` +
      `resolve. With few samples, p99 is close to max.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------
// Suite 8: memory while hashing large inputs (full run only)

interface RssDuring<T> {
  value: T
  wallMs: number
  rssBefore: number
  rssPeak: number
  samples: number
}

/** Awaits `call`, sampling RSS every ms while it is pending (the event loop stays free for it). */
async function rssDuring<T>(call: () => Promise<T>): Promise<RssDuring<T>> {
  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  let samples = 0
  const sample = (): void => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
    samples++
  }
  const timer = setInterval(sample, 1)
  const t0 = performance.now()
  try {
    const value = await call()
    const wallMs = performance.now() - t0
    sample()
    return { value, wallMs, rssBefore, rssPeak, samples }
  } finally {
    clearInterval(timer)
  }
}

function memoryRow(name: string, input: string, bytes: number, r: RssDuring<unknown>): MemoryResult {
  return {
    name,
    input,
    bytes,
    wallMs: r.wallMs,
    mbPerSec: (bytes / r.wallMs) * 1e-3,
    rssBeforeMiB: r.rssBefore / MiB,
    rssGrowthMiB: (r.rssPeak - r.rssBefore) / MiB,
    rssSamples: r.samples,
    ratioVsPeer: null,
  }
}

/** What the peer does with a file: read it through a stream of 1 MiB chunks into a crypto Hash. */
async function streamSha256(file: string): Promise<Buffer> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer)
  return hash.digest()
}

async function memorySuite(): Promise<MemoryResult[]> {
  const results: MemoryResult[] = []
  const filePeer = 'fs.createReadStream (1 MiB chunks) → crypto.createHash'

  // A SharedArrayBuffer, every page written first so it is all resident before RSS is read.
  const sabLabel = `${sizeLabel(MEMORY_SAB_BYTES)} SharedArrayBuffer`
  const shared = new Uint8Array(new SharedArrayBuffer(MEMORY_SAB_BYTES))
  shared.fill(0x5a)
  const inPlace = await rssDuring(() => qrhash.sha256(shared.buffer))
  assertSameBytes('qrhash sha256 of a SharedArrayBuffer', inPlace.value, cryptoSha256(shared))
  results.push(memoryRow('qrhash sha256', sabLabel, MEMORY_SAB_BYTES, inPlace))

  // A sparse file: no disk I/O, so the read path and the hashing are what is timed.
  const fileLabel = `${sizeLabel(MEMORY_FILE_BYTES)} sparse file`
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrhash-bench-'))
  try {
    const file = path.join(dir, 'sparse.bin')
    fs.closeSync(fs.openSync(file, 'w'))
    fs.truncateSync(file, MEMORY_FILE_BYTES)
    // An untimed pass first: it gives the expected digest and puts both timed reads on equal
    // terms (the kernel's zero pages for the holes are then in the page cache).
    const expected = await streamSha256(file)
    const ours = await rssDuring(() => qrhash.sha256File(file))
    assertSameBytes('qrhash sha256File', ours.value, expected)
    const peer = await rssDuring(() => streamSha256(file))
    const peerRow = memoryRow(filePeer, fileLabel, MEMORY_FILE_BYTES, peer)
    const ourRow = memoryRow('qrhash sha256File', fileLabel, MEMORY_FILE_BYTES, ours)
    ourRow.ratioVsPeer = ourRow.mbPerSec / peerRow.mbPerSec
    results.push(peerRow, ourRow)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }

  console.log(`\n## Memory: RSS while hashing large inputs\n`)
  const mib = (v: number): string => v.toFixed(2)
  const columns: Column<MemoryResult>[] = [
    CASE_NAME,
    ['input', (r) => r.input],
    WALL_MS,
    MB_PER_SEC,
    ['RSS before MiB', (r) => mib(r.rssBeforeMiB)],
    ['RSS growth MiB', (r) => mib(r.rssGrowthMiB)],
    ['samples', (r) => String(r.rssSamples)],
    ['MB/s ratio vs peer', (r) => (r.name === filePeer ? '1.00× (peer)' : fmtRatio(r.ratioVsPeer ?? undefined))],
  ]
  console.log(table(results, columns, 2))
  console.log(
    `\nRSS growth = the highest RSS sampled every ms while the call was pending, minus RSS just before it. The ` +
      `${sizeLabel(MEMORY_FILE_BYTES)} file is sparse (created by truncate, removed after): its reads cost no disk I/O.`,
  )
  return results
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now()
  const m = machine()
  console.log(`# qrhash benchmark (${MODE} run)\n`)
  console.log(`- CPU: ${m.cpuModel}`)
  console.log(`- SHA-256 backend the CPU allows: ${m.sha256Backend}`)
  console.log(`- CPU flags: ${m.cpuFlags.length > 0 ? m.cpuFlags.join(' ') : 'none of sha_ni/sha2/avx2/avx512f (or no /proc/cpuinfo)'}`)
  console.log(`- cores: ${m.logicalCpus} logical (availableParallelism ${m.availableParallelism})`)
  console.log(`- UV_THREADPOOL_SIZE: ${m.uvThreadpoolSize}; saturating cases keep ${m.inFlight} promises in flight`)
  console.log(`- Node ${m.node} (${m.platform})`)
  console.log(
    `- qrhash ${m.qrhash} (binding: ${m.qrhashBinding}), qrcode ${m.qrcode}, hash-wasm ${m.hashWasm}, ` +
      `@chainsafe/hashtree ${m.hashtree}, tinybench ${m.tinybench}`,
  )
  console.log(`- SHA-256 peer: ${m.sha256Peer}\n`)

  const cases = [
    ...(await qrSuite()),
    ...(await qrCreateSuite()),
    ...(await qrRenderSuite()),
    ...(await qrBatchSuite()),
    ...(await shaSuite()),
    ...(await batchSuite()),
    ...(await chainSuite()),
    ...(await manySuite()),
    ...(await merkleSuite()),
  ]
  const loop = await loopSuite()
  const memory = QUICK ? [] : await memorySuite()
  if (QUICK) console.log(`\n## Memory: skipped in a quick run`)

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
    settings: {
      tinybench: TB,
      tinybenchHuge: TB_HUGE,
      tinybenchHeavy: TB_HEAVY,
      inFlight: IN_FLIGHT,
      qrText: QR_TEXT,
      qrLevel: QR_LEVEL,
      loopCalls: LOOP_CALLS,
      records: RECORDS,
      recordSize: RECORD_SIZE,
      chainRounds: CHAIN_ROUNDS,
      manyMessages: MANY_MESSAGES,
      manyBytes: MANY_BYTES,
      concurrentCalls: CONCURRENT_CALLS,
      memorySharedArrayBufferBytes: MEMORY_SAB_BYTES,
      memoryFileBytes: MEMORY_FILE_BYTES,
    },
    cases,
    memory,
    eventLoop: loop,
  }
  // Other scripts keep their results in the same file (benchmark/service.ts: "service"); keep them.
  const others: Record<string, unknown> = fs.existsSync(RESULTS_FILE) ? JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) : {}
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify({ ...others, ...report }, null, 2)}\n`)
  console.log(`\nWrote ${shown} (${MODE} run, ${seconds.toFixed(1)} s).`)
  renderReport()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
