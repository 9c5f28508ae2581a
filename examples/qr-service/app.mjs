// The QR service: routes, input checks and the event-loop monitor. server.mjs runs it from the
// command line; tests build it in-process with buildApp().
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { pipeline } from 'node:stream/promises'

import Fastify from 'fastify'

import { createSha256 } from 'qrhash'
import { createEngine, machine } from './engines.mjs'

/** @typedef {import('./engines.mjs').Mode} Mode */
/** @typedef {import('./engines.mjs').Format} Format */

/**
 * Longest text accepted, in UTF-8 bytes. Any text this long fits a version-40 code at level M
 * (2331 bytes) in every mode, and the cap is checked before any work is done.
 */
export const MAX_TEXT_BYTES = 2048

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8')

/**
 * What `GET /static/<name>` serves: a fixed allow-list looked up by the whole name, so no request
 * can reach any other path (`..`, an encoded slash, a symlink or a directory is just a name that
 * is not in the list). Each request reads its file with `fs.promises.readFile`, as a small static
 * route does, so it waits on libuv's pool like every fs call: the load test times it.
 */
export const STATIC_FILES = new Map([['page.html', { url: new URL('./page.html', import.meta.url), type: 'text/html; charset=utf-8' }]])

const qrSchema = {
  querystring: {
    type: 'object',
    required: ['text'],
    properties: {
      text: { type: 'string', minLength: 1 },
      format: { type: 'string', enum: ['png', 'dataurl', 'svg'], default: 'png' },
    },
  },
  // Lets fastify serialise `{ result }` with a compiled serialiser, in every mode alike.
  response: { 200: { type: 'object', properties: { result: { type: 'string' } } } },
}

/**
 * A 400 that fastify's error handler renders like its own validation errors:
 * `{ statusCode, code, error, message }`.
 * @param {string} code
 * @param {string} message
 */
function badRequest(code, message) {
  return httpError(400, code, message)
}

/**
 * @param {number} statusCode
 * @param {string} code
 * @param {string} message
 */
function httpError(statusCode, code, message) {
  return Object.assign(new Error(message), { statusCode, code })
}

/**
 * @param {{ mode: Mode, logger?: boolean }} options
 */
export async function buildApp({ mode, logger = false }) {
  const engine = createEngine(mode)
  const loop = loopMonitor()
  const app = Fastify({ logger })
  app.addHook('onClose', async () => {
    loop.stop()
    await engine.close()
  })

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))

  app.get('/qr', { schema: qrSchema }, async (request, reply) => {
    const { text, format } = /** @type {{ text: string, format: Format }} */ (request.query)
    const bytes = Buffer.byteLength(text)
    if (bytes > MAX_TEXT_BYTES) {
      throw badRequest('ERR_TEXT_TOO_LONG', `querystring/text is ${bytes} bytes as UTF-8; at most ${MAX_TEXT_BYTES} are accepted`)
    }
    const result = await engine.render(text, format)
    if (format === 'dataurl') return { result }
    return reply.type(format === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8').send(result)
  })

  app.get('/static/:file', async (request, reply) => {
    const { file } = /** @type {{ file: string }} */ (request.params)
    const entry = STATIC_FILES.get(file)
    if (entry === undefined) {
      throw httpError(404, 'ERR_NOT_FOUND', `params/file ${JSON.stringify(file)} is not served; only ${[...STATIC_FILES.keys()].join(', ')}`)
    }
    return reply.type(entry.type).send(await readFile(entry.url))
  })

  // /hash streams the body through qrhash's hasher whatever the QR mode: fastify must not
  // parse or buffer it, so this scope's only content-type parser leaves it unread.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    scope.route({
      method: ['GET', 'POST', 'PUT'],
      url: '/hash',
      handler: async (request) => {
        const hasher = createSha256()
        let bytes = 0
        // A second 'data' listener only counts; pipe() still applies backpressure.
        request.raw.on('data', (/** @type {Buffer} */ chunk) => (bytes += chunk.length))
        await pipeline(request.raw, hasher)
        return { sha256: hasher.digest('hex'), bytes }
      },
    })
  })

  app.get('/stats', async (request) => {
    const stats = { mode, threads: engine.threads, ...loop.read(), machine: machine() }
    if (/** @type {{ reset?: string }} */ (request.query).reset === '1') loop.reset()
    return stats
  })

  return app
}

/** How often the loop-delay timer fires. Its histogram holds whole intervals, this included. */
const RESOLUTION_MS = 1

/**
 * Event-loop delay (perf_hooks.monitorEventLoopDelay), event-loop utilisation and process CPU
 * since start or the last reset: what a blocked loop does to every request.
 */
function loopMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  const mark = () => ({ at: performance.now(), elu: performance.eventLoopUtilization(), cpu: process.cpuUsage() })
  let since = mark()

  /** A histogram value (ns) as the delay beyond the timer's interval, in ms. */
  const delay = (/** @type {number} */ ns) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS))

  return {
    read() {
      const wallMs = performance.now() - since.at
      const cpu = process.cpuUsage(since.cpu)
      return {
        // How late a ready timer ran: 0 on an idle loop, the longest blocking call at worst.
        eventLoopDelayMs: {
          p50: delay(histogram.percentile(50)),
          p95: delay(histogram.percentile(95)),
          p99: delay(histogram.percentile(99)),
          max: delay(histogram.max),
          samples: histogram.count,
        },
        // Share of the time the main thread was running JavaScript or native callbacks.
        eventLoopUtilization: round(performance.eventLoopUtilization(since.elu).utilization),
        // CPU time of every thread of the process (main, pool, workers) per wall-clock second.
        cpuCores: round((cpu.user + cpu.system) / 1000 / wallMs),
        sinceMs: round(wallMs),
      }
    },
    reset() {
      histogram.reset()
      since = mark()
    },
    stop() {
      histogram.disable()
    },
  }
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 1000) / 1000
}
