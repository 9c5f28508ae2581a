// Load: 100 000 promises in flight at once, other pool sizes (1 and 64 threads, with QR codes
// as well as hashes: hash-workers.spec.ts covers 1, 3 and 7 for hashes), batches cut into more
// ranges than the pool has threads, and many batches at once. Every result is checked: hashes
// against node:crypto, QR codes against node-qrcode's modules, a decoder, or their sync twins.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import test, { type ExecutionContext } from 'ava'

import { create, createQr, createQrSync, createSync, getPoolShare, sha256, sha256Batch, type QrSymbol } from '../index.js'
import { __napiBindingTarget, __poolStats } from './helpers/internal.js'
import { jsqrRead, pngOfDataUrl } from './helpers/decode.js'
import { firstMismatch, oracleBatch, prng } from './helpers/oracle.js'

const require = createRequire(import.meta.url)
const QRCode: typeof import('qrcode') = require('qrcode')

const packagePath = fileURLToPath(new URL('../index.js', import.meta.url))
const workloadPath = fileURLToPath(new URL('./helpers/workload.mjs', import.meta.url))

interface WorkloadReport {
  checks: number
  failures: string[]
  samples: Array<{ text: string; url: string }>
  pool: string | null
  target: string
}

/** Runs helpers/workload.mjs in a child process with `UV_THREADPOOL_SIZE` set; checks how it ended. */
function runWorkload(t: ExecutionContext, threads: string, mode: 'mixed' | 'ranges'): WorkloadReport {
  const child = spawnSync(process.execPath, [workloadPath, packagePath, mode], {
    env: { ...process.env, UV_THREADPOOL_SIZE: threads },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  const label = `UV_THREADPOOL_SIZE=${threads}, ${mode}`
  t.is(child.signal, null, `${label}: killed by a signal; stderr: ${child.stderr.slice(-2000)}`)
  t.is(child.status, 0, `${label}: exit code; stderr: ${child.stderr.slice(-2000)}; stdout: ${child.stdout.slice(0, 2000)}`)
  const report = JSON.parse(child.stdout) as WorkloadReport
  t.deepEqual(report.failures, [], label)
  t.is(report.pool, threads, `${label}: the child ran with that pool`)
  t.is(report.target, __napiBindingTarget, `${label}: the child loaded the same build`)
  // Decoded by jsQR: the URLs the pool made hold their texts.
  for (const { text, url } of report.samples) t.is(Buffer.from(jsqrRead(pngOfDataUrl(url))).toString('utf8'), text, `${label}: decoding ${text.slice(0, 40)}`)
  return report
}

/** node-qrcode's modules for the segments, version, level and mask qrhash chose. */
function nodeQrcodeModules(symbol: QrSymbol): Uint8Array {
  const segments = symbol.segments.map(({ mode, data }) => ({ mode, data: typeof data === 'string' ? data : new Uint8Array(data) }))
  const options = { version: symbol.version, errorCorrectionLevel: symbol.errorCorrectionLevel, maskPattern: symbol.maskPattern }
  const made = QRCode.create(segments as Parameters<typeof QRCode.create>[0], options as Parameters<typeof QRCode.create>[1]) as unknown as {
    modules: { size: number; data: Uint8Array }
  }
  return made.modules.data
}

test('100 000 promises in flight at once (hashes of distinct inputs, symbols and data URLs of distinct texts) all resolve, each to its own input’s result', async (t) => {
  const total = 100_000
  const symbols = 1500
  const urls = 500
  const random = prng(0x10ad)
  type Job = { kind: 'hash'; input: string | Buffer; hex: boolean } | { kind: 'create' | 'createQr'; text: string }
  const jobs: Job[] = []
  let symbolJobs = 0
  let urlJobs = 0
  for (let i = 0; i < total; i++) {
    // The QR calls are spread through the hashes, so they share the queue with them; every
    // input carries its index, so no two are alike.
    if (i % 50 === 7 && symbolJobs < symbols) {
      symbolJobs++
      jobs.push({ kind: 'create', text: `https://example.com/item/${i}?k=${i.toString(36)}` })
    } else if (i % 200 === 11 && urlJobs < urls) {
      urlJobs++
      jobs.push({ kind: 'createQr', text: `TICKET-${i}-${'A'.repeat(i % 40)}` })
    } else if (i % 3 === 0) {
      jobs.push({ kind: 'hash', input: `message ${i} ${'x'.repeat(Math.floor(random() * 200))}`, hex: i % 2 === 0 })
    } else {
      jobs.push({ kind: 'hash', input: Buffer.concat([Buffer.from(`${i}:`), randomBytes(Math.floor(random() * 300))]), hex: i % 2 === 0 })
    }
  }
  t.is(jobs.length, total)
  __poolStats(true)
  // Every promise is made before any is awaited.
  const promises: Array<Promise<unknown>> = jobs.map((job) => {
    if (job.kind === 'hash') return job.hex ? sha256(job.input, { encoding: 'hex' }) : sha256(job.input)
    if (job.kind === 'create') return create(job.text)
    return createQr(job.text)
  })
  t.true(__poolStats().queued > total / 2, 'most calls wait in qrhash’s queue, not in libuv’s')
  const results = await Promise.all(promises)
  t.is(results.length, total)
  t.true(__poolStats().peak <= getPoolShare(), `at most ${getPoolShare()} slots of libuv’s pool taken (took ${__poolStats().peak})`)

  let hashes = 0
  const wrong: string[] = []
  const symbolIndexes: number[] = []
  const urlIndexes: number[] = []
  results.forEach((result, i) => {
    const job = jobs[i]!
    if (job.kind === 'hash') {
      hashes++
      const expected = createHash('sha256').update(job.input).digest()
      const ok = job.hex ? result === expected.toString('hex') : Buffer.isBuffer(result) && expected.equals(result)
      if (!ok) wrong.push(`#${i} sha256: ${String(result)}`)
    } else if (job.kind === 'create') {
      symbolIndexes.push(i)
      const symbol = result as QrSymbol
      // Whose symbol it is: the segments written spell this job's text.
      const written = symbol.segments.map((segment) => segment.data).join('')
      if (written !== job.text) wrong.push(`#${i} create: holds ${written}, not ${job.text}`)
      if (symbol.size !== 17 + 4 * symbol.version || symbol.modules.length !== symbol.size ** 2) wrong.push(`#${i} create: size ${symbol.size}, version ${symbol.version}`)
    } else {
      urlIndexes.push(i)
      if (typeof result !== 'string' || result !== createQrSync(job.text)) wrong.push(`#${i} createQr: not createQrSync(${job.text})`)
    }
  })
  t.deepEqual(wrong.slice(0, 20), [], `${wrong.length} wrong results`)
  t.is(hashes, total - symbols - urls)
  t.is(symbolIndexes.length, symbols)
  t.is(urlIndexes.length, urls)

  // A sample of ~200 QR results against independent oracles: node-qrcode's modules for the
  // same segments, version, level and mask, and jsQR reading the PNG.
  for (const i of symbolIndexes.filter((_, n) => n % 10 === 0)) {
    const symbol = results[i] as QrSymbol
    t.is(firstMismatch(symbol.modules, nodeQrcodeModules(symbol)), undefined, `#${i} create: modules equal node-qrcode's`)
    t.deepEqual(symbol, createSync((jobs[i] as { text: string }).text), `#${i} create equals createSync`)
  }
  for (const i of urlIndexes.filter((_, n) => n % 10 === 0)) {
    t.is(Buffer.from(jsqrRead(pngOfDataUrl(results[i] as string))).toString('utf8'), (jobs[i] as { text: string }).text, `#${i} createQr decodes to its text`)
  }
})

test('with UV_THREADPOOL_SIZE=1, a child process runs every family at once (batches, many, Merkle roots, chains, symbols, images, a QR batch) and each result is right', (t) => {
  const report = runWorkload(t, '1', 'mixed')
  t.true(report.checks > 700, `${report.checks} checks`)
})

test('with UV_THREADPOOL_SIZE=64, the same mixed workload in a child process: each result is right', (t) => {
  const report = runWorkload(t, '64', 'mixed')
  t.true(report.checks > 700, `${report.checks} checks`)
})

test('with UV_THREADPOOL_SIZE=2: createQrBatch of 1000 texts, sha256Batch of 2^17 records, sha256Many of 5000 inputs and 50 concurrent batches are right, also when cut into 64 ranges for the 2 threads', (t) => {
  const report = runWorkload(t, '2', 'ranges')
  // Per round (2 threads, then 64 ranges): 4 checks plus 50 concurrent batches.
  t.is(report.checks, 2 * (4 + 50))
})

test('50 sha256Batch calls at once, each split across the pool, into outputs of every kind: every digest equals node:crypto', async (t) => {
  const random = prng(0xba7c4)
  // Each ≥ 1.25 MiB, so each call is cut into one range per pool thread.
  const calls = Array.from({ length: 50 }, (_, i) => {
    const recordSize = [64, 100, 1000, 33, 4096][i % 5]!
    const records = Math.ceil((1.25 * (1 << 20)) / recordSize) + Math.floor(random() * 100)
    const input = randomBytes(records * recordSize)
    const output = [
      () => undefined,
      () => new SharedArrayBuffer(records * 32),
      () => new ArrayBuffer(records * 32),
      () => new DataView(new ArrayBuffer(records * 32 + 16), 8, records * 32),
      () => new Float64Array(records * 4),
    ][i % 5]!()
    return { input, recordSize, records, output }
  })
  const results = await Promise.all(calls.map(({ input, recordSize, output }) => (output === undefined ? sha256Batch(input, { recordSize }) : sha256Batch(input, { recordSize, output }))))
  results.forEach((result, i) => {
    const { input, recordSize, records, output } = calls[i]!
    if (output !== undefined) t.is(result, output, `call ${i} resolves to its own output`)
    const bytes = ArrayBuffer.isView(result) ? new Uint8Array(result.buffer, result.byteOffset, result.byteLength) : new Uint8Array(result)
    t.is(bytes.length, records * 32)
    t.is(firstMismatch(bytes, oracleBatch(input, recordSize)), undefined, `call ${i}: ${records} records of ${recordSize} B`)
  })
})
