// Gradients, finder colours and qr-code-styling's shapes: zxing reads every combination over a
// grid of versions and levels, in PNG and SVG (rasterised by resvg) and a sample of the other
// formats (decoded by sharp); pixels show the gradient and the finder colours where they
// belong; colours too light to scan are refused with messages naming them.
import test, { type ExecutionContext } from 'ava'

import { createQr, createQrSync, toBuffer, toBufferSync, toString, toStringSync, type QrGradient, type QrImageOptions } from '../index.js'
import { decodePng, pngOfDataUrl } from './helpers/decode.js'
import { readPng, readSvg, readWithSharp, type Read } from './helpers/render.js'

type Level = 'L' | 'M' | 'Q' | 'H'

// Short enough for version 1-H (10 alphanumeric characters).
const TEXT = 'QR STYLES'

const linear = (rotation: number, ...colors: string[]): QrGradient => ({
  type: 'linear',
  rotation,
  stops: colors.map((color, i) => ({ offset: i / (colors.length - 1), color })),
})
const radial = (...colors: string[]): QrGradient => ({ type: 'radial', stops: colors.map((color, i) => ({ offset: i / (colors.length - 1), color })) })

/**
 * The styles each version and level is drawn in: every new shape, both gradients, finder
 * colours, and the lightest inks allowed on white (3:1 for gradient stops, 4.5:1 for finders).
 */
const STYLES: [string, QrImageOptions][] = [
  ['extra-rounded, linear 45°, finder colour', { style: { modules: 'extra-rounded', finder: 'extra-rounded' }, color: { gradient: linear(45, '#e91e63', '#1a237e'), finder: '#004d40' } }],
  ['classy, finder dots, radial of 3 stops, finder centre colour', { style: { modules: 'classy', finder: 'dot' }, color: { gradient: radial('#000000', '#6a1b9a', '#0d47a1'), finderCenter: '#b71c1c' } }],
  ['classy-rounded, linear -120° to the limit, finder at the limit', { style: { modules: 'classy-rounded', finder: 'rounded' }, color: { gradient: linear(-120, '#000', '#949494'), finder: '#767676', finderCenter: '#000' } }],
  ['square, linear 90°, both finder colours', { color: { gradient: linear(90, '#1b5e20', '#01579b', '#4a148c'), finder: '#bf360c', finderCenter: '#3e2723' } }],
]

async function reads(t: ExecutionContext, reading: Promise<Read>, level: Level, version: number, label: string) {
  let read: Read
  try {
    read = await reading
  } catch (error) {
    t.fail(`${label}: ${(error as Error).message}`)
    return
  }
  t.is(read.text, TEXT, `${label}: text`)
  t.is(read.ecLevel, level, `${label}: level`)
  t.is(read.version, String(version), `${label}: version`)
}

for (const version of [1, 7, 20, 40]) {
  for (const level of ['L', 'M', 'Q', 'H'] as const) {
    test(`version ${version}-${level}: every new shape, gradient and finder colour decodes as PNG and SVG`, async (t) => {
      for (const [label, options] of STYLES) {
        const all = { ...options, version, errorCorrectionLevel: level }
        await reads(t, readPng(toBufferSync(TEXT, all)), level, version, `${label}: PNG`)
        await reads(t, readSvg(toStringSync(TEXT, { ...all, type: 'svg' })), level, version, `${label}: SVG`)
      }
    })
  }
}

test('the lightest inks allowed decode on a tinted and on a translucent light colour', async (t) => {
  // The lightest greys allowed: for gradient stops, #8c8c8c is 3.04:1 against #f5f5dc (beige)
  // and #949494 3.03:1 against white; for finders, #6f6f6f is 4.54:1 and #767676 4.54:1.
  for (const [light, lightest, finder] of [['#f5f5dc', '#8c8c8c', '#6f6f6f'], ['#ffffff00', '#949494', '#767676']]) {
    for (const version of [2, 40]) {
      for (const level of ['L', 'H'] as const) {
        const options: QrImageOptions = {
          version,
          errorCorrectionLevel: level,
          style: { modules: 'dots', finder: 'dot' },
          color: { light, gradient: radial(lightest, '#000', lightest), finder, finderCenter: '#000' },
        }
        await reads(t, readPng(toBufferSync(TEXT, options)), level, version, `${light}: PNG`)
        await reads(t, readSvg(toStringSync(TEXT, { ...options, type: 'svg' })), level, version, `${light}: SVG`)
      }
    }
  }
})

