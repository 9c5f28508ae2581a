'use strict'

// qrhash's public entry: the native binding that `napi build` generates (binding.js), plus
// what only JavaScript can do: the Writable half of createSha256(), and Buffers from Node's
// pool for sha256Sync.

const { Writable } = require('node:stream')
const { fileURLToPath } = require('node:url')

const { __newSha256Hasher: newNativeHasher, sha256Into, sha256Sync: nativeSha256Sync } = require('./binding.js')
const { cancelWebHashes, hashWebSource, webSourceKind } = require('./web-input.js')

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
 * `options.state` read once, as given to `createSha256`: undefined, or the bytes to resume from.
 * A string is refused here: a state stored as text must be decoded by its caller, who knows how
 * it was encoded.
 * @param {SharedOptions | undefined} options
 */
function stateOption(options) {
  if (options === undefined || options === null || typeof options !== 'object') return undefined
  const state = options.state
  if (typeof state === 'string' || state === null) {
    throw new TypeError(
      'options.state must be the Buffer exportState() returned (or a TypedArray, DataView or ArrayBuffer of its bytes), ' +
        (state === null ? 'not null' : "not a string; decode a stored state first, e.g. Buffer.from(text, 'base64')"),
    )
  }
  return state
}

/** @typedef {import('node:stream').WritableOptions & { state?: unknown }} SharedOptions */

/**
 * Incremental SHA-256 that is also a Writable stream: `update()` and `digest()` as with
 * `crypto.Hash`, or `await pipeline(source, hasher)` and then `hasher.digest()`. Its state can
 * be exported and resumed from, in this process or another.
 */
class Sha256 extends Writable {
  /** @type {import('./binding').Sha256Hasher} */
  #hasher

