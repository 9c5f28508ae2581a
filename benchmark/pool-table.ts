// The pool-sharing suite's results as markdown: the tables benchmark/pool-share.ts prints, and the
// README section between <!-- pool:start --> and <!-- pool:end -->, always rendered from
// benchmark/results-pool.json, never edited by hand. One renderer for both.
//
//   node --import tsx benchmark/pool-table.ts   re-renders the README section from results-pool.json
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { LatencySummary } from './measure.js'
import { fmt, type ResultsHeader, updateSection } from './readme-section.js'

export const POOL_RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results-pool.json')

/**
 * Who does the work while the probes run: nothing (`idle`), node:crypto on the main thread,
 * node:crypto in piscina workers, qrhash with its default share of libuv's pool, and qrhash with
 * all of it (`setPoolShare(poolSize)`, only on builds that have it).
 */
export const MODES = ['idle', 'main', 'piscina', 'qrhash', 'qrhash-uncapped'] as const
export type Mode = (typeof MODES)[number]

export const WORKLOADS = ['chains', 'hash', 'batch', 'qr', 'file'] as const
export type Workload = (typeof WORKLOADS)[number]

/** What one workload's throughput counts. */
export type Unit = 'rounds' | 'bytes' | 'codes'

export interface WorkloadResult {
  workload: Workload
  readFile: LatencySummary
  dns: LatencySummary
  /** Work finished (in the workload's unit) and the wall time until the last of it finished. */
  units: number
  seconds: number
  /** qrhash modes: a fixed amount of the same work with no probes running (its own throughput). */
  fixed?: { units: number; seconds: number }
}

export interface ModeRun {
  mode: Mode
  label: string
  /** libuv's pool size in that process, as libuv reads UV_THREADPOOL_SIZE. */
  poolSize: number
  /** getPoolShare() in that process; null where the build has no such function. */
  share: number | null
  /** Share of the CPUs' time idle in the second before this process started (1 = nothing else ran). */
  idleBefore: number
  /** The idle mode's probes (nothing else running). */
  idle?: { readFile: LatencySummary; dns: LatencySummary }
  workloads: WorkloadResult[]
}

export interface PoolResults extends ResultsHeader {
  machine: ResultsHeader['machine'] & {
    /** Whether this build exports setPoolShare/getPoolShare (the cap's knob). */
    setPoolShare: boolean
  }
  settings: {
    /** A probe starts this long after the last one started (at once if that one took longer). */
    probeGapMs: number
    minSeconds: number
    minProbes: number
    maxSeconds: number
    smallFileBytes: number
    /** Ops per loop in qrhash's fixed-work throughput runs. */
    fixedOps: Record<Workload, number>
    /** Fixed-work runs per workload; the fastest is kept. */
    fixedRepeats: number
    workloads: Record<Workload, { description: string; unit: Unit }>
  }
  runs: ModeRun[]
}

const WORKLOAD_NAMES: Record<Workload, string> = {
  chains: 'hash chains',
  hash: 'large hashes',
  batch: 'record batch',
  qr: 'QR burst',
  file: 'file hash',
}

const latency = (l: LatencySummary): string => `${fmt(l.p50)} / ${fmt(l.p99)} / **${fmt(l.max)}** (${l.n})`

/** Work per second in a unit a reader knows: M rounds/s, MB/s (10^6 bytes) or codes/s. */
export function throughput(r: { units: number; seconds: number }, unit: Unit): string {
  const perSecond = r.units / r.seconds
  if (unit === 'rounds') return `${fmt(perSecond / 1e6)} M rounds/s`
  if (unit === 'bytes') return `${fmt(perSecond / 1e6)} MB/s`
  return `${fmt(perSecond)} codes/s`
}

/** The runs that did work, in table order: main, piscina, qrhash (default), qrhash uncapped. */
const working = (results: PoolResults): ModeRun[] => results.runs.filter((r) => r.mode !== 'idle')
const find = (run: ModeRun, w: Workload) => run.workloads.find((x) => x.workload === w)

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), `|---|${header.slice(1).map(() => '---:').join('|')}|`, ...rows.map(line)].join('\n')
}

function latencyTable(results: PoolResults, probe: 'readFile' | 'dns'): string {
  const runs = working(results)
  return table(
    ['workload', ...runs.map((r) => r.label)],
    WORKLOADS.map((w) => [
      `${WORKLOAD_NAMES[w]}: ${results.settings.workloads[w].description}`,
      ...runs.map((r) => {
        const x = find(r, w)
        return x === undefined ? '—' : latency(x[probe])
      }),
    ]),
  )
}

function workTable(results: PoolResults): string {
  const runs = working(results)
  return table(
    ['workload', ...runs.map((r) => r.label)],
    WORKLOADS.map((w) => [
      WORKLOAD_NAMES[w],
      ...runs.map((r) => {
        const x = find(r, w)
        return x === undefined ? '—' : throughput(x, results.settings.workloads[w].unit)
      }),
    ]),
  )
}

/** capped ÷ uncapped fixed-work throughput for one workload, if both runs have it. */
function cappedRatio(results: PoolResults, w: Workload): number | undefined {
  const a = results.runs.find((r) => r.mode === 'qrhash')
  const b = results.runs.find((r) => r.mode === 'qrhash-uncapped')
  const fa = a && find(a, w)?.fixed
  const fb = b && find(b, w)?.fixed
  return fa && fb ? fa.units / fa.seconds / (fb.units / fb.seconds) : undefined
}

