//! A centred logo: how many modules it may cover, decided by the error correction it costs.
//!
//! A covered module reads as noise, so every codeword with a covered bit may be wrong. A
//! Reed–Solomon block with `e` error correction codewords corrects `⌊e / 2⌋` unknown errors, so
//! a logo fits when no block has more covered codewords than that. The check follows the
//! standard's placement: data codewords are interleaved across blocks, then the error
//! correction codewords, laid out in two-column zigzags from the bottom-right corner.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{ImageFormat, ImageReader, Limits, RgbaImage};
use qrcode::{ec, EcLevel, Version};

use super::template::Template;
use crate::cancel::{CancelToken, Cancelled};

/// A decoded logo image and its requested width as a fraction of the symbol's width.
pub struct Logo {
  pub image: RgbaImage,
  pub fraction: f64,
}

/// The square of modules a logo clears, in symbol coordinates: `start..start + side` on both
/// axes, with a one-module light border around the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clearing {
  pub start: usize,
  pub side: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogoError {
  /// The call was cancelled while the logo was decoded.
  Cancelled,
  /// Neither a PNG nor a JPEG that decodes.
  Unreadable(String),
  /// The file's header says it is wider or taller than `limit` (its format's: [`MAX_LOGO_SIDE`]
  /// or [`MAX_JPEG_LOGO_SIDE`]); nothing was decoded.
  TooManyPixels { width: u32, height: u32, limit: u32 },
  /// The logo would hide more than level H recovers; `largest` is the biggest size that fits.
  TooLarge { largest: Option<f64> },
}

/// Logos are at most this fraction of the symbol's width; level H never recovers more.
pub const MAX_FRACTION: f64 = 0.4;
pub const DEFAULT_FRACTION: f64 = 0.2;

/// Logo files are at most this many pixels on a side, checked from the file's header before
/// any pixel is decoded: a few kilobytes of PNG can claim 23 000 × 23 000 pixels, which take
/// seconds and gigabytes to decode. A logo covers at most 40 % of a code that is itself at most
/// 16 384 px wide, so no drawing needs more.
pub const MAX_LOGO_SIDE: u32 = 4096;

/// JPEG logos are at most this many pixels a side: a JPEG decoder reads the whole image in one
/// step that cannot be interrupted, ~40 ms at this size (PNGs are read row by row, checking
/// for cancellation, so they may be larger).
pub const MAX_JPEG_LOGO_SIDE: u32 = 2048;

/// A decoded logo keeps at most this many pixels a side: the renderer never draws one from
/// more (a larger logo on the image is interpolated from this), so a larger file is reduced
/// while it is read, and its full size is never held.
pub const MAX_SOURCE_SIDE: u32 = 1024;

/// Rows read between two looks at the cancel token: a few milliseconds of decoding.
const BAND: u32 = 32;

