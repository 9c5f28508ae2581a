//! rMQR (ISO/IEC 23941, rectangular Micro QR): the 32 sizes from R7x43 to R17x139, levels M
//! and H, and data → the smallest size that holds it.
//!
//! The bit stream is a QR stream with other headers (3-bit mode indicators, each size's own
//! count fields, a 3-bit terminator), so the segment planner serves it through [`Headers`];
//! [`draw`] places the codewords.

mod draw;

use qrcode::types::Mode;
use qrcode::EcLevel;

use super::bit_writer::BitWriter;
use super::line::Line;
use super::segment::{plan, Content, Eci, Fnc1, Headers, Plan};

/// One of the 32 sizes, by its number in ISO/IEC 23941's table less one (R7x43 is 0, R17x139
/// is 31): what the format information carries. Invariant: `.0 < 32`; only [`Size::all`] and
/// [`Size::parse`] make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Size(u8);

/// Error correction blocks at one level: EC codewords in each block, then up to two groups of
/// (blocks, data codewords in each), the shorter blocks first.
#[derive(Debug)]
struct Blocks {
  ec: u8,
  groups: [(u8, u8); 2],
}

/// One size's row of ISO/IEC 23941's tables.
#[derive(Debug)]
struct Spec {
  height: u8,
  width: u8,
  /// Character count bits for numeric, alphanumeric, byte and kanji segments (table 3).
  counts: [u8; 4],
  /// Blocks at level M, then at level H (table 8).
  blocks: [Blocks; 2],
}

const fn blocks(b: [u8; 5]) -> Blocks {
  Blocks {
    ec: b[0],
    groups: [(b[1], b[2]), (b[3], b[4])],
  }
}

const fn spec(height: u8, width: u8, counts: [u8; 4], m: [u8; 5], h: [u8; 5]) -> Spec {
  Spec {
    height,
    width,
    counts,
    blocks: [blocks(m), blocks(h)],
  }
}

/// Every size in the order of its number. M and H are `[ec per block, blocks, data codewords
/// each, blocks, data codewords each]`.
#[rustfmt::skip]
const SPECS: [Spec; 32] = [
  spec(7, 43, [4, 3, 3, 2], [7, 1, 6, 0, 0], [10, 1, 3, 0, 0]),
  spec(7, 59, [5, 5, 4, 3], [9, 1, 12, 0, 0], [14, 1, 7, 0, 0]),
  spec(7, 77, [6, 5, 5, 4], [12, 1, 20, 0, 0], [22, 1, 10, 0, 0]),
  spec(7, 99, [7, 6, 5, 5], [16, 1, 28, 0, 0], [30, 1, 14, 0, 0]),
  spec(7, 139, [7, 6, 6, 5], [24, 1, 44, 0, 0], [22, 2, 12, 0, 0]),
  spec(9, 43, [5, 5, 4, 3], [9, 1, 12, 0, 0], [14, 1, 7, 0, 0]),
  spec(9, 59, [6, 5, 5, 4], [12, 1, 21, 0, 0], [22, 1, 11, 0, 0]),
  spec(9, 77, [7, 6, 5, 5], [18, 1, 31, 0, 0], [16, 1, 8, 1, 9]),
  spec(9, 99, [7, 6, 6, 5], [24, 1, 42, 0, 0], [22, 2, 11, 0, 0]),
  spec(9, 139, [8, 7, 6, 6], [18, 1, 31, 1, 32], [22, 3, 11, 0, 0]),
  spec(11, 27, [4, 4, 3, 2], [8, 1, 7, 0, 0], [10, 1, 5, 0, 0]),
  spec(11, 43, [6, 5, 5, 4], [12, 1, 19, 0, 0], [20, 1, 11, 0, 0]),
  spec(11, 59, [7, 6, 5, 5], [16, 1, 31, 0, 0], [16, 1, 7, 1, 8]),
  spec(11, 77, [7, 6, 6, 5], [24, 1, 43, 0, 0], [22, 1, 11, 1, 12]),
  spec(11, 99, [8, 7, 6, 6], [16, 1, 28, 1, 29], [30, 1, 14, 1, 15]),
  spec(11, 139, [8, 7, 7, 6], [24, 2, 42, 0, 0], [30, 3, 14, 0, 0]),
  spec(13, 27, [5, 5, 4, 3], [9, 1, 12, 0, 0], [14, 1, 7, 0, 0]),
  spec(13, 43, [6, 6, 5, 5], [14, 1, 27, 0, 0], [28, 1, 13, 0, 0]),
  spec(13, 59, [7, 6, 6, 5], [22, 1, 38, 0, 0], [20, 2, 10, 0, 0]),
  spec(13, 77, [7, 7, 6, 6], [16, 1, 26, 1, 27], [28, 1, 14, 1, 15]),
  spec(13, 99, [8, 7, 7, 6], [20, 1, 36, 1, 37], [26, 1, 11, 2, 12]),
  spec(13, 139, [8, 8, 7, 7], [20, 2, 35, 1, 36], [28, 2, 13, 2, 14]),
  spec(15, 43, [7, 6, 6, 5], [18, 1, 33, 0, 0], [18, 1, 7, 1, 8]),
  spec(15, 59, [7, 7, 6, 5], [26, 1, 48, 0, 0], [24, 2, 13, 0, 0]),
  spec(15, 77, [8, 7, 7, 6], [18, 1, 33, 1, 34], [24, 2, 10, 1, 11]),
  spec(15, 99, [8, 7, 7, 6], [24, 2, 44, 0, 0], [22, 4, 12, 0, 0]),
  spec(15, 139, [9, 8, 7, 7], [24, 2, 42, 1, 43], [26, 1, 13, 4, 14]),
  spec(17, 43, [7, 6, 6, 5], [22, 1, 39, 0, 0], [20, 1, 10, 1, 11]),
  spec(17, 59, [8, 7, 6, 6], [16, 2, 28, 0, 0], [30, 2, 14, 0, 0]),
  spec(17, 77, [8, 7, 7, 6], [22, 2, 39, 0, 0], [28, 1, 12, 2, 13]),
  spec(17, 99, [8, 8, 7, 6], [20, 2, 33, 1, 34], [26, 4, 14, 0, 0]),
  spec(17, 139, [9, 8, 8, 7], [20, 4, 38, 0, 0], [26, 2, 12, 4, 13]),
];

