// The three ways a service can make its QR codes, behind one interface so the routes, and
// therefore the load test, are identical in every mode:
//   main     node-qrcode on the event loop (what the motivating express app does)
//   piscina  node-qrcode in a worker-thread pool as large as libuv's pool
//   qrhash   qrhash, whose work runs on libuv's pool and resolves a Promise
// and a fourth, for the load test's sake:
//   cached   qrhash behind a small cache. The load test asks for one text over and over, so
//            after the first request this mode does no QR work at all: what it measures is the
//            cost of fastify, HTTP and the load generator, the ceiling for any mode here.
import os from 'node:os'

import { Piscina } from 'piscina'
import QRCode from 'qrcode'

// By the package's name, as an app imports it: in a clone, Node resolves it to the repository
// itself (a package may import itself by its name through its "exports").
import { createQr, toBuffer, toString } from 'qrhash'

export const MODES = /** @type {const} */ (['main', 'piscina', 'qrhash', 'cached'])

/** @typedef {typeof MODES[number]} Mode */
/** @typedef {'png' | 'dataurl' | 'svg'} Format */

/**
 * @typedef {object} Engine
 * @property {Mode} mode
 * @property {number} threads threads that draw codes (1 for the event loop)
 * @property {(text: string, format: Format) => Promise<Buffer | string>} render
 * @property {() => Promise<void>} close
 */

/** Codes the cached mode keeps. */
const CACHE_ENTRIES = 1024

/** libuv's pool size as Node reads it: UV_THREADPOOL_SIZE, else 4 (capped at 1024 by libuv). */
export function uvThreadpoolSize() {
  const size = Number.parseInt(process.env['UV_THREADPOOL_SIZE'] ?? '', 10)
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4
}

/**
 * @param {string} mode
 * @returns {mode is Mode}
 */
export function isMode(mode) {
  return /** @type {readonly string[]} */ (MODES).includes(mode)
}

/**
 * @param {Mode} mode
 * @returns {Engine}
 */
export function createEngine(mode) {
  if (mode === 'qrhash') {
    return {
      mode,
      threads: uvThreadpoolSize(),
      render: (text, format) =>
        format === 'png' ? toBuffer(text) : format === 'svg' ? toString(text, { type: 'svg' }) : createQr(text),
      close: async () => {},
    }
  }
  if (mode === 'cached') {
    const qrhash = createEngine('qrhash')
    /** @type {Map<string, Buffer | string>} */
    const cache = new Map()
    return {
      mode,
      threads: qrhash.threads,
      render: async (text, format) => {
        const key = `${format}:${text}`
        let result = cache.get(key)
        if (result === undefined) {
          result = await qrhash.render(text, format)
          // Oldest first out, so memory stays bounded whatever texts arrive.
          if (cache.size >= CACHE_ENTRIES) cache.delete(/** @type {string} */ (cache.keys().next().value))
          cache.set(key, result)
        }
        return result
      },
      close: async () => cache.clear(),
    }
  }
  if (mode === 'piscina') {
    // As many workers as libuv has pool threads, so both pooled modes get the same parallelism.
    const threads = uvThreadpoolSize()
    const pool = new Piscina({
      filename: new URL('./qrcode-worker.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // Workers would otherwise exit after a second idle and pay their start-up again.
      idleTimeout: Number.POSITIVE_INFINITY,
    })
    return {
      mode,
      threads,
      // A Buffer comes back from a worker as a plain Uint8Array (structured clone); view it as
      // a Buffer again, without copying, so every mode hands the routes the same types.
      render: async (text, format) => {
        /** @type {Uint8Array | string} */
        const result = await pool.run({ text, format })
        return typeof result === 'string' ? result : Buffer.from(result.buffer, result.byteOffset, result.byteLength)
      },
      close: () => pool.close(),
    }
  }
  return {
    mode,
    threads: 1,
    render: (text, format) =>
      format === 'png'
        ? QRCode.toBuffer(text)
        : format === 'svg'
          ? QRCode.toString(text, { type: 'svg' })
          : QRCode.toDataURL(text),
    close: async () => {},
  }
}

/** For /stats and the benchmark: the machine a number was measured on. */
export function machine() {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    uvThreadpoolSize: process.env['UV_THREADPOOL_SIZE'] ?? 'default (4)',
    node: process.version,
  }
}
