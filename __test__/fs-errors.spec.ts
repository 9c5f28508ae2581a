// Files that never open or never end, and errors with fs's shape.
//
// A FIFO whose other end never comes blocked sha256File and toFile in open(2) forever, and
// abort, cancelAll() and process.exit() with them: each such probe (helpers/fifo-probe.cjs)
// runs in a child process. /dev/zero never ends: its progress has no total. Errors are compared
// with what fs itself raises for the same path (code, errno, syscall, path, message), and every
// async export's rejection carries the stack of the code that awaited it.
import { execFile, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { open, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import * as exported from '../index.js'
import type { WithInternals } from './helpers/internal.js'

const qrhash = exported as WithInternals
const { __napiBindingTarget, sha256File, sha256FileSync, toFile, toFileSync } = qrhash
const native = __napiBindingTarget === 'native'
/** FIFOs: mkfifo. The native build waits for them in polls; the WebAssembly build opens them
 * blocking, but its calls settle and its process ends when stopped all the same. */
const unix = process.platform !== 'win32'
/** FIFOs exist only on Unix: there these tests are registered; Windows has no FIFO to probe. */
const fifoTest: typeof test = unix ? test : (Object.assign(() => undefined, test) as typeof test)
const probeScript = fileURLToPath(new URL('./helpers/fifo-probe.cjs', import.meta.url))
/** How long a stopped call may take to settle here: generous, as twelve children start at once
 * on a shared machine (natively the stop is honoured within one 10 ms poll; the WebAssembly
 * build took up to 1.8 s under that load). The bound only tells "stopped" from "hangs". */
const STOPPED_WITHIN_MS = 5000

const directory = mkdtempSync(join(tmpdir(), 'qrhash-fs-errors-'))
test.after.always('remove the temporary files', () => {
  rmSync(directory, { recursive: true, force: true })
})

let fifos = 0
/** A new FIFO in the temporary directory. */
function fifo(): string {
  const path = join(directory, `fifo-${fifos++}`)
  const made = spawnSync('mkfifo', [path])
  if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`)
  return path
}

/** Runs a child process to its end, or kills it after 15 s: a hang is what these tests look
 * for, and the old build hung forever. Asynchronous, so that the probes run side by side. */
function run(command: string, args: string[]): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr })
    })
  })
}

const probes = ['read', 'idle-writer', 'write', 'idle-reader'] as const
const stops = ['abort', 'cancelAll', 'exit'] as const
for (const probe of probes) {
  for (const stop of stops) {
    const title = `a FIFO (${probe}) is stopped by ${stop} (child process; the old build hung)`
    fifoTest(title, async (t) => {
      const started = performance.now()
      const child = await run(process.execPath, [probeScript, fifo(), probe, stop])
      const wall = performance.now() - started
      t.is(child.signal, null, `the child hung and was killed after ${Math.round(wall)} ms: ${child.stderr}`)
      t.is(child.status, 0, child.stderr)
      if (stop === 'exit') {
        t.is(child.stdout, '', 'process.exit() ended the child before the call settled')
        return
      }
      const report = JSON.parse(child.stdout.trim()) as { outcome: string; name?: string; ms: number }
      t.like(report, { outcome: 'rejected', name: 'AbortError' })
      t.true(report.ms < STOPPED_WITHIN_MS, `settled ${report.ms} ms after ${stop}`)
      t.log(`${probe}, ${stop}: settled ${report.ms} ms after it`)
    })
  }
}

fifoTest('a FIFO is hashed from when its writer opens it until it closes it, as sha256sum does', async (t) => {
  const path = fifo()
  const data = randomBytes(300_000) // several pipe buffers
  const reports: Array<[number, number]> = []
  const digest = sha256File(path, { encoding: 'hex', onProgress: (done, total) => void reports.push([done, total]) })
  const writer = createWriteStream(path)
  writer.end(data)
  t.is(await digest, createHash('sha256').update(data).digest('hex'))
  t.deepEqual(reports.at(-1), [data.length, data.length], 'the final report is (done, done)')
  t.deepEqual(
    reports.slice(0, -1).filter(([, total]) => !Number.isNaN(total)),
    [],
    'before the end the total is NaN: a FIFO has no size',
  )
})

fifoTest('toFile writes into a FIFO once its reader opens it', async (t) => {
  const path = fifo()
  const written = toFile(path, 'fifo', { type: 'svg' })
  const read = readFile(path, 'utf8')
  await written
  t.true((await read).startsWith('<svg '))
})

test('/dev/zero never ends: progress has no total (NaN), and an abort stops it', async (t) => {
  if (process.platform === 'win32') return t.pass('no /dev/zero')
  const reports: Array<[number, number]> = []
  const controller = new AbortController()
  const digest = sha256File('/dev/zero', {
    signal: controller.signal,
    onProgress: (done, total) => {
      reports.push([done, total])
      if (done >= 64 * 1024 * 1024) controller.abort()
    },
  })
  await t.throwsAsync(digest, { name: 'AbortError' })
  t.true(reports.length > 0, 'onProgress was called')
  t.true(
    reports.every(([, total]) => Number.isNaN(total)),
    `every total is NaN (the 0 stat gives a device is no size): ${JSON.stringify(reports.slice(0, 3))}`,
  )
})

// ---------------------------------------------------------------------------------------------
// Errors with fs's shape

interface SystemError extends Error {
  code?: string
  errno?: number
  syscall?: string
  path?: string
}

/** What `promise` rejected with; fails the test if it resolved. */
async function failureOf(promise: Promise<unknown>): Promise<SystemError> {
  try {
    await promise
  } catch (error) {
    return error as SystemError
  }
  throw new Error('resolved instead of rejecting')
}

/** The properties fs gives a system error, as one object to compare. */
const shape = (error: SystemError) => ({
  code: error.code,
  errno: native ? error.errno : undefined,
  syscall: error.syscall,
  path: error.path,
  message: error.message,
})

const loop = join(directory, 'loop')
symlinkSync(loop, loop)
const plain = join(directory, 'plain.txt')
writeFileSync(plain, 'plain')
const unreadable = join(directory, 'unreadable.txt')
writeFileSync(unreadable, 'secret')
chmodSync(unreadable, 0o000)
mkdirSync(join(directory, 'sub'))

/** Paths whose open fails, named by what fs says. EACCES twice: a mode-000 file (fs opens it when
 * running as root) and a /proc file that root cannot open either. */
const failingOpens: Array<[string, string]> = [
  ['ENOENT', join(directory, 'missing')],
  ['ELOOP', loop],
  ['ENOTDIR', join(plain, 'child')],
  ['EACCES (mode 000)', unreadable],
  ['EACCES (/proc/1/mem)', '/proc/1/mem'],
]

for (const [label, path] of failingOpens) {
  test(`sha256File and its twin fail as fs.open does: ${label}`, async (t) => {
    const expected = await open(path).then(
      async (handle) => void (await handle.close()),
      (error: SystemError) => error,
    )
    if (expected === undefined) return t.pass(`fs opens ${path} here (root): nothing to compare`)
    t.is(expected.syscall, 'open')
    t.deepEqual(shape(await failureOf(sha256File(path))), shape(expected), 'async')
    t.deepEqual(shape(t.throws(() => sha256FileSync(path)) as SystemError), shape(expected), 'sync')
    if (native) t.is(expected.errno, -(await import('node:os')).constants.errno[expected.code as 'ENOENT'])
  })
}

test('a directory: EISDIR from read, as fs.readFile says it, with the path fs leaves out', async (t) => {
  const expected = await failureOf(readFile(directory))
  const error = await failureOf(sha256File(directory))
  t.like(shape(error), { code: expected.code, errno: native ? expected.errno : undefined, syscall: expected.syscall })
  t.is(error.path, directory)
  t.is(error.message, `EISDIR: illegal operation on a directory, read '${directory}'`)
})

/** Paths where writing fails, and what fs.writeFile says for each. */
const failingWrites: Array<[string, string]> = [
  ['ENOENT (missing directory)', join(directory, 'missing', 'x.png')],
  ['EISDIR (a directory)', join(directory, 'sub')],
  ['ENOTDIR', join(plain, 'x.png')],
  ['ENOSPC (/dev/full)', '/dev/full'],
  ['EACCES (/proc/sys/kernel/version)', '/proc/sys/kernel/version'],
]

for (const [label, path] of failingWrites) {
  test(`toFile and its twin fail as fs.writeFile does: ${label}`, async (t) => {
    const expected = await writeFile(path, 'x').then(
      () => undefined,
      (error: SystemError) => error,
    )
    if (expected === undefined) return t.pass(`fs writes ${path} here: nothing to compare`)
    const error = await failureOf(toFile(path, 'x', { type: 'svg' }))
    const syncError = t.throws(() => toFileSync(path, 'x', { type: 'svg' })) as SystemError
    for (const [form, got] of [['async', error], ['sync', syncError]] as const) {
      t.like(shape(got), { code: expected.code, errno: native ? expected.errno : undefined, syscall: expected.syscall }, form)
      t.is(got.path, path, `${form}: the path, which fs gives for open and not for write`)
      t.true(got.message.startsWith(`${expected.message.split(',')[0]}, ${expected.syscall} '`), `${form}: ${got.message}`)
    }
  })
}

