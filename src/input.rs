//! JavaScript values → Rust: the one place that knows which JS types each argument accepts.
//!
//! Binary arguments are never copied natively: every kind of view or buffer becomes a
//! `Uint8Array` over the same memory, held by reference until the work is done. (Under WASI,
//! emnapi hands wasm a copy; what work writes is copied back by [`Writable::publish`].)

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, RangeInclusive};
use std::ptr;

use napi::bindgen_prelude::{
  FnArgs, FromNapiValue, Function, JsObjectValue, Object, TypedArrayType, Uint8Array, Unknown,
};
use napi::{sys, Env, JsValue, ValueType};

use crate::error::Failure;

/// A string's UTF-8, a lone surrogate becoming U+FFFD as Node's `Buffer` and `crypto` make it.
/// V8 does so natively; emnapi (WASI) would encode the surrogate itself, so there the string is
/// read as UTF-16 and converted here.
fn utf8(value: &Unknown) -> napi::Result<String> {
  #[cfg(not(target_family = "wasm"))]
  return unsafe { value.cast::<String>() };
  #[cfg(target_family = "wasm")]
  return unsafe { value.cast::<napi::bindgen_prelude::Utf16String>() }
    .map(|text| String::from_utf16_lossy(&text));
}

/// What every data argument accepts, as the messages name it.
pub const DATA_TYPES: &str =
  "a string, Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer";

/// The bytes of a data argument: a string's UTF-8 (necessarily a copy), or the caller's own
/// memory, kept alive by a reference for as long as this value lives.
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

/// Reads a data argument: a string as UTF-8, or any binary view or buffer in place.
pub fn bytes(env: &Env, value: Unknown, argument: &str) -> Result<Bytes, Failure> {
  bytes_among(env, value, argument, &mut Seen::default())
}

/// [`bytes`] for one of many arguments, remembering in `seen` what their buffers are.
pub fn bytes_among(
  env: &Env,
  value: Unknown,
  argument: &str,
  seen: &mut Seen,
) -> Result<Bytes, Failure> {
  let wrong_type = |given: &str| Failure::wrong_type(argument, DATA_TYPES, given);
  match value.get_type() {
    Ok(ValueType::String) => {
      let text = utf8(&value).map_err(|_| wrong_type("an unreadable string"))?;
      Ok(Bytes::Text(text.into_bytes()))
    }
    Ok(ValueType::Object) => match byte_view(env, &value, seen) {
      Ok(View::Live(view)) => Ok(Bytes::Binary(view)),
      Ok(View::Resizable { view, .. }) => fixed_copy(env, view)
        .map(Bytes::Binary)
        .map_err(|_| wrong_type(&describe(&value))),
      Ok(View::Detached) => Err(wrong_type(
        "a detached ArrayBuffer (its memory was transferred)",
      )),
      Ok(View::NotBinary) | Err(_) => Err(wrong_type(&describe(&value))),
    },
    _ => Err(wrong_type(&describe(&value))),
  }
}

/// The memory of a `Uint8Array` (or Buffer) and its buffer, borrowed for the length of a
/// synchronous call: `None` for anything else, which takes the general path. Always `None`
/// under WASI, where only the general path may show emnapi a view (see [`byte_view`]).
fn uint8_memory(env: &Env, value: &Unknown) -> Option<(*mut u8, usize, sys::napi_value)> {
  if cfg!(target_family = "wasm") || !value.is_typedarray().ok()? {
    return None;
  }
  let (mut kind, mut length, mut data, mut buffer) =
    (0, 0, std::ptr::null_mut(), std::ptr::null_mut());
  let status = unsafe {
    sys::napi_get_typedarray_info(
      env.raw(),
      value.raw(),
      &mut kind,
      &mut length,
      &mut data,
      &mut buffer,
      &mut 0,
    )
  };
  let mut detached = true;
  let status_detached =
    unsafe { sys::napi_is_detached_arraybuffer(env.raw(), buffer, &mut detached) };
  let usable = status == sys::Status::napi_ok
    && status_detached == sys::Status::napi_ok
    && !detached
    && TypedArrayType::from(kind) == TypedArrayType::Uint8;
  usable.then_some((data.cast(), length, buffer))
}