impl Logo {
  /// Decodes a PNG or JPEG file (the formats the documentation names; others are refused
  /// whatever the `image` crate could read) of at most [`MAX_LOGO_SIDE`] pixels a side
  /// ([`MAX_JPEG_LOGO_SIDE`] for JPEG), reduced to at most [`MAX_SOURCE_SIDE`] as it is read.
  /// `cancel` is checked every [`BAND`] rows.
  pub fn decode(bytes: &[u8], fraction: f64, cancel: &CancelToken) -> Result<Self, LogoError> {
    let unreadable = |error: image::ImageError| LogoError::Unreadable(error.to_string());
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, LogoError> {
      let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| LogoError::Unreadable(error.to_string()))?;
      match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => Ok(reader),
        Some(other) => Err(LogoError::Unreadable(format!(
          "{} is not accepted",
          other.extensions_str().first().unwrap_or(&"this format")
        ))),
        None => Err(LogoError::Unreadable("not a PNG or JPEG file".into())),
      }
    };
    let first = reader()?;
    let is_png = first.format() == Some(ImageFormat::Png);
    let limit = if is_png {
      MAX_LOGO_SIDE
    } else {
      MAX_JPEG_LOGO_SIDE
    };
    let (width, height) = first.into_dimensions().map_err(unreadable)?;
    if width > limit || height > limit {
      return Err(LogoError::TooManyPixels {
        width,
        height,
        limit,
      });
    }
    cancel.check()?;
    let image = if is_png {
      decode_png(bytes, cancel)?
    } else {
      // JPEG decoders read the whole image at once; it is reduced row by row after.
      let mut limits = Limits::default();
      limits.max_image_width = Some(limit);
      limits.max_image_height = Some(limit);
      let mut reader = reader()?;
      reader.limits(limits);
      let whole = reader.decode().map_err(unreadable)?.into_rgba8();
      let mut reducer = Reducer::new(whole.width(), whole.height());
      for row in whole.chunks_exact(whole.width() as usize * 4) {
        reducer.push(row, cancel)?;
      }
      reducer.finish()
    };
    Ok(Self { image, fraction })
  }

  /// Where the logo goes on a `version` symbol at `level`, if error correction can afford it.
  pub fn place(&self, version: Version, level: EcLevel) -> Result<Clearing, LogoError> {
    let Version::Normal(_) = version else {
      return Err(LogoError::TooLarge { largest: None });
    };
    let fits = |clearing: &Clearing| affordable(version, level, clearing);
    let clearing = clearing_for(version, self.fraction);
    if fits(&clearing) {
      return Ok(clearing);
    }
    // The largest size that would fit, to say in the error.
    let width = version.width() as f64;
    let largest = (1..clearing.side.saturating_sub(2))
      .rev()
      .map(|inner| inner as f64 / width)
      .find(|&fraction| fits(&clearing_for(version, fraction)));
    Err(LogoError::TooLarge { largest })
  }

  /// The logo scaled to fit `side × side` pixels, keeping its aspect ratio.
  pub fn scaled(&self, side: u32) -> RgbaImage {
    let (width, height) = self.fitted(side);
    image::imageops::resize(&self.image, width, height, FilterType::Triangle)
  }

  /// The logo's size once scaled to fit `side × side` pixels, keeping its aspect ratio.
  pub fn fitted(&self, side: u32) -> (u32, u32) {
    let (width, height) = self.image.dimensions();
    let scale = f64::from(side) / f64::from(width.max(height));
    let fit = |length: u32| ((f64::from(length) * scale).round() as u32).clamp(1, side);
    (fit(width), fit(height))
  }
}

/// The image `fraction` of the width across, rounded up to whole modules, plus a one-module
/// border, widened by one if needed to centre it on the module grid.
fn clearing_for(version: Version, fraction: f64) -> Clearing {
  let width = version.width() as usize;
  let inner = (fraction * width as f64).ceil().max(1.0) as usize;
  let mut side = inner + 2;
  if (width - side.min(width)) % 2 == 1 {
    side += 1;
  }
  let side = side.min(width);
  Clearing {
    start: (width - side) / 2,
    side,
  }
}

/// Whether every Reed–Solomon block keeps enough error correction for what `clearing` hides,
/// and the clearing stays clear of the finder, timing and format patterns.
fn affordable(version: Version, level: EcLevel, clearing: &Clearing) -> bool {
  let width = version.width() as usize;
  // Finders with separators and format information take 9 modules from each edge.
  if clearing.start < 9 || clearing.start + clearing.side > width - 9 {
    return false;
  }
  let Some(blocks) = Blocks::of(version, level) else {
    return false;
  };
  let mut covered = vec![0usize; blocks.count];
  let mut last_codeword = None;
  let Version::Normal(number) = version else {
    return false;
  };
  for (index, &(x, y)) in Template::of(number).order.iter().enumerate() {
    let (x, y) = (usize::from(x), usize::from(y));
    let codeword = index / 8;
    let hidden = (clearing.start..clearing.start + clearing.side).contains(&x)
      && (clearing.start..clearing.start + clearing.side).contains(&y);
    if hidden && last_codeword != Some(codeword) && codeword < blocks.owner.len() {
      covered[blocks.owner[codeword]] += 1;
      last_codeword = Some(codeword);
    }
  }
  covered
    .iter()
    .all(|&count| count <= blocks.ec_per_block / 2)
}

