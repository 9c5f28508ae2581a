//! Values described for error messages: what was given, as a person reads it.

use napi::bindgen_prelude::Unknown;
use napi::{JsValue, ValueType};

use crate::napi_raw;

/// A short description of a JS value for error messages: `undefined`, `a number (2.5)`,
/// `the string 'Z'`, `an object`, ….
pub fn describe(value: &Unknown) -> String {
  match value.get_type() {
    Ok(ValueType::Undefined) => "undefined".into(),
    Ok(ValueType::Null) => "null".into(),
    Ok(ValueType::Number) => match napi_raw::number(value) {
      Some(number) => format!("the number {}", js_number(number)),
      None => "a number".into(),
    },
    Ok(ValueType::String) => match napi_raw::string(value) {
      Some(text) => format!("the string {}", quote(&text)),
      None => "a string".into(),
    },
    Ok(ValueType::Boolean) => match napi_raw::boolean(value) {
      Some(flag) => format!("the boolean {flag}"),
      None => "a boolean".into(),
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