/// Lends the bytes of a data argument to `use_bytes` for the length of a synchronous call.
/// A Uint8Array or Buffer is read where it is with no napi reference at all (the value cannot
/// go away while the call runs, nor its buffer shrink); anything else goes through [`bytes`].
pub fn with_bytes<T>(
  env: &Env,
  value: Unknown,
  argument: &str,
  use_bytes: impl FnOnce(&[u8]) -> Result<T, Failure>,
) -> Result<T, Failure> {
  match uint8_memory(env, &value) {
    Some((_, 0, _)) => use_bytes(&[]),
    // SAFETY: the view is live and attached, and JavaScript cannot run while this call does.
    Some((data, length, _)) => use_bytes(unsafe { std::slice::from_raw_parts(data, length) }),
    None => use_bytes(&bytes(env, value, argument)?),
  }
}

/// Lends the memory of an output argument to `use_bytes` for the length of a synchronous call,
/// as [`with_bytes`] does for input. Natively any output is written where it is, even one whose
/// length can change: JavaScript cannot resize it before the call returns.
pub fn with_writable<T>(
  env: &Env,
  value: Unknown,
  argument: &str,
  use_bytes: impl FnOnce(&mut [u8]) -> Result<T, Failure>,
) -> Result<T, Failure> {
  // SAFETY: used within this synchronous call, and the only slice of that memory here.
  if let Some(memory) = unsafe { memory_in_place(env, &value) } {
    return use_bytes(memory);
  }
  // Under WASI the view is a copy in wasm memory, written back by `publish`.
  let mut output = writable(env, value, argument, Writes::Now)?;
  let result = use_bytes(unsafe { output.view.as_mut() });
  output.publish(env);
  result
}

/// Lends a `Uint8Array`'s memory where it lies to `use_bytes`, for the length of a synchronous
/// call; `None` for any other value, and always under WASI, where no view is in place.
pub fn in_place<T>(
  env: &Env,
  value: &Unknown,
  use_bytes: impl FnOnce(&mut [u8]) -> T,
) -> Option<T> {
  // SAFETY: used within this synchronous call, and the only slice of that memory here.
  unsafe { memory_in_place(env, value) }.map(use_bytes)
}

/// The memory of a `Uint8Array` where it lies (see [`uint8_memory`]).
///
/// # Safety
/// Only for the length of the current synchronous call, with no other slice of that memory.
unsafe fn memory_in_place<'a>(env: &Env, value: &Unknown) -> Option<&'a mut [u8]> {
  let (data, length, _) = uint8_memory(env, value)?;
  Some(match length {
    0 => &mut [],
    _ => unsafe { std::slice::from_raw_parts_mut(data, length) },
  })
}

/// Which buffers the arguments of one call are views of, so that many views of one buffer
/// (slices of an upload, Node's Buffer pool) ask once whether it can change length: the
/// question is a property read through N-API, which costs more than hashing 64 bytes.
#[derive(Default)]
pub struct Seen {
  last: Option<(sys::napi_value, Option<&'static str>)>,
}

impl Seen {
  /// [`length_can_change`] for `buffer`, asked only when it is not the last buffer seen.
  fn length_can_change(
    &mut self,
    env: &Env,
    buffer: sys::napi_value,
  ) -> napi::Result<Option<&'static str>> {
    if let Some((last, kind)) = self.last {
      let mut same = false;
      napi::check_status!(unsafe { sys::napi_strict_equals(env.raw(), last, buffer, &mut same) })?;
      if same {
        return Ok(kind);
      }
    }
    let kind = length_can_change(env, buffer)?;
    self.last = Some((buffer, kind));
    Ok(kind)
  }
}

