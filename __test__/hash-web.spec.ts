// sha256() of a Blob, a File and a web ReadableStream (a fetch body), against node:crypto: read
// in chunks, abortable (signal and cancelAll), reporting progress, with the native calls'
// option errors; hostile Blobs and producers that take their chunks back.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { cancelAll, sha256 } from '../index.js'

const hex = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}
const data = randomBytes(3 * 1024 * 1024 + 17)

/** A stream that yields `chunks` one per pull and records whether it was cancelled, and why. */
function streamOf(chunks: unknown[]) {
  const seen = { cancelled: false, reason: undefined as unknown }
  let next = 0
  const stream = new ReadableStream({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++])
      else controller.close()
    },
    cancel(reason) {
      seen.cancelled = true
      seen.reason = reason
    },
  })
  return { stream, seen }
}

/** An endless stream of 256 KiB chunks, and whether it was cancelled. */
function endless() {
  const seen = { cancelled: false, pulls: 0 }
  const stream = new ReadableStream({
    pull(controller) {
      seen.pulls++
      controller.enqueue(new Uint8Array(256 * 1024).fill(seen.pulls & 0xff))
    },
    cancel() {
      seen.cancelled = true
    },
  })
  return { stream, seen }
}

test('a Blob and a File of every size class equal node:crypto, in every encoding', async (t) => {
  for (const size of [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, data.length]) {
    const bytes = data.subarray(0, size)
    t.is(await sha256(new Blob([bytes]), 'hex'), hex(bytes), `Blob of ${size}`)
    t.is(await sha256(new File([bytes], 'upload.bin'), { encoding: 'base64' }), createHash('sha256').update(bytes).digest('base64'), `File of ${size}`)
  }
  const digest = await sha256(new Blob([data]))
  t.true(Buffer.isBuffer(digest))
  t.is(digest.toString('base64url'), createHash('sha256').update(data).digest('base64url'))
  // A Blob of several parts, one a string.
  t.is(await sha256(new Blob(['héllo ', data.subarray(0, 1000), new Blob(['!'])]), 'hex'), hex(Buffer.from('héllo '), data.subarray(0, 1000), Buffer.from('!')))
})

test('a ReadableStream of chunks of every size and kind of view equals node:crypto', async (t) => {
  const parts = [data.subarray(0, 10), data.subarray(10, 200_000), data.subarray(200_000, 200_001), data.subarray(200_001, 1_500_000), data.subarray(1_500_000)]
  const chunks = [
    new Uint8Array(parts[0] as Buffer),
    new DataView(new Uint8Array(parts[1] as Buffer).buffer),
    new Uint8Array(parts[2] as Buffer).buffer,
    Buffer.from(parts[3] as Buffer),
    new Uint16Array(new Uint8Array(parts[4] as Buffer).buffer.slice(0, ((parts[4] as Buffer).length >> 1) << 1)),
  ]
  const expected = hex(...parts.slice(0, 4), (parts[4] as Buffer).subarray(0, ((parts[4] as Buffer).length >> 1) << 1))
  t.is(await sha256(streamOf(chunks).stream, 'hex'), expected)
  t.is(await sha256(new ReadableStream({ start: (controller) => controller.close() }), 'hex'), hex(), 'an empty stream')
  t.is(await sha256(new Blob([data]).stream(), 'hex'), hex(data), "a Blob's own stream")
})