  /** @param {SharedOptions} [options] */
  constructor(options) {
    const state = stateOption(options)
    const hasher = newNativeHasher(state)
    super(options)
    this.#hasher = hasher
  }

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
   * The state after everything added so far, as 128 bytes to store and resume from with
   * `createSha256({ state })`; the hasher goes on. Throws while written chunks are still
   * buffered or being hashed (wait for the write callback, 'finish' or the pipeline).
   * @returns {Buffer}
   */
  exportState() {
    if (this.writableLength > 0) {
      const error = new Error(
        `${this.writableLength} written bytes are still pending; export the state once they are hashed (after the write callback, 'finish', or await pipeline(...))`,
      )
      Object.assign(error, { code: 'ERR_QRHASH_WRITE_PENDING' })
      throw error
    }
    return this.#hasher.exportState()
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
 * A new incremental SHA-256 hasher and Writable stream; with `options.state` (from
 * `exportState()`), it goes on from where that hasher was.
 * @param {SharedOptions} [options]
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

// QRHASH_POOL_SHARE sets qrhash's share of libuv's pool before the first call, as
// UV_THREADPOOL_SIZE sets the pool's size; a value setPoolShare() refuses is reported, not
// thrown, so a typo in a deployment does not stop the process from starting.
const poolShare = process.env.QRHASH_POOL_SHARE
if (poolShare !== undefined && poolShare !== '') {
  try {
    module.exports.setPoolShare(/^\s*\d+\s*$/.test(poolShare) ? Number(poolShare) : poolShare)
  } catch (error) {
    process.emitWarning(`QRHASH_POOL_SHARE ignored: ${/** @type {Error} */ (error).message}`, {
      type: 'QrhashWarning',
      code: 'QRHASH_POOL_SHARE',
    })
  }
}

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
for (const name of ['createQr', 'createQrBatch', 'createQrSequence', 'sha256', 'sha256Batch', 'sha256Iterate', 'sha256Many', 'sha256MerkleRoot', 'toBuffer', 'toBufferSequence', 'toString', 'toStringSequence']) {
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

// sha256 also takes a Blob or a web ReadableStream, read as it comes (web-input.js); cancelAll
// stops those too.
const { sha256: binarySha256, cancelAll: nativeCancelAll } = module.exports
// Methods, so that neither can be called with `new`, as the native functions.
const wrapped = {
  /**
   * @param {unknown} input
   * @param {unknown} options
   */
  sha256(input, options) {
    const kind = webSourceKind(input)
    if (kind === undefined) return binarySha256(/** @type {any} */ (input), /** @type {any} */ (options))
    return hashWebSource(kind, /** @type {Blob | ReadableStream} */ (input), options, () => newNativeHasher())
  },
  cancelAll() {
    return nativeCancelAll() + cancelWebHashes()
  },
}
module.exports.sha256 = wrapped.sha256
module.exports.cancelAll = wrapped.cancelAll

const { create: nativeCreate, __createSyncInto: nativeCreateSyncInto } = module.exports
const LEVELS = ['L', 'M', 'Q', 'H']
const MODES = ['numeric', 'alphanumeric', 'byte', 'kanji']

/**
 * create()'s result from the form the native side packs it in (`pack_symbol` and
 * `symbol_parts_to_js` in src/js/qr.rs): building the object here costs a tenth of building
 * it through N-API. The packed symbol is `bytes` from 0; `modules` is a copy in memory of its
 * own, so that nothing reached through a result (`modules.buffer`, a structured clone)
 * holds anything else.
 * @param {Uint8Array} bytes
 * @param {[unknown, ...Array<string | Buffer>]} parts
 * @returns {import('./binding').QrSymbol}
 */
function unpackSymbol(bytes, parts) {
  const count = parts.length - 1
  const segments = new Array(count)
  for (let i = 0; i < count; i++) segments[i] = { mode: MODES[bytes[8 + i]], data: parts[i + 1] }
  const width = bytes[4] | (bytes[5] << 8)
  const height = bytes[6] | (bytes[7] << 8)
  return {
    version: bytes[0],
    micro: bytes[1] === 1,
    rmqr: bytes[1] === 2,
    errorCorrectionLevel: LEVELS[bytes[2]],
    maskPattern: bytes[3],
    size: width,
    width,
    height,
    // A copy (Buffer's `slice` would be a view), always a Uint8Array.
    modules: new Uint8Array(bytes.subarray(8 + count, 8 + count + width * height)),
    segments,
  }
}

/** @type {typeof import('./binding').create} */
module.exports.create = function create(text, options) {
  return nativeCreate(text, options).then((parts) => unpackSymbol(parts[0], parts), withCallerStack)
}

const { createSequence: nativeCreateSequence, createSequenceSync: nativeCreateSequenceSync } = module.exports

/**
 * createSequence()'s result from the native side's: each code packed as create() packs one,
 * then the sequence's parity (null when one code holds the text).
 * @param {Array<[Uint8Array, ...Array<string | Buffer>] | number | null>} packed
 * @returns {import('./binding').QrSequenceSymbol[]}
 */
function unpackSequence(packed) {
  const total = packed.length - 1
  const parity = /** @type {number | null} */ (packed[total])
  return packed.slice(0, total).map((parts, index) => {
    const symbol = /** @type {[Uint8Array, ...Array<string | Buffer>]} */ (parts)
    return { ...unpackSymbol(symbol[0], symbol), sequence: parity === null ? null : { index, total, parity } }
  })
}

/** @type {typeof import('./binding').createSequence} */
module.exports.createSequence = function createSequence(text, options) {
  return nativeCreateSequence(text, options).then((packed) => unpackSequence(/** @type {any} */ (packed)), withCallerStack)
}

/** @type {typeof import('./binding').createSequenceSync} */
module.exports.createSequenceSync = function createSequenceSync(text, options) {
  return unpackSequence(/** @type {any} */ (nativeCreateSequenceSync(text, options)))
}

// createSync has the native side pack a symbol into memory only this module sees, reused by
// every call, and copies the modules out of it: a copy in JavaScript costs far less than a
// Buffer made through N-API. A symbol too large for it comes in a Buffer of its own. A call
// made from an options getter during another packs and copies before the outer one packs.
const scratch = new Uint8Array(64 * 1024)

/** @type {typeof import('./binding').createSync} */
module.exports.createSync = function createSync(text, options) {
  const parts = nativeCreateSyncInto(text, options, scratch)
  return unpackSymbol(typeof parts[0] === 'number' ? scratch : parts[0], parts)
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
 * Incremental SHA-256 as a class declared in JavaScript around a native hasher kept private:
 * calling it without `new` is V8's TypeError, its methods called on anything else are
 * TypeErrors in every build, and the native class is on no prototype chain (it refuses to be
 * constructed from JavaScript anyway).
 */
class Sha256Hasher {
  #hasher = newNativeHasher()

  /**
   * @param {unknown} self
   * @returns {import('./binding').Sha256Hasher}
   */
  static #native(self) {
    if (typeof self !== 'object' || self === null || !(#hasher in self)) {
      throw new TypeError('Sha256Hasher methods must be called on a Sha256Hasher')
    }
    return /** @type {Sha256Hasher} */ (self).#hasher
  }

  /** @param {import('./binding').BinaryLike | string} data */
  update(data) {
    return Sha256Hasher.#native(this).update(data)
  }

  /** @param {import('./binding').BinaryLike | string} data */
  updateAsync(data) {
    return Sha256Hasher.#native(this).updateAsync(data).catch(withCallerStack)
  }

  /**
   * @template {import('./binding').Sha256Encoding} [E='buffer']
   * @param {E} [encoding]
   * @returns {import('./binding').Digest<E>}
   */
  digest(encoding) {
    return Sha256Hasher.#native(this).digest(encoding)
  }
}
module.exports.Sha256Hasher = Sha256Hasher
module.exports.Sha256 = Sha256
module.exports.createSha256 = createSha256
// node-qrcode's names for createQr and its twin.
module.exports.toDataURL = module.exports.createQr
module.exports.toDataURLSync = module.exports.createQrSync
