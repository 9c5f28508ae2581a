//! A SHA-256 hash part of the way through, as bytes that can be stored and resumed from: the
//! format behind `hasher.exportState()` and `createSha256({ state })`.
//!
//! Version 1 is [`STATE_LEN`] bytes:
//!
//! | bytes    | what                                                                  |
//! |----------|-----------------------------------------------------------------------|
//! | 0..4     | `QRHS`, the format's magic                                            |
//! | 4        | format version, 1                                                     |
//! | 5        | algorithm, 1 = SHA-256                                                |
//! | 6..8     | reserved, 0                                                           |
//! | 8..16    | bytes hashed so far, u64 little-endian                                |
//! | 16..48   | the eight chaining words, u32 little-endian                           |
//! | 48..56   | 64-byte blocks compressed so far, u64 little-endian                   |
//! | 56       | bytes waiting in the partial block (0‥63)                             |
//! | 57..120  | those bytes, then zeros                                               |
//! | 120..128 | the first 8 bytes of SHA-256 of bytes 0..120                          |
//!
//! Bytes 16..120 are sha2's own serialization (`SerializableState`). The checksum catches
//! corruption (a truncated upload, a flipped bit in storage), not forgery: a state is no secret
//! and no proof, and anyone can write one that resumes to a hash of their choosing.

use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use sha2::{Digest as _, Sha256};

/// The length of a version-1 state.
pub const STATE_LEN: usize = 128;
const MAGIC: &[u8; 4] = b"QRHS";
const VERSION: u8 = 1;
const SHA256: u8 = 1;
const HEADER_LEN: usize = 16;
const SHA2_LEN: usize = 104;
const CHECKED_LEN: usize = HEADER_LEN + SHA2_LEN;
const BLOCK_LEN: u64 = 64;

/// Why bytes are not a state this build can resume from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
  /// Not [`STATE_LEN`] bytes long.
  Length(usize),
  /// No `QRHS` at the start: not a qrhash state at all.
  Magic,
  /// A version (or algorithm, or reserved bytes) this build does not know.
  Version(u8),
  /// The checksum does not match: the bytes were changed after they were exported.
  Checksum,
  /// The checksum matches but the fields contradict each other (written by hand).
  Inconsistent,
}

impl std::fmt::Display for StateError {
  fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      Self::Length(length) => write!(
        formatter,
        "is {length} bytes long; a qrhash hash state is {STATE_LEN}"
      ),
      Self::Magic => write!(formatter, "is not a qrhash hash state (no QRHS header)"),
      Self::Version(version) => write!(
        formatter,
        "is a state of format version {version}, which this qrhash does not read (it reads version {VERSION})"
      ),
      Self::Checksum => write!(
        formatter,
        "is corrupted: its checksum does not match its contents"
      ),
      Self::Inconsistent => write!(
        formatter,
        "is inconsistent: its byte count does not match its blocks"
      ),
    }
  }
}

/// `hasher`'s state as [`STATE_LEN`] bytes; the hasher is unchanged.
pub fn export(hasher: &Sha256) -> [u8; STATE_LEN] {
  let inner: SerializedState<Sha256> = hasher.serialize();
  let mut state = [0u8; STATE_LEN];
  state[..4].copy_from_slice(MAGIC);
  state[4] = VERSION;
  state[5] = SHA256;
  state[HEADER_LEN..CHECKED_LEN].copy_from_slice(&inner);
  let blocks = u64::from_le_bytes(inner[32..40].try_into().expect("8 bytes"));
  let bytes = blocks * BLOCK_LEN + u64::from(inner[40]);
  state[8..16].copy_from_slice(&bytes.to_le_bytes());
  let sum = checksum(&state[..CHECKED_LEN]);
  state[CHECKED_LEN..].copy_from_slice(&sum);
  state
}

/// The hasher `state` was exported from, and the bytes it had hashed; checked field by field
/// before anything is resumed.
pub fn import(state: &[u8]) -> Result<(Sha256, u64), StateError> {
  let state: &[u8; STATE_LEN] = state
    .try_into()
    .map_err(|_| StateError::Length(state.len()))?;
  if &state[..4] != MAGIC {
    return Err(StateError::Magic);
  }
  if state[4] != VERSION || state[5] != SHA256 || state[6..8] != [0, 0] {
    return Err(StateError::Version(state[4]));
  }
  if state[CHECKED_LEN..] != checksum(&state[..CHECKED_LEN]) {
    return Err(StateError::Checksum);
  }
  let bytes = u64::from_le_bytes(state[8..16].try_into().expect("8 bytes"));
  let inner = &state[HEADER_LEN..CHECKED_LEN];
  let blocks = u64::from_le_bytes(inner[32..40].try_into().expect("8 bytes"));
  // SHA-256 counts bits in 64 bits: no message is 2^61 bytes or longer.
  let counted = blocks
    .checked_mul(BLOCK_LEN)
    .and_then(|whole| whole.checked_add(u64::from(inner[40])))
    .filter(|total| *total < 1 << 61);
  if counted != Some(bytes) {
    return Err(StateError::Inconsistent);
  }
  let inner = SerializedState::<Sha256>::try_from(inner).map_err(|_| StateError::Inconsistent)?;
  // sha2 refuses a partial block of 64 bytes or more, or one with bytes past its length.
  let hasher = Sha256::deserialize(&inner).map_err(|_| StateError::Inconsistent)?;
  Ok((hasher, bytes))
}

