//! SVG: one path of dark modules over an optional light background, sized in pixels. Square
//! modules are runs stroked along the middle of their row (as node-qrcode draws them: about
//! 5 characters a run); shaped modules and rounded finders are filled outlines. A gradient is
//! a `<linearGradient>` or `<radialGradient>` in module units (`userSpaceOnUse`), the paths
//! painted with it; finders in their own colours are paths of their own.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::{css_colour, finder_rings, Layout, Placed, RenderError};
use crate::cancel::CancelToken;
use crate::hash::sha256;
use crate::qr::options::{FinderShape, ModuleShape};
use crate::qr::paint::{Gradient, Placement};
use crate::qr::{Matrix, Rgba, Style};

/// The viewBox is in modules; `width`/`height` are the image size in pixels (`scale` px per
/// module, or `width`), so unlike node-qrcode the scale option is honoured. A fully
/// transparent light colour draws no background. `cancel` is checked before each row.
pub fn svg(
  matrix: &Matrix,
  style: &Style,
  logo: Option<&Placed>,
  cancel: &CancelToken,
) -> Result<String, RenderError> {
  let side_px = style.side_px(matrix.width())?;
  let layout = Layout::new(matrix, style, logo.map(|placed| placed.clearing));
  let (side, rows) = (layout.framed.side, layout.framed.rows);
  let height_px = layout.framed.height_px(side_px as usize);
  let crisp = if style.is_square() {
    " shape-rendering=\"crispEdges\""
  } else {
    ""
  };
  // A run is about 14 characters and a row of modules has about side / 4 of them.
  let mut out = String::with_capacity(side * rows * 4 + 512);
  let _ = write!(
    out,
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side_px}\" height=\"{height_px}\" \
     viewBox=\"0 0 {side} {rows}\"{crisp}>"
  );
  let dark = match &style.gradient {
    Some(gradient) => defs(&mut out, gradient, layout.framed.gradient(gradient), cancel)?,
    None => Paint::colour(style.dark),
  };
  if style.light.a != 0 {
    open_path(&mut out, &Paint::colour(style.light));
    let _ = write!(out, "M0 0h{side}v{rows}H0z\"/>");
  }
  // The dark paths are written straight into the document.
  let finder_colours = style.finder_colours;
  let square_finders = style.finder == FinderShape::Square && !finder_colours.is_set();
  let filled_finders = match style.modules {
    ModuleShape::Square => {
      open_stroke(&mut out, &dark);
      let mut strokes = Strokes {
        out: &mut out,
        pen: None,
      };
      for y in 0..rows {
        cancel.check()?;
        // Square finders are plain dark modules: they join the runs.
        square_runs(&layout, y, square_finders, &mut strokes);
      }
      out.push_str("\"/>");
      !square_finders
    }
    _ => {
      open_path(&mut out, &dark);
      for y in 0..rows {
        cancel.check()?;
        for x in (0..side).filter(|&x| layout.draws_module(x, y)) {
          shaped_module(&layout, x, y, &mut out);
        }
      }
      true
    }
  };
  if filled_finders {
    // Rings as nested squares under the even-odd rule: the outer ring's two edges, then the
    // centre, each group in its colour (`None`: the dark paint, continuing the shaped modules'
    // path, still open).
    let ring = finder_colours.ring;
    let centre = finder_colours.centre.or(ring);
    let groups = if ring == centre {
      vec![(ring, 0..3)]
    } else {
      vec![(ring, 0..2), (centre, 2..3)]
    };
    let mut open = (style.modules != ModuleShape::Square).then_some(None);
    let rings = finder_rings(style.finder);
    for (colour, range) in groups {
      if open != Some(colour) {
        if open.is_some() {
          out.push_str("\"/>");
        }
        open_path(
          &mut out,
          &colour.map_or_else(|| dark.clone(), Paint::colour),
        );
        open = Some(colour);
      }
      for &(x, y) in &layout.finders {
        for &(inset, size, radius) in &rings[range.clone()] {
          rounded_square(&mut out, x + inset, y + inset, size, radius);
        }
      }
    }
    out.push_str("\"/>");
  }
  if let Some(placed) = logo {
    let cleared = layout
      .cleared
      .as_ref()
      .expect("a placed logo clears modules");
    let mut png = Vec::new();
    placed
      .logo
      .image
      .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
      .map_err(|error| RenderError::Encoder(error.to_string()))?;
    let (start, room) = (cleared.start + 1, cleared.len() - 2);
    let _ = write!(
      out,
      "<image x=\"{start}\" y=\"{start}\" width=\"{room}\" height=\"{room}\" \
       preserveAspectRatio=\"xMidYMid meet\" href=\"data:image/png;base64,{}\"/>",
      STANDARD.encode(&png)
    );
  }
  out.push_str("</svg>\n");
  Ok(out)
}

