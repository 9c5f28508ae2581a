import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { createSync, toBufferSync, toStringSequenceSync, toStringSync } from '../index.js'
import { decodePng, jsqrRead, zxingRead, zxingReadAs } from './helpers/decode.js'
import { svgPixels } from './helpers/qr-images.js'
import { readSvg, readTerminal, readText, readWithSharp } from './helpers/render.js'

const cli = fileURLToPath(new URL('../bin/qrhash.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'qrhash-cli-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input: input ?? '', encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Standard output as bytes, for images written there. */
function runBinary(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input: input ?? '' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() }
}

/** zxing's DataMask for a code it read. */
const maskOf = (read: { extra: string }) => (JSON.parse(read.extra) as { DataMask: number }).DataMask

test('qrhash TEXT -o out.png writes a PNG that decodes and says so in one line; --print also draws it', async (t) => {
  const out = join(dir, 'qr.png')
  const { status, stdout, stderr } = run(['https://example.com', '-o', out])
  t.is(status, 0, stderr)
  const png = readFileSync(out)
  t.is((await zxingRead(png)).text, 'https://example.com')
  t.is(new TextDecoder().decode(jsqrRead(png)), 'https://example.com')
  t.is(stdout, '', 'the code is not printed unless asked')
  t.is(stderr, `qrhash: wrote ${out} (png, ${png.length} bytes)\n`)
  const printed = run(['https://example.com', '-o', out, '--print'])
  t.is(printed.status, 0, printed.stderr)
  t.is(printed.stdout, toStringSync('https://example.com'))
})

/** Runs the CLI as if its standard output were a terminal, with `env` added. */
function runInTerminal(args: string[], env: Record<string, string> = {}) {
  const preload = "Object.defineProperty(process.stdout, 'isTTY', { value: true })"
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, cli, ...args], {
    input: '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', ...env },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

test('in a terminal the code is drawn dark on light in explicit colours, whatever the theme; NO_COLOR gives plain blocks', async (t) => {
  const coloured = runInTerminal(['terminal text'])
  t.is(coloured.status, 0, coloured.stderr)
  t.true(coloured.stdout.includes('\x1b[38;2;0;0;0m') || coloured.stdout.includes('\x1b[48;2;0;0;0m'), 'black, explicitly')
  t.true(coloured.stdout.includes('\x1b[48;2;255;255;255m') || coloured.stdout.includes('\x1b[38;2;255;255;255m'), 'white, explicitly')
  t.true(coloured.stdout.includes('▀'), 'two module rows per line, as compact as utf8')
  t.is((await readTerminal(coloured.stdout)).text, 'terminal text')
  t.is(runInTerminal(['terminal text'], { NO_COLOR: '1' }).stdout, toStringSync('terminal text'))
  t.is(run(['terminal text']).stdout, toStringSync('terminal text'), 'redirected: plain half blocks, no escape codes')
  const inverse = runInTerminal(['-i', 'terminal text'])
  t.is((await readTerminal(inverse.stdout)).text, 'terminal text', '-i swaps the colours and still reads')
})

test('-e, -s and -q reach the image; .svg and .txt outputs', async (t) => {
  const png = join(dir, 'h.png')
  t.is(run(['level H', '-e', 'H', '-s', '2', '-q', '1', '-o', png]).status, 0)
  const read = await zxingRead(readFileSync(png))
  t.is(read.text, 'level H')
  t.is(read.ecLevel, 'H')
  t.is(readFileSync(png).readUInt32BE(16), (21 + 2) * 2, 'PNG width from IHDR')

  const svg = join(dir, 'qr.svg')
  t.is(run(['svg text', '-o', svg]).status, 0)
  t.is(readFileSync(svg, 'utf8'), toStringSync('svg text', { type: 'svg' }))
  const txt = join(dir, 'qr.txt')
  t.is(run(['txt text', '-q', '2', '-o', txt]).status, 0)
  t.is(readFileSync(txt, 'utf8'), toStringSync('txt text', { margin: 2 }))
})

test('text comes from standard input when no argument is given', (t) => {
  const { status, stdout } = run([], 'from stdin\n')
  t.is(status, 0)
  t.is(stdout, toStringSync('from stdin'))
})

test('--sha256 prints digests as sha256sum does, files or standard input', (t) => {
  const a = join(dir, 'a.bin')
  const b = join(dir, 'b.txt')
  writeFileSync(a, Buffer.from([0, 1, 2, 255]))
  writeFileSync(b, 'hello\n')
  const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
  const files = run(['--sha256', a, b])
  t.is(files.status, 0)
  t.is(files.stdout, `${hex(Buffer.from([0, 1, 2, 255]))}  ${a}\n${hex('hello\n')}  ${b}\n`)
  const stdin = run(['--sha256'], 'piped')
  t.is(stdin.stdout, `${hex('piped')}  -\n`)
})

test('errors go to stderr with exit code 1, naming the flag', (t) => {
  for (const [args, mentions] of [
    [['x', '-e', 'Z'], '-e/--error'],
    [['x', '-s', '0'], '-s/--scale'],
    [['x', '-s', 'big'], '-s/--scale'],
    [['x', '-q', '-1'], '-q'],
    [['x', '-t', 'bmp'], '-t/--type'],
    [['x', '-w', '200', '-s', '4'], '-w/--width and -s/--scale'],
    [['x', '-w', 'wide'], '-w/--width'],
    [['x', '-v', '41'], '-v/--qversion'],
    [['x'.repeat(40), '-v', '1'], 'minimum version is 3'],
    [['x', '-m', '8'], '-m/--mask'],
    [['x', '-d', 'red'], '-d/--darkcolor'],
    [['x', '-l', '#12345'], '-l/--lightcolor'],
    [['x', '-i', '-d', 'red'], '-d/--darkcolor'],
    [[], 'no text given'],
    [['x'.repeat(3000)], 'does not fit'],
    [['--sha256', join(dir, 'missing')], 'ENOENT'],
    [['--nope'], '--nope'],
  ] as const) {
    const { status, stdout, stderr } = run([...args])
    t.is(status, 1, args.join(' '))
    t.true(stderr.startsWith('qrhash: '), stderr)
    t.true(stderr.includes(mentions), `${stderr} mentions ${mentions}`)
    t.notRegex(stderr, /\n\s+at /, 'no stack trace')
    t.is(stdout, '')
  }
})

test('--help and --version', (t) => {
  t.regex(run(['--help']).stdout, /^Usage:/)
  t.is(run(['-V']).stdout.trim(), JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version)
})

// node-qrcode's flags (its bin/qrcode), plus jpeg, webp and terminal types

test('-v, -e and -m choose the version, level and mask', async (t) => {
  const out = join(dir, 'vem.png')
  const { status, stderr } = run(['-v', '5', '-e', 'Q', '-m', '3', '-o', out, 'version five'])
  t.is(status, 0, stderr)
  const png = readFileSync(out)
  const read = await zxingRead(png)
  t.is(read.text, 'version five')
  t.is(read.version, '5')
  t.is(read.ecLevel, 'Q')
  t.is(maskOf(read), 3)
  t.deepEqual(png, toBufferSync('version five', { version: 5, errorCorrectionLevel: 'Q', maskPattern: 3 }))
  t.is(maskOf(await zxingRead(readFileSync(out))), 3)
  t.is(run(['--qversion', '5', '--error', 'Q', '--mask', '6', '-o', out, 'version five']).status, 0)
  t.is(maskOf(await zxingRead(readFileSync(out))), 6, 'long forms')
})

test('-w sets the image width; -s and -q the scale and quiet zone', async (t) => {
  const out = join(dir, 'wide.png')
  t.is(run(['-w', '300', '-o', out, 'width']).status, 0)
  t.is(readFileSync(out).readUInt32BE(16), 300)
  t.is((await zxingRead(readFileSync(out))).text, 'width')
  t.is(run(['--width', '150', '--qzone', '0', '-o', out, 'width']).status, 0)
  t.is(readFileSync(out).readUInt32BE(16), 150, 'exactly, as node-qrcode: 21 modules of 7 or 8 px')
  t.is((await zxingRead(readFileSync(out))).text, 'width')
  t.is(run(['--scale', '3', '--qzone', '2', '-o', out, 'width']).status, 0)
  t.is(readFileSync(out).readUInt32BE(16), (21 + 4) * 3)
})

test('-d and -l colour the image; -i swaps them', async (t) => {
  const out = join(dir, 'red.png')
  t.is(run(['-d', 'F00', '-l', '#ffffcc', '-q', '1', '-s', '2', '-o', out, 'some text']).status, 0)
  let image = decodePng(readFileSync(out))
  const pixel = (x: number, y: number) => [...image.rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)]
  t.deepEqual(pixel(0, 0), [255, 255, 204, 255], 'quiet zone in the light colour')
  t.deepEqual(pixel(2, 2), [255, 0, 0, 255], 'finder corner in the dark colour')
  t.is((await zxingRead(readFileSync(out))).text, 'some text')

  t.is(run(['-i', '-q', '1', '-s', '2', '-o', out, 'inverted']).status, 0)
  image = decodePng(readFileSync(out))
  t.deepEqual(pixel(0, 0), [0, 0, 0, 255], 'quiet zone dark')
  t.deepEqual(pixel(2, 2), [255, 255, 255, 255], 'finder light')
  const read = await zxingRead(readFileSync(out))
  t.is(read.text, 'inverted')
  t.true(read.isInverted)
})