/// The block structure of a symbol, read from the crate's own interleaving.
struct Blocks {
  count: usize,
  ec_per_block: usize,
  /// The block of each codeword, in placement order (data codewords, then error correction).
  owner: Vec<usize>,
}

impl Blocks {
  /// Interleaving a message whose bytes are their own indices (low and high byte in two
  /// passes) shows which block each placed codeword comes from.
  fn of(version: Version, level: EcLevel) -> Option<Self> {
    let data_len = qrcode::bits::Bits::new(version).max_len(level).ok()? / 8;
    let pass = |byte: fn(usize) -> u8| {
      let message: Vec<u8> = (0..data_len).map(byte).collect();
      ec::construct_codewords(&message, version, level).ok()
    };
    let (low, ec) = pass(|index| index as u8)?;
    let (high, _) = pass(|index| (index >> 8) as u8)?;
    let source: Vec<usize> = low
      .iter()
      .zip(&high)
      .map(|(&low, &high)| usize::from(high) << 8 | usize::from(low))
      .collect();
    // Interleaving takes the first codeword of every block first, in order.
    let count = source
      .iter()
      .skip(1)
      .position(|&index| index == 1)
      .map_or(source.len(), |position| position + 1);
    let starts = &source[..count];
    let block_of = |index: usize| {
      starts
        .iter()
        .rposition(|&start| start <= index)
        .unwrap_or(0)
    };
    let mut owner: Vec<usize> = source.iter().map(|&index| block_of(index)).collect();
    owner.extend((0..ec.len()).map(|position| position % count));
    Some(Self {
      count,
      ec_per_block: ec.len() / count,
      owner,
    })
  }
}

impl From<Cancelled> for LogoError {
  fn from(_: Cancelled) -> Self {
    Self::Cancelled
  }
}

/// A PNG read row by row (interlaced ones pass by pass into one buffer first), as RGBA, into a
/// [`Reducer`].
fn decode_png(bytes: &[u8], cancel: &CancelToken) -> Result<RgbaImage, LogoError> {
  let unreadable = |error: png::DecodingError| LogoError::Unreadable(error.to_string());
  let mut decoder = png::Decoder::new(Cursor::new(bytes));
  // Palettes expanded, 16-bit samples cut to 8: every row is gray, gray + alpha, RGB or RGBA.
  decoder.set_transformations(png::Transformations::normalize_to_color8());
  let mut reader = decoder.read_info().map_err(unreadable)?;
  let (width, height) = reader.info().size();
  let channels = reader.output_color_type().0.samples();
  let stride = width as usize * channels;
  let mut reducer = Reducer::new(width, height);
  let mut rgba = vec![0; width as usize * 4];
  if reader.info().interlaced {
    let mut whole = vec![0; stride * height as usize];
    let mut passes_read = 0u32;
    while let Some(row) = reader.next_interlaced_row().map_err(unreadable)? {
      if let png::InterlaceInfo::Adam7(info) = row.interlace() {
        png::expand_interlaced_row(&mut whole, stride, row.data(), info, (channels * 8) as u8);
      }
      passes_read += 1;
      if passes_read.is_multiple_of(BAND) {
        cancel.check()?;
      }
    }
    for line in whole.chunks_exact(stride) {
      to_rgba(line, channels, &mut rgba);
      reducer.push(&rgba, cancel)?;
    }
  } else {
    while let Some(row) = reader.next_row().map_err(unreadable)? {
      to_rgba(row.data(), channels, &mut rgba);
      reducer.push(&rgba, cancel)?;
    }
  }
  Ok(reducer.finish())
}

