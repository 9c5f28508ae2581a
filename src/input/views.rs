//! Binary arguments, read in place: every kind of view or buffer becomes a `Uint8Array` over
//! the same memory. Phase 1 ([`bytes`], [`writable`], [`lend_bytes`], [`lend_output`]) finds
//! that view and how long it is; phase 2 (`pin`, `with`, given a [`Pinning`]) takes its
//! memory, checking again that it was not detached meanwhile.
//!
//! Under WASI, emnapi hands wasm a copy of the memory; what work writes is copied back by
//! [`Writable::publish`].

use std::ops::{Deref, Range};

use napi::bindgen_prelude::{TypedArrayType, Uint8Array, Unknown};
use napi::{Env, JsValue, ValueType};

use super::describe::describe;
use super::handles::Held;
use super::intrinsics::{
  buffer_kind, data_view_buffer, fixed_copy, uint8_over, what_instead, BufferKind, ViewForm,
};
use super::scalars::utf8;
use super::Pinning;
use crate::error::Failure;
use crate::napi_raw::{self, TypedArrayInfo};

/// What every data argument accepts, as the messages name it.
pub const DATA_TYPES: &str =
  "a string, Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer";

/// What output arguments accept, as the messages name it.
pub const OUTPUT_TYPES: &str = "a Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer";

/// How a message names a buffer that was transferred away.
const DETACHED: &str = "a detached ArrayBuffer (its memory was transferred)";

/// Phase 1 of a data argument: a string's UTF-8 (necessarily a copy), or a view of the caller's
/// memory not yet pinned.
pub enum PendingBytes<'env> {
  Text(Vec<u8>),
  Binary(PendingView<'env>),
}

/// Phase 2 of a data argument: a string's UTF-8, or the caller's own memory, kept alive by a
/// reference for as long as this value lives.
pub enum Bytes {
  Text(Vec<u8>),
  Binary(Uint8Array),
}

impl Deref for Bytes {
  type Target = [u8];

  fn deref(&self) -> &[u8] {
    match self {
      Self::Text(bytes) => bytes,
      Self::Binary(view) => view,
    }
  }
}

impl PendingBytes<'_> {
  /// The length in bytes, as read in phase 1; phase 2 refuses a buffer whose length changed.
  pub fn len(&self) -> usize {
    match self {
      Self::Text(text) => text.len(),
      Self::Binary(view) => view.len,
    }
  }

  pub fn pin(self, pinning: &Pinning) -> Result<Bytes, Failure> {
    Ok(match self {
      Self::Text(text) => Bytes::Text(text),
      Self::Binary(view) => Bytes::Binary(view.pin(pinning)?),
    })
  }

  /// The bytes copied at once: phase 1 and 2 in one step, with no JavaScript between them, for
  /// a value kept as an owned copy (a QR segment, a path).
  pub fn into_vec(self, env: &Env) -> Result<Vec<u8>, Failure> {
    // SAFETY: the view is pinned and copied here, and no JavaScript runs
    // before the copy is made.
    let pinning = unsafe { Pinning::new(env) };
    Ok(self.pin(&pinning)?.to_vec())
  }
}

/// A `Uint8Array` found in phase 1 over memory of fixed length: the caller's own view, or one
/// made over the caller's buffer, valid as a handle until the call returns. Its memory is taken
/// only by [`PendingView::pin`].
pub struct PendingView<'env> {
  view: Unknown<'env>,
  len: usize,
  argument: Box<str>,
  expected: &'static str,
}

impl<'env> PendingView<'env> {
  /// The length in bytes, as read in phase 1.
  pub fn len(&self) -> usize {
    self.len
  }

  fn new(
    env: &Env,
    view: Unknown<'env>,
    argument: &str,
    expected: &'static str,
  ) -> napi::Result<Self> {
    let (_, len) = napi_raw::typed_array_kind(env, &view)
      .ok_or_else(|| napi::Error::from_reason("not a typed array"))?;
    Ok(Self {
      view,
      len,
      argument: argument.into(),
      expected,
    })
  }

