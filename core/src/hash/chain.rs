//! Hash chains: d₀ = SHA-256(input), dᵢ = SHA-256(dᵢ₋₁).

use super::{sha256, short, Digest};
use crate::cancel::{CancelToken, Cancelled};

/// Rounds between looks at the cancel token: a few milliseconds of work.
const ROUNDS_PER_CHECK: u32 = 1 << 16;

/// `d_rounds`: the digest of `input` hashed again `rounds` times.
pub fn iterate(input: &[u8], rounds: u32, cancel: &CancelToken) -> Result<Digest, Cancelled> {
  let mut digest = sha256(input, cancel)?;
  let mut left = rounds;
  while left > 0 {
    cancel.check()?;
    let step = left.min(ROUNDS_PER_CHECK);
    digest = short::rehash(digest, step);
    left -= step;
  }
  Ok(digest)
}

#[cfg(test)]
mod tests {
  use super::*;
  use sha2::{Digest as _, Sha256};

  #[test]
  fn each_round_hashes_the_previous_digest() {
    let mut expected: Digest = Sha256::digest(b"seed").into();
    assert_eq!(iterate(b"seed", 0, &CancelToken::default()), Ok(expected));
    for _ in 0..1000 {
      expected = Sha256::digest(expected).into();
    }
    assert_eq!(
      iterate(b"seed", 1000, &CancelToken::default()),
      Ok(expected)
    );
  }
}
