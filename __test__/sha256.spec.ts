import { createHash, randomBytes } from 'node:crypto'

import test from 'ava'

import { sha256, sha256Into, sha256Sync } from '../index.js'
import { binaryViews } from './helpers/oracle.js'

/** node:crypto (OpenSSL) is the oracle. */
const oracle = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest()

// Around the 55/56-byte padding boundary, the 64-byte block, two blocks, and up to 1 MiB.
const lengths = [0, 1, 3, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 1000, 4096, 65_537, 1 << 20]

test('sha256 equals node:crypto for every length from 0 to 1 MiB around each block boundary', async (t) => {
  for (const length of lengths) {
    const data = randomBytes(length)
    const expected = oracle(data)
    t.deepEqual(await sha256(data), expected, `async, ${length} bytes`)
    t.deepEqual(sha256Sync(data), expected, `sync, ${length} bytes`)
  }
})

test('sha256 matches the FIPS 180-4 examples', async (t) => {
  t.is(await sha256('abc', { encoding: 'hex' }), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  t.is(
    sha256Sync('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', { encoding: 'hex' }),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  )
})


for (const length of [0, 1, 64, 1000, 1 << 20]) {
  test(`sha256 reads every binary input type in place (${length} bytes)`, async (t) => {
    for (const [name, input, covered] of binaryViews(randomBytes(length))) {
      const expected = oracle(covered)
      t.deepEqual(await sha256(input), expected, `async ${name}`)
      t.deepEqual(sha256Sync(input), expected, `sync ${name}`)
    }
  })
}

test('sha256 hashes strings as UTF-8, like node:crypto', async (t) => {
  for (const text of ['', 'abc', 'Grüße 👋🏽 日本語', 'x'.repeat(100_000), 'lone \ud800 surrogate']) {
    const expected = createHash('sha256').update(text).digest('hex')
    t.is(await sha256(text, { encoding: 'hex' }), expected, JSON.stringify(text.slice(0, 20)))
    t.is(sha256Sync(text, { encoding: 'hex' }), expected)
  }
})

test('sha256 returns every encoding like node:crypto', async (t) => {
  const data = randomBytes(1000)
  const expected = createHash('sha256').update(data).digest()
  const asBuffer = await sha256(data, { encoding: 'buffer' })
  t.true(Buffer.isBuffer(asBuffer))
  t.deepEqual(asBuffer, expected)
  t.deepEqual(await sha256(data), expected, 'buffer is the default')
  for (const encoding of ['hex', 'base64', 'base64url'] as const) {
    const text: string = await sha256(data, { encoding })
    t.is(text, expected.toString(encoding), encoding)
    t.is(sha256Sync(data, { encoding }), expected.toString(encoding), `sync ${encoding}`)
  }
})

test('sha256: many concurrent calls each get their own digest', async (t) => {
  const inputs = Array.from({ length: 64 }, (_, i) => randomBytes(i * 1000 + 1))
  const digests = await Promise.all(inputs.map((input) => sha256(input, { encoding: 'hex' })))
  digests.forEach((digest, i) => t.is(digest, oracle(inputs[i]!).toString('hex')))
})

test('sha256: a signal that never fires changes nothing and leaves no listener behind', async (t) => {
  const controller = new AbortController()
  const data = randomBytes(4096)
  let added = 0
  let removed = 0
  const signal = controller.signal
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed++, remove(...args))) as typeof remove
  for (let i = 0; i < 10; i++) t.deepEqual(await sha256(data, { signal }), oracle(data))
  t.is(added, 10)
  t.is(removed, 10)
})

test('types: the encoding option decides the result type (checked by tsc --strict)', async (t) => {
  const hex: string = await sha256('x', { encoding: 'hex' })
  const buffer: Buffer = await sha256('x')
  const syncBase64: string = sha256Sync('x', { encoding: 'base64' })
  // @ts-expect-error a hex digest is a string, not a Buffer
  const wrong: Buffer = await sha256('x', { encoding: 'hex' })
  // @ts-expect-error 'latin1' is not a digest encoding
  await t.throwsAsync(sha256('x', { encoding: 'latin1' }), { instanceOf: RangeError })
  t.is(typeof hex, 'string')
  t.true(Buffer.isBuffer(buffer))
  t.is(typeof syncBase64, 'string')
  t.is(typeof wrong, 'string')
})

test('sha256Into writes the digest into the first 32 bytes of the output it returns', (t) => {
  for (const length of [0, 55, 56, 64, 65, 119, 120, 4096]) {
    const data = randomBytes(length)
    const expected = oracle(data)
    for (const [name, input] of binaryViews(data).filter(([, , covered]) => covered.length === data.length)) {
      const output = Buffer.alloc(40, 0xee)
      t.is(sha256Into(input, output), output, `${name}: returns the output`)
      t.deepEqual(output.subarray(0, 32), expected, `${name}, ${length} bytes`)
      t.deepEqual([...output.subarray(32)], new Array(8).fill(0xee), 'bytes after the digest are untouched')
    }
  }
  const shared = new SharedArrayBuffer(32)
  t.is(sha256Into('abc', shared), shared)
  t.deepEqual(Buffer.from(shared), oracle(Buffer.from('abc')))
  const view = new DataView(new ArrayBuffer(48), 16)
  sha256Into('abc', view)
  t.deepEqual(Buffer.from(view.buffer, 16, 32), oracle(Buffer.from('abc')))
})

test('sha256Into refuses outputs it cannot write 32 bytes into', (t) => {
  t.throws(() => sha256Into('abc', Buffer.alloc(31)), { instanceOf: RangeError, code: 'ERR_OUT_OF_RANGE', message: /^output must be at least 32 bytes, got 31 bytes/ })
  t.throws(() => sha256Into('abc', 'out' as unknown as Buffer), { instanceOf: TypeError, message: /^output must be a Buffer/ })
  t.throws(() => sha256Into(5 as unknown as string, Buffer.alloc(32)), { instanceOf: TypeError, message: /^input must be/ })
  const detached = new ArrayBuffer(32)
  structuredClone(detached, { transfer: [detached] })
  t.throws(() => sha256Into('abc', new Uint8Array(detached)), { instanceOf: TypeError, message: /detached/ })
})