enum View<'env> {
  Live(Uint8Array),
  /// A `Uint8Array` over a buffer whose length can change, not yet read through N-API.
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
/// Buffers and Uint8Arrays are taken as they are. Everything else gets a new view made with the
/// global `Uint8Array` constructor, the only way Node 20's N-API has to reach a bare
/// SharedArrayBuffer.
///
/// A view of a resizable ArrayBuffer or growable SharedArrayBuffer comes back unread, as
/// [`View::Resizable`]: natively a shrink would pull the memory from under a pool thread, and
/// emnapi (WASI) sizes its wasm copy of a buffer when it first meets it, so a buffer that grew
/// since would overflow that copy.
fn byte_view<'env>(env: &Env, value: &Unknown<'env>, seen: &mut Seen) -> napi::Result<View<'env>> {
  let raw = value.raw();
  let mut buffer = std::ptr::null_mut();
  let mut byte_offset = 0;
  let mut is_uint8 = false;
  if value.is_typedarray()? {
    let (mut kind, mut length) = (0, 0);
    napi::check_status!(unsafe {
      sys::napi_get_typedarray_info(
        env.raw(),
        raw,
        &mut kind,
        &mut length,
        std::ptr::null_mut(),
        &mut buffer,
        &mut byte_offset,
      )
    })?;
    is_uint8 = TypedArrayType::from(kind) == TypedArrayType::Uint8;
  } else if value.is_dataview()? {
    // Ask whether its buffer is detached first: emnapi (WASI) throws from the info call then.
    let view_buffer: Unknown = Object::from_raw(env.raw(), raw).get_named_property("buffer")?;
    if is_detached(env, view_buffer.raw())? {
      return Ok(View::Detached);
    }
    let mut length = 0;
    napi::check_status!(unsafe {
      sys::napi_get_dataview_info(
        env.raw(),
        raw,
        &mut length,
        std::ptr::null_mut(),
        &mut buffer,
        &mut byte_offset,
      )
    })?;
  } else if value.is_arraybuffer()? || is_shared_array_buffer(env, value)? {
    buffer = raw;
  } else {
    return Ok(View::NotBinary);
  }
  let mut detached = false;
  napi::check_status!(unsafe {
    sys::napi_is_detached_arraybuffer(env.raw(), buffer, &mut detached)
  })?;
  if detached {
    return Ok(View::Detached);
  }
  let length_can_change = seen.length_can_change(env, buffer)?;
  let view = if is_uint8 {
    raw
  } else {
    // Every view and buffer has `byteLength`, whatever its element type (Float16Array
    // included); the constructor checks it against the buffer, so a forged one cannot reach
    // past the end.
    let byte_length: f64 = Object::from_raw(env.raw(), raw).get_named_property("byteLength")?;
    let constructor: Function<FnArgs<(Unknown, f64, f64)>, Unknown> =
      env.get_global()?.get_named_property("Uint8Array")?;
    let buffer = unsafe { Unknown::from_raw_unchecked(env.raw(), buffer) };
    constructor
      .new_instance((buffer, byte_offset as f64, byte_length).into())?
      .raw()
  };
  if let Some(kind) = length_can_change {
    let view = unsafe { Unknown::from_raw_unchecked(env.raw(), view) };
    return Ok(View::Resizable { view, kind });
  }
  Ok(View::Live(unsafe {
    Uint8Array::from_napi_value(env.raw(), view)
  }?))
}

/// What kind of buffer `buffer` is when its length can change: a resizable ArrayBuffer or a
/// growable SharedArrayBuffer.
fn length_can_change(env: &Env, buffer: sys::napi_value) -> napi::Result<Option<&'static str>> {
  let buffer = Object::from_raw(env.raw(), buffer);
  for (flag, kind) in [
    ("resizable", "a resizable ArrayBuffer"),
    ("growable", "a growable SharedArrayBuffer"),
  ] {
    let set: Unknown = buffer.get_named_property(flag)?;
    if set.get_type()? == ValueType::Boolean {
      return Ok(unsafe { set.cast::<bool>() }?.then_some(kind));
    }
  }
  Ok(None)
}

/// A copy of a `Uint8Array`'s bytes in a new buffer of fixed length, made by JavaScript's
/// `new Uint8Array(view)` (so that under WASI emnapi never sees the resizable original).
fn fixed_copy(env: &Env, view: Unknown) -> napi::Result<Uint8Array> {
  let constructor: Function<Unknown, Unknown> =
    env.get_global()?.get_named_property("Uint8Array")?;
  let copy = constructor.new_instance(view)?;
  unsafe { Uint8Array::from_napi_value(env.raw(), copy.raw()) }
}

