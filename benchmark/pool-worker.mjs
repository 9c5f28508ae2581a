// The piscina peer of benchmark/pool-share.ts: each workload's work done with node:crypto on a
// worker thread (the QR burst with qrhash's sync twin, node:crypto making no codes). Nothing here
// uses libuv's pool: hashing and file reads are synchronous on the worker's own thread.
import { createHash, hash as oneShot } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** @type {typeof import('../index.js')} */
const qrhash = require('../index.js')

/** SHA-256 of `data` as a Buffer (`crypto.hash` from Node 20.12, else `createHash`). */
const sha256 =
  typeof oneShot === 'function'
    ? (/** @type {Uint8Array} */ data) => oneShot('sha256', data, 'buffer')
    : (/** @type {Uint8Array} */ data) => createHash('sha256').update(data).digest()

/**
 * @typedef {{ kind: 'chain', digest: Uint8Array, rounds: number }
 *   | { kind: 'hash', input: SharedArrayBuffer }
 *   | { kind: 'batch', input: SharedArrayBuffer, output: SharedArrayBuffer, first: number, count: number }
 *   | { kind: 'qr', texts: string[] }
 *   | { kind: 'file', path: string, chunkBytes: number }} Task
 */

/**
 * @param {Task} task
 * @returns {Uint8Array | number}
 *   chain: the digest after `rounds` more rounds; hash and file: the digest; batch: records
 *   written into `output`; qr: the PNGs' total bytes, or the PNG itself for a single text.
 */
export default function run(task) {
  switch (task.kind) {
    case 'chain': {
      let d = task.digest
      for (let i = 0; i < task.rounds; i++) d = sha256(d)
      return d
    }
    case 'hash':
      return sha256(new Uint8Array(task.input))
    case 'batch': {
      const input = new Uint8Array(task.input)
      const output = new Uint8Array(task.output)
      for (let r = task.first; r < task.first + task.count; r++) output.set(sha256(input.subarray(r * 64, r * 64 + 64)), r * 32)
      return task.count
    }
    case 'qr': {
      if (task.texts.length === 1) return qrhash.toBufferSync(task.texts[0])
      let bytes = 0
      for (const text of task.texts) bytes += qrhash.toBufferSync(text).length
      return bytes
    }
    case 'file': {
      const hasher = createHash('sha256')
      const chunk = Buffer.allocUnsafe(task.chunkBytes)
      const fd = openSync(task.path, 'r')
      try {
        for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hasher.update(chunk.subarray(0, n))
      } finally {
        closeSync(fd)
      }
      return hasher.digest()
    }
  }
}
