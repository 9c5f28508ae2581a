// Turning every kind of qrhash output back into something a decoder reads: PNG, JPEG and WebP
// through sharp (libvips, an independent image decoder), SVG through resvg, and the text
// outputs (half blocks, ANSI terminal colours) parsed back into module grids.
import { createRequire } from 'node:module'

import { PNG } from 'pngjs'
import sharp from 'sharp'

import type { QrSymbol } from '../../index.js'
import { rasterise, type Decoded } from './decode.js'

const require = createRequire(import.meta.url)
// resvg-js is a CommonJS napi package: its named exports are not visible to `import`.
const { Resvg }: typeof import('@resvg/resvg-js') = require('@resvg/resvg-js')

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Which file format `bytes` start with. */
export function formatOf(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | 'gif' | 'svg' | 'unknown' {
  const head = Buffer.from(bytes.subarray(0, 16))
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png'
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg'
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  if (head.toString('latin1', 0, 6) === 'GIF89a' || head.toString('latin1', 0, 6) === 'GIF87a') return 'gif'
  if (head.toString('latin1', 0, 4) === '<svg') return 'svg'
  return 'unknown'
}

/**
 * The RGBA pixels of a PNG, JPEG, WebP or GIF file as libvips decodes them, composited over white
 * (what a viewer shows for colours with alpha).
 */
export async function pixelsOf(image: Uint8Array): Promise<Decoded> {
  const { data, info } = await sharp(image).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, rgba: new Uint8ClampedArray(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) }
}

/** The RGBA pixels of an image file exactly as stored (no compositing), for colour checks. */
export async function rawPixelsOf(image: Uint8Array): Promise<Decoded> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, rgba: new Uint8ClampedArray(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) }
}

/** An SVG document rendered by resvg at its own pixel size, on white. */
export function svgPixels(svg: string): Decoded {
  const rendered = new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: false } }).render()
  return { width: rendered.width, height: rendered.height, rgba: new Uint8ClampedArray(rendered.pixels) }
}

/** A symbol's modules with `margin` light modules around them, as rows of booleans (true = dark). */
export function framedGrid(symbol: Pick<QrSymbol, 'width' | 'height' | 'modules'>, margin: number): boolean[][] {
  const { width, height } = symbol
  return Array.from({ length: height + 2 * margin }, (_, y) =>
    Array.from({ length: width + 2 * margin }, (_, x) => {
      const [mx, my] = [x - margin, y - margin]
      return mx >= 0 && my >= 0 && mx < width && my < height && symbol.modules[my * width + mx] === 1
    }),
  )
}

/** Reads `toString`'s half-block text (`utf8`) back into a module grid, two rows per line. */
export function gridOfHalfBlocks(text: string): boolean[][] {
  const grid: boolean[][] = []
  for (const line of text.split('\n').filter((line) => line.length > 0)) {
    const chars = [...line]
    grid.push(chars.map((c) => c === '█' || c === '▀'))
    grid.push(chars.map((c) => c === '█' || c === '▄'))
  }
  return grid
}

type Rgb = readonly [number, number, number]

/**
 * Reads `toString`'s `terminal` output back into a module grid by following its ANSI 24-bit
 * colour escapes: two spaces on a background colour per module, or with `small`, `▀` with the
 * upper module in the foreground colour and the lower one in the background colour. A module
 * is dark when its colour is `dark`; any other character or escape is an error.
 */
export function gridOfTerminal(text: string, dark: Rgb, small: boolean): boolean[][] {
  const isDark = (colour: Rgb | undefined) => {
    if (!colour) throw new Error('a module drawn before any colour was set')
    return colour[0] === dark[0] && colour[1] === dark[1] && colour[2] === dark[2]
  }
  const grid: boolean[][] = []
  const lines = text.split('\n')
  if (lines.at(-1) !== '') throw new Error('terminal output does not end with a newline')
  for (const line of lines.slice(0, -1)) {
    let fg: Rgb | undefined
    let bg: Rgb | undefined
    const upper: boolean[] = []
    const lower: boolean[] = []
    let at = 0
    while (at < line.length) {
      const escape = /^\x1b\[(?:(38|48);2;(\d+);(\d+);(\d+)|0)m/.exec(line.slice(at))
      if (escape) {
        const colour: Rgb = [Number(escape[2]), Number(escape[3]), Number(escape[4])]
        if (escape[1] === '38') fg = colour
        else if (escape[1] === '48') bg = colour
        else fg = bg = undefined
        at += escape[0].length
      } else if (small && line[at] === '▀') {
        upper.push(isDark(fg))
        lower.push(isDark(bg))
        at += 1
      } else if (!small && line.startsWith('  ', at)) {
        upper.push(isDark(bg))
        at += 2
      } else {
        throw new Error(`unexpected ${JSON.stringify(line.slice(at, at + 8))} in terminal output`)
      }
    }
    grid.push(upper)
    if (small) grid.push(lower)
  }
  return grid
}

/** The parsed `#rrggbb` colour of a hex colour option (any of qrhash's forms). */
export function rgbOf(hex: string): Rgb {
  let digits = hex.replace(/^#/, '')
  if (digits.length <= 4) digits = [...digits].map((c) => c + c).join('')
  return [parseInt(digits.slice(0, 2), 16), parseInt(digits.slice(2, 4), 16), parseInt(digits.slice(4, 6), 16)]
}

/** A grid drawn black on white with `scale` px per module, for zxing. */
export const pixelsOfGrid = (grid: boolean[][], scale = 4): Decoded => rasterise(grid, scale)

/** The RGBA of pixel (x, y). */
export function pixelAt({ width, rgba }: Decoded, x: number, y: number): number[] {
  const at = (y * width + x) * 4
  return [...rgba.subarray(at, at + 4)]
}

/**
 * A 64×64 logo as a PNG file: a red disc on yellow crossed by a blue stripe, nothing a QR
 * decoder could mistake for a symbol (a logo made of another QR code is found as a second code).
 */
export function logoPng(): Buffer {
  const side = 64
  const png = new PNG({ width: side, height: side })
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const [dx, dy] = [x - 31.5, y - 31.5]
      const colour = Math.hypot(dx, dy) < 20 ? LOGO_RED : Math.abs(dx - dy) < 6 ? [20, 60, 200, 255] : [250, 220, 90, 255]
      png.data.set(colour, (y * side + x) * 4)
    }
  return PNG.sync.write(png)
}

/** The colour at the centre of {@link logoPng}. */
export const LOGO_RED = [200, 30, 40, 255]

/** The same logo as a JPEG file. */
export const logoJpeg = (): Promise<Buffer> => sharp(logoPng()).jpeg({ quality: 90 }).toBuffer()