fn is_detached(env: &Env, buffer: sys::napi_value) -> napi::Result<bool> {
  let mut detached = false;
  napi::check_status!(unsafe {
    sys::napi_is_detached_arraybuffer(env.raw(), buffer, &mut detached)
  })?;
  Ok(detached)
}

fn is_shared_array_buffer(env: &Env, value: &Unknown) -> napi::Result<bool> {
  let constructor: Function = env.get_global()?.get_named_property("SharedArrayBuffer")?;
  value.instanceof(constructor)
}

pub fn string(value: &Unknown, name: impl fmt::Display) -> Result<String, Failure> {
  match value.get_type() {
    Ok(ValueType::String) => unsafe { value.cast::<String>() }
      .map_err(|_| Failure::wrong_type(&name, "a string", "an unreadable string")),
    _ => Err(Failure::wrong_type(&name, "a string", &describe(value))),
  }
}

/// A string that `parse` accepts; `allowed` says what it accepts. The string is read into the
/// stack: every string an option accepts is short.
pub fn parsed<T>(
  value: &Unknown,
  name: impl fmt::Display,
  allowed: &str,
  parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, Failure> {
  if let Ok(ValueType::String) = value.get_type() {
    let mut room = [0; SHORT];
    let value = value.value();
    if let Some(parsed) = short_utf8(value.env, value.value, &mut room).and_then(parse) {
      return Ok(parsed);
    }
  }
  let text = string(value, &name)?;
  Err(Failure::bad_value(
    &name,
    allowed,
    &format!("the string {}", quote(&text)),
  ))
}

/// A whole number within `range` (at most 2^53, where every integer is exact in a double).
pub fn whole_number(
  value: &Unknown,
  name: impl fmt::Display,
  range: RangeInclusive<u64>,
) -> Result<u64, Failure> {
  let number = match value.get_type() {
    Ok(ValueType::Number) => unsafe { value.cast::<f64>() }
      .map_err(|_| Failure::wrong_type(&name, "a number", "an unreadable number"))?,
    _ => return Err(Failure::wrong_type(&name, "a number", &describe(value))),
  };
  let (low, high) = (*range.start() as f64, *range.end() as f64);
  if number.fract() == 0.0 && number >= low && number <= high {
    Ok(number as u64)
  } else {
    let allowed = format!("an integer from {} to {}", range.start(), range.end());
    Err(Failure::out_of_range(&name, &allowed, &describe(value)))
  }
}

/// Keeps one of the caller's values alive until dropped, which happens on the JavaScript
/// thread that made it (napi references belong to it).
pub struct Held {
  env: sys::napi_env,
  reference: sys::napi_ref,
  /// The value is element 0 of the referenced array: before N-API 10 only objects, functions
  /// and symbols can be referenced, and a getter may throw `42` or `null`.
  boxed: bool,
}

// SAFETY: the reference is created and deleted on the JavaScript thread; in between it only
// travels with a task and is never dereferenced elsewhere.
unsafe impl Send for Held {}
unsafe impl Sync for Held {}

impl Held {
  pub fn new(env: &Env, value: &Unknown) -> napi::Result<Self> {
    let reference = |raw| {
      let mut reference = ptr::null_mut();
      napi::check_status!(unsafe { sys::napi_create_reference(env.raw(), raw, 1, &mut reference) })
        .map(|()| reference)
    };
    if let Ok(reference) = reference(value.raw()) {
      return Ok(Self {
        env: env.raw(),
        reference,
        boxed: false,
      });
    }
    let mut array = ptr::null_mut();
    napi::check_status!(unsafe { sys::napi_create_array_with_length(env.raw(), 1, &mut array) })?;
    napi::check_status!(unsafe { sys::napi_set_element(env.raw(), array, 0, value.raw()) })?;
    Ok(Self {
      env: env.raw(),
      reference: reference(array)?,
      boxed: true,
    })
  }

  pub fn value<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
    let mut value = ptr::null_mut();
    napi::check_status!(unsafe {
      sys::napi_get_reference_value(env.raw(), self.reference, &mut value)
    })?;
    if self.boxed {
      let array = value;
      napi::check_status!(unsafe { sys::napi_get_element(env.raw(), array, 0, &mut value) })?;
    }
    Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
  }
}