test("a file's Blob (fs.openAsBlob) and a Node stream made web (Readable.toWeb) equal node:crypto", async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'qrhash-web-'))
  try {
    const path = join(directory, 'upload.bin')
    writeFileSync(path, data)
    t.is(await sha256(await openAsBlob(path), 'hex'), hex(data))
    t.is(await sha256(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, 'hex'), hex(data))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('a fetch response body from a local server, streamed as it comes', async (t) => {
  const body = randomBytes(5 * 1024 * 1024)
  const server = createServer((_request, response) => {
    let sent = 0
    const send = () => {
      while (sent < body.length) {
        const end = Math.min(sent + 100_003, body.length)
        const more = response.write(body.subarray(sent, end))
        sent = end
        if (!more) return void response.once('drain', send)
      }
      response.end()
    }
    send()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}/`)
    const reports: Array<[number, number]> = []
    const digest = await sha256(response.body as ReadableStream<Uint8Array>, { encoding: 'hex', onProgress: (done, total) => reports.push([done, total]) })
    t.is(digest, hex(body))
    t.deepEqual(reports.at(-1), [body.length, body.length], 'the last report has done === total')
    for (const [done, total] of reports.slice(0, -1)) t.true(Number.isNaN(total) && done <= body.length)
  } finally {
    server.close()
  }
})

test("progress: a Blob's size is the total from the start; reports rise and end at done === total", async (t) => {
  const reports: Array<[number, number]> = []
  const blob = new Blob([data, data, data, data])
  t.is(await sha256(blob, { encoding: 'hex', onProgress: (done, total) => reports.push([done, total]) }), hex(data, data, data, data))
  t.true(reports.length >= 1)
  t.deepEqual(reports.at(-1), [blob.size, blob.size])
  for (let i = 1; i < reports.length; i++) t.true((reports[i]?.[0] ?? 0) >= (reports[i - 1]?.[0] ?? 0))
  for (const [, total] of reports) t.is(total, blob.size)
})

test('aborting rejects with an AbortError whose cause is the reason, and cancels the stream', async (t) => {
  const reason = new Error('user left')
  const before = streamOf([data])
  const error = await t.throwsAsync(sha256(before.stream, { signal: AbortSignal.abort(reason) }), { name: 'AbortError', code: 'ERR_ABORTED' })
  t.is(error?.cause, reason)
  t.false(before.stream.locked, 'an already-aborted signal never takes the stream')

  const { stream, seen } = endless()
  const controller = new AbortController()
  const call = sha256(stream, { signal: controller.signal, onProgress: (done) => void (done > 4 * 1024 * 1024 && controller.abort(reason)) })
  const aborted = await t.throwsAsync(call, { name: 'AbortError', code: 'ERR_ABORTED', message: 'The operation was aborted' })
  t.is(aborted?.cause, reason)
  await new Promise((resolve) => setImmediate(resolve))
  t.true(seen.cancelled, 'the endless stream was cancelled')
  const pulls = seen.pulls
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.is(seen.pulls, pulls, 'nothing is read after the abort')
})

test.serial('cancelAll() stops Blob and stream hashes too, and counts them', async (t) => {
  const { stream, seen } = endless()
  const call = sha256(stream)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.true(cancelAll() >= 1)
  const error = await t.throwsAsync(call, { name: 'AbortError', code: 'ERR_ABORTED' })
  t.is(error?.cause, undefined, 'as for the native calls, no cause')
  await new Promise((resolve) => setImmediate(resolve))
  t.true(seen.cancelled)
  t.is(cancelAll(), 0, 'nothing is left in flight')
})

test("a stream's error, a chunk that is not bytes, a throwing onProgress and a locked stream are reported", async (t) => {
  const broken = new Error('connection reset')
  let pulls = 0
  const failing = new ReadableStream({
    pull(controller) {
      if (++pulls > 3) controller.error(broken)
      else controller.enqueue(new Uint8Array(1000))
    },
  })
  t.is(await t.throwsAsync(sha256(failing)), broken)

  const text = streamOf([new Uint8Array(5), 'text', new Uint8Array(5), new Uint8Array(5)])
  await t.throwsAsync(sha256(text.stream), {
    instanceOf: TypeError,
    code: 'ERR_INVALID_ARG_TYPE',
    message: "input must be a stream of bytes (Uint8Array chunks), got the string 'text' at byte 5; pipe text through a TextEncoderStream first",
  })
  t.true(text.seen.cancelled, 'the stream is cancelled when a chunk is refused')

  const thrown = new Error('progress bar broke')
  const { stream, seen } = endless()
  t.is(await t.throwsAsync(sha256(stream, { onProgress: () => { throw thrown } })), thrown)
  await new Promise((resolve) => setImmediate(resolve))
  t.true(seen.cancelled)

  const locked = new ReadableStream()
  locked.getReader()
  await t.throwsAsync(sha256(locked), { instanceOf: TypeError, code: 'ERR_INVALID_STATE', message: /locked: another reader is reading it/ })
})

test("bad options get the native calls' own errors, and onProgress is checked", async (t) => {
  const cases: unknown[] = ['hexx', 5, { encoding: 'hexx' }, { encoding: 5 }, { signal: 1 }, { signal: {} }, { widht: 1 }]
  for (const options of cases) {
    const native = (await t.throwsAsync(sha256(Buffer.from('x'), options as never))) as Error & { code: string }
    const web = (await t.throwsAsync(sha256(new Blob(['x']), options as never))) as Error & { code: string }
    t.is(web.constructor, native.constructor, JSON.stringify(options))
    t.is(web.code, native.code, JSON.stringify(options))
    if ((options as { widht?: number }).widht === undefined) t.is(web.message, native.message, JSON.stringify(options))
    else t.is(web.message, 'options.widht is not an option here; options takes encoding, signal, onProgress')
  }
  await t.throwsAsync(sha256(new Blob(['x']), { onProgress: 1 as never }), { instanceOf: TypeError, message: 'options.onProgress must be a function, got the number 1' })
})

// Serial: the prototype is patched for a moment, and no other test of this file may see it.
test.serial('a Blob is read by its own methods: a patched prototype, an own property or a Proxy cannot change what is hashed', async (t) => {
  const blob = new Blob([data.subarray(0, 100_000)])
  Object.defineProperty(blob, 'stream', { value: () => new Blob(['forged']).stream() })
  Object.defineProperty(blob, 'size', { value: 6 })
  t.is(await sha256(blob, 'hex'), hex(data.subarray(0, 100_000)))
  const original = Blob.prototype.stream
  // Not recursive: the patch must not call itself through `new Blob().stream()`.
  Blob.prototype.stream = function () {
    return original.call(new Blob(['forged']))
  }
  try {
    t.is(Buffer.from(await new Response(new Blob(['real']).stream()).arrayBuffer()).toString(), 'forged', 'the patch is live')
    t.is(await sha256(new Blob(['real']), 'hex'), hex(Buffer.from('real')))
  } finally {
    Blob.prototype.stream = original
  }
  // An object dressed as a Blob is not one.
  await t.throwsAsync(sha256({ [Symbol.toStringTag]: 'Blob', size: 1, stream: () => new Blob(['x']).stream() } as never), { instanceOf: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
})

test('a producer that transfers or overwrites its chunks after enqueueing them changes nothing (child process)', (t) => {
  // Run in a child: were a chunk read in place on the pool after its memory moved, the
  // process could crash; the suite should report that, not die of it.
  const index = JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))
  const script = `
    const { sha256 } = require(${index})
    const { createHash } = require('node:crypto')
    const expected = createHash('sha256')
    let sent = 0
    let last
    const stream = new ReadableStream({
      pull(controller) {
        if (last) {
          last.fill(0xee) // overwritten, then its memory handed to another owner and dropped
          structuredClone(last.buffer, { transfer: [last.buffer] })
        }
        if (sent++ === 64) return controller.close()
        const chunk = new Uint8Array(1024 * 1024).fill(sent)
        expected.update(chunk)
        last = chunk
        controller.enqueue(chunk)
      },
    }, { highWaterMark: 0 })
    sha256(stream, 'hex').then((digest) => {
      globalThis.gc?.()
      process.stdout.write(JSON.stringify({ digest, expected: expected.digest('hex') }))
    })
  `
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env: process.env })
  t.is(child.signal, null, child.stderr)
  t.is(child.status, 0, child.stderr)
  const { digest, expected } = JSON.parse(child.stdout) as { digest: string; expected: string }
  t.is(digest, expected, 'every chunk was hashed as it was enqueued')
})

test('a 256 MiB stream is hashed without holding it: memory grows by less than half of it (child process)', (t) => {
  // In a child with gc exposed, collecting as it goes, so the figure is what is held.
  const index = JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))
  const script = `
    const { sha256 } = require(${index})
    const { createHash, randomFillSync } = require('node:crypto')
    const expected = createHash('sha256')
    let made = 0
    let peak = 0
    let before = 0
    // Measured after a first small hash: under WebAssembly that starts emnapi's threads, which
    // cost a fixed 100 MiB or so whatever is hashed.
    const stream = () => new ReadableStream({
      pull(controller) {
        if (made % 16 === 0) {
          globalThis.gc()
          peak = Math.max(peak, process.memoryUsage().rss)
        }
        if (made++ === 256) return controller.close()
        const chunk = randomFillSync(new Uint8Array(1024 * 1024))
        expected.update(chunk)
        controller.enqueue(chunk)
      },
    }, { highWaterMark: 0 })
    sha256(new Blob([new Uint8Array(4 * 1024 * 1024)])).then(() => {
      before = (globalThis.gc(), process.memoryUsage().rss)
      return sha256(stream(), 'hex')
    }).then((digest) => {
      process.stdout.write(JSON.stringify({ digest, expected: expected.digest('hex'), grewMiB: (peak - before) / 1048576 }))
    })
  `
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env: process.env })
  t.is(child.status, 0, child.stderr)
  const { digest, expected, grewMiB } = JSON.parse(child.stdout) as { digest: string; expected: string; grewMiB: number }
  t.is(digest, expected)
  t.log(`RSS grew by at most ${grewMiB.toFixed(1)} MiB while hashing 256 MiB`)
  // Half the stream: a build that held it whole would grow by all of it. (Natively about 35
  // MiB; through WebAssembly 50–70, as wasm memory keeps its high-water mark.)
  t.true(grewMiB < 128, `RSS grew by ${grewMiB.toFixed(1)} MiB`)
})