function throughputTable(results: PoolResults): string {
  const runs = results.runs.filter((r) => r.mode === 'qrhash' || r.mode === 'qrhash-uncapped')
  const header = ['workload', ...runs.map((r) => r.label)]
  const ratios = runs.length > 1
  if (ratios) header.push('capped ÷ uncapped')
  const rows = WORKLOADS.map((w) => {
    const unit = results.settings.workloads[w].unit
    const cells = [
      `${WORKLOAD_NAMES[w]}, ${results.settings.fixedOps[w]}× the workload`,
      ...runs.map((r) => {
        const x = find(r, w)?.fixed
        return x === undefined ? '—' : throughput(x, unit)
      }),
    ]
    if (ratios) {
      const ratio = cappedRatio(results, w)
      cells.push(ratio === undefined ? '—' : `${ratio.toFixed(3)}×`)
    }
    return cells
  })
  return table(header, rows)
}

/** The targets for the default configuration, each with what was measured. */
export function poolTargets(results: PoolResults): { name: string; measured: string; met: boolean }[] {
  const ours = results.runs.find((r) => r.mode === 'qrhash')
  if (ours === undefined) return []
  const worst = (probe: 'readFile' | 'dns') => {
    const w = ours.workloads.reduce((a, b) => (b[probe].max > a[probe].max ? b : a))
    return { ms: w[probe].max, workload: WORKLOAD_NAMES[w.workload] }
  }
  const targets = (['readFile', 'dns'] as const).map((probe) => {
    const w = worst(probe)
    return {
      name: `worst ${probe === 'readFile' ? 'readFile' : 'dns.lookup'} under any workload of ${ours.label} ≤ 5 ms`,
      measured: `${fmt(w.ms)} ms (${w.workload})`,
      met: w.ms <= 5,
    }
  })
  const ratios = WORKLOADS.flatMap((w) => {
    const ratio = cappedRatio(results, w)
    return ratio === undefined ? [] : [{ w, ratio }]
  })
  if (ratios.length > 0) {
    const lowest = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a))
    targets.push({
      name: 'qrhash throughput capped ≥ 0.97× uncapped on every workload (fixed work)',
      measured: `lowest ${lowest.ratio.toFixed(3)}× (${WORKLOAD_NAMES[lowest.w]})`,
      met: lowest.ratio >= 0.97,
    })
  }
  return targets
}

/** Everything: how it was measured, the idle figures, both latency tables, throughput, targets. */
export function poolSection(results: PoolResults): string {
  const { machine: m, settings: s } = results
  const idle = results.runs.find((r) => r.mode === 'idle')?.idle
  const idleLine = idle
    ? `Idle (nothing else running): readFile ${latency(idle.readFile)}, dns.lookup ${latency(idle.dns)}.`
    : 'No idle run.'
  const noisiest = Math.min(...results.runs.map((r) => r.idleBefore))
  const knob = m.setPoolShare
    ? '`setPoolShare(poolSize)` gives the uncapped column.'
    : 'This build has no `setPoolShare`: only today\'s configuration (no cap) ran, and there is no capped ÷ uncapped ratio.'
  const targets = poolTargets(results)
    .map((t) => `- ${t.name}: ${t.measured} (${t.met ? 'met' : 'missed'})`)
    .join('\n')
  return [
    `\`npm run bench:pool${results.mode === 'quick' ? ' -- --quick' : ''}\`, ${results.generatedAt.slice(0, 10)}: ` +
      `${m.cpuModel}, ${m.cores} cores (at least ${Math.round(noisiest * 100)} % idle before each process), ` +
      `\`UV_THREADPOOL_SIZE\` ${m.uvThreadpoolSize}, Node ${m.node}, piscina ${m.piscina}. ${knob} ` +
      `Each cell is p50 / p99 / **max** in ms (probes measured) of one probe at a time, a new one ` +
      `${s.probeGapMs} ms after the last started, for at least ${s.minSeconds} s and ${s.minProbes} probes ` +
      `(at most ${s.maxSeconds} s) while the workload runs.`,
    '',
    idleLine,
    '',
    `Latency of \`fs.promises.readFile\` of a ${fmt(s.smallFileBytes)}-byte file (ms):`,
    '',
    latencyTable(results, 'readFile'),
    '',
    "Latency of `dns.lookup('localhost')` (ms):",
    '',
    latencyTable(results, 'dns'),
    '',
    'Work done while the probes ran (work finished ÷ wall time until it had all finished, the last ' +
      'ops included):',
    '',
    workTable(results),
    '',
    `qrhash's own throughput: the same calls, a fixed number of times, with no probes running ` +
      `(the fastest of ${s.fixedRepeats}${s.fixedRepeats === 1 ? ' run: a quick run, so the ratio is mostly noise' : ' runs'}):`,
    '',
    throughputTable(results),
    ...(targets ? ['', 'Targets (issue 17):', '', targets] : []),
  ].join('\n')
}

export function updateReadme(results: PoolResults): void {
  updateSection('pool', poolSection(results))
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  updateReadme(JSON.parse(fs.readFileSync(POOL_RESULTS_FILE, 'utf8')) as PoolResults)
  console.log(`benchmark/README.md: the pool-sharing section, rendered from ${path.relative(process.cwd(), POOL_RESULTS_FILE)}`)
}
