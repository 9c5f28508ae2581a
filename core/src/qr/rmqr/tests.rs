use super::draw::{data_modules, format_bits};
use super::*;

/// ISO/IEC 23941 table 6: data bits and the most bytes at M and at H, for each size in order.
#[rustfmt::skip]
const TABLE_6: [(usize, usize, usize, usize); 32] = [
  (48, 24, 5, 2), (96, 56, 11, 6), (160, 80, 19, 9), (224, 112, 27, 13), (352, 192, 42, 22),
  (96, 56, 11, 6), (168, 88, 20, 10), (248, 136, 30, 16), (336, 176, 40, 20), (504, 264, 61, 31),
  (56, 40, 6, 4), (152, 88, 18, 10), (248, 120, 30, 14), (344, 184, 41, 21), (456, 232, 55, 27),
  (672, 336, 82, 40), (96, 56, 11, 6), (216, 104, 26, 12), (304, 160, 36, 18), (424, 232, 51, 27),
  (584, 280, 71, 33), (848, 432, 104, 52), (264, 120, 31, 13), (384, 208, 46, 24),
  (536, 248, 65, 29), (704, 384, 86, 46), (1016, 552, 125, 67), (312, 168, 37, 19),
  (448, 224, 54, 26), (624, 304, 76, 36), (800, 448, 98, 54), (1216, 608, 150, 74),
];

const LEVELS: [RmqrLevel; 2] = [RmqrLevel::M, RmqrLevel::H];

fn total_codewords(size: Size, level: RmqrLevel) -> usize {
  let blocks = size.blocks(level);
  size.capacity(level) / 8 + usize::from(blocks.ec) * size.block_lengths(level).count()
}

#[test]
fn there_are_32_sizes_named_as_the_standard_names_them() {
  let names: Vec<String> = Size::all().map(Size::name).collect();
  assert_eq!(names.len(), 32);
  assert_eq!(names[0], "R7x43");
  assert_eq!(names[10], "R11x27");
  assert_eq!(names[31], "R17x139");
  assert_eq!(
    Size::parse("r13x77").map(Size::name).as_deref(),
    Some("R13x77")
  );
  for bad in ["R7x27", "R13x78", "13x77", "", "R13x77 "] {
    assert_eq!(Size::parse(bad), None, "{bad:?}");
  }
}

#[test]
fn capacities_are_table_6() {
  for (size, &(m, h, bytes_m, bytes_h)) in Size::all().zip(&TABLE_6) {
    assert_eq!(size.capacity(RmqrLevel::M), m, "{}", size.name());
    assert_eq!(size.capacity(RmqrLevel::H), h, "{}", size.name());
    assert_eq!(size.most_bytes(RmqrLevel::M), bytes_m, "{}", size.name());
    assert_eq!(size.most_bytes(RmqrLevel::H), bytes_h, "{}", size.name());
  }
}

#[test]
fn codewords_fill_every_data_module_but_fewer_than_8_remainder_bits() {
  for size in Size::all() {
    let total = total_codewords(size, RmqrLevel::M);
    assert_eq!(
      total,
      total_codewords(size, RmqrLevel::H),
      "{}",
      size.name()
    );
    let remainder = data_modules(size) - total * 8;
    assert!(remainder < 8, "{}: {remainder} remainder bits", size.name());
  }
}

#[test]
fn format_information_is_a_bch_code_of_distance_8() {
  let all: Vec<u32> = Size::all()
    .flat_map(|size| LEVELS.map(|level| format_bits(size, level)))
    .collect();
  for (i, a) in all.iter().enumerate() {
    assert!(a >> 18 == 0);
    for b in &all[i + 1..] {
      assert!((a ^ b).count_ones() >= 8, "{a:018b} {b:018b}");
    }
  }
  // Level bit, then the size number, then the check bits.
  assert_eq!(format_bits(Size(31), RmqrLevel::H) >> 12, 0b11_1111);
  assert_eq!(format_bits(Size(0), RmqrLevel::M), 0);
}

fn draw_text(data: &[u8], level: RmqrLevel, choice: Choice) -> Result<Drawn, Refusal> {
  encode(&Content::Text(data), level, Eci::Auto, choice)
}

