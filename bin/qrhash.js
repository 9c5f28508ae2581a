#!/usr/bin/env node
// @ts-check
'use strict'

const { writeFile } = require('node:fs/promises')
const { pipeline } = require('node:stream/promises')
const { extname } = require('node:path')
const { parseArgs } = require('node:util')

const qrhash = require('../index.js')

/**
 * The addon's table of output formats (internal, untyped): what `-t` takes and `-o`'s extension
 * chooses, so the CLI lists exactly the formats the library makes.
 * @typedef {{ name: string, aliases: string[], extensions: string[], mime: string, image: boolean, options: string[] }} Format
 * @type {Format[]}
 */
const FORMATS = /** @type {{ __formats(): Format[] }} */ (/** @type {unknown} */ (qrhash)).__formats()

/** -t values: each format's name and its aliases but MIME types (`jpg` for jpeg, `txt` for utf8). */
const TYPES = new Map(FORMATS.flatMap((format) => [format.name, ...format.aliases.filter((alias) => !alias.includes('/'))].map((name) => [name, format])))

/** `-o` extensions, lower case with the dot. */
const FORMAT_OF_EXTENSION = new Map(FORMATS.flatMap((format) => format.extensions.map((extension) => [`.${extension}`, format])))

/** `a, b or c` */
const listed = (/** @type {string[]} */ names) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`

const TYPE_NAMES = listed(FORMATS.map((format) => format.name))
const TYPE_ALIASES = listed([...TYPES.keys()].filter((name) => !FORMATS.some((format) => format.name === name)))
const EXTENSIONS = listed([...FORMAT_OF_EXTENSION.keys()])

const USAGE = `Usage:
  qrhash [options] [text...]
  qrhash --sha256 [FILE...]

Draws a QR code for text (or for standard input when no text is given and it is not a
terminal) in the terminal (dark on light in any theme; NO_COLOR=1 for plain half blocks),
or writes it to a file with -o; with --sha256, prints the SHA-256
of each FILE (or of standard input) as sha256sum does. The flags are node-qrcode's.

QR code options:
  -v, --qversion N      symbol version, 1-40, or an rMQR size with --rmqr (default: the
                        smallest that holds the text)
  -e, --error LEVEL     error correction level L, M (default), Q or H
  -m, --mask N          mask pattern, 0-7 (default: the one with the lowest penalty)
      --micro           a Micro QR code (M1-M4: -v 1-4, mask 0-3)
      --rmqr            an rMQR code (rectangular, for narrow labels): the smallest size that
                        holds the text, or -v's size (R7x43 to R17x139); -e M (default) or H
      --gs1             GS1 data (FNC1 in first position): element strings with GS (\x1d)
                        between variable-length fields, or a GS1 Digital Link URI
      --ai AI           FNC1 in second position with this application indicator: two
                        digits or one letter
      --sequence        structured append: as many codes as hold the text (up to 16), read
                        back as one text by readers that know it
      --symbols N       structured append across exactly N codes, 2-16

