//! Data → segments: which mode writes each run of the data, chosen for the fewest bits.
//!
//! A [`Plan`] is everything that precedes the terminator in a symbol's bit stream: an optional
//! ECI designator, an optional FNC1 mode indicator and the segments. Its size depends on the version only through the length
//! fields, which change at versions 10 and 27 (and with each Micro QR version and rMQR size),
//! so a plan is made for a version and measured against that version's capacity. What a kind of
//! symbol spends on headers is its [`Headers`].

use encoding_rs::SHIFT_JIS;
use qrcode::bits::Bits;
use qrcode::optimize::Segment as Span;
use qrcode::types::{Mode, QrResult, Version};

use super::bit_writer::BitWriter;

/// What one version of a kind of symbol spends on each segment's header, and which modes it
/// has: all the planner needs to know of it. The data after a header is written alike in QR,
/// Micro QR and rMQR.
pub trait Headers: Copy {
  /// Bits of a mode indicator.
  fn mode_bits(self) -> usize;
  /// Bits of the character count of a `mode` segment.
  fn count_bits(self, mode: Mode) -> usize;
  /// Whether the symbol has `mode`.
  fn offers(self, mode: Mode) -> bool;

  /// Bits of `span` written as one segment, header included.
  fn segment_bits(self, span: &Span) -> usize {
    let bytes = span.end - span.begin;
    let characters = if span.mode == Mode::Kanji {
      bytes / 2
    } else {
      bytes
    };
    self.mode_bits() + self.count_bits(span.mode) + span.mode.data_bits_count(characters)
  }
}

impl Headers for Version {
  fn mode_bits(self) -> usize {
    self.mode_bits_count()
  }

  fn count_bits(self, mode: Mode) -> usize {
    mode.length_bits_count(self)
  }

  fn offers(self, mode: Mode) -> bool {
    match self {
      Version::Micro(1) => mode == Mode::Numeric,
      Version::Micro(2) => matches!(mode, Mode::Numeric | Mode::Alphanumeric),
      _ => true,
    }
  }
}

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

/// FNC1 modes: data formatted to an industry standard, which decoders report by their
/// symbology identifier (`]Q3` for GS1, `]Q5` for others). In either, a GS character
/// (0x1D, the field separator) is written as `%` in alphanumeric segments and a literal `%` as
/// `%%`, as ISO/IEC 18004 requires; numeric and byte segments carry bytes as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fnc1 {
  #[default]
  None,
  /// FNC1 in first position: GS1 element strings and GS1 Digital Link URIs.
  Gs1,
  /// FNC1 in second position, with its application indicator.
  Industry(ApplicationIndicator),
}

/// The codeword of an application indicator: 0‥=99 for two digits, or a letter's ASCII value
/// + 100. Only [`Fnc1::industry`] builds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationIndicator(u8);

impl Fnc1 {
  /// FNC1 in second position for an application indicator of two digits ("00"‥"99") or one
  /// ASCII letter; `None` for anything else.
  pub fn industry(indicator: &str) -> Option<Self> {
    match indicator.as_bytes() {
      [tens @ b'0'..=b'9', ones @ b'0'..=b'9'] => Some(Self::Industry(ApplicationIndicator(
        (tens - b'0') * 10 + (ones - b'0'),
      ))),
      [letter] if letter.is_ascii_alphabetic() => {
        Some(Self::Industry(ApplicationIndicator(letter + 100)))
      }
      _ => None,
    }
  }

  fn is_on(self) -> bool {
    self != Self::None
  }

  /// Bits of its mode indicator (and application indicator).
  fn bit_len(self) -> usize {
    match self {
      Self::None => 0,
      Self::Gs1 => 4,
      Self::Industry(_) => 4 + 8,
    }
  }
}

/// The ASCII group separator: GS1's FNC1 between fields.
const GS: u8 = 0x1d;

