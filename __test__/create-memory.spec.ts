// Every result of create() and createSync() owns exactly its memory (issue #16, item 7):
// createSync used to pack small results one after another into a shared slab, so a structured
// clone or a postMessage of one result copied its neighbours' modules, and writing through
// `modules.buffer` changed them. These tests hold each result to its own memory: `modules` is
// the whole of its buffer, a clone holds nothing of any other result, writing through one
// result changes no other, and the internal entry point refuses or ignores bad scratch memory.
import { createRequire } from 'node:module'
import { serialize } from 'node:v8'

import test from 'ava'

import { create, createSync, type QrSymbol } from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'
import { prng } from './helpers/oracle.js'

const require = createRequire(import.meta.url)
/** The native half index.js calls; internal and untyped, but reachable from CommonJS. */
const createSyncInto: (text: unknown, options: unknown, scratch: unknown) => [unknown, ...unknown[]] =
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
  // Mostly small codes, with a version-40-sized one every so often and some binary data: every
  // result made with the same scratch memory, each copied out before the next.
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

/** Results of every size, made by createSync and create(), for the memory tests. */
async function assortedResults(): Promise<Array<[string, QrSymbol]>> {
  const texts = ['a', 'otpauth://totp/alice@example.com?secret=JBSWY3DPEHPK3PXP', 'https://example.com/' + 'x'.repeat(300), 'L'.repeat(3000)]
  const made: Array<[string, QrSymbol]> = []
  for (const text of texts) {
    made.push([`createSync ${text.slice(0, 12)}… (${text.length})`, createSync(text)])
    made.push([`create ${text.slice(0, 12)}… (${text.length})`, await create(text)])
  }
  return made
}

test('every result owns exactly its memory: modules is the whole of its buffer', async (t) => {
  for (const [label, symbol] of await assortedResults()) {
    t.is(symbol.modules.byteOffset, 0, label)
    t.is(symbol.modules.buffer.byteLength, symbol.modules.length, label)
    t.is(symbol.modules.length, symbol.size * symbol.size, label)
  }
})

test("a structured clone of one result holds none of another result's bytes", async (t) => {
  const secret = createSync('otpauth://totp/bob@example.com?secret=KRSXG5CTMVRXEZLU')
  const secretModules = Buffer.from(secret.modules)
  for (const [label, symbol] of await assortedResults()) {
    const clone = structuredClone(symbol)
    t.is(clone.modules.buffer.byteLength, symbol.modules.length, `${label}: the clone's modules`)
    t.false(serialize(symbol).includes(secretModules), `${label}: serialised (as postMessage does), no other result's modules`)
  }
})

test("writing through one result's buffer changes no other result", async (t) => {
  const results = await assortedResults()
  const before = results.map(([, symbol]) => plain(symbol))
  for (const [index, [label, symbol]] of results.entries()) {
    new Uint8Array(symbol.modules.buffer).fill(7)
    t.true(symbol.modules.every((module) => module === 7), `${label}: written`)
    for (const [later, [other, otherSymbol]] of results.entries()) {
      if (later > index) t.deepEqual(plain(otherSymbol), before[later], `${other} after writing through ${label}`)
    }
  }
  t.deepEqual(plain(createSync('later')), plain(await create('later')), 'later calls are unaffected')
})

test("transferring one result's buffer takes its own memory only", async (t) => {
  const first = createSync('first')
  const second = createSync('second')
  const expected = plain(second)
  const moved = structuredClone(first.modules, { transfer: [first.modules.buffer] })
  t.is(first.modules.length, 0, 'the transferred result is detached')
  t.is(moved.buffer.byteLength, moved.length, 'and what moved is its modules alone')
  t.deepEqual(plain(second), expected, 'its neighbour is unchanged')
  t.deepEqual(plain(createSync('third')), plain(await create('third')), 'later calls still work')
})

test('the internal __createSyncInto: scratch memory it cannot use is ignored; usable scratch is written from its start', (t) => {
  const reference = plain(createSync('abc'))
  for (const [scratch, label] of [
    [null, 'null'],
    [{}, 'a plain object'],
    [new Uint16Array(4096), 'a Uint16Array'],
    [new Uint8Array(10), 'too short'],
    [new DataView(new ArrayBuffer(4096)), 'a DataView'],
  ] as const) {
    const parts = createSyncInto('abc', undefined, scratch)
    t.true(parts[0] instanceof Uint8Array, `${label}: the packed symbol comes in a Buffer of its own`)
    t.is(parts[1], 'abc', label)
  }
  const scratch = new Uint8Array(1000)
  const written = createSyncInto('abc', undefined, scratch)
  if (__napiBindingTarget !== 'native') {
    // Under WASI no memory is lent in place, so every result comes in a Buffer of its own.
    t.true(written[0] instanceof Uint8Array && scratch.every((byte) => byte === 0), `${__napiBindingTarget}: the scratch is not used`)
    return
  }
  t.is(typeof written[0], 'number', 'scratch with room is written')
  t.is(scratch[4]! | (scratch[5]! << 8), 21, 'the width, at the start')
  t.is(scratch[6]! | (scratch[7]! << 8), 21, 'the height, after it')
  t.true(scratch.subarray(written[0] as number).every((byte) => byte === 0), 'nothing after the packed length')
  // An 8-byte head and one segment's mode, then the modules.
  t.deepEqual(Buffer.from(scratch.subarray(9, written[0] as number)).toString('base64'), reference.modules, 'the modules')
})
