//! Text: each character shows two stacked modules with Unicode half blocks.

use super::Framed;
use crate::qr::{Matrix, Style};

/// Dark modules are drawn as ink (`█`, `▀`, `▄`), light ones as spaces, like node-qrcode's
/// `utf8` type; an odd number of module rows is padded with one light row. Colours and scale do
/// not apply to text.
pub fn utf8(matrix: &Matrix, style: &Style) -> String {
  let framed = Framed::new(matrix, style);
  let side = framed.side;
  let mut out = String::with_capacity((side + 1) * side.div_ceil(2) * 3);
  for top in (0..side).step_by(2) {
    for x in 0..side {
      let upper = framed.is_dark(x, top);
      let lower = top + 1 < side && framed.is_dark(x, top + 1);
      out.push(match (upper, lower) {
        (true, true) => '█',
        (true, false) => '▀',
        (false, true) => '▄',
        (false, false) => ' ',
      });
    }
    out.push('\n');
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::{encode, Charset};
  use qrcode::EcLevel;

  #[test]
  fn half_blocks_round_trip_to_the_modules() {
    let matrix = encode(b"text", EcLevel::L, Charset::Utf8).unwrap();
    let style = Style {
      margin: 1,
      ..Style::default()
    };
    let framed = Framed::new(&matrix, &style);
    let text = utf8(&matrix, &style);
    let lines: Vec<Vec<char>> = text.lines().map(|line| line.chars().collect()).collect();
    assert_eq!(lines.len(), framed.side.div_ceil(2));
    assert!(lines.iter().all(|line| line.len() == framed.side));
    for y in 0..framed.side {
      for (x, &glyph) in lines[y / 2].iter().enumerate() {
        let dark = match (glyph, y % 2) {
          ('█', _) | ('▀', 0) | ('▄', 1) => true,
          (' ', _) | ('▀', 1) | ('▄', 0) => false,
          other => panic!("unexpected glyph {other:?}"),
        };
        assert_eq!(dark, framed.is_dark(x, y), "({x}, {y})");
      }
    }
  }
}
