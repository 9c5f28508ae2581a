// sha256File / sha256FileSync against node:crypto: small, empty, 10 MiB and 2 GiB sparse files,
// paths as strings and Buffers, fs-style errors, progress, aborts and flat memory.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import test from 'ava'

import { sha256File, sha256FileSync } from '../index.js'
import { __napiBindingTarget } from './helpers/internal.js'
import { GiB, MiB, checkAbortError, checkProgress, digestOf, peakRssDuring, recordProgress, rejection } from './helpers/oracle.js'

const directory = mkdtempSync(join(tmpdir(), 'qrhash-files-'))
test.after.always('remove the temporary files', () => {
  rmSync(directory, { recursive: true, force: true })
})

/** Writes `bytes` to a new file in the temporary directory and returns its path. */
function fileOf(name: string, bytes: Uint8Array): string {
  const path = join(directory, name)
  writeFileSync(path, bytes)
  return path
}

const SPARSE_SIZE = 2 * GiB
let sparse: { path: string; digest: string } | undefined

/**
 * A 2 GiB file of zeros that takes no disk space (fs.truncate of an empty file), and the digest
 * of 2 GiB of zeros by node:crypto, fed one reused 16 MiB zero buffer at a time.
 */
function sparseFile(): { path: string; digest: string } {
  if (!sparse) {
    const path = join(directory, 'sparse-2GiB.bin')
    writeFileSync(path, '')
    truncateSync(path, SPARSE_SIZE)
    const zeros = Buffer.alloc(16 * MiB)
    const oracle = createHash('sha256')
    for (let done = 0; done < SPARSE_SIZE; done += zeros.length) oracle.update(zeros)
    sparse = { path, digest: oracle.digest('hex') }
  }
  return sparse
}

// The memory and long-running tests are serial: they run first, one at a time, with the event
// loop free to sample RSS and deliver aborts while the pool works.