/// Alphanumeric data as written under FNC1: GS as `%`, `%` as `%%`.
fn escaped_for_fnc1(data: &[u8]) -> Vec<u8> {
  let mut escaped = Vec::with_capacity(data.len() + 4);
  for &byte in data {
    match byte {
      GS => escaped.push(b'%'),
      b'%' => escaped.extend_from_slice(b"%%"),
      other => escaped.push(other),
    }
  }
  escaped
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
  /// Bytes of data (Shift_JIS in kanji mode): never zero, as [`Piece::new`] refuses that.
  pub fn len(&self) -> usize {
    self.bytes.len()
  }

  pub fn is_empty(&self) -> bool {
    self.bytes.is_empty()
  }

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

/// `text` in Shift_JIS if every character is a double-byte character of kanji mode. For a
/// segment the caller put in kanji mode, so Windows' extensions are allowed as node-qrcode
/// allows them; text qrhash segments itself goes to kanji mode only through [`shift_jis`].
fn kanji_bytes(text: &str) -> Option<Vec<u8>> {
  let (sjis, _, unmappable) = SHIFT_JIS.encode(text);
  if unmappable {
    return None;
  }
  let whole = sjis.len() == 2 * text.chars().count();
  (whole && sjis.chunks(2).all(is_kanji_pair)).then(|| sjis.into_owned())
}

/// `text` in Shift_JIS, if every character has a code that all decoders read back as that
/// character. encoding_rs writes Windows' Shift_JIS (CP932), while zxing and most scanners read
/// JIS X 0208: they disagree on CP932's extension rows and on seven look-alike characters, and
/// CP932 writes `¥`, `‾` and `−` as codes that decode to other characters.
fn shift_jis(text: &str) -> Option<Vec<u8>> {
  let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
  let round_trips = || SHIFT_JIS.decode_without_bom_handling(&bytes).0 == text;
  (!unmappable && round_trips() && double_bytes(&bytes).all(is_in_jis_x_0208))
    .then(|| bytes.into_owned())
}

/// The double-byte codes in Shift_JIS `bytes`, as big-endian pairs.
fn double_bytes(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
  let mut i = 0;
  std::iter::from_fn(move || {
    while i < bytes.len() {
      let lead = bytes[i];
      if matches!(lead, 0x81..=0x9F | 0xE0..=0xFC) && i + 1 < bytes.len() {
        i += 2;
        return Some(u16::from_be_bytes([lead, bytes[i - 1]]));
      }
      i += 1;
    }
    None
  })
}

/// Whether a CP932 double-byte code means the same character in JIS X 0208: not in NEC's row
/// 13 (`①`, `Ⅰ`, `㈱`…) or the IBM extension rows, and not one of the seven characters CP932
/// maps to full-width forms (`∥`, `－`, `＼`, `～`, `￠`, `￡`, `￢`).
fn is_in_jis_x_0208(code: u16) -> bool {
  const CP932_LOOK_ALIKES: [u16; 7] = [0x8161, 0x817C, 0x815F, 0x8160, 0x8191, 0x8192, 0x81CA];
  let lead = (code >> 8) as u8;
  !matches!(lead, 0x87 | 0xED | 0xEE | 0xFA..=0xFC) && !CP932_LOOK_ALIKES.contains(&code)
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
  pub fnc1: Fnc1,
  pub bytes: Vec<u8>,
  pub runs: Vec<Run>,
}

impl Plan {
  /// Bits before the terminator at `version` (the ECI designators written are below 128: 8
  /// bits after the mode indicator).
  pub fn bit_len(&self, version: impl Headers) -> usize {
    let eci = if self.eci.is_some() {
      version.mode_bits() + 8
    } else {
      0
    };
    eci
      + self.fnc1.bit_len()
      + self
        .runs
        .iter()
        .map(|run| version.segment_bits(&self.written(run)))
        .sum::<usize>()
  }

  /// `run` as its segment is written: under FNC1 an alphanumeric run grows by a `%` for each
  /// `%` it holds (only the length counts: the span's position is not used).
  fn written(&self, run: &Run) -> Span {
    let span = run.span;
    if !(self.fnc1.is_on() && span.mode == Mode::Alphanumeric) {
      return span;
    }
    let percents = self.bytes[span.begin..span.end]
      .iter()
      .filter(|&&byte| byte == b'%')
      .count();
    Span {
      end: span.end + percents,
      ..span
    }
  }

  /// The bit stream at `version`, unterminated.
  pub fn bits(&self, version: Version) -> QrResult<Bits> {
    let mut bits = Bits::new(version);
    if let Some(eci) = self.eci {
      bits.push_eci_designator(eci)?;
    }
    match self.fnc1 {
      Fnc1::None => {}
      Fnc1::Gs1 => bits.push_fnc1_first_position()?,
      Fnc1::Industry(ApplicationIndicator(codeword)) => bits.push_fnc1_second_position(codeword)?,
    }
    for run in &self.runs {
      let data = &self.bytes[run.span.begin..run.span.end];
      if self.fnc1.is_on() && run.span.mode == Mode::Alphanumeric {
        bits.push_alphanumeric_data(&escaped_for_fnc1(data))?;
      } else {
        bits.push_segments(&self.bytes, std::iter::once(run.span))?;
      }
    }
    Ok(bits)
  }

  /// Writes each run into `out`: `header` writes its mode indicator and character count (the
  /// kind of symbol decides them), then the data follows as every kind writes it. For symbols
  /// the `qrcode` crate cannot write; FNC1 plans are not written here.
  pub fn write_runs(
    &self,
    out: &mut BitWriter,
    mut header: impl FnMut(&mut BitWriter, Mode, usize),
  ) {
    // Version 1's count fields (10, 9, 8 and 8 bits) hold any count this is used for.
    const V1: Version = Version::Normal(1);
    for run in &self.runs {
      let span = run.span;
      let mut bits = Bits::new(V1);
      bits
        .push_segments(&self.bytes, std::iter::once(span))
        .expect("a run in its mode, short enough for version 1's count fields");
      let characters = match span.mode {
        Mode::Kanji => (span.end - span.begin) / 2,
        _ => span.end - span.begin,
      };
      header(out, span.mode, characters);
      let skipped = V1.mode_bits() + V1.count_bits(span.mode);
      let len = bits.len();
      out.push_slice(&bits.into_bytes(), skipped, len);
    }
  }

  /// Whether a byte run of text holds non-ASCII bytes: text a decoder would have to guess the
  /// character set of. Bytes the caller gave as bytes are theirs to interpret.
  fn has_non_ascii_text(&self) -> bool {
    self.runs.iter().any(|run| {
      run.text
        && run.span.mode == Mode::Byte
        && !self.bytes[run.span.begin..run.span.end].is_ascii()
    })
  }
}

/// The shortest plan for `content` at `version`, or `None` when the version lacks a mode the
/// content needs.
pub fn plan(content: &Content, version: impl Headers, eci: Eci, fnc1: Fnc1) -> Option<Plan> {
  Some(match content {
    Content::Binary(bytes) => Plan {
      eci: None,
      fnc1,
      runs: optimal_runs(bytes, 0, version, Charset::Bytes, fnc1)?,
      bytes: bytes.to_vec(),
    },
    Content::Text(utf8) => {
      let as_utf8 = text_plan(utf8.to_vec(), version, eci, fnc1, false, UTF8_ECI);
      let as_kanji = (!utf8.is_ascii())
        .then(|| std::str::from_utf8(utf8).ok().and_then(shift_jis))
        .flatten()
        .and_then(|sjis| text_plan(sjis, version, eci, fnc1, true, SHIFT_JIS_ECI))
        // Kanji mode is read as Shift_JIS by every decoder; a Shift_JIS byte run is not.
        .filter(|plan| !plan.has_non_ascii_text());
      match (as_kanji, as_utf8) {
        (Some(kanji), Some(utf8)) if kanji.bit_len(version) < utf8.bit_len(version) => kanji,
        (kanji, utf8) => utf8.or(kanji)?,
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
            if piece.text {
              Charset::Text
            } else {
              Charset::Bytes
            },
            fnc1,
          )?),
        }
      }
      let text_bytes = runs
        .iter()
        .any(|run| run.text && run.span.mode == Mode::Byte);
      let mut plan = Plan {
        eci: None,
        fnc1,
        bytes,
        runs,
      };
      plan.eci = match eci {
        Eci::Always if text_bytes => Some(UTF8_ECI),
        Eci::Auto if plan.has_non_ascii_text() => Some(UTF8_ECI),
        _ => None,
      };
      plan
    }
  })
}

