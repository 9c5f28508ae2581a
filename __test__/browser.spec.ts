// examples/qr-service, the web service qrhash is for: its page in a real browser (headless
// Chromium driven by playwright-core), its routes in every mode, and its command line. The
// load test is `npm run bench:service`, not part of the suite.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import test from 'ava'
import { chromium, type Browser } from 'playwright-core'

import { buildApp, MAX_TEXT_BYTES } from '../examples/qr-service/app.mjs'
import { MODES } from '../examples/qr-service/engines.mjs'
import { pngOfDataUrl, zxingRead } from './helpers/decode.js'

// Debian's Chromium by default; CHROMIUM_PATH names another Chromium or Chrome (CI's macOS and
// Windows runners have Google Chrome).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SERVER = fileURLToPath(new URL('../examples/qr-service/server.mjs', import.meta.url))
const MiB = 1 << 20

// One qrhash-mode server and one browser for the file, started when a test first needs them.
let server: Promise<{ url: string; close: () => Promise<void> }> | undefined
let browser: Promise<Browser> | undefined

function startServer() {
  server ??= (async () => {
    const app = await buildApp({ mode: 'qrhash' })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url, close: () => app.close() }
  })()
  return server
}

function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    // A missing browser must fail the suite, never skip it.
    throw new Error(
      `${CHROMIUM} is missing: the browser test needs Chromium. Install Debian's with ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (.ci/run does this when it is missing), ' +
        'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    )
  }
  browser ??= chromium.launch({ executablePath: CHROMIUM, timeout: 120_000 })
  return browser
}

test.after.always(async () => {
  await (await browser?.catch(() => undefined))?.close()
  await (await server?.catch(() => undefined))?.close()
})

test('the page shows the code of the text as it is typed; a screenshot of it decodes to that text', async (t) => {
  t.timeout(180_000)
  const { url } = await startServer()
  const page = await (await launchBrowser()).newPage()
  try {
    await page.goto(url)
    // Typed key by key, as a person would: each keystroke is an input event; the page debounces.
    const text = 'https://example.com/tickets/42?name=Zoë'
    await page.locator('#text').pressSequentially(text, { delay: 20 })
    await page.waitForFunction(
      (expected) => {
        const image = document.querySelector<HTMLImageElement>('#code')
        return image?.dataset['text'] === expected && image.complete && image.naturalWidth > 0
      },
      text,
      { timeout: 60_000 },
    )
    const screenshot = await page.screenshot({ type: 'png', fullPage: true })
    t.is((await zxingRead(screenshot)).text, text)
    t.is(await page.locator('#status').textContent(), '')
  } finally {
    await page.close()
  }
})

test('the page shows the server\'s message for a text too long for a code, and clears the previous code', async (t) => {
  t.timeout(180_000)
  const { url } = await startServer()
  const page = await (await launchBrowser()).newPage()
  try {
    await page.goto(url)
    await page.locator('#text').fill('a code first')
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#code')?.dataset['text'] === 'a code first', undefined, { timeout: 60_000 })
    await page.locator('#text').fill('x'.repeat(MAX_TEXT_BYTES + 1))
    const status = page.locator('#status').filter({ hasText: `at most ${MAX_TEXT_BYTES}` })
    await status.waitFor({ timeout: 60_000 })
    t.regex((await status.textContent()) ?? '', new RegExp(`at most ${MAX_TEXT_BYTES}`))
    // The old code would be read as the new text's: the page must not show it beside the error.
    t.is(await page.locator('#code').getAttribute('src'), null)
    t.is(await page.locator('#code').getAttribute('data-text'), null)
  } finally {
    await page.close()
  }
})

test('/hash streams a multi-MiB body through createSha256: node:crypto\'s digest, for POST, PUT and GET', async (t) => {
  t.timeout(120_000)
  const { url } = await startServer()
  const body = randomBytes(9 * MiB + 123)
  const expected = { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length }

  for (const method of ['POST', 'PUT']) {
    const response = await fetch(`${url}/hash`, { method, body, headers: { 'content-type': 'application/octet-stream' } })
    t.is(response.status, 200, method)
    t.deepEqual(await response.json(), expected, method)
  }
  // fetch() refuses a body on GET; Node's http client sends one (with a length: for GET it
  // does not chunk by default).
  const got = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}/hash`, { method: 'GET', headers: { 'content-length': body.length } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
  t.is(got.status, 200)
  t.deepEqual(JSON.parse(got.body), expected)

  const empty = await fetch(`${url}/hash`)
  t.deepEqual(await empty.json(), { sha256: createHash('sha256').digest('hex'), bytes: 0 })
})

