//! PNG: a 1-bit indexed image whose two palette entries are the light and dark colours.

use std::cell::Cell;

use miniz_oxide::deflate::core::{compress_to_output, CompressorOxide, TDEFLFlush, TDEFLStatus};
use miniz_oxide::DataFormat;
use png::chunk::IDAT;
use png::{BitDepth, ColorType, Encoder};

use super::{module_edges, Framed, RenderError};
use crate::cancel::CancelToken;
use crate::qr::{Matrix, Style};
use crate::slice::{Deadline, Step};

/// A 1-bit PNG part of the way through. Palette index 0 is light and 1 is dark, so a row of
/// modules is a row of bits. Scanlines are compressed as they are made: the memory is one row
/// and the compressed image.
///
/// What it keeps between slices is all owned: the next pixel row, the module row whose
/// scanline `line` holds, and the compressor with what it has made. A slice pauses only right
/// after a [`Zlib::BATCH`] was compressed, so a paused image holds no half-compressed batch and
/// the bytes are the same however it is sliced.
pub struct Plain {
  side_px: usize,
  height_px: usize,
  edges: Vec<usize>,
  /// A filter-type byte (0: none) and the bits of module row `module_y`'s scanline.
  line: Vec<u8>,
  /// The module row `line` holds (`None` before the first).
  module_y: Option<usize>,
  /// The next pixel row to compress.
  y: usize,
  zlib: Zlib,
}

impl Plain {
  /// Checks the size; allocates the scanline and the compressor, draws nothing.
  pub fn start(matrix: &Matrix, style: &Style) -> Result<Self, RenderError> {
    let side_px = style.side_px(matrix.width())? as usize;
    let framed = Framed::new(matrix, style);
    let height_px = framed.height_px(side_px);
    let edges = module_edges(framed.side, side_px);
    let line_bytes = side_px.div_ceil(8) + 1;
    Ok(Self {
      side_px,
      height_px,
      edges,
      line: vec![0u8; line_bytes],
      module_y: None,
      y: 0,
      zlib: Zlib::new(line_bytes * height_px),
    })
  }

  /// Compresses scanlines until the image is done, or `deadline` has passed once a batch was
  /// compressed (at least one batch a slice, so every slice gets further). `matrix` and `style`
  /// are the ones it was started with.
  pub fn advance(
    mut self,
    matrix: &Matrix,
    style: &Style,
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Self, Vec<u8>>, RenderError> {
    let framed = Framed::new(matrix, style);
    while self.y < self.height_px {
      // The module row that holds pixel row `y` (modules narrower than a pixel hold none).
      let mut module_y = self.module_y.unwrap_or(0);
      while self.edges[module_y + 1] <= self.y {
        module_y += 1;
      }
      if self.module_y != Some(module_y) {
        self.line.fill(0);
        for module_x in (0..framed.side).filter(|&x| framed.is_dark(x, module_y)) {
          for px in self.edges[module_x]..self.edges[module_x + 1] {
            self.line[1 + px / 8] |= 0x80 >> (px % 8);
          }
        }
        self.module_y = Some(module_y);
      }
      let compressed = self.zlib.push(&self.line, cancel)?;
      self.y += 1;
      if compressed && self.y < self.height_px && deadline.has_passed() {
        return Ok(Step::Paused(self));
      }
    }
    let idat = self.zlib.finish(cancel)?;
    Ok(Step::Done(container(
      (self.side_px as u32, self.height_px as u32),
      style,
      &idat,
    )))
  }
}

/// The PNG file of `(width, height)` pixels around the compressed scanlines: header, palette,
/// transparency, `idat`.
fn container((width, height): (u32, u32), style: &Style, idat: &[u8]) -> Vec<u8> {
  let (light, dark) = (style.light, style.dark);
  let mut out = Vec::with_capacity(idat.len() + 128);
  let mut encoder = Encoder::new(&mut out, width, height);
  encoder.set_color(ColorType::Indexed);
  encoder.set_depth(BitDepth::One);
  encoder.set_palette(vec![light.r, light.g, light.b, dark.r, dark.g, dark.b]);
  if !(light.is_opaque() && dark.is_opaque()) {
    encoder.set_trns(vec![light.a, dark.a]);
  }
  let mut writer = encoder
    .write_header()
    .expect("writing a PNG header into a Vec cannot fail");
  writer
    .write_chunk(IDAT, idat)
    .expect("writing a chunk into a Vec cannot fail");
  writer
    .finish()
    .expect("finishing a PNG into a Vec cannot fail");
  out
}

/// Scanlines zlib-compressed as they come, in batches of [`Zlib::BATCH`] bytes with a look at
/// the cancel token before each. A module is `scale` identical scanlines, which LZ77 matches
/// whole: miniz at level 2 makes a third of what the png crate's fast deflater does, in about
/// the same time; past 16 KiB level 1 keeps large codes as fast. The compressor (~300 KB of
/// state) is kept per thread, as allocating it costs more than compressing a small code.
struct Zlib {
  compressor: Box<CompressorOxide>,
  pending: Vec<u8>,
  out: Vec<u8>,
}

thread_local! {
  static COMPRESSOR: Cell<Option<Box<CompressorOxide>>> = const { Cell::new(None) };
}

impl Zlib {
  /// Small enough to compress in well under a millisecond; one batch holds a default-sized code.
  const BATCH: usize = 64 * 1024;

