// Runs scripts/leak-check.mjs (a million mixed calls of every function family, sync and async,
// aborted, rejected, every input type) in a child process with this process's environment, so
// under NAPI_RS_FORCE_WASI it checks the WebAssembly build: RSS and external memory after the
// calls may not exceed what they were after the warm-up by 20 MiB, unless a further half as many
// calls show that growth was a one-off (malloc keeping some megabytes) and not a leak.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { __napiBindingTarget } from './helpers/internal.js'

const script = fileURLToPath(new URL('../scripts/leak-check.mjs', import.meta.url))

// The WebAssembly build makes a small sync call some 100 µs slower (emnapi copies views in and
// out of wasm memory), so a million calls take about two minutes there: it runs 200 000, which
// is still long past the point where its memory stops growing.
const native = __napiBindingTarget === 'native'
const calls = native ? 1_000_000 : 200_000

interface Summary {
  calls: number
  seconds: number
  rssGrowthMiB: number
  externalGrowthMiB: number
  confirmation?: { rss: number; external: number }
  leaked: boolean
  rssMiB: number
  target: string
  failures: string[]
}

/** Runs the leak check in a child process with `args`: its summary and how it exited. */
async function leakCheck(args: string[]): Promise<{ summary: Summary; status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, ['--expose-gc', script, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, killedBy) => resolve([code, killedBy]))
  })
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return { summary: JSON.parse(line) as Summary, status, signal, stderr }
}

test(`${calls.toLocaleString('en')} mixed calls (${native ? 'native' : `${__napiBindingTarget}: fewer than the native build's 1 000 000`}) leak neither RSS nor external memory, and every result is right`, async (t) => {
  const { summary, status, signal, stderr } = await leakCheck([String(calls)])
  t.log(JSON.stringify(summary))
  t.is(signal, null, `killed by a signal; stderr: ${stderr.slice(-2000)}`)
  t.is(summary.target, __napiBindingTarget, 'the child loaded the same build')
  t.is(summary.calls, calls)
  t.deepEqual(summary.failures, [])
  const over = summary.rssGrowthMiB >= 20 || summary.externalGrowthMiB >= 20
  t.is(summary.confirmation !== undefined, over, 'growth past 20 MiB, and only that, is measured again')
  t.false(summary.leaked, `RSS grew by ${summary.rssGrowthMiB} MiB, external memory by ${summary.externalGrowthMiB} MiB, then by ${JSON.stringify(summary.confirmation)}`)
  t.is(status, 0, `exit code; stderr: ${stderr.slice(-2000)}`)
})

test('the check catches a leak: 2 KiB kept per call is reported, measured again and failed', async (t) => {
  const { summary, status } = await leakCheck(['20000', '--inject-leak', '2048'])
  t.log(JSON.stringify(summary))
  t.true(summary.externalGrowthMiB >= 20, `external memory grew by ${summary.externalGrowthMiB} MiB`)
  t.true((summary.confirmation?.external ?? 0) >= 10, `then by ${JSON.stringify(summary.confirmation)}`)
  t.true(summary.leaked)
  t.deepEqual(summary.failures, [])
  t.is(status, 1)
})
