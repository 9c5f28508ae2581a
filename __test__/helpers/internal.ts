// qrhash's internal exports, which index.d.ts does not offer users (they are not part of the
// API), typed here for the tests that need them.
import * as qrhash from '../../index.js'
import type { Sha256Hasher as NativeSha256Hasher, __napiBindingTarget as BindingTarget, __poolStats as PoolStats } from '../../binding.js'

/** The package's exports with its internals typed (for tests, benchmarks and scripts). */
export type WithInternals = typeof qrhash & {
  /** Which build loaded: 'native', or a WebAssembly flavour. */
  __napiBindingTarget: typeof BindingTarget
  /** index.js's incremental hasher, behind createSha256()'s stream. */
  Sha256Hasher: typeof NativeSha256Hasher
  /** The pool budget: libuv's size, qrhash's share, slots taken now and at most, parts queued here. */
  __poolStats: typeof PoolStats
}

export const { __napiBindingTarget, Sha256Hasher, __poolStats } = qrhash as WithInternals
