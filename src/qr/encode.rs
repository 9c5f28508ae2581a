//! Data → the smallest QR code that holds it.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

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

/// Encodes `data` at `level` in the smallest version that fits, splitting it into numeric,
/// alphanumeric and byte segments so the bit stream is as short as possible.
pub fn encode(data: &[u8], level: EcLevel) -> Result<Matrix, EncodeError> {
  if data.is_empty() {
    return Err(EncodeError::Empty);
  }
  let code = QrCode::with_error_correction_level(data, level).map_err(|error| match error {
    QrError::DataTooLong => EncodeError::TooLong {
      level,
      bytes: data.len(),
    },
    // The remaining errors concern explicit versions, modes and Micro QR, none of which this
    // call chooses.
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
      encode(b"https://qrhash.js", EcLevel::L).unwrap().width(),
      21
    );
    assert_eq!(
      encode(b"https://qrhash.js", EcLevel::H).unwrap().width(),
      29
    );
  }

  #[test]
  fn has_finder_patterns_in_three_corners() {
    let matrix = encode(b"hello", EcLevel::M).unwrap();
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
      assert_eq!(encode(&fits, level).unwrap().width(), 177);
      let too_long = vec![0xA5u8; max_bytes(level) + 1];
      assert_eq!(
        encode(&too_long, level),
        Err(EncodeError::TooLong {
          level,
          bytes: too_long.len()
        })
      );
    }
  }

  #[test]
  fn refuses_empty_data() {
    assert_eq!(encode(b"", EcLevel::M), Err(EncodeError::Empty));
  }
}
