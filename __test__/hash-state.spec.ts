// createSha256's exportState() and createSha256({ state }): a hash paused and resumed, in this
// process and in another, gives node:crypto's digest of the whole message; a state that was
// changed, cut or made by hand is refused with a RangeError, never hashed.
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { createSha256 } from '../index.js'

const hex = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}
const message = randomBytes(300_000)

test('a hash exported and resumed at every kind of split equals node:crypto of the whole', (t) => {
  for (const split of [0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 129, 4095, 65_536, 299_999, 300_000]) {
    const head = message.subarray(0, split)
    const state = createSha256().update(head).exportState()
    t.is(state.length, 128)
    t.is(state.readBigUInt64LE(8), BigInt(split), 'bytes 8‥16 count the bytes hashed')
    const resumed = createSha256({ state }).update(message.subarray(split))
    t.is(resumed.digest('hex'), hex(message), `split at ${split}`)
  }
})

test('exporting does not change the hasher, and the state is the same for the same bytes', (t) => {
  const hasher = createSha256().update('first part, ')
  const state = hasher.exportState()
  t.deepEqual(createSha256().update('first ').update('part, ').exportState(), state)
  hasher.update('second part')
  t.is(hasher.digest('hex'), hex(Buffer.from('first part, second part')))
  // The exported state was not moved on by the later update.
  t.is(createSha256({ state }).update('second part').digest('hex'), hex(Buffer.from('first part, second part')))
})

test('states resume from chained exports, streamed writes and chunks hashed on the pool', async (t) => {
  // 64 KiB chunks and more go through updateAsync on the pool.
  const chunks = [randomBytes(70_000), randomBytes(10), randomBytes(200_000), randomBytes(65_536)]
  let state: Buffer | undefined
  for (const chunk of chunks) {
    const hasher = createSha256(state === undefined ? undefined : { state })
    await pipeline(Readable.from([chunk]), hasher)
    state = hasher.exportState()
  }
  t.is(createSha256({ state }).digest('hex'), hex(...chunks))
})

test('a state resumes in another process', (t) => {
  const head = message.subarray(0, 12_345)
  const state = createSha256().update(head).exportState()
  const script = `
    const { createSha256 } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const state = Buffer.from(process.argv[1], 'base64')
    process.stdout.write(createSha256({ state }).update(Buffer.from(process.argv[2], 'base64')).digest('hex'))
  `
  const tail = message.subarray(12_345, 20_000)
  const child = spawnSync(process.execPath, ['-e', script, state.toString('base64'), tail.toString('base64')], {
    encoding: 'utf8',
    env: process.env,
  })
  t.is(child.stderr, '')
  t.is(child.stdout, hex(message.subarray(0, 20_000)))
})

test('a state is read from any binary view: Uint8Array, DataView, ArrayBuffer, SharedArrayBuffer, at an offset', (t) => {
  const state = createSha256().update('abc').exportState()
  const expected = hex(Buffer.from('abcdef'))
  const shared = new SharedArrayBuffer(128)
  new Uint8Array(shared).set(state)
  const padded = new Uint8Array(140)
  padded.set(state, 5)
  const views: Array<[string, Uint8Array | DataView | ArrayBuffer | SharedArrayBuffer]> = [
    ['Uint8Array', new Uint8Array(state)],
    ['DataView', new DataView(new Uint8Array(state).buffer)],
    ['ArrayBuffer', new Uint8Array(state).buffer],
    ['SharedArrayBuffer', shared],
    ['a view at an offset', padded.subarray(5, 133)],
  ]
  for (const [name, view] of views) {
    t.is(createSha256({ state: view }).update('def').digest('hex'), expected, name)
  }
})

const invalidState = (pattern: RegExp) => ({ instanceOf: RangeError, code: 'ERR_QRHASH_INVALID_STATE', message: pattern })

test('every single-bit change of a state is refused with a RangeError, never hashed', (t) => {
  const state = createSha256().update(message.subarray(0, 1000)).exportState()
  let refused = 0
  for (let byte = 0; byte < state.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const corrupted = Buffer.from(state)
      corrupted[byte] = (corrupted[byte] ?? 0) ^ (1 << bit)
      const error = t.throws(() => createSha256({ state: corrupted }), invalidState(/^options\.state /))
      if (error) refused++
    }
  }
  t.is(refused, 128 * 8)
})

test('each kind of bad state says what is wrong with it', (t) => {
  const state = createSha256().update('x').exportState()
  t.throws(() => createSha256({ state: state.subarray(0, 127) }), invalidState(/^options\.state is 127 bytes long; a qrhash hash state is 128$/))
  t.throws(() => createSha256({ state: Buffer.concat([state, Buffer.of(0)]) }), invalidState(/is 129 bytes long/))
  t.throws(() => createSha256({ state: new Uint8Array(0) }), invalidState(/is 0 bytes long/))
  t.throws(() => createSha256({ state: Buffer.alloc(128) }), invalidState(/is not a qrhash hash state \(no QRHS header\)$/))
  const newer = Buffer.from(state)
  newer[4] = 2
  t.throws(() => createSha256({ state: newer }), invalidState(/is a state of format version 2, which this qrhash does not read \(it reads version 1\)$/))
  const flipped = Buffer.from(state)
  flipped[30] = (flipped[30] ?? 0) ^ 0x10
  t.throws(() => createSha256({ state: flipped }), invalidState(/is corrupted: its checksum does not match its contents$/))
})

test('a state of the wrong type is a TypeError naming options.state; a string gets a hint', (t) => {
  t.throws(() => createSha256({ state: createSha256().exportState().toString('base64') as never }), {
    instanceOf: TypeError,
    message: /^options\.state must be the Buffer exportState\(\) returned .* not a string; decode a stored state first, e\.g\. Buffer\.from\(text, 'base64'\)$/,
  })
  for (const value of [42, {}, [1, 2, 3], null, true]) {
    t.throws(() => createSha256({ state: value as never }), { instanceOf: TypeError, message: /options\.state/ }, String(value))
  }
  // No state (undefined) is a fresh hasher.
  t.is(createSha256({ state: undefined }).digest('hex'), hex(new Uint8Array(0)))
})

test('exportState refuses while writes are pending, and after digest()', async (t) => {
  const hasher = createSha256()
  const written = new Promise<void>((resolve, reject) => hasher.write(randomBytes(100_000), (error) => (error ? reject(error) : resolve())))
  t.throws(() => hasher.exportState(), { code: 'ERR_QRHASH_WRITE_PENDING', message: /^100000 written bytes are still pending/ })
  await written
  const state = hasher.exportState()
  t.is(state.readBigUInt64LE(8), 100_000n)
  hasher.digest()
  t.throws(() => hasher.exportState(), { code: 'ERR_CRYPTO_HASH_FINALIZED' })
})

test('options.state is read once, before any other option, and its bytes are not kept', (t) => {
  const state = createSha256().update('abc').exportState()
  const copy = new Uint8Array(state)
  let reads = 0
  const options = {
    get state() {
      reads++
      return copy
    },
    // Read by Writable after the state: emptying the state's memory then changes nothing.
    get highWaterMark() {
      if (copy.byteLength > 0) {
        copy.fill(0)
        structuredClone(copy.buffer, { transfer: [copy.buffer] })
      }
      return 1024
    },
  }
  const hasher = createSha256(options)
  t.is(reads, 1)
  t.is(copy.byteLength, 0, 'the getter detached the state after it was read')
  t.is(hasher.update('def').digest('hex'), hex(Buffer.from('abcdef')))
})
