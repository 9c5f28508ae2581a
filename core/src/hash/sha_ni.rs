//! SHA-256 of 64-byte messages with the x86 SHA extensions (SHA-NI), for records and Merkle
//! nodes. The second block of every such message is the same padding, so its message schedule
//! (plus the round constants) is computed once, at compile time: that block costs only its
//! 64 rounds. Several messages go through the rounds side by side, so the SHA unit always has
//! independent work while one round pair waits on the last.

// Every function here is `unsafe` only for the CPU features it is compiled with, which the
// callers check once ([`available`]); inside, the intrinsics are called without a block each,
// as RustCrypto's sha2 x86 backend does (and as edition 2021 already allows).
#![allow(unsafe_op_in_unsafe_fn)]

use std::arch::x86_64::*;

use super::short::{INITIAL_STATE, PADDING_AFTER_64};
use super::Digest;

/// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
/// 64 primes.
const K: [u32; 64] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// `W[t] + K[t]` for the padding block of a 64-byte message (FIPS 180-4 §6.2.2 step 1).
const PADDING_SCHEDULE: [u32; 64] = {
  let mut w = [0u32; 64];
  let mut t = 0;
  while t < 16 {
    let b = &PADDING_AFTER_64;
    w[t] = u32::from_be_bytes([b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3]]);
    t += 1;
  }
  while t < 64 {
    let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
    let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16]
      .wrapping_add(s0)
      .wrapping_add(w[t - 7])
      .wrapping_add(s1);
    t += 1;
  }
  let mut t = 0;
  while t < 64 {
    w[t] = w[t].wrapping_add(K[t]);
    t += 1;
  }
  w
};

/// Whether this CPU has the SHA extensions (std caches the answer).
pub fn available() -> bool {
  is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1")
}

/// Messages whose rounds go through the SHA unit side by side: measured on 2^20 records, one
/// lane takes 74 ns a message, two 47 ns, four 39 ns, eight 38 ns (and spill registers).
const LANES: usize = 4;

/// Writes the digest of each 64-byte block of `blocks` into the next 32 bytes of `digests`
/// (`blocks.len() == 2 × digests.len()`, a multiple of 64), [`LANES`] messages at a time.
///
/// # Safety
/// The CPU must have the SHA extensions and SSE4.1 ([`available`]).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn digest_64_each(blocks: &[u8], digests: &mut [u8]) {
  debug_assert_eq!(blocks.len(), 2 * digests.len());
  let mut groups = blocks.chunks_exact(64 * LANES);
  let mut outs = digests.chunks_exact_mut(32 * LANES);
  for (group, out) in (&mut groups).zip(&mut outs) {
    let messages = std::array::from_fn(|lane| block(&group[64 * lane..64 * (lane + 1)]));
    out.copy_from_slice(digest_64_lanes::<LANES>(messages).as_flattened());
  }
  let rest = groups.remainder().chunks_exact(64);
  for (message, out) in rest.zip(outs.into_remainder().chunks_exact_mut(32)) {
    let [digest] = digest_64_lanes([block(message)]);
    out.copy_from_slice(&digest);
  }
}

/// `bytes` as the 64-byte block it is.
fn block(bytes: &[u8]) -> &[u8; 64] {
  bytes.try_into().expect("64 bytes")
}

/// The digest of one 64-byte message.
///
/// # Safety
/// The CPU must have the SHA extensions and SSE4.1 ([`available`]).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub unsafe fn digest_64(message: &[u8; 64]) -> Digest {
  let [digest] = digest_64_lanes([message]);
  digest
}

/// The digests of `N` 64-byte messages, their rounds interleaved.
///
/// # Safety
/// Needs the target features it is compiled with ([`available`]).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn digest_64_lanes<const N: usize>(messages: [&[u8; 64]; N]) -> [Digest; N] {
  let mut states = [State::initial(); N];
  // SAFETY: this function's own target features are the ones `Schedule::of` needs.
  let schedules = messages.map(|message| unsafe { Schedule::of(message) });
  rounds(&mut states, |lane, quad| schedules[lane].0[quad]);
  // SAFETY: `quad < 16`, so the 16 bytes loaded lie within `PADDING_SCHEDULE`'s 256.
  rounds(&mut states, |_, quad| unsafe {
    _mm_loadu_si128(PADDING_SCHEDULE[4 * quad..].as_ptr().cast())
  });
  // SAFETY: this function's own target features are the ones `digest` needs.
  states.map(|state| unsafe { state.digest() })
}

/// The eight working variables as the SHA instructions hold them: `abef` (a in the top lane)
/// and `cdgh`.
#[derive(Clone, Copy)]
struct State {
  abef: __m128i,
  cdgh: __m128i,
}

impl State {
  /// # Safety
  /// Needs the target features it is compiled with ([`available`]).
  #[inline]
  #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
  unsafe fn initial() -> Self {
    let abcd = _mm_loadu_si128(INITIAL_STATE[..4].as_ptr().cast());
    let efgh = _mm_loadu_si128(INITIAL_STATE[4..].as_ptr().cast());
    let badc = _mm_shuffle_epi32(abcd, 0xb1);
    let hgfe = _mm_shuffle_epi32(efgh, 0x1b);
    Self {
      abef: _mm_alignr_epi8(badc, hgfe, 8),
      cdgh: _mm_blend_epi16(hgfe, badc, 0xf0),
    }
  }

