// A mixed workload over every family of qrhash's async functions, each result checked on the
// spot: hashes against node:crypto, QR codes against their …Sync twins (made on the calling
// thread, so a pool that mixed up ranges, threads or calls would show) and against the sizes
// a symbol must have. Plain JavaScript, so a child process or a worker thread runs it with no
// loader.
//
// As a module: `await mixedWorkload(qrhash, { seed, scale })` → { checks, failures, samples }.
// As a script: `node workload.mjs <absolute path of index.js> <mode> [scale]`, printing
// { checks, failures, samples, pool } as JSON and exiting 1 when any check failed:
//   mode 'mixed':  the workload as it is, with the pool libuv was started with.
//   mode 'ranges': the pool is started first (UV_THREADPOOL_SIZE as given, e.g. 2); then
//                  process.env.UV_THREADPOOL_SIZE is raised to 64, which qrhash reads per call to
//                  decide how many ranges to cut a batch into, while libuv keeps its threads:
//                  every batch is then split into many more ranges than there are threads.
//                  createQrBatch of 1000 texts, sha256Batch of 2^17 records and sha256Many of
//                  5000 inputs are checked under both.
import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** @typedef {import('./internal.js').WithInternals} Qrhash */
/** @typedef {{ checks: number, failures: string[], samples: Array<{ text: string, url: string }> }} WorkloadResult */

/** @param {Uint8Array | string} bytes */
const hex = (bytes) => createHash('sha256').update(bytes).digest('hex')
/** @param {Uint8Array | string} bytes */
const digestOf = (bytes) => createHash('sha256').update(bytes).digest()

/**
 * node:crypto's digests of each record, concatenated.
 * @param {Uint8Array} bytes
 * @param {number} recordSize
 */
function oracleBatch(bytes, recordSize) {
  const count = bytes.length / recordSize
  const out = Buffer.alloc(count * 32)
  for (let i = 0; i < count; i++) digestOf(bytes.subarray(i * recordSize, (i + 1) * recordSize)).copy(out, i * 32)
  return out
}

/**
 * The Merkle root by its definition (an odd level pairs its last digest with itself).
 * @param {Uint8Array} bytes
 * @param {number} recordSize
 */
function merkleReference(bytes, recordSize) {
  /** @type {Buffer[]} */
  let level = []
  for (let at = 0; at < bytes.length; at += recordSize) level.push(digestOf(bytes.subarray(at, at + recordSize)))
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(/** @type {Buffer} */ (level[level.length - 1]))
    /** @type {Buffer[]} */
    const parents = []
    for (let i = 0; i < level.length; i += 2) {
      parents.push(createHash('sha256').update(/** @type {Buffer} */ (level[i])).update(/** @type {Buffer} */ (level[i + 1])).digest())
    }
    level = parents
  }
  return /** @type {Buffer} */ (level[0])
}

/**
 * d₀ = SHA-256(input), dᵢ = SHA-256(dᵢ₋₁), `rounds` times.
 * @param {string} input
 * @param {number} rounds
 */
function chainReference(input, rounds) {
  let digest = digestOf(input)
  for (let i = 0; i < rounds; i++) digest = digestOf(digest)
  return digest
}

/** A record of checks: `check(ok, label)` counts it, and keeps the label when it failed. */
function checker() {
  /** @type {{ checks: number, failures: string[] }} */
  const state = { checks: 0, failures: [] }
  /** @type {(ok: boolean, label: string) => void} */
  const check = (ok, label) => {
    state.checks++
    if (!ok) state.failures.push(label)
  }
  return { state, check }
}

/**
 * What every symbol from create() must be: sizes that fit its version, and the text it holds.
 * @param {(ok: boolean, label: string) => void} check
 * @param {import('../../index.js').QrSymbol} symbol
 * @param {string} text
 * @param {string} label
 */
function checkSymbol(check, symbol, text, label) {
  const size = symbol.micro ? 9 + 2 * symbol.version : 17 + 4 * symbol.version
  check(symbol.size === size, `${label}: size ${symbol.size} for version ${symbol.version}`)
  check(symbol.modules.length === size * size, `${label}: ${symbol.modules.length} modules for size ${size}`)
  check(symbol.modules.every((module) => module === 0 || module === 1), `${label}: modules are 0 or 1`)
  const written = symbol.segments.map((segment) => segment.data).join('')
  check(written === text, `${label}: segments hold ${JSON.stringify(written.slice(0, 60))}, not ${JSON.stringify(text.slice(0, 60))}`)
}

