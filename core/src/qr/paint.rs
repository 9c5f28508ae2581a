//! Colour beyond one solid dark: gradients for dark modules, and the contrast rule that every
//! ink colour other than `dark` meets against the light colour so that a scanner still reads it.

use super::options::Rgba;

/// A gradient has at least this many stops…
pub const MIN_STOPS: usize = 2;
/// …and at most this many.
pub const MAX_STOPS: usize = 8;

/// The least contrast ratio (WCAG 2's, `(L_light + 0.05) / (L_ink + 0.05)` on relative
/// luminances) a gradient stop must have against the light colour, ink being the darker:
/// WCAG's minimum for graphical objects (success criterion 1.4.11). zxing reads codes drawn at
/// exactly this ratio at every version and level, from 1 px a module
/// (`__test__/qr-styles.spec.ts`, `__test__/properties.spec.ts`).
pub const MIN_CONTRAST: f64 = 3.0;

/// The least contrast ratio a finder colour must have against the light colour: WCAG's minimum
/// for text (1.4.3). Scanners find a code by its finders' 1:1:3:1:1 runs; at 3:1, a finder
/// lighter than the modules around it, or a centre lighter than its ring, was lost by zxing at
/// 1–3 px a module in a third of the cases; at 4.5:1, in none.
pub const MIN_FINDER_CONTRAST: f64 = 4.5;

/// A colour at a position along a gradient, `0‥=1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
  pub offset: f64,
  pub colour: Rgba,
}

/// [`MIN_STOPS`]‥=[`MAX_STOPS`] stops whose offsets are in `0‥=1` and never decrease. Held in
/// place (no allocation) so that a [`crate::qr::Style`] stays `Copy`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stops {
  stops: [Stop; MAX_STOPS],
  len: usize,
}

/// Why a list of stops is not a gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopsError {
  /// Fewer than [`MIN_STOPS`] or more than [`MAX_STOPS`].
  Count(usize),
  /// Stop `index`'s offset is outside `0‥=1` or below the one before it.
  Offset(usize),
}

impl Stops {
  pub fn new(stops: &[Stop]) -> Result<Self, StopsError> {
    if !(MIN_STOPS..=MAX_STOPS).contains(&stops.len()) {
      return Err(StopsError::Count(stops.len()));
    }
    let mut least = 0.0;
    for (index, stop) in stops.iter().enumerate() {
      if !(least..=1.0).contains(&stop.offset) {
        return Err(StopsError::Offset(index));
      }
      least = stop.offset;
    }
    let mut held = [stops[0]; MAX_STOPS];
    held[..stops.len()].copy_from_slice(stops);
    Ok(Self {
      stops: held,
      len: stops.len(),
    })
  }

  pub fn as_slice(&self) -> &[Stop] {
    &self.stops[..self.len]
  }

  /// The colour at `offset`: the first stop's colour before it, the last's after it, and
  /// between two stops each channel (alpha too) interpolated in sRGB, as SVG paints a
  /// gradient by default.
  pub fn at(&self, offset: f64) -> Rgba {
    let stops = self.as_slice();
    let after = stops.partition_point(|stop| stop.offset <= offset);
    let (low, high) = match after {
      0 => return stops[0].colour,
      n if n == stops.len() => return stops[n - 1].colour,
      n => (stops[n - 1], stops[n]),
    };
    let t = (offset - low.offset) / (high.offset - low.offset);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    Rgba {
      r: mix(low.colour.r, high.colour.r),
      g: mix(low.colour.g, high.colour.g),
      b: mix(low.colour.b, high.colour.b),
      a: mix(low.colour.a, high.colour.a),
    }
  }
}

/// Steps between offsets 0 and 1 in a [`Ramp`].
const RAMP_STEPS: usize = 1024;

/// A gradient's colours at [`RAMP_STEPS`] + 1 evenly spaced offsets, looked up per pixel where
/// interpolating between stops would cost more than the rest of the pixel. An offset is off by
/// at most half a step: a 2048th of the gradient's length, under a pixel up to 2048 px.
pub struct Ramp(Box<[Rgba]>);

impl Ramp {
  pub fn new(stops: &Stops) -> Self {
    Self(
      (0..=RAMP_STEPS)
        .map(|step| stops.at(step as f64 / RAMP_STEPS as f64))
        .collect(),
    )
  }

  /// The colour at `offset`, clamped to `0‥=1`.
  pub fn at(&self, offset: f64) -> Rgba {
    self.0[(offset.clamp(0.0, 1.0) * RAMP_STEPS as f64).round() as usize]
  }
}

