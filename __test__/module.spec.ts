// The package loads by its name both ways a Node user loads it.
import { execFileSync } from 'node:child_process'
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
