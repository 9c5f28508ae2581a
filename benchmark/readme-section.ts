// benchmark/README.md's generated sections: each stands between `<!-- NAME:start -->` and
// `<!-- NAME:end -->` and is always rendered from a results file, never edited by hand
// (bench = report.ts, service = service-table.ts, pool = pool-table.ts).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const README_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'README.md')

/** `readme` with the text between the markers of section `name` replaced by `section`. */
export function replaceSection(readme: string, name: string, section: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from < 0 || to < from) throw new Error(`benchmark/README.md has no ${start} … ${end} section`)
  return `${readme.slice(0, from + start.length)}\n${section}\n${readme.slice(to)}`
}

/** Writes section `name` of benchmark/README.md; leaves the file alone when nothing changed. */
export function updateSection(name: string, section: string): void {
  const readme = fs.readFileSync(README_FILE, 'utf8')
  const updated = replaceSection(readme, name, section)
  if (updated !== readme) fs.writeFileSync(README_FILE, updated)
}

/** A figure for a table: thousands with a thin space, three significant digits below; — if missing. */
export function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—'
  if (Number.isInteger(n) && n < 1000) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US').replaceAll(',', ' ')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  if (abs >= 1) return n.toFixed(2)
  return n.toFixed(3)
}

/** What every results file of a suite starts with: when and how it ran, and on what. */
export interface ResultsHeader {
  generatedAt: string
  mode: 'full' | 'quick'
  durationSeconds: number
  machine: {
    cpuModel: string
    cores: number
    uvThreadpoolSize: string
    node: string
    piscina: string
  }
}
