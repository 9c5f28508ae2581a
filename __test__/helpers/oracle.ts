// node:crypto (OpenSSL) as the oracle for every hashing function, and small helpers the hashing
// specs share.
import { createHash } from 'node:crypto'

import type { ExecutionContext } from 'ava'

import type { BinaryLike } from '../../index.js'

export const MiB = 1 << 20
export const GiB = 1 << 30

/** SHA-256 by node:crypto; a string is hashed as UTF-8. */
export const digestOf = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest()

/** The 256 one-byte records' digests, so a batch of 1-byte records costs no hashing to check. */
const oneByteDigests: Buffer[] = Array.from({ length: 256 }, (_, byte) => digestOf(Uint8Array.of(byte)))

/** node:crypto's digest of each `recordSize`-byte record of `bytes`, concatenated in order. */
export function oracleBatch(bytes: Uint8Array, recordSize: number): Buffer {
  const count = bytes.length / recordSize
  const digests = Buffer.alloc(count * 32)
  for (let i = 0; i < count; i++) {
    const digest = recordSize === 1 ? oneByteDigests[bytes[i]!]! : digestOf(bytes.subarray(i * recordSize, (i + 1) * recordSize))
    digest.copy(digests, i * 32)
  }
  return digests
}

/**
 * The Merkle root by its definition, one node at a time with node:crypto: each record hashed,
 * then each pair of digests, level by level; an odd level duplicates its last digest.
 */
export function merkleReference(bytes: Uint8Array, recordSize: number): Buffer {
  let level: Buffer[] = []
  for (let at = 0; at < bytes.length; at += recordSize) level.push(digestOf(bytes.subarray(at, at + recordSize)))
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1]!)
    const parents: Buffer[] = []
    for (let i = 0; i < level.length; i += 2) parents.push(createHash('sha256').update(level[i]!).update(level[i + 1]!).digest())
    level = parents
  }
  return level[0]!
}

/** A Uint8Array over exactly the bytes of any binary value, without copying. */
export function bytesOf(value: BinaryLike): Uint8Array {
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return new Uint8Array(value)
}

/**
 * `undefined` when `actual` holds exactly the digests `expected` holds, else which record
 * differs first and how (so a failure names the record instead of dumping megabytes).
 */
export function firstMismatch(actual: Uint8Array, expected: Uint8Array): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} bytes of digests, expected ${expected.length}`
  if (Buffer.compare(actual, expected) === 0) return undefined
  for (let at = 0; at < expected.length; at += 32) {
    const got = Buffer.from(actual.subarray(at, at + 32))
    const want = Buffer.from(expected.subarray(at, at + 32))
    if (!got.equals(want)) return `record ${at / 32} of ${expected.length / 32}: ${got.toString('hex')}, expected ${want.toString('hex')}`
  }
  return 'differs'
}

export interface ProgressReport {
  done: number
  total: number
}

/**
 * Runs `start` with an onProgress that records every call, and then waits a little longer so a
 * report delivered after the promise settled would be seen. `atSettle` is how many reports had
 * arrived when it settled.
 */
export async function recordProgress<T>(
  start: (onProgress: (done: number, total: number) => void) => Promise<T>,
): Promise<{ result: T; reports: ProgressReport[]; atSettle: number }> {
  const reports: ProgressReport[] = []
  let atSettle = -1
  const result = await start((done, total) => void reports.push({ done, total })).finally(() => {
    atSettle = reports.length
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { result, reports, atSettle }
}

/**
 * What every onProgress sequence must be: at least one call; every `total` the same, `total`;
 * `done` never decreasing and never above it; the last call exactly `(total, total)`; and none
 * after the promise settled (or the Sync twin returned).
 */
export function checkProgress(t: ExecutionContext, reports: ProgressReport[], atSettle: number, total: number, label: string) {
  t.true(reports.length >= 1, `${label}: onProgress was called`)
  t.is(atSettle, reports.length, `${label}: ${reports.length - atSettle} report(s) arrived after the call settled`)
  t.deepEqual(reports.at(-1), { done: total, total }, `${label}: the last report is (total, total)`)
  t.deepEqual(
    reports.filter((report) => report.total !== total),
    [],
    `${label}: every report has total ${total}`,
  )
  const backwards = reports.findIndex((report, i) => report.done < 0 || report.done > total || (i > 0 && report.done < reports[i - 1]!.done))
  t.is(backwards, -1, `${label}: done never decreases and stays within 0..total: ${JSON.stringify(reports)}`)
}

/** What a rejected promise rejected with (fails the test if it resolved). */
export async function rejection(t: ExecutionContext, promise: Promise<unknown>, label: string): Promise<Error & { code?: unknown }> {
  const outcome = await promise.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  )
  if (outcome.resolved) {
    t.fail(`${label}: resolved instead of rejecting`)
    return new Error('resolved') as Error & { code?: unknown }
  }
  t.true(outcome.error instanceof Error, `${label}: rejects with an Error`)
  return outcome.error as Error & { code?: unknown }
}

/** Checks an AbortError: name, code, and the signal's reason as its cause. */
export function checkAbortError(t: ExecutionContext, error: unknown, reason: unknown, label: string) {
  const { name, code, cause } = error as Error & { code?: unknown }
  t.true(error instanceof Error, `${label}: an Error`)
  t.is(name, 'AbortError', `${label}: name`)
  t.is(code, 'ERR_ABORTED', `${label}: code`)
  t.is(cause, reason, `${label}: cause is the signal's reason`)
}

