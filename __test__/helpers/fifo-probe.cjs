// Probes for files that never open or never end, in a child process because the code before
// the fix blocked in open(2) forever (and `process.exit()` with it): each starts sha256File or
// toFile on a FIFO whose other end never comes (or never reads or writes), stops it 50 ms later
// and prints one JSON line { outcome, name, code, ms } once the call settled.
//
//   node __test__/helpers/fifo-probe.cjs <fifo> <probe> <stop>
//
// <probe>: read (no writer), idle-writer (a writer that never writes), write (no reader),
// idle-reader (a reader that never reads; the output is larger than the pipe's buffer).
// <stop>: abort (the signal), cancelAll, exit (process.exit(0): the child must end).
// QRHASH_INDEX=<path to an index.js> probes another build (such as the one before the fix).
'use strict'

const { openSync, constants } = require('node:fs')
const { resolve } = require('node:path')

const qrhash = require(resolve(process.env.QRHASH_INDEX ?? `${__dirname}/../../index.js`))
const [fifo, probe, stop] = process.argv.slice(2)

/** Drawn as dots (an outline per module), its SVG is about 1 MB: longer than a pipe's 64 KiB buffer. */
const LARGE_SVG_TEXT = 'x'.repeat(2000)

/** @param {AbortSignal} signal */
function start(signal) {
  switch (probe) {
    case 'read':
      return qrhash.sha256File(fifo, { signal })
    case 'idle-writer':
      openSync(fifo, 'r+') // a reader and writer at once: opens at once, never writes
      return qrhash.sha256File(fifo, { signal })
    case 'write':
      return qrhash.toFile(fifo, 'x', { type: 'svg', signal })
    case 'idle-reader':
      openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
      return qrhash.toFile(fifo, LARGE_SVG_TEXT, { type: 'svg', style: { modules: 'dots' }, signal })
    default:
      throw new Error(`unknown probe ${probe}`)
  }
}

const controller = new AbortController()
const pending = start(controller.signal)
let stoppedAt = 0
setTimeout(() => {
  stoppedAt = performance.now()
  if (stop === 'abort') controller.abort()
  else if (stop === 'cancelAll') qrhash.cancelAll()
  else process.exit(0)
}, 50)
pending.then(
  () => report({ outcome: 'resolved' }),
  (error) => report({ outcome: 'rejected', name: error.name, code: error.code }),
)

/** @param {object} result */
function report(result) {
  console.log(JSON.stringify({ ...result, ms: Math.round(performance.now() - stoppedAt) }))
}