/// One row of 8-bit gray, gray + alpha, RGB or RGBA samples as RGBA.
fn to_rgba(samples: &[u8], channels: usize, rgba: &mut [u8]) {
  for (pixel, out) in samples.chunks_exact(channels).zip(rgba.chunks_exact_mut(4)) {
    let (gray_or_red, rest) = (pixel[0], &pixel[1..]);
    out.copy_from_slice(&match rest {
      [] => [gray_or_red, gray_or_red, gray_or_red, 255],
      [alpha] => [gray_or_red, gray_or_red, gray_or_red, *alpha],
      [green, blue] => [gray_or_red, *green, *blue, 255],
      [green, blue, alpha, ..] => [gray_or_red, *green, *blue, *alpha],
    });
  }
}

/// An image given row by row, reduced to at most [`MAX_SOURCE_SIDE`] pixels a side: each
/// output pixel is the mean of the source pixels it covers, weighted by their alpha (so a
/// transparent pixel lends it no colour). An image within the limit is kept exactly.
struct Reducer {
  source_height: u32,
  image: RgbaImage,
  /// The output column of each source column.
  column_of: Vec<u32>,
  /// Per output column of the row being gathered: red, green and blue times alpha, alpha,
  /// and how many source pixels.
  sums: Vec<[u64; 5]>,
  rows_pushed: u32,
  gathering: u32,
}

impl Reducer {
  fn new(width: u32, height: u32) -> Self {
    let scale = f64::from(MAX_SOURCE_SIDE) / f64::from(width.max(height));
    let reduced = |length: u32| ((f64::from(length) * scale).round() as u32).clamp(1, length);
    let (out_width, out_height) = if scale < 1.0 {
      (reduced(width), reduced(height))
    } else {
      (width, height)
    };
    let column_of = (0..width)
      .map(|x| (u64::from(x) * u64::from(out_width) / u64::from(width)) as u32)
      .collect();
    Self {
      source_height: height,
      image: RgbaImage::new(out_width, out_height),
      column_of,
      sums: vec![[0; 5]; out_width as usize],
      rows_pushed: 0,
      gathering: 0,
    }
  }

  fn reduces(&self) -> bool {
    self.image.height() != self.source_height
  }

  /// Adds the next source row, `width × 4` RGBA bytes; checks `cancel` every [`BAND`] rows.
  fn push(&mut self, rgba: &[u8], cancel: &CancelToken) -> Result<(), Cancelled> {
    if self.rows_pushed.is_multiple_of(BAND) {
      cancel.check()?;
    }
    let row = self.rows_pushed;
    self.rows_pushed += 1;
    if row >= self.source_height {
      return Ok(());
    }
    if !self.reduces() {
      let width = self.image.width() as usize * 4;
      let start = row as usize * width;
      self.image.as_mut()[start..start + width].copy_from_slice(&rgba[..width]);
      return Ok(());
    }
    let target =
      (u64::from(row) * u64::from(self.image.height()) / u64::from(self.source_height)) as u32;
    if target != self.gathering {
      self.flush();
      self.gathering = target;
    }
    for (pixel, &column) in rgba.chunks_exact(4).zip(&self.column_of) {
      let alpha = u64::from(pixel[3]);
      let sum = &mut self.sums[column as usize];
      sum[0] += u64::from(pixel[0]) * alpha;
      sum[1] += u64::from(pixel[1]) * alpha;
      sum[2] += u64::from(pixel[2]) * alpha;
      sum[3] += alpha;
      sum[4] += 1;
    }
    Ok(())
  }

