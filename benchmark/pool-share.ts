// Sharing libuv's pool (issue 17): how long a small `fs.promises.readFile` and a
// `dns.lookup('localhost')` wait while qrhash keeps the pool busy, against the same work done by
// node:crypto on the main thread and by piscina workers, and qrhash's own throughput with and
// without its cap.
//
//   npm run bench:pool              full run (about 2 minutes on 2 cores); writes
//                                   benchmark/results-pool.json and the README section
//   npm run bench:pool -- --quick   smaller workloads, about 30 s; prints, writes nothing
//
// Each mode runs in a child process of its own (libuv sizes its pool once, when it first starts,
// and qrhash's share is process-wide): idle, main, piscina, qrhash (its default share) and, on a
// build that has setPoolShare, qrhash uncapped (setPoolShare(poolSize)). UV_THREADPOOL_SIZE is
// passed on to every child as it is set here. It reports; it asserts nothing about speed, but
// every workload's output is checked against node:crypto (QR codes: decoded) before it is timed.
import { spawn } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as dns from 'node:dns'
import { once } from 'node:events'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { PNG } from 'pngjs'
import { Piscina } from 'piscina'

import type * as Qrhash from '../index.js'
import { idleShare, packageVersion, probeStream, summarize } from './measure.js'
import {
  MODES,
  POOL_RESULTS_FILE,
  WORKLOADS,
  poolSection,
  poolTargets,
  updateReadme,
  type Mode,
  type ModeRun,
  type PoolResults,
  type Unit,
  type Workload,
  type WorkloadResult,
} from './pool-table.js'

/** The cap's knob, which only builds with issue 17's scheduler export. */
interface PoolShareApi {
  setPoolShare?: (threads: number) => void
  getPoolShare?: () => number
}
const require = createRequire(import.meta.url)
/** The package as CommonJS sees it: every export there, whether or not ESM's detection finds it. */
const qrhash = require('../index.js') as typeof Qrhash & PoolShareApi
const HAS_SET_POOL_SHARE = typeof qrhash.setPoolShare === 'function'

const jsQR: typeof import('jsqr').default = require('jsqr')

const SELF = fileURLToPath(import.meta.url)
const ROOT = path.resolve(path.dirname(SELF), '..')
const WORKER = new URL('./pool-worker.mjs', import.meta.url).href

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
})

const KiB = 1024
const MiB = 1024 * KiB

/** What the parent decides once and every child uses: the same work in every mode. */
interface Settings {
  quick: boolean
  smallFile: string
  largeFile: string
  largeFileBytes: number
  largeFileSha256: string
  chainRounds: number
  chainCount: number
  hashBytes: number
  hashCount: number
  batchBytes: number
  qrBurst: number
  fileCount: number
  /** Ops per loop in the fixed-work throughput run. */
  fixedOps: Record<Workload, number>
  fixedRepeats: number
  probeGapMs: number
  minSeconds: number
  minProbes: number
  maxSeconds: number
}

const SMALL_FILE_BYTES = 2 * KiB
/** Target CPU time of one sha256Iterate chain; the rounds are calibrated to it on this machine. */
const CHAIN_SECONDS = args.quick ? 0.1 : 0.5
/** Main-thread pieces: about 1 ms each, then the loop turns (setImmediate). */
const MAIN_CHAIN_ROUNDS = 1000
const MAIN_RECORDS = 1000
const MAIN_CODES = 20
const CHUNK_BYTES = 1 * MiB
/** piscina tasks: a few tens of ms each, so stopping never waits long for a task. */
const PISCINA_CHAIN_ROUNDS = 50_000
const PISCINA_RECORDS = 16_384
const PISCINA_CODES = 100

/** libuv's pool size as libuv reads UV_THREADPOOL_SIZE: 1 to 1024, anything else 4. */
function uvPoolSize(): number {
  const n = Number.parseInt(process.env['UV_THREADPOOL_SIZE'] ?? '', 10)
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4
}

const cryptoSha256: (data: Uint8Array) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest()

/** d₀ = SHA-256(seed), then `rounds` times d = SHA-256(d): what sha256Iterate computes. */
function jsChain(seed: Uint8Array, rounds: number): Buffer {
  let d = cryptoSha256(seed)
  for (let i = 0; i < rounds; i++) d = cryptoSha256(d)
  return d
}

function assertSame(what: string, actual: Uint8Array, expected: Uint8Array): void {
  const bytes = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)
  if (!bytes.equals(expected)) throw new Error(`${what}: output differs from node:crypto's`)
}

