//! `AbortSignal` → [`CancelToken`]: the listener that cancels, and its removal afterwards.
//!
//! napi-rs's own `AbortSignal` overwrites `signal.onabort`, ignores a signal that is already
//! aborted and cannot stop work that has started, so qrhash listens itself.

use napi::bindgen_prelude::{FnArgs, Function, FunctionRef, JsObjectValue, ObjectRef, Unknown};
use napi::Env;

use crate::cancel::CancelToken;
use crate::error::{take_pending_exception, Failure};
use crate::input::{self, AbortSignalRead};

type Listener = FunctionRef<(), ()>;

/// A signal being watched: the call's token is cancelled when it fires (or at once if it had
/// already fired). [`AbortWatch::release`] must run on the JavaScript thread when the work is
/// over.
pub struct AbortWatch {
  signal: ObjectRef<false>,
  listener: Option<Listener>,
}

impl AbortWatch {
  /// Watches `value`, the `signal` option, cancelling `token` when it fires; `None` when the
  /// option is absent.
  pub fn watch(
    env: &Env,
    value: Option<Unknown>,
    argument: &str,
    token: &CancelToken,
  ) -> Result<Option<Self>, Failure> {
    let Some(value) = value else {
      return Ok(None);
    };
    let AbortSignalRead {
      signal,
      aborted,
      add_listener,
    } = input::abort_signal(env, &value, argument)?;
    let not_a_signal = || Failure::wrong_type(argument, "an AbortSignal", &input::describe(&value));

    let listener = if aborted {
      token.cancel();
      None
    } else {
      let cancel = token.clone();
      let on_abort: Function<(), ()> = env
        .create_function_from_closure("qrhashAbort", move |call| {
          cancel.cancel();
          // Parts still queued settle now, not when a pool thread would have reached them.
          super::pool::purge(call.env);
          Ok(())
        })
        .map_err(|_| not_a_signal())?;
      add_listener
        .apply(signal, ("abort", on_abort).into())
        .map_err(|_| not_a_signal())?;
      Some(on_abort.create_ref().map_err(|_| not_a_signal())?)
    };
    Ok(Some(Self {
      signal: signal.create_ref().map_err(|_| not_a_signal())?,
      listener,
    }))
  }

  /// The signal's `reason`, which becomes the `cause` of the `AbortError`.
  pub fn reason<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
    self
      .signal
      .get_value(env)
      .ok()?
      .get_named_property("reason")
      .ok()
  }

  /// Removes the listener so a long-lived signal does not collect one per call.
  pub fn release(self, env: &Env) {
    if let (Ok(signal), Some(listener)) = (self.signal.get_value(env), &self.listener) {
      let removed = signal
        .get_named_property::<Function<FnArgs<(&str, Function<(), ()>)>, Unknown>>(
          "removeEventListener",
        )
        .and_then(|remove| Ok((remove, listener.borrow_back(env)?)))
        .and_then(|(remove, listener)| remove.apply(signal, ("abort", listener).into()));
      // A signal whose removeEventListener throws keeps a listener that only sets a flag;
      // the exception is dropped, as there is no caller left to receive it.
      drop(removed);
      take_pending_exception(env);
    }
    let _ = self.signal.unref(env);
  }
}
