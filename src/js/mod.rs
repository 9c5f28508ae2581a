//! The exported functions, and the one way every call runs: its job split into parts, each a
//! napi `Task` on libuv's pool (or, for a `…Sync` twin, run in turn right here), settled once
//! on the JavaScript thread when the last part is done.

/// Declares the blocking `…Sync` twin of an async function: it reads its arguments with the
/// same reader into the same [`Call`], and runs it on the calling thread.
macro_rules! sync_twin {
  (
    $(js_name = $js:literal;)?
    fn $sync:ident ($($arg:ident),*) => $read:ident($($extra:expr),*);
    ts $(<$generics:literal>)? ($args:literal) -> $returns:literal;
  ) => {
    /// The blocking twin: same arguments; returns what the async function resolves to and
    /// throws what it rejects with. It blocks the event loop: for scripts and CLIs, or for
    /// work shorter than the ~30 µs round trip through the pool.
    #[napi_derive::napi(
      catch_unwind,
      $(js_name = $js,)?
      $(ts_generic_types = $generics,)?
      ts_args_type = $args,
      ts_return_type = $returns
    )]
    pub fn $sync<'env>(
      env: &'env napi::Env,
      $($arg: napi::bindgen_prelude::Unknown,)*
      options: Option<napi::bindgen_prelude::Unknown>,
    ) -> napi::Result<napi::bindgen_prelude::Unknown<'env>> {
      $read(env, $($arg,)* options, $($extra),*).run_sync(env)
    }
  };
}

mod abort;
#[cfg(feature = "fault-injection")]
mod fault;
mod formats;
mod hash;
mod hasher;
mod live;
mod progress;
mod qr;

use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{sys, Env, JsValue, Task};

use self::abort::AbortWatch;
use self::progress::Progress;
use crate::cancel::CancelToken;
use crate::error::{napi_error_value, throw, ErrorKind, Failure, Refusal};
use crate::input::Options;

/// The pure work behind one call. `run` may execute on any thread and must not touch JS.
pub trait Job: Send + Sync + 'static {
  /// What one part produces.
  type Part: Send + 'static;

  /// Parts that can run at the same time on different pool threads.
  fn parts(&self) -> usize {
    1
  }

  /// Units of `onProgress` in the whole job, when known before it runs.
  fn progress_total(&self) -> Option<u64> {
    None
  }

  fn run(
    &self,
    part: usize,
    cancel: &CancelToken,
    progress: &Progress,
  ) -> Result<Self::Part, Failure>;

  /// On the JavaScript thread, with every part's output in order: the call's result.
  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Self::Part>) -> napi::Result<Unknown<'env>>;
}

/// Makes a call's result from its job and every part's output: [`Job::to_js`], or another way
/// for a sync call that hands its result over differently.
pub trait ToJs<J: Job>:
  for<'env> FnOnce(&J, &'env Env, Vec<J::Part>) -> napi::Result<Unknown<'env>>
{
}

impl<J: Job, F> ToJs<J> for F where
  F: for<'env> FnOnce(&J, &'env Env, Vec<J::Part>) -> napi::Result<Unknown<'env>>
{
}

/// Runs qrhash's own code for a call: reading its arguments, a part of its job, making its
/// result. A panic there becomes an `ERR_QRHASH_INTERNAL` failure, because unwinding out of
/// libuv's `execute` callback or a napi call would abort Node. (Every `#[napi]` function also
/// has napi-rs's `catch_unwind` as a last net for the glue around these.)
fn unpanicked<T>(work: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
  // Unwind-safe in effect: after a panic nothing the work touched is read, only the failure.
  panic::catch_unwind(AssertUnwindSafe(work))
    .unwrap_or_else(|panic| Err(Failure::internal(&*panic)))
}

/// What a call carries besides its job: one cancel token that the caller's signal, a throwing
/// `onProgress` and a failing part all fire, and the JS-side watchers to release at the end.
struct Context {
  cancel: CancelToken,
  progress: Progress,
  abort: Mutex<Option<AbortWatch>>,
}

