//! The exported functions, and the one way every call runs: its job split into parts, each run
//! in slices, one napi `Task` on libuv's pool per slice as [`pool`] allows (or, for a `…Sync`
//! twin, run in turn right here, each to its end), settled once on the JavaScript thread when
//! the last part is done.

/// Declares an async export and its blocking `…Sync` twin, both made by one reader of their
/// arguments into one [`Call`]: the export spawns it on libuv's pool and returns its promise,
/// the twin runs it on the calling thread. Called through `qrhash_macros::export_with_sync_twin!`,
/// which keeps doc comments in the form napi-derive reads: the one given documents the export
/// in `binding.d.ts`; the twin's says what a twin is. JavaScript names come from the Rust ones
/// unless `js_names` gives both. The TypeScript result is given for each (an attribute cannot
/// be built with `concat!`): the promise's, then the twin's.
macro_rules! export_with_sync_twin_rules {
  (
    $(#[doc = $doc:literal])*
    $(js_names = $js:literal, $js_sync:literal;)?
    fn $name:ident, $sync:ident ($($arg:ident),*) => $read:ident($($extra:expr),*);
    ts $(<$generics:literal>)? ($args:literal) -> $promise:literal, $returns:literal;
  ) => {
    $(#[doc = $doc])*
    #[napi_derive::napi(
      catch_unwind,
      $(js_name = $js,)?
      $(ts_generic_types = $generics,)?
      ts_args_type = $args,
      ts_return_type = $promise
    )]
    pub fn $name<'env>(
      env: &'env napi::Env,
      $($arg: napi::bindgen_prelude::Unknown,)*
      options: Option<napi::bindgen_prelude::Unknown>,
    ) -> napi::Result<napi::bindgen_prelude::PromiseRaw<'env, napi::bindgen_prelude::Unknown<'static>>> {
      $read(env, $($arg,)* options, $($extra),*).spawn(env)
    }

    /// The blocking twin: same arguments; returns what the async function resolves to and
    /// throws what it rejects with. It blocks the event loop: for scripts and CLIs, or for
    /// work shorter than the ~30 µs round trip through the pool.
    #[napi_derive::napi(
      catch_unwind,
      $(js_name = $js_sync,)?
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
mod colours;
#[cfg(feature = "fault-injection")]
mod fault;
mod formats;
mod hash;
mod hasher;
mod live;
mod partition;
mod pool;
mod progress;
mod qr;

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{Env, JsValue};

use self::abort::AbortWatch;
use self::progress::Progress;
use crate::cancel::{CancelToken, Cancelled};
use crate::error::{napi_error_value, throw, ErrorKind, Failure, Refusal};
use crate::input::{Options, Pinning};
use crate::napi_raw::{buffer_copy, Deferred};
use crate::slice::{Deadline, Step};

/// What one slice of a part runs with.
pub struct Slice<'a> {
  /// Fired by the caller's signal, `cancelAll()`, a throwing `onProgress` or a failed part.
  pub cancel: &'a CancelToken,
  pub progress: &'a Progress,
  /// When to pause: [`pool::SLICE`] from the start on the pool, never in a sync call.
  pub deadline: Deadline,
}

/// A part that runs to its end in one slice has nothing to keep between slices (only the
/// fault-injection job is such a part now).
#[cfg(feature = "fault-injection")]
pub enum Never {}

