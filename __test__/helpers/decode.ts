// Two independent QR decoders as test oracles: zxing-wasm (ZXing C++ compiled to wasm, which
// also decodes the PNG itself) and jsQR (pure JS, fed pixels decoded by pngjs).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

import { PNG } from 'pngjs'
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader'

const require = createRequire(import.meta.url)
// jsQR's bundle assigns the function to module.exports; its types claim an ES default export.
const jsQR: typeof import('jsqr').default = require('jsqr')

let ready: Promise<unknown> | undefined

/** Loads zxing's .wasm from node_modules; it must never be fetched from the network. */
function zxingReady(): Promise<unknown> {
  ready ??= (() => {
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'))
    return prepareZXingModule({
      overrides: {
        wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength),
      },
      fireImmediately: true,
    })
  })()
  return ready
}

/** The one QR code zxing finds in a PNG file. */
export async function zxingRead(png: Uint8Array): Promise<ReadResult> {
  await zxingReady()
  const results = await readBarcodes(new Blob([new Uint8Array(png)]), { formats: ['QRCode'], maxNumberOfSymbols: 2 })
  if (results.length !== 1) throw new Error(`zxing found ${results.length} QR codes`)
  return results[0]!
}

/** zxing on raw RGBA pixels, for images we rasterise ourselves (SVG, text). */
export async function zxingReadPixels(rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): Promise<ReadResult> {
  await zxingReady()
  const results = await readBarcodes({ data: rgba, width, height, colorSpace: 'srgb' }, { formats: ['QRCode'] })
  if (results.length !== 1) throw new Error(`zxing found ${results.length} QR codes`)
  return results[0]!
}

/**
 * zxing reading only `formats` (e.g. `['MicroQRCode']`, which `zxingRead` does not look for) in
 * a PNG file or in raw RGBA pixels: the one symbol it finds.
 */
export async function zxingReadAs(formats: NonNullable<ReaderOptions['formats']>, image: Uint8Array | Decoded): Promise<ReadResult> {
  await zxingReady()
  const input = image instanceof Uint8Array ? new Blob([new Uint8Array(image)]) : { data: image.rgba, width: image.width, height: image.height, colorSpace: 'srgb' as const }
  const results = await readBarcodes(input, { formats, maxNumberOfSymbols: 2 })
  if (results.length !== 1) throw new Error(`zxing found ${results.length} symbols of ${formats.join(', ')}`)
  return results[0]!
}

export interface Decoded {
  width: number
  height: number
  rgba: Uint8ClampedArray<ArrayBuffer>
}

export function decodePng(png: Uint8Array): Decoded {
  const image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength))
  return { width: image.width, height: image.height, rgba: new Uint8ClampedArray(image.data) }
}

/** jsQR's reading of a PNG, as bytes. */
export function jsqrRead(png: Uint8Array): Uint8Array {
  const { rgba, width, height } = decodePng(png)
  const result = jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' })
  if (!result) throw new Error('jsQR found no QR code')
  return Uint8Array.from(result.binaryData)
}

export function pngOfDataUrl(url: string): Buffer {
  const prefix = 'data:image/png;base64,'
  if (!url.startsWith(prefix)) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}`)
  return Buffer.from(url.slice(prefix.length), 'base64')
}

/** Draws a module grid (true = dark; rows as long as the first) as black-on-white RGBA, `scale` px per module. */
export function rasterise(grid: boolean[][], scale: number): Decoded {
  const width = (grid[0]?.length ?? 0) * scale
  const height = grid.length * scale
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255)
  grid.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const at = ((y * scale + dy) * width + x * scale + dx) * 4
          rgba[at] = rgba[at + 1] = rgba[at + 2] = 0
        }
    }),
  )
  return { width, height, rgba }
}
