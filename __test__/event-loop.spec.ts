// The two promises the package is for: the event loop keeps running while qrhash works, and
// binary input is read where it is, never copied.
import { createHash } from 'node:crypto'

import test from 'ava'

import { sha256 } from '../index.js'

const MiB = 1 << 20

// One 512 MiB buffer serves both tests, filled so every page is resident before RSS is read.
const big = Buffer.alloc(512 * MiB, 0x5a)

/** Counts 1 ms interval ticks while `work` runs. */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ ticks: number; elapsedMs: number; result: T }> {
  let ticks = 0
  const interval = setInterval(() => ticks++, 1)
  const started = performance.now()
  try {
    const result = await work()
    return { ticks, elapsedMs: performance.now() - started, result }
  } finally {
    clearInterval(interval)
  }
}

test.serial('the event loop keeps ticking while a 512 MiB hash runs on the pool', async (t) => {
  const expected = createHash('sha256').update(big).digest('hex')
  const { ticks, elapsedMs, result } = await ticksDuring(() => sha256(big, { encoding: 'hex' }))
  t.is(result, expected)
  t.log(`${ticks} ticks of 1 ms in ${elapsedMs.toFixed(0)} ms`)
  // Timers on a shared machine are coarse; what matters is that the loop ran for most of the
  // hash, where a blocking hash gives no tick at all (checked below on the same machine).
  t.true(ticks >= elapsedMs * 0.5, `${ticks} ticks in ${elapsedMs.toFixed(0)} ms`)

  const blocking = await ticksDuring(async () => createHash('sha256').update(big).digest('hex'))
  t.log(`for contrast, node:crypto on the main thread: ${blocking.ticks} ticks in ${blocking.elapsedMs.toFixed(0)} ms`)
  t.is(blocking.ticks, 0)
})

test.serial('hashing a 512 MiB buffer raises RSS by less than 8 MiB (no copy)', async (t) => {
  await sha256(big) // warm up: load code, start the pool threads
  const before = process.memoryUsage.rss()
  const peakBefore = process.resourceUsage().maxRSS * 1024
  // The loop is free while the pool hashes, so RSS can be sampled throughout: a copy would
  // show as a 512 MiB step for as long as it lived.
  let sampled = before
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 1)
  const views = [big, big.subarray(MiB), new DataView(big.buffer, big.byteOffset, big.length)]
  const digests = await Promise.all(views.map((view) => sha256(view)))
  clearInterval(sampler)
  const grown = Math.max(sampled, process.memoryUsage.rss()) - before
  const peakGrown = process.resourceUsage().maxRSS * 1024 - Math.max(before, peakBefore)
  t.log(`RSS grew by ${(grown / MiB).toFixed(2)} MiB at most (peak RSS by ${(Math.max(0, peakGrown) / MiB).toFixed(2)} MiB) hashing 3 views of 512 MiB`)
  t.is(digests.length, 3)
  t.true(grown < 8 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`)
  t.true(peakGrown < 8 * MiB, `peak RSS grew by ${(peakGrown / MiB).toFixed(1)} MiB`)
})