/// Horizontal runs of dark modules on row `y`; finder modules too when `with_finders`.
fn square_runs(layout: &Layout, y: usize, with_finders: bool, out: &mut Strokes) {
  let side = layout.framed.side;
  // Without a logo, square finders and square modules are just the dark modules: the runs
  // come straight from the row's bits.
  if with_finders && layout.cleared.is_none() {
    let margin = layout.framed.margin;
    let height = layout.framed.matrix.height();
    if (margin..margin + height).contains(&y) {
      for (start, length) in layout.framed.matrix.row(y - margin).runs() {
        out.run(start + margin, y, length);
      }
    }
    return;
  }
  let dark = |x: usize| {
    layout.draws_module(x, y)
      || (with_finders && layout.finder_at(x, y).is_some() && layout.framed.is_dark(x, y))
  };
  let mut x = 0;
  while x < side {
    if !dark(x) {
      x += 1;
      continue;
    }
    let start = x;
    while x < side && dark(x) {
      x += 1;
    }
    out.run(start, y, x - start);
  }
}

/// Runs as lines through the middle of their row, stroked one module wide (butt ends, so a
/// run covers exactly its modules): `M{x} {y}.5h{n}` for a row's first run, `m{gap} 0h{n}`
/// for the next ones, from where the pen stopped.
struct Strokes<'a> {
  out: &'a mut String,
  /// Where the last run ended: its end column and its row.
  pen: Option<(usize, usize)>,
}

impl Strokes<'_> {
  fn run(&mut self, x: usize, y: usize, length: usize) {
    match self.pen {
      Some((end, row)) if row == y => {
        self.out.push('m');
        push_number(self.out, x - end);
        self.out.push_str(" 0h");
      }
      _ => {
        self.out.push('M');
        push_number(self.out, x);
        self.out.push(' ');
        push_number(self.out, y);
        self.out.push_str(".5h");
      }
    }
    push_number(self.out, length);
    self.pen = Some((x + length, y));
  }
}

/// Appends `n` in decimal; `write!` costs several times more on paths of thousands of numbers.
fn push_number(out: &mut String, n: usize) {
  let mut digits = [0u8; 20];
  let mut start = digits.len();
  let mut rest = n;
  loop {
    start -= 1;
    digits[start] = b'0' + (rest % 10) as u8;
    rest /= 10;
    if rest == 0 {
      break;
    }
  }
  // SAFETY: every byte is an ASCII digit, so the slice is UTF-8.
  out.push_str(unsafe { std::str::from_utf8_unchecked(&digits[start..]) });
}

/// One module in its shape: a square with corners of the radii [`Layout::corner_radii`] gives.
fn shaped_module(layout: &Layout, x: usize, y: usize, out: &mut String) {
  let radii = layout.corner_radii(x, y);
  let r = |corner: usize| radii[corner];
  let arc = |out: &mut String, radius: f64, dx: f64, dy: f64| {
    if radius > 0.0 {
      let _ = write!(out, "a{radius} {radius} 0 0 1 {dx} {dy}");
    }
  };
  let _ = write!(out, "M{} {y}", x as f64 + r(0));
  let _ = write!(out, "h{}", 1.0 - r(0) - r(1));
  arc(out, r(1), r(1), r(1));
  let _ = write!(out, "v{}", 1.0 - r(1) - r(2));
  arc(out, r(2), -r(2), r(2));
  let _ = write!(out, "h{}", -(1.0 - r(2) - r(3)));
  arc(out, r(3), -r(3), -r(3));
  let _ = write!(out, "v{}", -(1.0 - r(3) - r(0)));
  arc(out, r(0), r(0), -r(0));
  out.push('z');
}