/// The pure work behind one call. `run` may execute on any thread and must not touch JS.
pub trait Job: Send + Sync + 'static {
  /// What one part produces.
  type Part: Send + 'static;

  /// What a part keeps between two slices (`Never` for a part that never pauses).
  type Paused: Send + 'static;

  /// Parts that can run at the same time on different pool threads.
  fn parts(&self) -> usize {
    1
  }

  /// Units of `onProgress` in the whole job, when known before it runs.
  fn progress_total(&self) -> Option<u64> {
    None
  }

  /// Runs `part` from its start (`from` is `None`) or from where it paused, until it is done
  /// or `slice.deadline` passes. Each slice must get further than the last.
  fn run(
    &self,
    part: usize,
    from: Option<Self::Paused>,
    slice: &Slice,
  ) -> Result<Step<Self::Paused, Self::Part>, Failure>;

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

  /// One slice of a part.
  fn run_slice<J: Job>(
    &self,
    job: &J,
    part: usize,
    from: Option<J::Paused>,
    deadline: Deadline,
  ) -> Result<Step<J::Paused, J::Part>, Failure> {
    self.cancel.check()?;
    let slice = Slice {
      cancel: &self.cancel,
      progress: &self.progress,
      deadline,
    };
    unpanicked(|| job.run(part, from, &slice))
  }

  /// A whole part, on this thread.
  fn run_part<J: Job>(&self, job: &J, part: usize) -> Result<J::Part, Failure> {
    let mut from = None;
    loop {
      match self.run_slice(job, part, from, Deadline::NEVER)? {
        Step::Paused(paused) => from = Some(paused),
        Step::Done(done) => return Ok(done),
      }
    }
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
    // cancelAll() while the result waited for the JavaScript thread, or from the final
    // `onProgress`, which also cancels by throwing): still an AbortError, or what it threw.
    let not_cancelled = |parts| self.cancel.check().map(|()| parts).map_err(Failure::from);
    let outcome = outcome.and_then(not_cancelled).and_then(|parts| {
      self.progress.finish(env);
      not_cancelled(parts)
    });
    let value = match outcome {
      Ok(parts) => match unpanicked(|| Ok(to_js(job, env, parts))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(napi_error_value(env, error)),
        Err(failure) => Err(failure.to_value(env, None)),
      },
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
  /// Reads the call's arguments in the two phases of [`crate::input`]. Phase 1: `options`
  /// (refusing keys not in `known`; watching `signal`), what `read` reads, then `onProgress`.
  /// Phase 2: what `read` returned pins its views and builds the job. The first failure
  /// becomes the call's refusal. Runs on the JavaScript thread, so an exception thrown
  /// meanwhile by the caller's code is taken here, not left pending.
  pub fn read<'env, Pin>(
    env: &'env Env,
    options: Option<Unknown<'env>>,
    known: &[&str],
    read: impl FnOnce(&Options<'env, '_>) -> Result<Pin, Failure>,
  ) -> Self
  where
    Pin: FnOnce(&Pinning) -> Result<J, Failure>,
  {
    let cancel = CancelToken::default();
    let mut abort = None;
    let mut progress = Progress::none();
    let job = Options::read(options, "options", known).and_then(|options| {
      abort = AbortWatch::watch(env, options.get("signal")?, "options.signal", &cancel)?;
      let pin = unpanicked(|| read(&options))?;
      progress = Progress::watch(
        env,
        options.get("onProgress")?,
        "options.onProgress",
        cancel.clone(),
      )?;
      // SAFETY: every argument and option has been read and both watchers are set up; from
      // here a sync call runs its job and returns, an async one queues it, and JavaScript
      // runs again only in `settle` (a final `onProgress`, the result), after the work.
      let pinning = unsafe { Pinning::new(env) };
      let job = unpanicked(|| pin(&pinning))?;
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

  /// Queues every part for libuv's pool; the promise settles when the last one is done. A
  /// refused call rejects at once, without visiting the pool.
  pub fn spawn(self, env: &Env) -> napi::Result<PromiseRaw<'_, Unknown<'static>>> {
    let (deferred, promise) = Deferred::new(env)?;
    let promise = PromiseRaw::new(env.raw(), promise.raw());
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
          let task = PartTask {
            shared: Arc::clone(&shared),
            part,
            paused: None,
            result: None,
          };
          pool::enqueue(env, Box::new(task));
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

impl<J: Job> Fanout<J> {
  /// Part `part` is over with `result`: the last part to finish settles the call's promise.
  fn part_done(&self, env: &Env, part: usize, result: PartResult<J>) {
    if matches!(&result, Err(failure) if failure.kind != ErrorKind::Abort) {
      self.context.cancel.cancel(); // the other parts need not finish
      pool::purge(env);
    }
    self.results.lock().expect("results lock")[part] = Some(result);
    if self.remaining.fetch_sub(1, Ordering::AcqRel) != 1 {
      return;
    }
    let results = std::mem::take(&mut *self.results.lock().expect("results lock"));
    let outcome = Context::collect(
      results
        .into_iter()
        .map(|result| result.expect("every part has finished")),
    );
    let value = self.context.settle(env, &self.job, outcome, J::to_js);
    if let Some(deferred) = self.deferred.lock().expect("deferred lock").take() {
      deferred.settle(env, value);
    }
  }
}

/// One part of an async call as [`pool`] runs it: a slice at a time on pool threads, keeping
/// where it paused; finished on the JavaScript thread, where the last part settles the call.
struct PartTask<J: Job> {
  shared: Arc<Fanout<J>>,
  part: usize,
  paused: Option<J::Paused>,
  result: Option<PartResult<J>>,
}

impl<J: Job> pool::Part for PartTask<J> {
  fn is_cancelled(&self) -> bool {
    self.shared.context.cancel.is_cancelled()
  }

  fn run(&mut self, deadline: Deadline) -> bool {
    let (job, context) = (&self.shared.job, &self.shared.context);
    match context.run_slice(job, self.part, self.paused.take(), deadline) {
      Ok(Step::Paused(paused)) => {
        self.paused = Some(paused);
        return true;
      }
      Ok(Step::Done(done)) => self.result = Some(Ok(done)),
      Err(failure) => {
        if failure.kind != ErrorKind::Abort {
          context.cancel.cancel(); // the other parts need not finish
        }
        self.result = Some(Err(failure));
      }
    }
    false
  }

  fn finish(self: Box<Self>, env: &Env) {
    // No result: dropped from the queue, or paused, when its call was cancelled.
    let result = self.result.unwrap_or_else(|| Err(Cancelled.into()));
    self.shared.part_done(env, self.part, result);
  }
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