/** Batch output against node:crypto for 257 records spread over the input (the cheap check). */
function assertBatch(what: string, input: Uint8Array, output: Uint8Array, records: number): void {
  for (let i = 0; i <= 256; i++) {
    const r = Math.min(records - 1, Math.floor((i * records) / 256))
    assertSame(`${what}, record ${r}`, output.subarray(r * 32, r * 32 + 32), cryptoSha256(input.subarray(r * 64, r * 64 + 64)))
  }
}

/** A PNG must decode (jsQR) to the text it was made from. */
function assertQr(what: string, png: Uint8Array, text: string): void {
  const image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength))
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height)
  if (found?.data !== text) throw new Error(`${what}: the PNG does not decode to ${JSON.stringify(text)}`)
}

// ---------------------------------------------------------------------------------------------
// A workload, whichever engine runs it: `loops` concurrent loops, each awaiting `op()` again and
// again until told to stop. An op resolves to the work it finished, in the workload's unit.

interface Load {
  loops: number
  op: (loop: number) => Promise<number>
  /** Releases what the loops hold between ops (open files), once the workload is done. */
  close?: () => Promise<void>
}

/**
 * Runs every loop until `stop(ops)` (ops: how many this loop has finished) says so; resolves to
 * the work finished and when the last op ended.
 */
async function drive(load: Load, stop: (ops: number) => boolean): Promise<{ units: number; endedAt: number }> {
  let units = 0
  await Promise.all(
    Array.from({ length: load.loops }, async (_, loop) => {
      for (let ops = 0; !stop(ops); ops++) {
        const done = await load.op(loop) // not `units += await …`: that reads units before the await
        units += done
      }
    }),
  )
  return { units, endedAt: performance.now() }
}

/**
 * `opsPerLoop` ops in each loop, nothing else running: qrhash's own throughput on a fixed amount
 * of work, so the capped and the uncapped runs time exactly the same calls.
 */
async function fixedWork(load: Load, opsPerLoop: number): Promise<{ units: number; seconds: number }> {
  const started = performance.now()
  const { units, endedAt } = await drive(load, (ops) => ops >= opsPerLoop)
  return { units, seconds: (endedAt - started) / 1000 }
}

interface Inputs {
  s: Settings
  seed: Buffer
  /** `hashBytes` of random bytes in a SharedArrayBuffer (piscina workers read it in place). */
  data: Buffer
  dataSha256: Buffer
  /** The batch's records: the first `batchBytes` of `data`, and room for their digests. */
  records: Buffer
  output: Buffer
  texts: string[]
  largeFileSha256: Buffer
}

/** Builds one workload for one engine, after checking its output. */
type Engine = (w: Workload, x: Inputs) => Promise<Load>

const qrhashEngine: Engine = async (w, x) => {
  const { s } = x
  switch (w) {
    case 'chains':
      assertSame('qrhash sha256Iterate', await qrhash.sha256Iterate(x.seed, 1000), jsChain(x.seed, 1000))
      return { loops: s.chainCount, op: async () => (await qrhash.sha256Iterate(x.seed, s.chainRounds), s.chainRounds) }
    case 'hash':
      return {
        loops: s.hashCount,
        op: async () => (assertSame('qrhash sha256', await qrhash.sha256(x.data), x.dataSha256), x.data.length),
      }
    case 'batch':
      await qrhash.sha256Batch(x.records, { output: x.output })
      assertBatch('qrhash sha256Batch', x.records, x.output, x.records.length / 64)
      return { loops: 1, op: async () => (await qrhash.sha256Batch(x.records, { output: x.output }), x.records.length) }
    case 'qr': {
      const png = await qrhash.toBuffer(x.texts[0]!)
      assertQr('qrhash toBuffer', png, x.texts[0]!)
      return { loops: 1, op: async () => (await Promise.all(x.texts.map((t) => qrhash.toBuffer(t))), x.texts.length) }
    }
    case 'file':
      return {
        loops: s.fileCount,
        op: async () => (assertSame('qrhash sha256File', await qrhash.sha256File(s.largeFile), x.largeFileSha256), s.largeFileBytes),
      }
  }
}

/**
 * node:crypto on the main thread, cut into pieces of about 1 ms; after each piece a loop waits
 * for the next turn of the event loop (setImmediate), so every concurrent loop gets its turn and
 * the probes' callbacks run between turns. Each loop checks its own result when it completes one.
 */
