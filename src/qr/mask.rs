//! Mask choice: the `qrcode` crate's penalty rules, scored on bit-packed rows and columns.
//!
//! The crate clones its canvas for each of the 8 masks and scores it module by module, which
//! is over 95 % of its encoding time. Here each masked symbol is a set of [`Line`]s and every
//! rule is a handful of word operations and popcounts per line. The rules and the tie-break
//! (the lowest-numbered mask among equal scores) are the crate's, so the chosen mask is the
//! one `QrCode::with_bits` would choose; the tests hold it to that.

use std::sync::OnceLock;

use qrcode::canvas::{Canvas, Module};
use qrcode::types::{Color, EcLevel};

use super::line::{Line, CAPACITY};

/// A symbol before masking, read off the crate's canvas once.
pub struct Unmasked {
  width: usize,
  level: EcLevel,
  /// Colours as drawn: function patterns final, data modules not yet masked.
  rows: Vec<Line>,
  cols: Vec<Line>,
  /// Which modules masks apply to (data and error correction).
  data_rows: Vec<Line>,
  data_cols: Vec<Line>,
}

/// A symbol with one mask applied and its format information drawn.
pub struct Masked {
  /// The mask pattern, 0‥8.
  pub pattern: u8,
  pub rows: Vec<Line>,
  cols: Vec<Line>,
}

impl Unmasked {
  /// Reads a canvas on which the function patterns and the data have been drawn.
  pub fn read(canvas: &Canvas, width: usize, level: EcLevel) -> Self {
    assert!(
      width <= CAPACITY,
      "a {width}-module symbol does not fit a line"
    );
    let mut symbol = Self {
      width,
      level,
      rows: vec![Line::default(); width],
      cols: vec![Line::default(); width],
      data_rows: vec![Line::default(); width],
      data_cols: vec![Line::default(); width],
    };
    for y in 0..width {
      for x in 0..width {
        let (dark, data) = match canvas.get(x as i16, y as i16) {
          Module::Masked(color) => (color == Color::Dark, false),
          Module::Unmasked(color) => (color == Color::Dark, true),
          // Modules left unpainted are masked as light data, as the crate does.
          Module::Empty => (false, true),
        };
        symbol.rows[y].set(x, dark);
        symbol.cols[x].set(y, dark);
        symbol.data_rows[y].set(x, data);
        symbol.data_cols[x].set(y, data);
      }
    }
    symbol
  }

  /// The mask with the lowest penalty, applied.
  pub fn best(&self) -> Masked {
    (0..8)
      .map(|pattern| self.apply(pattern))
      .min_by_key(|masked| masked.penalty(self.width))
      .expect("there are eight masks")
  }

  /// Mask `pattern` (0‥8) applied, with its format information drawn.
  pub fn apply(&self, pattern: u8) -> Masked {
    let masks = mask_lines(self.width);
    let flip = |lines: &[Line], data: &[Line], masks: &[Line]| -> Vec<Line> {
      (0..self.width)
        .map(|i| lines[i] ^ (data[i] & masks[i]))
        .collect()
    };
    let pattern_index = usize::from(pattern);
    let mut masked = Masked {
      pattern,
      rows: flip(&self.rows, &self.data_rows, &masks.rows[pattern_index]),
      cols: flip(&self.cols, &self.data_cols, &masks.cols[pattern_index]),
    };
    masked.draw_format_info(self.width, format_info(self.level, pattern));
    masked
  }
}

impl Masked {
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
    for positions in [around_top_left.collect::<Vec<_>>(), split_copy.collect()] {
      for (bit, (x, y)) in (0..15).rev().zip(positions) {
        self.put(x, y, info >> bit & 1 == 1);
      }
    }
    self.put(8, far(8), true); // the dark module
  }

  /// The crate's total penalty, including its wrapping `u16` arithmetic.
  fn penalty(&self, width: usize) -> u16 {
    let lines = || self.rows.iter().chain(&self.cols);
    let runs: u32 = lines().map(|&line| run_penalty(line, width)).sum();
    let finders: u32 = lines().map(|&line| finder_count(line, width)).sum();
    let blocks: u32 = self
      .rows
      .windows(2)
      .map(|pair| block_count(pair[0], pair[1], width))
      .sum();
    let dark: u32 = self.rows.iter().map(|line| line.count_ones()).sum();
    let ratio = dark as usize * 200 / (width * width);
    let balance = ratio.abs_diff(100) as i64;
    // The crate subtracts 360 per direction: the three finder patterns' own nine matches.
    let total = i64::from(runs) + 3 * i64::from(blocks) + 40 * i64::from(finders) - 720 + balance;
    total.rem_euclid(1 << 16) as u16
  }
}

/// Five or more equal modules in a line cost 3, plus 1 per module beyond five.
fn run_penalty(line: Line, width: usize) -> u32 {
  let same_as_next = !(line ^ line.ahead(1)) & Line::ones(width - 1);
  let run_of_five =
    same_as_next & same_as_next.ahead(1) & same_as_next.ahead(2) & same_as_next.ahead(3);
  let run_start = run_of_five & !same_as_next.behind(1);
  // A run of length n has n - 4 five-module windows and one start: n - 4 + 2 = 3 + (n - 5).
  run_of_five.count_ones() + 2 * run_start.count_ones()
}

/// 2×2 blocks of one colour whose top row is `upper`.
fn block_count(upper: Line, lower: Line, width: usize) -> u32 {
  let level = !(upper ^ upper.ahead(1)) & !(lower ^ lower.ahead(1)) & !(upper ^ lower);
  (level & Line::ones(width - 1)).count_ones()
}

/// Dark-light-dark×3-light-dark runs with four light modules (or the edge) on at least one side.
fn finder_count(line: Line, width: usize) -> u32 {
  let ahead = |k| line.ahead(k);
  let pattern = line
    & !ahead(1)
    & ahead(2)
    & ahead(3)
    & ahead(4)
    & !ahead(5)
    & ahead(6)
    & Line::ones(width - 6);
  let dark_before = line.behind(1) | line.behind(2) | line.behind(3) | line.behind(4);
  let dark_after = ahead(7) | ahead(8) | ahead(9) | ahead(10);
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
            let mut line = Line::default();
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
    let mut line = Line::default();
    for x in 0..7 {
      line.set(x, true); // 7 dark, then 14 light, in a 21-module line
    }
    assert_eq!(run_penalty(line, 21), (7 - 2) + (14 - 2));
    let finder = [true, false, true, true, true, false, true];
    let mut line = Line::default();
    for (x, &dark) in finder.iter().enumerate() {
      line.set(x + 4, dark);
    }
    assert_eq!(finder_count(line, 21), 1, "light on both sides");
    line.set(2, true);
    line.set(12, true);
    assert_eq!(finder_count(line, 21), 0, "dark on both sides");
    assert_eq!(block_count(Line::ones(3), Line::ones(3), 21), 2 + 17);
  }
}
