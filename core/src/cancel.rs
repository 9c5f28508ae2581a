//! Cooperative cancellation shared between the JavaScript thread and a pool thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set once from the JavaScript thread (an `AbortSignal` fired) and polled by long work between
/// chunks; it never goes back to "not cancelled".
#[derive(Clone, Default, Debug)]
pub struct CancelToken(Arc<AtomicBool>);

/// The work stopped because its token was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl CancelToken {
  pub fn cancel(&self) {
    // Relaxed is enough: the flag carries no data, and a late read only costs one more chunk.
    self.0.store(true, Ordering::Relaxed);
  }

  pub fn is_cancelled(&self) -> bool {
    self.0.load(Ordering::Relaxed)
  }

  pub fn check(&self) -> Result<(), Cancelled> {
    if self.is_cancelled() {
      Err(Cancelled)
    } else {
      Ok(())
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_clone_sees_the_cancellation() {
    let token = CancelToken::default();
    let seen_by_worker = token.clone();
    assert_eq!(seen_by_worker.check(), Ok(()));
    token.cancel();
    assert_eq!(seen_by_worker.check(), Err(Cancelled));
  }
}