  /// The memory, held by a napi reference; refused when JavaScript detached or resized the
  /// buffer after phase 1 read it.
  fn pin(self, pinning: &Pinning) -> Result<Uint8Array, Failure> {
    let env = pinning.env();
    let refused = |given: &str| Failure::wrong_type(&*self.argument, self.expected, given);
    let (_, length) =
      napi_raw::typed_array_kind(env, &self.view).ok_or_else(|| refused(DETACHED))?;
    // A detached buffer's views have length 0.
    if length == 0 && !napi_raw::is_attached_view(env, &self.view) {
      return Err(refused(DETACHED));
    }
    if length != self.len {
      return Err(refused(
        "a buffer whose length changed while the arguments were read",
      ));
    }
    napi_raw::uint8_array(env, &self.view).map_err(|_| refused(&describe(&self.view)))
  }
}

/// Reads a data argument: a string as UTF-8, or any binary view or buffer in place.
pub fn bytes<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
) -> Result<PendingBytes<'env>, Failure> {
  bytes_among(env, value, argument, &mut Seen::default())
}

/// [`bytes`] for one of many arguments, remembering in `seen` what their buffers are.
pub fn bytes_among<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
  seen: &mut Seen<'env>,
) -> Result<PendingBytes<'env>, Failure> {
  let wrong_type = |given: &str| Failure::wrong_type(argument, DATA_TYPES, given);
  match value.get_type() {
    Ok(ValueType::String) => {
      let text = utf8(&value).ok_or_else(|| wrong_type("an unreadable string"))?;
      Ok(PendingBytes::Text(text.into_bytes()))
    }
    Ok(ValueType::Object) => {
      let view = match byte_view(env, &value, seen) {
        Ok(View::Fixed(view)) => Ok(view),
        Ok(View::Resizable { view, .. }) => fixed_copy(env, &view),
        Ok(View::Detached) => return Err(wrong_type(DETACHED)),
        Ok(View::NotBinary) | Err(_) => {
          let given = what_instead(env, &value).unwrap_or_else(|| describe(&value));
          return Err(wrong_type(&given));
        }
      };
      view
        .and_then(|view| PendingView::new(env, view, argument, DATA_TYPES))
        .map(PendingBytes::Binary)
        .map_err(|_| wrong_type(&describe(&value)))
    }
    _ => Err(wrong_type(&describe(&value))),
  }
}

/// Which buffers the arguments of one call are views of, so that many views of one buffer
/// (slices of an upload, Node's Buffer pool) ask once whether it can change length: the
/// question is a call into JavaScript, which costs more than hashing 64 bytes.
#[derive(Default)]
pub struct Seen<'env> {
  last: Option<(Unknown<'env>, BufferKind)>,
}

impl<'env> Seen<'env> {
  /// [`buffer_kind`] of `buffer`, asked only when it is not the last buffer seen.
  fn buffer_kind(&mut self, env: &Env, buffer: Unknown<'env>) -> napi::Result<BufferKind> {
    if let Some((last, kind)) = &self.last {
      if napi_raw::strict_equals(env, last, &buffer)? {
        return Ok(*kind);
      }
    }
    let kind = buffer_kind(env, &buffer)?;
    self.last = Some((buffer, kind));
    Ok(kind)
  }
}

enum View<'env> {
  /// A `Uint8Array` over memory of fixed length.
  Fixed(Unknown<'env>),
  /// A `Uint8Array` over a buffer whose length can change.
  Resizable {
    view: Unknown<'env>,
    kind: &'static str,
  },
  Detached,
  NotBinary,
}

