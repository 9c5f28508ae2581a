// The QR web service under load: examples/qr-service in each mode (node-qrcode on the main
// thread, node-qrcode in a piscina pool, qrhash, and qrhash behind a cache, which for one text
// does no QR work and so shows the ceiling), driven by autocannon on 127.0.0.1.
//
//   npm run bench:service              10 s per mode after 3 s of warm-up (about 70 s)
//   npm run bench:service -- --quick   2 s per mode after 1 s; prints, writes nothing
//   options: --connections N (default 64), --seconds S, --warmup S
//
// Each mode's server is a child process, and so is each autocannon run: on a small machine the
// load generator must not share the server's event loop. A full run writes the "service" key of
// benchmark/results.json (keeping every other key) and the README section rendered from it.
// It reports; it asserts nothing about speed.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { idleShare, packageVersion, probeStream, summarize } from './measure.js'
import type { LoadOptions, LoadResult } from './service-load.js'
import {
  ceilingNote,
  MODES,
  RESULTS_FILE,
  serviceTable,
  serviceTargets,
  updateReadme,
  type Mode,
  type ModeResult,
  type ServiceResults,
} from './service-table.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SERVER = path.join(ROOT, 'examples', 'qr-service', 'server.mjs')
const LOAD = path.join(ROOT, 'benchmark', 'service-load.ts')

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
  },
})
const QUICK = args.quick
const CONNECTIONS = positive('--connections', args.connections)
const SECONDS = positive('--seconds', args.seconds ?? (QUICK ? '2' : '10'))
const WARMUP_SECONDS = positive('--warmup', args.warmup ?? (QUICK ? '1' : '3'))
/** The motivating workload: an express handler returning `{ result: await toDataURL(text) }`. */
const TEXT = 'https://example.com/'
const PATH = `/qr?format=dataurl&text=${encodeURIComponent(TEXT)}`

/**
 * The static route timed while the QR route is under load: a 2.3 KB file read with
 * `fs.promises.readFile` (on libuv's pool) per request, one request at a time from this process.
 */
const STATIC_PATH = '/static/page.html'
const STATIC_FILE = path.join(ROOT, 'examples', 'qr-service', 'page.html')
/** A static request starts this long after the last one started (at once if that one took longer). */
const STATIC_GAP_MS = 5

function positive(flag: string, text: string): number {
  const n = Number(text)
  if (!(n > 0 && Number.isInteger(n))) throw new Error(`${flag} must be a positive integer, not ${JSON.stringify(text)}`)
  return n
}

/** Starts one mode's server on a free port; resolves with its URL once it listens. */
async function startServer(mode: Mode): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SERVER, '--mode', mode, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk))
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code, signal]) => {
    throw new Error(`the ${mode} server exited (${signal ?? code}) before listening:\n${stderr}`)
  })
  const listening = (async () => {
    for await (const line of lines) {
      const match = /listening on (http:\/\/\S+)/.exec(line)
      if (match) return match[1]!
    }
    throw new Error(`the ${mode} server closed its output before listening:\n${stderr}`)
  })()
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the ${mode} server did not listen within 30 s:\n${stderr}`)), 30_000).unref(),
  )
  try {
    const url = await Promise.race([listening, exited, timeout])
    exited.catch(() => {}) // it will exit when stopped; that is no longer an error
    return { child, url }
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
}

/** SIGTERM, as an operator would; SIGKILL if it has not exited 15 s later. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** One autocannon run in its own process (benchmark/service-load.ts). */
async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  if (code !== 0) throw new Error(`autocannon run failed (${signal ?? code})`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult
}

interface Stats {
  threads: number
  eventLoopDelayMs: ModeResult['eventLoopDelayMs']
  eventLoopUtilization: number
  cpuCores: number
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/** The body of a 200 response; anything else throws. */
async function getBytes(url: string): Promise<Buffer> {
  const response = await fetch(url)
  const body = Buffer.from(await response.arrayBuffer())
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${body.toString()}`)
  return body
}

/** The static route serves its file, and only names on its allow-list. */
async function checkStatic(url: string): Promise<void> {
  if (!(await getBytes(url + STATIC_PATH)).equals(fs.readFileSync(STATIC_FILE))) throw new Error(`${STATIC_PATH}: not the file's bytes`)
  const outside = await fetch(`${url}/static/..%2Fapp.mjs`)
  await outside.arrayBuffer()
  if (outside.status !== 404) throw new Error(`/static/..%2Fapp.mjs answered ${outside.status}, not 404`)
}

