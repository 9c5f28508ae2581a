import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { toStringSync } from '../index.js'
import { jsqrRead, zxingRead } from './helpers/decode.js'

const cli = fileURLToPath(new URL('../bin/qrhash.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'qrhash-cli-'))
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input: input ?? '', encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

test('qrhash TEXT -o out.png writes a PNG that decodes and prints the code', async (t) => {
  const out = join(dir, 'qr.png')
  const { status, stdout, stderr } = run(['https://example.com', '-o', out])
  t.is(status, 0, stderr)
  const png = readFileSync(out)
  t.is((await zxingRead(png)).text, 'https://example.com')
  t.is(new TextDecoder().decode(jsqrRead(png)), 'https://example.com')
  t.is(stdout, toStringSync('https://example.com'))
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
    [['x', '-o', join(dir, 'x.jpg')], '-o/--output'],
    [['x'.repeat(3000)], 'does not fit'],
    [['--sha256', join(dir, 'missing')], 'ENOENT'],
    [['--nope'], '--nope'],
  ] as const) {
    const { status, stdout, stderr } = run([...args])
    t.is(status, 1, args.join(' '))
    t.true(stderr.startsWith('qrhash: '), stderr)
    t.true(stderr.includes(mentions), `${stderr} mentions ${mentions}`)
    t.is(stdout, '')
  }
})

test('--help and --version', (t) => {
  t.regex(run(['--help']).stdout, /^Usage:/)
  t.is(run(['-V']).stdout.trim(), JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version)
})