  /// Writes the row being gathered and starts the next one empty.
  fn flush(&mut self) {
    for (column, sum) in self.sums.iter_mut().enumerate() {
      let [red, green, blue, alpha, count] = std::mem::take(sum);
      if count == 0 {
        continue;
      }
      let mean = |weighted: u64| (weighted + alpha / 2).checked_div(alpha).unwrap_or(0) as u8;
      let pixel = [
        mean(red),
        mean(green),
        mean(blue),
        ((alpha + count / 2) / count) as u8,
      ];
      self
        .image
        .put_pixel(column as u32, self.gathering, image::Rgba(pixel));
    }
  }

  fn finish(mut self) -> RgbaImage {
    if self.reduces() {
      self.flush();
    }
    self.image
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  /// A one-row PNG (or WebP) `width` pixels wide, as the image crate writes it.
  fn file_of_width(width: u32, format: ImageFormat) -> Vec<u8> {
    let mut file = Cursor::new(Vec::new());
    RgbaImage::new(width, 1)
      .write_to(&mut file, format)
      .expect("a small image encodes");
    file.into_inner()
  }

  #[test]
  fn a_logo_is_refused_from_its_header_above_the_side_limit() {
    let wide = file_of_width(MAX_LOGO_SIDE + 1, ImageFormat::Png);
    assert_eq!(
      Logo::decode(&wide, 0.2, &CancelToken::default()).err(),
      Some(LogoError::TooManyPixels {
        width: MAX_LOGO_SIDE + 1,
        height: 1,
        limit: MAX_LOGO_SIDE
      })
    );
    let widest = file_of_width(MAX_LOGO_SIDE, ImageFormat::Png);
    let logo =
      Logo::decode(&widest, 0.2, &CancelToken::default()).expect("the limit itself decodes");
    assert_eq!(
      logo.image.dimensions(),
      (MAX_SOURCE_SIDE, 1),
      "reduced as it is read"
    );
  }

  /// `image` in `format`, as the image crate writes it.
  fn encoded(image: image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut file = Cursor::new(Vec::new());
    image
      .write_to(&mut file, format)
      .expect("the image encodes");
    file.into_inner()
  }

  /// A `width × height` image whose every pixel differs from its neighbours.
  fn pattern(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
      image::Rgba([
        (x * 7) as u8,
        (y * 13) as u8,
        (x ^ y) as u8,
        128 + (x + y) as u8 % 128,
      ])
    })
  }

  #[test]
  fn a_logo_within_the_source_limit_reads_as_the_image_crate_reads_it() {
    let rgba = pattern(37, 23);
    let images = [
      image::DynamicImage::ImageRgba8(rgba.clone()),
      image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(rgba.clone()).into_rgb8()),
      image::DynamicImage::ImageLuma8(image::DynamicImage::ImageRgba8(rgba.clone()).into_luma8()),
      image::DynamicImage::ImageLumaA8(
        image::DynamicImage::ImageRgba8(rgba.clone()).into_luma_alpha8(),
      ),
    ];
    for image in images {
      let file = encoded(image, ImageFormat::Png);
      let expected = image::load_from_memory(&file).unwrap().into_rgba8();
      let logo = Logo::decode(&file, 0.2, &CancelToken::default()).unwrap();
      assert_eq!(logo.image, expected);
    }
    // A palette with transparency, written by the png crate itself.
    let mut file = Vec::new();
    let mut encoder = png::Encoder::new(&mut file, 5, 3);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_palette(vec![255, 0, 0, 0, 255, 0, 0, 0, 255]);
    encoder.set_trns(vec![255, 0, 128]);
    let indices = [0u8, 1, 2, 1, 0, 2, 2, 1, 0, 1, 1, 0, 2, 2, 0];
    encoder
      .write_header()
      .unwrap()
      .write_image_data(&indices)
      .unwrap();
    let expected = image::load_from_memory(&file).unwrap().into_rgba8();
    assert_eq!(
      Logo::decode(&file, 0.2, &CancelToken::default())
        .unwrap()
        .image,
      expected
    );
    // Adam7: 7 × 5 RGBA, interlaced by libvips (sharp's `progressive: true`).
    let interlaced: &[u8] = &[
      137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 7, 0, 0, 0, 5, 8, 6,
      0, 0, 1, 254, 157, 198, 78, 0, 0, 0, 9, 112, 72, 89, 115, 0, 0, 3, 232, 0, 0, 3, 232, 1, 181,
      123, 82, 107, 0, 0, 0, 134, 73, 68, 65, 84, 8, 215, 13, 202, 169, 161, 2, 48, 16, 4, 208, 41,
      34, 58, 58, 58, 122, 139, 136, 142, 94, 14, 197, 165, 150, 67, 241, 1, 21, 14, 53, 28, 10,
      248, 148, 144, 34, 182, 44, 120, 250, 1, 128, 194, 80, 26, 224, 101, 108, 142, 11, 4, 201,
      58, 236, 9, 113, 219, 116, 79, 159, 95, 73, 67, 81, 172, 76, 237, 212, 181, 188, 17, 17, 38,
      21, 178, 37, 148, 136, 42, 179, 170, 97, 71, 109, 55, 68, 215, 69, 245, 118, 160, 135, 7,
      144, 195, 32, 102, 76, 37, 203, 178, 230, 244, 103, 89, 143, 204, 229, 218, 115, 123, 1, 148,
      81, 100, 154, 11, 195, 186, 18, 123, 99, 59, 147, 118, 239, 212, 255, 47, 128, 16, 53, 3,
      187, 36, 166, 140, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];
    assert_eq!(interlaced[28], 1, "the header says Adam7");
    let expected = image::load_from_memory(interlaced).unwrap().into_rgba8();
    assert_eq!(
      Logo::decode(interlaced, 0.2, &CancelToken::default())
        .unwrap()
        .image,
      expected
    );
  }

  #[test]
  fn a_larger_logo_is_reduced_to_the_mean_of_its_pixels_keeping_its_shape() {
    // Black and white columns in pairs, twice the limit wide: every reduced pixel is mid-grey.
    let width = MAX_SOURCE_SIDE * 2;
    let stripes = RgbaImage::from_fn(width, MAX_SOURCE_SIDE, |x, _| {
      let level = if x % 2 == 0 { 0 } else { 255 };
      image::Rgba([level, level, level, 255])
    });
    for format in [ImageFormat::Png, ImageFormat::Jpeg] {
      let image = image::DynamicImage::ImageRgba8(stripes.clone());
      let image = if format == ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(image.into_rgb8())
      } else {
        image
      };
      let logo = Logo::decode(&encoded(image, format), 0.2, &CancelToken::default()).unwrap();
      assert_eq!(
        logo.image.dimensions(),
        (MAX_SOURCE_SIDE, MAX_SOURCE_SIDE / 2),
        "{format:?}"
      );
      let tolerance = if format == ImageFormat::Png { 1 } else { 8 };
      assert!(
        logo
          .image
          .pixels()
          .all(|pixel| pixel[0].abs_diff(128) <= tolerance && pixel[3] == 255),
        "{format:?}: every pixel the mean of its stripes"
      );
    }
    // A transparent pixel lends no colour: red beside transparent blue reduces to red.
    let half = RgbaImage::from_fn(MAX_SOURCE_SIDE * 2, 2, |x, _| {
      image::Rgba(if x % 2 == 0 {
        [255, 0, 0, 255]
      } else {
        [0, 0, 255, 0]
      })
    });
    let logo = Logo::decode(
      &encoded(image::DynamicImage::ImageRgba8(half), ImageFormat::Png),
      0.2,
      &CancelToken::default(),
    )
    .unwrap();
    assert!(logo.image.pixels().all(|pixel| pixel.0 == [255, 0, 0, 128]));
  }

  #[test]
  fn a_cancelled_decoding_stops() {
    let cancel = CancelToken::default();
    cancel.cancel();
    let image = image::DynamicImage::ImageRgba8(pattern(64, 64));
    for format in [ImageFormat::Png, ImageFormat::Jpeg] {
      let image = if format == ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(image.to_rgb8())
      } else {
        image.clone()
      };
      assert_eq!(
        Logo::decode(&encoded(image, format), 0.2, &cancel).err(),
        Some(LogoError::Cancelled),
        "{format:?}"
      );
    }
  }

  #[test]
  fn a_jpeg_logo_has_the_lower_limit_it_is_decoded_whole_under() {
    let wide = encoded(
      image::DynamicImage::ImageRgb8(image::RgbImage::new(MAX_JPEG_LOGO_SIDE + 1, 1)),
      ImageFormat::Jpeg,
    );
    assert_eq!(
      Logo::decode(&wide, 0.2, &CancelToken::default()).err(),
      Some(LogoError::TooManyPixels {
        width: MAX_JPEG_LOGO_SIDE + 1,
        height: 1,
        limit: MAX_JPEG_LOGO_SIDE
      })
    );
  }

  #[test]
  fn only_png_and_jpeg_logos_are_decoded() {
    let webp = file_of_width(8, ImageFormat::WebP);
    assert!(
      matches!(Logo::decode(&webp, 0.2, &CancelToken::default()), Err(LogoError::Unreadable(reason)) if reason.contains("webp")),
      "a WebP logo is refused"
    );
    let jpeg = {
      let mut file = Cursor::new(Vec::new());
      image::RgbImage::new(8, 8)
        .write_to(&mut file, ImageFormat::Jpeg)
        .expect("a small JPEG encodes");
      file.into_inner()
    };
    assert!(Logo::decode(&jpeg, 0.2, &CancelToken::default()).is_ok());
    assert!(matches!(
      Logo::decode(b"not an image", 0.2, &CancelToken::default()),
      Err(LogoError::Unreadable(_))
    ));
  }

  #[test]
  fn placement_order_fills_exactly_the_codewords() {
    for number in [1, 2, 7, 14, 40] {
      let version = Version::Normal(number);
      let modules = Template::of(number).order.len();
      let blocks = Blocks::of(version, EcLevel::H).unwrap();
      // Remainder bits (0, 3, 4 or 7) follow the last codeword.
      assert!(
        modules / 8 == blocks.owner.len() && modules % 8 < 8,
        "v{number}"
      );
    }
  }

  #[test]
  fn block_structure_matches_the_standard() {
    // ISO/IEC 18004 table 9: version 5-H is 2 blocks of 11 and 2 of 12 data codewords, 22
    // error correction codewords each; version 1-H one block with 17.
    let blocks = Blocks::of(Version::Normal(5), EcLevel::H).unwrap();
    assert_eq!((blocks.count, blocks.ec_per_block), (4, 22));
    assert_eq!(blocks.owner[..5], [0, 1, 2, 3, 0]);
    // Codeword 11 of the longer blocks comes last among the data codewords.
    assert_eq!(blocks.owner[44..46], [2, 3]);
    let blocks = Blocks::of(Version::Normal(1), EcLevel::H).unwrap();
    assert_eq!((blocks.count, blocks.ec_per_block), (1, 17));
  }

  #[test]
  fn a_logo_is_sized_to_what_level_h_recovers() {
    let logo = |fraction| Logo {
      image: RgbaImage::new(4, 4),
      fraction,
    };
    let clearing = logo(0.2).place(Version::Normal(5), EcLevel::H).unwrap();
    // 0.2 × 37 = 7.4 → 8 modules of image, 10 with the border, 11 to centre on 37.
    assert_eq!((clearing.start, clearing.side), (13, 11));
    match logo(0.4).place(Version::Normal(5), EcLevel::H) {
      Err(LogoError::TooLarge {
        largest: Some(largest),
      }) => assert!(largest > 0.2 && largest < 0.4, "{largest}"),
      other => panic!("{other:?}"),
    }
    assert!(logo(0.2).place(Version::Normal(1), EcLevel::H).is_err());
  }
}
