//! `Sha256Hasher`: incremental SHA-256, the native half of `createSha256()` (whose Writable
//! stream half is in index.js, since only JavaScript can extend Node's `Writable`). The state
//! and its ordering rules are the core's [`Incremental`]; this file only binds it.

use std::sync::Arc;

use napi::bindgen_prelude::{PromiseRaw, ToNapiValue, Unknown};
use napi::Env;
use napi_derive::napi;

use super::hash::digest_to_js;
use super::{Call, Job, Slice};
use crate::error::{ErrorKind, Failure};
use crate::hash::incremental::{Chunk, Finalized, Incremental};
use crate::hash::state::{self, StateError};
use crate::hash::{Digest, Encoding};
use crate::input::{self, Bytes, Pinning};
use crate::napi_raw::buffer_copy;
use crate::slice::Step;

type State = Incremental<Bytes>;

impl From<Finalized> for Failure {
  fn from(_: Finalized) -> Self {
    Failure {
      kind: ErrorKind::Other,
      code: "ERR_CRYPTO_HASH_FINALIZED",
      message: "the digest was already taken; create a new hasher".into(),
      system: None,
    }
  }
}

/// Incremental SHA-256, like `crypto.Hash`: feed it data, then take the digest once.
#[napi]
pub struct Sha256Hasher {
  state: Arc<State>,
}

impl From<StateError> for Failure {
  fn from(error: StateError) -> Self {
    Failure {
      kind: ErrorKind::Range,
      code: "ERR_QRHASH_INVALID_STATE",
      message: format!("options.state {error}"),
      system: None,
    }
  }
}

/// A new native hasher, made whole by napi-rs's factory path (which skips the constructor):
/// the one way to get one. index.js keeps it in a private field of its own `Sha256Hasher`.
/// With `state` (what `exportState()` returned), it goes on from there; the bytes are read
/// during this call and not kept.
#[napi(js_name = "__newSha256Hasher", skip_typescript)]
pub fn new_sha256_hasher(env: &Env, state: Option<Unknown>) -> napi::Result<Sha256Hasher> {
  let incremental = match state {
    None => Incremental::default(),
    Some(state) => input::with_bytes(env, state, "options.state", |bytes| {
      let (hasher, _bytes) = state::import(bytes)?;
      Ok(Incremental::resuming(hasher))
    })
    .map_err(|failure| failure.throw(env))?,
  };
  Ok(Sha256Hasher {
    state: Arc::new(incremental),
  })
}

#[napi]
impl Sha256Hasher {
  // Called from JavaScript, with or without `new`, napi-rs would wrap whatever `this` is
  // (globalThis, another object, a typed array): refused instead, whatever `this` is.
  #[napi(constructor)]
  pub fn refuse_construction(env: &Env) -> napi::Result<Self> {
    let failure = Failure {
      kind: ErrorKind::Type,
      code: "ERR_ILLEGAL_CONSTRUCTOR",
      message: "the native Sha256Hasher cannot be constructed; use new Sha256Hasher() or \
                createSha256() from qrhash"
        .into(),
      system: None,
    };
    Err(failure.throw(env))
  }

  /// Adds `data` (a string as UTF-8, or any binary view) on the calling thread, after every
  /// chunk given to `updateAsync` before it.
  #[napi(catch_unwind, ts_args_type = "data: BinaryLike | string")]
  pub fn update(&self, env: &Env, data: Unknown) -> napi::Result<()> {
    input::with_bytes(env, data, "data", |data| Ok(self.state.update(data)?))
      .map_err(|failure| failure.throw(env))
  }

  /// Adds `data` on libuv's pool, reading it in place: for large chunks. Calls made before
  /// the promise resolves still see it, in order: they hash it themselves if the pool has not.
  #[napi(
    catch_unwind,
    ts_args_type = "data: BinaryLike | string",
    ts_return_type = "Promise<void>"
  )]
  pub fn update_async<'env>(
    &self,
    env: &'env Env,
    data: Unknown,
  ) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
    Call::read(env, None, &[], |_| {
      let data = input::bytes(env, data, "data")?;
      Ok(move |pinning: &Pinning| {
        let chunk = Chunk::new(data.pin(pinning)?);
        self.state.queue(Arc::clone(&chunk))?;
        Ok(UpdateJob {
          state: Arc::clone(&self.state),
          _chunk: chunk,
        })
      })
    })
    .spawn(env)
  }

  /// The state after everything added (chunks still queued are hashed now, on this thread),
  /// as bytes to resume from; the hasher goes on.
  #[napi(catch_unwind, ts_return_type = "Buffer")]
  pub fn export_state<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
    match self.state.export() {
      Ok(state) => buffer_copy(env, &state),
      Err(finalized) => Err(Failure::from(finalized).throw(env)),
    }
  }

  /// The digest of everything added, as a Buffer or in `encoding`; the hasher is finished
  /// after.
  #[napi(
    catch_unwind,
    ts_generic_types = "E extends Sha256Encoding = 'buffer'",
    ts_args_type = "encoding?: E",
    ts_return_type = "Digest<E>"
  )]
  pub fn digest<'env>(
    &self,
    env: &'env Env,
    encoding: Option<Unknown>,
  ) -> napi::Result<Unknown<'env>> {
    let digest = (|| -> Result<(Encoding, Digest), Failure> {
      let encoding = match encoding {
        Some(name) => input::parsed(&name, "encoding", Encoding::NAMES, Encoding::from_name)?,
        None => Encoding::Buffer,
      };
      Ok((encoding, self.state.finish()?))
    })();
    match digest {
      Ok((encoding, digest)) => digest_to_js(env, encoding, &digest),
      Err(failure) => Err(failure.throw(env)),
    }
  }
}

/// One `updateAsync` chunk's pool task. It owns a share of the chunk so the caller's memory
/// stays referenced until the task is over, and is released on the JavaScript thread.
pub struct UpdateJob {
  state: Arc<State>,
  _chunk: Arc<Chunk<Bytes>>,
}

impl Job for UpdateJob {
  type Part = ();
  type Paused = ();

  fn run(&self, _part: usize, _from: Option<()>, slice: &Slice) -> Result<Step<(), ()>, Failure> {
    // Already caught up when a call on the JavaScript thread got here first.
    let caught_up = self.state.is_caught_up() || self.state.catch_up_by(slice.deadline)?;
    Ok(if caught_up {
      Step::Done(())
    } else {
      Step::Paused(())
    })
  }

  fn to_js<'env>(&self, env: &'env Env, _parts: Vec<()>) -> napi::Result<Unknown<'env>> {
    ().into_unknown(env)
  }
}
