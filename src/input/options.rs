//! Options objects: which keys were given, each read on demand.

use std::borrow::Cow;
use std::fmt;
use std::ops::RangeInclusive;

use napi::bindgen_prelude::{Object, Unknown};
use napi::{Env, JsValue, ValueType};

use super::describe::describe;
use super::scalars::{flag_or_parsed, number, parsed, utf8, whole_number, FlagOr, SHORT};
use crate::error::Failure;
use crate::napi_raw;

/// An options argument: `undefined`, `null` or an object whose keys are all known. Its options
/// are the enumerable string keys a `for…in` loop visits (what `napi_get_property_names` lists,
/// inherited ones included): those are checked against the known keys, and only those are
/// read, so absent keys cost no lookup. Options are on every call's path, so reading them
/// allocates nothing while they are valid: keys and short strings are read into the stack, and
/// names such as `options.version` are formatted only for an error message.
pub struct Options<'env, 'k> {
  object: Option<Object<'env>>,
  /// Each key given, as the known name it matched and as the caller's own key value.
  given: Vec<(&'k str, Unknown<'env>)>,
  /// A string given in place of the object where `encoding` is an option: that encoding
  /// (`sha256(data, 'hex')`, as `crypto.hash(algorithm, data, 'hex')` is written).
  encoding: Option<Unknown<'env>>,
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
    match self.key {
      // The options argument itself, given as a string (see `Options::encoding`).
      "" => write!(f, "{}", self.path),
      key => write!(f, "{}.{key}", self.path),
    }
  }
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
        Ok(ValueType::String) if known.contains(&"encoding") => {
          return Ok(Self {
            object: None,
            given: Vec::new(),
            encoding: Some(value),
            path,
          })
        }
        Ok(ValueType::Object) if !value.is_array().unwrap_or(true) => Some(
          napi_raw::object(&value)
            .ok_or_else(|| Failure::wrong_type(&path, "an object", "a value"))?,
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
      encoding: None,
      path,
    })
  }

  fn name<'a>(&'a self, key: &'a str) -> OptionName<'a> {
    let key = if self.encoding.is_some() { "" } else { key };
    OptionName {
      path: &self.path,
      key,
    }
  }

  /// The value under `key`, or `None` when it is missing or `undefined`.
  pub fn get(&self, key: &str) -> Result<Option<Unknown<'env>>, Failure> {
    if let Some(encoding) = self.encoding.filter(|_| key == "encoding") {
      return Ok(Some(encoding));
    }
    let (Some(object), Some(&(_, key_value))) = (
      &self.object,
      self.given.iter().find(|(given, _)| *given == key),
    ) else {
      return Ok(None);
    };
    let env = Env::from_raw(object.value().env);
    let value = napi_raw::property(&env, object, &key_value)
      .ok_or_else(|| Failure::wrong_type(self.name(key), "readable", "a getter that threw"))?;
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
    let number = number(&value, name)?;
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
      Ok(ValueType::Boolean) => napi_raw::boolean(&value)
        .map(Some)
        .ok_or_else(|| Failure::wrong_type(name, "a boolean", "an unreadable boolean")),
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
        encoding: None,
        path: Cow::Borrowed(""),
      }),
      value => Options::read(value, self.name(key).to_string(), known),
    }
  }

  /// Whether there is an object at all (not `undefined` or `null`).
  pub fn is_given(&self) -> bool {
    self.object.is_some()
  }

  /// `true`, `false` or a string option that `parse` accepts, reporting `allowed` otherwise.
  pub fn flag_or_parsed<T>(
    &self,
    key: &str,
    allowed: &str,
    parse: impl FnOnce(&str) -> Option<T>,
  ) -> Result<Option<FlagOr<T>>, Failure> {
    self
      .get(key)?
      .map(|value| flag_or_parsed(&value, self.name(key), allowed, parse))
      .transpose()
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
fn given_keys<'env, 'k>(
  object: &Object<'env>,
  path: &str,
  known: &'k [&'k str],
) -> Result<Vec<(&'k str, Unknown<'env>)>, Failure> {
  let exotic = || Failure::wrong_type(path, "a plain object", "an exotic object");
  let env = Env::from_raw(object.value().env);
  let (keys, count) = napi_raw::property_names(&env, object).ok_or_else(exotic)?;
  let mut given = Vec::with_capacity(count as usize);
  for index in 0..count {
    let key = napi_raw::element(&env, &keys, index).ok_or_else(exotic)?;
    let mut room = [0; SHORT];
    let name = napi_raw::short_utf8(&env, &key, &mut room)
      .and_then(|name| known.iter().find(|k| **k == name));
    match name {
      Some(name) => given.push((*name, key)),
      None => {
        let key = utf8(&key).ok_or_else(exotic)?;
        return Err(Failure::unknown_option(path, &key, known));
      }
    }
  }
  Ok(given)
}

/// Whether `value` is read as an object of named fields (such as a QR segment's
/// `{ data, mode }`) rather than as binary data.
pub fn is_plain_object(value: &Unknown) -> bool {
  matches!(value.get_type(), Ok(ValueType::Object))
    && !value.is_typedarray().unwrap_or(true)
    && !value.is_dataview().unwrap_or(true)
    && !value.is_arraybuffer().unwrap_or(true)
}
