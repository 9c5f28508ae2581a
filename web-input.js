'use strict'

// sha256() of a Blob (a File is one) or of a web ReadableStream (a fetch Response's body):
// read chunk by chunk into the native incremental hasher, never buffered whole. Each chunk is
// copied as it arrives (the one copy of this path: a chunk is not an argument the caller keeps
// still, as a Buffer passed to sha256 is): a large one on its own, small ones gathered into a
// megabyte. The copies are hashed on libuv's pool, up to four queued, while the next chunks
// are read; a stream of a few bytes is hashed on the JavaScript thread. Abortable by
// `signal` and by cancelAll(), reporting progress as the other hashing calls do.
//
// The web classes' methods are taken once, here, and called on the value: a getter, a Proxy or
// a patched prototype of the caller's cannot make a Blob read something else, and a value that
// only looks like a Blob is not taken for one (its brand check throws).

/** Chunks up to half this size are gathered into one buffer of it before they go to the pool. */
const STAGE_BYTES = 1024 * 1024
/** A stream shorter than this, read whole, is hashed on the JavaScript thread. */
const POOL_CHUNK_BYTES = 64 * 1024
/** Chunks on the pool at once: the hash takes them in order, while the next are read. */
const MAX_QUEUED = 4
const PROGRESS_INTERVAL_MS = 100
const ENCODINGS = ['buffer', 'hex', 'base64', 'base64url']
const OPTION_KEYS = ['encoding', 'signal', 'onProgress']

/** @type {<T extends (...args: any[]) => any>(method: T) => (self: unknown, ...args: Parameters<T>) => ReturnType<T>} */
const uncurry = (method) => /** @type {any} */ (Function.prototype.call.bind(method))
/**
 * @param {object} prototype
 * @param {string} key
 * @returns {(self: unknown) => any}
 */
const getterOf = (prototype, key) => uncurry(/** @type {() => any} */ (Object.getOwnPropertyDescriptor(prototype, key)?.get))

const blobSize = getterOf(Blob.prototype, 'size')
const blobStream = uncurry(Blob.prototype.stream)
const streamLocked = getterOf(ReadableStream.prototype, 'locked')
const getReader = uncurry(ReadableStream.prototype.getReader)
const readerPrototype = Object.getPrototypeOf(new ReadableStream().getReader())
const read = uncurry(/** @type {ReadableStreamDefaultReader['read']} */ (readerPrototype.read))
const cancel = uncurry(/** @type {ReadableStreamDefaultReader['cancel']} */ (readerPrototype.cancel))
const signalAborted = getterOf(AbortSignal.prototype, 'aborted')
const signalReason = getterOf(AbortSignal.prototype, 'reason')
const addListener = uncurry(EventTarget.prototype.addEventListener)
const removeListener = uncurry(EventTarget.prototype.removeEventListener)
const isView = ArrayBuffer.isView
const { isAnyArrayBuffer } = require('node:util').types

/**
 * Whether `check(value)` passes a brand check (throws for anything but the real thing).
 * @param {(value: unknown) => unknown} check
 * @param {unknown} value
 */
function branded(check, value) {
  try {
    check(value)
    return true
  } catch {
    return false
  }
}

/**
 * `'blob'` for a Blob or File, `'stream'` for a web ReadableStream, undefined for anything
 * else (which the native sha256 takes or refuses).
 * @param {unknown} value
 * @returns {'blob' | 'stream' | undefined}
 */
function webSourceKind(value) {
  if (typeof value !== 'object' || value === null) return undefined
  if (branded(blobSize, value)) return 'blob'
  if (branded(streamLocked, value)) return 'stream'
  return undefined
}

/**
 * A TypeError or RangeError with a Node-style `code`, as the native side makes them.
 * @param {ErrorConstructor} Class
 * @param {string} code
 * @param {string} message
 */
function coded(Class, code, message) {
  return Object.assign(new Class(message), { code })
}