/// A `Uint8Array` over the memory of any TypedArray, DataView, ArrayBuffer or
/// SharedArrayBuffer.
///
/// Buffers and Uint8Arrays are taken as they are. Everything else gets a new view made by the
/// `Uint8Array` constructor captured at load time (see [`intrinsics`](super::intrinsics)), the
/// only way Node 20's N-API has to reach a bare SharedArrayBuffer; its offset and length come
/// from the value's internal slots, never from a property the caller could forge.
///
/// A view of a resizable ArrayBuffer or growable SharedArrayBuffer is told apart, as
/// [`View::Resizable`]: natively a shrink would pull the memory from under a pool thread, and
/// emnapi (WASI) sizes its wasm copy of a buffer when it first meets it, so a buffer that grew
/// since would overflow that copy. Whether a buffer can change length is decided here, and only
/// here, by the captured getters.
fn byte_view<'env>(
  env: &'env Env,
  value: &Unknown<'env>,
  seen: &mut Seen<'env>,
) -> napi::Result<View<'env>> {
  let (buffer, form) = if value.is_typedarray()? {
    let TypedArrayInfo { kind, buffer, .. } =
      napi_raw::typed_array(env, value).ok_or_else(|| napi::Error::from_reason("typed array"))?;
    let form = (kind != TypedArrayType::Uint8).then_some(ViewForm::TypedArray);
    (buffer, form)
  } else if value.is_dataview()? {
    (data_view_buffer(env, value)?, Some(ViewForm::DataView))
  } else if value.is_arraybuffer()? {
    (*value, Some(ViewForm::Buffer))
  } else {
    let kind = seen.buffer_kind(env, *value)?;
    if kind == BufferKind::NotABuffer {
      return Ok(View::NotBinary);
    }
    (*value, Some(ViewForm::Buffer))
  };
  if napi_raw::is_detached(env, &buffer)? {
    return Ok(View::Detached);
  }
  let kind = seen.buffer_kind(env, buffer)?;
  let view = match form {
    None => *value,
    Some(form) => uint8_over(env, value, form)?,
  };
  Ok(match kind.changing() {
    Some(kind) => View::Resizable { view, kind },
    None => View::Fixed(view),
  })
}

/// A binary argument that work writes into: a view of the caller's memory, and the caller's
/// own value, to hand back when the work is done.
pub struct Writable {
  pub view: Uint8Array,
  pub original: Held,
}

impl Writable {
  /// Makes what was written visible to JavaScript. Natively the view is the caller's memory;
  /// under WASI (emnapi) it is a copy in wasm memory, copied back here.
  pub fn publish(&mut self, env: &Env) {
    #[cfg(target_family = "wasm")]
    self.view.sync(env);
    #[cfg(not(target_family = "wasm"))]
    let _ = env;
  }
}

/// The addresses a pinned argument's bytes lie at.
fn addresses(bytes: &[u8]) -> Range<usize> {
  let start = bytes.as_ptr() as usize;
  start..start + bytes.len()
}

/// Whether the pinned `input` and `output` share any byte of memory: two views of one
/// ArrayBuffer or SharedArrayBuffer, a Buffer of Node's pool and a view of it, … whatever
/// JavaScript objects they came from. Views that only touch end to start do not overlap.
pub fn overlap(input: &Bytes, output: &Writable) -> bool {
  let (input, output) = (addresses(input), addresses(&output.view));
  !input.is_empty() && !output.is_empty() && input.start < output.end && output.start < input.end
}

/// Phase 1 of an output argument: its view, not yet pinned, and the caller's own value.
pub struct PendingWritable<'env> {
  view: PendingView<'env>,
  original: Held,
}

impl PendingWritable<'_> {
  /// The length in bytes, as read in phase 1.
  pub fn len(&self) -> usize {
    self.view.len
  }

  pub fn pin(self, pinning: &Pinning) -> Result<Writable, Failure> {
    Ok(Writable {
      view: self.view.pin(pinning)?,
      original: self.original,
    })
  }
}

