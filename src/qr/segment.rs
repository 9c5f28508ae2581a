//! Data → segments: which mode writes each run of the data, chosen for the fewest bits.
//!
//! A [`Plan`] is everything that precedes the terminator in a symbol's bit stream: an optional
//! ECI designator and the segments. Its size depends on the version only through the length
//! fields, which change at versions 10 and 27 (and with each Micro QR version), so a plan is
//! made for a version and measured against that version's capacity.

use encoding_rs::SHIFT_JIS;
use qrcode::bits::Bits;
use qrcode::optimize::{Optimizer, Parser, Segment as Span};
use qrcode::types::{Mode, QrResult, Version};

/// ECI assignment numbers (AIM ECI specification).
pub const UTF8_ECI: u32 = 26;
pub const SHIFT_JIS_ECI: u32 = 20;

/// What the caller wants encoded.
pub enum Content<'a> {
  /// UTF-8 text: numeric, alphanumeric, byte and, for Japanese, kanji segments.
  Text(&'a [u8]),
  /// Bytes written as they are: numeric, alphanumeric and byte segments, never kanji.
  Binary(&'a [u8]),
  /// Segments the caller chose.
  Pieces(&'a [Piece]),
}

/// Whether text gets an ECI designator naming its character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Eci {
  /// Only when a byte segment holds non-ASCII text, which decoders would otherwise guess at.
  #[default]
  Auto,
  Always,
  Never,
}

/// One caller-chosen segment. Invariant: `bytes` is valid for `mode` (digits for numeric, the
/// 45 alphanumeric characters, Shift_JIS double-byte characters for kanji); only
/// [`Piece::new`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
  mode: Option<Mode>,
  bytes: Vec<u8>,
  text: bool,
}

/// Why a piece cannot be written in the mode asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceError {
  Empty,
  NotNumeric,
  NotAlphanumeric,
  NotKanji,
}

impl Piece {
  /// A segment of `text` (UTF-8) or raw bytes in `mode`, or in the best modes when `None`.
  pub fn new(mode: Option<Mode>, bytes: Vec<u8>, text: bool) -> Result<Self, PieceError> {
    if bytes.is_empty() {
      return Err(PieceError::Empty);
    }
    let bytes = match mode {
      Some(Mode::Numeric) if !bytes.iter().all(u8::is_ascii_digit) => {
        return Err(PieceError::NotNumeric)
      }
      Some(Mode::Alphanumeric) if !bytes.iter().all(|&byte| is_alphanumeric(byte)) => {
        return Err(PieceError::NotAlphanumeric)
      }
      Some(Mode::Kanji) => {
        let text = std::str::from_utf8(&bytes).map_err(|_| PieceError::NotKanji)?;
        kanji_bytes(text).ok_or(PieceError::NotKanji)?
      }
      _ => bytes,
    };
    Ok(Self { mode, bytes, text })
  }
}

/// The 45 characters of alphanumeric mode.
fn is_alphanumeric(byte: u8) -> bool {
  matches!(byte, b'0'..=b'9' | b'A'..=b'Z' | b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':')
}

/// `text` in Shift_JIS if every character is a double-byte character of kanji mode.
fn kanji_bytes(text: &str) -> Option<Vec<u8>> {
  let sjis = shift_jis(text)?;
  let whole = sjis.len() == 2 * text.chars().count();
  (whole && sjis.chunks(2).all(is_kanji_pair)).then_some(sjis)
}

/// `text` in Shift_JIS, if it has no character Shift_JIS lacks.
fn shift_jis(text: &str) -> Option<Vec<u8>> {
  let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
  (!unmappable).then(|| bytes.into_owned())
}

/// A Shift_JIS double byte in the two ranges kanji mode covers (ISO/IEC 18004 §7.4.6).
fn is_kanji_pair(pair: &[u8]) -> bool {
  let code = u16::from_be_bytes([pair[0], pair[1]]);
  (0x8140..=0x9FFC).contains(&code) || (0xE040..=0xEBBF).contains(&code)
}

/// One run of a plan: a mode over `bytes[begin..end]`, and whether those bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
  pub span: Span,
  pub text: bool,
}

/// An ECI designator (if any) and runs over one byte buffer. Kanji runs hold Shift_JIS, other
/// text runs UTF-8 (or Shift_JIS when `charset` says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
  pub eci: Option<u32>,
  pub bytes: Vec<u8>,
  pub runs: Vec<Run>,
}

