//! A matrix drawn with a [`Style`]: PNG, JPEG, WebP, GIF, SVG, or text for a terminal.
//!
//! Plain square modules in two colours take the 1-bit PNG path; shaped modules, logos, JPEG,
//! WebP and GIF are drawn in RGBA, a band of rows at a time ([`raster`]). Every renderer checks
//! the cancel token every few rows.

mod png;
mod raster;
mod svg;
#[cfg(test)]
mod tests;
mod text;

pub use self::raster::{image, ImageFormat, PngRender, RenderError};
pub use self::svg::svg;
pub use self::text::{terminal, utf8};

use super::logo::{Clearing, Logo};
use super::options::{FinderShape, ModuleShape};
use super::{Matrix, Style};

/// A logo and the modules it clears.
pub struct Placed<'a> {
  pub logo: &'a Logo,
  pub clearing: Clearing,
}

/// The symbol with its quiet zone: `side` modules across and `rows` down (as many as across
/// but for rMQR), light outside the matrix.
struct Framed<'a> {
  matrix: &'a Matrix,
  margin: usize,
  side: usize,
  rows: usize,
}

impl<'a> Framed<'a> {
  fn new(matrix: &'a Matrix, style: &Style) -> Self {
    Self {
      matrix,
      margin: style.margin as usize,
      side: style.side_modules(matrix.width()),
      rows: style.side_modules(matrix.height()),
    }
  }

  /// Whether module (`x`, `y`) of the framed symbol is dark; anything outside is light.
  fn is_dark(&self, x: usize, y: usize) -> bool {
    let margin = self.margin;
    (margin..margin + self.matrix.width()).contains(&x)
      && (margin..margin + self.matrix.height()).contains(&y)
      && self.matrix.is_dark(x - margin, y - margin)
  }

  /// Pixels down an image `side_px` across: a row of modules is as tall as a column is wide
  /// (row `i` covers the pixels column `i` does, see [`module_edges`]), so a square symbol
  /// makes a square image. Never more than `side_px`.
  fn height_px(&self, side_px: usize) -> usize {
    (self.rows * side_px).div_ceil(self.side)
  }
}

/// What is drawn where, in framed module coordinates: the modules one by one, finder patterns
/// whole when they have their own shape, nothing under a logo.
struct Layout<'a> {
  framed: Framed<'a>,
  style: &'a Style,
  /// Framed coordinates of each finder pattern, drawn whole in its own shape: scanners find a
  /// code by its finders' 1:1:3:1:1 runs, which dots would break.
  finders: Vec<(usize, usize)>,
  /// The logo's square, framed coordinates.
  cleared: Option<std::ops::Range<usize>>,
}

impl<'a> Layout<'a> {
  fn new(matrix: &'a Matrix, style: &'a Style, clearing: Option<Clearing>) -> Self {
    let margin = style.margin as usize;
    let finders = matrix
      .finders()
      .into_iter()
      .map(|(x, y)| (x + margin, y + margin))
      .collect();
    Self {
      framed: Framed::new(matrix, style),
      style,
      finders,
      cleared: clearing
        .map(|clearing| clearing.start + margin..clearing.start + margin + clearing.side),
    }
  }

  fn in_cleared(&self, x: usize, y: usize) -> bool {
    self
      .cleared
      .as_ref()
      .is_some_and(|range| range.contains(&x) && range.contains(&y))
  }

  /// The finder whose 7×7 box holds module (`x`, `y`).
  fn finder_at(&self, x: usize, y: usize) -> Option<(usize, usize)> {
    self
      .finders
      .iter()
      .copied()
      .find(|&(fx, fy)| (fx..fx + 7).contains(&x) && (fy..fy + 7).contains(&y))
  }

  /// Whether module (`x`, `y`) is drawn as a dark module shape.
  fn draws_module(&self, x: usize, y: usize) -> bool {
    self.framed.is_dark(x, y) && !self.in_cleared(x, y) && self.finder_at(x, y).is_none()
  }

  /// For [`ModuleShape::Rounded`]: which corners (top-left, top-right, bottom-right,
  /// bottom-left) are rounded, those with no dark neighbour on either side.
  fn rounded_corners(&self, x: usize, y: usize) -> [bool; 4] {
    let dark = |dx: isize, dy: isize| {
      let (nx, ny) = (x as isize + dx, y as isize + dy);
      nx >= 0 && ny >= 0 && self.draws_module(nx as usize, ny as usize)
    };
    let (left, right, up, down) = (dark(-1, 0), dark(1, 0), dark(0, -1), dark(0, 1));
    [!left && !up, !right && !up, !right && !down, !left && !down]
  }

  /// Whether the point (`u`, `v`), in framed module units, is ink.
  fn is_ink(&self, u: f64, v: f64) -> bool {
    let (x, y) = (u as usize, v as usize);
    if let Some((fx, fy)) = self.finder_at(x, y) {
      return match self.style.finder {
        FinderShape::Square => self.framed.is_dark(x, y),
        FinderShape::Rounded => finder_ink(u - fx as f64, v - fy as f64),
      };
    }
    if !self.draws_module(x, y) {
      return false;
    }
    let (du, dv) = (u - x as f64 - 0.5, v - y as f64 - 0.5);
    let in_circle = du * du + dv * dv <= 0.25;
    match self.style.modules {
      ModuleShape::Square => true,
      ModuleShape::Dots => in_circle,
      ModuleShape::Rounded => {
        let corner = match (du < 0.0, dv < 0.0) {
          (true, true) => 0,
          (false, true) => 1,
          (false, false) => 2,
          (true, false) => 3,
        };
        in_circle || !self.rounded_corners(x, y)[corner]
      }
    }
  }
}

/// A rounded finder pattern in its own 7×7 box: a ring of radius 2 around a light ring, and a
/// 3×3 centre of radius 1; the 1:1:3:1:1 proportions scanners look for are kept.
fn finder_ink(u: f64, v: f64) -> bool {
  let inside = |low: f64, high: f64, radius: f64| {
    let cu = u.clamp(low + radius, high - radius);
    let cv = v.clamp(low + radius, high - radius);
    (low..=high).contains(&u)
      && (low..=high).contains(&v)
      && (u - cu).powi(2) + (v - cv).powi(2) <= radius * radius
  };
  (inside(0.0, 7.0, 2.0) && !inside(1.0, 6.0, 1.5)) || inside(2.0, 5.0, 1.0)
}

/// Where each module's pixels start along a side: module `i` covers `edges[i]..edges[i + 1]`.
/// With a `width` that is not a multiple of the module count, modules differ by one pixel.
fn module_edges(side_modules: usize, side_px: usize) -> Vec<usize> {
  (0..=side_modules)
    .map(|i| (i * side_px).div_ceil(side_modules))
    .collect()
}

/// `#rrggbb` and the opacity as SVG wants them.
fn css_colour(colour: super::Rgba) -> (String, Option<String>) {
  let rgb = format!("#{:02x}{:02x}{:02x}", colour.r, colour.g, colour.b);
  let opacity = (!colour.is_opaque()).then(|| format!("{:.3}", f64::from(colour.a) / 255.0));
  (rgb, opacity)
}
