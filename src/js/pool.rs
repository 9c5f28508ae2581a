//! qrhash's share of libuv's pool. libuv runs every `fs` call, `dns.lookup`, `zlib` and
//! `crypto.pbkdf2` of the process on the same few threads, first come, first served; so
//! qrhash keeps at most [`share`] work items there at once (by default one less than the pool
//! has: one thread stays free for everyone else), counted across every environment of the
//! process, since worker threads share the pool. Parts beyond that wait in their
//! environment's queue here, and each part runs in slices of about [`SLICE`] before going to
//! the back of that queue, so foreign work waits at most about a slice and a small call is
//! not stuck behind a large one. A queued part costs nothing to cancel: it is dropped at once.
//!
//! The budget is process-wide ([`Budget`], behind a lock); queues are per environment (a
//! part can only be queued on libuv from its own JavaScript thread). A slot that frees up
//! while other environments wait is granted to the one that has waited longest and that one
//! is woken through its [`Waker`].

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

use super::partition::pool_threads;
use crate::error::Failure;
use crate::input::whole_number;
use crate::napi_raw::{on_teardown, Waker};

/// How long a part runs before it gives its pool thread back.
pub const SLICE: Duration = Duration::from_millis(2);

/// A part ready for its next slice.
pub trait Queued {
  /// Its call was cancelled: it need not run.
  fn is_cancelled(&self) -> bool;

  /// Queues the slice on libuv's pool, in a slot [`take`n](Budget::take) for it; its
  /// completion on the JavaScript thread calls [`finished`].
  fn submit(self: Box<Self>, env: &Env);

  /// Settles the part as aborted without running it.
  fn abandon(self: Box<Self>, env: &Env);
}

type EnvKey = usize;

fn key(env: &Env) -> EnvKey {
  env.raw() as usize
}

/// Threads of libuv's pool qrhash may use when nothing says otherwise: all but one, at least
/// one.
fn default_share() -> usize {
  pool_threads().saturating_sub(1).max(1)
}

/// The slots of the whole process.
struct Budget {
  /// Set by `setPoolShare()`; `None` for [`default_share`].
  share: Option<usize>,
  /// Slots in use: parts on libuv's pool (submitted, not yet finished) and slots granted to
  /// an environment that has not used them yet. Never above the share, except right after the
  /// share was lowered.
  taken: usize,
  /// The most `taken` has been since it was last reset (for tests and the benchmark).
  peak: usize,
  /// Environments with parts queued and no slot, longest waiting first, each once.
  waiting: VecDeque<EnvKey>,
  envs: HashMap<EnvKey, EnvSlots>,
}

#[derive(Default)]
struct EnvSlots {
  /// Slots handed to this environment, to be used when it is woken.
  granted: usize,
  /// Its parts on libuv's pool.
  submitted: usize,
  waker: Option<Waker>,
  /// A wake is on its way: no need for another.
  woken: bool,
}

static BUDGET: LazyLock<Mutex<Budget>> = LazyLock::new(|| {
  Mutex::new(Budget {
    share: None,
    taken: 0,
    peak: 0,
    waiting: VecDeque::new(),
    envs: HashMap::new(),
  })
});

fn budget() -> MutexGuard<'static, Budget> {
  // Nothing panics while the lock is held; a poisoned lock must not stop the pool regardless.
  BUDGET
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Budget {
  fn share(&self) -> usize {
    self.share.unwrap_or_else(default_share)
  }

  /// A slot for a part of `env`: one granted to it, or a free one if nobody waits. Without
  /// one, `env` joins the waiting line.
  fn take(&mut self, env: EnvKey) -> bool {
    let free = self.taken < self.share() && self.waiting.is_empty();
    let slots = self.envs.entry(env).or_default();
    if slots.granted == 0 && free {
      slots.granted += 1;
      self.taken += 1;
      self.peak = self.peak.max(self.taken);
    }
    if !self.use_grant(env) {
      if !self.waiting.contains(&env) {
        self.waiting.push_back(env);
      }
      self.grant(env);
      return self.use_grant(env);
    }
    true
  }

  fn use_grant(&mut self, env: EnvKey) -> bool {
    let slots = self.envs.entry(env).or_default();
    if slots.granted == 0 {
      return false;
    }
    slots.granted -= 1;
    slots.submitted += 1;
    true
  }

  /// Gives `count` slots back.
  fn release(&mut self, count: usize, by: EnvKey) {
    self.taken -= count;
    self.grant(by);
  }

  /// Hands free slots to the environments waiting, in order, and wakes those other than
  /// `by` (the one whose thread is running this, which looks at its grants itself).
  fn grant(&mut self, by: EnvKey) {
    while self.taken < self.share() {
      let Some(env) = self.waiting.pop_front() else {
        return;
      };
      let Some(slots) = self.envs.get_mut(&env) else {
        continue;
      };
      self.taken += 1;
      self.peak = self.peak.max(self.taken);
      slots.granted += 1;
      if env != by && !slots.woken {
        slots.woken = slots.waker.as_ref().is_some_and(Waker::wake);
        if !slots.woken {
          // Its environment is closing: the slot goes to the next in line.
          slots.granted -= 1;
          self.taken -= 1;
        }
      }
    }
  }
}