const mainEngine: Engine = async (w, x) => {
  const { s } = x
  switch (w) {
    case 'chains': {
      const digests = Array.from({ length: s.chainCount }, () => cryptoSha256(x.seed))
      return {
        loops: s.chainCount,
        op: async (loop) => {
          let d = digests[loop]!
          for (let i = 0; i < MAIN_CHAIN_ROUNDS; i++) d = cryptoSha256(d)
          digests[loop] = d
          await nextTurn()
          return MAIN_CHAIN_ROUNDS
        },
      }
    }
    case 'hash': {
      const state = Array.from({ length: s.hashCount }, () => ({ hasher: crypto.createHash('sha256'), at: 0 }))
      return {
        loops: s.hashCount,
        op: async (loop) => {
          const st = state[loop]!
          const end = Math.min(st.at + CHUNK_BYTES, x.data.length)
          st.hasher.update(x.data.subarray(st.at, end))
          const done = end - st.at
          st.at = end
          if (end === x.data.length) {
            assertSame('createHash in pieces', st.hasher.digest(), x.dataSha256)
            state[loop] = { hasher: crypto.createHash('sha256'), at: 0 }
          }
          await nextTurn()
          return done
        },
      }
    }
    case 'batch': {
      const records = x.records.length / 64
      let next = 0
      return {
        loops: 1,
        op: async () => {
          const end = Math.min(next + MAIN_RECORDS, records)
          for (let r = next; r < end; r++) x.output.set(cryptoSha256(x.records.subarray(r * 64, r * 64 + 64)), r * 32)
          const done = (end - next) * 64
          next = end
          if (next === records) {
            assertBatch('crypto.hash per record', x.records, x.output, records)
            next = 0
          }
          await nextTurn()
          return done
        },
      }
    }
    case 'qr': {
      assertQr('qrhash toBufferSync', qrhash.toBufferSync(x.texts[0]!), x.texts[0]!)
      let next = 0
      return {
        loops: 1,
        op: async () => {
          for (let i = 0; i < MAIN_CODES; i++) qrhash.toBufferSync(x.texts[(next + i) % x.texts.length]!)
          next = (next + MAIN_CODES) % x.texts.length
          await nextTurn()
          return MAIN_CODES
        },
      }
    }
    case 'file': {
      // fs reads (on libuv's pool, as any stream's are) into createHash on the main thread.
      const open = () => ({ file: fs.promises.open(s.largeFile, 'r'), hasher: crypto.createHash('sha256'), at: 0 })
      const state = Array.from({ length: s.fileCount }, open)
      const buffers = Array.from({ length: s.fileCount }, () => Buffer.allocUnsafe(CHUNK_BYTES))
      return {
        loops: s.fileCount,
        op: async (loop) => {
          const st = state[loop]!
          const file = await st.file
          const { bytesRead } = await file.read(buffers[loop]!, 0, CHUNK_BYTES, st.at)
          st.hasher.update(buffers[loop]!.subarray(0, bytesRead))
          st.at += bytesRead
          if (bytesRead === 0 || st.at === s.largeFileBytes) {
            await file.close()
            assertSame('fs read → createHash', st.hasher.digest(), x.largeFileSha256)
            state[loop] = open()
          }
          return bytesRead
        },
        close: async () => {
          await Promise.all(state.map(async (st) => (await st.file).close()))
        },
      }
    }
  }
}

