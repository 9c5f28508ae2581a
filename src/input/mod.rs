//! JavaScript values → Rust: the one place that knows which JS types each argument accepts,
//! and the only JS → Rust conversion in the crate.
//!
//! # The invariant: arguments are read in two phases
//!
//! **Phase 1** reads every argument, option and array element. All of the caller's code that
//! reading can run — getters, Proxy traps, `valueOf`, `Symbol.toPrimitive`, an `AbortSignal`'s
//! methods — runs here, and may do anything, including transferring or resizing a buffer read
//! earlier. So phase 1 yields only owned values (numbers, strings, copies) and handles to views
//! ([`PendingBytes`], [`PendingWritable`], [`Lent`]), never a pointer into JavaScript memory.
//!
//! **Phase 2** starts once nothing is left to read and every watcher (`signal`, `onProgress`) is
//! set up: it needs a [`Pinning`], whose making is `unsafe` because its caller promises that no
//! JavaScript runs from then until a synchronous call returns or an asynchronous one is handed
//! to libuv's pool. Only with it does a view yield its memory, after checking again that its
//! buffer is still attached and as long as phase 1 saw it; jobs are built from such pinned
//! values. (Once an asynchronous call has returned, its buffers are held by napi references;
//! that the caller does not transfer them while the promise is pending is the documented rule.)
//!
//! Binary arguments are never copied natively: every kind of view or buffer becomes a
//! `Uint8Array` over the same memory. Whether a buffer's length can change is decided in one
//! place, `views::byte_view`, by JavaScript's own getters captured when the module loaded
//! (`intrinsics`), never by a property or global the caller could have replaced.

mod describe;
mod handles;
mod intrinsics;
mod options;
mod scalars;
mod views;

use napi::Env;

pub use self::describe::{describe, js_number, quote};
pub use self::handles::{abort_signal, callback, AbortSignalRead, Held};
pub use self::options::{is_plain_object, Options};
pub use self::scalars::{array, array_len, parsed, path, utf16_len, whole_number, FlagOr};
pub use self::views::{
  bytes, bytes_among, in_place, lend_bytes, lend_output, overlap, with_bytes, writable, Bytes,
  PendingBytes, PendingWritable, Seen, Writable, Writes, DATA_TYPES,
};

/// Phase 2's permit to take pointers into JavaScript memory (see the module's invariant).
pub struct Pinning<'env> {
  env: &'env Env,
}

impl<'env> Pinning<'env> {
  /// Starts phase 2 of the call being served on `env`.
  ///
  /// # Safety
  /// Every argument, option and element of the call has been read, and no JavaScript runs from
  /// now until the call returns (synchronous) or has handed its work to the pool
  /// (asynchronous), except after the work is done and no pinned memory is read any more.
  pub unsafe fn new(env: &'env Env) -> Self {
    Self { env }
  }

  fn env(&self) -> &'env Env {
    self.env
  }
}

/// Phase 2 for a job that holds no view: it is ready as read.
pub fn ready<J>(job: J) -> impl FnOnce(&Pinning) -> Result<J, crate::error::Failure> {
  move |_| Ok(job)
}
