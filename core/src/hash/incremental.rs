//! Incremental SHA-256 whose chunks may be hashed on other threads: the state behind
//! `createSha256()`.
//!
//! A chunk queued with [`Incremental::queue`] is hashed exactly once, by whichever comes
//! first: the pool task that owns it ([`Incremental::catch_up`]), or a later synchronous call
//! that must see every chunk before its own. Either way chunks enter the digest in the order
//! they were given.

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::state::{self, STATE_LEN};
use super::Digest;
use crate::slice::Deadline;

/// Bytes hashed between looks at the deadline, as for one message.
const STEP_BYTES: usize = 256 << 10;

/// The digest was already taken: a hasher is finished after [`Incremental::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finalized;

/// A chunk waiting to be hashed; `data` is whatever owns the bytes (a napi view, a `Vec`).
pub struct Chunk<D> {
  data: D,
  hashed: AtomicBool,
}

impl<D> Chunk<D> {
  pub fn new(data: D) -> Arc<Self> {
    Arc::new(Self {
      data,
      hashed: AtomicBool::new(false),
    })
  }
}

/// The running hash and the chunks queued for it, oldest first.
pub struct Incremental<D> {
  /// `None` once the digest has been taken.
  hasher: Option<Sha256>,
  pending: VecDeque<Arc<Chunk<D>>>,
  /// Bytes of the oldest pending chunk already in the hash: a slice ended inside it.
  front_hashed: usize,
}

impl<D> Default for Incremental<D> {
  fn default() -> Self {
    Self {
      hasher: Some(Sha256::new()),
      pending: VecDeque::new(),
      front_hashed: 0,
    }
  }
}

impl<D> Incremental<D> {
  /// A hasher that goes on from `hasher`, a state [`state::import`] read back.
  pub fn resuming(hasher: Sha256) -> Self {
    Self {
      hasher: Some(hasher),
      ..Self::default()
    }
  }
}

impl<D: Deref<Target = [u8]>> Incremental<D> {
  /// The state after every chunk given so far (hashing the queued ones now), to resume from
  /// with [`resuming`](Self::resuming); the hasher goes on unchanged.
  pub fn export(&mut self) -> Result<[u8; STATE_LEN], Finalized> {
    Ok(state::export(self.catch_up()?))
  }

  /// Hashes every queued chunk, in order: then the state reflects every call made so far.
  pub fn catch_up(&mut self) -> Result<&mut Sha256, Finalized> {
    self.catch_up_by(Deadline::NEVER)?;
    self.hasher.as_mut().ok_or(Finalized)
  }

  /// As [`catch_up`](Self::catch_up) until `deadline` passes (after one step at least);
  /// `Ok(true)` once every queued chunk is in.
  pub fn catch_up_by(&mut self, deadline: Deadline) -> Result<bool, Finalized> {
    let hasher = self.hasher.as_mut().ok_or(Finalized)?;
    while let Some(chunk) = self.pending.front() {
      if self.front_hashed == 0 && chunk.hashed.swap(true, Ordering::Relaxed) {
        self.pending.pop_front();
        continue;
      }
      let end = chunk.data.len().min(self.front_hashed + STEP_BYTES);
      hasher.update(&chunk.data[self.front_hashed..end]);
      self.front_hashed = end;
      if end == chunk.data.len() {
        self.pending.pop_front();
        self.front_hashed = 0;
      }
      if !self.pending.is_empty() && deadline.has_passed() {
        return Ok(false);
      }
    }
    Ok(true)
  }

  /// Adds `data` now, after every queued chunk.
  pub fn update(&mut self, data: &[u8]) -> Result<(), Finalized> {
    self.catch_up()?.update(data);
    Ok(())
  }

  /// Queues `chunk` to be hashed later, by its own task or by the next call that catches up.
  pub fn queue(&mut self, chunk: Arc<Chunk<D>>) -> Result<(), Finalized> {
    if self.hasher.is_none() {
      return Err(Finalized);
    }
    self.pending.push_back(chunk);
    Ok(())
  }

  /// Whether a call on another thread already hashed everything queued.
  pub fn is_caught_up(&self) -> bool {
    self.pending.is_empty()
  }

  /// The digest of everything given; the hasher is finished after.
  pub fn finish(&mut self) -> Result<Digest, Finalized> {
    self.catch_up()?;
    let hasher = self.hasher.take().ok_or(Finalized)?;
    Ok(hasher.finalize().into())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn queued_and_direct_chunks_hash_in_the_order_given() {
    let mut state = Incremental::<Vec<u8>>::default();
    state.update(b"ab").unwrap();
    let queued = Chunk::new(b"cd".to_vec());
    state.queue(Arc::clone(&queued)).unwrap();
    state.update(b"ef").unwrap();
    assert!(state.is_caught_up());
    let expected: Digest = Sha256::digest(b"abcdef").into();
    assert_eq!(state.finish(), Ok(expected));
  }

  #[test]
  fn a_chunk_hashed_by_its_task_is_not_hashed_again() {
    let mut state = Incremental::<Vec<u8>>::default();
    let chunk = Chunk::new(b"once".to_vec());
    state.queue(Arc::clone(&chunk)).unwrap();
    state.catch_up().unwrap();
    // A second queue entry for the same chunk (a racing task) is skipped.
    state.queue(chunk).unwrap();
    let expected: Digest = Sha256::digest(b"once").into();
    assert_eq!(state.finish(), Ok(expected));
  }

  #[test]
  fn a_catch_up_paused_inside_a_chunk_goes_on_from_there() {
    let mut state = Incremental::<Vec<u8>>::default();
    let big: Vec<u8> = (0..STEP_BYTES * 2 + 3).map(|i| (i % 241) as u8).collect();
    for chunk in [b"head".to_vec(), big.clone(), Vec::new(), b"tail".to_vec()] {
      state.queue(Chunk::new(chunk)).unwrap();
    }
    let past = Deadline::after(std::time::Duration::ZERO);
    let mut slices = 1;
    while !state.catch_up_by(past).unwrap() {
      slices += 1;
    }
    assert_eq!(
      slices, 6,
      "head, three steps of the big chunk, the empty one, the tail"
    );
    let expected: Digest = Sha256::digest([&b"head"[..], &big, b"tail"].concat()).into();
    assert_eq!(state.finish(), Ok(expected));
  }

  #[test]
  fn a_finished_hasher_refuses_everything() {
    let mut state = Incremental::<Vec<u8>>::default();
    state.finish().unwrap();
    assert_eq!(state.update(b"x"), Err(Finalized));
    assert!(state.queue(Chunk::new(Vec::new())).is_err());
    assert_eq!(state.finish(), Err(Finalized));
  }
}
