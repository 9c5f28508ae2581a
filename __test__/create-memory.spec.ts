// createSync hands out its results' memory as Node hands out its Buffer pool: small symbols are
// packed one after another into a shared slab (see index.js), each `modules` a view of its own
// part. These tests hold that design to what a caller sees: every result keeps its own modules
// whatever is made after it, a call made from inside another cannot write over it, a transfer
// cannot take the neighbours' memory, and the internal entry point refuses or ignores bad slabs.
import { createRequire } from 'node:module'

import test from 'ava'

import { __napiBindingTarget, create, createSync, type QrSymbol } from '../index.js'
import { prng } from './helpers/oracle.js'

const require = createRequire(import.meta.url)
/** The native half index.js calls; internal and untyped, but reachable from CommonJS. */
const createSyncInto: (text: unknown, options: unknown, slab: unknown, offset: unknown) => [unknown, ...unknown[]] =
  require('../index.js').__createSyncInto

/** The parts of a symbol a caller reads, as plain data, to compare two symbols. */
const plain = (symbol: QrSymbol) => ({
  version: symbol.version,
  level: symbol.errorCorrectionLevel,
  mask: symbol.maskPattern,
  size: symbol.size,
  modules: Buffer.from(symbol.modules).toString('base64'),
  segments: JSON.stringify(symbol.segments),
})

test('createSync: every result keeps its own modules after hundreds of later calls, small and large', async (t) => {
  const random = prng(0x5eab)
  // Mostly small codes (many to a slab), with a version-40-sized one every so often (too
  // large for what is left of a slab) and some binary data.
  const texts: Array<string | Uint8Array> = []
  for (let i = 0; i < 600; i++) {
    if (i % 97 === 13) texts.push('L'.repeat(2000 + i))
    else if (i % 11 === 5) texts.push(new Uint8Array(Array.from({ length: 1 + (i % 40) }, () => Math.floor(random() * 256))))
    else texts.push(`https://example.com/${i}/${'x'.repeat(Math.floor(random() * 200))}`)
  }
  const made = texts.map((text) => createSync(text))
  const sizes = new Set(made.map((symbol) => symbol.size))
  t.true(sizes.size > 10, `${sizes.size} different sizes`)
  t.true(made.some((symbol) => symbol.size > 100), 'some large symbols among the small ones')
  // The async path packs each result into a Buffer of its own: compare after every sync call.
  for (const [i, text] of texts.entries()) {
    const symbol = made[i]!
    t.is(symbol.modules.length, symbol.size * symbol.size, `#${i}: size² modules`)
    t.deepEqual(plain(symbol), plain(await create(text)), `#${i}: the same symbol as create() gives`)
  }
})

test('createSync called from an options getter during another createSync call: both results are their own', async (t) => {
  let inner: QrSymbol | undefined
  const options = {
    get errorCorrectionLevel() {
      inner = createSync('made inside a getter', { errorCorrectionLevel: 'Q' })
      return 'H' as const
    },
  }
  const outer = createSync('the outer call', options)
  t.truthy(inner)
  t.deepEqual(plain(outer), plain(await create('the outer call', { errorCorrectionLevel: 'H' })), 'outer')
  t.deepEqual(plain(inner!), plain(await create('made inside a getter', { errorCorrectionLevel: 'Q' })), 'inner')
  const after = createSync('made after both')
  t.deepEqual(plain(outer), plain(await create('the outer call', { errorCorrectionLevel: 'H' })), 'outer, after a later call')
  t.deepEqual(plain(after), plain(await create('made after both')), 'the later call')
})

test("transferring one result's buffer leaves the others (which share it) readable and unchanged", async (t) => {
  const first = createSync('first')
  const second = createSync('second')
  const expected = plain(second)
  try {
    structuredClone(first.modules, { transfer: [first.modules.buffer] })
  } catch (error) {
    // Newer Node refuses to transfer an untransferable buffer; older Node copies it instead.
    t.is((error as Error).name, 'DataCloneError')
  }
  t.deepEqual(plain(second), expected, 'its neighbour is unchanged')
  t.deepEqual(plain(createSync('third')), plain(await create('third')), 'later calls still work')
})

test('the internal __createSyncInto: a slab it cannot use is ignored, a bad offset is a clear error', (t) => {
  const reference = plain(createSync('abc'))
  const packedBuffer = (parts: unknown[]) => {
    t.true(parts[0] instanceof Uint8Array, 'no slab used: the packed symbol comes in a Buffer of its own')
    return parts
  }
  for (const [slab, label] of [
    [null, 'null'],
    [{}, 'a plain object'],
    [new Uint16Array(4096), 'a Uint16Array'],
    [new Uint8Array(10), 'too short'],
    [new DataView(new ArrayBuffer(4096)), 'a DataView'],
  ] as const) {
    const parts = packedBuffer(createSyncInto('abc', undefined, slab, 0))
    t.is(parts[1], 'abc', label)
  }
  const slab = new Uint8Array(1000)
  const parts = createSyncInto('abc', undefined, slab, 990)
  t.true(parts[0] instanceof Uint8Array, 'past the end of the slab: not written there')
  t.true(slab.every((byte) => byte === 0), 'and the slab is untouched')
  const written = createSyncInto('abc', undefined, slab, 100)
  if (__napiBindingTarget !== 'native') {
    // Under WASI no memory is lent in place, so every result comes in a Buffer of its own.
    t.true(written[0] instanceof Uint8Array && slab.every((byte) => byte === 0), `${__napiBindingTarget}: the slab is not used`)
    return
  }
  t.is(typeof written[0], 'number', 'a slab with room is written')
  t.true(slab.subarray(0, 100).every((byte) => byte === 0), 'nothing before the offset')
  t.is(slab[100 + 4]! | (slab[100 + 5]! << 8), 21, 'the size, at the offset')
  t.true(slab.subarray(100 + (written[0] as number)).every((byte) => byte === 0), 'nothing after the packed length')
  t.deepEqual(Buffer.from(slab.subarray(100 + 7, 100 + (written[0] as number))).toString('base64'), reference.modules, 'the modules')
  for (const offset of [-1, 1.5, Number.NaN, 2 ** 32]) {
    t.throws(() => createSyncInto('abc', undefined, slab, offset), { instanceOf: RangeError, message: /^offset must be an integer from 0 to 4294967295/ }, String(offset))
  }
  t.throws(() => createSyncInto('abc', undefined, slab, '3'), { instanceOf: TypeError, message: /^offset must be a number/ })
})