fn text_plan(
  bytes: Vec<u8>,
  version: impl Headers,
  eci: Eci,
  fnc1: Fnc1,
  kanji: bool,
  charset_eci: u32,
) -> Option<Plan> {
  let charset = if kanji {
    Charset::ShiftJis
  } else {
    Charset::Text
  };
  let runs = optimal_runs(&bytes, 0, version, charset, fnc1)?;
  let mut plan = Plan {
    eci: None,
    fnc1,
    bytes,
    runs,
  };
  plan.eci = match eci {
    Eci::Always => Some(charset_eci),
    Eci::Auto if plan.has_non_ascii_text() => Some(charset_eci),
    _ => None,
  };
  Some(plan)
}

/// What the bytes given to [`optimal_runs`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
  /// The caller's bytes: never kanji, and never said to be text (no ECI for them).
  Bytes,
  /// UTF-8 text.
  Text,
  /// Text as Shift_JIS, whose double bytes kanji mode may take.
  ShiftJis,
}

/// The segmentation of `data` (which sits at `offset` in the plan's buffer) that takes the
/// fewest bits at `version`, or `None` when a character has no mode this version offers (Micro
/// QR M1 and M2 lack byte mode).
///
/// Dynamic programming over characters × modes, costs in sixths of a bit so that numeric (10/3
/// bits a digit) and alphanumeric (11/2 bits a character) stay whole: each character either
/// extends the segment it is in or starts one, paying the mode indicator and length field. The
/// `qrcode` crate's greedy merge can miss the optimum by a version. Kanji is only offered over
/// Shift_JIS ([`Charset::ShiftJis`]): in UTF-8 or binary data a byte pair that looks like Shift_JIS would be
/// decoded as a kanji character, not as those bytes.
fn optimal_runs(
  data: &[u8],
  offset: usize,
  version: impl Headers,
  charset: Charset,
  fnc1: Fnc1,
) -> Option<Vec<Run>> {
  let kanji = charset == Charset::ShiftJis;
  let text = charset != Charset::Bytes;
  const MODES: [Mode; 4] = [Mode::Numeric, Mode::Alphanumeric, Mode::Byte, Mode::Kanji];
  const UNREACHABLE: u64 = u64::MAX / 2;
  let header = MODES.map(|mode| 6 * (version.mode_bits() + version.count_bits(mode)) as u64);
  // Characters: one byte, or a Shift_JIS double byte that kanji mode can take.
  let mut starts = Vec::with_capacity(data.len());
  let mut i = 0;
  while i < data.len() {
    starts.push(i);
    i += if kanji && i + 1 < data.len() && is_kanji_pair(&data[i..i + 2]) {
      2
    } else {
      1
    };
  }
  let mut cost = [UNREACHABLE; 4];
  // For each character and mode it ends in: the mode of the character before.
  let mut came_from: Vec<[u8; 4]> = Vec::with_capacity(starts.len());
  for (index, &start) in starts.iter().enumerate() {
    let width = starts.get(index + 1).unwrap_or(&data.len()) - start;
    let char_cost = |mode: Mode| -> Option<u64> {
      let byte = data[start];
      let fits = match mode {
        Mode::Numeric => width == 1 && byte.is_ascii_digit(),
        Mode::Alphanumeric => width == 1 && (is_alphanumeric(byte) || (fnc1.is_on() && byte == GS)),
        // A Shift_JIS double byte goes to kanji mode: in a byte run it would need ECI 20.
        Mode::Byte => width == 1,
        Mode::Kanji => width == 2,
      };
      (fits && version.offers(mode)).then_some(match mode {
        Mode::Numeric => 20,
        // Under FNC1 a `%` is written twice.
        Mode::Alphanumeric if fnc1.is_on() && byte == b'%' => 66,
        Mode::Alphanumeric => 33,
        Mode::Byte => 48,
        Mode::Kanji => 78,
      })
    };
    // The cheapest way to have finished a segment before this character: whole bits.
    let (best_before, best_mode) = (0..4)
      .map(|m| (cost[m].div_ceil(6) * 6, m))
      .min()
      .expect("four modes");
    let best_before = if index == 0 { 0 } else { best_before };
    let mut next = [UNREACHABLE; 4];
    let mut from = [0u8; 4];
    for (m, &mode) in MODES.iter().enumerate() {
      let Some(char_cost) = char_cost(mode) else {
        continue;
      };
      let switch = best_before + header[m] + char_cost;
      let stay = cost[m].saturating_add(char_cost);
      (next[m], from[m]) = if index > 0 && stay <= switch {
        (stay, m as u8)
      } else {
        (switch, best_mode as u8)
      };
    }
    if next.iter().all(|&c| c >= UNREACHABLE) {
      return None;
    }
    cost = next;
    came_from.push(from);
  }
  // Walk back from the cheapest final mode, then join characters of one mode into runs.
  let (_, mut mode) = (0..4).map(|m| (cost[m].div_ceil(6), m)).min()?;
  let mut modes = vec![0usize; starts.len()];
  for index in (0..starts.len()).rev() {
    modes[index] = mode;
    mode = usize::from(came_from[index][mode]);
  }
  let mut runs: Vec<Run> = Vec::new();
  for (index, &start) in starts.iter().enumerate() {
    let end = starts.get(index + 1).copied().unwrap_or(data.len()) + offset;
    let mode = MODES[modes[index]];
    match runs.last_mut() {
      Some(run) if run.span.mode == mode => run.span.end = end,
      _ => runs.push(Run {
        span: Span {
          mode,
          begin: start + offset,
          end,
        },
        text,
      }),
    }
  }
  Some(runs)
}