impl Drop for Held {
  fn drop(&mut self) {
    unsafe { sys::napi_delete_reference(self.env, self.reference) };
  }
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

/// What output arguments accept, as the messages name it.
pub const OUTPUT_TYPES: &str = "a Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer";

/// When work writes to an output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Writes {
  /// Before the call returns: natively nothing can resize the output meanwhile.
  Now,
  /// After the call has returned, on libuv's pool.
  Later,
}

pub fn writable(
  env: &Env,
  value: Unknown,
  argument: &str,
  writes: Writes,
) -> Result<Writable, Failure> {
  let wrong_type = |given: &str| Failure::wrong_type(argument, OUTPUT_TYPES, given);
  if value.get_type().ok() != Some(ValueType::Object) {
    return Err(wrong_type(&describe(&value)));
  }
  let hold = |view| {
    Ok(Writable {
      view,
      original: Held::new(env, &value).map_err(|_| wrong_type("a value that could not be held"))?,
    })
  };
  match byte_view(env, &value, &mut Seen::default()) {
    Ok(View::Live(view)) => hold(view),
    // emnapi (WASI) would copy it at its current length into a wasm copy sized earlier.
    Ok(View::Resizable { view, .. })
      if writes == Writes::Now && cfg!(not(target_family = "wasm")) =>
    {
      hold(
        unsafe { Uint8Array::from_napi_value(env.raw(), view.raw()) }
          .map_err(|_| wrong_type(&describe(&value)))?,
      )
    }
    Ok(View::Resizable { kind, .. }) => Err(Failure::wrong_type(
      argument,
      "a buffer of fixed length",
      &format!("{kind} or a view of one, whose length could change while it is written"),
    )),
    Ok(View::Detached) => Err(wrong_type(
      "a detached ArrayBuffer (its memory was transferred)",
    )),
    Ok(View::NotBinary) | Err(_) => Err(wrong_type(&describe(&value))),
  }
}

/// A string's length in UTF-16 code units, known to V8 without converting it; `None` for
/// anything but a string.
pub fn utf16_len(env: &Env, value: &Unknown) -> Option<usize> {
  if value.get_type().ok()? != ValueType::String {
    return None;
  }
  let mut units = 0;
  let status = unsafe {
    sys::napi_get_value_string_utf16(env.raw(), value.raw(), ptr::null_mut(), 0, &mut units)
  };
  (status == sys::Status::napi_ok).then_some(units)
}

/// An array's length, without reading its elements.
pub fn array_len(value: &Unknown) -> Option<u32> {
  let array: napi::bindgen_prelude::Array = unsafe { value.cast() }.ok()?;
  Some(array.len())
}

/// The elements of an array argument, each read by `read` with its name (`inputs[3]`).
pub fn array<'env, T>(
  value: Unknown<'env>,
  argument: &str,
  mut read: impl FnMut(Unknown<'env>, &str) -> Result<T, Failure>,
) -> Result<Vec<T>, Failure> {
  if !value.is_array().unwrap_or(false) {
    return Err(Failure::wrong_type(argument, "an array", &describe(&value)));
  }
  let array: napi::bindgen_prelude::Array = unsafe { value.cast() }
    .map_err(|_| Failure::wrong_type(argument, "an array", "an unreadable array"))?;
  (0..array.len())
    .map(|index| {
      let name = format!("{argument}[{index}]");
      let element: Unknown = array
        .get_element(index)
        .map_err(|_| Failure::wrong_type(&name, "readable", "an element that threw"))?;
      read(element, &name)
    })
    .collect()
}

