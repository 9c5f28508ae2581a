// The README's snippets, unchanged, in a fresh `npm init -y` project (CommonJS, as npm makes
// it) where qrhash is installed: each block marked `<!-- snippet: NAME -->` is written to NAME
// and run as a newcomer would run it. qrhash and fastify are linked in from this checkout,
// since the tests run offline.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import test, { type ExecutionContext } from 'ava'

import { zxingRead } from './helpers/decode.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

/** Each marked block of the README, by its file name. */
function snippets(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const found = new Map<string, string>()
  for (const match of readme.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) found.set(match[1]!, `${match[2]!}\n`)
  return found
}

const project = mkdtempSync(join(tmpdir(), 'qrhash-readme-'))
test.after.always(() => rmSync(project, { recursive: true, force: true }))

test.before(() => {
  const init = spawnSync('npm', ['init', '-y'], { cwd: project, encoding: 'utf8' })
  if (init.status !== 0) throw new Error(`npm init -y failed: ${init.stderr}`)
  mkdirSync(join(project, 'node_modules'))
  symlinkSync(root, join(project, 'node_modules', 'qrhash'), 'dir')
  symlinkSync(dirname(require.resolve('fastify/package.json')), join(project, 'node_modules', 'fastify'), 'dir')
  for (const [name, code] of snippets()) writeFileSync(join(project, name), code)
})

const helloHex = createHash('sha256').update('hello').digest('hex')

test('the README marks the quick start in ESM and CommonJS and the web service', (t) => {
  t.deepEqual([...snippets().keys()].sort(), ['quick-start.cjs', 'quick-start.mjs', 'service.mjs'])
  t.not(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).type, 'module', 'npm init -y makes a CommonJS project')
})

/** Runs `file` in the project with `node` (and `flags`), as its author would. */
function run(file: string, flags: string[] = []) {
  return spawnSync(process.execPath, [...flags, file], { cwd: project, encoding: 'utf8', timeout: 60_000 })
}

for (const [file, flags, label] of [
  ['quick-start.mjs', [], 'quick-start.mjs with node'],
  ['quick-start.cjs', [], 'quick-start.cjs with node, in the CommonJS project'],
  ['quick-start.mts', ['--import', 'tsx'], 'the ES module form as TypeScript (quick-start.mts with tsx)'],
] as const) {
  test(`README quick start: ${label}`, (t) => {
    if (file.endsWith('.mts')) writeFileSync(join(project, file), snippets().get('quick-start.mjs')!)
    // tsx comes from this checkout, as a newcomer's own `npm install tsx` would provide it.
    const resolved = flags.length > 0 ? ['--import', pathToFileURL(require.resolve('tsx')).href] : []
    const result = run(file, resolved)
    t.is(result.status, 0, result.stderr)
    t.is(result.stdout, `data:image/png;base64, ${helloHex}\n`)
  })
}

/** Starts a server script in `cwd` (stopped when the test ends) and resolves to the address it prints. */
function serve(t: ExecutionContext, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const server = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } })
  t.teardown(() => server.kill())
  let output = ''
  return new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const found = /listening on (http:\/\/\S+)/.exec(output)
      if (found) resolve(found[1]!)
    })
    server.stderr.on('data', (chunk: Buffer) => (output += chunk))
    server.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)))
  })
}

test('README web service: a code for ?text=, a 400 for a missing, empty or too long text', async (t) => {
  const address = await serve(t, ['service.mjs'], project, { PORT: '0' })
  const get = async (query: string) => {
    const response = await fetch(`${address}/qr${query}`)
    return { status: response.status, body: (await response.json()) as { result?: string; error?: string } }
  }
  const ok = await get('?text=hello%20qrhash')
  t.is(ok.status, 200)
  t.is((await zxingRead(Buffer.from(ok.body.result!.split(',')[1]!, 'base64'))).text, 'hello qrhash')
  for (const query of ['', '?text=', '?other=1']) {
    const refused = await get(query)
    t.is(refused.status, 400, `/qr${query}`)
    t.regex(refused.body.error!, /give the text/, `/qr${query}`)
  }
  const tooLong = await get(`?text=${'x'.repeat(8000)}`)
  t.is(tooLong.status, 400)
  t.regex(tooLong.body.error!, /too long|does not fit|at most/i)
})

test('examples/qr-service runs from a copy of its folder in a fresh project where qrhash is installed, as its README says', async (t) => {
  const copy = mkdtempSync(join(tmpdir(), 'qrhash-service-'))
  t.teardown(() => rmSync(copy, { recursive: true, force: true }))
  t.is(spawnSync('npm', ['init', '-y'], { cwd: copy }).status, 0)
  const example = join(root, 'examples', 'qr-service')
  for (const file of readdirSync(example)) if (file !== 'README.md') copyFileSync(join(example, file), join(copy, file))
  mkdirSync(join(copy, 'node_modules'))
  symlinkSync(root, join(copy, 'node_modules', 'qrhash'), 'dir')
  // Linked from this checkout's node_modules (piscina's "exports" hide its package.json).
  for (const name of ['fastify', 'qrcode', 'piscina']) symlinkSync(join(root, 'node_modules', name), join(copy, 'node_modules', name), 'dir')
  const address = await serve(t, ['server.mjs', '--port', '0'], copy)
  const response = await fetch(`${address}/qr?text=from%20a%20copy`)
  t.is(response.status, 200)
  t.is((await zxingRead(Buffer.from(await response.arrayBuffer()))).text, 'from a copy')
})

test('the README stays a guide: under 15 KB, with a table of contents whose links reach its sections', (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  t.true(Buffer.byteLength(readme) <= 15 * 1024, `${Buffer.byteLength(readme)} bytes`)
  const contents = /^## Contents\n\n((?:- \[.*\]\(#.*\)\n)+)/m.exec(readme)
  t.truthy(contents, 'a Contents list right after its heading')
  const anchor = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')
  const anchors = new Set([...readme.matchAll(/^## (.+)$/gm)].map((match) => anchor(match[1]!)))
  for (const link of contents![1]!.matchAll(/\(#([^)]+)\)/g)) t.true(anchors.has(link[1]!), `#${link[1]} is a section`)
  for (const link of readme.matchAll(/\]\(((?:docs|benchmark|examples)\/[^)#]*|[A-Z]+\.md)\)/g)) {
    t.true(existsSync(join(root, link[1]!)), `${link[1]} exists`)
  }
})

test('benchmark/README.md calls a worse figure worse: every "× lower" ratio is at least 1', (t) => {
  const figures = readFileSync(join(root, 'benchmark', 'README.md'), 'utf8')
  const lower = [...figures.matchAll(/([\d.]+)× lower/g)].map((match) => Number(match[1]))
  t.true(lower.length > 0, 'the tables have such ratios')
  for (const ratio of lower) t.true(ratio >= 1, `${ratio}× lower`)
})
