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
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

/// The running hash and the chunks queued for it, shared by the JavaScript thread and the pool.
///
/// Two locks, so that queuing never waits for hashing: `pending` is held only to push or pop
/// one chunk; `running` is held while hashing (by a pool task for a whole slice) and is the
/// only place chunks are popped from, so its holder may hash the front chunk with `pending`
/// unlocked. Lock order: `running`, then `pending`.
pub struct Incremental<D> {
  pending: Mutex<VecDeque<Arc<Chunk<D>>>>,
  running: Mutex<Running>,
  /// Set by [`finish`](Self::finish): later chunks are refused without waiting for `running`.
  finished: AtomicBool,
}

struct Running {
  /// `None` once the digest has been taken.
  hasher: Option<Sha256>,
  /// Bytes of the oldest pending chunk already in the hash: a slice ended inside it.
  front_hashed: usize,
}

impl<D> Default for Incremental<D> {
  fn default() -> Self {
    Self::resuming(Sha256::new())
  }
}

impl<D> Incremental<D> {
  /// A hasher that goes on from `hasher`, a state [`state::import`] read back.
  pub fn resuming(hasher: Sha256) -> Self {
    Self {
      pending: Mutex::default(),
      running: Mutex::new(Running {
        hasher: Some(hasher),
        front_hashed: 0,
      }),
      finished: AtomicBool::new(false),
    }
  }

  /// Queues `chunk` to be hashed later, by its own task or by the next call that catches up.
  /// Never waits for a slice of hashing in progress.
  pub fn queue(&self, chunk: Arc<Chunk<D>>) -> Result<(), Finalized> {
    if self.finished.load(Ordering::Acquire) {
      return Err(Finalized);
    }
    self.pending().push_back(chunk);
    Ok(())
  }

  /// Whether everything queued has been hashed.
  pub fn is_caught_up(&self) -> bool {
    self.pending().is_empty()
  }

  // A panic while a lock was held leaves no half-made change: a chunk is popped only after it
  // was hashed whole, and `front_hashed` counts what the hash already has.
  fn pending(&self) -> MutexGuard<'_, VecDeque<Arc<Chunk<D>>>> {
    self.pending.lock().unwrap_or_else(PoisonError::into_inner)
  }

  fn running(&self) -> MutexGuard<'_, Running> {
    self.running.lock().unwrap_or_else(PoisonError::into_inner)
  }
}

impl<D: Deref<Target = [u8]>> Incremental<D> {
  /// The state after every chunk given so far (hashing the queued ones now), to resume from
  /// with [`resuming`](Self::resuming); the hasher goes on unchanged.
  pub fn export(&self) -> Result<[u8; STATE_LEN], Finalized> {
    let mut running = self.running();
    Ok(state::export(self.caught_up(&mut running)?))
  }

  /// As catching up with every queued chunk, until `deadline` passes (after one step at
  /// least); `Ok(true)` once every queued chunk is in.
  pub fn catch_up_by(&self, deadline: Deadline) -> Result<bool, Finalized> {
    self.catch_up_in(&mut self.running(), deadline)
  }

  /// Adds `data` now, after every queued chunk.
  pub fn update(&self, data: &[u8]) -> Result<(), Finalized> {
    let mut running = self.running();
    self.caught_up(&mut running)?.update(data);
    Ok(())
  }

  /// The digest of everything given; the hasher is finished after.
  pub fn finish(&self) -> Result<Digest, Finalized> {
    let mut running = self.running();
    self.caught_up(&mut running)?;
    self.finished.store(true, Ordering::Release);
    let hasher = running.hasher.take().ok_or(Finalized)?;
    Ok(hasher.finalize().into())
  }

