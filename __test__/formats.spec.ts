// The core's one table of output formats (the internal `__formats` export) against every list
// written by hand elsewhere: the TypeScript unions (src/js/header.d.ts, the generated
// binding.d.ts, compat.d.ts), the formats table of docs/api.md, the README's CLI synopsis, and the CLI's own
// help and messages. Adding a format without updating one of them fails here.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import test from 'ava'

const require = createRequire(import.meta.url)

interface Format {
  name: string
  aliases: string[]
  extensions: string[]
  mime: string
  image: boolean
  options: string[]
}

const qrhash: { __formats(): Format[] } = require('../index.js')
const FORMATS = qrhash.__formats()

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
const namesOf = (format: Format) => [format.name, ...format.aliases]
const sorted = (names: Iterable<string>) => [...names].sort()
const IMAGE_NAMES = sorted(FORMATS.filter((format) => format.image).flatMap(namesOf))
const TEXT_NAMES = sorted(FORMATS.filter((format) => !format.image).flatMap(namesOf))
const ALL_NAMES = sorted(FORMATS.flatMap(namesOf))

/**
 * The string literals of `interface`'s `type?:` union in a .d.ts, with a reference to another
 * interface's `type` (`QrImageOptions['type']`) replaced by that union, and `null` left out.
 */
function typeUnion(source: string, name: string): string[] {
  const body = source.match(new RegExp(`interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`))?.[1]
  const union = body?.match(/^\s*type\?: (.+)$/m)?.[1]
  if (union === undefined) throw new Error(`no type?: union in interface ${name}`)
  return sorted(
    union.split(' | ').flatMap((member) => {
      const reference = member.match(/^(\w+)\['type'\]$/)
      if (reference) return typeUnion(source, reference[1]!)
      if (member === 'null') return []
      const literal = member.match(/^'([^']+)'$/)
      if (!literal) throw new Error(`${name}: unexpected member ${member}`)
      return [literal[1]!]
    }),
  )
}

test('the table is well formed: names, extensions and MIME types', (t) => {
  t.true(FORMATS.some((format) => format.name === 'png' && format.image), 'PNG, the default, is an image format')
  t.is(new Set(ALL_NAMES).size, ALL_NAMES.length, 'every name is unique')
  const extensions = FORMATS.flatMap((format) => format.extensions)
  t.is(new Set(extensions).size, extensions.length, 'every extension is unique')
  for (const format of FORMATS) {
    t.regex(format.mime, /^(image|text)\/[a-z0-9+.-]+$/, format.name)
    if (format.image) t.true(format.aliases.includes(format.mime), `${format.name}: its MIME type is a name`)
  }
})

for (const [file, interfaces] of [
  ['src/js/header.d.ts', ['QrImageOptions', 'QrStringOptions', 'QrBufferOptions']],
  ['binding.d.ts', ['QrImageOptions', 'QrStringOptions', 'QrBufferOptions']],
  ['compat.d.ts', ['QRCodeToDataURLOptions', 'QRCodeToStringOptions', 'QRCodeToBufferOptions', 'QRCodeToFileOptions', 'QRCodeToFileStreamOptions']],
] as const) {
  test(`${file}: every type union lists exactly the formats the function takes`, (t) => {
    const source = read(file)
    const resolved = file === 'compat.d.ts' ? `${source}\n${read('binding.d.ts')}` : source
    for (const name of interfaces) {
      const expected = /DataURL|Image/.test(name) ? IMAGE_NAMES : /String/.test(name) ? TEXT_NAMES : ALL_NAMES
      t.deepEqual(typeUnion(resolved, name), expected, `${file} ${name}`)
    }
  })
}

test("docs/api.md: the formats table has the table's rows, in order", (t) => {
  const readme = read('docs/api.md')
  const table = readme.match(/\n\| format \| `type` \| file extensions \| MIME type \| kind \| options of its own \|\n\|[-|]+\|\n((?:\|.*\|\n)+)/)?.[1]
  if (table === undefined) return t.fail('no formats table in docs/api.md')
  const cells = (row: string) => row.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, ''))
  const listed = (cell: string, quote: string) => [...cell.matchAll(new RegExp(`\`${quote}([^\`']+)${quote}\``, 'g'))].map((match) => match[1]!)
  const rows = table.trimEnd().split('\n').map(cells)
  t.is(rows.length, FORMATS.length, 'one row per format')
  rows.forEach(([, names, extensions, mime, kind, options], index) => {
    const format = FORMATS[index]!
    t.deepEqual(listed(names!, "'"), namesOf(format), `${format.name}: names`)
    t.deepEqual(listed(extensions!, ''), format.extensions.map((extension) => `.${extension}`), `${format.name}: extensions`)
    t.is(mime, `\`${format.mime}\``, `${format.name}: MIME type`)
    t.is(kind, format.image ? 'image' : 'text', `${format.name}: kind`)
    t.deepEqual(listed(options!, ''), format.options, `${format.name}: options`)
  })
})

test("README: the CLI synopsis names every format and the -o extensions of each", (t) => {
  const readme = read('README.md')
  const types = readme.match(/-t, --type ([a-z0-9|]+)/)?.[1]?.split('|')
  t.deepEqual(types, FORMATS.map((format) => format.name))
  const output = readme.match(/-o, --output FILE \(([^)]*)\)/)?.[1]?.split(' ') ?? []
  for (const format of FORMATS.filter((format) => format.extensions.length > 0)) {
    t.true(format.extensions.some((extension) => output.includes(`.${extension}`)), `${format.name} in ${output.join(' ')}`)
  }
})

test('the CLI takes every name the table gives, and says so', (t) => {
  const cli = fileURLToPath(new URL('../bin/qrhash.js', import.meta.url))
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' })
  const help = run(['--help']).stdout
  const typeLine = help.match(/-t, --type TYPE +(.*)/)?.[1] ?? ''
  const outputLine = help.match(/-o, --output FILE +(.*)/)?.[1] ?? ''
  for (const format of FORMATS) {
    t.true(typeLine.includes(format.name), `--help -t names ${format.name}`)
    for (const extension of format.extensions) t.true(outputLine.includes(`.${extension}`), `--help -o names .${extension}`)
  }
  const refused = run(['-t', 'bmp', 'x'])
  t.is(refused.status, 1)
  for (const format of FORMATS) t.true(refused.stderr.includes(format.name), `the -t error names ${format.name}`)
})