#[test]
fn function_patterns_and_format_information_are_where_readers_look() {
  for size in Size::all() {
    for level in LEVELS {
      let drawn = draw_text(b"42", level, Choice::Fixed(size)).unwrap();
      let (w, h) = (size.width(), size.height());
      let dark = |x: usize, y: usize| drawn.rows[y].get(x);
      assert_eq!(drawn.rows.len(), h);
      assert!(drawn.rows.iter().all(|row| (w..192).all(|x| !row.get(x))));
      // The finder: dark ring, light ring, dark 3×3 centre.
      for (x, y) in [(0, 0), (6, 0), (0, 6), (6, 6), (3, 3), (2, 4)] {
        assert!(dark(x, y), "{} finder ({x}, {y})", size.name());
      }
      for (x, y) in [(1, 1), (5, 1), (1, 5), (7, 0), (7, 3)] {
        assert!(!dark(x, y), "{} finder ({x}, {y})", size.name());
      }
      // The sub-pattern: a 5×5 ring around a light ring and a dark centre.
      assert!(dark(w - 1, h - 1) && dark(w - 5, h - 5) && dark(w - 3, h - 3));
      assert!(!dark(w - 2, h - 2) && !dark(w - 4, h - 3));
      // Timing along the top edge between the finder and the corner pattern.
      for x in 8..w - 2 {
        let in_alignment = size
          .alignment_columns()
          .iter()
          .any(|&centre| x.abs_diff(centre) <= 1);
        if !in_alignment {
          assert_eq!(dark(x, 0), x % 2 == 0, "{} timing at {x}", size.name());
        }
      }
      // Both copies of the format information read back.
      let expected = format_bits(size, level);
      let left = (0..18).fold(0, |bits, i| {
        bits | u32::from(dark(8 + i / 5, 1 + i % 5)) << i
      });
      let right = (0..18).fold(0, |bits, i| {
        let (x, y) = if i < 15 {
          (w - 8 + i / 5, h - 6 + i % 5)
        } else {
          (w - 20 + i, h - 6)
        };
        bits | u32::from(dark(x, y)) << i
      });
      assert_eq!(left ^ 0b011111101010110010, expected, "{}", size.name());
      assert_eq!(right ^ 0b100000101001111011, expected, "{}", size.name());
    }
  }
}

/// The most digits `size` holds at `level`, from the bit counts of ISO/IEC 23941 §7.4.3.
fn most_digits(size: Size, level: RmqrLevel) -> usize {
  let count_bits = size.count_bits(Mode::Numeric);
  (0..1usize << count_bits)
    .rev()
    .find(|&n| 3 + count_bits + (10 * n).div_ceil(3) <= size.capacity(level))
    .unwrap()
}

/// The most bytes `size` holds at `level`: table 6.
fn most_bytes(size: Size, level: RmqrLevel) -> usize {
  let (_, _, m, h) = TABLE_6[usize::from(size.index())];
  match level {
    RmqrLevel::M => m,
    RmqrLevel::H => h,
  }
}

#[test]
fn each_size_holds_its_most_bytes_and_digits_and_names_the_size_one_more_needs() {
  type Most = fn(Size, RmqrLevel) -> usize;
  let modes: [(Most, u8); 2] = [(most_bytes, 0xA5), (most_digits, b'7')];
  for size in Size::all() {
    for level in LEVELS {
      for (most_of, fill) in modes {
        let most = most_of(size, level);
        let data = vec![fill; most + 1];
        let content = |n| Content::Binary(&data[..n]);
        let fixed = encode(&content(most), level, Eci::Auto, Choice::Fixed(size)).unwrap();
        assert_eq!(fixed.size, size);
        let needed = Size::by_area().find(|&other| most_of(other, level) > most);
        assert_eq!(
          encode(&content(most + 1), level, Eci::Auto, Choice::Fixed(size)).unwrap_err(),
          Refusal::TooSmall { size, needed },
          "{} {level:?} {most} + 1",
          size.name(),
        );
      }
    }
  }
}

#[test]
fn the_smallest_area_that_holds_the_data_is_chosen() {
  // 11 digits: R11x27 (297 modules) holds 12 at M; R7x43 (301) holds 12 too, but is larger.
  let drawn = draw_text(b"12345678901", RmqrLevel::M, Choice::Smallest).unwrap();
  assert_eq!(drawn.size.name(), "R11x27");
  let order: Vec<String> = Size::by_area().map(Size::name).collect();
  let (short, tall) = (
    order.iter().position(|name| name == "R7x99").unwrap(),
    order.iter().position(|name| name == "R9x77").unwrap(),
  );
  assert_eq!(tall, short + 1, "equal areas: the shorter first");
  let too_long = vec![b'x'; TABLE_6[31].2 + 1];
  assert_eq!(
    draw_text(&too_long, RmqrLevel::M, Choice::Smallest).unwrap_err(),
    Refusal::TooLong
  );
}

#[test]
fn kanji_and_eci_text_fit_their_headers() {
  let drawn = draw_text("漢字テキスト".as_bytes(), RmqrLevel::M, Choice::Smallest).unwrap();
  assert_eq!(drawn.plan.runs[0].span.mode, Mode::Kanji);
  let drawn = draw_text("Grüße".as_bytes(), RmqrLevel::H, Choice::Smallest).unwrap();
  assert!(drawn.plan.eci.is_some());
  // ECI (3 + 8) and a byte segment (3 + count + 6 × 8) fit the data codewords exactly.
  let written = data_codewords(&drawn.plan, drawn.size, RmqrLevel::H);
  assert_eq!(written.len() * 8, drawn.size.capacity(RmqrLevel::H));
}
