//! Mask choice: the `qrcode` crate's penalty rules, scored on bit-packed rows and columns.
//!
//! The crate clones its canvas for each of the 8 masks and scores it module by module, which
//! is over 95 % of its encoding time. Here each masked symbol is a set of [`Line`]s and every
//! rule is a handful of word operations and popcounts per line. The rules and the tie-break
//! (the lowest-numbered mask among equal scores) are the crate's, so the chosen mask is the
//! one `QrCode::with_bits` would choose; the tests hold it to that.

use std::sync::OnceLock;

use qrcode::types::EcLevel;

use super::line::Line;

/// A symbol before masking, read off the crate's canvas once, in lines of `W` words.
pub struct Unmasked<const W: usize> {
  width: usize,
  level: EcLevel,
  /// Colours as drawn: function patterns final, data modules not yet masked.
  rows: Vec<Line<W>>,
  cols: Vec<Line<W>>,
  /// Which modules masks apply to (data and error correction).
  data_rows: Vec<Line<W>>,
  data_cols: Vec<Line<W>>,
}

/// A symbol with one mask applied and its format information drawn.
pub struct Masked<const W: usize> {
  /// The mask pattern, 0‥8.
  pub pattern: u8,
  pub rows: Vec<Line<W>>,
  cols: Vec<Line<W>>,
}

impl<const W: usize> Unmasked<W> {
  /// A symbol from its drawn rows and the modules masks apply to, as full-width lines.
  pub fn new(drawn: &[Line], data: &[Line], level: EcLevel) -> Self {
    let width = drawn.len();
    assert!(
      width <= Line::<W>::CAPACITY,
      "a {width}-module symbol does not fit a line"
    );
    let rows: Vec<Line<W>> = drawn.iter().map(|line| line.resize()).collect();
    let data_rows: Vec<Line<W>> = data.iter().map(|line| line.resize()).collect();
    Self {
      width,
      level,
      cols: transpose(&rows),
      data_cols: transpose(&data_rows),
      rows,
      data_rows,
    }
  }

  /// The mask with the lowest penalty (the lowest-numbered among equals), applied. The eight
  /// candidates are scored in one reused buffer.
  pub fn best(&self) -> Masked<W> {
    let mut candidate = Masked::empty(self.width);
    let mut best = (u16::MAX, 0);
    for pattern in 0..8 {
      self.apply_into(pattern, &mut candidate);
      let penalty = candidate.penalty(self.width);
      if pattern == 0 || penalty < best.0 {
        best = (penalty, pattern);
      }
    }
    self.apply(best.1)
  }

  /// Mask `pattern` (0‥8) applied, with its format information drawn.
  pub fn apply(&self, pattern: u8) -> Masked<W> {
    let mut masked = Masked::empty(self.width);
    self.apply_into(pattern, &mut masked);
    masked
  }

  fn apply_into(&self, pattern: u8, masked: &mut Masked<W>) {
    let masks = mask_lines(self.width);
    let pattern_index = usize::from(pattern);
    let flip = |out: &mut Vec<Line<W>>, lines: &[Line<W>], data: &[Line<W>], masks: &[Line]| {
      out.clear();
      out.extend((0..self.width).map(|i| lines[i] ^ (data[i] & masks[i].resize())));
    };
    flip(
      &mut masked.rows,
      &self.rows,
      &self.data_rows,
      &masks.rows[pattern_index],
    );
    flip(
      &mut masked.cols,
      &self.cols,
      &self.data_cols,
      &masks.cols[pattern_index],
    );
    masked.pattern = pattern;
    masked.draw_format_info(self.width, format_info(self.level, pattern));
  }
}

/// Columns from rows: only set bits are visited.
fn transpose<const W: usize>(rows: &[Line<W>]) -> Vec<Line<W>> {
  let mut cols = vec![Line::default(); rows.len()];
  for (y, row) in rows.iter().enumerate() {
    for x in row.ones_positions() {
      cols[x].set(y, true);
    }
  }
  cols
}

