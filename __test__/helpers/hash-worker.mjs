// A worker thread for hash-workers.spec.ts, in plain JavaScript so it needs no loader. It checks
// every digest itself with node:crypto and reports only counts.
//
// mode 'fill':  fills its share of workerData.input (a SharedArrayBuffer: `records` records
//               from record `first`) with its own records, posts 'filled', waits for 'hashed',
//               then reads those records' digests in place from workerData.output (another
//               SharedArrayBuffer) and posts how many match.
// mode 'self':  loads qrhash itself (workerData.packagePath) and hashes its own records with
//               sha256Batch, sha256BatchSync (into a SharedArrayBuffer), sha256 and
//               sha256MerkleRoot, posting how many digests match.
// mode 'busy':  loads qrhash, starts long hashes of its own memory, posts 'busy' (to be
//               terminated while they run).
// mode 'workload': loads qrhash and runs helpers/workload.mjs's mixed workload (every hashing
//               family and QR code, checked in here against node:crypto and the sync twins),
//               posting { type: 'workload', checks, failures, target }.
// mode 'flood': loads qrhash, starts workerData.calls promises at once (hash chains of
//               workerData.rounds rounds and QR data URLs, alternately), posts 'busy', and
//               stays alive (to be terminated with them in flight); posts 'done' if they all
//               settle first.
import { createHash, randomFillSync } from 'node:crypto'
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const digestOf = (bytes) => createHash('sha256').update(bytes).digest()

/** How many of the `records` digests in `output` equal node:crypto's digest of their record. */
function countMatches(input, output, records, recordSize) {
  let matches = 0
  for (let i = 0; i < records; i++) {
    const expected = digestOf(input.subarray(i * recordSize, (i + 1) * recordSize))
    if (Buffer.compare(expected, output.subarray(i * 32, (i + 1) * 32)) === 0) matches++
  }
  return matches
}

/** Random records, each starting with its own index so no two are alike. */
function fillRecords(bytes, records, recordSize, first = 0) {
  randomFillSync(bytes)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < records; i++) view.setUint32(i * recordSize, first + i)
}

const { mode, records, recordSize } = workerData

if (mode === 'fill') {
  const first = workerData.first ?? 0
  const input = new Uint8Array(workerData.input, first * recordSize, records * recordSize)
  const output = new Uint8Array(workerData.output, first * 32, records * 32)
  fillRecords(input, records, recordSize, first)
  parentPort.once('message', (message) => {
    if (message !== 'hashed') throw new Error(`unexpected message ${String(message)}`)
    parentPort.postMessage({ type: 'checked', matches: countMatches(input, output, records, recordSize) })
  })
  parentPort.postMessage({ type: 'filled' })
} else if (mode === 'self') {
  const qrhash = createRequire(import.meta.url)(workerData.packagePath)
  const input = new Uint8Array(new SharedArrayBuffer(records * recordSize))
  fillRecords(input, records, recordSize)
  const batch = await qrhash.sha256Batch(input, { recordSize })
  const output = new SharedArrayBuffer(records * 32)
  const returned = qrhash.sha256BatchSync(input, { recordSize, output })
  const abc = await qrhash.sha256('abc', { encoding: 'hex' })
  const root = await qrhash.sha256MerkleRoot(input, { recordSize, encoding: 'hex' })
  // The root by its definition, from the digests node:crypto gives.
  let level = []
  for (let i = 0; i < records; i++) level.push(digestOf(input.subarray(i * recordSize, (i + 1) * recordSize)))
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1])
    const parents = []
    for (let i = 0; i < level.length; i += 2) parents.push(createHash('sha256').update(level[i]).update(level[i + 1]).digest())
    level = parents
  }
  parentPort.postMessage({
    type: 'self',
    asyncMatches: Buffer.isBuffer(batch) && batch.length === records * 32 ? countMatches(input, batch, records, recordSize) : -1,
    syncMatches: returned === output ? countMatches(input, new Uint8Array(output), records, recordSize) : -1,
    abc,
    rootMatches: root === level[0].toString('hex'),
  })
} else if (mode === 'busy') {
  // Starts hashing its own (not shared) memory on the pool and says so, for terminate().
  const qrhash = createRequire(import.meta.url)(workerData.packagePath)
  const own = Buffer.alloc(records * recordSize, 7)
  const pending = [qrhash.sha256Batch(own, { recordSize }), qrhash.sha256(own), qrhash.sha256MerkleRoot(own, { recordSize })]
  parentPort.postMessage({ type: 'busy' })
  await Promise.all(pending)
  parentPort.postMessage({ type: 'done' })
} else if (mode === 'workload') {
  const qrhash = createRequire(import.meta.url)(workerData.packagePath)
  const { mixedWorkload } = await import('./workload.mjs')
  const { checks, failures } = await mixedWorkload(qrhash, { seed: workerData.seed, scale: workerData.scale ?? 1 })
  parentPort.postMessage({ type: 'workload', checks, failures, target: qrhash.__napiBindingTarget })
} else if (mode === 'flood') {
  const qrhash = createRequire(import.meta.url)(workerData.packagePath)
  const pending = Array.from({ length: workerData.calls }, (_, i) =>
    i % 2 === 0 ? qrhash.sha256Iterate(`flood ${i}`, workerData.rounds) : qrhash.createQr(`https://example.com/flood/${i}`),
  )
  // Kept alive, so that only terminate() ends this worker (its exit code is then 1).
  setInterval(() => {}, 1 << 30)
  parentPort.postMessage({ type: 'busy' })
  await Promise.all(pending)
  parentPort.postMessage({ type: 'done' })
} else {
  throw new Error(`unknown mode ${mode}`)
}