/** @param {unknown} value */
function describe(value) {
  switch (typeof value) {
    case 'string':
      return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`
    case 'number':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
    case 'undefined':
      return 'undefined'
    default:
      return `a ${typeof value}`
  }
}

/**
 * @param {unknown} encoding
 * @param {string} name
 * @returns {import('./binding').Sha256Encoding}
 */
function checkEncoding(encoding, name) {
  if (typeof encoding !== 'string') {
    throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', `${name} must be a string, got ${describe(encoding)}`)
  }
  if (!ENCODINGS.includes(encoding)) {
    throw coded(RangeError, 'ERR_INVALID_ARG_VALUE', `${name} must be 'buffer', 'hex', 'base64' or 'base64url', got ${describe(encoding)}`)
  }
  return /** @type {import('./binding').Sha256Encoding} */ (encoding)
}

/**
 * @typedef {object} StreamOptions
 * @property {import('./binding').Sha256Encoding} encoding
 * @property {AbortSignal} [signal]
 * @property {(done: number, total: number) => void} [onProgress]
 */

/**
 * `options` read once each, checked as the native calls check theirs.
 * @param {unknown} options
 * @returns {StreamOptions}
 */
function readOptions(options) {
  if (options === undefined || options === null) return { encoding: 'buffer' }
  if (typeof options === 'string') return { encoding: checkEncoding(options, 'options') }
  if (typeof options !== 'object') {
    throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', `options must be an object, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw coded(TypeError, 'ERR_INVALID_ARG_VALUE', `options.${key} is not an option here; options takes ${OPTION_KEYS.join(', ')}`)
    }
  }
  const { encoding, signal, onProgress } = /** @type {Record<string, unknown>} */ (options)
  if (signal !== undefined && !branded(signalAborted, signal)) {
    throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', `options.signal must be an AbortSignal, got ${describe(signal)}`)
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', `options.onProgress must be a function, got ${describe(onProgress)}`)
  }
  return {
    encoding: encoding === undefined ? 'buffer' : checkEncoding(encoding, 'options.encoding'),
    signal: /** @type {AbortSignal | undefined} */ (signal),
    onProgress: /** @type {StreamOptions['onProgress']} */ (onProgress),
  }
}

/** @param {unknown} reason */
function abortError(reason) {
  const error = coded(Error, 'ERR_ABORTED', 'The operation was aborted')
  return Object.assign(error, { name: 'AbortError', cause: reason })
}

/** The calls in flight in this thread: cancelAll() stops them. @type {Set<(reason: unknown) => void>} */
const inFlight = new Set()

/**
 * Stops every Blob or stream hash in flight in this thread, as cancelAll() does native calls.
 * @returns {number} how many were stopped
 */
function cancelWebHashes() {
  const stops = [...inFlight]
  // As the native calls cancelAll() stops: an AbortError with no cause.
  for (const stop of stops) stop(undefined)
  return stops.length
}

/** @param {PromiseLike<unknown>} promise */
const quietly = (promise) => void Promise.resolve(promise).catch(() => {})

/**
 * The chunk a stream gave at byte `offset`, as bytes: a view, or an ArrayBuffer. Anything else
 * (a string, a number) is a TypeError: a byte stream is what can be hashed.
 * @param {unknown} chunk
 * @param {number} offset
 * @returns {Uint8Array}
 */