test('JPEG, WebP, GIF and data URLs draw gradients, finder colours and shapes, and decode', async (t) => {
  for (const [label, options] of STYLES) {
    const all = { ...options, version: 5, errorCorrectionLevel: 'Q' as const }
    await reads(t, readWithSharp(toBufferSync(TEXT, { ...all, type: 'jpeg' })), 'Q', 5, `${label}: JPEG`)
    await reads(t, readWithSharp(toBufferSync(TEXT, { ...all, type: 'webp' })), 'Q', 5, `${label}: WebP`)
    await reads(t, readWithSharp(toBufferSync(TEXT, { ...all, type: 'gif' })), 'Q', 5, `${label}: GIF`)
    await reads(t, readPng(pngOfDataUrl(await createQr(TEXT, all))), 'Q', 5, `${label}: PNG data URL`)
    const webp = createQrSync(TEXT, { ...all, type: 'image/webp' })
    await reads(t, readWithSharp(Buffer.from(webp.slice(webp.indexOf(',') + 1), 'base64')), 'Q', 5, `${label}: WebP data URL`)
    await reads(t, readSvg(await toString(TEXT, { ...all, type: 'svg' })), 'Q', 5, `${label}: SVG, async`)
    await reads(t, readPng(await toBuffer(TEXT, all)), 'Q', 5, `${label}: PNG, async`)
  }
})

/** The RGBA of the pixel at the centre of module (`x`, `y`) (quiet zone excluded). */
function moduleColour(png: Uint8Array, x: number, y: number, scale: number, margin: number): number[] {
  const { rgba, width } = decodePng(png)
  const at = (((margin + y) * scale + scale / 2) * width + (margin + x) * scale + scale / 2) * 4
  return [...rgba.subarray(at, at + 4)]
}

test('a gradient PNG: the dark modules change colour along the rotation, and only the light stays the light colour', (t) => {
  const scale = 8
  const margin = 2
  const side = 25 // version 2
  const corner = (png: Buffer, x: number, y: number) => moduleColour(png, x, y, scale, margin)
  // The finder's outer corners are dark in every code: top-left, top-right and bottom-left.
  const across = toBufferSync(TEXT, { version: 2, scale, margin, color: { gradient: linear(0, '#ff0000', '#0000ff') } })
  const left = corner(across, 0, 0)
  const right = corner(across, side - 1, 0)
  t.true(left[0]! > 240 && left[2]! < 15, `left: ${left}`)
  t.true(right[2]! > 240 && right[0]! < 15, `right: ${right}`)
  t.deepEqual(corner(across, 7, 0), [0xff, 0xff, 0xff, 0xff], 'the separator is the light colour')
  const down = toBufferSync(TEXT, { version: 2, scale, margin, color: { gradient: linear(90, '#ff0000', '#0000ff') } })
  t.deepEqual(corner(down, 0, 0).slice(0, 3), corner(down, side - 1, 0).slice(0, 3), 'rotated 90°: one colour along a row')
  t.true(corner(down, 0, side - 1)[2]! > 240, 'and blue at the bottom')
  const out = toBufferSync(TEXT, { version: 2, scale, margin, color: { gradient: radial('#ff0000', '#0000ff') } })
  const centre = corner(out, 3, 3)
  const edge = corner(out, 0, 0)
  t.true(centre[0]! > edge[0]! && centre[2]! < edge[2]!, `radial: the finder centre ${centre} is nearer the first stop than its corner ${edge}`)
  t.true(edge[2]! > 240, `the corners are the last stop: ${edge}`)
})