/// How the offset runs across the symbol.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GradientKind {
  /// Along a line at `rotation` degrees clockwise from left→right (90: top→bottom), through the
  /// symbol's centre, long enough that its ends touch the farthest corners (CSS's
  /// `linear-gradient` line): offset 0 at one corner, 1 at the opposite one.
  Linear { rotation: f64 },
  /// Out from the symbol's centre (offset 0) to its corners (offset 1).
  Radial,
}

/// A gradient over the symbol's modules, quiet zone excluded: its ends fall on the outermost
/// modules whatever the margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gradient {
  pub kind: GradientKind,
  pub stops: Stops,
}

/// A gradient placed on a box: everything needed to find the offset at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
  /// Offset 0 at `start`, 1 at `end`, constant across the line between them.
  Linear {
    start: (f64, f64),
    end: (f64, f64),
  },
  Radial {
    centre: (f64, f64),
    radius: f64,
  },
}

impl Gradient {
  /// The gradient on the box whose top-left corner is (`x`, `y`), `width` × `height`.
  pub fn placed(&self, x: f64, y: f64, width: f64, height: f64) -> Placement {
    let centre = (x + width / 2.0, y + height / 2.0);
    match self.kind {
      GradientKind::Linear { rotation } => {
        let (sin, cos) = rotation.to_radians().sin_cos();
        let half = (width * cos.abs() + height * sin.abs()) / 2.0;
        Placement::Linear {
          start: (centre.0 - cos * half, centre.1 - sin * half),
          end: (centre.0 + cos * half, centre.1 + sin * half),
        }
      }
      GradientKind::Radial => Placement::Radial {
        centre,
        radius: width.hypot(height) / 2.0,
      },
    }
  }
}

impl Placement {
  /// The offset at (`u`, `v`), not clamped (see [`Stops::at`]).
  pub fn offset(&self, u: f64, v: f64) -> f64 {
    match *self {
      Self::Linear { start, end } => {
        let (dx, dy) = (end.0 - start.0, end.1 - start.1);
        ((u - start.0) * dx + (v - start.1) * dy) / (dx * dx + dy * dy)
      }
      Self::Radial { centre, radius } => {
        let (du, dv) = (u - centre.0, v - centre.1);
        (du * du + dv * dv).sqrt() / radius
      }
    }
  }
}

/// `top` composited over `under`, which is opaque.
fn over(top: Rgba, under: Rgba) -> Rgba {
  let alpha = u32::from(top.a);
  let mix =
    |a: u8, b: u8| ((u32::from(a) * alpha + u32::from(b) * (255 - alpha) + 127) / 255) as u8;
  Rgba {
    r: mix(top.r, under.r),
    g: mix(top.g, under.g),
    b: mix(top.b, under.b),
    a: 0xff,
  }
}

/// WCAG 2's relative luminance of an opaque sRGB colour, 0 (black) to 1 (white).
fn luminance(colour: Rgba) -> f64 {
  let linear = |channel: u8| {
    let c = f64::from(channel) / 255.0;
    if c <= 0.04045 {
      c / 12.92
    } else {
      ((c + 0.055) / 1.055).powf(2.4)
    }
  };
  0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b)
}

