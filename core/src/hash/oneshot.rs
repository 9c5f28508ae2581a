//! One message, one digest.

use sha2::{Digest as _, Sha256};

use crate::cancel::{CancelToken, Cancelled};

/// Bytes in a SHA-256 digest.
pub const DIGEST_LEN: usize = 32;

pub type Digest = [u8; DIGEST_LEN];

/// Bytes hashed between two looks at the cancel token: about half a millisecond with SHA-NI,
/// so an abort is noticed quickly while the check costs nothing measurable.
const CANCEL_CHECK_INTERVAL: usize = 1 << 20;

/// SHA-256 of `data` (FIPS 180-4), stopping early when `cancel` fires.
pub fn sha256(data: &[u8], cancel: &CancelToken) -> Result<Digest, Cancelled> {
  let mut hasher = Sha256::new();
  for chunk in data.chunks(CANCEL_CHECK_INTERVAL) {
    cancel.check()?;
    hasher.update(chunk);
  }
  Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::hash::encoding::to_hex;

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
    let data: Vec<u8> = (0..CANCEL_CHECK_INTERVAL * 2 + 7)
      .map(|i| (i * 31) as u8)
      .collect();
    let whole: Digest = Sha256::digest(&data).into();
    assert_eq!(sha256(&data, &CancelToken::default()), Ok(whole));
  }

  #[test]
  fn a_cancelled_token_stops_the_hash() {
    let token = CancelToken::default();
    token.cancel();
    assert_eq!(sha256(b"abc", &token), Err(Cancelled));
  }
}
