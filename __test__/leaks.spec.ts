// Runs scripts/leak-check.mjs (a million mixed calls of every function family, sync and async,
// aborted, rejected, every input type) in a child process with this process's environment, so
// under NAPI_RS_FORCE_WASI it checks the WebAssembly build: RSS and external memory after the
// calls may not exceed what they were after the warm-up by 20 MiB.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import {  } from '../index.js'
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
  rssMiB: number
  target: string
  failures: string[]
}

test(`${calls.toLocaleString('en')} mixed calls (${native ? 'native' : `${__napiBindingTarget}: fewer than the native build's 1 000 000`}) grow neither RSS nor external memory by 20 MiB after the warm-up, and every result is right`, async (t) => {
  const child = spawn(process.execPath, ['--expose-gc', script, String(calls)], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, killedBy) => resolve([code, killedBy]))
  })
  t.is(signal, null, `killed by a signal; stderr: ${stderr.slice(-2000)}`)
  const line = stdout.trim().split('\n').at(-1) ?? ''
  const summary = JSON.parse(line) as Summary
  t.log(line)
  t.is(summary.target, __napiBindingTarget, 'the child loaded the same build')
  t.is(summary.calls, calls)
  t.deepEqual(summary.failures, [])
  t.true(summary.rssGrowthMiB < 20, `RSS grew by ${summary.rssGrowthMiB} MiB`)
  t.true(summary.externalGrowthMiB < 20, `external memory grew by ${summary.externalGrowthMiB} MiB`)
  t.is(status, 0, `exit code; stderr: ${stderr.slice(-2000)}`)
})