test('-i on text output draws the light modules as ink', async (t) => {
  const plain = run(['-q', '2', 'inverse text'])
  const inverse = run(['--inverse', '-q', '2', 'inverse text'])
  t.is(inverse.status, 0)
  t.not(inverse.stdout, plain.stdout)
  t.is((await readText(plain.stdout)).text, 'inverse text')
  t.is((await readText(inverse.stdout, true)).text, 'inverse text')
  t.true(inverse.stdout.startsWith('█'), 'the quiet zone is ink')
})

test('-t chooses the file format over the extension: png, svg, utf8, jpeg, webp, gif, terminal', async (t) => {
  const cases = [
    ['png', async (file: Buffer) => zxingRead(file)],
    ['svg', async (file: Buffer) => readSvg(file.toString())],
    ['utf8', async (file: Buffer) => readText(file.toString())],
    ['jpeg', async (file: Buffer) => readWithSharp(file)],
    ['webp', async (file: Buffer) => readWithSharp(file)],
    ['gif', async (file: Buffer) => zxingRead(file)],
    ['terminal', async (file: Buffer) => readTerminal(file.toString())],
  ] as const
  for (const [type, read] of cases) {
    const out = join(dir, `typed-${type}.out`)
    const { status, stderr } = run(['-t', type, '-o', out, `typed ${type}`])
    t.is(status, 0, stderr)
    t.is((await read(readFileSync(out))).text, `typed ${type}`, type)
  }
  t.is(readFileSync(join(dir, 'typed-jpeg.out')).readUInt16BE(0), 0xffd8, 'a real JPEG')
  t.is(readFileSync(join(dir, 'typed-webp.out')).subarray(8, 12).toString(), 'WEBP', 'a real WebP')
  t.is(readFileSync(join(dir, 'typed-gif.out')).subarray(0, 6).toString(), 'GIF89a', 'a real GIF')
})