async function measure(mode: Mode): Promise<ModeResult> {
  const idleBefore = await idleShare(1000)
  if (idleBefore < 0.9) console.log(`(the CPUs were only ${Math.round(idleBefore * 100)} % idle before this mode: noisy) `)
  const { child, url } = await startServer(mode)
  try {
    // A working code path is what gets timed: the route must answer with a PNG data URL.
    const { result } = await getJson<{ result: string }>(url + PATH)
    if (!result.startsWith('data:image/png;base64,')) throw new Error(`${mode}: not a PNG data URL: ${result.slice(0, 40)}`)
    await checkStatic(url)

    const load = { url: url + PATH, connections: CONNECTIONS }
    await runLoad({ ...load, duration: WARMUP_SECONDS })
    await getJson(`${url}/stats?reset=1`) // event-loop figures from here on are under load only
    // While autocannon loads the QR route, this process asks for the static file, one request at a time.
    let loaded = false
    const staticProbes = probeStream(() => getBytes(url + STATIC_PATH), STATIC_GAP_MS, () => loaded)
    const measured = await runLoad({ ...load, duration: SECONDS }).finally(() => (loaded = true))
    const staticLatencyMs = summarize(await staticProbes)
    const stats = await getJson<Stats>(`${url}/stats`)
    return {
      threads: stats.threads,
      requestsPerSecond: measured.requestsPerSecond,
      ok: measured.ok,
      failed: measured.non2xx + measured.errors + measured.timeouts,
      latencyMs: measured.latencyMs,
      staticLatencyMs,
      eventLoopDelayMs: stats.eventLoopDelayMs,
      eventLoopUtilization: stats.eventLoopUtilization,
      serverCpuCores: stats.cpuCores,
      loadGeneratorCpuCores: measured.cpuCores,
      idleBefore,
    }
  } finally {
    await stopServer(child)
  }
}

async function main(): Promise<void> {
  const started = performance.now()
  const cpus = os.cpus()
  const machine: ServiceResults['machine'] = {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    uvThreadpoolSize: process.env['UV_THREADPOOL_SIZE'] ?? 'default (4)',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    fastify: packageVersion('fastify'),
    autocannon: packageVersion('autocannon'),
    qrcode: packageVersion('qrcode'),
    piscina: packageVersion('piscina'),
  }
  const settings: ServiceResults['settings'] = {
    path: PATH,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
    loadGenerator: `autocannon ${machine.autocannon} (its own process)`,
  }
  console.log(`# QR service under load (${QUICK ? 'quick' : 'full'} run)`)
  console.log(`${machine.cpuModel}, ${machine.cores} cores, UV_THREADPOOL_SIZE ${machine.uvThreadpoolSize}, Node ${machine.node}`)
  console.log(`GET ${PATH}, ${CONNECTIONS} connections, ${SECONDS} s per mode after ${WARMUP_SECONDS} s of warm-up\n`)

  const modes = {} as Record<Mode, ModeResult>
  for (const mode of MODES) {
    process.stdout.write(`${mode} … `)
    modes[mode] = await measure(mode)
    const r = modes[mode]
    console.log(
      `${r.requestsPerSecond} req/s, p99 ${r.latencyMs.p99} ms, event-loop delay p99 ${r.eventLoopDelayMs.p99} ms, ` +
        `static file p99 ${r.staticLatencyMs?.p99} ms (${r.staticLatencyMs?.n})`,
    )
  }

  const results: ServiceResults = {
    generatedAt: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    durationSeconds: Math.round((performance.now() - started) / 10) / 100,
    machine,
    settings,
    modes,
  }
  console.log(`\n${serviceTable(results)}\n`)
  for (const t of serviceTargets(results)) console.log(`${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`)
  console.log(`\n${ceilingNote(results)}`)
  const failed = MODES.filter((m) => modes[m].failed > 0)
  if (failed.length > 0) console.log(`\nfailed requests in: ${failed.join(', ')} (see the table)`)

  const shown = path.relative(process.cwd(), RESULTS_FILE)
  if (QUICK) {
    console.log(`\nLeft ${shown} and benchmark/README.md unchanged (quick run; only a full run writes them).`)
    return
  }
  // Read, modify, write: benchmark/bench.ts owns the file's other keys.
  const all = fs.existsSync(RESULTS_FILE) ? (JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>) : {}
  all['service'] = results
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`)
  updateReadme(results)
  console.log(`\nWrote the "service" key of ${shown} and the README section rendered from it.`)
}

await main()