/// Bits of the terminator (fewer when the symbol is full).
const TERMINATOR_BITS: usize = 3;

impl Size {
  /// The largest size, which holds the most at either level.
  pub const LARGEST: Size = Size(31);

  /// Every size, R7x43 first.
  pub fn all() -> impl Iterator<Item = Size> {
    (0..SPECS.len() as u8).map(Size)
  }

  /// Every size, smallest area first; of two with the same area (R7x99 and R9x77), the
  /// shorter first. [`Choice::Smallest`] takes the first that holds the data.
  pub fn by_area() -> impl Iterator<Item = Size> {
    let mut sizes: Vec<Size> = Self::all().collect();
    sizes.sort_by_key(|size| (size.width() * size.height(), size.height()));
    sizes.into_iter()
  }

  /// `R{height}x{width}` (`R13x77`), as the standard names a size; case-insensitive.
  pub fn parse(name: &str) -> Option<Size> {
    Self::all().find(|size| size.name().eq_ignore_ascii_case(name))
  }

  pub fn name(self) -> String {
    format!("R{}x{}", self.height(), self.width())
  }

  /// Its number less one, 0‥32, as the format information carries it.
  pub fn index(self) -> u8 {
    self.0
  }

  fn spec(self) -> &'static Spec {
    &SPECS[usize::from(self.0)]
  }

  /// Modules down.
  pub fn height(self) -> usize {
    self.spec().height.into()
  }

  /// Modules across.
  pub fn width(self) -> usize {
    self.spec().width.into()
  }

  /// Centre columns of the alignment patterns (and the vertical timing patterns through them)
  /// (ISO/IEC 23941 annex D): fixed by the width.
  fn alignment_columns(self) -> &'static [usize] {
    match self.width() {
      27 => &[],
      43 => &[21],
      59 => &[19, 39],
      77 => &[25, 51],
      99 => &[23, 49, 75],
      _ => &[27, 55, 83, 111],
    }
  }

  fn blocks(self, level: RmqrLevel) -> &'static Blocks {
    &self.spec().blocks[level as usize]
  }

  /// Data codewords at `level`: every block's, in order.
  fn block_lengths(self, level: RmqrLevel) -> impl Iterator<Item = usize> {
    self
      .blocks(level)
      .groups
      .iter()
      .flat_map(|&(count, data)| std::iter::repeat_n(usize::from(data), count.into()))
  }

  /// The most 8-bit bytes the size holds at `level` (ISO/IEC 23941 table 6).
  pub fn most_bytes(self, level: RmqrLevel) -> usize {
    let count_bits = self.count_bits(Mode::Byte);
    let room = self.capacity(level) - self.mode_bits() - count_bits;
    (room / 8).min((1 << count_bits) - 1)
  }

  /// Data bits at `level`.
  pub fn capacity(self, level: RmqrLevel) -> usize {
    self.block_lengths(level).sum::<usize>() * 8
  }
}

impl Headers for Size {
  fn mode_bits(self) -> usize {
    3
  }

  fn count_bits(self, mode: Mode) -> usize {
    let index = match mode {
      Mode::Numeric => 0,
      Mode::Alphanumeric => 1,
      Mode::Byte => 2,
      Mode::Kanji => 3,
    };
    self.spec().counts[index].into()
  }

  fn offers(self, _: Mode) -> bool {
    true
  }
}

/// The two levels rMQR has; the discriminant is the format information's level bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RmqrLevel {
  M = 0,
  H = 1,
}

