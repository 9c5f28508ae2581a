//! Structured append: a message split across up to 16 symbols, each headed by its position,
//! the count and the message's parity (ISO/IEC 18004), which readers join back into one.
//!
//! A split cuts only between characters (UTF-8 sequences stay whole), makes as few symbols as
//! the data needs (or as many as asked), balances their lengths, and draws them all at one
//! version: the smallest that holds every part, so a printed set has one size.

use std::ops::Range;

use qrcode::bits::Bits;
use qrcode::types::QrError;
use qrcode::Version;

use super::bit_writer::BitWriter;
use super::encode::{EncodeError, Request};
use super::output::OutputError;
use super::segment::{plan, Content};
use crate::cancel::CancelToken;

/// The most symbols a sequence may have: the count is written in 4 bits.
pub const MAX_SYMBOLS: u8 = 16;
/// Bits of the header: mode indicator, index, count − 1, parity.
pub const HEADER_BITS: usize = 4 + 4 + 4 + 8;

/// Where one symbol stands in its sequence. Invariant: `index < total` and
/// `2 <= total <= 16`; only [`split`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
  index: u8,
  total: u8,
  parity: u8,
}

impl Position {
  pub fn index(self) -> u8 {
    self.index
  }

  pub fn total(self) -> u8 {
    self.total
  }

  /// The XOR of every byte of the whole message: the same in every symbol of a sequence.
  pub fn parity(self) -> u8 {
    self.parity
  }

  /// The 20 header bits, most significant first: `0011`, index, count − 1, parity.
  pub fn header(self) -> u32 {
    (0b0011 << 16)
      | (u32::from(self.index) << 12)
      | (u32::from(self.total - 1) << 8)
      | u32::from(self.parity)
  }
}

/// A message split: each symbol's bytes of it, its position (none when one symbol holds it
/// all), and the version every symbol is drawn at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
  pub parts: Vec<(Range<usize>, Option<Position>)>,
  pub version: u8,
}

/// Splits `data` (UTF-8 text when `text`, else bytes) for `request`: into `symbols` symbols
/// (2‥=16) when given, otherwise into as few as hold it. A fixed `request.version` is every
/// symbol's version; without one, the smallest that holds every part. Splitting 16 codes'
/// worth takes tens of milliseconds (each trial cut plans its segments): `cancel` is checked
/// before every trial.
pub fn split(
  data: &[u8],
  text: bool,
  request: &Request,
  symbols: Option<u8>,
  cancel: &CancelToken,
) -> Result<Split, OutputError> {
  let split = split_uncancelled(data, text, request, symbols, cancel);
  // A cancelled trial fails, which may show as data too long: the cancellation is the cause.
  cancel.check()?;
  Ok(split?)
}

fn split_uncancelled(
  data: &[u8],
  text: bool,
  request: &Request,
  symbols: Option<u8>,
  cancel: &CancelToken,
) -> Result<Split, EncodeError> {
  if data.is_empty() {
    return Err(EncodeError::Empty);
  }
  if request.micro {
    return Err(EncodeError::Invalid {
      option: "symbols",
      given: "a Micro QR code".into(),
    });
  }
  let cuts = Cuts {
    data,
    text,
    request,
    cancel,
  };
  let boundaries = cuts.boundaries();
  let characters = boundaries.len() - 1;
  let largest = request.version.unwrap_or(40);
  let too_long = EncodeError::SequenceTooLong {
    level: request.level,
    symbols: symbols.unwrap_or(MAX_SYMBOLS),
  };
  let greedy = cuts.greedy(&boundaries, largest).ok_or(too_long.clone())?;
  let wanted = match symbols {
    Some(wanted) => {
      if greedy.len() > usize::from(wanted) {
        return Err(too_long);
      }
      usize::from(wanted)
    }
    None => greedy.len(),
  };
  if wanted > characters {
    return Err(EncodeError::Invalid {
      option: "symbols",
      given: format!("{wanted} for {characters} characters"),
    });
  }
  // Parts of about equal length; where one of those does not fit (modes differ in density),
  // the greedy parts, halved where more symbols were asked for.
  let balanced = cuts.balanced(&boundaries, wanted);
  let parts = match cuts.smallest_version(&balanced, largest) {
    Some(version) => (balanced, version),
    None => {
      let parts = halved(greedy, &boundaries, wanted);
      // Greedy parts fit the largest version; only a cancelled trial finds none, and `split`
      // reports the cancellation.
      let version = cuts.smallest_version(&parts, largest).ok_or(too_long)?;
      (parts, version)
    }
  };
  let (ranges, version) = parts;
  let version = request.version.unwrap_or(version);
  let total = ranges.len() as u8;
  let parity = data.iter().fold(0, |parity, byte| parity ^ byte);
  Ok(Split {
    parts: ranges
      .into_iter()
      .enumerate()
      .map(|(index, range)| {
        let position = (total >= 2).then_some(Position {
          index: index as u8,
          total,
          parity,
        });
        (range, position)
      })
      .collect(),
    version,
  })
}