#[cfg(test)]
mod tests {
  use super::*;

  const V1: Version = Version::Normal(1);

  fn modes(plan: &Plan) -> Vec<Mode> {
    plan.runs.iter().map(|run| run.span.mode).collect()
  }

  #[test]
  fn fnc1_plans_measure_what_they_write_and_escape_percent_and_gs() {
    let data = b"0109506000134352\x1d10AB%C-12\x1d21XYZ%%";
    let industry = |indicator| Fnc1::industry(indicator).unwrap();
    for fnc1 in [Fnc1::Gs1, industry("37"), industry("a")] {
      for version in [Version::Normal(1), Version::Normal(10), Version::Normal(27)] {
        let plan = plan(&Content::Text(data), version, Eci::Auto, fnc1).unwrap();
        assert_eq!(
          plan.bits(version).unwrap().len(),
          plan.bit_len(version),
          "{fnc1:?}"
        );
      }
    }
    // GS (as `%`) and `%` (as `%%`) stay in alphanumeric mode under FNC1; without it GS is a byte.
    let gs1 = plan(&Content::Text(b"AB\x1dCD%E"), V1, Eci::Auto, Fnc1::Gs1).unwrap();
    assert_eq!(modes(&gs1), [Mode::Alphanumeric]);
    let bits = gs1.bits(V1).unwrap().into_bytes();
    // 0101 (FNC1 first), 0010 (alphanumeric), 9-bit count: 9 characters once escaped.
    assert_eq!(bits[0], 0b0101_0010);
    assert_eq!(bits[1], 9 >> 1);
    let plain = plan(&Content::Text(b"AB\x1dCD"), V1, Eci::Auto, Fnc1::None).unwrap();
    assert!(modes(&plain).contains(&Mode::Byte));
  }

