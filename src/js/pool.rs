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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use napi::bindgen_prelude::Unknown;
use napi::{Env, Task};
use napi_derive::napi;

use super::partition::pool_threads;
use crate::error::Failure;
use crate::input::whole_number;
use crate::napi_raw::{on_teardown, Waker};
use crate::slice::Deadline;

/// How long a part runs before it gives its pool thread back.
pub const SLICE: Duration = Duration::from_millis(2);

/// A part of a call, run slice by slice on pool threads and finished on its JavaScript thread.
pub trait Part: Send {
  /// Its call was cancelled: it need not run.
  fn is_cancelled(&self) -> bool;

  /// Runs one slice, until `deadline` at most; `true` if the part paused with more to do.
  fn run(&mut self, deadline: Deadline) -> bool;

  /// On the JavaScript thread once the part is over, or dropped unrun because its call was
  /// cancelled: hands its result to its call.
  fn finish(self: Box<Self>, env: &Env);
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

/// Whether runners must give their threads back at the end of each slice, as the budget last
/// said (see [`Budget::must_yield`]); read by runners without taking the lock.
static MUST_YIELD: AtomicBool = AtomicBool::new(false);

/// The budget, locked; [`MUST_YIELD`] is brought up to date when the lock is let go.
struct Locked(MutexGuard<'static, Budget>);

impl std::ops::Deref for Locked {
  type Target = Budget;
  fn deref(&self) -> &Budget {
    &self.0
  }
}

impl std::ops::DerefMut for Locked {
  fn deref_mut(&mut self) -> &mut Budget {
    &mut self.0
  }
}

impl Drop for Locked {
  fn drop(&mut self) {
    MUST_YIELD.store(self.0.must_yield(), Ordering::Relaxed);
  }
}

fn budget() -> Locked {
  // Nothing panics while the lock is held; a poisoned lock must not stop the pool regardless.
  Locked(
    BUDGET
      .lock()
      .unwrap_or_else(|poisoned| poisoned.into_inner()),
  )
}

impl Budget {
  fn share(&self) -> usize {
    self.share.unwrap_or_else(default_share)
  }

  /// Whether a runner must give its thread back when its slice ends: when no thread of the
  /// pool is kept free for others (foreign work may be waiting in libuv's queue behind it),
  /// when another environment waits for a slot, or when the share was lowered under what is
  /// taken. Otherwise a runner keeps its thread while its queue has parts: going round through
  /// libuv would only hand it the same slot back, later.
  fn must_yield(&self) -> bool {
    self.share() >= pool_threads() || !self.waiting.is_empty() || self.taken > self.share()
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

/// An environment's parts waiting for a pool thread, oldest first. Its JavaScript thread adds
/// parts and drops cancelled ones; runners on the pool take parts and put paused ones back.
#[derive(Default)]
struct Queue {
  parts: Mutex<VecDeque<Box<dyn Part>>>,
  /// Runners queued on libuv that have not started yet: each will take a part.
  starting: AtomicUsize,
  /// Parts that are over, for the JavaScript thread to finish: at its next wake or when their
  /// runner ends, whichever comes first.
  over: Mutex<Vec<Box<dyn Part>>>,
  /// The environment has been woken to finish them, and has not yet.
  woken: AtomicBool,
}

impl Queue {
  fn lock(&self) -> MutexGuard<'_, VecDeque<Box<dyn Part>>> {
    // A part never panics while the lock is held (parts run outside it).
    self
      .parts
      .lock()
      .unwrap_or_else(|poisoned| poisoned.into_inner())
  }

  fn push(&self, part: Box<dyn Part>) {
    self.lock().push_back(part);
  }

  fn pop(&self) -> Option<Box<dyn Part>> {
    self.lock().pop_front()
  }

  fn len(&self) -> usize {
    self.lock().len()
  }

  /// Hands `parts`, which are over, to the JavaScript thread, waking it unless a wake is due.
  fn hand_over(&self, env: EnvKey, parts: Vec<Box<dyn Part>>) {
    if parts.is_empty() {
      return;
    }
    self
      .over
      .lock()
      .unwrap_or_else(|poisoned| poisoned.into_inner())
      .extend(parts);
    if !self.woken.swap(true, Ordering::AcqRel) {
      if let Some(waker) = budget()
        .envs
        .get(&env)
        .and_then(|slots| slots.waker.as_ref())
      {
        waker.wake();
      }
    }
  }

  /// The parts handed over so far.
  fn take_over(&self) -> Vec<Box<dyn Part>> {
    self.woken.store(false, Ordering::Release);
    std::mem::take(
      &mut *self
        .over
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
  }

  /// Takes out the parts whose call was cancelled.
  fn take_cancelled(&self) -> Vec<Box<dyn Part>> {
    let mut parts = self.lock();
    let (cancelled, kept): (VecDeque<_>, VecDeque<_>) =
      parts.drain(..).partition(|part| part.is_cancelled());
    *parts = kept;
    cancelled.into()
  }
}

/// What an environment's JavaScript thread keeps: its queue, and whether its waker holds the
/// event loop open.
struct Local {
  queue: Arc<Queue>,
  held: bool,
}

thread_local! {
  static LOCALS: RefCell<HashMap<EnvKey, Local>> = RefCell::new(HashMap::new());
}

/// `env`'s queue, set up (its waker, its teardown) the first time.
fn queue(env: &Env) -> Arc<Queue> {
  let found = LOCALS.with(|locals| {
    locals
      .borrow()
      .get(&key(env))
      .map(|local| Arc::clone(&local.queue))
  });
  found.unwrap_or_else(|| {
    let queue = Arc::new(Queue::default());
    let local = Local {
      queue: Arc::clone(&queue),
      held: false,
    };
    LOCALS.with(|locals| locals.borrow_mut().insert(key(env), local));
    set_up(env);
    queue
  })
}

/// One slot's work on libuv's pool: parts of one environment taken from its queue in turn, each
/// for a slice of [`SLICE`], a paused one going to the back of the queue. The runner ends when
/// the queue is empty, or at the end of a slice when the budget says it must yield; the parts
/// that are over are finished on the JavaScript thread then, or, if it goes on, at the end of
/// each slice.
struct Runner {
  env: EnvKey,
  queue: Arc<Queue>,
  /// Parts over in the current slice, handed to the JavaScript thread when the slice ends.
  over: Vec<Box<dyn Part>>,
}

impl Task for Runner {
  type Output = ();
  type JsValue = ();

  fn compute(&mut self) -> napi::Result<()> {
    self.queue.starting.fetch_sub(1, Ordering::Relaxed);
    let mut deadline = Deadline::after(SLICE);
    while let Some(mut part) = self.queue.pop() {
      let paused = !part.is_cancelled() && part.run(deadline);
      if paused {
        self.queue.push(part); // to the back of the line
      } else {
        self.over.push(part);
      }
      if deadline.has_passed() {
        if MUST_YIELD.load(Ordering::Relaxed) {
          break;
        }
        // Going on: what is over is settled meanwhile, not when the runner ends.
        self
          .queue
          .hand_over(self.env, std::mem::take(&mut self.over));
        deadline = Deadline::after(SLICE);
      }
    }
    Ok(())
  }

  fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
    Ok(())
  }

  fn finally(self, env: Env) -> napi::Result<()> {
    finished(&env);
    for part in self.over {
      part.finish(&env);
    }
    wake(&env);
    Ok(())
  }
}

/// On `env`'s thread, when woken or when a runner ends: finishes the parts that are over, and
/// starts runners for what is queued.
fn wake(env: &Env) {
  for part in queue(env).take_over() {
    part.finish(env);
  }
  pump(env);
}

/// Queues `part` behind `env`'s others and submits what the budget allows.
pub fn enqueue(env: &Env, part: Box<dyn Part>) {
  queue(env).push(part);
  pump(env);
}

/// A runner of `env` is over: its slot is free.
fn finished(env: &Env) {
  let mut budget = budget();
  if let Some(slots) = budget.envs.get_mut(&key(env)) {
    slots.submitted -= 1;
  }
  budget.release(1, key(env));
}

/// Drops `env`'s queued parts whose call was cancelled, finishing them now. Called right
/// after a cancellation on the JavaScript thread (an abort, `cancelAll()`, a throwing
/// `onProgress`, a failed part).
pub fn purge(env: &Env) {
  for part in queue(env).take_cancelled() {
    part.finish(env);
  }
  pump(env);
}

/// Starts a runner for each queued part no runner will take yet, while `env` has slots;
/// gives back slots it cannot use.
pub fn pump(env: &Env) {
  let env_key = key(env);
  let queue = queue(env);
  while queue.len() > queue.starting.load(Ordering::Relaxed) && budget().take(env_key) {
    queue.starting.fetch_add(1, Ordering::Relaxed);
    let runner = Runner {
      env: env_key,
      queue: Arc::clone(&queue),
      over: Vec::new(),
    };
    if env.spawn(runner).is_err() {
      // libuv refused (the environment is closing): the parts stay queued, unsettled.
      queue.starting.fetch_sub(1, Ordering::Relaxed);
      finished(env);
      break;
    }
  }
  let waiting = queue.len() > 0;
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
  let changed = LOCALS.with(|locals| {
    let mut locals = locals.borrow_mut();
    let local = locals.get_mut(&key(env))?;
    Some(std::mem::replace(&mut local.held, waiting) != waiting)
  });
  if changed == Some(true) {
    waker.hold(env, waiting);
  }
}

/// An environment's first part: its waker and its teardown.
fn set_up(env: &Env) {
  let env_key = key(env);
  let waker = Waker::new(env, wake, forget_waker, env_key).ok();
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
  if let Some(local) = LOCALS.with(|locals| locals.borrow_mut().remove(&env)) {
    let parts = std::mem::take(&mut *local.queue.lock());
    // Their napi references belong to an environment being torn down: leak, not release.
    std::mem::forget(parts);
  }
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
  let queued = LOCALS.with(|locals| {
    locals
      .borrow()
      .get(&key(env))
      .map_or(0, |local| local.queue.len())
  }) as u32;
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