/// The data, and whether a part fits a version.
struct Cuts<'a> {
  data: &'a [u8],
  text: bool,
  request: &'a Request,
  cancel: &'a CancelToken,
}

impl Cuts<'_> {
  /// Offsets where a part may start or end: between characters, and the two ends.
  fn boundaries(&self) -> Vec<usize> {
    let mut boundaries: Vec<usize> = (0..self.data.len())
      .filter(|&at| !self.text || (self.data[at] & 0xc0) != 0x80)
      .collect();
    boundaries.push(self.data.len());
    boundaries
  }

  /// Whether `range` of the data fits `version` with a sequence header; never once cancelled.
  fn fits(&self, range: &Range<usize>, version: u8) -> bool {
    if self.cancel.is_cancelled() {
      return false;
    }
    let version = Version::Normal(i16::from(version));
    let bytes = &self.data[range.clone()];
    let content = if self.text {
      Content::Text(bytes)
    } else {
      Content::Binary(bytes)
    };
    let Ok(capacity) = Bits::new(version).max_len(self.request.level) else {
      return false;
    };
    plan(&content, version, self.request.eci, self.request.fnc1)
      .is_some_and(|plan| plan.bit_len(version) + HEADER_BITS <= capacity)
  }

  /// Parts as long as `version` holds, first to last; `None` past 16 or when a character
  /// fits nowhere.
  fn greedy(&self, boundaries: &[usize], version: u8) -> Option<Vec<Range<usize>>> {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < boundaries.len() - 1 {
      // The last boundary whose part from `start` still fits (fitting only shrinks as a part
      // grows).
      let (mut fitting, mut beyond) = (start, boundaries.len());
      while beyond - fitting > 1 {
        let middle = (fitting + beyond) / 2;
        if self.fits(&(boundaries[start]..boundaries[middle]), version) {
          fitting = middle;
        } else {
          beyond = middle;
        }
      }
      if fitting == start || parts.len() == usize::from(MAX_SYMBOLS) {
        return None;
      }
      parts.push(boundaries[start]..boundaries[fitting]);
      start = fitting;
    }
    Some(parts)
  }

  /// `count` parts of about equal byte length, cut at boundaries (`count` is at most the
  /// number of characters).
  fn balanced(&self, boundaries: &[usize], count: usize) -> Vec<Range<usize>> {
    let last = boundaries.len() - 1;
    let mut cuts = vec![0];
    for part in 1..count {
      let target = self.data.len() * part / count;
      let previous = *cuts.last().expect("cuts start at 0");
      // The first boundary at or after the target, after the previous cut, and leaving a
      // character for each part still to come.
      let at = boundaries
        .partition_point(|&boundary| boundary < target)
        .clamp(previous + 1, last - (count - part));
      cuts.push(at);
    }
    cuts.push(last);
    cuts
      .windows(2)
      .map(|pair| boundaries[pair[0]]..boundaries[pair[1]])
      .collect()
  }

  /// The smallest version up to `largest` that holds every part (a binary search: a part
  /// that fits a version fits every larger one).
  fn smallest_version(&self, parts: &[Range<usize>], largest: u8) -> Option<u8> {
    let fits_all = |version| parts.iter().all(|part| self.fits(part, version));
    if !fits_all(largest) {
      return None;
    }
    let (mut too_small, mut fitting) = (self.request.version.unwrap_or(1) - 1, largest);
    while fitting - too_small > 1 {
      let middle = (too_small + fitting) / 2;
      if fits_all(middle) {
        fitting = middle;
      } else {
        too_small = middle;
      }
    }
    Some(fitting)
  }
}

/// `parts`, the longest halved at a boundary until there are `count`.
fn halved(mut parts: Vec<Range<usize>>, boundaries: &[usize], count: usize) -> Vec<Range<usize>> {
  while parts.len() < count {
    let (longest, range) = parts
      .iter()
      .enumerate()
      .max_by_key(|(_, range)| range.len())
      .map(|(index, range)| (index, range.clone()))
      .expect("at least one part");
    let middle = boundaries
      .iter()
      .copied()
      .filter(|&boundary| boundary > range.start && boundary < range.end)
      .min_by_key(|&boundary| boundary.abs_diff((range.start + range.end) / 2))
      .expect("the caller checked there are enough characters");
    parts.splice(longest..=longest, [range.start..middle, middle..range.end]);
  }
  parts
}

