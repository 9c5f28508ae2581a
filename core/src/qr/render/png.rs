//! PNG: a 1-bit indexed image whose two palette entries are the light and dark colours.

use std::cell::Cell;

use miniz_oxide::deflate::core::{compress_to_output, CompressorOxide, TDEFLFlush, TDEFLStatus};
use miniz_oxide::DataFormat;
use png::chunk::IDAT;
use png::{BitDepth, ColorType, Encoder};

use super::{module_edges, Framed, RenderError};
use crate::cancel::CancelToken;
use crate::qr::{Matrix, Style};

/// Palette index 0 is light and 1 is dark, so a row of modules is a row of bits. Scanlines are
/// compressed as they are made: the memory is one row and the compressed image.
pub fn png(matrix: &Matrix, style: &Style, cancel: &CancelToken) -> Result<Vec<u8>, RenderError> {
  let side_px = style.side_px(matrix.width())? as usize;
  let framed = Framed::new(matrix, style);
  let edges = module_edges(framed.side, side_px);

  // Each scanline is a filter-type byte (0: none) and the row's bits.
  let line_bytes = side_px.div_ceil(8) + 1;
  let mut zlib = Zlib::new(line_bytes * side_px);
  let mut line = vec![0u8; line_bytes];
  for module_y in 0..framed.side {
    line.fill(0);
    for module_x in (0..framed.side).filter(|&x| framed.is_dark(x, module_y)) {
      for px in edges[module_x]..edges[module_x + 1] {
        line[1 + px / 8] |= 0x80 >> (px % 8);
      }
    }
    for _ in edges[module_y]..edges[module_y + 1] {
      zlib.push(&line, cancel)?;
    }
  }
  let idat = zlib.finish(cancel)?;

  let (light, dark) = (style.light, style.dark);
  let mut out = Vec::with_capacity(idat.len() + 128);
  let mut encoder = Encoder::new(&mut out, side_px as u32, side_px as u32);
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
    .write_chunk(IDAT, &idat)
    .expect("writing a chunk into a Vec cannot fail");
  writer
    .finish()
    .expect("finishing a PNG into a Vec cannot fail");
  Ok(out)
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

  fn push(&mut self, line: &[u8], cancel: &CancelToken) -> Result<(), RenderError> {
    if self.pending.len() + line.len() > Self::BATCH {
      self.compress(TDEFLFlush::None, cancel)?;
    }
    self.pending.extend_from_slice(line);
    Ok(())
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
