//! Test-only exports that panic on purpose, compiled only with `--features fault-injection`
//! (`npm test` builds that addon apart, as `target/fault-injection/qrhash.node`). They show
//! that a panic, wherever it happens, reaches JavaScript as an error and never aborts Node.

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use qrhash_macros::export_with_sync_twin;

use super::{Call, Job, Never, Slice};
use crate::error::Failure;
use crate::input::{self, whole_number, Pinning};
use crate::slice::Step;

/// A job of `parts` parts of which only `panicking` panics; the others count to a million so
/// the panic can land while they run.
pub struct PanicJob {
  parts: usize,
  panicking: usize,
}

impl Job for PanicJob {
  type Part = u64;
  type Paused = Never;

  fn parts(&self) -> usize {
    self.parts
  }

  fn run(&self, part: usize, _: Option<Never>, slice: &Slice) -> Result<Step<Never, u64>, Failure> {
    if part == self.panicking {
      panic!("injected panic in part {part}");
    }
    let mut sum = 0u64;
    for step in 0..1_000_000u64 {
      if step % 4096 == 0 {
        slice.cancel.check()?;
      }
      sum = std::hint::black_box(sum.wrapping_add(step));
    }
    Ok(Step::Done(sum))
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<u64>) -> napi::Result<Unknown<'env>> {
    Ok(env.create_double(parts.len() as f64)?.to_unknown())
  }
}

fn read_panic_job(env: &Env, parts: Unknown, options: Option<Unknown>) -> Call<PanicJob> {
  Call::read(env, options, &["signal"], |_| {
    let parts = whole_number(&parts, "parts", 1..=64)? as usize;
    Ok(input::ready(PanicJob {
      parts,
      panicking: parts / 2,
    }))
  })
}

export_with_sync_twin! {
  /// A job of `parts` parts on libuv's pool, one of which panics: the promise rejects with
  /// `ERR_QRHASH_INTERNAL`.
  js_names = "__panicInTask", "__panicInTaskSync";
  fn panic_in_task, panic_in_task_sync(parts) => read_panic_job();
  ts("parts: number, options?: { signal?: AbortSignal }") -> "Promise<number>", "number";
}

/// Panics while its arguments are read, on the JavaScript thread: the promise rejects with
/// `ERR_QRHASH_INTERNAL` and no task is queued.
#[napi(
  catch_unwind,
  js_name = "__panicWhileReading",
  ts_return_type = "Promise<number>"
)]
pub fn panic_while_reading(env: &Env) -> napi::Result<PromiseRaw<'_, Unknown<'static>>> {
  Call::read(env, None, &[], |_| {
    Ok(|_: &Pinning| -> Result<PanicJob, Failure> {
      panic!("injected panic while reading arguments")
    })
  })
  .spawn(env)
}

/// Panics in the body of the napi call itself, outside qrhash's guards: napi-rs's
/// `catch_unwind` turns it into a thrown `Error` carrying the panic's message.
#[napi(catch_unwind, js_name = "__panicOnJsThread")]
pub fn panic_on_js_thread() {
  panic!("injected panic on the JavaScript thread");
}
