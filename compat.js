'use strict'

// qrhash/compat: node-qrcode 1.5's server API (`require('qrcode')`) on top of qrhash, so that
// replacing `require('qrcode')` by `require('qrhash/compat')` is the whole migration.
//
// Same functions, same calling convention (a promise without a callback, `(err, result)` with
// one), same `create()` shape. Options node-qrcode accepts but qrhash has no use for are
// translated or dropped here, before qrhash's strict validation sees them; values that are
// simply wrong (level 'Z', mask 9, margin -1, a bad colour) are errors, as everywhere in
// qrhash. README.md "Migrating from node-qrcode" lists every difference.

const { writeFile } = require('node:fs/promises')
const { extname } = require('node:path')

const qrhash = require('./index.js')

/** The core's table row for half-block text (`__formats`, internal): the names and file extensions that mean it. */
const UTF8 = qrhash.__formats().find((/** @type {{ name: string }} */ format) => format.name === 'utf8')
/** Whether `type` names half-block text, which compat colours itself as node-qrcode does. @param {unknown} type */
const isUtf8 = (type) => type === UTF8.name || UTF8.aliases.includes(type)

// ---------------------------------------------------------------------------------------------
// create(): node-qrcode's shape

/** node-qrcode's level objects; `bit` is the level's two-bit code in the format information. */
const LEVELS = Object.freeze({
  L: Object.freeze({ bit: 1 }),
  M: Object.freeze({ bit: 0 }),
  Q: Object.freeze({ bit: 3 }),
  H: Object.freeze({ bit: 2 }),
})
/** @type {readonly ('L' | 'M' | 'Q' | 'H')[]} index: `bit` */
const LEVEL_OF_BIT = ['M', 'L', 'H', 'Q']

/** node-qrcode's mode objects: `bit` is the mode indicator, `ccBits` the count field's width for versions 1–9, 10–26, 27–40. */
const MODES = Object.freeze({
  numeric: Object.freeze({ id: 'Numeric', bit: 1, ccBits: Object.freeze([10, 12, 14]) }),
  alphanumeric: Object.freeze({ id: 'Alphanumeric', bit: 2, ccBits: Object.freeze([9, 11, 13]) }),
  byte: Object.freeze({ id: 'Byte', bit: 4, ccBits: Object.freeze([8, 16, 16]) }),
  kanji: Object.freeze({ id: 'Kanji', bit: 8, ccBits: Object.freeze([8, 10, 12]) }),
})

/** A segment of `create().segments`, shaped as node-qrcode's NumericData, ByteData, … */
class Segment {
  /**
   * @param {import('./compat').QRCodeMode} mode
   * @param {string | Uint8Array} data
   */
  constructor(mode, data) {
    this.mode = mode
    this.data = data
  }

  /** Characters (numeric, alphanumeric, kanji) or bytes (byte mode). */
  getLength() {
    return this.data.length
  }

  /** Bits of data, without the mode indicator and character count. */
  getBitsLength() {
    const n = this.data.length
    switch (this.mode.id) {
      case 'Numeric':
        return 10 * Math.floor(n / 3) + [0, 4, 7][n % 3]
      case 'Alphanumeric':
        return 11 * Math.floor(n / 2) + 6 * (n % 2)
      case 'Kanji':
        return 13 * n
      default:
        return 8 * n
    }
  }
}

/** `create().modules`: node-qrcode's BitMatrix, over qrhash's module bytes (1 = dark). */
class BitMatrix {
  /**
   * @param {number} size
   * @param {Uint8Array} data
   * @param {Uint8Array} reservedBit
   */
  constructor(size, data, reservedBit) {
    this.size = size
    this.data = data
    this.reservedBit = reservedBit
  }

  /** @param {number} row @param {number} col */
  get(row, col) {
    return this.data[row * this.size + col]
  }

  /** @param {number} row @param {number} col @param {number | boolean} value @param {boolean} [reserved] */
  set(row, col, value, reserved) {
    const at = row * this.size + col
    this.data[at] = Number(value)
    if (reserved) this.reservedBit[at] = 1
  }

  /** @param {number} row @param {number} col @param {number | boolean} value */
  xor(row, col, value) {
    this.data[row * this.size + col] ^= Number(value)
  }

  /** @param {number} row @param {number} col */
  isReserved(row, col) {
    return this.reservedBit[row * this.size + col]
  }
}

/**
 * Centres of the alignment patterns along one axis (ISO/IEC 18004 annex E): the first at 6,
 * the last 7 from the far edge, the rest evenly spaced by an even step.
 * @param {number} version
 */
