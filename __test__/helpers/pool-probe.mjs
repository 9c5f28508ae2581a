// A child process for pool.spec.ts, run with UV_THREADPOOL_SIZE (and QRHASH_POOL_SHARE) set:
//   node pool-probe.mjs <path to index.js> <scenario>
// Prints one line of JSON. Scenarios:
//   share     the pool's size and qrhash's share as the process started, and any warning;
//   progress  a hash chain of many slices, with 20 small file reads started after it: whether
//             every read finished before the chain did (libuv's pool is shared, first come
//             first served: without slices a read would wait for the whole chain);
//   render    large PNG renders (a plain one at 16384 px, a styled one with dots), each with 20
//             small file reads started together right after it: whether every read finished before the render
//             did (a PNG pauses between bands of rows), and whether the PNG is toBufferSync's;
//   mixed     every family of call at once, far more parts than slots, while the budget is
//             sampled every millisecond: the most slots ever taken, and each result checked.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const [packagePath, scenario] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const warnings = []
process.on('warning', (warning) => warning.name === 'QrhashWarning' && warnings.push(`${warning.name} ${warning.code}: ${warning.message}`))
const qrhash = require(packagePath)

const digest = (data) => createHash('sha256').update(data).digest()

async function progress() {
  const rounds = 10_000_000
  const chain = qrhash.sha256Iterate('slices', rounds, { encoding: 'hex' })
  let chainDone = false
  const chained = chain.then((hex) => {
    chainDone = true
    return hex
  })
  let readsBeforeChain = 0
  for (let i = 0; i < 20; i++) {
    await readFile(packagePath)
    if (!chainDone) readsBeforeChain++
  }
  const hex = await chained
  return { readsBeforeChain, chainRight: hex === qrhash.sha256IterateSync('slices', rounds, { encoding: 'hex' }) }
}

async function render() {
  const renders = {
    // ~25 ms at version 40; at 16384 px a short URL's huge modules compress in a few ms.
    plain: ['x'.repeat(2000), { width: 16384 }],
    dots: ['https://example.com/dots', { width: 3000, style: { modules: 'dots' } }],
  }
  const report = {}
  for (const [name, [text, options]] of Object.entries(renders)) {
    const started = performance.now()
    let renderMs = 0
    const rendering = qrhash.toBuffer(text, options).then((png) => {
      renderMs = performance.now() - started
      return png
    })
    // Started together, their steps (open, stat, read, close) queue behind the render's slice
    // on the pool's one thread: each pause lets a round of them through.
    let readsBeforeRender = 0
    await Promise.all(
      Array.from({ length: 20 }, () => readFile(packagePath).then(() => renderMs === 0 && readsBeforeRender++)),
    )
    const png = await rendering
    report[name] = { readsBeforeRender, renderMs, same: png.equals(qrhash.toBufferSync(text, options)) }
  }
  return { renders: report }
}

async function mixed() {
  const { share } = qrhash.__poolStats(true)
  let peak = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, qrhash.__poolStats().taken)
  }, 1)
  const failures = []
  const big = Buffer.alloc(24 << 20, 7)
  const records = Buffer.alloc(8 << 20)
  for (let i = 0; i < records.length; i += 4) records.writeUInt32LE(i, i)
  const calls = []
  for (let i = 0; i < 12; i++) {
    calls.push(qrhash.sha256(big).then((d) => d.equals(digest(big)) || failures.push(`sha256 ${i}`)))
    calls.push(
      qrhash.sha256Batch(records, { recordSize: 64 }).then((out) => {
        for (const record of [0, 1, 77_777, records.length / 64 - 1]) {
          const want = digest(records.subarray(record * 64, record * 64 + 64))
          if (!out.subarray(record * 32, record * 32 + 32).equals(want)) failures.push(`batch ${i} record ${record}`)
        }
      }),
    )
    calls.push(qrhash.sha256Iterate(`c${i}`, 300_000).then((d) => d.equals(qrhash.sha256IterateSync(`c${i}`, 300_000)) || failures.push(`chain ${i}`)))
    calls.push(qrhash.sha256Many([big.subarray(i), `m${i}`]).then(([a, b]) => (a.equals(digest(big.subarray(i))) && b.equals(digest(`m${i}`))) || failures.push(`many ${i}`)))
    calls.push(qrhash.createQr(`https://example.com/${i}`).then((url) => url === qrhash.createQrSync(`https://example.com/${i}`) || failures.push(`qr ${i}`)))
  }
  await Promise.all(calls)
  clearInterval(sampler)
  // Runners hand results over as they go and end a moment later: wait (a second at most).
  for (let turn = 0; turn < 1000 && qrhash.__poolStats().taken > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 1))
  const after = qrhash.__poolStats()
  return { share, peak: Math.max(peak, after.peak), takenAfter: after.taken, queuedAfter: after.queued, failures }
}

const scenarios = {
  share: async () => ({}),
  progress,
  render,
  mixed,
}
const { poolSize, share } = qrhash.__poolStats()
const result = await scenarios[scenario]()
await new Promise((resolve) => setImmediate(resolve)) // process.emitWarning emits on a later tick
process.stdout.write(JSON.stringify({ poolSize, share, warnings, ...result }))