/// This thread's environment's parts waiting for a slot, oldest first, and whether its waker
/// holds the event loop open for them.
#[derive(Default)]
struct Queue {
  parts: VecDeque<Box<dyn Queued>>,
  held: bool,
  /// Its waker and teardown hook are in place.
  set_up: bool,
}

thread_local! {
  static QUEUES: RefCell<HashMap<EnvKey, Queue>> = RefCell::new(HashMap::new());
}

/// Parts queued in every environment of the process, read by pool threads at the end of each
/// slice.
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// Runs `change` on `env`'s queue. Never call out to JavaScript or napi inside it: a part
/// settling can run JavaScript that queues more.
fn with_queue<T>(env: EnvKey, change: impl FnOnce(&mut Queue) -> T) -> T {
  QUEUES.with(|queues| {
    let mut queues = queues.borrow_mut();
    let queue = queues.entry(env).or_default();
    let before = queue.parts.len();
    let result = change(queue);
    let after = queue.parts.len();
    if after > before {
      QUEUED.fetch_add(after - before, Ordering::Relaxed);
    } else {
      QUEUED.fetch_sub(before - after, Ordering::Relaxed);
    }
    result
  })
}

/// Whether a part whose slice is over should give its thread back: when other qrhash parts
/// wait for one, or when no thread of the pool is kept free for others (then foreign work may
/// be waiting in libuv's queue). Otherwise it goes straight on with its next slice: going
/// round through the queue would only hand it the same slot back, later.
pub fn should_yield() -> bool {
  QUEUED.load(Ordering::Relaxed) > 0 || share() >= pool_threads()
}

/// Queues `part` behind `env`'s others and submits what the budget allows.
pub fn enqueue(env: &Env, part: Box<dyn Queued>) {
  if !with_queue(key(env), |queue| std::mem::replace(&mut queue.set_up, true)) {
    set_up(env);
  }
  with_queue(key(env), |queue| queue.parts.push_back(part));
  pump(env);
}

/// A part of `env` submitted earlier has finished its slice: its slot is free.
pub fn finished(env: &Env) {
  let mut budget = budget();
  if let Some(slots) = budget.envs.get_mut(&key(env)) {
    slots.submitted -= 1;
  }
  budget.release(1, key(env));
}

/// Drops `env`'s queued parts whose call was cancelled, settling them now. Called right
/// after a cancellation on the JavaScript thread (an abort, `cancelAll()`, a throwing
/// `onProgress`, a failed part).
pub fn purge(env: &Env) {
  let cancelled = with_queue(key(env), |queue| {
    let (cancelled, kept): (VecDeque<_>, VecDeque<_>) =
      queue.parts.drain(..).partition(|part| part.is_cancelled());
    queue.parts = kept;
    cancelled
  });
  for part in cancelled {
    part.abandon(env);
  }
  pump(env);
}

/// Submits `env`'s queued parts while it has slots; gives back slots it cannot use.
pub fn pump(env: &Env) {
  let env_key = key(env);
  loop {
    let Some(part) = with_queue(env_key, |queue| queue.parts.pop_front()) else {
      break;
    };
    if part.is_cancelled() {
      part.abandon(env);
      continue;
    }
    if !budget().take(env_key) {
      with_queue(env_key, |queue| queue.parts.push_front(part));
      break;
    }
    part.submit(env);
  }
  let waiting = with_queue(env_key, |queue| !queue.parts.is_empty());
  let mut budget = budget();
  if let Some(slots) = budget.envs.get_mut(&env_key) {
    slots.woken = false;
    let unused = if waiting { 0 } else { slots.granted };
    slots.granted -= unused;
    if let Some(waker) = &slots.waker {
      hold(env, waker, waiting);
    }
    if unused > 0 {
      budget.release(unused, env_key);
    }
  }
}

