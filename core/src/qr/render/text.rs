//! Text: Unicode half blocks (two module rows per line), plain or in terminal colours.

use std::fmt::Write as _;

use super::Framed;
use crate::cancel::{CancelToken, Cancelled};
use crate::qr::{Matrix, Rgba, Style};

/// Dark modules are drawn as ink (`█`, `▀`, `▄`), light ones as spaces, like node-qrcode's
/// `utf8` type; an odd number of module rows is padded with one light row. Colours and scale do
/// not apply to text. `cancel` is checked before each line.
pub fn utf8(matrix: &Matrix, style: &Style, cancel: &CancelToken) -> Result<String, Cancelled> {
  let framed = Framed::new(matrix, style);
  let (side, rows) = (framed.side, framed.rows);
  let mut out = String::with_capacity((side + 1) * rows.div_ceil(2) * 3);
  for top in (0..rows).step_by(2) {
    cancel.check()?;
    for x in 0..side {
      let upper = framed.is_dark(x, top);
      let lower = top + 1 < rows && framed.is_dark(x, top + 1);
      out.push(match (upper, lower) {
        (true, true) => '█',
        (true, false) => '▀',
        (false, true) => '▄',
        (false, false) => ' ',
      });
    }
    out.push('\n');
  }
  Ok(out)
}

/// ANSI 24-bit colour output with the quiet zone and both colours, which node-qrcode's
/// terminal type ignores. Each module is two spaces on its colour, so the code is square in
/// most fonts; `small` draws two module rows per line with `▀` (upper row in the foreground
/// colour, lower row in the background). `cancel` is checked before each line.
pub fn terminal(
  matrix: &Matrix,
  style: &Style,
  small: bool,
  cancel: &CancelToken,
) -> Result<String, Cancelled> {
  let framed = Framed::new(matrix, style);
  let (side, rows) = (framed.side, framed.rows);
  let colour = |dark: bool| if dark { style.dark } else { style.light };
  let mut out = String::new();
  let rows_per_line = if small { 2 } else { 1 };
  for top in (0..rows).step_by(rows_per_line) {
    cancel.check()?;
    let mut current = None;
    for x in 0..side {
      let upper = colour(framed.is_dark(x, top));
      if small {
        let lower = colour(top + 1 < rows && framed.is_dark(x, top + 1));
        if current != Some((upper, lower)) {
          let (fg, bg) = (sgr(38, upper), sgr(48, lower));
          let _ = write!(out, "{fg}{bg}");
          current = Some((upper, lower));
        }
        out.push('▀');
      } else {
        if current != Some((upper, upper)) {
          out.push_str(&sgr(48, upper));
          current = Some((upper, upper));
        }
        out.push_str("  ");
      }
    }
    out.push_str("\x1b[0m\n");
  }
  Ok(out)
}

/// The escape sequence setting the foreground (38) or background (48) to `colour`.
fn sgr(target: u8, colour: Rgba) -> String {
  format!("\x1b[{target};2;{};{};{}m", colour.r, colour.g, colour.b)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::encode::sample;
  use qrcode::EcLevel;

  #[test]
  fn half_blocks_round_trip_to_the_modules() {
    let matrix = sample(b"text", EcLevel::L);
    let style = Style {
      margin: 1,
      ..Style::default()
    };
    let framed = Framed::new(&matrix, &style);
    let text = utf8(&matrix, &style, &CancelToken::default()).unwrap();
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

  #[test]
  fn terminal_output_keeps_margin_and_colours() {
    let matrix = sample(b"tty", EcLevel::L);
    let style = Style {
      margin: 3,
      dark: Rgba::from_hex("#102030").unwrap(),
      light: Rgba::from_hex("#f0e0d0").unwrap(),
      ..Style::default()
    };
    let side = matrix.width() + 6;
    let big = terminal(&matrix, &style, false, &CancelToken::default()).unwrap();
    assert_eq!(big.lines().count(), side);
    assert!(big.contains("\x1b[48;2;16;32;48m") && big.contains("\x1b[48;2;240;224;208m"));
    let first = big.lines().next().unwrap();
    assert_eq!(
      first.matches("  ").count(),
      side,
      "a light margin row is one run"
    );
    let small = terminal(&matrix, &style, true, &CancelToken::default()).unwrap();
    assert_eq!(small.lines().count(), side.div_ceil(2));
    assert!(small.lines().all(|line| line.matches('▀').count() == side));
  }
}