function alignmentCentres(version) {
  if (version === 1) return []
  const count = Math.floor(version / 7) + 2
  const last = version * 4 + 10
  const step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1) / 2) * 2
  const centres = [6]
  for (let i = count - 2; i >= 0; i--) centres.push(last - i * step)
  return centres
}

/**
 * Which modules are function patterns (finders and separators, timing, alignment, format and
 * version information, the dark module): node-qrcode's `reservedBit`, 1 = reserved.
 * @param {number} version
 * @param {boolean} micro
 * @param {number} size
 */
function reservedModules(version, micro, size) {
  const reserved = new Uint8Array(size * size)
  /** @param {number} top @param {number} left @param {number} height @param {number} width */
  const mark = (top, left, height, width) => {
    for (let r = Math.max(top, 0); r < Math.min(top + height, size); r++)
      for (let c = Math.max(left, 0); c < Math.min(left + width, size); c++) reserved[r * size + c] = 1
  }
  // A finder with its separator and the format information beside it; timing along row and column 6 (0 for Micro QR).
  mark(0, 0, 9, 9)
  if (micro) {
    mark(0, 0, 1, size)
    mark(0, 0, size, 1)
    return reserved
  }
  mark(0, size - 8, 9, 8)
  mark(size - 8, 0, 8, 9)
  mark(6, 0, 1, size)
  mark(0, 6, size, 1)
  const centres = alignmentCentres(version)
  const edge = centres.length - 1
  centres.forEach((row, i) =>
    centres.forEach((col, j) => {
      if ((i === 0 && (j === 0 || j === edge)) || (i === edge && j === 0)) return // under a finder
      mark(row - 2, col - 2, 5, 5)
    }),
  )
  if (version >= 7) {
    mark(0, size - 11, 6, 3)
    mark(size - 11, 0, 3, 6)
  }
  return reserved
}

/** @param {{ mode: import('./index').QrMode, data: string | Buffer }} segment */
function toNodeSegment({ mode, data }) {
  if (mode === 'byte') return new Segment(MODES.byte, typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data))
  return new Segment(MODES[mode], String(data))
}

// ---------------------------------------------------------------------------------------------
// Arguments: node-qrcode's forms → qrhash's

/** Options only node-qrcode's renderers read; its create() ignores them, and so does ours. */
const RENDER_KEYS = new Set(['margin', 'scale', 'width', 'color', 'type', 'rendererOpts', 'small', 'inverse', 'quality', 'style', 'logo'])
/** Options node-qrcode's CLI and query strings give as strings ('2'); node-qrcode parses them. */
const NUMBER_KEYS = ['version', 'maskPattern', 'margin', 'scale', 'width']
/**
 * pngjs encoder settings node-qrcode passes through `rendererOpts`; qrhash's PNG encoder has no
 * such knobs. node-qrcode also writes `width` and `height` into the caller's `rendererOpts`, so
 * an options object reused across calls carries them.
 */
const PNG_ENCODER_KEYS = new Set([
  'deflateLevel',
  'deflateStrategy',
  'deflateChunkSize',
  'deflateFactory',
  'filterType',
  'colorType',
  'inputColorType',
  'bitDepth',
  'inputHasAlpha',
  'bgColor',
  'width',
  'height',
])

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A copy of `entries` without the keys node-qrcode reads as "not set" (undefined, null).
 * @param {Record<string, any>} object
 */
function withoutNullish(object) {
  /** @type {Record<string, any>} */
  const out = {}
  for (const [key, value] of Object.entries(object)) if (value !== undefined && value !== null) out[key] = value
  return out
}

/**
 * node-qrcode's option values in qrhash's terms. Anything not translated here reaches qrhash as
 * it is, so a misspelt key or an out-of-range value is the TypeError or RangeError qrhash gives.
 * @param {unknown} options
 * @returns {any}
 */
function normalise(options) {
  if (options === undefined || options === null) return {}
  if (!isPlainObject(options)) return options // qrhash rejects it, naming the type
  const out = withoutNullish(options)
  delete out.toSJISFunc // qrhash converts kanji to Shift_JIS itself
  for (const key of NUMBER_KEYS) {
    const value = out[key]
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) out[key] = Number(value)
  }
  // node-qrcode: `options.width && options.width >= 21`, `options.scale || 4`: 0 means "not set".
  if (out.width === 0) delete out.width
  if (out.scale === 0) delete out.scale
  const level = out.errorCorrectionLevel
  if (isPlainObject(level) && LEVEL_OF_BIT[level.bit] !== undefined) out.errorCorrectionLevel = LEVEL_OF_BIT[level.bit]
  if (isPlainObject(out.color)) {
    // node-qrcode: `options.color.dark || '#000000ff'`: an empty string is the default.
    out.color = withoutNullish(out.color)
    for (const key of ['dark', 'light']) if (out.color[key] === '') delete out.color[key]
  }
  return out
}

