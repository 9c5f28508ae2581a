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
use super::paint::{Gradient, Placement};
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

  /// `gradient` over the matrix (the quiet zone left out), in framed module units.
  fn gradient(&self, gradient: &Gradient) -> Placement {
    let margin = self.margin as f64;
    let (width, height) = (self.matrix.width() as f64, self.matrix.height() as f64);
    gradient.placed(margin, margin, width, height)
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

  /// Which corners (top-left, top-right, bottom-right, bottom-left) are free: no dark
  /// neighbour on either side of them.
  fn free_corners(&self, x: usize, y: usize) -> [bool; 4] {
    let dark = |dx: isize, dy: isize| {
      let (nx, ny) = (x as isize + dx, y as isize + dy);
      nx >= 0 && ny >= 0 && self.draws_module(nx as usize, ny as usize)
    };
    let (left, right, up, down) = (dark(-1, 0), dark(1, 0), dark(0, -1), dark(0, 1));
    [!left && !up, !right && !up, !right && !down, !left && !down]
  }

  /// The radius of each corner of module (`x`, `y`) in its shape, in modules, in the order of
  /// [`Layout::free_corners`]: 0 for a square corner, ½ or 1 for a rounded one.
  fn corner_radii(&self, x: usize, y: usize) -> [f64; 4] {
    let free = || self.free_corners(x, y);
    let radius = |free: bool, radius: f64| if free { radius } else { 0.0 };
    match self.style.modules {
      ModuleShape::Square => [0.0; 4],
      ModuleShape::Dots => [0.5; 4],
      ModuleShape::Rounded => free().map(|free| radius(free, 0.5)),
      ModuleShape::ExtraRounded => {
        let free = free();
        let lone = free.iter().filter(|&&free| free).count() == 1;
        free.map(|free| radius(free, if lone { 1.0 } else { 0.5 }))
      }
      ModuleShape::Classy | ModuleShape::ClassyRounded => {
        let [top_left, _, bottom_right, _] = free();
        let size = if self.style.modules == ModuleShape::Classy {
          0.5
        } else {
          1.0
        };
        [radius(top_left, size), 0.0, radius(bottom_right, size), 0.0]
      }
    }
  }

  /// What the point (`u`, `v`), in framed module units, is painted with, if anything.
  fn ink_at(&self, u: f64, v: f64) -> Option<Ink> {
    let (x, y) = (u as usize, v as usize);
    if let Some((fx, fy)) = self.finder_at(x, y) {
      let (fu, fv) = (u - fx as f64, v - fy as f64);
      let inked = match self.style.finder {
        FinderShape::Square => self.framed.is_dark(x, y),
        shape => finder_ink(finder_rings(shape), fu, fv),
      };
      let centre = (2.0..5.0).contains(&fu) && (2.0..5.0).contains(&fv);
      return inked.then_some(if centre {
        Ink::FinderCentre
      } else {
        Ink::FinderRing
      });
    }
    if !self.draws_module(x, y) {
      return None;
    }
    let (du, dv) = (u - x as f64, v - y as f64);
    let (cu, cv) = (du - 0.5, dv - 0.5);
    // Points this near the centre are ink in every shape: no need to look at the neighbours.
    let core = match self.style.modules {
      ModuleShape::ExtraRounded | ModuleShape::ClassyRounded => {
        1.0 - std::f64::consts::FRAC_1_SQRT_2
      }
      _ => 0.5,
    };
    let inked = self.style.modules == ModuleShape::Square
      || cu * cu + cv * cv <= core * core
      || in_rounded_square(du, dv, self.corner_radii(x, y));
    inked.then_some(Ink::Module)
  }
}

/// What ink a point is painted with: each has its own colour when finder colours are set. The
/// discriminants (0, 1, 2) index a pixel's count of samples of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ink {
  Module,
  /// The finder's outer ring.
  FinderRing,
  /// The finder's 3×3 centre.
  FinderCentre,
}

/// Whether (`du`, `dv`), from a module's top-left corner in module units, is inside the module
/// with corners of `radii` (see [`Layout::corner_radii`]).
fn in_rounded_square(du: f64, dv: f64, radii: [f64; 4]) -> bool {
  // Each corner seen as the top-left one: distances from its two sides.
  let from_corner = [
    (du, dv),
    (1.0 - du, dv),
    (1.0 - du, 1.0 - dv),
    (du, 1.0 - dv),
  ];
  radii
    .iter()
    .zip(from_corner)
    .all(|(&r, (a, b))| a >= r || b >= r || (a - r) * (a - r) + (b - r) * (b - r) <= r * r)
}

/// A shaped finder's three nested squares in its 7×7 box, as (inset, side, corner radius): the
/// outer ring's edge, its inner edge, and the centre. The 1:1:3:1:1 proportions scanners look
/// for hold along every row and column through the centre.
fn finder_rings(shape: FinderShape) -> [(usize, usize, f64); 3] {
  match shape {
    FinderShape::Square => [(0, 7, 0.0), (1, 5, 0.0), (2, 3, 0.0)],
    FinderShape::Rounded => [(0, 7, 2.0), (1, 5, 1.5), (2, 3, 1.0)],
    FinderShape::ExtraRounded => [(0, 7, 3.0), (1, 5, 2.0), (2, 3, 1.5)],
    FinderShape::Dot => [(0, 7, 3.5), (1, 5, 2.5), (2, 3, 1.5)],
  }
}

/// Whether (`u`, `v`) in a finder's own 7×7 box is ink: inside the outer square and not the
/// inner one (the ring), or inside the centre; `rings` as [`finder_rings`] gives them.
fn finder_ink(rings: [(usize, usize, f64); 3], u: f64, v: f64) -> bool {
  let inside = |(inset, side, radius): (usize, usize, f64)| {
    let (low, high) = (inset as f64, (inset + side) as f64);
    let cu = u.clamp(low + radius, high - radius);
    let cv = v.clamp(low + radius, high - radius);
    (low..=high).contains(&u)
      && (low..=high).contains(&v)
      && (u - cu).powi(2) + (v - cv).powi(2) <= radius * radius
  };
  (inside(rings[0]) && !inside(rings[1])) || inside(rings[2])
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