  #[test]
  fn application_indicators_are_two_digits_or_one_letter() {
    let codeword = |indicator| match Fnc1::industry(indicator) {
      Some(Fnc1::Industry(ApplicationIndicator(codeword))) => Some(codeword),
      _ => None,
    };
    assert_eq!(codeword("00"), Some(0));
    assert_eq!(codeword("37"), Some(37));
    assert_eq!(codeword("a"), Some(197));
    assert_eq!(codeword("Z"), Some(190));
    for bad in ["", "1", "123", "é", "1a", "%", " 1"] {
      assert_eq!(Fnc1::industry(bad), None, "{bad:?}");
    }
  }

  #[test]
  fn mixes_modes_for_the_fewest_bits() {
    let plan = plan(
      &Content::Text(b"HTTPS://EXAMPLE.COM/12345678901234"),
      V1,
      Eci::Auto,
      Fnc1::None,
    )
    .unwrap();
    assert_eq!(plan.eci, None);
    assert_eq!(modes(&plan), [Mode::Alphanumeric, Mode::Numeric]);
  }

  #[test]
  fn only_characters_every_decoder_reads_alike_go_to_kanji_mode() {
    assert!(shift_jis("日本語のテキスト").is_some());
    for character in [
      "¥", "‾", "−", "∥", "－", "＼", "～", "￠", "￡", "￢", "①", "Ⅰ", "㈱", "纊",
    ] {
      assert_eq!(shift_jis(&format!("あ{character}")), None, "{character}");
    }
    // A segment the caller put in kanji mode may use them, as in node-qrcode.
    assert!(kanji_bytes("①～").is_some());
    assert_eq!(kanji_bytes("¥"), None);
    // Planned as UTF-8 instead, so the text reads back unchanged.
    let plan = plan(
      &Content::Text("‾あ".as_bytes()),
      Version::Normal(1),
      Eci::Auto,
      Fnc1::None,
    )
    .unwrap();
    assert_eq!(plan.bytes, "‾あ".as_bytes());
  }