Renderer options:
  -t, --type TYPE       ${TYPE_NAMES} (also ${TYPE_ALIASES}).
                        With -o: the file's format (default: from its extension, PNG when
                        unknown). Without: what is printed (default utf8; images go to standard
                        output when redirected)
  -i, --inverse         swap the dark and light colours (light modules drawn as ink)
  -w, --width N         image width in pixels (not with -s)
  -s, --scale N         pixels per module, 1-256 (default 4)
  -q, --qzone N         quiet zone in modules, 0-128 (default 4)
  -l, --lightcolor HEX  light colour: rgb, rgba, rrggbb or rrggbbaa, # optional (default ffffff)
  -d, --darkcolor HEX   dark colour, same forms (default 000000)
      --small           with -t terminal: two module rows per line (utf8 always is)
  -o, --output FILE     write the code to FILE: ${EXTENSIONS}
                        (the format its extension names, or -t's); says so in one line.
                        A sequence of several codes goes to FILE-1.ext, FILE-2.ext, ...
      --print           with -o: also draw the code in the terminal

Other options:
      --sha256          hash files instead of drawing a code
  -h, --help            show this help
  -V, --version         show the version

Examples:
  qrhash "some text"                      draw in the terminal
  qrhash -o out.png "some text"           save as a PNG image
  qrhash -d F00 -o out.png "some text"    red modules
  echo -n "some text" | qrhash -t svg     print an SVG document
  qrhash --gs1 -o gs1.png "0109501101020917"          a GS1 element string (AI 01)
  qrhash --symbols 3 -o part.png < long.txt        part-1.png, part-2.png, part-3.png`

/**
 * The API names options; a CLI user typed flags. With -i the colours are swapped, so the
 * colour the API complains about came from the other flag.
 * @param {boolean} inverse
 */
const flagsOfOptions = (inverse) => ({
  'options.errorCorrectionLevel': '-e/--error',
  'options.version': '-v/--qversion',
  'options.maskPattern': '-m/--mask',
  'options.micro': '--micro',
  'options.rmqr': '--rmqr',
  'options.gs1': '--gs1',
  'options.applicationIndicator': '--ai',
  'options.symbols': '--symbols',
  'options.scale': '-s/--scale',
  'options.width': '-w/--width',
  'options.margin': '-q/--qzone',
  'options.type': '-t/--type',
  'options.color.dark': inverse ? '-l/--lightcolor' : '-d/--darkcolor',
  'options.color.light': inverse ? '-d/--darkcolor' : '-l/--lightcolor',
})

let inverseColours = false

/** @param {string} message */
function fail(message) {
  const text = Object.entries(flagsOfOptions(inverseColours)).reduce((text, [option, flag]) => text.replaceAll(option, flag), message)
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

/** Light modules as ink: each half block for its complement. @param {string} text */
const invertBlocks = (text) => text.replace(/[ █▀▄]/g, (c) => ({ ' ': '█', '█': ' ', '▀': '▄', '▄': '▀' })[c] ?? c)

/**
 * @typedef {{ output?: string, type?: string, qversion?: string, error?: string, mask?: string,
 *   micro?: boolean, rmqr?: boolean, gs1?: boolean, ai?: string, sequence?: boolean, symbols?: string,
 *   inverse?: boolean, width?: string, scale?: string, qzone?: string, lightcolor?: string,
 *   darkcolor?: string, small?: boolean, print?: boolean }} Flags
 */

/** Structured append was asked for, by --sequence or --symbols. @param {Flags} flags */
const isSequence = (flags) => flags.sequence === true || flags.symbols !== undefined

/** @param {Flags} flags */
function optionsOf(flags) {
  if (flags.width !== undefined && flags.scale !== undefined) throw new RangeError('-w/--width and -s/--scale cannot be used together')
  const dark = flags.darkcolor ?? '000000'
  const light = flags.lightcolor ?? 'ffffff'
  return {
    // With --rmqr, -v names a size ('R13x77'), not a version number.
    version: flags.rmqr ? undefined : integerFlag(flags.qversion, '-v/--qversion'),
    // Checked by qrhash, which names the size forms (and refuses rMQR in a sequence).
    rmqr: /** @type {any} */ (flags.rmqr ? (flags.qversion ?? true) : undefined),
    errorCorrectionLevel: /** @type {import('../index.js').ErrorCorrectionLevel | undefined} */ (flags.error),
    maskPattern: integerFlag(flags.mask, '-m/--mask'),
    micro: flags.micro,
    gs1: flags.gs1,
    applicationIndicator: flags.ai,
    ...(isSequence(flags) ? { symbols: integerFlag(flags.symbols, '--symbols') } : {}),
    scale: integerFlag(flags.scale, '-s/--scale'),
    width: integerFlag(flags.width, '-w/--width'),
    margin: integerFlag(flags.qzone, '-q/--qzone'),
    color: flags.inverse ? { dark: light, light: dark } : { dark, light },
  }
}

/**
 * The codes in `format`, bytes for images and text otherwise: one, or a structured-append
 * sequence's codes in order.
 * @param {string} text
 * @param {Format} format
 * @param {Flags} flags
 * @returns {Promise<Array<string | Buffer>>}
 */
async function render(text, format, flags) {
  const type = /** @type {any} */ (format.name)
  // `small` only where the table says the format reads it (the terminal); drawn without -t,
  // the terminal code is as compact as utf8's.
  const small = format.options.includes('small') ? { small: flags.small === true || flags.type === undefined } : {}
  const options = { ...optionsOf(flags), type, ...small }
  const sequence = isSequence(flags)
  if (format.image) return sequence ? qrhash.toBufferSequence(text, options) : [await qrhash.toBuffer(text, options)]
  const codes = sequence ? await qrhash.toStringSequence(text, options) : [await qrhash.toString(text, options)]
  // Half blocks carry no colour (qrhash checks the colours and ignores them): dark modules
  // are the ink, or the light ones with -i.
  return format.name === 'utf8' && flags.inverse ? codes.map(invertBlocks) : codes
}

/**
 * Where code `index` of `count` is written: FILE itself for one code, else FILE-1.ext, ….
 * @param {string} file
 * @param {number} index
 * @param {number} count
 */
function fileOfCode(file, index, count) {
  if (count === 1) return file
  const extension = extname(file)
  return `${file.slice(0, file.length - extension.length)}-${index + 1}${extension}`
}

/**
 * Prints drawn codes; several are each headed by their place in the sequence.
 * @param {Array<string | Buffer>} codes
 */
function printCodes(codes) {
  codes.forEach((code, index) => {
    if (codes.length > 1) process.stdout.write(`code ${index + 1} of ${codes.length}\n`)
    process.stdout.write(code)
  })
}

/**
 * @param {string} text
 * @param {Flags} flags
 */
async function drawCode(text, flags) {
  const type = flags.type === undefined ? undefined : TYPES.get(flags.type)
  if (flags.type !== undefined && type === undefined) throw new RangeError(`-t/--type must be ${TYPE_NAMES}, got '${flags.type}'`)
  if (flags.output !== undefined) {
    const format = type ?? formatOfFile(flags.output)
    const codes = await render(text, format, flags)
    for (const [index, code] of codes.entries()) {
      const file = fileOfCode(flags.output, index, codes.length)
      await writeFile(file, code)
      process.stderr.write(`qrhash: wrote ${file} (${format.name}, ${Buffer.byteLength(code)} bytes)\n`)
    }
    if (flags.print) printCodes(await render(text, terminalFormat(), flags))
    return
  }
  const format = type ?? terminalFormat()
  if (format.image && process.stdout.isTTY) {
    throw new RangeError(`-t/--type ${flags.type} writes an image: give -o FILE, or redirect standard output`)
  }
  const codes = await render(text, format, flags)
  // Several images or SVG documents in one stream could not be told apart.
  if (codes.length > 1 && (format.image || format.name === 'svg')) {
    throw new RangeError(`the text took ${codes.length} codes, and -t/--type ${format.name} writes one document each: give -o FILE`)
  }
  printCodes(codes)
}

/**
 * The format `-o FILE` writes without -t: the one its extension names, else an error naming
 * the extensions known (a PNG in a file named .gif or .pdf would mislead whatever opens it).
 * @param {string} file
 */
function formatOfFile(file) {
  const extension = extname(file).toLowerCase()
  const format = FORMAT_OF_EXTENSION.get(extension)
  if (format !== undefined) return format
  const found = extension === '' ? 'has no extension' : `has the unknown extension ${extension}`
  throw new RangeError(`-o/--output ${file} ${found}: name the file ${EXTENSIONS}, or give -t TYPE`)
}

/**
 * What the code is drawn as without -t: in a terminal, half blocks in explicit colours (dark on
 * light whatever the terminal's theme, so that it scans; node-qrcode's CLI colours too), unless
 * NO_COLOR is set; plain half blocks when the output is redirected.
 */
function terminalFormat() {
  const coloured = process.stdout.isTTY === true && !process.env.NO_COLOR
  return /** @type {Format} */ (TYPES.get(coloured ? 'terminal' : 'utf8'))
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      qversion: { type: 'string', short: 'v' },
      error: { type: 'string', short: 'e' },
      mask: { type: 'string', short: 'm' },
      micro: { type: 'boolean' },
      rmqr: { type: 'boolean' },
      gs1: { type: 'boolean' },
      ai: { type: 'string' },
      sequence: { type: 'boolean' },
      symbols: { type: 'string' },
      type: { type: 'string', short: 't' },
      inverse: { type: 'boolean', short: 'i' },
      width: { type: 'string', short: 'w' },
      scale: { type: 'string', short: 's' },
      qzone: { type: 'string', short: 'q' },
      lightcolor: { type: 'string', short: 'l' },
      darkcolor: { type: 'string', short: 'd' },
      small: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      print: { type: 'boolean' },
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
  inverseColours = values.inverse === true
  // Several words are one text, joined by spaces, as node-qrcode's CLI does.
  const text =
    positionals.length > 0
      ? positionals.join(' ')
      : process.stdin.isTTY
        ? undefined
        : (await readStdin()).toString('utf8').replace(/\r?\n$/, '')
  if (text === undefined || text === '') throw new TypeError(`no text given\n\n${USAGE}`)
  await drawCode(text, values)
}

main().catch((/** @type {Error} */ error) => fail(error.message))
