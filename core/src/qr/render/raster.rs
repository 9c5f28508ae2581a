//! Images in pixels: PNG, JPEG, WebP or GIF, with shaped modules and a logo drawn in RGBA.

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbaImage};
use png::{BitDepth, ColorType, Compression, Encoder, Filter};

use super::{module_edges, png::png, Layout, Placed};
use crate::qr::options::{FinderShape, ImageTooLarge, ModuleShape};
use crate::qr::{Matrix, Rgba, Style};

/// An image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
  Png,
  /// Quality 1‥=100. JPEG has no alpha: colours are drawn over white.
  Jpeg {
    quality: u8,
  },
  /// Lossless: for two-colour art it is both exact and smaller than lossy WebP.
  Webp,
  /// Paletted, with 1-bit transparency: exact for up to 256 colours (two for plain modules,
  /// the anti-aliasing levels for shapes), a quantized palette with a logo. Pixels that are not
  /// fully transparent are opaque.
  Gif,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
  TooLarge(ImageTooLarge),
  /// The encoder failed (only an allocation failure does, in practice).
  Encoder(String),
}

impl From<ImageTooLarge> for RenderError {
  fn from(error: ImageTooLarge) -> Self {
    Self::TooLarge(error)
  }
}

/// The symbol as an image file. Plain square modules in a PNG take the 1-bit palette path.
pub fn image(
  matrix: &Matrix,
  style: &Style,
  logo: Option<&Placed>,
  format: ImageFormat,
) -> Result<Vec<u8>, RenderError> {
  let style = &drawable(style, style.side_px(matrix.width())?, matrix.width());
  if format == ImageFormat::Png && style.is_plain() && logo.is_none() {
    return Ok(png(matrix, style)?);
  }
  let pixels = rgba(matrix, style, logo)?;
  let (width, height) = pixels.dimensions();
  let mut out = Vec::new();
  let failed = |error: image::ImageError| RenderError::Encoder(error.to_string());
  match format {
    ImageFormat::Png => write_png(&pixels, &mut out),
    ImageFormat::Jpeg { quality } => {
      let white = Rgba::WHITE;
      let rgb: Vec<u8> = pixels
        .pixels()
        .flat_map(|pixel| {
          let alpha = u32::from(pixel[3]);
          let over = |channel: u8, background: u8| {
            ((u32::from(channel) * alpha + u32::from(background) * (255 - alpha) + 127) / 255) as u8
          };
          [
            over(pixel[0], white.r),
            over(pixel[1], white.g),
            over(pixel[2], white.b),
          ]
        })
        .collect();
      JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(&rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(failed)?;
    }
    ImageFormat::Webp => WebPEncoder::new_lossless(&mut out)
      .write_image(pixels.as_raw(), width, height, ExtendedColorType::Rgba8)
      .map_err(failed)?,
    // The encoder takes the pixels without a copy; the trailer is written when it drops.
    ImageFormat::Gif => GifEncoder::new_with_speed(&mut out, GIF_QUANTIZER_SPEED)
      .encode_frame(image::Frame::new(pixels))
      .map_err(failed)?,
  }
  Ok(out)
}

/// NeuQuant's sampling step (1‥=30) when a logo brings more than 256 colours: 10 is the
/// `gif` crate's suggested balance; lower costs far more time for no readable difference.
const GIF_QUANTIZER_SPEED: i32 = 10;

/// 8-bit RGB, or RGBA when some pixel is not opaque.
fn write_png(pixels: &RgbaImage, out: &mut Vec<u8>) {
  let (width, height) = pixels.dimensions();
  let opaque = pixels.pixels().all(|pixel| pixel[3] == 0xff);
  let mut encoder = Encoder::new(out, width, height);
  encoder.set_depth(BitDepth::Eight);
  encoder.set_filter(Filter::Sub);
  encoder.set_compression(Compression::Fast);
  let data = if opaque {
    encoder.set_color(ColorType::Rgb);
    pixels
      .pixels()
      .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
      .collect()
  } else {
    encoder.set_color(ColorType::Rgba);
    pixels.as_raw().clone()
  };
  let mut writer = encoder
    .write_header()
    .expect("writing a PNG header into a Vec cannot fail");
  writer
    .write_image_data(&data)
    .expect("the pixel buffer matches the header");
  writer
    .finish()
    .expect("finishing a PNG into a Vec cannot fail");
}

/// `style` as it can be drawn at `side_px`: curves need pixels. Under 2 px a module, shaped
/// modules turn grey and finders unreadable; under 3 px, rounded finders beside dots are still
/// missed by scanners (zxing, at versions 12–20). Those are drawn square instead.
fn drawable(style: &Style, side_px: u32, matrix_width: usize) -> Style {
  let side = style.side_modules(matrix_width);
  let px = side_px as usize;
  Style {
    modules: if px < 2 * side {
      ModuleShape::Square
    } else {
      style.modules
    },
    finder: if px < 3 * side {
      FinderShape::Square
    } else {
      style.finder
    },
    ..*style
  }
}

/// Samples per pixel side for shapes with curves: 4×4 gives 17 levels of anti-aliasing.
const SUBSAMPLES: usize = 4;

/// The symbol drawn in RGBA: each pixel blends the light and dark colours by the share of its
/// area that is ink; then the logo, centred in its cleared square.
fn rgba(matrix: &Matrix, style: &Style, logo: Option<&Placed>) -> Result<RgbaImage, ImageTooLarge> {
  let side_px = style.side_px(matrix.width())?;
  let layout = Layout::new(matrix, style, logo.map(|placed| placed.clearing));
  let side = layout.framed.side;
  let samples = if style.is_plain() { 1 } else { SUBSAMPLES };
  let scale = side as f64 / f64::from(side_px);
  // One sample at the pixel's left/top edge puts pixel p in module ⌊p × side / side_px⌋,
  // exactly as the 1-bit PNG path's module edges do.
  let offsets: Vec<f64> = match samples {
    1 => vec![0.0],
    _ => (0..samples)
      .map(|i| (i as f64 + 0.5) / samples as f64)
      .collect(),
  };
  let mut image = RgbaImage::new(side_px, side_px);
  for (px, py, pixel) in image.enumerate_pixels_mut() {
    let mut ink = 0;
    for dy in &offsets {
      for dx in &offsets {
        let (u, v) = ((f64::from(px) + dx) * scale, (f64::from(py) + dy) * scale);
        ink += usize::from(layout.is_ink(u, v));
      }
    }
    *pixel = blend(style.light, style.dark, ink, samples * samples);
  }
  if let Some(placed) = logo {
    let edges = module_edges(side, side_px as usize);
    let cleared = layout
      .cleared
      .as_ref()
      .expect("a placed logo clears modules");
    // One module of light border on each side of the image.
    let low = edges[cleared.start + 1];
    let high = edges[cleared.end - 1];
    let room = (high - low) as u32;
    let scaled = placed.logo.scaled(room);
    let x = low as i64 + i64::from(room - scaled.width()) / 2;
    let y = low as i64 + i64::from(room - scaled.height()) / 2;
    image::imageops::overlay(&mut image, &scaled, x, y);
  }
  Ok(image)
}

fn blend(light: Rgba, dark: Rgba, ink: usize, of: usize) -> image::Rgba<u8> {
  let mix = |light: u8, dark: u8| {
    ((usize::from(light) * (of - ink) + usize::from(dark) * ink + of / 2) / of) as u8
  };
  image::Rgba([
    mix(light.r, dark.r),
    mix(light.g, dark.g),
    mix(light.b, dark.b),
    mix(light.a, dark.a),
  ])
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::encode::sample;
  use crate::qr::options::{FinderShape, ModuleShape};
  use qrcode::EcLevel;

  #[test]
  fn plain_pixels_match_the_modules_in_every_format() {
    let matrix = sample(b"raster", EcLevel::M);
    let style = Style {
      margin: 1,
      scale: 2,
      ..Style::default()
    };
    for format in [ImageFormat::Png, ImageFormat::Webp, ImageFormat::Gif] {
      // Force the RGBA path for PNG with a translucent colour.
      let style = Style {
        dark: Rgba::from_hex("#000000fe").unwrap(),
        ..style
      };
      let bytes = image(&matrix, &style, None, format).unwrap();
      let decoded = image::load_from_memory(&bytes).unwrap().into_rgba8();
      let side = matrix.width() + 2;
      assert_eq!(decoded.dimensions(), (side as u32 * 2, side as u32 * 2));
      for y in 0..side {
        for x in 0..side {
          let dark = (1..=matrix.width()).contains(&x)
            && (1..=matrix.width()).contains(&y)
            && matrix.is_dark(x - 1, y - 1);
          let pixel = decoded.get_pixel(x as u32 * 2, y as u32 * 2);
          assert_eq!(pixel[0] == 0, dark, "{format:?} ({x}, {y})");
        }
      }
    }
  }

  #[test]
  fn shapes_need_two_pixels_a_module_and_rounded_finders_three() {
    let matrix = sample(b"tiny", EcLevel::M);
    let plain = Style {
      margin: 1,
      scale: 1,
      ..Style::default()
    };
    let expected = image(&matrix, &plain, None, ImageFormat::Png).unwrap();
    for (modules, finder) in [
      (ModuleShape::Dots, FinderShape::Rounded),
      (ModuleShape::Rounded, FinderShape::Square),
    ] {
      let shaped = Style {
        modules,
        finder,
        ..plain
      };
      assert_eq!(
        image(&matrix, &shaped, None, ImageFormat::Png).unwrap(),
        expected
      );
      let two_px = Style { scale: 2, ..shaped };
      let plain_two_px = Style { scale: 2, ..plain };
      assert_ne!(
        image(&matrix, &two_px, None, ImageFormat::Png).unwrap(),
        image(&matrix, &plain_two_px, None, ImageFormat::Png).unwrap(),
        "from 2 px a module, shapes are drawn"
      );
    }
    let rounded_finder = |scale| Style {
      scale,
      finder: FinderShape::Rounded,
      ..plain
    };
    let square_finder = |scale| Style { scale, ..plain };
    let png = |style: &Style| image(&matrix, style, None, ImageFormat::Png).unwrap();
    assert_eq!(png(&rounded_finder(2)), png(&square_finder(2)));
    assert_ne!(png(&rounded_finder(3)), png(&square_finder(3)));
  }

  #[test]
  fn shapes_are_anti_aliased_and_keep_module_centres() {
    let matrix = sample(b"dots", EcLevel::M);
    for (modules, finder) in [
      (ModuleShape::Dots, FinderShape::Rounded),
      (ModuleShape::Rounded, FinderShape::Square),
    ] {
      let style = Style {
        margin: 0,
        scale: 8,
        modules,
        finder,
        ..Style::default()
      };
      let pixels = rgba(&matrix, &style, None).unwrap();
      let greys = pixels.pixels().filter(|p| p[0] != 0 && p[0] != 255).count();
      assert!(greys > 0, "{modules:?}: curves have edge pixels");
      let in_finder = |x: usize, y: usize| {
        matrix
          .finders()
          .iter()
          .any(|&(fx, fy)| (fx..fx + 7).contains(&x) && (fy..fy + 7).contains(&y))
      };
      for y in 0..matrix.width() {
        for x in 0..matrix.width() {
          if finder == FinderShape::Rounded && in_finder(x, y) {
            continue;
          }
          let centre = pixels.get_pixel(x as u32 * 8 + 4, y as u32 * 8 + 4);
          assert_eq!(
            centre[0] == 0,
            matrix.is_dark(x, y),
            "{modules:?} ({x}, {y})"
          );
        }
      }
    }
  }

  #[test]
  fn jpeg_flattens_onto_white() {
    let matrix = sample(b"jpeg", EcLevel::L);
    let style = Style {
      light: Rgba::from_hex("#fff0").unwrap(),
      ..Style::default()
    };
    let bytes = image(&matrix, &style, None, ImageFormat::Jpeg { quality: 90 }).unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap().into_rgb8();
    assert!(
      decoded.get_pixel(0, 0)[0] > 240,
      "the transparent margin is white"
    );
  }
}