/// A `size`-module square with corners of `radius`, as one closed subpath. Nested squares
/// alternate ink and gaps under the even-odd fill rule.
fn rounded_square(out: &mut String, x: usize, y: usize, size: usize, radius: f64) {
  let straight = size as f64 - 2.0 * radius;
  if radius == 0.0 {
    let _ = write!(out, "M{x} {y}h{size}v{size}h-{size}z");
    return;
  }
  let _ = write!(
    out,
    "M{} {y}h{straight}a{radius} {radius} 0 0 1 {radius} {radius}v{straight}\
     a{radius} {radius} 0 0 1 -{radius} {radius}h-{straight}\
     a{radius} {radius} 0 0 1 -{radius} -{radius}v-{straight}\
     a{radius} {radius} 0 0 1 {radius} -{radius}z",
    x as f64 + radius
  );
}

/// What a path is painted with: `#rrggbb` and an opacity below 1, or a gradient's `url(#…)`.
#[derive(Clone)]
struct Paint {
  value: String,
  opacity: Option<String>,
}

impl Paint {
  fn colour(colour: Rgba) -> Self {
    let (value, opacity) = css_colour(colour);
    Self { value, opacity }
  }
}

/// Writes `<defs>` with `gradient` as `placed` in module units, and returns the paint that
/// refers to it. Its id is derived from its definition, so SVGs inlined in one page share an
/// id only when they share the gradient.
fn defs(
  out: &mut String,
  gradient: &Gradient,
  placed: Placement,
  cancel: &CancelToken,
) -> Result<Paint, RenderError> {
  let mut element = match placed {
    Placement::Linear { start, end } => format!(
      "linearGradient gradientUnits=\"userSpaceOnUse\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">",
      decimal(start.0),
      decimal(start.1),
      decimal(end.0),
      decimal(end.1)
    ),
    Placement::Radial { centre, radius } => format!(
      "radialGradient gradientUnits=\"userSpaceOnUse\" cx=\"{}\" cy=\"{}\" r=\"{}\">",
      decimal(centre.0),
      decimal(centre.1),
      decimal(radius)
    ),
  };
  for stop in gradient.stops.as_slice() {
    let (colour, opacity) = css_colour(stop.colour);
    let opacity = opacity.map_or(String::new(), |value| format!(" stop-opacity=\"{value}\""));
    let _ = write!(
      element,
      "<stop offset=\"{}\" stop-color=\"{colour}\"{opacity}/>",
      decimal(stop.offset)
    );
  }
  let digest = sha256(element.as_bytes(), cancel)?;
  let id: String = digest[..6]
    .iter()
    .map(|byte| format!("{byte:02x}"))
    .collect();
  let (name, attributes) = element
    .split_once(' ')
    .expect("the name precedes attributes");
  let _ = write!(
    out,
    "<defs><{name} id=\"qrhash-{id}\" {attributes}</{name}></defs>"
  );
  Ok(Paint {
    value: format!("url(#qrhash-{id})"),
    opacity: None,
  })
}

/// `value` with at most four decimals, without trailing zeros.
fn decimal(value: f64) -> String {
  let text = format!("{value:.4}");
  let text = text.trim_end_matches('0').trim_end_matches('.');
  match text {
    "-0" => "0".to_owned(),
    text => text.to_owned(),
  }
}

/// `<path stroke=… d="`, for [`Strokes`], to be followed by the path data and `"/>`.
fn open_stroke(out: &mut String, paint: &Paint) {
  let opacity = paint.opacity.as_ref().map_or(String::new(), |value| {
    format!(" stroke-opacity=\"{value}\"")
  });
  let _ = write!(out, "<path stroke=\"{}\"{opacity} d=\"", paint.value);
}