/// How much darker `ink` is than `light`, as WCAG's contrast ratio, both seen as a reader sees
/// them: `light` over white (a transparent background shows the page), `ink` over that. Below
/// 1 when the ink is the lighter. A gradient's stops bound every colour between them: sRGB's
/// transfer curve is convex, so an interpolated colour is never lighter than the lighter stop.
pub fn contrast(ink: Rgba, light: Rgba) -> f64 {
  let background = over(light, Rgba::WHITE);
  (luminance(background) + 0.05) / (luminance(over(ink, background)) + 0.05)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn hex(text: &str) -> Rgba {
    Rgba::from_hex(text).unwrap()
  }

  fn stops(list: &[(f64, &str)]) -> Result<Stops, StopsError> {
    let list: Vec<Stop> = list
      .iter()
      .map(|&(offset, colour)| Stop {
        offset,
        colour: hex(colour),
      })
      .collect();
    Stops::new(&list)
  }

  #[test]
  fn stops_are_validated() {
    assert_eq!(stops(&[(0.0, "#000")]), Err(StopsError::Count(1)));
    assert_eq!(stops(&[(0.0, "#000"); 9]), Err(StopsError::Count(9)));
    assert_eq!(
      stops(&[(0.5, "#000"), (0.4, "#000")]),
      Err(StopsError::Offset(1))
    );
    assert_eq!(
      stops(&[(0.0, "#000"), (1.5, "#000")]),
      Err(StopsError::Offset(1))
    );
    assert_eq!(
      stops(&[(f64::NAN, "#000"), (1.0, "#000")]),
      Err(StopsError::Offset(0))
    );
    assert_eq!(stops(&[(0.3, "#000"); 8]).unwrap().as_slice().len(), 8);
  }

  #[test]
  fn colours_are_interpolated_between_stops_and_held_beyond() {
    let stops = stops(&[
      (0.2, "#000"),
      (0.6, "#ff0000"),
      (0.6, "#00f"),
      (1.0, "#00f0"),
    ])
    .unwrap();
    assert_eq!(stops.at(-1.0), hex("#000"));
    assert_eq!(stops.at(0.2), hex("#000"));
    assert_eq!(stops.at(0.4), hex("#800000"));
    assert_eq!(
      stops.at(0.6),
      hex("#00f"),
      "a hard edge takes the later stop"
    );
    let fading = stops.at(0.8);
    assert_eq!((fading.r, fading.g, fading.b), (0, 0, 0xff));
    assert!(fading.a.abs_diff(0x80) <= 1, "{fading:?}");
    assert_eq!(stops.at(2.0), hex("#00f0"));
  }

  #[test]
  fn a_ramp_is_the_stops_to_half_a_step() {
    let stops = stops(&[(0.0, "#000"), (0.3, "#f80"), (1.0, "#08f")]).unwrap();
    let ramp = Ramp::new(&stops);
    for offset in [-0.5, 0.0, 0.1, 0.3, 0.4567, 0.999, 1.0, 7.0] {
      let (ramped, exact) = (ramp.at(offset), stops.at(offset));
      let near = |a: u8, b: u8| a.abs_diff(b) <= 1;
      assert!(
        near(ramped.r, exact.r) && near(ramped.g, exact.g) && near(ramped.b, exact.b),
        "{offset}: {ramped:?} against {exact:?}"
      );
    }
  }

  #[test]
  fn linear_gradients_reach_the_corners_at_any_rotation() {
    let gradient = |rotation| Gradient {
      kind: GradientKind::Linear { rotation },
      stops: stops(&[(0.0, "#000"), (1.0, "#000")]).unwrap(),
    };
    let along = gradient(0.0).placed(4.0, 4.0, 21.0, 21.0);
    assert_eq!(along.offset(4.0, 10.0), 0.0);
    assert_eq!(along.offset(25.0, 0.0), 1.0);
    assert_eq!(along.offset(14.5, 99.0), 0.5);
    let down = gradient(90.0).placed(0.0, 0.0, 10.0, 10.0);
    assert!((down.offset(3.0, 10.0) - 1.0).abs() < 1e-12);
    let diagonal = gradient(45.0).placed(0.0, 0.0, 10.0, 10.0);
    assert!(diagonal.offset(0.0, 0.0).abs() < 1e-12);
    assert!((diagonal.offset(10.0, 10.0) - 1.0).abs() < 1e-12);
    assert!((diagonal.offset(10.0, 0.0) - 0.5).abs() < 1e-12);
    let back = gradient(180.0).placed(0.0, 0.0, 10.0, 10.0);
    assert!((back.offset(0.0, 5.0) - 1.0).abs() < 1e-12);
  }

  #[test]
  fn radial_gradients_end_at_the_corners() {
    let radial = Gradient {
      kind: GradientKind::Radial,
      stops: stops(&[(0.0, "#000"), (1.0, "#000")]).unwrap(),
    }
    .placed(1.0, 1.0, 10.0, 10.0);
    assert_eq!(radial.offset(6.0, 6.0), 0.0);
    assert!((radial.offset(11.0, 11.0) - 1.0).abs() < 1e-12);
  }

  #[test]
  fn contrast_is_wcag_s_ratio_as_a_reader_sees_it() {
    let white = Rgba::WHITE;
    assert!((contrast(Rgba::BLACK, white) - 21.0).abs() < 1e-9);
    assert!((contrast(white, white) - 1.0).abs() < 1e-9);
    assert!(contrast(white, Rgba::BLACK) < 1.0, "lighter ink is below 1");
    // #767676 is the lightest grey with 4.5:1 on white; #949494 is at 3:1.
    assert!((contrast(hex("#767676"), white) - 4.54).abs() < 0.01);
    assert!(contrast(hex("#949494"), white) >= MIN_CONTRAST);
    assert!(contrast(hex("#959595"), white) < MIN_CONTRAST);
    assert!(contrast(hex("#767676"), white) >= MIN_FINDER_CONTRAST);
    assert!(contrast(hex("#777777"), white) < MIN_FINDER_CONTRAST);
    // Translucent ink shows the light under it; a transparent light colour shows white.
    assert!((contrast(hex("#0000"), white) - 1.0).abs() < 1e-9);
    assert_eq!(contrast(Rgba::BLACK, hex("#0000")), 21.0);
  }
}
