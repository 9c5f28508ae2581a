//! The exported functions, and the one task type that runs every job on libuv's pool or, for
//! a `…Sync` twin, right here.

mod abort;
mod hash;
mod qr;

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName, Unknown};
use napi::{Env, Task};

use self::abort::AbortWatch;
use crate::cancel::CancelToken;
use crate::error::{Failure, Refusal};
use crate::input::Options;

/// The pure work behind one call: `run` may execute on any thread and must not touch JS.
pub trait Job: Send + 'static {
  type Output: Send + 'static;
  type JsValue: ToNapiValue + TypeName;

  fn run(&self, cancel: &CancelToken) -> Result<Self::Output, Failure>;
  fn to_js(&self, env: &Env, output: Self::Output) -> napi::Result<Self::JsValue>;
}

/// A call whose arguments have been read: the job, or why its arguments were refused, plus the
/// caller's signal. Async functions turn a refusal into a rejected promise, never a throw.
pub struct Call<J: Job> {
  /// `None` once settled: the job (and the caller's memory it borrows) is dropped then.
  job: Option<Result<J, Refusal>>,
  abort: Option<AbortWatch>,
}

impl<J: Job> Call<J> {
  /// Reads `options` (refusing keys not in `known`, watching `options.signal`), then `build`s
  /// the job from them; the first failure becomes the call's refusal. Runs on the JavaScript
  /// thread, so an exception thrown meanwhile by the caller's code is taken here, not left
  /// pending.
  pub fn read(
    env: &Env,
    options: Option<Unknown>,
    known: &[&str],
    build: impl FnOnce(&Options) -> Result<J, Failure>,
  ) -> Self {
    let mut abort = None;
    let job = Options::read(options, "options", known).and_then(|options| {
      abort = AbortWatch::watch(env, options.get("signal")?, "options.signal")?;
      build(&options)
    });
    Self {
      job: Some(job.map_err(|failure| Refusal::new(env, failure))),
      abort,
    }
  }

  /// Schedules the job on libuv's pool; the returned task becomes a Promise.
  pub fn spawn(self) -> AsyncTask<CallTask<J>> {
    AsyncTask::new(CallTask(self))
  }

  /// Runs the job on the calling thread and throws what the async twin would reject with.
  pub fn run_sync(mut self, env: &Env) -> napi::Result<J::JsValue> {
    let outcome = self.execute();
    let value = self.settle(env, outcome);
    self.release(env);
    value
  }

  /// The job's result, or `None` when the arguments were refused.
  fn execute(&self) -> Option<Result<J::Output, Failure>> {
    let Some(Ok(job)) = &self.job else {
      return None;
    };
    let idle = CancelToken::default();
    let cancel = self.abort.as_ref().map_or(&idle, AbortWatch::token);
    Some(
      cancel
        .check()
        .map_err(Failure::from)
        .and_then(|()| job.run(cancel)),
    )
  }

  fn settle(
    &mut self,
    env: &Env,
    outcome: Option<Result<J::Output, Failure>>,
  ) -> napi::Result<J::JsValue> {
    match (self.job.take().expect("a call settles once"), outcome) {
      (Ok(job), Some(Ok(output))) => job.to_js(env, output),
      (_, Some(Err(failure))) => {
        let reason = self.abort.as_ref().and_then(|abort| abort.reason(env));
        Err(failure.into_napi(env, reason))
      }
      (Err(refusal), _) => Err(refusal.into_napi(env)),
      (Ok(_), None) => unreachable!("a call with a job always runs it"),
    }
  }

  fn release(&mut self, env: &Env) {
    if let Some(abort) = self.abort.take() {
      abort.release(env);
    }
  }
}

/// [`Call`] as a napi `Task`: `compute` on a pool thread, the rest on the JavaScript thread.
pub struct CallTask<J: Job>(Call<J>);

impl<J: Job> Task for CallTask<J> {
  type Output = Option<Result<J::Output, Failure>>;
  type JsValue = J::JsValue;

  fn compute(&mut self) -> napi::Result<Self::Output> {
    Ok(self.0.execute())
  }

  fn resolve(&mut self, env: Env, outcome: Self::Output) -> napi::Result<Self::JsValue> {
    self.0.settle(&env, outcome)
  }

  fn finally(mut self, env: Env) -> napi::Result<()> {
    self.0.release(&env);
    Ok(())
  }
}