test('finder colours: the ring and the centre of all three finders, and nothing else', (t) => {
  const scale = 6
  const margin = 1
  const side = 21
  for (const finder of ['square', 'rounded', 'extra-rounded', 'dot'] as const) {
    const png = toBufferSync(TEXT, { version: 1, scale, margin, style: { finder }, color: { dark: '#000080', finder: '#006400', finderCenter: '#8b0000' } })
    const at = (x: number, y: number) => moduleColour(png, x, y, scale, margin)
    for (const [fx, fy] of [[0, 0], [side - 7, 0], [0, side - 7]] as const) {
      t.deepEqual(at(fx + 3, fy), [0x00, 0x64, 0x00, 0xff], `${finder}: the ring at (${fx + 3}, ${fy})`)
      t.deepEqual(at(fx + 3, fy + 3), [0x8b, 0x00, 0x00, 0xff], `${finder}: the centre of (${fx}, ${fy})`)
      t.deepEqual(at(fx + 1, fy + 3), [0xff, 0xff, 0xff, 0xff], `${finder}: the light ring`)
    }
    t.deepEqual(at(8, 6), [0x00, 0x00, 0x80, 0xff], `${finder}: the timing pattern is dark`)
  }
  const ringOnly = toBufferSync(TEXT, { version: 1, scale, margin, color: { finder: '#006400' } })
  t.deepEqual(moduleColour(ringOnly, 3, 3, scale, margin), [0x00, 0x64, 0x00, 0xff], 'finder alone colours the centre too')
  const svg = toStringSync(TEXT, { type: 'svg', color: { finder: '#006400', finderCenter: '#8b0000' } })
  t.is(svg.match(/<path fill="#006400"/g)?.length, 1, 'SVG: the rings are one path')
  t.is(svg.match(/<path fill="#8b0000"/g)?.length, 1, 'SVG: the centres are one path')
})

