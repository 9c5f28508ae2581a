//! JavaScript values → Rust: the one place that knows which JS types each argument accepts.
//!
//! Binary arguments are never copied: every kind of view or buffer becomes a `Uint8Array` over
//! the same memory, held by reference until the work is done.

use std::ops::{Deref, RangeInclusive};

use napi::bindgen_prelude::{
  FnArgs, FromNapiValue, Function, JsObjectValue, Object, TypedArrayType, Uint8Array, Unknown,
};
use napi::{sys, Env, JsValue, ValueType};

use crate::error::Failure;

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
  let wrong_type = |given: &str| Failure::wrong_type(argument, DATA_TYPES, given);
  match value.get_type() {
    Ok(ValueType::String) => {
      let text: String = unsafe { value.cast() }.map_err(|_| wrong_type("an unreadable string"))?;
      Ok(Bytes::Text(text.into_bytes()))
    }
    Ok(ValueType::Object) => match byte_view(env, &value) {
      Ok(View::Live(view)) => Ok(Bytes::Binary(view)),
      Ok(View::Detached) => Err(wrong_type(
        "a detached ArrayBuffer (its memory was transferred)",
      )),
      Ok(View::NotBinary) | Err(_) => Err(wrong_type(&describe(&value))),
    },
    _ => Err(wrong_type(&describe(&value))),
  }
}

enum View {
  Live(Uint8Array),
  Detached,
  NotBinary,
}

/// A `Uint8Array` over the memory of any TypedArray, DataView, ArrayBuffer or
/// SharedArrayBuffer.
///
/// Buffers and Uint8Arrays are taken as they are. Everything else gets a new view made with the
/// global `Uint8Array` constructor, the only way Node 20's N-API has to reach a bare
/// SharedArrayBuffer.
fn byte_view(env: &Env, value: &Unknown) -> napi::Result<View> {
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
  Ok(View::Live(unsafe {
    Uint8Array::from_napi_value(env.raw(), view)
  }?))
}

fn is_shared_array_buffer(env: &Env, value: &Unknown) -> napi::Result<bool> {
  let constructor: Function = env.get_global()?.get_named_property("SharedArrayBuffer")?;
  value.instanceof(constructor)
}

/// A short description of a JS value for error messages: `undefined`, `a number (2.5)`,
/// `the string 'Z'`, `an object`, ….
pub fn describe(value: &Unknown) -> String {
  match value.get_type() {
    Ok(ValueType::Undefined) => "undefined".into(),
    Ok(ValueType::Null) => "null".into(),
    Ok(ValueType::Number) => match unsafe { value.cast::<f64>() } {
      Ok(number) => format!("the number {number}"),
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

/// `'text'`, cut to 40 characters.
pub fn quote(text: &str) -> String {
  const SHOWN: usize = 40;
  if text.chars().count() > SHOWN {
    format!("'{}…'", text.chars().take(SHOWN).collect::<String>())
  } else {
    format!("'{text}'")
  }
}

/// An options argument: `undefined`, `null` or an object whose keys are all known.
pub struct Options<'env> {
  object: Option<Object<'env>>,
  path: String,
}

impl<'env> Options<'env> {
  /// Reads `value` as the options object named `path`, refusing keys not in `known`.
  pub fn read(value: Option<Unknown<'env>>, path: &str, known: &[&str]) -> Result<Self, Failure> {
    let object = match value {
      None => None,
      Some(value) => match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => None,
        Ok(ValueType::Object) if !value.is_array().unwrap_or(true) => Some(
          unsafe { value.cast::<Object>() }
            .map_err(|_| Failure::wrong_type(path, "an object", "a value"))?,
        ),
        _ => return Err(Failure::wrong_type(path, "an object", &describe(&value))),
      },
    };
    if let Some(object) = &object {
      let keys = Object::keys(object)
        .map_err(|_| Failure::wrong_type(path, "a plain object", "an exotic object"))?;
      if let Some(unknown) = keys.iter().find(|key| !known.contains(&key.as_str())) {
        return Err(Failure::unknown_option(path, unknown, known));
      }
    }
    Ok(Self {
      object,
      path: path.to_owned(),
    })
  }

  fn name(&self, key: &str) -> String {
    format!("{}.{key}", self.path)
  }

  /// The value under `key`, or `None` when it is missing or `undefined`.
  pub fn get(&self, key: &str) -> Result<Option<Unknown<'env>>, Failure> {
    let Some(object) = &self.object else {
      return Ok(None);
    };
    let value: Unknown = object
      .get_named_property(key)
      .map_err(|error| Failure::wrong_type(&self.name(key), "readable", &error.reason))?;
    Ok(match value.get_type() {
      Ok(ValueType::Undefined) => None,
      _ => Some(value),
    })
  }

  pub fn string(&self, key: &str) -> Result<Option<String>, Failure> {
    self
      .get(key)?
      .map(|value| match value.get_type() {
        Ok(ValueType::String) => unsafe { value.cast::<String>() }
          .map_err(|_| Failure::wrong_type(&self.name(key), "a string", "an unreadable string")),
        _ => Err(Failure::wrong_type(
          &self.name(key),
          "a string",
          &describe(&value),
        )),
      })
      .transpose()
  }

  /// A whole number within `range`.
  pub fn integer(&self, key: &str, range: RangeInclusive<u32>) -> Result<Option<u32>, Failure> {
    let name = self.name(key);
    let allowed = format!("an integer from {} to {}", range.start(), range.end());
    self
      .get(key)?
      .map(|value| {
        let number = match value.get_type() {
          Ok(ValueType::Number) => unsafe { value.cast::<f64>() }
            .map_err(|_| Failure::wrong_type(&name, "a number", "an unreadable number"))?,
          _ => return Err(Failure::wrong_type(&name, "a number", &describe(&value))),
        };
        let fits = number.fract() == 0.0
          && number >= f64::from(*range.start())
          && number <= f64::from(*range.end());
        if fits {
          Ok(number as u32)
        } else {
          Err(Failure::out_of_range(&name, &allowed, &describe(&value)))
        }
      })
      .transpose()
  }

  /// A nested options object, such as `options.color`.
  pub fn nested(&self, key: &str, known: &[&str]) -> Result<Options<'env>, Failure> {
    Options::read(self.get(key)?, &self.name(key), known)
  }

  /// Applies `parse` to a string option, reporting `allowed` when it returns `None`.
  pub fn parsed<T>(
    &self,
    key: &str,
    allowed: &str,
    parse: impl FnOnce(&str) -> Option<T>,
  ) -> Result<Option<T>, Failure> {
    self
      .string(key)?
      .map(|text| {
        parse(&text).ok_or_else(|| {
          Failure::bad_value(
            &self.name(key),
            allowed,
            &format!("the string {}", quote(&text)),
          )
        })
      })
      .transpose()
  }
}
