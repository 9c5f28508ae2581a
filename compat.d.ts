// qrhash/compat: node-qrcode 1.5's server API on top of qrhash. Replace `require('qrcode')` by
// `require('qrhash/compat')` (or `import QRCode from 'qrhash/compat'`); README.md "Migrating from
// node-qrcode" lists every difference.

import type { Writable } from 'node:stream'

import type { BinaryLike, QrBufferOptions, QrImageOptions } from './index'

/** A level by name, any case, or node-qrcode's level object (`create().errorCorrectionLevel`). */
export type QRCodeErrorCorrectionLevel =
  | 'L' | 'M' | 'Q' | 'H'
  | 'low' | 'medium' | 'quartile' | 'high'
  | 'l' | 'm' | 'q' | 'h'
  | 'LOW' | 'MEDIUM' | 'QUARTILE' | 'HIGH'
  | ErrorCorrectionLevel

export type QRCodeSegmentMode = 'numeric' | 'alphanumeric' | 'byte' | 'kanji'

/**
 * One segment: `data` with an optional `mode` (a name, or a mode object from
 * `create().segments`). Numeric data may be a number; byte data a Buffer, any TypedArray or an
 * array of numbers. Without `mode`, a string takes the modes that need the fewest bits.
 */
export interface QRCodeSegment {
  data: string | number | BinaryLike | readonly number[]
  mode?: QRCodeSegmentMode | Uppercase<QRCodeSegmentMode> | QRCodeMode | null
}

/** Text (encoded as UTF-8), bytes (byte mode, as they are), or a list of segments. */
export type QRCodeData = string | BinaryLike | ReadonlyArray<string | BinaryLike | QRCodeSegment>

/** What `create()` reads. Renderer options given to it are ignored, as in node-qrcode. */
export interface QRCodeOptions {
  /** 1–40 (1–4 with `micro`); default: the smallest that holds the data. A numeric string is read as its number. */
  version?: number | string | null
  /** Default `'M'`. */
  errorCorrectionLevel?: QRCodeErrorCorrectionLevel | null
  /** 0–7 (0–3 with `micro`); default: the lowest penalty. A numeric string is read as its number. */
  maskPattern?: number | string | null
  /** Ignored: qrhash converts kanji to Shift_JIS itself. */
  toSJISFunc?: ((codePoint: string) => number) | null
  /**
   * qrhash: `'auto'` (default) marks non-ASCII text with ECI 26 (UTF-8); `false` writes no ECI,
   * as node-qrcode.
   */
  eci?: 'auto' | boolean
  /** qrhash: a Micro QR code (M1–M4). */
  micro?: boolean
  /** qrhash: GS1 data, FNC1 in first position (read as `]Q3`); see `QrOptions['gs1']`. */
  gs1?: boolean
  /** qrhash: FNC1 in second position with this indicator (`]Q5`); see `QrOptions['applicationIndicator']`. */
  applicationIndicator?: string
  /** qrhash: aborting rejects with an `AbortError`. */
  signal?: AbortSignal
}

export interface QRCodeRenderersOptions extends QRCodeOptions {
  /** Quiet zone in modules, 0–128; default 4. */
  margin?: number | string | null
  /** Pixels per module, 1–256; default 4 (0 also means 4, as in node-qrcode). */
  scale?: number | string | null
  /** Image width in px, overriding `scale`; ignored when under a pixel per module (0 means not set). */
  width?: number | string | null
  color?: {
    /** `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`; default `#000000ff`. */
    dark?: string | null
    /** Same forms; default `#ffffffff`. */
    light?: string | null
  } | null
  /** With `type: 'terminal'`: half blocks, two module rows per line. Ignored for other types. */
  small?: boolean | null
  /** With `type: 'terminal'` and `small`: light modules drawn dark (node-qrcode's switch). Ignored otherwise. */
  inverse?: boolean | null
  /** JPEG quality 0–1, as node-qrcode's README shows it; `rendererOpts.quality` wins. */
  quality?: number | null
  rendererOpts?: {
    /** JPEG quality 0–1; default 0.92. */
    quality?: number | null
    /** Ignored: PNG encoder tuning for node-qrcode's pngjs. */
    deflateLevel?: number | null
    /** Ignored: PNG encoder tuning for node-qrcode's pngjs. */
    deflateStrategy?: number | null
  } | null
  /** qrhash: module and finder shapes. */
  style?: QrImageOptions['style']
  /** qrhash: a centred logo. */
  logo?: QrImageOptions['logo']
  /**
   * qrhash: an rMQR code (rectangular Micro QR), `true` or a size such as `'R13x77'`; see
   * `QrOptions['rmqr']`. Drawn by every renderer; `create()` refuses it (its BitMatrix is square).
   */
  rmqr?: QrImageOptions['rmqr']
}

export interface QRCodeToDataURLOptions extends QRCodeRenderersOptions {
  /** Default `'image/png'`; JPEG, WebP and GIF are real JPEG, WebP and GIF. */
  type?: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'png' | 'jpeg' | 'jpg' | 'webp' | 'gif' | null
}