test('SVG: a gradient is defined once in <defs>, in module units, and paints the dark paths', (t) => {
  const svg = toStringSync(TEXT, { type: 'svg', version: 1, color: { gradient: linear(0, '#ff0000', '#0000ff') } })
  const [, id] = svg.match(/<linearGradient id="(qrhash-[0-9a-f]{12})" gradientUnits="userSpaceOnUse" x1="4" y1="14.5" x2="25" y2="14.5">/) ?? []
  t.truthy(id, svg.slice(0, 300))
  t.true(svg.includes(`<path stroke="url(#${id})"`))
  t.is(svg.match(/<linearGradient/g)?.length, 1)
  const dots = toStringSync(TEXT, { type: 'svg', style: { modules: 'dots' }, color: { gradient: radial('#ff0000', '#0000ff') } })
  t.regex(dots, /<radialGradient id="qrhash-[0-9a-f]{12}" gradientUnits="userSpaceOnUse" cx="[\d.]+" cy="[\d.]+" r="[\d.]+"><stop offset="0" stop-color="#ff0000"\/><stop offset="1" stop-color="#0000ff"\/><\/radialGradient>/)
  t.regex(dots, /<path fill="url\(#qrhash-[0-9a-f]{12}\)" fill-rule="evenodd" d="M/)
})

test('text ignores gradients, finder colours and shapes: terminal colours are color.dark and color.light', (t) => {
  const color = { dark: '#101010', light: '#fafafa' }
  for (const type of ['terminal', 'utf8'] as const) {
    const plain = toStringSync(TEXT, { type, color })
    const styled = toStringSync(TEXT, { type, color: { ...color, gradient: linear(30, '#f00', '#00f'), finder: '#006400' }, style: { modules: 'classy', finder: 'dot' } })
    t.is(styled, plain, type)
  }
})

/** A `RangeError` or `TypeError` with exactly `message`, from the sync call and the async one. */
async function refused(t: ExecutionContext, options: object, type: typeof RangeError | typeof TypeError, message: string) {
  t.throws(() => toBufferSync(TEXT, options as QrImageOptions), { instanceOf: type, message }, message)
  await t.throwsAsync(createQr(TEXT, options as QrImageOptions), { instanceOf: type, message }, message)
  t.throws(() => toStringSync(TEXT, { ...(options as QrImageOptions), type: 'svg' }), { instanceOf: type, message }, message)
}

const LIMIT = "at least 3:1 darker than the light colour #ffffff by WCAG's contrast ratio, for scanners to read it"
const FINDER_LIMIT = "at least 4.5:1 darker than the light colour #ffffff by WCAG's contrast ratio, for scanners to read it"

test('inks too light to scan are refused, naming the option, the rule and the ratio', async (t) => {
  const stops = (...colors: string[]) => colors.map((color, offset) => ({ offset, color }))
  await refused(t, { color: { gradient: { type: 'linear', stops: stops('#000', '#959595') } } }, RangeError, `options.color.gradient.stops[1].color must be a colour ${LIMIT}, got #959595 (2.99:1)`)
  await refused(t, { color: { gradient: { type: 'radial', stops: [{ offset: 0, color: '#000' }, { offset: 0.5, color: '#000' }, { offset: 1, color: '#ffff00' }] } } }, RangeError, `options.color.gradient.stops[2].color must be a colour ${LIMIT}, got #ffff00 (1.07:1)`)
  await refused(t, { color: { finder: '#ccc' } }, RangeError, `options.color.finder must be a colour ${FINDER_LIMIT}, got #cccccc (1.60:1)`)
  // Finders need more: at 3:1 a light finder beside dark modules is lost at a few px a module.
  await refused(t, { color: { finder: '#949494' } }, RangeError, `options.color.finder must be a colour ${FINDER_LIMIT}, got #949494 (3.03:1)`)
  await refused(t, { color: { finderCenter: '#777' } }, RangeError, `options.color.finderCenter must be a colour ${FINDER_LIMIT}, got #777777 (4.47:1)`)
  await refused(t, { color: { finderCenter: '#00000040' } }, RangeError, `options.color.finderCenter must be a colour ${FINDER_LIMIT}, got #00000040 (1.83:1)`)
  await refused(t, { color: { light: '#000', finder: '#000' } }, RangeError, "options.color.finder must be a colour at least 4.5:1 darker than the light colour #000000 by WCAG's contrast ratio, for scanners to read it, got #000000 (1.00:1)")
  await refused(t, { color: { light: '#000', dark: '#fff', gradient: { type: 'linear', stops: stops('#fff', '#fff') } } }, RangeError, "options.color.gradient.stops[0].color must be a colour at least 3:1 darker than the light colour #000000 by WCAG's contrast ratio, for scanners to read it, got #ffffff (0.04:1)")
  // The same colours as `dark` are not checked: node-qrcode draws whatever it is given.
  t.true(toBufferSync(TEXT, { color: { dark: '#ccc' } }).length > 0)
  // At the limit: accepted.
  t.true(toBufferSync(TEXT, { color: { finder: '#767676', finderCenter: '#767676', gradient: { type: 'linear', stops: stops('#949494', '#949494') } } }).length > 0)
})

test('malformed gradients are refused with messages naming the option', async (t) => {
  const stops = [
    { offset: 0, color: '#000' },
    { offset: 1, color: '#333' },
  ]
  const cases: [object, typeof RangeError | typeof TypeError, string][] = [
    [{ gradient: { stops } }, TypeError, "options.color.gradient.type must be 'linear' or 'radial', got undefined"],
    [{ gradient: { type: 'conic', stops } }, RangeError, "options.color.gradient.type must be 'linear' or 'radial', got the string 'conic'"],
    [{ gradient: { type: 'radial', rotation: 90, stops } }, RangeError, "options.color.gradient.rotation must be left out with type 'radial', got a rotation"],
    [{ gradient: { type: 'linear', rotation: 400, stops } }, RangeError, 'options.color.gradient.rotation must be a number from -360 to 360, got the number 400'],
    [{ gradient: { type: 'linear', rotation: '90', stops } }, TypeError, "options.color.gradient.rotation must be a number, got the string '90'"],
    [{ gradient: { type: 'linear' } }, TypeError, 'options.color.gradient.stops must be an array of stops, got undefined'],
    [{ gradient: { type: 'linear', stops: '#000' } }, TypeError, "options.color.gradient.stops must be an array, got the string '#000'"],
    [{ gradient: { type: 'linear', stops: stops.slice(1) } }, RangeError, 'options.color.gradient.stops must be an array of 2 to 8 stops, got an array of 1'],
    [{ gradient: { type: 'linear', stops: Array(9).fill(stops[0]) } }, RangeError, 'options.color.gradient.stops must be an array of 2 to 8 stops, got an array of 9'],
    [{ gradient: { type: 'linear', stops: [stops[1], stops[0]] } }, RangeError, 'options.color.gradient.stops[1].offset must be a number from 1 to 1 (offsets never decrease), got the number 0'],
    [{ gradient: { type: 'linear', stops: [{ offset: 0.5, color: '#000' }, { offset: 0.25, color: '#000' }] } }, RangeError, 'options.color.gradient.stops[1].offset must be a number from 0.5 to 1 (offsets never decrease), got the number 0.25'],
    [{ gradient: { type: 'linear', stops: [stops[0], { offset: 1.5, color: '#000' }] } }, RangeError, 'options.color.gradient.stops[1].offset must be a number from 0 to 1, got the number 1.5'],
    [{ gradient: { type: 'linear', stops: [stops[0], { color: '#000' }] } }, TypeError, 'options.color.gradient.stops[1].offset must be a number from 0 to 1, got undefined'],
    [{ gradient: { type: 'linear', stops: [stops[0], { offset: 1 }] } }, TypeError, 'options.color.gradient.stops[1].color must be #rgb, #rgba, #rrggbb or #rrggbbaa, got undefined'],
    [{ gradient: { type: 'linear', stops: [stops[0], { offset: 1, color: 'navy' }] } }, RangeError, "options.color.gradient.stops[1].color must be #rgb, #rgba, #rrggbb or #rrggbbaa, got the string 'navy'"],
    [{ gradient: { type: 'linear', stops: [stops[0], 7] } }, TypeError, 'options.color.gradient.stops[1] must be an object, got the number 7'],
    [{ finder: 'green' }, RangeError, "options.color.finder must be #rgb, #rgba, #rrggbb or #rrggbbaa, got the string 'green'"],
    [{ gradient: 'linear' }, TypeError, "options.color.gradient must be an object, got the string 'linear'"],
  ]
  for (const [color, type, message] of cases) await refused(t, { color }, type, message)
  // qr-code-styling's spelling is not taken silently.
  await refused(t, { color: { gradient: { type: 'linear', colorStops: stops } } }, TypeError, 'options.color.gradient.colorStops is not an option here; options.color.gradient takes type, rotation, stops')
  await refused(t, { color: { gradient: { type: 'linear', stops: [{ ...stops[0], opacity: 1 }, stops[1]] } } }, TypeError, 'options.color.gradient.stops[0].opacity is not an option here; options.color.gradient.stops[0] takes offset, color')
  await refused(t, { color: { finderColor: '#000' } }, TypeError, 'options.color.finderColor is not an option here; options.color takes dark, light, gradient, finder, finderCenter')
})

test('new shape names are refused when misspelt, listing every shape', async (t) => {
  await refused(t, { style: { modules: 'extraRounded' } }, RangeError, "options.style.modules must be 'square', 'rounded', 'dots', 'extra-rounded', 'classy' or 'classy-rounded', got the string 'extraRounded'")
  await refused(t, { style: { finder: 'dots' } }, RangeError, "options.style.finder must be 'square', 'rounded', 'extra-rounded' or 'dot', got the string 'dots'")
})

test('getters in gradient stops run once, in phase one, before the render', (t) => {
  let reads = 0
  const stop = {
    get color() {
      reads++
      return '#000'
    },
    offset: 0,
  }
  const png = toBufferSync(TEXT, { color: { gradient: { type: 'linear', stops: [stop, { offset: 1, color: '#123' }] } } })
  t.is(reads, 1)
  t.true(png.length > 0)
})
