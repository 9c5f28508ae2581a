// One autocannon run, in a process of its own so the load generator never shares an event loop
// with the server it measures. benchmark/service.ts starts it:
//   node --import tsx benchmark/service-load.ts '{"url":"http://127.0.0.1:PORT/…","connections":64,"duration":10}'
// and reads one line of JSON from its stdout.
import { createHistogram, performance } from 'node:perf_hooks'

import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  connections: number
  /** Seconds. */
  duration: number
}

export interface LoadResult {
  requestsPerSecond: number
  /** Responses with status 200, and everything else that went wrong. */
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  /** Response time (request written → response read) of every 2xx response. */
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number }
  seconds: number
  /** CPU the load generator itself used, in cores (user + system time per wall-clock second). */
  cpuCores: number
}

async function load({ url, connections, duration }: LoadOptions): Promise<LoadResult> {
  // autocannon's own histogram has p97.5 but no p95, so every response time is recorded here,
  // in microseconds, into Node's HDR histogram.
  const latency = createHistogram()
  let ok = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  const run = autocannon({ url, connections, duration, timeout: 30 })
  run.on('response', (_client, status, _bytes, ms) => {
    if (status !== 200) return
    ok++
    latency.record(Math.max(1, Math.round(ms * 1000)))
  })
  const result = await run
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const ms = (us: number) => Math.round(us) / 1000
  return {
    requestsPerSecond: Math.round((ok / result.duration) * 10) / 10,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: ms(latency.percentile(50)),
      p95: ms(latency.percentile(95)),
      p99: ms(latency.percentile(99)),
      max: ms(latency.max),
      mean: ms(latency.mean),
    },
    seconds: Math.round(seconds * 100) / 100,
    cpuCores: Math.round(((used.user + used.system) / 1e6 / seconds) * 100) / 100,
  }
}

const options = JSON.parse(process.argv[2] ?? 'null') as LoadOptions | null
if (options === null) throw new Error('usage: service-load.ts \'{"url":…,"connections":…,"duration":…}\'')
console.log(JSON.stringify(await load(options)))