test('-o picks the format from the extension: .jpg, .jpeg, .webp, .gif too; an unknown one is an error naming the known', async (t) => {
  for (const name of ['e.bin', 'e.pdf', 'no-extension']) {
    const out = join(dir, name)
    const refused = run(['-o', out, `file ${name}`])
    t.is(refused.status, 1, name)
    t.regex(refused.stderr, /^qrhash: -o\/--output .* (has the unknown extension \.\w+|has no extension): name the file \.png, .*\.gif.* or \.txt, or give -t TYPE\n$/, name)
    t.false(existsSync(out), `${name}: nothing written`)
  }
  for (const [name, magic] of [['e.jpg', 'ffd8'], ['e.JPEG', 'ffd8'], ['e.webp', '52494646'], ['qr.gif', '474946383961'], ['e.PNG', '89504e47']] as const) {
    const out = join(dir, name)
    t.is(run(['-o', out, `file ${name}`]).status, 0)
    const file = readFileSync(out)
    t.true(file.toString('hex').startsWith(magic), name)
    t.is((await readWithSharp(file)).text, `file ${name}`)
  }
})

test('-t without -o prints svg, utf8 or terminal text, and writes images to a redirected stdout', async (t) => {
  const svg = run(['-t', 'svg', 'printed svg'])
  t.is(svg.status, 0)
  t.is(svg.stdout, toStringSync('printed svg', { type: 'svg' }))
  t.is((await readSvg(svg.stdout)).text, 'printed svg')
  t.is(run(['-t', 'utf8', 'printed']).stdout, toStringSync('printed'))
  const png = runBinary(['-t', 'png', '-s', '3', 'piped png'])
  t.is(png.status, 0, png.stderr)
  t.is((await zxingRead(png.stdout)).text, 'piped png')
  t.is(png.stdout.readUInt32BE(16), 29 * 3)
  const webp = runBinary(['-t', 'webp', 'piped webp'])
  t.is((await readWithSharp(webp.stdout)).text, 'piped webp')
  const gif = runBinary(['-t', 'gif', 'piped gif'])
  t.is((await readWithSharp(gif.stdout)).text, 'piped gif')
})

