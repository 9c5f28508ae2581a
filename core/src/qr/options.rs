//! How a QR code is drawn: quiet zone, module size, colours, and the caps that bound allocation.

use qrcode::EcLevel;

use super::paint::Gradient;

/// An 8-bit RGBA colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba {
  pub r: u8,
  pub g: u8,
  pub b: u8,
  pub a: u8,
}

impl Rgba {
  pub const BLACK: Self = Self::opaque(0, 0, 0);
  pub const WHITE: Self = Self::opaque(0xff, 0xff, 0xff);
  pub const FORMS: &'static str = "#rgb, #rgba, #rrggbb or #rrggbbaa";

  const fn opaque(r: u8, g: u8, b: u8) -> Self {
    Self { r, g, b, a: 0xff }
  }

  /// Parses `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`; the `#` is optional, as in node-qrcode.
  pub fn from_hex(text: &str) -> Option<Self> {
    let digits = text.strip_prefix('#').unwrap_or(text);
    if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
      return None;
    }
    let nibble = |index: usize| u8::from_str_radix(&digits[index..=index], 16).ok();
    let byte = |index: usize| u8::from_str_radix(&digits[index..index + 2], 16).ok();
    match digits.len() {
      3 | 4 => Some(Self {
        r: nibble(0)? * 0x11,
        g: nibble(1)? * 0x11,
        b: nibble(2)? * 0x11,
        a: if digits.len() == 4 {
          nibble(3)? * 0x11
        } else {
          0xff
        },
      }),
      6 | 8 => Some(Self {
        r: byte(0)?,
        g: byte(2)?,
        b: byte(4)?,
        a: if digits.len() == 8 { byte(6)? } else { 0xff },
      }),
      _ => None,
    }
  }

  pub fn is_opaque(self) -> bool {
    self.a == 0xff
  }
}

/// `#rrggbb`, or `#rrggbbaa` when not opaque.
impl std::fmt::Display for Rgba {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)?;
    if !self.is_opaque() {
      write!(f, "{:02x}", self.a)?;
    }
    Ok(())
  }
}

/// Parses an error correction level as node-qrcode names it: `L`, `M`, `Q`, `H` or `low`,
/// `medium`, `quartile`, `high`, in any case.
pub fn parse_ec_level(name: &str) -> Option<EcLevel> {
  match name.to_ascii_lowercase().as_str() {
    "l" | "low" => Some(EcLevel::L),
    "m" | "medium" => Some(EcLevel::M),
    "q" | "quartile" => Some(EcLevel::Q),
    "h" | "high" => Some(EcLevel::H),
    _ => None,
  }
}

pub const EC_LEVEL_NAMES: &str = "'L', 'M', 'Q', 'H' (or 'low', 'medium', 'quartile', 'high')";

/// The quiet zone is at most this many modules wide on each side.
pub const MAX_MARGIN: u32 = 128;
/// A module is at most this many pixels wide.
pub const MAX_SCALE: u32 = 256;
/// An image is at most this many pixels wide (and high): 16384² 1-bit pixels are 32 MiB.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// A WebP or GIF image is at most this many pixels wide. Their encoders take the whole frame
/// (4 bytes a pixel: 4 MiB here) and cannot be stopped once started: at this size they take
/// 30–70 ms, at 2048 px up to 0.35 s. PNG and JPEG are drawn and encoded a few rows at a time,
/// so they serve large and print sizes.
pub const MAX_FRAME_SIDE: u32 = 1024;

/// How dark modules are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModuleShape {
  #[default]
  Square,
  /// Squares whose corners are rounded where neither neighbour beside the corner is dark.
  Rounded,
  /// Circles one module across.
  Dots,
  /// As [`Self::Rounded`], but a module turning a corner (its one free corner) is a quarter
  /// circle a module in radius: qr-code-styling's `extra-rounded`.
  ExtraRounded,
  /// Only the top-left and bottom-right corners rounded, each where it is free: leaf-like
  /// modules, qr-code-styling's `classy`.
  Classy,
  /// As [`Self::Classy`], with corners a module in radius: qr-code-styling's `classy-rounded`.
  ClassyRounded,
}

/// How the 7×7 finder patterns are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinderShape {
  #[default]
  Square,
  /// Rounded rings around a rounded centre.
  Rounded,
  /// Rings rounded nearly to circles around a round centre.
  ExtraRounded,
  /// Circular rings around a round centre.
  Dot,
}

/// Solid colours for the finder patterns in images, in place of the dark modules' paint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FinderColours {
  /// The outer ring, and the centre unless `centre` is set.
  pub ring: Option<Rgba>,
  /// The 3×3 centre.
  pub centre: Option<Rgba>,
}

