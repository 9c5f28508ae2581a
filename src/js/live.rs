//! The async calls in flight in each JavaScript environment (the main thread, each worker), so
//! that `cancelAll()` can stop them: index.js calls it on `process.exit()`, which libuv would
//! otherwise make wait for every queued task to run to its end.
//!
//! (An environment cleanup hook cannot do this for `worker.terminate()`: Node runs those hooks
//! only after the worker's pool work has drained.)

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use napi::Env;
use napi_derive::napi;

use crate::cancel::CancelToken;

#[derive(Default)]
struct Registry {
  next_id: u64,
  /// Each call's cancel token, by environment (its raw address) and call id.
  calls: HashMap<(usize, u64), CancelToken>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn registry() -> MutexGuard<'static, Option<Registry>> {
  // No panic happens while the lock is held; even so, a poisoned lock must not stop exits.
  REGISTRY
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One call's place in the registry; leaving it (when the call settles) is dropping it.
pub struct Entry {
  key: (usize, u64),
}

impl Drop for Entry {
  fn drop(&mut self) {
    if let Some(registry) = registry().as_mut() {
      registry.calls.remove(&self.key);
    }
  }
}

/// Registers a call of `env` whose work `cancel` stops.
pub fn enter(env: &Env, cancel: &CancelToken) -> Entry {
  let env_key = env.raw() as usize;
  let mut guard = registry();
  let live = guard.get_or_insert_with(Registry::default);
  live.next_id += 1;
  let key = (env_key, live.next_id);
  live.calls.insert(key, cancel.clone());
  Entry { key }
}

/// Cancels every qrhash call still in flight in this thread (the main thread or this worker):
/// each rejects with an `AbortError`, and work already running stops within milliseconds.
/// Returns how many calls were cancelled. For a graceful shutdown; qrhash itself calls it when
/// the process exits, so `process.exit()` does not wait for queued work.
#[napi(catch_unwind)]
pub fn cancel_all(env: &Env) -> u32 {
  let cancelled = cancel_env(env.raw() as usize);
  super::pool::purge(env);
  cancelled
}

/// Cancels every call the environment `env_key` still has.
fn cancel_env(env_key: usize) -> u32 {
  let mut guard = registry();
  let Some(registry) = guard.as_mut() else {
    return 0;
  };
  let mut cancelled = 0;
  registry.calls.retain(|&(env, _), cancel| {
    if env == env_key {
      cancel.cancel();
      cancelled += 1;
    }
    env != env_key
  });
  cancelled
}
