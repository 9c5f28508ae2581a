'use strict'

// qrhash's public entry: the native binding that `napi build` generates (binding.js), plus
// what only JavaScript can do: the Writable half of createSha256(), and Buffers from Node's
// pool for sha256Sync.

const { Writable } = require('node:stream')
const { fileURLToPath } = require('node:url')
const { markAsUntransferable } = require('node:worker_threads')

const { Sha256Hasher: NativeSha256Hasher, sha256Into, sha256Sync: nativeSha256Sync } = require('./binding.js')

/**
 * sha256Sync without options writes into a Buffer from Node's pool: creating a Buffer through
 * N-API costs more than hashing 64 bytes. With options it is the native function as it is.
 * @type {typeof nativeSha256Sync}
 */
const sha256Sync = (input, options) =>
  options === undefined ? sha256Into(input, Buffer.allocUnsafe(32)) : nativeSha256Sync(input, options)

/** Chunks this large are hashed on libuv's pool; a smaller one costs less than the trip there. */
const POOL_CHUNK_BYTES = 64 * 1024

/**
 * Incremental SHA-256 that is also a Writable stream: `update()` and `digest()` as with
 * `crypto.Hash`, or `await pipeline(source, hasher)` and then `hasher.digest()`.
 */
class Sha256 extends Writable {
  #hasher = new NativeSha256Hasher()

  /**
   * Adds `data` (a string as UTF-8, or any binary view) on the calling thread.
   * @param {import('./binding').BinaryLike | string} data
   * @returns {this}
   */
  update(data) {
    this.#hasher.update(data)
    return this
  }

  /**
   * The digest of everything added or written, as a Buffer or in `encoding`. The hasher is
   * finished after; a second call throws an Error with code ERR_CRYPTO_HASH_FINALIZED.
   * @template {import('./binding').Sha256Encoding} [E='buffer']
   * @param {E} [encoding]
   * @returns {import('./binding').Digest<E>}
   */
  digest(encoding) {
    return this.#hasher.digest(encoding)
  }

  /**
   * @param {Buffer} chunk
   * @param {BufferEncoding} _encoding
   * @param {(error?: Error | null) => void} callback
   */
  _write(chunk, _encoding, callback) {
    if (chunk.length >= POOL_CHUNK_BYTES) {
      this.#hasher.updateAsync(chunk).then(() => callback(), callback)
      return
    }
    try {
      this.#hasher.update(chunk)
      callback()
    } catch (error) {
      callback(/** @type {Error} */ (error))
    }
  }
}

/**
 * A new incremental SHA-256 hasher and Writable stream.
 * @param {import('node:stream').WritableOptions} [options]
 * @returns {Sha256}
 * @example
 * const hasher = createSha256()
 * await pipeline(createReadStream('upload.bin'), hasher)
 * const hex = hasher.digest('hex')
 */
function createSha256(options) {
  return new Sha256(options)
}

// `module.exports = require(…)` is the form Node's CommonJS export detection follows, so
// `import { createQr } from 'qrhash'` sees every export of the binding.
module.exports = require('./binding.js')

// At exit libuv runs every queued task to its end before the process can go: cancel them, so
// `process.exit()` with long calls pending is immediate, in the main thread and in a worker.
process.once('exit', () => module.exports.cancelAll())
module.exports.sha256Sync = sha256Sync

/** The first frame of a stack: none natively for an error made on libuv's pool, N-API's own
 * (`napi_create_error`, …) under WebAssembly, where emnapi makes errors in JavaScript. */
const FIRST_FRAME = /\n\s+at (\S+)/

/**
 * Rethrows `error` with the caller's stack. An error made on libuv's pool is created with no
 * caller on the stack; capturing it again here, in the rejection handler, gives V8's async
 * stack trace instead: the frames of the code awaiting the call. It costs only when a call
 * fails. An error with frames of its own (thrown by the caller's `onProgress`, or while the
 * arguments were read) is passed on as it is.
 * @param {unknown} error
 * @returns {never}
 */
function withCallerStack(error) {
  if (error instanceof Error) {
    const first = FIRST_FRAME.exec(String(error.stack))
    if (first === null || first[1].startsWith('napi_create_')) Error.captureStackTrace(error, withCallerStack)
  }
  throw error
}

// Every async export but create, sha256File and toFile, which are wrapped below.
for (const name of ['createQr', 'createQrBatch', 'sha256', 'sha256Batch', 'sha256Iterate', 'sha256Many', 'sha256MerkleRoot', 'toBuffer', 'toString']) {
  const native = module.exports[name]
  // A method is named `name` and cannot be called with `new`, as the native function.
  module.exports[name] = {
    /**
     * @param {unknown} a
     * @param {unknown} b
     * @param {unknown} c
     */
    [name](a, b, c) {
      return native(a, b, c).catch(withCallerStack)
    },
  }[name]
}

const { create: nativeCreate, __createSyncInto: nativeCreateSyncInto } = module.exports
const LEVELS = ['L', 'M', 'Q', 'H']
const MODES = ['numeric', 'alphanumeric', 'byte', 'kanji']

/**
 * create()'s result from the form the native side packs it in (`pack_symbol` and
 * `symbol_parts_to_js` in src/js/qr.rs): building the object here costs a tenth of building
 * it through N-API. The packed symbol is `bytes` from `start`.
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {[unknown, ...Array<string | Buffer>]} parts
 * @returns {import('./binding').QrSymbol}
 */