/** node:crypto in piscina workers, as many as libuv has pool threads (benchmark/pool-worker.mjs). */
function piscinaEngine(pool: Piscina, threads: number): Engine {
  return async (w, x) => {
    const { s } = x
    const view = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
    switch (w) {
      case 'chains': {
        assertSame('piscina chain', await pool.run({ kind: 'chain', digest: cryptoSha256(x.seed), rounds: 1000 }), jsChain(x.seed, 1000))
        const digests: Uint8Array[] = Array.from({ length: s.chainCount }, () => cryptoSha256(x.seed))
        return {
          loops: s.chainCount,
          op: async (loop) => {
            digests[loop] = await pool.run({ kind: 'chain', digest: digests[loop], rounds: PISCINA_CHAIN_ROUNDS })
            return PISCINA_CHAIN_ROUNDS
          },
        }
      }
      case 'hash':
        return {
          loops: s.hashCount,
          op: async () => (assertSame('piscina hash', await pool.run({ kind: 'hash', input: x.data.buffer }), x.dataSha256), x.data.length),
        }
      case 'batch': {
        const records = x.records.length / 64
        const task = (first: number) => ({
          kind: 'batch',
          input: x.records.buffer,
          output: x.output.buffer,
          first,
          count: Math.min(PISCINA_RECORDS, records - first),
        })
        for (let first = 0; first < records; first += PISCINA_RECORDS) await pool.run(task(first))
        assertBatch('piscina batch', x.records, x.output, records)
        let next = 0
        return {
          loops: 2 * threads,
          op: async () => {
            const t = task(next)
            next = next + t.count === records ? 0 : next + t.count
            await pool.run(t)
            return t.count * 64
          },
        }
      }
      case 'qr': {
        const png = view(await pool.run({ kind: 'qr', texts: [x.texts[0]] }))
        assertQr('piscina toBufferSync', png, x.texts[0]!)
        const pieces = Math.ceil(x.texts.length / PISCINA_CODES)
        return {
          loops: pieces,
          op: async (loop) => {
            const texts = x.texts.slice(loop * PISCINA_CODES, (loop + 1) * PISCINA_CODES)
            await pool.run({ kind: 'qr', texts })
            return texts.length
          },
        }
      }
      case 'file':
        return {
          loops: s.fileCount,
          op: async () => {
            const digest: Uint8Array = await pool.run({ kind: 'file', path: s.largeFile, chunkBytes: CHUNK_BYTES })
            assertSame('piscina file', digest, x.largeFileSha256)
            return s.largeFileBytes
          },
        }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The child: one mode, every workload in turn, one line of JSON on stdout at the end.

/** Probes while `load` runs (or with nothing running), until enough were taken. */
async function probeWhile(s: Settings, load: Load | null) {
  let stopped = false
  const stop = () => stopped
  const started = performance.now()
  const work = load ? drive(load, stop) : Promise.resolve({ units: 0, endedAt: started })
  const readFile: number[] = []
  const lookups: number[] = []
  const streams = Promise.all([
    probeStream(() => fs.promises.readFile(s.smallFile), s.probeGapMs, stop, readFile),
    probeStream(() => dns.promises.lookup('localhost'), s.probeGapMs, stop, lookups),
  ])
  const timer = setInterval(() => {
    const seconds = (performance.now() - started) / 1000
    const enough = seconds >= s.minSeconds && readFile.length >= s.minProbes && lookups.length >= s.minProbes
    if (enough || seconds >= s.maxSeconds) stopped = true
  }, 10)
  try {
    const [done] = await Promise.all([work, streams])
    return { readFile: summarize(readFile), dns: summarize(lookups), units: done.units, seconds: (done.endedAt - started) / 1000 }
  } finally {
    clearInterval(timer)
  }
}

function inputs(s: Settings): Inputs {
  const data = Buffer.from(new SharedArrayBuffer(s.hashBytes))
  crypto.randomFillSync(data)
  const output = Buffer.from(new SharedArrayBuffer(s.batchBytes / 2))
  return {
    s,
    seed: crypto.randomBytes(32),
    data,
    dataSha256: cryptoSha256(data),
    records: data.subarray(0, s.batchBytes),
    output,
    texts: Array.from({ length: s.qrBurst }, (_, i) => `https://example.com/ticket/${i}`),
    largeFileSha256: Buffer.from(s.largeFileSha256, 'hex'),
  }
}

async function child(mode: Mode, s: Settings): Promise<Omit<ModeRun, 'idleBefore'>> {
  const poolSize = uvPoolSize()
  if (mode === 'qrhash-uncapped') qrhash.setPoolShare!(poolSize)
  const share = typeof qrhash.getPoolShare === 'function' ? qrhash.getPoolShare() : null
  // Untimed probes first: the first readFile and lookup start the pool and load what they need.
  await probeWhile({ ...s, minSeconds: 0, minProbes: 20, maxSeconds: 5 }, null)
  const run: Omit<ModeRun, 'idleBefore'> = { mode, label: label(mode, poolSize, share), poolSize, share, workloads: [] }
  if (mode === 'idle') {
    const { readFile, dns } = await probeWhile(s, null)
    run.idle = { readFile, dns }
    return run
  }
  let pool: Piscina | undefined
  let engine = mode === 'main' ? mainEngine : qrhashEngine
  if (mode === 'piscina') {
    pool = new Piscina({ filename: WORKER, minThreads: poolSize, maxThreads: poolSize, idleTimeout: Number.POSITIVE_INFINITY })
    // Every worker started (and qrhash loaded in it) before anything is timed.
    await Promise.all(Array.from({ length: poolSize }, () => pool!.run({ kind: 'chain', digest: new Uint8Array(32), rounds: 1 })))
    engine = piscinaEngine(pool, poolSize)
  }
  try {
    const x = inputs(s)
    for (const w of WORKLOADS) {
      const load = await engine(w, x)
      const r: WorkloadResult = { workload: w, ...(await probeWhile(s, load)) }
      if (mode === 'qrhash' || mode === 'qrhash-uncapped') {
        // The fastest of a few runs: other processes only ever slow a run down.
        const runs = []
        for (let i = 0; i < s.fixedRepeats; i++) runs.push(await fixedWork(load, s.fixedOps[w]))
        r.fixed = runs.reduce((a, b) => (b.units / b.seconds > a.units / a.seconds ? b : a))
      }
      await load.close?.()
      run.workloads.push(r)
      console.error(
        `  ${mode} ${w}: readFile max ${r.readFile.max} ms (${r.readFile.n}), dns max ${r.dns.max} ms (${r.dns.n}), ${r.seconds.toFixed(1)} s`,
      )
    }
  } finally {
    await pool?.close()
  }
  return run
}

function label(mode: Mode, poolSize: number, share: number | null): string {
  switch (mode) {
    case 'idle':
      return 'idle'
    case 'main':
      return 'node:crypto, main thread'
    case 'piscina':
      return `node:crypto, piscina (${poolSize} threads)`
    case 'qrhash':
      return share === null ? `qrhash today (no cap, pool ${poolSize})` : `qrhash, default share (${share} of ${poolSize})`
    case 'qrhash-uncapped':
      return `qrhash, uncapped (${share ?? poolSize} of ${poolSize})`
  }
}

// ---------------------------------------------------------------------------------------------
// The parent: inputs, one child per mode, the tables.

/** One mode's child; killed if it has not finished within `limitMs`. */
async function runChild(mode: Mode, s: Settings, limitMs: number): Promise<Omit<ModeRun, 'idleBefore'>> {
  const env = { ...process.env }
  delete env['QRHASH_POOL_SHARE'] // the default share is the one measured
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', JSON.stringify({ mode, settings: s })], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  if (code !== 0) throw new Error(`the ${mode} child failed (${signal ?? code})`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<ModeRun, 'idleBefore'>
}

/** A file of `bytes` (1 MiB random blocks, each numbered), and its SHA-256. */
function writeLargeFile(file: string, bytes: number): string {
  const block = crypto.randomBytes(CHUNK_BYTES)
  const hasher = crypto.createHash('sha256')
  const fd = fs.openSync(file, 'w')
  try {
    for (let at = 0; at < bytes; at += CHUNK_BYTES) {
      block.writeUInt32LE(at / CHUNK_BYTES, 0)
      const piece = block.subarray(0, Math.min(CHUNK_BYTES, bytes - at))
      fs.writeSync(fd, piece)
      hasher.update(piece)
    }
  } finally {
    fs.closeSync(fd)
  }
  return hasher.digest('hex')
}

/** Rounds of sha256Iterate that take about `seconds` here (checked against node:crypto first). */
function calibrateChain(seconds: number): number {
  const seed = Buffer.from('calibration')
  assertSame('qrhash sha256IterateSync', qrhash.sha256IterateSync(seed, 1000), jsChain(seed, 1000))
  const rounds = 200_000
  qrhash.sha256IterateSync(seed, rounds)
  const started = performance.now()
  qrhash.sha256IterateSync(seed, rounds)
  const nsPerRound = ((performance.now() - started) * 1e6) / rounds
  return Math.max(100_000, Math.round((seconds * 1e9) / nsPerRound / 100_000) * 100_000)
}

async function main(): Promise<void> {
  const quick = args.quick
  const started = performance.now()
  const cpus = os.cpus()
  const poolSize = uvPoolSize()
  const machine: PoolResults['machine'] = {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    uvThreadpoolSize: process.env['UV_THREADPOOL_SIZE'] ?? 'default (4)',
    node: process.version,
    piscina: packageVersion('piscina'),
    setPoolShare: HAS_SET_POOL_SHARE,
  }
  console.log(`# Sharing libuv's pool (${quick ? 'quick' : 'full'} run)`)
  console.log(`${machine.cpuModel}, ${machine.cores} cores, UV_THREADPOOL_SIZE ${machine.uvThreadpoolSize}, Node ${machine.node}`)
  console.log(
    HAS_SET_POOL_SHARE
      ? `qrhash has setPoolShare: default share ${qrhash.getPoolShare?.()} of ${poolSize}, and uncapped (setPoolShare(${poolSize}))`
      : 'qrhash has no setPoolShare: only today\'s configuration (no cap) runs',
  )

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qrhash-pool-'))
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true })
  const onSignal = () => {
    cleanUp()
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const smallFile = path.join(dir, 'small.bin')
    fs.writeFileSync(smallFile, crypto.randomBytes(SMALL_FILE_BYTES))
    const largeFile = path.join(dir, 'large.bin')
    const largeFileBytes = (quick ? 64 : 256) * MiB
    const s: Settings = {
      quick,
      smallFile,
      largeFile,
      largeFileBytes,
      largeFileSha256: writeLargeFile(largeFile, largeFileBytes),
      chainRounds: calibrateChain(CHAIN_SECONDS),
      chainCount: 8,
      hashBytes: (quick ? 16 : 64) * MiB,
      hashCount: 24,
      batchBytes: (quick ? 16 : 64) * MiB,
      qrBurst: quick ? 1500 : 6000,
      fileCount: 8,
      // About 1-2 s of work each (full run): 8 chains, 4 × 24 hashes, 40 batches, 8 bursts, 8 files.
      fixedOps: quick ? { chains: 1, hash: 1, batch: 8, qr: 2, file: 1 } : { chains: 1, hash: 4, batch: 40, qr: 8, file: 1 },
      fixedRepeats: quick ? 1 : 3,
      probeGapMs: 2,
      minSeconds: quick ? 0.5 : 3,
      minProbes: quick ? 50 : 300,
      maxSeconds: quick ? 1.5 : 8,
    }
    const workloads: PoolResults['settings']['workloads'] = {
      chains: { description: `${s.chainCount} × sha256Iterate, ${(s.chainRounds / 1e6).toFixed(1)} M rounds`, unit: 'rounds' },
      hash: { description: `${s.hashCount} × sha256 of ${s.hashBytes / MiB} MiB`, unit: 'bytes' },
      batch: { description: `sha256Batch, ${s.batchBytes / 64 / 1024} Ki records × 64 B`, unit: 'bytes' },
      qr: { description: `burst of ${s.qrBurst} toBuffer (PNG)`, unit: 'codes' },
      file: { description: `${s.fileCount} × sha256File of ${largeFileBytes / MiB} MiB`, unit: 'bytes' },
    } satisfies Record<Workload, { description: string; unit: Unit }>
    console.log(`chains of ${s.chainRounds} rounds (about ${CHAIN_SECONDS} s each here); temp files in ${dir}\n`)

    const runs: ModeRun[] = []
    for (const mode of MODES.filter((m) => m !== 'qrhash-uncapped' || HAS_SET_POOL_SHARE)) {
      const idleBefore = await idleShare(quick ? 300 : 1000)
      console.log(`${mode}${idleBefore < 0.9 ? ` (CPUs only ${Math.round(idleBefore * 100)} % idle before: noisy)` : ''}`)
      runs.push({ ...(await runChild(mode, s, (quick ? 60 : 300) * 1000)), idleBefore })
    }

    const results: PoolResults = {
      generatedAt: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      durationSeconds: Math.round((performance.now() - started) / 10) / 100,
      machine,
      settings: {
        probeGapMs: s.probeGapMs,
        minSeconds: s.minSeconds,
        minProbes: s.minProbes,
        maxSeconds: s.maxSeconds,
        smallFileBytes: SMALL_FILE_BYTES,
        fixedOps: s.fixedOps,
        fixedRepeats: s.fixedRepeats,
        workloads,
      },
      runs,
    }
    console.log(`\n${poolSection(results)}\n`)
    for (const t of poolTargets(results)) console.log(`${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`)
    const shown = path.relative(process.cwd(), POOL_RESULTS_FILE)
    if (quick) {
      console.log(`\nLeft ${shown} and benchmark/README.md unchanged (quick run; only a full run writes them).`)
      return
    }
    fs.writeFileSync(POOL_RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`)
    updateReadme(results)
    console.log(`\nWrote ${shown} and the README section rendered from it (${results.durationSeconds} s).`)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    cleanUp()
  }
}

if (args.child !== undefined) {
  const { mode, settings } = JSON.parse(args.child) as { mode: Mode; settings: Settings }
  console.log(JSON.stringify(await child(mode, settings)))
} else {
  await main()
}
