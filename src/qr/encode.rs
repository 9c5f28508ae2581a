//! Data → the smallest QR code that holds it.

use qrcode::bits::Bits;
use qrcode::types::{QrError, QrResult};
use qrcode::{Color, EcLevel, QrCode, Version};

/// A QR symbol's modules, row-major, `true` for dark.
///
/// Invariant: `dark.len() == width * width`, and `width` is `17 + 4 × version` for a version in
/// 1‥=40; only [`encode`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
  width: usize,
  dark: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
  /// There is nothing to encode.
  Empty,
  /// Even version 40 at this level cannot hold the data.
  TooLong { level: EcLevel, bytes: usize },
}

impl Matrix {
  pub fn width(&self) -> usize {
    self.width
  }

  pub fn is_dark(&self, x: usize, y: usize) -> bool {
    self.dark[y * self.width + x]
  }
}

/// What the data's bytes mean to a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
  /// Arbitrary bytes, written as they are with no ECI designator.
  Binary,
  /// UTF-8 text. Non-ASCII text is preceded by ECI 26 (UTF-8): without it, decoders guess the
  /// byte segment's charset, and ZXing guesses Shift_JIS or Latin-1 for many UTF-8 strings.
  Utf8,
}

/// ECI assignment number of UTF-8 (AIM ECI specification).
const UTF8_ECI: u32 = 26;

/// Encodes `data` at `level` in the smallest version that fits, splitting it into numeric,
/// alphanumeric and byte segments so the bit stream is as short as possible.
pub fn encode(data: &[u8], level: EcLevel, charset: Charset) -> Result<Matrix, EncodeError> {
  if data.is_empty() {
    return Err(EncodeError::Empty);
  }
  let code = if charset == Charset::Utf8 && !data.is_ascii() {
    smallest_with_eci(data, level, UTF8_ECI)
  } else {
    QrCode::with_error_correction_level(data, level)
  };
  let code = code.map_err(|error| match error {
    QrError::DataTooLong => EncodeError::TooLong {
      level,
      bytes: data.len(),
    },
    // The remaining errors concern explicit versions, modes, ECI numbers and Micro QR, none of
    // which the caller chooses.
    other => unreachable!("qrcode chose its own version and modes, yet reported {other:?}"),
  })?;
  Ok(Matrix {
    width: code.width(),
    dark: code
      .into_colors()
      .into_iter()
      .map(|color| color == Color::Dark)
      .collect(),
  })
}

/// The smallest normal version holding an ECI designator followed by `data` in optimal
/// segments. The segmentation depends on the version (length fields grow at 10 and 27), so
/// each version is tried in turn.
fn smallest_with_eci(data: &[u8], level: EcLevel, eci: u32) -> QrResult<QrCode> {
  for version in 1..=40 {
    let mut bits = Bits::new(Version::Normal(version));
    let pushed = bits
      .push_eci_designator(eci)
      .and_then(|()| bits.push_optimal_data(data))
      .and_then(|()| bits.push_terminator(level));
    match pushed {
      Ok(()) => return QrCode::with_bits(bits, level),
      Err(QrError::DataTooLong) => continue,
      Err(other) => return Err(other),
    }
  }
  Err(QrError::DataTooLong)
}

/// The most 8-bit bytes a version-40 symbol holds at `level` (ISO/IEC 18004 table 7).
pub fn max_bytes(level: EcLevel) -> usize {
  match level {
    EcLevel::L => 2953,
    EcLevel::M => 2331,
    EcLevel::Q => 1663,
    EcLevel::H => 1273,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn picks_the_smallest_version() {
    // 17 bytes fill version 1 at L (17 bytes) but need version 3 at H (v2-H holds 16).
    assert_eq!(
      encode(b"https://qrhash.js", EcLevel::L, Charset::Utf8)
        .unwrap()
        .width(),
      21
    );
    assert_eq!(
      encode(b"https://qrhash.js", EcLevel::H, Charset::Utf8)
        .unwrap()
        .width(),
      29
    );
  }

  #[test]
  fn has_finder_patterns_in_three_corners() {
    let matrix = encode(b"hello", EcLevel::M, Charset::Utf8).unwrap();
    let last = matrix.width() - 1;
    for (x, y) in [(0, 0), (last, 0), (0, last)] {
      assert!(matrix.is_dark(x, y), "corner ({x}, {y}) is light");
    }
    assert!(!matrix.is_dark(last, last) || matrix.width() > 21);
  }

  #[test]
  fn capacity_is_exactly_the_table() {
    for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
      let fits = vec![0xA5u8; max_bytes(level)];
      assert_eq!(encode(&fits, level, Charset::Binary).unwrap().width(), 177);
      let too_long = vec![0xA5u8; max_bytes(level) + 1];
      assert_eq!(
        encode(&too_long, level, Charset::Binary),
        Err(EncodeError::TooLong {
          level,
          bytes: too_long.len()
        })
      );
    }
  }

  #[test]
  fn non_ascii_text_costs_exactly_the_eci_header() {
    // "é" is 2 bytes: 4 + 8 + 2×8 + (4 + 8 ECI) bits; version 1-H holds 72 data bits.
    let text = "é".repeat(2);
    let with_eci = encode(text.as_bytes(), EcLevel::H, Charset::Utf8).unwrap();
    let raw = encode(text.as_bytes(), EcLevel::H, Charset::Binary).unwrap();
    assert_eq!(with_eci.width(), 21);
    assert_ne!(with_eci, raw, "the ECI designator changes the symbol");
    // ASCII text never gets a designator: it reads the same under any charset guess.
    assert_eq!(
      encode(b"ascii", EcLevel::M, Charset::Utf8),
      encode(b"ascii", EcLevel::M, Charset::Binary)
    );
  }

  #[test]
  fn eci_text_still_reaches_version_40() {
    // Version 40-L has 23 648 data bits: 12 for ECI 26 and 20 for the byte-mode header leave
    // room for 2952 bytes, 1476 two-byte "é".
    let fits = "é".repeat(1476);
    assert_eq!(
      encode(fits.as_bytes(), EcLevel::L, Charset::Utf8)
        .unwrap()
        .width(),
      177
    );
    let too_long = "é".repeat(1477);
    assert!(matches!(
      encode(too_long.as_bytes(), EcLevel::L, Charset::Utf8),
      Err(EncodeError::TooLong { .. })
    ));
  }

  #[test]
  fn refuses_empty_data() {
    assert_eq!(
      encode(b"", EcLevel::M, Charset::Utf8),
      Err(EncodeError::Empty)
    );
  }
}
