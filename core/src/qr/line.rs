//! A row or column of modules packed into bits, for word-at-a-time penalty scoring.

use std::ops::{BitAnd, BitOr, BitXor, Not};

/// Words in the widest line: 192 bits ≥ 177, the width of a version-40 symbol.
pub const MAX_WORDS: usize = 3;

/// Byte `i` of entry `b` is bit `i` of `b`: eight modules become eight bytes in one store.
const SPREAD: [u64; 256] = {
  let mut table = [0; 256];
  let mut bits = 0;
  while bits < 256 {
    let mut i = 0;
    while i < 8 {
      table[bits] |= ((bits as u64 >> i) & 1) << (8 * i);
      i += 1;
    }
    bits += 1;
  }
  table
};

/// Modules `0‥64 × W` of one row or column, bit `i` set when module `i` is dark. Narrow symbols
/// use narrow lines (one word up to version 11), so every rule costs a third of the work.
///
/// Invariant kept by callers: bits at and above the symbol's width are clear, so shifting in
/// from beyond the edge reads as light, exactly as the penalty rules treat the outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<const W: usize = MAX_WORDS>([u64; W]);

impl<const W: usize> Default for Line<W> {
  fn default() -> Self {
    Self([0; W])
  }
}

impl<const W: usize> Line<W> {
  /// The most modules a line holds.
  pub const CAPACITY: usize = W * 64;

  /// Bits `0‥n` set.
  pub fn ones(n: usize) -> Self {
    Self(std::array::from_fn(|index| {
      match n.saturating_sub(index * 64) {
        0 => 0,
        bits if bits >= 64 => u64::MAX,
        bits => (1 << bits) - 1,
      }
    }))
  }

  pub fn get(&self, i: usize) -> bool {
    self.0[i / 64] >> (i % 64) & 1 == 1
  }

  pub fn set(&mut self, i: usize, dark: bool) {
    let bit = 1 << (i % 64);
    if dark {
      self.0[i / 64] |= bit;
    } else {
      self.0[i / 64] &= !bit;
    }
  }

  /// Bit `i` of the result is bit `i + k` of `self` (`k < 64`): looks `k` modules ahead.
  #[inline(always)]
  pub fn ahead(self, k: u32) -> Self {
    debug_assert!(k < 64);
    if k == 0 {
      return self;
    }
    Self(std::array::from_fn(|i| {
      let carried = if i + 1 < W {
        self.0[i + 1] << (64 - k)
      } else {
        0
      };
      self.0[i] >> k | carried
    }))
  }

  /// Bit `i` of the result is bit `i - k` of `self`, clear for `i < k` (`k < 64`): looks `k`
  /// modules back.
  #[inline(always)]
  pub fn behind(self, k: u32) -> Self {
    debug_assert!(k < 64);
    if k == 0 {
      return self;
    }
    let mut out = Self::default();
    for i in 0..W {
      let carried = if i > 0 { self.0[i - 1] >> (64 - k) } else { 0 };
      out.0[i] = self.0[i] << k | carried;
    }
    out
  }

  /// The positions of the set bits, in order.
  pub fn ones_positions(self) -> impl Iterator<Item = usize> {
    (0..W).flat_map(move |index| {
      let mut word = self.0[index];
      std::iter::from_fn(move || {
        (word != 0).then(|| {
          let bit = word.trailing_zeros() as usize;
          word &= word - 1;
          index * 64 + bit
        })
      })
    })
  }

  /// Byte `i` of `out` becomes bit `i`, 0 or 1 (`out.len() ≤ CAPACITY`).
  pub fn write_bits(self, out: &mut [u8]) {
    let bytes = self.0.into_iter().flat_map(u64::to_le_bytes);
    for (chunk, byte) in out.chunks_mut(8).zip(bytes) {
      chunk.copy_from_slice(&SPREAD[usize::from(byte)].to_le_bytes()[..chunk.len()]);
    }
  }

  /// Runs of set bits as `(start, length)`, in order.
  pub fn runs(self) -> impl Iterator<Item = (usize, usize)> {
    let mut from = 0;
    std::iter::from_fn(move || {
      let start = self.next(from, true)?;
      let end = self.next(start, false).unwrap_or(Self::CAPACITY);
      from = end;
      Some((start, end - start))
    })
  }