/**
 * create()'s options. node-qrcode's `modules` is a square BitMatrix, so an rMQR code (which
 * qrhash's own create() gives as `width × height`) is refused here.
 * @param {unknown} options
 */
function createOptions(options) {
  const out = normalise(options)
  if (!isPlainObject(out)) return out
  for (const key of RENDER_KEYS) delete out[key]
  if (out.rmqr !== undefined && out.rmqr !== false) {
    const message = "options.rmqr must be left out of qrhash/compat's create(): node-qrcode's BitMatrix is square; qrhash's create() gives an rMQR code's modules"
    throw Object.assign(new RangeError(message), { code: 'ERR_INVALID_ARG_VALUE' })
  }
  return out
}

/**
 * @param {unknown} options
 * @param {string} [defaultType] the type when `options.type` is not given
 */
function renderOptions(options, defaultType) {
  const out = normalise(options)
  if (!isPlainObject(out)) return out
  // node-qrcode's README shows `quality` at the top level for JPEG; rendererOpts.quality wins.
  if (out.quality !== undefined) {
    out.rendererOpts = { quality: out.quality, ...(isPlainObject(out.rendererOpts) ? withoutNullish(out.rendererOpts) : {}) }
    delete out.quality
  }
  if (isPlainObject(out.rendererOpts)) {
    const rendererOpts = withoutNullish(out.rendererOpts)
    for (const key of PNG_ENCODER_KEYS) delete rendererOpts[key]
    if (Object.keys(rendererOpts).length === 0) delete out.rendererOpts
    else out.rendererOpts = rendererOpts
  }
  const type = out.type ?? defaultType
  // `inverse` is node-qrcode's switch for its small terminal output: light modules drawn dark.
  if (out.inverse === true && type === 'terminal' && out.small === true) out.color = swapColours(out.color)
  delete out.inverse
  if (type !== 'terminal') delete out.small // node-qrcode reads it for the terminal only
  return out
}

/** @param {Record<string, string> | undefined} color */
function swapColours(color) {
  const { dark = '#000000ff', light = '#ffffffff' } = isPlainObject(color) ? color : {}
  return { dark: light, light: dark }
}

/**
 * The red, green and blue of `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa` (`#` optional), as
 * 'rrggbb' in lower case, or undefined when `colour` is not one of those forms.
 * @param {unknown} colour
 */