/// A file path: a string, or a Buffer of its bytes (as `fs` takes). Unix takes any bytes but
/// NUL; elsewhere (Windows, WASI) a name must be UTF-8.
pub fn path(env: &Env, value: Unknown, argument: &str) -> Result<std::path::PathBuf, Failure> {
  let given = bytes(env, value, argument)?;
  let shown = match &given {
    Bytes::Text(text) => format!("the string {}", quote(&String::from_utf8_lossy(text))),
    Bytes::Binary(view) => format!("{} bytes", view.len()),
  };
  let path = match given {
    Bytes::Text(text) => String::from_utf8(text).map(std::path::PathBuf::from).ok(),
    #[cfg(unix)]
    Bytes::Binary(view) => {
      use std::os::unix::ffi::OsStrExt;
      Some(std::path::Path::new(std::ffi::OsStr::from_bytes(&view)).to_path_buf())
    }
    #[cfg(not(unix))]
    Bytes::Binary(view) => std::str::from_utf8(&view)
      .ok()
      .map(std::path::PathBuf::from),
  };
  let refused = || Failure::bad_value(argument, "a non-empty path without NUL bytes", &shown);
  match path {
    Some(path)
      if path.as_os_str().is_empty() || path.as_os_str().as_encoded_bytes().contains(&0) =>
    {
      Err(refused())
    }
    Some(path) => Ok(path),
    None => Err(Failure::bad_value(
      argument,
      "UTF-8 on this platform",
      "other bytes",
    )),
  }
}

/// A short description of a JS value for error messages: `undefined`, `a number (2.5)`,
/// `the string 'Z'`, `an object`, ….
pub fn describe(value: &Unknown) -> String {
  match value.get_type() {
    Ok(ValueType::Undefined) => "undefined".into(),
    Ok(ValueType::Null) => "null".into(),
    Ok(ValueType::Number) => match unsafe { value.cast::<f64>() } {
      Ok(number) => format!("the number {}", js_number(number)),
      Err(_) => "a number".into(),
    },
    Ok(ValueType::String) => match unsafe { value.cast::<String>() } {
      Ok(text) => format!("the string {}", quote(&text)),
      Err(_) => "a string".into(),
    },
    Ok(ValueType::Boolean) => match unsafe { value.cast::<bool>() } {
      Ok(flag) => format!("the boolean {flag}"),
      Err(_) => "a boolean".into(),
    },
    Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array".into(),
    Ok(ValueType::Object) => "an object".into(),
    Ok(ValueType::Function) => "a function".into(),
    Ok(ValueType::Symbol) => "a symbol".into(),
    Ok(ValueType::BigInt) => "a bigint".into(),
    _ => "an unsupported value".into(),
  }
}

/// A number as JavaScript writes it: `Infinity`, `NaN`, `1e+300`, `2.5`, `-0.000001`.
pub fn js_number(number: f64) -> String {
  if number.is_nan() {
    return "NaN".into();
  }
  if number.is_infinite() {
    return if number > 0.0 {
      "Infinity"
    } else {
      "-Infinity"
    }
    .into();
  }
  let magnitude = number.abs();
  if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
    let exponential = format!("{number:e}");
    return match exponential.split_once('e') {
      Some((digits, exponent)) if !exponent.starts_with('-') => format!("{digits}e+{exponent}"),
      _ => exponential,
    };
  }
  format!("{number}")
}

/// `'text'`, cut to 40 characters, with control characters escaped (`\n`, `\u001b`) so a
/// message never carries raw terminal codes into a log.
pub fn quote(text: &str) -> String {
  const SHOWN: usize = 40;
  let mut quoted = String::from("'");
  for character in text.chars().take(SHOWN) {
    // As JSON.stringify writes C0 controls, and util.inspect DEL and C1 ones.
    match character {
      '\n' => quoted.push_str("\\n"),
      '\r' => quoted.push_str("\\r"),
      '\t' => quoted.push_str("\\t"),
      '\u{8}' => quoted.push_str("\\b"),
      '\u{c}' => quoted.push_str("\\f"),
      '\0'..='\u{1f}' => quoted.push_str(&format!("\\u{:04x}", character as u32)),
      '\u{7f}'..='\u{9f}' => quoted.push_str(&format!("\\x{:02X}", character as u32)),
      _ => quoted.push(character),
    }
  }
  if text.chars().nth(SHOWN).is_some() {
    quoted.push('…');
  }
  quoted.push('\'');
  quoted
}