/// Keeps `env`'s event loop alive while it has queued parts: nothing else may, when every
/// slot is held by another environment.
fn hold(env: &Env, waker: &Waker, waiting: bool) {
  let changed = with_queue(key(env), |queue| {
    std::mem::replace(&mut queue.held, waiting) != waiting
  });
  if changed {
    waker.hold(env, waiting);
  }
}

/// An environment's first part: its waker and its teardown.
fn set_up(env: &Env) {
  let env_key = key(env);
  let waker = Waker::new(env, pump, forget_waker, env_key).ok();
  budget().envs.entry(env_key).or_default().waker = waker;
  let _ = on_teardown(env, tear_down, env_key);
}

/// The waker of `env` is being destroyed: nothing may call it after this returns.
fn forget_waker(env: EnvKey) {
  if let Some(slots) = budget().envs.get_mut(&env) {
    slots.waker = None;
  }
}

/// `env` is gone (its pool work has drained): its slots, granted or on parts whose
/// completion will never run, go back; its queued parts are dropped unsettled, their promises
/// being gone with it.
fn tear_down(env: EnvKey) {
  let queue = QUEUES.with(|queues| queues.borrow_mut().remove(&env));
  if let Some(queue) = &queue {
    QUEUED.fetch_sub(queue.parts.len(), Ordering::Relaxed);
  }
  // Their napi references belong to an environment being torn down: leak rather than release.
  std::mem::forget(queue);
  let mut budget = budget();
  budget.waiting.retain(|&waiting| waiting != env);
  if let Some(slots) = budget.envs.remove(&env) {
    budget.release(slots.granted + slots.submitted, env);
  }
}

/// How many of libuv's pool threads qrhash may use at once: `setPoolShare()`'s, else one less
/// than the pool has (at least 1). Calls are cut into at most this many parts.
pub fn share() -> usize {
  budget().share()
}

/// Sets how many of libuv's pool threads qrhash may occupy at once, process-wide (worker
/// threads included): a whole number from 1 to the pool's size (`UV_THREADPOOL_SIZE`, default
/// 4). The default, one less than the pool's size (at least 1), keeps a thread free for
/// `fs`, `dns.lookup`, `zlib` and `crypto`; the pool's size lets qrhash use every thread.
/// Work already running keeps its slots; the new share applies from the next slice.
#[napi(catch_unwind, ts_args_type = "threads: number")]
pub fn set_pool_share(env: &Env, threads: Unknown) -> napi::Result<()> {
  let pool = pool_threads();
  let threads = whole_number(&threads, "threads", 1..=pool as u64)
    .map_err(|failure: Failure| failure.throw(env))? as usize;
  let mut budget = budget();
  budget.share = Some(threads);
  budget.grant(key(env));
  drop(budget);
  pump(env);
  Ok(())
}

/// How many of libuv's pool threads qrhash may occupy at once (see `setPoolShare()`).
#[napi(catch_unwind)]
pub fn get_pool_share() -> u32 {
  share() as u32
}

/// For tests and the benchmark: the pool's size, the share, slots taken now and at most since
/// the last reset, and this environment's queued parts.
#[napi(object)]
pub struct PoolStats {
  pub pool_size: u32,
  pub share: u32,
  pub taken: u32,
  pub peak: u32,
  pub queued: u32,
}

#[napi(catch_unwind, js_name = "__poolStats")]
pub fn pool_stats(env: &Env, reset_peak: Option<bool>) -> PoolStats {
  let queued = with_queue(key(env), |queue| queue.parts.len()) as u32;
  let mut budget = budget();
  let stats = PoolStats {
    pool_size: pool_threads() as u32,
    share: budget.share() as u32,
    taken: budget.taken as u32,
    peak: budget.peak as u32,
    queued,
  };
  if reset_peak == Some(true) {
    budget.peak = budget.taken;
  }
  stats
}
