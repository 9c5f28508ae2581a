//! Slices: long work gives its thread back every couple of milliseconds and is continued
//! later from what it kept, so that work queued behind it on a shared pool waits at most about
//! one slice. Each resumable piece of work takes itself by value and returns [`Step`]: paused,
//! with what it needs to go on, or done.

use std::time::{Duration, Instant};

/// When a slice should end. Work looks at it between steps of a fraction of a millisecond, so
/// a slice overruns its deadline by at most one step.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Option<Instant>);

impl Deadline {
  /// No end: the work runs to completion (a synchronous call, a test).
  pub const NEVER: Self = Self(None);

  /// `length` from now.
  pub fn after(length: Duration) -> Self {
    Self(Some(Instant::now() + length))
  }

  pub fn has_passed(&self) -> bool {
    self.0.is_some_and(|end| Instant::now() >= end)
  }

  /// How long a wait may block before looking again, in milliseconds: `longest`, or what is
  /// left of the slice (at least 1).
  pub fn poll_ms(&self, longest: u16) -> u16 {
    match self.0 {
      None => longest,
      Some(end) => {
        let left = end.saturating_duration_since(Instant::now()).as_millis();
        left.clamp(1, longest.into()) as u16
      }
    }
  }
}

/// Where a resumable piece of work stands at the end of a slice.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<Paused, Done> {
  /// The deadline passed: go on later from this.
  Paused(Paused),
  Done(Done),
}

impl<Paused, Done> Step<Paused, Done> {
  /// The result of work run with [`Deadline::NEVER`], which never pauses.
  pub fn finished(self) -> Done {
    match self {
      Step::Done(done) => done,
      Step::Paused(_) => unreachable!("work with no deadline ran to its end"),
    }
  }

  pub fn map_paused<P>(self, map: impl FnOnce(Paused) -> P) -> Step<P, Done> {
    match self {
      Step::Paused(paused) => Step::Paused(map(paused)),
      Step::Done(done) => Step::Done(done),
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_deadline_passes_and_never_does_not() {
    assert!(!Deadline::NEVER.has_passed());
    assert!(!Deadline::after(Duration::from_secs(60)).has_passed());
    assert!(Deadline::after(Duration::ZERO).has_passed());
  }

  #[test]
  fn a_wait_blocks_at_most_what_is_left_of_the_slice() {
    assert_eq!(Deadline::NEVER.poll_ms(10), 10);
    assert_eq!(Deadline::after(Duration::ZERO).poll_ms(10), 1);
    assert_eq!(Deadline::after(Duration::from_secs(60)).poll_ms(10), 10);
    assert!(Deadline::after(Duration::from_millis(2)).poll_ms(10) <= 2);
  }
}
