//! Data → the smallest QR code that holds it.
//!
//! The `qrcode` crate segments the data, builds the bit stream, computes error correction and
//! draws the function patterns and data; [`mask`](super::mask) chooses and applies the mask.

use qrcode::bits::{self, Bits};
use qrcode::canvas::Canvas;
use qrcode::types::{QrError, QrResult};
use qrcode::{ec, EcLevel, Version};

use super::line::Line;
use super::mask::Unmasked;

/// A QR symbol's modules, one bit-packed row per line, dark set.
///
/// Invariant: `rows.len() == width`, `width` is `17 + 4 × version` for a version in 1‥=40,
/// and no row has a bit at or beyond `width`; only [`encode`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
  width: usize,
  rows: Vec<Line>,
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
    self.rows[y].get(x)
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
  let bits = if charset == Charset::Utf8 && !data.is_ascii() {
    smallest_with_eci(data, level, UTF8_ECI)
  } else {
    bits::encode_auto(data, level)
  };
  let bits = bits.map_err(|error| match error {
    QrError::DataTooLong => EncodeError::TooLong {
      level,
      bytes: data.len(),
    },
    // The remaining errors concern explicit versions, modes, ECI numbers and Micro QR, none of
    // which the caller chooses.
    other => unreachable!("qrcode chose its own version and modes, yet reported {other:?}"),
  })?;
  Ok(draw(bits, level))
}

/// Error correction, function patterns and data as the crate draws them; the fast mask choice.
fn draw(bits: Bits, level: EcLevel) -> Matrix {
  let version = bits.version();
  let (data, ec) = ec::construct_codewords(&bits.into_bytes(), version, level)
    .expect("a bit stream that fits its version has codewords");
  let mut canvas = Canvas::new(version, level);
  canvas.draw_all_functional_patterns();
  canvas.draw_data(&data, &ec);
  let width = version.width() as usize;
  Matrix {
    width,
    rows: Unmasked::read(&canvas, width, level).best().rows,
  }
}

/// The smallest normal version holding an ECI designator followed by `data` in optimal
/// segments. The segmentation depends on the version (length fields grow at 10 and 27), so
/// each version is tried in turn.
fn smallest_with_eci(data: &[u8], level: EcLevel, eci: u32) -> QrResult<Bits> {
  for version in 1..=40 {
    let mut bits = Bits::new(Version::Normal(version));
    let pushed = bits
      .push_eci_designator(eci)
      .and_then(|()| bits.push_optimal_data(data))
      .and_then(|()| bits.push_terminator(level));
    match pushed {
      Ok(()) => return Ok(bits),
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
  use qrcode::{Color, QrCode};

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

  /// A small deterministic generator, so every run checks the same inputs.
  struct XorShift(u64);

  impl XorShift {
    fn next(&mut self) -> u64 {
      self.0 ^= self.0 << 13;
      self.0 ^= self.0 >> 7;
      self.0 ^= self.0 << 17;
      self.0
    }

    fn below(&mut self, n: usize) -> usize {
      (self.next() % n as u64) as usize
    }
  }

  /// Data mixing digits, upper-case alphanumerics, lower-case text and raw bytes, so the
  /// optimiser produces every segment mode.
  fn mixed_data(random: &mut XorShift, length: usize) -> Vec<u8> {
    const ALPHABETS: [&[u8]; 3] = [
      b"0123456789",
      b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:",
      b"abcdefghijklmnopqrstuvwxyz?&=",
    ];
    let mut data = Vec::with_capacity(length);
    while data.len() < length {
      let run = 1 + random.below(24);
      let alphabet = random.below(4);
      for _ in 0..run.min(length - data.len()) {
        data.push(match ALPHABETS.get(alphabet) {
          Some(chars) => chars[random.below(chars.len())],
          None => random.next() as u8,
        });
      }
    }
    data
  }

  /// The crate's own `QrCode::with_bits`, which masks with its slow exhaustive scorer, is the
  /// oracle: every module must agree, so the mask chosen is the same.
  #[test]
  fn every_module_equals_the_qrcode_crates_choice() {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let levels = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
    let mut versions_seen = [false; 40];
    for case in 0..2400 {
      let level = levels[case % 4];
      // Mostly short data (the common case, fast to check), with every size up to version 40.
      let length = if case % 8 == 0 {
        1 + random.below(2900)
      } else {
        1 + random.below(120)
      };
      let data = mixed_data(&mut random, length);
      let Ok(bits) = bits::encode_auto(&data, level) else {
        continue;
      };
      let expected = QrCode::with_bits(bits, level).unwrap();
      versions_seen[expected.width() / 4 - 5] = true;
      let matrix = draw(bits::encode_auto(&data, level).unwrap(), level);
      let colors = expected.to_colors();
      for y in 0..matrix.width() {
        for x in 0..matrix.width() {
          assert_eq!(
            matrix.is_dark(x, y),
            colors[y * matrix.width() + x] == Color::Dark,
            "case {case}: {} bytes at {level:?}, module ({x}, {y})",
            data.len()
          );
        }
      }
    }
    let missing: Vec<usize> = (1..=40).filter(|v| !versions_seen[v - 1]).collect();
    assert!(missing.len() < 4, "versions never produced: {missing:?}");
  }

  #[test]
  fn every_version_and_level_equals_the_crate() {
    for version in 1..=40 {
      for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
        let text = format!("V{version}{level:?}"); // fits version 1 at any level
        let bits = || {
          let mut bits = Bits::new(Version::Normal(version));
          bits.push_optimal_data(text.as_bytes()).unwrap();
          bits.push_terminator(level).unwrap();
          bits
        };
        let expected = QrCode::with_bits(bits(), level).unwrap().to_colors();
        let matrix = draw(bits(), level);
        let ours: Vec<Color> = (0..matrix.width() * matrix.width())
          .map(|i| {
            if matrix.is_dark(i % matrix.width(), i / matrix.width()) {
              Color::Dark
            } else {
              Color::Light
            }
          })
          .collect();
        assert_eq!(ours, expected, "version {version} level {level:?}");
      }
    }
  }

  #[test]
  fn refuses_empty_data() {
    assert_eq!(
      encode(b"", EcLevel::M, Charset::Utf8),
      Err(EncodeError::Empty)
    );
  }
}