/// An options argument: `undefined`, `null` or an object whose keys are all known. Its options
/// are the enumerable string keys a `for…in` loop visits (what `napi_get_property_names` lists,
/// inherited ones included): those are checked against the known keys, and only those are
/// read, so absent keys cost no lookup. Options are on every call's path, so reading them
/// allocates nothing while they are valid: keys and short strings are read into the stack, and
/// names such as `options.version` are formatted only for an error message.
pub struct Options<'env, 'k> {
  object: Option<Object<'env>>,
  /// Each key given, as the known name it matched and as the caller's own key value.
  given: Vec<(&'k str, sys::napi_value)>,
  path: Cow<'k, str>,
}

/// `path.key`, written out only when a message needs it.
#[derive(Clone, Copy)]
struct OptionName<'a> {
  path: &'a str,
  key: &'a str,
}

impl fmt::Display for OptionName<'_> {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{}.{}", self.path, self.key)
  }
}

/// Room for any option name or option string we accept; a longer one is read in full.
const SHORT: usize = 64;

/// A string value's UTF-8 when it is shorter than [`SHORT`] bytes, read into `room`; `None`
/// when it may have been cut short (or is not a string).
fn short_utf8(env: sys::napi_env, value: sys::napi_value, room: &mut [u8; SHORT]) -> Option<&str> {
  let mut length = 0;
  let status = unsafe {
    sys::napi_get_value_string_utf8(env, value, room.as_mut_ptr().cast(), SHORT, &mut length)
  };
  if status != sys::Status::napi_ok || length >= SHORT - 1 {
    return None;
  }
  std::str::from_utf8(&room[..length]).ok()
}

impl<'env, 'k> Options<'env, 'k> {
  /// Reads `value` as the options object named `path`, refusing keys not in `known`.
  pub fn read(
    value: Option<Unknown<'env>>,
    path: impl Into<Cow<'k, str>>,
    known: &'k [&'k str],
  ) -> Result<Self, Failure> {
    let path = path.into();
    let object = match value {
      None => None,
      Some(value) => match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => None,
        Ok(ValueType::Object) if !value.is_array().unwrap_or(true) => Some(
          unsafe { value.cast::<Object>() }
            .map_err(|_| Failure::wrong_type(&path, "an object", "a value"))?,
        ),
        _ => return Err(Failure::wrong_type(&path, "an object", &describe(&value))),
      },
    };
    let given = match &object {
      Some(object) => given_keys(object, &path, known)?,
      None => Vec::new(),
    };
    Ok(Self {
      object,
      given,
      path,
    })
  }

  fn name<'a>(&'a self, key: &'a str) -> OptionName<'a> {
    OptionName {
      path: &self.path,
      key,
    }
  }

  /// The value under `key`, or `None` when it is missing or `undefined`.
  pub fn get(&self, key: &str) -> Result<Option<Unknown<'env>>, Failure> {
    let (Some(object), Some(&(_, key_value))) = (
      &self.object,
      self.given.iter().find(|(given, _)| *given == key),
    ) else {
      return Ok(None);
    };
    let env = object.value().env;
    let mut value = ptr::null_mut();
    let status = unsafe { sys::napi_get_property(env, object.raw(), key_value, &mut value) };
    if status != sys::Status::napi_ok {
      return Err(Failure::wrong_type(
        self.name(key),
        "readable",
        "a getter that threw",
      ));
    }
    let value = unsafe { Unknown::from_raw_unchecked(env, value) };
    Ok(match value.get_type() {
      Ok(ValueType::Undefined) => None,
      _ => Some(value),
    })
  }

  /// A whole number within `range`.
  pub fn integer(&self, key: &str, range: RangeInclusive<u32>) -> Result<Option<u32>, Failure> {
    let range = u64::from(*range.start())..=u64::from(*range.end());
    self
      .get(key)?
      .map(|value| whole_number(&value, self.name(key), range).map(|number| number as u32))
      .transpose()
  }

  /// A finite number within `range`.
  pub fn number(&self, key: &str, range: RangeInclusive<f64>) -> Result<Option<f64>, Failure> {
    let Some(value) = self.get(key)? else {
      return Ok(None);
    };
    let name = self.name(key);
    let number = match value.get_type() {
      Ok(ValueType::Number) => unsafe { value.cast::<f64>() }
        .map_err(|_| Failure::wrong_type(name, "a number", "an unreadable number"))?,
      _ => return Err(Failure::wrong_type(name, "a number", &describe(&value))),
    };
    if range.contains(&number) {
      Ok(Some(number))
    } else {
      let allowed = format!("a number from {} to {}", range.start(), range.end());
      Err(Failure::out_of_range(name, &allowed, &describe(&value)))
    }
  }

  /// `true` or `false`.
  pub fn boolean(&self, key: &str) -> Result<Option<bool>, Failure> {
    let Some(value) = self.get(key)? else {
      return Ok(None);
    };
    let name = self.name(key);
    match value.get_type() {
      Ok(ValueType::Boolean) => unsafe { value.cast::<bool>() }
        .map(Some)
        .map_err(|_| Failure::wrong_type(name, "a boolean", "an unreadable boolean")),
      _ => Err(Failure::wrong_type(
        name,
        "true or false",
        &describe(&value),
      )),
    }
  }

  /// A nested options object, such as `options.color`.
  pub fn nested(&self, key: &str, known: &'k [&'k str]) -> Result<Options<'env, 'k>, Failure> {
    match self.get(key)? {
      None => Ok(Options {
        object: None,
        given: Vec::new(),
        path: Cow::Borrowed(""),
      }),
      value => Options::read(value, self.name(key).to_string(), known),
    }
  }

  /// Whether there is an object at all (not `undefined` or `null`).
  pub fn is_given(&self) -> bool {
    self.object.is_some()
  }

  /// Applies `parse` to a string option, reporting `allowed` when it returns `None`.
  pub fn parsed<T>(
    &self,
    key: &str,
    allowed: &str,
    parse: impl FnOnce(&str) -> Option<T>,
  ) -> Result<Option<T>, Failure> {
    self
      .get(key)?
      .map(|value| parsed(&value, self.name(key), allowed, parse))
      .transpose()
  }
}

