// Builds the native addon before `npm install` finishes and before `npm test` runs (which also
// gets the fault-injection build its panic tests load).
//
// With cargo on PATH it always runs the release build: cargo's own freshness check makes that a
// no-op of a second or two when nothing changed, so tests never run against a stale binary.
// Without cargo, an addon that is already there (a prebuilt one) is used as it is.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
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
if (build.status !== 0 || process.env.npm_lifecycle_event !== 'pretest') process.exit(build.status ?? 1)

// The tests also load a debug addon with panicking test-only exports (src/js/fault.rs), to show
// that a panic becomes a JavaScript error. It is built apart and never ships.
const fault = spawnSync('cargo', ['build', '--features', 'fault-injection'], { cwd: root, stdio: 'inherit' })
if (fault.status !== 0) process.exit(fault.status ?? 1)
const library = process.platform === 'darwin' ? 'libqrhash.dylib' : process.platform === 'win32' ? 'qrhash.dll' : 'libqrhash.so'
mkdirSync(join(root, 'target', 'fault-injection'), { recursive: true })
copyFileSync(join(root, 'target', 'debug', library), join(root, 'target', 'fault-injection', 'qrhash.node'))