impl Plan {
  /// Bits before the terminator at `version`.
  pub fn bit_len(&self, version: Version) -> usize {
    let eci = if self.eci.is_some() { 4 + 8 } else { 0 };
    eci
      + self
        .runs
        .iter()
        .map(|run| run.span.encoded_len(version))
        .sum::<usize>()
  }

  /// The bit stream at `version`, unterminated.
  pub fn bits(&self, version: Version) -> QrResult<Bits> {
    let mut bits = Bits::new(version);
    if let Some(eci) = self.eci {
      bits.push_eci_designator(eci)?;
    }
    bits.push_segments(&self.bytes, self.runs.iter().map(|run| run.span))?;
    Ok(bits)
  }

  /// Whether a byte run holds non-ASCII bytes: text a decoder would have to guess the
  /// character set of.
  fn has_non_ascii_bytes(&self) -> bool {
    self.runs.iter().any(|run| {
      run.span.mode == Mode::Byte && !self.bytes[run.span.begin..run.span.end].is_ascii()
    })
  }
}

/// The shortest plan for `content` at `version`.
pub fn plan(content: &Content, version: Version, eci: Eci) -> Plan {
  match content {
    Content::Binary(bytes) => Plan {
      eci: None,
      runs: optimal_runs(bytes, 0, version, false, false),
      bytes: bytes.to_vec(),
    },
    Content::Text(utf8) => {
      let as_utf8 = text_plan(utf8.to_vec(), version, eci, false, UTF8_ECI);
      let as_kanji = (!utf8.is_ascii())
        .then(|| std::str::from_utf8(utf8).ok().and_then(shift_jis))
        .flatten()
        .map(|sjis| text_plan(sjis, version, eci, true, SHIFT_JIS_ECI))
        // Kanji mode is read as Shift_JIS by every decoder; a Shift_JIS byte run is not.
        .filter(|plan| !plan.has_non_ascii_bytes());
      match as_kanji {
        Some(kanji) if kanji.bit_len(version) < as_utf8.bit_len(version) => kanji,
        _ => as_utf8,
      }
    }
    Content::Pieces(pieces) => {
      let mut bytes = Vec::new();
      let mut runs = Vec::new();
      for piece in pieces.iter() {
        let begin = bytes.len();
        bytes.extend_from_slice(&piece.bytes);
        match piece.mode {
          Some(mode) => runs.push(Run {
            span: Span {
              mode,
              begin,
              end: bytes.len(),
            },
            text: piece.text,
          }),
          None => runs.extend(optimal_runs(
            &bytes[begin..],
            begin,
            version,
            false,
            piece.text,
          )),
        }
      }
      let text_bytes = runs
        .iter()
        .any(|run| run.text && run.span.mode == Mode::Byte);
      let mut plan = Plan {
        eci: None,
        bytes,
        runs,
      };
      plan.eci = match eci {
        Eci::Always if text_bytes => Some(UTF8_ECI),
        Eci::Auto if plan.has_non_ascii_bytes() && text_bytes => Some(UTF8_ECI),
        _ => None,
      };
      plan
    }
  }
}

fn text_plan(bytes: Vec<u8>, version: Version, eci: Eci, kanji: bool, charset_eci: u32) -> Plan {
  let runs = optimal_runs(&bytes, 0, version, kanji, true);
  let mut plan = Plan {
    eci: None,
    bytes,
    runs,
  };
  plan.eci = match eci {
    Eci::Always => Some(charset_eci),
    Eci::Auto if plan.has_non_ascii_bytes() => Some(charset_eci),
    _ => None,
  };
  plan
}

