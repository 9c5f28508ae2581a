//! SVG: one path of dark runs over an optional light background, sized in pixels.

use std::fmt::Write as _;

use super::{css_colour, Framed};
use crate::qr::options::ImageTooLarge;
use crate::qr::{Matrix, Style};

/// The viewBox is in modules; `width`/`height` are `scale` px per module, so unlike node-qrcode
/// the scale option is honoured. A fully transparent light colour draws no background.
pub fn svg(matrix: &Matrix, style: &Style) -> Result<String, ImageTooLarge> {
  let side_px = style.side_px(matrix.width())?;
  let framed = Framed::new(matrix, style);
  let side = framed.side;
  let mut out = format!(
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side_px}\" height=\"{side_px}\" \
     viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">"
  );
  if style.light.a != 0 {
    out.push_str(&path(&format!("M0 0h{side}v{side}H0z"), style.light));
  }
  let mut runs = String::new();
  for y in 0..side {
    let mut x = 0;
    while x < side {
      if !framed.is_dark(x, y) {
        x += 1;
        continue;
      }
      let start = x;
      while x < side && framed.is_dark(x, y) {
        x += 1;
      }
      let _ = write!(runs, "M{start} {y}h{}v1H{start}z", x - start);
    }
  }
  out.push_str(&path(&runs, style.dark));
  out.push_str("</svg>\n");
  Ok(out)
}

fn path(data: &str, colour: crate::qr::Rgba) -> String {
  let (fill, opacity) = css_colour(colour);
  let opacity = opacity.map_or(String::new(), |value| format!(" fill-opacity=\"{value}\""));
  format!("<path fill=\"{fill}\"{opacity} d=\"{data}\"/>")
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::{encode, Charset, Rgba};
  use qrcode::EcLevel;

  /// Rebuilds the module grid from the path's `M{x} {y}h{n}` runs.
  fn dark_modules(svg: &str, side: usize) -> Vec<bool> {
    let dark_path = svg.rsplit("d=\"").next().unwrap();
    let mut grid = vec![false; side * side];
    for run in dark_path.split('M').skip(1) {
      let (x, rest) = run.split_once(' ').unwrap();
      let (y, rest) = rest.split_once('h').unwrap();
      let (len, _) = rest.split_once('v').unwrap();
      let (x, y, len): (usize, usize, usize) =
        (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
      for cell in &mut grid[y * side + x..y * side + x + len] {
        *cell = true;
      }
    }
    grid
  }

  #[test]
  fn runs_cover_exactly_the_dark_modules() {
    let matrix = encode(b"svg runs", EcLevel::M, Charset::Utf8).unwrap();
    let style = Style::default();
    let image = svg(&matrix, &style).unwrap();
    let framed = Framed::new(&matrix, &style);
    let grid = dark_modules(&image, framed.side);
    for y in 0..framed.side {
      for x in 0..framed.side {
        assert_eq!(
          grid[y * framed.side + x],
          framed.is_dark(x, y),
          "({x}, {y})"
        );
      }
    }
    let px = (matrix.width() + 8) * 4;
    assert!(image.contains(&format!("width=\"{px}\" height=\"{px}\"")));
  }

  #[test]
  fn colours_and_opacity() {
    let matrix = encode(b"tint", EcLevel::M, Charset::Utf8).unwrap();
    let style = Style {
      dark: Rgba::from_hex("#00f8").unwrap(),
      light: Rgba::from_hex("#ffffff00").unwrap(),
      ..Style::default()
    };
    let image = svg(&matrix, &style).unwrap();
    assert!(image.contains("fill=\"#0000ff\" fill-opacity=\"0.533\""));
    assert!(
      !image.contains("#ffffff"),
      "a transparent background is not drawn"
    );
  }
}