function unpackSymbol(bytes, start, parts) {
  const count = parts.length - 1
  const segments = new Array(count)
  for (let i = 0; i < count; i++) segments[i] = { mode: MODES[bytes[start + 6 + i]], data: parts[i + 1] }
  const size = bytes[start + 4] | (bytes[start + 5] << 8)
  return {
    version: bytes[start],
    micro: bytes[start + 1] === 1,
    errorCorrectionLevel: LEVELS[bytes[start + 2]],
    maskPattern: bytes[start + 3],
    size,
    modules: new Uint8Array(bytes.buffer, bytes.byteOffset + start + 6 + count, size * size),
    segments,
  }
}

/** @type {typeof import('./binding').create} */
module.exports.create = function create(text, options) {
  return nativeCreate(text, options).then((parts) => unpackSymbol(parts[0], 0, parts), withCallerStack)
}

// createSync hands out the memory of its results as Node hands out its Buffer pool: one slab,
// filled from the start, each `modules` a view of its own part. A result that does not fit
// comes in a Buffer of its own, and the next call starts a new slab.
const SLAB_BYTES = 64 * 1024
/** @type {Uint8Array | null} */
let slab = null
let slabUsed = 0
/** True during a call: one made meanwhile (from an options getter) must not write there too. */
let slabBusy = false

/** @type {typeof import('./binding').createSync} */
module.exports.createSync = function createSync(text, options) {
  if (slabBusy) {
    const parts = nativeCreateSyncInto(text, options, null, 0)
    return unpackSymbol(parts[0], 0, parts)
  }
  if (slab === null) {
    slab = new Uint8Array(SLAB_BYTES)
    // As Node's pool is: transferring one result's buffer would take the others' memory.
    markAsUntransferable(slab.buffer)
    slabUsed = 0
  }
  slabBusy = true
  let parts
  try {
    parts = nativeCreateSyncInto(text, options, slab, slabUsed)
  } finally {
    slabBusy = false
  }
  if (typeof parts[0] !== 'number') {
    if (slabUsed > 0) slab = null
    return unpackSymbol(parts[0], 0, parts)
  }
  const symbol = unpackSymbol(slab, slabUsed, parts)
  slabUsed += (parts[0] + 7) & ~7
  return symbol
}

// Paths: a `file:` URL is taken as fs takes one, through Node's own `fileURLToPath` (so its
// errors are fs's too: ERR_INVALID_URL_SCHEME, ERR_INVALID_FILE_URL_HOST, …).
const {
  sha256File: nativeSha256File,
  sha256FileSync: nativeSha256FileSync,
  toFile: nativeToFile,
  toFileSync: nativeToFileSync,
} = module.exports

/**
 * @param {unknown} path
 * @returns {any} the path a `file:` URL names; any other value as it is
 */
const pathOf = (path) => (path instanceof URL ? fileURLToPath(path) : path)

/**
 * `call` with the path `path` names; an async function rejects with what `pathOf` throws.
 * @template T
 * @param {unknown} path
 * @param {(path: any) => Promise<T>} call
 * @returns {Promise<T>}
 */
function withPath(path, call) {
  let resolved
  try {
    resolved = pathOf(path)
  } catch (error) {
    return Promise.reject(error)
  }
  return call(resolved).catch(withCallerStack)
}

/** @type {typeof import('./binding').sha256File} */
module.exports.sha256File = function sha256File(path, options) {
  return withPath(path, (resolved) => nativeSha256File(resolved, options))
}
/** @type {typeof import('./binding').sha256FileSync} */
module.exports.sha256FileSync = function sha256FileSync(path, options) {
  return nativeSha256FileSync(pathOf(path), options)
}
/** @type {typeof import('./binding').toFile} */
module.exports.toFile = function toFile(path, text, options) {
  return withPath(path, (resolved) => nativeToFile(resolved, text, options))
}
/** @type {typeof import('./binding').toFileSync} */
module.exports.toFileSync = function toFileSync(path, text, options) {
  return nativeToFileSync(pathOf(path), text, options)
}

/**
 * The native hasher as a class declared in JavaScript: calling it without `new` is V8's
 * TypeError (a napi-rs class called so would wrap whatever `this` was, globalThis included),
 * and its methods called on anything else are TypeErrors in every build (the WebAssembly one
 * would otherwise fail differently).
 */
class Sha256Hasher extends NativeSha256Hasher {
  #hasher = true

  /** @param {unknown} self */
  static #check(self) {
    if (typeof self !== 'object' || self === null || !(#hasher in self)) {
      throw new TypeError('Sha256Hasher methods must be called on a Sha256Hasher')
    }
  }

  /** @param {import('./binding').BinaryLike | string} data */
  update(data) {
    Sha256Hasher.#check(this)
    return super.update(data)
  }

  /** @param {import('./binding').BinaryLike | string} data */
  updateAsync(data) {
    Sha256Hasher.#check(this)
    return super.updateAsync(data).catch(withCallerStack)
  }

  /**
   * @template {import('./binding').Sha256Encoding} [E='buffer']
   * @param {E} [encoding]
   * @returns {import('./binding').Digest<E>}
   */
  digest(encoding) {
    Sha256Hasher.#check(this)
    return super.digest(encoding)
  }
}
module.exports.Sha256Hasher = Sha256Hasher
module.exports.Sha256 = Sha256
module.exports.createSha256 = createSha256
// node-qrcode's names for createQr and its twin.
module.exports.toDataURL = module.exports.createQr
module.exports.toDataURLSync = module.exports.createQrSync