/// The crate's segmentation of `data` (which sits at `offset` in the plan's buffer). Kanji
/// runs are only allowed over Shift_JIS: in UTF-8 or binary data a byte pair that looks like
/// Shift_JIS would be decoded as a kanji character, not as those bytes.
fn optimal_runs(data: &[u8], offset: usize, version: Version, kanji: bool, text: bool) -> Vec<Run> {
  let parsed = Parser::new(data).map(|span| match span.mode {
    Mode::Kanji if !kanji => Span {
      mode: Mode::Byte,
      ..span
    },
    _ => span,
  });
  Optimizer::new(parsed, version)
    .map(|span| Run {
      span: Span {
        mode: span.mode,
        begin: span.begin + offset,
        end: span.end + offset,
      },
      text,
    })
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  const V1: Version = Version::Normal(1);

  fn modes(plan: &Plan) -> Vec<Mode> {
    plan.runs.iter().map(|run| run.span.mode).collect()
  }

  #[test]
  fn mixes_modes_for_the_fewest_bits() {
    let plan = plan(
      &Content::Text(b"HTTPS://EXAMPLE.COM/12345678901234"),
      V1,
      Eci::Auto,
    );
    assert_eq!(plan.eci, None);
    assert_eq!(modes(&plan), [Mode::Alphanumeric, Mode::Numeric]);
  }

  #[test]
  fn japanese_text_goes_to_kanji_mode_without_eci() {
    let text = "日本語の漢字テキスト";
    let plan = plan(&Content::Text(text.as_bytes()), V1, Eci::Auto);
    assert_eq!(modes(&plan), [Mode::Kanji]);
    assert_eq!(plan.eci, None);
    assert_eq!(plan.bit_len(V1), 4 + 8 + 13 * 10);
    let (decoded, _, _) = SHIFT_JIS.decode(&plan.bytes);
    assert_eq!(decoded, text);
  }

  #[test]
  fn other_non_ascii_text_is_utf8_after_eci_26() {
    for text in ["Grüße", "ｱｲｳ half-width katakana", "中文 😀"] {
      let plan = plan(&Content::Text(text.as_bytes()), V1, Eci::Auto);
      assert_eq!(plan.eci, Some(UTF8_ECI), "{text}");
      assert_eq!(plan.bytes, text.as_bytes());
      assert!(!modes(&plan).contains(&Mode::Kanji), "{text}");
    }
    let never = plan(&Content::Text("Grüße".as_bytes()), V1, Eci::Never);
    assert_eq!(never.eci, None);
    let always = plan(&Content::Text(b"ascii"), V1, Eci::Always);
    assert_eq!(always.eci, Some(UTF8_ECI));
  }

  #[test]
  fn bytes_that_look_like_shift_jis_stay_bytes() {
    // 0x81 0x40 is a Shift_JIS double byte; as binary data it must come back as two bytes.
    let plan = plan(&Content::Binary(&[0x81, 0x40, 0x81, 0x40]), V1, Eci::Auto);
    assert_eq!(modes(&plan), [Mode::Byte]);
    assert_eq!(plan.eci, None);
    let utf8 = plan_text("あいうえお");
    assert!(utf8
      .runs
      .iter()
      .all(|run| run.span.mode != Mode::Byte || utf8.eci.is_none()));
  }

  fn plan_text(text: &str) -> Plan {
    plan(&Content::Text(text.as_bytes()), V1, Eci::Auto)
  }

  #[test]
  fn pieces_keep_their_modes() {
    let pieces = [
      Piece::new(Some(Mode::Numeric), b"0123".to_vec(), true).unwrap(),
      Piece::new(Some(Mode::Kanji), "漢字".as_bytes().to_vec(), true).unwrap(),
      Piece::new(Some(Mode::Byte), "é".as_bytes().to_vec(), true).unwrap(),
      Piece::new(None, b"ABC123".to_vec(), true).unwrap(),
    ];
    let plan = plan(&Content::Pieces(&pieces), V1, Eci::Auto);
    assert_eq!(
      modes(&plan),
      [Mode::Numeric, Mode::Kanji, Mode::Byte, Mode::Alphanumeric]
    );
    assert_eq!(plan.eci, Some(UTF8_ECI));
  }

  #[test]
  fn pieces_are_checked_against_their_mode() {
    let piece = |mode, data: &str| Piece::new(Some(mode), data.as_bytes().to_vec(), true);
    assert_eq!(piece(Mode::Numeric, "12a"), Err(PieceError::NotNumeric));
    assert_eq!(
      piece(Mode::Alphanumeric, "abc"),
      Err(PieceError::NotAlphanumeric)
    );
    assert_eq!(piece(Mode::Kanji, "abc"), Err(PieceError::NotKanji));
    assert_eq!(piece(Mode::Kanji, "ｱ"), Err(PieceError::NotKanji));
    assert_eq!(piece(Mode::Byte, ""), Err(PieceError::Empty));
    assert!(piece(Mode::Alphanumeric, "HTTPS://X.Y/$%*+-.").is_ok());
  }
}