/// The keys of `object` (`path`), each matched to its name in `known`.
fn given_keys<'k>(
  object: &Object,
  path: &str,
  known: &'k [&'k str],
) -> Result<Vec<(&'k str, sys::napi_value)>, Failure> {
  let exotic = || Failure::wrong_type(path, "a plain object", "an exotic object");
  let env = object.value().env;
  let mut keys = ptr::null_mut();
  let mut count = 0;
  unsafe {
    if sys::napi_get_property_names(env, object.raw(), &mut keys) != sys::Status::napi_ok
      || sys::napi_get_array_length(env, keys, &mut count) != sys::Status::napi_ok
    {
      return Err(exotic());
    }
  }
  let mut given = Vec::with_capacity(count as usize);
  for index in 0..count {
    let mut key = ptr::null_mut();
    if unsafe { sys::napi_get_element(env, keys, index, &mut key) } != sys::Status::napi_ok {
      return Err(exotic());
    }
    let mut room = [0; SHORT];
    let name = short_utf8(env, key, &mut room).and_then(|name| known.iter().find(|k| **k == name));
    match name {
      Some(name) => given.push((*name, key)),
      None => {
        let key = utf8(&unsafe { Unknown::from_raw_unchecked(env, key) }).map_err(|_| exotic())?;
        return Err(Failure::unknown_option(path, &key, known));
      }
    }
  }
  Ok(given)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn numbers_are_written_as_javascript_writes_them() {
    for (number, written) in [
      (f64::INFINITY, "Infinity"),
      (f64::NEG_INFINITY, "-Infinity"),
      (f64::NAN, "NaN"),
      (1e300, "1e+300"),
      (1e21, "1e+21"),
      (123456789012345680000.0, "123456789012345680000"),
      (f64::EPSILON, "2.220446049250313e-16"),
      (-2.5, "-2.5"),
      (0.000001, "0.000001"),
      (0.0, "0"),
      (42.0, "42"),
    ] {
      assert_eq!(js_number(number), written);
    }
  }

  #[test]
  fn quotes_escape_control_characters_and_stop_at_forty() {
    assert_eq!(
      quote("a\u{1b}[31mb\n\0\u{7f}"),
      "'a\\u001b[31mb\\n\\u0000\\x7F'"
    );
    assert_eq!(quote(&"x".repeat(41)), format!("'{}…'", "x".repeat(40)));
    assert_eq!(quote(&"x".repeat(40)), format!("'{}'", "x".repeat(40)));
  }
}
