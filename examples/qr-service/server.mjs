#!/usr/bin/env node
// node examples/qr-service/server.mjs [--mode main|piscina|qrhash] [--port 3000] [--host 127.0.0.1]
// Prints "listening on http://host:port" once it accepts connections; stops cleanly on
// SIGINT or SIGTERM.
import { parseArgs } from 'node:util'

import { buildApp } from './app.mjs'
import { isMode, MODES } from './engines.mjs'

const USAGE = `usage: server.mjs [--mode ${MODES.join('|')}] [--port N] [--host H] [--log]
  --mode   how codes are made (default $QR_MODE, else qrhash)
  --port   0 picks a free port (default $PORT, else 3000)
  --host   interface to listen on (default 127.0.0.1)
  --log    log every request (fastify's pino logger)`

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

const options = /** @type {const} */ ({
  mode: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  log: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
})
let args
try {
  args = parseArgs({ options }).values
} catch (error) {
  fail(/** @type {Error} */ (error).message)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

const mode = args.mode ?? process.env['QR_MODE'] ?? 'qrhash'
if (!isMode(mode)) fail(`unknown mode ${JSON.stringify(mode)}`)
const portText = args.port ?? process.env['PORT'] ?? '3000'
const port = Number(portText)
if (!/^\d+$/.test(portText) || port > 65535) fail(`--port must be an integer 0-65535, not ${JSON.stringify(portText)}`)
const host = args.host ?? '127.0.0.1'

const app = await buildApp({ mode, logger: args.log ?? false })
const url = await app.listen({ port, host })
console.log(`qr-service (mode ${mode}) listening on ${url}`)

// First signal: stop accepting, finish requests in flight, close the pool, exit 0. A second
// signal, or 10 s without finishing, exits at once.
let stopping = false
/** @param {NodeJS.Signals} signal */
async function stop(signal) {
  if (stopping) process.exit(1)
  stopping = true
  console.log(`${signal}: closing`)
  setTimeout(() => {
    console.error('still closing after 10 s; exiting')
    process.exit(1)
  }, 10_000).unref()
  await app.close()
  console.log('closed')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
