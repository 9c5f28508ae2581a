// benchmark/results.json as benchmark/README.md shows it: a markdown table (between <!-- bench:start -->
// and <!-- bench:end -->) and an SVG bar chart (benchmark/chart.svg), both always rendered from
// the file, never edited by hand. `npm run bench` calls this after a full run;
//
//   node --import tsx benchmark/report.ts   re-renders both from results.json
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

import { updateSection } from './readme-section.js'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const RESULTS_FILE = path.join(BENCH_DIR, 'results.json')
const CHART_FILE = path.join(BENCH_DIR, 'chart.svg')

interface Case {
  suite: string
  name: string
  usPerOp: number
  nsPerItem: number | null
  ratios: Record<string, number>
}

interface Results {
  generatedAt: string
  machine: { cpuModel: string; logicalCpus: number; uvThreadpoolSize: string; node: string; sha256Backend: string }
  cases: Case[]
  eventLoop: Array<{ name: string; arrival: string; p99Ms: number | null; p99RatioVsNodeQrcode: number | null }>
  memory: Array<{ name: string; input: string; rssGrowthMiB: number }>
}

/** One headline per suite: qrhash's fastest row and its ratio to each peer. */
interface Headline {
  suite: string
  best: Case
  peers: Array<{ label: string; usPerOp: number; ratio: number }>
}

/** `qr encodeQR raw (20-char URL, M)` → `qr encodeQR raw`: a QR row's name without the input
 * and level its suite already names. */
const withoutInput = (name: string): string => name.replace(/\s*\((?:[^()]|\([^()]*\))*, [LMQH]\)$/, '')

function headlines(results: Results): Headline[] {
  const suites = [...new Set(results.cases.map((c) => c.suite))]
  return suites.flatMap((suite) => {
    const rows = results.cases.filter((c) => c.suite === suite)
    const ours = rows.filter((c) => c.name.startsWith('qrhash'))
    if (ours.length === 0) return []
    const best = ours.reduce((a, b) => (b.usPerOp < a.usPerOp ? b : a))
    const peers = Object.entries(best.ratios)
      .map(([name, ratio]) => ({ row: rows.find((c) => c.name === name), ratio }))
      .filter((p): p is { row: Case; ratio: number } => p.row !== undefined && p.row !== best)
      .map(({ row, ratio }) => ({ label: withoutInput(row.name), usPerOp: row.usPerOp, ratio }))
    return [{ suite, best, peers }]
  })
}

const fmt = (n: number): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n >= 1 ? n.toFixed(2) : n.toFixed(3)

export function markdown(results: Results): string {
  const m = results.machine
  const lines = [
    `Rendered from \`benchmark/results.json\` (${results.generatedAt.slice(0, 10)}; ${m.cpuModel}, ` +
      `${m.logicalCpus} cores, ${m.sha256Backend}, \`UV_THREADPOOL_SIZE\` ${m.uvThreadpoolSize}, Node ${m.node}). ` +
      `Each row is qrhash's fastest way through the case; ratios are the peer's time ÷ qrhash's, measured in the same run.`,
    '',
    '| case | qrhash | µs/op | peers (µs/op → ratio) |',
    '|---|---|--:|---|',
  ]
  for (const h of headlines(results)) {
    const peers = h.peers.map((p) => `${p.label} ${fmt(p.usPerOp)} → **${p.ratio.toFixed(2)}×**`).join('; ')
    lines.push(`| ${h.suite} | ${withoutInput(h.best.name)} | ${fmt(h.best.usPerOp)} | ${peers} |`)
  }
  /** node-qrcode's p99 ÷ qrhash's: a ratio below 1 means qrhash's delay was the longer one, and says so. */
  const versusNodeQrcode = (ratio: number) =>
    ratio >= 1 ? `${fmt(ratio)}× lower than node-qrcode (better)` : `${fmt(1 / ratio)}× higher than node-qrcode (worse)`
  const loop = results.eventLoop.filter((l) => l.name.startsWith('qrhash') && l.p99Ms !== null)
  for (const l of loop) {
    lines.push(`| event-loop p99, ${l.arrival} | ${l.name} | — | ${fmt(l.p99Ms!)} ms; ${versusNodeQrcode(l.p99RatioVsNodeQrcode ?? 0)} |`)
  }
  for (const r of results.memory.filter((r) => r.name.startsWith('qrhash'))) {
    lines.push(`| RSS growth, ${r.input} | ${r.name} | — | +${r.rssGrowthMiB.toFixed(2)} MiB |`)
  }
  return lines.join('\n')
}

/** Horizontal bars of qrhash's speed-up over each suite's first peer, on a log scale. */
export function chart(results: Results): string {
  const bars = headlines(results)
    .filter((h) => h.peers.length > 0)
    .map((h) => ({ label: `${h.suite} vs ${h.peers[0]!.label}`, ratio: h.peers[0]!.ratio }))
  const rowHeight = 18
  const labelWidth = 430
  const plotWidth = 420
  const top = 30
  const height = top + bars.length * rowHeight + 30
  const maxLog = Math.log10(Math.max(1000, ...bars.map((b) => b.ratio)))
  const minLog = Math.log10(0.5)
  const x = (ratio: number): number => labelWidth + ((Math.log10(ratio) - minLog) / (maxLog - minLog)) * plotWidth
  const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 80}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">qrhash speed-up over the first peer of each suite (log scale, same run)</text>`,
  ]
  for (const tick of [1, 10, 100, 1000].filter((t) => Math.log10(t) <= maxLog)) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${height - 24}" stroke="#ccc"/>`)
    parts.push(`<text x="${x(tick)}" y="${height - 10}" text-anchor="middle">${tick}×</text>`)
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight
    const end = x(bar.ratio)
    const start = x(1)
    parts.push(`<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escape(bar.label)}</text>`)
    parts.push(
      `<rect x="${Math.min(start, end)}" y="${y + 3}" width="${Math.max(1, Math.abs(end - start))}" height="${rowHeight - 6}" fill="${bar.ratio >= 1 ? '#2a7ab8' : '#c0504d'}"/>`,
    )
    parts.push(`<text x="${Math.max(start, end) + 4}" y="${y + 12}">${bar.ratio.toFixed(2)}×</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

export function render(): void {
  const results = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Results
  fs.writeFileSync(CHART_FILE, chart(results))
  updateSection('bench', `![qrhash speed-up per suite](chart.svg)\n\n${markdown(results)}`)
  console.log(`Rendered ${path.relative(process.cwd(), CHART_FILE)} and the table in benchmark/README.md from results.json.`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) render()
