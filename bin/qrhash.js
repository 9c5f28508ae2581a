#!/usr/bin/env node
// @ts-check
'use strict'

const { writeFile } = require('node:fs/promises')
const { pipeline } = require('node:stream/promises')
const { extname } = require('node:path')
const { parseArgs } = require('node:util')

const qrhash = require('../index.js')

const USAGE = `Usage:
  qrhash [text] [-o out.png|out.svg|out.txt] [-e L|M|Q|H] [-s scale] [-q margin]
  qrhash --sha256 [FILE...]

Draws a QR code for text (or for standard input when it is not a terminal) in the terminal,
and writes it to a file with -o; with --sha256, prints the SHA-256 of each FILE (or of
standard input) as sha256sum does.

Options:
  -o, --output FILE   write the code to FILE: .png image, .svg image or .txt text
  -e, --error LEVEL   error correction level L, M (default), Q or H
  -s, --scale N       pixels per module in images, 1-256 (default 4)
  -q, --qzone N       quiet zone in modules, 0-128 (default 4)
      --sha256        hash files instead of drawing a code
  -h, --help          show this help
  -V, --version       show the version`

/** The API names options; a CLI user typed flags. */
const FLAG_OF_OPTION = {
  'options.errorCorrectionLevel': '-e/--error',
  'options.scale': '-s/--scale',
  'options.margin': '-q/--qzone',
}

/** @param {string} message */
function fail(message) {
  const text = Object.entries(FLAG_OF_OPTION).reduce((text, [option, flag]) => text.replaceAll(option, flag), message)
  process.stderr.write(`qrhash: ${text}\n`)
  process.exitCode = 1
}

/** @returns {Promise<Buffer>} */
async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/**
 * @param {string | undefined} value
 * @param {string} flag
 */
function integerFlag(value, flag) {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new RangeError(`${flag} must be a whole number, got '${value}'`)
  return Number(value)
}

/**
 * Prints `digest  name` lines as sha256sum does; files are streamed on libuv's pool, standard
 * input through a Writable hasher, so memory stays flat for any size.
 * @param {string[]} files
 */
async function hashFiles(files) {
  if (files.length === 0) {
    const hasher = qrhash.createSha256()
    await pipeline(process.stdin, hasher)
    process.stdout.write(`${hasher.digest('hex')}  -\n`)
    return
  }
  for (const file of files) {
    try {
      process.stdout.write(`${await qrhash.sha256File(file, { encoding: 'hex' })}  ${file}\n`)
    } catch (error) {
      fail(/** @type {Error} */ (error).message)
    }
  }
}

/**
 * @param {string} text
 * @param {{ output?: string, error?: string, scale?: string, qzone?: string }} flags
 */
async function drawCode(text, flags) {
  /** @type {import('../index.js').QrImageOptions} */
  const options = {
    errorCorrectionLevel: /** @type {import('../index.js').ErrorCorrectionLevel | undefined} */ (flags.error),
    scale: integerFlag(flags.scale, '-s/--scale'),
    margin: integerFlag(flags.qzone, '-q/--qzone'),
  }
  if (flags.output !== undefined) {
    const type = extname(flags.output).toLowerCase()
    const contents =
      type === '.png'
        ? await qrhash.toBuffer(text, options)
        : type === '.svg'
          ? await qrhash.toString(text, { ...options, type: 'svg' })
          : type === '.txt'
            ? await qrhash.toString(text, { ...options, type: 'utf8' })
            : undefined
    if (contents === undefined) throw new RangeError(`-o/--output must end in .png, .svg or .txt, got '${flags.output}'`)
    await writeFile(flags.output, contents)
    process.stderr.write(`qrhash: wrote ${flags.output}\n`)
  }
  process.stdout.write(await qrhash.toString(text, { ...options, type: 'utf8' }))
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      error: { type: 'string', short: 'e' },
      scale: { type: 'string', short: 's' },
      qzone: { type: 'string', short: 'q' },
      sha256: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (values.version) {
    process.stdout.write(`${require('../package.json').version}\n`)
    return
  }
  if (values.sha256) {
    await hashFiles(positionals)
    return
  }
  if (positionals.length > 1) throw new RangeError(`give the text as one argument (quote it), got ${positionals.length}`)
  const text = positionals[0] ?? (process.stdin.isTTY ? undefined : (await readStdin()).toString('utf8').replace(/\r?\n$/, ''))
  if (text === undefined) throw new TypeError(`no text given\n\n${USAGE}`)
  await drawCode(text, values)
}

main().catch((/** @type {Error} */ error) => fail(error.message))
