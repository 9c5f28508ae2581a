// A/B: this checkout's build against another build of qrhash, both loaded in one process, on
// the calls whose cost is mostly qrhash's own overhead (argument reading, result building):
// a refactor must leave them where they were. It reports; it asserts nothing about speed.
//
//   npm run bench:ab -- <dir>     <dir> holds the other build's index.js, binding.js and addon
//
// Make <dir> from any revision (see benchmark/README.md, "A/B against another build"):
//   git worktree add ../qrhash-base <rev> && ln -s "$PWD/node_modules" ../qrhash-base/
//   (cd ../qrhash-base && npm run build)

import { createRequire } from 'node:module'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
type Qrhash = typeof import('../index.js')

const baselineDir = process.argv[2]
if (baselineDir === undefined) {
  console.error('usage: npm run bench:ab -- <directory of the other build>')
  process.exit(2)
}
const builds: Array<[string, Qrhash]> = [
  ['this build', require('../index.js') as Qrhash],
  [`baseline (${baselineDir})`, require(path.resolve(baselineDir, 'index.js')) as Qrhash],
]

const TEXT = 'https://example.com/'
const RECORD = Buffer.alloc(64, 0x61)
/**
 * Interleaved rounds per case; each round times both builds, in alternating order. Rounds are
 * short (a few ms) so that this machine's slow drifts in speed fall on both builds alike.
 */
const ROUNDS = 401

interface Case {
  name: string
  callsPerRound: number
  run: (q: Qrhash) => unknown
  /** An async call: this many are kept pending at once (1: awaited one at a time). */
  inFlight?: number
}

/** A burst as a server sees one: the pool's threads × 4 calls pending. */
const BURST = Number(process.env.UV_THREADPOOL_SIZE ?? 4) * 4

const cases: Case[] = [
  { name: "createSync(url, { errorCorrectionLevel: 'M' })", callsPerRound: 400, run: (q) => q.createSync(TEXT, { errorCorrectionLevel: 'M' }) },
  { name: 'toDataURLSync(url)', callsPerRound: 100, run: (q) => q.toDataURLSync(TEXT) },
  { name: 'toBufferSync(url)', callsPerRound: 100, run: (q) => q.toBufferSync(TEXT) },
  { name: 'toBufferSync(url, { width: 2000 })', callsPerRound: 10, run: (q) => q.toBufferSync(TEXT, { width: 2000 }) },
  { name: 'toDataURLSync(url, { width: 2000 })', callsPerRound: 10, run: (q) => q.toDataURLSync(TEXT, { width: 2000 }) },
  { name: "toBufferSync(url, { style: { modules: 'dots' } })", callsPerRound: 10, run: (q) => q.toBufferSync(TEXT, { style: { modules: 'dots' } }) },
  { name: "toBufferSync(url, { type: 'jpeg' })", callsPerRound: 20, run: (q) => q.toBufferSync(TEXT, { type: 'jpeg' }) },
  { name: 'sha256Sync(64 B)', callsPerRound: 8000, run: (q) => q.sha256Sync(RECORD) },
  { name: "sha256Sync(64 B, { encoding: 'hex' })", callsPerRound: 2000, run: (q) => q.sha256Sync(RECORD, { encoding: 'hex' }) },
  { name: `createQr(url), ${BURST} in flight`, callsPerRound: 64, run: (q) => q.createQr(TEXT), inFlight: BURST },
  { name: 'await sha256(64 B)', callsPerRound: 200, run: (q) => q.sha256(RECORD), inFlight: 1 },
  { name: `sha256(64 B), ${BURST} in flight`, callsPerRound: 800, run: (q) => q.sha256(RECORD), inFlight: BURST },
]

/** Nanoseconds per call over one round of `calls` calls. */
function timeRound(run: () => unknown, calls: number): number {
  const start = performance.now()
  for (let i = 0; i < calls; i++) run()
  return ((performance.now() - start) * 1e6) / calls
}

/** Nanoseconds per call over one round of `calls` async calls, `inFlight` pending at a time. */
async function timeAsyncRound(run: () => unknown, calls: number, inFlight: number): Promise<number> {
  const start = performance.now()
  for (let done = 0; done < calls; done += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, calls - done) }, run))
  }
  return ((performance.now() - start) * 1e6) / calls
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

console.log(
  `Node ${process.version}, ${ROUNDS} interleaved rounds per case; ns/call is the median round, ` +
    'and the ratio is given of the medians and of the fastest rounds (the least disturbed)\n',
)
console.log(`| call | ${builds.map(([label]) => `${label} ns/call`).join(' | ')} | this / baseline, median | fastest |`)
console.log('|---|---|---|---|---|')
for (const { name, callsPerRound, run, inFlight } of cases) {
  const time = (q: Qrhash) =>
    inFlight === undefined ? timeRound(() => run(q), callsPerRound) : timeAsyncRound(() => run(q), callsPerRound, inFlight)
  for (const [, q] of builds) await time(q) // warm up both
  const samples: number[][] = builds.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0]
    for (const which of order) samples[which]!.push(await time(builds[which]![1]))
  }
  const [mine, theirs] = samples.map(median) as [number, number]
  const [mineFastest, theirsFastest] = samples.map((rounds) => Math.min(...rounds)) as [number, number]
  console.log(
    `| ${name} | ${mine.toFixed(0)} | ${theirs.toFixed(0)} | ${(mine / theirs).toFixed(3)} | ${(mineFastest / theirsFastest).toFixed(3)} |`,
  )
}
