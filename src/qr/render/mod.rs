//! A matrix drawn with a [`Style`]: PNG, SVG, or Unicode half blocks for a terminal.

mod png;
mod svg;
mod text;

pub use self::png::png;
pub use self::svg::svg;
pub use self::text::utf8;

use super::{Matrix, Style};

/// The symbol with its quiet zone: `side × side` modules, light outside the matrix.
struct Framed<'a> {
  matrix: &'a Matrix,
  margin: usize,
  side: usize,
}

impl<'a> Framed<'a> {
  fn new(matrix: &'a Matrix, style: &Style) -> Self {
    Self {
      matrix,
      margin: style.margin as usize,
      side: style.side_modules(matrix.width()),
    }
  }

  /// Whether module (`x`, `y`) of the framed symbol is dark; anything outside is light.
  fn is_dark(&self, x: usize, y: usize) -> bool {
    let inside = self.margin..self.margin + self.matrix.width();
    inside.contains(&x)
      && inside.contains(&y)
      && self.matrix.is_dark(x - self.margin, y - self.margin)
  }
}

/// `#rrggbb` and the opacity as SVG wants them.
fn css_colour(colour: super::Rgba) -> (String, Option<String>) {
  let rgb = format!("#{:02x}{:02x}{:02x}", colour.r, colour.g, colour.b);
  let opacity = (!colour.is_opaque()).then(|| format!("{:.3}", f64::from(colour.a) / 255.0));
  (rgb, opacity)
}
