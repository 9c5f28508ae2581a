//! One message, one digest.

use sha2::{Digest as _, Sha256};

use crate::cancel::{CancelToken, Cancelled};
use crate::slice::{Deadline, Step};

/// Bytes in a SHA-256 digest.
pub const DIGEST_LEN: usize = 32;

pub type Digest = [u8; DIGEST_LEN];

/// Bytes hashed between two looks at the cancel token and the deadline: about a tenth of a
/// millisecond with SHA-NI, half a millisecond without, so a slice ends close to its deadline.
const STEP_BYTES: usize = 256 << 10;

/// SHA-256 of `data` (FIPS 180-4), stopping early when `cancel` fires.
pub fn sha256(data: &[u8], cancel: &CancelToken) -> Result<Digest, Cancelled> {
  Ok(
    Partial::default()
      .advance(data, Deadline::NEVER, cancel)?
      .finished(),
  )
}

/// The hash of one message, part of the way through: how many of its bytes are in.
#[derive(Clone, Default)]
pub struct Partial {
  hasher: Sha256,
  hashed: usize,
}

impl Partial {
  /// Hashes more of `data` (the same message at every call) until all of it is in or
  /// `deadline` passes; at least one step either way, so every slice gets further.
  pub fn advance(
    mut self,
    data: &[u8],
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Self, Digest>, Cancelled> {
    while self.hashed < data.len() {
      cancel.check()?;
      let end = data.len().min(self.hashed + STEP_BYTES);
      self.hasher.update(&data[self.hashed..end]);
      self.hashed = end;
      if end < data.len() && deadline.has_passed() {
        return Ok(Step::Paused(self));
      }
    }
    Ok(Step::Done(self.hasher.finalize().into()))
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::hash::encoding::to_hex;
  use std::time::Duration;

  fn hex_of(data: &[u8]) -> String {
    to_hex(&sha256(data, &CancelToken::default()).unwrap())
  }

  // FIPS 180-4 / NIST CSRC example vectors.
  #[test]
  fn matches_the_fips_examples() {
    assert_eq!(
      hex_of(b""),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
      hex_of(b"abc"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
      hex_of(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
      hex_of(&vec![b'a'; 1_000_000]),
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
  }

  #[test]
  fn chunking_does_not_change_the_digest() {
    let data: Vec<u8> = (0..STEP_BYTES * 2 + 7).map(|i| (i * 31) as u8).collect();
    let whole: Digest = Sha256::digest(&data).into();
    assert_eq!(sha256(&data, &CancelToken::default()), Ok(whole));
  }

  #[test]
  fn a_hash_paused_at_every_step_gives_the_same_digest() {
    let data: Vec<u8> = (0..STEP_BYTES * 3 + 11).map(|i| (i * 7) as u8).collect();
    let mut partial = Partial::default();
    let mut slices = 0;
    let digest = loop {
      slices += 1;
      // A deadline already passed still lets each slice take one step.
      match partial.advance(
        &data,
        Deadline::after(Duration::ZERO),
        &CancelToken::default(),
      ) {
        Ok(Step::Paused(paused)) => partial = paused,
        Ok(Step::Done(digest)) => break digest,
        Err(Cancelled) => panic!("cancelled"),
      }
    };
    assert_eq!(digest, <Digest>::from(Sha256::digest(&data)));
    assert_eq!(slices, 4, "one step per slice");
  }

  #[test]
  fn a_cancelled_token_stops_the_hash() {
    let token = CancelToken::default();
    token.cancel();
    assert_eq!(sha256(b"abc", &token), Err(Cancelled));
  }
}