test('--small with -t terminal: half blocks in ANSI colours that decode', async (t) => {
  const small = run(['-t', 'terminal', '--small', '-d', '#003', 'small code'])
  t.is(small.status, 0)
  t.true(small.stdout.includes('▀'))
  t.true(small.stdout.includes('38;2;0;0;51') || small.stdout.includes('48;2;0;0;51'), 'the dark colour')
  t.is((await readTerminal(small.stdout)).text, 'small code')
  const big = run(['-t', 'terminal', 'big code'])
  t.false(big.stdout.includes('▀'))
  t.is((await readTerminal(big.stdout)).text, 'big code')
  t.is(run(['--small', 'utf8 code']).stdout, toStringSync('utf8 code'), 'utf8 is always two rows per line')
})

test('several words are one text, joined by spaces, as node-qrcode does; flags work with standard input', async (t) => {
  t.is(run(['some', 'text']).stdout, toStringSync('some text'))
  const svg = run(['-t', 'svg', '-e', 'H'], 'from stdin\n')
  t.is(svg.status, 0)
  const read = await readSvg(svg.stdout)
  t.is(read.text, 'from stdin')
  t.is(read.ecLevel, 'H')
})

test('--gs1 and --ai write FNC1 in first or second position; --micro a Micro QR code', async (t) => {
  const gs1 = join(dir, 'gs1.png')
  const element = '0109501101020917\x1d10ABC\x1d21XY'
  t.is(run(['--gs1', '-o', gs1, element]).status, 0)
  const read = await zxingRead(readFileSync(gs1))
  t.is(read.symbologyIdentifier, ']Q3')
  t.is(read.text, '(01)09501101020917(10)ABC(21)XY', "zxing's human-readable form: the GS ended the variable-length 10")
  const ai = join(dir, 'ai.png')
  t.is(run(['--ai', '37', '-o', ai, 'ABC']).status, 0)
  const second = await zxingRead(readFileSync(ai))
  t.is(second.symbologyIdentifier, ']Q5')
  t.is(second.text, '37ABC', 'zxing puts the indicator before the data')
  const micro = join(dir, 'micro.png')
  t.is(run(['--micro', '-o', micro, '12345']).status, 0)
  const small = await zxingReadAs(['MicroQRCode'], readFileSync(micro))
  t.is(small.text, '12345')
  t.is(small.format, 'MicroQRCode')
})

test('--symbols N writes FILE-1 … FILE-N, a structured-append sequence readers join back; --sequence as many as needed', async (t) => {
  const text = 'Structured append from the command line: '.repeat(4)
  const out = join(dir, 'part.png')
  const { status, stderr } = run(['--symbols', '3', '-o', out, text])
  t.is(status, 0, stderr)
  const files = [1, 2, 3].map((index) => join(dir, `part-${index}.png`))
  t.false(existsSync(out), 'no FILE without a number when there are several codes')
  t.is(stderr, files.map((file) => `qrhash: wrote ${file} (png, ${readFileSync(file).length} bytes)\n`).join(''))
  const reads = await Promise.all(files.map((file) => zxingRead(readFileSync(file))))
  t.deepEqual(
    reads.map((read) => [read.sequenceIndex, read.sequenceSize]),
    [
      [0, 3],
      [1, 3],
      [2, 3],
    ],
  )
  t.is(reads.map((read) => read.text).join(''), text)

  // --sequence: one code when one holds the text (FILE itself, no header), several when not.
  const one = join(dir, 'one.png')
  t.is(run(['--sequence', '-o', one, 'short']).status, 0)
  t.is((await zxingRead(readFileSync(one))).sequenceSize, -1)
  const long = 'x'.repeat(3000)
  const many = run(['--sequence', '-e', 'H', '-o', join(dir, 'long.svg')], long)
  t.is(many.status, 0, many.stderr)
  const written = many.stderr.trim().split('\n')
  t.true(written.length >= 2, many.stderr)
  t.true(written.every((line, index) => line.startsWith(`qrhash: wrote ${join(dir, `long-${index + 1}.svg`)} (svg, `)), many.stderr)
})