impl<const W: usize> Masked<W> {
  fn empty(width: usize) -> Self {
    Self {
      pattern: 0,
      rows: Vec::with_capacity(width),
      cols: Vec::with_capacity(width),
    }
  }

  fn put(&mut self, x: usize, y: usize, dark: bool) {
    self.rows[y].set(x, dark);
    self.cols[x].set(y, dark);
  }

  /// The 15 format bits, most significant first, along both copies (ISO/IEC 18004 §7.9.1).
  fn draw_format_info(&mut self, width: usize, info: u16) {
    let far = |offset: usize| width - offset;
    let around_top_left = (0..=5)
      .map(|x| (x, 8))
      .chain([(7, 8), (8, 8), (8, 7)])
      .chain((0..=5).rev().map(|y| (8, y)));
    let split_copy = (1..=7)
      .map(|offset| (8, far(offset)))
      .chain((1..=8).rev().map(|offset| (far(offset), 8)));
    for (bit, (x, y)) in (0..15).rev().zip(around_top_left) {
      self.put(x, y, info >> bit & 1 == 1);
    }
    for (bit, (x, y)) in (0..15).rev().zip(split_copy) {
      self.put(x, y, info >> bit & 1 == 1);
    }
    self.put(8, far(8), true); // the dark module
  }

  /// The crate's total penalty, including its wrapping `u16` arithmetic.
  fn penalty(&self, width: usize) -> u16 {
    let lines = || self.rows.iter().chain(&self.cols);
    let pairs = Line::ones(width - 1);
    let finder_starts = Line::ones(width - 6);
    let runs: u32 = lines().map(|&line| run_penalty(line, pairs)).sum();
    let finders: u32 = lines().map(|&line| finder_count(line, finder_starts)).sum();
    let blocks: u32 = self
      .rows
      .windows(2)
      .map(|pair| block_count(pair[0], pair[1], pairs))
      .sum();
    let dark: u32 = self.rows.iter().map(|line| line.count_ones()).sum();
    let ratio = dark as usize * 200 / (width * width);
    let balance = ratio.abs_diff(100) as i64;
    // The crate subtracts 360 per direction: the three finder patterns' own nine matches.
    let total = i64::from(runs) + 3 * i64::from(blocks) + 40 * i64::from(finders) - 720 + balance;
    total.rem_euclid(1 << 16) as u16
  }
}

/// Five or more equal modules in a line cost 3, plus 1 per module beyond five. `pairs` has a
/// bit for each module that has a next one.
#[inline]
fn run_penalty<const W: usize>(line: Line<W>, pairs: Line<W>) -> u32 {
  let same_as_next = !(line ^ line.ahead(1)) & pairs;
  let run_of_five =
    same_as_next & same_as_next.ahead(1) & same_as_next.ahead(2) & same_as_next.ahead(3);
  let run_start = run_of_five & !same_as_next.behind(1);
  // A run of length n has n - 4 five-module windows and one start: n - 4 + 2 = 3 + (n - 5).
  run_of_five.count_ones() + 2 * run_start.count_ones()
}

/// 2×2 blocks of one colour whose top row is `upper`.
#[inline]
fn block_count<const W: usize>(upper: Line<W>, lower: Line<W>, pairs: Line<W>) -> u32 {
  let level = !(upper ^ upper.ahead(1)) & !(lower ^ lower.ahead(1)) & !(upper ^ lower);
  (level & pairs).count_ones()
}

/// Dark-light-dark×3-light-dark runs with four light modules (or the edge) on at least one
/// side. `starts` has a bit for each module a 7-module run can start at.
#[inline]
fn finder_count<const W: usize>(line: Line<W>, starts: Line<W>) -> u32 {
  let pattern = line
    & !line.ahead(1)
    & line.ahead(2)
    & line.ahead(3)
    & line.ahead(4)
    & !line.ahead(5)
    & line.ahead(6)
    & starts;
  // Any dark among the four modules before (after): smear the line over four positions.
  // Any dark among the four modules before (after): the line smeared over four positions, in
  // the direction that keeps the windows cut short by the edge.
  let back = line | line.behind(1);
  let dark_before = (back | back.behind(2)).behind(1);
  let ahead = line | line.ahead(1);
  let dark_after = (ahead | ahead.ahead(2)).ahead(7);
  (pattern & !(dark_before & dark_after)).count_ones()
}