fn checksum(bytes: &[u8]) -> [u8; 8] {
  let digest = Sha256::digest(bytes);
  digest[..8].try_into().expect("8 bytes")
}

#[cfg(test)]
mod tests {
  use super::*;

  fn hashed(length: usize) -> (Vec<u8>, Sha256) {
    let data: Vec<u8> = (0..length).map(|i| (i * 31 % 251) as u8).collect();
    let mut hasher = Sha256::new();
    hasher.update(&data);
    (data, hasher)
  }

  #[test]
  fn a_resumed_hash_equals_the_hash_of_the_whole_message_at_every_split() {
    for split in [0, 1, 55, 63, 64, 65, 127, 128, 1000, 4096 + 17] {
      let (head, hasher) = hashed(split);
      let state = export(&hasher);
      let (mut resumed, bytes) = import(&state).unwrap();
      assert_eq!(bytes, split as u64);
      let tail = b"and the rest of the upload";
      resumed.update(tail);
      let whole = [head.as_slice(), tail].concat();
      assert_eq!(
        resumed.finalize(),
        Sha256::digest(&whole),
        "split at {split}"
      );
    }
  }

  #[test]
  fn the_layout_is_the_documented_one() {
    let (_, hasher) = hashed(130);
    let state = export(&hasher);
    assert_eq!(&state[..8], b"QRHS\x01\x01\x00\x00");
    assert_eq!(u64::from_le_bytes(state[8..16].try_into().unwrap()), 130);
    assert_eq!(u64::from_le_bytes(state[48..56].try_into().unwrap()), 2);
    assert_eq!(state[56], 2);
    let fresh = export(&Sha256::new());
    assert_eq!(&fresh[16..20], &0x6a09e667u32.to_le_bytes());
  }

  #[test]
  fn every_single_bit_flip_is_refused() {
    let (_, hasher) = hashed(100);
    let state = export(&hasher);
    for byte in 0..STATE_LEN {
      for bit in 0..8 {
        let mut corrupted = state;
        corrupted[byte] ^= 1 << bit;
        assert!(import(&corrupted).is_err(), "bit {bit} of byte {byte}");
      }
    }
  }

  #[test]
  fn each_kind_of_bad_state_is_named() {
    let (_, hasher) = hashed(70);
    let state = export(&hasher);
    assert_eq!(import(&state[..127]).err(), Some(StateError::Length(127)));
    assert_eq!(import(&[]).err(), Some(StateError::Length(0)));
    let mut other = state;
    other[0] = b'X';
    assert_eq!(import(&other).err(), Some(StateError::Magic));
    let mut newer = state;
    newer[4] = 2;
    assert_eq!(import(&newer).err(), Some(StateError::Version(2)));
    let mut flipped = state;
    flipped[20] ^= 1;
    assert_eq!(import(&flipped).err(), Some(StateError::Checksum));
  }

  /// A state with a valid checksum over contradictory fields: what a hand-made one may be.
  fn resealed(
    mut state: [u8; STATE_LEN],
    edit: impl FnOnce(&mut [u8; STATE_LEN]),
  ) -> [u8; STATE_LEN] {
    edit(&mut state);
    let sum = checksum(&state[..CHECKED_LEN]);
    state[CHECKED_LEN..].copy_from_slice(&sum);
    state
  }

  #[test]
  fn a_resealed_state_with_contradictory_fields_is_refused() {
    let (_, hasher) = hashed(70);
    let state = export(&hasher);
    let wrong_count = resealed(state, |state| state[8] ^= 1);
    assert_eq!(import(&wrong_count).err(), Some(StateError::Inconsistent));
    // 64 bytes "waiting" in a 64-byte block, with the count made to agree.
    let full_block = resealed(state, |state| {
      state[56] = 64;
      state[8..16].copy_from_slice(&(64u64 + 64).to_le_bytes());
    });
    assert_eq!(import(&full_block).err(), Some(StateError::Inconsistent));
    // A byte past the partial block's length.
    let stray = resealed(state, |state| state[119] = 1);
    assert_eq!(import(&stray).err(), Some(StateError::Inconsistent));
    // A count at SHA-256's limit.
    let huge = resealed(state, |state| {
      state[48..56].copy_from_slice(&(1u64 << 55).to_le_bytes());
      state[8..16].copy_from_slice(&((1u64 << 61) + 6).to_le_bytes());
    });
    assert_eq!(import(&huge).err(), Some(StateError::Inconsistent));
  }
}
