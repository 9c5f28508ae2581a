//! `sha256` / `sha256Sync`.

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Unknown};
use napi::Env;
use napi_derive::napi;

use super::{Call, CallTask, Job};
use crate::cancel::CancelToken;
use crate::error::Failure;
use crate::hash::encoding::Encoded;
use crate::hash::{sha256, Digest, Encoding};
use crate::input::{self, Bytes};

pub struct Sha256Job {
  input: Bytes,
  encoding: Encoding,
}

impl Job for Sha256Job {
  type Output = Digest;
  type JsValue = Either<Buffer, String>;

  fn run(&self, cancel: &CancelToken) -> Result<Digest, Failure> {
    Ok(sha256(&self.input, cancel)?)
  }

  fn to_js(&self, _env: &Env, digest: Digest) -> napi::Result<Self::JsValue> {
    Ok(match self.encoding.encode(&digest) {
      Encoded::Bytes(bytes) => Either::A(bytes.into()),
      Encoded::Text(text) => Either::B(text),
    })
  }
}

fn read_call(env: &Env, input: Unknown, options: Option<Unknown>) -> Call<Sha256Job> {
  Call::read(env, options, &["encoding", "signal"], |options| {
    Ok(Sha256Job {
      input: input::bytes(env, input, "input")?,
      encoding: options
        .parsed("encoding", Encoding::NAMES, Encoding::from_name)?
        .unwrap_or(Encoding::Buffer),
    })
  })
}

/// SHA-256 of `input`, computed on libuv's thread pool.
///
/// Binary input is read in place, never copied; a string is hashed as UTF-8. Changing the
/// input's bytes while the promise is pending gives an unspecified digest, never a crash.
/// Resolves to a Buffer, or a string when `options.encoding` is `'hex'`, `'base64'` or
/// `'base64url'`. Bad arguments reject with a `TypeError` or `RangeError`; an aborted
/// `options.signal` rejects with an `AbortError`.
///
/// @example
/// const digest = await sha256(await readFile('upload.bin'), { encoding: 'hex' })
#[napi(
  js_name = "sha256",
  ts_generic_types = "E extends Sha256Encoding = 'buffer'",
  ts_args_type = "input: BinaryLike | string, options?: Sha256Options<E>",
  ts_return_type = "Promise<Digest<E>>"
)]
pub fn sha256_async(
  env: Env,
  input: Unknown,
  options: Option<Unknown>,
) -> AsyncTask<CallTask<Sha256Job>> {
  read_call(&env, input, options).spawn()
}

/// The blocking twin of {@link sha256}: same arguments, returns the digest, throws what
/// `sha256` would reject with. Blocks the event loop; for scripts and CLIs.
#[napi(
  js_name = "sha256Sync",
  ts_generic_types = "E extends Sha256Encoding = 'buffer'",
  ts_args_type = "input: BinaryLike | string, options?: Sha256Options<E>",
  ts_return_type = "Digest<E>"
)]
pub fn sha256_sync(
  env: Env,
  input: Unknown,
  options: Option<Unknown>,
) -> napi::Result<Either<Buffer, String>> {
  read_call(&env, input, options).run_sync(&env)
}