impl RmqrLevel {
  /// M or H; `None` for L and Q, which rMQR lacks.
  pub fn of(level: EcLevel) -> Option<Self> {
    match level {
      EcLevel::M => Some(Self::M),
      EcLevel::H => Some(Self::H),
      EcLevel::L | EcLevel::Q => None,
    }
  }
}

/// Which size to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
  /// The first of [`Size::by_area`] that holds the data.
  Smallest,
  Fixed(Size),
}

/// Why no symbol was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
  /// No size holds the data at this level.
  TooLong,
  /// The fixed `size` is too small; `needed` is the smallest that holds the data (`None`
  /// when none does).
  TooSmall { size: Size, needed: Option<Size> },
}

/// A drawn rMQR symbol: its size, rows (`height` lines of `width` modules) and plan.
#[derive(Debug)]
pub struct Drawn {
  pub size: Size,
  pub rows: Vec<Line>,
  pub plan: Plan,
}

/// `content` at `level` in the size `choice` names, with segments chosen for the fewest bits.
/// `content` is not empty (the caller checks).
pub fn encode(
  content: &Content,
  level: RmqrLevel,
  eci: Eci,
  choice: Choice,
) -> Result<Drawn, Refusal> {
  let mut plans = Plans::default();
  let mut fits = |size: Size| {
    let plan = plans.for_size(content, size, eci);
    (plan.bit_len(size) <= size.capacity(level)).then(|| plan.clone())
  };
  match choice {
    Choice::Fixed(size) => match fits(size) {
      Some(plan) => Ok(drawn(size, level, plan)),
      None => Err(Refusal::TooSmall {
        size,
        needed: Size::by_area().find(|&size| fits(size).is_some()),
      }),
    },
    Choice::Smallest => Size::by_area()
      .find_map(|size| Some((size, fits(size)?)))
      .map(|(size, plan)| drawn(size, level, plan))
      .ok_or(Refusal::TooLong),
  }
}

/// Plans made so far, by count field sizes: sizes with the same have the same best plan (the
/// 32 sizes have 15 different ones), so trying sizes plans each only once.
#[derive(Default)]
struct Plans(Vec<([u8; 4], Plan)>);

impl Plans {
  fn for_size(&mut self, content: &Content, size: Size, eci: Eci) -> &Plan {
    let counts = size.spec().counts;
    let index = match self.0.iter().position(|(made, _)| *made == counts) {
      Some(index) => index,
      None => {
        // Every size offers every mode, so there is always a plan.
        let plan = plan(content, size, eci, Fnc1::None).expect("rMQR has every mode");
        self.0.push((counts, plan));
        self.0.len() - 1
      }
    };
    &self.0[index].1
  }
}

fn drawn(size: Size, level: RmqrLevel, plan: Plan) -> Drawn {
  let data = data_codewords(&plan, size, level);
  Drawn {
    size,
    rows: draw::draw(size, level, &codewords(&data, size, level)),
    plan,
  }
}

/// The mode indicators (ISO/IEC 23941 table 2).
fn mode_indicator(mode: Mode) -> u32 {
  match mode {
    Mode::Numeric => 0b001,
    Mode::Alphanumeric => 0b010,
    Mode::Byte => 0b011,
    Mode::Kanji => 0b100,
  }
}

const ECI_INDICATOR: u32 = 0b111;

/// The data codewords: `plan` (which fits), the terminator and the padding.
fn data_codewords(plan: &Plan, size: Size, level: RmqrLevel) -> Vec<u8> {
  let mut out = BitWriter::default();
  if let Some(eci) = plan.eci {
    out.push(ECI_INDICATOR, size.mode_bits());
    out.push(eci, 8);
  }
  plan.write_runs(&mut out, |out, mode, characters| {
    out.push(mode_indicator(mode), size.mode_bits());
    out.push(characters as u32, size.count_bits(mode));
  });
  debug_assert_eq!(out.len(), plan.bit_len(size));
  out.finish(TERMINATOR_BITS, size.capacity(level))
}

/// Data and error correction codewords in the order they are placed: the blocks' data
/// interleaved, then their error correction interleaved.
fn codewords(data: &[u8], size: Size, level: RmqrLevel) -> Vec<u8> {
  let ec_len = usize::from(size.blocks(level).ec);
  let mut blocks = Vec::new();
  let mut start = 0;
  for length in size.block_lengths(level) {
    let block = &data[start..start + length];
    blocks.push((
      block,
      qrcode::ec::create_error_correction_code(block, ec_len),
    ));
    start += length;
  }
  let longest = blocks.iter().map(|(data, _)| data.len()).max().unwrap_or(0);
  let mut out = Vec::with_capacity(data.len() + ec_len * blocks.len());
  for i in 0..longest {
    out.extend(blocks.iter().filter_map(|(data, _)| data.get(i)));
  }
  for i in 0..ec_len {
    out.extend(blocks.iter().map(|(_, ec)| ec[i]));
  }
  out
}

#[cfg(test)]
mod tests;
