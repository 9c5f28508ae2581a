// Builds the native addon before `npm install` finishes and before `npm test` runs.
//
// With cargo on PATH it always runs the release build: cargo's own freshness check makes that a
// no-op of a second or two when nothing changed, so tests never run against a stale binary.
// Without cargo, an addon that is already there (a prebuilt one) is used as it is.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const haveAddon = readdirSync(root).some((name) => /^qrhash\..+\.node$/.test(name))
const haveCargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0

// An installed package has no Rust sources: its binary comes from a platform package. And
// `npm publish` ships the binaries CI built for every platform: it must not rebuild one here.
if (!existsSync(join(root, 'Cargo.toml')) || process.env.npm_command === 'publish') {
  process.exit(0)
}
if (!haveCargo) {
  if (haveAddon) process.exit(0)
  console.error(
    'qrhash: building from source needs Rust (https://rustup.rs); no cargo on PATH and no built addon here.',
  )
  process.exit(1)
}
// `npm run build` keeps the build flags in one place, package.json; npm runs this script, so
// npm_execpath names the npm that is running.
const npm = process.env.npm_execpath
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(build.status ?? 1)
