//! Hash chains: d₀ = SHA-256(input), dᵢ = SHA-256(dᵢ₋₁).

use super::oneshot::Partial;
use super::{short, Digest};
use crate::cancel::{CancelToken, Cancelled};
use crate::slice::{Deadline, Step};

/// Rounds between looks at the cancel token and the deadline: a few tenths of a millisecond.
const ROUNDS_PER_STEP: u32 = 1 << 12;

/// `d_rounds`: the digest of `input` hashed again `rounds` times.
pub fn iterate(input: &[u8], rounds: u32, cancel: &CancelToken) -> Result<Digest, Cancelled> {
  Ok(
    Chain::new(rounds)
      .advance(input, Deadline::NEVER, cancel)?
      .finished(),
  )
}

/// A chain part of the way through.
#[derive(Clone)]
pub enum Chain {
  /// Hashing the input into d₀, with `rounds` still to go after it.
  Seed { partial: Partial, rounds: u32 },
  /// At `digest`, `left` rounds from the end.
  Rounds { digest: Digest, left: u32 },
}

impl Chain {
  pub fn new(rounds: u32) -> Self {
    Self::Seed {
      partial: Partial::default(),
      rounds,
    }
  }

  /// Goes on with the chain of `input` (the same at every call) until it ends or `deadline`
  /// passes; at least one step either way.
  pub fn advance(
    self,
    input: &[u8],
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Self, Digest>, Cancelled> {
    let (mut digest, mut left) = match self {
      Chain::Seed { partial, rounds } => match partial.advance(input, deadline, cancel)? {
        Step::Paused(partial) => return Ok(Step::Paused(Chain::Seed { partial, rounds })),
        Step::Done(digest) => (digest, rounds),
      },
      Chain::Rounds { digest, left } => (digest, left),
    };
    while left > 0 {
      cancel.check()?;
      let step = left.min(ROUNDS_PER_STEP);
      digest = short::rehash(digest, step);
      left -= step;
      if left > 0 && deadline.has_passed() {
        return Ok(Step::Paused(Chain::Rounds { digest, left }));
      }
    }
    Ok(Step::Done(digest))
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use sha2::{Digest as _, Sha256};
  use std::time::Duration;

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

  #[test]
  fn a_chain_paused_at_every_step_ends_where_an_unpaused_one_does() {
    let rounds = ROUNDS_PER_STEP * 3 + 5;
    let whole = iterate(b"seed", rounds, &CancelToken::default()).unwrap();
    let mut chain = Chain::new(rounds);
    let mut slices = 0;
    let digest = loop {
      slices += 1;
      match chain.advance(
        b"seed",
        Deadline::after(Duration::ZERO),
        &CancelToken::default(),
      ) {
        Ok(Step::Paused(paused)) => chain = paused,
        Ok(Step::Done(digest)) => break digest,
        Err(Cancelled) => panic!("cancelled"),
      }
    };
    assert_eq!(digest, whole);
    assert_eq!(slices, 4);
  }
}
