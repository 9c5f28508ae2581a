// The package loads by its name both ways a Node user loads it.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim()

const probe = `
  const data = await q.createQr('module')
  const hex = await q.sha256('abc', { encoding: 'hex' })
  console.log(JSON.stringify([typeof q.createQrSync, data.slice(0, 22), hex.slice(0, 8)]))
`
const expected = JSON.stringify(['function', 'data:image/png;base64,', 'ba7816bf'])

test("CommonJS: require('qrhash')", (t) => {
  t.is(run(['-e', `const q = require('qrhash'); (async () => { ${probe} })()`]), expected)
})

test("ES modules: import { … } from 'qrhash' (named exports)", (t) => {
  const source = `import * as q from 'qrhash'; import { createQr, sha256 } from 'qrhash';
    if (q.createQr !== createQr || q.sha256 !== sha256) throw new Error('named exports differ'); ${probe}`
  t.is(run(['--input-type=module', '-e', source]), expected)
})

test('every export is declared and documented in the types a user sees', (t) => {
  const declarations = readFileSync(new URL('../binding.d.ts', import.meta.url), 'utf8')
  const exported = Object.keys(createRequire(import.meta.url)('../index.js')).filter((name) => !name.startsWith('__'))
  const entry = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  for (const name of exported) {
    const declared = new RegExp(`/\\*\\*[^]*?\\*/\\s*export declare (function|class|const) ${name}\\b`)
    t.true(declared.test(declarations) || declared.test(entry), `${name} has a JSDoc comment`)
  }
  t.notRegex(declarations, /^ \* r#?"/m, 'doc comments carry no raw-string prefixes')
})

/** Exports that are not the API: loader details and the pieces index.js, compat.js and the CLI build on. */
const INTERNAL = ['__createSyncInto', '__formats', '__napiBindingTarget', '__newSha256Hasher', '__poolStats', 'PoolStats', 'Sha256Hasher']

test('the typings offer the API and none of the internals; every other export is in them', (t) => {
  const entry = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const listed = new Set<string>()
  for (const block of entry.matchAll(/^export (?:type )?\{([^}]*)\} from '\.\/binding'/gm)) {
    for (const name of block[1]!.split(',')) if (name.trim() !== '') listed.add(name.trim())
  }
  for (const declared of entry.matchAll(/^export declare (?:function|class|const) (\w+)/gm)) listed.add(declared[1]!)
  t.false(/^export \* from/m.test(entry), 'no star re-export, which would offer the internals too')
  const runtime = Object.keys(createRequire(import.meta.url)('../index.js'))
  for (const name of runtime) {
    if (INTERNAL.includes(name)) t.false(listed.has(name), `${name} is internal: not in index.d.ts`)
    else t.true(listed.has(name), `${name} is exported at run time, so index.d.ts lists it`)
  }
  const binding = readFileSync(new URL('../binding.d.ts', import.meta.url), 'utf8')
  for (const declared of binding.matchAll(/^export (?:declare )?(?:type|interface|function|const|class) (\w+)/gm)) {
    const name = declared[1]!
    t.is(listed.has(name), !INTERNAL.includes(name), `binding.d.ts's ${name}: ${INTERNAL.includes(name) ? 'internal' : 'public, so re-exported'}`)
  }
})
