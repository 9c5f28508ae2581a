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
