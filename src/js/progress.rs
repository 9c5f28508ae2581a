//! `onProgress(done, total)`: counted on pool threads, delivered on the JavaScript thread at
//! most ten times a second through a threadsafe function, and once more at the end.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use napi::bindgen_prelude::{FnArgs, FunctionRef, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status};

use crate::cancel::CancelToken;
use crate::error::{take_pending_exception, Failure};
use crate::input::{self, Held};
use crate::napi_raw;

/// Milliseconds between two reports while work runs.
const INTERVAL_MS: u64 = 100;
/// `total` while it is not known (a FIFO, a device): reported as `NaN` until the end.
const UNKNOWN_TOTAL: u64 = u64::MAX;

type Callback = FunctionRef<FnArgs<(f64, f64)>, Unknown<'static>>;
/// Queues a count for delivery on the JavaScript thread; weak, so it never keeps Node alive.
type Relay = ThreadsafeFunction<f64, (), f64, Status, false, true>;

/// A caller's `onProgress`, or nothing. [`Progress::add`] may be called from any thread.
pub struct Progress(Option<Watched>);

struct Watched {
  shared: Arc<Shared>,
  relay: Relay,
}

/// What pool threads and the JavaScript thread share.
struct Shared {
  callback: Callback,
  done: AtomicU64,
  total: AtomicU64,
  started: Instant,
  /// Milliseconds after `started` of the last report queued. Reports are queued under this
  /// lock, so they arrive in the order their counts were read.
  last_queued_ms: Mutex<u64>,
  /// Set by the final delivery; reports still queued after it are dropped.
  finished: AtomicBool,
  /// What the callback threw: the work is cancelled and the call rejects with it.
  thrown: Mutex<Option<Held>>,
  cancel: CancelToken,
}

impl Progress {
  /// No callback: counting costs nothing.
  pub fn none() -> Self {
    Self(None)
  }

  /// Watches `value`, the `onProgress` option, when present. `cancel` fires if it throws.
  pub fn watch(
    env: &Env,
    value: Option<Unknown>,
    argument: &str,
    cancel: CancelToken,
  ) -> Result<Self, Failure> {
    let Some(value) = value else {
      return Ok(Self::none());
    };
    let callback = input::callback(&value, argument)?;
    let broken = |_| {
      Failure::wrong_type(
        argument,
        "a function",
        "a function that could not be wrapped",
      )
    };
    let shared = Arc::new(Shared::new(callback.create_ref().map_err(broken)?, cancel));
    let on_js_thread = Arc::clone(&shared);
    let relay = env
      .create_function_from_closure::<f64, (), _>("qrhashProgress", move |context| {
        on_js_thread.deliver(context.env, context.get::<f64>(0)? as u64, false);
        Ok(())
      })
      .and_then(|relay| {
        relay
          .build_threadsafe_function::<f64>()
          .callee_handled::<false>()
          .weak::<true>()
          .build()
      })
      .map_err(broken)?;
    Ok(Self(Some(Watched { shared, relay })))
  }

  pub fn set_total(&self, total: u64) {
    if let Some(watched) = &self.0 {
      watched.shared.total.store(total, Ordering::Relaxed);
    }
  }

  /// The total cannot be known before the work ends (a FIFO, `/dev/zero`): reports say `NaN`,
  /// and the final one `(done, done)`.
  pub fn set_total_unknown(&self) {
    self.set_total(UNKNOWN_TOTAL);
  }

  /// Counts `units` more done and, at most every [`INTERVAL_MS`], queues a report.
  pub fn add(&self, units: u64) {
    let Some(Watched { shared, relay }) = &self.0 else {
      return;
    };
    shared.done.fetch_add(units, Ordering::Relaxed);
    let now_ms = shared.started.elapsed().as_millis() as u64;
    // Another thread queueing a report right now makes this one unnecessary.
    let Ok(mut last_queued_ms) = shared.last_queued_ms.try_lock() else {
      return;
    };
    if now_ms >= *last_queued_ms + INTERVAL_MS {
      *last_queued_ms = now_ms;
      let done = shared.done.load(Ordering::Relaxed);
      relay.call(done as f64, ThreadsafeFunctionCallMode::NonBlocking);
    }
  }

  /// On the JavaScript thread once the work succeeded: `(total, total)`, delivered now.
  pub fn finish(&self, env: &Env) {
    if let Some(Watched { shared, .. }) = &self.0 {
      let total = shared.total.load(Ordering::Relaxed);
      if total == UNKNOWN_TOTAL {
        shared
          .total
          .store(shared.done.load(Ordering::Relaxed), Ordering::Relaxed);
      }
      shared.deliver(env, shared.total.load(Ordering::Relaxed), true);
    }
  }

  /// What the callback threw, if it threw.
  pub fn take_thrown(&self) -> Option<Held> {
    self.0.as_ref()?.shared.thrown.lock().ok()?.take()
  }
}

impl Shared {
  fn new(callback: Callback, cancel: CancelToken) -> Self {
    Self {
      callback,
      done: AtomicU64::new(0),
      total: AtomicU64::new(0),
      started: Instant::now(),
      last_queued_ms: Mutex::new(0),
      finished: AtomicBool::new(false),
      thrown: Mutex::new(None),
      cancel,
    }
  }

  /// Calls the callback with `(done, total)` unless the final report was already delivered.
  fn deliver(&self, env: &Env, done: u64, last: bool) {
    // Everything here runs on the JavaScript thread, so a load then a store cannot race.
    if self.finished.load(Ordering::Relaxed) {
      return;
    }
    self.finished.store(last, Ordering::Relaxed);
    let total = match self.total.load(Ordering::Relaxed) {
      UNKNOWN_TOTAL => f64::NAN,
      known => known as f64,
    };
    // Called through napi directly, so what the callback throws is taken as the very value.
    let called = (|| -> napi::Result<bool> {
      let callback = self.callback.borrow_back(env)?;
      let args = [
        env.create_double(done as f64)?.to_unknown(),
        env.create_double(total)?.to_unknown(),
      ];
      Ok(napi_raw::call_function(env, &callback.to_unknown(), &args))
    })();
    if !matches!(called, Ok(true)) {
      if let Some(thrown) = take_pending_exception(env) {
        if let Ok(mut slot) = self.thrown.lock() {
          slot.get_or_insert(thrown);
        }
        self.cancel.cancel();
        super::pool::purge(env);
      }
    }
  }
}