// ---------------------------------------------------------------------------------------------
// The caller's stack

/** The line of the code that calls this function. */
function callersLine(): number {
  const frame = new Error().stack!.split('\n')[2]!
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1])
}

const aborted = () => ({ signal: AbortSignal.abort() })
const missing = join(directory, 'missing')

/** One failing call of every async export; errors made on the pool and while reading alike. */
const failingCalls: Array<[string, () => Promise<unknown>]> = [
  ['sha256File (ENOENT, on the pool)', () => sha256File(missing)],
  ['toFile (ENOENT, on the pool)', () => toFile(join(missing, 'x.png'), 'x')],
  ['createQr (too long, on the pool)', () => qrhash.createQr('é'.repeat(3000))],
  ['sha256File (aborted)', () => sha256File(plain, aborted())],
  ['toFile (aborted)', () => toFile(join(directory, 'x.png'), 'x', aborted())],
  ['create', () => qrhash.create('x', aborted())],
  ['createQr', () => qrhash.createQr('x', aborted())],
  ['createQrBatch', () => qrhash.createQrBatch(['x'], aborted())],
  ['toBuffer', () => qrhash.toBuffer('x', aborted())],
  ['toString', () => qrhash.toString('x', aborted())],
  ['sha256', () => qrhash.sha256('x', aborted())],
  ['sha256Batch', () => qrhash.sha256Batch(new Uint8Array(64), aborted())],
  ['sha256Iterate', () => qrhash.sha256Iterate('x', 10, aborted())],
  ['sha256Many', () => qrhash.sha256Many(['x'], aborted())],
  ['sha256MerkleRoot', () => qrhash.sha256MerkleRoot(new Uint8Array(64), aborted())],
  ['Sha256Hasher#updateAsync (finalized)', () => {
    const hasher = new qrhash.Sha256Hasher()
    hasher.digest()
    return hasher.updateAsync('x')
  }],
]

for (const [label, call] of failingCalls) {
  test(`a rejected ${label} has the awaiting caller's file and line in its stack`, async (t) => {
    let line = 0
    let error: unknown
    try {
      line = callersLine() + 1
      await call()
    } catch (caught) {
      error = caught
    }
    t.true(error instanceof Error, String(error))
    const stack = String((error as Error).stack)
    t.true(stack.includes(`fs-errors.spec.ts:${line}:`), stack)
    t.true(stack.startsWith(`${(error as Error).name}: ${(error as Error).message}\n`), stack)
  })
}

test("an error the caller's onProgress threw keeps its own stack", async (t) => {
  const thrown = new Error('from onProgress')
  const stack = thrown.stack
  const error = await failureOf(
    sha256File(plain, {
      onProgress: () => {
        throw thrown
      },
    }),
  )
  t.is(error, thrown)
  t.is(error.stack, stack)
})
