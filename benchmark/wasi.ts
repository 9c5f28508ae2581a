// The WebAssembly (wasm32-wasip1-threads) build next to the native one: the same calls, timed
// in two child processes of one run, one loading each build. Needs both builds:
//   npm run build && npm run build -- --target wasm32-wasip1-threads && npm run bench:wasi
// Prints a markdown table and writes benchmark/results-wasi.json. Asserts nothing about speed.

import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import * as exported from '../index.js'
import type { WithInternals } from '../__test__/helpers/internal.js'

/** The package, with the internal `__napiBindingTarget` (which build loaded) typed. */
const qrhash = exported as WithInternals

const here = dirname(fileURLToPath(import.meta.url))

interface Measure {
  name: string
  unit: 'µs/op' | 'MB/s'
  value: number
}

/** Runs `work` for about `ms` milliseconds and returns the mean time of one call in µs. */
async function timeIt(work: () => unknown, ms: number): Promise<number> {
  let calls = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    await work()
    calls++
  }
  return ((performance.now() - started) * 1000) / calls
}

async function probe(): Promise<Measure[]> {
  const big = Buffer.alloc(64 << 20, 0x5a)
  const small = Buffer.alloc(64, 1)
  const records = Buffer.alloc((1 << 16) * 64, 7)
  await qrhash.sha256(small) // start the pool (and, under WASI, its workers)
  const mbPerSecond = (bytes: number, us: number) => bytes / us
  return [
    { name: 'createQrSync, https://example.com/', unit: 'µs/op', value: await timeIt(() => qrhash.createQrSync('https://example.com/'), 1000) },
    { name: 'createQr (async, 1 in flight)', unit: 'µs/op', value: await timeIt(() => qrhash.createQr('https://example.com/'), 1000) },
    { name: 'sha256Sync, 64 B', unit: 'µs/op', value: await timeIt(() => qrhash.sha256Sync(small), 500) },
    { name: 'sha256 (async), 64 MiB', unit: 'MB/s', value: mbPerSecond(big.length, await timeIt(() => qrhash.sha256(big), 2000)) },
    { name: 'sha256Batch, 2^16 × 64 B', unit: 'MB/s', value: mbPerSecond(records.length, await timeIt(() => qrhash.sha256Batch(records), 1000)) },
  ]
}

function run(wasi: boolean): { binding: string; measures: Measure[] } {
  const env = { ...process.env, NODE_NO_WARNINGS: '1', ...(wasi ? { NAPI_RS_FORCE_WASI: 'error' } : {}) }
  const output = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'wasi.ts'), '--probe'], { env, encoding: 'utf8' })
  return JSON.parse(output.trim().split('\n').at(-1)!) as { binding: string; measures: Measure[] }
}

if (process.argv.includes('--probe')) {
  console.log(JSON.stringify({ binding: qrhash.__napiBindingTarget, measures: await probe() }))
} else if (!existsSync(join(here, '..', 'qrhash.wasm32-wasi.wasm'))) {
  console.error('no WASI build: run `npm run build -- --target wasm32-wasip1-threads` first')
  process.exitCode = 1
} else {
  const native = run(false)
  const wasi = run(true)
  console.log(`# WebAssembly build vs native (${native.binding} vs ${wasi.binding}, Node ${process.version})\n`)
  console.log('| case | native | WASI | WASI ÷ native speed |')
  console.log('|---|---:|---:|---:|')
  const rows = native.measures.map((measure, i) => {
    const other = wasi.measures[i]!
    const speed = measure.unit === 'MB/s' ? other.value / measure.value : measure.value / other.value
    const show = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ${measure.unit}`
    console.log(`| ${measure.name} | ${show(measure.value)} | ${show(other.value)} | ${speed.toFixed(2)}× |`)
    return { name: measure.name, unit: measure.unit, native: measure.value, wasi: other.value, wasiSpeedRatio: speed }
  })
  writeFileSync(join(here, 'results-wasi.json'), `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`)
  console.log('\nWrote benchmark/results-wasi.json')
}
