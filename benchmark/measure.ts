// Small measuring helpers shared by the benchmark scripts that run children (service.ts,
// pool-share.ts): how idle the machine was, an installed package's version, and a stream of
// sequential latency probes with its summary.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** An installed package's version, read from node_modules (piscina's "exports" hide it from require). */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/**
 * The share of all cores' time spent idle during the next `ms`: anything well below 1 before a
 * measurement starts means another process was running and takes cores from it.
 */
export async function idleShare(ms: number): Promise<number> {
  const sample = () => {
    let idle = 0
    let total = 0
    for (const { times } of os.cpus()) {
      idle += times.idle
      total += times.user + times.nice + times.sys + times.idle + times.irq
    }
    return { idle, total }
  }
  const before = sample()
  await sleep(ms)
  const after = sample()
  return Math.round(((after.idle - before.idle) / Math.max(1, after.total - before.total)) * 100) / 100
}

/** Latency of a set of probes, in ms: exact percentiles of every sample (nearest rank). */
export interface LatencySummary {
  p50: number
  p99: number
  max: number
  mean: number
  /** Probes measured. */
  n: number
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  const n = sorted.length
  const at = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!)
  const round = (x: number) => Math.round(x * 1000) / 1000
  const mean = n === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / n
  return { p50: round(at(50)), p99: round(at(99)), max: round(at(100)), mean: round(mean), n }
}

/**
 * Runs `probe` one call at a time until `stop()` says so: each call is timed, and the next starts
 * `gapMs` after the last one started (at once if it took longer). A probe already running when
 * `stop()` turns true still counts: it was waiting behind the load being measured. Samples (ms)
 * go into `samples` as they are taken, so a caller can watch how many there are.
 */
export async function probeStream(
  probe: () => Promise<unknown>,
  gapMs: number,
  stop: () => boolean,
  samples: number[] = [],
): Promise<number[]> {
  while (!stop()) {
    const started = performance.now()
    await probe()
    const took = performance.now() - started
    samples.push(took)
    if (took < gapMs && !stop()) await sleep(gapMs - took)
  }
  return samples
}
