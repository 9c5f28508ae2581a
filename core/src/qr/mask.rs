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
use super::template::{format_positions, transpose, Template};

/// A symbol before masking, as rows and columns of `W` words.
pub struct Unmasked<const W: usize> {
  width: usize,
  /// Colours as drawn: function patterns final, data modules not yet masked, format light.
  rows: Vec<Line<W>>,
  cols: Vec<Line<W>>,
  flips: &'static Flips,
}

impl<const W: usize> Unmasked<W> {
  /// A version-`number` symbol at `level` from its drawn rows and columns, as full-width lines.
  pub fn new(rows: &[Line], cols: &[Line], number: i16, level: EcLevel) -> Self {
    let width = rows.len();
    assert!(
      width <= Line::<W>::CAPACITY,
      "a {width}-module symbol does not fit a line"
    );
    Self {
      width,
      rows: rows.iter().map(|line| line.resize()).collect(),
      cols: cols.iter().map(|line| line.resize()).collect(),
      flips: Flips::of(number, level),
    }
  }

  /// The mask with the lowest penalty, the lowest-numbered among equals, scored with the
  /// widest vector instructions this CPU has: the rules are word shifts and popcounts that the
  /// compiler vectorises, three times faster with AVX-512's vector popcount than without.
  pub fn best(&self) -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
      if has_avx512() {
        // SAFETY: the CPU has every feature the function is compiled for.
        return unsafe { self.best_avx512() };
      }
      if has_avx2() {
        // SAFETY: as above.
        return unsafe { self.best_avx2() };
      }
    }
    self.best_portable()
  }

  /// # Safety
  /// Needs the target features it is compiled with (see [`Self::best`]).
  #[cfg(target_arch = "x86_64")]
  #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx2,popcnt")]
  unsafe fn best_avx512(&self) -> u8 {
    self.best_portable()
  }

  /// # Safety
  /// Needs the target features it is compiled with (see [`Self::best`]).
  #[cfg(target_arch = "x86_64")]
  #[target_feature(enable = "avx2,popcnt")]
  unsafe fn best_avx2(&self) -> u8 {
    self.best_portable()
  }

  /// The eight candidates are masked into one reused buffer. Inlined into each caller, so it is
  /// compiled once per instruction set.
  #[inline(always)]
  fn best_portable(&self) -> u8 {
    let (mut rows, mut cols) = (Vec::new(), Vec::new());
    let mut best = (u16::MAX, 0);
    for pattern in 0..8 {
      masked_into(
        &mut rows,
        &self.rows,
        &self.flips.rows[usize::from(pattern)],
      );
      masked_into(
        &mut cols,
        &self.cols,
        &self.flips.cols[usize::from(pattern)],
      );
      let penalty = penalty(&rows, &cols, self.width);
      if pattern == 0 || penalty < best.0 {
        best = (penalty, pattern);
      }
    }
    best.1
  }

  /// The rows with mask `pattern` (0‥8) and its format information applied.
  pub fn rows(&self, pattern: u8) -> Vec<Line> {
    let flips = &self.flips.rows[usize::from(pattern)];
    let masked = self.rows.iter().zip(flips);
    masked
      .map(|(&row, &flip)| (row ^ flip.resize()).resize())
      .collect()
  }
}

/// Whether the CPU has what `best_avx512` is compiled for (std caches the answer).
#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
  use std::arch::is_x86_feature_detected as has;
  has!("avx512f") && has!("avx512bw") && has!("avx512vl") && has!("avx512vpopcntdq")
}

/// Whether the CPU has what `best_avx2` is compiled for.
#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
  use std::arch::is_x86_feature_detected as has;
  has!("avx2") && has!("popcnt")
}

#[inline(always)]
fn masked_into<const W: usize>(out: &mut Vec<Line<W>>, lines: &[Line<W>], flips: &[Line]) {
  out.clear();
  out.extend(
    lines
      .iter()
      .zip(flips)
      .map(|(&line, &flip)| line ^ flip.resize()),
  );
}

/// What masking XORs onto a drawn symbol of one version at one level, for each of the eight
/// patterns: the pattern over the data modules, and the pattern's format information (which
/// the template leaves light). Built once per version and level on first use.
struct Flips {
  rows: [Vec<Line>; 8],
  cols: [Vec<Line>; 8],
}