  #[test]
  fn japanese_text_goes_to_kanji_mode_without_eci() {
    let text = "日本語の漢字テキスト";
    let plan = plan_text(text);
    assert_eq!(modes(&plan), [Mode::Kanji]);
    assert_eq!(plan.eci, None);
    assert_eq!(plan.bit_len(V1), 4 + 8 + 13 * 10);
    let (decoded, _, _) = SHIFT_JIS.decode(&plan.bytes);
    assert_eq!(decoded, text);
  }

  #[test]
  fn other_non_ascii_text_is_utf8_after_eci_26() {
    for text in ["Grüße", "ｱｲｳ half-width katakana", "中文 😀"] {
      let plan = plan_text(text);
      assert_eq!(plan.eci, Some(UTF8_ECI), "{text}");
      assert_eq!(plan.bytes, text.as_bytes());
      assert!(!modes(&plan).contains(&Mode::Kanji), "{text}");
    }
    let never = plan(
      &Content::Text("Grüße".as_bytes()),
      V1,
      Eci::Never,
      Fnc1::None,
    )
    .unwrap();
    assert_eq!(never.eci, None);
    let always = plan(&Content::Text(b"ascii"), V1, Eci::Always, Fnc1::None).unwrap();
    assert_eq!(always.eci, Some(UTF8_ECI));
  }

  #[test]
  fn bytes_that_look_like_shift_jis_stay_bytes() {
    // 0x81 0x40 is a Shift_JIS double byte; as binary data it must come back as two bytes.
    let plan = plan(
      &Content::Binary(&[0x81, 0x40, 0x81, 0x40]),
      V1,
      Eci::Auto,
      Fnc1::None,
    )
    .unwrap();
    assert_eq!(modes(&plan), [Mode::Byte]);
    assert_eq!(plan.eci, None);
    let utf8 = plan_text("あいうえお");
    assert!(utf8
      .runs
      .iter()
      .all(|run| run.span.mode != Mode::Byte || utf8.eci.is_none()));
  }

  fn plan_text(text: &str) -> Plan {
    plan(&Content::Text(text.as_bytes()), V1, Eci::Auto, Fnc1::None).unwrap()
  }

  #[test]
  fn pieces_keep_their_modes() {
    let pieces = [
      Piece::new(Some(Mode::Numeric), b"0123".to_vec(), true).unwrap(),
      Piece::new(Some(Mode::Kanji), "漢字".as_bytes().to_vec(), true).unwrap(),
      Piece::new(Some(Mode::Byte), "é".as_bytes().to_vec(), true).unwrap(),
      Piece::new(None, b"ABC123".to_vec(), true).unwrap(),
    ];
    let plan = plan(&Content::Pieces(&pieces), V1, Eci::Auto, Fnc1::None).unwrap();
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

  #[test]
  fn segmentation_is_optimal_where_greedy_merging_is_not() {
    // From the oracle tests: node-qrcode's optimal segmentation fits version 2-L; the crate's
    // greedy merge needed version 3.
    let text = b"mvnzq9901axqfivg20596KWGB-WXPANHBOI$ ";
    let plan = plan(
      &Content::Text(text),
      Version::Normal(2),
      Eci::Auto,
      Fnc1::None,
    )
    .unwrap();
    let capacity = Bits::new(Version::Normal(2))
      .max_len(qrcode::EcLevel::L)
      .unwrap();
    assert!(
      plan.bit_len(Version::Normal(2)) <= capacity,
      "{}",
      plan.bit_len(Version::Normal(2))
    );
    // Adjacent runs always differ in mode.
    assert!(plan
      .runs
      .windows(2)
      .all(|pair| pair[0].span.mode != pair[1].span.mode));
  }

  #[test]
  fn binary_bytes_never_ask_for_eci() {
    let pieces = [
      Piece::new(None, b"abc".to_vec(), true).unwrap(),
      Piece::new(None, vec![0xff, 0x80], false).unwrap(),
    ];
    let plan = plan(&Content::Pieces(&pieces), V1, Eci::Auto, Fnc1::None).unwrap();
    assert_eq!(plan.eci, None);
  }

  #[test]
  fn micro_versions_offer_only_their_modes() {
    assert!(plan(
      &Content::Text(b"abc"),
      Version::Micro(1),
      Eci::Never,
      Fnc1::None
    )
    .is_none());
    assert!(plan(
      &Content::Text(b"ABC"),
      Version::Micro(2),
      Eci::Never,
      Fnc1::None
    )
    .is_some());
    assert!(plan(
      &Content::Text(b"abc"),
      Version::Micro(2),
      Eci::Never,
      Fnc1::None
    )
    .is_none());
  }
}