impl Context {
  /// The error to reject or throw with: what `onProgress` threw, else the failure (an abort
  /// carries the signal's reason as its cause).
  fn error<'env>(&self, env: &'env Env, failure: Failure) -> Unknown<'env> {
    if let Some(thrown) = self.thrown(env) {
      return thrown;
    }
    let abort = self.abort.lock().expect("abort watch lock");
    let reason = abort.as_ref().and_then(|watch| watch.reason(env));
    failure.to_value(env, reason)
  }

  /// What `onProgress` threw, if it threw.
  fn thrown<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
    let thrown = self.progress.take_thrown()?;
    Some(
      thrown
        .value(env)
        .unwrap_or_else(|error| napi_error_value(env, error)),
    )
  }

  fn release(&self, env: &Env) {
    if let Some(watch) = self.abort.lock().expect("abort watch lock").take() {
      watch.release(env);
    }
  }

  fn run_part<J: Job>(&self, job: &J, part: usize) -> Result<J::Part, Failure> {
    self.cancel.check()?;
    unpanicked(|| job.run(part, &self.cancel, &self.progress))
  }

  /// Every part's output, or the failure that matters: a part's own failure before the
  /// aborts it caused in the others.
  fn collect<P>(results: impl IntoIterator<Item = Result<P, Failure>>) -> Result<Vec<P>, Failure> {
    let mut parts = Vec::new();
    let mut aborted = None;
    for result in results {
      match result {
        Ok(part) => parts.push(part),
        Err(failure) if failure.kind == ErrorKind::Abort => aborted = Some(failure),
        Err(failure) => return Err(failure),
      }
    }
    aborted.map_or(Ok(parts), Err)
  }

  /// The call's result, or the error to reject or throw with, as JavaScript values.
  fn settle<'env, J: Job>(
    &self,
    env: &'env Env,
    job: &J,
    outcome: Result<Vec<J::Part>, Failure>,
    to_js: impl ToJs<J>,
  ) -> Result<Unknown<'env>, Unknown<'env>> {
    // Cancelled after the work finished but before the promise settled (an abort or
    // cancelAll() while the result waited for the JavaScript thread): still an AbortError.
    let outcome =
      outcome.and_then(|parts| self.cancel.check().map(|()| parts).map_err(Failure::from));
    let value = match outcome {
      Ok(parts) => {
        self.progress.finish(env);
        match self.thrown(env) {
          Some(thrown) => Err(thrown),
          None => match unpanicked(|| Ok(to_js(job, env, parts))) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(napi_error_value(env, error)),
            Err(failure) => Err(failure.to_value(env, None)),
          },
        }
      }
      Err(failure) => Err(self.error(env, failure)),
    };
    self.release(env);
    value
  }
}

/// A call whose arguments have been read: the job, or why its arguments were refused.
pub struct Call<J: Job> {
  job: Result<J, Refusal>,
  context: Context,
}

impl<J: Job> Call<J> {
  /// Reads `options` (refusing keys not in `known`; watching `signal` and `onProgress`), then
  /// `build`s the job; the first failure becomes the call's refusal. Runs on the JavaScript
  /// thread, so an exception thrown meanwhile by the caller's code is taken here, not left
  /// pending.
  pub fn read(
    env: &Env,
    options: Option<Unknown>,
    known: &[&str],
    build: impl FnOnce(&Options) -> Result<J, Failure>,
  ) -> Self {
    let cancel = CancelToken::default();
    let mut abort = None;
    let mut progress = Progress::none();
    let job = Options::read(options, "options", known).and_then(|options| {
      abort = AbortWatch::watch(env, options.get("signal")?, "options.signal", &cancel)?;
      let job = unpanicked(|| build(&options))?;
      progress = Progress::watch(
        env,
        options.get("onProgress")?,
        "options.onProgress",
        cancel.clone(),
      )?;
      if let Some(total) = job.progress_total() {
        progress.set_total(total);
      }
      Ok(job)
    });
    Self {
      job: job.map_err(|failure| Refusal::new(env, failure)),
      context: Context {
        cancel,
        progress,
        abort: Mutex::new(abort),
      },
    }
  }