test.serial('a 2 GiB sparse file hashes to the digest of 2 GiB of zeros while RSS grows by less than 32 MiB', async (t) => {
  const { path, digest } = sparseFile()
  const stat = statSync(path)
  t.is(stat.size, SPARSE_SIZE)
  t.log(`${stat.size} bytes, ${stat.blocks * 512} of them on disk`)
  await sha256File(fileOf('warm-up.bin', Buffer.from('warm up'))) // load code, start the pool
  const { result, grown } = await peakRssDuring(() => sha256File(path, { encoding: 'hex' }), 2)
  t.is(result, digest)
  t.log(`RSS grew by ${(grown / MiB).toFixed(2)} MiB at most while hashing 2 GiB from disk`)
  t.true(grown < 32 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`)
})

test.serial('onProgress (sha256File of 2 GiB): bytes read of the file size, non-decreasing, ending with (size, size) before the promise resolves', async (t) => {
  const { path, digest } = sparseFile()
  const { result, reports, atSettle } = await recordProgress((onProgress) => sha256File(path, { onProgress, encoding: 'hex' }))
  t.log(`${reports.length} reports`)
  t.is(result, digest)
  checkProgress(t, reports, atSettle, SPARSE_SIZE, 'sha256File 2 GiB')
})

test.serial('aborting mid-flight: hashing a 2 GiB file rejects with an AbortError', async (t) => {
  const { path } = sparseFile()
  const controller = new AbortController()
  const reason = new Error('upload cancelled')
  const started = performance.now()
  const pending = sha256File(path, { signal: controller.signal })
  setTimeout(() => controller.abort(reason), 20)
  const error = await rejection(t, pending, 'sha256File 2 GiB')
  t.log(`rejected ${(performance.now() - started).toFixed(0)} ms after the call (aborted at 20 ms)`)
  checkAbortError(t, error, reason, 'sha256File 2 GiB')
})

test('onProgress (sha256File): small and empty files end with (size, size); the Sync twin too', async (t) => {
  for (const size of [0, 1, 3 * MiB + 17]) {
    const path = fileOf(`progress-${size}.bin`, randomBytes(size))
    const async = await recordProgress((onProgress) => sha256File(path, { onProgress }))
    checkProgress(t, async.reports, async.atSettle, size, `sha256File of ${size} bytes`)
    t.deepEqual(async.result, digestOf(readFileSync(path)))
    const sync = await recordProgress(async (onProgress) => sha256FileSync(path, { onProgress }))
    checkProgress(t, sync.reports, sync.atSettle, size, `sha256FileSync of ${size} bytes`)
  }
})

test('sha256File equals node:crypto for small files, an empty file and a 10 MiB random file', async (t) => {
  // Around the block and padding boundaries and the 1 MiB read buffer.
  for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, MiB - 1, MiB, MiB + 1, 3 * MiB + 5, 10 * MiB]) {
    const bytes = randomBytes(size)
    const path = fileOf(`random-${size}.bin`, bytes)
    const expected = digestOf(bytes)
    t.deepEqual(await sha256File(path), expected, `async, ${size} bytes`)
    t.deepEqual(sha256FileSync(path), expected, `sync, ${size} bytes`)
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      const text: string = await sha256File(path, { encoding })
      t.is(text, expected.toString(encoding), `async ${encoding}, ${size} bytes`)
      t.is(sha256FileSync(path, { encoding }), expected.toString(encoding), `sync ${encoding}, ${size} bytes`)
    }
  }
})

test('sha256File takes the path as a Buffer, and non-ASCII names', async (t) => {
  const bytes = randomBytes(5000)
  const expected = digestOf(bytes)
  const path = fileOf('grüße 😀 日本.bin', bytes)
  t.deepEqual(await sha256File(path), expected, 'a string with non-ASCII characters')
  t.deepEqual(await sha256File(Buffer.from(path)), expected, 'a Buffer')
  t.deepEqual(sha256FileSync(Buffer.from(path)), expected, 'a Buffer, sync')
  // A name that is not UTF-8 at all, as Linux allows: reachable only as a Buffer, and only
  // natively; WASI file systems take UTF-8 names alone, which the WebAssembly build says.
  if (process.platform === 'linux') {
    const raw = Buffer.concat([Buffer.from(join(directory, 'latin1-')), Buffer.from([0xe9, 0xff]), Buffer.from('.bin')])
    writeFileSync(raw, bytes)
    if (__napiBindingTarget === 'native') {
      t.deepEqual(await sha256File(raw), expected, 'a non-UTF-8 name as a Buffer')
    } else {
      await t.throwsAsync(sha256File(raw), { instanceOf: RangeError, message: /^path must be UTF-8/ })
    }
  }
})

test('a missing file is an Error with code ENOENT whose message names the path', async (t) => {
  const path = join(directory, 'no such file.bin')
  const error = await rejection(t, sha256File(path), 'sha256File')
  t.is(error.code, 'ENOENT')
  t.true(error.message.includes(path), error.message)
  const syncError = t.throws(() => sha256FileSync(path)) as Error & { code?: unknown }
  t.true(syncError instanceof Error)
  t.is(syncError.code, 'ENOENT')
  t.true(syncError.message.includes(path), syncError.message)
  const nested = join(directory, 'missing-directory', 'file')
  t.is((await rejection(t, sha256File(Buffer.from(nested)), 'a Buffer path')).code, 'ENOENT')
})

test('a directory is an Error with a string code (EISDIR)', async (t) => {
  const error = await rejection(t, sha256File(directory), 'sha256File of a directory')
  t.is(typeof error.code, 'string', error.message)
  t.log(`${error.code}: ${error.message}`)
  t.is(error.code, 'EISDIR')
  const syncError = t.throws(() => sha256FileSync(directory)) as Error & { code?: unknown }
  t.is(typeof syncError.code, 'string')
  // A file used as a directory.
  const file = fileOf('plain.bin', Buffer.from('x'))
  const notDirectory = await rejection(t, sha256File(join(file, 'child')), 'a file used as a directory')
  t.is(typeof notDirectory.code, 'string', notDirectory.message)
})

test('sha256File takes a file: URL as fs does; other URLs reject (or throw, sync) with fs\'s errors', async (t) => {
  const bytes = randomBytes(4096)
  const path = fileOf('a name with spaces, % and ü', bytes)
  const expected = digestOf(bytes).toString('hex')
  t.is(await sha256File(pathToFileURL(path), { encoding: 'hex' }), expected, 'async, percent-decoded')
  t.is(sha256FileSync(pathToFileURL(path), { encoding: 'hex' }), expected, 'sync')
  for (const [url, code] of [
    [new URL('https://example.com/file'), 'ERR_INVALID_URL_SCHEME'],
    [new URL('file://somehost/etc/hostname'), 'ERR_INVALID_FILE_URL_HOST'],
    [new URL(`file://${directory}/a%2Fb`), 'ERR_INVALID_FILE_URL_PATH'],
  ] as const) {
    let promise: Promise<unknown> | undefined
    t.notThrows(() => {
      promise = sha256File(url)
    }, `${url.href}: the async form rejects instead of throwing`)
    await t.throwsAsync(promise!, { instanceOf: TypeError, code }, url.href)
    t.throws(() => sha256FileSync(url), { instanceOf: TypeError, code }, url.href)
  }
  // A string is a path even when it reads like a URL, as in fs.
  await t.throwsAsync(sha256File(pathToFileURL(path).href), { code: 'ENOENT' })
})

test('sha256File refuses a path that is not a string or Buffer, an empty path and a path with NUL', async (t) => {
  for (const [label, path, name] of [
    ['a number', 42, 'TypeError'],
    ['undefined', undefined, 'TypeError'],
    ['an object', { path: '/etc/hostname' }, 'TypeError'],
    ['an empty string', '', 'RangeError'],
    ['a NUL byte', `${directory}/a\0b`, 'RangeError'],
  ] as const) {
    const call = () => (sha256File as (...args: unknown[]) => Promise<unknown>)(path)
    let promise: Promise<unknown> | undefined
    t.notThrows(() => {
      promise = call()
    }, label)
    const error = await rejection(t, promise!, label)
    t.is(error.name, name, `${label}: ${error.message}`)
    t.true(error.message.includes('path'), `${label}: ${error.message}`)
    t.throws(() => (sha256FileSync as (...args: unknown[]) => unknown)(path), { name })
  }
  await t.throwsAsync(sha256File(join(directory, 'x'), { encoding: 'latin1' as 'hex' }), { instanceOf: RangeError, message: /options\.encoding/ })
  await t.throwsAsync(sha256File(join(directory, 'x'), { recordSize: 64 } as object), { instanceOf: TypeError, message: /options\.recordSize/ })
})