impl Flips {
  fn of(number: i16, level: EcLevel) -> &'static Self {
    static BY_VERSION: [[OnceLock<Flips>; 4]; 40] = [const { [const { OnceLock::new() }; 4] }; 40];
    let cell = &BY_VERSION[(number - 1) as usize][level as usize];
    cell.get_or_init(|| Self::build(Template::of(number), level))
  }

  fn build(template: &Template, level: EcLevel) -> Self {
    let width = template.data.len();
    let rows = std::array::from_fn(|pattern| {
      let pattern = pattern as u8;
      let mut rows: Vec<Line> = template.data.clone();
      for (y, row) in rows.iter_mut().enumerate() {
        for x in 0..width {
          if !inverts(pattern, x, y) {
            row.set(x, false);
          }
        }
      }
      let info = format_info(level, pattern);
      let bits = (0..15)
        .rev()
        .chain((0..15).rev())
        .map(|bit| info >> bit & 1 == 1);
      for ((x, y), dark) in format_positions(width).zip(bits.chain([true])) {
        rows[y].set(x, dark);
      }
      rows
    });
    Self {
      cols: std::array::from_fn(|pattern| transpose(&rows[pattern])),
      rows,
    }
  }
}

/// The crate's total penalty, including its wrapping `u16` arithmetic.
#[inline(always)]
fn penalty<const W: usize>(rows: &[Line<W>], cols: &[Line<W>], width: usize) -> u16 {
  let pairs = Line::ones(width - 1);
  let finder_starts = Line::ones(width - 6);
  // Plain loops: an iterator adapter's `fold` is a function of its own, compiled without the
  // caller's vector instructions.
  let (mut runs, mut finders, mut blocks, mut dark) = (0, 0, 0, 0);
  for lines in [rows, cols] {
    for &line in lines {
      runs += run_penalty(line, pairs);
      finders += finder_count(line, finder_starts);
    }
  }
  for pair in rows.windows(2) {
    blocks += block_count(pair[0], pair[1], pairs);
  }
  for line in rows {
    dark += line.count_ones();
  }
  let ratio = dark as usize * 200 / (width * width);
  let balance = ratio.abs_diff(100) as i64;
  // The crate subtracts 360 per direction: the three finder patterns' own nine matches.
  let total = i64::from(runs) + 3 * i64::from(blocks) + 40 * i64::from(finders) - 720 + balance;
  total.rem_euclid(1 << 16) as u16
}

/// Five or more equal modules in a line cost 3, plus 1 per module beyond five. `pairs` has a
/// bit for each module that has a next one.
#[inline(always)]
fn run_penalty<const W: usize>(line: Line<W>, pairs: Line<W>) -> u32 {
  let same_as_next = !(line ^ line.ahead(1)) & pairs;
  let run_of_five =
    same_as_next & same_as_next.ahead(1) & same_as_next.ahead(2) & same_as_next.ahead(3);
  let run_start = run_of_five & !same_as_next.behind(1);
  // A run of length n has n - 4 five-module windows and one start: n - 4 + 2 = 3 + (n - 5).
  run_of_five.count_ones() + 2 * run_start.count_ones()
}

/// 2×2 blocks of one colour whose top row is `upper`.
#[inline(always)]
fn block_count<const W: usize>(upper: Line<W>, lower: Line<W>, pairs: Line<W>) -> u32 {
  let level = !(upper ^ upper.ahead(1)) & !(lower ^ lower.ahead(1)) & !(upper ^ lower);
  (level & pairs).count_ones()
}

/// Dark-light-dark×3-light-dark runs with four light modules (or the edge) on at least one
/// side. `starts` has a bit for each module a 7-module run can start at.
#[inline(always)]
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

#[cfg(test)]
mod tests {
  use super::*;

  /// The oracle tests in `encode` run whichever path this CPU takes; this holds the others to
  /// it, on random data in every version and level.
  #[test]
  fn every_instruction_set_chooses_the_same_mask() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random_byte = move || {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      (state >> 24) as u8
    };
    for number in 1..=40 {
      let template = Template::of(number);
      for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
        for _ in 0..4 {
          let codewords: Vec<u8> = (0..template.order.len() / 8)
            .map(|_| random_byte())
            .collect();
          let (rows, cols) = template.place(codewords.into_iter());
          let unmasked = Unmasked::<3>::new(&rows, &cols, number, level);
          let portable = unmasked.best_portable();
          assert_eq!(unmasked.best(), portable, "v{number} {level:?}");
          #[cfg(target_arch = "x86_64")]
          {
            if has_avx2() {
              // SAFETY: the CPU has AVX2, checked just above.
              assert_eq!(unsafe { unmasked.best_avx2() }, portable, "v{number} AVX2");
            }
            if has_avx512() {
              assert_eq!(
                // SAFETY: the CPU has AVX-512, checked just above.
                unsafe { unmasked.best_avx512() },
                portable,
                "v{number} AVX-512"
              );
            }
          }
        }
      }
    }
  }

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