  /// Runs every part on the calling thread and throws what the async twin would reject with.
  pub fn run_sync(self, env: &Env) -> napi::Result<Unknown<'_>> {
    self.run_sync_to(env, J::to_js)
  }

  /// As [`run_sync`](Self::run_sync), with the result made by `to_js` instead of the job's own.
  pub fn run_sync_to(self, env: &Env, to_js: impl ToJs<J>) -> napi::Result<Unknown<'_>> {
    let job = match self.job {
      Ok(job) => job,
      Err(refusal) => {
        self.context.release(env);
        return Err(throw(env, refusal.to_value(env)));
      }
    };
    let outcome = Context::collect((0..job.parts()).map(|part| self.context.run_part(&job, part)));
    self
      .context
      .settle(env, &job, outcome, to_js)
      .map_err(|error| throw(env, error))
  }

  /// Queues every part on libuv's pool; the promise settles when the last one is done. A
  /// refused call rejects at once, without visiting the pool.
  pub fn spawn(self, env: &Env) -> napi::Result<PromiseRaw<'_, Unknown<'static>>> {
    let (deferred, promise) = Deferred::new(env)?;
    match self.job {
      Err(refusal) => {
        self.context.release(env);
        deferred.settle(env, Err(refusal.to_value(env)));
      }
      Ok(job) => {
        let parts = job.parts();
        let shared = Arc::new(Fanout {
          _live: live::enter(env, &self.context.cancel),
          results: Mutex::new((0..parts).map(|_| None).collect()),
          remaining: AtomicUsize::new(parts),
          deferred: Mutex::new(Some(deferred)),
          job,
          context: self.context,
        });
        for part in 0..parts {
          env.spawn(PartTask {
            shared: Arc::clone(&shared),
            part,
          })?;
        }
      }
    }
    Ok(promise)
  }
}

type PartResult<J> = Result<<J as Job>::Part, Failure>;

/// One async call's parts in flight.
struct Fanout<J: Job> {
  job: J,
  context: Context,
  /// Each part's result, filled in as the parts finish.
  results: Mutex<Vec<Option<PartResult<J>>>>,
  remaining: AtomicUsize,
  deferred: Mutex<Option<Deferred>>,
  /// Cancels the parts if the environment exits first; leaves the registry when dropped.
  _live: live::Entry,
}

/// One part as a napi `Task`: `compute` on a pool thread; `finally` on the JavaScript thread,
/// where the last part to finish settles the call's promise.
struct PartTask<J: Job> {
  shared: Arc<Fanout<J>>,
  part: usize,
}

impl<J: Job> Task for PartTask<J> {
  type Output = ();
  type JsValue = ();

  fn compute(&mut self) -> napi::Result<()> {
    let shared = &self.shared;
    let result = shared.context.run_part(&shared.job, self.part);
    if matches!(&result, Err(failure) if failure.kind != ErrorKind::Abort) {
      shared.context.cancel.cancel(); // the other parts need not finish
    }
    shared.results.lock().expect("results lock")[self.part] = Some(result);
    Ok(())
  }

  fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
    Ok(())
  }

  fn finally(self, env: Env) -> napi::Result<()> {
    let shared = &self.shared;
    if shared.remaining.fetch_sub(1, Ordering::AcqRel) != 1 {
      return Ok(());
    }
    let results = std::mem::take(&mut *shared.results.lock().expect("results lock"));
    let outcome = Context::collect(
      results
        .into_iter()
        .map(|result| result.expect("every part has finished")),
    );
    let value = shared.context.settle(&env, &shared.job, outcome, J::to_js);
    if let Some(deferred) = shared.deferred.lock().expect("deferred lock").take() {
      deferred.settle(&env, value);
    }
    Ok(())
  }
}

/// The resolving end of a promise made with `napi_create_promise`; used once, on the
/// JavaScript thread.
struct Deferred(sys::napi_deferred);