  /// The first bit at or after `from` that is `set` (or clear), a word at a time.
  fn next(self, from: usize, set: bool) -> Option<usize> {
    let mut i = from;
    while i < Self::CAPACITY {
      let word = if set { self.0[i / 64] } else { !self.0[i / 64] };
      let ahead = word >> (i % 64);
      if ahead != 0 {
        return Some(i + ahead.trailing_zeros() as usize);
      }
      i = (i / 64 + 1) * 64;
    }
    None
  }

  pub fn count_ones(self) -> u32 {
    self.0.iter().map(|word| word.count_ones()).sum()
  }

  /// The same modules in a line of another width; `self`'s modules must fit it.
  pub fn resize<const V: usize>(self) -> Line<V> {
    debug_assert!((V..W).all(|i| self.0[i] == 0));
    Line(std::array::from_fn(|i| self.0.get(i).copied().unwrap_or(0)))
  }
}

// Plain loops over the words: the compiler unrolls them for each `W`; `array::map` and
// `from_fn` left a third of the penalty time in iterator plumbing.

impl<const W: usize> BitAnd for Line<W> {
  type Output = Self;
  #[inline(always)]
  fn bitand(mut self, other: Self) -> Self {
    for (word, other) in self.0.iter_mut().zip(other.0) {
      *word &= other;
    }
    self
  }
}

impl<const W: usize> BitOr for Line<W> {
  type Output = Self;
  #[inline(always)]
  fn bitor(mut self, other: Self) -> Self {
    for (word, other) in self.0.iter_mut().zip(other.0) {
      *word |= other;
    }
    self
  }
}

impl<const W: usize> BitXor for Line<W> {
  type Output = Self;
  #[inline(always)]
  fn bitxor(mut self, other: Self) -> Self {
    for (word, other) in self.0.iter_mut().zip(other.0) {
      *word ^= other;
    }
    self
  }
}

/// Sets the bits beyond the symbol too: only ever use the result under an `&` with a line that
/// keeps the invariant.
impl<const W: usize> Not for Line<W> {
  type Output = Self;
  #[inline(always)]
  fn not(mut self) -> Self {
    for word in &mut self.0 {
      *word = !*word;
    }
    self
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn line_of(bits: &[usize]) -> Line {
    let mut line = Line::<3>::default();
    for &i in bits {
      line.set(i, true);
    }
    line
  }

  #[test]
  fn shifts_cross_word_boundaries() {
    let line = line_of(&[0, 63, 64, 130, 176]);
    assert_eq!(line.ahead(1), line_of(&[62, 63, 129, 175]));
    assert_eq!(line.behind(1), line_of(&[1, 64, 65, 131, 177]));
    assert_eq!(line.ahead(10).behind(10), line_of(&[63, 64, 130, 176]));
  }

  #[test]
  fn narrow_lines_shift_alike() {
    let wide = line_of(&[0, 5, 40, 63]);
    let narrow: Line<1> = wide.resize();
    assert_eq!(narrow.ahead(5).resize::<3>(), wide.ahead(5));
    assert_eq!(
      narrow.behind(1).resize::<3>(),
      line_of(&[1, 6, 41]),
      "bit 64 falls off"
    );
  }

  #[test]
  fn ones_and_counts() {
    assert_eq!(Line::<3>::ones(0), Line::<3>::default());
    assert_eq!(Line::<3>::ones(177).count_ones(), 177);
    let runs: Vec<(usize, usize)> = line_of(&[0, 1, 63, 64, 65, 176]).runs().collect();
    assert_eq!(runs, [(0, 2), (63, 3), (176, 1)]);
    let positions: Vec<usize> = line_of(&[0, 63, 64, 176]).ones_positions().collect();
    assert_eq!(positions, [0, 63, 64, 176]);
    assert!(Line::<3>::ones(65).get(64) && !Line::<3>::ones(65).get(65));
    let mut line = Line::<3>::ones(3);
    line.set(1, false);
    assert_eq!(line, line_of(&[0, 2]));
  }

  #[test]
  fn bits_become_bytes_across_words() {
    let set = [0, 2, 63, 64, 127, 128, 176];
    let mut out = [7; 177];
    line_of(&set).write_bits(&mut out);
    for (i, byte) in out.iter().enumerate() {
      assert_eq!(*byte, u8::from(set.contains(&i)), "module {i}");
    }
  }
}