/// When work writes to an output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Writes {
  /// Before the call returns: natively nothing can resize the output meanwhile.
  Now,
  /// After the call has returned, on libuv's pool.
  Later,
}

/// Reads an output argument: any binary view or buffer, written in place.
pub fn writable<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
  writes: Writes,
) -> Result<PendingWritable<'env>, Failure> {
  let wrong_type = |given: &str| Failure::wrong_type(argument, OUTPUT_TYPES, given);
  if value.get_type().ok() != Some(ValueType::Object) {
    return Err(wrong_type(&describe(&value)));
  }
  let view = match byte_view(env, &value, &mut Seen::default()) {
    Ok(View::Fixed(view)) => view,
    // emnapi (WASI) would copy it at its current length into a wasm copy sized earlier.
    Ok(View::Resizable { view, .. })
      if writes == Writes::Now && cfg!(not(target_family = "wasm")) =>
    {
      view
    }
    Ok(View::Resizable { kind, .. }) => {
      return Err(Failure::wrong_type(
        argument,
        "a buffer of fixed length",
        &format!("{kind} or a view of one, whose length could change while it is written"),
      ))
    }
    Ok(View::Detached) => return Err(wrong_type(DETACHED)),
    Ok(View::NotBinary) | Err(_) => return Err(wrong_type(&describe(&value))),
  };
  Ok(PendingWritable {
    view: PendingView::new(env, view, argument, OUTPUT_TYPES)
      .map_err(|_| wrong_type(&describe(&value)))?,
    original: Held::new(env, &value).map_err(|_| wrong_type("a value that could not be held"))?,
  })
}

/// Phase 1 of a binary argument of a synchronous call: a `Uint8Array` (or Buffer) to read where
/// it lies with no napi reference at all, or anything else, read as [`bytes`] or [`writable`]
/// read it. Always the latter under WASI, where only the general path may show emnapi a view.
pub enum Lent<'env, 'a, Pending> {
  InPlace(InPlace<'env, 'a>),
  Pending(Pending),
}

/// A `Uint8Array` to read where it lies, and how a refusal names it.
pub struct InPlace<'env, 'a> {
  view: Unknown<'env>,
  argument: &'a str,
  expected: &'static str,
}

/// An attached `Uint8Array`, known from one N-API call in the usual case: a view of non-zero
/// length is attached (a detached buffer's views all have length 0).
fn attached_uint8(env: &Env, value: &Unknown) -> bool {
  if cfg!(target_family = "wasm") {
    return false;
  }
  match napi_raw::typed_array_kind(env, value) {
    Some((TypedArrayType::Uint8, length)) => length > 0 || napi_raw::is_attached_view(env, value),
    _ => false,
  }
}

/// Reads a binary argument of a synchronous call (see [`Lent`]): in place when it is a
/// `Uint8Array`, else with `read`.
fn lend<'env, 'a, Pending>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &'a str,
  expected: &'static str,
  read: impl FnOnce(&'env Env, Unknown<'env>, &'a str) -> Result<Pending, Failure>,
) -> Result<Lent<'env, 'a, Pending>, Failure> {
  if attached_uint8(env, &value) {
    return Ok(Lent::InPlace(InPlace {
      view: value,
      argument,
      expected,
    }));
  }
  read(env, value, argument).map(Lent::Pending)
}

/// Reads a data argument of a synchronous call (see [`Lent`]).
pub fn lend_bytes<'env, 'a>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &'a str,
) -> Result<Lent<'env, 'a, PendingBytes<'env>>, Failure> {
  lend(env, value, argument, DATA_TYPES, bytes)
}

/// Reads an output argument of a synchronous call (see [`Lent`]). Natively any output is
/// written where it is, even one whose length can change: JavaScript cannot resize it before
/// the call returns.
pub fn lend_output<'env, 'a>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &'a str,
) -> Result<Lent<'env, 'a, PendingWritable<'env>>, Failure> {
  lend(
    env,
    value,
    argument,
    OUTPUT_TYPES,
    |env, value, argument| writable(env, value, argument, Writes::Now),
  )
}