impl FinderColours {
  pub fn is_set(&self) -> bool {
    self.ring.is_some() || self.centre.is_some()
  }
}

/// How to draw a matrix. Defaults are node-qrcode's: a 4-module quiet zone, 4 px per module,
/// opaque black on opaque white, square modules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
  /// Quiet-zone width in modules, `0‥=MAX_MARGIN`.
  pub margin: u32,
  /// Pixels per module, `1‥=MAX_SCALE`.
  pub scale: u32,
  /// Image width in pixels, `1‥=MAX_IMAGE_SIDE`, overriding `scale` when at least one pixel
  /// per module (as node-qrcode's `width`); modules then differ in size by at most a pixel.
  pub width: Option<u32>,
  /// Dark modules in text; in images and SVG too unless `gradient` is set.
  pub dark: Rgba,
  pub light: Rgba,
  /// Paints dark modules (and finders without their own colours) in images and SVG.
  pub gradient: Option<Gradient>,
  pub finder_colours: FinderColours,
  pub modules: ModuleShape,
  pub finder: FinderShape,
}

impl Default for Style {
  fn default() -> Self {
    Self {
      margin: 4,
      scale: 4,
      width: None,
      dark: Rgba::BLACK,
      light: Rgba::WHITE,
      gradient: None,
      finder_colours: FinderColours::default(),
      modules: ModuleShape::Square,
      finder: FinderShape::Square,
    }
  }
}

/// The image would be wider than its format allows: [`MAX_IMAGE_SIDE`] pixels, or
/// [`MAX_FRAME_SIDE`] for the formats drawn whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageTooLarge {
  pub side: u64,
  pub limit: u32,
}

impl Style {
  /// Modules across the drawn symbol, quiet zone included.
  pub fn side_modules(&self, matrix_width: usize) -> usize {
    matrix_width + 2 * self.margin as usize
  }

  /// Whether every module and finder is drawn square: no curve to smooth.
  pub fn is_square(&self) -> bool {
    self.modules == ModuleShape::Square && self.finder == FinderShape::Square
  }

  /// Whether every module is a plain square in the one dark colour, so an image needs only
  /// two colours.
  pub fn is_plain(&self) -> bool {
    self.is_square() && self.gradient.is_none() && !self.finder_colours.is_set()
  }

  /// Pixels across the image, checked against [`MAX_IMAGE_SIDE`] before anything is allocated.
  pub fn side_px(&self, matrix_width: usize) -> Result<u32, ImageTooLarge> {
    let modules = self.side_modules(matrix_width) as u64;
    let side = match self.width.map(u64::from) {
      Some(width) if width >= modules => width,
      _ => modules * u64::from(self.scale),
    };
    u32::try_from(side)
      .ok()
      .filter(|&side| side <= MAX_IMAGE_SIDE)
      .ok_or(ImageTooLarge {
        side,
        limit: MAX_IMAGE_SIDE,
      })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn parses_every_hex_form() {
    let expected = Rgba {
      r: 0x11,
      g: 0x22,
      b: 0x33,
      a: 0xff,
    };
    assert_eq!(Rgba::from_hex("#123"), Some(expected));
    assert_eq!(Rgba::from_hex("123f"), Some(expected));
    assert_eq!(Rgba::from_hex("#112233"), Some(expected));
    assert_eq!(
      Rgba::from_hex("#11223380"),
      Some(Rgba {
        a: 0x80,
        ..expected
      })
    );
  }

  #[test]
  fn rejects_malformed_colours() {
    for text in [
      "",
      "#",
      "#12",
      "#12345",
      "#1234567",
      "#ggg",
      "red",
      "#+1+2+3",
      "#１２３",
    ] {
      assert_eq!(Rgba::from_hex(text), None, "{text:?}");
    }
  }

  #[test]
  fn knows_node_qrcode_level_names() {
    assert_eq!(parse_ec_level("q"), Some(EcLevel::Q));
    assert_eq!(parse_ec_level("High"), Some(EcLevel::H));
    assert_eq!(parse_ec_level("Z"), None);
  }

  #[test]
  fn caps_the_image_side() {
    let style = Style {
      margin: MAX_MARGIN,
      scale: MAX_SCALE,
      ..Style::default()
    };
    assert_eq!(
      style.side_px(177),
      Err(ImageTooLarge {
        side: (177 + 2 * 128) * 256,
        limit: MAX_IMAGE_SIDE,
      })
    );
    assert_eq!(Style::default().side_px(21), Ok((21 + 8) * 4));
    let wide = |width| Style {
      width: Some(width),
      ..Style::default()
    };
    assert_eq!(wide(300).side_px(21), Ok(300), "width overrides scale");
    assert_eq!(
      wide(28).side_px(21),
      Ok(29 * 4),
      "under a pixel per module: scale"
    );
  }
}