/// The data codewords of a symbol at `position`: the header, `bits`, the terminator and the
/// padding (the `qrcode` crate writes no structured-append header itself).
pub fn codewords(position: Position, bits: Bits, capacity: usize) -> Result<Vec<u8>, QrError> {
  let length = bits.len();
  if HEADER_BITS + length > capacity {
    return Err(QrError::DataTooLong);
  }
  let body = bits.into_bytes();
  let mut out = BitWriter::default();
  out.push(position.header(), HEADER_BITS);
  out.push_slice(&body, 0, length);
  Ok(out.finish(4, capacity))
}

#[cfg(test)]
mod tests {
  use super::*;
  use qrcode::EcLevel;

  fn text_split(text: &str, symbols: Option<u8>) -> Split {
    split(
      text.as_bytes(),
      true,
      &Request::new(EcLevel::M),
      symbols,
      &CancelToken::default(),
    )
    .unwrap()
  }

  #[test]
  fn parts_cover_the_data_in_order_and_cut_only_between_characters() {
    let text = "日本語 and ASCII, 1234567890 ".repeat(150);
    let split = text_split(&text, None);
    assert!(split.parts.len() >= 2);
    let mut next = 0;
    for (index, (range, position)) in split.parts.iter().enumerate() {
      assert_eq!(range.start, next);
      assert!(std::str::from_utf8(&text.as_bytes()[range.clone()]).is_ok());
      let position = position.unwrap();
      assert_eq!(usize::from(position.index()), index);
      assert_eq!(usize::from(position.total()), split.parts.len());
      next = range.end;
    }
    assert_eq!(next, text.len());
  }

  #[test]
  fn as_few_symbols_as_needed_all_at_the_smallest_common_version() {
    // 2 953 bytes is version 40-L's most: with headers, two symbols at level M.
    let data = vec![b'a'; 4000];
    let split = split(
      &data,
      false,
      &Request::new(EcLevel::M),
      None,
      &CancelToken::default(),
    )
    .unwrap();
    assert_eq!(split.parts.len(), 2);
    let cancel = CancelToken::default();
    let cuts = Cuts {
      data: &data,
      text: false,
      request: &Request::new(EcLevel::M),
      cancel: &cancel,
    };
    let ranges: Vec<_> = split.parts.iter().map(|(range, _)| range.clone()).collect();
    assert!(ranges.iter().all(|range| cuts.fits(range, split.version)));
    assert!(!ranges
      .iter()
      .all(|range| cuts.fits(range, split.version - 1)));
  }

  #[test]
  fn a_message_that_fits_one_symbol_has_no_header_unless_more_are_asked_for() {
    let one = text_split("hello", None);
    assert_eq!(one.parts, vec![(0..5, None)]);
    let three = text_split("hello", Some(3));
    assert_eq!(three.parts.len(), 3);
    assert!(three.parts.iter().all(|(_, position)| position.is_some()));
    let parity = b"hello".iter().fold(0, |p, b| p ^ b);
    assert_eq!(three.parts[2].1.unwrap().parity(), parity);
  }

  #[test]
  fn refusals_are_named() {
    let request = Request::new(EcLevel::H);
    let huge = vec![b'x'; 16 * 1300];
    assert!(matches!(
      split(&huge, false, &request, None, &CancelToken::default()),
      Err(OutputError::Encode(EncodeError::SequenceTooLong {
        symbols: 16,
        ..
      }))
    ));
    assert!(matches!(
      split(
        &huge[..3000],
        false,
        &request,
        Some(2),
        &CancelToken::default()
      ),
      Err(OutputError::Encode(EncodeError::SequenceTooLong {
        symbols: 2,
        ..
      }))
    ));
    assert!(matches!(
      split(b"ab", false, &request, Some(3), &CancelToken::default()),
      Err(OutputError::Encode(EncodeError::Invalid {
        option: "symbols",
        ..
      }))
    ));
    assert!(matches!(
      split(b"", false, &request, None, &CancelToken::default()),
      Err(OutputError::Encode(EncodeError::Empty))
    ));
  }

  #[test]
  fn a_cancelled_split_says_so_however_far_it_got() {
    let cancel = CancelToken::default();
    cancel.cancel();
    let data = vec![b'x'; 20_000];
    let request = Request::new(EcLevel::M);
    assert!(matches!(
      split(&data, false, &request, None, &cancel),
      Err(OutputError::Cancelled)
    ));
  }

  #[test]
  fn the_header_is_mode_index_count_and_parity() {
    let position = Position {
      index: 2,
      total: 5,
      parity: 0xa5,
    };
    assert_eq!(position.header(), 0b0011_0010_0100_1010_0101);
  }
}
