//! What every symbol of one version shares, drawn once by the `qrcode` crate and kept: the
//! function patterns, which modules hold data, and the order codeword bits fill them.
//!
//! Drawing a canvas and reading it back module by module costs more than choosing the mask;
//! with the template, a symbol is the function patterns plus one bit set per dark data bit, in
//! its rows and its columns at once, which the penalty rules both read.

use std::sync::OnceLock;

use qrcode::canvas::{Canvas, Module};
use qrcode::types::Color;
use qrcode::{EcLevel, Version};

use super::line::Line;

/// One normal (non-Micro) version's shared layout. Invariant: `order` lists each data module
/// of `data` exactly once, in placement order; `cols` is `rows` transposed.
pub struct Template {
  /// Function patterns as drawn; data modules and the format information (the dark module
  /// included) light, as masking draws those.
  pub rows: Vec<Line>,
  cols: Vec<Line>,
  /// The modules masks apply to: data, error correction and remainder bits.
  pub data: Vec<Line>,
  /// Data module coordinates `(x, y)` in the order codeword bits fill them.
  pub order: Vec<(u8, u8)>,
}

impl Template {
  /// The template of normal version `number` (1‥=40), built on first use.
  pub fn of(number: i16) -> &'static Self {
    static BY_VERSION: [OnceLock<Template>; 40] = [const { OnceLock::new() }; 40];
    BY_VERSION[(number - 1) as usize].get_or_init(|| Self::build(Version::Normal(number)))
  }

  fn build(version: Version) -> Self {
    // Function patterns do not depend on the level; the format areas stay light until masking.
    let mut canvas = Canvas::new(version, EcLevel::L);
    canvas.draw_all_functional_patterns();
    let width = version.width() as usize;
    let mut rows = vec![Line::default(); width];
    let mut data = vec![Line::default(); width];
    for y in 0..width {
      for x in 0..width {
        match canvas.get(x as i16, y as i16) {
          Module::Empty => data[y].set(x, true),
          module => rows[y].set(x, Color::from(module) == Color::Dark),
        }
      }
    }
    for (x, y) in format_positions(width) {
      rows[y].set(x, false);
    }
    let order = placement_order(width, |x, y| data[y].get(x))
      .map(|(x, y)| (x as u8, y as u8))
      .collect();
    Self {
      cols: transpose(&rows),
      rows,
      data,
      order,
    }
  }

  /// The function patterns with `codewords` (data, then error correction) placed in the data
  /// modules, as rows and as columns; remainder modules stay light.
  pub fn place(&self, codewords: impl Iterator<Item = u8>) -> (Vec<Line>, Vec<Line>) {
    let (mut rows, mut cols) = (self.rows.clone(), self.cols.clone());
    // Every codeword has eight modules: the remainder bits only ever follow the last one.
    for (modules, codeword) in self.order.chunks_exact(8).zip(codewords) {
      let mut dark = codeword;
      while dark != 0 {
        let bit = dark.leading_zeros() as usize;
        dark &= !(0x80 >> bit);
        let (x, y) = (usize::from(modules[bit].0), usize::from(modules[bit].1));
        rows[y].set(x, true);
        cols[x].set(y, true);
      }
    }
    (rows, cols)
  }
}

/// Columns from rows (or rows from columns): only set bits are visited.
pub fn transpose(rows: &[Line]) -> Vec<Line> {
  let mut cols = vec![Line::default(); rows.len()];
  for (y, row) in rows.iter().enumerate() {
    for x in row.ones_positions() {
      cols[x].set(y, true);
    }
  }
  cols
}

/// The modules of the 15 format bits, most significant first, along the copy around the
/// top-left finder and then the split copy (ISO/IEC 18004 §7.9.1); then the dark module, which
/// is always dark.
pub fn format_positions(width: usize) -> impl Iterator<Item = (usize, usize)> {
  let far = move |offset: usize| width - offset;
  let around_top_left = (0..=5)
    .map(|x| (x, 8))
    .chain([(7, 8), (8, 8), (8, 7)])
    .chain((0..=5).rev().map(|y| (8, y)));
  let split_copy = (1..=7)
    .map(move |offset| (8, far(offset)))
    .chain((1..=8).rev().map(move |offset| (far(offset), 8)));
  around_top_left.chain(split_copy).chain([(8, far(8))])
}

/// The modules for which `is_data` holds, in the order codeword bits fill them (ISO/IEC 18004
/// §7.7.3): two-column strips from the right edge, upwards then downwards, skipping the
/// vertical timing pattern in column 6.
pub fn placement_order(
  width: usize,
  is_data: impl Fn(usize, usize) -> bool,
) -> impl Iterator<Item = (usize, usize)> {
  let mut strips = Vec::with_capacity(width / 2);
  let mut right = width - 1;
  loop {
    strips.push(right);
    if right < 3 {
      break;
    }
    right -= 2;
    if right == 6 {
      right = 5;
    }
  }
  strips
    .into_iter()
    .enumerate()
    .flat_map(move |(strip, right)| {
      let upwards = strip % 2 == 0;
      (0..width).flat_map(move |step| {
        let y = if upwards { width - 1 - step } else { step };
        [(right, y), (right - 1, y)]
      })
    })
    .filter(move |&(x, y)| is_data(x, y))
}

#[cfg(test)]
mod tests {
  use super::*;
  use qrcode::ec;

  /// Placing codewords in the template draws exactly what the crate's canvas draws.
  #[test]
  fn placement_equals_the_crates_drawing() {
    for number in 1..=40 {
      let version = Version::Normal(number);
      let level = EcLevel::Q;
      let capacity = qrcode::bits::Bits::new(version).max_len(level).unwrap() / 8;
      let message: Vec<u8> = (0..capacity)
        .map(|i| (i * 37 + number as usize) as u8)
        .collect();
      let (data, ec) = ec::construct_codewords(&message, version, level).unwrap();
      let mut canvas = Canvas::new(version, level);
      canvas.draw_all_functional_patterns();
      canvas.draw_data(&data, &ec);
      let template = Template::of(number);
      let (rows, cols) = template.place(data.iter().chain(&ec).copied());
      assert_eq!(cols, transpose(&rows), "v{number} columns");
      let width = version.width() as usize;
      let format: Vec<_> = format_positions(width).collect();
      for (y, (row, data_row)) in rows.iter().zip(&template.data).enumerate() {
        for x in 0..width {
          let expected = canvas.get(x as i16, y as i16);
          // Format modules are left light for masking to draw.
          let dark = expected.is_dark() && !format.contains(&(x, y));
          assert_eq!(row.get(x), dark, "v{number} ({x}, {y})");
          let is_data = !matches!(expected, Module::Masked(_));
          assert_eq!(data_row.get(x), is_data, "v{number} ({x}, {y}) data");
        }
      }
    }
  }
}