  /// For `total` bytes of scanlines in all.
  fn new(total: usize) -> Self {
    let mut compressor = COMPRESSOR.take().unwrap_or_default();
    compressor.reset();
    let level = if total <= 16 * 1024 { 2 } else { 1 };
    compressor.set_format_and_level(DataFormat::Zlib, level);
    let pending = total.min(Self::BATCH);
    Self {
      compressor,
      pending: Vec::with_capacity(pending),
      // Rows of modules compress to far less than this; a large code grows it a few times.
      out: Vec::with_capacity(pending / 4 + 64),
    }
  }

  /// Adds a scanline; whether a batch was compressed to make room for it.
  fn push(&mut self, line: &[u8], cancel: &CancelToken) -> Result<bool, RenderError> {
    let full = self.pending.len() + line.len() > Self::BATCH;
    if full {
      self.compress(TDEFLFlush::None, cancel)?;
    }
    self.pending.extend_from_slice(line);
    Ok(full)
  }

  fn finish(mut self, cancel: &CancelToken) -> Result<Vec<u8>, RenderError> {
    self.compress(TDEFLFlush::Finish, cancel)?;
    COMPRESSOR.set(Some(self.compressor));
    Ok(self.out)
  }

  fn compress(&mut self, flush: TDEFLFlush, cancel: &CancelToken) -> Result<(), RenderError> {
    cancel.check()?;
    let out = &mut self.out;
    let (status, _) = compress_to_output(&mut self.compressor, &self.pending, flush, |bytes| {
      out.extend_from_slice(bytes);
      true
    });
    let expected = match flush {
      TDEFLFlush::Finish => TDEFLStatus::Done,
      _ => TDEFLStatus::Okay,
    };
    assert_eq!(status, expected, "compressing into a Vec cannot fail");
    self.pending.clear();
    Ok(())
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::encode::sample;
  use crate::qr::Rgba;
  use qrcode::EcLevel;

  fn png(matrix: &Matrix, style: &Style, cancel: &CancelToken) -> Result<Vec<u8>, RenderError> {
    Ok(
      Plain::start(matrix, style)?
        .advance(matrix, style, Deadline::NEVER, cancel)?
        .finished(),
    )
  }

  fn decode(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>, png::Info<'static>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let info = reader.info().clone().to_owned();
    (frame, buf, info)
  }

  #[test]
  fn every_pixel_matches_its_module() {
    let matrix = sample(b"pixels", EcLevel::Q);
    let style = Style {
      margin: 2,
      scale: 3,
      ..Style::default()
    };
    let (frame, pixels, _) = decode(&png(&matrix, &style, &CancelToken::default()).unwrap());
    let side = (matrix.width() + 4) * 3;
    assert_eq!((frame.width as usize, frame.height as usize), (side, side));
    let framed = Framed::new(&matrix, &style);
    for y in 0..side {
      for x in 0..side {
        let bit = pixels[y * frame.line_size + x / 8] >> (7 - x % 8) & 1;
        assert_eq!(bit == 1, framed.is_dark(x / 3, y / 3), "pixel ({x}, {y})");
      }
    }
  }

  #[test]
  fn palette_and_transparency_carry_the_colours() {
    let matrix = sample(b"colours", EcLevel::L);
    let style = Style {
      dark: Rgba::from_hex("#12345678").unwrap(),
      light: Rgba::from_hex("#fed").unwrap(),
      ..Style::default()
    };
    let (_, _, info) = decode(&png(&matrix, &style, &CancelToken::default()).unwrap());
    assert_eq!(
      info.palette.as_deref(),
      Some(&[0xff, 0xee, 0xdd, 0x12, 0x34, 0x56][..])
    );
    assert_eq!(info.trns.as_deref(), Some(&[0xff, 0x78][..]));
  }

  #[test]
  fn refuses_an_oversized_image_before_allocating() {
    let matrix = sample(&[7; 2000], EcLevel::L);
    let style = Style {
      scale: 200,
      ..Style::default()
    };
    assert!(png(&matrix, &style, &CancelToken::default()).is_err());
  }
}