  /// Hashes every queued chunk, in order: then the state reflects every call made so far.
  fn caught_up<'a>(&self, running: &'a mut Running) -> Result<&'a mut Sha256, Finalized> {
    self.catch_up_in(running, Deadline::NEVER)?;
    running.hasher.as_mut().ok_or(Finalized)
  }

  fn catch_up_in(&self, running: &mut Running, deadline: Deadline) -> Result<bool, Finalized> {
    let Running {
      hasher,
      front_hashed,
    } = running;
    // Only the holder of `running` pops, so the front stays put while it is hashed unlocked.
    loop {
      // A statement of its own: the guard must not live through the loop's body.
      let front = self.pending().front().cloned();
      let Some(chunk) = front else { break };
      // Looked for only now: a task whose chunk a finished digest already took is done, not
      // refused (it saw its chunk pending, then the digest caught up before it got the lock).
      let hasher = hasher.as_mut().ok_or(Finalized)?;
      let skipped = *front_hashed == 0 && chunk.hashed.swap(true, Ordering::Relaxed);
      let end = if skipped {
        chunk.data.len()
      } else {
        let end = chunk.data.len().min(*front_hashed + STEP_BYTES);
        hasher.update(&chunk.data[*front_hashed..end]);
        end
      };
      *front_hashed = end;
      let mut pending = self.pending();
      if end == chunk.data.len() {
        pending.pop_front();
        *front_hashed = 0;
      }
      if skipped {
        continue;
      }
      if !pending.is_empty() && deadline.has_passed() {
        return Ok(false);
      }
    }
    Ok(true)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn queued_and_direct_chunks_hash_in_the_order_given() {
    let state = Incremental::<Vec<u8>>::default();
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
    let state = Incremental::<Vec<u8>>::default();
    let chunk = Chunk::new(b"once".to_vec());
    state.queue(Arc::clone(&chunk)).unwrap();
    assert_eq!(state.catch_up_by(Deadline::NEVER), Ok(true));
    // A second queue entry for the same chunk (a racing task) is skipped.
    state.queue(chunk).unwrap();
    let expected: Digest = Sha256::digest(b"once").into();
    assert_eq!(state.finish(), Ok(expected));
  }

  #[test]
  fn a_catch_up_paused_inside_a_chunk_goes_on_from_there() {
    let state = Incremental::<Vec<u8>>::default();
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
  fn a_task_whose_chunk_the_digest_took_is_done_not_refused() {
    let state = Incremental::<Vec<u8>>::default();
    state
      .queue(Chunk::new(b"taken by the digest".to_vec()))
      .unwrap();
    let expected: Digest = Sha256::digest(b"taken by the digest").into();
    assert_eq!(state.finish(), Ok(expected));
    assert_eq!(state.catch_up_by(Deadline::NEVER), Ok(true));
  }

  #[test]
  fn a_finished_hasher_refuses_everything() {
    let state = Incremental::<Vec<u8>>::default();
    state.finish().unwrap();
    assert_eq!(state.update(b"x"), Err(Finalized));
    assert!(state.queue(Chunk::new(Vec::new())).is_err());
    assert_eq!(state.finish(), Err(Finalized));
  }

  /// Bytes whose first read waits until released: a hash caught in the middle of a chunk.
  struct Gate {
    bytes: Vec<u8>,
    entered: std::sync::mpsc::SyncSender<()>,
    release: Mutex<std::sync::mpsc::Receiver<()>>,
    opened: AtomicBool,
  }

  impl Deref for Gate {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
      if !self.opened.swap(true, Ordering::SeqCst) {
        self.entered.send(()).unwrap();
        self.release.lock().unwrap().recv().unwrap();
      }
      &self.bytes
    }
  }

  #[test]
  fn queuing_never_waits_for_a_slice_of_hashing_in_progress() {
    use std::sync::mpsc::sync_channel;
    use std::time::Duration;

    let (entered, is_entered) = sync_channel(1);
    let (release, released) = sync_channel(1);
    let gate = Gate {
      bytes: b"first".to_vec(),
      entered,
      release: Mutex::new(released),
      opened: AtomicBool::new(false),
    };
    let state = Arc::new(Incremental::default());
    state.queue(Chunk::new(gate)).unwrap();
    let hashing = {
      let state = Arc::clone(&state);
      std::thread::spawn(move || state.catch_up_by(Deadline::NEVER))
    };
    // A pool thread is now inside a slice, holding the hash.
    is_entered.recv().unwrap();
    let (queued, is_queued) = sync_channel(1);
    let queuing = {
      let state = Arc::clone(&state);
      std::thread::spawn(move || {
        let second = Gate {
          bytes: b" second".to_vec(),
          entered: sync_channel(1).0,
          release: Mutex::new(sync_channel(1).1),
          opened: AtomicBool::new(true),
        };
        state.queue(Chunk::new(second)).unwrap();
        queued.send(()).unwrap();
      })
    };
    // Generous: the call takes microseconds; before the split locks it waited for the slice,
    // which here never ends until released, so this timed out.
    let waited = is_queued.recv_timeout(Duration::from_secs(10));
    release.send(()).unwrap();
    assert_eq!(waited, Ok(()), "queue() waited for the slice in progress");
    queuing.join().unwrap();
    assert_eq!(hashing.join().unwrap(), Ok(true));
    let expected: Digest = Sha256::digest(b"first second").into();
    assert_eq!(state.finish(), Ok(expected));
  }
}