for (const mode of MODES) {
  test(`/qr in ${mode} mode: a PNG, a data URL and an SVG of the text`, async (t) => {
    t.timeout(120_000)
    const app = await buildApp({ mode })
    try {
      const text = `qrhash ${mode} mode ✓`
      const png = await app.inject({ url: '/qr', query: { text } })
      t.is(png.statusCode, 200)
      t.is(png.headers['content-type'], 'image/png')
      t.is((await zxingRead(png.rawPayload)).text, text)

      const json = await app.inject({ url: '/qr', query: { text, format: 'dataurl' } })
      t.is(json.statusCode, 200)
      const { result } = json.json<{ result: string }>()
      t.is((await zxingRead(pngOfDataUrl(result))).text, text)

      const svg = await app.inject({ url: '/qr', query: { text, format: 'svg' } })
      t.is(svg.statusCode, 200)
      t.is(svg.headers['content-type'], 'image/svg+xml; charset=utf-8')
      t.regex(svg.body, /^(<\?xml[^>]*>\s*)?<svg[\s>]/)
    } finally {
      await app.close()
    }
  })
}

test('bad input to /qr is a 400 with a JSON error, and the server goes on serving', async (t) => {
  const app = await buildApp({ mode: 'qrhash' })
  try {
    const cases: [query: Record<string, string | string[]>, message: RegExp][] = [
      [{}, /required property 'text'/],
      [{ text: '' }, /must NOT have fewer than 1 characters/],
      [{ text: 'é'.repeat(MAX_TEXT_BYTES / 2 + 1) }, new RegExp(`${MAX_TEXT_BYTES + 2} bytes as UTF-8; at most ${MAX_TEXT_BYTES}`)],
      [{ text: 'hi', format: 'gif' }, /format must be equal to one of the allowed values/],
      [{ text: ['a', 'b'] }, /text must be string/],
    ]
    for (const [query, message] of cases) {
      const response = await app.inject({ url: '/qr', query })
      t.is(response.statusCode, 400, JSON.stringify(query))
      t.is(response.headers['content-type'], 'application/json; charset=utf-8')
      const error = response.json<{ statusCode: number; error: string; message: string }>()
      t.is(error.statusCode, 400)
      t.is(error.error, 'Bad Request')
      t.regex(error.message, message)
    }
    // The longest text accepted still makes a code.
    const longest = await app.inject({ url: '/qr', query: { text: 'x'.repeat(MAX_TEXT_BYTES) } })
    t.is(longest.statusCode, 200)
  } finally {
    await app.close()
  }
})

test('/static serves its allow-listed file byte for byte, and nothing else: traversal, encoded slashes and other names are 404s', async (t) => {
  const app = await buildApp({ mode: 'qrhash' })
  try {
    const page = await app.inject({ url: '/static/page.html' })
    t.is(page.statusCode, 200)
    t.is(page.headers['content-type'], 'text/html; charset=utf-8')
    t.deepEqual(page.rawPayload, readFileSync(new URL('../examples/qr-service/page.html', import.meta.url)))
    for (const url of ['/static/..%2Fapp.mjs', '/static/%2E%2E%2Fapp.mjs', '/static/app.mjs', '/static/PAGE.HTML', '/static/page.html%00', '/static/.']) {
      const response = await app.inject({ url })
      t.is(response.statusCode, 404, url)
      t.notRegex(response.body, /readFileSync|import /, `${url} shows no source`)
    }
    // `..` segments are resolved by the router before the route: never a file outside the list.
    const dotted = await app.inject({ url: '/static/../app.mjs' })
    t.not(dotted.statusCode, 200)
  } finally {
    await app.close()
  }
})

test('/stats reports event-loop delay in ms, and ?reset=1 starts it over', async (t) => {
  const app = await buildApp({ mode: 'qrhash' })
  try {
    type Stats = { mode: string; eventLoopDelayMs: Record<string, number>; sinceMs: number }
    await new Promise((resolve) => setTimeout(resolve, 100))
    const first = (await app.inject({ url: '/stats?reset=1' })).json<Stats>()
    t.is(first.mode, 'qrhash')
    for (const key of ['p50', 'p95', 'p99', 'max', 'samples']) {
      t.true(Number.isFinite(first.eventLoopDelayMs[key]) && first.eventLoopDelayMs[key]! >= 0, key)
    }
    const second = (await app.inject({ url: '/stats' })).json<Stats>()
    t.true(second.sinceMs < first.sinceMs, 'counted from the reset')
  } finally {
    await app.close()
  }
})

test('server.mjs prints its URL, serves, and exits with 0 on SIGTERM', async (t) => {
  t.timeout(120_000)
  const child = spawn(process.execPath, [SERVER, '--mode', 'qrhash', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  t.teardown(() => child.kill('SIGKILL')) // only if the test failed before it exited
  let url: string | undefined
  for await (const line of createInterface({ input: child.stdout })) {
    url = /listening on (http:\/\/\S+)/.exec(line)?.[1]
    if (url !== undefined) break
  }
  t.truthy(url, 'it printed the URL it listens on')
  const png = await fetch(`${url}/qr?text=served`)
  t.is(png.status, 200)
  t.is((await zxingRead(new Uint8Array(await png.arrayBuffer()))).text, 'served')
  child.kill('SIGTERM')
  t.deepEqual(await exited, [0, null])
})
