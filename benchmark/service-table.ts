// The QR-service load test's results as markdown: the table benchmark/service.ts prints, and the
// README section between <!-- service:start --> and <!-- service:end -->, always rendered from
// the "service" key of benchmark/results.json, never edited by hand.
//
//   node --import tsx benchmark/service-table.ts   re-renders the README section from results.json
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { LatencySummary } from './measure.js'
import { fmt, type ResultsHeader, updateSection } from './readme-section.js'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
export const RESULTS_FILE = path.join(BENCH_DIR, 'results.json')

/**
 * The three fixes compared, then `cached`: qrhash behind a cache, which for the load test's one
 * text does no QR work at all, so it shows what fastify, HTTP and autocannon cost here.
 */
export const MODES = ['main', 'piscina', 'qrhash', 'cached'] as const
export type Mode = (typeof MODES)[number]

export interface ModeResult {
  /** Threads that draw codes: 1 for the event loop, the pool size otherwise. */
  threads: number
  requestsPerSecond: number
  /** 200 responses counted, and the requests that failed in any way. */
  ok: number
  failed: number
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number }
  /**
   * `GET /static/page.html` (fs.promises.readFile per request), one request at a time from the
   * benchmark's own process while the QR route is under load. Absent from results written before
   * the route existed.
   */
  staticLatencyMs?: LatencySummary
  /** From the server's /stats: timer lateness beyond its 1 ms interval, while under load. */
  eventLoopDelayMs: { p50: number; p95: number; p99: number; max: number; samples: number }
  eventLoopUtilization: number
  serverCpuCores: number
  loadGeneratorCpuCores: number
  /** Share of the CPUs' time idle in the second before this mode started (1 = nothing else ran). */
  idleBefore: number
}

export interface ServiceResults extends ResultsHeader {
  machine: ResultsHeader['machine'] & {
    availableParallelism: number
    platform: string
    fastify: string
    autocannon: string
    qrcode: string
  }
  settings: {
    path: string
    connections: number
    warmupSeconds: number
    seconds: number
    loadGenerator: string
  }
  modes: Record<Mode, ModeResult>
}

const LABELS: Record<Mode, (r: ModeResult) => string> = {
  main: () => 'node-qrcode, main thread',
  piscina: (r) => `node-qrcode, piscina (${r.threads} threads)`,
  qrhash: () => 'qrhash',
  cached: () => 'ceiling: no QR work',
}