/** The process's resident set size, sampled every `everyMs` while `work` runs. */
export async function peakRssDuring<T>(work: () => Promise<T>, everyMs = 2): Promise<{ result: T; before: number; grown: number }> {
  const before = process.memoryUsage.rss()
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, everyMs)
  try {
    const result = await work()
    peak = Math.max(peak, process.memoryUsage.rss())
    return { result, before, grown: peak - before }
  } finally {
    clearInterval(sampler)
  }
}

/**
 * Every kind of binary input over `bytes` (at an offset where it can be), with the bytes each
 * one covers: typed arrays with wider elements cover the longest whole-element prefix.
 */
export function binaryViews(bytes: Uint8Array): Array<[string, BinaryLike, Uint8Array]> {
  const padded = new Uint8Array(bytes.length + 24)
  padded.set(bytes, 8)
  const shared = new SharedArrayBuffer(bytes.length)
  new Uint8Array(shared).set(bytes)
  const sharedPadded = new SharedArrayBuffer(bytes.length + 16)
  new Uint8Array(sharedPadded).set(bytes, 8)
  const even = bytes.subarray(0, bytes.length & ~7)
  const aligned = new Uint8Array(even.length + 8)
  aligned.set(even, 8)
  return [
    ['Buffer', Buffer.from(bytes), bytes],
    ['pooled Buffer slice', Buffer.from(padded).subarray(8, 8 + bytes.length), bytes],
    ['Uint8Array at a non-zero offset', padded.subarray(8, 8 + bytes.length), bytes],
    ['Uint8ClampedArray', new Uint8ClampedArray(padded.buffer, 8, bytes.length), bytes],
    ['Int8Array', new Int8Array(padded.buffer, 8, bytes.length), bytes],
    ['Uint16Array at an offset', new Uint16Array(aligned.buffer, 8, even.length / 2), even],
    ['Int32Array', new Int32Array(aligned.buffer, 8, even.length / 4), even],
    ['Float64Array', new Float64Array(aligned.buffer, 8, even.length / 8), even],
    ['BigUint64Array', new BigUint64Array(aligned.buffer, 8, even.length / 8), even],
    ['DataView at an offset', new DataView(padded.buffer, 8, bytes.length), bytes],
    ['ArrayBuffer', bytes.slice().buffer, bytes],
    ['SharedArrayBuffer', shared, bytes],
    ['Uint8Array over a SharedArrayBuffer', new Uint8Array(sharedPadded, 8, bytes.length), bytes],
    ['DataView over a SharedArrayBuffer', new DataView(sharedPadded, 8, bytes.length), bytes],
    ['Float64Array over a SharedArrayBuffer', new Float64Array(shared, 0, Math.floor(bytes.length / 8)), bytes.subarray(0, bytes.length & ~7)],
  ]
}

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same cases. */
export function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}
