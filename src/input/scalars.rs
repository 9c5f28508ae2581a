//! Strings, numbers, booleans, short strings parsed into a Rust value, arrays and paths. Each
//! is read completely in phase 1 into an owned value.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use napi::bindgen_prelude::{JsObjectValue, Unknown};
use napi::{Env, JsValue, ValueType};

use super::describe::{describe, quote};
use super::views::{bytes, PendingBytes};
use crate::error::Failure;
use crate::napi_raw;

/// Room for any option name or option string we accept; a longer one is read in full.
pub(super) const SHORT: usize = 64;

/// A string's UTF-8, a lone surrogate becoming U+FFFD as Node's `Buffer` and `crypto` make it.
/// V8 does so natively; emnapi (WASI) would encode the surrogate itself, so there the string is
/// read as UTF-16 and converted here.
pub(super) fn utf8(value: &Unknown) -> Option<String> {
  #[cfg(not(target_family = "wasm"))]
  return napi_raw::string(value);
  #[cfg(target_family = "wasm")]
  return napi_raw::utf16(value).map(|text| String::from_utf16_lossy(&text));
}

pub fn string(value: &Unknown, name: impl fmt::Display) -> Result<String, Failure> {
  match value.get_type() {
    Ok(ValueType::String) => napi_raw::string(value)
      .ok_or_else(|| Failure::wrong_type(&name, "a string", "an unreadable string")),
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
    let env = Env::from_raw(napi::JsValue::value(value).env);
    if let Some(parsed) = napi_raw::short_utf8(&env, value, &mut room).and_then(parse) {
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

/// `true`, `false`, or a string that `parse` accepts, for options such as `eci`.
pub enum FlagOr<T> {
  Flag(bool),
  Parsed(T),
}

/// A boolean, or a string that `parse` accepts; `allowed` says what is accepted.
pub fn flag_or_parsed<T>(
  value: &Unknown,
  name: impl fmt::Display,
  allowed: &str,
  parse: impl FnOnce(&str) -> Option<T>,
) -> Result<FlagOr<T>, Failure> {
  match value.get_type() {
    Ok(ValueType::Boolean) => Ok(FlagOr::Flag(napi_raw::boolean(value).unwrap_or(false))),
    Ok(ValueType::String) => parsed(value, name, allowed, parse).map(FlagOr::Parsed),
    _ => Err(Failure::wrong_type(&name, allowed, &describe(value))),
  }
}

/// A number's value, or why it is not one.
pub(super) fn number(value: &Unknown, name: impl fmt::Display) -> Result<f64, Failure> {
  match value.get_type() {
    Ok(ValueType::Number) => napi_raw::number(value)
      .ok_or_else(|| Failure::wrong_type(&name, "a number", "an unreadable number")),
    _ => Err(Failure::wrong_type(&name, "a number", &describe(value))),
  }
}

/// A whole number within `range` (at most 2^53, where every integer is exact in a double).
pub fn whole_number(
  value: &Unknown,
  name: impl fmt::Display,
  range: RangeInclusive<u64>,
) -> Result<u64, Failure> {
  let number = number(value, &name)?;
  let (low, high) = (*range.start() as f64, *range.end() as f64);
  if number.fract() == 0.0 && number >= low && number <= high {
    Ok(number as u64)
  } else {
    let allowed = format!("an integer from {} to {}", range.start(), range.end());
    Err(Failure::out_of_range(&name, &allowed, &describe(value)))
  }
}

/// A string's length in UTF-16 code units, known to V8 without converting it; `None` for
/// anything but a string.
pub fn utf16_len(env: &Env, value: &Unknown) -> Option<usize> {
  if value.get_type().ok()? != ValueType::String {
    return None;
  }
  napi_raw::utf16_len(env, value)
}

/// An array's length, without reading its elements.
pub fn array_len(value: &Unknown) -> Option<u32> {
  Some(napi_raw::array(value)?.len())
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
  let array = napi_raw::array(&value)
    .ok_or_else(|| Failure::wrong_type(argument, "an array", "an unreadable array"))?;
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

/// A file path: a string, or a Buffer of its bytes (as `fs` takes), copied at once. Unix takes
/// any bytes but NUL; elsewhere (Windows, WASI) a name must be UTF-8.
pub fn path(env: &Env, value: Unknown, argument: &str) -> Result<PathBuf, Failure> {
  let given = bytes(env, value, argument)?;
  let shown = match &given {
    PendingBytes::Text(text) => format!("the string {}", quote(&String::from_utf8_lossy(text))),
    PendingBytes::Binary(view) => format!("{} bytes", view.len()),
  };
  let path = match given {
    PendingBytes::Text(text) => String::from_utf8(text).map(PathBuf::from).ok(),
    binary => from_bytes(binary.into_vec(env)?),
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

/// A path from the bytes of its name.
#[cfg(unix)]
fn from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
  use std::os::unix::ffi::OsStringExt;
  Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// A path from the bytes of its name, which must be UTF-8 here.
#[cfg(not(unix))]
fn from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
  String::from_utf8(bytes).ok().map(PathBuf::from)
}
