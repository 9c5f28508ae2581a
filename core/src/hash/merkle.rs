//! Merkle trees over record digests: each parent is SHA-256(left ‖ right), and a level with an
//! odd number of nodes pairs its last node with itself.

use super::{short, Digest, DIGEST_LEN};

/// Two digests side by side: the message a parent is the hash of.
const PAIR_LEN: usize = 2 * DIGEST_LEN;
use crate::cancel::{CancelToken, Cancelled};

/// The level above `level` (concatenated digests): ⌈n / 2⌉ digests.
fn parent_level(level: &[u8], cancel: &CancelToken) -> Result<Vec<u8>, Cancelled> {
  cancel.check()?;
  let paired = level.len() / PAIR_LEN * PAIR_LEN;
  let mut parents = vec![0u8; level.len().div_ceil(PAIR_LEN) * DIGEST_LEN];
  let (whole, odd) = parents.split_at_mut(paired / 2);
  short::digest_64_each(&level[..paired], whole);
  if !odd.is_empty() {
    // The odd one out is paired with itself.
    let mut pair = [0u8; PAIR_LEN];
    pair[..DIGEST_LEN].copy_from_slice(&level[paired..]);
    pair[DIGEST_LEN..].copy_from_slice(&level[paired..]);
    odd.copy_from_slice(&short::digest_64(&pair));
  }
  Ok(parents)
}

/// Reduces `level` by exactly `levels` levels: the root of a complete subtree of 2^levels
/// leaves, or of the tail of the last one, which pairs a lone node with itself at every level
/// as the whole tree does.
pub fn reduce(mut level: Vec<u8>, levels: u32, cancel: &CancelToken) -> Result<Vec<u8>, Cancelled> {
  for _ in 0..levels {
    level = parent_level(&level, cancel)?;
  }
  Ok(level)
}

/// The root above a level of at least one digest.
pub fn root(mut level: Vec<u8>, cancel: &CancelToken) -> Result<Digest, Cancelled> {
  assert!(
    level.len() >= DIGEST_LEN && level.len().is_multiple_of(DIGEST_LEN),
    "a level of whole digests"
  );
  while level.len() > DIGEST_LEN {
    level = parent_level(&level, cancel)?;
  }
  Ok(level.try_into().expect("one digest"))
}

#[cfg(test)]
mod tests {
  use super::*;
  use sha2::{Digest as _, Sha256};

  /// The definition, one node at a time.
  fn reference_root(mut nodes: Vec<Digest>) -> Digest {
    while nodes.len() > 1 {
      if nodes.len() % 2 == 1 {
        nodes.push(*nodes.last().unwrap());
      }
      nodes = nodes
        .chunks(2)
        .map(|pair| Sha256::digest([pair[0], pair[1]].concat()).into())
        .collect();
    }
    nodes[0]
  }

  fn leaves(count: usize) -> Vec<Digest> {
    (0..count)
      .map(|i| Sha256::digest(i.to_le_bytes()).into())
      .collect()
  }

  #[test]
  fn root_matches_the_definition_for_every_small_size() {
    for count in 1..=70 {
      let leaves = leaves(count);
      assert_eq!(
        root(leaves.concat(), &CancelToken::default()).unwrap(),
        reference_root(leaves.clone()),
        "{count} leaves"
      );
    }
  }

  #[test]
  fn subtrees_then_their_roots_give_the_same_root() {
    let cancel = CancelToken::default();
    for (count, levels) in [(37, 3), (64, 4), (65, 2), (1000, 6), (9, 3)] {
      let leaves = leaves(count);
      let chunk = 1 << levels;
      let mut chunk_roots = Vec::new();
      for part in leaves.chunks(chunk) {
        chunk_roots.extend(reduce(part.concat(), levels, &cancel).unwrap());
      }
      assert_eq!(
        root(chunk_roots, &cancel).unwrap(),
        reference_root(leaves),
        "{count} leaves in chunks of {chunk}"
      );
    }
  }
}
