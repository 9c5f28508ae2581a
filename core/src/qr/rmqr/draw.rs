//! An rMQR symbol's modules (ISO/IEC 23941 §7.3, §7.7, §7.8, §7.9): the function patterns,
//! the format information, the codewords in two-module columns from the right, and the one
//! data mask.

use super::{RmqrLevel, Size};
use crate::qr::line::Line;

/// The format information's XOR masks: for the copy beside the finder pattern, and for the
/// one beside the finder sub-pattern.
const FINDER_SIDE_MASK: u32 = 0b011111101010110010;
const SUB_PATTERN_SIDE_MASK: u32 = 0b100000101001111011;
/// The BCH(18, 6) generator: x¹² + x¹¹ + x¹⁰ + x⁹ + x⁸ + x⁵ + x² + 1.
const FORMAT_GENERATOR: u32 = 0b1_1111_0010_0101;

/// The modules of `size` at `level` holding `codewords` (data then error correction,
/// interleaved): `height` rows of `width` modules, dark set.
pub fn draw(size: Size, level: RmqrLevel, codewords: &[u8]) -> Vec<Line> {
  let mut grid = Grid::new(size);
  grid.function_patterns(size);
  grid.format_information(format_bits(size, level));
  grid.place(codewords);
  grid.dark
}

/// The 18 format bits: level bit, size number, then 12 check bits.
pub(super) fn format_bits(size: Size, level: RmqrLevel) -> u32 {
  let data = (level as u32) << 5 | u32::from(size.index());
  let mut remainder = data << 12;
  for bit in (12..18).rev() {
    if remainder >> bit & 1 == 1 {
      remainder ^= FORMAT_GENERATOR << (bit - 12);
    }
  }
  data << 12 | remainder
}

/// Modules as they are set: dark ones, and those of function patterns (data goes elsewhere).
struct Grid {
  width: usize,
  height: usize,
  dark: Vec<Line>,
  function: Vec<Line>,
}

impl Grid {
  fn new(size: Size) -> Self {
    Self {
      width: size.width(),
      height: size.height(),
      dark: vec![Line::default(); size.height()],
      function: vec![Line::default(); size.height()],
    }
  }

  fn set(&mut self, x: usize, y: usize, dark: bool) {
    self.dark[y].set(x, dark);
    self.function[y].set(x, true);
  }

  /// A square of `side` at (`x`, `y`): a dark ring, a light ring, and a dark centre of
  /// `side - 4` (the finder's 3×3, the sub-pattern's single module).
  fn ringed_square(&mut self, x: usize, y: usize, side: usize) {
    for dy in 0..side {
      for dx in 0..side {
        let ring = dx.min(dy).min(side - 1 - dx).min(side - 1 - dy);
        self.set(x + dx, y + dy, ring != 1);
      }
    }
  }

  fn function_patterns(&mut self, size: Size) {
    let (w, h) = (self.width, self.height);
    let columns = size.alignment_columns();
    // Timing patterns, dark on even coordinates: along the top and bottom edges, down both
    // sides and down each alignment column. The patterns below overwrite parts of them.
    for x in 0..w {
      self.set(x, 0, x % 2 == 0);
      self.set(x, h - 1, x % 2 == 0);
    }
    for y in 0..h {
      for &x in [0, w - 1].iter().chain(columns) {
        self.set(x, y, y % 2 == 0);
      }
    }
    self.ringed_square(0, 0, 7);
    // The separator: right of the finder, and below it when there is a row for it.
    for y in 0..h.min(8) {
      self.set(7, y, false);
    }
    if h >= 9 {
      for x in 0..8 {
        self.set(x, 7, false);
      }
    }
    self.ringed_square(w - 5, h - 5, 5);
    // Corner finder patterns: top right, and bottom left (an L from the height of 11 up).
    for (x, y, dark) in [
      (w - 1, 0, true),
      (w - 2, 0, true),
      (w - 1, 1, true),
      (w - 2, 1, false),
      (0, h - 1, true),
      (1, h - 1, true),
      (2, h - 1, true),
    ] {
      self.set(x, y, dark);
    }
    if h >= 11 {
      self.set(0, h - 2, true);
      self.set(1, h - 2, false);
    }
    // Alignment patterns, 3×3 with a light centre, on both edges of each alignment column.
    for &centre in columns {
      for (dx, dy) in (0..3).flat_map(|dx| (0..3).map(move |dy| (dx, dy))) {
        let dark = dx != 1 || dy != 1;
        self.set(centre + dx - 1, dy, dark);
        self.set(centre + dx - 1, h - 3 + dy, dark);
      }
    }
  }

  /// Bit `i` of each masked copy, least significant first: beside the finder in columns 8‥11
  /// from row 1, five to a column; beside the sub-pattern in columns `w - 8‥w - 6` from row
  /// `h - 6`, and the last three along row `h - 6`.
  fn format_information(&mut self, bits: u32) {
    let (w, h) = (self.width, self.height);
    let left = bits ^ FINDER_SIDE_MASK;
    let right = bits ^ SUB_PATTERN_SIDE_MASK;
    for i in 0..18 {
      self.set(8 + i / 5, 1 + i % 5, left >> i & 1 == 1);
      let (x, y) = match i {
        0..15 => (w - 8 + i / 5, h - 6 + i % 5),
        _ => (w - 20 + i, h - 6),
      };
      self.set(x, y, right >> i & 1 == 1);
    }
  }

  /// The codewords, most significant bit first, up and down two-module columns from the right
  /// edge, right module before left, skipping function patterns; the modules left over
  /// (remainder bits) are light. Then the mask, `(⌊y / 2⌋ + ⌊x / 3⌋) mod 2 = 0`, over all of
  /// them.
  fn place(&mut self, codewords: &[u8]) {
    let mut bits = codewords
      .iter()
      .flat_map(|&byte| (0..8).rev().map(move |bit| byte >> bit & 1 == 1));
    let mut upward = true;
    let mut right = self.width - 2;
    loop {
      for step in 0..self.height {
        let y = if upward { self.height - 1 - step } else { step };
        for x in [right, right - 1] {
          if self.function[y].get(x) {
            continue;
          }
          let bit = bits.next().unwrap_or(false);
          let masked = (y / 2 + x / 3) % 2 == 0;
          self.dark[y].set(x, bit != masked);
        }
      }
      if right < 3 {
        break;
      }
      right -= 2;
      upward = !upward;
    }
    debug_assert!(bits.next().is_none(), "every codeword is placed");
  }
}

/// Modules left for codewords and remainder bits in `size`.
#[cfg(test)]
pub(super) fn data_modules(size: Size) -> usize {
  let mut grid = Grid::new(size);
  grid.function_patterns(size);
  grid.format_information(0);
  let all = size.width() * size.height();
  all
    - grid
      .function
      .iter()
      .map(|line| line.count_ones() as usize)
      .sum::<usize>()
}
