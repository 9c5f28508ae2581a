//! Values held by reference past phase 1: any value ([`Held`]), and the two watchers every
//! long call may take, `onProgress` ([`callback`]) and `signal` ([`abort_signal`]).

use napi::bindgen_prelude::{FnArgs, Function, JsObjectValue, Object, Unknown};
use napi::{Env, JsValue, ValueType};

use super::describe::describe;
use crate::error::Failure;
use crate::napi_raw::{self, Reference};

/// Keeps one of the caller's values alive until dropped, which happens on the JavaScript
/// thread that made it (napi references belong to it).
pub struct Held {
  reference: Reference,
  /// The value is element 0 of the referenced array: before N-API 10 only objects, functions
  /// and symbols can be referenced, and a getter may throw `42` or `null`.
  boxed: bool,
}

impl Held {
  pub fn new(env: &Env, value: &Unknown) -> napi::Result<Self> {
    if let Ok(reference) = Reference::new(env, value) {
      return Ok(Self {
        reference,
        boxed: false,
      });
    }
    Ok(Self {
      reference: Reference::new(env, &napi_raw::boxed(env, value)?)?,
      boxed: true,
    })
  }

  pub fn value<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
    let value = self.reference.value(env)?;
    if !self.boxed {
      return Ok(value);
    }
    napi_raw::element(env, &value, 0)
      .ok_or_else(|| napi::Error::from_reason("the held value's box has no element 0"))
  }
}

/// An `onProgress`-style callback, `(done, total) => unknown`.
pub type ProgressCallback<'env> = Function<'env, FnArgs<(f64, f64)>, Unknown<'static>>;

/// Reads a callback argument: a function.
pub fn callback<'env>(
  value: &Unknown<'env>,
  argument: &str,
) -> Result<ProgressCallback<'env>, Failure> {
  napi_raw::function(value)
    .ok_or_else(|| Failure::wrong_type(argument, "a function", &describe(value)))
}

/// `addEventListener` / `removeEventListener` called as `(type, listener)`.
pub type ListenerMethod<'env> =
  Function<'env, FnArgs<(&'static str, Function<'env, (), ()>)>, Unknown<'env>>;

/// What phase 1 reads of an `AbortSignal`.
pub struct AbortSignalRead<'env> {
  pub signal: Object<'env>,
  pub aborted: bool,
  pub add_listener: ListenerMethod<'env>,
}

/// Reads a `signal` argument: an object with a boolean `aborted` and an `addEventListener`
/// method, which is all qrhash uses of an `AbortSignal`.
pub fn abort_signal<'env>(
  env: &'env Env,
  value: &Unknown<'env>,
  argument: &str,
) -> Result<AbortSignalRead<'env>, Failure> {
  let not_a_signal = || Failure::wrong_type(argument, "an AbortSignal", &describe(value));
  if value.get_type().ok() != Some(ValueType::Object) {
    return Err(not_a_signal());
  }
  let signal = Object::from_raw(env.raw(), value.raw());
  let aborted = signal
    .get_named_property::<Unknown>("aborted")
    .ok()
    .and_then(|flag| napi_raw::boolean(&flag))
    .ok_or_else(not_a_signal)?;
  let add_listener = signal
    .get_named_property("addEventListener")
    .map_err(|_| not_a_signal())?;
  Ok(AbortSignalRead {
    signal,
    aborted,
    add_listener,
  })
}