export interface QRCodeToStringOptions extends QRCodeRenderersOptions {
  /** Default `'utf8'`. */
  type?: 'utf8' | 'txt' | 'svg' | 'image/svg+xml' | 'terminal' | null
}

export interface QRCodeToBufferOptions extends QRCodeRenderersOptions {
  /** Default PNG. */
  type?: QrBufferOptions['type'] | null
}

export interface QRCodeToFileOptions extends QRCodeRenderersOptions {
  /** Default: from the path's extension (.png .jpg .jpeg .webp .gif .svg .txt), else PNG. */
  type?: QrBufferOptions['type'] | null
}

export interface QRCodeToFileStreamOptions extends QRCodeRenderersOptions {
  /** Default PNG. */
  type?: QrBufferOptions['type'] | null
}

/** node-qrcode's level object: `bit` is the level's code in the format information (L 1, M 0, Q 3, H 2). */
export interface ErrorCorrectionLevel {
  bit: 0 | 1 | 2 | 3
}

/** node-qrcode's mode object: `bit` is the mode indicator, `ccBits` the count field's width for versions 1–9, 10–26, 27–40. */
export interface QRCodeMode {
  id: 'Numeric' | 'Alphanumeric' | 'Byte' | 'Kanji'
  bit: number
  ccBits: readonly number[]
}

/** A segment of `create().segments`: text for numeric, alphanumeric and kanji, bytes for byte mode. */
export interface GeneratedQRCodeSegment {
  mode: QRCodeMode
  data: string | Uint8Array
  /** Characters, or bytes in byte mode. */
  getLength(): number
  /** Bits of data, without the mode indicator and character count. */
  getBitsLength(): number
}

/** The modules, row by row: `data[row * size + col]`, 1 = dark. */
export interface BitMatrix {
  size: number
  data: Uint8Array
  /** 1 where a function pattern (finder, separator, timing, alignment, format or version information) is. */
  reservedBit: Uint8Array
  get(row: number, col: number): number
  set(row: number, col: number, value: number | boolean, reserved?: boolean): void
  xor(row: number, col: number, value: number | boolean): void
  isReserved(row: number, col: number): number
}

/** node-qrcode's QR code object. */
export interface QRCode {
  modules: BitMatrix
  version: number
  errorCorrectionLevel: ErrorCorrectionLevel
  maskPattern: number
  segments: GeneratedQRCodeSegment[]
  /** qrhash: a Micro QR code (`version` is then M1–M4 as 1–4). */
  micro: boolean
}

/** node-qrcode's callback: an error, or `null` and the result. */
export type Callback<T> = (error: Error | null | undefined, result: T) => void

/** The code as data, synchronously (it throws on bad input). */
export declare function create(text: QRCodeData, options?: QRCodeRenderersOptions | null): QRCode

/** A `data:image/png;base64,…` URL (or JPEG / WebP / GIF with `type`). */
export declare function toDataURL(text: QRCodeData, callback: Callback<string>): void
export declare function toDataURL(text: QRCodeData, options: QRCodeToDataURLOptions | null | undefined, callback: Callback<string>): void
export declare function toDataURL(text: QRCodeData, options?: QRCodeToDataURLOptions | null): Promise<string>

/** The image file's bytes: PNG by default. */
export declare function toBuffer(text: QRCodeData, callback: Callback<Buffer>): void
export declare function toBuffer(text: QRCodeData, options: QRCodeToBufferOptions | null | undefined, callback: Callback<Buffer>): void
export declare function toBuffer(text: QRCodeData, options?: QRCodeToBufferOptions | null): Promise<Buffer>

/** The code as text: `'utf8'` half blocks (default), `'svg'` or `'terminal'`. */
export declare function toString(text: QRCodeData, callback: Callback<string>): void
export declare function toString(text: QRCodeData, options: QRCodeToStringOptions | null | undefined, callback: Callback<string>): void
export declare function toString(text: QRCodeData, options?: QRCodeToStringOptions | null): Promise<string>

/** Writes the code to `path`, in the format of `options.type` or the extension (PNG otherwise). */
export declare function toFile(path: string | Buffer, text: QRCodeData, callback: Callback<void>): void
export declare function toFile(path: string | Buffer, text: QRCodeData, options: QRCodeToFileOptions | null | undefined, callback: Callback<void>): void
export declare function toFile(path: string | Buffer, text: QRCodeData, options?: QRCodeToFileOptions | null): Promise<void>

/** Writes the image (PNG by default) to `stream` and ends it; a failure is emitted on the stream as `'error'`, which stays open (as in node-qrcode). */
export declare function toFileStream(stream: Writable, text: QRCodeData, options?: QRCodeToFileStreamOptions | null): void

/**
 * Not supported: there is no canvas in qrhash. Always throws an Error with code
 * `ERR_QR_CANVAS_UNSUPPORTED`; draw `toBuffer()`'s image on your canvas instead.
 */
export declare function toCanvas(...args: unknown[]): never