/// `<path fill=… d="`, to be followed by the path data and `"/>`.
fn open_path(out: &mut String, paint: &Paint) {
  let opacity = paint
    .opacity
    .as_ref()
    .map_or(String::new(), |value| format!(" fill-opacity=\"{value}\""));
  let _ = write!(
    out,
    "<path fill=\"{}\"{opacity} fill-rule=\"evenodd\" d=\"",
    paint.value
  );
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::encode::sample;
  use crate::qr::render::Framed;
  use crate::qr::Rgba;
  use qrcode::EcLevel;

  /// Rebuilds the module grid from the stroked path's runs: `M{x} {y}.5h{n}` starts a row,
  /// `m{gap} 0h{n}` goes on along it.
  fn dark_modules(svg: &str, side: usize) -> Vec<bool> {
    let dark_path = svg.rsplit("d=\"").next().unwrap();
    let dark_path = dark_path.split('"').next().unwrap();
    let mut grid = vec![false; side * side];
    for row in dark_path.split('M').skip(1) {
      let (start, rest) = row.split_once(' ').unwrap();
      let (y, rest) = rest.split_once(".5h").unwrap();
      let (mut x, y): (usize, usize) = (start.parse().unwrap(), y.parse().unwrap());
      for (index, piece) in rest.split('m').enumerate() {
        let length = if index == 0 {
          piece
        } else {
          let (gap, length) = piece.split_once(" 0h").unwrap();
          x += gap.parse::<usize>().unwrap();
          length
        };
        let length: usize = length.parse().unwrap();
        for cell in &mut grid[y * side + x..y * side + x + length] {
          *cell = true;
        }
        x += length;
      }
    }
    grid
  }

  #[test]
  fn runs_cover_exactly_the_dark_modules() {
    let matrix = sample(b"svg runs", EcLevel::M);
    let style = Style::default();
    let image = svg(&matrix, &style, None, &CancelToken::default()).unwrap();
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
  fn gradients_are_defined_once_and_finders_in_their_colours_are_paths_of_their_own() {
    use crate::qr::options::FinderColours;
    use crate::qr::paint::{Gradient, GradientKind, Stop, Stops};
    let matrix = sample(b"svg paint", EcLevel::M);
    let stop = |offset, colour| Stop {
      offset,
      colour: Rgba::from_hex(colour).unwrap(),
    };
    let stops = Stops::new(&[stop(0.0, "#123"), stop(0.5, "#0008"), stop(1.0, "#300")]).unwrap();
    let gradient = |kind| Style {
      gradient: Some(Gradient { kind, stops }),
      ..Style::default()
    };
    let linear = svg(
      &matrix,
      &gradient(GradientKind::Linear { rotation: 90.0 }),
      None,
      &CancelToken::default(),
    )
    .unwrap();
    let side = matrix.width() + 8;
    let id = linear
      .split("id=\"")
      .nth(1)
      .unwrap()
      .split('"')
      .next()
      .unwrap();
    assert!(linear.contains(&format!(
      "<defs><linearGradient id=\"{id}\" gradientUnits=\"userSpaceOnUse\" x1=\"{}\" y1=\"4\" x2=\"{}\" y2=\"{}\">\
       <stop offset=\"0\" stop-color=\"#112233\"/><stop offset=\"0.5\" stop-color=\"#000000\" stop-opacity=\"0.533\"/>\
       <stop offset=\"1\" stop-color=\"#330000\"/></linearGradient></defs>",
      side as f64 / 2.0,
      side as f64 / 2.0,
      side - 4
    )), "{linear}");
    assert!(linear.contains(&format!("<path stroke=\"url(#{id})\" d=\"M")));
    let radial = svg(
      &matrix,
      &gradient(GradientKind::Radial),
      None,
      &CancelToken::default(),
    )
    .unwrap();
    assert!(radial.contains("<radialGradient id=\"qrhash-"));
    assert!(!radial.contains(id), "ids differ with the gradient");

    let coloured = Style {
      finder_colours: FinderColours {
        ring: Some(Rgba::from_hex("#0a0").unwrap()),
        centre: None,
      },
      ..Style::default()
    };
    let image = svg(&matrix, &coloured, None, &CancelToken::default()).unwrap();
    let framed = Framed::new(&matrix, &coloured);
    let grid = dark_modules(
      image.split("<path fill=\"#00aa00\"").next().unwrap(),
      framed.side,
    );
    assert!(!grid[4 * framed.side + 4], "finders are not in the runs");
    assert!(grid[4 * framed.side + 12], "modules are");
    assert_eq!(
      image.matches("<path fill=\"#00aa00\"").count(),
      1,
      "one path: ring and centre"
    );
  }

  #[test]
  fn colours_and_opacity() {
    let matrix = sample(b"tint", EcLevel::M);
    let style = Style {
      dark: Rgba::from_hex("#00f8").unwrap(),
      light: Rgba::from_hex("#ffffff00").unwrap(),
      ..Style::default()
    };
    let image = svg(&matrix, &style, None, &CancelToken::default()).unwrap();
    assert!(image.contains("stroke=\"#0000ff\" stroke-opacity=\"0.533\""));
    let rounded = Style {
      finder: FinderShape::Rounded,
      ..style
    };
    let image = svg(&matrix, &rounded, None, &CancelToken::default()).unwrap();
    assert!(image.contains("fill=\"#0000ff\" fill-opacity=\"0.533\" fill-rule=\"evenodd\""));
    assert!(
      !image.contains("#ffffff"),
      "a transparent background is not drawn"
    );
  }
}