function times(x: number): string {
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`
}

/**
 * `better` is how many times better qrhash is than the peer: "× the throughput", or for times
 * (`lower` set) "× lower", and "× higher" when qrhash's time is the longer one.
 */
function ratio(better: number, lower = false): string {
  if (!Number.isFinite(better) || better <= 0) return '—'
  if (!lower) return times(better)
  return better >= 1 ? `${times(better)} lower` : `${times(1 / better)} higher`
}

interface Row {
  name: string
  /** undefined: not measured in that run (shown as —). */
  value: (r: ModeResult) => number | undefined
  /** Higher is better (throughput), else lower is better (latency, delay). */
  higherIsBetter?: boolean
  /** Shown, but no ratio: it describes the run rather than a speed. */
  noRatio?: boolean
}

const ROWS: Row[] = [
  { name: 'requests/s', value: (r) => r.requestsPerSecond, higherIsBetter: true },
  { name: 'latency p50 (ms)', value: (r) => r.latencyMs.p50 },
  { name: 'latency p95 (ms)', value: (r) => r.latencyMs.p95 },
  { name: 'latency p99 (ms)', value: (r) => r.latencyMs.p99 },
  { name: 'static file latency p50 (ms)', value: (r) => r.staticLatencyMs?.p50 },
  { name: 'static file latency p99 (ms)', value: (r) => r.staticLatencyMs?.p99 },
  { name: 'static file latency max (ms)', value: (r) => r.staticLatencyMs?.max },
  { name: 'event-loop delay p50 (ms)', value: (r) => r.eventLoopDelayMs.p50 },
  { name: 'event-loop delay p99 (ms)', value: (r) => r.eventLoopDelayMs.p99 },
  { name: 'event-loop utilisation', value: (r) => r.eventLoopUtilization, noRatio: true },
  { name: 'server CPU (cores)', value: (r) => r.serverCpuCores, noRatio: true },
  { name: 'load generator CPU (cores)', value: (r) => r.loadGeneratorCpuCores, noRatio: true },
  { name: 'failed requests', value: (r) => r.failed, noRatio: true },
]

/** qrhash against `peer` for one row: × the throughput, or × lower for times. */
function versus(row: Row, results: ServiceResults, peer: Mode): string {
  if (row.noRatio) return ''
  const ours = row.value(results.modes.qrhash) ?? NaN
  const theirs = row.value(results.modes[peer]) ?? NaN
  return row.higherIsBetter ? ratio(ours / theirs) : ratio(theirs / ours, true)
}

/** The side-by-side table: one row per measure, one column per mode, then qrhash's ratios. */
export function serviceTable(results: ServiceResults): string {
  const compared = ['main', 'piscina', 'qrhash'] as const
  const header = [
    '',
    ...compared.map((m) => LABELS[m](results.modes[m])),
    'qrhash vs main',
    'qrhash vs piscina',
    LABELS.cached(results.modes.cached),
  ]
  const rows = ROWS.map((row) => [
    row.name,
    ...compared.map((m) => fmt(row.value(results.modes[m]))),
    versus(row, results, 'main'),
    versus(row, results, 'piscina'),
    fmt(row.value(results.modes.cached)),
  ])
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), `|---|${header.slice(1).map(() => '---:').join('|')}|`, ...rows.map(line)].join('\n')
}

/** The targets, each with what was measured and whether it was met. */
export function serviceTargets(results: ServiceResults): { name: string; measured: string; met: boolean }[] {
  const { main, piscina, qrhash } = results.modes
  const throughput = qrhash.requestsPerSecond / main.requestsPerSecond
  const p99 = main.latencyMs.p99 / qrhash.latencyMs.p99
  return [
    { name: 'requests/s ≥ 5× node-qrcode on the main thread', measured: ratio(throughput), met: throughput >= 5 },
    { name: 'latency p99 ≤ 1/5 of node-qrcode on the main thread', measured: ratio(p99, true), met: p99 >= 5 },
    {
      name: 'event-loop delay p99 ≤ 5 ms under full load',
      measured: `${fmt(qrhash.eventLoopDelayMs.p99)} ms`,
      met: qrhash.eventLoopDelayMs.p99 <= 5,
    },
    {
      name: 'ahead of piscina in requests/s and latency p99',
      measured: `${ratio(qrhash.requestsPerSecond / piscina.requestsPerSecond)}, ${ratio(piscina.latencyMs.p99 / qrhash.latencyMs.p99, true)}`,
      met: qrhash.requestsPerSecond > piscina.requestsPerSecond && qrhash.latencyMs.p99 < piscina.latencyMs.p99,
    },
  ]
}

/** How close qrhash came to the ceiling: what is left once the QR work itself is gone. */
export function ceilingNote(results: ServiceResults): string {
  const { qrhash, cached } = results.modes
  const share = Math.round((qrhash.requestsPerSecond / cached.requestsPerSecond) * 100)
  return (
    `With no QR work at all (the ceiling column: qrhash behind a cache, asked for one text), the same server ` +
    `answered ${fmt(cached.requestsPerSecond)} requests/s with an event-loop delay p99 of ` +
    `${fmt(cached.eventLoopDelayMs.p99)} ms; qrhash reached ${share} % of that throughput.`
  )
}

/** The README section: how it was measured, the table, the targets. */
export function serviceSection(results: ServiceResults): string {
  const { machine: m, settings: s } = results
  const targets = serviceTargets(results)
    .map((t) => `- ${t.name}: ${t.measured} (${t.met ? 'met' : 'missed'})`)
    .join('\n')
  return [
    `\`npm run bench:service\`, ${results.generatedAt.slice(0, 10)}: ${s.loadGenerator} with ${s.connections} connections ` +
      `for ${s.seconds} s per mode (after ${s.warmupSeconds} s of warm-up) on \`GET ${s.path}\`; ` +
      `${m.cpuModel}, ${m.cores} cores (at least ${Math.round(Math.min(...MODES.map((mode) => results.modes[mode].idleBefore)) * 100)} % idle ` +
      `before each mode), \`UV_THREADPOOL_SIZE\` ${m.uvThreadpoolSize}, Node ${m.node}. ` +
      `Latency is autocannon's response time; static file latency is that of \`GET /static/page.html\` ` +
      `(2.3 KB, \`fs.promises.readFile\` per request), asked one at a time from the benchmark's process ` +
      `while the QR route is under load; event-loop delay is the server's own ` +
      `\`monitorEventLoopDelay\` while under load.`,
    '',
    serviceTable(results),
    '',
    'Targets:',
    '',
    targets,
    '',
    ceilingNote(results),
  ].join('\n')
}

/** The results.json "service" key, if a full `npm run bench:service` has written one. */
export function readServiceResults(): ServiceResults | undefined {
  const all = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as { service?: ServiceResults }
  return all.service
}

export function updateReadme(results: ServiceResults): void {
  updateSection('service', serviceSection(results))
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = readServiceResults()
  if (results === undefined) {
    console.error(`${path.relative(process.cwd(), RESULTS_FILE)} has no "service" key yet: run npm run bench:service`)
    process.exit(1)
  }
  updateReadme(results)
  console.log(`benchmark/README.md: the QR service section, rendered from ${path.relative(process.cwd(), RESULTS_FILE)}`)
}
