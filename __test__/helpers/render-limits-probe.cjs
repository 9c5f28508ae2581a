// One render of the largest size a format allows, in a child process of its own, so that its
// peak memory is its own and a render that cannot be stopped cannot hold up the test run.
//   node render-limits-probe.cjs <abort|rss|exit> <case>
// prints one JSON line. QRHASH_UNDER_TEST names the build to load (default: this checkout's).
const qrhash = require(process.env.QRHASH_UNDER_TEST || '../../index.js')

/** A 64 × 64 logo of many colours, so that GIF quantizes. */
function logo() {
  const { PNG } = require('pngjs')
  const png = new PNG({ width: 64, height: 64 })
  for (let i = 0; i < 64 * 64; i++) png.data.set([(i * 7) & 255, (i >> 4) & 255, 90, 255], i * 4)
  return PNG.sync.write(png)
}

const dots = { style: { modules: 'dots', finder: 'rounded' } }
const LARGEST = 16384
const LARGEST_FRAME = 1024

/** The costliest requests each format allows: the largest width, curves sampled 16 times a pixel. */
const cases = {
  png: { type: 'png', width: LARGEST, ...dots, color: { light: '#ffffff80' } },
  'png-plain': { type: 'png', width: LARGEST },
  'png-logo': { type: 'png', width: LARGEST, ...dots, logo: { image: logo(), size: 0.4 } },
  // The RGBA path at one sample a pixel (a small logo leaves the modules square): its memory at
  // the largest size in a quarter of the time shapes take.
  'png-rgba': { type: 'png', width: LARGEST, color: { light: '#ffffff80' }, logo: { image: logo(), size: 0.1 } },
  jpeg: { type: 'jpeg', width: LARGEST },
  'jpeg-dots': { type: 'jpeg', width: LARGEST, ...dots },
  webp: { type: 'webp', width: LARGEST_FRAME, ...dots },
  gif: { type: 'gif', width: LARGEST_FRAME, ...dots },
  'gif-logo': { type: 'gif', width: LARGEST_FRAME, ...dots, logo: { image: logo(), size: 0.4 } },
  svg: { type: 'svg', width: LARGEST, ...dots, logo: { image: logo(), size: 0.4 } },
  utf8: { type: 'utf8', margin: 128 },
  terminal: { type: 'terminal', margin: 128 },
}

const DATA = 'https://example.com/'
const [mode, name] = process.argv.slice(2)
const options = cases[name]
if (!options) throw new Error(`no case ${name}`)
const report = (fields) => process.stdout.write(`${JSON.stringify({ name, ...fields })}\n`)
const megabytes = () => Math.round(process.resourceUsage().maxRSS / 1024)

if (mode === 'rss') {
  const before = megabytes()
  const output = qrhash.toBufferSync(DATA, options)
  report({ bytes: output.length, maxRssBeforeMb: before, maxRssMb: megabytes() })
} else if (mode === 'abort') {
  const controller = new AbortController()
  let abortedAt
  setTimeout(() => {
    abortedAt = performance.now()
    controller.abort()
  }, 100)
  qrhash.toBuffer(DATA, { ...options, signal: controller.signal }).then(
    () => report({ outcome: abortedAt === undefined ? 'finished before the abort' : 'finished', afterAbortMs: abortedAt === undefined ? 0 : performance.now() - abortedAt }),
    (error) => report({ outcome: error.code === 'ERR_ABORTED' ? 'aborted' : String(error), afterAbortMs: performance.now() - abortedAt }),
  )
} else if (mode === 'exit') {
  qrhash.toBuffer(DATA, options).catch(() => {})
  setTimeout(() => {
    report({ exiting: true })
    process.exit(0)
  }, 100)
} else {
  throw new Error(`no mode ${mode}`)
}
