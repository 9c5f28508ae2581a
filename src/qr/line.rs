//! A row or column of modules packed into bits, for word-at-a-time penalty scoring.

use std::ops::{BitAnd, BitOr, BitXor, Not};

const WORDS: usize = 3;

/// The most modules a line holds: 192 ≥ 177, the width of a version-40 symbol.
pub const CAPACITY: usize = WORDS * 64;

/// Modules `0‥CAPACITY` of one row or column, bit `i` set when module `i` is dark.
///
/// Invariant kept by callers: bits at and above the symbol's width are clear, so shifting in
/// from beyond the edge reads as light, exactly as the penalty rules treat the outside.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Line([u64; WORDS]);

impl Line {
  /// Bits `0‥n` set.
  pub fn ones(n: usize) -> Self {
    let mut line = Self::default();
    for (index, word) in line.0.iter_mut().enumerate() {
      let low = index * 64;
      *word = match n.saturating_sub(low) {
        0 => 0,
        bits if bits >= 64 => u64::MAX,
        bits => (1 << bits) - 1,
      };
    }
    line
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
  pub fn ahead(self, k: u32) -> Self {
    debug_assert!(k < 64);
    if k == 0 {
      return self;
    }
    let [a, b, c] = self.0;
    Self([a >> k | b << (64 - k), b >> k | c << (64 - k), c >> k])
  }

  /// Bit `i` of the result is bit `i - k` of `self`, clear for `i < k` (`k < 64`): looks `k`
  /// modules back.
  pub fn behind(self, k: u32) -> Self {
    debug_assert!(k < 64);
    if k == 0 {
      return self;
    }
    let [a, b, c] = self.0;
    Self([a << k, b << k | a >> (64 - k), c << k | b >> (64 - k)])
  }

  pub fn count_ones(self) -> u32 {
    self.0.iter().map(|word| word.count_ones()).sum()
  }
}

impl BitAnd for Line {
  type Output = Self;
  fn bitand(self, other: Self) -> Self {
    Self(std::array::from_fn(|i| self.0[i] & other.0[i]))
  }
}

impl BitOr for Line {
  type Output = Self;
  fn bitor(self, other: Self) -> Self {
    Self(std::array::from_fn(|i| self.0[i] | other.0[i]))
  }
}

impl BitXor for Line {
  type Output = Self;
  fn bitxor(self, other: Self) -> Self {
    Self(std::array::from_fn(|i| self.0[i] ^ other.0[i]))
  }
}

/// Sets the bits beyond the symbol too: only ever use the result under an `&` with a line that
/// keeps the invariant.
impl Not for Line {
  type Output = Self;
  fn not(self) -> Self {
    Self(self.0.map(|word| !word))
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn line_of(bits: &[usize]) -> Line {
    let mut line = Line::default();
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
  fn ones_and_counts() {
    assert_eq!(Line::ones(0), Line::default());
    assert_eq!(Line::ones(177).count_ones(), 177);
    assert!(Line::ones(65).get(64) && !Line::ones(65).get(65));
    let mut line = Line::ones(3);
    line.set(1, false);
    assert_eq!(line, line_of(&[0, 2]));
  }
}