test('a sequence printed as text: each code headed by its place; several SVGs or images on standard output are refused', (t) => {
  const text = 'printed in three codes, one after another'
  const { status, stdout, stderr } = run(['--symbols', '3', text])
  t.is(status, 0, stderr)
  const codes = toStringSequenceSync(text, { symbols: 3 })
  t.is(stdout, codes.map((code, index) => `code ${index + 1} of 3\n${code}`).join(''))
  for (const type of ['svg', 'png']) {
    const refused = runBinary(['--symbols', '2', '-t', type, text])
    t.is(refused.status, 1, type)
    t.is(refused.stderr, `qrhash: the text took 2 codes, and -t/--type ${type} writes one document each: give -o FILE\n`)
    t.is(refused.stdout.length, 0, type)
  }
})

test('--gs1, --ai, --micro and --symbols errors name the flag', (t) => {
  const cases: Array<[string[], string]> = [
    [['--symbols', '17', 'x'], '--symbols must be an integer from 2 to 16, got the number 17'],
    [['--symbols', 'two', 'x'], "--symbols must be a whole number, got 'two'"],
    [['--ai', '377', 'x'], "--ai must be two digits ('00' to '99') or one ASCII letter, got the string '377'"],
    [['--micro', '-v', '9', 'x'], '-v/--qversion must be 1 to 40, or 1 to 4 for a Micro QR code (--micro), got the number 9'],
  ]
  for (const [args, message] of cases) {
    const { status, stderr } = run(args)
    t.is(status, 1, args.join(' '))
    t.is(stderr, `qrhash: ${message}\n`, args.join(' '))
  }
  const both = run(['--gs1', '--ai', '37', 'x'])
  t.is(both.status, 1)
  t.regex(both.stderr, /^qrhash: .*--gs1.*--ai|^qrhash: .*--ai.*--gs1/)
  const micro = run(['--micro', '--symbols', '2', 'xy'])
  t.is(micro.status, 1)
  t.regex(micro.stderr, /--micro/)
})

test('--rmqr draws an rMQR code, the smallest size or -v\'s; its errors name the flags', async (t) => {
  const smallest = join(dir, 'rmqr.png')
  t.is(run(['--rmqr', '-o', smallest, 'https://example.com']).status, 0)
  const read = await zxingReadAs(['rMQRCode'], readFileSync(smallest))
  t.is(read.text, 'https://example.com')
  const symbol = createSync('https://example.com', { rmqr: true })
  t.is(read.version, `R${symbol.height}x${symbol.width}`, 'the size create() picks')
  const fixed = join(dir, 'rmqr-fixed.svg')
  t.is(run(['--rmqr', '-v', 'R17x139', '-e', 'H', '-o', fixed, 'https://example.com']).status, 0)
  const svg = readFileSync(fixed, 'utf8')
  const large = await zxingReadAs(['rMQRCode'], svgPixels(svg))
  t.is(large.version, 'R17x139')
  t.is(large.ecLevel, 'H')
  const cases: Array<[string[], RegExp]> = [
    [['--rmqr', '-v', 'R7x43', 'https://example.com/long/path'], /^qrhash: --rmqr 'R7x43' cannot hold .* the smallest size that holds it is 'R15x43'\n$/],
    [['--rmqr', '-e', 'L', 'x'], /^qrhash: -e\/--error must be 'M' or 'H' for an rMQR code \(--rmqr\)/],
    [['--rmqr', '--micro', 'x'], /^qrhash: --micro must be left out with --rmqr/],
  ]
  for (const [args, message] of cases) {
    const { status, stderr } = run(args)
    t.is(status, 1, args.join(' '))
    t.regex(stderr, message)
  }
})