/// Error correction level and mask, BCH(15, 5)-protected and XORed with 101010000010010.
fn format_info(level: EcLevel, pattern: u8) -> u16 {
  let level_bits: u16 = match level {
    EcLevel::L => 0b01,
    EcLevel::M => 0b00,
    EcLevel::Q => 0b11,
    EcLevel::H => 0b10,
  };
  let data = level_bits << 3 | u16::from(pattern);
  let mut remainder = data << 10;
  for bit in (10..15).rev() {
    if remainder >> bit & 1 == 1 {
      remainder ^= 0b101_0011_0111 << (bit - 10);
    }
  }
  (data << 10 | remainder) ^ 0b101_0100_0001_0010
}

/// Whether mask `pattern` inverts module (`x`, `y`) (ISO/IEC 18004 table 10).
fn inverts(pattern: u8, x: usize, y: usize) -> bool {
  match pattern {
    0 => (x + y).is_multiple_of(2),
    1 => y.is_multiple_of(2),
    2 => x.is_multiple_of(3),
    3 => (x + y).is_multiple_of(3),
    4 => (y / 2 + x / 3).is_multiple_of(2),
    5 => (x * y) % 2 + (x * y) % 3 == 0,
    6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
    7 => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    _ => unreachable!("mask patterns are 0‥8"),
  }
}

/// The eight masks as lines, for one symbol width.
struct MaskLines {
  rows: [Vec<Line>; 8],
  cols: [Vec<Line>; 8],
}

/// Built once per version on first use, then shared by every thread.
fn mask_lines(width: usize) -> &'static MaskLines {
  static BY_VERSION: [OnceLock<MaskLines>; 40] = [const { OnceLock::new() }; 40];
  BY_VERSION[(width - 21) / 4].get_or_init(|| {
    let lines = |line_of: &dyn Fn(u8, usize, usize) -> bool| -> [Vec<Line>; 8] {
      std::array::from_fn(|pattern| {
        (0..width)
          .map(|i| {
            let mut line: Line = Line::default();
            for j in 0..width {
              line.set(j, line_of(pattern as u8, i, j));
            }
            line
          })
          .collect()
      })
    };
    MaskLines {
      rows: lines(&|pattern, y, x| inverts(pattern, x, y)),
      cols: lines(&|pattern, x, y| inverts(pattern, x, y)),
    }
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn format_info_matches_the_standard_table() {
    // ISO/IEC 18004 annex C, table C.1.
    assert_eq!(format_info(EcLevel::M, 0), 0b101_0100_0001_0010);
    assert_eq!(format_info(EcLevel::L, 7), 0b110_1001_0111_0110);
    assert_eq!(format_info(EcLevel::Q, 0), 0b011_0101_0101_1111);
    assert_eq!(format_info(EcLevel::H, 5), 0b000_0010_0101_0101);
  }

  #[test]
  fn penalties_on_hand_made_lines() {
    let mut line: Line = Line::default();
    for x in 0..7 {
      line.set(x, true); // 7 dark, then 14 light, in a 21-module line
    }
    let (pairs, starts) = (Line::ones(20), Line::ones(15));
    assert_eq!(run_penalty(line, pairs), (7 - 2) + (14 - 2));
    let finder = [true, false, true, true, true, false, true];
    let mut line: Line = Line::default();
    for (x, &dark) in finder.iter().enumerate() {
      line.set(x + 4, dark);
    }
    assert_eq!(finder_count(line, starts), 1, "light on both sides");
    line.set(2, true);
    line.set(12, true);
    assert_eq!(finder_count(line, starts), 0, "dark on both sides");
    let narrow: Line<1> = line.resize();
    assert_eq!(
      finder_count(narrow, starts.resize()),
      0,
      "the same in one word"
    );
    assert_eq!(block_count(Line::ones(3), Line::ones(3), pairs), 2 + 17);
  }
}
