//! Messages of at most 119 bytes, padded on the stack and hashed with the raw compression
//! function: no hasher state, no buffering. Records, Merkle nodes and hash chains are this size.

use sha2::block_api::compress256;

#[cfg(target_arch = "x86_64")]
use super::sha_ni;
use super::{Digest, DIGEST_LEN};

/// The longest message that pads into two 64-byte blocks (119 + 1 + 8 = 128).
pub const MAX_LEN: usize = 119;

/// FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the first
/// eight primes.
pub(super) const INITIAL_STATE: [u32; 8] = [
  0x6a09_e667,
  0xbb67_ae85,
  0x3c6e_f372,
  0xa54f_f53a,
  0x510e_527f,
  0x9b05_688c,
  0x1f83_d9ab,
  0x5be0_cd19,
];

/// The second block of every 64-byte message: 0x80, zeros, then the length, 512 bits.
pub(super) const PADDING_AFTER_64: [u8; 64] = {
  let mut block = [0u8; 64];
  block[0] = 0x80;
  block[62] = 0x02;
  block
};

/// SHA-256 of one 64-byte block, the size of a record and of a Merkle node's two children:
/// compressed where it lies, then the constant padding block, with no copying.
pub fn digest_64(message: &[u8; 64]) -> Digest {
  #[cfg(target_arch = "x86_64")]
  if sha_ni::available() {
    // SAFETY: the CPU has the instructions, checked just above.
    return unsafe { sha_ni::digest_64(message) };
  }
  portable_digest_64(message)
}

/// [`digest_64`] with the sha2 crate's compression, for CPUs without the SHA extensions.
fn portable_digest_64(message: &[u8; 64]) -> Digest {
  let mut state = INITIAL_STATE;
  compress256(&mut state, std::slice::from_ref(message));
  compress256(&mut state, &[PADDING_AFTER_64]);
  to_bytes(state)
}

/// The digest of each 64-byte block of `blocks` into the next 32 bytes of `digests`
/// (`blocks.len() == 2 × digests.len()`, a multiple of 64).
pub fn digest_64_each(blocks: &[u8], digests: &mut [u8]) {
  assert_eq!(blocks.len(), 2 * digests.len(), "32 bytes out per 64 in");
  assert!(blocks.len().is_multiple_of(64), "whole blocks");
  #[cfg(target_arch = "x86_64")]
  if sha_ni::available() {
    // SAFETY: the CPU has the instructions, checked just above.
    return unsafe { sha_ni::digest_64_each(blocks, digests) };
  }
  for (block, digest) in blocks
    .chunks_exact(64)
    .zip(digests.chunks_exact_mut(DIGEST_LEN))
  {
    digest.copy_from_slice(&portable_digest_64(block.try_into().expect("64 bytes")));
  }
}

/// Hashes a 32-byte digest `rounds` times: one block per round, whose second half (the
/// padding of a 32-byte message) never changes, so only the digest is rewritten each time.
pub fn rehash(mut digest: Digest, rounds: u32) -> Digest {
  let mut block = [0u8; 64];
  block[DIGEST_LEN] = 0x80;
  block[62] = 0x01; // 256 bits
  for _ in 0..rounds {
    block[..DIGEST_LEN].copy_from_slice(&digest);
    let mut state = INITIAL_STATE;
    compress256(&mut state, std::slice::from_ref(&block));
    digest = to_bytes(state);
  }
  digest
}

fn to_bytes(state: [u32; 8]) -> Digest {
  let mut out = [0u8; DIGEST_LEN];
  for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
    bytes.copy_from_slice(&word.to_be_bytes());
  }
  out
}

/// SHA-256 of `message`, which is at most [`MAX_LEN`] bytes long.
pub fn digest(message: &[u8]) -> Digest {
  assert!(
    message.len() <= MAX_LEN,
    "{} bytes is not a short message",
    message.len()
  );
  let mut blocks = [[0u8; 64]; 2];
  let used = if message.len() < 56 { 1 } else { 2 };
  let padded = blocks.as_flattened_mut();
  padded[..message.len()].copy_from_slice(message);
  padded[message.len()] = 0x80;
  let bits = (message.len() as u64 * 8).to_be_bytes();
  padded[used * 64 - 8..used * 64].copy_from_slice(&bits);
  let mut state = INITIAL_STATE;
  compress256(&mut state, &blocks[..used]);
  to_bytes(state)
}

#[cfg(test)]
mod tests {
  use super::*;
  use sha2::{Digest as _, Sha256};

  #[test]
  fn rehashing_is_hashing_the_digest_again() {
    let mut expected: Digest = Sha256::digest(b"seed").into();
    let start = expected;
    for _ in 0..3 {
      expected = Sha256::digest(expected).into();
    }
    assert_eq!(rehash(start, 3), expected);
    assert_eq!(rehash(start, 0), start);
  }

  #[test]
  fn a_64_byte_block_hashes_as_any_message() {
    let block: [u8; 64] = std::array::from_fn(|i| (i * 7 + 3) as u8);
    assert_eq!(digest_64(&block), digest(&block));
    assert_eq!(digest_64(&block), <Digest>::from(Sha256::digest(block)));
    assert_eq!(portable_digest_64(&block), digest(&block), "without SHA-NI");
  }

  #[test]
  fn equals_the_full_hasher_at_every_length() {
    let data: Vec<u8> = (0..=MAX_LEN).map(|i| (i * 37 + 11) as u8).collect();
    for length in 0..=MAX_LEN {
      let expected: Digest = Sha256::digest(&data[..length]).into();
      assert_eq!(digest(&data[..length]), expected, "{length} bytes");
    }
  }
}