function rgbOf(colour) {
  if (typeof colour !== 'string') return undefined
  const hex = colour.replace(/^#/, '').toLowerCase()
  if (!/^[0-9a-f]+$/.test(hex)) return undefined
  if (hex.length === 3 || hex.length === 4) return [...hex.slice(0, 3)].map((c) => c + c).join('')
  if (hex.length === 6 || hex.length === 8) return hex.slice(0, 6)
  return undefined
}

/**
 * node-qrcode's utf8 text draws dark modules as ink, but light ones when the dark colour is
 * white or the light one black (a code for a dark terminal). qrhash's text ignores colours, so
 * that rule is applied here: the colours are taken out of `options` (unless one is malformed,
 * which qrhash then reports) and the result says whether to invert the blocks.
 * @param {any} options the output of renderOptions
 */
function textColours(options) {
  if (!isPlainObject(options) || !isPlainObject(options.color)) return { options, invert: false }
  const dark = options.color.dark === undefined ? '000000' : rgbOf(options.color.dark)
  const light = options.color.light === undefined ? 'ffffff' : rgbOf(options.color.light)
  if (dark === undefined || light === undefined) return { options, invert: false }
  const { color: _ignored, ...rest } = options
  return { options: rest, invert: dark === 'ffffff' || light === '000000' }
}

/** Light modules as ink: each half block for its complement. @param {string} text */
const invertBlocks = (text) => text.replace(/[ █▀▄]/g, (c) => ({ ' ': '█', '█': ' ', '▀': '▄', '▄': '▀' })[c] ?? c)

/**
 * node-qrcode's data in qrhash's terms: segment objects with only `data` and `mode`, a mode
 * object (from `create().segments`) by its name, numeric data given as a number as digits,
 * and byte data given as an array of numbers as bytes.
 * @param {unknown} text
 * @returns {any}
 */
function toData(text) {
  if (!Array.isArray(text)) return text
  return text.map((segment) => {
    if (!isPlainObject(segment) || ArrayBuffer.isView(segment) || !('data' in segment || 'mode' in segment)) return segment
    /** @type {Record<string, unknown>} */
    const out = {}
    let { data, mode } = segment
    if (isPlainObject(mode) && typeof mode.id === 'string') mode = mode.id.toLowerCase()
    if (typeof data === 'number') data = String(data)
    else if (Array.isArray(data)) data = Uint8Array.from(data)
    if (data !== undefined) out.data = data
    if (mode !== undefined && mode !== null) out.mode = mode
    return out
  })
}

/** Options the renderers take here beyond qrhash's own: node-qrcode's, translated above. */
const RENDER_EXTRAS = ['toSJISFunc', 'inverse', 'quality']

/**
 * `error`, qrhash's refusal of an unknown option ("… takes a, b"), listing also `extras`, the
 * options qrhash/compat takes; any other error as it is.
 * @param {unknown} error
 * @param {string[]} extras
 */
function withCompatKeys(error, extras) {
  if (!(error instanceof TypeError) || /** @type {any} */ (error).code !== 'ERR_INVALID_ARG_VALUE') return error
  const listed = / is not an option here; \S+ takes (.*)$/.exec(error.message)
  if (listed === null) return error
  const known = new Set(listed[1].split(', '))
  const added = extras.filter((key) => !known.has(key))
  if (added.length === 0) return error
  const message = `${error.message}, ${added.join(', ')}`
  if (typeof error.stack === 'string') error.stack = error.stack.replace(error.message, message)
  error.message = message
  return error
}

// ---------------------------------------------------------------------------------------------
// Calling convention

/**
 * node-qrcode's rule for `(text, [options], [cb])`: with two arguments the second is the
 * callback if it is a function; a last argument that is not a function means "no callback,
 * return a promise" (and takes the options' place, as there).
 * @param {unknown} options
 * @param {unknown} cb
 * @returns {{ options: unknown, cb: Function | undefined }}
 */
function splitArguments(options, cb) {
  if (cb === undefined) {
    cb = options
    options = undefined
  }
  if (typeof cb !== 'function') return { options: cb, cb: undefined }
  return { options, cb }
}

/**
 * The promise, or undefined after arranging for `cb(err)` / `cb(null, result)`. The callback
 * runs on a later tick, outside the promise, so an exception in it is an uncaught exception as
 * with any Node callback, not an unhandled rejection.
 * @template T
 * @param {() => Promise<T>} work
 * @param {Function | undefined} cb
 */
function settle(work, cb) {
  /** @type {Promise<T>} */
  let promise
  try {
    promise = work().catch((error) => Promise.reject(withCompatKeys(error, RENDER_EXTRAS)))
  } catch (error) {
    promise = Promise.reject(error) // translating the arguments failed: reported like any other error
  }
  if (cb === undefined) return promise
  promise.then(
    (result) => process.nextTick(cb, null, result),
    (error) => process.nextTick(cb, error),
  )
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The API

/**
 * The code as data, synchronously, shaped as node-qrcode's: `modules` is a BitMatrix (`size`,
 * `data`, `reservedBit`, `get(row, col)`), `errorCorrectionLevel` is `{ bit }`, `segments` are
 * objects with a `mode` object (`id`, `bit`, `ccBits`), `data`, `getLength()`. Renderer options
 * in `options` are ignored, as node-qrcode does.
 * @param {unknown} text
 * @param {unknown} [options]
 */
function create(text, options) {
  let symbol
  try {
    symbol = qrhash.createSync(toData(text), createOptions(options))
  } catch (error) {
    throw withCompatKeys(error, ['toSJISFunc', ...RENDER_KEYS])
  }
  const data = new Uint8Array(symbol.modules.buffer, symbol.modules.byteOffset, symbol.modules.length)
  return {
    modules: new BitMatrix(symbol.size, data, reservedModules(symbol.version, symbol.micro, symbol.size)),
    version: symbol.version,
    errorCorrectionLevel: LEVELS[symbol.errorCorrectionLevel],
    maskPattern: symbol.maskPattern,
    segments: symbol.segments.map(toNodeSegment),
    micro: symbol.micro,
  }
}

/**
 * @param {unknown} text
 * @param {unknown} [options]
 * @param {unknown} [cb]
 */
function toDataURL(text, options, cb) {
  const args = splitArguments(options, cb)
  return settle(() => qrhash.createQr(toData(text), renderOptions(args.options)), args.cb)
}

/**
 * @param {unknown} text
 * @param {unknown} [options]
 * @param {unknown} [cb]
 */
function toBuffer(text, options, cb) {
  const args = splitArguments(options, cb)
  return settle(() => bufferOf(text, args.options), args.cb)
}

/**
 * @param {unknown} text
 * @param {unknown} options
 * @returns {Promise<Buffer>}
 */
async function bufferOf(text, options) {
  const rendered = renderOptions(options)
  if (isPlainObject(rendered) && isUtf8(rendered.type)) return Buffer.from(await utf8Art(text, rendered))
  return qrhash.toBuffer(toData(text), rendered)
}

/**
 * node-qrcode's half-block text: coloured as it colours it, and with no newline after the last
 * row (qrhash ends every line; node-qrcode joins them).
 * @param {unknown} text
 * @param {any} rendered the output of renderOptions
 */
async function utf8Art(text, rendered) {
  const { options, invert } = textColours(rendered)
  const art = withoutFinalNewline(await qrhash.toString(toData(text), { ...options, type: 'utf8' }))
  return invert ? invertBlocks(art) : art
}

/** @param {string} text */
const withoutFinalNewline = (text) => (text.endsWith('\n') ? text.slice(0, -1) : text)

/**
 * @param {unknown} text
 * @param {unknown} [options]
 * @param {unknown} [cb]
 */
function toString(text, options, cb) {
  const args = splitArguments(options, cb)
  return settle(async () => {
    const rendered = renderOptions(args.options, 'utf8')
    if (!isPlainObject(rendered)) return qrhash.toString(toData(text), rendered)
    if (isUtf8(rendered.type ?? 'utf8')) return utf8Art(text, rendered)
    const art = await qrhash.toString(toData(text), rendered)
    // node-qrcode's small terminal code ends with its last row; its full-size one with a newline.
    return rendered.type === 'terminal' && rendered.small === true ? withoutFinalNewline(art) : art
  }, args.cb)
}

/**
 * @param {unknown} path
 * @param {unknown} text
 * @param {unknown} [options]
 * @param {unknown} [cb]
 */
function toFile(path, text, options, cb) {
  // node-qrcode throws at once when the text is missing, e.g. `toFile(path, callback)`.
  if (text === undefined || typeof text === 'function') {
    throw Object.assign(new TypeError(`toFile(path, text, [options], [cb]) needs the text second, got ${text === undefined ? 'nothing' : 'a function'}`), { code: 'ERR_INVALID_ARG_TYPE' })
  }
  const args = splitArguments(options, cb)
  return settle(async () => {
    const rendered = renderOptions(args.options)
    const type = isPlainObject(rendered) ? rendered.type : undefined
    const name = typeof path === 'string' ? path : Buffer.isBuffer(path) ? path.toString() : ''
    const isText = isUtf8(type) || (type === undefined && UTF8.extensions.includes(extname(name).slice(1).toLowerCase()))
    if (isText) await writeFile(/** @type {string | Buffer} */ (path), await utf8Art(text, rendered))
    else await qrhash.toFile(/** @type {string | Buffer} */ (path), toData(text), rendered)
    return undefined
  }, args.cb)
}

/**
 * Writes the image (PNG unless `options.type` says otherwise) to `stream` and ends it. An error
 * is emitted on the stream as `'error'`, as node-qrcode does, and the stream is left open: an
 * HTTP response can still send a 500.
 * @param {import('node:stream').Writable} stream
 * @param {unknown} text
 * @param {unknown} [options]
 */
function toFileStream(stream, text, options) {
  if (arguments.length < 2) throw new TypeError('toFileStream(stream, text, [options]) needs a stream and the text')
  bufferOf(text, options).then(
    (image) => stream.end(image),
    (error) => stream.emit('error', withCompatKeys(error, RENDER_EXTRAS)),
  )
}

/**
 * Not available: node-qrcode's toCanvas draws on a browser or node-canvas canvas, and qrhash
 * has no canvas. Throws an Error with code ERR_QR_CANVAS_UNSUPPORTED.
 * @returns {never}
 */
function toCanvas() {
  const error = new Error(
    "qrhash/compat has no toCanvas: it needs a canvas (node-qrcode's browser build or node-canvas). " +
      'Draw an image made by toBuffer() or toDataURL() on your canvas instead (e.g. loadImage(await toBuffer(text))).',
  )
  Object.defineProperty(error, 'code', { value: 'ERR_QR_CANVAS_UNSUPPORTED', enumerable: true })
  throw error
}

module.exports = { create, toCanvas, toString, toDataURL, toBuffer, toFile, toFileStream }