// SAFETY: the handle is only ever used on the JavaScript thread that made it (in `finally` or
// in the call itself); it merely travels through pool threads inside a task.
unsafe impl Send for Deferred {}

impl Deferred {
  fn new<T>(env: &Env) -> napi::Result<(Self, PromiseRaw<'_, T>)> {
    let (mut deferred, mut promise) = (ptr::null_mut(), ptr::null_mut());
    napi::check_status!(unsafe {
      sys::napi_create_promise(env.raw(), &mut deferred, &mut promise)
    })?;
    Ok((Self(deferred), PromiseRaw::new(env.raw(), promise)))
  }

  fn settle(self, env: &Env, outcome: Result<Unknown, Unknown>) {
    // SAFETY: `self.0` came from `napi_create_promise` on this environment and is used once.
    unsafe {
      match outcome {
        Ok(value) => sys::napi_resolve_deferred(env.raw(), self.0, value.raw()),
        Err(error) => sys::napi_reject_deferred(env.raw(), self.0, error.raw()),
      };
    }
  }
}

/// A new Buffer holding a copy of `bytes`, in V8's heap: for small results a copy is cheaper to
/// make and collect than an external buffer with a finalizer.
fn buffer_copy<'env>(env: &'env Env, bytes: &[u8]) -> napi::Result<Unknown<'env>> {
  let mut value = ptr::null_mut();
  // No `result_data`: under WASI asking for it would make emnapi mirror the copy in wasm memory.
  napi::check_status!(unsafe {
    sys::napi_create_buffer_copy(
      env.raw(),
      bytes.len(),
      bytes.as_ptr().cast(),
      ptr::null_mut(),
      &mut value,
    )
  })?;
  Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
}

/// A Buffer holding `bytes`: natively the memory itself, handed over with no copy. Under WASI a
/// copy, because emnapi would make a view of wasm memory, freed when that one Buffer is
/// collected even while views made from it (`subarray()`, `.buffer`) still read and write it.
fn buffer_of(env: &Env, bytes: Vec<u8>) -> napi::Result<Unknown<'_>> {
  #[cfg(not(target_family = "wasm"))]
  return napi::bindgen_prelude::ToNapiValue::into_unknown(
    napi::bindgen_prelude::Buffer::from(bytes),
    env,
  );
  #[cfg(target_family = "wasm")]
  return buffer_copy(env, &bytes);
}

/// Threads in libuv's pool, as libuv reads `UV_THREADPOOL_SIZE` (1‥=1024, default 4).
fn pool_threads() -> usize {
  std::env::var("UV_THREADPOOL_SIZE")
    .ok()
    .and_then(|size| size.trim().parse::<usize>().ok())
    .filter(|&size| size > 0)
    .map_or(4, |size| size.min(1024))
}

/// `0‥total` cut into contiguous ranges, one per pool thread, but none (except a lone one)
/// smaller than `min_per_part`: small jobs are not worth spreading.
pub fn split(total: usize, min_per_part: usize) -> Vec<std::ops::Range<usize>> {
  let parts = (total / min_per_part.max(1)).clamp(1, pool_threads());
  (0..parts)
    .map(|part| total * part / parts..total * (part + 1) / parts)
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn split_covers_everything_once_in_order() {
    for (total, min) in [
      (0, 1),
      (1, 1),
      (10, 1),
      (1000, 7),
      (1 << 20, 4096),
      (5, 100),
    ] {
      let ranges = split(total, min);
      assert!(!ranges.is_empty() && ranges.len() <= pool_threads());
      assert_eq!(ranges.first().unwrap().start, 0);
      assert_eq!(ranges.last().unwrap().end, total);
      assert!(ranges.windows(2).all(|pair| pair[0].end == pair[1].start));
      if ranges.len() > 1 {
        assert!(
          ranges.iter().all(|range| range.len() >= min),
          "{total} by {min}: {ranges:?}"
        );
      }
    }
  }
}