impl InPlace<'_, '_> {
  /// Phase 2: the memory, for the rest of the synchronous call; refused, naming the argument,
  /// if its buffer was detached meanwhile.
  #[allow(clippy::mut_from_ref)]
  fn memory<'p>(&self, pinning: &'p Pinning) -> Result<&'p mut [u8], Failure> {
    let env = pinning.env();
    let detached = || Failure::wrong_type(self.argument, self.expected, DETACHED);
    // A `Uint8Array`, as phase 1 found: its length is in bytes.
    let (data, length) = napi_raw::typed_array_memory(env, &self.view).ok_or_else(detached)?;
    if length == 0 {
      return Ok(&mut []);
    }
    // `with` and `with_mut` each use their slice before the next is made, so even an input and
    // an output over the same memory are never two live slices.
    // SAFETY: found attached, `length` bytes from `data`, just now; the pinning keeps JavaScript
    // (detaching, resizing, freeing) out until the synchronous call returns, outliving `'p`.
    Ok(unsafe { std::slice::from_raw_parts_mut(data, length) })
  }
}

impl Lent<'_, '_, PendingBytes<'_>> {
  /// Phase 2: lends the bytes to `use_bytes`.
  pub fn with<T>(
    self,
    pinning: &Pinning,
    use_bytes: impl FnOnce(&[u8]) -> Result<T, Failure>,
  ) -> Result<T, Failure> {
    match self {
      Self::InPlace(view) => use_bytes(view.memory(pinning)?),
      Self::Pending(pending) => use_bytes(&pending.pin(pinning)?),
    }
  }
}

impl Lent<'_, '_, PendingWritable<'_>> {
  /// Phase 2: lends the memory to `use_bytes`, then makes what it wrote visible.
  pub fn with_mut<T>(
    self,
    pinning: &Pinning,
    use_bytes: impl FnOnce(&mut [u8]) -> Result<T, Failure>,
  ) -> Result<T, Failure> {
    match self {
      Self::InPlace(view) => use_bytes(view.memory(pinning)?),
      Self::Pending(pending) => {
        let env = pinning.env();
        let mut output = pending.pin(pinning)?;
        // SAFETY: the only slice of this view in the call, used before the call returns.
        let result = use_bytes(unsafe { output.view.as_mut() });
        output.publish(env);
        result
      }
    }
  }
}

/// Lends the bytes of a data argument to `use_bytes` for the length of a synchronous call
/// that reads nothing else: both phases at once.
pub fn with_bytes<T>(
  env: &Env,
  value: Unknown,
  argument: &str,
  use_bytes: impl FnOnce(&[u8]) -> Result<T, Failure>,
) -> Result<T, Failure> {
  let lent = lend_bytes(env, value, argument)?;
  // SAFETY: nothing is read after this argument, and `use_bytes` runs no
  // JavaScript.
  let pinning = unsafe { Pinning::new(env) };
  lent.with(&pinning, use_bytes)
}

/// Lends a `Uint8Array`'s memory where it lies to `use_bytes`, for the length of a synchronous
/// call; `None` for any other value, and always under WASI, where no view is in place. Both
/// phases at once: reading the value runs no JavaScript.
pub fn in_place<T>(
  env: &Env,
  value: &Unknown,
  use_bytes: impl FnOnce(&mut [u8]) -> T,
) -> Option<T> {
  if !attached_uint8(env, value) {
    return None;
  }
  // SAFETY: `attached_uint8` runs no JavaScript, and neither does `use_bytes`.
  let pinning = unsafe { Pinning::new(env) };
  // Nothing to name: a view that cannot be read in place is simply not used.
  let view = InPlace {
    view: *value,
    argument: "",
    expected: "",
  };
  let memory = view.memory(&pinning).ok()?;
  Some(use_bytes(memory))
}
