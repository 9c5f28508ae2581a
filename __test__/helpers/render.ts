// Reading every output format back with zxing, through decoders independent of qrhash: pngjs
// (PNG, composited over white), sharp (JPEG, WebP), resvg (SVG), and small rasterisers for
// half-block text and ANSI terminal output.
import { Resvg } from '@resvg/resvg-js'
import sharp from 'sharp'

import { decodePng, rasterise, zxingRead, zxingReadPixels, type Decoded } from './decode.js'

export type Read = Awaited<ReturnType<typeof zxingRead>>

/** A PNG, with any transparency composited over white first (zxing ignores alpha). */
export async function readPng(png: Uint8Array): Promise<Read> {
  const image = decodePng(png)
  const { rgba } = image
  for (let i = 0; i < rgba.length; i += 4) {
    const alpha = rgba[i + 3]! / 255
    for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(rgba[i + c]! * alpha + 255 * (1 - alpha))
    rgba[i + 3] = 255
  }
  return zxingReadPixels(rgba, image.width, image.height)
}

/** A JPEG or WebP, decoded by sharp (libjpeg-turbo, libwebp): independent of qrhash's encoders. */
export async function readWithSharp(image: Uint8Array): Promise<Read> {
  const { data, info } = await sharp(image).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return zxingReadPixels(new Uint8ClampedArray(data), info.width, info.height)
}

/** An SVG document rasterised by resvg. */
export async function readSvg(svg: string): Promise<Read> {
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: '#ffffff' }).render().asPng()
  return zxingRead(png)
}

/** Half-block text (utf8) as a module grid; `inverted` when light modules are the ink. */
export function gridOfText(text: string, inverted = false): boolean[][] {
  const grid: boolean[][] = []
  for (const line of text.split('\n').filter((l) => l.length > 0)) {
    const chars = [...line]
    grid.push(chars.map((c) => (c === '█' || c === '▀') !== inverted))
    grid.push(chars.map((c) => (c === '█' || c === '▄') !== inverted))
  }
  return grid
}

export async function readText(text: string, inverted = false): Promise<Read> {
  const { rgba, width, height } = rasterise(gridOfText(text, inverted), 4)
  return zxingReadPixels(rgba, width, height)
}

/**
 * A terminal's rendering of ANSI text: each character cell is one pixel wide and two tall (its
 * upper and lower half), coloured by the 24-bit (38;2 / 48;2) or basic (30–47) SGR colours in
 * effect. Two-space modules and half-block modules both come out square.
 */
export function renderTerminal(ansi: string): Decoded {
  const basic = [
    [0, 0, 0],
    [205, 0, 0],
    [0, 205, 0],
    [205, 205, 0],
    [0, 0, 238],
    [205, 0, 205],
    [0, 205, 205],
    [229, 229, 229],
  ]
  const rows: number[][][] = []
  for (const line of ansi.split('\n')) {
    let fg = [229, 229, 229]
    let bg = [0, 0, 0]
    const top: number[][] = []
    const bottom: number[][] = []
    for (const [, sgr, char] of line.matchAll(/\x1b\[([\d;]*)m|([^\x1b])/g)) {
      if (sgr !== undefined) {
        const codes = sgr.split(';').map(Number)
        for (let i = 0; i < codes.length; i++) {
          const code = codes[i]!
          if ((code === 38 || code === 48) && codes[i + 1] === 2) {
            const rgb = codes.slice(i + 2, i + 5)
            if (code === 38) fg = rgb
            else bg = rgb
            i += 4
          } else if (code >= 30 && code <= 37) fg = basic[code - 30]!
          else if (code >= 40 && code <= 47) bg = basic[code - 40]!
          else if (code === 0) {
            fg = [229, 229, 229]
            bg = [0, 0, 0]
          }
        }
        continue
      }
      const [upper, lower] = char === '▀' ? [fg, bg] : char === '▄' ? [bg, fg] : char === '█' ? [fg, fg] : [bg, bg]
      top.push(upper)
      bottom.push(lower)
    }
    if (top.length > 0) rows.push(top, bottom)
  }
  const width = Math.max(...rows.map((r) => r.length))
  const scale = 4
  const rgba = new Uint8ClampedArray(width * scale * rows.length * scale * 4)
  rows.forEach((row, y) =>
    row.forEach((rgb, x) => {
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const at = ((y * scale + dy) * width * scale + x * scale + dx) * 4
          rgba.set([...rgb, 255], at)
        }
    }),
  )
  return { width: width * scale, height: rows.length * scale, rgba }
}

export async function readTerminal(ansi: string): Promise<Read> {
  const { rgba, width, height } = renderTerminal(ansi)
  return zxingReadPixels(rgba, width, height)
}