function bytesOf(chunk, offset) {
  if (isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  if (isAnyArrayBuffer(chunk)) return new Uint8Array(/** @type {ArrayBuffer} */ (chunk))
  throw coded(
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `input must be a stream of bytes (Uint8Array chunks), got ${describe(chunk)} at byte ${offset}; pipe text through a TextEncoderStream first`,
  )
}

/**
 * SHA-256 of a Blob or a web ReadableStream (`kind` from {@link webSourceKind}).
 * @param {'blob' | 'stream'} kind
 * @param {Blob | ReadableStream} input
 * @param {unknown} rawOptions
 * @param {() => import('./binding').Sha256Hasher} newHasher
 */
async function hashWebSource(kind, input, rawOptions, newHasher) {
  const { encoding, signal, onProgress } = readOptions(rawOptions)
  if (signal !== undefined && signalAborted(signal)) throw abortError(signalReason(signal))
  const total = kind === 'blob' ? /** @type {number} */ (blobSize(input)) : NaN
  if (kind === 'stream' && streamLocked(input)) {
    throw coded(TypeError, 'ERR_INVALID_STATE', 'input is a ReadableStream that is locked: another reader is reading it')
  }
  const reader = getReader(kind === 'blob' ? blobStream(input) : input)
  const hasher = newHasher()

  // A stop (abort, cancelAll) cancels the reader, which ends a pending read at once; the loop
  // then throws `stoppedBy`. (Racing each read against a promise that settles on abort would
  // keep every chunk read alive in that promise's reactions until the call ends.)
  /** @type {{ error: unknown } | undefined} */
  let stoppedBy
  const stop = (/** @type {unknown} */ error) => {
    if (stoppedBy !== undefined) return
    stoppedBy = { error }
    quietly(cancel(reader, error))
  }
  const onAbort = () => stop(abortError(signal === undefined ? undefined : signalReason(signal)))
  const cancelled = (/** @type {unknown} */ reason) => stop(abortError(reason))
  if (signal !== undefined) addListener(signal, 'abort', onAbort, { once: true })
  inFlight.add(cancelled)

  let done = 0
  let reported = performance.now()
  /** @param {boolean} last */
  const report = (last) => {
    if (onProgress === undefined) return
    const now = performance.now()
    if (!last && now - reported < PROGRESS_INTERVAL_MS) return
    reported = now
    onProgress(done, last ? done : total)
  }
  /** Chunks handed to the pool and not yet hashed, oldest first. @type {Promise<void>[]} */
  const hashing = []
  /** Hands `bytes` (qrhash's own copy) to the pool; waits while too many are ahead of it. */
  const submit = async (/** @type {Uint8Array} */ bytes) => {
    const hashed = hasher.updateAsync(bytes)
    quietly(hashed)
    hashing.push(hashed)
    if (hashing.length > MAX_QUEUED) await hashing.shift()
  }
  // Small chunks are gathered into one staging buffer, so a stream of 16 KiB chunks makes a
  // trip to the pool per megabyte, not per chunk.
  let stage = new Uint8Array(STAGE_BYTES)
  let staged = 0
  const flush = async () => {
    if (staged === 0) return
    const full = stage.subarray(0, staged)
    stage = new Uint8Array(STAGE_BYTES)
    staged = 0
    await submit(full)
  }
  try {
    for (;;) {
      const next = await read(reader)
      if (stoppedBy !== undefined) throw stoppedBy.error
      if (next.done) break
      // Copied before anything else can run: whoever enqueued a chunk may still hold it, and
      // could change or transfer its memory while it waits or while the pool reads it. (A
      // Blob's chunks are Node's own, but a forged Blob's need not be.)
      const chunk = bytesOf(next.value, done)
      if (chunk.byteLength > STAGE_BYTES / 2) {
        const owned = chunk.slice()
        await flush()
        await submit(owned)
      } else {
        if (staged + chunk.byteLength > STAGE_BYTES) await flush()
        stage.set(chunk, staged)
        staged += chunk.byteLength
      }
      done += chunk.byteLength
      report(false)
    }
    // A short stream's few bytes cost less here than a trip to the pool.
    if (hashing.length === 0 && staged < POOL_CHUNK_BYTES) hasher.update(stage.subarray(0, staged))
    else await flush()
    for (const hashed of hashing) await hashed
    if (stoppedBy !== undefined) throw stoppedBy.error
    report(true)
    return hasher.digest(encoding)
  } catch (error) {
    quietly(cancel(reader, error))
    throw error
  } finally {
    inFlight.delete(cancelled)
    if (signal !== undefined) removeListener(signal, 'abort', onAbort)
  }
}

module.exports = { webSourceKind, hashWebSource, cancelWebHashes }
