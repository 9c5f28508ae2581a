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
  /// Neither a PNG nor a JPEG that decodes.
  Unreadable(String),
  /// The file's header says it is wider or taller than [`MAX_LOGO_SIDE`]; nothing was decoded.
  TooManyPixels { width: u32, height: u32 },
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

impl Logo {
  /// Decodes a PNG or JPEG file (the formats the documentation names; others are refused
  /// whatever the `image` crate could read) of at most [`MAX_LOGO_SIDE`] pixels a side.
  pub fn decode(bytes: &[u8], fraction: f64) -> Result<Self, LogoError> {
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
    let (width, height) = reader()?.into_dimensions().map_err(unreadable)?;
    if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
      return Err(LogoError::TooManyPixels { width, height });
    }
    // The header was read twice; the limits hold the decoder to what it said.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_LOGO_SIDE);
    limits.max_image_height = Some(MAX_LOGO_SIDE);
    let mut reader = reader()?;
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?.into_rgba8();
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
      Logo::decode(&wide, 0.2).err(),
      Some(LogoError::TooManyPixels {
        width: MAX_LOGO_SIDE + 1,
        height: 1
      })
    );
    let widest = file_of_width(MAX_LOGO_SIDE, ImageFormat::Png);
    let logo = Logo::decode(&widest, 0.2).expect("the limit itself decodes");
    assert_eq!(logo.image.dimensions(), (MAX_LOGO_SIDE, 1));
  }

  #[test]
  fn only_png_and_jpeg_logos_are_decoded() {
    let webp = file_of_width(8, ImageFormat::WebP);
    assert!(
      matches!(Logo::decode(&webp, 0.2), Err(LogoError::Unreadable(reason)) if reason.contains("webp")),
      "a WebP logo is refused"
    );
    let jpeg = {
      let mut file = Cursor::new(Vec::new());
      image::RgbImage::new(8, 8)
        .write_to(&mut file, ImageFormat::Jpeg)
        .expect("a small JPEG encodes");
      file.into_inner()
    };
    assert!(Logo::decode(&jpeg, 0.2).is_ok());
    assert!(matches!(
      Logo::decode(b"not an image", 0.2),
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