/**
 * The width of a PNG, from its IHDR chunk.
 * @param {Buffer} png
 */
const pngWidth = (png) => (png.length > 24 && png.readUInt32BE(12) === 0x49484452 /* IHDR */ ? png.readUInt32BE(16) : -1)

/**
 * The workload, with all its calls in flight at once. `scale` multiplies the sizes (1 is a
 * fraction of a second natively); `seed` makes each run's texts distinct.
 * @param {Qrhash} qrhash
 * @param {{ seed?: number, scale?: number }} [options]
 * @returns {Promise<WorkloadResult>}
 */
export async function mixedWorkload(qrhash, { seed = 0, scale = 1 } = {}) {
  const { state, check } = checker()
  /** @param {number} count */
  const n = (count) => Math.max(1, Math.round(count * scale))
  /** @type {Array<Promise<void>>} */
  const jobs = []
  /**
   * @template T
   * @param {Promise<T>} promise
   * @param {(value: T) => void} verify
   */
  const add = (promise, verify) =>
    jobs.push(promise.then(verify, (/** @type {unknown} */ error) => check(false, `rejected: ${error instanceof Error ? error.stack : String(error)}`)))

  // sha256Batch over several record sizes, into a new Buffer and into a SharedArrayBuffer.
  for (const [recordSize, count] of [
    [64, n(20_000)],
    [100, n(7_001)],
    [1, n(300_007)],
    [4096, n(257)],
  ]) {
    const input = randomBytes(recordSize * count)
    const expected = oracleBatch(input, recordSize)
    add(qrhash.sha256Batch(input, { recordSize }), (digests) => check(Buffer.compare(digests, expected) === 0, `sha256Batch ${count} × ${recordSize} B`))
    const output = new SharedArrayBuffer(count * 32)
    add(qrhash.sha256Batch(new Uint8Array(input), { recordSize, output }), (result) =>
      check(result === output && Buffer.compare(new Uint8Array(output), expected) === 0, `sha256Batch ${count} × ${recordSize} B into a SharedArrayBuffer`),
    )
  }

  // sha256Many of pieces of every size, sha256 of each on its own too.
  const pieces = Array.from({ length: n(300) }, (_, i) => randomBytes([0, 1, 55, 64, 1000, 70_000][i % 6] + (i % 7)))
  pieces.push(randomBytes(3 << 20))
  const pieceDigests = pieces.map(hex)
  add(qrhash.sha256Many(pieces, { encoding: 'hex' }), (digests) => check(digests.join() === pieceDigests.join(), `sha256Many of ${pieces.length} inputs`))
  pieces.forEach((piece, i) => add(qrhash.sha256(piece, { encoding: 'hex' }), (digest) => check(digest === pieceDigests[i], `sha256 of piece ${i} (${piece.length} B)`)))

  // Merkle roots, split into subtrees across the pool.
  for (const [recordSize, count] of [
    [64, n(40_001)],
    [1000, n(1_025)],
  ]) {
    const input = randomBytes(recordSize * count)
    const expected = merkleReference(input, recordSize).toString('hex')
    add(qrhash.sha256MerkleRoot(input, { recordSize, encoding: 'hex' }), (root) => check(root === expected, `sha256MerkleRoot ${count} × ${recordSize} B`))
  }

  // Hash chains.
  for (const rounds of [0, 1, 2000, n(30_000)]) {
    const input = `chain ${seed} ${rounds}`
    const expected = chainReference(input, rounds).toString('hex')
    add(qrhash.sha256Iterate(input, rounds, { encoding: 'hex' }), (digest) => check(digest === expected, `sha256Iterate ${rounds} rounds`))
  }

  // QR codes: symbols, data URLs, buffers, strings and a batch, each as the sync twin makes it.
  const texts = Array.from({ length: n(60) }, (_, i) => (i % 5 === 4 ? `${seed}${i}`.repeat(40 + i) : `https://example.com/w/${seed}/${i}?q=${'x'.repeat(i % 50)}`))
  /** @type {WorkloadResult['samples']} */
  const samples = []
  texts.forEach((text, i) => {
    add(qrhash.create(text), (symbol) => {
      checkSymbol(check, symbol, text, `create #${i}`)
      const twin = qrhash.createSync(text)
      check(symbol.version === twin.version && symbol.maskPattern === twin.maskPattern && Buffer.compare(symbol.modules, twin.modules) === 0, `create #${i} equals createSync`)
    })
    add(qrhash.createQr(text), (url) => {
      check(url === qrhash.createQrSync(text), `createQr #${i} equals createQrSync`)
      const size = qrhash.createSync(text).size
      check(pngWidth(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64')) === (size + 8) * 4, `createQr #${i}: PNG width`)
      if (i < 3) samples.push({ text, url })
    })
    if (i % 3 === 0) add(qrhash.toBuffer(text, { type: 'png', scale: 2 }), (png) => check(Buffer.compare(png, qrhash.toBufferSync(text, { type: 'png', scale: 2 })) === 0, `toBuffer #${i}`))
    if (i % 3 === 1) add(qrhash.toString(text, { type: 'svg' }), (svg) => check(svg === qrhash.toStringSync(text, { type: 'svg' }), `toString svg #${i}`))
    if (i % 3 === 2) add(qrhash.toString(text), (utf8) => check(utf8 === qrhash.toStringSync(text), `toString utf8 #${i}`))
  })
  add(qrhash.createQrBatch(texts), (urls) => {
    check(urls.length === texts.length, `createQrBatch: ${urls.length} URLs for ${texts.length} texts`)
    const first = urls.findIndex((url, i) => url !== qrhash.createQrSync(/** @type {string} */ (texts[i])))
    check(first === -1, `createQrBatch: URL ${first} is not createQrSync(texts[${first}])`)
  })

  await Promise.all(jobs)
  return { ...state, samples }
}

/**
 * Mode 'ranges': batches cut into more ranges than libuv has threads (see the top).
 * @param {Qrhash} qrhash
 * @returns {Promise<WorkloadResult>}
 */
export async function rangesWorkload(qrhash) {
  const { state, check } = checker()
  const threads = process.env.UV_THREADPOOL_SIZE
  await qrhash.sha256('start the pool with the threads it was given')
  const texts = Array.from({ length: 1000 }, (_, i) => `ticket ${i} ${'#'.repeat(i % 90)}`)
  const urls = texts.map((text) => qrhash.createQrSync(text))
  const records = randomBytes(64 << 17)
  const digests = oracleBatch(records, 64)
  const inputs = Array.from({ length: 5000 }, (_, i) => randomBytes(i % 300))
  const inputDigests = inputs.map(hex)
  /** @type {WorkloadResult['samples']} */
  const samples = []
  for (const ranges of [threads, '64']) {
    if (ranges !== undefined) process.env.UV_THREADPOOL_SIZE = ranges
    const label = `pool of ${threads ?? 'default'} threads, ranges for ${ranges ?? 'default'}`
    const [batch, hashed, many] = await Promise.all([
      qrhash.createQrBatch(texts),
      qrhash.sha256Batch(records),
      qrhash.sha256Many(inputs, { encoding: 'hex' }),
    ])
    check(batch.length === texts.length, `${label}: createQrBatch gave ${batch.length} URLs`)
    const wrong = batch.findIndex((url, i) => url !== urls[i])
    check(wrong === -1, `${label}: createQrBatch URL ${wrong} is not texts[${wrong}]'s`)
    check(Buffer.compare(hashed, digests) === 0, `${label}: sha256Batch of 2^17 records`)
    check(many.join() === inputDigests.join(), `${label}: sha256Many of 5000 inputs`)
    // 50 batches at once, overlapping slices of 20 000 records (1.25 MiB: each is split).
    const slices = Array.from({ length: 50 }, (_, i) => ({ from: i * 2000, to: i * 2000 + 20_000 }))
    const results = await Promise.all(slices.map(({ from, to }) => qrhash.sha256Batch(records.subarray(from * 64, to * 64))))
    results.forEach((result, i) => {
      const { from, to } = /** @type {{ from: number, to: number }} */ (slices[i])
      check(Buffer.compare(result, digests.subarray(from * 32, to * 32)) === 0, `${label}: concurrent batch ${i}`)
    })
    samples.push({ text: /** @type {string} */ (texts[999]), url: /** @type {string} */ (batch[999]) })
  }
  return { ...state, samples }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [packagePath, mode, scale] = process.argv.slice(2)
  const pool = process.env.UV_THREADPOOL_SIZE ?? null
  /** @type {Qrhash} */
  const qrhash = createRequire(import.meta.url)(/** @type {string} */ (packagePath))
  const result = mode === 'ranges' ? await rangesWorkload(qrhash) : await mixedWorkload(qrhash, { seed: process.pid, scale: Number(scale ?? 1) })
  process.stdout.write(`${JSON.stringify({ ...result, pool, target: qrhash.__napiBindingTarget })}\n`)
  process.exitCode = result.failures.length === 0 && result.checks > 0 ? 0 : 1
}