  /// # Safety
  /// Needs the target features it is compiled with ([`available`]).
  #[inline]
  #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
  unsafe fn add(self, other: Self) -> Self {
    Self {
      abef: _mm_add_epi32(self.abef, other.abef),
      cdgh: _mm_add_epi32(self.cdgh, other.cdgh),
    }
  }

  /// The state as the big-endian bytes of a, b, …, h.
  /// # Safety
  /// Needs the target features it is compiled with ([`available`]).
  #[inline]
  #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
  unsafe fn digest(self) -> Digest {
    let abef = _mm_shuffle_epi32(self.abef, 0x1b); // lanes a b e f
    let cdgh = _mm_shuffle_epi32(self.cdgh, 0xb1); // lanes g h c d
    let abcd = _mm_blend_epi16(abef, cdgh, 0xf0);
    let efgh = _mm_alignr_epi8(cdgh, abef, 8);
    let big_endian = byte_swap_mask();
    let mut out = [0u8; 32];
    _mm_storeu_si128(out.as_mut_ptr().cast(), _mm_shuffle_epi8(abcd, big_endian));
    _mm_storeu_si128(
      out[16..].as_mut_ptr().cast(),
      _mm_shuffle_epi8(efgh, big_endian),
    );
    out
  }
}

/// Reverses the bytes of each 32-bit lane: SHA-256 words are big-endian.
///
/// # Safety
/// Needs the target features it is compiled with ([`available`]).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn byte_swap_mask() -> __m128i {
  _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203)
}

/// `W[t] + K[t]` for one block, four rounds to a vector.
struct Schedule([__m128i; 16]);

impl Schedule {
  /// # Safety
  /// Needs the target features it is compiled with ([`available`]).
  #[inline]
  #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
  unsafe fn of(block: &[u8; 64]) -> Self {
    let mask = byte_swap_mask();
    let mut w = [_mm_setzero_si128(); 16];
    for (quad, word) in w.iter_mut().take(4).enumerate() {
      let bytes = _mm_loadu_si128(block[16 * quad..].as_ptr().cast());
      *word = _mm_shuffle_epi8(bytes, mask);
    }
    for quad in 4..16 {
      // W[t..t+4] from W[t-16..], W[t-12..], W[t-7..t-3] and W[t-4..].
      let sigma0 = _mm_sha256msg1_epu32(w[quad - 4], w[quad - 3]);
      let minus_7 = _mm_alignr_epi8(w[quad - 1], w[quad - 2], 4);
      w[quad] = _mm_sha256msg2_epu32(_mm_add_epi32(sigma0, minus_7), w[quad - 1]);
    }
    for (quad, word) in w.iter_mut().enumerate() {
      *word = _mm_add_epi32(*word, _mm_loadu_si128(K[4 * quad..].as_ptr().cast()));
    }
    Self(w)
  }
}

/// The 64 rounds of one block for each state in `states`, with `W + K` for lane `lane`'s
/// rounds `4 × quad ‥ 4 × quad + 4` from `schedule(lane, quad)`; then adds the state before the
/// block, as the compression function ends. The lanes' rounds alternate, so each round pair
/// has the other lane's to overlap with.
///
/// # Safety
/// Needs the target features it is compiled with ([`available`]).
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
unsafe fn rounds<const N: usize>(
  states: &mut [State; N],
  schedule: impl Fn(usize, usize) -> __m128i,
) {
  let before = *states;
  for quad in 0..16 {
    for (lane, state) in states.iter_mut().enumerate() {
      let wk = schedule(lane, quad);
      state.cdgh = _mm_sha256rnds2_epu32(state.cdgh, state.abef, wk);
      state.abef = _mm_sha256rnds2_epu32(state.abef, state.cdgh, _mm_shuffle_epi32(wk, 0x0e));
    }
  }
  for (state, before) in states.iter_mut().zip(before) {
    *state = state.add(before);
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use sha2::{Digest as _, Sha256};

  #[test]
  fn every_count_of_blocks_equals_the_portable_hasher() {
    if !available() {
      eprintln!("no SHA extensions here: nothing to compare");
      return;
    }
    let blocks: Vec<u8> = (0..64 * 11).map(|i| (i * 31 + i / 64 * 7) as u8).collect();
    for count in 0..=11 {
      let mut digests = vec![0u8; 32 * count];
      // SAFETY: the CPU has the instructions, checked above.
      unsafe { digest_64_each(&blocks[..64 * count], &mut digests) };
      for (index, (block, digest)) in blocks
        .chunks_exact(64)
        .zip(digests.chunks_exact(32))
        .enumerate()
      {
        assert_eq!(
          digest,
          Sha256::digest(block).as_slice(),
          "block {index} of {count}"
        );
      }
    }
    let single: &[u8; 64] = blocks[64..128].try_into().unwrap();
    assert_eq!(
      // SAFETY: the CPU has the instructions, checked above.
      unsafe { digest_64(single) }.as_slice(),
      Sha256::digest(single).as_slice()
    );
  }
}
