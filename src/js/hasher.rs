//! `Sha256Hasher`: incremental SHA-256, the native half of `createSha256()` (whose Writable
//! stream half is in index.js, since only JavaScript can extend Node's `Writable`).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{PromiseRaw, ToNapiValue, Unknown};
use napi::Env;
use napi_derive::napi;
use sha2::{Digest as _, Sha256};

use super::hash::digest_to_js;
use super::progress::Progress;
use super::{Call, Job};
use crate::cancel::CancelToken;
use crate::error::{ErrorKind, Failure};
use crate::hash::{Digest, Encoding};
use crate::input::{self, Bytes};

/// `None` once the digest has been taken.
type State = Arc<Mutex<Option<Sha256>>>;

fn finalized() -> Failure {
  Failure {
    kind: ErrorKind::Other,
    code: "ERR_CRYPTO_HASH_FINALIZED",
    message: "the digest was already taken; create a new hasher".into(),
  }
}

fn update(state: &State, data: &[u8]) -> Result<(), Failure> {
  match state.lock().expect("hasher lock").as_mut() {
    Some(hasher) => {
      hasher.update(data);
      Ok(())
    }
    None => Err(finalized()),
  }
}

/// Incremental SHA-256, like `crypto.Hash`: feed it data, then take the digest once.
#[napi]
pub struct Sha256Hasher {
  state: State,
}

impl Default for Sha256Hasher {
  fn default() -> Self {
    Self::new()
  }
}

#[napi]
impl Sha256Hasher {
  #[napi(constructor)]
  pub fn new() -> Self {
    Self {
      state: Arc::new(Mutex::new(Some(Sha256::new()))),
    }
  }

  /// Adds `data` (a string as UTF-8, or any binary view) on the calling thread.
  #[napi(ts_args_type = "data: BinaryLike | string")]
  pub fn update(&self, env: &Env, data: Unknown) -> napi::Result<()> {
    input::bytes(env, data, "data")
      .and_then(|data| update(&self.state, &data))
      .map_err(|failure| failure.into_napi(env, None))
  }

  /// Adds `data` on libuv's pool, reading it in place: for large chunks. Call it again only
  /// once the promise has resolved.
  #[napi(
    ts_args_type = "data: BinaryLike | string",
    ts_return_type = "Promise<void>"
  )]
  pub fn update_async<'env>(
    &self,
    env: &'env Env,
    data: Unknown,
  ) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
    let state = Arc::clone(&self.state);
    Call::read(env, None, &[], |_| {
      Ok(UpdateJob {
        state,
        data: input::bytes(env, data, "data")?,
      })
    })
    .spawn(env)
  }

  /// The digest of everything added, as a Buffer or in `encoding`; the hasher is finished
  /// after.
  #[napi(
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
      let hasher = self
        .state
        .lock()
        .expect("hasher lock")
        .take()
        .ok_or_else(finalized)?;
      Ok((encoding, hasher.finalize().into()))
    })();
    match digest {
      Ok((encoding, digest)) => digest_to_js(env, encoding, &digest),
      Err(failure) => Err(failure.into_napi(env, None)),
    }
  }
}

/// One `updateAsync` chunk.
pub struct UpdateJob {
  state: State,
  data: Bytes,
}

impl Job for UpdateJob {
  type Part = ();

  fn run(&self, _part: usize, _cancel: &CancelToken, _progress: &Progress) -> Result<(), Failure> {
    update(&self.state, &self.data)
  }

  fn to_js<'env>(&self, env: &'env Env, _parts: Vec<()>) -> napi::Result<Unknown<'env>> {
    ().into_unknown(env)
  }
}
